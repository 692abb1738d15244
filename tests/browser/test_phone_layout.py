"""Phones (360-414 px): no page is wider than the screen, in either language, the header
keeps the language switch visible inside it (the navigation scrolls on its own line), and
no chart cuts what it writes: its title, the synthetic-data label, legend entries and axis
captions stay inside the chart, the chart inside its box, and notes do not overlap
(``assets/phone_charts.js``). Checked with and without mobile emulation: a narrow desktop
window lays the page out differently (no viewport meta scaling)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selenium.webdriver import Chrome

pytestmark = pytest.mark.browser

PAGES = ["/", "/interest", "/regions", "/labour", "/program-demand", "/data", "/boards"]
CHART_PAGES = [
    "/", "/interest", "/interest?compare=regions", "/regions", "/labour", "/program-demand",
    "/boards/test-board",
]  # fmt: skip
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}

# Every chart's drawn texts, each checked against the chart's own box and the screen.
CHART_PROBLEMS = (Path(__file__).parent / "chart_problems.js").read_text(encoding="utf-8")


def _emulate(driver: Chrome, width: int, mobile: bool) -> None:
    metrics = {**PHONE, "width": width, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def _settled_width(driver: Chrome) -> tuple[int, int]:
    """The layout's width once the page's charts have drawn (it can grow as they do)."""
    widths = []
    for _ in range(20):
        widths.append(driver.execute_script("return document.documentElement.scrollWidth"))
        if len(widths) >= 4 and len(set(widths[-4:])) == 1 and widths[-1] > 0:
            break
        time.sleep(0.5)
    header = driver.execute_script(
        "const h = document.querySelector('.site-header').getBoundingClientRect();"
        "const s = document.getElementById('language-switch').getBoundingClientRect();"
        "return s.right <= h.right + 0.5 && s.bottom <= h.bottom + 0.5 && s.width > 0 ? 1 : 0;"
    )
    return int(widths[-1]), int(header)


def _settled_problems(driver: Chrome) -> list[str]:
    """The chart problems once every chart has drawn and been laid out for the phone."""
    seen: list[str] = []
    for _ in range(40):
        time.sleep(0.5)
        ready = driver.execute_script(
            "return document.querySelectorAll('.js-plotly-plot').length > 0 &&"
            " [...document.querySelectorAll('.js-plotly-plot')]"
            ".every(g => g.querySelector('.main-svg'))"
        )
        if not ready:
            continue
        seen.append(driver.execute_script(CHART_PROBLEMS))
        if len(seen) >= 3 and len(set(seen[-3:])) == 1:
            break
    return list(json.loads(seen[-1])) if seen else ["no chart drawn"]


@pytest.mark.parametrize("lang", ["", "fr"])
def test_no_page_is_wider_than_a_phone(server: str, browser: Chrome, lang: str) -> None:
    driver = browser
    try:
        for width in (360, 390, 414):
            _emulate(driver, width, mobile=True)
            for path in PAGES if width == 390 else PAGES[:3]:
                driver.get(server + path + (f"?lang={lang}" if lang else ""))
                drawn, switch_inside = _settled_width(driver)
                assert drawn <= width, f"{path} lang={lang or 'en'} is {drawn} px wide at {width}"
                assert switch_inside, f"{path}: the language switch falls outside the header"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("mobile", [True, False], ids=["mobile", "narrow-window"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_charts_cut_nothing_on_a_phone(
    server: str, browser: Chrome, lang: str, mobile: bool
) -> None:
    driver = browser
    _emulate(driver, 390, mobile)
    try:
        found = []
        for path in CHART_PAGES:
            joiner = "&" if "?" in path else "?"
            driver.get(f"{server}{path}{joiner}lang={lang}")
            found += [f"{path}: {problem}" for problem in _settled_problems(driver)]
        assert not found, "\n".join(found)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_charts_get_their_own_layout_back_when_wide(server: str, browser: Chrome) -> None:
    """Laid out for a phone, then the window widens: the figure's own title is back."""
    driver = browser
    _emulate(driver, 390, mobile=False)
    try:
        driver.get(server + "/interest?topic=pmp")
        _settled_problems(driver)
        title = "const g = document.querySelector('#interest-main-graph .js-plotly-plot');"
        title += "return g.layout.title.text || '';"
        assert driver.execute_script(title) == ""  # the title is a wrapped note on a phone
        _emulate(driver, 1300, mobile=False)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not driver.execute_script(title):
            time.sleep(0.3)
        assert driver.execute_script(title).startswith("Search interest in")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


STACKED = """
return [...document.querySelectorAll('.data-table.stacks')].map(t => {
    const cells = [...t.querySelectorAll('td')];
    return {
        caption: t.querySelector('caption').textContent,
        scrolls: t.scrollWidth > t.clientWidth + 1,
        wider: t.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
        unlabelled: cells.filter(c => {
            const label = c.querySelector('.cell-label');
            return !label || !label.innerText.trim() || label.getBoundingClientRect().width === 0;
        }).length,
        cells: cells.length,
    };
});
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_data_tables_are_cards_on_a_phone(server: str, browser: Chrome, lang: str) -> None:
    """Data & methods' tables of records: one card per row, each cell under its column's
    name, nothing scrolled sideways (the timestamps and table names wrapped in a box
    scrolled sideways before)."""
    driver = browser
    _emulate(driver, 390, mobile=True)
    try:
        driver.get(f"{server}/data?lang={lang}")
        _settled_width(driver)
        tables = driver.execute_script(STACKED)
        assert len(tables) == 2, tables
        for table in tables:
            assert table["cells"] > 0, table
            assert not table["scrolls"] and not table["wider"], table
            assert table["unlabelled"] == 0, table
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
