"""Job definitions: one YAML file per job in ``jobs/``, validated on load.

A job runs one step (``step: ingest-trends`` with ``params: {timeframe: today 5-y}``, the
parameters checked against the step's typed model when the file is loaded) on a cron
schedule, after other jobs, or both. The older form naming a CLI command
(``command: [ingest, trends]``) is still accepted: a file's command must name a step (or
``status``/``settings``), and its options are checked by the CLI when it runs. Either way
the job's ``command`` is what its child process runs (``run STEP --param name=value ...``
for the step form). Errors name the file and the field, one line each.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from tenacity import RetryCallState, Retrying, wait_exponential_jitter

from credtrends.errors import ConfigError
from credtrends.sources.polite import exponential_backoff
from credtrends.steps.registry import RUN_COMMAND, STEPS, command_of_step, step_of_command
from credtrends.steps.spec import param_words, params_problem

JobName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
# Arguments are passed to our own CLI as a list (never through a shell).
CommandWord = Annotated[str, StringConstraints(pattern=r"^[\w .:,=/@+-]+$", max_length=200)]
FORBIDDEN_COMMANDS = {"scheduler", "serve", "jobs"}
MAX_BACKOFF_SECONDS = 24 * 3600.0
READ_ONLY_COMMANDS = {"status", "settings"}
"""Commands that are not steps but may still run as a job (they write nothing)."""
FILE_CONTEXT = {"job_file": True}
"""Validation context of a job file: its command must name a step or a read-only command
(definitions built in code, e.g. by tests with a stand-in command, are not held to that)."""


WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _standard_weekdays(field: str) -> str:
    """Cron's weekday numbers (0 or 7 = Sunday) as names: APScheduler 3 counts from Monday=0,
    so passing numbers through would silently shift every weekly job by a day."""

    def convert(part: str) -> str:
        values, _, step = part.partition("/")
        named = re.sub(
            r"\d+",
            lambda m: WEEKDAY_NAMES[int(m.group())] if int(m.group()) <= 7 else m.group(),
            values,
        )
        return f"{named}/{step}" if step else named

    return ",".join(convert(part) for part in field.split(","))


def _cron_trigger(expression: str, timezone: ZoneInfo) -> CronTrigger:
    minute, hour, day, month, weekday = expression.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_standard_weekdays(weekday),
        timezone=timezone,
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Strict):
    cron: str = Field(description="Five-field cron expression: minute hour day month weekday.")
    timezone: str = Field(default="America/Toronto", description="IANA time zone of the cron.")

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError("cron needs five fields: minute hour day month weekday")
        try:
            _cron_trigger(value, ZoneInfo("UTC"))
        except ValueError as exc:
            raise ValueError(f"invalid cron expression: {exc}") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def trigger(self) -> CronTrigger:
        return _cron_trigger(self.cron, ZoneInfo(self.timezone))


class RetryPolicy(_Strict):
    attempts: int = Field(default=1, ge=1, le=10, description="Tries in all, the first included.")
    backoff_seconds: float = Field(
        default=60, ge=0, description="Wait before the 2nd try; doubles."
    )
    jitter_seconds: float = Field(
        default=0, ge=0, description="Up to this much random extra wait before each retry."
    )

    def backoff(self, jitter: bool = True) -> wait_exponential_jitter:
        """The wait before each retry as tenacity's ``wait_exponential_jitter`` (built by
        ``sources.polite.exponential_backoff``, like every source's backoff):
        ``backoff_seconds`` doubling per retry, plus up to ``jitter_seconds`` at random."""
        spread = self.jitter_seconds if jitter else 0.0
        return exponential_backoff(self.backoff_seconds, MAX_BACKOFF_SECONDS, spread)

    def wait_before(self, attempt: int) -> timedelta:
        """The wait before try ``attempt`` (2, 3, ...), without jitter: the scheduler asks
        again at every poll whether a crashed slot's retry is due, so it must not move."""
        state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = attempt - 1
        return timedelta(seconds=self.backoff(jitter=False)(state))


class JobDefinition(_Strict):
    name: JobName
    description: str = ""
    command: list[CommandWord] = Field(min_length=1)
    step: str | None = Field(default=None, description="The step the job runs, if it names one.")
    params: dict[str, Any] = Field(default_factory=dict, description="The step's parameters.")
    schedule: Schedule | None = None
    depends_on: list[JobName] = Field(default_factory=list)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    timeout_minutes: float = Field(default=120, gt=0, le=24 * 60)
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _step_or_command(cls, data: Any) -> Any:
        """``step`` + ``params`` become the command that runs them; a ``command`` is mapped
        onto the step it runs (None for a command that is not a step)."""
        if not isinstance(data, dict):
            return data
        if "step" in data:
            return _from_step(data)
        if "params" in data:
            raise ValueError("params: give them with a step (step: NAME, params: {...})")
        command = data.get("command")
        if isinstance(command, list) and command and all(isinstance(w, str) for w in command):
            step = step_of_command(command)
            if step is not None and command[0] == RUN_COMMAND:
                words = [w for w in command[2:] if w != "--param"]
                step.parse_words(words, "command")  # a bad --param is refused now, not at 6 am
            return {**data, "step": step.name if step else None}
        return data

    @model_validator(mode="after")
    def _names_a_step_in_files(self, info: ValidationInfo) -> JobDefinition:
        """A job file's command must run a step or a read-only command."""
        strict = bool(info.context and info.context.get("job_file"))
        if strict and self.step is None and self.command[0] not in READ_ONLY_COMMANDS:
            raise ValueError(
                f"command: {' '.join(self.command[:2])!r} names no step (steps: "
                f"{', '.join(STEPS)}; or {', '.join(sorted(READ_ONLY_COMMANDS))})"
            )
        return self

    @field_validator("command")
    @classmethod
    def _runnable_command(cls, value: list[str]) -> list[str]:
        if value[0] in FORBIDDEN_COMMANDS:
            raise ValueError(f"{value[0]!r} cannot be run as a job")
        return value


def _from_step(data: dict[str, Any]) -> dict[str, Any]:
    """A step-form job: its parameters validated by the step's model, its command built."""
    if "command" in data:
        raise ValueError("step: give a step (with params) or a command, not both")
    name = data["step"]
    step = STEPS.get(name) if isinstance(name, str) else None
    if step is None:
        raise ValueError(f"step: unknown step {name!r} (steps: {', '.join(STEPS)})")
    raw = data.get("params") or {}
    if not isinstance(raw, dict):
        raise ValueError("params: expected a mapping of parameter names to values")
    try:
        params = step.params.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(params_problem(name, exc).replace(f"step {name!r}: ", "params.")) from exc
    command = command_of_step(step, param_words(params))
    return {**data, "params": params.recorded(), "command": command}


def _load_file(path: Path) -> JobDefinition:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping with name, command, schedule ...")
    try:
        definition = JobDefinition.model_validate(document, context=FILE_CONTEXT)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where + ': ' if where else ''}{message}") from exc
    except ConfigError as exc:  # a --param of a `run` command the step refused
        raise ConfigError(f"{path}: {exc}") from exc
    if definition.name != path.stem:
        raise ConfigError(
            f"{path}: name: {definition.name!r} must match the file name {path.stem!r}"
        )
    if definition.schedule is None and not definition.depends_on:
        raise ConfigError(f"{path}: schedule: a job needs a schedule, depends_on, or both")
    return definition


def load_job_definitions(folder: Path) -> dict[str, JobDefinition]:
    """Every ``*.yaml`` in ``folder``, cross-checked: dependencies exist and form no cycle."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: job folder not found (set CREDTRENDS_JOBS_DIR)")
    jobs = {d.name: d for d in (_load_file(p) for p in sorted(folder.glob("*.yaml")))}
    for job in jobs.values():
        for dependency in job.depends_on:
            if dependency not in jobs:
                raise ConfigError(
                    f"{folder / job.name}.yaml: depends_on: unknown job {dependency!r}"
                )
    for name in jobs:
        _check_no_cycle(jobs, name, [])
    return jobs


def _check_no_cycle(jobs: dict[str, JobDefinition], name: str, path: list[str]) -> None:
    if name in path:
        cycle = " -> ".join([*path[path.index(name) :], name])
        raise ConfigError(f"jobs depend on each other in a cycle: {cycle}")
    for dependency in jobs[name].depends_on:
        _check_no_cycle(jobs, dependency, [*path, name])


def dependants(jobs: dict[str, JobDefinition], name: str) -> list[JobDefinition]:
    """Jobs to run after ``name`` succeeds, in file order."""
    return [job for job in jobs.values() if name in job.depends_on and job.enabled]
