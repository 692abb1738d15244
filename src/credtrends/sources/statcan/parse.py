"""Pure parsers for Statistics Canada WDS payloads -> ``labour_market_observations`` frames.

A payload is parsed whole or rejected whole (InvalidPayload naming the file and the
problem); rows we deliberately leave out (aggregate occupations, economic regions, other
statistics) are counted in the returned ParseReport, never dropped silently.

Full-table CSV layout (``<pid>.csv`` inside the zip that getFullTableDownloadCSV points to):
``REF_DATE, GEO, DGUID, <one column per dimension>, UOM, UOM_ID, SCALAR_FACTOR, SCALAR_ID,
VECTOR, COORDINATE, VALUE, STATUS, SYMBOL, TERMINATED, DECIMALS``; UTF-8 with a BOM, every
field quoted. Occupation members read "Data scientists [21211]"; suppressed cells have an
empty VALUE and a STATUS such as ``..``, ``x`` or ``F``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from credtrends.catalogue import Region
from credtrends.errors import InvalidPayload
from credtrends.granularity import StatCanGranularity
from credtrends.sources.base import ParseReport, SourcePayload, decode_text, sniff_delimiter
from credtrends.sources.statcan.values import (
    SUPPRESSING_STATUSES,
    parse_statcan_value,
    scalar_power,
)

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "noc_code": pl.Utf8(),
    "region_code": pl.Utf8(),
    "measure": pl.Utf8(),
    "granularity": pl.Utf8(),
    "period_start": pl.Date(),
    "value": pl.Float64(),
    "status": pl.Utf8(),
    "uom": pl.Utf8(),
}
"""Columns of ``labour_market_observations`` minus the provenance the loader adds."""

KEY_COLUMNS = ("noc_code", "region_code", "measure", "granularity", "period_start")

REQUIRED_COLUMNS = (
    "REF_DATE",
    "GEO",
    "DGUID",
    "UOM",
    "SCALAR_FACTOR",
    "SCALAR_ID",
    "VECTOR",
    "COORDINATE",
    "VALUE",
    "STATUS",
)
METADATA_COLUMNS = frozenset({*REQUIRED_COLUMNS, "UOM_ID", "SYMBOL", "TERMINATED", "DECIMALS"})

FRENCH_HEADERS = {
    "PÉRIODE DE RÉFÉRENCE": "REF_DATE",
    "GÉO": "GEO",
    "UNITÉ DE MESURE": "UOM",
    "IDENTIFICATEUR D'UNITÉ DE MESURE": "UOM_ID",
    "FACTEUR SCALAIRE": "SCALAR_FACTOR",
    "IDENTIFICATEUR SCALAIRE": "SCALAR_ID",
    "VECTEUR": "VECTOR",
    "COORDONNÉES": "COORDINATE",
    "VALEUR": "VALUE",
    "STATUT": "STATUS",
    "SYMBOLE": "SYMBOL",
    "TERMINÉ": "TERMINATED",
    "DÉCIMALES": "DECIMALS",
}
"""French full-table headers (NOT confirmed against a real French file; best knowledge)."""

NOC_COLUMN_PREFIXES = ("National Occupational Classification", "Classification nationale des")

_NOC_LABEL = re.compile(r"^(?P<name>.*?)\s*\[(?P<code>\d{1,5})\]\s*$")


@dataclass(frozen=True, slots=True)
class StatcanTable:
    """What to read from one StatCan table, and how to name it in our warehouse."""

    pid: str
    """8-digit product id used by WDS (table 14-10-0444-01 -> ``14100444``)."""
    title: str
    granularity: StatCanGranularity
    measures: Mapping[str, str]
    """Label in the measure column -> our ``measure`` id; other labels are skipped."""
    measure_column: str = "Statistics"
    fixed_members: Mapping[str, str] = field(default_factory=dict)
    """Other dimension column -> the one member to keep (e.g. the all-types total)."""
    noc_levels: frozenset[int] = frozenset({5})
    """NOC code lengths kept as given; 5 = NOC 2021 unit group. Others are skipped."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{8}", self.pid):
            raise ValueError(f"StatCan product id must be 8 digits, got {self.pid!r}")


JVWS_UNIT_GROUP = StatcanTable(
    pid="14100444",
    title="Job vacancies and average offered hourly wage by occupation (unit group), "
    "quarterly, unadjusted for seasonality",
    granularity="quarter",
    measures={
        "Job vacancies": "job_vacancies",
        "Average offered hourly wage": "avg_offered_hourly_wage",
    },
)
"""Table 14-10-0444-01 (JVWS, NOC 2021 unit groups, Canada/provinces/economic regions)."""

JVWS_OCCUPATION_CHARACTERISTICS = StatcanTable(
    pid="14100443",
    title="Job vacancies, proportion of job vacancies and average offered hourly wage by "
    "occupation and selected characteristics, quarterly, unadjusted for seasonality",
    granularity="quarter",
    measures={
        "Job vacancies": "job_vacancies",
        "Proportion of job vacancies": "job_vacancy_proportion",
        "Average offered hourly wage": "avg_offered_hourly_wage",
    },
    fixed_members={"Job vacancy characteristics": "Type of work, all types"},
)
"""Table 14-10-0443-01 (NOC 2021). The characteristics total label is an assumption."""

JVWS_LEGACY_NOC2016 = StatcanTable(
    pid="14100356",
    title="Job vacancies and average offered hourly wage by occupation (NOC 2016), "
    "quarterly, unadjusted for seasonality (archived)",
    granularity="quarter",
    measures={
        "Job vacancies": "job_vacancies",
        "Average offered hourly wage": "avg_offered_hourly_wage",
    },
    noc_levels=frozenset({5}),
)
"""Table 14-10-0356-01: NOC 2016 4-digit codes, so every occupation row is skipped and
reported until a NOC 2016 -> 2021 concordance exists; kept for history only."""

TABLES: dict[str, StatcanTable] = {
    t.pid: t for t in (JVWS_UNIT_GROUP, JVWS_OCCUPATION_CHARACTERISTICS, JVWS_LEGACY_NOC2016)
}


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def region_lookup(regions: Iterable[Region]) -> dict[str, str]:
    """GEO names (StatCan, EN, FR) and DGUIDs from ``regions.yaml`` -> our region code."""
    lookup: dict[str, str] = {}
    for region in regions:
        for key in (region.statcan_name, region.name_en, region.name_fr, region.dguid):
            lookup[key] = region.code
    return lookup


def _dguid_tail(dguid: str) -> str:
    """DGUID without its 4-digit vintage: 2016A000235 and 2021A000235 are both Ontario."""
    return dguid[4:] if re.fullmatch(r"\d{4}[A-Z]\d+", dguid) else dguid


class _RegionResolver:
    def __init__(self, regions: Mapping[str, str]) -> None:
        self._exact = {k.strip(): v for k, v in regions.items()}
        self._tails = {_dguid_tail(k.strip()): v for k, v in regions.items()}
        self._names = {k.strip().casefold(): v for k, v in regions.items()}

    def resolve(self, geo: str | None, dguid: str | None) -> str | None:
        if dguid:
            dguid = dguid.strip()
            if dguid in self._exact:
                return self._exact[dguid]
            tail = _dguid_tail(dguid)
            if tail != dguid and tail in self._tails:
                return self._tails[tail]
            if dguid:
                # A DGUID we do not know (an economic region): do not guess from the name.
                return None
        if geo:
            return self._names.get(geo.strip().casefold())
        return None


def parse_noc_label(label: str, levels: frozenset[int]) -> tuple[str | None, str | None]:
    """(code, None) for a kept occupation, or (None, skip reason).

    "Data scientists [21211]" -> ("21211", None); "Total, all occupations" ->
    (None, "noc_total"); "Management occupations [0]" -> (None, "noc_level_1_digit").
    """
    text = label.strip()
    match = _NOC_LABEL.match(text)
    if match is None:
        if text.casefold().startswith("total"):
            return None, "noc_total"
        return None, "noc_without_code"
    code = match.group("code")
    if len(code) not in levels:
        return None, f"noc_level_{len(code)}_digit"
    return code, None


def parse_ref_date(text: str, granularity: StatCanGranularity) -> date:
    """REF_DATE ("2024-01", "2024-01-01", "2024") -> first day of the period."""
    value = text.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if match is None:
        raise ValueError(f"REF_DATE {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"REF_DATE {text!r} has month {month}")
    if granularity == "quarter" and month not in (1, 4, 7, 10):
        raise ValueError(f"REF_DATE {text!r} does not start a quarter")
    if granularity == "month" and match.group(2) is None:
        raise ValueError(f"REF_DATE {text!r} has no month but the table is monthly")
    return date(year, month, 1)


def _frequency_from_metadata(text: str) -> str | None:
    """The ``Frequency`` of the cube (first section of ``<pid>_MetaData.csv``)."""
    import csv

    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 2:
        return None
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    if "Frequency" not in header:
        return None
    index = header.index("Frequency")
    return rows[1][index].strip() if index < len(rows[1]) else None


_FREQUENCIES = {"Monthly": "month", "Quarterly": "quarter", "Annual": "year"}


def parse_full_table_zip(
    payload: SourcePayload, table: StatcanTable, regions: Mapping[str, str]
) -> tuple[pl.DataFrame, ParseReport]:
    """The zip from getFullTableDownloadCSV -> observations (checks the cube's frequency)."""
    what = payload.label()
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload.body))
    except zipfile.BadZipFile as exc:
        raise InvalidPayload(
            f"{what}: not a zip archive ({exc}); StatCan may have sent an error page"
        ) from exc
    names = set(archive.namelist())
    data_name = f"{table.pid}.csv"
    if data_name not in names:
        raise InvalidPayload(f"{what}: the zip has no {data_name} (it holds {sorted(names)})")
    meta_name = f"{table.pid}_MetaData.csv"
    if meta_name in names:
        frequency = _frequency_from_metadata(
            decode_text(archive.read(meta_name), f"{what}:{meta_name}")
        )
        expected = _FREQUENCIES.get(frequency or "")
        if expected is not None and expected != table.granularity:
            raise InvalidPayload(
                f"{what}: the cube is {frequency}, but table {table.pid} is configured as "
                f"{table.granularity}"
            )
    return parse_table_csv(archive.read(data_name), table, regions, what=f"{what}:{data_name}")


def _rename_french(frame: pl.DataFrame) -> pl.DataFrame:
    mapping = {c: FRENCH_HEADERS[c] for c in frame.columns if c in FRENCH_HEADERS}
    return frame.rename(mapping) if mapping else frame


def _read_statcan_csv(body: bytes, what: str, report: ParseReport) -> pl.DataFrame:
    text = decode_text(body, what, report)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line, (",",), what)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.lstrip("\ufeff").encode("utf-8")),
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as exc:
        first = str(exc).splitlines()[0]
        raise InvalidPayload(f"{what}: not a readable CSV ({first}); nothing was loaded") from exc
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    return _rename_french(frame)


def parse_table_csv(
    body: bytes,
    table: StatcanTable,
    regions: Mapping[str, str],
    *,
    what: str = "StatCan CSV",
) -> tuple[pl.DataFrame, ParseReport]:
    """One full-table CSV -> observations. Pure; the whole file or nothing."""
    report = ParseReport(source=what)
    frame = _read_statcan_csv(body, what, report)
    noc_column = _check_columns(frame, table, what)
    frame = _complete_records(frame, what, report)
    frame = _selected_members(frame, table, report)
    frame = _with_noc_codes(frame, noc_column, table, report)
    frame = _with_regions(frame, regions, report)
    rows = _observation_rows(frame, table, _CellReader.of(frame, table, what))
    result = pl.DataFrame(rows, schema=OBSERVATION_SCHEMA) if rows else empty_observations()
    if result.height == 0:
        raise InvalidPayload(_nothing_loadable(what, report, table))
    _check_unique_keys(result, what, frame.columns, table)
    report.rows_kept = result.height
    return result, report


def _check_columns(frame: pl.DataFrame, table: StatcanTable, what: str) -> str:
    """Every column the table needs is there; returns the one NOC column's name."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidPayload(
            f"{what}: missing columns {missing}; found {frame.columns[:20]} "
            "(is this a StatCan full-table CSV?)"
        )
    noc_columns = [c for c in frame.columns if c.startswith(NOC_COLUMN_PREFIXES)]
    if len(noc_columns) != 1:
        raise InvalidPayload(
            f"{what}: expected one 'National Occupational Classification ...' column, "
            f"found {noc_columns or 'none'}"
        )
    if table.measure_column not in frame.columns:
        raise InvalidPayload(f"{what}: missing the measure column {table.measure_column!r}")
    for column in table.fixed_members:
        if column not in frame.columns:
            raise InvalidPayload(f"{what}: missing the dimension column {column!r}")
    return noc_columns[0]


def _complete_records(frame: pl.DataFrame, what: str, report: ParseReport) -> pl.DataFrame:
    """The file's records without blank lines or repeats; a short record rejects the file."""
    # Blank lines come back as all-null rows; a null VECTOR elsewhere means a short record.
    frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
    report.rows_read = frame.height
    if frame.height == 0:
        raise InvalidPayload(f"{what}: the file has a header but no rows")
    broken = frame.filter(pl.col("REF_DATE").is_null() | pl.col("VECTOR").is_null())
    if broken.height:
        raise InvalidPayload(
            f"{what}: {broken.height} record(s) lack REF_DATE or VECTOR (short or broken "
            "lines); nothing was loaded"
        )
    deduplicated = frame.unique(maintain_order=True)
    report.skip("duplicate_row", frame.height - deduplicated.height)
    return deduplicated


def _selected_members(
    frame: pl.DataFrame, table: StatcanTable, report: ParseReport
) -> pl.DataFrame:
    """The records of the table's measures and fixed dimension members; the rest counted."""
    measure_labels = pl.col(table.measure_column).str.strip_chars()
    selected = frame.filter(measure_labels.is_in(list(table.measures)))
    report.skip("measure_not_selected", frame.height - selected.height)
    frame = selected
    for column, member in table.fixed_members.items():
        kept = frame.filter(pl.col(column).str.strip_chars() == member)
        report.skip(f"{column}_not_{member}", frame.height - kept.height)
        frame = kept
    return frame


def _with_noc_codes(
    frame: pl.DataFrame, noc_column: str, table: StatcanTable, report: ParseReport
) -> pl.DataFrame:
    """The records of the table's NOC levels, with their code in ``_noc``."""
    # Resolve each distinct label once and join (fast on multi-million-row tables).
    noc_codes: dict[str, str | None] = {}
    noc_reason: dict[str, str | None] = {}
    for label in frame[noc_column].unique().drop_nulls().to_list():
        noc_codes[label], noc_reason[label] = parse_noc_label(label, table.noc_levels)
    labels = pl.DataFrame(
        {
            noc_column: list(noc_codes),
            "_noc": list(noc_codes.values()),
            "_noc_skip": [noc_reason[k] for k in noc_codes],
        },
        schema={noc_column: pl.Utf8, "_noc": pl.Utf8, "_noc_skip": pl.Utf8},
    )
    frame = frame.join(labels, on=noc_column, how="left", maintain_order="left")
    for reason, count in frame.group_by("_noc_skip").len().iter_rows():
        if reason is not None:
            report.skip(reason, count)
    report.skip("noc_missing", frame.filter(pl.col(noc_column).is_null()).height)
    return frame.filter(pl.col("_noc").is_not_null())


def _with_regions(
    frame: pl.DataFrame, regions: Mapping[str, str], report: ParseReport
) -> pl.DataFrame:
    """The records of the catalogue's regions, with their code in ``_region``."""
    resolver = _RegionResolver(regions)
    geo_pairs = frame.select("GEO", "DGUID").unique().rows()
    places = pl.DataFrame(
        {
            "GEO": [g for g, _ in geo_pairs],
            "DGUID": [d for _, d in geo_pairs],
            "_region": [resolver.resolve(g, d) for g, d in geo_pairs],
        },
        schema={"GEO": pl.Utf8, "DGUID": pl.Utf8, "_region": pl.Utf8},
    )
    frame = frame.join(
        places, on=["GEO", "DGUID"], how="left", nulls_equal=True, maintain_order="left"
    )
    unknown = frame.filter(pl.col("_region").is_null())
    if unknown.height:
        report.skip("region_not_in_catalogue", unknown.height)
        examples = sorted(str(g) for g in unknown["GEO"].unique().to_list())[:3]
        report.notes.append(f"regions not in the catalogue, e.g. {examples}")
    return frame.filter(pl.col("_region").is_not_null())


@dataclass(frozen=True)
class _CellReader:
    """Each distinct period, value and scale of a file read once (a table repeats them
    millions of times); a bad one rejects the whole file."""

    periods: dict[str, date]
    values: dict[str | None, tuple[float | None, str | None]]
    powers: dict[tuple[str | None, str | None], int]

    @classmethod
    def of(cls, frame: pl.DataFrame, table: StatcanTable, what: str) -> _CellReader:
        periods: dict[str, date] = {}
        for text in frame["REF_DATE"].unique().to_list():
            try:
                periods[text] = parse_ref_date(text, table.granularity)
            except ValueError as exc:
                raise InvalidPayload(f"{what}: {exc}; nothing was loaded") from exc
        values: dict[str | None, tuple[float | None, str | None]] = {}
        for raw in frame["VALUE"].unique().to_list():
            try:
                cell = parse_statcan_value(raw)
            except ValueError as exc:
                raise InvalidPayload(f"{what}: VALUE {exc}; nothing was loaded") from exc
            values[raw] = (cell.value, cell.flag)
        powers: dict[tuple[str | None, str | None], int] = {}
        pairs = frame.select("SCALAR_FACTOR", "SCALAR_ID").unique().iter_rows()
        for factor, scalar_id in pairs:
            try:
                powers[(factor, scalar_id)] = scalar_power(factor, scalar_id)
            except ValueError as exc:
                raise InvalidPayload(f"{what}: {exc}; nothing was loaded") from exc
        return cls(periods, values, powers)


def _observation_rows(
    frame: pl.DataFrame, table: StatcanTable, cells: _CellReader
) -> list[dict[str, Any]]:
    """One observation per record: suppressed values blank, the rest scaled to units."""
    rows: list[dict[str, Any]] = []
    columns = ("_noc", "_region", table.measure_column, "REF_DATE", "VALUE", "STATUS", "UOM",
               "SCALAR_FACTOR", "SCALAR_ID")  # fmt: skip
    for record in frame.select(*columns).iter_rows():
        noc, region, measure_label, ref, raw, status, uom, factor, scalar_id = record
        number, flag = cells.values[raw]
        status_text = (status or "").strip() or flag
        if status_text in SUPPRESSING_STATUSES:
            number = None
        elif number is not None:
            number = number * 10 ** cells.powers[(factor, scalar_id)]
        rows.append(
            {
                "noc_code": noc,
                "region_code": region,
                "measure": table.measures[measure_label.strip()],
                "granularity": table.granularity,
                "period_start": cells.periods[ref],
                "value": number,
                "status": status_text,
                "uom": (uom or "").strip() or None,
            }
        )
    return rows


def _skip_reason(reason: str, table: StatcanTable) -> str:
    """A skip reason as words a user can act on."""
    levels = " or ".join(str(n) for n in sorted(table.noc_levels))
    if reason == "noc_total":
        return "are totals ('Total, all occupations'), not occupations"
    if reason.startswith("noc_level_"):
        digits = reason.removeprefix("noc_level_").removesuffix("_digit")
        return f"are {digits}-digit NOC groups (this table keeps {levels}-digit ones)"
    if reason == "noc_without_code":
        return "name an occupation without a [NOC code]"
    if reason == "noc_missing":
        return "have no occupation"
    if reason == "measure_not_selected":
        return f"are other measures than {', '.join(table.measures)}"
    if reason == "region_not_in_catalogue":
        return "are regions not in the catalogue (config/regions.yaml)"
    if reason == "duplicate_row":
        return "repeat an earlier row"
    column, _, member = reason.partition("_not_")
    return f"have {column} other than {member!r}"


def _nothing_loadable(what: str, report: ParseReport, table: StatcanTable) -> str:
    """Why a well-formed file yields no observation at all (say so, never "0 rows loaded")."""
    reasons = "; ".join(
        f"{count} {_skip_reason(reason, table)}" for reason, count in report.skipped.most_common()
    )
    return (
        f"{what}: none of its {report.rows_read} rows can be loaded: {reasons or 'no usable rows'}"
        f" (table {table.pid} is loaded by NOC unit group and province); nothing was loaded"
    )


def _check_unique_keys(
    frame: pl.DataFrame, what: str, columns: list[str], table: StatcanTable
) -> None:
    duplicated = frame.filter(pl.struct(*KEY_COLUMNS).is_duplicated())
    if duplicated.height == 0:
        return
    known = METADATA_COLUMNS | {table.measure_column, *table.fixed_members}
    extra = [c for c in columns if c not in known and not c.startswith(NOC_COLUMN_PREFIXES)]
    extra = [c for c in extra if not c.startswith("_")]
    example = duplicated.row(0, named=True)
    raise InvalidPayload(
        f"{what}: {duplicated.height} rows share a key (e.g. NOC {example['noc_code']}, "
        f"{example['region_code']}, {example['measure']}, {example['period_start']}) with "
        f"different values; the table has dimensions we do not fix: {extra or 'none'} "
        "(add them to fixed_members); nothing was loaded"
    )


def parse_download_link(payload: SourcePayload) -> str:
    """getFullTableDownloadCSV answer ``{"status": "SUCCESS", "object": "<zip URL>"}`` -> URL."""
    what = payload.label()
    try:
        document = json.loads(payload.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPayload(f"{what}: not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("status") != "SUCCESS":
        raise InvalidPayload(f"{what}: WDS did not answer SUCCESS: {str(document)[:200]}")
    url = document.get("object")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise InvalidPayload(f"{what}: WDS answer has no https download URL: {url!r}")
    return url


# --- getDataFromVectorsAndLatestNPeriods ---------------------------------------------------

WDS_STATUS_CODES: dict[int, str | None] = {
    0: None,
    1: "..",
    2: "0s",
    3: "A",
    4: "B",
    5: "C",
    6: "D",
    7: "E",
    8: "F",
    9: "...",
    10: "x",
}
"""WDS ``statusCode`` -> the STATUS symbol of the CSV (0-9 as seen in public WDS clients;
10 = "x" is an assumption; confirm with getCodeSets before relying on it)."""


@dataclass(frozen=True, slots=True)
class VectorSeries:
    """What one StatCan vector (series) is in our terms; built from a full-table CSV."""

    noc_code: str
    region_code: str
    measure: str
    granularity: StatCanGranularity
    uom: str | None = None


def vector_index(
    body: bytes, table: StatcanTable, regions: Mapping[str, str], *, what: str = "StatCan CSV"
) -> dict[int, VectorSeries]:
    """VECTOR id -> series, from a full-table CSV, so vector updates can be labelled."""
    report = ParseReport(source=what)
    frame = _read_statcan_csv(body, what, report)
    observations, _ = parse_table_csv(body, table, regions, what=what)
    del observations  # parse_table_csv validated the file; we only need its labels below
    noc_column = next(c for c in frame.columns if c.startswith(NOC_COLUMN_PREFIXES))
    resolver = _RegionResolver(regions)
    index: dict[int, VectorSeries] = {}
    for vector, label, geo, dguid, measure_label, uom in (
        frame.select("VECTOR", noc_column, "GEO", "DGUID", table.measure_column, "UOM")
        .unique()
        .iter_rows()
    ):
        code, _reason = parse_noc_label(label or "", table.noc_levels)
        region = resolver.resolve(geo, dguid)
        measure = table.measures.get((measure_label or "").strip())
        if code is None or region is None or measure is None:
            continue
        index[int(str(vector).lstrip("vV"))] = VectorSeries(
            code, region, measure, table.granularity, (uom or "").strip() or None
        )
    return index


def parse_vector_data(
    payload: SourcePayload, series: Mapping[int, VectorSeries]
) -> tuple[pl.DataFrame, ParseReport]:
    """getDataFromVectorsAndLatestNPeriods answer -> observations for the vectors we know."""
    what = payload.label()
    report = ParseReport(source=what)
    try:
        document = json.loads(payload.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPayload(f"{what}: not JSON ({exc})") from exc
    if not isinstance(document, list):
        raise InvalidPayload(f"{what}: expected a JSON list, got {type(document).__name__}")
    rows: list[dict[str, Any]] = []
    for position, item in enumerate(document):
        if not isinstance(item, dict) or not isinstance(item.get("object"), dict):
            raise InvalidPayload(f"{what}: item {position} has no 'object'")
        if item.get("status") != "SUCCESS":
            report.skip("vector_not_success")
            continue
        obj = item["object"]
        vector_id = obj.get("vectorId")
        if not isinstance(vector_id, int) or vector_id not in series:
            report.skip("vector_not_indexed", len(obj.get("vectorDataPoint") or []))
            continue
        meta = series[vector_id]
        points = obj.get("vectorDataPoint")
        if not isinstance(points, list):
            raise InvalidPayload(f"{what}: vector {vector_id} has no vectorDataPoint list")
        for point in points:
            report.rows_read += 1
            rows.append(_vector_point(point, meta, vector_id, what))
    result = pl.DataFrame(rows, schema=OBSERVATION_SCHEMA) if rows else empty_observations()
    if result.filter(pl.struct(*KEY_COLUMNS).is_duplicated()).height:
        raise InvalidPayload(f"{what}: two data points share a series and period")
    report.rows_kept = result.height
    return result, report


def _vector_point(point: Any, meta: VectorSeries, vector_id: int, what: str) -> dict[str, Any]:
    if not isinstance(point, dict):
        raise InvalidPayload(f"{what}: vector {vector_id}: a data point is not an object")
    try:
        period = parse_ref_date(str(point.get("refPer", "")), meta.granularity)
    except ValueError as exc:
        raise InvalidPayload(f"{what}: vector {vector_id}: {exc}") from exc
    status_code = point.get("statusCode", 0)
    if status_code not in WDS_STATUS_CODES:
        raise InvalidPayload(
            f"{what}: vector {vector_id}: unknown statusCode {status_code!r}; "
            "extend WDS_STATUS_CODES after checking getCodeSets"
        )
    status = WDS_STATUS_CODES[status_code]
    if point.get("securityLevelCode", 0) not in (0, None):
        status = "x"
    raw = point.get("value")
    number: float | None
    if raw is None or raw == "":
        number = None
    elif isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidPayload(f"{what}: vector {vector_id}: value {raw!r} is not a number")
    else:
        try:
            number = parse_statcan_value(str(raw)).value
        except ValueError as exc:
            raise InvalidPayload(f"{what}: vector {vector_id}: {exc}") from exc
    scalar = point.get("scalarFactorCode", 0)
    if not isinstance(scalar, int) or not 0 <= scalar <= 9:
        raise InvalidPayload(f"{what}: vector {vector_id}: scalarFactorCode {scalar!r}")
    if status in SUPPRESSING_STATUSES:
        number = None
    elif number is not None:
        number = number * 10**scalar
    return {
        "noc_code": meta.noc_code,
        "region_code": meta.region_code,
        "measure": meta.measure,
        "granularity": meta.granularity,
        "period_start": period,
        "value": number,
        "status": status,
        "uom": meta.uom,
    }
