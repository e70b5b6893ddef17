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
    # d-e and e-f, but d and f are four days apart: f does not join the story of d and e.
    sizes = dict(rows(db_path, "SELECT a.source, c.size FROM clusters c JOIN articles a ON a.id = c.article_id"))
    assert sizes == {"flood-a.txt": 2, "flood-b.txt": 2, "market-d.txt": 2, "market-e.txt": 2}


def test_nothing_new_finds_nothing(tmp_path, db_path):
    folder = tmp_path / "articles"
    _version(folder, "flood-a.txt", "2020-01-01", _FLOOD, "northern")
    _version(folder, "flood-b.txt", "2020-01-02", _FLOOD, "southern")
    assert ingest(db_path, [str(folder)], jobs=1, ranked_index=False).near_duplicates == 1
    assert ingest(db_path, [str(folder)], jobs=1, ranked_index=False).near_duplicates == 0
    assert _pairs(db_path) == {("flood-a.txt", "flood-b.txt")}


_REPORT = (
    "The central bank entered the government securities market to arrange {amount} billion crowns of customer"
    " repurchase agreements, a spokesman for the bank said. Dealers said overnight funds were trading at {rate}"
    " pct when the bank began its temporary and indirect supply of reserves to the banking system, and that the"
    " move had been expected by most of the traders in the money market this morning.{tail}"
)
_TAIL = " The bank last added reserves this way on Monday, when it arranged 1.2 billion crowns of agreements."


def _reports(folder: Path) -> None:
    """A daily report: a correction the same day, a shortened repeat the next day,
    and the next report two days later, its words the same and its amount another."""
    for name, day, amount, rate, tail in (
        ("report-1.txt", "2020-06-01", "two", "6-1/16", _TAIL),
        ("report-2-corrected.txt", "2020-06-01", "two", "6-3/16", _TAIL),
        ("report-3-repeated.txt", "2020-06-02", "two", "6-1/16", ""),
        ("report-4-next.txt", "2020-06-03", "1.5", "6-1/16", _TAIL),
    ):
        text = _REPORT.format(amount=amount, rate=rate, tail=tail)
        write_article(folder, name, f" date {day} Reserves added\n\n{text}\n")


def _stories(db_path: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for cluster, source in rows(db_path, "SELECT x.source, a.source FROM clusters c JOIN articles a"
                                         " ON a.id = c.article_id JOIN articles x ON x.id = c.cluster_id ORDER BY 2"):
        found.setdefault(cluster, []).append(source)
    return found


def test_a_report_whose_figures_were_replaced_on_another_day_is_not_a_version(tmp_path, db_path):
    _reports(tmp_path / "reports")
    ingest(db_path, [str(tmp_path / "reports")], jobs=1, ranked_index=False)
    # The same day, a figure replaced is a correction; a day later, figures cut are a repeat;
    # two days later, another amount is the next report (all four are alike enough).
    assert _pairs(db_path) == {("report-1.txt", "report-2-corrected.txt"), ("report-1.txt", "report-3-repeated.txt")}
    # The repeat does not pair with the correction, but both are versions of report 1: one story.
    assert _stories(db_path) == {"report-1.txt": ["report-1.txt", "report-2-corrected.txt", "report-3-repeated.txt"]}


def test_a_story_spans_versions_that_all_pair_whatever_the_order_they_came_in(tmp_path):
    folder, first, later = tmp_path / "all", tmp_path / "first", tmp_path / "later"
    for target, name, day, part in ((first, "market-d.txt", "2020-03-30", "spring"),
                                    (later, "market-e.txt", "2020-04-01", "summer"),
                                    (first, "market-f.txt", "2020-04-03", "autumn")):
        _version(folder, name, day, _MARKET, part)
        _version(target, name, day, _MARKET, part)
    at_once, in_turn = str(tmp_path / "at-once.db"), str(tmp_path / "in-turn.db")
    ingest(at_once, [str(folder)], jobs=1, ranked_index=False)
    ingest(in_turn, [str(first)], jobs=1, ranked_index=False)
    assert _stories(in_turn) == {}  # d and f are four days apart
    ingest(in_turn, [str(later)], jobs=1, ranked_index=False)  # e, between them, pairs with both
    assert _pairs(at_once) == _pairs(in_turn) == {("market-d.txt", "market-e.txt"), ("market-e.txt", "market-f.txt")}
    # e joins the earlier story; f, four days after d, stays apart: no chain d-e-f.
    assert _stories(at_once) == _stories(in_turn) == {"market-d.txt": ["market-d.txt", "market-e.txt"]}


def test_an_archive_of_version_5_gets_its_pairs_and_stories_recut(tmp_path, db_path):
    import sqlite3

    from news_archive import store
    from news_archive.ingest import upgrade

    _reports(tmp_path / "articles")
    for name, day, part in (("market-d.txt", "2020-03-30", "spring"), ("market-e.txt", "2020-04-01", "summer"),
                            ("market-f.txt", "2020-04-03", "autumn")):
        _version(tmp_path / "articles", name, day, _MARKET, part)
    ingest(db_path, [str(tmp_path / "articles")], jobs=1, ranked_index=False)
    pairs, stories = _pairs(db_path), _stories(db_path)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    # As version 5 left it: the next day's report paired, and stories that were whole chains.
    conn = sqlite3.connect(db_path)
    with conn:
        first, following = ids["report-1.txt"], ids["report-4-next.txt"]
        conn.executemany("INSERT OR REPLACE INTO similar_articles VALUES (?, ?, 0.92)",
                         [(first, following), (following, first)])
        conn.execute("DELETE FROM clusters")
        for members in (["report-1.txt", "report-2-corrected.txt", "report-3-repeated.txt", "report-4-next.txt"],
                        ["market-d.txt", "market-e.txt", "market-f.txt"]):
            conn.executemany("INSERT INTO clusters VALUES (?, ?, ?)",
                             [(ids[m], min(ids[n] for n in members), len(members)) for m in members])
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    upgrade(db_path)
    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert _pairs(db_path) == pairs and _stories(db_path) == stories
    assert stories == {"report-1.txt": ["report-1.txt", "report-2-corrected.txt", "report-3-repeated.txt"],
                       "market-d.txt": ["market-d.txt", "market-e.txt"]}


_TEXACO = (
    "WHITE PLAINS, N.Y., March 10 - Texaco Inc filed for protection from its creditors under Chapter 11 of the"
    " federal bankruptcy code on Tuesday, after failing to reach a settlement with Pennzoil Co over a 10.3 billion"
    " dlr court judgment.\n\nThe filing, the largest ever by a U.S. company, came after the Texas Supreme Court"
    " refused to hear Texaco's appeal of the judgment awarded to Pennzoil in its dispute over the acquisition of"
    " Getty Oil Co in 1984.\n\nTexaco chairman Alfred DeCrane said the company had no choice. \"We took this step"
    " to protect the company, its employees and its shareholders,\" DeCrane said at a news conference.\n\n"
    "Pennzoil chairman J. Hugh Liedtke said his company was still willing to negotiate. \"The door is open,\""
    " Liedtke said.\n\nAnalysts said the filing would {plan}. Texaco shares fell {fell} on the New York Stock"
    " Exchange before trading was halted.\n\nThe company said its foreign subsidiaries, including Texaco Canada"
    " Inc, were not included in the filing and would operate as usual.\n\nTexaco, the third largest U.S. oil"
    " company, had revenues of {revenue} billion dlrs last year.{note}"
)
_APPEAL = "allow Texaco to continue operating normally while it appealed the judgment to the U.S. Supreme Court"
# A wire story, its republication the next day (one sentence reworded), a correction of a share
# price sent the same day as the original, and a correction of the revenue the next day.
_TEXACO_VERSIONS = {
    "wire.txt": ("1987-03-10", _APPEAL, "3-1/4 to 28-1/2", "31.6", ""),
    "republished.txt": ("1987-03-11", "let Texaco keep running its refineries and service stations while it took"
                        " its case to the U.S. Supreme Court", "3-1/4 to 28-1/2", "31.6", ""),
    "price-corrected.txt": ("1987-03-10", _APPEAL, "3-3/4 to 28", "31.6",
                            "\n\n(Corrects share price move in paragraph 5.)"),
    "revenue-corrected.txt": ("1987-03-11", _APPEAL, "3-1/4 to 28-1/2", "32.6",
                              "\n\n(Corrects revenue figure in final paragraph to 32.6 billion dlrs from 31.6"
                              " billion.)"),
}


def _texaco(folder: Path, names) -> Path:
    for name in names:
        day, plan, fell, revenue, note = _TEXACO_VERSIONS[name]
        text = _TEXACO.format(plan=plan, fell=fell, revenue=revenue, note=note)
        write_article(folder, name, f" date {day} Texaco files for bankruptcy protection after Pennzoil ruling\n\n"
                                    f"{text}\n")
    return folder


def test_corrections_and_a_republication_are_one_story_whatever_the_order_they_came_in(tmp_path):
    import json
    import subprocess
    import sys

    every = list(_TEXACO_VERSIONS)
    at_once = str(tmp_path / "at-once.db")
    ingest(at_once, [str(_texaco(tmp_path / "all", every))], jobs=1)
    # The price corrected on the 10th is not a pair of either version of the 11th: a figure of
    # each was replaced, a day apart (as a daily report's are). Every version pairs with the wire story.
    assert _pairs(at_once) == {("republished.txt", "wire.txt"), ("price-corrected.txt", "wire.txt"),
                               ("republished.txt", "revenue-corrected.txt"), ("revenue-corrected.txt", "wire.txt")}
    assert list(_stories(at_once).values()) == [sorted(every)]
    # One file an ingest, in two orders: the same story (ids, and so the story's name, differ).
    for order in (every, every[::-1]):
        in_turn = str(tmp_path / f"in-turn-{order[0]}.db")
        for name in order:
            ingest(in_turn, [str(_texaco(tmp_path / name.split(".")[0], [name]))], jobs=1, ranked_index=False)
        assert list(_stories(in_turn).values()) == [sorted(every)], order

    # Each version's page lists the three others, those it does not pair with too (their
    # similarity estimated from the sketches), as many as a search result counts.
    def show(name: str, *options: str) -> str:
        article_id = rows(at_once, "SELECT id FROM articles WHERE source = ?", (name,))[0][0]
        done = subprocess.run([sys.executable, "-m", "news_archive.cli", "show", str(article_id), *options,
                               "--db", at_once], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        return done.stdout

    for name in every:
        listed = {version["source"]: version["similarity"] for version in json.loads(show(name, "--json"))["similar"]}
        assert sorted(listed) == sorted(set(every) - {name}), name
        assert all(0.5 < similarity <= 1 for similarity in listed.values()), listed
    page = show("republished.txt")
    assert page.count("\nversion [") == 3 and page.count("% alike)") == 3
    found = subprocess.run([sys.executable, "-m", "news_archive.cli", "search", "texaco", "--json", "--db", at_once],
                           capture_output=True, text=True, timeout=120)
    assert [result["similar_versions"] for result in json.loads(found.stdout)] == [3]


def test_an_archive_of_version_10_gets_its_stories_made_again(tmp_path, db_path):
    import sqlite3

    from news_archive import store
    from news_archive.ingest import upgrade

    every = list(_TEXACO_VERSIONS)
    ingest(db_path, [str(_texaco(tmp_path / "all", every))], jobs=1, ranked_index=False)
    ids = dict(rows(db_path, "SELECT source, id FROM articles"))
    # As version 10 left it: every two versions of a story a pair, so the four were two stories.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM clusters")
        for members in (["wire.txt", "price-corrected.txt"], ["republished.txt", "revenue-corrected.txt"]):
            conn.executemany("INSERT INTO clusters VALUES (?, ?, ?)",
                             [(ids[m], min(ids[n] for n in members), 2) for m in members])
        conn.execute("DROP INDEX idx_clusters_cluster_id")
        conn.execute("PRAGMA user_version = 10")
    conn.close()
    upgrade(db_path)
    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert list(_stories(db_path).values()) == [sorted(every)]
    assert rows(db_path, "SELECT name FROM sqlite_master WHERE name = 'idx_clusters_cluster_id'")
