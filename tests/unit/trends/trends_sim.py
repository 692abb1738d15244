"""Simulate Google Trends exactly enough to test calibration against a known truth.

Each request is scaled so that its largest value is 100, values of 1 and above are
rounded half up, and anything below 1 is reported as "<1" (0) - as Google does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np
import polars as pl

from credtrends.transforms.calibration import BatchPlan


def simulate_volumes(
    n_terms: int, n_points: int, orders: float, seed: int
) -> dict[str, np.ndarray]:
    """True search volumes: log-uniform levels over ``orders`` decades, seasonal wiggle."""
    rng = np.random.default_rng(seed)
    levels = 10 ** rng.uniform(0.0, orders, size=n_terms)
    levels[0] = 10**orders  # make the span exact
    levels[-1] = 1.0
    t = np.arange(n_points)
    truth = {}
    for i, level in enumerate(levels):
        phase = rng.uniform(0, 2 * np.pi)
        wiggle = 0.25 * np.sin(2 * np.pi * t / 52 + phase) + 0.08 * rng.standard_normal(n_points)
        truth[f"term{i:03d}"] = level * np.exp(wiggle)
    return truth


def google_round(scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    reported = np.where(scaled >= 1.0, np.floor(scaled + 0.5), 0.0)
    reported = np.minimum(reported, 100.0)
    below = (scaled > 0) & (scaled < 1.0)
    return reported, below


def periods(n_points: int, start: date = date(2024, 1, 7)) -> list[date]:
    return [start + timedelta(weeks=k) for k in range(n_points)]


def fetch_plan(
    plan: BatchPlan | Iterable[tuple[str, tuple[str, ...]]],
    truth: Mapping[str, np.ndarray],
    *,
    geo: str = "CA",
    timeframe: str = "2024-01-07 2024-12-28",
) -> pl.DataFrame:
    """What Google would return for every batch of the plan, as one long frame."""
    pairs = [(b.batch_id, b.terms) for b in plan] if isinstance(plan, BatchPlan) else list(plan)
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "request_key",
            "term",
            "geo",
            "timeframe",
            "period_start",
            "value",
            "is_below_one",
        )
    }
    for batch_id, terms in pairs:
        block = np.vstack([truth[t] for t in terms])
        scaled = 100.0 * block / block.max()
        reported, below = google_round(scaled)
        days = periods(block.shape[1])
        for i, term in enumerate(terms):
            for k, day in enumerate(days):
                rows["request_key"].append(batch_id)
                rows["term"].append(term)
                rows["geo"].append(geo)
                rows["timeframe"].append(timeframe)
                rows["period_start"].append(day)
                rows["value"].append(int(reported[i, k]))
                rows["is_below_one"].append(bool(below[i, k]))
    return pl.DataFrame(
        rows,
        schema={
            "request_key": pl.String,
            "term": pl.String,
            "geo": pl.String,
            "timeframe": pl.String,
            "period_start": pl.Date,
            "value": pl.Int16,
            "is_below_one": pl.Boolean,
        },
    )


def truth_frame(truth: Mapping[str, np.ndarray], reference: str) -> pl.DataFrame:
    """The truth on the calibrated scale: 100 = the reference term's maximum."""
    top = truth[reference].max()
    days = periods(len(next(iter(truth.values()))))
    return pl.DataFrame(
        {
            "term": [t for t in truth for _ in days],
            "period_start": [d for _ in truth for d in days],
            "true_value": np.concatenate([100.0 * truth[t] / top for t in truth]),
        }
    )


def naive_fixed_anchor(frame: pl.DataFrame, anchor: str) -> pl.DataFrame:
    """The classic baseline: value / anchor value in the same batch and period."""
    anchor_rows = frame.filter(pl.col("term") == anchor).select(
        "request_key", "period_start", pl.col("value").cast(pl.Float64).alias("anchor_value")
    )
    joined = frame.filter(pl.col("term") != anchor).join(
        anchor_rows, on=["request_key", "period_start"]
    )
    ratio = joined.with_columns(ratio=pl.col("value").cast(pl.Float64) / pl.col("anchor_value"))
    anchor_series = anchor_rows.group_by("period_start").agg(pl.col("anchor_value").mean())
    top = anchor_series.get_column("anchor_value").max()
    assert isinstance(top, float)
    return (
        ratio.join(anchor_series, on="period_start", suffix="_mean")
        .select(
            "term",
            "period_start",
            (pl.col("ratio") * pl.col("anchor_value_mean") * 100.0 / top).alias("value"),
        )
        .group_by("term", "period_start")
        .agg(pl.col("value").mean())
    )
