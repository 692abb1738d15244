"""Intervals from signed backtest errors: one quantile per tail (SYNTHETIC errors)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.intervals import (
    LEVELS,
    calibrate_quantiles,
    interval_bounds,
    signed_quantiles,
)
from credtrends.forecasting.panel import FloatArray


def _symmetric(signed: FloatArray) -> FloatArray:
    """The symmetric half-widths (level, step) of the same errors."""
    return np.asarray(calibrate_quantiles(np.abs(signed)[:, None])[0], dtype=np.float64)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_series=st.integers(1, 40),
    n_origins=st.integers(1, 5),
    horizon=st.integers(1, 13),
    missing=st.floats(0.0, 0.5),
    shift=st.floats(-3.0, 3.0),
)
def test_each_tail_leaves_out_at_most_its_share_of_the_backtest_errors(
    seed: int, n_series: int, n_origins: int, horizon: int, missing: float, shift: float
) -> None:
    """Per step and level, at most (1 - level) / 2 of the pooled signed errors (plus one
    point of rounding) fall below the lower side, as many above the upper; both sides are
    finite, non-negative and never narrower at a later step or a higher level."""
    rng = np.random.default_rng(seed)
    signed = rng.standard_t(3.0, size=(n_series, n_origins, horizon)) + shift
    signed *= np.sqrt(np.arange(1, horizon + 1))
    signed[rng.random(signed.shape) < missing] = np.nan
    sides = signed_quantiles(signed, _symmetric(signed), share=1.0)
    assert sides.shape == (2, len(LEVELS), horizon)
    assert np.all(np.isfinite(sides)) and np.all(sides >= 0.0)
    assert np.all(np.diff(sides, axis=2) >= 0) and np.all(np.diff(sides, axis=1) >= 0)
    for i, level in enumerate(LEVELS):
        tail = (100 - level) / 200.0
        for step in range(horizon):
            pooled = signed[:, :, step]
            pooled = pooled[~np.isnan(pooled)]
            if pooled.size:
                below = float(np.mean(pooled < -sides[0, i, step] - 1e-12))
                above = float(np.mean(pooled > sides[1, i, step] + 1e-12))
                assert below <= tail + 1.0 / pooled.size
                assert above <= tail + 1.0 / pooled.size


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_series=st.integers(1, 30),
    n_origins=st.integers(1, 5),
    horizon=st.integers(1, 13),
    missing=st.floats(0.0, 0.5),
    shift=st.floats(-3.0, 3.0),
    share=st.floats(0.0, 1.0),
)
def test_a_share_moves_each_side_from_the_symmetric_width_towards_its_tail(
    seed: int,
    n_series: int,
    n_origins: int,
    horizon: int,
    missing: float,
    shift: float,
    share: float,
) -> None:
    """Share 0 is the symmetric interval; any share gives finite, non-negative, monotone
    sides no wider than the wider of the symmetric width and the tail's own."""
    rng = np.random.default_rng(seed)
    signed = rng.standard_t(3.0, size=(n_series, n_origins, horizon)) + shift
    signed[rng.random(signed.shape) < missing] = np.nan
    symmetric = _symmetric(signed)
    assert np.allclose(signed_quantiles(signed, symmetric, share=0.0), symmetric[None])
    sides = signed_quantiles(signed, symmetric, share=share)
    assert np.all(np.isfinite(sides)) and np.all(sides >= 0.0)
    assert np.all(np.diff(sides, axis=2) >= 0) and np.all(np.diff(sides, axis=1) >= 0)
    tails = signed_quantiles(signed, symmetric, share=1.0)
    assert np.all(sides <= np.maximum(symmetric[None], tails) + 1e-9)


def test_intervals_lean_towards_the_side_the_errors_fall_on() -> None:
    """Forecasts that lag a rising level err upwards: the upper side is the wider, and the
    two together are narrower than the symmetric interval that covers the same share."""
    rng = np.random.default_rng(3)
    signed = 2.0 + rng.standard_normal((200, 4, 6))
    symmetric = _symmetric(signed)
    sides = signed_quantiles(signed, symmetric)
    assert np.all(sides[1] > sides[0])
    assert np.all(sides[0] + sides[1] < 2.0 * symmetric)


def test_a_step_without_errors_falls_back_to_the_symmetric_width() -> None:
    signed = np.full((3, 2, 2), np.nan)
    signed[:, :, 0] = [[-1.0, 1.0], [0.5, -0.5], [2.0, -2.0]]
    symmetric = np.array([[1.0, 4.0], [2.0, 5.0]])
    sides = signed_quantiles(signed, symmetric)
    assert np.allclose(sides[:, :, 1], symmetric[None, :, 1])


def test_bounds_take_the_lower_width_below_the_point() -> None:
    mean = np.array([[10.0, 10.0]])
    upper_width = np.full((1, 2, 2), 2.0)
    lower_width = np.full((1, 2, 2), 1.0)
    lower, upper = interval_bounds(
        mean, upper_width, np.array([1.5]), non_negative=True, lower_width=lower_width
    )
    assert np.allclose(lower, 8.5) and np.allclose(upper, 13.0)
