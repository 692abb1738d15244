"""Charts laid out for print: the same figure as on screen, with the margins, title, legend
and provenance footer an analyst can paste into a report unedited.

Plotly does not wrap annotation text, so a long footer line (the permalink, the licence) is
cut at the image's right edge. The footer is therefore wrapped here, by an estimate of each
line's width in pixels that errs wide: the per-character widths are DejaVu Sans's (the
widest of the fonts the export browser falls back to), plus a safety margin.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

PRINT_WIDTH_PX = 1200
PAD_PX = 40  # left and right edge of the title, legend and footer
FOOTER_FONT_PX = 10
FOOTER_LINE_PX = 16  # plotly draws 13 px lines for a 10 px font: slack for a wider fallback font
LEGEND_FONT_PX = 12
LEGEND_ROW_PX = 22
X_AXIS_BAND_PX = 64  # tick labels and the axis title under the plot
SAFETY = 1.08  # measured text may be 8% wider than estimated and still fit

# Character widths in em, DejaVu Sans (rounded up): narrow, wide and capital letters differ
# by a factor of three, so counting characters alone would cut a capitalised line.
_NARROW = set(" .,:;|!'`ijlI()[]/\\-ft")
_WIDE = set("mwMW%&=@#~<>+")
_EM_NARROW = 0.40
_EM_WIDE = 1.0
_EM_UPPER = 0.78
_EM_DEFAULT = 0.64


def text_width_px(text: str, font_px: float) -> float:
    """A generous estimate of ``text``'s width when drawn in a ``font_px`` sans-serif."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += _EM_NARROW
        elif char in _WIDE:
            total += _EM_WIDE
        elif char.isupper():
            total += _EM_UPPER
        else:
            total += _EM_DEFAULT
    return total * font_px * SAFETY


def _pieces(word: str, font_px: float, budget: float) -> list[str]:
    """A word wider than the line (a URL) split after '&', '?', '/' or ',', else anywhere."""
    if text_width_px(word, font_px) <= budget:
        return [word]
    parts = [part for part in re.split(r"(?<=[&?/,])", word) if part]
    pieces: list[str] = []
    current = ""
    for part in parts:
        while text_width_px(part, font_px) > budget:  # a part too long alone: hard split
            cut = max(1, int(len(part) * budget / text_width_px(part, font_px)))
            while cut > 1 and text_width_px(part[:cut], font_px) > budget:
                cut -= 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:cut])
            part = part[cut:]
        if text_width_px(current + part, font_px) <= budget:
            current += part
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece]


def wrap_text(text: str, width_px: float, font_px: float = FOOTER_FONT_PX) -> list[str]:
    """``text`` as lines that each fit ``width_px`` (by ``text_width_px``)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _pieces(word, font_px, width_px):
            candidate = f"{current} {piece}" if current else piece
            if text_width_px(candidate, font_px) <= width_px:
                current = candidate
            else:
                if current:
                    lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def wrap_lines(lines: Sequence[str], width_px: float, font_px: float = FOOTER_FONT_PX) -> list[str]:
    return [wrapped for line in lines for wrapped in wrap_text(line, width_px, font_px)]


def _legend_entries(figure: go.Figure) -> list[str]:
    """Names of the traces plotly would put in the legend."""
    shown = [
        str(trace.name or "")
        for trace in figure.data
        if trace.showlegend is not False and trace.type not in ("choroplethmap", "choropleth")
    ]
    if figure.layout.showlegend is False or (len(shown) <= 1 and figure.layout.showlegend is None):
        return []
    return shown


def _lines(text: str | None) -> int:
    """Lines of a plotly label ("a<br>b" is two); 0 for none."""
    return len(re.split(r"<br\s*/?>", text)) if text else 0


def _below_plot_px(figure: go.Figure, plot_px: int) -> int:
    """How far under the plot the chart's own notes reach (a map's key, a scale note)."""
    reach = 0.0
    for note in figure.layout.annotations:
        if note.yref != "paper" or note.y is None or note.y > 0:
            continue
        size = float(note.font.size or 12) * 1.35 * _lines(str(note.text or ""))
        under = {"top": size, "middle": size / 2}.get(str(note.yanchor), size / 2)
        reach = max(reach, -float(note.y) * plot_px - float(note.yshift or 0) + under)
    return math.ceil(reach)


def legend_rows(entries: Sequence[str], width_px: float) -> int:
    """Rows a horizontal legend needs. When its entries do not fit on one line, plotly
    aligns them in columns as wide as the widest entry (symbol and gap ~46 px)."""
    if not entries:
        return 0
    widths = [46 + text_width_px(name, LEGEND_FONT_PX) for name in entries]
    if sum(widths) <= width_px:
        return 1
    per_row = max(1, int(width_px // max(widths)))
    return math.ceil(len(entries) / per_row)


def print_figure(
    figure: dict[str, Any] | go.Figure,
    footer_lines: Sequence[str] = (),
    width: int = PRINT_WIDTH_PX,
) -> go.Figure:
    """The figure at ``width`` px: title at the left pad, the legend under the plot, and the
    footer (wrapped to the width) under the legend, all inside the image.

    The footer replaces the on-screen "Source:" line; the plot keeps its own height.
    """
    exported = go.Figure(figure)
    inner = width - 2 * PAD_PX
    footer = wrap_lines(footer_lines, inner)
    entries = _legend_entries(exported)
    rows = legend_rows(entries, inner)
    legend_px = rows * LEGEND_ROW_PX + (8 if rows else 0)
    footer_px = len(footer) * FOOTER_LINE_PX + (16 if footer else 0)
    box = _print_box(exported, legend_px + footer_px)
    sources = [
        a for a in exported.layout.annotations
        if not str(a.text or "").startswith(("Source", "source"))
    ]  # fmt: skip
    exported.layout.annotations = sources
    exported.update_layout(
        width=width,
        height=box.height,
        margin={"l": box.left, "r": box.right, "t": box.top, "b": box.bottom, "autoexpand": True},
        title={
            "x": PAD_PX / width,
            "xref": "container",
            "xanchor": "left",
            "y": 1 - 18 / box.height,
            "yref": "container",
            "yanchor": "top",
        },
        paper_bgcolor="white",
    )
    if entries:
        exported.update_layout(
            legend={
                "orientation": "h",
                "x": PAD_PX / width,
                "xref": "container",
                "xanchor": "left",
                "y": (footer_px + 12 + legend_px) / box.height,
                "yref": "container",
                "yanchor": "top",
                "font": {"size": LEGEND_FONT_PX},
            }
        )
    if footer:
        _add_footer(
            exported, footer, xshift=PAD_PX - box.left, yshift=-(box.axis_px + legend_px + 8)
        )
    return exported


@dataclass(frozen=True)
class _PrintBox:
    """Margins (px) of the printed figure, the band under the plot for its x axis, and the
    total height."""

    left: int
    right: int
    top: int
    bottom: int
    axis_px: int
    height: int


def _print_box(exported: go.Figure, below_axis_px: int) -> _PrintBox:
    """Margins that keep the figure's own plot height and fit, under the plot, its x axis
    (or what is drawn below the plot), then ``below_axis_px`` of legend and footer."""
    layout = exported.layout
    margin = layout.margin
    y_title_lines = _lines(layout.yaxis.title.text)
    left = max(
        int(margin.l if margin.l is not None else 80),
        PAD_PX + 40 + 20 * y_title_lines if y_title_lines else PAD_PX + 30,
    )
    right = max(int(margin.r if margin.r is not None else 80), PAD_PX)
    top = max(int(margin.t if margin.t is not None else 100), 90)
    plot_px = max(int(layout.height or 560) - top - int(margin.b or 80), 320)
    has_axis = bool(layout.xaxis.visible is not False and any(
        trace.type not in ("choroplethmap", "choropleth", "pie") for trace in exported.data
    ))  # fmt: skip
    axis_px = X_AXIS_BAND_PX + 20 * max(_lines(layout.xaxis.title.text) - 1, 0) if has_axis else 12
    axis_px = max(axis_px, _below_plot_px(exported, plot_px) + 8)
    bottom = axis_px + below_axis_px + 12
    return _PrintBox(left, right, top, bottom, axis_px, top + plot_px + bottom)


def _add_footer(exported: go.Figure, footer: Sequence[str], *, xshift: int, yshift: int) -> None:
    """The footer lines under the legend, from the image's left pad."""
    exported.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in footer),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xshift=xshift,
        yshift=yshift,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"size": FOOTER_FONT_PX, "color": "#444"},
    )


def clamp_scale(
    raw: str | None, default: float = 2.0, low: float = 1.0, high: float = 4.0
) -> float:
    """The PNG ``scale`` query value, bounded: a 4x 1200 px chart is already 4800 px wide."""
    try:
        value = float(raw) if raw is not None else default
    except ValueError:
        return default
    if not math.isfinite(value):
        return default
    return min(max(value, low), high)
