"""`ingest trends` end to end against a simulator of Google (SYNTHETIC answers), on SQLite
and PostgreSQL: the real pytrends backend, parser, landing, planning rounds and
calibration; every topic calibrated on the first run, a stopped run resumed exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.errors import RateLimited
from credtrends.pipelines.trends import fetch_trends, topic_queries
from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher
from credtrends.sources.google_trends.client import Transport
from credtrends.sources.google_trends.pytrends_backend import HttpResponse, PytrendsBackend
from credtrends.testing.trends_simulator import Encoding, SimulatedGoogle, log_uniform_truth
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import raw_payloads, search_interest, search_interest_batches

WINDOW = "2021-01-03 2025-12-28"


@pytest.fixture
def big_engine(empty_engine: sa.Engine, real_catalogue: Catalogue) -> sa.Engine:
    """A warehouse holding the real 30-topic catalogue."""
    upgrade_warehouse(empty_engine)
    with empty_engine.begin() as connection:
        sync_catalogue(connection, real_catalogue)
    return empty_engine


def simulated(catalogue: Catalogue, encoding: Encoding = "has_data") -> SimulatedGoogle:
    """Topic queries with volumes over 4 decades, answered as Google would."""
    levels = log_uniform_truth(len(catalogue.topics), 260, 4.0, seed=7)
    queries = list(topic_queries(catalogue).values())
    truth = dict(zip(queries, levels.values(), strict=True))
    return SimulatedGoogle(truth, encoding=encoding)


@dataclass
class Cutoff:
    """Google that starts answering 429 after ``ok`` explore calls."""

    sim: SimulatedGoogle
    ok: int
    explores: int = 0

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        if url.endswith("/explore"):
            self.explores += 1
            if self.explores > self.ok:
                return HttpResponse(429, b"Too Many Requests")
        return self.sim(method, url, params)


def fetcher(transport: Transport) -> PoliteFetcher:
    backend = PytrendsBackend(transport=transport)
    policy = PacingPolicy(storm_threshold=1, max_attempts=1)
    return PoliteFetcher(backend, policy, sleep=lambda _: None)


def calibrated(engine: sa.Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                search_interest.c.topic_id, search_interest.c.period_start,
                search_interest.c.calibrated_value, search_interest.c.calibrated_low,
                search_interest.c.calibrated_high,
            ).order_by(search_interest.c.topic_id, search_interest.c.period_start)
        ).all()  # fmt: skip
    return pl.DataFrame(
        [tuple(r) for r in rows], orient="row",
        schema=["topic_id", "period_start", "value", "low", "high"],
    )  # fmt: skip


def test_every_topic_is_calibrated_on_the_first_run(
    big_engine: sa.Engine, real_catalogue: Catalogue
) -> None:
    sim = simulated(real_catalogue)
    report = fetch_trends(
        big_engine, real_catalogue, ["CA"], WINDOW, "run-1", fetcher(sim), 24.0, lambda _: None
    )
    (plan,) = report.plans
    assert plan["requests"] == sim.requests <= 2 * len(real_catalogue.topics)
    assert [round_["stage"] for round_ in plan["rounds"]][:2] == ["probe", "chain"]
    frame = calibrated(big_engine)
    assert set(frame["topic_id"]) == {t.id for t in real_catalogue.topics}
    queries = topic_queries(real_catalogue)
    reference = max(queries, key=lambda t: float(np.max(sim.truth[queries[t]])))
    top = float(np.max(sim.truth[queries[reference]]))
    errors, inside = [], []
    for topic_id, query in queries.items():
        series = frame.filter(pl.col("topic_id") == topic_id).sort("period_start")
        truth = 100.0 * np.asarray(sim.truth[query]) / top
        errors.append(np.abs(series["value"].to_numpy() / truth - 1))
        inside.append((series["low"].to_numpy() <= truth) & (truth <= series["high"].to_numpy()))
    assert np.median(np.concatenate(errors)) < 0.01
    assert np.quantile(np.concatenate(errors), 0.95) < 0.03
    assert np.concatenate(inside).mean() > 0.9


def test_a_stopped_run_resumes_with_only_the_missing_requests_and_the_same_result(
    big_engine: sa.Engine, real_catalogue: Catalogue
) -> None:
    sim = simulated(real_catalogue, encoding="formatted")
    stopping = Cutoff(sim, ok=13)  # stops inside the chain round
    with pytest.raises(RateLimited, match="left for the next run"):
        fetch_trends(
            big_engine, real_catalogue, ["CA"], WINDOW, "run-a", fetcher(stopping), 24.0,
            lambda _: None,
        )  # fmt: skip
    with big_engine.connect() as connection:
        landed = connection.execute(sa.select(sa.func.count()).select_from(raw_payloads)).scalar()
        loaded = connection.execute(sa.select(sa.func.count()).select_from(search_interest))
        assert loaded.scalar() == 0
    assert landed == 13
    calm = SimulatedGoogle(sim.truth, encoding="formatted")
    report = fetch_trends(
        big_engine, real_catalogue, ["CA"], WINDOW, "run-b", fetcher(calm), 24.0, lambda _: None
    )
    (plan,) = report.plans
    assert calm.requests == plan["requests"] - 13  # only what was missing was fetched
    resumed = calibrated(big_engine)
    # the same plan and numbers as one uninterrupted run in a fresh warehouse
    fresh = SimulatedGoogle(sim.truth, encoding="formatted")
    with big_engine.begin() as connection:
        for table in (search_interest, raw_payloads):
            connection.execute(sa.delete(table))
        connection.execute(sa.delete(search_interest_batches))
    again = fetch_trends(
        big_engine, real_catalogue, ["CA"], WINDOW, "run-c", fetcher(fresh), 24.0, lambda _: None
    )
    assert again.plans[0]["batches"] == plan["batches"]
    assert np.allclose(calibrated(big_engine)["value"].to_numpy(), resumed["value"].to_numpy())
