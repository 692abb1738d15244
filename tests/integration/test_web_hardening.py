"""Web hardening: headers on every page type, request limits, links, Dash's own routes."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import flask
import pytest

from credtrends.web.app import create_app
from credtrends.web.callback_requests import body_problem
from tests.helpers import demo_dashboard
from tests.reliability.malformed_requests import malformed_bodies, valid_body

ALLOWED = "https://partner.example.org"
BASE = "https://trends.example.org"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
def dash_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dash.Dash]:
    settings, engine = demo_dashboard(tmp_path_factory.mktemp("hardening"))
    settings = settings.model_copy(
        update={"embed_frame_ancestors": [ALLOWED], "public_base_url": BASE}
    )
    dash_app = create_app(settings, engine)
    dash_app.server.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is a 500, not a raise
    yield dash_app
    engine.dispose()


@pytest.fixture(scope="module")
def app(dash_app: dash.Dash) -> flask.Flask:
    server = dash_app.server  # untyped in Dash
    assert isinstance(server, flask.Flask)
    return server


@pytest.fixture(scope="module")
def client(app: flask.Flask) -> flask.testing.FlaskClient:
    client = app.test_client()
    assert client.get("/").status_code == 200
    return client


@pytest.fixture(scope="module")
def dependencies(client: flask.testing.FlaskClient) -> list[dict[str, Any]]:
    return list(client.get("/_dash-dependencies").get_json())


def interest_body(dependencies: list[dict[str, Any]]) -> dict[str, Any]:
    spec = next(s for s in dependencies if "interest-main-graph.figure" in s["output"])
    body = valid_body(spec)
    values = {"interest-topics": ["pmp"], "interest-region": "CA-ON"}
    for entry in body["inputs"] + body.get("state", []):
        entry["value"] = values.get(entry["id"])
    return body


PAGE_TYPES = [
    ("GET", "/"),
    ("GET", "/interest?topic=pmp"),
    ("GET", "/boards"),
    ("GET", "/no-such-page"),
    ("GET", "/_dash-layout"),
    ("GET", "/_dash-dependencies"),
    ("GET", "/download/interest/main/csv?topic=pmp"),
    ("GET", "/download/nope/main/csv"),
    ("GET", "/embed/interest/main?topic=pmp"),
    ("GET", "/embed/interest/nope"),
    ("GET", "/embed-assets/plotly.min.js"),
    ("GET", "/assets/credtrends.css"),
    ("GET", "/_reload-hash"),
    ("GET", "/_dash-component-suites/dash/../../x.js"),
    ("POST", "/_dash-update-component"),
]


@pytest.mark.parametrize(("method", "path"), PAGE_TYPES)
def test_security_headers_on_every_page_type(
    client: flask.testing.FlaskClient, dependencies: list[dict[str, Any]], method: str, path: str
) -> None:
    if method == "POST":
        response = client.post(path, json=interest_body(dependencies))
        assert response.status_code == 200
    else:
        response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in headers  # the HTTP server's own, without versions (below)
    policy = {
        name: sources
        for name, _, sources in (
            part.partition(" ") for part in headers["Content-Security-Policy"].split("; ")
        )
    }
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'"
    if path.startswith("/embed/"):
        assert policy["frame-ancestors"] == f"'self' {ALLOWED}"
        assert "X-Frame-Options" not in headers
    else:
        assert policy["frame-ancestors"] == "'self'"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
    if headers["Content-Type"].startswith("text/html"):
        # every inline script of the page is allowed by its hash, and only those
        for attributes, script in INLINE_SCRIPT.findall(response.get_data(as_text=True)):
            if "application/json" in attributes:
                continue  # data, never run
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy["script-src"], script[:80]


def test_dev_routes_and_bad_resource_paths_are_not_500s(client: flask.testing.FlaskClient) -> None:
    assert client.get("/_reload-hash").status_code == 404  # it would list every package
    for path in (
        "/_dash-component-suites/dash/../../../etc/passwd",
        "/_dash-component-suites/dash/%2e%2e/%2e%2e/setup.py",
        "/_dash-component-suites/no_such_package/x.js",
        "/_dash-component-suites/dash/no-such-file.v1_0_0m1.js",
        "/_dash-component-suites/dash/dcc/..%5c..%5cx.js",
        "/_dash-component-suites/sys/x.js",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert b"Traceback" not in response.data and b"registered" not in response.data
    good = client.get("/")
    suite = re.search(rb'src="(/_dash-component-suites/[^"]+)"', good.data)
    assert suite and client.get(suite.group(1).decode()).status_code == 200


def test_bodies_the_renderer_sends_pass_the_shape_check(
    dash_app: dash.Dash, dependencies: list[dict[str, Any]]
) -> None:
    callback_map = dash_app.callback_map
    servers = [s for s in dependencies if not s.get("clientside_function")]
    assert len(servers) > 5
    for spec in servers:
        assert body_problem(valid_body(spec), callback_map) is None, spec["output"]


def test_malformed_callback_bodies_are_400_never_500(
    client: flask.testing.FlaskClient, dependencies: list[dict[str, Any]]
) -> None:
    statuses: dict[int, int] = {}
    for name, body in malformed_bodies(dependencies, 300):
        response = client.post(
            "/_dash-update-component", data=body, content_type="application/json"
        )
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{name}: {response.status_code}"
        assert b"Traceback" not in response.data, name
    assert statuses.get(400, 0) >= 290, statuses


class _CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that counts what the server reads of it."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


@pytest.mark.parametrize("path", ["/_dash-update-component", "/interest", "/download/x/y/csv"])
def test_a_200_mb_body_is_refused_before_it_is_read(
    client: flask.testing.FlaskClient, path: str
) -> None:
    size = 200 * 1024 * 1024
    stream = _CountingStream(size)
    response = client.open(
        path,
        method="POST" if path.startswith("/_dash") else "GET",
        content_type="application/json",
        environ_overrides={"wsgi.input": stream, "CONTENT_LENGTH": str(size)},
    )
    assert response.status_code == 413
    assert stream.read_bytes == 0
    assert response.headers["Connection"] == "close"


def test_links_use_the_public_base_url_not_the_host_header(
    client: flask.testing.FlaskClient, dependencies: list[dict[str, Any]]
) -> None:
    body = interest_body(dependencies)
    answers = []
    for host in ("localhost", "evil.example", "evil.example:8443"):
        callback = client.post("/_dash-update-component", json=body, headers={"Host": host})
        embed = client.get("/embed/interest/main?topic=pmp", headers={"Host": host})
        meta = client.get("/download/interest/main/json?topic=pmp", headers={"Host": host})
        page = client.get("/interest?topic=pmp", headers={"Host": host})  # meta tags
        # Dash writes "/" as "\u002f" in callback JSON
        texts = [
            r.get_data(as_text=True).replace("\\u002f", "/") for r in (callback, embed, meta, page)
        ]
        assert all("evil" not in text for text in texts), host
        links = sorted(set(re.findall(r"https?://[^\s\"'<>\\]+", "".join(texts))))
        answers.append([link for link in links if "plot.ly" not in link])
    assert answers[0] == answers[1] == answers[2]
    assert f"{BASE}/embed/interest/main?" in json.dumps(answers[0])
    assert all(
        link.startswith(BASE) for link in answers[0] if "example.org" in link or "localhost" in link
    )


def test_base_url_and_frame_origins_are_validated(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from credtrends.config import Settings

    assert Settings(public_base_url="https://x.org/").base_url == "https://x.org"
    assert Settings(host="0.0.0.0", port=9000).base_url == "http://localhost:9000"  # noqa: S104
    for bad in ("javascript:alert(1)", "https://x.org/?a=1", "ftp://x.org", "https:///p"):
        with pytest.raises(ValidationError):
            Settings(public_base_url=bad)
    for bad in ("https://x.org; script-src *", "*", "'unsafe-inline'", "https://x.org/path"):
        with pytest.raises(ValidationError):
            Settings(embed_frame_ancestors=[bad])
    Settings(embed_frame_ancestors=["https://*.example.org", "http://localhost:3000"])


def test_the_development_server_names_no_versions() -> None:
    from credtrends.web.hardening import BannerlessRequestHandler

    handler = BannerlessRequestHandler.__new__(BannerlessRequestHandler)
    assert handler.version_string() == "credtrends"
