"""Every step, by name: the one list the CLI, ``credtrends run`` and job files read.

``derive`` (growth, emerging topics, scores written as tables) is listed like any other;
``run_step`` also runs it after every step that writes a table it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from credtrends.errors import ConfigError
from credtrends.steps.build import DEMO, INIT
from credtrends.steps.derive import DERIVE
from credtrends.steps.forecast import FORECAST
from credtrends.steps.sources import (
    IMPORT_CATALOGUE,
    IMPORT_JOBBANK,
    IMPORT_PORTAL_SEARCHES,
    IMPORT_STATCAN,
    INGEST_JOBBANK,
    INGEST_STATCAN,
)
from credtrends.steps.spec import Step
from credtrends.steps.trends import CALIBRATE, IMPORT_TRENDS_CSV, INGEST_TRENDS

STEPS: dict[str, Step[Any]] = {
    step.name: step
    for step in (
        INIT, DEMO,
        INGEST_TRENDS, IMPORT_TRENDS_CSV, CALIBRATE,
        INGEST_STATCAN, IMPORT_STATCAN, INGEST_JOBBANK, IMPORT_JOBBANK,
        IMPORT_CATALOGUE, IMPORT_PORTAL_SEARCHES,
        FORECAST, DERIVE,
    )
}  # fmt: skip
RUN_COMMAND = "run"
"""The CLI command that runs any step: ``credtrends run STEP --param name=value ...``."""


def get_step(name: str) -> Step[Any]:
    step = STEPS.get(name)
    if step is None:
        raise ConfigError(f"no step named {name!r} (have: {', '.join(STEPS)})")
    return step


def step_of_command(words: Sequence[str]) -> Step[Any] | None:
    """The step a CLI command runs (``[ingest, trends, ...]``, ``[run, forecast, ...]``),
    or None for a command that is not a step (``status``)."""
    if len(words) >= 2 and words[0] == RUN_COMMAND:
        return STEPS.get(words[1])
    matches = [s for s in STEPS.values() if s.cli and tuple(words[: len(s.cli)]) == s.cli]
    return max(matches, key=lambda s: len(s.cli), default=None)


def command_of_step(step: Step[Any], words: Sequence[str]) -> list[str]:
    """The child-process command of a job naming ``step`` with ``--param`` words."""
    return [RUN_COMMAND, step.name, *words]
