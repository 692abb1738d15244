"""Import of the CSV files the Google Trends web page exports.

Fixture layouts are copied from public real exports (see tests/fixtures/google_trends/
README.md): multiTimeline.csv, geoMap.csv (index and multi-term percentages), and
relatedQueries.csv, plus localised variants seen in the wild.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credtrends.errors import InvalidPayload
from credtrends.sources.google_trends import (
    INTEREST_BY_REGION_SCHEMA,
    INTEREST_OVER_TIME_SCHEMA,
    RELATED_SCHEMA,
    Operation,
    Resolution,
    import_web_csv,
    parse_payload,
)
from credtrends.sources.google_trends.web_csv import render_multi_timeline_csv

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "google_trends"
EXPORTED = datetime(2025, 8, 20, 15, tzinfo=UTC)


def load(name: str, geo: str | None = None) -> pl.DataFrame:
    raw = import_web_csv(FIXTURES / name, fetched_at=EXPORTED, geo=geo)
    return parse_payload(raw)


def test_weekly_multitimeline_is_one_batch_with_partial_last_week() -> None:
    raw = import_web_csv(FIXTURES / "multiTimeline_ca_week.csv", fetched_at=EXPORTED)
    assert raw.request.operation is Operation.INTEREST_OVER_TIME
    assert raw.request.terms == ("welding certificate", "cybersecurity bootcamp")
    assert raw.request.geo == "CA" and raw.request.timeframe == "2025-06-01 2025-08-23"
    assert raw.backend == "web_csv" and raw.source_name == "multiTimeline_ca_week.csv"
    frame = parse_payload(raw)
    assert frame.schema == INTEREST_OVER_TIME_SCHEMA and frame.height == 24
    assert set(frame.get_column("granularity")) == {"week"}
    below = frame.filter(pl.col("is_below_one"))
    assert below.select("term", "period_start", "value").rows() == [
        ("cybersecurity bootcamp", date(2025, 6, 15), 0)
    ]
    partial = frame.filter(pl.col("is_partial")).get_column("period_start").unique()
    assert partial.to_list() == [date(2025, 8, 17)]  # the week running on export day


def test_an_old_export_has_no_partial_period() -> None:
    raw = import_web_csv(
        FIXTURES / "multiTimeline_ca_week.csv", fetched_at=EXPORTED + timedelta(days=30)
    )
    assert not parse_payload(raw).get_column("is_partial").any()


def test_daily_french_and_monthly_worldwide_exports() -> None:
    daily = load("multiTimeline_qc_day_fr.csv")
    assert set(daily.get_column("granularity")) == {"day"}
    assert set(daily.get_column("geo")) == {"CA-QC"}
    assert set(daily.get_column("term")) == {"soudage", "cybersécurité"}
    monthly = load("multiTimeline_world_month.csv")
    assert set(monthly.get_column("granularity")) == {"month"}
    assert monthly.get_column("period_start").to_list()[:2] == [date(2004, 1, 1), date(2004, 2, 1)]
    assert set(monthly.get_column("geo")) == {""}


def test_localised_category_line_is_all_categories_without_an_option() -> None:
    raw = import_web_csv(FIXTURES / "multiTimeline_us_semaine_zh.csv", fetched_at=EXPORTED)
    assert raw.request.category == 0
    frame = parse_payload(raw)
    assert set(frame.get_column("granularity")) == {"week"}
    assert set(frame.get_column("geo")) == {"US"}


def test_geomap_provinces_map_to_codes_and_blank_means_no_data() -> None:
    raw = import_web_csv(FIXTURES / "geoMap_ca_region.csv", fetched_at=EXPORTED)
    assert raw.request.operation is Operation.INTEREST_BY_REGION
    assert raw.request.resolution is Resolution.REGION and raw.request.geo == "CA"
    assert raw.request.timeframe == "2025-06-01 2025-08-23"
    frame = parse_payload(raw)
    assert frame.schema == INTEREST_BY_REGION_SCHEMA
    assert frame.filter(pl.col("region_code") == "CA-NS").get_column("value").item() == 100
    assert frame.filter(~pl.col("has_data")).get_column("region_code").sort().to_list() == [
        "CA-NT",
        "CA-NU",
        "CA-PE",
        "CA-YT",
    ]
    assert set(frame.get_column("value_kind")) == {"index"}


def test_geomap_with_several_terms_is_shares() -> None:
    frame = load("geoMap_ca_two_terms_percent.csv")
    assert set(frame.get_column("value_kind")) == {"share_percent"}
    nl = frame.filter(pl.col("region_code") == "CA-NL").sort("term")
    assert nl.select("value", "is_below_one").rows() == [(0, True), (100, False)]


def test_spanish_geomap_outside_canada_needs_geo() -> None:
    with pytest.raises(InvalidPayload, match="--geo"):
        load("geoMap_uy_region_es.csv")
    frame = load("geoMap_uy_region_es.csv", geo="UY")
    assert frame.get_column("region_code").null_count() == frame.height  # no code list for UY
    assert frame.filter(pl.col("region_name") == "Rivera").get_column("is_below_one").item()


def test_related_queries_sections_breakout_and_thousands() -> None:
    raw = import_web_csv(FIXTURES / "relatedQueries_ca.csv", fetched_at=EXPORTED)
    assert raw.request.operation is Operation.RELATED_QUERIES
    assert raw.request.geo == "CA" and raw.request.terms == ("welding certificate",)
    frame = parse_payload(raw)
    assert frame.schema == RELATED_SCHEMA
    rising = frame.filter(pl.col("kind") == "rising")
    assert rising.select("query", "value", "is_breakout").rows() == [
        ("welding certificate near me", None, True),
        ("welding ticket alberta", 3000, False),
        ("cwb welding certificate cost", 250, False),
    ]
    assert load("relatedQueries_ca_no_rising.csv").height == 1


def test_date_order_is_tried_both_ways() -> None:
    body = (
        (FIXTURES / "relatedQueries_ca.csv")
        .read_bytes()
        .replace(b"6/1/25 - 8/23/25", b"20/10/17 - 20/10/18")
    )
    raw = import_web_csv(body, fetched_at=EXPORTED)
    assert raw.request.timeframe == "2017-10-20 2018-10-20"


GOOD = (FIXTURES / "multiTimeline_ca_week.csv").read_bytes()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (GOOD.replace(b"Canada", "Qu\u00e9bec".encode("latin-1")), "not UTF-8"),
        ("\ufeff".encode("utf-16"), "UTF-16"),
        (GOOD.replace(b"Week,", b"Week;"), "line 3.*';'"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-22,100"), "2 cells"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-22,101,1"), "above 100"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-22,99,1"), "reaches 100"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-22,abc,1"), "not a number"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-23,100,1"), "mixed granularity"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-02-30,100,1"), "not a real date"),
        (GOOD.replace(b"Week,", b"Day,"), "weekly"),
        (GOOD.replace(b"(Canada)", b"(Atlantis)"), "line 3: the place 'Atlantis'.*--geo"),
        (GOOD.replace(b"2025-06-29,", b"2025-06-22,"), "line 8 repeats the period .* of line 7"),
        (GOOD.replace(b"Week,", b'"Week,'), "line 3: the CSV quoting is broken"),
        (GOOD[: GOOD.index(b"2025-08-10") + 8], "truncated"),
        (GOOD.replace(b"2025-06-22,100,1", b"2025-06-22,100,\x00"), "NUL"),
        (b"Category: All categories\n", "no table"),
        (b"Category: All categories\n\nTOP\nfoo,100\n", "term"),
    ],
)
def test_malformed_exports_are_rejected_whole_with_the_file_named(
    body: bytes, message: str
) -> None:
    with pytest.raises(InvalidPayload, match=message) as caught:
        import_web_csv(body, source_name="multiTimeline.csv", fetched_at=EXPORTED)
    assert str(caught.value).startswith("multiTimeline.csv: ")


def test_a_utf8_bom_from_excel_is_accepted() -> None:
    raw = import_web_csv(b"\xef\xbb\xbf" + GOOD, fetched_at=EXPORTED)
    assert parse_payload(raw).height == 24


def test_a_file_that_is_not_readable_names_itself(tmp_path: Path) -> None:
    with pytest.raises(InvalidPayload, match=r"nothere\.csv"):
        import_web_csv(tmp_path / "nothere.csv")


@st.composite
def timelines(draw: st.DrawFn) -> pl.DataFrame:
    n_terms = draw(st.integers(1, 5))
    n_periods = draw(st.integers(1, 40))
    granularity = draw(st.sampled_from(["day", "week", "month"]))
    start = draw(st.dates(min_value=date(2004, 1, 1), max_value=date(2024, 1, 1)))
    if granularity == "month":
        start = start.replace(day=1)
        days = []
        year, month = start.year, start.month
        for _ in range(n_periods):
            days.append(date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        step = 1 if granularity == "day" else 7
        days = [start + timedelta(days=step * k) for k in range(n_periods)]
    terms = draw(
        st.lists(
            st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=12)
            .map(lambda t: unicodedata.normalize("NFC", t).strip())
            .filter(bool),
            min_size=n_terms,
            max_size=n_terms,
            unique_by=str.casefold,
        )
    )
    cells = draw(
        st.lists(
            st.one_of(st.integers(0, 100), st.just(-1)),  # -1 = "<1"
            min_size=n_terms * n_periods,
            max_size=n_terms * n_periods,
        )
    )
    cells[draw(st.integers(0, len(cells) - 1))] = 100  # Google's max is always 100
    rows = []
    for k, day in enumerate(days):
        for i, term in enumerate(terms):
            value = cells[k * n_terms + i]
            rows.append(
                {
                    "term": term,
                    "period_start": day,
                    "period_start_utc": datetime(day.year, day.month, day.day, tzinfo=UTC),
                    "granularity": granularity,
                    "value": 0 if value < 0 else value,
                    "is_below_one": value < 0,
                    "has_data": True,
                }
            )
    return pl.DataFrame(rows).with_columns(pl.col("value").cast(pl.Int16))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines())
def test_render_then_parse_round_trips(frame: pl.DataFrame) -> None:
    text = render_multi_timeline_csv(frame, geo_name="Canada")
    raw = import_web_csv(text.encode(), source_name="multiTimeline.csv", fetched_at=EXPORTED)
    parsed = parse_payload(raw)
    columns = ["term", "period_start", "granularity", "value", "is_below_one", "has_data"]
    expected = frame.select(columns).with_columns(pl.col("granularity").cast(pl.String))
    got = parsed.select(columns).with_columns(pl.col("granularity").cast(pl.String))
    if frame.get_column("period_start").n_unique() == 1:
        got = got.with_columns(pl.lit(frame.get_column("granularity")[0]).alias("granularity"))
    assert got.sort("term", "period_start").equals(expected.sort("term", "period_start"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_but_invalid_payload(body: bytes) -> None:
    try:
        raw = import_web_csv(body, source_name="upload.csv", fetched_at=EXPORTED)
    except InvalidPayload:
        return
    parse_payload(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Category: All categories",
                "",
                "Week,a: (Canada)",
                "Region,a: (1/2/24 - 3/4/25)",
                "2024-01-07,100",
                "2024-01-14,<1",
                "Ontario,100",
                "Quebec,",
                "TOP",
                "RISING",
                '"a: (1/2/24 - 3/4/25, Canada)"',
                "x,Breakout",
                "y,+250%",
                "z,100",
                "2024-01,5",
                ",,",
                "Week,a: (Canada),b: (Canada)",
                "2024-01-21,7,100",
            ]
        ),
        max_size=12,
    )
)
def test_shuffled_real_lines_never_raise_anything_but_invalid_payload(lines: list[str]) -> None:
    body = "\n".join(lines).encode()
    try:
        raw = import_web_csv(body, source_name="upload.csv", fetched_at=EXPORTED)
    except InvalidPayload:
        return
    parse_payload(raw)


def test_multi_geo_comparison_is_one_request_with_a_geo_per_column() -> None:
    body = (
        "Category: All categories\n\n"
        "Week,pmp: (Ontario),pmp: (Quebec)\n"
        "2025-06-01,100,<\u00a01\n"
        "2025-06-08,40,\n"
    ).encode()
    raw = import_web_csv(body, source_name="multiTimeline.csv", fetched_at=EXPORTED)
    assert raw.request.geos == ("CA-ON", "CA-QC") and raw.request.geo == "CA"
    assert '"geos":["CA-ON","CA-QC"]' in raw.request.canonical_json()
    frame = parse_payload(raw)
    assert frame.get_column("request_key").n_unique() == 1
    assert frame.select("geo", "period_start", "value", "is_below_one", "has_data").rows() == [
        ("CA-ON", date(2025, 6, 1), 100, False, True),
        ("CA-QC", date(2025, 6, 1), 0, True, True),
        ("CA-ON", date(2025, 6, 8), 40, False, True),
        ("CA-QC", date(2025, 6, 8), None, False, False),
    ]


@pytest.mark.parametrize(
    ("category_line", "geo_label", "expected_geo", "category"),
    [
        ("Catégorie\u00a0: Toutes catégories", "Dans tous les pays", "", 0),
        ("Categoria: Todas as categorias", "Brasil", "BR", 0),
        ("类别：所有类别", "全球", "", 0),
        ("Categoria: Tutte le categorie", "Sicilia", "IT-82", 0),
        ("Category: Programming", "India", "IN", None),
    ],
)
def test_category_line_and_place_in_any_language(
    category_line: str, geo_label: str, expected_geo: str, category: int | None
) -> None:
    body = f"{category_line}\n\nSemaine,a: ({geo_label})\n2025-06-01,100\n2025-06-08,<\u202f1\n"
    raw = import_web_csv(body.encode(), source_name="multiTimeline.csv", fetched_at=EXPORTED)
    assert raw.request.geo == expected_geo and raw.request.category == category
    if category is None:
        assert raw.request.category_name == "Programming"
    assert parse_payload(raw).get_column("is_below_one").to_list() == [False, True]


def test_an_ambiguous_place_names_both_candidates() -> None:
    body = b"Category: All categories\n\nWeek,a: (Georgia)\n2025-06-01,100\n"
    with pytest.raises(InvalidPayload, match=r"line 3: the place 'Georgia' is ambiguous.*--geo"):
        import_web_csv(body, source_name="multiTimeline.csv", fetched_at=EXPORTED)
    raw = import_web_csv(body, source_name="m.csv", fetched_at=EXPORTED, geo="US-GA")
    assert raw.request.geo == "US-GA"


def test_province_names_match_the_regions_catalogue() -> None:
    import yaml

    from credtrends.sources.google_trends.geo_names import PROVINCE_CODES, fold

    config = Path(__file__).resolve().parents[3] / "config" / "regions.yaml"
    regions = yaml.safe_load(config.read_text(encoding="utf-8"))["regions"]
    for region in regions:
        if region["level"] != "country":
            for key in ("name_en", "name_fr"):
                assert PROVINCE_CODES[fold(region[key])] == region["code"]
