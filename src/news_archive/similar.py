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
from array import array
from bisect import bisect_right
from collections import defaultdict
from datetime import date as Date
from functools import lru_cache

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
    return [(article_id, _day_number(day), signature) for article_id, day, signature in rows]


@lru_cache(maxsize=1 << 16)
def _day_number(day: str) -> int:
    """An ISO date as a day number, converted once per date: an archive has many articles a day."""
    return Date.fromisoformat(day).toordinal()


def update(conn: sqlite3.Connection) -> int:
    """Find near-duplicates of every article not yet checked; return how many pairs were added."""
    checked_to = int((conn.execute("SELECT value FROM meta WHERE key = ?", (CHECKED_KEY,)).fetchone() or ["0"])[0])
    top = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
    queued = conn.execute("SELECT EXISTS (SELECT 1 FROM similar_queue)").fetchone()[0]
    if top <= checked_to and not queued:
        return 0
    pending = _pending(conn.execute(
        "SELECT a.date, a.id FROM articles a JOIN sketches s ON s.article_id = a.id"
        " WHERE (a.id > ? OR a.id IN (SELECT id FROM similar_queue)) AND a.duplicate_of IS NULL",
        (checked_to,),
    ))
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


def _pending(rows) -> tuple[np.ndarray, np.ndarray]:
    """The day numbers and ids of the articles to check, in order of day: two
    arrays of 8 bytes an article (for a million articles 15 MB, where a dict of sets took 85 MB)."""
    days, ids = array("q"), array("q")
    for day, article_id in rows:
        days.append(_day_number(day))
        ids.append(article_id)
    day_numbers = np.frombuffer(days, dtype=np.int64)
    order = np.argsort(day_numbers, kind="stable")
    return day_numbers[order], np.frombuffer(ids, dtype=np.int64)[order]


# Pending days are taken this many at a time: each block's sketches (with the
# window's margin on both sides) are sorted once per band. Day by day, a
# million articles over 50 years cost 16 sorts for each of 18,000 days.
BLOCK_DAYS = 90


def _find_pairs(conn: sqlite3.Connection, pending: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int, float]]:
    """Compare each pending article (day numbers and ids, by day) with every
    sketched article dated within the window: two articles are candidates when
    they share a band key."""
    pending_days, pending_ids = pending
    found: dict[tuple[int, int], float] = {}
    for first_day, last_day in _blocks(np.unique(pending_days).tolist()):
        loaded = _load_block(conn, first_day - WINDOW_DAYS, last_day + WINDOW_DAYS)
        if loaded is None:
            continue
        ids, days, keys, signatures = loaded
        wanted = pending_ids[np.searchsorted(pending_days, first_day) : np.searchsorted(pending_days, last_day, "right")]
        is_pending = np.isin(ids, wanted)
        candidates: dict[tuple[int, int], tuple[int, int]] = {}  # pair of ids -> their rows
        for band in range(keys.shape[1]):
            # Equal keys side by side, each run of them in date order.
            order = np.lexsort((days, keys[:, band]))
            sorted_keys = keys[order, band]
            repeats = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
            if not len(repeats):
                continue
            # Runs of an equal key: where one starts and where it ends.
            run_starts = repeats[np.r_[True, repeats[1:] != repeats[:-1] + 1]]
            run_ends = repeats[np.r_[repeats[1:] != repeats[:-1] + 1, True]] + 2
            for start, end in zip(run_starts.tolist(), run_ends.tolist()):
                members = order[start:end].tolist()
                member_days = days[order[start:end]].tolist()
                member_ids = ids[order[start:end]].tolist()
                member_pending = is_pending[order[start:end]].tolist()
                for i, row in enumerate(members):
                    # Later members within the window (the run is in date order).
                    stop = bisect_right(member_days, member_days[i] + WINDOW_DAYS, i + 1)
                    for j in range(i + 1, stop):
                        if not (member_pending[i] or member_pending[j]):
                            continue
                        a, b = member_ids[i], member_ids[j]
                        if a == b:
                            continue
                        pair = (a, b) if a < b else (b, a)
                        if pair not in found and pair not in candidates:
                            candidates[pair] = (row, members[j])
        if candidates:
            rows = np.array(list(candidates.values()), dtype=np.int64)
            agree = np.count_nonzero(signatures[rows[:, 0]] == signatures[rows[:, 1]], axis=1)
            for pair, share in zip(candidates, (agree / signatures.shape[1]).tolist()):
                found[pair] = share
    return [(a, b, s) for (a, b), s in sorted(found.items()) if s >= near_duplicates.NEAR_DUPLICATE_THRESHOLD]


def _blocks(days: list[int]) -> list[tuple[int, int]]:
    """Sorted days cut into blocks spanning at most BLOCK_DAYS days each: (first day, last day)."""
    blocks: list[tuple[int, int]] = []
    for day in days:
        if blocks and day - blocks[-1][0] < BLOCK_DAYS:
            blocks[-1] = (blocks[-1][0], day)
        else:
            blocks.append((day, day))
    return blocks


def _load_block(conn: sqlite3.Connection, first: int, last: int):
    """Ids, day numbers, band keys and signatures of the sketched originals dated
    from day ``first`` to day ``last``; None when there are none."""
    rows = _sketch_rows(conn, Date.fromordinal(first).isoformat(), Date.fromordinal(last).isoformat())
    if not rows:
        return None
    signatures = np.frombuffer(b"".join(sig for _, _, sig in rows), dtype="<u4").reshape(len(rows), -1)
    keys = np.asarray(near_duplicates.band_key_matrix(signatures.T), dtype=np.int64)
    ids = np.fromiter((article_id for article_id, _, _ in rows), dtype=np.int64, count=len(rows))
    days = np.fromiter((day for _, day, _ in rows), dtype=np.int64, count=len(rows))
    return ids, days, keys, signatures


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
