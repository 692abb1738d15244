"""One run of a job at a time, across processes and machines sharing a warehouse.

A lock is a row in ``job_locks``, taken by one atomic upsert that only replaces a stale
holder, so it works the same on SQLite and PostgreSQL. The holder renews a heartbeat while
it runs; a holder that stopped beating (killed, machine lost) is stale after
``stale_after`` and a dead process on this machine is stale at once.

A failed renewal (database locked, server restarting) is logged and retried. A holder
that could not renew for ``LockTiming.give_up_after`` -- well before others may take the
lock -- or that finds its row replaced has *lost* the lock: ``HeldLock`` says so and calls
its ``on_lost`` callbacks (the runner kills the job's command), so two runs of one job
never work at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from credtrends.errors import ConfigError, CredtrendsError
from credtrends.warehouse.engine import describe_database_error
from credtrends.warehouse.load import upsert_statement
from credtrends.warehouse.schema import job_locks, job_runs

if TYPE_CHECKING:
    from credtrends.config import Settings

HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=2)
log = logging.getLogger(__name__)


class JobLocked(CredtrendsError):
    """Another run of the same job holds the lock."""


class LockLost(CredtrendsError):
    """The run lost its job lock (not renewed in time, or taken over) and stopped its work."""


@dataclass(frozen=True)
class LockTiming:
    """How often a holder renews its lock, and when a lock not renewed counts as stale."""

    heartbeat_seconds: float = HEARTBEAT_SECONDS
    stale_after_seconds: float = STALE_AFTER.total_seconds()

    def __post_init__(self) -> None:
        if self.stale_after_seconds < 3 * self.heartbeat_seconds:
            raise ConfigError(
                f"job_lock_stale_seconds ({self.stale_after_seconds:g}) must be at least three "
                f"heartbeats (job_heartbeat_seconds = {self.heartbeat_seconds:g})"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> LockTiming:
        return cls(settings.job_heartbeat_seconds, settings.job_lock_stale_seconds)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(seconds=self.stale_after_seconds)

    @property
    def give_up_after(self) -> float:
        """A holder stops its work this long after its last renewal: a quarter of the stale
        time before anyone else may take the lock, time enough to kill its command."""
        return 0.75 * self.stale_after_seconds

    @property
    def retry_seconds(self) -> float:
        """Wait before retrying a failed renewal."""
        return max(0.05, min(self.heartbeat_seconds / 3, 5.0))


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_is_dead(
    row: sa.Row[tuple[object, ...]] | None, now: datetime, stale_after: timedelta
) -> bool:
    if row is None:
        return False
    heartbeat: datetime = row.heartbeat_at
    if heartbeat.tzinfo is None:
        heartbeat = heartbeat.replace(tzinfo=UTC)
    if now - heartbeat > stale_after:
        return True
    return row.hostname == socket.gethostname() and not process_alive(int(row.pid))


def try_acquire(
    engine: sa.Engine, job_name: str, run_id: str, stale_after: timedelta = STALE_AFTER
) -> bool:
    """Take the lock of ``job_name`` for ``run_id``; False if a live run holds it."""
    now = datetime.now(UTC)
    mine = {
        "job_name": job_name,
        "run_id": run_id,
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "acquired_at": now,
        "heartbeat_at": now,
    }
    with engine.begin() as connection:
        holder = connection.execute(
            sa.select(job_locks).where(job_locks.c.job_name == job_name)
        ).one_or_none()
        if holder is not None and _holder_is_dead(holder, now, stale_after):
            # Only the exact stale holder is removed: a racing process that already
            # replaced it keeps its lock.
            connection.execute(
                sa.delete(job_locks).where(
                    job_locks.c.job_name == job_name, job_locks.c.run_id == holder.run_id
                )
            )
    with engine.begin() as connection:
        statement = upsert_statement(connection, job_locks, list(mine), update=False)
        connection.execute(statement, [mine])
        owner = connection.execute(
            sa.select(job_locks.c.run_id).where(job_locks.c.job_name == job_name)
        ).scalar_one()
    return bool(owner == run_id)


def release(engine: sa.Engine, job_name: str, run_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.delete(job_locks).where(
                job_locks.c.job_name == job_name, job_locks.c.run_id == run_id
            )
        )


def heartbeat(engine: sa.Engine, job_name: str, run_id: str) -> bool:
    """Renew the lock; False when the row is no longer ours (released or taken over)."""
    with engine.begin() as connection:
        renewed = connection.execute(
            sa.update(job_locks)
            .where(job_locks.c.job_name == job_name, job_locks.c.run_id == run_id)
            .values(heartbeat_at=datetime.now(UTC))
        ).rowcount
    return bool(renewed)


class HeldLock:
    """A lock being held: renewed by a heartbeat thread, watched by a watchdog thread."""

    def __init__(self, job_name: str, run_id: str, timing: LockTiming, renewed_at: float) -> None:
        self.job_name = job_name
        self.run_id = run_id
        self.timing = timing
        self.reason = ""
        self.last_error = ""
        self._renewed_at = renewed_at  # time.monotonic() taken before the heartbeat's value
        self._lost = threading.Event()
        self._mutex = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def renewed(self, at: float) -> None:
        with self._mutex:
            self._renewed_at = max(self._renewed_at, at)

    def seconds_since_renewal(self) -> float:
        with self._mutex:
            return time.monotonic() - self._renewed_at

    def on_lost(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Call ``callback`` when the lock is lost (at once if it already is); returns a
        function that unregisters it."""
        with self._mutex:
            already = self.lost
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def unregister() -> None:
            with self._mutex:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unregister

    def declare_lost(self, reason: str) -> None:
        with self._mutex:
            if self.lost:
                return
            self.reason = reason
            self._lost.set()
            callbacks = list(self._callbacks)
        log.error("job %s (run %s) lost its lock: %s; stopping it", self.job_name, self.run_id,
                  reason)  # fmt: skip
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a callback failing must not keep the others from running
                log.exception("stopping job %s after losing its lock failed", self.job_name)

    def check(self) -> None:
        """Raise ``LockLost`` if the lock was lost."""
        if self.lost:
            raise LockLost(f"job {self.job_name!r} lost its lock ({self.reason}); it was stopped")


def _keep_renewing(engine: sa.Engine, held: HeldLock, stop: threading.Event) -> None:
    """The heartbeat thread: renew every heartbeat; on an error log it and retry sooner."""
    wait = held.timing.heartbeat_seconds
    while not stop.wait(wait) and not held.lost:
        started = time.monotonic()
        try:
            still_ours = heartbeat(engine, held.job_name, held.run_id)
        except Exception as exc:  # the thread must outlive any database error
            held.last_error = describe_database_error(exc)[:300]
            log.warning(
                "job %s: heartbeat failed (%s); retrying in %.1f s",
                held.job_name, held.last_error, held.timing.retry_seconds,
            )  # fmt: skip
            wait = held.timing.retry_seconds
            continue
        if not still_ours:
            held.declare_lost("another run took the lock over")
            return
        held.renewed(started)
        wait = held.timing.heartbeat_seconds


def _watch(held: HeldLock, stop: threading.Event) -> None:
    """The watchdog thread: independent of a heartbeat stuck in a database call."""
    step = min(1.0, held.timing.heartbeat_seconds / 4)
    while not stop.wait(step):
        quiet = held.seconds_since_renewal()
        if quiet >= held.timing.give_up_after:
            error = f"; last error: {held.last_error}" if held.last_error else ""
            held.declare_lost(f"not renewed for {quiet:.0f} s{error}")
            return


@contextmanager
def job_lock(
    engine: sa.Engine,
    job_name: str,
    run_id: str,
    interval: float | None = None,
    timing: LockTiming | None = None,
) -> Iterator[HeldLock]:
    """Hold the lock for the block, renewed by a heartbeat; see ``HeldLock`` for losing it."""
    timing = timing or LockTiming()
    if interval is not None:
        timing = LockTiming(interval, max(timing.stale_after_seconds, 3 * interval))
    taken_at = time.monotonic()
    if not try_acquire(engine, job_name, run_id, timing.stale_after):
        raise JobLocked(f"job {job_name!r} is already running elsewhere; not started twice")
    held = HeldLock(job_name, run_id, timing, taken_at)
    stop = threading.Event()
    threads = [
        threading.Thread(target=_keep_renewing, args=(engine, held, stop),
                         name=f"heartbeat-{job_name}", daemon=True),
        threading.Thread(target=_watch, args=(held, stop), name=f"lockwatch-{job_name}",
                         daemon=True),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        yield held
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=timing.stale_after_seconds)
        try:
            release(engine, job_name, run_id)
        except sa.exc.SQLAlchemyError as exc:  # it goes stale and is taken over in time
            log.warning(
                "job %s: could not release its lock (%s)", job_name, describe_database_error(exc)
            )


def mark_crashed_runs(engine: sa.Engine, stale_after: timedelta = STALE_AFTER) -> int:
    """Runs still 'running' whose process is gone become 'crashed' (with their children).

    Their writes were never committed (each load is one transaction), so the warehouse is
    as before them; the next run simply does the work again.
    """
    now = datetime.now(UTC)
    here = socket.gethostname()
    with engine.begin() as connection:
        running = connection.execute(
            sa.select(
                job_runs.c.run_id, job_runs.c.hostname, job_runs.c.pid, job_runs.c.parent_run_id
            ).where(job_runs.c.status == "running")
        ).all()
        locks = {row.run_id: row for row in connection.execute(sa.select(job_locks))}
        crashed: set[str] = set()
        for run in running:
            lock = locks.get(run.run_id)
            if lock is not None:
                if _holder_is_dead(lock, now, stale_after):
                    crashed.add(run.run_id)
            elif run.hostname == here and run.pid is not None and not process_alive(run.pid):
                crashed.add(run.run_id)
        crashed |= {run.run_id for run in running if run.parent_run_id in crashed}
        if crashed:
            connection.execute(
                sa.update(job_runs)
                .where(job_runs.c.run_id.in_(sorted(crashed)), job_runs.c.status == "running")
                .values(
                    status="crashed",
                    finished_at=now,
                    error="the process stopped without finishing (killed or lost); "
                    "nothing it loaded was committed",
                )
            )
            connection.execute(sa.delete(job_locks).where(job_locks.c.run_id.in_(sorted(crashed))))
    return len(crashed)


def sweep_crashed_runs(engine: sa.Engine, stale_after: timedelta = STALE_AFTER) -> int:
    """``mark_crashed_runs`` for the start of every command: a warehouse that cannot be
    written (read-only, locked) only costs a warning, so read-only commands still work."""
    try:
        return mark_crashed_runs(engine, stale_after)
    except sa.exc.SQLAlchemyError as exc:
        reason = describe_database_error(exc)[:200]
        log.warning("could not mark crashed job runs (%s); will try again next command", reason)
        return 0
