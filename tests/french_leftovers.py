"""Find English left in a French page: the checker behind the French-leftover browser scan.

The English to look for is every English message of ``web/i18n.py`` that French says
differently (cut at its ``{placeholders}``, ``<br>`` and ``%`` codes into the literal
phrases a reader would see), plus the English that libraries draw themselves (Dash's
dropdowns, plotly's mode bar, AG Grid) and the boards' English titles. A phrase counts only
as a whole word or words, case-sensitive, outside URLs and identifiers, so "topic=pmp" in a
link is not "Topic" and the job "demo-forecast" is not "forecast". Phrases French writes
too ("Source", "provinces") and one-word phrases under four letters ("in", "of") are never
looked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Text that libraries draw in English unless told otherwise (Dash 4 dropdown labels,
# plotly's mode-bar button titles, AG Grid's overlays and pagination).
LIBRARY_ENGLISH = (
    "Select All", "Deselect All", "selected", "Search", "No options found", "Clear search",
    "Clear selection", "Zoom in", "Zoom out", "Reset axes", "Autoscale", "Download plot",
    "Pan", "Box Select", "Lasso Select", "Reset view", "Toggle Spike Lines", "Share chart",
    "Show closest data on hover", "Compare data on hover", "Produced with Plotly.js",
    "No Rows To Show", "Loading", "First Page", "Previous Page", "Next Page", "Last Page",
    "Page Size", "Toggle attribution",
)  # fmt: skip
# English words that are also French words, names or codes a French page may show.
ALLOWED = frozenset({"Comb", "ETS", "ARIMA", "Theta", "Naive", "Page", "Code", "Total"})
# French messages written in English on purpose: the switch to the English page (its
# element carries lang="en", which the scan leaves out).
ENGLISH_ON_PURPOSE = frozenset({"switch_language", "switch_language_title"})
URL = re.compile(r"(?:https?://|/)[^\s\"'<>]*|\S+=\S+")


def phrases(template: str) -> list[str]:
    """The literal phrases of one message: what stays the same whatever the values."""
    parts = re.split(r"\{[^}]*\}|<br>|%\{[^}]*\}|\n", template)
    found = []
    for part in parts:
        text = part.strip(" :;,.()\"'«»-–—·|")
        if " " in text or sum(ch.isalpha() for ch in text) >= 4:
            found.append(text)
    return found


def _whole(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])")


def english_phrases(
    english: Mapping[str, str], french: Mapping[str, str], extra: Iterable[str] = ()
) -> set[str]:
    """Phrases of the English messages whose French differs, minus those French also uses."""
    french_text = "\n".join(v for k, v in french.items() if k not in ENGLISH_ON_PURPOSE)
    wanted = {
        p
        for key, message in english.items()
        if french.get(key) != message
        for p in phrases(message)
    }
    wanted |= {p for p in extra if p}
    return {p for p in wanted if p not in ALLOWED and not _whole(p).search(french_text)}


def leftovers(text: str, wanted: Iterable[str]) -> list[str]:
    """The English phrases found in ``text`` (URLs removed first), longest first."""
    plain = URL.sub(" ", text)
    return [p for p in sorted(wanted, key=len, reverse=True) if _whole(p).search(plain)]


def context(text: str, phrase: str, width: int = 40) -> str:
    """Where a phrase sits, for the failure message."""
    plain = URL.sub(" ", text)
    match = _whole(phrase).search(plain)
    at = match.start() if match else 0
    return " ".join(plain[max(at - width, 0) : at + len(phrase) + width].split())
