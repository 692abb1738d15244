"""Polite fetching: pacing, backoff, storm stop, and resumable runs - with a fake clock."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.google_trends import (
    PacingPolicy,
    PoliteFetcher,
    RawPayload,
    ServerError,
    TrendsRequest,
    make_request,
    parse_payload,
    remaining_requests,
    run_batches,
)
from credtrends.sources.google_trends.client import CONTENT_TYPE_WIDGET_BUNDLE
from credtrends.sources.google_trends.pacing import RateLimitStormError


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedBackend:
    """Answers from a script: a list of outcomes per request, or a default."""

    name = "fake"

    def __init__(self, script: dict[str, list[str]] | None = None, default: str = "ok") -> None:
        self.script = script or {}
        self.default = default
        self.calls: list[str] = []

    def fetch(self, request: TrendsRequest) -> RawPayload:
        self.calls.append(request.terms[0])
        queue = self.script.get(request.terms[0], [])
        outcome = queue.pop(0) if queue else self.default
        if outcome == "429":
            raise RateLimited("Google Trends answered HTTP 429")
        if outcome == "500":
            raise ServerError("Google Trends answered HTTP 500")
        if outcome == "400":
            raise SourceError("Google Trends answered HTTP 400")
        body = b"garbage<html>" if outcome == "garbage" else b"{}"
        return RawPayload(
            request=request, body=body, content_type=CONTENT_TYPE_WIDGET_BUNDLE, backend="fake"
        )


def requests(n: int) -> list[TrendsRequest]:
    return [make_request(operation="interest_over_time", terms=[f"term {i}"]) for i in range(n)]


TEST_POLICY = PacingPolicy(
    min_interval_s=10.0,
    jitter_s=2.0,
    max_attempts=4,
    backoff_initial_s=30.0,
    backoff_max_s=120.0,
    backoff_jitter_s=5.0,
    storm_threshold=3,
)


def polite(
    backend: ScriptedBackend,
    clock: FakeClock,
    *,
    storm_threshold: int = TEST_POLICY.storm_threshold,
    max_attempts: int = TEST_POLICY.max_attempts,
    max_total_attempts: int | None = TEST_POLICY.max_total_attempts,
) -> PoliteFetcher:
    policy = replace(
        TEST_POLICY,
        storm_threshold=storm_threshold,
        max_attempts=max_attempts,
        max_total_attempts=max_total_attempts,
    )
    return PoliteFetcher(
        backend,
        policy,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(7),
    )


def test_requests_are_spaced_by_the_interval_plus_jitter() -> None:
    clock = FakeClock()
    fetcher = polite(ScriptedBackend(), clock)
    for request in requests(3):
        fetcher.fetch(request)
    assert len(clock.sleeps) == 2
    assert all(10.0 <= s <= 12.0 for s in clock.sleeps)


def test_no_wait_when_the_caller_was_slow_anyway() -> None:
    clock = FakeClock()
    fetcher = polite(ScriptedBackend(), clock)
    fetcher.fetch(requests(1)[0])
    clock.now += 60
    fetcher.fetch(requests(2)[1])
    assert clock.sleeps == []


def test_429_twice_then_success_backs_off_exponentially_with_jitter() -> None:
    clock = FakeClock()
    backend = ScriptedBackend({"term 0": ["429", "429", "ok"]})
    fetcher = polite(backend, clock, storm_threshold=5)
    payload = fetcher.fetch(requests(1)[0])
    assert payload.body == b"{}"
    assert backend.calls == ["term 0"] * 3
    backoffs = [s for s in clock.sleeps if s >= 30]
    assert len(backoffs) == 2
    assert 30 <= backoffs[0] <= 35 and 60 <= backoffs[1] <= 65
    assert fetcher.consecutive_429 == 0


def test_5xx_is_retried_then_raised_after_max_attempts() -> None:
    clock = FakeClock()
    backend = ScriptedBackend(default="500")
    fetcher = polite(backend, clock)
    with pytest.raises(ServerError):
        fetcher.fetch(requests(1)[0])
    assert len(backend.calls) == 4
    assert max(clock.sleeps) <= 120 + 5  # capped backoff


def test_a_400_is_not_retried() -> None:
    backend = ScriptedBackend(default="400")
    with pytest.raises(SourceError):
        polite(backend, FakeClock()).fetch(requests(1)[0])
    assert len(backend.calls) == 1


def test_429_forever_stops_the_run_as_a_storm_and_a_resume_finishes() -> None:
    plan = requests(5)
    landed: dict[str, RawPayload] = {}
    clock = FakeClock()
    backend = ScriptedBackend({"term 2": ["429"] * 10})
    first = run_batches(
        polite(backend, clock), plan, [], lambda raw: landed.update({raw.request_key: raw})
    )
    assert first.status == "rate_limited"
    assert "storm" in first.message and "3 HTTP 429" in first.message
    assert first.done == tuple(r.request_key for r in plan[:2])
    assert [r.terms[0] for r in first.remaining] == ["term 2", "term 3", "term 4"]
    assert set(landed) == set(first.done)  # what was landed stays landed
    assert backend.calls.count("term 3") == 0  # stopped, did not hammer the rest

    # next run: Google has cooled down; only the rest is fetched, nothing twice
    backend.script = {}
    backend.calls.clear()
    second = run_batches(
        polite(backend, FakeClock()),
        plan,
        landed.keys(),
        lambda raw: landed.update({raw.request_key: raw}),
    )
    assert second.status == "complete"
    assert backend.calls == ["term 2", "term 3", "term 4"]
    assert set(landed) == {r.request_key for r in plan}


def test_storm_counts_consecutive_429s_across_requests() -> None:
    backend = ScriptedBackend(
        {"term 0": ["429", "ok"], "term 1": ["429", "429"], "term 2": ["429"]}
    )
    fetcher = polite(backend, FakeClock(), storm_threshold=3, max_attempts=2)
    plan = requests(3)
    fetcher.fetch(plan[0])  # one 429 then success: the count resets
    with pytest.raises(RateLimited) as first:
        fetcher.fetch(plan[1])  # two 429s: retries spent, but no storm yet
    assert not isinstance(first.value, RateLimitStormError)
    with pytest.raises(RateLimitStormError):
        fetcher.fetch(plan[2])  # the third 429 in a row
    assert backend.calls == ["term 0", "term 0", "term 1", "term 1", "term 2"]


def test_garbage_is_recorded_as_failed_and_the_run_goes_on() -> None:
    plan = requests(3)
    landed: list[str] = []

    def land(raw: RawPayload) -> None:
        parse_payload(raw)  # the loader validates before landing: garbage never lands
        landed.append(raw.request_key)

    backend = ScriptedBackend({"term 1": ["garbage"]}, default="ok")  # "{}" is no bundle either
    result = run_batches(polite(backend, FakeClock()), plan, [], land)
    assert result.status == "partial"
    assert set(result.failed) == {r.request_key for r in plan}
    assert all("envelope" in message for message in result.failed.values())
    assert landed == []
    assert {r.request_key for r in result.remaining} == set(result.failed)


def test_one_bad_request_does_not_stop_the_others() -> None:
    plan = requests(3)
    landed: list[str] = []
    backend = ScriptedBackend({"term 1": ["400"]})
    result = run_batches(
        polite(backend, FakeClock()), plan, [], lambda raw: landed.append(raw.request_key)
    )
    assert result.status == "partial"
    assert list(result.failed) == [plan[1].request_key]
    assert landed == [plan[0].request_key, plan[2].request_key]
    assert "HTTP 400" in result.failed[plan[1].request_key]


def test_attempt_budget_stops_cleanly() -> None:
    plan = requests(4)
    result = run_batches(
        polite(ScriptedBackend(), FakeClock(), max_total_attempts=2), plan, [], lambda raw: None
    )
    assert result.status == "budget_exhausted"
    assert len(result.done) == 2 and len(result.remaining) == 2


def test_remaining_requests_keeps_order_and_drops_done_and_duplicates() -> None:
    plan = requests(4)
    plan.insert(2, plan[0])
    left = remaining_requests(plan, [plan[1].request_key])
    assert [r.terms[0] for r in left] == ["term 0", "term 2", "term 3"]


def test_on_payload_raising_invalid_payload_marks_the_request_failed() -> None:
    def reject(raw: RawPayload) -> None:
        raise InvalidPayload("bad")

    result = run_batches(polite(ScriptedBackend(), FakeClock()), requests(1), [], reject)
    assert result.status == "partial" and result.done == ()


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        PacingPolicy(min_interval_s=-1)
    with pytest.raises(ValueError, match="at least 1"):
        PacingPolicy(max_attempts=0)
