"""The one raw payload every source returns and ``pipelines.landing.land`` keeps.

A payload is the bytes exactly as received (or as read from a file) plus the request that
produced them. The request says how it is keyed in ``raw_payloads`` (``request_key``), what
is stored as its JSON (``record``) and how a person names it (``describe``): a Google Trends
``TrendsRequest``, or a ``SourceRequest`` for the HTTP downloads and imported files of
StatCan, Job Bank and the portals. Parsers are typed on the request they need
(``RawPayload[TrendsRequest]``, ``RawPayload[SourceRequest]``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar


def request_key(
    method: str, url: str, params: Mapping[str, Any] | None = None, body: Any = None
) -> str:
    """sha256 of method + URL + sorted params (+ JSON body): the ``raw_payloads`` key.

    The same request always gives the same key, so a re-fetch overwrites rather than piles up
    and a parser fix can re-parse what is landed without the network.
    """
    canonical = json.dumps(
        {
            "method": method.upper(),
            "url": url,
            "params": dict(sorted((params or {}).items())),
            "body": body,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LandingRequest(Protocol):
    """What a payload's request must say for it to be landed and named."""

    @property
    def request_key(self) -> str: ...

    def record(self) -> dict[str, Any]:
        """The request as JSON for ``raw_payloads.request``."""
        ...

    def describe(self) -> str:
        """The request in words for messages; empty when the payload's name says it all."""
        ...


RequestT_co = TypeVar("RequestT_co", bound=LandingRequest, covariant=True)


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """An HTTP request of a StatCan, Job Bank or portal download, or an imported file
    (method ``FILE``, URL ``file:NAME``, the content's sha256 as its one parameter, so a
    re-import of the same bytes is the same row)."""

    method: str
    url: str
    params: Mapping[str, Any] = field(default_factory=dict)
    json_body: Any = None

    @property
    def request_key(self) -> str:
        return request_key(self.method, self.url, self.params, self.json_body)

    def record(self) -> dict[str, Any]:
        if self.method == "FILE":
            return {"method": "FILE", "url": self.url, **self.params}
        return {
            "method": self.method.upper(),
            "url": self.url,
            "params": dict(self.params),
            "json": self.json_body,
        }

    def describe(self) -> str:
        return "" if self.method == "FILE" else self.url


@dataclass(frozen=True)  # no slots: built through ``RawPayload[TrendsRequest](...)`` aliases
class RawPayload(Generic[RequestT_co]):
    """What a source received for one request, exactly as received.

    ``body`` is kept as bytes (never decoded and re-encoded) so the landing table stores
    what the service sent; ``request_key`` ties it to the request that produced it. Maps
    one-to-one onto a ``raw_payloads`` row; the loader adds the provenance columns.
    """

    request: RequestT_co
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

    def record(self) -> dict[str, Any]:
        """The request as stored, with the file name an import came from."""
        return {**self.request.record(), "source_name": self.source_name}

    def label(self) -> str:
        """Where this payload came from, for error messages a user can act on."""
        where = self.source_name or self.backend
        detail = self.request.describe()
        return f"{where} ({detail})" if detail else where

    @classmethod
    def from_file(
        cls, name: str, body: bytes, *, backend: str, content_type: str
    ) -> RawPayload[SourceRequest]:
        """Wrap an imported file; its key hashes the content so re-imports are idempotent."""
        digest = hashlib.sha256(body).hexdigest()
        request = SourceRequest("FILE", f"file:{name}", {"sha256": digest})
        return RawPayload(request, body, content_type, backend, source_name=name)


SourcePayload = RawPayload[SourceRequest]
"""A StatCan, Job Bank or portal payload (an HTTP answer or an imported file)."""
