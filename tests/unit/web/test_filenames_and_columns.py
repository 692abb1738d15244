"""Download names say what they hold; columns are documented; French CSVs speak French."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from credtrends.web.columns import COLUMNS, column_descriptions, french_frame
from credtrends.web.filenames import download_stem, slugify
from credtrends.web.pdf_metadata import pdf_date, with_pdf_metadata

REGIONS = {"CA-BC": "British Columbia", "CA-QC": "Quebec", "CA": "Canada"}
DAY = date(2026, 12, 2)


def test_the_name_carries_page_topics_region_and_date() -> None:
    state = {"topic": "cybersecurity", "region": "CA-BC", "compare": "topics", "lang": ""}
    stem = download_stem("interest", state, REGIONS, day=DAY)
    assert stem == "credtrends-interest-cybersecurity-british-columbia-2026-12-02"
    french = download_stem("interest", {**state, "lang": "fr"}, REGIONS, kind="report", day=DAY)
    assert french == "credtrends-interest-report-cybersecurity-british-columbia-fr-2026-12-02"


def test_compared_regions_and_many_topics_are_named_briefly() -> None:
    state = {"topic": "a,b", "compare": "regions", "regions": "CA-BC,CA-QC,CA,CA-ON,CA-NU"}
    assert (
        download_stem("interest", state, REGIONS, day=DAY)
        == "credtrends-interest-a-british-columbia-quebec-canada-and-2-more-2026-12-02"
    )
    many = download_stem("overview", {"topic": "a,b,c,d,e", "region": "CA"}, REGIONS, day=DAY)
    assert many == "credtrends-overview-a-b-c-and-2-more-canada-2026-12-02"


@given(st.text(max_size=300), st.text(max_size=300))
def test_names_are_safe_whatever_the_state(topic: str, region: str) -> None:
    stem = download_stem("interest", {"topic": topic, "region": region}, {region: region}, day=DAY)
    assert re.fullmatch(r"[a-z0-9-]+", stem) and len(stem) <= 161
    assert "--" not in stem


def test_slugify_folds_accents() -> None:
    assert slugify("Québec (province) — Île") == "quebec-province-ile"
    assert slugify('"; rm -rf / <script>') == "rm-rf-script"


def test_french_frame_has_french_headers_and_booleans() -> None:
    frame = pl.DataFrame({"topic_id": ["pmp"], "is_synthetic": [True], "is_partial": [False]})
    french = french_frame(frame)
    assert french.columns == ["id_sujet", "est_synthetique", "est_partielle"]
    assert french.row(0) == ("pmp", "oui", "non")


def test_column_descriptions_document_every_column_in_both_languages() -> None:
    frame = pl.DataFrame({"growth": [0.18], "unknown_column": [1]})
    described = column_descriptions(frame)
    assert described["growth"]["header_fr"] == "croissance"
    assert "+18%" in described["growth"]["description_en"]
    assert described["unknown_column"]["description_en"] == ""  # the route test catches it
    assert all(column.header_fr and column.description_fr for column in COLUMNS.values())
    headers = [column.header_fr for column in COLUMNS.values()]
    assert len(headers) == len(set(headers)) + headers.count("source") - 1  # no clashes


def test_pdf_metadata_is_written_and_read_back() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    buffer = io.BytesIO()
    writer.write(buffer)
    fields = {"Title": "Search interest · credtrends", "Licence": "OGL", "Empty": ""}
    info = PdfReader(io.BytesIO(with_pdf_metadata(buffer.getvalue(), fields))).metadata
    assert info is not None
    title, licence = info["/Title"], info["/Licence"]
    assert isinstance(title, str) and isinstance(licence, str)  # pypdf's TextStringObject
    assert title == "Search interest · credtrends" and licence == "OGL"
    assert "/Empty" not in info
    assert pdf_date(datetime(2026, 12, 2, 1, 13, tzinfo=UTC)) == "D:20261202011300Z"
