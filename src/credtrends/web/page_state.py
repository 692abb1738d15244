"""Every page's URL state as a typed, frozen value, read from and written to a URL here.

A page's view is its URL (``/interest?topic=pmp,cpr&region=CA``): the page, its callback,
its downloads, embeds and PDF report all start from the query. Each page has one frozen
dataclass below; ``parse`` turns any query (a URL's, a callback's control values, a hostile
client's) into a complete, valid state, never raising: unknown or hostile values fall back
to the page's defaults. ``query()`` writes the state back as the canonical URL parameters,
the same ones the pages have always written (defaults a page leaves out stay out), so old
links keep their address. ``parse(state.query()) == state`` for every state, and parsing
is idempotent on any query (``tests/unit/web/test_page_state.py``, property tests).

Parsing needs the catalogue (which topics and regions exist); it takes them as plain
sequences, so it stays pure and testable without a warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NewType, Protocol, TypeVar, get_args

from credtrends.granularity import VIEW_GRANULARITIES, ViewGranularity
from credtrends.web.i18n import Lang, parse_lang

TopicId = NewType("TopicId", str)
RegionCode = NewType("RegionCode", str)
MAX_PARAMETER_LENGTH = 2_000
"""A longer query value reads as absent (no page offers one that long)."""

_T = TypeVar("_T", bound=str)


class PageState(Protocol):
    """What every page's state offers the shared machinery (links, downloads, reports)."""

    @property
    def lang(self) -> Lang: ...

    def query(self) -> dict[str, str]:
        """The URL parameters of this view; an empty value is left out of the URL."""
        ...


# --- reading query values -------------------------------------------------------------


def text_parameter(query: Mapping[str, Any], name: str) -> str:
    """A query value as text; anything that is not a short string reads as absent."""
    value = query.get(name)
    if isinstance(value, list | tuple) and value:
        value = value[0]
    if not isinstance(value, str) or len(value) > MAX_PARAMETER_LENGTH:
        return ""
    return value.strip()


def list_parameter(query: Mapping[str, Any], name: str) -> list[str]:
    """``a,b,c`` (from a URL) or ``["a", "b"]`` (from a multi dropdown) as a list of text."""
    value = query.get(name)
    if isinstance(value, list | tuple):
        items = [item for item in value if isinstance(item, str)]
    elif isinstance(value, str) and len(value) <= MAX_PARAMETER_LENGTH:
        items = value.split(",")
    else:
        items = []
    return [item.strip() for item in items if item.strip()]


def choose(value: str, allowed: Sequence[_T], default: _T) -> _T:
    """``value`` when it is one of ``allowed`` (typed as they are), else ``default``."""
    for option in allowed:
        if value == option:
            return option
    return default


def _known(values: Sequence[str], allowed: Sequence[_T]) -> tuple[_T, ...]:
    """The allowed values among ``values``, each once, in the order given."""
    lookup = {str(option): option for option in allowed}
    return tuple(dict.fromkeys(lookup[v] for v in values if v in lookup))


def _lang(query: Mapping[str, Any]) -> Lang:
    return parse_lang(text_parameter(query, "lang"))


def _lang_value(lang: Lang) -> str:
    """English is the default and stays out of the URL."""
    return "fr" if lang == "fr" else ""


def _topic_ids(values: Sequence[str]) -> tuple[TopicId, ...]:
    return tuple(TopicId(value) for value in values)


def _region_codes(values: Sequence[str]) -> tuple[RegionCode, ...]:
    return tuple(RegionCode(value) for value in values)


# --- Overview -------------------------------------------------------------------------

OVERVIEW_DEFAULT_REGION = RegionCode("CA")


@dataclass(frozen=True)
class OverviewState:
    region: RegionCode = OVERVIEW_DEFAULT_REGION
    lang: Lang = "en"

    @classmethod
    def parse(cls, query: Mapping[str, Any], *, regions: Sequence[str]) -> OverviewState:
        known = _region_codes(regions)
        region = choose(text_parameter(query, "region"), known, OVERVIEW_DEFAULT_REGION)
        return cls(region=region, lang=_lang(query))

    def query(self) -> dict[str, str]:
        return {"region": self.region, "lang": _lang_value(self.lang)}


# --- Search interest ------------------------------------------------------------------

Compare = Literal["topics", "regions"]
Period = Literal["1y", "2y", "5y", "all"]
Shown = Literal["forecast", "errors"]
COMPARE: tuple[Compare, ...] = get_args(Compare)
PERIODS: tuple[Period, ...] = get_args(Period)
SHOW: tuple[Shown, ...] = get_args(Shown)
GRANULARITIES: tuple[ViewGranularity, ...] = VIEW_GRANULARITIES
INTEREST_DEFAULT_TOPICS = tuple(TopicId(t) for t in ("pmp", "cpr", "data-science", "cybersecurity"))
INTEREST_DEFAULT_REGION = RegionCode("CA")
DEFAULT_COMPARED_REGIONS = tuple(RegionCode(r) for r in ("CA-ON", "CA-BC", "CA-QC", "CA-AB"))
MAX_TOPICS = 15
"""At most this many topics (or compared regions) on one chart; more are dropped."""


def default_compared_regions(regions: Sequence[RegionCode]) -> tuple[RegionCode, ...]:
    """The provinces compared when none are chosen (the first four known, else)."""
    return tuple(r for r in DEFAULT_COMPARED_REGIONS if r in regions) or tuple(regions[:4])


@dataclass(frozen=True)
class InterestState:
    """Several topics in one region (``compare="topics"``), or one topic (``focus``) across
    ``regions`` (``compare="regions"``). ``regions`` and ``focus`` are empty unless
    regions are compared, as in the URL."""

    topics: tuple[TopicId, ...]
    region: RegionCode = INTEREST_DEFAULT_REGION
    compare: Compare = "topics"
    regions: tuple[RegionCode, ...] = ()
    focus: TopicId | None = None
    granularity: ViewGranularity = "week"
    period: Period = "5y"
    show: tuple[Shown, ...] = ("forecast",)
    lang: Lang = "en"

    @classmethod
    def parse(
        cls, query: Mapping[str, Any], *, topics: Sequence[str], regions: Sequence[str]
    ) -> InterestState:
        known_topics, known_regions = _topic_ids(topics), _region_codes(regions)
        chosen = _known(list_parameter(query, "topic"), known_topics)
        if not chosen:
            chosen = tuple(t for t in INTEREST_DEFAULT_TOPICS if t in known_topics)
            chosen = chosen or known_topics[:3]
        compare = choose(text_parameter(query, "compare"), COMPARE, "topics")
        by_regions = compare == "regions"
        compared = _known(list_parameter(query, "regions"), known_regions)
        if by_regions and not compared:
            compared = default_compared_regions(known_regions)
        # one topic across regions: the one the user picked, else the first one selected
        focus: TopicId | None = None
        if by_regions and chosen:
            focus = choose(text_parameter(query, "focus"), known_topics, chosen[0])
        shown = list_parameter(query, "show")
        show = tuple(s for s in SHOW if s in shown) if "show" in query else ("forecast",)
        return cls(
            topics=chosen[:MAX_TOPICS],
            region=choose(text_parameter(query, "region"), known_regions, INTEREST_DEFAULT_REGION),
            compare=compare,
            regions=compared[:MAX_TOPICS] if by_regions else (),
            focus=focus,
            granularity=choose(text_parameter(query, "granularity"), GRANULARITIES, "week"),
            period=choose(text_parameter(query, "period"), PERIODS, "5y"),
            show=show,
            lang=_lang(query),
        )

    def query(self) -> dict[str, str]:
        return {
            "topic": ",".join(self.topics),
            "region": self.region,
            "regions": ",".join(self.regions),
            "compare": self.compare,
            "focus": self.focus or "",
            "granularity": self.granularity,
            "period": self.period,
            "show": ",".join(self.show) or "none",  # "none": the reader unticked both
            "lang": _lang_value(self.lang),
        }

    @property
    def by_regions(self) -> bool:
        return self.compare == "regions"

    @property
    def shown_topics(self) -> tuple[TopicId, ...]:
        """The topics the chart draws: the selection, or the one compared across regions."""
        if self.by_regions:
            focus = self.focus or (self.topics[0] if self.topics else None)
            return (focus,) if focus is not None else ()
        return self.topics

    @property
    def shown_pairs(self) -> tuple[tuple[TopicId, RegionCode], ...]:
        """(topic, region) of every series on the chart."""
        if self.by_regions:
            return tuple((topic, region) for topic in self.shown_topics for region in self.regions)
        return tuple((topic, self.region) for topic in self.topics)


# --- Regions --------------------------------------------------------------------------

Measure = Literal["growth", "level"]
MEASURES: tuple[Measure, ...] = get_args(Measure)
"""What the map colours: the change on a year ago (default) or the level across provinces."""
REGIONS_DEFAULT_TOPIC = TopicId("pmp")


@dataclass(frozen=True)
class RegionsState:
    """``topic`` is empty only when the catalogue has no topic."""

    topic: TopicId
    measure: Measure = "growth"
    lang: Lang = "en"

    @classmethod
    def parse(cls, query: Mapping[str, Any], *, topics: Sequence[str]) -> RegionsState:
        known = _topic_ids(topics)
        fallback = REGIONS_DEFAULT_TOPIC if REGIONS_DEFAULT_TOPIC in known else None
        fallback = fallback or (known[0] if known else TopicId(""))
        measure: Measure = "level" if text_parameter(query, "measure") == "level" else "growth"
        topic = choose(text_parameter(query, "topic"), known, fallback)
        return cls(topic=topic, measure=measure, lang=_lang(query))

    def query(self) -> dict[str, str]:
        return {
            "topic": self.topic,
            # the default (growth) stays out of the URL, so older links keep their address
            "measure": "" if self.measure == "growth" else self.measure,
            "lang": _lang_value(self.lang),
        }


# --- Labour market --------------------------------------------------------------------

LABOUR_DEFAULT_TOPIC = TopicId("data-science")
LABOUR_DEFAULT_REGION = RegionCode("CA-ON")


@dataclass(frozen=True)
class LabourState:
    """``topic`` is empty only when the catalogue has no topic."""

    topic: TopicId
    region: RegionCode = LABOUR_DEFAULT_REGION
    lang: Lang = "en"

    @classmethod
    def parse(
        cls, query: Mapping[str, Any], *, topics: Sequence[str], regions: Sequence[str]
    ) -> LabourState:
        known_topics, known_regions = _topic_ids(topics), _region_codes(regions)
        fallback = LABOUR_DEFAULT_TOPIC if LABOUR_DEFAULT_TOPIC in known_topics else None
        fallback = fallback or (known_topics[0] if known_topics else TopicId(""))
        return cls(
            topic=choose(text_parameter(query, "topic"), known_topics, fallback),
            region=choose(text_parameter(query, "region"), known_regions, LABOUR_DEFAULT_REGION),
            lang=_lang(query),
        )

    def query(self) -> dict[str, str]:
        return {"topic": self.topic, "region": self.region, "lang": _lang_value(self.lang)}


# --- Program demand -------------------------------------------------------------------

WeightName = Literal["level", "growth", "forecast", "vacancy", "supply"]
Weight = Literal["0", "0.5", "1", "1.5", "2", "3"]
WEIGHTS: tuple[WeightName, ...] = get_args(WeightName)
WEIGHT_CHOICES: tuple[Weight, ...] = get_args(Weight)
DEFAULT_WEIGHT: Weight = "1"
DEMAND_DEFAULT_REGION = RegionCode("CA-ON")


@dataclass(frozen=True)
class DemandWeights:
    """How much each input of the opportunity score counts, as the page offers it."""

    level: Weight = DEFAULT_WEIGHT
    growth: Weight = DEFAULT_WEIGHT
    forecast: Weight = DEFAULT_WEIGHT
    vacancy: Weight = DEFAULT_WEIGHT
    supply: Weight = DEFAULT_WEIGHT

    def of(self, name: WeightName) -> Weight:
        weight: Weight = getattr(self, name)
        return weight


@dataclass(frozen=True)
class DemandState:
    """The region and the opportunity score's weights, as offered (``w_growth=2``)."""

    region: RegionCode = DEMAND_DEFAULT_REGION
    weights: DemandWeights = DemandWeights()
    lang: Lang = "en"

    @classmethod
    def parse(cls, query: Mapping[str, Any], *, regions: Sequence[str]) -> DemandState:
        """A default weight is left out of the URL; an unknown one falls back to it."""
        known = _region_codes(regions)
        weights = DemandWeights(
            **{
                name: choose(text_parameter(query, f"w_{name}"), WEIGHT_CHOICES, DEFAULT_WEIGHT)
                for name in WEIGHTS
            }
        )
        region = choose(text_parameter(query, "region"), known, DEMAND_DEFAULT_REGION)
        return cls(region=region, weights=weights, lang=_lang(query))

    def query(self) -> dict[str, str]:
        weights = {
            f"w_{name}": "" if self.weights.of(name) == DEFAULT_WEIGHT else self.weights.of(name)
            for name in WEIGHTS
        }
        return {"region": self.region, "lang": _lang_value(self.lang), **weights}
