"""Web battery, hostile requests: prints what a hostile client gets from the dashboard.

Against gunicorn x3 on PostgreSQL (the synthetic demo set) and against `credtrends serve`
on SQLite, each on a loopback port of its own:

1. 700 malformed ``/_dash-update-component`` bodies (built from the app's own callback
   list) and 30 bad ``/_dash-component-suites/..`` paths: answers by status, 5xx count
   (target 0), tracebacks in the server log (target 0);
2. a 200 MB body, sent to a callback and to a page: the status (target 413), how much was
   sent before the answer, and the servers' memory before and at its peak (no growth);
3. a spoofed ``Host``: the links in a callback's answer, an embed page, a metadata
   download and the PDF-less routes compared with the real host's (target: no change);
4. security headers on every page type (target: all present), and the Server header.

Run: ``PYTHONPATH=src python -m tests.reliability.battery_web_requests``. Loopback only.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from tests.reliability.malformed_requests import malformed_bodies, valid_body
from tests.reliability.web_services import (
    demo_env,
    demo_postgres,
    free_port,
    gunicorn,
    wait_for_port,
)

BAD_SUITE_PATHS = [
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
    "/_dash-component-suites/dash/dcc/..%5c..%5c..%5cwin.ini",
    "/_dash-component-suites/dash/%00.js",
    "/_dash-component-suites/dash/dash-renderer/build/nope.v1_0_0m1.min.js",
    "/_dash-component-suites/no_such_package/x.js",
    "/_dash-component-suites/os/x.js",
    "/_dash-component-suites/sys/x.js",
    "/_dash-component-suites/credtrends/config.py",
    "/_dash-component-suites/dash/dash.py",
    "/_dash-component-suites/dash/__init__.py",
    "/_dash-component-suites/dash/deps/",
    "/_dash-component-suites/dash/deps/react@99.min.js",
    "/_dash-component-suites/dash/" + "a/" * 200 + "x.js",
    "/_dash-component-suites/dash/" + "x" * 5000 + ".js",
    "/_dash-component-suites/plotly/package_data/plotly.min.js.map",
    "/_dash-component-suites/dash/dcc/async-graph.js.LICENSE.txt",
    "/_dash-component-suites/dash/dcc/%E2%80%AE.js",
    "/_dash-component-suites/dash/dcc/.js",
    "/_dash-component-suites/dash/dcc/..js",
    "/_dash-component-suites/dash/dcc/dash_core_components.v9_9_9m1.x.js",
    "/_dash-component-suites/dash_table/../dash/dash.py",
    "/_dash-component-suites/%2e%2e/dash/dash.py",
    "/_dash-component-suites/dash/html/../../../setup.cfg",
    "/_dash-component-suites/dash/html/<script>.js",
    "/_dash-component-suites/dash/html/x.js?../../etc/passwd",
    "/_dash-component-suites/dash/html/x.js;/etc/passwd",
    "/_dash-component-suites/__main__/x.js",
    "/_dash-component-suites/dash_ag_grid/../../../etc/hosts",
]
HEADER_PATHS = [
    ("page", "/"),
    ("page", "/interest?topic=pmp"),
    ("board", "/boards"),
    ("unknown page", "/no-such-page"),
    ("layout JSON", "/_dash-layout"),
    ("dependencies JSON", "/_dash-dependencies"),
    ("callback", "CALLBACK"),
    ("download CSV", "/download/interest/main/csv?topic=pmp"),
    ("download JSON", "/download/interest/main/json?topic=pmp"),
    ("404 download", "/download/nope/x/csv"),
    ("embed", "/embed/interest/main?topic=pmp"),
    ("embed 404", "/embed/interest/nope"),
    ("plotly.js", "/embed-assets/plotly.min.js"),
    ("province map", "/geodata/canada-provinces.geojson"),
    ("asset", "/assets/credtrends.css"),
    ("Dash bundle", "SUITE"),
    ("400 resource", "/_dash-component-suites/nope/x.js"),
    ("reload hash", "/_reload-hash"),
]
EMBED_ORIGIN = "https://partner.example.org"


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        sent = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body, {**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def dependencies(port: int) -> list[dict[str, Any]]:
    request(port, "GET", "/")
    return list(json.loads(request(port, "GET", "/_dash-dependencies")[2]))


def interest_body(deps: list[dict[str, Any]]) -> bytes:
    spec = next(s for s in deps if "interest-main-graph.figure" in s["output"])
    body = valid_body(spec)
    values = {"interest-topics": ["pmp"], "interest-region": "CA-ON"}
    for entry in body["inputs"] + body.get("state", []):
        entry["value"] = values.get(entry["id"])
    return json.dumps(body).encode()


def malformed(port: int, log: Path | None) -> bool:
    deps = dependencies(port)
    statuses: dict[int, int] = {}
    for _name, body in malformed_bodies(deps, 700):
        status = request(port, "POST", "/_dash-update-component", body)[0]
        statuses[status] = statuses.get(status, 0) + 1
    suites: dict[int, int] = {}
    for path in BAD_SUITE_PATHS:
        status = request(port, "GET", path)[0]
        suites[status] = suites.get(status, 0) + 1
    fives = sum(n for s, n in statuses.items() if s >= 500)
    suite_fives = sum(n for s, n in suites.items() if s >= 500)
    tracebacks = log.read_text(errors="replace").count("Traceback") if log else 0
    print(f"  700 malformed callback bodies: by status {dict(sorted(statuses.items()))}, "
          f"5xx: {fives}")  # fmt: skip
    print(f"  {len(BAD_SUITE_PATHS)} bad component-suites paths: by status "
          f"{dict(sorted(suites.items()))}, 5xx: {suite_fives}")  # fmt: skip
    print(f"  tracebacks in the server log: {tracebacks}")
    return fives == 0 and suite_fives == 0 and tracebacks == 0


def _rss(root: psutil.Process) -> int:
    processes = [root, *root.children(recursive=True)]
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def big_body(port: int, path: str, method: str, root: psutil.Process) -> bool:
    """Send 200 MB while watching for the answer and the servers' memory."""
    size = 200 * 1024 * 1024
    before = _rss(root)
    peak = [before]
    sent = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss(root))
            time.sleep(0.05)

    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n")  # fmt: skip
    sock.sendall(head.encode())

    def upload() -> None:
        chunk = b"[" * 65_536
        try:
            while sent[0] < size and not done.is_set():
                sock.sendall(chunk)
                sent[0] += len(chunk)
        except OSError:
            pass  # the server answered and closed: what we want

    watcher = threading.Thread(target=watch, daemon=True)
    uploader = threading.Thread(target=upload, daemon=True)
    watcher.start()
    started = time.perf_counter()
    uploader.start()
    answer = b""
    try:
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    except OSError as exc:
        answer = f"no answer: {exc}".encode()
    elapsed = time.perf_counter() - started
    done.set()
    uploader.join(timeout=30)
    sock.close()
    time.sleep(0.5)
    after = _rss(root)
    watcher.join(timeout=5)
    status_line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    growth = (peak[0] - before) / 2**20
    print(f"  200 MB {method} {path}: {status_line!r} after {elapsed:.2f} s, "
          f"{sent[0] / 2**20:.1f} MB sent before the answer; server memory "
          f"{before / 2**20:.0f} MB before, peak {peak[0] / 2**20:.0f} MB (+{growth:.1f}), "
          f"{after / 2**20:.0f} MB after")  # fmt: skip
    return " 413 " in f"{status_line} " and growth < 20


def links(text: str) -> list[str]:
    text = text.replace("\\u002f", "/").replace("&amp;", "&")
    return sorted({m for m in re.findall(r"https?://[^\s\"'<>\\)]+", text) if "plot.ly" not in m})


def spoofed_host(port: int) -> bool:
    deps = dependencies(port)
    body = interest_body(deps)
    targets = [
        ("POST", "/_dash-update-component", body),
        ("GET", "/embed/interest/main?topic=pmp", None),
        ("GET", "/download/interest/main/json?topic=pmp", None),
        ("GET", "/download/interest/main/csv?topic=pmp", None),
        ("GET", "/interest?topic=pmp", None),
    ]
    ok = True
    for method, path, payload in targets:
        real = request(port, method, path, payload)
        spoofed = request(port, method, path, payload, {"Host": "evil.example"})
        proxy_headers = {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}
        forwarded = request(port, method, path, payload, proxy_headers)
        texts = [
            r[2].decode(errors="replace") + json.dumps(r[1]) for r in (real, spoofed, forwarded)
        ]
        same = links(texts[0]) == links(texts[1]) == links(texts[2])
        leaked = any("evil.example" in text for text in texts)
        print(f"  {method} {path.split('?')[0]}: {len(links(texts[0]))} absolute links, "
              f"identical with a spoofed Host: {same}, "
              f"'evil.example' in any answer: {leaked}")  # fmt: skip
        ok = ok and same and not leaked
    return ok


def headers_everywhere(port: int) -> bool:
    deps = dependencies(port)
    page = request(port, "GET", "/")[2].decode()
    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', page)
    ok = True
    print(f"  {'page type':<18} {'status':>6}  nosniff  referrer  CSP  frame-ancestors  Server")
    for label, path in HEADER_PATHS:
        if path == "CALLBACK":
            status, headers, _ = request(
                port, "POST", "/_dash-update-component", interest_body(deps)
            )
        else:
            status, headers, _ = request(
                port, "GET", suite.group(1) if path == "SUITE" and suite else path
            )
        lower = {k.lower(): v for k, v in headers.items()}
        csp = lower.get("content-security-policy", "")
        ancestors = re.search(r"frame-ancestors ([^;]*)", csp)
        frame = ancestors.group(1) if ancestors else "-"
        want_frame = f"'self' {EMBED_ORIGIN}" if path.startswith("/embed/") else "'self'"
        good = (
            lower.get("x-content-type-options") == "nosniff"
            and lower.get("referrer-policy") == "same-origin"
            and "script-src 'self'" in csp
            and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
            and frame == want_frame
            and not re.search(r"\d", lower.get("server", ""))
        )
        ok = ok and good
        print(f"  {label:<18} {status:>6}  {lower.get('x-content-type-options', '-'):<7}  "
              f"{lower.get('referrer-policy', '-'):<8}  {'yes' if csp else 'NO':<3}  "
              f"{frame:<15}  {lower.get('server', '-')}"
              f"{'' if good else '   <-- MISSING'}")  # fmt: skip
    return ok


def run_against(label: str, port: int, root: psutil.Process, log: Path | None) -> bool:
    print(f"== {label} (127.0.0.1:{port})")
    results = {
        "malformed requests": malformed(port, log),
        "200 MB callback body": big_body(port, "/_dash-update-component", "POST", root),
        "200 MB page body": big_body(port, "/interest", "GET", root),
        "spoofed Host": spoofed_host(port),
        "security headers": headers_everywhere(port),
    }
    for name, passed in results.items():
        print(f"  {name}: {'PASS' if passed else 'FAIL'}")
    return all(results.values())


def main() -> None:
    passed = True
    with demo_postgres() as (url, work):
        env = {
            **demo_env(url, work),
            "CREDTRENDS_CACHE_TYPE": "simple",
            "CREDTRENDS_PUBLIC_BASE_URL": "https://trends.example.org",
            "CREDTRENDS_EMBED_FRAME_ANCESTORS": json.dumps([EMBED_ORIGIN]),
        }
        port = free_port()
        log = work / "gunicorn.log"
        with gunicorn(env, port, workers=3, log=log) as process:
            passed &= run_against(
                "gunicorn x3 + PostgreSQL", port, psutil.Process(process.pid), log
            )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {
            **demo_env(f"sqlite:///{work / 'warehouse.sqlite'}", work),
            "CREDTRENDS_PUBLIC_BASE_URL": "https://trends.example.org",
            "CREDTRENDS_EMBED_FRAME_ANCESTORS": json.dumps([EMBED_ORIGIN]),
        }
        cli = [sys.executable, "-m", "credtrends"]
        subprocess.run([*cli, "demo", "--no-serve", "--end", "2025-06-01"], env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        port = free_port()
        log = work / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env,
                                       stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
            try:
                wait_for_port(port, process)
                passed &= run_against(
                    "credtrends serve + SQLite", port, psutil.Process(process.pid), log
                )
            finally:
                process.terminate()
                process.wait(timeout=30)
    print("web requests battery:", "PASS" if passed else "FAIL")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
