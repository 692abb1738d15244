"""Fetching is polite and offline-testable: fake sessions, no sleeping, clear errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.base import PoliteHttp, request_key
from credtrends.sources.statcan import fetch_full_table, fetch_vectors

FIXTURES = Path(__file__).parents[2] / "fixtures" / "statcan"


@dataclass
class FakeResponse:
    status_code: int
    content: bytes = b""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass
class FakeSession:
    answers: list[FakeResponse | Exception]
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append((method, url, kwargs.get("json")))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _http(session: FakeSession, sleeps: list[float] | None = None) -> PoliteHttp:
    record = sleeps if sleeps is not None else []
    return PoliteHttp(source="StatCan", session=session, sleep=record.append, min_interval_s=0)


def test_full_table_fetch_follows_the_link_and_keeps_bytes() -> None:
    link = (FIXTURES / "download_link.json").read_bytes()
    session = FakeSession(
        [
            FakeResponse(200, link),
            FakeResponse(200, b"PK\x03\x04zip", {"Content-Type": "application/zip"}),
        ]
    )
    download = fetch_full_table(_http(session), "14100444")
    assert session.calls[0][1].endswith("/getFullTableDownloadCSV/14100444/en")
    assert session.calls[1][1] == "https://www150.statcan.gc.ca/n1/tbl/csv/14100444-eng.zip"
    assert download.archive.body == b"PK\x03\x04zip"
    assert download.archive.content_type == "application/zip"
    assert len(download.link.request_key) == 64
    assert download.link.request_key != download.archive.request_key


def test_download_link_to_a_foreign_host_is_refused() -> None:
    session = FakeSession(
        [FakeResponse(200, b'{"status":"SUCCESS","object":"https://evil.example/x.zip"}')]
    )
    with pytest.raises(InvalidPayload, match="unexpected host"):
        fetch_full_table(_http(session), "14100444")


def test_retries_on_5xx_then_succeeds_without_real_sleep() -> None:
    sleeps: list[float] = []
    session = FakeSession([FakeResponse(503), ConnectionError("reset"), FakeResponse(200, b"[]")])
    payloads = fetch_vectors(_http(session, sleeps), [3, 1, 2, 1], latest_n=4)
    assert len(payloads) == 1 and len(session.calls) == 3
    assert session.calls[-1][2] == [{"vectorId": v, "latestN": 4} for v in (1, 2, 3)]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]


def test_rate_limited_after_retries_is_a_clear_error() -> None:
    session = FakeSession([FakeResponse(429)] * 4)
    with pytest.raises(RateLimited, match=r"HTTP 429.*gave up after 4 attempts"):
        fetch_vectors(_http(session), [1], latest_n=1)


def test_client_errors_are_not_retried() -> None:
    session = FakeSession([FakeResponse(404)])
    with pytest.raises(SourceError, match=r"HTTP 404.*retrying will not help"):
        fetch_full_table(_http(session), "99999999")
    assert len(session.calls) == 1


def test_request_key_is_stable_and_param_order_free() -> None:
    assert request_key("get", "u", {"a": 1, "b": 2}) == request_key("GET", "u", {"b": 2, "a": 1})
    assert request_key("GET", "u", {"a": 1}) != request_key("GET", "u", {"a": 2})
