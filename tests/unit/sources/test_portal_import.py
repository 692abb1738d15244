"""Catalogue imports: subject mapping, CSV/JSON/XLSX exports, CTDL JSON-LD, top searches."""

from __future__ import annotations

import importlib.util
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.errors import ConfigError, InvalidPayload
from credtrends.sources.portal import (
    COUNT_SCHEMA,
    SubjectMapping,
    load_subject_mapping,
    parse_catalogue,
    parse_ctdl,
    parse_top_searches,
    region_lookup_for_portal,
)
from credtrends.sources.statcan import SourcePayload

REPO = Path(__file__).parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "portal"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(REPO / "config" / "topics.yaml", REPO / "config" / "regions.yaml")


@pytest.fixture(scope="module")
def mapping(catalogue: Catalogue) -> SubjectMapping:
    return load_subject_mapping(REPO / "config" / "subject_mapping.yaml", catalogue.topic_ids)


@pytest.fixture(scope="module")
def regions(catalogue: Catalogue) -> dict[str, str]:
    return region_lookup_for_portal(catalogue.regions)


def _file(name: str, body: bytes | None = None, content_type: str = "text/csv") -> SourcePayload:
    data = body if body is not None else (FIXTURES / name).read_bytes()
    return SourcePayload.from_file(name, data, backend="portal-import", content_type=content_type)


def _counts(frame: pl.DataFrame) -> dict[tuple[str, str, date], float]:
    return {
        (t, r, p): v
        for t, r, p, v in frame.select(
            "topic_id", "region_code", "period_start", "value"
        ).iter_rows()
    }


def test_mapping_exact_case_insensitive_and_patterns(mapping: SubjectMapping) -> None:
    assert mapping.topics_for("Data Science") == ("data-science",)
    assert mapping.topics_for("  data   SCIENCE ") == ("data-science",)
    assert mapping.topics_for("Intro to Python for Data Analysis") == ("data", "python")
    assert mapping.topics_for("Basket Weaving") == ()
    topics, unmapped = mapping.map_subjects(["Python", "Basket Weaving", "Other", "basket weaving"])
    assert topics == ("python",)
    assert unmapped == {"Basket Weaving": 1, "basket weaving": 1}


def test_mapping_file_is_validated(catalogue: Catalogue) -> None:
    with pytest.raises(ConfigError, match=r"not in topics\.yaml"):
        SubjectMapping.from_document(
            {"topics": {"nope": {"subjects": ["x"]}}}, "m.yaml", catalogue.topic_ids
        )
    with pytest.raises(ConfigError, match="match everything"):
        SubjectMapping.from_document({"topics": {"python": {"patterns": ["*"]}}}, "m.yaml")
    with pytest.raises(ConfigError, match="'topics:'"):
        SubjectMapping.from_document(["x"], "m.yaml")


def test_csv_catalogue_counts_programs_per_topic_region_month(
    mapping: SubjectMapping, regions: dict[str, str]
) -> None:
    result = parse_catalogue(_file("catalogue.csv"), mapping, regions)
    assert result.counts.schema == pl.Schema(COUNT_SCHEMA)
    counts = _counts(result.counts)
    may = date(2024, 5, 1)
    assert counts[("python", "CA-ON", may)] == 2
    assert counts[("data-science", "CA-ON", may)] == 1
    assert counts[("data", "CA-ON", may)] == 1
    assert counts[("cybersecurity", "CA-QC", may)] == 1
    assert counts[("healthcare", "CA-AB", date(2024, 4, 1))] == 1
    assert set(result.counts["measure"]) == {"programs_offered"}
    assert result.unmapped_subjects == {"Basket Weaving": 1}  # "General Interest" is ignored
    assert result.report.skipped == {"duplicate_program": 1, "region_unknown": 1}
    costs = dict(zip(result.programs["title"], result.programs["cost"], strict=True))
    assert costs["Applied Data Science Foundations"] == 1250.0
    assert costs["Cybersecurity Essentials"] == 900.0
    assert costs["Personal Support Worker Refresher"] == 0.0


def test_json_catalogue(mapping: SubjectMapping, regions: dict[str, str]) -> None:
    result = parse_catalogue(
        _file("catalogue.json", content_type="application/json"), mapping, regions
    )
    counts = _counts(result.counts)
    assert counts[("data-science", "CA-ON", date(2024, 6, 1))] == 1
    assert counts[("project-management", "CA-QC", date(2024, 6, 1))] == 1
    assert counts[("csm", "CA-QC", date(2024, 6, 1))] == 1


def test_snapshot_without_dates_uses_as_of(
    mapping: SubjectMapping, regions: dict[str, str]
) -> None:
    body = b"Title,Subjects,Province\nPython 101,Python,ON\n"
    with pytest.raises(InvalidPayload, match="listed_on"):
        parse_catalogue(_file("snap.csv", body), mapping, regions)
    result = parse_catalogue(_file("snap.csv", body), mapping, regions, as_of=date(2024, 7, 9))
    assert _counts(result.counts) == {("python", "CA-ON", date(2024, 7, 1)): 1.0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"Title|Subjects|Province|Date\nx|Python|ON|2024-01-01\n", "wrong delimiter"),
        (b"Name,Province,Date\nx,ON,2024-01-01\n", "subjects"),
        (b"Title,Subjects,Province,Date\nx,Python,Atlantis,2024-01-01\n", "no usable program"),
        (b"Title,Subjects,Province,Date\nx,Python,ON,2024-01-01,extra\n", "fields"),
        (b'{"programs": 3}', "JSON list"),
        (
            "Titre,Sujets,Région,Date de publication\nCours,Python,Québec,2024-02-03\n".encode(
                "cp1252"
            ),
            None,
        ),
    ],
    ids=["empty", "pipes", "no-subjects", "all-unknown-regions", "ragged", "bad-json", "latin1"],
)
def test_broken_catalogues(
    body: bytes, message: str | None, mapping: SubjectMapping, regions: dict[str, str]
) -> None:
    if message is None:
        result = parse_catalogue(_file("fr.csv", body), mapping, regions)
        assert _counts(result.counts) == {("python", "CA-QC", date(2024, 2, 1)): 1.0}
        return
    with pytest.raises(InvalidPayload, match=message):
        parse_catalogue(_file("bad.csv", body), mapping, regions)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is None, reason="openpyxl not installed")
def test_xlsx_catalogue(mapping: SubjectMapping, regions: dict[str, str]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Program", "Institution", "Subjects", "Province", "Date Listed"])
    sheet.append(["Python 101", "Sheridan", "Python", "Ontario", date(2024, 3, 4)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_catalogue(
        _file("c.xlsx", buffer.getvalue(), "application/octet-stream"), mapping, regions
    )
    assert _counts(result.counts) == {("python", "CA-ON", date(2024, 3, 1)): 1.0}


def test_ctdl_graph(mapping: SubjectMapping, regions: dict[str, str]) -> None:
    result = parse_ctdl(
        _file("ctdl_graph.json", content_type="application/ld+json"),
        mapping,
        regions,
        as_of=date(2024, 8, 1),
    )
    counts = _counts(result.counts)
    march = date(2024, 3, 1)
    assert counts == {
        ("cybersecurity", "CA-ON", march): 1.0,
        ("cybersecurity", "CA-BC", march): 1.0,
    }
    assert set(result.programs["provider"]) == {"Example Polytechnic"}
    assert result.programs["cost"].to_list() == [1200.0, 1200.0]
    assert result.unmapped_subjects == {"Cloud Computing": 2, "AWS": 2}
    assert result.report.skipped == {"no_canadian_region": 1}


def test_top_searches(mapping: SubjectMapping) -> None:
    frame, unmapped, report = parse_top_searches(
        _file("top_searches.csv"), mapping, region_code="CA-ON", period_start=date(2024, 5, 1)
    )
    rows = {t: (v, r) for t, v, r in frame.select("topic_id", "value", "rank").iter_rows()}
    assert rows == {"data-science": (1520.0, 1), "python": (1230.0, 2), "cybersecurity": (980.0, 3)}
    assert unmapped == {"underwater basket weaving": 1}
    assert set(frame["measure"]) == {"portal_searches"}
    assert report.skipped == {"term_unmapped": 1}
