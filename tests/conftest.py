"""Shared fixtures: temporary archives, the bundled sample, the Reuters corpus,
a Datasette instance and a served port for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "data"
SHARED = ROOT.parent / "shared"
REUTERS = SHARED / "corpora" / "reuters21578"
ARTIFACTS = ROOT / "test-artifacts"


def rows(db_path: str, sql: str, args=()) -> list[tuple]:
    """The rows of one query, on a connection of its own (closed again at once)."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def write_article(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


_STORY = (
    "Dock workers at the northern harbour walked out on Tuesday after talks on pay and shift patterns broke down,"
    " leaving container ships waiting offshore. The union said the strike would last until the port authority"
    " offered a new agreement, while shipping companies warned that exports of grain, timber and machinery"
    " would be delayed by at least a week. Port officials said talks could resume on {day}."
)


def write_story_versions(folder: Path) -> Path:
    """1.txt to 6.txt, dated 2020-05-01 to 2020-05-05, all mentioning the harbour:
    1, 3 and 5 are near-identical versions of one story, 2, 4 and 6 other stories."""
    days = ["2020-05-01", "2020-05-02", "2020-05-03", "2020-05-03", "2020-05-04", "2020-05-05"]
    for number, day in enumerate(days, start=1):
        if number % 2:
            body = _STORY.format(day=("Friday", "Monday", "Thursday")[number // 2])
        else:
            body = f"Harbour report number {number}: a ferry route reopened and {number} fishing boats came in."
        write_article(folder, f"{number}.txt", f" date {day} Harbour story {number}\n\n{body}\n")
    return folder


@pytest.fixture
def db_path(tmp_path) -> str:
    return str(tmp_path / "news.db")


@pytest.fixture
def articles_dir(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> str:
    """The bundled sample plus a few crafted articles, ingested once."""
    from news_archive.ingest import ingest

    folder = tmp_path_factory.mktemp("sample")
    for path in SAMPLE.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    write_article(folder, "extra/market.txt", " date 2020-06-10 Markets rally on stimulus hopes\n\n"
                  "Stocks climbed as investors bet on more stimulus. Tiger Oil shares rose.\n")
    write_article(folder, "extra/copy.txt", (SAMPLE / "000_733558d17a3f90df.txt").read_bytes())
    write_article(folder, "extra/hostile <b>name</b>.txt",
                  ' date 2020-06-11 <script>alert("x")</script> Tiger escapes\n\n'
                  '<img src=x onerror=alert(1)> The tiger & its keeper were found "safe".\n')
    write_article(folder, "extra/broken.txt", "no date here at all\n")
    path = str(tmp_path_factory.mktemp("db") / "sample.db")
    ingest(path, [str(folder)], jobs=1)
    return path


def corpus_or_skip() -> Path:
    archive = REUTERS / "seed-format.tar.gz"
    if not archive.exists():
        if os.environ.get("NEWS_ARCHIVE_REQUIRE_CORPUS"):
            pytest.fail(f"the Reuters corpus is required here but {archive} is missing")
        pytest.skip(f"the Reuters-21578 corpus is not beside this checkout ({archive}); see README")
    return archive


@pytest.fixture(scope="session")
def reuters_dir(tmp_path_factory) -> Path:
    archive = corpus_or_skip()
    folder = tmp_path_factory.mktemp("reuters")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


@pytest.fixture(scope="session")
def reuters_db(tmp_path_factory, reuters_dir) -> str:
    """The whole Reuters corpus plus the bundled sample, ingested once for web and browser tests."""
    from news_archive.ingest import ingest

    path = str(tmp_path_factory.mktemp("reutersdb") / "news.db")
    report = ingest(path, [str(reuters_dir), str(SAMPLE)])
    assert not report.rejected
    return path


# --- browser -------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def chromium_or_skip() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("NEWS_ARCHIVE_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here but /usr/bin/chromium is missing (make test installs it)")
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "news_archive.cli", "serve", "--db", db, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/help", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stdout.read().decode())
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def reuters_server(reuters_db):
    server = Server(reuters_db)
    yield server
    server.stop()


# Module scope, not session: Playwright's sync API keeps an asyncio loop running while it is
# open, and every asyncio test collected after the browser tests would fail to start its own.
@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
