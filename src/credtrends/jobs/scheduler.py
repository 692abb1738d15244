"""The embedded scheduler: runs due jobs in-process, then the jobs that depend on them.

Cron slots are computed with APScheduler's CronTrigger; each run claims its slot in
``job_runs``, so several schedulers on one warehouse run each due slot once. Jobs run one
after another in this process; the job lock stops a manual run racing a scheduled one.

Every poll first marks dead runs ``crashed``; a job's latest slot whose last try crashed
(the machine rebooted, the runner was killed, the run lost its lock) is tried again under
the job's retry policy -- up to ``retry.attempts`` tries of the slot in all, the n-th after
``backoff_seconds * 2**(n-2)`` -- each try its own ``job_runs`` row.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

import sqlalchemy as sa

from credtrends.errors import CredtrendsError
from credtrends.jobs.definitions import JobDefinition, dependants
from credtrends.jobs.locks import JobLocked, LockTiming, sweep_crashed_runs
from credtrends.jobs.runner import JobStopped, SlotTaken, run_job
from credtrends.warehouse.queries import last_run_status, latest_slot_tries

log = logging.getLogger(__name__)


def now_utc() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(
        self,
        engine: sa.Engine,
        jobs: dict[str, JobDefinition],
        echo: Callable[[str], None] = print,
        clock: Callable[[], datetime] = now_utc,
        timing: LockTiming | None = None,
    ) -> None:
        self._engine = engine
        self._timing = timing or LockTiming()
        self._jobs = jobs
        self._echo = echo
        self._clock = clock
        start = clock()
        self.next_fire: dict[str, datetime | None] = {
            job.name: job.schedule.trigger().get_next_fire_time(None, start)
            for job in jobs.values()
            if job.schedule is not None and job.enabled
        }

    def tick(self) -> list[str]:
        """Run every job whose slot has come (and their dependants); returns what ran."""
        sweep_crashed_runs(self._engine, self._timing.stale_after)
        ran = self._retry_crashed_slots()
        now = self._clock()
        for name, slot in sorted(self.next_fire.items(), key=lambda item: str(item[1])):
            if slot is None or slot > now:
                continue
            job = self._jobs[name]
            assert job.schedule is not None
            # Slots missed while another job ran are coalesced into this one.
            self.next_fire[name] = job.schedule.trigger().get_next_fire_time(slot, self._clock())
            ran.extend(self._run_with_dependants(job, slot))
        return ran

    def _retry_crashed_slots(self) -> list[str]:
        """Run again each job's latest slot whose last try crashed, per its retry policy."""
        ran: list[str] = []
        now = self._clock()
        tries = latest_slot_tries(self._engine, sorted(self.next_fire))
        for name, (slot, attempt, status, ended) in sorted(tries.items()):
            job = self._jobs[name]
            if status != "crashed" or attempt >= job.retry.attempts:
                continue
            wait = job.retry.wait_before(attempt + 1)
            if ended is not None and ended + wait > now:
                continue
            self._echo(
                f"[{name}] the {slot:%Y-%m-%d %H:%M} run crashed; "
                f"try {attempt + 1}/{job.retry.attempts}"
            )
            ran.extend(self._run_with_dependants(job, slot, attempt + 1))
        return ran

    def _run_with_dependants(
        self, job: JobDefinition, slot: datetime | None, slot_attempt: int = 1
    ) -> list[str]:
        if not self._dependencies_succeeded(job):
            self._echo(f"[{job.name}] not run: a job it depends on did not succeed last time")
            return []
        try:
            run_job(
                self._engine,
                job,
                echo=self._echo,
                scheduled_for=slot,
                timing=self._timing,
                slot_attempt=slot_attempt,
            )
        except (SlotTaken, JobLocked) as skipped:
            self._echo(f"[{job.name}] skipped: {skipped}")
            return []
        except JobStopped:
            raise
        except CredtrendsError as failed:
            self._echo(f"[{job.name}] failed: {failed}")
            return [job.name]
        ran = [job.name]
        for dependant in dependants(self._jobs, job.name):
            ran.extend(self._run_with_dependants(dependant, None))
        return ran

    def _dependencies_succeeded(self, job: JobDefinition) -> bool:
        statuses = last_run_status(self._engine, job.depends_on)
        return all(statuses.get(name) == "succeeded" for name in job.depends_on)

    def run_until_stopped(
        self, poll_seconds: float = 30.0, stop: threading.Event | None = None
    ) -> None:
        """Tick every ``poll_seconds`` until SIGTERM/SIGINT (or ``stop`` is set).

        A signal during a job abandons its current attempt cleanly: the child is killed,
        its transaction rolls back and the run is recorded as failed.
        """
        stop = stop or threading.Event()

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            self._echo(f"scheduler: {signal.Signals(signum).name} received, stopping")
            stop.set()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
        self._echo(
            "scheduler: "
            + ", ".join(
                f"{name} next at {slot:%Y-%m-%d %H:%M %Z}"
                for name, slot in self.next_fire.items()
                if slot
            )
            or "scheduler: no scheduled jobs"
        )
        while not stop.is_set():
            try:
                self.tick()
            except JobStopped as stopped:
                self._echo(f"scheduler: {stopped}")
                break
            stop.wait(poll_seconds)
