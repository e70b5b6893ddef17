"""What it costs a search to read the first matches and look up their near-duplicate clusters,
for 50 matches and for 2,000 (search.FOLD_DEPTH), over the benchmark's query set.

    .venv/bin/python bench/fold_cost.py bench/work/dbs/1M/news.db bench/work/dbs/1M/queries.json

Needs an archive and query set made by `make bench` (bench/run.py). Prints, per kind of query,
the median and the maximum over its queries of the best of three timings, in milliseconds.
"""

import json
import sqlite3
import statistics
import sys
import time

from news_archive import query, search, search_index


def main(db_path: str, queries_path: str) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    index = search_index.SearchIndex.open(db_path)
    timings: dict[tuple[str, int], list[float]] = {}
    for item in json.load(open(queries_path)):
        parsed = query.parse_query(item["q"])
        tq = search_index.to_tantivy(index, parsed, item.get("since"), item.get("until"), ())
        if tq is None:
            continue
        for limit in (50, search.FOLD_DEPTH):
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                _, ids = search_index.top_ids(index, tq, sort="relevance", limit=limit, offset=0, count=False)
                search.clusters_of(conn, ids)
                best = min(best, (time.perf_counter() - start) * 1000)
            timings.setdefault((item["kind"], limit), []).append(best)
    for (kind, limit), values in sorted(timings.items()):
        print(f"{kind:<12} {limit:>5} matches: median {statistics.median(values):.2f} ms, max {max(values):.2f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:3])
