"""Drive a running credtrends dashboard with a realistic mix of page loads and callbacks.

The callback bodies are built from the running app itself, as the browser builds them:
``/_dash-dependencies`` lists the callbacks, the router callback returns each page's
layout, and a callback is sent for a page when all its inputs are on that page, with the
values the layout holds (a dropdown's value drawn from its own options). Nothing names a
component, so a renamed output never turns into a stream of 500s.

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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PAGE_PATHS = ["/", "/interest", "/regions", "/labour", "/program-demand", "/data", "/boards"]
OTHER_GETS = ["/_dash-layout", "/_dash-dependencies"]
UPDATE = "/_dash-update-component"


@dataclass(frozen=True)
class PageCallback:
    """A server callback of one page, with the page's components (id -> props)."""

    spec: dict[str, Any]
    components: dict[str, dict[str, Any]]


def _connect(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    if parts.hostname is None:
        raise ValueError(f"not a server address: {base!r}")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _request(
    connection: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    return response.status, response.read()


def layout_components(node: Any, found: dict[str, dict[str, Any]]) -> None:
    """Every component with a (string) id in a serialised layout: id -> props."""
    if isinstance(node, list):
        for item in node:
            layout_components(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if "type" in node and isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found.setdefault(props["id"], props)
            for value in props.values():
                layout_components(value, found)
        else:
            for value in node.values():
                layout_components(value, found)


def output_targets(output: str) -> list[dict[str, str]]:
    """A callback's ``output`` string ("a.b" or "..a.b...c.d..") as id/property pairs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]


def router_body(router: dict[str, Any], path: str) -> dict[str, Any]:
    values = {"pathname": path, "search": ""}
    return {
        "output": router["output"],
        "outputs": output_targets(router["output"]),
        "inputs": [{**item, "value": values.get(item["property"])} for item in router["inputs"]],
        "state": [{**item, "value": None} for item in router["state"]],
        "changedPropIds": ["_pages_location.pathname"],
    }


def discover(base: str, paths: list[str]) -> tuple[dict[str, Any], list[PageCallback]]:
    """The router callback and every page callback whose inputs are all on its page."""
    connection = _connect(base)
    _request(connection, "GET", "/")  # Dash registers the page callbacks on first request
    status, raw = _request(connection, "GET", "/_dash-dependencies")
    if status != 200:
        raise RuntimeError(f"/_dash-dependencies answered {status}")
    dependencies: list[dict[str, Any]] = json.loads(raw)
    router = next(
        spec
        for spec in dependencies
        if {"id": "_pages_location", "property": "pathname"} in spec["inputs"]
    )
    callbacks: list[PageCallback] = []
    for path in paths:
        status, raw = _request(connection, "POST", UPDATE, router_body(router, path))
        if status != 200:
            raise RuntimeError(f"the router callback for {path} answered {status}")
        components: dict[str, dict[str, Any]] = {}
        layout_components(json.loads(raw), components)
        for spec in dependencies:
            if spec is router or spec.get("clientside_function"):
                continue
            needed = [item["id"] for item in spec["inputs"] + spec["state"]]
            if needed and all(isinstance(i, str) and i in components for i in needed):
                callbacks.append(PageCallback(spec, components))
    connection.close()
    if not callbacks:
        raise RuntimeError("no page callback found: is this a credtrends dashboard?")
    return router, callbacks


def _value(props: dict[str, Any], prop: str, rng: random.Random) -> Any:
    options = props.get("options")
    if prop == "value" and isinstance(options, list) and options:
        values = [o.get("value") if isinstance(o, dict) else o for o in options]
        if props.get("multi") or isinstance(props.get("value"), list):
            return rng.sample(values, rng.randint(1, min(3, len(values))))
        return rng.choice(values)
    return props.get(prop)


def callback_body(callback: PageCallback, rng: random.Random) -> dict[str, Any]:
    spec = callback.spec

    def entries(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [
            {**item, "value": _value(callback.components[item["id"]], item["property"], rng)}
            for item in items
        ]

    inputs = entries(spec["inputs"])
    changed = rng.choice(inputs)
    outputs = output_targets(spec["output"])
    return {
        "output": spec["output"],
        "outputs": outputs if spec["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": entries(spec["state"]),
        "changedPropIds": [f"{changed['id']}.{changed['property']}"],
    }


def client(
    base: str,
    deadline: float,
    seed: int,
    plan: tuple[dict[str, Any], list[PageCallback]],
    latencies: list[float],
    errors: list[str],
) -> None:
    router, callbacks = plan
    connection = _connect(base)
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        roll = rng.random()
        start = time.perf_counter()
        try:
            if roll < 0.25:
                status, _ = _request(connection, "GET", rng.choice(PAGE_PATHS + OTHER_GETS))
            elif roll < 0.3:
                body = router_body(router, rng.choice(PAGE_PATHS))
                status, _ = _request(connection, "POST", UPDATE, body)
            else:
                body = callback_body(rng.choice(callbacks), rng)
                status, _ = _request(connection, "POST", UPDATE, body)
            if status not in (200, 204):
                errors.append(f"HTTP {status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            connection.close()
            connection = _connect(base)
            continue
        latencies.append((time.perf_counter() - start) * 1000)


def run(base: str, seconds: float, concurrency: int) -> dict[str, Any]:
    plan = discover(base, PAGE_PATHS)
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(base, deadline, i, plan, latencies, errors))
        for i in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    # HTTP errors were timed (they are in latencies); lost connections were not
    total = len(latencies) + sum(not kind.startswith("HTTP") for kind in errors)
    return {
        "requests": total, "errors": len(errors), "error_kinds": sorted(set(errors)),
        "error_rate": len(errors) / total if total else 0.0, "callbacks": len(plan[1]),
        "rps": total / elapsed, "p50": q[49], "p95": q[94], "p99": q[98],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="e.g. http://127.0.0.1:8050")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.base, args.seconds, args.concurrency)))


if __name__ == "__main__":
    main()
