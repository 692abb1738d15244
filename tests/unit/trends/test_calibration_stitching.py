"""Stitching long daily series from overlapping windows, each scaled to its own maximum."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.errors import ConfigError
from credtrends.transforms.stitching import STITCHED_SCHEMA, stitch_windows
from tests.helpers import number
from tests.unit.trends.trends_sim import google_round

START = date(2023, 1, 1)


def true_daily(n_days: int, seed: int) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    t = np.arange(n_days)
    trend = np.exp(0.002 * t)  # demand grows ~2x over a year
    weekly = 1 + 0.2 * (t % 7 < 5)  # weekdays busier, as for course searches
    noise = np.exp(0.1 * rng.standard_normal(n_days))
    return np.asarray(50.0 * trend * weekly * noise, dtype=np.float64)


def windows(truth: np.ndarray, length: int, overlap: int, term: str = "welding") -> pl.DataFrame:
    rows = []
    start = 0
    while start < len(truth):
        end = min(start + length, len(truth))
        block = truth[start:end]
        reported, below = google_round(100 * block / block.max())
        first, last = START + timedelta(days=start), START + timedelta(days=end - 1)
        for k, (value, is_below) in enumerate(zip(reported, below, strict=True)):
            rows.append(
                {
                    "term": term,
                    "geo": "CA",
                    "timeframe": f"{first} {last}",
                    "period_start": START + timedelta(days=start + k),
                    "value": int(value),
                    "is_below_one": bool(is_below),
                    "is_partial": False,
                }
            )
        if end == len(truth):
            break
        start = end - overlap
    return pl.DataFrame(rows).with_columns(pl.col("value").cast(pl.Int16))


def compare(stitched: pl.DataFrame, truth: np.ndarray) -> pl.DataFrame:
    expected = pl.DataFrame(
        {
            "period_start": [START + timedelta(days=k) for k in range(len(truth))],
            "true_value": 100 * truth / truth.max(),
        }
    )
    return stitched.join(expected, on="period_start").with_columns(
        rel_error=(pl.col("value") / pl.col("true_value") - 1).abs(),
        inside=(pl.col("true_value") >= pl.col("value_low"))
        & (pl.col("true_value") <= pl.col("value_high")),
    )


def test_two_years_of_daily_data_from_overlapping_windows() -> None:
    truth = true_daily(730, seed=3)
    frame = windows(truth, length=240, overlap=60)
    assert frame.get_column("timeframe").n_unique() == 4
    stitched = stitch_windows(frame)
    assert stitched.schema == STITCHED_SCHEMA and stitched.height == 730
    result = compare(stitched, truth)
    assert number(result.get_column("rel_error").median()) < 0.02
    assert number(result.get_column("rel_error").quantile(0.95)) < 0.05
    assert number(result.get_column("inside").mean()) > 0.9
    assert stitched.get_column("value").max() == pytest.approx(100)
    overlap_rows = stitched.filter(pl.col("n_windows") == 2)
    assert overlap_rows.height == 3 * 60
    # later windows carry the chained ratio error on top of their own rounding
    late = stitched.filter(pl.col("period_start") > START + timedelta(days=650)).sort(
        "period_start"
    )
    reported = frame.filter(pl.col("period_start") > START + timedelta(days=650)).sort(
        "period_start"
    )
    rounding_sd = (
        ((reported["value"] + 0.5).log() - (reported["value"] - 0.5).log()) ** 2 / 12
    ).sqrt()
    assert np.median(late.get_column("rel_stderr").to_numpy() / rounding_sd.to_numpy()) > 1.0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), length=st.integers(90, 260), overlap=st.integers(20, 80))
def test_stitching_recovers_the_shape(seed: int, length: int, overlap: int) -> None:
    truth = true_daily(500, seed)
    result = compare(stitch_windows(windows(truth, length, min(overlap, length - 10))), truth)
    assert number(result.get_column("rel_error").median()) < 0.05


def test_a_single_window_passes_through_with_rounding_bounds() -> None:
    truth = true_daily(52, seed=1)[:52]
    frame = windows(truth, length=52, overlap=0).with_columns(pl.lit("week").alias("granularity"))
    stitched = stitch_windows(frame)
    reported = frame.get_column("value").cast(pl.Float64)
    assert np.allclose(
        stitched.get_column("value").to_numpy(), (100 * reported / reported.max()).to_numpy()
    )
    assert (stitched.get_column("value_low") <= stitched.get_column("value")).all()


def test_windows_that_do_not_overlap_are_refused_with_the_window_named() -> None:
    truth = true_daily(200, seed=2)
    frame = windows(truth, length=100, overlap=3)
    with pytest.raises(ConfigError, match="only 3 non-zero points"):
        stitch_windows(frame)


def test_each_term_is_stitched_separately_and_partial_points_do_not_link() -> None:
    truth = true_daily(300, seed=4)
    both = pl.concat([windows(truth, 180, 60, "a"), windows(truth * 3, 180, 60, "b")])
    last = both.get_column("period_start").max()
    both = both.with_columns(is_partial=pl.col("period_start") == last)
    stitched = stitch_windows(both)
    a = stitched.filter(pl.col("term") == "a").get_column("value").to_numpy()
    b = stitched.filter(pl.col("term") == "b").get_column("value").to_numpy()
    assert np.allclose(a, b, rtol=0.03)  # each series is on its own 0-100 scale
    assert stitched.filter(pl.col("is_partial")).height == 2


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ConfigError, match="lacks"):
        stitch_windows(pl.DataFrame({"term": ["a"]}))
