"""The one polite fetcher: pacing, backoff with jitter, attempt caps and the storm stop.

Every source fetches through ``PoliteFetcher``: Google Trends backends directly (see
``google_trends.pacing``), StatCan, Job Bank and the portals through ``base.PoliteHttp``.
Public services rate-limit, and hammering makes it worse, so: wait between requests, back
off exponentially with jitter on refusals (HTTP 429, captcha pages) and server errors (or
exactly as long as ``Retry-After`` asks, up to a cap), cap attempts, and after a *storm* of
consecutive refusals stop the whole run so the caller can resume later. Every backoff in
credtrends (the job runner's retries included) is tenacity's ``wait_exponential_jitter``,
built by ``exponential_backoff``. Clock, sleeper and the pacing's random source are
injected so tests run instantly.
"""

from __future__ import annotations

import inspect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Literal, Protocol, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from credtrends.errors import RateLimited, SourceError

_FIRST_WAIT = (
    "multiplier" if "multiplier" in inspect.signature(wait_exponential_jitter).parameters
    else "initial"
)  # fmt: skip
"""tenacity 9 renamed ``initial`` to ``multiplier``; the old name warns, 8.x has only it."""


def exponential_backoff(first_s: float, max_s: float, jitter_s: float) -> wait_exponential_jitter:
    """tenacity's ``wait_exponential_jitter``: ``first_s`` before the first retry, doubling
    per retry, plus up to ``jitter_s`` at random, never more than ``max_s``."""
    options = {_FIRST_WAIT: first_s}
    return wait_exponential_jitter(max=max_s, exp_base=2, jitter=jitter_s, **options)


class ServerError(SourceError):
    """The service answered 5xx or broke the connection: worth retrying, unlike other
    SourceErrors."""


RefusalCause = Literal["rate_limit", "captcha"]


class Refused(RateLimited):
    """The service refused to answer for now: HTTP 429, or a captcha/sign-in page instead of
    data.

    Both count toward the storm stop; ``retry_after_s`` is the wait the service asked for
    (``Retry-After``), None when it named none.
    """

    cause: RefusalCause = "rate_limit"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RateLimitStormError(RateLimited):
    """Too many consecutive refusals (429 or captcha): stop everything now, resume later.

    ``cause`` is ``"captcha"`` when every refusal of the storm was a captcha/sign-in page,
    ``"rate_limit"`` when all were 429s, ``"mixed"`` otherwise. Never retried.
    """

    def __init__(self, message: str, *, cause: str = "rate_limit") -> None:
        super().__init__(message)
        self.cause = cause


class RetryAfterTooLongError(RateLimited):
    """The service asked to wait longer than ``retry_after_cap_s``: stop now, resume later."""


class AttemptBudgetExhaustedError(SourceError):
    """The run used its whole attempt budget; resume later."""


@dataclass(frozen=True, slots=True)
class PacingPolicy:
    """How gently to fetch. Defaults suit an unauthenticated pytrends session."""

    min_interval_s: float = 8.0
    """Least time between the starts of two requests."""
    jitter_s: float = 4.0
    """Uniform random extra wait added to the interval, so runs do not beat in lockstep."""
    max_attempts: int = 4
    """Attempts per request (first try included) before giving up on it."""
    backoff_initial_s: float = 30.0
    backoff_max_s: float = 600.0
    backoff_jitter_s: float = 15.0
    storm_threshold: int = 3
    """Consecutive 429 answers (across requests) after which the run stops."""
    max_total_attempts: int | None = None
    """Cap on attempts for the fetcher's lifetime (one job run); None means no cap."""
    retry_after_cap_s: float = 900.0
    """Longest ``Retry-After`` wait honoured; a longer one stops the run (resume later)."""
    service: str = "Google Trends"
    """How messages name the service."""
    retry_after_setting: str = "trends_retry_after_cap_seconds"
    """The setting a user changes to honour longer ``Retry-After`` waits."""
    other_backend_hint: str = " or use another backend (--backend serpapi)"
    """Added to a storm message when the refusals were not all plain 429s."""

    def __post_init__(self) -> None:
        if (
            self.min_interval_s < 0
            or self.jitter_s < 0
            or self.backoff_jitter_s < 0
            or self.retry_after_cap_s < 0
        ):
            raise ValueError("pacing intervals must not be negative")
        if self.max_attempts < 1 or self.storm_threshold < 1:
            raise ValueError("max_attempts and storm_threshold must be at least 1")
        if self.backoff_initial_s < 0 or self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff_max_s must be at least backoff_initial_s")


RequestT_contra = TypeVar("RequestT_contra", contravariant=True)
PayloadT_co = TypeVar("PayloadT_co", covariant=True)
RequestT = TypeVar("RequestT")
PayloadT = TypeVar("PayloadT")


class Backend(Protocol[RequestT_contra, PayloadT_co]):
    """One request -> one raw payload, I/O only: no pacing, retries or caching.

    Raises ``Refused`` (429, captcha), ``ServerError`` (5xx, network: retryable) and
    ``SourceError``/``InvalidPayload`` for everything else.
    """

    name: str

    def fetch(self, request: RequestT_contra) -> PayloadT_co: ...


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, RateLimited | ServerError) and not isinstance(
        exc, RateLimitStormError | RetryAfterTooLongError
    )


@dataclass
class PoliteFetcher(Generic[RequestT, PayloadT]):
    """Wrap any backend with pacing, retries and the storm stop (one instance per run)."""

    backend: Backend[RequestT, PayloadT]
    policy: PacingPolicy = field(default_factory=PacingPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    """Draws the random part of the gap between two requests."""
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """Only to tell the user when to resume after a too-long ``Retry-After``."""
    attempts: int = field(default=0, init=False)
    consecutive_429: int = field(default=0, init=False)
    """Consecutive refusals (429s and captcha pages), across requests."""
    waits: list[float] = field(default_factory=list, init=False)
    """Every wait between attempts of one request (backoff or Retry-After), for the record."""
    _storm_causes: list[str] = field(default_factory=list, init=False)
    _last_start: float | None = field(default=None, init=False)

    def _pace(self) -> None:
        if self._last_start is not None:
            gap = self.policy.min_interval_s + self.rng.uniform(0.0, self.policy.jitter_s)
            wait = self._last_start + gap - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _backoff(self, state: RetryCallState) -> float:
        outcome = state.outcome
        failure = outcome.exception() if outcome is not None else None
        asked = getattr(failure, "retry_after_s", None)
        if isinstance(asked, int | float):
            # Honour the service's own wait exactly (it is <= the cap, see _attempt).
            wait = float(asked)
        else:
            policy = self.policy
            backoff = exponential_backoff(
                policy.backoff_initial_s, policy.backoff_max_s, policy.backoff_jitter_s
            )
            wait = backoff(state)
        self.waits.append(wait)
        return wait

    def _storm_message(self) -> tuple[str, str]:
        causes = set(self._storm_causes[-self.consecutive_429 :])
        cause = causes.pop() if len(causes) == 1 else "mixed"
        count = self.consecutive_429
        what = {
            "captcha": f"captcha storm: {count} captcha/sign-in pages instead of data",
            "rate_limit": f"rate-limit storm: {count} HTTP 429 answers",
        }.get(cause, f"rate-limit storm: {count} refusals (HTTP 429 and captcha pages)")
        return cause, (
            f"{self.policy.service} {what} in a row; stopped so the quota can recover - "
            "resume the run later"
            + (self.policy.other_backend_hint if cause != "rate_limit" else "")
        )

    def _refused(self, exc: RateLimited) -> None:
        """Count a refusal; raise instead when it ends the run (storm, too long a wait)."""
        self.consecutive_429 += 1
        self._storm_causes.append(getattr(exc, "cause", "rate_limit"))
        if self.consecutive_429 >= self.policy.storm_threshold:
            cause, message = self._storm_message()
            raise RateLimitStormError(f"{message} (last: {exc})", cause=cause) from exc
        asked = exc.retry_after_s if isinstance(exc, Refused) else None
        if asked is not None and asked > self.policy.retry_after_cap_s:
            resume = self.wall_clock() + timedelta(seconds=asked)
            raise RetryAfterTooLongError(
                f"{exc}; that is more than the {self.policy.retry_after_cap_s:.0f} s "
                f"cap (setting {self.policy.retry_after_setting}), so the run stopped - "
                f"resume after {resume:%Y-%m-%d %H:%M} UTC"
            ) from exc

    def _attempt(self, request: RequestT) -> PayloadT:
        cap = self.policy.max_total_attempts
        if cap is not None and self.attempts >= cap:
            raise AttemptBudgetExhaustedError(
                f"{self.policy.service}: the run used its {cap} attempts; resume it later"
            )
        self._pace()
        self.attempts += 1
        try:
            payload = self.backend.fetch(request)
        except RateLimited as exc:
            self._refused(exc)
            raise
        self.consecutive_429 = 0
        return payload

    def fetch(self, request: RequestT) -> PayloadT:
        """Fetch one request politely; raise RateLimited/ServerError once retries are spent."""
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._backoff,
            retry=retry_if_exception(_retryable),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._attempt, request)
