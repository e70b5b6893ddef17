"""Several searches on one timeline: how often each matched, period by period.

What a researcher asks of a news archive when following attention over time
("oil" against "gold", "Reagan" against "Gorbachev"): one series per search, on
the same periods, with the number of all articles in each period so that the
series can be read as shares of the coverage rather than raw counts, which
follow the archive's own ups and downs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date as Date

from . import search_index
from .matches import filters
from .query import Query, parse_query
from .search import (all_counts, all_counts_of, archive_span, bucket_of, period_counts, ranked_counts,
                     timeline_periods, timeline_unit)

MAX_SERIES = 6
UNITS = ("day", "week", "month", "year")
# A chart of more periods than this is unreadable, and a table of them is a wall: a unit
# asked for that would give more is replaced by the one chosen for the dates.
MAX_PERIODS = 1_000


@dataclass
class Series:
    text: str  # the search as typed, or the name whose mentions are counted
    query: Query
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    name: dict | None = None  # {"id", "name", "kind"}: the articles that mention it, not a search of words

    @property
    def names(self) -> list[int]:
        return [self.name["id"]] if self.name else []

    @property
    def heading(self) -> str:
        """Its column's heading in a table: the search, or the name with its kind ("Paul Volcker (person)")."""
        return f"{self.text} ({self.name['kind']})" if self.name else self.text

    def as_json(self) -> dict:
        return {"query": None if self.name else self.text, "understood": None if self.name else self.query.describe(),
                "name": self.name, "total": self.total}


@dataclass
class Comparison:
    since: str | None
    until: str | None
    unit: str
    series: list[Series]
    # One entry per period: {"period", "all", "counts": [matches of each series, in order]}.
    points: list[dict]
    notes: list[str]
    # What was asked for and not done as asked (a search left out, another unit): also in ``notes``.
    # A file of the comparison, kept and read unattended, is refused rather than made without it.
    not_as_asked: list[str] = field(default_factory=list)


def read_searches(texts: list[str]) -> tuple[list[str], list[str]]:
    """The searches to compare, as typed, without blanks and repeats, and notes on the repeats."""
    kept: list[str] = []
    notes: list[str] = []
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        if text.lower() in (k.lower() for k in kept):
            notes.append(f"{text!r} was asked for twice: it is compared once")
        else:
            kept.append(text)
    return kept, notes


def compare(
    conn: sqlite3.Connection,
    texts: list[str],
    *,
    since: str | None = None,
    until: str | None = None,
    unit: str | None = None,
    index: "search_index.SearchIndex | None" = None,
    names: list[dict] = (),
) -> Comparison:
    """Matches of each search, then the articles mentioning each of ``names`` (as
    browse.resolve_names gives them), per period over the same periods. ``unit`` (day, week,
    month or year) is chosen from the dates when not given, as a search's timeline does."""
    kept, notes = read_searches(texts)
    not_as_asked: list[str] = []

    def not_done(note: str) -> None:
        notes.append(note)
        not_as_asked.append(note)

    series = []
    for text in kept:
        one = Series(text, parse_query(text))
        if one.query.is_empty:
            why = "; ".join(one.query.notes) or "there is nothing to search for in it"
            not_done(f"{text!r} was left out: {why}")
            continue
        if len(series) == MAX_SERIES:
            not_done(f"{text!r} is one search more than the {MAX_SERIES} that can be compared, so it was left out")
            continue
        notes += [f"{text!r}: {note}" for note in one.query.notes]
        series.append(one)
    for name in names:
        if any(one.name and one.name["id"] == name["id"] for one in series):
            continue
        if len(series) == MAX_SERIES:
            not_done(f"{name['name']} is one more than the {MAX_SERIES} that can be compared, so it was left out")
            continue
        series.append(Series(name["name"], Query(""), name=name))
    spans = [_span(conn, index, one, since, until) for one in series]
    found = [span for span in spans if span is not None]
    archive_first, archive_last = archive_span(conn)
    if not archive_first:  # an empty archive: nothing to count, whatever the dates
        first = last = None
    elif since or until:
        first = max(since or archive_first, archive_first)
        last = min(until or archive_last, archive_last)
    elif found:
        first, last = min(span[0] for span in found), max(span[1] for span in found)
    elif series:
        first, last = archive_first, archive_last
    else:
        first = last = None
    automatic = timeline_unit(first, last)
    if unit is not None and unit not in UNITS:
        not_done(f"the unit {unit[:20]!r} is not one of {', '.join(UNITS)}: counted per {automatic}")
        unit = None
    elif unit is not None and first and _too_many_periods(first, last, unit):
        not_done(f"per {unit} these dates make more than {MAX_PERIODS:,} periods: counted per {automatic}")
        unit = None
    unit = unit or automatic
    for one, span in zip(series, spans):
        if span is not None:
            one.total = span[2]
            one.counts = _counts(conn, index, one, since, until, unit, span[3])
    matched = {period for one in series for period in one.counts}
    if series and first and first <= last and not matched:
        # Nothing matched: every period of the dates (of the archive, without dates) with its zeros,
        # which is a finding too.
        matched = {bucket_of(unit, first), bucket_of(unit, last)}
    periods = timeline_periods(matched, unit, since, until, archive_first, archive_last)
    points = []
    if periods:
        everything = all_counts_of(periods, unit, since, until, all_counts(conn, index, unit))
        points = [{"period": p, "all": everything.get(p, 0), "counts": [one.counts.get(p, 0) for one in series]}
                  for p in periods]
    return Comparison(since, until, unit, series, points, notes, not_as_asked)


def _too_many_periods(first: str, last: str, unit: str) -> bool:
    if unit == "year":
        periods = int(last[:4]) - int(first[:4]) + 1
    elif unit == "month":
        periods = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    else:
        days = (Date.fromisoformat(last) - Date.fromisoformat(first)).days + 1
        periods = days // 7 + 1 if unit == "week" else days
    return periods > MAX_PERIODS


def _span(conn, index, one: Series, since, until) -> tuple[str, str, int, dict | None] | None:
    """The first and last day the search matches, how many articles, and (from the ranked
    index, which counts them in the same pass) its matches per month; None for no match."""
    if index is not None:
        tq = search_index.to_tantivy(index, one.query, since, until, one.names)
        if tq is None:
            return None
        summary = search_index.overview(index, tq)
        if not summary["count"]:
            return None
        return summary["first"], summary["last"], summary["count"], summary["months"]
    source, where, args = filters(conn, one.query, since, until, names=one.names)
    first, last, count = conn.execute(f"SELECT min(a.date), max(a.date), count(*) FROM {source} WHERE {where}",
                                      args).fetchone()
    return (first, last, count, None) if count else None


def _counts(conn, index, one: Series, since, until, unit: str, months: dict | None) -> dict[str, int]:
    if index is not None:
        return ranked_counts(index, search_index.to_tantivy(index, one.query, since, until, one.names), unit, months)
    return period_counts(conn, one.query, since, until, unit, one.names)
