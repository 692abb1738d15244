"""One demo server and one headless Chromium for every browser test module of the session.

`credtrends demo` then `credtrends serve` run once, as a user runs them, on a throwaway
folder; every test module drives the same Chromium. Before each test the browser's console
log is drained and the tab is blanked, so no test sees another test's page or console errors.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver import Chrome

from tests.helpers import FIXTURES, console, free_port, unavailable

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server did not listen on {port} within {timeout} s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`credtrends demo` then `credtrends serve`, as a user runs them, on a throwaway folder."""
    work = tmp_path_factory.mktemp("browser")
    config = work / "config"
    config.mkdir()
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    port = free_port()
    env = {
        **os.environ,
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(work / "data"),
        "CREDTRENDS_DATABASE_URL": "",
        "CREDTRENDS_PORT": str(port),
        "CREDTRENDS_DASHBOARDS_DIR": str(FIXTURES / "dashboards"),
    }
    cli = [sys.executable, "-m", "credtrends"]
    subprocess.run(
        [*cli, "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=120
    )
    log = (work / "server.log").open("wb")
    process = subprocess.Popen([*cli, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Chrome]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        unavailable(
            "Chromium/ChromeDriver not installed (Debian: apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1300,1000",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(autouse=True)
def _fresh_tab(request: pytest.FixtureRequest) -> None:
    """A blank tab and an empty console log for each test that uses the shared browser."""
    if "browser" not in request.fixturenames:
        return
    driver = request.getfixturevalue("browser")
    driver.get("about:blank")
    console(driver)
