"""Storage and jobs under faults, on SQLite and PostgreSQL (issue 13): atomic migrations,
heartbeats that survive errors, lost locks, crash sweeps, crashed-slot retries, timeouts,
one-line database errors and logs. Each test runs in seconds; the long battery that prints
figures is ``make reliability``.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from credtrends.catalogue import Catalogue
from credtrends.config import Settings
from credtrends.demo.load import load_demo
from credtrends.errors import WarehouseError
from credtrends.jobs import locks, runner
from credtrends.jobs.definitions import JobDefinition
from credtrends.jobs.locks import JobLocked, LockLost, LockTiming, job_lock
from credtrends.jobs.runner import _last_error, run_job
from credtrends.jobs.runs import one_line_error
from credtrends.jobs.scheduler import Scheduler
from credtrends.warehouse.engine import (
    DatabaseTimeouts,
    create_warehouse_engine,
    is_unavailable,
    unavailable_error,
)
from credtrends.warehouse.migrate import (
    current_revision,
    head_revision,
    tables_at_revision,
    upgrade_warehouse,
)
from credtrends.warehouse.schema import job_locks, job_runs
from tests.helpers import run_cli, schema_differences

FAST = LockTiming(heartbeat_seconds=0.2, stale_after_seconds=3.0)  # gives up after 2.25 s
SLEEPER = (sys.executable, "-c", "import time; print('working', flush=True); time.sleep(60)")


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


class Killed(Exception):
    """Stands for a kill -9 in the middle of a migration."""


@pytest.fixture
def ddl_killer(empty_engine: sa.Engine) -> Iterator[list[int]]:
    """Raise ``Killed`` at the n-th DDL statement (n = the list's first item, 0 = never)."""
    plan = [0]
    seen = [0]

    def kill(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if plan[0] and statement.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")):
            seen[0] += 1
            if seen[0] == plan[0]:
                raise Killed(f"killed at DDL statement {seen[0]}")

    sa.event.listen(empty_engine, "before_cursor_execute", kill)
    yield plan
    sa.event.remove(empty_engine, "before_cursor_execute", kill)


@pytest.mark.parametrize("start", [None, "0001"])
@pytest.mark.parametrize("at", [1, 5, 11])
def test_an_interrupted_init_leaves_the_old_schema_and_the_next_init_succeeds(
    empty_engine: sa.Engine, ddl_killer: list[int], start: str | None, at: int
) -> None:
    if start is not None:
        upgrade_warehouse(empty_engine, start)
    ddl_killer[0] = at
    with pytest.raises(Killed):
        upgrade_warehouse(empty_engine)
    ddl_killer[0] = 0
    # All or nothing: the schema of the recorded revision, no half-made table, no copy.
    assert current_revision(empty_engine) == start
    assert tables(empty_engine) == tables_at_revision(start)
    upgrade_warehouse(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert schema_differences(empty_engine) == []


def test_leftovers_of_an_older_interrupted_upgrade_are_repaired(empty_engine: sa.Engine) -> None:
    """What the issue saw after a failed upgrade from 0001 (before migrations were atomic):
    ``job_locks`` and ``_alembic_tmp_job_runs`` behind, the version still 0001."""
    upgrade_warehouse(empty_engine, "0001")
    with empty_engine.begin() as connection:
        connection.execute(sa.schema.CreateTable(job_locks))
        connection.execute(sa.text("CREATE TABLE _alembic_tmp_job_runs (run_id VARCHAR(64))"))
    upgrade_warehouse(empty_engine)
    assert schema_differences(empty_engine) == []
    assert not any(name.startswith("_alembic_tmp_") for name in tables(empty_engine))


def test_a_table_with_rows_the_revision_lacks_is_never_dropped(empty_engine: sa.Engine) -> None:
    upgrade_warehouse(empty_engine, "0001")
    now = datetime.now(UTC)
    with empty_engine.begin() as connection:
        connection.execute(sa.schema.CreateTable(job_locks))
        connection.execute(
            sa.insert(job_locks).values(
                job_name="j", run_id="r", hostname="h", pid=1, acquired_at=now, heartbeat_at=now
            )
        )
    with pytest.raises(WarehouseError, match="'job_locks' holds 1 rows"):
        upgrade_warehouse(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(job_locks)).scalar() == 1


def test_a_failed_heartbeat_is_retried_and_the_lock_kept(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = locks.heartbeat
    failures = [0]

    def flaky(engine: sa.Engine, job_name: str, run_id: str) -> bool:
        if failures[0] < 3:
            failures[0] += 1
            raise sa.exc.OperationalError("UPDATE job_locks", {}, Exception("database is locked"))
        return real(engine, job_name, run_id)

    monkeypatch.setattr(locks, "heartbeat", flaky)
    with job_lock(engine, "j", "run-1", timing=FAST) as held:
        with engine.connect() as connection:
            first = connection.execute(sa.select(job_locks.c.heartbeat_at)).scalar_one()
        time.sleep(1.5)
        with engine.connect() as connection:
            later = connection.execute(sa.select(job_locks.c.heartbeat_at)).scalar_one()
        assert failures[0] == 3 and later > first  # renewed again after the errors
        assert not held.lost


def job(name: str, **extra: object) -> JobDefinition:
    return JobDefinition.model_validate(
        {"name": name, "command": ["work"], "schedule": {"cron": "0 6 * * 1"}, **extra}
    )


def runs_of(engine: sa.Engine, name: str) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(job_runs).where(job_runs.c.job_name == name).order_by("started_at")
            )
        )


def locked_database(*_args: object) -> bool:
    raise sa.exc.OperationalError("UPDATE job_locks", {}, Exception("database is locked"))


def test_a_run_that_cannot_renew_its_lock_stops_and_is_recorded_crashed(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locks, "heartbeat", locked_database)
    monkeypatch.setattr(runner, "COMMAND_PREFIX", SLEEPER)
    started = time.monotonic()
    with pytest.raises(LockLost, match="lost its lock"):
        run_job(engine, job("slow"), echo=lambda _: None, timing=FAST)
    assert time.monotonic() - started < 10  # the 60 s command was killed
    (record,) = runs_of(engine, "slow")
    assert record.status == "crashed"
    assert "lost its lock" in record.error and "database is locked" in record.error


def test_a_run_whose_lock_was_taken_over_stops(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "COMMAND_PREFIX", SLEEPER)
    outcome: list[BaseException] = []

    def first() -> None:
        try:
            run_job(engine, job("taken"), echo=lambda _: None, timing=FAST)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    deadline = time.monotonic() + 10
    while not runs_of(engine, "taken") and time.monotonic() < deadline:
        time.sleep(0.05)
    with engine.begin() as connection:  # another holder replaces the row
        connection.execute(sa.update(job_locks).values(run_id="someone-else"))
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert isinstance(outcome[0], LockLost) and "took the lock over" in str(outcome[0])
    assert runs_of(engine, "taken")[0].status == "crashed"


def test_never_two_runs_of_one_job_at_once_when_heartbeats_fail(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run's heartbeats fail (a long database lock); the second run gets the lock
    only once it is stale -- by then the first has stopped and recorded itself."""
    monkeypatch.setattr(locks, "heartbeat", locked_database)
    monkeypatch.setattr(runner, "COMMAND_PREFIX", SLEEPER)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            run_job(engine, job("once"), echo=lambda _: None, timing=FAST)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.5)
    monkeypatch.setattr(runner, "COMMAND_PREFIX", (sys.executable, "-c", "pass"))
    refused = 0
    while True:
        try:
            run_job(engine, job("once"), echo=lambda _: None, timing=FAST)
            break
        except JobLocked:
            refused += 1
            time.sleep(0.1)
    thread.join(timeout=20)
    loser, winner = runs_of(engine, "once")
    assert refused > 0 and isinstance(errors[0], LockLost)
    assert loser.status == "crashed" and winner.status == "succeeded"
    assert loser.finished_at <= winner.started_at  # never both at work


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def insert_running(engine: sa.Engine, run_id: str, name: str, **extra: object) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.insert(job_runs).values(
                run_id=run_id,
                job_name=name,
                status="running",
                started_at=datetime.now(UTC) - timedelta(minutes=5),
                hostname=socket.gethostname(),
                pid=dead_pid(),
                **extra,
            )
        )


def test_every_command_first_marks_dead_runs_crashed(
    engine: sa.Engine,
    cli_env: dict[str, str],
) -> None:
    insert_running(engine, "killed-forecast", "forecast")
    status = run_cli("status", env=cli_env)
    assert status.returncode == 0, status.stderr
    (record,) = runs_of(engine, "forecast")
    assert record.status == "crashed" and record.finished_at is not None
    assert "crashed" in status.stdout.split("last job runs:")[1]


def test_a_crashed_demo_stays_in_the_history(engine: sa.Engine, test_catalogue: Catalogue) -> None:
    from datetime import date

    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    with engine.begin() as connection:  # as if killed: still running, its process gone
        connection.execute(
            sa.update(job_runs)
            .where(job_runs.c.job_name == "demo")
            .values(status="running", pid=dead_pid(), finished_at=None)
        )
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    locks.mark_crashed_runs(engine)
    assert sorted(r.status for r in runs_of(engine, "demo")) == ["crashed", "succeeded"]
    assert len({r.run_id for r in runs_of(engine, "demo")}) == 2


SLOT = datetime(2030, 1, 7, 11, 0, tzinfo=UTC)


def crashed_slot(engine: sa.Engine, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.insert(job_runs).values(
                run_id=f"{name}-crashed",
                job_name=name,
                status="crashed",
                started_at=SLOT,
                finished_at=SLOT + timedelta(minutes=1),
                scheduled_for=SLOT,
                slot_attempt=1,
            )
        )


def test_a_crashed_slot_is_retried_under_the_retry_policy(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "COMMAND_PREFIX", (sys.executable, "-c", "pass"))
    jobs = {
        "retried": job("retried", retry={"attempts": 2, "backoff_seconds": 60}),
        "once": job("once", retry={"attempts": 1}),
    }
    for name in jobs:
        crashed_slot(engine, name)
    clock = [SLOT + timedelta(seconds=90)]  # within the backoff: not yet
    first = Scheduler(engine, jobs, echo=lambda _: None, clock=lambda: clock[0], timing=FAST)
    second = Scheduler(engine, jobs, echo=lambda _: None, clock=lambda: clock[0], timing=FAST)
    assert first.tick() == []
    clock[0] = SLOT + timedelta(minutes=3)
    assert first.tick() == ["retried"]
    assert second.tick() == []  # the retry ran once, and only the allowed number of times
    retried = sorted(runs_of(engine, "retried"), key=lambda r: r.slot_attempt)
    assert [(r.slot_attempt, r.status) for r in retried] == [(1, "crashed"), (2, "succeeded")]
    assert all(r.scheduled_for is not None for r in retried)
    assert len(runs_of(engine, "once")) == 1


def test_sqlite_waits_for_a_lock_only_as_long_as_the_setting_says(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    engine = create_warehouse_engine(f"sqlite:///{path}", DatabaseTimeouts(lock_seconds=0.3))
    upgrade_warehouse(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(sa.exc.OperationalError) as error, engine.begin() as connection:
        connection.execute(sa.delete(job_locks))
    assert 0.25 < time.monotonic() - started < 5
    assert is_unavailable(error.value)
    assert "database is locked" in str(unavailable_error(error.value))
    holder.rollback()
    engine.dispose()


def test_postgresql_sessions_carry_the_timeouts(postgres_warehouse_url: str) -> None:
    timeouts = DatabaseTimeouts(
        connect_seconds=3, statement_seconds=0.4, lock_seconds=0.3, idle_in_transaction_seconds=7
    )
    engine = create_warehouse_engine(postgres_warehouse_url, timeouts)
    upgrade_warehouse(engine)
    with engine.connect() as connection:
        shown = {
            name: connection.execute(sa.text(f"SHOW {name}")).scalar()
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        }
        assert connection.execute(sa.text("SHOW search_path")).scalar() != "public"
    assert shown == {
        "statement_timeout": "400ms",
        "lock_timeout": "300ms",
        "idle_in_transaction_session_timeout": "7s",
    }
    with pytest.raises(sa.exc.OperationalError) as slow, engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_sleep(3)"))
    assert is_unavailable(slow.value)
    blocker = create_warehouse_engine(postgres_warehouse_url)
    with blocker.begin() as holding:
        holding.execute(sa.text("LOCK TABLE job_runs IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError) as locked, engine.connect() as connection:
            connection.execute(sa.select(job_runs)).all()
        assert time.monotonic() - started < 3
    assert is_unavailable(locked.value)
    assert "lock timeout" in str(unavailable_error(locked.value))
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.timeout() == timeouts.pool_seconds
    blocker.dispose()
    engine.dispose()


def test_a_database_error_is_one_line_and_exit_code_3(
    engine: sa.Engine,
    warehouse_url: str,
    cli_env: dict[str, str],
) -> None:
    env = {**cli_env, "CREDTRENDS_DB_LOCK_TIMEOUT_SECONDS": "0.3"}
    if warehouse_url.startswith("sqlite"):
        path = sa.make_url(warehouse_url).database
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        completed = run_cli("demo", "--no-serve", "--end", "2025-06-01", env=env)
        holder.rollback()
    else:
        blocker = create_warehouse_engine(warehouse_url)
        with blocker.begin() as holding:
            holding.execute(sa.text("LOCK TABLE job_runs IN ACCESS EXCLUSIVE MODE"))
            completed = run_cli("demo", "--no-serve", "--end", "2025-06-01", env=env)
        blocker.dispose()
    assert completed.returncode == 3, completed.stderr
    lines = [line for line in completed.stderr.splitlines() if "credtrends: error:" in line]
    assert len(lines) == 1 and "Traceback" not in completed.stderr
    assert "the warehouse is unavailable" in lines[0] and "Background on this error" not in lines[0]


def test_a_recorded_error_says_what_the_database_said() -> None:
    error = sa.exc.OperationalError("INSERT INTO x", {}, sqlite3.OperationalError("disk full"))
    assert one_line_error(error) == "OperationalError: disk full"
    traceback_tail = [
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked",
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)",
    ]
    assert "database is locked" in _last_error(traceback_tail, 1)
    assert _last_error(["x", "credtrends: error: the warehouse is unavailable: y", ""], 3) == (
        "exit code 3: the warehouse is unavailable: y"
    )


def test_the_log_file_rotates_at_its_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credtrends.cli import _configure_logging

    log_file = tmp_path / "elsewhere" / "ct.log"
    settings = Settings(log_file=log_file, log_max_bytes=10_000, log_backup_count=2)
    _configure_logging(settings)
    try:
        for index in range(2_000):
            logging.getLogger("credtrends.test").warning("junk request %05d %s", index, "x" * 40)
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["ct.log", "ct.log.1", "ct.log.2"]
    assert all((log_file.parent / name).stat().st_size <= 10_000 for name in files)


def test_an_unwritable_log_file_costs_one_warning_and_status_still_works(
    engine: sa.Engine,
    tmp_path: Path,
    cli_env: dict[str, str],
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**cli_env, "CREDTRENDS_LOG_FILE": str(blocker / "logs" / "credtrends.log")}
    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    assert status.stderr.count("cannot write the log file") == 1
    assert "rows per table:" in status.stdout
