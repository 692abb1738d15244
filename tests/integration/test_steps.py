"""``run_step`` on SQLite and PostgreSQL: a step writes only the tables it declares, runs
under its lock and run record, rolls its one transaction back on failure, disposes of its
engine whatever happens, and runs on its own (``credtrends run``) or from a job file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from credtrends.config import Settings, load_settings
from credtrends.errors import SourceError
from credtrends.jobs.definitions import JobDefinition
from credtrends.jobs.locks import LockLost, job_lock
from credtrends.jobs.runner import JobFailed, run_job
from credtrends.steps import StepLocked, get_step, run_step
from credtrends.steps import run as step_run
from credtrends.steps.spec import Step, StepContext, StepParams, StepReport
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.schema import job_locks, job_runs, metadata, search_interest_batches
from tests.helpers import FIXTURES

EXPORT = FIXTURES / "google_trends" / "multiTimeline_ca_week.csv"
BOOKKEEPING = {"job_runs", "job_locks", "alembic_version"}


@pytest.fixture
def settings(
    engine: sa.Engine,
    job_env: Path,
) -> Settings:
    """Settings (and child processes) on this warehouse with the small test catalogue."""
    return load_settings()


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: count_rows(connection, t) for name, t in metadata.tables.items()}


def runs_named(engine: sa.Engine, name: str) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(job_runs).where(job_runs.c.job_name == name)))


def test_a_step_writes_only_the_tables_it_declares(engine: sa.Engine, settings: Settings) -> None:
    step = get_step("import-trends-csv")
    before = row_counts(engine)
    report = run_step(step, step.make_params({"files": [EXPORT]}), settings, echo=lambda _: None)
    after = row_counts(engine)
    changed = {name for name in after if after[name] != before[name]} - BOOKKEEPING
    assert changed and changed <= {t.name for t in step.writes}
    (run,) = runs_named(engine, "import-trends-csv")
    assert run.status == "succeeded" and run.rows_written == report.rows_written > 0
    assert report.lines[0].startswith("1 payload(s) landed")
    with engine.connect() as connection:
        assert count_rows(connection, job_locks) == 0


class Boom(StepParams):
    pass


def explode(context: StepContext, _params: Boom) -> StepReport:
    with context.transaction() as connection:
        connection.execute(sa.delete(search_interest_batches))
        raise SourceError("the source broke half-way")


def test_a_failing_step_rolls_back_is_recorded_and_disposes_of_its_engine(
    engine: sa.Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    load = get_step("import-trends-csv")
    run_step(load, load.make_params({"files": [EXPORT]}), settings, echo=lambda _: None)
    batches = row_counts(engine)["search_interest_batches"]
    disposed: list[sa.Engine] = []
    made = step_run.warehouse_engine

    def watched(chosen: Settings) -> sa.Engine:
        created = made(chosen)
        original = created.dispose

        def dispose() -> None:
            disposed.append(created)
            original()

        monkeypatch.setattr(created, "dispose", dispose)
        return created

    monkeypatch.setattr(step_run, "warehouse_engine", watched)
    boom = Step(name="boom", summary="fails", params=Boom, run=explode,
                writes=(search_interest_batches,))  # fmt: skip
    with pytest.raises(SourceError, match="half-way"):
        run_step(boom, Boom(), settings, echo=lambda _: None)
    assert row_counts(engine)["search_interest_batches"] == batches > 0
    (run,) = runs_named(engine, "boom")
    assert run.status == "failed" and "the source broke half-way" in run.error
    assert len(disposed) == 1


def test_a_step_already_running_is_refused_and_records_nothing(
    engine: sa.Engine, settings: Settings
) -> None:
    step = get_step("calibrate")
    with (
        job_lock(engine, "step:calibrate", "someone-else"),
        pytest.raises(StepLocked, match="'calibrate' is already running elsewhere"),
    ):
        run_step(step, step.make_params({}), settings, echo=lambda _: None)
    assert runs_named(engine, "calibrate") == []
    # a job of the same name does not lock the step out
    with job_lock(engine, "calibrate", "a-job-run"):
        run_step(step, step.make_params({}), settings, echo=lambda _: None)
    assert [r.status for r in runs_named(engine, "calibrate")] == ["succeeded"]


def test_credtrends_run_runs_one_step_on_its_own(engine: sa.Engine, settings: Settings) -> None:
    load = get_step("import-trends-csv")
    run_step(load, load.make_params({"files": [EXPORT]}), settings, echo=lambda _: None)
    command = [sys.executable, "-m", "credtrends", "run", "calibrate", "--param", "regions=CA"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("calibrated values written for CA")
    bad = subprocess.run([*command[:5], "--param", "regions=XX"], capture_output=True,
                         text=True, check=False, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and "--region 'XX' is not in" in bad.stderr
    assert [r.status for r in runs_named(engine, "calibrate")] == ["succeeded"]


def test_the_runner_runs_a_job_naming_a_step(engine: sa.Engine, settings: Settings) -> None:
    job = JobDefinition.model_validate({
        "name": "demo-step", "step": "demo", "params": {"end": "2025-06-01"},
        "schedule": {"cron": "0 6 * * 1"},
    })  # fmt: skip
    outcome = run_job(engine, job, echo=lambda _: None)
    children = runs_named(engine, "demo") + runs_named(engine, "demo-forecast")
    assert {r.parent_run_id for r in children} == {outcome.run_id}
    assert outcome.rows_written == sum(r.rows_written for r in children) > 0


def test_retries_back_off_exponentially_with_jitter(engine: sa.Engine, settings: Settings) -> None:
    waits: list[float] = []
    failing = JobDefinition.model_validate({
        "name": "bad", "command": ["demo", "--no-serve", "--end", "never"],
        "depends_on": ["x"], "retry": {"attempts": 3, "backoff_seconds": 5, "jitter_seconds": 2},
    })  # fmt: skip
    with pytest.raises(JobFailed, match="failed after 3 attempt"):
        run_job(engine, failing, echo=lambda _: None, sleep=waits.append)
    assert len(waits) == 2 and 5 <= waits[0] <= 7 and 10 <= waits[1] <= 12


def steal_the_lock_then_write(context: StepContext, _params: Boom) -> StepReport:
    with context.engine.begin() as connection:  # another run takes the lock over
        connection.execute(sa.update(job_locks).values(run_id="thief"))
    with context.transaction() as connection:
        connection.execute(sa.delete(search_interest_batches))
    return StepReport(0)


def test_a_step_that_lost_its_lock_rolls_its_transaction_back(
    engine: sa.Engine, settings: Settings
) -> None:
    load = get_step("import-trends-csv")
    run_step(load, load.make_params({"files": [EXPORT]}), settings, echo=lambda _: None)
    batches = row_counts(engine)["search_interest_batches"]
    stolen = Step(name="stolen", summary="loses its lock", params=Boom,
                  run=steal_the_lock_then_write, writes=(search_interest_batches,))  # fmt: skip
    with pytest.raises(LockLost, match="'stolen' lost its lock to another run"):
        run_step(stolen, Boom(), settings, echo=lambda _: None)
    assert row_counts(engine)["search_interest_batches"] == batches > 0
    assert [r.status for r in runs_named(engine, "stolen")] == ["failed"]
