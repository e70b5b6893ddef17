"""Every match of a query straight from SQLite: the filters and orders that results,
counts, timelines and exports share, and a stream of every matching article.

Kept apart from :mod:`news_archive.search` so that an export, which needs no ranked
index, starts without importing tantivy and the snippet machinery (the command line
starts about 0.05 s sooner).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from .query import Query, parse_query

if TYPE_CHECKING:
    from .search_index import SearchIndex

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Deeper pages are not served: an offset of millions makes the ranked index
# allocate for every skipped hit (and aborted the process beyond ~10^10).
MAX_PAGE = 10_000
# Headline matches count more than body matches.
BM25 = "bm25(articles_fts, 4.0, 1.0)"


def past_the_last(last: int, what: str = "") -> str:
    """The note for a page asked for past the ``last`` one, which is shown instead."""
    pages = f"{last} page{'s' * (last != 1)}{' of ' + what if what else ''}"
    return f"there {'is' if last == 1 else 'are'} only {pages}: showing the last"


# --- versions of a story (near-duplicate clusters), listed once -------------------------


def first_versions(ids: Sequence[int], clusters: dict[int, tuple[int, int]]) -> tuple[list[int], list[int], int]:
    """``ids`` in order with each story's later versions left out; for each id kept, how
    many versions were left out before it; and how many were left out in all."""
    kept: list[int] = []
    folded_before: list[int] = []
    shown: set[int] = set()
    folded = 0
    for article_id in ids:
        cluster = clusters.get(article_id)
        if cluster is not None:
            if cluster[0] in shown:
                folded += 1
                continue
            shown.add(cluster[0])
        kept.append(article_id)
        folded_before.append(folded)
    return kept, folded_before, folded


def clusters_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """article id -> (its story's cluster id, versions in the cluster), for the ids in a cluster."""
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 500):
        part = list(ids[start : start + 500])
        found.update((a, (c, size)) for a, c, size in conn.execute(
            f"SELECT article_id, cluster_id, size FROM clusters WHERE article_id IN ({', '.join('?' * len(part))})",
            part))
    return found



def date_conditions(since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """WHERE conditions (and their arguments) on the dates of articles ``a``: from ``since`` to ``until``."""
    conditions, args = [], []
    if since:
        conditions.append("a.date >= ?")
        args.append(since)
    if until:
        conditions.append("a.date <= ?")
        args.append(until)
    return conditions, args


def filters(
    conn: sqlite3.Connection, query: Query, since: str | None, until: str | None, *, include_duplicates: bool = False,
    names: Sequence[int] = (),
) -> tuple[str, str, list]:
    """FROM and WHERE clauses shared by results, counts, timelines and exports.
    Exact duplicates are left out unless asked for: their first copy stands for them.
    Phrases are phrases, except in an archive not yet upgraded whose index has no word
    positions: there a phrase's words must all match, anywhere."""
    from .store import fts_has_positions

    where = [] if include_duplicates else ["a.duplicate_of IS NULL"]
    args: list = []
    expression = query.fts(phrases=fts_has_positions(conn))
    if expression:
        source = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        where.insert(0, "articles_fts MATCH ?")
        args.append(expression)
    else:
        source = "articles a"
    dated, bounds = date_conditions(since, until)
    where += dated
    args += bounds
    for name_id in names:
        where.append("EXISTS (SELECT 1 FROM article_names n WHERE n.article_id = a.id AND n.name_id = ?)")
        args.append(name_id)
    return source, " AND ".join(where) or "1", args


def order_by(query: Query, sort: str) -> str:
    if sort == "relevance" and not query.is_empty:
        return f"{BM25}, a.date DESC"
    if sort == "oldest":
        return "a.date ASC, a.id ASC"
    return "a.date DESC, a.id DESC"


EXPORT_COLUMNS = (
    "id", "source", "date", "headline", "body", "paragraphs", "words", "sha256", "ingested_at", "updated_at",
    "duplicate_of",
)


def iter_matches(
    conn: sqlite3.Connection,
    q: str | Query | None,
    *,
    since: str | None = None,
    until: str | None = None,
    sort: str = "oldest",
    include_duplicates: bool = False,
    index: SearchIndex | None = None,
    as_json: bool = False,
    names: Sequence[int] = (),
) -> Iterator[dict] | Iterator[str]:
    """Every matching article with all its stored fields, one at a time: dicts,
    or with ``as_json`` JSON objects as text, built by SQLite (several times
    faster than encoding in Python, which matters for a million articles).
    ``names``: only articles that mention every one of these name ids.

    ``sort`` is "oldest", "newest" or "relevance": best first, in the order the
    search page ranks them (BM25 without the ranked index); with no query there is
    nothing to rank and "relevance" gives the newest first. Every match is given:
    versions of a story are not folded as on the search page.

    With a ranked search index the matches are the ones the search page counts;
    without one (or with no query) they come straight from SQLite. ``include_duplicates``
    adds each match's exact copies (the same bytes match the same words): right after it
    by relevance, by date and id among the matches otherwise."""
    query = q if isinstance(q, Query) else parse_query(q)
    if query.is_empty and query.text.strip():
        return
    columns = _JSON_OBJECT if as_json else ", ".join(f"a.{c}" for c in EXPORT_COLUMNS)
    if index is not None and not query.is_empty:
        from . import search_index  # already imported by whoever opened the index

        tq = search_index.to_tantivy(index, query, since, until, names)
        if tq is None:
            return
        if sort == "relevance":
            # Best first, as the search page ranks them, a slice of the ranking at a time.
            id_lists: Iterable[list[int]] = search_index.ranked_ids(index, tq)
        else:
            id_lists = (search_index.all_ids(index, tq, sort=sort),)
        if include_duplicates:
            id_lists = _with_copies(conn, id_lists, by_date=sort != "relevance", newest=sort == "newest")
        for ids in id_lists:
            yield from articles_in_order(conn, ids, as_json=as_json)
        return
    if include_duplicates and names:
        # Copies are not analysed, so no name is found in them: they mention what their original does.
        source, where, args = filters(conn, query, since, until, names=names)
        originals = [row[0] for row in conn.execute(
            f"SELECT a.id FROM {source} WHERE {where} ORDER BY {order_by(query, sort)}", args)]
        for ids in _with_copies(conn, [originals], by_date=sort != "relevance", newest=sort == "newest"):
            yield from articles_in_order(conn, ids, as_json=as_json)
        return
    source, where, args = filters(conn, query, since, until, include_duplicates=include_duplicates, names=names)
    cursor = conn.execute(f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order_by(query, sort)}", args)
    while True:
        rows = cursor.fetchmany(1000)
        if not rows:
            return
        for row in rows:
            yield row[0] if as_json else dict(zip(EXPORT_COLUMNS, row))


def _with_copies(conn: sqlite3.Connection, id_lists: Iterable[list[int]], *, by_date: bool, newest: bool,
                 ) -> Iterator[list[int]]:
    """The ids of ``id_lists`` (originals, in order) each followed by the ids of its exact copies;
    ``by_date``: in (date, id) order (descending when ``newest``) as SQLite orders them, the
    copies of an original sharing its date. 500 originals at a time; a date that runs on past a
    slice is held back until the next, so its copies and originals are ordered together."""
    held: list[tuple[str, int]] = []
    for ids in id_lists:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join("?" * len(part))
            copies: dict[int, list[tuple[str, int]]] = {}
            for original, date, copy in conn.execute(
                    f"SELECT duplicate_of, date, id FROM articles WHERE duplicate_of IN ({marks}) ORDER BY id", part):
                copies.setdefault(original, []).append((date, copy))
            if not by_date:
                yield [i for original in part for i in (original, *(c for _, c in copies.get(original, ())))]
                continue
            dated = held + conn.execute(f"SELECT date, id FROM articles WHERE id IN ({marks})", part).fetchall()
            dated += [pair for pairs in copies.values() for pair in pairs]
            dated.sort(reverse=newest)
            last = dated[-1][0] if dated else None
            held = [pair for pair in dated if pair[0] == last]
            yield [i for date, i in dated if date != last]
    if held:
        yield [i for _, i in held]


_JSON_OBJECT = "json_object(" + ", ".join(f"'{c}', a.{c}" for c in EXPORT_COLUMNS) + ")"


def articles_in_order(conn: sqlite3.Connection, ids: Sequence[int], *, as_json: bool = False) -> Iterator:
    """The articles of ``ids`` with every exported field, in the order of ``ids``, 500 at a time."""
    columns = _JSON_OBJECT if as_json else ", ".join(f"a.{c}" for c in EXPORT_COLUMNS)
    for start in range(0, len(ids), 500):
        part = list(ids[start : start + 500])
        marks = ", ".join("?" * len(part))
        rows = conn.execute(f"SELECT a.id, {columns} FROM articles a WHERE a.id IN ({marks})", part)
        found = dict(rows) if as_json else {row[0]: row[1:] for row in rows}
        for article_id in part:
            if article_id in found:
                yield found[article_id] if as_json else dict(zip(EXPORT_COLUMNS, found[article_id]))


MAX_SAMPLE = 1_000_000


def draw(population: list[int], size: int, seed: int) -> list[int]:
    """``size`` of ``population`` drawn at random, the same for the same seed on any machine and
    Python: a partial Fisher-Yates shuffle driven by ``random()`` alone, the one part of Python's
    generator whose sequence for a seed is promised never to change (``sample`` is not)."""
    import random

    generator = random.Random(seed)
    pool = list(population)
    for i in range(min(size, len(pool))):
        j = i + int(generator.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:size]


def sample_ids(
    conn: sqlite3.Connection,
    q: str | Query | None,
    size: int,
    seed: int,
    *,
    since: str | None = None,
    until: str | None = None,
    sort: str = "oldest",
    include_duplicates: bool = False,
    index: SearchIndex | None = None,
    names: Sequence[int] = (),
) -> tuple[list[int], int]:
    """A random sample of ``size`` of the articles ``iter_matches`` gives for the same search, in
    date order (``sort`` newest: the newest first), and how many matched. The same seed draws the
    same sample from the same matches (see ``draw``)."""
    query = q if isinstance(q, Query) else parse_query(q)
    if query.is_empty and query.text.strip():
        return [], 0
    if index is not None and not query.is_empty:
        from . import search_index

        tq = search_index.to_tantivy(index, query, since, until, names)
        population = sorted(search_index.all_ids(index, tq)) if tq is not None else []
    else:
        source, where, args = filters(conn, query, since, until, names=names)
        population = [row[0] for row in conn.execute(f"SELECT a.id FROM {source} WHERE {where} ORDER BY a.id", args)]
    if include_duplicates:  # the copies of the originals that match (copies match the same words and dates)
        population = sorted(i for ids in _with_copies(conn, [population], by_date=False, newest=False) for i in ids)
    drawn = draw(population, size, seed)
    dated: list[tuple[str, int]] = []
    for start in range(0, len(drawn), 500):
        part = drawn[start : start + 500]
        marks = ", ".join("?" * len(part))
        dated += conn.execute(f"SELECT date, id FROM articles WHERE id IN ({marks})", part).fetchall()
    dated.sort(reverse=sort == "newest")
    return [article_id for _, article_id in dated], len(population)


def repeated_quotations(source: str = "quotes q", condition: str = "1", order: str = "q.id") -> str:
    """SQL of the quotations (``id``, ``speaker_id``) that repeat, word for word and by the same
    speaker, one in another version of their story, among those of ``source`` (which names the
    quotations ``q``) that meet ``condition``: every one but the first of each, the first in
    ``order``. They are listed once, under the first (the quotes page, its search, the most quoted,
    stats). Only the articles in a story (clusters) can repeat one: few of any archive's."""
    return ("SELECT id, speaker_id FROM (SELECT q.id, q.speaker_id, q.article_id, first_value(q.article_id) OVER"
            f" (PARTITION BY c.cluster_id, q.quote, q.speaker ORDER BY {order}) AS first_article"
            f" FROM {source} JOIN clusters c ON c.article_id = q.article_id WHERE {condition})"
            " WHERE article_id != first_article")
