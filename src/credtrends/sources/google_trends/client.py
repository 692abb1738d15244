"""The backend interface: how raw Google Trends payloads are obtained.

Backends do I/O only and return the bytes they received, untouched, so that a parser fix
can re-parse landed history without the network. Swapping pytrends for a paid API or for
web-page CSV exports changes nothing downstream: every payload records its backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

from credtrends.errors import RateLimited, SourceError
from credtrends.sources.google_trends.request import TrendsRequest

CONTENT_TYPE_WIDGET_BUNDLE = "application/vnd.credtrends.trends-widgets+json"
"""Our envelope around Google's verbatim explore + widgetdata bodies (see pytrends_backend)."""

CONTENT_TYPE_WEB_CSV = "text/csv; profile=google-trends-web-export"
"""A CSV file exported from the Google Trends web page (multiTimeline, geoMap, related...)."""

CONTENT_TYPE_SERPAPI_JSON = "application/json; profile=serpapi-google-trends"
"""SerpApi's Google Trends engine answer, verbatim (see serpapi_backend)."""


class ServerError(SourceError):
    """Google answered 5xx or broke the connection: worth retrying, unlike other SourceErrors."""


RefusalCause = Literal["rate_limit", "captcha"]


class Refused(RateLimited):
    """The service refused to answer for now: HTTP 429, or a captcha/sign-in page instead of data.

    Both count toward the storm stop in ``pacing``; ``retry_after_s`` is the wait the service
    asked for (``Retry-After``), None when it named none.
    """

    cause: RefusalCause = "rate_limit"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class CaptchaChallenge(Refused):
    """Google sent its "unusual traffic" captcha or a sign-in page (often with HTTP 200)."""

    cause: RefusalCause = "captcha"


class RunStopped(SourceError):
    """A failure no other request of this run can avoid (bad API key, no searches left).

    ``pacing.run_batches`` stops the whole run on it, instead of failing every request.
    """


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """The parts of an HTTP answer a backend needs; transports build it.

    ``headers`` (case-insensitive lookups via ``header``) and ``url``/``redirects`` are kept so
    that ``Retry-After`` can be honoured and a redirect to Google's ``/sorry/`` page recognised.
    """

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    """The final URL, after redirects."""
    redirects: tuple[str, ...] = ()
    """Locations of the redirects followed to get here, in order."""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


class Transport(Protocol):
    """One HTTP call. Tests pass a fake; production uses a ``requests`` session."""

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse: ...


@dataclass(frozen=True, slots=True)
class RawPayload:
    """What a backend received for one request, exactly as received.

    ``body`` is kept as bytes (never decoded and re-encoded) so the landing table stores
    what Google sent; ``request_key`` ties it to the request that produced it.
    """

    request: TrendsRequest
    body: bytes
    content_type: str
    backend: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source_name: str = ""
    """File name for imports (used in error messages), empty for network fetches."""

    @property
    def request_key(self) -> str:
        return self.request.request_key

    @property
    def body_sha256(self) -> str:
        """Content hash: lets a loader tell a re-export of new data from the same bytes."""
        return hashlib.sha256(self.body).hexdigest()

    def label(self) -> str:
        """Where this payload came from, for error messages a user can act on."""
        where = self.source_name or self.backend
        return f"{where} ({self.request.describe()})"


@runtime_checkable
class TrendsBackend(Protocol):
    """Anything that can turn a request into a raw payload.

    Implementations raise ``RateLimited`` for HTTP 429, ``ServerError`` for 5xx or network
    failure (retryable) and ``SourceError``/``InvalidPayload`` for everything else. They do
    not retry, pace or cache: ``pacing.PoliteFetcher`` does that once for every backend.
    """

    name: str

    def fetch(self, request: TrendsRequest) -> RawPayload: ...
