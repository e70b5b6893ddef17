"""Hostile input files: every file is ingested or recorded as a reject with a reason, with no traceback and no hang.

Mutated article files come from a fixed seed, so a failure can be replayed.
Sizes grow under `make stress` through the environment:
NEWS_ARCHIVE_FUZZ_FILES (mutated files, default 3000), NEWS_ARCHIVE_BIG_ARTICLE_MB
(a valid article this big, default 3, at most 9: 10 MB is the most a file may be; the rejected big file
is always 9 MB, and one over the limit 11 MB)
and NEWS_ARCHIVE_HYPOTHESIS_EXAMPLES (default 300).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from datetime import date as Date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consistency import check_archive
from conftest import rows, write_article
from news_archive import sources
from news_archive.ingest import ingest
from news_archive.parse import parse_article

SEED = 20240605
FUZZ_FILES = int(os.environ.get("NEWS_ARCHIVE_FUZZ_FILES", "3000"))
BIG_ARTICLE_MB = int(os.environ.get("NEWS_ARCHIVE_BIG_ARTICLE_MB", "3"))
EXAMPLES = int(os.environ.get("NEWS_ARCHIVE_HYPOTHESIS_EXAMPLES", "300"))
SUMMARY = re.compile(r"ingested (\d+), updated (\d+), unchanged (\d+), duplicates (\d+), rejected (\d+)")


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "news_archive.cli", *args], capture_output=True, timeout=timeout)


# --- mutated files ------------------------------------------------------------------------------

DATES = ["2020-06-09", "June 9, 2020", "9 June 2020", "Tue, 09 Jun 2020 14:30:00 +0000", "2020/06/09", "20200609",
         "13/06/2020", "09-JUN-2020 15:01:01.79", "2020-06-09T14:30:00+02:00", "Jun. 9th 2020"]
WORDS = ("the minister said markets fell sharply after the central bank raised rates again on tuesday "
         "café naïve — “quoted” words 1987 oil cocoa 12.5% <b>tags</b> & ampersands").split()


def base_article(r: random.Random) -> bytes:
    paragraphs = [" ".join(r.choice(WORDS) for _ in range(r.randint(3, 60))) for _ in range(r.randint(1, 6))]
    lead = r.choice(["", " ", "\n\n"])
    text = f"{lead}{r.choice(['date', 'Date:', 'DATE'])} {r.choice(DATES)} " + "\n\n".join(paragraphs)
    return text.encode("utf-8")


def bit_flips(r, data):
    data = bytearray(data)
    for _ in range(r.randint(1, 8)):
        if data:
            data[r.randrange(len(data))] ^= 1 << r.randrange(8)
    return bytes(data)


def truncate(r, data):
    return data[: r.randint(0, len(data))]


def insert_nuls(r, data):
    at = r.randint(0, len(data))
    return data[:at] + b"\x00" * r.randint(1, 3) + data[at:]


def utf8_bom(r, data):
    return b"\xef\xbb\xbf" + data


def utf16(r, data):
    text = data.decode("utf-8", "replace")
    return text.encode(r.choice(["utf-16", "utf-16-le", "utf-16-be"]))  # only "utf-16" writes a BOM


def crlf(r, data):
    return data.replace(b"\n", r.choice([b"\r\n", b"\r"]))


def huge_line(r, data):
    at = r.randint(0, len(data))
    return data[:at] + b"x" * r.randint(100_000, 300_000) + data[at:]


def garbage(r, data):
    return r.randbytes(r.randint(0, 2000))


def controls(r, data):
    data = bytearray(data)
    for _ in range(r.randint(1, 40)):
        data.insert(r.randint(0, len(data)), r.randrange(1, 32))
    return bytes(data)


def cp1252(r, data):
    return data.decode("utf-8", "replace").encode("cp1252", "replace")


def scramble_date(r, data):
    return re.sub(rb"\d", lambda m: str(r.randrange(10)).encode(), data, count=r.randint(1, 8))


def blank(r, data):
    return r.choice([b"", b" ", b"\n\n\t \n", b"\xef\xbb\xbf", b"\xff\xfe"])


def signature(r, data):
    return r.choice([b"%PDF-1.4", b"\x89PNG\r\n", b"PK\x03\x04", b"\x1f\x8b", b"SQLite format 3\x00"]) + data


MUTATIONS = [bit_flips, truncate, insert_nuls, utf8_bom, utf16, crlf, huge_line, garbage, controls, cp1252,
             scramble_date, blank, signature]


def mutated_files(folder: Path, count: int, seed: int = SEED) -> list[str]:
    """``count`` files, each an article put through one to three mutations (a few left intact, a few exact copies)."""
    r = random.Random(seed)
    names, kept = [], []
    for i in range(count):
        data = base_article(r)
        roll = r.random()
        if roll < 0.05 and kept:
            data = r.choice(kept)
        elif roll > 0.1:
            for mutation in r.sample(MUTATIONS, r.randint(1, 3)):
                if mutation is huge_line and r.random() > 0.1:
                    continue  # keep the corpus small: a few huge lines are enough
                data = mutation(r, data)
        if len(kept) < 50:
            kept.append(data)
        name = f"m{i // 500:02d}/f{i:05d}.txt"
        write_article(folder, name, data)
        names.append(name)
    return names


def test_thousands_of_mutated_files_are_each_accounted_for(tmp_path):
    folder = tmp_path / "fuzz"
    names = mutated_files(folder, FUZZ_FILES)
    db = str(tmp_path / "fuzz.db")
    started = time.monotonic()
    result = cli("ingest", str(folder), "--db", db)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 3), stderr[-2000:]
    assert "Traceback" not in stderr
    counts = [int(n) for n in SUMMARY.search(stderr).groups()]
    ingested, updated, unchanged, duplicates, rejected = counts
    assert sum(counts) == len(names), stderr[-500:]
    assert updated == unchanged == 0
    articles = {r[0] for r in rows(db, "SELECT source FROM articles")}
    rejects = dict(rows(db, "SELECT source, reason FROM rejects"))
    assert len(articles) == ingested + duplicates and len(rejects) == rejected
    assert articles | set(rejects) == set(names) and not articles & set(rejects)
    assert all(reason and reason.strip() for reason in rejects.values())
    assert len(stderr.splitlines()) == rejected + 1  # one line per reject, then the summary
    stored = rows(db, "SELECT count(*) FROM rejects WHERE raw IS NOT NULL AND size = length(raw)")[0][0]
    assert stored == rejected  # the bytes of every reject are kept
    check_archive(db, complete=True)
    # Both outcomes really happen, and a second run finds everything unchanged.
    assert ingested > len(names) // 20 and rejected > len(names) // 4
    again = cli("ingest", str(folder), "--db", db)
    assert SUMMARY.search(again.stderr.decode()).groups() == (
        "0", "0", str(ingested + duplicates), "0", str(rejected))
    print(f"{len(names)} mutated files: {ingested} ingested, {duplicates} copies, {rejected} rejected "
          f"in {time.monotonic() - started:.1f}s")


def test_big_files(tmp_path):
    """A 9 MB file that is not an article is rejected with its bytes kept, one over 10 MB without them; a big
    article goes in and is searchable."""
    from news_archive.web.app import make_datasette  # noqa: F401  (imported here: the web stack is slow to import)

    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "rejected-9mb.txt", "wb") as out:
        out.write(b"no date line here\n")
        out.write((b"x" * 1023 + b"\n") * (9 * 1024))
    with open(folder / "too-big.txt", "wb") as out:
        out.write(b" date 2020-06-09 A story\n\n")
        out.write((b"x" * 1023 + b"\n") * (11 * 1024))
    r = random.Random(SEED)
    paragraphs = [" ".join(r.choice(WORDS) for _ in range(150)) + "\n\n" for _ in range(64)]
    with open(folder / "article.txt", "w") as out:
        out.write(" date 2020-06-09 A very long report on market prices\n\n")
        written = 0
        while written < BIG_ARTICLE_MB * 2**20:
            paragraph = r.choice(paragraphs)
            out.write(paragraph)
            written += len(paragraph.encode())
    db = str(tmp_path / "big.db")
    started = time.monotonic()
    report = ingest(db, [str(folder)], jobs=1)
    ingest_seconds = time.monotonic() - started
    assert (report.ingested, [s for s, _ in report.rejected]) == (1, ["rejected-9mb.txt", "too-big.txt"])
    assert rows(db, "SELECT length(raw), reason FROM rejects ORDER BY source") == [
        (9 * 2**20 + 18, "no date line: the first line 'no date line here' does not start with 'date'"),
        (None, "cannot read: file is larger than 10 MB: too big to be one article")]
    check_archive(db, complete=True)
    # Searching for a word that occurs tens of thousands of times in it stays quick.
    import asyncio

    async def timed(*paths):
        datasette = make_datasette(db)
        await datasette.invoke_startup()
        answers = []
        for path in paths:
            started = time.monotonic()
            response = await datasette.client.get(path)
            answers.append((response, time.monotonic() - started))
        return answers

    (found, seconds), (page, page_seconds) = asyncio.run(timed("/search.json?q=markets", "/article/1"))
    assert found.status_code == 200 and found.json()["total"] == 1
    assert "<mark>" in found.json()["results"][0]["snippet"]
    assert seconds < 5, f"searching a {BIG_ARTICLE_MB} MB article took {seconds:.1f}s"
    assert page.status_code == 200 and len(page.content) > BIG_ARTICLE_MB * 2**20  # all of it, within the time limit
    print(f"{BIG_ARTICLE_MB} MB article and a 9 MB reject: ingest {ingest_seconds:.1f}s, search {seconds:.2f}s, "
          f"article page {page_seconds:.1f}s")


# --- the filesystem's worst ----------------------------------------------------------------------


def make_deep(top: Path, depth: int, name: str = "deep.txt") -> None:
    """``depth`` nested folders, made through file descriptors: the full path can be longer than PATH_MAX."""
    top.mkdir(parents=True, exist_ok=True)
    fds = [os.open(top, os.O_RDONLY)]
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fds[-1])
            fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
        handle = os.open(name, os.O_WRONLY | os.O_CREAT, dir_fd=fds[-1])
        os.write(handle, b" date 2020-06-09 Found at the bottom\n")
        os.close(handle)
    finally:
        for fd in fds:
            os.close(fd)


def remove_deep(top: Path, depth: int, name: str = "deep.txt") -> None:
    """Undo ``make_deep`` without recursion (shutil.rmtree recurses and would fail)."""
    fds = [os.open(top, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink(name, dir_fd=fds[-1])
    for level in range(depth, 0, -1):
        os.close(fds[level])
        os.rmdir("d", dir_fd=fds[level - 1])
    os.close(fds[0])


@pytest.fixture
def hostile_tree(tmp_path):
    folder = tmp_path / "tree"
    good = " date 2020-06-09 Ordinary story {}\n\nText.\n"
    write_article(folder, "plain.txt", good.format(0))
    make_deep(folder / "deep1200", 1200)  # deeper than Python's recursion limit
    make_deep(folder / "deep2100", 2100)  # the path is longer than PATH_MAX (4096 bytes)
    # Symlink loops: to the folder itself, to its parent, and between two files.
    (folder / "loops").mkdir()
    os.symlink(".", folder / "loops" / "self")
    os.symlink("..", folder / "loops" / "parent")
    os.symlink("b.txt", folder / "loops" / "a.txt")
    os.symlink("a.txt", folder / "loops" / "b.txt")
    os.symlink("nowhere.txt", folder / "loops" / "dangling.txt")
    # Unreadable, honestly, even for root: a FIFO (never opened: it would block), a link to a file that gives EIO
    # when read (outside the folder: not read, said so; named on the command line below, read and failing), and
    # two files that vanish or turn into a folder between the walk and the read (see the test).
    (folder / "odd").mkdir()
    os.mkfifo(folder / "odd" / "fifo.txt")
    os.symlink("/proc/self/mem", folder / "odd" / "eio.txt")
    write_article(folder, "odd/vanishes.txt", good.format(1))
    write_article(folder, "odd/becomes-folder.txt", good.format(2))
    # File names that are not UTF-8, or are hostile as text.
    raw = os.fsencode(folder / "names")
    os.mkdir(raw)
    for i, name in enumerate([b"caf\xe9.txt", b"\xff\xfe\xfd.txt", b"line\nbreak.txt", b"tab\there.txt",
                              b"<script>alert(1)<\\script>.txt", b"=cmd.txt", "\u00e9.txt".encode(),
                              "e\u0301.txt".encode(), b"x" * 251 + b".txt", b" lead space.txt"]):
        with open(raw + b"/" + name, "wb") as handle:
            handle.write(good.format(f"name {i}").encode())
    os.mkdir(raw + b"/\xc3(folder")
    with open(raw + b"/\xc3(folder/inside.txt", "wb") as handle:
        handle.write(good.format("inside").encode())
    yield folder
    remove_deep(folder / "deep1200", 1200)
    remove_deep(folder / "deep2100", 2100)


def test_deep_folders_loops_unreadable_files_and_odd_names(hostile_tree, tmp_path, monkeypatch):
    real_walk = sources.walk

    def walk_then_interfere(paths, pattern=sources.DEFAULT_GLOB, **options):
        # Between the walk finding a file and a worker reading it, the file changes under us.
        for item in real_walk(paths, pattern, **options):
            yield item
            if item.source == "odd/vanishes.txt":
                os.unlink(item.path)
            elif item.source == "odd/becomes-folder.txt":
                os.unlink(item.path)
                os.mkdir(item.path)

    monkeypatch.setattr(sources, "walk", walk_then_interfere)
    db = str(tmp_path / "tree.db")
    report = ingest(db, [str(hostile_tree)], jobs=1)
    articles = {r[0] for r in rows(db, "SELECT source FROM articles")}
    rejects = dict(rows(db, "SELECT source, reason FROM rejects"))
    assert report.files == len(articles) + len(rejects)
    # Below PATH_MAX the walk goes on; the first folder whose path is longer is recorded instead of its files.
    (too_deep,) = [s for s in rejects if s.startswith("deep2100/")]
    assert rejects.pop(too_deep) == "cannot list folder: file name too long"
    assert len(os.fsencode(hostile_tree / too_deep)) > 4095 >= len(os.fsencode(hostile_tree / too_deep)) - 2
    assert rejects == {
        "loops/a.txt": "too many levels of symbolic links",
        "loops/b.txt": "too many levels of symbolic links",
        "loops/dangling.txt": "broken link",
        "odd/becomes-folder.txt": "not a regular file",
        "odd/eio.txt": "a link to a file outside the folder walked: not read",
        "odd/fifo.txt": "not a regular file",
        "odd/vanishes.txt": "cannot read: no such file or directory",
    }
    assert articles == {
        "plain.txt", "deep1200/" + "d/" * 1200 + "deep.txt",
        "names/caf\\xe9.txt", "names/\\xff\\xfe\\xfd.txt", "names/line\\x0abreak.txt", "names/tab\\x09here.txt",
        "names/<script>alert(1)<\\script>.txt", "names/=cmd.txt", "names/\u00e9.txt", "names/e\u0301.txt",
        "names/" + "x" * 251 + ".txt", "names/ lead space.txt", "names/\\xc3(folder/inside.txt",
    }
    check_archive(db, complete=True)
    # The next run sees the same files the same way: nothing new, nothing lost.
    monkeypatch.setattr(sources, "walk", real_walk)
    again = ingest(db, [str(hostile_tree)], jobs=1)
    assert (again.ingested, again.unchanged) == (0, len(articles))
    # The command line, given the tree and special files by name, neither hangs nor prints a traceback.
    fifo = hostile_tree / "odd" / "fifo.txt"
    result = cli("ingest", str(hostile_tree), str(fifo), "/dev/null", "/proc/self/mem", "--db", str(tmp_path / "t.db"),
                 timeout=120)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 3 and "Traceback" not in stderr
    assert f"rejected {fifo}: not a regular file or folder" in stderr
    assert "rejected /dev/null: not a regular file or folder" in stderr
    assert "rejected /proc/self/mem: cannot read: input/output error" in stderr


# --- the parser, property-based ------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def spellings(day: Date) -> list[str]:
    """Every way the README says a date may be written, for this date."""
    d, m, y = day.day, day.month, day.year
    month, mon = MONTHS[m - 1], MONTHS[m - 1][:3]
    weekday = day.strftime("%A")
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    written = [
        f"{y}-{m:02d}-{d:02d}", f"{y}-{m}-{d}", f"{y}-{m:02d}-{d:02d}T14:30:00+02:00", f"{y}-{m:02d}-{d:02d} 14:30 UTC",
        f"{y}-{m:02d}-{d:02d} 09:05:59Z", f"{month} {d}, {y}", f"{mon}. {d}{suffix} {y}", f"{d} {month} {y}",
        f"{d:02d}-{mon.upper()}-{y} 15:01:01.79", f"{weekday[:3]}, {d:02d} {mon} {y} 14:30:00 +0000",
        f"{weekday}, {d} {month} {y}", f"{y}/{m:02d}/{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}{m:02d}{d:02d}",
        f"{mon} {d} {y} 2:30 pm", f"{weekday[:3]} {mon} {d:>2} 14:30:00 {y}",
        f"{weekday[:3]} {mon} {d} 14:30:00 UTC {y}",
        f"{weekday[:3]}, {d:02d} {mon} {y} 14:30:00 +0200 (CEST)", f"{weekday} {y}-{m:02d}-{d:02d}",
        f"{month} {d},{y}", f"{month} {d} , {y}", f"{mon}-{d:02d}-{y}", f"{d:02d}/{mon}/{y}",
        f"{ {'Tue': 'Tues', 'Wed': 'Weds', 'Thu': 'Thurs.'}.get(weekday[:3], weekday[:3])}, {d} {month} {y}",
        f"{y}-{m:02d}-{d:02d}T14:30:00+02:00[Europe/Paris]", f"{y}-{m:02d}-{d:02d} 10:30-05",
    ]
    if d > 12 or d == m:
        written += [f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}"]  # only one reading is possible
    return written


dates = st.dates(min_value=Date(1000, 1, 1), max_value=Date(2999, 12, 31))
# Any text, mixed with what could be mistaken for more of the date (times, zones, numbers, punctuation),
# as long as something is left once the ends are trimmed.
TRICKY = ["10:30", "9:05 am", "14:30:00", "GMT", "UTC", "Z", "+0200", "T12:00", "22", "2020", "June", "9th", ",", ".",
          ":", "\n", "\r\n", "\r", " ", "\t", "\ufeff", "date", "Tue,"]
bodies = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY)), min_size=1, max_size=12).map(
    "".join).filter(lambda t: normalised(t))
# On the date line itself, the body must begin as a body does: not with more of a date (a time, a zone).
# (Not a letter that starts a zone name or "am"/"pm": "2020-06-09 14:30 CET" is a date with a time and zone.)
same_line_bodies = st.builds(lambda first, rest: first + rest, st.sampled_from("xwhkQéÑ“\"'(["),
                             st.text(max_size=200))


def looks_blank(character: str) -> bool:
    """White space or an invisible format character; not the control characters Python counts as
    white space (U+001C to U+001F, U+0085), which are dropped before parsing (sources.decode)."""
    return (character.isspace() and character not in "\x1c\x1d\x1e\x1f\x85") or unicodedata.category(character) == "Cf"


def normalised(text: str) -> str:
    """The body as the README says it is kept: line ends made LF, a line that looks blank but holds more
    than spaces and tabs made empty, and trimmed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join("" if line.strip(" \t") and all(map(looks_blank, line)) else line for line in lines).strip()


hypothesis_settings = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                               suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@hypothesis_settings
@given(day=dates, body=bodies, which=st.integers(min_value=0, max_value=100), keyword=st.sampled_from(
    ["date", "Date:", "DATE :", "date:"]), lead=st.sampled_from(["", " ", "\n\n  ", "\ufeff "]),
    newline=st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
def test_any_body_on_the_next_line_round_trips(day, body, which, keyword, lead, newline):
    written = spellings(day)
    spelling = written[which % len(written)]
    article = parse_article(f"{lead}{keyword} {spelling}{newline}{body}", "x.txt")
    assert (article.date, article.body) == (day.isoformat(), normalised(body)), spelling


@hypothesis_settings
@given(day=dates, body=same_line_bodies, which=st.integers(min_value=0, max_value=100))
def test_any_body_on_the_date_line_round_trips(day, body, which):
    written = spellings(day)
    spelling = written[which % len(written)]
    article = parse_article(f" date {spelling} {body}", "x.txt")
    assert (article.date, article.body) == (day.isoformat(), normalised(body)), spelling
