"""The words that stand out in a search's matches: the library, the search page, its JSON and the CLI."""

import json
import random
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article
from news_archive.cli import cli
from news_archive.ingest import ingest
from news_archive.query import parse_query
from news_archive.search_index import SearchIndex
from news_archive.web.app import make_datasette
from news_archive.words import standing_out

FILLER = "market trading report figures season officials week business statement company results".split()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """30 cocoa stories, most naming Ghana and the buffer stock; 120 other stories, a few of them naming
    Ghana too, 24 quoting Peter Lang on steel; every story shares the same everyday words."""
    folder = tmp_path_factory.mktemp("words")
    rng = random.Random(7)
    for number in range(30):
        extra = " Ghana and Ivory Coast supply most of it." if number % 3 else ""
        buffer = " The buffer stock manager was in London." if number % 2 else " Prices were steady."
        words = " ".join(rng.sample(FILLER, 6))
        write_article(folder, f"cocoa/{number}.txt", f" date 2020-01-{number % 28 + 1:02d} Cocoa report {number}\n\n"
                      f"Cocoa prices moved on {words}.{extra}{buffer} It was said to be so.\n")
    for number in range(120):
        words = " ".join(rng.sample(FILLER, 6))
        ghana = " Ghana was named too." if number < 6 else ""
        ghana += " Peter Lang blamed furnace repairs." if number < 24 else ""
        write_article(folder, f"other/{number}.txt", f" date 2020-02-{number % 28 + 1:02d} Other report {number}\n\n"
                      f"Steel output rose on {words}.{ghana} Story number {number} ended.\n")
    db_path = str(tmp_path_factory.mktemp("db") / "w.db")
    ingest(db_path, [str(folder)], jobs=1)
    return db_path


def test_the_words_of_the_matches_that_the_archive_seldom_has(archive):
    conn = sqlite3.connect(archive)
    found = standing_out(conn, SearchIndex.open(archive), parse_query("cocoa"))
    assert found.sample == 30 and found.note == ""
    listed = [w["word"] for w in found.words]
    # In every cocoa story and no other ("moved" too), then the buffer stock's words in half of them.
    assert set(listed[:2]) == {"prices", "moved"} and {"buffer", "stock", "manager", "london"} <= set(listed)
    ghana = next(w for w in found.words if w["word"] == "ghana")
    assert ghana == {"word": "ghana", "sample_articles": 20, "archive_articles": 26}  # 20 cocoa stories and 6 others
    assert listed.index("ghana") > listed.index("ivory")  # as common among the matches, commoner elsewhere
    # The archive's count of a word is what its search finds: "prices" and "price" in one article count once.
    from news_archive.search import search

    for word in found.words:
        assert word["archive_articles"] == search(conn, word["word"], index=SearchIndex.open(archive)).total, word
    # Never the words searched for, words every story has, stop words or numbers.
    assert not {"cocoa", "market", "report", "steel", "the", "was", "said", "2020"} & set(listed)


def test_no_list_without_enough_matches_or_words_or_the_ranked_index(archive):
    conn = sqlite3.connect(archive)
    index = SearchIndex.open(archive)
    few = standing_out(conn, index, parse_query("cocoa"), since="2020-01-01", until="2020-01-10")
    assert few.words == [] and few.note == "too few matches (12 stories) to tell which words stand out"
    assert "dates alone do not" in standing_out(conn, index, parse_query(""), since="2020-01-01").note
    assert "ranked search index" in standing_out(conn, None, parse_query("cocoa")).note


@pytest.mark.asyncio
async def test_search_page_lists_them_as_searches_and_json_only_when_asked(archive):
    ds = make_datasette(archive)
    await ds.invoke_startup()
    html = (await ds.client.get("/search?q=cocoa")).text
    assert "<h2>Words that stand out</h2>" in html
    assert 'in the best 30 stories found, against the whole archive' in html
    # The number is said in words to a screen reader, and shown as a tooltip on the number.
    assert ('<a href="/search?q=cocoa+ghana">ghana</a> <span class="count" title="in 20 of these 30 stories; in 26 articles'
            ' of the archive"><span class="visually-hidden">in </span>20<span class="visually-hidden"> of these 30 stories;'
            ' in 26 articles of the archive</span></span>') in html
    assert "Words that stand out" not in (await ds.client.get("/search?q=steel&since=2020-02-01&until=2020-02-03")).text
    plain = (await ds.client.get("/search.json?q=cocoa")).json()
    assert "words" not in plain  # a page of results stays as cheap as it was
    asked = (await ds.client.get("/search.json?q=cocoa&words=1")).json()
    assert asked["words"]["sample"] == 30 and asked["words"]["note"] is None
    assert {"word": "ghana", "sample_articles": 20, "archive_articles": 26} in asked["words"]["words"]


@pytest.mark.asyncio
async def test_a_name_page_lists_the_words_around_the_name_but_not_its_own(archive):
    conn = sqlite3.connect(archive)
    name_id = conn.execute("SELECT id FROM names WHERE name = 'Peter Lang'").fetchone()[0]
    ds = make_datasette(archive)
    await ds.invoke_startup()
    data = (await ds.client.get(f"/name/{name_id}.json")).json()
    assert data["words"]["sample"] == 24 and data["words"]["chosen"] == "newest"
    listed = [w["word"] for w in data["words"]["words"]]
    assert {"blamed", "furnace", "repairs"} <= set(listed) and not {"peter", "lang"} & set(listed)
    html = (await ds.client.get(f"/name/{name_id}")).text
    assert "in the 24 newest stories that mention Peter Lang, against the whole archive" in html
    assert f'<a href="/search?q=furnace&amp;name={name_id}"' in html


def test_cli_lists_them_after_the_results(archive):
    result = CliRunner().invoke(cli, ["search", "cocoa", "--words", "-n", "1", "--db", archive])
    assert result.exit_code == 0
    assert "words that stand out in the best 30 stories: " in result.stderr and "ghana (20)" in result.stderr
    few = CliRunner().invoke(cli, ["search", "cocoa", "--until", "2020-01-05", "--words", "--db", archive])
    assert "note: too few matches (7 stories)" in few.stderr  # 1 to 5 January, and the 29th and 30th story


@pytest.mark.asyncio
async def test_a_search_narrowed_to_a_name_leaves_the_name_s_words_out(archive):
    conn = sqlite3.connect(archive)
    name_id = conn.execute("SELECT id FROM names WHERE name = 'Peter Lang'").fetchone()[0]
    ds = make_datasette(archive)
    await ds.invoke_startup()
    data = (await ds.client.get(f"/search.json?name={name_id}&words=1")).json()
    listed = [w["word"] for w in data["words"]["words"]]
    assert "furnace" in listed and not {"peter", "lang"} & set(listed)
    result = CliRunner().invoke(cli, ["search", "--name", "Peter Lang", "--words", "--db", archive])
    assert "furnace" in result.stderr and "peter (" not in result.stderr
    empty = CliRunner().invoke(cli, ["search", "nosuchword", "--words", "--json", "--db", archive])
    assert json.loads(empty.stdout)["words"]["note"] == "too few matches (0 stories) to tell which words stand out"
