"""Finding files and decoding bytes."""

import io
import os
import tarfile
import zipfile

import pytest

from news_archive import sources
from news_archive.sources import DecodeError, Found, Unreadable, decode


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


def test_undecodable_file_names_are_shown_escaped(tmp_path):
    raw_name = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw_name, "wb") as handle:
        handle.write(b"x")
    (item,) = sources.walk([str(tmp_path)])
    assert isinstance(item, Found)
    assert item.source == "caf\\xe9.txt"
    assert sources.read_file(item.path) == b"x"


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
    assert error.error == "damaged archive: File is not a zip file"


@pytest.mark.parametrize("raw, text", [
    (b"plain ascii", "plain ascii"),
    ("caf\u00e9 \u201cquoted\u201d".encode("utf-8"), "caf\u00e9 \u201cquoted\u201d"),
    (b"\xef\xbb\xbfwith bom", "with bom"),
    (b"caf\xe9 \x93quoted\x94", "caf\u00e9 \u201cquoted\u201d"),  # cp1252
    (b"\x81\x8d latin-1 only", "\x81\x8d latin-1 only"),
    ("utf-16 text".encode("utf-16"), "utf-16 text"),
])
def test_decode(raw, text):
    assert decode(raw) == text


@pytest.mark.parametrize("raw, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary content: looks like a PNG image"),
    (b"text\x00with\x00nuls", "binary content: contains 2 NUL bytes"),
    (b"\xef\xbb\xbfbad \xff utf8", "undecodable: has a UTF-8 byte order mark but invalid UTF-8 at byte 7"),
    (bytes(range(1, 32)) * 4, "binary content: 104 control characters"),
])
def test_decode_rejects_binary(raw, reason):
    with pytest.raises(DecodeError) as caught:
        decode(raw)
    assert str(caught.value) == reason
