"""Long daily history: overlapping daily windows are kept and solved together (SYNTHETIC)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from credtrends.pipelines.trends import calibrated_rows, newest_windows
from credtrends.testing.trends_simulator import SimulatedGoogle


def daily_batches(truth: np.ndarray, starts: list[int], length: int) -> pl.DataFrame:
    """``search_interest_batches``-shaped rows of one topic fetched in daily windows."""
    frames = []
    for n, first in enumerate(starts):
        window = {"welding course": truth[first : first + length]}
        sim = SimulatedGoogle(window, start=date(2022, 1, 1) + timedelta(days=first), step_days=1)
        frame = sim.answer_frame(["welding course"], f"w{n}")
        frames.append(
            frame.with_columns(
                value=pl.col("value").fill_null(0).cast(pl.Int64),
                region_code=pl.lit("CA-ON"),
                topic_id=pl.lit("welding"),
                granularity=pl.lit("day"),
                timeframe=pl.lit(f"window-{n}"),
                is_partial=pl.lit(False),
                backend=pl.lit("sim"),
                fetched_at=pl.lit(datetime(2026, 1, 1 + n)),
            )
        )
    return pl.concat(frames)


def test_overlapping_daily_windows_make_one_long_series() -> None:
    rng = np.random.default_rng(3)
    days = 2 * 365
    t = np.arange(days)
    truth = 40 * np.exp(0.4 * np.sin(2 * np.pi * t / 365) + 0.1 * rng.standard_normal(days))
    batches = daily_batches(truth, [0, 180, 360, 460], 270)
    kept = newest_windows(batches)
    assert kept.height == batches.height  # older windows are not dropped
    rows = calibrated_rows(kept, "run", datetime(2026, 1, 9, tzinfo=UTC)).sort("period_start")
    assert rows.height == days  # every day once, on one scale
    value = rows["calibrated_value"].to_numpy()
    true = 100 * truth / truth.max()
    ratio = value / true
    assert np.median(np.abs(ratio - 1)) < 0.01
    assert abs(ratio[-90:].mean() / ratio[:90].mean() - 1) < 0.01  # no drift along the chain
    inside = (rows["calibrated_low"].to_numpy() <= true) & (
        true <= rows["calibrated_high"].to_numpy()
    )
    assert inside.mean() > 0.9


def test_weekly_windows_still_keep_only_the_newest() -> None:
    rng = np.random.default_rng(4)
    truth = 40 * np.exp(0.1 * rng.standard_normal(400))
    batches = daily_batches(truth, [0, 100], 200).with_columns(granularity=pl.lit("week"))
    assert set(newest_windows(batches)["timeframe"]) == {"window-1"}
