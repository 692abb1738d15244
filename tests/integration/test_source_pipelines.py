"""StatCan, Job Bank and catalogue files into the warehouse, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload
from credtrends.pipelines.sources import (
    catalogue_payload,
    load_jobbank,
    load_portal_catalogue,
    load_statcan,
)
from credtrends.sources import statcan
from credtrends.sources.base import SourcePayload
from credtrends.sources.portal import load_subject_mapping
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.schema import (
    labour_market_observations,
    portal_topic_counts,
    raw_payloads,
)
from tests.helpers import FIXTURES, REPO


def file_payload(path: Path, backend: str) -> SourcePayload:
    return SourcePayload.from_file(
        path.name, path.read_bytes(), backend=backend, content_type="text/csv"
    )


def labour(engine: sa.Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                labour_market_observations.c.noc_code, labour_market_observations.c.region_code,
                labour_market_observations.c.measure, labour_market_observations.c.value,
                labour_market_observations.c.status, labour_market_observations.c.source,
            )
        ).all()  # fmt: skip
    names = ["noc_code", "region_code", "measure", "value", "status", "source"]
    return pl.DataFrame([tuple(r) for r in rows], schema=names, orient="row")


def test_statcan_and_jobbank_files_load_idempotently(
    engine: sa.Engine, real_catalogue: Catalogue
) -> None:
    from credtrends.warehouse.catalogue_sync import sync_catalogue

    with engine.begin() as connection:
        sync_catalogue(connection, real_catalogue)
    vacancies = file_payload(FIXTURES / "statcan" / "14100444.csv", "statcan-file")
    postings = file_payload(
        FIXTURES / "jobbank" / "job-bank-open-data-all-job-postings-en-may2024.csv", "jobbank-file"
    )
    for _ in range(2):
        with engine.begin() as connection:
            load_statcan(connection, vacancies, statcan.JVWS_UNIT_GROUP, real_catalogue, "r1")
            load_jobbank(connection, postings, real_catalogue, "r1")
    frame = labour(engine)
    assert frame.height == 11 + 16
    with engine.connect() as connection:
        assert count_rows(connection, raw_payloads) == 2
    suppressed = frame.filter(pl.col("status").is_in(["x", "..", "F"]))
    assert suppressed.height > 0 and suppressed["value"].null_count() == suppressed.height
    assert set(frame["source"]) == {"statcan", "jobbank"}
    assert frame.filter(pl.col("value") == 0).height == 0


def test_a_catalogue_batch_with_one_bad_file_loads_nothing(
    engine: sa.Engine, real_catalogue: Catalogue
) -> None:
    from credtrends.warehouse.catalogue_sync import sync_catalogue

    with engine.begin() as connection:
        sync_catalogue(connection, real_catalogue)
    mapping = load_subject_mapping(
        REPO / "config" / "subject_mapping.yaml", real_catalogue.topic_ids
    )
    good = catalogue_payload(FIXTURES / "portal" / "catalogue.csv")
    bad = catalogue_payload(FIXTURES / "portal" / "top_searches.csv")  # not a catalogue
    with pytest.raises(InvalidPayload, match="missing columns"), engine.begin() as connection:
        for payload in (good, bad):
            load_portal_catalogue(connection, payload, mapping, real_catalogue, None, "r2")
    with engine.connect() as connection:
        assert count_rows(connection, portal_topic_counts) == 0
        assert count_rows(connection, raw_payloads) == 0
    with engine.begin() as connection:
        report = load_portal_catalogue(
            connection, good, mapping, real_catalogue, date(2024, 3, 1), "r3"
        )
    assert report.rows > 0 and report.unmapped_subjects


def test_a_top_searches_list_loads_ranks_and_reports_unmapped_terms(
    engine: sa.Engine, real_catalogue: Catalogue
) -> None:
    from credtrends.pipelines.sources import load_portal_searches
    from credtrends.warehouse.catalogue_sync import sync_catalogue

    with engine.begin() as connection:
        sync_catalogue(connection, real_catalogue)
    mapping = load_subject_mapping(
        REPO / "config" / "subject_mapping.yaml", real_catalogue.topic_ids
    )
    payload = catalogue_payload(FIXTURES / "portal" / "top_searches.csv")
    for _ in range(2):
        with engine.begin() as connection:
            report = load_portal_searches(
                connection, payload, mapping, "CA-ON", date(2026, 10, 1), "r"
            )
    assert "underwater basket weaving" in report.unmapped_subjects
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(portal_topic_counts.c.topic_id, portal_topic_counts.c.value)
            .where(portal_topic_counts.c.measure == "portal_searches")
        ).all()  # fmt: skip
    values = dict(rows)
    assert values["data-science"] == 1520 and values["python"] == 1230  # "1,230" parsed
