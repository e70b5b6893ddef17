"""An ingest that stops dead at a chosen point, so that a test can kill -9 it there.

    python tests/faultpoints.py POINT NTH DB PATH... [--jobs N] [--pause-after-commit SECONDS]

When the ingest reaches POINT for the NTH time it prints ``at POINT`` and
sleeps; the caller then sends SIGKILL (to the process group, so that worker
processes die too). Nothing in the library is changed: the hooks wrap
SQLite's ``execute``/``executemany`` and the ranked index's feeder.

Points:
  articles-insert  in save_batch's transaction: new articles rows written, their FTS rows not yet
  fts-insert       in save_batch's transaction: FTS rows written, rejects and ledger not yet
  ledger           in save_batch's transaction: the source_files rows, the last write before COMMIT
  update           in an update batch: UPDATE articles done (its triggers rewrote FTS rows), not committed
  index-add        ranked index: a batch of documents fed to the writer, not committed
  index-commit     ranked index: tantivy committed, its state file (the recorded max id) not yet written
  catch-up         ranked index catch-up: missing documents re-fed, not committed
  queue            ranked index catch-up: committed, index_queue not yet cleared
  index-create     ranked index: SearchIndex.create made a new index's files, its state file not yet
                   written (the folder a second ingest started at the same moment must leave alone)
  surnames         every batch saved, the end-of-run work (surnames alone judged, ranked index and
                   near-duplicates finished, folders recorded) not begun
  none             never stop (with the small batches and commits below)

Batches are small (100 files, in chunks of 50) and the ranked index commits every 150
documents, so that every point is reached several times in a small corpus.
``--pause-after-commit`` spreads the commits out in time, so that a reader that looks
once a second (a running ``serve``) can see the archive grow on a fast machine too.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from news_archive import ingest as ingest_module
from news_archive import search_index

POINTS = ("articles-insert", "fts-insert", "ledger", "update", "index-add", "index-commit", "catch-up", "queue",
          "index-create", "surnames", "none")
_SQL_POINTS = {
    "articles-insert": "INSERT INTO articles (",
    "fts-insert": "INSERT INTO articles_fts (rowid",
    "ledger": "INSERT OR REPLACE INTO source_files",
    "update": "UPDATE articles SET date",
}

target, nth = sys.argv[1], int(sys.argv[2])
if target not in POINTS:
    sys.exit(f"unknown point {target!r}; choose one of {', '.join(POINTS)}")
seen: dict[str, int] = {}


def reached(point: str) -> None:
    seen[point] = seen.get(point, 0) + 1
    if point == target and seen[point] == nth:
        print(f"at {point}", flush=True)
        time.sleep(3600)  # killed here


class HookedConnection(sqlite3.Connection):
    def executemany(self, sql, rows):
        rows = list(rows)
        cursor = super().executemany(sql, rows)
        for point, prefix in _SQL_POINTS.items():
            if rows and sql.startswith(prefix):
                reached(point)
        return cursor

    def execute(self, sql, *args):
        if sql.startswith("DELETE FROM index_queue"):
            reached("queue")
        return super().execute(sql, *args)


_connect = sqlite3.connect


def connect(*args, **kwargs):
    kwargs.setdefault("factory", HookedConnection)
    return _connect(*args, **kwargs)


sqlite3.connect = connect

Feeder = search_index.Feeder
_commit, _saved_up_to, _add, _catch_up = Feeder.commit, Feeder.saved_up_to, Feeder.add, Feeder.catch_up


def commit(self):
    self.writer.commit()
    reached("index-commit")
    _commit(self)
    if pause_after_commit:
        time.sleep(pause_after_commit)


def saved_up_to(self, max_id):
    reached("index-add")
    _saved_up_to(self, max_id)


def add(self, rows):
    _add(self, rows)
    if getattr(self, "catching_up", False):
        reached("catch-up")


def catch_up(self, conn):
    self.catching_up = True
    try:
        return _catch_up(self, conn)
    finally:
        self.catching_up = False


Feeder.commit, Feeder.saved_up_to, Feeder.add, Feeder.catch_up = commit, saved_up_to, add, catch_up
SearchIndex = search_index.SearchIndex
_create, _write_state = SearchIndex.create.__func__, SearchIndex._write_state


def create(cls, db_path):
    cls.creating = True
    try:
        return _create(cls, db_path)
    finally:
        cls.creating = False


def write_state(self, state):
    if getattr(type(self), "creating", False):
        reached("index-create")
    _write_state(self, state)


SearchIndex.create, SearchIndex._write_state = classmethod(create), write_state
_join_surnames = ingest_module._join_surnames


def join_surnames(*args):
    reached("surnames")
    return _join_surnames(*args)


ingest_module._join_surnames = join_surnames
ingest_module.CHUNK_FILES = 50
ingest_module.BATCH_FILES = 100
search_index.COMMIT_EVERY_DOCS = 150
search_index.COMMIT_EVERY_SECONDS = 3600.0

arguments = sys.argv[3:]
jobs = 1
if "--jobs" in arguments:
    at = arguments.index("--jobs")
    jobs = int(arguments[at + 1])
    del arguments[at : at + 2]
pause_after_commit = 0.0
if "--pause-after-commit" in arguments:
    at = arguments.index("--pause-after-commit")
    pause_after_commit = float(arguments[at + 1])
    del arguments[at : at + 2]
db_path, paths = arguments[0], arguments[1:]
report = ingest_module.ingest(db_path, paths, jobs=jobs)
print(f"done {report.summary()}", flush=True)
