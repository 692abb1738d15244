"""Plumbing shared by the StatCan, Job Bank and portal connectors.

Nothing here knows about a particular source: polite HTTP (the one polite fetcher of
``polite`` around an HTTP backend), a parse report, and the text decoding every CSV
importer needs. Payloads are ``payload.RawPayload`` (re-exported here as
``SourcePayload``), the one payload type of every source.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import polars as pl

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.payload import RawPayload, SourcePayload, SourceRequest, request_key
from credtrends.sources.polite import PacingPolicy, PoliteFetcher, Refused, ServerError

__all__ = [
    "USER_AGENT",
    "HttpBackend",
    "HttpCall",
    "HttpResponse",
    "HttpSession",
    "ParseReport",
    "PoliteHttp",
    "SourcePayload",
    "decode_text",
    "default_session",
    "read_csv_frame",
    "request_key",
    "resolve_aliases",
    "sniff_delimiter",
]

USER_AGENT = "credtrends/0.1 (+https://github.com/credtrends; labour-market research)"


@dataclass
class ParseReport:
    """What a parser kept and what it skipped, and why: nothing disappears silently."""

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] += count

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        """One line for logs and the CLI."""
        parts = [f"{self.source}: {self.rows_read} rows read, {self.rows_kept} kept"]
        if self.skipped:
            why = ", ".join(f"{reason}={n}" for reason, n in sorted(self.skipped.items()))
            parts.append(f"skipped {self.rows_skipped} ({why})")
        parts.extend(self.notes)
        return "; ".join(parts)


# --- HTTP ----------------------------------------------------------------------------------


class HttpResponse(Protocol):
    """The part of ``requests.Response`` we use (tests pass simple fakes)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class HttpSession(Protocol):
    """The part of ``requests.Session`` we use, injected so tests never touch the network."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str] | None = ...,
        timeout: float | tuple[float, float] | None = ...,
    ) -> HttpResponse: ...


def default_session() -> HttpSession:
    """A ``requests.Session`` with our User-Agent; imported lazily to keep parsing import-light."""
    import requests

    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT})
    return session


class HttpCall(NamedTuple):
    """What to send, and the backend name its payload records."""

    request: SourceRequest
    backend: str


@dataclass
class HttpBackend:
    """One HTTP request, I/O only: the body untouched, or the error the polite fetcher
    needs (``Refused`` for 429, ``ServerError`` for 5xx and network trouble: retried)."""

    source: str
    session: HttpSession
    timeout_s: tuple[float, float]
    name: str = "http"

    def fetch(self, call: HttpCall) -> SourcePayload:
        sent, backend = call
        url = sent.url
        try:
            response = self.session.request(
                sent.method,
                url,
                params=dict(sent.params) if sent.params else None,
                json=sent.json_body,
                headers={"Accept": "*/*"},
                timeout=self.timeout_s,
            )
        except Exception as exc:  # requests raises many types; all mean "network trouble"
            if isinstance(exc, SourceError):
                raise
            raise ServerError(
                f"{self.source}: network error calling {url} ({type(exc).__name__}: {exc})"
            ) from exc
        status = response.status_code
        if status == 429:
            raise Refused(
                f"{self.source}: HTTP 429 (too many requests) from {url}; try again later"
            )
        if 500 <= status <= 599:
            raise ServerError(f"{self.source}: HTTP {status} from {url}")
        if status != 200:
            raise SourceError(
                f"{self.source}: HTTP {status} from {url}; retrying will not help "
                "(check the table id, dataset id or URL)"
            )
        content_type = response.headers.get("Content-Type", "") or "application/octet-stream"
        return RawPayload(sent, response.content, content_type[:64], backend)


@dataclass
class PoliteHttp:
    """HTTP for the StatCan, Job Bank and portal connectors through the one polite fetcher
    (``polite.PoliteFetcher``): timeouts, bounded retries with tenacity's exponential
    backoff + jitter on 429/5xx, requests spaced by ``min_interval_s``, clear errors.

    One instance per job run. ``sleep`` and ``clock`` are injectable so tests run instantly.
    """

    source: str
    session: HttpSession = field(default_factory=default_session)
    timeout_s: tuple[float, float] = (10.0, 120.0)
    max_attempts: int = 4
    backoff_initial_s: float = 5.0
    backoff_max_s: float = 120.0
    min_interval_s: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _fetcher: PoliteFetcher[HttpCall, SourcePayload] = field(init=False)

    def __post_init__(self) -> None:
        policy = PacingPolicy(
            min_interval_s=self.min_interval_s,
            jitter_s=0.0,
            max_attempts=self.max_attempts,
            backoff_initial_s=self.backoff_initial_s,
            backoff_max_s=self.backoff_max_s,
            backoff_jitter_s=self.backoff_initial_s / 4,
            storm_threshold=sys.maxsize,  # a 429 is retried, then reported; never a storm
            service=self.source,
        )
        backend = HttpBackend(self.source, self.session, self.timeout_s)
        self._fetcher = PoliteFetcher(backend, policy, clock=self.clock, sleep=self.sleep)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        backend: str,
    ) -> SourcePayload:
        """Send one request politely and return the body untouched, keyed for landing."""
        sent = SourceRequest(method.upper(), url, dict(params or {}), json_body)
        try:
            return self._fetcher.fetch(HttpCall(sent, backend))
        except RateLimited as exc:
            raise RateLimited(f"{exc} (gave up after {self.max_attempts} attempts)") from exc
        except ServerError as exc:
            raise SourceError(f"{exc} (gave up after {self.max_attempts} attempts)") from exc


def resolve_aliases(
    lookup: Mapping[str, str], aliases: Mapping[str, Sequence[str]], key: Callable[[str], str]
) -> dict[str, str]:
    """Our field -> the file's column: per field, the first of its aliases the file has
    (``lookup`` maps ``key(column)`` to the column as written)."""
    resolved: dict[str, str] = {}
    for field_name, names in aliases.items():
        hit = next((lookup[key(name)] for name in names if key(name) in lookup), None)
        if hit is not None:
            resolved[field_name] = hit
    return resolved


# --- text decoding ---------------------------------------------------------------------------


def decode_text(body: bytes, what: str, report: ParseReport | None = None) -> str:
    """Decode a CSV the way public Canadian files come: UTF-8 (BOM or not), UTF-16, Latin-1.

    UTF-16 needs its BOM (Job Bank's files have one); bytes that are not valid UTF-8 are read
    as Windows-1252 (a superset of Latin-1 used by French exports) and the report says so.
    """
    if not body.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InvalidPayload(f"{what}: the file is empty")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return body.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidPayload(f"{what}: has a UTF-16 mark but is not UTF-16 ({exc})") from exc
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    elif len(body) >= 4 and body[1] == 0 and body[3] == 0 and body[0] != 0:
        # UTF-16-LE without a BOM: every other byte of ASCII text is zero.
        try:
            return body.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
        if report is not None:
            report.notes.append("decoded as Windows-1252/Latin-1 (not UTF-8)")
        return text


def sniff_delimiter(header_line: str, expected: tuple[str, ...], what: str) -> str:
    """The delimiter of a header line, or InvalidPayload naming what was found instead."""
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InvalidPayload(f"{what}: the header line has no delimiter: {header_line[:80]!r}")
    if best not in expected:
        names = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
        wanted = " or ".join(names[d] for d in expected)
        raise InvalidPayload(f"{what}: wrong delimiter: expected {wanted}, found {names[best]}")
    return best


def read_csv_frame(text: str, delimiter: str, what: str) -> pl.DataFrame:
    """Every column as text (values are parsed by us, not guessed); ragged rows are errors.

    Headers are stripped of BOMs and surrounding spaces; wholly empty lines are dropped.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InvalidPayload(f"{what}: not a readable CSV ({exc}); nothing was loaded") from exc
    if not rows:
        raise InvalidPayload(f"{what}: the file is empty")
    header = [cell.strip().lstrip("\ufeff").strip() for cell in rows[0]]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InvalidPayload(f"{what}: duplicated column names {dupes}")
    body = rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise InvalidPayload(
                f"{what}: record {number} has {len(row)} fields, the header has "
                f"{len(header)} (a stray delimiter or quote?); nothing was loaded"
            )
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    return pl.DataFrame(
        {
            name: pl.Series(name, list(values), dtype=pl.Utf8)
            for name, values in zip(header, columns, strict=True)
        }
    )
