"""Heartbeat failures under a real database lock: never two runs of one job at once.

Two runner processes (as two schedulers would) try to run the same job. The job's "work"
is a child process that writes a tick to a shared file every 50 ms (60 s for the first
run, 1 s for later ones), so the battery sees exactly when each run was working. Shortly
after the first run starts, a third process locks the warehouse for 1.5 x the stale time
(SQLite: ``BEGIN EXCLUSIVE``; PostgreSQL: ``LOCK TABLE job_locks IN ACCESS EXCLUSIVE
MODE``), so every heartbeat fails. The issue's 3-minute lock against a 2-minute stale
time is scaled down by settings: heartbeat 0.5 s, stale after 6 s, lock held 9 s, lock
timeout 1 s. Counted: overlapping work intervals (must be 0), runs that lost the lock and
stopped (recorded ``crashed`` with "lost its lock"), runs that then succeeded.

Run: ``PYTHONPATH=src python -m tests.reliability.battery_20_heartbeat [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from credtrends.jobs import runner
from credtrends.jobs.definitions import JobDefinition
from credtrends.jobs.locks import JobLocked, LockLost, LockTiming
from credtrends.warehouse.engine import DatabaseTimeouts, create_warehouse_engine
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import job_runs
from tests.reliability.store_common import BACKENDS, postgres_available, scratch_folder, warehouse

TIMING = LockTiming(heartbeat_seconds=0.5, stale_after_seconds=6.0)
TIMEOUTS = DatabaseTimeouts(lock_seconds=1.0, statement_seconds=5.0)
LOCK_SECONDS = 9.0


def work(ticks: Path) -> str:
    """A job's work: append ``TAG TIME`` lines to ``ticks`` for SECONDS (the job's command)."""
    return (
        "import sys, time\n"
        f"path = {str(ticks)!r}\n"
        "tag, seconds = sys.argv[1], float(sys.argv[2])\n"
        "end = time.time() + seconds\n"
        "while time.time() < end:\n"
        "    with open(path, 'a') as f: f.write(f'{tag} {time.time()}\\n')\n"
        "    time.sleep(0.05)\n"
    )


def runner_process(url: str, ticks: Path, tag: str, until: float) -> None:
    """One 'scheduler': run the job whenever the lock is free, until ``until``."""
    engine = create_warehouse_engine(url, TIMEOUTS)
    runner.COMMAND_PREFIX = (sys.executable, "-c", work(ticks))  # the work, see above
    attempt = 0
    while time.time() < until:
        attempt += 1
        seconds = "60" if tag == "A" and attempt == 1 else "1"
        job = JobDefinition.model_validate(
            {
                "name": "busy",
                "command": [f"{tag}{attempt}", seconds],
                "schedule": {"cron": "0 6 * * 1"},
            }
        )
        try:
            runner.run_job(engine, job, echo=lambda _: None, timing=TIMING)
            print(json.dumps({"tag": tag, "outcome": "succeeded"}), flush=True)
        except JobLocked:
            time.sleep(0.2)
        except LockLost as lost:
            print(json.dumps({"tag": tag, "outcome": "lost", "why": str(lost)}), flush=True)
        except sa.exc.OperationalError:
            time.sleep(0.2)  # the warehouse is locked: a scheduler just polls again
    engine.dispose()


def hold_lock(url: str, seconds: float) -> None:
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        assert path is not None
        database = sqlite3.connect(path, isolation_level=None, timeout=30)
        database.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        database.rollback()
        database.close()
        return
    engine = create_warehouse_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("LOCK TABLE job_locks IN ACCESS EXCLUSIVE MODE"))
        time.sleep(seconds)
    engine.dispose()


def intervals(ticks: Path) -> dict[str, tuple[float, float]]:
    spans: dict[str, tuple[float, float]] = {}
    for line in ticks.read_text().splitlines():
        tag, stamp = line.split()
        low, high = spans.get(tag, (float(stamp), float(stamp)))
        spans[tag] = (min(low, float(stamp)), max(high, float(stamp)))
    return spans


def overlaps(spans: dict[str, tuple[float, float]]) -> int:
    ordered = sorted(spans.values())
    return sum(1 for a, b in itertools.pairwise(ordered) if b[0] < a[1])


def start_runner(url: str, ticks: Path, tag: str, until: float) -> subprocess.Popen[str]:
    arguments = ["--role", "runner", "--url", url, "--ticks", str(ticks), "--tag", tag]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.battery_20_heartbeat", *arguments,
         "--until", str(until)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def one_round(backend: str, folder: Path) -> dict[str, float]:
    with warehouse(backend, folder) as url:
        engine = create_warehouse_engine(url)
        upgrade_warehouse(engine)
        ticks = folder / f"ticks-{time.time_ns()}.txt"
        ticks.touch()
        until = time.time() + 22
        first = start_runner(url, ticks, "A", until)
        while not ticks.read_text():
            time.sleep(0.05)
        second = start_runner(url, ticks, "B", until)
        time.sleep(0.5)
        locker = threading.Thread(target=hold_lock, args=(url, LOCK_SECONDS))
        locker.start()
        answers = [first.communicate(timeout=120), second.communicate(timeout=120)]
        outputs = [out for out, _ in answers]
        logged = "".join(err for _, err in answers)
        locker.join()
        events = [json.loads(line) for out in outputs for line in out.splitlines() if line]
        with engine.connect() as connection:
            rows = connection.execute(sa.select(job_runs.c.status, job_runs.c.error)).all()
        engine.dispose()
    spans = intervals(ticks)
    return {
        "overlaps": overlaps(spans),
        "runs": len(spans),
        "lost": sum(e["outcome"] == "lost" for e in events),
        "crashed_lost_lock": sum(
            r.status == "crashed" and "lost its lock" in (r.error or "") for r in rows
        ),
        "succeeded": sum(r.status == "succeeded" for r in rows),
        "still_running": sum(r.status == "running" for r in rows),
        "heartbeat_errors": logged.count("heartbeat failed"),
        "tracebacks": logged.count("Traceback"),
        "first_run_worked_s": round(spans["A1"][1] - spans["A1"][0], 1) if "A1" in spans else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--role", default="battery")
    parser.add_argument("--url")
    parser.add_argument("--ticks")
    parser.add_argument("--tag")
    parser.add_argument("--until", type=float)
    args = parser.parse_args()
    if args.role == "runner":
        runner_process(args.url, Path(args.ticks), args.tag, args.until)
        return
    print(
        f"heartbeat failures: warehouse locked {LOCK_SECONDS:g} s against a stale time of "
        f"{TIMING.stale_after_seconds:g} s (heartbeat {TIMING.heartbeat_seconds:g} s; the issue's "
        "3 min / 2 min scaled down by settings), two runners, "
        f"{args.rounds} rounds per backend"
    )
    for backend in BACKENDS:
        if backend == "postgresql" and (why := postgres_available()):
            print(f"  {backend}: NOT RUN - {why}")
            continue
        folder = scratch_folder("heartbeat")
        totals: dict[str, float] = {}
        for _ in range(args.rounds):
            for key, value in one_round(backend, folder).items():
                totals[key] = totals.get(key, 0) + value
        print(
            f"  {backend:<10} overlapping runs: {totals['overlaps']:g}; runs that lost the lock "
            f"and stopped: {totals['lost']:g} (recorded crashed/lost-lock: "
            f"{totals['crashed_lost_lock']:g}); runs succeeded: {totals['succeeded']:g}; "
            f"left 'running': {totals['still_running']:g}; failed heartbeats logged and "
            f"retried: {totals['heartbeat_errors']:g} (tracebacks: {totals['tracebacks']:g}); "
            "the first run worked "
            f"{totals['first_run_worked_s'] / args.rounds:.1f} s on average of its 60 s"
        )


if __name__ == "__main__":
    main()
