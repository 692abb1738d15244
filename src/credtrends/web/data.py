"""The dashboard's access to the warehouse: the query layer behind a shared cache.

Callbacks receive a ``DashboardData`` and call its methods; they never see SQL. Results are
memoised (flask-caching: per-process by default, Redis when configured) and keyed by the
warehouse URL, so two apps on different warehouses never share entries. A cache that fails
(Redis down) is bypassed, not fatal: see ``credtrends.web.cache``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import polars as pl
import sqlalchemy as sa
from flask_caching import Cache

from credtrends.config import Settings
from credtrends.granularity import Granularity
from credtrends.warehouse import queries
from credtrends.web.cache import MISSING, ResilientCache

T = TypeVar("T")
# A Redis that does not answer must cost a request little: short socket timeouts and no
# retries (redis-py retries 3 times with backoff by default); ResilientCache then skips it.
REDIS_SOCKET_TIMEOUT_SECONDS = 0.5


def cache_config(settings: Settings, warehouse_url: str) -> dict[str, Any]:
    prefix = "credtrends:" + hashlib.sha256(warehouse_url.encode()).hexdigest()[:12] + ":"
    config: dict[str, Any] = {
        "CACHE_TYPE": {"simple": "SimpleCache", "redis": "RedisCache", "null": "NullCache"}[
            settings.cache_type
        ],
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_seconds,
        "CACHE_KEY_PREFIX": prefix,
    }
    if settings.cache_type == "redis":
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        config["CACHE_REDIS_URL"] = settings.cache_redis_url
        config["CACHE_OPTIONS"] = {
            "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 0),
        }
    return config


class DashboardData:
    """Cached read access for pages. Arguments must be hashable (tuples, not lists)."""

    def __init__(self, engine: sa.Engine, cache: Cache | ResilientCache) -> None:
        self._engine = engine
        self.cache = cache if isinstance(cache, ResilientCache) else ResilientCache(cache)

    def _cached(self, name: str, compute: Callable[[], T]) -> T:
        value = self.cache.get(name)
        if value is MISSING:
            value = compute()
            self.cache.set(name, value)
        return value  # type: ignore[no-any-return]

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """A result computed from cached queries (momentum, emerging rankings), cached the
        same way: ranking 1,000 topics costs seconds, far more than reading them."""
        return self._cached("derived:" + name, compute)

    def topics(self) -> pl.DataFrame:
        return self._cached("topics", lambda: queries.list_topics(self._engine))

    def regions(self) -> pl.DataFrame:
        return self._cached("regions", lambda: queries.list_regions(self._engine))

    def status(self) -> queries.WarehouseStatus:
        return self._cached("status", lambda: queries.warehouse_status(self._engine))

    def interest_over_time(
        self, topic_ids: Sequence[str], region_code: str, granularity: Granularity = "week"
    ) -> pl.DataFrame:
        key_topics = tuple(sorted(topic_ids))
        key = (
            "interest:"
            + hashlib.sha256(repr((key_topics, region_code, granularity)).encode()).hexdigest()
        )
        return self._cached(
            key,
            lambda: queries.interest_over_time(self._engine, key_topics, region_code, granularity),
        )

    def topic_interest_by_region(
        self, topic_id: str, granularity: Granularity = "week"
    ) -> pl.DataFrame:
        return self._cached(
            f"topic-regions:{granularity}:{topic_id}",
            lambda: queries.topic_interest_by_region(self._engine, topic_id, granularity),
        )

    def topic_region_levels(self, topic_id: str) -> pl.DataFrame:
        """The topic's newest province map: levels comparable across provinces."""
        return self._cached(
            f"region-levels:{topic_id}", lambda: queries.region_levels(self._engine, topic_id)
        )

    def latest_forecasts(self, topic_ids: Sequence[str], region_code: str) -> pl.DataFrame:
        key_topics = tuple(sorted(topic_ids))
        key = "forecast:" + hashlib.sha256(repr((key_topics, region_code)).encode()).hexdigest()
        return self._cached(
            key, lambda: queries.latest_forecasts(self._engine, key_topics, region_code)
        )

    def forecast_accuracy(self, topic_ids: Sequence[str], region_code: str) -> pl.DataFrame:
        key_topics = tuple(sorted(topic_ids))
        key = "accuracy:" + hashlib.sha256(repr((key_topics, region_code)).encode()).hexdigest()
        return self._cached(
            key, lambda: queries.forecast_accuracy(self._engine, key_topics, region_code)
        )

    def linked_occupations(self, topic_id: str) -> pl.DataFrame:
        return self._cached(
            f"occupations:{topic_id}", lambda: queries.linked_occupations(self._engine, topic_id)
        )

    def labour_observations(self, noc_codes: Sequence[str], region_code: str) -> pl.DataFrame:
        codes = tuple(sorted(noc_codes))
        return self._cached(
            f"labour:{region_code}:{','.join(codes)}",
            lambda: queries.labour_observations(self._engine, codes, region_code),
        )

    def portal_counts(self, topic_id: str, region_code: str) -> pl.DataFrame:
        return self._cached(
            f"portal:{region_code}:{topic_id}",
            lambda: queries.portal_counts(self._engine, topic_id, region_code),
        )

    def topic_occupation_links(self) -> pl.DataFrame:
        return self._cached("links", lambda: queries.topic_occupation_links(self._engine))

    def portal_counts_in_region(self, region_code: str) -> pl.DataFrame:
        return self._cached(
            f"portal-region:{region_code}",
            lambda: queries.portal_counts_in_region(self._engine, region_code),
        )

    def related_queries(self, topic_id: str, region_code: str) -> pl.DataFrame:
        return self._cached(
            f"related:{region_code}:{topic_id}",
            lambda: queries.related_queries(self._engine, topic_id, region_code),
        )
