"""Services the web battery and tests start for themselves, on loopback ports of their own.

A private ``redis-server`` (stopping it never touches the shared Redis on 6379), a fresh
PostgreSQL database holding the synthetic demo set, and gunicorn serving it. Everything
is stopped by the process id it was started with.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from tests.helpers import FIXTURES, POSTGRES_URL, REPO
from tests.helpers import free_port as free_port  # the web batteries import it from here

ADMIN_URL = POSTGRES_URL
BIN = Path(sys.executable).parent


def wait_for_port(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class RedisServer:
    """``redis-server`` on its own port, without persistence; stop() and start() again."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def demo_env(database_url: str, work: Path) -> dict[str, str]:
    """Environment for the CLI and gunicorn: the small test catalogue on ``database_url``."""
    config = work / "config"
    config.mkdir(parents=True, exist_ok=True)
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    return {
        **os.environ,
        "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO),
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(work / "data"),
        "CREDTRENDS_DATABASE_URL": database_url,
        "CREDTRENDS_DASHBOARDS_DIR": str(FIXTURES / "dashboards"),
        "CREDTRENDS_LOG_LEVEL": "WARNING",
    }


@contextmanager
def demo_postgres(options: str = "") -> Iterator[tuple[str, Path]]:
    """A fresh PostgreSQL database with the demo set (CLI ``demo``); its URL and a work dir.

    ``options`` are libpq ``-c`` settings for every connection the dashboard opens, e.g.
    ``-c statement_timeout=3000``.
    """
    name = f"credtrends_web_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(ADMIN_URL).set(database=name)
    work = Path(tempfile.mkdtemp(prefix=name))
    try:
        env = demo_env(url.render_as_string(hide_password=False), work)
        demo = [sys.executable, "-m", "credtrends", "demo", "--no-serve", "--end", "2025-06-01"]
        subprocess.run(demo, env=env, check=True, capture_output=True, timeout=300)
        if options:
            url = url.update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False), work
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    workers: int = 3,
    log: Path | None = None,
    timeout: int = 30,
    threads: int = 1,
) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn serving the dashboard on 127.0.0.1:``port``; its log in ``log``."""
    out: IO[bytes] | int = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "credtrends.web.wsgi:server", "--workers", str(workers),
         "--threads", str(threads), "--timeout", str(timeout), "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not isinstance(out, int):
            out.close()


def tracebacks(log_text: str, limit: int = 2) -> list[str]:
    """The last lines of the first ``limit`` tracebacks in a server log, to print."""
    found = []
    for chunk in log_text.split("Traceback (most recent call last):")[1 : limit + 1]:
        lines = [line for line in chunk.splitlines() if line.strip()]
        found.append(" | ".join(line.strip() for line in lines[-4:]))
    return found
