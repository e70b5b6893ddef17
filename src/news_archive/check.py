"""Is an archive sound? What an archivist asks after a copy, a restore, a crash or years on a shelf.

Reads only. Each check gives a line: what was checked, and either "ok" with what it saw
or the problems found. The quick checks read every page of the database once (SQLite's
quick_check) and compare the ranked index with the archive; ``full`` adds SQLite's
integrity_check (every index against its table), the full-text indexes' own
integrity-check, and the references between tables.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from . import store

MAX_LISTED = 10


@dataclass
class Check:
    what: str
    ok: bool
    detail: str  # what was seen when ok, or the problems
    problems: list[str] = field(default_factory=list)  # each problem, when the detail sums several up


def check_archive(db_path: str, *, full: bool = False) -> list[Check]:
    conn = store.connect_readonly(db_path)
    try:
        checks = [_database(conn, full)]
        if not checks[0].ok:
            return checks  # nothing else can be read reliably
        problem = store.schema_problem(conn)
        if problem:
            return [Check("database", False, f"{db_path} is {problem}")]
        checks.append(_counts(conn))
        if full:
            checks.append(_references(conn))
            checks += _full_text(db_path)
        checks.append(_ranked_index(db_path, conn, full))
        checks.append(_pending_work(conn))
        return checks
    finally:
        conn.close()


def _database(conn: sqlite3.Connection, full: bool) -> Check:
    pragma = "integrity_check" if full else "quick_check"
    try:
        found = [row[0] for row in conn.execute(f"PRAGMA {pragma}({MAX_LISTED})")]
    except sqlite3.DatabaseError as error:
        return Check("database", False, f"cannot be read ({error}): the file is damaged; put back a backup of it"
                                        " (`news-archive backup`, README)")
    if found == ["ok"]:
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
        return Check("database", True, f"ok ({pragma}: every page of {readable_size(pages)} read)")
    return Check("database", False, f"{len(found)} problem(s) found by {pragma}", found)


def _counts(conn: sqlite3.Connection) -> Check:
    articles, originals = conn.execute(
        "SELECT count(*), count(*) - count(duplicate_of) FROM articles").fetchone()
    rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
    rejected = f"{rejects:,} rejected file{'' if rejects == 1 else 's'}"
    return Check("contents", True, f"{articles:,} articles ({originals:,} originals), {rejected}")


# The references the schema declares: rows whose other end is missing would show as broken links.
def _references(conn: sqlite3.Connection) -> Check:
    broken = conn.execute("PRAGMA foreign_key_check").fetchmany(MAX_LISTED)
    if not broken:
        return Check("references", True, "ok (every article, name and quotation a row refers to is there)")
    problems = [f"{table} row {rowid} refers to a missing row of {parent}" if rowid is not None else
                f"a row of {table} refers to a missing row of {parent}" for table, rowid, parent, _ in broken]
    return Check("references", False, f"{len(problems)}{'+' if len(problems) == MAX_LISTED else ''} broken", problems)


def _full_text(db_path: str) -> list[Check]:
    """FTS5's integrity-check, which SQLite runs as a write statement even though it changes
    nothing: on a connection of its own, in a transaction that is rolled back."""
    if store.on_read_only_media(db_path):
        return [Check("full-text index", True, "not checked: the archive is on read-only media, and SQLite runs"
                                               " this check only where it could write")]
    conn = sqlite3.connect(db_path, timeout=10)
    checks = []
    try:
        for table in ("articles_fts", "quotes_fts"):
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            if not exists:
                continue
            try:
                conn.execute("BEGIN")
                conn.execute(f'INSERT INTO "{table}" ("{table}", rank) VALUES (\'integrity-check\', 1)')
                checks.append(Check(f"full-text index ({table})", True, "ok (every row's words are in the index, and"
                                                                        " no other)"))
            except sqlite3.DatabaseError as error:
                reason = ("not checked: another program is writing to the archive; run the check when it has"
                          " finished" if "locked" in str(error) else f"damaged ({error})")
                checks.append(Check(f"full-text index ({table})", False, reason))
            finally:
                conn.rollback()
    finally:
        conn.close()
    return checks


def _pending_work(conn: sqlite3.Connection) -> Check:
    """The work an ingest or analysis does at its end, from what it queued with its batches: still
    queued while one runs, and left queued by one stopped before its end (a kill, Ctrl-C), which
    the next does. Not a fault, so never failed; but until it is done a surname alone ("Reagan") is
    a person of its own and near-duplicates are missing, so it is said."""
    from .name_aliases import surnames_queued

    left = []
    surnames = surnames_queued(conn)
    if surnames:
        left.append(f"{surnames:,} surname{'' if surnames == 1 else 's'} of people not yet judged (whether a surname"
                    " alone is one full name's, \"Reagan\" Ronald Reagan's)")
    unchecked = _articles_unchecked(conn)
    if unchecked:
        left.append(f"{unchecked:,} article{'' if unchecked == 1 else 's'} not yet compared for near-duplicates")
    if not left:
        return Check("pending work", True, "none (every surname alone judged, every article compared for"
                                           " near-duplicates)")
    return Check("pending work", True, "; ".join(left) + ": an ingest or analyse is running, or was stopped before"
                                                         " its end; the next `news-archive ingest` or `news-archive"
                                                         " analyse` on this archive does it")


def _articles_unchecked(conn: sqlite3.Connection) -> int:
    """How many articles similar.update has yet to compare (store.UNCOMPARED_ARTICLES)."""
    try:
        return conn.execute(f"SELECT count(*) {store.UNCOMPARED_ARTICLES}",
                            (store.similar_checked_to(conn),)).fetchone()[0]
    except sqlite3.OperationalError:  # an archive made before near-duplicates
        return 0


def _ranked_index(db_path: str, conn: sqlite3.Connection, full: bool = False) -> Check:
    from .search_index import (BEHIND_NOTE, BUILDING_NOTE, READ_ONLY_NOTE, IndexDamaged, IndexUnavailable, SearchIndex,
                               index_path, index_problem)

    if not index_path(db_path).exists():
        # Derived from the database, which the checks above found whole: nothing is lost, and a
        # backup taken while an ingest ran (which leaves the index out) must pass its check.
        return Check("ranked index", True, "none yet, which is no problem: it is derived from the database, and"
                                           " `news-archive analyse` on this archive (or its next ingest) builds it"
                                           " (until then searches use the slower full-text index)")
    try:
        index = SearchIndex.open(db_path)
    except IndexUnavailable as error:
        # On read-only media the index cannot be opened, which says nothing of its soundness.
        return Check("ranked index", error.note == READ_ONLY_NOTE, error.note)
    problem = index_problem(index, conn)
    if problem in (BEHIND_NOTE, BUILDING_NOTE):
        # An ingest under way (or stopped): the next one catches up; nothing is wrong with what is there.
        return Check("ranked index", True, "not checked: " + problem)
    if problem:
        return Check("ranked index", False, problem)
    try:
        read = _read_index(index, conn, full)
    except IndexDamaged as error:
        return Check("ranked index", False, f"damaged, it cannot be read ({error.detail}): move"
                                            f" {index_path(db_path).name} aside, and `news-archive analyse` on this"
                                            " archive (or its next ingest) builds it again")
    held = index.searcher().num_docs
    originals = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NULL").fetchone()[0]
    if held != originals:
        problem = (f"holds {held:,} articles where the archive has {originals:,} originals: move"
                   f" {index_path(db_path).name} aside and `news-archive analyse` on this archive (or its next ingest) builds it again")
        return Check("ranked index", False, problem)
    size = sum(path.stat().st_size for path in Path(index_path(db_path)).iterdir() if path.is_file())
    return Check("ranked index", True, f"ok ({held:,} articles, as the archive; {readable_size(size)}; {read})")


def _read_index(index, conn: sqlite3.Connection, full: bool) -> str:
    """Read the index as searches do, so that damaged files show (tantivy checks no checksum when it
    opens them): its word lists (every word with ``full``, else those of a few letters), the
    articles of a sample of words, and phrases, which read word positions. Raises IndexDamaged."""
    import tantivy

    from .search_index import IndexDamaged, all_ids

    searcher, schema = index.searcher(), index.schema
    prefixes = [""] if full else ["a", "e", "m", "s", "t"]
    words = []
    for field in ("headline", "body"):
        for prefix in prefixes:
            found = searcher.terms_with_prefix(field, prefix)
            words += [(field, word) for word, _ in found[:: max(1, len(found) // (3000 if full else 300))]]
    for field, word in words:
        searcher.search(tantivy.Query.term_query(schema, field, word), 10, count=True)
    phrases = 0
    for (body,) in conn.execute("SELECT body FROM articles WHERE duplicate_of IS NULL ORDER BY random() LIMIT ?",
                                (200 if full else 20,)):
        pair = [w.lower() for w in body.split()[:8] if w.isalpha()][:2]
        if len(pair) == 2:
            searcher.search(tantivy.Query.phrase_query(schema, "body", pair), 10, count=True)
            phrases += 1
    if full:
        # Every article's id, from the index's own columns, against the archive's.
        held = set(all_ids(index, tantivy.Query.all_query()))
        archive = {row[0] for row in conn.execute("SELECT id FROM articles WHERE duplicate_of IS NULL")}
        if held != archive:
            raise IndexDamaged(f"its articles are not the archive's ({len(archive - held):,} missing,"
                               f" {len(held - archive):,} it should not hold)")
    return f"{len(words):,} words and {phrases} phrases read{', every id compared' if full else ''}"


def readable_size(size: int) -> str:
    """A number of bytes as people read it: "2,413.1 MB", "188 kB"."""
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"
