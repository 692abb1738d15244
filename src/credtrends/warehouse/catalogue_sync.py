"""Mirror the YAML catalogue into the warehouse so facts can reference topics and regions."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.warehouse.load import upsert_rows
from credtrends.warehouse.schema import regions, topic_occupations, topics


def sync_catalogue(connection: sa.Connection, catalogue: Catalogue) -> int:
    """Upsert topics, their occupations and regions; occupations dropped from YAML go too.

    Topics removed from the YAML stay in the warehouse: facts may still refer to them.
    """
    now = datetime.now(UTC)
    written = upsert_rows(
        connection,
        regions,
        (
            {
                "region_code": r.code,
                "level": r.level,
                "parent_code": r.parent,
                "name_en": r.name_en,
                "name_fr": r.name_fr,
                "statcan_name": r.statcan_name,
                "sgc_code": r.sgc_code,
                "dguid": r.dguid,
            }
            for r in catalogue.regions
        ),
    )
    written += upsert_rows(
        connection,
        topics,
        (
            {
                "topic_id": t.id,
                "name_en": t.name_en,
                "name_fr": t.name_fr,
                "category": t.category,
                "search_terms": list(t.search_terms),
                "regions": list(t.regions) if t.regions is not None else None,
                "updated_at": now,
            }
            for t in catalogue.topics
        ),
    )
    for topic in catalogue.topics:
        connection.execute(
            sa.delete(topic_occupations).where(topic_occupations.c.topic_id == topic.id)
        )
    written += upsert_rows(
        connection,
        topic_occupations,
        (
            {
                "topic_id": t.id,
                "noc_code": o.noc,
                "title_en": o.title_en,
                "title_fr": o.title_fr,
            }
            for t in catalogue.topics
            for o in t.occupations
        ),
    )
    return written
