"""The command line, as a user runs it: exact output, exit codes, no tracebacks."""

import csv
import io
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, SAMPLE, rows, write_article, write_story_versions
from news_archive.cli import GONE_SHOWN, cli


def run(*args, env=None):
    runner = CliRunner()
    return runner.invoke(cli, list(args), env=env, catch_exceptions=False)


def shell(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "news_archive.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=120)


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_example_in_the_help_is_one_whole_command_that_parses(width):
    """Examples are copied from --help into a shell: click must not rewrap them onto two lines
    (`-o strike-` / `sample.csv`) at any terminal width. An example is a line of the help indented
    as a block, before the options; each command in it (`&&`, `|`) must be one click can parse."""
    import shlex

    examples = 0
    for name in [None, *cli.commands]:
        result = CliRunner().invoke(cli, [name, "--help"] if name else ["--help"], terminal_width=width)
        assert result.exit_code == 0
        described = result.output.split("\nOptions:")[0]
        for line in described.splitlines():
            if not line.startswith(" " * 6):
                continue
            assert line.strip().startswith("news-archive "), (name, width, line)
            examples += 1
            for command in re.split(r"&&|\|", line):
                words = shlex.split(command)
                if words[0] != "news-archive":
                    continue  # jq, after a pipe
                assert words[1] in cli.commands, line
                cli.commands[words[1]].make_context(words[1], words[2:])  # a usage error raises
    assert examples >= len(cli.commands) + 1


def test_ingest_reports_and_exit_codes(db_path, tmp_path):
    good = shell("ingest", str(SAMPLE), "--db", db_path)
    assert good.returncode == 0
    assert good.stdout == ""
    assert good.stderr.startswith("ingested 2, updated 0, unchanged 0, duplicates 0, rejected 0 (")
    again = shell("ingest", str(SAMPLE), "--db", db_path)
    assert again.stderr.startswith("ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0 (")
    mixed = shell("ingest", str(FIXTURES), "--db", db_path)
    assert mixed.returncode == 3
    lines = mixed.stderr.splitlines()
    assert lines[:6] == [
        "rejected ambiguous_date.txt: date '06/09/2020' is ambiguous: day and month could be either way round;"
        " write it as YYYY-MM-DD",
        "rejected binary.txt: binary content: looks like a PNG image",
        "rejected empty.txt: empty file",
        "rejected empty_body.txt: empty body: the file has a date but no text",
        "rejected impossible_date.txt: '2021-02-30' is not a real date (day is out of range for month)",
        "rejected no_date.txt: no date line: the first line 'Just some text without a date line.' does not start"
        " with 'date'",
    ]
    assert lines[6].startswith("ingested 5, updated 0, unchanged 0, duplicates 0, rejected 6 (")
    assert "\r" not in mixed.stderr  # no progress bar when not on a terminal


def test_ingest_and_stats_say_which_files_left_a_folder(db_path, tmp_path):
    folder = tmp_path / "clippings"
    for n in range(GONE_SHOWN + 3):
        write_article(folder, f"a{n:02}.txt", f" date 2020-01-01 Article number {n}.")
    shell("ingest", str(folder), "--db", db_path)
    for n in range(GONE_SHOWN + 2):
        (folder / f"a{n:02}.txt").unlink()
    result = shell("ingest", str(folder), "--db", db_path)
    assert result.returncode == 0  # a tidied folder is not an error
    lines = result.stderr.splitlines()
    assert lines[0] == f"gone from {folder}: a00.txt (ingested before; what it held stays in the archive)"
    assert len(lines) == GONE_SHOWN + 2
    assert lines[-2] == "… and 2 more gone (news-archive stats lists them all)"
    assert lines[-1].startswith(f"ingested 0, updated 0, unchanged 1, duplicates 0, rejected 0, gone {GONE_SHOWN + 2} (")
    assert shell("ingest", str(folder), "--db", db_path).stderr.startswith("ingested 0, updated 0, unchanged 1,")
    text = shell("stats", "--db", db_path).stdout
    assert f"gone        {GONE_SHOWN + 2} source files no longer in the folder or archive file ingested (what they held stays)" in text
    assert re.search(rf"^  {re.escape(str(folder))}: a21.txt \(since \d{{4}}-\d\d-\d\dT", text, re.M)
    data = json.loads(shell("stats", "--json", "--db", db_path).stdout)
    assert data["gone"] == GONE_SHOWN + 2 and data["gone_sources"][0]["source"] == "a00.txt"
    assert data["articles"] == GONE_SHOWN + 3


def test_ingest_says_which_files_were_named_after_their_folder(db_path, tmp_path):
    write_article(tmp_path / "colA", "001.txt", " date 2019-01-01 Paper A\n\nalpha.\n")
    write_article(tmp_path / "colB", "001.txt", " date 2020-01-01 Paper B\n\nbeta.\n")
    result = shell("ingest", str(tmp_path / "colA"), str(tmp_path / "colB"), "--db", db_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == "named colB/001.txt: 001.txt is the name of another folder's file in the archive"
    assert "alpha" in shell("search", "alpha", "--db", db_path).stdout.lower()
    assert "beta" in shell("search", "beta", "--db", db_path).stdout.lower()


def test_paths_that_are_not_there_are_said_not_recorded(db_path, tmp_path):
    result = shell("ingest", str(SAMPLE), str(tmp_path / "typo"), "--db", db_path)
    assert result.returncode == 3
    assert result.stderr.startswith(f"cannot ingest {tmp_path / 'typo'}: no such file or folder\ningested 2,")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM rejects").fetchone() == (0,)
    only = shell("ingest", str(tmp_path / "typo"), "--db", str(tmp_path / "none.db"))
    assert only.returncode == 1 and only.stderr.endswith("Error: nothing to ingest: no path given exists\n")
    assert not (tmp_path / "none.db").exists()


def test_files_rejected_before_are_summed_up_on_a_re_ingest(db_path, tmp_path):
    write_article(tmp_path / "in", "bad.txt", "no date line\n")
    write_article(tmp_path / "in", "good.txt", " date 2020-01-01 Fine\n")
    first = shell("ingest", str(tmp_path / "in"), "--db", db_path)
    assert first.returncode == 3 and first.stderr.startswith("rejected bad.txt: no date line")
    again = shell("ingest", str(tmp_path / "in"), str(tmp_path / "in") + "/", "--db", db_path)  # named twice: once
    assert again.returncode == 0  # nothing new went wrong: a cron job does not fail for good over one old file
    assert again.stderr.splitlines()[0] == ("1 file rejected before, unchanged, still rejected (news-archive stats"
                                            " lists every reject with its reason)")
    assert again.stderr.splitlines()[1].startswith("ingested 0, updated 0, unchanged 1, duplicates 0, rejected 1 (")


def test_ingest_of_nothing_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    result = shell("ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "e.db"))
    assert result.returncode == 0
    assert result.stderr.startswith(f"note: no article files were found in {tmp_path / 'empty'} (looked for *.txt and"
                                    " archives of them; --glob looks for others)\ningested 0, updated 0,")


def test_ingest_default_db_and_environment(tmp_path):
    result = shell("ingest", str(SAMPLE), cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "news.db").exists()
    result = shell("ingest", str(SAMPLE), cwd=tmp_path, env={"NEWS_ARCHIVE_DB": str(tmp_path / "env.db")})
    assert result.returncode == 0 and (tmp_path / "env.db").exists()


def test_ingest_fatal_error_is_one_clean_line(tmp_path):
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    result = shell("ingest", str(SAMPLE), "--db", str(not_a_db))
    assert result.returncode == 1
    assert result.stderr == f"Error: {not_a_db}: file is not a database\n"


def test_ingest_never_writes_into_another_programs_database(tmp_path):
    """An ingest pointed at another program's SQLite file added its tables (and a UNIQUE index on a
    column that table lacked, which SQLite reads as a constant, so the program could never insert a
    second row) and switched it to WAL. It is refused before anything is written; an empty file or
    a new path is made an archive as before."""
    theirs = tmp_path / "other.db"
    conn = sqlite3.connect(theirs)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO articles VALUES (1, 'x')")
    conn.commit()
    conn.close()
    other = tmp_path / "foo.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE foo (a)")
    conn.commit()
    conn.close()
    for path, why in ((theirs, "its articles table is not one news-archive made"), (other, "it holds foo")):
        before = path.read_bytes()
        result = shell("ingest", str(SAMPLE), "--db", str(path))
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == (f"Error: {path} is not a news archive ({why}): ingest writes only into a news"
                                 " archive, an empty file or a new one\n")
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["foo.db", "other.db"]  # no -wal, no .index
    empty = tmp_path / "empty.db"
    empty.touch()
    assert shell("ingest", str(SAMPLE), "--db", str(empty)).returncode == 0
    assert shell("ingest", str(SAMPLE), "--db", str(tmp_path / "new.db")).returncode == 0
    assert rows(str(empty), "SELECT count(*) FROM articles") == [(2,)]


def test_progress_bar_on_a_terminal(db_path):
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "news_archive.cli", "ingest", str(SAMPLE), "--db", db_path],
                               stdin=follower, stdout=follower, stderr=follower)
    process.wait(60)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"ingested 2" in output
    quiet = shell("ingest", str(SAMPLE), "--db", db_path, "--silent")
    assert quiet.returncode == 0


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-articles")
    write_article(folder, "a.txt", " date 2020-01-15 Tiger escapes from zoo\n\nA tiger escaped on Monday.\n")
    write_article(folder, "b.txt", " date 2020-02-20 Zoo budget approved\n\nThe zoo gets a new tiger enclosure.\n")
    write_article(folder, "c.txt", ' date 2020-03-01 =HYPERLINK("x") formula\n\n+1 cell starts with plus.\n')
    path = str(tmp_path_factory.mktemp("cli-db") / "news.db")
    assert shell("ingest", str(folder), "--db", path).returncode == 0
    return path


def test_search_text_output(archive):
    result = shell("search", "tiger", "--db", archive)
    assert result.returncode == 0
    assert result.stdout == (
        "2020-01-15  Tiger escapes from zoo  [1]\n"
        "    A **tiger** escaped on Monday.\n"
        "    a.txt\n\n"
        "2020-02-20  Zoo budget approved  [2]\n"
        "    The zoo gets a new **tiger** enclosure.\n"
        "    b.txt\n\n"
    )
    assert result.stderr == "1-2 of 2 matches for: tiger\n"


def test_search_json_and_dates(archive):
    result = shell("search", "tiger", "--json", "--since", "2020-02", "--db", archive)
    assert json.loads(result.stdout) == [{
        "id": 2, "date": "2020-02-20", "headline": "Zoo budget approved",
        "snippet": "The zoo gets a new <mark>tiger</mark> enclosure.", "source": "b.txt", "similar_versions": 0,
    }]
    bad = shell("search", "tiger", "--since", "notadate", "--db", archive)
    assert bad.returncode == 2
    assert "Invalid value for '--since': cannot read a date in 'notadate'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_search_lists_each_story_once(tmp_path):
    db = str(tmp_path / "v.db")
    assert shell("ingest", "-s", str(write_story_versions(tmp_path / "in")), "--db", db).returncode == 0
    first = shell("search", "harbour", "--sort", "oldest", "-n", "2", "--db", db)
    second = shell("search", "harbour", "--sort", "oldest", "-n", "2", "--page", "2", "--db", db)
    assert re.findall(r"Harbour story \d.*", first.stdout) == ["Harbour story 1  [1]  (+2 similar versions)",
                                                             "Harbour story 2  [2]"]
    assert re.findall(r"Harbour story \d.*", second.stdout) == ["Harbour story 4  [4]", "Harbour story 6  [6]"]
    assert first.stderr == "1-2 of 6 matches (1 other version of stories listed left out) for: harbour\n"
    listed = json.loads(shell("search", "harbour", "--json", "--sort", "oldest", "--db", db).stdout)
    assert [(r["id"], r["similar_versions"]) for r in listed] == [(1, 2), (2, 0), (4, 0), (6, 0)]


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "*", "NEAR(", "'; DROP TABLE articles; --", "-tiger", ""])
def test_search_hostile_queries(archive, query):
    result = shell("search", query, "--db", archive)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r" matches(:| for:) ", result.stderr.splitlines()[-1])
    assert sqlite3.connect(archive).execute("SELECT count(*) FROM articles").fetchone() == (3,)


@pytest.mark.parametrize("query, ignored", [("🛢️", "note: ignored '🛢️': not something to search for here"),
                                            ("AND", "note: ignored 'AND': not something to search for here"),
                                            ("-tiger", "note: a search cannot only exclude words: add a word to look for")])
def test_a_query_with_nothing_to_search_for_says_so(archive, query, ignored):
    """Not "0 matches for: (all articles)": the user typed a query, and none of it could be searched for."""
    searched = shell("search", query, "--db", archive)
    assert searched.returncode == 0 and searched.stdout == ""
    assert searched.stderr == f"{ignored}\n0 matches: the query has nothing to search for\n"
    exported = shell("export", query, "--db", archive)
    assert exported.returncode == 0 and exported.stdout == ""
    assert exported.stderr == f"{ignored}\nexported 0 articles: the query has nothing to search for\n"


def test_export_gives_the_query_notes_search_gives(archive):
    searched = shell("search", '"zoo budget', "--db", archive)
    exported = shell("export", '"zoo budget', "--db", archive)
    note = "note: a closing quote was missing, so the phrase runs to the end of the query\n"
    assert searched.stderr == note + "1-1 of 1 matches for: \"zoo budget\"\n"
    assert exported.stderr == note + "exported 1 article\n"
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [2]
    # Copies are added to the matches of the ranked index: the phrase, not only its words.
    with_copies = shell("export", '"zoo budget"', "--include-duplicates", "--db", archive)
    assert with_copies.stderr == "exported 1 article\n"
    assert shell("export", '"budget zoo"', "--include-duplicates", "--db", archive).stderr == "exported 0 articles\n"


def test_dates_the_wrong_way_round_are_swapped_with_a_note(archive):
    """As on the web page: --since 2020-02 --until 2020-01 means January and February, not nothing."""
    swapped = "note: the --since date was after the --until date, so they were swapped\n"
    searched = shell("search", "tiger", "--since", "2020-02", "--until", "2020-01", "--db", archive)
    assert re.findall(r"^\S+  .*\[\d\]$", searched.stdout, re.M) == ["2020-01-15  Tiger escapes from zoo  [1]",
                                                                   "2020-02-20  Zoo budget approved  [2]"]
    assert searched.stderr == swapped + "1-2 of 2 matches for: tiger\n"
    # The same range as in the right order: all of March (so March 1), from January 20 (not January 15).
    exported = shell("export", "--since", "2020-03", "--until", "2020-01-20", "--db", archive)
    in_order = shell("export", "--since", "2020-01-20", "--until", "2020-03", "--db", archive)
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [2, 3]
    assert exported.stdout == in_order.stdout
    assert exported.stderr == swapped + "exported 2 articles\n"
    assert in_order.stderr == "exported 2 articles\n"


@pytest.mark.parametrize("command", [["search", "tiger"], ["export"], ["stats"], ["ingest", str(SAMPLE)], ["serve"]])
def test_an_empty_db_name_is_a_clear_error(command, tmp_path):
    result = shell(*command, "--db", "", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "Error: --db needs a file name\n")
    assert list(tmp_path.iterdir()) == []


def test_search_without_archive_is_a_clear_error(tmp_path):
    result = shell("search", "x", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1
    assert result.stderr == f"Error: no archive at {tmp_path / 'none.db'}: run `news-archive ingest PATH --db {tmp_path / 'none.db'}` first\n"
    assert not (tmp_path / "none.db").exists()


def test_export_formats(archive, tmp_path):
    ndjson = shell("export", "--db", archive)
    records = [json.loads(line) for line in ndjson.stdout.splitlines()]
    assert [r["id"] for r in records] == [1, 2, 3]
    assert set(records[0]) == {"id", "source", "date", "headline", "body", "paragraphs", "words", "sha256",
                               "ingested_at", "updated_at", "duplicate_of"}
    assert ndjson.stderr == "exported 3 articles\n"
    as_json = shell("export", "tiger", "--format", "json", "--db", archive)
    assert [r["id"] for r in json.loads(as_json.stdout)] == [1, 2]
    out = tmp_path / "out.csv"
    as_csv = shell("export", "--format", "csv", "-o", str(out), "--until", "2020-03-01", "--db", archive)
    assert as_csv.stdout == ""
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["id"] for r in table] == ["1", "2", "3"]
    assert table[2]["headline"] == "'=HYPERLINK(\"x\") formula"  # neutralised for spreadsheets
    assert table[2]["body"].startswith("'=HYPERLINK")
    empty = shell("export", "zzzz", "--format", "json", "--db", archive)
    assert json.loads(empty.stdout) == []


def test_export_by_relevance_gives_every_match_in_the_order_search_ranks_them(tmp_path):
    folder = tmp_path / "in"
    write_article(folder, "1.txt", " date 2020-01-10 Market report\n\nCoffee and sugar were steady while cocoa"
                                   " slipped in thin trading on the exchange, dealers said.\n")
    write_article(folder, "2.txt", " date 2020-02-10 Cocoa prices rise\n\nCocoa prices rose as cocoa stocks fell.\n")
    write_article(folder, "3.txt", " date 2020-03-10 Harvest outlook\n\nRain may help the cocoa crop.\n")
    db = str(tmp_path / "news.db")
    assert shell("ingest", "-s", str(folder), "--db", db).returncode == 0
    for backend in ("ranked", "fts5"):
        if backend == "fts5":
            shutil.rmtree(db + ".index")
        searched = [hit["id"] for hit in json.loads(shell("search", "cocoa", "--json", "--db", db).stdout)]
        exported = shell("export", "cocoa", "--sort", "relevance", "--db", db)
        assert searched == [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [2, 3, 1], backend
        assert exported.stderr.endswith("exported 3 articles\n") and "Traceback" not in exported.stderr
        as_csv = shell("export", "cocoa", "--sort", "relevance", "--format", "csv", "--db", db)
        assert [row["id"] for row in csv.DictReader(io.StringIO(as_csv.stdout))] == ["2", "3", "1"]
    # Without a query there is nothing to rank: the newest first, as `search` lists them, and a note says so.
    everything = shell("export", "--sort", "relevance", "--db", db)
    assert [json.loads(line)["id"] for line in everything.stdout.splitlines()] == [3, 2, 1]
    assert everything.stderr.endswith("note: with no query there is nothing to rank by relevance:"
                                      " exported newest first\nexported 3 articles\n")


def test_export_to_a_closed_pipe_is_quiet(archive):
    result = subprocess.run(f"{sys.executable} -m news_archive.cli export --db {archive} | head -c 10", shell=True,
                            capture_output=True, text=True)
    assert "Traceback" not in result.stderr


def test_export_starts_without_the_ranked_index(archive):
    """An export of everything needs SQLite only: tantivy, the ranked search, numpy and
    the date parser stay unimported (they cost about 0.1 s of every export's start)."""
    heavy = ("tantivy", "numpy", "dateutil", "news_archive.search", "news_archive.search_index")
    script = ("import sys; from news_archive.cli import main; sys.argv = ['news-archive', 'export', '--db', sys.argv[1]]\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              f"print('imported:', [m for m in {heavy!r} if m in sys.modules], file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", script, archive], capture_output=True, text=True)
    assert len(result.stdout.splitlines()) == 3
    assert "imported: []" in result.stderr

def test_stats(archive, tmp_path):
    data = json.loads(shell("stats", "--json", "--db", archive).stdout)
    assert {k: data[k] for k in ("articles", "originals", "duplicates", "first_date", "last_date", "rejected")} == {
        "articles": 3, "originals": 3, "duplicates": 0, "first_date": "2020-01-15", "last_date": "2020-03-01",
        "rejected": 0,
    }
    assert data["per_month"] == [{"month": "2020-01", "count": 1}, {"month": "2020-02", "count": 1},
                                 {"month": "2020-03", "count": 1}]
    db = str(tmp_path / "r.db")
    shell("ingest", str(FIXTURES), "--db", db)
    text = shell("stats", "--db", db).stdout
    assert "articles    5 (5 originals, 0 exact duplicates)" in text
    assert "rejected    6" in text
    assert "  2020-06          5  ########################################" in text
    # Rejects found in a folder say which (they are named relative to it).
    assert f"rejected files\n  ambiguous_date.txt (in {os.path.realpath(FIXTURES)}): date '06/09/2020' is ambiguous" in text
    names_line = re.search(r"^names       (\d+) (person|people), (\d+) organisations?, (\d+) places?$", text, re.M)
    assert names_line and (names_line[1] == "1") == (names_line[2] == "person")
    assert re.search(r"^similar     \d+ stor(y|ies) with near-duplicate versions \(\d+ articles?\)$", text, re.M)


def test_names_lists_the_most_mentioned_or_those_typed(tmp_path):
    db = str(tmp_path / "n.db")
    shell("ingest", str(SAMPLE), "--db", db)
    listed = shell("names", "--db", db, "-n", "3")
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0 and len(lines) == 3
    counts = [int(line.split()[0]) for line in lines]
    assert counts == sorted(counts, reverse=True) and counts[0] == 2
    assert re.fullmatch(r"1-3 of the \d+ most mentioned names; the number is how many articles mention each\n",
                        listed.stderr)
    typed = shell("names", "pass", "--kind", "person", "--db", db)
    assert [" ".join(line.split()[:3]) for line in typed.stdout.splitlines()] == ["2 Dillon Passage", "1 Dillion Passage"]
    assert typed.stderr.startswith("1-2 of 2 people with a word starting with 'pass'")
    data = json.loads(shell("names", "exotic", "--json", "--db", db).stdout)
    assert [(n["name"], n["kind"], n["articles"]) for n in data] == [("Joe Exotic", "person", 2)]
    bad = shell("names", "--kind", "planet", "--db", db)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_quotes_by_words_speaker_or_name(tmp_path):
    db = str(tmp_path / "q.db")
    shell("ingest", str(SAMPLE), "--db", db)
    conn = sqlite3.connect(db)
    by_dillon = conn.execute("SELECT count(*) FROM quotes q JOIN names n ON n.id = q.speaker_id"
                             " WHERE n.name = 'Dillon Passage'").fetchone()[0]
    with_divorce = conn.execute("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'quote : divorce'"
                                ).fetchone()[0]
    conn.close()
    named = shell("quotes", "--name", "dillon passage", "-n", "2", "--db", db)
    assert named.returncode == 0 and named.stdout.count("\u201c") == 2
    assert named.stdout.count("    Dillon Passage, 2021-03-29, ") == 2
    assert named.stderr == f"1-2 of {by_dillon} quotations attributed to Dillon Passage (person)\n"
    spoken = json.loads(shell("quotes", "--speaker", "PASSAGE", "--json", "-n", "1000", "--db", db).stdout)
    assert len(spoken) >= by_dillon and {q["speaker"] for q in spoken} <= {"Dillon Passage", "Dillion Passage"}
    # The keys of /quotes.json's quotations (its url aside): no text with control characters in it.
    assert set(spoken[0]) == {"id", "quote", "speaker", "speaker_id", "article_id", "date", "headline", "versions"}
    two = shell("quotes", "--name", "dillon passage", "--name", "joe exotic", "--db", db)
    assert two.returncode == 2 and "give one --name: a quotation has one speaker" in two.stderr
    worded = shell("quotes", "divorce", "--db", db)
    assert worded.stderr.endswith(f"of {with_divorce} quotations with divorce\n") and with_divorce > 0
    past = shell("quotes", "divorce", "--page", "50", "--db", db)
    assert past.stdout == "" and past.stderr == (f"note: there is only 1 page of quotations: page 50 lists nothing\n"
                                                 f"{with_divorce} quotations with divorce\n")
    everything = shell("quotes", "-n", "1000", "--db", db)  # nothing asked: every quotation, newest first
    total = sqlite3.connect(db).execute("SELECT count(*) FROM quotes").fetchone()[0]
    assert everything.returncode == 0 and everything.stderr == f"1-{total} of {total} quotations in the archive, newest first\n"
    assert everything.stdout.index("2021-03-29") < everything.stdout.index("2020-06-09")
    # CSV and NDJSON as /quotes.csv and /quotes.ndjson give them: every quotation found, their columns (the
    # article's url aside); JSON is the page, as --json.
    as_csv = shell("quotes", "--name", "dillon passage", "--format", "csv", "--db", db)
    listed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.returncode == 0 and list(listed[0]) == ["id", "date", "speaker", "speaker_id", "quote", "article_id",
                                                          "headline", "versions"]
    assert len(listed) == by_dillon and {row["speaker"] for row in listed} == {"Dillon Passage"}
    assert as_csv.stderr == f"exported {by_dillon} quotations attributed to Dillon Passage (person)\n"
    as_ndjson = shell("quotes", "divorce", "--format", "ndjson", "--db", db)
    assert [json.loads(line)["id"] for line in as_ndjson.stdout.splitlines()] == [
        q["id"] for q in json.loads(shell("quotes", "divorce", "--json", "--db", db).stdout)]
    assert shell("quotes", "divorce", "--format", "json", "--db", db).stdout == shell("quotes", "divorce", "--json",
                                                                                     "--db", db).stdout
    paged = shell("quotes", "--format", "csv", "--page", "2", "--db", db)
    assert paged.returncode == 2 and "--page chooses a page: --format csv gives every quotation found" in paged.stderr
    ignored = shell("quotes", "*", "--db", db)
    assert ignored.stdout == "" and ignored.stderr.endswith("0 quotations: the query has nothing to search for\n")
    dated = shell("quotes", "--since", "2021", "--db", db)
    assert dated.returncode == 0 and dated.stderr.endswith(" quotations from 2021-01-01 to the last\n")
    assert "2021-03-29" in dated.stdout and "2020-06-09" not in dated.stdout
    unknown = shell("quotes", "--name", "Nobody Atall", "--db", db)
    assert unknown.returncode == 1 and "no person, organisation or place called 'Nobody Atall'" in unknown.stderr


def test_quotes_give_the_person_after_a_title_or_a_dash_never_the_title(tmp_path):
    # An editor's article: "said Mr. Smith" was a quotation by "Mr", a dash gave the speaker before.
    write_article(tmp_path / "in", "acme.txt", (
        " date 1987-03-06 Acme names Smith chief executive\n\n"
        "NEW YORK, March 6 - Acme Corp said John Smith, 54, would become chief executive on April 1.\n\n"
        '"I am honored," said Mr. Smith. "Acme has a great future."\n\n'
        '"No comment," said Sen. Robert Byrd.\n\n'
        "\u201cThe ball is in their court\u201d \u2014 that was the message from the committee.\n"))
    db = str(tmp_path / "q.db")
    assert shell("ingest", str(tmp_path / "in"), "--db", db).returncode == 0
    said = json.loads(shell("quotes", "--json", "--db", db).stdout)
    assert sorted((q["quote"], q["speaker"]) for q in said) == [
        ("Acme has a great future.", "John Smith"), ("I am honored", "John Smith"),
        ("No comment", "Robert Byrd"), ("The ball is in their court", None)]


def test_names_and_quotes_without_jobs_posts_agencies_or_months_and_with_mrs_and_a_dash(tmp_path):
    # A reviewer's cases: "Accountant Clarence Sampson", a person "Trade Minister", "Tanjug" a person,
    # "April-June" an organisation, "Mrs. Dole" neither Dole, and no speaker after a dash and "from".
    write_article(tmp_path / "in", "sec.txt", (
        " date 1987-03-06 SEC adopts peer review\n\n"
        '"Peer review will not stop all bad audits," SEC Chief Accountant Clarence Sampson told the SEC.\n\n'
        "G.I. Valentchits, Deputy Trade Minister at the Soviet embassy, told the official Tanjug news agency"
        " that profit for the April-June quarter rose.\n\n"
        "Senate leader Robert Dole and his wife, Transportation Secretary Elizabeth Dole, met the governors."
        ' "It will be tough," said Mrs. Dole.\n\n'
        "\u201cThe ball is in their court\u201d \u2014 that was the message from Assistant Secretary Richard Perle.\n"))
    db = str(tmp_path / "n.db")
    assert shell("ingest", str(tmp_path / "in"), "--db", db).returncode == 0
    named = {(n["name"], n["kind"]) for n in json.loads(shell("names", "--json", "--db", db).stdout)}
    assert {("Clarence Sampson", "person"), ("Tanjug", "organization"), ("Elizabeth Dole", "person"),
            ("Robert Dole", "person"), ("Richard Perle", "person")} <= named
    assert not {name for name, _ in named} & {"Accountant Clarence Sampson", "Trade Minister", "April-June", "Dole"}
    said = json.loads(shell("quotes", "--json", "--db", db).stdout)
    assert sorted((q["quote"], q["speaker"]) for q in said) == [
        ("It will be tough", "Elizabeth Dole"), ("Peer review will not stop all bad audits", "Clarence Sampson"),
        ("The ball is in their court", "Richard Perle")]


def test_serve_ingests_the_sample_when_there_is_no_archive_and_asked_to(tmp_path):
    from conftest import free_port

    port = free_port()
    refused = shell("serve", "--db", str(tmp_path / "n.db"), "--port", str(port))
    assert refused.returncode == 1 and refused.stderr == (
        f"Error: no archive at {tmp_path / 'n.db'}: make it with `news-archive ingest FOLDER --db {tmp_path / 'n.db'}`"
        " (or try the bundled sample with `news-archive serve --demo`)\n")
    assert not (tmp_path / "n.db").exists()
    process = subprocess.Popen([sys.executable, "-m", "news_archive.cli", "serve", "--db", str(tmp_path / "n.db"),
                                "--port", str(port), "--demo"], stderr=subprocess.PIPE, text=True)
    try:
        first = process.stderr.readline()
        assert first.startswith(f"no archive at {tmp_path / 'n.db'} yet: ingesting the sample articles in ")
        assert process.stderr.readline().startswith("ingested 2, updated 0")
        assert process.stderr.readline() == f"Serving {tmp_path / 'n.db'} at http://localhost:{port}/  (Ctrl-C to stop)\n"
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize("host, problem", [("127.0.0.1", "address already in use"),
                                           ("10.255.255.1", "cannot assign requested address")])
def test_serve_where_it_cannot_listen_stops_before_touching_the_archive(tmp_path, host, problem):
    """Checked first: no sample ingested (nor an old archive upgraded), no "Serving" line."""
    import socket

    with socket.socket() as holder:  # another server on the port
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = shell("serve", "--db", str(tmp_path / "n.db"), "--host", host, "--port", str(port))
    assert (result.returncode, result.stderr) == (1, f"Error: cannot serve on {host}:{port}: {problem}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("variable", ["NEWS_ARCHIVE_REQUEST_HEAD_SECONDS", "NEWS_ARCHIVE_EXPORT_STALL_SECONDS"])
@pytest.mark.parametrize("value", ["ten", "0", "-1", "nan"])
def test_serve_refuses_seconds_that_are_no_number_before_it_starts(tmp_path, variable, value):
    """A word in NEWS_ARCHIVE_REQUEST_HEAD_SECONDS was a traceback from float() (and in the export's stall
    limit, one from importing the web views): one line now, before the archive is made."""
    result = shell("serve", "--demo", "--db", str(tmp_path / "news.db"), "--port", "8961", env={variable: value})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: {variable} is {value!r}: it must be a number of seconds above 0 (or unset)\n"
    assert list(tmp_path.iterdir()) == []


def test_a_reader_that_stops_early_gets_no_error_message(tmp_path):
    """`news-archive export | head -1`: the rest is dropped quietly, with no traceback or error line, and
    status 141 as cat or grep give (`set -o pipefail` scripts expect it), not 1, a failure.
    The output is far bigger than a pipe's buffer, so the writer does meet the closed pipe."""
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(1100):  # NDJSON is written a thousand lines at a time: the second write meets the closed pipe
        write_article(folder, f"{number:03d}.txt", f" date 2020-01-{number % 28 + 1:02d} Tiger story {number}\n\n"
                      + "The tiger walked through the long grass of the reserve. " * 40 + "\n")
    db = str(tmp_path / "many.db")
    shell("ingest", str(folder), "--db", db, "--no-analysis")
    for command in (["export"], ["export", "--format", "json"], ["export", "--format", "csv"]):
        process = subprocess.Popen([sys.executable, "-m", "news_archive.cli", *command, "--db", db],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141  # not 1, a failure: as cat or grep cut off by their reader
        assert first.strip()
        assert "Traceback" not in stderr and "Error" not in stderr, (command, stderr)


def test_analyse_fills_in_an_archive_ingested_without_analysis(db_path, tmp_path):
    shell("ingest", str(SAMPLE), "--db", db_path, "--no-analysis")
    assert run("stats", "--db", db_path).output.count("0 (0 with a speaker)") == 1
    first = shell("analyse", "--db", db_path)
    assert first.returncode == 0 and first.stdout == ""
    assert re.fullmatch(r"analysed 2 articles: \d+ name mentions, 46 quotations, 0 near-duplicate pairs found;"
                        r" 0 names no longer mentioned \(\d+\.\ds, [\d,]+ articles/s\)\n", first.stderr), first.stderr
    assert "quotes      46 (46 with a speaker)" in run("stats", "--db", db_path).output
    again = shell("analyse", "--db", db_path)
    assert again.stderr.startswith("analysed 0 articles: 0 name mentions, 0 quotations,")
    every = shell("analyse", "--all", "--db", db_path)
    assert every.returncode == 0 and every.stderr.startswith("analysed 2 articles:")
    missing = shell("analyse", "--db", str(tmp_path / "nothing.db"))
    assert missing.returncode == 1 and "no archive at" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_a_second_writer_is_told_the_index_is_busy(db_path):
    shell("ingest", str(SAMPLE), "--db", db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from news_archive import search_index as s;"
         " f = s.Feeder(s.SearchIndex.open(sys.argv[1])); print('held', flush=True); time.sleep(60)", db_path],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["ingest", str(SAMPLE)], ["analyse"]):
            result = shell(*command, "--db", db_path)
            assert result.returncode == 1, command
            assert "is locked by another ingest, analysis or backup of this archive" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_file_where_the_index_folder_goes_is_named_with_what_to_do(db_path):
    shell("ingest", str(SAMPLE), "--db", db_path)
    shutil.rmtree(db_path + ".index")
    Path(db_path + ".index").write_text("notes kept here by hand")
    for command in (["ingest", str(SAMPLE)], ["analyse"]):
        result = shell(*command, "--db", db_path)
        assert result.returncode == 1, command
        assert result.stderr == (f"Error: {db_path}.index is a file, where the archive keeps its ranked index folder:"
                                 " move it aside\n"), command
    assert Path(db_path + ".index").read_text() == "notes kept here by hand"
    searched = shell("search", "tiger", "--db", db_path)
    assert searched.returncode == 0
    assert ("note: news.db.index is a file, where the archive keeps its ranked index folder, so results come from the"
            " slower full-text index; move news.db.index aside, and `news-archive analyse` on this archive (or its next ingest) builds the"
            " index") in searched.stderr.splitlines()
    Path(db_path + ".index").rename(db_path + ".notes")
    assert shell("ingest", str(SAMPLE), "--db", db_path).returncode == 0
    assert shell("check", "--db", db_path).returncode == 0


def test_search_and_export_by_name(db_path, tmp_path):
    shell("ingest", str(SAMPLE), "--db", db_path)
    found = shell("search", "tiger", "--name", "cardi b", "--db", db_path)
    assert found.returncode == 0
    assert found.stderr.endswith("1-1 of 1 matches for: tiger, mentioning Cardi B (person)\n")
    assert found.stdout.startswith("2020-06-09")
    alone = shell("export", "--name", "Cardi B", "--name", "Netflix", "--db", db_path)
    assert [json.loads(line)["id"] for line in alone.stdout.splitlines()] == [1]
    missing = shell("export", "--name", "Cardi", "-o", str(tmp_path / "out.ndjson"), "--db", db_path)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "no person, organisation or place called 'Cardi' in this archive; close: Cardi B (person)" in missing.stderr
    assert not (tmp_path / "out.ndjson").exists()
    # The same words as two kinds: the kind of more articles, with a note; NAME:kind chooses.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (900, 'Cardi B', 'organization', 'cardi b')")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions) VALUES (2, 900, 1)")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions) VALUES (1, 900, 1)")
    conn.close()
    either = shell("export", "--name", "Cardi B", "--db", db_path)
    assert ("note: 'Cardi B' is taken as 'Cardi B', the organization (2 articles); there is also 'Cardi B', a person"
            " in 1 article (--name 'Cardi B:person')") in either.stderr
    chosen = shell("export", "--name", "Cardi B:person", "--db", db_path)
    assert [json.loads(line)["id"] for line in chosen.stdout.splitlines()] == [1] and "note" not in chosen.stderr
    # Another spelling of a name ("US" for the United States) counts like the name, even beside
    # an entry written exactly so: the kind of more articles wins, with a note.
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (901, 'US', 'organization', 'us')")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions) VALUES (2, 901, 1)")
    spelled = shell("search", "--name", "US", "--db", db_path)
    assert spelled.stderr.endswith("1-1 of 1 matches for: articles mentioning United States (place)\n")
    assert ("note: 'US' is taken as 'United States', the place (1 article); there is also 'US', an organization in"
            " 1 article (--name 'US:organization')") in spelled.stderr


def test_query_words_that_begin_with_a_dash_are_never_options(tmp_path):
    """`-oil` excludes oil; read as `-o il` it would write an export over a file named "il prices"."""
    db = str(tmp_path / "q.db")
    shell("ingest", str(SAMPLE), "--db", db)
    (tmp_path / "il prices").write_text("keep me")
    exported = shell("export", "-divorce prison", "--db", db, cwd=tmp_path)
    assert exported.returncode == 0 and [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [1]
    clobbering = shell("export", "-oil prices", "--db", db, cwd=tmp_path)
    assert clobbering.returncode == 0 and (tmp_path / "il prices").read_text() == "keep me"
    # Unquoted words, an exclusion first or last, options anywhere, a number attached to -n.
    for args in (["-divorce", "prison"], ["prison", "-divorce"], ["prison", "-n1", "-divorce"],
                 ["-divorce", "--since", "2020", "prison"], ["--", "-divorce prison"]):
        found = shell("search", "--db", db, *args)
        assert found.returncode == 0 and found.stderr.endswith(" matches for: prison -divorce\n"), (args, found.stderr)
        assert "[1]" in found.stdout and "[2]" not in found.stdout, args
    quoted = shell("quotes", "-divorce", "tiger", "--db", db)
    assert quoted.returncode == 0 and quoted.stderr.endswith(" with tiger -divorce\n")
    assert shell("search", "prison", "--bogus", "--db", db).stderr.endswith("No such option '--bogus'.\n")


def test_a_name_is_given_whatever_its_accents_and_apostrophes(db_path, tmp_path):
    write_article(tmp_path / "a", "1.txt", " date 2020-06-09 Ratings\n\nMoody's Investors Service Inc cut the rating"
                                          " of Zürich, said José Núñez.\n")
    write_article(tmp_path / "a", "2.txt", " date 2020-06-10 Ratings again\n\nMoody’s Investors Service Inc kept it,"
                                          " said Jim O’Neill.\n")
    shell("ingest", str(tmp_path / "a"), "--db", db_path)
    for given, shown, ids in (("Moody’s Investors Service Inc", "Moody's Investors Service Inc (organization)", ["2", "1"]),
                              ("Jose Nunez", "José Núñez (person)", ["1"]), ("jim o'neill", "Jim O’Neill (person)", ["2"]),
                              ("ZURICH", "Zürich (place)", ["1"])):
        found = shell("search", "--name", given, "--db", db_path)
        assert found.returncode == 0 and found.stderr.endswith(f" matches for: articles mentioning {shown}\n"), given
        assert re.findall(r"\[(\d+)\]$", found.stdout, re.M) == ids, given
    # A miss suggests the names close to it, folded alike.
    missed = shell("search", "--name", "Moody’s Investors", "--db", db_path)
    assert missed.returncode == 1 and missed.stderr.startswith(
        "Error: no person, organisation or place called 'Moody’s Investors' in this archive;"
        " close: Moody's Investors Service Inc (organization)")


def test_name_lookups_suggest_spellings_and_the_people_a_surname_may_mean(db_path):
    shell("ingest", str(SAMPLE), "--db", db_path)
    typo = shell("search", "--name", "Dilon Pasage", "--db", db_path)
    assert typo.returncode == 1 and typo.stderr.startswith(
        "Error: no person, organisation or place called 'Dilon Pasage' in this archive; close: Dillon Passage (person)")
    # A surname alone is the name written so, and the people named in full with it are said; not of a place
    # or an organisation: `--name Japan` listed "Bank of Japan" as people named in full with it.
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (950, 'Passage', 'person', 'passage')")
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (951, 'Exotic', 'place', 'exotic')")
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (952, 'Dillon', 'organization', 'dillon')")
        conn.executemany("INSERT INTO article_names (article_id, name_id, mentions) VALUES (1, ?, 1)",
                         [(950,), (951,), (952,)])
    alone = shell("quotes", "--name", "passage", "--db", db_path)
    assert alone.returncode == 0 and alone.stderr.startswith(
        "note: 'passage' is the name written so; people named in full with it: Dillon Passage (2 articles),"
        " Dillion Passage (1 article)\n")
    assert alone.stderr.endswith("0 quotations attributed to Passage (person)\n")
    for given, shown in (("exotic", "Exotic (place)"), ("Dillon", "Dillon (organization)")):
        other = shell("search", "--name", given, "--db", db_path)
        assert other.returncode == 0 and "note" not in other.stderr, other.stderr
        assert other.stderr.endswith(f" matches for: articles mentioning {shown}\n")
    # A kind mistyped is said so, with the kinds; a name with a colon in it is still a name.
    mistyped = shell("search", "--name", "Dillon Passage:persn", "--db", db_path)
    assert (mistyped.returncode, mistyped.stderr) == (1, "Error: unknown kind 'persn' in --name 'Dillon Passage:persn':"
                                                         " the kinds are person, organisation (or organization) and"
                                                         " place, e.g. 'Saudi Arabia:place'\n")
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO names (id, name, kind, folded) VALUES (953, 'Tiger:King', 'organization', 'tiger:king')")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions) VALUES (1, 953, 1)")
    assert shell("search", "--name", "Tiger:King", "--db", db_path).returncode == 0
    # Another spelling of a name lists that name, and both spellings of a kind are taken.
    listed = shell("names", "usa", "--db", db_path)
    assert "United States  (place" in listed.stdout
    assert shell("names", "--kind", "organisation", "--db", db_path).returncode == 0


def test_ingest_quiet_says_only_what_needs_a_look(db_path, tmp_path):
    write_article(tmp_path / "in", "good.txt", " date 2020-01-01 Fine\n")
    first = shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    write_article(tmp_path / "in", "bad.txt", "no date line\n")
    (tmp_path / "in" / "good.txt").unlink()
    second = shell("ingest", "--quiet", str(tmp_path / "in"), "--db", db_path)
    assert second.returncode == 3 and second.stderr.splitlines() == [
        "rejected bad.txt: no date line: the first line 'no date line' does not start with 'date'",
        f"gone from {tmp_path / 'in'}: good.txt (ingested before; what it held stays in the archive)"]
    third = shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
    assert (third.returncode, third.stderr) == (0, "")  # the old reject is not news
    usage = shell("ingest", "--no-such-option", str(tmp_path / "in"), "--db", db_path)
    assert usage.returncode == 2  # a mistyped command is not a rejected file
    # Links that cannot be followed are rejects like any other: news once, then quiet.
    os.symlink(tmp_path / "in" / "nowhere.txt", tmp_path / "in" / "broken.txt")
    os.symlink("..", tmp_path / "in" / "up")
    linked = shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
    assert linked.returncode == 3 and linked.stderr.splitlines() == [
        "rejected broken.txt: broken link", "rejected up: a link to a folder that holds this folder: not followed"]
    for _ in range(2):
        later = shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
        assert (later.returncode, later.stderr) == (0, "")
    # An edit keeps the earlier text and a move loses nothing: neither needs a look (a daily feed file).
    write_article(tmp_path / "in", "feed.txt", " date 2020-01-02 Monday\n")
    shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
    write_article(tmp_path / "in", "feed.txt", " date 2020-01-03 Tuesday\n")
    (tmp_path / "in" / "sub").mkdir()
    os.rename(tmp_path / "in" / "bad.txt", tmp_path / "in" / "sub" / "bad.txt")
    tidied = shell("ingest", "-q", str(tmp_path / "in"), "--db", db_path)
    assert (tidied.returncode, tidied.stderr) == (0, "")
    assert rows(db_path, "SELECT headline FROM articles WHERE source = 'feed.txt'") == [("Tuesday",)]


@pytest.fixture
def read_only_archive(tmp_path):
    """A closed archive (no -wal or -shm files) in a folder that cannot be written to: a read-only bind
    mount when run as root (root writes through file modes), a folder without write permission otherwise."""
    source = tmp_path / "src"
    source.mkdir()
    shell("ingest", "-q", str(SAMPLE), "--db", str(source / "news.db"))
    with sqlite3.connect(source / "news.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert not (source / "news.db-wal").exists() and not (source / "news.db-shm").exists()
    if os.geteuid() != 0:
        source.chmod(0o555)
        yield source / "news.db"
        source.chmod(0o755)
        return
    mounted = tmp_path / "ro"
    mounted.mkdir()
    made = subprocess.run(f"mount --bind {source} {mounted} && mount -o remount,ro,bind {mounted}", shell=True,
                          capture_output=True, text=True)
    if made.returncode != 0:
        subprocess.run(["umount", str(mounted)], capture_output=True)
        pytest.skip(f"cannot make a read-only mount here: {made.stderr.strip()[:200]}")
    try:
        yield mounted / "news.db"
    finally:
        subprocess.run(["umount", "--lazy", str(mounted)], check=True)  # the server in the test may hold files open


def test_an_archive_on_read_only_media_is_read_and_served_not_changed(read_only_archive):
    db = str(read_only_archive)
    assert shell("stats", "--db", db).stdout.startswith("articles    2 (2 originals")
    found = shell("search", "tiger", "--db", db)
    assert found.returncode == 0 and found.stderr.endswith("1-2 of 2 matches for: tiger\n")
    assert len(shell("export", "--db", db).stdout.splitlines()) == 2
    refused = shell("ingest", str(SAMPLE), "--db", db)
    assert refused.returncode == 1 and refused.stderr == (
        f"Error: {db}: the archive is on read-only media (its folder cannot be written to): it can be searched,"
        " exported and served, not changed\n")

    async def page():
        from news_archive.web.app import make_datasette

        datasette = make_datasette(db)
        await datasette.invoke_startup()
        return (await datasette.client.get("/search.json?q=tiger")).json()

    import asyncio

    assert asyncio.run(page())["total"] == 2


def test_a_db_in_a_folder_that_is_not_there_is_said_so(tmp_path):
    result = shell("ingest", str(SAMPLE), "--db", str(tmp_path / "nofolder" / "x.db"))
    assert result.returncode == 1 and result.stderr == (
        f"Error: {tmp_path / 'nofolder' / 'x.db'}: there is no folder {tmp_path / 'nofolder'} to make the archive in\n")


def test_ingest_names_updated_moved_and_gone_rejects_and_stats_count_earlier_texts(db_path, tmp_path):
    folder = tmp_path / "clippings"
    for n in range(GONE_SHOWN + 2):
        write_article(folder, f"a{n:02}.txt", f" date 2020-01-01 Article number {n}.")
    write_article(folder, "bad1.txt", "no date here\n")
    write_article(folder, "b.txt", " date 2020-01-02 To be moved.")
    assert shell("ingest", str(folder), "--db", db_path).returncode == 3
    for n in range(GONE_SHOWN + 2):
        path = write_article(folder, f"a{n:02}.txt", f" date 2020-01-01 Article number {n}, edited.")
        os.utime(path, ns=(1, os.stat(path).st_mtime_ns + 10**9))
    result = shell("ingest", str(folder), "--db", db_path)
    lines = result.stderr.splitlines()
    assert lines[1] == "updated a00.txt (its earlier text is kept: article 1 lists it; news-archive stats counts earlier texts)"
    assert lines[GONE_SHOWN + 1] == "… and 2 more updated, each keeping its earlier text"
    assert lines[-1].startswith(f"ingested 0, updated {GONE_SHOWN + 2}, unchanged 1, duplicates 0, rejected 1 (")
    (folder / "1987").mkdir()
    (folder / "b.txt").rename(folder / "1987" / "b.txt")
    (folder / "bad1.txt").unlink()
    lines = shell("ingest", str(folder), "--db", db_path).stderr.splitlines()
    assert lines == [f"moved b.txt → 1987/b.txt (in {folder}; article {GONE_SHOWN + 3} takes the new name)",
                     f"gone from {folder}: bad1.txt (rejected before; its bytes stay among the rejects)",
                     lines[-1]]
    assert lines[-1].startswith(f"ingested 0, updated 0, unchanged {GONE_SHOWN + 2}, duplicates 0, rejected 0, gone 1, moved 1 (")
    text = shell("stats", "--db", db_path).stdout
    assert f"articles    {GONE_SHOWN + 3} ({GONE_SHOWN + 3} originals, 0 exact duplicates)" in text
    assert f"earlier     {GONE_SHOWN + 2} earlier texts of {GONE_SHOWN + 2} articles whose file changed" in text
    assert f"  bad1.txt (in {folder}): no date line: " in text
    data = json.loads(shell("stats", "--json", "--db", db_path).stdout)
    assert (data["earlier_texts"], data["articles_with_earlier_texts"]) == (GONE_SHOWN + 2, GONE_SHOWN + 2)
    assert data["rejects"][0]["folder"] == str(folder)


def test_show_reads_one_article_with_what_was_found_in_it(sample_db):
    conn = sqlite3.connect(sample_db)
    article_id = conn.execute("SELECT id FROM articles WHERE source = '001_00a32e414b8210aa.txt'").fetchone()[0]
    quotes = conn.execute("SELECT count(*) FROM quotes WHERE article_id = ?", (article_id,)).fetchone()[0]
    conn.close()
    shown = shell("show", str(article_id), "--db", sample_db)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Thus far, all of Joe Exotic's ploys to get out of prison have failed."
    assert lines[1].startswith(f"2021-03-29 · 001_00a32e414b8210aa.txt · article {article_id} · ")
    assert "The infamous Tiger King star remains behind bars" in shown.stdout
    names = next(line for line in lines if line.startswith("names   "))
    assert "Dillon Passage (person, " in names
    said = [line for line in lines if line.startswith("quote   ")]
    assert len(said) == quotes and "quote   “In November of 2017 I met Joe” (Dillon Passage)" in said
    as_json = json.loads(shell("show", str(article_id), "--json", "--db", sample_db).stdout)
    assert as_json["id"] == article_id and len(as_json["quotes"]) == quotes
    assert {"paragraph_texts", "names", "copies", "similar", "earlier_texts", "previous", "next", "related"} \
        <= set(as_json)
    missing = shell("show", "999999", "--db", sample_db)
    assert missing.returncode == 1 and "there is no article 999999" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_show_on_a_small_archive_just_edited_prints_no_panic(tmp_path):
    """tantivy's more-like-this panics when a word is in more documents, deleted ones included, than
    the index has live; the panic was caught, but Rust's report of it reached the terminal."""
    folder = tmp_path / "in"
    folder.mkdir()
    for number in (1, 2, 3):
        (folder / f"s{number}.txt").write_text(f" date 2020-01-0{number} Story {number} about lions.\n")
    db = str(tmp_path / "news.db")
    assert shell("ingest", str(folder), "--db", db, "-s").returncode == 0
    (folder / "s1.txt").write_text(" date 2020-01-09 Story 1 rewritten about tigers.\n")
    assert shell("ingest", str(folder), "--db", db, "-s").returncode == 0
    for article in ("1", "2", "3"):
        shown = shell("show", article, "--db", db)
        assert shown.returncode == 0 and "panicked" not in shown.stderr and "Story" in shown.stdout, shown.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux) to fill a disk")
def test_a_full_disk_is_said_of_the_export_not_of_the_archive(sample_db):
    for args, shown in ((["-o", "/dev/full"], "/dev/full"), (["--format", "csv", "-o", "/dev/full"], "/dev/full")):
        result = shell("export", "--db", sample_db, *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip() == f"Error: {shown}: cannot write the export: No space left on device"
    with open("/dev/full", "w") as full:
        piped = subprocess.run([sys.executable, "-m", "news_archive.cli", "export", "--db", sample_db], stdout=full,
                               stderr=subprocess.PIPE, text=True)
    assert piped.stderr.strip() == "Error: standard output: cannot write the export: No space left on device"


# An export whose rows stop after the first one: with an error, or to wait (on stderr) for a signal.
_EXPORT_CUT_SHORT = """import sqlite3, sys, time
from news_archive import cli, matches
real, then = matches.iter_matches, sys.argv.pop(1)
def cut_short(*args, **kwargs):
    rows = real(*args, **kwargs)
    yield next(rows)
    if then == 'fail':
        raise sqlite3.DatabaseError('database disk image is malformed')
    print('waiting', file=sys.stderr, flush=True)
    time.sleep(600)
matches.iter_matches = cut_short
sys.argv[0] = 'news-archive'
cli.main()
"""


@pytest.mark.parametrize("fmt", ["ndjson", "csv", "json"])
def test_an_export_that_fails_or_is_stopped_leaves_the_file_it_would_replace(archive, tmp_path, fmt):
    """`export -o nightly.ndjson` truncated the good copy of last night before writing: a database error or
    a kill halfway left half a file. The export is written beside it and takes its name only when whole."""
    nightly = tmp_path / f"nightly.{fmt}"
    nightly.write_text("last night's good copy\n")
    nightly.chmod(0o640)
    args = ["export", "--db", archive, "--format", fmt, "-o", str(nightly)]
    failed = subprocess.run([sys.executable, "-c", _EXPORT_CUT_SHORT, "fail", *args], capture_output=True,
                            text=True, timeout=60)
    assert (failed.returncode, failed.stderr) == (1, f"Error: {archive}: database disk image is malformed\n")
    assert nightly.read_text() == "last night's good copy\n"
    stopped = subprocess.Popen([sys.executable, "-c", _EXPORT_CUT_SHORT, "wait", *args], stderr=subprocess.PIPE,
                               text=True)
    assert stopped.stderr.readline() == "waiting\n"
    stopped.terminate()
    assert stopped.wait(timeout=60) == 130
    assert nightly.read_text() == "last night's good copy\n"
    assert [p.name for p in tmp_path.iterdir()] == [nightly.name]  # no temporary left
    done = shell(*args)
    assert done.returncode == 0 and done.stderr == "exported 3 articles\n"
    assert "Tiger escapes from zoo" in nightly.read_text() and nightly.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == [nightly.name]
    link = tmp_path / "latest"
    link.symlink_to(nightly.name)
    assert shell("export", "tiger", "--db", archive, "--format", fmt, "-o", str(link)).returncode == 0
    assert link.is_symlink() and "Zoo budget" in nightly.read_text() and "formula" not in nightly.read_text()


@pytest.mark.parametrize("command, what", [(["search", "tiger"], "results"), (["names"], "names"),
                                           (["quotes"], "quotations")])
def test_a_page_past_the_last_lists_nothing(sample_db, command, what):
    """It gave the last page again with exit status 0, so a script reading page after page until an empty
    one never stopped. Now it lists nothing (`[]` with --json), says how many pages there are, exit 0."""
    last = shell(*command, "-n", "2", "--json", "--db", sample_db)
    pages = -(-int(re.search(r"of (?:the )?([\d,]+) ", last.stderr).group(1).replace(",", "")) // 2)
    assert pages >= 2
    on_the_last = shell(*command, "-n", "2", "--page", str(pages), "--json", "--db", sample_db)
    assert on_the_last.returncode == 0 and json.loads(on_the_last.stdout) and "note:" not in on_the_last.stderr
    for past in (pages + 1, 9999):
        note = f"note: there are only {pages} pages of {what}: page {past:,} lists nothing\n"
        listed = shell(*command, "-n", "2", "--page", str(past), "--json", "--db", sample_db)
        assert (listed.returncode, listed.stdout) == (0, "[]\n")
        assert listed.stderr.startswith(note) and "showing the last" not in listed.stderr
        text = shell(*command, "-n", "2", "--page", str(past), "--db", sample_db)
        assert (text.returncode, text.stdout) == (0, "") and text.stderr == listed.stderr


def test_a_closed_stdout_is_an_error_and_a_closed_stderr_is_quiet(archive, tmp_path):
    """Started with stdout closed (`>&-`) a search or export failed as a bug (exit 70, 'NoneType' object has
    no attribute 'isatty'), and `check` passed, its report lost; with stderr closed, searches and ingests
    failed as a bug too. A command with something for stdout now says it cannot write there, exit 1; one
    that needs no stdout runs; a closed stderr is quiet."""
    command = f"{shlex.quote(sys.executable)} -m news_archive.cli"
    env = {**os.environ, "TMPDIR": str(tmp_path)}

    def run_shell(line: str):
        return subprocess.run(line, shell=True, capture_output=True, text=True, env=env, timeout=120)

    for args in ("search tiger", "export", "export --format csv", "names --json", "check", "stats", "show 1",
                 "compare tiger", "concordance tiger"):
        closed = run_shell(f"{command} {args} --db {archive} >&-")
        assert (closed.returncode, closed.stderr) == (1, "Error: cannot write to standard output: it is closed\n"), args
    both = run_shell(f"{command} check --db {archive} >&- 2>&-")
    assert (both.returncode, both.stderr) == (1, "")
    to_a_file = run_shell(f"{command} export --db {archive} -o {tmp_path / 'out.ndjson'} >&-")
    assert to_a_file.returncode == 0 and to_a_file.stderr == "exported 3 articles\n"
    quiet = run_shell(f"{command} search tiger --db {archive} 2>&-")
    assert (quiet.returncode, quiet.stderr) == (0, "") and "Tiger escapes from zoo" in quiet.stdout
    folder = tmp_path / "in"
    write_article(folder, "good.txt", " date 2020-01-15 A story\n\nSome text.\n")
    write_article(folder, "bad.txt", "no date here\n")
    ingested = run_shell(f"{command} ingest {folder} --db {tmp_path / 'new.db'} 2>&-")
    assert (ingested.returncode, ingested.stdout, ingested.stderr) == (3, "", "")
    assert rows(str(tmp_path / "new.db"), "SELECT source FROM rejects") == [("bad.txt",)]
    assert [p.name for p in tmp_path.glob("news-archive-error-*")] == []


def test_a_bug_of_ours_is_one_line_and_its_traceback_is_kept_in_a_file(archive, tmp_path):
    """Never a traceback to the user: an unexpected error says so in one line, names the file with the
    details, and exits 70 (EX_SOFTWARE); NEWS_ARCHIVE_TRACEBACK=1 shows the traceback instead."""
    program = ("import sys; from news_archive import browse, cli\n"
               "def broken(*args, **kwargs): raise ZeroDivisionError('a bug\\x1b[31m here')\n"
               "browse.names_directory = broken\n"
               f"sys.argv = ['news-archive', 'names', '--db', {archive!r}]\n"
               "cli.main()\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("NEWS_ARCHIVE_TRACEBACK", None)
    failed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=60)
    assert failed.returncode == 70 and failed.stdout == ""
    (kept,) = tmp_path.glob("news-archive-error-*.txt")
    assert failed.stderr == (f"Error: news-archive failed unexpectedly (ZeroDivisionError: a bug here); the details"
                             f" are in {kept}. This is a bug: please report it (NEWS_ARCHIVE_TRACEBACK=1 shows the"
                             " traceback here)\n")
    details = kept.read_text()
    assert details.startswith("news-archive ") and "Traceback" in details and "ZeroDivisionError" in details
    shown = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                           env={**env, "NEWS_ARCHIVE_TRACEBACK": "1"})
    assert shown.returncode == 1 and "Traceback" in shown.stderr


def test_links_out_of_the_folder_and_links_in_archives_are_said_and_never_read(db_path, tmp_path):
    """A tar unpacked with `story.txt -> /etc/passwd` (or any file elsewhere) made that file a reject whose bytes
    anyone could download from Datasette's rejects table; a link member of an archive vanished without a word."""
    secret = write_article(tmp_path / "private", "secret.txt", "SECRET-BYTES no date here\n")
    folder = tmp_path / "unpacked"
    write_article(folder, "real.txt", " date 2020-01-02 A real story\n")
    os.symlink(secret, folder / "story.txt")
    os.symlink("real.txt", folder / "same.txt")  # inside: read (an exact copy)
    with tarfile.open(folder / "pack.tar", "w") as tar:
        info = tarfile.TarInfo("link.txt")
        info.type, info.linkname = tarfile.SYMTYPE, str(secret)
        tar.addfile(info)
    result = shell("ingest", str(folder), "--db", db_path)
    assert result.returncode == 3
    assert result.stderr.splitlines()[:2] == [
        "rejected pack.tar!link.txt: a link inside an archive is not read",
        "rejected story.txt: a link to a file outside the folder walked: not read",
    ]
    assert "ingested 1, updated 0, unchanged 0, duplicates 1, rejected 2 (" in result.stderr
    assert rows(db_path, "SELECT source, raw FROM rejects ORDER BY source") == [
        ("pack.tar!link.txt", None), ("story.txt", None)]
    with open(db_path, "rb") as archive:
        assert b"SECRET-BYTES" not in archive.read()
    # Named on the command line, the link is read: the user chose it.
    named = shell("ingest", str(folder / "story.txt"), "--db", db_path)
    assert f"rejected {folder / 'story.txt'}: no date line" in named.stderr


def test_a_link_to_a_folder_outside_is_followed_only_when_asked(db_path, tmp_path):
    """The same unpacked folder can hold "private -> /home/someone": its files were read."""
    write_article(tmp_path / "private", "diary.txt", " date 2020-01-03 PRIVATE-DIARY entry\n")
    folder = tmp_path / "unpacked"
    write_article(folder, "real.txt", " date 2020-01-02 A real story\n")
    write_article(folder / "inner", "b.txt", " date 2020-01-04 Another story\n")
    os.symlink(tmp_path / "private", folder / "private")
    os.symlink("inner", folder / "also")  # inside: followed (and its files named by their real path)
    result = shell("ingest", str(folder), "--db", db_path)
    assert result.returncode == 3
    assert result.stderr.splitlines()[0] == ("rejected private: a link to a folder outside the folder walked:"
                                             " not followed (--follow-links follows it)")
    assert "ingested 2, updated 0, unchanged 0, duplicates 0, rejected 1 (" in result.stderr
    with open(db_path, "rb") as archive:
        assert b"PRIVATE-DIARY" not in archive.read()
    followed = shell("ingest", str(folder), "--follow-links", "--db", db_path)
    # The link's reject goes: its reason no longer holds, and it is not gone either.
    assert followed.returncode == 0 and followed.stderr.startswith("ingested 1, updated 0, unchanged 2, duplicates 0,"
                                                                   " rejected 0 (")
    assert rows(db_path, "SELECT count(*) FROM rejects") == [(0,)]
    assert rows(db_path, "SELECT source FROM articles ORDER BY source") == [
        ("inner/b.txt",), ("private/diary.txt",), ("real.txt",)]


def test_control_characters_in_file_names_never_reach_the_terminal_or_csv(db_path, tmp_path):
    folder = os.fsencode(str(tmp_path / "names")) + b"\x1b[31m"  # a folder's name too, as stats shows it
    os.mkdir(folder)
    for raw, headline in [(b"title\x1b]0;PWNED\x07.txt", "Escape"), (b"line\n2020-01-01  Forged  [9]\n.txt", "Line"),
                          (b"no date\x1b[2J.txt", None)]:
        with open(folder + b"/" + raw, "wb") as handle:
            handle.write(f" date 2020-01-02 {headline} story of the zoo\n".encode() if headline else b"no date\n")
    ingested = shell("ingest", os.fsdecode(folder), "--db", db_path)
    assert "rejected no date\\x1b[2J.txt: no date line" in ingested.stderr
    found = shell("search", "zoo", "--db", db_path)
    assert "    line\\x0a2020-01-01  Forged  [9]\\x0a.txt\n" in found.stdout
    assert "    title\\x1b]0;PWNED\\x07.txt\n" in found.stdout
    exported = shell("export", "--format", "csv", "--db", db_path).stdout
    stats = shell("stats", "--db", db_path).stdout
    shown = shell("show", "1", "--db", db_path).stdout
    for output in (ingested.stderr, found.stdout, exported, stats, shown):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", output), output
    assert "title\\x1b]0;PWNED\\x07.txt" in exported and "no date\\x1b[2J.txt" in stats
    assert f"no date\\x1b[2J.txt (in {tmp_path / 'names'}\\x1b[31m)" in stats  # the folder's path, not another
    assert exported.count("\n") == 3  # a header and two rows: no name breaks a row in two


def test_a_reader_gone_before_an_error_is_said_is_no_bug(archive, tmp_path):
    """`news-archive show 999999 2>&1 | head` with head gone: quiet, status 141, no error file kept."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        gone = subprocess.run([sys.executable, "-m", "news_archive.cli", "show", "999999", "--db", archive],
                              stdout=write_end, stderr=write_end, timeout=60,
                              env={**os.environ, "TMPDIR": str(tmp_path)})
    finally:
        os.close(write_end)
    assert gone.returncode == 141  # as a shell reports cat or grep cut off by their reader (128 + SIGPIPE)
    assert list(tmp_path.glob("news-archive-error-*")) == []
