"""The derived layer: growth, emerging topics and opportunity scores, written as tables.

Computed from the warehouse's own tables after every load and forecast (the ``derive``
step), so pages read a few hundred rows instead of ranking a thousand series per request,
and every page shows the same growth figure for a topic. Inputs are read through the
connection that writes the results, so a derive sees the load it follows and replaces a
region's rows whole in the caller's transaction: a crash leaves the previous rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa

from credtrends.forecasting import rank_emerging
from credtrends.transforms.demand_supply import opportunity_components, score_opportunities
from credtrends.transforms.scores import GROWTH_WEEKS, comparable_values, topic_momentum
from credtrends.warehouse import queries
from credtrends.warehouse.load import upsert_frame
from credtrends.warehouse.schema import (
    DERIVED_TABLES,
    REGIONAL_DERIVED_TABLES,
    derived_emerging_topics,
    derived_opportunity_scores,
    derived_source_freshness,
    derived_topic_growth,
)

SOURCE_FRESHNESS_COLUMNS = pl.Schema({
    "table_name": pl.String(), "source": pl.String(), "is_synthetic": pl.Boolean(),
    "row_count": pl.Int64(), "last_fetched_at": pl.Datetime("us"),
})  # fmt: skip
"""``queries.source_rows``' columns, named as ``derived_source_freshness``'s."""


@dataclass
class DeriveReport:
    """Rows written per derived table, and the regions derived."""

    regions: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {t.name: 0 for t in DERIVED_TABLES})

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> tuple[str, ...]:
        counts = ", ".join(f"{name} {count}" for name, count in self.rows.items())
        return (f"derived {len(self.regions)} region(s): {counts}",)


@dataclass(frozen=True)
class Lineage:
    run_id: str
    derived_at: datetime


def derive(
    connection: sa.Connection, run_id: str, regions: Sequence[str] | None = None
) -> DeriveReport:
    """Replace the derived rows of ``regions`` (default: every region of the catalogue)
    from the tables they are computed from, on ``connection`` (the caller's transaction)."""
    lineage = Lineage(run_id, datetime.now(UTC))
    codes = (
        list(regions)
        if regions is not None
        else queries.list_regions(connection)["region_code"].to_list()
    )
    topic_ids = tuple(queries.list_topics(connection)["topic_id"].to_list())
    links = queries.topic_occupation_links(connection)
    report = DeriveReport(regions=codes)
    for region in codes:
        for table in REGIONAL_DERIVED_TABLES:
            connection.execute(sa.delete(table).where(table.c.region_code == region))
        for table, frame in derive_region(connection, region, topic_ids, links, lineage):
            if frame.height:
                report.rows[table.name] += upsert_frame(connection, table, frame)
    connection.execute(sa.delete(derived_source_freshness))
    freshness = _stamped(source_freshness(connection), lineage)
    if freshness.height:
        report.rows[derived_source_freshness.name] += upsert_frame(
            connection, derived_source_freshness, freshness
        )
    return report


def source_freshness(connection: sa.Connection) -> pl.DataFrame:
    """Rows and last fetch per fact table, source and synthetic flag, as the load left them
    (the freshness tables read this instead of scanning the fact tables per request)."""
    return pl.DataFrame(
        queries.source_rows(connection), schema=SOURCE_FRESHNESS_COLUMNS, orient="row"
    )


def derive_region(
    connection: sa.Connection,
    region: str,
    topic_ids: tuple[str, ...],
    links: pl.DataFrame,
    lineage: Lineage,
) -> list[tuple[sa.Table, pl.DataFrame]]:
    """The three derived frames of one region, with their lineage columns."""
    interest = queries.interest_over_time(connection, topic_ids, region)
    shown, scale = comparable_values(interest)
    growth = topic_momentum(shown, GROWTH_WEEKS).with_columns(
        region_code=pl.lit(region), scale=pl.lit(scale)
    )
    labour = queries.labour_observations(connection, links["noc_code"].unique().to_list(), region)
    portal = queries.portal_counts_in_region(connection, region)
    return [
        (derived_topic_growth, _stamped(growth, lineage)),
        (derived_emerging_topics, _stamped(emerging(shown, region), lineage)),
        (
            derived_opportunity_scores,
            _stamped(
                opportunities(
                    growth, queries.latest_forecasts(connection, topic_ids, region),
                    labour, links, portal, interest, region,
                ),
                lineage,
            ),
        ),
    ]  # fmt: skip


def emerging(shown: pl.DataFrame, region: str) -> pl.DataFrame:
    """``rank_emerging`` over the region's series (on the scale growth uses), each row with
    the source(s) and synthetic flag of its series."""
    series = shown.select(
        series_id="topic_id", period="period_start", value="value", is_partial="is_partial"
    )
    provenance = shown.group_by("topic_id").agg(
        source=pl.col("source").unique().sort().str.join(", "),
        is_synthetic=pl.col("is_synthetic").any(),
    )
    ranked = rank_emerging(series, "week").rename({"series_id": "topic_id"})
    return ranked.join(provenance, on="topic_id", how="left").with_columns(
        region_code=pl.lit(region)
    )


def opportunities(
    growth: pl.DataFrame,
    forecasts: pl.DataFrame,
    labour: pl.DataFrame,
    links: pl.DataFrame,
    portal: pl.DataFrame,
    interest: pl.DataFrame,
    region: str,
) -> pl.DataFrame:
    """Score inputs and ranks of every topic, scored with the default weights, in topic
    order; with the sources and synthetic flag of everything behind them."""
    one_per_topic = growth.sort("topic_id", "is_synthetic", "source").unique(
        "topic_id", keep="first", maintain_order=True
    )
    components = opportunity_components(one_per_topic, forecasts, labour, links, portal)
    scored = score_opportunities(components.sort("topic_id")).sort("topic_id")
    frames = [f for f in (interest, labour, portal) if f.height]
    sources = sorted({s for f in frames for s in f["source"].drop_nulls().unique().to_list()})
    synthetic = any(bool(f["is_synthetic"].fill_null(False).any()) for f in frames)
    return scored.with_columns(
        region_code=pl.lit(region),
        sources=pl.lit(", ".join(sources or ["none"])),
        is_synthetic=pl.lit(synthetic),
    )


def _stamped(frame: pl.DataFrame, lineage: Lineage) -> pl.DataFrame:
    return frame.with_columns(run_id=pl.lit(lineage.run_id), derived_at=pl.lit(lineage.derived_at))
