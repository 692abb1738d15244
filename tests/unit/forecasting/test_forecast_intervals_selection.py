"""Interval calibration and model selection on hand-made error arrays."""

from __future__ import annotations

import numpy as np
import pytest

from credtrends.forecasting.intervals import (
    calibrate_quantiles,
    error_scales,
    interval_bounds,
    leave_one_origin_out_coverage,
)
from credtrends.forecasting.selection import (
    combination_names,
    combine,
    nested_weights,
    top_k_weights,
)


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


def test_top_k_weights_average_the_best_and_fall_back() -> None:
    errors = np.array([[3.0, 1.0, 2.0], [np.nan, np.nan, np.nan], [1.0, np.nan, 5.0]])
    np.testing.assert_array_equal(
        top_k_weights(errors, [0, 1, 2], k=1, fallback=2), [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    )
    np.testing.assert_allclose(
        top_k_weights(errors, [0, 1, 2], k=2, fallback=2),
        np.array([[0, 0.5, 0.5], [0, 0, 1], [0.5, 0, 0.5]], dtype=np.float64),
    )
    # Only usable candidates share the weight.
    np.testing.assert_allclose(top_k_weights(errors, [0, 1], k=2, fallback=2)[2], [1, 0, 0])
    with pytest.raises(ValueError):
        top_k_weights(errors, [], k=1, fallback=0)


def test_combination_names_list_members_best_first() -> None:
    errors = np.array([[3.0, 1.0, 2.0]])
    weights = top_k_weights(errors, [0, 1, 2], k=2, fallback=0)
    assert combination_names(weights, errors, ["a", "b", "c"]) == ["b+c"]
    assert combine(weights, np.array([[[1.0], [2.0], [4.0]]]))[0, 0] == 3.0


def test_nested_weights_do_not_look_at_the_scored_origin() -> None:
    # Model 1 is far better at origin 0 only; origin 0's own choice cannot see that.
    per_origin = np.array([[[5.0, 1.0, 1.0], [0.1, 2.0, 2.0]]])  # (series, model, origin)
    chosen = nested_weights(per_origin, [0, 1], k=1, fallback=0).argmax(axis=1)
    np.testing.assert_array_equal(chosen, [[0, 1, 1]])


def test_error_scales_leave_the_scored_origin_out() -> None:
    # One series, one model, three origins (0 = most recent) with mean errors 1, 2, 6.
    errors = np.array([[[[1.0, 1.0], [2.0, 2.0], [6.0, 6.0]]]])
    per_origin, final = error_scales(errors, np.ones((1, 3)), np.ones(1), prior_points=0.0)
    np.testing.assert_allclose(per_origin[0, 0], [4.0, 3.5, 1.5])
    # The real forecast's scale averages as many origins as each calibration scale did:
    # the two most recent (errors 1 and 2), not all three.
    assert final[0, 0] == pytest.approx(1.5)


def test_error_scales_shrink_towards_the_naive_prior() -> None:
    # The model's error is 3x the naive scale on every series: the prior is 3 x naive.
    errors = np.array([[[[1.0, 1.0], [2.0, 2.0], [6.0, 6.0]]]])
    naive = np.full((1, 3), 1.0)
    per_origin, final = error_scales(errors, naive, np.ones(1), prior_points=2.0)
    # origin 0: errors of origins 1, 2 (sum 16 over 4 points) plus 2 points of prior 3.
    np.testing.assert_allclose(per_origin[0, 0], [(16 + 6) / 6, (14 + 6) / 6, (6 + 6) / 6])
    assert final[0, 0] == pytest.approx((6 + 6) / 6)
    # The default weight is one origin's worth of points (the horizon).
    default_origin, _ = error_scales(errors, naive, np.ones(1))
    np.testing.assert_allclose(default_origin, per_origin)


def test_error_scales_fall_back_to_naive_scale_times_typical_ratio() -> None:
    errors = np.full((2, 1, 2, 1), np.nan)
    errors[0, 0] = [[2.0], [2.0]]  # model error 2 where the naive scale is 1: ratio 2
    per_origin, final = error_scales(
        errors, np.array([[1.0, 1.0], [5.0, 5.0]]), np.array([1.0, 5.0])
    )
    assert final[1, 0] == pytest.approx(10.0)
    np.testing.assert_allclose(per_origin[1, 0], [10.0, 10.0])
    # With prior 2 and own errors 2, shrinkage changes nothing on series 0.
    np.testing.assert_allclose(per_origin[0, 0], [2.0, 2.0])
    assert final[0, 0] == pytest.approx(2.0)
