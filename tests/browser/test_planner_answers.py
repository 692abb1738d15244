"""Planner answers where they are asked (issue 14, item 7), as a planner sees them in
Chromium at 1920 px and 390 px, in English and French: "is it growing here?" on Search
interest, one growth figure everywhere with the weeks it compares, the topic compared
across regions named and chosen, related searches for every series, the opportunity
score's weights, interval and ties, the unfinished period marked, and a copy-link button.

Uses the shared demo server and Chromium from ``conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from selenium.webdriver import Chrome

from tests.helpers import severe, wait

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "desktop": {"width": 1920, "height": 1200, "deviceScaleFactor": 1, "mobile": False},
    "phone": {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
}
DATED = {  # "last 12 weeks (Sep 13–Dec 5, 2026)", "12 dernières semaines (13 sept. – 5 déc. 2026)"
    "en": re.compile(r"last 12 weeks \([A-Z][a-z]{2} \d{1,2}\D+\d{1,2}, \d{4}\)"),
    "fr": re.compile(r"12 dernières semaines \(\d{1,2} \D+\d{1,2} \D+ \d{4}\)"),
}


def _text(driver: Chrome, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, element_id).text)


def _lang(lang: str) -> str:
    return "&lang=fr" if lang == "fr" else ""


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest, browser: Chrome) -> Iterator[str]:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORTS[request.param])
    try:
        yield str(request.param)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_search_interest_says_for_each_topic_whether_it_grows_here(
    server: str, browser: Chrome, viewport: str, lang: str
) -> None:
    driver = browser
    driver.get(server + "/interest?topic=pmp,data-science,smart-serve&region=CA-ON" + _lang(lang))
    answers = wait(
        driver,
        lambda d: (
            [li.text for li in d.find_elements("css selector", ".growth-answers li")]
            if len(d.find_elements("css selector", ".growth-answers li")) == 3
            else None
        ),
    )
    if lang == "en":
        assert all(" on a year ago in Ontario" in a for a in answers), answers
        assert all(("the noise" in a) or ("not enough history" in a) for a in answers), answers
        assert any(a.startswith("Data science: ") for a in answers)
    else:
        assert all("(Ontario) : " in a and "sur un an" in a for a in answers), answers
        assert any(a.startswith("Science des données (Ontario)") for a in answers)
    section = _text(driver, "interest-answers")
    assert re.search(r"\d{4}", section) and ("95" in section)  # the weeks compared, dated
    # the same figure as Overview's risers for the same topic and region
    science = "Data science" if lang == "en" else "Science des données"
    said = re.search(r"(\d+)\s?%", next(a for a in answers if a.startswith(science)))
    driver.get(server + "/?region=CA-ON" + _lang(lang))
    risers = wait(driver, lambda d: _tables(d, "overview-movers") or None)[0]
    shown = next(row[1] for row in risers if row[0] == science)
    assert said and re.sub(r"\D", "", shown) == said.group(1)
    assert not severe(driver)


def _tables(driver: Chrome, element_id: str) -> list[list[list[str]]]:
    """Each table's body cells under an element, as text."""
    return list(
        driver.execute_script(
            f"return [...document.querySelectorAll('#{element_id} table')].map(t =>"
            " [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText)))"
        )
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_overview_shows_one_growth_per_topic_and_dates_its_weeks(
    server: str, browser: Chrome, lang: str
) -> None:
    driver = browser
    driver.get(server + "/?region=CA-ON" + _lang(lang))
    movers = wait(driver, lambda d: _text(d, "overview-movers") or None)
    title = driver.execute_script(
        "const g = document.querySelector('#overview-top-graph .js-plotly-plot');"
        "return g && g.layout ? g.layout.title.text : '';"
    )
    assert DATED[lang].search(title.replace("<br><sup>", " ")), title
    summary = _text(driver, "overview-top-summary")
    assert DATED[lang].search(summary), summary
    assert movers
    note = _text(driver, "overview-growth-note")
    assert ("12 complete weeks" in note) if lang == "en" else ("12 dernières semaines" in note)
    # every topic's change reads the same in risers and in emerging topics
    tables = _tables(driver, "overview-movers")
    risers, emerging = tables[0], tables[2]
    riser_growth = {row[0]: row[1] for row in risers}
    emerging_growth = {row[1]: row[2] for row in emerging}
    shared = set(riser_growth) & set(emerging_growth)
    assert shared
    assert all(riser_growth[name] == emerging_growth[name] for name in shared)
    assert not severe(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_one_topic_across_regions_is_named_and_chosen_and_related_cover_every_region(
    server: str, browser: Chrome, lang: str
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    url = "/interest?compare=regions&topic=pmp,data-science&regions=CA-ON,CA-QC&focus=data-science"
    driver.get(server + url + _lang(lang))
    science = "Data science" if lang == "en" else "Science des données"
    note = wait(driver, lambda d: _text(d, "interest-regions-note") or None)
    assert science in note
    assert driver.find_element(By.ID, "interest-topics-wrap").get_attribute("hidden")
    assert not driver.find_element(By.ID, "interest-focus-wrap").get_attribute("hidden")
    assert science in _text(driver, "interest-focus")
    title = wait(
        driver,
        lambda d: d.execute_script(
            "const g = document.querySelector('#interest-main-graph .js-plotly-plot');"
            "return g && g.layout && g.layout.title ? g.layout.title.text : null;"
        ),
    )
    assert science in title
    answers = wait(
        driver,
        lambda d: (
            [li.text for li in d.find_elements(By.CSS_SELECTOR, ".growth-answers li")] or None
        ),
    )
    assert len(answers) == 2 and all(a.startswith(science) for a in answers)
    related = wait(
        driver,
        lambda d: (
            [h.text for h in d.find_elements(By.CSS_SELECTOR, "#interest-related h3")] or None
        ),
    )
    assert len(related) == 2 and all(science in h for h in related)
    assert {"Ontario", "Quebec" if lang == "en" else "Québec"} <= {
        h.rsplit(" ", 1)[-1] for h in related
    }
    # downloads for every related table
    links = driver.execute_script(
        "return [...document.querySelectorAll('#interest-related a')].map(a => a.href)"
    )
    assert any("/related-top-CA-ON/csv" in link for link in links)
    assert any("/related-rising-CA-QC/xlsx" in link for link in links)
    assert not severe(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_opportunity_score_has_weights_in_the_url_an_interval_ties_and_a_fitting_grid(
    server: str, browser: Chrome, viewport: str, lang: str
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/program-demand?region=CA-ON&w_growth=2&w_supply=0" + _lang(lang))
    breakdown = wait(driver, lambda d: _text(d, "demand-breakdown") or None)
    assert (
        ("search growth 2" in breakdown and "supply 0" in breakdown)
        if lang == "en"
        else ("croissance de la recherche 2" in breakdown and "offre 0" in breakdown)
    )
    header = "Score (95% interval)" if lang == "en" else "Score (intervalle à 95 %)"
    assert header in breakdown
    assert re.search(r"\d[.,]\d\d \(-?\d[.,]\d\d (to|à) -?\d[.,]\d\d\)", breakdown), breakdown
    assert ("Growth rank" in breakdown) if lang == "en" else ("Rang de la croissance" in breakdown)
    assert driver.find_element(By.ID, "demand-weight-growth").text.strip().startswith("2")
    links = driver.execute_script(
        "return [...document.querySelectorAll('#demand-breakdown a')].map(a => a.href)"
    )
    assert any("/download/program-demand/breakdown/csv?" in link for link in links)
    assert all("w_growth=2" in link for link in links)
    if viewport == "desktop":
        # every column, Programs offered included, fits without a sideways scroll
        grid = wait(
            driver,
            lambda d: d.execute_script(
                "const v = document.querySelector('#demand-grid .ag-center-cols-viewport');"
                "const h = [...document.querySelectorAll('#demand-grid .ag-header-cell-text')]"
                ".map(e => e.innerText);"
                "return v && h.length ? [v.scrollWidth, v.clientWidth, h] : null;"
            ),
        )
        scroll_width, client_width, headers = grid
        assert scroll_width <= client_width + 1, grid
        programs = "Programs offered" if lang == "en" else "Programmes offerts"
        assert programs in " ".join(headers).replace("\n", " ")
    assert not severe(driver)


def test_a_changed_weight_goes_into_the_url_and_changes_the_scores(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/program-demand?region=CA-ON")
    before = wait(driver, lambda d: _text(d, "demand-breakdown") or None)
    driver.find_element(By.ID, "demand-weight-level").click()
    options = wait(
        driver,
        lambda d: [
            o for o in d.find_elements(By.CSS_SELECTOR, ".dash-options-list label") if o.text
        ],
    )
    next(o for o in options if o.text.strip() == "0").click()
    wait(driver, lambda d: "w_level=0" in d.current_url)
    after = wait(driver, lambda d: (t := _text(d, "demand-breakdown")) != before and t)
    assert "search level 0" in after
    assert not severe(driver)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_unfinished_month_and_quarter_are_marked_not_shown_as_normal(
    server: str, browser: Chrome, lang: str
) -> None:
    driver = browser
    driver.get(server + "/labour?topic=data-science&region=CA-ON" + _lang(lang))
    table = wait(driver, lambda d: _text(d, "labour-table") or None)
    word = "unfinished" if lang == "en" else "en cours"
    assert f"({word})" in table
    assert (
        ("not over when the data was fetched" in table)
        if lang == "en"
        else ("non terminées" in table)
    )
    symbols = wait(
        driver,
        lambda d: d.execute_script(
            "const g = document.querySelector('#labour-main-graph .js-plotly-plot');"
            "return g && g.data ? g.data.map(t => (t.marker && t.marker.symbol) || '') : null;"
        ),
    )
    assert any(isinstance(s, list) and "circle-open" in s for s in symbols)
    assert not severe(driver)


@pytest.mark.parametrize("path", ["/", "/interest?topic=pmp&region=CA-ON", "/boards/test-board"])
def test_copy_link_copies_the_current_view_or_selects_it(
    server: str, browser: Chrome, viewport: str, path: str
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + path)
    button = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".copy-link-button"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    # no clipboard permission or API (plain http elsewhere): the link is selected instead
    driver.execute_script(
        "Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});"
        "document.execCommand = () => false;"
    )
    button.click()
    status = wait(driver, lambda d: "Ctrl+C" in _text(d, "share-link") and _text(d, "share-link"))
    assert "The link is selected" in status
    selected = driver.execute_script(
        "const f = document.querySelector('.share-link input');"
        "return [f.value, document.activeElement === f, f.selectionStart, f.selectionEnd,"
        " window.location.href];"
    )
    value, focused, start, end, href = selected
    assert value == href and focused and start == 0 and end == len(value)
    box = driver.execute_script(
        "const r = document.querySelector('.share-link').getBoundingClientRect();"
        "return [r.left, r.right, window.innerWidth];"
    )
    assert box[0] >= 0 and box[1] <= box[2] + 0.5  # inside the screen at 390 px too
    assert not severe(driver)


def test_copy_link_follows_the_controls(server: str, browser: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/program-demand?region=CA-ON&w_vacancy=3")
    wait(driver, lambda d: _text(d, "demand-breakdown") or None)
    driver.execute_script(
        "Object.defineProperty(navigator, 'clipboard', {value: {writeText: t =>"
        " { window.__copied = t; return Promise.resolve(); }}, configurable: true});"
    )
    driver.find_element(By.CSS_SELECTOR, ".copy-link-button").click()
    wait(driver, lambda d: "Link copied." in _text(d, "share-link"))
    copied = driver.execute_script("return window.__copied")
    assert copied == driver.current_url and "w_vacancy=3" in copied
