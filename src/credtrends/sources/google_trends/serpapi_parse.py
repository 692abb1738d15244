"""Pure parsers of SerpApi's Google Trends JSON into the frames the pytrends bundle gives.

Shapes, as SerpApi documents them (https://serpapi.com/google-trends-api):

- TIMESERIES: ``interest_over_time.timeline_data[]`` of ``date``, ``timestamp`` (epoch
  seconds as text) and ``values[]`` of ``query``, ``value`` (text: "57", "<1", "0") and
  ``extracted_value`` (number);
- GEO_MAP_0 (one term): ``interest_by_region[]`` of ``geo``, ``location``,
  ``max_value_index``, ``value``, ``extracted_value``: an index against the top region;
- GEO_MAP (several terms): ``compared_breakdown_by_region[]`` of ``geo``, ``location``,
  ``max_value_index`` and ``values[]`` of ``query``, ``value`` ("43%", or "" for too little
  data) and ``extracted_value``: each term's share of the region's searches;
- RELATED_QUERIES / RELATED_TOPICS: ``related_queries`` / ``related_topics`` with ``top[]``
  and ``rising[]`` of ``query`` (or ``topic`` {``value`` = mid, ``title``, ``type``}),
  ``value`` ("100", "+4,200%", "Breakout"), ``extracted_value`` and ``link``;
- no data: ``{"error": "Google Trends hasn't returned any results for this query."}``.

"<1" and Google's ``hasData`` (shared contract with the calibration): "<1" is value 0,
``is_below_one`` and ``has_data``; "0" or "" is Google's ``hasData: false`` point (value
null, ``has_data`` false), which the calibration reads as [0, 1) when the term has data
elsewhere in the request; a term with no data at all in the request has only such rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from credtrends.errors import ConfigError
from credtrends.sources.google_trends.checks import Bad, infer_granularity
from credtrends.sources.google_trends.request import Operation, TrendsRequest, normalise_term
from credtrends.sources.google_trends.schemas import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    empty_frame,
    schema_for,
)


class SerpApiShapeError(Exception):
    """Internal: the JSON is not in SerpApi's documented shape (parse.py adds the context)."""


_INTEGER = re.compile(r"^\d+$")
_DIGIT = re.compile(r"\d")
NO_RESULTS_MARKER = "hasn't returned any results"


def _fold(term: str) -> str:
    try:
        return normalise_term(term).casefold()
    except ConfigError:
        return term.casefold()


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SerpApiShapeError(f"{what} is {type(value).__name__}, expected a list")
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SerpApiShapeError(f"{what} is {type(value).__name__}, expected an object")
    return value


def reading(item: Mapping[str, Any], what: str, *, percent: bool = False) -> tuple[int, bool, bool]:
    """``(value, is_below_one, has_data)`` of one SerpApi value; value is 0 without data.

    The text ``value`` decides (it is what Google showed); ``extracted_value`` must agree.
    """
    shown = item.get("value", "")
    if not isinstance(shown, str):
        raise SerpApiShapeError(f"{what}.value is {shown!r}, expected text")
    text = shown.strip().replace("\u00a0", " ")
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    if text.replace(" ", "") == "<1":
        return 0, True, True
    if text in {"", "0"}:
        return 0, False, False
    if not _INTEGER.match(text) or not 0 <= int(text) <= 100:
        raise SerpApiShapeError(f"{what}.value is {shown!r}, expected 0..100 or '<1'")
    number = int(text)
    extracted = item.get("extracted_value", number)
    if isinstance(extracted, bool) or not isinstance(extracted, int | float) or extracted != number:
        raise SerpApiShapeError(f"{what}.extracted_value {extracted!r} disagrees with {shown!r}")
    return number, False, True


def _term_order(found: Sequence[str], request: TrendsRequest, what: str) -> list[str]:
    """Map SerpApi's ``query`` names onto the request's spelling (Google ignores case)."""
    wanted = {_fold(term): term for term in request.terms}
    matched = []
    for name in found:
        if _fold(name) not in wanted:
            raise SerpApiShapeError(
                f"{what} names {name!r}, which the request did not ask ({list(request.terms)})"
            )
        matched.append(wanted[_fold(name)])
    if sorted(matched) != sorted(request.terms):
        raise SerpApiShapeError(f"{what} is for {list(found)}, not {list(request.terms)}")
    return matched


def parse_timeseries(
    document: Mapping[str, Any], request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    block = _dict(document.get("interest_over_time"), f"{what}.interest_over_time")
    points = _list(block.get("timeline_data", []), f"{what}.timeline_data")
    if not points:
        return empty_frame(INTEREST_OVER_TIME_SCHEMA)
    stamps: list[datetime] = []
    readings: dict[str, list[tuple[int, bool, bool]]] = {t: [] for t in request.terms}
    for index, raw in enumerate(points):
        place = f"{what}.timeline_data[{index}]"
        point = _dict(raw, place)
        try:
            stamps.append(datetime.fromtimestamp(int(str(point["timestamp"])), UTC))
        except (KeyError, ValueError, OverflowError, OSError) as exc:
            raise SerpApiShapeError(f"{place}.timestamp is missing or not epoch seconds") from exc
        values = _list(point.get("values"), f"{place}.values")
        names = [str(_dict(v, f"{place}.values").get("query", "")) for v in values]
        for term, item in zip(_term_order(names, request, place), values, strict=True):
            readings[term].append(reading(item, f"{place}.values[{term!r}]"))
    try:
        granularity = infer_granularity([s.date() for s in stamps], hourly=stamps)
    except Bad as exc:
        raise SerpApiShapeError(f"{what}: {exc}") from None
    rows: dict[str, list[Any]] = {name: [] for name in INTEREST_OVER_TIME_SCHEMA.names()}
    for term in request.terms:
        for stamp, (value, below_one, has_data) in zip(stamps, readings[term], strict=True):
            rows["request_key"].append(request.request_key)
            rows["term"].append(term)
            rows["geo"].append(request.geo)
            rows["timeframe"].append(request.timeframe)
            rows["period_start"].append(stamp.date())
            rows["period_start_utc"].append(stamp)
            rows["granularity"].append(granularity)
            rows["value"].append(value if has_data else None)
            rows["is_below_one"].append(below_one)
            rows["has_data"].append(has_data)
            # SerpApi documents no partial-period flag; the last period may be incomplete.
            rows["is_partial"].append(False)
            rows["backend"].append(backend)
    return pl.DataFrame(rows, schema=INTEREST_OVER_TIME_SCHEMA)


def _region_row(
    rows: dict[str, list[Any]],
    request: TrendsRequest,
    backend: str,
    region: Mapping[str, Any],
    term: str,
    kind: str,
    value: tuple[int, bool, bool],
) -> None:
    number, below_one, has_data = value
    code = region.get("geo")
    rows["request_key"].append(request.request_key)
    rows["term"].append(term)
    rows["geo"].append(request.geo)
    rows["timeframe"].append(request.timeframe)
    rows["resolution"].append(request.resolution.value if request.resolution else "")
    rows["region_code"].append(str(code) if code not in (None, "") else None)
    rows["region_name"].append(str(region.get("location", "")))
    rows["value_kind"].append(kind)
    rows["value"].append(number if has_data else None)
    rows["is_below_one"].append(below_one)
    rows["has_data"].append(has_data)
    rows["backend"].append(backend)


def parse_regions(
    document: Mapping[str, Any], request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    rows: dict[str, list[Any]] = {name: [] for name in INTEREST_BY_REGION_SCHEMA.names()}
    if len(request.terms) == 1:
        regions = _list(document.get("interest_by_region", []), f"{what}.interest_by_region")
        for index, raw in enumerate(regions):
            place = f"{what}.interest_by_region[{index}]"
            region = _dict(raw, place)
            _region_row(
                rows, request, backend, region, request.terms[0], "index", reading(region, place)
            )
    else:
        key = "compared_breakdown_by_region"
        regions = _list(document.get(key, []), f"{what}.{key}")
        for index, raw in enumerate(regions):
            place = f"{what}.{key}[{index}]"
            region = _dict(raw, place)
            values = _list(region.get("values"), f"{place}.values")
            names = [str(_dict(v, f"{place}.values").get("query", "")) for v in values]
            for term, item in zip(_term_order(names, request, place), values, strict=True):
                value = reading(item, f"{place}.values[{term!r}]", percent=True)
                _region_row(rows, request, backend, region, term, "share_percent", value)
    return pl.DataFrame(rows, schema=INTEREST_BY_REGION_SCHEMA)


def parse_related(
    document: Mapping[str, Any], request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    topics = request.operation is Operation.RELATED_TOPICS
    key = "related_topics" if topics else "related_queries"
    block = _dict(document.get(key, {}), f"{what}.{key}")
    rows: dict[str, list[Any]] = {name: [] for name in RELATED_SCHEMA.names()}
    for kind in ("top", "rising"):
        items = _list(block.get(kind, []), f"{what}.{key}.{kind}")
        for rank, raw in enumerate(items, start=1):
            place = f"{what}.{key}.{kind}[{rank - 1}]"
            item = _dict(raw, place)
            mid = topic_type = None
            if topics:
                topic = _dict(item.get("topic"), f"{place}.topic")
                label, mid, topic_type = topic.get("title"), topic.get("value"), topic.get("type")
            else:
                label = item.get("query")
            if not isinstance(label, str) or not label:
                raise SerpApiShapeError(f"{place} has no query or topic title")
            shown = str(item.get("value", ""))
            breakout = kind == "rising" and not _DIGIT.search(shown)
            number: int | None = None
            if not breakout:
                extracted = item.get("extracted_value")
                if isinstance(extracted, bool) or not isinstance(extracted, int | float):
                    raise SerpApiShapeError(f"{place}.extracted_value is {extracted!r}")
                number = int(extracted)
                if number < 0 or (kind == "top" and number > 100):
                    raise SerpApiShapeError(f"{place}.extracted_value {number} is out of range")
            rows["request_key"].append(request.request_key)
            rows["term"].append(request.terms[0])
            rows["geo"].append(request.geo)
            rows["timeframe"].append(request.timeframe)
            rows["entity"].append("topic" if topics else "query")
            rows["kind"].append(kind)
            rows["rank"].append(rank)
            rows["query"].append(label)
            rows["topic_mid"].append(str(mid) if mid is not None else None)
            rows["topic_type"].append(str(topic_type) if topic_type is not None else None)
            rows["value"].append(number)
            rows["formatted_value"].append(shown)
            rows["is_breakout"].append(breakout)
            rows["backend"].append(backend)
    return pl.DataFrame(rows, schema=RELATED_SCHEMA)


def parse_serpapi_body(
    body: bytes, request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    """One landed SerpApi answer -> the operation's frame; "no results" -> zero rows."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SerpApiShapeError(f"not UTF-8 JSON ({exc})") from None
    document = _dict(document, "answer")
    error = document.get("error")
    if isinstance(error, str):
        if NO_RESULTS_MARKER in error:
            return empty_frame(schema_for(request.operation))
        raise SerpApiShapeError(f"SerpApi error answer landed: {error!r}")
    if request.operation is Operation.INTEREST_OVER_TIME:
        if "interest_over_time" not in document:
            raise SerpApiShapeError("no interest_over_time in a TIMESERIES answer")
        return parse_timeseries(document, request, backend, what)
    if request.operation is Operation.INTEREST_BY_REGION:
        return parse_regions(document, request, backend, what)
    return parse_related(document, request, backend, what)
