"""kill -9 during an ingest, at every kind of point: the archive stays whole and the next ingest completes it.

Each test runs an ingest in a child process (tests/faultpoints.py) that stops
dead at one point — inside a batch's transaction, while the FTS rows are
written, between a tantivy commit and its state file, during the index
catch-up — and kills it there with SIGKILL. Then it checks (tests/consistency.py):
SQLite's integrity_check and foreign keys, FTS5's integrity-check against the
articles table, the source_files ledger against articles and rejects, copies
pointing at their first copy, and the ranked index (no article twice, nothing
that is not an article, nothing the state file claims missing). Finally a normal
ingest must reach exactly the right counts, with the ranked index holding every
original exactly once.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consistency import check_archive, index_state, ranked_ids
from conftest import rows, write_article
from news_archive.ingest import ingest

HERE = Path(__file__).parent


def shell(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "news_archive.cli", *args], capture_output=True, text=True,
                          timeout=120)
GOOD, COPIES, BAD = 1000, 40, 30


@pytest.fixture(scope="module")
def corpus_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fault-corpus")
    for i in range(GOOD):
        write_article(folder, f"d{i % 5}/a{i:04d}.txt",
                      f" date 2019-{i % 12 + 1:02d}-{i % 28 + 1:02d} Headline number {i}\n\nBody of story {i}, word w{i}.\n")
    (folder / "copies").mkdir()
    for i in range(COPIES):
        shutil.copy(folder / f"d{i % 5}/a{i:04d}.txt", folder / f"copies/c{i:03d}.txt")
    for i in range(BAD):
        write_article(folder, f"bad/b{i:03d}.txt", f"no date line in file {i}\n")
    return folder


@pytest.fixture
def corpus(corpus_template, tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_template, folder)
    return folder


def run_until(point: str, nth: int, db_path: str, folder: Path, *, jobs: int = 1, timeout: float = 60) -> str:
    """Start the ingest child, wait until it stops at ``point``, kill -9 it (and its workers).
    Returns what it printed. Fails if it finished without reaching the point."""
    child = subprocess.Popen(
        [sys.executable, str(HERE / "faultpoints.py"), point, str(nth), db_path, str(folder), "--jobs", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while f"at {point}".encode() not in output:
            if time.monotonic() > deadline:
                pytest.fail(f"the ingest did not reach {point} within {timeout}s: {output.decode()}")
            ready, _, _ = select.select([child.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(child.stdout.fileno(), 65536)
                if not chunk:
                    child.wait(5)
                    pytest.fail(f"the ingest ended (status {child.returncode}) before {point} #{nth}: {output.decode()}")
                output += chunk
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return output.decode()


def complete_and_check(db_path: str, folder: Path, *, articles: int, originals: int, rejects: int) -> dict:
    report = ingest(db_path, [str(folder)], jobs=1)
    files = sum(1 for p in folder.rglob("*.txt"))
    assert report.files == files, report.summary()
    counts = check_archive(db_path, complete=True)
    assert (counts["articles"], counts["originals"], counts["rejects"]) == (articles, originals, rejects)
    assert rows(db_path, "SELECT count(*) - count(DISTINCT source), count(DISTINCT sha256) FROM articles") == [
        (0, originals)]
    # A third run finds nothing to do: nothing was half-recorded.
    again = ingest(db_path, [str(folder)], jobs=1)
    assert (again.ingested, again.updated, again.duplicates) == (0, 0, 0)
    assert again.unchanged == articles and len(again.rejected) == rejects
    return counts


@pytest.mark.parametrize("point, nth, jobs", [
    ("articles-insert", 3, 1),  # in the middle of a batch: articles written, FTS rows not
    ("fts-insert", 4, 1),  # while the FTS rows are written
    ("ledger", 6, 1),  # the last statement before COMMIT
    ("fts-insert", 3, 2),  # the same with worker processes, killed with their process group
    ("index-add", 5, 1),  # documents fed to tantivy, not committed
    ("index-commit", 3, 1),  # tantivy committed, the state file not yet written
])
def test_kill_during_a_fresh_ingest(corpus, db_path, point, nth, jobs):
    run_until(point, nth, db_path, corpus, jobs=jobs)
    counts = check_archive(db_path)
    assert 0 < counts["articles"] < GOOD + COPIES  # stopped part-way
    if point in ("articles-insert", "fts-insert", "ledger"):
        # The open transaction is gone as a whole: only whole batches are in.
        assert counts["ledger"] % 100 == 0
    if point == "index-add":
        assert counts["indexed"] < counts["originals"]  # the fed, uncommitted documents were lost
    if point == "index-commit":
        # The index holds articles above the id its state file records: the next run must replace them, not add them again.
        assert max(ranked_ids(db_path)) > index_state(db_path)["max_id"]
    complete_and_check(db_path, corpus, articles=GOOD + COPIES, originals=GOOD, rejects=BAD)


def _change_files(folder: Path) -> tuple[list[str], list[str]]:
    """Rewrite 200 articles, turn 20 others into copies of a0000, fix the rejects. Returns the changed and fixed sources."""
    changed = []
    for i in range(100, 300):
        source = f"d{i % 5}/a{i:04d}.txt"
        (folder / source).write_text(f" date 2020-01-{i % 28 + 1:02d} Revised headline {i}\n\nRevised story {i}.\n")
        os.utime(folder / source, ns=(0, 10**18 + i))
        changed.append(source)
    first = (folder / "d0/a0000.txt").read_bytes()
    for i in range(300, 320):
        (folder / f"d{i % 5}/a{i:04d}.txt").write_bytes(first)
        os.utime(folder / f"d{i % 5}/a{i:04d}.txt", ns=(0, 10**18 + i))
    fixed = []
    for i in range(BAD):
        (folder / f"bad/b{i:03d}.txt").write_text(f" date 2021-02-03 Fixed file {i}\n\nNow readable {i}.\n")
        os.utime(folder / f"bad/b{i:03d}.txt", ns=(0, 10**18 + i))
        fixed.append(f"bad/b{i:03d}.txt")
    return changed, fixed


@pytest.mark.parametrize("point, nth", [
    ("update", 2),  # in an update batch: rows and FTS rewritten by the triggers, not committed
    ("queue", 1),  # changed articles re-indexed and committed, index_queue not yet cleared
])
def test_kill_while_changed_files_are_saved_and_reindexed(corpus, db_path, point, nth):
    first = ingest(db_path, [str(corpus)], jobs=1)
    assert first.ingested == GOOD
    changed, fixed = _change_files(corpus)
    run_until(point, nth, db_path, corpus)
    counts = check_archive(db_path)
    if point == "queue":
        assert counts["queued"] > 0
    # 20 articles became copies of a0000; the 30 fixed rejects are new originals.
    complete_and_check(db_path, corpus, articles=GOOD + COPIES + BAD, originals=GOOD - 20 + BAD, rejects=0)
    from test_ingest import index_ids

    revised = rows(db_path, f"SELECT id FROM articles WHERE source IN ({', '.join('?' * len(changed))}) ORDER BY id",
                   changed)
    assert index_ids(db_path, "revised") == [r[0] for r in revised]
    assert len(index_ids(db_path, "readable")) == BAD
    assert index_ids(db_path, "w310") == []  # became a copy: its old text is gone from the index


@pytest.mark.parametrize("point", ["catch-up", "index-commit"])
def test_kill_during_the_index_catch_up(corpus, db_path, point):
    ingest(db_path, [str(corpus)], jobs=1)
    shutil.rmtree(db_path + ".index")  # the next ingest rebuilds it from SQLite
    run_until(point, 1, db_path, corpus)
    counts = check_archive(db_path)
    assert index_state(db_path)["max_id"] == 0
    assert counts["indexed"] == (0 if point == "catch-up" else GOOD)  # committed, but not recorded as done
    # The build's state names no archive until its first commit is recorded: it is no other
    # database's, and the commands say what it is.
    building = ("the fast search index is being built (or its build was stopped before its first commit), so results"
                " come from the slower full-text index; `news-archive analyse` on this archive (or its next ingest) completes it")
    checked = shell("check", "--db", db_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"ranked index  not checked: {building}" in checked.stdout.splitlines()
    searched = shell("search", "story", "--db", db_path)
    assert searched.returncode == 0 and f"note: {building}" in searched.stderr.splitlines()
    complete_and_check(db_path, corpus, articles=GOOD + COPIES, originals=GOOD, rejects=BAD)


def test_a_second_ingest_started_while_the_first_makes_the_index_leaves_it_alone(corpus, db_path):
    """Two ingests started together on a new archive: the second must neither empty the folder the
    first is making its index in nor make one of its own there. Here the first stops dead halfway
    through making the index (its files made, its state file not), and the second runs meanwhile."""
    first = subprocess.Popen([sys.executable, str(HERE / "faultpoints.py"), "index-create", "1", db_path, str(corpus)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        assert first.stdout.readline().strip() == "at index-create"
        made = sorted(path.name for path in Path(db_path + ".index").iterdir())
        second = shell("ingest", str(corpus), "--db", db_path)
        # It waits for the archive's write lock, which the first holds while it makes the index (in
        # SQLite's busy timeout, 10 s), and says who holds it.
        assert second.returncode == 1
        assert second.stderr == (f"Error: {db_path}: another program is writing to the archive (an ingest or analyse"
                                 " still running?); run this again when it has finished\n")
        assert sorted(path.name for path in Path(db_path + ".index").iterdir()) == made
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        first.stdout.close()
    complete_and_check(db_path, corpus, articles=GOOD + COPIES, originals=GOOD, rejects=BAD)


@pytest.mark.parametrize("finished_by", ["ingest", "analyse"])
def test_kill_after_the_last_batch_leaves_the_end_of_run_work_to_the_next_run(tmp_path, db_path, finished_by):
    """Killed with every batch saved and the end-of-run work not begun: the surnames alone it saw are
    queued in the database, `check` says so, and the next ingest (with nothing new to read) or plain
    analyse (with nothing to analyse) joins them as an unbroken run would have."""
    from click.testing import CliRunner

    from news_archive.cli import cli
    from news_archive.ingest import analyse_archive
    from test_name_aliases import ALONE, FULL, _write

    folder = tmp_path / "names"
    _write(folder, FULL, "full", 5)
    _write(folder, ALONE, "alone", 3)
    run_until("surnames", 1, db_path, folder)
    check_archive(db_path)
    assert rows(db_path, "SELECT name FROM names WHERE kind = 'person' ORDER BY name") == [("Martha Quill",), ("Quill",)]
    assert rows(db_path, "SELECT surname FROM surname_queue") == [("quill",)]
    said = CliRunner().invoke(cli, ["check", "--db", db_path])
    assert said.exit_code == 0, said.output
    assert ("pending work  1 surname of people not yet judged (whether a surname alone is one full name's, \"Reagan\""
            " Ronald Reagan's): an ingest or analyse is running, or was stopped before its end; the next `news-archive"
            " ingest` or `news-archive analyse` on this archive does it") in said.stdout.splitlines()

    if finished_by == "ingest":
        report = ingest(db_path, [str(folder)], jobs=1)
        assert report.unchanged == 8 and report.ingested == 0
    else:
        report = analyse_archive(db_path, jobs=1)
        assert report.analysed == 0
    assert [(j.surname, j.articles, j.full[0][0], j.refused) for j in report.surnames] == [
        ("Quill", 3, "Martha Quill", None)]
    assert rows(db_path, "SELECT name FROM names WHERE kind = 'person'") == [("Martha Quill",)]
    assert rows(db_path, "SELECT alias, spelled, articles FROM name_aliases") == [("quill", "Quill", 3)]
    assert rows(db_path, "SELECT count(*) FROM surname_queue") == [(0,)]
    check_archive(db_path, complete=True)
    said = CliRunner().invoke(cli, ["check", "--db", db_path])
    assert "pending work  none (every surname alone judged, every article compared for near-duplicates)" in (
        said.stdout.splitlines())
    again = ingest(db_path, [str(folder)], jobs=1)  # nothing left to judge
    assert again.surnames == []


def test_kill_while_moved_files_are_saved_then_the_next_ingest_counts_each_once(corpus, db_path):
    """A moved file is saved as a copy under its new name until the move is seen at the end of the
    walk: killed before, some copies are saved, and the next run finds them unchanged. Each moved
    file is counted moved, neither unchanged nor (negatively) a duplicate."""
    ingest(db_path, [str(corpus)], jobs=1)
    (corpus / "moved").mkdir()
    (corpus / "d0").rename(corpus / "moved" / "d0")  # 200 files
    run_until("ledger", 2, db_path, corpus)  # the first batch of copies saved, the second not
    saved = rows(db_path, "SELECT count(*) FROM articles WHERE source LIKE 'moved/%'")[0][0]
    assert 0 < saved < 200
    report = ingest(db_path, [str(corpus)], jobs=1)
    assert report.summary() == \
        f"ingested 0, updated 0, unchanged {GOOD - 200 + COPIES}, duplicates 0, rejected {BAD}, moved 200"
    assert report.files == GOOD + COPIES + BAD
    check_archive(db_path, complete=True)
    assert rows(db_path, "SELECT count(*) FROM articles WHERE source LIKE 'moved/%'") == [(200,)]


def test_checks_catch_a_broken_index(corpus, db_path):
    """The checks above are not vacuous: a missing FTS row, a ledger row
    without its article, and a document indexed twice are each caught."""
    from consistency import Inconsistent
    from news_archive import search_index
    from news_archive.store import IndexRow

    ingest(db_path, [str(corpus)], jobs=1)
    check_archive(db_path, complete=True)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO articles_fts(articles_fts, rowid, headline, body)"
                     " SELECT 'delete', id, headline, body FROM articles WHERE id = 5")
    with pytest.raises(Inconsistent, match="FTS5 integrity-check"):
        check_archive(db_path)
    with conn:
        conn.execute("INSERT INTO articles_fts(rowid, headline, body) SELECT id, headline, body FROM articles WHERE id = 5")
        conn.execute("INSERT INTO source_files VALUES ('ghost.txt', 1, 1, 'abc', 'article', 'now')")
    with pytest.raises(Inconsistent, match="ghost.txt"):
        check_archive(db_path)
    with conn:
        conn.execute("DELETE FROM source_files WHERE source = 'ghost.txt'")
    conn.close()
    feeder = search_index.Feeder(search_index.SearchIndex.create(db_path))
    feeder.add([IndexRow(7, "2019-08-08", "again", "again")])
    feeder.close()
    with pytest.raises(Inconsistent, match="more than once"):
        check_archive(db_path)


@pytest.mark.parametrize("command, how", [
    ("ingest", "ctrl-c"),  # the terminal sends SIGINT to the whole process group
    ("ingest", "kill"),  # `kill PID`: SIGTERM to the main process only
    ("analyse", "ctrl-c"),
])
def test_an_interrupt_ends_the_command_at_once_with_one_line(tmp_path, command, how):
    folder = tmp_path / "many"
    for i in range(4000):
        write_article(folder, f"a{i:04d}.txt", f" date 2019-01-{i % 28 + 1:02d} Story {i}\n\n"
                      + "Officials of the Bank of England met John Smith and Jane Doe in London. " * 20 + "\n")
    db = str(tmp_path / "i.db")
    base = [sys.executable, "-m", "news_archive.cli"]
    if command == "analyse":
        subprocess.run([*base, "ingest", str(folder), "--db", db, "--no-analysis", "--silent"], check=True)
        args = [*base, "analyse", "--db", db, "--jobs", "2"]
    else:
        args = [*base, "ingest", str(folder), "--db", db, "--jobs", "2"]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.5)
    assert child.poll() is None, "finished before it could be interrupted: make the corpus bigger"
    if how == "ctrl-c":
        os.killpg(child.pid, signal.SIGINT)
    else:
        child.terminate()
    try:
        _, err = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130
    assert err.decode() == "Error: interrupted; everything saved before this point is kept\n"
    time.sleep(0.5)
    left = subprocess.run(["ps", "-o", "pid=", "-s", str(child.pid)], capture_output=True, text=True).stdout.split()
    assert left == [], "worker processes were left running"
    finished = subprocess.run(args, capture_output=True, text=True, timeout=300)  # and the next run completes
    assert finished.returncode == 0, finished.stderr


@pytest.mark.parametrize("point", ["loading", "counting"])
def test_ctrl_c_before_the_work_begins_is_the_same_one_line(tmp_path, point):
    """Ctrl-C on a terminal while the command line loads, or while an ingest counts the files for its
    progress line (the whole tree walked first), ends as an interrupt later does: not click's
    "Aborted!" with status 1, nor a traceback from inside an import."""
    import pty

    folder = tmp_path / "articles"
    write_article(folder, "a.txt", " date 2020-01-15 Tiger escapes\n\nA tiger escaped on Monday.\n")
    db = str(tmp_path / "news.db")
    leader, follower = pty.openpty()  # stderr a terminal: the ingest shows progress, so it counts first
    child = subprocess.Popen([sys.executable, str(HERE / "interrupt_points.py"), point, "ingest", str(folder),
                              "--db", db], stdin=follower, stdout=subprocess.PIPE, stderr=follower,
                             start_new_session=True)
    os.close(follower)
    try:
        assert child.stdout.readline() == f"at {point}\n".encode()
        os.killpg(child.pid, signal.SIGINT)  # as the terminal sends it: to the whole process group
        child.wait(30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.stdout.close()
    said = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end is closed: everything is read
            break
        if not chunk:
            break
        said += chunk
    os.close(leader)
    assert child.returncode == 130
    # What the terminal shows, once the progress line has cleared itself.
    shown = said.decode().replace("\r\x1b[K", "").replace("\r\n", "\n")
    assert shown == "Error: interrupted; everything saved before this point is kept\n"
    assert not Path(db).exists() or rows(db, "SELECT count(*) FROM articles") == [(0,)]


def test_an_interrupt_anywhere_in_a_command_is_the_same_one_line(monkeypatch, tmp_path):
    """Outside the library calls too (here while `stats` formats what it read): never click's "Aborted!"."""
    from click.testing import CliRunner

    from news_archive import cli as cli_module

    write_article(tmp_path / "articles", "a.txt", " date 2020-01-15 Tiger escapes\n\nA tiger escaped on Monday.\n")
    db = str(tmp_path / "news.db")
    ingest(db, [str(tmp_path / "articles")], jobs=1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_count", interrupted)
    result = CliRunner().invoke(cli_module.cli, ["stats", "--db", db])
    assert result.exit_code == 130
    assert result.stderr == "Error: interrupted; everything saved before this point is kept\n"


@pytest.fixture
def small_index_disk(tmp_path):
    """news.db on the ordinary disk, its ranked index folder on a tmpfs of 1 MB (root only)."""
    folder = tmp_path / "news.db.index"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _wordy_articles(folder: Path, count: int) -> Path:
    import random

    words = [f"w{n}" for n in range(20000)]
    picker = random.Random(7)
    for i in range(count):
        body = " ".join(picker.choice(words) for _ in range(300))
        write_article(folder, f"a{i:04d}.txt", f" date 2019-01-{i % 28 + 1:02d} Story {i}\n\n{body}.\n")
    return folder


def test_a_full_disk_under_the_ranked_index_is_one_line_and_keeps_what_sqlite_saved(tmp_path, small_index_disk):
    folder = _wordy_articles(tmp_path / "articles", 2000)  # its index takes about 5 MB
    db = str(tmp_path / "news.db")
    base = [sys.executable, "-m", "news_archive.cli"]
    full = subprocess.run([*base, "ingest", str(folder), "--db", db, "--jobs", "1", "--no-analysis"],
                          capture_output=True, text=True, timeout=300)
    assert full.returncode == 1
    assert full.stderr == f"Error: {db}.index: disk full (No space left on device)\n"
    assert rows(db, "SELECT count(*) FROM articles") == [(2000,)]  # SQLite kept everything it committed
    check_archive(db)
    subprocess.run(["umount", str(small_index_disk)], check=True)  # room again
    try:
        again = subprocess.run([*base, "ingest", str(folder), "--db", db, "--jobs", "1", "--no-analysis"],
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert check_archive(db, complete=True)["indexed"] == 2000
    finally:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small_index_disk)], check=True)


def test_analyse_on_a_full_disk_is_one_line(tmp_path):
    """The index of a --no-analysis ingest fits; analyse then rewrites every document with its names."""
    folder = _wordy_articles(tmp_path / "articles", 2000)
    db = str(tmp_path / "news.db")
    base = [sys.executable, "-m", "news_archive.cli"]
    subprocess.run([*base, "ingest", str(folder), "--db", db, "--jobs", "1", "--no-analysis", "--silent"], check=True)
    index = Path(db + ".index")
    size = sum(p.stat().st_size for p in index.iterdir())
    shutil.move(index, tmp_path / "index-before")
    index.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size // 1024 + 256}k", "tmpfs", str(index)],
                             capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        for path in (tmp_path / "index-before").iterdir():
            shutil.copy(path, index / path.name)
        result = subprocess.run([*base, "analyse", "--db", db, "--jobs", "1", "--silent"],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 1
        assert result.stderr == f"Error: {db}.index: disk full (No space left on device)\n"
    finally:
        subprocess.run(["umount", str(index)], check=True)
    index.rmdir()
    shutil.move(tmp_path / "index-before", index)
    finished = subprocess.run([*base, "analyse", "--db", db, "--jobs", "1", "--silent"], capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    check_archive(db, complete=True)
