"""The SQLite archive: its shape, and saving parsed articles and rejects into it.

Tables:
  articles      one row per article file; ``id`` never changes for a ``source``
  articles_fts  FTS5 index over headline and body, kept in step by triggers
  rejects       every file that could not be ingested, with the reason and its bytes
  source_files  the ingest ledger: what was seen at each source, to skip unchanged files
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Sequence

import sqlite_utils

from .parse import Article

SCHEMA_VERSION = 1
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
# SQLite allows 32766 bound parameters; stay far below for IN (...) lists.
_IN_CHUNK = 500


def open_db(path: str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open the archive database. WAL mode lets readers (the web server) keep
    answering while an ingest writes."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        return sqlite_utils.Database(conn)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 10000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index, trigger and view the archive needs. Safe to run every time."""
    db["articles"].create(
        {
            "id": int,
            "date": str,
            "headline": str,
            "source": str,
            "body": str,
            "paragraphs": int,
            "words": int,
            "year": int,
            "month": str,
            "sha256": str,
            "ingested_at": str,
            "updated_at": str,
            "duplicate_of": int,
        },
        pk="id",
        not_null={"date", "headline", "source", "body", "paragraphs", "words", "year", "month", "sha256", "ingested_at"},
        foreign_keys=[("duplicate_of", "articles", "id")],
        if_not_exists=True,
    )
    db["rejects"].create(
        {"source": str, "reason": str, "rejected_at": str, "size": int, "sha256": str, "raw": bytes},
        pk="source",
        not_null={"reason", "rejected_at"},
        if_not_exists=True,
    )
    db["source_files"].create(
        {"source": str, "size": int, "mtime_ns": int, "sha256": str, "status": str, "checked_at": str},
        pk="source",
        if_not_exists=True,
    )
    articles = db["articles"]
    articles.create_index(["source"], unique=True, if_not_exists=True)
    articles.create_index(["date"], if_not_exists=True)
    articles.create_index(["month"], if_not_exists=True)
    articles.create_index(["year"], if_not_exists=True)
    articles.create_index(["sha256"], if_not_exists=True)
    articles.create_index(["duplicate_of"], if_not_exists=True)
    if not db["articles_fts"].exists():
        articles.enable_fts(["headline", "body"], tokenize=FTS_TOKENIZE, create_triggers=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def schema_problem(db: sqlite_utils.Database) -> str | None:
    """Why this database is not a news archive, or None if it is one."""
    missing = [t for t in ("articles", "articles_fts", "rejects", "source_files") if not db[t].exists()]
    if missing:
        return f"not a news archive (no {', '.join(missing)} table)"
    return None


# --- saving ------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedFile:
    source: str
    size: int
    mtime_ns: int
    sha256: str
    article: Article


@dataclass(frozen=True)
class RejectedFile:
    source: str
    reason: str
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    raw: bytes | None = None


@dataclass(frozen=True)
class SeenFile:
    """A file whose bytes are what we already hold, seen with a new size or mtime."""

    source: str
    size: int
    mtime_ns: int
    sha256: str
    status: str


@dataclass
class SaveCounts:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


def save_batch(
    db: sqlite_utils.Database,
    parsed: Sequence[ParsedFile],
    rejected: Sequence[RejectedFile],
    seen: Sequence[SeenFile] = (),
    *,
    now: str | None = None,
) -> SaveCounts:
    """Write one batch in one transaction: a crash leaves all of it or none of it."""
    now = now or utc_now()
    counts = SaveCounts()
    conn = db.conn
    with conn:
        existing = _existing_articles(conn, [p.source for p in parsed])
        next_id = (conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0) + 1
        inserts, updates, new_ids, touched_hashes = [], [], [], set()
        for item in parsed:
            a = item.article
            values = (a.date, int(a.date[:4]), a.date[:7], a.headline, a.body, len(a.paragraphs), a.words, item.sha256)
            known = existing.get(item.source)
            if known is None:
                inserts.append((next_id, item.source, *values, now))
                existing[item.source] = (next_id, item.sha256)
                new_ids.append(next_id)
                next_id += 1
                touched_hashes.add(item.sha256)
            elif known[1] == item.sha256:
                counts.unchanged += 1
            else:
                updates.append((*values, now, known[0]))
                touched_hashes.update((known[1], item.sha256))
                existing[item.source] = (known[0], item.sha256)
                counts.updated += 1
        conn.executemany(
            "INSERT INTO articles (id, source, date, year, month, headline, body, paragraphs, words, sha256,"
            " ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        conn.executemany(
            "UPDATE articles SET date = ?, year = ?, month = ?, headline = ?, body = ?, paragraphs = ?,"
            " words = ?, sha256 = ?, updated_at = ? WHERE id = ?",
            updates,
        )
        _mark_duplicates(conn, touched_hashes)
        duplicates = _count_duplicates(conn, new_ids)
        counts.duplicates = duplicates
        counts.ingested = len(new_ids) - duplicates
        for chunk in _chunks([p.source for p in parsed], _IN_CHUNK):
            conn.execute(f"DELETE FROM rejects WHERE source IN ({_marks(chunk)})", chunk)
        conn.executemany(
            "INSERT OR REPLACE INTO rejects (source, reason, rejected_at, size, sha256, raw) VALUES (?, ?, ?, ?, ?, ?)",
            [(r.source, r.reason, now, r.size, r.sha256, r.raw) for r in rejected],
        )
        counts.rejected = [(r.source, r.reason) for r in rejected]
        ledger = [(p.source, p.size, p.mtime_ns, p.sha256, "article", now) for p in parsed]
        ledger += [(r.source, r.size, r.mtime_ns, r.sha256, "rejected", now) for r in rejected]
        ledger += [(s.source, s.size, s.mtime_ns, s.sha256, s.status, now) for s in seen]
        conn.executemany(
            "INSERT OR REPLACE INTO source_files (source, size, mtime_ns, sha256, status, checked_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ledger,
        )
    return counts


def record_container(db: sqlite_utils.Database, source: str, size: int, mtime_ns: int) -> None:
    """Remember an archive file's size and mtime so an unchanged archive is not reopened."""
    with db.conn:
        db.conn.execute(
            "INSERT OR REPLACE INTO source_files (source, size, mtime_ns, sha256, status, checked_at)"
            " VALUES (?, ?, ?, NULL, 'archive', ?)",
            (source, size, mtime_ns, utc_now()),
        )


def _existing_articles(conn: sqlite3.Connection, sources: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sources, _IN_CHUNK):
        rows = conn.execute(f"SELECT source, id, sha256 FROM articles WHERE source IN ({_marks(chunk)})", chunk)
        found.update((source, (id_, sha)) for source, id_, sha in rows)
    return found


def _mark_duplicates(conn: sqlite3.Connection, hashes: Iterable[str]) -> None:
    """Point every copy of the same bytes at the copy with the lowest id."""
    first_copy = "NULLIF((SELECT min(a2.id) FROM articles AS a2 WHERE a2.sha256 = articles.sha256), articles.id)"
    for chunk in _chunks(sorted(hashes), _IN_CHUNK):
        conn.execute(
            f"UPDATE articles SET duplicate_of = {first_copy}"
            f" WHERE sha256 IN ({_marks(chunk)}) AND duplicate_of IS NOT {first_copy}",
            chunk,
        )


def _count_duplicates(conn: sqlite3.Connection, ids: list[int]) -> int:
    if not ids:
        return 0
    # New ids are consecutive, so a range is enough.
    return conn.execute(
        "SELECT count(*) FROM articles WHERE id BETWEEN ? AND ? AND duplicate_of IS NOT NULL", (ids[0], ids[-1])
    ).fetchone()[0]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: Sequence) -> str:
    return ", ".join("?" * len(items))
