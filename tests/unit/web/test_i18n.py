"""English and French: same messages, same placeholders, locale-correct numbers and dates."""

from __future__ import annotations

import string
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from credtrends.web.i18n import MESSAGES, Translator, parse_lang


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    assert MESSAGES["en"].keys() == MESSAGES["fr"].keys()
    for key, english in MESSAGES["en"].items():
        assert placeholders(english) == placeholders(MESSAGES["fr"][key]), key


def test_french_numbers_percentages_and_dates() -> None:
    fr, en = Translator("fr"), Translator("en")
    assert fr.number(12345.67) == "12\u00a0345,7" and en.number(12345.67) == "12,345.7"
    assert fr.percent(0.283) == "+28\u00a0%" and en.percent(-0.031) == "-3%"
    assert (
        fr.date(date(2025, 1, 5)) == "5 janv. 2025" and en.date(date(2025, 1, 5)) == "Jan 5, 2025"
    )
    assert fr.plotly_separators == ", " and en.plotly_separators == ".,"
    assert fr.graph_config()["locales"]["fr"]["format"]["months"][0] == "janvier"


@given(st.floats(min_value=-0.0049, max_value=0.0049))
def test_tiny_changes_never_read_as_minus_zero(value: float) -> None:
    assert Translator("en").percent(value) == "0%"
    assert not Translator("fr").percent(value).startswith("-")


@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.text())))
def test_only_fr_selects_french(raw: object) -> None:
    assert parse_lang(raw) == ("fr" if raw == "fr" else "en")


def test_missing_values_show_a_dash() -> None:
    tr = Translator("fr")
    assert tr.number(None) == tr.percent(float("nan")) == tr.date(None) == "–"


def test_french_puts_a_space_before_semicolons_colons_and_question_marks() -> None:
    """French typography: "prudence ; x", "Source : ...", never "prudence; x"."""
    import re

    from credtrends.web.pages.data_methods import METHODS

    glued = re.compile(r"[^\s\u00a0\u202f][;:!?](?=\s|$)")
    texts = {**MESSAGES["fr"], "data_methods": METHODS["fr"]}
    found = {key: glued.findall(text) for key, text in texts.items() if glued.search(text)}
    assert not found, found
