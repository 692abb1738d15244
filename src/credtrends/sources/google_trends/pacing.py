"""Polite fetching: pacing, backoff with jitter, attempt caps, and a resumable batch run.

Google rate-limits Trends hard (HTTP 429 from the first request for many users since 2024).
Hammering makes it worse, so: wait between requests, back off exponentially with jitter on
429/5xx, cap attempts, and after a *storm* of consecutive 429s stop the whole run and let
the caller resume later from the batches it has recorded as done. Clock, sleeper and random
source are injected so tests run instantly and deterministically.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.google_trends.client import RawPayload, ServerError, TrendsBackend
from credtrends.sources.google_trends.request import TrendsRequest


class RateLimitStormError(RateLimited):
    """Too many consecutive 429s: stop everything now, resume later. Never retried."""


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

    def __post_init__(self) -> None:
        if self.min_interval_s < 0 or self.jitter_s < 0 or self.backoff_jitter_s < 0:
            raise ValueError("pacing intervals must not be negative")
        if self.max_attempts < 1 or self.storm_threshold < 1:
            raise ValueError("max_attempts and storm_threshold must be at least 1")
        if self.backoff_initial_s < 0 or self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("backoff_max_s must be at least backoff_initial_s")


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, RateLimited | ServerError) and not isinstance(exc, RateLimitStormError)


@dataclass
class PoliteFetcher:
    """Wrap any backend with pacing, retries and the storm stop (one instance per run)."""

    backend: TrendsBackend
    policy: PacingPolicy = field(default_factory=PacingPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = field(default=0, init=False)
    consecutive_429: int = field(default=0, init=False)
    _last_start: float | None = field(default=None, init=False)

    def _pace(self) -> None:
        if self._last_start is not None:
            gap = self.policy.min_interval_s + self.rng.uniform(0.0, self.policy.jitter_s)
            wait = self._last_start + gap - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_start = self.clock()

    def _backoff(self, state: RetryCallState) -> float:
        exponent = max(state.attempt_number - 1, 0)
        base = min(self.policy.backoff_max_s, self.policy.backoff_initial_s * 2**exponent)
        return float(base) + self.rng.uniform(0.0, self.policy.backoff_jitter_s)

    def _attempt(self, request: TrendsRequest) -> RawPayload:
        cap = self.policy.max_total_attempts
        if cap is not None and self.attempts >= cap:
            raise AttemptBudgetExhaustedError(
                f"Google Trends: the run used its {cap} attempts; resume it later"
            )
        self._pace()
        self.attempts += 1
        try:
            payload = self.backend.fetch(request)
        except RateLimited as exc:
            self.consecutive_429 += 1
            if self.consecutive_429 >= self.policy.storm_threshold:
                raise RateLimitStormError(
                    f"Google Trends rate-limit storm: {self.consecutive_429} HTTP 429 answers "
                    "in a row; stopped so the quota can recover - resume the run later"
                ) from exc
            raise
        self.consecutive_429 = 0
        return payload

    def fetch(self, request: TrendsRequest) -> RawPayload:
        """Fetch one request politely; raise RateLimited/ServerError once retries are spent."""
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.max_attempts),
            wait=self._backoff,
            retry=retry_if_exception(_retryable),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._attempt, request)


def remaining_requests(
    requests: Iterable[TrendsRequest], done_keys: Iterable[str]
) -> list[TrendsRequest]:
    """The planned requests still to fetch, in plan order, without duplicates.

    ``done_keys`` are the ``request_key`` values the caller already landed (from the raw
    landing table or the last run's record), so a resumed run fetches nothing twice.
    """
    done = set(done_keys)
    seen: set[str] = set()
    remaining = []
    for request in requests:
        key = request.request_key
        if key in done or key in seen:
            continue
        seen.add(key)
        remaining.append(request)
    return remaining


RunStatus = Literal["complete", "partial", "rate_limited", "budget_exhausted"]


@dataclass(frozen=True, slots=True)
class BatchRunResult:
    """How a run ended; enough to write a job-run row and to resume."""

    status: RunStatus
    done: tuple[str, ...]
    """request_keys fetched *and* accepted by ``on_payload`` in this run, in order."""
    remaining: tuple[TrendsRequest, ...]
    """Requests not done (including failed ones): the next run's plan."""
    failed: dict[str, str]
    """request_key -> one-line reason, for requests that failed for good in this run."""
    message: str


def run_batches(
    fetcher: PoliteFetcher,
    requests: Sequence[TrendsRequest],
    done_keys: Iterable[str],
    on_payload: Callable[[RawPayload], None],
) -> BatchRunResult:
    """Fetch every not-yet-done request; hand each payload to ``on_payload`` (which lands it).

    A request counts as done only once ``on_payload`` returned, so a crash between fetch and
    landing refetches rather than loses. A request that fails for good (HTTP 4xx, garbage,
    5xx after retries, or ``on_payload`` raising InvalidPayload) is recorded and skipped;
    a rate-limit storm or exhausted attempt budget stops the run cleanly.
    """
    plan = remaining_requests(requests, done_keys)
    done: list[str] = []
    failed: dict[str, str] = {}
    for position, request in enumerate(plan):
        try:
            payload = fetcher.fetch(request)
            on_payload(payload)
        except (RateLimited, AttemptBudgetExhaustedError) as exc:
            status: RunStatus = (
                "budget_exhausted"
                if isinstance(exc, AttemptBudgetExhaustedError)
                else "rate_limited"
            )
            left = tuple(r for r in plan[position:]) + tuple(
                r for r in plan[:position] if r.request_key in failed
            )
            return BatchRunResult(
                status=status,
                done=tuple(done),
                remaining=left,
                failed=failed,
                message=f"{exc} ({len(done)} done, {len(left)} left)",
            )
        except (SourceError, InvalidPayload) as exc:
            failed[request.request_key] = str(exc)
            continue
        done.append(request.request_key)
    remaining = tuple(r for r in plan if r.request_key in failed)
    if failed:
        return BatchRunResult(
            status="partial",
            done=tuple(done),
            remaining=remaining,
            failed=failed,
            message=f"{len(done)} requests done, {len(failed)} failed",
        )
    return BatchRunResult(
        status="complete",
        done=tuple(done),
        remaining=(),
        failed={},
        message=f"{len(done)} requests done",
    )
