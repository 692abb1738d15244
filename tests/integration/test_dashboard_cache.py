"""The dashboard's query layer behind the cache: simple cache and a real Redis."""

from __future__ import annotations

import uuid
from typing import Literal

import pytest
import redis
import sqlalchemy as sa

from credtrends.config import Settings
from credtrends.web.app import create_app
from credtrends.web.data import DashboardData, cache_config
from tests.helpers import unavailable


def _redis_client() -> redis.Redis:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    return client


@pytest.mark.parametrize("cache_type", ["simple", "redis"])
def test_queries_are_cached_and_keyed_by_warehouse(
    engine: sa.Engine, cache_type: Literal["simple", "redis"]
) -> None:
    from flask_caching import Cache

    settings = Settings(cache_type=cache_type)
    url = f"{engine.url}#{uuid.uuid4().hex}"  # a unique prefix per test run
    app = create_app(settings, engine)
    cache = Cache(app.server, config=cache_config(settings, url))
    data = DashboardData(engine, cache)
    if cache_type == "redis":
        client = _redis_client()
    first = data.topics()
    assert first["topic_id"].to_list() == ["data-science", "pmp", "smart-serve"]
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE topics SET name_en = 'changed' WHERE topic_id = 'pmp'"))
    assert data.topics().equals(first)  # served from the cache
    if cache_type == "redis":
        prefix = cache_config(settings, url)["CACHE_KEY_PREFIX"]
        keys = client.keys(prefix + "*")
        assert keys, "nothing was written to Redis"
        client.delete(*keys)


def test_interest_query_filters_topics_and_region(engine: sa.Engine) -> None:
    from datetime import date

    from credtrends.catalogue import load_catalogue
    from credtrends.demo.load import load_demo
    from credtrends.warehouse.queries import interest_over_time
    from tests.helpers import FIXTURES

    catalogue = load_catalogue(
        FIXTURES / "catalogue" / "topics.yaml", FIXTURES / "catalogue" / "regions.yaml"
    )
    load_demo(engine, catalogue, seed=1, end=date(2025, 12, 31))
    frame = interest_over_time(engine, ["pmp", "smart-serve", "nope"], "CA-QC")
    assert set(frame["topic_id"].unique().to_list()) == {"pmp"}  # Smart Serve is Ontario only
    assert frame["period_start"].is_sorted()
    assert frame["is_synthetic"].all()
    assert interest_over_time(engine, [], "CA").is_empty()
