"""Load the synthetic demo data set through the same upsert path as real data, and derive
from it as every load does (``pipelines.derive``)."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.demo.generate import generate_demo_data
from credtrends.jobs.runs import record_job_run
from credtrends.pipelines.derive import derive
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
    """The demo data set's id, the same every run of one seed: its facts carry it (so
    re-running the demo leaves identical tables) and its forecast run is replaced."""
    return f"demo-seed-{seed}"


def demo_attempt_run_id(seed: int) -> str:
    """Each run of the demo is its own ``job_runs`` row (``demo-seed-<seed>-<hex>``), so a
    crashed demo stays in the history instead of being overwritten by the next one."""
    return f"{demo_run_id(seed)}-{uuid.uuid4().hex[:12]}"


def load_demo(engine: sa.Engine, catalogue: Catalogue, seed: int, end: date) -> int:
    """Generate and load the demo set in one transaction; returns rows written."""
    with record_job_run(
        engine, DEMO_JOB, {"seed": seed, "end": end.isoformat()}, run_id=demo_attempt_run_id(seed)
    ) as run:
        data = generate_demo_data(catalogue, seed, end, demo_run_id(seed))
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
            # the derived layer in the same transaction: pages read it, never compute it
            run.rows_written += derive(connection, run.run_id).total
    return run.rows_written


def forecast_demo(engine: sa.Engine, seed: int) -> int:
    """Forecast the demo series (52 weeks), replacing the previous demo forecast."""
    from credtrends.forecasting import ForecastConfig
    from credtrends.pipelines.forecast import run_forecast

    with record_job_run(
        engine, "demo-forecast", {"seed": seed}, run_id=f"{demo_attempt_run_id(seed)}-forecast"
    ) as run:
        report = run_forecast(
            engine,
            run.run_id,
            52,
            ForecastConfig(non_negative=True),
            forecast_run_id=demo_run_id(seed),
        )
        with engine.begin() as connection:  # opportunity scores read the new forecast
            derived = derive(connection, run.run_id).total
        run.rows_written = report.rows + derived
    return report.rows
