"""A resumable batch run of Google Trends requests through the one polite fetcher.

Google rate-limits Trends hard (HTTP 429 from the first request for many users since 2024).
``sources.polite.PoliteFetcher`` paces, backs off and stops the run on a *storm* of
consecutive refusals (429s or captcha pages alike); ``run_batches`` records which batches
are done, so the caller resumes later from where the run stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from credtrends.errors import InvalidPayload, RateLimited, SourceError
from credtrends.sources import polite
from credtrends.sources.google_trends.client import RawPayload, RunStopped, ServerError
from credtrends.sources.google_trends.progress import BatchProgress, auto_progress
from credtrends.sources.google_trends.request import TrendsRequest
from credtrends.sources.polite import (
    AttemptBudgetExhaustedError,
    PacingPolicy,
    RateLimitStormError,
    RetryAfterTooLongError,
)

__all__ = [
    "AttemptBudgetExhaustedError",
    "BatchRunResult",
    "FailedRequest",
    "IncompleteRunError",
    "PacingPolicy",
    "PoliteFetcher",
    "RateLimitStormError",
    "RetryAfterTooLongError",
    "RunStatus",
    "remaining_requests",
    "run_batches",
]


PoliteFetcher = polite.PoliteFetcher[TrendsRequest, RawPayload]
"""The one polite fetcher (``sources.polite``) around a Google Trends backend."""


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
