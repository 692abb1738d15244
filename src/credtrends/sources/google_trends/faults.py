"""Telling Google's refusals apart: 429 with ``Retry-After``, captcha pages, real failures.

Google does not always say "slow down" with a 429: it also answers HTTP 200 (or a 302 to
``/sorry/index``) with an HTML "unusual traffic" captcha, or a sign-in/consent page. Read as
data, such a page looks like a broken payload, so a run kept hammering Google. Here it is
recognised and raised as ``CaptchaChallenge``, which the fetcher counts like a 429.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from credtrends.errors import SourceError
from credtrends.sources.google_trends.client import (
    CaptchaChallenge,
    HttpResponse,
    Refused,
    ServerError,
)

_CAPTCHA_URL = re.compile(r"https?://[^/]*google\.[a-z.]+/sorry/", re.IGNORECASE)
_SIGN_IN_URL = re.compile(
    r"https?://(?:accounts|consent)\.google\.[a-z.]+/|/ServiceLogin\b", re.IGNORECASE
)
_CAPTCHA_MARKERS = (
    b"unusual traffic from your computer network",
    b'id="captcha-form"',
    b"g-recaptcha",
    b"/sorry/index",
)
_SIGN_IN_MARKERS = (
    b"accounts.google.com/servicelogin",
    b"consent.google.com",
    b"before you continue to google",
)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None.

    RFC 9110 allows both forms; a date in the past means "now" (0 s). Unreadable values are
    ignored (None) rather than trusted.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    moment = now or datetime.now(UTC)
    return max(0.0, (when - moment).total_seconds())


def refusal_kind(response: HttpResponse) -> str | None:
    """``"captcha"`` or ``"sign-in"`` when the answer is such a page instead of data, else None."""
    places = (response.url, *response.redirects)
    if any(_CAPTCHA_URL.search(place) for place in places if place):
        return "captcha"
    if any(_SIGN_IN_URL.search(place) for place in places if place):
        return "sign-in"
    head = response.body[:20_000].lower()
    is_html = "html" in response.content_type.lower() or head.lstrip().startswith(
        (b"<!doctype html", b"<html")
    )
    if not is_html:
        return None
    if any(marker in head for marker in _CAPTCHA_MARKERS):
        return "captcha"
    if any(marker in head for marker in _SIGN_IN_MARKERS):
        return "sign-in"
    return None


def check_google_response(response: HttpResponse, what: str, *, service: str) -> None:
    """Raise the typed failure an answer stands for; return quietly for usable data.

    ``Refused`` (429) and ``CaptchaChallenge`` (captcha or sign-in page, any status) stop the
    run after a storm; ``ServerError`` (5xx) is retried; any other non-200 is a failure of
    this request alone, with its status in the message.
    """
    kind = refusal_kind(response)
    if kind is not None:
        raise CaptchaChallenge(
            f"{service} answered a {kind} page instead of data (HTTP {response.status}) to "
            f"{what}: Google suspects automated traffic; wait before resuming, or use "
            "another backend (--backend serpapi)",
            retry_after_s=parse_retry_after(response.header("Retry-After")),
        )
    if response.status == 200:
        return
    if response.status == 429:
        retry_after = parse_retry_after(response.header("Retry-After"))
        asked = f"; it asked to wait {retry_after:.0f} s" if retry_after is not None else ""
        raise Refused(
            f"{service} answered HTTP 429 (too many requests) to {what}{asked}",
            retry_after_s=retry_after,
        )
    if 500 <= response.status <= 599:
        raise ServerError(f"{service} answered HTTP {response.status} to {what}")
    raise SourceError(
        f"{service} answered HTTP {response.status} to {what}; retrying will not help "
        "(check the terms, geo and timeframe)"
    )
