"""Accuracy measures exactly as the M4 competition defines them, scalar and vectorised.

M4 (Makridakis et al., 2020): sMAPE = mean(200 |y - f| / (|y| + |f|)); MASE = mean |y - f|
divided by the in-sample mean absolute seasonal difference at lag m; OWA = mean of the two
ratios to Naive2, each computed on the averages over all series (not per series).
Google Trends has real zeros, so a sMAPE term where actual and forecast are both 0 counts
as a perfect forecast (0) instead of 0/0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from credtrends.forecasting.panel import FloatArray


def smape_terms(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> FloatArray:
    """Element-wise sMAPE terms in percent (0..200); NaN where either input is NaN."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    denominator = np.abs(a) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = 200.0 * np.abs(a - f) / denominator
    return np.where(denominator == 0.0, 0.0, terms)


def smape(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Symmetric MAPE of one forecast, in percent, as M4 computes it."""
    return float(np.nanmean(smape_terms(actual, forecast)))


def mase_scales(insample: FloatArray, period: int = 1) -> FloatArray:
    """Per row, the in-sample mean absolute difference at lag ``period`` (NaN-aware).

    Rows too short for the seasonal lag fall back to lag 1, the usual convention; a
    constant history gives a scale of 0, replaced by NaN so that callers can fall back.
    """
    y = np.atleast_2d(np.asarray(insample, dtype=np.float64))
    out = np.full(y.shape[0], np.nan)
    for lag in sorted({max(1, int(period)), 1}, reverse=True):
        if y.shape[1] <= lag:
            continue
        diffs = np.abs(y[:, lag:] - y[:, :-lag])
        count = np.sum(~np.isnan(diffs), axis=1)
        total = np.nansum(diffs, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = total / count
        fill = np.isnan(out) & (count > 0)
        out[fill] = scale[fill]
    out[out <= 0.0] = np.nan
    return out


def mase(
    actual: npt.ArrayLike, forecast: npt.ArrayLike, insample: npt.ArrayLike, period: int = 1
) -> float:
    """Mean absolute scaled error of one forecast, scaled by the in-sample naive error."""
    scale = mase_scales(np.asarray(insample, dtype=np.float64)[None, :], period)[0]
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    return float(np.nanmean(np.abs(a - f)) / scale)


def owa(smape_value: float, mase_value: float, naive2_smape: float, naive2_mase: float) -> float:
    """Overall weighted average of M4: both errors relative to Naive2, averaged."""
    return 0.5 * (smape_value / naive2_smape + mase_value / naive2_mase)


def coverage(actual: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> float:
    """Share of actual values inside [lower, upper], ignoring NaN actuals."""
    a = np.asarray(actual, dtype=np.float64)
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    keep = ~np.isnan(a) & ~np.isnan(lo) & ~np.isnan(hi)
    if not keep.any():
        return float("nan")
    inside = (a[keep] >= lo[keep]) & (a[keep] <= hi[keep])
    return float(inside.mean())


def mean_over_series(values: Sequence[float] | FloatArray) -> float:
    """Average of per-series errors, as M4 aggregates them (NaN series are skipped)."""
    return float(np.nanmean(np.asarray(values, dtype=np.float64)))
