"""Write a stream of articles as NDJSON, a JSON array or CSV, in constant memory."""

from __future__ import annotations

import csv
import json
import queue
import re
import threading
from itertools import islice
from typing import IO, Iterable, Iterator

FORMATS = ("ndjson", "json", "csv")
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A number with a sign is a number to a spreadsheet, not a formula: it is left as it is.
SIGNED_NUMBER = re.compile(r"[+-](?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise_cell(value):
    """Make a CSV cell safe to open in a spreadsheet: prefix a would-be formula with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _as_json(row: dict | str) -> str:
    # Rows may arrive already encoded (see search.iter_matches(as_json=True)).
    return row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)


def ndjson_lines(rows: Iterable[dict | str]) -> Iterator[str]:
    for row in rows:
        yield _as_json(row) + "\n"


def json_array_chunks(rows: Iterable[dict | str]) -> Iterator[str]:
    """A JSON array written piece by piece, so nothing is held in memory."""
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + _as_json(row)
        first = False
    yield "\n]\n" if not first else "]\n"


class _LineBuffer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_chunks(rows: Iterable[dict], columns: Iterable[str]) -> Iterator[str]:
    columns = list(columns)
    buffer = _LineBuffer()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.take()
    for row in rows:
        writer.writerow([neutralise_cell(row.get(c)) for c in columns])
        yield buffer.take()


def chunks(rows: Iterable[dict], fmt: str, columns: Iterable[str]) -> Iterator[str]:
    if fmt == "ndjson":
        return ndjson_lines(rows)
    if fmt == "json":
        return json_array_chunks(rows)
    if fmt == "csv":
        return csv_chunks(rows, columns)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write(rows: Iterable[dict | str], fmt: str, out: IO[str], columns: Iterable[str]) -> int:
    """Write every row to ``out``; return how many rows were written. (The command
    line writes NDJSON of SQLite-built rows with :func:`write_ndjson_bytes`.)"""
    written = 0

    def counted() -> Iterator[dict | str]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    buffer: list[str] = []
    for piece in chunks(counted(), fmt, columns):
        buffer.append(piece)
        if len(buffer) >= 256:  # fewer, larger writes
            out.write("".join(buffer))
            buffer.clear()
    out.write("".join(buffer))
    return written


def write_ndjson_bytes(rows: Iterable[bytes], out: IO[bytes]) -> int:
    """NDJSON from rows that are already UTF-8 JSON objects (SQLite's json_object
    read with ``text_factory = bytes``), a thousand lines per write: no decoding into
    str and encoding back, which was a fifth of a million-article export. Returns how
    many rows were written.

    The writes happen on a second thread. Writing a gigabyte costs the kernel from
    one to five seconds (it depends on what the page cache holds), sometimes as long
    as SQLite takes to make the lines: on two cores the two now overlap."""
    pending: queue.Queue = queue.Queue(maxsize=8)
    failed: list[BaseException] = []

    def write_all() -> None:
        while (chunk := pending.get()) is not None:
            if not failed:  # after a failure, only drain, so that the producer never blocks
                try:
                    out.write(chunk)
                except BaseException as error:  # a closed pipe, a full disk: raised in the caller
                    failed.append(error)

    writer = threading.Thread(target=write_all, name="news-archive-export-writer", daemon=True)
    writer.start()
    written = 0
    try:
        iterator = iter(rows)
        while not failed and (batch := list(islice(iterator, 1000))):
            batch.append(b"")
            pending.put(b"\n".join(batch))
            written += len(batch) - 1
    finally:
        pending.put(None)
        writer.join()
    if failed:
        raise failed[0]
    return written
