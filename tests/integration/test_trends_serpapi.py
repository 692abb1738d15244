"""The SerpApi backend through the real ``fetch_trends`` path, on SQLite and PostgreSQL,
and the CLI's backend choice - with SerpApi answers in their documented shape, offline."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from credtrends.catalogue import Catalogue
from credtrends.errors import RateLimited
from credtrends.pipelines.trends import fetch_trends
from credtrends.sources.google_trends import IncompleteRunError, PacingPolicy, PoliteFetcher
from credtrends.sources.google_trends.serpapi_backend import RequestsTransport, SerpApiBackend
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.schema import raw_payloads, search_interest
from tests.helpers import run_cli
from tests.reliability.fakes import (
    WINDOW,
    Answer,
    Responder,
    ScriptedAdapter,
    scripted_session,
    serpapi_responder,
)

KEY = "integration-key-5f1e2d3c4b5a"


def serpapi_fetcher(responder: Responder) -> tuple[PoliteFetcher, ScriptedAdapter]:
    session, adapter = scripted_session(responder)
    backend = SerpApiBackend(SecretStr(KEY), transport=RequestsTransport(session))
    policy = PacingPolicy(min_interval_s=0, jitter_s=0, storm_threshold=2)
    fetcher = PoliteFetcher(backend, policy, sleep=lambda _: None, rng=random.Random(3))
    return fetcher, adapter


def test_serpapi_answers_land_and_calibrate_like_pytrends_ones(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    fetcher, _ = serpapi_fetcher(lambda m, u, p: serpapi_responder(p))
    report = fetch_trends(
        engine, test_catalogue, ["CA", "CA-ON"], WINDOW, "run-s", fetcher, 24.0, print
    )
    assert report.payloads >= 2 and report.calibrated_rows > 0
    with engine.connect() as connection:
        topics = set(connection.execute(sa.select(search_interest.c.topic_id)).scalars())
        backends = set(connection.execute(sa.select(raw_payloads.c.backend)).scalars())
        bodies = connection.execute(sa.select(raw_payloads.c.payload)).scalars().all()
    assert topics == {"pmp", "data-science", "smart-serve"}
    assert backends == {"serpapi"}
    assert all(KEY.encode() not in bytes(body) for body in bodies)


def test_a_payload_failure_names_the_request_and_is_not_a_rate_limit(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    def responder(method: str, url: str, params: dict[str, str]) -> Answer:
        if params.get("geo") == "CA-ON":
            return Answer(200, b'{"interest_over_time": {"timeline_data": "truncated"}}')
        return serpapi_responder(params)

    fetcher, _ = serpapi_fetcher(responder)
    with pytest.raises(IncompleteRunError) as caught:
        fetch_trends(engine, test_catalogue, ["CA", "CA-ON"], WINDOW, "run-f", fetcher, 24.0, print)
    assert not isinstance(caught.value, RateLimited)
    message = str(caught.value)
    assert "geo=CA-ON" in message and f"window={WINDOW!r}" in message and "payload" in message
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 0  # nothing calibrated on a partial set


def test_cli_serpapi_backend_without_a_key_is_one_line(cli_env: dict[str, str]) -> None:
    assert run_cli("init", env=cli_env).returncode == 0
    result = run_cli("ingest", "trends", "--backend", "serpapi", env=cli_env)
    assert result.returncode == 2
    assert "CREDTRENDS_SERPAPI_API_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    other = run_cli("ingest", "trends", "--backend", "bing", env=cli_env)
    assert other.returncode == 2 and "pytrends or serpapi" in other.stderr
