"""Per-series model choice by out-of-sample error on the rolling-origin backtest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from credtrends.forecasting.metrics import smape_terms
from credtrends.forecasting.panel import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class BacktestErrors:
    """Errors per (series, model) averaged over every backtest origin and step.

    ``mase`` scales each origin's errors by that origin's in-sample seasonal-naive error,
    so the comparison between models is the one M4 makes. ``points`` is how many
    forecast points were scored (0 when a series is too short to backtest).
    """

    mase: FloatArray
    smape: FloatArray
    points: IntArray


def backtest_errors(
    backtest: FloatArray, actuals: FloatArray, mase_scale: FloatArray
) -> BacktestErrors:
    """Average MASE and sMAPE of ``(series, model, origin, step)`` forecasts."""
    truth = actuals[:, None, :, :]
    scaled = np.abs(truth - backtest) / mase_scale[:, None, :, None]
    terms = smape_terms(np.broadcast_to(truth, backtest.shape), backtest)
    valid = ~np.isnan(scaled)
    points = valid.sum(axis=(2, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        mase = np.where(valid, scaled, 0.0).sum(axis=(2, 3)) / points
        smape = np.where(valid, terms, 0.0).sum(axis=(2, 3)) / points
    return BacktestErrors(mase=mase, smape=smape, points=points.astype(np.int64))


def origin_errors(backtest: FloatArray, actuals: FloatArray, mase_scale: FloatArray) -> FloatArray:
    """MASE per (series, model, origin): the unit that selection compares."""
    scaled = np.abs(actuals[:, None, :, :] - backtest) / mase_scale[:, None, :, None]
    valid = ~np.isnan(scaled)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(valid, scaled, 0.0).sum(axis=3) / valid.sum(axis=3)
    return np.asarray(out, dtype=np.float64)


def origin_owa_errors(
    backtest: FloatArray, actuals: FloatArray, mase_scale: FloatArray, benchmark: int
) -> FloatArray:
    """Per (series, model, origin) contribution to M4's OWA: what selection should minimise.

    OWA = (mean sMAPE / Naive2's + mean MASE / Naive2's) / 2, with means over series, is a
    sum of per-series terms ``(sMAPE_s / S2 + MASE_s / M2) / 2`` once Naive2's pooled
    backtest errors S2 and M2 are fixed; choosing per series by that term targets both
    measures at once (MASE alone ignores that an exact 0 for a 0 is a perfect forecast).
    """
    mase = origin_errors(backtest, actuals, mase_scale)
    truth = np.broadcast_to(actuals[:, None, :, :], backtest.shape)
    terms = smape_terms(truth, backtest)
    valid = ~np.isnan(terms) & ~np.isnan(backtest)
    with np.errstate(invalid="ignore", divide="ignore"):
        smape = np.where(valid, terms, 0.0).sum(axis=3) / valid.sum(axis=3)
        m2 = np.nanmean(mase[:, benchmark]) if np.isfinite(mase[:, benchmark]).any() else 1.0
        s2 = np.nanmean(smape[:, benchmark]) if np.isfinite(smape[:, benchmark]).any() else 1.0
    m2 = m2 if np.isfinite(m2) and m2 > 0 else 1.0
    s2 = s2 if np.isfinite(s2) and s2 > 0 else 1.0
    return np.asarray(0.5 * (smape / s2 + mase / m2), dtype=np.float64)


def _mean_over_origins(errors: FloatArray, keep: BoolArray) -> FloatArray:
    valid = ~np.isnan(errors) & keep
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(valid, errors, 0.0).sum(axis=2) / valid.sum(axis=2)
    return np.asarray(out, dtype=np.float64)


def top_k_weights(
    validation_error: FloatArray,
    candidates: Sequence[int],
    k: int,
    fallback: int,
    *,
    inverse_error: bool = False,
) -> FloatArray:
    """Per series, weights on the ``k`` candidates with the lowest validation error.

    Picking the single best model per series from a few backtest windows is noisy: the
    winner is often the luckiest. Averaging the best three was as good as or better than
    either the single winner or a fixed combination on both the M4 weekly backtest (nested
    OWA 0.835 vs 0.855 and 0.911) and synthetic Trends-like series (0.749 vs 0.786 and
    0.743), so it is the default; ``k = 1`` is classic selection. Series without any
    backtest get the ``fallback`` model.

    Weights are equal, or with ``inverse_error`` proportional to 1 / validation error
    (the classic inverse-error combination: the third-best model still counts, but less
    where the backtest says it is clearly worse). On ``benchmarks/forecast_dev.py`` (4
    inner origins) inverse weights lowered the inner OWA of every set: M3 quarterly 0.898
    -> 0.880, M3 monthly 0.861 -> 0.857, the others by 0.001-0.004; squared inverse
    weights gained no more (mean 0.8042 against 0.8046).
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    columns = np.asarray(list(candidates), dtype=np.int64)
    if columns.size == 0:
        raise ValueError("at least one candidate model is needed")
    scores = validation_error[:, columns]
    scores = np.where(np.isfinite(scores), scores, np.inf)
    order = np.argsort(scores, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(scores, order, axis=1)
    usable = np.isfinite(picked)
    weights = np.zeros(validation_error.shape)
    rows = np.repeat(np.arange(scores.shape[0]), order.shape[1])
    share = usable / np.maximum(usable.sum(axis=1, keepdims=True), 1)
    if inverse_error and order.shape[1] > 1:
        # A perfect backtest (error 0) would get an infinite weight: floor it at a tiny
        # share of the best usable error, so ties at 0 are shared equally.
        best = np.where(usable, picked, np.inf).min(axis=1, keepdims=True)
        floor = np.where(np.isfinite(best) & (best > 0), best * 1e-6, 1e-12)
        inverse = np.where(usable, 1.0 / np.maximum(np.where(usable, picked, 1.0), floor), 0.0)
        total = inverse.sum(axis=1, keepdims=True)
        share = np.where(total > 0, inverse / np.where(total > 0, total, 1.0), 0.0)
    np.add.at(weights, (rows, columns[order].ravel()), share.ravel())
    none = ~usable.any(axis=1)
    weights[none] = 0.0
    weights[none, fallback] = 1.0
    return weights


def family_weights(
    validation_error: FloatArray,
    candidates: Sequence[int],
    k: int,
    fallback: int,
    seasonal_family: Sequence[bool],
    references: tuple[int, int],
    *,
    inverse_error: bool = False,
) -> FloatArray:
    """Top-``k`` weights within the family (seasonal or not) the backtest prefers.

    Deciding "is this series seasonal?" first, by comparing one robust reference model of
    each family (the combinations ``comb`` and ``comb_seasonal``), and only then ranking
    models inside that family, asks the few backtest windows one question at a time: a
    direct top-k over both families would mix variants whose errors differ mostly by luck.
    Where the seasonal reference has no backtest (too little history), the series is
    non-seasonal.
    """
    plain, seasonal = references
    family = np.asarray(seasonal_family, dtype=np.bool_)
    err_plain = validation_error[:, plain]
    err_seasonal = validation_error[:, seasonal]
    with np.errstate(invalid="ignore"):
        choose_seasonal = np.isfinite(err_seasonal) & (
            ~np.isfinite(err_plain) | (err_seasonal < err_plain)
        )
    masked = np.where(family[None, :] == choose_seasonal[:, None], validation_error, np.nan)
    return top_k_weights(masked, candidates, k, fallback, inverse_error=inverse_error)


def mean_origin_error(per_origin: FloatArray) -> FloatArray:
    """Mean over every origin of per-origin errors (series, model)."""
    return _mean_over_origins(per_origin, np.ones(per_origin.shape[2], dtype=np.bool_))


def nested_weights(
    per_origin: FloatArray,
    candidates: Sequence[int],
    k: int,
    fallback: int,
    choose: Callable[[FloatArray], FloatArray] | None = None,
) -> FloatArray:
    """Weights per (series, model, origin) chosen without looking at that origin.

    Scoring the selected forecast on the same errors that chose it flatters it. Choosing
    for origin j from the other origins turns selection into a model with honest
    backtest errors, which is what its intervals are calibrated on.
    """
    n_series, n_models, n_origins = per_origin.shape
    out = np.zeros((n_series, n_models, n_origins))
    for j in range(n_origins):
        keep = np.arange(n_origins) != j
        error = _mean_over_origins(per_origin, keep)
        out[:, :, j] = choose(error) if choose else top_k_weights(error, candidates, k, fallback)
    return out


def combine(weights: FloatArray, forecasts: FloatArray) -> FloatArray:
    """Weighted forecasts: weights (series, model), forecasts (series, model, ...)."""
    w = weights.reshape(weights.shape + (1,) * (forecasts.ndim - 2))
    return np.asarray(np.sum(np.where(w > 0, forecasts, 0.0) * w, axis=1), dtype=np.float64)


def combination_names(
    weights: FloatArray, validation_error: FloatArray, names: Sequence[str]
) -> list[str]:
    """Readable name per series: members joined by '+', best first (one name if k = 1)."""
    order = np.argsort(
        np.where(weights > 0, np.nan_to_num(validation_error, nan=1e300, posinf=1e300), np.inf),
        axis=1,
    )
    counts = (weights > 0).sum(axis=1)
    return ["+".join(names[i] for i in order[s, : counts[s]]) for s in range(weights.shape[0])]
