"""Is an archive whole, and does every index agree with the ``articles`` table?

Shared by the fault tests (tests/test_faults.py) and the crash loop
(stress/crash_loop.py), which run it after every kill -9. Each check raises
``Inconsistent`` with what is wrong; ``check_archive`` returns counts.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path


class Inconsistent(AssertionError):
    pass


def _fail(message: str) -> None:
    raise Inconsistent(message)


def check_sqlite(db_path: str) -> dict:
    """SQLite's own checks, FTS5 against its content table, the ledger, rejects and copies."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            _fail(f"PRAGMA integrity_check: {integrity[:5]}")
        broken_links = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken_links:
            _fail(f"PRAGMA foreign_key_check: {broken_links[:5]}")
    finally:
        conn.close()
    # 'integrity-check' with rank 1 also compares the FTS index with the articles table
    # (the plain form only checks the index against itself). It needs a writable handle but writes nothing.
    conn = sqlite3.connect(db_path)
    try:
        try:
            conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
        except sqlite3.DatabaseError as error:
            _fail(f"FTS5 integrity-check against the articles table: {error}")
        conn.rollback()
        rows = conn.execute("SELECT id, source, sha256, duplicate_of, date FROM articles ORDER BY id").fetchall()
        articles = {source: (id_, sha) for id_, source, sha, _, _ in rows}
        rejects = {r[0] for r in conn.execute("SELECT source FROM rejects")}
        ledger = {s: (sha, status) for s, sha, status in conn.execute("SELECT source, sha256, status FROM source_files")}
        queued = {r[0] for r in conn.execute("SELECT id FROM index_queue")}
    finally:
        conn.close()
    first_copy: dict[str, int] = {}
    wrong_copies = 0
    originals, per_day = [], Counter()
    for id_, _, sha, duplicate_of, day in rows:  # in id order: the first id seen for some bytes is their first copy
        first = first_copy.setdefault(sha, id_)
        wrong_copies += duplicate_of != (None if first == id_ else first)
        if duplicate_of is None:
            originals.append(id_)
            per_day[day] += 1
    unknown = {status for _, status in ledger.values()} - {"article", "rejected", "archive"}
    if unknown:
        _fail(f"source_files has unknown statuses {sorted(unknown)}")
    not_in_ledger = set(articles) - set(ledger)
    if not_in_ledger:
        _fail(f"{len(not_in_ledger)} articles have no source_files row, e.g. {sorted(not_in_ledger)[:3]}")
    for source, (sha, status) in ledger.items():
        if status == "article" and (source not in articles or articles[source][1] != sha):
            _fail(f"source_files says {source!r} is the article with sha256 {sha}, articles disagrees")
    ledger_rejected = {s for s, (_, status) in ledger.items() if status == "rejected"}
    if ledger_rejected != rejects:
        _fail(f"source_files and rejects disagree: {sorted(ledger_rejected ^ rejects)[:5]}")
    if wrong_copies:
        _fail(f"{wrong_copies} articles have a duplicate_of that is not the first copy of their bytes")
    ids = {id_ for id_, _ in articles.values()}
    if not queued <= ids:
        _fail(f"index_queue holds ids that are not articles: {sorted(queued - ids)[:5]}")
    return {"articles": len(articles), "originals": len(originals), "rejects": len(rejects), "ledger": len(ledger),
            "queued": len(queued), "original_ids": originals, "per_day": dict(per_day), "queued_ids": queued,
            "ids": ids}


def index_state(db_path: str) -> dict:
    path = Path(f"{db_path}.index") / "news_archive_state.json"
    return json.loads(path.read_text())


def ranked_ids(db_path: str) -> list[int]:
    """Every article id the ranked index holds, once per document (so a duplicate shows twice)."""
    from news_archive.query import parse_query
    from news_archive.search_index import SearchIndex, all_ids, to_tantivy

    index = SearchIndex.open(db_path)
    return sorted(all_ids(index, to_tantivy(index, parse_query(""), None, None)))


def ranked_per_day(db_path: str) -> dict[str, int]:
    from news_archive.query import parse_query
    from news_archive.search_index import SearchIndex, histogram, to_tantivy

    index = SearchIndex.open(db_path)
    return histogram(index, to_tantivy(index, parse_query(""), None, None), "day")


def check_ranked_index(db_path: str, sqlite_counts: dict, *, complete: bool) -> int:
    """The tantivy index beside the archive.

    After any kill: no article twice, nothing that is not an article, and every
    original at or below the id the state file records is either in the index
    or queued for it (what the next run's catch-up relies on). After a
    completed ingest (``complete``): exactly the originals, once each, with the
    same dates as SQLite. Returns how many documents the index holds."""
    if not (Path(f"{db_path}.index") / "meta.json").exists():
        if complete:
            _fail("no ranked index after a completed ingest")
        return 0
    ids = ranked_ids(db_path)
    held = set(ids)
    if len(ids) != len(held):
        doubled = sorted(i for i, n in Counter(ids).items() if n > 1)
        _fail(f"the ranked index holds {len(doubled)} articles more than once, e.g. {doubled[:5]}")
    strangers = held - sqlite_counts["ids"]
    if strangers:
        _fail(f"the ranked index holds ids that are not articles: {sorted(strangers)[:5]}")
    max_id = int(index_state(db_path).get("max_id", 0))
    missing = [i for i in sqlite_counts["original_ids"]
               if i <= max_id and i not in sqlite_counts["queued_ids"] and i not in held]
    if missing:
        _fail(f"the state file says the index holds every article up to {max_id}, "
              f"but {len(missing)} originals are missing and not queued, e.g. {missing[:5]}")
    if complete:
        if ids != sqlite_counts["original_ids"]:
            gone = sorted(set(sqlite_counts["original_ids"]) - held)
            extra = sorted(held - set(sqlite_counts["original_ids"]))
            _fail(f"the ranked index is not exactly the originals: missing {gone[:5]}, extra {extra[:5]}")
        if ranked_per_day(db_path) != sqlite_counts["per_day"]:
            _fail("the ranked index's dates disagree with the articles table")
        if sqlite_counts["queued"]:
            _fail(f"{sqlite_counts['queued']} articles still queued for the ranked index after a completed ingest")
    return len(ids)


def check_archive(db_path: str, *, complete: bool = False) -> dict:
    """Every check; ``complete`` after an ingest ran to the end. Returns the counts."""
    counts = check_sqlite(db_path)
    counts["indexed"] = check_ranked_index(db_path, counts, complete=complete)
    return counts
