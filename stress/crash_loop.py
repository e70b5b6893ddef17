#!/usr/bin/env python3
"""kill -9 an ingest again and again at random moments; check the archive after every kill.

    python stress/crash_loop.py [--corpus FOLDER] [--cycles 30] [--seconds 900] [--max-kill-after 20]

Each cycle first, at random, leaves the corpus alone, rewrites 1% of its files
(so that the ingest has updates, copies broken or made, and index_queue work),
deletes the ranked index (so that the ingest rebuilds it in its catch-up), or
deletes the whole archive (so that the ingest starts from nothing);
then starts `news-archive ingest` on it (its own process group, the ranked
index committing every 2,000 articles) and SIGKILLs the group after a random
0.2 s to --max-kill-after s, unless it finished first. After each kill it runs
every check of tests/consistency.py (all of them, "complete" included, when the
ingest finished before its kill): integrity_check, foreign keys, FTS5
integrity-check against the articles table, the source_files ledger against
articles and rejects, copies, and the ranked index (no article twice, nothing
that is not an article, nothing its state file claims that is missing).

At the end one ingest runs to completion and the archive must hold exactly
one article per file, one original per distinct content, no rejects, and a
ranked index of exactly the originals. Bounded by --cycles and --seconds.
Results go to stress/results/crash-loop-<time>.json; exit 1 on any failure.

Without --corpus it uses the Reuters-21578 corpus (stress/corpus.py), copied
to stress/work/crash-corpus so that its files can be rewritten.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from consistency import Inconsistent, check_archive  # noqa: E402
from corpus import RESULTS, WORK, reuters_folder  # noqa: E402

CHILD = """
import sys
from news_archive import search_index
search_index.COMMIT_EVERY_DOCS = 2000  # several commits per run, so kills fall between them
from news_archive.cli import main
sys.argv = ["news-archive", "ingest", *sys.argv[1:]]
main()
"""


def rewrite_some(files: list[Path], r: random.Random, cycle: int) -> int:
    chosen = r.sample(files, max(1, len(files) // 100))
    for n, path in enumerate(chosen):
        text = path.read_text(encoding="utf-8", errors="replace")
        if n % 10 == 0:
            other = r.choice(files)  # an exact copy of another file: a new duplicate
            text = other.read_text(encoding="utf-8", errors="replace")
        else:
            text = text.rstrip() + f"\n\nCorrection {cycle}: this story was updated.\n"
        path.write_text(text, encoding="utf-8")
    return len(chosen)


def remove_archive(db: Path) -> None:
    for path in [db, Path(f"{db}-wal"), Path(f"{db}-shm")]:
        path.unlink(missing_ok=True)
    shutil.rmtree(f"{db}.index", ignore_errors=True)


def ingest_until_killed(corpus: Path, db: Path, kill_after: float) -> tuple[str, float, str]:
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(corpus), "--db", str(db), "--silent"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        child.wait(timeout=kill_after)
        outcome = "finished"
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(30)
        outcome = "killed"
    stderr = child.stderr.read().decode("utf-8", "replace")
    child.stderr.close()
    if outcome == "finished" and child.returncode not in (0, 3):  # 3: some files rejected
        outcome = f"failed ({child.returncode})"
    return outcome, time.monotonic() - started, stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a folder of article files (default: a copy of Reuters-21578)")
    parser.add_argument("--db", type=Path, default=WORK / "crash.db", help="the archive to build (recreated)")
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=900.0, help="start no new cycle after this long")
    parser.add_argument("--max-kill-after", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1987)
    args = parser.parse_args()
    r = random.Random(args.seed)
    corpus = args.corpus
    if corpus is None:
        corpus = WORK / "crash-corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        shutil.copytree(reuters_folder(), corpus, ignore=shutil.ignore_patterns(".*"))
    files = sorted(p for p in corpus.rglob("*.txt") if not any(part.startswith(".") for part in p.parts))
    remove_archive(args.db)
    args.db.parent.mkdir(parents=True, exist_ok=True)

    cycles, failures = [], []
    started = time.monotonic()
    for cycle in range(args.cycles):
        if time.monotonic() - started > args.seconds:
            break
        action = r.choice(["none", "none", "rewrite", "drop-index", "new-archive"]) if cycle else "none"
        if action == "rewrite":
            action += f" {rewrite_some(files, r, cycle)} files"
        elif action == "drop-index":
            shutil.rmtree(f"{args.db}.index", ignore_errors=True)
        elif action == "new-archive":
            remove_archive(args.db)
        kill_after = r.uniform(0.2, args.max_kill_after)
        outcome, ran, stderr = ingest_until_killed(corpus, args.db, kill_after)
        checked = time.monotonic()
        try:
            # A run that finished before its kill must have left everything complete.
            counts = check_archive(str(args.db), complete=outcome == "finished") if args.db.exists() \
                else {"articles": 0, "indexed": 0}
            problem = None
        except Inconsistent as error:
            counts, problem = {}, str(error)
        row = {"cycle": cycle, "before": action, "kill_after_s": round(kill_after, 2), "outcome": outcome,
               "ran_s": round(ran, 1), "check_s": round(time.monotonic() - checked, 1),
               "articles": counts.get("articles"), "indexed": counts.get("indexed"), "problem": problem}
        if outcome.startswith("failed"):
            row["problem"] = (problem or "") + f" ingest failed: {stderr[-1000:]}"
        cycles.append(row)
        print(json.dumps(row), flush=True)
        if row["problem"]:
            failures.append(row)

    # The last run completes: exactly one article per file, and every index in step.
    outcome, ran, stderr = ingest_until_killed(corpus, args.db, 3600)
    final = {"outcome": outcome, "ran_s": round(ran, 1), "summary": stderr.strip().splitlines()[-1:]}
    try:
        counts = check_archive(str(args.db), complete=True)
        contents = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        expected = (len(files), len(contents), 0)
        got = (counts["articles"], counts["originals"], counts["rejects"])
        final.update(articles=got[0], originals=got[1], rejects=got[2], indexed=counts["indexed"],
                     expected=list(expected))
        if got != expected or counts["indexed"] != len(contents) or outcome not in ("finished",):
            final["problem"] = f"expected (articles, originals, rejects) {expected}, got {got}; {outcome}"
    except Inconsistent as error:
        final["problem"] = str(error)
    print(json.dumps(final), flush=True)

    killed = sum(1 for c in cycles if c["outcome"] == "killed")
    result = {
        "corpus": str(corpus), "files": len(files), "db": str(args.db), "cycles": len(cycles), "killed": killed,
        "finished_before_the_kill": sum(1 for c in cycles if c["outcome"] == "finished"),
        "failures": len(failures) + (1 if final.get("problem") else 0), "final": final, "per_cycle": cycles,
        "seconds": round(time.monotonic() - started, 1), "seed": args.seed,
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"crash-loop-{result['when'].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(cycles)} cycles ({killed} killed mid-ingest, {result['finished_before_the_kill']} finished first) "
          f"on {len(files):,} files in {result['seconds']}s: {result['failures']} failures; final ingest: "
          f"{final.get('articles')} articles, {final.get('originals')} originals, {final.get('indexed')} indexed. "
          f"Written to {out.relative_to(RESULTS.parents[1])}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
