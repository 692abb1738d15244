"""kill -9 of ``credtrends init`` at random moments, on an empty and on a 0001 warehouse.

For each backend and starting state: time one uninterrupted ``init``, then N times start
``init`` on a fresh warehouse in that state, SIGKILL it after a delay drawn uniformly over
that duration, and run the same steps as ``init`` again (in-process, to keep the battery
short: ``upgrade_warehouse`` + ``sync_catalogue``). Unrecoverable = that second init fails,
or the schema then differs from the declared one. Prints what each kill left behind.

Run: ``PYTHONPATH=src python -m tests.reliability.battery_10_init_kill [--kills 50]``.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from credtrends.catalogue import load_catalogue
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.migrate import current_revision, head_revision, upgrade_warehouse
from tests.reliability.store_common import (
    BACKENDS,
    CATALOGUE,
    cli_env,
    command,
    postgres_available,
    schema_differences,
    scratch_folder,
    warehouse,
)


def prepare(url: str, start: str | None) -> None:
    if start is not None:
        engine = create_warehouse_engine(url)
        upgrade_warehouse(engine, start)
        engine.dispose()


def one_kill(url: str, start: str | None, delay: float, folder: Path) -> tuple[str, bool]:
    """(what the kill left: 'old'/'new'/'torn:<rev>', recovered?)"""
    prepare(url, start)
    env = cli_env(url, folder / "data")
    process = subprocess.Popen(command("init"), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(delay)
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.wait()
    engine = create_warehouse_engine(url)
    try:
        revision = current_revision(engine)
        if finished:
            left = "finished before the kill"
        elif revision == start:
            left = "old schema (killed before commit)"
        elif revision == head_revision():
            left = "new schema (killed after commit)"
        else:
            left = f"torn at revision {revision}"
        try:
            upgrade_warehouse(engine)
            with engine.begin() as connection:
                sync_catalogue(connection, load_catalogue(CATALOGUE / "topics.yaml",
                                                          CATALOGUE / "regions.yaml"))  # fmt: skip
            recovered = schema_differences(engine) == [] and current_revision(engine) == (
                head_revision()
            )
        except (sa.exc.SQLAlchemyError, Exception) as exc:  # any failure counts
            print(f"      next init failed: {exc!s:.200}")
            recovered = False
    finally:
        engine.dispose()
    return left, recovered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"kill -9 of `credtrends init`: {args.kills} random moments per case (seed {args.seed})")
    for backend in BACKENDS:
        if backend == "postgresql" and (why := postgres_available()):
            print(f"  {backend}: NOT RUN - {why}")
            continue
        for start in (None, "0001"):
            folder = scratch_folder("init-kill")
            with warehouse(backend, folder) as url:
                prepare(url, start)
                began = time.monotonic()
                subprocess.run(command("init"), env=cli_env(url, folder / "data"), check=True,
                               capture_output=True)  # fmt: skip
                duration = time.monotonic() - began
            outcomes: Counter[str] = Counter()
            unrecoverable = 0
            for _ in range(args.kills):
                with warehouse(backend, folder) as url:
                    left, recovered = one_kill(url, start, rng.uniform(0, duration), folder)
                outcomes[left] += 1
                unrecoverable += not recovered
            state = "empty" if start is None else "0001"
            print(f"  {backend:<10} {state:<5} warehouse: init takes {duration:.2f} s; "
                  f"{args.kills} kills -> unrecoverable: {unrecoverable}")  # fmt: skip
            for left, count in sorted(outcomes.items()):
                print(f"      {count:>3}  {left}")


if __name__ == "__main__":
    main()
