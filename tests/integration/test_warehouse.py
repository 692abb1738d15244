"""The warehouse on SQLite and PostgreSQL: migrations, idempotent upserts, transactions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from credtrends.catalogue import Catalogue
from credtrends.errors import WarehouseError
from credtrends.jobs.runs import record_job_run
from credtrends.warehouse.load import COPY_THRESHOLD_ROWS, count_rows, upsert_frame, upsert_rows
from credtrends.warehouse.migrate import current_revision, head_revision, upgrade_warehouse
from credtrends.warehouse.schema import (
    job_runs,
    labour_market_observations,
    metadata,
    search_interest,
)

FETCHED = datetime(2026, 11, 1, tzinfo=UTC)


def interest_row(
    period: date, value: float, topic: str = "pmp", **extra: object
) -> dict[str, object]:
    return {
        "topic_id": topic,
        "region_code": "CA-ON",
        "granularity": "week",
        "period_start": period,
        "source": "google-trends",
        "raw_value": value,
        "is_partial": False,
        "backend": "test",
        "fetched_at": FETCHED,
        "run_id": "run-1",
        "is_synthetic": False,
        **extra,
    }


def test_migrations_build_exactly_the_declared_schema(empty_engine: sa.Engine) -> None:
    upgrade_warehouse(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    assert differences == []
    assert current_revision(empty_engine) == head_revision()


def test_upgrade_is_repeatable(engine: sa.Engine) -> None:
    upgrade_warehouse(engine)
    assert current_revision(engine) == head_revision()


def test_upsert_twice_leaves_the_same_rows(engine: sa.Engine) -> None:
    rows = [
        interest_row(date(2025, 1, 5) + (date(2025, 1, 12) - date(2025, 1, 5)) * i, float(i))
        for i in range(50)
    ]
    for _ in range(2):
        with engine.begin() as connection:
            assert upsert_rows(connection, search_interest, rows) == 50
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 50
        values = (
            connection.execute(
                sa.select(search_interest.c.raw_value).order_by(search_interest.c.period_start)
            )
            .scalars()
            .all()
        )
    assert values == [float(i) for i in range(50)]


def test_upsert_updates_values_on_the_natural_key(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        upsert_rows(
            connection, search_interest, [interest_row(date(2025, 1, 5), 10.0, is_partial=True)]
        )
    with engine.begin() as connection:
        upsert_rows(connection, search_interest, [interest_row(date(2025, 1, 5), 12.0)])
    with engine.connect() as connection:
        row = connection.execute(sa.select(search_interest)).one()
    assert (row.raw_value, row.is_partial) == (12.0, False)


def test_a_failing_batch_leaves_the_warehouse_as_it_was(engine: sa.Engine) -> None:
    good = [interest_row(date(2025, 1, 5), 1.0)]
    bad = [
        interest_row(date(2025, 1, 12), 2.0),
        interest_row(date(2025, 1, 19), 3.0, topic="no-such-topic"),
    ]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        upsert_rows(connection, search_interest, good + bad)
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 0


def test_suppressed_labour_values_stay_null(engine: sa.Engine) -> None:
    row = {
        "noc_code": "21211",
        "region_code": "CA-QC",
        "measure": "job_vacancies",
        "granularity": "quarter",
        "period_start": date(2025, 4, 1),
        "value": None,
        "status": "x",
        "source": "statcan",
        "fetched_at": FETCHED,
        "run_id": "r",
        "is_synthetic": False,
    }
    with engine.begin() as connection:
        upsert_rows(connection, labour_market_observations, [row])
    with engine.connect() as connection:
        stored = connection.execute(sa.select(labour_market_observations)).one()
    assert stored.value is None and stored.status == "x"


def test_hostile_strings_are_stored_verbatim_as_data(engine: sa.Engine) -> None:
    hostile = "x'); DROP TABLE topics; --"
    with engine.begin() as connection:
        upsert_rows(
            connection, search_interest, [interest_row(date(2025, 1, 5), 1.0, backend=hostile)]
        )
    with engine.connect() as connection:
        assert connection.execute(sa.select(search_interest.c.backend)).scalar_one() == hostile
        assert count_rows(connection, metadata.tables["topics"]) == 3


def test_job_runs_are_recorded_on_success_and_failure(engine: sa.Engine) -> None:
    with record_job_run(engine, "ok-job", {"x": 1}) as run:
        run.rows_written = 7
    with pytest.raises(RuntimeError), record_job_run(engine, "bad-job"):
        raise RuntimeError("source answered\n429 forever")
    with engine.connect() as connection:
        rows = {r.job_name: r for r in connection.execute(sa.select(job_runs))}
    assert rows["ok-job"].status == "succeeded" and rows["ok-job"].rows_written == 7
    assert rows["ok-job"].finished_at is not None
    assert rows["bad-job"].status == "failed"
    assert rows["bad-job"].error == "RuntimeError: source answered 429 forever"


def test_catalogue_sync_is_idempotent(engine: sa.Engine, test_catalogue: Catalogue) -> None:
    from credtrends.warehouse.catalogue_sync import sync_catalogue

    with engine.begin() as connection:
        sync_catalogue(connection, test_catalogue)
    with engine.connect() as connection:
        counts = {
            name: count_rows(connection, metadata.tables[name])
            for name in ("topics", "regions", "topic_occupations")
        }
    assert counts == {"topics": 3, "regions": 4, "topic_occupations": 3}


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    from credtrends.warehouse.engine import create_warehouse_engine

    engine = create_warehouse_engine(f"sqlite:///{tmp_path}/w.sqlite")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def _weekly_frame(weeks: int, value: float) -> pl.DataFrame:
    from datetime import timedelta

    return pl.DataFrame(
        [
            interest_row(date(2000, 1, 2) + timedelta(weeks=i), value + i, topic=topic)
            for topic in ("pmp", "data-science")
            for i in range(weeks)
        ]
    )


@pytest.mark.parametrize("weeks", [10, COPY_THRESHOLD_ROWS])  # executemany and the bulk path
def test_frame_upserts_are_idempotent_on_both_paths(engine: sa.Engine, weeks: int) -> None:
    for value in (1.0, 1.0, 5.0):
        with engine.begin() as connection:
            assert (
                upsert_frame(connection, search_interest, _weekly_frame(weeks, value)) == 2 * weeks
            )
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 2 * weeks
        lowest = connection.execute(sa.select(sa.func.min(search_interest.c.raw_value))).scalar()
    assert lowest == 5.0


def test_a_batch_repeating_a_key_is_refused_whole(engine: sa.Engine) -> None:
    frame = _weekly_frame(3, 1.0)
    with pytest.raises(WarehouseError, match="repeat a key"), engine.begin() as connection:
        upsert_frame(connection, search_interest, pl.concat([frame, frame.head(1)]))
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 0


def test_a_crash_in_the_bulk_path_rolls_back(engine: sa.Engine) -> None:
    frame = _weekly_frame(COPY_THRESHOLD_ROWS, 1.0)
    broken = frame.with_columns(
        topic_id=pl.when(pl.int_range(pl.len()) == pl.len() - 1)
        .then(pl.lit("unknown-topic"))
        .otherwise(pl.col("topic_id"))
    )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        upsert_frame(connection, search_interest, broken)
    with engine.connect() as connection:
        assert count_rows(connection, search_interest) == 0


def test_an_existing_warehouse_upgrades_in_place_keeping_its_data(empty_engine: sa.Engine) -> None:
    from alembic import command

    from credtrends.warehouse.migrate import _alembic_config

    with empty_engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.execute(
            sa.text(
                "INSERT INTO job_runs (run_id, job_name, status, started_at, rows_written) "
                "VALUES ('old', 'demo', 'succeeded', '2025-01-01 00:00:00', 3)"
            )
        )
    assert current_revision(empty_engine) == "0001"
    upgrade_warehouse(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as connection:
        row = connection.execute(sa.select(job_runs)).one()
    assert (row.run_id, row.rows_written, row.parent_run_id) == ("old", 3, None)


def test_the_bulk_path_keeps_nulls_empty_strings_and_awkward_text(engine: sa.Engine) -> None:
    awkward = ["", 'a "quoted", comma', "line\nbreak", "=SUM(A1)", "\\N", "ünïcødé"]
    frame = _weekly_frame(COPY_THRESHOLD_ROWS, 1.0).with_columns(
        request_key=pl.Series(
            [awkward[i % len(awkward)] if i % 7 else None for i in range(2 * COPY_THRESHOLD_ROWS)]
        ),
        calibrated_value=pl.when(pl.int_range(pl.len()) % 5 == 0).then(None).otherwise(pl.lit(2.5)),
    )
    with engine.begin() as connection:
        upsert_frame(connection, search_interest, frame)
    with engine.connect() as connection:
        columns = ("topic_id", "period_start", "request_key", "calibrated_value")
        stored = connection.execute(sa.select(*(search_interest.c[c] for c in columns))).all()
    by_key = {(r.topic_id, r.period_start): (r.request_key, r.calibrated_value) for r in stored}
    for row in frame.iter_rows(named=True):
        assert by_key[(row["topic_id"], row["period_start"])] == (
            row["request_key"],
            row["calibrated_value"],
        )
