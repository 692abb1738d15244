"""End to end at scale: 1,000 SYNTHETIC topics x 14 regions = 14,000 weekly series in the
warehouse (PostgreSQL), then one `run_forecast`: read, backtest, select, forecast, write.

Prints each stage's wall time, and the ratio of the whole run to reading the series alone
(a baseline measured in the same run). Uses a throwaway database; nothing is kept.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

from credtrends.catalogue import Catalogue, Topic, load_catalogue
from credtrends.demo.generate import generate_search_interest
from credtrends.forecasting import ForecastConfig
from credtrends.pipelines.forecast import interest_series, run_forecast
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.load import upsert_frame
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import search_interest

REPO = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get(
    "CREDTRENDS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TOPICS = int(os.environ.get("CREDTRENDS_BENCH_TOPICS", "1000"))
HORIZON = 52


def synthetic_catalogue() -> Catalogue:
    real = load_catalogue(REPO / "config" / "topics.yaml", REPO / "config" / "regions.yaml")
    topics = tuple(
        Topic(
            id=f"bench-{i:04d}",
            name_en=f"Synthetic topic {i}",
            name_fr=f"Sujet synthétique {i}",
            category="subject",
            search_terms=[f"synthetic term {i}"],
        )
        for i in range(TOPICS)
    )
    return Catalogue(topics=topics, regions=real.regions)


def main() -> None:
    name = f"credtrends_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_warehouse_engine(
        sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    )
    try:
        catalogue = synthetic_catalogue()
        started = time.perf_counter()
        end = date(2026, 11, 29)
        fetched = datetime.combine(end, clock(0), tzinfo=UTC)
        frame = generate_search_interest(catalogue, 7, end, fetched, "bench")
        generated = time.perf_counter()
        upgrade_warehouse(engine)
        with engine.begin() as connection:
            sync_catalogue(connection, catalogue)
            upsert_frame(connection, search_interest, frame)
        loaded = time.perf_counter()
        with engine.connect() as connection:
            series = interest_series(connection)
        read = time.perf_counter()
        report = run_forecast(engine, "bench", HORIZON, ForecastConfig(non_negative=True, n_jobs=2))
        done = time.perf_counter()
        n_series = series["series_id"].n_unique()
        print(f"SYNTHETIC warehouse benchmark: {n_series:,} weekly series, {frame.height:,} rows,")
        print(f"  horizon {HORIZON}, 4 backtest origins, 2 processes")
        print(f"  generate synthetic data   {generated - started:7.1f} s")
        print(f"  load into PostgreSQL      {loaded - generated:7.1f} s")
        print(f"  read the series (baseline){read - loaded:7.1f} s")
        ratio = (done - read) / (read - loaded)
        print(f"  run_forecast end to end   {done - read:7.1f} s  (x{ratio:.1f} the read alone)")
        print(f"  forecast rows written     {report.rows:,}")
        selected = report.summary.filter(report.summary["model"] == "selected").row(0, named=True)
        print(
            f"  backtest: selected MASE {selected['mase']:.3f}, coverage80 "
            f"{selected['coverage80']:.3f}, coverage95 {selected['coverage95']:.3f}"
        )
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
