"""Time the comparisons of searches, the words that stand out, "on this day" and keyword in context,
in-process, on an archive.

    python bench/extras.py bench/work/dbs/1M/news.db      # after `make bench` built it
    python bench/extras.py news.db --runs 9

Prints the median and the first (cold) time of each case, in milliseconds. The search
page adds the words to every search with matches; /search.json only with ?words=1.
"""

from __future__ import annotations

import argparse
import statistics
import time

from news_archive import browse, compare, concordance, store, words
from news_archive.query import parse_query
from news_archive.search_index import SearchIndex

WORD_QUERIES = ["cocoa", "bushel", "reserv", "plan", '"lead underwriter"', "aachen"]
COMPARISONS = [
    (["oil", "gold"], {}),
    (["reserv", "feder", "plan", "further", "bushel", "economist"], {}),
    (["oil", "gold"], {"unit": "day", "since": "1990-01-01", "until": "1991-12-31"}),
    (["cocoa", "coffee", '"interest rates"'], {"since": "1990-01-01", "until": "1990-03-31"}),
]

# Keyword in context: a page's lines (up to concordance.PAGE_LINES), and an export's (up to MAX_LINES).
CONCORDANCES = [
    ("aachen", {}), ("cocoa", {}), ('"oil prices"', {"arrange": "right"}), ("said", {}),
    ('"reagan iran"~5', {}), ("said", {"most": concordance.MAX_LINES}),
]


def timed(call, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    conn = store.connect_readonly(args.db)
    index = SearchIndex.open(args.db)
    print(f"{args.db}: {conn.execute('SELECT count(*) FROM articles').fetchone()[0]:,} articles, {args.runs} runs")
    print("words that stand out (words.standing_out)")
    for q in WORD_QUERIES:
        first, median, found = timed(lambda: words.standing_out(conn, index, parse_query(q)), args.runs)
        shown = ", ".join(w["word"] for w in found.words[:6]) or found.note
        print(f"  {q:22} first {first:6.1f}  median {median:6.1f} ms   {found.sample} stories: {shown}")
    print("one day in every year (browse.on_this_day)")
    for month, day in ((3, 2), (6, 15), (12, 7)):
        first, median, found = timed(lambda: browse.on_this_day(conn, month, day), args.runs)
        print(f"  {month:02d}-{day:02d}  first {first:6.1f}  median {median:6.1f} ms   {found['total']:,} articles"
              f" in {len(found['years'])} years")
    print("comparisons (compare.compare)")
    for texts, options in COMPARISONS:
        first, median, found = timed(lambda: compare.compare(conn, texts, index=index, **options), args.runs)
        label = " | ".join(texts) + (f" {options}" if options else "")
        print(f"  {label[:70]:70} first {first:6.1f}  median {median:6.1f} ms   per {found.unit}, {len(found.points)} periods")
    print("keyword in context (concordance.concordance)")
    for q, options in CONCORDANCES:
        first, median, found = timed(lambda: concordance.concordance(conn, q, index=index, **options), args.runs)
        label = q + (f" {options}" if options else "")
        print(f"  {label[:40]:40} first {first:7.1f}  median {median:7.1f} ms   {len(found.lines):,} lines from"
              f" {found.read:,} of {found.matching:,} articles")


if __name__ == "__main__":
    main()
