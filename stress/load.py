#!/usr/bin/env python3
"""Load: concurrent clients on loopback against `news-archive serve`, for a fixed time.

    python stress/load.py [--db ARCHIVE] [--clients 16] [--seconds 60] [--max-requests 2000000]

Starts `news-archive serve` on a free port (or uses --url), then each client,
on its own keep-alive connection, sends a mix of requests until the time is
up or the shared request budget is spent, whichever comes first:

  search       /search?q=WORD[ WORD]          ranked search page, snippets, timeline, facets
  search.json  /search.json?q=WORD[&sort=newest]
  article      /article/ID                    page with previous/next and related articles
  article.json /article/ID.json
  archive      /archive/YYYY/MM               a month's calendar
  atom         /search.atom?q=WORD
  export       /search.ndjson?q=WORD&since=MONTH&until=MONTH  (or .csv): every match of a month, streamed

Words and months are drawn from the archive itself (seeded, so runs are
comparable). At most MAX_EXPORTS exports are in flight at once (the server's
own cap: beyond it the server answers 503 by design). Every other answer must
be a 200: anything else, or a socket error, is an error. It reports requests,
errors, throughput and latency percentiles, overall and per kind, writes them
to stress/results/load-<name>-<time>.json, and exits 1 if there was any error.

Without --db it builds an archive of the Reuters-21578 corpus (stress/corpus.py).
The 1M-article archive of the performance benchmark is built by `make bench`
(bench/work/dbs/1M/...): pass its path with --db.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import RESULTS, reuters_db  # noqa: E402

MAX_EXPORTS = 4  # news_archive.web.views.MAX_EXPORTS
KINDS = [("search", 30), ("search.json", 20), ("article", 20), ("article.json", 5), ("archive", 5), ("atom", 5),
         ("export", 15)]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "news_archive.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/help", timeout=5).read()
            return server, url
        except OSError:
            if server.poll() is not None:
                sys.exit(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not answer within 120 s")


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Workload:
    """What to ask for: words, article ids and months from the archive, drawn with a seeded generator."""

    def __init__(self, db: Path, seed: int):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            self.max_id = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 1
            r = random.Random(seed)
            sample = [r.randint(1, self.max_id) for _ in range(3000)]
            headlines = [row[0] for row in conn.execute(
                f"SELECT headline FROM articles WHERE id IN ({', '.join('?' * len(sample))})", sample)]
            self.months = [row[0] for row in conn.execute("SELECT DISTINCT month FROM articles ORDER BY month")]
        finally:
            conn.close()
        words = sorted({w.lower() for h in headlines for w in re.findall(r"[A-Za-z]{4,}", h)})
        self.words = words or ["news"]

    def request(self, r: random.Random, kind: str) -> str:
        word = r.choice(self.words)
        if kind == "search":
            q = word if r.random() < 0.6 else f"{word} {r.choice(self.words)}"
            return f"/search?q={quote(q)}" + ("&page=2" if r.random() < 0.1 else "")
        if kind == "search.json":
            return f"/search.json?q={quote(word)}" + ("&sort=newest" if r.random() < 0.3 else "")
        if kind == "article":
            return f"/article/{r.randint(1, self.max_id)}"
        if kind == "article.json":
            return f"/article/{r.randint(1, self.max_id)}.json"
        if kind == "archive":
            month = r.choice(self.months)
            return f"/archive/{month[:4]}/{month[5:7]}"
        if kind == "atom":
            return f"/search.atom?q={quote(word)}"
        month = r.choice(self.months)
        fmt = "csv" if r.random() < 0.3 else "ndjson"
        return f"/search.{fmt}?q={quote(word)}&since={month}&until={month}"


def run(url: str, workload: Workload, clients: int, seconds: float, max_requests: int, seed: int) -> dict:
    host, port = url.removeprefix("http://").split(":")
    budget = threading.Semaphore(max_requests)
    exports = threading.BoundedSemaphore(MAX_EXPORTS)
    stop_at = time.monotonic() + seconds
    records: list[tuple[str, int, float, int]] = []  # kind, status (0: socket error), seconds, bytes
    errors: list[str] = []
    lock = threading.Lock()
    kinds, weights = zip(*KINDS)

    def client(number: int) -> None:
        r = random.Random(seed * 1000 + number)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        mine: list[tuple[str, int, float, int]] = []
        while time.monotonic() < stop_at and budget.acquire(blocking=False):
            kind = r.choices(kinds, weights)[0]
            holds_export = kind == "export" and exports.acquire(blocking=False)
            if kind == "export" and not holds_export:
                kind = "search.json"  # every export place is taken: a well-behaved client searches instead
            path = workload.request(r, kind)
            started = time.monotonic()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if status != 200:
                    with lock:
                        errors.append(f"{status} {path}: {body[:200]!r}")
            except (OSError, http.client.HTTPException) as error:
                status, body = 0, b""
                with lock:
                    errors.append(f"{type(error).__name__}: {error} {path}")
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
            finally:
                if holds_export:
                    exports.release()
            mine.append((kind, status, time.monotonic() - started, len(body)))
        conn.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, stop_at - time.monotonic()) + 90)  # a request in flight may finish
    elapsed = time.monotonic() - started
    stuck = sum(thread.is_alive() for thread in threads)
    return summarise(records, errors, elapsed, stuck)


def summarise(records, errors, elapsed: float, stuck: int) -> dict:
    def figures(rows) -> dict:
        latencies = [row[2] for row in rows]
        return {
            "requests": len(rows), "errors": sum(1 for row in rows if row[1] != 200),
            "per_second": round(len(rows) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p90_ms": round(percentile(latencies, 90) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1), "max_ms": round(max(latencies, default=0) * 1000, 1),
            "mb": round(sum(row[3] for row in rows) / 2**20, 1),
        }

    return {
        "seconds": round(elapsed, 1), "stuck_clients": stuck, **figures(records),
        "by_kind": {kind: figures([row for row in records if row[0] == kind]) for kind, _ in KINDS},
        "error_samples": errors[:20],
    }


def print_table(result: dict) -> None:
    print(f"\n| kind | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, row in [*result["by_kind"].items(), ("all", result)]:
        print(f"| {kind} | {row['requests']:,} | {row['errors']} | {row['per_second']} | {row['p50_ms']} | "
              f"{row['p90_ms']} | {row['p99_ms']} | {row['max_ms']} | {row['mb']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="the archive to serve (default: Reuters-21578, built on first use)")
    parser.add_argument("--url", help="load an already running server instead of starting one (needs --db too)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests in all")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    db = args.db or reuters_db()
    workload = Workload(db, args.seed)
    server = None
    url = args.url
    if not url:
        server, url = start_server(db)
    try:
        # Warm up: the first requests open the index and fill caches.
        for path in ("/", "/search?q=market", f"/article/{workload.max_id}"):
            urllib.request.urlopen(url + path, timeout=120).read()
        print(f"{args.clients} clients for {args.seconds:.0f}s (at most {args.max_requests:,} requests) "
              f"against {url} serving {db}", file=sys.stderr)
        result = run(url, workload, args.clients, args.seconds, args.max_requests, args.seed)
    finally:
        rss = peak_rss_mb(server.pid) if server else None
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    result.update({
        "db": str(db), "articles": articles, "clients": args.clients, "limit_seconds": args.seconds,
        "max_requests": args.max_requests, "server_peak_rss_mb": rss, "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg()[0],
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    })
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{Path(db).stem}-{result['when'].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\n{result['requests']:,} requests in {result['seconds']}s from {args.clients} clients on an archive of "
          f"{articles:,} articles: {result['errors']} errors, {result['per_second']} req/s, "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; server peak RSS {rss or 0:.0f} MB; "
          f"{result['stuck_clients']} clients stuck. Written to {out.relative_to(RESULTS.parents[1])}")
    for sample in result["error_samples"]:
        print("error:", sample)
    return 1 if result["errors"] or result["stuck_clients"] else 0


if __name__ == "__main__":
    sys.exit(main())
