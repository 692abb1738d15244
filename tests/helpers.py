"""Plain helpers shared by the tests and the reliability batteries.

Fixtures live in the conftest.py files, which pytest loads itself; tests import these
helpers with ``from tests.helpers import ...``, never from a conftest or another test module.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import numpy as np
import numpy.typing as npt
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.config import Settings
from credtrends.demo.load import forecast_demo, load_demo
from credtrends.pipelines.trends import topic_queries
from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher, TrendsBackend
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import metadata

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
POSTGRES_URL = os.environ.get(
    "CREDTRENDS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine, fail in CI: CI must prove every backend."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required, not skipped)", pytrace=False)
    pytest.skip(reason)


def number(value: object) -> float:
    """A polars aggregate (``min``, ``max``, ``mean``, ``median``, ``quantile``, ``item``, a
    row's cell) as a float. polars types these as any Python value or None, so a test that
    compares one to a number says what it expects; anything else fails the test."""
    if not isinstance(value, int | float | Decimal):
        raise AssertionError(f"expected a number, got {value!r}")
    return float(value)


def day(value: object) -> date:
    """A polars aggregate or cell of a date column as a ``date`` (see ``number``)."""
    if not isinstance(value, date):
        raise AssertionError(f"expected a date, got {value!r}")
    return value


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def schema_differences(engine: sa.Engine) -> list[object]:
    """What Alembic finds between the warehouse and the declared schema ([] when equal)."""
    with engine.connect() as connection:
        return list(
            compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), metadata
            )
        )


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m credtrends ARGS`` as a user runs it, with ``env`` over this environment."""
    return subprocess.run(
        [sys.executable, "-m", "credtrends", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def demo_dashboard(work: Path, topics_yaml: str | None = None) -> tuple[Settings, sa.Engine]:
    """Settings and a SQLite warehouse holding the demo set for the small test catalogue
    (optionally with another topics.yaml), ready for ``create_app``."""
    config = work / "config"
    config.mkdir()
    topics = topics_yaml or (FIXTURES / "catalogue" / "topics.yaml").read_text(encoding="utf-8")
    (config / "topics.yaml").write_text(topics, encoding="utf-8")
    shutil.copy(FIXTURES / "catalogue" / "regions.yaml", config / "regions.yaml")
    settings = Settings(
        config_dir=config,
        data_dir=work / "data",
        dashboards_dir=FIXTURES / "dashboards",
        database_url=f"sqlite:///{work / 'warehouse.sqlite'}",
        cache_type="simple",
    )
    catalogue = load_catalogue(settings.topics_file, settings.regions_file)
    engine = create_warehouse_engine(settings.warehouse_url)
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, catalogue)
    load_demo(engine, catalogue, seed=42, end=date(2025, 6, 1))
    forecast_demo(engine, seed=42)
    return settings, engine


# Google Trends as its web page exports it, for the small test catalogue (INVENTED volumes).
TRENDS_WEEKS = [date(2025, 1, 5) + timedelta(weeks=i) for i in range(40)]
TRENDS_WINDOW = "2025-01-05 2025-10-05"


def true_volumes(catalogue: Catalogue) -> dict[str, npt.NDArray[np.float64]]:
    """Invented weekly volumes per topic query, two orders of magnitude apart."""
    queries = topic_queries(catalogue)
    t = np.arange(len(TRENDS_WEEKS), dtype=np.float64)
    return {
        queries["pmp"]: 500 * (1 + 0.3 * np.sin(t / 5)),
        queries["data-science"]: 60 * (1 + 0.01 * t),
        queries["smart-serve"]: 8 * (1 + 0.4 * np.cos(t / 7)),
    }


def google_csv(
    volumes: dict[str, npt.NDArray[np.float64]], terms: list[str], geo_name: str = "Canada"
) -> bytes:
    """A multiTimeline.csv exactly as the web page exports one batch of ``terms``."""
    peak = max(volumes[term].max() for term in terms)
    lines = [
        "Category: All categories",
        "",
        ",".join(["Week"] + [f"{t}: ({geo_name})" for t in terms]),
    ]
    for i, week in enumerate(TRENDS_WEEKS):
        cells = []
        for term in terms:
            scaled = 100 * volumes[term][i] / peak
            cells.append("<1" if 0 < scaled < 0.5 else str(math.floor(scaled + 0.5)))
        lines.append(",".join([week.isoformat(), *cells]))
    return ("\n".join(lines) + "\n").encode()


def polite(backend: TrendsBackend) -> PoliteFetcher:
    """Real pacing and retry logic with the waiting left out."""
    return PoliteFetcher(backend, PacingPolicy(storm_threshold=2), sleep=lambda _: None)


# The shared headless Chromium of tests/browser/conftest.py (the `browser` fixture).
T = TypeVar("T")


def wait(
    driver: Chrome, condition: Callable[[Chrome], T | Literal[False] | None], timeout: float = 30
) -> T:
    """``condition(driver)`` once it is truthy (polled), else a TimeoutException; a condition
    may answer None or False for "not yet"."""
    found = WebDriverWait(driver, timeout).until(condition)
    assert found is not None  # until() returns a truthy value only
    return found


def console(driver: Chrome) -> list[dict[str, Any]]:
    """The browser console's entries since the last read (reading empties it)."""
    entries: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]  # unannotated in selenium
    return entries


def severe(driver: Chrome) -> list[dict[str, Any]]:
    """The console's errors since the last read."""
    return [entry for entry in console(driver) if entry["level"] == "SEVERE"]


def choose(driver: Chrome, dropdown_id: str, option_text: str) -> None:
    """Open a Dash dropdown and click one of its options, as a user does."""
    driver.find_element(By.ID, dropdown_id).click()
    options = wait(
        driver,
        lambda d: [
            o for o in d.find_elements(By.CSS_SELECTOR, ".dash-options-list label") if o.text
        ],
    )
    next(o for o in options if o.text.strip() == option_text).click()
