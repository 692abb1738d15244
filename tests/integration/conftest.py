"""Fixtures shared by the integration tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import FIXTURES


@pytest.fixture
def job_env(
    engine: sa.Engine, warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Child commands see the same warehouse and the small test catalogue; returns jobs dir."""
    config = tmp_path / "config"
    config.mkdir()
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    monkeypatch.setenv("CREDTRENDS_CONFIG_DIR", str(config))
    monkeypatch.setenv("CREDTRENDS_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("CREDTRENDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDTRENDS_JOBS_DIR", str(jobs))
    monkeypatch.setenv("CREDTRENDS_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("CREDTRENDS_DASHBOARDS_DIR", str(FIXTURES / "dashboards"))
    return jobs
