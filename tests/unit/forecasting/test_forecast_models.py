"""Models recover what they should, and match statsmodels where they reimplement it."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing

from credtrends.forecasting.models import (
    MODEL_NAMES,
    SEASONAL_SUFFIX,
    ModelSettings,
    arima,
    forecast_origin,
    linear_slope,
    naive2,
    optimised_theta,
    seasonal_naive,
    ses,
    theta,
    trend_smoothing,
)
from credtrends.forecasting.seasonality import fit_fourier_seasonality, m4_seasonality_test

WEEK_YEAR = 365.25 / 7.0
H = 13


def model(result: np.ndarray, name: str) -> np.ndarray:
    return result[:, MODEL_NAMES.index(name), :]


def test_trend_models_recover_a_pure_line() -> None:
    t = np.arange(80, dtype=np.float64)
    y = (10.0 + 2.0 * t)[None, :]
    expected = 10.0 + 2.0 * np.arange(80, 80 + H)
    settings = ModelSettings(seasonal_period=None, naive2_period=1)
    out = forecast_origin(y, np.array([79.0]), H, settings).forecasts
    for name in ("holt", "ets", "arima"):
        np.testing.assert_allclose(model(out, name)[0], expected, rtol=1e-6, err_msg=name)
    # Damped trend bends away from the line, but only a little over 13 steps.
    np.testing.assert_allclose(model(out, "damped")[0], expected, rtol=0.05)


def test_seasonal_adjustment_recovers_a_pure_yearly_season() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(260 + H, dtype=np.float64)
    truth = (
        50.0 + 20.0 * np.sin(2 * np.pi * t / WEEK_YEAR) + 8.0 * np.cos(4 * np.pi * t / WEEK_YEAR)
    )
    y = (truth[:260] + rng.normal(0, 1.0, 260))[None, :]
    settings = ModelSettings(seasonal_period=WEEK_YEAR, naive2_period=1)
    result = forecast_origin(y, np.array([259.0]), H, settings)
    assert result.seasonal[0]
    for name in ("ses", "theta", "ets", "arima", "comb"):
        seasonal_name = f"{name}{SEASONAL_SUFFIX}"
        error = np.abs(model(result.forecasts, seasonal_name)[0] - truth[260:]).mean()
        assert error < 2.0, name  # amplitude 20: ignoring the season would be off by ~15
    naive_error = np.abs(model(result.forecasts, "naive")[0] - truth[260:]).mean()
    assert naive_error > 5.0


def test_fourier_seasonality_is_not_found_in_noise() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(50, 5, (20, 260))
    time = np.broadcast_to(np.arange(260, dtype=np.float64), y.shape)
    assert not fit_fourier_seasonality(y, time, WEEK_YEAR).seasonal.any()


def test_seasonal_naive_repeats_last_season() -> None:
    y = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]])
    np.testing.assert_array_equal(seasonal_naive(y, 6, 4)[0], [5, 6, 7, 8, 5, 6])
    np.testing.assert_array_equal(seasonal_naive(y[:, :3], 2, 4)[0], [3, 3])  # too short


def test_naive2_is_naive_on_classically_deseasonalised_data() -> None:
    rng = np.random.default_rng(3)
    pattern = np.array([0.8, 1.0, 1.3, 0.9])
    y = (np.tile(pattern, 10) * 100 * np.exp(rng.normal(0, 0.01, 40)))[None, :]
    assert m4_seasonality_test(y, 4)[0]
    out = naive2(y, 8, 4)[0]
    np.testing.assert_allclose(out / out.mean(), np.tile(pattern / pattern.mean(), 2), rtol=0.05)
    np.testing.assert_array_equal(naive2(y, 8, 1)[0], np.repeat(y[0, -1], 8))


def test_m4_seasonality_test_rejects_white_noise() -> None:
    rng = np.random.default_rng(4)
    assert m4_seasonality_test(rng.normal(100, 1, (50, 60)), 4).mean() < 0.2


def _random_walk(seed: int, n: int = 120) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 + np.cumsum(rng.normal(0.3, 1.0, n)) + rng.normal(0, 1.0, n)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_ses_matches_statsmodels(seed: int) -> None:
    y = _random_walk(seed)
    ours = ses(y[None, :], H)
    fit = SimpleExpSmoothing(y, initialization_method="known", initial_level=y[0]).fit()
    assert ours.sse[0] <= fit.sse * 1.002
    assert ours.forecasts[0, 0] == pytest.approx(fit.forecast(1)[0], abs=0.5)


@pytest.mark.parametrize("seed", [8, 9])
def test_holt_grid_fit_is_close_to_statsmodels_optimum(seed: int) -> None:
    y = _random_walk(seed)
    ours = trend_smoothing(y[None, :], H, damped=False)
    t = np.arange(10.0)
    slope, intercept = np.polyfit(t, y[:10], 1)
    fit = ExponentialSmoothing(
        y,
        trend="add",
        initialization_method="known",
        initial_level=intercept - slope,
        initial_trend=slope,
    ).fit()
    assert ours.sse[0] <= fit.sse * 1.05


def test_theta_drift_is_half_the_regression_slope() -> None:
    y = _random_walk(10)[None, :]
    fit = ses(y, H)
    out = theta(y, H, fit)
    np.testing.assert_allclose(np.diff(out[0]), linear_slope(y)[0] / 2.0, rtol=1e-9)


def test_optimised_theta_with_theta_one_is_ses() -> None:
    y = np.stack([_random_walk(s) for s in range(3)])
    out, chosen = optimised_theta(y, H, np.array([1.0]))
    np.testing.assert_allclose(out, ses(y, H, refine=False).forecasts, rtol=1e-12)
    np.testing.assert_array_equal(chosen, [1.0, 1.0, 1.0])


def test_optimised_theta_chooses_the_lowest_in_sample_error_per_series() -> None:
    """Each series gets the theta whose SES on the theta line fits it best (over theta^2),
    whatever the other rows of the panel are; a trend is followed, a flat series stays
    flat."""
    rng = np.random.default_rng(4)
    t = np.arange(120, dtype=np.float64)
    trending = 10.0 + 0.8 * t + rng.normal(0, 2.0, 120)
    flat = 50.0 + rng.normal(0, 2.0, 120)
    y = np.full((3, 120), np.nan)
    y[0], y[1], y[2, 40:] = trending, flat, _random_walk(9)[:80]
    grid = np.array([1.0, 2.0, 3.0, 5.0])
    out, chosen = optimised_theta(y, H, grid)
    for row in range(3):
        single, single_theta = optimised_theta(y[row : row + 1], H, grid)
        np.testing.assert_allclose(out[row], single[0], rtol=1e-12)
        assert chosen[row] == single_theta[0]
        values = y[row][~np.isnan(y[row])]
        line = np.polyval(np.polyfit(np.arange(values.size), values, 1), np.arange(values.size))
        errors = [
            ses((th * values + (1 - th) * line)[None], H, refine=False).sse[0] / th**2
            for th in grid
        ]
        assert chosen[row] == grid[int(np.argmin(errors))]
    assert chosen[0] > 1.0  # SES alone would not follow the trend
    assert 0.4 < float(np.mean(np.diff(out[0]))) < 1.0  # true slope 0.8
    assert abs(float(np.mean(np.diff(out[1])))) < 0.1


def test_arima_follows_drift_and_handles_padding() -> None:
    y = np.full((2, 50), np.nan)
    y[0] = 5.0 + 0.5 * np.arange(50)
    y[1, 20:] = 3.0 - 0.25 * np.arange(30)
    out = arima(y, 4)
    np.testing.assert_allclose(out[0], 5.0 + 0.5 * np.arange(50, 54), rtol=1e-6)
    np.testing.assert_allclose(out[1], 3.0 - 0.25 * np.arange(30, 34), rtol=1e-6)


def test_series_not_started_at_origin_get_no_forecast() -> None:
    y = np.full((2, 30), np.nan)
    y[0] = np.arange(30.0)
    y[1, 29] = np.nan
    out = forecast_origin(y, np.array([29.0, 29.0]), 3, ModelSettings(None, 1)).forecasts
    plain = [i for i, name in enumerate(MODEL_NAMES) if not name.endswith(SEASONAL_SUFFIX)]
    assert np.isfinite(out[0, plain]).all()
    assert np.isnan(out[0, ~np.isin(np.arange(len(MODEL_NAMES)), plain)]).all()  # no season
    assert np.isnan(out[1]).all()


def test_fast_trend_filter_equals_the_masked_one() -> None:
    """Re-initialising each row at its start gives the masked filter's states exactly."""
    from credtrends.forecasting.models import _filter_trend, _filter_trend_masked

    rng = np.random.default_rng(0)
    y = rng.normal(10, 2, (40, 120)).cumsum(axis=1)
    for i in range(40):
        y[i, : rng.integers(0, 110)] = np.nan
    alpha, beta, phi = np.array([0.1, 0.5, 0.9]), np.array([0.05, 0.2, 0.3]), np.array([0.9, 1, 1])
    for fast, masked in zip(
        _filter_trend(y, alpha, beta, phi), _filter_trend_masked(y, alpha, beta, phi), strict=True
    ):
        np.testing.assert_allclose(fast, masked, rtol=1e-9, atol=1e-8)


def test_m4_indices_match_statsmodels_and_keep_series_with_zeros() -> None:
    """M4's Naive2 deseasonalisation: statsmodels' numbers on positive data, no positivity rule."""
    from statsmodels.tsa.seasonal import seasonal_decompose

    from credtrends.forecasting.seasonality import m4_seasonal_indices

    rng = np.random.default_rng(3)
    pattern = 1.0 + 0.4 * np.sin(2 * np.pi * np.arange(12) / 12)
    y = 100.0 * np.tile(pattern, 6)[None, :] * rng.uniform(0.97, 1.03, (1, 72))
    inside, future = m4_seasonal_indices(y, 12, 18)
    expected = np.asarray(seasonal_decompose(y[0], model="multiplicative", period=12).seasonal)
    np.testing.assert_allclose(inside[0], expected, rtol=1e-10)
    np.testing.assert_allclose(future[0], expected[np.arange(72, 90) % 12], rtol=1e-10)
    with_zero = y.copy()
    with_zero[0, 30] = 0.0
    zero_inside, _ = m4_seasonal_indices(with_zero, 12, 18)
    assert not np.allclose(zero_inside[0], 1.0)  # still deseasonalised despite the zero
    forecast = naive2(with_zero, 18, 12)
    assert np.isfinite(forecast).all() and not np.allclose(forecast[0], forecast[0, 0])


def test_classical_decomposition_is_multiplicative_only_for_positive_series() -> None:
    from credtrends.forecasting.seasonality import classical_decomposition

    pattern = 1.0 + 0.3 * np.cos(2 * np.pi * np.arange(4) / 4)
    positive = 50.0 * np.tile(pattern, 8)
    with_zero = positive - positive.min()
    result = classical_decomposition(np.stack([positive, with_zero]), 4, 8)
    assert result.usable.all()
    assert result.multiplicative.tolist() == [True, False]
    # A pure seasonal series is flat once adjusted, and the season comes back on the forecast.
    np.testing.assert_allclose(result.adjusted[0], 50.0, rtol=1e-9)
    np.testing.assert_allclose(result.reseasonalise(np.full((2, 8), 1.0))[0], np.tile(pattern, 2))
