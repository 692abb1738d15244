"""Shrinking classical seasonal indices by their signal share (SYNTHETIC series)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.seasonality import classical_decomposition, seasonal_shrinkage


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    period=st.integers(2, 12),
    cycles=st.integers(2, 10),
    extra=st.integers(0, 11),
    amplitude=st.floats(0.0, 0.5),
    noise=st.floats(0.0, 0.5),
    positive=st.booleans(),
)
def test_the_kept_share_is_within_zero_and_one(
    seed: int,
    period: int,
    cycles: int,
    extra: int,
    amplitude: float,
    noise: float,
    positive: bool,
) -> None:
    rng = np.random.default_rng(seed)
    centre = 1.0 if positive else 0.0
    pattern = centre + amplitude * rng.standard_normal(period)
    n = cycles * period + extra % period
    detrended = pattern[np.arange(n) % period] + noise * rng.standard_normal(n)
    detrended[rng.random(n) < 0.2] = np.nan
    share = seasonal_shrinkage(detrended, pattern, centre)
    assert 0.0 <= share <= 1.0


def test_a_clear_season_is_kept_and_pure_noise_is_dropped() -> None:
    rng = np.random.default_rng(11)
    period, cycles = 12, 8
    pattern = 1.0 + 0.3 * np.sin(2 * np.pi * np.arange(period) / period)
    clear = pattern[np.arange(period * cycles) % period] + 0.01 * rng.standard_normal(96)
    assert seasonal_shrinkage(clear, pattern, 1.0) > 0.99
    noise = 1.0 + 0.2 * rng.standard_normal(period * cycles)
    estimated = noise.reshape(cycles, period).mean(axis=0)
    assert seasonal_shrinkage(noise, estimated, 1.0) < 0.5


def test_decomposition_damps_a_noisy_season_but_keeps_a_clean_one() -> None:
    """The reseasonalised forecast of a flat adjusted series swings less around its level
    when the seasonal indices are mostly noise than statsmodels' raw indices do."""
    from statsmodels.tsa.seasonal import seasonal_decompose

    rng = np.random.default_rng(5)
    pattern = 1.0 + 0.3 * np.cos(2 * np.pi * np.arange(4) / 4)
    clean = 50.0 * np.tile(pattern, 8)
    noisy = 50.0 * (1.0 + 0.1 * rng.standard_normal(32)) * (1.0 + 0.02 * np.tile(pattern - 1, 8))
    result = classical_decomposition(np.stack([clean, noisy]), 4, 8)
    swings = result.reseasonalise(np.ones((2, 8)))
    np.testing.assert_allclose(swings[0], np.tile(pattern, 2), rtol=1e-9)
    raw = np.asarray(seasonal_decompose(noisy, model="multiplicative", period=4).seasonal)[:4]
    assert np.ptp(swings[1]) < np.ptp(raw)
