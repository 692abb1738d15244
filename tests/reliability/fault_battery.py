"""Fault battery for Google Trends fetching: prints what a user would see, with figures.

1. 429 storm with Retry-After: every answer is HTTP 429 asking for a wait. The waits are
   honoured exactly, the run stops at the storm bound, and the warehouse is unchanged.
   A Retry-After beyond the cap stops at once and says when to resume.
2. Captcha on every request (Google's "unusual traffic" page with HTTP 200, and a 302 to
   /sorry/): stops at the same bound and says "captcha".
3. kill -9 then rerun: the CLI (SerpApi backend, fake SerpApi on 127.0.0.1) is SIGKILLed
   mid-run; the rerun fetches only what is missing and ends with the same calibrated
   series as an uninterrupted run.

Run: ``PYTHONPATH=src python -m tests.reliability.fault_battery``. No network is used.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.errors import RateLimited
from credtrends.pipelines.trends import fetch_trends
from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher, PytrendsBackend
from credtrends.sources.google_trends.pytrends_backend import PytrendsSessionTransport
from credtrends.sources.google_trends.serpapi_backend import RequestsTransport, SerpApiBackend
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.load import count_rows
from credtrends.warehouse.migrate import upgrade_warehouse
from credtrends.warehouse.schema import raw_payloads, search_interest, search_interest_batches
from tests.helpers import FIXTURES
from tests.reliability.fakes import (
    CAPTCHA_HTML,
    WINDOW,
    Answer,
    FakeSerpApiServer,
    scripted_session,
    serpapi_responder,
)

CATALOGUE = FIXTURES / "catalogue"
KEY = "battery-key-0123456789abcdef"
REGIONS = ["CA", "CA-ON", "CA-QC", "CA-NU"]


def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE / "topics.yaml", CATALOGUE / "regions.yaml")


def fresh_warehouse(directory: Path, cat: Catalogue) -> sa.Engine:
    engine = create_warehouse_engine(f"sqlite:///{directory / 'battery.sqlite'}")
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, cat)
    return engine


def table_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: count_rows(connection, t)
            for t in (raw_payloads, search_interest_batches, search_interest)
        }


class FakeClock:
    """Monotonic time that moves only when the fetcher sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class StormFigures:
    requests_sent: int
    retry_after_waits: list[float]
    stopped: str
    rows_changed: int
    too_long_requests_sent: int
    too_long_message: str


def storm_with_retry_after(workdir: Path, *, retry_after: str = "7") -> StormFigures:
    """A warehouse with one good run, then a 429 storm: waits honoured, nothing changes."""
    cat = catalogue()
    engine = fresh_warehouse(workdir, cat)

    def fetcher(responder: Any, clock: FakeClock, cap: float = 900.0) -> tuple[PoliteFetcher, Any]:
        session, adapter = scripted_session(responder)
        backend = SerpApiBackend(
            SecretStr(KEY), transport=RequestsTransport(session), base_url="https://serpapi.test/s"
        )
        policy = PacingPolicy(
            min_interval_s=1.0, jitter_s=0.0, storm_threshold=3, max_attempts=4,
            retry_after_cap_s=cap,
        )  # fmt: skip
        return PoliteFetcher(backend, policy, clock=clock, sleep=clock.sleep), adapter

    good, _ = fetcher(lambda m, u, p: serpapi_responder(p), FakeClock())
    fetch_trends(engine, cat, REGIONS, WINDOW, "run-good", good, 24.0, lambda _: None)
    before = table_counts(engine)
    headers = {"Content-Type": "application/json", "Retry-After": retry_after}
    storm = Answer(429, b'{"error": "Too many requests."}', headers)
    clock = FakeClock()
    polite, adapter = fetcher(lambda m, u, p: storm, clock)
    try:
        fetch_trends(engine, cat, REGIONS, WINDOW, "run-storm", polite, 0.0, lambda _: None)
        stopped = "not stopped"
    except RateLimited as exc:
        stopped = str(exc)
    after = table_counts(engine)
    long_headers = {"Content-Type": "application/json", "Retry-After": "5000"}
    long_answer = Answer(429, b'{"error": "Too many requests."}', long_headers)
    long_polite, long_adapter = fetcher(lambda m, u, p: long_answer, FakeClock(), cap=900.0)
    try:
        fetch_trends(engine, cat, REGIONS, WINDOW, "run-long", long_polite, 0.0, lambda _: None)
        too_long = "not stopped"
    except RateLimited as exc:
        too_long = str(exc)
    final = table_counts(engine)
    engine.dispose()
    return StormFigures(
        requests_sent=len(adapter.calls),
        retry_after_waits=list(polite.waits),
        stopped=stopped,
        rows_changed=sum(abs(after[n] - before[n]) + abs(final[n] - before[n]) for n in before),
        too_long_requests_sent=len(long_adapter.calls),
        too_long_message=too_long,
    )


@dataclass
class CaptchaFigures:
    requests_sent_200: int
    message_200: str
    requests_sent_302: int
    message_302: str
    rows_changed: int


def captcha_everywhere(workdir: Path) -> CaptchaFigures:
    """Google answers its captcha page to every request (HTTP 200, then a 302 to /sorry/)."""
    cat = catalogue()
    engine = fresh_warehouse(workdir, cat)
    before = table_counts(engine)
    results: list[tuple[int, str]] = []
    for mode in ("200", "302"):

        def responder(method: str, url: str, params: dict[str, str], mode: str = mode) -> Answer:
            if mode == "302" and "/sorry/" not in url:
                return Answer(
                    302, b"", {"Location": "https://www.google.com/sorry/index?continue=x"}
                )
            return Answer(200, CAPTCHA_HTML, {"Content-Type": "text/html; charset=UTF-8"})

        session, adapter = scripted_session(responder)
        transport = PytrendsSessionTransport(session=session)
        clock = FakeClock()
        polite = PoliteFetcher(
            PytrendsBackend(transport=transport),
            PacingPolicy(min_interval_s=1.0, jitter_s=0.0, storm_threshold=3),
            clock=clock,
            sleep=clock.sleep,
        )
        try:
            fetch_trends(engine, cat, REGIONS, WINDOW, f"run-{mode}", polite, 0.0, lambda _: None)
            message = "not stopped"
        except RateLimited as exc:
            message = str(exc)
        explores = [c for c in adapter.calls if c[1].endswith("/api/explore")]
        results.append((len(explores), message))
    after = table_counts(engine)
    engine.dispose()
    return CaptchaFigures(
        requests_sent_200=results[0][0],
        message_200=results[0][1],
        requests_sent_302=results[1][0],
        message_302=results[1][1],
        rows_changed=sum(abs(after[k] - before[k]) for k in before),
    )


@dataclass
class KillFigures:
    planned: int
    landed_before_kill: int
    fetched_by_rerun: int
    missing_after_kill: int
    identical: bool
    key_in_warehouse: bool


def _cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "credtrends", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(root: Path, server: FakeSerpApiServer) -> dict[str, str]:
    config = root / "config"
    config.mkdir(parents=True)
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(CATALOGUE / name, config / name)
    return {
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(root / "data"),
        "CREDTRENDS_DATABASE_URL": "",
        "CREDTRENDS_LOG_LEVEL": "WARNING",
        "CREDTRENDS_SERPAPI_API_KEY": KEY,
        "CREDTRENDS_SERPAPI_BASE_URL": server.url,
        "CREDTRENDS_NO_PROGRESS": "1",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }


INGEST = ("ingest", "trends", "--backend", "serpapi", "--timeframe", WINDOW, "--min-interval")


def _sqlite(root: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(root / "data" / "credtrends.sqlite") as connection:
        return connection.execute(query).fetchall()


def _series(root: Path) -> list[tuple[Any, ...]]:
    return _sqlite(
        root,
        "select topic_id, region_code, period_start, calibrated_value, calibrated_low, "
        "calibrated_high from search_interest order by 1, 2, 3",
    )


def kill_then_rerun(workdir: Path, *, interval: str = "0.6") -> KillFigures:
    with FakeSerpApiServer() as server:
        clean_root, killed_root = workdir / "clean", workdir / "killed"
        clean_env, killed_env = _env(clean_root, server), _env(killed_root, server)
        for env in (clean_env, killed_env):
            assert _cli(env, "init").wait(120) == 0
        clean = _cli(clean_env, *INGEST, "0")
        _out, err = clean.communicate(timeout=300)
        assert clean.returncode == 0, err
        planned = len(server.calls)
        server.calls.clear()
        victim = _cli(killed_env, *INGEST, interval)
        deadline = time.monotonic() + 120
        landed = 0
        while time.monotonic() < deadline:
            try:
                landed = _sqlite(killed_root, "select count(*) from raw_payloads")[0][0]
            except sqlite3.Error:
                landed = 0
            if landed >= 2:
                break
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=60)
        landed = _sqlite(killed_root, "select count(*) from raw_payloads")[0][0]
        server.calls.clear()
        rerun = _cli(killed_env, *INGEST, "0")
        _out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        fetched = len(server.calls)
        blobs = _sqlite(killed_root, "select payload from raw_payloads")
    return KillFigures(
        planned=planned,
        landed_before_kill=landed,
        fetched_by_rerun=fetched,
        missing_after_kill=planned - landed,
        identical=_series(clean_root) == _series(killed_root) and bool(_series(clean_root)),
        key_in_warehouse=any(KEY.encode() in bytes(blob[0]) for blob in blobs),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "storm").mkdir()
        storm = storm_with_retry_after(root / "storm")
        print("1. 429 storm with Retry-After: 7 (cap 900 s, storm bound 3)")
        print(f"   requests sent: {storm.requests_sent}")
        print(f"   waits between attempts (s): {storm.retry_after_waits}")
        print(f"   warehouse rows changed: {storm.rows_changed}")
        print(f"   message: {storm.stopped}")
        print(f"   Retry-After 5000 > cap: requests sent {storm.too_long_requests_sent}")
        print(f"   message: {storm.too_long_message}")
        (root / "captcha").mkdir()
        captcha = captcha_everywhere(root / "captcha")
        print("2. captcha on every request (storm bound 3)")
        print(f"   HTTP 200 captcha page: explore requests sent {captcha.requests_sent_200}")
        print(f"   message: {captcha.message_200}")
        print(f"   302 to /sorry/: explore requests sent {captcha.requests_sent_302}")
        print(f"   message: {captcha.message_302}")
        print(f"   warehouse rows changed: {captcha.rows_changed}")
        kill = kill_then_rerun(root / "kill")
        print("3. kill -9 then rerun (CLI, SerpApi backend, fake SerpApi on 127.0.0.1)")
        print(f"   requests planned: {kill.planned}")
        print(f"   landed before SIGKILL: {kill.landed_before_kill}")
        print(f"   fetched by the rerun: {kill.fetched_by_rerun}")
        print(f"   missing after the kill: {kill.missing_after_kill}")
        print(f"   calibrated series identical to an uninterrupted run: {kill.identical}")
        print(f"   API key found in the warehouse: {kill.key_in_warehouse}")


if __name__ == "__main__":
    main()
