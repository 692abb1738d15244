"""HTTP hardening of the dashboard: security headers, a body size limit, no version banner,
no development routes, and 400 (not 500) for requests Dash's own routes cannot parse.

The Server header is the HTTP server's: ``credtrends serve`` says "credtrends" (see
``BannerlessRequestHandler``), gunicorn says "gunicorn", neither with a version.

Content-Security-Policy: scripts come only from this server, plus the inline scripts Dash
writes into every page (its renderer start-up and the clientside callbacks), allowed by
their SHA-256 (``Dash.csp_hashes``), so an injected ``<script>`` never runs. Styles allow
``'unsafe-inline'``: plotly.js, dcc and the data table inject ``<style>`` elements at run
time. Pages may be framed only by the dashboard itself; ``/embed/...`` also by the origins
of the ``embed_frame_ancestors`` setting.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

import dash
import flask
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge
from werkzeug.serving import WSGIRequestHandler

from credtrends.config import Settings
from credtrends.web.embed import DRAW_SCRIPT

log = logging.getLogger(__name__)
SERVER_NAME = "credtrends"
EMBED_PREFIX = "/embed/"
COMPONENT_SUITES = "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"


class BannerlessRequestHandler(WSGIRequestHandler):
    """The development server (``credtrends serve``) without "Werkzeug/x Python/y" in its
    Server header: http.server writes that before the app's own headers are seen."""

    def version_string(self) -> str:
        return SERVER_NAME


def content_security_policy(script_hashes: Sequence[str], frame_ancestors: Sequence[str]) -> str:
    """The policy text; ``script_hashes`` are CSP sources like ``'sha256-...'``. No style
    hash: next to one, browsers ignore ``'unsafe-inline'``, which plotly.js needs."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *dict.fromkeys(script_hashes)],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'", *frame_ancestors],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def harden(app: dash.Dash, settings: Settings) -> None:
    """Install the limits, headers and route guards on ``app`` (after its routes exist)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    page_policy: list[str] = []  # computed once, on the first response (see below)
    embed_policy = content_security_policy(
        [sha256_source(DRAW_SCRIPT)], settings.embed_frame_ancestors
    )

    def refuse_large_bodies() -> None:
        # Before any view reads the body: the declared length is enough to refuse it.
        # A chunked body without a length is cut at the same size by Werkzeug's stream.
        length = flask.request.content_length
        if length is not None and length > settings.max_request_bytes:
            raise RequestEntityTooLarge(
                f"Request bodies are limited to {settings.max_request_bytes} bytes."
            )

    def security_headers(response: flask.Response) -> flask.Response:
        if not page_policy:
            # Dash moves clientside callbacks into its inline scripts on the first
            # request, so the hashes are taken then; the list only ever grows once.
            page_policy.append(content_security_policy(app.csp_hashes(), ()))
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if flask.request.path.startswith(EMBED_PREFIX):
            headers["Content-Security-Policy"] = embed_policy
        else:
            headers["Content-Security-Policy"] = page_policy[0]
            headers["X-Frame-Options"] = "SAMEORIGIN"
        if response.status_code == 413:
            # The unread body would otherwise be parsed as the next request.
            response.headers["Connection"] = "close"
        return response

    server.before_request(refuse_large_bodies)
    server.after_request(security_headers)
    _guard_view(server, "/_reload-hash", _hot_reload_only(app))
    _guard_view(server, "/_dash-component-suites/", _bad_resource_is_400)
    server.register_error_handler(RequestEntityTooLarge, _too_large)


def _too_large(error: RequestEntityTooLarge) -> flask.Response:
    return flask.Response(
        error.description or "Request body too large.",
        status=413,
        content_type="text/plain; charset=utf-8",
    )


def _guard_view(
    server: flask.Flask,
    rule_prefix: str,
    wrap: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> None:
    """Replace the view of every rule starting with ``rule_prefix`` by ``wrap(view)``."""
    found = False
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith(rule_prefix):
            server.view_functions[rule.endpoint] = wrap(server.view_functions[rule.endpoint])
            found = True
    if not found:
        raise RuntimeError(f"no Dash route {rule_prefix!r} to guard (has Dash changed?)")


def _hot_reload_only(app: dash.Dash) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``/_reload-hash`` lists the installed packages: only for Dash's hot reload (debug)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        def reload_hash(*args: Any, **kwargs: Any) -> Any:
            if not app._dev_tools.get("hot_reload"):
                raise NotFound()
            return view(*args, **kwargs)

        return reload_hash

    return wrap


def _bad_resource_is_400(view: Callable[..., Any]) -> Callable[..., Any]:
    """A path Dash does not serve (unknown package or file, ``..``) is the client's error;
    Dash raises DependencyException or OSError for it, which would be a 500."""

    def component_suites(*args: Any, **kwargs: Any) -> Any:
        path = str(kwargs.get("fingerprinted_path", ""))
        if ".." in path.split("/") or "\\" in path or "\x00" in path:
            raise BadRequest("No such resource.")
        try:
            return view(*args, **kwargs)
        except (dash.exceptions.DependencyException, OSError, KeyError, ValueError) as exc:
            log.debug("refused resource %s: %s", flask.request.path, type(exc).__name__)
            raise BadRequest("No such resource.") from None

    return component_suites
