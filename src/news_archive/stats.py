"""What is in the archive: counts, date range, articles per year and month,
duplicates and rejects."""

from __future__ import annotations

import re
import sqlite3


def archive_stats(conn: sqlite3.Connection) -> dict:
    articles, originals, first, last, words = conn.execute(
        "SELECT count(*), sum(duplicate_of IS NULL), min(date), max(date), sum(words) FROM articles"
    ).fetchone()
    per_month = conn.execute("SELECT month, count(*) FROM articles GROUP BY month ORDER BY month").fetchall()
    per_year: dict[int, int] = {}
    for month, n in per_month:
        per_year[int(month[:4])] = per_year.get(int(month[:4]), 0) + n
    rejects = conn.execute("SELECT source, reason, rejected_at FROM rejects ORDER BY source").fetchall()
    kinds: dict[str, int] = {}
    for _, reason, _ in rejects:
        kinds[reason_kind(reason)] = kinds.get(reason_kind(reason), 0) + 1
    last_ingest = conn.execute("SELECT max(checked_at) FROM source_files").fetchone()[0]
    clusters, clustered = conn.execute("SELECT count(DISTINCT cluster_id), count(*) FROM clusters").fetchone()
    names_by_kind = dict(conn.execute("SELECT kind, count(*) FROM names GROUP BY kind"))
    quotes, attributed = conn.execute("SELECT count(*), count(speaker) FROM quotes").fetchone()
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
        "reject_reasons": [{"reason": k, "count": n} for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))],
        "rejects": [{"source": s, "reason": r, "rejected_at": at} for s, r, at in rejects],
        "last_ingest": last_ingest,
        "near_duplicate_clusters": clusters,
        "articles_in_clusters": clustered,
        "names": {kind: names_by_kind.get(kind, 0) for kind in ("person", "organization", "place")},
        "quotes": quotes,
        "quotes_attributed": attributed,
    }


_DETAIL = re.compile(r"\s*(?:'[^']*'|\"[^\"]*\"|\d[\d,.]*|\([^)]*\))")


def reason_kind(reason: str) -> str:
    """A reason without its particulars, to group rejects: "cannot read a date in 'x'"
    -> "cannot read a date in"."""
    head = reason.split(":", 1)[0] if not reason.startswith(("date ", "'")) else reason
    return " ".join(_DETAIL.sub(" ", head).split()) or reason
