"""Scale benchmark: backtest + forecast of 14,000 SYNTHETIC weekly series on this machine.

The series are synthetic (clearly not real demand): about five years of weeks each, with
a level, a linear trend, a yearly season of random strength and phase, a random-walk
component and noise, rounded and clipped to Google Trends' 0-100 integer scale, the last
week flagged partial. They stand in for 1,000 topics x 14 regions until the warehouse
holds that many. Wall time is printed next to a baseline measured in the same run: the
seasonal naive backtest + forecast over the same origins through the same preparation.

Run: ``.venv/bin/python benchmarks/forecast_scale.py [--series 14000] [--horizon 26]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl

from credtrends.forecasting import ForecastConfig, forecast, prepare_series, rank_emerging
from credtrends.forecasting.models import seasonal_naive
from credtrends.forecasting.panel import build_panel

WEEKS = 260
YEAR = 365.25 / 7.0
END = dt.date(2025, 6, 30)


def synthetic_frame(n_series: int, seed: int = 0) -> pl.DataFrame:
    """SYNTHETIC weekly series in the engine's long input format (with is_partial)."""
    rng = np.random.default_rng(seed)
    t = np.arange(WEEKS, dtype=np.float64)
    level = rng.uniform(5, 60, n_series)[:, None]
    trend = rng.normal(0, 0.04, n_series)[:, None] * level / 30
    amplitude = rng.uniform(0, 0.35, n_series)[:, None] * level
    phase = rng.uniform(0, 2 * np.pi, n_series)[:, None]
    season = amplitude * np.sin(2 * np.pi * t / YEAR + phase)
    walk = np.cumsum(rng.normal(0, 0.02, (n_series, WEEKS)), axis=1) * level
    noise = rng.normal(0, 0.08, (n_series, WEEKS)) * level
    values = np.clip(np.round(level + trend * t + season + walk + noise), 0, 100)
    back = np.arange(WEEKS - 1, -1, -1)
    return pl.DataFrame(
        {
            "series_id": np.repeat([f"synthetic-{i:05d}" for i in range(n_series)], WEEKS),
            "back": np.tile(back, n_series),
            "value": values.ravel(),
        }
    ).with_columns(
        period=pl.lit(END).dt.offset_by(pl.format("-{}w", pl.col("back"))),
        is_partial=pl.col("back") == 0,
    )


def seasonal_naive_baseline(frame: pl.DataFrame, horizon: int, n_origins: int) -> float:
    """Seconds for the same preparation, panel and origins with the seasonal naive only."""
    start = time.perf_counter()
    values = prepare_series(frame, "week").values
    lengths = values.group_by("series_id", maintain_order=True).len().get_column("len")
    panel = build_panel(
        values.get_column("value").to_numpy(),
        lengths.to_numpy().astype(np.int64),
        np.zeros(lengths.len()),
    )
    for k in range(n_origins + 1):
        end = panel.n_time - horizon * k
        seasonal_naive(panel.values[:, :end], horizon, 52)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=14_000)
    parser.add_argument("--horizon", type=int, default=26)
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()

    frame = synthetic_frame(args.series)
    print(f"SYNTHETIC data: {args.series} weekly series x {WEEKS} weeks ({frame.height} rows)")
    baseline = seasonal_naive_baseline(frame, args.horizon, args.origins)

    def progress(done: int, total: int) -> None:
        print(f"  {done}/{total} series", flush=True)

    config = ForecastConfig(n_origins=args.origins, non_negative=True, n_jobs=args.n_jobs)
    start = time.perf_counter()
    result = forecast(
        frame, frequency="week", horizon=args.horizon, config=config, progress=progress
    )
    engine = time.perf_counter() - start
    start = time.perf_counter()
    emerging = rank_emerging(frame, "week")
    ranking = time.perf_counter() - start

    pl.Config.set_tbl_rows(20)
    pl.Config.set_float_precision(3)
    print(
        f"backtest ({args.origins} origins, every model) + selection + intervals + "
        f"{args.horizon}-week forecast: {engine:.1f} s with {args.n_jobs} processes"
    )
    print(f"seasonal naive baseline (same preparation and origins): {baseline:.2f} s")
    print(f"ratio engine / seasonal naive baseline: {engine / baseline:.1f}")
    print(f"emerging-topic ranking: {ranking:.1f} s ({emerging.height} series)")
    print(f"forecast rows: {result.forecasts.height}; 10-minute budget used: {engine / 6:.1f}%")
    print("Backtest summary (SYNTHETIC series; leave-one-origin-out interval coverage):")
    print(result.summary)


if __name__ == "__main__":
    main()
