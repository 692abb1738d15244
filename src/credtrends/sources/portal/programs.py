"""Program records -> ``portal_topic_counts`` frames (programs on offer per topic/region/month).

Every importer (tabular exports, CTDL JSON-LD) produces ``Program`` records; this module
counts them. A program is counted once per topic even if several of its subjects map to it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from credtrends.sources.base import ParseReport
from credtrends.sources.portal.mapping import SubjectMapping

COUNT_SCHEMA: dict[str, pl.DataType] = {
    "topic_id": pl.Utf8(),
    "region_code": pl.Utf8(),
    "measure": pl.Utf8(),
    "granularity": pl.Utf8(),
    "period_start": pl.Date(),
    "value": pl.Float64(),
    "rank": pl.Int32(),
}
"""Columns of ``portal_topic_counts`` minus the provenance the loader adds."""

PROGRAM_SCHEMA: dict[str, pl.DataType] = {
    "title": pl.Utf8(),
    "provider": pl.Utf8(),
    "subjects": pl.List(pl.Utf8()),
    "topic_ids": pl.List(pl.Utf8()),
    "delivery_mode": pl.Utf8(),
    "duration": pl.Utf8(),
    "cost": pl.Float64(),
    "region_code": pl.Utf8(),
    "listed_on": pl.Date(),
}
"""The parsed catalogue itself (not a warehouse table): for review and future use."""


@dataclass(frozen=True, slots=True)
class Program:
    title: str
    provider: str | None
    subjects: tuple[str, ...]
    delivery_mode: str | None
    duration: str | None
    cost: float | None
    region_code: str
    listed_on: date


@dataclass
class CatalogueResult:
    """Programs, their monthly counts, the unmapped subjects and what was skipped."""

    programs: pl.DataFrame
    counts: pl.DataFrame
    unmapped_subjects: Counter[str]
    report: ParseReport
    extra: dict[str, Any] = field(default_factory=dict)


def region_lookup_for_portal(regions: Iterable[Any]) -> dict[str, str]:
    """Province names (EN/FR), codes ('ON', 'CA-ON') and 'Canada' -> region code."""
    lookup: dict[str, str] = {}
    for region in regions:
        for key in (region.name_en, region.name_fr, region.statcan_name, region.code):
            lookup[key.casefold()] = region.code
        lookup[region.code.removeprefix("CA-").casefold()] = region.code
    for alias in ("online", "en ligne", "national", "canada-wide", "pan-canadian"):
        lookup.setdefault(alias, "CA")
    return lookup


_COST = re.compile(r"^\$?\s*([0-9][0-9,\s]*(?:\.\d+)?)\s*\$?$")


def parse_cost(text: str | None) -> float | None:
    """'$1,250.00', '1 250 $', 'Free' -> number; None when absent or unreadable."""
    if text is None:
        return None
    cleaned = text.strip().replace("CAD", "").replace("\u00a0", " ").strip()
    if not cleaned:
        return None
    if cleaned.casefold() in {"free", "gratuit", "0"}:
        return 0.0
    match = _COST.match(cleaned)
    if match is None:
        return None
    return float(re.sub(r"[,\s]", "", match.group(1)))


def count_programs(
    programs: Sequence[Program], mapping: SubjectMapping, report: ParseReport
) -> tuple[pl.DataFrame, pl.DataFrame, Counter[str]]:
    """(programs frame with topic ids, counts frame, unmapped subjects)."""
    unmapped: Counter[str] = Counter()
    records: list[dict[str, Any]] = []
    counts: Counter[tuple[str, str, date]] = Counter()
    without_topic = 0
    for program in programs:
        topics, missing = mapping.map_subjects(program.subjects)
        unmapped.update(missing)
        if not topics:
            without_topic += 1
        month = program.listed_on.replace(day=1)
        for topic in topics:
            counts[(topic, program.region_code, month)] += 1
        records.append(
            {
                "title": program.title,
                "provider": program.provider,
                "subjects": list(program.subjects),
                "topic_ids": list(topics),
                "delivery_mode": program.delivery_mode,
                "duration": program.duration,
                "cost": program.cost,
                "region_code": program.region_code,
                "listed_on": program.listed_on,
            }
        )
    if without_topic:
        report.notes.append(f"{without_topic} programs matched no topic (see unmapped subjects)")
    if unmapped:
        top = ", ".join(f"{s!r}x{n}" for s, n in unmapped.most_common(5))
        report.notes.append(f"{len(unmapped)} unmapped subjects, e.g. {top}")
    programs_frame = pl.DataFrame(records, schema=PROGRAM_SCHEMA)
    count_rows = [
        {
            "topic_id": topic,
            "region_code": region,
            "measure": "programs_offered",
            "granularity": "month",
            "period_start": month,
            "value": float(n),
            "rank": None,
        }
        for (topic, region, month), n in sorted(counts.items())
    ]
    return programs_frame, pl.DataFrame(count_rows, schema=COUNT_SCHEMA), unmapped


def resolve_region(text: str | None, regions: Mapping[str, str]) -> str | None:
    if text is None:
        return None
    return regions.get(" ".join(text.split()).casefold())
