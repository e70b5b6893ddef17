"""Time the newsroom-intelligence modules over the whole Reuters corpus.

    python eval/speed.py                          # best of 5 runs of each call
    python eval/speed.py --runs 9 --only names
    python eval/speed.py --against /tmp/old/src   # and another copy of the code, run for run
    python eval/speed.py --warm                   # memo caches kept between runs

Prints CPU microseconds per article (time.process_time, best of N runs, one
process) for each call, over all 20,841 Reuters-21578 articles, with the
load average of the machine. The machine is shared: other work makes every
number larger, by a quarter or more from one minute to the next, so two
versions of the code are best compared with --against, which loads the
other copy under another package name and times the two in turns (first
one, then the other, N times), so that both see the same load.

`names` keeps a bounded cache of the runs of capitalised words it has worked
out. By default every cache is emptied before each run, so each run is a
first pass over articles never seen before, with the cache filling as it
goes (as for the first twenty thousand articles of an ingest); --warm keeps
the caches, so that every run of words is already known (the best case, and
the limit of a long ingest for the runs that recur).

The corpus is read from --reuters (default /tmp/reuters; see
eval/evaluate.py for how it is unpacked).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
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
    """Empty the memo caches of ``modules``: lru_cache functions and the
    dictionaries a module lists in ``_CACHES``."""
    for module in modules:
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
        for cache in getattr(module, "_CACHES", ()):
            cache.clear()


def load(src: pathlib.Path, package: str):
    """The names, quotes and near_duplicates modules of the copy of
    news_archive under ``src``, imported as package ``package``."""
    folder = src.resolve() / "news_archive"
    spec = importlib.util.spec_from_file_location(package, folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    return tuple(importlib.import_module(f"{package}.{name}") for name in ("names", "quotes", "near_duplicates"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=pathlib.Path, default=pathlib.Path("/tmp/reuters"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=pathlib.Path, default=HERE.parent / "src", help="the code to time")
    parser.add_argument("--against", type=pathlib.Path, help="another copy of the code (its src folder) to time in turns")
    parser.add_argument("--only", choices=("names", "quotes", "near-duplicates"))
    parser.add_argument("--warm", action="store_true", help="keep the memo caches between runs (the best case)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    from news_archive import names, quotes  # noqa: PLC0415
    from news_archive import near_duplicates as nd  # noqa: PLC0415
    from news_archive.parse import parse_article  # noqa: PLC0415

    versions = [("this", (names, quotes, nd))]
    if args.against:
        versions.append(("against", load(args.against, "news_archive_against")))

    files = sorted(args.reuters.glob("reut-*.txt"))
    if len(files) != 20841:
        sys.exit(f"expected 20,841 Reuters files in {args.reuters}, found {len(files)} (see eval/evaluate.py)")
    bodies = [parse_article(f.read_text(encoding="utf-8"), f.name).body for f in files]
    count = len(bodies)
    kilobytes = sum(len(b.encode("utf-8")) for b in bodies) / 1000
    quoted = [b for b in bodies if '"' in b or "“" in b]
    mentions = [names.find_mentions(b) for b in bodies] if args.only in (None, "quotes") else []
    pairs = list(zip(bodies, mentions))
    quoted_pairs = [(b, m) for b, m in pairs if '"' in b or "“" in b]
    for label, (module, *_) in versions:
        print(f"{label}: {module.__file__.rsplit('/news_archive', 1)[0]}")
    print(f"{count:,} articles, {kilobytes / count:.2f} KB on average; {len(quoted):,} with a double quote")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; best of {args.runs} runs, CPU time,"
          f" {'caches kept between runs' if args.warm else 'caches emptied before each run'}")
    print(f"  {'':58} " + " ".join(f"{label:>10}" for label, _ in versions) + "  us/article")

    # Results are dropped as they come, as at ingest (where they are written
    # out): kept in one big list they would make the garbage collector walk
    # a growing heap, which costs as much as some of the calls timed.
    def each(function, items) -> None:
        for item in items:
            function(item)

    def each2(function, items) -> None:
        for a, b in items:
            function(a, b)

    def compare(label: str, work, per: int = count) -> None:
        """Time ``work(modules)`` for each version in turns; print the best."""
        if args.warm:
            for _, modules in versions:
                work(modules)  # fill the caches
        times: dict[str, list[float]] = {name: [] for name, _ in versions}
        for _ in range(args.runs):
            for name, modules in versions:
                if not args.warm:
                    clear_caches(*modules)
                times[name].append(_timed(lambda: work(modules)))
        print(f"  {label:58} " + " ".join(f"{min(times[name]) / per * 1e6:10.1f}" for name, _ in versions), flush=True)

    if args.only in (None, "names"):
        compare("names.find_mentions + count_names",
                lambda m: each(lambda b: m[0].count_names(m[0].find_mentions(b)), bodies))
    if args.only in (None, "quotes"):
        compare("quotes.extract_quotes(text, mentions), every article", lambda m: each2(m[1].extract_quotes, pairs))
        compare("quotes.extract_quotes(text, mentions), with a double quote",
                lambda m: each2(m[1].extract_quotes, quoted_pairs), len(quoted_pairs))
        compare("quotes.extract_quotes(text) (finds the mentions), every article",
                lambda m: each(m[1].extract_quotes, bodies))
    if args.only in (None, "near-duplicates"):
        batches = [bodies[i : i + 256] for i in range(0, count, 256)]
        compare("near_duplicates.sketch_many, batches of 256", lambda m: each(m[2].sketch_many, batches))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
