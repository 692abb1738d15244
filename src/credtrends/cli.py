"""The ``credtrends`` command line (typer).

Errors a user can meet (``CredtrendsError``) end as one line on stderr and a non-zero exit
code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import sqlalchemy as sa
import typer

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.config import ENV_PREFIX, Settings, load_settings
from credtrends.errors import ConfigError, CredtrendsError
from credtrends.transforms.freshness import with_freshness
from credtrends.warehouse.engine import (
    DatabaseTimeouts,
    check_connection,
    create_warehouse_engine,
    is_unavailable,
    unavailable_error,
)

if TYPE_CHECKING:
    from credtrends.jobs.definitions import JobDefinition
    from credtrends.pipelines.sources import SourceLoadReport
    from credtrends.pipelines.trends import LoadReport

app = typer.Typer(
    help="credtrends: which micro-credentials people want, where, and where demand is heading.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("credtrends")
_LOG_PROBLEMS_SAID: set[str] = set()


class _LogFile(RotatingFileHandler):
    """The rotated log file; when a write fails (disk full), it says so once on stderr and
    leaves logging to stderr instead of printing a traceback per record."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        error = sys.exc_info()[1]
        logging.getLogger().removeHandler(self)
        self.close()
        sys.stderr.write(
            f"credtrends: warning: cannot write the log file {self.baseFilename} ({error}); "
            "logging to stderr only\n"
        )


def _configure_logging(settings: Settings) -> None:
    """stderr and a size-capped, rotated log file; a log file that cannot be written (a
    read-only data dir) leaves stderr alone, with one warning, so read-only commands work."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    problem = None
    try:
        settings.log_path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            _LogFile(
                settings.log_path,
                maxBytes=settings.log_max_bytes,
                backupCount=settings.log_backup_count,
                encoding="utf-8",
            )
        )
    except OSError as exc:
        problem = f"{settings.log_path}: {exc.strerror or exc}"
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    # Alembic reports every migration step at INFO; users need only our own lines.
    logging.getLogger("alembic").setLevel(
        max(logging.WARNING, logging.getLevelName(settings.log_level))
    )
    if problem and problem not in _LOG_PROBLEMS_SAID:
        _LOG_PROBLEMS_SAID.add(problem)  # one warning per process, however many reads
        log.warning("cannot write the log file (%s); logging to stderr only", problem)


def _settings() -> Settings:
    settings = load_settings()
    _configure_logging(settings)
    return settings


def _catalogue(settings: Settings) -> Catalogue:
    return load_catalogue(settings.topics_file, settings.regions_file)


def _initialise(settings: Settings, catalogue: Catalogue) -> None:
    from credtrends.warehouse.catalogue_sync import sync_catalogue
    from credtrends.warehouse.migrate import upgrade_warehouse

    engine = _engine(settings)
    check_connection(engine)
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, catalogue)
    engine.dispose()


@app.command()
def init() -> None:
    """Create or upgrade the warehouse and load the topic and region catalogue into it."""
    settings = _settings()
    catalogue = _catalogue(settings)
    _initialise(settings, catalogue)
    typer.echo(
        f"warehouse ready at {settings.warehouse_url}: "
        f"{len(catalogue.topics)} topics, {len(catalogue.regions)} regions"
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 42,
    end: Annotated[
        str | None, typer.Option(help="Last date of the demo series (YYYY-MM-DD); default today.")
    ] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the dashboard afterwards.")
    ] = True,
) -> None:
    """Load the SYNTHETIC demo data set (labelled as such everywhere), then serve the dashboard."""
    from credtrends.demo.load import forecast_demo, load_demo

    settings = _settings()
    catalogue = _catalogue(settings)
    try:
        end_date = date.fromisoformat(end) if end else date.today()
    except ValueError as exc:
        raise CredtrendsError(f"--end {end!r} is not a date like 2026-11-29") from exc
    started = time.perf_counter()
    _initialise(settings, catalogue)
    engine = _ready_engine(settings)
    rows = load_demo(engine, catalogue, seed, end_date)
    rows += forecast_demo(engine, seed)
    engine.dispose()
    typer.echo(
        f"loaded {rows} synthetic demo rows and forecasts (seed {seed}) into "
        f"{settings.warehouse_url} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if serve_after:
        _serve(settings, debug=None)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides the host setting.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides the port setting.")] = None,
    debug: Annotated[
        bool | None, typer.Option("--debug/--no-debug", help="Dash debug mode (off by default).")
    ] = None,
) -> None:
    """Serve the dashboard (a single process; see the README for production serving)."""
    settings = _settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    _serve(settings.model_copy(update=updates), debug=debug)


def _serve(settings: Settings, debug: bool | None) -> None:
    from credtrends.web.app import create_app
    from credtrends.web.hardening import BannerlessRequestHandler

    _ready_engine(settings).dispose()
    # the dashboard's own engine: waits capped so a locked warehouse answers 503 at once
    engine = create_warehouse_engine(
        settings.warehouse_url, DatabaseTimeouts.for_dashboard(settings)
    )
    dashboard = create_app(settings, engine)
    url = f"http://{settings.host}:{settings.port}"
    typer.echo(f"credtrends dashboard: {url}  (Ctrl+C to stop)")
    dashboard.run(
        host=settings.host,
        port=settings.port,
        debug=settings.debug if debug is None else debug,
        request_handler=BannerlessRequestHandler,
    )


@app.command()
def status() -> None:
    """What is in the warehouse: rows per table, sources, the last job runs."""
    from credtrends.warehouse.queries import warehouse_status

    settings = _settings()
    engine = _ready_engine(settings)
    report = warehouse_status(engine)
    typer.echo(f"warehouse: {report.url}")
    typer.echo("\nrows per table:")
    for table, count in report.row_counts.items():
        typer.echo(f"  {table:<28} {count:>10,}")
    typer.echo("\nsources:")
    if report.sources.is_empty():
        typer.echo("  (no facts loaded yet)")
    now = datetime.now(UTC).replace(tzinfo=None)
    for row in with_freshness(report.sources, now).iter_rows(named=True):
        label = "SYNTHETIC" if row["is_synthetic"] else "real"
        stale = f"  STALE (expected every {row['expected_every']})" if row["is_stale"] else ""
        typer.echo(
            f"  {row['table']:<28} {row['source']:<20} {label:<9} {row['rows']:>10,} rows, "
            f"last fetched {row['last_fetched_at']:%Y-%m-%d %H:%M} UTC{stale}"
        )
    typer.echo("\nlast job runs:")
    if report.recent_runs.is_empty():
        typer.echo("  (none yet)")
    for row in report.recent_runs.iter_rows(named=True):
        error = f"  error: {row['error']}" if row["error"] else ""
        typer.echo(
            f"  {row['started_at']:%Y-%m-%d %H:%M:%S}  {row['job_name']:<20} {row['status']:<10}"
            f" {row['rows_written']:>10,} rows{error}"
        )
    engine.dispose()


jobs_app = typer.Typer(help="Scheduled jobs: list, run now, history.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _jobs(settings: Settings) -> dict[str, JobDefinition]:
    from credtrends.jobs.definitions import load_job_definitions

    return load_job_definitions(settings.jobs_dir)


def _engine(settings: Settings) -> sa.Engine:
    return create_warehouse_engine(settings.warehouse_url, DatabaseTimeouts.from_settings(settings))


def _ready_engine(settings: Settings) -> sa.Engine:
    """An engine on a reachable warehouse at the current schema revision, after marking
    runs whose process died as crashed (so every command shows them as they are)."""
    from credtrends.jobs.locks import LockTiming, sweep_crashed_runs
    from credtrends.warehouse.migrate import require_current_schema

    engine = _engine(settings)
    check_connection(engine)
    require_current_schema(engine)
    sweep_crashed_runs(engine, LockTiming.from_settings(settings).stale_after)
    return engine


@jobs_app.command("list")
def jobs_list() -> None:
    """Every job: its schedule, what it depends on, its next and its last run."""
    from credtrends.jobs.scheduler import Scheduler
    from credtrends.warehouse.queries import job_history

    settings = _settings()
    jobs = _jobs(settings)
    engine = _ready_engine(settings)
    history = job_history(engine, limit=1000)
    next_fire = Scheduler(engine, jobs, echo=lambda _: None).next_fire
    for job in jobs.values():
        when = f"cron '{job.schedule.cron}' {job.schedule.timezone}" if job.schedule else "-"
        after = f" after {', '.join(job.depends_on)}" if job.depends_on else ""
        upcoming = next_fire.get(job.name)
        last = history.filter(pl.col("job_name") == job.name).head(1)
        last_text = (
            f"{last['started_at'][0]:%Y-%m-%d %H:%M} UTC {last['status'][0]}"
            if last.height
            else "never"
        )
        state = "" if job.enabled else " (disabled)"
        typer.echo(f"{job.name}{state}: {' '.join(job.command)}")
        typer.echo(f"    schedule {when}{after}")
        typer.echo(
            f"    next {upcoming:%Y-%m-%d %H:%M %Z}"
            if upcoming
            else "    next: after its dependencies"
        )
        typer.echo(f"    last {last_text}")
    engine.dispose()


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="The job's name (its file name).")]) -> None:
    """Run a job now, in the foreground, showing its output."""
    from credtrends.jobs.runner import run_job

    settings = _settings()
    jobs = _jobs(settings)
    if name not in jobs:
        raise ConfigError(f"no job named {name!r} in {settings.jobs_dir} (have: {', '.join(jobs)})")
    engine = _ready_engine(settings)
    from credtrends.jobs.locks import LockTiming

    outcome = run_job(
        engine, jobs[name], echo=typer.echo, timing=LockTiming.from_settings(settings)
    )
    typer.echo(
        f"[{name}] succeeded after {outcome.attempts} attempt(s), "
        f"{outcome.rows_written} rows written (run {outcome.run_id})"
    )
    engine.dispose()


@jobs_app.command("history")
def jobs_history(
    limit: Annotated[int, typer.Option(min=1, help="How many runs to show.")] = 20,
    job: Annotated[str | None, typer.Option(help="Only this job's runs.")] = None,
) -> None:
    """The latest job runs, newest first, with timings, rows and errors."""
    from credtrends.warehouse.queries import job_history

    settings = _settings()
    engine = _ready_engine(settings)
    history = job_history(engine, limit, job)
    if history.is_empty():
        typer.echo("no job runs yet")
    for row in history.iter_rows(named=True):
        took = (
            f"{(row['finished_at'] - row['started_at']).total_seconds():.1f} s"
            if row["finished_at"]
            else "-"
        )
        error = f"  error: {row['error']}" if row["error"] else ""
        typer.echo(
            f"{row['started_at']:%Y-%m-%d %H:%M:%S}  {row['job_name']:<24} {row['status']:<10} "
            f"{took:>9} {row['rows_written']:>10,} rows  {row['run_id']}{error}"
        )
    engine.dispose()


@app.command()
def scheduler(
    poll_seconds: Annotated[
        float, typer.Option(min=0.1, help="How often to look for due jobs.")
    ] = 30.0,
) -> None:
    """Run the job schedule in this process until SIGTERM or Ctrl+C."""
    from credtrends.jobs.scheduler import Scheduler

    settings = _settings()
    jobs = _jobs(settings)
    engine = _ready_engine(settings)
    from credtrends.jobs.locks import LockTiming

    timing = LockTiming.from_settings(settings)
    Scheduler(engine, jobs, echo=typer.echo, timing=timing).run_until_stopped(poll_seconds)
    engine.dispose()


import_app = typer.Typer(help="Import files you downloaded yourself.", no_args_is_help=True)
app.add_typer(import_app, name="import")
ingest_app = typer.Typer(
    help="Fetch data from the sources into the warehouse.", no_args_is_help=True
)
app.add_typer(ingest_app, name="ingest")


def _print_load_report(report: LoadReport) -> None:
    typer.echo(
        f"{report.payloads} payload(s) landed, {report.batch_rows} batch values loaded, "
        f"{report.calibrated_rows} calibrated values written"
        + (f", {report.related_rows} related queries loaded" if report.related_rows else "")
        + (f", {report.region_rows} province levels loaded" if report.region_rows else "")
    )
    for line in report.not_loaded:
        typer.echo(f"  note: {line}")
    if report.unmatched_terms:
        typer.echo(
            "  terms matching no topic in topics.yaml (interest kept in the batches, not "
            "charted; related queries not stored): " + ", ".join(sorted(report.unmatched_terms))
        )


@import_app.command("trends-csv")
def import_trends_csv(
    files: Annotated[
        list[Path],
        typer.Argument(help="multiTimeline.csv / relatedQueries.csv / geoMap.csv / ... files."),
    ],
    geo: Annotated[
        str | None, typer.Option(help="Region of the files when they don't say (e.g. CA-ON).")
    ] = None,
    category: Annotated[
        int | None,
        typer.Option(
            help="Google category id, for a file whose category line names one we do not "
            "know (0 = all categories)."
        ),
    ] = None,
    date_order: Annotated[
        str, typer.Option(help="Order of day/month in short dates: MDY or DMY.")
    ] = "MDY",
) -> None:
    """Import CSV files exported from the Google Trends web page; each file is one batch.

    Every file is validated before anything is written: one bad file loads nothing.
    """
    from credtrends.jobs.runs import record_job_run
    from credtrends.pipelines.trends import load_payload, merge_reports, recalibrate
    from credtrends.sources.google_trends import import_web_csv

    if date_order not in ("MDY", "DMY"):
        raise ConfigError(f"--date-order must be MDY or DMY, not {date_order!r}")
    settings = _settings()
    catalogue = _catalogue(settings)
    payloads = [
        import_web_csv(path, geo=geo, category=category, date_order=date_order)  # type: ignore[arg-type]
        for path in files
    ]
    engine = _ready_engine(settings)
    parameters = {"files": [str(path) for path in files], "geo": geo}
    with record_job_run(engine, "import-trends-csv", parameters) as run:
        with engine.begin() as connection:
            report = merge_reports(
                load_payload(connection, payload, catalogue, run.run_id) for payload in payloads
            )
            regions = {geo for payload in payloads for geo in payload.request.term_geos}
            report.calibrated_rows = recalibrate(connection, regions, run.run_id)
        run.rows_written = report.rows_written
    _print_load_report(report)
    engine.dispose()


def _trends_backend(settings: Settings, name: str) -> Any:
    """The live Google Trends backend a user chose; SerpApi without a key is a config error."""
    from credtrends.sources.google_trends import PytrendsBackend, SerpApiBackend

    if name == "pytrends":
        return PytrendsBackend()
    if settings.serpapi_api_key is None or not settings.serpapi_api_key.get_secret_value():
        raise ConfigError(
            f"--backend serpapi needs an API key: set {ENV_PREFIX}SERPAPI_API_KEY "
            "(https://serpapi.com/manage-api-key)"
        )
    return SerpApiBackend(settings.serpapi_api_key, base_url=settings.serpapi_base_url)


@ingest_app.command("trends")
def ingest_trends(
    offline: Annotated[
        bool, typer.Option(help="Re-parse what is already landed; no network.")
    ] = False,
    regions: Annotated[
        list[str] | None, typer.Option("--region", help="Region code(s); default all.")
    ] = None,
    topics: Annotated[
        str | None, typer.Option(help="Comma-separated topic ids; default all.")
    ] = None,
    timeframe: Annotated[str, typer.Option(help="Google Trends window.")] = "today 5-y",
    min_interval: Annotated[
        float, typer.Option(help="Seconds between two requests (be polite).")
    ] = 8.0,
    reuse_hours: Annotated[
        float, typer.Option(help="Payloads landed this recently count as done (resume).")
    ] = 24.0,
    related_queries: Annotated[
        bool, typer.Option(help="Also fetch each topic's related queries (top and rising).")
    ] = False,
    province_levels: Annotated[
        bool,
        typer.Option(
            help="Also fetch each topic's interest by province (levels comparable across "
            "provinces, with 95% intervals; for the CA region)."
        ),
    ] = False,
    backend: Annotated[
        str | None,
        typer.Option(
            help="pytrends or serpapi (needs CREDTRENDS_SERPAPI_API_KEY); default: the "
            "trends_backend setting."
        ),
    ] = None,
) -> None:
    """Fetch weekly search interest for every topic and region, then calibrate it.

    Resumable: a run stopped by rate limits keeps what it landed, and the next run fetches
    only the rest. With --offline nothing is fetched: landed payloads are parsed again.
    """
    from credtrends.jobs.runs import record_job_run
    from credtrends.pipelines.trends import fetch_trends, reparse_landed
    from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher

    settings = _settings()
    chosen_backend = backend or settings.trends_backend
    if chosen_backend not in ("pytrends", "serpapi"):
        raise ConfigError(f"--backend must be pytrends or serpapi, not {chosen_backend!r}")
    catalogue = _catalogue(settings)
    chosen = regions or list(catalogue.region_codes)
    unknown = sorted(set(chosen) - set(catalogue.region_codes))
    if unknown:
        raise ConfigError(f"--region {unknown[0]!r} is not in {settings.regions_file}")
    topic_ids = _listed(topics, catalogue.topic_ids, "--topics")
    engine = _ready_engine(settings)
    parameters = {
        "offline": offline,
        "regions": chosen,
        "topics": topic_ids,
        "timeframe": timeframe,
        "related_queries": related_queries,
        "province_levels": province_levels,
        "backend": chosen_backend,
    }
    trends_backend = None if offline else _trends_backend(settings, chosen_backend)
    with record_job_run(engine, "ingest-trends", parameters) as run:
        if trends_backend is None:
            report = reparse_landed(engine, catalogue, run.run_id)
        else:
            policy = PacingPolicy(
                min_interval_s=min_interval,
                retry_after_cap_s=settings.trends_retry_after_cap_seconds,
            )
            fetcher = PoliteFetcher(trends_backend, policy)
            report = fetch_trends(
                engine,
                catalogue,
                chosen,
                timeframe,
                run.run_id,
                fetcher,
                reuse_hours,
                typer.echo,
                topic_ids,
                related=related_queries,
                region_maps=province_levels,
            )
            # The plan goes into the run record: every round, its requests, what is unresolved.
            run.record["parameters"] = {**parameters, "plans": report.plans}
        run.rows_written = report.rows_written
    _print_load_report(report)
    engine.dispose()


def _statcan_table(pid: str) -> Any:
    from credtrends.sources import statcan

    table = statcan.TABLES.get(pid.replace("-", "")[:8])
    if table is None:
        raise ConfigError(f"--table {pid!r}: known tables are {', '.join(statcan.TABLES)}")
    return table


def _print_source_report(report: SourceLoadReport) -> None:
    typer.echo(f"{report.payloads} file(s) landed, {report.rows} rows loaded")
    for note in report.notes:
        typer.echo(f"  {note}")
    if report.unmapped_subjects:
        top = ", ".join(f"{s!r} ({n})" for s, n in report.unmapped_subjects.most_common(15))
        typer.echo(
            f"  {len(report.unmapped_subjects)} subject(s) map to no topic (add them to "
            f"config/subject_mapping.yaml): {top}"
        )


def _load_in_one_transaction(
    job_name: str, parameters: dict[str, Any], loads: list[Callable[[sa.Connection, str], Any]]
) -> None:
    """Run loads in one job run and one transaction: all of them land, or none."""
    from credtrends.jobs.runs import record_job_run
    from credtrends.pipelines.sources import SourceLoadReport

    settings = _settings()
    engine = _ready_engine(settings)
    total = SourceLoadReport()
    with record_job_run(engine, job_name, parameters) as run, engine.begin() as connection:
        for load in loads:
            report = load(connection, run.run_id)
            total.payloads += report.payloads
            total.rows += report.rows
            total.notes.extend(report.notes)
            total.unmapped_subjects.update(report.unmapped_subjects)
        run.rows_written = total.rows
    _print_source_report(total)
    engine.dispose()


@import_app.command("statcan")
def import_statcan(
    file: Annotated[Path, typer.Argument(help="Full-table zip or CSV from Statistics Canada.")],
    table: Annotated[str, typer.Option(help="Table id, e.g. 14-10-0444-01.")] = "14100444",
) -> None:
    """Import a job-vacancy table downloaded from Statistics Canada (zip or CSV)."""
    from credtrends.pipelines.sources import load_statcan, read_import
    from credtrends.sources.base import SourcePayload

    catalogue = _catalogue(_settings())
    spec = _statcan_table(table)
    payload = SourcePayload.from_file(
        file.name, read_import(file), backend="statcan-file", content_type="application/zip"
    )
    _load_in_one_transaction(
        "import-statcan",
        {"file": str(file), "table": spec.pid},
        [lambda c, run_id: load_statcan(c, payload, spec, catalogue, run_id)],
    )


@ingest_app.command("statcan")
def ingest_statcan(
    table: Annotated[str, typer.Option(help="Table id, e.g. 14-10-0444-01.")] = "14100444",
) -> None:
    """Download a job-vacancy table from Statistics Canada's Web Data Service and load it."""
    from credtrends.pipelines.sources import load_statcan
    from credtrends.sources import statcan

    catalogue = _catalogue(_settings())
    spec = _statcan_table(table)
    download = statcan.fetch_full_table(statcan.new_http(), spec.pid)
    _load_in_one_transaction(
        "ingest-statcan",
        {"table": spec.pid},
        [lambda c, run_id: load_statcan(c, download.archive, spec, catalogue, run_id)],
    )


@import_app.command("jobbank")
def import_jobbank(
    files: Annotated[list[Path], typer.Argument(help="Monthly Job Bank postings CSV files.")],
) -> None:
    """Import Job Bank open-data postings files (UTF-16/UTF-8, tab or comma separated)."""
    from credtrends.pipelines.sources import load_jobbank, read_import
    from credtrends.sources.base import SourcePayload

    catalogue = _catalogue(_settings())
    payloads = [
        SourcePayload.from_file(
            f.name, read_import(f), backend="jobbank-file", content_type="text/csv"
        )
        for f in files
    ]
    _load_in_one_transaction(
        "import-jobbank",
        {"files": [str(f) for f in files]},
        [_bound(load_jobbank, p, catalogue) for p in payloads],
    )


def _bound(
    load: Callable[..., Any], payload: Any, *rest: Any
) -> Callable[[sa.Connection, str], Any]:
    """``load(connection, payload, *rest, run_id)`` waiting for its connection and run id."""

    def bound(connection: sa.Connection, run_id: str) -> Any:
        return load(connection, payload, *rest, run_id)

    return bound


@ingest_app.command("jobbank")
def ingest_jobbank(
    months: Annotated[int, typer.Option(min=1, max=36, help="How many recent months.")] = 3,
) -> None:
    """Download the latest monthly Job Bank postings files from open.canada.ca and load them."""
    from credtrends.pipelines.sources import load_jobbank
    from credtrends.sources import jobbank

    catalogue = _catalogue(_settings())
    http = jobbank.new_http()
    resources = jobbank.parse_resources(jobbank.fetch_dataset(http), "en")[:months]
    payloads = [jobbank.fetch_resource(http, resource) for resource in resources]
    _load_in_one_transaction(
        "ingest-jobbank",
        {"months": months, "files": [r.name for r in resources]},
        [_bound(load_jobbank, p, catalogue) for p in payloads],
    )


@import_app.command("catalogue")
def import_catalogue(
    files: Annotated[
        list[Path], typer.Argument(help="Programme catalogue exports: CSV, XLSX, JSON, CTDL.")
    ],
    as_of: Annotated[
        str | None, typer.Option(help="Listing date for files without one (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Import micro-credential catalogues; subjects map to topics via subject_mapping.yaml."""
    from credtrends.pipelines.sources import catalogue_payload, load_portal_catalogue
    from credtrends.sources.portal import load_subject_mapping

    settings = _settings()
    catalogue = _catalogue(settings)
    try:
        listed = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise ConfigError(f"--as-of {as_of!r} is not a date like 2026-11-01") from exc
    mapping = load_subject_mapping(settings.subject_mapping_file, catalogue.topic_ids)
    payloads = [catalogue_payload(f) for f in files]
    _load_in_one_transaction(
        "import-catalogue",
        {"files": [str(f) for f in files], "as_of": as_of},
        [_bound(load_portal_catalogue, p, mapping, catalogue, listed) for p in payloads],
    )


@import_app.command("portal-searches")
def import_portal_searches(
    file: Annotated[Path, typer.Argument(help="A portal's most-searched-topics list (CSV/JSON).")],
    region: Annotated[str, typer.Option(help="Region the list is about, e.g. CA-ON.")],
    month: Annotated[str, typer.Option(help="Month the list covers, YYYY-MM.")],
) -> None:
    """Import a portal's "top searched topics" list (rank and/or count per search term)."""
    from credtrends.pipelines.sources import catalogue_payload, load_portal_searches
    from credtrends.sources.portal import load_subject_mapping

    settings = _settings()
    catalogue = _catalogue(settings)
    if region not in catalogue.region_codes:
        raise ConfigError(f"--region {region!r} is not in {settings.regions_file}")
    try:
        period = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise ConfigError(f"--month {month!r} is not a month like 2026-10") from exc
    mapping = load_subject_mapping(settings.subject_mapping_file, catalogue.topic_ids)
    payload = catalogue_payload(file)
    _load_in_one_transaction(
        "import-portal-searches",
        {"file": str(file), "region": region, "month": month},
        [_bound(load_portal_searches, payload, mapping, region, period)],
    )


@app.command("forecast")
def forecast_command(
    topics: Annotated[
        str | None, typer.Option(help="Comma-separated topic ids; default all.")
    ] = None,
    regions: Annotated[
        str | None, typer.Option(help="Comma-separated region codes; default all.")
    ] = None,
    horizon: Annotated[str, typer.Option(help="How far ahead, in weeks: 52 or 52w.")] = "52w",
    origins: Annotated[
        int, typer.Option(min=1, max=12, help="Backtest origins (rolling, non-overlapping).")
    ] = 4,
    jobs: Annotated[
        int, typer.Option(min=1, help="Local processes (ignored with a Dask scheduler).")
    ] = 2,
) -> None:
    """Backtest models per series, choose the best, forecast with 80/95% intervals, store.

    Chunks of series run here, or on the Dask cluster named by CREDTRENDS_DASK_SCHEDULER.
    """
    from credtrends.forecasting import ForecastConfig
    from credtrends.jobs.runs import record_job_run
    from credtrends.pipelines.forecast import run_forecast

    settings = _settings()
    catalogue = _catalogue(settings)
    weeks = horizon.lower().removesuffix("w")
    if not weeks.isdigit() or not 1 <= int(weeks) <= 104:
        raise ConfigError(f"--horizon {horizon!r}: give weeks between 1 and 104, e.g. 26w")
    topic_ids = _listed(topics, catalogue.topic_ids, "--topics")
    region_codes = _listed(regions, catalogue.region_codes, "--regions")
    engine = _ready_engine(settings)
    config = ForecastConfig(n_origins=origins, non_negative=True, n_jobs=jobs)
    parameters = {
        "topics": topic_ids, "regions": region_codes, "horizon": int(weeks),
        "dask_scheduler": settings.dask_scheduler,
    }  # fmt: skip
    with (
        record_job_run(engine, "forecast", parameters) as run,
        typer.progressbar(length=1, label="forecasting") as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        report = run_forecast(
            engine, run.run_id, int(weeks), config, topic_ids, region_codes, progress,
            chunk_series=settings.forecast_chunk_series, scheduler=settings.dask_scheduler,
        )  # fmt: skip
        run.rows_written = report.rows
    typer.echo(f"forecast run {report.forecast_run_id}: {report.series} series, {report.rows} rows")
    for row in report.summary.iter_rows(named=True):
        typer.echo("  " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                    for k, v in row.items()))  # fmt: skip
    engine.dispose()


def _listed(raw: str | None, known: tuple[str, ...], option: str) -> list[str] | None:
    if raw is None:
        return None
    chosen = [item.strip() for item in raw.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise ConfigError(f"{option}: unknown {unknown[0]!r}")
    return chosen


@app.command("settings")
def show_settings() -> None:
    """List every setting with its value, environment variable and meaning."""
    settings = _settings()
    for name, field in Settings.model_fields.items():
        typer.echo(f"{name} = {getattr(settings, name)!r}")
        typer.echo(f"    env {ENV_PREFIX}{name.upper()}: {field.description}")


def main() -> None:
    """Entry point: user errors become one line and an exit code, not a traceback."""
    try:
        app(standalone_mode=False)
    except CredtrendsError as error:
        typer.echo(f"credtrends: error: {error}", err=True)
        raise SystemExit(error.exit_code) from None
    except typer.Abort:
        typer.echo("credtrends: aborted", err=True)
        raise SystemExit(130) from None
    except sa.exc.SQLAlchemyError as error:
        # The database said no (locked too long, disk full, read-only, gone): the
        # warehouse's exit code and one line; the traceback goes to the log at DEBUG.
        # Anything else from the database is a bug and keeps its traceback.
        operational = isinstance(error, sa.exc.OperationalError | sa.exc.TimeoutError)
        if not operational and not is_unavailable(error):
            raise
        log.debug("database error", exc_info=True)
        unavailable = unavailable_error(error)
        typer.echo(f"credtrends: error: {unavailable}", err=True)
        raise SystemExit(unavailable.exit_code) from None
    except Exception as error:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(error, click.ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        raise
