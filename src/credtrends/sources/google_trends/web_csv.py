"""Import of the CSV files the Google Trends web page exports (the backend analysts use).

Layouts, as exported (confirmed on public copies of real exports, see tests/fixtures):

``multiTimeline.csv``::

    Category: All categories
    <blank>
    Week,house pet: (Canada),house plant: (Canada)
    2022-05-01,40,65
    ...                      ("Day"/"Month"/"Time" headers; "<1" for tiny values)

``geoMap.csv``::

    Category: All categories
    <blank>
    Region,MongoDB: (4/21/23 - 4/21/24)
    District of Columbia,100
    Wyoming,                 (empty = too little data; "<1" possible; "9%" shares when
                              several terms are compared)

``relatedQueries.csv``::

    Category: All categories
    "aboriginal: (20/10/17 - 20/10/18, Canada)"
    <blank>
    TOP
    aboriginal canada,100
    <blank>
    RISING
    aboriginal day 2018,Breakout
    aboriginal awareness week 2018,"+3,000%"

The first lines and headers are localised ("Categoría: Todas las categorías", "Región",
"semaine", ...), so the parser recognises structure, not English words. Each file is one
request batch: it becomes one ``RawPayload`` whose request is inferred from the file.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import polars as pl
from babel import Locale

from credtrends.errors import ConfigError, InvalidPayload
from credtrends.sources.google_trends.client import CONTENT_TYPE_WEB_CSV, RawPayload
from credtrends.sources.google_trends.parse import _Bad, _check_terms, infer_granularity
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

BACKEND_NAME = "web_csv"
MAX_FILE_BYTES = 5_000_000
"""A real export is a few kB; refuse anything that could only be a mistake or an attack."""

DateOrder = Literal["MDY", "DMY", "YMD"]
Kind = Literal["timeline", "geo", "related"]

_CANADA = {
    "CA-AB": ("alberta",),
    "CA-BC": ("british columbia", "colombie-britannique"),
    "CA-MB": ("manitoba",),
    "CA-NB": ("new brunswick", "nouveau-brunswick"),
    "CA-NL": ("newfoundland and labrador", "terre-neuve-et-labrador"),
    "CA-NS": ("nova scotia", "nouvelle-écosse"),
    "CA-NT": ("northwest territories", "territoires du nord-ouest"),
    "CA-NU": ("nunavut",),
    "CA-ON": ("ontario",),
    "CA-PE": ("prince edward island", "île-du-prince-édouard"),
    "CA-QC": ("quebec", "québec"),
    "CA-SK": ("saskatchewan",),
    "CA-YT": ("yukon", "yukon territory", "territoire du yukon"),
}
PROVINCE_CODES: dict[str, str] = {name: code for code, names in _CANADA.items() for name in names}
"""Province and territory names (English and French) -> ISO 3166-2 codes Google uses."""

GEO_NAME_CODES: dict[str, str] = {
    "worldwide": "",
    "monde": "",
    "dans le monde entier": "",
    "todo el mundo": "",
    "canada": "CA",
    "canadá": "CA",
    "united states": "US",
    "états-unis": "US",
    "usa": "US",
    **PROVINCE_CODES,
}

CATEGORY_IDS: dict[str, int] = {
    # "All categories" as the web page writes it in its UI languages (from real exports)
    "all categories": 0,
    "toutes catégories": 0,
    "toutes les catégories": 0,
    "todas las categorías": 0,
    "todas as categorias": 0,
    "tutte le categorie": 0,
    "alle kategorien": 0,
    "toate categoriile": 0,
    "tüm kategoriler": 0,
    "semua kategori": 0,
    "все категории": 0,
    "جميع الفئات": 0,
    "所有类别": 0,
    "所有類別": 0,
    "すべてのカテゴリ": 0,
    "모든 카테고리": 0,
    "alle categorieën": 0,
    "wszystkie kategorie": 0,
    "programming": 31,
    "покупки": 18,
    "arts & entertainment": 3,
    "autos & vehicles": 47,
    "beauty & fitness": 44,
    "books & literature": 22,
    "business & industrial": 12,
    "computers & electronics": 5,
    "finance": 7,
    "food & drink": 71,
    "games": 8,
    "health": 45,
    "hobbies & leisure": 65,
    "home & garden": 11,
    "internet & telecom": 13,
    "jobs & education": 958,
    "law & government": 19,
    "news": 16,
    "online communities": 299,
    "people & society": 14,
    "pets & animals": 66,
    "real estate": 29,
    "reference": 533,
    "science": 174,
    "shopping": 18,
    "sports": 20,
    "travel": 67,
}
"""Top-level category names of the explore picker (and "all categories" in the web page's
UI languages); pass ``--category`` (the id) for any other."""

_PERIOD_WORDS = {
    "week": "week", "semaine": "week", "semana": "week", "woche": "week", "settimana": "week",
    "day": "day", "jour": "day", "día": "day", "dia": "day", "tag": "day", "giorno": "day",
    "month": "month", "mois": "month", "mes": "month", "monat": "month", "mese": "month",
    "time": "hour", "heure": "hour", "hora": "hour", "tiempo": "hour",
}  # fmt: skip
_REGION_WORDS = {
    "country": Resolution.COUNTRY, "pays": Resolution.COUNTRY, "país": Resolution.COUNTRY,
    "region": Resolution.REGION, "région": Resolution.REGION, "región": Resolution.REGION,
    "subregion": Resolution.REGION, "sous-région": Resolution.REGION,
    "province": Resolution.REGION, "provincia": Resolution.REGION,
    "metro": Resolution.DMA, "dma": Resolution.DMA,
    "city": Resolution.CITY, "ville": Resolution.CITY, "ciudad": Resolution.CITY,
}  # fmt: skip
_SECTION_WORDS = {"top": "top", "rising": "rising", "principales": "top", "en hausse": "rising"}

_HEADER_CELL = re.compile(r"^(?P<term>.+?): \((?P<inner>.*)\)\s*$", re.DOTALL)
_DATE_RANGE = re.compile(r"^\s*(?P<start>[\d./-]+)\s+[-–]\s+(?P<end>[\d./-]+)\s*$")
_DIGIT = re.compile(r"\d")


@dataclass
class WebCsvExport:
    """A web export read into its parts, before it is bound to a request."""

    kind: Kind
    category_label: str
    terms: list[str]
    geo_name: str | None = None
    date_range: tuple[str, str] | None = None
    level_word: str = ""
    granularity: str | None = None
    periods: list[date] = field(default_factory=list)
    hours: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    value_kind: str = "index"
    cells: list[list[str]] = field(default_factory=list)
    """timeline/geo: one list per period/region, one cell per term."""
    related: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(kind, rank, query, formatted value) for related files."""


def decode_export(body: bytes) -> str:
    """Bytes -> text; rejects what Google never exports (empty, UTF-16, Latin-1, binary).

    A UTF-8 byte-order mark is accepted and dropped: Excel adds one when it re-saves a
    file as "CSV UTF-8", and it changes nothing about the data.
    """
    if len(body) > MAX_FILE_BYTES:
        raise _Bad(f"the file is {len(body):,} bytes; a Trends export is a few kilobytes")
    if not body.strip():
        raise _Bad("the file is empty")
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _Bad("the file is UTF-16 text; export it again or save it as CSV UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(
            f"the file is not UTF-8 text (byte {exc.start}); it was probably re-saved as "
            "Latin-1/Windows-1252 - export it again from trends.google.com"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise _Bad("the file contains NUL characters; it is not a text export")
    return text


def _rows(text: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise _Bad(f"the CSV structure is broken ({exc})") from None
    return [[cell.strip() for cell in row] for row in rows]


def _blank(row: Sequence[str]) -> bool:
    return not any(cell for cell in row)


def _split_header_cell(cell: str, position: str) -> tuple[str, str]:
    match = _HEADER_CELL.match(cell)
    if not match:
        raise _Bad(f"{position} {cell[:60]!r} is not '<term>: (<geo or dates>)'")
    return match.group("term").strip(), match.group("inner").strip()


def _is_below_one(cell: str) -> bool:
    """Google's "<1", however spaced: French exports write "< 1" with a no-break space."""
    return re.sub(r"\s+", "", cell) in {"<1", "<1%"}


def _parse_value(cell: str, where: str) -> tuple[int | None, bool]:
    """A cell -> (value, is_below_one). Empty means Google had too little data."""
    if cell == "":
        return None, False
    if _is_below_one(cell):
        return 0, True
    digits = cell.removesuffix("%")
    if not digits.isascii() or not digits.isdigit():
        raise _Bad(f"{where}: value {cell[:20]!r} is not a number, '<1' or empty")
    number = int(digits)
    if number > 100:
        raise _Bad(f"{where}: value {number} is above 100, which Google never exports")
    return number, False


def _parse_period(cell: str, where: str) -> tuple[date, int | None]:
    try:
        if re.fullmatch(r"\d{4}-\d{2}", cell):
            return date.fromisoformat(cell + "-01"), None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}", cell):
            hour = int(cell[11:13])
            if hour > 23:
                raise ValueError("hour out of range")
            return date.fromisoformat(cell[:10]), hour
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
            return date.fromisoformat(cell), None
    except ValueError as exc:
        raise _Bad(f"{where}: period {cell!r} is not a real date ({exc})") from None
    raise _Bad(f"{where}: period {cell[:30]!r} is not a date like 2024-01-07 or 2024-01")


def parse_export_date(text: str, order: DateOrder) -> date:
    """Parse a header date such as ``4/21/23`` or ``20/10/17`` in the given field order.

    The web page writes dates in the exporting user's locale; when the order given cannot
    be right (a month of 20) the other day/month order is tried before giving up.
    """
    parts = re.split(r"[./-]", text.strip())
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise _Bad(f"date {text!r} is not day, month and year")
    numbers = [int(part) for part in parts]
    orders: list[DateOrder] = [order] + [o for o in ("MDY", "DMY", "YMD") if o != order]
    if len(parts[0]) == 4:
        orders = ["YMD"]
    for candidate in orders:
        if candidate == "MDY":
            month, day, year = numbers
        elif candidate == "DMY":
            day, month, year = numbers
        else:
            year, month, day = numbers
        if year < 100:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise _Bad(f"date {text!r} is not a real date in any day/month order")


def read_export(text: str) -> WebCsvExport:
    """Recognise and read one export (structure only; no request binding)."""
    rows = _rows(text)
    while rows and _blank(rows[-1]):
        rows.pop()
    if not rows:
        raise _Bad("the file has no rows")
    index = 0
    category_label = ""
    first = rows[0]
    if (
        len([c for c in first if c]) == 1
        and re.search(r"[:：]", first[0])
        and not _HEADER_CELL.match(first[0])
    ):
        category_label = re.split(r"[:：]", first[0], maxsplit=1)[1].strip()
        index = 1
    if any(len(row) == 1 and row[0].casefold() in _SECTION_WORDS for row in rows[index:]):
        return _read_related(rows[index:], category_label)
    while index < len(rows) and _blank(rows[index]):
        index += 1
    if index >= len(rows):
        raise _Bad("the file has a category line but no table")
    header = rows[index]
    if len(header) < 2:
        raise _Bad(f"line {index + 1} should be the header '<period or region>,<term>: (...)'")
    split = [
        _split_header_cell(cell, f"header column {n + 2}") for n, cell in enumerate(header[1:])
    ]
    terms = [term for term, _ in split]
    inners = {inner for _, inner in split}
    if len(inners) != 1:
        raise _Bad(f"the header mixes several geos or date ranges: {sorted(inners)}")
    inner = inners.pop()
    body = rows[index + 1 :]
    width = len(header)
    for offset, row in enumerate(body):
        if len(row) != width:
            raise _Bad(
                f"line {index + offset + 2} has {len(row)} cells, the header has {width}: "
                "the file is truncated or edited"
            )
    range_match = _DATE_RANGE.match(inner)
    export = WebCsvExport(
        kind="geo" if range_match else "timeline", category_label=category_label, terms=terms
    )
    export.level_word = header[0]
    if range_match:
        export.date_range = (range_match.group("start"), range_match.group("end"))
        export.regions = [row[0] for row in body]
        export.cells = [row[1:] for row in body]
        if any(not region for region in export.regions):
            raise _Bad("a region row has no region name")
        return export
    export.geo_name = inner
    if not body:
        raise _Bad("the export has a header but no rows")
    stamps = [_parse_period(row[0], f"line {index + n + 2}") for n, row in enumerate(body)]
    export.periods = [day for day, _ in stamps]
    export.hours = [hour if hour is not None else 0 for _, hour in stamps]
    export.cells = [row[1:] for row in body]
    word = _PERIOD_WORDS.get(header[0].casefold())
    hourly = any(hour is not None for _, hour in stamps)
    if hourly:
        moments = [
            datetime(d.year, d.month, d.day, h, tzinfo=UTC)
            for d, h in zip(export.periods, export.hours, strict=True)
        ]
        inferred = infer_granularity(export.periods, hourly=moments)
    else:
        inferred = infer_granularity(export.periods)
    if len(export.periods) >= 2 and word is not None and word != inferred:
        raise _Bad(f"the header says {header[0]!r} but the rows are {inferred}ly")
    export.granularity = inferred if len(export.periods) >= 2 or word is None else word
    if len(set(stamps)) != len(stamps):
        raise _Bad("a period appears twice")
    return export


def _read_related(rows: list[list[str]], category_label: str) -> WebCsvExport:
    lead = [row for row in rows if not _blank(row)]
    if not lead or len([c for c in lead[0] if c]) != 1 or lead[0][0].casefold() in _SECTION_WORDS:
        raise _Bad("a related-queries export starts with '\"<term>: (<dates>, <geo>)\"'")
    term, inner = _split_header_cell(lead[0][0], "the term line")
    range_text, _, geo_name = inner.rpartition(",")
    range_match = _DATE_RANGE.match(range_text)
    if not range_match:
        raise _Bad(f"the term line {lead[0][0][:60]!r} has no '<start> - <end>, <geo>'")
    export = WebCsvExport(kind="related", category_label=category_label, terms=[term])
    export.geo_name = geo_name.strip()
    export.date_range = (range_match.group("start"), range_match.group("end"))
    section: str | None = None
    rank = 0
    seen_sections: set[str] = set()
    for row in lead[1:]:
        cells = [c for c in row]
        if len(cells) == 1 and cells[0].casefold() in _SECTION_WORDS:
            section = _SECTION_WORDS[cells[0].casefold()]
            if section in seen_sections:
                raise _Bad(f"section {cells[0]} appears twice")
            seen_sections.add(section)
            rank = 0
            continue
        if section is None:
            raise _Bad("rows appear before the TOP or RISING section line")
        if len(cells) != 2 or not cells[0]:
            raise _Bad(f"row {','.join(cells)[:60]!r} is not '<query>,<value>'")
        rank += 1
        export.related.append((section, rank, cells[0], cells[1]))
    if not seen_sections:
        raise _Bad("no TOP or RISING section")
    return export


WORLDWIDE_NAMES = frozenset(
    {
        "worldwide", "monde", "dans le monde entier", "dans tous les pays", "todo el mundo",
        "todos los países", "em todo o mundo", "todo o mundo", "weltweit", "in tutto il mondo",
        "tutto il mondo", "întreaga lume", "dünya genelinde", "в мире", "по всему миру",
        "في جميع أنحاء العالم", "全球", "全世界", "すべての国", "전 세계", "seluruh dunia",
        "wereldwijd", "cały świat",
    }
)  # fmt: skip
"""The web page's "Worldwide" in its UI languages (collected from real exports)."""

US_STATES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN",
    "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME",
    "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY",
}  # fmt: skip
"""US states as Google names them (English UI); Google's geo is ``US-<code>``. Georgia is
left out: it is also a country, so such a file needs ``--geo``."""

AMBIGUOUS_PLACES = {"georgia": ("GE", "US-GA")}
"""Names that are a country and a US state: the file alone cannot say which."""

_TERRITORY_ALIASES = {"turkey": "TR", "czech republic": "CZ", "south korea": "KR", "russia": "RU"}
_UI_LOCALES = (
    "en", "fr", "es", "pt", "de", "it", "nl", "pl", "sv", "ro", "tr", "ru", "ar", "id",
    "ja", "ko", "zh_Hans", "zh_Hant",
)  # fmt: skip


@functools.cache
def _territory_codes() -> dict[str, str]:
    """Country names in the web page's UI languages (Babel's CLDR data) -> ISO codes."""
    names: dict[str, str] = dict(_TERRITORY_ALIASES)
    for identifier in _UI_LOCALES:
        for code, name in Locale.parse(identifier).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.casefold(), code)
    return names


def geo_code_of(name: str) -> str | None:
    """Google's geo code for a place name as a web export writes it, or None."""
    folded = " ".join(name.casefold().split())
    if folded in AMBIGUOUS_PLACES:
        return None
    if folded in WORLDWIDE_NAMES:
        return ""
    if folded in GEO_NAME_CODES:
        return GEO_NAME_CODES[folded]
    if folded in US_STATES:
        return f"US-{US_STATES[folded]}"
    return _territory_codes().get(folded)


def _geo_code(name: str | None, override: str | None, what: str) -> str:
    if override is not None:
        return override
    if name is None:
        raise _Bad(f"the export does not say which geo it covers; pass --geo ({what})")
    code = geo_code_of(name)
    if name.casefold().strip() in AMBIGUOUS_PLACES:
        options = " or ".join(AMBIGUOUS_PLACES[name.casefold().strip()])
        raise _Bad(f"the header names {name!r}, which may be {options}; pass --geo")
    if code is None:
        raise _Bad(
            f"the header names the place {name!r}, which is not a country, Canadian province "
            "or US state we know; pass its Google geo code with --geo (e.g. US-PA-504)"
        )
    return code


def _timeframe(start: date, end: date) -> str:
    if end <= start:
        end = start + timedelta(days=1)
    return f"{start.isoformat()} {end.isoformat()}"


def _period_end(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=6)
    if granularity == "month":
        next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return next_month - timedelta(days=1)
    return start


def infer_request(
    export: WebCsvExport,
    *,
    geo: str | None = None,
    category: int | None = None,
    gprop: Gprop = Gprop.WEB,
    date_order: DateOrder = "MDY",
    entity: Literal["query", "topic"] = "query",
    hl: str = "en-US",
) -> TrendsRequest:
    """The request a web export answers, so it can be landed and calibrated like a fetch."""
    if category is None:
        category = CATEGORY_IDS.get(export.category_label.casefold())
        if category is None:
            raise _Bad(
                f"line 1: category {export.category_label!r} is not one we know; pass its "
                "Google category id with --category (0 = all categories)"
            )
    if export.kind == "timeline":
        first, last = export.periods[0], export.periods[-1]
        if export.granularity in {"hour", "minute"}:
            start_hour, end_hour = export.hours[0], export.hours[-1]
            timeframe = f"{first.isoformat()}T{start_hour:02d} {last.isoformat()}T{end_hour:02d}"
            if len(export.periods) < 2:
                raise _Bad("a one-row hourly export has no window")
        else:
            timeframe = _timeframe(first, _period_end(last, export.granularity or "day"))
        fields: dict[str, Any] = {
            "operation": Operation.INTEREST_OVER_TIME,
            "geo": _geo_code(export.geo_name, geo, "timeline"),
            "timeframe": timeframe,
        }
    else:
        assert export.date_range is not None
        start = parse_export_date(export.date_range[0], date_order)
        end = parse_export_date(export.date_range[1], date_order)
        fields = {"timeframe": _timeframe(start, end)}
        if export.kind == "geo":
            level = _REGION_WORDS.get(export.level_word.casefold(), Resolution.REGION)
            if geo is None:
                if level is Resolution.COUNTRY:
                    geo = ""
                elif export.regions and all(r.casefold() in PROVINCE_CODES for r in export.regions):
                    geo = "CA"
            fields.update(
                operation=Operation.INTEREST_BY_REGION,
                geo=_geo_code(None, geo, "geo map: the regions are not Canadian provinces"),
                resolution=level,
            )
        else:
            fields.update(
                operation=Operation.RELATED_QUERIES
                if entity == "query"
                else Operation.RELATED_TOPICS,
                geo=_geo_code(export.geo_name, geo, "related"),
            )
    try:
        return make_request(terms=export.terms, category=category, gprop=gprop, hl=hl, **fields)
    except ConfigError as exc:
        raise _Bad(str(exc)) from None


def _frame_timeline(export: WebCsvExport, raw: RawPayload) -> pl.DataFrame:
    request = raw.request
    granularity = export.granularity or "day"
    rows: dict[str, list[Any]] = {name: [] for name in INTEREST_OVER_TIME_SCHEMA.names()}
    last = len(export.periods) - 1
    fetched_day = raw.fetched_at.astimezone(UTC).date()
    maximum = 0
    for n, (day, hour, cells) in enumerate(
        zip(export.periods, export.hours, export.cells, strict=True)
    ):
        # The export does not flag the running period; it is partial if it had not ended
        # when the file was made (fetched_at is the file's export/import time).
        partial = n == last and _period_end(day, granularity) >= fetched_day
        for column, (term, cell) in enumerate(zip(export.terms, cells, strict=True)):
            value, below = _parse_value(cell, f"period {day} column {column + 2}")
            maximum = max(maximum, value or 0)
            rows["request_key"].append(request.request_key)
            rows["term"].append(term)
            rows["geo"].append(request.geo)
            rows["timeframe"].append(request.timeframe)
            rows["period_start"].append(day)
            rows["period_start_utc"].append(
                datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            )
            rows["granularity"].append(granularity)
            rows["value"].append(value)
            rows["is_below_one"].append(below)
            rows["has_data"].append(value is not None)
            rows["is_partial"].append(partial)
            rows["backend"].append(raw.backend)
    if export.cells and 0 < maximum < 100:
        raise _Bad(
            f"no value reaches 100 (largest {maximum}); Google scales every export so its "
            "largest value is 100 - the file looks truncated or edited"
        )
    return pl.DataFrame(rows, schema=INTEREST_OVER_TIME_SCHEMA)


def _frame_geo(export: WebCsvExport, raw: RawPayload) -> pl.DataFrame:
    request = raw.request
    flat = [cell for row in export.cells for cell in row if cell]
    percent = [cell.endswith("%") for cell in flat if not _is_below_one(cell)]
    if any(percent) and not all(percent):
        raise _Bad("some values are percentages and some are not")
    value_kind = "share_percent" if percent and all(percent) else "index"
    rows: dict[str, list[Any]] = {name: [] for name in INTEREST_BY_REGION_SCHEMA.names()}
    maximum = 0
    for region, cells in zip(export.regions, export.cells, strict=True):
        parsed = [
            _parse_value(cell, f"region {region!r} column {n + 2}") for n, cell in enumerate(cells)
        ]
        if value_kind == "share_percent" and all(v is not None for v, _ in parsed):
            total = sum(v or 0 for v, _ in parsed)
            if not 95 <= total <= 105:
                raise _Bad(f"region {region!r}: shares add up to {total}%, not about 100%")
        code = PROVINCE_CODES.get(region.casefold()) if request.geo == "CA" else None
        if request.geo == "" and code is None:
            country = GEO_NAME_CODES.get(region.casefold())
            code = country or None
        for term, (value, below) in zip(export.terms, parsed, strict=True):
            maximum = max(maximum, value or 0)
            rows["request_key"].append(request.request_key)
            rows["term"].append(term)
            rows["geo"].append(request.geo)
            rows["timeframe"].append(request.timeframe)
            rows["resolution"].append(request.resolution.value if request.resolution else "")
            rows["region_code"].append(code)
            rows["region_name"].append(region)
            rows["value_kind"].append(value_kind)
            rows["value"].append(value)
            rows["is_below_one"].append(below)
            rows["has_data"].append(value is not None)
            rows["backend"].append(raw.backend)
    if value_kind == "index" and 0 < maximum < 100:
        raise _Bad(f"no region reaches 100 (largest {maximum}); the file looks truncated or edited")
    return pl.DataFrame(rows, schema=INTEREST_BY_REGION_SCHEMA)


def _parse_related_value(kind: str, shown: str, where: str) -> tuple[int | None, bool]:
    if kind == "top":
        value, _below = _parse_value(shown, where)
        if value is None:
            raise _Bad(f"{where}: a TOP row has no value")
        return value, False
    if not _DIGIT.search(shown):
        return None, True  # "Breakout" (localised): growth above ~5000%, no number given
    digits = re.sub(r"[^\d]", "", shown)
    if not re.fullmatch(r"[+]?\s*[\d,.\u202f\u00a0 ]+\s*%?.*", shown.strip()):
        raise _Bad(f"{where}: rising value {shown[:20]!r} is not like '+250%' or 'Breakout'")
    return int(digits), False


def _frame_related(export: WebCsvExport, raw: RawPayload) -> pl.DataFrame:
    request = raw.request
    entity = "query" if request.operation is Operation.RELATED_QUERIES else "topic"
    rows: dict[str, list[Any]] = {name: [] for name in RELATED_SCHEMA.names()}
    for kind, rank, query, shown in export.related:
        value, breakout = _parse_related_value(kind, shown, f"{kind.upper()} row {rank}")
        rows["request_key"].append(request.request_key)
        rows["term"].append(export.terms[0])
        rows["geo"].append(request.geo)
        rows["timeframe"].append(request.timeframe)
        rows["entity"].append(entity)
        rows["kind"].append(kind)
        rows["rank"].append(rank)
        rows["query"].append(query)
        rows["topic_mid"].append(None)
        rows["topic_type"].append(None)
        rows["value"].append(value)
        rows["formatted_value"].append(shown)
        rows["is_breakout"].append(breakout)
        rows["backend"].append(raw.backend)
    return pl.DataFrame(rows, schema=RELATED_SCHEMA)


_KIND_OF_OPERATION = {
    Operation.INTEREST_OVER_TIME: "timeline",
    Operation.INTEREST_BY_REGION: "geo",
    Operation.RELATED_QUERIES: "related",
    Operation.RELATED_TOPICS: "related",
}


def parse_web_csv_payload(raw: RawPayload) -> pl.DataFrame:
    """Parse a landed web export against the request it was landed under."""
    export = read_export(decode_export(raw.body))
    if _KIND_OF_OPERATION[raw.request.operation] != export.kind:
        raise _Bad(f"the file is a {export.kind} export, but was landed as {raw.request.operation}")
    export.terms = _check_terms(export.terms, raw.request, "the file")
    if export.kind == "timeline":
        return _frame_timeline(export, raw)
    if export.kind == "geo":
        return _frame_geo(export, raw)
    return _frame_related(export, raw)


def import_web_csv(
    source: Path | bytes,
    *,
    source_name: str | None = None,
    geo: str | None = None,
    category: int | None = None,
    gprop: Gprop = Gprop.WEB,
    date_order: DateOrder = "MDY",
    entity: Literal["query", "topic"] | None = None,
    hl: str = "en-US",
    fetched_at: datetime | None = None,
) -> RawPayload:
    """Read one exported file into a ``RawPayload`` (one request batch), validating it fully.

    The file is parsed once here so that a broken file is rejected before anything is
    landed. ``fetched_at`` defaults to the file's modification time (when it was exported),
    which decides whether its last period was still running.
    """
    if isinstance(source, Path):
        name = source_name or source.name
        try:
            if source.stat().st_size > MAX_FILE_BYTES:
                raise InvalidPayload(f"{name}: the file is too large to be a Trends export")
            body = source.read_bytes()
            stamp = fetched_at or datetime.fromtimestamp(source.stat().st_mtime, UTC)
        except OSError as exc:
            raise InvalidPayload(f"{name}: cannot read the file ({exc.strerror})") from None
    else:
        name = source_name or "uploaded CSV"
        body = source
        stamp = fetched_at or datetime.now(UTC)
    if entity is None:
        entity = "topic" if re.search(r"entit|topic", name, re.IGNORECASE) else "query"
    try:
        export = read_export(decode_export(body))
        request = infer_request(
            export,
            geo=geo,
            category=category,
            gprop=gprop,
            date_order=date_order,
            entity=entity,
            hl=hl,
        )
        payload = RawPayload(
            request=request,
            body=body,
            content_type=CONTENT_TYPE_WEB_CSV,
            backend=BACKEND_NAME,
            fetched_at=stamp,
            source_name=name,
        )
        parse_web_csv_payload(payload)
    except _Bad as exc:
        raise InvalidPayload(f"{name}: {exc}") from None
    return payload


def render_multi_timeline_csv(
    frame: pl.DataFrame, *, category_label: str = "All categories", geo_name: str = "Canada"
) -> str:
    """Write an INTEREST_OVER_TIME frame the way the web page exports it (for fixtures/tests)."""
    terms = list(dict.fromkeys(frame.get_column("term").to_list()))
    granularity = frame.get_column("granularity").cast(pl.String).first() or "week"
    word = {"day": "Day", "week": "Week", "month": "Month", "hour": "Time"}[str(granularity)]
    lines = [
        f"Category: {category_label}",
        "",
        ",".join([word] + [f"{t}: ({geo_name})" for t in terms]),
    ]
    wide = frame.sort("period_start_utc")
    for moment, group in wide.group_by("period_start_utc", maintain_order=True):
        stamp = moment[0]
        assert isinstance(stamp, datetime)
        if granularity == "month":
            label = stamp.strftime("%Y-%m")
        elif granularity == "hour":
            label = stamp.strftime("%Y-%m-%dT%H")
        else:
            label = stamp.strftime("%Y-%m-%d")
        by_term = {row["term"]: row for row in group.iter_rows(named=True)}
        cells = []
        for term in terms:
            row = by_term[term]
            if not row["has_data"]:
                cells.append("")
            elif row["is_below_one"]:
                cells.append("<1")
            else:
                cells.append(str(row["value"]))
        lines.append(",".join([label, *cells]))
    return "\n".join(lines) + "\n"
