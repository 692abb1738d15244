"""Forecast runs in chunks: the same rows whether chunks run here or on a Dask cluster.

The Dask test starts a real ``distributed.LocalCluster`` (in-process workers, tiny data)
and points ``run_forecast`` at its scheduler address, as ``CREDTRENDS_DASK_SCHEDULER`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.demo.load import load_demo
from credtrends.forecasting import ForecastConfig
from credtrends.pipelines.forecast import (
    ChunkForecast,
    fingerprint,
    interest_series,
    run_forecast,
)
from credtrends.warehouse.schema import forecast_errors, forecast_runs, forecasts

CONFIG = ForecastConfig(n_origins=2, non_negative=True, n_jobs=1)
SERIES = 3 + 3 + 1 + 3  # the demo's series for the small test catalogue


def _stored(engine: sa.Engine, run_id: str) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """The run's forecast and error rows (without the run id) and its forecast_runs row."""
    with engine.connect() as connection:
        frames = []
        for table in (forecasts, forecast_errors):
            rows = connection.execute(
                sa.select(table).where(table.c.forecast_run_id == run_id)
            ).mappings()
            frame = pl.DataFrame([dict(row) for row in rows], infer_schema_length=None)
            keys = [c for c in ("topic_id", "region_code", "model", "period_start") if c in frame]
            frames.append(frame.drop("forecast_run_id").sort(keys))
        run = connection.execute(
            sa.select(forecast_runs).where(forecast_runs.c.forecast_run_id == run_id)
        ).one()
    return frames[0], frames[1], dict(run._mapping)


@pytest.fixture()
def demo_engine(engine: sa.Engine, test_catalogue: Catalogue) -> sa.Engine:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    return engine


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    # a dev dependency: a missing dask fails here, it is never skipped
    import distributed

    with distributed.LocalCluster(  # type: ignore[no-untyped-call]  # distributed: no annotations
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


def test_chunks_of_topics_store_one_run_with_the_whole_inputs_fingerprint(
    demo_engine: sa.Engine,
) -> None:
    whole = run_forecast(demo_engine, "job-1", 13, CONFIG, chunk_series=1000)
    chunked = run_forecast(demo_engine, "job-2", 13, CONFIG, chunk_series=3)
    assert whole.series == chunked.series == SERIES
    assert whole.rows == chunked.rows == SERIES * 13
    *_, run = _stored(demo_engine, chunked.forecast_run_id)
    with demo_engine.connect() as connection:
        assert run["data_snapshot"] == fingerprint(interest_series(connection))
    info = run["parameters"]["run_info"]
    assert info["runner"] == "inline" and len(info["chunks"]) >= 3  # 4 topics, 10 series
    assert sum(chunk["n_series"] for chunk in info["chunks"]) == SERIES
    assert run["status"] == "succeeded" and run["is_synthetic"]
    # One chunk reproduces the engine's own summary; many chunks still cover every model.
    models = {row["model"] for row in chunked.summary.iter_rows(named=True)}
    assert models >= {"selected", "snaive", "theta"}
    selected = chunked.summary.filter(pl.col("model") == "selected").row(0, named=True)
    assert selected["series_chosen"] == SERIES and 0 < selected["coverage95"] <= 1


def test_a_dask_cluster_stores_the_same_rows_as_this_process(
    demo_engine: sa.Engine, scheduler: str
) -> None:
    here = run_forecast(demo_engine, "job-1", 13, CONFIG, chunk_series=4)
    there = run_forecast(demo_engine, "job-2", 13, CONFIG, chunk_series=4, scheduler=scheduler)
    rows_here, errors_here, run_here = _stored(demo_engine, here.forecast_run_id)
    rows_there, errors_there, run_there = _stored(demo_engine, there.forecast_run_id)
    assert rows_here.height == SERIES * 13
    assert rows_there.equals(rows_here)
    assert errors_there.equals(errors_here)
    assert run_there["data_snapshot"] == run_here["data_snapshot"]
    assert run_there["metrics"] == run_here["metrics"]
    assert run_there["parameters"]["run_info"]["runner"] == "dask"


def test_a_failing_chunk_leaves_no_partial_run(
    demo_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credtrends.pipelines import forecast as pipeline

    calls = {"n": 0}
    original = pipeline.forecast_chunk

    def failing(
        series: pl.DataFrame, *, horizon: int, config: ForecastConfig, run_id: str
    ) -> ChunkForecast:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return original(series, horizon=horizon, config=config, run_id=run_id)

    monkeypatch.setattr(pipeline, "forecast_chunk", failing)
    with pytest.raises(RuntimeError, match="worker lost"):
        run_forecast(demo_engine, "job-1", 13, CONFIG, chunk_series=3)
    with demo_engine.connect() as connection:
        for table in (forecast_runs, forecasts, forecast_errors):
            assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_local_worker_processes_store_the_same_rows_as_this_process(
    demo_engine: sa.Engine,
) -> None:
    here = run_forecast(demo_engine, "job-1", 13, CONFIG, chunk_series=4)
    pooled = ForecastConfig(n_origins=2, non_negative=True, n_jobs=2)
    there = run_forecast(demo_engine, "job-2", 13, pooled, chunk_series=4)
    rows_here, errors_here, _ = _stored(demo_engine, here.forecast_run_id)
    rows_there, errors_there, run_there = _stored(demo_engine, there.forecast_run_id)
    assert rows_there.equals(rows_here) and errors_there.equals(errors_here)
    assert run_there["parameters"]["run_info"]["runner"] == "processes"
