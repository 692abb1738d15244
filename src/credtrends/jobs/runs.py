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


@dataclass
class JobRun:
    """The handle a job uses to say how much it wrote."""

    run_id: str
    job_name: str
    started_at: datetime
    rows_written: int = 0
    parameters: Mapping[str, Any] = field(default_factory=dict)


def new_run_id() -> str:
    return uuid.uuid4().hex


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:2000]


@contextmanager
def record_job_run(
    engine: sa.Engine,
    job_name: str,
    parameters: Mapping[str, Any] | None = None,
    run_id: str | None = None,
) -> Iterator[JobRun]:
    """Record a run of ``job_name``: 'running' now, then 'succeeded' or 'failed' with the error.

    A fixed ``run_id`` (the demo uses one per seed) makes the record itself idempotent.
    """
    run = JobRun(
        run_id=run_id or new_run_id(),
        job_name=job_name,
        started_at=datetime.now(UTC),
        parameters=dict(parameters or {}),
    )
    base = {
        "run_id": run.run_id,
        "job_name": job_name,
        "started_at": run.started_at,
        "parameters": dict(run.parameters),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
    }
    with engine.begin() as connection:
        upsert_rows(
            connection,
            job_runs,
            [{**base, "status": "running", "finished_at": None, "rows_written": 0, "error": None}],
        )
    try:
        yield run
    except BaseException as error:
        _finish(engine, base, run, "failed", _one_line(error))
        raise
    _finish(engine, base, run, "succeeded", None)


def _finish(
    engine: sa.Engine, base: dict[str, Any], run: JobRun, status: str, error: str | None
) -> None:
    with engine.begin() as connection:
        upsert_rows(
            connection,
            job_runs,
            [
                {
                    **base,
                    "status": status,
                    "finished_at": datetime.now(UTC),
                    "rows_written": run.rows_written,
                    "error": error,
                }
            ],
        )
