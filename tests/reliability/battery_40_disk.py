"""A full disk and a read-only data dir: one-line errors, documented exit codes, the
warehouse unchanged, ``status`` still working.

Full disk: SQLite's data dir on a 1 MB tmpfs; PostgreSQL's tables in a tablespace on a
1 MB tmpfs (the server runs on this machine). Read-only: SQLite's data dir on a tmpfs
remounted read-only; for PostgreSQL the data dir (logs) on a read-only tmpfs and the
session read-only (``default_transaction_read_only``, as on a read-only replica). Needs
root for ``mount``; without it the case prints NOT RUN and why. After each failure the
warehouse's tables are hashed again (run records and the re-synced catalogue aside).

Run: ``PYTHONPATH=src python -m tests.reliability.battery_40_disk`` (as root).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from credtrends.warehouse.engine import create_warehouse_engine
from tests.reliability.store_common import (
    POSTGRES_URL,
    cli_env,
    content_hash,
    postgres_available,
    run_cli,
    scratch_folder,
    warehouse,
)

DEMO = ("demo", "--no-serve", "--end", "2025-06-01")
# Not hashed: run records (a failed run records itself) and the catalogue, which `demo`
# and `init` re-sync (with a timestamp) in their own committed step before loading.
SKIPPED = ("job_runs", "job_locks", "topics", "topic_occupations", "regions")


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True)  # fmt: skip
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def verdict(completed: subprocess.CompletedProcess[str]) -> str:
    errors = [line for line in completed.stderr.splitlines() if line.startswith("credtrends:")]
    shape = (
        "one line" if len(errors) == 1 and "Traceback" not in completed.stderr else "NOT one line"
    )
    first = errors[0] if errors else completed.stderr.strip().splitlines()[-1:]
    return f"exit {completed.returncode}, {shape}: {str(first)[:150]}"


def hashed(url: str) -> str:
    engine = create_warehouse_engine(url)
    try:
        return content_hash(engine, skip=SKIPPED)
    finally:
        engine.dispose()


def sqlite_full(root: Path) -> None:
    with tmpfs(root / "full", "1m") as disk:
        url = f"sqlite:///{disk / 'data' / 'credtrends.sqlite'}"
        env = cli_env(url, disk / "data")
        init = run_cli("init", env=env)
        assert init.returncode == 0, init.stderr
        before = hashed(url)
        demo = run_cli(*DEMO, env=env)
        status = run_cli("status", env=env)
        print(f"  sqlite     full disk: demo -> {verdict(demo)}")
        print(f"  sqlite     full disk: warehouse unchanged: {hashed(url) == before}; status -> "
              f"exit {status.returncode}")  # fmt: skip


def sqlite_read_only(root: Path) -> None:
    with tmpfs(root / "ro", "64m") as disk:
        url = f"sqlite:///{disk / 'data' / 'credtrends.sqlite'}"
        env = cli_env(url, disk / "data")
        ready = run_cli(*DEMO, env=env)
        assert ready.returncode == 0, ready.stderr
        before = hashed(url)
        read_only(disk)
        status = run_cli("status", env=env)
        warnings = status.stderr.count("cannot write the log file")
        print(f"  sqlite     read-only data dir: status -> exit {status.returncode}, "
              f"{len(status.stdout.splitlines())} lines out, log warnings {warnings}")  # fmt: skip
        for args in (DEMO, ("init",), ("forecast", "--jobs", "1")):
            print(
                f"  sqlite     read-only data dir: {args[0]} -> {verdict(run_cli(*args, env=env))}"
            )
        print(f"  sqlite     read-only data dir: warehouse unchanged: {hashed(url) == before}")


def postgres_full(root: Path) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"rel_full_{os.getpid()}"
    root.chmod(0o755)  # the server (user postgres) must reach the tablespace
    with tmpfs(root / "pgfull", "1m") as disk:
        os.chown(disk, *postgres_ids())
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE TABLESPACE {name} LOCATION '{disk}'"))
        try:
            with warehouse("postgresql", root) as base:
                url = sa.make_url(base)
                options = f"{url.query['options']} -cdefault_tablespace={name}"
                tiny = url.update_query_dict({"options": options}).render_as_string(False)
                env = cli_env(tiny, root / "pgdata")
                init = run_cli("init", env=env)
                assert init.returncode == 0, init.stderr
                before = hashed(tiny)
                df = ["df", "-k", "--output=used,size", str(disk)]
                usage = subprocess.run(df, capture_output=True, text=True).stdout.split()[-2:]
                print(f"  postgresql full disk: tablespace tmpfs after init: {'/'.join(usage)} KB")
                demo = run_cli(*DEMO, env=env)
                status = run_cli("status", env=env)
                print(f"  postgresql full disk (tablespace): demo -> {verdict(demo)}")
                print(f"  postgresql full disk: warehouse unchanged: {hashed(tiny) == before}; "
                      f"status -> exit {status.returncode}")  # fmt: skip
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f"DROP TABLESPACE IF EXISTS {name}"))
            admin.dispose()


def postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def postgres_read_only(root: Path) -> None:
    with warehouse("postgresql", root) as base, tmpfs(root / "pgro", "16m") as disk:
        env = cli_env(base, disk / "data")
        ready = run_cli(*DEMO, env=env)
        assert ready.returncode == 0, ready.stderr
        before = hashed(base)
        read_only(disk)
        url = sa.make_url(base)
        options = f"{url.query['options']} -cdefault_transaction_read_only=on"
        locked = url.update_query_dict({"options": options}).render_as_string(False)
        env = {**env, "CREDTRENDS_DATABASE_URL": locked}
        status = run_cli("status", env=env)
        warnings = status.stderr.count("cannot write the log")
        print(f"  postgresql read-only data dir + read-only session: status -> exit "
              f"{status.returncode}, log warnings {warnings}")  # fmt: skip
        for args in (DEMO, ("forecast", "--jobs", "1")):
            print(f"  postgresql read-only: {args[0]} -> {verdict(run_cli(*args, env=env))}")
        print(f"  postgresql read-only: warehouse unchanged: {hashed(base) == before}")


def main() -> None:
    print("full disk and read-only data dir (documented exit codes: 3 = warehouse)")
    if os.geteuid() != 0:
        print("  NOT RUN - needs root to mount a small or read-only tmpfs")
        return
    root = scratch_folder("disk")
    sqlite_full(root)
    sqlite_read_only(root)
    if why := postgres_available():
        print(f"  postgresql: NOT RUN - {why}")
        return
    postgres_full(root)
    postgres_read_only(root)


if __name__ == "__main__":
    main()
