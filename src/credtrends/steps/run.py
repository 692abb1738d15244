"""``run_step``: the one wrapper every step runs under, whoever asked for it.

It loads the catalogue and checks the parameters against it before touching the warehouse,
opens the engine, takes the step's lock, records the run in ``job_runs`` (a child of the
job run that started it, if any), hands the step its one transaction, maps the database
saying no onto ``WarehouseError`` and disposes of the engine whatever happens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from credtrends.catalogue import load_catalogue
from credtrends.errors import CredtrendsError
from credtrends.jobs.locks import (
    HeldLock,
    JobLocked,
    LockLost,
    LockTiming,
    job_lock,
    sweep_crashed_runs,
)
from credtrends.jobs.runs import new_run_id, record_job_run
from credtrends.steps.derive import derives_after, followed_by_derive
from credtrends.steps.spec import P, Step, StepContext, StepReport
from credtrends.warehouse.engine import (
    DatabaseTimeouts,
    check_connection,
    create_warehouse_engine,
    is_unavailable,
    unavailable_error,
)
from credtrends.warehouse.schema import job_locks

if TYPE_CHECKING:
    from credtrends.config import Settings

log = logging.getLogger(__name__)
LOCK_PREFIX = "step:"
"""Step locks live in ``job_locks`` beside job locks; the prefix keeps a job and a step of
the same name (``forecast``) from locking each other out."""


class StepLocked(CredtrendsError):
    """Another run of the same step holds its lock."""


def warehouse_engine(settings: Settings) -> sa.Engine:
    """An engine with the command-line database timeouts (not yet checked)."""
    return create_warehouse_engine(settings.warehouse_url, DatabaseTimeouts.from_settings(settings))


def make_ready(engine: sa.Engine, settings: Settings) -> None:
    """A reachable warehouse at the current schema revision; runs whose process died are
    marked crashed first, so every command shows them as they are."""
    from credtrends.warehouse.migrate import require_current_schema

    check_connection(engine)
    require_current_schema(engine)
    sweep_crashed_runs(engine, LockTiming.from_settings(settings).stale_after)


@contextmanager
def ready_warehouse(settings: Settings) -> Iterator[sa.Engine]:
    """A ready engine for the block (see ``make_ready``), disposed of whatever happens;
    database refusals leave as ``WarehouseError``."""
    engine = warehouse_engine(settings)
    try:
        with database_errors_mapped():
            make_ready(engine, settings)
            yield engine
    finally:
        engine.dispose()


@contextmanager
def database_errors_mapped() -> Iterator[None]:
    """The database saying no (locked too long, disk full, read-only, gone) becomes the
    warehouse's one-line error; any other database error is a bug and keeps its traceback."""
    try:
        yield
    except sa.exc.SQLAlchemyError as error:
        operational = isinstance(error, sa.exc.OperationalError | sa.exc.TimeoutError)
        if not operational and not is_unavailable(error):
            raise
        log.debug("database error", exc_info=True)
        raise unavailable_error(error) from error


def run_step(
    step: Step[P],
    params: P,
    settings: Settings,
    echo: Callable[[str], None] = print,
    progress: Callable[[int, int], None] | None = None,
) -> StepReport:
    """Run ``step`` with ``params`` once, in this process; see the module docstring."""
    catalogue = load_catalogue(settings.topics_file, settings.regions_file)
    if step.check is not None:
        step.check(params, catalogue, settings)
    engine = warehouse_engine(settings)
    context = StepContext(engine, settings, catalogue, "", echo, progress)
    try:
        with database_errors_mapped():
            if step.bootstrap:
                check_connection(engine)
                return step.run(context, params)
            make_ready(engine, settings)
            return _locked_and_recorded(step, params, context)
    finally:
        engine.dispose()


def _locked_and_recorded(step: Step[P], params: P, context: StepContext) -> StepReport:
    engine = context.engine
    context.run_id = run_id = new_run_id()
    timing = LockTiming.from_settings(context.settings)
    recorded: dict[str, Any] = params.recorded()
    with (
        _step_lock(engine, step.name, run_id, timing),
        record_job_run(engine, step.name, recorded, run_id=run_id) as run,
    ):
        context.open_transaction = lambda: _checked_transaction(engine, step.name, run_id)
        report = step.run(context, params)
        if derives_after(step):
            report = followed_by_derive(context, report)
        run.rows_written = report.rows_written
        if report.record:
            run.record["parameters"] = {**recorded, **report.record}
    return report


@contextmanager
def _step_lock(engine: sa.Engine, name: str, run_id: str, timing: LockTiming) -> Iterator[HeldLock]:
    """The step's lock (a row in ``job_locks``), or ``StepLocked`` if a live run holds it."""
    acquired = False
    try:
        with job_lock(engine, LOCK_PREFIX + name, run_id, timing=timing) as held:
            acquired = True
            yield held
    except JobLocked as exc:
        if acquired:
            raise
        raise StepLocked(f"step {name!r} is already running elsewhere; not started twice") from exc


@contextmanager
def _checked_transaction(engine: sa.Engine, name: str, run_id: str) -> Iterator[sa.Connection]:
    """One transaction that commits only if the step still holds its lock: the lock row is
    renewed inside the transaction itself (on PostgreSQL that row stays locked until the
    commit), so a step whose lock another run took over rolls back instead of writing beside
    it. A heartbeat held up by this very transaction (SQLite has one writer) costs nothing."""
    with engine.begin() as connection:
        yield connection
        still_ours = connection.execute(
            sa.update(job_locks)
            .where(job_locks.c.job_name == LOCK_PREFIX + name, job_locks.c.run_id == run_id)
            .values(heartbeat_at=datetime.now(UTC))
        ).rowcount
        if not still_ours:
            raise LockLost(
                f"step {name!r} lost its lock to another run; its writes were rolled back"
            )
