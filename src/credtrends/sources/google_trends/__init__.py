"""Google Trends source: typed requests, pluggable backends, pure parsers, polite fetching.

Usage::

    request = make_request(operation="interest_over_time", terms=["welding course"], geo="CA")
    raw = PoliteFetcher(PytrendsBackend()).fetch(request)   # I/O only, keyed by request_key
    frame = parse_payload(raw)                                # pure, re-runnable offline
"""

from credtrends.sources.google_trends.client import (
    CONTENT_TYPE_SERPAPI_JSON,
    CONTENT_TYPE_WEB_CSV,
    CONTENT_TYPE_WIDGET_BUNDLE,
    CaptchaChallenge,
    RawPayload,
    Refused,
    RunStopped,
    ServerError,
    TrendsBackend,
)
from credtrends.sources.google_trends.pacing import (
    BatchRunResult,
    FailedRequest,
    IncompleteRunError,
    PacingPolicy,
    PoliteFetcher,
    remaining_requests,
    run_batches,
)
from credtrends.sources.google_trends.parse import parse_payload
from credtrends.sources.google_trends.pytrends_backend import PytrendsBackend
from credtrends.sources.google_trends.request import (
    Gprop,
    Operation,
    Resolution,
    TrendsRequest,
    make_request,
)
from credtrends.sources.google_trends.schemas import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    schema_for,
)
from credtrends.sources.google_trends.serpapi_backend import SerpApiBackend
from credtrends.sources.google_trends.web_csv import import_web_csv

__all__ = [
    "CONTENT_TYPE_SERPAPI_JSON",
    "CONTENT_TYPE_WEB_CSV",
    "CONTENT_TYPE_WIDGET_BUNDLE",
    "INTEREST_BY_REGION_SCHEMA",
    "INTEREST_OVER_TIME_SCHEMA",
    "RELATED_SCHEMA",
    "BatchRunResult",
    "CaptchaChallenge",
    "FailedRequest",
    "Gprop",
    "IncompleteRunError",
    "Operation",
    "PacingPolicy",
    "PoliteFetcher",
    "PytrendsBackend",
    "RawPayload",
    "Refused",
    "Resolution",
    "RunStopped",
    "SerpApiBackend",
    "ServerError",
    "TrendsBackend",
    "TrendsRequest",
    "import_web_csv",
    "make_request",
    "parse_payload",
    "remaining_requests",
    "run_batches",
    "schema_for",
]
