"""Time the newsroom-intelligence modules over the whole Reuters corpus.

    python eval/speed.py                  # best of 5 runs of each call
    python eval/speed.py --runs 9
    python eval/speed.py --src /tmp/old/src   # time another copy of the code

Prints CPU microseconds per article (time.process_time, best of N runs, one
process) for each call, over all 20,841 Reuters-21578 articles, with the
load average of the machine, which is shared: a busy machine makes every
number larger. The corpus is read from --reuters (default /tmp/reuters; see
eval/evaluate.py for how it is unpacked).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def _timed(work) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def clear_caches(*modules) -> None:
    """Empty the memo caches of ``modules``, so that every run is timed as
    a first pass over articles never seen before (as at ingest), not a
    second pass that finds every run of words already worked out."""
    for module in modules:
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
        for cache in getattr(module, "_CACHES", ()):
            cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=pathlib.Path, default=pathlib.Path("/tmp/reuters"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=pathlib.Path, default=HERE.parent / "src", help="the code to time")
    parser.add_argument("--only", choices=("names", "quotes", "near-duplicates"))
    parser.add_argument("--warm", action="store_true", help="keep the memo caches between runs (optimistic)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    from news_archive import names, quotes  # noqa: PLC0415
    from news_archive import near_duplicates as nd  # noqa: PLC0415
    from news_archive.parse import parse_article  # noqa: PLC0415

    files = sorted(args.reuters.glob("reut-*.txt"))
    if len(files) != 20841:
        sys.exit(f"expected 20,841 Reuters files in {args.reuters}, found {len(files)} (see eval/evaluate.py)")
    bodies = [parse_article(f.read_text(encoding="utf-8"), f.name).body for f in files]
    count = len(bodies)
    kilobytes = sum(len(b.encode("utf-8")) for b in bodies) / 1000
    quoted = [b for b in bodies if '"' in b or "“" in b]
    print(f"code: {names.__file__.rsplit('/news_archive/', 1)[0]}")
    print(f"{count:,} articles, {kilobytes / count:.2f} KB on average; {len(quoted):,} with a double quote")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; best of {args.runs} runs, CPU time,"
          f" {'caches kept between runs' if args.warm else 'caches emptied before each run'}")

    # Results are dropped as they come, as at ingest (where they are written
    # out): kept in one big list they would make the garbage collector walk
    # a growing heap, which costs as much as some of the calls timed.
    def each(function, items=bodies) -> None:
        for item in items:
            function(item)

    def each2(function, pairs) -> None:
        for a, b in pairs:
            function(a, b)

    def best(work) -> float:
        times = []
        for _ in range(args.runs):
            if not args.warm:
                clear_caches(names, quotes, nd)
            times.append(_timed(work))
        return min(times)

    def report(label: str, seconds: float, per: int = count) -> None:
        print(f"  {label:58} {seconds / per * 1e6:8.1f} us/article", flush=True)

    if args.only in (None, "names"):
        report("names.find_mentions + count_names", best(lambda: each(lambda b: names.count_names(names.find_mentions(b)))))
        report("names.find_mentions", best(lambda: each(names.find_mentions)))
    if args.only in (None, "quotes"):
        mentions = [names.find_mentions(b) for b in bodies]
        pairs = list(zip(bodies, mentions))
        report("quotes.extract_quotes(text, mentions), every article", best(lambda: each2(quotes.extract_quotes, pairs)))
        report("quotes.extract_quotes(text), every article", best(lambda: each(quotes.extract_quotes)))
        quoted_pairs = [(b, m) for b, m in pairs if '"' in b or "“" in b]
        report("quotes.extract_quotes(text, mentions), with a double quote",
               best(lambda: each2(quotes.extract_quotes, quoted_pairs)), len(quoted_pairs))
        report("quotes.extract_quotes(text), with a double quote",
               best(lambda: each(quotes.extract_quotes, quoted)), len(quoted))
    if args.only in (None, "near-duplicates"):
        report("near_duplicates.sketch_many, batches of 256",
               best(lambda: each(nd.sketch_many, [bodies[i : i + 256] for i in range(0, count, 256)])))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
