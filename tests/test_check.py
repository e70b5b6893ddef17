"""`news-archive check`: a sound archive passes; damage to the file, the full-text index, the
references or the ranked index is found and named, in one line each, never a traceback."""

import os
import shutil
import sqlite3
import subprocess
import sys

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_article, write_story_versions
from news_archive.cli import cli, main
from news_archive.ingest import ingest


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "articles"
    for number in range(40):
        write_article(folder, f"{number}.txt", f" date 2020-03-{number % 28 + 1:02d} Story {number}\n\n"
                      f"Paul Volcker said the harbour report {number} was \"fine\", officials said.\n")
    write_article(folder, "copy.txt", (folder / "3.txt").read_bytes())
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    return db_path


def check(db_path, *options):
    return CliRunner().invoke(cli, ["check", "--db", db_path, *options])


def test_a_sound_archive_passes_every_check(archive):
    quick = check(archive)
    assert quick.exit_code == 0, quick.output
    lines = quick.stdout.splitlines()
    assert lines[0].startswith("database      ok (quick_check: every page of")
    assert lines[1] == "contents      41 articles (40 originals), 0 rejected files"
    assert lines[2].startswith("ranked index  ok (40 articles, as the archive;")
    assert lines[3] == "pending work  none (every surname alone judged, every article compared for near-duplicates)"
    assert "every check passed (--full checks more)" in quick.stderr
    full = check(archive, "--full")
    assert full.exit_code == 0, full.output
    assert [line.split("  ")[0] for line in full.stdout.splitlines()] == [
        "database", "contents", "references", "full-text index (articles_fts)", "full-text index (quotes_fts)",
        "ranked index", "pending work"]


def test_near_duplicates_not_yet_looked_for_are_said_and_not_failed(tmp_path):
    """As an ingest stopped before its end leaves them (tests/test_faults.py kills one there): of the six
    articles, the three long enough to compare."""
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(write_story_versions(tmp_path / "articles"))], jobs=1)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'similar_checked_to'")
    conn.close()
    said = check(db_path)
    assert said.exit_code == 0, said.output
    assert ("pending work  3 articles not yet compared for near-duplicates: an ingest or analyse is running, or was"
            " stopped before its end; the next `news-archive ingest` or `news-archive analyse` on this archive does it"
            ) in said.stdout.splitlines()
    ingest(db_path, [str(tmp_path / "articles")], jobs=1)
    assert "pending work  none (" in check(db_path).stdout


def test_damage_is_found_and_named(archive):
    conn = sqlite3.connect(archive)
    conn.execute("INSERT INTO article_names VALUES (1, 999999, 1)")  # a name that is not there
    conn.execute("DELETE FROM articles_fts_data WHERE id = (SELECT max(id) FROM articles_fts_data)")
    conn.commit()
    conn.close()
    assert check(archive).exit_code == 0  # the quick checks do not read those
    full = check(archive, "--full")
    assert full.exit_code == 1
    assert "references                      1 broken" in full.stdout
    assert "a row of article_names refers to a missing row of names" in full.stdout
    assert "full-text index (articles_fts)  damaged (" in full.stdout
    assert "full-text index (quotes_fts)    ok" in full.stdout
    assert "problems found (references, full-text index (articles_fts))" in full.output
    assert "Traceback" not in full.output


def test_a_damaged_file_and_a_wrong_index(archive, tmp_path):
    other = tmp_path / "other.db"
    shutil.copy(archive, other)
    with open(other, "r+b") as damaged:
        damaged.seek(8192)
        damaged.write(b"\xff" * 8192)
    result = check(str(other))
    assert result.exit_code == 1 and "database  cannot be read (" in result.stdout
    assert "put back a backup" in result.stdout and "Traceback" not in result.output
    # The archive's index beside a copy of it is another archive's: found, with what to do.
    shutil.copy(archive, tmp_path / "copy.db")
    conn = sqlite3.connect(tmp_path / "copy.db")
    conn.execute("UPDATE meta SET value = 'another' WHERE key = 'archive_id'")
    conn.commit()
    conn.close()
    shutil.copytree(archive + ".index", tmp_path / "copy.db.index")
    foreign = check(str(tmp_path / "copy.db"))
    assert foreign.exit_code == 1 and "built for another database" in foreign.stdout
    # No index at all is no fault (it is derived, and a backup taken during an ingest has none): said, not failed.
    shutil.rmtree(archive + ".index")
    missing = check(archive)
    assert missing.exit_code == 0 and "ranked index  none yet, which is no problem: it is derived from the database," \
        " and `news-archive analyse` on this archive (or its next ingest) builds it" in missing.stdout
    # A file where the index folder goes is one: the next ingest cannot build the index there.
    Path(archive + ".index").write_text("not an index")
    a_file = check(archive)
    assert a_file.exit_code == 1 and "ranked index  news.db.index is a file, where the archive keeps its ranked index" \
        " folder, so results come from the slower full-text index; move news.db.index aside, and `news-archive" \
        " analyse` on this archive (or its next ingest) builds the index" in a_file.stdout


def _overwrite_middles(index_folder, suffixes=(".term", ".idx")):
    """Random bytes over the middle third of the index's word lists and postings, as a failing disk would."""
    import random

    noise = random.Random(4)
    for path in index_folder.iterdir():
        if path.suffix in suffixes:
            data = bytearray(path.read_bytes())
            third = len(data) // 3
            data[third: 2 * third] = bytes(noise.randrange(256) for _ in range(third))
            path.write_bytes(bytes(data))


@pytest.mark.asyncio
async def test_an_index_damaged_in_place_is_found_and_searches_fall_back(archive):
    from news_archive.web.app import make_datasette

    _overwrite_middles(Path(archive + ".index"))
    found = check(archive)
    assert found.exit_code == 1 and "ranked index  damaged, it cannot be read (" in found.stdout
    assert "move news.db.index aside, and `news-archive analyse` on this archive (or its next ingest) builds it again" in found.stdout
    searched = CliRunner().invoke(cli, ["search", "harbour", "--db", archive])
    assert searched.exit_code == 1 and "the fast search index beside it is damaged" in searched.output
    assert "Traceback" not in searched.output
    for command in (["check"], ["search", "harbour"]):
        run = subprocess.run([sys.executable, "-m", "news_archive.cli", *command, "--db", archive],
                             capture_output=True, text=True)
        assert run.returncode == 1 and "damaged" in run.stdout + run.stderr and "Traceback" not in run.stderr
    # The web answers from SQLite instead, and says why.
    ds = make_datasette(archive)
    await ds.invoke_startup()
    data = (await ds.client.get("/search.json?q=harbour")).json()
    # An ingest opens such an index as a sound one and adds to it: the note says to move it aside first.
    moved_aside = ("the fast search index is damaged (reading it failed), so results come from the slower full-text"
                   " index; move news.db.index aside, and `news-archive analyse` on this archive (or its next ingest) builds it again")
    assert data["total"] == 40 and moved_aside in data["notes"]
    assert (await ds.client.get("/compare.json?q=harbour&q=officials")).status_code == 200
    assert (await ds.client.get("/search?q=harbour")).status_code == 200
    # An ingest alone does not mend it, so no note may promise that it does.
    folder = Path(archive).parent / "articles"
    ingest(archive, [str(folder)], jobs=1)
    assert check(archive).exit_code == 1
    ds = make_datasette(archive)
    await ds.invoke_startup()
    assert moved_aside in (await ds.client.get("/search.json?q=harbour")).json()["notes"]
    # What the notes say to do mends it.
    Path(archive + ".index").rename(Path(archive).parent / "damaged.index")
    ingest(archive, [str(folder)], jobs=1)
    assert check(archive).exit_code == 0
    ds = make_datasette(archive)  # a running server looks for the index again within seconds; a new one at once
    await ds.invoke_startup()
    assert (await ds.client.get("/search.json?q=harbour")).json()["notes"] == []


def test_an_index_an_ingest_is_still_building_is_no_problem(archive):
    conn = sqlite3.connect(archive)
    conn.execute("INSERT INTO articles (id, date, headline, source, body, paragraphs, words, year, month, sha256,"
                 " ingested_at) VALUES (999, '2020-04-01', 'Late', 'late.txt', 'Late.', 1, 1, 2020, '2020-04',"
                 " 'x', '2020-04-01T00:00:00Z')")
    conn.commit()
    conn.close()
    result = check(archive)
    assert result.exit_code == 0, result.output
    assert "ranked index  not checked: the fast search index does not hold every article yet" in result.stdout


def test_rusts_report_of_a_panic_is_held_back_on_the_command_line(capfd, monkeypatch):
    # tantivy panics on some damage (an index of a million articles with bytes overwritten: "index out of
    # bounds" in its field norms), and Rust writes its report to file descriptor 2 before Python sees the
    # panic; a command says the damage in a line of its own. Written here as Rust writes it.
    from news_archive import search_index

    monkeypatch.setenv(search_index.HOLD_RUST_REPORTS, "1")
    with search_index._rust_reports_held():
        os.write(2, b"thread '<unnamed>' panicked at fieldnorm/reader.rs:131:36\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
    monkeypatch.delenv(search_index.HOLD_RUST_REPORTS)  # a server's threads keep their stderr
    with search_index._rust_reports_held():
        os.write(2, b"server log\n")
    assert capfd.readouterr().err == "server log\n"
    # The command line holds them back for every command but serve.
    import signal

    terminated = signal.getsignal(signal.SIGTERM)  # main() sets its own
    monkeypatch.setenv("NEWS_ARCHIVE_RUST_BACKTRACE", os.environ.get("RUST_BACKTRACE", "0"))
    try:
        for command, held in (["stats"], "1"), (["serve"], None):
            monkeypatch.delenv(search_index.HOLD_RUST_REPORTS, raising=False)
            monkeypatch.setattr(sys, "argv", ["news-archive", *command, "--help"])
            with pytest.raises(SystemExit):
                main()
            assert os.environ.get(search_index.HOLD_RUST_REPORTS) == held
    finally:
        signal.signal(signal.SIGTERM, terminated)
