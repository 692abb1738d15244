"""Related-queries payloads in Google's two real formats, for any term and any list.

- ``related_csv``: the web page's ``relatedQueries.csv`` export (layout of
  tests/fixtures/google_trends/relatedQueries_ca.csv: category line, quoted
  ``"<term>: (<dates>, <geo>)"``, then ``TOP`` and ``RISING`` sections).
- ``related_bundle``: what ``PytrendsBackend`` lands: ``explore`` with one
  ``RELATED_QUERIES`` widget and its ``widgetdata/relatedsearches`` body (``)]}',`` prefix,
  ``rankedList`` TOP then RISING, HTML-unsafe characters escaped as Gson does), as in
  relatedsearches_queries_term0.txt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import quote_plus

from credtrends.sources.google_trends import PytrendsBackend, RawPayload, make_request
from credtrends.sources.google_trends.pytrends_backend import EXPLORE_URL, HttpResponse

Entry = tuple[str, int | None, str]
"""(query, value, what Google shows: "64", "+250%", "Breakout")."""


def shown_rising(value: int, breakout: bool) -> str:
    return "Breakout" if breakout else f"+{value:,}%"


def _cell(text: str) -> str:
    """RFC 4180 quoting: a cell with a comma, quote or line break is quoted."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def related_csv(
    term: str,
    top: Sequence[Entry],
    rising: Sequence[Entry],
    *,
    geo_name: str = "Canada",
    dates: str = "6/1/25 - 8/23/25",
) -> bytes:
    lines = ["Category: All categories", _cell(f"{term}: ({dates}, {geo_name})")]
    for section, entries in (("TOP", top), ("RISING", rising)):
        lines += ["", section]
        lines += [f"{_cell(query)},{_cell(shown)}" for query, _value, shown in entries]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _gson(document: object) -> str:
    """JSON as Google's Gson writes it: HTML-unsafe characters as \\uXXXX escapes."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&='":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _geo(geo: str) -> dict[str, str]:
    return {"country": geo} if len(geo) == 2 else {"region": geo}


def relatedsearches_body(
    top: Sequence[Entry], rising: Sequence[Entry], *, geo: str, timeframe: str
) -> bytes:
    def keyword(query: str, value: int | None, shown: str, with_has_data: bool) -> object:
        link = f"/trends/explore?q={quote_plus(query)}&date={quote_plus(timeframe)}&geo={geo}"
        entry: dict[str, object] = {"query": query, "value": value, "formattedValue": shown}
        if with_has_data:  # RISING entries carry no hasData
            entry["hasData"] = True
        entry["link"] = link
        return entry

    document = {
        "default": {
            "rankedList": [
                {"rankedKeyword": [keyword(*entry, True) for entry in top]},
                {"rankedKeyword": [keyword(*entry, False) for entry in rising]},
            ]
        }
    }
    return (")]}',\n" + _gson(document)).encode("utf-8")


def _explore_body(term: str, geo: str, timeframe: str) -> bytes:
    widget = {
        "request": {
            "restriction": {
                "geo": _geo(geo),
                "time": timeframe,
                "originalTimeRangeForExploreUrl": timeframe,
                "complexKeywordsRestriction": {"keyword": [{"type": "BROAD", "value": term}]},
            },
            "keywordType": "QUERY",
            "metric": ["TOP", "RISING"],
            "requestOptions": {"property": "", "backend": "IZG", "category": 0},
            "language": "en",
            "userCountryCode": "CA",
        },
        "helpDialog": {"title": "Related queries", "content": "Users searching for your term"},
        "keywordName": term,
        "token": "APP6_UEAAAAAaRelatedTok",
        "id": "RELATED_QUERIES",
        "type": "fe_related_searches",
        "title": "Related queries",
    }
    document = {"widgets": [widget], "keywords": [], "timeRanges": [], "shareText": ""}
    return (")]}'\n" + _gson(document)).encode("utf-8")


class RelatedGoogle:
    """A transport answering one related-queries explore and its widget call."""

    def __init__(self, term: str, geo: str, timeframe: str, widget_body: bytes) -> None:
        self.explore = _explore_body(term, geo, timeframe)
        self.widget_body = widget_body

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        if url == EXPLORE_URL:
            return HttpResponse(200, self.explore)
        assert params["token"] == "APP6_UEAAAAAaRelatedTok"
        return HttpResponse(200, self.widget_body)


def related_bundle(
    term: str,
    top: Sequence[Entry],
    rising: Sequence[Entry],
    *,
    geo: str,
    timeframe: str,
    fetched_at: datetime,
) -> RawPayload:
    """A related-queries request fetched through the real ``PytrendsBackend``."""
    body = relatedsearches_body(top, rising, geo=geo, timeframe=timeframe)
    request = make_request(operation="related_queries", terms=[term], geo=geo, timeframe=timeframe)
    backend = PytrendsBackend(
        transport=RelatedGoogle(term, geo, timeframe, body), clock=lambda: fetched_at
    )
    return backend.fetch(request)
