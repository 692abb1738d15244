"""Run records: every job run leaves a ``job_runs`` row, whatever happens.

The 'running' row is committed in its own transaction before the work starts, so a run that
dies half-way is visible afterwards; the work itself happens in the caller's transaction.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from credtrends.warehouse.load import upsert_rows
from credtrends.warehouse.schema import job_runs

# Set by the job runner for the command it starts, so the command's own run record points
# at the job run that started it.
PARENT_RUN_ENV = "CREDTRENDS_PARENT_RUN_ID"


@dataclass
class JobRun:
    """The handle a job uses to say how much it wrote."""

    run_id: str
    job_name: str
    started_at: datetime
    rows_written: int = 0
    record: dict[str, Any] = field(default_factory=dict)


def new_run_id() -> str:
    return uuid.uuid4().hex


def one_line_error(error: BaseException) -> str:
    """The error as one line; a database error keeps what the database said, not
    SQLAlchemy's statement dump and "Background on this error" link."""
    if isinstance(error, sa.exc.DBAPIError):
        from credtrends.warehouse.engine import describe_database_error

        text = describe_database_error(error)
    else:
        text = str(error).split("(Background on this error at:")[0]
    text = " ".join(text.split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:2000]


def start_job_run(
    engine: sa.Engine,
    job_name: str,
    parameters: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    scheduled_for: datetime | None = None,
    slot_attempt: int = 1,
) -> JobRun:
    """Commit a 'running' row (under ``run_id`` if given, e.g. the demo's named runs).
    ``scheduled_for`` claims a cron slot, and a second claim of the same slot raises
    ``sqlalchemy.exc.IntegrityError`` before any work starts (``slot_attempt`` numbers the
    retries of a crashed slot, each its own row)."""
    started_at = datetime.now(UTC)
    run_id = run_id or new_run_id()
    record = {
        "run_id": run_id,
        "job_name": job_name,
        "started_at": started_at,
        "parameters": dict(parameters or {}),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "parent_run_id": os.environ.get(PARENT_RUN_ENV) or None,
        "scheduled_for": scheduled_for,
        "slot_attempt": slot_attempt,
    }
    with engine.begin() as connection:
        upsert_rows(
            connection,
            job_runs,
            [
                {
                    **record,
                    "status": "running",
                    "finished_at": None,
                    "rows_written": 0,
                    "error": None,
                }
            ],
        )
    return JobRun(run_id, job_name, started_at, record=record)


def finish_job_run(
    engine: sa.Engine,
    run: JobRun,
    error: BaseException | None = None,
    status: str | None = None,
) -> None:
    """Record the end of a run: succeeded, failed (with its error) or the ``status`` given."""
    if status is None:
        status = "failed" if error is not None else "succeeded"
    with engine.begin() as connection:
        upsert_rows(
            connection,
            job_runs,
            [
                {
                    **run.record,
                    "status": status,
                    "finished_at": datetime.now(UTC),
                    "rows_written": run.rows_written,
                    "error": one_line_error(error) if error is not None else None,
                }
            ],
        )


@contextmanager
def record_job_run(
    engine: sa.Engine,
    job_name: str,
    parameters: Mapping[str, Any] | None = None,
    run_id: str | None = None,
) -> Iterator[JobRun]:
    """Record a run of ``job_name``: 'running' now, then 'succeeded' or 'failed' with the error."""
    run = start_job_run(engine, job_name, parameters, run_id)
    try:
        yield run
    except BaseException as error:
        finish_job_run(engine, run, error)
        raise
    finish_job_run(engine, run)
