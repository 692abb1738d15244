"""One ``land()`` for every source's payload, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from credtrends.pipelines.landing import land
from credtrends.pipelines.trends import SOURCE, landed_payloads
from credtrends.sources.google_trends import RawPayload, make_request
from credtrends.sources.payload import SourcePayload
from credtrends.warehouse.schema import raw_payloads


def test_trends_and_file_payloads_land_in_one_table_once_each(engine: sa.Engine) -> None:
    request = make_request(operation="interest_over_time", terms=["welding"], geo="CA-ON")
    fetched = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    trends = RawPayload(request, b'{"x": 1}', "application/json", "fake", fetched, "m.csv")
    upload = SourcePayload.from_file("jobs.csv", b"a,b\n", backend="jobbank-file",
                                     content_type="text/csv")  # fmt: skip
    for _ in range(2):
        with engine.begin() as connection:
            land(connection, trends, SOURCE, "run-1")
            land(connection, upload, "jobbank", "run-1")
    with engine.connect() as connection:
        rows = {
            row.request_key: row
            for row in connection.execute(sa.select(raw_payloads)).all()
        }  # fmt: skip
        (again,) = landed_payloads(connection)
    assert set(rows) == {trends.request_key, upload.request_key}
    assert rows[upload.request_key].source == "jobbank"
    assert rows[upload.request_key].request == upload.record()
    assert bytes(rows[trends.request_key].payload) == b'{"x": 1}'
    assert again == trends  # a landed Trends payload is rebuilt exactly for re-parsing
