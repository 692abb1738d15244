"""The Content-Security-Policy in a real Chromium: every page and an embedded chart draw
without a single violation, and a script injected into a page is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

RECORD = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e =>"
    " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
PAGES = ["/", "/interest", "/regions", "/labour", "/program-demand", "/data", "/boards"]


def _wait(driver: object, condition: object, timeout: float = 30) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)  # type: ignore[arg-type]


@pytest.fixture
def recording(browser: object) -> Iterator[object]:
    """The browser, recording CSP violations from the start of every document."""
    command = browser.execute_cdp_cmd  # type: ignore[attr-defined]
    added = command("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
    try:
        yield browser
    finally:
        command("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def _charts_drawn(driver: object) -> bool:
    script = (
        "return document.querySelector('._dash-loading') === null &&"
        " document.querySelectorAll('#_pages_content *').length > 20;"
    )
    return bool(driver.execute_script(script))  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PAGES)
def test_pages_draw_without_a_policy_violation(server: str, recording: object, path: str) -> None:
    driver = recording
    driver.get(server + path)  # type: ignore[attr-defined]
    _wait(driver, _charts_drawn)
    assert driver.execute_script("return window.__csp") == []  # type: ignore[attr-defined]


def test_embedded_chart_draws_and_injected_scripts_are_refused(
    server: str, recording: object
) -> None:
    driver = recording
    driver.get(server + "/embed/interest/main?topic=pmp")  # type: ignore[attr-defined]
    _wait(driver, lambda d: d.execute_script("return !!document.querySelector('.main-svg')"))
    assert driver.execute_script("return window.__csp") == []  # type: ignore[attr-defined]
    driver.get(server + "/interest")  # type: ignore[attr-defined]
    _wait(driver, _charts_drawn)
    driver.execute_script(  # type: ignore[attr-defined]
        "const s = document.createElement('script');"
        "s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s);"
    )
    _wait(driver, lambda d: d.execute_script("return window.__csp.length > 0"), timeout=5)
    assert driver.execute_script("return window.__injected") is None  # type: ignore[attr-defined]
    assert "script-src" in str(driver.execute_script("return window.__csp"))  # type: ignore[attr-defined]
    driver.get_log("browser")  # the refusal is logged as an error: expected here
