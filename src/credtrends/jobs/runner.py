"""Run one job now: lock, record, run its CLI command in a child process, retry per policy.

The command runs as a child process so a timeout or a crash cannot take the runner (or
the scheduler) down with it, and so that killing it rolls its transaction back. The child
dies with its runner (PR_SET_PDEATHSIG), so a killed runner leaves no orphan writing on.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import FrameType

import sqlalchemy as sa

from credtrends.errors import CredtrendsError
from credtrends.jobs.definitions import JobDefinition
from credtrends.jobs.locks import job_lock, mark_crashed_runs
from credtrends.jobs.runs import PARENT_RUN_ENV, finish_job_run, new_run_id, start_job_run
from credtrends.warehouse.schema import job_runs

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1


class JobFailed(CredtrendsError):
    """Every attempt of a job failed; the message is the last error it printed."""


class SlotTaken(CredtrendsError):
    """Another scheduler already claimed this cron slot of the job."""


class JobStopped(CredtrendsError):
    """The runner was asked to stop (SIGTERM/SIGINT) and abandoned the current attempt."""


@dataclass(frozen=True)
class JobOutcome:
    run_id: str
    attempts: int
    rows_written: int


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _run_command(
    job: JobDefinition, run_id: str, echo: Callable[[str], None]
) -> tuple[int, list[str]]:
    """Run the job's command once; returns its exit code and its last lines of output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "credtrends", *job.command],
        env={**os.environ, PARENT_RUN_ENV: run_id},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    timer = threading.Timer(job.timeout_minutes * 60, process.kill)
    timer.start()
    tail: deque[str] = deque(maxlen=20)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            tail.append(line.rstrip())
            echo(line.rstrip())
        code = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        timer.cancel()
    if code == -signal.SIGKILL and not timer.is_alive():
        tail.append(f"timed out after {job.timeout_minutes:g} minutes")
    return code, list(tail)


def _last_error(lines: list[str], code: int) -> str:
    for line in reversed(lines):
        if line.strip():
            return f"exit code {code}: {line.strip()}"
    return f"exit code {code}"


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise JobStopped(f"stopped by signal {signal.Signals(signum).name}; current attempt abandoned")


def run_job(
    engine: sa.Engine,
    job: JobDefinition,
    echo: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    scheduled_for: datetime | None = None,
) -> JobOutcome:
    """Run ``job`` now (in the foreground), honouring its lock, retries and timeout.

    With ``scheduled_for`` (the scheduler's cron slot) a slot another scheduler already
    claimed raises ``SlotTaken`` instead of running the job a second time.
    """
    mark_crashed_runs(engine)
    run_id = new_run_id()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        with job_lock(engine, job.name, run_id):
            parameters = {"command": job.command, "attempts": job.retry.attempts}
            try:
                run = start_job_run(engine, job.name, parameters, run_id, scheduled_for)
            except sa.exc.IntegrityError as exc:
                raise SlotTaken(f"job {job.name!r} already ran for {scheduled_for}") from exc
            try:
                attempts = _attempt(job, run_id, echo, sleep)
                run.rows_written = _rows_of_children(engine, run_id)
            except BaseException as error:
                finish_job_run(engine, run, error)
                raise
            finish_job_run(engine, run)
        return JobOutcome(run_id=run_id, attempts=attempts, rows_written=run.rows_written)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _attempt(
    job: JobDefinition, run_id: str, echo: Callable[[str], None], sleep: Callable[[float], None]
) -> int:
    """Try the command up to the policy's number of attempts; returns the attempts used."""
    for attempt in range(1, job.retry.attempts + 1):
        echo(f"[{job.name}] attempt {attempt}/{job.retry.attempts}: {' '.join(job.command)}")
        code, lines = _run_command(job, run_id, echo)
        if code == 0:
            return attempt
        error = _last_error(lines, code)
        if attempt == job.retry.attempts:
            raise JobFailed(f"job {job.name!r} failed after {attempt} attempt(s): {error}")
        wait = job.retry.backoff_seconds * 2 ** (attempt - 1)
        echo(f"[{job.name}] {error}; retrying in {wait:g} s")
        sleep(wait)
    raise AssertionError("unreachable: attempts >= 1")


def _rows_of_children(engine: sa.Engine, run_id: str) -> int:
    with engine.connect() as connection:
        total = connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(job_runs.c.rows_written), 0)).where(
                job_runs.c.parent_run_id == run_id
            )
        ).scalar_one()
    return int(total)
