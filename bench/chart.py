#!/usr/bin/env python3
"""Draw ingest time and search latency against corpus size as one SVG.

Reads the result files bench/run.py writes (by default bench/results/*.json,
sizes 21k, 208k and 1M only, not `--no-analysis` runs), takes the newest result of each size, and writes
docs/benchmarks-chart.svg.
Hand-written SVG: no plotting library.

    python bench/chart.py
    python bench/chart.py bench/results/21k-*.json bench/results/208k-*.json -o /tmp/chart.svg
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
OUTPUT = REPO / "docs" / "benchmarks-chart.svg"
STANDARD_SIZES = ("21k", "208k", "1M")

PANEL_W, PANEL_H = 440, 300
MARGIN = {"left": 64, "right": 16, "top": 56, "bottom": 112}
GAP = 40
FONT = "font-family='system-ui, -apple-system, Segoe UI, sans-serif'"

OURS, FLOOR, REINGEST, PEER, LIMIT = "#1a5fb4", "#77767b", "#c64600", "#813d9c", "#c01c28"


def load(paths: list[Path], everything: bool = True) -> list[dict]:
    """The newest complete-enough result per size, smallest corpus first.

    Without ``everything``, runs that left work out (``--no-analysis``) are
    passed over: the chart is of the ingest a user gets."""
    newest: dict[str, dict] = {}
    for path in paths:
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            print(f"skipping {path}: {error}", file=sys.stderr)
            continue
        if not result.get("files"):
            continue
        if not everything and result.get("settings", {}).get("no_analysis"):
            continue
        size = result["size"]
        if size not in newest or result["timestamp"] > newest[size]["timestamp"]:
            newest[size] = result
    return sorted(newest.values(), key=lambda r: r["files"])


def get(result: dict, *keys):
    value = result
    for key in keys:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def nice_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks on a log axis between low and high."""
    ticks = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if low <= value <= high:
                ticks.append(value)
    return ticks


def label_number(value: float, unit: str = "") -> str:
    if value >= 10:
        text = f"{value:,.0f}"
    elif value >= 1:
        text = f"{value:.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.2g}"
    return text + unit


class LogPanel:
    """One chart: log x (articles) and log y, drawn at (x0, y0)."""

    def __init__(self, x0: float, y0: float, title: str, subtitle: str, y_unit: str,
                 xs: list[float], ys: list[float]) -> None:
        self.x0, self.y0 = x0, y0
        self.title, self.subtitle, self.y_unit = title, subtitle, y_unit
        self.x_low, self.x_high = self._range(xs, pad=1.6)
        self.y_low, self.y_high = self._range(ys, pad=1.8)
        self.parts: list[str] = []
        self.legend: list[tuple[str, str, str]] = []

    @staticmethod
    def _range(values: list[float], pad: float) -> tuple[float, float]:
        values = [v for v in values if v and v > 0]
        if not values:
            return 1.0, 10.0
        return min(values) / pad, max(values) * pad

    def px(self, x: float) -> float:
        share = (math.log10(x) - math.log10(self.x_low)) / (math.log10(self.x_high) - math.log10(self.x_low))
        return self.x0 + MARGIN["left"] + share * (PANEL_W - MARGIN["left"] - MARGIN["right"])

    def py(self, y: float) -> float:
        share = (math.log10(y) - math.log10(self.y_low)) / (math.log10(self.y_high) - math.log10(self.y_low))
        return self.y0 + PANEL_H - MARGIN["bottom"] - share * (PANEL_H - MARGIN["top"] - MARGIN["bottom"])

    def frame(self, x_ticks: list[tuple[float, str]]) -> None:
        left, right = self.x0 + MARGIN["left"], self.x0 + PANEL_W - MARGIN["right"]
        top, bottom = self.y0 + MARGIN["top"], self.y0 + PANEL_H - MARGIN["bottom"]
        p = self.parts
        p.append(f"<text x='{self.x0 + MARGIN['left']}' y='{self.y0 + 20}' font-size='15' font-weight='600'>"
                 f"{escape(self.title)}</text>")
        p.append(f"<text x='{self.x0 + MARGIN['left']}' y='{self.y0 + 38}' font-size='11' fill='#555'>"
                 f"{escape(self.subtitle)}</text>")
        for value in nice_ticks(self.y_low, self.y_high):
            y = self.py(value)
            p.append(f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e3e3'/>")
            p.append(f"<text x='{left - 6}' y='{y + 4:.1f}' font-size='11' text-anchor='end' fill='#444'>"
                     f"{label_number(value, ' ' + self.y_unit)}</text>")
        for value, text in x_ticks:
            x = self.px(value)
            p.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top}' y2='{bottom}' stroke='#e3e3e3'/>")
            p.append(f"<text x='{x:.1f}' y='{bottom + 16}' font-size='11' text-anchor='middle' fill='#444'>"
                     f"{escape(text)}</text>")
        p.append(f"<rect x='{left}' y='{top}' width='{right - left}' height='{bottom - top}' fill='none' stroke='#999'/>")
        p.append(f"<text x='{(left + right) / 2:.1f}' y='{bottom + 32}' font-size='11' text-anchor='middle' fill='#444'>"
                 "article files (log scale)</text>")

    def series(self, name: str, colour: str, points: list[tuple[float, float | None]], dash: str = "",
               labels: bool = True, marker: bool = True, below: bool = False) -> None:
        points = [(x, y) for x, y in points if y is not None and y > 0]
        if not points:
            return
        dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
        if len(points) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{self.px(x):.1f},{self.py(y):.1f}" for i, (x, y) in enumerate(points))
            self.parts.append(f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='2'{dash_attr}/>")
        for x, y in points:
            if marker:
                self.parts.append(f"<circle cx='{self.px(x):.1f}' cy='{self.py(y):.1f}' r='3.5' fill='{colour}'>"
                                  f"<title>{escape(name)}: {y:.3g} {self.y_unit}</title></circle>")
            if labels:
                dy = 14 if below else -6
                self.parts.append(f"<text x='{self.px(x) + 6:.1f}' y='{self.py(y) + dy:.1f}' font-size='10' fill='{colour}'>"
                                  f"{label_number(y)}</text>")
        self.legend.append((name, colour, dash))

    def level(self, name: str, value: float, colour: str) -> None:
        """A horizontal limit line across the panel."""
        if not (self.y_low <= value <= self.y_high):
            return
        y = self.py(value)
        left, right = self.x0 + MARGIN["left"], self.x0 + PANEL_W - MARGIN["right"]
        self.parts.append(f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' stroke='{colour}'"
                          " stroke-width='1' stroke-dasharray='2 3'/>")
        self.parts.append(f"<text x='{left + 4}' y='{y - 3:.1f}' font-size='10' fill='{colour}'>{escape(name)}</text>")

    def render(self) -> str:
        top = self.y0 + PANEL_H - MARGIN["bottom"] + 48
        for i, (name, colour, dash) in enumerate(self.legend):
            x = self.x0 + MARGIN["left"] + (i % 2) * 180
            y = top + (i // 2) * 18
            dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
            self.parts.append(f"<line x1='{x}' x2='{x + 22}' y1='{y}' y2='{y}' stroke='{colour}' stroke-width='2'{dash_attr}/>")
            self.parts.append(f"<text x='{x + 28}' y='{y + 4}' font-size='11'>{escape(name)}</text>")
        return "\n".join(self.parts)


def chart(results: list[dict]) -> str:
    xs = [r["files"] for r in results]
    x_ticks = [(r["files"], f"{r['size']} ({r['files']:,})") for r in results]

    ingest = [(r["files"], get(r, "ingest", "wall_s")) for r in results]
    floor = [(r["files"], get(r, "floor_ingest", "wall_s")) for r in results]
    reingest = [(r["files"], get(r, "reingest", "wall_s")) for r in results]
    peer = [(r["files"], get(r, "peer", "tantivy", "index_s")) for r in results]
    left = LogPanel(0, 0, "Ingest time", "news-archive ingest vs the floor, wall seconds (log scale)", "s",
                    xs, [y for _, y in ingest + floor + reingest + peer if y])
    left.frame(x_ticks)
    left.series("full ingest", OURS, ingest)
    left.series("floor ingest (= target)", FLOOR, floor, dash="6 4", below=True)
    left.series("re-ingest, unchanged", REINGEST, reingest, below=True)
    left.series("tantivy index (peer)", PEER, peer, dash="2 3", labels=False)

    p50 = [(r["files"], get(r, "search", "all", "p50_ms")) for r in results]
    p95 = [(r["files"], get(r, "search", "all", "p95_ms")) for r in results]
    floor50 = [(r["files"], get(r, "floor_search", "all", "p50_ms")) for r in results]
    floor95 = [(r["files"], get(r, "floor_search", "all", "p95_ms")) for r in results]
    peer50 = [(r["files"], get(r, "peer", "tantivy", "search_p50_ms")) for r in results]
    ys = [y for _, y in p50 + p95 + floor50 + floor95 + peer50 if y] + [10, 30]
    right = LogPanel(PANEL_W + GAP, 0, "Search latency", "/search.json over HTTP vs the floor in-process, ms (log scale)",
                     "ms", xs, ys)
    right.frame(x_ticks)
    right.level("p95 target 30 ms", 30, LIMIT)
    right.level("p50 target 10 ms", 10, LIMIT)
    right.series("p50 over HTTP", OURS, p50, below=True)
    right.series("p95 over HTTP", OURS, p95, dash="6 4")
    right.series("floor p50, in-process", FLOOR, floor50, below=True)
    right.series("floor p95, in-process", FLOOR, floor95, dash="6 4", labels=False)
    right.series("tantivy p50 (peer)", PEER, peer50, dash="2 3", labels=False)

    width, height = 2 * PANEL_W + GAP, PANEL_H + 24
    machine = results[-1].get("machine", {})
    commits = sorted({r["git"]["commit"][:10] + ("+dirty" if r["git"].get("src_dirty") else "") for r in results})
    footer = (f"{machine.get('cores')} cores, {machine.get('mem_gib')} GiB RAM, Python {machine.get('python')}, "
              f"SQLite {machine.get('sqlite')}; commit {', '.join(commits)}; runs "
              + ", ".join(f"{r['size']} {r['timestamp']}" for r in results))
    return "\n".join([
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'"
        f" {FONT}>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        left.render(),
        right.render(),
        f"<text x='8' y='{height - 8}' font-size='10' fill='#666'>{escape(footer)}</text>",
        "</svg>",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", type=Path, help="result JSON files (default: bench/results/*.json)")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help=f"SVG to write (default: {OUTPUT})")
    args = parser.parse_args(argv)
    paths = args.results or sorted(RESULTS_DIR.glob("*.json"))
    # Files named on the command line are charted as they are; by default runs without the
    # analysis and quick runs of other sizes (3x, ...) stay out of the docs' chart.
    results = load(paths, everything=bool(args.results))
    if not args.results:
        results = [r for r in results if r["size"] in STANDARD_SIZES]
    if not results:
        print(f"no results to chart (looked at {len(paths)} files): run bench/run.py first", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(chart(results))
    print(f"wrote {args.output} ({', '.join(r['size'] for r in results)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
