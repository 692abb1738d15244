"""Prediction intervals calibrated on the backtest (split-conformal, scaled per series).

Model-based intervals assume the model is right; for a forecast chosen among ten models on
noisy weekly data it is not, and they come out too narrow. Instead, the absolute backtest
errors of each model, divided by that series' mean absolute backtest error at the other
origins, shrunk towards the series' naive scale (so a series that is hard to forecast
gets wide intervals and an easy one narrow, without one bad origin deciding; see
:func:`error_scales`), are pooled over all series and origins, and their 80% / 95%
quantiles per horizon step give the half-widths (one sort for every model, step and
level). This is split conformal prediction with a per-series scale; coverage holds on
average over series when future errors behave like past backtest errors, which the
backtest itself checks (leave one origin out, see :func:`leave_one_origin_out_coverage`).
The selected forecast's own bounds take each tail from the signed errors instead
(:func:`signed_quantiles`), so they lean where its errors lean.
"""

from __future__ import annotations

import warnings
from typing import Final

import numpy as np

from credtrends.forecasting.panel import FloatArray

LEVELS: Final[tuple[int, ...]] = (80, 95)

# Fallback when no series could be backtested: a random walk with Gaussian errors,
# whose h-step half-width is z * sigma * sqrt(h) and sigma ~ 1.25 x mean absolute error.
_GAUSSIAN_Z: Final[dict[int, float]] = {80: 1.2816, 95: 1.9600}


def error_scales(
    absolute_errors: FloatArray,
    naive_scale: FloatArray,
    final_naive_scale: FloatArray,
    prior_points: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Per-series difficulty of each model: its mean absolute backtest error, shrunk.

    Returns ``(per_origin, final)``: for origin k, shape (series, model, origin), the errors
    of the *other* origins (an error is never divided by a scale that contains it); for the
    real forecast, (series, model), the errors of the ``n - 1`` most recent origins, so the
    future error is divided by a mean over as many origins as every calibration error was
    (with all ``n`` the final scale would be steadier than the calibrated ones, and the
    intervals too wide: on the dev harness the 80% intervals covered 0.83-0.86 on M4
    weekly and M3 other). The one-step naive error says how noisy a series is, not how
    hard it is to forecast (a strongly seasonal series is both smooth and hard); the
    model's own past errors say that, but from a few origins whose errors are correlated
    within an origin they are noisy. So each mean is shrunk towards a prior, the naive
    scale times the model's median ratio of the two over all series, weighted as
    ``prior_points`` errors (default: one origin, ``horizon`` points). A series with no
    other origin gets the prior alone.
    """
    n_origins, horizon = absolute_errors.shape[2], absolute_errors.shape[3]
    weight = float(horizon if prior_points is None else prior_points)
    valid = ~np.isnan(absolute_errors)
    sums = np.where(valid, absolute_errors, 0.0).sum(axis=3)  # (series, model, origin)
    counts = valid.sum(axis=3).astype(np.float64)
    total_sum, total_count = sums.sum(axis=2), counts.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_all = (total_sum / total_count) / final_naive_scale[:, None]
    ratio_all = np.where(np.isfinite(ratio_all) & (ratio_all > 0), ratio_all, np.nan)
    has_ratio = (~np.isnan(ratio_all)).any(axis=0)
    ratio = np.ones(ratio_all.shape[1])
    if has_ratio.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ratio[has_ratio] = np.nanmedian(ratio_all[:, has_ratio], axis=0)
    prior_final = final_naive_scale[:, None] * ratio[None, :]
    prior_origin = naive_scale[:, None, :] * ratio[None, :, None]
    recent = max(n_origins - 1, 0)
    recent_sum = sums[:, :, :recent].sum(axis=2)
    recent_count = counts[:, :, :recent].sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_origin = ((total_sum[..., None] - sums) + weight * prior_origin) / (
            (total_count[..., None] - counts) + weight
        )
        final = (recent_sum + weight * prior_final) / (recent_count + weight)
    per_origin = np.where(np.isfinite(per_origin) & (per_origin > 0), per_origin, prior_origin)
    final = np.where(np.isfinite(final) & (final > 0), final, prior_final)
    return per_origin, final


def selected_errors(nested: FloatArray, chosen: FloatArray, share: float = 0.5) -> FloatArray:
    """Absolute backtest errors that calibrate the selected forecast's intervals.

    Two candidates err in opposite directions. The *nested* choice's errors (each origin
    forecast by the models chosen from the other origins) are pessimistic: the real
    forecast is chosen from every origin, and on short histories the nested choices at the
    oldest origins are noisy. The errors of the *chosen* combination at the same origins
    are optimistic: it was chosen on them. The real forecast's error lies in between, so
    the intervals are calibrated on ``share`` of each (point by point; where one is
    missing, the other). On ``benchmarks/forecast_dev.py`` (4 inner origins) the mean
    distance of a set's 80% coverage from 0.80 was 0.025 on nested errors alone, 0.033 on
    the chosen combination's, 0.011 halfway (share 0.3: 0.014, 0.7: 0.020); halfway, five
    of six sets came within 0.01 of 0.80 and got a lower MSIS (mean 17.54 -> 17.33).
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must be within [0, 1]")
    blended = (1.0 - share) * nested + share * chosen
    return np.where(np.isnan(nested), chosen, np.where(np.isnan(chosen), nested, blended))


def _sorted_quantiles(values: FloatArray, levels: tuple[float, ...]) -> FloatArray:
    """``np.nanquantile`` (linear interpolation) along the last axis, for several levels.

    One sort serves every level and every row at once; numpy's nanquantile loops over the
    rows in Python, which cost more than the models on the pooled backtest of 359 series.
    Returns shape ``(len(levels), *values.shape[:-1])``, NaN where a row has no value.
    """
    ordered = np.sort(values, axis=-1)  # NaN sort last
    count = np.sum(~np.isnan(values), axis=-1)
    out = np.full((len(levels), *values.shape[:-1]), np.nan)
    has = count > 0
    last = np.maximum(count - 1, 0)
    for i, level in enumerate(levels):
        position = level * last
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, last)
        fraction = position - low
        below = np.take_along_axis(ordered, low[..., None], axis=-1)[..., 0]
        above = np.take_along_axis(ordered, high[..., None], axis=-1)[..., 0]
        out[i] = np.where(has, below + fraction * (above - below), np.nan)
    return out


def _pooled_quantiles(errors: FloatArray) -> FloatArray:
    """Quantiles (model, level, step) of errors (series, model, origin, step)."""
    n_models, horizon = errors.shape[1], errors.shape[3]
    pooled = np.moveaxis(errors, (1, 3), (0, 1)).reshape(n_models, horizon, -1)
    out = np.moveaxis(_sorted_quantiles(pooled, tuple(lv / 100.0 for lv in LEVELS)), 0, 1)
    has = (~np.isnan(pooled)).any(axis=2)
    steps = np.sqrt(np.arange(1, horizon + 1, dtype=np.float64))
    for i, level in enumerate(LEVELS):
        gaussian = 1.25 * _GAUSSIAN_Z[level] * steps
        with warnings.catch_warnings():  # a step no model reached: the Gaussian below
            warnings.simplefilter("ignore", RuntimeWarning)
            model_free = np.nanmax(out[:, i, :], axis=0) if has.any() else gaussian
        model_free = np.where(np.isnan(model_free), gaussian, model_free)
        out[:, i, :] = np.where(np.isnan(out[:, i, :]), model_free[None, :], out[:, i, :])
    # Uncertainty does not shrink with the horizon; wider levels are never narrower.
    out = np.maximum.accumulate(out, axis=2)
    return np.maximum.accumulate(out, axis=1)


def signed_quantiles(
    scaled_signed: FloatArray, symmetric: FloatArray, share: float = 0.5
) -> FloatArray:
    """Distances (side, level, step) below (side 0) and above (side 1) the point forecast.

    ``scaled_signed`` (series, origin, step) are actual minus forecast in scale units;
    ``symmetric`` (level, step) the half-widths from absolute errors, used where a step
    has no error. Each side's own estimate is the ``(1 - level) / 2`` tail quantile of
    the signed errors (split conformal with a quantile per tail): where the selected
    forecasts err more on one side (a trend they damp, a level they lag), the interval
    leans that way instead of being as wide on both sides as the worse one needs. A tail
    quantile rests on half as many points beyond it as the symmetric one, so each side is
    ``share`` of the way from the symmetric half-width to it. Never negative (the point
    stays inside), never narrower at a later step or at the higher level. On
    ``benchmarks/forecast_dev.py --origins 4`` (mean of 4 inner origins) MSIS, symmetric
    -> share 0.5: M3 other 20.90 -> 20.39, monthly 7.45 -> 7.41, quarterly 10.73 ->
    10.46, M4 weekly 20.94 -> 20.89, Trends exports 24.54 -> 24.26, gtab 19.18 -> 18.91,
    80% coverage .798/.799/.802/.801/.757/.798 -> .815/.801/.803/.804/.758/.806; share
    0.3 and 0.7 also lowered MSIS on every set, share 1 raised it on M4 weekly (21.01)
    and gtab (19.48).
    """
    horizon = scaled_signed.shape[-1]
    pooled = np.moveaxis(scaled_signed, -1, 0).reshape(horizon, -1)
    tails = tuple(t for lv in LEVELS for t in ((100 - lv) / 200.0, (100 + lv) / 200.0))
    q = _sorted_quantiles(pooled, tails).reshape(len(LEVELS), 2, horizon)
    sides = np.stack([-q[:, 0, :], q[:, 1, :]])  # (side, level, step)
    sides = np.maximum(np.where(np.isnan(sides), symmetric[None], sides), 0.0)
    sides = (1.0 - share) * symmetric[None] + share * sides
    sides = np.maximum.accumulate(sides, axis=2)
    return np.maximum.accumulate(sides, axis=1)


def calibrate_quantiles(scaled_errors: FloatArray) -> FloatArray:
    """Half-widths in scale units, shape (model, level, step), from all backtest errors."""
    return _pooled_quantiles(scaled_errors)


def interval_bounds(
    mean: FloatArray,
    half_width: FloatArray,
    scale: FloatArray,
    *,
    non_negative: bool,
    lower_width: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds (series, level, step) around ``mean`` (series, step).

    ``half_width`` is (series, level, step) in scale units, the distance above the point;
    ``lower_width`` the distance below it (None: the same, a symmetric interval). With
    ``non_negative`` (search interest, counts) bounds are clipped at 0: a negative demand
    is not a possibility.
    """
    below = half_width if lower_width is None else lower_width
    lower = mean[:, None, :] - below * scale[:, None, None]
    upper = mean[:, None, :] + half_width * scale[:, None, None]
    if non_negative:
        lower = np.maximum(lower, 0.0)
        upper = np.maximum(upper, 0.0)
    return lower, upper


def leave_one_origin_out_coverage(scaled_errors: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Share of backtest points inside intervals calibrated without their own origin.

    Returns ``(inside, scored)`` counts of shape (series, model, level): honest coverage,
    since each point is judged by widths learnt from the other origins only.
    """
    n_series, n_models, n_origins, _ = scaled_errors.shape
    inside = np.zeros((n_series, n_models, len(LEVELS)))
    scored = np.zeros((n_series, n_models))
    if n_origins < 2:
        return inside, scored[..., None].repeat(len(LEVELS), axis=2)
    for j in range(n_origins):
        others = np.delete(scaled_errors, j, axis=2)
        quantiles = _pooled_quantiles(others)
        held = scaled_errors[:, :, j, :]
        valid = ~np.isnan(held)
        scored += valid.sum(axis=2)
        for i in range(len(LEVELS)):
            within = valid & (held <= quantiles[None, :, i, :])
            inside[:, :, i] += within.sum(axis=2)
    return inside, scored[..., None].repeat(len(LEVELS), axis=2)
