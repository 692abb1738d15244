"""Plain, accessible HTML tables from polars frames (header row, caption, scope)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import polars as pl
from dash import html

from credtrends.transforms.freshness import SOURCE_CADENCE, with_freshness
from credtrends.web.data import DashboardData
from credtrends.web.i18n import Translator
from credtrends.web.table_text import display_frame
from credtrends.web.views import ViewTable

Formatter = Callable[[Any], str]


def _text(value: Any, tr: Translator) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return tr.number(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return tr.integer(value)
    return str(value)


def _cell(text: str, label: str | None) -> html.Td:
    """A cell; in a stacked table it starts with its column's name, which only a phone
    shows (the header row is out of sight there, the card needs its labels as text)."""
    if label is None:
        return html.Td(text)
    return html.Td([html.Span(label, className="cell-label"), text])


def frame_table(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    caption: str,
    formatters: Mapping[str, Formatter] | None = None,
    tr: Translator | None = None,
    stacks: bool = False,
) -> html.Table:
    """``columns`` maps frame column -> header text, in display order. With ``stacks``, a
    phone shows one card per row, each cell under its column's name."""
    formatters = formatters or {}
    tr = tr or Translator()
    header = html.Thead(html.Tr([html.Th(title, scope="col") for title in columns.values()]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    _cell(
                        formatters[name](row[name]) if name in formatters else _text(row[name], tr),
                        title if stacks else None,
                    )
                    for name, title in columns.items()
                ]
            )
            for row in frame.iter_rows(named=True)
        ]
    )
    return html.Table(
        [html.Caption(caption), header, body],
        className="data-table stacks" if stacks else "data-table",
    )


def sources_frame(data: DashboardData, tr: Translator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows, shown text) of each table's sources, real or SYNTHETIC, with row counts and
    last fetch."""
    now = datetime.now(UTC).replace(tzinfo=None)
    every = {
        source: tr("every_days", days=round(cadence.total_seconds() / 86400))
        for source, cadence in SOURCE_CADENCE.items()
    }
    sources = with_freshness(data.source_freshness(), now).with_columns(
        kind=pl.when(pl.col("is_synthetic"))
        .then(pl.lit(tr("kind_synthetic")))
        .otherwise(pl.lit(tr("kind_real"))),
        fetched=pl.col("last_fetched_at").map_elements(tr.timestamp, return_dtype=pl.String),
        expected_every=pl.col("source").replace_strict(every, default=pl.lit("–")),
        state=pl.when(pl.col("is_stale"))
        .then(pl.lit(tr("state_stale")))
        .otherwise(pl.lit(tr("state_ok"))),
    )
    columns = {"table": tr("col_data"), "source": tr("col_source"), "kind": tr("col_kind"),
               "rows": tr("col_rows"), "fetched": tr("col_fetched"),
               "expected_every": tr("col_expected"), "state": tr("col_freshness")}  # fmt: skip
    return sources, display_frame(sources, columns, tr)


def sources_table(data: DashboardData, caption: str, tr: Translator) -> html.Table:
    """Each table's sources, real or SYNTHETIC, with row counts and last fetch."""
    return shown_table(sources_frame(data, tr)[1], caption, stacks=True)


def shown_table(frame: pl.DataFrame, caption: str, stacks: bool = False) -> html.Table:
    """A table whose frame already holds the headers and cell texts (``display_frame``)."""
    return frame_table(frame, {name: name for name in frame.columns}, caption, stacks=stacks)


def view_table(table: ViewTable, downloads: Any = None) -> html.Table | html.P | html.Div:
    """A page's table as shown (with its download links, when given), or its note when it
    has no rows."""
    if table.frame.is_empty() and table.empty_note:
        return html.P(table.empty_note, className="note")
    # more than three columns do not fit a phone side by side: one card per row there
    shown = shown_table(table.frame, table.caption, stacks=table.frame.width > 3)
    return html.Div([shown, downloads]) if downloads is not None else shown
