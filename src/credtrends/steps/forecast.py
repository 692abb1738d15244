"""The ``forecast`` step: backtest, choose a model per series, forecast with intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from credtrends.steps.checks import known
from credtrends.steps.reports import forecast_report_lines
from credtrends.steps.spec import Codes, Step, StepContext, StepParams, StepReport
from credtrends.warehouse import schema

if TYPE_CHECKING:
    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings


class ForecastParams(StepParams):
    topics: Codes | None = Field(default=None, description="Topic ids; default all.")
    regions: Codes | None = Field(default=None, description="Region codes; default all.")
    horizon: int = Field(default=52, ge=1, le=104, description="How far ahead, in weeks.")
    origins: int = Field(default=4, ge=1, le=12, description="Backtest origins.")
    jobs: int = Field(default=2, ge=1, description="Local processes (not with Dask).")


def check_forecast(params: ForecastParams, catalogue: Catalogue, _settings: Settings) -> None:
    known(params.topics, catalogue.topic_ids, "--topics")
    known(params.regions, catalogue.region_codes, "--regions")


def run_forecast_step(context: StepContext, params: ForecastParams) -> StepReport:
    """Chunks of series run here, in local processes, or on the Dask cluster named by the
    ``dask_scheduler`` setting; the pipeline stores the run in its own transaction."""
    from credtrends.forecasting import ForecastConfig
    from credtrends.pipelines.forecast import run_forecast

    settings = context.settings
    config = ForecastConfig(n_origins=params.origins, non_negative=True, n_jobs=params.jobs)
    report = run_forecast(
        context.engine, context.run_id, params.horizon, config,
        known(params.topics, context.catalogue.topic_ids, "--topics"),
        known(params.regions, context.catalogue.region_codes, "--regions"),
        context.progress, chunk_series=settings.forecast_chunk_series,
        scheduler=settings.dask_scheduler,
    )  # fmt: skip
    return StepReport(
        report.rows, forecast_report_lines(report), {"dask_scheduler": settings.dask_scheduler}
    )


FORECAST = Step(
    name="forecast",
    summary="Backtest models per series, choose the best, forecast with 80/95% intervals.",
    params=ForecastParams,
    run=run_forecast_step,
    reads=(schema.search_interest,),
    writes=(schema.forecast_runs, schema.forecasts, schema.forecast_errors, *schema.DERIVED_TABLES),
    cli=("forecast",),
    check=check_forecast,
)
