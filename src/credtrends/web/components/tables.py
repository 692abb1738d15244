"""Plain, accessible HTML tables from polars frames (header row, caption, scope)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import polars as pl
from dash import html

from credtrends.transforms.freshness import with_freshness
from credtrends.web.data import DashboardData

Formatter = Callable[[Any], str]


def _text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def frame_table(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    caption: str,
    formatters: Mapping[str, Formatter] | None = None,
) -> html.Table:
    """``columns`` maps frame column -> header text, in display order."""
    formatters = formatters or {}
    header = html.Thead(html.Tr([html.Th(title, scope="col") for title in columns.values()]))
    body = html.Tbody(
        [
            html.Tr([html.Td(formatters.get(name, _text)(row[name])) for name in columns])
            for row in frame.iter_rows(named=True)
        ]
    )
    return html.Table([html.Caption(caption), header, body], className="data-table")


def percent(value: Any) -> str:
    if value is None:
        return "–"
    return "0%" if abs(value) < 0.005 else f"{value:+.0%}"  # never "-0%"


def sources_table(data: DashboardData, caption: str) -> html.Table:
    """Each table's sources, real or SYNTHETIC, with row counts and last fetch."""
    now = datetime.now(UTC).replace(tzinfo=None)
    sources = with_freshness(data.status().sources, now).with_columns(
        kind=pl.when(pl.col("is_synthetic")).then(pl.lit("SYNTHETIC")).otherwise(pl.lit("real")),
        fetched=pl.col("last_fetched_at").dt.strftime("%Y-%m-%d %H:%M UTC"),
        state=pl.when(pl.col("is_stale")).then(pl.lit("STALE")).otherwise(pl.lit("ok")),
    )
    columns = {"table": "Data", "source": "Source", "kind": "Kind", "rows": "Rows",
               "fetched": "Last fetched", "expected_every": "Expected every",
               "state": "Freshness"}  # fmt: skip
    return frame_table(sources, columns, caption)
