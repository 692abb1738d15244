"""Job Bank monthly postings: the published UTF-16/TAB layout and its variants."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.errors import InvalidPayload
from credtrends.sources.jobbank import (
    month_from_name,
    parse_postings,
    parse_resources,
    province_lookup,
)
from credtrends.sources.statcan import OBSERVATION_SCHEMA, SourcePayload

REPO = Path(__file__).parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "jobbank"
NAME = "job-bank-open-data-all-job-postings-en-may2024.csv"
RAW = (FIXTURES / NAME).read_bytes()
TEXT = RAW.decode("utf-16")


@pytest.fixture(scope="module")
def provinces() -> dict[str, str]:
    catalogue: Catalogue = load_catalogue(
        REPO / "config" / "topics.yaml", REPO / "config" / "regions.yaml"
    )
    return province_lookup(catalogue.regions)


def _as_comma_csv(text: str) -> str:
    """Re-save the TAB file as a quoted comma CSV (how a spreadsheet export would)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in text.splitlines():
        writer.writerow(line.split("\t"))
    return buffer.getvalue()


def _payload(body: bytes, name: str = NAME) -> SourcePayload:
    return SourcePayload.from_file(name, body, backend="jobbank-open-data", content_type="text/csv")


def _value(frame: pl.DataFrame, noc: str, region: str, measure: str, month: date) -> float | None:
    rows = frame.filter(
        (pl.col("noc_code") == noc)
        & (pl.col("region_code") == region)
        & (pl.col("measure") == measure)
        & (pl.col("period_start") == month)
    )
    assert rows.height == 1
    value: float | None = rows["value"][0]
    return value


def test_utf16_tab_file_counts_postings_and_vacancies(provinces: dict[str, str]) -> None:
    frame, report = parse_postings(_payload(RAW), provinces)
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    may = date(2024, 5, 1)
    assert _value(frame, "21211", "CA-ON", "job_postings", may) == 2
    assert _value(frame, "21211", "CA-ON", "job_posting_vacancies", may) == 3
    assert _value(frame, "21232", "CA-QC", "job_postings", may) == 1  # "Québec" with accent
    assert _value(frame, "33102", "CA-AB", "job_postings", date(2024, 4, 1)) == 1
    assert _value(frame, "21211", "CA", "job_postings", may) == 2  # national roll-up
    payroll = frame.filter(
        (pl.col("noc_code") == "13102") & (pl.col("measure") == "job_posting_vacancies")
    )
    assert payroll["status"].to_list() == ["partial", "partial"]  # "NA" vacancy count
    assert set(frame["granularity"]) == {"month"}
    assert report.skipped == {"duplicate_posting_id": 1, "noc_missing": 1, "province_missing": 1}
    assert report.rows_read == 8 and report.rows_kept == 5


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: ("\ufeff" + t).encode("utf-8"),
        lambda t: _as_comma_csv(t).encode("utf-8"),
        lambda t: t.encode("cp1252"),
        lambda t: t.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf8-comma", "latin1", "utf16le-no-bom"],
)
def test_encoding_and_delimiter_variants(
    encode: Callable[[str], bytes], provinces: dict[str, str]
) -> None:
    frame, _ = parse_postings(_payload(encode(TEXT)), provinces)
    assert frame.filter(pl.col("measure") == "job_postings")["value"].sum() == 10


def test_french_and_bilingual_headers(provinces: dict[str, str]) -> None:
    text = (
        TEXT.replace("NOC21 Code\t", "Code CNP21\t")
        .replace("Province/Territory", "Province/Territory / Province/Territoire")
        .replace("First Posting Date", "First Posting Date / Date de la première publication")
    )
    frame, _ = parse_postings(_payload(text.encode("utf-16")), provinces)
    assert frame.height > 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        ("\ufeff".encode("utf-16"), "empty"),
        (TEXT.replace("\t", ";").encode("utf-16"), "wrong delimiter"),
        (TEXT.replace("NOC21 Code\t", "Something\t").encode("utf-16"), "missing columns"),
        (TEXT.split("\r\n")[0].encode("utf-16"), "no rows"),
        ((TEXT + "41000099\tonly three\tfields\r\n").encode("utf-16"), "fields"),
    ],
    ids=["empty", "bom-only", "semicolons", "missing-noc", "header-only", "ragged"],
)
def test_broken_files_are_rejected(body: bytes, message: str, provinces: dict[str, str]) -> None:
    with pytest.raises(InvalidPayload, match=message):
        parse_postings(_payload(body), provinces)


def test_ckan_resources_and_month_names() -> None:
    payload = SourcePayload.from_file(
        "package_show.json",
        (FIXTURES / "package_show.json").read_bytes(),
        backend="jobbank-open-data",
        content_type="application/json",
    )
    english = parse_resources(payload, "en")
    assert [r.month for r in english] == [date(2024, 5, 1), date(2024, 4, 1)]
    french = parse_resources(payload, "fr")
    assert [r.month for r in french] == [date(2024, 5, 1)]
    assert month_from_name("job-bank-open-data-all-job-postings-fr-juillet2026.csv") == date(
        2026, 7, 1
    )
    assert month_from_name("job-bank-open-data-all-job-postings-en-feb2026.csv") == date(2026, 2, 1)
    bad = SourcePayload.from_file("x.json", b'{"success": false}', backend="b", content_type="a")
    with pytest.raises(InvalidPayload, match="success"):
        parse_resources(bad)
