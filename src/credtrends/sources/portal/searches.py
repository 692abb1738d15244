"""'Top searched topics' lists a portal publishes -> ``portal_searches`` counts and ranks.

Accepted: CSV or JSON rows with a term (``term``/``topic``/``search``/``query``/``subject``)
and a ``rank`` and/or ``count`` (``searches``/``views``). Terms map to topics through the
same subject mapping; several terms of one topic add their counts and keep the best rank.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import polars as pl

from credtrends.errors import InvalidPayload
from credtrends.sources.base import (
    ParseReport,
    SourcePayload,
    decode_text,
    read_csv_frame,
    sniff_delimiter,
)
from credtrends.sources.portal.mapping import SubjectMapping
from credtrends.sources.portal.programs import COUNT_SCHEMA
from credtrends.sources.statcan.values import parse_statcan_value

TERM = ("term", "topic", "search", "search term", "query", "subject", "keyword", "terme")
RANK = ("rank", "position", "rang")
COUNT = ("count", "searches", "search count", "views", "hits", "recherches", "nombre")


def _pick(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    lookup = {" ".join(c.replace("_", " ").split()).casefold(): c for c in columns}
    return next((lookup[a] for a in aliases if a in lookup), None)


def parse_top_searches(
    payload: SourcePayload,
    mapping: SubjectMapping,
    *,
    region_code: str,
    period_start: date,
    granularity: str = "month",
) -> tuple[pl.DataFrame, Counter[str], ParseReport]:
    """(counts frame with measure 'portal_searches', unmapped terms, report)."""
    what = payload.label()
    report = ParseReport(source=what)
    records = _records(decode_text(payload.body, what, report), what)
    term_col, rank_col, count_col = _columns(records, what)
    report.rows_read = len(records)
    totals: dict[str, list[float | int | None]] = {}
    unmapped: Counter[str] = Counter()
    for position, record in enumerate(records, start=1):
        term = str(record.get(term_col) or "").strip()
        if not term:
            report.skip("term_missing")
            continue
        where = f"{what}: row {position}"
        count = _count(record, count_col, where)
        rank = _rank(record, rank_col, where)
        topics = mapping.topics_for(term)
        if not topics:
            if not mapping.is_ignored(term):
                unmapped[term] += 1
            report.skip("term_unmapped")
            continue
        for topic in topics:
            entry = totals.setdefault(topic, [None, None])
            if count is not None:
                entry[0] = (entry[0] or 0) + count
            if rank is not None:
                entry[1] = rank if entry[1] is None else min(int(entry[1]), rank)
    report.rows_kept = report.rows_read - report.rows_skipped
    rows = [
        {
            "topic_id": topic,
            "region_code": region_code,
            "measure": "portal_searches",
            "granularity": granularity,
            "period_start": period_start,
            "value": None if c is None else float(c),
            "rank": None if r is None else int(r),
        }
        for topic, (c, r) in sorted(totals.items())
    ]
    return pl.DataFrame(rows, schema=COUNT_SCHEMA), unmapped, report


def _records(text: str, what: str) -> list[dict[str, Any]]:
    """The list's rows as mappings, from a JSON list (or an object holding one) or a CSV."""
    if text.lstrip().startswith(("[", "{")):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise InvalidPayload(f"{what}: not valid JSON ({exc})") from exc
        if isinstance(document, dict):
            document = next((v for v in document.values() if isinstance(v, list)), None)
        if not isinstance(document, list) or not all(isinstance(d, dict) for d in document):
            raise InvalidPayload(f"{what}: expected a JSON list of {{term, rank|count}} objects")
        return document
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    frame = read_csv_frame(text, sniff_delimiter(first, (",", ";", "\t"), what), what)
    return list(frame.iter_rows(named=True))


def _columns(records: list[dict[str, Any]], what: str) -> tuple[str, str | None, str | None]:
    """The term column and the rank and/or count column, by any of their usual names."""
    columns = list(dict.fromkeys(k for r in records for k in r))
    term_col, rank_col, count_col = (
        _pick(columns, TERM),
        _pick(columns, RANK),
        _pick(columns, COUNT),
    )
    if term_col is None or (rank_col is None and count_col is None):
        raise InvalidPayload(
            f"{what}: needs a term column and a rank or count column, found {columns}"
        )
    return term_col, rank_col, count_col


def _count(record: dict[str, Any], count_col: str | None, where: str) -> float | None:
    """A row's search count (a number or StatCan-style text), None without a count column."""
    if count_col is None:
        return None
    raw = record.get(count_col)
    try:
        return (
            float(raw)
            if isinstance(raw, int | float)
            else parse_statcan_value(None if raw is None else str(raw)).value
        )
    except ValueError as exc:
        raise InvalidPayload(f"{where}: count {exc}") from exc


def _rank(record: dict[str, Any], rank_col: str | None, where: str) -> int | None:
    """A row's rank (``3`` or ``3.``), None when the list gives none."""
    if rank_col is None or record.get(rank_col) in (None, ""):
        return None
    try:
        return int(str(record[rank_col]).strip().rstrip("."))
    except ValueError as exc:
        raise InvalidPayload(f"{where}: rank {record[rank_col]!r} is not an integer") from exc
