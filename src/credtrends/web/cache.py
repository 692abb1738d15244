"""The dashboard's query cache, which may fail without failing the dashboard.

The cache only ever holds copies of warehouse reads, so when it is unreachable (Redis
stopped, restarted, a network cut) a page is computed from the warehouse instead. The
first failure is logged once as the start of an outage; during the outage the cache is
not asked at all (no connection attempt per request) except for one probe every
``retry_seconds``; the first success is logged as its end and caching resumes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask_caching import Cache

log = logging.getLogger(__name__)
MISSING = object()


class ResilientCache:
    """``get``/``set`` on a flask-caching ``Cache`` that never raise; see the module doc.

    The outage state is per process (one object per app), guarded by a lock because
    gunicorn threads and the dev server's threads share it.
    """

    def __init__(
        self,
        cache: Cache,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache = cache
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_probe = 0.0
        self.failures = 0  # cache operations that failed (for tests and the battery)

    @property
    def available(self) -> bool:
        return self._down_since is None

    def _may_try(self) -> bool:
        """True when up, or when down and this caller wins the next probe."""
        with self._lock:
            if self._down_since is None:
                return True
            now = self._clock()
            if now < self._next_probe:
                return False
            self._next_probe = now + self._retry_seconds
            return True

    def _failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            self.failures += 1
            self._next_probe = self._clock() + self._retry_seconds
            if self._down_since is not None:
                return
            self._down_since = self._clock()
        log.warning(
            "dashboard cache unavailable (%s failed: %s: %s); reading the warehouse "
            "directly until it is back",
            operation,
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )

    def _succeeded(self) -> None:
        if self._down_since is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self._down_since is None:
                return
            outage = self._clock() - self._down_since
            self._down_since = None
        log.warning("dashboard cache is back after %.1f s; caching again", outage)

    def get(self, key: str) -> Any:
        """The cached value, or ``MISSING`` (absent, or the cache is unavailable)."""
        if not self._may_try():
            return MISSING
        try:
            value = self._cache.get(key)
        except Exception as exc:  # any backend failure: the warehouse is the truth
            self._failed("get", exc)
            return MISSING
        self._succeeded()
        return MISSING if value is None else value

    def set(self, key: str, value: Any) -> None:
        if not self._may_try():
            return
        try:
            self._cache.set(key, value)
        except Exception as exc:  # as in get: a value not cached is only slower
            self._failed("set", exc)
            return
        self._succeeded()
