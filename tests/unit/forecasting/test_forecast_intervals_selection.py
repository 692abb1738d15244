"""Interval calibration and model selection on hand-made error arrays."""

from __future__ import annotations

import numpy as np
import pytest

from credtrends.forecasting.intervals import (
    calibrate_quantiles,
    interval_bounds,
    leave_one_origin_out_coverage,
)
from credtrends.forecasting.selection import nested_selection, select_models


def test_quantiles_are_pooled_per_step_and_never_shrink() -> None:
    # (series, model, origin, step): step 1 errors 1..100, step 2 errors half as big.
    errors = np.zeros((25, 1, 4, 2))
    errors[:, 0, :, 0] = np.arange(1, 101).reshape(25, 4)
    errors[:, 0, :, 1] = errors[:, 0, :, 0] / 2
    q = calibrate_quantiles(errors)
    assert q.shape == (1, 2, 2)
    assert q[0, 0, 0] == pytest.approx(np.quantile(np.arange(1, 101), 0.8))
    assert q[0, 1, 0] == pytest.approx(np.quantile(np.arange(1, 101), 0.95))
    # Step 2 is calmer in the data, but the half-width is carried forward, not shrunk.
    assert q[0, 0, 1] == q[0, 0, 0]


def test_model_without_backtest_gets_the_widest_known_width() -> None:
    errors = np.full((10, 2, 3, 1), np.nan)
    errors[:, 0] = 1.0
    q = calibrate_quantiles(errors)
    assert q[1, 0, 0] == q[0, 0, 0] == 1.0


def test_bounds_scale_per_series_and_clip_at_zero() -> None:
    mean = np.array([[1.0, 1.0], [50.0, 50.0]])
    half = np.ones((2, 2, 2)) * np.array([1.0, 2.0])[None, :, None]
    lower, upper = interval_bounds(mean, half, np.array([3.0, 1.0]), non_negative=True)
    assert lower[0, 0, 0] == 0.0 and upper[0, 1, 0] == 7.0
    assert lower[1, 1, 1] == 48.0
    lower, _ = interval_bounds(mean, half, np.array([3.0, 1.0]), non_negative=False)
    assert lower[0, 1, 0] == -5.0


def test_leave_one_origin_out_coverage_is_nominal_on_iid_errors() -> None:
    rng = np.random.default_rng(0)
    errors = np.abs(rng.normal(size=(2000, 1, 4, 3)))
    inside, scored = leave_one_origin_out_coverage(errors)
    cover = inside.sum(axis=0) / scored.sum(axis=0)
    assert cover[0, 0] == pytest.approx(0.80, abs=0.015)
    assert cover[0, 1] == pytest.approx(0.95, abs=0.01)


def test_selection_picks_lowest_error_and_falls_back() -> None:
    errors = np.array([[3.0, 1.0, 2.0], [np.nan, np.nan, np.nan], [1.0, 1.0, 5.0]])
    np.testing.assert_array_equal(select_models(errors, [0, 1, 2], fallback=2), [1, 2, 0])
    np.testing.assert_array_equal(select_models(errors, [0, 2], fallback=2), [2, 2, 0])
    with pytest.raises(ValueError):
        select_models(errors, [], fallback=0)


def test_nested_selection_does_not_look_at_the_scored_origin() -> None:
    # Model 1 wins origin 0 by far but loses the others: only origin 0's choice sees that.
    per_origin = np.array([[[5.0, 1.0, 1.0], [0.1, 2.0, 2.0]]])  # (series, model, origin)
    np.testing.assert_array_equal(nested_selection(per_origin, [0, 1], fallback=0), [[0, 1, 1]])
