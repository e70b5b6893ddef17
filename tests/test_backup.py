"""`news-archive backup DEST`: a consistent copy of the database (its WAL included) and of the ranked
index, even while an ingest runs. Real archives, real tantivy indexes, the command as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import rows, write_article
from consistency import check_archive, index_state, ranked_ids
from news_archive import backup as backups
from news_archive import search_index
from news_archive.ingest import ingest
from test_index_identity import archive_id, fingerprint, make_corpus, search_cli


def shell(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "news_archive.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def archive(tmp_path) -> str:
    db = str(tmp_path / "live" / "news.db")
    Path(db).parent.mkdir()
    ingest(db, [str(make_corpus(tmp_path / "articles", 0, 300, "cocoa", 3))], jobs=1, analyse=False)
    return db


def test_a_backup_holds_what_the_wal_holds_and_the_index_that_goes_with_it(archive, tmp_path):
    # A write that is only in the WAL so far (its writer still open: nothing copied it into news.db).
    writer = sqlite3.connect(archive)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with writer:
        writer.execute("INSERT INTO meta (key, value) VALUES ('only-in-the-wal', 'yes')")
    naive = tmp_path / "cp.db"
    shutil.copy(archive, naive)  # what `cp news.db` gives: not that write
    assert rows(str(naive), "SELECT count(*) FROM meta WHERE key = 'only-in-the-wal'") == [(0,)]
    before = fingerprint(archive)
    dest = str(tmp_path / "backups" / "copy.db")
    Path(dest).parent.mkdir()
    result = shell("backup", dest, "--db", archive)
    assert result.returncode == 0, result.stderr
    line = result.stderr.strip()
    assert line.startswith(f"backed up {archive} to {dest}: 300 articles, ") and f"its ranked index to {dest}.index" in line
    assert fingerprint(archive) == before, "the backup wrote to the archive"
    assert not Path(dest + "-wal").exists()
    assert rows(dest, "PRAGMA integrity_check") == [("ok",)]
    assert rows(dest, "SELECT * FROM articles ORDER BY id") == rows(archive, "SELECT * FROM articles ORDER BY id")
    assert archive_id(dest) == archive_id(archive)
    assert rows(dest, "SELECT value FROM meta WHERE key = 'only-in-the-wal'") == [("yes",)]
    writer.close()
    assert index_state(dest) == index_state(archive)
    assert search_cli(dest, "cocoa") == ("1-20 of 100 matches for: cocoa", "")  # the copied index, used as it is
    check_archive(dest, complete=True)
    # Restored over the archive as the README says (a backup of the backup over it): a working archive
    # again, its index kept.
    write_article(tmp_path / "articles", "later.txt", " date 2020-01-01 Written after the backup\n\nLater.\n")
    ingest(archive, [str(tmp_path / "articles")], jobs=1, analyse=False)
    restored = shell("backup", archive, "--db", dest, "--force")
    assert restored.returncode == 0, restored.stderr
    assert rows(archive, "SELECT count(*) FROM articles") == [(300,)]
    assert search_cli(archive, "cocoa") == ("1-20 of 100 matches for: cocoa", "")
    (tmp_path / "articles" / "later.txt").unlink()
    again = ingest(archive, [str(tmp_path / "articles")], jobs=1, analyse=False)
    assert (again.ingested, again.unchanged) == (0, 300) and index_state(archive)["max_id"] == 300


def test_backup_refuses_what_it_should_in_one_line(archive, tmp_path):
    dest = str(tmp_path / "copy.db")
    assert shell("backup", dest, "--db", archive).returncode == 0
    cases = [
        (["backup", dest, "--db", archive], f"Error: {dest} and {dest}.index already exist: choose another name,"
                                            " or --force to overwrite\n"),
        (["backup", str(tmp_path / "nowhere" / "copy.db"), "--db", archive],
         f"Error: {tmp_path / 'nowhere' / 'copy.db'}: its folder {tmp_path / 'nowhere'} does not exist\n"),
        (["backup", archive, "--db", archive], f"Error: {archive} is the archive itself\n"),
        (["backup", str(tmp_path), "--db", archive],
         f"Error: {tmp_path} is a folder: give the name of the database file to write\n"),
        (["backup", str(tmp_path / "other.db"), "--db", str(tmp_path / "none.db")],
         f"Error: no archive at {tmp_path / 'none.db'}\n"),
    ]
    for args, error in cases:
        result = shell(*args)
        assert (result.returncode, result.stderr) == (1, error), args
    (tmp_path / "copy.db.index").rename(tmp_path / "elsewhere")
    result = shell("backup", dest, "--db", archive)
    assert (result.returncode, result.stderr) == (1, f"Error: {dest} already exists: choose another name, or --force"
                                                     " to overwrite\n")


def test_a_backup_is_never_written_over_one_of_the_archives_own_files(archive, tmp_path):
    before = rows(archive, "SELECT count(*) FROM articles")
    for own in ("-wal", "-shm", "-journal", ".index/x.db"):
        refused = shell("backup", archive + own, "--db", archive, "--force")
        assert refused.returncode == 1 and refused.stderr == (
            f"Error: {archive}{own} is one of the archive's own files: give a name of its own\n"), own
    assert rows(archive, "SELECT count(*) FROM articles") == before
    check_archive(archive, complete=True)


def test_force_overwrites_a_backup_and_its_stale_wal(archive, tmp_path):
    dest = str(tmp_path / "copy.db")
    other = str(tmp_path / "other.db")
    ingest(other, [str(make_corpus(tmp_path / "small", 1000, 12, "cocoa", 6))], jobs=1, analyse=False)
    shutil.copy(other, dest)
    shutil.copy(other + "-wal", dest + "-wal")  # another database's WAL beside DEST
    shutil.copytree(other + ".index", dest + ".index")
    (Path(dest + ".index") / "stray.txt").write_text("left by hand")
    result = shell("backup", dest, "--db", archive, "--force")
    assert result.returncode == 0, result.stderr
    assert not Path(dest + "-wal").exists() and not (Path(dest + ".index") / "stray.txt").exists()
    assert rows(dest, "SELECT count(*) FROM articles") == [(300,)]
    assert search_cli(dest, "cocoa") == ("1-20 of 100 matches for: cocoa", "")
    check_archive(dest, complete=True)


def test_while_another_process_writes_the_index_it_is_left_out_with_a_note(archive, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from news_archive import search_index as s;"
         " f = s.Feeder(s.SearchIndex.open(sys.argv[1])); print('held', flush=True); time.sleep(60)", archive],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        dest = str(tmp_path / "copy.db")
        result = shell("backup", dest, "--db", archive)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[1] == (
        "note: the ranked index is not in the backup: an ingest or analysis is writing the ranked index, so it is"
        " left out; the first ingest of the copy rebuilds it (or run the backup again when that has finished)")
    assert not Path(dest + ".index").exists() and rows(dest, "SELECT count(*) FROM articles") == [(300,)]
    # Checked before it is trusted, as the README advises: the database is whole, and an index left
    # out is derived data the first ingest of the copy builds, so the check passes and says so.
    checked = shell("check", "--db", dest)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ("ranked index  none yet, which is no problem: it is derived from the database, and `news-archive analyse`"
            " on this archive (or its next ingest) builds it (until then searches use the slower full-text index)"
            ) in checked.stdout.splitlines()
    summary, notes = search_cli(dest, "cocoa")
    assert summary == "1-20 of 100 matches for: cocoa" and "the fast search index is missing" in notes
    ingest(dest, [str(tmp_path / "articles")], jobs=1, analyse=False)
    assert search_cli(dest, "cocoa") == ("1-20 of 100 matches for: cocoa", "")


def test_backups_taken_while_an_ingest_runs_are_each_consistent(archive, tmp_path):
    """Backups one after another during a real ingest: each database copy is whole, and an index
    copied with it holds exactly what that copy holds."""
    more = make_corpus(tmp_path / "more", 5000, 6000, "cocoa", 3)
    child = subprocess.Popen([sys.executable, "-m", "news_archive.cli", "ingest", str(more), "--db", archive,
                              "--jobs", "1", "--silent"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    copies = []
    try:
        # Only once the ingest has begun saving (and so holds the index's writer lock): a backup
        # holding the lock for a moment as the ingest starts would make it stop, as it should.
        while rows(archive, "SELECT count(*) FROM articles")[0][0] == 300 and child.poll() is None:
            time.sleep(0.05)
        while child.poll() is None and len(copies) < 12:
            dest = str(tmp_path / f"copy{len(copies)}.db")
            copies.append((dest, backups.backup(archive, dest).index_copied))
    finally:
        child.wait(300)
    assert child.returncode == 0, child.stderr.read()
    assert len(copies) >= 2
    for dest, with_index in copies:
        counts = check_archive(dest, complete=with_index)
        if with_index:
            assert index_state(dest)["max_id"] == rows(dest, "SELECT max(id) FROM articles")[0][0]
            assert counts["indexed"] == counts["originals"]
            assert search_cli(dest, "cocoa")[1] == ""
    # And one after it: everything, index included.
    final = str(tmp_path / "final.db")
    result = shell("backup", final, "--db", archive)
    assert result.returncode == 0 and "note:" not in result.stderr
    assert rows(final, "SELECT count(*) FROM articles") == [(6300,)]
    check_archive(final, complete=True)


def test_an_index_that_is_not_the_archives_is_left_out(archive, tmp_path):
    state_file = Path(archive + ".index") / search_index.STATE_FILE
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**state, "archive_id": "someone else"}))
    result = shell("backup", str(tmp_path / "copy.db"), "--db", archive)
    assert result.returncode == 0
    assert "note: the ranked index is not in the backup: the ranked index beside the archive is not the archive's own" \
        in result.stderr
    assert not (tmp_path / "copy.db.index").exists()


def test_a_file_that_vanishes_mid_copy_leaves_nothing_and_is_tried_again(archive, tmp_path):
    """As when a merge takes a segment away between reading meta.json and copying it."""
    source = Path(archive + ".index")
    newest = rows(archive, "SELECT max(id) FROM articles")[0][0]
    edition = int(rows(archive, "SELECT value FROM meta WHERE key = 'index_edition'")[0][0])
    listing = backups._index_listing(source, archive_id(archive), newest, edition)
    segment = json.loads((source / "meta.json").read_text())["segments"][0]["segment_id"].replace("-", "")
    (source / f"{segment}.store").rename(tmp_path / "store")
    assert backups._copy_index(source, tmp_path / "copied.index", *listing) is False
    assert not (tmp_path / "copied.index").exists()
    # The whole backup, with the file still gone: the index cannot even be opened, so it is left out.
    result = shell("backup", str(tmp_path / "copy.db"), "--db", archive)
    assert result.returncode == 0 and result.stderr.splitlines()[1].startswith(
        "note: the ranked index is not in the backup: cannot open the search index at")
    assert not (tmp_path / "copy.db.index").exists()
    assert rows(str(tmp_path / "copy.db"), "SELECT count(*) FROM articles") == [(300,)]
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []  # no temporary left
    (tmp_path / "store").rename(source / f"{segment}.store")
    assert backups._copy_index(source, tmp_path / "copied.index", *listing)
    assert sorted(p.name for p in (tmp_path / "copied.index").iterdir()) == sorted(
        p.name for p in source.iterdir() if not p.name.startswith(".tantivy"))


def test_a_full_disk_is_said_of_the_copy_not_of_the_archive(archive, tmp_path, monkeypatch):
    import errno

    def full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(source))  # as shutil names the file it read

    (tmp_path / "backups").mkdir()
    monkeypatch.setattr(backups.shutil, "copyfile", full)
    with pytest.raises(backups.BackupError) as raised:
        backups.backup(archive, str(tmp_path / "backups" / "copy.db"))
    assert str(raised.value) == (f"{tmp_path / 'backups' / 'copy.db.index'}: cannot write the copy of the ranked"
                                 " index: No space left on device")
    assert os.listdir(tmp_path / "backups") == []  # nothing half-written left behind
