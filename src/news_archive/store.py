"""The SQLite archive: its shape, and saving parsed articles and rejects into it.

Tables:
  articles      one row per article file; ``id`` never changes for a ``source``
  articles_fts  FTS5 index over headline and body (Datasette's ``_search`` uses it)
  rejects       every file that could not be ingested, with the reason and its bytes
  source_files  the ingest ledger: what was seen at each source, to skip unchanged files
  folders       what each folder given to an ingest held at its last complete walk
  gone_sources  files that were in such a folder once and are not any more (their articles stay)
  article_versions  the earlier texts of articles whose file changed (an update keeps what it replaces)
  archive_globs the globs each archive file was read with (another glob reopens it)
  index_queue   ids of changed articles the ranked search index has not caught up with

SQLite is the source of truth. The ranked search index beside it
(``search_index``) is derived from it and can always be rebuilt.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from .name_aliases import surname_key
from .name_identity import fold, name_key, shown_spelling, spelled_better

if TYPE_CHECKING:  # numpy and sqlite-utils take a sixth of a second to import: only writing needs them
    import numpy as np
    import sqlite_utils

    from .analysis import Analysis

SCHEMA_VERSION = 11  # 3: names, quotes, near-duplicates; 4: one entry per name however written;
# 5: more spellings (U.S. states) in name_identity; 6: no recurring reports among near-duplicates, and
# every two versions of a story are near-duplicates (stories were whole chains); 7: full-text indexes
# with word positions (phrases), and quotations linked to organisations and places that said them;
# 8: an organisation's -isation and -ization spellings are one name (name_identity); 9: a person's
# surname alone joined to the one full name the archive gives it (name_aliases); 10: accents and the shape
# of apostrophes do not make another name ("Núñez", "Nunez"; "Moody’s", "Moody's"), and names.folded holds
# each name as it is found by what is typed (name_identity.fold); 11: a story is a group of connected
# pairs (a correction and the original's repeat are one story) unless it spans more days than a pair
# may. Tables that only add
# (folders, gone_sources, article_versions, archive_globs) need no new version: every ingest creates what is missing, and readers
# of an archive without them read nothing there.
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
# Ranked search runs on the tantivy index; FTS5 serves Datasette's table search,
# quotation searches, exports with copies, and the fallback. It keeps word positions:
# without them FTS5 refuses every phrase, and Datasette quotes each word of a table
# search, so "U.S.", "oil-gas" or "Lloyd's" (two tokens, a phrase) were errors there.
# Positions cost about 10% more CPU to build and 20% more space than column detail.
FTS_DETAIL = "full"
# SQLite allows 32766 bound parameters; stay far below for IN (...) lists.
_IN_CHUNK = 500
# A bigger page cache keeps index pages of a large archive in memory while writing.
WRITE_CACHE_KIB = 32 * 1024


def connect_readonly(path: str) -> sqlite3.Connection:
    """A read-only connection to the archive (readers never need sqlite-utils). An archive on
    read-only media (a DVD, a read-only mount, another user's folder) is opened as immutable:
    SQLite cannot make the shared-memory file a WAL database needs beside it, and nobody can
    write there anyway."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    if on_read_only_media(path):
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.OperationalError:
            conn.close()
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return conn


def on_read_only_media(path: str) -> bool:
    """Whether the archive's folder cannot be written to (so neither can its WAL files be made)."""
    import os

    folder = os.path.dirname(os.path.abspath(path))
    return os.path.exists(path) and not os.access(folder, os.W_OK)


def open_db(path: str) -> sqlite_utils.Database:
    """Open the archive database for writing. WAL mode lets readers (the web
    server) keep answering while an ingest writes."""
    import sqlite_utils

    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        problem = foreign_database_problem(conn)
    except BaseException:
        conn.close()
        raise
    if problem:
        # Before the switch to WAL and the first table: another program's database is left as it was.
        conn.close()
        raise NotAnArchive(problem)
    db = sqlite_utils.Database(conn)
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    return db


class NotAnArchive(sqlite3.DatabaseError):
    """A database that holds something other than a news archive: nothing is written into it."""


# The columns every news archive's articles table has had, since the first version.
_OUR_ARTICLE_COLUMNS = {"id", "date", "headline", "source", "body", "sha256"}


def foreign_database_problem(conn: sqlite3.Connection) -> str | None:
    """Why this database must not be written to as an archive (it is another program's), or None:
    it is empty (a new file), or a news archive, perhaps only begun by an ingest stopped while
    it made the tables (ensure_schema makes them one at a time, the articles table first, so
    schema_problem, which the commands that read use, would refuse that one). Reads only."""
    held = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    if not held:
        return None
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if _OUR_ARTICLE_COLUMNS <= columns:
        return None
    listed = ", ".join(held[:5]) + (f" and {len(held) - 5:,} more" if len(held) > 5 else "")
    why = "its articles table is not one news-archive made" if "articles" in held else f"it holds {listed}"
    return f"not a news archive ({why}): ingest writes only into a news archive, an empty file or a new one"


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy what the write-ahead log holds into the database file at the end of a command, so
    that ``news.db`` alone holds the archive (a user copies it to a disk, a backup tool reads
    it): without this the last pages stayed in ``news.db-wal`` after an ingest. PASSIVE: it
    never waits for a reader (a running server), whose pages the next command copies."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_FTS_SQL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS "articles_fts" USING FTS5 (
    "headline", "body",
    tokenize='{FTS_TOKENIZE}',
    detail={FTS_DETAIL},
    content="articles"
)
"""
# New rows are written to the FTS index by save_batch itself, in the same
# transaction: an AFTER INSERT trigger makes FTS5 flush its buffer on every
# row (a statement savepoint each), which is several times slower in bulk.
# Updates and deletes, from us or anyone else, go through triggers.
_FTS_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS "articles_fts_update" AFTER UPDATE OF "headline", "body" ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "headline", "body") VALUES ('delete', old.rowid, old."headline", old."body");
  INSERT INTO "articles_fts" (rowid, "headline", "body") VALUES (new.rowid, new."headline", new."body");
END;
CREATE TRIGGER IF NOT EXISTS "articles_fts_delete" AFTER DELETE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "headline", "body") VALUES ('delete', old.rowid, old."headline", old."body");
END;
"""
# An article that goes (a moved file's copy, or a row deleted by hand) leaves its id taken: the
# next article's id is above it, and the ranked index, which may have been told of that id, stays
# this archive's (see highest_article_id). After _ANALYSIS_SQL, which makes meta.
_ID_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS "articles_id_kept" AFTER DELETE ON "articles" BEGIN
  INSERT INTO meta (key, value) VALUES ('highest_article_id', old.id) ON CONFLICT (key)
    DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER));
END;
"""


# Names, quotes and near-duplicates (see analysis.py). Every secondary index
# here is written in article order: indexes keyed by random values (a name id,
# a hash) are rewritten page by page by each batch, so lookups by name go to
# the ranked search index, which holds each article's name ids.
_ANALYSIS_SQL = f"""
-- ``folded``: the name as it is found by what is typed (name_identity.fold: lower case, no accents, one
-- apostrophe), for the LIKE of a search of names; NULL only in an archive older than version 10.
CREATE TABLE IF NOT EXISTS names (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, folded TEXT, UNIQUE (name, kind)
);
CREATE TABLE IF NOT EXISTS article_names (
  article_id INTEGER NOT NULL REFERENCES articles(id), name_id INTEGER NOT NULL REFERENCES names(id),
  mentions INTEGER NOT NULL, PRIMARY KEY (article_id, name_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quotes (
  id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id), paragraph INTEGER NOT NULL,
  speaker TEXT, speaker_id INTEGER REFERENCES names(id), quote TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_quotes_article_id ON quotes(article_id);
CREATE INDEX IF NOT EXISTS idx_quotes_speaker_id ON quotes(speaker_id) WHERE speaker_id IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS "quotes_fts" USING FTS5 (
  "quote", "speaker", tokenize='{FTS_TOKENIZE}', detail={FTS_DETAIL}, content="quotes"
);
CREATE TRIGGER IF NOT EXISTS "quotes_fts_delete" AFTER DELETE ON "quotes" BEGIN
  INSERT INTO "quotes_fts" ("quotes_fts", rowid, "quote", "speaker") VALUES ('delete', old.rowid, old."quote", old."speaker");
END;
CREATE TABLE IF NOT EXISTS sketches (article_id INTEGER PRIMARY KEY REFERENCES articles(id), signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS similar_articles (
  article_id INTEGER NOT NULL REFERENCES articles(id), similar_id INTEGER NOT NULL REFERENCES articles(id),
  similarity REAL NOT NULL, PRIMARY KEY (article_id, similar_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clusters (
  article_id INTEGER PRIMARY KEY REFERENCES articles(id), cluster_id INTEGER NOT NULL REFERENCES articles(id),
  size INTEGER NOT NULL
);
-- A story's versions need not all pair with each other: an article page finds them through their story.
CREATE INDEX IF NOT EXISTS idx_clusters_cluster_id ON clusters(cluster_id);
CREATE TABLE IF NOT EXISTS similar_queue (id INTEGER PRIMARY KEY);
-- Articles whose analysis (at ingest or by `news-archive analyse`) found nothing in them (no name, quote
-- or sketch), so that `analyse` need not look again; an article that changes leaves it.
CREATE TABLE IF NOT EXISTS analysed_empty (article_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- Ids of names that were joined into another (join_same_names), so that links,
-- bookmarks and feeds made with the old id still find the name.
CREATE TABLE IF NOT EXISTS name_redirects (old_id INTEGER PRIMARY KEY, name_id INTEGER NOT NULL);
-- A person's surname alone that the archive counts for a full name ("Reagan" for Ronald Reagan), decided
-- once from the whole archive (name_aliases.py): later articles' "Reagan" goes straight to name_id.
-- ``alias`` is the surname's key (name_identity.name_key), ``spelled`` as it was shown, ``old_id`` the
-- entry it had (a redirect), ``articles`` how many articles that entry had when it was joined.
CREATE TABLE IF NOT EXISTS name_aliases (
  alias TEXT NOT NULL, kind TEXT NOT NULL, spelled TEXT NOT NULL, name_id INTEGER NOT NULL,
  old_id INTEGER, articles INTEGER NOT NULL, joined_at TEXT NOT NULL, PRIMARY KEY (alias, kind)
) WITHOUT ROWID;
-- The surnames (name_aliases.surname_of) of people saved since their surnames alone were last judged,
-- written with each batch and cleared by the judging at the end of the ingest or analysis: a run stopped
-- before its end leaves them for the next one.
CREATE TABLE IF NOT EXISTS surname_queue (surname TEXT PRIMARY KEY) WITHOUT ROWID;
"""

# What each folder ingested held the last time it was walked in full (the keys of
# the names found in it, see sources.source_key), and the files that were there
# once and are not any more. Their articles stay: an archive loses nothing because
# a folder was tidied; it says so instead.
_FOLDERS_SQL = """
CREATE TABLE IF NOT EXISTS folders (path TEXT NOT NULL, pattern TEXT NOT NULL, walked_at TEXT NOT NULL,
  files INTEGER NOT NULL, keys BLOB NOT NULL, PRIMARY KEY (path, pattern));
CREATE TABLE IF NOT EXISTS gone_sources (
  source TEXT NOT NULL, folder TEXT NOT NULL, noticed_at TEXT NOT NULL, PRIMARY KEY (folder, source)
) WITHOUT ROWID;
"""

# The earlier texts of an article: when its file changes, the text it replaces is kept here,
# in the same transaction as the update (an edit never loses what the archive held). ``since``
# is when that text was first read (the article's ingested_at or last updated_at).
# Not in the full-text indexes: searches find what the files hold now.
_HISTORY_SQL = """
CREATE TABLE IF NOT EXISTS article_versions (
  id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id), date TEXT NOT NULL,
  headline TEXT NOT NULL, body TEXT NOT NULL, sha256 TEXT NOT NULL, source TEXT NOT NULL, words INTEGER,
  since TEXT, replaced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_article_versions_article_id ON article_versions(article_id);
-- The globs an archive file was read with: an unchanged archive is skipped only for a glob it was
-- read with (another one reopens it), as a folder is known by its path and glob.
CREATE TABLE IF NOT EXISTS archive_globs (
  source TEXT NOT NULL, pattern TEXT NOT NULL, read_at TEXT NOT NULL, PRIMARY KEY (source, pattern)
) WITHOUT ROWID;
"""


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
    # WITHOUT ROWID: one B-tree keyed by source instead of a table plus an index.
    db.execute(
        "CREATE TABLE IF NOT EXISTS source_files (source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
        " sha256 TEXT, status TEXT, checked_at TEXT) WITHOUT ROWID"
    )
    db.execute("CREATE TABLE IF NOT EXISTS index_queue (id INTEGER PRIMARY KEY)")
    articles = db["articles"]
    articles.create_index(["source"], unique=True, if_not_exists=True)
    articles.create_index(["date"], if_not_exists=True)
    # Months and years are ranges of dates: the date index serves them, and
    # every index costs each insert (indexes of earlier versions are dropped).
    db.execute("DROP INDEX IF EXISTS idx_articles_month")
    db.execute("DROP INDEX IF EXISTS idx_articles_year")
    # No index on sha256: see CopyFinder.
    db.execute("DROP INDEX IF EXISTS idx_articles_sha256")
    # Copies are rare: a partial index stays tiny.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_articles_duplicate_of ON articles(duplicate_of)"
        " WHERE duplicate_of IS NOT NULL"
    )
    version = db.execute("PRAGMA user_version").fetchone()[0]
    rebuild = _drop_fts_without_positions(db.conn) if 0 < version < 7 else []
    with db.conn:
        db.conn.executescript(_FTS_SQL + ";" + _FTS_TRIGGERS + _ANALYSIS_SQL + _ID_TRIGGERS + _FOLDERS_SQL
                              + _HISTORY_SQL)
        for table in rebuild:  # made again, with positions, from the rows they index
            db.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
    if 0 < version < 10:
        with db.conn:
            _fold_names(db.conn)
    if 0 < version < 7:
        with db.conn:
            link_speakers(db.conn)
    if 0 < version < SCHEMA_VERSION:
        # The list of spellings grew since: join what it now says is one name.
        with db.conn:
            join_same_names(db.conn)
    if 0 < version < 11:
        from . import similar  # numpy: only writing needs it

        with db.conn:
            if version < 6:
                similar.apply_rules(db.conn)
            else:
                similar.rebuild_clusters(db.conn)
    if 0 < version < 9:
        from . import name_aliases

        # Every surname alone is judged once; later ingests judge the ones they touch.
        with db.conn:
            name_aliases.join_surnames(db.conn, NameIds(db.conn), everything=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _fold_names(conn: sqlite3.Connection) -> None:
    """Give an archive older than version 10 the folded spelling of every name (names.folded), and
    its surname aliases and queued surnames the keys of this version (accents aside)."""
    if "folded" not in {row[1] for row in conn.execute("PRAGMA table_info(names)")}:
        conn.execute("ALTER TABLE names ADD COLUMN folded TEXT")
    conn.executemany("UPDATE names SET folded = ? WHERE id = ?",
                     [(fold(name), name_id) for name_id, name in conn.execute("SELECT id, name FROM names")])
    from .name_aliases import key_again

    key_again(conn)


def _drop_fts_without_positions(conn: sqlite3.Connection) -> list[str]:
    """Drop the full-text indexes an older version built without word positions (and their
    triggers), for ensure_schema to make again; return their names."""
    triggers = {"articles_fts": ("articles_fts_update", "articles_fts_delete"), "quotes_fts": ("quotes_fts_delete",)}
    dropped = []
    with conn:
        for table, its_triggers in triggers.items():
            if not fts_has_positions(conn, table):
                for trigger in its_triggers:
                    conn.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
                conn.execute(f"DROP TABLE {table}")
                dropped.append(table)
    return dropped


def fts_has_positions(conn: sqlite3.Connection, table: str = "articles_fts") -> bool:
    """Whether a full-text index keeps word positions (and so can match phrases): those of
    archives made before version 7 do not, until an ingest or `serve` brings them up to date."""
    # Read in SQL: the caller's connection may hand text over as bytes (an NDJSON export).
    squeezed = "replace(replace(replace(lower(sql), ' ', ''), char(39), ''), char(34), '')"
    row = conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = ?"
                       f" AND ({squeezed} LIKE '%detail=column%' OR {squeezed} LIKE '%detail=none%')", (table,)).fetchone()
    return row is None


def link_speakers(conn: sqlite3.Connection) -> int:
    """Link the quotations whose speaker is a name their article mentions, of any kind (versions
    before 7 linked people only: "Pennzoil Co said" had no link to Pennzoil Co). Returns how many."""
    return conn.execute(
        "UPDATE quotes SET speaker_id = (SELECT n.id FROM article_names a JOIN names n ON n.id = a.name_id"
        "  WHERE a.article_id = quotes.article_id AND n.name = quotes.speaker"
        "  ORDER BY n.kind = 'person' DESC, n.kind = 'organization' DESC LIMIT 1)"
        " WHERE speaker_id IS NULL AND speaker IS NOT NULL"
    ).rowcount


def join_same_names(conn: sqlite3.Connection) -> int:
    """Make names that are one name (name_identity: "OPEC" and "Opec", "U.S." and
    "United States") one entry, as this version saves them: their articles' mentions
    are added up under the first one's id, their quotations follow, the old ids
    are kept as redirects, and the articles are queued for the ranked index,
    which holds their name ids.
    Returns how many entries went. Inside the caller's transaction."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name_id, name, kind in conn.execute("SELECT id, name, kind FROM names ORDER BY id"):
        groups.setdefault(name_key(name, kind), []).append((name_id, name))
    joined: list[tuple[int, int]] = []  # (old id, the id it joins)
    shown: list[tuple[str, str, int]] = []
    for (_, kind), members in groups.items():
        keep, name = members[0]
        better = shown_spelling(name, kind)
        for other_id, other in members[1:]:
            joined.append((other_id, keep))
            if not better and spelled_better(other, name, kind):
                name = other
        name = better or name
        if name != members[0][1]:
            shown.append((name, fold(name), keep))
    if not joined and not shown:
        return 0
    move_names(conn, joined)
    conn.executemany("UPDATE names SET name = ?, folded = ? WHERE id = ?", shown)
    return len(joined)


def move_names(conn: sqlite3.Connection, joined: list[tuple[int, int]]) -> None:
    """Join each (old id, new id) of ``joined``: the old name's mentions are added to the new one's
    in each article, its quotations follow, its entry goes, its id (and every id that led to it)
    redirects to the new one, aliases of it follow, and the articles are queued for the ranked
    index, which holds their name ids. Inside the caller's transaction."""
    if not joined:
        return
    conn.execute("CREATE TEMP TABLE joined_names (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL)")
    try:
        conn.executemany("INSERT INTO joined_names VALUES (?, ?)", joined)
        # One pass over article_names each (it has no index on name_id).
        conn.execute("CREATE TEMP TABLE moved_mentions AS SELECT a.article_id, j.new_id AS name_id, a.mentions"
                     " FROM article_names a JOIN joined_names j ON j.old_id = a.name_id")
        conn.execute("DELETE FROM article_names WHERE name_id IN (SELECT old_id FROM joined_names)")
        conn.execute("INSERT INTO article_names (article_id, name_id, mentions)"
                     " SELECT article_id, name_id, sum(mentions) FROM moved_mentions WHERE true GROUP BY 1, 2"
                     " ON CONFLICT (article_id, name_id) DO UPDATE SET mentions = mentions + excluded.mentions")
        conn.execute("INSERT OR IGNORE INTO index_queue (id) SELECT DISTINCT article_id FROM moved_mentions")
        conn.execute("UPDATE quotes SET speaker_id = (SELECT new_id FROM joined_names WHERE old_id = speaker_id)"
                     " WHERE speaker_id IN (SELECT old_id FROM joined_names)")
        conn.execute("DELETE FROM names WHERE id IN (SELECT old_id FROM joined_names)")
        conn.execute("UPDATE name_redirects SET name_id = (SELECT new_id FROM joined_names WHERE old_id = name_id)"
                     " WHERE name_id IN (SELECT old_id FROM joined_names)")
        conn.execute("INSERT OR REPLACE INTO name_redirects (old_id, name_id) SELECT old_id, new_id FROM joined_names")
        conn.execute("UPDATE name_aliases SET name_id = (SELECT new_id FROM joined_names WHERE old_id = name_id)"
                     " WHERE name_id IN (SELECT old_id FROM joined_names)")
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.moved_mentions")
        conn.execute("DROP TABLE temp.joined_names")


ARCHIVE_ID_KEY = "archive_id"


def archive_id(conn: sqlite3.Connection) -> str | None:
    """The archive's random id (``meta``), which its ranked index records so that an index beside
    another database is never taken for this one's; None for an archive that has none yet (made
    before ids, or never indexed). Reads only: readers call it."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (ARCHIVE_ID_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no meta table: an archive older than names and quotes
        return None
    return row[0] if row else None


def claim_archive_id(conn: sqlite3.Connection) -> str:
    """The archive's id, given now if it has none (at its first write with a ranked index)."""
    import secrets

    with conn:
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (ARCHIVE_ID_KEY, secrets.token_hex(16)))
        found = conn.execute("SELECT value FROM meta WHERE key = ?", (ARCHIVE_ID_KEY,)).fetchone()[0]
    return found


# Near-duplicates (similar.update) are looked for among the articles above the id recorded under
# this key and those queued again: what an ingest or analysis compares at its end, and what
# `check` says is still to compare.
SIMILAR_CHECKED_KEY = "similar_checked_to"
UNCOMPARED_ARTICLES = ("FROM articles a JOIN sketches s ON s.article_id = a.id"
                       " WHERE (a.id > ? OR a.id IN (SELECT id FROM similar_queue)) AND a.duplicate_of IS NULL")


def similar_checked_to(conn: sqlite3.Connection) -> int:
    """The id up to which every article has been compared for near-duplicates (see UNCOMPARED_ARTICLES)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (SIMILAR_CHECKED_KEY,)).fetchone()
    return int(row[0]) if row else 0


INDEX_EDITION_KEY = "index_edition"


def index_edition(conn: sqlite3.Connection) -> int:
    """The edition of the ranked index this database has reached (``meta``): raised before every
    commit that changes what the index holds, and recorded in the index's state with it, so that
    an index newer than the database (an older copy of it put back, whose highest id may be the
    same, its articles' texts older) is told apart. 0 for an archive made before editions. Reads only."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (INDEX_EDITION_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no meta table: an archive older than names and quotes
        return 0
    return int(row[0]) if row else 0


def next_index_edition(conn: sqlite3.Connection) -> int:
    """Raise the database's index edition, committed before the index commits what it is given
    for (so the index's is never above the database's), and return it."""
    with conn:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, 1) ON CONFLICT (key)"
                     " DO UPDATE SET value = CAST(value AS INTEGER) + 1", (INDEX_EDITION_KEY,))
    return index_edition(conn)


def schema_outdated(conn: sqlite3.Connection) -> bool:
    """Whether an older news-archive made this archive (ensure_schema brings it up to date)."""
    return conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """Why this database is not a news archive, or None if it is one."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in ("articles", "articles_fts", "rejects", "source_files") if t not in tables]
    if missing:
        return f"not a news archive (no {', '.join(missing)} table)"
    return None


# --- saving ------------------------------------------------------------------


class ParsedFile(NamedTuple):
    """An article file as it is saved. A tuple so that it crosses from worker
    processes cheaply."""

    source: str
    size: int
    mtime_ns: int
    sha256: str
    date: str
    headline: str
    body: str
    paragraphs: int
    words: int
    analysis: "Analysis | None" = None


class RejectedFile(NamedTuple):
    source: str
    reason: str
    size: int | None = None
    mtime_ns: int | None = None
    sha256: str | None = None
    raw: bytes | None = None


class SeenFile(NamedTuple):
    """A file whose bytes are what we already hold, seen with a new size or mtime."""

    source: str
    size: int
    mtime_ns: int
    sha256: str
    status: str


class IndexRow(NamedTuple):
    """What the ranked search index needs of an article."""

    id: int
    date: str
    headline: str
    body: str
    names: tuple[int, ...] = ()  # ids in the names table


class SaveResult(NamedTuple):
    ingested: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: list[tuple[str, str]]
    to_index: list[IndexRow]  # new originals; changed articles go through index_queue
    updated_sources: list[tuple[str, int]] = []  # (source, article id) of the articles updated


def save_batch(
    db: sqlite_utils.Database,
    parsed: Sequence[ParsedFile],
    rejected: Sequence[RejectedFile],
    seen: Sequence[SeenFile] = (),
    *,
    now: str | None = None,
    copies: CopyFinder | None = None,
    name_ids: NameIds | None = None,
    analyse: bool = True,
) -> SaveResult:
    """Write one batch in one transaction: a crash leaves all of it or none of it.
    With ``analyse``, a copy that the batch makes an original (its original changed)
    is analysed here: copies are not analysed while they are copies."""
    now = now or utc_now()
    conn = db.conn
    with conn:
        name_ids = name_ids or NameIds(conn)
        analysed: list[tuple[int, "Analysis"]] = []
        existing = _existing_articles(conn, [p.source for p in parsed])
        copies = copies or CopyFinder(conn)
        copies.compact()
        known_copies = copies.first_copies([p.sha256 for p in parsed if p.source not in existing])
        next_id = next_article_id(conn)
        inserts, updates, to_index, to_unindex = [], [], [], []
        updated_sources: list[tuple[int, str]] = []
        unchanged = duplicates = 0
        changed_hashes: set[str] = set()
        for item in parsed:
            known = existing.get(item.source)
            if known is not None and known[1] == item.sha256:
                unchanged += 1
                continue
            values = (item.date, int(item.date[:4]), item.date[:7], item.headline, item.body, item.paragraphs,
                      item.words, item.sha256)
            if known is None:
                copy_of = known_copies.get(item.sha256) or copies.recent.get(item.sha256)
                if copy_of is None:
                    copies.add(item.sha256, next_id)
                    to_index.append(IndexRow(next_id, item.date, item.headline, item.body,
                                             name_ids.ids_of(item.analysis)))
                    if item.analysis:
                        analysed.append((next_id, item.analysis))
                else:
                    duplicates += 1
                inserts.append((next_id, item.source, *values, now, copy_of))
                existing[item.source] = (next_id, item.sha256)
                next_id += 1
            else:
                updates.append((*values, now, known[0]))
                updated_sources.append((known[0], item.source))
                copies.add(item.sha256, known[0])
                changed_hashes.update((known[1], item.sha256))
                existing[item.source] = (known[0], item.sha256)
                to_unindex.append(known[0])
                if item.analysis:
                    analysed.append((known[0], item.analysis))
        conn.executemany(
            "INSERT INTO articles (id, source, date, year, month, headline, body, paragraphs, words, sha256,"
            " ingested_at, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        conn.executemany(
            'INSERT INTO articles_fts (rowid, "headline", "body") VALUES (?, ?, ?)',
            [(row[0], row[5], row[6]) for row in inserts],
        )
        # The text an update replaces is kept, in this same transaction.
        conn.executemany(
            "INSERT INTO article_versions (article_id, date, headline, body, sha256, source, words, since, replaced_at)"
            " SELECT id, date, headline, body, sha256, source, words, coalesce(updated_at, ingested_at), ?"
            " FROM articles WHERE id = ?",
            [(now, update[-1]) for update in updates],
        )
        conn.executemany(
            "UPDATE articles SET date = ?, year = ?, month = ?, headline = ?, body = ?, paragraphs = ?,"
            " words = ?, sha256 = ?, updated_at = ? WHERE id = ?",
            updates,
        )
        _save_analysis(conn, analysed, name_ids, replace=[update[-1] for update in updates])
        if changed_hashes:
            # Changed files can make or break copies anywhere: the search index hears of each.
            affected, originals = _mark_duplicates(conn, changed_hashes)
            copies.recent.update(originals)  # later copies in this ingest point at the first, not at a copy
            to_unindex.extend(affected)
            if analyse:
                _analyse_promoted(conn, affected, {article_id for article_id, _ in analysed}, name_ids)
            conn.executemany("INSERT OR IGNORE INTO index_queue (id) VALUES (?)", [(i,) for i in set(to_unindex)])
        for chunk in _chunks([p.source for p in parsed], _IN_CHUNK):
            conn.execute(f"DELETE FROM rejects WHERE source IN ({_marks(chunk)})", chunk)
        conn.executemany(
            "INSERT OR REPLACE INTO rejects (source, reason, rejected_at, size, sha256, raw) VALUES (?, ?, ?, ?, ?, ?)",
            [(r.source, r.reason, now, r.size, r.sha256, r.raw) for r in rejected],
        )
        ledger = [(p.source, p.size, p.mtime_ns, p.sha256, "article", now) for p in parsed]
        ledger += [(r.source, r.size, r.mtime_ns, r.sha256, "rejected", now) for r in rejected]
        ledger += [(s.source, s.size, s.mtime_ns, s.sha256, s.status, now) for s in seen]
        conn.executemany(
            "INSERT OR REPLACE INTO source_files (source, size, mtime_ns, sha256, status, checked_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ledger,
        )
    return SaveResult(
        ingested=len(inserts) - duplicates,
        updated=len(updates),
        unchanged=unchanged,
        duplicates=duplicates,
        rejected=[(r.source, r.reason) for r in rejected],
        to_index=to_index,
        updated_sources=[(source, article_id) for article_id, source in updated_sources],
    )


def next_article_id(conn: sqlite3.Connection) -> int:
    """The id the next new article gets: above every id ever given, so that an id is never given
    twice (links, and the ranked index's record of the highest id it holds, rely on that)."""
    return highest_article_id(conn) + 1


def highest_article_id(conn: sqlite3.Connection) -> int:
    """The highest id this archive has given an article, whether that article is still there or
    went (a moved file's copy, see record_folders; a row deleted by hand): ``meta`` keeps the
    highest of those that went. The ranked index holds no id above it unless it was built from a
    later copy of this database. Reads only: readers call it."""
    top = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
    try:
        taken = conn.execute("SELECT value FROM meta WHERE key = 'highest_article_id'").fetchone()
    except sqlite3.OperationalError:  # no meta table: an archive older than names and quotes
        taken = None
    return max(top, int(taken[0]) if taken else 0)


class NameIds:
    """Ids of names, kept in memory for the length of an ingest; new names get new ids.
    Spellings that are one name (see name_identity) share an id, and a surname alone that
    the archive counts for a full name (name_aliases) has that name's id."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.ids: dict[tuple[str, str], int] = {}  # as written -> id
        self.by_key: dict[tuple[str, str], tuple[int, str]] = {}  # name_key -> (id, shown name)
        for i, name, kind in conn.execute("SELECT id, name, kind FROM names ORDER BY id"):
            self.ids[name, kind] = i
            self.by_key.setdefault(name_key(name, kind), (i, name))
        self.next_id = max(self.ids.values(), default=0) + 1
        self.aliases: dict[tuple[str, str], int] = {}  # name_key of a surname alone -> the full name's id
        try:
            self.aliases.update(((alias, kind), name_id) for alias, kind, name_id in conn.execute(
                "SELECT alias, kind, name_id FROM name_aliases WHERE name_id IN (SELECT id FROM names)"))
        except sqlite3.OperationalError:  # an archive older than aliases, not written to yet
            pass
        # A surname alone that is also an entry of its own (from articles naming two people of that
        # surname, see in_article) is found through its alias, not as written.
        for written in [written for written in self.ids if written[1] == "person" and " " not in written[0]
                        and name_key(*written) in self.aliases]:
            del self.ids[written]
        self.new: list[tuple[int, str, str]] = []
        self.renamed: dict[int, tuple[str, str]] = {}  # id -> (shown name, kind) from now on
        self.people: set[str] = set()  # people's names as written since the last flush (see name_aliases)

    def id_of(self, name: str, kind: str, alias: bool = True) -> int:
        """The id of a name; with ``alias`` false, a surname alone the archive counts for a full name
        keeps an entry of its own (see in_article)."""
        if kind == "person":
            self.people.add(name)
        if not alias:
            key = name_key(name, kind)
            if key in self.aliases:
                return self._id_of_key(name, kind, key)
        found = self.ids.get((name, kind))
        if found is None:
            key = name_key(name, kind)
            found = self.aliases.get(key)
            if found is None:
                found = self._id_of_key(name, kind, key)
            self.ids[name, kind] = found
        return found

    def _id_of_key(self, name: str, kind: str, key: tuple[str, str]) -> int:
        known = self.by_key.get(key)
        if known is None:
            shown = shown_spelling(name, kind) or name
            known = self.by_key[key] = (self.next_id, shown)
            self.new.append((self.next_id, shown, kind))
            self.next_id += 1
        elif spelled_better(name, known[1], kind) and not shown_spelling(name, kind):
            known = self.by_key[key] = (known[0], name)
            self.renamed[known[0]] = (name, kind)
        return known[0]

    def alias(self, key: tuple[str, str], name_id: int) -> None:
        """From now on ``key`` (a surname alone) is the name ``name_id``; the entry it had is gone."""
        gone = self.by_key.pop(key, None)
        if gone is not None:
            for written in [written for written, i in self.ids.items() if i == gone[0]]:
                del self.ids[written]
        self.aliases[key] = name_id

    def ids_of(self, analysis: "Analysis | None") -> tuple[int, ...]:
        if not analysis:
            return ()
        return tuple(dict.fromkeys(self.in_article(analysis.names)))

    def in_article(self, names: "Sequence[tuple[str, str, int]]") -> list[int]:
        """The ids of an article's names, in order. A surname alone goes to the full name the archive
        counts it for only when the article names no one of that surname: the name finder counts it
        for the one it names, and one in an article that names two ("Senator Dole" beside Robert and
        Elizabeth Dole) is neither's, not the archive's choice."""
        named = {surname_key(name) for name, kind, _ in names if kind == "person" and " " in name}
        return [self.id_of(name, kind, alias=not (kind == "person" and " " not in name
                                                  and name_key(name, kind)[0] in named))
                for name, kind, _ in names]

    def flush(self) -> None:
        """Write the names first seen since the last flush (inside the caller's transaction)."""
        self.conn.executemany("INSERT INTO names (id, name, kind, folded) VALUES (?, ?, ?, ?)",
                              [(*new, fold(new[1])) for new in self.new])
        self.new = []
        if self.people:
            from .name_aliases import queue_surnames

            # With the batch that saved them: their surnames alone are judged at the end of the run,
            # or by the next run if this one is stopped before.
            queue_surnames(self.conn, self.people)
            self.people = set()
        if self.renamed:
            self.conn.executemany("UPDATE names SET name = ?, folded = ? WHERE id = ?",
                                  [(name, fold(name), i) for i, (name, _) in self.renamed.items()])
            self.renamed = {}


def _save_analysis(conn: sqlite3.Connection, analysed: "list[tuple[int, Analysis]]", name_ids: NameIds,
                   replace: list[int]) -> None:
    """Names, quotes and sketches of the articles just saved; old ones first removed for changed articles."""
    for chunk in _chunks(replace, _IN_CHUNK):
        marks = _marks(chunk)
        for table in ("article_names", "quotes", "sketches", "analysed_empty"):
            conn.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM similar_articles WHERE article_id IN ({marks}) OR similar_id IN ({marks})",
                     chunk + chunk)
        conn.executemany("INSERT OR IGNORE INTO similar_queue (id) VALUES (?)", [(i,) for i in chunk])
    mentions, said, sketches = [], [], []
    next_quote = (conn.execute("SELECT max(id) FROM quotes").fetchone()[0] or 0) + 1
    for article_id, analysis in analysed:
        # A speaker is linked to the name of the article it is: a person, else an organisation
        # ("Pennzoil Co said") or a place ("Japan said").
        speakers: dict[str, int] = {}
        counted: dict[int, int] = {}  # name id -> mentions: "U.S." and "United States" are one name
        ordered = sorted(analysis.names, key=_speaker_preference)
        for (name, kind, count), name_id in zip(ordered, name_ids.in_article(ordered)):
            counted[name_id] = counted.get(name_id, 0) + count
            speakers.setdefault(name, name_id)
        mentions.extend((article_id, name_id, count) for name_id, count in counted.items())
        for paragraph, speaker, text in analysis.quotes:
            said.append((next_quote, article_id, paragraph, speaker, speakers.get(speaker or ""), text))
            next_quote += 1
        if analysis.signature:
            sketches.append((article_id, analysis.signature))
    name_ids.flush()
    conn.executemany("INSERT OR REPLACE INTO article_names (article_id, name_id, mentions) VALUES (?, ?, ?)", mentions)
    conn.executemany(
        "INSERT INTO quotes (id, article_id, paragraph, speaker, speaker_id, quote) VALUES (?, ?, ?, ?, ?, ?)", said)
    conn.executemany('INSERT INTO quotes_fts (rowid, "quote", "speaker") VALUES (?, ?, ?)',
                     [(q[0], q[5], q[3]) for q in said])
    conn.executemany("INSERT OR REPLACE INTO sketches (article_id, signature) VALUES (?, ?)", sketches)
    # An article analysed and found to hold nothing (too short for a sketch, no names, no quotes) is
    # remembered as analysed, by ingest and analyse alike: `analyse` would otherwise take it for one
    # ingested with --no-analysis and analyse it again.
    conn.executemany("INSERT OR IGNORE INTO analysed_empty (article_id) VALUES (?)",
                     [(i,) for i, found in analysed if not (found.names or found.quotes or found.signature)])


def _speaker_preference(found: tuple) -> int:
    return _SPEAKER_KINDS.get(found[1], len(_SPEAKER_KINDS))


_SPEAKER_KINDS = {"person": 0, "organization": 1, "place": 2}


def replace_analysis(conn: sqlite3.Connection, analysed: "list[tuple[int, Analysis]]", name_ids: NameIds) -> None:
    """Names, quotes and sketches of stored articles analysed again (inside the
    caller's transaction): the old ones go, near-duplicates are looked for again,
    and the ranked index is told of their names."""
    ids = [article_id for article_id, _ in analysed]
    _save_analysis(conn, analysed, name_ids, replace=ids)
    conn.executemany("INSERT OR IGNORE INTO index_queue (id) VALUES (?)", [(i,) for i in ids])


def drop_unused_names(conn: sqlite3.Connection) -> int:
    """Delete names that no article mentions and no quotation is attributed to
    (after analysis changed them); return how many."""
    # Uncorrelated IN: each list is read once (article_names has no index on
    # name_id, so a NOT EXISTS per name would read the table once per name).
    dropped = conn.execute(
        "DELETE FROM names WHERE id NOT IN (SELECT name_id FROM article_names)"
        " AND id NOT IN (SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL)"
    ).rowcount
    if dropped:  # a surname alone counted for a name that went is a name of its own again
        conn.execute("DELETE FROM name_aliases WHERE name_id NOT IN (SELECT id FROM names)")
    return dropped


def _analyse_promoted(conn: sqlite3.Connection, affected: list[int], analysed: set[int], name_ids: NameIds) -> None:
    """Names, quotes and sketches of the articles among ``affected`` that are now
    originals and were not analysed in this batch (rare: their original changed)."""
    wanted = [article_id for article_id in affected if article_id not in analysed]
    promoted: list[tuple[int, str]] = []
    for chunk in _chunks(wanted, _IN_CHUNK):
        promoted += conn.execute(
            f"SELECT id, body FROM articles WHERE id IN ({_marks(chunk)}) AND duplicate_of IS NULL", chunk)
    if promoted:
        from .analysis import analyse_many  # numpy: only an ingest needs it

        found = analyse_many([body for _, body in promoted])
        _save_analysis(conn, [(article_id, a) for (article_id, _), a in zip(promoted, found)], name_ids,
                       replace=[article_id for article_id, _ in promoted])


def record_container(db: sqlite_utils.Database, source: str, size: int, mtime_ns: int,
                     members: frozenset[str] | None = None, now: str | None = None,
                     pattern: str | None = None, moved: list[MovedFile] | None = None) -> list[GoneFile]:
    """Remember an archive file's size and mtime (and the glob it was read with) so an unchanged
    archive is not reopened for that glob, and note in ``gone_sources`` (the archive as their folder)
    the members it held before and does not now; a member that is back is no longer gone. Only the
    members the glob matches are compared: reading an archive for its ``*.md`` members does not make
    its ``.txt`` ones gone. ``members`` is None for a damaged archive, whose members after the damage
    were not seen: nothing is said gone then. An archive read whole clears its own reject (it was
    damaged, and is not now). A member gone whose exact bytes were stored in this ingest (at ``now``)
    under a name new in the archive was renamed inside it (``a.txt`` -> ``1987/a.txt``): moved, as a
    file in a folder is (see record_folders), and listed in ``moved``."""
    from .sources import DEFAULT_GLOB, member_matches

    now = now or utc_now()
    pattern = pattern or DEFAULT_GLOB
    gone: list[GoneFile] = []
    with db.conn:
        conn = db.conn
        if members is not None:
            before = [(member, status) for member, status in conn.execute(
                "SELECT source, status FROM source_files WHERE source >= ? AND source < ? ORDER BY source",
                (source + "!", source + '"')) if member_matches(member[len(source) + 1:], pattern)]
            noted = {member for (member,) in conn.execute("SELECT source FROM gone_sources WHERE folder = ?", (source,))}
            # Said once, when first missed; the ledger keeps the names of members gone long ago.
            newly = [(member, status) for member, status in before if member not in members and member not in noted]
            if newly:
                newly = _renamed_members(conn, source, newly, now, moved)
            conn.executemany("INSERT INTO gone_sources (source, folder, noticed_at) VALUES (?, ?, ?)",
                             [(member, source, now) for member, _ in newly])
            gone = [GoneFile(member, source, status) for member, status in newly]
            conn.executemany("DELETE FROM gone_sources WHERE folder = ? AND source = ?",
                             [(source, member) for member in noted if member in members])
            conn.execute("DELETE FROM rejects WHERE source = ?", (source,))  # read whole: not damaged (any more)
        was = conn.execute("SELECT size, mtime_ns FROM source_files WHERE source = ? AND status = 'archive'",
                           (source,)).fetchone()
        if was != (size, mtime_ns):  # it changed since (or is new): what other globs read of it is out of date
            conn.execute("DELETE FROM archive_globs WHERE source = ?", (source,))
        conn.execute("INSERT OR REPLACE INTO archive_globs (source, pattern, read_at) VALUES (?, ?, ?)",
                     (source, pattern, now))
        conn.execute(
            "INSERT OR REPLACE INTO source_files (source, size, mtime_ns, sha256, status, checked_at)"
            " VALUES (?, ?, ?, NULL, 'archive', ?)",
            (source, size, mtime_ns, now),
        )
    return gone


def _renamed_members(conn: sqlite3.Connection, archive: str, gone: list[tuple[str, str]], now: str,
                     moved: list[MovedFile] | None) -> list[tuple[str, str]]:
    """Record as moved those of an archive's ``gone`` members (source, status) that were renamed
    inside it (see record_container); return the others, which are gone."""
    from .sources import source_key

    span = (archive + "!", archive + '"', now)
    arrived = {source_key(member) for (member,) in conn.execute(
        "SELECT source FROM articles WHERE source >= ? AND source < ? AND ingested_at = ?", span)}
    arrived |= {source_key(member) for (member,) in conn.execute(
        "SELECT source FROM rejects WHERE source >= ? AND source < ? AND rejected_at = ?", span)}
    if not arrived:
        return gone
    moves = _moves(conn, [member for member, status in gone if status == "article"], arrived, archive)
    moves += _moved_rejects(conn, [member for member, status in gone if status == "rejected"], arrived, archive)
    if not moves:
        return gone
    _record_moves(conn, moves)
    if moved is not None:
        moved += [move for move, _ in moves]
    went = {move.source for move, _ in moves}
    return [(member, status) for member, status in gone if member not in went]


def _existing_articles(conn: sqlite3.Connection, sources: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sources, _IN_CHUNK):
        rows = conn.execute(f"SELECT source, id, sha256 FROM articles WHERE source IN ({_marks(chunk)})", chunk)
        found.update((source, (id_, sha)) for source, id_, sha in rows)
    return found


class CopyFinder:
    """Which stored article has exactly these bytes, by SHA-256.

    An index on the hash column would be written at random places by every
    batch (hashes are random), rewriting most of its pages into the WAL each
    time; on a large archive that dominated the ingest. Instead the first 64
    bits of every original's hash are kept in memory as sorted numpy arrays
    (16 bytes an article), and a hit is confirmed against the full hash."""

    def __init__(self, conn: sqlite3.Connection):
        global np
        import numpy as np  # only an ingest needs it

        self.conn = conn
        ids, keys = [], []
        for article_id, sha in conn.execute("SELECT id, sha256 FROM articles WHERE duplicate_of IS NULL"):
            ids.append(article_id)
            keys.append(_hash_key(sha))
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self.keys = np.array(keys, dtype=np.int64)[order]
        self.ids = np.array(ids, dtype=np.int64)[order]
        self.recent: dict[str, int] = {}  # full hash -> id, added since the arrays were built

    def first_copies(self, hashes: Sequence[str]) -> dict[str, int]:
        """The first copy of each hash that has one, looked up for a whole batch at once."""
        found = {sha: self.recent[sha] for sha in hashes if sha in self.recent}
        rest = [sha for sha in hashes if sha not in found]
        if rest and len(self.keys):
            keys = np.fromiter(map(_hash_key, rest), dtype=np.int64, count=len(rest))
            at = np.searchsorted(self.keys, keys)
            hit = (at < len(self.keys)) & (self.keys[np.minimum(at, len(self.keys) - 1)] == keys)
            for index in np.flatnonzero(hit):
                first = self.first_copy(rest[index])
                if first is not None:
                    found[rest[index]] = first
        return found

    def first_copy(self, sha: str) -> int | None:
        if sha in self.recent:
            return self.recent[sha]
        key = _hash_key(sha)
        candidates = []
        at = int(np.searchsorted(self.keys, key))
        while at < len(self.keys) and self.keys[at] == key:
            candidates.append(int(self.ids[at]))
            at += 1
        for article_id in sorted(candidates):
            row = self.conn.execute("SELECT sha256, duplicate_of FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row and row[0] == sha:  # not a stale entry of a file that changed since
                return row[1] or article_id
        return None

    def add(self, sha: str, article_id: int) -> None:
        self.recent.setdefault(sha, article_id)

    def compact(self) -> None:
        """Fold recent additions into the arrays (16 bytes an article). Only when
        they are all saved, since hits in the arrays are checked against the table."""
        if len(self.recent) >= 100_000:
            keys = np.concatenate([self.keys, np.fromiter(map(_hash_key, self.recent), dtype=np.int64)])
            ids = np.concatenate([self.ids, np.fromiter(self.recent.values(), dtype=np.int64)])
            order = np.argsort(keys, kind="stable")
            self.keys, self.ids, self.recent = keys[order], ids[order], {}


class FolderWalk:
    """What one folder given to an ingest holds: the keys (sources.source_key) of the
    names found in it, and whether every subfolder could be listed."""

    def __init__(self, path: str, shown: str, pattern: str):
        from array import array

        self.path, self.shown, self.pattern = path, shown, pattern  # real path, path as given, glob
        self.keys = array("Q")
        self.complete = True
        self.renamed: dict[int, int] = {}  # key of a name in the folder -> key of the name it is stored under


class GoneFile(NamedTuple):
    source: str
    folder: str  # as given to the ingest
    was: str = "article"  # what the ledger held of it: "article", "rejected", "rejected unread" or "archive"


class MovedFile(NamedTuple):
    source: str  # the name it had
    to: str  # the name it has now
    folder: str  # as given to the ingest
    article_id: int | None  # None for a reject that moved
    copy_id: int | None = None  # the id its new name was saved under as a copy, until the move was seen


def record_folders(conn: sqlite3.Connection, walks: Iterable[FolderWalk], now: str,
                   moved: list[MovedFile] | None = None) -> list[GoneFile]:
    """Remember what each folder held, and note in ``gone_sources`` the files that were in it at its
    last complete walk and are not now; their articles (or rejects) stay where they are. A file that
    is back is no longer gone. Keys are compared, not names: a million names would not fit the memory
    budget, their 8-byte keys do; names are looked up only for the keys that went missing.

    A gone article file whose exact bytes arrived in the same folder under a new name since its last
    walk was moved, not lost: its article takes the new name, the copy the new name made is taken
    back, and it is listed in ``moved`` instead of gone. The same for the members of a gone archive
    file, and for a file packed into an archive new in the folder or taken out of one (see
    _moved_files). Only the few gone files are looked at."""
    global np
    import numpy as np

    from .sources import source_key

    gone: list[GoneFile] = []
    with conn:
        for walk in walks:
            if not walk.complete:
                continue  # a subfolder could not be listed: its files were not seen, which is not gone
            current = np.unique(np.frombuffer(walk.keys, dtype=np.uint64))
            if walk.renamed:
                replaced = np.fromiter(walk.renamed, dtype=np.uint64, count=len(walk.renamed))
                aliases = np.fromiter(walk.renamed.values(), dtype=np.uint64, count=len(walk.renamed))
                current = np.union1d(np.setdiff1d(current, replaced), aliases)
            row = conn.execute("SELECT keys FROM folders WHERE path = ? AND pattern = ?",
                               (walk.path, walk.pattern)).fetchone()
            before = np.frombuffer(row[0], dtype=np.uint64) if row else np.empty(0, dtype=np.uint64)
            missing = np.setdiff1d(before, current, assume_unique=True)
            if walk.renamed and missing.size:  # still there, under another name (ingest.NameClashes): not gone
                missing = np.setdiff1d(missing, np.fromiter(walk.renamed, dtype=np.uint64, count=len(walk.renamed)))
            if missing.size:
                wanted = set(missing.tolist())
                arrived = set(np.setdiff1d(current, before, assume_unique=True).tolist())
                found, archives_arrived = [], []
                for source, status in conn.execute("SELECT source, status FROM source_files"):
                    key = source_key(source)
                    if key in wanted:
                        found.append((source, status))
                    elif status == "archive" and key in arrived:
                        archives_arrived.append(source)
                found.sort()
                found = _folders_now_walked(conn, found, walk.path)
                moves, left_behind = _moved_files(conn, found, arrived, archives_arrived, walk.shown)
                if moves:
                    _record_moves(conn, moves)
                    if moved is not None:
                        moved += [move for move, _ in moves]
                    went = {move.source for move, _ in moves}
                    found = [(source, status) for source, status in found if source not in went]
                if left_behind:
                    found = [(source, status) for source, status in found if source not in left_behind]
                    for archive, members in left_behind.items():
                        gone += _archive_moved(conn, archive, members, now)
                conn.executemany("INSERT OR IGNORE INTO gone_sources (source, folder, noticed_at) VALUES (?, ?, ?)",
                                 [(source, walk.path, now) for source, _ in found])
                gone += [GoneFile(source, walk.shown, _was(conn, source, status)) for source, status in found]
            noted = [source for (source,) in conn.execute("SELECT source FROM gone_sources WHERE folder = ?",
                                                           (walk.path,))]
            if noted:
                keys = np.fromiter(map(source_key, noted), dtype=np.uint64, count=len(noted))
                back = [(walk.path, source) for source, is_back in zip(noted, np.isin(keys, current)) if is_back]
                conn.executemany("DELETE FROM gone_sources WHERE folder = ? AND source = ?", back)
            conn.execute(
                "INSERT OR REPLACE INTO folders (path, pattern, walked_at, files, keys) VALUES (?, ?, ?, ?, ?)",
                (walk.path, walk.pattern, now, len(current), current.tobytes()),
            )
    return gone


def _folders_now_walked(conn: sqlite3.Connection, found: list[tuple[str, str]], folder: str) -> list[tuple[str, str]]:
    """``found`` (gone sources, status) less the rejects that are folders the walk now went into: a link
    to a folder refused before (outside the folder walked, without --follow-links) and followed now. Its
    files are the folder's now; the reject's reason no longer holds, so it goes, and it is not gone."""
    entered = [source for source, status in found
               if status == "rejected" and "!" not in source and os.path.isdir(os.path.join(folder, source))]
    for source in entered:
        conn.execute("DELETE FROM rejects WHERE source = ?", (source,))
        conn.execute("DELETE FROM source_files WHERE source = ?", (source,))
    return [(source, status) for source, status in found if source not in entered] if entered else found


def _was(conn: sqlite3.Connection, source: str, status: str) -> str:
    """What a gone file was, as said of it: a reject whose bytes could not be read is "rejected unread"."""
    if status == "rejected":
        row = conn.execute("SELECT raw IS NULL FROM rejects WHERE source = ?", (source,)).fetchone()
        return "rejected unread" if row and row[0] else "rejected"
    return status or "article"


def _moves(conn: sqlite3.Connection, gone: list[str], arrived: set[int], folder: str) -> list[tuple[MovedFile, int]]:
    """Which of the ``gone`` article files came back under a new name: a copy of their bytes, stored
    since the folder's last walk under a name that is new in the folder (its key in ``arrived``).
    A copy of a file's bytes points at their first copy (the partial index on duplicate_of finds it);
    each copy is used once, a copy of the same base name first ("a.txt" -> "1987/a.txt"): two
    files of the same bytes moved together each keep their own name."""
    from .sources import source_key

    wanted: list[tuple[str, int, list[tuple[bool, int, str]]]] = []
    for source in gone:
        row = conn.execute("SELECT id, sha256, duplicate_of FROM articles WHERE source = ?", (source,)).fetchone()
        if row is None:
            continue
        article_id, sha, duplicate_of = row
        base = _base_name(source)
        wanted.append((source, article_id, sorted(
            (_base_name(copy_source) != base, copy_id, copy_source)
            for copy_id, copy_source, copy_sha in conn.execute(
                "SELECT id, source, sha256 FROM articles WHERE duplicate_of = ? AND id > ?",
                (duplicate_of or article_id, article_id))
            if copy_sha == sha and source_key(copy_source) in arrived)))
    found: dict[str, tuple[MovedFile, int]] = {}
    used: set[int] = set()
    for same_name_only in (True, False):
        for source, article_id, candidates in wanted:
            if source in found:
                continue
            for renamed, copy_id, copy_source in candidates:
                if copy_id not in used and not (same_name_only and renamed):
                    used.add(copy_id)
                    found[source] = (MovedFile(source, copy_source, folder, article_id, copy_id), copy_id)
                    break
    return [found[source] for source, _, _ in wanted if source in found]


def _base_name(source: str) -> str:
    """A file's or an archive member's own name: "a.txt" of "1987/a.txt" and of "pack.zip!a.txt"."""
    return source.replace("!", "/").rsplit("/", 1)[-1]


def _moved_rejects(conn: sqlite3.Connection, gone: list[str], arrived: set[int], folder: str,
                   ) -> list[tuple[MovedFile, None]]:
    """The gone rejects whose bytes are rejected again under a name new in the folder: moved too
    (the reject under the new name holds the same bytes; the old record goes)."""
    from .sources import source_key

    if not gone:
        return []
    old = {source: sha for source, sha in conn.execute(
        f"SELECT source, sha256 FROM rejects WHERE source IN ({_marks(gone)}) AND sha256 IS NOT NULL", gone)}
    if not old:
        return []
    shas = sorted(set(old.values()))
    fresh: dict[str, list[str]] = {}
    for source, sha in conn.execute(f"SELECT source, sha256 FROM rejects WHERE sha256 IN ({_marks(shas)})", shas):
        if source not in old and source_key(source) in arrived:
            fresh.setdefault(sha, []).append(source)
    moves = []
    for source, sha in sorted(old.items()):
        base = _base_name(source)
        candidates = sorted(fresh.get(sha, []), key=lambda name: (_base_name(name) != base, name))
        if candidates:
            fresh[sha].remove(candidates[0])
            moves.append((MovedFile(source, candidates[0], folder, None), None))
    return moves


def _moved_files(conn: sqlite3.Connection, found: list[tuple[str, str]], arrived: set[int],
                 archives_arrived: list[str], folder: str,
                 ) -> tuple[list[tuple[MovedFile, int | None]], dict[str, list[tuple[str, str]]]]:
    """Which of the gone files ``found`` (source, status) moved: the gone loose files, and the
    members of the gone archive files, whose bytes were stored since the folder's last walk under a
    name new in it: a loose file (its key in ``arrived``) or a member of an archive file new in the
    folder (``archives_arrived``). So a file is moved, not gone and copied, whether it was renamed,
    put in a subfolder, packed into an archive or taken out of one, and an archive whether it was
    renamed or rebuilt (its members' bytes decide, not the archive's). Also, for each gone archive
    with a member that moved (the archive moved, it is not gone), its members that did not move
    and were not gone from it already: (source, status)."""
    from .sources import source_key

    held = {source: _members_held(conn, source) for source, status in found if status == "archive"}
    arriving = arrived | {source_key(member) for archive in archives_arrived
                          for member, _ in _members_held(conn, archive)}
    if not arriving:
        return [], {}
    gone = found + [member for members in held.values() for member in members]
    # One call each for all of them, so that each copy is used once.
    moves = _moves(conn, [source for source, status in gone if status == "article"], arriving, folder)
    moves += _moved_rejects(conn, [source for source, status in gone if status == "rejected"], arriving, folder)
    went = {move.source for move, _ in moves}
    left_behind = {archive: [(member, status) for member, status in members if member not in went]
                   for archive, members in held.items() if any(member in went for member, _ in members)}
    return moves, left_behind


def _members_held(conn: sqlite3.Connection, archive: str) -> list[tuple[str, str]]:
    """(source, status) of the members an archive file held at its last read (not those gone from it)."""
    return conn.execute(
        "SELECT s.source, s.status FROM source_files s WHERE s.source >= ? AND s.source < ?"
        " AND NOT EXISTS (SELECT 1 FROM gone_sources g WHERE g.folder = ? AND g.source = s.source)"
        " ORDER BY s.source", (archive + "!", archive + '"', archive)).fetchall()


def _archive_moved(conn: sqlite3.Connection, archive: str, left_behind: list[tuple[str, str]],
                   now: str) -> list[GoneFile]:
    """An archive file that moved (some of its members did) is not gone; those of its members that
    did not move are gone from it, as members taken out of an archive that changed are. Its own
    record goes: under its old name it is read afresh if it comes back (its members moved away)."""
    conn.executemany("INSERT OR IGNORE INTO gone_sources (source, folder, noticed_at) VALUES (?, ?, ?)",
                     [(member, archive, now) for member, _ in left_behind])
    conn.execute("DELETE FROM source_files WHERE source = ?", (archive,))
    conn.execute("DELETE FROM archive_globs WHERE source = ?", (archive,))
    return [GoneFile(member, archive, _was(conn, member, status)) for member, status in left_behind]


def _record_moves(conn: sqlite3.Connection, moves: list[tuple[MovedFile, int | None]]) -> None:
    """Each moved article takes its new name; the copy its new name was stored as goes (a copy
    is never analysed nor in the ranked index; its id stays taken, see highest_article_id).
    A moved reject's old record goes: the reject under its new name holds the same bytes."""
    for move, copy_id in moves:
        if copy_id is None:
            conn.execute("DELETE FROM rejects WHERE source = ?", (move.source,))
            conn.execute("DELETE FROM source_files WHERE source = ?", (move.source,))
            continue
        for table, column in (("article_names", "article_id"), ("quotes", "article_id"), ("sketches", "article_id"),
                              ("analysed_empty", "article_id"), ("clusters", "article_id"),
                              ("similar_articles", "article_id"), ("similar_queue", "id"), ("index_queue", "id")):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (copy_id,))
        conn.execute("DELETE FROM articles WHERE id = ?", (copy_id,))
        conn.execute("UPDATE articles SET source = ? WHERE id = ?", (move.to, move.article_id))
        conn.execute("DELETE FROM source_files WHERE source = ?", (move.source,))
def _hash_key(sha: str) -> int:
    return int(sha[:16], 16) - (1 << 63)  # the first 64 bits, as a signed int64


def _mark_duplicates(conn: sqlite3.Connection, hashes: Iterable[str]) -> tuple[list[int], dict[str, int]]:
    """Point every copy of the same bytes at the first of them, the one whose file held them first
    (an article edited into a copy of another becomes the copy, not the untouched one), by id when
    that is a tie; return the ids that changed and each hash's first copy.
    Only changed files call this: one scan of the (unindexed) hash column per batch."""
    wanted = sorted(set(hashes))
    rows: list[tuple[int, str, int | None, str]] = []
    for chunk in _chunks(wanted, _IN_CHUNK):
        rows += conn.execute("SELECT id, sha256, duplicate_of, coalesce(updated_at, ingested_at) FROM articles"
                             f" WHERE sha256 IN ({_marks(chunk)})", chunk)
    first: dict[str, tuple[str, int]] = {}
    for article_id, sha, _, since in rows:
        first[sha] = min(first.get(sha, (since, article_id)), (since, article_id))
    changed = []
    for article_id, sha, duplicate_of, _ in rows:
        should_be = None if first[sha][1] == article_id else first[sha][1]
        if duplicate_of != should_be:
            changed.append((should_be, article_id))
    conn.executemany("UPDATE articles SET duplicate_of = ? WHERE id = ?", changed)
    return [article_id for _, article_id in changed], {sha: article_id for sha, (_, article_id) in first.items()}


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items: Sequence) -> str:
    return ", ".join("?" * len(items))
