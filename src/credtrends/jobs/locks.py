"""One run of a job at a time, across processes and machines sharing a warehouse.

A lock is a row in ``job_locks``, taken by one atomic upsert that only replaces a stale
holder, so it works the same on SQLite and PostgreSQL. The holder refreshes a heartbeat
while it runs; a holder that stopped beating (killed, machine lost) is stale after
``stale_after`` and a dead process on this machine is stale at once.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from credtrends.errors import CredtrendsError
from credtrends.warehouse.load import upsert_statement
from credtrends.warehouse.schema import job_locks, job_runs

HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=2)


class JobLocked(CredtrendsError):
    """Another run of the same job holds the lock."""


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


def heartbeat(engine: sa.Engine, job_name: str, run_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.update(job_locks)
            .where(job_locks.c.job_name == job_name, job_locks.c.run_id == run_id)
            .values(heartbeat_at=datetime.now(UTC))
        )


@contextmanager
def job_lock(
    engine: sa.Engine, job_name: str, run_id: str, interval: float = HEARTBEAT_SECONDS
) -> Iterator[None]:
    """Hold the lock (with a heartbeat thread) for the duration of the block."""
    if not try_acquire(engine, job_name, run_id):
        raise JobLocked(f"job {job_name!r} is already running elsewhere; not started twice")
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            heartbeat(engine, job_name, run_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        release(engine, job_name, run_id)


def mark_crashed_runs(engine: sa.Engine) -> int:
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
                if _holder_is_dead(lock, now, STALE_AFTER):
                    crashed.add(run.run_id)
            elif run.hostname == here and run.pid is not None and not process_alive(run.pid):
                crashed.add(run.run_id)
        crashed |= {run.run_id for run in running if run.parent_run_id in crashed}
        if crashed:
            connection.execute(
                sa.update(job_runs)
                .where(job_runs.c.run_id.in_(sorted(crashed)))
                .values(
                    status="crashed",
                    finished_at=now,
                    error="the process stopped without finishing (killed or lost); "
                    "nothing it loaded was committed",
                )
            )
            connection.execute(sa.delete(job_locks).where(job_locks.c.run_id.in_(sorted(crashed))))
    return len(crashed)
