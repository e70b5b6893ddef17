"""Ingest: walk the given paths, skip what is unchanged, parse the rest in
parallel worker processes, and save the results in batches.

Flow: ``sources.walk`` -> chunks of candidates -> ``process_chunk`` (in a
worker: ledger look-up, read, hash, decode, parse) -> ``store.save_batch``
(in this process, one transaction per batch).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import multiprocessing
import os
import queue
import signal
import sqlite3
import threading
import time
import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from . import name_aliases, names, search_index, similar, sources, store
from .analysis import analyse_many
from .parse import ParseError, parse_article
from .sources import Found, Member, Unreadable

CHUNK_FILES = 256  # files handed to a worker at a time
BATCH_FILES = 4096  # files written per transaction
# Below this many files a worker pool costs more than it saves.
POOL_THRESHOLD = 512


@dataclass
class IngestReport:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # every file not taken, as (source, reason)
    still_rejected: list[tuple[str, str]] = field(default_factory=list)  # those among them rejected before, unchanged
    seconds: float = 0.0
    near_duplicates: int = 0  # pairs found by this run
    gone: list[store.GoneFile] = field(default_factory=list)  # files no longer in a folder ingested before
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (name taken by another folder's file, name used)
    updated_files: list[tuple[str, int]] = field(default_factory=list)  # (source, article id): earlier text kept
    moved: list[store.MovedFile] = field(default_factory=list)  # files that left a folder and came back renamed
    surnames: list[name_aliases.Judgement] = field(default_factory=list)  # surnames alone judged (joined or not)

    @property
    def files(self) -> int:
        moved_articles = sum(1 for move in self.moved if move.article_id is not None)  # moved rejects are rejected
        return self.ingested + self.updated + self.unchanged + self.duplicates + len(self.rejected) + moved_articles

    def summary(self) -> str:
        return (
            f"ingested {self.ingested}, updated {self.updated}, unchanged {self.unchanged}, "
            f"duplicates {self.duplicates}, rejected {len(self.rejected)}"
            + (f", gone {len(self.gone)}" if self.gone else "")
            + (f", moved {len(self.moved)}" if self.moved else "")
        )


@dataclass
class ChunkResult:
    parsed: list[store.ParsedFile] = field(default_factory=list)
    rejected: list[store.RejectedFile] = field(default_factory=list)
    seen: list[store.SeenFile] = field(default_factory=list)
    unchanged: int = 0
    still_rejected: list[tuple[str, str]] = field(default_factory=list)
    renamed: list[tuple[str, str, bool]] = field(default_factory=list)  # (source, alias used, named so now)

    @property
    def files(self) -> int:
        return len(self.parsed) + len(self.rejected) + len(self.seen) + self.unchanged + len(self.still_rejected)


# Progress callback: (files done, files expected or None).
Progress = Callable[[int, "int | None"], None]


def _collect_less_often() -> None:
    """An ingest allocates millions of short-lived tuples and makes few reference
    cycles: at the cyclic garbage collector's default pace (a pass every 700 new
    objects) name finding on Reuters-21578 took 10.4 CPU-s, at this one 9.7.
    Objects that exist now (modules, name lists) are moved out of its sight."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _collecting_less_often(function):
    """Run ``function`` with the ingest's pace of garbage collection, and give the
    process its own pace back afterwards (``serve`` ingests the sample, then serves)."""

    @functools.wraps(function)
    def paced(*args, **kwargs):
        previous = gc.get_threshold()
        _collect_less_often()
        try:
            return function(*args, **kwargs)
        finally:
            gc.set_threshold(*previous)
            gc.unfreeze()

    return paced


@_collecting_less_often
def ingest(
    db_path: str,
    paths: Sequence[str],
    *,
    pattern: str = sources.DEFAULT_GLOB,
    jobs: int | None = None,
    progress: Progress | None = None,
    expected: int | None = None,
    ranked_index: bool = True,
    analyse: bool = True,
    reread: bool = False,
    follow_links: bool = False,
) -> IngestReport:
    """Ingest every article file under ``paths`` into the archive at ``db_path``,
    and bring the ranked search index beside it up to date. With ``reread``, every file
    and archive is read again, even when its size and modification time are those of its
    last ingest, and files rejected before are parsed again."""
    started = time.monotonic()
    db, feeder = _open_for_writing(db_path, ranked_index)
    first_new_id = store.next_article_id(db.conn)
    report = IngestReport()
    writer = _BatchWriter(db, feeder, store.utc_now(), report, analyse)
    jobs = jobs or os.cpu_count() or 1
    walks: list[store.FolderWalk] = []
    clashes = NameClashes(db.conn, db_path)
    chunks = _candidate_chunks(db_path, paths, pattern, walks, clashes, reread, follow_links)
    pending = ChunkResult()
    done = 0
    try:
        for result in _run(chunks, db_path, jobs, expected, analyse, reread):
            if isinstance(result, _Container):
                writer.submit(pending)
                pending = ChunkResult()
                writer.submit(result)
                continue
            pending.parsed += result.parsed
            pending.rejected += result.rejected
            pending.seen += result.seen
            pending.unchanged += result.unchanged
            pending.still_rejected += result.still_rejected
            if result.renamed:
                clashes.note_renamed(result.renamed)
            done += result.files
            if len(pending.parsed) + len(pending.rejected) + len(pending.seen) >= BATCH_FILES:
                writer.submit(pending)
                pending = ChunkResult()
            if progress:
                progress(done, expected)
        writer.submit(pending)
    finally:
        clashes.close()
        writer.finish()
    report.renamed = clashes.named
    report.surnames = _join_surnames(db.conn, writer.name_ids)
    # Only after a complete walk and save: an interrupted ingest says nothing is gone.
    report.gone += store.record_folders(db.conn, walks, writer.now, report.moved)
    # A moved file was stored as a copy of itself under its new name, until its move was seen: by
    # this run, which counted it a duplicate, or by an earlier one stopped before it saw the move,
    # whose copy this run found unchanged. A moved reject was rejected again under its new name:
    # it is an old reject, not news.
    for move in report.moved:
        if move.article_id is None:
            continue
        if move.copy_id is not None and move.copy_id >= first_new_id:
            report.duplicates -= 1
        else:
            report.unchanged -= 1
    moved_rejects = {move.to for move in report.moved if move.article_id is None}
    report.still_rejected += [(source, reason) for source, reason in report.rejected if source in moved_rejects]
    report.near_duplicates = _finish(db.conn, feeder)
    store.checkpoint(db.conn)
    db.close()
    report.seconds = time.monotonic() - started
    return report


def _open_for_writing(db_path: str, ranked_index: bool) -> tuple:
    """The archive, its schema brought up to date, and (with ``ranked_index``) the
    ranked index's single writer, caught up with whatever a killed run left behind."""
    db = store.open_db(db_path)
    store.ensure_schema(db)
    # Checkpoint (copy the WAL into the database, with an fsync) every 64 MB
    # rather than every 4 MB: the same pages are copied far fewer times.
    db.execute("PRAGMA wal_autocheckpoint = 16384")
    feeder = None
    if ranked_index:
        # Made (or found) and its writer taken inside a write transaction of the archive: a second
        # ingest started at the same moment waits here, then finds the index made and its writer
        # held (`… is locked by another ingest …`), rather than emptying the folder the first is
        # making its index in (it failed with `Directory does not exist`).
        if db.conn.in_transaction:
            db.conn.commit()
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            feeder = search_index.Feeder(search_index.SearchIndex.create(db_path))
        finally:
            db.conn.rollback()  # nothing was written: the transaction only held the archive's write lock
        # The index must be this archive's: an index left beside another database (or beside an
        # older copy of this one) is emptied here and rebuilt by the catch-up. An archive made before
        # archive ids gets one now, and keeps its index if that holds nothing the archive lacks.
        known = store.archive_id(db.conn)
        archive = store.claim_archive_id(db.conn)
        feeder.belong_to(db.conn, archive, known)
        feeder.catch_up(db.conn)
    return db, feeder


def upgrade(db_path: str) -> None:
    """Bring an archive made by an older news-archive up to date: its schema, and its
    ranked index (if it has one) with whatever the schema's upgrade queued for it."""
    db, feeder = _open_for_writing(db_path, search_index.index_path(db_path).exists())
    try:
        if feeder:
            feeder.close()
    finally:
        db.close()


def _join_surnames(conn: sqlite3.Connection, name_ids: store.NameIds | None) -> list[name_aliases.Judgement]:
    """Judge the surnames alone queued (those of the people this run saved, and of a run stopped
    before its end) against the whole archive, and join those that are one full name's
    (name_aliases); before _finish, which gives the ranked index the articles' new name ids.
    Nothing to do, and the names not read, when none is queued."""
    if not name_aliases.surnames_queued(conn):
        return []
    with conn:
        return name_aliases.join_surnames(conn, name_ids or store.NameIds(conn))


def _finish(conn: sqlite3.Connection, feeder: "search_index.Feeder | None") -> int:
    """Index what was queued for the ranked index (changed or analysed articles), then
    look for near-duplicates while the index's last merges run on their own threads;
    close the index writer. Returns the near-duplicate pairs found."""
    if feeder:
        feeder.catch_up(conn)
        feeder.commit()
    try:
        return similar.update(conn)
    finally:
        if feeder:
            feeder.close()


@dataclass
class AnalysisReport:
    analysed: int = 0  # articles analysed
    names: int = 0  # name mentions found in them (one per article and name)
    quotes: int = 0
    near_duplicates: int = 0  # pairs found afterwards
    names_dropped: int = 0  # names no article mentions any more
    surnames: list[name_aliases.Judgement] = field(default_factory=list)  # surnames alone judged (joined or not)
    seconds: float = 0.0


def articles_to_analyse(conn: sqlite3.Connection, everything: bool = False) -> list[int]:
    """Ids of the originals to analyse: all of them, or those that hold no names,
    no quotes and no sketch (ingested with --no-analysis, or with too little text to
    hold any, which the analysis that found nothing remembers in ``analysed_empty``)."""
    if everything:
        return [i for (i,) in conn.execute("SELECT id FROM articles WHERE duplicate_of IS NULL ORDER BY id")]
    return [i for (i,) in conn.execute(
        "SELECT id FROM articles a WHERE duplicate_of IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM sketches s WHERE s.article_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM article_names n WHERE n.article_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.article_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM analysed_empty e WHERE e.article_id = a.id) ORDER BY id")]


@_collecting_less_often
def analyse_archive(
    db_path: str,
    *,
    everything: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    ranked_index: bool = True,
) -> AnalysisReport:
    """Find names, quotes and near-duplicates in articles already in the archive:
    those ingested with ``--no-analysis``, or with ``everything`` every original
    (after an upgrade of news-archive whose analysis finds more). What the articles
    held before is replaced; the ranked index learns their new names."""
    started = time.monotonic()
    db, feeder = _open_for_writing(db_path, ranked_index)
    conn = db.conn
    report = AnalysisReport()
    try:
        wanted = articles_to_analyse(conn, everything)
        name_ids = store.NameIds(conn)
        chunks = [wanted[at : at + CHUNK_FILES] for at in range(0, len(wanted), CHUNK_FILES)]
        batch: list[tuple[int, object]] = []
        for analysed in _analyse_chunks(chunks, db_path, jobs or os.cpu_count() or 1):
            batch += analysed
            if len(batch) >= BATCH_FILES:
                _save_reanalysis(conn, batch, name_ids, report)
                batch = []
            if progress:
                progress(report.analysed + len(batch), len(wanted))
        _save_reanalysis(conn, batch, name_ids, report)
        report.surnames = _join_surnames(conn, name_ids)
        # The analysed articles were queued for the ranked index with their new names.
        finishing, feeder = feeder, None
        report.near_duplicates = _finish(conn, finishing)
        with conn:
            report.names_dropped = store.drop_unused_names(conn)
        store.checkpoint(conn)
    finally:
        if feeder:  # stopped before the end: what was saved stays queued for the next run
            feeder.close()
        db.close()
    report.seconds = time.monotonic() - started
    return report


def _save_reanalysis(conn: sqlite3.Connection, batch: list, name_ids: store.NameIds, report: AnalysisReport) -> None:
    if not batch:
        return
    with conn:
        store.replace_analysis(conn, batch, name_ids)
    report.analysed += len(batch)
    report.names += sum(len(analysis.names) for _, analysis in batch)
    report.quotes += sum(len(analysis.quotes) for _, analysis in batch)


def _analyse_chunks(chunks: list[list[int]], db_path: str, jobs: int) -> Iterator[list]:
    """Analyse chunks of article ids in worker processes (one in this process for
    little work), in order; each worker reads the bodies itself."""
    if jobs <= 1 or sum(len(chunk) for chunk in chunks) < POOL_THRESHOLD:
        _worker_init(db_path)
        yield from map(analyse_stored, chunks)
        return
    yield from _in_pool(analyse_stored, chunks, jobs, (db_path,))


def analyse_stored(ids: list[int]) -> list:
    """(id, Analysis) of stored articles (runs in a worker)."""
    assert _ledger is not None
    marks = ", ".join("?" * len(ids))
    rows = _ledger.execute(f"SELECT id, body FROM articles WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
    found = list(zip([article_id for article_id, _ in rows], analyse_many([body for _, body in rows])))
    if _resident_mb() > WORKER_MEMORY_MB:
        names.clear_caches()
    return found


class _BatchWriter:
    """Saves batches on a thread of its own, so that SQLite (which releases the
    GIL) works while this process takes in the next results from the workers."""

    def __init__(self, db, feeder, now: str, report: IngestReport, analyse: bool = True):
        self.db, self.feeder, self.now, self.report, self.analyse = db, feeder, now, report, analyse
        self.copies: store.CopyFinder | None = None
        self.name_ids: store.NameIds | None = None
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="news-archive-writer", daemon=True)
        self.thread.start()

    def submit(self, item) -> None:
        if self.error:
            raise self.error
        self.queue.put(item)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error:
                continue  # drain after a failure; finish() reports it
            try:
                self._save(item)
            except BaseException as error:  # handed to the submitting thread
                self.error = error

    def _save(self, item) -> None:
        if isinstance(item, _Container):
            self.report.gone += store.record_container(self.db, item.source, item.size, item.mtime_ns,
                                                       item.members, self.now, item.pattern, self.report.moved)
            return
        if item.parsed and self.copies is None:
            # Loaded once, and only when there is something new.
            self.copies = store.CopyFinder(self.db.conn)
            self.name_ids = store.NameIds(self.db.conn)
        saved = store.save_batch(self.db, item.parsed, item.rejected, item.seen, now=self.now, copies=self.copies,
                                 name_ids=self.name_ids, analyse=self.analyse)
        report = self.report
        report.ingested += saved.ingested
        report.updated += saved.updated
        report.updated_files += saved.updated_sources
        report.unchanged += saved.unchanged + item.unchanged + sum(1 for s in item.seen if s.status != "rejected")
        report.duplicates += saved.duplicates
        report.rejected += saved.rejected + item.still_rejected
        report.still_rejected += item.still_rejected
        if self.feeder and (saved.to_index or saved.ingested or saved.duplicates):
            self.feeder.add(saved.to_index)
            self.feeder.saved_up_to(store.highest_article_id(self.db.conn))


def count_candidates(paths: Sequence[str], pattern: str = sources.DEFAULT_GLOB, db_path: str | None = None,
                     follow_links: bool = False) -> int:
    """How many files an ingest of ``paths`` will look at, for a progress bar's ETA."""
    total = 0
    for found in sources.walk(paths, pattern, leave_out=own_files(db_path) if db_path else (),
                              follow_links=follow_links):
        if isinstance(found, Found) and found.is_archive:
            total += sum(1 for _ in sources.archive_members(found, pattern))
        else:
            total += 1
    return total


# --- producing work ------------------------------------------------------------


@dataclass(frozen=True)
class _Container:
    """An archive whose members were all queued; record it once they are saved."""

    source: str
    size: int
    mtime_ns: int
    # The names of the members read; None when the archive is damaged, as the members
    # after the damage were not seen (which is not gone).
    members: frozenset[str] | None = None
    pattern: str = sources.DEFAULT_GLOB  # the glob its members were read with


Task = Found | Member | Unreadable


def _candidate_chunks(db_path: str, paths: Sequence[str], pattern: str, walks: list[store.FolderWalk] | None = None,
                      clashes: "NameClashes | None" = None, reread: bool = False, follow_links: bool = False,
                      ) -> Iterator[list[Task] | ChunkResult | _Container]:
    """Group candidates into chunks for the workers. Archives are opened here
    (reading one is sequential anyway), unless they are unchanged since the
    last run, in which case their members are accounted for from the ledger.
    What each folder holds is noted in ``walks``, to tell which files left it;
    names another folder's files have are given an alias (see NameClashes)."""
    ledger = None
    chunk: list[Task] = []
    walk = None

    def ready(items: list[Task]) -> list[Task]:
        return clashes.give_aliases(items, walk) if clashes is not None and walk is not None else items

    for item, walked in _walk_noting_folders(paths, pattern, walks, own_files(db_path), follow_links):
        if walked is not walk:
            if chunk:
                yield ready(chunk)
                chunk = []
            if clashes is not None and walk is not None:
                clashes.walked(walk)
            walk = walked
        if isinstance(item, Found) and item.is_archive:
            if ledger is None:
                ledger = store.connect_readonly(db_path)
            if chunk:
                yield ready(chunk)
                chunk = []
            if clashes is not None and walk is not None:
                item = clashes.archive_name(item, walk, ledger)
            skipped = None if reread else _unchanged_archive(ledger, item, pattern)
            if skipped is not None:
                yield skipped
                continue
            members: set[str] | None = set()
            for member in sources.archive_members(item, pattern):
                if member.source == item.source:  # damaged: the members after the damage were not seen
                    members = None
                elif members is not None:
                    members.add(member.source)
                chunk.append(member)
                if len(chunk) >= CHUNK_FILES:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
                chunk = []
            yield _Container(item.source, item.size, item.mtime_ns, frozenset(members) if members is not None else None,
                             pattern)
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK_FILES:
            yield ready(chunk)
            chunk = []
    if chunk:
        yield ready(chunk)
    if ledger is not None:
        ledger.close()


def own_files(db_path: str) -> tuple[str, ...]:
    """The archive's own files, never read as articles: its database with its WAL, shared-memory
    and journal files, and its ranked index's folder."""
    return (*(f"{db_path}{suffix}" for suffix in ("", *sources.SQLITE_SIDE_SUFFIXES)),
            str(search_index.index_path(db_path)))


def _walk_noting_folders(paths: Sequence[str], pattern: str, walks: list[store.FolderWalk] | None,
                         leave_out: Sequence[str] = (), follow_links: bool = False,
                         ) -> Iterator[tuple[Task, "store.FolderWalk | None"]]:
    """sources.walk of ``paths``, noting the name of everything found in each folder among them;
    each item comes with the walk of the folder it was found in (None for a file named itself)."""
    seen: set[str] = set()
    for given in paths:
        real = os.path.realpath(given)
        if real in seen:
            continue  # named twice ("years years/"): walked once
        seen.add(real)
        walked = None
        if walks is not None and os.path.isdir(given):
            walked = store.FolderWalk(os.path.realpath(given), sources.display_name(given), pattern)
            walks.append(walked)
        for item in sources.walk([given], pattern, stat_files=False, leave_out=leave_out, follow_links=follow_links):
            if walked is not None:
                if isinstance(item, Unreadable) and item.reason.startswith("cannot list folder"):
                    walked.complete = False
                else:
                    walked.keys.append(sources.source_key(item.source))
            yield item, walked


class NameClashes:
    """Files of different folders that have the same name in them ("colA/001.txt" and
    "colB/001.txt" are both "001.txt") must not take each other's place in the archive, however
    many such folders there are and in whatever order they are given. Names are decided here, in
    the walking process, from names alone, before any file is read: so the same files get the
    same names on every ingest.

    Each folder's record (``folders``: the names it was stored under at its last ingest) says
    which names are whose. A file keeps the name its folder's record holds, of those it can have:
    its path in the folder ("001.txt"), then longer and longer names made of its folder's real path
    ("clippings/001.txt", "2021/clippings/001.txt", ... and last the whole path). A new file takes
    its path in the folder unless another folder that still exists holds that name (at its last
    ingest, or earlier in this one); then it takes the first of the longer names that is free: held
    by no such folder nor by its own folder's other files, and not a name the archive holds for
    anything but a folder that is gone (a folder that was moved keeps its names).

    Archives made before this took another folder's name when its file had the same bytes, so two
    folders' records can hold one name. The file keeps it while its bytes are those stored under it
    (decided by the worker, which reads them; for an archive file, its size and time); otherwise
    it takes the free name kept for it (``Found.alias``), and the other folder's file keeps the name."""

    def __init__(self, conn: sqlite3.Connection, db_path: str):
        import numpy as np

        self._np = np
        self.db_path = db_path
        self._ledger: sqlite3.Connection | None = None
        held: dict[str, list] = {}
        for path, keys in conn.execute("SELECT path, keys FROM folders"):  # one row per folder and glob
            held.setdefault(path, []).append(np.frombuffer(keys, dtype=np.uint64))
        self.recorded = {path: np.unique(np.concatenate(arrays)) for path, arrays in held.items()}
        self.this_run: dict[str, "np.ndarray"] = {}  # names of the folders already walked in this run
        self.claimed: dict[str, set[int]] = {}  # a folder's names other than its paths in it, in this run
        self._others: dict[str, "np.ndarray"] = {}
        self._gone: "np.ndarray | None" = None
        self._parts: dict[str, list[str]] = {}
        self.walk_of_alias: dict[str, tuple[store.FolderWalk, int]] = {}  # kept for a file: its folder, its key
        self.named: list[tuple[str, str]] = []  # (path in the folder, name used): named so in this run

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()

    # --- who holds what ---

    def _others_of(self, walk: store.FolderWalk):
        """The keys of the names held by every folder but this one that still exists."""
        others = self._others.get(walk.path)
        if others is None:
            np = self._np
            arrays = [keys for path, keys in self.recorded.items() if path != walk.path and os.path.isdir(path)]
            arrays += [keys for path, keys in self.this_run.items() if path != walk.path]
            others = np.unique(np.concatenate(arrays)) if arrays else np.empty(0, dtype=np.uint64)
            self._others[walk.path] = others
        return others

    def _held_by_gone_folders(self):
        if self._gone is None:
            np = self._np
            arrays = [keys for path, keys in self.recorded.items() if not os.path.isdir(path)]
            self._gone = np.unique(np.concatenate(arrays)) if arrays else np.empty(0, dtype=np.uint64)
        return self._gone

    def _in(self, key: int, keys) -> bool:
        at = int(self._np.searchsorted(keys, self._np.uint64(key)))
        return at < len(keys) and int(keys[at]) == key

    def _all_in(self, keys, sorted_keys):
        """Which of ``keys`` are in ``sorted_keys``: a binary search each (np.isin would sort a
        folder's million keys again for every chunk)."""
        np = self._np
        if not len(sorted_keys):
            return np.zeros(len(keys), dtype=bool)
        at = np.searchsorted(sorted_keys, keys)
        return sorted_keys[np.minimum(at, len(sorted_keys) - 1)] == keys

    def _taken(self, name: str, walk: store.FolderWalk) -> bool:
        key = sources.source_key(name)
        return self._in(key, self._others_of(walk)) or key in self.claimed.get(walk.path, ())

    def _free(self, name: str, walk: store.FolderWalk) -> bool:
        if self._taken(name, walk):
            return False
        if not name.startswith("/") and os.path.lexists(os.path.join(walk.path, name)):
            return False  # a file of this folder's own (found later in the walk, maybe)
        if self._ledger is None:
            self._ledger = store.connect_readonly(self.db_path)
        stored = self._ledger.execute("SELECT 1 FROM source_files WHERE source = ?", (name,)).fetchone()
        return stored is None or self._in(sources.source_key(name), self._held_by_gone_folders())

    # --- naming ---

    def _path_parts(self, walk: store.FolderWalk) -> list[str]:
        parts = self._parts.get(walk.path)
        if parts is None:
            parts = self._parts[walk.path] = [sources.display_name(part) for part in walk.path.split(os.sep) if part]
        return parts

    def _longer_names(self, source: str, walk: store.FolderWalk) -> Iterator[str]:
        """"clippings/001.txt", "2021/clippings/001.txt", ..., "/news/2021/clippings/001.txt": the
        last is the whole real path, which no other folder's file can have."""
        parts = self._path_parts(walk)
        for start in range(len(parts) - 1, 0, -1):
            yield "/".join(parts[start:] + [source])
        whole = "/" + "/".join(parts + [source])
        yield whole
        for count in itertools.count(2):  # the whole path taken too (an archive of another program's)
            yield f"{whole} ({count})"

    def _first_free(self, source: str, walk: store.FolderWalk, besides: str | None = None) -> str:
        return next(name for name in self._longer_names(source, walk) if name != besides and self._free(name, walk))

    def _claim(self, name: str, walk: store.FolderWalk) -> None:
        # Other folders see it once this one is walked (``walked``): their view of names held is made then.
        self.claimed.setdefault(walk.path, set()).add(sources.source_key(name))

    def _name(self, source: str, walk: store.FolderWalk, holds_it: bool, taken: bool) -> tuple[str, str | None]:
        """The name of a file whose name in its folder is ``source`` (``holds_it``: the folder's record
        holds that name; ``taken``: another folder, or another file of this one, holds it), and the
        name it takes instead if its bytes are not those stored under the first (two records hold it)."""
        own = self.recorded.get(walk.path)
        kept = source if holds_it else None
        if kept is None and own is not None and len(own):
            # Named after its folder at an earlier ingest (only those names can be in the record).
            longer = itertools.islice(self._longer_names(source, walk), len(self._path_parts(walk)) + 3)
            kept = next((name for name in longer if self._in(sources.source_key(name), own)), None)
        if kept is not None and sources.source_key(kept) in self.claimed.get(walk.path, ()):
            kept, taken = None, True  # given to another file of this folder in this run
        if kept is not None:
            shared = self._taken(kept, walk)
            if kept != source:
                self._claim(kept, walk)
                walk.renamed[sources.source_key(source)] = sources.source_key(kept)
            if not shared:
                return kept, None
            instead = self._first_free(source, walk, besides=kept)
            self._claim(instead, walk)  # kept for it while this run decides
            self.walk_of_alias[instead] = (walk, sources.source_key(source))
            return kept, instead
        if not taken:
            return source, None
        name = self._first_free(source, walk)
        self._claim(name, walk)
        walk.renamed[sources.source_key(source)] = sources.source_key(name)
        self.named.append((source, name))
        return name, None

    def give_aliases(self, items: list[Task], walk: store.FolderWalk) -> list[Task]:
        """The files of a chunk of one folder, each under the name it is stored under (see the class)."""
        np = self._np
        others = self._others_of(walk)
        own = self.recorded.get(walk.path)
        claimed = self.claimed.get(walk.path)
        if not len(others) and not claimed and (own is None or not len(own)):
            return items  # the first ingest of the only folder: every file has its path in it
        keys = np.fromiter((sources.source_key(i.source) for i in items), dtype=np.uint64, count=len(items))
        taken = self._all_in(keys, others)
        if claimed:
            taken |= np.isin(keys, np.fromiter(claimed, dtype=np.uint64, count=len(claimed)))
        held = self._all_in(keys, own if own is not None else others[:0])
        # A file its folder's record holds, and no one else, keeps its name: the common case, at once.
        # A new file is looked at when the record may hold a longer name of it.
        look = taken | (~held & (own is not None and len(own) > 0))
        if not look.any():
            return items
        named = []
        for item, look_at, holds_it, is_taken in zip(items, look, held, taken):
            if look_at and isinstance(item, Found):
                name, instead = self._name(item.source, walk, bool(holds_it), bool(is_taken))
                if name != item.source or instead:
                    item = dataclasses.replace(item, source=name, alias=instead)
            named.append(item)
        return named

    def walked(self, walk: store.FolderWalk) -> None:
        """A folder of this run is walked: later folders must not take its names."""
        np = self._np
        keys = np.unique(np.frombuffer(walk.keys, dtype=np.uint64))
        renamed = list(walk.renamed)  # a copy: the main thread notes the workers' renames (this runs on the pool's)
        if renamed:
            keys = np.setdiff1d(keys, np.array(renamed, dtype=np.uint64))
        claimed = list(self.claimed.get(walk.path, ()))
        self.this_run[walk.path] = np.union1d(keys, np.array(claimed, dtype=np.uint64))
        self._others.clear()

    def archive_name(self, archive: Found, walk: store.FolderWalk, ledger: sqlite3.Connection) -> Found:
        """An archive file's name, as any file's; where two folders' records hold its name, it
        keeps that name while its size and time are those stored under it."""
        (named,) = self.give_aliases([archive], walk)
        if named.alias is None:
            return named
        row = ledger.execute("SELECT size, mtime_ns FROM source_files WHERE source = ?", (named.source,)).fetchone()
        if row == (archive.size, archive.mtime_ns):
            return dataclasses.replace(named, alias=None)
        self.note_renamed([(named.source, named.alias, True)])
        return dataclasses.replace(named, source=named.alias, alias=None)

    def note_renamed(self, renamed: list[tuple[str, str, bool]]) -> None:
        """Files whose bytes were not those stored under the name two folders' records hold: stored
        under the name kept for them, which their folder now holds instead."""
        for source, alias, _ in renamed:
            if alias in self.walk_of_alias:
                walk, key_in_folder = self.walk_of_alias[alias]
                walk.renamed[key_in_folder] = sources.source_key(alias)
                self.named.append((source, alias))


def _unchanged_archive(ledger: sqlite3.Connection, archive: Found, pattern: str = sources.DEFAULT_GLOB,
                       ) -> ChunkResult | None:
    """The archive's members as the ledger has them, when it is unchanged since it was read with
    this glob; None when it must be opened (changed, new, or never read with this glob)."""
    row = ledger.execute(
        "SELECT size, mtime_ns FROM source_files WHERE source = ? AND status = 'archive'", (archive.source,)
    ).fetchone()
    if row != (archive.size, archive.mtime_ns):
        return None
    try:
        read_so = ledger.execute("SELECT 1 FROM archive_globs WHERE source = ? AND pattern = ?",
                                 (archive.source, pattern)).fetchone()
    except sqlite3.OperationalError:  # an archive of an older news-archive: read it once more
        read_so = None
    if read_so is None:
        return None
    prefix = archive.source + "!"
    result = ChunkResult()
    # The ledger keeps the rows of members gone from the archive (their articles stay): those are
    # in gone_sources, with the archive as their folder, and are not among what it holds now.
    rows = ledger.execute(
        "SELECT s.source, s.status, r.reason FROM source_files s LEFT JOIN rejects r ON r.source = s.source"
        " WHERE s.source >= ? AND s.source < ?"
        " AND NOT EXISTS (SELECT 1 FROM gone_sources g WHERE g.folder = ? AND g.source = s.source)",
        (prefix, archive.source + '"', archive.source),
    )
    damaged = ledger.execute("SELECT reason FROM rejects WHERE source = ?", (archive.source,)).fetchone()
    if damaged:  # damaged when it was read, and not changed since: still damaged
        result.still_rejected.append((archive.source, damaged[0]))
    for source, status, reason in rows:
        if not sources.member_matches(source[len(prefix):], pattern):
            continue  # read with another glob: not this ingest's to count
        if status == "rejected":
            result.still_rejected.append((source, reason or "rejected"))
        else:
            result.unchanged += 1
    return result


# --- running work ----------------------------------------------------------------


def _run(items: Iterator, db_path: str, jobs: int, expected: int | None, analyse: bool,
         reread: bool = False) -> Iterator[ChunkResult | _Container]:
    """Process chunks in worker processes, in order, with bounded memory."""
    first: list = []
    small = expected is not None and expected < POOL_THRESHOLD
    if jobs > 1 and not small:
        # Peek ahead: a handful of files is not worth starting processes for.
        size = 0
        for item in items:
            first.append(item)
            size += len(item) if isinstance(item, list) else 0
            if size >= POOL_THRESHOLD:
                break
        else:
            small = True
    items = _chain(first, items)
    if jobs <= 1 or small:
        _worker_init(db_path, analyse, reread)
        for item in items:
            yield process_chunk(item) if isinstance(item, list) else item
        return
    yield from _in_pool(_process_any, items, jobs, (db_path, analyse, reread))


def _in_pool(function, items: Iterable, jobs: int, init_args: tuple) -> Iterator:
    """``function`` of each item in ``jobs`` worker processes, results in order. At most a
    few items are handed out ahead of the results taken: the pool's feeder thread would
    otherwise read every item (a whole walk) into memory, and results could pile up."""
    window = threading.BoundedSemaphore(jobs * 4)
    stopping = threading.Event()

    def throttled() -> Iterator:
        for item in items:
            # Runs on the pool's task thread: it must notice when the results are no longer taken
            # (an interrupt), or closing the pool would wait for it forever.
            while not window.acquire(timeout=0.1):
                if stopping.is_set():
                    return
            yield item

    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_worker_init, initargs=init_args) as pool:
        try:
            for result in pool.imap(function, throttled()):
                window.release()
                yield result
        finally:
            stopping.set()


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _process_any(item):
    return process_chunk(item) if isinstance(item, list) else item


_ledger: sqlite3.Connection | None = None
_analyse = True
_reread = False  # read every file, and parse rejects again, whatever the ledger says


def _worker_init(db_path: str, analyse: bool = True, reread: bool = False) -> None:
    global _ledger, _analyse, _reread
    if multiprocessing.parent_process() is not None:
        # A worker: Ctrl-C reaches the whole process group, but only the main process acts on it
        # (it stops the pool, which ends the workers); and a worker ends quietly when told to.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _collect_less_often()
    _ledger = store.connect_readonly(db_path)
    _analyse = analyse
    _reread = reread


def process_chunk(chunk: list[Task]) -> ChunkResult:
    """Read, hash, decode and parse one chunk of candidates (runs in a worker)."""
    assert _ledger is not None
    result = ChunkResult()
    known = _ledger_rows(_ledger, [item.source for item in chunk])  # one query for the chunk
    for item in chunk:
        if isinstance(item, Found):
            item = sources.complete(item)
        previous = known.get(item.source)
        if isinstance(item, Unreadable):
            if _rejected_so_before(previous, item.reason):
                result.still_rejected.append((item.source, item.reason))
            else:
                result.rejected.append(store.RejectedFile(item.source, item.reason))
            continue
        if isinstance(item, Member) and item.error:
            if _rejected_so_before(previous, item.error, item.size, item.mtime_ns):
                result.still_rejected.append((item.source, item.error))
            else:
                result.rejected.append(store.RejectedFile(item.source, item.error, item.size, item.mtime_ns))
            continue
        # A name two folders' records hold (see NameClashes): the same size and time prove nothing then.
        clash = isinstance(item, Found) and item.alias is not None
        # A member of an archive is here only because its archive changed, and its bytes are read
        # already: its hash says whether it changed (a rebuilt tarball keeps members' sizes and times).
        if previous and not clash and not _reread and not isinstance(item, Member) \
                and (previous[0], previous[1]) == (item.size, item.mtime_ns) and previous[3] != "archive":
            if previous[3] == "rejected":
                result.still_rejected.append((item.source, previous[4] or "rejected"))
            else:
                result.unchanged += 1
            continue
        try:
            raw = item.data if isinstance(item, Member) else sources.read_file(item.path)
        except OSError as error:
            reason = f"cannot read: {error.strerror.lower() if error.strerror else error}"
            result.rejected.append(store.RejectedFile(item.source, reason, item.size, item.mtime_ns))
            continue
        assert raw is not None
        digest = hashlib.sha256(raw).hexdigest()
        if clash and not (previous and previous[2] == digest):
            # Another folder's file has this name too, and these bytes are not what the archive
            # holds under it: this file takes the name kept for it, the other keeps this one.
            result.renamed.append((item.source, item.alias, True))
            item = dataclasses.replace(item, source=item.alias, alias=None)
            previous = None
        if previous and previous[2] == digest and not (_reread and previous[3] == "rejected"):
            result.seen.append(store.SeenFile(item.source, item.size, item.mtime_ns, digest, previous[3]))
            if previous[3] == "rejected":
                result.still_rejected.append((item.source, previous[4] or "rejected"))
            continue
        outcome = parse_bytes(item.source, raw)
        if previous and previous[2] == digest and outcome == previous[4]:  # parsed again, rejected again
            result.seen.append(store.SeenFile(item.source, item.size, item.mtime_ns, digest, previous[3]))
            result.still_rejected.append((item.source, outcome))
            continue
        if isinstance(outcome, str):
            result.rejected.append(store.RejectedFile(item.source, outcome, len(raw), item.mtime_ns, digest, raw))
        else:
            result.parsed.append(store.ParsedFile(
                item.source, len(raw), item.mtime_ns, digest, outcome.date, outcome.headline, outcome.body,
                len(outcome.paragraphs), outcome.words,
            ))
    if _analyse and result.parsed:
        analyses = analyse_many([p.body for p in result.parsed])
        result.parsed = [p._replace(analysis=a) for p, a in zip(result.parsed, analyses)]
        if _resident_mb() > WORKER_MEMORY_MB:
            names.clear_caches()
    return result


def _rejected_so_before(previous: tuple | None, reason: str, size: int | None = None,
                        mtime_ns: int | None = None) -> bool:
    """Whether the ledger row ``previous`` is a reject for this same reason (and size and time) of
    something that has no bytes to compare: a broken link, a link loop, a link to "..", a member too
    big or in an archive inside the archive. Without this such rejects were news on every run."""
    return (previous is not None and previous[3] == "rejected" and previous[4] == reason
            and (previous[0], previous[1]) == (size, mtime_ns))


# The name finder memoises what it has worked out; a worker drops that memory
# at this size so that the whole ingest stays within its memory budget.
WORKER_MEMORY_MB = 120


def _resident_mb() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError):
        return 0


def parse_bytes(source: str, raw: bytes):
    """Decode and parse; return the Article, or the reason it was rejected."""
    try:
        return parse_article(sources.decode(raw), source)
    except sources.DecodeError as error:
        return str(error)
    except ParseError as error:
        return error.reason


def _ledger_rows(conn: sqlite3.Connection, names: list[str]) -> dict[str, tuple]:
    rows: dict[str, tuple] = {}
    for start in range(0, len(names), 500):
        part = names[start : start + 500]
        marks = ", ".join("?" * len(part))
        for source, size, mtime_ns, sha, status, reason in conn.execute(
            "SELECT s.source, s.size, s.mtime_ns, s.sha256, s.status, r.reason FROM source_files s"
            f" LEFT JOIN rejects r ON r.source = s.source WHERE s.source IN ({marks})",
            part,
        ):
            rows[source] = (size, mtime_ns, sha, status, reason)
    return rows
