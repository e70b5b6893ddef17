"""Near-duplicates: wire stories republished with small edits, found after
each ingest among the articles it added or changed.

Two articles are near-duplicates when their MinHash sketches (analysis.py,
near_duplicates.py) estimate a Jaccard similarity of at least
``near_duplicates.NEAR_DUPLICATE_THRESHOLD``, they are dated at most
``WINDOW_DAYS`` apart, and, when dated on different days, they do not replace
each other's figures (``near_duplicates.figures_replaced``): a republished story
follows the original within days and keeps its figures, while recurring reports
(the same daily market item with other figures) were most of the false pairs
(docs/quality.md).

Candidates come from LSH band keys, compared within a sliding window of dates,
so a whole archive is one pass over its sketches in date order. Pairs go to
``similar_articles`` (both ways). A story (``clusters``) is a group of
connected pairs that spans at most ``WINDOW_DAYS``: a correction and a repeat of
the same original are versions of one story even when they do not pair with
each other. A longer group is a chain of recurring reports and is cut into
stories every two versions of which are a pair (``_stories``). Only the groups
that this update touched are made again. A story is named after its lowest
article id. Progress is recorded in ``meta`` in the same transaction as
the pairs, so a killed run is resumed.
"""

from __future__ import annotations

import sqlite3
from array import array
from bisect import bisect_right
from collections import Counter
from datetime import date as Date
from functools import lru_cache

import numpy as np

from . import near_duplicates
from .store import SIMILAR_CHECKED_KEY, UNCOMPARED_ARTICLES, similar_checked_to

WINDOW_DAYS = 3
# Above this many touched articles (`analyse --all`), every story is cut again at once.
REBUILD_ABOVE = 50_000


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
    checked_to = similar_checked_to(conn)
    top = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
    queued = conn.execute("SELECT EXISTS (SELECT 1 FROM similar_queue)").fetchone()[0]
    if top <= checked_to and not queued:
        return 0
    pending = _pending(conn.execute(f"SELECT a.date, a.id {UNCOMPARED_ARTICLES}", (checked_to,)))
    pairs = _find_pairs(conn, pending)
    with conn:
        conn.executemany(
            "INSERT OR REPLACE INTO similar_articles (article_id, similar_id, similarity) VALUES (?, ?, ?)",
            [(a, b, s) for a, b, s in pairs] + [(b, a, s) for a, b, s in pairs],
        )
        # Queued articles lost their pairs when they were analysed again: their stories change too.
        touched = {article_id for pair in pairs for article_id in pair[:2]}
        touched.update(article_id for (article_id,) in conn.execute("SELECT id FROM similar_queue"))
        _update_clusters(conn, touched)
        conn.execute("DELETE FROM similar_queue")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SIMILAR_CHECKED_KEY, str(top)))
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
    found: dict[tuple[int, int], tuple[float, int]] = {}  # pair of ids -> (similarity, days apart)
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
            apart = np.abs(days[rows[:, 0]] - days[rows[:, 1]])
            for pair, share, gap in zip(candidates, (agree / signatures.shape[1]).tolist(), apart.tolist()):
                found[pair] = (share, gap)
    similar = {pair: found[pair] for pair in sorted(found)
               if found[pair][0] >= near_duplicates.NEAR_DUPLICATE_THRESHOLD}
    recurring = _recurring(conn, [pair for pair, (_, gap) in similar.items() if gap])
    return [(a, b, share) for (a, b), (share, _) in similar.items() if (a, b) not in recurring]


def _recurring(conn: sqlite3.Connection, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs (of articles dated on different days) whose figures were replaced:
    reports that recur with other figures, not versions of one story."""
    wanted = sorted({article_id for pair in pairs for article_id in pair})
    figures: dict[int, Counter] = {}
    for chunk in _chunks(wanted):
        for article_id, headline, body in conn.execute(
                f"SELECT id, headline, body FROM articles WHERE id IN ({_marks(chunk)})", chunk):
            figures[article_id] = near_duplicates.figures(_without_headline(body, headline))
    return {(a, b) for a, b in pairs
            if a in figures and b in figures and near_duplicates.figures_replaced(figures[a], figures[b])}


def _without_headline(body: str, headline: str) -> str:
    """The body without the headline it may start with: versions of a story may
    number their headlines ("... 3RD QTR", "(CORRECTED)"), the figures that count are the story's."""
    first, _, rest = body.partition("\n\n")
    return rest if rest and " ".join(first.split()) == " ".join(headline.split()) else body


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


def _update_clusters(conn: sqlite3.Connection, touched: set[int]) -> None:
    """Make again the stories of the groups of connected pairs that hold a touched
    article or a version of its story (the pairs of an article analysed again are
    gone, so its old story may now be several groups). Each group is made from its
    own pairs, dates and texts' hashes only, so the stories do not depend on the
    order articles came in."""
    if not touched:
        return
    if len(touched) > REBUILD_ABOVE:
        rebuild_clusters(conn)  # the same stories, in fewer queries
        return
    old_stories = set()
    for chunk in _chunks(sorted(touched)):
        old_stories.update(cluster_id for (cluster_id,) in conn.execute(
            f"SELECT DISTINCT cluster_id FROM clusters WHERE article_id IN ({_marks(chunk)})", chunk))
    seeds = set(touched)
    for chunk in _chunks(sorted(old_stories)):
        seeds.update(article_id for (article_id,) in conn.execute(
            f"SELECT article_id FROM clusters WHERE cluster_id IN ({_marks(chunk)})", chunk))
    # Every pair of every group that holds a seed, a step of the pairs at a time.
    pairs: dict[tuple[int, int], float] = {}
    reached, frontier = set(seeds), sorted(seeds)
    while frontier:
        found: set[int] = set()
        for chunk in _chunks(frontier):
            for a, b, share in conn.execute(
                    "SELECT article_id, similar_id, similarity FROM similar_articles"
                    f" WHERE article_id IN ({_marks(chunk)})", chunk):
                pairs[(a, b) if a < b else (b, a)] = share
                found.add(b)
        frontier = sorted(found - reached)
        reached.update(frontier)
    for chunk in _chunks(sorted(reached)):
        conn.execute(f"DELETE FROM clusters WHERE article_id IN ({_marks(chunk)})", chunk)
    _save_stories(conn, pairs, _story_order(conn, sorted(reached)))


def apply_rules(conn: sqlite3.Connection) -> int:
    """Bring the stored pairs and stories of an archive made by an older version
    under this one's rules (inside the caller's transaction): pairs dated on
    different days whose figures were replaced go, and every story is cut again
    (stories used to be whole chains of pairs). Returns how many pairs went."""
    apart = [(a, b) for a, b in conn.execute(
        "SELECT s.article_id, s.similar_id FROM similar_articles s JOIN articles a ON a.id = s.article_id"
        " JOIN articles b ON b.id = s.similar_id WHERE s.article_id < s.similar_id AND a.date != b.date")]
    recurring = sorted(_recurring(conn, apart))
    conn.executemany("DELETE FROM similar_articles WHERE article_id = ? AND similar_id = ?",
                     recurring + [(b, a) for a, b in recurring])
    rebuild_clusters(conn)
    return len(recurring)


def rebuild_clusters(conn: sqlite3.Connection) -> None:
    """Every story cut again from all the pairs (inside the caller's transaction)."""
    pairs = {(a, b): share for a, b, share in conn.execute(
        "SELECT article_id, similar_id, similarity FROM similar_articles WHERE article_id < similar_id")}
    conn.execute("DELETE FROM clusters")
    _save_stories(conn, pairs, _story_order(conn, sorted({article_id for pair in pairs for article_id in pair})))


def _save_stories(conn: sqlite3.Connection, pairs: dict[tuple[int, int], float],
                  order: dict[int, tuple[str, str]]) -> None:
    conn.executemany(
        "INSERT INTO clusters (article_id, cluster_id, size) VALUES (?, ?, ?)",
        [(member, min(story), len(story)) for story in _stories(pairs, order) for member in story],
    )


def _story_order(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each article's date and SHA-256: the order a chain of pairs is cut in (_stories).
    Not the id, which says only in what order the files were ingested."""
    order: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        order.update((article_id, (day, sha)) for article_id, day, sha in conn.execute(
            f"SELECT id, date, sha256 FROM articles WHERE id IN ({_marks(chunk)})", chunk))
    return order


def _stories(pairs: dict[tuple[int, int], float], order: dict[int, tuple[str, str]]) -> list[list[int]]:
    """The pairs (lower id first) grouped into stories of at least two versions.

    A story is a group of connected pairs: a correction of a figure the same day
    and the original's repeat the next day do not pair with each other (a figure
    was replaced), yet both are versions of the original, and so of one story.
    A group that spans more than WINDOW_DAYS days is not a story but a chain of
    recurring reports (the Fed's daily report, Monday like Thursday, Thursday like
    the next Monday): it is cut into stories every two versions of which are a pair.
    Its articles are taken by date (then SHA-256, so that the order the files came
    in does not matter): each joins the story of its most similar earlier version
    if it pairs with every version of that story, and otherwise starts a story of
    its own; so a later article never takes a version from an earlier story."""
    partners: dict[int, dict[int, float]] = {}
    for (a, b), share in pairs.items():
        partners.setdefault(a, {})[b] = share
        partners.setdefault(b, {})[a] = share
    stories: list[list[int]] = []
    placed: set[int] = set()
    for start in sorted(partners):
        if start in placed:
            continue
        group, frontier = {start}, {start}
        while frontier:
            frontier = {p for article_id in frontier for p in partners[article_id]} - group
            group |= frontier
        placed |= group
        days = [_day_number(order[i][0]) for i in group if i in order]
        if days and max(days) - min(days) > WINDOW_DAYS:
            stories.extend(_cut_chain(group, partners, order))
        else:
            stories.append(sorted(group))
    return stories


def _cut_chain(group: set[int], partners: dict[int, dict[int, float]],
               order: dict[int, tuple[str, str]]) -> list[list[int]]:
    story_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for article_id in sorted(group, key=lambda i: (*order.get(i, ("", "")), i)):
        mine = partners[article_id]
        earlier = sorted((p for p in mine if p in story_of), key=lambda p: (-mine[p], *order.get(p, ("", "")), p))
        story = next((story_of[p] for p in earlier if all(m in mine for m in members[story_of[p]])), article_id)
        story_of[article_id] = story
        members.setdefault(story, []).append(article_id)
    return [sorted(story) for story in members.values() if len(story) > 1]


def _chunks(items: list[int], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: list[int]) -> str:
    return ", ".join("?" * len(items))
