"""The real server in a real headless Chromium: the chart renders with data, the synthetic
banner is visible, the browser console stays clean, and a deep link selects its topics."""

from __future__ import annotations

import pytest
from selenium.webdriver import Chrome

from tests.helpers import console, severe, wait

pytestmark = pytest.mark.browser


def _plotted_points(driver: Chrome) -> int:
    script = (
        "const g = document.querySelector('#interest-main-graph .js-plotly-plot');"
        "if (!g || !g.data) return 0;"
        "return g.data.reduce((n, t) => n + (t.y ? t.y.length : 0), 0);"
    )
    return int(driver.execute_script(script))


def test_chart_renders_with_data_and_synthetic_banner(server: str, browser: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/interest")
    wait(driver, lambda d: _plotted_points(d) > 100)
    banner = driver.find_element(By.ID, "interest-synthetic-banner")
    assert banner.is_displayed()
    assert "Synthetic demo data" in banner.text
    assert "SYNTHETIC DEMO DATA" in driver.find_element(By.ID, "interest-main-graph").text
    summary = driver.find_element(By.ID, "interest-main-summary").text
    assert "synthetic-demo" in summary
    errors = [entry for entry in console(driver) if entry["level"] == "SEVERE"]
    assert errors == []


def test_deep_link_selects_topics_and_region_and_ignores_unknown_parameters(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/interest?topic=smart-serve,<script>&region=CA-ON&utm_source=x")
    wait(driver, lambda d: _plotted_points(d) > 100)
    names = driver.execute_script(
        "return document.querySelector('#interest-main-graph .js-plotly-plot')"
        ".data.map(t => t.name)"
    )
    assert names[0].startswith("Smart Serve")
    assert "Ontario" in driver.find_element(By.ID, "interest-main-graph").text
    assert not severe(driver)


def test_overview_and_data_pages_show_what_the_warehouse_holds(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/?region=CA-ON")

    def bars(d: Chrome) -> int:
        script = (
            "const g = document.querySelector('#overview-top-graph .js-plotly-plot');"
            "return g && g.data && g.data[0] ? g.data[0].x.length : 0;"
        )
        return int(d.execute_script(script))

    wait(driver, lambda d: bars(d) == 3)  # the test catalogue's three topics in Ontario
    assert driver.find_element(By.ID, "overview-synthetic-banner").is_displayed()
    movers = driver.find_element(By.ID, "overview-movers").text
    assert "Fastest risers" in movers and "Fastest fallers" in movers
    freshness = driver.find_element(By.ID, "overview-freshness").text
    assert "synthetic-demo" in freshness and "SYNTHETIC" in freshness
    driver.get(server + "/data")
    wait(driver, lambda d: "Last job runs" in d.find_element(By.TAG_NAME, "main").text)
    page = driver.find_element(By.TAG_NAME, "main").text
    assert "demo" in page and "succeeded" in page and "Calibration" in page
    assert not severe(driver)


def test_regions_page_draws_the_map_offline_with_a_table_alternative(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/regions?topic=pmp")
    script = (
        "const g = document.querySelector('#regions-map-graph .js-plotly-plot');"
        "return g && g.data ? g.data.filter(t => t.type === 'choroplethmap').length : 0;"
    )
    wait(driver, lambda d: int(d.execute_script(script)) >= 1)
    wait(driver, lambda d: "Ontario" in d.find_element(By.ID, "regions-table").text)
    rows = driver.find_elements(By.CSS_SELECTOR, "#regions-table tbody tr")
    assert len(rows) == 4  # Canada and the test catalogue's three provinces
    assert driver.find_element(By.ID, "regions-synthetic-banner").is_displayed()
    assert driver.find_elements(By.CSS_SELECTOR, "#regions-map-graph canvas")
    assert not severe(driver)


def test_labour_page_aligns_interest_vacancies_postings_and_supply(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/labour?topic=data-science&region=CA-ON")
    script = (
        "const g = document.querySelector('#labour-main-graph .js-plotly-plot');"
        "return g && g.data ? g.data.map(t => t.name) : [];"
    )
    wait(driver, lambda d: len(d.execute_script(script)) >= 4)
    names = driver.execute_script(script)
    assert "search interest" in names and "programs offered" in names
    assert any("[21211]" in n and "vacancies" in n for n in names)
    assert any("[21211]" in n and "postings" in n for n in names)
    table = driver.find_element(By.ID, "labour-table").text
    assert "Data scientists" in table
    assert driver.find_element(By.ID, "labour-synthetic-banner").is_displayed()
    assert not severe(driver)


def test_program_demand_page_shows_the_score_formula_grid_and_quadrant(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/program-demand?region=CA-ON")
    wait(driver, lambda d: "Data science" in d.find_element(By.ID, "demand-grid").text)
    page = driver.find_element(By.TAG_NAME, "main").text
    assert "How the score is computed" in page and "percentile ranks" in page
    grid = driver.find_element(By.ID, "demand-grid").text
    assert "Data science" in grid and "Score" in grid
    script = (
        "const g = document.querySelector('#program-demand-quadrant-graph .js-plotly-plot');"
        "return g && g.data && g.data[0] && g.data[0].x ? g.data[0].x.length : 0;"
    )
    wait(driver, lambda d: int(d.execute_script(script)) >= 2)
    assert not severe(driver)


def test_a_yaml_board_renders_as_a_page(server: str, browser: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/boards")
    wait(driver, lambda d: "Test board" in d.find_element(By.TAG_NAME, "main").text)
    driver.get(server + "/boards/test-board")
    script = "return [...document.querySelectorAll('.js-plotly-plot')].map(g => g.data[0].type)"
    wait(driver, lambda d: len(d.execute_script(script)) == 2)
    assert driver.execute_script(script) == ["scatter", "choroplethmap"]
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Level and change" in main and "Synthetic demo data" in main
    assert not severe(driver)
    # An unknown board is an unknown URL: the 404 page, with the site's navigation.
    driver.get(server + "/boards/no-such-board")
    wait(driver, lambda d: "Page not found" in d.find_element(By.TAG_NAME, "main").text)
    assert driver.find_elements(By.CSS_SELECTOR, "header nav a")
    errors = severe(driver)
    assert all("no-such-board" in e["message"] and "404" in e["message"] for e in errors)
