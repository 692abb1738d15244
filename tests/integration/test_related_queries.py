"""Google Trends related queries in the warehouse, on SQLite and PostgreSQL.

Payloads are in Google's real formats: the web page's relatedQueries.csv export (the
recorded fixture) and the widget JSON the pytrends backend lands (tests/related_payloads.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_caching import Cache

from credtrends.catalogue import Catalogue
from credtrends.config import Settings
from credtrends.demo.load import load_demo
from credtrends.errors import InvalidPayload
from credtrends.pipelines.trends import (
    LoadReport,
    fetch_trends,
    load_payload,
    reparse_landed,
    topic_queries,
)
from credtrends.sources.google_trends import (
    CONTENT_TYPE_WEB_CSV,
    Operation,
    RawPayload,
    TrendsRequest,
    import_web_csv,
)
from credtrends.warehouse import queries
from credtrends.warehouse.load import count_rows, upsert_frame
from credtrends.warehouse.schema import raw_payloads, related_queries
from credtrends.web.data import DashboardData, cache_config
from tests.helpers import FIXTURES, TRENDS_WINDOW, google_csv, polite, run_cli, true_volumes
from tests.related_payloads import Entry, related_bundle, related_csv

FETCHED = datetime(2025, 8, 20, 15, tzinfo=UTC)
CSV_WINDOW = "2025-06-01 2025-08-23"
HOSTILE = [
    "'); DROP TABLE related_queries; --",
    '=HYPERLINK("http://evil.example","pmp")',
    "<script>alert('pmp')</script>",
    "pmp %s %(topic)s ? :topic $1",
    'pmp "quoted", comma; semicolon',
    "pmp\nexam\r\nontario\ttab",
    "\u202epmp\u200b exam \x01",
    "pmp 🎓 café crème",
    "\\x00 not a nul \\",
    " pmp  padded ",
]
COLUMNS = [c.name for c in related_queries.columns]


def fixture_csv_for(query: str) -> bytes:
    """The recorded relatedQueries_ca.csv export, as if the topic's query had been asked."""
    text = (FIXTURES / "google_trends" / "relatedQueries_ca.csv").read_text()
    return text.replace('"welding certificate:', f'"{query}:').encode()


def load(engine: sa.Engine, catalogue: Catalogue, *payloads: RawPayload) -> list[LoadReport]:
    with engine.begin() as connection:
        return [load_payload(connection, p, catalogue, "run-1") for p in payloads]


def stored(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(related_queries).order_by(*related_queries.primary_key.columns)
        ).all()
    return [queries.naive_utc_row(row) for row in rows]


def test_a_csv_export_loads_once_however_often_it_is_imported(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    body = fixture_csv_for(topic_queries(test_catalogue)["pmp"])
    payload = import_web_csv(body, source_name="relatedQueries.csv", fetched_at=FETCHED)
    [report] = load(engine, test_catalogue, payload)
    assert report.related_rows == 8 and report.rows_written == 9 and not report.not_loaded
    first = stored(engine)
    frame = queries.related_queries(engine, "pmp", "CA")
    assert frame.schema == queries.RELATED_QUERIES_SCHEMA
    assert frame.select("kind", "rank", "query", "value", "is_breakout").rows() == [
        ("rising", 1, "welding certificate near me", None, True),
        ("rising", 2, "welding ticket alberta", 3000, False),
        ("rising", 3, "cwb welding certificate cost", 250, False),
        ("top", 1, "welding certificate online", 100, False),
        ("top", 2, "welding certificate ontario", 64, False),
        ("top", 3, "red seal welding", 41, False),
        ("top", 4, "welding course", 38, False),
        ("top", 5, "cwb welding certificate", 22, False),
    ]
    assert set(frame["timeframe"]) == {CSV_WINDOW}
    assert set(frame["source"]) == {"google-trends"} and not frame["is_synthetic"].any()
    assert set(frame["fetched_at"]) == {FETCHED.replace(tzinfo=None)}
    for _ in range(2):  # again, and again in one transaction with itself
        load(engine, test_catalogue, payload, payload)
        assert stored(engine) == first
    with engine.connect() as connection:
        assert count_rows(connection, raw_payloads) == 1


def test_hostile_query_text_round_trips_verbatim(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    query = topic_queries(test_catalogue)["data-science"]
    top: list[Entry] = [(text, 100 - n, str(100 - n)) for n, text in enumerate(HOSTILE)]
    rising: list[Entry] = [(text, 5250, "Breakout") for text in reversed(HOSTILE)]
    from_api = related_bundle(
        query, top, rising, geo="CA-ON", timeframe=TRENDS_WINDOW, fetched_at=FETCHED
    )
    csv_top = [(text.strip(), value, shown) for text, value, shown in top]  # exports trim cells
    from_csv = import_web_csv(
        related_csv(query, csv_top, [], geo_name="Quebec"), fetched_at=FETCHED
    )
    load(engine, test_catalogue, from_api, from_csv)
    ontario = queries.related_queries(engine, "data-science", "CA-ON")
    assert ontario.filter(pl.col("kind") == "top")["query"].to_list() == HOSTILE
    assert ontario.filter(pl.col("kind") == "rising")["query"].to_list() == HOSTILE[::-1]
    quebec = queries.related_queries(engine, "data-science", "CA-QC")
    assert quebec["query"].to_list() == [text.strip() for text in HOSTILE]
    with engine.connect() as connection:  # the tables are all still there
        assert count_rows(connection, related_queries) == 3 * len(HOSTILE)
        found = connection.execute(
            sa.select(related_queries.c.rank).where(related_queries.c.query == HOSTILE[0])
        ).all()
    assert len(found) == 3  # Ontario's top and rising lists, Quebec's top list


def test_a_newer_answer_replaces_the_list_and_an_older_one_never_does(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    query = topic_queries(test_catalogue)["pmp"]

    def answer(top: list[Entry], fetched_at: datetime) -> RawPayload:
        return related_bundle(
            query, top, [], geo="CA", timeframe=TRENDS_WINDOW, fetched_at=fetched_at
        )

    old = answer([("pmp exam", 100, "100"), ("pmp cost", 40, "40")], FETCHED)
    new = answer([("pmp cost", 100, "100")], FETCHED + timedelta(days=7))
    load(engine, test_catalogue, old, new)
    expected = [("pmp cost", 1, 100)]
    frame = queries.related_queries(engine, "pmp", "CA")
    assert frame.select("query", "rank", "value").rows() == expected  # "pmp exam" dropped out
    [report] = load(engine, test_catalogue, old)  # re-importing the old file
    assert "a newer answer for pmp in this window is kept" in report.not_loaded[0]
    assert queries.related_queries(engine, "pmp", "CA").select("query", "rank", "value").rows() == (
        expected
    )
    empty = answer([], FETCHED + timedelta(days=14))
    [report] = load(engine, test_catalogue, empty)
    assert report.related_rows == 0
    assert queries.related_queries(engine, "pmp", "CA").is_empty()  # Google has none now


def test_offline_reparse_rebuilds_the_same_rows(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    query = topic_queries(test_catalogue)["pmp"]
    load(
        engine,
        test_catalogue,
        import_web_csv(fixture_csv_for(query), fetched_at=FETCHED),
        related_bundle(
            query,
            [(HOSTILE[0], 100, "100")],
            [],
            geo="CA-ON",
            timeframe=TRENDS_WINDOW,
            fetched_at=FETCHED,
        ),
    )
    before = stored(engine)
    with engine.begin() as connection:
        connection.execute(sa.delete(related_queries))
    report = reparse_landed(engine, test_catalogue, "run-1")
    assert report.payloads == 2 and report.related_rows == 9
    assert stored(engine) == before


def test_a_payload_that_cannot_be_stored_verbatim_writes_nothing(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    query = topic_queries(test_catalogue)["pmp"]
    good = import_web_csv(fixture_csv_for(query), fetched_at=FETCHED)
    bad = related_bundle(
        query,
        [("pmp\x00exam", 100, "100")],
        [],
        geo="CA",
        timeframe=TRENDS_WINDOW,
        fetched_at=FETCHED,
    )
    with pytest.raises(InvalidPayload, match="NUL"):
        load(engine, test_catalogue, good, bad)
    with engine.connect() as connection:
        assert count_rows(connection, related_queries) == 0
        assert count_rows(connection, raw_payloads) == 0


def test_real_lists_come_before_the_demo_and_the_newest_window_first(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    demo = queries.related_queries(engine, "pmp", "CA-ON")
    assert demo.height > 0 and demo["is_synthetic"].all()
    assert set(demo["source"]) == {"synthetic-demo"}
    assert demo.select("kind", "rank").rows() == sorted(demo.select("kind", "rank").rows())
    query = topic_queries(test_catalogue)["pmp"]
    for timeframe, fetched_at, text in (
        ("today 5-y", FETCHED + timedelta(days=1), "newest window"),
        (TRENDS_WINDOW, FETCHED, "older window"),
    ):
        load(
            engine,
            test_catalogue,
            related_bundle(
                query,
                [(text, 100, "100")],
                [],
                geo="CA-ON",
                timeframe=timeframe,
                fetched_at=fetched_at,
            ),
        )
    real = queries.related_queries(engine, "pmp", "CA-ON")
    assert real["query"].to_list() == ["newest window"] and not real["is_synthetic"].any()
    assert real["timeframe"].to_list() == ["today 5-y"]
    assert queries.related_queries(engine, "pmp", "CA-NU").height > 0  # demo elsewhere
    assert queries.related_queries(engine, "smart-serve", "CA-QC").is_empty()  # Ontario only


def test_running_the_demo_twice_leaves_the_same_related_rows(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    first = stored(engine)
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    assert stored(engine) == first
    load_demo(engine, test_catalogue, seed=4, end=date(2025, 9, 1))  # same rows, new values
    assert [row[:5] for row in stored(engine)] == [row[:5] for row in first]


def test_the_dashboard_reads_related_queries_through_its_cache(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    settings = Settings(cache_type="simple")
    cache = Cache(Flask(__name__), config=cache_config(settings, str(engine.url)))
    data = DashboardData(engine, cache)
    assert data.related_queries("pmp", "CA").is_empty()
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    cached = data.related_queries("pmp", "CA")
    assert cached.is_empty()  # the empty answer was cached under its own key
    ontario = data.related_queries("pmp", "CA-ON")
    assert ontario.height > 0
    with engine.begin() as connection:
        connection.execute(sa.delete(related_queries))
    assert data.related_queries("pmp", "CA-ON").equals(ontario)  # served from the cache


def test_the_bulk_path_keeps_hostile_text_verbatim(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    """Above the COPY threshold PostgreSQL loads through CSV; the text must survive it."""
    count = 2_100
    texts = [f"{HOSTILE[n % len(HOSTILE)]}#{n}" for n in range(count)] + ["", '""', "\\N"]
    frame = pl.DataFrame(
        {
            "topic_id": "pmp",
            "region_code": "CA",
            "timeframe": TRENDS_WINDOW,
            "kind": "top",
            "query": texts,
            "rank": pl.Series(range(1, len(texts) + 1), dtype=pl.Int16),
            "value": pl.Series([None, *range(len(texts) - 1)], dtype=pl.Int64),
            "is_breakout": False,
            "backend": "test",
            "request_key": None,
            "source": "google-trends",
            "fetched_at": FETCHED,
            "run_id": "run-1",
            "is_synthetic": False,
        }
    )
    with engine.begin() as connection:
        assert upsert_frame(connection, related_queries, frame) == len(texts)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(related_queries.c.query, related_queries.c.value).order_by(
                related_queries.c.rank
            )
        ).all()
    assert [row.query for row in rows] == texts
    assert rows[0].value is None and rows[1].value == 0


@dataclass
class GoogleWithRelated:
    """Interest batches as web exports, related queries as pytrends widget JSON."""

    catalogue: Catalogue
    related_calls: int = 0
    name: str = "fake-google"

    def fetch(self, request: TrendsRequest) -> RawPayload:
        if request.operation is Operation.RELATED_QUERIES:
            self.related_calls += 1
            [term] = request.terms
            return related_bundle(
                term,
                [(f"{term} near me", 100, "100")],
                [(f"{term} {request.geo.lower()}", 120, "+120%")],
                geo=request.geo,
                timeframe=request.timeframe,
                fetched_at=datetime.now(UTC),  # landed just now: the next run reuses it
            )
        body = google_csv(true_volumes(self.catalogue), list(request.terms), "Ontario")
        return RawPayload(
            request=request, body=body, content_type=CONTENT_TYPE_WEB_CSV, backend=self.name
        )


def test_a_fetch_asks_each_topic_for_its_related_queries_when_told(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    google = GoogleWithRelated(test_catalogue)
    report = fetch_trends(
        engine, test_catalogue, ["CA-ON"], TRENDS_WINDOW, "run-1", polite(google), 24.0, print,
        related=True,
    )  # fmt: skip
    assert google.related_calls == 3  # one request per topic (Smart Serve is Ontario's)
    assert report.related_rows == 2 * 3  # top + rising for each
    assert report.calibrated_rows > 0
    queries_by_topic = topic_queries(test_catalogue)
    for topic_id, query in queries_by_topic.items():
        frame = queries.related_queries(engine, topic_id, "CA-ON")
        assert frame["query"].to_list() == [f"{query} ca-on", f"{query} near me"]
    again = GoogleWithRelated(test_catalogue)
    fetch_trends(
        engine, test_catalogue, ["CA-ON"], TRENDS_WINDOW, "run-2", polite(again), 24.0, print,
        related=True,
    )  # fmt: skip
    # Landed within --reuse-hours: not asked again. (Interest batches may be re-planned
    # around the new calibration's volume hints, so only related requests are counted.)
    assert again.related_calls == 0


def test_import_trends_csv_loads_a_related_queries_export(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    export = tmp_path / "relatedQueries.csv"
    export.write_bytes(fixture_csv_for("pmp certification + pmp"))
    assert run_cli("init", env=cli_env).returncode == 0
    for _ in range(2):
        result = run_cli("import", "trends-csv", str(export), env=cli_env)
        assert result.returncode == 0, result.stderr
        assert "8 related queries loaded" in result.stdout
        status = run_cli("status", env=cli_env).stdout
        counts = status.split("rows per table:")[1].split("sources:")[0]
        assert [line.split() for line in counts.splitlines() if "related_queries" in line] == [
            ["related_queries", "8"]
        ]
    assert "related_queries" in status.split("sources:")[1]
