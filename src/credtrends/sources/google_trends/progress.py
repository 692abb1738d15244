"""A progress bar for long fetches (batches done/left, ETA), only where someone watches it.

A run of a few hundred polite requests takes an hour; without a bar it looks hung. In a pipe,
a log file or CI the bar would only add noise, so it is off there.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Protocol


class BatchProgress(Protocol):
    """What ``run_batches`` reports to: a context manager advanced once per request."""

    def __enter__(self) -> BatchProgress: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def advance(self, *, failed: bool) -> None: ...


class NoProgress:
    """Reports nowhere (not a terminal, CI, or tests)."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def advance(self, *, failed: bool) -> None:
        return None


class RichProgress:
    """A rich bar on stderr: batches done of total, failures, elapsed and remaining time."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.total = total
        self.failed = 0
        self._progress = Progress(
            TextColumn("Google Trends batches"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task("fetch", total=self.total, failed=0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.__exit__(kind, value, traceback)

    def advance(self, *, failed: bool) -> None:
        self.failed += int(failed)
        self._progress.update(self._task, advance=1, failed=self.failed)


def progress_wanted(stream: Any = None) -> bool:
    """True on an interactive terminal outside CI (``CI`` or ``CREDTRENDS_NO_PROGRESS`` unset)."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return False
    if os.environ.get("CREDTRENDS_NO_PROGRESS"):
        return False
    target = stream if stream is not None else sys.stderr
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def auto_progress(total: int, *, min_total: int = 2) -> BatchProgress:
    """A bar for fetches of at least ``min_total`` requests when a person is watching."""
    if total >= min_total and progress_wanted():
        return RichProgress(total)
    return NoProgress()
