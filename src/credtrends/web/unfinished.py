"""Words for periods that were not over when their data was fetched (``is_unfinished``)."""

from __future__ import annotations

from datetime import date

import polars as pl
from babel.dates import format_date

from credtrends.web.i18n import BABEL_LOCALE, Translator


def period_name(start: date, granularity: str, tr: Translator) -> str:
    """ "December 2026", "Q4 2026" / "décembre 2026", "T4 2026" (Babel)."""
    pattern = "QQQ y" if granularity == "quarter" else "MMMM y"
    return str(format_date(start, pattern, locale=BABEL_LOCALE[tr.lang]))


def unfinished_periods(displayed: pl.DataFrame, tr: Translator) -> list[str]:
    """Each unfinished period of the view once, named ("December 2026", "Q4 2026");
    ``displayed`` has ``period_start``, ``granularity`` and ``is_unfinished``."""
    if "is_unfinished" not in displayed.columns:
        return []
    rows = displayed.filter(pl.col("is_unfinished").fill_null(False))
    if rows.is_empty():
        return []
    named = rows.select("period_start", "granularity").unique().sort("period_start")
    return list(
        dict.fromkeys(
            period_name(start, granularity, tr) for start, granularity in named.iter_rows()
        )
    )


def unfinished_note(periods: list[str], tr: Translator) -> list[str]:
    """The chart's note about its unfinished periods; none when every period is final."""
    return [tr("unfinished_note", periods=", ".join(periods))] if periods else []
