"""Typed Google Trends requests and the stable key raw payloads are landed under.

A request is validated eagerly (at the ingestion boundary) so that a hostile or mistyped term
never reaches Google or the warehouse, and so that two spellings of the same request
(``["a", "b"]`` from YAML, ``("a", "b")`` from code) hash to the same ``request_key``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from credtrends.errors import ConfigError

MAX_TERMS = 5
"""Google rejects a sixth comparison item with HTTP 400."""

MAX_TERM_LENGTH = 300
"""A topic is one OR query of its search terms (``a + b + c``); five of the shipped topics
are 101-121 characters, which the former limit of 100 refused, so `ingest trends` failed on
the shipped catalogue. 300 leaves room for such queries and still refuses abuse."""

REQUEST_KEY_VERSION = 1
"""Bump when the canonical form changes, so old and new keys never collide silently."""


class Operation(StrEnum):
    """What is asked of Google Trends; one widget endpoint each."""

    INTEREST_OVER_TIME = "interest_over_time"
    INTEREST_BY_REGION = "interest_by_region"
    RELATED_QUERIES = "related_queries"
    RELATED_TOPICS = "related_topics"


class Gprop(StrEnum):
    """Google property searched (``gprop`` in pytrends, ``property`` in the API)."""

    WEB = ""
    IMAGES = "images"
    NEWS = "news"
    YOUTUBE = "youtube"
    FROOGLE = "froogle"


class Resolution(StrEnum):
    """Sub-region level for interest by region (``COUNTRY`` for CA among countries)."""

    COUNTRY = "COUNTRY"
    REGION = "REGION"
    DMA = "DMA"
    CITY = "CITY"


_GEO_RE = re.compile(r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,3}(?:-\d{3})?)?)?$")
"""'' (worldwide), a country, a subdivision (CA-ON) or a US metro (US-PA-504, Nielsen DMA)."""
_PRESET_RE = re.compile(
    r"^(?:all|all_20\d\d|today (?:[1-9]|1[0-2])-m|today [1-9]\d?-y|now (?:1|4)-H|now (?:1|7)-d)$"
)
_ABS_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{4}-\d{2}-\d{2})$")
_ABS_HOUR_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}) (\d{4}-\d{2}-\d{2})T(\d{2})$")


def _reject(message: str) -> ConfigError:
    return ConfigError(f"Google Trends request: {message}")


def normalise_term(raw: str) -> str:
    """Return the canonical spelling of a search term, or raise ConfigError saying why not.

    NFC-normalises and collapses whitespace (so "data  science" and "data science" are one
    term), and refuses control/format characters: they are invisible in a dashboard, can
    smuggle CSV or terminal escapes, and Google would treat them as different queries.
    """
    if not isinstance(raw, str):
        raise _reject(f"term {raw!r} is not text")
    term = " ".join(unicodedata.normalize("NFC", raw).split())
    if not term:
        raise _reject("a term is empty or only whitespace")
    for char in term:
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise _reject(
                f"term {term[:40]!r} contains the control or invisible character "
                f"U+{ord(char):04X}; remove it"
            )
    if len(term) > MAX_TERM_LENGTH:
        raise _reject(
            f"term {term[:40]!r}... is {len(term)} characters long; at most "
            f"{MAX_TERM_LENGTH} are allowed"
        )
    return term


def _check_timeframe(value: str) -> str:
    value = " ".join(value.split())
    if _PRESET_RE.match(value):
        return value
    match = _ABS_DATE_RE.match(value)
    if match:
        try:
            start, end = (date.fromisoformat(part) for part in match.groups())
        except ValueError as exc:
            raise _reject(f"timeframe {value!r} has an impossible date ({exc})") from exc
        if start >= end:
            raise _reject(f"timeframe {value!r} must start before it ends")
        if start < date(2004, 1, 1):
            raise _reject(f"timeframe {value!r} starts before 2004-01-01, where Trends begins")
        return value
    match = _ABS_HOUR_RE.match(value)
    if match:
        start_day, start_hour, end_day, end_hour = match.groups()
        try:
            start_key = (date.fromisoformat(start_day), int(start_hour))
            end_key = (date.fromisoformat(end_day), int(end_hour))
        except ValueError as exc:
            raise _reject(f"timeframe {value!r} has an impossible date ({exc})") from exc
        if not (0 <= start_key[1] < 24 and 0 <= end_key[1] < 24) or start_key >= end_key:
            raise _reject(f"timeframe {value!r} is not a valid hourly window")
        return value
    raise _reject(
        f"timeframe {value[:60]!r} is not understood; use a preset such as 'today 5-y', "
        "'today 12-m', 'now 7-d', 'all', or 'YYYY-MM-DD YYYY-MM-DD'"
    )


class TrendsRequest(BaseModel):
    """One Google Trends request: up to five terms compared in one geo and window.

    Terms keep their order (it is the order of Google's ``value[]`` arrays) but must be
    distinct. ``request_key`` identifies the request across runs and machines.

    ``geos`` (empty for a normal request) makes it a multi-geo comparison: term i is asked
    in ``geos[i]`` (Google's per-item geo), all on one common scale; a term may then repeat
    with different geos, and ``geo`` is the scope they share ("CA" for CA-ON and CA-QC,
    else ''). ``category`` is None only for a web export whose category is named in a
    language or at a depth we have no id for; ``category_name`` then keeps it as written.
    Both extra fields enter ``canonical_json`` only when set, so other keys never change.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: Operation
    terms: tuple[str, ...]
    geo: str = ""
    timeframe: str = "today 5-y"
    category: int | None = 0
    category_name: str = ""
    geos: tuple[str, ...] = ()
    gprop: Gprop = Gprop.WEB
    resolution: Resolution | None = None
    hl: str = "en-US"

    @field_validator("terms", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise _reject("terms must be a list of 1 to 5 search terms")
        if not 1 <= len(value) <= MAX_TERMS:
            raise _reject(
                f"{len(value)} terms given; a request compares 1 to {MAX_TERMS} terms "
                "(larger sets are planned in rounds by calibration_plan.next_round)"
            )
        return tuple(normalise_term(item) for item in value)

    @field_validator("geo", mode="before")
    @classmethod
    def _geo(cls, value: Any) -> str:
        return _check_geo(value)

    @field_validator("geos", mode="before")
    @classmethod
    def _geos(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise _reject("geos must be a list of geo codes, one per term")
        return tuple(_check_geo(item) for item in value)

    @field_validator("timeframe", mode="before")
    @classmethod
    def _timeframe(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise _reject("timeframe must be text such as 'today 5-y'")
        return _check_timeframe(value)

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99_999:
            raise _reject(f"category {value!r} must be a Google category id (0 = all)")
        return value

    @field_validator("category_name", mode="before")
    @classmethod
    def _category_name(cls, value: Any) -> str:
        if not isinstance(value, str) or len(value) > MAX_TERM_LENGTH:
            raise _reject("category_name must be a short text")
        return unicodedata.normalize("NFC", " ".join(value.split()))

    @field_validator("hl", mode="before")
    @classmethod
    def _hl(cls, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}(?:-[A-Z]{2})?", value):
            raise _reject(f"hl {str(value)[:20]!r} must be a language tag such as 'en-US'")
        return value

    @model_validator(mode="after")
    def _distinct_items(self) -> TrendsRequest:
        if self.geos and len(self.geos) != len(self.terms):
            raise _reject(f"{len(self.geos)} geos given for {len(self.terms)} terms")
        if self.geos and self.operation is not Operation.INTEREST_OVER_TIME:
            raise _reject("per-term geos only apply to interest_over_time")
        if self.category is None and not self.category_name:
            raise _reject("a request without a category id must name its category")
        seen: set[tuple[str, str]] = set()
        for term, geo in zip(self.terms, self.geos or (self.geo,) * len(self.terms), strict=True):
            if (term.casefold(), geo) in seen:
                where = f" in geo {geo!r}" if self.geos else ""
                raise _reject(f"term {term!r} is given twice{where} (Google ignores case)")
            seen.add((term.casefold(), geo))
        return self

    @property
    def term_geos(self) -> tuple[str, ...]:
        """The geo each term was asked in (``geos``, or ``geo`` for every term)."""
        return self.geos or (self.geo,) * len(self.terms)

    @model_validator(mode="after")
    def _resolution_only_for_regions(self) -> TrendsRequest:
        if self.resolution is not None and self.operation is not Operation.INTEREST_BY_REGION:
            raise _reject("resolution only applies to interest_by_region")
        if self.operation is Operation.RELATED_TOPICS and len(self.terms) != 1:
            raise _reject(
                "related_topics takes exactly one term: Google returns no related topics "
                "when terms are compared"
            )
        if self.operation is Operation.INTEREST_BY_REGION and self.resolution is None:
            default = Resolution.COUNTRY if self.geo == "" else Resolution.REGION
            object.__setattr__(self, "resolution", default)
        return self

    def canonical_json(self) -> str:
        """The exact text hashed into ``request_key``: sorted keys, no whitespace, UTF-8."""
        body: dict[str, Any] = {
            "v": REQUEST_KEY_VERSION,
            "operation": self.operation.value,
            "terms": list(self.terms),
            "geo": self.geo,
            "timeframe": self.timeframe,
            "category": self.category,
            "gprop": self.gprop.value,
            "resolution": self.resolution.value if self.resolution else None,
            "hl": self.hl,
        }
        if self.category_name:
            body["category_name"] = self.category_name
        if self.geos:
            body["geos"] = list(self.geos)
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def request_key(self) -> str:
        """sha256 hex of ``canonical_json``; the raw landing table's key."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def record(self) -> dict[str, Any]:
        """The request as landed in ``raw_payloads.request`` (read back by ``model_validate``)."""
        record: dict[str, Any] = json.loads(self.canonical_json())
        return record

    def describe(self) -> str:
        """Short human label for logs and error messages."""
        terms = ", ".join(self.terms)
        return f"{self.operation.value} [{terms}] geo={self.geo or 'world'} {self.timeframe}"


def _check_geo(value: Any) -> str:
    if not isinstance(value, str) or not _GEO_RE.match(value.strip().upper()):
        raise _reject(
            f"geo {str(value)[:20]!r} is not a Google geo code such as 'CA', 'CA-ON' "
            "or '' (worldwide)"
        )
    return value.strip().upper()


def make_request(**fields: Any) -> TrendsRequest:
    """Build a request from untrusted input; every problem becomes one ConfigError line."""
    try:
        return TrendsRequest(**fields)
    except ValidationError as exc:
        # Our validators raise ConfigError inside pydantic; surface the first message cleanly.
        first = exc.errors()[0]
        context = first.get("ctx", {})
        inner = context.get("error") if isinstance(context, dict) else None
        if isinstance(inner, ConfigError):
            raise inner from None
        location = ".".join(str(part) for part in first.get("loc", ()))
        raise _reject(f"{location or 'request'}: {first.get('msg', 'invalid')}") from None
