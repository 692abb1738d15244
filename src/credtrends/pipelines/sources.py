"""StatCan, Job Bank and portal catalogues into the warehouse.

Each payload is landed in ``raw_payloads`` (``landing.land``) and its parsed rows upserted
in the caller's
transaction, so a file or download either loads completely or not at all, and loading
it again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload
from credtrends.pipelines.landing import land
from credtrends.sources import jobbank, statcan
from credtrends.sources.base import SourcePayload
from credtrends.sources.portal import (
    CONTENT_TYPE_CSV,
    CONTENT_TYPE_CTDL,
    CONTENT_TYPE_JSON,
    CONTENT_TYPE_XLSX,
    SubjectMapping,
    parse_catalogue,
    parse_ctdl,
    parse_top_searches,
    region_lookup_for_portal,
)
from credtrends.warehouse.load import upsert_frame
from credtrends.warehouse.schema import labour_market_observations, portal_topic_counts

STATCAN = "statcan"
JOBBANK = "jobbank"
PORTAL = "portal"
MAX_IMPORT_BYTES = 1 << 30


__all__ = [
    "JOBBANK",
    "PORTAL",
    "STATCAN",
    "SourceLoadReport",
    "catalogue_payload",
    "land",
    "load_jobbank",
    "load_portal_catalogue",
    "load_portal_searches",
    "load_statcan",
    "read_import",
    "with_provenance",
]


@dataclass
class SourceLoadReport:
    """What loading source files did: merged with ``landing.merge_into``."""

    payloads: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    unmapped_subjects: Counter[str] = field(default_factory=Counter)


def with_provenance(
    frame: pl.DataFrame, source: str, payload: SourcePayload, run_id: str
) -> pl.DataFrame:
    return frame.with_columns(
        source=pl.lit(source),
        fetched_at=pl.lit(payload.fetched_at, dtype=pl.Datetime("us", "UTC")),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(False),
    )


def load_statcan(
    connection: sa.Connection,
    payload: SourcePayload,
    table: statcan.StatcanTable,
    catalogue: Catalogue,
    run_id: str,
) -> SourceLoadReport:
    """A full-table zip (or its CSV) of job vacancies -> labour_market_observations."""
    regions = statcan.region_lookup(catalogue.regions)
    if payload.body[:2] == b"PK":
        frame, parse_report = statcan.parse_full_table_zip(payload, table, regions)
    else:
        frame, parse_report = statcan.parse_table_csv(
            payload.body, table, regions, what=payload.label()
        )
    land(connection, payload, STATCAN, run_id)
    rows = upsert_frame(
        connection, labour_market_observations, with_provenance(frame, STATCAN, payload, run_id)
    )
    return SourceLoadReport(payloads=1, rows=rows, notes=[parse_report.summary()])


def load_jobbank(
    connection: sa.Connection, payload: SourcePayload, catalogue: Catalogue, run_id: str
) -> SourceLoadReport:
    """One monthly Job Bank postings file -> monthly postings per NOC and province."""
    frame, parse_report = jobbank.parse_postings(
        payload, jobbank.province_lookup(catalogue.regions)
    )
    land(connection, payload, JOBBANK, run_id)
    rows = upsert_frame(
        connection, labour_market_observations, with_provenance(frame, JOBBANK, payload, run_id)
    )
    return SourceLoadReport(payloads=1, rows=rows, notes=[parse_report.summary()])


def load_portal_searches(
    connection: sa.Connection,
    payload: SourcePayload,
    mapping: SubjectMapping,
    region_code: str,
    period_start: date,
    run_id: str,
) -> SourceLoadReport:
    """A portal's "most searched topics" list -> portal_searches (count and/or rank)."""
    frame, unmapped, parse_report = parse_top_searches(
        payload, mapping, region_code=region_code, period_start=period_start
    )
    land(connection, payload, PORTAL, run_id)
    rows = upsert_frame(
        connection, portal_topic_counts, with_provenance(frame, PORTAL, payload, run_id)
    )
    return SourceLoadReport(
        payloads=1, rows=rows, notes=[parse_report.summary()], unmapped_subjects=unmapped
    )


def catalogue_payload(path: Path) -> SourcePayload:
    """Read a catalogue export; the content type comes from the extension."""
    content_types = {
        ".csv": CONTENT_TYPE_CSV,
        ".xlsx": CONTENT_TYPE_XLSX,
        ".json": CONTENT_TYPE_JSON,
        ".jsonld": CONTENT_TYPE_CTDL,
    }
    content_type = content_types.get(path.suffix.lower())
    if content_type is None:
        raise InvalidPayload(f"{path.name}: expected .csv, .xlsx, .json or .jsonld")
    return SourcePayload.from_file(
        path.name, read_import(path), backend="catalogue-file", content_type=content_type
    )


def read_import(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InvalidPayload(f"{path.name}: larger than 1 GiB; not a file we can import")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidPayload(f"{path.name}: cannot read the file ({exc.strerror})") from None


def load_portal_catalogue(
    connection: sa.Connection,
    payload: SourcePayload,
    mapping: SubjectMapping,
    catalogue: Catalogue,
    as_of: date | None,
    run_id: str,
) -> SourceLoadReport:
    """A programme catalogue -> programs_offered per topic, region and month."""
    regions = region_lookup_for_portal(catalogue.regions)
    is_ctdl = payload.content_type == CONTENT_TYPE_CTDL or b'"@context"' in payload.body[:4096]
    if is_ctdl:
        result = parse_ctdl(payload, mapping, regions, as_of=as_of or date.today())
    else:
        result = parse_catalogue(payload, mapping, regions, as_of=as_of)
    land(connection, payload, PORTAL, run_id)
    counts = result.counts.filter(pl.col("region_code").is_in(list(catalogue.region_codes)))
    rows = upsert_frame(
        connection, portal_topic_counts, with_provenance(counts, PORTAL, payload, run_id)
    )
    return SourceLoadReport(
        payloads=1,
        rows=rows,
        notes=[result.report.summary()],
        unmapped_subjects=result.unmapped_subjects,
    )
