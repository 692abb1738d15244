"""Forecast models, each fitted to many series at once.

Every model takes a right-aligned NaN-padded panel ``y`` (series x time; the last column is
the forecast origin) and returns an ``(series, horizon)`` array. Fitting is vectorised over
series and over a grid of smoothing parameters: statsmodels' per-call overhead (tens of
milliseconds) would dominate 14,000 fits of models whose arithmetic costs microseconds, so
the exponential smoothing family, Theta and the ARIMA family are written in numpy here and
checked against statsmodels in the tests.

Yearly seasonality is handled by :func:`forecast_origin`: every non-seasonal model runs
twice, on the series as it is and on the seasonally adjusted series with the seasonal
component put back (``<model>_seasonal``; classical decomposition by statsmodels for
months and quarters, a calendar Fourier pattern for 52.18-week years, see
``seasonality.py``), as STL+ETS (``stlf``) and the M4 benchmarks do. No threshold decides
which series are seasonal: the backtest compares both families (``selection.py``).

``theta`` is the optimised Theta method (theta line chosen per series, as statsforecast's
AutoTheta does); :func:`theta`, the standard method, stays for M4's benchmark.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np

from credtrends.forecasting.panel import BoolArray, FloatArray, IntArray, first_valid_index
from credtrends.forecasting.seasonality import (
    SeasonalAdjustment,
    classical_decomposition,
    fourier_adjustment,
    m4_seasonal_indices,
)

_T = TypeVar("_T")

#: Models fitted to the series as they are and, as ``<name>_seasonal``, to the seasonally
#: adjusted series (the seasonal component is put back on the forecast).
ADJUSTABLE: Final[tuple[str, ...]] = ("ses", "holt", "damped", "theta", "ets", "arima", "comb")
SEASONAL_SUFFIX: Final = "_seasonal"

#: Every model the engine can run, in a fixed order (arrays are indexed by it).
MODEL_NAMES: Final[tuple[str, ...]] = (
    "naive",
    "snaive",
    "naive2",
    *ADJUSTABLE,
    *(f"{m}{SEASONAL_SUFFIX}" for m in ADJUSTABLE),
)

#: Per model, whether it models the season (the backtest chooses between the two families).
SEASONAL_FAMILY: Final[tuple[bool, ...]] = tuple(
    name == "snaive" or name.endswith(SEASONAL_SUFFIX) for name in MODEL_NAMES
)

#: Members of the combination: mean of SES, damped trend and Theta (M4's strong trio).
COMB_MEMBERS: Final[tuple[str, ...]] = ("ses", "damped", "theta")

_SES_GRID: Final = np.array(
    [0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99]
)
_REFINE_FACTORS: Final = np.array([0.6, 0.75, 0.87, 1.0, 1.15, 1.3, 1.6])
_DAMPED_ALPHA: Final = np.array([0.02, 0.06, 0.12, 0.2, 0.3, 0.45, 0.6, 0.8, 0.95])
_DAMPED_BETA: Final = np.array([0.01, 0.05, 0.15, 0.35])  # relative to alpha
_DAMPED_PHI: Final = np.array([0.8, 0.88, 0.94, 0.98])
_INIT_POINTS: Final = 10
_ARIMA_MAX_P: Final = 3
#: Theta lines the optimised Theta method chooses from (1 = SES, 2 = standard Theta).
THETA_GRID: Final = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 4.0])


@dataclass(frozen=True)
class SmoothingFit:
    """Point forecasts of an exponential smoothing model and what model choice needs."""

    forecasts: FloatArray
    sse: FloatArray
    n_obs: IntArray
    n_params: int
    alpha: FloatArray


def _valid_rows(y: FloatArray) -> BoolArray:
    return np.asarray(~np.isnan(y[:, -1]), dtype=np.bool_)


def naive(y: FloatArray, horizon: int) -> FloatArray:
    """Last value carried forward."""
    return np.repeat(y[:, -1:], horizon, axis=1)


def seasonal_naive(y: FloatArray, horizon: int, period: int) -> FloatArray:
    """Value one season earlier; falls back to naive where the history is too short."""
    out = naive(y, horizon)
    if period <= 1:
        return out
    n_time = y.shape[1]
    steps = np.arange(1, horizon + 1)
    columns = n_time - 1 + steps - period * np.ceil(steps / period).astype(np.int64)
    if columns.min() < 0:
        return out
    seasonal = y[:, columns]
    usable = ~np.isnan(seasonal).any(axis=1)
    out[usable] = seasonal[usable]
    return out


def naive2(y: FloatArray, horizon: int, period: int) -> FloatArray:
    """M4's Naive2: naive on the classically (multiplicatively) deseasonalised series.

    Seasonal where M4's 90% ACF test says so (n >= 3m, m > 1), with no positivity rule
    (see :func:`m4_seasonal_indices`); with m = 1 (M4's weekly convention) it is naive.
    """
    if period <= 1:
        return naive(y, horizon)
    inside, future = m4_seasonal_indices(y, period, horizon)
    return np.asarray((y[:, -1] / inside[:, -1])[:, None] * future, dtype=np.float64)


def _filter_ses(y: FloatArray, alpha: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Run SES for every series and every alpha column; return final level and SSE."""
    n_series, n_time = y.shape
    first = first_valid_index(y)
    rows = np.arange(n_series)
    start_value = y[rows, np.minimum(first, n_time - 1)]
    level = np.broadcast_to(start_value[:, None], (n_series, alpha.shape[-1])).copy()
    sse = np.zeros_like(level)
    filled = np.nan_to_num(y)
    mask = (~np.isnan(y)).astype(np.float64)
    error = np.empty_like(level)
    for t in range(int(first.min()) + 1 if n_series else n_time, n_time):
        np.subtract(filled[:, t : t + 1], level, out=error)
        error *= mask[:, t : t + 1]
        sse += error * error
        level += alpha * error
    return level, sse


def ses(y: FloatArray, horizon: int, *, refine: bool = True) -> SmoothingFit:
    """Simple exponential smoothing, alpha by least squares (a grid, then two finer ones;
    the grid alone without ``refine``)."""
    n_series = y.shape[0]
    grid = np.broadcast_to(_SES_GRID, (n_series, _SES_GRID.shape[0]))
    level, sse = _filter_ses(y, grid)
    rows = np.arange(n_series)
    fine = grid
    for factors in (_REFINE_FACTORS, np.sqrt(_REFINE_FACTORS)) if refine else ():
        centre = fine[rows, np.argmin(sse, axis=1)]
        fine = np.clip(centre[:, None] * factors, 0.005, 0.999)
        level, sse = _filter_ses(y, fine)
    best = np.argmin(sse, axis=1)
    n_obs = np.sum(~np.isnan(y), axis=1).astype(np.int64)
    return SmoothingFit(
        forecasts=np.repeat(level[rows, best][:, None], horizon, axis=1),
        sse=sse[rows, best],
        n_obs=n_obs,
        n_params=2,
        alpha=fine[rows, best],
    )


def _initial_trend(y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Intercept and slope of a line through the first few observations (ets() heuristic)."""
    n_time = y.shape[1]
    first = first_valid_index(y)
    columns = np.minimum(first[:, None] + np.arange(_INIT_POINTS), n_time - 1)
    values = np.take_along_axis(y, columns, axis=1)
    used = (first[:, None] + np.arange(_INIT_POINTS)) <= n_time - 1
    used &= ~np.isnan(values)
    t = np.where(used, np.arange(_INIT_POINTS, dtype=np.float64), 0.0)
    v = np.where(used, values, 0.0)
    count = used.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = t.sum(axis=1) / count
        v_mean = v.sum(axis=1) / count
        cov = np.sum(np.where(used, (t - t_mean[:, None]) * (v - v_mean[:, None]), 0.0), axis=1)
        var = np.sum(np.where(used, (t - t_mean[:, None]) ** 2, 0.0), axis=1)
        slope = np.where(var > 0, cov / var, 0.0)
    intercept = v_mean - slope * t_mean
    return np.nan_to_num(intercept), np.nan_to_num(slope)


def _filter_trend(
    y: FloatArray, alpha: FloatArray, beta: FloatArray, phi: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Additive (damped) trend ETS for every series and parameter column.

    Series are right-aligned with NaN only before their start (what ``prepare_series``
    gives), so instead of masking every update, each row's state is (re)initialised at its
    first observation: the loop then runs on in-place array operations only, the cost of
    the whole backtest. A panel with inner gaps takes the masked path.
    """
    n_series, n_time = y.shape
    first = first_valid_index(y)
    leading = int(np.isnan(y).sum())
    if leading != int(np.minimum(first, n_time).sum()):
        return _filter_trend_masked(y, alpha, beta, phi)
    intercept, slope = _initial_trend(y)
    shape = (n_series, alpha.shape[-1])
    start_trend = np.broadcast_to(slope[:, None], shape)
    start_level = intercept[:, None] - phi * start_trend
    trend = start_trend.copy()
    level = start_level.copy()
    sse = np.zeros(shape)
    filled = np.ascontiguousarray(np.nan_to_num(y).T)
    alpha_beta = alpha * beta
    error = np.empty(shape)
    damped = np.empty(shape)
    scratch = np.empty(shape)
    begin = int(first.min()) if n_series else n_time
    starting = {int(t): np.flatnonzero(first == t) for t in np.unique(first) if t < n_time}
    for t in range(begin, n_time):
        rows = starting.get(t)
        if rows is not None and t > begin:
            trend[rows] = start_trend[rows]
            level[rows] = start_level[rows]
            sse[rows] = 0.0
        np.multiply(phi, trend, out=damped)
        np.subtract(filled[t][:, None], level, out=error)
        error -= damped
        np.multiply(error, error, out=scratch)
        sse += scratch
        level += damped
        np.multiply(alpha, error, out=scratch)
        level += scratch
        np.multiply(alpha_beta, error, out=trend)
        trend += damped
    return level, trend, sse


def _filter_trend_masked(
    y: FloatArray, alpha: FloatArray, beta: FloatArray, phi: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`_filter_trend` for panels with inner gaps: a missing value updates nothing."""
    n_series, n_time = y.shape
    intercept, slope = _initial_trend(y)
    shape = (n_series, alpha.shape[-1])
    trend = np.broadcast_to(slope[:, None], shape).copy()
    level = intercept[:, None] - phi * trend
    sse = np.zeros(shape)
    filled = np.nan_to_num(y)
    mask = (~np.isnan(y)).astype(np.float64)
    first = first_valid_index(y)
    alpha_beta = alpha * beta
    error = np.empty(shape)
    damped = np.empty(shape)
    for t in range(int(first.min()) if n_series else n_time, n_time):
        m = mask[:, t : t + 1]
        np.multiply(phi, trend, out=damped)
        np.subtract(filled[:, t : t + 1], level, out=error)
        error -= damped
        error *= m
        sse += error * error
        level += m * (damped + alpha * error)
        trend += m * (damped - trend) + alpha_beta * error
    return level, trend, sse


def trend_smoothing(y: FloatArray, horizon: int, *, damped: bool) -> SmoothingFit:
    """Holt's linear trend (phi = 1) or the damped trend method, by grid least squares."""
    phis = _DAMPED_PHI if damped else np.array([1.0])
    a, b, p = np.meshgrid(_DAMPED_ALPHA, _DAMPED_BETA, phis, indexing="ij")
    alpha, beta, phi = a.ravel(), b.ravel(), p.ravel()
    level, trend, sse = _filter_trend(y, alpha, beta, phi)
    rows = np.arange(y.shape[0])
    best = np.argmin(sse, axis=1)
    steps = np.arange(1, horizon + 1)
    phi_best = phi[best]
    damping = np.cumsum(phi_best[:, None] ** steps, axis=1)
    forecasts = level[rows, best][:, None] + trend[rows, best][:, None] * damping
    return SmoothingFit(
        forecasts=forecasts,
        sse=sse[rows, best],
        n_obs=np.sum(~np.isnan(y), axis=1).astype(np.int64),
        n_params=5 if damped else 4,
        alpha=alpha[best],
    )


def aicc(fit: SmoothingFit) -> FloatArray:
    """Gaussian AICc from the one-step SSE, to choose between ETS forms."""
    n = fit.n_obs.astype(np.float64)
    k = float(fit.n_params + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = n * np.log(np.maximum(fit.sse, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    return np.where(n - k - 1 > 0, value, np.inf)


def ets_auto(fits: tuple[SmoothingFit, ...]) -> FloatArray:
    """ETS with additive errors: per series the form (N, A, Ad trend) with the lowest AICc."""
    scores = np.stack([aicc(f) for f in fits], axis=1)
    choice = np.argmin(np.where(np.isnan(scores), np.inf, scores), axis=1)
    stacked = np.stack([f.forecasts for f in fits], axis=1)
    return np.asarray(stacked[np.arange(stacked.shape[0]), choice], dtype=np.float64)


def linear_slope(y: FloatArray) -> FloatArray:
    """Least-squares slope per row against the column index (NaN-aware)."""
    valid = ~np.isnan(y)
    t = np.where(valid, np.arange(y.shape[1], dtype=np.float64), 0.0)
    v = np.where(valid, y, 0.0)
    count = valid.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = t.sum(axis=1) / count
        v_mean = v.sum(axis=1) / count
        cov = np.sum(np.where(valid, (t - t_mean[:, None]) * (v - v_mean[:, None]), 0.0), axis=1)
        var = np.sum(np.where(valid, (t - t_mean[:, None]) ** 2, 0.0), axis=1)
        slope = np.where(var > 0, cov / var, 0.0)
    return np.nan_to_num(slope)


def theta(y: FloatArray, horizon: int, ses_fit: SmoothingFit) -> FloatArray:
    """Standard Theta method (Assimakopoulos-Nikolopoulos; Hyndman-Billah form, R ``thetaf``).

    SES forecast plus half the slope of the linear trend, with its drift adjusted for alpha.
    """
    half_slope = 0.5 * linear_slope(y)
    alpha = np.maximum(ses_fit.alpha, 1e-10)
    n = ses_fit.n_obs.astype(np.float64)
    steps = np.arange(horizon, dtype=np.float64)
    drift = steps[None, :] + ((1.0 - (1.0 - alpha) ** n) / alpha)[:, None]
    return ses_fit.forecasts + half_slope[:, None] * drift


def _linear_fit(y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Least-squares intercept and slope per row against the column index (NaN-aware)."""
    slope = linear_slope(y)
    valid = ~np.isnan(y)
    count = valid.sum(axis=1).astype(np.float64)
    t = np.arange(y.shape[1], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = np.where(valid, t, 0.0).sum(axis=1) / count
        v_mean = np.where(valid, y, 0.0).sum(axis=1) / count
    return np.nan_to_num(v_mean - slope * t_mean), slope


def optimised_theta(
    y: FloatArray, horizon: int, thetas: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Optimised Theta method (OTM, Fiorucci et al. 2016): theta chosen per series.

    The series is split into its linear trend line ``L`` and the theta line
    ``Z = theta y + (1 - theta) L``; SES extrapolates ``Z`` and the forecast is
    ``(1 - 1/theta) L + (1/theta) SES(Z)``. Since ``y - (1 - 1/theta) L = Z / theta``, the
    in-sample one-step error of that forecast is the SES error on ``Z`` over theta, so
    theta is the grid value with the lowest ``SSE_Z / theta^2``. theta = 1 is SES and
    theta = 2 the standard Theta method (:func:`theta` in Hyndman and Billah's form);
    a larger theta follows the trend more. Alpha comes from the coarse SES grid: on the dev
    harness (``benchmarks/forecast_dev.py``) the refined grid gave the same accuracy at
    three times the cost. Returns the forecasts and the chosen theta.
    """
    thetas = THETA_GRID if thetas is None else thetas
    n_series, n_time = y.shape
    intercept, slope = _linear_fit(y)
    t = np.arange(n_time, dtype=np.float64)
    line = intercept[:, None] + slope[:, None] * t[None, :]
    future = intercept[:, None] + slope[:, None] * (n_time - 1 + np.arange(1, horizon + 1))
    k = thetas.shape[0]
    weights = thetas[:, None, None]
    stacked = (weights * y[None] + (1.0 - weights) * line[None]).reshape(k * n_series, n_time)
    fit = ses(stacked, horizon, refine=False)
    sse = fit.sse.reshape(k, n_series) / thetas[:, None] ** 2
    best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=0)
    rows = np.arange(n_series)
    chosen = thetas[best]
    level = fit.forecasts.reshape(k, n_series, horizon)[best, rows]
    inverse = (1.0 / chosen)[:, None]
    return (1.0 - inverse) * future + inverse * level, chosen


def arima(y: FloatArray, horizon: int, max_p: int = _ARIMA_MAX_P) -> FloatArray:
    """ARIMA(p,1,0) with or without drift, p <= max_p chosen per series by AICc.

    Conditional least squares on a common sample, so that every candidate is one batched
    normal-equation solve; explosive fits (sum |phi| >= 1) are not eligible. Chosen over a
    full auto.arima search because it costs microseconds per series and its forecasts, the
    drift and the short-memory correction, are what matters at horizons of weeks.
    """
    n_series, n_time = y.shape
    out = naive(y, horizon)
    if n_time < max_p + 3:
        return out
    d = np.diff(y, axis=1)
    columns = [np.ones_like(d[:, max_p:])]
    columns += [d[:, max_p - j : d.shape[1] - j] for j in range(1, max_p + 1)]
    columns.append(d[:, max_p:])
    z = np.stack(columns, axis=-1)
    valid: BoolArray = np.asarray(~np.isnan(z).any(axis=-1), dtype=np.bool_)
    z = np.where(valid[..., None], z, 0.0)
    gram = np.einsum("stk,stl->skl", z, z)
    n = valid.sum(axis=1).astype(np.float64)
    target = max_p + 1
    yty = gram[:, target, target]
    best_score = np.full(n_series, np.inf)
    best_coef = np.zeros((n_series, max_p + 1))
    for p in range(max_p + 1):
        for const in (False, True):
            idx = ([0] if const else []) + list(range(1, p + 1))
            k = len(idx)
            if k == 0:
                sse = yty
                coef = np.zeros((n_series, 0))
            else:
                xtx = gram[:, idx][:, :, idx] + 1e-10 * np.eye(k)
                xty = gram[:, idx, target]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    coef = np.linalg.solve(xtx, xty[..., None])[..., 0]
                sse = yty - np.sum(coef * xty, axis=1)
            n_par = k + 1
            with np.errstate(invalid="ignore", divide="ignore"):
                score = (
                    n * np.log(np.maximum(sse, 1e-12) / n)
                    + 2 * n_par
                    + 2 * n_par * (n_par + 1) / (n - n_par - 1)
                )
            ok = np.isfinite(score) & (n - n_par - 1 > 0)
            if p > 0:
                ar = coef[:, -p:]
                ok &= np.sum(np.abs(ar), axis=1) < 1.0
            better = ok & (score < best_score)
            if better.any():
                full = np.zeros((n_series, max_p + 1))
                if const:
                    full[:, 0] = coef[:, 0]
                if p > 0:
                    full[:, 1 : p + 1] = coef[:, -p:]
                best_score[better] = score[better]
                best_coef[better] = full[better]
    lags = d[:, ::-1][:, :max_p]
    if lags.shape[1] < max_p:
        lags = np.pad(lags, ((0, 0), (0, max_p - lags.shape[1])))
    lags = np.nan_to_num(lags)
    level = y[:, -1].copy()
    for step in range(horizon):
        change = best_coef[:, 0] + np.sum(best_coef[:, 1:] * lags, axis=1)
        level = level + change
        out[:, step] = level
        lags = np.concatenate([change[:, None], lags[:, :-1]], axis=1)
    return out


@dataclass(frozen=True)
class ModelSettings:
    """What the models need to know about the data besides the values.

    ``seasonal_period`` None turns seasonal variants off; an integer period (12 months,
    4 quarters) uses classical decomposition, a non-integer one (52.18 weeks) a Fourier
    pattern in calendar time. ``max_history`` caps how many recent periods are fitted.
    """

    seasonal_period: float | None
    naive2_period: int
    fourier_harmonics: int = 8
    max_history: int = 300


@dataclass(frozen=True)
class OriginForecasts:
    """All models' point forecasts from one origin: ``(series, model, horizon)``.

    ``seasonal`` marks the series that got seasonal variants (enough history); the
    variants of the other series are NaN, so selection cannot pick them.
    """

    forecasts: FloatArray
    seasonal: BoolArray


def seasonal_adjustment(
    y: FloatArray, time_last: FloatArray, horizon: int, settings: ModelSettings
) -> SeasonalAdjustment | None:
    """The seasonal component per series, by the method that suits the period."""
    period = settings.seasonal_period
    if not period or period <= 1.5:
        return None
    if abs(period - round(period)) < 1e-9:
        return classical_decomposition(y, round(period), horizon)
    return fourier_adjustment(y, time_last, period, horizon, settings.fourier_harmonics)


def _family(z: FloatArray, horizon: int, clock: _Clock, suffix: str = "") -> dict[str, FloatArray]:
    """SES, Holt, damped, Theta, ETS, ARIMA and their combination on one panel."""
    ses_fit = clock.lap("ses", ses(z, horizon))
    holt_fit = clock.lap("holt", trend_smoothing(z, horizon, damped=False))
    damped_fit = clock.lap("damped", trend_smoothing(z, horizon, damped=True))
    out = {
        "ses": ses_fit.forecasts,
        "holt": holt_fit.forecasts,
        "damped": damped_fit.forecasts,
        "theta": clock.lap("theta", optimised_theta(z, horizon)[0]),
        "ets": clock.lap("ets", ets_auto((ses_fit, holt_fit, damped_fit))),
        "arima": clock.lap("arima", arima(z, horizon)),
    }
    out["comb"] = np.mean(np.stack([out[m] for m in COMB_MEMBERS], axis=0), axis=0)
    return {f"{name}{suffix}": value for name, value in out.items()}


def forecast_origin(
    y: FloatArray,
    time_last: FloatArray,
    horizon: int,
    settings: ModelSettings,
    timings: dict[str, float] | None = None,
) -> OriginForecasts:
    """Every model in :data:`MODEL_NAMES` from the origin at the last column of ``y``.

    ``timings``, when given, accumulates seconds per model (and for the shared seasonal
    adjustment), for the benchmark's wall-time table.
    """
    if y.shape[1] > settings.max_history:
        y = y[:, -settings.max_history :]
    n_series, n_time = y.shape
    result = np.full((n_series, len(MODEL_NAMES), horizon), np.nan)
    seasonal = np.zeros(n_series, dtype=np.bool_)
    if n_series == 0 or n_time == 0:
        return OriginForecasts(result, seasonal)
    clock = _Clock(timings)
    period = settings.seasonal_period
    round_period = round(period) if period else 1
    out: dict[str, FloatArray] = {}
    out["naive"] = clock.lap("naive", naive(y, horizon))
    out["snaive"] = clock.lap("snaive", seasonal_naive(y, horizon, round_period))
    out["naive2"] = clock.lap("naive2", naive2(y, horizon, settings.naive2_period))
    out.update(_family(y, horizon, clock))
    adjustment = clock.lap(
        "seasonal_adjustment", seasonal_adjustment(y, time_last, horizon, settings)
    )
    if adjustment is not None and adjustment.usable.any():
        seasonal = adjustment.usable
        rows = np.flatnonzero(seasonal)
        sub = SeasonalAdjustment(
            adjustment.adjusted[rows],
            adjustment.future_factor[rows],
            adjustment.future_offset[rows],
            adjustment.usable[rows],
            adjustment.multiplicative[rows],
        )
        fitted = _family(sub.adjusted, horizon, clock, SEASONAL_SUFFIX)
        for name, value in fitted.items():
            full = np.full((n_series, horizon), np.nan)
            full[rows] = sub.reseasonalise(value)
            out[name] = full
    for i, name in enumerate(MODEL_NAMES):
        if name in out:
            result[:, i, :] = out[name]
    result[~_valid_rows(y)] = np.nan
    return OriginForecasts(result, seasonal)


class _Clock:
    """Accumulates the time since the previous lap under a name (no-op without a dict)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self._timings = timings
        self._last = time.perf_counter()

    def lap(self, name: str, value: _T) -> _T:
        now = time.perf_counter()
        if self._timings is not None:
            self._timings[name] = self._timings.get(name, 0.0) + now - self._last
        self._last = now
        return value
