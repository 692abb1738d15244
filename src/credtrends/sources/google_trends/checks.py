"""Checks shared by every Google Trends parser (widget JSON and web-page CSV).

Kept apart from ``parse`` and ``web_csv`` so that both can import them without importing
each other: ``parse`` dispatches to ``web_csv``, and ``web_csv`` needs these checks.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from credtrends.errors import ConfigError
from credtrends.sources.google_trends.request import TrendsRequest, normalise_term

_Item = TypeVar("_Item", bound=Hashable)


class Bad(Exception):
    """A problem found deep in a payload; the caller turns it into InvalidPayload with context."""


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """A UTF-8 JSON object, or Bad naming ``what`` (a landed envelope or answer)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Bad(f"{what} is not UTF-8 JSON ({exc})") from None
    return as_dict(document, what)


def as_list(value: Any, what: str) -> list[Any]:
    """A JSON array, or Bad naming where the payload has something else."""
    if not isinstance(value, list):
        raise Bad(f"{what} is {type(value).__name__}, expected a list")
    return value


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """A JSON object, or Bad naming where the payload has something else."""
    if not isinstance(value, dict):
        raise Bad(f"{what} is {type(value).__name__}, expected an object")
    return value


def same_term(a: str, b: str) -> bool:
    """Google ignores case; our requests are NFC with single spaces."""
    try:
        return normalise_term(a).casefold() == normalise_term(b).casefold()
    except ConfigError:
        return False


def match_terms(found: Sequence[str], request: TrendsRequest, what: str) -> list[str]:
    """Map the terms a payload names onto the request's spelling, or reject the payload."""
    matched = []
    for term in found:
        hits = [t for t in request.terms if same_term(term, t)]
        if not hits:
            raise Bad(f"{what} is for {list(found)}, but the request asked {list(request.terms)}")
        matched.append(hits[0])
    return matched


def check_terms(found: Sequence[str], request: TrendsRequest, what: str) -> list[str]:
    """The payload must name exactly the request's terms, in order; returns our spelling."""
    if len(found) != len(request.terms) or not all(
        same_term(a, b) for a, b in zip(found, request.terms, strict=True)
    ):
        raise Bad(f"{what} is for terms {list(found)}, but the request asked {list(request.terms)}")
    return list(request.terms)


def infer_granularity(days: Sequence[date], *, hourly: Sequence[datetime] | None = None) -> str:
    """Granularity from the spacing of period starts; mixed spacing is a malformed payload.

    Callers that know line numbers check for repeated periods first (see
    ``first_repeat``), so that a duplicated row is reported as such, not as a zero step.
    """
    if len(days) < 2:
        return "day"
    if hourly is not None:
        steps = {b - a for a, b in itertools.pairwise(hourly)}
        if steps and max(steps) < timedelta(days=1):
            return "hour" if steps == {timedelta(hours=1)} else "minute"
    deltas = {(b - a).days for a, b in itertools.pairwise(days)}
    if deltas == {1}:
        return "day"
    if deltas == {7}:
        return "week"
    if deltas <= {28, 29, 30, 31} and all(d.day == 1 for d in days):
        return "month"
    raise Bad(f"periods are not evenly spaced (steps of {sorted(deltas)} days): mixed granularity")


def first_repeat(items: Sequence[_Item]) -> tuple[int, int] | None:
    """(index of the first item seen before, index of its earlier occurrence), or None."""
    seen: dict[_Item, int] = {}
    for index, item in enumerate(items):
        if item in seen:
            return index, seen[item]
        seen[item] = index
    return None
