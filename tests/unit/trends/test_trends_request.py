"""Typed requests: validation at the boundary and a stable request_key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.errors import ConfigError
from credtrends.sources.google_trends import Operation, Resolution, TrendsRequest, make_request


def test_request_key_is_stable_and_independent_of_spelling() -> None:
    a = make_request(operation="interest_over_time", terms=["welding course", "cnc"], geo="ca")
    b = TrendsRequest(
        operation=Operation.INTEREST_OVER_TIME, terms=("welding  course", "cnc"), geo="CA"
    )
    assert a.request_key == b.request_key
    assert len(a.request_key) == 64
    # the canonical JSON is what is hashed; it must not change silently between releases
    assert a.canonical_json() == (
        '{"category":0,"geo":"CA","gprop":"","hl":"en-US","operation":"interest_over_time",'
        '"resolution":null,"terms":["welding course","cnc"],"timeframe":"today 5-y","v":1}'
    )


def test_term_order_matters_and_other_fields_change_the_key() -> None:
    base = make_request(operation="interest_over_time", terms=["a", "b"], geo="CA")
    assert make_request(operation="interest_over_time", terms=["b", "a"], geo="CA") != base
    keys = {
        base.request_key,
        make_request(operation="interest_over_time", terms=["a", "b"], geo="CA-ON").request_key,
        make_request(
            operation="interest_over_time", terms=["a", "b"], geo="CA", category=958
        ).request_key,
        make_request(
            operation="interest_over_time", terms=["a", "b"], geo="CA", gprop="youtube"
        ).request_key,
    }
    assert len(keys) == 4


def test_region_requests_get_a_default_resolution() -> None:
    assert make_request(operation="interest_by_region", terms=["a"], geo="CA").resolution == (
        Resolution.REGION
    )
    assert make_request(operation="interest_by_region", terms=["a"], geo="").resolution == (
        Resolution.COUNTRY
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"terms": []}, "1 to 5"),
        ({"terms": ["a", "b", "c", "d", "e", "f"]}, "6 terms"),
        ({"terms": ["Welding", "welding"]}, "twice"),
        ({"terms": ["ok\x00bad"]}, "U+0000"),
        ({"terms": ["zero\u200bwidth"]}, "U+200B"),
        ({"terms": ["line\nbreak"]}, None),  # whitespace collapses: valid
        ({"terms": ["x" * 301]}, "301 characters"),
        ({"terms": ["   "]}, "empty"),
        ({"terms": "welding"}, "list"),
        ({"geo": "Canada"}, "geo"),
        ({"geo": "ca-on; drop"}, "geo"),
        ({"timeframe": "yesterday"}, "timeframe"),
        ({"timeframe": "2024-06-30 2024-01-01"}, "before it ends"),
        ({"timeframe": "2024-02-30 2024-06-01"}, "impossible date"),
        ({"timeframe": "2001-01-01 2002-01-01"}, "2004"),
        ({"category": -1}, "category"),
        ({"category": True}, "category"),
        ({"resolution": "REGION"}, "resolution only applies"),
    ],
)
def test_hostile_or_wrong_input_is_rejected_with_a_clear_message(
    fields: dict[str, object], message: str | None
) -> None:
    base: dict[str, object] = {"operation": "interest_over_time", "terms": ["welding"], "geo": "CA"}
    base.update(fields)
    if message is None:
        assert make_request(**base).terms == ("line break",)
        return
    with pytest.raises(ConfigError, match=re.escape(message)):
        make_request(**base)


def test_related_topics_take_one_term() -> None:
    with pytest.raises(ConfigError, match="exactly one term"):
        make_request(operation="related_topics", terms=["a", "b"])


def test_unknown_operation_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="operation"):
        make_request(operation="drop table", terms=["a"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=0, max_size=7))
def test_arbitrary_terms_either_validate_or_raise_config_error(terms: list[str]) -> None:
    try:
        request = make_request(operation="interest_over_time", terms=terms)
    except ConfigError:
        return
    assert 1 <= len(request.terms) <= 5
    for term in request.terms:
        assert term == term.strip() and term.isprintable() and len(term) <= 100
    assert request == make_request(operation="interest_over_time", terms=list(request.terms))
