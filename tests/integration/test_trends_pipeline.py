"""Google Trends into the warehouse on SQLite and PostgreSQL: CSV imports, calibration,
offline re-parsing, and a rate-limited fetch that resumes without losing or refetching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload, RateLimited
from credtrends.pipelines.trends import (
    fetch_trends,
    load_payload,
    merge_reports,
    recalibrate,
    reparse_landed,
    topic_queries,
)
from credtrends.sources.google_trends import (
    CONTENT_TYPE_WEB_CSV,
    RawPayload,
    TrendsRequest,
    import_web_csv,
)
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.schema import raw_payloads, search_interest, search_interest_batches
from tests.helpers import TRENDS_WEEKS, TRENDS_WINDOW, google_csv, number, polite, true_volumes

FETCHED = datetime(2025, 12, 1, tzinfo=UTC)


def import_files(engine: sa.Engine, catalogue: Catalogue, bodies: list[bytes]) -> int:
    payloads = [
        import_web_csv(body, source_name=f"file{i}.csv", fetched_at=FETCHED)
        for i, body in enumerate(bodies)
    ]
    with engine.begin() as connection:
        merge_reports(load_payload(connection, p, catalogue, "run-1") for p in payloads)
        return recalibrate(connection, {p.request.geo for p in payloads}, "run-1")


def counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: count_rows(connection, t)
            for t in (raw_payloads, search_interest_batches, search_interest)
        }


def calibrated(engine: sa.Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                search_interest.c.topic_id, search_interest.c.period_start,
                search_interest.c.calibrated_value, search_interest.c.calibrated_low,
                search_interest.c.calibrated_high, search_interest.c.raw_value,
                search_interest.c.source, search_interest.c.is_synthetic,
            ).order_by(search_interest.c.topic_id, search_interest.c.period_start)
        ).all()  # fmt: skip
    names = ["topic_id", "period_start", "value", "low", "high", "raw", "source", "is_synthetic"]
    return pl.DataFrame([tuple(r) for r in rows], orient="row", schema=names)


def test_csv_batches_are_calibrated_onto_one_scale(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    volumes = true_volumes(test_catalogue)
    q = topic_queries(test_catalogue)
    # pmp dwarfs smart serve; they only meet through data science.
    files = [
        google_csv(volumes, [q["pmp"], q["data-science"]]),
        google_csv(volumes, [q["data-science"], q["smart-serve"]]),
    ]
    assert import_files(engine, test_catalogue, files) == 3 * len(TRENDS_WEEKS)
    frame = calibrated(engine)
    assert set(frame["source"]) == {"google-trends"} and not frame["is_synthetic"].any()
    scale = 100 / volumes[q["pmp"]].max()
    for topic in ("pmp", "data-science", "smart-serve"):
        series = frame.filter(pl.col("topic_id") == topic)
        truth = volumes[q[topic]] * scale
        assert np.all(series["low"].to_numpy() <= truth + 1e-6), topic
        assert np.all(truth <= series["high"].to_numpy() + 1e-6), topic
        assert np.median(np.abs(series["value"].to_numpy() / truth - 1)) < 0.05, topic
    # Naively, smart serve next to pmp would read 0-1; calibrated it keeps its shape.
    assert number(frame.filter(pl.col("topic_id") == "smart-serve")["value"].min()) > 0.5


def test_importing_the_same_files_twice_changes_nothing(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    volumes = true_volumes(test_catalogue)
    q = topic_queries(test_catalogue)
    files = [google_csv(volumes, [q["pmp"], q["data-science"]])]
    import_files(engine, test_catalogue, files)
    first, first_values = counts(engine), calibrated(engine)
    import_files(engine, test_catalogue, files)
    assert counts(engine) == first
    assert calibrated(engine)["value"].equals(first_values["value"])


def test_a_broken_file_is_rejected_before_anything_is_written(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    volumes = true_volumes(test_catalogue)
    q = topic_queries(test_catalogue)
    good = google_csv(volumes, [q["pmp"], q["data-science"]])
    lines = good.decode().splitlines()
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",300"  # a value above 100 cannot come from Google
    broken = ("\n".join(lines) + "\n").encode()
    with pytest.raises(InvalidPayload):
        import_files(engine, test_catalogue, [good, broken])
    assert counts(engine) == {"raw_payloads": 0, "search_interest_batches": 0, "search_interest": 0}


def test_offline_reparse_rebuilds_the_same_series(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    volumes = true_volumes(test_catalogue)
    q = topic_queries(test_catalogue)
    import_files(engine, test_catalogue, [google_csv(volumes, [q["pmp"], q["data-science"]])])
    before = calibrated(engine)
    with engine.begin() as connection:
        connection.execute(sa.delete(search_interest))
        connection.execute(sa.delete(search_interest_batches))
    report = reparse_landed(engine, test_catalogue, "run-2")
    assert report.payloads == 1
    assert calibrated(engine)["value"].equals(before["value"])


@dataclass
class FlakyGoogle:
    """A backend answering like the web export, then 429 after ``ok_requests`` answers."""

    volumes: dict[str, np.ndarray]
    ok_requests: int
    calls: int = 0
    name: str = "fake-google"

    def fetch(self, request: TrendsRequest) -> RawPayload:
        self.calls += 1
        if self.calls > self.ok_requests:
            raise RateLimited("HTTP 429 Too Many Requests")
        geo_name = {"CA": "Canada", "CA-ON": "Ontario", "CA-QC": "Quebec", "CA-NU": "Nunavut"}[
            request.geo
        ]
        body = google_csv(self.volumes, list(request.terms), geo_name)
        return RawPayload(
            request=request, body=body, content_type=CONTENT_TYPE_WEB_CSV, backend=self.name
        )


def test_a_rate_limited_fetch_keeps_what_it_landed_and_the_next_run_resumes(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    volumes = true_volumes(test_catalogue)
    regions = ["CA", "CA-ON"]
    storm = FlakyGoogle(volumes, ok_requests=1)
    with pytest.raises(RateLimited, match="left for the next run"):
        fetch_trends(
            engine, test_catalogue, regions, TRENDS_WINDOW, "run-a", polite(storm), 24.0, print
        )
    landed = counts(engine)["raw_payloads"]
    assert landed == 1 and counts(engine)["search_interest"] == 0
    calm = FlakyGoogle(volumes, ok_requests=100)
    report = fetch_trends(
        engine, test_catalogue, regions, TRENDS_WINDOW, "run-b", polite(calm), 24.0, print
    )
    assert calm.calls == report.payloads  # only what was missing was fetched
    assert [plan["region"] for plan in report.plans] == regions  # recorded, reproducible
    assert all(plan["batches"] and plan["pivot"] and plan["requests"] for plan in report.plans)
    assert counts(engine)["raw_payloads"] == landed + calm.calls
    frame = calibrated(engine)
    assert set(frame["topic_id"]) == {"pmp", "data-science", "smart-serve"}
