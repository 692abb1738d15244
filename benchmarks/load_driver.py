"""Drive a running credtrends dashboard with a realistic mix of page loads and callbacks.

Run as its own process (the load test starts it), so the client's CPU is not the server's
Python interpreter. Prints one JSON line: requests, errors, requests/s, p50/p95/p99 (ms).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from urllib.parse import urlsplit

TOPICS = ["pmp", "cpr", "food-handler", "whmis", "smart-serve", "data-science", "python",
          "cybersecurity", "payroll", "accounting", "leadership", "healthcare"]  # fmt: skip
REGIONS = ["CA", "CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-MB", "CA-NS"]
PAGES = ["/", "/interest", "/data", "/_dash-layout", "/_dash-dependencies"]


def interest_callback(rng: random.Random) -> dict[str, object]:
    return {
        "output": "..interest-graph.figure...interest-synthetic-banner.hidden"
        "...interest-summary.children..",
        "outputs": [
            {"id": "interest-graph", "property": "figure"},
            {"id": "interest-synthetic-banner", "property": "hidden"},
            {"id": "interest-summary", "property": "children"},
        ],
        "inputs": [
            {
                "id": "interest-topics",
                "property": "value",
                "value": rng.sample(TOPICS, rng.randint(1, 4)),
            },
            {"id": "interest-region", "property": "value", "value": rng.choice(REGIONS)},
            {"id": "interest-show-forecast", "property": "value", "value": ["forecast"]},
        ],
        "changedPropIds": ["interest-topics.value"],
        "state": [],
    }


def overview_callback(rng: random.Random) -> dict[str, object]:
    return {
        "output": "..overview-top-topics.figure...overview-movers.children..."
        "overview-synthetic-banner.hidden...overview-freshness.children..",
        "outputs": [
            {"id": "overview-top-topics", "property": "figure"},
            {"id": "overview-movers", "property": "children"},
            {"id": "overview-synthetic-banner", "property": "hidden"},
            {"id": "overview-freshness", "property": "children"},
        ],
        "inputs": [{"id": "overview-region", "property": "value", "value": rng.choice(REGIONS)}],
        "changedPropIds": ["overview-region.value"],
        "state": [],
    }


def client(
    base: str, deadline: float, seed: int, latencies: list[float], errors: list[str]
) -> None:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        roll = rng.random()
        start = time.perf_counter()
        try:
            if roll < 0.3:
                connection.request("GET", rng.choice(PAGES))
            else:
                body = interest_callback(rng) if roll < 0.8 else overview_callback(rng)
                connection.request("POST", "/_dash-update-component", json.dumps(body),
                                   {"Content-Type": "application/json"})  # fmt: skip
            response = connection.getresponse()
            response.read()
            if response.status not in (200, 204):
                errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            continue
        latencies.append((time.perf_counter() - start) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=client, args=(args.base, deadline, i, latencies, errors))
        for i in range(args.concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(json.dumps({
        "requests": len(latencies), "errors": len(errors), "error_kinds": sorted(set(errors)),
        "rps": len(latencies) / elapsed, "p50": q[49], "p95": q[94], "p99": q[98],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
