"""Steps that build the warehouse: ``init`` (schema and catalogue) and ``demo`` (synthetic set).

Both are *bootstrap* steps: the warehouse may not exist yet, so ``run_step`` takes no lock
and opens no run record for them; the demo records its own two runs (``demo`` and
``demo-forecast``) through ``demo.load``.
"""

from __future__ import annotations

import time
from datetime import date

from pydantic import Field

from credtrends.steps.spec import Step, StepContext, StepParams, StepReport
from credtrends.warehouse import schema


class InitParams(StepParams):
    """``init`` takes no parameters: the settings and catalogue files say everything."""


def init_warehouse(context: StepContext) -> None:
    """Create or upgrade the schema, then mirror the YAML catalogue into it."""
    from credtrends.warehouse.catalogue_sync import sync_catalogue
    from credtrends.warehouse.migrate import upgrade_warehouse

    upgrade_warehouse(context.engine)
    with context.engine.begin() as connection:
        sync_catalogue(connection, context.catalogue)


def run_init(context: StepContext, _params: InitParams) -> StepReport:
    init_warehouse(context)
    catalogue = context.catalogue
    return StepReport(
        rows_written=0,
        lines=(
            f"warehouse ready at {context.settings.warehouse_url}: "
            f"{len(catalogue.topics)} topics, {len(catalogue.regions)} regions",
        ),
    )


class DemoParams(StepParams):
    seed: int = Field(default=42, description="Same seed, same data.")
    end: date | None = Field(default=None, description="Last date of the series; default today.")


def run_demo(context: StepContext, params: DemoParams) -> StepReport:
    from credtrends.demo.load import forecast_demo, load_demo
    from credtrends.steps.run import make_ready

    started = time.perf_counter()
    init_warehouse(context)
    make_ready(context.engine, context.settings)
    rows = load_demo(context.engine, context.catalogue, params.seed, params.end or date.today())
    rows += forecast_demo(context.engine, params.seed)
    return StepReport(
        rows_written=rows,
        lines=(
            f"loaded {rows} synthetic demo rows and forecasts (seed {params.seed}) into "
            f"{context.settings.warehouse_url} in {time.perf_counter() - started:.1f} s",
        ),
    )


CATALOGUE_TABLES = (schema.topics, schema.regions, schema.topic_occupations)

INIT = Step(
    name="init",
    summary="Create or upgrade the warehouse and load the topic and region catalogue.",
    params=InitParams,
    run=run_init,
    writes=CATALOGUE_TABLES,
    cli=("init",),
    bootstrap=True,
)
DEMO = Step(
    name="demo",
    summary="Load the SYNTHETIC demo data set and its forecasts (labelled synthetic).",
    params=DemoParams,
    run=run_demo,
    writes=(
        *CATALOGUE_TABLES,
        schema.search_interest,
        schema.portal_topic_counts,
        schema.labour_market_observations,
        schema.related_queries,
        schema.region_levels,
        schema.forecast_runs,
        schema.forecasts,
        schema.forecast_errors,
        *schema.DERIVED_TABLES,
    ),
    cli=("demo",),
    bootstrap=True,
)
