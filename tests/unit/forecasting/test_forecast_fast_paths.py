"""The fast paths equal the plain numpy they replace (SYNTHETIC inputs, every seed)."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.intervals import _sorted_quantiles
from credtrends.forecasting.seasonality import fourier_terms


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 6),
    width=st.integers(1, 60),
    missing=st.floats(0.0, 1.0),
    level=st.floats(0.0, 1.0),
)
def test_sorted_quantiles_equal_numpy_nanquantile(
    seed: int, rows: int, width: int, missing: float, level: float
) -> None:
    rng = np.random.default_rng(seed)
    values = rng.standard_t(2.0, size=(rows, 3, width))
    values[rng.random(values.shape) < missing] = np.nan
    ours = _sorted_quantiles(values, (level, 0.95))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        expected = np.stack([np.nanquantile(values, q, axis=-1) for q in (level, 0.95)])
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    harmonics=st.integers(1, 12),
    period=st.floats(2.0, 60.0),
)
def test_fourier_recurrence_equals_direct_sines(seed: int, harmonics: int, period: float) -> None:
    rng = np.random.default_rng(seed)
    time = rng.uniform(-3000.0, 3000.0, size=(4, 50))
    angle = 2.0 * np.pi * time[..., None] * np.arange(1, harmonics + 1) / period
    expected = np.concatenate([np.sin(angle), np.cos(angle)], axis=-1)
    np.testing.assert_allclose(fourier_terms(time, period, harmonics), expected, atol=1e-9)
