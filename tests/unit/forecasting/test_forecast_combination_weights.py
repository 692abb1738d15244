"""Inverse-error combination weights and the errors that calibrate the selected intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.intervals import selected_errors
from credtrends.forecasting.selection import family_weights, top_k_weights


def test_inverse_error_weights_follow_one_over_the_error() -> None:
    errors = np.array([[1.0, 2.0, 4.0, 8.0]])
    weights = top_k_weights(errors, [0, 1, 2, 3], k=3, fallback=0, inverse_error=True)
    expected = np.array([1.0, 0.5, 0.25, 0.0]) / 1.75
    np.testing.assert_allclose(weights[0], expected)
    equal = top_k_weights(errors, [0, 1, 2, 3], k=3, fallback=0)
    np.testing.assert_allclose(equal[0], [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_inverse_error_weights_share_perfect_ties_and_keep_the_fallback() -> None:
    errors = np.array([[0.0, 0.0, 3.0], [np.nan, np.nan, np.nan], [0.0, 5.0, np.nan]])
    weights = top_k_weights(errors, [0, 1, 2], k=2, fallback=2, inverse_error=True)
    np.testing.assert_allclose(weights[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(weights[1], [0.0, 0.0, 1.0])  # no backtest: fallback
    # A perfect backtest dominates, but the weights stay finite and sum to 1.
    assert weights[2, 0] > 0.999 and np.isclose(weights[2].sum(), 1.0)


def test_family_weights_pass_the_weighting_on() -> None:
    # Models 0, 1 plain (0 the plain reference); 2, 3 seasonal (2 the seasonal reference).
    errors = np.array([[1.0, 3.0, 2.0, 4.0]])
    weights = family_weights(
        errors, [0, 1, 2, 3], 2, 0, [False, False, True, True], (0, 2), inverse_error=True
    )
    np.testing.assert_allclose(weights[0], [0.75, 0.25, 0.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_series=st.integers(1, 30),
    n_models=st.integers(1, 8),
    k=st.integers(1, 5),
    missing=st.floats(0.0, 0.9),
    zeros=st.floats(0.0, 0.5),
)
def test_inverse_error_weights_are_a_combination_ordered_by_error(
    seed: int, n_series: int, n_models: int, k: int, missing: float, zeros: float
) -> None:
    """Weights are >= 0, sum to 1, sit on at most k candidates, and a lower error never
    gets a lower weight (SYNTHETIC errors, zeros and gaps included)."""
    rng = np.random.default_rng(seed)
    errors = rng.gamma(2.0, 1.0, size=(n_series, n_models))
    errors[rng.random(errors.shape) < zeros] = 0.0
    errors[rng.random(errors.shape) < missing] = np.nan
    candidates = list(range(n_models))
    weights = top_k_weights(errors, candidates, k, fallback=0, inverse_error=True)
    assert np.all(np.isfinite(weights)) and np.all(weights >= 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert np.all((weights > 0).sum(axis=1) <= k)
    for s in range(n_series):
        used = np.flatnonzero(weights[s] > 0)
        if np.isfinite(errors[s]).any():
            assert np.all(np.isfinite(errors[s, used]))
            for a in used:
                for b in used:
                    if errors[s, a] < errors[s, b]:
                        assert weights[s, a] >= weights[s, b]


def test_selected_errors_are_halfway_and_fill_gaps_from_the_other() -> None:
    nested = np.array([[2.0, np.nan, 4.0, np.nan]])
    chosen = np.array([[1.0, 3.0, np.nan, np.nan]])
    out = selected_errors(nested, chosen)
    np.testing.assert_allclose(out[0, :3], [1.5, 3.0, 4.0])
    assert np.isnan(out[0, 3])
    np.testing.assert_allclose(selected_errors(nested, chosen, share=0.0)[0, 0], 2.0)
    with pytest.raises(ValueError, match="share"):
        selected_errors(nested, chosen, share=1.5)
