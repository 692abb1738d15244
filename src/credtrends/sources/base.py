"""Plumbing shared by the StatCan, Job Bank and portal connectors.

Nothing here knows about a particular source: a raw payload envelope keyed for
``raw_payloads``, polite HTTP with retries, a parse report, and the text decoding every CSV
importer needs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import polars as pl
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from credtrends.errors import InvalidPayload, RateLimited, SourceError

USER_AGENT = "credtrends/0.1 (+https://github.com/credtrends; labour-market research)"


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


@dataclass(frozen=True, slots=True)
class SourcePayload:
    """Bytes exactly as received (or as read from a file), plus what produced them.

    Maps one-to-one onto a ``raw_payloads`` row: ``request_key``, ``backend``, ``request``
    (JSON), ``content_type``, ``payload``; the loader adds the provenance columns.
    """

    body: bytes
    content_type: str
    backend: str
    request: Mapping[str, Any]
    request_key: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source_name: str = ""
    """File name for imports (used in error messages), empty for network fetches."""

    def label(self) -> str:
        """Where this payload came from, for error messages a user can act on."""
        if self.source_name:
            return self.source_name
        return f"{self.backend} {self.request.get('url', '')}".strip()

    @classmethod
    def from_file(cls, name: str, body: bytes, *, backend: str, content_type: str) -> SourcePayload:
        """Wrap an imported file; its key hashes the content so re-imports are idempotent."""
        digest = hashlib.sha256(body).hexdigest()
        request = {"method": "FILE", "url": f"file:{name}", "sha256": digest}
        return cls(
            body=body,
            content_type=content_type,
            backend=backend,
            request=request,
            request_key=request_key("FILE", f"file:{name}", {"sha256": digest}),
            source_name=name,
        )


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


class RetryableHttpError(SourceError):
    """HTTP 5xx or a broken connection: worth retrying, unlike other SourceErrors."""


class _RateLimitedRetry(RateLimited):
    """HTTP 429 inside the retry loop (re-raised as plain RateLimited when retries are out)."""


def default_session() -> HttpSession:
    """A ``requests.Session`` with our User-Agent; imported lazily to keep parsing import-light."""
    import requests

    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT})
    return session


@dataclass
class PoliteHttp:
    """Timeouts, bounded retries with exponential backoff + jitter on 429/5xx, clear errors.

    One instance per job run. ``sleep`` and ``rng_jitter`` are injectable so tests run
    instantly; ``min_interval_s`` spaces consecutive requests to the same service.
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
    _last_start: float | None = field(default=None, init=False)

    def _wait(self, state: RetryCallState) -> float:
        exponent = max(state.attempt_number - 1, 0)
        base = min(self.backoff_max_s, self.backoff_initial_s * 2**exponent)
        # Deterministic "jitter" from the attempt number keeps tests reproducible while
        # still spreading retries of parallel jobs (they start at different times).
        return float(base) * (1.0 + 0.25 * ((state.attempt_number * 7919) % 4) / 4)

    def _pace(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self.min_interval_s - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _once(
        self, method: str, url: str, params: Mapping[str, Any] | None, body: Any
    ) -> HttpResponse:
        self._pace()
        try:
            response = self.session.request(
                method,
                url,
                params=dict(params) if params else None,
                json=body,
                headers={"Accept": "*/*"},
                timeout=self.timeout_s,
            )
        except Exception as exc:  # requests raises many types; all mean "network trouble"
            if isinstance(exc, SourceError):
                raise
            raise RetryableHttpError(
                f"{self.source}: network error calling {url} ({type(exc).__name__}: {exc})"
            ) from exc
        status = response.status_code
        if status == 429:
            raise _RateLimitedRetry(
                f"{self.source}: HTTP 429 (too many requests) from {url}; try again later"
            )
        if 500 <= status <= 599:
            raise RetryableHttpError(f"{self.source}: HTTP {status} from {url}")
        if status != 200:
            raise SourceError(
                f"{self.source}: HTTP {status} from {url}; retrying will not help "
                "(check the table id, dataset id or URL)"
            )
        return response

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
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type((RetryableHttpError, _RateLimitedRetry)),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            response = retrying(self._once, method, url, params, json_body)
        except _RateLimitedRetry as exc:
            raise RateLimited(f"{exc} (gave up after {self.max_attempts} attempts)") from exc
        except RetryableHttpError as exc:
            raise SourceError(f"{exc} (gave up after {self.max_attempts} attempts)") from exc
        content_type = response.headers.get("Content-Type", "") or "application/octet-stream"
        return SourcePayload(
            body=response.content,
            content_type=content_type[:64],
            backend=backend,
            request={
                "method": method.upper(),
                "url": url,
                "params": dict(params or {}),
                "json": json_body,
            },
            request_key=request_key(method, url, params, json_body),
        )


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
