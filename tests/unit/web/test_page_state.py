"""Every page's state round-trips through its URL, and any query parses to a valid state.

``parse`` is the one door from a URL (or a callback, or a hostile client) into a page; the
properties below hold for any catalogue and any query: the state parsed is valid (only
offered values, defaults otherwise), writing it and reading it back gives the same state,
and the URL it writes is the one it was read from when that URL was canonical.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.granularity import (
    GRANULARITIES,
    CoarseGranularity,
    Granularity,
    StatCanGranularity,
    ViewGranularity,
)
from credtrends.warehouse import schema
from credtrends.web.page_state import (
    COMPARE,
    DEFAULT_WEIGHT,
    MAX_TOPICS,
    PERIODS,
    SHOW,
    WEIGHT_CHOICES,
    WEIGHTS,
    DemandState,
    DemandWeights,
    InterestState,
    LabourState,
    OverviewState,
    PageState,
    RegionCode,
    RegionsState,
    TopicId,
)
from credtrends.web.page_state import GRANULARITIES as VIEW_GRANULARITIES
from credtrends.web.views import query_string

SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
CODES = st.sampled_from(["CA", "CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-NS", "CA-NU", "US"])
HOSTILE = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=",; =&%<>'\"\x00 ", max_size=12),
    st.just("x" * 2_001),
    st.lists(st.text(max_size=8), max_size=4),
    st.integers(),
    st.none(),
    st.floats(allow_nan=True),
)


@dataclass(frozen=True)
class Catalogue:
    topics: tuple[str, ...]
    regions: tuple[str, ...]


CATALOGUES = st.builds(
    Catalogue,
    topics=st.lists(
        st.one_of(st.sampled_from(["pmp", "cpr", "data-science", "cybersecurity"]), SLUG),
        unique=True,
        max_size=20,
    ).map(tuple),
    regions=st.lists(CODES, unique=True, max_size=8).map(tuple),
)
NAMES: tuple[str, ...] = (
    *("topic", "region", "regions", "compare", "focus", "granularity", "period", "show"),
    *("lang", "measure", *(f"w_{name}" for name in WEIGHTS), "utm_source"),
)


def queries(catalogue: Catalogue) -> st.SearchStrategy[dict[str, Any]]:
    """Queries mixing offered values, lists of them, and hostile values, under every name."""
    offered = st.sampled_from(
        [
            *catalogue.topics, *catalogue.regions, *COMPARE, *VIEW_GRANULARITIES, *PERIODS,
            *SHOW, *WEIGHT_CHOICES, "fr", "en", "level", "growth", "none", "",
        ]
    )  # fmt: skip
    joined = st.lists(offered, max_size=20).map(",".join)
    value = st.one_of(offered, joined, st.lists(offered, max_size=5), HOSTILE)
    return st.dictionaries(st.sampled_from(NAMES), value, max_size=len(NAMES))


Parse = Callable[[Mapping[str, Any], Catalogue], PageState]
PARSERS: dict[str, Parse] = {
    "overview": lambda q, c: OverviewState.parse(q, regions=c.regions),
    "interest": lambda q, c: InterestState.parse(q, topics=c.topics, regions=c.regions),
    "regions": lambda q, c: RegionsState.parse(q, topics=c.topics),
    "labour": lambda q, c: LabourState.parse(q, topics=c.topics, regions=c.regions),
    "program-demand": lambda q, c: DemandState.parse(q, regions=c.regions),
}


def _url_query(state: PageState) -> dict[str, str]:
    """What a browser sends back: the canonical query string, read as a URL is read."""
    return dict(parse_qsl(query_string(state), keep_blank_values=True))


@pytest.mark.parametrize("page", sorted(PARSERS))
@given(data=st.data())
def test_any_query_parses_to_a_state_that_round_trips_through_its_url(
    page: str, data: st.DataObject
) -> None:
    catalogue = data.draw(CATALOGUES)
    query = data.draw(queries(catalogue))
    parse = PARSERS[page]
    state = parse(query, catalogue)
    assert parse(state.query(), catalogue) == state  # the state's own parameters
    assert parse(_url_query(state), catalogue) == state  # the same, through a URL
    assert query_string(parse(_url_query(state), catalogue)) == query_string(state)
    assert state.lang in ("en", "fr")


@given(data=st.data())
def test_an_interest_state_holds_only_offered_values(data: st.DataObject) -> None:
    catalogue = data.draw(CATALOGUES)
    state = InterestState.parse(data.draw(queries(catalogue)), topics=catalogue.topics,
                                regions=catalogue.regions)  # fmt: skip
    assert set(state.topics) <= set(catalogue.topics)
    assert len(set(state.topics)) == len(state.topics) <= MAX_TOPICS
    assert bool(state.topics) == bool(catalogue.topics)
    assert state.compare in COMPARE and state.period in PERIODS
    assert state.granularity in get_args(ViewGranularity)
    assert set(state.show) <= set(SHOW)
    assert state.region in (*catalogue.regions, "CA")
    if state.by_regions:
        assert set(state.regions) <= set(catalogue.regions)
        assert bool(state.regions) == bool(catalogue.regions)
        assert state.focus is None or state.focus in catalogue.topics
        assert len(state.shown_topics) == (1 if catalogue.topics else 0)
        assert state.shown_pairs == tuple((t, r) for t in state.shown_topics for r in state.regions)
    else:
        assert state.regions == () and state.focus is None
        assert state.shown_pairs == tuple((t, state.region) for t in state.topics)


CATALOGUE = Catalogue(("pmp", "cpr", "data-science", "cybersecurity", "welding"),
                      ("CA", "CA-ON", "CA-BC", "CA-QC", "CA-AB"))  # fmt: skip


@st.composite
def interest_states(draw: st.DrawFn) -> InterestState:
    """Any valid Search interest state over ``CATALOGUE``, built field by field."""
    topics = draw(st.lists(st.sampled_from(CATALOGUE.topics), min_size=1, unique=True))
    by_regions = draw(st.booleans())
    regions = draw(st.lists(st.sampled_from(CATALOGUE.regions), min_size=1, unique=True))
    return InterestState(
        topics=tuple(TopicId(t) for t in topics),
        region=RegionCode(draw(st.sampled_from(CATALOGUE.regions))),
        compare="regions" if by_regions else "topics",
        regions=tuple(RegionCode(r) for r in regions) if by_regions else (),
        focus=TopicId(draw(st.sampled_from(CATALOGUE.topics))) if by_regions else None,
        granularity=draw(st.sampled_from(VIEW_GRANULARITIES)),
        period=draw(st.sampled_from(PERIODS)),
        show=tuple(s for s in SHOW if draw(st.booleans())),
        lang=draw(st.sampled_from(("en", "fr"))),
    )


@given(state=interest_states())
def test_every_interest_state_is_read_back_from_its_url(state: InterestState) -> None:
    read = InterestState.parse(
        _url_query(state), topics=CATALOGUE.topics, regions=CATALOGUE.regions
    )
    assert read == state


@given(
    weights=st.fixed_dictionaries({name: st.sampled_from(WEIGHT_CHOICES) for name in WEIGHTS}),
    region=st.sampled_from(CATALOGUE.regions),
    lang=st.sampled_from(("en", "fr")),
)
def test_every_demand_state_is_read_back_from_its_url(
    weights: dict[str, Any], region: str, lang: Any
) -> None:
    state = DemandState(RegionCode(region), DemandWeights(**weights), lang)
    assert DemandState.parse(_url_query(state), regions=CATALOGUE.regions) == state
    written = state.query()
    assert all((written[f"w_{n}"] == "") == (weights[n] == DEFAULT_WEIGHT) for n in WEIGHTS)


def _interest(query: Mapping[str, Any]) -> InterestState:
    return InterestState.parse(query, topics=CATALOGUE.topics, regions=CATALOGUE.regions)


def test_the_urls_the_pages_always_wrote_are_written_again() -> None:
    """Old links keep their address: the canonical query of a state is unchanged."""
    assert query_string(_interest({})) == (
        "compare=topics&granularity=week&period=5y&region=CA&show=forecast"
        "&topic=pmp,cpr,data-science,cybersecurity"
    )
    compared = _interest({"topic": "cpr,pmp", "compare": "regions", "show": "", "lang": "fr"})
    assert query_string(compared) == (
        "compare=regions&focus=cpr&granularity=week&lang=fr&period=5y&region=CA"
        "&regions=CA-ON,CA-BC,CA-QC,CA-AB&show=none&topic=cpr,pmp"
    )
    assert compared.shown_topics == ("cpr",) and compared.show == ()
    regions = CATALOGUE.regions
    assert query_string(OverviewState.parse({"region": "CA-QC"}, regions=regions)) == (
        "region=CA-QC"
    )
    level = RegionsState.parse({"measure": "level"}, topics=CATALOGUE.topics)
    assert query_string(level) == "measure=level&topic=pmp"
    assert query_string(RegionsState.parse({}, topics=CATALOGUE.topics)) == "topic=pmp"
    labour = LabourState.parse({}, topics=CATALOGUE.topics, regions=regions)
    assert query_string(labour) == "region=CA-ON&topic=data-science"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"topic": "pmp,<script>,pmp,cpr", "granularity": "decade"}, ("pmp", "cpr")),
        ({"topic": ["welding", 3, None]}, ("welding",)),
        ({"topic": "x" * 2_001}, ("pmp", "cpr", "data-science", "cybersecurity")),
        ({"topic": " cpr , pmp "}, ("cpr", "pmp")),
    ],
)
def test_hostile_values_fall_back_to_the_defaults(
    query: dict[str, Any], expected: tuple[str, ...]
) -> None:
    state = _interest({**query, "period": "1y; drop", "show": 7, "lang": "FR"})
    assert state.topics == expected
    assert (state.granularity, state.period, state.lang) == ("week", "5y", "en")
    assert state.show == ()  # given, but nothing offered: both unticked, as today


def test_focus_outside_region_comparison_stays_out_of_the_state() -> None:
    state = _interest({"topic": "cpr", "focus": "pmp", "regions": "CA-ON"})
    assert state.focus is None and state.regions == () and state.shown_topics == ("cpr",)
    compared = _interest({"topic": "cpr", "focus": "pmp", "compare": "regions"})
    assert compared.shown_topics == ("pmp",) and compared.regions[0] == "CA-ON"


def _subset(narrow: Any) -> set[str]:
    return set(get_args(narrow))


def test_one_granularity_type_for_the_whole_package() -> None:
    """The warehouse's CHECK constraint and every narrower stage use the same words."""
    assert schema.GRANULARITIES == GRANULARITIES == get_args(Granularity)
    for narrow in (StatCanGranularity, CoarseGranularity, ViewGranularity):
        assert _subset(narrow) <= set(GRANULARITIES)
    assert _subset(CoarseGranularity) < _subset(ViewGranularity)


def test_weights_are_read_back_as_the_page_offers_them() -> None:
    state = DemandState.parse({"w_growth": "0.5", "w_level": "0.50"}, regions=("CA-ON",))
    assert [state.weights.of(n) for n in WEIGHTS] == ["1", "0.5", "1", "1", "1"]
    assert query_string(state) == "region=CA-ON&w_growth=0.5"
