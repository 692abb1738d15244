"""Emerging topics: which series are rising, how fast, and whether their trend broke upward.

Three pieces of evidence per series, each robust to the yearly cycle (autumn enrolment
peaks are not emergence):

- ``growth_pct``: mean of the last year against the year before.
- ``acceleration_pct``: year-on-year growth over the last half-year minus that over the
  half-year before (in points of the previous year's level): growth that speeds up.
- ``break_flag``: a continuous piecewise-linear trend with one kink, fitted to the last
  three years of the seasonally adjusted series, beats a straight line by BIC and the
  slope increased at the kink (``break_period``).

The score averages percentile ranks of the three (weights 0.5 / 0.25 / 0.25), so one
extreme value cannot dominate; the evidence columns say why a topic ranks where it does.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from credtrends.forecasting.panel import FloatArray, build_panel, calendar_index
from credtrends.forecasting.prepare import SEASONAL_PERIODS, Frequency, prepare_series
from credtrends.forecasting.seasonality import fit_fourier_seasonality

EMERGING_SCHEMA: Final[dict[str, pl.DataType]] = {
    "series_id": pl.String(),
    "rank": pl.Int64(),
    "score": pl.Float64(),
    "recent_mean": pl.Float64(),
    "previous_mean": pl.Float64(),
    "growth_pct": pl.Float64(),
    "acceleration_pct": pl.Float64(),
    "break_flag": pl.Boolean(),
    "break_period": pl.Date(),
    "slope_change_pct": pl.Float64(),
    "n_obs": pl.Int64(),
}

_WEIGHTS: Final = (0.5, 0.25, 0.25)


def _window_mean(y: FloatArray, start: int, stop: int) -> FloatArray:
    """Mean of columns [start, stop) counted from the end (0 = last column), NaN-aware."""
    n_time = y.shape[1]
    block = y[:, max(0, n_time - stop) : n_time - start]
    if block.shape[1] == 0:
        return np.full(y.shape[0], np.nan)
    count = np.sum(~np.isnan(block), axis=1)
    full = count == (stop - start)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(block, axis=1) / count
    return np.where(full, mean, np.nan)


def _percentile_rank(values: FloatArray) -> FloatArray:
    """Rank in [0, 1] (ties averaged); NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    keep = ~np.isnan(values)
    if keep.sum() == 0:
        return out
    ranks = pl.Series(values[keep]).rank("average").to_numpy().astype(np.float64)
    out[keep] = (ranks - 1.0) / max(1.0, float(keep.sum() - 1))
    return out


def trend_breaks(y: FloatArray, min_segment: int, step: int = 1) -> tuple[FloatArray, ...]:
    """Best single kink of a continuous piecewise-linear trend, per row.

    Returns ``(position, slope_change, bic_gain)``: the kink's column, the change of slope
    there, and BIC(line) - BIC(kinked line) (positive means the kink is worth its two
    extra parameters: position and slope change).
    """
    n_series, n_time = y.shape
    valid = ~np.isnan(y)
    n = valid.sum(axis=1).astype(np.float64)
    t = np.arange(n_time, dtype=np.float64)
    target = np.where(valid, y, 0.0)

    def sse_of(design: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = np.where(valid[..., None], design, 0.0)
        gram = np.einsum("stk,stl->skl", x, x) + 1e-9 * np.eye(x.shape[-1])
        coef = np.linalg.solve(gram, np.einsum("stk,st->sk", x, target)[..., None])[..., 0]
        resid = np.where(valid, target - np.einsum("stk,sk->st", x, coef), 0.0)
        return np.sum(resid * resid, axis=1), coef

    base = np.stack([np.ones(n_time), t], axis=-1)
    sse_line, _ = sse_of(np.broadcast_to(base, (n_series, n_time, 2)))
    best_sse = np.full(n_series, np.inf)
    best_pos = np.full(n_series, np.nan)
    best_change = np.full(n_series, np.nan)
    first = np.argmax(valid, axis=1)
    for tau in range(min_segment, n_time - min_segment, max(1, step)):
        hinge = np.maximum(t - tau, 0.0)
        design = np.broadcast_to(
            np.stack([np.ones(n_time), t, hinge], axis=-1), (n_series, n_time, 3)
        )
        sse, coef = sse_of(design)
        allowed = (tau - first) >= min_segment
        better = allowed & (sse < best_sse)
        best_sse = np.where(better, sse, best_sse)
        best_pos = np.where(better, tau, best_pos)
        best_change = np.where(better, coef[:, 2], best_change)
    with np.errstate(invalid="ignore", divide="ignore"):
        gain = n * np.log(np.maximum(sse_line, 1e-12) / np.maximum(best_sse, 1e-12))
    gain -= 2.0 * np.log(np.maximum(n, 2.0))
    gain = np.where(np.isfinite(best_sse), gain, np.nan)
    return best_pos, best_change, gain


def _break_evidence(
    y: np.ndarray, time_last: np.ndarray, frequency: Frequency, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(break position, slope change in % of the level a year, upward break flag, break
    evidence) of each series, on the series without its season (a seasonal peak is no
    trend break)."""
    year = round(SEASONAL_PERIODS[frequency])
    time = time_last[:, None] - np.arange(y.shape[1] - 1, -1, -1, dtype=np.float64)[None, :]
    season = fit_fourier_seasonality(y, time, SEASONAL_PERIODS[frequency])
    adjusted = y - season.component(time)
    position, slope_change, gain = trend_breaks(
        adjusted, min_segment=max(4, year // 4), step=max(1, year // 26)
    )
    level = np.maximum(np.abs(np.nanmean(adjusted, axis=1)), floor)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope_change_pct = 100.0 * slope_change * year / level
    break_flag = (gain > 0) & (slope_change > 0)
    break_evidence = np.where(np.isnan(gain), np.nan, np.where(break_flag, gain, 0.0))
    return position, slope_change_pct, break_flag, break_evidence


def _combined_score(
    log_growth: np.ndarray, acceleration: np.ndarray, break_evidence: np.ndarray
) -> np.ndarray:
    """Weighted mean (``_WEIGHTS``) of the three percentile ranks a series has."""
    ranks = np.stack(
        [
            _percentile_rank(log_growth),
            _percentile_rank(acceleration),
            _percentile_rank(break_evidence),
        ],
        axis=1,
    )
    weights = np.asarray(_WEIGHTS)
    have = ~np.isnan(ranks)
    with np.errstate(invalid="ignore", divide="ignore"):
        score: np.ndarray = np.nansum(ranks * weights, axis=1) / np.sum(have * weights, axis=1)
    return score


def rank_emerging(frame: pl.DataFrame, frequency: Frequency, *, max_gap: int = 4) -> pl.DataFrame:
    """Rank series by rising demand; one row per series with the evidence (EMERGING_SCHEMA).

    Series with less than two years of history get growth and acceleration null and rank
    after every series that could be assessed.
    """
    prepared = prepare_series(frame, frequency, max_gap=max_gap).values
    if prepared.height == 0:
        return pl.DataFrame(schema=EMERGING_SCHEMA)
    per_series = prepared.group_by("series_id", maintain_order=True).agg(
        n=pl.len(), last_period=pl.col("period").last()
    )
    lengths = per_series.get_column("n").to_numpy().astype(np.int64)
    time_last = calendar_index(per_series.get_column("last_period"), frequency)
    panel = build_panel(prepared.get_column("value").to_numpy(), lengths, time_last)
    year = round(SEASONAL_PERIODS[frequency])
    half = max(1, year // 2)
    y = panel.values[:, -3 * year :] if panel.n_time > 3 * year else panel.values

    recent = _window_mean(y, 0, year)
    previous = _window_mean(y, year, 2 * year)
    floor = 0.01 * np.nanmax(np.abs(y), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(previous > 0, 100.0 * (recent - previous) / previous, np.nan)
        log_growth = np.log((recent + floor) / (previous + floor))
        yoy_recent = _window_mean(y, 0, half) - _window_mean(y, year, year + half)
        yoy_before = _window_mean(y, half, year) - _window_mean(y, year + half, 2 * year)
        acceleration = 100.0 * (yoy_recent - yoy_before) / np.maximum(previous, floor)

    position, slope_change_pct, break_flag, break_evidence = _break_evidence(
        y, time_last, frequency, floor
    )
    score = _combined_score(log_growth, acceleration, break_evidence)
    score = np.where(np.isnan(growth) & np.isnan(log_growth), np.nan, score)

    back = (y.shape[1] - 1 - position).astype(np.float64)
    out = pl.DataFrame(
        {
            "series_id": per_series.get_column("series_id"),
            "score": score,
            "recent_mean": recent,
            "previous_mean": previous,
            "growth_pct": growth,
            "acceleration_pct": acceleration,
            "break_flag": break_flag,
            "back": np.where(break_flag, back, np.nan),
            "last_period": per_series.get_column("last_period"),
            "slope_change_pct": slope_change_pct,
            "n_obs": lengths,
        }
    ).with_columns(pl.col(pl.Float64).fill_nan(None))
    unit, number = ("w", 1) if frequency == "week" else ("mo", 1 if frequency == "month" else 3)
    out = out.with_columns(
        break_period=pl.when(pl.col("back").is_not_null()).then(
            pl.col("last_period").dt.offset_by(
                pl.format("-{}" + unit, (pl.col("back") * number).cast(pl.Int64))
            )
        )
    )
    out = out.sort("score", descending=True, nulls_last=True).with_row_index("rank", offset=1)
    return out.select(list(EMERGING_SCHEMA)).cast(pl.Schema(EMERGING_SCHEMA))
