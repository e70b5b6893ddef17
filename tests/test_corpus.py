"""The whole Reuters-21578 corpus: every article accepted with the date of the original."""

import re
import sqlite3
import tarfile

import pytest

from conftest import REUTERS, corpus_or_skip
from news_archive.ingest import ingest

pytestmark = pytest.mark.corpus

MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}


def original_dates() -> dict[int, str]:
    """NEWID -> ISO date, read from the original SGML files (not from the converted ones)."""
    dates = {}
    record = re.compile(rb'NEWID="(\d+)">.*?<DATE>\s*(\d{1,2})-([A-Z]{3})-(\d{4})', re.S)
    with tarfile.open(REUTERS / "original.tar.gz") as tar:
        for member in tar:
            if member.name.endswith(".sgm"):
                data = tar.extractfile(member).read()
                for newid, day, month, year in record.findall(data):
                    dates[int(newid)] = f"{int(year):04d}-{MONTHS[month.decode()]:02d}-{int(day):02d}"
    return dates


def test_reuters_ingests_completely_with_original_dates(reuters_dir, tmp_path):
    corpus_or_skip()
    db_path = str(tmp_path / "reuters.db")
    first = ingest(db_path, [str(reuters_dir)])
    assert first.rejected == []
    assert first.ingested + first.duplicates == 20841
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*), min(date), max(date) FROM articles").fetchone() == (20841, "1987-02-26", "1987-10-20")
    expected = original_dates()
    stored = conn.execute("SELECT source, date FROM articles").fetchall()
    mismatches = [(s, d, expected[int(s[5:10])]) for s, d in stored if expected[int(s[5:10])] != d]
    assert mismatches == []
    per_month = dict(conn.execute("SELECT month, count(*) FROM articles GROUP BY month"))
    assert per_month == {"1987-02": 222, "1987-03": 11490, "1987-04": 5004, "1987-06": 2539, "1987-10": 1586}
    before = conn.execute("SELECT * FROM articles ORDER BY id").fetchall()
    second = ingest(db_path, [str(reuters_dir)])
    assert second.summary() == "ingested 0, updated 0, unchanged 20841, duplicates 0, rejected 0"
    assert conn.execute("SELECT * FROM articles ORDER BY id").fetchall() == before
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_reuters_from_the_archive_file_itself(tmp_path):
    archive = corpus_or_skip()
    db_path = str(tmp_path / "tar.db")
    report = ingest(db_path, [str(archive)])
    assert (report.ingested + report.duplicates, report.rejected) == (20841, [])
    source = sqlite3.connect(db_path).execute("SELECT source FROM articles ORDER BY id LIMIT 1").fetchone()[0]
    assert source == f"{archive}!reut-00001.txt"
