"""The web's SQL stays within its time limit: SQLite's functions whose one call could run far
past it (instr, replace, trim by a set) are linear on Datasette's connections and answer as
SQLite's do; LIKE and GLOB patterns are bounded, and what we and Datasette build with them
still works."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_article
from news_archive import browse
from news_archive.ingest import ingest
from news_archive.web import LIKE_PATTERN_BYTES, LONG_PATTERN, MAX_VALUE_BYTES, _detect_fts, prepare_connection, \
    sql_functions
from news_archive.web.app import make_datasette

SQLITE_OWN = sqlite3.connect(":memory:")
OURS = sqlite3.connect(":memory:")
sql_functions.register(OURS, 10_000)
QUERIES = [
    "SELECT instr(:x, :y), typeof(instr(:x, :y))",
    "SELECT replace(:x, :y, :z), typeof(replace(:x, :y, :z))",
    "SELECT trim(:x, :y), typeof(trim(:x, :y)), ltrim(:x, :y), rtrim(:x, :y)",
]


def answer(conn: sqlite3.Connection, sql: str, values: dict):
    try:
        return conn.execute(sql, values).fetchone()
    except sqlite3.Error as error:
        return type(error), str(error)


def not_utf8(value) -> bool:
    try:
        return isinstance(value, bytes) and value.decode("utf-8") is None
    except UnicodeDecodeError:
        return True


def assert_as_sqlite(x, y, z=None) -> None:
    values = {"x": x, "y": y, "z": z}
    for sql in QUERIES:
        theirs, ours = answer(SQLITE_OWN, sql, values), answer(OURS, sql, values)
        if ours != theirs and "instr" not in sql and any(not_utf8(v) for v in values.values()):
            # The one difference (see sql_functions): a blob read as text that is not UTF-8 is an error.
            assert ours == (sqlite3.OperationalError, "user-defined function raised exception")
            continue
        assert ours == theirs, (sql, values)


# Few characters, so that needles are found and sets match: one, two, three and four UTF-8
# bytes, a NUL, LIKE's wildcards.
CHARACTERS = st.sampled_from(list("ab é€😀\x00%_"))
TEXTS = st.text(CHARACTERS, max_size=8)
VALUES = (st.none() | TEXTS | st.binary(max_size=6) | TEXTS.map(str.encode) | st.integers(-20, 200)
          | st.floats(allow_nan=False) | st.sampled_from([0.5, 1.0, 1e20, -0.0, 100.0, 1e-7, float("inf")]))


@settings(max_examples=3000, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(VALUES, VALUES, VALUES)
def test_the_linear_functions_answer_as_sqlites_own(x, y, z):
    assert_as_sqlite(x, y, z)


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(st.characters(max_codepoint=300), max_size=300), st.text(st.characters(max_codepoint=300), max_size=120))
def test_trims_by_a_large_set_and_long_needles_answer_as_sqlites_own(text, chosen):
    # Sets beyond sql_functions._SMALL_SET are looked up chunk by chunk.
    assert_as_sqlite(text, chosen + text[:50], text[len(text) // 2:])
    assert_as_sqlite(text * 20, chosen)  # runs that cross a chunk's end


def test_replace_makes_no_value_over_the_limit():
    doubled = "SELECT length(replace(printf('%.*c', :n, 'x'), 'x', 'xx'))"
    assert answer(OURS, doubled, {"n": 5_000}) == (10_000,)
    assert answer(OURS, doubled, {"n": 5_001}) == (sqlite3.DataError, "string or blob too big")


def test_the_quadratic_cases_of_sqlites_own_functions_finish_at_once():
    """SQLite's own: instr of 100,000 characters in 12 million 9-20 s, trim of a million by a set of
    10,000 21.7 s. These are bigger (SQLite's own would take minutes each); within the timeout,
    generous for a loaded machine, they are linear."""
    script = textwrap.dedent("""
        import sqlite3
        from news_archive.web import prepare_connection
        conn = sqlite3.connect(":memory:")
        prepare_connection(conn)
        a = lambda n: "printf('%.*c', " + str(n) + ", 'a')"
        for sql, expected in [
                (f"SELECT instr({a(30_000_000)}, {a(300_000)} || 'b')", 0),
                (f"SELECT length(replace({a(30_000_000)}, {a(300_000)} || 'b', 'c'))", 30_000_000),
                (f"SELECT length(trim({a(4_000_000)}, printf('%.*c', 40000, 'b') || 'a'))", 0),
                (f"SELECT length(trim({a(4_000_000)} || 'x', replace(printf('%.*c', 3000, 'b'), 'b', char(1000 + random() % 5000)) || 'a'))", 1)]:
            assert conn.execute(sql).fetchone()[0] == expected, sql
        print("done")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout == "done\n", result.stderr


def test_like_and_glob_patterns_are_bounded_on_the_webs_connections():
    conn = sqlite3.connect(":memory:")
    prepare_connection(conn)
    fits, too_long = "%" + "a" * (LIKE_PATTERN_BYTES - 2) + "%", "%" + "a" * (LIKE_PATTERN_BYTES - 1) + "%"
    assert conn.execute("SELECT 'xaaaaaaaaaaaaaaaaaaaaaaaaaaaax' LIKE ?", (fits,)).fetchone() == (1,)
    for operator in ("LIKE", "GLOB"):
        with pytest.raises(sqlite3.OperationalError, match="LIKE or GLOB pattern too complex"):
            conn.execute(f"SELECT 'x' {operator} ?", (too_long,))
    assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == MAX_VALUE_BYTES


def test_datasettes_full_text_tables_are_found_as_datasette_finds_them(tmp_path):
    from datasette.utils import detect_fts  # Datasette's own, with its long LIKE patterns

    db = str(tmp_path / "news.db")
    ingest(db, [str(write_article(tmp_path / "in", "a.txt", " date 2020-01-02 A story\n").parent)], jobs=1)
    conn = sqlite3.connect(db)
    conn.execute('CREATE VIRTUAL TABLE bracketed USING fts5(x, content=[odd_table])')
    conn.execute("CREATE VIRTUAL TABLE Lower_Case using FTS4(y)")
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] + ["odd_table", "nothing"]
    assert [_detect_fts(conn, t) for t in tables] == [detect_fts(conn, t) for t in tables]
    assert _detect_fts(conn, "articles") == "articles_fts" and _detect_fts(conn, "odd_table") == "bracketed"


@pytest.fixture(scope="module")
def names_db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("long-names")
    stories = [
        "International Business Machines Corporation said on Monday that profits rose.",
        "Finance minister John Montgomery-Worthingtonshire said prices would fall.",
        "Central bank governor Mary Montgomery-Worthingtonshire said the bank would wait.",
    ]
    for number, story in enumerate(stories):
        write_article(folder, f"{number}.txt", f" date 2020-01-0{number + 1} Story {number}\n\n{story}\n")
    path = str(tmp_path_factory.mktemp("long-names-db") / "news.db")
    ingest(path, [str(folder)], jobs=1)
    return path


async def test_names_typed_longer_than_a_like_pattern_are_found_on_the_web(names_db):
    ds = make_datasette(names_db)
    await ds.invoke_startup()
    typed = "international business machines corporation"
    assert len(typed) > LIKE_PATTERN_BYTES
    found = (await ds.client.get("/names.json", params={"q": typed})).json()
    assert [n["name"] for n in found["names"]] == ["International Business Machines Corporation"]
    found = (await ds.client.get("/names.json", params={"q": "business machines corporation"})).json()
    assert [n["name"] for n in found["names"]] == ["International Business Machines Corporation"]
    assert (await ds.client.get("/names.json", params={"q": "business machines corporations"})).json()["names"] == []
    # A person's page lists the others of a surname longer than a pattern may be.
    (person,) = (await ds.client.get("/names.json", params={"q": "john montgomery"})).json()["names"]
    page = (await ds.client.get(f"/name/{person['id']}.json")).json()
    assert [n["name"] for n in page["related"]] == ["Mary Montgomery-Worthingtonshire"]
    # The same answers as SQLite's own LIKE gives without a limit (the command line's connections).
    conn = sqlite3.connect(names_db)
    assert [n["name"] for n in browse.names_like(conn, "business machines corp")] == [
        "International Business Machines Corporation"]
    assert [n["name"] for n in browse.people_with_word(conn, "montgomery-worthingtonshire")] == [
        "John Montgomery-Worthingtonshire", "Mary Montgomery-Worthingtonshire"]


async def test_datasettes_own_pages_work_and_a_long_filter_text_is_a_plain_400(names_db):
    ds = make_datasette(names_db)
    await ds.invoke_startup()
    for path in ("/news", "/news/articles", "/news/articles.json?_search=profits", "/news/names?name__contains=Montgomery"):
        assert (await ds.client.get(path)).status_code == 200, path
    long_text = "x" * (LIKE_PATTERN_BYTES + 1)
    for filter_ in ("body__contains", "body__startswith", "body__endswith", "body__like", "body__glob"):
        response = await ds.client.get(f"/news/articles.json?{filter_}={long_text}")
        assert (response.status_code, response.json()["error"]) == (400, LONG_PATTERN), filter_
        page = await ds.client.get(f"/news/articles?{filter_}={long_text}")
        assert page.status_code == 400 and "Text to find too long" in page.text and "at most 25 bytes" in page.text
    sql = await ds.client.get("/news.json", params={"sql": f"select count(*) from articles where body like '%{long_text}%'"})
    assert sql.status_code == 400 and sql.json()["error"] == "LIKE or GLOB pattern too complex"
    instr = await ds.client.get("/news.json", params={"sql": "select count(*) from articles where"
                                                             " instr(body, 'Montgomery-Worthingtonshire') > 0"})
    assert instr.json()["rows"] == [[2]]


async def test_an_article_of_a_file_over_10_mb_ingested_before_stays_readable(tmp_path):
    """Files of up to 100 MB were read until 2026-12-08: an archive holding an article of one keeps
    values as large on the web (its page and the searches that show it would otherwise be 500s)."""
    db = str(tmp_path / "news.db")
    ingest(db, [str(write_article(tmp_path / "in", "a.txt", " date 2020-01-02 A long story\n\nlong\n").parent)], jobs=1)
    conn = sqlite3.connect(db)
    size = MAX_VALUE_BYTES // 3 + 2**20  # a file whose text alone is more than MAX_VALUE_BYTES
    conn.execute("UPDATE articles SET body = body || ' ' || printf('%.*c', ?, 'x')", (MAX_VALUE_BYTES,))
    conn.execute("UPDATE source_files SET size = ?", (size,))
    conn.commit()
    conn.close()
    ds = make_datasette(db)
    await ds.invoke_startup()
    article = await ds.client.get("/article/1.json")
    assert article.status_code == 200 and len(article.json()["body"]) > MAX_VALUE_BYTES
    fits = await ds.client.get("/news.json", params={"sql": f"select length(zeroblob({3 * size}))"})
    too_big = await ds.client.get("/news.json", params={"sql": f"select length(zeroblob({3 * size + 2**20 + 1}))"})
    assert fits.json()["rows"] == [[3 * size]] and too_big.status_code == 400
