"""Is each source as fresh as its publication cadence promises? (pure)"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

# How often each source publishes new data; a source is stale when its last fetch is older
# than 1.5 cadences (one missed run plus slack). Synthetic data is never "stale": it is not
# data about the world at all.
SOURCE_CADENCE: dict[str, timedelta] = {
    "google-trends": timedelta(days=7),
    "statcan": timedelta(days=92),
    "jobbank": timedelta(days=31),
    "portal": timedelta(days=31),
}
STALE_FACTOR = 1.5


def with_freshness(sources: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """Add ``expected_every`` (text) and ``is_stale`` to a frame of ``source, last_fetched_at``.

    ``now`` and ``last_fetched_at`` are naive UTC, as the query layer returns them.
    """
    cadence_days = {
        name: cadence.total_seconds() / 86400 for name, cadence in SOURCE_CADENCE.items()
    }
    age_days = (pl.lit(now) - pl.col("last_fetched_at")).dt.total_seconds() / 86400
    cadence = pl.col("source").replace_strict(cadence_days, default=None, return_dtype=pl.Float64)
    return sources.with_columns(
        expected_every=pl.when(cadence.is_null())
        .then(pl.lit("–"))
        .otherwise(cadence.round(0).cast(pl.Int64).cast(pl.String) + " days"),
        is_stale=pl.when(cadence.is_null())
        .then(False)
        .otherwise(age_days > cadence * STALE_FACTOR),
    )
