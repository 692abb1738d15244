"""One growth figure per topic everywhere, and the words that say what it compares.

Every page that shows a topic's change on a year ago reads it from ``region_momentum``
(``transforms.scores.topic_momentum`` over all topics of a region, memoised once per
region), so Overview, Search interest, Program demand and boards never disagree; the
sentences and window dates here say which weeks are compared, in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl
from babel.dates import format_interval

from credtrends.transforms.scores import GROWTH_WEEKS, topic_momentum
from credtrends.web.data import DashboardData
from credtrends.web.figures import interest_values
from credtrends.web.i18n import BABEL_LOCALE, N_, Translator


def region_momentum(data: DashboardData, region_code: str) -> tuple[pl.DataFrame, str]:
    """Level and growth of every topic in one region, and the scale's message key.

    All topics are read together so the scale (calibrated or raw) is the same one whichever
    page asks, and so each topic's growth is the same number on every page.
    """

    def compute() -> tuple[pl.DataFrame, str]:
        topics = tuple(data.topics()["topic_id"].to_list())
        shown, axis_key = interest_values(data.interest_over_time(topics, region_code))
        return topic_momentum(shown, GROWTH_WEEKS), axis_key

    result: tuple[pl.DataFrame, str] = data.derived(
        f"momentum:{GROWTH_WEEKS}w:{region_code}", compute
    )
    return result


def date_range(start: date | None, end: date | None, tr: Translator) -> str:
    """ "Sep 14–Nov 30, 2026" / "14 sept. – 30 nov. 2026": Babel's interval format."""
    if start is None or end is None:
        return "–"
    return str(format_interval(start, end, "yMMMd", locale=BABEL_LOCALE[tr.lang]))


def _first_row(momentum: pl.DataFrame) -> Mapping[str, Any] | None:
    with_dates = momentum.filter(pl.col("recent_start").is_not_null())
    return with_dates.row(0, named=True) if with_dates.height else None


def last_weeks_text(momentum: pl.DataFrame, tr: Translator, weeks: int = GROWTH_WEEKS) -> str:
    """ "last 12 weeks (Sep 8–Nov 30, 2026)"; without data, "last 12 weeks"."""
    row = _first_row(momentum)
    if row is None:
        return tr("last_weeks", weeks=weeks)
    dates = date_range(row["recent_start"], row["recent_end"], tr)
    return tr("last_weeks_dated", weeks=weeks, dates=dates)


def growth_definition(momentum: pl.DataFrame, tr: Translator) -> str:
    """What every growth figure on the page compares, with the two windows' dates."""
    row = _first_row(momentum)
    if row is None:
        return tr("growth_definition_undated", weeks=GROWTH_WEEKS)
    return tr(
        "growth_definition",
        weeks=GROWTH_WEEKS,
        recent=date_range(row["recent_start"], row["recent_end"], tr),
        year_ago=date_range(row["year_ago_start"], row["year_ago_end"], tr),
    )


def growth_sentence(topic: str, region: str, row: Mapping[str, Any] | None, tr: Translator) -> str:
    """ "Cybersecurity: up 18% on a year ago in British Columbia, outside the noise (95%
    interval +9% to +27%)": the answer to "is it growing here?" for one topic."""
    growth = None if row is None else row.get("growth")
    if row is None or growth is None:
        return tr("growth_answer_unknown", topic=topic, region=region)
    low, high = row.get("growth_low"), row.get("growth_high")
    if low is None or high is None:
        return tr("growth_answer_no_interval", topic=topic, region=region, value=tr.percent(growth))
    bounds = {"low": tr.percent(low), "high": tr.percent(high)}
    if row.get("growth_within_noise"):
        key = N_("growth_answer_flat")
        value = tr.percent(growth)
    else:
        key = N_("growth_answer_up") if growth > 0 else N_("growth_answer_down")
        value = tr.share(growth)
    return tr(key, topic=topic, region=region, value=value, **bounds)


def growth_rows(
    momentum: pl.DataFrame, topic_ids: list[str], region_code: str
) -> dict[str, Mapping[str, Any]]:
    """Each topic's momentum row in one region (a real source before a synthetic one)."""
    rows = momentum.filter(pl.col("topic_id").is_in(topic_ids)).sort(
        "topic_id", "is_synthetic", "source"
    )
    found: dict[str, Mapping[str, Any]] = {}
    for row in rows.iter_rows(named=True):
        found.setdefault(str(row["topic_id"]), row | {"region_code": region_code})
    return found
