"""Forecast runs: series from the warehouse, the forecasting engine, results back, in chunks.

One series per (topic, region) of weekly search interest: real data where the warehouse has
it, else the synthetic demo series (and then every forecast row is marked synthetic). A
run reads, forecasts and writes chunks of whole topics, so its memory is bounded by the
chunk; the chunks run here, in local processes or on a Dask cluster (``chunk_runners``).
A run records its parameters, a fingerprint of its input, its models and its backtest
metrics, so it can be repeated and audited.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import polars as pl
import sqlalchemy as sa

from credtrends.forecasting import MODEL_NAMES, ForecastConfig, ForecastResult, forecast
from credtrends.pipelines.chunk_runners import run_chunks
from credtrends.warehouse.load import upsert_frame, upsert_rows
from credtrends.warehouse.schema import forecast_errors, forecast_runs, forecasts, search_interest

MEASURE = "search_interest"
SEPARATOR = "|"
MODEL_ORDER: tuple[str, ...] = (*MODEL_NAMES, "selected")


@dataclass(frozen=True)
class ForecastRunReport:
    forecast_run_id: str
    series: int
    rows: int
    summary: pl.DataFrame


def interest_series(
    connection: sa.Connection,
    topic_ids: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Long frame ``series_id, period, value, is_partial, is_synthetic`` of weekly interest.

    Per (topic, region) real sources win over synthetic ones; the calibrated value is used
    where it exists (it is the comparable one), the raw value otherwise.
    """
    table = search_interest
    statement = sa.select(
        table.c.topic_id, table.c.region_code, table.c.period_start, table.c.source,
        table.c.calibrated_value, table.c.raw_value, table.c.is_partial, table.c.is_synthetic,
    ).where(table.c.granularity == "week")  # fmt: skip
    if topic_ids:
        statement = statement.where(table.c.topic_id.in_(list(topic_ids)))
    if region_codes:
        statement = statement.where(table.c.region_code.in_(list(region_codes)))
    schema = pl.Schema(
        {
            "topic_id": pl.String(),
            "region_code": pl.String(),
            "period": pl.Date(),
            "source": pl.String(),
            "calibrated_value": pl.Float64(),
            "raw_value": pl.Float64(),
            "is_partial": pl.Boolean(),
            "is_synthetic": pl.Boolean(),
        }
    )
    frame = pl.DataFrame(
        [tuple(row) for row in connection.execute(statement)], schema=schema, orient="row"
    )
    preferred = (
        frame.group_by("topic_id", "region_code", "source")
        .agg(synthetic=pl.col("is_synthetic").all())
        .sort("synthetic", "source")
        .group_by("topic_id", "region_code", maintain_order=True)
        .first()
        .select("topic_id", "region_code", "source")
    )
    return (
        frame.join(preferred, on=["topic_id", "region_code", "source"])
        .select(
            series_id=pl.concat_str("topic_id", "region_code", separator=SEPARATOR),
            period="period",
            value=pl.coalesce("calibrated_value", "raw_value"),
            is_partial="is_partial",
            is_synthetic="is_synthetic",
        )
        .sort("series_id", "period")
    )


def fingerprint(series: pl.DataFrame) -> str:
    """Identifies the input data, so a run can be repeated on exactly the same snapshot."""
    digest = hashlib.sha256()
    digest.update(series.sort("series_id", "period").write_csv().encode())
    return digest.hexdigest()


def forecast_rows(result: ForecastResult, synthetic_series: set[str], run_id: str) -> pl.DataFrame:
    """The engine's forecasts as ``forecasts`` rows (pure)."""
    parts = pl.col("series_id").str.split(SEPARATOR)
    return result.forecasts.select(
        topic_id=parts.list.get(0),
        region_code=parts.list.get(1),
        measure=pl.lit(MEASURE),
        granularity=pl.lit("week"),
        period_start=pl.col("period"),
        forecast_run_id=pl.lit(run_id),
        model=pl.col("model"),
        mean=pl.col("mean"),
        lo80=pl.col("lo80"),
        hi80=pl.col("hi80"),
        lo95=pl.col("lo95"),
        hi95=pl.col("hi95"),
        is_synthetic=pl.col("series_id").is_in(sorted(synthetic_series)),
    )


def error_rows(result: ForecastResult, run_id: str) -> pl.DataFrame:
    """The backtest errors per series and model as ``forecast_errors`` rows (pure)."""
    parts = pl.col("series_id").str.split(SEPARATOR)
    return result.metrics.select(
        forecast_run_id=pl.lit(run_id),
        topic_id=parts.list.get(0),
        region_code=parts.list.get(1),
        measure=pl.lit(MEASURE),
        model="model",
        mase="mase",
        smape="smape",
        coverage80="coverage80",
        coverage95="coverage95",
        points="points",
    )


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class ChunkForecast:
    """What one chunk of series sends back: its rows and compact statistics.

    Never the backtest points or the per-model forecasts: those are what made memory grow
    with the number of series (about 0.3 MiB each).
    """

    forecasts: pl.DataFrame
    errors: pl.DataFrame
    summary: pl.DataFrame
    n_series: int
    synthetic: bool
    info: dict[str, Any]


def forecast_chunk(
    series: pl.DataFrame, *, horizon: int, config: ForecastConfig, run_id: str
) -> ChunkForecast:
    """Forecast one chunk of :func:`interest_series` rows (pure; runs on any worker)."""
    synthetic = set(series.filter(pl.col("is_synthetic"))["series_id"].unique().to_list())
    result = forecast(series.drop("is_synthetic"), frequency="week", horizon=horizon, config=config)
    info = result.run_info
    return ChunkForecast(
        forecasts=forecast_rows(result, synthetic, run_id),
        errors=error_rows(result, run_id),
        summary=result.summary,
        n_series=series["series_id"].n_unique(),
        synthetic=bool(synthetic),
        info={
            "n_series": info.get("n_series"),
            "input_fingerprint": info.get("input_fingerprint"),
            "strategy": info.get("strategy"),
            "non_negative": info.get("non_negative"),
            "integer_forecasts": info.get("integer_forecasts"),
        },
    )


SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "model": pl.String(),
    "mase": pl.Float64(),
    "smape": pl.Float64(),
    "coverage80": pl.Float64(),
    "coverage95": pl.Float64(),
    "series_chosen": pl.Int64(),
}


class RunSummary:
    """Per-model backtest summary of a whole run, accumulated chunk by chunk.

    Keeps sums and counts only (a few rows per chunk), and reproduces the engine's summary
    for one chunk: mean MASE and sMAPE over series, coverage pooled over backtest points.
    """

    def __init__(self) -> None:
        self._parts: list[pl.DataFrame] = []

    def add(self, chunk: ChunkForecast) -> None:
        errors = chunk.errors
        part = errors.group_by("model").agg(
            mase_sum=pl.col("mase").sum(),
            mase_n=pl.col("mase").count(),
            smape_sum=pl.col("smape").sum(),
            smape_n=pl.col("smape").count(),
            inside80=(pl.col("coverage80") * pl.col("points")).sum(),
            inside95=(pl.col("coverage95") * pl.col("points")).sum(),
            scored=pl.col("points").filter(pl.col("coverage80").is_not_null()).sum(),
        )
        chosen = chunk.summary.select("model", "series_chosen") if chunk.summary.height else None
        if chosen is not None:
            part = part.join(chosen, on="model", how="left")
        else:
            part = part.with_columns(series_chosen=pl.lit(0, pl.Int64))
        self._parts.append(part.with_columns(pl.col("series_chosen").cast(pl.Int64)))

    def frame(self, model_order: Sequence[str]) -> pl.DataFrame:
        if not self._parts:
            return pl.DataFrame(schema=SUMMARY_SCHEMA)
        totals = pl.concat(self._parts).group_by("model").agg(pl.all().sum())
        order = {name: i for i, name in enumerate(model_order)}

        def ratio(total: str, count: str) -> pl.Expr:
            return pl.when(pl.col(count) > 0).then(pl.col(total) / pl.col(count))

        return (
            totals.select(
                "model",
                mase=ratio("mase_sum", "mase_n"),
                smape=ratio("smape_sum", "smape_n"),
                coverage80=ratio("inside80", "scored"),
                coverage95=ratio("inside95", "scored"),
                series_chosen=pl.col("series_chosen").fill_null(0),
            )
            .sort(pl.col("model").replace_strict(order, default=len(order), return_dtype=pl.Int64))
            .cast(pl.Schema(SUMMARY_SCHEMA))
        )


def series_counts(
    connection: sa.Connection,
    topic_ids: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
) -> list[tuple[str, int]]:
    """Weekly series per topic (its regions), in the order of their ``series_id`` values."""
    table = search_interest
    statement = (
        sa.select(table.c.topic_id, sa.func.count(sa.distinct(table.c.region_code)))
        .where(table.c.granularity == "week")
        .group_by(table.c.topic_id)
    )
    if topic_ids:
        statement = statement.where(table.c.topic_id.in_(list(topic_ids)))
    if region_codes:
        statement = statement.where(table.c.region_code.in_(list(region_codes)))
    counts = [(str(topic), int(n)) for topic, n in connection.execute(statement)]
    # "topic|region" ids sort as "topic|" does: chunks in this order concatenate sorted.
    return sorted(counts, key=lambda item: item[0] + SEPARATOR)


def topic_chunks(counts: Sequence[tuple[str, int]], chunk_series: int) -> list[list[str]]:
    """Consecutive topics grouped into chunks of at most ``chunk_series`` series (a topic
    with more regions than that is a chunk of its own): a topic is never split."""
    chunks: list[list[str]] = []
    size = 0
    for topic, n in counts:
        if chunks and size + n <= chunk_series:
            chunks[-1].append(topic)
            size += n
        else:
            chunks.append([topic])
            size = n
    return chunks


class _Fingerprint:
    """:func:`fingerprint` computed chunk by chunk (chunks arrive in ``series_id`` order)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._first = True

    def update(self, series: pl.DataFrame) -> None:
        self._digest.update(series.write_csv(include_header=self._first).encode())
        self._first = False

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _started_run(
    forecast_run_id: str, horizon: int, config: ForecastConfig, job_run_id: str
) -> dict[str, Any]:
    """The ``forecast_runs`` row of a run that has started (``_finish_run`` completes it)."""
    return {
        "forecast_run_id": forecast_run_id,
        "created_at": datetime.now(UTC),
        "status": "running",
        "horizon": horizon,
        "parameters": {},
        "data_snapshot": "",
        "models": list(config.candidates),
        "metrics": None,
        "run_id": job_run_id,
        "is_synthetic": False,
    }


def _finish_run(
    connection: sa.Connection,
    forecast_run_id: str,
    parameters: dict[str, Any],
    run_info: dict[str, Any],
    run_summary: pl.DataFrame,
    digest: _Fingerprint,
    synthetic: bool,
) -> None:
    """Mark the run succeeded with what it used and measured: its parameters, the
    fingerprint of its input, its backtest summary and the coverage of its intervals."""
    coverage = {
        row["model"]: {"coverage80": row["coverage80"], "coverage95": row["coverage95"]}
        for row in run_summary.iter_rows(named=True)
    }
    parameters = {**parameters, "run_info": {**run_info, "coverage": coverage}}
    connection.execute(
        sa.update(forecast_runs)
        .where(forecast_runs.c.forecast_run_id == forecast_run_id)
        .values(
            status="succeeded",
            parameters=_json_ready(parameters),
            data_snapshot=digest.hexdigest(),
            metrics=_json_ready(run_summary.to_dicts()),
            is_synthetic=synthetic,
        )
    )


def run_forecast(
    engine: sa.Engine,
    job_run_id: str,
    horizon: int,
    config: ForecastConfig,
    topic_ids: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    forecast_run_id: str | None = None,
    *,
    chunk_series: int = 1000,
    scheduler: str | None = None,
) -> ForecastRunReport:
    """Backtest, select and forecast chunk by chunk, storing the run in one transaction.

    Chunks of whole topics (about ``chunk_series`` series) are read, forecast and written
    one after the other, so memory does not grow with the warehouse. They run in this
    process, in ``config.n_jobs`` local processes, or on the ``dask.distributed`` cluster
    at ``scheduler``; the stored rows are the same whichever runs them. Each chunk is an
    independent forecast run of the engine: its interval widths and selection rule are
    calibrated on its own series' backtests. A fixed ``forecast_run_id`` (the demo's)
    replaces that run instead of adding one.
    """
    if chunk_series < 1:
        raise ValueError("chunk_series must be >= 1")
    forecast_run_id = forecast_run_id or uuid.uuid4().hex
    with engine.begin() as connection:
        counts = series_counts(connection, topic_ids, region_codes)
        if not counts:
            raise ValueError("no weekly search interest in the warehouse to forecast")
        chunks = topic_chunks(counts, chunk_series)
        total = sum(n for _, n in counts)
        for table in (forecasts, forecast_errors):
            connection.execute(sa.delete(table).where(table.c.forecast_run_id == forecast_run_id))
        upsert_rows(
            connection, forecast_runs, [_started_run(forecast_run_id, horizon, config, job_run_id)]
        )
        digest = _Fingerprint()

        def inputs() -> Iterator[pl.DataFrame]:
            for topics in chunks:
                series = interest_series(connection, topics, region_codes)
                digest.update(series)
                yield series

        # One chunk, no cluster: the engine's own worker processes share it out.
        inline = not scheduler and len(chunks) == 1
        chunk_config = config if inline else replace(config, n_jobs=1)
        work = partial(forecast_chunk, horizon=horizon, config=chunk_config, run_id=forecast_run_id)
        summary = RunSummary()
        written = series = 0
        synthetic = False
        infos: list[dict[str, Any]] = []
        n_jobs = 1 if inline else config.n_jobs
        for chunk in run_chunks(work, inputs(), n_jobs=n_jobs, scheduler=scheduler):
            written += upsert_frame(connection, forecasts, chunk.forecasts)
            upsert_frame(connection, forecast_errors, chunk.errors)
            summary.add(chunk)
            series += chunk.n_series
            synthetic = synthetic or chunk.synthetic
            infos.append(chunk.info)
            if progress:
                progress(series, total)
        run_summary = summary.frame(MODEL_ORDER)
        runner = "dask" if scheduler else ("processes" if n_jobs > 1 else "inline")
        run_info = {"frequency": "week", "horizon": horizon, "chunk_series": chunk_series,
                    "runner": runner, "chunks": infos}  # fmt: skip
        parameters = {"config": asdict(config), "topics": topic_ids, "regions": region_codes}
        _finish_run(connection, forecast_run_id, parameters, run_info, run_summary, digest,
                    synthetic)  # fmt: skip
    return ForecastRunReport(forecast_run_id, series, written, run_summary)
