"""Explicit polars schemas of parsed Google Trends frames (long format, one row per value).

Every parser returns exactly one of these schemas, column for column, so that loaders and
transforms can rely on names and dtypes without inspecting the data.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from polars.datatypes import DataType

from credtrends.sources.google_trends.request import Operation, TrendsRequest

GRANULARITY: DataType = pl.Enum(["minute", "hour", "day", "week", "month"])
REGION_VALUE_KIND: DataType = pl.Enum(["index", "share_percent"])
"""``index``: 0-100 against the term's top region. ``share_percent``: the term's share of
the compared terms' searches within the region (Google's multi-term map; rows sum to ~100)."""
RELATED_KIND: DataType = pl.Enum(["top", "rising"])
RELATED_ENTITY: DataType = pl.Enum(["query", "topic"])

INTEREST_OVER_TIME_SCHEMA = pl.Schema(
    {
        "request_key": pl.String(),
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "period_start": pl.Date(),
        "period_start_utc": pl.Datetime("us", "UTC"),
        "granularity": GRANULARITY,
        "value": pl.Int16(),
        "is_below_one": pl.Boolean(),
        "has_data": pl.Boolean(),
        "is_partial": pl.Boolean(),
        "backend": pl.String(),
    }
)
"""``value`` is null only when ``has_data`` is false. ``is_below_one`` marks Google's "<1"
(value 0 but searches were seen). ``period_start_utc`` keeps the hour for sub-day data."""

INTEREST_BY_REGION_SCHEMA = pl.Schema(
    {
        "request_key": pl.String(),
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "resolution": pl.String(),
        "region_code": pl.String(),
        "region_name": pl.String(),
        "value_kind": REGION_VALUE_KIND,
        "value": pl.Int16(),
        "is_below_one": pl.Boolean(),
        "has_data": pl.Boolean(),
        "backend": pl.String(),
    }
)
"""``region_code`` is e.g. ``CA-ON``; null where Google gives none (CITY resolution) or the
web export names a region we cannot map."""

RELATED_SCHEMA = pl.Schema(
    {
        "request_key": pl.String(),
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "entity": RELATED_ENTITY,
        "kind": RELATED_KIND,
        "rank": pl.Int16(),
        "query": pl.String(),
        "topic_mid": pl.String(),
        "topic_type": pl.String(),
        "value": pl.Int64(),
        "formatted_value": pl.String(),
        "is_breakout": pl.Boolean(),
        "backend": pl.String(),
    }
)
"""``value`` is 0-100 for ``top``; for ``rising`` it is the growth in percent (null for a
CSV "Breakout", which gives no number). ``query`` holds the topic title for topics."""


def empty_frame(schema: pl.Schema) -> pl.DataFrame:
    """A zero-row frame with the schema (an empty answer is valid, not an error)."""
    return pl.DataFrame(schema=schema)


def schema_for(operation: Operation) -> pl.Schema:
    """The frame schema every parser returns for an operation."""
    if operation is Operation.INTEREST_OVER_TIME:
        return INTEREST_OVER_TIME_SCHEMA
    if operation is Operation.INTEREST_BY_REGION:
        return INTEREST_BY_REGION_SCHEMA
    return RELATED_SCHEMA


class FrameRows:
    """The rows of one parsed frame, column by column, for every parser (widget JSON,
    SerpApi, web CSV): the request's own columns (``request_key``, ``geo``, ``timeframe``,
    ``backend``) are filled once, a row names the rest, and a row missing a column of the
    schema is a programming error (KeyError), never a silent null."""

    def __init__(self, schema: pl.Schema, request: TrendsRequest, backend: str) -> None:
        self.schema = schema
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names()}
        self._shared = {
            "request_key": request.request_key,
            "geo": request.geo,
            "timeframe": request.timeframe,
            "backend": backend,
        }

    def add(self, **values: Any) -> None:
        row = {**self._shared, **values}
        for name, column in self.columns.items():
            column.append(row[name])

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.columns, schema=self.schema)
