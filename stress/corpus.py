"""The Reuters-21578 corpus and an archive of it, for the stress runs when no database is given.

The corpus comes from ../shared/corpora/reuters21578/seed-format.tar.gz beside the
checkout (as for the corpus tests); it is unpacked once into stress/work/.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "stress" / "work"
RESULTS = ROOT / "stress" / "results"
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578" / "seed-format.tar.gz"


def reuters_folder() -> Path:
    """The unpacked corpus (20,841 article files), unpacked on first use."""
    folder = WORK / "reuters"
    done = folder / ".unpacked"
    if not done.exists():
        if not REUTERS.exists():
            sys.exit(f"no database given and the Reuters corpus is not at {REUTERS}: pass --db or --corpus")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(REUTERS) as tar:
            tar.extractall(folder, filter="data")
        done.touch()
    return folder


def reuters_db() -> Path:
    """An archive of the corpus, ingested on first use (a re-run finds everything unchanged)."""
    db = WORK / "reuters.db"
    folder = reuters_folder()
    print(f"ingesting {folder} into {db} ...", file=sys.stderr, flush=True)
    result = subprocess.run([sys.executable, "-m", "news_archive.cli", "ingest", str(folder), "--db", str(db),
                             "--silent"], stderr=subprocess.PIPE, text=True)
    print(result.stderr.strip().splitlines()[-1], file=sys.stderr)
    if result.returncode not in (0, 3):  # 3: some files rejected
        sys.exit(f"ingest failed: {result.stderr[-2000:]}")
    return db
