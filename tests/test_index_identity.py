"""The ranked index knows which archive it belongs to, and how far it got.

An index left beside another database (news.db removed and made again), beside an older copy of
its own database (a backup put back), or damaged, is never used to answer: the CLI and the web
fall back to SQLite's full-text index with a note saying why, and the next ingest rebuilds it.
An archive made before archive ids keeps its index. Real SQLite files and tantivy indexes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from conftest import rows, write_article
from consistency import check_archive, index_state, ranked_ids
from news_archive import search_index
from news_archive.cli import cli
from news_archive.ingest import ingest


def make_corpus(folder: Path, first: int, count: int, word: str, every: int) -> Path:
    """``count`` articles numbered from ``first``; every ``every``-th mentions ``word``."""
    for i in range(first, first + count):
        extra = f" The {word} market moved." if i % every == 0 else ""
        write_article(folder, f"a{i:05d}.txt", f" date 2019-{i % 12 + 1:02d}-{i % 28 + 1:02d} Story {i}\n\n"
                      f"Body of story {i} about harbours.{extra}\n")
    return folder


def copy_db(source: str, target: str) -> None:
    """A whole copy of a database, its WAL's content included (a plain copy of the file would miss it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    new.close()
    old.close()


def search_cli(db_path: str, query: str) -> tuple[str, str]:
    """(the summary line, the notes) of `news-archive search`."""
    result = CliRunner().invoke(cli, ["search", query, "--db", db_path, "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    return lines[-1], "\n".join(line for line in lines if line.startswith("note:"))


def search_web(db_path: str, query: str) -> dict:
    from news_archive.web.app import make_datasette

    async def web():
        datasette = make_datasette(db_path)
        await datasette.invoke_startup()
        return (await datasette.client.get(f"/search.json?q={query}")).json()

    return asyncio.run(web())


def fingerprint(db_path: str) -> dict[str, str]:
    """A hash of every file of the archive: the database, its WAL and the index folder. (An empty
    WAL is no WAL: SQLite makes one when a reader opens a database in WAL mode.)"""
    found = {}
    for path in [Path(db_path), Path(db_path + "-wal"), *sorted(Path(db_path + ".index").rglob("*"))]:
        if path.is_file() and path.stat().st_size:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def archive_id(db_path: str) -> str | None:
    found = rows(db_path, "SELECT value FROM meta WHERE key = 'archive_id'")
    return found[0][0] if found else None


def test_an_index_left_beside_a_new_database_is_never_used_and_the_next_ingest_rebuilds_it(tmp_path):
    db = str(tmp_path / "news.db")
    big = make_corpus(tmp_path / "B", 0, 300, "cocoa", 3)  # 100 cocoa articles
    small = make_corpus(tmp_path / "A", 1000, 60, "cocoa", 6)  # 10
    ingest(db, [str(big)], jobs=1, analyse=False)
    b_id = archive_id(db)
    assert b_id and index_state(db)["archive_id"] == b_id
    # The database goes; its index stays. Another archive is made there, by hand (SQLite alone),
    # so that no ingest has had the chance to rebuild the index yet.
    other = str(tmp_path / "other.db")
    ingest(other, [str(small)], jobs=1, analyse=False)
    copy_db(other, db)
    before = fingerprint(db)
    summary, notes = search_cli(db, "cocoa")
    assert summary == "1-10 of 10 matches for: cocoa"
    assert "note: the fast search index beside this archive was built for another database" in notes
    data = search_web(db, "cocoa")
    assert data["total"] == 10 and any("built for another database" in note for note in data["notes"])
    assert fingerprint(db) == before, "a reader wrote to the archive"
    # The next ingest rebuilds it for this archive.
    ingest(db, [str(small)], jobs=1, analyse=False)
    state = index_state(db)
    assert state["archive_id"] == archive_id(db) != b_id and state["max_id"] == 60
    assert sorted(ranked_ids(db)) == [r[0] for r in rows(db, "SELECT id FROM articles ORDER BY id")]
    summary, notes = search_cli(db, "cocoa")
    assert summary == "1-10 of 10 matches for: cocoa" and notes == ""
    check_archive(db, complete=True)


def test_the_reviewers_case_database_removed_then_another_folder_ingested(tmp_path):
    db = str(tmp_path / "news.db")
    ingest(db, [str(make_corpus(tmp_path / "B", 0, 300, "cocoa", 3))], jobs=1, analyse=False)
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    ingest(db, [str(make_corpus(tmp_path / "A", 1000, 60, "cocoa", 6))], jobs=1, analyse=False)
    summary, notes = search_cli(db, "cocoa")
    assert summary == "1-10 of 10 matches for: cocoa" and notes == ""
    assert index_state(db)["max_id"] == 60 and len(ranked_ids(db)) == 60


def test_an_older_copy_of_the_database_beside_its_newer_index(tmp_path):
    db = str(tmp_path / "news.db")
    ingest(db, [str(make_corpus(tmp_path / "first", 0, 60, "wheat", 6))], jobs=1, analyse=False)
    copy_db(db, str(tmp_path / "older.db"))
    ingest(db, [str(make_corpus(tmp_path / "later", 100, 240, "wheat", 3))], jobs=1, analyse=False)
    assert search_cli(db, "wheat")[0] == "1-20 of 90 matches for: wheat"
    copy_db(str(tmp_path / "older.db"), db)  # the backup put back, beside the newer index
    summary, notes = search_cli(db, "wheat")
    assert summary == "1-10 of 10 matches for: wheat"
    assert "note: the fast search index holds articles this archive does not" in notes
    data = search_web(db, "wheat")
    assert data["total"] == 10 and any("holds articles this archive does not" in note for note in data["notes"])
    ingest(db, [str(tmp_path / "first")], jobs=1, analyse=False)
    assert search_cli(db, "wheat") == ("1-10 of 10 matches for: wheat", "")
    assert index_state(db)["max_id"] == 60 and len(ranked_ids(db)) == 60
    check_archive(db, complete=True)


def segment_ids(db: str) -> set[str]:
    return {s["segment_id"] for s in json.loads((Path(db + ".index") / "meta.json").read_text())["segments"]}


def test_files_moved_keep_the_index_the_archives(tmp_path):
    """A moved file is saved as a copy under its new name until the move is seen, and the copy then
    goes: the index was told of the copy's id, which the archive no longer holds. It stays the
    archive's: no note, `check` passes, a backup takes it, the next ingest does not rebuild it."""
    from news_archive.backup import backup

    db = str(tmp_path / "news.db")
    folder = make_corpus(tmp_path / "f", 0, 5, "wheat", 1)
    ingest(db, [str(folder)], jobs=1, analyse=False)
    (folder / "sub").mkdir()
    (folder / "a00004.txt").rename(folder / "sub" / "a00004.txt")  # the last article's file: the highest id
    report = ingest(db, [str(folder)], jobs=1, analyse=False)
    assert len(report.moved) == 1 and rows(db, "SELECT max(id) FROM articles") == [(5,)]
    assert index_state(db)["max_id"] == 6  # the copy's id, given and gone
    assert search_cli(db, "wheat") == ("1-5 of 5 matches for: wheat", "")
    assert search_web(db, "wheat")["notes"] == []
    checked = CliRunner().invoke(cli, ["check", "--db", db])
    assert checked.exit_code == 0 and "ranked index  ok (5 articles" in checked.stdout, checked.output
    assert backup(db, str(tmp_path / "backup.db")).index_copied
    # Every file moved, as the README's tidy-up does.
    (folder / "1987").mkdir()
    for path in folder.glob("*.txt"):
        path.rename(folder / "1987" / path.name)
    segments = segment_ids(db)
    assert len(ingest(db, [str(folder)], jobs=1, analyse=False).moved) == 4
    assert search_cli(db, "wheat") == ("1-5 of 5 matches for: wheat", "")
    assert ingest(db, [str(folder)], jobs=1, analyse=False).summary() == \
        "ingested 0, updated 0, unchanged 5, duplicates 0, rejected 0"
    assert segments <= segment_ids(db), "the index was rebuilt"
    check_archive(db, complete=True)


def test_an_article_deleted_by_hand_leaves_its_id_taken_and_the_index_the_archives(tmp_path):
    db = str(tmp_path / "news.db")
    folder = make_corpus(tmp_path / "f", 0, 5, "wheat", 1)
    ingest(db, [str(folder)], jobs=1, analyse=False)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM articles WHERE id IN (4, 5)")  # the highest, deleted with another tool
    conn.close()
    assert "holds articles this archive does not" not in search_cli(db, "wheat")[1]
    write_article(folder, "new.txt", " date 2019-05-05 New story\n\nNew wheat story.\n")
    ingest(db, [str(folder / "new.txt")], jobs=1, analyse=False)
    assert rows(db, "SELECT id FROM articles WHERE source LIKE '%new.txt'") == [(6,)]  # never 4 or 5 again


def test_an_older_copy_with_the_same_highest_id_beside_an_index_of_newer_texts(tmp_path):
    """A backup put back after an article changed (no new article since): the same highest id, but
    the index holds the newer text. Its edition is above the database's: never used."""
    db = str(tmp_path / "news.db")
    folder = make_corpus(tmp_path / "f", 0, 6, "wheat", 2)
    ingest(db, [str(folder)], jobs=1, analyse=False)
    copy_db(db, str(tmp_path / "older.db"))
    ingest(db, [str(folder)], jobs=1, analyse=False)  # nothing changed: the copy's index is still this one
    copy_db(str(tmp_path / "older.db"), db)
    assert search_cli(db, "wheat") == ("1-3 of 3 matches for: wheat", "")
    copy_db(db, str(tmp_path / "older.db"))
    story = folder / "a00001.txt"
    original = story.read_bytes()
    story.write_bytes(original + b"A platypus was seen.\n")
    assert ingest(db, [str(folder)], jobs=1, analyse=False).updated == 1
    assert search_cli(db, "platypus")[0] == "1-1 of 1 matches for: platypus"
    story.write_bytes(original)
    copy_db(str(tmp_path / "older.db"), db)  # the backup put back, the newer index left in place
    summary, notes = search_cli(db, "platypus")
    assert summary == "0 matches for: platypus"
    assert "note: the fast search index was written after this copy of the database was made" in notes
    assert any("written after this copy" in note for note in search_web(db, "platypus")["notes"])
    checked = CliRunner().invoke(cli, ["check", "--full", "--db", db])
    assert checked.exit_code == 1 and "ranked index                    the fast search index was written after" \
        in checked.stdout, checked.output
    ingest(db, [str(folder)], jobs=1, analyse=False)  # rebuilt
    assert search_cli(db, "platypus") == ("0 matches for: platypus", "")
    assert search_cli(db, "wheat") == ("1-3 of 3 matches for: wheat", "")
    check_archive(db, complete=True)


def make_legacy(db: str) -> None:
    """Make an archive and its index look as news-archive made them before archive ids."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM meta WHERE key = 'archive_id'")
    conn.close()
    state_file = Path(db + ".index") / search_index.STATE_FILE
    state = json.loads(state_file.read_text())
    del state["archive_id"]
    state_file.write_text(json.dumps(state))


def test_an_archive_made_before_archive_ids_keeps_its_index(tmp_path):
    db = str(tmp_path / "news.db")
    folder = make_corpus(tmp_path / "A", 0, 60, "cocoa", 6)
    ingest(db, [str(folder)], jobs=1, analyse=False)
    make_legacy(db)
    segments = {s["segment_id"] for s in json.loads((Path(db + ".index") / "meta.json").read_text())["segments"]}
    before = fingerprint(db)
    assert search_cli(db, "cocoa") == ("1-10 of 10 matches for: cocoa", "")  # used as it is
    assert search_web(db, "cocoa")["notes"] == []
    assert fingerprint(db) == before and archive_id(db) is None  # readers give it no id
    # Its next write gives it an id, written into the index's state; the index is kept, not rebuilt.
    make_corpus(folder, 100, 6, "cocoa", 6)
    ingest(db, [str(folder)], jobs=1, analyse=False)
    state = index_state(db)
    assert archive_id(db) and state["archive_id"] == archive_id(db) and state["max_id"] == 66
    after = {s["segment_id"] for s in json.loads((Path(db + ".index") / "meta.json").read_text())["segments"]}
    assert segments <= after, "the index was rebuilt"
    assert search_cli(db, "cocoa") == ("1-11 of 11 matches for: cocoa", "")
    check_archive(db, complete=True)


def test_an_archive_made_before_archive_ids_beside_a_bigger_index_of_then(tmp_path):
    """Both without ids, so only how far the index got tells: it holds more than the archive."""
    db = str(tmp_path / "news.db")
    ingest(db, [str(make_corpus(tmp_path / "B", 0, 300, "cocoa", 3))], jobs=1, analyse=False)
    ingest(str(tmp_path / "small.db"), [str(make_corpus(tmp_path / "A", 1000, 60, "cocoa", 6))], jobs=1, analyse=False)
    copy_db(str(tmp_path / "small.db"), db)
    make_legacy(db)
    summary, notes = search_cli(db, "cocoa")
    assert summary == "1-10 of 10 matches for: cocoa" and "holds articles this archive does not" in notes
    ingest(db, [str(tmp_path / "A")], jobs=1, analyse=False)
    assert search_cli(db, "cocoa") == ("1-10 of 10 matches for: cocoa", "")
    assert index_state(db)["archive_id"] == archive_id(db) and len(ranked_ids(db)) == 60


def test_a_damaged_index_is_said_to_be_damaged_not_missing(tmp_path):
    db = str(tmp_path / "news.db")
    ingest(db, [str(make_corpus(tmp_path / "A", 0, 60, "cocoa", 6))], jobs=1, analyse=False)
    (Path(db + ".index") / "meta.json").write_text("{ not json")
    summary, notes = search_cli(db, "cocoa")
    assert summary == "1-10 of 10 matches for: cocoa"
    assert "note: the fast search index is damaged" in notes and "missing" not in notes
    assert any("is damaged" in note for note in search_web(db, "cocoa")["notes"])
    (Path(db + ".index") / search_index.STATE_FILE).write_text("garbage")
    assert "is damaged" in search_cli(db, "cocoa")[1]
    shutil.rmtree(db + ".index")
    summary, notes = search_cli(db, "cocoa")
    assert "note: the fast search index is missing" in notes
    assert any("is missing" in note for note in search_web(db, "cocoa")["notes"])
    ingest(db, [str(tmp_path / "A")], jobs=1, analyse=False)
    assert search_cli(db, "cocoa") == ("1-10 of 10 matches for: cocoa", "")


def test_a_running_server_notices_the_database_replaced_within_a_second(tmp_path):
    """The check is made at most once a second, on a connection of its own."""
    import time

    from news_archive.web.app import make_datasette

    db = str(tmp_path / "news.db")
    ingest(db, [str(make_corpus(tmp_path / "A", 0, 60, "cocoa", 6))], jobs=1, analyse=False)
    ingest(str(tmp_path / "other.db"), [str(make_corpus(tmp_path / "B", 1000, 30, "cocoa", 6))], jobs=1, analyse=False)

    async def web():
        datasette = make_datasette(db)
        await datasette.invoke_startup()
        first = (await datasette.client.get("/search.json?q=cocoa")).json()
        # Written over in place, as `cp other.db news.db` does (the server's connections see it).
        target, source = sqlite3.connect(db), sqlite3.connect(str(tmp_path / "other.db"))
        source.backup(target)
        target.close()
        source.close()
        time.sleep(1.1)
        return first, (await datasette.client.get("/search.json?q=cocoa")).json()

    first, second = asyncio.run(web())
    assert first["total"] == 10 and first["notes"] == []
    assert second["total"] == 5 and any("built for another database" in note for note in second["notes"])
