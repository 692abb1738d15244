"""Phones (390 px): no page is wider than the screen, in either language, and the header
keeps the language switch visible inside it (the navigation scrolls on its own line)."""

from __future__ import annotations

import time

import pytest

PAGES = ["/", "/interest", "/regions", "/labour", "/program-demand", "/data", "/boards"]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def _settled_width(driver: object) -> tuple[int, int]:
    """The layout's width once the page's charts have drawn (it can grow as they do)."""
    widths = []
    for _ in range(20):
        widths.append(
            driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        )
        if len(widths) >= 4 and len(set(widths[-4:])) == 1 and widths[-1] > 0:
            break
        time.sleep(0.5)
    header = driver.execute_script(  # type: ignore[attr-defined]
        "const h = document.querySelector('.site-header').getBoundingClientRect();"
        "const s = document.getElementById('language-switch').getBoundingClientRect();"
        "return s.right <= h.right + 0.5 && s.bottom <= h.bottom + 0.5 && s.width > 0 ? 1 : 0;"
    )
    return int(widths[-1]), int(header)


@pytest.mark.parametrize("lang", ["", "fr"])
def test_no_page_is_wider_than_a_phone(server: str, browser: object, lang: str) -> None:
    driver = browser
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)  # type: ignore[attr-defined]
    try:
        for path in PAGES:
            driver.get(server + path + (f"?lang={lang}" if lang else ""))  # type: ignore[attr-defined]
            width, switch_inside = _settled_width(driver)
            assert width <= PHONE["width"], f"{path} lang={lang or 'en'} is {width} px wide"
            assert switch_inside, f"{path}: the language switch falls outside the header"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # type: ignore[attr-defined]
