"""The ranked search index: a tantivy index beside the SQLite archive.

Why: FTS5 scores every match to rank them (no top-k pruning), so a common
word in a million articles takes a fifth of a second; tantivy's block-max
WAND finds the best 20 in about a millisecond, counts matches, and builds
date histograms for timelines and facets (see docs/benchmarks.md).

SQLite stays the source of truth; this index is derived and can always be
rebuilt from it. It lives in ``<database>.index/`` and holds, for each
original article (exact copies are left out), its id, its date as a day
number and a month number, and its headline and body, tokenised with the
same analyzer used to read queries.

Keeping it in step, crash-safely: ``state.json`` records the highest article
id the index holds, and the id of the archive it was built from (``meta`` in
SQLite), so that an index beside another database, or beside an older copy of
its own (whose highest id ever given, ``store.highest_article_id``, is lower:
ids are never given twice, and articles that go leave theirs taken), is never
taken for the archive's: readers fall back to FTS5 and the next ingest rebuilds
it. An older copy with the same highest id (taken before some articles changed)
is told by the edition: a number raised in SQLite before every commit that
changes what the index holds, and recorded in the state with it, so an index
whose edition is above its database's was written after that copy was made.
New articles are fed as they are saved and committed every so often; changed
articles are queued in SQLite's ``index_queue``. Opening a writer first catches
up with everything above the recorded id and everything queued, so a killed
ingest leaves nothing behind for long.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import tantivy

from .query import BARE_GREEK_LETTERS, Query, Term, bare_greek
from .store import IndexRow, archive_id, highest_article_id, index_edition, next_index_edition

ANALYZER = "news"
HEADLINE_BOOST = 4.0
STATE_FILE = "news_archive_state.json"
STATE_VERSION = 7  # 2: names; 3: words unstemmed, forms found at query time; 4: sample; 5: when; 6: long words;
# 7: Greek words without their accents (query.bare_greek)
# "when" holds the day above the id: ids up to 2**40, days up to year 9999 (3.7 million) fit in 63 bits.
WHEN_ID_BITS = 40
# Articles fall into SAMPLE_SLICES slices by id; slice 0 stands for all of them
# when counting names over hundreds of thousands of matches.
SAMPLE_SLICES = 16
# Commit (publish) fed documents at least this often during a long ingest, so
# readers see new articles soon and a crash loses little indexing work.
COMMIT_EVERY_DOCS = 200_000
COMMIT_EVERY_SECONDS = 60.0
WRITER_HEAP = 96_000_000  # tantivy's indexing memory: the ingest must stay under 500 MB in all


LONGEST_WORD = 100  # bytes of UTF-8: longer words are not in the ranked index (SQLite's full-text index has them)


def index_path(db_path: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(db_path)}.index")


def _analyzer(stem: bool = True) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        # Longer is not a word (a URL, base64); a chemical name or a German compound may reach 60.
        .filter(tantivy.Filter.remove_long(LONGEST_WORD + 1))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)  # date.toordinal(): 1 is Monday 0001-01-01
    builder.add_integer_field("month", fast=True)  # year * 12 + month - 1
    # The order by date, ties by id, as SQLite orders (date, id): a page of a search sorted by date
    # and the export of it list the articles of one day in the same order. tantivy sorts by one
    # field, and by "day" alone it broke ties by where a document sits in its segments.
    builder.add_integer_field("when", fast=True)  # day << WHEN_ID_BITS | id
    builder.add_text_field("headline", tokenizer_name=ANALYZER, index_option="position")
    builder.add_text_field("body", tokenizer_name=ANALYZER, index_option="position")
    builder.add_integer_field("names", indexed=True, fast=True)  # ids in the names table, many per article
    builder.add_integer_field("sample", indexed=True)  # id % SAMPLE_SLICES
    return builder.build()


def day_number(iso: str) -> int:
    return Date(int(iso[:4]), int(iso[5:7]), int(iso[8:10])).toordinal()


def day_iso(number: int) -> str:
    return Date.fromordinal(number).isoformat()


def month_number(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


@functools.lru_cache(maxsize=4096)
def month_key(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


class IndexUnavailable(Exception):
    """No usable index: readers fall back to FTS5 (``note`` says why); writers stop with the message."""

    def __init__(self, message: str, note: str | None = None):
        super().__init__(message)
        self.note = note or DAMAGED_NOTE


class IndexDamaged(IndexUnavailable):
    """tantivy failed while reading the index: a Rust panic (which Python sees as a BaseException) or an
    error on files that are damaged (bytes overwritten, a segment cut short). Readers catch it and go on
    with SQLite's full-text index; opening such an index succeeds, only reading it fails."""

    def __init__(self, detail: str, path: Path | None = None):
        super().__init__(f"the fast search index cannot be read: {detail}", unreadable_note(path))
        self.detail = detail


# Set by the command line (not by `serve`): Rust prints its own report of a panic on stderr before
# Python sees it, and a command says the damage in a line of its own. The report is held back by
# pointing stderr elsewhere for the call, which only a process that does one thing at a time can
# afford (a server's other threads would lose their own lines, and wait on the lock).
HOLD_RUST_REPORTS = "NEWS_ARCHIVE_HOLD_RUST_REPORTS"
_holding = threading.Lock()


@contextlib.contextmanager
def _rust_reports_held() -> Iterator[None]:
    if not os.environ.get(HOLD_RUST_REPORTS):
        yield
        return
    with _holding, tempfile.TemporaryFile() as held:
        sys.stderr.flush()
        stderr = os.dup(2)
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(stderr, 2)
            os.close(stderr)


class _SafeSearcher:
    """A tantivy searcher whose failures become IndexDamaged (see there)."""

    def __init__(self, searcher: tantivy.Searcher, path: Path):
        self._searcher = searcher
        self._path = path

    def __getattr__(self, name: str):
        attribute = getattr(self._searcher, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                with _rust_reports_held():
                    return attribute(*args, **kwargs)
            except BaseException as error:
                if type(error).__name__ == "PanicException" or isinstance(error, (ValueError, OSError)):
                    raise IndexDamaged(f"{name}: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                                       self._path) from None
                raise

        return call


_FALLBACK = "so results come from the slower full-text index"
MISSING_NOTE = f"the fast search index is missing, {_FALLBACK}; run `news-archive analyse` on this archive (or its next ingest) to build it"
DAMAGED_NOTE = (f"the fast search index is damaged (it cannot be opened), {_FALLBACK};"
                " `news-archive analyse` on this archive (or its next ingest) rebuilds it")


def unreadable_note(path: Path | None) -> str:
    """Why searches fall back when an index that opens fails while it is read (files overwritten in
    places). An ingest opens such an index as it opens a sound one and adds to it, so the folder
    must be moved aside first: no note may promise that an ingest alone mends it."""
    folder = path.name if path is not None else "the index folder (the database's name followed by .index)"
    return (f"the fast search index is damaged (reading it failed), {_FALLBACK}; move {folder} aside, and"
            " `news-archive analyse` on this archive (or its next ingest) builds it again")


def not_a_folder_note(path: Path) -> str:
    return (f"{path.name} is a file, where the archive keeps its ranked index folder, {_FALLBACK}; move {path.name}"
            " aside, and `news-archive analyse` on this archive (or its next ingest) builds the index")


READ_ONLY_NOTE = (f"the fast search index cannot be opened on read-only media (tantivy writes a lock file beside it"
                  f" to read it), {_FALLBACK}")
VERSION_NOTE = (f"the fast search index was built by another version of news-archive, {_FALLBACK};"
                " `news-archive analyse` on this archive (or its next ingest) rebuilds it")
BUILDING_NOTE = (
    "the fast search index is being built (or its build was stopped before its first commit), so results come from"
    " the slower full-text index; `news-archive analyse` on this archive (or its next ingest) completes it"
)
BEHIND_NOTE = (
    "the fast search index does not hold every article yet (an ingest is running, or was stopped), so results "
    "come from the slower full-text index; `news-archive analyse` on this archive (or its next ingest) brings it up to date"
)
FOREIGN_NOTE = (f"the fast search index beside this archive was built for another database, {_FALLBACK};"
                " `news-archive analyse` on this archive (or its next ingest) rebuilds it")
AHEAD_NOTE = (f"the fast search index holds articles this archive does not (was the database replaced by an older"
              f" copy?), {_FALLBACK}; `news-archive analyse` on this archive (or its next ingest) rebuilds it")
NEWER_NOTE = (f"the fast search index was written after this copy of the database was made (was the database"
              f" replaced by an older copy?), {_FALLBACK}; `news-archive analyse` on this archive (or its next ingest) rebuilds it")


def lags_behind(search_index: "SearchIndex", conn: sqlite3.Connection) -> bool:
    """Whether the archive holds articles the index does not (it would miss them)."""
    return index_problem(search_index, conn) == BEHIND_NOTE


def index_problem(search_index: "SearchIndex", conn: sqlite3.Connection) -> str | None:
    """Why this index cannot answer for the archive on ``conn`` (a note to show), or None when it can
    (see state_problem). Four reads of SQLite and one of a small file: readers call it at most once
    a second."""
    return state_problem(search_index.state(), archive_id(conn), highest_article_id(conn), index_edition(conn))


def state_problem(state: dict, archive: str | None, newest: int, edition: int) -> str | None:
    """Why an index whose state file says ``state`` cannot answer for the archive whose id is
    ``archive``, highest article id ever given ``newest`` and index edition ``edition`` (a note), or
    None when it can: its state file unreadable, built for another archive (its archive id is not
    the archive's: both without one is an archive made before ids, and its index), holding articles
    the archive does not or written after the database (an older copy of the database put back),
    or not holding every article yet. Readers and backups judge an index by it."""
    if state.get("version") != STATE_VERSION:
        return DAMAGED_NOTE
    held = int(state.get("max_id") or 0)
    if state.get("archive_id") is None and held == 0 and archive is not None:
        # As SearchIndex.create leaves it: the first commit of the build names the archive. Holding
        # nothing, it is no other database's, and an ingest empties it anyway before filling it.
        return BUILDING_NOTE
    if state.get("archive_id") != archive:
        return FOREIGN_NOTE
    if held > newest:
        return AHEAD_NOTE
    if int(state.get("edition") or 0) > edition:
        return NEWER_NOTE
    if newest > held:
        return BEHIND_NOTE
    return None


def not_a_folder_message(path: Path) -> str:
    return f"{path} is a file, where the archive keeps its ranked index folder: move it aside"


def disk_full_message(path: Path) -> str:
    return f"{path}: disk full (No space left on device)"


@contextlib.contextmanager
def _writing(path: Path):
    """tantivy's write failures (a full disk above all) become IndexUnavailable with one clear line."""
    try:
        yield
    except ValueError as error:
        text = str(error)
        if "os error 28" in text or "No space left" in text or ("killed" in text and _nearly_full(path)):
            raise IndexUnavailable(disk_full_message(path)) from None
        raise IndexUnavailable(f"{path}: the fast search index could not be written ({text});"
                               " what SQLite saved is kept, and the next ingest catches the index up") from None
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise IndexUnavailable(disk_full_message(path)) from None
        raise


def _nearly_full(path: Path) -> bool:
    """After one failure tantivy reports only that its writer was killed, not why: a disk with less
    than the writer's indexing memory free is taken for the cause."""
    try:
        return shutil.disk_usage(path).free < WRITER_HEAP
    except OSError:
        return False


# --- opening -------------------------------------------------------------------------------


class SearchIndex:
    """An open index, for searching (any number of readers) or feeding (one writer)."""

    def __init__(self, path: Path, index: tantivy.Index):
        self.path = path
        self.index = index
        self.schema = index.schema
        index.register_tokenizer(ANALYZER, _analyzer(stem=False))
        self._checked = 0.0
        self._meta_mtime = 0
        self._day_span: tuple[int, tuple[int, int] | None] | None = None  # (generation, span)
        self._most_named: tuple[int, list[tuple[int, int]]] | None = None  # (generation, names)

    @classmethod
    def open(cls, db_path: str | os.PathLike) -> "SearchIndex":
        path = index_path(db_path)
        if not path.exists():
            raise IndexUnavailable(f"no search index at {path}", MISSING_NOTE)
        if not path.is_dir():
            raise IndexUnavailable(not_a_folder_message(path), not_a_folder_note(path))
        if not (path / "meta.json").exists() or not (path / STATE_FILE).exists():
            raise IndexUnavailable(f"the search index at {path} is incomplete", DAMAGED_NOTE)
        try:
            opened = cls(path, tantivy.Index.open(str(path)))
        except (ValueError, OSError) as error:
            if "Read-only file system" in str(error) or "os error 30" in str(error) \
                    or "Permission denied" in str(error) or "os error 13" in str(error):
                raise IndexUnavailable(f"cannot open the search index at {path}: it is on read-only media"
                                       " (tantivy writes a lock file beside it to read it)", READ_ONLY_NOTE) from None
            raise IndexUnavailable(f"cannot open the search index at {path}: {error}", DAMAGED_NOTE) from None
        version = opened.state().get("version")
        if version is None:
            raise IndexUnavailable(f"the search index at {path} has no readable state file", DAMAGED_NOTE)
        if version != STATE_VERSION:
            raise IndexUnavailable(f"the search index at {path} was built by another version; an ingest rebuilds it",
                                   VERSION_NOTE)
        return opened

    @classmethod
    def create(cls, db_path: str | os.PathLike) -> "SearchIndex":
        """Open the index for writing, creating it (or replacing a damaged one)."""
        path = index_path(db_path)
        if path.exists() and not path.is_dir():
            raise IndexUnavailable(not_a_folder_message(path), not_a_folder_note(path))
        try:
            if (path / "meta.json").exists() and (path / STATE_FILE).exists():
                opened = cls(path, tantivy.Index.open(str(path)))
                if opened.state().get("version") == STATE_VERSION:
                    return opened
        except (ValueError, OSError):
            pass
        with _writing(path):
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True, exist_ok=True)  # a mount point stays, emptied
            created = cls(path, tantivy.Index(_schema(), path=str(path)))
            created._write_state({"version": STATE_VERSION, "max_id": 0})
        return created

    def state(self) -> dict:
        """The state file: version, max_id (see holds_up_to), archive_id (the archive it was
        built from; none for an index made before archive ids) and edition (store.index_edition;
        none before editions). {} when it cannot be read."""
        try:
            state = json.loads((self.path / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self, state: dict) -> None:
        temporary = self.path / (STATE_FILE + ".tmp")
        temporary.write_text(json.dumps(state))
        os.replace(temporary, self.path / STATE_FILE)

    def searcher(self) -> "_SafeSearcher":
        """A searcher on the latest commit; another process's commits are picked up within a second."""
        now = time.monotonic()
        if now - self._checked > 1.0:
            self._checked = now
            try:
                mtime = (self.path / "meta.json").stat().st_mtime_ns
            except OSError:
                mtime = 0
            if mtime != self._meta_mtime:
                self._meta_mtime = mtime
                self.index.reload()
        try:
            with _rust_reports_held():
                return _SafeSearcher(self.index.searcher(), self.path)
        except BaseException as error:
            if type(error).__name__ == "PanicException" or isinstance(error, (ValueError, OSError)):
                raise IndexDamaged(f"searcher: {error}", self.path) from None
            raise

    def holds_up_to(self) -> int:
        """The highest article id the index holds every original up to (its state file, written
        after each commit): an archive with a higher id has articles the index does not know,
        as after an ingest that was killed before its index caught up."""
        return int(self.state().get("max_id") or 0)

    def generation(self) -> int:
        """Changes whenever a new commit is visible: a cache key."""
        self.searcher()
        return self._meta_mtime

    def day_span(self) -> tuple[int, int] | None:
        """The first and last day numbers in the index (None when it is empty), once per commit."""
        generation = self.generation()
        cached = self._day_span
        if cached is None or cached[0] != generation:
            found = self.searcher().aggregate(tantivy.Query.all_query(), {"s": {"stats": {"field": "day"}}})["s"]
            span = (int(found["min"]), int(found["max"])) if found.get("count") else None
            self._day_span = cached = (generation, span)
        return cached[1]

    def most_named(self) -> list[tuple[int, int]]:
        """The MOST_NAMED names that the most articles mention: (name id, articles),
        most first, once per commit (one pass over a million articles takes about 0.1 s)."""
        generation = self.generation()
        cached = self._most_named
        if cached is None or cached[0] != generation:
            ranked = sorted(top_names(self, tantivy.Query.all_query(), MOST_NAMED), key=lambda n: (-n[1], n[0]))
            self._most_named = cached = (generation, ranked)
        return cached[1]


# Enough for every name of an archive like the 1M benchmark's (31,877): a pass over all the
# articles costs about 0.1 s at 1M whether it keeps 10,000 names or 100,000.
MOST_NAMED = 100_000


# --- feeding ---------------------------------------------------------------------------------


class Feeder:
    """The single writer. Feed it saved rows, commit now and then, close at the end."""

    def __init__(self, search_index: SearchIndex):
        self.search_index = search_index
        try:
            self.writer = search_index.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as error:
            if "os error 28" in str(error) or "No space left" in str(error):
                raise IndexUnavailable(disk_full_message(search_index.path)) from None
            raise IndexUnavailable(
                f"{search_index.path} is locked by another ingest, analysis or backup of this archive;"
                " run this again when it has finished") from None
        state = search_index.state()
        self.archive_id: str | None = state.get("archive_id")
        self.max_id = self.committed_max_id = int(state.get("max_id") or 0)
        self.edition = int(state.get("edition") or 0)
        self.conn: sqlite3.Connection | None = None  # the archive's, once belong_to is told it
        self.pending = 0
        self.last_commit = time.monotonic()

    def belong_to(self, conn: sqlite3.Connection, archive: str, known: str | None) -> bool:
        """Make this the index of the archive on ``conn``, whose id is ``archive``; ``known`` is the
        id the archive had before this write (None: made before archive ids, or never indexed). The
        index is kept when its state names ``known`` (for an index made before ids, none), it holds
        no article beyond the highest id the archive ever gave, and its edition is not above the
        archive's; else it is emptied, to be rebuilt by catch_up: it was built for another database,
        or for a later copy of this one. From now on each commit that changes what the index holds
        raises the archive's edition first (see commit). Holding the writer's lock, so no other
        writer decides at the same time. Returns whether it was emptied."""
        self.conn = conn
        keep = (self.archive_id == known and self.max_id <= highest_article_id(conn)
                and self.edition <= index_edition(conn))
        if not keep:
            # Committed with the catch-up's documents, and only then does the state file name this
            # archive: killed before, the index is still another's, and is emptied again.
            with _writing(self.search_index.path):
                self.writer.delete_all_documents()
            self.max_id, self.archive_id = 0, archive
            self.pending += 1
        elif self.archive_id != archive:  # an index made before archive ids, adopted
            self.archive_id = archive
            with _writing(self.search_index.path):
                self.search_index._write_state({"version": STATE_VERSION, "max_id": self.committed_max_id,
                                                "archive_id": archive, "edition": self.edition})
        return not keep

    def add(self, rows: Iterable[IndexRow]) -> None:
        with _writing(self.search_index.path):
            for row in rows:
                self.writer.add_document(tantivy.Document(
                    id=row.id, day=day_number(row.date), month=month_number(row.date),
                    when=(day_number(row.date) << WHEN_ID_BITS) | row.id,
                    # Greek bare of accents: tantivy's folding knows Latin letters only (query.bare_greek).
                    headline=bare_greek(row.headline), body=bare_greek(row.body), names=list(row.names),
                    sample=row.id % SAMPLE_SLICES,
                ))
                self.pending += 1

    def remove(self, ids: Iterable[int]) -> None:
        """Delete these articles' documents: one delete of the set, not one per id. tantivy
        keeps every delete until the next commit, and a million single deletes (an
        `analyse --all` of a 1M archive) took 1.3 GB; by sets of 500 they take next to nothing."""
        ids = list(ids)
        if ids:
            with _writing(self.search_index.path):
                self.writer.delete_documents_by_query(tantivy.Query.term_set_query(self.search_index.schema, "id", ids))
            self.pending += len(ids)

    def saved_up_to(self, max_id: int) -> None:
        """Every article up to ``max_id`` is now saved and fed; commit when it is time."""
        self.max_id = max(self.max_id, max_id)
        if self.pending >= COMMIT_EVERY_DOCS or time.monotonic() - self.last_commit >= COMMIT_EVERY_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self.pending and self.conn is not None:
            # Raised and committed in SQLite before tantivy commits: a copy of the database made
            # from now on has this edition, and one made before has a lower one than the index.
            self.edition = next_index_edition(self.conn)
        state = {"version": STATE_VERSION, "max_id": self.max_id, "edition": self.edition}
        if self.archive_id is not None:
            state["archive_id"] = self.archive_id
        with _writing(self.search_index.path):
            self.writer.commit()
            self.search_index._write_state(state)
        self.committed_max_id = self.max_id
        self.pending = 0
        self.last_commit = time.monotonic()

    def catch_up(self, conn: sqlite3.Connection) -> int:
        """Index what the archive has and this index does not: articles above the
        recorded id, and changed articles queued in ``index_queue``. Returns how many."""
        done = 0
        # The highest id given, not the highest left: articles that went above the recorded id
        # (moved files' copies saved while no index was kept) are nothing to wait for.
        top = highest_article_id(conn)
        if top > self.max_id:
            # Rows above max_id may be half-indexed by a killed run: replace, never duplicate.
            for rows in _batches(conn.execute(
                "SELECT id, date, headline, body, duplicate_of FROM articles WHERE id > ? ORDER BY id",
                (self.max_id,),
            )):
                self.remove(r[0] for r in rows)
                names = _names_of(conn, [r[0] for r in rows if r[4] is None])
                self.add(IndexRow(*r[:4], names.get(r[0], ())) for r in rows if r[4] is None)
                done += len(rows)
            self.max_id = top
        queued = [r[0] for r in conn.execute("SELECT id FROM index_queue ORDER BY id")]
        for start in range(0, len(queued), 500):
            part = queued[start : start + 500]
            self.remove(part)
            marks = ", ".join("?" * len(part))
            names = _names_of(conn, part)
            self.add(IndexRow(*r, names.get(r[0], ())) for r in conn.execute(
                f"SELECT id, date, headline, body FROM articles WHERE id IN ({marks}) AND duplicate_of IS NULL", part
            ))
            done += len(part)
        if done or not (self.search_index.path / "meta.json").exists():
            self.commit()
        if queued:
            with conn:
                for start in range(0, len(queued), 500):
                    part = queued[start : start + 500]
                    conn.execute(f"DELETE FROM index_queue WHERE id IN ({', '.join('?' * len(part))})", part)
        return done

    def close(self) -> None:
        """Commit what is not committed yet, and wait for the merges running in the background."""
        if self.pending or self.max_id != self.committed_max_id:
            self.commit()
        with _writing(self.search_index.path):
            self.writer.wait_merging_threads()


def _names_of(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        for article_id, name_id in conn.execute(
            f"SELECT article_id, name_id FROM article_names WHERE article_id IN ({', '.join('?' * len(part))})", part
        ):
            found.setdefault(article_id, []).append(name_id)
    return {k: tuple(v) for k, v in found.items()}


def _batches(cursor: sqlite3.Cursor, size: int = 2000) -> Iterator[list]:
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            return
        yield rows


# --- queries -------------------------------------------------------------------------------------

_STEMMING = _analyzer(stem=True)
_FOLDING = _analyzer(stem=False)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one word (Snowball English, after folding to lower-case ASCII)."""
    terms = _STEMMING.analyze(bare_greek(word))
    return terms[0] if terms else ""


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """One word as the index holds it: lower-case ASCII."""
    terms = _FOLDING.analyze(bare_greek(word))
    return terms[0] if terms else ""


# Word forms are found at query time: the index holds words as written (folded
# to lower-case ASCII), and a query word stands for every indexed word with the
# same stem. Stemming each of a million articles while indexing took half of
# the index's build time; stemming a query's few words costs microseconds.
_MAX_FORMS = 64


def word_forms(search_index: "SearchIndex", word: str) -> list[str]:
    """The indexed words that share ``word``'s stem (``prices`` -> price, prices, priced, pricing)."""
    folded = fold(word)
    root = stem(word)
    if not folded:
        return []
    key = (search_index.generation(), folded)
    cached = _FORMS.get(key)
    if cached is not None:
        return cached
    # Stems are prefixes of their word forms but for a last letter ("happi" from "happy").
    prefix = root[: max(len(root) - 1, 2)] if len(root) > 2 else root
    searcher = search_index.searcher()
    candidates = searcher.terms_with_prefix("body", prefix, limit=5000)
    if root.endswith("ie"):  # "tying", "dying", "lying": the stemmer's exceptions, written with a y
        candidates += searcher.terms_with_prefix("body", root[:-2] + "y", limit=5000)
    forms = sorted({t for t, _ in candidates if stem(t) == root} | {folded})[:_MAX_FORMS]
    if len(_FORMS) > 50_000:
        _FORMS.clear()
    _FORMS[key] = forms
    return forms


_FORMS: dict[tuple[int, str], list[str]] = {}


def _field_query(search_index: "SearchIndex", term: Term) -> tantivy.Query | None:
    """One term or phrase, matched in any of its word forms, in the headline (boosted) or the body."""
    schema = search_index.schema
    words = [w for w in term.words if fold(w)]
    if not words:
        return None
    forms = [word_forms(search_index, w) for w in words]
    if term.prefix:
        *head, last = words
        last = fold(last)
    parts = []
    for field, boost in (("headline", HEADLINE_BOOST), ("body", 1.0)):
        if term.prefix and not head:
            # Every indexed word that begins so: tantivy's prefix query stops at its first 50 words
            # ("pr*" found 851 of 14,069 articles); a regular expression's automaton has no such cap.
            query = tantivy.Query.regex_query(schema, field, re.escape(last) + ".*")
        elif term.prefix:
            pattern = [_alternatives(f) for f in forms[:-1]] + [re.escape(last) + ".*"]
            query = tantivy.Query.regex_phrase_query(schema, field, pattern)
        elif len(words) == 1:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, f)) for f in forms[0]])
        elif term.near and len(words) == 2:
            # At most N words apart in either order, as FTS5's NEAR: tantivy's slop keeps the order.
            first, second = (_alternatives(f) for f in forms)
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Should, tantivy.Query.regex_phrase_query(schema, field, [first, second], slop=term.near)),
                (tantivy.Occur.Should, tantivy.Query.regex_phrase_query(schema, field, [second, first], slop=term.near)),
            ])
        else:
            query = tantivy.Query.regex_phrase_query(schema, field, [_alternatives(f) for f in forms])
        parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost) if boost != 1.0 else query))
    return tantivy.Query.boolean_query(parts)


def _alternatives(forms: list[str]) -> str:
    return "(" + "|".join(re.escape(f) for f in forms) + ")"


def to_tantivy(
    search_index: "SearchIndex", query: Query, since: str | None, until: str | None, names: Sequence[int] = ()
) -> tantivy.Query | None:
    """The tantivy query for a parsed search (optionally of articles mentioning
    every one of ``names``), or None when nothing can match."""
    schema = search_index.schema
    clauses = [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "names", name_id)) for name_id in names]
    for group in query.groups:
        alternatives = [q for q in (_field_query(search_index, t) for t in group) if q is not None]
        if not alternatives:
            return None  # a required group with nothing searchable in it matches nothing
        clauses.append((tantivy.Occur.Must, alternatives[0] if len(alternatives) == 1 else
                        tantivy.Query.boolean_query([(tantivy.Occur.Should, a) for a in alternatives])))
    for term in query.excluded:
        excluded = _field_query(search_index, term)
        if excluded is not None:
            clauses.append((tantivy.Occur.MustNot, excluded))
    if since or until:
        clauses.append((tantivy.Occur.Must, _day_range(search_index, since, until)))
    if not clauses:
        return tantivy.Query.all_query()
    if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


# A date range finds its articles one of two ways: through the index of days, which
# collects every article of the range first (cheap when the range holds a small share
# of the archive), or by checking the day of each match of the words (cheap when it holds
# most of it). On the 1M-article benchmark, "reserv" in one month of 50 years: 2.9 ms the
# second way, 0.5 ms the first; in 41 of the 50 years: 5.6 ms against 17 ms.
NARROW_RANGE_SHARE = 0.25


def _day_range(search_index: "SearchIndex", since: str | None, until: str | None) -> tantivy.Query:
    low = day_number(since) if since else None
    high = day_number(until) if until else None
    span = search_index.day_span()
    narrow = False
    if span is not None:
        first, last = span
        covered = min(high if high is not None else last, last) - max(low if low is not None else first, first) + 1
        narrow = covered <= NARROW_RANGE_SHARE * (last - first + 1)
    return tantivy.Query.range_query(search_index.schema, "day", tantivy.FieldType.Integer, low, high,
                                     use_inverted_index=narrow)


_HIGHLIGHTERS: dict[tuple, "re.Pattern[str] | None"] = {}


def highlighter(search_index: "SearchIndex", query: Query) -> "re.Pattern[str] | None":
    """One compiled pattern for everything the query matches, cached per index commit."""
    key = (search_index.generation(), query.groups)
    if key in _HIGHLIGHTERS:
        return _HIGHLIGHTERS[key]
    alternatives = []
    for term in query.terms():
        words = [w for w in term.words if fold(w)]
        if not words:
            continue
        pieces = []
        for position, word in enumerate(words):
            if term.prefix and position == len(words) - 1:
                pieces.append(re.escape(fold(word)) + r"[^\W_]*")
            else:
                pieces.append("(?:" + "|".join(re.escape(f) for f in word_forms(search_index, word)) + ")")
        if term.near:
            alternatives += pieces  # words near each other are marked each on its own
        else:
            alternatives.append(r"[\W_]+".join(pieces))
    if not alternatives:
        pattern = None
    else:
        # Longest first, so a phrase wins over its own first word.
        alternatives.sort(key=len, reverse=True)
        pattern = _Highlighter(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")
    if len(_HIGHLIGHTERS) > 1000:
        _HIGHLIGHTERS.clear()
    _HIGHLIGHTERS[key] = pattern
    return pattern


class _FoldedLetters(dict):
    """str.translate's table from a letter to the one letter the index folds it to ("é" -> "e",
    "Ï" -> "i"), worked out for each letter the first time it is met. A letter that folds to more
    than one ("ß" -> "ss") or to none is kept: the text keeps its length, so offsets found in the
    folded text fit the original."""

    def __missing__(self, code: int) -> str:
        letter = chr(code)
        if code in BARE_GREEK_LETTERS:  # as the index holds Greek (query.bare_greek)
            folded = self[code] = BARE_GREEK_LETTERS[code].lower()
            return folded
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)).lower()
        folded = self[code] = base if len(base) == 1 and base.isascii() else letter
        return folded


_FOLDED_LETTERS = _FoldedLetters()


class _Highlighter:
    """A pattern of lower-case word forms as the index holds them (folded to ASCII), matched
    against the text lower-cased and folded letter for letter: far cheaper than a case-insensitive
    match, and "café" in a text is found as the index's "cafe". Offsets fit the original text: a
    letter whose lower case is longer ("İ") is left as it is."""

    def __init__(self, pattern: str):
        self.exact = re.compile(pattern)

    def _on(self, text: str) -> tuple["re.Pattern[str]", str]:
        lower = text.lower()
        if len(lower) != len(text):  # rare: lower-case letter by letter, keeping the length
            lower = "".join(low if len(low := letter.lower()) == 1 else letter for letter in text)
        return self.exact, lower if lower.isascii() else lower.translate(_FOLDED_LETTERS)

    def finditer(self, text: str):
        pattern, target = self._on(text)
        return pattern.finditer(target)

    def search(self, text: str):
        pattern, target = self._on(text)
        return pattern.search(target)

    def sub(self, replacement: str, text: str) -> str:
        pattern, target = self._on(text)
        if target is text:
            return pattern.sub(replacement, text)
        # Mark the original text at the places found in its lower-case copy.
        marked, last = [], 0
        start, end = replacement.split(r"\g<0>")
        for match in pattern.finditer(target):
            marked += [text[last:match.start()], start, text[match.start():match.end()], end]
            last = match.end()
        marked.append(text[last:])
        return "".join(marked)


# --- searching -------------------------------------------------------------------------------------


def top_ids(
    search_index: SearchIndex, tq: tantivy.Query, *, sort: str, limit: int, offset: int, count: bool = True
) -> tuple[int | None, list[int]]:
    """The total number of matches (None when not ``count``) and the ids of one
    page of them. Without the count, ranking can skip blocks of documents that
    cannot reach the top: ask for it only when nothing else counts the matches."""
    searcher = search_index.searcher()
    if sort == "relevance":
        result = searcher.search(tq, limit, count=count, offset=offset)
    else:
        order = tantivy.Order.Asc if sort == "oldest" else tantivy.Order.Desc
        result = searcher.search(tq, limit, count=count, offset=offset, order_by_field="when", order=order)
    addresses = [address for _, address in result.hits]
    ids = searcher.fast_field_values("id", addresses) if addresses else []
    return (result.count or 0) if count else None, list(ids)


def all_ids(search_index: SearchIndex, tq: tantivy.Query, *, sort: str = "oldest") -> list[int]:
    """Every matching id, by date: for complete exports of a search."""
    searcher = search_index.searcher()
    total = searcher.search(tq, 1, count=True).count or 0  # tantivy wants a limit of at least 1
    if not total:
        return []
    order = tantivy.Order.Asc if sort != "newest" else tantivy.Order.Desc
    result = searcher.search(tq, total, count=False, order_by_field="when", order=order)
    return list(searcher.fast_field_values("id", [address for _, address in result.hits]))


# Every match of a search in rank order is found this many at a time. All 763,000 matches of
# a common word at once took 145 MB more (1M-article benchmark: Python holds each hit as a
# score and an address); by 100,000 they take about 70 MB more, and 0.5 s instead of 0.25 s.
RANKED_SLICE = 100_000


def ranked_ids(search_index: SearchIndex, tq: tantivy.Query, slice_size: int = RANKED_SLICE) -> Iterator[list[int]]:
    """Every matching id, best first, in lists of up to ``slice_size``: for complete
    exports of a search in relevance order (the order ``top_ids`` pages through).
    One searcher serves every slice, so a commit meanwhile cannot move a match
    from one slice into another."""
    searcher = search_index.searcher()
    total = searcher.search(tq, 1, count=True).count or 0  # tantivy wants a limit of at least 1
    for offset in range(0, total, slice_size):
        result = searcher.search(tq, min(slice_size, total - offset), count=False, offset=offset)
        addresses = [address for _, address in result.hits]
        if not addresses:
            return
        yield list(searcher.fast_field_values("id", addresses))


def histogram(search_index: SearchIndex, tq: tantivy.Query, unit: str) -> dict[str, int]:
    """Matches per day, week (keyed by its Monday), month or year."""
    if unit == "year":
        return years_of(histogram(search_index, tq, "month"))
    if unit == "month":
        spec = {"histogram": {"field": "month", "interval": 1, "min_doc_count": 1}}
    else:
        spec = {"histogram": {"field": "day", "interval": 7 if unit == "week" else 1, "offset": 1 if unit == "week" else 0,
                              "min_doc_count": 1}}
    buckets = search_index.searcher().aggregate(tq, {"h": spec})["h"]["buckets"]
    if unit == "month":
        return {month_key(int(b["key"])): int(b["doc_count"]) for b in buckets}
    return {day_iso(int(b["key"])): int(b["doc_count"]) for b in buckets}


def years_of(months: dict[str, int]) -> dict[str, int]:
    """Counts per month ("1987-03") added up per year ("1987"), in date order."""
    by_year: dict[str, int] = {}
    for month in sorted(months):
        by_year[month[:4]] = by_year.get(month[:4], 0) + months[month]
    return by_year


def overview(search_index: SearchIndex, tq: tantivy.Query) -> dict:
    """In one pass over the matches: how many, their first and last day, and matches per month."""
    spec = {
        "span": {"stats": {"field": "day"}},
        "months": {"histogram": {"field": "month", "interval": 1, "min_doc_count": 1}},
    }
    found = search_index.searcher().aggregate(tq, spec)
    span = found["span"]
    return {
        "count": int(span.get("count") or 0),
        "first": day_iso(int(span["min"])) if span.get("count") else None,
        "last": day_iso(int(span["max"])) if span.get("count") else None,
        "months": {month_key(int(b["key"])): int(b["doc_count"]) for b in found["months"]["buckets"]},
    }


def sampled_names(search_index: SearchIndex, tq: tantivy.Query, size: int = 15,
                  one_in: int = SAMPLE_SLICES) -> list[tuple[int, int]]:
    """Estimated counts of the most mentioned names, from 1 in ``one_in`` of the
    matches (a power of two up to SAMPLE_SLICES): the slices 0 .. SAMPLE_SLICES/one_in - 1."""
    last_slice = SAMPLE_SLICES // one_in - 1
    if last_slice == 0:
        in_sample = tantivy.Query.term_query(search_index.schema, "sample", 0)
    else:
        in_sample = tantivy.Query.range_query(search_index.schema, "sample", tantivy.FieldType.Integer, 0, last_slice,
                                              use_inverted_index=True)
    sliced = tantivy.Query.boolean_query([(tantivy.Occur.Must, tq), (tantivy.Occur.Must, in_sample)])
    return [(name_id, count * one_in) for name_id, count in top_names(search_index, sliced, size)]


def top_names(search_index: SearchIndex, tq: tantivy.Query, size: int = 15) -> list[tuple[int, int]]:
    """The names most often mentioned among the matches: (name id, articles)."""
    buckets = search_index.searcher().aggregate(tq, {"n": {"terms": {"field": "names", "size": size}}})["n"]["buckets"]
    return [(int(b["key"]), int(b["doc_count"])) for b in buckets]


def articles_naming(search_index: SearchIndex, name_ids: Sequence[int]) -> dict[int, int]:
    """How many articles mention each of ``name_ids`` (exact: deleted documents left out)."""
    searcher, schema = search_index.searcher(), search_index.schema
    return {name_id: searcher.search(tantivy.Query.term_query(schema, "names", name_id), 1, count=True).count or 0
            for name_id in name_ids}


def more_like_this(search_index: SearchIndex, headline: str, body: str, exclude: Sequence[int],
                   limit: int) -> list[int] | None:
    """Ids of the articles sharing the most distinctive terms of this text; None when tantivy cannot
    say. Its more-like-this panics ("2 >= 3") when a word is in more documents, deleted ones
    included, than the index has live: in a small archive whose articles were just edited (the old
    documents are deleted, not yet merged away). The caller then asks SQLite instead."""
    schema = search_index.schema
    if _counts_deleted_beyond_live(search_index, headline, body):
        return None  # it would panic (and Rust would print its report on the user's terminal)
    similar = tantivy.Query.more_like_this_document_fields_query(
        schema, {"headline": [bare_greek(headline)], "body": [bare_greek(body)]},
        min_doc_frequency=2, min_term_frequency=1, max_query_terms=24, min_word_length=3,
    )
    excluded = [(tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "id", i)) for i in exclude]
    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, similar), *excluded])
    try:
        return top_ids(search_index, query, sort="relevance", limit=limit, offset=0)[1]
    except IndexDamaged:  # the panic above, seen through the searcher (or damage: SQLite answers either way)
        return None


_WORDS = re.compile(r"[^\W_]+")


def _counts_deleted_beyond_live(search_index: SearchIndex, headline: str, body: str) -> bool:
    """Whether a word of this text is in more documents, deleted ones included, than the index has
    live: the condition of more-like-this's panic (it weighs every word of the text). A small archive
    just edited meets it (a word in every article, and documents deleted and not yet merged away).
    About 0.3-3 ms on the 1M-article benchmark archive: every word's count is looked up."""
    searcher = search_index.searcher()
    live = searcher.num_docs
    words = {fold(word) for word in _WORDS.findall(f"{headline} {body}")}
    return any(searcher.doc_freq(field, word) > live for word in words if word for field in ("headline", "body"))
