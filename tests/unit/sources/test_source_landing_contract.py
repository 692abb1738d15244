"""One landing contract: one payload type, one polite fetcher, one backoff, one merger."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from tenacity import RetryCallState, Retrying

from credtrends.errors import RateLimited
from credtrends.jobs.definitions import RetryPolicy
from credtrends.pipelines.landing import merge_into
from credtrends.pipelines.sources import SourceLoadReport
from credtrends.pipelines.trends import LoadReport, merge_reports
from credtrends.sources import base, polite
from credtrends.sources.google_trends import PoliteFetcher as TrendsFetcher
from credtrends.sources.google_trends import RawPayload as TrendsPayload
from credtrends.sources.google_trends import TrendsRequest, make_request
from credtrends.sources.payload import RawPayload, SourcePayload, SourceRequest, request_key


def state(attempt: int) -> RetryCallState:
    """The retry state after ``attempt`` failed tries."""
    retry_state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})
    retry_state.attempt_number = attempt
    return retry_state


def test_every_source_returns_the_one_payload_type() -> None:
    request = make_request(operation="interest_over_time", terms=["welding"], geo="CA")
    trends = TrendsPayload(request, b"{}", "application/json", "fake")
    source = SourcePayload.from_file("a.csv", b"x,y\n", backend="file", content_type="text/csv")
    assert type(trends) is RawPayload and type(source) is RawPayload
    assert trends.request_key == request.request_key
    assert trends.record() == {**request.record(), "source_name": ""}
    assert trends.label() == f"fake ({request.describe()})"


def test_a_file_payload_keeps_its_key_record_and_name() -> None:
    body = b"NOC,Province\n"
    payload = SourcePayload.from_file("x.csv", body, backend="jobbank-file", content_type="t")
    digest = hashlib.sha256(body).hexdigest()
    assert payload.request_key == request_key("FILE", "file:x.csv", {"sha256": digest})
    assert payload.record() == {
        "method": "FILE",
        "url": "file:x.csv",
        "sha256": digest,
        "source_name": "x.csv",
    }
    assert payload.label() == "x.csv"
    assert payload.body_sha256 == digest


def test_an_http_payload_is_keyed_by_method_url_params_and_body() -> None:
    sent = SourceRequest("POST", "https://example.test/v", {"b": 2, "a": 1}, [{"id": 1}])
    payload = RawPayload(sent, b"[]", "application/json", "statcan-wds")
    assert payload.request_key == request_key("post", "https://example.test/v", {"a": 1, "b": 2},
                                              [{"id": 1}])  # fmt: skip
    assert payload.record()["params"] == {"b": 2, "a": 1}
    assert payload.label() == "statcan-wds (https://example.test/v)"


@pytest.mark.parametrize("attempt", [1, 2, 3, 6])
def test_backoff_is_tenacity_exponential_with_jitter_and_a_cap(attempt: int) -> None:
    wait = polite.exponential_backoff(5.0, 30.0, 2.0)
    draws = [wait(state(attempt)) for _ in range(200)]
    low = min(5.0 * 2 ** (attempt - 1), 30.0)
    assert all(low <= d <= min(low + 2.0, 30.0) for d in draws)
    if low + 2.0 <= 30.0:
        assert max(draws) > min(draws)  # jittered, not a fixed ladder


def test_the_job_runner_backs_off_like_the_sources() -> None:
    policy = RetryPolicy(attempts=3, backoff_seconds=5, jitter_seconds=0)
    same = polite.exponential_backoff(5.0, 3600.0, 0.0)
    assert [policy.backoff()(state(n)) for n in (1, 2, 3)] == [same(state(n)) for n in (1, 2, 3)]
    assert policy.wait_before(3).total_seconds() == 10.0


@dataclass
class Answer:
    status_code: int
    content: bytes = b""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "text/csv"})


@dataclass
class Session:
    answers: list[Answer]

    def request(self, method: str, url: str, **_: Any) -> Answer:
        return self.answers.pop(0)


def test_polite_http_is_the_one_polite_fetcher_around_an_http_backend() -> None:
    sleeps: list[float] = []
    session = Session([Answer(503), Answer(429), Answer(200, b"a,b\n")])
    http = base.PoliteHttp(source="S", session=session, sleep=sleeps.append, min_interval_s=0)
    payload = http.request("get", "https://example.test/f.csv", backend="s-http")
    assert payload.body == b"a,b\n" and payload.backend == "s-http"
    assert payload.request_key == request_key("GET", "https://example.test/f.csv")
    assert 5.0 <= sleeps[0] <= 6.25 and 10.0 <= sleeps[1] <= 11.25
    assert isinstance(http._fetcher, polite.PoliteFetcher)


def test_google_trends_fetches_through_the_same_polite_fetcher() -> None:
    class Backend:
        name = "b"

        def fetch(self, request: TrendsRequest) -> TrendsPayload:
            return TrendsPayload(request, b"{}", "application/json", self.name)

    request = make_request(operation="interest_over_time", terms=["welding"], geo="CA")
    fetcher = TrendsFetcher(Backend(), sleep=lambda _: None)
    assert isinstance(fetcher, polite.PoliteFetcher)
    assert fetcher.fetch(request).request_key == request.request_key


def test_polite_http_reports_a_429_after_its_attempts_not_as_a_storm() -> None:
    http = base.PoliteHttp(
        source="S", session=Session([Answer(429)] * 6), sleep=lambda _: None, min_interval_s=0,
        max_attempts=6,
    )  # fmt: skip
    with pytest.raises(RateLimited, match="gave up after 6 attempts") as caught:
        http.request("GET", "https://example.test/x", backend="s")
    assert not isinstance(caught.value, polite.RateLimitStormError)


def test_a_trends_fetcher_stops_on_a_storm_named_for_its_service() -> None:
    class Refusing:
        name = "refusing"

        def fetch(self, request: int) -> bytes:
            raise polite.Refused("HTTP 429")

    fetcher = polite.PoliteFetcher(
        Refusing(), polite.PacingPolicy(min_interval_s=0, jitter_s=0, storm_threshold=2,
                                        service="Portal X"),
        sleep=lambda _: None, rng=random.Random(0),
    )  # fmt: skip
    with pytest.raises(polite.RateLimitStormError, match=r"^Portal X rate-limit storm: 2 HTTP"):
        fetcher.fetch(1)
    assert len(fetcher.waits) == 1


def test_one_merger_adds_counts_and_gathers_notes_of_every_report_kind() -> None:
    first = LoadReport(payloads=1, batch_rows=3, unmatched_terms={"a"}, not_loaded=["x"])
    second = LoadReport(payloads=2, region_rows=4, unmatched_terms={"b"}, not_loaded=["y"])
    total = merge_reports([first, second])
    assert (total.payloads, total.batch_rows, total.region_rows) == (3, 3, 4)
    assert total.unmatched_terms == {"a", "b"} and total.not_loaded == ["x", "y"]
    files = [
        SourceLoadReport(1, 10, ["n1"], Counter({"s": 1})),
        SourceLoadReport(1, 5, ["n2"], Counter({"s": 2, "t": 1})),
    ]
    merged = merge_into(SourceLoadReport(), files)
    assert (merged.payloads, merged.rows, merged.notes) == (2, 15, ["n1", "n2"])
    assert merged.unmapped_subjects == Counter({"s": 3, "t": 1})


def test_the_merger_refuses_a_field_it_has_no_rule_for() -> None:
    @dataclass
    class Odd:
        label: str = ""

    with pytest.raises(TypeError, match=r"Odd\.label"):
        merge_into(Odd(), [Odd("x")])
