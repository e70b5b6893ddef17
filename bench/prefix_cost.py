"""What a search of a prefix costs: every indexed word that begins so is looked for (tantivy's own
prefix query stopped at 50 words), so a prefix that begins many words costs more.

    .venv/bin/python bench/prefix_cost.py bench/work/dbs/1M/news.db

Needs an archive made by `make bench` (bench/run.py), or any archive. Prints, for each prefix, its
matches and the best of three timings of a whole search (the page, the total, the timeline and the
facets), in process, in milliseconds.
"""

import sqlite3
import sys
import time

from news_archive import search, search_index

PREFIXES = ("co*", "th*", "pr*", "inflat*", "opec*", "oil pri*")


def main(db_path: str) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    index = search_index.SearchIndex.open(db_path)
    for prefix in PREFIXES:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = search.search(conn, prefix, index=index)
            best = min(best, time.perf_counter() - started)
        print(f"{prefix:10} {result.total:>10,} matches  {best * 1000:7.1f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:2])
