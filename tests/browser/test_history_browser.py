"""Back and Forward step through the views a reader made, restoring controls and chart.

Each change of a control pushes a history entry (``components/url_state.py``); Back and
Forward redraw the page from the URL (``assets/history.js``). Uses the shared demo server
and Chromium from ``conftest.py``.
"""

from __future__ import annotations

import pytest
from selenium.webdriver import Chrome

from tests.helpers import choose, severe, wait

pytestmark = pytest.mark.browser


def _checked(driver: Chrome) -> list[str]:
    return list(
        driver.execute_script(
            "return [...document.querySelectorAll('#interest-granularity input:checked,"
            " #interest-period input:checked')].map(i => i.value)"
        )
    )


def _x_title(driver: Chrome) -> str:
    return str(
        driver.execute_script(
            "const g = document.querySelector('#interest-main-graph .js-plotly-plot');"
            "const t = g && g.layout && g.layout.xaxis && g.layout.xaxis.title;"
            "return t ? (t.text || '') : '';"
        )
    )


def _view_is(driver: Chrome, granularity: str, period: str, axis: str) -> bool:
    url = driver.current_url
    return (
        f"granularity={granularity}" in url
        and f"period={period}" in url
        and _checked(driver) == [granularity, period]
        and _x_title(driver) == axis
    )


def test_back_and_forward_step_through_views_and_restore_controls(
    server: str, browser: Chrome
) -> None:
    driver = browser
    # A tab of its own: Chromium keeps at most 50 entries, which the shared tab has used up.
    shared_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    try:
        _step_through_views(server, driver)
    finally:
        driver.close()
        driver.switch_to.window(shared_tab)


def _step_through_views(server: str, driver: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server + "/interest?topic=pmp&utm_source=x")
    wait(driver, lambda d: _view_is(d, "week", "5y", "Week"))
    start = driver.execute_script("return history.length")
    driver.find_element(By.CSS_SELECTOR, "#interest-granularity input[value=month]").click()
    wait(driver, lambda d: _view_is(d, "month", "5y", "Month"))
    driver.find_element(By.CSS_SELECTOR, "#interest-period input[value='2y']").click()
    wait(driver, lambda d: _view_is(d, "month", "2y", "Month"))
    # One entry per change; opening the page (and tidying its URL) added none.
    assert driver.execute_script("return history.length") == start + 2
    driver.back()
    wait(driver, lambda d: _view_is(d, "month", "5y", "Month"))
    driver.back()
    wait(driver, lambda d: _view_is(d, "week", "5y", "Week"))
    assert "utm_source" not in driver.current_url
    driver.forward()
    wait(driver, lambda d: _view_is(d, "month", "5y", "Month"))
    driver.forward()
    wait(driver, lambda d: _view_is(d, "month", "2y", "Month"))
    assert not severe(driver)


def _text(driver: Chrome, element_id: str) -> str:
    """An element's text, read in one step (Back redraws the page under a held element)."""
    script = "const e = document.getElementById(arguments[0]); return e ? e.innerText : '';"
    return str(driver.execute_script(script, element_id))


def test_back_restores_a_dropdown_choice(server: str, browser: Chrome) -> None:
    driver = browser
    driver.get(server + "/labour?topic=data-science&region=CA-ON")
    wait(driver, lambda d: "Ontario" in _text(d, "labour-main-summary"))
    choose(driver, "labour-region", "Quebec")
    wait(driver, lambda d: "region=CA-QC" in d.current_url)
    wait(driver, lambda d: "Quebec" in _text(d, "labour-main-summary"))
    driver.back()
    wait(driver, lambda d: "region=CA-ON" in d.current_url)
    wait(driver, lambda d: "Ontario" in _text(d, "labour-main-summary"))
    assert "Ontario" in _text(driver, "labour-region")
    driver.forward()
    wait(driver, lambda d: "Quebec" in _text(d, "labour-main-summary"))
    assert "Quebec" in _text(driver, "labour-region")
    assert not severe(driver)
