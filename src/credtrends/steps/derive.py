"""The ``derive`` step: growth, emerging topics, opportunity scores and source counts written
as tables.

It runs on its own (``credtrends run derive``) and, through ``run_step``, after every step
that writes a table it reads (loads, imports, calibration, forecasts; they declare the
derived tables among their writes): in that run, under its lock and run record, in one
checked transaction of its own, so a crash leaves the old derived rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from credtrends.steps.checks import known_regions
from credtrends.steps.spec import Codes, Step, StepContext, StepParams, StepReport
from credtrends.warehouse import schema

if TYPE_CHECKING:
    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings


class DeriveParams(StepParams):
    regions: Codes | None = Field(default=None, description="Region codes; default all.")


def check_derive(params: DeriveParams, catalogue: Catalogue, settings: Settings) -> None:
    known_regions(params.regions, catalogue, settings)


def run_derive(context: StepContext, params: DeriveParams) -> StepReport:
    from credtrends.pipelines.derive import derive

    with context.transaction() as connection:
        report = derive(connection, context.run_id, params.regions)
    return StepReport(report.total, report.lines(), {"derived": report.rows})


DERIVE = Step(
    name="derive",
    summary="Write each topic's growth, emerging topics, opportunity scores and the source "
    "counts as tables.",
    params=DeriveParams,
    run=run_derive,
    reads=tuple(
        dict.fromkeys(
            (
                schema.search_interest,
                schema.forecast_runs,
                schema.forecasts,
                schema.labour_market_observations,
                schema.portal_topic_counts,
                schema.topic_occupations,
                *schema.FACT_TABLES,  # the source counts
            )
        )
    ),
    writes=schema.DERIVED_TABLES,
    check=check_derive,
)


def derives_after(step: Step[Any]) -> bool:
    """A step that declares the derived tables among those it writes is followed by
    ``derive`` (not ``derive`` itself, nor the bootstrap steps: the demo derives inside its
    own loads). Every step writing what ``derive`` reads declares them (a test checks)."""
    return (
        step is not DERIVE and not step.bootstrap and set(schema.DERIVED_TABLES) <= set(step.writes)
    )


def followed_by_derive(context: StepContext, report: StepReport) -> StepReport:
    """``report`` with the derive step's rows and record added (same run, same lock); its
    line is said through ``echo`` as it happens, so the step's own lines stay its report."""
    derived = run_derive(context, DeriveParams())
    for line in derived.lines:
        context.echo(line)
    return StepReport(
        report.rows_written + derived.rows_written,
        report.lines,
        {**report.record, **derived.record},
    )
