"""Tables as the reader sees them: headers in the page's language, every cell as text
formatted as on screen (``+18%``, ``12 345,7``). The page's HTML table and the PDF report
print the same frame, so a report cannot show ``0.18`` where the screen shows ``+18%``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from credtrends.web.i18n import Translator

Formatter = Callable[[Any], str]


def cell_text(value: Any, tr: Translator) -> str:
    """A value as the screen shows it: "–" for missing, locale numbers, "oui"/"non"."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, float):
        return tr.number(value)
    if isinstance(value, int):
        return tr.integer(value)
    return str(value)


def display_frame(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    tr: Translator,
    formatters: Mapping[str, Formatter] | None = None,
) -> pl.DataFrame:
    """``columns`` maps frame column -> header, in display order; cells become text."""
    formatters = formatters or {}
    rows = frame.select(list(columns)).iter_rows(named=True)
    texts: dict[str, list[str]] = {header: [] for header in columns.values()}
    for row in rows:
        for name, header in columns.items():
            value = row[name]
            texts[header].append(
                formatters[name](value) if name in formatters else cell_text(value, tr)
            )
    return pl.DataFrame(texts, schema={header: pl.String for header in columns.values()})
