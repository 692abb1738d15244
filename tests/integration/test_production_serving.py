"""The production set-up: gunicorn with several workers on PostgreSQL, cache in Redis."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, free_port, unavailable

INTEREST_VALUES: dict[str, object] = {
    "interest-compare": "topics",
    "interest-topics": ["pmp", "data-science"],
    "interest-region": "CA-ON",
    "interest-regions": [],
    "interest-granularity": "week",
    "interest-period": "5y",
    "interest-show": ["forecast"],
    "interest-lang": "en",
}
GRAPH = "interest-main-graph"


def interest_callback(base: str, values: dict[str, object]) -> dict[str, object]:
    """The interest chart's callback body, built from the server's own dependency list."""
    with urllib.request.urlopen(base + "/_dash-dependencies", timeout=30) as response:
        callbacks = json.loads(response.read())
    callback = next(c for c in callbacks if f"{GRAPH}.figure" in c["output"])
    outputs = [
        dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
        for part in callback["output"].strip(".").split("...")
    ]

    def with_values(items: list[dict[str, str]]) -> list[dict[str, object]]:
        return [{**item, "value": values.get(item["id"])} for item in items]

    return {
        "output": callback["output"],
        "outputs": outputs,
        "inputs": with_values(callback["inputs"]),
        "state": with_values(callback["state"]),
        "changedPropIds": ["interest-topics.value"],
    }


def post_callback(base: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    request = urllib.request.Request(
        base + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


@pytest.fixture
def gunicorn_server(postgres_warehouse_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    import redis

    warehouse_url = postgres_warehouse_url

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    config = tmp_path / "config"
    config.mkdir()
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    port = free_port()
    env = {
        **os.environ,
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(tmp_path / "data"),
        "CREDTRENDS_DATABASE_URL": warehouse_url,
        "CREDTRENDS_CACHE_TYPE": "redis",
        "CREDTRENDS_DASHBOARDS_DIR": str(FIXTURES / "dashboards"),
        "CREDTRENDS_LOG_LEVEL": "WARNING",
    }
    demo = [sys.executable, "-m", "credtrends", "demo", "--no-serve", "--end", "2025-06-01"]
    subprocess.run(demo, env=env, check=True, capture_output=True, timeout=120)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "credtrends.web.wsgi:server",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", warehouse_url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        print((tmp_path / "gunicorn.log").read_text()[-3000:])  # shown when a test fails


def test_gunicorn_workers_serve_pages_and_callbacks_with_a_redis_cache(
    gunicorn_server: tuple[str, str],
) -> None:
    import redis

    from credtrends.config import Settings
    from credtrends.web.data import cache_config

    base, warehouse_url = gunicorn_server
    for path in ("/", "/interest?topic=pmp", "/data", "/_dash-layout", "/_dash-dependencies"):
        with urllib.request.urlopen(base + path, timeout=30) as response:
            assert response.status == 200, path
    for _ in range(4):  # several requests land on both workers
        status, body = post_callback(base, interest_callback(base, INTEREST_VALUES))
        assert status == 200 and body is not None
        figure = body["response"][GRAPH]["figure"]
        assert sum(len(trace["y"]) for trace in figure["data"]) > 100
        assert body["response"]["interest-synthetic-banner"]["hidden"] is False
    prefix = cache_config(Settings(cache_type="redis"), warehouse_url)["CACHE_KEY_PREFIX"]
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = client.keys(prefix + "*")
    assert keys, "the workers did not use the Redis cache"
    client.delete(*keys)


def test_callbacks_refuse_values_no_page_offers(gunicorn_server: tuple[str, str]) -> None:
    """A value no page offers falls back to the page default; it never reaches a query."""
    base, _ = gunicorn_server
    hostile = {**INTEREST_VALUES, "interest-region": "'; DROP TABLE topics; --"}
    status, body = post_callback(base, interest_callback(base, hostile))
    assert status == 200 and body is not None
    assert "DROP TABLE" not in json.dumps(body)
    assert "Canada" in body["response"][GRAPH]["figure"]["layout"]["title"]["text"]
    hostile = {**INTEREST_VALUES, "interest-topics": ["pmp", {"$ne": 1}, "x" * 10_000]}
    status, body = post_callback(base, interest_callback(base, hostile))
    assert status == 200 and body is not None
    figure = body["response"][GRAPH]["figure"]
    assert figure["data"] and all(trace["name"].startswith("PMP") for trace in figure["data"])
