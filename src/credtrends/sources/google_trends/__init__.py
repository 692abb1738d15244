"""Google Trends source: typed requests, pluggable backends, pure parsers, polite fetching.

Usage::

    request = make_request(operation="interest_over_time", terms=["welding course"], geo="CA")
    raw = PoliteFetcher(PytrendsBackend()).fetch(request)   # I/O only, keyed by request_key
    frame = parse_payload(raw)                                # pure, re-runnable offline
"""

from credtrends.sources.google_trends.client import (
    CONTENT_TYPE_WEB_CSV,
    CONTENT_TYPE_WIDGET_BUNDLE,
    RawPayload,
    ServerError,
    TrendsBackend,
)
from credtrends.sources.google_trends.pacing import (
    BatchRunResult,
    PacingPolicy,
    PoliteFetcher,
    remaining_requests,
    run_batches,
)
from credtrends.sources.google_trends.parse import parse_payload, schema_for
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
)
from credtrends.sources.google_trends.web_csv import import_web_csv

__all__ = [
    "CONTENT_TYPE_WEB_CSV",
    "CONTENT_TYPE_WIDGET_BUNDLE",
    "INTEREST_BY_REGION_SCHEMA",
    "INTEREST_OVER_TIME_SCHEMA",
    "RELATED_SCHEMA",
    "BatchRunResult",
    "Gprop",
    "Operation",
    "PacingPolicy",
    "PoliteFetcher",
    "PytrendsBackend",
    "RawPayload",
    "Resolution",
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
