"""Related queries (top and rising) shaped into warehouse rows: pure, offline.

Payloads are in Google's real formats (see tests/related_payloads.py): the web page's
relatedQueries.csv and the widget JSON the pytrends backend lands.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.catalogue import Catalogue
from credtrends.errors import InvalidPayload
from credtrends.pipelines.trends import (
    related_frame,
    related_query_problem,
    topic_queries,
)
from credtrends.sources.google_trends import (
    RELATED_SCHEMA,
    RawPayload,
    import_web_csv,
    make_request,
    parse_payload,
)
from credtrends.warehouse.schema import MAX_RELATED_QUERY_LENGTH, related_queries
from tests.related_payloads import Entry, related_bundle, related_csv, shown_rising

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "google_trends"
EXPORTED = datetime(2025, 8, 20, 15, tzinfo=UTC)
WINDOW = "2025-06-01 2025-08-23"
HOSTILE = [
    "'); DROP TABLE related_queries; --",
    '=HYPERLINK("http://evil.example","pmp")',
    "<script>alert('pmp')</script>",
    "pmp %s %(topic)s ? :topic $1",
    'pmp "quoted", comma; semicolon',
    "pmp\nexam\r\nontario\ttab",
    "\u202epmp\u200b exam",
    "pmp 🎓 café crème",
    "\\x00 not a nul \\",
]


def rows_of(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return frame.select("kind", "rank", "query", "value", "is_breakout").rows()


def test_the_real_csv_export_becomes_rows_of_its_topic(test_catalogue: Catalogue) -> None:
    text = (FIXTURES / "relatedQueries_ca.csv").read_text()
    query = topic_queries(test_catalogue)["pmp"]
    body = text.replace('"welding certificate:', f'"{query}:').encode()
    payload = import_web_csv(body, source_name="relatedQueries.csv", fetched_at=EXPORTED)
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    assert related.topic_ids == ("pmp",) and not related.unmatched_terms
    frame = related.rows
    assert set(frame.columns) <= set(related_queries.columns.keys())
    assert rows_of(frame) == [
        ("top", 1, "welding certificate online", 100, False),
        ("top", 2, "welding certificate ontario", 64, False),
        ("top", 3, "red seal welding", 41, False),
        ("top", 4, "welding course", 38, False),
        ("top", 5, "cwb welding certificate", 22, False),
        ("rising", 1, "welding certificate near me", None, True),  # "Breakout": no number
        ("rising", 2, "welding ticket alberta", 3000, False),
        ("rising", 3, "cwb welding certificate cost", 250, False),
    ]
    assert set(frame["region_code"]) == {"CA"} and set(frame["timeframe"]) == {WINDOW}
    assert set(frame["source"]) == {"google-trends"} and not frame["is_synthetic"].any()
    assert set(frame["backend"]) == {"web_csv"}
    assert set(frame["request_key"]) == {payload.request_key}


def test_the_pytrends_widget_json_becomes_rows_with_breakout_values(
    test_catalogue: Catalogue,
) -> None:
    query = topic_queries(test_catalogue)["data-science"]
    payload = related_bundle(
        query,
        [("data science jobs", 100, "100"), ("data science course", 61, "61")],
        [("data science bootcamp", 5250, "Breakout"), ("data science salary", 130, "+130%")],
        geo="CA-ON",
        timeframe=WINDOW,
        fetched_at=EXPORTED,
    )
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    assert rows_of(related.rows) == [
        ("top", 1, "data science jobs", 100, False),
        ("top", 2, "data science course", 61, False),
        ("rising", 1, "data science bootcamp", 5250, True),  # the API gives a number
        ("rising", 2, "data science salary", 130, False),
    ]
    assert set(related.rows["topic_id"]) == {"data-science"}
    assert set(related.rows["backend"]) == {"pytrends"}


def test_a_term_matching_no_topic_is_reported_not_stored(test_catalogue: Catalogue) -> None:
    payload = import_web_csv(
        FIXTURES / "relatedQueries_ca.csv", fetched_at=EXPORTED
    )  # "welding certificate" is not in the test catalogue
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    assert related.rows.is_empty() and related.topic_ids == ()
    assert related.unmatched_terms == {"welding certificate"}


def test_a_single_search_term_stands_for_its_topic(test_catalogue: Catalogue) -> None:
    body = related_csv("smart serve", [("smart serve test", 100, "100")], [], geo_name="Ontario")
    payload = import_web_csv(body, fetched_at=EXPORTED)
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    assert related.topic_ids == ("smart-serve",)
    assert related.rows["region_code"].to_list() == ["CA-ON"]


def test_a_region_outside_the_catalogue_is_refused(test_catalogue: Catalogue) -> None:
    body = related_csv("smart serve", [("smart serve test", 100, "100")], [], geo_name="Alberta")
    payload = import_web_csv(body, fetched_at=EXPORTED)
    with pytest.raises(InvalidPayload, match=r"'CA-AB' is not in regions\.yaml"):
        related_frame(parse_payload(payload), payload, test_catalogue, "run-1")


def test_a_list_naming_a_query_twice_is_refused(test_catalogue: Catalogue) -> None:
    top: list[Entry] = [("pmp exam", 100, "100"), ("pmp exam", 50, "50")]
    payload = import_web_csv(related_csv("pmp", top, []), fetched_at=EXPORTED)
    with pytest.raises(InvalidPayload, match="names 'pmp exam' twice"):
        related_frame(parse_payload(payload), payload, test_catalogue, "run-1")


def test_a_nul_in_a_json_query_is_refused_not_mangled(test_catalogue: Catalogue) -> None:
    payload = related_bundle(
        "pmp", [("pmp\x00exam", 100, "100")], [], geo="CA", timeframe=WINDOW, fetched_at=EXPORTED
    )
    with pytest.raises(InvalidPayload, match="top related query 1 contains a NUL"):
        related_frame(parse_payload(payload), payload, test_catalogue, "run-1")


def test_hostile_queries_are_kept_verbatim(test_catalogue: Catalogue) -> None:
    top: list[Entry] = [(text, 100 - n, str(100 - n)) for n, text in enumerate(HOSTILE)]
    for payload in (
        related_bundle("pmp", top, [], geo="CA", timeframe=WINDOW, fetched_at=EXPORTED),
        import_web_csv(related_csv("pmp", top, []), fetched_at=EXPORTED),
    ):
        related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
        assert related.rows["query"].to_list() == HOSTILE, payload.backend


@given(st.text(max_size=MAX_RELATED_QUERY_LENGTH + 20))
def test_only_unstorable_text_is_a_problem(text: str) -> None:
    problem = related_query_problem(text)
    storable = "\x00" not in text and len(text) <= MAX_RELATED_QUERY_LENGTH
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        storable = False
    assert (problem is None) == storable


# Query text as a CSV export can carry it: the exporter trims cells, never stores NUL.
csv_queries = (
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=80)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def related_lists(draw: st.DrawFn) -> tuple[list[Entry], list[Entry]]:
    queries = draw(st.lists(csv_queries, min_size=1, max_size=12, unique=True))
    split = draw(st.integers(0, len(queries)))
    top_values = sorted(draw(st.lists(st.integers(0, 100), min_size=split, max_size=split)))
    top: list[Entry] = [
        (q, v, str(v)) for q, v in zip(queries[:split], reversed(top_values), strict=True)
    ]
    rising: list[Entry] = []
    for query in queries[split:]:
        breakout = draw(st.booleans())
        value = draw(st.integers(1, 4_999))
        rising.append((query, None if breakout else value, shown_rising(value, breakout)))
    return top, rising


@given(related_lists())
def test_any_csv_export_round_trips_into_rows(
    test_catalogue: Catalogue, lists: tuple[list[Entry], list[Entry]]
) -> None:
    top, rising = lists
    payload = import_web_csv(
        related_csv("pmp certification + pmp", top, rising), fetched_at=EXPORTED
    )
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    expected = [("top", n, q, v, False) for n, (q, v, _) in enumerate(top, start=1)] + [
        ("rising", n, q, v, v is None) for n, (q, v, _) in enumerate(rising, start=1)
    ]
    assert rows_of(related.rows) == expected
    assert related.topic_ids == ("pmp",)


@given(related_lists())
def test_any_widget_answer_round_trips_into_rows(
    test_catalogue: Catalogue, lists: tuple[list[Entry], list[Entry]]
) -> None:
    top, rising = lists
    # The API gives breakouts a number (e.g. 5250) where the CSV says only "Breakout".
    api_rising = [(q, 5250 if v is None else v, shown) for q, v, shown in rising]
    payload = related_bundle(
        "data science", top, api_rising, geo="CA-QC", timeframe=WINDOW, fetched_at=EXPORTED
    )
    related = related_frame(parse_payload(payload), payload, test_catalogue, "run-1")
    expected = [("top", n, q, v, False) for n, (q, v, _) in enumerate(top, start=1)] + [
        ("rising", n, q, v, shown == "Breakout")
        for n, (q, v, shown) in enumerate(api_rising, start=1)
    ]
    assert rows_of(related.rows) == expected
    assert set(related.rows["topic_id"]) <= {"data-science"}


def test_two_terms_of_one_topic_keep_the_topic_query(test_catalogue: Catalogue) -> None:
    query = topic_queries(test_catalogue)["pmp"]
    terms = ["pmp", query, "welding"]
    request = make_request(operation="related_queries", terms=terms, geo="CA", timeframe=WINDOW)
    payload = RawPayload(
        request=request, body=b"", content_type="test", backend="test", fetched_at=EXPORTED
    )
    parsed = pl.DataFrame(
        {
            "request_key": request.request_key,
            "term": [t.upper() for t in terms],  # Google may spell a term its own way
            "geo": "CA",
            "timeframe": WINDOW,
            "entity": "query",
            "kind": "top",
            "rank": 1,
            "query": ["from pmp", "from the topic query", "from welding"],
            "topic_mid": None,
            "topic_type": None,
            "value": 100,
            "formatted_value": "100",
            "is_breakout": False,
            "backend": "test",
        },
        schema=RELATED_SCHEMA,
    )
    related = related_frame(parsed, payload, test_catalogue, "run-1")
    assert related.rows["query"].to_list() == ["from the topic query"]
    assert related.topic_ids == ("pmp",) and related.skipped_terms == ("pmp",)
    assert related.unmatched_terms == {"welding"}
