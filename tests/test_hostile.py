"""Hostile visitors and hostile articles: every route and every command, never a 500 or a traceback.

Routes are read from the plugin's own ``register_routes``, so a new route is
covered as soon as it exists. Also here: escaping of hostile article text and
file names on every page and in the Atom feed, formula cells in every CSV,
the server never writing to the archive, and the request limits.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import random
import urllib.parse
import re
import sqlite3
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, write_article
from news_archive import search
from news_archive.cli import cli
from news_archive.export import SIGNED_NUMBER, neutralise_cell
from news_archive.ingest import ingest
from news_archive.web import MAX_URL_BYTES, FormulaGuard, register_routes, views
from news_archive.web.app import make_datasette

SCRIPT = '<script>alert("x")</script>'
HOSTILE_FILES = {
    # name: text. File names cannot hold "/", so the closing tags use a backslash.
    '<img src=x onerror=alert(1)> "quoted" &amp; <\\script>.txt':
        f" date 2020-06-11 {SCRIPT} Tiger escapes <b>bold</b> & more\n\n"
        "<img src=x onerror=alert(1)> The tiger & its keeper were found \"safe\". javascript:alert(1)\n\n"
        "]]></summary><script>feed()</script> {{ 7*7 }} {% raw %} \u202e reversed \x07 bell\n",
    "=HYPERLINK(\"evil\").txt": ' date 2020-06-12 =HYPERLINK("http://evil","tiger")\n\n+1 tiger sum\n',
    "@SUM(A1).txt": " date 2020-06-13 @SUM(A1) tiger\n\n-2+3 tiger minus\n",
    "+plus.txt": " date 2020-06-14 +cmd|' /C calc'!A0 tiger\n\n\ttabbed tiger\n",
    "-minus.txt": " date 2020-06-15 -tiger keeper report\n\n\r\n=1+1 tiger formula in the body\n",
}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    for path in SAMPLE.glob("*.txt"):
        write_article(folder, path.name, path.read_bytes())
    for name, text in HOSTILE_FILES.items():
        write_article(folder, name, text)
    path = str(tmp_path_factory.mktemp("hostile-db") / "hostile.db")
    report = ingest(path, [str(folder)], jobs=1)
    assert report.ingested == 2 + len(HOSTILE_FILES) and not report.rejected
    return path


@pytest.fixture
async def ds(hostile_db):
    datasette = make_datasette(hostile_db)
    await datasette.invoke_startup()
    return datasette


def hostile_id(db_path: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT id FROM articles WHERE source LIKE '<img%'").fetchone()[0]
    finally:
        conn.close()


_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def route_examples(article_id: int) -> list[str]:
    """One real address for every route the plugin registers (each format of a format route)."""
    values = {"year": "2020", "month": "06", "day": "11", "id": str(article_id), "number": "1"}
    paths = []
    for pattern, _ in register_routes(None):
        body = pattern.removeprefix("^").removesuffix("$")
        formats = [None]
        found = _GROUP.search(body)
        if found and found.group(1) == "format":
            formats = found.group(2).split("|")
        for fmt in formats:
            path = _GROUP.sub(lambda m: fmt if m.group(1) == "format" else values[m.group(1)], body)
            paths.append(path.replace("\\.", ".").replace("/?", "").replace(".*", "no-such-page"))
    return paths


HOSTILE_QUERIES = [
    "q=%22unbalanced", "q=NEAR(", "q=AND", "q=*", "q=)))", "q=(((", "q=a:b", "q=body:tiger", "q=%5Etiger",
    "q=%27%20OR%201=1--", "q=%27;DROP%20TABLE%20articles;--", "q=tiger%22%20OR%20%22", "q=-", "q=-tiger",
    "q=" + "tiger%20" * 600, "q=" + quote("🐯" * 300), "q=%00%01%02%1B%7F", "q=%E2%80%AE%E2%80%8B", "q=%FF%FE%C0",
    "q=%zz%", "q=" + quote(SCRIPT), "q=" + quote("{{ 7*7 }}"),
    "page=-1", "page=0", "page=abc", "page=1e9", "page=99999999999999999999999", "page=%00", "page=%D9%A1",
    "since=notadate", "since=9999-99-99", "since=0000-01-01", "until=-1", "since=2020-02-30", "since=2021&until=2020",
    "since=" + "9" * 5000, "sort=bogus", "sort=%00", "timeline=%3Cscript%3E", "unknown=1", "_sort=x",
    "q=a&q=b&page=1&page=2", "name=abc", "name=-1", "name=" + "9" * 30, "speaker=" + quote(SCRIPT), "&&&==", "%",
    "kind=" + quote(SCRIPT), "kind=%00", "kind=place&q=%25", "q=_&kind=person",
]


def looks_clear(response) -> bool:
    """An error answer says what went wrong: JSON with an error, or a page with a heading, or plain text."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return bool(response.json().get("error"))
    return "<h1" in response.text or kind.startswith("text/plain") and len(response.text.strip()) > 10


async def test_every_route_with_every_hostile_parameter(ds, hostile_db):
    paths = route_examples(hostile_id(hostile_db))
    assert {"/", "/search", "/search.json", "/search.csv", "/search.ndjson", "/search.atom", "/help"} <= set(paths)
    failures = []
    for path in paths:
        for query in HOSTILE_QUERIES:
            url = f"{path}?{query}"
            response = await ds.client.get(url)
            if response.status_code >= 500 or "Traceback" in response.text:
                failures.append((url[:120], response.status_code, response.text[:200]))
            elif response.status_code >= 400 and not looks_clear(response):
                failures.append((url[:120], response.status_code, "unclear: " + response.text[:200]))
    assert not failures, failures[:10]


async def test_hostile_paths_and_methods(ds, hostile_db):
    paths = route_examples(hostile_id(hostile_db))
    odd_paths = ["/article/" + "9" * 40, "/article/-1", "/article/1.json.json", "/article/%00", "/archive/0000",
                 "/archive/2020/00", "/archive/2020/06/00", "/archive/2020/6/9", "/search.xml", "/search.json/",
                 "/%FF%FE", "/" + "a/" * 500, "/-/versions.json", "/hostile/articles.json?_sort=nope",
                 "/hostile/articles?_search=%22", "/hostile/articles?_search=NEAR(", "/hostile/articles?_size=999999",
                 "/hostile/articles?_next=%00", "/hostile.json?sql=select+*+from+nope", "/hostile.json?sql=%27"]
    for path in paths + odd_paths:
        for method in ("GET", "HEAD", "OPTIONS"):
            response = await ds.client.request(method, path)
            assert response.status_code < 500 and "Traceback" not in response.text, (method, path)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = await ds.client.request(method, path, content=b"x=1")
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_too_long_an_address_is_refused_clearly(ds):
    response = await ds.client.get("/search?q=" + "x" * MAX_URL_BYTES)
    assert response.status_code == 414 and "too long" in response.text
    assert (await ds.client.get("/search?q=" + "x" * (MAX_URL_BYTES - 100))).status_code == 200


# --- hostile articles ----------------------------------------------------------------------------

# What the hostile articles would put on a page if anything were not escaped. Our own pages have
# no <script> at all (their Content-Security-Policy forbids it); Datasette's have their own.
RAW = ["<script>alert", "<script>feed", "<img", "<b>bold", "<\\script>", "onerror=alert(1)>"]


async def test_hostile_text_and_names_are_escaped_on_every_page(ds, hostile_db):
    article = hostile_id(hostile_db)
    pages = [p for p in route_examples(article) if not p.endswith((".json", ".csv", ".ndjson", ".atom"))]
    pages += [f"/search?q={q}" for q in ("tiger", "script", "img", "keeper", "hyperlink", quote(SCRIPT))]
    pages += [f"/concordance?q={q}&arrange=right" for q in ("tiger", "script", "img", "bold", quote(SCRIPT))]
    pages += ["/names", "/names?q=" + quote(SCRIPT), "/names?kind=" + quote(SCRIPT)]
    pages += ["/search?since=2020-06-11&until=2020-06-15", "/archive/2020/06/11", f"/article/{article}",
              "/hostile/articles", f"/hostile/articles/{article}", "/hostile/articles?_search=tiger",
              "/hostile?sql=select+headline,+source+from+articles"]
    seen_escaped = 0
    for path in pages:
        response = await ds.client.get(path)
        assert response.status_code < 500, path
        html = response.text
        for raw in RAW:
            assert raw not in html, (path, raw)
        if not path.startswith("/hostile"):
            assert "<script" not in html, path
        seen_escaped += "&lt;script&gt;" in html or "&lt;img" in html
    assert seen_escaped >= 8  # the hostile text was really on those pages, escaped
    page = (await ds.client.get(f"/article/{article}")).text
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;quoted&#34; &amp;amp; &lt;\\script&gt;.txt" in page or \
        "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp;amp; &lt;\\script&gt;.txt" in page
    # Text, not a template: rendered, "{{ 7*7 }} {% raw %}" would read "49 " (a bare "49" may be in a time).
    assert "{{ 7*7 }} {% raw %}" in page and "&lt;/script&gt; 49 " not in page


async def test_json_and_the_atom_feed_carry_hostile_text_as_data(ds, hostile_db):
    data = (await ds.client.get("/search.json?q=tiger")).json()
    hostile = [r for r in data["results"] if r["source"].startswith("<img")]
    assert hostile and "<img" not in hostile[0]["snippet"] and "<script" not in hostile[0]["snippet"]
    assert hostile[0]["headline"].startswith(SCRIPT)  # JSON is data: kept exactly, the client escapes
    response = await ds.client.get("/search.atom?q=tiger")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # well-formed despite "]]>" and control characters
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.find("a:title", ns).text for e in feed.findall("a:entry", ns)]
    assert any(t.startswith(SCRIPT) for t in titles)  # the feed reader gets the text, not markup
    assert "<script" not in response.text and "<img" not in response.text
    summaries = " ".join(e.find("a:summary", ns).text or "" for e in feed.findall("a:entry", ns))
    assert "]]></summary>" in summaries


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not SIGNED_NUMBER.fullmatch(cell)]


async def test_every_csv_neutralises_formula_cells(ds, hostile_db):
    ours = list(csv.reader(io.StringIO((await ds.client.get("/search.csv?q=tiger")).text)))
    assert len(ours) == 1 + 7 and _formula_cells(ours) == []  # a header and every article
    cells = {cell for row in ours for cell in row}
    assert {"'=HYPERLINK(\"evil\").txt", "'@SUM(A1).txt", "'+plus.txt", "'-minus.txt",
            "'@SUM(A1) tiger", "'-tiger keeper report"} <= cells
    # Datasette's own CSV of the table and of any SQL query goes through the same neutralising.
    for path in ["/hostile/articles.csv?_size=max", "/hostile/articles.csv?_stream=on",
                 "/hostile.csv?sql=select+source,+headline,+body,+'-5'+as+n+from+articles",
                 "/hostile/articles.csv?_dl=1&_search=tiger"]:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) > 5 and _formula_cells(rows) == [], (path, _formula_cells(rows)[:3])
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row), path
    # And the command line's CSV export.
    result = CliRunner().invoke(cli, ["export", "tiger", "--format", "csv", "--db", hostile_db])
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and len(rows) == 1 + 7 and _formula_cells(rows) == []


def test_the_csv_guard_matches_the_exporter_on_any_csv_in_any_chunks():
    """FormulaGuard (for Datasette's CSV) and neutralise_cell (for ours) agree, however the stream is cut."""
    r = random.Random(5)
    alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", '"', ",", "a", "é", " ", "1", "'", ".", "e", "7", "-1", "+2.5"]
    for _ in range(2000):
        table = [["".join(r.choice(alphabet) for _ in range(r.randint(0, 6))) for _ in range(r.randint(1, 4))]
                 for _ in range(r.randint(1, 4))]
        raw, expected = io.StringIO(), io.StringIO()
        csv.writer(raw).writerows(table)
        csv.writer(expected).writerows([[neutralise_cell(c) for c in row] for row in table])
        data = raw.getvalue().encode()
        guard, out, start = FormulaGuard(), b"", 0
        for cut in sorted(r.sample(range(len(data) + 1), min(3, len(data) + 1))) + [len(data)]:
            out += guard.feed(data[start:cut])
            start = cut
        assert out.decode() == expected.getvalue(), table
    # A last cell with no line end is given out at the end of the stream, decided like the others.
    for last, shown in ((b"-5", b"-5"), (b"-5x", b"'-5x"), (b"-", b"'-"), (b"+1e-3", b"+1e-3")):
        guard = FormulaGuard()
        assert guard.feed(b"a," + last) + guard.finish() == b"a," + shown


async def test_signed_numbers_in_datasette_csv_stay_numbers(hostile_db):
    datasette = make_datasette(hostile_db)
    await datasette.invoke_startup()
    sql = "select -5 as neg, -0.25 as negf, 1e-3 as small, '-5 pct drop' as text, '+A1' as cell, '-' as dash"
    response = await datasette.client.get("/hostile.csv?" + urllib.parse.urlencode({"sql": sql}))
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.text)))[1] == ["-5", "-0.25", "0.001", "'-5 pct drop", "'+A1", "'-"]


# --- read-only ------------------------------------------------------------------------------------


def fingerprint(db_path: str) -> dict[str, str]:
    """Hashes of the database, its WAL and every file of the ranked index (not the -shm read marks)."""
    files = [Path(db_path), Path(db_path + "-wal"), *sorted(Path(db_path + ".index").iterdir())]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


async def test_no_address_writes_to_the_archive(hostile_db):
    before = fingerprint(hostile_db)
    datasette = make_datasette(hostile_db)
    await datasette.invoke_startup()
    article = hostile_id(hostile_db)
    attempts = [
        "/hostile.json?sql=DELETE+FROM+articles", "/hostile.json?sql=DROP+TABLE+articles",
        "/hostile.json?sql=UPDATE+articles+SET+body='x'", "/hostile.json?sql=INSERT+INTO+rejects(source)+VALUES('x')",
        "/hostile.json?sql=PRAGMA+journal_mode=delete", "/hostile.json?sql=PRAGMA+user_version=99",
        "/hostile.json?sql=VACUUM", "/hostile.json?sql=ATTACH+'/tmp/x.db'+AS+x", "/hostile.json?sql=REINDEX",
        "/hostile.json?sql=CREATE+TABLE+t(x)", "/hostile.json?sql=select+1;+delete+from+articles",
        "/hostile.json?sql=INSERT+INTO+articles_fts(articles_fts)+VALUES('rebuild')",
        "/hostile.json?sql=WITH+x+AS+(DELETE+FROM+articles)+SELECT+1", "/-/settings.json", "/-/databases.json",
    ]
    for path in attempts + route_examples(article):
        response = await datasette.client.get(path)
        assert response.status_code < 500, path
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ["/hostile/articles", "/hostile/-/create", "/hostile/articles/-/insert", f"/hostile/articles/{article}/-/delete",
                     "/-/messages", "/hostile", "/search"]:
            assert (await datasette.client.request(method, path, json={"row": {"id": 1}})).status_code == 405
    assert fingerprint(hostile_db) == before
    conn = sqlite3.connect(hostile_db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (7,)
    conn.close()


# --- request limits -------------------------------------------------------------------------------


async def test_a_slow_page_is_stopped_with_a_clear_503(ds, monkeypatch):
    import time

    def slow_search(*args, **kwargs):
        time.sleep(1.5)
        raise AssertionError("not reached in time")

    monkeypatch.setattr(views, "VIEW_TIME_LIMIT_SECONDS", 0.3)
    monkeypatch.setattr(search, "search", slow_search)
    started = asyncio.get_running_loop().time()
    page = await ds.client.get("/search?q=tiger")
    data = await ds.client.get("/search.json?q=tiger")
    assert asyncio.get_running_loop().time() - started < 1.4
    assert page.status_code == 503 and "took too long" in page.text and "<h1" in page.text
    assert data.status_code == 503 and "took too long" in data.json()["error"]


async def test_datasette_sql_is_stopped_by_the_time_limit(hostile_db):
    datasette = make_datasette(hostile_db, extra_settings={"sql_time_limit_ms": 200})
    await datasette.invoke_startup()
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    started = asyncio.get_running_loop().time()
    response = await datasette.client.get("/hostile.json?sql=" + quote(endless))
    assert asyncio.get_running_loop().time() - started < 3
    assert response.status_code == 400 and "took too long" in response.text.lower()


async def test_streamed_exports_are_capped(ds, monkeypatch):
    import threading

    release = threading.Event()

    def held_matches(conn, *args, **kwargs):
        release.wait(10)
        yield {"id": 1, "headline": "h"}

    monkeypatch.setattr(search, "iter_matches", held_matches)
    running = [asyncio.ensure_future(ds.client.get("/search.ndjson?q=tiger")) for _ in range(views.MAX_EXPORTS)]
    for _ in range(100):  # until every export has started
        if getattr(ds, "_news_archive_exports", 0) == views.MAX_EXPORTS:
            break
        await asyncio.sleep(0.01)
    refused = await ds.client.get("/search.csv?q=tiger")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
    assert "exports are running" in refused.json()["error"]
    release.set()
    assert [r.status_code for r in await asyncio.gather(*running)] == [200] * views.MAX_EXPORTS
    assert ds._news_archive_exports == 0
    assert (await ds.client.get("/search.ndjson?q=tiger")).status_code == 200


async def test_an_export_stops_when_its_reader_goes_away(ds, monkeypatch):
    """An abandoned export does not run on (holding one of the MAX_EXPORTS places) to the end."""
    produced = 0

    def endless(conn, *args, **kwargs):
        nonlocal produced
        while True:
            produced += 1
            yield {"id": produced, "headline": "h" * 100}

    monkeypatch.setattr(search, "iter_matches", endless)
    app = ds.app()
    gone = asyncio.Event()
    bodies = 0

    async def receive():
        if not gone.is_set():
            await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal bodies
        if message["type"] == "http.response.body":
            bodies += 1
            if bodies == 3:
                gone.set()  # the reader hangs up after a few pieces

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/search.ndjson", "raw_path": b"/search.ndjson", "query_string": b"q=tiger", "root_path": "",
             "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    await asyncio.wait_for(app(scope, receive, send), 10)
    assert ds._news_archive_exports == 0 and produced < 100_000


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd_files(tmp_path_factory, hostile_db):
    folder = tmp_path_factory.mktemp("odd")
    (folder / "junk.db").write_bytes(b"not sqlite at all" * 64)
    sqlite3.connect(folder / "empty.db").execute("CREATE TABLE other(x)").connection.commit()
    (folder / "a-folder.db").mkdir()
    return folder


def cli_cases(hostile_db: str, odd: Path) -> list[list[str]]:
    db = ["--db", hostile_db]
    cases = []
    for query in ['"unbalanced', "NEAR(", "AND", "*", ")))", "a:b", "'; DROP TABLE articles; --", "x" * 20000,
                  "🐯" * 500, "\x00\x01\x1b[31m", "\u202e", "-", "--", "-tiger", SCRIPT]:
        cases += [["search", query, *db], ["export", query, *db], ["export", query, "--format", "csv", *db]]
    for option in [["--since", "notadate"], ["--until", "2020-13"], ["--since", "9" * 500], ["--limit", "0"],
                   ["--limit", "100000"], ["--page", "0"], ["--page", "-1"], ["--page", "99999999999999999999"],
                   ["--sort", "bogus"], ["--json", "--page", "10000"], ["--bogus-option"]]:
        cases.append(["search", "tiger", *option, *db])
    for bad_db in ["junk.db", "empty.db", "a-folder.db", "missing.db"]:
        where = ["--db", str(odd / bad_db)]
        cases += [["search", "tiger", *where], ["export", *where], ["stats", *where], ["stats", "--json", *where]]
        if bad_db != "missing.db":  # (serve and ingest make a missing archive, as they should)
            cases += [["serve", *where, "--port", "0"], ["ingest", str(SAMPLE), *where]]
    cases += [
        ["export", "--format", "xml", *db], ["export", "-o", str(odd / "no/such/folder/x.csv"), *db],
        ["export", "-o", str(odd / "a-folder.db"), *db], ["export", "--since", "2021", "--until", "2020", *db],
        ["ingest", str(odd / "nowhere"), "--db", str(odd / "new.db")], ["ingest", "--jobs", "0", str(SAMPLE), *db],
        ["ingest", "--jobs", "100000", str(SAMPLE), *db], ["ingest", "--glob", "[", str(SAMPLE), "--db", str(odd / "g.db")],
        ["serve", "--port", "70000", *db], ["serve", "--port", "abc", *db], ["stats", "--json", "--bogus", *db],
        ["search", *db], ["no-such-command"],
    ]
    return cases


def test_every_command_with_hostile_arguments(hostile_db, odd_files):
    before = sqlite3.connect(hostile_db).execute("SELECT count(*), max(id) FROM articles").fetchone()
    runner = CliRunner()
    failures = []
    for args in cli_cases(hostile_db, odd_files):
        result = runner.invoke(cli, args)
        text = result.output + (result.stderr if result.stderr_bytes is not None else "")
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if crashed or "Traceback" in text or result.exit_code not in (0, 1, 2, 3):
            failures.append((args[:4], result.exit_code, repr(result.exception), text[-300:]))
        elif result.exit_code == 1 and not text.startswith("Error: ") and "\nError: " not in text:
            failures.append((args[:4], "unclear", text[-300:]))
        elif result.exit_code == 2 and "Error" not in text:
            failures.append((args[:4], "unclear usage error", text[-300:]))
        elif result.exit_code == 3 and "rejected" not in text and "cannot ingest" not in text:
            failures.append((args[:4], "unclear rejection", text[-300:]))
    assert not failures, failures[:8]
    assert sqlite3.connect(hostile_db).execute("SELECT count(*), max(id) FROM articles").fetchone() == before
    assert not (odd_files / "missing.db").exists()  # reading commands never create an archive


def test_search_json_is_valid_for_hostile_queries(hostile_db):
    for query in ['"unbalanced', "NEAR(", SCRIPT, "\x00", "🐯"]:
        result = CliRunner().invoke(cli, ["search", query, "--json", "--db", hostile_db])
        assert result.exit_code == 0 and isinstance(json.loads(result.stdout), list)


def test_huge_pages_neither_abort_nor_traceback(hostile_db):
    """A page of 10^12 once made the ranked index allocate for every skipped hit and abort the process."""
    import subprocess
    import sys

    result = CliRunner().invoke(cli, ["search", "tiger", "--page", "999999999999", "--db", hostile_db])
    assert result.exit_code == 2 and "is not in the range 1<=x<=10000" in result.output
    library = subprocess.run([sys.executable, "-c", (
        "import sqlite3, sys\n"
        "from news_archive import search\n"
        "from news_archive.search_index import SearchIndex\n"
        "found = search.search(sqlite3.connect(sys.argv[1]), 'tiger', page=10**12, index=SearchIndex.open(sys.argv[1]))\n"
        "print(found.page, found.total, len(found.hits))\n"), hostile_db], capture_output=True, text=True, timeout=60)
    assert library.returncode == 0, library.stderr[-500:]
    assert library.stdout.split() == ["1", "7", "7"]  # the last page there is


async def test_no_other_site_may_read_the_archive(ds, hostile_db):
    article = hostile_id(hostile_db)
    for path in (f"/article/{article}.json", "/search.json?q=tiger", "/names.json", "/quotes.json"):
        response = await ds.client.get(path)
        assert response.status_code == 200 and "access-control-allow-origin" not in response.headers, path
    # A server on localhost answers only to localhost names: a page that points a name of its own at
    # 127.0.0.1 (DNS rebinding) gets nothing; the same server exposed on another address answers all.
    app = ds.app()
    for host, server, status in [(b"evil.example", ("127.0.0.1", 8001), 421), (b"127.0.0.1.evil.com", ("127.0.0.1", 8001), 421),
                                 (b"localhost:8001", ("127.0.0.1", 8001), 200), (b"127.0.0.1:8001", ("127.0.0.1", 8001), 200),
                                 (b"[::1]:8001", ("::1", 8001), 200), (b"news.example.org", ("192.0.2.7", 80), 200)]:
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": "/search.json",
                 "raw_path": b"/search.json", "query_string": b"q=tiger", "root_path": "", "server": server,
                 "client": ("127.0.0.1", 5000), "headers": [(b"host", host)]}
        await app(scope, receive, send)
        assert sent[0]["status"] == status, host


async def test_datasettes_own_pages_answer_bad_parameters_with_400(ds):
    for path in ["/hostile/articles?_through=abc", '/hostile/articles.json?_through={"a":1}',
                 "/hostile/articles?_timelimit=abc", "/hostile/articles?_where=%00", "/hostile/articles?_facet=%00",
                 "/hostile/articles?_facet_array=%00", "/hostile/articles?_facet_date=%00",
                 '/hostile/articles.json?_facet={"a":1}', "/hostile.json?_shape=array"]:
        response = await ds.client.get(path)
        assert response.status_code == 400, path
        assert "not one this page can use" in response.text and "Traceback" not in response.text, path


async def test_datasettes_own_pages_answer_numbers_too_large_keys_cut_short_and_slow_csv_with_400(ds):
    for path in ["/hostile/articles.json?id__gt=9223372036854775808", "/hostile/articles?date__gt=" + "9" * 20]:
        response = await ds.client.get(path)
        assert response.status_code == 400 and "numbers in filters" in response.text, path
    for path in ["/hostile/article_names/1", "/hostile/similar_articles/1.json"]:  # tables keyed by two columns
        response = await ds.client.get(path)
        assert response.status_code == 400 and "does not name a row" in response.text, path
    slow = await ds.client.get("/hostile/articles.csv?_search=tiger&_timelimit=1&_size=1000")
    forever = "with recursive c(x) as (select 1 union all select x+1 from c) select count(*) from c"
    for response in (slow, await ds.client.get("/hostile.csv", params={"sql": forever})):
        if response.status_code != 200:  # the small archive may answer within a millisecond
            assert response.status_code == 400 and "took too long" in response.text


async def test_no_sql_query_can_make_a_value_of_gigabytes(ds):
    """One request used 16.7 GB of memory: SQLite makes values up to 1 GB by default, and Datasette
    encodes them for the page. Values are now limited to what an article can be (MAX_VALUE_BYTES)."""
    from news_archive.web import MAX_VALUE_BYTES

    for sql in ("select zeroblob(900000000)", "select printf('%.*c', 500000000, 'x')",
                "with recursive d(x, n) as (select 'x', 0 union all select x || x, n + 1 from d where n < 40)"
                " select length(x) from d"):
        response = await ds.client.get("/hostile.json", params={"sql": sql})
        assert response.status_code == 400 or response.json()["rows"] in ([[None]], []), sql
        assert "string or blob too big" in response.text or response.json()["rows"] == [[None]], sql
    fits = (await ds.client.get("/hostile.json", params={"sql": f"select length(zeroblob({MAX_VALUE_BYTES - 10}))"}))
    assert fits.json()["rows"] == [[MAX_VALUE_BYTES - 10]]  # a value as large as an article can be still works


async def test_every_filter_is_applied_or_refused(ds):
    six = "&".join(f"name={n}" for n in range(1, 7))
    data = (await ds.client.get(f"/search.json?q=tiger&{six}")).json()
    assert any("one name more than the 5 a search can narrow by" in note for note in data["notes"])
    # What is exported or subscribed to is exactly what was asked for, or nothing.
    for path in (f"/search.ndjson?q=tiger&{six}", "/search.ndjson?q=tiger&sort=bogus", "/search.atom?q=tiger&sort=bogus",
                 "/search.atom?q=tiger&since=bogus"):
        response = await ds.client.get(path)
        assert response.status_code == 400 and response.json()["ok"] is False, path
    far = (await ds.client.get("/search.json?q=tiger&until=0001-01-01")).json()
    assert far["notes"] == ["the to date '0001-01-01' is outside the years this archive can hold, so it was ignored;"
                            " use 1000 to 2999"]


def test_the_terminal_gets_no_control_sequences_from_articles_or_names(tmp_path):
    folder = tmp_path / "ansi"
    write_article(folder, "ansi.txt", 'date 2021-02-03 Terminal \x1b[31mRED oil\x1b[0m headline \x1b]0;pwned\x07 end'
                                      '\n\n"Hello \x1b[2J there, all," said Ansi Person. More oil.'
                                      ' C1 too: \u009b31mcsi \u009d0;osc\u009c.\n')
    write_article(folder, "good\x1b]0;T\x07.txt", "date 2021-02-04 Another oil story.\n")
    db = str(tmp_path / "a.db")
    ingested = CliRunner().invoke(cli, ["ingest", str(folder), "--db", db])
    assert ingested.exit_code == 0 and "\x1b]" not in ingested.output
    # The few control characters of a text are dropped as it is read; a file name's are stored as \xNN.
    body = sqlite3.connect(db).execute("SELECT body FROM articles WHERE source = 'ansi.txt'").fetchone()[0]
    assert "\x1b" not in body and "\x07" not in body
    assert not re.search("[\x80-\x9f]", body)
    for args in (["search", "oil"], ["quotes", "hello"], ["names"], ["stats"], ["export", "terminal"], ["search", "terminal", "--json"],
                 ["export", "terminal", "--format", "csv"], ["show", "1", "--json"]):
        result = CliRunner().invoke(cli, [*args, "--db", db])
        assert result.exit_code == 0 and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.output), args
    assert "good\\x1b]0;T\\x07.txt" in CliRunner().invoke(cli, ["search", "another", "--db", db]).output


def test_arguments_that_are_not_utf8_give_one_clear_line(tmp_path):
    import os
    import subprocess
    import sys

    db = str(tmp_path / "s.db")
    ingest(db, [str(SAMPLE)], jobs=1)
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")  # `café` typed in a Latin-1 terminal
    after = b" is not UTF-8 text: type it again as UTF-8 (a terminal set to another encoding sends other bytes)\n"
    # The same line everywhere, naming the argument: `search caf\xe9` searched for `caf`, `compare` wrote the
    # byte into its CSV and JSON, `--since` was a date error with status 2.
    for args, what in ((["names", bad], "the argument"), (["search", "tiger", bad], "the argument"),
                       (["search", "--", bad], "the argument"), (["concordance", bad], "the argument"),
                       (["quotes", "--speaker", bad], "--speaker"), (["search", "--name", bad], "--name"),
                       (["export", f"--name={bad}"], "--name"), (["search", "--since", bad], "--since"),
                       *((["compare", "tiger", bad, "--format", fmt], "the argument") for fmt in ("table", "csv", "json")),
                       (["serve", "--setting", "base_url", bad], "--setting")):
        result = subprocess.run([sys.executable, "-m", "news_archive.cli", *args, "--db", db], capture_output=True)
        shown = b"the argument 'caf\\xe9'" if what == "the argument" else b"the value 'caf\\xe9' of " + what.encode()
        assert (result.returncode, result.stdout, result.stderr) == (1, b"", b"Error: " + shown + after), args
    # File names are the system's bytes, not text: such a name is a file all the same.
    named = tmp_path / os.fsdecode(b"caf\xe9.txt")
    named.write_text(" date 2020-01-01 A cafe opens\n\nThe cafe opened.\n")
    for args in (["ingest", str(named)], ["export", "-o", str(named) + ".csv"]):
        result = subprocess.run([sys.executable, "-m", "news_archive.cli", *args, "--db", db], capture_output=True)
        assert result.returncode == 0, (args, result.stderr)


def test_an_absurdly_long_word_is_no_name(tmp_path):
    from news_archive.names import find_mentions

    assert [m.name for m in find_mentions("The " + "A" * 5000 + " company met John Smith.")] == ["John Smith"]


async def test_datasettes_own_pages_are_never_framed_either(ds):
    for path in ("/hostile", "/hostile/articles", "/hostile/articles/1", "/hostile?sql=select+1", "/-/versions",
                 "/hostile/articles?_sort=nope"):
        response = await ds.client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
    ours = await ds.client.get("/search?q=tiger")
    assert ours.headers["content-security-policy"].startswith("default-src 'none'")  # our own, whole policy
