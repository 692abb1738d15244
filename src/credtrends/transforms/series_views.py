"""Reshape weekly interest series for display: period window, coarser periods, indices.

Input frames are long: ``series, source, period_start, value, is_partial, is_synthetic``
(plus optional ``low``/``high`` bounds). Pure polars, no data access.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from credtrends.granularity import ViewGranularity
from credtrends.transforms.alignment import TRUNCATE, weekly_to_period

PERIOD_YEARS = {"1y": 1, "2y": 2, "5y": 5, "all": None}
KEYS = ("series", "source")


def window(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    """The last ``period`` ("1y", "2y", "5y" or "all") up to the newest row."""
    years = PERIOD_YEARS.get(period)
    if years is None or frame.is_empty():
        return frame
    newest = frame["period_start"].max()
    assert isinstance(newest, date)
    return frame.filter(pl.col("period_start") > newest - timedelta(days=round(365.25 * years)))


def to_granularity(frame: pl.DataFrame, granularity: ViewGranularity) -> pl.DataFrame:
    """Weekly rows averaged into months or quarters (bounds dropped: they do not average).

    The newest period is marked partial when it ends after the last complete week, so a
    month with three weeks so far is never read as a final value.
    """
    if granularity == "week" or frame.is_empty():
        return frame
    complete = frame.filter(~pl.col("is_partial"))
    if complete.is_empty():
        return frame.head(0)
    last_week: date = complete["period_start"].max()  # type: ignore[assignment]
    covered_until = last_week + timedelta(days=7)
    flags = frame.group_by(KEYS).agg(pl.col("is_synthetic").any())
    averaged = weekly_to_period(
        frame.select(*KEYS, "period_start", "value", "is_partial"), granularity, keys=KEYS
    )
    ends = averaged["period_start"].dt.offset_by(TRUNCATE[granularity])
    return averaged.with_columns(
        is_partial=ends > covered_until,
        low=pl.lit(None, pl.Float64),
        high=pl.lit(None, pl.Float64),
    ).join(flags, on=list(KEYS), how="left")


def index_to_mean(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each series divided by its own mean over complete periods, times 100.

    Google scales every region separately, so levels do not compare across regions but
    shapes do. Returns the indexed frame and the factor per series (to index forecasts
    the same way).
    """
    factors = (
        frame.filter(~pl.col("is_partial"))
        .group_by(KEYS)
        .agg(factor=pl.when(pl.col("value").mean() > 0).then(100 / pl.col("value").mean()))
    )
    bounds = [name for name in ("value", "low", "high") if name in frame.columns]
    indexed = (
        frame.join(factors, on=list(KEYS), how="left")
        .with_columns(pl.col(name) * pl.col("factor") for name in bounds)
        .drop("factor")
    )
    return indexed, factors


FORECAST_VALUES = ("mean", "lo80", "hi80", "lo95", "hi95")


def forecast_to_granularity(forecasts: pl.DataFrame, granularity: ViewGranularity) -> pl.DataFrame:
    """A weekly forecast (``series``, ``period_start``, mean and bounds) in months or quarters.

    Each month or quarter is the mean of its forecast weeks, as :func:`to_granularity`
    averages observed weeks (a week belongs to the period its start falls in). Only
    periods whose every week is forecast are kept: the first one, half observed, stays
    with the observations (marked partial there), and one the horizon cuts is dropped.

    The intervals are the means of the weekly bounds. That is exact if the weekly errors
    move together (perfectly correlated) and wider than the interval of the mean when they
    partly cancel out; we do not know their correlation, so we err on the wide side rather
    than claim that averaging four weeks removes half the uncertainty. Other columns keep
    their first value per series (model, run, synthetic flag).
    """
    if granularity == "week" or forecasts.is_empty():
        return forecasts
    unit = TRUNCATE[granularity]
    extent = forecasts.group_by("series").agg(
        first_week=pl.col("period_start").min(), last_week=pl.col("period_start").max()
    )
    others = [c for c in forecasts.columns if c not in (*FORECAST_VALUES, "period_start")]
    return (
        forecasts.with_columns(period_start=pl.col("period_start").dt.truncate(unit))
        .group_by("series", "period_start")
        .agg(
            *(pl.col(name).mean() for name in FORECAST_VALUES),
            *(pl.col(name).first() for name in others if name != "series"),
        )
        .join(extent, on="series")
        .filter(
            # every week start of the period is a forecast week: the week before the first
            # forecast week starts before the period, the week after the last one after it
            (pl.col("first_week") - timedelta(days=7) < pl.col("period_start"))
            & (pl.col("last_week") + timedelta(days=7) >= pl.col("period_start").dt.offset_by(unit))
        )
        .drop("first_week", "last_week")
        .select(forecasts.columns)
        .sort("series", "period_start")
    )


PERIOD_LENGTH = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}


def mark_unfinished(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``is_unfinished``: the period was not over when its row was fetched.

    A month of Job Bank postings fetched on the 6th holds six days of postings; read as a
    month it looks like a collapse. ``frame`` has ``period_start``, ``granularity`` and
    ``fetched_at`` (naive UTC); a period is unfinished when the next one starts after the
    day it was fetched.
    """
    if frame.is_empty():
        return frame.with_columns(is_unfinished=pl.lit(False))
    length = pl.col("granularity").replace_strict(PERIOD_LENGTH, default="1mo")
    next_start = pl.col("period_start").dt.offset_by(length)
    return frame.with_columns(is_unfinished=(next_start > pl.col("fetched_at").dt.date()))
