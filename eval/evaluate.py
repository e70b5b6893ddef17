"""Recompute every quality number in docs/quality.md from the gold files.

    python eval/evaluate.py                     # all three evaluations
    python eval/evaluate.py --speed             # and time the three modules
    python eval/evaluate.py --show-pairs        # the sampled pairs, to label them
    python eval/evaluate.py --show-quotes       # the sampled quote articles and what is found

The Reuters-21578 corpus (research use only: it is not stored in this
repository) is read from --reuters, by default /tmp/reuters; when that
folder is missing it is unpacked there from
../shared/corpora/reuters21578/seed-format.tar.gz.

Gold files, all written by reading the articles:
  eval/near_duplicate_pairs.csv  50 sampled detected pairs, verdict and reason
  eval/names_gold.json           people, organisations, places of 52 articles
  eval/names_sample_20261208.json 40 sampled article-name pairs, right or wrong
  eval/quotes_gold.json          quotations and speakers of 22 articles
  eval/quotes_random_gold.json   40 random quotations with a named speaker, right or wrong
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pathlib
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from news_archive import near_duplicates as nd  # noqa: E402
from news_archive.names import extract_names, find_mentions  # noqa: E402
from news_archive.parse import parse_article  # noqa: E402
from news_archive.quotes import extract_quotes  # noqa: E402

TARBALL = ROOT.parent / "shared" / "corpora" / "reuters21578" / "seed-format.tar.gz"
PAIR_SEED = 21578
PAIR_SAMPLE = 50
NAMES_SEED = 6
NAMES_SAMPLE = 50
NAMES_HELD_OUT_SEED = 60
QUOTES_SEED = 7
QUOTES_SAMPLE = 20
QUOTES_HELD_OUT_SEED = 8


def held_out(pool: list[pathlib.Path], seed: int, draw: int, exclude: set[str], keep: int) -> list[str]:
    """A second sample, drawn after the first was used to fix errors."""
    return sorted(f.name for f in random.Random(seed).sample(pool, draw) if f.name not in exclude)[:keep]


def corpus(folder: pathlib.Path) -> list[pathlib.Path]:
    if not folder.is_dir():
        folder.mkdir(parents=True)
        with tarfile.open(TARBALL) as archive:
            archive.extractall(folder, filter="data")
    files = sorted(folder.glob("reut-*.txt"))
    if len(files) != 20841:
        sys.exit(f"expected 20,841 Reuters files in {folder}, found {len(files)}")
    return files


def read_body(path: pathlib.Path) -> str:
    return parse_article(path.read_text(encoding="utf-8"), path.name).body


def non_brief(files: list[pathlib.Path]) -> list[pathlib.Path]:
    """Stories with a body, not one-line briefs (title only)."""
    return [f for f in files if "\n\n" in f.read_text(encoding="utf-8").strip()]


# --- near-duplicates --------------------------------------------------------


def detected_pairs(files: list[pathlib.Path]) -> tuple[list[tuple[str, str, float]], dict[str, int]]:
    bodies = [read_body(f) for f in files]
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    sketches: list[tuple[tuple[int, ...], list[int]]] = []
    for start in range(0, len(bodies), 256):
        sketches.extend(nd.sketch_many(bodies[start : start + 256]))
    signatures = [sig for sig, _ in sketches]
    pairs = nd.near_duplicate_pairs(signatures)
    stats = Counter()
    stats["articles"] = len(files)
    stats["with a signature"] = sum(1 for sig in signatures if sig)
    kept = []
    for i, j, score in pairs:
        if digests[i] == digests[j]:
            stats["byte-identical pairs (left to sha256)"] += 1
            continue
        if bodies[i] == bodies[j]:
            stats["same body, other date line"] += 1
        kept.append((files[i].name, files[j].name, score))
    stats["near-duplicate pairs"] = len(kept)
    linked = {name for i, j, _ in kept for name in (i, j)}
    stats["articles in a near-duplicate pair"] = len(linked)
    return kept, dict(stats)


def sample_pairs(pairs: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    return sorted(random.Random(PAIR_SEED).sample(pairs, PAIR_SAMPLE))


def evaluate_near_duplicates(files: list[pathlib.Path], show: bool) -> None:
    pairs, stats = detected_pairs(files)
    print("## Near-duplicates")
    for key, value in stats.items():
        print(f"  {key}: {value:,}")
    sample = sample_pairs(pairs)
    if show:
        for a, b, score in sample:
            print(f"{a},{b},{score:.3f}")
        return
    labels = {}
    with open(HERE / "near_duplicate_pairs.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels[(row["file_a"], row["file_b"])] = row
    missing = [(a, b) for a, b, _ in sample if (a, b) not in labels]
    if missing:
        sys.exit(f"the sample has pairs that are not labelled (the detector changed?): {missing[:3]}")
    verdicts = Counter(labels[(a, b)]["verdict"] for a, b, _ in sample)
    true = verdicts["true"]
    print(f"  sampled pairs: {len(sample)} (random.Random({PAIR_SEED}).sample of the sorted pairs)")
    print(f"  verdicts: {dict(verdicts)}")
    print(f"  precision: {true}/{len(sample)} = {true / len(sample):.2f}")
    by_band = Counter()
    for a, b, score in sample:
        band = "0.7-0.8" if score < 0.8 else "0.8-0.9" if score < 0.9 else "0.9-1.0"
        by_band[(band, labels[(a, b)]["verdict"])] += 1
    for band in ("0.7-0.8", "0.8-0.9", "0.9-1.0"):
        print(f"    similarity {band}: {by_band[(band, 'true')]} true, {by_band[(band, 'false')]} false")


# --- names ------------------------------------------------------------------

_LEGAL = {"inc", "corp", "co", "ltd", "plc", "llc", "lp", "nv", "sa", "ag", "corporation", "company", "limited"}


def normalise(name: str) -> str:
    name = re.sub(r"['’]s\b", "", name.lower())
    words = re.sub(r"[.,]", "", name).split()
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return " ".join(words)


def evaluate_names(files: list[pathlib.Path]) -> None:
    gold = json.loads((HERE / "names_gold.json").read_text(encoding="utf-8"))["articles"]
    pool = non_brief(files)
    first = sorted(f.name for f in random.Random(NAMES_SEED).sample(pool, NAMES_SAMPLE))
    second = held_out(pool, NAMES_HELD_OUT_SEED, 40, set(first), 25)
    for name, expected in (("first", first), ("held-out", second)):
        labelled = sorted(a["file"] for a in gold if a["set"] == name and a["file"].startswith("reut-"))
        if labelled != expected:
            sys.exit(f"eval/names_gold.json does not hold the sampled Reuters articles of set {name!r}")
    print("## Names")
    print(f"  set 'first': {len(first)} Reuters (random.Random({NAMES_SEED}).sample) and the 2 seed articles;"
          " measured, then used to fix errors")
    print(f"  set 'held-out': {len(second)} Reuters (random.Random({NAMES_HELD_OUT_SEED})), labelled after the fixes")
    for name in ("first", "held-out"):
        _score_names(files, [a for a in gold if a["set"] == name], name)
    _score_name_sample(files)


NAMES_MENTION_SEED = 20261208
NAMES_MENTION_SAMPLE = 40


def _score_name_sample(files: list[pathlib.Path]) -> None:
    """The 40 article-name pairs of eval/names_sample_20261208.json, drawn over every (file, name,
    kind) of the corpus with the code of its commit. Each drawn mention is scored by what the
    current code finds over the same words: right when every name found there is labelled right
    (the drawn label, or one in 'relabelled'), wrong when one is labelled wrong, unlabelled else."""
    sample = json.loads((HERE / "names_sample_20261208.json").read_text(encoding="utf-8"))
    drawn = sample["mentions"]
    if sample["seed"] != NAMES_MENTION_SEED or len(drawn) != NAMES_MENTION_SAMPLE:
        sys.exit("eval/names_sample_20261208.json is not the sample of random.Random(20261208)")
    labels = {(m["file"], m["name"], m["kind"]): m["right"] for m in drawn + sample["relabelled"]}
    by_name = {f.name: f for f in files}
    # Redrawn with the current code: the same draw only while the code finds what it found then.
    everything = []
    for f in files:
        everything.extend((f.name, n.name, n.kind) for n in extract_names(read_body(f)))
    redrawn = random.Random(NAMES_MENTION_SEED).sample(everything, NAMES_MENTION_SAMPLE)
    same_draw = redrawn == [(m["file"], m["name"], m["kind"]) for m in drawn]
    right = wrong = unlabelled = 0
    notes = []
    for m in drawn:
        now = [(x.name, x.kind) for x in find_mentions(read_body(by_name[m["file"]]))
               if x.start < m["end"] and x.end > m["start"]]
        verdicts = [labels.get((m["file"], name, kind)) for name, kind in now] or [False]
        if None in verdicts:
            unlabelled += 1
            notes.append(f"{m['file']}: unlabelled {now}")
        elif all(verdicts):
            right += 1
        else:
            wrong += 1
            notes.append(f"{m['file']}: wrong {now or 'nothing found'} (drawn: {m['name']!r}, {m['kind']})")
    print(f"  sample of article-name pairs (random.Random({NAMES_MENTION_SEED}), {len(drawn)} drawn with the code"
          f" of {sample['drawn_with']}; {'the same draw with this code' if same_draw else 'this code draws others'}):")
    print(f"    right {right}, wrong {wrong}, unlabelled {unlabelled}: precision {right / len(drawn):.2f}")
    for line in notes:
        print(f"      {line}")


def _score_names(files: list[pathlib.Path], gold: list[dict], label: str) -> None:
    by_name = {f.name: f for f in files}
    kinds = ("person", "organization", "place")
    tp = Counter()  # predictions that match a gold entity of the same kind
    fp = Counter()
    found = Counter()  # gold entities matched
    total = Counter()  # gold entities
    any_kind_tp = 0
    errors: list[str] = []
    for article in gold:
        path = ROOT / article["file"] if article["file"].startswith("data/") else by_name[article["file"]]
        predictions = extract_names(read_body(path))
        entities = {kind: [{normalise(a) for a in e.split("|")} for e in article[kind]] for kind in kinds}
        optional = {normalise(a) for e in article["optional"] for a in e.split("|")}
        for kind in kinds:
            total[kind] += len(entities[kind])
        matched: set[tuple[str, int]] = set()
        for name in predictions:
            key = normalise(name.name)
            hits = [(kind, index) for kind in kinds for index, e in enumerate(entities[kind]) if key in e]
            same_kind = [(k, i) for k, i in hits if k == name.kind]
            if same_kind:
                tp[name.kind] += 1
                any_kind_tp += 1
                matched.update(same_kind)
            elif hits:
                fp[name.kind] += 1
                any_kind_tp += 1
                errors.append(f"{article['file']}: {name.name!r} is a {hits[0][0]}, not a {name.kind}")
            elif key in optional:
                continue
            else:
                fp[name.kind] += 1
                errors.append(f"{article['file']}: {name.name!r} ({name.kind}) is not a name in the gold")
        for kind in kinds:
            for index, entity in enumerate(entities[kind]):
                if (kind, index) in matched:
                    found[kind] += 1
                else:
                    errors.append(f"{article['file']}: missed {kind} {sorted(entity)[0]!r}")
    print(f"  set {label!r}: {len(gold)} articles")
    print("    kind          gold  predicted  precision  recall")
    for kind in (*kinds, "all"):
        t = sum(tp.values()) if kind == "all" else tp[kind]
        f = sum(fp.values()) if kind == "all" else fp[kind]
        g = sum(total.values()) if kind == "all" else total[kind]
        m = sum(found.values()) if kind == "all" else found[kind]
        print(f"    {kind:12} {g:5} {t + f:10} {t / max(t + f, 1):10.2f} {m / max(g, 1):7.2f}")
    predicted = sum(tp.values()) + sum(fp.values())
    print(f"    ignoring the kind: precision {any_kind_tp / max(predicted, 1):.2f}")
    print("    errors:")
    for line in errors:
        print(f"      {line}")


# --- quotes -----------------------------------------------------------------


def quote_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if gold is None or predicted is None:
        return gold is predicted
    return normalise(predicted) in {normalise(alias) for alias in gold.split("|")}


def evaluate_quotes(files: list[pathlib.Path], show: bool) -> None:
    gold = json.loads((HERE / "quotes_gold.json").read_text(encoding="utf-8"))["articles"]
    by_name = {f.name: f for f in files}
    with_quotes = [f for f in files if '"' in read_body(f)]
    expected_sample = sorted(f.name for f in random.Random(QUOTES_SEED).sample(with_quotes, QUOTES_SAMPLE))
    if show:
        for name in expected_sample:
            print(f"### {name}")
            for quote in extract_quotes(read_body(by_name[name])):
                print(f"  [{quote.paragraph}] {quote.speaker!r}: {quote.text[:90]!r}")
        return
    second = held_out(with_quotes, QUOTES_HELD_OUT_SEED, 30, set(expected_sample), 20)
    for name, expected in (("first", expected_sample), ("held-out", second)):
        labelled = sorted(a["file"] for a in gold if a["set"] == name and a["file"].startswith("reut-"))
        if labelled != expected:
            sys.exit(f"eval/quotes_gold.json does not hold the sampled Reuters articles of set {name!r}")
    print("## Quotes")
    print(f"  Reuters articles containing a double quote: {len(with_quotes):,}; set 'first': random.Random("
          f"{QUOTES_SEED}), measured then used to fix errors; set 'held-out': random.Random({QUOTES_HELD_OUT_SEED}),"
          " labelled after the fixes")
    for group, articles in (
        ("seed articles", [a for a in gold if a["file"].startswith("data/")]),
        ("Reuters, set 'first'", [a for a in gold if a["file"].startswith("reut-") and a["set"] == "first"]),
        ("Reuters, set 'held-out'", [a for a in gold if a["set"] == "held-out"]),
    ):
        counts = Counter()
        errors: list[str] = []
        for article in articles:
            path = ROOT / article["file"] if article["file"].startswith("data/") else by_name[article["file"]]
            predicted = extract_quotes(read_body(path))
            used: set[int] = set()
            for expected in article["quotes"]:
                counts["gold"] += 1
                start = quote_key(expected["starts"])
                hit = next(
                    (
                        index
                        for index, quote in enumerate(predicted)
                        if index not in used
                        and quote.paragraph == expected["paragraph"]
                        and quote_key(quote.text).startswith(start)
                    ),
                    None,
                )
                if hit is None:
                    errors.append(f"{article['file']}: missed [{expected['paragraph']}] {expected['starts']!r}")
                    continue
                used.add(hit)
                counts["found"] += 1
                right = same_speaker(predicted[hit].speaker, expected["speaker"])
                if right:
                    counts["speaker right"] += 1
                else:
                    errors.append(
                        f"{article['file']}: [{expected['paragraph']}] {expected['starts']!r} speaker "
                        f"{predicted[hit].speaker!r}, should be {expected['speaker']!r}"
                    )
                if expected["speaker"] is not None:
                    counts["gold with a speaker"] += 1
                    if right:
                        counts["named speaker right"] += 1
            for index, quote in enumerate(predicted):
                optional = any(
                    quote.paragraph == o["paragraph"] and quote_key(quote.text).startswith(quote_key(o["starts"]))
                    for o in article.get("optional", [])
                )
                if optional and index not in used:
                    continue
                counts["predicted"] += 1
                if index not in used:
                    errors.append(f"{article['file']}: not a quotation [{quote.paragraph}] {quote.text[:60]!r}")
        found, gold_count, predicted_count = counts["found"], counts["gold"], counts["predicted"]
        print(f"  {group}: {len(articles)} articles, {gold_count} quotations")
        print(f"    found {found}/{gold_count} (recall {found / max(gold_count, 1):.2f}),"
              f" precision {found / max(predicted_count, 1):.2f} ({predicted_count} reported)")
        print(f"    speaker right (None included) for {counts['speaker right']}/{found} found"
              f" = {counts['speaker right'] / max(found, 1):.2f}")
        print(f"    named speaker right for {counts['named speaker right']}/{counts['gold with a speaker']}"
              " found quotations whose gold speaker is a name")
        for line in errors:
            print(f"    {line}")


# Random quotations: drawn from what the code of one commit found, so that the sample does not
# move when the code does. The pool is every quotation with a speaker over the sorted corpus.
_DRAW_RANDOM_QUOTES = """
import json, pathlib, random, sys
sys.path.insert(0, sys.argv[1])
from news_archive.parse import parse_article
from news_archive.quotes import extract_quotes
pool = []
for f in sorted(pathlib.Path(sys.argv[2]).glob("reut-*.txt")):
    body = parse_article(f.read_text(encoding="utf-8"), f.name).body
    pool += [(f.name, q.paragraph, q.text, q.speaker) for q in extract_quotes(body) if q.speaker is not None]
sample = random.Random(int(sys.argv[3])).sample(pool, int(sys.argv[4]))
print(json.dumps({"pool": len(pool), "sample": sample}))
"""


def redraw_random_quotes(gold: dict, reuters: pathlib.Path) -> list | None:
    """The sample as the code of gold["drawn_with_commit"] draws it (its own names module
    included), or None when that code cannot be had (no git)."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", gold["drawn_with_commit"], "src"],
                                     check=True, capture_output=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        out = subprocess.run([sys.executable, "-c", _DRAW_RANDOM_QUOTES, str(pathlib.Path(folder) / "src"),
                              str(reuters), str(gold["seed"]), str(gold["sample_size"])],
                             check=True, capture_output=True, text=True).stdout
    drawn = json.loads(out)
    if drawn["pool"] != gold["pool_size"]:
        sys.exit(f"the pool of quotations is {drawn['pool']}, not {gold['pool_size']} as labelled")
    return drawn["sample"]


def evaluate_random_quotes(files: list[pathlib.Path], reuters: pathlib.Path) -> None:
    gold = json.loads((HERE / "quotes_random_gold.json").read_text(encoding="utf-8"))
    items = gold["quotes"]
    drawn = redraw_random_quotes(gold, reuters)
    if drawn is None:
        print("  (git not available: the sample is taken as labelled, not redrawn)")
    elif [(f, p, " ".join(t.split()[:6]), s) for f, p, t, s in drawn] != [
        (i["file"], i["paragraph"], i["starts"], i["speaker_found"]) for i in items
    ]:
        sys.exit("eval/quotes_random_gold.json does not hold the drawn quotations")
    by_name = {f.name: f for f in files}
    counts = Counter()
    errors: list[str] = []
    cache: dict[str, list] = {}
    for item in items:
        if item["file"] not in cache:
            cache[item["file"]] = extract_quotes(read_body(by_name[item["file"]]))
        start = quote_key(item["starts"])
        quote = next((q for q in cache[item["file"]]
                      if q.paragraph == item["paragraph"] and quote_key(q.text).startswith(start)), None)
        counts["was right"] += item["right"]
        label = f"{item['file']}: [{item['paragraph']}] {item['starts']!r}"
        if item["speaker"] == "NOT A QUOTATION":
            right = quote is None
            if not right:
                errors.append(f"{label} is not a quotation (speaker {quote.speaker!r})")
        elif quote is None:
            right = False
            errors.append(f"{label} no longer found")
        else:
            right = same_speaker(quote.speaker, item["speaker"])
            if not right:
                errors.append(f"{label} speaker {quote.speaker!r}, should be {item['speaker']!r}")
        counts["right"] += right
        if quote is not None and quote.speaker is not None:
            counts["named"] += 1
            counts["named right"] += right
    print(f"  set 'random quotations': random.Random({gold['seed']}).sample of {len(items)} of the"
          f" {gold['pool_size']:,} quotations with a speaker (code of {gold['drawn_with_commit']})")
    print(f"    as drawn: named speaker right for {counts['was right']}/{len(items)}")
    print(f"    now: right for {counts['right']}/{len(items)} (no speaker, or not reported, where that is right);"
          f" {counts['named']} still named, {counts['named right']} of them right")
    for line in errors:
        print(f"    {line}")


# --- speed ------------------------------------------------------------------


def measure_speed(files: list[pathlib.Path]) -> None:
    bodies = [read_body(f) for f in files]
    kilobytes = sum(len(b.encode("utf-8")) for b in bodies) / 1000
    print("## Speed (CPU time of one process, best of 2-3 runs, this machine)")
    print(f"  {len(bodies):,} articles, {kilobytes / len(bodies):.2f} KB on average")

    def report(label: str, seconds: float) -> None:
        print(f"  {label:44} {seconds / len(bodies) * 1e6:7.1f} us/article {seconds / kilobytes * 1e6:7.1f} us/KB")

    best = min(_timed(lambda: [nd.sketch_many(bodies[i : i + 256]) for i in range(0, len(bodies), 256)]) for _ in range(3))
    report("near_duplicates.sketch_many, batches of 256", best)
    few = bodies[:2000]
    one_by_one = min(_timed(lambda: [nd.band_keys(nd.signature(b)) for b in few]) for _ in range(2))
    report("near_duplicates.signature + band_keys, one", one_by_one * len(bodies) / len(few))
    report("names.extract_names", min(_timed(lambda: [extract_names(b) for b in bodies]) for _ in range(2)))
    report("quotes.extract_quotes", min(_timed(lambda: [extract_quotes(b) for b in bodies]) for _ in range(2)))
    quoted = [b for b in bodies if '"' in b]
    seconds = min(_timed(lambda: [extract_quotes(b) for b in quoted]) for _ in range(2))
    print(f"  {'quotes.extract_quotes, articles with a quote':44} {seconds / len(quoted) * 1e6:7.1f} us/article")


def _timed(work) -> float:
    """CPU seconds of this process: on a shared machine, less disturbed by
    other processes than the wall clock."""
    started = time.process_time()
    work()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=pathlib.Path, default=pathlib.Path("/tmp/reuters"))
    parser.add_argument("--speed", action="store_true", help="also time the three modules")
    parser.add_argument("--show-pairs", action="store_true", help="print the sampled pairs and stop")
    parser.add_argument("--show-quotes", action="store_true", help="print the sampled quote articles and stop")
    parser.add_argument("--only", choices=("near-duplicates", "names", "quotes"))
    args = parser.parse_args()
    files = corpus(args.reuters)
    if args.show_pairs:
        evaluate_near_duplicates(files, show=True)
        return
    if args.show_quotes:
        evaluate_quotes(files, show=True)
        return
    if args.only in (None, "near-duplicates"):
        evaluate_near_duplicates(files, show=False)
    if args.only in (None, "names"):
        evaluate_names(files)
    if args.only in (None, "quotes"):
        evaluate_quotes(files, show=False)
        evaluate_random_quotes(files, args.reuters)
    if args.speed:
        measure_speed(files)


if __name__ == "__main__":
    main()
