"""Random samples of a search's matches: the same seed draws the same sample, from the ranked index
or SQLite alike; the command line and the web export give them with their seed."""

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article
from news_archive.cli import cli
from news_archive.ingest import ingest
from news_archive.matches import draw, iter_matches, sample_ids
from news_archive.search_index import SearchIndex
from news_archive.web.app import make_datasette


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """150 harbour stories over five months, every third naming a strike, and an exact copy of one."""
    folder = tmp_path_factory.mktemp("sample")
    for number in range(150):
        strike = " Dock workers went on strike." if number % 3 == 0 else ""
        write_article(folder, f"{number}.txt", f" date 2020-{number % 5 + 1:02d}-{number // 5 % 28 + 1:02d} Harbour {number}\n\n"
                      f"Harbour report number {number}.{strike}\n")
    write_article(folder, "copy.txt", (folder / "3.txt").read_bytes())
    db_path = str(tmp_path_factory.mktemp("db") / "s.db")
    ingest(db_path, [str(folder)], jobs=1)
    return db_path


@pytest.mark.parametrize("backend", ["ranked", "sqlite"])
def test_a_seed_draws_the_same_sample_of_the_matches_in_date_order(archive, backend):
    conn = sqlite3.connect(archive)
    index = SearchIndex.open(archive) if backend == "ranked" else None
    every = {row["id"]: row["date"] for row in iter_matches(conn, "strike", index=index)}
    drawn, population = sample_ids(conn, "strike", 8, 42, index=index)
    assert population == len(every) == 50 and len(drawn) == 8 and set(drawn) <= set(every)
    assert [every[i] for i in drawn] == sorted(every[i] for i in drawn)
    assert sample_ids(conn, "strike", 8, 42, index=index)[0] == drawn  # the same seed, the same sample
    assert sample_ids(conn, "strike", 8, 43, index=index)[0] != drawn
    newest, _ = sample_ids(conn, "strike", 8, 42, index=index, sort="newest")
    assert newest == drawn[::-1]
    assert sorted(sample_ids(conn, "strike", 500, 1, index=index)[0]) == sorted(every)  # more than there are: all
    assert sample_ids(conn, '"', 5, 1, index=index) == ([], 0)  # nothing to search for matches nothing


def test_the_same_sample_either_way(archive):
    conn = sqlite3.connect(archive)
    assert sample_ids(conn, "strike", 8, 42, index=SearchIndex.open(archive)) == sample_ids(conn, "strike", 8, 42)


def test_cli_export_sample_names_its_seed(archive):
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "strike", "--sample", "5", "--seed", "9", "--db", archive])
    assert first.exit_code == 0, first.output
    rows = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(rows) == 5 and "strike" in rows[0]["body"]
    assert "note: a random sample of 5 of the 50 matches, seed 9 (--seed 9 draws the same sample again)" in first.stderr
    again = runner.invoke(cli, ["export", "strike", "--sample", "5", "--seed", "9", "--format", "csv", "--db", archive])
    assert [row["id"] for row in csv.DictReader(io.StringIO(again.stdout))] == [str(r["id"]) for r in rows]
    unseeded = runner.invoke(cli, ["export", "--sample", "3", "--db", archive])
    seed = unseeded.stderr.split("seed ")[1].split(" ")[0]
    assert "of the 150 matches" in unseeded.stderr
    assert runner.invoke(cli, ["export", "--sample", "3", "--seed", seed, "--db", archive]).stdout == unseeded.stdout
    lonely = runner.invoke(cli, ["export", "strike", "--seed", "9", "--db", archive])
    assert lonely.exit_code == 2 and "give --sample N too" in lonely.output


@pytest.mark.asyncio
async def test_web_export_sample_and_its_link(archive):
    ds = make_datasette(archive)
    await ds.invoke_startup()
    response = await ds.client.get("/search.ndjson?q=strike&sample=5&seed=9")
    assert response.status_code == 200
    cli_rows = CliRunner().invoke(cli, ["export", "strike", "--sample", "5", "--seed", "9", "--db", archive]).stdout
    assert response.text == cli_rows  # the web and the command line draw the same sample
    assert response.headers["x-news-archive-search"] == "http://localhost/search.ndjson?q=strike&sample=5&seed=9"
    unseeded = await ds.client.get("/search.csv?q=strike&sample=5")
    drawn_again = await ds.client.get(unseeded.headers["x-news-archive-search"].removeprefix("http://localhost"))
    assert drawn_again.text == unseeded.text  # the provenance header names the seed it drew with
    # Any seed the command line takes, up to 2**63 - 1, draws the same sample here.
    largest = 2**63 - 1
    cli_largest = CliRunner().invoke(cli, ["export", "strike", "--sample", "5", "--seed", str(largest), "--db", archive])
    assert (await ds.client.get(f"/search.ndjson?q=strike&sample=5&seed={largest}")).text == cli_largest.stdout
    for bad in ("sample=0", "sample=x", "seed=4", "sample=3&seed=-2", "sample=10000000", f"sample=3&seed={2**63}"):
        refused = await ds.client.get(f"/search.csv?q=strike&{bad}")
        assert refused.status_code == 400 and refused.json()["error"].startswith("cannot export this search"), bad
    page = (await ds.client.get("/search?q=harbour")).text
    link = page.split('A random sample of 100 as CSV')[0].rsplit('href="', 1)[1]
    assert link.startswith("/search.csv?q=harbour&amp;sample=100&amp;seed=")
    # A sample is in date order: the page's when the page is sorted by date (it was the oldest first always).
    for sort in ("newest", "oldest"):
        page = (await ds.client.get(f"/search?q=harbour&sort={sort}")).text
        link = page.split('A random sample of 100 as CSV')[0].rsplit('href="', 1)[1]
        assert link.startswith(f"/search.csv?q=harbour&amp;sort={sort}&amp;sample=100&amp;seed=")
        dates = [row["date"] for row in csv.DictReader(io.StringIO(
            (await ds.client.get(link.split('"')[0].replace("&amp;", "&"))).text))]
        assert len(dates) == 100 and dates == sorted(dates, reverse=sort == "newest")
    assert "A random sample" not in (await ds.client.get("/search?q=strike")).text  # 50 matches: take them all


def test_the_draw_of_a_seed_is_fixed():
    # Written down once: a change to the draw would give users other samples for the seeds they cited.
    assert draw(list(range(1, 101)), 5, 7) == [33, 16, 66, 11, 56]
    assert sorted(draw([1, 2, 3], 10, 1)) == [1, 2, 3]  # asked for more than there are: every one
