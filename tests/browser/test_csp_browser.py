"""The Content-Security-Policy in a real Chromium: every page and an embedded chart draw
without a single violation, and a script injected into a page is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver import Chrome

from tests.helpers import console, wait

pytestmark = pytest.mark.browser

RECORD = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e =>"
    " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
PAGES = ["/", "/interest", "/regions", "/labour", "/program-demand", "/data", "/boards"]


@pytest.fixture
def recording(browser: Chrome) -> Iterator[Chrome]:
    """The browser, recording CSP violations from the start of every document."""
    command = browser.execute_cdp_cmd
    added = command("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
    try:
        yield browser
    finally:
        command("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def _charts_drawn(driver: Chrome) -> bool:
    script = (
        "return document.querySelector('._dash-loading') === null &&"
        " document.querySelectorAll('#_pages_content *').length > 20;"
    )
    return bool(driver.execute_script(script))


@pytest.mark.parametrize("path", PAGES)
def test_pages_draw_without_a_policy_violation(server: str, recording: Chrome, path: str) -> None:
    driver = recording
    driver.get(server + path)
    wait(driver, _charts_drawn)
    assert driver.execute_script("return window.__csp") == []


def test_embedded_chart_draws_and_injected_scripts_are_refused(
    server: str, recording: Chrome
) -> None:
    driver = recording
    driver.get(server + "/embed/interest/main?topic=pmp")
    wait(driver, lambda d: d.execute_script("return !!document.querySelector('.main-svg')"))
    assert driver.execute_script("return window.__csp") == []
    driver.get(server + "/interest")
    wait(driver, _charts_drawn)
    driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s);"
    )
    wait(driver, lambda d: d.execute_script("return window.__csp.length > 0"), timeout=5)
    assert driver.execute_script("return window.__injected") is None
    assert "script-src" in str(driver.execute_script("return window.__csp"))
    console(driver)  # the refusal is logged as an error: expected here
