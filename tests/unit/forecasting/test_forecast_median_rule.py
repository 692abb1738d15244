"""The median rule: 0 where most recent observations are 0 (SYNTHETIC intermittent series)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting import ForecastConfig, forecast
from credtrends.forecasting.backtest import recent_zero_share
from credtrends.forecasting.strategy import median_rule
from tests.helpers import number

START = dt.date(2019, 1, 7)


def weekly_frame(values: dict[str, np.ndarray]) -> pl.DataFrame:
    """A long weekly frame of SYNTHETIC series, all ending on the same week."""
    frames = []
    for sid, v in values.items():
        periods = pl.date_range(START, START + dt.timedelta(weeks=v.shape[0] - 1), "1w", eager=True)
        frames.append(pl.DataFrame({"series_id": sid, "period": periods, "value": v}))
    return pl.concat(frames)


def intermittent(n_series: int, n_periods: int, seed: int, p_zero: float) -> dict[str, np.ndarray]:
    """Integer search-interest-like series that are 0 with probability ``p_zero``."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_series):
        spikes = rng.integers(1, 60, n_periods).astype(np.float64)
        out[f"synthetic-{i:02d}"] = np.where(rng.random(n_periods) < p_zero, 0.0, spikes)
    return out


def test_recent_zero_share_counts_only_the_last_observations() -> None:
    y = np.array([[5.0, 0.0, 0.0, 3.0, 0.0], [np.nan, np.nan, np.nan, 0.0, 2.0]])
    share = recent_zero_share(y, (2, 4))
    np.testing.assert_allclose(share, [[0.5, 0.75], [0.5, 0.5]])


def test_median_rule_zeroes_only_where_zeros_are_the_majority() -> None:
    forecasts = np.array([[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    out = median_rule(forecasts, np.array([0.51, 0.5, np.nan]))
    np.testing.assert_array_equal(out, [[0.0, 0.0], [5.0, 6.0], [7.0, 8.0]])


def test_mostly_zero_series_are_forecast_as_zero_when_the_backtest_keeps_the_rule() -> None:
    frame = weekly_frame(intermittent(40, 160, seed=5, p_zero=0.85))
    result = forecast(frame, frequency="week", horizon=13, config=ForecastConfig(n_jobs=1))
    # On series that are 0 most weeks, the nested backtest prefers the median rule...
    assert result.run_info["median_zero_window"] in (26, 52)
    # ...and the point forecast of such a series is then exactly 0, its upper bound not.
    zero_share = frame.group_by("series_id").agg(share=(pl.col("value").tail(26) == 0).mean())
    forecasts = result.forecasts.join(zero_share, on="series_id")
    majority = forecasts.filter(pl.col("share") > 0.5)
    assert majority.height > 0
    assert majority.get_column("mean").max() == 0.0
    assert number(majority.get_column("hi95").max()) > 0.0


def test_the_rule_can_be_turned_off_and_never_fires_without_zeros() -> None:
    frame = weekly_frame(intermittent(20, 160, seed=6, p_zero=0.85))
    off = forecast(
        frame, frequency="week", horizon=13, config=ForecastConfig(n_jobs=1, median_zero=False)
    )
    assert off.run_info["median_zero_window"] is None
    positive = weekly_frame(intermittent(10, 160, seed=7, p_zero=0.0))
    result = forecast(positive, frequency="week", horizon=13, config=ForecastConfig(n_jobs=1))
    assert result.run_info["median_zero_window"] is None
    assert number(result.forecasts.get_column("mean").min()) > 0.0


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    p_zero=st.floats(0.0, 0.95),
    n_periods=st.integers(6, 140),
    decline=st.floats(0.0, 3.0),
)
def test_non_negative_data_never_get_a_negative_forecast_or_bound(
    seed: int, p_zero: float, n_periods: int, decline: float
) -> None:
    """Falling, intermittent or short: forecasts and bounds of data >= 0 stay >= 0."""
    values = intermittent(3, n_periods, seed, p_zero)
    trend = np.maximum(0.0, 80.0 - decline * np.arange(n_periods))
    values["synthetic-falling"] = np.round(trend)
    result = forecast(
        weekly_frame(values), frequency="week", horizon=13, config=ForecastConfig(n_jobs=1)
    )
    low = result.forecasts.select(pl.min_horizontal("mean", "lo80", "lo95").min()).item()
    assert low >= 0.0
    assert result.forecasts.select(pl.col("mean").is_finite().all()).item()
