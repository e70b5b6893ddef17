"""Datasette's own side of the archive: its table pages paged and streamed whole, the reading room
under Datasette's permissions, plain `datasette` on an archive of an older news-archive, and the
links between Datasette's row pages and the reading room. A real Datasette (datasette.client) over
real archives."""

import csv
import io
import sqlite3
from urllib.parse import urlsplit

import pytest

from conftest import write_article
from news_archive.ingest import ingest
from news_archive.web.app import make_datasette

pytestmark = pytest.mark.asyncio

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
