"""SerpApi backend: request mapping, verbatim landing without the key, typed errors, and
parsers producing the same frames as the pytrends bundle - on answers in SerpApi's shapes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest
from pydantic import SecretStr

from credtrends.errors import ConfigError, InvalidPayload, SourceError
from credtrends.sources.google_trends import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    Refused,
    RunStopped,
    ServerError,
    TrendsRequest,
    make_request,
    parse_payload,
)
from credtrends.sources.google_trends.client import CONTENT_TYPE_SERPAPI_JSON
from credtrends.sources.google_trends.serpapi_backend import (
    RequestsTransport,
    SerpApiBackend,
    SerpApiKeyRejectedError,
    SerpApiQuotaExhaustedError,
    search_params,
    serpapi_date,
)
from tests.reliability.fakes import (
    SERPAPI_BAD_KEY,
    SERPAPI_NO_RESULTS,
    SERPAPI_OUT_OF_SEARCHES,
    WINDOW,
    Answer,
    scripted_session,
    serpapi_timeseries,
)

KEY = "f00dfacecafe0123456789abcdef0123456789abcdef0123456789abcdef0123"
NOW = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)


def backend_answering(
    *answers: Answer,
) -> tuple[SerpApiBackend, list[tuple[str, str, dict[str, str]]]]:
    queue = list(answers)
    session, adapter = scripted_session(
        lambda m, u, p: queue.pop(0) if len(queue) > 1 else queue[0]
    )
    backend = SerpApiBackend(
        SecretStr(KEY), transport=RequestsTransport(session), clock=lambda: NOW
    )
    return backend, adapter.calls


def iot(*terms: str, geo: str = "CA-ON", timeframe: str = WINDOW) -> TrendsRequest:
    return make_request(
        operation="interest_over_time", terms=list(terms), geo=geo, timeframe=timeframe
    )


def test_request_maps_to_serpapi_parameters() -> None:
    params = search_params(iot("pmp", "data science"), NOW.date())
    assert params == {
        "engine": "google_trends",
        "q": "pmp,data science",
        "data_type": "TIMESERIES",
        "date": WINDOW,
        "tz": "0",
        "hl": "en",
        "geo": "CA-ON",
    }
    region = make_request(operation="interest_by_region", terms=["pmp"], geo="CA")
    assert search_params(region, NOW.date())["data_type"] == "GEO_MAP_0"
    assert search_params(region, NOW.date())["region"] == "REGION"
    both = make_request(operation="interest_by_region", terms=["pmp", "cpa"], geo="CA")
    assert search_params(both, NOW.date())["data_type"] == "GEO_MAP"


@pytest.mark.parametrize(
    ("timeframe", "expected"),
    [
        ("today 5-y", "today 5-y"),
        ("now 7-d", "now 7-d"),
        ("all", "all"),
        ("2021-10-15 2022-05-25", "2021-10-15 2022-05-25"),
        ("2022-05-19T10 2022-05-24T22", "2022-05-19T10 2022-05-24T22"),
        ("today 6-m", "2026-06-01 2026-12-01"),
        ("today 2-y", "2024-12-01 2026-12-01"),
        ("all_2008", "2008-01-01 2026-12-01"),
    ],
)
def test_timeframes_map_to_documented_date_values(timeframe: str, expected: str) -> None:
    assert serpapi_date(timeframe, date(2026, 12, 1)) == expected


def test_timeseries_is_landed_verbatim_and_parsed_into_the_pytrends_schema() -> None:
    body = serpapi_timeseries(["pmp", "Data Science"], "CA-ON")
    backend, calls = backend_answering(Answer(200, body))
    raw = backend.fetch(iot("pmp", "data science"))
    assert raw.body == body and raw.content_type == CONTENT_TYPE_SERPAPI_JSON
    assert raw.backend == "serpapi" and raw.fetched_at == NOW
    assert calls[0][2]["api_key"] == KEY and calls[0][2]["q"] == "pmp,data science"
    frame = parse_payload(raw)
    assert frame.schema == INTEREST_OVER_TIME_SCHEMA
    assert frame.height == 80 and set(frame["term"]) == {"pmp", "data science"}
    assert set(frame["granularity"].cast(str)) == {"week"}
    assert frame["period_start"].min() == date(2025, 1, 5)
    document = json.loads(body)
    first = document["interest_over_time"]["timeline_data"][0]["values"]
    assert frame.filter(term="pmp")["value"][0] == first[0]["extracted_value"]


def _one_point(values: list[dict[str, object]]) -> bytes:
    stamps = ["1735862400", "1736467200"]
    return json.dumps(
        {
            "interest_over_time": {
                "timeline_data": [
                    {"date": "Jan 5 \u2013 11, 2025", "timestamp": s, "values": values}
                    for s in stamps
                ]
            }
        }
    ).encode()


def test_below_one_and_no_data_follow_the_shared_contract() -> None:
    body = _one_point(
        [
            {"query": "a", "value": "<1", "extracted_value": 0},
            {"query": "b", "value": "100", "extracted_value": 100},
            {"query": "c", "value": "0", "extracted_value": 0},
        ]
    )
    backend, _ = backend_answering(Answer(200, body))
    frame = parse_payload(backend.fetch(iot("a", "b", "c")))
    a, b, c = (frame.filter(term=t).row(0, named=True) for t in "abc")
    assert (a["value"], a["is_below_one"], a["has_data"]) == (0, True, True)
    assert (b["value"], b["is_below_one"], b["has_data"]) == (100, False, True)
    assert (c["value"], c["is_below_one"], c["has_data"]) == (None, False, False)


def test_a_disagreeing_extracted_value_is_rejected() -> None:
    body = _one_point([{"query": "a", "value": "40", "extracted_value": 41}])
    backend, _ = backend_answering(Answer(200, body))
    with pytest.raises(InvalidPayload, match="disagrees"):
        parse_payload(backend.fetch(iot("a")))


@pytest.mark.parametrize("status", [200, 400])
def test_no_results_is_an_empty_answer_not_a_crash(status: int) -> None:
    backend, _ = backend_answering(Answer(status, SERPAPI_NO_RESULTS))
    frame = parse_payload(backend.fetch(iot("zzqx welding")))
    assert frame.is_empty() and frame.schema == INTEREST_OVER_TIME_SCHEMA


def test_bad_key_and_exhausted_quota_stop_the_run_with_that_cause() -> None:
    backend, _ = backend_answering(Answer(401, SERPAPI_BAD_KEY))
    with pytest.raises(SerpApiKeyRejectedError, match="rejected the API key") as bad:
        backend.fetch(iot("pmp"))
    assert isinstance(bad.value, RunStopped) and KEY not in str(bad.value)
    backend, _ = backend_answering(Answer(429, SERPAPI_OUT_OF_SEARCHES))
    with pytest.raises(SerpApiQuotaExhaustedError, match="run out of searches"):
        backend.fetch(iot("pmp"))


def test_throughput_429_carries_retry_after_and_failures_are_typed() -> None:
    headers = {"Content-Type": "application/json", "Retry-After": "42"}
    backend, _ = backend_answering(Answer(429, b'{"error": "Too many requests"}', headers))
    with pytest.raises(Refused) as refused:
        backend.fetch(iot("pmp"))
    assert refused.value.retry_after_s == 42.0
    busy = b'{"error": "We couldn\'t get valid results for this search. Please try again later."}'
    backend, _ = backend_answering(Answer(200, busy))
    with pytest.raises(ServerError, match="couldn't get valid results"):
        backend.fetch(iot("pmp"))
    backend, _ = backend_answering(Answer(400, b'{"error": "Missing query `q` parameter."}'))
    with pytest.raises(SourceError, match=r"HTTP 400.*Missing query"):
        backend.fetch(iot("pmp"))
    backend, _ = backend_answering(Answer(200, b"<html>gateway</html>"))
    with pytest.raises(InvalidPayload, match="not JSON"):
        backend.fetch(iot("pmp"))


def test_the_key_is_never_landed_logged_or_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = serpapi_timeseries(["pmp"], "CA-ON", echo={"api_key": KEY})
    backend, _ = backend_answering(Answer(200, body))
    raw = backend.fetch(iot("pmp"))
    assert KEY.encode() not in raw.body and b"REDACTED" in raw.body
    parse_payload(raw)
    assert KEY not in repr(backend) and KEY not in caplog.text
    with pytest.raises(ConfigError, match="CREDTRENDS_SERPAPI_API_KEY"):
        SerpApiBackend(SecretStr(""))


def test_geo_map_and_related_queries_in_documented_shapes() -> None:
    single = json.dumps(
        {
            "interest_by_region": [
                {"geo": "CA-ON", "location": "Ontario", "max_value_index": 0,
                 "value": "100", "extracted_value": 100},
                {"geo": "CA-NU", "location": "Nunavut", "max_value_index": 0,
                 "value": "<1", "extracted_value": 0},
            ]
        }
    ).encode()  # fmt: skip
    backend, _ = backend_answering(Answer(200, single))
    request = make_request(operation="interest_by_region", terms=["pmp"], geo="CA")
    frame = parse_payload(backend.fetch(request))
    assert frame.schema == INTEREST_BY_REGION_SCHEMA
    assert frame["region_code"].to_list() == ["CA-ON", "CA-NU"]
    assert frame["is_below_one"].to_list() == [False, True]
    assert set(frame["value_kind"].cast(str)) == {"index"}
    compared = json.dumps(
        {
            "compared_breakdown_by_region": [
                {"geo": "CA-QC", "location": "Quebec", "max_value_index": 0, "values": [
                    {"query": "pmp", "value": "97%", "extracted_value": 97},
                    {"query": "cpa", "value": "", "extracted_value": 0}]},
            ]
        }
    ).encode()  # fmt: skip
    backend, _ = backend_answering(Answer(200, compared))
    request = make_request(operation="interest_by_region", terms=["pmp", "cpa"], geo="CA")
    frame = parse_payload(backend.fetch(request))
    assert frame["value"].to_list() == [97, None]
    assert set(frame["value_kind"].cast(str)) == {"share_percent"}
    related = json.dumps(
        {
            "related_queries": {
                "rising": [
                    {"query": "pmp exam fee", "value": "+4,200%", "extracted_value": 4200,
                     "link": "https://trends.google.com/trends/explore?q=pmp+exam+fee"},
                    {"query": "pmp 2026", "value": "Breakout", "extracted_value": 0,
                     "link": "https://trends.google.com/trends/explore?q=pmp+2026"},
                ],
                "top": [
                    {"query": "pmp certification", "value": "100", "extracted_value": 100,
                     "link": "https://trends.google.com/trends/explore?q=pmp+certification"},
                ],
            }
        }
    ).encode()  # fmt: skip
    backend, _ = backend_answering(Answer(200, related))
    request = make_request(operation="related_queries", terms=["pmp"], geo="CA")
    frame = parse_payload(backend.fetch(request))
    assert frame.schema == RELATED_SCHEMA
    assert frame.select("kind", "rank", "value", "is_breakout").rows() == [
        ("top", 1, 100, False),
        ("rising", 1, 4200, False),
        ("rising", 2, None, True),
    ]
