"""Under ``?lang=fr`` no page shows English: every page type is drawn in Chromium, its
details opened and every dropdown opened, and all text a reader can see or hear (page text,
chart text, titles, labels, placeholders) is scanned for the English of the message table,
of the libraries and of the boards (``tests/french_leftovers.py``). ISO dates inside French
sentences ("le 2022-01-01") fail too.

Uses the shared demo server and Chromium from ``conftest.py``.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver import Chrome

from credtrends.web.i18n import MESSAGES
from tests.french_leftovers import LIBRARY_ENGLISH, context, english_phrases, leftovers

pytestmark = pytest.mark.browser

PAGES = [
    "/", "/interest", "/interest?compare=regions", "/regions", "/labour", "/program-demand",
    "/data", "/boards", "/boards/test-board", "/no-such-page",
]  # fmt: skip
ISO_IN_SENTENCE = re.compile(
    r"\b(?:le|du|au|depuis|en|avant|après)\s+\d{4}-\d{2}(?:-\d{2})?\b", re.IGNORECASE
)

# Text marked as English on purpose (the language switch, lang="en") is left out.
COLLECT = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const english = [...document.querySelectorAll('body [lang]:not([lang^="fr"])')];
english.forEach(e => { e.dataset.scanDisplay = e.style.display; e.style.display = 'none'; });
const parts = [document.title, document.body.innerText];
const french = e => !e.closest('[lang]:not([lang^="fr"]):not(html)');
document.querySelectorAll('svg text').forEach(t => { if (french(t)) parts.push(t.textContent); });
const names = ['title', 'aria-label', 'placeholder', 'data-title', 'alt'];
document.querySelectorAll('body *').forEach(e => names.forEach(n => {
    const v = e.getAttribute(n); if (v && french(e)) { parts.push(v); }
}));
english.forEach(e => { e.style.display = e.dataset.scanDisplay; });
return parts.join('\\n');
"""
SETTLED = """
return document.readyState === 'complete'
    && !document.querySelector('[data-dash-is-loading="true"]')
    && [...document.querySelectorAll('.js-plotly-plot')].every(g => g.querySelector('.main-svg'));
"""


def _board_english() -> list[str]:
    from credtrends.catalogue import load_catalogue
    from credtrends.web.boards import load_boards
    from tests.helpers import FIXTURES

    catalogue = load_catalogue(
        FIXTURES / "catalogue" / "topics.yaml", FIXTURES / "catalogue" / "regions.yaml"
    )
    found = []
    for board in load_boards(FIXTURES / "dashboards", catalogue).values():
        for text in (board.title, board.description):
            if text.fr != text.en:
                found.append(text.en)
    return found


def _settle(driver: Chrome, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if driver.execute_script(SETTLED):
            text = driver.execute_script("return document.body.innerText")
            if text == last:
                return
            last = text
        time.sleep(0.5)


def _page_text(driver: Chrome) -> str:
    """Everything on the page, then what each dropdown shows when opened."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    texts = [driver.execute_script(COLLECT)]
    for button in driver.find_elements(By.CSS_SELECTOR, "button.dash-dropdown"):
        if not button.is_displayed():
            continue
        button.click()
        time.sleep(0.3)
        texts.append(driver.execute_script(COLLECT))
        button.send_keys(Keys.ESCAPE)
        time.sleep(0.1)
    return "\n".join(texts)


@pytest.mark.parametrize("path", PAGES)
def test_no_english_under_lang_fr(server: str, browser: Chrome, path: str) -> None:
    driver = browser
    joiner = "&" if "?" in path else "?"
    driver.get(f"{server}{path}{joiner}lang=fr")
    _settle(driver)
    text = _page_text(driver)
    wanted = english_phrases(MESSAGES["en"], MESSAGES["fr"], [*LIBRARY_ENGLISH, *_board_english()])
    found = leftovers(text, wanted)
    assert not found, f"{path}: English under lang=fr: " + "; ".join(
        f"{phrase!r} in '...{context(text, phrase)}...'" for phrase in found
    )
    dates = ISO_IN_SENTENCE.findall(text)
    assert not dates, f"{path}: ISO dates in French sentences: {dates}"


HOVER = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
const index = gd.data.findIndex(t => t.hovertemplate && t.hovertemplate.includes('%{x|')
    && t.x && t.x.length > 2);
if (index < 0) { return null; }
const trace = gd.data[index];
const subplot = (trace.xaxis || 'x') + (trace.yaxis || 'y');
Plotly.Fx.hover(gd, [{curveNumber: index, pointNumber: 2}], subplot === 'xy' ? 'xy' : subplot);
return gd.querySelector('.hoverlayer').textContent;
"""
ISO_DATE = re.compile(r"\d{4}-\d{2}")


@pytest.mark.parametrize(
    ("path", "graph"),
    [("/interest?topic=pmp", "#interest-main-graph"), ("/labour", "#labour-main-graph")],
)
@pytest.mark.parametrize(("lang", "month"), [("fr", r"\b(janv|févr|mars|avr|mai|juin|juil|"
                                               r"août|sept|oct|nov|déc)\.?\b"),
                                              ("en", r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
                                               r"Sep|Oct|Nov|Dec)\b")])  # fmt: skip
def test_hover_dates_are_written_in_the_page_language(
    server: str, browser: Chrome, path: str, graph: str, lang: str, month: str
) -> None:
    """plotly prints a date as ISO unless told a format: the hover names the month."""
    driver = browser
    driver.get(f"{server}{path}&lang={lang}" if "?" in path else f"{server}{path}?lang={lang}")
    _settle(driver)
    text = driver.execute_script(HOVER, graph)
    assert text, f"{path}: no dated trace to hover in {graph}"
    assert not ISO_DATE.search(text), f"{path} lang={lang}: ISO date in the hover: {text!r}"
    assert re.search(month, text), f"{path} lang={lang}: no month name in the hover: {text!r}"
