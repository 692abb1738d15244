"""Steps of the other sources: StatCan vacancies, Job Bank postings, programme catalogues
and portal searches, each fetched (or read) first and then loaded in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from credtrends.errors import ConfigError
from credtrends.steps.checks import known_regions
from credtrends.steps.reports import source_report_lines
from credtrends.steps.spec import Files, Step, StepContext, StepParams, StepReport
from credtrends.warehouse import schema

if TYPE_CHECKING:
    import sqlalchemy as sa

    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings
    from credtrends.sources.base import SourcePayload

Load = Callable[["sa.Connection", str], Any]
LABOUR_TABLES = (schema.raw_payloads, schema.labour_market_observations)
PORTAL_TABLES = (schema.raw_payloads, schema.portal_topic_counts)


def load_all(context: StepContext, loads: Sequence[Load], record: dict[str, Any]) -> StepReport:
    """Run the loads in the step's one transaction: all of them land, or none."""
    from credtrends.pipelines.landing import merge_into
    from credtrends.pipelines.sources import SourceLoadReport

    with context.transaction() as connection:
        reports = [load(connection, context.run_id) for load in loads]
        total = merge_into(SourceLoadReport(), reports)
    return StepReport(total.rows, source_report_lines(total), record)


def bound(load: Callable[..., Any], payload: Any, *rest: Any) -> Load:
    """``load(connection, payload, *rest, run_id)`` waiting for its connection and run id."""

    def call(connection: sa.Connection, run_id: str) -> Any:
        return load(connection, payload, *rest, run_id)

    return call


def statcan_table(pid: str) -> Any:
    from credtrends.sources import statcan

    table = statcan.TABLES.get(pid.replace("-", "")[:8])
    if table is None:
        raise ConfigError(f"--table {pid!r}: known tables are {', '.join(statcan.TABLES)}")
    return table


class StatcanParams(StepParams):
    table: str = Field(default="14100444", description="Table id, e.g. 14-10-0444-01.")


class StatcanFileParams(StatcanParams):
    file: Path = Field(description="Full-table zip or CSV from Statistics Canada.")


def check_statcan(params: StatcanParams, _catalogue: Catalogue, _settings: Settings) -> None:
    statcan_table(params.table)


def run_ingest_statcan(context: StepContext, params: StatcanParams) -> StepReport:
    from credtrends.pipelines.sources import load_statcan
    from credtrends.sources import statcan

    spec = statcan_table(params.table)
    download = statcan.fetch_full_table(statcan.new_http(), spec.pid)
    load = bound(load_statcan, download.archive, spec, context.catalogue)
    return load_all(context, [load], {"table": spec.pid})


def run_import_statcan(context: StepContext, params: StatcanFileParams) -> StepReport:
    from credtrends.pipelines.sources import load_statcan, read_import
    from credtrends.sources.base import SourcePayload

    spec = statcan_table(params.table)
    payload = SourcePayload.from_file(
        params.file.name, read_import(params.file), backend="statcan-file",
        content_type="application/zip",
    )  # fmt: skip
    load = bound(load_statcan, payload, spec, context.catalogue)
    return load_all(context, [load], {"table": spec.pid})


class JobbankParams(StepParams):
    months: int = Field(default=3, ge=1, le=36, description="How many recent months.")


class JobbankFileParams(StepParams):
    files: Files = Field(min_length=1, description="Monthly Job Bank postings CSV files.")


def run_ingest_jobbank(context: StepContext, params: JobbankParams) -> StepReport:
    from credtrends.pipelines.sources import load_jobbank
    from credtrends.sources import jobbank

    http = jobbank.new_http()
    resources = jobbank.parse_resources(jobbank.fetch_dataset(http), "en")[: params.months]
    payloads = [jobbank.fetch_resource(http, resource) for resource in resources]
    loads = [bound(load_jobbank, p, context.catalogue) for p in payloads]
    return load_all(context, loads, {"files": [r.name for r in resources]})


def run_import_jobbank(context: StepContext, params: JobbankFileParams) -> StepReport:
    from credtrends.pipelines.sources import load_jobbank, read_import
    from credtrends.sources.base import SourcePayload

    payloads = [
        SourcePayload.from_file(f.name, read_import(f), backend="jobbank-file",
                                content_type="text/csv")
        for f in params.files
    ]  # fmt: skip
    return load_all(context, [bound(load_jobbank, p, context.catalogue) for p in payloads], {})


def _month_start(value: object) -> object:
    """``2026-10`` is the month starting 2026-10-01."""
    if isinstance(value, str) and len(value) == 7:
        return f"{value}-01"
    return value


class CatalogueParams(StepParams):
    files: Files = Field(min_length=1, description="Catalogue exports: CSV, XLSX, JSON, CTDL.")
    as_of: date | None = Field(default=None, description="Listing date of undated files.")


class PortalSearchesParams(StepParams):
    file: Path = Field(description="A portal's most-searched-topics list (CSV/JSON).")
    region: str = Field(description="Region the list is about, e.g. CA-ON.")
    month: Annotated[date, BeforeValidator(_month_start)] = Field(
        description="Month the list covers, YYYY-MM."
    )


def check_portal_searches(
    params: PortalSearchesParams, catalogue: Catalogue, settings: Settings
) -> None:
    known_regions([params.region], catalogue, settings)


def _subject_payloads(
    context: StepContext, files: Sequence[Path]
) -> tuple[Any, list[SourcePayload]]:
    from credtrends.pipelines.sources import catalogue_payload
    from credtrends.sources.portal import load_subject_mapping

    mapping = load_subject_mapping(
        context.settings.subject_mapping_file, context.catalogue.topic_ids
    )
    return mapping, [catalogue_payload(f) for f in files]


def run_import_catalogue(context: StepContext, params: CatalogueParams) -> StepReport:
    from credtrends.pipelines.sources import load_portal_catalogue

    mapping, payloads = _subject_payloads(context, params.files)
    loads = [
        bound(load_portal_catalogue, p, mapping, context.catalogue, params.as_of) for p in payloads
    ]
    return load_all(context, loads, {})


def run_import_portal_searches(context: StepContext, params: PortalSearchesParams) -> StepReport:
    from credtrends.pipelines.sources import load_portal_searches

    mapping, (payload,) = _subject_payloads(context, [params.file])
    load = bound(load_portal_searches, payload, mapping, params.region, params.month)
    return load_all(context, [load], {})


INGEST_STATCAN = Step(
    name="ingest-statcan",
    summary="Download a job-vacancy table from Statistics Canada's Web Data Service; load it.",
    params=StatcanParams, run=run_ingest_statcan, writes=LABOUR_TABLES,
    cli=("ingest", "statcan"), check=check_statcan,
)  # fmt: skip
IMPORT_STATCAN = Step(
    name="import-statcan",
    summary="Import a job-vacancy table downloaded from Statistics Canada (zip or CSV).",
    params=StatcanFileParams, run=run_import_statcan, writes=LABOUR_TABLES,
    cli=("import", "statcan"), check=check_statcan,
)  # fmt: skip
INGEST_JOBBANK = Step(
    name="ingest-jobbank",
    summary="Download the latest monthly Job Bank postings files from open.canada.ca; load them.",
    params=JobbankParams, run=run_ingest_jobbank, writes=LABOUR_TABLES,
    cli=("ingest", "jobbank"),
)  # fmt: skip
IMPORT_JOBBANK = Step(
    name="import-jobbank",
    summary="Import Job Bank open-data postings files (UTF-16/UTF-8, tab or comma separated).",
    params=JobbankFileParams, run=run_import_jobbank, writes=LABOUR_TABLES,
    cli=("import", "jobbank"),
)  # fmt: skip
IMPORT_CATALOGUE = Step(
    name="import-catalogue",
    summary="Import micro-credential catalogues; subjects map to topics (subject_mapping.yaml).",
    params=CatalogueParams, run=run_import_catalogue, writes=PORTAL_TABLES,
    cli=("import", "catalogue"),
)  # fmt: skip
IMPORT_PORTAL_SEARCHES = Step(
    name="import-portal-searches",
    summary="Import a portal's 'top searched topics' list (rank and/or count per term).",
    params=PortalSearchesParams, run=run_import_portal_searches, writes=PORTAL_TABLES,
    cli=("import", "portal-searches"), check=check_portal_searches,
)  # fmt: skip
