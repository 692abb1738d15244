"""Scores planners read first: current interest level and its change (pure polars)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

MOMENTUM_SCHEMA = pl.Schema(
    {
        "recent_mean": pl.Float64(),
        "year_ago_mean": pl.Float64(),
        "growth": pl.Float64(),
        "is_synthetic": pl.Boolean(),
    }
)


def topic_momentum(
    interest: pl.DataFrame, recent_weeks: int = 12, by: tuple[str, ...] = ("topic_id", "source")
) -> pl.DataFrame:
    """Mean interest over the last ``recent_weeks`` complete weeks, and its growth against
    the same weeks a year earlier (same season, so seasonality does not pass for growth).

    ``interest`` has the ``by`` columns, ``period_start, is_partial, is_synthetic`` and a
    ``value`` column. Partial periods are left out: they are not final. Growth is null
    when the year-ago mean is zero or missing. Growth is a ratio, so it compares across
    regions even where levels (each region on its own scale) do not.
    """
    final = interest.filter(~pl.col("is_partial") & pl.col("value").is_not_null())
    schema = pl.Schema({name: pl.String() for name in by} | dict(MOMENTUM_SCHEMA.items()))
    if final.is_empty():
        return pl.DataFrame(schema=schema)
    last = final["period_start"].max()
    assert last is not None
    recent_start = last - timedelta(weeks=recent_weeks - 1)  # type: ignore[operator]
    year_ago_end = last - timedelta(weeks=52)  # type: ignore[operator]
    year_ago_start = recent_start - timedelta(weeks=52)
    window = pl.col("period_start")
    summary = final.group_by(*by).agg(
        recent_mean=pl.col("value").filter(window >= recent_start).mean(),
        year_ago_mean=pl.col("value")
        .filter(window.is_between(year_ago_start, year_ago_end))
        .mean(),
        is_synthetic=pl.col("is_synthetic").any(),
    )
    return (
        summary.with_columns(
            growth=pl.when(pl.col("year_ago_mean") > 0).then(
                pl.col("recent_mean") / pl.col("year_ago_mean") - 1
            )
        )
        .select(schema.names())
        .cast(schema)
        .sort("recent_mean", descending=True, nulls_last=True)
    )
