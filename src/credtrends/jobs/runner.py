"""Run one job now: lock, record, run its step in a child process, retry per policy.

The child runs the job's command: ``credtrends run STEP --param ...`` for a job naming a
step (the step then runs under ``run_step``: its own lock and run record, a child of the
job's), or the older CLI command it names. Retries wait per tenacity's
``wait_exponential_jitter`` (``backoff_seconds``, doubling, plus up to ``jitter_seconds``).

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
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from credtrends.errors import CredtrendsError
from credtrends.jobs.definitions import JobDefinition
from credtrends.jobs.locks import HeldLock, LockLost, LockTiming, job_lock, sweep_crashed_runs
from credtrends.jobs.runs import (
    PARENT_RUN_ENV,
    JobRun,
    finish_job_run,
    new_run_id,
    start_job_run,
)
from credtrends.warehouse.engine import describe_database_error
from credtrends.warehouse.schema import job_runs

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
# How a job's command is started: our own CLI in a fresh interpreter.
COMMAND_PREFIX = (sys.executable, "-m", "credtrends")


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
    job: JobDefinition, run_id: str, echo: Callable[[str], None], held: HeldLock | None = None
) -> tuple[int, list[str]]:
    """Run the job's command once; returns its exit code and its last lines of output.

    If the run loses its lock meanwhile, the command is killed at once (its transaction
    rolls back) and ``LockLost`` is raised once it has exited."""
    process = subprocess.Popen(
        [*COMMAND_PREFIX, *job.command],
        env={**os.environ, PARENT_RUN_ENV: run_id},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    timer = threading.Timer(job.timeout_minutes * 60, process.kill)
    timer.start()
    unregister = held.on_lost(process.kill) if held is not None else lambda: None
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
        unregister()
    if held is not None:
        held.check()
    if code == -signal.SIGKILL and not timer.is_alive():
        tail.append(f"timed out after {job.timeout_minutes:g} minutes")
    return code, list(tail)


def _last_error(lines: list[str], code: int) -> str:
    """What the command said about its failure: its one-line error if it printed one, else
    its last meaningful line (never SQLAlchemy's "Background on this error" link)."""
    for line in reversed(lines):
        if line.startswith("credtrends: error: "):
            return f"exit code {code}: {line.removeprefix('credtrends: error: ').strip()}"
    for line in reversed(lines):
        text = line.strip()
        if text and not text.startswith("(Background on this error at:"):
            return f"exit code {code}: {text}"
    return f"exit code {code}"


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise JobStopped(f"stopped by signal {signal.Signals(signum).name}; current attempt abandoned")


def run_job(
    engine: sa.Engine,
    job: JobDefinition,
    echo: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    scheduled_for: datetime | None = None,
    timing: LockTiming | None = None,
    slot_attempt: int = 1,
) -> JobOutcome:
    """Run ``job`` now (in the foreground), honouring its lock, retries and timeout.

    With ``scheduled_for`` (the scheduler's cron slot) a slot another scheduler already
    claimed raises ``SlotTaken`` instead of running the job a second time; ``slot_attempt``
    is the number of this try of the slot (a crashed slot's retry is 2, 3, ...). A run that
    loses its lock stops its command and is recorded ``crashed`` (``LockLost``).
    """
    timing = timing or LockTiming()
    sweep_crashed_runs(engine, timing.stale_after)
    run_id = new_run_id()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        with job_lock(engine, job.name, run_id, timing=timing) as held:
            parameters = {"command": job.command, "attempts": job.retry.attempts}
            if job.step is not None:
                parameters |= {"step": job.step, "params": job.params}
            try:
                run = start_job_run(
                    engine, job.name, parameters, run_id, scheduled_for, slot_attempt
                )
            except sa.exc.IntegrityError as exc:
                raise SlotTaken(
                    f"job {job.name!r} already ran for {scheduled_for} (attempt {slot_attempt})"
                ) from exc
            try:
                attempts = _attempt(job, run_id, echo, sleep, held)
                held.check()
                run.rows_written = _rows_of_children(engine, run_id)
            except LockLost as lost:
                echo(f"[{job.name}] {lost}")
                _record_end(engine, run, lost, "crashed", timing)
                raise
            except BaseException as error:
                _record_end(engine, run, error, None, timing)
                raise
            _record_end(engine, run, None, None, timing)
        return JobOutcome(run_id=run_id, attempts=attempts, rows_written=run.rows_written)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _record_end(
    engine: sa.Engine,
    run: JobRun,
    error: BaseException | None,
    status: str | None,
    timing: LockTiming,
) -> None:
    """Record how the run ended, retrying through a busy warehouse for a while; if that
    fails too, the next command's sweep records the run as crashed."""
    deadline = time.monotonic() + timing.stale_after_seconds
    while True:
        try:
            finish_job_run(engine, run, error, status)
            return
        except sa.exc.OperationalError as exc:
            if time.monotonic() > deadline:
                log.error(
                    "could not record the end of run %s: %s",
                    run.run_id,
                    describe_database_error(exc),
                )
                return
            log.warning(
                "recording the end of run %s failed (%s); retrying",
                run.run_id,
                describe_database_error(exc),
            )
            time.sleep(timing.retry_seconds)


class _AttemptFailed(Exception):
    """One attempt of the job's command exited non-zero (retried per policy)."""


def _attempt(
    job: JobDefinition,
    run_id: str,
    echo: Callable[[str], None],
    sleep: Callable[[float], None],
    held: HeldLock | None = None,
) -> int:
    """Try the command up to the policy's number of attempts; returns the attempts used."""
    policy = job.retry

    def announce(state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        error = state.outcome.exception() if state.outcome else None
        echo(f"[{job.name}] {error}; retrying in {wait:g} s")

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=policy.backoff(),
        retry=retry_if_exception_type(_AttemptFailed),
        sleep=sleep,
        before_sleep=announce,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                _one_attempt(job, run_id, echo, held, number)
                return number
    except _AttemptFailed as failed:
        raise JobFailed(
            f"job {job.name!r} failed after {policy.attempts} attempt(s): {failed}"
        ) from None
    raise AssertionError("unreachable: attempts >= 1")


def _one_attempt(
    job: JobDefinition,
    run_id: str,
    echo: Callable[[str], None],
    held: HeldLock | None,
    number: int,
) -> None:
    if held is not None:
        held.check()
    echo(f"[{job.name}] attempt {number}/{job.retry.attempts}: {' '.join(job.command)}")
    code, lines = _run_command(job, run_id, echo, held)
    if code != 0:
        raise _AttemptFailed(_last_error(lines, code))


def _rows_of_children(engine: sa.Engine, run_id: str) -> int:
    with engine.connect() as connection:
        total = connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(job_runs.c.rows_written), 0)).where(
                job_runs.c.parent_run_id == run_id
            )
        ).scalar_one()
    return int(total)
