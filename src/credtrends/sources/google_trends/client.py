"""The backend interface: how raw Google Trends payloads are obtained.

Backends do I/O only and return the bytes they received, untouched, so that a parser fix
can re-parse landed history without the network. Swapping pytrends for a paid API or for
web-page CSV exports changes nothing downstream: every payload records its backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from credtrends.errors import SourceError
from credtrends.sources import payload
from credtrends.sources.google_trends.request import TrendsRequest
from credtrends.sources.polite import RefusalCause, Refused, ServerError

__all__ = [
    "CONTENT_TYPE_SERPAPI_JSON",
    "CONTENT_TYPE_WEB_CSV",
    "CONTENT_TYPE_WIDGET_BUNDLE",
    "CaptchaChallenge",
    "HttpResponse",
    "RawPayload",
    "RefusalCause",
    "Refused",
    "RunStopped",
    "ServerError",
    "Transport",
    "TrendsBackend",
]

CONTENT_TYPE_WIDGET_BUNDLE = "application/vnd.credtrends.trends-widgets+json"
"""Our envelope around Google's verbatim explore + widgetdata bodies (see pytrends_backend)."""

CONTENT_TYPE_WEB_CSV = "text/csv; profile=google-trends-web-export"
"""A CSV file exported from the Google Trends web page (multiTimeline, geoMap, related...)."""

CONTENT_TYPE_SERPAPI_JSON = "application/json; profile=serpapi-google-trends"
"""SerpApi's Google Trends engine answer, verbatim (see serpapi_backend)."""


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


RawPayload = payload.RawPayload[TrendsRequest]
"""What a backend received for one Google Trends request (the one payload type of every
source, keyed by the request's ``request_key``)."""


@runtime_checkable
class TrendsBackend(Protocol):
    """Anything that can turn a request into a raw payload.

    Implementations raise ``RateLimited`` for HTTP 429, ``ServerError`` for 5xx or network
    failure (retryable) and ``SourceError``/``InvalidPayload`` for everything else. They do
    not retry, pace or cache: ``polite.PoliteFetcher`` does that once for every backend.
    """

    name: str

    def fetch(self, request: TrendsRequest) -> RawPayload: ...
