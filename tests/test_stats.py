"""Stats: rejects counted by kind, each kind readable on its own."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article
from news_archive.cli import cli
from news_archive.ingest import ingest
from news_archive.parse import ParseError, parse_article
from news_archive.stats import archive_stats, reason_kind

# Every reason parse.py and sources.py give, with the kind stats counts it under.
REASONS = [
    ("cannot read a date in 'bogus'", "cannot read a date"),
    ("cannot read a date in 'tomorrow: 10:30'", "cannot read a date"),
    ("date '1987-03 month only' has no day; write a full date such as 2020-06-09", "date has no day"),
    ("date 'June 2020 Body' has no day; write a full date such as 2020-06-09", "date has no day"),
    ("date '06/09/1987' is ambiguous: day and month could be either way round; write it as YYYY-MM-DD",
     "ambiguous date"),
    ("'1987-03-11T25:00' is not a real date (hour must be in 0..23)", "not a real date"),
    ("'2021-02-30' is not a real date (day is out of range for month)", "not a real date"),
    ("\"it's 2021-02-30\" is not a real date", "not a real date"),
    ("'3020-01-01' has an implausible year 3020", "implausible year"),
    ("the date line has 'date' but no date after it", "the date line has 'date' but no date after it"),
    ("no date line: the first line 'no date line here' does not start with 'date'", "no date line"),
    ("no date line: the first line 'it is not a real date (honest)' does not start with 'date'", "no date line"),
    ("empty body: the file has a date but no text", "empty body"),
    ("empty file", "empty file"),
    ("binary content: contains 1 NUL byte", "binary content"),
    ("binary content: looks like a PDF document", "binary content"),
    ("undecodable: has a UTF-16 byte order mark but is not UTF-16 (truncated data)", "undecodable"),
    ("damaged archive: not a gzip or tar file", "damaged archive"),
    ("damaged archive after 3 files: the file is cut short", "damaged archive"),
    ("cannot read from the archive: corrupt compressed data", "cannot read from the archive"),
    ("cannot read: permission denied", "cannot read"),
    ("broken link", "broken link"),
    ("file is larger than 10 MB: too big to be one article", "file is larger than 10 MB: too big to be one article"),
]


def test_a_reason_kind_is_a_readable_part_of_the_reason():
    assert [(reason, reason_kind(reason)) for reason, _ in REASONS] == REASONS


def test_a_reason_of_unknown_shape_is_its_own_kind_whole():
    assert reason_kind("size 12 (of 40) in 'x.txt' is odd: see 3") == "size 12 (of 40) in 'x.txt' is odd: see 3"


def _rejecting_folder(folder):
    write_article(folder, "bogus1.txt", " date bogus\n")
    write_article(folder, "bogus2.txt", " date nonsense 12\n")
    write_article(folder, "month.txt", " date 1987-03 month only\n")
    write_article(folder, "hour25.txt", " date 1987-03-11T25:00 hour 25\n")
    write_article(folder, "nul.txt", b" date 1987-03-17 hello\x00world\n")
    write_article(folder, "good.txt", " date 1987-03-18 A story\n")
    return folder


def test_rejects_are_counted_by_kind_with_a_whole_example(tmp_path):
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(_rejecting_folder(tmp_path / "in"))], jobs=1, analyse=False, ranked_index=False)
    conn = sqlite3.connect(db_path)
    try:
        data = archive_stats(conn)
    finally:
        conn.close()
    assert data["reject_reasons"] == [
        {"reason": "cannot read a date", "count": 2, "example": "cannot read a date in 'bogus'"},
        {"reason": "binary content", "count": 1, "example": "binary content: contains 1 NUL byte"},
        {"reason": "date has no day", "count": 1,
         "example": "date '1987-03 month only' has no day; write a full date such as 2020-06-09"},
        {"reason": "not a real date", "count": 1,
         "example": "'1987-03-11T25:00' is not a real date (hour must be in 0..23)"},
    ]


def test_stats_prints_each_kind_of_reject_readably(tmp_path):
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(_rejecting_folder(tmp_path / "in"))], jobs=1, analyse=False, ranked_index=False)
    output = CliRunner().invoke(cli, ["stats", "--db", db_path], catch_exceptions=False).output
    by_reason = output.split("rejects by reason\n", 1)[1].split("\n\n", 1)[0]
    assert by_reason.splitlines() == [
        "       2  cannot read a date",
        "       1  binary content",
        "       1  date has no day",
        "       1  not a real date",
    ]
    assert f"  nul.txt (in {(tmp_path / 'in').resolve()}): binary content: contains 1 NUL byte\n" in output


PARSE_REJECTS = [
    (" date bogus words", "cannot read a date"),
    (" date June 2020 Body", "date has no day"),
    (" date 06/09/2020 Body", "ambiguous date"),
    (" date 2021-02-30 Body", "not a real date"),
    (" date 2020-06-09T25:00 Body", "not a real date"),
    (" date 3020-01-01 Body", "implausible year"),
    (" date 2020-06-09", "empty body"),
    ("no date here", "no date line"),
]


def _reason(text):
    with pytest.raises(ParseError) as caught:
        parse_article(text, "x.txt")
    return caught.value.reason


def test_the_reasons_parse_gives_today_have_the_kinds_stats_knows():
    # Stats knows date reasons by their wording: this fails when parse.py rewords one.
    assert [(text, reason_kind(_reason(text))) for text, _ in PARSE_REJECTS] == PARSE_REJECTS


def test_articles_per_month_count_an_exact_copy_once(tmp_path):
    """As the reading room's home and archive pages do: the months add up to the originals."""
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", " date 2020-01-15 Tiger escapes\n\nA tiger escaped.\n")
    write_article(folder, "copy-of-a.txt", " date 2020-01-15 Tiger escapes\n\nA tiger escaped.\n")
    write_article(folder, "b.txt", " date 2020-02-20 Zoo budget\n\nThe zoo gets money.\n")
    db_path = str(tmp_path / "s.db")
    ingest(db_path, [str(folder)], jobs=1)
    data = archive_stats(sqlite3.connect(db_path))
    assert (data["articles"], data["originals"], data["duplicates"]) == (3, 2, 1)
    assert data["per_month"] == [{"month": "2020-01", "count": 1}, {"month": "2020-02", "count": 1}]
    assert data["per_year"] == [{"year": 2020, "count": 2}]


def test_a_reject_inside_an_archive_file_found_in_a_folder_says_the_folder(tmp_path):
    import zipfile

    folder = tmp_path / "in"
    folder.mkdir()
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.txt", " date 2020-01-01 Inside the inner zip.")
    with zipfile.ZipFile(folder / "pack.zip", "w") as z:
        z.write(inner, "inner.zip")
        z.writestr("ok.txt", " date 2020-01-01 A story.")
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(folder)], jobs=1, analyse=False, ranked_index=False)
    runner = CliRunner()
    data = json.loads(runner.invoke(cli, ["stats", "--db", db_path, "--json"], catch_exceptions=False).output)
    assert [(r["source"], r["folder"]) for r in data["rejects"]] == [("pack.zip!inner.zip", str(folder.resolve()))]
    output = runner.invoke(cli, ["stats", "--db", db_path], catch_exceptions=False).output
    assert f"  pack.zip!inner.zip (in {folder.resolve()}): an archive inside an archive is not read" in output
