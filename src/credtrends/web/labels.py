"""Scatter labels that do not overlap: each label takes the first free side of its point.

plotly draws ``mode="markers+text"`` labels where it is told, never moving them apart, so
two topics with similar demand printed over each other. Labels are placed greedily, best
score first: above, below, right or left of the point, then its corners, whichever does
not cover another label or point and stays inside the plot; a label with no free side is
left to the hover and the table. Sizes are estimated from the font (plotly lays text out
in the browser).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

POSITIONS = (
    "top center", "bottom center", "middle right", "middle left",
    "top left", "top right", "bottom left", "bottom right",
)  # fmt: skip
CHAR_PX = 7.0  # mean glyph width of plotly's 12 px default font
LINE_PX = 16.0
MARKER_PX = 12.0
GAP_PX = 4.0

Box = tuple[float, float, float, float]  # left, bottom, right, top, in pixels


def _scale(values: Sequence[float], size: float, log: bool) -> list[float]:
    points = [math.log10(v) if log else v for v in values]
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    # plotly pads the axis range by about 5% on each side
    return [size * (0.05 + 0.9 * (p - low) / span) for p in points]


def _box(x: float, y: float, width: float, position: str) -> Box:
    half, offset = width / 2, MARKER_PX / 2 + GAP_PX
    if position == "top center":
        return (x - half, y + offset, x + half, y + offset + LINE_PX)
    if position == "bottom center":
        return (x - half, y - offset - LINE_PX, x + half, y - offset)
    if position == "middle right":
        return (x + offset, y - LINE_PX / 2, x + offset + width, y + LINE_PX / 2)
    if position == "middle left":
        return (x - offset - width, y - LINE_PX / 2, x - offset, y + LINE_PX / 2)
    # the corners: plotly draws the text past the marker's side, above or below it
    left = x - offset - width if position.endswith("left") else x + offset - MARKER_PX / 2
    right = left + width + MARKER_PX / 2
    if position.startswith("top"):
        return (left, y + offset / 2, right, y + offset / 2 + LINE_PX)
    return (left, y - offset / 2 - LINE_PX, right, y - offset / 2)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    x: Sequence[float],
    y: Sequence[float],
    texts: Sequence[str],
    width_px: float = 1000.0,
    height_px: float = 420.0,
    log_y: bool = False,
) -> tuple[list[str], list[Box | None]]:
    """(plotly ``textposition`` per point, the box each shown label takes). Points are
    taken in the given order (put the most important first); an empty text, or a label
    with no free side, gets no box and should be drawn as ""."""
    if not x:
        return [], []
    px = _scale(x, width_px, log=False)
    py = _scale(y, height_px, log=log_y)
    half = MARKER_PX / 2
    markers = [(a - half, b - half, a + half, b + half) for a, b in zip(px, py, strict=True)]
    placed: list[Box] = []
    positions: list[str] = []
    boxes: list[Box | None] = []
    for index, text in enumerate(texts):
        chosen: tuple[str, Box] | None = None
        if text:
            width = CHAR_PX * len(text)
            for position in POSITIONS:
                box = _box(px[index], py[index], width, position)
                inside = box[0] >= 0 and box[2] <= width_px and box[1] >= 0 and box[3] <= height_px
                others = (m for j, m in enumerate(markers) if j != index)
                if inside and not any(overlaps(box, o) for o in (*placed, *others)):
                    chosen = (position, box)
                    break
        if chosen is None:
            positions.append("top center")
            boxes.append(None)
        else:
            positions.append(chosen[0])
            boxes.append(chosen[1])
            placed.append(chosen[1])
    return positions, boxes
