"""Horizontal bar charts as SVG, drawn on the server: no script, no chart library, no CDN.

One row per label (a desk, a reporter), one bar per series (grouped) or one bar of segments
(stacked).  Labels and series names are untrusted (desk and people's names): every piece of text is
escaped, and a label too long for its column is cut, the whole of it in the row's ``<title>``.
A value of None draws nothing and reads "no data"; negative values are refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

#: Okabe and Ito's colours, told apart by readers with colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

WIDTH = 720
LABEL_WIDTH = 190
LABEL_CHARS = 26
VALUE_GAP = 6
BAR_HEIGHT = 14
ROW_GAP = 10
TOP = 34
LEGEND_ROW = 18
AXIS_TICKS = 4
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    name: str
    color: str = ""


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[float | None, ...]


#: Characters XML 1.0 does not allow (control characters but tab and newlines, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` escaped for SVG text or attributes, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("\ufffd", value), quote=True)


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at least ``value`` (1 for nothing, or next to it)."""
    if value <= 1e-9:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10.0 * power


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _legend(names: Sequence[str], colors: Sequence[str]) -> list[tuple[int, float, str, str]]:
    """(line, x, name, colour) of each legend entry, wrapped to the chart's width."""
    entries, line, x = [], 0, float(LABEL_WIDTH)
    for name, color in zip(names, colors, strict=True):
        width = 24 + 7 * len(name)
        if x + width > WIDTH and x > LABEL_WIDTH:
            line, x = line + 1, float(LABEL_WIDTH)
        entries.append((line, x, name, color))
        x += width
    return entries


def bar_chart(
    *,
    title: str,
    series: Sequence[Series],
    rows: Sequence[Row],
    stacked: bool = False,
    fmt: Callable[[float], str] = lambda value: f"{value:g}",
    unit: str = "",
) -> str:
    """An SVG document fragment (``<svg>…</svg>``) charting ``rows``, each with one value per series."""
    if not series:
        raise ValueError("a chart needs at least one series")
    for row in rows:
        if len(row.values) != len(series):
            raise ValueError(f"row {row.label!r} has {len(row.values)} values for {len(series)} series")
        if any(value is not None and (value < 0 or math.isnan(value)) for value in row.values):
            raise ValueError(f"row {row.label!r} has a negative or undefined value")
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    bars_per_row = 1 if stacked else len(series)
    row_height = bars_per_row * BAR_HEIGHT + ROW_GAP
    legend = _legend([s.name for s in series], colors) if len(series) > 1 else []
    legend_height = LEGEND_ROW * (1 + max((line for line, _, _, _ in legend), default=0)) if legend else 0
    plot_top = TOP + legend_height
    height = plot_top + max(len(rows), 1) * row_height + 24
    totals = [
        sum(v or 0 for v in row.values) if stacked else max((v or 0 for v in row.values), default=0)
        for row in rows
    ]
    scale_max = _nice_ceiling(max(totals, default=0))
    plot_width = WIDTH - LABEL_WIDTH - 70
    x0 = LABEL_WIDTH

    def x_of(value: float) -> float:
        return x0 + plot_width * value / scale_max

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" {FONT}>',
        f"<title>{_text(title)}</title>",
        f'<text x="0" y="16" font-weight="bold" font-size="14">{_text(title)}</text>',
    ]
    for line, x, name, color in legend:
        y = TOP + line * LEGEND_ROW
        out.append(f'<rect x="{x:.1f}" y="{y - 10}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="{y}">{_text(name)}</text>')
    axis_bottom = plot_top + max(len(rows), 1) * row_height
    for tick in range(AXIS_TICKS + 1):
        tick_value = scale_max * tick / AXIS_TICKS
        x = x_of(tick_value)
        out.append(
            f'<line x1="{x:.1f}" y1="{plot_top - 4}" x2="{x:.1f}" y2="{axis_bottom}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        anchor = "start" if tick == 0 else "middle"
        out.append(
            f'<text x="{x:.1f}" y="{axis_bottom + 14}" text-anchor="{anchor}" fill-opacity="0.7">'
            f"{_text(f'{tick_value:.3g}')}{_text(unit) if tick == AXIS_TICKS and unit else ''}</text>"
        )
    if not rows:
        out.append(f'<text x="{x0}" y="{plot_top + 12}">No data for this period.</text>')
    for index, row in enumerate(rows):
        y = plot_top + index * row_height
        out.append(f'<g class="row"><title>{_text(row.label)}</title>')
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + bars_per_row * BAR_HEIGHT / 2 + 4:.1f}" '
            f'text-anchor="end">{_text(_short(row.label))}</text>'
        )
        position = 0.0
        for number, (value, name, color) in enumerate(
            zip(row.values, (s.name for s in series), colors, strict=True)
        ):
            bar_y = y if stacked else y + number * BAR_HEIGHT
            said = f"{row.label}, {name}: {'no data' if value is None else fmt(value) + unit}"
            if value is None:
                if not stacked:
                    out.append(
                        f'<text x="{x0 + 4}" y="{bar_y + BAR_HEIGHT - 3}" fill-opacity="0.6">'
                        f"<title>{_text(said)}</title>no data</text>"
                    )
                continue
            start = position if stacked else 0.0
            width = x_of(start + value) - x_of(start)
            out.append(
                f'<rect x="{x_of(start):.1f}" y="{bar_y}" width="{width:.1f}" height="{BAR_HEIGHT - 2}" '
                f'fill="{color}"><title>{_text(said)}</title></rect>'
            )
            if not stacked:
                out.append(
                    f'<text x="{x_of(value) + VALUE_GAP:.1f}" y="{bar_y + BAR_HEIGHT - 3}">'
                    f"{_text(fmt(value))}</text>"
                )
            position += value
        if stacked:
            out.append(
                f'<text x="{x_of(position) + VALUE_GAP:.1f}" y="{y + BAR_HEIGHT - 3}">'
                f"{_text(fmt(position))}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
