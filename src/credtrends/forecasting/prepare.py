"""Series preparation: from a long frame of observations to complete, gap-free series.

Google Trends series end with a partial point (the current week is still being counted),
and low-volume terms have holes. Forecast models need the opposite: final values only, on a
complete regular grid. This module makes that explicit and reports what it changed, so a
planner can see that a series was shortened or filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import polars as pl

Frequency = Literal["week", "month", "quarter"]

FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)

#: Length of a year in periods; weekly data has a non-integer yearly cycle (365.25 / 7).
SEASONAL_PERIODS: dict[Frequency, float] = {"week": 365.25 / 7.0, "month": 12.0, "quarter": 4.0}

#: polars duration strings for one period.
PERIOD_OFFSETS: dict[Frequency, str] = {"week": "1w", "month": "1mo", "quarter": "3mo"}

INPUT_COLUMNS = ("series_id", "period", "value")

GAPS_SCHEMA: dict[str, pl.DataType] = {
    "series_id": pl.String(),
    "gap_start": pl.Date(),
    "gap_end": pl.Date(),
    "length": pl.Int64(),
    "action": pl.String(),
}


@dataclass(frozen=True)
class PreparedSeries:
    """Complete series ready for the models, and the report of what preparation changed.

    ``values`` has one row per series and period on a regular grid, without nulls, sorted.
    ``gaps`` has one row per run of missing periods: ``interpolated`` when short enough to
    fill linearly, ``truncated`` when the history before it was dropped.
    """

    values: pl.DataFrame
    gaps: pl.DataFrame


def validate_frequency(frequency: str) -> Frequency:
    """Return ``frequency`` typed, or fail with the allowed values (it may come from a user)."""
    for allowed in FREQUENCIES:
        if frequency == allowed:
            return allowed
    raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}; got {frequency!r}")


def _check_input(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"series frame lacks column(s) {', '.join(missing)}")
    columns = [
        pl.col("series_id").cast(pl.String),
        pl.col("period").cast(pl.Date),
        pl.col("value").cast(pl.Float64),
    ]
    if "is_partial" in frame.columns:
        columns.append(pl.col("is_partial").cast(pl.Boolean).fill_null(False))
    out = frame.select(columns)
    if out.get_column("series_id").null_count() or out.get_column("period").null_count():
        raise ValueError("series_id and period must not be null")
    duplicated = out.select(pl.struct("series_id", "period").is_duplicated().any()).item()
    if duplicated:
        raise ValueError("series frame has more than one row for a (series_id, period)")
    return out


def _on_grid(data: pl.DataFrame, frequency: Frequency) -> pl.DataFrame:
    """Every series on a complete grid of its frequency, first to last observation, with
    nulls where a period is missing; an observation off the grid is an error."""
    offset = PERIOD_OFFSETS[frequency]
    grid = (
        data.group_by("series_id")
        .agg(
            pl.date_ranges(pl.col("period").min(), pl.col("period").max(), interval=offset)
            .first()
            .alias("period")
        )
        .explode("period")
    )
    full = grid.join(data, on=["series_id", "period"], how="left").sort("series_id", "period")
    on_grid = full.get_column("value").is_not_null().sum()
    if on_grid != data.height:
        raise ValueError(
            f"{data.height - on_grid} observation(s) are not on a regular {frequency} grid "
            "(e.g. weeks starting on different weekdays)"
        )

    return full


def _gap_runs(full: pl.DataFrame, max_gap: int) -> pl.DataFrame:
    """Each run of missing periods of each series, with what happens to it: interpolated
    (at most ``max_gap`` long) or truncated (the history before it is dropped)."""
    runs = full.with_columns(
        missing=pl.col("value").is_null(),
    ).with_columns(
        run=(pl.col("missing") != pl.col("missing").shift(1).over("series_id"))
        .fill_null(True)
        .cum_sum()
        .over("series_id"),
    )
    gap_runs = (
        runs.filter(pl.col("missing"))
        .group_by("series_id", "run")
        .agg(
            gap_start=pl.col("period").min(),
            gap_end=pl.col("period").max(),
            length=pl.len().cast(pl.Int64),
        )
        .with_columns(
            action=pl.when(pl.col("length") > max_gap)
            .then(pl.lit("truncated"))
            .otherwise(pl.lit("interpolated"))
        )
    )
    return gap_runs


def prepare_series(
    frame: pl.DataFrame, frequency: Frequency, *, max_gap: int = 4
) -> PreparedSeries:
    """Drop partial points, put each series on a complete grid, fill or cut its gaps.

    Short gaps (at most ``max_gap`` periods) are interpolated linearly: one missing week
    says nothing about demand. A longer gap means the series changed (a term was renamed,
    a source broke), so only the history after the last long gap is kept. Leading and
    trailing missing values are dropped; zeros are kept (Google's "<1" is a real low value).
    """
    validate_frequency(frequency)
    if max_gap < 0:
        raise ValueError("max_gap must be >= 0")
    data = _check_input(frame)
    if "is_partial" in data.columns:
        data = data.filter(~pl.col("is_partial")).drop("is_partial")
    data = data.filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    if data.height == 0:
        return PreparedSeries(
            values=pl.DataFrame(
                schema={"series_id": pl.String, "period": pl.Date, "value": pl.Float64}
            ),
            gaps=pl.DataFrame(schema=GAPS_SCHEMA),
        )

    full = _on_grid(data, frequency)
    gap_runs = _gap_runs(full, max_gap)
    cut = (
        gap_runs.filter(pl.col("action") == "truncated")
        .group_by("series_id")
        .agg(cut_after=pl.col("gap_end").max())
    )
    values = (
        full.join(cut, on="series_id", how="left")
        .filter(pl.col("cut_after").is_null() | (pl.col("period") > pl.col("cut_after")))
        .drop("cut_after")
        .with_columns(pl.col("value").interpolate().over("series_id"))
        .sort("series_id", "period")
    )
    # A gap before a later long gap was dropped with the history: report it as truncated.
    gaps = (
        gap_runs.join(cut, on="series_id", how="left")
        .with_columns(
            action=pl.when(
                pl.col("cut_after").is_not_null() & (pl.col("gap_end") <= pl.col("cut_after"))
            )
            .then(pl.lit("truncated"))
            .otherwise(pl.col("action"))
        )
        .select(list(GAPS_SCHEMA))
        .sort("series_id", "gap_start")
        .cast(pl.Schema(GAPS_SCHEMA))
    )
    return PreparedSeries(values=values, gaps=gaps)
