"""A second live backend: SerpApi's Google Trends engine, for users whom pytrends fails.

pytrends was archived in April 2025 and Google answers many unauthenticated sessions with
429s or captcha pages. SerpApi (paid, API key) fetches the same widgets for us:
``GET https://serpapi.com/search.json?engine=google_trends&q=a,b&geo=CA-ON&date=...``
(documented at https://serpapi.com/google-trends-api and
https://serpapi.com/api-status-and-error-codes). The JSON answer is landed verbatim, content
type ``CONTENT_TYPE_SERPAPI_JSON``, and read by ``serpapi_parse`` into the same frames as
the pytrends bundle, so the same calibration applies.

The API key never leaves this module: it is not logged, not in an error message and not in
the landed body (any echo of it is blanked before landing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import SecretStr

from credtrends.errors import ConfigError, InvalidPayload, SourceError
from credtrends.sources.google_trends.client import (
    CONTENT_TYPE_SERPAPI_JSON,
    HttpResponse,
    RawPayload,
    Refused,
    RunStopped,
    ServerError,
    Transport,
)
from credtrends.sources.google_trends.faults import parse_retry_after
from credtrends.sources.google_trends.request import Operation, TrendsRequest

SERPAPI_URL = "https://serpapi.com/search.json"
ENGINE = "google_trends"
SERVICE = "SerpApi (Google Trends)"
NO_RESULTS_MARKER = "hasn't returned any results"
"""SerpApi's "no results" error, e.g. "Google Trends hasn't returned any results for this
query." (serpapi/public-roadmap issues #450, #1885): an empty answer, not a failure."""
REDACTED = "REDACTED"

_DATE_PRESETS = {
    "now 1-H",
    "now 4-H",
    "now 1-d",
    "now 7-d",
    "today 1-m",
    "today 3-m",
    "today 12-m",
    "today 5-y",
    "all",
}
"""The ``date`` values SerpApi documents; other windows are sent as absolute dates."""


class SerpApiKeyRejectedError(RunStopped):
    """HTTP 401/403: the key is wrong or the account cannot search. Every request would fail."""


class SerpApiQuotaExhaustedError(RunStopped):
    """The account has run out of searches: nothing more until the plan renews."""


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` earlier (day 28 at most, so every month has it)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def serpapi_date(timeframe: str, today: date) -> str:
    """Our timeframe (see ``request.py``) as SerpApi's ``date`` parameter.

    The presets and ``YYYY-MM-DD YYYY-MM-DD`` / ``YYYY-MM-DDTHH YYYY-MM-DDTHH`` windows are
    the same in both; an undocumented relative window (``today 6-m``, ``today 2-y``,
    ``all_2008``) becomes the absolute window it means today.
    """
    if timeframe in _DATE_PRESETS or timeframe[:1].isdigit():
        return timeframe
    if timeframe.startswith("all_"):
        return f"{timeframe[4:]}-01-01 {today.isoformat()}"
    if timeframe.startswith("today "):
        count, unit = timeframe[6:].split("-")
        months = int(count) * (12 if unit == "y" else 1)
        return f"{_months_back(today, months).isoformat()} {today.isoformat()}"
    raise ConfigError(f"timeframe {timeframe!r} has no SerpApi equivalent")


def data_type(request: TrendsRequest) -> str:
    """SerpApi's ``data_type`` for a request (GEO_MAP compares terms, GEO_MAP_0 takes one)."""
    if request.operation is Operation.INTEREST_OVER_TIME:
        return "TIMESERIES"
    if request.operation is Operation.INTEREST_BY_REGION:
        return "GEO_MAP_0" if len(request.terms) == 1 else "GEO_MAP"
    if len(request.terms) != 1:
        raise ConfigError(
            f"{request.operation.value} via SerpApi takes exactly one term, not "
            f"{len(request.terms)} ({request.describe()})"
        )
    return "RELATED_QUERIES" if request.operation is Operation.RELATED_QUERIES else "RELATED_TOPICS"


def search_params(request: TrendsRequest, today: date, tz: int = 0) -> dict[str, str]:
    """The query string for a request, without the API key (added only when sending)."""
    if any("," in term for term in request.terms):
        raise ConfigError(
            f"a term contains a comma, which SerpApi reads as a term separator "
            f"({request.describe()})"
        )
    params = {
        "engine": ENGINE,
        "q": ",".join(request.terms),
        "data_type": data_type(request),
        "date": serpapi_date(request.timeframe, today),
        "tz": str(tz),
        "hl": request.hl.split("-")[0],
    }
    if request.geo:
        params["geo"] = request.geo
    if request.category:
        params["cat"] = str(request.category)
    if request.gprop.value:
        params["gprop"] = request.gprop.value
    if request.operation is Operation.INTEREST_BY_REGION and request.resolution is not None:
        params["region"] = request.resolution.value
    return params


@dataclass
class RequestsTransport:
    """HTTP GET through a ``requests`` session (tests mount a fake adapter on it)."""

    session: Any = None
    timeout: tuple[float, float] = (10.0, 90.0)

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        import requests

        from credtrends.sources.google_trends.pytrends_backend import response_from_requests

        if self.session is None:
            self.session = requests.Session()
        try:
            response = self.session.request(method, url, params=dict(params), timeout=self.timeout)
        except requests.RequestException as exc:
            # requests' message can quote the full URL, key included: never show it.
            raise ServerError(
                f"{SERVICE}: network error ({type(exc).__name__}); will retry"
            ) from None
        return response_from_requests(response)


def _error_text(body: bytes) -> str | None:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        return str(document["error"])
    return None


@dataclass
class SerpApiBackend:
    """Fetch one request from SerpApi (I/O only: no retry, no pacing, no parsing)."""

    api_key: SecretStr
    transport: Transport | None = None
    base_url: str = SERPAPI_URL
    tz: int = 0
    """Minutes west of UTC (SerpApi's default is 420); 0 keeps timestamps in UTC."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    name: str = "serpapi"

    def __post_init__(self) -> None:
        if not self.api_key.get_secret_value().strip():
            raise ConfigError(
                "the SerpApi backend needs an API key: set CREDTRENDS_SERPAPI_API_KEY "
                "(https://serpapi.com/manage-api-key)"
            )

    def __repr__(self) -> str:  # the dataclass repr would be safe (SecretStr), keep it short
        return f"SerpApiBackend(base_url={self.base_url!r}, api_key=**********)"

    def _scrub(self, text: str) -> str:
        key = self.api_key.get_secret_value()
        return text.replace(key, REDACTED) if key else text

    def _check(self, response: HttpResponse, request: TrendsRequest) -> None:
        what = request.describe()
        error = self._scrub(_error_text(response.body) or "")
        if NO_RESULTS_MARKER in error and response.status in (200, 400, 404):
            return  # "no results" is an answer (empty), whatever status it came with
        if response.status in (401, 403):
            raise SerpApiKeyRejectedError(
                f"{SERVICE} rejected the API key (HTTP {response.status}: "
                f"{error or 'no message'}); check CREDTRENDS_SERPAPI_API_KEY"
            )
        if response.status == 429:
            if "run out of searches" in error.lower():
                raise SerpApiQuotaExhaustedError(
                    f"{SERVICE}: {error} The run stopped; it resumes where it stopped once "
                    "the plan renews or more searches are bought"
                )
            raise Refused(
                f"{SERVICE} answered HTTP 429 (hourly throughput limit) to {what}"
                + (f": {error}" if error else ""),
                retry_after_s=parse_retry_after(response.header("Retry-After")),
            )
        if 500 <= response.status <= 599:
            raise ServerError(f"{SERVICE} answered HTTP {response.status} to {what}")
        if response.status != 200:
            raise SourceError(
                f"{SERVICE} answered HTTP {response.status} to {what}"
                + (f": {error}" if error else "")
            )
        if error:
            # e.g. "We couldn't get valid results for this search. Please try again later."
            raise ServerError(f"{SERVICE} could not answer {what}: {error}")
        try:
            document = json.loads(response.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidPayload(
                f"{SERVICE} answer to {what} is not JSON ({exc}); first bytes: "
                f"{self._scrub(repr(response.body[:60]))}"
            ) from None
        if not isinstance(document, dict):
            raise InvalidPayload(f"{SERVICE} answer to {what} is not a JSON object")

    def fetch(self, request: TrendsRequest) -> RawPayload:
        fetched_at = self.clock()
        params = search_params(request, fetched_at.date(), self.tz)
        transport = self.transport or RequestsTransport()
        self.transport = transport
        response = transport(
            "GET", self.base_url, {**params, "api_key": self.api_key.get_secret_value()}
        )
        self._check(response, request)
        key = self.api_key.get_secret_value().encode("utf-8")
        body = response.body.replace(key, REDACTED.encode("ascii")) if key else response.body
        return RawPayload(
            request=request,
            body=body,
            content_type=CONTENT_TYPE_SERPAPI_JSON,
            backend=self.name,
            fetched_at=fetched_at,
        )
