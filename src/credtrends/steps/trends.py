"""Google Trends steps: ``ingest-trends`` (fetch, land, calibrate), ``import-trends-csv``
(the web page's exports) and ``calibrate`` (stored batches -> one comparable scale)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from credtrends.config import ENV_PREFIX
from credtrends.errors import ConfigError
from credtrends.steps.checks import known, known_regions
from credtrends.steps.reports import load_report_lines
from credtrends.steps.spec import Codes, Files, Step, StepContext, StepParams, StepReport
from credtrends.warehouse import schema

if TYPE_CHECKING:
    import sqlalchemy as sa

    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings

BACKENDS = ("pytrends", "serpapi")
TRENDS_TABLES = (
    schema.raw_payloads,
    schema.search_interest_batches,
    schema.search_interest,
    schema.related_queries,
    schema.region_levels,
    *schema.DERIVED_TABLES,
)


class IngestTrendsParams(StepParams):
    offline: bool = Field(default=False, description="Re-parse what is landed; no network.")
    regions: Codes | None = Field(default=None, description="Region codes; default all.")
    topics: Codes | None = Field(default=None, description="Topic ids; default all.")
    timeframe: str = Field(default="today 5-y", description="Google Trends window.")
    min_interval: float = Field(default=8.0, ge=0, description="Seconds between two requests.")
    reuse_hours: float = Field(default=24.0, ge=0, description="Landed this recently: done.")
    related_queries: bool = Field(default=False, description="Also each topic's related queries.")
    province_levels: bool = Field(default=False, description="Also interest by province.")
    backend: str | None = Field(default=None, description="pytrends or serpapi; default setting.")


def _backend_name(params: IngestTrendsParams, settings: Settings) -> str:
    return params.backend or settings.trends_backend


def check_ingest_trends(
    params: IngestTrendsParams, catalogue: Catalogue, settings: Settings
) -> None:
    """Everything that can be refused before the warehouse is touched."""
    backend = _backend_name(params, settings)
    if backend not in BACKENDS:
        raise ConfigError(f"--backend must be pytrends or serpapi, not {backend!r}")
    known_regions(params.regions, catalogue, settings)
    known(params.topics, catalogue.topic_ids, "--topics")
    if not params.offline:
        live_backend(settings, backend)


def live_backend(settings: Settings, name: str) -> Any:
    """The live Google Trends backend chosen; SerpApi without a key is a config error."""
    from credtrends.sources.google_trends import PytrendsBackend, SerpApiBackend

    if name == "pytrends":
        return PytrendsBackend()
    if settings.serpapi_api_key is None or not settings.serpapi_api_key.get_secret_value():
        raise ConfigError(
            f"--backend serpapi needs an API key: set {ENV_PREFIX}SERPAPI_API_KEY "
            "(https://serpapi.com/manage-api-key)"
        )
    return SerpApiBackend(settings.serpapi_api_key, base_url=settings.serpapi_base_url)


def run_ingest_trends(context: StepContext, params: IngestTrendsParams) -> StepReport:
    """Fetch, land (one transaction per payload, so a stopped run resumes) and calibrate;
    offline, parse what is landed again. The batch plan goes into the run record."""
    from credtrends.pipelines.trends import fetch_trends, reparse_landed
    from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher

    settings, catalogue = context.settings, context.catalogue
    backend = _backend_name(params, settings)
    regions = list(params.regions or catalogue.region_codes)
    record: dict[str, Any] = {"regions": regions, "backend": backend}
    if params.offline:
        report = reparse_landed(context.engine, catalogue, context.run_id)
    else:
        policy = PacingPolicy(
            min_interval_s=params.min_interval,
            retry_after_cap_s=settings.trends_retry_after_cap_seconds,
        )
        fetcher = PoliteFetcher(live_backend(settings, backend), policy)
        report = fetch_trends(
            context.engine, catalogue, regions, params.timeframe, context.run_id, fetcher,
            params.reuse_hours, context.echo, known(params.topics, catalogue.topic_ids, "--topics"),
            related=params.related_queries, region_maps=params.province_levels,
        )  # fmt: skip
        record["plans"] = report.plans
    return StepReport(report.rows_written, load_report_lines(report), record)


class ImportTrendsCsvParams(StepParams):
    files: Files = Field(min_length=1, description="multiTimeline.csv, geoMap.csv ... files.")
    geo: str | None = Field(default=None, description="Region of files that do not say.")
    category: int | None = Field(default=None, description="Google category id (0 = all).")
    date_order: Literal["MDY", "DMY"] = Field(default="MDY", description="Short dates: MDY/DMY.")

    @field_validator("date_order", mode="before")
    @classmethod
    def _known_order(cls, value: object) -> object:
        if value not in ("MDY", "DMY"):
            raise ValueError(f"--date-order must be MDY or DMY, not {value!r}")
        return value


def run_import_trends_csv(context: StepContext, params: ImportTrendsCsvParams) -> StepReport:
    """Every file is parsed before anything is written; then one transaction loads them
    all and recalibrates the regions they touch: one bad file loads nothing."""
    from credtrends.pipelines.trends import load_payload, merge_reports
    from credtrends.sources.google_trends import import_web_csv

    payloads = [
        import_web_csv(path, geo=params.geo, category=params.category, date_order=params.date_order)
        for path in params.files
    ]
    with context.transaction() as connection:
        report = merge_reports(
            load_payload(connection, payload, context.catalogue, context.run_id)
            for payload in payloads
        )
        regions = {geo for payload in payloads for geo in payload.request.term_geos}
        report.calibrated_rows = calibrate_regions(connection, regions, context.run_id)
    return StepReport(report.rows_written, load_report_lines(report))


def calibrate_regions(connection: sa.Connection, regions: set[str] | list[str], run_id: str) -> int:
    """Replace these regions' calibrated series from their stored batches (the pipeline's
    ``recalibrate``): the one place loads and the ``calibrate`` step call it."""
    from credtrends.pipelines.trends import recalibrate

    return recalibrate(connection, regions, run_id)


class CalibrateParams(StepParams):
    regions: Codes | None = Field(default=None, description="Region codes; default all.")


def check_calibrate(params: CalibrateParams, catalogue: Catalogue, settings: Settings) -> None:
    known_regions(params.regions, catalogue, settings)


def run_calibrate(context: StepContext, params: CalibrateParams) -> StepReport:
    regions = list(params.regions or context.catalogue.region_codes)
    with context.transaction() as connection:
        rows = calibrate_regions(connection, regions, context.run_id)
    return StepReport(rows, (f"{rows} calibrated values written for {', '.join(regions)}",))


INGEST_TRENDS = Step(
    name="ingest-trends",
    summary="Fetch weekly search interest for every topic and region, land it, calibrate.",
    params=IngestTrendsParams,
    run=run_ingest_trends,
    reads=(schema.raw_payloads, schema.search_interest_batches),
    writes=TRENDS_TABLES,
    cli=("ingest", "trends"),
    check=check_ingest_trends,
)
IMPORT_TRENDS_CSV = Step(
    name="import-trends-csv",
    summary="Import CSV exports of the Google Trends web page; recalibrate their regions.",
    params=ImportTrendsCsvParams,
    run=run_import_trends_csv,
    reads=(schema.search_interest_batches,),
    writes=TRENDS_TABLES,
    cli=("import", "trends-csv"),
)
CALIBRATE = Step(
    name="calibrate",
    summary="Put the stored Google Trends batches of each region on one comparable scale.",
    params=CalibrateParams,
    run=run_calibrate,
    reads=(schema.search_interest_batches,),
    writes=(schema.search_interest, *schema.DERIVED_TABLES),
    check=check_calibrate,
)
