"""Keyword in context: the library (ranked index and FTS5 alike), the web page, JSON, CSV and CLI."""

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import write_article, write_story_versions
from news_archive.cli import cli
from news_archive.concordance import MAX_WIDTH, MIN_WIDTH, NEEDS_WORDS, Line, _context, arranged, concordance
from news_archive.ingest import ingest
from news_archive.search_index import SearchIndex
from news_archive.web.app import make_datasette

SCRIPT = '<script>alert("x")</script>'
ARTICLES = {
    "1.txt": " date 2020-01-06 Oil prices rise\n\nOil prices rose on Monday. Traders said oil prices would rise"
             " again.\n\nA second paragraph on gold.\n",
    "2.txt": " date 2020-01-07 Output cut\n\nThe cut in output lifted the price of oil, and pricing power"
             " returned.\n",
    "3.txt": " date 2020-02-03 Tanker seized\n\nA tanker carrying oil was seized. Reagan and Iran traded words; far"
             " away, many days later, one two three four five six seven eight nine Iran again.\n",
    "4.txt": f" date 2020-03-02 Hostile\n\nThe word oil {SCRIPT} and =HYPERLINK(\"x\") after it.\n",
    "5.txt": " date 2020-03-03 Gold only\n\nGold hits a record.\n",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kwic")
    for name, text in ARTICLES.items():
        write_article(folder, name, text)
    write_article(folder, "copy.txt", ARTICLES["1.txt"])  # an exact copy: read once
    db_path = str(tmp_path_factory.mktemp("db") / "k.db")
    ingest(db_path, [str(folder)], jobs=1)
    return db_path


@pytest.fixture(params=["ranked", "fts5"])
def kwic(request, archive):
    """concordance() through the tantivy index and through FTS5 alone: both must give the same."""
    conn = sqlite3.connect(archive)
    index = SearchIndex.open(archive) if request.param == "ranked" else None

    def run(q, **kwargs):
        return concordance(conn, q, index=index, **kwargs)

    yield run
    conn.close()


def texts(found) -> list[str]:
    return [f"{line.left}[{line.match}]{line.right}" for line in found.lines]


def test_every_occurrence_is_a_line_with_its_context_in_the_order_read(kwic):
    found = kwic("oil", width=30)
    assert [line.date for line in found.lines] == ["2020-01-06"] * 3 + ["2020-01-07", "2020-02-03", "2020-03-02"]
    assert texts(found) == [
        "[Oil] prices rise",  # the headline's paragraph: context stops at its end
        "[Oil] prices rose on Monday.",  # " Traders" would make 31 characters
        "rose on Monday. Traders said [oil] prices would rise again.",
        "in output lifted the price of [oil], and pricing power returned.",
        "A tanker carrying [oil] was seized. Reagan and Iran",
        f"The word [oil] {SCRIPT}",
    ]
    assert (found.matching, found.read, found.with_lines, found.complete) == (4, 4, 4, True)
    assert found.lines[0].position == 0


def test_a_line_joined_again_is_the_text_it_was_cut_from(kwic, archive):
    conn = sqlite3.connect(archive)
    for line in kwic("oil OR prices OR said", width=25).lines:
        body = conn.execute("SELECT body FROM articles WHERE id = ?", [line.article_id]).fetchone()[0]
        squeezed = " ".join(body.split())
        assert line.left + line.match + line.right in squeezed
        assert len(line.left) <= 25 and len(line.right) <= 25  # the space beside the word found included
        assert body[line.position:].lower().startswith(line.match.split()[0].lower())


def test_word_forms_and_phrases_are_found_as_a_search_finds_them(kwic):
    assert kwic("price").forms == [("prices", 3), ("price", 1), ("pricing", 1)]
    phrase = kwic('"oil prices"')
    assert [line.match for line in phrase.lines] == ["Oil prices", "Oil prices", "oil prices"]
    assert phrase.matching == 1


def test_near_keeps_only_the_occurrences_that_are_near(kwic):
    near = kwic('"reagan iran"~3')
    assert [line.match for line in near.lines] == ["Reagan", "Iran"]  # not the Iran ten words on
    assert kwic('"reagan iran"~20').lines[-1].right.startswith(" again")


def test_the_words_most_often_right_before_and_after(tmp_path):
    folder = tmp_path / "in"
    sentences = ["Crude oil prices rose.", "World oil prices fell.", "Crude oil prices fell again.",
                 "The oil prices rose.", "In Texas crude oil prices rose."]
    for number, sentence in enumerate(sentences):
        write_article(folder, f"{number}.txt", f" date 2020-01-0{number + 1} Report {number}\n\n{sentence}\n")
    db_path = str(tmp_path / "n.db")
    ingest(db_path, [str(folder)], jobs=1)
    conn = sqlite3.connect(db_path)
    for index in (SearchIndex.open(db_path), None):
        found = concordance(conn, '"oil prices"', index=index)
        # "The" says nothing, "world" is in one line only: left out.
        assert found.neighbours("left") == [("crude", 3)]
        assert found.neighbours("right") == [("rose", 3), ("fell", 2)]
        assert found.phrase_with("crude", "left") == '"crude oil prices"'
        assert found.phrase_with("rose", "right") == '"oil prices rose"'
    assert concordance(conn, "oil OR gas").phrase_with("crude", "left") is None  # not one word or phrase


def test_lines_sorted_by_their_left_or_right_words(kwic):
    found = kwic("oil", width=30)
    by_right = [line.right for line in arranged(found.lines, "right")]
    assert by_right == [", and pricing power returned.", " prices rise", " prices rose on Monday.",
                        " prices would rise again.", f" {SCRIPT}", " was seized. Reagan and Iran"]
    by_left = kwic("oil", width=30, arrange="left").lines
    assert [line.left.split()[-1] if line.left else "" for line in by_left] == ["", "", "carrying", "of", "said",
                                                                                 "word"]


def test_each_story_once_unless_every_version_is_asked_for(tmp_path):
    write_story_versions(tmp_path / "in")
    db_path = str(tmp_path / "v.db")
    ingest(db_path, [str(tmp_path / "in")], jobs=1)
    conn = sqlite3.connect(db_path)
    for index in (SearchIndex.open(db_path), None):
        once = concordance(conn, "delayed", index=index)
        every = concordance(conn, "delayed", index=index, all_versions=True)
        assert (len(once.lines), once.folded, once.read) == (1, 2, 3)
        assert (len(every.lines), every.folded) == (3, 0)


def test_accented_words_are_found_as_the_index_folds_them(tmp_path):
    """The ranked index folds "café" to "cafe": its marks found only the unaccented spelling."""
    folder = tmp_path / "in"
    write_article(folder, "1.txt", " date 2020-01-01 Cafés\n\nA café, the CAFÉ, a Cafe and a naïve café owner.\n")
    db_path = str(tmp_path / "a.db")
    ingest(db_path, [str(folder)], jobs=1)
    conn = sqlite3.connect(db_path)
    for index in (SearchIndex.open(db_path), None):
        for typed in ("café", "cafe"):
            found = concordance(conn, typed, index=index)
            assert [line.match for line in found.lines] == ["Cafés", "café", "CAFÉ", "Cafe", "café"], (typed, index)
    # A letter whose lower case is longer ("İ" is "i" and a dot above) keeps the text's length.
    from news_archive.search_index import _Highlighter

    assert _Highlighter(r"istanbul|cafe").sub("[\\g<0>]", "İstanbul Café") == "[İstanbul] [Café]"
    # The search page's snippets mark them the same way.
    from news_archive.search import search

    snippet = search(conn, "cafe", index=SearchIndex.open(db_path)).hits[0].snippet_text()
    assert snippet.count("[") == 4 and "[café]" in snippet and "[CAFÉ]" in snippet


def test_near_words_repeated_many_times_and_phrases_run_together(tmp_path):
    """"a b"~N compared every occurrence of a with every one of b (88 s for an article of 50,000
    buffalos); without the ranked index FTS5 marked 50,000 buffalos as one match."""
    folder = tmp_path / "in"
    write_article(folder, "1.txt", " date 2020-01-01 Buffalo\n\n" + "buffalo " * 3000 + "end.\n")
    write_article(folder, "2.txt", " date 2020-01-02 Oil\n\nCrude oil prices rose.\n")
    db_path = str(tmp_path / "b.db")
    ingest(db_path, [str(folder)], jobs=1)
    conn = sqlite3.connect(db_path)
    for index in (SearchIndex.open(db_path), None):
        near = concordance(conn, '"buffalo buffalo"~1 ' * 5, index=index, most=100_000)
        assert len(near.lines) == 3001 and near.complete  # the headline's "Buffalo" and the 3,000 after it
        phrase = concordance(conn, '"buffalo buffalo"', index=index, most=100_000)
        assert len(phrase.lines) == 1500 and {line.match for line in phrase.lines} == {"buffalo buffalo", "Buffalo buffalo"}
        assert phrase.lines[-1].right == " buffalo end."  # the last, alone, is no match
        assert [line.match for line in concordance(conn, '"crude oil" OR "oil prices"', index=index).lines] == [
            "Crude oil"]
        assert [line.match for line in concordance(conn, 'oil OR "crude oil"', index=index).lines] == ["Oil", "Crude oil"]


def test_the_most_lines_and_what_was_left_unread(kwic):
    found = kwic("oil", most=2)
    assert len(found.lines) == 2 and not found.complete and found.read == 1 and found.matching == 4
    newest = kwic("oil", most=1, order="newest")
    assert newest.lines[0].date == "2020-03-02" and not newest.complete
    assert kwic("oil", most=6).complete  # exactly every line there is


def test_reading_stops_after_the_time_given_and_says_so(kwic):
    stopped = kwic("oil", seconds=0)
    assert (stopped.lines, stopped.read, stopped.complete) == ([], 0, False)
    assert stopped.notes == ["reading stopped after 0 s, at article 0 of 4: narrow the words or the dates to read"
                             " the others"]
    assert kwic("oil", seconds=60).complete and kwic("oil", seconds=60).notes == []


def test_dates_and_nothing_to_look_for(kwic):
    assert [line.date for line in kwic("oil", since="2020-02-01").lines] == ["2020-02-03", "2020-03-02"]
    assert kwic("").notes == [NEEDS_WORDS] and kwic("").lines == []
    assert kwic("-oil").lines == [] and NEEDS_WORDS not in kwic("-oil").notes  # the query's own note says why
    assert kwic("zebra").lines == [] and kwic("zebra").matching == 0


def test_context_is_cut_at_words_and_paragraphs():
    text = "alpha beta gamma delta\n\nepsilon zeta KEY eta theta iota kappa\n  \nlambda"
    at = text.index("KEY")
    left, right = _context(text, at, at + 3, 13)
    assert (left, right) == ("epsilon zeta ", " eta theta")
    left, right = _context(text, at, at + 3, 12)
    assert (left, right) == ("zeta ", " eta theta")  # "epsilon zeta " is 13, its space included: cut
    glued = "oil-prices"
    assert _context(glued, 0, 3, 20) == ("", "-prices")
    long_word = "x" * 500 + " KEY"
    assert _context(long_word, 501, 504, 20) == ("", "")  # one word longer than the width: nothing of it
    lines = [Line(1, "d", "h", "b a ", "K", " z", 0), Line(2, "d", "h", "a b ", "K", " y", 0)]
    assert [line.article_id for line in arranged(lines, "left")] == [1, 2]  # by the nearest word first: a, then b
    assert [line.article_id for line in arranged(lines, "right")] == [2, 1]
    assert MAX_WIDTH == 200


# --- the web --------------------------------------------------------------------------------------


@pytest.fixture
async def ds(archive):
    datasette = make_datasette(archive)
    await datasette.invoke_startup()
    return datasette


async def test_the_page_lines_up_the_occurrences(ds):
    response = await ds.client.get("/concordance?q=oil&width=30")
    assert response.status_code == 200
    html = response.text
    assert "<strong>6</strong> lines of" in html and "from all 4 matching articles" in html
    assert '<td class="right"><mark>oil</mark><span class="words-after">, and pricing power returned.</span></td>' in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert 'href="/article/' in html and "?q=oil" in html  # a line opens its article with the word marked
    assert "/concordance.csv?q=oil&amp;width=30" in html


async def test_the_page_without_words_explains_itself(ds):
    html = (await ds.client.get("/concordance")).text
    assert "Every place the words of a search occur" in html
    nothing = (await ds.client.get("/concordance?q=zebra")).text
    assert "Nothing matched" in nothing


async def test_a_search_page_leads_to_its_concordance(ds):
    html = (await ds.client.get("/search?q=oil&since=2020-01-01")).text
    assert 'href="/concordance?q=oil&amp;since=2020-01-01"' in html
    assert "/concordance" not in (await ds.client.get("/search?since=2020-01-01")).text


async def test_json_pages_and_bad_parameters(ds):
    data = (await ds.client.get("/concordance.json?q=oil&arrange=right&width=30")).json()
    assert data["lines_found"] == 6 and data["complete"] and data["arrange"] == "right"
    assert data["lines"][0]["right"] == ", and pricing power returned." and data["lines"][0]["url"].endswith("/article/2")
    assert data["forms"] == [{"form": "oil", "lines": 6}]
    assert data["before"] == [] and data["after"] == [{"word": "prices", "lines": 3}]
    html = (await ds.client.get("/concordance?q=oil")).text
    assert 'Most often right after: <a href="/concordance?q=%22oil+prices%22">prices</a>' in html
    bad = (await ds.client.get("/concordance.json?q=oil&arrange=sideways&width=abc&page=7")).json()
    assert bad["arrange"] == "text" and bad["width"] == 50 and bad["page"] == 1
    assert any("sideways" in note for note in bad["notes"]) and any("only 1 page" in note for note in bad["notes"])
    # A number out of range, however far, is the nearest width, said; an export takes it too.
    for asked, width in (("9999", MAX_WIDTH), ("99999", MAX_WIDTH), ("1" + "0" * 25, MAX_WIDTH), ("-5", MIN_WIDTH)):
        wide = (await ds.client.get(f"/concordance.json?q=oil&width={asked}")).json()
        assert wide["width"] == width and any(f"showing {width}" in note for note in wide["notes"])
        assert (await ds.client.get(f"/concordance.csv?q=oil&width={asked}")).status_code == 200


async def test_csv_and_ndjson_give_every_line(ds):
    response = await ds.client.get("/concordance.csv?q=oil&sort=newest")
    assert response.status_code == 200 and response.headers["x-news-archive-concordance"].endswith(
        "/concordance?q=oil&sort=newest")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["date"] for row in rows][:1] == ["2020-03-02"] and len(rows) == 6
    hostile = rows[0]["right"]
    assert "HYPERLINK" not in hostile or not hostile.lstrip().startswith("=")
    lines = (await ds.client.get("/concordance.ndjson?q=oil")).text.splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["match"] == "Oil"
    refused = await ds.client.get("/concordance.csv?q=oil&width=wide")
    assert refused.status_code == 400 and "width" in refused.json()["error"]


# --- the command line -----------------------------------------------------------------------------


def test_cli_text_csv_and_json(archive):
    runner = CliRunner()
    result = runner.invoke(cli, ["concordance", "oil", "--width", "30", "--sort-by", "right", "--db", archive])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("2020-01-07") and first.rstrip().endswith("[2]") and "oil, and pricing power" in first
    assert "6 lines from all 4 matching articles" in result.stderr
    limited = runner.invoke(cli, ["concordance", "oil", "-n", "2", "--db", archive])
    assert "2 lines (the --limit) from the first 1 of 4 matching articles, oldest first" in limited.stderr
    as_csv = runner.invoke(cli, ["concordance", "prices", "--format", "csv", "--db", archive])
    assert as_csv.stdout.splitlines()[0] == "article_id,date,headline,left,match,right,position"
    as_json = json.loads(runner.invoke(cli, ["concordance", "oil", "--format", "json", "--db", archive]).stdout)
    assert as_json["matching_articles"] == 4 and len(as_json["lines"]) == 6
    # No words at all is a usage error, as for `compare`; words with nothing to search for, a note and status 0.
    for nothing in (runner.invoke(cli, ["concordance", "--db", archive]),
                    runner.invoke(cli, ["concordance", "--name", "Paul Volcker", "--db", archive])):
        assert nothing.exit_code == 2 and "give the words to find, e.g. news-archive concordance oil" in nothing.output
    excluded = runner.invoke(cli, ["concordance", "-oil", "--db", archive])
    assert (excluded.exit_code, excluded.stdout) == (0, "")
    assert excluded.stderr == ("note: a search cannot only exclude words: add a word to look for\n"
                               "0 lines: the query has nothing to search for\n")


async def test_a_name_page_leads_to_its_mentions_in_context(tmp_path):
    folder = tmp_path / "in"
    for number in range(3):
        write_article(folder, f"{number}.txt", f" date 2020-01-0{number + 1} Fed report {number}\n\n"
                      f"Federal Reserve Chairman Paul Volcker said rates would hold, report {number} said.\n")
    db_path = str(tmp_path / "names.db")
    ingest(db_path, [str(folder)], jobs=1)
    name_id = sqlite3.connect(db_path).execute("SELECT id FROM names WHERE name = 'Paul Volcker'").fetchone()[0]
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    page = (await datasette.client.get(f"/name/{name_id}")).text
    link = f"/concordance?q=%22Paul+Volcker%22&amp;name={name_id}"
    assert f'<a href="{link}">Its mentions in context</a>' in page
    found = (await datasette.client.get(link.replace("&amp;", "&").replace("/concordance", "/concordance.json"))).json()
    assert [line["match"] for line in found["lines"]] == ["Paul Volcker"] * 3 and found["before"] == [
        {"word": "chairman", "lines": 3}]
