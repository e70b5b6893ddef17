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
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = PAD_TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
        if not share and (peak * fraction) % 1:
            continue  # half of an odd count is no count of articles: the line stays, unlabelled
        tick = _format_value(peak * fraction, share)
        parts.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(tick)}</text>')
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
        parts.append(bar)
    for i in _label_positions(len(points)):
        x = PAD_LEFT + i * slot + slot / 2
        text = _axis_label(points[i]["period"], unit)
        anchor = "middle"
        if x + 3.5 * len(text) > WIDTH:  # centred, a label by the right edge would be cut off
            x, anchor = WIDTH - 2, "end"
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</svg>")
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
