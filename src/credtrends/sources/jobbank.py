"""Job Bank open data: monthly job postings by NOC 2021 and province -> posting counts.

Dataset "Job Postings Advertised on Canada's National Job Bank Website" on open.canada.ca
(CKAN id ``ea639e28-c0fc-48bf-b5dd-b8899bd43072``): one CSV per month and language, e.g.
``job-bank-open-data-all-job-postings-en-may2026.csv`` / ``...-fr-juillet2026.csv``.
The files are UTF-16 with a BOM and TAB-separated (older or re-saved copies come as UTF-8
or Latin-1 with commas: all tolerated), ``NA`` marks a missing cell, and the columns
include ``WIC Job Location Snapshot ID, Job Title, NOC21 Code, NOC21 Code Name, First
Posting Date (yyyy/MM/dd, yyyy-MM-dd in some months), Vacancy Count, Province/Territory,
City, Economic Region``. There is no employer name; one row is one posting location.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import polars as pl

from credtrends.catalogue import Region
from credtrends.errors import InvalidPayload
from credtrends.sources.base import (
    ParseReport,
    PoliteHttp,
    SourcePayload,
    decode_text,
    read_csv_frame,
    resolve_aliases,
    sniff_delimiter,
)
from credtrends.sources.statcan.parse import OBSERVATION_SCHEMA, empty_observations

DATASET_ID = "ea639e28-c0fc-48bf-b5dd-b8899bd43072"
CKAN_PACKAGE_SHOW = "https://open.canada.ca/data/api/action/package_show"
BACKEND = "jobbank-open-data"
MISSING = frozenset({"", "NA", "N/A", "*No data", "n/a"})

# Header aliases: English as published, then French and bilingual variants (the French
# file's exact headers could not be confirmed; these are the likely spellings).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "noc": (
        "NOC21 Code",
        "NOC 2021 Code",
        "NOC21",
        "NOC 2021",
        "Code CNP21",
        "Code CNP 2021",
        "CNP21 Code",
        "CNP 2021",
    ),
    "province": ("Province/Territory", "Province", "Province/Territoire", "Province ou territoire"),
    "posted": (
        "First Posting Date",
        "Date Posted",
        "Posting Date",
        "Date de la première publication",
        "Date de première publication",
        "Date de publication",
    ),
    "vacancies": (
        "Vacancy Count",
        "Vacancies",
        "Nombre de postes vacants",
        "Nombre de postes",
        "Postes vacants",
    ),
    "posting_id": (
        "WIC Job Location Snapshot ID",
        "Job Location Snapshot ID",
        "ID instantané du lieu de travail WIC",
    ),
}
REQUIRED = ("noc", "province", "posted")

PROVINCE_ABBREVIATIONS = {
    "NL": "CA-NL",
    "PE": "CA-PE",
    "NS": "CA-NS",
    "NB": "CA-NB",
    "QC": "CA-QC",
    "ON": "CA-ON",
    "MB": "CA-MB",
    "SK": "CA-SK",
    "AB": "CA-AB",
    "BC": "CA-BC",
    "YT": "CA-YT",
    "NT": "CA-NT",
    "NU": "CA-NU",
}

MONTHS = {
    "jan": 1,
    "january": 1,
    "janvier": 1,
    "janv": 1,
    "feb": 2,
    "february": 2,
    "fev": 2,
    "fevrier": 2,
    "février": 2,
    "févr": 2,
    "mar": 3,
    "march": 3,
    "mars": 3,
    "apr": 4,
    "april": 4,
    "avr": 4,
    "avril": 4,
    "may": 5,
    "mai": 5,
    "jun": 6,
    "june": 6,
    "juin": 6,
    "jul": 7,
    "july": 7,
    "juil": 7,
    "juillet": 7,
    "aug": 8,
    "august": 8,
    "aout": 8,
    "août": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "septembre": 9,
    "oct": 10,
    "october": 10,
    "octobre": 10,
    "nov": 11,
    "november": 11,
    "novembre": 11,
    "dec": 12,
    "december": 12,
    "decembre": 12,
    "décembre": 12,
}


@dataclass(frozen=True, slots=True)
class JobBankResource:
    """One monthly file listed by CKAN."""

    name: str
    url: str
    language: Literal["en", "fr"] | None
    month: date | None
    """First day of the month the file covers, read from its name; None if unreadable."""


def new_http(http_session: Any = None) -> PoliteHttp:
    """A PoliteHttp for open.canada.ca; pass a fake ``http_session`` in tests."""
    if http_session is None:
        return PoliteHttp(source="Job Bank open data (open.canada.ca)")
    return PoliteHttp(source="Job Bank open data (open.canada.ca)", session=http_session)


def fetch_dataset(http: PoliteHttp, dataset_id: str = DATASET_ID) -> SourcePayload:
    """CKAN ``package_show`` for the dataset: the list of monthly resources."""
    return http.request("GET", CKAN_PACKAGE_SHOW, params={"id": dataset_id}, backend=BACKEND)


def fetch_resource(http: PoliteHttp, resource: JobBankResource) -> SourcePayload:
    """Download one monthly file, bytes untouched (UTF-16 stays UTF-16)."""
    if not resource.url.startswith("https://"):
        raise InvalidPayload(f"Job Bank resource {resource.name!r} has a non-https URL")
    return http.request("GET", resource.url, backend=BACKEND)


def month_from_name(name: str) -> date | None:
    """'...-en-feb2026.csv' / '...-fr-juillet2026.csv' / '..._2024-05.csv' -> first of month."""
    lowered = name.casefold()
    match = re.search(r"-(?:en|fr)-([a-zéû]+)[-_]?(\d{4})", lowered)
    if match and match.group(1) in MONTHS:
        return date(int(match.group(2)), MONTHS[match.group(1)], 1)
    match = re.search(r"(20\d{2})[-_]?(0[1-9]|1[0-2])(?!\d)", lowered)
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1)
    return None


def parse_resources(
    payload: SourcePayload, language: Literal["en", "fr"] | None = "en"
) -> list[JobBankResource]:
    """CKAN package_show answer -> monthly CSV resources (newest first) in one language."""
    what = payload.label()
    try:
        document = json.loads(payload.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPayload(f"{what}: not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("success") is not True:
        raise InvalidPayload(f"{what}: CKAN did not answer success: {str(document)[:200]}")
    result = document.get("result")
    resources = result.get("resources") if isinstance(result, dict) else None
    if not isinstance(resources, list):
        raise InvalidPayload(f"{what}: no 'result.resources' list")
    found: list[JobBankResource] = []
    for item in resources:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "")
        fmt = str(item.get("format") or "").upper()
        if fmt != "CSV" and not url.casefold().endswith(".csv"):
            continue
        name = str(item.get("name") or url.rsplit("/", 1)[-1])
        filename = url.rsplit("/", 1)[-1]
        lang: Literal["en", "fr"] | None = None
        if "-en-" in filename.casefold():
            lang = "en"
        elif "-fr-" in filename.casefold():
            lang = "fr"
        else:
            langs = item.get("language")
            if isinstance(langs, list) and len(langs) == 1 and langs[0] in ("en", "fr"):
                lang = langs[0]
        if language is not None and lang not in (language, None):
            continue
        found.append(JobBankResource(name, url, lang, month_from_name(filename)))
    found.sort(key=lambda r: r.month or date.min, reverse=True)
    return found


def _normalise_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().casefold()


def _resolve_columns(columns: list[str], what: str) -> dict[str, str]:
    """Our field -> the file's column, accepting EN, FR and 'EN / FR' bilingual headers."""
    lookup: dict[str, str] = {}
    for column in columns:
        lookup.setdefault(_normalise_header(column), column)
        for part in re.split(r"\s+/\s+", column):
            lookup.setdefault(_normalise_header(part), column)
    resolved = resolve_aliases(lookup, COLUMN_ALIASES, _normalise_header)
    missing = [f for f in REQUIRED if f not in resolved]
    if missing:
        wanted = {f: COLUMN_ALIASES[f][0] for f in missing}
        raise InvalidPayload(
            f"{what}: missing columns {list(wanted.values())} (found {columns[:12]}...); "
            "is this a Job Bank postings file?"
        )
    return resolved


def province_lookup(regions: Iterable[Region]) -> dict[str, str]:
    """Province names (EN, FR, StatCan) and 2-letter codes -> our region code."""
    lookup = {k.casefold(): v for k, v in PROVINCE_ABBREVIATIONS.items()}
    for region in regions:
        if region.level == "country":
            continue
        for key in (region.name_en, region.name_fr, region.statcan_name, region.code):
            lookup[key.casefold()] = region.code
    return lookup


def _posting_month(text: str) -> date | None:
    match = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T].*)?", text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def _noc_code(text: str) -> str | None:
    cleaned = re.sub(r"\.0$", "", text.strip())
    if not cleaned.isdigit() or len(cleaned) > 5:
        return None
    return cleaned.zfill(5)


def _count(text: str | None) -> int | None:
    if text is None or text.strip() in MISSING:
        return None
    cleaned = re.sub(r"[,\s]", "", text).removesuffix(".0")
    return int(cleaned) if cleaned.isdigit() else None


def parse_postings(
    payload: SourcePayload,
    provinces: Mapping[str, str],
    *,
    include_national: bool = True,
) -> tuple[pl.DataFrame, ParseReport]:
    """A monthly postings file -> monthly counts per NOC and province (+ Canada).

    ``job_postings`` counts posting rows; ``job_posting_vacancies`` sums "Vacancy Count"
    where the file gives one (rows without it are counted in the report, not guessed).
    Postings are dated by their first posting date's month. The frame matches
    ``labour_market_observations`` minus provenance; the whole file parses or nothing does.
    """
    what = payload.label()
    report = ParseReport(source=what)
    text = decode_text(payload.body, what, report)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line, ("\t", ","), what)
    frame = read_csv_frame(text, delimiter, what)
    columns = _resolve_columns(frame.columns, what)
    report.rows_read = frame.height
    if frame.height == 0:
        raise InvalidPayload(f"{what}: the file has a header but no rows")

    repeats = _Repeats(columns.get("posting_id"))
    counts: dict[tuple[str, str, date], list[int]] = {}
    vacancies_missing = 0
    for row in frame.iter_rows(named=True):
        if repeats.seen(row, report):
            continue
        key = _posting_key(row, columns, provinces, report)
        if key is None:
            continue
        noc, region, month = key
        vacancies = _count(row[columns["vacancies"]]) if "vacancies" in columns else None
        if vacancies is None:
            vacancies_missing += 1
        for key_region in (region, "CA") if include_national else (region,):
            bucket = counts.setdefault((noc, key_region, month), [0, 0, 0])
            bucket[0] += 1
            bucket[1] += vacancies or 0
            bucket[2] += 0 if vacancies is None else 1
    report.rows_kept = sum(v[0] for (_, r, _), v in counts.items() if r != "CA")
    if vacancies_missing:
        report.notes.append(f"{vacancies_missing} kept postings have no vacancy count")
    if not counts:
        raise InvalidPayload(f"{what}: no usable posting ({report.summary()})")
    rows = _posting_rows(counts, with_vacancies="vacancies" in columns)
    result = pl.DataFrame(rows, schema=OBSERVATION_SCHEMA) if rows else empty_observations()
    return result, report


@dataclass
class _Repeats:
    """Postings already counted: by posting id where the file has one, else by the whole row."""

    id_column: str | None
    ids: set[str] = field(default_factory=set)
    rows: set[tuple[str | None, ...]] = field(default_factory=set)

    def seen(self, row: Mapping[str, str | None], report: ParseReport) -> bool:
        """True (and counted as a skip) for a repeat; else remember the posting."""
        posting_id = (row[self.id_column] or "").strip() if self.id_column else ""
        if posting_id and posting_id not in MISSING:
            if posting_id in self.ids:
                report.skip("duplicate_posting_id")
                return True
            self.ids.add(posting_id)
            return False
        signature = tuple(row.values())
        if signature in self.rows:
            report.skip("duplicate_row")
            return True
        self.rows.add(signature)
        return False


def _posting_key(
    row: Mapping[str, str | None],
    columns: Mapping[str, str],
    provinces: Mapping[str, str],
    report: ParseReport,
) -> tuple[str, str, date] | None:
    """(NOC, region, month) of a posting, or None (the reason counted as a skip)."""
    raw_noc = (row[columns["noc"]] or "").strip()
    if raw_noc in MISSING:
        report.skip("noc_missing")
        return None
    noc = _noc_code(raw_noc)
    if noc is None:
        report.skip("noc_invalid")
        return None
    raw_province = (row[columns["province"]] or "").strip()
    region = provinces.get(raw_province.casefold())
    if region is None:
        report.skip("province_missing" if raw_province in MISSING else "province_unknown")
        return None
    month = _posting_month(row[columns["posted"]] or "")
    if month is None:
        report.skip("posting_date_invalid")
        return None
    return noc, region, month


def _posting_rows(
    counts: Mapping[tuple[str, str, date], list[int]], *, with_vacancies: bool
) -> list[dict[str, Any]]:
    """Observations: postings per key, and their summed vacancies when the file has them."""
    rows: list[dict[str, Any]] = []
    for (noc, region, month), (postings, vacancies_sum, counted) in sorted(counts.items()):
        rows.append(_observation(noc, region, "job_postings", month, postings, "postings"))
        if with_vacancies:
            # A lower bound when some postings lack a count; the status says so.
            value = float(vacancies_sum) if counted else None
            status = None if counted == postings else "partial"
            row_out = _observation(noc, region, "job_posting_vacancies", month, value, "vacancies")
            row_out["status"] = status
            rows.append(row_out)
    return rows


def _observation(
    noc: str, region: str, measure: str, month: date, value: float | None, uom: str
) -> dict[str, Any]:
    return {
        "noc_code": noc,
        "region_code": region,
        "measure": measure,
        "granularity": "month",
        "period_start": month,
        "value": None if value is None else float(value),
        "status": None,
        "uom": uom,
    }
