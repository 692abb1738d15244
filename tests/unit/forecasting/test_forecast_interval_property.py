"""Calibration property of the pooled backtest quantiles (SYNTHETIC errors)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.intervals import LEVELS, calibrate_quantiles, error_scales


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


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_series=st.integers(1, 20),
    n_origins=st.integers(1, 5),
    horizon=st.integers(1, 13),
    missing=st.floats(0.0, 0.6),
)
def test_error_scales_are_positive_and_between_own_errors_and_prior(
    seed: int, n_series: int, n_origins: int, horizon: int, missing: float
) -> None:
    """Every scale is finite and positive, and a shrunk mean lies between the series' own
    mean error (over the origins it may use) and the naive-scale prior."""
    rng = np.random.default_rng(seed)
    errors = np.abs(rng.standard_t(3.0, size=(n_series, 2, n_origins, horizon)))
    errors[rng.random(errors.shape) < missing] = np.nan
    naive = rng.uniform(0.1, 5.0, size=(n_series, n_origins))
    final_naive = rng.uniform(0.1, 5.0, size=n_series)
    per_origin, final = error_scales(errors, naive, final_naive)
    assert per_origin.shape == (n_series, 2, n_origins) and final.shape == (n_series, 2)
    assert np.all(np.isfinite(per_origin) & (per_origin > 0))
    assert np.all(np.isfinite(final) & (final > 0))
    prior_only_origin, prior_only_final = error_scales(errors, naive, final_naive, 1e12)
    for s in range(n_series):
        for m in range(2):
            used = errors[s, m, : max(n_origins - 1, 0)]
            used = used[~np.isnan(used)]
            if used.size and np.any(used > 0):
                low, high = sorted((float(used.mean()), float(prior_only_final[s, m])))
                assert low - 1e-9 <= final[s, m] <= high + 1e-9
            for j in range(n_origins):
                others = np.delete(errors[s, m], j, axis=0)
                others = others[~np.isnan(others)]
                if others.size and np.any(others > 0):
                    low, high = sorted((float(others.mean()), float(prior_only_origin[s, m, j])))
                    assert low - 1e-9 <= per_origin[s, m, j] <= high + 1e-9
