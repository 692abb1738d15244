"""Put weekly, monthly and quarterly series on one calendar (pure polars).

Search interest is weekly, postings monthly, vacancies quarterly. Comparing them needs an
explicit choice: here finer series are averaged into the coarser period that contains
them (a week belongs to the month/quarter of its first day), and a period is only kept
when it is complete enough to be an average, not one stray week.
"""

from __future__ import annotations

import polars as pl

from credtrends.granularity import CoarseGranularity

TRUNCATE = {"month": "1mo", "quarter": "1q"}
# A month has 4-5 week starts, a quarter 13-14: require most of them.
MIN_WEEKS = {"month": 3, "quarter": 10}


def weekly_to_period(
    frame: pl.DataFrame, granularity: CoarseGranularity, keys: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Average weekly ``value`` into months or quarters; partial weeks are left out."""
    final = frame.filter(~pl.col("is_partial")) if "is_partial" in frame.columns else frame
    return (
        final.with_columns(period_start=pl.col("period_start").dt.truncate(TRUNCATE[granularity]))
        .group_by(*keys, "period_start")
        .agg(value=pl.col("value").mean(), weeks=pl.len())
        .filter(pl.col("weeks") >= MIN_WEEKS[granularity])
        .drop("weeks")
        .with_columns(granularity=pl.lit(granularity))
        .sort(*keys, "period_start")
    )
