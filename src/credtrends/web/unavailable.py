"""The warehouse is busy or unreachable: answer 503 with Retry-After, never a 500.

A statement or lock timeout (PostgreSQL ``statement_timeout``/``lock_timeout``, SQLite
"database is locked"), a refused connection or an exhausted connection pool reaches the
dashboard as a SQLAlchemy exception from a callback, a download or a report. Each becomes
a short 503 (an HTML page for a browser, plain text for callbacks and files) that tells the
client when to retry; the worker lives on. Other database errors are bugs and stay 500s.
Log lines are rate-limited: a 45 s lock under load would otherwise write one per request.
"""

from __future__ import annotations

import logging
import threading
import time

import flask
import sqlalchemy as sa

from credtrends.warehouse.engine import is_unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
LOG_INTERVAL_SECONDS = 10.0
PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Temporarily unavailable · credtrends</title></head>
<body><main>
<h1>The data is temporarily unavailable</h1>
<p>The warehouse is busy or cannot be reached. Please try again in a few seconds.</p>
<p lang="fr">Les données sont momentanément indisponibles. Réessayez dans quelques secondes.</p>
</main></body>
</html>
"""
TEXT = "The data is temporarily unavailable (the warehouse is busy); try again in a few seconds."


class _RateLimitedLog:
    """One warning, then at most one per interval saying how many were not logged."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._lock = threading.Lock()
        self._next = 0.0
        self._suppressed = 0

    def warn(self, message: str) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                self._suppressed += 1
                return
            suppressed, self._suppressed = self._suppressed, 0
            self._next = now + self._interval
        extra = f" ({suppressed} more since the last report)" if suppressed else ""
        log.warning("%s%s", message, extra)


def register_unavailable_handler(server: flask.Flask) -> None:
    limited = _RateLimitedLog(LOG_INTERVAL_SECONDS)

    def handle(error: sa.exc.SQLAlchemyError) -> flask.Response:
        if not is_unavailable(error):
            raise error  # a bug: Flask's 500 (and its log line) as usual
        original = getattr(error, "orig", None) or error
        reason = str(original).strip().splitlines()[0] if str(original).strip() else ""
        request = flask.request
        limited.warn(
            f"warehouse unavailable for {request.method} {request.path}: "
            f"{type(original).__name__}: {reason}"
        )
        wants_page = request.method == "GET" and request.accept_mimetypes.accept_html
        response = flask.Response(
            PAGE if wants_page else TEXT,
            status=503,
            content_type=f"text/{'html' if wants_page else 'plain'}; charset=utf-8",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.cache_control.no_store = True
        return response

    for kind in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        server.register_error_handler(kind, handle)
    server.register_error_handler(sa.exc.DBAPIError, handle)  # only if connection_invalidated
