"""Read side of the warehouse: every page and CLI report reads through these functions.

They return polars frames with explicit schemas (an empty result has the same columns), so
callers never see SQL or driver rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from credtrends.granularity import Granularity
from credtrends.warehouse.schema import (
    FACT_TABLES,
    OPPORTUNITY_MEASURES,
    derived_emerging_topics,
    derived_opportunity_scores,
    derived_source_freshness,
    derived_topic_growth,
    forecast_errors,
    forecast_runs,
    forecasts,
    job_runs,
    labour_market_observations,
    metadata,
    portal_topic_counts,
    regions,
    search_interest,
    topic_occupations,
    topics,
)
from credtrends.warehouse.schema import region_levels as region_levels_table
from credtrends.warehouse.schema import related_queries as related_queries_table

TOPIC_SCHEMA = {
    "topic_id": pl.String,
    "name_en": pl.String,
    "name_fr": pl.String,
    "category": pl.String,
}
REGION_SCHEMA = {
    "region_code": pl.String,
    "level": pl.String,
    "name_en": pl.String,
    "name_fr": pl.String,
}
INTEREST_SCHEMA = {
    "topic_id": pl.String,
    "region_code": pl.String,
    "period_start": pl.Date,
    "raw_value": pl.Float64,
    "calibrated_value": pl.Float64,
    "calibrated_low": pl.Float64,
    "calibrated_high": pl.Float64,
    "scale_method": pl.String,
    "is_partial": pl.Boolean,
    "is_synthetic": pl.Boolean,
    "source": pl.String,
}
JOB_RUN_SCHEMA = {
    "run_id": pl.String,
    "job_name": pl.String,
    "status": pl.String,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "rows_written": pl.Int64,
    "error": pl.String,
}
SOURCE_SCHEMA = {
    "table": pl.String,
    "source": pl.String,
    "is_synthetic": pl.Boolean,
    "rows": pl.Int64,
    "last_fetched_at": pl.Datetime("us"),
}


Bind = sa.Engine | sa.Connection
"""Reads take an engine (a connection each) or a connection: the ``derive`` step reads its
inputs inside the transaction that writes its results."""


@contextmanager
def _reading(bind: Bind) -> Iterator[sa.Connection]:
    if isinstance(bind, sa.Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def _frame(rows: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")


def list_topics(engine: Bind) -> pl.DataFrame:
    statement = sa.select(*(topics.c[name] for name in TOPIC_SCHEMA)).order_by(topics.c.name_en)
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), TOPIC_SCHEMA)


def list_regions(engine: Bind) -> pl.DataFrame:
    # Canada first, then provinces and territories by name.
    statement = sa.select(*(regions.c[name] for name in REGION_SCHEMA)).order_by(
        (regions.c.level != "country"), regions.c.name_en
    )
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), REGION_SCHEMA)


def interest_over_time(
    engine: Bind,
    topic_ids: Sequence[str],
    region_code: str,
    granularity: Granularity = "week",
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Search interest of some topics in one region, oldest first."""
    if not topic_ids:
        return pl.DataFrame(schema=INTEREST_SCHEMA)
    table = search_interest
    statement = (
        sa.select(*(table.c[name] for name in INTEREST_SCHEMA))
        .where(
            table.c.topic_id.in_(list(topic_ids)),
            table.c.region_code == region_code,
            table.c.granularity == granularity,
        )
        .order_by(table.c.topic_id, table.c.period_start)
    )
    if start is not None:
        statement = statement.where(table.c.period_start >= start)
    if end is not None:
        statement = statement.where(table.c.period_start <= end)
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), INTEREST_SCHEMA)


def topic_interest_by_region(
    engine: sa.Engine, topic_id: str, granularity: Granularity = "week"
) -> pl.DataFrame:
    """One topic's search interest in every region, oldest first."""
    table = search_interest
    statement = (
        sa.select(*(table.c[name] for name in INTEREST_SCHEMA))
        .where(table.c.topic_id == topic_id, table.c.granularity == granularity)
        .order_by(table.c.region_code, table.c.period_start)
    )
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), INTEREST_SCHEMA)


FORECAST_SCHEMA = {
    "topic_id": pl.String,
    "period_start": pl.Date,
    "model": pl.String,
    "mean": pl.Float64,
    "lo80": pl.Float64,
    "hi80": pl.Float64,
    "lo95": pl.Float64,
    "hi95": pl.Float64,
    "is_synthetic": pl.Boolean,
    "forecast_run_id": pl.String,
}


def latest_forecasts(
    engine: Bind, topic_ids: Sequence[str], region_code: str, measure: str = "search_interest"
) -> pl.DataFrame:
    """Per topic, the forecast of the newest run that covers it in ``region_code``."""
    if not topic_ids:
        return pl.DataFrame(schema=FORECAST_SCHEMA)
    newest = (
        sa.select(forecasts.c.topic_id, sa.func.max(forecast_runs.c.created_at).label("created"))
        .join(forecast_runs, forecast_runs.c.forecast_run_id == forecasts.c.forecast_run_id)
        .where(
            forecasts.c.topic_id.in_(list(topic_ids)),
            forecasts.c.region_code == region_code,
            forecasts.c.measure == measure,
        )
        .group_by(forecasts.c.topic_id)
        .subquery()
    )
    statement = (
        sa.select(*(forecasts.c[name] for name in FORECAST_SCHEMA))
        .join(forecast_runs, forecast_runs.c.forecast_run_id == forecasts.c.forecast_run_id)
        .join(
            newest,
            sa.and_(
                newest.c.topic_id == forecasts.c.topic_id,
                newest.c.created == forecast_runs.c.created_at,
            ),
        )
        .where(forecasts.c.region_code == region_code, forecasts.c.measure == measure)
        .order_by(forecasts.c.topic_id, forecasts.c.period_start)
    )
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), FORECAST_SCHEMA)


ACCURACY_SCHEMA = {
    "topic_id": pl.String,
    "forecast_run_id": pl.String,
    "selected_mase": pl.Float64,
    "snaive_mase": pl.Float64,
    "coverage80": pl.Float64,
    "coverage95": pl.Float64,
    "points": pl.Int64,
}


def forecast_accuracy(
    engine: sa.Engine, topic_ids: Sequence[str], region_code: str, measure: str = "search_interest"
) -> pl.DataFrame:
    """Per topic, the backtest of the forecast :func:`latest_forecasts` returns.

    ``selected_mase`` is the nested backtest of the model choice (each origin chosen
    without looking at it, so out of sample), ``snaive_mase`` the seasonal naive's on the
    same origins and scale; the coverages are the share of backtest actuals inside the
    80% and 95% intervals calibrated without their own origin.
    """
    if not topic_ids:
        return pl.DataFrame(schema=ACCURACY_SCHEMA)
    runs = (
        latest_forecasts(engine, topic_ids, region_code, measure)
        .select("topic_id", "forecast_run_id")
        .unique()
    )
    if runs.is_empty():
        return pl.DataFrame(schema=ACCURACY_SCHEMA)
    table = forecast_errors
    statement = sa.select(
        table.c.topic_id, table.c.forecast_run_id, table.c.model, table.c.mase,
        table.c.coverage80, table.c.coverage95, table.c.points,
    ).where(
        table.c.topic_id.in_(runs["topic_id"].to_list()),
        table.c.forecast_run_id.in_(runs["forecast_run_id"].unique().to_list()),
        table.c.region_code == region_code,
        table.c.measure == measure,
        table.c.model.in_(["selected", "snaive"]),
    )  # fmt: skip
    schema = {
        "topic_id": pl.String, "forecast_run_id": pl.String, "model": pl.String,
        "mase": pl.Float64, "coverage80": pl.Float64, "coverage95": pl.Float64,
        "points": pl.Int64,
    }  # fmt: skip
    with _reading(engine) as connection:
        errors = _frame(connection.execute(statement).all(), schema).join(
            runs, on=["topic_id", "forecast_run_id"]
        )
    selected = errors.filter(pl.col("model") == "selected").select(
        "topic_id", "forecast_run_id", "coverage80", "coverage95", "points",
        selected_mase="mase",
    )  # fmt: skip
    snaive = errors.filter(pl.col("model") == "snaive").select(
        "topic_id", "forecast_run_id", snaive_mase="mase"
    )
    return (
        selected.join(snaive, on=["topic_id", "forecast_run_id"], how="left")
        .select(list(ACCURACY_SCHEMA))
        .cast(pl.Schema(ACCURACY_SCHEMA))
        .sort("topic_id")
    )


OCCUPATION_SCHEMA = {"noc_code": pl.String, "title_en": pl.String, "title_fr": pl.String}
LABOUR_SCHEMA: dict[str, Any] = {
    "noc_code": pl.String,
    "measure": pl.String,
    "granularity": pl.String,
    "period_start": pl.Date,
    "value": pl.Float64,
    "status": pl.String,
    "source": pl.String,
    "is_synthetic": pl.Boolean,
    # naive UTC; a period not over by then is unfinished (its count still grows)
    "fetched_at": pl.Datetime("us"),
}
PORTAL_SCHEMA: dict[str, Any] = {
    "measure": pl.String,
    "granularity": pl.String,
    "period_start": pl.Date,
    "value": pl.Float64,
    "source": pl.String,
    "is_synthetic": pl.Boolean,
    "fetched_at": pl.Datetime("us"),
}


def linked_occupations(engine: sa.Engine, topic_id: str) -> pl.DataFrame:
    """The NOC 2021 unit groups config/topics.yaml links to a topic."""
    statement = (
        sa.select(*(topic_occupations.c[name] for name in OCCUPATION_SCHEMA))
        .where(topic_occupations.c.topic_id == topic_id)
        .order_by(topic_occupations.c.noc_code)
    )
    with _reading(engine) as connection:
        return _frame(connection.execute(statement).all(), OCCUPATION_SCHEMA)


def labour_observations(engine: Bind, noc_codes: Sequence[str], region_code: str) -> pl.DataFrame:
    """Vacancies, postings and wages of some occupations in one region, oldest first."""
    if not noc_codes:
        return pl.DataFrame(schema=LABOUR_SCHEMA)
    table = labour_market_observations
    statement = (
        sa.select(*(table.c[name] for name in LABOUR_SCHEMA))
        .where(table.c.noc_code.in_(list(noc_codes)), table.c.region_code == region_code)
        .order_by(table.c.noc_code, table.c.measure, table.c.period_start)
    )
    with _reading(engine) as connection:
        rows = connection.execute(statement).all()
    return _frame([naive_utc_row(row) for row in rows], LABOUR_SCHEMA)


def topic_occupation_links(engine: Bind) -> pl.DataFrame:
    """Every topic -> NOC 2021 link of the catalogue."""
    statement = sa.select(topic_occupations.c.topic_id, topic_occupations.c.noc_code)
    with _reading(engine) as connection:
        return _frame(
            connection.execute(statement).all(), {"topic_id": pl.String, "noc_code": pl.String}
        )


def portal_counts_in_region(engine: Bind, region_code: str) -> pl.DataFrame:
    """Programs on offer for every topic in one region (real sources before synthetic)."""
    table = portal_topic_counts
    schema = {"topic_id": pl.String, **PORTAL_SCHEMA}
    statement = (
        sa.select(*(table.c[name] for name in schema))
        .where(table.c.region_code == region_code)
        .order_by(table.c.topic_id, table.c.measure, table.c.is_synthetic, table.c.period_start)
    )
    with _reading(engine) as connection:
        rows = connection.execute(statement).all()
    return _frame([naive_utc_row(row) for row in rows], schema)


def portal_counts(engine: sa.Engine, topic_id: str, region_code: str) -> pl.DataFrame:
    """Programs on offer (and portal searches) for a topic in one region, oldest first."""
    table = portal_topic_counts
    statement = (
        sa.select(*(table.c[name] for name in PORTAL_SCHEMA))
        .where(table.c.topic_id == topic_id, table.c.region_code == region_code)
        .order_by(table.c.measure, table.c.period_start)
    )
    with _reading(engine) as connection:
        rows = connection.execute(statement).all()
    return _frame([naive_utc_row(row) for row in rows], PORTAL_SCHEMA)


RELATED_QUERIES_SCHEMA = pl.Schema(
    {
        "kind": pl.String(),
        "rank": pl.Int64(),
        "query": pl.String(),
        "value": pl.Int64(),
        "is_breakout": pl.Boolean(),
        "source": pl.String(),
        "is_synthetic": pl.Boolean(),
        "fetched_at": pl.Datetime("us"),
        "timeframe": pl.String(),
    }
)


def _newest_answer(
    connection: sa.Connection, table: sa.Table, scope: Sequence[sa.ColumnElement[bool]]
) -> Any:
    """The (source, timeframe) of the one answer to show: real before synthetic, then the
    most recently fetched window; None when there is none."""
    newest = sa.func.max(table.c.fetched_at)
    latest = (
        sa.select(table.c.source, table.c.timeframe)
        .where(*scope)
        .group_by(table.c.source, table.c.timeframe, table.c.is_synthetic)
        .order_by(table.c.is_synthetic, newest.desc(), table.c.timeframe.desc(), table.c.source)
        .limit(1)
    )
    return connection.execute(latest).first()


def related_queries(engine: sa.Engine, topic_id: str, region_code: str) -> pl.DataFrame:
    """Google's top and rising related queries of a topic in one region, by kind then rank.

    Only one answer is returned, so two lists never mix: real data before synthetic, then
    the most recently fetched window (``timeframe``). ``fetched_at`` is naive UTC.
    """
    table = related_queries_table
    scope = (table.c.topic_id == topic_id, table.c.region_code == region_code)
    with _reading(engine) as connection:
        chosen = _newest_answer(connection, table, scope)
        if chosen is None:
            return pl.DataFrame(schema=RELATED_QUERIES_SCHEMA)
        rows = connection.execute(
            sa.select(*(table.c[name] for name in RELATED_QUERIES_SCHEMA))
            .where(*scope, table.c.source == chosen.source, table.c.timeframe == chosen.timeframe)
            .order_by(table.c.kind, table.c.rank)
        ).all()
    return _frame([naive_utc_row(row) for row in rows], RELATED_QUERIES_SCHEMA)


REGION_LEVELS_SCHEMA: dict[str, Any] = {
    "region_code": pl.String,
    "timeframe": pl.String,
    "level": pl.Float64,
    "level_low": pl.Float64,
    "level_high": pl.Float64,
    "bounds": pl.String,
    "source": pl.String,
    "is_synthetic": pl.Boolean,
}


def region_levels(engine: sa.Engine, topic_id: str, parent_geo: str = "CA") -> pl.DataFrame:
    """A topic's newest province map (levels comparable across provinces, 95% intervals).

    One map only, as for related queries: real before synthetic, then the newest window.
    """
    table = region_levels_table
    scope = (table.c.topic_id == topic_id, table.c.parent_geo == parent_geo)
    with _reading(engine) as connection:
        chosen = _newest_answer(connection, table, scope)
        if chosen is None:
            return pl.DataFrame(schema=REGION_LEVELS_SCHEMA)
        rows = connection.execute(
            sa.select(*(table.c[name] for name in REGION_LEVELS_SCHEMA)).where(
                *scope, table.c.source == chosen.source, table.c.timeframe == chosen.timeframe
            )
        ).all()
    return _frame(rows, REGION_LEVELS_SCHEMA)


@dataclass(frozen=True)
class WarehouseStatus:
    """What is in the warehouse: for ``credtrends status`` and the data page."""

    url: str
    row_counts: dict[str, int]
    sources: pl.DataFrame
    recent_runs: pl.DataFrame


def source_rows(connection: sa.Connection) -> list[tuple[Any, ...]]:
    """``(table, source, is_synthetic, rows, last_fetched_at)`` per fact table, source and
    synthetic flag: one grouped scan of each fact table (what ``derive`` stores)."""
    found: list[tuple[Any, ...]] = []
    for table in FACT_TABLES:
        if "source" not in table.c:
            continue
        found.extend(
            naive_utc_row((table.name, *row))
            for row in connection.execute(
                sa.select(
                    table.c.source,
                    table.c.is_synthetic,
                    sa.func.count(),
                    sa.func.max(table.c.fetched_at),
                ).group_by(table.c.source, table.c.is_synthetic)
            )
        )
    return found


def source_freshness(engine: sa.Engine) -> pl.DataFrame:
    """The stored ``source_rows`` (``derived_source_freshness``), as ``SOURCE_SCHEMA``."""
    table = derived_source_freshness
    statement = sa.select(
        table.c.table_name, table.c.source, table.c.is_synthetic, table.c.row_count,
        table.c.last_fetched_at,
    ).order_by(table.c.table_name, table.c.source, table.c.is_synthetic)  # fmt: skip
    with _reading(engine) as connection:
        rows = [naive_utc_row(row) for row in connection.execute(statement)]
    return _frame(rows, SOURCE_SCHEMA)


def warehouse_status(engine: sa.Engine, recent: int = 10) -> WarehouseStatus:
    with _reading(engine) as connection:
        found = source_rows(connection)
        counted: dict[str, int] = {}
        for row in found:
            counted[row[0]] = counted.get(row[0], 0) + int(row[3])
        # Fact tables are counted by the grouping above: one scan of the big tables, not two.
        counts = {
            name: counted[name]
            if name in counted
            else int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items())
        }
    return WarehouseStatus(
        url=engine.url.render_as_string(hide_password=True),
        row_counts=counts,
        sources=_frame(found, SOURCE_SCHEMA),
        recent_runs=job_history(engine, recent),
    )


def naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def naive_utc_row(row: Any) -> tuple[Any, ...]:
    """SQLite returns naive UTC datetimes, PostgreSQL aware ones; report both as naive UTC."""
    return tuple(naive_utc(value) for value in row)


def job_history(engine: sa.Engine, limit: int = 20, job_name: str | None = None) -> pl.DataFrame:
    """The most recent runs, newest first (optionally of one job)."""
    statement = (
        sa.select(*(job_runs.c[name] for name in JOB_RUN_SCHEMA))
        .order_by(job_runs.c.started_at.desc())
        .limit(limit)
    )
    if job_name is not None:
        statement = statement.where(job_runs.c.job_name == job_name)
    with _reading(engine) as connection:
        rows = connection.execute(statement).all()
    return _frame([naive_utc_row(r) for r in rows], JOB_RUN_SCHEMA)


def last_run_status(engine: sa.Engine, job_names: Sequence[str]) -> dict[str, str]:
    """Status of the latest run of each named job (jobs never run are absent)."""
    if not job_names:
        return {}
    latest = (
        sa.select(job_runs.c.job_name, sa.func.max(job_runs.c.started_at).label("started_at"))
        .where(job_runs.c.job_name.in_(list(job_names)))
        .group_by(job_runs.c.job_name)
        .subquery()
    )
    statement = sa.select(job_runs.c.job_name, job_runs.c.status).join(
        latest,
        sa.and_(
            job_runs.c.job_name == latest.c.job_name, job_runs.c.started_at == latest.c.started_at
        ),
    )
    with _reading(engine) as connection:
        return {row.job_name: row.status for row in connection.execute(statement)}


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def latest_slot_tries(
    engine: sa.Engine, job_names: Sequence[str]
) -> dict[str, tuple[datetime, int, str, datetime | None]]:
    """Per job, its latest cron slot's last try: (slot, try number, status, finished_at),
    as aware UTC datetimes; jobs never run on a schedule are absent."""
    found: dict[str, tuple[datetime, int, str, datetime | None]] = {}
    with _reading(engine) as connection:
        for name in job_names:
            row = connection.execute(
                sa.select(
                    job_runs.c.scheduled_for,
                    job_runs.c.slot_attempt,
                    job_runs.c.status,
                    job_runs.c.finished_at,
                )
                .where(job_runs.c.job_name == name, job_runs.c.scheduled_for.is_not(None))
                .order_by(job_runs.c.scheduled_for.desc(), job_runs.c.slot_attempt.desc())
                .limit(1)
            ).one_or_none()
            if row is not None:
                slot = _aware_utc(row.scheduled_for)
                assert slot is not None
                found[name] = (slot, row.slot_attempt, row.status, _aware_utc(row.finished_at))
    return found


# --- the derived layer (written by the ``derive`` step; pages read, never compute) -------

LINEAGE_SCHEMA: dict[str, Any] = {
    "is_synthetic": pl.Boolean,
    "run_id": pl.String,
    "derived_at": pl.Datetime("us"),
}
GROWTH_SCHEMA: dict[str, Any] = {
    "topic_id": pl.String,
    "region_code": pl.String,
    "source": pl.String,
    "scale": pl.String,
    "recent_mean": pl.Float64,
    "year_ago_mean": pl.Float64,
    "growth": pl.Float64,
    "growth_low": pl.Float64,
    "growth_high": pl.Float64,
    "growth_within_noise": pl.Boolean,
    "recent_start": pl.Date,
    "recent_end": pl.Date,
    "year_ago_start": pl.Date,
    "year_ago_end": pl.Date,
    **LINEAGE_SCHEMA,
}
EMERGING_SCHEMA: dict[str, Any] = {
    "topic_id": pl.String,
    "region_code": pl.String,
    "source": pl.String,
    "rank": pl.Int64,
    "score": pl.Float64,
    "recent_mean": pl.Float64,
    "previous_mean": pl.Float64,
    "growth_pct": pl.Float64,
    "acceleration_pct": pl.Float64,
    "break_flag": pl.Boolean,
    "break_period": pl.Date,
    "slope_change_pct": pl.Float64,
    "n_obs": pl.Int64,
    **LINEAGE_SCHEMA,
}
OPPORTUNITY_SCHEMA: dict[str, Any] = {
    "topic_id": pl.String,
    "region_code": pl.String,
    **{name: pl.Float64 for name in OPPORTUNITY_MEASURES},
    "rank": pl.Int64,
    "rank_shared": pl.Boolean,
    "tied_with_top": pl.Boolean,
    "sources": pl.String,
    **LINEAGE_SCHEMA,
}


def _derived_rows(
    engine: Bind,
    table: sa.Table,
    schema: dict[str, Any],
    where: sa.ColumnElement[bool],
    order: Sequence[sa.ColumnElement[Any]],
) -> pl.DataFrame:
    statement = sa.select(*(table.c[name] for name in schema)).where(where).order_by(*order)
    with _reading(engine) as connection:
        rows = connection.execute(statement).all()
    return _frame([naive_utc_row(row) for row in rows], schema)


def topic_growth(engine: Bind, region_code: str) -> pl.DataFrame:
    """Every topic's growth in one region (one row per source), highest level first."""
    table = derived_topic_growth
    return _derived_rows(
        engine, table, GROWTH_SCHEMA, table.c.region_code == region_code,
        [sa.nulls_last(table.c.recent_mean.desc()), table.c.topic_id, table.c.source],
    )  # fmt: skip


def topic_growth_by_region(engine: Bind, topic_id: str) -> pl.DataFrame:
    """One topic's growth in every region (one row per source)."""
    table = derived_topic_growth
    return _derived_rows(
        engine, table, GROWTH_SCHEMA, table.c.topic_id == topic_id,
        [table.c.region_code, table.c.is_synthetic, table.c.source],
    )  # fmt: skip


def emerging_topics(engine: Bind, region_code: str) -> pl.DataFrame:
    """Topics taking off in one region, best ranked first."""
    table = derived_emerging_topics
    return _derived_rows(
        engine, table, EMERGING_SCHEMA, table.c.region_code == region_code,
        [table.c.rank, table.c.topic_id],
    )  # fmt: skip


def opportunity_scores(engine: Bind, region_code: str) -> pl.DataFrame:
    """Every topic's score inputs, their ranks and the default-weight score in one region,
    in topic order (the order the derive step scored them in, so re-scoring with the same
    weights draws the same interval)."""
    table = derived_opportunity_scores
    return _derived_rows(
        engine, table, OPPORTUNITY_SCHEMA, table.c.region_code == region_code,
        [table.c.topic_id],
    )  # fmt: skip
