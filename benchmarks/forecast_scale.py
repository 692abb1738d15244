"""Scale benchmark: 10,000 and 100,000 SYNTHETIC weekly series, in-process and on Dask.

The series are synthetic (clearly not real demand): five years of weeks each, with a
level, a linear trend, a yearly season of random strength and phase, a random-walk
component and noise, rounded and clipped to Google Trends' 0-100 integer scale, the last
week flagged partial. They are generated chunk by chunk, as ``run_forecast`` reads them
from the warehouse, and go through the same chunk function and runners as
``credtrends forecast`` (``pipelines.forecast.forecast_chunk``, ``chunk_runners``); the
rows a chunk returns are counted and dropped instead of written to a warehouse.

For each size it runs the chunks (1) in this process, one after the other, and (2) on a
``dask.distributed`` LocalCluster of 2 single-threaded worker processes, and prints wall
ms per series (wall, and CPU of this process plus its workers: the machine may be
shared) and the peak RSS (resident memory) of this process and of the workers,
sampled every 0.1 s with psutil. Ratios are against baselines measured in the same run:
the seasonal naive over the same preparation and origins, the in-process run of the same
size, and the smallest size of the same mode (growth).

Run: ``nice .venv/bin/python benchmarks/forecast_scale.py [--sizes 10000,100000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import polars as pl
import psutil

from credtrends.forecasting import ForecastConfig, prepare_series
from credtrends.forecasting.models import seasonal_naive
from credtrends.forecasting.panel import build_panel
from credtrends.pipelines.chunk_runners import run_chunks
from credtrends.pipelines.forecast import MODEL_ORDER, ChunkForecast, RunSummary, forecast_chunk

WEEKS = 260
YEAR = 365.25 / 7.0
END = dt.date(2025, 6, 30)
MIB = 2**20


def synthetic_frame(n_series: int, seed: int = 0, first: int = 0) -> pl.DataFrame:
    """SYNTHETIC weekly series in ``interest_series``' shape (is_partial, is_synthetic)."""
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
    ids = [f"synthetic-{i:06d}|CA" for i in range(first, first + n_series)]
    return pl.DataFrame(
        {
            "series_id": np.repeat(ids, WEEKS),
            "back": np.tile(back, n_series),
            "value": values.ravel(),
        }
    ).select(
        "series_id",
        period=pl.lit(END).dt.offset_by(pl.format("-{}w", pl.col("back"))),
        value="value",
        is_partial=pl.col("back") == 0,
        is_synthetic=pl.lit(True),
    )


def synthetic_chunks(n_series: int, chunk_series: int) -> Iterator[pl.DataFrame]:
    """The series chunk by chunk (each its own seed): never all in memory at once."""
    for index, first in enumerate(range(0, n_series, chunk_series)):
        yield synthetic_frame(min(chunk_series, n_series - first), seed=index, first=first)


def seasonal_naive_seconds(frame: pl.DataFrame, horizon: int, n_origins: int) -> float:
    """CPU seconds for the same preparation, panel and origins with the seasonal naive."""
    start = time.process_time()
    values = prepare_series(frame.drop("is_synthetic"), "week").values
    lengths = values.group_by("series_id", maintain_order=True).len().get_column("len")
    panel = build_panel(
        values.get_column("value").to_numpy(),
        lengths.to_numpy().astype(np.int64),
        np.zeros(lengths.len()),
    )
    for k in range(n_origins + 1):
        seasonal_naive(panel.values[:, : panel.n_time - horizon * k], horizon, 52)
    return time.process_time() - start


class PeakRss:
    """Peak resident memory of this process and, separately, of its child processes."""

    def __init__(self, interval: float = 0.1) -> None:
        self.own = 0
        self.children = 0
        self._cpu_start: dict[int, float] = {}
        self._cpu_last: dict[int, float] = {}
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.own = max(self.own, me.memory_info().rss)
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                    times = child.cpu_times()
                    used = times.user + times.system
                except psutil.NoSuchProcess:
                    continue
                self._cpu_start.setdefault(child.pid, used)
                self._cpu_last[child.pid] = used
            self.children = max(self.children, total)
            self._stop.wait(self._interval)

    @property
    def children_cpu(self) -> float:
        """CPU seconds the child processes used while sampled (workers keep running)."""
        return sum(self._cpu_last[pid] - self._cpu_start[pid] for pid in self._cpu_last)

    def __enter__(self) -> PeakRss:
        for child in psutil.Process().children(recursive=True):
            times = child.cpu_times()
            self._cpu_start[child.pid] = times.user + times.system
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Measure:
    mode: str
    series: int
    seconds: float
    cpu_seconds: float
    own_mib: float
    workers_mib: float
    rows: int
    selected_mase: float

    @property
    def ms_per_series(self) -> float:
        return 1000 * self.seconds / self.series

    @property
    def cpu_ms_per_series(self) -> float:
        """CPU time of this process and its workers: comparable on a shared, busy machine."""
        return 1000 * self.cpu_seconds / self.series


def measure(
    mode: str,
    n_series: int,
    chunk_series: int,
    work: Callable[[pl.DataFrame], ChunkForecast],
    scheduler: str | None,
) -> Measure:
    summary = RunSummary()
    rows = 0
    with PeakRss() as peak:
        start = time.perf_counter()
        cpu_start = time.process_time()
        chunks = synthetic_chunks(n_series, chunk_series)
        for done, chunk in enumerate(run_chunks(work, chunks, scheduler=scheduler), start=1):
            rows += chunk.forecasts.height  # counted, then dropped: the warehouse's job
            summary.add(chunk)
            if done % 10 == 0:
                print(
                    f"    {mode}: {done * chunk_series} / {n_series} series, "
                    f"{time.perf_counter() - start:.0f} s, peak RSS so far {peak.own / MIB:.0f} "
                    f"MiB here, {peak.children / MIB:.0f} MiB workers",
                    flush=True,
                )
        seconds = time.perf_counter() - start
        own_cpu = time.process_time() - cpu_start
    selected = summary.frame(MODEL_ORDER).filter(pl.col("model") == "selected")
    return Measure(
        mode, n_series, seconds, own_cpu + peak.children_cpu, peak.own / MIB,
        peak.children / MIB, rows,
        float(selected["mase"][0]),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--horizon", type=int, default=52)
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--chunk-series", type=int, default=1000)
    parser.add_argument("--modes", default="in-process,dask")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")

    config = ForecastConfig(n_origins=args.origins, non_negative=True, n_jobs=1)
    work = partial(forecast_chunk, horizon=args.horizon, config=config, run_id="bench")
    print(
        f"SYNTHETIC data: weekly series x {WEEKS} weeks, horizon {args.horizon}, "
        f"{args.origins} origins, chunks of {args.chunk_series} series; sizes {sizes}"
    )
    sample = synthetic_frame(args.chunk_series)
    naive_ms = 1000 * seasonal_naive_seconds(sample, args.horizon, args.origins)
    naive_ms /= args.chunk_series
    print(f"baseline: seasonal naive, same preparation and origins: {naive_ms:.3f} CPU ms/series")

    results: list[Measure] = []
    for mode in modes:
        cluster = None
        scheduler = None
        if mode == "dask":
            from distributed import LocalCluster

            cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed: no annotations
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            scheduler = str(cluster.scheduler_address)
        try:
            for n in sizes:
                print(f"  {mode}: {n} series ...", flush=True)
                results.append(measure(mode, n, args.chunk_series, work, scheduler))
                r = results[-1]
                print(
                    f"  {mode:10s} {n:>7} series: {r.seconds:8.1f} s, "
                    f"{r.ms_per_series:6.2f} wall ms/series, {r.cpu_ms_per_series:6.2f} CPU "
                    f"ms/series, peak RSS this process "
                    f"{r.own_mib:7.0f} MiB, workers {r.workers_mib:7.0f} MiB, "
                    f"{r.rows} forecast rows, selected backtest MASE {r.selected_mase:.3f}",
                    flush=True,
                )
        finally:
            if cluster is not None:
                cluster.close()

    print(
        "\nmode        series  wall ms/series  CPU ms/series  CPU x naive  RSS self MiB"
        "  RSS workers MiB  total MiB"
    )
    for r in results:
        print(
            f"{r.mode:10s} {r.series:>7} {r.ms_per_series:15.2f} {r.cpu_ms_per_series:14.2f}"
            f" {r.cpu_ms_per_series / naive_ms:12.0f} {r.own_mib:13.0f} {r.workers_mib:16.0f}"
            f" {r.own_mib + r.workers_mib:10.0f}"
        )
    by = {(r.mode, r.series): r for r in results}
    smallest, largest = min(sizes), max(sizes)
    for mode in modes:
        low, high = by.get((mode, smallest)), by.get((mode, largest))
        if low and high and largest > smallest:
            high_rss, low_rss = high.own_mib + high.workers_mib, low.own_mib + low.workers_mib
            print(
                f"growth {mode} {smallest} -> {largest} series (x{largest / smallest:.0f}): "
                f"time x{high.seconds / low.seconds:.2f}, "
                f"ms/series x{high.ms_per_series / low.ms_per_series:.2f}, "
                f"CPU ms/series x{high.cpu_ms_per_series / low.cpu_ms_per_series:.2f}, "
                f"peak RSS x{high_rss / low_rss:.2f}"
            )
    for n in sizes:
        here, there = by.get(("in-process", n)), by.get(("dask", n))
        if here and there:
            print(
                f"{n} series, dask (2 workers) / in-process: wall time "
                f"x{there.seconds / here.seconds:.2f}, CPU time "
                f"x{there.cpu_seconds / here.cpu_seconds:.2f}, total peak RSS "
                f"x{(there.own_mib + there.workers_mib) / here.own_mib:.2f}"
            )


if __name__ == "__main__":
    main()
