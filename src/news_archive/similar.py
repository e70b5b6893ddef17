"""Near-duplicates: wire stories republished with small edits, found after
each ingest among the articles it added or changed.

Two articles are near-duplicates when their MinHash sketches (analysis.py,
near_duplicates.py) estimate a Jaccard similarity of at least
``near_duplicates.NEAR_DUPLICATE_THRESHOLD`` and they are dated at most
``WINDOW_DAYS`` apart: a republished story follows the original within days,
while recurring reports (the same daily market item with other figures) are
far apart and were most of the false pairs found without a window
(docs/quality.md).

Candidates come from LSH band keys, compared within a sliding window of dates,
so a whole archive is one pass over its sketches in date order. Pairs go to
``similar_articles`` (both ways); connected pairs form clusters, named after
their lowest article id, in ``clusters``. Progress is recorded in ``meta`` in
the same transaction as the pairs, so a killed run is resumed.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date as Date

import numpy as np

from . import near_duplicates

WINDOW_DAYS = 3
CHECKED_KEY = "similar_checked_to"


def _sketch_rows(conn: sqlite3.Connection, first: str, last: str) -> list[tuple[int, int, bytes]]:
    rows = conn.execute(
        "SELECT a.id, a.date, s.signature FROM articles a JOIN sketches s ON s.article_id = a.id"
        " WHERE a.date BETWEEN ? AND ? AND a.duplicate_of IS NULL",
        (first, last),
    ).fetchall()
    return [(article_id, Date.fromisoformat(day).toordinal(), signature) for article_id, day, signature in rows]


def update(conn: sqlite3.Connection) -> int:
    """Find near-duplicates of every article not yet checked; return how many pairs were added."""
    checked_to = int((conn.execute("SELECT value FROM meta WHERE key = ?", (CHECKED_KEY,)).fetchone() or ["0"])[0])
    top = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
    queued = [r[0] for r in conn.execute("SELECT id FROM similar_queue")]
    if top <= checked_to and not queued:
        return 0
    pending = {
        day: ids for day, ids in _group_by_day(conn.execute(
            "SELECT a.date, a.id FROM articles a JOIN sketches s ON s.article_id = a.id"
            " WHERE (a.id > ? OR a.id IN (SELECT id FROM similar_queue)) AND a.duplicate_of IS NULL",
            (checked_to,),
        )).items()
    }
    pairs = _find_pairs(conn, pending)
    with conn:
        conn.executemany(
            "INSERT OR REPLACE INTO similar_articles (article_id, similar_id, similarity) VALUES (?, ?, ?)",
            [(a, b, s) for a, b, s in pairs] + [(b, a, s) for a, b, s in pairs],
        )
        _rebuild_clusters(conn)
        conn.execute("DELETE FROM similar_queue")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (CHECKED_KEY, str(top)))
    return len(pairs)


def _group_by_day(rows) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for day, article_id in rows:
        grouped[Date.fromisoformat(day).toordinal()].add(article_id)
    return grouped


def _find_pairs(conn: sqlite3.Connection, pending: dict[int, set[int]]) -> list[tuple[int, int, float]]:
    """Compare each pending article with every sketched article within the window, day by day."""
    found: dict[tuple[int, int], float] = {}
    window: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # day -> ids, band keys, signatures
    for day in sorted(pending):
        for stale in [d for d in window if d < day - WINDOW_DAYS]:
            del window[stale]
        wanted = [d for d in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1) if d not in window]
        if wanted:
            _load_days(conn, window, wanted)
        days = [d for d in range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1) if window.get(d) and len(window[d][0])]
        if not days:
            continue
        ids = np.concatenate([window[d][0] for d in days])
        keys = np.concatenate([window[d][1] for d in days])
        signatures = np.concatenate([window[d][2] for d in days])
        todo = np.isin(ids, np.fromiter(pending[day], dtype=np.int64))
        for band in range(keys.shape[1]):
            order = np.argsort(keys[:, band], kind="stable")
            sorted_keys = keys[order, band]
            starts = np.searchsorted(sorted_keys, keys[todo, band], "left")
            ends = np.searchsorted(sorted_keys, keys[todo, band], "right")
            shared = (ends - starts) >= 2  # more than the article itself has this key
            for row, start, end in zip(np.flatnonzero(todo)[shared], starts[shared], ends[shared]):
                for other in order[start:end]:
                    a, b = int(ids[row]), int(ids[other])
                    if a == b:
                        continue
                    pair = (min(a, b), max(a, b))
                    if pair not in found:
                        found[pair] = float(np.mean(signatures[row] == signatures[other]))
    return [(a, b, s) for (a, b), s in sorted(found.items()) if s >= near_duplicates.NEAR_DUPLICATE_THRESHOLD]


def _load_days(conn: sqlite3.Connection, window: dict, days: list[int]) -> None:
    first, last = Date.fromordinal(min(days)).isoformat(), Date.fromordinal(max(days)).isoformat()
    by_day: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    for article_id, day, signature in _sketch_rows(conn, first, last):
        by_day[day].append((article_id, signature))
    for day in days:
        rows = by_day.get(day, [])
        if not rows:
            window[day] = (np.empty(0, np.int64), np.empty((0, near_duplicates.BANDS), np.int64),
                           np.empty((0, near_duplicates.NUM_PERM), np.uint32))
            continue
        signatures = np.frombuffer(b"".join(sig for _, sig in rows), dtype="<u4").reshape(len(rows), -1)
        keys = np.array(near_duplicates._band_key_matrix(signatures.T), dtype=np.int64)
        window[day] = (np.array([i for i, _ in rows], dtype=np.int64), keys, signatures)


def _rebuild_clusters(conn: sqlite3.Connection) -> None:
    """Connected components of the near-duplicate pairs, named after their lowest id."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in conn.execute("SELECT article_id, similar_id FROM similar_articles WHERE article_id < similar_id"):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for article_id in parent:
        members[root(article_id)].append(article_id)
    for cluster_id in list(members):
        if cluster_id not in members[cluster_id]:
            members[cluster_id].append(cluster_id)
    conn.execute("DELETE FROM clusters")
    conn.executemany(
        "INSERT INTO clusters (article_id, cluster_id, size) VALUES (?, ?, ?)",
        [(m, cluster_id, len(group)) for cluster_id, group in members.items() for m in group],
    )
