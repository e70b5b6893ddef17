"""The reading room through datasette.client: every page and JSON field, escaping, bad input."""

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import date as Date

import pytest

from news_archive.web.app import make_datasette

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def ds(sample_db):
    datasette = make_datasette(sample_db)
    await datasette.invoke_startup()
    return datasette


def article_id(sample_db, source):
    return sqlite3.connect(sample_db).execute("SELECT id FROM articles WHERE source = ?", (source,)).fetchone()[0]


async def test_home(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert "<strong>4</strong> articles from" in html  # exact copies are counted once
    assert '<form class="search-form search-form-large" action="/search"' in html
    assert 'id="since" name="since"' in html and 'id="until" name="until"' in html
    assert '<svg class="timeline"' in html
    assert "Latest articles" in html and 'href="/archive/2021"' in html and 'href="/archive/2020/06"' in html
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    # The most mentioned names of each kind, most first, and the way to all of them.
    assert '<h2 id="names-heading">Most mentioned</h2>' in html and '<a href="/names">All names →</a>' in html
    people = re.search(r'<a href="/names\?kind=person">People</a></h3>\s*<ul class="most-named">(.*?)</ul>', html, re.S)
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+)<span class="visually-hidden"> articles?</span></span>', people.group(1))]
    assert len(counts) == 5 and counts == sorted(counts, reverse=True) and counts[0] == 2


async def test_search_page(ds):
    response = await ds.client.get("/search?q=tiger")
    html = response.text
    assert response.status_code == 200
    assert "<strong>4</strong> articles" in html and '<q class="understood">tiger</q>' in html
    assert html.count('<li class="result">') == 4
    assert "<mark>Tiger</mark>" in html or "<mark>tiger</mark>" in html
    assert 'aria-current="true" class="current">Best match' in html
    assert "Matches per week" in html and '<svg class="timeline"' in html
    assert '<section class="facet">' in html and 'href="/search?q=tiger&amp;since=2020-01-01&amp;until=2020-12-31"' in html
    assert 'href="/search.atom?q=tiger"' in html


async def test_a_new_search_keeps_the_names_order_and_chart_chosen(ds, sample_db):
    dillon = name_id(sample_db, "Dillon Passage")
    html = (await ds.client.get(f"/search?q=tiger&name={dillon}&sort=oldest&timeline=share")).text
    form = re.search(r'<form class="search-form".*?</form>', html, re.S).group(0)
    assert re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form) == [
        ("sort", "oldest"), ("timeline", "share"), ("name", str(dillon))]
    # Nothing hidden that the page was not narrowed by; the words and dates are the form's own fields.
    plain = (await ds.client.get("/search?q=tiger&since=2020-01-01")).text
    assert 'type="hidden"' not in re.search(r'<form class="search-form".*?</form>', plain, re.S).group(0)


async def test_the_period_chosen_is_shown_as_chosen_not_linked(ds):
    html = (await ds.client.get("/search?q=tiger&since=2020-06-01&until=2020-06-30")).text
    assert '<strong aria-current="true" class="current">Jun 2020</strong>' in html
    # Its year, clipped to the dates asked for (as every facet is), is the same range: chosen too.
    assert '<strong aria-current="true" class="current">2020</strong>' in html
    wider = (await ds.client.get("/search?q=tiger&since=2020-06-01&until=2021-12-31")).text
    assert re.search(r'<a href="/search\?q=tiger&amp;since=2020-06-01&amp;until=2020-12-31">2020</a>', wider)
    whole_year = (await ds.client.get("/search?q=tiger&since=2020-01-01&until=2020-12-31")).text
    assert '<strong aria-current="true" class="current">2020</strong>' in whole_year


async def test_facet_and_timeline_links_stay_inside_the_dates_asked_for(ds):
    html = (await ds.client.get("/search?q=tiger&since=2020-06-10&until=2021-03-30")).text
    links = set(re.findall(r'href="/search\?q=tiger&amp;since=([0-9-]+)&amp;until=([0-9-]+)"', html))
    # The year 2020 and the month of June 2020 start at the 10th; 2021 ends on 30 March.
    assert {("2020-06-10", "2020-12-31"), ("2020-06-10", "2020-06-30"), ("2021-01-01", "2021-03-30")} <= links
    assert all("2020-06-10" <= since <= until <= "2021-03-30" for since, until in links)
    for since, until in links:  # each link gives what its bar or facet counted
        assert (await ds.client.get(f"/search.json?q=tiger&since={since}&until={until}")).json()["total"] > 0


async def test_shares_count_only_the_articles_of_the_dates_searched(ds):
    """A week cut by the range counts, as all articles, only those of its days in the range."""
    data = (await ds.client.get("/search.json?q=tiger&since=2020-06-10&until=2021-03-30")).json()
    first = data["timeline"][0]
    assert (data["timeline_unit"], first["period"]) == ("week", "2020-06-08")  # Monday 8 to Sunday 14 June
    whole = (await ds.client.get("/search.json?since=2020-06-08&until=2020-06-14")).json()["total"]
    cut = (await ds.client.get("/search.json?since=2020-06-10&until=2020-06-14")).json()["total"]
    assert first["all"] == cut < whole


async def test_search_json_shape(ds):
    data = (await ds.client.get("/search.json?q=tiger&sort=newest")).json()
    assert set(data) >= {"query", "total", "page", "results", "timeline", "facets"}
    assert (data["query"], data["understood"], data["total"], data["page"], data["sort"]) == ("tiger", "tiger", 4, 1, "newest")
    first = data["results"][0]
    assert set(first) == {"id", "date", "headline", "snippet", "source", "url", "similar_versions"}
    assert first["url"] == f"http://localhost/article/{first['id']}"
    assert [r["date"] for r in data["results"]] == sorted((r["date"] for r in data["results"]), reverse=True)
    assert sum(p["count"] for p in data["timeline"]) == data["total"]
    assert set(data["facets"]) == {"year", "month", "names"}
    assert sum(f["count"] for f in data["facets"]["year"]) == data["total"]


async def test_search_by_dates_only(ds):
    data = (await ds.client.get("/search.json?since=2020-06-10&until=2020-06-11")).json()
    assert data["total"] == 2 and data["sort"] == "newest"
    assert [r["date"] for r in data["results"]] == ["2020-06-11", "2020-06-10"]


async def test_invalid_syntax_note_and_bad_parameters(ds):
    response = await ds.client.get('/search?q="tiger&since=notadate&page=-1&sort=bogus&until=2020-06-09&x=1')
    assert response.status_code == 200
    html = response.text
    assert "a closing quote was missing" in html
    assert "the from date &#39;notadate&#39; is not a date, so it was ignored" in html
    assert "pages start at 1" in html and "the sort &#39;bogus&#39; is not one of" in html
    data = (await ds.client.get("/search.json?q=*")).json()
    assert data["total"] == 0 and data["notes"] == ["ignored '*': not something to search for here"]
    # A lone quote is one thing ignored, and the page says there was nothing to search for.
    lone = (await ds.client.get("/search?q=%22")).text
    assert lone.count("<li>") == 1 and "<li>ignored &#39;&#34;&#39;: not something to search for here</li>" in lone
    assert "There is nothing to search for in <q>&#34;</q>" in lone and "Try fewer words" not in lone


async def test_pages_past_the_last_and_odd_page_numbers_are_said(ds, sample_db):
    nothing = (await ds.client.get("/search.json?q=zzzqqq&page=5")).json()
    assert (nothing["page"], nothing["pages"]) == (1, 1) and nothing["notes"] == [
        "there is only 1 page of results: showing the last"]
    one = (await ds.client.get("/search?q=%22tiger+king+star%22")).text
    assert "<strong>1</strong> article\n    matches <q" in one
    newest = (await ds.client.get("/search.json?sort=relevance&since=2020-01-01")).json()
    assert newest["sort"] == "newest"  # nothing to rank: the newest first, and said so
    name_id = sqlite3.connect(sample_db).execute("SELECT id FROM names ORDER BY id LIMIT 1").fetchone()[0]
    far = await ds.client.get(f"/name/{name_id}?page=9999")
    assert "there is only 1 page: showing the last" in far.text
    for asked, note in (("abc", "page 'abc' is not a number: showing page 1"), ("-3", "pages start at 1: showing page 1"),
                        ("0", "pages start at 1: showing page 1")):
        data = (await ds.client.get(f"/name/{name_id}.json?page={asked}")).json()
        assert data["page"] == 1 and data["notes"] == [note], asked
    day = (await ds.client.get("/archive/on/06-09.json?page=0")).json()
    assert day["notes"] == ["pages start at 1: showing page 1"]


@pytest.mark.parametrize("path", [
    "/search?q=%22", "/search?q=NEAR(", "/search?q=AND", "/search?q=%27;DROP%20TABLE%20articles;--",
    "/search?q=" + "a" * 10000, "/search?q=%00%01", "/search?page=abc", "/search?page=99999999999999999999",
    "/search?since=1987-02-30", "/search?since=2021&until=2020", "/search.json?page=-5", "/search.json?q=(((",
    "/search.atom?q=%22x", "/search.csv?q=)", "/search.ndjson?q=-x", "/article/0", "/article/99999999999999999",
    "/article/abc", "/archive/1987/13", "/archive/1987/02/30", "/archive/9999", "/archive/2020/06/31",
    "/archive/nope", "/article/1.json?x=1", "/search?timeline=share&q=tiger",
])
async def test_no_parameter_gives_a_500(ds, path):
    response = await ds.client.get(path)
    assert response.status_code < 500, path


async def test_search_exports_stream_everything(ds):
    ndjson = await ds.client.get("/search.ndjson?q=tiger")
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in ndjson.text.splitlines()]
    assert len(records) == 4 and all("body" in r and r["body"] for r in records)
    table = list(csv.DictReader(io.StringIO((await ds.client.get("/search.csv?q=tiger")).text)))
    assert len(table) == 4 and set(table[0]) >= {"id", "date", "headline", "body", "source"}
    bad = await ds.client.get("/search.csv?since=notadate")
    assert bad.status_code == 400 and "notadate" in bad.json()["error"]


async def test_atom_feed(ds):
    response = await ds.client.get("/search.atom?q=tiger")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 4
    assert [e.find("a:updated", ns).text[:10] for e in entries] == sorted(
        (e.find("a:updated", ns).text[:10] for e in entries), reverse=True)
    assert "<script>" not in response.text.replace("&lt;script&gt;", "")
    # Ids do not depend on the address the server was reached by: one feed, one entry per article.
    other_host = ElementTree.fromstring((await ds.client.get("/search.atom?q=tiger", headers={"host": "127.0.0.1"})).content)
    ids = [e.find("a:id", ns).text for e in entries]
    assert [e.find("a:id", ns).text for e in other_host.findall("a:entry", ns)] == ids
    assert other_host.find("a:id", ns).text == feed.find("a:id", ns).text
    assert all(re.fullmatch(r"urn:news-archive:[0-9a-f-]+:article:\d+", i) for i in ids), ids
    dated = ElementTree.fromstring((await ds.client.get("/search.atom?since=2020-06-10&until=2020-12-31")).content)
    assert dated.find("a:title", ns).text == "News archive: latest articles from 2020-06-10 to 2020-12-31"
    assert len(dated.findall("a:entry", ns)) == 2


async def test_pages_after_the_first_say_so_in_their_title(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    for day in range(1, 26):  # more than a page of results
        write_article(tmp_path / "many", f"{day}.txt", f" date 2020-01-{day:02d} Tiger news {day}\n\nA tiger, day {day}.\n")
    db_path = str(tmp_path / "many.db")
    ingest(db_path, [str(tmp_path / "many")], jobs=1)
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    assert "<title>tiger – Search – News archive</title>" in (await datasette.client.get("/search?q=tiger")).text
    second = (await datasette.client.get("/search?q=tiger&page=2")).text
    assert "<title>tiger – Search (page 2) – News archive</title>" in second


async def test_article_page_and_json(ds, sample_db):
    original = article_id(sample_db, "000_733558d17a3f90df.txt")
    html = (await ds.client.get(f"/article/{original}")).text
    assert "<h1>Joseph Maldonado-Passage, popularly known as Joe Exotic" in html
    assert html.count("<p>") >= 8  # the paragraphs as paragraphs
    assert "extra/copy.txt" in html and "Identical copies" in html
    copy = (await ds.client.get(f"/article/{article_id(sample_db, 'extra/copy.txt')}")).text
    assert f'This file is an exact copy of <a href="/article/{original}">article {original}</a>' in copy
    assert 'rel="prev"' not in html and 'rel="next"' in html  # the oldest article
    assert "Related articles" in html
    market = (await ds.client.get(f"/article/{article_id(sample_db, 'extra/market.txt')}")).text
    assert 'rel="prev"' in market and 'rel="next"' in market
    data = (await ds.client.get(f"/article/{original}.json")).json()
    assert data["date"] == "2020-06-09" and data["source"] == "000_733558d17a3f90df.txt"
    assert len(data["paragraph_texts"]) == 8 and data["copies"][0]["source"] == "extra/copy.txt"
    assert set(data) >= {"id", "headline", "body", "sha256", "ingested_at", "previous", "next", "related", "url"}
    assert data["next"]["date"] >= data["date"] and data["previous"] is None
    missing = await ds.client.get("/article/424242")
    assert missing.status_code == 404 and "Article not found" in missing.text and "search-form" in missing.text
    assert (await ds.client.get("/article/424242.json")).status_code == 404


async def test_article_page_says_when_its_file_left_the_folder(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    folder = tmp_path / "<i>clips</i>"  # a folder name is shown, escaped like article text
    write_article(folder, "kept.txt", " date 2020-01-01 Still on disk.")
    write_article(folder, "tidied.txt", " date 2020-01-02 Deleted from the folder later.")
    db = str(tmp_path / "gone.db")
    ingest(db, [str(folder)], jobs=1)
    (folder / "tidied.txt").unlink()
    ingest(db, [str(folder)], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    tidied, kept = article_id(db, "tidied.txt"), article_id(db, "kept.txt")
    html = (await datasette.client.get(f"/article/{tidied}")).text
    assert "<dt>Source gone</dt>" in html and "<i>clips</i>" not in html
    assert re.search(f"This file was no longer in {re.escape(str(tmp_path))}/&lt;i&gt;clips&lt;/i&gt; at the ingest"
                     r" of \d+ \w{3} 20\d\d, \d\d:\d\d UTC", html)
    assert "Source gone" not in (await datasette.client.get(f"/article/{kept}")).text
    data = (await datasette.client.get(f"/article/{tidied}.json")).json()
    assert [(g["source"], g["folder"]) for g in data["source_gone"]] == [("tidied.txt", str(folder.resolve()))]
    assert (await datasette.client.get(f"/article/{kept}.json")).json()["source_gone"] == []


async def test_an_article_whose_file_changed_shows_its_earlier_texts(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    folder = tmp_path / "clips"
    story = write_article(folder, "a.txt", " date 2020-01-01 First <script>alert(1)</script> words\n\nThe old body & more.\n")
    write_article(folder, "b.txt", " date 2020-01-02 Never edited.")
    db = str(tmp_path / "history.db")
    ingest(db, [str(folder)], jobs=1)
    story.write_text(" date 2020-01-03 Second words\n\nThe new body.\n")
    os.utime(story, ns=(1, 2 * 10**18))  # a new mtime, surely
    ingest(db, [str(folder)], jobs=1)
    story.write_text(" date 2020-01-04 Third words\n\nThe newest body.\n")
    os.utime(story, ns=(1, 3 * 10**18))
    ingest(db, [str(folder)], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    edited, kept = article_id(db, "a.txt"), article_id(db, "b.txt")
    html = (await datasette.client.get(f"/article/{edited}")).text
    assert "Third words" in html and '<h2 id="earlier-heading">2 earlier texts</h2>' in html
    assert f'href="/article/{edited}/earlier/1">First &lt;script&gt;alert(1)&lt;/script&gt; words</a>' in html
    assert f'href="/article/{edited}/earlier/2">Second words</a>' in html
    assert "<script>" not in html and "earlier-heading" not in (await datasette.client.get(f"/article/{kept}")).text
    first = await datasette.client.get(f"/article/{edited}/earlier/1")
    assert first.status_code == 200 and "<script>" not in first.text
    assert "<h1>First &lt;script&gt;alert(1)&lt;/script&gt; words</h1>" in first.text
    assert "<p>The old body &amp; more.</p>" in first.text and "Earlier text 1 of 2" in first.text
    assert f'<a href="/article/{edited}">Third words</a>' in first.text
    data = (await datasette.client.get(f"/article/{edited}.json")).json()
    assert [(t["number"], t["date"], t["headline"], t["body"]) for t in data["earlier_texts"]] == [
        (1, "2020-01-01", "First <script>alert(1)</script> words", "First <script>alert(1)</script> words\n\nThe old body & more."),
        (2, "2020-01-03", "Second words", "Second words\n\nThe new body.")]
    assert data["earlier_texts"][1]["url"].endswith(f"/article/{edited}/earlier/2")
    assert (await datasette.client.get(f"/article/{kept}.json")).json()["earlier_texts"] == []
    one = (await datasette.client.get(f"/article/{edited}/earlier/2.json")).json()
    assert (one["headline"], one["source"], one["earlier_texts"], one["article"]["id"]) == ("Second words", "a.txt", 2, edited)
    for missing in (f"/article/{edited}/earlier/3", f"/article/{kept}/earlier/1", "/article/424242/earlier/1",
                    f"/article/{edited}/earlier/0.json"):
        assert (await datasette.client.get(missing)).status_code == 404


async def test_an_article_opened_from_a_search_marks_its_words(ds, sample_db):
    results = (await ds.client.get("/search?q=prisons")).text
    first = re.search(r'<h2 class="result-headline"><a href="(/article/\d+\?q=prisons)">', results).group(1)
    html = (await ds.client.get(first)).text
    assert "The words of your search, <q>prisons</q>, are marked." in html and 'href="/search?q=prisons"' in html
    story = html[html.index('<article class="story">'):html.index("</article>")]
    assert re.search(r"<mark>prison</mark>", story, re.I)  # every form of the word, as search finds them
    plain = (await ds.client.get(first.split("?")[0])).text
    assert "<mark>" not in plain and "are marked" not in plain
    unmatched = (await ds.client.get(first.split("?")[0] + "?q=zebra")).text
    assert "<mark>" not in unmatched and "are marked" not in unmatched
    hostile = (await ds.client.get(f"/article/{article_id(sample_db, 'extra/hostile <b>name</b>.txt')}?q=tiger")).text
    assert "<script>" not in hostile and "<mark>tiger</mark>" in hostile.lower()


async def test_untrusted_text_is_escaped_everywhere(ds, sample_db):
    hostile = article_id(sample_db, "extra/hostile <b>name</b>.txt")
    pages = [f"/article/{hostile}", "/search?q=tiger", "/search?q=escapes", "/", "/archive/2020/06/11",
             "/archive/2020/06", "/search?q=%3Cscript%3E"]
    for path in pages:
        html = (await ds.client.get(path)).text
        assert "<script>" not in html, path
        assert "<b>name</b>" not in html and "<img src=x" not in html, path
    html = (await ds.client.get(f"/article/{hostile}")).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tiger escapes" in html or \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tiger escapes" in html
    assert "extra/hostile &lt;b&gt;name&lt;/b&gt;.txt" in html


async def test_unknown_addresses_get_the_reading_rooms_own_page(ds):
    for path, detail in [("/nope", ""), ("/help/x", ""), ("/search.xml?q=tiger", ""),
                         ("/sample/nosuch", " (Table not found)"), ("/sample/articles/424242", " (Record not found)")]:
        response = await ds.client.get(path)
        assert response.status_code == 404, path
        html = response.text
        assert '<html lang="en">' in html and "<h1>Page not found</h1>" in html and "search-form" in html, path
        assert f"There is no page at this address.{detail}</p>" in html, path
    missing = await ds.client.get("/sample/nosuch.json")  # a program asking gets Datasette's JSON
    assert missing.status_code == 404 and missing.json()["ok"] is False
    hostile = (await ds.client.get("/%3Cscript%3Ealert(1)%3C%2Fscript%3E")).text
    assert "<script>alert(1)" not in hostile


async def test_browse_by_date(ds):
    year = await ds.client.get("/archive/2020")
    assert year.status_code == 200 and "June 2020" not in year.text or "Jun 2020" in year.text
    month = (await ds.client.get("/archive/2020/06")).text
    assert '<table class="calendar">' in month and 'href="/archive/2020/06/09"' in month
    day = (await ds.client.get("/archive/2020/06/09")).text
    assert "Joseph Maldonado-Passage" in day and 'href="/archive/2020/06/10"' in day
    index = (await ds.client.get("/archive")).text
    assert 'href="/archive/2021"' in index and 'href="/archive/2020/06"' in index
    assert (await ds.client.get("/archive/1999")).status_code == 404


async def test_date_pages_have_json_versions_and_numbered_pages(ds, sample_db):
    index = (await ds.client.get("/archive.json")).json()
    assert index["articles"] == 4 and [y["year"] for y in index["years"]] == [2020, 2021]
    assert index["years"][0]["url"].endswith("/archive/2020")
    year = (await ds.client.get("/archive/2020.json")).json()
    assert year["total"] == 3 and {m["month"]: m["count"] for m in year["months"]}["2020-06"] == 3
    month = (await ds.client.get("/archive/2020/06.json")).json()
    assert month["total"] == 3 and month["articles"][0]["url"].endswith(f"/article/{month['articles'][0]['id']}")
    day = (await ds.client.get("/archive/2020/06/09.json")).json()
    assert day["date"] == "2020-06-09" and [a["source"] for a in day["articles"]] == ["000_733558d17a3f90df.txt"]
    missing = await ds.client.get("/archive/1999.json")
    assert missing.status_code == 404 and missing.json() == {"ok": False, "error": "The archive has no articles from 1999.", "status": 404}
    html = (await ds.client.get("/archive/2020/06")).text
    assert '<link rel="alternate" type="application/json" title="This page as JSON" href="/archive/2020/06.json">' in html
    # A day's link reads as a sentence ("9 June: 1 article") and still holds the number it shows.
    day_link = re.search(r'<a href="/archive/2020/06/09">(.*?)</a>', html).group(1)
    assert re.sub(r"<[^>]+>", "", day_link) == "9 June: 1 article"


async def test_a_long_month_has_numbered_pages_and_says_which(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    for n in range(120):
        write_article(tmp_path / "in", f"a{n:03}.txt", f" date 2020-06-{n % 28 + 1:02} Article number {n} here.")
    db = str(tmp_path / "m.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    html = (await datasette.client.get("/archive/2020/06?page=2")).text
    assert "<title>June 2020 (page 2) – News archive</title>" in html
    assert '<span class="current" aria-current="page">2</span>' in html and 'href="/archive/2020/06?page=3"' in html
    past = (await datasette.client.get("/archive/2020/06.json?page=9")).json()
    assert past["page"] == 3 and past["notes"] == ["there are only 3 pages: showing the last"]


async def test_datasette_pages_stay_available(ds):
    table = await ds.client.get("/sample/articles.json?_search=tiger&_shape=array")
    assert table.status_code == 200 and len(table.json()) == 5  # Datasette's own search includes the copy
    assert (await ds.client.get("/sample/articles")).status_code == 200
    assert (await ds.client.get("/sample/rejects.json?_shape=array")).json()[0]["source"] == "extra/broken.txt"
    assert (await ds.client.get("/-/static-plugins/news_archive/news.css")).status_code == 200


async def test_server_is_read_only(ds, sample_db):
    before = sqlite3.connect(sample_db).execute("SELECT count(*), max(id) FROM articles").fetchone()
    attempts = [
        "/sample.json?sql=DELETE+FROM+articles", "/sample.json?sql=DROP+TABLE+articles",
        "/sample.json?sql=INSERT+INTO+articles(id)+VALUES(999)", "/sample.json?sql=PRAGMA+writable_schema=1",
    ]
    for path in attempts:
        response = await ds.client.get(path)
        assert response.status_code in (400, 403)
    post = await ds.client.post("/sample/articles", json={"id": 1})
    assert post.status_code == 405
    assert sqlite3.connect(sample_db).execute("SELECT count(*), max(id) FROM articles").fetchone() == before


def name_id(sample_db, name):
    return sqlite3.connect(sample_db).execute("SELECT id FROM names WHERE name = ?", (name,)).fetchone()[0]


async def test_article_names_and_quotes(ds, sample_db):
    second = article_id(sample_db, "001_00a32e414b8210aa.txt")
    html = (await ds.client.get(f"/article/{second}")).text
    dillon = name_id(sample_db, "Dillon Passage")
    assert f'<a class="person" href="/name/{dillon}">Dillon Passage</a>' in html
    assert html.count("<blockquote>") == 39  # the seed article's every quotation (tests/test_quotes.py lists them)
    assert f'— <a href="/name/{dillon}">Dillon Passage</a>' in html
    data = (await ds.client.get(f"/article/{second}.json")).json()
    assert len(data["quotes"]) == 39
    assert data["quotes"][0] == {"id": data["quotes"][0]["id"], "paragraph": 4, "speaker": "Dillon Passage",
                                 "speaker_id": dillon, "quote": "In November of 2017 I met Joe"}
    assert {"name": "Joe Exotic", "kind": "person"}.items() <= next(
        n for n in data["names"] if n["name"] == "Joe Exotic").items()


async def test_name_page_and_json(ds, sample_db):
    dillon = name_id(sample_db, "Dillon Passage")
    html = (await ds.client.get(f"/name/{dillon}")).text
    assert "<h1>Dillon Passage</h1>" in html and "A person, mentioned in <strong>2</strong> articles" in html
    assert f'<a href="/search.atom?name={dillon}">Atom feed</a>' in html  # an alert for new mentions
    feed = ElementTree.fromstring((await ds.client.get(f"/search.atom?name={dillon}")).content)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    assert '<svg class="timeline"' in html and html.count("<blockquote>") == 10  # the newest; the rest a link away
    data = (await ds.client.get(f"/name/{dillon}.json")).json()
    assert (data["name"], data["kind"], data["total"]) == ("Dillon Passage", "person", 2)
    assert [a["date"] for a in data["articles"]] == ["2021-03-29", "2020-06-09"]
    assert (await ds.client.get("/name/987654")).status_code == 404
    # The article's misspelling of the name is one click away, with its count.
    misspelt = name_id(sample_db, "Dillion Passage")
    assert data["related"] == [{"id": misspelt, "name": "Dillion Passage", "kind": "person", "articles": 1}]
    assert ('<h2 id="related-heading">Same surname</h2>' in html
            and f'<a href="/name/{misspelt}">Dillion Passage</a> <span class="count">1<span class="visually-hidden"> article</span></span>'
            in html)


async def test_names_directory(ds, sample_db):
    everyone = (await ds.client.get("/names.json")).json()
    counts = [n["articles"] for n in everyone["names"]]
    assert everyone["total"] == len(counts) > 10 and counts == sorted(counts, reverse=True)
    dillon = name_id(sample_db, "Dillon Passage")
    assert everyone["names"][0]["articles"] == 2
    assert {"id": dillon, "name": "Dillon Passage", "kind": "person", "articles": 2,
            "url": f"http://localhost/name/{dillon}"} in everyone["names"]
    people = (await ds.client.get("/names.json?kind=person")).json()
    assert people["total"] < everyone["total"] and {n["kind"] for n in people["names"]} == {"person"}
    # A word of the name, as typed: any word, any case; the most mentioned first.
    found = (await ds.client.get("/names.json?q=pass")).json()
    assert [(n["name"], n["articles"]) for n in found["names"]] == [("Dillon Passage", 2), ("Dillion Passage", 1)]
    assert (await ds.client.get("/names.json?q=passage&kind=place")).json()["total"] == 0
    odd = (await ds.client.get("/names.json?kind=planet")).json()
    assert odd["total"] == everyone["total"] and "is not one of" in odd["notes"][0]
    html = (await ds.client.get("/names?q=pass")).text
    assert f'<a href="/name/{dillon}" class="person">Dillon Passage</a>' in html and "2</td>" in html
    assert re.search(r'<a href="/names"( aria-current="page")?>Names</a>', html)  # in the site's menu
    name_page = (await ds.client.get(f"/name/{dillon}")).text
    assert '<a href="/names?kind=person">People</a>' in name_page


async def test_names_are_found_whatever_the_accents_and_apostrophes_typed(tmp_path):
    """Typed on a keyboard without accents, or on a phone that curls apostrophes."""
    from conftest import write_article
    from news_archive.ingest import ingest

    write_article(tmp_path / "a", "1.txt", " date 2020-06-09 Ratings\n\nMoody's Investors Service Inc cut the rating,"
                                          " said Jim O'Neill. José Núñez and Jose Sarney met in Zürich.\n")
    db_path = str(tmp_path / "a.db")
    ingest(db_path, [str(tmp_path / "a")], jobs=1)
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()

    async def found(q):
        return [n["name"] for n in (await datasette.client.get("/names.json", params={"q": q})).json()["names"]]

    assert await found("nunez") == await found("Núñez") == await found("NUNEZ") == ["José Núñez"]
    assert sorted(await found("josé")) == sorted(await found("jose")) == ["Jose Sarney", "José Núñez"]
    assert await found("O’Neill") == await found("o'neill") == await found("Jim Oʼneill") == ["Jim O'Neill"]
    assert await found("Moody’s") == ["Moody's Investors Service Inc"] and await found("zurich") == ["Zürich"]
    html = (await datasette.client.get("/names", params={"q": "Moody’s"})).text
    assert "Moody&#39;s Investors Service Inc</a>" in html


async def test_a_capped_names_directory_says_so(sample_db, monkeypatch):
    from news_archive import search_index

    monkeypatch.setattr(search_index, "MOST_NAMED", 3)  # the directory ranks only the 3 most mentioned names
    datasette = make_datasette(sample_db)
    await datasette.invoke_startup()
    people = (await datasette.client.get("/names.json?kind=person")).json()
    assert people["limited"] and people["listed_at_most"] == 3 and people["total"] <= 3
    html = (await datasette.client.get("/names?kind=person")).text
    assert "most mentioned among the archive&#39;s 3 most mentioned names (type a name to find the others)" in html \
        or "most mentioned among the archive's 3 most mentioned names (type a name to find the others)" in html


async def test_search_name_facets_and_filter(ds, sample_db):
    data = (await ds.client.get("/search.json?q=tiger")).json()
    names = {f["name"]: f for f in data["facets"]["names"]}
    assert names["Joe Exotic"]["count"] == 2 and names["Joe Exotic"]["kind"] == "person"
    dillon = name_id(sample_db, "Dillon Passage")
    narrowed = (await ds.client.get(f"/search.json?q=tiger&name={dillon}")).json()
    assert narrowed["total"] == 2 and [name["id"] for name in narrowed["names"]] == [dillon]
    html = (await ds.client.get(f"/search?q=tiger&name={dillon}")).text
    assert 'Mentioning:' in html and "Dillon Passage</a>" in html
    bad = await ds.client.get("/search.json?q=tiger&name=abc")
    assert bad.status_code == 200 and "is not a name id" in bad.json()["notes"][0]


async def test_a_joined_name_id_leads_to_the_name_it_joined(sample_db, tmp_path):
    """Upgrades join spellings of one name (store.join_same_names) and keep the old ids
    as redirects: bookmarks, links and feeds made with them still work."""
    import shutil

    copy = str(tmp_path / "joined.db")
    with sqlite3.connect(sample_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # the sample is in WAL mode: copying its file alone would miss pages
    shutil.copytree(sample_db + ".index", copy + ".index")
    dillon = name_id(copy, "Dillon Passage")
    with sqlite3.connect(copy) as conn:
        conn.execute("INSERT INTO name_redirects (old_id, name_id) VALUES (9999, ?)", (dillon,))
    datasette = make_datasette(copy)
    await datasette.invoke_startup()
    client = datasette.client
    page = await client.get("/name/9999?page=2")
    assert page.status_code == 301 and page.headers["location"] == f"/name/{dillon}?page=2"
    data = await client.get("/name/9999.json")
    assert data.status_code == 301 and data.headers["location"] == f"/name/{dillon}.json"
    assert (await client.get("/name/9998")).status_code == 404
    found = (await client.get("/search.json?q=tiger&name=9999")).json()
    assert found["total"] == 2 and [name["id"] for name in found["names"]] == [dillon] and found["notes"] == []
    assert (await client.get("/quotes.json?name=9999")).json()["name"]["id"] == dillon
    # An id of no name at all is said so, not silently matched by nothing.
    unknown = (await client.get("/search.json?q=tiger&name=9998")).json()
    assert unknown["total"] == 4 and unknown["notes"] == ["there is no name 9998 in this archive, so it was ignored"]
    refused = await client.get("/search.ndjson?q=tiger&name=9998&since=abc")
    assert refused.status_code == 400
    assert refused.json()["error"] == ("cannot export this search: the from date 'abc' is not a date; use YYYY-MM-DD;"
                                       " there is no name 9998 in this archive")


async def test_quotes_of_a_name(ds, sample_db, monkeypatch):
    from news_archive import browse

    dillon = name_id(sample_db, "Dillon Passage")
    monkeypatch.setattr(browse, "NAME_QUOTES", 5)  # the name page shows 5, and links to the rest
    page = (await ds.client.get(f"/name/{dillon}")).text
    assert page.count("<blockquote>") == 5 and f'<a href="/quotes?name={dillon}">All ' in page
    data = (await ds.client.get(f"/quotes.json?name={dillon}")).json()
    attributed = sqlite3.connect(sample_db).execute("SELECT count(*) FROM quotes WHERE speaker_id = ?",
                                                    (dillon,)).fetchone()[0]
    assert data["name"] == {"id": dillon, "name": "Dillon Passage", "kind": "person"}
    assert data["total"] == attributed > 20 and len(data["quotes"]) == 25 and data["pages"] == 2
    assert {q["speaker_id"] for q in data["quotes"]} == {dillon}
    narrowed = (await ds.client.get(f"/quotes.json?name={dillon}&q=divorce")).json()
    assert 0 < narrowed["total"] < attributed
    html = (await ds.client.get(f"/quotes?name={dillon}")).text
    assert f'quotations attributed to <a href="/name/{dillon}">Dillon Passage</a>' in html
    assert f'<input type="hidden" name="name" value="{dillon}">' in html  # a new search keeps the speaker
    bad = (await ds.client.get("/quotes.json?name=x1")).json()
    assert "is not a name id" in bad["notes"][0]


async def test_quotes_search(ds):
    data = (await ds.client.get("/quotes.json?q=divorce")).json()
    assert data["total"] >= 2
    assert {q["speaker"] for q in data["quotes"]} <= {"Dillon Passage", "Joe Exotic"}
    by_speaker = (await ds.client.get("/quotes.json?speaker=Joe+Exotic")).json()
    assert by_speaker["total"] >= 5 and all(q["speaker"] == "Joe Exotic" for q in by_speaker["quotes"])
    # A speaker is found by any of their words, case aside, as a reader would type them.
    for typed in ("exotic", "joe EXOTIC"):
        assert (await ds.client.get(f"/quotes.json?speaker={typed}")).json()["total"] == by_speaker["total"]
    assert (await ds.client.get("/quotes.json?speaker=passage")).json()["total"] > 0
    narrowed = (await ds.client.get("/quotes.json?speaker=exotic&q=divorce")).json()
    assert 0 < narrowed["total"] < by_speaker["total"]
    assert all(q["speaker"] == "Joe Exotic" for q in narrowed["quotes"])
    html = (await ds.client.get("/quotes?q=%22unbalanced")).text
    assert "a closing quote was missing" in html


async def test_the_quotes_page_lists_dates_highlights_and_exports(ds, sample_db):
    conn = sqlite3.connect(sample_db)
    everything = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
    in_2021 = conn.execute("SELECT count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                           " WHERE a.date >= '2021-01-01'").fetchone()[0]
    # With nothing asked: every quotation, the newest first, and who is quoted most.
    landing = await ds.client.get("/quotes")
    html = landing.text
    assert f"<strong>{everything:,}</strong> quotations in the archive, the newest first." in html
    assert '<h2 id="most-quoted-heading">Most quoted</h2>' in html and 'href="/quotes?name=' in html
    data = (await ds.client.get("/quotes.json")).json()
    assert data["total"] == everything and data["quotes"][0]["date"] >= data["quotes"][-1]["date"]
    # Dates narrow it, as on search; a bad one is said and left out.
    dated = (await ds.client.get("/quotes.json?since=2021-01-01")).json()
    assert dated["total"] == in_2021 < everything and {q["date"] for q in dated["quotes"]} == {"2021-03-29"}
    swapped = (await ds.client.get("/quotes.json?since=2021-12-31&until=2021-01-01")).json()
    assert swapped["total"] == in_2021 and swapped["notes"] == ["the from date was after the to date, so they were swapped"]
    bad = (await ds.client.get("/quotes.json?since=yesterday")).json()
    assert bad["total"] == everything and "is not a date, so it was ignored" in bad["notes"][0]
    # The words that matched are marked, the rest escaped; the title says what is listed.
    found = (await ds.client.get("/quotes?q=divorce&speaker=passage")).text
    assert "<mark>divorce</mark>" in found.lower() or "<mark>Divorce</mark>" in found
    assert "<title>divorce – by passage – Quotes – News archive</title>" in found
    # Every quotation listed, not only a page of them, as NDJSON and CSV.
    lines = (await ds.client.get("/quotes.ndjson?since=2021-01-01")).text.splitlines()
    assert len(lines) == in_2021 and json.loads(lines[0])["url"].endswith(f"/article/{json.loads(lines[0])['article_id']}")
    exported = await ds.client.get("/quotes.csv?q=divorce")
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0] == ["id", "date", "speaker", "speaker_id", "quote", "article_id", "headline", "versions", "url"]
    assert len(table) - 1 == (await ds.client.get("/quotes.json?q=divorce")).json()["total"]
    assert exported.headers["x-news-archive-quotes"].endswith("/quotes?q=divorce")
    refused = await ds.client.get("/quotes.csv?since=yesterday")
    assert refused.status_code == 400 and refused.json()["error"].startswith("cannot export these quotations: the from")
    assert "ignored" not in refused.json()["error"]  # nothing was ignored: the export was refused


async def test_list_pages_say_what_they_did_with_a_bad_page(ds):
    for path in ("/names.json", "/quotes.json?q=divorce"):
        joiner = "&" if "?" in path else "?"
        assert (await ds.client.get(f"{path}{joiner}page=abc")).json()["notes"] == [
            "page 'abc' is not a number: showing page 1"]
        assert (await ds.client.get(f"{path}{joiner}page=-1")).json()["notes"] == ["pages start at 1: showing page 1"]
        past = (await ds.client.get(f"{path}{joiner}page=999")).json()
        assert past["page"] == past["pages"] == 1 and past["notes"] == ["there is only 1 page: showing the last"]
        assert (await ds.client.get(f"{path}{joiner}page=1")).json()["notes"] == []
    html = (await ds.client.get("/names?page=abc")).text
    assert "page &#39;abc&#39; is not a number: showing page 1" in html


async def test_page_numbers_are_read_alike_on_every_list(ds, sample_db):
    """ASCII digits, of any length: int() read "1_0" as 10 and "\u0663" as 3 on some pages, and
    refused 4,301 digits with a 500 that showed Python's words on others."""
    name = sqlite3.connect(sample_db).execute("SELECT id FROM names ORDER BY id LIMIT 1").fetchone()[0]
    lists = ["/names.json", "/quotes.json", "/quotes.json?q=divorce", f"/name/{name}.json", "/archive/2020/06.json",
             "/archive/2020/06/09.json", "/archive/on/06-09.json", "/search.json?q=tiger", "/concordance.json?q=tiger"]
    for path in lists:
        joiner = "&" if "?" in path else "?"
        far = await ds.client.get(f"{path}{joiner}page={'1' * 4301}")
        assert far.status_code == 200 and far.json()["page"] == far.json()["pages"], path  # the last, and said so
        assert any("showing the last" in note for note in far.json()["notes"]), path
        assert (await ds.client.get(f"{path.replace('.json', '')}{joiner}page={'1' * 4301}")).status_code == 200, path
        for odd in ("1_0", "%D9%A3", "+1", "%201"):
            notes = (await ds.client.get(f"{path}{joiner}page={odd}")).json()["notes"]
            assert any(note.endswith("is not a number: showing page 1") for note in notes), (path, odd, notes)
        assert (await ds.client.get(f"{path}{joiner}page=00000000000000000000001")).json()["page"] == 1, path
    long_name = (await ds.client.get(f"/quotes.json?name={'9' * 5000}")).json()["notes"]
    assert long_name == [f"there is no name {'9' * 20}…: quotations by anyone are listed"]


async def test_a_bug_is_a_500_whose_python_words_stay_in_the_log(ds, monkeypatch):
    from news_archive import browse

    def broken(*args, **kwargs):
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setattr(browse, "names_directory", broken)
    for path in ("/names.json", "/names"):
        answer = await ds.client.get(path)
        assert answer.status_code == 500 and "a bug, not a mistake in the address" in answer.text, path
        assert "4300 digits" not in answer.text and "Traceback" not in answer.text, path
    assert (await ds.client.get("/names.json")).json()["ok"] is False


async def test_json_and_exports_say_what_the_pages_say(ds, sample_db, tmp_path):
    dillon = name_id(sample_db, "Dillon Passage")
    # The names a search is narrowed to, as compare.json gives them, not bare ids.
    for path in (f"/search.json?q=tiger&name={dillon}", f"/concordance.json?q=tiger&name={dillon}"):
        assert (await ds.client.get(path)).json()["names"] == [
            {"id": dillon, "name": "Dillon Passage", "kind": "person"}], path
    # Nothing to search for is said, in the shape of any answer without matches.
    nothing = (await ds.client.get("/search.json?q=zzzqqq")).json()
    for query in ("%01", "%00", "%E2%80%8B"):
        odd = (await ds.client.get(f"/search.json?q={query}")).json()
        assert len(odd["notes"]) == 1 and odd["notes"][0].endswith(": not something to search for here"), query
        assert (odd["total"], odd["stories"], odd["facets"]) == (0, 0, nothing["facets"]) and set(odd) == set(nothing)
    # The quotations' matched words are marked, as on the page.
    quotes = (await ds.client.get("/quotes.json?q=divorce")).json()["quotes"]
    assert quotes and all("<mark>divorce</mark>" in row["quote_html"].lower() for row in quotes)
    # An export carries the notes its page shows, in a header; none when there are none.
    assert "x-news-archive-notes" not in (await ds.client.get("/search.csv?q=tiger")).headers
    assert json.loads((await ds.client.get("/search.csv?q=tiger+*")).headers["x-news-archive-notes"]) == [
        "ignored '*': not something to search for here"]
    bare = tmp_path / "bare.db"  # no ranked index beside it: searches fall back to SQLite's
    source, copy = sqlite3.connect(sample_db), sqlite3.connect(bare)
    source.backup(copy)
    source.close(), copy.close()
    fallback = make_datasette(str(bare))
    await fallback.invoke_startup()
    for path in ("/search.csv?q=tiger", "/search.ndjson?q=tiger", "/search.csv?q=tiger&sample=2",
                 "/concordance.csv?q=tiger", "/concordance.ndjson?q=tiger", "/compare.csv?q=tiger"):
        answer = await fallback.client.get(path)
        assert answer.status_code == 200, path
        notes = json.loads(answer.headers["x-news-archive-notes"])
        assert any(note.startswith("the fast search index is missing") for note in notes), (path, notes)


async def test_timeline_axis_labels_only_whole_counts():  # async only for the module's asyncio mark
    import re

    from news_archive.web.charts import timeline_svg

    def ticks(peak):
        svg = str(timeline_svg([{"period": "2021-03-29", "count": peak, "all": 5}], unit="day"))
        return re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)

    assert ticks(1) == ["0", "1"]  # not 0, 0, 1: half an article is no label
    # Otherwise the axis goes up to a round count whose half is whole: every line has its label.
    assert ticks(7) == ["0", "4", "8"]
    assert ticks(12) == ["0", "6", "12"]
    assert ticks(61) == ["0", "35", "70"]
    assert ticks(201) == ["0", "125", "250"]
    assert ticks(1001) == ["0", "600", "1,200"]


async def test_long_timelines_count_years_and_keep_the_last_label_inside():  # async only for the module's mark
    import re

    from news_archive.web.charts import timeline_svg

    points = [{"period": str(year), "count": 1, "all": 2} for year in range(1987, 2037)]
    svg = str(timeline_svg(points, unit="year"))
    labels = re.findall(r'<text class="axis" x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">([^<]*)</text>', svg)
    assert labels[0][2] == "1987" and labels[-1] == ("718.0", "end", "2036")
    assert all(anchor == "middle" for _, anchor, _ in labels[:-1])


async def test_exports_and_feeds_keep_the_name_filter_of_the_page(ds):
    """What the page shows is what its export links give: "All 2 as NDJSON" is those 2."""
    everything = (await ds.client.get("/search.json?q=tiger")).json()
    name = next(f for f in everything["facets"]["names"] if f["count"] < everything["total"])
    page = (await ds.client.get(f"/search.json?q=tiger&name={name['value']}")).json()
    shown = {r["id"] for r in page["results"]}
    assert page["total"] == name["count"] == len(shown)
    ndjson = await ds.client.get(f"/search.ndjson?q=tiger&name={name['value']}")
    assert {json.loads(line)["id"] for line in ndjson.text.splitlines()} == shown
    table = csv.DictReader(io.StringIO((await ds.client.get(f"/search.csv?q=tiger&name={name['value']}")).text))
    assert {int(row["id"]) for row in table} == shown
    feed = ElementTree.fromstring((await ds.client.get(f"/search.atom?q=tiger&name={name['value']}")).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert len(feed.findall("a:entry", ns)) == len(shown)
    assert feed.find("a:title", ns).text.endswith(f"mentioning {name['name']}")
    # Without a query, the name alone filters too (the SQLite path).
    alone = await ds.client.get(f"/search.ndjson?name={name['value']}")
    assert len(alone.text.splitlines()) == (await ds.client.get(f"/search.json?name={name['value']}")).json()["total"]


async def test_exports_of_a_best_match_page_come_best_first(ds):
    """Every match of exactly what the page shows, in its order, and the header names that order."""
    page = (await ds.client.get("/search.json?q=tiger")).json()
    ranked = [r["id"] for r in page["results"]]
    assert page["sort"] == "relevance" and len(ranked) == page["total"] == 4
    by_date = await ds.client.get("/search.ndjson?q=tiger&sort=oldest")
    oldest = [json.loads(line)["id"] for line in by_date.text.splitlines()]
    assert sorted(oldest) == sorted(ranked) and oldest != ranked
    for url in ("/search.ndjson?q=tiger", "/search.ndjson?q=tiger&sort=relevance"):
        response = await ds.client.get(url)
        assert [json.loads(line)["id"] for line in response.text.splitlines()] == ranked, url
        assert response.headers["x-news-archive-search"].endswith("/search?q=tiger&sort=relevance")
    table = csv.DictReader(io.StringIO((await ds.client.get("/search.csv?q=tiger&sort=relevance")).text))
    assert [int(row["id"]) for row in table] == ranked
    # Without a query there is nothing to rank: the page lists the newest first, and so does its export.
    latest = [r["id"] for r in (await ds.client.get("/search.json?since=2020&sort=relevance")).json()["results"]]
    response = await ds.client.get("/search.csv?since=2020&sort=relevance")
    assert [int(row["id"]) for row in csv.DictReader(io.StringIO(response.text))] == latest
    assert response.headers["x-news-archive-search"].endswith("/search?since=2020-01-01&sort=newest")


async def test_exports_say_what_they_are_of(ds):
    response = await ds.client.get("/search.ndjson?q=tiger&since=2020")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="news-archive-search-') and disposition.endswith('Z.ndjson"')
    assert response.headers["x-news-archive-search"].endswith("/search?q=tiger&since=2020-01-01&sort=relevance")
    assert response.headers["x-news-archive-exported-at"].endswith("Z")
    assert (await ds.client.get("/search.csv?q=tiger")).headers["content-disposition"].endswith('Z.csv"')


async def test_tables_in_articles_keep_their_columns(tmp_path):
    from conftest import write_article
    from news_archive.browse import text_blocks
    from news_archive.ingest import ingest

    assert [b["kind"] for b in text_blocks([
        "Differentials were fixed as follows,", "Country       Differential stg/tonne", "Malaysia           0",
        "Brazil            55", "Prose again.  Two spaces after a sentence.", "Is not a table.  Nor this."])] == [
        "p", "table", "p", "p"]
    write_article(tmp_path / "in", "cocoa.txt", " date 1987-03-27 COCOA BUFFER DIFFERENTIALS\n\n"
                  "Differentials were fixed as follows,\n\nCountry       Differential stg/tonne\n\n"
                  "Malaysia           0\n\nGhana <b>x</b>     137\n\nReuter\n")
    db = str(tmp_path / "t.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    html = (await datasette.client.get("/article/1")).text
    assert ('<pre class="table-text" tabindex="0" role="region" aria-label="Table from the article">Country       Differential stg/tonne\nMalaysia           0\n'
            "Ghana &lt;b&gt;x&lt;/b&gt;     137</pre>") in html
    assert (await datasette.client.get("/article/1.json")).json()["paragraph_texts"][1] == \
        "Country       Differential stg/tonne"


async def test_an_empty_archive_says_so_on_every_list(tmp_path):
    from news_archive.ingest import ingest

    (tmp_path / "nothing").mkdir()
    db = str(tmp_path / "empty.db")
    ingest(db, [str(tmp_path / "nothing")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    for path in ("/search?q=cocoa", "/names", "/quotes?q=x", "/archive"):
        response = await datasette.client.get(path)
        assert response.status_code == 200, path
        assert "news-archive ingest FOLDER" in response.text and "Nothing matched" not in response.text, path


async def test_search_titles_say_what_is_searched(ds, sample_db):
    dillon = name_id(sample_db, "Dillon Passage")
    titles = {}
    for path in ("/search?q=tiger", "/search?q=tiger&since=2020-06-01&until=2020-06-30",
                 f"/search?q=tiger&name={dillon}&since=2021-01-01", "/search?until=2020-12-31"):
        titles[path] = re.search(r"<title>(.*?)</title>", (await ds.client.get(path)).text).group(1)
    assert list(titles.values()) == [
        "tiger – Search – News archive", "tiger – 1 Jun 2020 to 30 Jun 2020 – Search – News archive",
        "tiger – Dillon Passage – from 1 Jan 2021 – Search – News archive", "up to 31 Dec 2020 – Search – News archive"]


async def test_the_menu_marks_where_you_are_and_kinds_read_as_words(ds, sample_db):
    html = (await ds.client.get("/names?kind=organization")).text
    assert '<a href="/names" aria-current="page">Names</a>' in html and '<a href="/search">Search</a>' in html
    everyone = (await ds.client.get("/names")).text
    assert '<span class="kind">organisation</span>' in everyone and "organization</span>" not in everyone
    dillon = (await ds.client.get(f"/name/{name_id(sample_db, 'Dillon Passage')}")).text
    assert '<a href="/names">Names</a> › <a href="/names?kind=person">People</a></nav>' in dillon


async def test_an_article_whose_file_now_fails_says_so(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    path = write_article(tmp_path / "in", "c.txt", " date 2020-01-01 Good once\n\nIt read well.\n")
    db = str(tmp_path / "r.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    path.write_text("the date line went missing <b>x</b>\n")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    html = (await datasette.client.get("/article/1")).text
    assert "<dt>Source now rejected</dt>" in html and "It read well." in html
    assert "the first line &#39;the date line went missing &lt;b&gt;x&lt;/b&gt;&#39;" in html
    assert (await datasette.client.get("/article/1.json")).json()["source_rejected"]["reason"].startswith("no date line")


async def test_an_archive_of_many_years_charts_a_bar_a_year(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    write_article(tmp_path / "in", "old.txt", " date 1000-01-01 A typo year\n\nText.\n")
    write_article(tmp_path / "in", "new.txt", " date 2200-01-01 Another\n\nText.\n")
    db = str(tmp_path / "y.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    home = (await datasette.client.get("/")).text
    # A bar a year: the two years with an article, and 1,199 the archive holds nothing of.
    assert "Articles per year</h2>" in home and home.count('<rect class="bar"') == 2
    assert home.count('<rect class="no-articles"') == 1199
    assert 'href="/archive/1000"' in home and len(home) < 600_000
    name_id = sqlite3.connect(db).execute("SELECT id FROM names LIMIT 1").fetchone()
    if name_id:
        assert "per year</h2>" in (await datasette.client.get(f"/name/{name_id[0]}")).text


@pytest.mark.parametrize("words, found", [
    ("Exotic's", True),  # one word, two tokens: a phrase to FTS5
    ("Tiger-King", True), ('"tiger king"', True), ('"king tiger"', False), ("U.S.", None), ("1,000", None),
])
async def test_datasettes_table_search_takes_words_with_punctuation_and_phrases(ds, words, found):
    """Datasette's own ?_search= quotes each word; FTS5 without word positions refused all of these."""
    import urllib.parse

    response = await ds.client.get("/sample/articles.json?" + urllib.parse.urlencode({"_search": words, "_shape": "array"}))
    assert response.status_code == 200, response.text
    if found is not None:
        assert bool(response.json()) is found


async def test_a_period_the_archive_holds_nothing_of_is_not_drawn_as_no_mentions():
    from news_archive.web.charts import timeline_svg

    svg = str(timeline_svg([{"period": "1987-05", "count": 0, "all": 0}, {"period": "1987-06", "count": 0, "all": 40},
                            {"period": "1987-07", "count": 3, "all": 50}], unit="month"))
    assert svg.count('class="no-articles"') == 1 and "<title>May 1987: no articles in the archive</title>" in svg
    assert "<title>Jun 1987: 0</title>" in svg and "<title>Jul 1987: 3</title>" in svg


async def test_a_search_sorted_by_date_and_its_export_list_one_days_articles_in_one_order(tmp_path):
    from click.testing import CliRunner

    from conftest import write_article
    from news_archive.cli import cli
    from news_archive.ingest import ingest

    for n in range(6):
        write_article(tmp_path / "in", f"s{n}.txt", f" date 2020-05-0{1 + n % 2} Market note {n}\n\nGold and oil, note {n}.\n")
    db = str(tmp_path / "d.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    for asked in ("sort=newest", "sort=oldest", "q=gold&sort=newest", "q=gold&sort=oldest"):
        page = [r["id"] for r in (await datasette.client.get(f"/search.json?{asked}")).json()["results"]]
        exported = [json.loads(line)["id"] for line in (await datasette.client.get(f"/search.ndjson?{asked}")).text.splitlines()]
        assert page == exported and len(page) == 6, asked
        assert page == sorted(page, key=lambda i: ((i - 1) % 2, i), reverse="newest" in asked), (asked, page)
    words = ["export", "--sort", "newest", "--db", db]
    cli_ids = [json.loads(line)["id"] for line in CliRunner().invoke(cli, words).stdout.splitlines()]
    assert cli_ids == [r["id"] for r in (await datasette.client.get("/search.json?sort=newest")).json()["results"]]


async def test_pages_of_a_small_archive_just_edited_answer(tmp_path):
    """tantivy's more-like-this panicked ("2 >= 3") once an edit left a deleted document beside two
    live ones: every article page of the sample gave a 500 after its first edit."""
    import shutil

    from conftest import SAMPLE
    from news_archive.ingest import ingest

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    db = str(tmp_path / "news.db")
    ingest(db, [str(folder)], jobs=1)
    story = folder / "000_733558d17a3f90df.txt"
    story.write_text(story.read_text(encoding="utf-8").replace("Joe Exotic", "Joe Exotic (corrected)", 1), encoding="utf-8")
    assert ingest(db, [str(folder)], jobs=1).updated == 1
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    for path in ("/article/1", "/article/2", "/article/1/earlier/1", "/search?q=tiger", "/search.json?q=exotic",
                 "/names", "/quotes", "/"):
        response = await datasette.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])


async def test_on_this_day_in_every_year(tmp_path, monkeypatch):
    from conftest import write_article
    from news_archive.ingest import ingest

    folder = tmp_path / "years"
    for year, count in ((1987, 2), (1990, 1), (2020, 3)):
        for number in range(count):
            write_article(folder, f"{year}-{number}.txt", f" date {year}-03-02 Story {number} of {year}\n\nText {number}.\n")
    write_article(folder, "other.txt", " date 1990-03-03 The day after\n\nText.\n")
    write_article(folder, "leap.txt", " date 2020-02-29 A leap day\n\nText.\n")
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    data = (await ds.client.get("/archive/on/03-02.json")).json()
    assert (data["total"], data["label"], data["previous"], data["next"]) == (6, "2 March", "03-01", "03-03")
    assert [(y["year"], y["count"]) for y in data["years"]] == [("2020", 3), ("1990", 1), ("1987", 2)]
    assert [a["date"][:4] for a in data["articles"]] == ["2020"] * 3 + ["1990"] + ["1987"] * 2  # newest first
    html = (await ds.client.get("/archive/on/03-02")).text
    assert "<h1>2 March, in every year</h1>" in html and "6 articles of 2 March in 3 years" in html
    assert '<a href="/archive/2020/03/02">2020</a> <span class="count">3<span class="visually-hidden"> articles</span></span>' in html
    assert (await ds.client.get("/archive/on/02-29.json")).json()["total"] == 1
    assert (await ds.client.get("/archive/on/12-31.json")).json()["next"] == "01-01"
    empty = (await ds.client.get("/archive/on/07-04")).text
    assert "The archive has no article of 4 July in any year." in empty
    assert (await ds.client.get("/archive/on/02-30")).status_code == 404
    assert (await ds.client.get("/archive/on/13-01")).status_code == 404
    day = (await ds.client.get("/archive/1990/03/02")).text
    assert '<a href="/archive/on/03-02">This day in every year</a>' in day
    # The other days are named, not "the day before".
    assert '<a rel="prev" href="/archive/on/03-01">← 1 March</a>' in html
    assert '<a rel="next" href="/archive/on/03-03">3 March →</a>' in html
    assert '<a rel="next" href="/archive/on/01-01">1 January →</a>' in (await ds.client.get("/archive/on/12-31")).text
    # The home page links today's day in every year when the archive has articles of it, and only then.
    from news_archive.web import views

    for today, linked in ((Date(2026, 3, 2), True), (Date(2026, 7, 4), False)):
        monkeypatch.setattr(views, "Date", type("FrozenDate", (Date,), {"today": classmethod(lambda cls: today)}))
        home = (await ds.client.get("/")).text
        link = '<p class="on-this-day"><a href="/archive/on/' + today.strftime("%m-%d")
        assert (link in home) is linked


async def test_quotes_json_and_exports_say_what_the_page_says(ds, sample_db):
    # Words typed with nothing to look for ("-oil") find nothing, as a search does, not every quotation.
    nothing = (await ds.client.get("/quotes.json?q=-divorce")).json()
    assert nothing["total"] == 0 and nothing["quotes"] == []
    assert nothing["notes"] == ["a search cannot only exclude words: add a word to look for"]
    assert (await ds.client.get("/quotes.ndjson?q=-divorce")).text == ""
    # The most quoted names, as the page lists them when nothing narrows the quotations.
    everything = (await ds.client.get("/quotes.json")).json()
    assert everything["most_quoted"][0]["name"] == "Dillon Passage" and everything["most_quoted"][0]["quotes"] > 20
    # On the page the quotations have a heading of their own after the most quoted (not under theirs).
    landing = (await ds.client.get("/quotes")).text
    assert landing.index('id="most-quoted-heading"') < landing.index('<h2 class="quotes-heading">The quotations</h2>') \
        < landing.index('<ul class="quote-list">')
    assert (await ds.client.get("/quotes.json?q=divorce")).json()["most_quoted"] == []
    # Every exported row has its other versions, as the JSON has them.
    rows = [json.loads(line) for line in (await ds.client.get("/quotes.ndjson")).text.splitlines()]
    listed = {q["id"]: q["versions"] for q in everything["quotes"]}
    assert {r["id"]: r["versions"] for r in rows if r["id"] in listed} == listed
    # A quotation has one speaker: a second name is said on the page and refused by an export.
    dillon, joe = name_id(sample_db, "Dillon Passage"), name_id(sample_db, "Joe Exotic")
    two = (await ds.client.get(f"/quotes.json?name={dillon}&name={joe}")).json()
    assert two["name"]["id"] == dillon and "only the first name" in two["notes"][0]
    refused = await ds.client.get(f"/quotes.csv?name={dillon}&name={joe}")
    assert refused.status_code == 400 and "give one name" in refused.json()["error"]


async def test_the_home_page_as_json(ds, sample_db):
    html = (await ds.client.get("/")).text
    assert '<link rel="alternate" type="application/json" title="This page as JSON" href="/index.json">' in html
    data = (await ds.client.get("/index.json")).json()
    assert data["articles"] == 4 and data["first_date"] <= data["last_date"]
    assert sum(year["count"] for year in data["per_year"]) == sum(month["count"] for month in data["per_month"]) == 4
    assert [a["id"] for a in data["latest"]] == [int(i) for i in re.findall(
        r'<a href="/article/(\d+)"', html.split('id="latest-heading"')[1].split("</section>")[0])][: len(data["latest"])]
    assert data["latest"][0]["url"].endswith(f"/article/{data['latest'][0]['id']}")
    people = re.search(r'<a href="/names\?kind=person">People</a></h3>\s*<ul class="most-named">(.*?)</ul>', html, re.S)
    assert [p["id"] for p in data["most_mentioned"]["person"]] == [
        int(i) for i in re.findall(r'<a href="/name/(\d+)">', people.group(1))]


async def test_a_json_address_that_is_no_page_answers_in_json(ds):
    for path in ("/article/abc.json", "/article/-1.json", "/name/abc.json", "/archive/1987/3.json",
                 "/article/1/earlier/abc.json"):
        response = await ds.client.get(path)
        assert response.status_code == 404 and response.json() == {
            "ok": False, "error": "there is no page at this address", "status": 404}
    assert "Page not found" in (await ds.client.get("/article/abc")).text
    # Every refusal at a data address has the same shape, its status included.
    for path, status in (("/article/999999.json", 404), ("/archive/1987/13.json", 404),
                         ("/search.csv?q=oil&since=garbage", 400)):
        response = await ds.client.get(path)
        assert response.status_code == status and response.json()["status"] == status, path
        assert response.json()["ok"] is False and response.json()["error"], path


async def test_a_later_page_of_a_name_links_its_own_json(ds, sample_db, monkeypatch):
    from news_archive import browse

    dillon = name_id(sample_db, "Dillon Passage")
    real = browse.name_view
    monkeypatch.setattr(browse, "name_view", lambda *a, **k: real(*a[:4], per_page=1))
    html = (await ds.client.get(f"/name/{dillon}?page=2")).text
    assert f'href="/name/{dillon}.json?page=2"' in html
    assert (await ds.client.get(f"/name/{dillon}.json?page=2")).json()["page"] == 2



# --- what screen readers hear, and pages a browser can go on from ----------------------------------


async def test_counts_say_what_they_count_and_kinds_are_more_than_a_tooltip(ds, sample_db):
    hidden = r'<span class="visually-hidden">(.*?)</span>'
    search = (await ds.client.get("/search?q=tiger")).text
    narrow = search[search.index('id="narrow"'):]
    year = re.search(r'<a href="[^"]*">2020</a> <span class="count">(\d+)' + hidden, narrow)
    assert year and year.group(2) == " articles"
    dillon = name_id(sample_db, "Dillon Passage")
    name = re.search(rf'<a href="[^"]*name={dillon}" class="person">Dillon Passage</a>{hidden} '
                     rf'<span class="count">(\d+){hidden}</span>', narrow)
    assert name and (name.group(1), name.group(3)) == (" (person)", " article" if name.group(2) == "1" else " articles")
    assert 'title="person"' not in narrow  # a tooltip no screen reader is sure to read: said in the list itself
    quotes = (await ds.client.get("/quotes")).text
    assert re.search(r'<span class="count">\d+<span class="visually-hidden"> quotations?</span></span>', quotes)
    # An article's names: "×3" is read as "3 mentions".
    article = (await ds.client.get("/article/1")).text
    times = re.findall(r'<span class="count">(.*?)</span></span>', article)
    assert times and all(re.fullmatch(r'<span aria-hidden="true">×(\d+)</span><span class="visually-hidden">\1 mentions', n)
                         for n in times)


async def test_the_words_next_to_a_search_say_what_their_numbers_are(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    for day in range(1, 9):
        write_article(tmp_path / "in", f"{day}.txt", f" date 2020-01-0{day} Harbour strike day {day}\n\n"
                      f"Dockers at the harbour kept the strike going, the union said on day {day}.\n")
    db = str(tmp_path / "t.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    lines = (await datasette.client.get("/concordance?q=harbour")).text
    assert '<a href="/concordance?q=%22harbour+kept%22">kept</a> <span class="count">8<span class="visually-hidden">' \
        ' lines</span></span>' in lines


async def test_a_first_and_only_year_month_day_or_article_has_no_empty_navigation(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest

    write_article(tmp_path / "in", "one.txt", " date 2020-05-04 The only story\n\nNothing else happened.\n")
    db = str(tmp_path / "t.db")
    ingest(db, [str(tmp_path / "in")], jobs=1)
    datasette = make_datasette(db)
    await datasette.invoke_startup()
    for path in ("/archive/2020", "/archive/2020/05", "/archive/2020/05/04", "/article/1"):
        html = (await datasette.client.get(path)).text
        assert "<h1" in html and 'class="prev-next' not in html, path  # a landmark with nothing in it is noise


async def test_a_quotes_page_narrowed_by_dates_says_so_in_its_title(ds):
    titles = []
    for path in ("/quotes?since=2021-03-01&until=2021-03-31", "/quotes?q=divorce&since=2021-01-01", "/quotes?until=2020-12-31"):
        titles.append(re.search(r"<title>(.*?)</title>", (await ds.client.get(path)).text).group(1))
    assert titles == ["1 Mar 2021 to 31 Mar 2021 – Quotes – News archive",
                      "divorce – from 1 Jan 2021 – Quotes – News archive", "up to 31 Dec 2020 – Quotes – News archive"]


async def test_an_address_too_long_gets_a_page_with_what_fits_of_the_words_in_the_search_box(ds):
    from urllib.parse import quote_plus

    from news_archive.web import MAX_URL_BYTES

    words = "可可价格" * 250  # 1,000 characters, as the box's maxlength lets through: 9,000 bytes encoded
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = await ds.client.get("/search?q=" + quote_plus(words), headers=browser)
    assert page.status_code == 414 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html and "<title>Address too long – News archive</title>" in html
    assert "<h1>Address too long</h1>" in html and "shorten the query" in html
    assert 'content-security-policy' in page.headers and '<nav class="site-nav"' in html
    kept = re.search(r'<input type="search" id="q" name="q" value="([^"]*)"', html).group(1)
    assert words.startswith(kept) and 500 < len(kept) < len(words)
    again = await ds.client.get("/search?q=" + quote_plus(kept) + "&since=&until=", headers=browser)
    assert again.status_code == 200  # what the box holds is sent again without being refused
    # A program asking for data gets JSON; one asking for anything, the line of text it got before.
    for path, headers, kind in (("/search.json?q=", browser, "application/json"), ("/search?q=", {}, "text/plain")):
        plain = await ds.client.get(path.replace("?q=", "?q=" + "x" * MAX_URL_BYTES), headers=headers)
        assert plain.status_code == 414 and plain.headers["content-type"].startswith(kind), path


async def test_a_stall_limit_that_is_no_number_of_seconds_falls_back_to_the_default():
    # Plain `datasette` imports the plugin without serve's check: a bad value must not stop it starting.
    from news_archive.web.views import _stall_seconds

    assert [_stall_seconds(text) for text in (None, "", "abc", "nan", "-5", "0", "inf", "2.5")] == [
        60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 2.5]
    imported = subprocess.run(
        [sys.executable, "-c", "import news_archive.web.views as v; print(v.EXPORT_STALL_SECONDS)"],
        env={**os.environ, "NEWS_ARCHIVE_EXPORT_STALL_SECONDS": "soon"}, capture_output=True, text=True)
    assert imported.returncode == 0 and imported.stdout.strip() == "60.0", imported.stderr
