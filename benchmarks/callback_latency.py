"""Callback latency on a large SYNTHETIC warehouse, with and without the query cache.

The requirement: callbacks stay fast on 1,000 topics x 14 regions x 10 years of weekly
search interest (about 7.3M rows). This builds that warehouse (SQLite in a temporary
folder, or ``--database-url``), then creates the app twice, with the query cache
(``cache_type=simple``) and without it (``null``), and times through Flask's test client,
for every page, its layout (Dash's router callback, which runs the page's ``layout``) and
each of its callbacks, posting the bodies the browser posts: callbacks come from
``/_dash-dependencies``, their input values from the page's own controls. It prints p50/p95
per callback for both and the ratio uncached / cached (p50), with the build time and the
row counts. Every fact row is labelled synthetic (``source``, ``is_synthetic``). After the
build it writes the derived layer as the ``derive`` step does after a load (pages read it:
growth, emerging topics, opportunity scores) and prints how long that took.

    python benchmarks/callback_latency.py [--topics 1000] [--years 10] [--repeats 20]
        [--uncached-repeats 3] [--database-url URL] [--keep]

The catalogue is config/topics.yaml (so pages keep their default topics) topped up with
synthetic topics, each linked to one of its occupations; regions are config/regions.yaml;
boards are dashboards/*.yaml. The SQLite build runs in one transaction on the schema the
migrations create (constraints and foreign keys on), in primary-key order: each chunk goes
by executemany into a temporary staging table, then one INSERT ... SELECT moves it (about
30% faster than executemany straight into the table). PostgreSQL goes through
``upsert_frame`` (COPY into a staging table, then INSERT ... ON CONFLICT).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa
import yaml
from load_driver import layout_components, output_targets  # a sibling script
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable, DropTable

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.config import Settings
from credtrends.demo.generate import POPULATION_SHARE, generate_labour_market, last_sunday
from credtrends.jobs.runs import record_job_run
from credtrends.pipelines.derive import derive
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.load import count_rows, upsert_frame
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import (
    derived_topic_growth,
    forecast_runs,
    forecasts,
    labour_market_observations,
    portal_topic_counts,
    search_interest,
)

REPO = Path(__file__).resolve().parents[1]
JOB = "bench-callback-latency"
SOURCE = "synthetic-benchmark"
END = last_sunday(date(2026, 11, 29))
FETCHED_AT = datetime.combine(END, clock(0), tzinfo=UTC)
SEED = 7
HORIZON = 52
PORTAL_MONTHS = 24
CHUNK_TOPICS = 50
CATEGORIES = ("certification", "compliance", "subject")
RowChunk = tuple[list[str], list[tuple[Any, ...]]]
FACT_TABLES = (search_interest, forecasts, portal_topic_counts, labour_market_observations)


def write_config(folder: Path, n_topics: int) -> Catalogue:
    """config/topics.yaml topped up with synthetic topics to ``n_topics``, and regions.yaml."""
    real = yaml.safe_load((REPO / "config" / "topics.yaml").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = real["topics"][:n_topics]
    occupations = [o for topic in real["topics"] for o in topic.get("occupations", [])]
    for i in range(len(entries), n_topics):
        entries.append(
            {
                "id": f"bench-{i:04d}",
                "name_en": f"Synthetic topic {i}",
                "name_fr": f"Sujet synthétique {i}",
                "category": CATEGORIES[i % 3],
                "search_terms": [f"synthetic term {i}"],
                "occupations": [occupations[i % len(occupations)]],
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    topics_file = folder / "topics.yaml"
    topics_file.write_text(yaml.safe_dump({"topics": entries}, allow_unicode=True), "utf-8")
    shutil.copy(REPO / "config" / "regions.yaml", folder / "regions.yaml")
    return load_catalogue(topics_file, folder / "regions.yaml")


class Synthetic:
    """Weekly interest of every topic in every region: level x trend x season x noise."""

    def __init__(self, catalogue: Catalogue, years: int) -> None:
        self.weeks = [END - timedelta(weeks=i) for i in range(round(years * 52.18))][::-1]
        self.topics = sorted(catalogue.topics, key=lambda t: t.id)  # primary-key order
        self.regions = sorted(r.code for r in catalogue.regions)
        rng = np.random.default_rng(SEED)
        n_topics, n_regions, n_weeks = len(self.topics), len(self.regions), len(self.weeks)
        t = np.arange(n_weeks) / 52.18
        day = np.array([w.timetuple().tm_yday for w in self.weeks]) / 365.25
        level = np.exp(rng.normal(0, 0.6, (n_topics, 1, 1)))
        trend = np.exp(rng.normal(0, 0.05, (n_topics, 1, 1)) * t)
        phase = rng.uniform(0, 1, (n_topics, 1, 1))
        season = np.exp(0.15 * np.cos(2 * np.pi * (day - phase)))
        affinity = np.exp(rng.normal(0, 0.25, (n_topics, n_regions, 1)))
        share = np.array([POPULATION_SHARE.get(code, 1.0) for code in self.regions])
        spread = (0.07 + 0.25 * (1 - share) ** 8)[None, :, None]
        noise = np.exp(rng.normal(0, 1, (n_topics, n_regions, n_weeks)) * spread)
        self.values = level * trend * season * affinity * noise
        allowed = np.ones((n_topics, n_regions), dtype=bool)
        for i, topic in enumerate(self.topics):
            if topic.regions:  # provincial programs: Canada and their provinces only
                allowed[i] = [code == "CA" or code in topic.regions for code in self.regions]
        self.allowed = allowed
        self.own_max = self.values.max(axis=2)
        masked = np.where(allowed[:, :, None], self.values, 0)
        self.region_peak = masked.max(axis=(0, 2))

    def interest(self) -> Iterator[pl.DataFrame]:
        """search_interest rows, a chunk of topics at a time, in primary-key order."""
        n_weeks = len(self.weeks)
        partial = np.arange(n_weeks) == n_weeks - 1
        for start in range(0, len(self.topics), CHUNK_TOPICS):
            columns: dict[str, list[Any]] = {name: [] for name in ("topic_id", "region_code")}
            arrays: dict[str, list[np.ndarray]] = {
                name: [] for name in ("raw", "cal", "low", "high", "partial")
            }
            for i in range(start, min(start + CHUNK_TOPICS, len(self.topics))):
                for j, region in enumerate(self.regions):
                    if not self.allowed[i, j]:
                        continue
                    values = self.values[i, j]
                    scale = 100 / self.region_peak[j]
                    half_step = 0.5 * self.own_max[i, j] / 100 * scale
                    calibrated = values * scale
                    columns["topic_id"].append(self.topics[i].id)
                    columns["region_code"].append(region)
                    arrays["raw"].append(np.rint(100 * values / self.own_max[i, j]))
                    arrays["cal"].append(calibrated)
                    arrays["low"].append(np.clip(calibrated - half_step, 0, None))
                    arrays["high"].append(calibrated + half_step)
                    arrays["partial"].append(partial)
            n_series = len(columns["topic_id"])
            raw = np.concatenate(arrays["raw"])
            yield pl.DataFrame(
                {
                    "topic_id": np.repeat(columns["topic_id"], n_weeks),
                    "region_code": np.repeat(columns["region_code"], n_weeks),
                    "period_start": self.weeks * n_series,
                    "raw_value": raw,
                    "is_below_one": raw < 1,
                    "calibrated_value": np.concatenate(arrays["cal"]),
                    "calibrated_low": np.concatenate(arrays["low"]),
                    "calibrated_high": np.concatenate(arrays["high"]),
                    "is_partial": np.concatenate(arrays["partial"]),
                }
            ).select(
                "topic_id",
                "region_code",
                granularity=pl.lit("week"),
                period_start=pl.col("period_start"),
                source=pl.lit(SOURCE),
                raw_value=pl.col("raw_value"),
                is_below_one=pl.col("is_below_one"),
                calibrated_value=pl.col("calibrated_value"),
                calibrated_low=pl.col("calibrated_low"),
                calibrated_high=pl.col("calibrated_high"),
                scale_method=pl.lit("synthetic-ground-truth"),
                is_partial=pl.col("is_partial"),
                backend=pl.lit(SOURCE),
                fetched_at=pl.lit(FETCHED_AT),
                run_id=pl.lit(JOB),
                is_synthetic=pl.lit(True),
            )

    def forecasts(self) -> Iterator[pl.DataFrame]:
        """A seasonal-naive-like forecast of every series, 52 weeks, widening intervals."""
        future = [END + timedelta(weeks=h + 1) for h in range(HORIZON)]
        width = 0.08 * np.sqrt(np.arange(1, HORIZON + 1))
        for start in range(0, len(self.topics), CHUNK_TOPICS):
            rows: dict[str, list[Any]] = {"topic_id": [], "region_code": [], "mean": []}
            for i in range(start, min(start + CHUNK_TOPICS, len(self.topics))):
                for j, region in enumerate(self.regions):
                    if self.allowed[i, j]:
                        rows["topic_id"].append(self.topics[i].id)
                        rows["region_code"].append(region)
                        rows["mean"].append(
                            self.values[i, j, -HORIZON:] * 100 / self.region_peak[j]
                        )
            n_series = len(rows["topic_id"])
            mean = np.concatenate(rows["mean"])
            spread = np.tile(width, n_series)
            yield pl.DataFrame(
                {
                    "topic_id": np.repeat(rows["topic_id"], HORIZON),
                    "region_code": np.repeat(rows["region_code"], HORIZON),
                    "period_start": future * n_series,
                    "mean": mean,
                    "lo80": mean * (1 - spread),
                    "hi80": mean * (1 + spread),
                    "lo95": mean * (1 - 1.5 * spread),
                    "hi95": mean * (1 + 1.5 * spread),
                }
            ).select(
                "topic_id",
                "region_code",
                measure=pl.lit("search_interest"),
                granularity=pl.lit("week"),
                period_start=pl.col("period_start"),
                forecast_run_id=pl.lit(JOB),
                model=pl.lit("snaive"),
                mean=pl.col("mean"),
                lo80=pl.col("lo80"),
                hi80=pl.col("hi80"),
                lo95=pl.col("lo95"),
                hi95=pl.col("hi95"),
                is_synthetic=pl.lit(True),
            )

    def portal_counts(self) -> pl.DataFrame:
        """Programs on offer and portal searches, monthly, the last two years."""
        months = sorted({w.replace(day=1) for w in self.weeks})[-PORTAL_MONTHS:]
        rng = np.random.default_rng(SEED + 1)
        frames = []
        for measure, factor in (("portal_searches", 120.0), ("programs_offered", 6.0)):
            expected = self.values[:, :, -len(months) :] * factor
            share = np.array([POPULATION_SHARE.get(code, 1.0) for code in self.regions])
            counts = rng.poisson(expected * share[None, :, None]).astype(float)
            i, j = np.nonzero(self.allowed)
            frames.append(
                pl.DataFrame(
                    {
                        "topic_id": np.repeat([self.topics[k].id for k in i], len(months)),
                        "region_code": np.repeat([self.regions[k] for k in j], len(months)),
                        "period_start": months * len(i),
                        "value": counts[i, j].ravel(),
                    }
                ).with_columns(measure=pl.lit(measure), granularity=pl.lit("month"))
            )
        return (
            pl.concat(frames)
            .with_columns(
                rank=pl.lit(None, dtype=pl.Int64),
                source=pl.lit(SOURCE),
                fetched_at=pl.lit(FETCHED_AT),
                run_id=pl.lit(JOB),
                is_synthetic=pl.lit(True),
            )
            .sort("topic_id", "region_code", "measure", "period_start")
        )


def _sqlite_rows(table: sa.Table, frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as SQLAlchemy binds them on SQLite (dates and times as text, booleans as 0/1).

    SQLAlchemy's own bind processors convert each distinct value (there are few: dates,
    one fetch time, two booleans); polars maps the column.
    """
    dialect = sqlite_dialect.dialect()
    columns = []
    for name in frame.columns:
        series = frame[name]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and series.dtype not in (pl.Float64, pl.Int64, pl.String):
            mapping = {value: process(value) for value in series.unique().to_list()}
            kinds = {type(value) for value in mapping.values() if value is not None}
            dtype = pl.String if kinds == {str} else pl.Int64
            series = series.replace_strict(mapping, return_dtype=dtype)
        columns.append(series.to_list())
    return list(zip(*columns, strict=True))


def _row_chunk(table: sa.Table, frame: pl.DataFrame) -> RowChunk:
    return frame.columns, _sqlite_rows(table, frame)


def _prepared(table: sa.Table, frames: Iterable[pl.DataFrame]) -> Iterator[RowChunk]:
    """(columns, rows) per frame; a thread prepares the next chunk while this one loads."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[RowChunk] | None = None
        for frame in frames:
            ordered = frame.select(c.name for c in table.columns if c.name in frame.columns)
            chunk = pool.submit(_row_chunk, table, ordered)
            if pending is not None:
                yield pending.result()
            pending = chunk
        if pending is not None:
            yield pending.result()


def bulk_insert(
    target: sa.Connection | sqlite3.Connection, table: sa.Table, frames: Iterable[pl.DataFrame]
) -> int:
    """Insert the frames' rows (a table the build started empty).

    SQLite: each chunk goes into a temporary staging table (executemany), then one
    INSERT ... SELECT moves it into the declared table. PostgreSQL: ``upsert_frame``
    (COPY into a staging table, then INSERT ... ON CONFLICT).
    """
    if not isinstance(target, sqlite3.Connection):
        return sum(upsert_frame(target, table, frame) for frame in frames)
    dialect = sqlite_dialect.dialect()
    written = 0
    staging: sa.Table | None = None
    for columns, rows in _prepared(table, frames):
        if staging is None:
            staging = sa.Table(
                f"staging_{table.name}",
                sa.MetaData(),
                *(sa.Column(name, table.c[name].type) for name in columns),
                prefixes=["TEMPORARY"],
            )
            target.execute(str(CreateTable(staging).compile(dialect=dialect)))
        target.executemany(str(sa.insert(staging).compile(dialect=dialect)), rows)
        move = sa.insert(table).from_select(columns, sa.select(staging))
        target.execute(str(move.compile(dialect=dialect)))
        target.execute(str(sa.delete(staging).compile(dialect=dialect)))
        written += len(rows)
    if staging is not None:
        target.execute(str(DropTable(staging).compile(dialect=dialect)))
    return written


def load_facts(
    target: sa.Connection | sqlite3.Connection, synthetic: Synthetic, catalogue: Catalogue
) -> int:
    labour = generate_labour_market(catalogue, SEED, END, FETCHED_AT, JOB)
    return (
        bulk_insert(target, search_interest, synthetic.interest())
        + bulk_insert(target, forecasts, synthetic.forecasts())
        + bulk_insert(target, portal_topic_counts, [synthetic.portal_counts()])
        + bulk_insert(
            target, labour_market_observations, [labour.with_columns(source=pl.lit(SOURCE))]
        )
    )


def build_warehouse(url: str, catalogue: Catalogue, years: int) -> dict[str, int]:
    """Schema by the migrations, catalogue, then the synthetic facts; rows per table."""
    engine = create_warehouse_engine(url)
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, catalogue)
    synthetic = Synthetic(catalogue, years)
    with record_job_run(engine, JOB, {"topics": len(catalogue.topics), "years": years}) as run:
        with engine.begin() as connection:
            connection.execute(sa.delete(forecasts).where(forecasts.c.forecast_run_id == JOB))
            connection.execute(
                sa.delete(forecast_runs).where(forecast_runs.c.forecast_run_id == JOB)
            )
            connection.execute(
                sa.insert(forecast_runs).values(
                    forecast_run_id=JOB,
                    created_at=FETCHED_AT,
                    status="succeeded",
                    horizon=HORIZON,
                    parameters={"synthetic": True},
                    data_snapshot="synthetic",
                    models=["snaive"],
                    run_id=JOB,
                    is_synthetic=True,
                )
            )
        if engine.dialect.name == "sqlite":
            engine.dispose()  # nobody else holds the file while it is written
            raw = sqlite3.connect(str(engine.url.database), isolation_level=None)
            try:
                # A throwaway build: no rollback journal (a crash means rebuild), WAL after.
                raw.execute("PRAGMA journal_mode=OFF")
                raw.execute("PRAGMA synchronous=OFF")
                raw.execute("PRAGMA foreign_keys=ON")
                raw.execute("PRAGMA cache_size=-1000000")
                raw.execute("BEGIN")
                run.rows_written = load_facts(raw, synthetic, catalogue)
                raw.execute("COMMIT")
                raw.execute("PRAGMA journal_mode=WAL")
            finally:
                raw.close()
        else:
            with engine.begin() as connection:
                run.rows_written = load_facts(connection, synthetic, catalogue)
    with engine.connect() as connection:
        counts = {table.name: count_rows(connection, table) for table in FACT_TABLES}
    engine.dispose()
    return counts


def ensure_derived(url: str) -> None:
    """Write the derived layer as the ``derive`` step does after every load (pages read
    it), unless this warehouse has it already; prints how long the step took."""
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            if count_rows(connection, derived_topic_growth):
                return
        started = time.perf_counter()
        with record_job_run(engine, "bench-derive", {}) as run, engine.begin() as connection:
            run.rows_written = derive(connection, run.run_id).total
        print(
            f"derived layer written in {time.perf_counter() - started:.1f} s "
            f"({run.rows_written:,} rows; the derive step after a load)"
        )
    finally:
        engine.dispose()


def already_built(url: str, topics: int, years: int) -> dict[str, int] | None:
    """Row counts if a previous run of this benchmark built this very warehouse."""
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT parameters FROM job_runs WHERE job_name = :job AND status = "
                    "'succeeded' ORDER BY started_at DESC LIMIT 1"
                ),
                {"job": JOB},
            ).first()
            if row is None:
                return None
            parameters = row[0] if isinstance(row[0], dict) else json.loads(row[0])
            if parameters != {"topics": topics, "years": years}:
                return None
            return {table.name: count_rows(connection, table) for table in FACT_TABLES}
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


# --- the requests ---------------------------------------------------------------------


def callback_body(spec: dict[str, Any], components: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The renderer's body: each input and state with its component's current value."""

    def entry(dependency: dict[str, Any]) -> dict[str, Any]:
        item = {"id": dependency["id"], "property": dependency["property"]}
        props = components[dependency["id"]]
        if dependency["property"] in props:
            item["value"] = props[dependency["property"]]
        return item

    outputs = output_targets(spec["output"])
    first = spec["inputs"][0]
    body = {
        "output": spec["output"],
        "outputs": outputs if spec["output"].startswith("..") else outputs[0],
        "inputs": [entry(i) for i in spec["inputs"]],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }
    if spec["state"]:
        body["state"] = [entry(s) for s in spec["state"]]
    return body


def timed(client: Any, body: dict[str, Any], warmups: int, repeats: int) -> tuple[list[float], Any]:
    """Milliseconds of ``repeats`` requests after ``warmups``; and the last response body."""
    payload = json.dumps(body)
    times = []
    response = None
    for i in range(warmups + repeats):
        started = time.perf_counter()
        response = client.post(
            "/_dash-update-component", data=payload, content_type="application/json"
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{body['output']}: HTTP {response.status_code}")
        if i >= warmups:
            times.append(elapsed)
    assert response is not None
    return times, response.get_json(silent=True)


def measure(
    settings: Settings, engine: sa.Engine, boards: list[str], warmups: int, repeats: int
) -> dict[tuple[str, str], list[float]]:
    """(page, callback) -> milliseconds, for one app built with ``settings``."""
    import dash

    from credtrends.web.app import create_app

    app = create_app(settings, engine)
    client = app.server.test_client()
    client.get("/")  # the first request registers Dash's router callback
    dependencies = client.get("/_dash-dependencies").get_json()
    router = next(
        spec
        for spec in dependencies
        if {"id": "_pages_location", "property": "pathname"} in spec["inputs"]
    )
    server = [
        spec
        for spec in dependencies
        if spec is not router
        and not spec.get("clientside_function")
        and all(
            isinstance(d["id"], str) and not d["id"].startswith("{")
            for d in spec["inputs"] + spec["state"]
        )
    ]
    paths = []
    for entry in dash.page_registry.values():
        paths.append(entry["path"])
        if entry.get("path_template"):
            paths.extend(entry["path_template"].replace("<board>", board) for board in boards[:1])
    results: dict[tuple[str, str], list[float]] = {}
    measured: set[str] = set()
    for path in paths:
        body = {
            "output": router["output"],
            "outputs": output_targets(router["output"]),
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "changedPropIds": ["_pages_location.pathname"],
        }
        results[(path, "layout")], layout = timed(client, body, warmups, repeats)
        components: dict[str, dict[str, Any]] = {}
        layout_components(layout, components)
        for spec in server:
            ids = {d["id"] for d in spec["inputs"] + spec["state"]}
            if spec["output"] in measured or not ids <= set(components):
                continue
            measured.add(spec["output"])
            first = output_targets(spec["output"])[0]
            name = f"{first['id']}.{first['property']}"
            results[(path, name)], _ = timed(
                client, callback_body(spec, components), warmups, repeats
            )
    skipped = [s["output"] for s in server if s["output"] not in measured]
    if skipped:
        print(f"  (not on any page's first render, not measured: {', '.join(skipped)})")
    return results


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def print_table(results: dict[str, dict[tuple[str, str], list[float]]]) -> None:
    width = max(len(page) for page, _ in results["simple"]) + 1
    print(
        f"{'page':<{width}} {'callback':<38} {'cached p50':>10} {'p95':>8} "
        f"{'uncached p50':>12} {'p95':>8} {'ratio':>7}"
    )
    for (page, callback), cached in results["simple"].items():
        uncached = results["null"].get((page, callback))
        if not uncached:
            continue
        c50, u50 = percentile(cached, 50), percentile(uncached, 50)
        print(
            f"{page:<{width}} {callback:<38} {c50:10.1f} {percentile(cached, 95):8.1f} "
            f"{u50:12.1f} {percentile(uncached, 95):8.1f} {u50 / c50:6.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", type=int, default=1000, help="topics in the catalogue")
    parser.add_argument("--years", type=int, default=10, help="years of weekly interest")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests with the cache")
    parser.add_argument(
        "--uncached-repeats", type=int, default=3, help="timed requests without the cache"
    )
    parser.add_argument("--database-url", help="build there (e.g. PostgreSQL) instead of SQLite")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the warehouse (SQLite: in the temp folder) and reuse it when it matches",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Flask-Caching: CACHE_TYPE is set to NullCache")

    work = Path(tempfile.mkdtemp(prefix="credtrends-callback-latency-"))
    try:
        catalogue = write_config(work / "config", args.topics)
        if args.database_url:
            url = args.database_url
        elif args.keep:
            name = f"credtrends-callback-latency-{args.topics}x{args.years}y.sqlite"
            url = f"sqlite:///{Path(tempfile.gettempdir()) / name}"
        else:
            url = f"sqlite:///{work / 'warehouse.sqlite'}"
        shown_url = sa.make_url(url).render_as_string(hide_password=True)
        started = time.perf_counter()
        counts = already_built(url, args.topics, args.years) if args.keep else None
        if counts is None:
            counts = build_warehouse(url, catalogue, args.years)
            print(f"warehouse built in {time.perf_counter() - started:.1f} s: {shown_url}")
        else:
            engine = create_warehouse_engine(url)
            upgrade_warehouse(engine)
            engine.dispose()
            print(f"warehouse reused (--keep): {shown_url}")
        ensure_derived(url)
        print(
            f"SYNTHETIC: {args.topics:,} topics x {len(catalogue.regions)} regions x "
            f"{args.years} years weekly; rows: "
            + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        )
        boards = sorted(path.stem for path in (REPO / "dashboards").glob("*.yaml"))
        results = {}
        # Cached: one warm-up fills the cache. Uncached: none; the cached pass has already
        # warmed the process and the database's pages, so each request is a real query.
        for cache_type, warmups, repeats in (
            ("simple", 1, args.repeats),
            ("null", 0, args.uncached_repeats),
        ):
            settings = Settings(
                config_dir=work / "config",
                data_dir=work / "data",
                dashboards_dir=REPO / "dashboards",
                database_url=url,
                cache_type=cache_type,
            )
            engine = create_warehouse_engine(url)
            began = time.perf_counter()
            results[cache_type] = measure(settings, engine, boards, warmups, repeats)
            engine.dispose()
            print(f"  cache {cache_type}: measured in {time.perf_counter() - began:.0f} s")
        print()
        print_table(results)
        print(
            f"(milliseconds through Flask's test client; {args.repeats} requests with the cache "
            f"after one warm-up, {args.uncached_repeats} without; ratio = uncached / cached p50)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
