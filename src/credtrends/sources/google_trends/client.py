"""The backend interface: how raw Google Trends payloads are obtained.

Backends do I/O only and return the bytes they received, untouched, so that a parser fix
can re-parse landed history without the network. Swapping pytrends for a paid API or for
web-page CSV exports changes nothing downstream: every payload records its backend.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from credtrends.errors import SourceError
from credtrends.sources.google_trends.request import TrendsRequest

CONTENT_TYPE_WIDGET_BUNDLE = "application/vnd.credtrends.trends-widgets+json"
"""Our envelope around Google's verbatim explore + widgetdata bodies (see pytrends_backend)."""

CONTENT_TYPE_WEB_CSV = "text/csv; profile=google-trends-web-export"
"""A CSV file exported from the Google Trends web page (multiTimeline, geoMap, related...)."""


class ServerError(SourceError):
    """Google answered 5xx or broke the connection: worth retrying, unlike other SourceErrors."""


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
