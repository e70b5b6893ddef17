"""SQLite's instr, replace and trim/ltrim/rtrim by a set of characters, in linear time,
for the connections Datasette opens (see ``prepare_connection`` in this package).

Datasette's SQL pages stop a query after the time limit through SQLite's progress
handler, which runs between the steps of a query, never inside one function call.
SQLite's own versions of these functions compare the needle (or the set) at every
character: ``instr`` of a 100,000-character needle in 12 million characters took 9-20
s, ``trim`` of a million characters by a set of 10,000 took 21.7 s, all in one call
that no limit could stop. Python's ``find``, ``count`` and ``replace`` switch to a
linear two-way search for long needles, and a trim looks each character up in a set.

The answers are SQLite's, to the type: NULL in, NULL out; two blobs are searched
byte by byte; otherwise numbers and blobs are read as text (a blob's bytes as UTF-8)
and ``instr`` counts characters from 1; an empty needle is found at 1; an empty
pattern (or one starting with a NUL) gives ``replace``'s first argument back (a number
as a number), and the set of a trim ends at its first NUL; otherwise ``replace`` and
the trims return text; a ``replace`` that
would make a value over the connection's length limit is "string or blob too big".
One difference: a text that is not UTF-8 (only a blob cast to text makes one; an
article never is) is an error, because Python's sqlite3 cannot hand such a value to
a function, nor take one back.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from functools import lru_cache
from typing import Callable

_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # the second and later bytes of a UTF-8 character
# A set of characters up to this size is stripped by Python's own strip, which compares every
# character with each of the set's (fast, for a small set); a larger one is looked up.
_SMALL_SET = 32
_CHUNK = 4096


def register(conn: sqlite3.Connection, max_value_bytes: int) -> None:
    """Put the linear versions in place of SQLite's own on ``conn``. The trims with one
    argument (spaces) are SQLite's: they are linear already."""
    _quiet_refusals()
    conn.create_function("instr", 2, instr, deterministic=True)
    conn.create_function("replace", 3, _replacer(max_value_bytes), deterministic=True)
    conn.create_function("trim", 2, _trimmer(left=True, right=True), deterministic=True)
    conn.create_function("ltrim", 2, _trimmer(left=True, right=False), deterministic=True)
    conn.create_function("rtrim", 2, _trimmer(left=False, right=True), deterministic=True)


def instr(haystack, needle) -> int | None:
    """Where ``needle`` first is in ``haystack``, from 1; 0 if nowhere."""
    if haystack is None or needle is None:
        return None
    if isinstance(haystack, bytes) and isinstance(needle, bytes):
        return haystack.find(needle) + 1 if needle else 1
    if not isinstance(haystack, bytes) and not isinstance(needle, bytes):
        text, sought = _as_text(haystack), _as_text(needle)
        return text.find(sought) + 1 if sought else 1
    # A blob and a text: both read as UTF-8 bytes, the answer counted in characters. SQLite
    # steps from the first byte to the start of each next character, so a needle that itself
    # starts inside a character can only be found at the very start.
    data, sought_bytes = _text_bytes(haystack), _text_bytes(needle)
    if not sought_bytes:
        return 1
    if sought_bytes[0] in _CONTINUATION_BYTES:
        return 1 if data.startswith(sought_bytes) else 0
    at = data.find(sought_bytes)
    if at < 0:
        return 0
    return 1 + len(data[1 : at + 1].translate(None, _CONTINUATION_BYTES))


def _replacer(max_value_bytes: int) -> Callable:
    def replace(text, pattern, replacement) -> str | None:
        """``text`` with every ``pattern`` (left to right, never overlapping) made ``replacement``."""
        data = _text_bytes(text)
        sought = _text_bytes(pattern)
        if data is None or sought is None:
            return None
        if not sought or sought[0] == 0:  # SQLite reads the pattern up to a NUL: nothing to replace
            return text if isinstance(text, (int, float)) else _decoded(data)  # a number stays one
        put = _text_bytes(replacement)
        if put is None:
            return None
        if len(put) > len(sought) and len(data) + data.count(sought) * (len(put) - len(sought)) > max_value_bytes:
            raise OverflowError  # Python's sqlite3 answers it as SQLite's own "string or blob too big"
        return _decoded(data.replace(sought, put))

    return replace


def _trimmer(left: bool, right: bool) -> Callable:
    def trim(text, characters) -> str | None:
        """``text`` without the characters of the set ``characters`` at its start, end or both."""
        if text is None or characters is None:
            return None
        data = _decoded(_text_bytes(text))
        chosen = _decoded(_text_bytes(characters).split(b"\0", 1)[0])
        if not chosen or not data:
            return data
        if len(chosen) <= _SMALL_SET:
            return data.strip(chosen) if left and right else data.lstrip(chosen) if left else data.rstrip(chosen)
        members = frozenset(chosen)
        start = _leading(data, members) if left else 0
        end = len(data) - _trailing(data, members) if right else len(data)
        return data[start:max(start, end)]

    return trim


def _leading(text: str, members: frozenset[str]) -> int:
    """How many characters at the start of ``text`` are ``members``: a chunk at a time as a
    set (in C), one by one only in the chunk where they end."""
    at = 0
    while at < len(text):
        chunk = text[at : at + _CHUNK]
        if members.issuperset(chunk):
            at += len(chunk)
            continue
        for character in chunk:
            if character not in members:
                return at
            at += 1
    return at


def _trailing(text: str, members: frozenset[str]) -> int:
    """How many characters at the end of ``text`` are ``members``."""
    count = 0
    while count < len(text):
        chunk = text[max(0, len(text) - count - _CHUNK) : len(text) - count]
        if members.issuperset(chunk):
            count += len(chunk)
            continue
        for character in reversed(chunk):
            if character not in members:
                return count
            count += 1
    return count


_hook_set = threading.Lock()


def _quiet_refusals() -> None:
    """Datasette turns on sqlite3's callback tracebacks in every process that imports it: each
    query these functions refuse (a value too big, a text that is not UTF-8) would print a
    traceback to the server's terminal. Those are said to the visitor as SQL errors; only
    other functions' exceptions go on to the hook."""
    with _hook_set:
        if getattr(sys.unraisablehook, "leaves_out", None) == __name__:
            return
        earlier = sys.unraisablehook

        def hook(unraisable) -> None:
            if getattr(unraisable.object, "__module__", None) != __name__:
                earlier(unraisable)

        hook.leaves_out = __name__  # type: ignore[attr-defined]
        sys.unraisablehook = hook


def _as_text(value) -> str:
    """A number or text as SQLite reads it as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return _real_as_text(value)


def _text_bytes(value) -> bytes | None:
    """A value as the bytes SQLite reads as its text (a blob's own bytes)."""
    if value is None or isinstance(value, bytes):
        return value
    return _as_text(value).encode("utf-8")


def _decoded(data: bytes) -> str:
    # A result SQLite would give as text that is not UTF-8 cannot be handed back from Python:
    # an error (UnicodeDecodeError), as for such an argument.
    return data.decode("utf-8")


_converting = threading.Lock()


@lru_cache(maxsize=1)
def _converter() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", check_same_thread=False)


def _real_as_text(value: float) -> str:
    """A REAL as SQLite writes it (1.0, 1.0e+20, Inf), asked of SQLite itself: Python's repr differs."""
    with _converting:
        return _converter().execute("SELECT CAST(? AS TEXT)", (value,)).fetchone()[0]
