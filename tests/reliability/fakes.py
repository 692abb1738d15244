# ruff: noqa: E501  (the captcha page keeps Google's long lines as served)
"""Fake HTTP layers for Google Trends faults: SerpApi answers, Google's captcha page, 429s.

Answers are built in the exact shapes the services document (SerpApi:
https://serpapi.com/google-trends-api and /api-status-and-error-codes; Google: the
``/sorry/index`` "unusual traffic" page), and served either through a ``requests`` adapter
mounted on a session (in-process; the real transport code runs) or by a local HTTP server
(for the CLI in a subprocess). Nothing reaches the network.
"""

from __future__ import annotations

import json
import math
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

WEEKS = [date(2025, 1, 5) + timedelta(weeks=i) for i in range(40)]
WINDOW = f"{WEEKS[0].isoformat()} {WEEKS[-1].isoformat()}"

CAPTCHA_HTML = b"""<html>
<head><meta http-equiv="content-type" content="text/html; charset=utf-8"><meta name="viewport" content="initial-scale=1"><title>https://trends.google.com/trends/api/explore</title></head>
<body style="font-family: arial, sans-serif; background-color: #fff; color: #000; padding:20px; font-size:18px;" onload="e=document.getElementById('captcha');if(e){e.focus();}">
<div style="max-width:400px;">
<hr noshade size="1" style="color:#ccc; background-color:#ccc;"><br>
<form id="captcha-form" action="index" method="post">
<noscript><div style="font-size:13px;">In order to continue, please enable javascript on your web browser.</div></noscript>
<script src="https://www.google.com/recaptcha/api.js" async defer></script>
<script>var submitCallback = function(response) {document.getElementById('captcha-form').submit();};</script>
<div id="recaptcha" class="g-recaptcha" data-sitekey="6LfwuyUTAAAAAOAmoS0fdqijC2PbbdH4kjq62Y1b" data-callback="submitCallback" data-s="x"></div>
<input type='hidden' name='q' value='EgRkJqPlGJbX'><input type="hidden" name="continue" value="https://trends.google.com/trends/api/explore">
</form>
<hr noshade size="1" style="color:#ccc; background-color:#ccc;">
<div style="font-size:13px;">
<b>About this page</b><br><br>
Our systems have detected unusual traffic from your computer network.  This page checks to see if it&#39;s really you sending the requests, and not a robot.  <a href="#" onclick="document.getElementById('infoDiv').style.display='block';">Why did this happen?</a><br><br>
<div id="infoDiv" style="display:none; background-color:#eee; padding:10px; margin:0 0 15px 0; line-height:1.4em;">
This page appears when Google automatically detects requests coming from your computer network which appear to be in violation of the <a href="//www.google.com/policies/terms/">Terms of Service</a>.
</div>
IP address: 203.0.113.7<br>Time: 2026-12-01T21:03:11Z<br>URL: https://trends.google.com/trends/api/explore<br>
</div>
</div>
</body>
</html>
"""


def volume(term: str, geo: str, week: int) -> float:
    """Invented weekly search volume: stable per term and geo, 3 orders of magnitude apart."""
    seed = zlib.crc32(f"{term.casefold()}|{geo}".encode())
    level = float(10 ** (seed % 3) * (1 + (seed >> 8) % 7))
    return level * (1 + 0.3 * math.sin(week / 5 + seed % 11))


def _week_label(day: date) -> str:
    end = day + timedelta(days=6)
    if end.month == day.month:
        return f"{day:%b} {day.day} \u2013 {end.day}, {end.year}"
    return f"{day:%b} {day.day} \u2013 {end:%b} {end.day}, {end.year}"


def serpapi_timeseries(terms: list[str], geo: str, *, echo: Mapping[str, str] = {}) -> bytes:
    """A SerpApi TIMESERIES answer with Google's normalisation (peak 100, rounding, "<1")."""
    volumes = {t: [volume(t, geo, i) for i in range(len(WEEKS))] for t in terms}
    peak = max(max(v) for v in volumes.values())
    timeline = []
    for i, week in enumerate(WEEKS):
        values = []
        for term in terms:
            scaled = 100 * volumes[term][i] / peak
            rounded = math.floor(scaled + 0.5)
            shown = "<1" if scaled > 0 and rounded == 0 else str(rounded)
            values.append({"query": term, "value": shown, "extracted_value": rounded})
        stamp = int(datetime(week.year, week.month, week.day, tzinfo=UTC).timestamp())
        timeline.append({"date": _week_label(week), "timestamp": str(stamp), "values": values})
    averages = [
        {"query": t, "value": round(sum(100 * x / peak for x in v) / len(v))}
        for t, v in volumes.items()
    ]
    document = {
        "search_metadata": {
            "id": "6740f0c1d2b8a4e3f2a1b0c9",
            "status": "Success",
            "json_endpoint": "https://serpapi.com/searches/1a2b3c4d5e6f7a8b/6740f0c1d2b8a4e3f2a1b0c9.json",
            "created_at": "2026-12-01 21:00:00 UTC",
            "processed_at": "2026-12-01 21:00:00 UTC",
            "google_trends_url": "https://trends.google.com/trends/api/explore?tz=0&req=%7B%7D",
            "raw_html_file": "https://serpapi.com/searches/1a2b3c4d5e6f7a8b/6740f0c1d2b8a4e3f2a1b0c9.html",
            "prettify_html_file": "https://serpapi.com/searches/1a2b3c4d5e6f7a8b/6740f0c1d2b8a4e3f2a1b0c9.prettify",
            "total_time_taken": 1.41,
        },
        "search_parameters": {
            "engine": "google_trends",
            "q": ",".join(terms),
            "geo": geo,
            "date": WINDOW,
            "tz": "0",
            "data_type": "TIMESERIES",
            **echo,
        },
        "interest_over_time": {"timeline_data": timeline, "averages": averages},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


SERPAPI_NO_RESULTS = json.dumps(
    {
        "search_metadata": {"id": "6740f0c1d2b8a4e3f2a1b0d0", "status": "Success"},
        "search_parameters": {"engine": "google_trends", "data_type": "TIMESERIES"},
        "error": "Google Trends hasn't returned any results for this query.",
    }
).encode()
SERPAPI_BAD_KEY = json.dumps(
    {"error": "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}
).encode()
SERPAPI_OUT_OF_SEARCHES = json.dumps({"error": "Your account has run out of searches."}).encode()


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


Responder = Callable[[str, str, dict[str, str]], Answer]
"""(method, url, query parameters) -> the answer to send."""


def serpapi_responder(params: dict[str, str]) -> Answer:
    """What SerpApi answers a TIMESERIES search, from the simulated volumes."""
    terms = params["q"].split(",")
    return Answer(200, serpapi_timeseries(terms, params.get("geo", "")))


class ScriptedAdapter(BaseAdapter):
    """A ``requests`` transport adapter: the real Session code runs, no socket is opened."""

    def __init__(self, responder: Responder) -> None:
        super().__init__()
        self.responder = responder
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: object = None,
        verify: object = True,
        cert: object = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        parsed = urlparse(str(request.url))
        params = {k: v[0] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()}
        base = f"{parsed.scheme}://{parsed.netloc}{parsed.path}"
        self.calls.append((str(request.method), base, params))
        answer = self.responder(str(request.method), base, params)
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        response.reason = "OK" if answer.status == 200 else "Error"
        return response

    def close(self) -> None:
        return None


def scripted_session(responder: Responder) -> tuple[requests.Session, ScriptedAdapter]:
    session = requests.Session()
    adapter = ScriptedAdapter(responder)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


class FakeSerpApiServer:
    """SerpApi on 127.0.0.1 for a CLI subprocess; records every request's parameters."""

    def __init__(self, responder: Callable[[dict[str, str]], Answer] = serpapi_responder) -> None:
        self.calls: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                owner.calls.append(params)
                answer = responder(params)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/search.json"

    def __enter__(self) -> FakeSerpApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
