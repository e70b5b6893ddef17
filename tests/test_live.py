"""An ingest never fails or blocks readers: `news-archive serve` answers throughout an ingest into the
archive it serves, and the new articles appear while it runs, without a restart."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import SAMPLE, Server, write_article
from news_archive.ingest import ingest

HERE = Path(__file__).parent
NEW = 3000


def test_the_server_answers_throughout_an_ingest_and_shows_new_articles(tmp_path):
    folder = tmp_path / "incoming"
    for i in range(NEW):
        write_article(folder, f"d{i // 500}/n{i:05d}.txt",
                      f" date 2019-{i % 12 + 1:02d}-{i % 28 + 1:02d} Fresh report {i}\n\nFreshly ingested text {i}.\n")
    db = str(tmp_path / "live.db")
    ingest(db, [str(SAMPLE)], jobs=1)
    server = Server(db)
    try:
        # A reader that holds one read transaction open for the whole ingest: an export it reads slowly.
        export = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        export.request("GET", "/search.ndjson?since=2000")
        slow = export.getresponse()
        exported = []

        def read_slowly():
            while line := slow.readline():
                exported.append(line)
                time.sleep(0.5)

        reader = threading.Thread(target=read_slowly, daemon=True)
        reader.start()
        # The ingest: small batches, and the ranked index committed every 150 articles (tests/faultpoints.py),
        # with a pause after each commit: the server looks for new commits once a second, and on a fast
        # machine all 20 commits could otherwise fall within one second.
        child = subprocess.Popen([sys.executable, str(HERE / "faultpoints.py"), "none", "0", db, str(folder),
                                  "--pause-after-commit", "0.25"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        paths = ["/search.json?q=fresh", "/search?q=fresh+report", "/", "/article/1", "/search.json?since=2019",
                 "/archive/2020", "/search.atom?q=freshly"]
        statuses, totals, during = [], [], 0
        finished_at = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = child.poll() is None
            for path in paths:
                client.request("GET", path)
                response = client.getresponse()
                body = response.read()
                statuses.append((response.status, path))
                if path == "/search.json?q=fresh" and response.status == 200:
                    totals.append(json.loads(body)["total"])
            during += running
            if not running:
                finished_at = finished_at or time.monotonic()
                if totals[-1] == NEW or time.monotonic() - finished_at > 10:
                    break
        output = child.communicate(timeout=30)[0]
        assert child.returncode == 0 and f"done ingested {NEW}," in output, output
        assert server.process.poll() is None  # the same server, never restarted
        assert {status for status, _ in statuses} == {200}, [s for s in statuses if s[0] != 200][:5]
        assert during >= 5, "the ingest ended before the server was asked anything"
        assert totals == sorted(totals) and totals[-1] == NEW
        assert any(0 < total < NEW for total in totals), "new articles only appeared at the end"
        print(f"{len(statuses)} requests, all 200, {during} rounds during the ingest; totals seen: "
              f"{sorted(set(totals))[:8]}...")
        client.request("GET", "/search.json?since=1900")
        assert json.loads(client.getresponse().read())["total"] == NEW + 2
        # The slow reader's snapshot is the archive as it was when its export began.
        reader.join(timeout=5)
        assert 1 <= len(exported) <= 2
        export.close()
    finally:
        server.stop()


def test_connections_beyond_the_limit_get_a_quick_503(tmp_path):
    import socket

    from news_archive.cli import MAX_CONNECTIONS

    db = str(tmp_path / "small.db")
    ingest(db, [str(SAMPLE)], jobs=1)
    server = Server(db)
    idle = []
    try:
        for _ in range(MAX_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        time.sleep(0.5)  # let the server take them all in
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        client.request("GET", "/search.json?q=tiger")
        assert client.getresponse().status == 503
        client.close()
        for connection in idle:
            connection.close()
        time.sleep(0.5)
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        client.request("GET", "/search.json?q=tiger")
        assert client.getresponse().status == 200
    finally:
        for connection in idle:
            connection.close()
        server.stop()


def test_connections_too_slow_to_send_a_request_are_closed(tmp_path):
    """200 connections that never sent a whole request locked every visitor out (slowloris)."""
    import socket

    from news_archive.cli import MAX_CONNECTIONS

    db = str(tmp_path / "small.db")
    ingest(db, [str(SAMPLE)], jobs=1)
    server = Server(db, env={"NEWS_ARCHIVE_REQUEST_HEAD_SECONDS": "1"})
    idle = []
    try:
        for number in range(MAX_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            if number % 2:  # half send the start of a request, and never its end
                idle[-1].sendall(b"GET /search?q=tiger HTTP/1.1\r\nHost: localhost\r\n")
        time.sleep(1.5)
        assert all(connection.recv(16) == b"" for connection in idle)  # closed by the server
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        client.request("GET", "/search.json?q=tiger")
        answer = client.getresponse()
        assert answer.status == 200 and answer.read()
        # A connection kept open after an answer has as long again for its next request, no more.
        client.request("GET", "/help")
        assert client.getresponse().read() and client.sock is not None
        started = time.monotonic()
        assert client.sock.recv(16) == b"" and time.monotonic() - started < 5
    finally:
        for connection in idle:
            connection.close()
        server.stop()


def test_an_export_whose_reader_takes_nothing_gives_its_place_back(tmp_path):
    """Four clients that asked for exports and never read held every export's place for good."""
    import socket

    from news_archive.web.views import MAX_EXPORTS

    folder = tmp_path / "big"
    folder.mkdir()
    paragraph = "The harbour board met again and said the cranes were idle all week. " * 40
    for number in range(2500):  # about 7 MB of CSV: more than the kernel buffers between server and client
        (folder / f"{number}.txt").write_text(f" date 2020-01-{number % 28 + 1:02d} Harbour {number}\n\n{paragraph}\n")
    db = str(tmp_path / "big.db")
    ingest(db, [str(folder)], jobs=1, analyse=False)
    server = Server(db, env={"NEWS_ARCHIVE_EXPORT_STALL_SECONDS": "2"})
    stalled = []
    try:
        for _ in range(MAX_EXPORTS):
            connection = socket.socket()
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            connection.connect(("127.0.0.1", server.port))
            connection.sendall(b"GET /search.csv?q=harbour HTTP/1.1\r\nHost: localhost\r\n\r\n")
            stalled.append(connection)
        time.sleep(0.5)
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        client.request("GET", "/quotes.ndjson")
        assert client.getresponse().status == 503  # every place taken
        client.close()
        time.sleep(3)  # the stalled exports are stopped, their places given back
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        client.request("GET", "/quotes.ndjson")
        answer = client.getresponse()
        assert answer.status == 200
        answer.read()
    finally:
        for connection in stalled:
            connection.close()
        server.stop()
