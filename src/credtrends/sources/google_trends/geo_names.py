"""Place names as the Trends web page writes them -> Google geo codes.

An export names its geo in the page's UI language ("Brasil", "États-Unis", "全球"), never
by code. Names are looked up, casefolded, in:

1. ``WORLDWIDE_LABELS``: the page's own label for "no geo", collected from real exports
   (it is not a territory name, so no library knows it), plus CLDR's name of the world;
2. ``PROVINCE_CODES``: Canada's provinces and territories in English and French (the
   regions credtrends covers, as in config/regions.yaml);
3. every territory name of every locale Babel ships (CLDR): countries -> ISO 3166-1;
4. ISO 3166-2 subdivision names from pycountry (US states, Italian regions, ...).

A name that two different places carry ("Georgia": the country GE and the US state US-GA)
is refused with both candidates rather than guessed; a subdivision named like its own
country ("México", the state MX-MEX) yields the country, which is what Google labels so.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from credtrends.sources.google_trends.checks import Bad

WORLDWIDE_LABELS: frozenset[str] = frozenset(
    {
        "Worldwide",  # en
        "Dans tous les pays",  # fr
        "Monde",  # fr (older page)
        "Dans le monde entier",  # fr
        "Todo el mundo",  # es
        "Weltweit",  # de
        "Întreaga lume",  # ro
        "Dünya Genelinde",  # tr
        "Cały świat",  # pl
        "По всему миру",  # ru
        "في جميع أنحاء العالم",  # ar
        "すべての国",  # ja
        "전 세계",  # ko
        "全球",  # zh-CN, zh-TW
    }
)
"""The web page's label for a worldwide request, as seen in real exports (one per UI language)."""

_CANADA: dict[str, tuple[str, ...]] = {
    "CA": ("canada", "canadá"),
    "CA-AB": ("alberta",),
    "CA-BC": ("british columbia", "colombie-britannique"),
    "CA-MB": ("manitoba",),
    "CA-NB": ("new brunswick", "nouveau-brunswick"),
    "CA-NL": ("newfoundland and labrador", "terre-neuve-et-labrador"),
    "CA-NS": ("nova scotia", "nouvelle-écosse"),
    "CA-NT": ("northwest territories", "territoires du nord-ouest"),
    "CA-NU": ("nunavut",),
    "CA-ON": ("ontario",),
    "CA-PE": ("prince edward island", "île-du-prince-édouard"),
    "CA-QC": ("quebec", "québec"),
    "CA-SK": ("saskatchewan",),
    "CA-YT": ("yukon", "yukon territory", "territoire du yukon"),
}
PROVINCE_CODES: dict[str, str] = {
    name: code for code, names in _CANADA.items() if code != "CA" for name in names
}
"""Province and territory names (English and French, casefolded) -> ISO 3166-2 codes."""

_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})
"""CLDR two-letter codes that are groupings or placeholders, not places Google has."""


def fold(name: str) -> str:
    """The lookup form of a name: NFC, casefolded, inner whitespace (incl. no-break) single."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@cache
def _territories() -> dict[str, frozenset[str]]:
    """Folded CLDR territory name (any locale) -> the codes it names (loaded once, ~1.5 s)."""
    from babel import Locale, localedata

    names: dict[str, set[str]] = {}
    for identifier in localedata.locale_identifiers():
        for code, name in Locale.parse(identifier).territories.items():
            if code == "001":
                names.setdefault(fold(name), set()).add("")
            elif len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names.setdefault(fold(name), set()).add(code)
    return {name: frozenset(codes) for name, codes in names.items()}


@cache
def _subdivisions() -> dict[str, frozenset[str]]:
    """Folded ISO 3166-2 subdivision name -> codes (top-level subdivisions only)."""
    import pycountry

    names: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None:
            names.setdefault(fold(subdivision.name), set()).add(subdivision.code)
    return {name: frozenset(codes) for name, codes in names.items()}


def geo_candidates(name: str) -> frozenset[str]:
    """Every geo code the name can stand for (empty when it names nothing we know)."""
    folded = fold(name)
    if folded in {fold(label) for label in WORLDWIDE_LABELS}:
        return frozenset({""})
    for code, names in _CANADA.items():
        if folded in names:
            return frozenset({code})
    countries = _territories().get(folded, frozenset())
    subdivisions = {
        code
        for code in _subdivisions().get(folded, frozenset())
        if code.split("-")[0] not in countries
    }
    return countries | frozenset(subdivisions)


def geo_code(name: str) -> str:
    """The one geo code a place name stands for, or Bad saying why there is none."""
    candidates = geo_candidates(name)
    if len(candidates) == 1:
        return next(iter(candidates))
    if not candidates:
        metro = _US_METRO.match(name.strip())
        if metro and f"US-{metro.group('state')}" in _subdivision_codes():
            raise Bad(
                f"the place {name!r} looks like a US metro area (Nielsen DMA), which has no "
                f"name list here; pass --geo US-{metro.group('state')}-<DMA number>"
            )
        raise Bad(
            f"the place {name!r} is not a country, Canadian province or ISO 3166-2 "
            "subdivision we know; pass --geo with its code (e.g. CA-ON, BR, US-PA-504)"
        )
    listed = " or ".join(repr(code) if code else "'' (worldwide)" for code in sorted(candidates))
    raise Bad(f"the place {name!r} is ambiguous: it can be {listed}; pass --geo with the one meant")


_US_METRO = re.compile(r"^.+ (?P<state>[A-Z]{2})(?:[-/ ].*)?$")
"""Google's DMA names: "Philadelphia PA", "Washington DC (Hagerstown MD)"."""


@cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset(code for codes in _subdivisions().values() for code in codes)
