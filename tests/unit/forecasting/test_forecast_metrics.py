"""Known-answer and property tests for the M4 accuracy measures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.forecasting.metrics import coverage, mase, mase_scales, owa, smape, smape_terms


def test_smape_known_answer() -> None:
    # terms: 200*|100-110|/210 = 9.5238..., 200*|50-40|/90 = 22.222...
    expected = (200 * 10 / 210 + 200 * 10 / 90) / 2
    assert smape([100, 50], [110, 40]) == pytest.approx(expected)
    assert smape([100, 50], [110, 40]) == pytest.approx(15.873015873)


def test_smape_zero_actual_and_forecast_is_perfect() -> None:
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert smape_terms([0.0], [5.0])[0] == pytest.approx(200.0)


def test_mase_known_answer_non_seasonal() -> None:
    insample = [1.0, 3.0, 2.0, 4.0]  # |diffs| = 2, 1, 2 -> scale 5/3
    assert mase([5.0, 6.0], [4.0, 4.0], insample) == pytest.approx(1.5 / (5 / 3))


def test_mase_known_answer_seasonal() -> None:
    insample = [1.0, 2.0, 3.0, 2.0, 4.0, 5.0]  # lag 2 |diffs| = 2, 0, 1, 3 -> scale 1.5
    assert mase([6.0], [3.0], insample, period=2) == pytest.approx(3.0 / 1.5)


def test_mase_scale_falls_back_to_lag_one_when_too_short() -> None:
    scales = mase_scales(np.array([[1.0, 2.0, 4.0]]), period=52)
    assert scales[0] == pytest.approx(1.5)


def test_owa_known_answer() -> None:
    assert owa(9.161, 2.777, 9.161, 2.777) == 1.0
    assert owa(8.0, 2.0, 10.0, 4.0) == pytest.approx(0.5 * (0.8 + 0.5))


def test_coverage_counts_bounds_inclusive() -> None:
    assert coverage([1.0, 2.0, 3.0, 4.0], [1.0] * 4, [3.0] * 4) == 0.75


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
pairs = st.lists(st.tuples(finite, finite), min_size=1, max_size=30)


@given(pairs)
def test_smape_is_bounded_and_symmetric(values: list[tuple[float, float]]) -> None:
    a = np.array([v[0] for v in values])
    f = np.array([v[1] for v in values])
    s = smape(a, f)
    assert 0.0 <= s <= 200.0 + 1e-9
    assert s == pytest.approx(smape(f, a))


@given(st.lists(finite, min_size=1, max_size=30))
def test_smape_is_zero_for_perfect_forecast(values: list[float]) -> None:
    assert smape(values, values) == 0.0


@settings(max_examples=50)
@given(
    st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=3, max_size=30),
    st.lists(st.tuples(finite, finite), min_size=1, max_size=10),
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_mase_is_scale_invariant(
    insample: list[float], pairs_: list[tuple[float, float]], factor: float
) -> None:
    x = np.array(insample)
    # A (near-)constant history has no meaningful scale: subnormal differences such as
    # 5e-324 make the error overflow to inf in float64, which is no scale property.
    if np.mean(np.abs(np.diff(x))) < 1e-9:
        return
    a = np.array([p[0] for p in pairs_])
    f = np.array([p[1] for p in pairs_])
    base = mase(a, f, x)
    assert not math.isnan(base)
    assert mase(a * factor, f * factor, x * factor) == pytest.approx(base, rel=1e-6, abs=1e-9)
