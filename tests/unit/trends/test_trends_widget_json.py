"""pytrends backend + widget JSON parsers, on payloads in Google's exact format.

Fixtures in tests/fixtures/google_trends follow Google's widget endpoints field for field
(see the README there): explore with tokens, multiline, comparedgeo, relatedsearches, with
their ``)]}'`` prefixes, hasData false, "<1", isPartial, empty answers, truncated bodies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.google_trends import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    PytrendsBackend,
    RawPayload,
    ServerError,
    make_request,
    parse_payload,
)
from credtrends.sources.google_trends.client import CONTENT_TYPE_WIDGET_BUNDLE
from credtrends.sources.google_trends.pytrends_backend import (
    COMPAREDGEO_URL,
    EXPLORE_URL,
    MULTILINE_URL,
    RELATEDSEARCHES_URL,
    HttpResponse,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "google_trends"
TERMS = ["welding certificate", "cybersecurity bootcamp"]
WINDOW = "2025-06-01 2025-08-23"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeGoogle:
    """Answers like Google: explore gives tokens, each widget call needs its token."""

    def __init__(self, widget_bodies: Mapping[str, bytes], explore: bytes | None = None) -> None:
        self.widget_bodies = dict(widget_bodies)
        self.explore = explore if explore is not None else fixture("explore_ca_two_terms.txt")
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.status: dict[str, int] = {}

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        self.calls.append((method, url, dict(params)))
        if url == EXPLORE_URL:
            assert method == "POST"
            req = json.loads(params["req"])
            assert [item["keyword"] for item in req["comparisonItem"]] == TERMS[
                : len(req["comparisonItem"])
            ]
            return HttpResponse(self.status.get("explore", 200), self.explore)
        token = params["token"]
        assert url in {MULTILINE_URL, COMPAREDGEO_URL, RELATEDSEARCHES_URL}
        assert json.loads(params["req"])  # the widget's own request travels back verbatim
        if token not in self.widget_bodies:
            return HttpResponse(400, b"<html>Bad Request</html>", "text/html")
        return HttpResponse(self.status.get(token, 200), self.widget_bodies[token])


def fetch(operation: str, bodies: Mapping[str, bytes], terms: list[str] = TERMS) -> RawPayload:
    request = make_request(operation=operation, terms=terms, geo="CA", timeframe=WINDOW)
    backend = PytrendsBackend(
        transport=FakeGoogle(bodies), clock=lambda: datetime(2025, 8, 20, tzinfo=UTC)
    )
    return backend.fetch(request)


def test_interest_over_time_keeps_raw_bodies_and_parses_every_flag() -> None:
    raw = fetch(
        "interest_over_time",
        {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": fixture("multiline_ca_two_terms.txt")},
    )
    assert raw.content_type == CONTENT_TYPE_WIDGET_BUNDLE and raw.backend == "pytrends"
    bundle = json.loads(raw.body)
    assert bundle["widgets"][0]["body"].startswith(")]}',\n")  # verbatim, prefix included
    assert bundle["explore"]["body"].startswith(")]}'\n")
    frame = parse_payload(raw)
    assert frame.schema == INTEREST_OVER_TIME_SCHEMA
    assert frame.height == 24 and set(frame.get_column("granularity")) == {"week"}
    small = frame.filter(pl.col("term") == "cybersecurity bootcamp").sort("period_start")
    assert small.get_column("period_start")[0] == date(2025, 6, 1)
    below = small.filter(pl.col("is_below_one"))
    assert below.get_column("period_start").to_list() == [date(2025, 6, 15)]
    assert below.get_column("value").to_list() == [0]
    missing = small.filter(~pl.col("has_data"))
    assert missing.get_column("period_start").to_list() == [date(2025, 7, 13)]
    assert missing.get_column("value").to_list() == [None]
    partial = frame.filter(pl.col("is_partial"))
    assert partial.get_column("period_start").unique().to_list() == [date(2025, 8, 17)]
    assert frame.filter(pl.col("term") == "welding certificate").get_column("value").max() == 100
    assert frame.get_column("request_key").unique().to_list() == [raw.request_key]


def test_parse_is_pure_and_repeatable_from_the_landed_bytes() -> None:
    raw = fetch(
        "interest_over_time",
        {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": fixture("multiline_ca_two_terms.txt")},
    )
    relanded = RawPayload(
        request=raw.request,
        body=bytes(raw.body),
        content_type=raw.content_type,
        backend=raw.backend,
        fetched_at=raw.fetched_at,
    )
    assert parse_payload(raw).equals(parse_payload(relanded))


def test_interest_by_region_combines_shares_and_per_term_indexes() -> None:
    raw = fetch(
        "interest_by_region",
        {
            "APP6_UEAAAAAaJ3xT0GeoMapCombinedTok2": fixture("comparedgeo_ca_percentages.txt"),
            "APP6_UEAAAAAaJ3xT0GeoMap0Tok": fixture("comparedgeo_ca_term0.txt"),
            "APP6_UEAAAAAaJ3xT0GeoMap1Tok": fixture("comparedgeo_ca_term1.txt"),
        },
    )
    frame = parse_payload(raw)
    assert frame.schema == INTEREST_BY_REGION_SCHEMA
    shares = frame.filter(pl.col("value_kind") == "share_percent")
    assert shares.height == 26
    nl = shares.filter(pl.col("region_code") == "CA-NL").sort("term")
    assert nl.get_column("value").to_list() == [0, 100]
    assert nl.get_column("is_below_one").to_list() == [True, False]
    index = frame.filter(pl.col("value_kind") == "index", pl.col("term") == TERMS[0])
    assert index.filter(pl.col("region_code") == "CA-NS").get_column("value").item() == 100
    assert index.filter(~pl.col("has_data")).get_column("region_code").sort().to_list() == [
        "CA-NT",
        "CA-NU",
        "CA-PE",
        "CA-YT",
    ]
    assert set(frame.get_column("resolution")) == {"REGION"}


def test_related_queries_top_rising_breakout_and_empty() -> None:
    raw = fetch(
        "related_queries",
        {
            "APP6_UEAAAAAaJ3xT0Related0Tok": fixture("relatedsearches_queries_term0.txt"),
            "APP6_UEAAAAAaJ3xT0Related1Tok": fixture("relatedsearches_queries_empty.txt"),
        },
    )
    frame = parse_payload(raw)
    assert frame.schema == RELATED_SCHEMA
    assert set(frame.get_column("term")) == {TERMS[0]}  # the second term had no related data
    top = frame.filter(pl.col("kind") == "top")
    assert top.get_column("rank").to_list() == [1, 2, 3, 4, 5]
    assert top.get_column("value").to_list()[0] == 100
    rising = frame.filter(pl.col("kind") == "rising")
    breakout = rising.filter(pl.col("is_breakout"))
    assert breakout.get_column("query").to_list() == ["welding certificate near me"]
    assert (
        rising.filter(pl.col("query") == "welding ticket alberta").get_column("value").item()
        == 3000
    )


def test_related_topics_empty_answer_is_an_empty_frame() -> None:
    explore = json.loads(fixture("explore_ca_two_terms.txt")[5:])
    explore["widgets"] = [
        {
            "request": {
                "restriction": {
                    "geo": {"country": "CA"},
                    "time": WINDOW,
                    "complexKeywordsRestriction": {
                        "keyword": [{"type": "BROAD", "value": TERMS[0]}]
                    },
                },
                "keywordType": "ENTITY",
                "metric": ["TOP", "RISING"],
            },
            "token": "TOPICS",
            "id": "RELATED_TOPICS",
            "type": "fe_related_searches",
        }
    ]
    google = FakeGoogle(
        {"TOPICS": fixture("relatedsearches_topics_empty.txt")},
        explore=b")]}'\n" + json.dumps(explore).encode(),
    )
    request = make_request(operation="related_topics", terms=[TERMS[0]], geo="CA", timeframe=WINDOW)
    frame = parse_payload(PytrendsBackend(transport=google).fetch(request))
    assert frame.is_empty() and frame.schema == RELATED_SCHEMA


def test_empty_timeline_is_valid_and_empty() -> None:
    raw = fetch(
        "interest_over_time",
        {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": fixture("multiline_empty.txt")},
    )
    frame = parse_payload(raw)
    assert frame.is_empty() and frame.schema == INTEREST_OVER_TIME_SCHEMA


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fixture("multiline_truncated.txt"), "not JSON"),
        (b"<!DOCTYPE html><html>sorry</html>", "not JSON"),
        (b')]}\',\n{"default":{"timelineData":[{"time":"1","value":[101,3]}]}}', "101"),
        (b')]}\',\n{"default":{"timelineData":[{"time":"1","value":[5]}]}}', "1 values"),
        (b')]}\',\n{"default":{"timelineData":[{"value":[5,5]}]}}', "time"),
        (b')]}\',\n{"default":{"timelineData":[{"time":"x","value":[5,5]}]}}', "time"),
        (b")]}',\n[]", "expected an object"),
        (b')]}\',\n{"default":{"timelineData":{}}}', "expected a list"),
        (b")]}',\n" + b"[" * 5000 + b"]" * 5000, "."),
    ],
)
def test_malformed_widget_bodies_raise_invalid_payload(body: bytes, message: str) -> None:
    raw = fetch("interest_over_time", {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": body})
    with pytest.raises(InvalidPayload, match=message):
        parse_payload(raw)


def test_mixed_granularity_in_a_timeline_is_rejected() -> None:
    points = [
        {"time": str(int(datetime(2025, 1, d, tzinfo=UTC).timestamp())), "value": [50]}
        for d in (1, 2, 9)
    ] + [{"time": str(int(datetime(2025, 1, 10, tzinfo=UTC).timestamp())), "value": [100]}]
    explore = json.loads(fixture("explore_ca_two_terms.txt")[5:])
    widget = explore["widgets"][0]
    widget["request"]["comparisonItem"] = widget["request"]["comparisonItem"][:1]
    widget["request"].pop("resolution")
    google = FakeGoogle(
        {widget["token"]: b")]}',\n" + json.dumps({"default": {"timelineData": points}}).encode()},
        explore=b")]}'\n" + json.dumps(explore).encode(),
    )
    request = make_request(
        operation="interest_over_time", terms=[TERMS[0]], geo="CA", timeframe=WINDOW
    )
    with pytest.raises(InvalidPayload, match="mixed granularity"):
        parse_payload(PytrendsBackend(transport=google).fetch(request))


@pytest.mark.parametrize(
    ("where", "status", "error"),
    [
        ("explore", 429, RateLimited),
        ("explore", 503, ServerError),
        ("explore", 400, SourceError),
        ("APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1", 429, RateLimited),
        ("APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1", 500, ServerError),
    ],
)
def test_http_errors_map_to_typed_errors(where: str, status: int, error: type[Exception]) -> None:
    google = FakeGoogle(
        {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": fixture("multiline_ca_two_terms.txt")}
    )
    google.status[where] = status
    request = make_request(operation="interest_over_time", terms=TERMS, geo="CA", timeframe=WINDOW)
    with pytest.raises(error, match=str(status)):
        PytrendsBackend(transport=google).fetch(request)


@pytest.mark.parametrize(
    "explore",
    [b"<html>unusual traffic</html>", b')]}\'\n{"widgets":[{"id":"rt_note"}]}', b""],
)
def test_explore_without_tokens_is_invalid(explore: bytes) -> None:
    google = FakeGoogle({}, explore=explore)
    request = make_request(operation="interest_over_time", terms=TERMS, geo="CA", timeframe=WINDOW)
    with pytest.raises(InvalidPayload):
        PytrendsBackend(transport=google).fetch(request)


def test_a_payload_for_other_terms_is_rejected() -> None:
    raw = fetch(
        "interest_over_time",
        {"APP6_UEAAAAAaJ3xT0k0ZkYTimeSeriesTok1": fixture("multiline_ca_two_terms.txt")},
    )
    other = make_request(
        operation="interest_over_time", terms=["plumbing", "hvac"], geo="CA", timeframe=WINDOW
    )
    moved = RawPayload(
        request=other, body=raw.body, content_type=raw.content_type, backend=raw.backend
    )
    with pytest.raises(InvalidPayload, match="plumbing"):
        parse_payload(moved)
