"""Searching: ranking, snippets, date ranges, counts, timelines, facets, exports."""

import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article, write_story_versions
from news_archive import search_index
from news_archive.cli import cli
from news_archive.ingest import ingest
from news_archive.query import parse_query
from news_archive.search import (
    MARK_END, MARK_START, iter_matches, make_snippet, marked_html, timeline, timeline_unit, window_snippet,
)
from news_archive.search import PHRASE_FALLBACK_NOTE
from news_archive.search import search as run_search
from news_archive.search_index import SearchIndex


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("articles")
    stories = {
        "a.txt": " date 2020-01-15 Tiger escapes from zoo\n\nA tiger escaped on Monday. Keepers searched all night.\n",
        "b.txt": " date 2020-02-20 Zoo budget approved\n\nThe council approved the zoo budget. A tiger enclosure is planned.\n",
        "c.txt": " date 2020-03-05 Lions and tigers\n\nLions and tigers were moved. The tigers are calm, keepers said.\n",
        "d.txt": " date 2021-07-01 Stock markets\n\nShares in Tiger Oil rose 5 pct in heavy trading.\n",
        "e.txt": " date 2020-03-06 Unrelated story\n\nNothing about big cats here at all.\n",
        "copy.txt": " date 2020-01-15 Tiger escapes from zoo\n\nA tiger escaped on Monday. Keepers searched all night.\n",
    }
    for name, text in stories.items():
        write_article(folder, name, text)
    db_path = str(tmp_path_factory.mktemp("db") / "s.db")
    ingest(db_path, [str(folder)], jobs=1)
    connection = sqlite3.connect(db_path)
    yield connection, db_path
    connection.close()


@pytest.fixture(params=["ranked", "fts5"])
def search(request, conn):
    """search() through the tantivy index, and through FTS5 alone: both must behave the same."""
    connection, db_path = conn
    index = SearchIndex.open(db_path) if request.param == "ranked" else None

    def search_with(*args, **kwargs):
        return run_search(connection, *args, index=index, **kwargs)

    search_with.backend = request.param
    return search_with


def test_ranked_results_exclude_exact_duplicates(search):
    result = search("tiger")
    assert result.total == 4
    # Headline matches rank above body-only ones.
    assert sorted(h.source for h in result.hits[:2]) == ["a.txt", "c.txt"]
    assert sorted(h.source for h in result.hits) == ["a.txt", "b.txt", "c.txt", "d.txt"]


def test_snippet_marks_matches_and_skips_repeated_headline(search):
    result = search('"tiger enclosure"')
    (hit,) = result.hits
    assert hit.snippet_html() == "The council approved the zoo budget. A <mark>tiger enclosure</mark> is planned."
    assert hit.snippet_text("[", "]") == "The council approved the zoo budget. A [tiger enclosure] is planned."
    assert result.notes == []
    assert search('"enclosure tiger"').total == 0  # a phrase in either index, not its words anywhere


def test_words_near_each_other_in_either_order(search):
    # a.txt: "A tiger escaped on Monday. Keepers ..." (3 words between); c.txt: "The tigers are calm,
    # keepers said" (2 between).
    assert sorted(h.source for h in search('"tiger keepers"~2').hits) == ["c.txt"]
    assert sorted(h.source for h in search('"keepers tiger"~3').hits) == ["a.txt", "c.txt"]
    assert search('"tiger keepers"~1').total == 0
    hit = search('"keepers tiger"~2').hits[0]
    assert "<mark>tigers</mark> are calm, <mark>keepers</mark>" in hit.snippet_html()  # each word marked
    assert search('zoo -"tiger keepers"~3').total == 1  # b.txt: the zoo budget, no keepers


def test_sort_and_date_range(search):
    newest = search("tiger", sort="newest")
    assert [h.date for h in newest.hits] == ["2021-07-01", "2020-03-05", "2020-02-20", "2020-01-15"]
    oldest = search("tiger", sort="oldest")
    assert [h.date for h in oldest.hits] == ["2020-01-15", "2020-02-20", "2020-03-05", "2021-07-01"]
    ranged = search("tiger", since="2020-02-01", until="2020-12-31")
    assert (ranged.total, sorted(h.source for h in ranged.hits)) == (2, ["b.txt", "c.txt"])


def test_empty_query_with_dates_lists_articles(search):
    result = search("", since="2020-03-01", until="2020-03-31")
    assert result.total == 2
    assert [(h.source, h.snippet) for h in result.hits] == [
        ("e.txt", "Nothing about big cats here at all."),
        ("c.txt", "Lions and tigers were moved. The tigers are calm, keepers said."),
    ]


def test_unsearchable_text_gives_no_results_and_a_note(search):
    result = search("*")
    assert (result.total, result.hits, result.notes) == (0, [], ["ignored '*': not something to search for here"])


def test_timeline_and_facets_add_up(search, conn):
    result = search("tiger")
    assert result.timeline_unit == "week"  # 18 months of matches
    assert sum(p["count"] for p in result.timeline) == result.total
    assert result.timeline[0] == {"period": "2020-01-13", "count": 1, "all": 1}  # the Monday of that week
    unit, months = timeline(conn[0], parse_query("tiger"), None, None, unit="month")
    assert months[:3] == [{"period": "2020-01", "count": 1, "all": 1}, {"period": "2020-02", "count": 1, "all": 1},
                          {"period": "2020-03", "count": 1, "all": 2}]
    assert len(months) == 19  # every month from 2020-01 to 2021-07, zeros included
    assert [(f["name"], f["kind"], f["count"]) for f in result.facets.pop("names")] == [("Tiger Oil", "organization", 1)]
    assert result.facets == {
        "year": [{"value": "2020", "count": 3}, {"value": "2021", "count": 1}],
        "month": [{"value": "2020-01", "count": 1}, {"value": "2020-02", "count": 1},
                  {"value": "2020-03", "count": 1}, {"value": "2021-07", "count": 1}],
    }
    short = search("tiger", since="2020-01-01", until="2020-03-31")
    assert short.timeline_unit == "day"
    assert sum(p["count"] for p in short.timeline) == short.total == 3


def test_timeline_units():
    assert timeline_unit("2020-01-01", "2020-03-01") == "day"
    assert timeline_unit("2020-01-01", "2021-06-01") == "week"
    assert timeline_unit("2020-01-01", "2023-01-01") == "month"
    assert timeline_unit("1987-02-26", "2006-12-31") == "month"
    assert timeline_unit("1987-02-26", "2036-12-31") == "year"


def test_paging_past_the_end_shows_the_last_page(search):
    result = search("tiger", per_page=3, page=99)
    assert (result.page, result.pages, len(result.hits)) == (2, 2, 1)


def test_iter_matches_streams_every_field(conn):
    conn = conn[0]
    got = list(iter_matches(conn, "tiger"))
    assert [r["source"] for r in got] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert set(got[0]) == {"id", "source", "date", "headline", "body", "paragraphs", "words", "sha256",
                           "ingested_at", "updated_at", "duplicate_of"}
    assert len(list(iter_matches(conn, "tiger", include_duplicates=True))) == 5


@pytest.mark.parametrize("sort", ["oldest", "newest", "relevance"])
def test_exact_copies_are_added_to_the_same_matches(conn, sort):
    """--include-duplicates adds each match's copies and changes nothing else: the same matches
    (by the ranked index, as without it), each copy after its original by relevance, in (date,
    id) order otherwise."""
    connection, db_path = conn
    connection.row_factory = None
    index = SearchIndex.open(db_path)
    for query in ("tiger", "tig*", '"tiger escaped"', "zoo -budget"):
        alone = [r["id"] for r in iter_matches(connection, query, sort=sort, index=index)]
        both = list(iter_matches(connection, query, sort=sort, index=index, include_duplicates=True))
        assert [r["id"] for r in both if r["duplicate_of"] is None] == alone
        copies = [r for r in both if r["duplicate_of"] is not None]
        assert {r["duplicate_of"] for r in copies} <= set(alone)
        assert len(both) == len(alone) + len(copies) and (query != "tiger" or len(copies) == 1)
        if sort == "relevance":
            assert all(both[both.index(c) - 1]["id"] == c["duplicate_of"] for c in copies)
        else:
            order = [(r["date"], r["id"]) for r in both]
            assert order == sorted(order, reverse=sort == "newest")


def test_exact_copies_of_the_articles_that_mention_a_name_are_added(tmp_path):
    """Copies are not analysed (no name is found in them): with --name and no query they were left out."""
    from news_archive.matches import sample_ids

    folder = tmp_path / "articles"
    text = " date 2020-01-02 Budget\n\nPresident Ronald Reagan sent the budget to Congress.\n"
    write_article(folder, "a.txt", text)
    write_article(folder, "copy.txt", text)
    write_article(folder, "b.txt", " date 2020-01-03 Other\n\nNancy Reagan flew home.\n")
    db = str(tmp_path / "c.db")
    ingest(db, [str(folder)], jobs=1)
    connection = sqlite3.connect(db)
    (reagan,) = connection.execute("SELECT id FROM names WHERE name = 'Ronald Reagan'").fetchone()
    for sort in ("oldest", "newest"):
        alone = [r["source"] for r in iter_matches(connection, "", names=[reagan], sort=sort)]
        both = [r["source"] for r in iter_matches(connection, "", names=[reagan], sort=sort, include_duplicates=True)]
        # In (date, id) order, the newest first with --sort newest: the copy came second.
        assert (alone, both) == (["a.txt"], ["a.txt", "copy.txt"][:: -1 if sort == "newest" else 1])
    drawn, population = sample_ids(connection, "", 5, 1, names=[reagan], include_duplicates=True)
    assert population == 2 and len(drawn) == 2


def test_a_prefix_finds_every_word_that_begins_so(tmp_path):
    """tantivy's own prefix query stops at 50 words ("pr*" found 851 of 14,069 Reuters articles)."""
    folder = tmp_path / "articles"
    words = [f"zq{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(80)]
    for n, word in enumerate(words):
        write_article(folder, f"{n}.txt", f" date 2020-01-{n % 28 + 1:02d} Story {n}\n\nThe {word} rose.\n")
    db = str(tmp_path / "p.db")
    ingest(db, [str(folder)], jobs=1)
    connection = sqlite3.connect(db)
    for backend in (SearchIndex.open(db), None):
        assert run_search(connection, "zq*", index=backend).total == 80
        assert run_search(connection, "zqc*", index=backend).total == 26
        assert len(list(iter_matches(connection, "zq*", index=backend))) == 80


def test_word_forms_are_found_from_any_of_them_and_long_words_are_indexed(tmp_path):
    folder = tmp_path / "articles"
    long_word = "pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters
    for n, text in enumerate(["The talks were tied.", "Tying the knot.", "A tie at last.", f"Rare {long_word} case."]):
        write_article(folder, f"{n}.txt", f" date 2020-01-0{n + 1} Story {n}\n\n{text}\n")
    db = str(tmp_path / "f.db")
    ingest(db, [str(folder)], jobs=1)
    connection = sqlite3.connect(db)
    index = SearchIndex.open(db)
    # "tying" stems to "tie" but does not begin with "ti": found from "tie" too.
    assert {w: run_search(connection, w, index=index).total for w in ("tie", "tied", "tying")} == \
        {"tie": 3, "tied": 3, "tying": 3}
    assert run_search(connection, long_word, index=index).total == 1
    assert run_search(connection, long_word, index=None).total == 1


def test_iter_matches_by_relevance_gives_every_match_in_the_search_order(conn):
    connection, db_path = conn
    index = SearchIndex.open(db_path)
    oldest = [r["id"] for r in iter_matches(connection, "tiger")]
    for backend in (index, None):
        ranked = [hit.id for hit in run_search(connection, "tiger", index=backend).hits]
        got = [r["id"] for r in iter_matches(connection, "tiger", sort="relevance", index=backend)]
        assert got == ranked != oldest, backend
    # However the ranking is cut into slices, they join up into the same order.
    tq = search_index.to_tantivy(index, parse_query("tiger"), None, None)
    assert [i for ids in search_index.ranked_ids(index, tq, slice_size=1) for i in ids] == ranked
    # Without a query there is nothing to rank: the newest first, as the search page lists them.
    assert [r["id"] for r in iter_matches(connection, "", sort="relevance", index=index)] == \
        [hit.id for hit in run_search(connection, "", index=index).hits] == [5, 6, 3, 2, 1]


def test_snippet_html_escapes_untrusted_text():
    raw = f'<script>alert("x")</script> {MARK_START}tiger{MARK_END} & <b>'
    assert marked_html(raw) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>tiger</mark> &amp; &lt;b&gt;"


def test_make_snippet_windows_and_balances_marks():
    words = " ".join(f"w{i}" for i in range(100))
    marked = f"Headline\n\n{words} {MARK_START}target phrase{MARK_END} " + words
    snippet = make_snippet(marked, "Headline", words=10)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count(MARK_START) == snippet.count(MARK_END) == 1
    cut = make_snippet(f"{MARK_START}a b c d e{MARK_END}", "x", words=2)
    assert cut == f"{MARK_START}a b{MARK_END} …"


def test_window_snippet_prefers_a_passage_with_every_query_word():
    import re

    filler = " ".join(f"w{i}" for i in range(60))
    body = f"Dillon said. Dillon wrote. Dillon noted. {filler} Dillon filed for divorce. {filler}"
    snippet = window_snippet(body, "Headline", re.compile(r"(?i)\b(?:dillon|divorce)\b"), size=80)
    assert f"{MARK_START}Dillon{MARK_END} filed for {MARK_START}divorce{MARK_END}" in snippet
    assert snippet.startswith("… ")
    plain = window_snippet(body, "Headline", re.compile(r"(?i)\bdillon\b"), size=80)
    assert plain.startswith(f"{MARK_START}Dillon{MARK_END} said.")  # the densest passage when one word is asked for


def test_name_facet_estimated_for_huge_result_sets(conn, monkeypatch):
    import news_archive.search as search_module

    connection, db_path = conn
    monkeypatch.setattr(search_module, "NAME_FACET_EXACT_LIMIT", 0)
    monkeypatch.setattr(search_module, "NAME_FACET_SAMPLE_SIZE", 0)
    result = run_search(connection, "tiger", index=SearchIndex.open(db_path))
    assert result.names_sample == 16
    assert all(f["count"] % 16 == 0 for f in result.facets["names"])
    monkeypatch.setattr(search_module, "NAME_FACET_SAMPLE_SIZE", 2)  # 4 tiger articles: 1 in 2 holds 2
    result = run_search(connection, "tiger", index=SearchIndex.open(db_path))
    assert result.names_sample == 2
    assert all(f["count"] % 2 == 0 for f in result.facets["names"])


def test_name_sample_rate_keeps_a_thousand_matches():
    from news_archive.search import name_sample_rate

    assert [name_sample_rate(n) for n in (50, 2_000, 2_001, 4_000, 9_300, 20_000, 60_000, 1_000_000)] == [
        1, 1, 2, 4, 8, 16, 16, 16]


@pytest.fixture(scope="module")
def versions_db(tmp_path_factory):
    """One story in three near-identical versions, between three other harbour stories."""
    folder = write_story_versions(tmp_path_factory.mktemp("versions"))
    db_path = str(tmp_path_factory.mktemp("db") / "v.db")
    ingest(db_path, [str(folder)], jobs=1)
    connection = sqlite3.connect(db_path)
    yield connection, SearchIndex.open(db_path)
    connection.close()


def test_versions_of_a_story_are_folded_across_pages(versions_db):
    conn, index = versions_db
    assert conn.execute("SELECT count(*) FROM clusters").fetchone()[0] == 3
    sources = {i: s for i, s in conn.execute("SELECT id, source FROM articles")}
    pages = [run_search(conn, "harbour", sort="oldest", per_page=2, page=n, index=index) for n in (1, 2, 3)]
    listed = [[sources[hit.id] for hit in result.hits] for result in pages]
    # Without folding across pages, version 3.txt would open page 2 after 1.txt was listed on page 1.
    assert listed == [["1.txt", "2.txt"], ["4.txt", "6.txt"], ["4.txt", "6.txt"]]
    first, second, past_the_end = pages
    assert (first.total, first.stories, first.pages) == (6, 4, 2)
    assert first.hits[0].similar_versions == 2
    assert (first.folded, second.folded) == (1, 1)  # 3.txt within page 1's span, 5.txt within page 2's
    assert past_the_end.page == 2


def test_deep_pages_fold_within_the_page(versions_db, monkeypatch):
    import news_archive.search as search_module

    conn, index = versions_db
    monkeypatch.setattr(search_module, "FOLD_DEPTH", 1)
    result = run_search(conn, "harbour", sort="oldest", per_page=3, page=1, index=index)
    # The page of matches 1-3 loses version 3 and is not topped up.
    assert [hit.id for hit in result.hits] == [1, 2] and result.folded == 1
    assert result.stories == 6  # one match looked at for versions, five deeper ones counted one each


@pytest.mark.parametrize("fold_depth", [1, 2, 3, 4, 2_000])
def test_every_page_agrees_on_the_number_of_pages(versions_db, monkeypatch, fold_depth):
    import news_archive.search as search_module

    conn, index = versions_db
    monkeypatch.setattr(search_module, "FOLD_DEPTH", fold_depth)
    first = run_search(conn, "harbour", sort="oldest", per_page=2, page=1, index=index)
    pages = [run_search(conn, "harbour", sort="oldest", per_page=2, page=n, index=index)
             for n in range(1, first.pages + 1)]
    assert {result.pages for result in pages} == {first.pages}
    assert all(result.hits and not result.notes for result in pages)  # no page the pager links to is empty
    shown = [hit.id for result in pages for hit in result.hits]
    assert len(shown) == len(set(shown)) and {1, 2, 4, 6} <= set(shown)
    past_the_end = run_search(conn, "harbour", sort="oldest", per_page=2, page=first.pages + 5, index=index)
    assert past_the_end.page == first.pages
    assert [hit.id for hit in past_the_end.hits] == [hit.id for hit in pages[-1].hits]
    assert past_the_end.notes == [f"there are only {first.pages} pages of results: showing the last"]


@pytest.mark.parametrize("since, until", [("2020-02-01", "2020-03-05"), ("2020-01-15", None), (None, "2020-02-20")])
def test_date_ranges_match_the_same_either_way(conn, monkeypatch, since, until):
    import news_archive.search_index as index_module

    connection, db_path = conn
    index = SearchIndex.open(db_path)
    found = []
    for share in (0.0, 1.0):  # by checking each match's day, then through the index of days
        monkeypatch.setattr(index_module, "NARROW_RANGE_SHARE", share)
        result = run_search(connection, "tiger", since=since, until=until, sort="oldest", index=index)
        found.append(([hit.id for hit in result.hits], result.total, result.timeline))
    assert found[0] == found[1] and found[0][1] > 0


def test_related_names_share_a_surname_or_begin_alike(tmp_path):
    from news_archive import browse, search_index
    from news_archive.ingest import ingest

    folder = tmp_path / "articles"
    write_article(folder, "a.txt", " date 2020-01-02 Ratings\n\nMoody's Investors Service Inc cut Texaco Inc."
                                   " President Ronald Reagan said nothing.\n")
    write_article(folder, "b.txt", " date 2020-01-03 Ratings\n\nAnalysts at Moody's said Standard and Poor's Corp"
                                   " agreed. Nancy Reagan flew to Texaco Inc.\n")
    write_article(folder, "c.txt", " date 2020-01-04 Ratings\n\nMoody's Investors Service Inc met Neil Young."
                                   " Standard Oil agreed, President Reagan said.\n")
    write_article(folder, "d.txt", " date 2020-01-05 Talks\n\nJosé Núñez met Pedro Nunez in Madrid on Monday.\n")
    write_article(folder, "e.txt", " date 2020-01-06 Board\n\nCharles B. Gates Jr. and Stewart Bainum Jr. met"
                                   " Robert Gates on Monday.\n")
    db = str(tmp_path / "r.db")
    ingest(db, [str(folder)], jobs=1)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    index = search_index.SearchIndex.open(db)

    def related(name, kind):
        return [(r["name"], r["articles"]) for r in browse.related_names(conn, name, kind, index)]

    assert related("Moody's", "organization") == [("Moody's Investors Service Inc", 2)]
    assert related("Moody's Investors Service Inc", "organization") == [("Moody's", 1)]
    # Cut only between two words of a name: "Standard" is not a shorter "Standard and Poor's Corp".
    assert related("Standard and Poor's Corp", "organization") == []
    assert related("Reagan", "person") == [("Nancy Reagan", 1), ("Ronald Reagan", 1)]
    assert related("Ronald Reagan", "person") == [("Nancy Reagan", 1), ("Reagan", 1)]  # ties by name
    assert related("Young", "person") == [("Neil Young", 1)]
    # A surname is compared as names are, accents aside.
    assert related("José Núñez", "person") == [("Pedro Nunez", 1)]
    assert related("Pedro Nunez", "person") == [("José Núñez", 1)]
    # A suffix is no surname: a Gates beside the Gateses, not beside everyone else's "Jr.".
    assert related("Charles B. Gates Jr.", "person") == [("Robert Gates", 1)]
    assert related("Robert Gates", "person") == [("Charles B. Gates Jr.", 1)]
    # Without the ranked index: no counts, by name.
    assert [r["name"] for r in browse.related_names(conn, "Reagan", "person")] == ["Nancy Reagan", "Ronald Reagan"]


@pytest.fixture
def names_archive(tmp_path):
    """The story versions and one more article with two Smiths and Ohio: (connection, ranked index)."""
    from news_archive import search_index

    folder = write_story_versions(tmp_path / "stories")
    write_article(folder, "extra.txt", " date 2020-05-02 Vote\n\nJane Smith of Ohio and John Smith met in Ohio.\n")
    db = str(tmp_path / "n.db")
    ingest(db, [str(folder)], jobs=1)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, search_index.SearchIndex.open(db)


def test_names_directory_is_the_same_without_the_ranked_index(names_archive):
    from news_archive import browse

    conn, index = names_archive
    for text, kind in (("", None), ("", "person"), ("smi", None), ("ohio", "place"), ("nothing", None)):
        ranked = browse.names_directory(conn, text, kind, index=index, per_page=3)
        scanned = browse.names_directory(conn, text, kind, index=None, per_page=3)
        assert ranked == scanned, (text, kind)
    found = browse.names_directory(conn, "smi", None, index=index)
    assert [(n["name"], n["articles"]) for n in found["names"]] == [("Jane Smith", 1), ("John Smith", 1)]
    # Paged: the second page of people starts where the first ends.
    first = browse.names_directory(conn, "", "person", 1, index, per_page=1)
    second = browse.names_directory(conn, "", "person", 2, index, per_page=1)
    assert first["pages"] == first["total"] >= 2 and first["names"] != second["names"]


def test_most_named_by_kind_is_the_same_without_the_ranked_index(names_archive):
    from news_archive import browse

    conn, index = names_archive
    ranked = browse.most_named_by_kind(conn, index, per_kind=2)
    assert ranked == browse.most_named_by_kind(conn, None, per_kind=2)
    assert {n["kind"] for n in ranked["person"]} == {"person"} and len(ranked["person"]) == 2
    assert [n["name"] for n in ranked["place"]][:1] == ["Ohio"]


def test_greek_accents_and_case_do_not_matter_in_either_index(tmp_path):
    """"Αθήνα" was found by itself only: neither index folds Greek accents by itself (tantivy's
    ascii_fold and SQLite's remove_diacritics know Latin letters only)."""
    from news_archive.concordance import concordance
    from news_archive.name_identity import fold as name_fold

    folder = tmp_path / "articles"
    texts = ["Η Αθήνα και ο Πειραιάς. Η Ευρωπαϊκή Ένωση.", "ΑΘΗΝΑ ΣΗΜΕΡΑ: η ευρωπαϊκη ενωση", "Athens, not Αθηνών.",
             "Zürich and Köln; Андрей and Андреи.", "Nothing Greek here."]
    for n, text in enumerate(texts):
        write_article(folder, f"{n}.txt", f" date 2020-01-0{n + 1} Story {n}\n\n{text}\n")
    db = str(tmp_path / "g.db")
    ingest(db, [str(folder)], jobs=1)
    connection = sqlite3.connect(db)
    expected = {"Αθήνα": 2, "ΑΘΗΝΑ": 2, "αθηνα": 2, "αθήνα": 2, "αθη*": 3, '"ευρωπαικη ενωση"': 2,
                '"Ευρωπαϊκή Ένωση"': 2, "πειραιας": 1, '"αθηνα πειραιας"~3': 1, "zurich": 1, "koln": 1,
                "андрей": 1, "андреи": 1}  # й is a letter of its own, as both indexes read it
    for backend in (SearchIndex.open(db), None):
        found = {query: run_search(connection, query, index=backend).total for query in expected}
        assert found == expected, backend
        hits = run_search(connection, "αθηνα", index=backend, sort="oldest").hits
        assert "<mark>Αθήνα</mark>" in hits[0].snippet_html() and "<mark>ΑΘΗΝΑ</mark>" in hits[1].snippet_html()
        lines = concordance(connection, "αθηνα", index=backend).lines
        assert sorted(line.match for line in lines) == sorted(["Αθήνα", "ΑΘΗΝΑ"]), backend
    assert name_fold("Αθήνα") == name_fold("ΑΘΗΝΑ") == "αθηνα"  # names are found alike


def _archive_with_an_index_of_version_6(tmp_path) -> tuple[str, str]:
    """An archive (its folder and database) whose ranked index says it was made by version 6: Greek with accents."""
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", " date 2020-01-01 Story\n\nΗ Αθήνα σήμερα.\n")
    db = str(tmp_path / "v.db")
    ingest(db, [str(folder)], jobs=1)
    index = SearchIndex.open(db)
    index._write_state({**index.state(), "version": 6})
    return str(folder), db


def test_an_index_of_the_version_before_greek_folding_is_rebuilt(tmp_path):
    folder, db = _archive_with_an_index_of_version_6(tmp_path)
    with pytest.raises(search_index.IndexUnavailable):
        SearchIndex.open(db)
    ingest(db, [folder], jobs=1)  # nothing new to read: the index is built again all the same
    rebuilt = SearchIndex.open(db)
    assert rebuilt.state()["version"] == search_index.STATE_VERSION
    assert run_search(sqlite3.connect(db), "αθηνα", index=rebuilt).total == 1


def test_analyse_rebuilds_an_index_of_another_version_as_the_note_says(tmp_path):
    # The note an outdated index gives names a command that runs as written, without the article files.
    _, db = _archive_with_an_index_of_version_6(tmp_path)
    with pytest.raises(search_index.IndexUnavailable) as refused:
        SearchIndex.open(db)
    assert "`news-archive analyse` on this archive" in refused.value.note
    result = CliRunner().invoke(cli, ["analyse", "--db", db, "--silent"])
    assert result.exit_code == 0, result.output
    assert SearchIndex.open(db).state()["version"] == search_index.STATE_VERSION


def test_a_long_greek_phrase_typed_without_accents_is_found_without_the_ranked_index(tmp_path):
    # Its spellings are too many to list whole; it was searched as typed and bare only, and missed
    # the accented text: now each pair of neighbouring words is, in any of its spellings.
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", " date 2020-01-01 Story\n\nΗ οικονομία αναπτύσσεται γρήγορα στο λιμάνι του Πειραιά.\n")
    write_article(folder, "b.txt", " date 2020-01-02 Other\n\nΗ οικονομία στο λιμάνι αναπτύσσεται γρήγορα.\n")
    db = str(tmp_path / "g.db")
    ingest(db, [str(folder)], jobs=1, ranked_index=False)
    connection = sqlite3.connect(db)
    for query, total in (('"η οικονομια αναπτυσσεται γρηγορα"', 1), ('"λιμανι του πειραια"', 1),
                         ('"οικονομια αναπτυσσεται γρηγορα στο λιμανι"', 1), ('"αναπτυσσεται γρηγορα"', 2),
                         ('"γρηγορα στο λιμανι του"', 1), ('"λιμανι αναπτυσσεται γρηγορα"', 1)):
        assert run_search(connection, query, index=None).total == total, query
