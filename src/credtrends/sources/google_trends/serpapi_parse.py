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

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from credtrends.errors import ConfigError
from credtrends.sources.google_trends.checks import (
    Bad,
    as_dict,
    as_list,
    infer_granularity,
    json_object,
)
from credtrends.sources.google_trends.request import Operation, TrendsRequest, normalise_term
from credtrends.sources.google_trends.schemas import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    FrameRows,
    empty_frame,
    schema_for,
)


class SerpApiShapeError(Bad):
    """Internal: the JSON is not in SerpApi's documented shape (parse.py adds the context)."""


_INTEGER = re.compile(r"^\d+$")
_DIGIT = re.compile(r"\d")
NO_RESULTS_MARKER = "hasn't returned any results"


def _fold(term: str) -> str:
    try:
        return normalise_term(term).casefold()
    except ConfigError:
        return term.casefold()


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
    block = as_dict(document.get("interest_over_time"), f"{what}.interest_over_time")
    points = as_list(block.get("timeline_data", []), f"{what}.timeline_data")
    if not points:
        return empty_frame(INTEREST_OVER_TIME_SCHEMA)
    stamps: list[datetime] = []
    readings: dict[str, list[tuple[int, bool, bool]]] = {t: [] for t in request.terms}
    for index, raw in enumerate(points):
        place = f"{what}.timeline_data[{index}]"
        point = as_dict(raw, place)
        try:
            stamps.append(datetime.fromtimestamp(int(str(point["timestamp"])), UTC))
        except (KeyError, ValueError, OverflowError, OSError) as exc:
            raise SerpApiShapeError(f"{place}.timestamp is missing or not epoch seconds") from exc
        values = as_list(point.get("values"), f"{place}.values")
        names = [str(as_dict(v, f"{place}.values").get("query", "")) for v in values]
        for term, item in zip(_term_order(names, request, place), values, strict=True):
            readings[term].append(reading(item, f"{place}.values[{term!r}]"))
    try:
        granularity = infer_granularity([s.date() for s in stamps], hourly=stamps)
    except Bad as exc:
        raise SerpApiShapeError(f"{what}: {exc}") from None
    rows = FrameRows(INTEREST_OVER_TIME_SCHEMA, request, backend)
    for term in request.terms:
        for stamp, (value, below_one, has_data) in zip(stamps, readings[term], strict=True):
            # SerpApi documents no partial-period flag; the last period may be incomplete.
            rows.add(
                term=term, period_start=stamp.date(), period_start_utc=stamp,
                granularity=granularity, value=value if has_data else None,
                is_below_one=below_one, has_data=has_data, is_partial=False,
            )  # fmt: skip
    return rows.frame()


def _region_row(
    rows: FrameRows,
    request: TrendsRequest,
    region: Mapping[str, Any],
    term: str,
    kind: str,
    value: tuple[int, bool, bool],
) -> None:
    number, below_one, has_data = value
    code = region.get("geo")
    rows.add(
        term=term, resolution=request.resolution.value if request.resolution else "",
        region_code=str(code) if code not in (None, "") else None,
        region_name=str(region.get("location", "")), value_kind=kind,
        value=number if has_data else None, is_below_one=below_one, has_data=has_data,
    )  # fmt: skip


def parse_regions(
    document: Mapping[str, Any], request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    rows = FrameRows(INTEREST_BY_REGION_SCHEMA, request, backend)
    if len(request.terms) == 1:
        regions = as_list(document.get("interest_by_region", []), f"{what}.interest_by_region")
        for index, raw in enumerate(regions):
            place = f"{what}.interest_by_region[{index}]"
            region = as_dict(raw, place)
            _region_row(rows, request, region, request.terms[0], "index", reading(region, place))
    else:
        key = "compared_breakdown_by_region"
        regions = as_list(document.get(key, []), f"{what}.{key}")
        for index, raw in enumerate(regions):
            place = f"{what}.{key}[{index}]"
            region = as_dict(raw, place)
            values = as_list(region.get("values"), f"{place}.values")
            names = [str(as_dict(v, f"{place}.values").get("query", "")) for v in values]
            for term, item in zip(_term_order(names, request, place), values, strict=True):
                value = reading(item, f"{place}.values[{term!r}]", percent=True)
                _region_row(rows, request, region, term, "share_percent", value)
    return rows.frame()


def parse_related(
    document: Mapping[str, Any], request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    topics = request.operation is Operation.RELATED_TOPICS
    key = "related_topics" if topics else "related_queries"
    block = as_dict(document.get(key, {}), f"{what}.{key}")
    rows = FrameRows(RELATED_SCHEMA, request, backend)
    for kind in ("top", "rising"):
        items = as_list(block.get(kind, []), f"{what}.{key}.{kind}")
        for rank, raw in enumerate(items, start=1):
            place = f"{what}.{key}.{kind}[{rank - 1}]"
            item = as_dict(raw, place)
            mid = topic_type = None
            if topics:
                topic = as_dict(item.get("topic"), f"{place}.topic")
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
            rows.add(
                term=request.terms[0], entity="topic" if topics else "query", kind=kind,
                rank=rank, query=label, topic_mid=str(mid) if mid is not None else None,
                topic_type=str(topic_type) if topic_type is not None else None, value=number,
                formatted_value=shown, is_breakout=breakout,
            )  # fmt: skip
    return rows.frame()


def parse_serpapi_body(
    body: bytes, request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    """One landed SerpApi answer -> the operation's frame; "no results" -> zero rows."""
    document = json_object(body, "answer")
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
