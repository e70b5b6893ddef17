"""Timeline charts drawn on the server as SVG, so they need no JavaScript."""

from __future__ import annotations

import math
from html import escape
from typing import Callable

from markupsafe import Markup

WIDTH, HEIGHT = 720, 160
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 44, 22, 10

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def period_label(period: str, unit: str) -> str:
    """A period key as people read it: 1987-03 -> Mar 1987, 1987-03-02 -> 2 Mar 1987."""
    try:
        if unit == "month" or len(period) == 7:
            return f"{_MONTHS[int(period[5:7]) - 1]} {period[:4]}"
        if unit in ("day", "week") and len(period) == 10:
            prefix = "week of " if unit == "week" else ""
            return f"{prefix}{int(period[8:10])} {_MONTHS[int(period[5:7]) - 1]} {period[:4]}"
    except (ValueError, IndexError):
        pass
    return period


def timeline_svg(
    points: list[dict],
    *,
    unit: str,
    share: bool = False,
    link: Callable[[str], str] | None = None,
    label: str = "Matches over time",
) -> Markup:
    """A bar chart of ``points`` ({"period", "count", "all"}), as counts or as
    the share of all articles in each period. Each bar links to ``link(period)``."""
    if not points:
        return Markup("")
    values = [(p["count"] / p["all"] if p.get("all") else 0.0) if share else p["count"] for p in points]
    peak = max(values) or 1
    if not share:
        peak = _axis_top(peak)
    plot_w, plot_h = WIDTH - PAD_LEFT - 4, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / len(points)
    bar_w = max(1.0, slot * 0.8)
    # A group, not an image: an image's children are hidden from screen readers, and the
    # bars (links, each named with its period and number) are the chart's text.
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" aria-label="{escape(label)}"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
        f"<title>{escape(label)}</title>",
        # The axis numbers and dates only repeat, out of context, what each bar's name says.
        '<g aria-hidden="true">',
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
        if not share and (peak * fraction) % 1:
            continue  # half of an odd count is no count of articles: the line stays, unlabelled
        tick = _format_value(peak * fraction, share)
        parts.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(tick)}</text>')
    parts.append("</g>")
    for i, (point, value) in enumerate(zip(points, values)):
        height = plot_h * value / peak
        if value > 0:
            height = max(height, 2.0)  # one article among thousands is still a bar to see
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - height
        name = period_label(point["period"], unit)
        detail = f"{name}: {point['count']:,} of {point.get('all', 0):,} articles" if share else f"{name}: {point['count']:,}"
        if share and point.get("all"):
            detail += f" ({value:.1%})"
        archive_empty = point.get("all") == 0  # not "no mentions": the archive holds nothing of then
        if archive_empty:
            detail = f"{name}: no articles in the archive"
        shape = (f'<rect class="no-articles" x="{x:.1f}" y="{PAD_TOP + plot_h - 3:.1f}" width="{bar_w:.1f}" height="3"/>'
                 if archive_empty else
                 f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(height, 0.0):.1f}"/>')
        bar = (
            shape +
            # An invisible full-height target makes thin bars easy to hover and click; it holds
            # the one tooltip (a second on the bar was read out twice by screen readers).
            f'<rect class="hit" x="{PAD_LEFT + i * slot:.1f}" y="{PAD_TOP}" width="{slot:.1f}" height="{plot_h}">'
            f"<title>{escape(detail)}</title></rect>"
        )
        if link and point["count"]:
            bar = f'<a href="{escape(link(point["period"]))}" aria-label="{escape(detail)}">{bar}</a>'
        else:  # not a link, but its number is read out all the same
            bar = f'<g role="img" aria-label="{escape(detail)}">{bar}</g>'
        parts.append(bar)
    parts.append('<g aria-hidden="true">')
    for i in _label_positions(len(points)):
        x = PAD_LEFT + i * slot + slot / 2
        text = _axis_label(points[i]["period"], unit)
        anchor = "middle"
        if x + 3.5 * len(text) > WIDTH:  # centred, a label by the right edge would be cut off
            x, anchor = WIDTH - 2, "end"
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</g></svg>")
    return Markup("".join(parts))


_NICE = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10)


def _axis_top(peak: float) -> float:
    """The top of a count axis: the least round number at or above ``peak`` whose half
    is a whole count too, so that all three lines are labelled (201 -> 250, 7 -> 8)."""
    if peak <= 1:
        return peak
    scale = 10 ** math.floor(math.log10(peak))
    for nice in _NICE:
        top = round(nice * scale, 6)
        if top >= peak and top == int(top) and int(top) % 2 == 0:
            return top
    return peak + peak % 2


def _format_value(value: float, share: bool) -> str:
    if share:
        return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"
    return f"{value:,.0f}"


def _label_positions(n: int, most: int = 8) -> list[int]:
    if n <= most:
        return list(range(n))
    step = -(-n // most)
    return list(range(0, n, step))


def _axis_label(period: str, unit: str) -> str:
    if unit == "year":
        return period
    if unit == "month":
        return f"{_MONTHS[int(period[5:7]) - 1]} {period[2:4]}" if len(period) == 7 else period
    return f"{int(period[8:10])} {_MONTHS[int(period[5:7]) - 1]}" if len(period) == 10 else period


# Series of a comparison: told apart by line pattern and marker as well as colour, so that
# the chart reads in grey print and for colour-blind readers. The colours keep at least 3:1
# against the page (WCAG's figure for graphics).
SERIES_STYLES = (
    ("#14467a", "", "circle"),
    ("#b3471d", "6 3", "square"),
    ("#2f7d32", "2 3", "diamond"),
    ("#6b3fa0", "8 3 2 3", "triangle"),
    ("#8a6d00", "1 2", "circle"),
    ("#5a5a5a", "10 4", "square"),
)


def series_marker(index: int, x: float, y: float, size: float = 3.2) -> str:
    """The marker shape of series ``index`` centred on (x, y), as SVG."""
    shape = SERIES_STYLES[index % len(SERIES_STYLES)][2]
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - size * 1.3:.1f}L{x + size * 1.3:.1f} {y:.1f}L{x:.1f} {y + size * 1.3:.1f}L{x - size * 1.3:.1f} {y:.1f}Z"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - size * 1.3:.1f}L{x + size * 1.3:.1f} {y + size:.1f}L{x - size * 1.3:.1f} {y + size:.1f}Z"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}"/>'


def legend_swatch(index: int) -> Markup:
    """A short sample of series ``index``'s line and marker, for the legend beside the chart."""
    colour, dash, _ = SERIES_STYLES[index % len(SERIES_STYLES)]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return Markup(
        f'<svg class="swatch" viewBox="0 0 36 12" width="36" height="12" aria-hidden="true" focusable="false">'
        f'<line x1="1" x2="35" y1="6" y2="6" stroke="{colour}" stroke-width="2.5"{dashes}/>'
        f'<g fill="{colour}">{series_marker(index, 18, 6, 3.0)}</g></svg>'
    )


def comparison_svg(points: list[dict], labels: list[str], *, unit: str, share: bool = False,
                   label: str = "Comparison over time") -> Markup:
    """A line per series of ``points`` ({"period", "all", "counts": [...]}), as counts or as the
    share of all articles in each period. Every point has a tooltip with its figures; the page
    gives the same numbers as a table."""
    if not points or not labels:
        return Markup("")

    def value(point: dict, i: int) -> float:
        if share:
            return point["counts"][i] / point["all"] if point["all"] else 0.0
        return float(point["counts"][i])

    peak = max((value(p, i) for p in points for i in range(len(labels))), default=0) or 1
    if not share:
        peak = _axis_top(peak)
    plot_w, plot_h = WIDTH - PAD_LEFT - 4, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / len(points)
    parts = [
        f'<svg class="timeline comparison" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
        if not share and (peak * fraction) % 1:
            continue
        tick = _format_value(peak * fraction, share)
        parts.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(tick)}</text>')
    for i, point in enumerate(points):
        if point["all"] == 0:  # the archive holds nothing of then: not "no matches"
            x = PAD_LEFT + i * slot
            parts.append(f'<rect class="no-articles" x="{x + slot * 0.1:.1f}" y="{PAD_TOP + plot_h - 3:.1f}"'
                         f' width="{max(1.0, slot * 0.8):.1f}" height="3"/>')
    markers = len(points) <= 60  # beyond that the marks cover the lines
    for s, name in enumerate(labels):
        colour, dash, _ = SERIES_STYLES[s % len(SERIES_STYLES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series" stroke="{colour}" fill="{colour}">')
        # The line breaks where the archive holds nothing: no articles is not no matches.
        for run in _runs_with_articles(points):
            xy = [(PAD_LEFT + i * slot + slot / 2, PAD_TOP + plot_h * (1 - value(points[i], s) / peak)) for i in run]
            if len(xy) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
                parts.append(f'<polyline points="{path}" fill="none" stroke-width="2" stroke-linejoin="round"{dashes}/>')
            if markers or len(xy) == 1:
                parts.extend(series_marker(s, x, y) for x, y in xy)
        parts.append("</g>")
    # One invisible target per period holds the tooltip with every series' figure in it.
    for i, point in enumerate(points):
        period = period_label(point["period"], unit)
        if point["all"] == 0:
            detail = f"{period}: no articles in the archive"
        else:
            figures = []
            for s, name in enumerate(labels):
                count = point["counts"][s]
                figures.append(f"{name} {count:,}" + (f" ({count / point['all']:.1%})" if share else ""))
            detail = f"{period}: " + "; ".join(figures) + f" — of {point['all']:,} articles"
        parts.append(f'<rect class="hit" x="{PAD_LEFT + i * slot:.1f}" y="{PAD_TOP}" width="{slot:.1f}" height="{plot_h}">'
                     f"<title>{escape(detail)}</title></rect>")
    for i in _label_positions(len(points)):
        x = PAD_LEFT + i * slot + slot / 2
        text = _axis_label(points[i]["period"], unit)
        anchor = "middle"
        if x + 3.5 * len(text) > WIDTH:
            x, anchor = WIDTH - 2, "end"
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs_with_articles(points: list[dict]) -> list[list[int]]:
    """The positions of ``points``, in runs of consecutive periods that hold articles."""
    runs: list[list[int]] = []
    for i, point in enumerate(points):
        if point["all"] == 0:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
