"""Jobs on SQLite and PostgreSQL: run records, retries, locks, slots, crashes, dependants."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from credtrends.jobs.definitions import JobDefinition, load_job_definitions
from credtrends.jobs.locks import JobLocked, job_lock, mark_crashed_runs, try_acquire
from credtrends.jobs.runner import JobFailed, SlotTaken, run_job
from credtrends.jobs.scheduler import Scheduler
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.schema import job_locks, job_runs, search_interest
from tests.helpers import REPO

DEMO = ["demo", "--no-serve", "--end", "2025-06-01"]


def job(name: str, command: list[str], **extra: object) -> JobDefinition:
    return JobDefinition.model_validate(
        {"name": name, "command": command, "schedule": {"cron": "0 6 * * 1"}, **extra}
    )


def runs(engine: sa.Engine) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(job_runs).order_by(job_runs.c.started_at)))


def test_a_successful_job_records_itself_and_its_command(engine: sa.Engine, job_env: Path) -> None:
    outcome = run_job(engine, job("load-demo", DEMO), echo=lambda _: None)
    by_name = {r.job_name: r for r in runs(engine)}
    assert by_name["load-demo"].status == "succeeded"
    children = [r for r in runs(engine) if r.parent_run_id == outcome.run_id]
    assert {r.job_name for r in children} == {"demo", "demo-forecast"}
    assert outcome.rows_written == sum(r.rows_written for r in children) > 0
    with engine.connect() as connection:
        assert count_rows(connection, job_locks) == 0


def test_a_failing_job_is_retried_then_recorded_failed(engine: sa.Engine, job_env: Path) -> None:
    waits: list[float] = []
    failing = job(
        "bad",
        ["demo", "--no-serve", "--end", "yesterday"],
        retry={"attempts": 3, "backoff_seconds": 5},
    )
    with pytest.raises(JobFailed, match="failed after 3 attempt") as error:
        run_job(engine, failing, echo=lambda _: None, sleep=waits.append)
    assert waits == [5, 10]
    assert "'yesterday' is not a date" in str(error.value)
    (record,) = [r for r in runs(engine) if r.job_name == "bad"]
    assert record.status == "failed" and "is not a date" in record.error


def test_a_job_never_runs_twice_at_once(engine: sa.Engine, job_env: Path) -> None:
    with job_lock(engine, "load-demo", "someone-else"):
        with pytest.raises(JobLocked):
            run_job(engine, job("load-demo", DEMO), echo=lambda _: None)
        assert not try_acquire(engine, "load-demo", "a-third-run")
    assert try_acquire(engine, "load-demo", "after-release")


def test_a_lock_held_by_a_dead_process_is_taken_over(engine: sa.Engine) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(job_locks).values(
                job_name="j", run_id="ghost", hostname=os.uname().nodename, pid=dead.pid,
                acquired_at=now, heartbeat_at=now,
            )
        )  # fmt: skip
    assert try_acquire(engine, "j", "mine")


def test_two_schedulers_run_a_due_slot_once(engine: sa.Engine, job_env: Path) -> None:
    jobs = {"load-demo": job("load-demo", DEMO)}
    slot_passed = lambda: datetime(2030, 1, 7, 12, 0, tzinfo=UTC)  # noqa: E731 - a Monday noon
    first = Scheduler(
        engine, jobs, echo=lambda _: None, clock=lambda: datetime(2030, 1, 6, tzinfo=UTC)
    )
    second = Scheduler(
        engine, jobs, echo=lambda _: None, clock=lambda: datetime(2030, 1, 6, tzinfo=UTC)
    )
    first._clock = second._clock = slot_passed
    assert first.tick() == ["load-demo"]
    assert second.tick() == []
    assert [r.job_name for r in runs(engine)].count("load-demo") == 1
    with pytest.raises(SlotTaken):
        run_job(engine, jobs["load-demo"], echo=lambda _: None, scheduled_for=first_slot(engine))


def first_slot(engine: sa.Engine) -> datetime:
    with engine.connect() as connection:
        slot: datetime = connection.execute(
            sa.select(job_runs.c.scheduled_for).where(job_runs.c.scheduled_for.is_not(None))
        ).scalar_one()
    return slot if slot.tzinfo else slot.replace(tzinfo=UTC)


def test_dependants_run_after_success_and_not_after_failure(
    engine: sa.Engine, job_env: Path
) -> None:
    jobs_dir = job_env
    (jobs_dir / "fetch.yaml").write_text(
        "name: fetch\ncommand: [status]\nschedule: {cron: '0 6 * * *'}\n"
    )
    (jobs_dir / "model.yaml").write_text("name: model\ncommand: [status]\ndepends_on: [fetch]\n")
    jobs = load_job_definitions(jobs_dir)
    day = datetime(2030, 1, 1, tzinfo=UTC)
    scheduler = Scheduler(engine, jobs, echo=lambda _: None, clock=lambda: day)
    scheduler._clock = lambda: day + timedelta(hours=12)
    assert scheduler.tick() == ["fetch", "model"]
    broken = {**jobs, "fetch": jobs["fetch"].model_copy(update={"command": ["demo", "--end", "x"]})}
    scheduler = Scheduler(
        engine, broken, echo=lambda _: None, clock=lambda: day + timedelta(days=1)
    )
    scheduler._clock = lambda: day + timedelta(days=1, hours=12)
    assert scheduler.tick() == ["fetch"]
    assert [r.job_name for r in runs(engine)].count("model") == 1


def test_sigkill_mid_load_leaves_the_warehouse_as_before_and_the_next_run_completes(
    engine: sa.Engine, job_env: Path
) -> None:
    # The real catalogue makes the load long enough to kill it part-way.
    config = Path(os.environ["CREDTRENDS_CONFIG_DIR"])
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(REPO / "config" / name, config / name)
    (job_env / "load-demo.yaml").write_text(
        "name: load-demo\ncommand: [demo, --no-serve, --end, '2025-06-01']\n"
        "schedule: {cron: '0 6 * * 1'}\n"
    )
    runner = subprocess.Popen([sys.executable, "-m", "credtrends", "jobs", "run", "load-demo"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(r.job_name == "demo" and r.status == "running" for r in runs(engine)):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the demo command never started")
    time.sleep(2.0)  # well inside the load (it takes several seconds)
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    time.sleep(1.0)  # the child dies with its parent (PR_SET_PDEATHSIG)
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 0
    assert mark_crashed_runs(engine) == 2
    assert {r.job_name: r.status for r in runs(engine)} == {
        "load-demo": "crashed",
        "demo": "crashed",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "credtrends", "jobs", "run", "load-demo"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    with engine.connect() as connection:
        loaded = count_rows(connection, search_interest)
        distinct = connection.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(
                    search_interest.c.topic_id,
                    search_interest.c.region_code,
                    search_interest.c.period_start,
                )
                .distinct()
                .subquery()
            )
        ).scalar_one()
    assert loaded == distinct > 0


def test_the_scheduler_process_runs_a_due_job_and_stops_cleanly_on_sigterm(
    engine: sa.Engine, job_env: Path
) -> None:
    """`credtrends scheduler` left running runs a job due within the minute; the run is in
    the history (which the dashboard's Data page shows)."""
    (job_env / "every-minute.yaml").write_text(
        "name: every-minute\ncommand: [status]\nschedule: {cron: '* * * * *', timezone: UTC}\n"
    )
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "credtrends", "scheduler", "--poll-seconds", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if any(r.job_name == "every-minute" and r.status == "succeeded" for r in runs(engine)):
                break
            time.sleep(1)
        else:
            pytest.fail("the scheduler did not run the due job within 90 s")
    finally:
        scheduler.send_signal(signal.SIGTERM)
        output, _ = scheduler.communicate(timeout=30)
    assert scheduler.returncode == 0, output
    assert "SIGTERM received, stopping" in output
    from credtrends.warehouse.queries import job_history

    history = job_history(engine, 10)
    assert "every-minute" in history["job_name"].to_list()
