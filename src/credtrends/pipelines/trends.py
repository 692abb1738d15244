"""Google Trends into the warehouse: land raw payloads, load batches, calibrate topics.

A topic is one Google query: its search terms joined with " + " (Google's OR), so a topic
reads the same in every batch. Per region and granularity, the newest window's batches
(for daily and hourly data: every window, stitched through the days they share) are
calibrated together and replace that region's calibrated series in one transaction, so a
chart never mixes scales from two calibrations.

Interest by province (one map per topic) becomes ``region_levels``: levels comparable
across provinces with 95% intervals; a newer map replaces an older one whole.

Related queries (Google's "top" and "rising" lists) are asked per topic query; an answer
replaces the stored lists of its topic, region and window whole, so a list never mixes
two answers (a query that dropped out of the list would otherwise keep its old rank).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload
from credtrends.pipelines.landing import land, merge_into
from credtrends.sources.google_trends import (
    Operation,
    PoliteFetcher,
    RawPayload,
    TrendsRequest,
    make_request,
    parse_payload,
    run_batches,
)
from credtrends.transforms.calibration import calibrate_batches_detailed, calibrate_region_index
from credtrends.transforms.calibration_plan import run_rounds
from credtrends.warehouse.load import upsert_frame
from credtrends.warehouse.queries import naive_utc, naive_utc_row
from credtrends.warehouse.schema import (
    MAX_RELATED_QUERY_LENGTH,
    raw_payloads,
    region_levels,
    related_queries,
    search_interest,
    search_interest_batches,
)

SOURCE = "google-trends"
MAX_PLAN_ROUNDS = 5
"""Probe, chain, then at most three rounds of repairs per region and window."""
log = logging.getLogger(__name__)


def topic_query(terms: Sequence[str]) -> str:
    """The one Google query for a topic: its terms OR-ed with Google's " + " syntax."""
    return " + ".join(terms)


def topic_queries(catalogue: Catalogue) -> dict[str, str]:
    return {topic.id: topic_query(topic.search_terms) for topic in catalogue.topics}


def term_topics(catalogue: Catalogue) -> dict[str, str]:
    """Which topic a term in a batch stands for: its full query or any single search term."""
    mapping: dict[str, str] = {}
    for topic in catalogue.topics:
        mapping[topic_query(topic.search_terms).casefold()] = topic.id
        for term in topic.search_terms:
            mapping.setdefault(term.casefold(), topic.id)
    return mapping


@dataclass
class LoadReport:
    """What a load did, for the CLI's summary and the job's row count."""

    payloads: int = 0
    batch_rows: int = 0
    calibrated_rows: int = 0
    related_rows: int = 0
    region_rows: int = 0
    unmatched_terms: set[str] = field(default_factory=set)
    not_loaded: list[str] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    """The batch plan per region (batches, anchors, reference), so a run can be repeated."""

    @property
    def rows_written(self) -> int:
        return (
            self.payloads + self.batch_rows + self.calibrated_rows + self.related_rows
            + self.region_rows
        )  # fmt: skip


def landed_payloads(
    connection: sa.Connection, request_keys: Sequence[str] | None = None
) -> list[RawPayload]:
    """Every landed Google Trends payload (or those of ``request_keys``), rebuilt for
    re-parsing (oldest first)."""
    query = sa.select(raw_payloads).where(raw_payloads.c.source == SOURCE)
    if request_keys is not None:
        query = query.where(raw_payloads.c.request_key.in_(list(request_keys)))
    rows = connection.execute(query.order_by(raw_payloads.c.fetched_at)).all()
    payloads = []
    for row in rows:
        stored = dict(row.request)
        source_name = stored.pop("source_name", "")
        stored.pop("v", None)
        fetched_at = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
        payloads.append(
            RawPayload(
                request=TrendsRequest.model_validate(stored),
                body=bytes(row.payload),
                content_type=row.content_type,
                backend=row.backend,
                fetched_at=fetched_at,
                source_name=source_name,
            )
        )
    return payloads


def _check_regions(geos: Iterable[str], catalogue: Catalogue) -> None:
    unknown = sorted(set(geos) - set(catalogue.region_codes))
    if unknown:
        raise InvalidPayload(
            f"region {unknown[0]!r} is not in regions.yaml (credtrends covers Canada and its "
            "provinces and territories)"
        )


def batch_frame(
    parsed: pl.DataFrame,
    catalogue: Catalogue,
    run_id: str,
    fetched_at: datetime,
) -> tuple[pl.DataFrame, set[str]]:
    """Parsed interest-over-time rows as ``search_interest_batches`` rows (pure).

    A point without data (``hasData: false``) is Google's other way of writing "<1": it is
    kept as a censored value (0, ``is_below_one``), never dropped, so an anchor never
    vanishes from a batch (a term missing from a whole request next to a giant is "<1"
    everywhere; calibration tells it from a term with no data in any request). A request
    with no data at all is left out. Returns the frame and the terms that match no topic
    (kept, with a null topic).
    """
    _check_regions(parsed["geo"].unique().to_list(), catalogue)
    mapping = term_topics(catalogue)
    known = pl.col("has_data") & pl.col("value").is_not_null()
    censored = parsed.with_columns(_known=known).filter(pl.col("_known").any().over("request_key"))
    frame = censored.select(
        "request_key",
        "term",
        pl.col("geo").alias("region_code"),
        "period_start",
        pl.col("term")
        .map_elements(lambda t: mapping.get(t.casefold()), return_dtype=pl.String)
        .alias("topic_id"),
        pl.col("granularity").cast(pl.String),
        "timeframe",
        pl.when(pl.col("_known")).then(pl.col("value")).otherwise(0).cast(pl.Int16).alias("value"),
        (pl.col("is_below_one") | ~pl.col("_known")).alias("is_below_one"),
        "is_partial",
        "backend",
        source=pl.lit(SOURCE),
        fetched_at=pl.lit(fetched_at, dtype=pl.Datetime("us", "UTC")),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(False),
    )
    unmatched = set(frame.filter(pl.col("topic_id").is_null())["term"].unique().to_list())
    return frame, unmatched


def related_query_problem(query: str) -> str | None:
    """Why a related query cannot be stored exactly as Google gave it, or None.

    Anything else (quotes, semicolons, markup, formula triggers, control characters) is
    stored verbatim: it only ever travels as a bound parameter.
    """
    if "\x00" in query:
        return "contains a NUL character, which PostgreSQL cannot store"
    if len(query) > MAX_RELATED_QUERY_LENGTH:
        return (
            f"is {len(query)} characters long; Google's related queries are short phrases "
            f"(at most {MAX_RELATED_QUERY_LENGTH} are stored)"
        )
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate, which is not text"
    return None


@dataclass(frozen=True)
class RelatedRows:
    """A related-queries answer as ``related_queries`` rows, before it is stored."""

    rows: pl.DataFrame
    topic_ids: tuple[str, ...]
    """Every topic the request asked about: its stored lists are replaced by ``rows``, even
    when Google had no related queries for it (an empty answer empties the lists)."""
    unmatched_terms: frozenset[str] = frozenset()
    skipped_terms: tuple[str, ...] = ()
    """Terms of a topic already answered by another term of the same request."""


def related_frame(
    parsed: pl.DataFrame, payload: RawPayload, catalogue: Catalogue, run_id: str
) -> RelatedRows:
    """Parsed related queries (RELATED_SCHEMA) as ``related_queries`` rows (pure).

    Each requested term stands for the topic it maps to, as interest columns do; when two
    terms of one request map to the same topic, the topic's full query wins, else the
    first. Terms matching no topic are reported, not stored (a row needs its topic).
    Raises InvalidPayload for a query that cannot be stored verbatim or that a list
    names twice.
    """
    request = payload.request
    _check_regions([request.geo], catalogue)
    mapping = term_topics(catalogue)
    queries = {topic_id: query.casefold() for topic_id, query in topic_queries(catalogue).items()}
    chosen: dict[str, str] = {}  # topic -> the requested term answering for it
    skipped: list[str] = []
    unmatched: set[str] = set()
    for term in request.terms:
        topic = mapping.get(term.casefold())
        if topic is None:
            unmatched.add(term)
        elif topic not in chosen:
            chosen[topic] = term
        elif term.casefold() == queries[topic]:
            skipped.append(chosen[topic])
            chosen[topic] = term
        else:
            skipped.append(term)
    term_topic = {term.casefold(): topic for topic, term in chosen.items()}
    topic_ids = [term_topic.get(term.casefold()) for term in parsed["term"].to_list()]
    frame = (
        parsed.with_columns(topic_id=pl.Series("topic_id", topic_ids, dtype=pl.String))
        .filter(pl.col("entity") == "query", pl.col("topic_id").is_not_null())
        .select(
            "topic_id",
            pl.lit(request.geo).alias("region_code"),
            pl.lit(request.timeframe).alias("timeframe"),
            pl.col("kind").cast(pl.String),
            "query",
            pl.col("rank").cast(pl.Int16),
            pl.col("value").cast(pl.Int64),
            "is_breakout",
            "backend",
            pl.lit(request.request_key).alias("request_key"),
            source=pl.lit(SOURCE),
            fetched_at=pl.lit(payload.fetched_at, dtype=pl.Datetime("us", "UTC")),
            run_id=pl.lit(run_id),
            is_synthetic=pl.lit(False),
        )
    )
    for row in frame.select("kind", "rank", "query").iter_rows(named=True):
        problem = related_query_problem(row["query"])
        if problem:
            raise InvalidPayload(
                f"Google Trends payload {payload.label()}: {row['kind']} related query "
                f"{row['rank']} {problem}"
            )
    repeated = frame.select("topic_id", "kind", "query").is_duplicated()
    if repeated.any():
        example = frame.filter(repeated).row(0, named=True)
        raise InvalidPayload(
            f"Google Trends payload {payload.label()}: the {example['kind']} list names "
            f"{example['query']!r} twice"
        )
    return RelatedRows(
        rows=frame,
        topic_ids=tuple(chosen),
        unmatched_terms=frozenset(unmatched),
        skipped_terms=tuple(skipped),
    )


def store_related(
    connection: sa.Connection, related: RelatedRows, payload: RawPayload
) -> tuple[int, list[str]]:
    """Replace the stored lists of each answered topic; returns (rows, topics left alone).

    A topic whose stored lists for this region and window come from a later answer is left
    alone, so re-importing an old file never overwrites a newer one. Re-loading the same
    answer replaces its rows with identical ones.
    """
    table = related_queries
    request = payload.request
    fetched_at = naive_utc(payload.fetched_at)
    kept: list[str] = []
    for topic_id in related.topic_ids:
        scope = (
            table.c.source == SOURCE,
            table.c.topic_id == topic_id,
            table.c.region_code == request.geo,
            table.c.timeframe == request.timeframe,
        )
        newest = connection.execute(sa.select(sa.func.max(table.c.fetched_at)).where(*scope))
        stored = naive_utc(newest.scalar_one())
        if stored is not None and stored > fetched_at:
            kept.append(topic_id)
            continue
        connection.execute(sa.delete(table).where(*scope))
    rows = related.rows.filter(~pl.col("topic_id").is_in(kept))
    written = upsert_frame(connection, table, rows) if rows.height else 0
    return written, kept


def region_level_rows(
    parsed: pl.DataFrame,
    payload: RawPayload,
    catalogue: Catalogue,
    run_id: str,
    noise_floor: Mapping[tuple[str, str], float] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """A one-term region map as ``region_levels`` rows with 95% intervals (pure).

    ``noise_floor``: the sampling noise the same geo and window's time series showed (one
    map cannot show its own). Returns the rows and what was left out (terms matching no
    topic, regions outside the catalogue, such as Google's cities).
    """
    mapping = term_topics(catalogue)
    levels = calibrate_region_index(parsed, noise_floor=noise_floor)
    skipped = []
    known = set(catalogue.region_codes)
    outside = sorted(set(levels["region_code"].to_list()) - known)
    if outside:
        skipped.append(f"{payload.label()}: regions outside regions.yaml left out: {outside[:5]}")
    topic_of = {t: mapping.get(t.casefold()) for t in levels["term"].unique().to_list()}
    unmatched = sorted(t for t, topic in topic_of.items() if topic is None)
    if unmatched:
        skipped.append(f"{payload.label()}: terms matching no topic left out: {unmatched[:5]}")
    rows = (
        levels.filter(pl.col("region_code").is_in(list(known)))
        .with_columns(
            topic_id=pl.col("term").replace_strict(topic_of, default=None, return_dtype=pl.String)
        )
        .filter(pl.col("topic_id").is_not_null())
        .select(
            "topic_id", "region_code", pl.col("geo").alias("parent_geo"), "timeframe",
            "level", "level_low", "level_high", pl.col("bounds").cast(pl.String), "reported",
            backend=pl.lit(payload.backend), request_key=pl.lit(payload.request_key),
            source=pl.lit(SOURCE),
            fetched_at=pl.lit(payload.fetched_at, dtype=pl.Datetime("us", "UTC")),
            run_id=pl.lit(run_id), is_synthetic=pl.lit(False),
        )
    )  # fmt: skip
    return rows, skipped


def store_region_levels(connection: sa.Connection, rows: pl.DataFrame, payload: RawPayload) -> int:
    """Replace each topic's stored map for this parent geo and window, unless newer."""
    table = region_levels
    fetched_at = naive_utc(payload.fetched_at)
    keep: list[str] = []
    for topic_id in rows["topic_id"].unique().to_list():
        scope = (
            table.c.source == SOURCE,
            table.c.topic_id == topic_id,
            table.c.parent_geo == payload.request.geo,
            table.c.timeframe == payload.request.timeframe,
        )
        newest = connection.execute(sa.select(sa.func.max(table.c.fetched_at)).where(*scope))
        stored = naive_utc(newest.scalar_one())
        if stored is not None and stored > fetched_at:
            continue
        connection.execute(sa.delete(table).where(*scope))
        keep.append(topic_id)
    rows = rows.filter(pl.col("topic_id").is_in(keep))
    return upsert_frame(connection, table, rows) if rows.height else 0


def load_payload(
    connection: sa.Connection, payload: RawPayload, catalogue: Catalogue, run_id: str
) -> LoadReport:
    """Land one payload and load what it says; all in the caller's transaction."""
    report = LoadReport(payloads=1)
    operation = payload.request.operation
    # Parsing and shaping raise InvalidPayload before anything is written.
    parsed = parse_payload(payload)
    if operation == Operation.INTEREST_OVER_TIME:
        frame, unmatched = batch_frame(parsed, catalogue, run_id, payload.fetched_at)
        land(connection, payload, SOURCE, run_id)
        report.batch_rows = upsert_frame(connection, search_interest_batches, frame)
        report.unmatched_terms |= unmatched
        return report
    if operation == Operation.RELATED_QUERIES:
        related = related_frame(parsed, payload, catalogue, run_id)
        land(connection, payload, SOURCE, run_id)
        report.related_rows, kept = store_related(connection, related, payload)
        report.unmatched_terms |= related.unmatched_terms
        report.not_loaded.extend(
            f"{payload.label()}: a newer answer for {topic_id} in this window is kept"
            for topic_id in kept
        )
        report.not_loaded.extend(
            f"{payload.label()}: related queries of {term!r} not stored; another term of "
            "the same topic answered for it"
            for term in related.skipped_terms
        )
        return report
    if operation == Operation.INTEREST_BY_REGION:
        levels, skipped = region_level_rows(parsed, payload, catalogue, run_id)
        land(connection, payload, SOURCE, run_id)
        report.region_rows = store_region_levels(connection, levels, payload)
        report.not_loaded.extend(skipped)
        return report
    land(connection, payload, SOURCE, run_id)
    report.not_loaded.append(f"{payload.label()}: landed; {operation.value} has no table yet")
    return report


def _stored_batches(connection: sa.Connection, region_codes: Iterable[str]) -> pl.DataFrame:
    table = search_interest_batches
    columns = [
        "request_key", "term", "region_code", "period_start", "topic_id", "granularity",
        "timeframe", "value", "is_below_one", "is_partial", "backend", "fetched_at",
    ]  # fmt: skip
    rows = connection.execute(
        sa.select(*(table.c[name] for name in columns)).where(
            table.c.source == SOURCE, table.c.region_code.in_(list(region_codes))
        )
    ).all()
    schema = pl.Schema({
        "request_key": pl.String(), "term": pl.String(), "region_code": pl.String(),
        "period_start": pl.Date(), "topic_id": pl.String(), "granularity": pl.String(),
        "timeframe": pl.String(), "value": pl.Int64(), "is_below_one": pl.Boolean(),
        "is_partial": pl.Boolean(), "backend": pl.String(), "fetched_at": pl.Datetime("us"),
    })  # fmt: skip
    naive = [naive_utc_row(row) for row in rows]
    return pl.DataFrame(naive, schema=schema, orient="row")


STITCHED_GRANULARITIES = frozenset({"day", "hour"})
"""Google gives daily values only for windows under ~9 months: every such window is kept
and all of a region's windows are solved together, linked by the days they share, so a
long daily history is one series (older days never disappear)."""

STITCHED_WINDOW = "stitched"


def newest_windows(batches: pl.DataFrame) -> pl.DataFrame:
    """Per region and granularity, the batches of the most recently fetched window; daily
    and hourly batches are all kept (they are stitched across windows)."""
    stitched = batches.filter(pl.col("granularity").is_in(list(STITCHED_GRANULARITIES)))
    single = batches.filter(~pl.col("granularity").is_in(list(STITCHED_GRANULARITIES)))
    newest = (
        single.group_by("region_code", "granularity", "timeframe")
        .agg(pl.col("fetched_at").max())
        .sort("fetched_at")
        .group_by("region_code", "granularity", maintain_order=True)
        .last()
        .select("region_code", "granularity", "timeframe")
    )
    return pl.concat(
        [single.join(newest, on=["region_code", "granularity", "timeframe"]), stitched]
    )


def calibrated_rows(
    batches: pl.DataFrame,
    run_id: str,
    now: datetime,
    problems: list[str] | None = None,
    noise: dict[tuple[str, str], float] | None = None,
) -> pl.DataFrame:
    """Calibrate each region's newest window and shape ``search_interest`` rows (pure).

    ``raw_value`` is the topic's value in the batch where it peaked highest, the reading
    with the least rounding error. Topics no batch links to the rest are left out and
    described in ``problems`` (with the request that would link them), never guessed.
    ``noise`` receives the sampling noise estimated per ``(region, timeframe)``.
    """
    with_topic = batches.filter(pl.col("topic_id").is_not_null())
    if with_topic.is_empty():
        return pl.DataFrame()
    outputs = []
    for (region, granularity), group in with_topic.group_by(
        "region_code", "granularity", maintain_order=True
    ):
        work = group.rename({"region_code": "geo"})
        if granularity in STITCHED_GRANULARITIES:  # one solve across overlapping windows
            work = work.with_columns(timeframe=pl.lit(STITCHED_WINDOW))
        result = calibrate_batches_detailed(work)
        if problems is not None:
            problems.extend(g.describe() for g in result.disconnected)
        if noise is not None:
            noise.update(result.noise_log_sd or {})
        calibrated = result.frame
        best_batch = (
            group.group_by("term", "request_key")
            .agg(pl.col("value").max().alias("peak"))
            .sort("peak", "request_key", descending=[True, False])
            .group_by("term", maintain_order=True)
            .first()
            .select("term", "request_key")
        )
        raw = group.join(best_batch, on=["term", "request_key"]).select(
            "term", "period_start",
            pl.col("value").cast(pl.Float64).alias("raw_value"), "is_below_one",
        )  # fmt: skip
        topics = group.select("term", "topic_id", "backend").unique(subset="term", keep="first")
        outputs.append(
            calibrated.join(topics, on="term", how="left")
            .join(raw, on=["term", "period_start"], how="left")
            .select(
                "topic_id",
                pl.lit(region).alias("region_code"),
                pl.lit(granularity).alias("granularity"),
                "period_start",
                "raw_value",
                pl.col("is_below_one").fill_null(False),
                pl.col("value").alias("calibrated_value"),
                pl.col("value_low").alias("calibrated_low"),
                pl.col("value_high").alias("calibrated_high"),
                ("anchor-bank:" + pl.col("reference_term")).str.slice(0, 64).alias("scale_method"),
                "is_partial",
                pl.col("backend").fill_null("unknown"),
            )
        )
    frame = pl.concat(outputs).filter(pl.col("topic_id").is_not_null())
    return frame.with_columns(
        source=pl.lit(SOURCE),
        request_key=pl.lit(None, dtype=pl.String),
        fetched_at=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(False),
    )


def recalibrate(
    connection: sa.Connection,
    region_codes: Iterable[str],
    run_id: str,
    problems: list[str] | None = None,
    noise: dict[tuple[str, str], float] | None = None,
) -> int:
    """Replace the calibrated Google Trends series of these regions from stored batches."""
    regions = sorted(set(region_codes))
    batches = newest_windows(_stored_batches(connection, regions))
    rows = calibrated_rows(batches, run_id, datetime.now(UTC), problems, noise)
    if rows.is_empty():
        return 0
    for region, granularity in rows.select("region_code", "granularity").unique().iter_rows():
        connection.execute(
            sa.delete(search_interest).where(
                search_interest.c.source == SOURCE,
                search_interest.c.region_code == region,
                search_interest.c.granularity == granularity,
            )
        )
    return upsert_frame(connection, search_interest, rows)


def refloor_region_levels(
    connection: sa.Connection,
    catalogue: Catalogue,
    noise: Mapping[tuple[str, str], float],
    run_id: str,
) -> int:
    """Recalibrate the stored province maps of each geo and window whose time series showed
    sampling noise, with that noise as their floor.

    A map is calibrated when it lands, often before the time series of its window is
    solved; one map cannot show its own noise, so without this its bounds would cover
    rounding only (about 60% of truths under Google-like noise instead of 95%).
    """
    written = 0
    for (geo, timeframe), sd in sorted(noise.items()):
        if sd <= 0:
            continue
        keys = connection.execute(
            sa.select(region_levels.c.request_key)
            .where(
                region_levels.c.source == SOURCE,
                region_levels.c.parent_geo == geo,
                region_levels.c.timeframe == timeframe,
            )
            .distinct()
        ).scalars()
        for payload in landed_payloads(connection, [k for k in keys if k]):
            levels, _ = region_level_rows(
                parse_payload(payload), payload, catalogue, run_id, {(geo, timeframe): sd}
            )
            written += store_region_levels(connection, levels, payload)
    return written


def merge_reports(reports: Iterable[LoadReport]) -> LoadReport:
    """The reports of several payloads as one (``landing.merge_into``)."""
    return merge_into(LoadReport(), reports)


def _round_batches(connection: sa.Connection, request_keys: Sequence[str]) -> pl.DataFrame:
    """The stored rows of these batches, for planning the next round."""
    table = search_interest_batches
    schema = pl.Schema({
        "request_key": pl.String(), "term": pl.String(), "period_start": pl.Date(),
        "value": pl.Int64(), "is_partial": pl.Boolean(),
    })  # fmt: skip
    rows: list[tuple[Any, ...]] = []
    keys = list(request_keys)
    columns = (table.c.request_key, table.c.term, table.c.period_start, table.c.value)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = sa.select(*columns, table.c.is_partial).where(
            table.c.source == SOURCE, table.c.request_key.in_(chunk)
        )
        rows.extend(tuple(row) for row in connection.execute(query))
    return pl.DataFrame(rows, schema=schema, orient="row")


def reparse_landed(engine: sa.Engine, catalogue: Catalogue, run_id: str) -> LoadReport:
    """Parse every landed payload again and recalibrate: a parser fix without the network."""
    with engine.begin() as connection:
        payloads = landed_payloads(connection)
        report = merge_reports(load_payload(connection, p, catalogue, run_id) for p in payloads)
        regions = {p.request.geo for p in payloads}
        noise: dict[tuple[str, str], float] = {}
        report.calibrated_rows = recalibrate(connection, regions, run_id, report.not_loaded, noise)
        refloor_region_levels(connection, catalogue, noise, run_id)
    return report


def fetch_trends(
    engine: sa.Engine,
    catalogue: Catalogue,
    regions: Sequence[str],
    timeframe: str,
    run_id: str,
    fetcher: PoliteFetcher,
    reuse_hours: float,
    echo: Callable[[str], None],
    topic_ids: Sequence[str] | None = None,
    related: bool = False,
    region_maps: bool = False,
) -> LoadReport:
    """Plan in rounds, fetch politely and land every batch (one transaction each), calibrate.

    Per region the plan is adaptive (``calibration_plan.next_round``): a probe star, then a
    chain of topics sorted by the volumes the probe showed, then repairs for topics still
    poorly placed; each round is planned from the earlier rounds' answers only, so a rerun
    plans the same requests. Batches landed in the last ``reuse_hours`` are not fetched
    again, so a run stopped by a rate-limit storm resumes where it stopped. Calibration only
    runs on a complete set: an incomplete one raises (RateLimited on a storm, else naming
    each failed request and its cause) after keeping what was landed. With ``related``,
    each topic's related queries are asked too; with ``region_maps``, each topic's interest
    by region (its provinces' levels, comparable across provinces) for Canada.
    """
    run = _TrendsRun(engine, catalogue, run_id, fetcher, timeframe, echo)
    run.done = _recently_landed(engine, reuse_hours)
    wanted_by_region = _wanted_queries(catalogue, regions, topic_ids)
    plans = [run.fetch_region(region, wanted) for region, wanted in wanted_by_region.items()]
    if related:
        requests = _one_term_requests("related_queries", wanted_by_region, timeframe)
        run.fetch(requests, "related queries")
    if region_maps:
        canada = {r: w for r, w in wanted_by_region.items() if r == "CA"}
        run.fetch(_one_term_requests("interest_by_region", canada, timeframe),
                  "interest by province")  # fmt: skip
    report = merge_reports(run.reports)
    report.plans = plans
    with engine.begin() as connection:
        noise: dict[tuple[str, str], float] = {}
        report.calibrated_rows = recalibrate(
            connection, list(wanted_by_region), run_id, report.not_loaded, noise
        )
        if region_maps:
            refloor_region_levels(connection, catalogue, noise, run_id)
    return report


def _recently_landed(engine: sa.Engine, reuse_hours: float) -> set[str]:
    """The request keys landed in the last ``reuse_hours``: done, not fetched again."""
    since = datetime.now(UTC) - timedelta(hours=reuse_hours)
    with engine.connect() as connection:
        return set(
            connection.execute(
                sa.select(raw_payloads.c.request_key).where(
                    raw_payloads.c.source == SOURCE, raw_payloads.c.fetched_at >= since
                )
            ).scalars()
        )


def _wanted_queries(
    catalogue: Catalogue, regions: Sequence[str], topic_ids: Sequence[str] | None
) -> dict[str, list[str]]:
    """Per region (in the order given), the queries of its topics; regions without any
    are left out."""
    queries = topic_queries(catalogue)
    wanted_by_region: dict[str, list[str]] = {}
    for region in regions:
        wanted = [
            queries[t.id]
            for t in catalogue.topics
            if (t.regions is None or region in t.regions or region == "CA")
            and (not topic_ids or t.id in topic_ids)
        ]
        if wanted:
            wanted_by_region[region] = wanted
    return wanted_by_region


def _one_term_requests(
    operation: str, wanted_by_region: Mapping[str, list[str]], timeframe: str
) -> list[TrendsRequest]:
    """One request per region and query (related queries, province maps)."""
    return [
        make_request(operation=operation, terms=[query], geo=region, timeframe=timeframe)
        for region, wanted in wanted_by_region.items()
        for query in wanted
    ]


@dataclass
class _TrendsRun:
    """One fetch run: what is done, what each landed payload loaded, and how to fetch."""

    engine: sa.Engine
    catalogue: Catalogue
    run_id: str
    fetcher: PoliteFetcher
    timeframe: str
    echo: Callable[[str], None]
    done: set[str] = field(default_factory=set)
    reports: list[LoadReport] = field(default_factory=list)

    def on_payload(self, payload: RawPayload) -> None:
        """Land and load one payload in a transaction of its own (a stopped run keeps it)."""
        with self.engine.begin() as connection:
            self.reports.append(load_payload(connection, payload, self.catalogue, self.run_id))
        self.echo(f"landed {payload.label()}")

    def fetch(self, requests: Sequence[TrendsRequest], what: str) -> None:
        already = len(self.done & {r.request_key for r in requests})
        self.echo(f"{what}: {len(requests)} batches planned, {already} already landed")
        result = run_batches(self.fetcher, requests, self.done, self.on_payload)
        self.done.update(result.done)
        # Rate limits and captcha storms raise RateLimited; payload/HTTP failures name each
        # failed request (terms, geo, window) and its cause instead.
        result.raise_if_incomplete()

    def fetch_region(self, region: str, wanted: list[str]) -> dict[str, Any]:
        """All planning rounds of one region; returns the record of what was asked."""
        rounds: list[dict[str, Any]] = []
        asked = 0

        def fetch_round(batches: Sequence[tuple[str, ...]], stage: str) -> pl.DataFrame:
            nonlocal asked
            requests = [
                make_request(operation="interest_over_time", terms=list(b), geo=region,
                             timeframe=self.timeframe)
                for b in batches
            ]  # fmt: skip
            self.fetch(requests, f"{region} round {len(rounds) + 1} ({stage})")
            rounds.append({"stage": stage, "batches": [list(b) for b in batches]})
            asked += len(requests)
            with self.engine.connect() as connection:
                return _round_batches(connection, [r.request_key for r in requests])

        outcome = run_rounds(wanted, fetch_round, max_rounds=MAX_PLAN_ROUNDS)
        if outcome.unresolved:
            self.echo(
                f"{region}: {len(outcome.unresolved)} topic(s) still read low in every batch "
                f"after {len(rounds)} rounds (their error band is wider): "
                + ", ".join(outcome.unresolved[:8])
            )
        return {
            "region": region,
            "requests": asked,
            "rounds": rounds,
            "batches": [list(b) for b in outcome.batches],
            "pivot": wanted[0],
            "unresolved": list(outcome.unresolved),
        }
