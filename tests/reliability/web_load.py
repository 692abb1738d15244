"""Concurrent clients for the web batteries: the load driver's request mix, every answer
recorded with its start time, so each phase of a fault (before, during, after) is counted.
"""

from __future__ import annotations

import http.client
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import load_driver  # benchmarks/ is a folder of scripts, not a package


@dataclass(frozen=True)
class Answer:
    started: float  # time.monotonic() when sent
    seconds: float
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)
    kind: str  # "page", "router" or "callback"


@dataclass
class Load:
    """``clients`` threads sending the mix to 127.0.0.1:``port`` until ``stop()``."""

    port: int
    clients: int = 20
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.plan = load_driver.discover(f"http://127.0.0.1:{self.port}", load_driver.PAGE_PATHS)

    def _one(self, connection: http.client.HTTPConnection, rng: random.Random) -> tuple[int, str]:
        router, callbacks = self.plan
        roll = rng.random()
        if roll < 0.25:
            path = rng.choice(load_driver.PAGE_PATHS + load_driver.OTHER_GETS)
            return load_driver._request(connection, "GET", path)[0], "page"
        if roll < 0.3:
            body: Any = load_driver.router_body(router, rng.choice(load_driver.PAGE_PATHS))
            return load_driver._request(connection, "POST", load_driver.UPDATE, body)[0], "router"
        body = load_driver.callback_body(rng.choice(callbacks), rng)
        return load_driver._request(connection, "POST", load_driver.UPDATE, body)[0], "callback"

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status, kind = self._one(connection, rng)
            except (OSError, http.client.HTTPException):
                status, kind = 0, "?"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                time.sleep(0.05)
            with self._lock:
                self.answers.append(Answer(started, time.monotonic() - started, status, kind))

    def start(self) -> None:
        for seed in range(self.clients):
            thread = threading.Thread(target=self._client, args=(seed,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=150)

    def between(self, start: float, end: float) -> list[Answer]:
        """The answers received (not sent) from ``start`` to ``end``."""
        with self._lock:
            return [a for a in self.answers if start <= a.started + a.seconds < end]


def summary(answers: list[Answer]) -> str:
    by_status: dict[int, int] = {}
    for answer in answers:
        by_status[answer.status] = by_status.get(answer.status, 0) + 1
    slowest = max((a.seconds for a in answers), default=0.0)
    fives = sum(n for s, n in by_status.items() if s >= 500)
    return (
        f"{len(answers)} requests, by status {dict(sorted(by_status.items()))}, "
        f"5xx: {fives}, slowest {slowest:.2f} s"
    )
