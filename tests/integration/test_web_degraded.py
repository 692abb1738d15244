"""The dashboard when its services fail: Redis down, the warehouse locked or unreachable."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
import sqlalchemy as sa
from flask_caching import Cache

from credtrends.catalogue import Catalogue
from credtrends.config import Settings
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import DatabaseTimeouts, create_warehouse_engine
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.web.app import create_app
from credtrends.web.cache import MISSING, ResilientCache
from credtrends.web.data import DashboardData, cache_config
from tests.helpers import FIXTURES, unavailable
from tests.reliability.malformed_requests import valid_body
from tests.reliability.web_services import RedisServer


class FlakyCache:
    """A cache whose backend is up or down at the test's command."""

    def __init__(self) -> None:
        self.up, self.calls = True, 0
        self.values: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        self.calls += 1
        if not self.up:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.values.get(key)

    def set(self, key: str, value: Any) -> None:
        self.calls += 1
        if not self.up:
            raise ConnectionError("Connection refused.")
        self.values[key] = value


def test_an_outage_is_logged_once_probed_sparingly_and_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    backend = FlakyCache()
    cache = ResilientCache(backend, retry_seconds=5.0, clock=lambda: now[0])  # type: ignore[arg-type]  # a Cache stand-in: get/set only
    cache.set("a", 1)
    assert cache.get("a") == 1
    backend.up = False
    with caplog.at_level(logging.WARNING, logger="credtrends.web.cache"):
        for step in range(100):  # 100 requests over 10 s
            now[0] = step * 0.1
            assert cache.get("a") is MISSING
            cache.set("a", 2)
        outage = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(outage) == 1
        assert backend.calls <= 2 + 1 + 3  # up: 2; the failing call; one probe per 5 s
        backend.up = True
        now[0] = 20.0
        assert cache.get("a") == 1  # the probe succeeds: cached values again
        assert cache.available
        cache.set("b", 3)
        assert cache.get("b") == 3
    back = [r for r in caplog.records if "cache is back" in r.getMessage()]
    assert len(back) == 1


def test_dashboard_reads_the_warehouse_while_redis_is_down_and_caches_when_back(
    engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    import redis

    try:
        server = RedisServer()
    except FileNotFoundError as exc:
        unavailable(str(exc))
    with server:
        settings = Settings(cache_type="redis", cache_redis_url=server.url)
        app = flask.Flask(__name__)
        cache = ResilientCache(
            Cache(app, config=cache_config(settings, str(engine.url))), retry_seconds=0.2
        )
        data = DashboardData(engine, cache)
        client = redis.Redis.from_url(server.url)
        first = data.topics()
        assert client.keys("*"), "nothing cached while Redis was up"
        server.stop()
        with caplog.at_level(logging.WARNING, logger="credtrends.web.cache"):
            started = time.perf_counter()
            for _ in range(50):
                assert data.topics().equals(first)
            assert time.perf_counter() - started < 10
            assert not cache.available
            server.start()  # same port, empty
            time.sleep(0.3)
            assert data.topics().equals(first)
            assert cache.available
            assert client.keys("*"), "caching did not resume"
        messages = [r.getMessage() for r in caplog.records]
        assert sum("unavailable" in m for m in messages) == 1
        assert sum("cache is back" in m for m in messages) == 1


def _settings(work: Path, url: str, **extra: Any) -> Settings:
    config = work / "config"
    config.mkdir(exist_ok=True)
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    return Settings(
        config_dir=config,
        data_dir=work / "data",
        dashboards_dir=FIXTURES / "dashboards",
        database_url=url,
        cache_type="null",  # every request reaches the warehouse
        **extra,
    )


def _interest_body(client: flask.testing.FlaskClient) -> dict[str, Any]:
    dependencies = client.get("/_dash-dependencies").get_json()
    spec = next(s for s in dependencies if "interest-main-graph.figure" in s["output"])
    return valid_body(spec)


def _assert_503(response: Any, started: float, within: float) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    assert time.perf_counter() - started < within
    assert b"Traceback" not in response.data


@pytest.fixture
def migrated(warehouse_url: str, test_catalogue: Catalogue) -> str:
    engine = create_warehouse_engine(warehouse_url)
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, test_catalogue)
    engine.dispose()
    return warehouse_url


@pytest.fixture
def locked_dashboard(
    migrated: str, tmp_path: Path
) -> Iterator[tuple[flask.testing.FlaskClient, Any, Any]]:
    """The dashboard with a short lock wait, a way to lock its tables, and to unlock."""
    if migrated.startswith("sqlite"):
        # The lock wait is the engine's business (warehouse/engine.py); here a short one
        # (the file is in WAL mode already), so the test takes a second, not 30.
        engine = sa.create_engine(migrated, connect_args={"timeout": 0.3})

        holder = sqlite3.connect(migrated.removeprefix("sqlite:///"), isolation_level=None)

        def lock() -> None:
            # An exclusive WAL lock: no other connection may even read. It can only be
            # taken while no other connection is open, so the pool lets go of its own.
            engine.dispose()
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("UPDATE topics SET name_en = name_en")

        def unlock() -> None:
            holder.execute("COMMIT")
            holder.close()  # an exclusive WAL lock lasts as long as its connection

    else:
        url = sa.make_url(migrated)
        # the engine sets its session timeouts on connect (warehouse/engine.py): short ones
        engine = create_warehouse_engine(
            migrated, DatabaseTimeouts(statement_seconds=0.5, lock_seconds=0.5)
        )
        admin = sa.create_engine(url).connect()

        def lock() -> None:
            admin.execute(sa.text("LOCK TABLE topics IN ACCESS EXCLUSIVE MODE"))

        def unlock() -> None:
            admin.commit()

    app = create_app(_settings(tmp_path, migrated), engine)
    app.server.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    try:
        yield client, lock, unlock
    finally:
        engine.dispose()
        if migrated.startswith("sqlite"):
            holder.close()
        else:
            admin.close()


def test_a_locked_warehouse_answers_503_within_the_timeout_and_recovers_at_once(
    locked_dashboard: tuple[flask.testing.FlaskClient, Any, Any],
) -> None:
    client, lock, unlock = locked_dashboard
    body = _interest_body(client)
    assert client.post("/_dash-update-component", json=body).status_code == 200
    lock()
    try:
        started = time.perf_counter()
        _assert_503(client.post("/_dash-update-component", json=body), started, 5)
        started = time.perf_counter()
        page = client.get("/download/interest/main/csv?topic=pmp", headers={"Accept": "*/*"})
        _assert_503(page, started, 5)
        started = time.perf_counter()
        embed = client.get("/embed/interest/main?topic=pmp", headers={"Accept": "text/html"})
        _assert_503(embed, started, 5)
        assert embed.headers["Content-Type"].startswith("text/html")
    finally:
        unlock()
    assert client.post("/_dash-update-component", json=body).status_code == 200


def test_an_unreachable_warehouse_answers_503(tmp_path: Path) -> None:
    with socket_closed_port() as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/none?connect_timeout=2"
        app = create_app(_settings(tmp_path, url), create_warehouse_engine(url))
        app.server.config["PROPAGATE_EXCEPTIONS"] = False
        client = app.server.test_client()
        assert client.get("/").status_code == 200  # the page shell needs no warehouse
        started = time.perf_counter()
        _assert_503(
            client.post("/_dash-update-component", json=_interest_body(client)), started, 10
        )


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A loopback port nothing listens on (bound, never listening, for the test's life)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *_: object) -> None:
        self.sock.close()
