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
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import polars as pl

from credtrends.errors import ConfigError, InvalidPayload
from credtrends.sources.google_trends.checks import Bad as _Bad
from credtrends.sources.google_trends.checks import check_terms, first_repeat, infer_granularity
from credtrends.sources.google_trends.client import CONTENT_TYPE_WEB_CSV, RawPayload
from credtrends.sources.google_trends.export_labels import (
    ALL_CATEGORIES_LABELS,
    CATEGORY_IDS,
    PERIOD_WORDS,
)
from credtrends.sources.google_trends.geo_names import PROVINCE_CODES, geo_candidates, geo_code
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
    FrameRows,
)

BACKEND_NAME = "web_csv"
MAX_FILE_BYTES = 5_000_000
"""A real export is a few kB; refuse anything that could only be a mistake or an attack."""

DateOrder = Literal["MDY", "DMY", "YMD"]
Kind = Literal["timeline", "geo", "related"]

MULTI_GEO_MARKER = "geos"
"""Key of the landed request (``canonical_json``) that marks a multi-geo comparison.

A timeline export whose columns name different places ("pmp: (Ontario)", "pmp: (Quebec)")
is one Google request on one common scale. It becomes one request whose ``geos`` lists
each column's geo; every parsed row carries its column's geo and the shared
``request_key`` and ``timeframe``, so calibration can link the geos through that key."""

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
    geo_names: list[str] = field(default_factory=list)
    """timeline: the place each column names, as written (one per term)."""
    date_range: tuple[str, str] | None = None
    level_word: str = ""
    granularity: str | None = None
    periods: list[date] = field(default_factory=list)
    hours: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    value_kind: str = "index"
    header_line: int = 0
    lines: list[int] = field(default_factory=list)
    """The file line of each body row (1-based), for messages."""
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
        line = body[: exc.start].count(b"\n") + 1
        raise _Bad(
            f"line {line}: the file is not UTF-8 text (byte {exc.start}); it was probably "
            "re-saved as Latin-1/Windows-1252 - export it again from trends.google.com"
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _Bad(f"line {line}: the file contains NUL characters; it is not a text export")
    return text


Row = tuple[int, list[str]]
"""(file line where the record starts, its cells stripped)."""


def _rows(text: str) -> list[Row]:
    """CSV records with the line each starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, [cell.strip() for cell in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _Bad(
            f"line {start}: the CSV quoting is broken ({exc}); a quote opened on this line "
            "is not closed where a cell ends"
        ) from None
    return rows


def _blank(row: Sequence[str]) -> bool:
    return not any(cell for cell in row)


def _split_header_cell(cell: str, position: str) -> tuple[str, str]:
    match = _HEADER_CELL.match(cell)
    if not match:
        raise _Bad(f"{position} {cell[:60]!r} is not '<term>: (<geo or dates>)'")
    return match.group("term").strip(), match.group("inner").strip()


_BELOW_ONE = re.compile(r"^<\s*1\s*%?$")
"""Google's "<1" (below one), with any whitespace: French pages write "<\u00a01"."""


def _parse_value(cell: str, where: str) -> tuple[int | None, bool]:
    """A cell -> (value, is_below_one). Empty means Google had too little data."""
    if cell == "":
        return None, False
    if _BELOW_ONE.match(cell):
        return 0, True
    digits = "".join(cell.split()).removesuffix("%")
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


def _category_line(rows: list[Row]) -> str | None:
    """The category as written on line 1 ("Catégorie : Toutes catégories" -> its value).

    Recognised by shape, in any language: the first record is one cell that is not a
    "<term>: (...)" header cell. The label is what follows the first colon (ASCII or
    full-width, any spacing), or the whole cell when there is none.
    """
    line, first = rows[0]
    cells = [cell for cell in first if cell]
    if line != 1 or len(cells) != 1 or _HEADER_CELL.match(cells[0]):
        return None
    parts = re.split(r"[:：]", cells[0], maxsplit=1)
    return " ".join(parts[-1].split())


def read_export(text: str) -> WebCsvExport:
    """Recognise and read one export (structure only; no request binding)."""
    numbered = _rows(text)
    while numbered and _blank(numbered[-1][1]):
        numbered.pop()
    if not numbered:
        raise _Bad("the file has no rows")
    category_label = _category_line(numbered)
    if category_label is None:
        first = numbered[0][1]
        if len(first) == 1 and ";" in first[0]:
            raise _Bad(
                f"line {numbered[0][0]}: cells are separated by ';' (found ';' in "
                f"{first[0][:40]!r}); Google writes ',' - the file was re-saved by a "
                "spreadsheet, export it again from trends.google.com"
            )
        raise _Bad(
            "line 1 should be the category line (e.g. 'Category: All categories' in the "
            "page's language), then a blank line"
        )
    rest = numbered[1:]
    if any(len(row) == 1 and row[0].casefold() in _SECTION_WORDS for _, row in rest):
        return _read_related([row for _, row in rest], category_label)
    while rest and _blank(rest[0][1]):
        rest = rest[1:]
    if not rest:
        raise _Bad("the file has a category line but no table")
    header_line, header = rest[0]
    if len(header) < 2 or ";" in header[0]:
        if header and ";" in header[0]:
            raise _Bad(
                f"line {header_line}: the header's cells are separated by ';' (found ';' in "
                f"{header[0][:40]!r}); Google writes ',' - the file was re-saved by a "
                "spreadsheet, export it again from trends.google.com"
            )
        raise _Bad(f"line {header_line} should be the header '<period or region>,<term>: (...)'")
    split = [
        _split_header_cell(cell, f"line {header_line} column {n + 2}:")
        for n, cell in enumerate(header[1:])
    ]
    terms = [term for term, _ in split]
    inners = [inner for _, inner in split]
    body = rest[1:]
    width = len(header)
    for line, row in body:
        if len(row) != width:
            raise _Bad(
                f"line {line} has {len(row)} cells, the header (line {header_line}) has "
                f"{width}: the file is truncated or edited"
            )
    ranges = [_DATE_RANGE.match(inner) for inner in inners]
    export = WebCsvExport(
        kind="geo" if ranges[0] else "timeline", category_label=category_label, terms=terms
    )
    export.level_word = header[0]
    export.header_line = header_line
    export.lines = [line for line, _ in body]
    export.cells = [row[1:] for _, row in body]
    if ranges[0]:
        if len(set(inners)) != 1:
            raise _Bad(f"line {header_line}: the columns cover different date ranges: {inners}")
        export.date_range = (ranges[0].group("start"), ranges[0].group("end"))
        export.regions = [row[0] for _, row in body]
        for line, row in body:
            if not row[0]:
                raise _Bad(f"line {line}: a region row has no region name")
        return export
    for column, matched in enumerate(ranges):
        if matched:
            raise _Bad(
                f"line {header_line} column {column + 2}: a date range among geo columns; "
                "an export compares either places over time or regions in one window"
            )
    export.geo_names = inners
    export.geo_name = inners[0] if len(set(inners)) == 1 else None
    if not body:
        raise _Bad(f"the export has a header (line {header_line}) but no rows")
    _read_periods(export, body)
    return export


def _read_periods(export: WebCsvExport, body: list[Row]) -> None:
    """Periods of a timeline, checked in file order with the lines that break them."""
    stamps = [_parse_period(row[0], f"line {line}") for line, row in body]
    repeat = first_repeat(stamps)
    if repeat is not None:
        later, earlier = repeat
        raise _Bad(
            f"line {export.lines[later]} repeats the period {body[later][1][0]!r} of line "
            f"{export.lines[earlier]}"
        )
    for n in range(1, len(stamps)):
        if stamps[n] < stamps[n - 1]:
            raise _Bad(
                f"line {export.lines[n]}: period {body[n][1][0]!r} comes before the period "
                f"of line {export.lines[n - 1]}; rows must be in time order"
            )
    export.periods = [day for day, _ in stamps]
    export.hours = [hour if hour is not None else 0 for _, hour in stamps]
    hourly = any(hour is not None for _, hour in stamps)
    moments = [
        datetime(d.year, d.month, d.day, h, tzinfo=UTC)
        for d, h in zip(export.periods, export.hours, strict=True)
    ]
    try:
        inferred = infer_granularity(export.periods, hourly=moments if hourly else None)
    except _Bad:
        raise _Bad(_uneven_step(export, moments, body)) from None
    words = PERIOD_WORDS.get(" ".join(export.level_word.casefold().split()))
    if len(stamps) >= 2 and words is not None and inferred not in words:
        raise _Bad(
            f"line {export.header_line}: the header says {export.level_word!r} but the rows "
            f"are {inferred}ly"
        )
    if len(stamps) >= 2 or words is None:
        export.granularity = inferred
    else:
        export.granularity = min(words)  # one row: the header's word is all there is


def _uneven_step(export: WebCsvExport, moments: list[datetime], body: list[Row]) -> str:
    """Name the first row whose distance from the previous one differs from the rest."""
    steps = [b - a for a, b in itertools.pairwise(moments)]
    monthly = all(m.day == 1 for m in moments) and all(
        timedelta(days=28) <= s <= timedelta(days=31) for s in steps[:1]
    )
    for n, step in enumerate(steps[1:], start=1):
        same = timedelta(days=28) <= step <= timedelta(days=31) if monthly else step == steps[0]
        if not same:
            return (
                f"line {export.lines[n + 1]}: period {body[n + 1][1][0]!r} is {_span(step)} "
                f"after line {export.lines[n]}'s, but the rows before are {_span(steps[0])} "
                "apart: mixed granularity or a missing period"
            )
    return f"periods are not evenly spaced from line {export.lines[0]}: mixed granularity"


def _span(step: timedelta) -> str:
    if step % timedelta(days=1):
        hours = step / timedelta(hours=1)
        return f"{hours:g} hour(s)"
    return f"{step.days} day(s)"


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


def _geo_code(name: str | None, override: str | None, what: str) -> str:
    if override is not None:
        return override
    if name is None:
        raise _Bad(f"the export does not say which geo it covers; pass --geo ({what})")
    try:
        return geo_code(name)
    except _Bad as exc:
        raise _Bad(f"{what}: {exc}") from None


def category_of(label: str) -> tuple[int | None, str]:
    """(Google category id or None, the label to keep when the id is not known)."""
    folded = " ".join(label.casefold().split())
    if folded in ALL_CATEGORIES_LABELS:
        return 0, ""
    if folded in CATEGORY_IDS:
        return CATEGORY_IDS[folded], ""
    return None, label


def _timeline_geos(export: WebCsvExport, override: str | None) -> tuple[str, tuple[str, ...]]:
    """(request geo, per-term geos or () when every column names the same place)."""
    where = f"line {export.header_line}"
    if export.geo_name is not None:
        return _geo_code(export.geo_name, override, where), ()
    if override is not None:
        raise _Bad(
            f"{where}: the columns compare several places {sorted(set(export.geo_names))}; "
            "--geo names one geo for the whole file, so import it without --geo"
        )
    codes: list[str] = []
    for column, name in enumerate(export.geo_names):
        try:
            codes.append(geo_code(name))
        except _Bad as exc:
            raise _Bad(
                f"{where} column {column + 2}: {exc}; a multi-geo comparison needs every "
                "place to be known"
            ) from None
    countries = {code.split("-")[0] for code in codes}
    scope = countries.pop() if len(countries) == 1 and "" not in codes else ""
    return scope, tuple(codes)


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
    category_name = ""
    if category is None:
        category, category_name = category_of(export.category_label)
    per_term: dict[str, Any] = {}
    if export.kind == "timeline":
        first, last = export.periods[0], export.periods[-1]
        if export.granularity in {"hour", "minute"}:
            start_hour, end_hour = export.hours[0], export.hours[-1]
            timeframe = f"{first.isoformat()}T{start_hour:02d} {last.isoformat()}T{end_hour:02d}"
            if len(export.periods) < 2:
                raise _Bad("a one-row hourly export has no window")
        else:
            timeframe = _timeframe(first, _period_end(last, export.granularity or "day"))
        scope, geos = _timeline_geos(export, geo)
        fields: dict[str, Any] = {
            "operation": Operation.INTEREST_OVER_TIME,
            "geo": scope,
            "timeframe": timeframe,
        }
        if geos:
            per_term["geos"] = geos
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
                geo=_geo_code(None, geo, "the regions are not Canadian provinces"),
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
        return make_request(
            terms=export.terms,
            category=category,
            category_name=category_name,
            gprop=gprop,
            hl=hl,
            **fields,
            **per_term,
        )
    except ConfigError as exc:
        raise _Bad(f"line {export.header_line or 1}: {exc}") from None


def _frame_timeline(export: WebCsvExport, raw: RawPayload) -> pl.DataFrame:
    request = raw.request
    granularity = export.granularity or "day"
    rows = FrameRows(INTEREST_OVER_TIME_SCHEMA, request, raw.backend)
    last = len(export.periods) - 1
    fetched_day = raw.fetched_at.astimezone(UTC).date()
    maximum = 0
    geos = request.term_geos
    for n, (day, hour, cells, line) in enumerate(
        zip(export.periods, export.hours, export.cells, export.lines, strict=True)
    ):
        # The export does not flag the running period; it is partial if it had not ended
        # when the file was made (fetched_at is the file's export/import time).
        partial = n == last and _period_end(day, granularity) >= fetched_day
        for column, (term, term_geo, cell) in enumerate(
            zip(export.terms, geos, cells, strict=True)
        ):
            value, below = _parse_value(cell, f"line {line} column {column + 2}")
            maximum = max(maximum, value or 0)
            rows.add(
                term=term, geo=term_geo, period_start=day,
                period_start_utc=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                granularity=granularity, value=value, is_below_one=below,
                has_data=value is not None, is_partial=partial,
            )  # fmt: skip
    if export.cells and 0 < maximum < 100:
        raise _Bad(
            f"no value reaches 100 (largest {maximum}); Google scales every export so its "
            "largest value is 100 - the file looks truncated or edited"
        )
    return rows.frame()


def _frame_geo(export: WebCsvExport, raw: RawPayload) -> pl.DataFrame:
    request = raw.request
    flat = [cell for row in export.cells for cell in row if cell]
    percent = [cell.endswith("%") for cell in flat if cell not in {"<1", "< 1"}]
    if any(percent) and not all(percent):
        raise _Bad("some values are percentages and some are not")
    value_kind = "share_percent" if percent and all(percent) else "index"
    rows = FrameRows(INTEREST_BY_REGION_SCHEMA, request, raw.backend)
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
            countries = [c for c in geo_candidates(region) if c and "-" not in c]
            code = countries[0] if len(countries) == 1 else None
        for term, (value, below) in zip(export.terms, parsed, strict=True):
            maximum = max(maximum, value or 0)
            rows.add(
                term=term, resolution=request.resolution.value if request.resolution else "",
                region_code=code, region_name=region, value_kind=value_kind, value=value,
                is_below_one=below, has_data=value is not None,
            )  # fmt: skip
    if value_kind == "index" and 0 < maximum < 100:
        raise _Bad(f"no region reaches 100 (largest {maximum}); the file looks truncated or edited")
    return rows.frame()


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
    rows = FrameRows(RELATED_SCHEMA, request, raw.backend)
    for kind, rank, query, shown in export.related:
        value, breakout = _parse_related_value(kind, shown, f"{kind.upper()} row {rank}")
        rows.add(
            term=export.terms[0], entity=entity, kind=kind, rank=rank, query=query,
            topic_mid=None, topic_type=None, value=value, formatted_value=shown,
            is_breakout=breakout,
        )  # fmt: skip
    return rows.frame()


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
    export.terms = check_terms(export.terms, raw.request, "the file")
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
