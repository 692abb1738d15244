"""kill -9 of ``credtrends forecast`` (and of ``demo``): crashed runs are seen and kept.

On a demo warehouse (the small test catalogue), start ``credtrends forecast``, wait until
its run is recorded ``running``, SIGKILL it after a random further delay, then run the
next command (``credtrends status``). Counted: killed runs recorded ``crashed`` after that
command (must be all), runs left ``running``, forecast tables torn (a forecast run without
all its rows). Then the same for ``demo --no-serve`` followed by one complete demo: each
killed demo must stay in the history as ``crashed`` beside the succeeded one.

Run: ``PYTHONPATH=src python -m tests.reliability.battery_30_forecast_kill [--kills 20]``.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import time

import sqlalchemy as sa

from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.schema import forecast_runs, forecasts, job_runs
from tests.reliability.store_common import (
    BACKENDS,
    cli_env,
    command,
    postgres_available,
    run_cli,
    scratch_folder,
    warehouse,
)


def statuses(engine: sa.Engine, job_name: str) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(job_runs.c.run_id, job_runs.c.status).where(job_runs.c.job_name == job_name)
        ).all()
    return {row.run_id: row.status for row in rows}


def running_of(engine: sa.Engine, pid: int) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.execute(
                sa.select(job_runs.c.run_id).where(
                    job_runs.c.pid == pid, job_runs.c.status == "running"
                )
            ).scalars()
        )


def kill_when_running(
    engine: sa.Engine, args: list[str], job_name: str, env: dict[str, str], delay: float
) -> set[str]:
    """Start the command, SIGKILL it ``delay`` s after its run is recorded; returns the runs
    it had 'running' at the kill (empty if it finished first)."""
    before = set(statuses(engine, job_name))
    process = subprocess.Popen(command(*args), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if set(statuses(engine, job_name)) - before:
            break
        time.sleep(0.05)
    time.sleep(delay)
    running = running_of(engine, process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return running


def run_window(engine: sa.Engine, args: list[str], job_name: str, env: dict[str, str]) -> float:
    """Seconds from the run's record appearing to the command's end, for one full run, so
    the kills are drawn over the time the run is actually working."""
    before = set(statuses(engine, job_name))
    process = subprocess.Popen(command(*args), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    while process.poll() is None and not set(statuses(engine, job_name)) - before:
        time.sleep(0.05)
    seen = time.monotonic()
    process.wait()
    return max(0.2, time.monotonic() - seen)


def crashed_among(engine: sa.Engine, run_ids: list[str]) -> int:
    with engine.connect() as connection:
        return len(
            connection.execute(
                sa.select(job_runs.c.run_id).where(
                    job_runs.c.run_id.in_(run_ids), job_runs.c.status == "crashed"
                )
            ).all()
        )


def torn_forecasts(engine: sa.Engine) -> int:
    """Forecast runs recorded without any forecast rows (a half-written run)."""
    with engine.connect() as connection:
        counts = connection.execute(
            sa.select(forecast_runs.c.forecast_run_id, sa.func.count(forecasts.c.forecast_run_id))
            .outerjoin(forecasts, forecasts.c.forecast_run_id == forecast_runs.c.forecast_run_id)
            .group_by(forecast_runs.c.forecast_run_id)
        ).all()
    return sum(1 for _, n in counts if n == 0)


DEMO = ("demo", "--no-serve", "--end", "2025-06-01")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--demo-kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"kill -9 of `credtrends forecast` x{args.kills}, then of `demo` x{args.demo_kills} "
          f"(seed {args.seed}), each after a delay drawn over one run's working time; the next "
          "command is `credtrends status`")  # fmt: skip
    for backend in BACKENDS:
        if backend == "postgresql" and (why := postgres_available()):
            print(f"  {backend}: NOT RUN - {why}")
            continue
        folder = scratch_folder("forecast-kill")
        with warehouse(backend, folder) as url:
            env = cli_env(url, folder / "data")
            ready = run_cli("demo", "--no-serve", "--end", "2025-06-01", env=env)
            assert ready.returncode == 0, ready.stderr
            engine = create_warehouse_engine(url)
            window = run_window(engine, ["forecast", "--jobs", "1"], "forecast", env)
            killed: list[str] = []
            finished_first = 0
            for _ in range(args.kills):
                runs = kill_when_running(engine, ["forecast", "--jobs", "1"], "forecast", env,
                                         rng.uniform(0, 0.9 * window))  # fmt: skip
                if not runs:
                    finished_first += 1
                    continue
                killed.extend(runs)
                after = run_cli("status", env=env)
                assert after.returncode == 0, after.stderr
            final = statuses(engine, "forecast")
            crashed = crashed_among(engine, killed)
            running = sum(status == "running" for status in final.values())
            print(f"  {backend:<10} forecast (a run works {window:.1f} s): {len(killed)} killed "
                  f"mid-run ({finished_first} finished before the kill): crashed after the next "
                  f"command {crashed}/{len(killed)}; left 'running' {running}; torn forecast runs "
                  f"{torn_forecasts(engine)}")  # fmt: skip
            demo_window = run_window(engine, list(DEMO), "demo", env)
            demo_killed: list[str] = []
            for _ in range(args.demo_kills):
                demo_killed.extend(
                    kill_when_running(engine, list(DEMO), "demo", env,
                                      rng.uniform(0, 0.9 * demo_window))
                )  # fmt: skip
            complete = run_cli("demo", "--no-serve", "--end", "2025-06-01", env=env)
            assert complete.returncode == 0, complete.stderr
            demos = {**statuses(engine, "demo"), **statuses(engine, "demo-forecast")}
            kept = crashed_among(engine, demo_killed)
            succeeded = sum(status == "succeeded" for status in demos.values())
            print(
                f"  {backend:<10} demo: {len(demo_killed)} demo runs killed mid-run; kept in "
                f"the history as crashed after a complete demo {kept}/{len(demo_killed)}; "
                f"demo and demo-forecast runs recorded {len(demos)} ({succeeded} succeeded)"
            )
            engine.dispose()


if __name__ == "__main__":
    main()
