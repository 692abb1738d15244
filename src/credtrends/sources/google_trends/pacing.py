"""Polite fetching: pacing, backoff with jitter, attempt caps, and a resumable batch run.

Google rate-limits Trends hard (HTTP 429 from the first request for many users since 2024).
Hammering makes it worse, so: wait between requests, back off exponentially with jitter on
429/5xx (or exactly as long as ``Retry-After`` asks, up to a cap), cap attempts, and after a
*storm* of consecutive refusals (429s or captcha pages alike) stop the whole run and let
the caller resume later from the batches it has recorded as done. Clock, sleeper and random
source are injected so tests run instantly and deterministically.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources.google_trends.client import (
    RawPayload,
    Refused,
    RunStopped,
    ServerError,
    TrendsBackend,
)
from credtrends.sources.google_trends.progress import BatchProgress, auto_progress
from credtrends.sources.google_trends.request import TrendsRequest


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


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, RateLimited | ServerError) and not isinstance(
        exc, RateLimitStormError | RetryAfterTooLongError
    )


@dataclass
class PoliteFetcher:
    """Wrap any backend with pacing, retries and the storm stop (one instance per run)."""

    backend: TrendsBackend
    policy: PacingPolicy = field(default_factory=PacingPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
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
            exponent = max(state.attempt_number - 1, 0)
            base = min(self.policy.backoff_max_s, self.policy.backoff_initial_s * 2**exponent)
            wait = float(base) + self.rng.uniform(0.0, self.policy.backoff_jitter_s)
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
            f"Google Trends {what} in a row; stopped so the quota can recover - resume the "
            "run later"
            + (" or use another backend (--backend serpapi)" if cause != "rate_limit" else "")
        )

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
            self._storm_causes.append(getattr(exc, "cause", "rate_limit"))
            if self.consecutive_429 >= self.policy.storm_threshold:
                cause, message = self._storm_message()
                raise RateLimitStormError(f"{message} (last: {exc})", cause=cause) from exc
            asked = exc.retry_after_s if isinstance(exc, Refused) else None
            if asked is not None and asked > self.policy.retry_after_cap_s:
                resume = self.wall_clock() + timedelta(seconds=asked)
                raise RetryAfterTooLongError(
                    f"{exc}; that is more than the {self.policy.retry_after_cap_s:.0f} s "
                    f"cap (setting trends_retry_after_cap_seconds), so the run stopped - "
                    f"resume after {resume:%Y-%m-%d %H:%M} UTC"
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


RunStatus = Literal["complete", "partial", "rate_limited", "budget_exhausted", "stopped"]


@dataclass(frozen=True, slots=True)
class FailedRequest:
    """One request that failed for good in a run, with what a user can act on."""

    request: TrendsRequest
    cause: str
    """``payload`` (the answer was not usable data), ``http`` (a 4xx), ``server`` (5xx after
    retries), ``captcha``, ``rate_limit``, or ``stopped`` (bad key, no searches left)."""
    message: str

    def describe(self) -> str:
        request = self.request
        return (
            f"[{', '.join(request.terms)}] geo={request.geo or 'world'} "
            f"window={request.timeframe!r} ({request.operation.value}): {self.cause} - "
            f"{self.message}"
        )


class IncompleteRunError(SourceError):
    """Some requests failed for their own reasons (not rate limits); the summary names each."""


def _cause_of(exc: BaseException) -> str:
    if isinstance(exc, InvalidPayload):
        return "payload"
    if isinstance(exc, RunStopped):
        return "stopped"
    if isinstance(exc, RateLimited):
        return str(getattr(exc, "cause", "rate_limit"))
    if isinstance(exc, ServerError):
        return "server"
    return "http"


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
    failures: tuple[FailedRequest, ...] = ()
    """The failed requests with their terms, geo, window and cause (the run summary)."""
    stop_cause: str | None = None
    """Why the run stopped early: ``rate_limit``, ``captcha``, ``mixed``, ``budget`` or
    ``stopped``; None when it went through the whole plan."""

    def summary_lines(self) -> list[str]:
        """The run summary: how it ended, then one line per failed request."""
        return [self.message, *(f"failed: {f.describe()}" for f in self.failures)]

    def raise_if_incomplete(self) -> None:
        """Raise what the run's end calls for: RateLimited for a storm, else a cause-named error.

        Payload and HTTP failures are not rate limits: they say which request failed and why.
        """
        if self.status == "complete" and not self.failed:
            return
        text = "; ".join(self.summary_lines()) + (
            f" ({len(self.done)} landed this run, {len(self.remaining)} left for the next run)"
        )
        if self.status == "rate_limited":
            raise RateLimited(text)
        if self.status == "budget_exhausted":
            raise AttemptBudgetExhaustedError(text)
        if self.status == "stopped":
            raise RunStopped(text)
        raise IncompleteRunError(text)


def run_batches(
    fetcher: PoliteFetcher,
    requests: Sequence[TrendsRequest],
    done_keys: Iterable[str],
    on_payload: Callable[[RawPayload], None],
    progress: BatchProgress | None = None,
) -> BatchRunResult:
    """Fetch every not-yet-done request; hand each payload to ``on_payload`` (which lands it).

    A request counts as done only once ``on_payload`` returned, so a crash between fetch and
    landing refetches rather than loses. A request that fails for good (HTTP 4xx, garbage,
    5xx after retries, or ``on_payload`` raising InvalidPayload) is recorded with its cause
    and skipped; a refusal storm, a too-long Retry-After, an exhausted attempt budget or a
    ``RunStopped`` (bad API key, no searches left) stops the run cleanly. ``progress``
    defaults to a progress bar on an interactive terminal (none under CI or in a pipe).
    """
    plan = remaining_requests(requests, done_keys)
    done: list[str] = []
    failed: dict[str, str] = {}
    failures: list[FailedRequest] = []
    bar = progress if progress is not None else auto_progress(len(plan))
    with bar:
        for position, request in enumerate(plan):
            try:
                payload = fetcher.fetch(request)
                on_payload(payload)
            except (RateLimited, AttemptBudgetExhaustedError, RunStopped) as exc:
                status: RunStatus
                if isinstance(exc, AttemptBudgetExhaustedError):
                    status, cause = "budget_exhausted", "budget"
                elif isinstance(exc, RunStopped):
                    status, cause = "stopped", "stopped"
                else:
                    status = "rate_limited"
                    cause = str(getattr(exc, "cause", "rate_limit"))
                left = tuple(r for r in plan[position:]) + tuple(
                    r for r in plan[:position] if r.request_key in failed
                )
                return BatchRunResult(
                    status=status,
                    done=tuple(done),
                    remaining=left,
                    failed=failed,
                    message=f"{exc} ({len(done)} done, {len(left)} left)",
                    failures=tuple(failures),
                    stop_cause=cause,
                )
            except (SourceError, InvalidPayload) as exc:
                failed[request.request_key] = str(exc)
                failures.append(FailedRequest(request, _cause_of(exc), str(exc)))
                bar.advance(failed=True)
                continue
            done.append(request.request_key)
            bar.advance(failed=False)
    remaining = tuple(r for r in plan if r.request_key in failed)
    if failed:
        return BatchRunResult(
            status="partial",
            done=tuple(done),
            remaining=remaining,
            failed=failed,
            message=f"{len(done)} requests done, {len(failed)} failed",
            failures=tuple(failures),
        )
    return BatchRunResult(
        status="complete",
        done=tuple(done),
        remaining=(),
        failed={},
        message=f"{len(done)} requests done",
    )
