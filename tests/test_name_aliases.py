"""A surname alone joined to the one full name the archive gives it (name_aliases), across ingests."""

import sqlite3

import pytest
from click.testing import CliRunner

from conftest import rows, write_article
from news_archive import name_aliases, search_index, store
from news_archive.ingest import analyse_archive, ingest, upgrade

FULL = " date 2020-06-0{day} Budget {day}\n\nFinance Minister Martha Quill said on Monday the budget would balance.\n"
ALONE = " date 2020-07-0{day} Rates {day}\n\nFinance Minister Quill said on Monday that rates would fall.\n"
QUOTED = ' date 2020-07-09 Quoted\n\n"We will cut rates," Finance Minister Quill said on Tuesday.\n'
RIVAL = " date 2020-08-0{day} Trade {day}\n\nTrade Minister Peter Quill said on Monday exports rose.\n"


def _write(folder, template: str, prefix: str, count: int) -> None:
    for day in range(1, count + 1):
        write_article(folder, f"{prefix}{day}.txt", template.format(day=day))


def _id(db_path: str, name: str, kind: str = "person") -> int | None:
    found = rows(db_path, "SELECT id FROM names WHERE name = ? AND kind = ?", (name, kind))
    return found[0][0] if found else None


def _articles_of(db_path: str, name_id: int) -> int:
    return rows(db_path, "SELECT count(*) FROM article_names WHERE name_id = ?", (name_id,))[0][0]


def _index_counts(db_path: str, ids: list[int]) -> dict[int, int]:
    return search_index.articles_naming(search_index.SearchIndex.open(db_path), ids)


def _state(db_path: str) -> list:
    return [rows(db_path, sql) for sql in (
        "SELECT id, name, kind FROM names ORDER BY id", "SELECT * FROM article_names ORDER BY 1, 2",
        "SELECT * FROM name_redirects ORDER BY 1", "SELECT alias, kind, spelled, name_id, old_id, articles"
        " FROM name_aliases", "SELECT id, speaker, speaker_id FROM quotes ORDER BY id")]


def test_a_surname_alone_is_joined_across_ingests_and_kept_for_later_ones(db_path, articles_dir):
    _write(articles_dir, FULL, "full", 5)
    first = ingest(db_path, [str(articles_dir)], jobs=1)
    assert first.surnames == []  # no "Quill" alone yet: nothing to judge
    martha = _id(db_path, "Martha Quill")

    _write(articles_dir, ALONE, "alone", 2)
    write_article(articles_dir, "quoted.txt", QUOTED)
    second = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(j.surname, j.articles, j.full[0][0], j.refused) for j in second.surnames] == [
        ("Quill", 3, "Martha Quill", None)]
    # One entry: the surname's own went, its id redirects, its articles and quotations follow.
    assert rows(db_path, "SELECT name FROM names WHERE kind = 'person'") == [("Martha Quill",)]
    [(old,)] = rows(db_path, "SELECT old_id FROM name_redirects WHERE name_id = ?", (martha,))
    assert old != martha
    assert _articles_of(db_path, martha) == 8
    assert rows(db_path, "SELECT speaker, speaker_id FROM quotes") == [("Quill", martha)]
    assert rows(db_path, "SELECT alias, kind, spelled, name_id, old_id, articles FROM name_aliases") == [
        ("quill", "person", "Quill", martha, old, 3)]
    # The ranked index was told: facets and name pages count the surname's articles.
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]
    assert _index_counts(db_path, [martha, old]) == {martha: 8, old: 0}

    # A later article's "Quill" goes straight to her: no new entry, nothing judged again.
    write_article(articles_dir, "later.txt", ALONE.format(day=8))
    third = ingest(db_path, [str(articles_dir)], jobs=1)
    assert third.surnames == []
    assert rows(db_path, "SELECT name FROM names WHERE kind = 'person'") == [("Martha Quill",)]
    assert _articles_of(db_path, martha) == 9 and _index_counts(db_path, [martha]) == {martha: 9}
    assert rows(db_path, "SELECT count(*) FROM name_redirects") == [(1,)]

    # Idempotent: ingesting the same files again changes nothing, and judges nothing.
    before = _state(db_path)
    again = ingest(db_path, [str(articles_dir)], jobs=1)
    assert again.surnames == [] and again.unchanged == 9
    assert _state(db_path) == before
    # Analysing every article again keeps the join (the alias gives the surname her id).
    analyse_archive(db_path, everything=True, jobs=1)
    assert _state(db_path)[1:] == before[1:]


BOTH = (" date 2020-09-02 Cabinet\n\nFinance Minister Martha Quill met Trade Minister Peter Quill on Monday."
        ' "We agree," Minister Quill said.\n')


def _names_of_article(db_path: str, source: str) -> list[tuple[str, int]]:
    return rows(db_path, "SELECT n.name, a.mentions FROM article_names a JOIN names n ON n.id = a.name_id"
                " JOIN articles r ON r.id = a.article_id WHERE r.source = ? ORDER BY n.name", (source,))


def test_a_surname_alone_in_an_article_naming_two_of_that_surname_is_neither(db_path, articles_dir):
    """The archive counts "Quill" alone for Martha Quill; an article that names her and Peter Quill keeps
    its "Quill" apart (which of them said it, it does not say), and later ingests still count a plain
    "Quill" for her."""
    _write(articles_dir, FULL, "full", 5)
    _write(articles_dir, ALONE, "alone", 2)
    ingest(db_path, [str(articles_dir)], jobs=1)
    martha = _id(db_path, "Martha Quill")
    assert _id(db_path, "Quill") is None

    write_article(articles_dir, "both.txt", BOTH)
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert _names_of_article(db_path, "both.txt") == [("Martha Quill", 1), ("Peter Quill", 1), ("Quill", 1)]
    quill = _id(db_path, "Quill")
    assert quill not in (None, martha)
    assert rows(db_path, "SELECT speaker, speaker_id FROM quotes WHERE quote = 'We agree'") == [("Quill", quill)]
    assert rows(db_path, "SELECT name_id FROM name_aliases WHERE alias = 'quill'") == [(martha,)]
    assert _index_counts(db_path, [quill]) == {quill: 1}

    # A later article's plain "Quill" is still hers, in a new run as in this one.
    write_article(articles_dir, "later.txt", ALONE.format(day=8))
    ingest(db_path, [str(articles_dir)], jobs=1)
    assert _names_of_article(db_path, "later.txt") == [("Martha Quill", 1)]
    analyse_archive(db_path, everything=True, jobs=1)
    assert _names_of_article(db_path, "both.txt") == [("Martha Quill", 1), ("Peter Quill", 1), ("Quill", 1)]
    assert _names_of_article(db_path, "later.txt") == [("Martha Quill", 1)]


def test_a_surname_two_people_have_is_not_joined(db_path, articles_dir):
    _write(articles_dir, FULL, "full", 5)
    _write(articles_dir, RIVAL, "rival", 3)
    _write(articles_dir, ALONE, "alone", 2)
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    [judged] = report.surnames
    assert judged.surname == "Quill" and judged.refused == "Peter Quill is in 3 articles"
    assert [(name, articles) for name, _, articles in judged.full] == [("Martha Quill", 5), ("Peter Quill", 3)]
    assert sorted(rows(db_path, "SELECT name FROM names WHERE kind = 'person'")) == [
        ("Martha Quill",), ("Peter Quill",), ("Quill",)]
    assert rows(db_path, "SELECT count(*) FROM name_aliases") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM name_redirects") == [(0,)]


def test_a_rival_named_later_refuses_a_surname_not_joined_yet(db_path, articles_dir):
    """The surname of any person an ingest saves is judged again, not only surnames alone."""
    _write(articles_dir, FULL, "full", 4)  # one article short of the rule's minimum
    _write(articles_dir, ALONE, "alone", 1)
    assert [j.refused for j in ingest(db_path, [str(articles_dir)], jobs=1).surnames] == [
        "Martha Quill is in only 4 articles"]
    _write(articles_dir, RIVAL, "rival", 3)
    write_article(articles_dir, "full5.txt", FULL.format(day=5))
    assert [j.refused for j in ingest(db_path, [str(articles_dir)], jobs=1).surnames] == [
        "Peter Quill is in 3 articles"]
    assert _id(db_path, "Quill") is not None


@pytest.mark.parametrize("surname, why", [
    ("Howard", "a given name"), ("Jr.", "not a surname"), ("Brasil", None), ("O'Neill", None), ("O’Neill", None),
    ("LaBonte", None)])
def test_what_looks_like_a_surname(surname, why):
    assert name_aliases._not_a_surname(surname) == why


def test_a_surname_a_letter_away_from_a_far_more_named_one_is_not_joined(db_path, articles_dir):
    """"President Regan" in an article of 1987 is a misspelling of Reagan, not Donald Regan."""
    _write(articles_dir, FULL, "full", 5)
    write_article(articles_dir, "quil.txt", ALONE.format(day=1).replace("Quill", "Quil"))
    for day in range(1, 10):
        for month in (1, 2, 3, 4, 5, 6, 7):
            write_article(articles_dir, f"many{month}{day}.txt",
                          f" date 2020-0{month}-0{day} Quil\n\nFinance Minister Anna Quil said exports rose.\n")
    report = ingest(db_path, [str(articles_dir)], jobs=2)
    assert [(j.surname, j.refused) for j in report.surnames if j.surname == "Quil"] == [
        ("Quil", None)]  # "Quil" alone is hers
    write_article(articles_dir, "quill.txt", ALONE.format(day=2))  # and "Quill" alone, a letter from it
    report = ingest(db_path, [str(articles_dir)], jobs=1)
    assert [(j.surname, j.refused) for j in report.surnames] == [
        ("Quill", "a surname one letter away is in 64 articles")]
    assert _id(db_path, "Quill") is not None


def test_an_archive_of_version_8_gets_its_surnames_joined(db_path, articles_dir, monkeypatch):
    _write(articles_dir, FULL, "full", 5)
    _write(articles_dir, ALONE, "alone", 2)
    write_article(articles_dir, "quoted.txt", QUOTED)
    with monkeypatch.context() as patched:  # as version 8 saved them: "Quill" an entry of its own
        patched.setattr(name_aliases, "MIN_FULL_ARTICLES", 1000)
        ingest(db_path, [str(articles_dir)], jobs=1)
    quill, martha = _id(db_path, "Quill"), _id(db_path, "Martha Quill")
    assert quill and _articles_of(db_path, quill) == 3
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE name_aliases")
        conn.execute("PRAGMA user_version = 8")

    upgrade(db_path)

    assert rows(db_path, "PRAGMA user_version") == [(store.SCHEMA_VERSION,)]
    assert _id(db_path, "Quill") is None and _articles_of(db_path, martha) == 8
    assert rows(db_path, "SELECT old_id, name_id FROM name_redirects") == [(quill, martha)]
    assert rows(db_path, "SELECT speaker_id FROM quotes") == [(martha,)]
    assert rows(db_path, "SELECT count(*) FROM index_queue") == [(0,)]
    assert _index_counts(db_path, [martha, quill]) == {martha: 8, quill: 0}
    # Nothing is judged twice: the next ingest of the same files leaves it as it is.
    before = _state(db_path)
    assert ingest(db_path, [str(articles_dir)], jobs=1).surnames == []
    assert _state(db_path) == before


def test_the_cli_and_the_name_page_show_the_joined_entry(db_path, articles_dir):
    import asyncio

    from news_archive.cli import cli
    from news_archive.web.app import make_datasette

    _write(articles_dir, FULL, "full", 5)
    _write(articles_dir, ALONE, "alone", 2)
    said = CliRunner().invoke(cli, ["ingest", str(articles_dir), "--db", db_path])
    assert "joined 'Quill' alone (2 articles) to Martha Quill" in said.output
    martha, [(old,)] = _id(db_path, "Martha Quill"), rows(db_path, "SELECT old_id FROM name_redirects")
    listed = CliRunner().invoke(cli, ["names", "quill", "--db", db_path])
    assert listed.output.splitlines()[0] == f"7  Martha Quill  (person, id {martha})" and "  Quill  " not in listed.output
    found = CliRunner().invoke(cli, ["search", "budget OR rates", "--name", "Quill", "--db", db_path])
    assert "'Quill' alone is counted as Martha Quill" in found.output and "of 7 matches" in found.output

    async def pages():
        datasette = make_datasette(db_path)
        await datasette.invoke_startup()
        page = await datasette.client.get(f"/name/{martha}")
        moved = await datasette.client.get(f"/name/{old}.json")
        data = await datasette.client.get(f"/name/{martha}.json")
        return page, moved, data

    page, moved, data = asyncio.run(pages())
    assert "mentioned in <strong>7</strong> articles" in page.text
    assert "Also counted here: “Quill” alone" in page.text
    assert moved.status_code == 301 and moved.headers["location"] == f"/name/{martha}.json"
    assert data.json()["surnames_alone"] == ["Quill"] and data.json()["total"] == 7


def test_analyse_joins_what_an_ingest_without_analysis_left(db_path, articles_dir):
    _write(articles_dir, FULL, "full", 5)
    _write(articles_dir, ALONE, "alone", 2)
    assert ingest(db_path, [str(articles_dir)], jobs=1, analyse=False).surnames == []
    report = analyse_archive(db_path, jobs=1)
    assert [(j.surname, j.refused) for j in report.surnames] == [("Quill", None)]
    martha = _id(db_path, "Martha Quill")
    assert _id(db_path, "Quill") is None and _articles_of(db_path, martha) == 7
    assert _index_counts(db_path, [martha]) == {martha: 7}
