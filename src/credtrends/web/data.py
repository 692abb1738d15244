"""The dashboard's access to the warehouse: the query layer behind a shared cache.

Callbacks receive a ``DashboardData`` and call its methods; they never see SQL. Results are
memoised (flask-caching: per-process by default, Redis when configured) and keyed by the
warehouse URL, so two apps on different warehouses never share entries. A cache that fails
(Redis down) is bypassed, not fatal: see ``credtrends.web.cache``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import astuple
from typing import Any, TypeVar

import polars as pl
import sqlalchemy as sa
from flask_caching import Cache

from credtrends.config import Settings
from credtrends.granularity import Granularity
from credtrends.transforms.demand_supply import ScoreWeights, score_opportunities
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

    def topics(self) -> pl.DataFrame:
        return self._cached("topics", lambda: queries.list_topics(self._engine))

    def regions(self) -> pl.DataFrame:
        return self._cached("regions", lambda: queries.list_regions(self._engine))

    def status(self) -> queries.WarehouseStatus:
        return self._cached("status", lambda: queries.warehouse_status(self._engine))

    def source_freshness(self) -> pl.DataFrame:
        """Rows and last fetch per fact table and source, as the last derive stored them;
        a warehouse not derived yet (just upgraded) is counted live, once per cache life."""

        def read() -> pl.DataFrame:
            stored = queries.source_freshness(self._engine)
            return stored if stored.height else self.status().sources

        return self._cached("freshness", read)

    def recent_runs(self, limit: int = 10) -> pl.DataFrame:
        return self._cached(f"runs:{limit}", lambda: queries.job_history(self._engine, limit))

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

    # --- the derived layer: written by the ``derive`` step, only read here -------------

    def topic_growth(self, region_code: str) -> pl.DataFrame:
        """Every topic's growth in one region (one row per source), highest level first:
        the one growth figure of every page."""
        return self._cached(
            f"growth:{region_code}", lambda: queries.topic_growth(self._engine, region_code)
        )

    def topic_growth_by_region(self, topic_id: str) -> pl.DataFrame:
        """One topic's growth in every region: the same figures, read by topic."""
        return self._cached(
            f"growth-regions:{topic_id}",
            lambda: queries.topic_growth_by_region(self._engine, topic_id),
        )

    def emerging_topics(self, region_code: str) -> pl.DataFrame:
        return self._cached(
            f"emerging:{region_code}", lambda: queries.emerging_topics(self._engine, region_code)
        )

    def opportunity_scores(
        self, region_code: str, weights: ScoreWeights | None = None
    ) -> pl.DataFrame:
        """The stored scores (default weights) or, for a planner's own weights, the stored
        ranks re-scored with them (memoised: the interval simulates 1,000 draws)."""
        weights = weights or ScoreWeights()
        stored = self._cached(
            f"opportunity:{region_code}",
            lambda: queries.opportunity_scores(self._engine, region_code),
        )
        if weights == ScoreWeights():
            return stored.sort("score", descending=True, nulls_last=True)
        return self._cached(
            f"opportunity:{region_code}:{astuple(weights)}",
            lambda: score_opportunities(stored.sort("topic_id"), weights),
        )
