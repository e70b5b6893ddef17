"""Finding files and decoding bytes."""

import gzip
import io
import lzma
import os
import tarfile
import zipfile

import pytest

from news_archive import sources
from news_archive.sources import DecodeError, Found, Unreadable, decode, walk


def names(items):
    return [(type(i).__name__, i.source) for i in items]


def test_walk_is_recursive_sorted_and_relative(tmp_path):
    for name in ["b.txt", "a.txt", "sub/c.txt", "sub/deeper/d.txt", "notes.md", ".hidden.txt", ".git/x.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert names(sources.walk([str(tmp_path)])) == [
        ("Found", "a.txt"), ("Found", "b.txt"), ("Found", "sub/c.txt"), ("Found", "sub/deeper/d.txt"),
    ]
    assert names(sources.walk([str(tmp_path)], "*.md")) == [("Found", "notes.md")]


def test_files_named_explicitly_are_always_read(tmp_path):
    (tmp_path / "story.md").write_text("x")
    found = list(sources.walk([str(tmp_path / "story.md")]))
    assert names(found) == [("Found", str(tmp_path / "story.md"))]


def test_missing_path_and_special_files_are_unreadable(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    items = list(sources.walk([str(tmp_path / "nope.txt"), str(tmp_path)]))
    assert items == [
        Unreadable(str(tmp_path / "nope.txt"), "no such file or directory"),
        Unreadable("pipe.txt", "not a regular file"),
    ]


def test_symlink_loops_end_and_broken_links_are_reported(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "missing.txt", tmp_path / "a" / "dangling.txt")
    assert names(sources.walk([str(tmp_path)])) == [("Unreadable", "a/dangling.txt"), ("Found", "a/x.txt")]


def test_a_folder_keeps_its_real_name_when_a_link_to_it_sorts_first(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("x")
    os.symlink("sub", tmp_path / "a_link")
    assert names(sources.walk([str(tmp_path)])) == [("Found", "sub/a.txt")]


def test_links_wait_until_every_real_folder_is_walked(tmp_path):
    top, outside = tmp_path / "top", tmp_path / "outside"
    (top / "z" / "deep").mkdir(parents=True)
    (top / "z" / "deep" / "d.txt").write_text("x")
    (top / "a").mkdir()
    (outside / "only").mkdir(parents=True)
    (outside / "only" / "o.txt").write_text("x")
    # a/link reaches z/deep before a depth-first walk would get to its real name.
    os.symlink("../z/deep", top / "a" / "link")
    # outside/only has no real name in top: it takes the name of the first link to it.
    os.symlink("../../outside/only", top / "a" / "only_link")
    os.symlink("../../outside", top / "z" / "outside_link")
    assert names(sources.walk([str(top)], follow_links=True)) == [("Found", "z/deep/d.txt"),
                                                                  ("Found", "a/only_link/o.txt")]
    # Unless asked, a link to a folder outside the folder walked is not followed: a folder unpacked from
    # someone else's archive may hold "etc -> /etc".
    assert [(type(i).__name__, i.source, getattr(i, "reason", None)) for i in sources.walk([str(top)])] == [
        ("Found", "z/deep/d.txt", None), ("Unreadable", "a/only_link", sources.OUTSIDE_FOLDER_LINK),
        ("Unreadable", "z/outside_link", sources.OUTSIDE_FOLDER_LINK)]


def test_undecodable_file_names_are_shown_escaped(tmp_path):
    raw_name = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw_name, "wb") as handle:
        handle.write(b"x")
    (item,) = sources.walk([str(tmp_path)])
    assert isinstance(item, Found)
    assert item.source == "caf\\xe9.txt"
    assert sources.read_file(item.path) == b"x"


def test_a_name_literally_written_with_escapes_is_not_taken_for_an_undecodable_one(tmp_path):
    latin1 = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(latin1, "wb") as handle:
        handle.write(b"latin-1")
    (tmp_path / "caf\\xe9.txt").write_bytes(b"literal")  # a backslash, an x, an e and a 9
    (tmp_path / "back\\slash.txt").write_bytes(b"plain")  # no "\\x": shown as it is
    found = {sources.read_file(item.path): item.source for item in sources.walk([str(tmp_path)])}
    assert found == {b"latin-1": "caf\\xe9.txt", b"literal": "caf\\\\xe9.txt", b"plain": "back\\slash.txt"}


def test_every_file_name_is_shown_differently():
    names = [b"caf\xe9", b"caf\\xe9", b"caf\\\\xe9", b"caf\\\xe9", b"\\x", b"\\\\x", b"\\xff", b"\xff",
             b"a\\b", b"a\\\\b", b"a\\\xffb", b"a\\xffb", b"caf\xc3\xa9", b"\\xc3\\xa9", b"\xc3\\xa9"]
    shown = [sources.display_name(os.fsdecode(name)) for name in names]
    assert len(set(shown)) == len(names), shown
    assert all(name.encode("utf-8") for name in shown)  # SQLite and a terminal can hold them
    assert shown[-3:] == ["caf\u00e9", "\\\\xc3\\\\xa9", "\\xc3\\\\xa9"]


def test_unreadable_folder(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read every folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert names(sources.walk([str(tmp_path)])) == [("Unreadable", "locked")]
    finally:
        locked.chmod(0o755)


def _tar(path, members, mode="w:gz"):
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_600_000_000
            tar.addfile(info, io.BytesIO(data))


def test_tar_and_zip_members_are_read_without_unpacking(tmp_path):
    _tar(tmp_path / "batch.tar.gz", {"one.txt": b"1", "dir/two.txt": b"2", "skip.md": b"3"})
    with zipfile.ZipFile(tmp_path / "batch.zip", "w") as z:
        z.writestr("three.txt", b"3")
        z.writestr("folder/", b"")
    found = list(sources.walk([str(tmp_path)]))
    assert [f.source for f in found] == ["batch.tar.gz", "batch.zip"]
    members = [m for f in found for m in sources.archive_members(f)]
    assert [(m.source, m.data, m.error) for m in members] == [
        ("batch.tar.gz!one.txt", b"1", None),
        ("batch.tar.gz!dir/two.txt", b"2", None),
        ("batch.zip!three.txt", b"3", None),
    ]
    assert sorted(os.listdir(tmp_path)) == ["batch.tar.gz", "batch.zip"]


def test_damaged_archive_yields_what_it_can_then_an_error(tmp_path):
    _tar(tmp_path / "good.tar.gz", {f"{i}.txt": os.urandom(4000) for i in range(20)})
    data = (tmp_path / "good.tar.gz").read_bytes()
    (tmp_path / "cut.tgz").write_bytes(data[: len(data) // 2])
    (cut,) = sources.walk([str(tmp_path / "cut.tgz")])
    members = list(sources.archive_members(cut))
    assert members[-1].source == str(tmp_path / "cut.tgz")
    assert members[-1].error.startswith("damaged archive")
    (tmp_path / "junk.zip").write_bytes(b"not a zip at all")
    (junk,) = sources.walk([str(tmp_path / "junk.zip")])
    (error,) = sources.archive_members(junk)
    assert error.error == "damaged archive: not a zip file"


def _members(folder, name):
    """The (source, error) of each member of the archive ``name`` in ``folder``, named as a walk of the folder names them."""
    (found,) = [item for item in sources.walk([str(folder)]) if item.source == name]
    return [(m.source, m.error) for m in sources.archive_members(found)]


def test_archive_errors_are_one_short_line(tmp_path):
    (tmp_path / "junk.tar.gz").write_bytes(b"\x5d\x5b\x94" * 300)
    (tmp_path / "junk.tar").write_bytes(b"\x5d\x5b\x94" * 300)
    (tmp_path / "junk.tar.xz").write_bytes(b"\x5d\x5b\x94" * 300)
    with gzip.open(tmp_path / "text.tar.gz", "wb") as gz:
        gz.write(b"date 2020-06-09 a gzipped article, not a tar archive\n" * 20)
    (tmp_path / "bad.tar.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\xff" * 600)
    _tar(tmp_path / "good.tar.gz", {f"{i}.txt": os.urandom(4000) for i in range(20)})
    data = (tmp_path / "good.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    assert _members(tmp_path, "junk.tar.gz") == [("junk.tar.gz", "damaged archive: not a gzip or tar file")]
    assert _members(tmp_path, "junk.tar") == [("junk.tar", "damaged archive: not a tar file")]
    assert _members(tmp_path, "junk.tar.xz") == [("junk.tar.xz", "damaged archive: not an xz or tar file")]
    assert _members(tmp_path, "text.tar.gz") == [
        ("text.tar.gz", "damaged archive: the gzip data does not hold a tar archive")]
    assert _members(tmp_path, "bad.tar.gz") == [("bad.tar.gz", "damaged archive: corrupt gzip data")]
    *read, (source, error) = _members(tmp_path, "cut.tar.gz")
    assert 1 < len(read) < 20 and source == "cut.tar.gz"
    assert error == f"damaged archive after {len(read)} files: the file is cut short"


def test_a_damaged_archive_after_one_file_says_file(tmp_path):
    _tar(tmp_path / "good.tar", {"0.txt": os.urandom(3000), "1.txt": os.urandom(3000)}, mode="w")
    (tmp_path / "cut.tar").write_bytes((tmp_path / "good.tar").read_bytes()[:5000])
    assert _members(tmp_path, "cut.tar")[-1][1] == "damaged archive after 1 file: the file is cut short"


def test_corrupt_compressed_member_of_a_zip_is_a_reject_not_a_crash(tmp_path):
    with zipfile.ZipFile(tmp_path / "batch.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("one.txt", b"date 2020-06-09 body " * 100)
        z.writestr("two.txt", b"date 2020-06-10 body")
    data = bytearray((tmp_path / "batch.zip").read_bytes())
    # The first deflate block header of one.txt: 0xff declares a block type that does not exist.
    start = 30 + len("one.txt")
    data[start] = 0xFF
    (tmp_path / "batch.zip").write_bytes(bytes(data))
    assert _members(tmp_path, "batch.zip") == [
        ("batch.zip!one.txt", "cannot read from the archive: corrupt compressed data"),
        ("batch.zip!two.txt", None),
    ]


def test_an_lzma_error_while_reading_is_a_reject_not_a_crash(tmp_path, monkeypatch):
    # liblzma finds corrupt data only deep in a large stream; stand in for it.
    def corrupt_after_one(found, pattern):
        yield sources.Member(f"{found.source}!one.txt", b"x", 1, 0)
        raise lzma.LZMAError("Corrupt input data")
    monkeypatch.setattr(sources, "_tar_members", corrupt_after_one)
    found = sources.Found("batch.tar.xz", str(tmp_path / "batch.tar.xz"), 1, 0)
    assert [(m.source, m.error) for m in sources.archive_members(found)] == [
        ("batch.tar.xz!one.txt", None),
        ("batch.tar.xz", "damaged archive after 1 file: corrupt compressed data"),
    ]


def test_an_impossible_time_in_a_zip_header_keeps_the_member(tmp_path):
    with zipfile.ZipFile(tmp_path / "batch.zip", "w") as z:
        z.writestr(zipfile.ZipInfo("one.txt", date_time=(2020, 6, 9, 0, 0, 0)), b"1")
    data = bytearray((tmp_path / "batch.zip").read_bytes())
    # The DOS date of the central directory entry, set to month 0 day 0.
    central = data.rfind(b"PK\x01\x02")
    data[central + 14:central + 16] = ((2020 - 1980) << 9).to_bytes(2, "little")
    (tmp_path / "batch.zip").write_bytes(bytes(data))
    assert _members(tmp_path, "batch.zip") == [("batch.zip!one.txt", None)]


@pytest.mark.parametrize("raw, text", [
    (b"plain ascii", "plain ascii"),
    ("caf\u00e9 \u201cquoted\u201d".encode("utf-8"), "caf\u00e9 \u201cquoted\u201d"),
    (b"\xef\xbb\xbfwith bom", "with bom"),
    (b"caf\xe9 \x93quoted\x94", "caf\u00e9 \u201cquoted\u201d"),  # cp1252
    (b"\x81\x8d latin-1 only", " latin-1 only"),  # bytes Windows-1252 leaves out: Latin-1's C1 controls, dropped
    ("utf-16 text".encode("utf-16"), "utf-16 text"),
    ("utf-16 without its mark, caf\u00e9".encode("utf-16-le"), "utf-16 without its mark, caf\u00e9"),
    ("big-endian too".encode("utf-16-be"), "big-endian too"),
    # UTF-8 with one stray Windows-1252 byte: only that byte is read as Windows-1252.
    (b"\xe2\x80\x9cWe will win,\xe2\x80\x9d said Jos\xc3\xa9 in S\xe3o Paulo",
     "\u201cWe will win,\u201d said Jos\u00e9 in S\u00e3o Paulo"),
    (b"a \x07bell and \x1b[31mcolour", "a bell and [31mcolour"),  # a few control characters are dropped
    # C1 controls written in UTF-8 too: CSI and OSC start escape sequences as ESC [ and ESC ] do.
    ("caf\u00e9 \u009b31mred \u009d0;title\u009c end".encode(), "caf\u00e9 31mred 0;title end"),
])
def test_decode(raw, text):
    assert decode(raw) == text


@pytest.mark.parametrize("raw, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary content: looks like a PNG image"),
    (b"text\x00with\x00nuls", "binary content: contains 2 NUL bytes"),
    (b"one\x00nul", "binary content: contains 1 NUL byte"),
    (b"\xef\xbb\xbfbad \xff utf8", "undecodable: has a UTF-8 byte order mark but invalid UTF-8 at byte 7"),
    (bytes(range(1, 32)) * 4, "binary content: 104 control characters"),
])
def test_decode_rejects_binary(raw, reason):
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert str(caught.value) == reason


def test_the_glob_takes_names_in_any_case(tmp_path):
    for name in ("A.TXT", "b.Txt", "c.txt", "d.md"):
        (tmp_path / name).write_text(" date 2020-01-01 x")
    assert sorted(f.source for f in walk([str(tmp_path)])) == ["A.TXT", "b.Txt", "c.txt"]


def test_a_link_to_a_folder_around_the_walked_one_is_not_followed(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(" date 2020-01-01 x")
    (tmp_path / "outside.txt").write_text(" date 2020-01-01 y")
    (folder / "up").symlink_to("..")
    found = list(walk([str(folder)]))
    assert [f.source for f in found if isinstance(f, Found)] == ["a.txt"]
    assert [(u.source, u.reason) for u in found if isinstance(u, Unreadable)] == [
        ("up", "a link to a folder that holds this folder: not followed")]


def test_archive_members_are_taken_as_the_walk_takes_files(tmp_path):
    """Hidden files and hidden folders are skipped in an archive as in a folder; an archive inside
    an archive is a candidate (as an archive in a folder is, whatever the glob) and said, not read."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.txt", b"inner")
    members = {"a.txt": b"a", ".hid/visible.txt": b"h", "2019/.hidden.txt": b"h", "./dot/b.txt": b"b",
               "2019.zip": inner.getvalue(), "old.tar.gz": b"not even a tar", ".hidden.zip": b"h", "c.md": b"c"}
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    _tar(tmp_path / "outer.tgz", members)
    for archive in ("outer.zip", "outer.tgz"):
        found = sources.walk([str(tmp_path / archive)])
        got = [(m.source, m.data, m.size, m.error) for f in found for m in sources.archive_members(f)]
        prefix = f"{tmp_path / archive}!"
        assert got == [
            (prefix + "a.txt", b"a", 1, None),
            (prefix + "./dot/b.txt", b"b", 1, None),
            (prefix + "2019.zip", None, len(inner.getvalue()), "an archive inside an archive is not read: unpack it"),
            (prefix + "old.tar.gz", None, 14, "an archive inside an archive is not read: unpack it"),
        ], archive
    # The folder walk, for comparison: the same names on disk give the same candidates.
    folder = tmp_path / "folder"
    for name, data in members.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert names(sources.walk([str(folder)])) == [
        ("Found", "2019.zip"), ("Found", "a.txt"), ("Found", "dot/b.txt"), ("Found", "old.tar.gz")]
    assert sources.member_matches("2019.zip (2)", "*.txt") and not sources.member_matches(".hid/a.txt (2)", "*.txt")


def test_the_archives_own_files_are_left_out_of_the_walk(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    for name in ("news.db-wal", "news.db-shm", "sub/copy.db-wal", "sub/copy.db.index/meta.json",
                 "sub/notes.index/n.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"\0" * 8)
    (tmp_path / "news.db").write_bytes(b"SQLite format 3\0" + b"\0" * 84)  # its index not made yet
    (tmp_path / "sub" / "copy.db").write_bytes(b"SQLite format 3\0" + b"\0" * 84)  # a backup, beside its index
    (tmp_path / "sub" / "notes").write_text("not a database")  # beside a folder that happens to end in .index
    os.mkfifo(tmp_path / "sub" / "pipe")  # never opened (it would block) to see if it is a database
    (tmp_path / "sub" / "pipe.index").mkdir()
    others = [("Found", "sub/notes"), ("Found", "sub/notes.index/n.txt"), ("Unreadable", "sub/pipe")]
    # A database beside its index is an archive's, left out with its WAL; the one given as the
    # archive being written is left out whether its index is there or not.
    assert names(sources.walk([str(tmp_path)], "*")) == [
        ("Found", "a.txt"), ("Found", "news.db"), ("Found", "news.db-shm"), ("Found", "news.db-wal"), *others]
    own = [str(tmp_path / name) for name in ("news.db", "news.db-wal", "news.db-shm", "news.db-journal",
                                             "news.db.index")]
    assert names(sources.walk([str(tmp_path)], "*", leave_out=own)) == [("Found", "a.txt"), *others]
    # Named on the command line, through another spelling of its folder, it is left out too.
    os.symlink(tmp_path, tmp_path.parent / "link")
    assert names(sources.walk([str(tmp_path.parent / "link" / "news.db"), str(tmp_path / "a.txt")],
                              leave_out=own)) == [("Found", str(tmp_path / "a.txt"))]


def test_a_link_to_a_file_outside_the_folder_walked_is_not_read(tmp_path):
    """A folder unpacked from someone's archive may hold `story.txt -> /etc/passwd`: not read, not even looked
    at (a broken link outside is said the same way). Links to files inside the folder are read; so are links
    inside a folder that a followed link leads to, to files in that folder."""
    top, elsewhere = tmp_path / "top", tmp_path / "elsewhere"
    for folder in (top / "sub", elsewhere):
        folder.mkdir(parents=True)
    (top / "real.txt").write_text("real")
    (top / "kept.md").write_text("not taken by the glob, but a link may lead to it")
    (elsewhere / "secret.txt").write_text("secret")
    (elsewhere / "other.txt").write_text("other")
    os.symlink("/etc/passwd", top / "passwd.txt")
    os.symlink(elsewhere / "secret.txt", top / "sub" / "secret.txt")
    os.symlink("../../elsewhere/gone.txt", top / "sub" / "gone.txt")
    os.symlink("../kept.md", top / "sub" / "kept.txt")
    os.symlink("other.txt", elsewhere / "also.txt")  # inside the linked folder, to a file beside it
    os.symlink(elsewhere, top / "linked")
    items = list(sources.walk([str(top)], follow_links=True))
    assert [(type(i).__name__, i.source, getattr(i, "reason", None)) for i in items] == [
        ("Unreadable", "passwd.txt", sources.OUTSIDE_LINK),
        ("Found", "real.txt", None),
        ("Unreadable", "sub/gone.txt", sources.OUTSIDE_LINK),
        ("Found", "sub/kept.txt", None),
        ("Unreadable", "sub/secret.txt", sources.OUTSIDE_LINK),
        ("Found", "linked/also.txt", None),
        ("Found", "linked/other.txt", None),
        ("Found", "linked/secret.txt", None),
    ]
    # Workers stat later (stat_files=False): the link is judged in the walk all the same.
    assert [i.source for i in sources.walk([str(top)], stat_files=False, follow_links=True)
            if isinstance(i, Unreadable)] == ["passwd.txt", "sub/gone.txt", "sub/secret.txt"]
    # A file named on the command line is read as the user named it, a link too.
    assert names(sources.walk([str(top / "passwd.txt")])) == [("Found", str(top / "passwd.txt"))]


def test_links_inside_archives_are_rejects_with_a_reason(tmp_path):
    with tarfile.open(tmp_path / "links.tar.gz", "w:gz") as tar:
        for name, kind, target in [("real.txt", tarfile.REGTYPE, ""), ("story.txt", tarfile.SYMTYPE, "/etc/passwd"),
                                   ("copy.txt", tarfile.LNKTYPE, "real.txt"), ("dir.md", tarfile.SYMTYPE, "/etc")]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mtime = kind, target, 1_600_000_000
            info.size = 4 if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(b"real") if kind == tarfile.REGTYPE else None)
    with zipfile.ZipFile(tmp_path / "links.zip", "w") as archive:
        archive.writestr("real.txt", b"real")
        link = zipfile.ZipInfo("story.txt", (2020, 1, 1, 0, 0, 0))
        link.create_system, link.external_attr = 3, (0o120777 << 16)
        archive.writestr(link, b"/etc/passwd")  # how zip --symlinks stores a link: its target as the bytes
    members = [m for found in sources.walk([str(tmp_path)]) for m in sources.archive_members(found)]
    assert [(m.source, m.data, m.error) for m in members] == [
        ("links.tar.gz!real.txt", b"real", None),
        ("links.tar.gz!story.txt", None, sources.LINK_IN_ARCHIVE),
        ("links.tar.gz!copy.txt", None, sources.LINK_IN_ARCHIVE),
        ("links.zip!real.txt", b"real", None),
        ("links.zip!story.txt", None, sources.LINK_IN_ARCHIVE),
    ]


@pytest.mark.parametrize("raw, shown", [
    (b"line\nbreak.txt", "line\\x0abreak.txt"),
    (b"tab\there.txt", "tab\\x09here.txt"),
    (b"title\x1b]0;PWNED\x07.txt", "title\\x1b]0;PWNED\\x07.txt"),
    ("csi\u009b31m.txt".encode(), "csi\\xc2\\x9b31m.txt"),  # a C1 control: its UTF-8 bytes, as the name holds them
    (b"del\x7f.txt", "del\\x7f.txt"),
    (b"back\\slash\n.txt", "back\\\\slash\\x0a.txt"),  # escaped: its backslash doubled, as for any escaped name
    ("caf\u00e9 \u202e.txt".encode(), "caf\u00e9 \u202e.txt"),  # printable Unicode stays as it is
])
def test_control_characters_in_file_names_are_shown_as_their_bytes(tmp_path, raw, shown):
    assert sources.display_name(os.fsdecode(raw)) == shown
    with open(os.fsencode(str(tmp_path)) + b"/" + raw, "wb") as handle:
        handle.write(b"x")
    (item,) = sources.walk([str(tmp_path)], "*")
    assert item.source == shown and sources.read_file(item.path) == b"x"


def test_control_characters_keep_every_name_different():
    raw_names = [b"a\nb", b"a\\x0ab", b"a\\\nb", b"a\\\\x0ab", b"a\xc2\x85b", b"a\x85b", b"a\\xc2\\x85b", b"a\tb"]
    shown = [sources.display_name(os.fsdecode(name)) for name in raw_names]
    assert len(set(shown)) == len(raw_names), shown
    assert not any(sources.CONTROL_IN_NAME.search(name) for name in shown)


def test_a_file_over_the_size_limit_is_said_to_be_too_big_for_one_article(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(sources.MAX_FILE_BYTES + 1)
    with pytest.raises(OSError, match="^file is larger than 10 MB: too big to be one article$"):
        sources.read_file(str(big))
    sources.read_file(str(big), max_bytes=sources.MAX_FILE_BYTES + 1)  # exactly the limit is read
