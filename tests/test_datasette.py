"""Datasette's own side of the archive: its table pages paged and streamed whole, the reading room
under Datasette's permissions, plain `datasette` on an archive of an older news-archive, and the
links between Datasette's row pages and the reading room. A real Datasette (datasette.client) over
real archives."""

import csv
import json
import re
import io
import sqlite3
from urllib.parse import urlsplit

import pytest

from conftest import write_article
from news_archive.ingest import ingest
from news_archive.web.app import make_datasette

SAME_DAY = 130  # articles of one date: many pages' worth at the page sizes below


@pytest.fixture(scope="module")
def one_day_db(tmp_path_factory) -> str:
    """An archive where most articles share one date (as a wire service's day does), a few on other
    dates, and as many rejects of one moment."""
    folder = tmp_path_factory.mktemp("oneday")
    for number in range(SAME_DAY):
        write_article(folder, f"{number:03d}.txt", f" date 1987-03-02 Report {number}\n\nGrain shipment {number} left.\n")
    for day in range(1, 10):
        write_article(folder, f"other-{day}.txt", f" date 1987-04-{day:02d} Other {day}\n\nTimber {day}.\n")
    for number in range(40):
        write_article(folder, f"bad-{number:02d}.txt", f"no date line {number}\n")
    path = str(tmp_path_factory.mktemp("oneday-db") / "news.db")
    ingest(path, [str(folder)], jobs=1)
    return path


async def _follow_next(datasette, url: str) -> list[int]:
    """Every row's key of a table, page after page through next_url as a client follows it."""
    keys = []
    while url:
        data = (await datasette.client.get(url)).json()
        keys += [row["id"] if "id" in row else row["source"] for row in data["rows"]]
        url = data.get("next_url")
        if url:
            parts = urlsplit(url)
            url = parts.path + "?" + parts.query
    return keys


@pytest.mark.parametrize("table, key, size", [("articles", "id", 20), ("articles", "id", 50), ("rejects", "source", 6)])
async def test_datasettes_pages_of_a_table_give_every_row_once(one_day_db, table, key, size):
    datasette = make_datasette(one_day_db)
    await datasette.invoke_startup()
    every = {row[0] for row in sqlite3.connect(one_day_db).execute(f"SELECT {key} FROM {table}")}
    assert len(every) == (SAME_DAY + 9 if table == "articles" else 40)
    paged = await _follow_next(datasette, f"/news/{table}.json?_size={size}&_shape=objects")
    assert len(paged) == len(every) and set(paged) == every
    streamed = list(csv.DictReader(io.StringIO((await datasette.client.get(
        f"/news/{table}.csv?_stream=on&_size={size}")).text)))
    assert len(streamed) == len(every) and {row[key] if key == "source" else int(row[key]) for row in streamed} == every


async def test_the_articles_of_some_dates_are_paged_whole_by_a_filter_in_the_default_order(one_day_db):
    datasette = make_datasette(one_day_db)
    await datasette.invoke_startup()
    paged = await _follow_next(datasette, "/news/articles.json?date__gte=1987-03-01&date__lte=1987-03-31&_size=20&_shape=objects")
    assert len(paged) == len(set(paged)) == SAME_DAY


async def test_under_a_base_url_datasettes_own_links_name_it_once(one_day_db):
    """Datasette 0.65 added base_url to paths built on a request's path, which held it already:
    next_url, the Link header and the facets' links of /room/room/news/..., a 404."""
    from datasette.utils import PrefixedUrlString

    datasette = make_datasette(one_day_db, extra_settings={"base_url": "/room/"})
    await datasette.invoke_startup()
    keys, url, links = [], "/room/news/articles.json?_size=50&_facet=date&_shape=objects", []
    while url:
        answer = await datasette.client.get(PrefixedUrlString(url))  # as sent, base_url and all
        assert answer.status_code == 200, url
        data = answer.json()
        keys += [row["id"] for row in data["rows"]]
        links += [data["next_url"] or "", answer.headers.get("link", ""),
                  *(value["toggle_url"] for facet in data["facet_results"].values() for value in facet["results"]),
                  *(facet["toggle_url"] for facet in data["facet_results"].values())]
        url = data["next_url"] and data["next_url"].removeprefix("http://localhost")
    assert len(keys) == len(set(keys)) == SAME_DAY + 9
    assert all("/room/room/" not in link for link in links) and sum("/room/news/" in link for link in links) > 6, links
    page = (await datasette.client.get(PrefixedUrlString("/room/news/articles?_size=5&_facet=date"))).text
    assert "/room/news/articles?" in page and "/room/room/" not in page
    flipped = await datasette.client.get(PrefixedUrlString("/room/news/articles?_sort=id&_sort_by_desc=on"))
    assert flipped.status_code == 302 and flipped.headers["location"] == "/room/news/articles?_sort_desc=id"


# --- permissions ----------------------------------------------------------------------------------

def plain_datasette(db_path: str, metadata: dict | None = None):
    """Datasette as `datasette news.db -m metadata.json` makes it: none of `serve`'s metadata or settings."""
    from datasette.app import Datasette

    from news_archive.web.app import _register_plugin

    _register_plugin()
    return Datasette([db_path], metadata=metadata or {})


def ids_of(db_path: str) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        return {"article": conn.execute("SELECT min(id) FROM articles").fetchone()[0],
                "name": conn.execute("SELECT min(id) FROM names").fetchone()[0]}
    finally:
        conn.close()


def every_route(ids: dict) -> list[str]:
    """An address of each of the reading room's routes."""
    return [
        "/", "/index.json", "/search?q=tiger", "/search.json?q=tiger", "/search.csv?q=tiger", "/search.ndjson?q=tiger",
        "/search.atom?q=tiger", f"/article/{ids['article']}", f"/article/{ids['article']}.json",
        f"/article/{ids['article']}/earlier/1", f"/article/{ids['article']}/earlier/1.json", "/article/x",
        "/archive", "/archive.json", "/archive/2020", "/archive/2020/06", "/archive/2020/06/09.json", "/archive/on/06-09",
        "/archive/x", f"/name/{ids['name']}", f"/name/{ids['name']}.json", "/name/x", "/names", "/names.json",
        "/quotes", "/quotes.json", "/quotes.csv", "/quotes.ndjson", "/compare?q=tiger", "/compare.json?q=tiger",
        "/compare.csv?q=tiger", "/concordance?q=tiger", "/concordance.json?q=tiger", "/concordance.csv?q=tiger",
        "/concordance.ndjson?q=tiger", "/help",
    ]


NO_TABLE = ("/help", "/article/x", "/archive/x", "/name/x")


@pytest.mark.parametrize("private", [
    {"allow": {"id": "root"}},
    {"databases": {"sample": {"allow": {"id": "root"}}}},
    {"allow": {"id": "root"}, "databases": {"sample": {"allow": {"id": "root"}}}},
], ids=["instance", "database", "both"])
async def test_the_reading_room_follows_datasettes_permissions(sample_db, private):
    datasette = plain_datasette(sample_db, private)
    root = {"ds_actor": datasette.sign({"a": {"id": "root"}}, "actor")}
    someone = {"ds_actor": datasette.sign({"a": {"id": "someone"}}, "actor")}
    instance_private = "allow" in private
    for path in every_route(ids_of(sample_db)):
        for cookies in (None, someone):
            refused = await datasette.client.get(path, cookies=cookies)
            if path in NO_TABLE and not instance_private:  # pages of no table: view-instance alone
                assert refused.status_code in (200, 404), path
                continue
            assert refused.status_code == 403, (path, refused.status_code)
            if path.split("?")[0].endswith((".json", ".csv", ".ndjson", ".atom")):
                assert refused.json()["ok"] is False and refused.json()["status"] == 403, path
            else:  # Datasette's own refusal page
                assert refused.headers["content-type"].startswith("text/html"), path
                assert "Forbidden" in refused.text, path
        allowed = await datasette.client.get(path, cookies=root)
        assert allowed.status_code in (200, 404), (path, allowed.status_code)
    # Datasette's own pages agree.
    assert (await datasette.client.get("/sample")).status_code == 403
    assert (await datasette.client.get("/sample", cookies=root)).status_code == 200


async def test_datasettes_own_data_addresses_answer_errors_in_json(sample_db):
    """Datasette answers its refusals in HTML, and its errors in JSON at .json addresses only: a script
    reading /sample/articles.csv or /sample.json was handed a page."""
    private = plain_datasette(sample_db, {"databases": {"sample": {"allow": {"id": "root"}}}})
    for path in ["/sample.json", "/sample/articles.json", "/sample.json?sql=select+1", "/sample/articles.csv",
                 "/sample.csv?sql=select+1"]:
        refused = await private.client.get(path)
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/json"), path
        assert refused.json() == {"ok": False, "error": refused.json()["error"], "status": 403}, path
    page = await private.client.get("/sample/articles")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")  # a page stays a page
    datasette = plain_datasette(sample_db)
    for path, status in [("/sample.csv?sql=selec", 400), ("/sample/articles/999999.csv", 404),
                         ("/sample/nosuch.csv", 404), ("/nosuch/articles.csv", 404), ("/sample/nosuch.json", 404)]:
        answer = await datasette.client.get(path)
        assert answer.status_code == status and answer.headers["content-type"].startswith("application/json"), path
        assert answer.json()["ok"] is False and answer.json()["error"], path
    assert (await datasette.client.get("/sample/nosuch")).headers["content-type"].startswith("text/html")
    posted = await datasette.client.post("/search.json")
    assert posted.status_code == 405 and posted.json()["status"] == 405 and "read-only" in posted.json()["error"]
    assert (await datasette.client.post("/search")).headers["content-type"].startswith("text/plain")


async def test_a_table_kept_private_keeps_its_pages_private(sample_db):
    datasette = plain_datasette(sample_db, {"databases": {"sample": {"tables": {"quotes": {"allow": False}}}}})
    ids = ids_of(sample_db)
    for path in ["/quotes", "/quotes.json", "/quotes.csv", "/quotes.ndjson"]:
        assert (await datasette.client.get(path)).status_code == 403, path
    for path in ["/", "/search?q=tiger", f"/article/{ids['article']}", f"/name/{ids['name']}", "/names.json"]:
        assert (await datasette.client.get(path)).status_code == 200, path
    names_private = plain_datasette(sample_db, {"databases": {"sample": {"tables": {"names": {"allow": False}}}}})
    for path in [f"/name/{ids['name']}", f"/name/{ids['name']}.json", "/names", "/names.json"]:
        assert (await names_private.client.get(path)).status_code == 403, path
    articles_private = plain_datasette(sample_db, {"databases": {"sample": {"tables": {"articles": {"allow": False}}}}})
    assert {path: (await articles_private.client.get(path)).status_code for path in every_route(ids)
            if path not in NO_TABLE} == {path: 403 for path in every_route(ids) if path not in NO_TABLE}


async def test_an_article_does_not_say_why_its_file_fails_to_those_who_may_not_see_the_rejects(tmp_path):
    path = write_article(tmp_path / "in", "c.txt", " date 2020-01-01 Good once\n\nIt read well.\n")
    db = str(tmp_path / "news.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    path.write_text("the date line went missing\n")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = plain_datasette(db, {"databases": {"news": {"tables": {"rejects": {"allow": {"id": "root"}}}}}})
    root = {"ds_actor": datasette.sign({"a": {"id": "root"}}, "actor")}
    assert (await datasette.client.get("/article/1.json")).json()["source_rejected"] is None
    assert "Source now rejected" not in (await datasette.client.get("/article/1")).text
    assert (await datasette.client.get("/article/1.json", cookies=root)).json()["source_rejected"]["reason"]
    assert "Source now rejected" in (await datasette.client.get("/article/1", cookies=root)).text


# --- an archive of an older news-archive ------------------------------------------------------------

async def test_plain_datasette_on_an_older_archive_says_to_bring_it_up_to_date(sample_db, tmp_path):
    """`datasette news.db` serves the file as it is: an archive of schema version 9 has no names.folded
    (every /name/<id> was a 500). Every page says what to run, in a page or in JSON; nothing is a 500."""
    old = str(tmp_path / "old.db")
    source = sqlite3.connect(sample_db)
    copy = sqlite3.connect(old)
    source.backup(copy)
    source.close()
    copy.execute("ALTER TABLE names DROP COLUMN folded")
    copy.execute("PRAGMA user_version = 9")
    copy.commit()
    copy.close()
    datasette = plain_datasette(old)
    for path in every_route(ids_of(old)):
        response = await datasette.client.get(path)
        if path in NO_TABLE:
            assert response.status_code in (200, 404), path
            continue
        assert response.status_code == 503, (path, response.status_code)
        if path.split("?")[0].endswith((".json", ".csv", ".ndjson", ".atom")):
            assert "news-archive ingest" in response.json()["error"], path
        else:
            assert "Archive needs an upgrade" in response.text and "news-archive serve" in response.text, path
            # Its links lead where something answers, not to the front page, which says the same.
            assert '<a href="/old">' in response.text and '<a href="/help">' in response.text, path
            assert "`" not in response.text.split("<h1>", 1)[1].split("</section>", 1)[0], path
    assert (await datasette.client.get("/old/names.json")).status_code == 200  # Datasette's own pages show it as it is
    assert sqlite3.connect(old).execute("PRAGMA user_version").fetchone()[0] == 9  # and nothing wrote to it
    # Brought up to date (as `news-archive analyse` does, the server still running), it is served.
    from news_archive.ingest import upgrade

    upgrade(old)
    assert (await datasette.client.get(f"/name/{ids_of(old)['name']}")).status_code == 200


# --- links, titles and `serve`'s Datasette options ------------------------------------------------

async def test_datasettes_row_pages_lead_to_the_reading_rooms_pages(sample_db):
    ids = ids_of(sample_db)
    for datasette in (make_datasette(sample_db), plain_datasette(sample_db)):
        article = (await datasette.client.get(f"/sample/articles/{ids['article']}")).text
        assert f'{ids["article"]} <a href="/article/{ids["article"]}">(article page)</a>' in article
        name = (await datasette.client.get(f"/sample/names/{ids['name']}")).text
        assert f'{ids["name"]} <a href="/name/{ids["name"]}">(name page)</a>' in name
        # Table pages keep Datasette's own link of the id to its row, and other tables' ids are theirs.
        table = (await datasette.client.get("/sample/articles")).text
        assert "(article page)" not in table
        assert "(article page)" not in (await datasette.client.get("/sample/quotes/1")).text


async def test_the_pages_take_the_title_of_datasettes_metadata(sample_db):
    titled = plain_datasette(sample_db, {"title": "Harbour <b>papers</b>"})
    for path in ["/", "/search?q=tiger", "/help"]:
        html = (await titled.client.get(path)).text
        assert "<title>" in html and "Harbour &lt;b&gt;papers&lt;/b&gt;</title>" in html, path
        assert '<a class="brand" href="/">Harbour &lt;b&gt;papers&lt;/b&gt;</a>' in html, path
        assert "News archive" not in html, path
    assert "<title>Harbour &lt;b&gt;papers&lt;/b&gt;: tiger</title>" in (await titled.client.get("/search.atom?q=tiger")).text
    assert "<title>News archive</title>" in (await plain_datasette(sample_db).client.get("/")).text


def _serve(db: str, *args: str):
    """`news-archive serve` in a process of its own, on a free port; its answers to come."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from conftest import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "news_archive.cli", "serve", "--db", db, "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            return process, base
        except urllib.error.HTTPError:
            return process, base  # answering (a private instance refuses it)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode())
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def _get(url: str, cookie: str | None = None) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Cookie": f"ds_actor={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_serve_takes_datasettes_settings_and_metadata(sample_db, tmp_path, monkeypatch):
    from datasette.app import Datasette

    meta = tmp_path / "meta.yml"
    meta.write_text('title: "My private archive"\nallow:\n  id: root\ndatabases:\n  sample:\n    allow:\n      id: root\n')
    monkeypatch.setenv("DATASETTE_SECRET", "a secret of this test")  # read as `datasette` reads it
    root = Datasette([], secret="a secret of this test").sign({"a": {"id": "root"}}, "actor")
    process, base = _serve(sample_db, "--setting", "base_url", "/room/", "--setting", "default_page_size", "3",
                           "-m", str(meta))
    try:
        for path in ["/room/", "/room/search.json?q=tiger", "/room/article/1", "/room/sample/articles"]:
            assert _get(base + path)[0] == 403, path  # the metadata's permissions
            assert _get(base + path, cookie=root)[0] == 200, path
        assert "<title>My private archive</title>" in _get(base + "/room/", cookie=root)[1]
        assert len(json.loads(_get(base + "/room/sample/names.json?_shape=array", cookie=root)[1])) == 3
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert "/room/" in output.splitlines()[0]  # "Serving ... at http://localhost:PORT/room/"

    meta.write_text('title: "Harbour papers"\n')
    process, base = _serve(sample_db, "--setting", "base_url", "/room/", "-m", str(meta))
    try:
        status, home = _get(base + "/room/")
        assert status == 200 and "<title>Harbour papers</title>" in home
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', home)
        assert links and all(link.startswith("/room/") for link in links), [l for l in links if not l.startswith("/room/")]
        assert _get(base + "/room/search.json?q=tiger")[1].count("/room/article/") >= 4
        assert _get(base + "/room/-/static-plugins/news_archive/news.css")[0] == 200
        status, row = _get(base + "/room/sample/articles/1")
        assert status == 200 and '1 <a href="/room/article/1">(article page)</a>' in row
        assert 'the <a href=\\"/room/\\">search page</a>' in _get(base + "/room/-/metadata.json")[1]
        next_url = json.loads(_get(base + "/room/sample/articles.json?_size=2")[1])["next_url"]
        assert next_url.startswith(base + "/room/sample/articles.json?") and _get(next_url)[0] == 200
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize("args, said", [
    (["--setting", "no_such", "1"], "'no_such' is not a Datasette setting"),
    (["--setting", "sql_time_limit_ms", "soon"], "sql_time_limit_ms is a whole number"),
    (["--setting", "base_url", "room"], "base_url starts and ends with a slash"),
    (["-m", "{tmp}/meta.json"], "is not Datasette metadata"),
    (["-m", "{tmp}/absent.json"], "cannot read"),
])
def test_serve_says_what_is_wrong_with_a_setting_or_metadata(sample_db, tmp_path, args, said):
    import subprocess
    import sys

    (tmp_path / "meta.json").write_text("[1, 2")
    result = subprocess.run([sys.executable, "-m", "news_archive.cli", "serve", "--db", sample_db, "--port", "0",
                             *[a.replace("{tmp}", str(tmp_path)) for a in args]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, result.stderr


# --- Datasette's own pages, repaired as their templates load ----------------------------------------

UNNAMED_CONTROL = re.compile(r"<(select|textarea|input)\b(?![^>]*\btype=\"(?:hidden|submit|checkbox)\")(?![^>]*aria-label=)[^>]*>")


async def test_datasettes_own_pages_say_their_language_and_name_every_control(sample_db):
    datasette = make_datasette(sample_db)
    await datasette.invoke_startup()
    labelled = set()
    for path in ("/sample", "/sample?sql=select+1", "/sample/articles", "/sample/articles?year__exact=2020",
                 "/sample/articles/1", "/sample/names?_facet=kind"):
        response = await datasette.client.get(path)
        html = response.text
        assert response.status_code == 200 and '<html lang="en">' in html, path
        assert '<section class="content" role="main">' in html, path  # a main landmark, as Datasette styles it
        assert 'href="/-/static-plugins/news_archive/datasette.css"' in html, path
        for control in UNNAMED_CONTROL.finditer(html):  # named by a <label for=...> then
            found = re.search(r'\bid="([^"]+)"', control.group(0))
            assert found and f'<label for="{found.group(1)}"' in html, (path, control.group(0))
        labelled.update(re.findall(r'aria-label="([^"]+)"', html))
    assert {"Column to filter", "How to compare", "Value to compare with", "Column of filter 1", "How filter 1 compares",
            "Value of filter 1", "Sort by", "SQL query"} <= labelled
    # The SQL editor's script names the text box it puts in place of the SQL box.
    assert 'editor.getInputField().setAttribute("aria-label", "SQL query");' in (await datasette.client.get("/sample")).text
    css = await datasette.client.get("/-/static-plugins/news_archive/datasette.css")
    assert css.status_code == 200 and "#0062cc" in css.text  # white on it: 5.8:1 (Datasette's #007bff: 4.0:1)
    # The reading room's own pages link only their own style sheet.
    assert "datasette.css" not in (await datasette.client.get("/")).text


def test_every_repair_finds_its_tag_in_datasettes_templates_and_a_template_not_as_expected_is_left_whole():
    from news_archive.web.datasette_templates import DATASETTE_TEMPLATES, REPAIRS, repaired

    for name, repairs in REPAIRS.items():
        source = (DATASETTE_TEMPLATES / name).read_text(encoding="utf-8")
        assert all(source.count(old) == 1 for old, _ in repairs), name  # a Datasette upgrade changed it: see the module
        assert repaired(name, source) != source
    # Another release's template (one of its tags gone): served as Datasette wrote it, never half changed.
    base = (DATASETTE_TEMPLATES / "base.html").read_text(encoding="utf-8").replace('<section class="content">', "<main>")
    assert repaired("base.html", base) == base
