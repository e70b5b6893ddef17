#!/usr/bin/env python3
"""The news-archive benchmark (issue 4: performance).

For each corpus size it measures, in one run on this machine:

  floor ingest      ../shared/bench/floor.py ingest (the raw floor we compare with)
  full ingest       news-archive ingest into a fresh database
  re-ingest         news-archive ingest of the same, unchanged corpus again
  search            GET /search.json on a real `news-archive serve`, over the
                    floor's query set (floor.py queries), plus the time from
                    starting `serve` to its first answer
  floor search      floor.py search (in-process FTS5, for comparison)
  peer              floor.py tantivy (only with --peer: slow)
  export            news-archive export --format ndjson of every article

and prints a table of the issue's targets (figure, limit, ratio, PASS/FAIL),
then writes bench/results/<size>-<timestamp>.json.

Sizes: 21k (1 copy of the Reuters seed corpus), 208k (10 copies), 1M (50
copies), or Nx for N copies (e.g. 3x, handy to check the harness quickly).

It needs the team's shared/ folder beside this checkout (../shared: floor.py
and the Reuters corpus) and stops with an error if it is missing.

    python bench/run.py --sizes 21k,208k,1M
    BENCH_DIR=/big/disk python bench/run.py --sizes 21k --peer

Only the standard library: the project is run as subprocesses (its CLI), so
this file never imports news_archive.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
SEED_TARBALL = Path("corpora") / "reuters21578" / "seed-format.tar.gz"
FLOOR = Path("bench") / "floor.py"
NAMED_SIZES = {"21k": 1, "208k": 10, "1M": 50}
COPIES_PER_FLOOR_RUN = 10  # a corpus build resumes at this granularity
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")

# The targets. "max" means the figure must be at most the limit.
LIMITS = {
    "ingest_vs_floor": 1.0,
    "ingest_rss_mb": 500,
    "reingest_vs_full": 0.25,
    "search_p50_ms": 10,
    "search_p95_ms": 30,
    "export_articles_per_s": 100_000,
    "export_rss_mb": 200,
    "serve_first_response_s": 3.0,
}


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- sizes and places ------------------------------------------------------------------


def parse_sizes(text: str) -> list[tuple[str, int]]:
    """'21k,208k,3x' -> [('21k', 1), ('208k', 10), ('3x', 3)]; a size named by
    its copies gets its usual name (10x is 208k)."""
    sizes = []
    by_copies = {copies: name for name, copies in NAMED_SIZES.items()}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part in NAMED_SIZES:
            copies = NAMED_SIZES[part]
        elif re.fullmatch(r"[1-9][0-9]*x", part):
            copies = int(part[:-1])
        else:
            raise SystemExit(f"error: unknown size {part!r}: use 21k, 208k, 1M or Nx (N copies of the seed corpus)")
        sizes.append((by_copies.get(copies, f"{copies}x"), copies))
    if not sizes:
        raise SystemExit("error: no sizes given")
    return sizes


class Places:
    """Where things are: shared inputs, the work dir, the CLI."""

    def __init__(self, shared: Path, work: Path, cli: Path, python: str) -> None:
        self.shared = shared
        self.floor = shared / FLOOR
        self.seed_tarball = shared / SEED_TARBALL
        self.work = work
        self.seed = work / "seed"
        self.copies = work / "copies"
        self.cli = cli
        self.python = python

    def corpus(self, label: str) -> Path:
        return self.work / "corpus" / label

    def dbs(self, label: str) -> Path:
        return self.work / "dbs" / label


def find_shared(given: str | None) -> Path:
    shared = Path(given).resolve() if given else REPO.parent / "shared"
    missing = [p for p in (shared / FLOOR, shared / SEED_TARBALL) if not p.is_file()]
    if missing:
        raise SystemExit(
            "error: the benchmark needs the team's shared/ folder beside this checkout "
            f"({REPO.parent / 'shared'}), with bench/floor.py and the Reuters-21578 seed corpus.\n"
            + "".join(f"  missing: {p}\n" for p in missing)
            + "Put shared/ next to the repository (or pass --shared DIR) and run again."
        )
    return shared


def find_cli(python: str) -> Path:
    for candidate in (Path(python).parent / "news-archive", REPO / ".venv" / "bin" / "news-archive"):
        if candidate.is_file():
            return candidate
    found = shutil.which("news-archive")
    if not found:
        raise SystemExit("error: news-archive is not installed: run `make setup` first")
    return Path(found)


# --- corpus ----------------------------------------------------------------------------


def count_files(folder: Path) -> int:
    if not folder.is_dir():
        return -1
    return sum(1 for _ in os.scandir(folder))


def txt_files(root: Path):
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".txt"):
                yield os.path.join(dirpath, name)


def ensure_seed(places: Places) -> int:
    """Unpack the seed corpus once; return how many article files one copy has."""
    marker = places.work / "seed.count"
    if places.seed.is_dir() and marker.exists() and count_files(places.seed) == int(marker.read_text()):
        return int(marker.read_text())
    log(f"unpacking {places.seed_tarball} -> {places.seed}")
    partial = places.work / "seed.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(places.seed, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run(["tar", "-xzf", str(places.seed_tarball), "-C", str(partial)], check=True)
    partial.rename(places.seed)
    n = count_files(places.seed)
    marker.write_text(str(n))
    return n


def ensure_copies(places: Places, copies: int) -> int:
    """Make copies/c000 .. c<copies-1> with floor.py corpus; return files per copy.

    Copy k is copy k-1 with dates shifted by one more year, so a missing run of
    copies is made by floor.py from the copy before it (its c000 output is that
    copy again and is dropped; its c001.. are the new ones). Each copy is moved
    into place only when complete, so an interrupted build resumes where it
    stopped and a bigger size reuses the copies a smaller one made."""
    ensure_seed(places)
    places.copies.mkdir(parents=True, exist_ok=True)
    per_copy_file = places.copies / "per-copy.count"
    per_copy = int(per_copy_file.read_text()) if per_copy_file.exists() else None

    def complete(k: int) -> bool:
        folder = places.copies / f"c{k:03d}"
        return folder.is_dir() and per_copy is not None and count_files(folder) == per_copy

    k = 0
    while k < copies:
        if complete(k):
            k += 1
            continue
        start = k
        stop = start
        while stop < copies and not complete(stop) and stop - start < COPIES_PER_FLOOR_RUN:
            stop += 1
        tmp = places.work / "copies.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        if start == 0:
            source, made, offset = places.seed, stop - start, 0
        else:
            source, made, offset = places.copies / f"c{start - 1:03d}", stop - start + 1, 1
        log(f"building corpus copies c{start:03d}..c{stop - 1:03d} with floor.py corpus")
        t = time.perf_counter()
        run_checked([places.python, str(places.floor), "corpus", str(source), str(tmp), "--copies", str(made)])
        if per_copy is None:
            per_copy = count_files(tmp / "c000")
            if per_copy <= 0:
                raise BenchError("floor.py corpus wrote no files")
            per_copy_file.write_text(str(per_copy))
        for j in range(start, stop):
            made_dir = tmp / f"c{j - start + offset:03d}"
            if count_files(made_dir) != per_copy:
                raise BenchError(f"floor.py corpus wrote {count_files(made_dir)} files in {made_dir}, expected {per_copy}")
            target = places.copies / f"c{j:03d}"
            shutil.rmtree(target, ignore_errors=True)
            made_dir.rename(target)
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"  {stop - start} copies in {time.perf_counter() - t:.1f}s")
        k = stop
    assert per_copy is not None
    return per_copy


def ensure_corpus(places: Places, label: str, copies: int) -> dict:
    """The corpus of one size: corpus/<label>/c000.. as hard links to the copies
    (no second copy of the bytes). Reused when every folder has the right count."""
    t = time.perf_counter()
    per_copy = ensure_copies(places, copies)
    root = places.corpus(label)
    root.mkdir(parents=True, exist_ok=True)
    built = 0
    for k in range(copies):
        name = f"c{k:03d}"
        target = root / name
        if count_files(target) == per_copy:
            continue
        partial = root / f"{name}.partial"  # removed below if an interrupted build left it
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        source = places.copies / name
        for entry in os.scandir(source):
            os.link(entry.path, partial / entry.name)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        built += 1
    extra = sorted(p.name for p in root.iterdir() if p.name not in {f"c{k:03d}" for k in range(copies)})
    for name in extra:  # left over from an interrupted build
        shutil.rmtree(root / name, ignore_errors=True)
    files = sum(count_files(root / f"c{k:03d}") for k in range(copies))
    if files != copies * per_copy:
        raise BenchError(f"{root} has {files} files, expected {copies * per_copy}")
    seconds = time.perf_counter() - t
    log(f"[{label}] corpus {root}: {files:,} files ({'built ' + str(built) + ' folders' if built else 'reused'}, {seconds:.1f}s)")
    return {"path": str(root), "copies": copies, "files": files, "per_copy": per_copy,
            "built_folders": built, "prepare_s": round(seconds, 2)}


# --- page cache ----------------------------------------------------------------------


def can_drop_caches() -> bool:
    return os.access("/proc/sys/vm/drop_caches", os.W_OK)


def settle_cache(mode: str, inputs: list[Path]) -> float:
    """Put the page cache in the same state before every timed phase: "cold"
    drops it (needs root), "warm" reads the phase's inputs (corpus files or
    database) once, so that every phase, ours and the floor's, starts warm."""
    t = time.perf_counter()
    if mode == "cold":
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
        return time.perf_counter() - t
    for item in inputs:
        paths = txt_files(item) if item.is_dir() else [str(p) for p in (item, Path(f"{item}-wal")) if p.exists()]
        for path in paths:
            with open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass
    return time.perf_counter() - t


# --- measuring a process tree ---------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        ppid = int(data[data.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(name))
    return children


def process_tree(root: int) -> list[int]:
    children = _children_map()
    tree = [root]
    i = 0
    while i < len(tree):
        tree.extend(children.get(tree[i], ()))
        i += 1
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Every ``interval`` seconds, sum RSS over a process and all its
    descendants; keep the peak. RSS sums count pages shared between processes
    (e.g. a forked worker's copy-on-write pages) once per process: an upper
    bound, and what the issue's target measures. PSS, which shares such pages
    out, is summed too, for information.

    Finding the descendants means reading every /proc/PID/stat and PSS is
    costly to read, so both are done every ``rescan``-th sample only (a new
    process is counted within interval * rescan); the RSS of the known tree is
    read every time. Cost: about 1-2% of one core."""

    def __init__(self, root: int, interval: float = 0.05, rescan: int = 4) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.rescan = rescan
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.samples = 0
        self._tree = [root]
        self._halt = threading.Event()

    def sample(self) -> None:
        if self.samples % self.rescan == 0:
            self._tree = process_tree(self.root)
            self.peak_pss = max(self.peak_pss, sum(_pss_bytes(pid) for pid in self._tree))
            self.peak_procs = max(self.peak_procs, len(self._tree))
        self.peak_rss = max(self.peak_rss, sum(_rss_bytes(pid) for pid in self._tree))
        self.samples += 1

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        return {"peak_rss_mb": round(self.peak_rss / 2**20, 1), "peak_pss_mb": round(self.peak_pss / 2**20, 1),
                "peak_processes": self.peak_procs, "rss_samples": self.samples}


def cpu_times() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat.
    Steal is time the hypervisor gave our virtual CPUs to someone else."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


def loadavg() -> float:
    with open("/proc/loadavg") as handle:
        return float(handle.read().split()[0])


def measure(cmd: list[str], out_dir: Path, name: str, env: dict | None = None) -> dict:
    """Run ``cmd`` to completion: wall time, CPU time of the whole tree, peak
    memory of the whole tree, and how much CPU everything else on the machine
    used meanwhile (a noise indicator). stdout/stderr go to files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = out_dir / f"{name}.stdout", out_dir / f"{name}.stderr"
    load_before = loadavg()
    busy_before, steal_before = cpu_times()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        memory = sampler.stop()
    busy_after, steal_after = cpu_times()
    busy = busy_after - busy_before
    cpu = usage.ru_utime + usage.ru_stime
    result = {
        "cmd": cmd, "rc": proc.returncode, "wall_s": round(wall, 3), "cpu_s": round(cpu, 2),
        **memory,
        # Noise: CPU used by other processes (other engineers' tests, this harness's
        # sampler) and CPU time the hypervisor took away, while this ran.
        "other_cpu_s": round(max(0.0, busy - cpu), 2),
        "steal_s": round(steal_after - steal_before, 2),
        "loadavg_before": load_before,
        "stdout": stdout_path.read_text(errors="replace")[-4000:],
        "stderr": stderr_path.read_text(errors="replace")[-4000:],
    }
    return result


def run_checked(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"no JSON in output: {text[-500:]!r}")


def db_family(path: Path) -> list[Path]:
    """The database and everything named after it beside it: -wal, -shm, and
    any side index (e.g. news.db.index/)."""
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if p.name == path.name or p.name.startswith(path.name + ".")
                  or p.name.startswith(path.name + "-"))


def remove_db(path: Path) -> None:
    for item in db_family(path):
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item)
        else:
            item.unlink(missing_ok=True)


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(path) for n in names)


def db_size_mb(path: Path) -> float:
    """On-disk size of the database with its WAL and side indexes."""
    return round(sum(tree_bytes(p) for p in db_family(path) if not p.name.endswith("-shm")) / 2**20, 1)


# --- phases ---------------------------------------------------------------------------


INGEST_SUMMARY = re.compile(
    r"ingested (\d+), updated (\d+), unchanged (\d+), duplicates (\d+), rejected (\d+) \(([\d.]+)s"
)


def phase_floor_ingest(ctx: "Run") -> dict:
    db = ctx.dbs / "floor.db"
    remove_db(db)
    ctx.cache()
    got = measure([ctx.places.python, str(ctx.places.floor), "ingest", str(ctx.corpus), str(db)], ctx.logs, "floor-ingest")
    if got["rc"] != 0:
        raise BenchError(f"floor.py ingest failed: {got['stderr'][-1000:]}")
    got["floor"] = last_json_line(got["stdout"])
    got["files_per_s"] = round(ctx.files / got["wall_s"])
    got["db_mb"] = db_size_mb(db)
    return got


def _ingest_cmd(ctx: "Run") -> list[str]:
    cmd = [str(ctx.places.cli), "ingest", str(ctx.corpus), "--db", str(ctx.db), "--silent"]
    if ctx.args.jobs:
        cmd += ["--jobs", str(ctx.args.jobs)]
    if ctx.args.no_analysis:
        cmd += ["--no-analysis"]
    return cmd


def _ingest_result(got: dict, ctx: "Run", what: str) -> dict:
    if got["rc"] not in (0, 2):  # 2: some files were rejected, which is not a failure here
        raise BenchError(f"news-archive ingest ({what}) failed with {got['rc']}: {got['stderr'][-1000:]}")
    m = INGEST_SUMMARY.search(got["stderr"])
    if not m:
        raise BenchError(f"no summary line in news-archive ingest output: {got['stderr'][-500:]!r}")
    keys = ("ingested", "updated", "unchanged", "duplicates", "rejected")
    got["report"] = {k: int(v) for k, v in zip(keys, m.groups()[:5])}
    got["report"]["cli_seconds"] = float(m.group(6))
    got["files_per_s"] = round(ctx.files / got["wall_s"])
    got["db_mb"] = db_size_mb(ctx.db)
    return got


def phase_ingest(ctx: "Run") -> dict:
    remove_db(ctx.db)
    ctx.cache()
    got = _ingest_result(measure(_ingest_cmd(ctx), ctx.logs, "ingest", ctx.env), ctx, "full")
    seen = sum(got["report"][k] for k in ("ingested", "updated", "unchanged", "duplicates", "rejected"))
    if seen != ctx.files:
        raise BenchError(f"news-archive ingest accounted for {seen} files, the corpus has {ctx.files}")
    return got


def phase_reingest(ctx: "Run") -> dict:
    ctx.cache()
    got = _ingest_result(measure(_ingest_cmd(ctx), ctx.logs, "reingest", ctx.env), ctx, "re-ingest")
    if got["report"]["unchanged"] != ctx.files - got["report"]["rejected"]:
        log(f"  note: re-ingest did not report every file unchanged: {got['report']}")
    return got


def phase_queries(ctx: "Run") -> list[dict]:
    out = ctx.dbs / "queries.json"
    run_checked([ctx.places.python, str(ctx.places.floor), "queries", str(ctx.dbs / "floor.db"), str(out)])
    return json.loads(out.read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def search_path(query: dict) -> str:
    params = {"q": query["q"]}
    for key in ("since", "until"):
        if key in query:
            params[key] = query[key]
    return "/search.json?" + urllib.parse.urlencode(params)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(sum(ms) / len(ms), 2)}


def phase_serve_and_search(ctx: "Run", queries: list[dict]) -> tuple[dict, dict]:
    """Start `news-archive serve`, time its first answer from process start,
    then time every query over HTTP (one keep-alive connection, like a browser)."""
    port = free_port()
    host = "127.0.0.1"
    first_path = search_path(next((q for q in queries if q["kind"] == "mid"), queries[0]))
    ctx.cache(ctx.db)
    stdout_path, stderr_path = ctx.logs / "serve.stdout", ctx.logs / "serve.stderr"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(ctx.places.cli), "serve", "--db", str(ctx.db), "--host", host, "--port", str(port)],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=ctx.env,
        )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        listening = None
        while True:
            if proc.poll() is not None:
                raise BenchError(f"news-archive serve exited with {proc.returncode}: {stderr_path.read_text()[-1000:]}")
            if time.perf_counter() - started > 120:
                raise BenchError("news-archive serve did not answer within 120 s")
            try:
                conn = http.client.HTTPConnection(host, port, timeout=120)
                conn.connect()
            except OSError:
                time.sleep(0.01)
                continue
            listening = time.perf_counter() - started
            conn.request("GET", first_path)
            response = conn.getresponse()
            body = response.read()
            first = time.perf_counter() - started
            conn.close()
            if response.status != 200:
                raise BenchError(f"first request {first_path} answered {response.status}: {body[:300]!r}")
            break
        start = {"first_response_s": round(first, 3), "listening_s": round(listening, 3), "first_path": first_path}
        log(f"  serve: listening after {listening:.2f}s, first answer after {first:.2f}s")

        conn = http.client.HTTPConnection(host, port, timeout=120)
        per_query: list[dict] = []
        errors: list[str] = []

        def get(query: dict, record: bool) -> None:
            path = search_path(query)
            t = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            ms = (time.perf_counter() - t) * 1000
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
                return
            if record:
                query["_ms"].append(ms)
            else:
                data = json.loads(body)
                query["_total"] = data.get("total")
                query["_results"] = len(data.get("results", []))
                query["_bytes"] = len(body)

        work = [dict(q, _ms=[]) for q in queries]
        for q in work:  # warm-up pass, not recorded
            get(q, record=False)
        for _ in range(ctx.args.repeats):
            for q in work:
                get(q, record=True)
        conn.close()
        if errors:
            raise BenchError(f"{len(errors)} search requests failed, e.g. {errors[0]}")
        memory = sampler.stop()
    finally:
        if sampler.is_alive():
            sampler.stop()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    all_ms = [ms for q in work for ms in q["_ms"]]
    kinds: dict[str, list[float]] = {}
    for q in work:
        kinds.setdefault(q["kind"], []).extend(q["_ms"])
    for q in work:
        per_query.append({
            "q": q["q"], "kind": q["kind"], **{k: q[k] for k in ("since", "until") if k in q},
            "total": q.get("_total"), "results": q.get("_results"), "response_bytes": q.get("_bytes"),
            "median_ms": round(percentile(q["_ms"], 50), 2), "max_ms": round(max(q["_ms"]), 2),
        })
    search = {
        "repeats": ctx.args.repeats, "queries": len(work), "all": summarise(all_ms),
        "by_kind": {kind: summarise(ms) for kind, ms in kinds.items()},
        "per_query": per_query, "serve_memory": memory,
    }
    return start, search


def phase_floor_search(ctx: "Run") -> dict:
    ctx.cache(ctx.dbs / "floor.db")
    out = run_checked([ctx.places.python, str(ctx.places.floor), "search", str(ctx.dbs / "floor.db"),
                       str(ctx.dbs / "queries.json")])
    return last_json_line(out)


def phase_peer(ctx: "Run") -> dict:
    check = subprocess.run([ctx.places.python, "-c", "import tantivy"], capture_output=True)
    if check.returncode != 0:
        raise BenchError(f"tantivy is not installed for {ctx.places.python}: "
                         f"run `{Path(ctx.places.python).parent / 'pip'} install tantivy`")
    index = ctx.dbs / "tantivy"
    ctx.cache()
    got = measure([ctx.places.python, str(ctx.places.floor), "tantivy", str(ctx.corpus), str(index),
                   str(ctx.dbs / "queries.json")], ctx.logs, "tantivy")
    if got["rc"] != 0:
        raise BenchError(f"floor.py tantivy failed: {got['stderr'][-1000:]}")
    got["tantivy"] = last_json_line(got["stdout"])
    shutil.rmtree(index, ignore_errors=True)
    return got


def phase_export(ctx: "Run") -> dict:
    out = ctx.dbs / "export.ndjson"
    out.unlink(missing_ok=True)
    ctx.cache(ctx.db)
    got = measure([str(ctx.places.cli), "export", "--format", "ndjson", "-o", str(out), "--db", str(ctx.db)],
                  ctx.logs, "export", ctx.env)
    if got["rc"] != 0:
        raise BenchError(f"news-archive export failed with {got['rc']}: {got['stderr'][-1000:]}")
    m = re.search(r"exported ([\d,]+) articles", got["stderr"])
    lines = 0
    with open(out, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    got["articles"] = lines
    got["cli_reported"] = int(m.group(1).replace(",", "")) if m else None
    got["output_mb"] = round(out.stat().st_size / 2**20, 1)
    got["articles_per_s"] = round(lines / got["wall_s"])
    if not ctx.args.keep_outputs:
        out.unlink()
    return got


# --- one size ---------------------------------------------------------------------------


class Run:
    def __init__(self, args, places: Places, label: str, copies: int, snapshot: Snapshot | None) -> None:
        self.args = args
        self.snapshot = snapshot
        self.env = snapshot.env() if snapshot else None
        self.places = places
        self.label = label
        self.copies = copies
        self.corpus = places.corpus(label)
        self.dbs = places.dbs(label)
        self.db = self.dbs / "news.db"
        self.logs = self.dbs / "logs"
        self.files = 0
        self.cache_s = 0.0

    def cache(self, *inputs: Path) -> None:
        self.cache_s += settle_cache(self.args.cache, list(inputs) or [self.corpus])


def machine_info(work: Path) -> dict:
    def first(path: str, key: str) -> str | None:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return None

    info = {
        "cores": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "mem_gib": round(int(first("/proc/meminfo", "MemTotal").split()[0]) / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        df = subprocess.run(["df", "-PT", str(work)], capture_output=True, text=True).stdout.splitlines()[-1].split()
        info["disk"] = {"device": df[0], "fs": df[1], "size_gb": round(int(df[2]) / 2**20), "mount": df[6]}
        dev = Path(df[0]).name
        rotational = Path(f"/sys/block/{dev}/queue/rotational")
        if rotational.exists():
            info["disk"]["rotational"] = rotational.read_text().strip() == "1"
    except (OSError, IndexError, ValueError):
        pass
    return info


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()


def code_info(snapshot: "Snapshot | None") -> dict:
    """Which code is measured: the work tree (the package is installed in
    editable mode, so uncommitted edits count) or a snapshot of a commit."""
    if snapshot:
        return {"code": f"snapshot of {snapshot.rev}", "commit": snapshot.commit, "src_dirty": False,
                "src_fingerprint": src_fingerprint(snapshot.src)}
    return {"code": "work tree", "commit": git("rev-parse", "HEAD"),
            "src_dirty": bool(git("status", "--porcelain", "--", "src")),
            "src_fingerprint": src_fingerprint(REPO / "src")}


def src_fingerprint(src: Path) -> str:
    """A hash of every file under a src/ folder: the code that was measured."""
    digest = hashlib.sha256()
    for path in sorted(src.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def compile_code(python: str, src: Path) -> None:
    """Byte-compile the measured code first, as `pip install` does, so that no
    process starts by compiling it: with PYTHONDONTWRITEBYTECODE set, as on the
    machine of the first runs, every process (the CLI, each worker, the server)
    compiled the package's source again (an export at 21k: about 0.03 s of its
    0.3 s of CPU)."""
    subprocess.run([python, "-m", "compileall", "-q", str(src)], check=True)


class Snapshot:
    """src/ of one commit, unpacked under the work dir and put first on
    PYTHONPATH for every news-archive process, so that edits to the work tree
    during a run (or an uncommitted experiment) do not leak into the numbers."""

    def __init__(self, work: Path, rev: str) -> None:
        commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if not commit:
            raise SystemExit(f"error: --code {rev}: not a commit in {REPO}")
        self.rev, self.commit = rev, commit
        root = work / "code" / commit[:12]
        self.src = root / "src"
        if not self.src.is_dir():
            partial = work / "code" / f"{commit[:12]}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "src"], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(partial)], input=archive.stdout, check=True)
            shutil.rmtree(root, ignore_errors=True)
            partial.rename(root)
        log(f"measuring the code of {rev} ({commit[:10]}) from {self.src}")

    def check(self, python: str) -> None:
        """Make sure the snapshot, not the editable install, is what gets imported."""
        found = subprocess.run([python, "-c", "import news_archive; print(news_archive.__file__)"],
                               capture_output=True, text=True, env=self.env()).stdout.strip()
        if not found.startswith(str(self.src)):
            raise SystemExit(f"error: --code: news_archive is imported from {found or '?'}, not from {self.src}")

    def env(self) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.src), env.get("PYTHONPATH")]))
        return env


def run_size(args, places: Places, label: str, copies: int, snapshot: Snapshot | None) -> dict:
    ctx = Run(args, places, label, copies, snapshot)
    ctx.dbs.mkdir(parents=True, exist_ok=True)
    ctx.logs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    result: dict = {
        "size": label, "copies": copies, "timestamp": stamp, "machine": machine_info(places.work),
        "git": code_info(ctx.snapshot),
        "settings": {"code": args.code or "work tree", "cache": args.cache, "jobs": args.jobs, "no_analysis": args.no_analysis, "repeats": args.repeats, "rounds": args.rounds,
                     "peer": args.peer,
                     "rss_sample_interval_s": 0.05, "work_dir": str(places.work)},
        "limits": LIMITS, "errors": {}, "warnings": [],
    }
    corpus = ensure_corpus(places, label, copies)
    ctx.files = corpus["files"]
    result["corpus"] = corpus
    result["files"] = ctx.files
    result["loadavg_start"] = loadavg()

    def phase(name: str, fn, *fn_args):
        log(f"[{label}] {name} ...")
        try:
            value = fn(*fn_args)
        except Exception as error:  # one broken phase must not hide the others' numbers
            message = str(error) if isinstance(error, BenchError) else f"{type(error).__name__}: {error}"
            log(f"[{label}] {name} FAILED: {message}")
            result["errors"][name] = message
            return None
        if isinstance(value, dict) and "wall_s" in value:
            log(f"[{label}] {name}: {value['wall_s']:.2f}s, peak RSS {value['peak_rss_mb']} MB"
                f" (meanwhile other processes used {value['other_cpu_s']} CPU-s, steal {value['steal_s']} s)")
        return value

    # With --rounds N the ingest phases run N times, interleaved so that noise
    # from other processes hits ours and the floor alike; the median counts.
    rounds: dict[str, list[dict]] = {"floor_ingest": [], "ingest": [], "reingest": []}
    for i in range(args.rounds):
        tag = f" (round {i + 1}/{args.rounds})" if args.rounds > 1 else ""
        for key, name, fn in (("floor_ingest", "floor ingest", phase_floor_ingest), ("ingest", "full ingest", phase_ingest),
                              ("reingest", "re-ingest", phase_reingest)):
            if key == "reingest" and len(rounds["ingest"]) <= i:
                continue
            value = phase(name + tag, fn, ctx)
            if value is not None:
                rounds[key].append(value)
    for key, runs in rounds.items():
        result[key] = median_run(runs)
    queries = phase("queries", phase_queries, ctx) if result["floor_ingest"] else None
    result["query_set"] = queries
    if result["ingest"] and queries:
        both = phase("search over HTTP", phase_serve_and_search, ctx, queries)
        result["serve_start"], result["search"] = both if both else (None, None)
        result["floor_search"] = phase("floor search", phase_floor_search, ctx)
    if args.peer and queries:
        result["peer"] = phase("tantivy peer", phase_peer, ctx)
    if result["ingest"]:
        exports = [phase("export" + (f" (round {i + 1}/{args.rounds})" if args.rounds > 1 else ""), phase_export, ctx)
                   for i in range(args.rounds)]
        result["export"] = median_run([e for e in exports if e])
    result["loadavg_end"] = loadavg()
    end = code_info(ctx.snapshot)
    if (end["commit"], end["src_fingerprint"]) != (result["git"]["commit"], result["git"]["src_fingerprint"]):
        result["git"]["at_end"] = end
    if end["src_fingerprint"] != result["git"]["src_fingerprint"]:
        result["warnings"].append(
            f"src/ changed during this run (commit {result['git']['commit'][:10]} -> {end['commit'][:10]}, "
            f"fingerprint {result['git']['src_fingerprint']} -> {end['src_fingerprint']}): "
            "these numbers may mix two versions of the code (--code REV measures a fixed commit)"
        )
    result["cache_settle_s"] = round(ctx.cache_s, 1)
    result["targets"] = targets(result)
    return result


def median_run(runs: list[dict]) -> dict | None:
    """The run with the median wall time, with every round's time and the
    highest memory peak of all rounds."""
    if not runs:
        return None
    if len(runs) == 1:
        return runs[0]
    chosen = dict(sorted(runs, key=lambda r: r["wall_s"])[(len(runs) - 1) // 2])
    chosen["rounds_wall_s"] = [r["wall_s"] for r in runs]
    chosen["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    chosen["peak_pss_mb"] = max(r["peak_pss_mb"] for r in runs)
    return chosen


# --- the verdict ------------------------------------------------------------------------------


def targets(r: dict) -> list[dict]:
    """Each target: figure, limit, ratio (figure / limit) and PASS/FAIL, or
    MISSING when the phase behind it failed."""
    rows = []

    def add(name: str, unit: str, figure, limit, at_most: bool = True) -> None:
        if figure is None or limit is None:
            rows.append({"target": name, "unit": unit, "figure": None, "limit": limit, "ratio": None,
                         "at_most": at_most, "verdict": "MISSING"})
            return
        ratio = figure / limit if limit else math.inf
        ok = figure <= limit if at_most else figure >= limit
        rows.append({"target": name, "unit": unit, "figure": figure, "limit": limit, "ratio": round(ratio, 3),
                     "at_most": at_most, "verdict": "PASS" if ok else "FAIL"})

    def get(*keys):
        value = r
        for key in keys:
            if not isinstance(value, dict) or value.get(key) is None:
                return None
            value = value[key]
        return value

    floor_s = get("floor_ingest", "wall_s")
    full_s = get("ingest", "wall_s")
    add("full ingest time (<= 1.0x floor)", "s", full_s,
        round(LIMITS["ingest_vs_floor"] * floor_s, 3) if floor_s else None)
    add("full ingest peak RSS (process tree)", "MB", get("ingest", "peak_rss_mb"), LIMITS["ingest_rss_mb"])
    add("re-ingest unchanged (<= 0.25x full)", "s", get("reingest", "wall_s"),
        round(LIMITS["reingest_vs_full"] * full_s, 3) if full_s else None)
    add("/search.json p50 over HTTP", "ms", get("search", "all", "p50_ms"), LIMITS["search_p50_ms"])
    add("/search.json p95 over HTTP", "ms", get("search", "all", "p95_ms"), LIMITS["search_p95_ms"])
    add("export ndjson rate", "articles/s", get("export", "articles_per_s"), LIMITS["export_articles_per_s"],
        at_most=False)
    add("export ndjson peak RSS", "MB", get("export", "peak_rss_mb"), LIMITS["export_rss_mb"])
    add("serve: first answer after start", "s", get("serve_start", "first_response_s"),
        LIMITS["serve_first_response_s"])
    return rows


def fmt(value) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def table(result: dict) -> str:
    rows = [("target", "figure", "limit", "figure/limit", "verdict")]
    for t in result["targets"]:
        sign = "<=" if t["at_most"] else ">="
        rows.append((t["target"], f"{fmt(t['figure'])} {t['unit']}", f"{sign} {fmt(t['limit'])} {t['unit']}",
                     "-" if t["ratio"] is None else f"{t['ratio']:.2f}", t["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [f"== {result['size']}: {result['files']:,} article files ({result['copies']} copies), "
             f"cache {result['settings']['cache']}, "
             f"{'snapshot of ' if result['git'].get('code', '').startswith('snapshot') else ''}"
             f"commit {result['git']['commit'][:10]}"
             f"{' + local changes in src/' if result['git']['src_dirty'] else ''}"
             f" (src {result['git']['src_fingerprint']}) =="]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.extend(details(result))
    return "\n".join(lines)


def details(r: dict) -> list[str]:
    out = []
    fi, ing, re_ = r.get("floor_ingest"), r.get("ingest"), r.get("reingest")
    if fi:
        f = fi["floor"]
        out.append(f"floor ingest   {fi['wall_s']:.2f}s wall ({f['total_s']}s in-process: read+parse {f['read_parse_s']}s,"
                   f" insert {f['insert_s']}s, fts {f['fts_s']}s), {fi['files_per_s']:,} files/s,"
                   f" peak RSS {fi['peak_rss_mb']} MB, db {fi['db_mb']} MB")
    if ing:
        cpu_ratio = f" ({ing['cpu_s'] / fi['cpu_s']:.2f}x the floor's {fi['cpu_s']}s)" if fi and fi["cpu_s"] else ""
        out.append(f"full ingest    {ing['wall_s']:.2f}s wall, {ing['cpu_s']}s CPU{cpu_ratio}, {ing['files_per_s']:,} files/s,"
                   f" peak RSS {ing['peak_rss_mb']} MB (PSS {ing['peak_pss_mb']} MB, {ing['peak_processes']} processes),"
                   f" db {ing['db_mb']} MB; {ing['report']}")
    if re_:
        ratio = re_["wall_s"] / ing["wall_s"] if ing else math.nan
        out.append(f"re-ingest      {re_['wall_s']:.2f}s wall ({ratio:.2f}x full), peak RSS {re_['peak_rss_mb']} MB")
    s = r.get("search")
    if s:
        out.append(f"search HTTP    {s['queries']} queries x {s['repeats']}: p50 {s['all']['p50_ms']} ms,"
                   f" p95 {s['all']['p95_ms']} ms, max {s['all']['max_ms']} ms;"
                   f" serve peak RSS {s['serve_memory']['peak_rss_mb']} MB")
        for kind, k in s["by_kind"].items():
            out.append(f"  {kind:<12} n={k['n']:<4} p50 {k['p50_ms']:>8} ms  p95 {k['p95_ms']:>8} ms  max {k['max_ms']:>8} ms")
        slow = sorted(s["per_query"], key=lambda q: -q["median_ms"])[:3]
        out.append("  slowest: " + "; ".join(f"{q['q']!r} ({q['kind']}, {q['total']} hits) {q['median_ms']} ms" for q in slow))
    ss = r.get("serve_start")
    if ss:
        out.append(f"serve start    listening {ss['listening_s']}s, first answer {ss['first_response_s']}s ({ss['first_path']})")
    fs = r.get("floor_search")
    if fs:
        out.append(f"floor search   in-process p50 {fs['all']['p50_ms']} ms, p95 {fs['all']['p95_ms']} ms")
    p = r.get("peer")
    if p:
        t = p["tantivy"]
        out.append(f"tantivy peer   index {t['index_s']}s ({t['articles_per_s']:,} articles/s, {t['index_mb']} MB),"
                   f" search p50 {t['search_p50_ms']} ms, p95 {t['search_p95_ms']} ms (no date queries),"
                   f" peak RSS {p['peak_rss_mb']} MB")
    e = r.get("export")
    if e:
        out.append(f"export ndjson  {e['articles']:,} articles in {e['wall_s']:.2f}s = {e['articles_per_s']:,}/s,"
                   f" {e['output_mb']} MB, peak RSS {e['peak_rss_mb']} MB")
    for name in ("floor_ingest", "ingest", "reingest", "export"):
        if r.get(name) and "rounds_wall_s" in r[name]:
            out.append(f"rounds         {name}: " + ", ".join(f"{w:.2f}s" for w in r[name]["rounds_wall_s"]) + " (median used)")
    noise = [(name, r[name]) for name in ("floor_ingest", "ingest", "reingest", "export")
             if r.get(name) and r[name]["other_cpu_s"] + r[name]["steal_s"] > 0.2 * r[name]["wall_s"]]
    if noise:
        out.append("noise: CPU used by other processes / stolen by the hypervisor during " + ", ".join(
            f"{name} ({v['other_cpu_s']} / {v['steal_s']} CPU-s over {v['wall_s']:.1f}s)" for name, v in noise))
    out.append(f"load average {r['loadavg_start']} at start, {r['loadavg_end']} at end")
    for message in r.get("warnings", []):
        out.append(f"WARNING: {message}")
    for name, message in r["errors"].items():
        out.append(f"ERROR in {name}: {message}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", default="21k", help="comma-separated: 21k, 208k, 1M or Nx (default: 21k)")
    parser.add_argument("--work-dir", default=os.environ.get("BENCH_DIR") or str(REPO / "bench" / "work"),
                        help="corpora, databases and logs (default: $BENCH_DIR or bench/work)")
    parser.add_argument("--shared", default=None, help="the shared/ folder (default: ../shared beside the checkout)")
    parser.add_argument("--results", default=str(RESULTS_DIR), help="where result JSON goes (default: bench/results)")
    parser.add_argument("--cache", choices=("warm", "cold"), default="warm",
                        help="before each timed phase: read the corpus once (warm, default) or drop the page cache"
                             " (cold, needs root)")
    parser.add_argument("--code", metavar="REV", default=None,
                        help="measure the committed src/ of REV (e.g. HEAD) instead of the work tree")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to news-archive ingest")
    parser.add_argument("--no-analysis", action="store_true",
                        help="pass --no-analysis to news-archive ingest (no names, quotes or near-duplicates)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of every query (default 5)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the ingest and export phases N times and keep the median (default 1)")
    parser.add_argument("--peer", action="store_true", help="also index and search with tantivy (slow)")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the export file")
    parser.add_argument("--corpus-only", action="store_true", help="build the corpora and stop")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    if args.repeats < 5:
        parser.error("--repeats must be at least 5")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    sizes = parse_sizes(args.sizes)
    shared = find_shared(args.shared)
    python = sys.executable
    places = Places(shared, Path(args.work_dir).resolve(), find_cli(python), python)
    places.work.mkdir(parents=True, exist_ok=True)
    if args.cache == "cold" and not can_drop_caches():
        raise SystemExit("error: --cache cold needs to write /proc/sys/vm/drop_caches (root); use --cache warm")

    snapshot = Snapshot(places.work, args.code) if args.code and not args.corpus_only else None
    if snapshot:
        snapshot.check(python)
    if not args.corpus_only:
        compile_code(python, snapshot.src if snapshot else REPO / "src")
    failed_phase = failed_target = False
    outputs = []
    try:
        for label, copies in sizes:
            if args.corpus_only:
                ensure_corpus(places, label, copies)
                continue
            result = run_size(args, places, label, copies, snapshot)
            results_dir = Path(args.results)
            results_dir.mkdir(parents=True, exist_ok=True)
            path = results_dir / f"{label}-{result['timestamp']}.json"
            path.write_text(json.dumps(result, indent=1) + "\n")
            text = table(result)
            outputs.append(text)
            print(text + f"\nresults: {path}\n", flush=True)
            failed_phase |= bool(result["errors"])
            failed_target |= any(t["verdict"] != "PASS" for t in result["targets"])
    except BenchError as error:
        log(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    if len(outputs) > 1:
        print("== all sizes ==\n\n" + "\n\n".join(outputs))
    if failed_phase:
        return 2
    return 1 if (args.strict and failed_target) else 0


if __name__ == "__main__":
    sys.exit(main())
