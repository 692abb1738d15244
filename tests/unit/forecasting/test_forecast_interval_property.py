"""Calibration property of the pooled backtest quantiles (SYNTHETIC errors)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.intervals import LEVELS, calibrate_quantiles


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_series=st.integers(1, 40),
    n_origins=st.integers(1, 5),
    horizon=st.integers(1, 13),
    missing=st.floats(0.0, 0.5),
    tail=st.floats(0.5, 4.0),
)
def test_every_step_covers_at_least_its_level_of_the_backtest_errors(
    seed: int, n_series: int, n_origins: int, horizon: int, missing: float, tail: float
) -> None:
    """Half-widths are conformal: at each step, >= level of that step's pooled scaled
    backtest errors fall inside (more only where widths are made monotone)."""
    rng = np.random.default_rng(seed)
    errors = np.abs(rng.standard_t(tail, size=(n_series, 2, n_origins, horizon)))
    errors *= np.sqrt(np.arange(1, horizon + 1))
    errors[rng.random(errors.shape) < missing] = np.nan
    q = calibrate_quantiles(errors)
    assert q.shape == (2, len(LEVELS), horizon)
    assert np.all(np.isfinite(q))
    assert np.all(np.diff(q, axis=2) >= 0) and np.all(np.diff(q, axis=1) >= 0)
    for model in range(2):
        for i, level in enumerate(LEVELS):
            for step in range(horizon):
                pooled = errors[:, model, :, step]
                pooled = pooled[~np.isnan(pooled)]
                if pooled.size:
                    share = float(np.mean(pooled <= q[model, i, step] + 1e-12))
                    assert share >= level / 100.0 - 1.0 / pooled.size
