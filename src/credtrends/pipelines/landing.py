"""The landing contract of every source: one ``land()`` for ``raw_payloads``, one merger
of load reports.

Every payload (``sources.payload.RawPayload``: Google Trends, StatCan, Job Bank, portals) is
kept as received, keyed by its request, before its parsed rows are loaded, so a parser fix
re-parses history without the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from credtrends.sources.payload import LandingRequest, RawPayload
from credtrends.warehouse.load import upsert_rows
from credtrends.warehouse.schema import raw_payloads

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    ReportT = TypeVar("ReportT", bound=DataclassInstance)
else:
    ReportT = TypeVar("ReportT")


def land(
    connection: sa.Connection, payload: RawPayload[LandingRequest], source: str, run_id: str
) -> None:
    """Keep the response as received in ``raw_payloads`` (in the caller's transaction);
    landing it again replaces the row of its request."""
    upsert_rows(
        connection,
        raw_payloads,
        [
            {
                "request_key": payload.request_key,
                "backend": payload.backend,
                "request": payload.record(),
                "content_type": payload.content_type,
                "payload": payload.body,
                "source": source,
                "fetched_at": payload.fetched_at,
                "run_id": run_id,
                "is_synthetic": False,
            }
        ],
    )


def merge_into(total: ReportT, reports: Iterable[ReportT]) -> ReportT:
    """Add each report into ``total``, field by field: counts add up, sets join, lists and
    counters gather; the one merger of every load report."""
    for report in reports:
        for spec in fields(total):
            mine: Any = getattr(total, spec.name)
            theirs: Any = getattr(report, spec.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
            elif isinstance(mine, set):
                mine |= theirs
            elif isinstance(mine, list):
                mine.extend(theirs)
            elif isinstance(mine, int):
                setattr(total, spec.name, mine + theirs)
            else:
                raise TypeError(f"{type(total).__name__}.{spec.name}: no rule to merge it")
    return total
