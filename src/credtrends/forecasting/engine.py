"""The forecasting engine: long frame in, forecasts, backtest errors and choices out.

``forecast(frame, frequency=..., horizon=...)`` prepares the series, splits them into
chunks of similar length (little NaN padding), backtests and forecasts every chunk in a
worker process (both cores), then chooses a model per series, calibrates intervals on the
pooled backtest errors and returns long polars frames. Deterministic: the same frame and
configuration give the same result, and the result records both (``run_info``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from credtrends import __version__
from credtrends.forecasting.backtest import BacktestSpec, ChunkResult, run_chunk
from credtrends.forecasting.intervals import (
    LEVELS,
    calibrate_quantiles,
    error_scales,
    interval_bounds,
    leave_one_origin_out_coverage,
    selected_errors,
    signed_quantiles,
)
from credtrends.forecasting.models import (
    MODEL_NAMES,
    SEASONAL_FAMILY,
    SEASONAL_SUFFIX,
    ModelSettings,
)
from credtrends.forecasting.panel import FloatArray, IntArray, Panel, build_panel, calendar_index
from credtrends.forecasting.prepare import (
    SEASONAL_PERIODS,
    Frequency,
    prepare_series,
    validate_frequency,
)
from credtrends.forecasting.selection import (
    BacktestErrors,
    backtest_errors,
    combination_names,
    combine,
)
from credtrends.forecasting.strategy import (
    STRATEGIES,
    Choice,
    choose_forecasts,
    median_rule,
    validate_strategy,
)

#: Models the backtest chooses from by default, each with its seasonal variant. Holt's
#: undamped trend stays out (ETS can still pick it): on the M4 weekly backtest, choosing it
#: per series was noise that cost accuracy (nested backtest OWA 0.855 without it, 0.875
#: with it); Naive2 is a benchmark.
_PLAIN_CANDIDATES: tuple[str, ...] = ("ses", "damped", "theta", "ets", "arima", "comb")
DEFAULT_CANDIDATES: tuple[str, ...] = (
    "naive",
    "snaive",
    *_PLAIN_CANDIDATES,
    *(f"{m}{SEASONAL_SUFFIX}" for m in _PLAIN_CANDIDATES),
)

FORECAST_SCHEMA: dict[str, pl.DataType] = {
    "series_id": pl.String(),
    "period": pl.Date(),
    "model": pl.String(),
    "mean": pl.Float64(),
    "lo80": pl.Float64(),
    "hi80": pl.Float64(),
    "lo95": pl.Float64(),
    "hi95": pl.Float64(),
}

ProgressCallback = Callable[[int, int], None]

_WITH_SELECTED: tuple[str, ...] = (*MODEL_NAMES, "selected")


@dataclass(frozen=True)
class ForecastConfig:
    """Every choice a forecast run makes; stored with the run so it can be repeated.

    ``seasonal_period`` None means a year at the frequency (52.18 weeks, 12 months,
    4 quarters); 0 or 1 turns seasonal adjustment off. ``naive2_period`` and
    ``mase_period`` default to the rounded seasonal period (M4 uses 1 for weekly data).
    ``origin_step`` None means ``horizon``: non-overlapping backtest windows.
    ``strategies``: the selection rules the run tries (``top4``: the four best candidates
    per series, weighted by inverse backtest error; ``family_top1``: the best model of the
    family, seasonal or not, that backtests better); the nested backtest keeps the best
    (``strategy.py``).
    ``fallback_model`` forecasts series too short to backtest: SES, which extrapolates no
    trend from a handful of points. ``non_negative`` None means "if every value is >= 0".
    ``integer_forecasts`` None means: for integer data (Google Trends' 0-100 scale), round
    point forecasts when that lowers the pooled backtest error, the backtest decides.
    ``median_zero`` None means: for non-negative data with zeros, let the nested backtest
    decide whether to forecast 0 where most of the last half year (or year) is 0, and with
    which window (``strategy.py``); False never, True always (window by backtest).
    ``max_history``: only the most recent periods are fitted (cost bound for long series;
    300 on the nested backtest of M4 weekly's training data: OWA 0.776, against 0.815 with
    600 and 0.782 with 200, at 8.9 CPU ms per series against 17.2 with 600).
    """

    n_origins: int = 4
    origin_step: int | None = None
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    fallback_model: str = "ses"
    seasonal_period: float | None = None
    naive2_period: int | None = None
    mase_period: int | None = None
    non_negative: bool | None = None
    integer_forecasts: bool | None = None
    median_zero: bool | None = None
    max_history: int = 300
    max_gap: int = 4
    min_train: int = 8
    fourier_harmonics: int = 8
    strategies: tuple[str, ...] = STRATEGIES
    n_jobs: int = 2
    chunk_size: int = 500
    all_models: bool = False

    def __post_init__(self) -> None:
        unknown = [m for m in (*self.candidates, self.fallback_model) if m not in MODEL_NAMES]
        if unknown:
            raise ValueError(
                f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODEL_NAMES)}"
            )
        if not self.candidates:
            raise ValueError("candidates must name at least one model")
        if not self.strategies:
            raise ValueError("strategies must name at least one selection rule")
        for rule in self.strategies:
            validate_strategy(rule)
        # At least one origin: selection and interval widths both come from the backtest.
        if self.n_origins < 1 or self.n_jobs < 1 or self.chunk_size < 1 or self.min_train < 2:
            raise ValueError("n_origins >= 1, n_jobs >= 1, chunk_size >= 1, min_train >= 2")
        if self.max_history < 2 * self.min_train:
            raise ValueError("max_history must be >= 2 * min_train")


@dataclass(frozen=True)
class ForecastResult:
    """Long frames a forecast run produces (see the module docs of each for columns).

    - ``forecasts``: series_id, period, model, mean, lo80, hi80, lo95, hi95, one model
      per series: the one the backtest chose.
    - ``model_forecasts``: the same columns for every model (empty unless ``all_models``).
    - ``selection``: per series the chosen model, its backtest MASE, whether the series
      was seasonally adjusted, its history length.
    - ``metrics``: per series and model the backtest MASE, sMAPE, interval coverage.
    - ``backtest``: the chosen model's backtest points with actuals and intervals.
    - ``summary``: per model (and ``selected``) the mean errors and coverage.
    - ``interval_widths``: per model and step, half-widths in units of each series' mean
      absolute backtest error for that model (symmetric; the selected forecast's own bounds
      and its backtest's lean towards its signed errors, ``intervals.signed_quantiles``).
    - ``gaps``: what preparation filled or cut.
    """

    forecasts: pl.DataFrame
    model_forecasts: pl.DataFrame
    selection: pl.DataFrame
    metrics: pl.DataFrame
    backtest: pl.DataFrame
    summary: pl.DataFrame
    interval_widths: pl.DataFrame
    gaps: pl.DataFrame
    run_info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Chunk:
    rows: IntArray
    panel: Panel


def _fingerprint(values: pl.DataFrame) -> str:
    """Stable hash of the prepared data, so a stored run names its exact input."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(values.get_column("series_id").to_list()).encode())
    digest.update(values.get_column("period").cast(pl.Int32).to_numpy().tobytes())
    digest.update(values.get_column("value").to_numpy().tobytes())
    return digest.hexdigest()


def _chunks(
    values: pl.DataFrame, per_series: pl.DataFrame, frequency: Frequency, chunk_size: int
) -> Iterator[_Chunk]:
    """Chunks of series of similar length (sorted by length), as dense panels."""
    lengths = per_series.get_column("n").to_numpy().astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = values.get_column("value").to_numpy()
    time_last = calendar_index(per_series.get_column("last_period"), frequency)
    order = np.argsort(lengths, kind="stable")
    for start in range(0, order.shape[0], chunk_size):
        rows = order[start : start + chunk_size]
        pieces = [flat[offsets[i] : offsets[i + 1]] for i in rows]
        panel = build_panel(np.concatenate(pieces), lengths[rows], time_last[rows])
        yield _Chunk(rows=rows.astype(np.int64), panel=panel)


def _run_chunks(
    chunks: Sequence[_Chunk],
    spec: BacktestSpec,
    n_jobs: int,
    progress: ProgressCallback | None,
    total: int,
) -> list[ChunkResult]:
    """Run chunks in worker processes (spawned: forking a process running polars threads
    can deadlock), or inline when one worker or one chunk makes a pool pointless."""
    done = 0
    results: list[ChunkResult] = []
    if n_jobs == 1 or len(chunks) == 1:
        for chunk in chunks:
            results.append(run_chunk(chunk.panel, spec))
            done += chunk.panel.n_series
            if progress:
                progress(done, total)
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=context) as pool:
        futures: list[Future[ChunkResult]] = [
            pool.submit(run_chunk, chunk.panel, spec) for chunk in chunks
        ]
        for chunk, future in zip(chunks, futures, strict=True):
            results.append(future.result())
            done += chunk.panel.n_series
            if progress:
                progress(done, total)
    return results


def _gather(results: Sequence[ChunkResult], chunks: Sequence[_Chunk], n: int) -> ChunkResult:
    """Concatenate chunk arrays back into the order of ``per_series``."""
    rows = np.concatenate([c.rows for c in chunks])
    inverse = np.empty(n, dtype=np.int64)
    inverse[rows] = np.arange(n)

    def cat(name: str) -> Any:
        return np.concatenate([getattr(r, name) for r in results], axis=0)[inverse]

    return ChunkResult(
        backtest=cat("backtest"),
        actuals=cat("actuals"),
        mase_scale=cat("mase_scale"),
        interval_scale=cat("interval_scale"),
        final=cat("final"),
        final_mase_scale=cat("final_mase_scale"),
        final_interval_scale=cat("final_interval_scale"),
        seasonal=cat("seasonal"),
        zero_share=cat("zero_share"),
        final_zero_share=cat("final_zero_share"),
    )


def _zero_windows(frequency: Frequency) -> tuple[int, ...]:
    """Half a year and a year of periods: the windows the median rule may look back on."""
    year = round(SEASONAL_PERIODS[frequency])
    return tuple(sorted({max(1, year // 2), year}))


_OFFSET_UNITS: dict[Frequency, tuple[int, str]] = {
    "week": (1, "w"),
    "month": (1, "mo"),
    "quarter": (3, "mo"),
}


def _period_offsets(frequency: Frequency, steps: pl.Expr) -> pl.Expr:
    """polars duration strings for ``steps`` periods (negative steps go back in time)."""
    number, unit = _OFFSET_UNITS[frequency]
    return pl.format("{}" + unit, steps * number)


def _forecast_frame(
    ids: pl.Series,
    last_period: pl.Series,
    frequency: Frequency,
    model: Sequence[str],
    mean: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> pl.DataFrame:
    n_series, horizon = mean.shape
    steps = np.tile(np.arange(1, horizon + 1), n_series)
    frame = pl.DataFrame(
        {
            "series_id": np.repeat(ids.to_numpy(), horizon),
            "last_period": np.repeat(last_period.to_numpy(), horizon),
            "step": steps,
            "model": np.repeat(np.asarray(model, dtype=object), horizon),
            "mean": mean.ravel(),
            "lo80": lower[:, 0, :].ravel(),
            "hi80": upper[:, 0, :].ravel(),
            "lo95": lower[:, 1, :].ravel(),
            "hi95": upper[:, 1, :].ravel(),
        }
    )
    return (
        frame.with_columns(
            period=pl.col("last_period").dt.offset_by(_period_offsets(frequency, pl.col("step")))
        )
        .select(list(FORECAST_SCHEMA))
        .cast(pl.Schema(FORECAST_SCHEMA))
    )


def _empty_result(gaps: pl.DataFrame, info: dict[str, Any]) -> ForecastResult:
    return ForecastResult(
        forecasts=pl.DataFrame(schema=FORECAST_SCHEMA),
        model_forecasts=pl.DataFrame(schema=FORECAST_SCHEMA),
        selection=pl.DataFrame(
            schema={
                "series_id": pl.String,
                "model": pl.String,
                "validation_mase": pl.Float64,
                "seasonal": pl.Boolean,
                "n_obs": pl.Int64,
            }
        ),
        metrics=pl.DataFrame(),
        backtest=pl.DataFrame(),
        summary=pl.DataFrame(),
        interval_widths=pl.DataFrame(),
        gaps=gaps,
        run_info=info,
    )


def _choose(
    res: ChunkResult, values: pl.DataFrame, cfg: ForecastConfig, spec: BacktestSpec
) -> tuple[Choice, bool]:
    """The run's selection rule, weights and rounding by nested backtest (``strategy``), and
    whether the data are non-negative (then no forecast or bound goes below zero)."""
    index = {name: i for i, name in enumerate(MODEL_NAMES)}
    candidates = [index[m] for m in cfg.candidates]
    fallback = index[cfg.fallback_model]
    observed = values.get_column("value").to_numpy()
    non_negative = (
        cfg.non_negative if cfg.non_negative is not None else bool(np.all(observed >= 0.0))
    )
    choice = choose_forecasts(
        res,
        candidates,
        fallback,
        cfg.strategies,
        non_negative=non_negative,
        rounding=cfg.integer_forecasts,
        integer_data=bool(np.all(observed == np.round(observed))),
        zero_windows=spec.zero_windows,
        median_zero=cfg.median_zero,
    )
    return choice, non_negative


def _choice_info(choice: Choice, non_negative: bool, spec: BacktestSpec) -> dict[str, Any]:
    """What the run records of its choice (``run_info``)."""
    return {
        "non_negative": non_negative,
        "integer_forecasts": choice.rounded,
        "strategy": choice.strategy,
        "median_zero_window": (
            None if choice.zero_window is None else spec.zero_windows[choice.zero_window]
        ),
        "strategy_scores": choice.scores,
    }


def _run_info(
    frequency: Frequency,
    horizon: int,
    cfg: ForecastConfig,
    spec: BacktestSpec,
    values: pl.DataFrame,
) -> dict[str, Any]:
    """What a run records of itself before it runs: enough to tell two runs apart."""
    return {
        "frequency": frequency,
        "horizon": horizon,
        "config": asdict(cfg),
        "spec": {"mase_period": spec.mase_period, "origin_step": spec.origin_step},
        "models": list(MODEL_NAMES),
        "n_series": 0,
        "input_fingerprint": _fingerprint(values),
        "versions": {"credtrends": __version__, "numpy": np.__version__, "polars": pl.__version__},
    }


def _calibrate(
    res: ChunkResult, choice: Choice, non_negative: bool
) -> tuple[
    BacktestErrors, tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
]:
    """Backtest errors of every model and of the selection (one more model, whose backtest
    is the nested choice), and the intervals calibrated on them: (errors, (origin scales,
    final scales, quantiles (model + selected, level, step), points inside, points
    scored))."""
    weights, meta, rounding = choice.weights, choice.meta, choice.rounded
    backtest_all = np.concatenate([res.backtest, meta], axis=1)
    errors = backtest_errors(backtest_all, res.actuals, res.mase_scale)
    absolute = np.abs(res.actuals[:, None] - backtest_all)
    chosen = _as_forecast(
        combine(weights, res.backtest),
        non_negative,
        rounding,
        None
        if choice.zero_window is None or res.zero_share is None
        else res.zero_share[:, :, choice.zero_window],
    )
    absolute[:, -1] = selected_errors(absolute[:, -1], np.abs(res.actuals - chosen))
    signed = selected_errors(res.actuals - meta[:, 0], res.actuals - chosen)
    origin_scale, final_scale = error_scales(absolute, res.interval_scale, res.final_interval_scale)
    scaled = absolute / origin_scale[..., None]
    quantiles = calibrate_quantiles(scaled)  # (model + selected, level, step)
    sides = signed_quantiles(signed / origin_scale[:, -1, :, None], quantiles[-1])
    inside, scored = leave_one_origin_out_coverage(scaled)
    return errors, (origin_scale, final_scale, quantiles, inside, scored, sides)


def _selected_forecast(
    res: ChunkResult,
    choice: Choice,
    sides: FloatArray,
    final_scale: FloatArray,
    non_negative: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(point, lower, upper) of the chosen forecast: the combination of the models' final
    forecasts (0 where the median rule applies) with the selection's calibrated bounds
    (``sides``: distances below and above the point, (side, level, step))."""
    n_series = res.final.shape[0]
    below = np.broadcast_to(sides[0], (n_series, *sides[0].shape))
    above = np.broadcast_to(sides[1], (n_series, *sides[1].shape))
    point = combine(choice.weights, res.final)
    if choice.zero_window is not None and res.final_zero_share is not None:
        point = median_rule(point, res.final_zero_share[:, choice.zero_window])
    return _bounded(
        point, above, final_scale[:, -1], non_negative, choice.rounded, lower_width=below
    )


def _backtest_spec(frequency: Frequency, horizon: int, cfg: ForecastConfig) -> BacktestSpec:
    """The backtest and model settings of a run: the season from the frequency unless the
    config names one (a period of 1.5 or less is no season)."""
    period = SEASONAL_PERIODS[frequency] if cfg.seasonal_period is None else cfg.seasonal_period
    use_period = period if period and period > 1.5 else None
    rounded = round(use_period) if use_period else 1
    return BacktestSpec(
        horizon=horizon,
        n_origins=cfg.n_origins,
        origin_step=cfg.origin_step or horizon,
        min_train=cfg.min_train,
        mase_period=cfg.mase_period if cfg.mase_period is not None else rounded,
        settings=ModelSettings(
            seasonal_period=use_period,
            naive2_period=cfg.naive2_period if cfg.naive2_period is not None else rounded,
            fourier_harmonics=cfg.fourier_harmonics,
            max_history=cfg.max_history,
        ),
        zero_windows=_zero_windows(frequency),
    )


def _bounded(
    mean: FloatArray,
    half: FloatArray,
    scale: FloatArray,
    non_negative: bool,
    rounded: bool,
    lower_width: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(point, lower, upper) of a forecast: bounds from the calibrated half-widths, never
    below zero for non-negative data; rounded data keeps its bounds around the rounded
    point."""
    mean = np.maximum(mean, 0.0) if non_negative else mean
    lower, upper = interval_bounds(
        mean, half, scale, non_negative=non_negative, lower_width=lower_width
    )
    if rounded:
        mean = np.round(mean)
        lower = np.minimum(lower, mean[:, None, :])
        upper = np.maximum(upper, mean[:, None, :])
    return mean, lower, upper


def _model_forecasts(
    final: FloatArray,
    quantiles: FloatArray,
    final_scale: FloatArray,
    ids: pl.Series,
    last_period: pl.Series,
    frequency: Frequency,
    non_negative: bool,
) -> pl.DataFrame:
    """Every model's own forecast with its intervals (``all_models``), for comparison."""
    n_series = len(ids)
    frames = []
    for i, name in enumerate(MODEL_NAMES):
        half = np.broadcast_to(quantiles[i], (n_series, *quantiles[i].shape))
        m, lo, hi = _bounded(final[:, i, :], half, final_scale[:, i], non_negative, False)
        frames.append(_forecast_frame(ids, last_period, frequency, [name] * n_series, m, lo, hi))
    return pl.concat(frames)


def _selection_frame(
    ids: pl.Series,
    names: list[str],
    validation: FloatArray,
    nested_mase: FloatArray,
    weights: FloatArray,
    per_series: pl.DataFrame,
) -> pl.DataFrame:
    """One row per series: the chosen model (or combination) and its backtest errors."""
    return pl.DataFrame(
        {
            "series_id": ids,
            "model": names,
            "validation_mase": validation,
            "nested_mase": nested_mase,
            "seasonal": (weights * np.asarray(SEASONAL_FAMILY)[None, :]).sum(axis=1) > 0.5,
            "n_obs": per_series.get_column("n").cast(pl.Int64),
        }
    )


def _metrics_frame(
    ids: pl.Series, errors: BacktestErrors, inside: FloatArray, scored: FloatArray
) -> pl.DataFrame:
    """One row per series and model (the selection included): backtest errors and the
    leave-one-origin-out coverage of its intervals."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cover = inside / scored
    n_series = len(ids)
    return pl.DataFrame(
        {
            "series_id": np.repeat(ids.to_numpy(), len(_WITH_SELECTED)),
            "model": np.tile(np.asarray(_WITH_SELECTED, dtype=object), n_series),
            "mase": errors.mase.ravel(),
            "smape": errors.smape.ravel(),
            "coverage80": cover[:, :, 0].ravel(),
            "coverage95": cover[:, :, 1].ravel(),
            "points": errors.points.ravel(),
        }
    ).with_columns(pl.col("mase", "smape", "coverage80", "coverage95").fill_nan(None))


def _widths_frame(quantiles: FloatArray, horizon: int) -> pl.DataFrame:
    """The calibrated interval half-widths per model and step (in backtest-scale units)."""
    return pl.DataFrame(
        {
            "model": np.repeat(np.asarray(_WITH_SELECTED, dtype=object), horizon),
            "step": np.tile(np.arange(1, horizon + 1), len(_WITH_SELECTED)),
            "half_width80": quantiles[:, 0, :].ravel(),
            "half_width95": quantiles[:, 1, :].ravel(),
        }
    )


def forecast(
    frame: pl.DataFrame,
    *,
    frequency: Frequency,
    horizon: int,
    config: ForecastConfig | None = None,
    progress: ProgressCallback | None = None,
) -> ForecastResult:
    """Backtest, choose and forecast every series of a long frame.

    ``frame`` has ``series_id``, ``period``, ``value`` (nulls are gaps) and optionally
    ``is_partial``. ``progress(done, total)`` is called as chunks of series finish.
    With ``n_jobs > 1`` workers are spawned processes: a script calling this must guard
    its entry point with ``if __name__ == "__main__":`` (the CLI's console script does).
    """
    frequency = validate_frequency(frequency)
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    cfg = config or ForecastConfig()
    spec = _backtest_spec(frequency, horizon, cfg)
    prepared = prepare_series(frame, frequency, max_gap=cfg.max_gap)
    values = prepared.values
    info = _run_info(frequency, horizon, cfg, spec, values)
    if values.height == 0:
        return _empty_result(prepared.gaps, info)
    per_series = values.group_by("series_id", maintain_order=True).agg(
        n=pl.len(), last_period=pl.col("period").last()
    )
    n_series = per_series.height
    info["n_series"] = n_series
    chunks = list(_chunks(values, per_series, frequency, cfg.chunk_size))
    results = _run_chunks(chunks, spec, cfg.n_jobs, progress, n_series)
    res = _gather(results, chunks, n_series)

    choice, non_negative = _choose(res, values, cfg, spec)
    weights, nested, meta = choice.weights, choice.nested, choice.meta
    info.update(_choice_info(choice, non_negative, spec))
    errors, calibration = _calibrate(res, choice, non_negative)
    origin_scale, final_scale, quantiles, inside, scored, sides = calibration
    ids = per_series.get_column("series_id")
    last_period = per_series.get_column("last_period")

    names = combination_names(weights, choice.ranking, MODEL_NAMES)
    forecasts = _forecast_frame(
        ids, last_period, frequency, names,
        *_selected_forecast(res, choice, sides, final_scale, non_negative),
    )  # fmt: skip
    in_sample = combine(weights, res.backtest)[:, None]
    validation = backtest_errors(in_sample, res.actuals, res.mase_scale).mase[:, 0]
    model_forecasts = pl.DataFrame(schema=FORECAST_SCHEMA)
    if cfg.all_models:  # every model's own forecast, for comparison
        model_forecasts = _model_forecasts(
            res.final, quantiles, final_scale, ids, last_period, frequency, non_negative
        )

    selection = _selection_frame(ids, names, validation, errors.mase[:, -1], weights, per_series)
    metrics = _metrics_frame(ids, errors, inside, scored)
    summary = _summary(errors.mase, errors.smape, inside, scored, weights)
    backtest = _backtest_frame(
        res, meta[:, 0], sides, origin_scale[:, -1], nested, ids, last_period,
        frequency, cfg, non_negative,
    )  # fmt: skip
    widths = _widths_frame(quantiles, horizon)
    info["coverage"] = {
        row["model"]: {"coverage80": row["coverage80"], "coverage95": row["coverage95"]}
        for row in summary.iter_rows(named=True)
    }
    json.dumps(info, default=str)  # fail here, not in the warehouse, if not serialisable
    return ForecastResult(
        forecasts=forecasts,
        model_forecasts=model_forecasts,
        selection=selection,
        metrics=metrics,
        backtest=backtest,
        summary=summary,
        interval_widths=widths,
        gaps=prepared.gaps,
        run_info=info,
    )


def _as_forecast(
    backtest: FloatArray, non_negative: bool, rounded: bool, zero_share: FloatArray | None
) -> FloatArray:
    """Backtest forecasts (series, origin, step) clipped, zeroed and rounded as the real one."""
    out = np.maximum(backtest, 0.0) if non_negative else backtest
    if zero_share is not None:
        out = median_rule(out, zero_share)
    return np.round(out) if rounded else out


def _summary(
    mase: FloatArray, smape: FloatArray, inside: FloatArray, scored: FloatArray, weights: FloatArray
) -> pl.DataFrame:
    """Mean backtest errors and pooled leave-one-origin-out coverage per model.

    The ``selected`` row is the nested selection (each origin chosen from the others), so
    its errors are out of sample like every other row's.
    """
    records: list[dict[str, Any]] = []
    for i, name in enumerate(_WITH_SELECTED):
        points = float(scored[:, i, 0].sum())
        has = points > 0
        records.append(
            {
                "model": name,
                "mase": float(np.nanmean(mase[:, i])) if has else None,
                "smape": float(np.nanmean(smape[:, i])) if has else None,
                "coverage80": float(inside[:, i, 0].sum() / points) if has else None,
                "coverage95": float(inside[:, i, 1].sum() / points) if has else None,
                "series_chosen": int(np.sum(weights[:, i] > 0))
                if name != "selected"
                else weights.shape[0],
            }
        )
    return pl.DataFrame(
        records,
        schema={
            "model": pl.String,
            "mase": pl.Float64,
            "smape": pl.Float64,
            "coverage80": pl.Float64,
            "coverage95": pl.Float64,
            "series_chosen": pl.Int64,
        },
    )


def _backtest_frame(
    res: ChunkResult,
    mean: FloatArray,
    sides: FloatArray,
    scale: FloatArray,
    nested: FloatArray,
    ids: pl.Series,
    last_period: pl.Series,
    frequency: Frequency,
    cfg: ForecastConfig,
    non_negative: bool,
) -> pl.DataFrame:
    """The selected forecast's backtest points (nested choice per origin), long format.

    ``mean`` is (series, origin, step), already clipped and rounded as the forecast is;
    ``sides`` (side, level, step) the distances below and above it, as the forecast's.
    """
    n_series, _, n_origins, horizon = res.backtest.shape
    per_origin_names = np.array(
        [
            combination_names(nested[:, :, j], nested[:, :, j] * 0.0, MODEL_NAMES)
            for j in range(n_origins)
        ],
        dtype=object,
    ).T
    lower = mean[:, None] - sides[0][None, :, None, :] * scale[:, None, :, None]
    upper = mean[:, None] + sides[1][None, :, None, :] * scale[:, None, :, None]
    if non_negative:
        lower, upper = np.maximum(lower, 0.0), np.maximum(upper, 0.0)
    step = cfg.origin_step or horizon
    origin_back = np.arange(1, n_origins + 1) * step  # periods between origin and end
    steps = np.arange(1, horizon + 1)
    frame = pl.DataFrame(
        {
            "series_id": np.repeat(ids.to_numpy(), n_origins * horizon),
            "last_period": np.repeat(last_period.to_numpy(), n_origins * horizon),
            "model": per_origin_names.ravel().repeat(horizon),
            "origin_back": np.tile(np.repeat(origin_back, horizon), n_series),
            "step": np.tile(steps, n_series * n_origins),
            "actual": res.actuals.ravel(),
            "mean": mean.ravel(),
            "lo80": lower[:, 0].ravel(),
            "hi80": upper[:, 0].ravel(),
            "lo95": lower[:, 1].ravel(),
            "hi95": upper[:, 1].ravel(),
        }
    )
    frame = frame.filter(pl.col("mean").is_not_nan() & pl.col("actual").is_not_nan())
    return frame.with_columns(
        origin=pl.col("last_period").dt.offset_by(
            _period_offsets(frequency, -pl.col("origin_back"))
        ),
        period=pl.col("last_period").dt.offset_by(
            _period_offsets(frequency, pl.col("step") - pl.col("origin_back"))
        ),
    ).select("series_id", "model", "origin", "period", "step", "actual", "mean", *_bound_columns())


def _bound_columns() -> list[str]:
    return [f"{side}{level}" for level in LEVELS for side in ("lo", "hi")]
