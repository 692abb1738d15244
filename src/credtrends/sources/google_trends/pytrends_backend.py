"""The default backend: Google's own widget endpoints, reached the way pytrends reaches them.

pytrends returns pandas frames built from Google's JSON, which loses the raw response (and
with it ``hasData``, ``formattedValue`` and the token request that says which term is which
column). So this backend borrows pytrends' endpoint URLs and cookie handshake but performs
the two-step protocol itself and keeps every body verbatim:

1. ``POST /trends/api/explore`` -> widgets, each with a ``request`` and a signed ``token``;
2. ``GET /trends/api/widgetdata/{multiline|comparedgeo|relatedsearches}`` per widget.

Both bodies (with their ``)]}'`` anti-JSON-hijacking prefixes) go into one JSON envelope,
content type ``CONTENT_TYPE_WIDGET_BUNDLE``, which ``parse.parse_payload`` reads back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credtrends.errors import ConfigError, InvalidPayload
from credtrends.sources.google_trends.client import (
    CONTENT_TYPE_WIDGET_BUNDLE,
    RawPayload,
    ServerError,
    Transport,
)
from credtrends.sources.google_trends.client import (
    HttpResponse as HttpResponse,  # re-exported: tests and older callers import it here
)
from credtrends.sources.google_trends.faults import check_google_response
from credtrends.sources.google_trends.request import Operation, TrendsRequest

BASE_TRENDS_URL = "https://trends.google.com/trends"
EXPLORE_URL = f"{BASE_TRENDS_URL}/api/explore"
MULTILINE_URL = f"{BASE_TRENDS_URL}/api/widgetdata/multiline"
COMPAREDGEO_URL = f"{BASE_TRENDS_URL}/api/widgetdata/comparedgeo"
RELATEDSEARCHES_URL = f"{BASE_TRENDS_URL}/api/widgetdata/relatedsearches"
"""Same endpoints as ``pytrends.request.TrendReq`` (v4.9.2); kept here so that importing
this module does not import pandas."""

BUNDLE_FORMAT = "credtrends.trends-widgets/v1"


@dataclass
class PytrendsSessionTransport:
    """HTTP through ``requests`` with the NID cookie pytrends obtains from Google.

    The pytrends ``TrendReq`` is created lazily, on the first call, because its constructor
    already goes to the network. A ``session`` passed in (tests mount a fake adapter on one)
    is used as is, with ``cookies``, and no handshake.
    """

    hl: str = "en-US"
    tz: int = 0
    timeout: tuple[float, float] = (5.0, 25.0)
    proxies: tuple[str, ...] = ()
    session: Any = field(default=None, repr=False)
    cookies: dict[str, str] = field(default_factory=dict, repr=False)
    _ready: bool = field(default=False, init=False, repr=False)

    def _ensure_session(self) -> None:
        if self._ready:
            return
        if self.session is not None:
            self._ready = True
            return
        import requests
        from pytrends.request import TrendReq

        try:
            trend_req = TrendReq(
                hl=self.hl, tz=self.tz, timeout=self.timeout, proxies=list(self.proxies)
            )
        except requests.RequestException as exc:
            raise ServerError(f"Google Trends: could not open a session ({exc})") from exc
        self.cookies = dict(trend_req.cookies)
        session = requests.Session()
        session.headers.update({"accept-language": self.hl})
        if self.proxies:
            session.proxies.update({"https": self.proxies[0]})
        self.session = session
        self._ready = True

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        import requests

        self._ensure_session()
        try:
            response = self.session.request(
                method, url, params=dict(params), cookies=self.cookies, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise ServerError(f"Google Trends: network error calling {url} ({exc})") from exc
        return response_from_requests(response)


def response_from_requests(response: Any) -> HttpResponse:
    """Keep status, headers, final URL and redirect chain of a ``requests.Response``.

    pytrends threw these away; without them ``Retry-After`` and a 302 to ``/sorry/`` are lost.
    """
    return HttpResponse(
        status=int(response.status_code),
        body=bytes(response.content),
        content_type=str(response.headers.get("Content-Type", "")),
        headers=dict(response.headers),
        url=str(response.url or ""),
        redirects=tuple(str(r.headers.get("Location", "")) for r in response.history),
    )


def strip_json_prefix(text: str) -> str:
    """Remove Google's ``)]}'`` (explore) or ``)]}',`` (widgetdata) prefix if present."""
    stripped = text.lstrip("\ufeff")
    if stripped.startswith(")]}'"):
        stripped = stripped[4:]
        if stripped.startswith(","):
            stripped = stripped[1:]
    return stripped


def _check_status(response: HttpResponse, what: str) -> None:
    check_google_response(response, what, service="Google Trends")


def _body_field(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        return {"body_b64": base64.b64encode(body).decode("ascii")}


_WIDGET_PREFIX: dict[Operation, str] = {
    Operation.INTEREST_OVER_TIME: "TIMESERIES",
    Operation.INTEREST_BY_REGION: "GEO_MAP",
    Operation.RELATED_QUERIES: "RELATED_QUERIES",
    Operation.RELATED_TOPICS: "RELATED_TOPICS",
}

_WIDGET_URL: dict[Operation, str] = {
    Operation.INTEREST_OVER_TIME: MULTILINE_URL,
    Operation.INTEREST_BY_REGION: COMPAREDGEO_URL,
    Operation.RELATED_QUERIES: RELATEDSEARCHES_URL,
    Operation.RELATED_TOPICS: RELATEDSEARCHES_URL,
}


def select_widgets(operation: Operation, widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The explore widgets that answer ``operation``, in Google's order.

    For region requests this is the combined ``GEO_MAP`` (shares between terms when several
    are compared) followed by each term's own ``GEO_MAP_i``; both are needed to put region
    values of several terms on one scale.
    """
    prefix = _WIDGET_PREFIX[operation]
    chosen = []
    for widget in widgets:
        widget_id = str(widget.get("id", ""))
        if "token" not in widget or "request" not in widget:
            continue
        if widget_id == prefix or (
            widget_id.startswith(prefix + "_") and widget_id[len(prefix) + 1 :].isdigit()
        ):
            chosen.append(widget)
    return chosen


@dataclass
class PytrendsBackend:
    """Fetch raw widget JSON for one request (I/O only: no retry, no pacing, no parsing)."""

    transport: Transport | None = None
    hl: str = "en-US"
    tz: int = 0
    """Minutes west of UTC, as pytrends' ``tz``; 0 keeps Google's timestamps in UTC."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    name: str = "pytrends"

    def _transport(self) -> Transport:
        if self.transport is None:
            self.transport = PytrendsSessionTransport(hl=self.hl, tz=self.tz)
        return self.transport

    def _explore(self, request: TrendsRequest) -> tuple[bytes, list[dict[str, Any]]]:
        if request.category is None:
            raise ConfigError(
                f"{request.describe()} names its category only as {request.category_name!r}; "
                "a live request needs the category id"
            )
        comparison = [
            {"keyword": term, "time": request.timeframe, "geo": geo}
            for term, geo in zip(request.terms, request.term_geos, strict=True)
        ]
        req = {
            "comparisonItem": comparison,
            "category": request.category,
            "property": request.gprop.value,
        }
        params = {"hl": request.hl, "tz": str(self.tz), "req": json.dumps(req)}
        response = self._transport()("POST", EXPLORE_URL, params)
        _check_status(response, f"explore for {request.describe()}")
        try:
            document = json.loads(strip_json_prefix(response.body.decode("utf-8")))
            widgets = document["widgets"]
            if not isinstance(widgets, list):
                raise TypeError("widgets is not a list")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise InvalidPayload(
                f"Google Trends explore answer for {request.describe()} is not the widget "
                f"JSON it documents ({type(exc).__name__}: {exc}); first bytes: "
                f"{response.body[:60]!r}"
            ) from exc
        return response.body, [w for w in widgets if isinstance(w, dict)]

    def fetch(self, request: TrendsRequest) -> RawPayload:
        explore_body, widgets = self._explore(request)
        chosen = select_widgets(request.operation, widgets)
        if not chosen:
            raise InvalidPayload(
                f"Google Trends explore answer for {request.describe()} has no "
                f"{_WIDGET_PREFIX[request.operation]} widget with a token (a degraded answer)"
            )
        url = _WIDGET_URL[request.operation]
        widget_entries: list[dict[str, Any]] = []
        for widget in chosen:
            widget_request = dict(widget["request"])
            if request.operation is Operation.INTEREST_BY_REGION and request.resolution:
                widget_request["resolution"] = request.resolution.value
                widget_request["includeLowSearchVolumeGeos"] = False
            params = {
                "req": json.dumps(widget_request),
                "token": str(widget["token"]),
                "tz": str(self.tz),
                "hl": request.hl,
            }
            response = self._transport()("GET", url, params)
            _check_status(response, f"{widget.get('id')} for {request.describe()}")
            widget_entries.append(
                {
                    "id": widget.get("id"),
                    "request": widget_request,
                    "status": response.status,
                    "content_type": response.content_type,
                    **_body_field(response.body),
                }
            )
        bundle = {
            "format": BUNDLE_FORMAT,
            "operation": request.operation.value,
            "hl": request.hl,
            "tz": self.tz,
            "explore": _body_field(explore_body),
            "widgets": widget_entries,
        }
        body = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return RawPayload(
            request=request,
            body=body,
            content_type=CONTENT_TYPE_WIDGET_BUNDLE,
            backend=self.name,
            fetched_at=self.clock(),
        )
