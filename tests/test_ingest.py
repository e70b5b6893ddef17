"""Ingest and store: rows, rejects, idempotence, changes, duplicates, archives, crash safety."""

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import zipfile

from conftest import FIXTURES, SAMPLE, rows, write_article, write_story_versions
from news_archive import browse, store
from news_archive.ingest import analyse_archive, articles_to_analyse, ingest


def test_sample_articles_become_rows(db_path):
    report = ingest(db_path, [str(SAMPLE)], jobs=1)
    assert report.summary() == "ingested 2, updated 0, unchanged 0, duplicates 0, rejected 0"
    got = rows(db_path, "SELECT id, source, date, year, month, headline, paragraphs, words, duplicate_of,"
                        " length(sha256), updated_at FROM articles ORDER BY id")
    assert got == [
        (1, "000_733558d17a3f90df.txt", "2020-06-09", 2020, "2020-06",
         "Joseph Maldonado-Passage, popularly known as Joe Exotic from Netflix’s Tiger King series, is serving a "
         "22-year sentence in a US federal prison.", 8, 466, None, 64, None),
        (2, "001_00a32e414b8210aa.txt", "2021-03-29", 2021, "2021-03",
         "Thus far, all of Joe Exotic's ploys to get out of prison have failed.", 46, 644, None, 64, None),
    ]
    body = rows(db_path, "SELECT body FROM articles WHERE id = 2")[0][0]
    assert body == (SAMPLE / "001_00a32e414b8210aa.txt").read_text().split(" ", 3)[3].strip()


def test_every_fixture_variant(db_path):
    report = ingest(db_path, [str(FIXTURES)], jobs=1)
    assert report.summary() == "ingested 5, updated 0, unchanged 0, duplicates 0, rejected 6"
    assert rows(db_path, "SELECT source, date, headline FROM articles ORDER BY source") == [
        ("blank_lines_upper.txt", "2020-06-09", "Ministers meet in Brussels"),
        ("bom_crlf_colon.txt", "2020-06-09", "City council approves budget"),
        ("cp1252.txt", "2020-06-09", "Café owners protest new rules"),
        ("iso_time_zone.txt", "2020-06-09", "Markets close higher"),
        ("same_line_number.txt", "2020-06-09", "22 people were hurt when a bus left the road near Tulsa."),
    ]
    assert sorted(report.rejected) == [
        ("ambiguous_date.txt",
         "date '06/09/2020' is ambiguous: day and month could be either way round; write it as YYYY-MM-DD"),
        ("binary.txt", "binary content: looks like a PNG image"),
        ("empty.txt", "empty file"),
        ("empty_body.txt", "empty body: the file has a date but no text"),
        ("impossible_date.txt", "'2021-02-30' is not a real date (day is out of range for month)"),
        ("no_date.txt", "no date line: the first line 'Just some text without a date line.' does not start with 'date'"),
    ]
    stored = rows(db_path, "SELECT source, reason, raw, size, length(sha256) FROM rejects ORDER BY source")
    assert [(s, r) for s, r, *_ in stored] == sorted(report.rejected)
    for source, _, raw, size, _ in stored:
        assert raw == (FIXTURES / source).read_bytes()  # nothing lost
        assert size == len(raw)
    body = rows(db_path, "SELECT body FROM articles WHERE source = 'bom_crlf_colon.txt'")[0][0]
    assert body == "City council approves budget\n\nThe council voted 7-2 on Tuesday."
    body = rows(db_path, "SELECT body FROM articles WHERE source = 'cp1252.txt'")[0][0]
    assert body == "Café owners protest new rules\n\nThe décor stays, they said “firmly”."


def test_rerun_changes_nothing(db_path, articles_dir):
    for i in range(30):
        write_article(articles_dir, f"a{i:02d}.txt", f" date 2020-06-{i % 28 + 1:02d} Story {i}\n\nBody {i}.\n")
    write_article(articles_dir, "bad.txt", "nothing here")
    first = ingest(db_path, [str(articles_dir)], jobs=1)
    assert first.summary() == "ingested 30, updated 0, unchanged 0, duplicates 0, rejected 1"
    before = rows(db_path, "SELECT * FROM articles ORDER BY id")
    fts_before = rows(db_path, "SELECT rowid, headline FROM articles_fts ORDER BY rowid")
    second = ingest(db_path, [str(articles_dir)], jobs=1)
    assert second.summary() == "ingested 0, updated 0, unchanged 30, duplicates 0, rejected 1"
    assert second.rejected == [("bad.txt", "no date line: the first line 'nothing here' does not start with 'date'")]
    assert rows(db_path, "SELECT * FROM articles ORDER BY id") == before
    assert rows(db_path, "SELECT rowid, headline FROM articles_fts ORDER BY rowid") == fts_before


def test_touched_but_identical_file_is_unchanged(db_path, articles_dir):
    path = write_article(articles_dir, "a.txt", " date 2020-06-09 Same\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    os.utime(path, ns=(0, 1_000_000_000))
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 0, updated 0, unchanged 1, duplicates 0, rejected 0"
    assert rows(db_path, "SELECT mtime_ns FROM source_files") == [(1_000_000_000,)]


def test_changed_file_updates_its_row_and_index(db_path, articles_dir):
    path = write_article(articles_dir, "a.txt", " date 2020-06-09 Zebras escape\n\nThe zebras ran.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    (article_id, ingested_at), = rows(db_path, "SELECT id, ingested_at FROM articles")
    path.write_text(" date 2020-06-10 Giraffes escape\n\nThe giraffes ran.\n")
    os.utime(path, ns=(0, 2_000_000_000))
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 0, updated 1, unchanged 0, duplicates 0, rejected 0"
    got = rows(db_path, "SELECT id, date, headline, ingested_at, updated_at IS NOT NULL FROM articles")
    assert got == [(article_id, "2020-06-10", "Giraffes escape", ingested_at, 1)]
    match = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    assert rows(db_path, match, ("giraffes",)) == [(article_id,)]
    assert rows(db_path, match, ("zebras",)) == []
    assert rows(db_path, "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')") == []


def test_fixed_reject_is_ingested_and_leaves_rejects(db_path, articles_dir):
    path = write_article(articles_dir, "a.txt", "no date\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT source FROM rejects") == [("a.txt",)]
    path.write_text(" date 2020-06-09 Fixed\n")
    os.utime(path, ns=(0, 3_000_000_000))
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 1, updated 0, unchanged 0, duplicates 0, rejected 0"
    assert rows(db_path, "SELECT source FROM rejects") == []


def test_identical_content_elsewhere_is_a_duplicate(db_path, articles_dir):
    text = " date 2020-06-09 Wire story\n\nSame words.\n"
    write_article(articles_dir, "a/first.txt", text)
    write_article(articles_dir, "b/second.txt", text)
    write_article(articles_dir, "c/other.txt", " date 2020-06-09 Different\n")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 2, updated 0, unchanged 0, duplicates 1, rejected 0"
    assert rows(db_path, "SELECT id, source, duplicate_of FROM articles ORDER BY id") == [
        (1, "a/first.txt", None), (2, "b/second.txt", 1), (3, "c/other.txt", None),
    ]
    # When the first copy changes, the second is no longer a duplicate of it.
    (articles_dir / "a/first.txt").write_text(" date 2020-06-09 Rewritten\n")
    os.utime(articles_dir / "a/first.txt", ns=(0, 5_000_000_000))
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT id, duplicate_of FROM articles ORDER BY id") == [(1, None), (2, None), (3, None)]


def _tar_bytes(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_600_000_000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_archives_tar_gz_tgz_zip(db_path, articles_dir):
    story = lambda n: f" date 2020-06-0{n} Story {n}\n\nBody.\n".encode()
    write_article(articles_dir, "batch.tar.gz", _tar_bytes({"x/one.txt": story(1), "bad.txt": b"nope"}))
    write_article(articles_dir, "more.tgz", _tar_bytes({"two.txt": story(2)}))
    with zipfile.ZipFile(articles_dir / "batch.zip", "w") as z:
        z.writestr("three.txt", story(3))
        z.writestr("readme.md", "not an article")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 3, updated 0, unchanged 0, duplicates 0, rejected 1"
    assert rows(db_path, "SELECT source, date FROM articles ORDER BY id") == [
        ("batch.tar.gz!x/one.txt", "2020-06-01"), ("batch.zip!three.txt", "2020-06-03"), ("more.tgz!two.txt", "2020-06-02"),
    ]
    assert rows(db_path, "SELECT source FROM rejects") == [("batch.tar.gz!bad.txt",)]
    again = ingest(db_path, [str(articles_dir)], jobs=1)
    assert again.summary() == "ingested 0, updated 0, unchanged 3, duplicates 0, rejected 1"
    # A changed archive is read again: only its changed members count as updates.
    write_article(articles_dir, "more.tgz", _tar_bytes({"two.txt": story(2), "four.txt": story(4)}))
    third = ingest(db_path, [str(articles_dir)], jobs=1)
    assert third.summary() == "ingested 1, updated 0, unchanged 3, duplicates 0, rejected 1"


def test_unreadable_inputs_are_recorded(db_path, tmp_path):
    report = ingest(db_path, [str(tmp_path / "missing.txt")], jobs=1)
    assert report.rejected == [(str(tmp_path / "missing.txt"), "no such file or directory")]
    assert rows(db_path, "SELECT source, reason, raw FROM rejects") == [
        (str(tmp_path / "missing.txt"), "no such file or directory", None)
    ]


def test_parallel_ingest_matches_serial(tmp_path, articles_dir):
    for i in range(1500):
        write_article(articles_dir, f"d{i % 7}/a{i:04d}.txt", f" date 2019-{i % 12 + 1:02d}-01 Story {i}\n\nBody {i}.\n")
    write_article(articles_dir, "d0/bad.txt", "no date")
    serial, parallel = str(tmp_path / "s.db"), str(tmp_path / "p.db")
    a = ingest(serial, [str(articles_dir)], jobs=1)
    b = ingest(parallel, [str(articles_dir)], jobs=2)
    assert a.summary() == b.summary() == "ingested 1500, updated 0, unchanged 0, duplicates 0, rejected 1"
    query = "SELECT id, source, date, headline, body, sha256 FROM articles ORDER BY id"
    assert rows(serial, query) == rows(parallel, query)


def test_schema_is_detected_by_datasette_and_wal(db_path):
    ingest(db_path, [str(SAMPLE)], jobs=1)
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    fts_sql = rows(db_path, "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")[0][0]
    assert "content=\"articles\"" in fts_sql and "porter unicode61 remove_diacritics 2" in fts_sql
    db = store.open_db(db_path)
    store.ensure_schema(db)  # safe to run again
    assert db["articles"].detect_fts() == "articles_fts"


CRASH_SCRIPT = """
import sys, time
from news_archive import browse, store
real_save = store.save_batch
def slow_save(*args, **kwargs):
    counts = real_save(*args, **kwargs)
    print("batch", flush=True)
    time.sleep(0.3)
    return counts
store.save_batch = slow_save
import news_archive.ingest as ingest_module
ingest_module.BATCH_FILES = 200
ingest_module.ingest(sys.argv[1], [sys.argv[2]], jobs=1)
"""


def test_killed_ingest_leaves_a_consistent_db_and_the_next_run_completes(db_path, articles_dir, tmp_path):
    for i in range(2000):
        write_article(articles_dir, f"a{i:04d}.txt", f" date 2018-01-{i % 28 + 1:02d} Headline {i}\n\nBody {i}.\n")
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    process = subprocess.Popen([sys.executable, str(script), db_path, str(articles_dir)], stdout=subprocess.PIPE,
                               text=True)
    for _ in range(3):
        assert process.stdout.readline().strip() == "batch"
    process.send_signal(signal.SIGKILL)
    process.wait()
    saved = rows(db_path, "SELECT count(*) FROM articles")[0][0]
    assert 600 <= saved < 2000
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    rows(db_path, "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    assert rows(db_path, "SELECT count(*) FROM source_files")[0][0] == saved
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.ingested == 2000 - saved and report.unchanged == saved
    assert rows(db_path, "SELECT count(*), count(DISTINCT source) FROM articles") == [(2000, 2000)]
    assert rows(db_path, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'headline'") == [(2000,)]
    assert index_ids(db_path) == list(range(1, 2001))  # the ranked index caught up too


def index_ids(db_path, word=None):
    """Article ids the ranked index holds (matching ``word`` if given)."""
    from news_archive.query import parse_query
    from news_archive.search_index import SearchIndex, all_ids, to_tantivy

    index = SearchIndex.open(db_path)
    return sorted(all_ids(index, to_tantivy(index, parse_query(word or ""), None, None)))


def test_ranked_index_follows_changes_and_copies(db_path, articles_dir):
    write_article(articles_dir, "a.txt", " date 2020-06-09 Zebras escape\n\nThe zebras ran.\n")
    write_article(articles_dir, "b.txt", " date 2020-06-09 Zebras escape\n\nThe zebras ran.\n")  # a copy of a.txt
    write_article(articles_dir, "c.txt", " date 2020-06-10 Owls return\n\nThe owls came back.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert index_ids(db_path) == [1, 3]  # copies are not indexed
    assert index_ids(db_path, "zebra") == [1]
    (articles_dir / "a.txt").write_text(" date 2020-06-11 Giraffes escape\n\nThe giraffes ran.\n")
    os.utime(articles_dir / "a.txt", ns=(0, 7_000_000_000))
    ingest(db_path, [str(articles_dir)], jobs=1)
    # a.txt changed; b.txt, no longer a copy, is now searchable in its own right.
    assert index_ids(db_path) == [1, 2, 3]
    assert index_ids(db_path, "giraffes") == [1]
    assert index_ids(db_path, "zebras") == [2]
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]


def test_ranked_index_is_rebuilt_when_missing(db_path, articles_dir):
    for i in range(50):
        write_article(articles_dir, f"a{i}.txt", f" date 2020-06-{i % 28 + 1:02d} Story {i}\n\nBody {i}.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    shutil.rmtree(db_path + ".index")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.summary() == "ingested 0, updated 0, unchanged 50, duplicates 0, rejected 0"
    assert index_ids(db_path) == list(range(1, 51))


def test_ingest_gives_back_the_garbage_collectors_pace(tmp_path):
    import gc

    before = gc.get_threshold()
    ingest(str(tmp_path / "gc.db"), [str(SAMPLE)], jobs=1)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_copy_that_becomes_an_original_gets_its_names_and_quotes(db_path, articles_dir):
    text = ' date 2020-06-09 Wire story\n\n"We will win the vote," said Jane Smith, a senator from Ohio.\n'
    write_article(articles_dir, "a.txt", text)
    write_article(articles_dir, "b.txt", text)  # a copy: not analysed while it is one
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT article_id, speaker FROM quotes") == [(1, "Jane Smith")]
    (articles_dir / "a.txt").write_text(" date 2020-06-09 Rewritten\n\nNothing quoted now.\n")
    os.utime(articles_dir / "a.txt", ns=(0, 5_000_000_000))
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT id, duplicate_of FROM articles ORDER BY id") == [(1, None), (2, None)]
    assert rows(db_path, "SELECT article_id, speaker FROM quotes") == [(2, "Jane Smith")]
    names = rows(db_path, "SELECT n.name FROM article_names m JOIN names n ON n.id = m.name_id"
                          " WHERE m.article_id = 2 ORDER BY n.name")
    assert names == [("Jane Smith",), ("Ohio",)]


def test_a_word_processor_file_with_no_break_space_lines_keeps_its_paragraphs(db_path, articles_dir):
    # Windows-1252 with CRLF, each empty paragraph a no-break space (HTML's <p>&nbsp;</p>, saved as text).
    write_article(articles_dir, "strike.txt", b"date 2020-06-09\r\nHarbour strike\r\n\xa0\r\nMary Hart runs the"
                  b" port.\r\n\xa0\r\n\x93We will not give in,\x94 she said.\r\n\xa0\r\n\x93Talks resume on Monday,\x94"
                  b" Tom Reed said.\r\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    headline, paragraphs, body = rows(db_path, "SELECT headline, paragraphs, body FROM articles")[0]
    assert (headline, paragraphs) == ("Harbour strike", 4)
    assert body == ("Harbour strike\n\nMary Hart runs the port.\n\n\u201cWe will not give in,\u201d she said.\n\n"
                    "\u201cTalks resume on Monday,\u201d Tom Reed said.")
    # The quotation's paragraph is the article page's.
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        page = browse.article(conn, 1)
    finally:
        conn.close()
    assert [(q["paragraph"], q["speaker"]) for q in page["quotes"]] == [(2, "Mary Hart"), (3, "Tom Reed")]
    assert page["paragraph_texts"][1:] == ["\u201cWe will not give in,\u201d she said.",
                                           "\u201cTalks resume on Monday,\u201d Tom Reed said."]


def _index_name_counts(db_path: str) -> dict[int, int]:
    """Articles per name id, as the ranked index counts them for name facets."""
    import tantivy

    from news_archive.search_index import SearchIndex

    found = SearchIndex.open(db_path).searcher().aggregate(
        tantivy.Query.all_query(), {"n": {"terms": {"field": "names", "size": 10_000}}})
    return {int(bucket["key"]): bucket["doc_count"] for bucket in found["n"]["buckets"]}


def _analysis_tables(db_path: str) -> tuple:
    return (
        rows(db_path, "SELECT m.article_id, n.name, n.kind, m.mentions FROM article_names m"
                      " JOIN names n ON n.id = m.name_id ORDER BY 1, 2, 3"),
        rows(db_path, "SELECT article_id, paragraph, speaker, quote, speaker_id IS NOT NULL FROM quotes ORDER BY 1, 2, 4"),
        rows(db_path, "SELECT article_id, similar_id FROM similar_articles ORDER BY 1, 2"),
        rows(db_path, "SELECT article_id, cluster_id, size FROM clusters ORDER BY 1"),
        rows(db_path, "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'harbour OR win OR tiger'"),
    )


def test_analysing_later_gives_what_ingest_gives(tmp_path):
    folder = write_story_versions(tmp_path / "stories")
    shutil.copytree(SAMPLE, folder / "seed")
    write_article(folder, "quote.txt", ' date 2020-05-02 Vote\n\n"We will win the vote," said Jane Smith of Ohio.\n')
    analysed_at_ingest, analysed_later = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    ingest(analysed_at_ingest, [str(folder)], jobs=1)
    ingest(analysed_later, [str(folder)], jobs=1, analyse=False)
    assert rows(analysed_later, "SELECT count(*) FROM article_names")[0][0] == 0
    assert articles_to_analyse(sqlite3.connect(analysed_later)) == list(range(1, 10))

    report = analyse_archive(analysed_later, jobs=1)

    assert report.analysed == 9 and report.quotes == rows(analysed_later, "SELECT count(*) FROM quotes")[0][0]
    assert report.near_duplicates == 3 and report.names_dropped == 0
    expected = _analysis_tables(analysed_at_ingest)
    assert expected[0] and expected[1] and expected[2]  # names, quotes and near-duplicates to compare
    assert _analysis_tables(analysed_later) == expected
    names_in_sql = dict(rows(analysed_later, "SELECT name_id, count(*) FROM article_names GROUP BY name_id"))
    assert _index_name_counts(analysed_later) == names_in_sql  # name facets and name pages see them
    # Short reports with no name hold nothing after any analysis; the ingest that analysed them
    # remembers so as well as analyse does: analyse has nothing left to do after either.
    for analysed in (analysed_at_ingest, analysed_later):
        assert articles_to_analyse(sqlite3.connect(analysed)) == []
        assert rows(analysed, "SELECT article_id FROM analysed_empty ORDER BY 1") == [(2,), (4,), (6,)]
        assert analyse_archive(analysed, jobs=1).analysed == 0
    # A changed file is looked at again.
    (folder / "2.txt").write_text(' date 2020-05-02 Harbour story 2\n\n"We will sail," said Jane Smith.\n')
    os.utime(folder / "2.txt", ns=(0, 7_000_000_000))
    ingest(analysed_later, [str(folder)], jobs=1, analyse=False)
    assert articles_to_analyse(sqlite3.connect(analysed_later)) == [2]
    assert analyse_archive(analysed_later, jobs=1).quotes == 1
    # Edited into a story that names someone, and analysed at ingest: it is no longer empty.
    ingest(analysed_at_ingest, [str(folder)], jobs=1)
    assert rows(analysed_at_ingest, "SELECT article_id FROM analysed_empty ORDER BY 1") == [(4,), (6,)]
    assert analyse_archive(analysed_at_ingest, jobs=1).analysed == 0


def test_analysing_everything_again_replaces_what_an_older_analysis_found(db_path, articles_dir):
    write_article(articles_dir, "a.txt", ' date 2020-06-09 Oil\n\n"Prices will rise," said Jane Smith in Saudi Arabia.\n')
    write_article(articles_dir, "b.txt", " date 2020-06-10 Grain\n\nWheat exports from Canada rose.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    fresh = _analysis_tables(db_path)
    # What an older version might have found: a wrong name, a lost quote, a name of no article.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO names (id, name, kind) VALUES (900, 'Arabia', 'organization')")
        conn.execute("INSERT INTO names (id, name, kind) VALUES (901, 'Nobody', 'person')")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions) VALUES (1, 900, 1)")
        conn.execute("DELETE FROM quotes")
    conn.close()
    nothing_to_do = analyse_archive(db_path, jobs=1)  # every article holds something
    assert nothing_to_do.analysed == 0 and nothing_to_do.names_dropped == 1  # "Nobody"

    report = analyse_archive(db_path, everything=True, jobs=1)

    assert report.analysed == 2 and report.names_dropped == 1  # "Arabia"
    assert _analysis_tables(db_path) == fresh
    assert rows(db_path, "SELECT count(*) FROM names WHERE id IN (900, 901)") == [(0,)]
    assert 900 not in _index_name_counts(db_path)


def test_analysing_later_in_worker_processes(tmp_path):
    folder = tmp_path / "many"
    people = ["Jane Smith", "Peter Donis", "Carole Baskin", "James Baker"]
    for number in range(700):  # enough for a pool of workers
        person = people[number % 4]
        write_article(folder, f"{number:03d}.txt",
                      f" date 2020-01-{number % 28 + 1:02d} Report {number}\n\n\"Trade will grow by {number} tonnes,\""
                      f" said {person}, a minister from Canada, in Paris on Tuesday.\n")
    at_ingest, later = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    ingest(at_ingest, [str(folder)], jobs=2)
    ingest(later, [str(folder)], jobs=2, analyse=False)
    report = analyse_archive(later, jobs=2)
    assert report.analysed == 700 and report.quotes == 700
    assert _analysis_tables(later) == _analysis_tables(at_ingest)


def _names_by_article(db_path: str) -> list[tuple]:
    return rows(db_path, "SELECT m.article_id, n.name, n.kind, m.mentions FROM article_names m"
                         " JOIN names n ON n.id = m.name_id ORDER BY 1, 2")


def test_one_name_however_written_is_one_entry(db_path, articles_dir):
    write_article(articles_dir, "a.txt", " date 2020-06-09 Oil\n\nOfficials of Opec met in Vienna. The U.S. and"
                                         " Opec disagree, the United States said.\n")
    write_article(articles_dir, "b.txt", " date 2020-06-10 Oil again\n\nOPEC ministers met in Vienna on Monday."
                                         " US officials said the USA would wait.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    # Shown as the archive spells it: a well-known name by its usual spelling.
    assert rows(db_path, "SELECT name, kind FROM names WHERE name IN ('Opec', 'OPEC', 'U.S.', 'US', 'USA',"
                         " 'United States') ORDER BY name") == [("OPEC", "organization"), ("United States", "place")]
    assert _names_by_article(db_path) == [
        (1, "OPEC", "organization", 2), (1, "United States", "place", 2), (1, "Vienna", "place", 1),
        (2, "OPEC", "organization", 1), (2, "United States", "place", 2), (2, "Vienna", "place", 1),
    ]
    # The ranked index holds each article's name once, so a name facet counts articles.
    opec = rows(db_path, "SELECT id FROM names WHERE name = 'OPEC'")[0][0]
    assert _index_name_counts(db_path)[opec] == 2


def test_a_name_first_seen_in_capitals_is_shown_as_written_later(db_path, articles_dir):
    write_article(articles_dir, "a.txt", " date 2020-06-09 Mining\n\nA unit of RIO TINTO-ZINC CORP PLC said on"
                                         " Monday it would close.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT name FROM names") == [("RIO TINTO-ZINC CORP PLC",)]
    write_article(articles_dir, "b.txt", " date 2020-06-10 Mining\n\nRio Tinto-Zinc Corp PLC said on Tuesday"
                                         " it would not close.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT id, name FROM names") == [(1, "Rio Tinto-Zinc Corp PLC")]
    assert rows(db_path, "SELECT article_id, name_id FROM article_names ORDER BY 1") == [(1, 1), (2, 1)]


def test_an_archive_of_version_3_gets_its_spellings_joined(db_path, articles_dir):
    """Before version 4 every spelling was an entry of its own: upgrading joins them,
    adds up mentions, moves quotations and queues the articles for the ranked index."""
    write_article(articles_dir, "a.txt", ' date 2020-06-09 Chemicals\n\n"We will cut output," Karl Schmidt said in'
                                         " Vienna. BASF AG agreed.\n")
    write_article(articles_dir, "b.txt", " date 2020-06-10 Chemicals again\n\nBasf AG met in Vienna and the U.S."
                                         " waited. The United States said nothing.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    first = _names_by_article(db_path)
    assert (2, "BASF AG", "organization", 1) in first and (2, "United States", "place", 2) in first
    # Make it as version 3 left it: each spelling its own name.
    conn = sqlite3.connect(db_path)
    with conn:
        basf, weber, states = (conn.execute("SELECT id FROM names WHERE name = ?", (name,)).fetchone()[0]
                               for name in ("BASF AG", "Karl Schmidt", "United States"))
        conn.execute("UPDATE names SET name = 'U.S.' WHERE id = ?", (states,))
        conn.execute("UPDATE names SET name = 'KARL SCHMIDT' WHERE id = ?", (weber,))
        conn.execute("INSERT INTO names (id, name, kind) VALUES (100, 'Basf AG', 'organization'),"
                     " (101, 'United States', 'place'), (102, 'Karl Schmidt', 'person')")
        conn.execute("UPDATE article_names SET name_id = 100 WHERE article_id = 2 AND name_id = ?", (basf,))
        conn.execute("UPDATE article_names SET mentions = 1 WHERE article_id = 2 AND name_id = ?", (states,))
        conn.execute("INSERT INTO article_names VALUES (2, 101, 1)")
        conn.execute("UPDATE quotes SET speaker_id = 102")
        conn.execute("PRAGMA user_version = 3")
    conn.close()

    from news_archive.ingest import upgrade

    upgrade(db_path)

    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert _names_by_article(db_path) == first
    assert rows(db_path, "SELECT id FROM names WHERE id >= 100") == []
    assert rows(db_path, "SELECT speaker, speaker_id FROM quotes") == [("Karl Schmidt", weber)]
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]  # the ranked index caught up
    counts = _index_name_counts(db_path)
    assert counts[basf] == 2 and counts[states] == 1 and 100 not in counts and 101 not in counts


def test_an_organisations_british_and_american_spellings_are_one_name_also_in_an_archive_of_version_7(
        db_path, articles_dir):
    write_article(articles_dir, "a.txt", " date 2020-06-09 Coffee\n\nThe International Coffee Organisation met in"
                                         " London on Monday.\n")
    write_article(articles_dir, "b.txt", " date 2020-06-10 Coffee again\n\nThe International Coffee Organization"
                                         " said quotas would stay.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT n.name, count(*) FROM article_names a JOIN names n ON n.id = a.name_id"
                         " WHERE n.name LIKE 'International Coffee%' GROUP BY n.id") == [
        ("International Coffee Organisation", 2)]
    # As version 7 left them: two entries.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO names (id, name, kind) VALUES (200, 'International Coffee Organization', 'organization')")
        conn.execute("UPDATE article_names SET name_id = 200 WHERE article_id = 2"
                     " AND name_id = (SELECT id FROM names WHERE name = 'International Coffee Organisation')")
        conn.execute("PRAGMA user_version = 7")
    conn.close()
    from news_archive.ingest import upgrade

    upgrade(db_path)
    assert rows(db_path, "SELECT n.name, count(*) FROM article_names a JOIN names n ON n.id = a.name_id"
                         " WHERE n.name LIKE 'International Coffee%' GROUP BY n.id") == [
        ("International Coffee Organisation", 2)]
    assert rows(db_path, "SELECT old_id FROM name_redirects") == [(200,)]


_RATINGS = (
    " date 2020-06-09 Ratings\n\nMoody’s Investors Service Inc said on Monday it cut the rating. Jim O’Neill"
    " agreed in Zurich, and Jose Nunez said so.\n",
    " date 2020-06-10 Ratings again\n\nMoody's Investors Service Inc said on Tuesday it raised it. Jim O'Neill"
    " disagreed in Zürich, and José Núñez said no.\n",
    " date 2020-06-11 Ratings once more\n\nMoody's Investors Service Inc said on Wednesday that Moody’s Investors"
    " Service Inc would wait.\n",
)


def test_a_name_with_accents_or_typographic_apostrophes_and_without_is_one_name(db_path, articles_dir):
    """Modern copy writes "Moody’s" and "Zürich", older copy "Moody's" and "Zurich": one name each,
    shown with its accents and a straight apostrophe whichever came first."""
    for number, text in enumerate(_RATINGS):
        write_article(articles_dir, f"{number}.txt", text)
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert _names_by_article(db_path) == [
        (1, "Jim O'Neill", "person", 1), (1, "José Núñez", "person", 1),
        (1, "Moody's Investors Service Inc", "organization", 1), (1, "Zürich", "place", 1),
        (2, "Jim O'Neill", "person", 1), (2, "José Núñez", "person", 1),
        (2, "Moody's Investors Service Inc", "organization", 1), (2, "Zürich", "place", 1),
        (3, "Moody's Investors Service Inc", "organization", 2),  # both spellings' mentions
    ]
    assert rows(db_path, "SELECT name, folded FROM names ORDER BY id") == [
        ("Moody's Investors Service Inc", "moody's investors service inc"), ("Jim O'Neill", "jim o'neill"),
        ("Zürich", "zurich"), ("José Núñez", "jose nunez")]
    moodys = rows(db_path, "SELECT id FROM names WHERE name LIKE 'Moody%'")[0][0]
    assert _index_name_counts(db_path)[moodys] == 3


def test_an_archive_of_version_9_gets_its_accents_and_apostrophes_joined(db_path, articles_dir):
    """Before version 10 a spelling with accents or a typographic apostrophe was a name of its own,
    and names had no folded spelling: upgrading joins them, as version 4 joined capitals, keeps
    the old ids as redirects, gives the ranked index the new ids and fills names.folded."""
    for number, text in enumerate(_RATINGS[:2]):
        write_article(articles_dir, f"{number}.txt", text)
    ingest(db_path, [str(articles_dir)], jobs=1)
    first = _names_by_article(db_path)
    moodys, oneill, zurich, nunez = (rows(db_path, "SELECT id FROM names WHERE name = ?", (name,))[0][0] for name in (
        "Moody's Investors Service Inc", "Jim O'Neill", "Zürich", "José Núñez"))
    # As version 9 left it: the first article's spellings apart, shown as they were written.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany("INSERT INTO names (id, name, kind) VALUES (?, ?, ?)", [
            (300, "Moody’s Investors Service Inc", "organization"), (301, "Jim O’Neill", "person")])
        conn.execute("UPDATE names SET name = 'Zurich' WHERE id = ?", (zurich,))
        conn.execute("UPDATE names SET name = 'Jose Nunez' WHERE id = ?", (nunez,))
        conn.execute("INSERT INTO names (id, name, kind) VALUES (302, 'Zürich', 'place'),"
                     " (303, 'José Núñez', 'person')")
        for old, new in ((moodys, 300), (oneill, 301), (zurich, 302), (nunez, 303)):
            conn.execute("UPDATE article_names SET name_id = ? WHERE article_id = ? AND name_id = ?",
                         (new, 1 if new < 302 else 2, old))
        conn.execute("INSERT INTO name_aliases VALUES ('núñez', 'person', 'Núñez', 303, 299, 4,"
                     " '2026-12-01T00:00:00Z')")
        conn.execute("ALTER TABLE names DROP COLUMN folded")
        conn.execute("PRAGMA user_version = 9")
    conn.close()
    # An archive not brought up to date yet is still read (a search of names as before).
    reader = store.connect_readonly(db_path)
    assert [n["name"] for n in browse.names_directory(reader, "zür")["names"]] == ["Zürich"]
    reader.close()

    from news_archive.ingest import upgrade

    upgrade(db_path)

    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert _names_by_article(db_path) == first
    assert rows(db_path, "SELECT id, name, folded FROM names ORDER BY id") == [
        (moodys, "Moody's Investors Service Inc", "moody's investors service inc"),
        (oneill, "Jim O'Neill", "jim o'neill"), (zurich, "Zürich", "zurich"), (nunez, "José Núñez", "jose nunez")]
    assert rows(db_path, "SELECT old_id, name_id FROM name_redirects ORDER BY 1") == [
        (300, moodys), (301, oneill), (302, zurich), (303, nunez)]
    assert rows(db_path, "SELECT alias, spelled, name_id FROM name_aliases") == [("nunez", "Núñez", nunez)]
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]  # the ranked index caught up
    counts = _index_name_counts(db_path)
    assert [counts.get(i) for i in (moodys, oneill, zurich, nunez, 300, 301, 302, 303)] == [2, 2, 2, 2] + [None] * 4
    reader = store.connect_readonly(db_path)
    assert [n["name"] for n in browse.names_directory(reader, "nunez")["names"]] == ["José Núñez"]
    assert [n["name"] for n in browse.names_called(reader, "NÚÑEZ")] == ["José Núñez"]  # its alias
    reader.close()


def test_an_archive_of_version_4_gets_the_state_abbreviations_joined(db_path, articles_dir):
    """Version 5 knows "Calif." is California: an older archive's separate entries are joined."""
    write_article(articles_dir, "a.txt", " date 2020-06-09 Quakes\n\nA quake hit Fresno, Calif., on Monday.\n")
    write_article(articles_dir, "b.txt", " date 2020-06-10 Quakes again\n\nCalifornia said the damage was small.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert ("California", "place") in rows(db_path, "SELECT name, kind FROM names")
    assert rows(db_path, "SELECT count(*) FROM article_names a JOIN names n ON n.id = a.name_id"
                         " WHERE n.name = 'California'") == [(2,)]
    # As version 4 left it: "Calif." an entry of its own.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO names (id, name, kind) VALUES (100, 'Calif.', 'place')")
        conn.execute("UPDATE article_names SET name_id = 100 WHERE article_id = 1"
                     " AND name_id = (SELECT id FROM names WHERE name = 'California')")
        conn.execute("PRAGMA user_version = 4")
    conn.close()

    from news_archive.ingest import upgrade

    upgrade(db_path)

    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert rows(db_path, "SELECT name FROM names WHERE name LIKE 'Calif%'") == [("California",)]
    # The old id leads to the name it joined: links and feeds made with it keep working.
    assert rows(db_path, "SELECT r.old_id, n.name FROM name_redirects r JOIN names n ON n.id = r.name_id") == [
        (100, "California")]
    assert rows(db_path, "SELECT count(*) FROM article_names a JOIN names n ON n.id = a.name_id"
                         " WHERE n.name = 'California'") == [(2,)]
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]


def test_an_archive_of_version_6_gets_phrases_and_its_speakers_linked(db_path, articles_dir):
    from click.testing import CliRunner

    from news_archive.cli import cli
    from news_archive.ingest import upgrade
    from news_archive.search import PHRASE_FALLBACK_NOTE

    write_article(articles_dir, "a.txt", ' date 2020-01-01 Pennzoil talks stall\n\n"We will not sell the unit at that'
                                         ' price," Pennzoil Co said on Monday. The tiger enclosure is planned.\n')
    write_article(articles_dir, "b.txt", " date 2020-01-02 Zoo news\n\nThe enclosure of the tiger is old.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT q.speaker, n.name, n.kind FROM quotes q JOIN names n ON n.id = q.speaker_id") == [
        ("Pennzoil Co", "Pennzoil Co", "organization")]
    # As version 6 left it: indexes without word positions, and only people linked as speakers.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executescript("""
            DROP TRIGGER articles_fts_update; DROP TRIGGER articles_fts_delete; DROP TRIGGER quotes_fts_delete;
            DROP TABLE articles_fts; DROP TABLE quotes_fts;
            CREATE VIRTUAL TABLE articles_fts USING FTS5 (headline, body, tokenize='porter unicode61 remove_diacritics 2',
              detail=column, content="articles");
            CREATE VIRTUAL TABLE quotes_fts USING FTS5 ("quote", speaker, tokenize='porter unicode61 remove_diacritics 2',
              detail=column, content="quotes");
            INSERT INTO articles_fts (articles_fts) VALUES ('rebuild'); INSERT INTO quotes_fts (quotes_fts) VALUES ('rebuild');
            UPDATE quotes SET speaker_id = NULL; PRAGMA user_version = 6;""")
    conn.close()
    assert not store.fts_has_positions(sqlite3.connect(db_path))
    shutil.rmtree(db_path + ".index")  # searched through SQLite's index, as without the ranked one
    old = CliRunner().invoke(cli, ["search", '"tiger enclosure"', "--db", db_path])
    assert f"note: {PHRASE_FALLBACK_NOTE}" in old.output and "of 2 matches" in old.output  # the words, anywhere

    upgrade(db_path)

    conn = sqlite3.connect(db_path)
    assert store.fts_has_positions(conn) and store.fts_has_positions(conn, "quotes_fts")
    assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"tiger enclosure\"'").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH '\"not sell\"'").fetchone() == (1,)
    assert conn.execute("SELECT n.name FROM quotes q JOIN names n ON n.id = q.speaker_id").fetchall() == [("Pennzoil Co",)]
    conn.close()
    new = CliRunner().invoke(cli, ["search", '"tiger enclosure"', "--db", db_path])
    assert PHRASE_FALLBACK_NOTE not in new.output and "1-1 of 1 matches" in new.output
    # The triggers are back: an edit reaches the index.
    write_article(articles_dir, "b.txt", " date 2020-01-02 Zoo news\n\nThe tiger enclosure is old.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"tiger enclosure\"'") == [(2,)]


def test_files_gone_from_a_folder_are_noted_and_their_articles_kept(db_path, articles_dir):
    for n in (1, 2, 3):
        write_article(articles_dir, f"sub/a{n}.txt", f" date 2020-01-0{n} Article {n} of three.")
    with zipfile.ZipFile(articles_dir / "batch.zip", "w") as z:
        z.writestr("in/z1.txt", " date 2020-02-01 Zipped one.")
        z.writestr("in/z2.txt", " date 2020-02-02 Zipped two.")
    assert ingest(db_path, [str(articles_dir)], jobs=1).gone == []  # nothing known yet, nothing gone
    (articles_dir / "sub" / "a2.txt").unlink()
    (articles_dir / "batch.zip").unlink()
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.gone == [store.GoneFile("batch.zip", str(articles_dir), "archive"),
                           store.GoneFile("sub/a2.txt", str(articles_dir))]
    assert report.summary() == "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0, gone 2"
    assert rows(db_path, "SELECT count(*) FROM articles") == [(5,)]  # nothing is lost
    assert rows(db_path, "SELECT source, folder FROM gone_sources ORDER BY source") == [
        ("batch.zip", str(articles_dir.resolve())), ("sub/a2.txt", str(articles_dir.resolve()))]
    # Said once, remembered: the next ingest reports nothing new, the table still holds both.
    assert ingest(db_path, [str(articles_dir)], jobs=1).gone == []
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(2,)]
    # A file that comes back is not gone any more.
    write_article(articles_dir, "sub/a2.txt", " date 2020-01-02 Article 2 of three.")
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary().endswith("rejected 0")
    assert rows(db_path, "SELECT source FROM gone_sources") == [("batch.zip",)]


def test_members_gone_from_a_changed_archive_are_noted_and_their_articles_kept(db_path, articles_dir):
    pack = articles_dir / "pack.zip"

    def zip_of(*names):
        with zipfile.ZipFile(pack, "w") as z:
            for name in names:
                z.writestr(name, f" date 2020-02-01 Story {name}\n\nIts body.\n")
        os.utime(pack, ns=(os.stat(pack).st_mtime_ns, os.stat(pack).st_mtime_ns + 10**9))  # a new mtime

    zip_of("a.txt", "b.txt", "c.txt")
    ingest(db_path, [str(articles_dir)], jobs=1)
    zip_of("a.txt", "c.txt", "d.txt")  # b.txt taken out, d.txt added
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.gone == [store.GoneFile("pack.zip!b.txt", "pack.zip")]
    assert report.summary() == "ingested 1, updated 0, unchanged 2, duplicates 0, rejected 0, gone 1"
    assert rows(db_path, "SELECT count(*) FROM articles") == [(4,)]  # b.txt's article stays
    assert rows(db_path, "SELECT source, folder FROM gone_sources") == [("pack.zip!b.txt", "pack.zip")]
    # Said once: the archive changing again does not say it again; coming back clears it.
    zip_of("a.txt", "c.txt", "d.txt", "e.txt")
    assert ingest(db_path, [str(articles_dir)], jobs=1).gone == []
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(1,)]
    zip_of("a.txt", "b.txt", "c.txt", "d.txt", "e.txt")
    assert ingest(db_path, [str(articles_dir)], jobs=1).gone == []
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]


def test_a_damaged_archive_says_none_of_its_members_gone(db_path, articles_dir):
    pack = articles_dir / "pack.tar.gz"
    with tarfile.open(pack, "w:gz") as tar:
        for name in ("a.txt", "b.txt", "c.txt"):
            data = f" date 2020-02-01 Story {name}\n\nIts body.\n".encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    ingest(db_path, [str(articles_dir)], jobs=1)
    whole = pack.read_bytes()
    pack.write_bytes(whole[: len(whole) // 2])  # cut short: what comes after the cut was not seen
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.gone == [] and [source for source, _ in report.rejected] == ["pack.tar.gz"]
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]


def test_reread_sees_an_edit_that_kept_size_and_time_and_parses_rejects_again(db_path, articles_dir, monkeypatch):
    from news_archive import ingest as ingester

    story = write_article(articles_dir, "a.txt", " date 2020-01-01 First one.")
    write_article(articles_dir, "b.txt", " date 2020-01-02 Second one.")
    real_parse = ingester.parse_bytes
    # As an older news-archive that could not read b.txt would have left it: a reject.
    monkeypatch.setattr(ingester, "parse_bytes",
                        lambda source, raw: "an older reason" if source == "b.txt" else real_parse(source, raw))
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary().endswith("rejected 1")
    monkeypatch.setattr(ingester, "parse_bytes", real_parse)
    stat = os.stat(story)
    story.write_text(" date 2020-01-01 Frist one.")  # a typo, same size, and the time put back
    os.utime(story, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    plain = ingest(db_path, [str(articles_dir)], jobs=1)
    assert (plain.updated, plain.unchanged, plain.still_rejected) == (0, 1, [("b.txt", "an older reason")])
    again = ingest(db_path, [str(articles_dir)], jobs=1, reread=True)
    assert again.summary() == "ingested 1, updated 1, unchanged 0, duplicates 0, rejected 0"
    assert rows(db_path, "SELECT source, headline FROM articles ORDER BY source") == [
        ("a.txt", "Frist one."), ("b.txt", "Second one.")]
    assert rows(db_path, "SELECT count(*) FROM rejects") == [(0,)]
    # Nothing changed since: a reread reads everything and finds everything unchanged.
    assert ingest(db_path, [str(articles_dir)], jobs=1, reread=True).summary() == \
        "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0"


def test_other_folders_and_globs_do_not_make_files_gone(db_path, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_article(first, "a.txt", " date 2020-01-01 In the first folder.")
    write_article(first, "notes.md", " date 2020-01-03 Kept as markdown.")
    write_article(second, "b.txt", " date 2020-01-02 In the second folder.")
    ingest(db_path, [str(first)], jobs=1)
    assert ingest(db_path, [str(second)], jobs=1).gone == []  # first's a.txt is not second's to lose
    assert ingest(db_path, [str(first)], jobs=1, pattern="*.md").gone == []  # another glob, another listing
    assert ingest(db_path, [str(first)], jobs=1).gone == []
    # A folder given by another path to the same place is the same folder.
    (first / "a.txt").unlink()
    report = ingest(db_path, [str(tmp_path / "second" / ".." / "first")], jobs=1)
    assert [g.source for g in report.gone] == ["a.txt"]


def test_a_folder_walked_only_in_part_says_nothing_is_gone(db_path, articles_dir):
    write_article(articles_dir, "a.txt", " date 2020-01-01 One.")
    ingest(db_path, [str(articles_dir)], jobs=1)
    conn = sqlite3.connect(db_path)
    try:
        partial = store.FolderWalk(str(articles_dir.resolve()), str(articles_dir), "*.txt")
        partial.complete = False  # as when a subfolder cannot be listed
        assert store.record_folders(conn, [partial], store.utc_now()) == []
        complete = store.FolderWalk(str(articles_dir.resolve()), str(articles_dir), "*.txt")
        assert store.record_folders(conn, [complete], store.utc_now()) == [store.GoneFile("a.txt", str(articles_dir))]
    finally:
        conn.close()


def test_searches_do_not_miss_what_the_ranked_index_has_not_caught_up_with(db_path, articles_dir, tmp_path):
    """As after an ingest killed before its index caught up: the archive holds articles the index
    does not. Searches use SQLite's full-text index then, and say why, rather than miss them."""
    import asyncio

    from click.testing import CliRunner

    from news_archive.cli import cli
    from news_archive.web.app import make_datasette

    write_article(articles_dir, "a.txt", " date 2020-06-09 Cocoa prices rise\n\nThe cocoa market rallied.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    write_article(tmp_path / "later", "b.txt", " date 2020-06-10 More cocoa news\n\nCocoa again.\n")
    ingest(db_path, [str(tmp_path / "later")], jobs=1, ranked_index=False)  # the index is not fed
    result = CliRunner().invoke(cli, ["search", "cocoa", "--db", db_path])
    assert "1-2 of 2 matches for: cocoa" in result.output
    assert "note: the fast search index does not hold every article yet" in result.output

    async def web():
        datasette = make_datasette(db_path)
        await datasette.invoke_startup()
        return (await datasette.client.get("/search.json?q=cocoa")).json()

    data = asyncio.run(web())
    assert data["total"] == 2 and any("does not hold every article yet" in note for note in data["notes"])
    ingest(db_path, [str(articles_dir), str(tmp_path / "later")], jobs=1)  # an ingest catches the index up
    caught_up = CliRunner().invoke(cli, ["search", "cocoa", "--db", db_path]).output
    assert "1-2 of 2 matches" in caught_up and "note:" not in caught_up


def test_files_of_two_folders_with_the_same_names_are_both_kept(db_path, tmp_path):
    first, second = tmp_path / "paperA", tmp_path / "paperB"
    write_article(first, "001.txt", " date 2019-01-01 Paper A story one\n\nalpha body.\n")
    write_article(second, "001.txt", " date 2020-01-01 Paper B story one\n\nbeta body.\n")
    write_article(first, "002.txt", " date 2020-01-02 The same in both\n\nsame body.\n")
    write_article(second, "002.txt", " date 2020-01-02 The same in both\n\nsame body.\n")
    report = ingest(db_path, [str(first), str(second)], jobs=1)
    assert report.renamed == [("001.txt", "paperB/001.txt"), ("002.txt", "paperB/002.txt")]
    assert rows(db_path, "SELECT source, headline FROM articles WHERE duplicate_of IS NULL ORDER BY id") == [
        ("001.txt", "Paper A story one"), ("002.txt", "The same in both"), ("paperB/001.txt", "Paper B story one")]
    # Again, in either order, together or alone: nothing changes.
    for paths in ([first, second], [second, first], [second], [first]):
        again = ingest(db_path, [str(p) for p in paths], jobs=1)
        assert (again.ingested, again.updated, again.duplicates, again.renamed, again.gone) == (0, 0, 0, [], []), paths
    # A folder ingested after the others gets its folder's name too; the same bytes are a copy of its own.
    third = tmp_path / "paperC"
    write_article(third, "001.txt", " date 2021-01-01 Paper C story one\n\ngamma body.\n")
    write_article(third, "002.txt", " date 2020-01-02 The same in both\n\nsame body.\n")
    later = ingest(db_path, [str(third)], jobs=1)
    assert later.renamed == [("001.txt", "paperC/001.txt"), ("002.txt", "paperC/002.txt")]
    assert (later.updated, later.duplicates) == (0, 1)
    assert rows(db_path, "SELECT count(*) FROM articles WHERE source = '001.txt' AND headline = 'Paper A story one'") == [(1,)]


def _stored(db_path) -> list:
    return rows(db_path, "SELECT id, source, headline FROM articles ORDER BY id")


def test_three_folders_of_one_name_keep_their_own_files_in_every_order(db_path, tmp_path):
    import itertools

    folders = [tmp_path / year / "clippings" for year in ("2019", "2020", "2021")]
    for folder, text in zip(folders, ("Clipping from 2019", "Longer clipping from 2020", "Even longer from 2021")):
        write_article(folder, "001.txt", f" date {folder.parent.name}-01-01 {text} about the harbour.\n")
    first = ingest(db_path, [str(f) for f in folders], jobs=1)
    assert (first.ingested, first.updated) == (3, 0)
    assert first.renamed == [("001.txt", "clippings/001.txt"), ("001.txt", "2021/clippings/001.txt")]
    stored = _stored(db_path)
    assert stored == [(1, "001.txt", "Clipping from 2019 about the harbour."),
                      (2, "clippings/001.txt", "Longer clipping from 2020 about the harbour."),
                      (3, "2021/clippings/001.txt", "Even longer from 2021 about the harbour.")]
    for order in [*itertools.permutations(folders), folders[1:], folders[2:], folders[:1]]:
        again = ingest(db_path, [str(f) for f in order], jobs=1)
        assert again.summary() == f"ingested 0, updated 0, unchanged {len(order)}, duplicates 0, rejected 0", order
        assert again.renamed == [] and _stored(db_path) == stored, order
    assert rows(db_path, "SELECT count(*) FROM article_versions") == [(0,)]
    # A fourth folder of the name, and a folder whose own file has the name given to another folder's.
    fourth = tmp_path / "2022" / "clippings"
    write_article(fourth, "001.txt", " date 2022-01-01 From 2022.\n")
    every = tmp_path / "every"
    write_article(every / "clippings", "001.txt", " date 2023-01-01 A real clippings/001.txt.\n")
    more = ingest(db_path, [str(f) for f in (every, fourth, *folders)], jobs=1)
    assert more.renamed == [("clippings/001.txt", "every/clippings/001.txt"), ("001.txt", "2022/clippings/001.txt")]
    assert (more.ingested, more.updated, more.unchanged) == (2, 0, 3)
    assert len({source for _, source, _ in _stored(db_path)}) == 5
    assert ingest(db_path, [str(f) for f in (fourth, *folders, every)], jobs=1).unchanged == 5


def test_two_folders_each_holding_an_archive_of_one_name(db_path, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        with zipfile.ZipFile(tmp_path / folder / "pack.zip", "w") as z:
            z.writestr("x.txt", f" date 2020-01-01 Member of {folder}/pack.zip about the lighthouse.\n")
    paths = [str(tmp_path / "a"), str(tmp_path / "b")]
    first = ingest(db_path, paths, jobs=1)
    assert (first.ingested, first.updated, first.renamed) == (2, 0, [("pack.zip", "b/pack.zip")])
    stored = rows(db_path, "SELECT source, headline FROM articles ORDER BY id")
    assert stored == [("pack.zip!x.txt", "Member of a/pack.zip about the lighthouse."),
                      ("b/pack.zip!x.txt", "Member of b/pack.zip about the lighthouse.")]
    for order in (paths, paths[::-1], paths[1:], paths):
        again = ingest(db_path, order, jobs=1)
        assert (again.ingested, again.updated, again.gone, again.renamed) == (0, 0, [], []), order
        assert again.unchanged == len(order)
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]
    assert rows(db_path, "SELECT source, headline FROM articles ORDER BY id") == stored


def test_an_archive_of_the_previous_naming_is_ingested_again_without_a_change(db_path, tmp_path):
    """Before names were decided by folder records alone, a later folder's file with the same bytes as
    another folder's took its name: both folders' records hold it. Those names are kept, until one
    of the two files changes: it then takes a name of its own, and the other keeps the article."""
    from news_archive.sources import source_key

    first, second = tmp_path / "paperA", tmp_path / "paperC"
    write_article(first, "001.txt", " date 2019-01-01 Paper A story one\n\nalpha body.\n")
    write_article(first, "002.txt", " date 2020-01-02 The same in both\n\nsame body.\n")
    ingest(db_path, [str(first)], jobs=1)
    write_article(second, "001.txt", " date 2021-01-01 Paper C story one\n\ngamma body.\n")
    shared = write_article(second, "002.txt", " date 2020-01-02 The same in both\n\nsame body.\n")
    ingest(db_path, [str(second)], jobs=1)
    # As the previous ingest left it: paperC's 002.txt under paperA's name, in paperC's record too.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM articles WHERE source = 'paperC/002.txt'")
        conn.execute("DELETE FROM source_files WHERE source = 'paperC/002.txt'")
        keys = sorted(source_key(name) for name in ("paperC/001.txt", "002.txt"))
        conn.execute("UPDATE folders SET keys = ? WHERE path = ?",
                     (b"".join(key.to_bytes(8, "little") for key in keys), str(second)))
    conn.close()
    before = _stored(db_path)
    assert [source for _, source, _ in before] == ["001.txt", "002.txt", "paperC/001.txt"]
    for order in ([first, second], [second, first], [second]):
        again = ingest(db_path, [str(p) for p in order], jobs=1)
        assert (again.ingested, again.updated, again.duplicates, again.gone, again.renamed) == (0, 0, 0, [], []), order
    assert _stored(db_path) == before
    shared.write_text(" date 2020-01-02 Edited in paper C only\n\nother body.\n")
    edited = ingest(db_path, [str(first), str(second)], jobs=1)
    assert (edited.ingested, edited.updated, edited.gone, edited.renamed) == (1, 0, [], [("002.txt", "paperC/002.txt")])
    assert [(source, headline) for _, source, headline in _stored(db_path)] == [
        ("001.txt", "Paper A story one"), ("002.txt", "The same in both"), ("paperC/001.txt", "Paper C story one"),
        ("paperC/002.txt", "Edited in paper C only")]
    for order in ([second, first], [first, second]):
        again = ingest(db_path, [str(p) for p in order], jobs=1)
        assert again.summary() == "ingested 0, updated 0, unchanged 4, duplicates 0, rejected 0", order


def test_a_folder_that_moved_keeps_its_names(db_path, tmp_path):
    old = tmp_path / "mnt" / "news"
    write_article(old, "a.txt", " date 2020-01-01 One\n\nBody one.\n")
    ingest(db_path, [str(old)], jobs=1)
    moved = tmp_path / "media" / "news"
    moved.parent.mkdir()
    old.rename(moved)
    write_article(moved, "a.txt", " date 2020-01-01 One, corrected\n\nBody one, corrected.\n")
    report = ingest(db_path, [str(moved)], jobs=1)
    assert report.updated == 1 and report.renamed == []  # the old folder is gone: the same folder, moved
    assert rows(db_path, "SELECT source, headline FROM articles") == [("a.txt", "One, corrected")]


def test_two_members_of_one_name_in_an_archive_are_both_kept(db_path, tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name, which is the point
        with zipfile.ZipFile(tmp_path / "weird.zip", "w") as z:
            z.writestr("same.txt", " date 2020-01-01 Same name one\n\nFirst.\n")
            z.writestr("same.txt", " date 2020-01-02 Same name two\n\nSecond.\n")
    report = ingest(db_path, [str(tmp_path / "weird.zip")], jobs=1)
    assert report.summary() == "ingested 2, updated 0, unchanged 0, duplicates 0, rejected 0"
    archive = str(tmp_path / "weird.zip")
    assert rows(db_path, "SELECT source, headline FROM articles ORDER BY id") == [
        (f"{archive}!same.txt", "Same name one"), (f"{archive}!same.txt (2)", "Same name two")]


def test_an_undecodable_name_and_the_same_name_written_with_escapes_are_two_articles(db_path, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.fsencode(str(folder)) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b" date 2020-05-07 Latin-1 named file about otters.\n")
    (folder / "caf\\xe9.txt").write_text(" date 2020-05-08 A different file, literally named with a backslash.\n")
    first = ingest(db_path, [str(folder)], jobs=1)
    assert (first.ingested, first.updated) == (2, 0)
    assert rows(db_path, "SELECT source, date FROM articles ORDER BY id") == [
        ("caf\\\\xe9.txt", "2020-05-08"), ("caf\\xe9.txt", "2020-05-07")]
    for _ in range(2):
        again = ingest(db_path, [str(folder)], jobs=1)
        assert again.summary() == "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0"


def _new_mtime(path, step: int = 1) -> None:
    os.utime(path, ns=(1, os.stat(path).st_mtime_ns + step * 10**9))


def test_an_edited_file_keeps_its_earlier_text(db_path, articles_dir):
    story = write_article(articles_dir, "a.txt", " date 1987-03-02 Grain exports rose\n\nThe old story.\n")
    write_article(articles_dir, "b.txt", " date 1987-03-03 Not touched.")
    ingest(db_path, [str(articles_dir)], jobs=1)
    first_read = rows(db_path, "SELECT ingested_at FROM articles WHERE source = 'a.txt'")[0][0]
    story.write_text(" date 1987-03-02 Totally different\n\nA new story.\n")
    _new_mtime(story)
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert report.updated == 1 and report.updated_files == [("a.txt", 1)]
    assert rows(db_path, "SELECT headline FROM articles WHERE id = 1") == [("Totally different",)]
    kept = rows(db_path, "SELECT article_id, date, headline, body, source, since, replaced_at IS NOT NULL"
                         " FROM article_versions")
    assert kept == [(1, "1987-03-02", "Grain exports rose", "Grain exports rose\n\nThe old story.", "a.txt", first_read, 1)]
    import hashlib
    assert rows(db_path, "SELECT sha256 FROM article_versions") == [
        (hashlib.sha256(b" date 1987-03-02 Grain exports rose\n\nThe old story.\n").hexdigest(),)]
    # Unchanged, touched or reread: nothing more is kept; another edit keeps the second text too.
    assert ingest(db_path, [str(articles_dir)], jobs=1, reread=True).updated_files == []
    story.write_text(" date 1987-03-04 Third text.")
    _new_mtime(story, 2)
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT headline FROM article_versions ORDER BY id") == [("Grain exports rose",), ("Totally different",)]
    # An archive made before article_versions existed gets the table at its next ingest.
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE article_versions")
    conn.close()
    story.write_text(" date 1987-03-05 Fourth text.")
    _new_mtime(story, 3)
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert rows(db_path, "SELECT headline FROM article_versions") == [("Third text.",)]


def test_a_repaired_archive_clears_its_reject(db_path, articles_dir):
    pack = articles_dir / "pack.zip"
    with zipfile.ZipFile(pack, "w") as z:
        for n in range(20):
            z.writestr(f"s{n:02}.txt", f" date 2020-02-01 Story {n}\n\n" + "Its body, long enough. " * 40 + "\n")
    whole = pack.read_bytes()
    stat = os.stat(pack)
    ingest(db_path, [str(articles_dir)], jobs=1)
    pack.write_bytes(whole[:1500])
    damaged = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [source for source, _ in damaged.rejected] == ["pack.zip"]
    assert rows(db_path, "SELECT source FROM rejects") == [("pack.zip",)]
    # Unchanged and still damaged: said again, not reopened.
    again = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [source for source, _ in again.still_rejected] == ["pack.zip"]
    pack.write_bytes(whole)
    os.utime(pack, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    repaired = ingest(db_path, [str(articles_dir)], jobs=1)
    assert repaired.summary() == "ingested 0, updated 0, unchanged 20, duplicates 0, rejected 0"
    assert rows(db_path, "SELECT count(*) FROM rejects") == [(0,)]
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 20, duplicates 0, rejected 0"


def test_an_archive_is_read_again_for_a_glob_it_was_not_read_with(db_path, tmp_path):
    pack = tmp_path / "a.tar.gz"

    def tar_of(**members):
        with tarfile.open(pack, "w:gz") as tar:
            for name, text in members.items():
                data = text.encode()
                info = tarfile.TarInfo(name.replace("_", "."))
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

    tar_of(a_txt=" date 2020-01-01 Plain text.", notes_md=" date 2020-01-02 Markdown notes.")
    assert ingest(db_path, [str(pack)], jobs=1).summary() == "ingested 1, updated 0, unchanged 0, duplicates 0, rejected 0"
    md = ingest(db_path, [str(pack)], jobs=1, pattern="*.md")
    assert md.summary() == "ingested 1, updated 0, unchanged 0, duplicates 0, rejected 0" and md.gone == []
    assert rows(db_path, "SELECT source FROM articles ORDER BY id") == [(f"{pack}!a.txt",), (f"{pack}!notes.md",)]
    # Read with both globs now: each is skipped and counts its own members.
    assert ingest(db_path, [str(pack)], jobs=1, pattern="*.md").summary().startswith("ingested 0, updated 0, unchanged 1,")
    assert ingest(db_path, [str(pack)], jobs=1).summary().startswith("ingested 0, updated 0, unchanged 1,")
    # Changed, read for *.md: the .txt member is not gone (not this glob's to compare); the .md one that left is.
    tar_of(a_txt=" date 2020-01-01 Plain text.", other_md=" date 2020-01-03 Other notes.")
    _new_mtime(pack)
    changed = ingest(db_path, [str(pack)], jobs=1, pattern="*.md")
    assert changed.gone == [store.GoneFile(f"{pack}!notes.md", str(pack))]
    # It changed since it was read for *.txt: that glob opens it again.
    assert ingest(db_path, [str(pack)], jobs=1).summary().startswith("ingested 0, updated 0, unchanged 1,")
    assert rows(db_path, "SELECT pattern FROM archive_globs ORDER BY pattern") == [("*.md",), ("*.txt",)]


def test_files_moved_within_a_folder_keep_their_articles(db_path, articles_dir):
    from consistency import check_archive

    for n in range(5):
        write_article(articles_dir, f"reut-{n}.txt", f" date 1987-03-0{n + 1} Story {n}\n\nBody {n}.\n")
    write_article(articles_dir, "copy-of-1.txt", " date 1987-03-02 Story 1\n\nBody 1.\n")  # a copy, moved too
    write_article(articles_dir, "bad.txt", "no date here\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    before = dict(rows(db_path, "SELECT source, id FROM articles"))
    (articles_dir / "1987").mkdir()
    for path in list(articles_dir.glob("*.txt")):
        if path.name != "reut-4.txt":
            path.rename(articles_dir / "1987" / path.name)
    (articles_dir / "reut-4.txt").rename(articles_dir / "1987" / "renamed.txt")
    write_article(articles_dir, "new.txt", " date 1987-04-01 A new story.")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert sorted((m.source, m.to, m.article_id) for m in report.moved) == sorted(
        [(f"reut-{n}.txt", f"1987/reut-{n}.txt", before[f"reut-{n}.txt"]) for n in range(4)]
        + [("reut-4.txt", "1987/renamed.txt", before["reut-4.txt"]), ("bad.txt", "1987/bad.txt", None),
           ("copy-of-1.txt", "1987/copy-of-1.txt", before["copy-of-1.txt"])])
    assert report.gone == []
    assert report.summary() == "ingested 1, updated 0, unchanged 0, duplicates 0, rejected 1, moved 7"
    assert [source for source, _ in report.still_rejected] == ["1987/bad.txt"]  # an old reject that moved: no news
    after = rows(db_path, "SELECT source, id, duplicate_of FROM articles ORDER BY id")
    assert [(s, i) for s, i, _ in after[:6]] == sorted(((f"1987/{s}" if s != "reut-4.txt" else "1987/renamed.txt", i)
                                                        for s, i in before.items()), key=lambda pair: pair[1])
    assert len(after) == 7 and after[-1][0] == "new.txt" and after[-1][1] > max(before.values()) + 6  # no id again
    assert rows(db_path, "SELECT source FROM rejects") == [("1987/bad.txt",)]
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]
    check_archive(db_path)
    # Nothing changed since: unchanged, nothing moved, nothing gone.
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 7, duplicates 0, rejected 1"
    # A file gone whose bytes turn up in another folder is gone from its own: not a move.
    other = articles_dir.parent / "other"
    write_article(other, "elsewhere.txt", (articles_dir / "1987" / "reut-0.txt").read_text())
    ingest(db_path, [str(other)], jobs=1)
    (articles_dir / "1987" / "reut-0.txt").unlink()
    gone = ingest(db_path, [str(articles_dir)], jobs=1)
    assert gone.moved == [] and gone.gone == [store.GoneFile("1987/reut-0.txt", str(articles_dir))]


def test_after_an_ingest_the_database_file_alone_holds_the_archive(db_path, articles_dir, tmp_path):
    """A user copies news.db to a disk without its -wal file: every article must be in it."""
    for n in range(30):
        write_article(articles_dir, f"a{n}.txt", f" date 2020-01-01 Article {n}\n\nText {n}.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    alone = tmp_path / "copy.db"
    shutil.copyfile(db_path, alone)  # not news.db-wal
    assert rows(str(alone), "SELECT count(*) FROM articles") == [(30,)]
    write_article(articles_dir, "a0.txt", " date 2020-01-01 Article 0, edited\n\nText 0 again.\n")
    analyse_archive(db_path, everything=True)
    ingest(db_path, [str(articles_dir)], jobs=1)
    shutil.copyfile(db_path, alone)
    assert rows(str(alone), "SELECT headline FROM articles WHERE source = 'a0.txt'") == [("Article 0, edited",)]


def test_an_edit_inside_a_rebuilt_archive_that_kept_the_members_size_and_time_is_seen(db_path, tmp_path):
    """A reproducible tarball (tar --mtime=...) keeps every member's time; an edit of the same length
    keeps its size: the archive changed, so its members' bytes decide."""
    pack = tmp_path / "rep.tar.gz"

    def build(word: str) -> None:
        with tarfile.open(pack, "w:gz") as tar:
            for name, text in (("a.txt", f" date 2020-01-01 Story a\n\n{word} body.\n"),
                               ("b.txt", " date 2020-01-02 Story b\n\nOther body.\n")):
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 1_577_836_800
                tar.addfile(info, io.BytesIO(data))

    build("the")
    ingest(db_path, [str(pack)], jobs=1)
    build("THE")
    os.utime(pack, ns=(os.stat(pack).st_atime_ns, os.stat(pack).st_mtime_ns + 10**9))
    report = ingest(db_path, [str(pack)], jobs=1)
    assert (report.updated, report.unchanged) == (1, 1)
    assert rows(db_path, "SELECT body FROM articles WHERE source LIKE '%a.txt'") == [("Story a\n\nTHE body.",)]


def test_a_file_edited_into_a_copy_of_another_is_the_copy(db_path, articles_dir, tmp_path):
    write_article(articles_dir, "a.txt", " date 2020-01-01 Story a\n\nBody a.\n")
    write_article(articles_dir, "b.txt", " date 2020-01-02 Story b\n\nBody b.\n")
    ingest(db_path, [str(articles_dir)], jobs=1)
    conn = sqlite3.connect(db_path)
    with conn:  # as if b had been ingested a while ago
        conn.execute("UPDATE articles SET ingested_at = '2020-01-01T00:00:00Z'")
    conn.close()
    shutil.copyfile(articles_dir / "b.txt", articles_dir / "a.txt")  # a becomes a copy of b
    write_article(tmp_path / "later", "c.txt", (articles_dir / "b.txt").read_bytes())
    ingest(db_path, [str(articles_dir), str(tmp_path / "later")], jobs=1)
    assert rows(db_path, "SELECT source, duplicate_of FROM articles ORDER BY id") == [
        ("a.txt", 2), ("b.txt", None), ("c.txt", 2)]  # b, untouched, stays the one searches show


def test_links_that_cannot_be_read_are_rejected_once_and_again_only_when_they_change(db_path, tmp_path):
    folder = tmp_path / "in"
    write_article(folder, "ok.txt", " date 2020-01-02 Fine.\n")
    os.symlink(folder / "target.md", folder / "broken.txt")  # to a file the glob leaves out: read only through it
    os.symlink("loop2.txt", folder / "loop1.txt")
    os.symlink("loop1.txt", folder / "loop2.txt")
    os.symlink("..", folder / "up")
    links = [("broken.txt", "broken link"), ("loop1.txt", "too many levels of symbolic links"),
             ("loop2.txt", "too many levels of symbolic links"),
             ("up", "a link to a folder that holds this folder: not followed")]
    first = ingest(db_path, [str(folder)], jobs=1)
    assert sorted(first.rejected) == links and first.still_rejected == []
    recorded = rows(db_path, "SELECT source, reason, rejected_at FROM rejects ORDER BY source")
    assert [(source, reason) for source, reason, _ in recorded] == links
    # Nothing changed: the same rejects are old news, and nothing is written for them.
    second = ingest(db_path, [str(folder)], jobs=1)
    assert sorted(second.still_rejected) == links and sorted(second.rejected) == links
    assert rows(db_path, "SELECT source, reason, rejected_at FROM rejects ORDER BY source") == recorded
    # The link's target appears: it is read; the loop broken open is two broken links, news again.
    write_article(folder, "target.md", " date 2020-01-03 Here now.\n")
    (folder / "loop2.txt").unlink()
    os.symlink(folder / "nowhere.txt", folder / "loop2.txt")
    third = ingest(db_path, [str(folder)], jobs=1)
    assert third.ingested == 1
    assert sorted(set(third.rejected) - set(third.still_rejected)) == [("loop1.txt", "broken link"),
                                                                        ("loop2.txt", "broken link")]
    assert third.still_rejected == [links[3]]
    assert rows(db_path, "SELECT source FROM rejects ORDER BY source") == [("loop1.txt",), ("loop2.txt",), ("up",)]


def test_an_unchanged_archive_counts_only_the_members_it_holds(db_path, articles_dir):
    pack = articles_dir / "pack.zip"

    def zip_of(count):
        with zipfile.ZipFile(pack, "w") as z:
            for n in range(1, count + 1):
                z.writestr(f"m{n}.txt", f" date 2020-01-0{n} Member {n}.\n")
        _new_mtime(pack, count)

    zip_of(4)
    ingest(db_path, [str(articles_dir)], jobs=1)
    zip_of(2)
    shrunk = ingest(db_path, [str(articles_dir)], jobs=1)
    assert (shrunk.unchanged, len(shrunk.gone)) == (2, 2)
    # Not reopened, and the two members gone from it are not counted among what it holds.
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0"
    assert ingest(db_path, [str(articles_dir)], jobs=1, reread=True).summary() == \
        "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0"
    zip_of(3)  # one comes back: it is held again, and counted
    assert ingest(db_path, [str(articles_dir)], jobs=1).unchanged == 3
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 3, duplicates 0, rejected 0"


def test_an_archive_inside_an_archive_is_a_reject_said_once(db_path, articles_dir):
    pack = articles_dir / "pack.zip"

    def zip_of(inner_text, *names):
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as z:
            z.writestr("x.txt", inner_text)
        with zipfile.ZipFile(pack, "w") as z:
            z.writestr(zipfile.ZipInfo("2019.zip", (2019, 12, 31, 0, 0, 0)), inner.getvalue())
            for name in names:
                z.writestr(name, f" date 2020-02-01 Story {name}\n")
        _new_mtime(pack, len(names))

    reason = "an archive inside an archive is not read: unpack it"
    zip_of(" date 2019-01-01 Inner.\n", "a.txt", ".hid/b.txt", "c/.d.txt")
    first = ingest(db_path, [str(articles_dir)], jobs=1)
    assert first.summary() == "ingested 1, updated 0, unchanged 0, duplicates 0, rejected 1"
    assert first.rejected == [("pack.zip!2019.zip", reason)] and first.still_rejected == []
    assert rows(db_path, "SELECT source, reason, raw FROM rejects") == [("pack.zip!2019.zip", reason, None)]
    # The archive changed around it: the inner archive is the same, an old reject.
    zip_of(" date 2019-01-01 Inner.\n", "a.txt", "e.txt")
    second = ingest(db_path, [str(articles_dir)], jobs=1)
    assert (second.ingested, second.rejected, second.still_rejected) == (
        1, [("pack.zip!2019.zip", reason)], [("pack.zip!2019.zip", reason)])
    assert ingest(db_path, [str(articles_dir)], jobs=1).still_rejected == [("pack.zip!2019.zip", reason)]
    # The inner archive changed: news again.
    zip_of(" date 2019-01-01 Inner, longer now.\n", "a.txt", "e.txt")
    third = ingest(db_path, [str(articles_dir)], jobs=1)
    assert third.rejected == [("pack.zip!2019.zip", reason)] and third.still_rejected == []
    assert rows(db_path, "SELECT source FROM articles ORDER BY id") == [("pack.zip!a.txt",), ("pack.zip!e.txt",)]


def test_the_archives_own_files_are_never_read_as_articles(tmp_path):
    from news_archive import search_index, sources
    from news_archive.backup import backup

    assert str(search_index.index_path("x.db")) == "x.db" + sources.ARCHIVE_INDEX_SUFFIX
    folder = tmp_path / "clippings"
    for n in range(3):
        write_article(folder, f"{n}.txt", f" date 2020-01-0{n + 1} Story {n}.\n")
    db_path = str(folder / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    backup(db_path, str(folder / "copy.db"))  # a backup beside it, with its index: left out too
    sizes = []
    for _ in range(3):
        # Read with --glob '*', the database, its -wal and -shm and its index were rejects, their
        # bytes kept: the archive grew by its own size on every run.
        report = ingest(db_path, [str(folder)], jobs=1, pattern="*")
        assert report.summary() == "ingested 0, updated 0, unchanged 3, duplicates 0, rejected 0"
        sizes.append(os.path.getsize(db_path))
    assert rows(db_path, "SELECT count(*) FROM rejects") == [(0,)]
    assert sizes[0] == sizes[-1]
    # Named on the command line, under another spelling, the archive is still not its own article.
    assert ingest(db_path, [os.path.join(str(folder), ".", "news.db")], jobs=1).files == 0


def test_an_archive_file_moved_or_renamed_in_its_folder_keeps_its_members_articles(db_path, articles_dir):
    """An archive is known by its members' bytes, not its own: moved, renamed, rebuilt as another kind
    of archive with its members renamed inside, its members keep their articles, as loose files do."""
    from consistency import check_archive

    texts = {"a.txt": " date 2020-01-01 Story a\n\nBody a.\n", "b.txt": " date 2020-01-02 Story b\n\nBody b.\n",
             "bad.txt": "no date here\n"}
    with zipfile.ZipFile(articles_dir / "pack.zip", "w") as z:
        for name, text in texts.items():
            z.writestr(name, text)
    ingest(db_path, [str(articles_dir)], jobs=1)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    (articles_dir / "sub").mkdir()
    (articles_dir / "pack.zip").rename(articles_dir / "sub" / "pack.zip")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(m.source, m.to, m.folder, m.article_id) for m in report.moved] == [
        ("pack.zip!a.txt", "sub/pack.zip!a.txt", str(articles_dir), ids["pack.zip!a.txt"]),
        ("pack.zip!b.txt", "sub/pack.zip!b.txt", str(articles_dir), ids["pack.zip!b.txt"]),
        ("pack.zip!bad.txt", "sub/pack.zip!bad.txt", str(articles_dir), None)]
    assert report.gone == []
    assert report.summary() == "ingested 0, updated 0, unchanged 0, duplicates 0, rejected 1, moved 3"
    assert rows(db_path, "SELECT source, id FROM articles ORDER BY id") == [
        ("sub/pack.zip!a.txt", ids["pack.zip!a.txt"]), ("sub/pack.zip!b.txt", ids["pack.zip!b.txt"])]
    assert rows(db_path, "SELECT source FROM rejects") == [("sub/pack.zip!bad.txt",)]
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]
    assert rows(db_path, "SELECT source FROM source_files WHERE source LIKE 'pack.zip%'") == []
    check_archive(db_path)
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 1"
    # Rebuilt as a tarball under another name, a.txt renamed inside it and b.txt left out: a moved,
    # b gone from the archive it was in (its article stays).
    (articles_dir / "sub" / "pack.zip").unlink()
    with tarfile.open(articles_dir / "p2.tar.gz", "w:gz") as tar:
        for name, text in (("1987/a.txt", texts["a.txt"]), ("bad.txt", texts["bad.txt"])):
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(m.source, m.to, m.article_id) for m in report.moved] == [
        ("sub/pack.zip!a.txt", "p2.tar.gz!1987/a.txt", ids["pack.zip!a.txt"]),
        ("sub/pack.zip!bad.txt", "p2.tar.gz!bad.txt", None)]
    assert report.gone == [store.GoneFile("sub/pack.zip!b.txt", "sub/pack.zip")]
    assert report.summary() == "ingested 0, updated 0, unchanged 0, duplicates 0, rejected 1, gone 1, moved 2"
    assert rows(db_path, "SELECT source, id FROM articles ORDER BY id") == [
        ("p2.tar.gz!1987/a.txt", ids["pack.zip!a.txt"]), ("sub/pack.zip!b.txt", ids["pack.zip!b.txt"])]
    assert rows(db_path, "SELECT source, folder FROM gone_sources") == [("sub/pack.zip!b.txt", "sub/pack.zip")]
    check_archive(db_path)
    # An archive gone whose members' bytes are in an archive that was there before is gone: not a move.
    with zipfile.ZipFile(articles_dir / "other.zip", "w") as z:
        z.writestr("a.txt", texts["a.txt"])
    assert ingest(db_path, [str(articles_dir)], jobs=1).duplicates == 1
    (articles_dir / "p2.tar.gz").unlink()
    gone = ingest(db_path, [str(articles_dir)], jobs=1)
    assert gone.moved == [] and gone.gone == [store.GoneFile("p2.tar.gz", str(articles_dir), "archive")]


def test_files_packed_into_an_archive_or_taken_out_of_one_keep_their_articles(db_path, articles_dir):
    """Loose files zipped into a new archive, and later unpacked again, are moved both times: not
    gone plus a copy, and the archive they left is not gone either (its members moved)."""
    from consistency import check_archive

    texts = {"a.txt": " date 2020-01-01 Story a\n\nBody a.\n", "b.txt": " date 2020-01-02 Story b\n\nBody b.\n",
             "bad.txt": "no date here\n"}
    for name, text in texts.items():
        (articles_dir / name).write_text(text)
    ingest(db_path, [str(articles_dir)], jobs=1)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    with zipfile.ZipFile(articles_dir / "pack.zip", "w") as z:
        for name in ("a.txt", "bad.txt"):
            z.writestr(name, texts[name])
            (articles_dir / name).unlink()
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(m.source, m.to, m.article_id) for m in report.moved] == [
        ("a.txt", "pack.zip!a.txt", ids["a.txt"]), ("bad.txt", "pack.zip!bad.txt", None)]
    assert report.gone == []
    assert report.summary() == "ingested 0, updated 0, unchanged 1, duplicates 0, rejected 1, moved 2"
    assert rows(db_path, "SELECT source, id, duplicate_of FROM articles ORDER BY id") == [
        ("pack.zip!a.txt", ids["a.txt"], None), ("b.txt", ids["b.txt"], None)]
    check_archive(db_path)
    # Unpacked into a subfolder, the archive deleted: moved back out, and the archive not gone.
    (articles_dir / "sub").mkdir()
    (articles_dir / "sub" / "a.txt").write_text(texts["a.txt"])
    (articles_dir / "pack.zip").unlink()
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(m.source, m.to, m.article_id) for m in report.moved] == [("pack.zip!a.txt", "sub/a.txt", ids["a.txt"])]
    # bad.txt was not unpacked: gone from the archive, as a member left out of a rebuilt archive is.
    assert report.gone == [store.GoneFile("pack.zip!bad.txt", "pack.zip", "rejected")]
    assert rows(db_path, "SELECT source, id FROM articles ORDER BY id") == [("sub/a.txt", ids["a.txt"]),
                                                                            ("b.txt", ids["b.txt"])]
    assert rows(db_path, "SELECT source FROM source_files WHERE source LIKE 'pack.zip%'") == [("pack.zip!bad.txt",)]
    check_archive(db_path)
    assert ingest(db_path, [str(articles_dir)], jobs=1).summary() == \
        "ingested 0, updated 0, unchanged 2, duplicates 0, rejected 0"


def test_files_of_the_same_bytes_moved_together_each_keep_their_own_name(db_path, articles_dir):
    """Two copies moved at once, one of them renamed: each goes to the name that is still its own, not
    the first copy to the first name found."""
    text = " date 2020-01-01 Story\n\nThe same words.\n"
    for name in ("a.txt", "b.txt"):
        (articles_dir / name).write_text(text)
    ingest(db_path, [str(articles_dir)], jobs=1)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    (articles_dir / "sub").mkdir()
    (articles_dir / "a.txt").rename(articles_dir / "sub" / "renamed-a.txt")
    (articles_dir / "b.txt").rename(articles_dir / "sub" / "b.txt")
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert sorted((m.source, m.to, m.article_id) for m in report.moved) == [
        ("a.txt", "sub/renamed-a.txt", ids["a.txt"]), ("b.txt", "sub/b.txt", ids["b.txt"])]
    assert report.gone == []


def test_members_renamed_inside_a_rebuilt_archive_keep_their_articles(db_path, articles_dir):
    pack = articles_dir / "pack.zip"

    def zip_of(members):
        with zipfile.ZipFile(pack, "w") as z:
            for name, text in members.items():
                z.writestr(name, text)
        os.utime(pack, ns=(os.stat(pack).st_mtime_ns, os.stat(pack).st_mtime_ns + 10**9))  # a new mtime

    a, b = " date 2020-01-01 Story a\n\nBody a.\n", " date 2020-01-02 Story b\n\nBody b.\n"
    zip_of({"a.txt": a, "b.txt": b, "bad.txt": "no date here\n"})
    ingest(db_path, [str(articles_dir)], jobs=1)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    zip_of({"1987/a.txt": a, "b.txt": b, "1987/bad.txt": "no date here\n"})
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(m.source, m.to, m.folder, m.article_id) for m in report.moved] == [
        ("pack.zip!a.txt", "pack.zip!1987/a.txt", "pack.zip", ids["pack.zip!a.txt"]),
        ("pack.zip!bad.txt", "pack.zip!1987/bad.txt", "pack.zip", None)]
    assert report.gone == []
    assert report.summary() == "ingested 0, updated 0, unchanged 1, duplicates 0, rejected 1, moved 2"
    assert rows(db_path, "SELECT source, id FROM articles ORDER BY id") == [
        ("pack.zip!1987/a.txt", ids["pack.zip!a.txt"]), ("pack.zip!b.txt", ids["pack.zip!b.txt"])]
    assert rows(db_path, "SELECT count(*) FROM gone_sources") == [(0,)]
