"""Refusals told apart: Retry-After forms, captcha and sign-in pages, failure summaries."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.google_trends import (
    CaptchaChallenge,
    IncompleteRunError,
    PacingPolicy,
    PoliteFetcher,
    RawPayload,
    Refused,
    TrendsRequest,
    make_request,
    run_batches,
)
from credtrends.sources.google_trends.client import CONTENT_TYPE_WIDGET_BUNDLE, HttpResponse
from credtrends.sources.google_trends.faults import (
    check_google_response,
    parse_retry_after,
    refusal_kind,
)
from tests.reliability.fakes import CAPTCHA_HTML

NOW = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 01 Dec 2026 21:02:30 GMT", 150.0),
        ("Tue, 01 Dec 2026 20:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds_or_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_captcha_page_with_http_200_is_a_captcha_not_a_broken_payload() -> None:
    page = HttpResponse(200, CAPTCHA_HTML, "text/html; charset=UTF-8")
    assert refusal_kind(page) == "captcha"
    with pytest.raises(CaptchaChallenge, match="captcha page") as caught:
        check_google_response(page, "explore", service="Google Trends")
    assert isinstance(caught.value, RateLimited) and caught.value.cause == "captcha"


def test_redirect_to_sorry_and_sign_in_pages_are_recognised() -> None:
    sorry = HttpResponse(429, b"", "text/html", url="https://www.google.com/sorry/index?continue=x")
    assert refusal_kind(sorry) == "captcha"
    redirected = HttpResponse(
        200, b"<html></html>", "text/html",
        redirects=("https://www.google.com/sorry/index?continue=https://trends.google.com",),
    )  # fmt: skip
    assert refusal_kind(redirected) == "captcha"
    login = HttpResponse(
        200,
        b"<html>x</html>",
        "text/html",
        url="https://accounts.google.com/ServiceLogin?continue=x",
    )
    assert refusal_kind(login) == "sign-in"
    json_answer = HttpResponse(200, b')]}\'\n{"widgets": []}', "application/json")
    assert refusal_kind(json_answer) is None


def test_429_carries_its_retry_after() -> None:
    answer = HttpResponse(429, b"", "text/html", headers={"retry-after": "30"})
    with pytest.raises(Refused, match="asked to wait 30 s") as caught:
        check_google_response(answer, "explore", service="Google Trends")
    assert caught.value.retry_after_s == 30.0 and caught.value.cause == "rate_limit"


class Scripted:
    name = "fake"

    def __init__(self, outcomes: dict[str, Exception]) -> None:
        self.outcomes = outcomes

    def fetch(self, request: TrendsRequest) -> RawPayload:
        failure = self.outcomes.get(request.terms[0])
        if failure is not None:
            raise failure
        return RawPayload(request, b"{}", CONTENT_TYPE_WIDGET_BUNDLE, "fake")


def test_failed_requests_are_named_with_terms_geo_window_and_cause() -> None:
    plan = [
        make_request(operation="interest_over_time", terms=[t], geo="CA-ON", timeframe="today 5-y")
        for t in ("ok term", "garbage term", "gone term")
    ]
    backend = Scripted(
        {
            "garbage term": InvalidPayload("explore answer is not the widget JSON"),
            "gone term": SourceError("Google Trends answered HTTP 400"),
        }
    )
    fetcher = PoliteFetcher(
        backend,
        PacingPolicy(min_interval_s=0, jitter_s=0),
        sleep=lambda _: None,
        rng=random.Random(1),
    )
    result = run_batches(fetcher, plan, [], lambda raw: None)
    assert result.status == "partial"
    lines = result.summary_lines()
    assert (
        "failed: [garbage term] geo=CA-ON window='today 5-y' (interest_over_time): payload"
        in lines[1]
    )
    assert "http - Google Trends answered HTTP 400" in lines[2]
    with pytest.raises(IncompleteRunError, match=r"garbage term.*payload") as caught:
        result.raise_if_incomplete()
    assert not isinstance(caught.value, RateLimited)  # payload failures are not rate limits


def test_progress_is_off_without_a_terminal_or_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from credtrends.sources.google_trends.progress import (
        NoProgress,
        RichProgress,
        auto_progress,
        progress_wanted,
    )

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("CREDTRENDS_NO_PROGRESS", raising=False)
    assert progress_wanted(Tty())
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(Tty())
    assert isinstance(auto_progress(50), NoProgress)  # pytest's stderr is no terminal either
    bar = RichProgress(3)
    with bar:
        bar.advance(failed=False)
        bar.advance(failed=True)
    assert bar.failed == 1
