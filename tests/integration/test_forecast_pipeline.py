"""Forecast runs on SQLite and PostgreSQL: read series, forecast, store run, rows, errors."""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.demo.load import load_demo
from credtrends.forecasting import ForecastConfig
from credtrends.pipelines.forecast import interest_series, run_forecast
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.queries import latest_forecasts
from credtrends.warehouse.schema import forecast_errors, forecast_runs, forecasts


def test_a_forecast_run_is_stored_with_its_errors_and_is_marked_synthetic(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    config = ForecastConfig(n_origins=2, non_negative=True, n_jobs=1)
    report = run_forecast(engine, "job-1", 13, config)
    series = 3 + 3 + 1 + 3  # three topics in CA, ON, QC, NU; Smart Serve only CA and ON
    assert report.series == series and report.rows == series * 13
    with engine.connect() as connection:
        run = connection.execute(sa.select(forecast_runs)).one()
        assert run.is_synthetic and run.horizon == 13 and len(run.data_snapshot) == 64
        assert {m["model"] for m in run.metrics} >= {"selected", "theta", "naive2"}
        assert count_rows(connection, forecast_errors) > series * 5
        lows = connection.execute(sa.select(sa.func.min(forecasts.c.lo95))).scalar_one()
    assert lows >= 0  # interest is never negative
    frame = latest_forecasts(engine, ["pmp", "smart-serve"], "CA-QC")
    assert set(frame["topic_id"]) == {"pmp"} and frame["is_synthetic"].all()
    assert (frame["lo80"] <= frame["mean"]).all() and (frame["mean"] <= frame["hi80"]).all()
    assert (frame["lo95"] <= frame["lo80"]).all() and (frame["hi80"] <= frame["hi95"]).all()


def test_the_input_excludes_partial_weeks_and_prefers_real_sources(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    with engine.connect() as connection:
        series = interest_series(connection, ["pmp"], ["CA"])
    assert series["series_id"].unique().to_list() == ["pmp|CA"]
    assert series.filter(pl.col("is_partial")).height == 1  # kept, flagged: the engine drops it
