"""Scores planners read first: current interest level and its change (pure polars).

``topic_momentum`` is the one definition of a topic's growth that every page shows
(Overview, Search interest, Regions, Program demand, boards): the mean of the last
``GROWTH_WEEKS`` complete weeks against the same weeks a year earlier, with its 95%
interval. Its output carries the two windows' dates, so a page can say what it compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

GROWTH_WEEKS = 12
"""Weeks in the recent window of every growth figure shown (one definition everywhere)."""

MOMENTUM_SCHEMA = pl.Schema(
    {
        "recent_mean": pl.Float64(),
        "year_ago_mean": pl.Float64(),
        "growth": pl.Float64(),
        "growth_low": pl.Float64(),
        "growth_high": pl.Float64(),
        "growth_within_noise": pl.Boolean(),
        "is_synthetic": pl.Boolean(),
        "recent_start": pl.Date(),
        "recent_end": pl.Date(),
        "year_ago_start": pl.Date(),
        "year_ago_end": pl.Date(),
    }
)


def comparable_values(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """``frame`` with ``value``/``low``/``high`` on the calibrated scale when every row has
    it, else on each series' own raw scale; and which scale (``calibrated`` or ``raw``).

    Raw Google values are relative to their own request, so mixing them across topics
    would mislead: one frame is never on two scales.
    """
    if frame.height and frame["calibrated_value"].null_count() == 0:
        shown = frame.with_columns(
            value=pl.col("calibrated_value"),
            low=pl.col("calibrated_low"),
            high=pl.col("calibrated_high"),
        )
        return shown, "calibrated"
    shown = frame.with_columns(
        value=pl.col("raw_value"), low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64)
    )
    return shown, "raw"


@dataclass(frozen=True)
class GrowthWindows:
    """The two windows a growth figure compares, first and last day of each (inclusive)."""

    recent_start: date
    recent_end: date
    year_ago_start: date
    year_ago_end: date


def growth_windows(last_week: date, recent_weeks: int = GROWTH_WEEKS) -> GrowthWindows:
    """The windows behind growth when ``last_week`` is the newest complete week's start:
    ``recent_weeks`` weeks up to its last day, and the same weeks 52 weeks earlier (same
    weekdays, same season)."""
    recent_start = last_week - timedelta(weeks=recent_weeks - 1)
    return GrowthWindows(
        recent_start=recent_start,
        recent_end=last_week + timedelta(days=6),
        year_ago_start=recent_start - timedelta(weeks=52),
        year_ago_end=last_week - timedelta(weeks=52) + timedelta(days=6),
    )


GROWTH_Z = 1.959963984540054
"""Two-sided 95% normal quantile, the large-sample limit of ``student_t_975``."""


def student_t_975(df: pl.Expr) -> pl.Expr:
    """Student's t 97.5% quantile for ``df`` degrees of freedom (Abramowitz & Stegun
    26.7.5; within 0.1% from 5 df): 12 weeks a window are too few for the normal one,
    whose intervals covered 93% instead of 95%."""
    z = GROWTH_Z
    nu = pl.max_horizontal(df.cast(pl.Float64), pl.lit(1.0))
    return (
        z
        + (z**3 + z) / (4 * nu)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * nu**3)
    )


def topic_momentum(
    interest: pl.DataFrame,
    recent_weeks: int = GROWTH_WEEKS,
    by: tuple[str, ...] = ("topic_id", "source"),
) -> pl.DataFrame:
    """Mean interest over the last ``recent_weeks`` complete weeks, and its growth against
    the same weeks a year earlier (same season, so seasonality does not pass for growth).

    ``interest`` has the ``by`` columns, ``period_start, is_partial, is_synthetic`` and a
    ``value`` column. Partial periods are left out: they are not final. Growth is null
    when the year-ago mean is zero or missing. Growth is a ratio, so it compares across
    regions even where levels (each region on its own scale) do not. ``growth_low`` /
    ``growth_high`` are its 95% interval from the week-to-week noise of both windows;
    ``growth_within_noise`` says the interval holds 0 (no change can be told apart).
    ``recent_start`` ... ``year_ago_end`` are the windows' first and last days.
    """
    final = interest.filter(~pl.col("is_partial") & pl.col("value").is_not_null())
    schema = pl.Schema({name: pl.String() for name in by} | dict(MOMENTUM_SCHEMA.items()))
    if final.is_empty():
        return pl.DataFrame(schema=schema)
    last = final["period_start"].max()
    assert isinstance(last, date)
    windows = growth_windows(last, recent_weeks)
    recent_start = windows.recent_start
    year_ago_end = last - timedelta(weeks=52)
    year_ago_start = windows.year_ago_start
    window = pl.col("period_start")
    recent = pl.col("value").filter(window >= recent_start)
    year_ago = pl.col("value").filter(window.is_between(year_ago_start, year_ago_end))
    summary = final.group_by(*by).agg(
        recent_mean=recent.mean(),
        year_ago_mean=year_ago.mean(),
        recent_var=recent.var(),
        recent_n=recent.count(),
        year_ago_var=year_ago.var(),
        year_ago_n=year_ago.count(),
        is_synthetic=pl.col("is_synthetic").any(),
    )
    # delta method on log(recent / year ago): week-to-week variation in each window as
    # the noise of its mean; weeks taken as independent (movement inside a window counts
    # as noise, which errs wide)
    log_se = (
        pl.col("recent_var") / (pl.col("recent_n") * pl.col("recent_mean") ** 2)
        + pl.col("year_ago_var") / (pl.col("year_ago_n") * pl.col("year_ago_mean") ** 2)
    ).sqrt()
    ratio = pl.col("recent_mean") / pl.col("year_ago_mean")
    quantile = student_t_975(pl.col("recent_n") + pl.col("year_ago_n") - 2)
    defined = (pl.col("year_ago_mean") > 0) & (pl.col("recent_mean") > 0)
    return (
        summary.with_columns(
            growth=pl.when(pl.col("year_ago_mean") > 0).then(ratio - 1),
            growth_low=pl.when(defined).then(ratio * (-quantile * log_se).exp() - 1),
            growth_high=pl.when(defined).then(ratio * (quantile * log_se).exp() - 1),
        )
        .with_columns(
            growth_within_noise=(pl.col("growth_low") <= 0) & (pl.col("growth_high") >= 0),
            recent_start=pl.lit(windows.recent_start),
            recent_end=pl.lit(windows.recent_end),
            year_ago_start=pl.lit(windows.year_ago_start),
            year_ago_end=pl.lit(windows.year_ago_end),
        )
        .select(schema.names())
        .cast(schema)
        .sort("recent_mean", descending=True, nulls_last=True)
    )
