"""StatCan WDS parsing on full-table payloads in the real layout, including broken files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload
from credtrends.sources.statcan import (
    JVWS_UNIT_GROUP,
    OBSERVATION_SCHEMA,
    ParseReport,
    SourcePayload,
    StatcanTable,
    parse_download_link,
    parse_full_table_zip,
    parse_table_csv,
    parse_vector_data,
    region_lookup,
    vector_index,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "statcan"
CSV = (FIXTURES / "14100444.csv").read_bytes()
META = (FIXTURES / "14100444_MetaData.csv").read_bytes()


@pytest.fixture(scope="module")
def regions(real_catalogue: Catalogue) -> dict[str, str]:
    return region_lookup(real_catalogue.regions)


@pytest.fixture(scope="module")
def real_catalogue() -> Catalogue:
    from credtrends.catalogue import load_catalogue

    repo = Path(__file__).parents[3]
    return load_catalogue(repo / "config" / "topics.yaml", repo / "config" / "regions.yaml")


def _zip(csv: bytes = CSV, meta: bytes | None = META, name: str = "14100444.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, csv)
        if meta is not None:
            archive.writestr("14100444_MetaData.csv", meta)
    return buffer.getvalue()


def _payload(body: bytes, name: str = "14100444-eng.zip") -> SourcePayload:
    return SourcePayload.from_file(
        name, body, backend="statcan-wds", content_type="application/zip"
    )


def _parse(csv: bytes, regions: dict[str, str]) -> tuple[pl.DataFrame, ParseReport]:
    return parse_table_csv(csv, JVWS_UNIT_GROUP, regions, what="test.csv")


def test_full_table_zip_parses_to_the_warehouse_shape(regions: dict[str, str]) -> None:
    frame, report = parse_full_table_zip(_payload(_zip()), JVWS_UNIT_GROUP, regions)
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    row = frame.filter(
        (pl.col("region_code") == "CA")
        & (pl.col("measure") == "job_vacancies")
        & (pl.col("period_start") == date(2024, 1, 1))
    ).row(0, named=True)
    assert row == {
        "noc_code": "21211",
        "region_code": "CA",
        "measure": "job_vacancies",
        "granularity": "quarter",
        "period_start": date(2024, 1, 1),
        "value": 1235.0,
        "status": "C",
        "uom": "Number",
    }
    assert report.rows_read == 15 and report.rows_kept == frame.height == 11
    assert report.skipped["noc_total"] == 1
    assert report.skipped["noc_level_1_digit"] == 1 and report.skipped["noc_level_2_digit"] == 1
    assert report.skipped["region_not_in_catalogue"] == 1  # economic region Toronto


def test_suppressed_and_unreliable_values_are_null_never_zero(regions: dict[str, str]) -> None:
    frame, _ = _parse(CSV, regions)
    ontario = frame.filter(pl.col("region_code") == "CA-ON").sort("period_start", "measure")
    statuses = dict(zip(ontario["status"], ontario["value"], strict=True))
    assert statuses == {"D": 560.0, "F": None, "x": None, "..": None}
    assert (frame["value"] == 0).sum() == 0


def test_scalar_factor_multiplies_and_thousands_separators_parse(regions: dict[str, str]) -> None:
    text = CSV.decode("utf-8-sig").replace(
        '"Quebec","2021A000224","Software developers and programmers [21232]","Job vacancies",'
        '"Number","223","units","0","v1234567210","6.31.1","2105"',
        '"Quebec","2021A000224","Software developers and programmers [21232]","Job vacancies",'
        '"Number","223","thousands","3","v1234567210","6.31.1","1,234.5"',
    )
    frame, _ = _parse(text.encode(), regions)
    value = frame.filter((pl.col("noc_code") == "21232") & (pl.col("measure") == "job_vacancies"))
    assert value["value"].to_list() == [1_234_500.0]


def test_dguid_of_another_vintage_still_maps(regions: dict[str, str]) -> None:
    frame, _ = _parse(CSV.replace(b"2021A000235", b"2016A000235"), regions)
    assert "CA-ON" in frame["region_code"].to_list()


def test_latin1_french_headers_are_read(regions: dict[str, str]) -> None:
    text = CSV.decode("utf-8-sig").replace('"REF_DATE","GEO"', '"PÉRIODE DE RÉFÉRENCE","GÉO"')
    text = text.replace('"VALUE","STATUS"', '"VALEUR","STATUT"')
    frame, report = _parse(text.encode("latin-1"), regions)
    assert frame.height == 11
    assert any("Latin-1" in note for note in report.notes)


def test_duplicated_rows_are_reported_not_loaded_twice(regions: dict[str, str]) -> None:
    lines = CSV.decode("utf-8-sig").splitlines(keepends=True)
    frame, report = _parse(("".join(lines) + lines[4]).encode(), regions)
    assert frame.height == 11
    assert report.skipped["duplicate_row"] == 1


def test_conflicting_duplicates_are_rejected(regions: dict[str, str]) -> None:
    lines = CSV.decode("utf-8-sig").splitlines(keepends=True)
    conflicting = lines[4].replace('"1235"', '"999"')
    with pytest.raises(InvalidPayload, match="share a key"):
        _parse(("".join(lines) + conflicting).encode(), regions)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "empty"),
        (CSV.decode("utf-8-sig").replace(",", ";").encode(), "wrong delimiter"),
        (CSV.replace(b'"SCALAR_FACTOR",', b'"FACTOR",'), "missing columns"),
        (CSV.replace(b'"1235"', b'"lots"'), "neither a number"),
        (CSV.replace(b'"2024-04","Canada"', b'"2024-05","Canada"'), "does not start a quarter"),
        (CSV.replace(b'"units","0","v1234567010"', b'"dozens","0","v1234567010"'), "SCALAR"),
        (CSV.split(b"\r\n")[0] + b"\r\n", "no rows"),
        (CSV + b'"2024-01","Canada","2021A000011124","Data scientists [21211]"\r\n', "lack"),
    ],
    ids=[
        "empty",
        "bom-only",
        "semicolons",
        "missing-column",
        "garbage-value",
        "bad-quarter",
        "bad-scalar",
        "header-only",
        "short-line",
    ],
)
def test_broken_files_are_rejected_whole(
    body: bytes, message: str, regions: dict[str, str]
) -> None:
    with pytest.raises(InvalidPayload, match=message):
        _parse(body, regions)


def test_zip_problems_are_clear(regions: dict[str, str]) -> None:
    with pytest.raises(InvalidPayload, match="not a zip"):
        parse_full_table_zip(_payload(b"<html>error</html>"), JVWS_UNIT_GROUP, regions)
    with pytest.raises(InvalidPayload, match=r"no 14100444\.csv"):
        parse_full_table_zip(_payload(_zip(name="other.csv")), JVWS_UNIT_GROUP, regions)
    monthly = META.replace(b'"Quarterly"', b'"Monthly"')
    with pytest.raises(InvalidPayload, match="Monthly"):
        parse_full_table_zip(_payload(_zip(meta=monthly)), JVWS_UNIT_GROUP, regions)


def test_unfixed_extra_dimension_is_named(regions: dict[str, str]) -> None:
    table = StatcanTable(
        pid="14100443",
        title="t",
        granularity="quarter",
        measures={"Job vacancies": "job_vacancies"},
    )
    text = CSV.decode("utf-8-sig").replace(
        '"Statistics",', '"Statistics","Job vacancy characteristics",'
    )
    lines = text.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        head, tail = line.split('","Number"', 1) if '","Number"' in line else (line, None)
        if tail is None:
            out.append(line.replace('","Dollars"', '","Full-time","Dollars"'))
            continue
        out.append(head + '","Full-time","Number"' + tail)
        out.append(head + '","Part-time","Number"' + tail.replace('"1235"', '"7"'))
    with pytest.raises(InvalidPayload, match="Job vacancy characteristics"):
        parse_table_csv("\n".join(out).encode(), table, regions)


def test_download_link_and_vectors(regions: dict[str, str]) -> None:
    link = SourcePayload.from_file(
        "link.json",
        (FIXTURES / "download_link.json").read_bytes(),
        backend="statcan-wds",
        content_type="application/json",
    )
    assert parse_download_link(link).endswith("/14100444-eng.zip")
    index = vector_index(CSV, JVWS_UNIT_GROUP, regions)
    assert index[1234567010].noc_code == "21211" and index[1234567110].region_code == "CA-ON"
    vectors = SourcePayload.from_file(
        "vectors.json",
        (FIXTURES / "vectors_latest_n.json").read_bytes(),
        backend="statcan-wds",
        content_type="application/json",
    )
    frame, report = parse_vector_data(vectors, index)
    assert frame.sort("region_code", "period_start").select(
        "region_code", "value", "status"
    ).rows() == [
        ("CA", 1090.0, "E"),
        ("CA", 1150.0, "C"),
        ("CA-ON", None, "F"),
    ]
    assert report.skipped["vector_not_success"] == 1


def test_a_file_of_only_totals_fails_naming_the_file_and_why(regions: dict[str, str]) -> None:
    """Totals and broad groups are not loaded; a file holding nothing else is an error (it
    used to end as "0 rows loaded" with exit code 0)."""
    lines = CSV.decode("utf-8-sig").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if "Total, all occupations" in line]
    assert len(kept) > 1
    body = "\n".join(kept).encode()
    with pytest.raises(InvalidPayload) as error:
        parse_table_csv(body, JVWS_UNIT_GROUP, regions, what="totals.csv")
    message = str(error.value)
    assert message.startswith("totals.csv: none of its")
    assert "are totals ('Total, all occupations'), not occupations" in message
    assert "nothing was loaded" in message
