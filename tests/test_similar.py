"""Near-duplicate pairs and clusters in a real archive (similar.py): which versions
of a story pair up by date, across the blocks of days the search works in, and
when only one side of a pair is new."""

from __future__ import annotations

from pathlib import Path

from conftest import rows, write_article

from news_archive import similar
from news_archive.ingest import ingest

_FLOOD = (
    "Flood water rose through the valley towns overnight after three days of heavy rain, and rescue crews"
    " moved families from low streets to the school halls on the hill. The river authority said the level"
    " at the old stone bridge was the highest since records began, and farmers counted cattle lost in the"
    " fields below the dam. Roads to the coast stayed closed while engineers checked the {part} embankment."
)
_MARKET = (
    "Copper traders in the city market bought heavily on Thursday as smelters in the south reported a"
    " shortage of ore, and dealers said stocks held in the bonded warehouses had fallen for the sixth week"
    " running. Analysts expected prices to keep rising until new supplies arrive from the mines in the"
    " mountains, though some buyers held back and waited for the {part} auction later in the month."
)


def _version(folder: Path, name: str, day: str, story: str, part: str) -> None:
    write_article(folder, name, f" date {day} {name}\n\n{story.format(part=part)}\n")


def _pairs(db_path: str) -> set[tuple[str, str]]:
    return {
        (a, b)
        for a, b in rows(
            db_path,
            "SELECT x.source, y.source FROM similar_articles s JOIN articles x ON x.id = s.article_id"
            " JOIN articles y ON y.id = s.similar_id WHERE x.source < y.source",
        )
    }


def test_versions_pair_within_the_window_and_across_blocks_of_days(tmp_path, db_path):
    folder = tmp_path / "first"
    # Three days apart pair; five and eight days apart do not.
    _version(folder, "flood-a.txt", "2020-01-01", _FLOOD, "northern")
    _version(folder, "flood-b.txt", "2020-01-04", _FLOOD, "southern")
    _version(folder, "flood-c.txt", "2020-01-09", _FLOOD, "western")
    # Days 89 and 91 after the first pending day: two blocks, one pair.
    assert similar.BLOCK_DAYS == 90
    _version(folder, "market-d.txt", "2020-03-30", _MARKET, "spring")
    _version(folder, "market-e.txt", "2020-04-01", _MARKET, "summer")
    ingest(db_path, [str(folder)], jobs=1, ranked_index=False)
    assert _pairs(db_path) == {("flood-a.txt", "flood-b.txt"), ("market-d.txt", "market-e.txt")}
    clusters = rows(db_path, "SELECT a.source, c.size FROM clusters c JOIN articles a ON a.id = c.article_id")
    assert sorted(clusters) == [("flood-a.txt", 2), ("flood-b.txt", 2), ("market-d.txt", 2), ("market-e.txt", 2)]

    # A later ingest: the new version pairs with the stored one two days before it,
    # not with the one four days before; the old pairs stay as they were.
    later = tmp_path / "later"
    _version(later, "market-f.txt", "2020-04-03", _MARKET, "autumn")
    report = ingest(db_path, [str(later)], jobs=1, ranked_index=False)
    assert report.near_duplicates == 1
    assert _pairs(db_path) == {
        ("flood-a.txt", "flood-b.txt"), ("market-d.txt", "market-e.txt"), ("market-e.txt", "market-f.txt"),
    }
    sizes = dict(rows(db_path, "SELECT a.source, c.size FROM clusters c JOIN articles a ON a.id = c.article_id"))
    assert sizes["market-d.txt"] == sizes["market-f.txt"] == 3  # d-e and e-f: one story in three versions


def test_nothing_new_finds_nothing(tmp_path, db_path):
    folder = tmp_path / "articles"
    _version(folder, "flood-a.txt", "2020-01-01", _FLOOD, "northern")
    _version(folder, "flood-b.txt", "2020-01-02", _FLOOD, "southern")
    assert ingest(db_path, [str(folder)], jobs=1, ranked_index=False).near_duplicates == 1
    assert ingest(db_path, [str(folder)], jobs=1, ranked_index=False).near_duplicates == 0
    assert _pairs(db_path) == {("flood-a.txt", "flood-b.txt")}
