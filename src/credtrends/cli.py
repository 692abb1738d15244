"""The ``credtrends`` command line (typer): argument parsing, then ``run_step``.

Every command that changes the warehouse names a step (``credtrends.steps``) and hands its
parameters to ``run_step``, which owns the lock, the run record, the transaction and the
engine; ``credtrends run STEP --param name=value`` runs any step the same way. Errors a
user can meet (``CredtrendsError``) end as one line on stderr and a non-zero exit code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
import sqlalchemy as sa
import typer

from credtrends.config import ENV_PREFIX, Settings, load_settings
from credtrends.errors import ConfigError, CredtrendsError
from credtrends.steps import Step, StepParams, get_step, ready_warehouse, run_step
from credtrends.transforms.freshness import with_freshness
from credtrends.warehouse.engine import (
    DatabaseTimeouts,
    create_warehouse_engine,
    is_unavailable,
    unavailable_error,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from credtrends.jobs.definitions import JobDefinition

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


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback whose bar appears at the first report of progress (a step
    refused before starting prints nothing)."""
    with ExitStack() as stack:
        bars: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not bars:
                bars.append(stack.enter_context(typer.progressbar(length=total, label=label)))
            bar = bars[0]
            bar.length = total
            bar.update(done - bar.pos)

        yield progress


def _step(settings: Settings, name: str, values: dict[str, Any], label: str = "") -> None:
    """Run the step ``name`` with these parameters, then print its report."""
    step = get_step(name)
    _run_and_print(step, step.make_params(values), settings, label or name)


def _run_and_print(step: Step[Any], params: StepParams, settings: Settings, label: str) -> None:
    with _progress_bar(label) as progress:
        report = run_step(step, params, settings, echo=typer.echo, progress=progress)
    for line in report.lines:
        typer.echo(line)


@app.command()
def init() -> None:
    """Create or upgrade the warehouse and load the topic and region catalogue into it."""
    _step(_settings(), "init", {})


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
    settings = _settings()
    try:
        end_date = date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise CredtrendsError(f"--end {end!r} is not a date like 2026-11-29") from exc
    _step(settings, "demo", {"seed": seed, "end": end_date})
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

    with ready_warehouse(settings):
        pass  # reachable, at the current schema, crashed runs marked
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

    with ready_warehouse(_settings()) as engine:
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


@app.command("run")
def run_command(
    step: Annotated[str, typer.Argument(help="The step's name (`credtrends steps` lists them).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="name=value; give a name twice for a list."),
    ] = None,
) -> None:
    """Run one step on its own, as a job or cron would: lock, run record, transaction."""
    settings = _settings()
    chosen = get_step(step)
    _run_and_print(chosen, chosen.parse_words(param or []), settings, chosen.name)


@app.command("steps")
def list_steps() -> None:
    """Every step: what it does, the tables it reads and writes, its parameters."""
    from credtrends.steps import STEPS
    from credtrends.steps.spec import describe

    for chosen in STEPS.values():
        for line in describe(chosen):
            typer.echo(line)


jobs_app = typer.Typer(help="Scheduled jobs: list, run now, history.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _jobs(settings: Settings) -> dict[str, JobDefinition]:
    from credtrends.jobs.definitions import load_job_definitions

    return load_job_definitions(settings.jobs_dir)


@jobs_app.command("list")
def jobs_list() -> None:
    """Every job: its schedule, what it depends on, its next and its last run."""
    from credtrends.jobs.scheduler import Scheduler
    from credtrends.warehouse.queries import job_history

    settings = _settings()
    jobs = _jobs(settings)
    with ready_warehouse(settings) as engine:
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


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="The job's name (its file name).")]) -> None:
    """Run a job now, in the foreground, showing its output."""
    from credtrends.jobs.locks import LockTiming
    from credtrends.jobs.runner import run_job

    settings = _settings()
    jobs = _jobs(settings)
    if name not in jobs:
        raise ConfigError(f"no job named {name!r} in {settings.jobs_dir} (have: {', '.join(jobs)})")
    with ready_warehouse(settings) as engine:
        outcome = run_job(
            engine, jobs[name], echo=typer.echo, timing=LockTiming.from_settings(settings)
        )
    typer.echo(
        f"[{name}] succeeded after {outcome.attempts} attempt(s), "
        f"{outcome.rows_written} rows written (run {outcome.run_id})"
    )


@jobs_app.command("history")
def jobs_history(
    limit: Annotated[int, typer.Option(min=1, help="How many runs to show.")] = 20,
    job: Annotated[str | None, typer.Option(help="Only this job's runs.")] = None,
) -> None:
    """The latest job runs, newest first, with timings, rows and errors."""
    from credtrends.warehouse.queries import job_history

    with ready_warehouse(_settings()) as engine:
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


@app.command()
def scheduler(
    poll_seconds: Annotated[
        float, typer.Option(min=0.1, help="How often to look for due jobs.")
    ] = 30.0,
) -> None:
    """Run the job schedule in this process until SIGTERM or Ctrl+C."""
    from credtrends.jobs.locks import LockTiming
    from credtrends.jobs.scheduler import Scheduler

    settings = _settings()
    jobs = _jobs(settings)
    timing = LockTiming.from_settings(settings)
    with ready_warehouse(settings) as engine:
        Scheduler(engine, jobs, echo=typer.echo, timing=timing).run_until_stopped(poll_seconds)


import_app = typer.Typer(help="Import files you downloaded yourself.", no_args_is_help=True)
app.add_typer(import_app, name="import")
ingest_app = typer.Typer(
    help="Fetch data from the sources into the warehouse.", no_args_is_help=True
)
app.add_typer(ingest_app, name="ingest")


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
    values = {"files": files, "geo": geo, "category": category, "date_order": date_order}
    _step(_settings(), "import-trends-csv", values)


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
    values = {
        "offline": offline, "regions": regions or None, "topics": topics,
        "timeframe": timeframe, "min_interval": min_interval, "reuse_hours": reuse_hours,
        "related_queries": related_queries, "province_levels": province_levels,
        "backend": backend,
    }  # fmt: skip
    _step(_settings(), "ingest-trends", values)


@import_app.command("statcan")
def import_statcan(
    file: Annotated[Path, typer.Argument(help="Full-table zip or CSV from Statistics Canada.")],
    table: Annotated[str, typer.Option(help="Table id, e.g. 14-10-0444-01.")] = "14100444",
) -> None:
    """Import a job-vacancy table downloaded from Statistics Canada (zip or CSV)."""
    _step(_settings(), "import-statcan", {"file": file, "table": table})


@ingest_app.command("statcan")
def ingest_statcan(
    table: Annotated[str, typer.Option(help="Table id, e.g. 14-10-0444-01.")] = "14100444",
) -> None:
    """Download a job-vacancy table from Statistics Canada's Web Data Service and load it."""
    _step(_settings(), "ingest-statcan", {"table": table})


@import_app.command("jobbank")
def import_jobbank(
    files: Annotated[list[Path], typer.Argument(help="Monthly Job Bank postings CSV files.")],
) -> None:
    """Import Job Bank open-data postings files (UTF-16/UTF-8, tab or comma separated)."""
    _step(_settings(), "import-jobbank", {"files": files})


@ingest_app.command("jobbank")
def ingest_jobbank(
    months: Annotated[int, typer.Option(min=1, max=36, help="How many recent months.")] = 3,
) -> None:
    """Download the latest monthly Job Bank postings files from open.canada.ca and load them."""
    _step(_settings(), "ingest-jobbank", {"months": months})


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
    try:
        listed = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise ConfigError(f"--as-of {as_of!r} is not a date like 2026-11-01") from exc
    _step(_settings(), "import-catalogue", {"files": files, "as_of": listed})


@import_app.command("portal-searches")
def import_portal_searches(
    file: Annotated[Path, typer.Argument(help="A portal's most-searched-topics list (CSV/JSON).")],
    region: Annotated[str, typer.Option(help="Region the list is about, e.g. CA-ON.")],
    month: Annotated[str, typer.Option(help="Month the list covers, YYYY-MM.")],
) -> None:
    """Import a portal's "top searched topics" list (rank and/or count per search term)."""
    try:
        period = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise ConfigError(f"--month {month!r} is not a month like 2026-10") from exc
    values = {"file": file, "region": region, "month": period}
    _step(_settings(), "import-portal-searches", values)


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
    weeks = horizon.lower().removesuffix("w")
    if not weeks.isdigit() or not 1 <= int(weeks) <= 104:
        raise ConfigError(f"--horizon {horizon!r}: give weeks between 1 and 104, e.g. 26w")
    values = {
        "topics": topics, "regions": regions, "horizon": int(weeks),
        "origins": origins, "jobs": jobs,
    }  # fmt: skip
    _step(_settings(), "forecast", values, label="forecasting")


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
