"""Load test: gunicorn (several workers) + PostgreSQL + Redis versus one `credtrends serve`.

Builds a fresh PostgreSQL database with the (synthetic) demo set, starts each server in
turn on the port its flag names, drives it from a second process (load_driver.py, whose
callbacks come from the running app's own callback list) with the same mix and duration,
and prints requests/s, p50/p95/p99 latency and errors side by side, with ratios against
the single-process server measured in the same run. Exits 1 when any request failed.

    python benchmarks/load_test.py --seconds 60 --concurrency 20 \
        --single-port 18061 --gunicorn-port 18062
"""

from __future__ import annotations

import argparse
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
REDIS_URL = os.environ.get("CREDTRENDS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent


def check_free(port: int, flag: str) -> None:
    """Refuse a busy port by name, instead of measuring whatever already listens there."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SystemExit(f"{flag} {port}: the port is in use ({exc.strerror})") from None


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def drive(port: int, seconds: float, concurrency: int) -> dict[str, float]:
    # Warm up (first requests build caches), then measure.
    warm = [sys.executable, str(REPO / "benchmarks" / "load_driver.py"), f"http://127.0.0.1:{port}"]
    subprocess.run([*warm, "--seconds", "3", "--concurrency", "2"], check=True, capture_output=True)
    result = subprocess.run(
        [*warm, "--seconds", str(seconds), "--concurrency", str(concurrency)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(result.stdout))


def serve(
    command: list[str], env: dict[str, str], port: int, seconds: float, concurrency: int
) -> dict[str, float]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port)
        return drive(port, seconds, concurrency)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="per server (default 60)")
    parser.add_argument("--concurrency", type=int, default=20, help="clients (default 20)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--single-port", type=int, default=18061, help="`credtrends serve`")
    parser.add_argument("--gunicorn-port", type=int, default=18062, help="gunicorn")
    args = parser.parse_args()
    check_free(args.single_port, "--single-port")
    check_free(args.gunicorn_port, "--gunicorn-port")
    seconds, concurrency, workers = args.seconds, args.concurrency, args.workers
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
        port = args.single_port
        single = serve([str(BIN / "credtrends"), "serve", "--port", str(port)],
                       {**base_env, "CREDTRENDS_CACHE_TYPE": "simple"}, port,
                       seconds, concurrency)  # fmt: skip
        port = args.gunicorn_port
        production = serve(
            [str(BIN / "gunicorn"), "credtrends.web.wsgi:server", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}"],
            {**base_env, "CREDTRENDS_CACHE_TYPE": "redis", "CREDTRENDS_CACHE_REDIS_URL": REDIS_URL,
             "CREDTRENDS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}, port,
            seconds, concurrency,
        )  # fmt: skip
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        _drop_cache_keys(url)
    mix = "25% page loads, 5% page switches, 70% callbacks from /_dash-dependencies"
    print(f"{seconds:g} s per server, {concurrency} concurrent clients, {mix}")
    print(f"{'server':<44} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'error %':>8}")  # fmt: skip
    rows = [("credtrends serve (1 process, simple cache)", single),
            (f"gunicorn x{workers} + PostgreSQL + Redis cache", production)]  # fmt: skip
    for label, figures in rows:
        print(f"{label:<44} {int(figures['requests']):>9} {figures['rps']:>8.1f} "
              f"{figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['p99']:>8.1f} "
              f"{int(figures['errors']):>7} {100 * figures['error_rate']:>7.2f}%")  # fmt: skip
        if figures["errors"]:
            print(f"  error kinds: {figures['error_kinds']}")
    print(f"ratio gunicorn/single: throughput x{production['rps'] / single['rps']:.2f}, "
          f"p95 x{production['p95'] / single['p95']:.2f}")  # fmt: skip
    if single["errors"] or production["errors"]:
        sys.exit(1)


def _drop_cache_keys(warehouse_url: str) -> None:
    """The run's Redis entries (keyed by its throwaway warehouse URL) go with it."""
    import redis

    from credtrends.config import Settings
    from credtrends.web.data import cache_config

    prefix = cache_config(Settings(cache_type="redis"), warehouse_url)["CACHE_KEY_PREFIX"]
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    keys = client.keys(prefix + "*")
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    main()
