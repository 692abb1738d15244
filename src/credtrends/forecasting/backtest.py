"""Rolling-origin backtest of every model on a chunk of series.

Origins are counted back from each series' own end (``origin_step`` periods apart), the
models are refitted on the history up to each origin (nothing after it is seen, the
seasonal pattern included), and the next ``horizon`` values are kept as actuals. The same
function then fits on the whole history for the real forecast, so a chunk is one call:
this is what a worker process runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credtrends.forecasting.metrics import mase_scales
from credtrends.forecasting.models import MODEL_NAMES, ModelSettings, forecast_origin
from credtrends.forecasting.panel import BoolArray, FloatArray, Panel


@dataclass(frozen=True)
class BacktestSpec:
    """How far to look ahead and back; identical for every chunk of a run."""

    horizon: int
    n_origins: int
    origin_step: int
    min_train: int
    mase_period: int
    settings: ModelSettings
    zero_windows: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChunkResult:
    """Arrays for one chunk; axis order (series, model, origin, step).

    Origin 0 is the most recent backtest origin. ``mase_scale`` is the in-sample MASE
    denominator and ``interval_scale`` the one-step naive MAE of the history before each
    origin (the scale intervals are expressed in); ``final_*`` are for the full history.
    """

    backtest: FloatArray
    actuals: FloatArray
    mase_scale: FloatArray
    interval_scale: FloatArray
    final: FloatArray
    final_mase_scale: FloatArray
    final_interval_scale: FloatArray
    seasonal: BoolArray
    zero_share: FloatArray | None = None
    final_zero_share: FloatArray | None = None


def recent_zero_share(y: FloatArray, windows: tuple[int, ...]) -> FloatArray:
    """Share of exact zeros among each row's last ``w`` observed values, per window ``w``.

    Rows are right-aligned (NaN only before the start), so the last ``w`` columns are the
    most recent observations; a row with fewer observations uses those it has.
    """
    out = np.full((y.shape[0], len(windows)), np.nan)
    for i, window in enumerate(windows):
        tail = y[:, -window:]
        observed = np.sum(~np.isnan(tail), axis=1)
        zeros = np.sum(tail == 0.0, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, i] = np.where(observed > 0, zeros / observed, np.nan)
    return out


def _fill_scale(scale: FloatArray, y: FloatArray) -> FloatArray:
    """Constant histories have no naive error: fall back to |level| / 100, then to 1."""
    valid = ~np.isnan(y)
    count = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.abs(np.where(valid, y, 0.0).sum(axis=1) / count)
    fallback = np.where(np.isfinite(level) & (level > 0), level / 100.0, 1.0)
    return np.where(np.isfinite(scale), scale, fallback)


def run_chunk(panel: Panel, spec: BacktestSpec) -> ChunkResult:
    """Backtest all models at ``spec.n_origins`` origins, then forecast from the end.

    The history before every origin, shifted right so that the origin is the last column,
    is stacked under the full history: one call fits every origin at once (numpy's
    per-operation overhead is paid once per time step, not once per origin).
    """
    y = panel.values
    n_series, n_time = y.shape
    h = spec.horizon
    backtest = np.full((n_series, len(MODEL_NAMES), spec.n_origins, h), np.nan)
    actuals = np.full((n_series, spec.n_origins, h), np.nan)
    mase_scale = np.full((n_series, spec.n_origins), np.nan)
    interval_scale = np.full((n_series, spec.n_origins), np.nan)
    zero_share = np.full((n_series, spec.n_origins, len(spec.zero_windows)), np.nan)
    blocks, times, owners = [y], [panel.time_last], []
    for k in range(spec.n_origins):
        shift = spec.origin_step * (k + 1)
        origin = n_time - 1 - shift
        if origin < 1:
            break
        prefix = y[:, : origin + 1]
        rows = np.flatnonzero(np.sum(~np.isnan(prefix), axis=1) >= spec.min_train)
        if rows.size == 0:
            continue
        shifted = np.full((rows.size, n_time), np.nan)
        shifted[:, shift:] = prefix[rows]
        blocks.append(shifted)
        times.append(panel.time_last[rows] - shift)
        owners.append((k, rows, origin))
        ahead = y[rows, origin + 1 : origin + 1 + h]
        actuals[rows, k, : ahead.shape[1]] = ahead
        mase_scale[rows, k] = _fill_scale(mase_scales(prefix[rows], spec.mase_period), prefix[rows])
        interval_scale[rows, k] = _fill_scale(mase_scales(prefix[rows], 1), prefix[rows])
        zero_share[rows, k] = recent_zero_share(prefix[rows], spec.zero_windows)
    stacked = np.concatenate(blocks, axis=0)
    start = int(np.argmax((~np.isnan(stacked)).any(axis=0))) if stacked.size else 0
    result = forecast_origin(stacked[:, start:], np.concatenate(times), h, spec.settings)
    offset = n_series
    for k, rows, _ in owners:
        backtest[rows, :, k, :] = result.forecasts[offset : offset + rows.size]
        offset += rows.size
    return ChunkResult(
        backtest=backtest,
        actuals=actuals,
        mase_scale=mase_scale,
        interval_scale=interval_scale,
        final=result.forecasts[:n_series],
        final_mase_scale=_fill_scale(mase_scales(y, spec.mase_period), y),
        final_interval_scale=_fill_scale(mase_scales(y, 1), y),
        seasonal=result.seasonal[:n_series],
        zero_share=zero_share,
        final_zero_share=recent_zero_share(y, spec.zero_windows),
    )
