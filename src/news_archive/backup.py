"""A consistent copy of an archive: its database and its ranked index, even while it is in use.

Copying ``news.db`` with ``cp`` during or after an ingest loses what is still in its WAL
(``news.db-wal``), and an index copied at another moment than the database may hold other
articles. Here the database is copied with SQLite's online backup API, from one read
transaction (a snapshot: an ingest may go on writing meanwhile), and the index is copied file by
file from what its ``meta.json`` lists, while this process holds the index's writer lock (no
ingest, analysis or merge changes it meanwhile) and the database's snapshot is taken under the
same lock: the two copies hold the same articles. When another process is writing the index (an
ingest runs), or the index is missing, damaged or not the archive's, the database is still copied
and the index is left out, with a note: the first ingest of the copy rebuilds it.

Reads only from the archive (tantivy's lock files aside); writes only ``DEST`` and
``DEST.index`` (through temporary names, replaced at the end).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import store
from .sources import SQLITE_SIDE_SUFFIXES

# The files of one segment, besides its deletes (<segment>.<opstamp>.del).
_SEGMENT_PARTS = ("store", "idx", "fieldnorm", "fast", "term", "pos")
_COPY_ATTEMPTS = 3


class BackupError(Exception):
    """Why there is no backup: one line for the user."""


@dataclass
class BackupReport:
    dest: str
    articles: int = 0
    db_bytes: int = 0
    index_bytes: int = 0
    index_note: str | None = None  # why the index was left out, when it was

    @property
    def index_copied(self) -> bool:
        return self.index_note is None


def backup(db_path: str, dest: str, *, force: bool = False) -> BackupReport:
    """Copy the archive at ``db_path`` to ``dest`` (and its ranked index to ``dest.index``)."""
    from .search_index import index_path

    source, target = Path(db_path), Path(dest)
    if not source.is_file():
        raise BackupError(f"no archive at {db_path}")
    if not target.parent.is_dir():
        raise BackupError(f"{dest}: its folder {target.parent} does not exist")
    if target.is_dir():
        raise BackupError(f"{dest} is a folder: give the name of the database file to write")
    if target.exists() and source.samefile(target):
        raise BackupError(f"{dest} is the archive itself")
    # Nor one of its own files: a backup written over news.db-wal destroyed the archive it copied.
    own_files = {Path(f"{source.resolve()}{suffix}") for suffix in SQLITE_SIDE_SUFFIXES}
    own_index = index_path(source).resolve()
    if target.resolve() in own_files or target.resolve() == own_index or own_index in target.resolve().parents \
            or index_path(target).resolve() in (source.resolve(), own_index):
        raise BackupError(f"{dest} is one of the archive's own files: give a name of its own")
    target_index = index_path(target)
    if not force:
        taken = [str(p) for p in (target, target_index) if p.exists() or p.is_symlink()]
        if taken:
            raise BackupError(f"{' and '.join(taken)} already exist{'s' if len(taken) == 1 else ''}:"
                              " choose another name, or --force to overwrite")
    report = BackupReport(dest)
    conn = store.connect_readonly(db_path)
    problem = store.schema_problem(conn)
    if problem:
        conn.close()
        raise BackupError(f"{db_path} is {problem}")
    suffix = f".backup-{uuid.uuid4().hex[:8]}"
    db_temp = target.with_name(target.name + suffix)
    index_temp = target_index.with_name(target_index.name + suffix)
    try:
        for attempt in range(_COPY_ATTEMPTS):
            # The snapshot of the database and the list of the index's files are taken together,
            # while no writer can change the index; the files listed never change, so they are
            # copied after the lock is let go (an ingest may start then). One taken away meanwhile
            # (a merge of that ingest) means taking both again.
            if conn.in_transaction:
                conn.rollback()
            lock = _writer_lock(db_path)
            try:
                conn.execute("BEGIN")
                listing = lock if isinstance(lock, str) else _index_listing(
                    index_path(source), store.archive_id(conn), store.highest_article_id(conn),
                    store.index_edition(conn))
            finally:
                del lock  # an ingest may start now
            if isinstance(listing, str):
                report.index_note = listing
                break
            if _copy_index(index_path(source), index_temp, *listing):
                report.index_note = None
                break
            report.index_note = (f"the ranked index changed under the copy {_COPY_ATTEMPTS} times, so it is left out;"
                                 " the first ingest of the copy rebuilds it")
        _copy_database(conn, db_temp)
        report.articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.rollback()
    except BaseException:
        for leftover in (db_temp, *(Path(f"{db_temp}{suffix}") for suffix in SQLITE_SIDE_SUFFIXES)):
            _remove(leftover)
        shutil.rmtree(index_temp, ignore_errors=True)
        raise
    finally:
        conn.close()
    # In place: the database first, then its index (an old DEST's WAL is no part of the new copy).
    for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        _remove(stale)
    os.replace(db_temp, target)
    if target_index.exists() or target_index.is_symlink():
        if target_index.is_dir() and not target_index.is_symlink():
            shutil.rmtree(target_index)
        else:
            target_index.unlink()
    if report.index_copied:
        os.replace(index_temp, target_index)
        report.index_bytes = sum(p.stat().st_size for p in target_index.iterdir())
    report.db_bytes = target.stat().st_size
    return report


def _writer_lock(db_path: str):
    """tantivy's writer lock on the archive's index (held while the object lives), or a note saying
    why the index is left out of the backup."""
    from .search_index import IndexUnavailable, SearchIndex, index_path

    if not index_path(db_path).exists():
        return "the archive has no ranked index; the first ingest of the copy builds one"
    if not index_path(db_path).is_dir():
        return (f"{index_path(db_path)} is a file, not a ranked index folder, so there is no index to copy (move the"
                " file aside); the first ingest of the copy builds one")
    try:
        opened = SearchIndex.open(db_path)
    except IndexUnavailable as error:
        return f"{error}, so it is left out; the first ingest of the copy builds it again"
    try:
        # The smallest heap tantivy takes; nothing is written with it.
        return opened.index.writer(heap_size=15_000_000, num_threads=1)
    except ValueError:
        return ("an ingest or analysis is writing the ranked index, so it is left out; the first ingest of the"
                " copy rebuilds it (or run the backup again when that has finished)")


def _index_listing(source: Path, archive: str | None, newest: int, edition: int):
    """(meta.json's bytes, the state file's bytes, the files meta.json lists) of the index, or why
    it is left out: its state must name the archive, hold no article beyond ``newest`` and have
    an edition no later than ``edition`` (see search_index.state_problem)."""
    from .search_index import BEHIND_NOTE, BUILDING_NOTE, STATE_FILE, state_problem

    try:
        state_bytes = (source / STATE_FILE).read_bytes()
        meta_bytes = (source / "meta.json").read_bytes()
        problem = state_problem(json.loads(state_bytes), archive, newest, edition)
        if problem == BUILDING_NOTE:
            return ("the ranked index's build was stopped before it held any article, so it is left out; the first"
                    " ingest of the copy builds it")
        # An index behind the database is copied (the first ingest of the copy catches it up).
        if problem not in (None, BEHIND_NOTE):
            return ("the ranked index beside the archive is not the archive's own (built for another database,"
                    " or ahead of it), so it is left out; the first ingest of the copy builds it again")
        files = []
        for segment in json.loads(meta_bytes)["segments"]:
            name = segment["segment_id"].replace("-", "")
            files += [f"{name}.{part}" for part in _SEGMENT_PARTS]
            if segment.get("deletes"):
                files.append(f"{name}.{segment['deletes']['opstamp']}.del")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return f"it cannot be read ({error}), so it is left out; the first ingest of the copy builds it again"
    return meta_bytes, state_bytes, files


def _copy_index(source: Path, target: Path, meta_bytes: bytes, state_bytes: bytes, files: list[str]) -> bool:
    """Copy the listed files, meta.json and the state file into ``target``; False (and nothing
    left) when a listed file is gone."""
    from .search_index import STATE_FILE

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    try:
        for name in files:
            shutil.copyfile(source / name, target / name)
    except FileNotFoundError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    except OSError as error:
        # Said of the copy (a full disk is the destination's), not of the archive's file being read.
        shutil.rmtree(target, ignore_errors=True)
        raise BackupError(f"{target.with_name(target.name.rsplit('.backup-', 1)[0])}: cannot write the copy of the"
                          f" ranked index: {error.strerror or error}") from None
    (target / ".managed.json").write_text(json.dumps(files + ["meta.json"]))
    (target / "meta.json").write_bytes(meta_bytes)
    (target / STATE_FILE).write_bytes(state_bytes)  # last: without it, the copy is no index
    return True


def _copy_database(conn: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup, from the read transaction open on ``conn`` (its snapshot), in one step."""
    copy = sqlite3.connect(target)
    try:
        conn.backup(copy)
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except (sqlite3.Error, OSError) as error:
        # Said of the copy, not of the archive (a full disk is the destination's).
        raise BackupError(f"{target.with_name(target.name.rsplit('.backup-', 1)[0])}: cannot write the copy: {error}") \
            from None
    finally:
        copy.close()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
