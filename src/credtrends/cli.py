"""The ``credtrends`` command line (typer).

Errors a user can meet (``CredtrendsError``) end as one line on stderr and a non-zero exit
code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date
from typing import Annotated

import typer

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.config import ENV_PREFIX, Settings, load_settings
from credtrends.errors import CredtrendsError
from credtrends.warehouse.engine import check_connection, create_warehouse_engine

app = typer.Typer(
    help="credtrends: which micro-credentials people want, where, and where demand is heading.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("credtrends")


def _configure_logging(settings: Settings) -> None:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[
            logging.StreamHandler(sys.stderr),
            logging.FileHandler(settings.log_dir / "credtrends.log", encoding="utf-8"),
        ],
        force=True,
    )


def _settings() -> Settings:
    settings = load_settings()
    _configure_logging(settings)
    return settings


def _catalogue(settings: Settings) -> Catalogue:
    return load_catalogue(settings.topics_file, settings.regions_file)


def _initialise(settings: Settings, catalogue: Catalogue) -> None:
    from credtrends.warehouse.catalogue_sync import sync_catalogue
    from credtrends.warehouse.migrate import upgrade_warehouse

    engine = create_warehouse_engine(settings.warehouse_url)
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
    from credtrends.demo.load import load_demo

    settings = _settings()
    catalogue = _catalogue(settings)
    try:
        end_date = date.fromisoformat(end) if end else date.today()
    except ValueError as exc:
        raise CredtrendsError(f"--end {end!r} is not a date like 2026-11-29") from exc
    started = time.perf_counter()
    _initialise(settings, catalogue)
    engine = create_warehouse_engine(settings.warehouse_url)
    rows = load_demo(engine, catalogue, seed, end_date)
    engine.dispose()
    typer.echo(
        f"loaded {rows} synthetic demo rows (seed {seed}) into {settings.warehouse_url} "
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
    from credtrends.warehouse.migrate import require_current_schema
    from credtrends.web.app import create_app

    engine = create_warehouse_engine(settings.warehouse_url)
    check_connection(engine)
    require_current_schema(engine)
    dashboard = create_app(settings, engine)
    url = f"http://{settings.host}:{settings.port}"
    typer.echo(f"credtrends dashboard: {url}  (Ctrl+C to stop)")
    dashboard.run(
        host=settings.host,
        port=settings.port,
        debug=settings.debug if debug is None else debug,
    )


@app.command()
def status() -> None:
    """What is in the warehouse: rows per table, sources, the last job runs."""
    from credtrends.warehouse.migrate import require_current_schema
    from credtrends.warehouse.queries import warehouse_status

    settings = _settings()
    engine = create_warehouse_engine(settings.warehouse_url)
    check_connection(engine)
    require_current_schema(engine)
    report = warehouse_status(engine)
    typer.echo(f"warehouse: {report.url}")
    typer.echo("\nrows per table:")
    for table, count in report.row_counts.items():
        typer.echo(f"  {table:<28} {count:>10,}")
    typer.echo("\nsources:")
    if report.sources.is_empty():
        typer.echo("  (no facts loaded yet)")
    for row in report.sources.iter_rows(named=True):
        label = "SYNTHETIC" if row["is_synthetic"] else "real"
        typer.echo(
            f"  {row['table']:<28} {row['source']:<20} {label:<9} {row['rows']:>10,} rows, "
            f"last fetched {row['last_fetched_at']:%Y-%m-%d %H:%M} UTC"
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
    except Exception as error:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(error, click.ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        raise
