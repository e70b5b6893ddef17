"""What is in the archive: counts, date range, articles per year and month,
duplicates, rejects, and files gone from the folders they were ingested from."""

from __future__ import annotations

import re
import sqlite3

from .matches import repeated_quotations


def archive_stats(conn: sqlite3.Connection) -> dict:
    articles, originals, first, last, words = conn.execute(
        "SELECT count(*), sum(duplicate_of IS NULL), min(date), max(date), sum(words) FROM articles"
    ).fetchone()
    # Originals only, as the reading room counts them: an exact copy is not another article of its month.
    per_month = conn.execute("SELECT month, count(*) FROM articles WHERE duplicate_of IS NULL"
                             " GROUP BY month ORDER BY month").fetchall()
    per_year: dict[int, int] = {}
    for month, n in per_month:
        per_year[int(month[:4])] = per_year.get(int(month[:4]), 0) + n
    rejects = conn.execute("SELECT source, reason, rejected_at FROM rejects ORDER BY source").fetchall()
    kinds: dict[str, dict] = {}
    for _, reason, _ in rejects:
        kind = reason_kind(reason)
        if kind in kinds:
            kinds[kind]["count"] += 1
        else:
            kinds[kind] = {"reason": kind, "count": 1, "example": reason}
    last_ingest = conn.execute("SELECT max(checked_at) FROM source_files").fetchone()[0]
    has_gone = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gone_sources'").fetchone()
    gone = conn.execute("SELECT source, folder, noticed_at FROM gone_sources ORDER BY folder, source").fetchall() \
        if has_gone else []  # an archive of an older news-archive, not upgraded yet
    has_versions = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_versions'").fetchone()
    earlier, changed = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM article_versions").fetchone() \
        if has_versions else (0, 0)
    folders_of = _folders_of(conn, [source for source, _, _ in rejects]) if rejects else {}
    clusters, clustered = conn.execute("SELECT count(DISTINCT cluster_id), count(*) FROM clusters").fetchone()
    names_by_kind = dict(conn.execute("SELECT kind, count(*) FROM names GROUP BY kind"))
    quotes, attributed = conn.execute("SELECT count(*), count(speaker) FROM quotes").fetchone()
    # A quotation repeated by its speaker in another version of its story is listed once by
    # the quotes page and search: say how many that leaves.
    repeats = conn.execute(f"SELECT count(*) FROM ({repeated_quotations()})").fetchone()[0]
    return {
        "articles": articles,
        "originals": originals or 0,
        "duplicates": articles - (originals or 0),
        "words": words or 0,
        "first_date": first,
        "last_date": last,
        "per_year": [{"year": y, "count": n} for y, n in per_year.items()],
        "per_month": [{"month": m, "count": n} for m, n in per_month],
        "rejected": len(rejects),
        "reject_reasons": sorted(kinds.values(), key=lambda kind: (-kind["count"], kind["reason"])),
        "rejects": [{"source": s, "folder": folders_of.get(s), "reason": r, "rejected_at": at} for s, r, at in rejects],
        "last_ingest": last_ingest,
        "earlier_texts": earlier,
        "articles_with_earlier_texts": changed,
        "gone": len(gone),
        "gone_sources": [{"source": s, "folder": f, "noticed_at": at} for s, f, at in gone],
        "near_duplicate_clusters": clusters,
        "articles_in_clusters": clustered,
        "names": {kind: names_by_kind.get(kind, 0) for kind in ("person", "organization", "place")},
        "quotes": quotes,
        "quotes_attributed": attributed,
        "quotes_listed": quotes - repeats,
    }


def _folders_of(conn: sqlite3.Connection, sources: list[str]) -> dict[str, str]:
    """The folder each of ``sources`` was found in at that folder's last walk, or was gone from
    (a source is named relative to its folder, so "bad1.txt" alone does not say where it was)."""
    import numpy as np

    from .sources import source_key

    has_folders = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'folders'").fetchone()
    if not has_folders:
        return {}
    keys = np.fromiter(map(source_key, sources), dtype=np.uint64, count=len(sources))
    # A member of an archive file ("pack.zip!inner.zip") was found in the folder that holds the
    # archive file, whose name is what the folder's record holds.
    archive_keys = np.fromiter((source_key(source.split("!", 1)[0]) for source in sources), dtype=np.uint64,
                               count=len(sources))
    found: dict[str, str] = {}
    for path, listed in conn.execute("SELECT path, keys FROM folders ORDER BY walked_at DESC, path"):
        held = np.frombuffer(listed, dtype=np.uint64)
        for source, hit, in_archive in zip(sources, np.isin(keys, held), np.isin(archive_keys, held)):
            if hit or ("!" in source and in_archive):
                found.setdefault(source, path)  # the folder walked last, if two had that name
    wanted = set(sources) - set(found)
    if wanted:  # gone from its folder since: gone_sources says which
        for source, folder in conn.execute("SELECT source, folder FROM gone_sources ORDER BY noticed_at DESC"):
            if source in wanted:
                found.setdefault(source, folder)
    return found


# Most reasons read "kind: particulars" ("binary content: contains 3 NUL bytes").
# Date reasons (parse.py) and a damaged archive's count of files read put the
# particulars first, so they are known by their wording.
_QUOTED = r"""(?:'.*'|".*")"""  # the date as written, in Python's repr quotes
_KINDS_BY_WORDING = (
    (re.compile(rf"cannot read a date in {_QUOTED}$"), "cannot read a date"),
    (re.compile(rf"date {_QUOTED} has no day; "), "date has no day"),
    (re.compile(rf"date {_QUOTED} is ambiguous: "), "ambiguous date"),
    (re.compile(rf"{_QUOTED} is not a real date(?: \(|$)"), "not a real date"),
    (re.compile(rf"{_QUOTED} has an implausible year -?\d+$"), "implausible year"),
    (re.compile(r"damaged archive(?: after [\d,]+ files?)?: "), "damaged archive"),
)
_PARTICULARS = re.compile(r"['\"\d(]")


def reason_kind(reason: str) -> str:
    """The kind of a reject reason, to count rejects by: readable on its own,
    the same for every file of that kind. "cannot read a date in 'x'" ->
    "cannot read a date"; "empty body: the file has ..." -> "empty body".
    A reason of no known shape is its own kind, whole, never cut."""
    for wording, kind in _KINDS_BY_WORDING:
        if wording.match(reason):
            return kind
    head, colon, _ = reason.partition(": ")
    if colon and head and not _PARTICULARS.search(head):
        return head
    return reason
