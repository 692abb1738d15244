"""Load the synthetic demo data set through the same upsert path as real data."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.demo.generate import generate_demo_data
from credtrends.jobs.runs import record_job_run
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.load import upsert_frame
from credtrends.warehouse.schema import (
    labour_market_observations,
    portal_topic_counts,
    region_levels,
    related_queries,
    search_interest,
)

DEMO_JOB = "demo"


def demo_run_id(seed: int) -> str:
    """One run id per seed: re-loading the same demo updates its run record, not adds one."""
    return f"demo-seed-{seed}"


def load_demo(engine: sa.Engine, catalogue: Catalogue, seed: int, end: date) -> int:
    """Generate and load the demo set in one transaction; returns rows written."""
    run_id = demo_run_id(seed)
    with record_job_run(
        engine, DEMO_JOB, {"seed": seed, "end": end.isoformat()}, run_id=run_id
    ) as run:
        data = generate_demo_data(catalogue, seed, end, run_id)
        with engine.begin() as connection:
            sync_catalogue(connection, catalogue)
            run.rows_written = sum(
                upsert_frame(connection, table, frame)
                for table, frame in (
                    (search_interest, data.search_interest),
                    (portal_topic_counts, data.portal_topic_counts),
                    (labour_market_observations, data.labour_market_observations),
                    (related_queries, data.related_queries),
                    (region_levels, data.region_levels),
                )
            )
    return run.rows_written


def forecast_demo(engine: sa.Engine, seed: int) -> int:
    """Forecast the demo series (52 weeks), replacing the previous demo forecast."""
    from credtrends.forecasting import ForecastConfig
    from credtrends.pipelines.forecast import run_forecast

    run_id = demo_run_id(seed)
    with record_job_run(
        engine, "demo-forecast", {"seed": seed}, run_id=f"{run_id}-forecast"
    ) as run:
        report = run_forecast(
            engine, run.run_id, 52, ForecastConfig(non_negative=True), forecast_run_id=run_id
        )
        run.rows_written = report.rows
    return report.rows
