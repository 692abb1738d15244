"""The French-leftover checker finds English a French page shows, and nothing else."""

from __future__ import annotations

from credtrends.web.i18n import MESSAGES
from tests.french_leftovers import (
    ENGLISH_ON_PURPOSE,
    LIBRARY_ENGLISH,
    english_phrases,
    leftovers,
    phrases,
)

WANTED = english_phrases(MESSAGES["en"], MESSAGES["fr"], LIBRARY_ENGLISH)


def test_phrases_are_the_literal_parts_of_a_message() -> None:
    assert phrases("Search interest in {region}") == ["Search interest in"]
    assert phrases("{name}: forecast ({model}), 80/95% intervals") == [
        "forecast",
        "80/95% intervals",
    ]
    assert phrases("{count} of {total}") == []  # "of" alone is too short to look for


def test_deliberate_leftovers_are_found() -> None:
    page = "Intérêt de recherche\nSearch interest in Ontario\n2 selected\nRégion"
    assert {"Search interest in", "selected"} <= set(leftovers(page, WANTED))
    assert "Région" not in leftovers(page, WANTED)


def test_french_urls_identifiers_and_shared_words_pass() -> None:
    page = (
        "Source : synthetic-demo. Voir /interest?topic=pmp&show=forecast "
        "tâche demo-forecast réussie. Dans 2 provinces sur 3. Page 1 sur 2."
    )
    assert leftovers(page, WANTED) == []


def test_the_french_table_itself_has_no_english_phrase() -> None:
    # Every French message, as a page would show it: the checker must find nothing.
    text = "\n".join(v for k, v in MESSAGES["fr"].items() if k not in ENGLISH_ON_PURPOSE)
    assert leftovers(text, WANTED) == []


# Words French writes as English does: names, codes, and "Source", "Score", "Pages".
SAME_IN_BOTH = {
    "nav_label", "source", "col_source", "score", "dl_png", "dl_svg", "dl_pdf", "dl_csv_fr",
    "dl_csv_fr_title", "dl_xlsx", "model_theta", "model_ets", "model_arima", "model_comb",
}  # fmt: skip


def test_a_french_message_repeats_the_english_only_for_shared_words() -> None:
    """The browser scan cannot see a French message copied from the English one (it looks
    for English that French says differently): this catches that leftover."""
    same = {key for key, text in MESSAGES["en"].items() if MESSAGES["fr"][key] == text}
    assert same <= SAME_IN_BOTH, f"French copied from English: {sorted(same - SAME_IN_BOTH)}"
