"""M4 weekly benchmark: our models and selection against Naive2, published M4 figures and
statsforecast (a peer library), all measured in one run.

The 359 weekly series of the M4 competition are read from ``../shared/data/m4-weekly/``
(relative to the repository; never copied into it). Horizon 13, sMAPE, MASE (m = 1, as M4
uses for weekly data) and OWA exactly as M4 computes them: averages over series first,
OWA = mean of the two ratios to Naive2. M4 publishes no dates for these series, so each
series is given weekly dates ending on 2018-12-31; only the phase of the yearly Fourier
term depends on it, and it is fitted per series.

Run: ``.venv/bin/python benchmarks/forecast_m4.py`` (``--no-peers`` to skip statsforecast,
which is installed only for benchmarks: ``pip install 'statsforecast>=2.0'``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from credtrends.forecasting import ForecastConfig, forecast
from credtrends.forecasting.metrics import mase_scales
from credtrends.forecasting.models import MODEL_NAMES, ModelSettings, forecast_origin
from credtrends.forecasting.panel import build_panel

HORIZON = 13
END_DATE = dt.date(2018, 12, 31)
DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "m4-weekly"

#: From the data's README (M4 evaluation workbook): sMAPE, MASE, OWA.
PUBLISHED: dict[str, tuple[float, float, float]] = {
    "M4 Naive2": (9.161, 2.777, 1.000),
    "M4 SES": (9.012, 2.685, 0.975),
    "M4 Theta": (9.093, 2.637, 0.971),
    "M4 Damped": (8.866, 2.404, 0.917),
    "M4 Comb (SES, Holt, Damped)": (8.944, 2.432, 0.926),
    "M4 best weekly submission": (6.582, 2.107, 0.739),
}


def read_m4(path: Path) -> list[tuple[str, np.ndarray[Any, np.dtype[np.float64]]]]:
    """Rows of (id, values) from an M4 csv (ragged rows padded with empty cells)."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [
            (row[0], np.array([float(v) for v in row[1:] if v != ""], dtype=np.float64))
            for row in reader
        ]


def long_frame(series: list[tuple[str, np.ndarray[Any, np.dtype[np.float64]]]]) -> pl.DataFrame:
    """Long frame with synthetic weekly dates ending on END_DATE (M4 has no dates)."""
    ids: list[str] = []
    offsets: list[int] = []
    values: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    for sid, v in series:
        ids.extend([sid] * v.shape[0])
        offsets.extend(range(v.shape[0] - 1, -1, -1))
        values.append(v)
    return (
        pl.DataFrame({"series_id": ids, "back": offsets, "value": np.concatenate(values)})
        .with_columns(period=pl.lit(END_DATE).dt.offset_by(pl.format("-{}w", pl.col("back"))))
        .select("series_id", "period", "value")
    )


def score(
    forecasts: pl.DataFrame,
    test: pl.DataFrame,
    scales: pl.DataFrame,
    level_columns: bool = True,
) -> pl.DataFrame:
    """Per model: sMAPE, MASE (averaged per series, then over series) and coverage."""
    joined = forecasts.join(test, on=["series_id", "step"]).join(scales, on="series_id")
    actual, mean = pl.col("actual"), pl.col("mean")
    terms = [
        pl.when((actual.abs() + mean.abs()) == 0)
        .then(0.0)
        .otherwise(200 * (actual - mean).abs() / (actual.abs() + mean.abs()))
        .alias("smape"),
        ((actual - mean).abs() / pl.col("scale")).alias("mase"),
    ]
    if level_columns:
        terms += [
            ((actual >= pl.col("lo80")) & (actual <= pl.col("hi80"))).alias("cov80"),
            ((actual >= pl.col("lo95")) & (actual <= pl.col("hi95"))).alias("cov95"),
        ]
    per_series = (
        joined.with_columns(terms)
        .group_by("model", "series_id")
        .agg(
            pl.col("smape", "mase").mean(),
            *([pl.col("cov80", "cov95").mean()] if level_columns else []),
        )
    )
    counts = per_series.group_by("model").agg(pl.len().alias("series"))
    result = per_series.group_by("model").agg(pl.all().exclude("series_id").mean())
    return result.join(counts, on="model")


def peers(
    frame: pl.DataFrame, n_jobs: int, *, slow: bool
) -> tuple[pl.DataFrame, dict[str, float], str]:
    """statsforecast AutoETS, AutoTheta and MSTL, one timed run per model.

    AutoETS runs twice: with season 1 (M4's weekly convention, fast) and with season 52
    (yearly seasonal ETS: about 1 s per series, skipped with ``--skip-slow-peers``).
    Series a model cannot fit fall back to Naive (statsforecast's ``fallback_model``).
    """
    import statsforecast
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, AutoTheta, Naive

    data = frame.rename({"series_id": "unique_id", "period": "ds", "value": "y"})
    makers: dict[str, Callable[[], Any]] = {
        "statsforecast AutoETS(1)": lambda: AutoETS(season_length=1, alias="m"),
        "statsforecast AutoTheta(52)": lambda: AutoTheta(season_length=52, alias="m"),
        "statsforecast MSTL(52)+AutoETS": lambda: MSTL(
            season_length=52, trend_forecaster=AutoETS(model="ZZN"), alias="m"
        ),
    }
    if slow:
        makers["statsforecast AutoETS(52)"] = lambda: AutoETS(season_length=52, alias="m")
    frames: list[pl.DataFrame] = []
    timings: dict[str, float] = {}
    for name, make in makers.items():
        start = time.perf_counter()
        sf = StatsForecast(models=[make()], freq="1w", n_jobs=n_jobs, fallback_model=Naive())
        out = sf.forecast(h=HORIZON, df=data, level=[80, 95])
        timings[name] = time.perf_counter() - start
        out = pl.DataFrame(out) if not isinstance(out, pl.DataFrame) else out
        frames.append(
            out.rename({"unique_id": "series_id", "m": "mean"})
            .with_columns(
                model=pl.lit(name),
                step=pl.int_range(1, HORIZON + 1).over("series_id"),
                lo80=pl.col("m-lo-80"),
                hi80=pl.col("m-hi-80"),
                lo95=pl.col("m-lo-95"),
                hi95=pl.col("m-hi-95"),
            )
            .select("series_id", "step", "model", "mean", "lo80", "hi80", "lo95", "hi95")
        )
    return pl.concat(frames), timings, statsforecast.__version__


def single_fit_timings(
    train: list[tuple[str, np.ndarray[Any, np.dtype[np.float64]]]], config: ForecastConfig
) -> dict[str, float]:
    """Seconds to fit each of our models once on all series (one process, no backtest)."""
    lengths = np.array([v.shape[0] for _, v in train], dtype=np.int64)
    panel = build_panel(np.concatenate([v for _, v in train]), lengths, np.zeros(len(train)))
    timings: dict[str, float] = {}
    forecast_origin(
        panel.values,
        panel.time_last,
        HORIZON,
        ModelSettings(
            seasonal_period=365.25 / 7.0,
            naive2_period=config.naive2_period or 1,
            fourier_harmonics=config.fourier_harmonics,
        ),
        timings,
    )
    return timings


#: What each model needs computed first (shared in the engine, counted here for each).
_NEEDS: dict[str, tuple[str, ...]] = {
    "theta": ("ses",),
    "ets": ("ses", "holt", "damped"),
    "comb": ("ses", "damped", "theta"),
}
_SEASONALLY_ADJUSTED = ("ses", "holt", "damped", "theta", "ets", "arima", "comb")


def standalone_seconds(model: str, fits: dict[str, float]) -> float:
    """Seconds to produce one model alone: itself, what it builds on, seasonal adjustment."""
    parts = {model, *_NEEDS.get(model, ())}
    if model in _SEASONALLY_ADJUSTED:
        parts.add("seasonal_adjustment")
    return sum(fits.get(p, 0.0) for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="M4 weekly folder")
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast")
    parser.add_argument(
        "--skip-slow-peers", action="store_true", help="skip AutoETS(52), ~7 min here"
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes (both cores)")
    args = parser.parse_args()

    train = read_m4(args.data / "Weekly-train.csv")
    test_rows = read_m4(args.data / "Weekly-test.csv")
    frame = long_frame(train)
    test = pl.DataFrame(
        {
            "series_id": [sid for sid, v in test_rows for _ in v],
            "step": [i + 1 for _, v in test_rows for i in range(v.shape[0])],
            "actual": np.concatenate([v for _, v in test_rows]),
        }
    )
    scales = pl.DataFrame(
        {
            "series_id": [sid for sid, _ in train],
            "scale": [float(mase_scales(v[None, :], 1)[0]) for _, v in train],
        }
    )
    config = ForecastConfig(naive2_period=1, mase_period=1, n_jobs=args.n_jobs, all_models=True)

    start = time.perf_counter()
    result = forecast(frame, frequency="week", horizon=HORIZON, config=config)
    engine_seconds = time.perf_counter() - start
    ours = pl.concat(
        [result.forecasts.with_columns(model=pl.lit("selected")), result.model_forecasts]
    ).with_columns(step=pl.int_range(1, HORIZON + 1).over("series_id", "model"))
    ours = ours.select("series_id", "step", "model", "mean", "lo80", "hi80", "lo95", "hi95")
    fits = single_fit_timings(train, config)
    wall = {f"ours {m}": standalone_seconds(m, fits) for m in MODEL_NAMES}
    wall["ours selected"] = engine_seconds

    all_forecasts = ours.with_columns(model=pl.format("ours {}", pl.col("model")))
    version = "not run"
    if not args.no_peers:
        peer_forecasts, peer_wall, version = peers(
            frame, args.n_jobs, slow=not args.skip_slow_peers
        )
        all_forecasts = pl.concat([all_forecasts, peer_forecasts])
        wall.update(peer_wall)
    table = score(all_forecasts, test, scales)
    naive2 = table.filter(pl.col("model") == "ours naive2").row(0, named=True)
    baseline_time = max(wall["ours snaive"], 1e-9)
    table = (
        table.with_columns(
            owa=0.5 * (pl.col("smape") / naive2["smape"] + pl.col("mase") / naive2["mase"]),
            wall_s=pl.col("model").replace_strict(wall, default=None, return_dtype=pl.Float64),
        )
        .with_columns(wall_vs_snaive=pl.col("wall_s") / baseline_time)
        .sort("owa")
    )
    published = pl.DataFrame(
        [{"model": k, "smape": v[0], "mase": v[1], "owa": v[2]} for k, v in PUBLISHED.items()]
    )

    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_width_chars(160)
    pl.Config.set_float_precision(4)
    print(f"M4 weekly: {len(train)} series, horizon {HORIZON}, MASE m=1, OWA vs Naive2 of this run")
    print(f"statsforecast {version}; worker processes {args.n_jobs}")
    print(
        "wall_s: ours per model = one fit on all series in one process, counting what it "
        "builds on (seasonal adjustment, SES for Theta...); 'ours selected' = the whole "
        "engine (prepare, 4-origin backtest of every model, selection, intervals, forecast) "
        "with the worker processes; peers = fit + forecast once with intervals, including "
        "numba compilation on first use"
    )
    print(
        table.select("model", "smape", "mase", "owa", "cov80", "cov95", "wall_s", "wall_vs_snaive")
    )
    print("Published M4 figures (same series, horizon, measures):")
    print(published)
    print("Backtest (4 rolling origins, leave-one-origin-out interval coverage):")
    print(result.summary)
    members = (
        result.selection.select(pl.col("model").str.split("+").alias("member"))
        .explode("member")
        .group_by("member")
        .len()
        .sort("len", descending=True)
    )
    print("Series whose selected combination includes each model:", dict(members.iter_rows()))
    print("Series seasonally adjusted:", int(result.selection.get_column("seasonal").sum()))


if __name__ == "__main__":
    main()
