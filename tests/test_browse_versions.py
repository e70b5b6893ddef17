"""Versions of a story as a reader meets them: the count a search result gives
is the list its article page shows, related articles leave the versions out,
and a quotation repeated in another version is listed once."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article
from news_archive.cli import cli
from news_archive.ingest import ingest
from news_archive.web.app import make_datasette

_MARKET = (
    "Copper traders in the city market bought heavily on Thursday as smelters in the south reported a"
    " shortage of ore, and dealers said stocks held in the bonded warehouses had fallen for the sixth week"
    " running. Analysts expected prices to keep rising until new supplies arrive from the mines in the"
    " mountains, though some buyers held back and waited for the {part} auction later in the month."
)
_CURRENCY = (
    "Currency dealers in the capital sold the krona heavily on Tuesday after the central bank left its lending"
    " rate unchanged, and exporters said the weak currency was raising the price of imported fuel and machinery."
    " Finance minister John Carter told parliament that the government would not let the slide continue."
    ' "The currency is too weak and we will act to defend it," Carter said. Dealers expected the bank to buy'
    " krona in the market before the end of the {part}."
)
_BUDGET = (
    "The government presented its budget to parliament on Wednesday, cutting spending on roads and raising the"
    " tax on tobacco and spirits, and opposition leaders said the plan would hurt families in the north."
    ' "A weak currency is no reason to spend less on schools," said John Carter, the finance minister, who'
    " defended the cuts as the price of lower borrowing. Members will vote on the plan after the spring recess,"
    " and unions have called a march for the day of the vote in the capital."
)


@pytest.fixture(scope="module")
def versions_archive(tmp_path_factory) -> tuple[str, dict[str, int]]:
    folder = tmp_path_factory.mktemp("versions")
    # d, e and f: d-e and e-f are near-duplicates, d and f four days apart are not.
    for name, day, part in (("d", "2020-03-30", "spring"), ("e", "2020-04-01", "summer"),
                            ("f", "2020-04-03", "autumn")):
        text = _MARKET.format(part=part)
        write_article(folder, f"market-{name}.txt", f" date {day} Copper market {name}\n\n{text}\n")
    # One statement in two versions of a story, and another statement of the same man.
    write_article(folder, "krona-1.txt", f" date 2020-07-01 Krona falls\n\n{_CURRENCY.format(part='week')}\n")
    write_article(folder, "krona-2.txt", f" date 2020-07-02 Krona falls again\n\n{_CURRENCY.format(part='month')}\n")
    write_article(folder, "budget.txt", f" date 2020-09-01 Budget cuts roads\n\n{_BUDGET}\n")
    db_path = str(tmp_path_factory.mktemp("db") / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    ids = dict((source.split(".")[0], article_id) for article_id, source in
               sqlite3.connect(db_path).execute("SELECT id, source FROM articles"))
    return db_path, ids


@pytest.fixture
async def client(versions_archive):
    datasette = make_datasette(versions_archive[0])
    await datasette.invoke_startup()
    return datasette.client


async def test_similar_versions_counted_are_the_versions_listed(client, versions_archive):
    _, ids = versions_archive
    found = (await client.get("/search.json?q=copper&sort=oldest")).json()
    # e is a version of d; f, a version of e only, is another story and is not folded.
    assert [(r["id"], r["similar_versions"]) for r in found["results"]] == [(ids["market-d"], 1), (ids["market-f"], 0)]
    listed = {}
    for name in ("market-d", "market-e", "market-f"):
        listed[name] = [v["id"] for v in (await client.get(f"/article/{ids[name]}.json")).json()["similar"]]
    assert listed == {"market-d": [ids["market-e"]], "market-e": [ids["market-d"]], "market-f": []}
    html = (await client.get(f"/article/{ids['market-d']}")).text
    assert '<h2 id="similar-heading">1 similar version</h2>' in html
    # The summary says how the 3 matches became 2 results.
    summary = (await client.get("/search?q=copper&sort=oldest")).text
    assert "<strong>3</strong> articles" in summary and "· 2 stories (1 near-duplicate version folded)" in summary


async def test_related_articles_leave_out_the_articles_versions(client, versions_archive):
    _, ids = versions_archive
    data = (await client.get(f"/article/{ids['market-d']}.json")).json()
    assert [v["id"] for v in data["similar"]] == [ids["market-e"]]
    related = [r["id"] for r in data["related"]]
    assert ids["market-e"] not in related and ids["market-f"] in related
    # Another story's versions are one related story, listed once (as search lists it).
    budget = [r["id"] for r in (await client.get(f"/article/{ids['budget']}.json")).json()["related"]]
    assert len({ids["krona-1"], ids["krona-2"]} & set(budget)) == 1


async def test_a_quotation_in_two_versions_is_listed_once(client, versions_archive):
    db_path, ids = versions_archive
    said = sqlite3.connect(db_path).execute("SELECT speaker_id FROM quotes WHERE speaker = 'John Carter'").fetchall()
    assert len(said) == 3 and len(set(said)) == 1
    # Under the version listed first: the best match (of equals the first), or without words the newest.
    for asked, version in (("q=weak", "krona-1"), ("speaker=carter", "krona-2"), ("q=weak&speaker=carter", "krona-1"),
                           (f"name={said[0][0]}", "krona-2")):
        data = (await client.get(f"/quotes.json?{asked}")).json()
        assert data["total"] == 2, asked
        assert {q["article_id"]: q["versions"] for q in data["quotes"]} == {ids[version]: 1, ids["budget"]: 0}, asked
    html = (await client.get("/quotes?q=weak")).text
    assert html.count("<blockquote>") == 2 and '<strong>2</strong> quotations with <q class="understood">weak</q>' in html
    assert f'<a class="versions" href="/article/{ids["krona-1"]}#similar">also in 1 other version</a>' in html
    result = CliRunner().invoke(cli, ["quotes", "--speaker", "carter", "--db", db_path], catch_exceptions=False)
    assert result.stdout.count("\u201c") == 2
    assert f"2020-07-02, Krona falls again  [article {ids['krona-2']}]  (also in 1 other version)\n" in result.stdout
    # By a speaker alone, as by a name: the newest first.
    assert result.stdout.index("2020-09-01") < result.stdout.index("2020-07-02")
    assert result.stderr == "1-2 of 2 quotations by a speaker called 'carter'\n"
    # The speaker's own page lists them the same way.
    page = (await client.get(f"/name/{said[0][0]}")).text
    assert page.count("<blockquote>") == 2 and "also in 1 other version" in page
    # The quotes page's most quoted count him as his page does: 2, not the 3 rows.
    landing = (await client.get("/quotes")).text
    assert f'<a href="/quotes?name={said[0][0]}" class="person">John Carter</a> <span class="count">2<span class="visually-hidden"> quotations</span></span>' \
        in landing


def test_a_copy_whose_file_has_gone_is_listed_as_gone(tmp_path):
    import sqlite3

    from conftest import write_article
    from news_archive import browse
    from news_archive.ingest import ingest

    folder = tmp_path / "articles"
    text = " date 2020-01-01 The same story\n\nWord for word.\n"
    write_article(folder, "first.txt", text)
    write_article(folder, "copy.txt", text)
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    (folder / "copy.txt").unlink()
    ingest(db_path, [str(folder)], jobs=1)
    conn = sqlite3.connect(db_path)
    original = conn.execute("SELECT id FROM articles WHERE source = 'first.txt'").fetchone()[0]
    copies = browse.article(conn, original)["copies"]
    assert [(c["source"], c["gone"]) for c in copies] == [("copy.txt", True)]
    from click.testing import CliRunner

    from news_archive.cli import cli

    shown = CliRunner().invoke(cli, ["show", str(original), "--db", db_path])
    assert "(the same bytes; its file has gone from its folder)" in shown.stdout


async def test_the_article_page_says_which_copies_are_gone(tmp_path):
    from conftest import write_article
    from news_archive.ingest import ingest
    from news_archive.web.app import make_datasette

    folder = tmp_path / "articles"
    text = " date 2020-01-01 The same story\n\nWord for word.\n"
    for name in ("first.txt", "copy.txt", "kept.txt"):
        write_article(folder, name, text)
    db_path = str(tmp_path / "news.db")
    ingest(db_path, [str(folder)], jobs=1)
    (folder / "copy.txt").unlink()
    ingest(db_path, [str(folder)], jobs=1)
    first = sqlite3.connect(db_path).execute("SELECT id FROM articles WHERE source = 'first.txt'").fetchone()[0]
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    html = (await ds.client.get(f"/article/{first}")).text
    assert 'copy.txt</a> <span class="muted">(its file has gone from its folder)</span>' in html
    assert 'kept.txt</a></li>' in html
