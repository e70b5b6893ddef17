"""Searching the archive: ranked matches with snippets, counts, timelines and
facets, and a streaming iterator over every match for exports.

All functions take a plain ``sqlite3.Connection`` so that the CLI, the
exporter and the Datasette plugin share them.
"""

from __future__ import annotations

import calendar
import concurrent.futures
import functools
import html
import math
import re
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import date as Date
from typing import Iterator, Sequence

from . import search_index
# SORTS, the page limits, EXPORT_COLUMNS, iter_matches and clusters_of stay importable from here.
from .matches import (  # noqa: F401
    DEFAULT_PER_PAGE, EXPORT_COLUMNS, MAX_PAGE, MAX_PER_PAGE, MAX_SAMPLE, SORTS, articles_in_order, clusters_of,
    filters, first_versions, iter_matches, order_by, past_the_last, sample_ids,
)
from .query import Query, parse_query
from .store import fts_has_positions

# An archive made before version 7, not yet upgraded, has a full-text index without word positions.
PHRASE_FALLBACK_NOTE = ("this archive's full-text index predates phrases (an ingest or `serve` brings it up to date):"
                        " the words of a phrase are matched anywhere in the article")
# Sentinels that cannot occur in article text (control characters are not
# kept in snippets); swapped for markup only after the text is escaped.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 32
NAME_FACET_SIZE = 15
# Above this many matches, name facet counts are estimated from a slice of them
# (1 in 2, 4, 8 or 16) that holds at least NAME_FACET_SAMPLE_SIZE matches. On the
# 1M-article benchmark a search of 9,300 matches counted its names in 7.8 ms
# exactly and in 3.5 ms from 1 in 8, with the same top names give or take one.
NAME_FACET_EXACT_LIMIT = 2_000
NAME_FACET_SAMPLE_SIZE = 1_000
# Snippets are looked for in the first this many characters of a body: a
# 50 MB article must not make a search scan (and mark) all of it.
SNIPPET_SCAN_CHARS = 100_000
# Later versions of a story (a near-duplicate cluster) are left out of the results
# in favour of its best-ranked version, across pages, among the first this many
# matches: page 2 does not repeat a story of page 1. Deeper matches are folded
# within their page only. Looking at 2,000 matches costs about 1 ms at 1M articles
# (bench/work, in-process), and it lets page 1 know how many pages there are.
FOLD_DEPTH = 2_000


@dataclass(frozen=True)
class Hit:
    id: int
    date: str
    headline: str
    source: str
    snippet: str  # raw text with MARK_START / MARK_END around matches
    similar_versions: int = 0  # near-duplicates of this article (other versions of the story)
    cluster_id: int | None = None

    def snippet_html(self) -> str:
        return marked_html(self.snippet)

    def snippet_text(self, start: str = "[", end: str = "]") -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)


@dataclass
class SearchResult:
    query: Query
    since: str | None
    until: str | None
    sort: str
    page: int
    per_page: int
    total: int
    hits: list[Hit]
    timeline_unit: str = "month"
    timeline: list[dict] = field(default_factory=list)  # {"period", "count", "all"}
    facets: dict[str, list[dict]] = field(default_factory=dict)  # {"year": [{"value", "count"}], ...}
    names: tuple[int, ...] = ()  # only articles mentioning all of these (name ids)
    folded: int = 0  # matches in this page's span left out because a version of the same story ranks higher
    # Results after folding: the first FOLD_DEPTH matches less their later versions, plus every
    # deeper match (None without the ranked index, which folds within each page only).
    stories: int | None = None
    names_sample: int = 0  # when set, name facet counts are estimates from 1 in this many matches
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        shown = self.total if self.stories is None else self.stories
        return max(1, math.ceil(shown / self.per_page))


def marked_html(snippet: str) -> str:
    """Escape untrusted text, then turn the match sentinels into ``<mark>``."""
    return (
        html.escape(_strip_controls(snippet), quote=True)
        .replace(MARK_START, "<mark>")
        .replace(MARK_END, "</mark>")
    )


_CONTROLS = re.compile(r"[\x00\x01\x04-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def search(
    conn: sqlite3.Connection,
    q: str | Query | None,
    *,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    with_timeline: bool = True,
    with_facets: bool = True,
    index: "search_index.SearchIndex | None" = None,
    names: Sequence[int] = (),
) -> SearchResult:
    """One page of results, with the total and (optionally) timeline and facets.

    With a ranked search ``index`` (tantivy), ranking, counting and histograms
    happen there and SQLite supplies the rows; without one, FTS5 does it all."""
    query = q if isinstance(q, Query) else parse_query(q)
    sort = sort if sort in SORTS else "relevance"
    if sort == "relevance" and query.is_empty:
        sort = "newest"  # nothing to rank: the newest first, and the page says so
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    page = min(max(1, page), MAX_PAGE)
    result = SearchResult(query, since, until, sort, page, per_page, 0, [], notes=list(query.notes),
                          names=tuple(names))
    if query.is_empty and query.text.strip():
        # The user typed something, but nothing in it can be searched for: nothing matched, said in
        # the shape of any answer without matches.
        result.stories, result.facets = 0, _no_facets() if with_facets else {}
        _clamp_page(result)
        return result
    if index is not None:
        _search_ranked(conn, index, result, with_timeline=with_timeline, with_facets=with_facets)
        if with_facets and not result.facets:  # nothing matched: the facets' keys all the same, as SQLite's
            result.facets = _no_facets()
        _clamp_page(result)  # done already, unless nothing could match
        return _fold_versions(conn, result)
    if query.has_phrases and not fts_has_positions(conn):
        result.notes.append(PHRASE_FALLBACK_NOTE)
    source, where, args = filters(conn, query, since, until, names=result.names)
    result.total = conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", args).fetchone()[0]
    page = _clamp_page(result)
    marked_body = "highlight(articles_fts, 1, char(2), char(3))" if not query.is_empty else "a.body"
    rows = conn.execute(
        f"SELECT a.id, a.date, a.headline, a.source, {marked_body} FROM {source} WHERE {where}"
        f" ORDER BY {order_by(query, sort)} LIMIT ? OFFSET ?",
        [*args, per_page, (page - 1) * per_page],
    )
    result.hits = [Hit(id_, date, headline, src, make_snippet(body, headline)) for id_, date, headline, src, body in rows]
    if with_timeline:
        result.timeline_unit, result.timeline = timeline(conn, query, since, until, total=result.total,
                                                         names=result.names)
    if with_facets:
        result.facets = facets(conn, query, since, until, names=result.names)
    return _fold_versions(conn, result)


def _no_facets() -> dict[str, list]:
    return {"year": [], "month": [], "names": []}


def _clamp_page(result: SearchResult) -> int:
    """A page past the last is the last, with a note saying so (page 1 when nothing matched)."""
    last = result.pages
    if result.page > last:
        result.notes.append(past_the_last(last, "results"))
        result.page = last
    return result.page


def _search_ranked(conn, index, result: SearchResult, *, with_timeline: bool, with_facets: bool) -> SearchResult:
    query, since, until = result.query, result.since, result.until
    tq = search_index.to_tantivy(index, query, since, until, result.names)
    if tq is None:
        return result
    sort = result.sort if (result.sort != "relevance" or not query.is_empty) else "newest"
    # The aggregation over every match (span, months) runs on another thread while this one
    # ranks, reads rows and cuts snippets: tantivy releases the GIL, so on two cores a search
    # of 100,000 matches takes the longer of the two, not their sum.
    pending = _AGGREGATING.submit(_aggregate, index, tq, with_facets) if (with_timeline or with_facets) else None
    try:
        ids = _story_page(conn, index, tq, sort, result, pending)
        rows = fetch_rows(conn, ids, "id, date, headline, source, body")
        pattern = search_index.highlighter(index, query)
        result.hits = [Hit(r[0], r[1], r[2], r[3], window_snippet(r[4], r[2], pattern)) for r in rows]
    finally:
        summary = pending.result() if pending is not None else None
    if summary is None:
        return result
    result.total = summary["count"]
    if not result.total:
        return result
    archive_first, archive_last = archive_span(conn)
    if since or until:
        first, last = max(since or archive_first, archive_first), min(until or archive_last, archive_last)
    else:
        first, last = summary["first"], summary["last"]
    unit = timeline_unit(first, last)
    months = summary["months"]
    years = search_index.years_of(months)
    counts = ranked_counts(index, tq, unit, months)
    if with_timeline:
        result.timeline_unit = unit
        result.timeline = _timeline_points(
            counts, unit, since, until, archive_first, archive_last, all_counts(conn, index, unit),
        )
    if with_facets:
        result.facets = {
            "year": [{"value": y, "count": n} for y, n in years.items()],
            "month": [{"value": m, "count": months[m]} for m in sorted(months)],
        }
        result.facets["names"] = name_facets(conn, summary["names"])
        result.names_sample = summary["names_sampled"]
    return result


def _aggregate(index, tq, with_names: bool) -> dict:
    """First and last day, matches per month and (``with_names``) the most mentioned names."""
    summary = search_index.overview(index, tq)
    summary["names"], summary["names_sampled"] = [], 0
    if with_names:
        one_in = name_sample_rate(summary["count"])
        if one_in == 1:
            summary["names"] = search_index.top_names(index, tq, NAME_FACET_SIZE)
        else:
            # Counting names over many thousands of matches costs more than the search
            # itself: count them in a slice of the matches and scale up.
            summary["names"] = search_index.sampled_names(index, tq, NAME_FACET_SIZE, one_in)
            summary["names_sampled"] = one_in
    return summary


def name_sample_rate(matches: int) -> int:
    """Name facets are counted in 1 in this many of the matches (1: all of them)."""
    if matches <= NAME_FACET_EXACT_LIMIT:
        return 1
    one_in = 2
    while one_in < search_index.SAMPLE_SLICES and matches // (2 * one_in) >= NAME_FACET_SAMPLE_SIZE:
        one_in *= 2
    return one_in


# Threads for the aggregations that run beside a search (see _search_ranked).
_AGGREGATING = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="news-archive-aggregate")


def name_facets(conn: sqlite3.Connection, counted: list[tuple[int, int]]) -> list[dict]:
    """(name id, articles) pairs as facet entries with the names' text and kind."""
    if not counted:
        return []
    ids = [name_id for name_id, _ in counted]
    known = {i: (n, k) for i, n, k in conn.execute(
        f"SELECT id, name, kind FROM names WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    return [{"value": i, "name": known[i][0], "kind": known[i][1], "count": n} for i, n in counted if i in known]


def _story_page(conn: sqlite3.Connection, index, tq, sort: str, result: SearchResult, pending) -> list[int]:
    """The ids of one page of results: matches in rank order, where among the first
    FOLD_DEPTH matches each story's later versions are left out (so page 2 does not
    repeat a story of page 1) and deeper matches follow one by one. Sets the total,
    the number of results (so that every page agrees on how many pages there are),
    the folded count of the page's span, and clamps the page to the last one.
    ``pending`` is the aggregation counting the matches, if one runs."""
    total, ids = search_index.top_ids(index, tq, sort=sort, limit=FOLD_DEPTH, offset=0, count=pending is None)
    stories, folded_by_position, folded = first_versions(ids, clusters_of(conn, ids))
    if len(ids) < FOLD_DEPTH:
        total = len(ids)  # every match was looked at
    elif total is None:
        total = pending.result()["count"]  # the aggregation counts them anyway
    result.total = total
    deeper = max(0, total - len(ids))
    result.stories = len(stories) + deeper
    _clamp_page(result)
    start = (result.page - 1) * result.per_page
    page = stories[start : start + result.per_page]
    if page:
        # The versions left out among the matches this page spans (up to the next page's first story).
        end = start + len(page)
        result.folded = (folded if end >= len(stories) else folded_by_position[end]) - folded_by_position[start]
    wanted = result.per_page - len(page)
    if wanted and deeper:
        # Past the folded matches: the matches after them, in rank order.
        offset = len(ids) + max(0, start - len(stories))
        page += search_index.top_ids(index, tq, sort=sort, limit=wanted, offset=offset, count=False)[1]
    return page


def _fold_versions(conn: sqlite3.Connection, result: SearchResult) -> SearchResult:
    """Mark each hit with how many other versions of its story there are, and
    fold later versions on the same page into the first one shown (ranked
    pages arrive folded already, see _story_page)."""
    if not result.hits:
        return result
    clusters = clusters_of(conn, [hit.id for hit in result.hits])
    kept, _, folded = first_versions([hit.id for hit in result.hits], clusters)
    result.folded += folded
    by_id = {hit.id: hit for hit in result.hits}
    result.hits = []
    for article_id in kept:
        cluster_id, size = clusters.get(article_id, (None, 1))
        result.hits.append(replace(by_id[article_id], similar_versions=size - 1, cluster_id=cluster_id))
    return result


def fetch_rows(conn: sqlite3.Connection, ids: list[int], columns: str) -> list[tuple]:
    """Rows of ``articles`` for ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    by_id = {row[0]: row for row in conn.execute(f"SELECT {columns} FROM articles WHERE id IN ({marks})", ids)}
    return [by_id[i] for i in ids if i in by_id]


def archive_span(conn: sqlite3.Connection) -> tuple[str, str]:
    """The first and last date in the archive (two index look-ups)."""
    first = conn.execute("SELECT date FROM articles ORDER BY date LIMIT 1").fetchone()
    last = conn.execute("SELECT date FROM articles ORDER BY date DESC LIMIT 1").fetchone()
    return (first[0], last[0]) if first else ("", "")


_ALL_COUNTS_CACHE: dict[tuple, dict[str, int]] = {}


def _all_counts_ranked(index, unit: str, low: str, high: str) -> dict[str, int]:
    """Articles per period in the whole archive: the denominator of shares. Cached per index commit."""
    key = (str(index.path), index.generation(), unit, low, high)
    if key not in _ALL_COUNTS_CACHE:
        if len(_ALL_COUNTS_CACHE) > 256:
            _ALL_COUNTS_CACHE.clear()
        everything = search_index.to_tantivy(index, parse_query(""), low, high)
        _ALL_COUNTS_CACHE[key] = search_index.histogram(index, everything, unit)
    return _ALL_COUNTS_CACHE[key]


SNIPPET_CHARS = 220


def window_snippet(body: str, headline: str, pattern, size: int = SNIPPET_CHARS) -> str:
    """The passage of about ``size`` characters with the most matches of
    ``pattern``, with the matches marked. The text is scanned once.

    A first paragraph that repeats the headline is skipped when the matches
    are also elsewhere, so the snippet adds to the headline."""
    text = body[:SNIPPET_SCAN_CHARS]
    spans = [m.span() for m in pattern.finditer(text)] if pattern is not None else []
    floor = 0
    first_break = text.find("\n\n")
    if first_break != -1 and " ".join(text[:first_break].split()) == " ".join(headline.split()):
        if not spans or spans[-1][0] > first_break:  # matches beyond the headline, or none at all
            floor = first_break + 2
            spans = [span for span in spans if span[0] >= floor]
    start = floor
    if spans:
        start = max(floor, _best_window_start(text, spans, size - size // 4) - size // 4)
        if start > floor:  # begin at a word
            space = text.rfind(" ", floor, start)
            start = space + 1 if space > start - 30 else start
    end = min(len(text), start + size)
    if end < len(text):  # end at a word
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    pieces, last = [], start
    for s, e in spans:
        if s >= end:
            break
        if e <= start:
            continue
        s, e = max(s, start), min(e, end)
        pieces += [text[last:s], MARK_START, text[s:e], MARK_END]
        last = e
    pieces.append(text[last:end])
    window = " ".join("".join(pieces).split())
    return ("… " if start > floor else "") + window + (" …" if end < len(text) else "")


def _best_window_start(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Where the ``width`` characters holding the most different matched
    words begin (then the most matches): for `dillon divorce` a passage with
    both words beats one that names Dillon three times. Two pointers, one pass."""
    words = [text[s:e].lower() for s, e in spans]
    seen: dict[str, int] = {}
    best, best_score, end = spans[0][0], (0, 0), 0
    for i, (position, _) in enumerate(spans):
        while end < len(spans) and spans[end][0] < position + width:
            seen[words[end]] = seen.get(words[end], 0) + 1
            end += 1
        score = (len(seen), end - i)
        if score > best_score:
            best, best_score = position, score
        left = seen[words[i]] - 1
        if left:
            seen[words[i]] = left
        else:
            del seen[words[i]]
    return best


_MARKED = MARK_START + r"\g<0>" + MARK_END


def make_snippet(marked_body: str, headline: str, words: int = SNIPPET_WORDS) -> str:
    """The passage of a body with the most matches, about ``words`` words long.

    ``marked_body`` has matches wrapped in MARK_START/MARK_END. A first
    paragraph that repeats the headline is skipped when the matches are also
    elsewhere, so the snippet adds to the headline instead of repeating it.
    """
    paragraphs = marked_body[:SNIPPET_SCAN_CHARS].split("\n\n", 1)
    if len(paragraphs) == 2:
        first = " ".join(paragraphs[0].replace(MARK_START, "").replace(MARK_END, "").split())
        if first == " ".join(headline.split()) and (MARK_START in paragraphs[1] or MARK_START not in paragraphs[0]):
            marked_body = paragraphs[1]
    tokens = marked_body[:SNIPPET_SCAN_CHARS].split()
    if not tokens:
        return ""
    hits = [i for i, token in enumerate(tokens) if MARK_START in token]
    start = 0
    if hits:
        lead = words // 4
        # The window starting at the hit with the most hits in it; a sliding end keeps this linear.
        best, best_count, after = hits[0], 0, 0
        for n, i in enumerate(hits):
            while after < len(hits) and hits[after] < i + words - lead:
                after += 1
            if after - n > best_count:
                best, best_count = i, after - n
        start = max(0, best - lead)
    end = min(len(tokens), start + words)
    start = max(0, min(start, end - words))
    window = " ".join(tokens[start:end])
    # A cut can fall inside a marked phrase: close or reopen the mark.
    if window.find(MARK_END) != -1 and (window.find(MARK_START) == -1 or window.find(MARK_END) < window.find(MARK_START)):
        window = MARK_START + window
    if window.count(MARK_START) > window.count(MARK_END):
        window += MARK_END
    return ("… " if start > 0 else "") + window + (" …" if end < len(tokens) else "")


def count(conn: sqlite3.Connection, q: str | Query | None, since: str | None = None, until: str | None = None) -> int:
    query = q if isinstance(q, Query) else parse_query(q)
    source, where, args = filters(conn, query, since, until)
    return conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", args).fetchone()[0]


# --- timelines and facets ----------------------------------------------------------

_BUCKETS = {
    "day": "a.date",
    "week": "date(a.date, '-6 days', 'weekday 1')",  # the Monday that starts the week
    "month": "a.month",
    "year": "CAST(a.year AS TEXT)",
}


def timeline_unit(first: str | None, last: str | None) -> str:
    """Days for a short range, weeks for a medium one, months for up to twenty
    years (240 bars), years beyond."""
    if not first or not last:
        return "month"
    days = (Date.fromisoformat(last) - Date.fromisoformat(first)).days
    if days <= 92:
        return "day"
    if days <= 2 * 366:
        return "week"
    if days <= 20 * 366:
        return "month"
    return "year"


def timeline(
    conn: sqlite3.Connection,
    query: Query,
    since: str | None,
    until: str | None,
    *,
    unit: str | None = None,
    total: int | None = None,
    names: Sequence[int] = (),
) -> tuple[str, list[dict]]:
    """Matches per period, with every period between the first and last match
    present (zero where nothing matched) and the number of all articles in it,
    so that a chart can show counts or shares."""
    if unit is None:
        source, where, args = filters(conn, query, since, until, names=names)
        first, last = conn.execute(f"SELECT min(a.date), max(a.date) FROM {source} WHERE {where}", args).fetchone()
        unit = timeline_unit(since or first, until or last) if first else "month"
    counts = period_counts(conn, query, since, until, unit, names)
    archive_first, archive_last = archive_span(conn)
    return unit, _timeline_points(counts, unit, since, until, archive_first, archive_last, all_counts(conn, None, unit))


def period_counts(conn: sqlite3.Connection, query: Query, since, until, unit: str,
                  names: Sequence[int] = ()) -> dict[str, int]:
    """Matches per day, week, month or year, from SQLite."""
    source, where, args = filters(conn, query, since, until, names=names)
    return dict(conn.execute(f"SELECT {_BUCKETS[unit]} AS p, count(*) FROM {source} WHERE {where} GROUP BY p", args))


def ranked_counts(index, tq, unit: str, months: dict[str, int] | None = None) -> dict[str, int]:
    """Matches per day, week, month or year, from the ranked index: months and years from the matches
    per month its overview counted already (``months``), days and weeks from a histogram."""
    if months is not None and unit == "month":
        return months
    if months is not None and unit == "year":
        return search_index.years_of(months)
    return search_index.histogram(index, tq, unit)


def _timeline_points(counts: dict[str, int], unit: str, since, until, archive_first: str, archive_last: str,
                     all_counts) -> list[dict]:
    """Every period from the first to the last (zeros included), with matches and all articles in each.
    A chosen date range is shown whole, as far as the archive reaches, not only where matches fall."""
    periods = timeline_periods(counts, unit, since, until, archive_first, archive_last)
    if not periods:
        return []
    everything = all_counts_of(periods, unit, since, until, all_counts)
    return [{"period": p, "count": counts.get(p, 0), "all": everything.get(p, 0)} for p in periods]


def timeline_periods(matched, unit: str, since, until, archive_first: str, archive_last: str) -> list[str]:
    """Every period from the first to the last of ``matched`` (the periods that hold matches), widened
    to a chosen date range as far as the archive reaches; none when nothing matched."""
    if not matched:
        return []
    ends = sorted(matched)
    if since and since > archive_first:
        ends.insert(0, bucket_of(unit, since))
    if until and until < archive_last:
        ends.append(bucket_of(unit, until))
    return _fill(sorted(ends), unit)


def all_counts_of(periods: list[str], unit: str, since, until, all_counts) -> dict[str, int]:
    """All articles in each of ``periods``, of the dates searched only: a week or month cut by the
    range is cut here too, or its share would be of articles the search could not match."""
    low, high = _period_range(unit, periods[0], periods[-1])
    return all_counts(max(low, since or low), min(high, until or high))


def all_counts(conn: sqlite3.Connection, index, unit: str):
    """A function (low, high) -> all articles per period between two days: the ranked index's
    when there is one, SQLite's otherwise."""
    if index is not None:
        return lambda low, high: _all_counts_ranked(index, unit, low, high)
    return lambda low, high: _all_counts(conn, unit, low, high)


def bucket_of(unit: str, day: str) -> str:
    """The period key that the ISO date ``day`` falls in."""
    if unit == "day":
        return day
    if unit == "week":
        start = Date.fromisoformat(day)
        return Date.fromordinal(start.toordinal() - start.weekday()).isoformat()
    if unit == "month":
        return day[:7]
    return day[:4]


def _all_counts(conn: sqlite3.Connection, unit: str, low: str, high: str) -> dict[str, int]:
    bucket = _BUCKETS[unit]
    return dict(
        conn.execute(
            f"SELECT {bucket} AS p, count(*) FROM articles a WHERE a.duplicate_of IS NULL"
            " AND a.date BETWEEN ? AND ? GROUP BY p",
            (low, high),
        )
    )


def _period_range(unit: str, first: str, last: str) -> tuple[str, str]:
    if unit == "year":
        return f"{first}-01-01", f"{last}-12-31"
    if unit == "month":
        year, month = int(last[:4]), int(last[5:7])
        return f"{first}-01", f"{last}-{calendar.monthrange(year, month)[1]:02d}"
    if unit == "week":
        end = Date.fromordinal(Date.fromisoformat(last).toordinal() + 6)
        return first, end.isoformat()
    return first, last


def _fill(periods: list[str], unit: str) -> list[str]:
    """Every period from the first to the last, so gaps show as zero."""
    return list(_periods_between(periods[0], periods[-1], unit)) or periods


@functools.lru_cache(maxsize=1024)
def _periods_between(first: str, last: str, unit: str) -> tuple[str, ...]:
    """Cached: a long timeline (50 years of months) took 2 ms to spell out on every search."""
    if unit == "year":
        return tuple(str(y) for y in range(int(first), int(last) + 1))
    if unit == "month":
        out, (y, m) = [], (int(first[:4]), int(first[5:7]))
        while f"{y:04d}-{m:02d}" <= last:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)
    step = 7 if unit == "week" else 1
    start, end = Date.fromisoformat(first).toordinal(), Date.fromisoformat(last).toordinal()
    if (end - start) // step > 5000:  # a pathological range: show only what matched
        return ()
    return tuple(Date.fromordinal(d).isoformat() for d in range(start, end + 1, step))


def facets(conn: sqlite3.Connection, query: Query, since: str | None, until: str | None,
           names: Sequence[int] = ()) -> dict[str, list[dict]]:
    """Counts of matches per year and per month, in date order, and the names most mentioned."""
    source, where, args = filters(conn, query, since, until, names=names)
    by_month = conn.execute(
        f"SELECT a.month, count(*) FROM {source} WHERE {where} GROUP BY a.month ORDER BY a.month", args
    ).fetchall()
    by_year: dict[str, int] = {}
    for month, n in by_month:
        by_year[month[:4]] = by_year.get(month[:4], 0) + n
    top = conn.execute(
        f"SELECT n.name_id, count(*) AS c FROM article_names n WHERE n.article_id IN"
        f" (SELECT a.id FROM {source} WHERE {where}) GROUP BY n.name_id ORDER BY c DESC, n.name_id LIMIT 15",
        args,
    ).fetchall()
    return {
        "year": [{"value": y, "count": n} for y, n in by_year.items()],
        "month": [{"value": m, "count": n} for m, n in by_month],
        "names": name_facets(conn, top),
    }
