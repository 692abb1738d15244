"""Views as users share and keep them: the URL follows every control and restores the view,
the French UI speaks French, and the download links deliver real files from a click.

Uses the shared demo server and Chromium from ``conftest.py``.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver import Chrome

from tests.helpers import choose, severe, wait

pytestmark = pytest.mark.browser


def _trace_names(driver: Chrome, graph_id: str) -> list[str]:
    script = (
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "return g && g.data ? g.data.map(t => t.name || '') : [];"
    )
    return list(driver.execute_script(script))


def test_controls_write_the_url_and_the_url_restores_the_view(server: str, browser: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/labour?topic=data-science&region=CA-ON&utm_source=newsletter")
    wait(driver, lambda d: "Ontario" in " ".join(_trace_names(d, "labour-main-graph")) or
          len(_trace_names(d, "labour-main-graph")) >= 3)  # fmt: skip
    choose(driver, "labour-region", "Quebec")
    wait(driver, lambda d: "region=CA-QC" in d.current_url)
    shared = driver.current_url
    assert "topic=data-science" in shared and "utm_source" not in shared
    wait(driver, lambda d: "Quebec" in d.find_element(By.ID, "labour-main-summary").text)
    driver.get("about:blank")
    driver.get(shared)  # a colleague opens the shared link
    wait(driver, lambda d: "Quebec" in d.find_element(By.ID, "labour-main-summary").text)
    assert "Quebec" in driver.find_element(By.ID, "labour-region").text
    assert not severe(driver)


def test_interest_view_with_every_control_in_the_url_is_restored(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    url = (
        server + "/interest?compare=regions&topic=pmp&regions=CA-ON,CA-QC"
        "&granularity=month&period=2y&show=errors"
    )
    driver.get(url)
    wait(driver, lambda d: len(_trace_names(d, "interest-main-graph")) >= 2)
    names = _trace_names(driver, "interest-main-graph")
    assert {"Ontario", "Quebec"} <= set(names)
    assert not [n for n in names if "forecast" in n]  # show=errors only
    checked = driver.execute_script(
        "return [...document.querySelectorAll('#interest-granularity input:checked,"
        " #interest-period input:checked')].map(i => i.value)"
    )
    assert checked == ["month", "2y"]
    assert not driver.find_element(By.ID, "interest-regions-wrap").get_attribute("hidden")
    query = driver.current_url.split("?", 1)[1]
    for part in ("compare=regions", "granularity=month", "period=2y", "regions=CA-ON,CA-QC"):
        assert part in query
    assert not severe(driver)


def test_the_monthly_forecast_is_drawn_with_its_accuracy_and_hover_intervals(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/interest?topic=pmp&region=CA-ON&granularity=month&show=forecast")
    wait(driver, lambda d: any("forecast" in n for n in _trace_names(d, "interest-main-graph")))
    forecast = next(n for n in _trace_names(driver, "interest-main-graph") if "forecast" in n)
    assert "_seasonal" not in forecast and "+" not in forecast  # a readable model name
    hover = driver.execute_script(
        "const g = document.querySelector('#interest-main-graph .js-plotly-plot');"
        "return g.data.filter(t => (t.name || '').includes('forecast'))[0].hovertemplate;"
    )
    assert "80% interval: %{customdata[0]:.1f}" in hover and "95% interval" in hover
    caveats = wait(driver, lambda d: d.find_element(By.ID, "interest-caveats").text)
    assert "In backtests this forecast was" in caveats and "than repeating last year" in caveats
    assert "The month forecast is the mean of the weekly forecast" in caveats
    assert not severe(driver)


def test_french_ui_shows_french_labels_numbers_and_switches_back(
    server: str, browser: Chrome
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/?region=CA-ON&lang=fr")
    wait(driver, lambda d: "Plus fortes hausses" in d.find_element(By.TAG_NAME, "main").text)
    assert driver.execute_script("return document.documentElement.lang") == "fr"
    assert driver.title.startswith("Vue d'ensemble")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Vue d'ensemble" in main and "Données de démonstration synthétiques" in main
    assert " %" in driver.find_element(By.ID, "overview-movers").text  # "+12 %"
    nav = driver.find_element(By.TAG_NAME, "nav").text
    assert "Intérêt de recherche" in nav and "Search interest" not in nav
    figure_text = driver.find_element(By.ID, "overview-top-graph").text
    assert "DONNÉES SYNTHÉTIQUES" in figure_text
    driver.find_element(By.ID, "language-switch").click()
    wait(driver, lambda d: "Fastest risers" in d.find_element(By.TAG_NAME, "main").text)
    assert "lang=fr" not in driver.current_url and "region=CA-ON" in driver.current_url
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert not severe(driver)


def _download_dir(driver: Chrome, folder: Path) -> None:
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )


def _downloaded(folder: Path, suffix: str, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file in {folder}: {list(folder.iterdir())}")


@pytest.mark.parametrize(
    ("label", "suffix", "check"),
    [
        ("PNG", ".png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
        ("PDF", ".pdf", lambda data: data.startswith(b"%PDF")),
        ("CSV (all data)", ".csv", lambda data: b"synthetic-demo" in data),
    ],
)
def test_download_links_deliver_valid_files(
    server: str,
    browser: Chrome,
    tmp_path: Path,
    label: str,
    suffix: str,
    check: Callable[[bytes], bool],
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    _download_dir(driver, tmp_path)
    driver.get(server + "/regions?topic=pmp")
    link = wait(
        driver,
        lambda d: next(
            (
                a
                for a in d.find_elements(By.CSS_SELECTOR, "#regions-map-tools a")
                if a.text == label
            ),
            None,
        ),
    )
    link.click()
    data = _downloaded(tmp_path, suffix).read_bytes()
    assert check(data)
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        assert {"region_code", "is_synthetic"} <= set(rows[0]) or "region_code" in rows[0]
    assert not severe(driver)


def test_whole_view_report_downloads_as_one_pdf(
    server: str, browser: Chrome, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    _download_dir(driver, tmp_path)
    driver.get(server + "/interest?topic=pmp,data-science&region=CA-ON&lang=fr")
    link = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#interest-report a"))[0]
    assert "rapport PDF" in link.text
    link.click()
    report = _downloaded(tmp_path, ".pdf").read_bytes()
    assert report.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report)).pages)
    assert "Intérêt de recherche" in text and "synthetic-demo" in text


def test_embed_code_opens_a_standalone_chart(server: str, browser: Chrome) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(server + "/interest?topic=pmp&region=CA-ON")
    code = wait(
        driver,
        lambda d: d.find_element(By.ID, "interest-main-embed-code").get_attribute("textContent"),
    )
    assert code.startswith("<iframe") and "/embed/interest/main?" in code
    source = code.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    driver.get(source)
    wait(driver, lambda d: d.execute_script(
        "const g = document.querySelector('.js-plotly-plot'); return g && g.data && g.data.length"
    ))  # fmt: skip
    assert "SYNTHETIC" in driver.find_element(By.TAG_NAME, "body").text
    assert not severe(driver)
