"""Load test: gunicorn (several workers) + PostgreSQL + Redis versus one `credtrends serve`.

Builds a fresh PostgreSQL database with the (synthetic) demo set, starts each server in
turn, drives it from a second process (load_driver.py) with the same mix and duration,
and prints requests/s, p50/p95/p99 latency and errors side by side, with ratios against
the single-process server measured in the same run.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get(
    "CREDTRENDS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECONDS = float(os.environ.get("CREDTRENDS_BENCH_SECONDS", "20"))
CONCURRENCY = int(os.environ.get("CREDTRENDS_BENCH_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("CREDTRENDS_BENCH_WORKERS", "3"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def drive(port: int) -> dict[str, float]:
    # Warm up (first requests build caches), then measure.
    warm = [sys.executable, str(REPO / "benchmarks" / "load_driver.py"), f"http://127.0.0.1:{port}"]
    subprocess.run([*warm, "--seconds", "3", "--concurrency", "2"], check=True, capture_output=True)
    result = subprocess.run(
        [*warm, "--seconds", str(SECONDS), "--concurrency", str(CONCURRENCY)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(result.stdout))


def serve(command: list[str], env: dict[str, str], port: int) -> dict[str, float]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port)
        return drive(port)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    name = f"credtrends_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    base_env = {**os.environ, "CREDTRENDS_CONFIG_DIR": str(REPO / "config"),
                "CREDTRENDS_DATABASE_URL": url, "CREDTRENDS_LOG_LEVEL": "WARNING",
                "CREDTRENDS_DATA_DIR": tempfile.mkdtemp(prefix=name)}  # fmt: skip
    try:
        started = time.perf_counter()
        subprocess.run([str(BIN / "credtrends"), "demo", "--no-serve"], env=base_env, check=True,
                       capture_output=True)  # fmt: skip
        print(
            f"demo warehouse on PostgreSQL ({name}) loaded in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        single = serve([str(BIN / "credtrends"), "serve", "--port", str(port)],
                       {**base_env, "CREDTRENDS_CACHE_TYPE": "simple"}, port)  # fmt: skip
        port = free_port()
        production = serve(
            [str(BIN / "gunicorn"), "credtrends.web.wsgi:server", "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{port}"],
            {**base_env, "CREDTRENDS_CACHE_TYPE": "redis"}, port,
        )  # fmt: skip
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    mix = "30% page loads / 70% callbacks"
    print(f"{SECONDS:g} s per server, {CONCURRENCY} concurrent clients, {mix}")
    print(f"{'server':<44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    rows = [("credtrends serve (1 process, simple cache)", single),
            (f"gunicorn x{WORKERS} + PostgreSQL + Redis cache", production)]  # fmt: skip
    for label, figures in rows:
        print(f"{label:<44} {figures['rps']:>8.1f} {figures['p50']:>8.1f} {figures['p95']:>8.1f} "
              f"{figures['p99']:>8.1f} {int(figures['errors']):>7}")  # fmt: skip
    print(f"ratio gunicorn/single: throughput x{production['rps'] / single['rps']:.2f}, "
          f"p95 x{production['p95'] / single['p95']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
