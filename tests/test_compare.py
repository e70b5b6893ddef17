"""Comparing searches over time: the library (ranked index and FTS5 alike), the web page, JSON, CSV and CLI."""

import csv
import io
import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article
from news_archive.cli import cli
from news_archive.compare import MAX_SERIES, _too_many_periods, compare
from news_archive.ingest import ingest
from news_archive.search import search
from news_archive.search_index import SearchIndex
from news_archive.web.app import make_datasette

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Oil and gold stories over three months, with a month (2020-02) that holds no article at all."""
    folder = tmp_path_factory.mktemp("compare")
    stories = [
        ("2020-01-06", "Oil prices rise as gold slips"), ("2020-01-07", "Oil output cut agreed"),
        ("2020-01-20", "Oil tanker seized"), ("2020-01-21", "Bank results beat forecasts"),
        ("2020-03-02", "Gold hits record high"), ("2020-03-03", "Gold miners expand"),
        ("2020-03-16", "Oil slumps on demand fears"), ("2020-03-17", "Retail sales fall"),
    ]
    for number, (day, headline) in enumerate(stories):
        said = " Federal Reserve Chairman Paul Volcker said little." if number in (1, 4) else ""
        write_article(folder, f"{number}.txt", f" date {day} {headline}\n\n{headline}, the reports said.{said}\n")
    write_article(folder, "copy.txt", " date 2020-01-06 Oil prices rise as gold slips\n\n"
                                      "Oil prices rise as gold slips, the reports said.\n")  # an exact copy: counted once
    db_path = str(tmp_path_factory.mktemp("db") / "c.db")
    ingest(db_path, [str(folder)], jobs=1)
    return db_path


def volcker(archive) -> dict:
    conn = sqlite3.connect(archive)
    try:
        name_id, name, kind = conn.execute("SELECT id, name, kind FROM names WHERE name = 'Paul Volcker'").fetchone()
    finally:
        conn.close()
    return {"id": name_id, "name": name, "kind": kind}


@pytest.fixture(params=["ranked", "fts5"])
def compared(request, archive):
    """compare() through the tantivy index and through FTS5 alone: both must give the same."""
    conn = sqlite3.connect(archive)
    index = SearchIndex.open(archive) if request.param == "ranked" else None

    def run(texts, **kwargs):
        return compare(conn, texts, index=index, **kwargs)

    yield run
    conn.close()


def test_each_search_counted_per_period_with_all_articles(compared):
    found = compared(["oil", "gold"], unit="month")
    assert found.unit == "month"
    assert [s.text for s in found.series] == ["oil", "gold"]
    assert [s.total for s in found.series] == [4, 3]
    assert found.points == [
        {"period": "2020-01", "all": 4, "counts": [3, 1]},
        {"period": "2020-02", "all": 0, "counts": [0, 0]},  # the archive holds nothing of then
        {"period": "2020-03", "all": 4, "counts": [1, 2]},
    ]
    assert found.notes == []


def test_counts_add_up_to_each_search_total_in_every_unit(compared, archive):
    conn = sqlite3.connect(archive)
    for unit in ("day", "week", "month", "year"):
        found = compared(["oil", "gold", '"gold slips"'], unit=unit)
        for position, one in enumerate(found.series):
            assert sum(p["counts"][position] for p in found.points) == one.total, unit
            assert one.total == search(conn, one.text, with_timeline=False, with_facets=False).total
        # Every period from the first match (6 Jan) to the last (16 Mar): 17 Mar is past it, but in its week.
        assert sum(p["all"] for p in found.points) == (7 if unit == "day" else 8), unit
    assert compared(["oil"], unit="year").points == [{"period": "2020", "all": 8, "counts": [4]}]


def test_the_unit_follows_the_dates_as_a_search_timeline_does(compared):
    assert compared(["oil", "gold"]).unit == "day"  # 71 days from the first match to the last
    march = compared(["oil", "gold"], since="2020-03-01", until="2020-03-31")
    # The range asked for from its first day, to the last match (the archive ends on 17 March).
    assert march.unit == "day" and len(march.points) == 16 and march.points[0]["period"] == "2020-03-01"
    assert march.points[1] == {"period": "2020-03-02", "all": 1, "counts": [0, 1]}
    assert [s.total for s in march.series] == [1, 2]


def test_left_out_searches_are_said(compared):
    found = compared(["oil", " ", "OIL", "-gold", '"', *[f"word{i}" for i in range(MAX_SERIES + 1)]])
    assert [s.text for s in found.series] == ["oil", *[f"word{i}" for i in range(MAX_SERIES - 1)]]
    notes = " | ".join(found.notes)
    assert "'OIL' was asked for twice" in notes
    assert "'-gold' was left out: a search cannot only exclude words" in notes
    assert "'\"' was left out" in notes
    assert f"'word{MAX_SERIES - 1}' is one search more than the {MAX_SERIES}" in notes
    assert found.not_as_asked == [note for note in found.notes if "asked for twice" not in note]
    assert len(found.not_as_asked) == 4  # -gold, the lone quote, word5 and word6
    # Nothing matched: every period of the archive (or of the dates) with its zeros, which is a finding too.
    nothing = compared(["zebra", "giraffe"], unit="month")
    assert [s.total for s in nothing.series] == [0, 0]
    assert nothing.points == [{"period": "2020-01", "all": 4, "counts": [0, 0]},
                              {"period": "2020-02", "all": 0, "counts": [0, 0]},
                              {"period": "2020-03", "all": 4, "counts": [0, 0]}]
    dated = compared(["zebra"], since="2020-03-01", until="2021-06-30", unit="month")
    assert [(p["period"], p["all"]) for p in dated.points] == [("2020-03", 4)]  # as far as the archive reaches
    assert compared(["zebra"], since="2021-01-01").points == []  # no article of those dates at all


def test_the_mentions_of_a_name_are_a_line_too(compared, archive):
    person = volcker(archive)
    found = compared(["gold"], names=[person, person], unit="month")
    assert [(s.text, s.total, s.name) for s in found.series] == [("gold", 3, None), ("Paul Volcker", 2, person)]
    assert [p["counts"] for p in found.points] == [[1, 1], [0, 0], [2, 1]]
    full = compared([f"word{i}" for i in range(MAX_SERIES)], names=[person])
    assert len(full.series) == MAX_SERIES and "Paul Volcker is one more than the 6" in full.notes[0]


def test_a_unit_of_too_many_periods_is_replaced(compared):
    assert _too_many_periods("1900-01-01", "2020-12-31", "day") and _too_many_periods("1900-01-01", "2020-12-31", "month")
    assert not _too_many_periods("1900-01-01", "2020-12-31", "year")
    assert _too_many_periods("2018-01-01", "2020-12-31", "day")  # 1,096 days
    assert not _too_many_periods("2018-01-01", "2020-09-01", "day")  # 975 days
    found = compared(["oil"], since="2020-01-01", until="2020-12-31", unit="day")
    assert found.unit == "day" and found.notes == []  # the dates are cut to the archive's first


@pytest.fixture
async def ds(archive):
    datasette = make_datasette(archive)
    await datasette.invoke_startup()
    return datasette


@pytest.mark.asyncio
async def test_the_page_draws_a_line_per_search_with_its_numbers(ds):
    response = await ds.client.get("/compare?q=oil&q=gold&by=month")
    assert response.status_code == 200
    html = response.text
    assert "<title>oil against gold – Compare searches over time – News archive</title>" in html
    assert html.count('<g class="series"') == 2
    # The lines break at the month without articles: two runs of one point each, drawn as markers.
    assert "<polyline" not in html and html.count("<circle") >= 2
    assert "Where the lines break, the archive holds no articles of that month" in html
    assert '<a href="/search?q=oil">oil</a> <span class="count">4 articles</span>' in html
    assert "<title>Jan 2020: oil 3; gold 1 — of 4 articles</title>" in html
    table = re.search(r"<table>(.*?)</table>", html, re.S).group(1)
    assert re.sub(r"\s+", "", table).count("<tr>") == 4  # header and three months
    assert 'href="/compare.json?q=oil&amp;q=gold&amp;by=month"' in html
    # Every field of the form keeps what was asked, with one more to add a search.
    assert html.count('name="q"') == 3 and 'value="gold"' in html
    share = (await ds.client.get("/compare?q=oil&q=gold&by=month&timeline=share")).text
    assert "<td>3 (75.0%)</td>" in share and "as a share of all articles" in share


@pytest.mark.asyncio
async def test_the_page_without_searches_explains_itself(ds):
    html = (await ds.client.get("/compare")).text
    assert "Type two or more searches" in html and html.count('name="q"') == 2
    assert '<a href="/compare">Compare</a>' in html or 'href="/compare" aria-current="page">Compare' in html
    nothing = (await ds.client.get("/compare?q=zebra&q=giraffe")).text
    assert "None of these searches matched" in nothing


@pytest.mark.asyncio
async def test_a_search_page_leads_to_its_comparison(ds):
    html = (await ds.client.get("/search?q=oil&since=2020-01-01")).text
    assert 'href="/compare?q=oil&amp;q=&amp;since=2020-01-01">Compare this search with others' in html


@pytest.mark.asyncio
async def test_json_and_csv(ds):
    data = (await ds.client.get("/compare.json?q=oil&q=gold&by=month&since=2020-01-01")).json()
    assert [(s["query"], s["total"]) for s in data["searches"]] == [("oil", 4), ("gold", 3)]
    assert data["searches"][0]["url"] == "http://localhost/search?q=oil&since=2020-01-01"
    assert data["unit"] == "month" and data["since"] == "2020-01-01"
    assert data["periods"][0] == {"period": "2020-01", "all": 4, "counts": [3, 1]}
    response = await ds.client.get("/compare.csv?q=oil&q=%3DHYPERLINK(1)&by=month")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-news-archive-comparison"] == "http://localhost/compare?q=oil&q=%3DHYPERLINK%281%29&by=month"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["month", "all_articles", "oil", "'=HYPERLINK(1)"]  # a header is no formula either
    assert rows[1] == ["2020-01", "4", "3", "0"]
    refused = await ds.client.get("/compare.csv?q=oil&since=yesterday")
    assert refused.status_code == 400 and "cannot export this comparison" in refused.json()["error"]
    assert (await ds.client.get("/compare.csv")).status_code == 400
    # A file that would lack a line asked for is refused, as other bad parameters are.
    for asked in ("q=oil&q=-gold", "&".join(f"q=w{i}" for i in range(MAX_SERIES + 1))):
        left_out = await ds.client.get(f"/compare.csv?{asked}")
        assert left_out.status_code == 400 and "cannot export this comparison" in left_out.json()["error"], asked
    zeros = (await ds.client.get("/compare.csv?q=zebra&by=month")).text.splitlines()
    assert zeros == ["month,all_articles,zebra", "2020-01,4,0", "2020-02,0,0", "2020-03,4,0"]
    bad_unit = (await ds.client.get("/compare.json?q=oil&by=century")).json()
    assert bad_unit["unit"] == "day" and "the unit 'century' is not one of" in bad_unit["notes"][0]


@pytest.mark.asyncio
async def test_a_name_page_leads_to_a_comparison_of_its_mentions(ds, archive):
    person = volcker(archive)
    name_page = (await ds.client.get(f"/name/{person['id']}")).text
    assert f'href="/compare?name={person["id"]}">Compare its mentions with others</a>' in name_page
    html = (await ds.client.get(f"/compare?name={person['id']}&q=gold&by=month")).text
    assert "<title>gold against Paul Volcker – Compare" in html
    assert f'<a href="/search?name={person["id"]}">Paul Volcker</a> <span class="muted">(mentions)</span>' in html
    assert f'<input type="hidden" name="name" value="{person["id"]}">' in html  # kept when the form is sent
    assert f'href="/compare?q=gold&amp;by=month" aria-label="Stop comparing Paul Volcker"' in html
    data = (await ds.client.get(f"/compare.json?name={person['id']}&name=999999&name=x")).json()
    assert [(s["name"], s["query"], s["total"]) for s in data["searches"]] == [(person, None, 2)]
    assert data["notes"] == ["name 'x' is not a name id, so it was ignored",
                             "there is no name 999999 in this archive, so it was ignored"]
    rows = list(csv.reader(io.StringIO((await ds.client.get(f"/compare.csv?q=gold&name={person['id']}&by=month")).text)))
    assert rows[0] == ["month", "all_articles", "gold", "Paul Volcker (person)"]
    refused = await ds.client.get(f"/compare.csv?name={person['id']}&name=999999")
    assert refused.status_code == 400 and "there is no name 999999" in refused.json()["error"]


@pytest.mark.asyncio
async def test_searches_are_text_everywhere_on_the_page(ds):
    html = (await ds.client.get("/compare?q=" + SCRIPT + "&q=oil")).text
    assert "<script" not in html and "&lt;script&gt;" in html


def test_cli_table_csv_and_json(archive):
    runner = CliRunner()
    table = runner.invoke(cli, ["compare", "oil", "gold", "--by", "month", "--db", archive])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["month", "all", "oil", "gold"]
    assert lines[1].split() == ["2020-01", "4", "3", "1"]
    assert "matches per month: oil 4, gold 3" in table.stderr
    share = runner.invoke(cli, ["compare", "oil", "gold", "--by", "month", "--share", "--db", archive])
    assert share.stdout.splitlines()[1].split() == ["2020-01", "4", "75.0%", "25.0%"]
    assert share.stdout.splitlines()[2].split() == ["2020-02", "0", "-", "-"]
    as_csv = runner.invoke(cli, ["compare", "oil -tanker", "gold", "--since", "2020-01", "--until", "2020-01",
                                 "--format", "csv", "--db", archive])
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["day", "all_articles", "oil -tanker", "gold"]
    assert sum(int(r[2]) for r in rows[1:]) == 2 and len(rows) == 1 + 26  # 6 Jan, the archive's first day, to 31 Jan
    as_json = json.loads(runner.invoke(cli, ["compare", "gold", "--by", "year", "--format", "json",
                                             "--db", archive]).stdout)
    assert as_json["periods"] == [{"period": "2020", "all": 8, "counts": [3]}]
    # The keys of /compare.json (its searches' urls aside), notes too.
    assert set(as_json) == {"searches", "since", "until", "unit", "periods", "notes"} and as_json["notes"] == []
    # --share was ignored by CSV and JSON: they give each search's share of all articles after the counts.
    shared = runner.invoke(cli, ["compare", "oil", "gold", "--by", "month", "--share", "--format", "csv", "--db", archive])
    assert list(csv.reader(io.StringIO(shared.stdout)))[:3] == [
        ["month", "all_articles", "oil", "gold", "oil share", "gold share"],
        ["2020-01", "4", "3", "1", "0.75", "0.25"], ["2020-02", "0", "0", "0", "", ""]]
    shared = json.loads(runner.invoke(cli, ["compare", "oil", "gold", "--by", "month", "--share", "--format", "json",
                                            "--db", archive]).stdout)
    assert shared["periods"][:2] == [{"period": "2020-01", "all": 4, "counts": [3, 1], "shares": [0.75, 0.25]},
                                     {"period": "2020-02", "all": 0, "counts": [0, 0], "shares": [None, None]}]
    noted = json.loads(runner.invoke(cli, ["compare", "gold", '"gold', "--format", "json", "--db", archive]).stdout)
    assert noted["notes"] == ["'\"gold': a closing quote was missing, so the phrase runs to the end of the query"]


def test_cli_names(archive):
    result = CliRunner().invoke(cli, ["compare", "gold", "--name", "Paul Volcker", "--by", "month", "--format", "csv",
                                      "--db", archive])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout)))[1:] == [["2020-01", "4", "1", "1"], ["2020-02", "0", "0", "0"],
                                                                ["2020-03", "4", "2", "1"]]
    typo = CliRunner().invoke(cli, ["compare", "--name", "Paul Volker", "--db", archive])
    assert typo.exit_code == 1 and "close: Paul Volcker (person)" in typo.output


def test_cli_mistakes_are_one_line(archive, tmp_path):
    runner = CliRunner()
    none = runner.invoke(cli, ["compare", "--db", archive])
    assert none.exit_code == 2 and "give the searches to compare" in none.output
    # Nothing left to search for is a note and exit status 0, as for `search`, `export` and `concordance`.
    for fmt, printed in (("table", ""), ("csv", "month,all_articles\n")):
        only_excluded = runner.invoke(cli, ["compare", "-oil", '"', "--format", fmt, "--db", archive])
        assert (only_excluded.exit_code, only_excluded.stdout) == (0, printed)
        assert only_excluded.stderr == ("note: '-oil' was left out: a search cannot only exclude words: add a word to"
                                        " look for\nnote: '\"' was left out: ignored '\"': not something to search for"
                                        " here\n0 matches: none of these searches has anything to search for\n")
    as_json = runner.invoke(cli, ["compare", "-oil", "--format", "json", "--db", archive])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["searches"] == []
    missing = runner.invoke(cli, ["compare", "oil", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no archive at" in missing.output


def test_an_empty_archive_compares_to_nothing_whatever_the_unit_and_dates(tmp_path):
    (tmp_path / "none").mkdir()
    db_path = str(tmp_path / "empty.db")
    ingest(db_path, [str(tmp_path / "none")], jobs=1)
    conn = sqlite3.connect(db_path)
    for unit, since in (("day", "2020-01-01"), ("month", "2020-01-01"), (None, None)):
        found = compare(conn, ["oil"], since=since, until="2020-02-01" if since else None, unit=unit)
        assert found.points == [] and [s.total for s in found.series] == [0]
    result = CliRunner().invoke(cli, ["compare", "oil", "--by", "day", "--since", "2020-01-01", "--db", db_path])
    assert result.exit_code == 0 and "none of these searches matched" in result.stderr


@pytest.mark.asyncio
async def test_the_search_page_offers_a_comparison_only_of_what_it_counts(ds, archive):
    person = volcker(archive)
    words_only = (await ds.client.get("/search?q=gold")).text
    assert 'href="/compare?q=gold&amp;q=">Compare this search with others' in words_only
    narrowed = (await ds.client.get(f"/search?q=gold&name={person['id']}")).text
    assert "Compare this search with others" not in narrowed  # a line of "gold" would not be this page's count
    name_only = (await ds.client.get(f"/search?name={person['id']}")).text
    assert f'href="/compare?name={person["id"]}">Compare this search with others' in name_only
