"""Stitch long daily series from overlapping Google Trends windows.

Google gives daily values only for windows under ~9 months, each scaled to its own
maximum. A long daily series is therefore fetched as overlapping windows and each window
is rescaled onto the previous ones by the ratio observed on the overlap. The ratio is the
median of log ratios over overlapping points that are non-zero in both windows (a single
outlier day or a "<1" cannot tilt it), and its uncertainty accumulates along the chain,
so the error band widens with distance from the first window - honestly.

Weekly and monthly windows usually need no stitching (one request covers 5 years); a
single window per series passes through with rounding bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from credtrends.errors import ConfigError

STITCHED_SCHEMA = pl.Schema(
    {
        "term": pl.String(),
        "geo": pl.String(),
        "period_start": pl.Date(),
        "value": pl.Float64(),
        "value_low": pl.Float64(),
        "value_high": pl.Float64(),
        "rel_stderr": pl.Float64(),
        "is_partial": pl.Boolean(),
        "n_windows": pl.Int16(),
    }
)
"""One row per (term, geo, period). ``value``: 100 = the stitched series' maximum.
``value_low``/``value_high``: +-2 standard errors (rounding plus chained overlap ratios)."""

MIN_OVERLAP_POINTS = 7
"""Fewer non-zero overlapping points than this and the ratio is too noisy to trust."""


@dataclass
class _Window:
    timeframe: str
    periods: list[date]
    values: np.ndarray
    partial: np.ndarray
    offset: float = 0.0
    offset_var: float = 0.0


def _rounding_log_var(values: np.ndarray) -> np.ndarray:
    low = np.maximum(values - 0.5, 1.0)
    high = np.minimum(values + 0.5, 100.0)
    return np.asarray((np.log(high) - np.log(low)) ** 2 / 12.0, dtype=np.float64)


def _overlap_ratio(
    stitched: dict[date, tuple[float, float]], window: _Window, min_points: int
) -> tuple[float, float, int]:
    """Median log ratio (stitched / window) on the overlap, its variance, and the count."""
    ratios = []
    variances = []
    for day, value, partial in zip(window.periods, window.values, window.partial, strict=True):
        if partial or value < 1 or day not in stitched:
            continue
        log_value, log_var = stitched[day]
        if not math.isfinite(log_value):
            continue
        ratios.append(log_value - math.log(value))
        variances.append(log_var + float(_rounding_log_var(np.array([value]))[0]))
    if len(ratios) < min_points:
        return math.nan, math.nan, len(ratios)
    r = np.array(ratios)
    median = float(np.median(r))
    mad = float(np.median(np.abs(r - median))) * 1.4826
    spread = max(mad**2, float(np.mean(variances)))
    # the median's variance is about (pi/2) * variance / n for near-normal errors
    return median, (math.pi / 2.0) * spread / len(r), len(r)


def stitch_windows(frame: pl.DataFrame, *, min_overlap: int = MIN_OVERLAP_POINTS) -> pl.DataFrame:
    """Stitch every (term, geo) series of ``frame`` across its windows (``timeframe``).

    ``frame`` has ``term, geo, timeframe, period_start, value`` and optionally
    ``is_partial`` (parsed interest-over-time rows of several windows). Windows are chained
    in order of their first period; each must overlap the ones before it by at least
    ``min_overlap`` non-zero points, or ConfigError names the gap.
    """
    needed = ["term", "geo", "timeframe", "period_start", "value"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ConfigError(f"stitch_windows: the frame lacks columns {missing}")
    work = frame
    if "is_partial" not in work.columns:
        work = work.with_columns(is_partial=pl.lit(False))
    outputs: list[dict[str, object]] = []
    for (term, geo), series in work.group_by("term", "geo", maintain_order=True):
        windows: list[_Window] = []
        for (timeframe,), rows in series.group_by("timeframe", maintain_order=True):
            rows = rows.sort("period_start")
            windows.append(
                _Window(
                    timeframe=str(timeframe),
                    periods=rows.get_column("period_start").to_list(),
                    values=rows.get_column("value").cast(pl.Float64).fill_null(np.nan).to_numpy(),
                    partial=rows.get_column("is_partial").fill_null(False).to_numpy(),
                )
            )
        windows.sort(key=lambda w: (w.periods[0], w.periods[-1]))
        outputs.extend(_stitch_series(str(term), str(geo), windows, min_overlap))
    if not outputs:
        return pl.DataFrame(schema=STITCHED_SCHEMA)
    result = pl.DataFrame(outputs, schema=STITCHED_SCHEMA)
    return result.sort("geo", "term", "period_start")


def _stitch_series(
    term: str, geo: str, windows: Sequence[_Window], min_overlap: int
) -> list[dict[str, object]]:
    # per period: list of (log value, log variance, is_partial, below_one_upper)
    points: dict[date, list[tuple[float, float, bool]]] = {}
    stitched: dict[date, tuple[float, float]] = {}

    def combine(day: date) -> tuple[float, float]:
        entries = [e for e in points[day] if math.isfinite(e[0])]
        stable = [e for e in entries if not e[2]] or entries
        if not stable:
            return -math.inf, math.inf
        weights = np.array([1.0 / v for _, v, _ in stable])
        logs = np.array([value for value, _, _ in stable])
        return float((weights * logs).sum() / weights.sum()), float(1.0 / weights.sum())

    for index, window in enumerate(windows):
        if index > 0:
            offset, offset_var, count = _overlap_ratio(stitched, window, min_overlap)
            if not math.isfinite(offset):
                raise ConfigError(
                    f"stitch_windows: window {window.timeframe} of {term!r} ({geo or 'world'}) "
                    f"overlaps the earlier windows on only {count} non-zero points; "
                    f"at least {min_overlap} are needed - fetch windows that overlap more"
                )
            window.offset, window.offset_var = offset, offset_var
        rounding = _rounding_log_var(np.nan_to_num(window.values, nan=1.0))
        for day, value, partial, var in zip(
            window.periods, window.values, window.partial, rounding, strict=True
        ):
            if math.isnan(value):
                continue
            if value >= 1:
                entry = (
                    math.log(value) + window.offset,
                    float(var) + window.offset_var,
                    bool(partial),
                )
            else:  # "<1": somewhere in [0, 1) -> carry 0.5 with a wide variance
                entry = (math.log(0.5) + window.offset, 0.5 + window.offset_var, bool(partial))
            points.setdefault(day, []).append(entry)
        for day in window.periods:
            if day in points:
                stitched[day] = combine(day)

    days = sorted(stitched)
    logs = np.array([stitched[d][0] for d in days])
    variances = np.array([stitched[d][1] for d in days])
    partial_flags = [all(e[2] for e in points[d]) for d in days]
    finite = np.isfinite(logs)
    stable_logs = [v for v, p, f in zip(logs, partial_flags, finite, strict=True) if f and not p]
    top = max(stable_logs) if stable_logs else float(np.max(logs[finite]))
    rows: list[dict[str, object]] = []
    for day, log_value, variance, partial in zip(days, logs, variances, partial_flags, strict=True):
        sd = math.sqrt(variance) if math.isfinite(variance) else math.nan
        value = 100.0 * math.exp(log_value - top) if math.isfinite(log_value) else 0.0
        rows.append(
            {
                "term": term,
                "geo": geo,
                "period_start": day,
                "value": value,
                "value_low": value * math.exp(-2 * sd) if math.isfinite(sd) else 0.0,
                "value_high": value * math.exp(2 * sd) if math.isfinite(sd) else math.nan,
                "rel_stderr": sd,
                "is_partial": partial,
                "n_windows": len(points[day]),
            }
        )
    return rows
