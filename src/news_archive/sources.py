"""Find article files on disk and inside archives, read them, decode them.

This is the only module that touches the filesystem for input. It knows
nothing about articles: it yields named byte sources and turns bytes into text.
"""

from __future__ import annotations

import calendar
import codecs
import collections
import errno
import fnmatch
import os
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

try:
    from lzma import LZMAError
except ImportError:  # Python built without lzma: tarfile cannot read .tar.xz then either
    class LZMAError(Exception):  # type: ignore[no-redef]
        pass

DEFAULT_GLOB = "*.txt"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
# Files larger than this are recorded as rejects without their bytes: one news article is never
# this long (the longest of Reuters-21578 is 13 KB), and every byte costs: an article is held
# several times over while it is analysed (a 60 MB file took 1.9 GB), and the largest value a
# query on Datasette's SQL pages may make is sized by it (web.MAX_VALUE_BYTES).
MAX_FILE_BYTES = 10 * 1024 * 1024
TOO_BIG = f"file is larger than {MAX_FILE_BYTES // 2**20} MB: too big to be one article"


@dataclass(frozen=True)
class Found:
    """A regular file found on disk: an article candidate or an archive."""

    source: str  # the stable name stored in the database
    path: str  # where to read it (may differ from source, e.g. undecodable names)
    size: int
    mtime_ns: int
    # The name to store it under instead when another folder's record holds ``source`` too and
    # the archive holds other bytes under it (archives made before names were decided by
    # folder records alone); see ingest.NameClashes.
    alias: str | None = None

    @property
    def is_archive(self) -> bool:
        return is_archive_name(self.path)


@dataclass(frozen=True)
class Member:
    """One article candidate read out of an archive."""

    source: str  # "archive.tar.gz!folder/member.txt"
    data: bytes | None
    size: int
    mtime_ns: int
    error: str | None = None  # set when the member could not be read


@dataclass(frozen=True)
class Unreadable:
    """Something that should have been read but could not be listed or opened."""

    source: str
    reason: str


class DecodeError(ValueError):
    pass


@lru_cache(maxsize=32)
def _name_pattern(pattern: str) -> re.Pattern[str]:
    # Case aside: "*.txt" takes "A.TXT" too (files saved on Windows, or by old systems, in capitals).
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE)


def _matches(name: str, pattern: str) -> bool:
    """Glob matching, compiled once per pattern (called for every file of a walk)."""
    return _name_pattern(pattern).match(name) is not None


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


# Control characters in a file name (C0, DEL, C1): a line break that forges a line of output, an
# escape sequence a terminal obeys, a tab that shifts a column.
CONTROL_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f]")


def display_name(path: str) -> str:
    """A path as text that SQLite and a terminal can hold, and a different text for every path.

    File names that are not valid UTF-8 arrive from the OS with surrogate
    escapes; show their bytes as ``\\xNN`` instead of failing. So are the bytes of
    control characters (``line\\x0abreak.txt``, ``title\\x1b]0;...``): every
    output (terminal, CSV, pages) then shows the name on one line and inert.
    A name that is then written with escapes has its own backslashes doubled, and
    so does a UTF-8 name that holds ``\\x`` itself: otherwise the file literally
    named ``caf\\xe9.txt`` and the Latin-1 ``café.txt`` would share one name, and
    one article. Every other name (nearly all) is shown as it is, as before."""
    try:
        path.encode("utf-8")
        if "\\x" not in path and not CONTROL_IN_NAME.search(path):
            return path
    except UnicodeEncodeError:
        pass
    # An escaped name always holds "\\x" (an escaped byte, or a doubled backslash before an x)
    # and a name shown as it is never does, so no two paths can be shown alike. A control
    # character is shown as its UTF-8 bytes (U+009B as \\xc2\\x9b), as the bytes of the name.
    return escape_controls(os.fsencode(path).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace"))


def escape_controls(text: str) -> str:
    """``text`` with each control character shown as the ``\\xNN`` of its UTF-8 bytes (U+009B as
    ``\\xc2\\x9b``), as the bytes of a name that is not UTF-8 are."""
    return CONTROL_IN_NAME.sub(lambda control: "".join(f"\\x{byte:02x}" for byte in control[0].encode()), text)


def source_key(source: str) -> int:
    """A stable 64-bit key of a source name (the same in every process and run), to compare
    what a folder holds with what it held, a million names at 8 bytes each."""
    data = source.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def walk(paths: Iterable[str], pattern: str = DEFAULT_GLOB, *, stat_files: bool = True,
         leave_out: Iterable[str] = (), follow_links: bool = False) -> Iterator[Found | Unreadable]:
    """Yield every candidate under ``paths`` in a stable order.

    Directories are walked recursively (following links to folders inside the
    folder walked, and with ``follow_links`` to folders anywhere, but never into a
    folder twice, so link loops end); hidden entries are skipped. Inside
    a directory a file is a candidate if its name matches ``pattern`` or it is
    an archive. Files named explicitly are always candidates.

    A folder is named by its real path inside the walked folder whenever it has
    one: links to folders are followed only after every real folder has been
    walked, so a link to a sibling adds nothing, and only folders reachable
    solely through a link are named through it.

    Without ``stat_files``, files found in folders come with ``size`` and
    ``mtime_ns`` of None (archives excepted): :func:`complete` fills them in
    later, in a worker process, which keeps a million stat calls off the
    process that walks.

    The files and folders named in ``leave_out`` (the archive's own: its database, WAL and index)
    are never yielded nor walked, wherever they are met, and neither are another archive's found
    beside its ranked index (see :func:`_archive_files`): read as articles, a database grew by its
    own size on every ingest of the folder that holds it with ``--glob '*'``.
    """
    left_out = _by_folder(leave_out)
    for given in paths:
        if _named_in(given, left_out):
            continue
        given_name = display_name(given)
        try:
            info = os.stat(given)
        except OSError as error:
            yield Unreadable(given_name, _os_reason(error))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(given, "", pattern, set(), stat_files, left_out, follow_links)
        elif stat.S_ISREG(info.st_mode):
            yield Found(_clean(given_name), given, info.st_size, info.st_mtime_ns)
        else:
            yield Unreadable(given_name, "not a regular file or folder")


class _LinkedFolder(str):
    """The relative path of a link to a folder, walked after every real folder."""


# A link to a file elsewhere is not read: a folder unpacked from someone else's archive may hold
# "story.txt -> /etc/passwd", and a reject keeps its bytes where anyone who can read the archive
# (Datasette's rejects table) can download them.
OUTSIDE_LINK = "a link to a file outside the folder walked: not read"
# Nor is a link to a folder elsewhere followed, unless asked (`ingest --follow-links`): the same
# unpacked folder may hold "etc -> /etc", or "docs -> /home/someone".
OUTSIDE_FOLDER_LINK = "a link to a folder outside the folder walked: not followed (--follow-links follows it)"


def _walk_dir(top: str, prefix: str, pattern: str, visited: set[tuple[int, int]],
              stat_files: bool = True, left_out: "_LeftOut | None" = None,
              follow_links: bool = False) -> Iterator[Found | Unreadable]:
    # A stack of folder listings rather than recursion, so that folders nested
    # thousands deep are walked (in the same depth-first, sorted order). Each comes with the
    # folders a link to a file found in it may lead into: the one walked, and the folder a
    # followed link to a folder leads to (whose files the walk reads anyway).
    real_top = os.path.realpath(top)
    stack = [(_listing(top, prefix, pattern, visited, stat_files, left_out, (real_top,)), (real_top,))]
    # Links wait until the real folders are done: a folder with a real path is
    # then already visited when a link reaches it, and keeps its real name.
    linked: collections.deque[str] = collections.deque()
    while stack or linked:
        if not stack:
            link = linked.popleft()
            target = os.path.realpath(os.path.join(top, link))
            if real_top.startswith(target.rstrip(os.sep) + os.sep):  # (a link to the folder itself is a loop, ended below)
                # A link to "..": it would pull in everything around the folder asked for.
                yield Unreadable(display_name(link), "a link to a folder that holds this folder: not followed")
                continue
            if not follow_links and not _within(target, (real_top,)):
                yield Unreadable(display_name(link), OUTSIDE_FOLDER_LINK)
                continue
            inside = (real_top, target)
            stack.append((_listing(top, link, pattern, visited, stat_files, left_out, inside), inside))
        listing, inside = stack[-1]
        try:
            item = next(listing)
        except StopIteration:
            stack.pop()
            continue
        if isinstance(item, _LinkedFolder):
            linked.append(item)
        elif isinstance(item, str):
            stack.append((_listing(top, item, pattern, visited, stat_files, left_out, inside), inside))
        else:
            yield item


def _within(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _listing(top: str, prefix: str, pattern: str, visited: set[tuple[int, int]],
             stat_files: bool = True, left_out: "_LeftOut | None" = None,
             inside: tuple[str, ...] = ()) -> Iterator[Found | Unreadable | str]:
    """The candidates in one folder, in name order; a subfolder comes as its relative path
    (a ``str``, or a :class:`_LinkedFolder` for a link to a folder) to walk next. A link to a
    file is read only when the file is in one of the real folders ``inside``."""
    here = os.path.join(top, prefix) if prefix else top
    try:
        info = os.stat(here)
        key = (info.st_dev, info.st_ino)
        if key in visited:
            return  # a link back into a folder already walked: a loop or a second route
        visited.add(key)
        with os.scandir(here) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as error:
        yield Unreadable(display_name(prefix or top), f"cannot list folder: {_os_reason(error)}")
        return
    skipped = (left_out or {}).get(key, _NOTHING) | _archive_files(here, entries)
    for entry in entries:
        if entry.name.startswith(".") or (skipped and entry.name in skipped):
            continue
        relative = os.path.join(prefix, entry.name) if prefix else entry.name
        source = display_name(relative)
        try:
            is_dir = entry.is_dir()  # follows links
        except OSError as error:
            yield Unreadable(source, _os_reason(error))
            continue
        if is_dir:
            yield _LinkedFolder(relative) if entry.is_symlink() else relative
            continue
        archive = is_archive_name(entry.name)
        if not archive and not _matches(entry.name, pattern):
            continue
        # Judged before the target is looked at: whether a file elsewhere exists is not told either.
        if entry.is_symlink() and not _within(os.path.realpath(entry.path), inside):
            yield Unreadable(source, OUTSIDE_LINK)
            continue
        if not stat_files and not archive:
            yield Found(source, entry.path, None, None)  # type: ignore[arg-type]
            continue
        try:
            entry_info = entry.stat()  # follows links
        except OSError as error:
            reason = "broken link" if entry.is_symlink() else _os_reason(error)
            yield Unreadable(source, reason)
            continue
        if not stat.S_ISREG(entry_info.st_mode):
            yield Unreadable(source, "not a regular file")
            continue
        yield Found(source, entry.path, entry_info.st_size, entry_info.st_mtime_ns)


# An archive's ranked index is the folder of its database's name and this (search_index.index_path).
ARCHIVE_INDEX_SUFFIX = ".index"
# The files SQLite keeps beside a database while it is written (its log, shared memory, rollback journal).
SQLITE_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_ARCHIVE_FILE_SUFFIXES = ("", *SQLITE_SIDE_SUFFIXES, ARCHIVE_INDEX_SUFFIX)
_SQLITE_HEADER = b"SQLite format 3\x00"
_NOTHING: frozenset[str] = frozenset()
_LeftOut = dict[tuple[int, int], set[str]]  # (st_dev, st_ino) of a folder -> names in it the walk leaves out


def _by_folder(paths: Iterable[str]) -> _LeftOut:
    """Paths to leave out, by the identity of their folder: met through any spelling of the
    folder (relative, absolute, through a link) they are recognised at the cost of a set look-up."""
    folders: _LeftOut = {}
    for path in paths:
        folder, name = os.path.split(os.path.abspath(path))
        try:
            info = os.stat(folder)
        except OSError:
            continue  # a folder that is not there holds nothing to leave out
        folders.setdefault((info.st_dev, info.st_ino), set()).add(name)
    return folders


def _named_in(path: str, left_out: _LeftOut) -> bool:
    if not left_out:
        return False
    folder, name = os.path.split(os.path.abspath(path))
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return name in left_out.get((info.st_dev, info.st_ino), _NOTHING)


def _archive_files(here: str, entries: list[os.DirEntry]) -> frozenset[str]:
    """The files of a news archive in one folder: an SQLite database ``X`` beside its ranked index
    folder ``X.index`` (a backup, another archive), with its -wal, -shm and -journal files.
    Names are compared first; a database's first bytes are read only for a name with an index."""
    stems = [entry.name[: -len(ARCHIVE_INDEX_SUFFIX)] for entry in entries
             if entry.name.endswith(ARCHIVE_INDEX_SUFFIX) and entry.is_dir()]
    if not stems:
        return _NOTHING
    names = {entry.name for entry in entries}
    return frozenset(stem + suffix for stem in stems if stem in names and _is_database(os.path.join(here, stem))
                     for suffix in _ARCHIVE_FILE_SUFFIXES)


def _is_database(path: str) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # never opened: a FIFO would block
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def complete(found: Found) -> Found | Unreadable:
    """Stat a file found without it: a regular file with its size and mtime, or why not."""
    if found.size is not None:
        return found
    try:
        info = os.stat(found.path)  # follows links
    except OSError as error:
        reason = "broken link" if os.path.islink(found.path) else f"cannot read: {_os_reason(error)}"
        return Unreadable(found.source, reason)
    if not stat.S_ISREG(info.st_mode):
        return Unreadable(found.source, "not a regular file")
    return Found(found.source, found.path, info.st_size, info.st_mtime_ns, found.alias)


def _clean(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def read_file(path: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a whole file; raise ``OSError`` with a readable message if we cannot."""
    # Plain os.read sized by fstat: asking a buffered file for max_bytes + 1
    # would allocate that much for every small article.
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise OSError(_too_big(max_bytes))
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data  # a regular file read in one go
        while len(data) <= max_bytes:  # a file that grew, or one whose size stat cannot tell
            more = os.read(fd, 1 << 20)
            if not more:
                return data
            data += more
    finally:
        os.close(fd)
    raise OSError(_too_big(max_bytes))


def _too_big(max_bytes: int) -> str:
    return TOO_BIG if max_bytes == MAX_FILE_BYTES else f"file is larger than {max_bytes // 2**20} MB"


def archive_members(found: Found, pattern: str = DEFAULT_GLOB) -> Iterator[Member]:
    """Yield the members of an archive whose names match ``pattern``.

    Read straight from the archive, never unpacked to disk. A damaged archive
    yields what it can and then one member with ``error`` set, named after the
    archive itself.
    """
    count = 0
    try:
        if found.path.lower().endswith(".zip"):
            iterator = _zip_members(found, pattern)
        else:
            iterator = _tar_members(found, pattern)
        for member in iterator:
            count += 1
            yield member
    except _ARCHIVE_ERRORS as error:
        where = f" after {_plural(count, 'file')}" if count else ""
        reason = f"damaged archive{where}: {archive_problem(error, found.path)}"
        yield Member(found.source, None, found.size, found.mtime_ns, reason)


# An archive inside an archive is said, not read: reading it would mean holding it whole in memory
# (a tar streams, a zip in a tar cannot), and nesting is how archive bombs multiply.
INNER_ARCHIVE = "an archive inside an archive is not read: unpack it"
# Nor is a link: a symbolic link's target is a path on whichever machine unpacks it (a zip
# stores it as the member's bytes), and a tar's hard link repeats another member, which a
# compressed tar can only reach by reading it again from the start (thousands of links to
# one big member would be read thousands of times).
LINK_IN_ARCHIVE = "a link inside an archive is not read"


def _member_wanted(name: str, pattern: str) -> bool:
    """Whether a member is a candidate, as a file at that path in a walked folder would be: not
    hidden nor in a hidden folder, and matching the glob or an archive (then said, see INNER_ARCHIVE)."""
    parts = name.split("/")
    base = parts[-1]
    if not base or any(part.startswith(".") and part not in (".", "..") for part in parts):
        return False  # ("./a.txt" is how `tar -C folder .` names a.txt: "." hides nothing)
    return is_archive_name(base) or _matches(base, pattern)


_SECOND_OF_A_NAME = re.compile(r" \(\d+\)$")


def member_matches(name: str, pattern: str) -> bool:
    """Whether an archive member stored as ``name`` (its path in the archive, maybe "a.txt (2)"
    for the second member of one name, see _MemberNames) is one that ``pattern`` reads."""
    return _member_wanted(name, pattern) or _member_wanted(_SECOND_OF_A_NAME.sub("", name), pattern)


class _MemberNames:
    """Names for an archive's members. An archive may hold two members of one name (a zip
    appended to, a tar of two versions): the second is "name (2)", not a replacement of the first."""

    def __init__(self, archive_source: str):
        self.archive_source = archive_source
        self.seen: dict[str, int] = {}

    def __call__(self, name: str) -> str:
        name = display_name(name)
        count = self.seen[name] = self.seen.get(name, 0) + 1
        return f"{self.archive_source}!{name}" + (f" ({count})" if count > 1 else "")


def _tar_members(found: Found, pattern: str) -> Iterator[Member]:
    named = _MemberNames(found.source)
    with tarfile.open(found.path, mode="r:*") as archive:
        for info in archive:  # streams: members are read in order, nothing is extracted
            link = info.issym() or info.islnk()
            if not (info.isfile() or link) or not _member_wanted(info.name, pattern):
                continue
            source = named(info.name)
            mtime_ns = int(info.mtime) * 1_000_000_000
            if link:
                yield Member(source, None, 0, mtime_ns, LINK_IN_ARCHIVE)
                continue
            if is_archive_name(info.name):
                yield Member(source, None, info.size, mtime_ns, INNER_ARCHIVE)
                continue
            if info.size > MAX_FILE_BYTES:
                yield Member(source, None, info.size, mtime_ns, TOO_BIG)
                continue
            handle = archive.extractfile(info)
            data = handle.read() if handle else b""
            yield Member(source, data, info.size, mtime_ns)


def _zip_members(found: Found, pattern: str) -> Iterator[Member]:
    named = _MemberNames(found.source)
    with zipfile.ZipFile(found.path) as archive:
        for info in archive.infolist():
            if info.is_dir() or not _member_wanted(info.filename, pattern):
                continue
            source = named(info.filename)
            mtime_ns = _zip_mtime_ns(info)
            if stat.S_ISLNK(info.external_attr >> 16):  # made on Unix with the link kept (zip --symlinks)
                yield Member(source, None, info.file_size, mtime_ns, LINK_IN_ARCHIVE)
                continue
            if is_archive_name(info.filename):
                yield Member(source, None, info.file_size, mtime_ns, INNER_ARCHIVE)
                continue
            if info.file_size > MAX_FILE_BYTES:
                yield Member(source, None, info.file_size, mtime_ns, TOO_BIG)
                continue
            try:
                data = archive.read(info)
            except (*_ARCHIVE_ERRORS, NotImplementedError) as error:
                reason = f"cannot read from the archive: {archive_problem(error, found.path)}"
                yield Member(source, None, info.file_size, mtime_ns, reason)
                continue
            yield Member(source, data, info.file_size, mtime_ns)


def _zip_mtime_ns(info: zipfile.ZipInfo) -> int:
    # A damaged header can hold an impossible time (month 0); that loses the
    # member's time, not the member.
    try:
        return calendar.timegm((*info.date_time, 0, 0, 0)) * 1_000_000_000
    except (ValueError, OverflowError):
        return 0


# zlib and lzma errors are not OSErrors: a corrupt deflate stream in a zip, or a
# corrupt .tar.xz, raises them straight from the decompressor.
_ARCHIVE_ERRORS = (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, ValueError, RuntimeError,
                   zlib.error, LZMAError)
# (first bytes, tarfile's name for the method, what a person calls it)
_COMPRESSION_MAGIC = ((b"\x1f\x8b", "gz", "gzip"), (b"BZh", "bz2", "bzip2"), (b"\xfd7zXZ\x00", "xz", "xz"))
_COMPRESSION_BY_SUFFIX = ((".tar.gz", "a gzip"), (".tgz", "a gzip"), (".tar.bz2", "a bzip2"), (".tbz2", "a bzip2"),
                          (".tar.xz", "an xz"), (".txz", "an xz"))
_CUT_SHORT = "the file is cut short"
# Python's messages, by what they mean to a person. The first match wins.
_ARCHIVE_PROBLEMS = (
    (("encrypted", "password"), "encrypted (it needs a password)"),
    (("compression method",), "compressed with a method that cannot be read"),
    (("unexpected end", "ended before", "truncated", "end of file header"), _CUT_SHORT),
    (("zlib", "crc", "decompress", "corrupt input", "invalid data stream"), "corrupt compressed data"),
    (("not a zip file",), "not a zip file"),
    (("checksum", "invalid header", "empty header"), "corrupt tar header"),
    (("central directory", "file header", "extra field", "zip file version", "differ"), "corrupt zip directory"),
)
_OS_PROBLEMS = {errno.EACCES, errno.EPERM, errno.ENOENT, errno.EISDIR, errno.EIO, errno.ENOSPC, errno.EMFILE}


def archive_problem(error: BaseException, path: str) -> str:
    """What is wrong with the archive at ``path``, in one short line for a person.

    Python's own messages can span several lines and name its internals
    ("- method gz: ReadError('not a gzip file')"), and they break the one line
    per reject that ingest and stats print."""
    message = " ".join(str(error).split()).lower()
    if isinstance(error, tarfile.ReadError) and "could not be opened" in message:
        return _unopenable_tar(message, path)
    if isinstance(error, OSError) and error.errno in _OS_PROBLEMS:
        return _os_reason(error)
    for clues, problem in _ARCHIVE_PROBLEMS:
        if any(clue in message for clue in clues):
            return problem
    if isinstance(error, EOFError):
        return _CUT_SHORT
    if isinstance(error, (zlib.error, LZMAError)):
        return "corrupt compressed data"
    detail = _os_reason(error) if isinstance(error, OSError) else message
    return f"corrupt data ({_short(detail, 80)})" if detail else "corrupt data"


def _unopenable_tar(message: str, path: str) -> str:
    # tarfile tried every compression and lists each failure; the first bytes
    # say which compression the file really has, and so which failure matters.
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as error:
        return _os_reason(error)
    found = next(((method, kind) for magic, method, kind in _COMPRESSION_MAGIC if head.startswith(magic)), None)
    if found is None:
        named = next((kind for suffix, kind in _COMPRESSION_BY_SUFFIX if path.lower().endswith(suffix)), None)
        return f"not {named} or tar file" if named else "not a tar file"
    method, compression = found
    # Python 3.11 and later say why each method failed; older ones do not.
    failure = re.search(rf"method {method}: (.*?)(?: - method |$)", message)
    why = failure.group(1) if failure else ""
    if any(clue in why for clue in ("unexpected end", "ended before", "truncated")):
        return _CUT_SHORT
    if any(clue in why for clue in ("checksum", "invalid header", "empty header", "empty file")):
        return f"the {compression} data does not hold a tar archive"
    return f"corrupt {compression} data"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


# --- decoding ---------------------------------------------------------------

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a zip file",
    b"\x1f\x8b": "a gzip file",
    b"\x7fELF": "a program",
    b"SQLite format 3": "an SQLite database",
}
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def decode(raw: bytes) -> str:
    """Bytes of a text file to ``str``: UTF-8 (BOM or not), UTF-16 with a BOM,
    else Windows-1252, else Latin-1. Binary content raises ``DecodeError``."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            raise DecodeError(f"binary content: looks like {kind}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DecodeError(f"undecodable: has a UTF-16 byte order mark but is not UTF-16 ({error.reason})") from None
    elif b"\x00" in raw:
        text = _utf16_without_bom(raw)
        if text is None:
            raise DecodeError(f"binary content: contains {_plural(raw.count(0), 'NUL byte')}")
    elif raw.startswith(b"\xef\xbb\xbf"):
        try:
            text = raw[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise DecodeError(
                f"undecodable: has a UTF-8 byte order mark but invalid UTF-8 at byte {error.start + 3}"
            ) from None
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            if _mostly_utf8(raw):
                # UTF-8 with a stray byte or two of another encoding (a pasted "São"): those
                # bytes alone are read as Windows-1252, not the whole text as mojibake.
                text = raw.decode("utf-8", "news_archive_cp1252")
            else:
                try:
                    text = raw.decode("cp1252")
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
                # Single-byte text: C1 controls (0x80-0x9f in Latin-1) count as binary too.
                controls = sum(1 for ch in text if (ch < " " or "\x7f" <= ch < "\xa0") and ch not in _ALLOWED_CONTROLS)
                _check_controls(controls, len(text))
                return _CONTROL_CHARACTERS.sub("", text) if controls else text
    # Counted on the bytes: in UTF-8 and UTF-16 alike, C0 controls are what matters, and bytes are fast.
    source = text.encode("utf-8") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw else raw
    controls = len(source) - len(source.translate(None, _CONTROL_BYTES))
    _check_controls(controls, len(text))
    if controls or (not raw.isascii() and _C1_CONTROL.search(text)):
        return _CONTROL_CHARACTERS.sub("", text)
    return text


# The few control characters a text file may hold are dropped: they show as nothing, and
# left in they would reach terminals (escape sequences: C1's CSI and OSC as well as C0's ESC)
# and the marks that highlight matches.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_C1_CONTROL = re.compile("[\x80-\x9f]")


_CONTROL_BYTES = bytes(b for b in range(0x20) if chr(b) not in _ALLOWED_CONTROLS) + b"\x7f"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(raw: bytes) -> bool:
    """Text with UTF-8 characters in it and only a few bytes that are not UTF-8."""
    sequences = len(_UTF8_SEQUENCE.findall(raw))
    if not sequences:
        return False
    invalid = len(raw.decode("utf-8", "replace").encode("utf-8")) - len(raw)  # each bad byte grows to 3
    return invalid // 2 <= max(2, sequences // 4)


def _cp1252_byte(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8, read as Windows-1252 (else Latin-1)."""
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", "replace").replace("\ufffd", "") or bad.decode("latin-1"), error.end


codecs.register_error("news_archive_cp1252", _cp1252_byte)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text saved without its byte order mark: a NUL in nearly every other byte."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    half = len(raw) // 2
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= half * 0.6 and others <= half * 0.02:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _check_controls(controls: int, length: int) -> None:
    if controls and controls > max(8, length // 100):
        raise DecodeError(f"binary content: {controls} control characters")


def _os_reason(error: OSError) -> str:
    return error.strerror.lower() if error.strerror else str(error)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
