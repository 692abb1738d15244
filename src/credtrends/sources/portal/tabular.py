"""Catalogue exports institutions hold: CSV, XLSX and plain JSON -> Program records.

Headers vary by institution, so columns are found by alias (EN/FR, case and spacing
ignored). Subjects may hold several values separated by ``;`` or ``|`` (not commas: "Health,
safety and environment" is one subject). A row without title, region or listing date is
skipped and counted; a file without those columns is rejected whole.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import openpyxl

from credtrends.errors import InvalidPayload
from credtrends.sources.base import (
    ParseReport,
    SourcePayload,
    decode_text,
    read_csv_frame,
    resolve_aliases,
    sniff_delimiter,
)
from credtrends.sources.portal.mapping import SubjectMapping
from credtrends.sources.portal.programs import (
    CatalogueResult,
    Program,
    count_programs,
    parse_cost,
    resolve_region,
)

CONTENT_TYPE_CSV = "text/csv"
CONTENT_TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPE_JSON = "application/json"

ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "program",
        "program title",
        "program name",
        "name",
        "course",
        "course title",
        "credential",
        "micro-credential",
        "titre",
        "nom du programme",
    ),
    "provider": (
        "provider",
        "institution",
        "offered by",
        "organization",
        "organisation",
        "college",
        "school",
        "fournisseur",
        "établissement",
    ),
    "subjects": (
        "subjects",
        "subject",
        "topics",
        "topic",
        "category",
        "categories",
        "subject area",
        "keywords",
        "tags",
        "sujets",
        "sujet",
        "domaine",
    ),
    "delivery_mode": (
        "delivery mode",
        "delivery",
        "mode",
        "format",
        "delivery format",
        "mode de prestation",
    ),
    "duration": ("duration", "length", "hours", "durée"),
    "cost": ("cost", "price", "fee", "fees", "tuition", "coût", "prix", "frais"),
    "region": ("region", "province", "province/territory", "location", "région"),
    "listed_on": (
        "date listed",
        "listed",
        "listed on",
        "date_listed",
        "date added",
        "published",
        "date",
        "start date",
        "date de publication",
    ),
}
REQUIRED = ("title", "subjects", "region")


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("\ufeff", "").split()).casefold()


def _resolve(columns: list[str], what: str, need_date: bool) -> dict[str, str]:
    lookup = {_key(c): c for c in columns}
    resolved = resolve_aliases(lookup, ALIASES, _key)
    required = [*REQUIRED, "listed_on"] if need_date else list(REQUIRED)
    missing = [f for f in required if f not in resolved]
    if missing:
        raise InvalidPayload(
            f"{what}: missing columns for {missing} (found {columns[:12]}); accepted names "
            f"include {[ALIASES[f][0] for f in missing]}"
        )
    return resolved


def split_subjects(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in re.split(r"[;|\n]", str(value)) if p.strip())


def parse_listing_date(value: Any) -> date | None:
    """ISO dates, 'YYYY-MM', 'YYYY/MM/DD', Excel datetimes -> date; None if unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?:[T ].*)?", text)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        return None


def _records_from_payload(
    payload: SourcePayload, what: str, report: ParseReport
) -> list[dict[str, Any]]:
    body = payload.body
    kind = payload.content_type.split(";")[0].strip().casefold()
    name = payload.source_name.casefold()
    if kind == CONTENT_TYPE_XLSX or name.endswith(".xlsx") or body.startswith(b"PK\x03\x04"):
        return _xlsx_records(body, what)
    if kind == CONTENT_TYPE_JSON or name.endswith(".json") or body.lstrip()[:1] in (b"[", b"{"):
        try:
            document = json.loads(decode_text(body, what, report))
        except ValueError as exc:
            raise InvalidPayload(f"{what}: not valid JSON ({exc})") from exc
        if isinstance(document, dict):
            for key in ("programs", "items", "data", "results", "credentials"):
                if isinstance(document.get(key), list):
                    document = document[key]
                    break
        if not isinstance(document, list) or not all(isinstance(d, dict) for d in document):
            raise InvalidPayload(f"{what}: expected a JSON list of program objects")
        return list(document)
    text = decode_text(body, what, report)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line, (",", ";", "\t"), what)
    frame = read_csv_frame(text, delimiter, what)
    return list(frame.iter_rows(named=True))


def _xlsx_records(body: bytes, what: str) -> list[dict[str, Any]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InvalidPayload(f"{what}: not a readable XLSX workbook ({exc})") from exc
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise InvalidPayload(f"{what}: the first sheet is empty")
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def parse_catalogue(
    payload: SourcePayload,
    mapping: SubjectMapping,
    regions: Mapping[str, str],
    *,
    as_of: date | None = None,
) -> CatalogueResult:
    """A catalogue export -> programs, monthly ``programs_offered`` counts, unmapped subjects.

    ``as_of`` dates programs whose file has no listing-date column (a snapshot export).
    """
    what = payload.label()
    report = ParseReport(source=what)
    records = _records_from_payload(payload, what, report)
    if not records:
        raise InvalidPayload(f"{what}: no programs in the file")
    columns = list(dict.fromkeys(k for r in records for k in r))
    resolved = _resolve(columns, what, need_date=as_of is None)
    report.rows_read = len(records)
    programs: list[Program] = []
    seen: set[tuple[str, str | None, str, date]] = set()
    for record in records:

        def get(field_name: str, record: dict[str, Any] = record) -> Any:
            column = resolved.get(field_name)
            value = record.get(column) if column else None
            return value.strip() if isinstance(value, str) else value

        title = get("title")
        if not title:
            report.skip("title_missing")
            continue
        region = resolve_region(str(get("region") or ""), regions)
        if region is None:
            report.skip("region_unknown")
            continue
        listed_on = parse_listing_date(get("listed_on")) if "listed_on" in resolved else None
        if listed_on is None:
            if "listed_on" in resolved and get("listed_on") not in (None, ""):
                report.skip("date_unreadable")
                continue
            if as_of is None:
                report.skip("date_missing")
                continue
            listed_on = as_of
        provider = str(get("provider")) if get("provider") else None
        key = (str(title), provider, region, listed_on)
        if key in seen:
            report.skip("duplicate_program")
            continue
        seen.add(key)
        raw_cost = get("cost")
        programs.append(
            Program(
                title=str(title),
                provider=provider,
                subjects=split_subjects(get("subjects")),
                delivery_mode=str(get("delivery_mode")) if get("delivery_mode") else None,
                duration=str(get("duration")) if get("duration") else None,
                cost=float(raw_cost)
                if isinstance(raw_cost, int | float)
                else parse_cost(raw_cost if isinstance(raw_cost, str) else None),
                region_code=region,
                listed_on=listed_on,
            )
        )
    if not programs:
        raise InvalidPayload(f"{what}: no usable program ({report.summary()})")
    report.rows_kept = len(programs)
    programs_frame, counts, unmapped = count_programs(programs, mapping, report)
    return CatalogueResult(programs_frame, counts, unmapped, report)
