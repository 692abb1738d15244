"""Pure parsers: raw payload -> typed polars frame, or InvalidPayload naming the problem.

Nothing here touches the network or the clock, so a parser fix can be replayed over every
landed payload. A payload is either parsed whole or rejected whole: no partial frames.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from credtrends.errors import InvalidPayload
from credtrends.sources.google_trends import serpapi_parse, web_csv
from credtrends.sources.google_trends.checks import Bad as _Bad
from credtrends.sources.google_trends.checks import (
    as_dict,
    as_list,
    infer_granularity,
    json_object,
    match_terms,
)
from credtrends.sources.google_trends.checks import check_terms as _check_terms
from credtrends.sources.google_trends.client import (
    CONTENT_TYPE_SERPAPI_JSON,
    CONTENT_TYPE_WEB_CSV,
    CONTENT_TYPE_WIDGET_BUNDLE,
    RawPayload,
)
from credtrends.sources.google_trends.pytrends_backend import BUNDLE_FORMAT, strip_json_prefix
from credtrends.sources.google_trends.request import Operation, TrendsRequest
from credtrends.sources.google_trends.schemas import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    FrameRows,
    empty_frame,
    schema_for,
)

_RESOLUTION_GRANULARITY = {
    "MINUTE": "minute",
    "EIGHT_MINUTE": "minute",
    "SIXTEEN_MINUTE": "minute",
    "HOUR": "hour",
    "DAY": "day",
    "WEEK": "week",
    "MONTH": "month",
}


def _int_value(value: Any, what: str, *, lo: int = 0, hi: int | None = 100) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{what} is {value!r}, expected an integer")
    if isinstance(value, float) and not value.is_integer():
        raise _Bad(f"{what} is {value!r}, expected an integer")
    number = int(value)
    if number < lo or (hi is not None and number > hi):
        bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise _Bad(f"{what} is {number}, outside {bound}")
    return number


def load_widget_json(text: str, what: str) -> dict[str, Any]:
    """Parse one widgetdata body (prefix allowed) into its ``default`` object."""
    try:
        document = json.loads(strip_json_prefix(text))
    except ValueError as exc:
        raise _Bad(
            f"{what} is not JSON ({exc}); it may be truncated or an HTML error page"
        ) from exc
    return as_dict(as_dict(document, what).get("default"), f"{what}.default")


def _keywords_of(widget_request: Mapping[str, Any], what: str) -> list[str]:
    """Term order of a widget, from its own request (the only reliable source)."""
    items: list[Any]
    if "comparisonItem" in widget_request:
        items = as_list(widget_request["comparisonItem"], f"{what}.comparisonItem")
    elif "restriction" in widget_request:
        items = [as_dict(widget_request["restriction"], f"{what}.restriction")]
    else:
        raise _Bad(f"{what} has neither comparisonItem nor restriction")
    terms = []
    for index, item in enumerate(items):
        try:
            keyword = item["complexKeywordsRestriction"]["keyword"][0]["value"]
        except (KeyError, IndexError, TypeError) as exc:
            raise _Bad(f"{what} item {index} names no keyword") from exc
        terms.append(str(keyword))
    return terms


def parse_timeline_default(
    default: Mapping[str, Any],
    *,
    terms: Sequence[str],
    request: TrendsRequest,
    backend: str,
    granularity: str | None,
    what: str,
) -> pl.DataFrame:
    """``{"timelineData": [...]}`` -> INTEREST_OVER_TIME_SCHEMA rows (long format)."""
    points = as_list(default.get("timelineData", []), f"{what}.timelineData")
    if not points:
        return empty_frame(INTEREST_OVER_TIME_SCHEMA)
    times: list[datetime] = []
    rows = FrameRows(INTEREST_OVER_TIME_SCHEMA, request, backend)
    for index, raw_point in enumerate(points):
        point = as_dict(raw_point, f"{what}.timelineData[{index}]")
        try:
            stamp = datetime.fromtimestamp(int(str(point["time"])), UTC)
        except (KeyError, ValueError, OverflowError, OSError) as exc:
            raise _Bad(
                f"{what}.timelineData[{index}].time is missing or not epoch seconds"
            ) from exc
        times.append(stamp)
        values = as_list(point.get("value"), f"{what}.timelineData[{index}].value")
        if len(values) != len(terms):
            raise _Bad(
                f"{what}.timelineData[{index}] has {len(values)} values for {len(terms)} terms"
            )
        has_data = point.get("hasData", [True] * len(terms))
        has_data = as_list(has_data, f"{what}.timelineData[{index}].hasData")
        formatted = point.get("formattedValue", [str(v) for v in values])
        formatted = as_list(formatted, f"{what}.timelineData[{index}].formattedValue")
        if len(has_data) != len(terms) or len(formatted) != len(terms):
            raise _Bad(f"{what}.timelineData[{index}] arrays disagree in length")
        partial = bool(point.get("isPartial", False))
        for term, value, seen, shown in zip(terms, values, has_data, formatted, strict=True):
            number = _int_value(value, f"{what}.timelineData[{index}].value")
            present = bool(seen)
            below_one = present and number == 0 and str(shown).strip() not in {"0", ""}
            rows.add(
                term=term, period_start=stamp.date(), period_start_utc=stamp, granularity=None,
                value=number if present else None, is_below_one=below_one, has_data=present,
                is_partial=partial,
            )  # fmt: skip
    resolved = granularity or infer_granularity([t.date() for t in times], hourly=times)
    rows.columns["granularity"] = [resolved] * len(rows.columns["term"])
    return rows.frame()


def parse_region_default(
    default: Mapping[str, Any],
    *,
    terms: Sequence[str],
    request: TrendsRequest,
    backend: str,
    resolution: str,
    value_kind: str,
    what: str,
) -> pl.DataFrame:
    """``{"geoMapData": [...]}`` -> INTEREST_BY_REGION_SCHEMA rows."""
    regions = as_list(default.get("geoMapData", []), f"{what}.geoMapData")
    rows = FrameRows(INTEREST_BY_REGION_SCHEMA, request, backend)
    for index, raw_region in enumerate(regions):
        region = as_dict(raw_region, f"{what}.geoMapData[{index}]")
        values = as_list(region.get("value"), f"{what}.geoMapData[{index}].value")
        has_data = as_list(
            region.get("hasData", [True] * len(values)), f"{what}.geoMapData[{index}].hasData"
        )
        formatted = as_list(
            region.get("formattedValue", [str(v) for v in values]),
            f"{what}.geoMapData[{index}].formattedValue",
        )
        if not len(values) == len(has_data) == len(formatted) == len(terms):
            raise _Bad(
                f"{what}.geoMapData[{index}] has {len(values)} values for {len(terms)} terms"
            )
        code = region.get("geoCode")
        for term, value, seen, shown in zip(terms, values, has_data, formatted, strict=True):
            number = _int_value(value, f"{what}.geoMapData[{index}].value")
            present = bool(seen)
            rows.add(
                term=term, resolution=resolution,
                region_code=str(code) if code not in (None, "") else None,
                region_name=str(region.get("geoName", "")), value_kind=value_kind,
                value=number if present else None,
                is_below_one=present and number == 0 and str(shown).strip() not in {"0", "", "0%"},
                has_data=present,
            )  # fmt: skip
    return rows.frame()


_DIGIT = re.compile(r"\d")


def parse_related_default(
    default: Mapping[str, Any],
    *,
    term: str,
    request: TrendsRequest,
    backend: str,
    entity: str,
    what: str,
) -> pl.DataFrame:
    """``{"rankedList": [{TOP}, {RISING}]}`` -> RELATED_SCHEMA rows; empty lists are valid."""
    ranked = as_list(default.get("rankedList", []), f"{what}.rankedList")
    if len(ranked) > 2:
        raise _Bad(f"{what}.rankedList has {len(ranked)} lists, expected TOP and RISING")
    rows = FrameRows(RELATED_SCHEMA, request, backend)
    for list_index, raw_list in enumerate(ranked):
        kind = "top" if list_index == 0 else "rising"
        keywords = as_list(
            as_dict(raw_list, f"{what}.rankedList[{list_index}]").get("rankedKeyword", []),
            f"{what}.rankedList[{list_index}].rankedKeyword",
        )
        for rank, raw_keyword in enumerate(keywords, start=1):
            place = f"{what}.rankedList[{list_index}].rankedKeyword[{rank - 1}]"
            keyword = as_dict(raw_keyword, place)
            topic = keyword.get("topic")
            if topic is not None:
                topic = as_dict(topic, f"{place}.topic")
                label, mid, topic_type = topic.get("title"), topic.get("mid"), topic.get("type")
            else:
                label, mid, topic_type = keyword.get("query"), None, None
            if not isinstance(label, str) or not label:
                raise _Bad(f"{place} has no query or topic title")
            number = _int_value(
                keyword.get("value"), f"{place}.value", hi=100 if kind == "top" else None
            )
            shown = str(keyword.get("formattedValue", number))
            rows.add(
                term=term, entity=entity, kind=kind, rank=rank, query=label,
                topic_mid=str(mid) if mid is not None else None,
                topic_type=str(topic_type) if topic_type is not None else None,
                value=number, formatted_value=shown,
                is_breakout=kind == "rising" and not _DIGIT.search(shown),
            )  # fmt: skip
    return rows.frame()


def _widget_body(widget: Mapping[str, Any], what: str) -> str:
    if "body" in widget and isinstance(widget["body"], str):
        return widget["body"]
    if "body_b64" in widget and isinstance(widget["body_b64"], str):
        try:
            return base64.b64decode(widget["body_b64"]).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Bad(f"{what} body is not UTF-8 text") from exc
    raise _Bad(f"{what} has no body")


def parse_widget_bundle(
    body: bytes, request: TrendsRequest, backend: str, what: str
) -> pl.DataFrame:
    """Parse our envelope of verbatim widget bodies (see ``pytrends_backend``)."""
    bundle = json_object(body, "envelope")
    if bundle.get("format") != BUNDLE_FORMAT:
        raise _Bad(f"envelope format {bundle.get('format')!r} is not {BUNDLE_FORMAT!r}")
    if bundle.get("operation") != request.operation.value:
        raise _Bad(f"envelope holds {bundle.get('operation')!r}, not {request.operation.value!r}")
    widgets = as_list(bundle.get("widgets"), "envelope.widgets")
    if not widgets:
        raise _Bad("envelope has no widget bodies")
    frames = []
    for index, raw_widget in enumerate(widgets):
        widget = as_dict(raw_widget, f"widget {index}")
        widget_id = str(widget.get("id", ""))
        place = f"{widget_id or 'widget'} body"
        widget_request = as_dict(widget.get("request"), f"{widget_id} request")
        default = load_widget_json(_widget_body(widget, place), place)
        terms = _keywords_of(widget_request, f"{widget_id} request")
        if request.operation is Operation.INTEREST_OVER_TIME:
            terms = _check_terms(terms, request, place)
            resolution = str(widget_request.get("resolution", ""))
            frames.append(
                parse_timeline_default(
                    default,
                    terms=terms,
                    request=request,
                    backend=backend,
                    granularity=_RESOLUTION_GRANULARITY.get(resolution),
                    what=place,
                )
            )
        elif request.operation is Operation.INTEREST_BY_REGION:
            if widget_id == "GEO_MAP":
                terms = _check_terms(terms, request, place)
            else:
                terms = match_terms(terms, request, place)
            kind = "share_percent" if widget_request.get("dataMode") == "PERCENTAGES" else "index"
            frames.append(
                parse_region_default(
                    default,
                    terms=terms,
                    request=request,
                    backend=backend,
                    resolution=str(widget_request.get("resolution", "")),
                    value_kind=kind,
                    what=place,
                )
            )
        else:
            if len(terms) != 1 or terms[0].casefold() not in {t.casefold() for t in request.terms}:
                raise _Bad(f"{place} is for {terms}, not one of the requested terms")
            entity = "query" if request.operation is Operation.RELATED_QUERIES else "topic"
            frames.append(
                parse_related_default(
                    default,
                    term=terms[0],
                    request=request,
                    backend=backend,
                    entity=entity,
                    what=place,
                )
            )
    return pl.concat(frames, how="vertical")


def parse_payload(raw: RawPayload) -> pl.DataFrame:
    """Turn one landed payload into its typed frame, or raise InvalidPayload (nothing partial).

    Dispatches on content type: our widget envelope (pytrends backend), a SerpApi answer
    or a web-page CSV.
    """
    try:
        if raw.content_type == CONTENT_TYPE_WIDGET_BUNDLE:
            frame = parse_widget_bundle(raw.body, raw.request, raw.backend, raw.label())
        elif raw.content_type == CONTENT_TYPE_WEB_CSV:
            frame = web_csv.parse_web_csv_payload(raw)
        elif raw.content_type == CONTENT_TYPE_SERPAPI_JSON:
            frame = serpapi_parse.parse_serpapi_body(raw.body, raw.request, raw.backend, "answer")
        else:
            raise _Bad(f"content type {raw.content_type!r} is not one this source produces")
    except _Bad as exc:  # SerpApiShapeError is a Bad too
        raise InvalidPayload(f"Google Trends payload {raw.label()}: {exc}") from None
    except RecursionError:
        raise InvalidPayload(f"Google Trends payload {raw.label()}: nested too deeply") from None
    expected = schema_for(raw.request.operation)
    if frame.schema != expected:  # a programming error, but never let a wrong shape out
        raise InvalidPayload(f"Google Trends payload {raw.label()}: parsed into the wrong schema")
    return frame
