"""Forecast runs: series from the warehouse, the forecasting engine, results back in bulk.

One series per (topic, region) of weekly search interest: real data where the warehouse has
it, else the synthetic demo series (and then every forecast row is marked synthetic). A
run records its parameters, a fingerprint of its input, its models and its backtest
metrics, so it can be repeated and audited.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from credtrends.forecasting import ForecastConfig, ForecastResult, forecast
from credtrends.warehouse.load import upsert_frame, upsert_rows
from credtrends.warehouse.schema import forecast_errors, forecast_runs, forecasts, search_interest

MEASURE = "search_interest"
SEPARATOR = "|"


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


def run_forecast(
    engine: sa.Engine,
    job_run_id: str,
    horizon: int,
    config: ForecastConfig,
    topic_ids: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    forecast_run_id: str | None = None,
) -> ForecastRunReport:
    """Backtest, select and forecast, then store the run and its rows in one transaction.

    A fixed ``forecast_run_id`` (the demo's) replaces that run instead of adding one.
    """
    with engine.connect() as connection:
        series = interest_series(connection, topic_ids, region_codes)
    if series.is_empty():
        raise ValueError("no weekly search interest in the warehouse to forecast")
    synthetic = set(series.filter(pl.col("is_synthetic"))["series_id"].unique().to_list())
    result = forecast(
        series.drop("is_synthetic"), frequency="week", horizon=horizon, config=config,
        progress=progress,
    )  # fmt: skip
    forecast_run_id = forecast_run_id or uuid.uuid4().hex
    rows = forecast_rows(result, synthetic, forecast_run_id)
    run = {
        "forecast_run_id": forecast_run_id,
        "created_at": datetime.now(UTC),
        "status": "succeeded",
        "horizon": horizon,
        "parameters": _json_ready(
            {
                "config": asdict(config),
                "topics": topic_ids,
                "regions": region_codes,
                "run_info": result.run_info,
            }
        ),
        "data_snapshot": fingerprint(series),
        "models": list(config.candidates),
        "metrics": _json_ready(result.summary.to_dicts()),
        "run_id": job_run_id,
        "is_synthetic": bool(synthetic),
    }
    with engine.begin() as connection:
        for table in (forecasts, forecast_errors):
            connection.execute(sa.delete(table).where(table.c.forecast_run_id == forecast_run_id))
        upsert_rows(connection, forecast_runs, [run])
        written = upsert_frame(connection, forecasts, rows)
        upsert_frame(connection, forecast_errors, error_rows(result, forecast_run_id))
    return ForecastRunReport(
        forecast_run_id, series["series_id"].n_unique(), written, result.summary
    )
