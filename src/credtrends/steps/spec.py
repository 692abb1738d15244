"""What a step is: a name, typed parameters, the tables it reads and writes, one function.

A step is declared once (``steps/declared.py``) and run by ``run_step`` whoever asks: a
CLI command, ``credtrends run STEP --param name=value``, or a job file naming the step.
Parameters travel between processes as ``name=value`` words (a job's child process gets
``run STEP --param ...``), so every parameter type reads back from its own text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from credtrends.errors import ConfigError

if TYPE_CHECKING:
    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings


def _comma_list(value: object) -> object:
    """``"CA-ON,CA-QC"`` (a CLI option, a ``--param`` word) or a YAML list: both are lists."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _one_or_many(value: object) -> object:
    """A single file name (one ``--param files=...`` word) is a list of one."""
    return [value] if isinstance(value, str | Path) else value


Codes = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]
"""Topic ids or region codes: a list, or one comma-separated text."""
Files = Annotated[tuple[Path, ...], BeforeValidator(_one_or_many)]
"""Files to import: a list, or one path (repeat ``--param files=...`` for more)."""


class StepParams(BaseModel):
    """Base of every step's parameters: unknown names are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def recorded(self) -> dict[str, Any]:
        """The parameters as the run record stores them (JSON values)."""
        return self.model_dump(mode="json")


P = TypeVar("P", bound=StepParams)


@dataclass(frozen=True)
class StepReport:
    """What a step did: rows written (the run record's count), the lines a person reads
    (the CLI prints them as they are), and what else the run record should keep."""

    rows_written: int
    lines: tuple[str, ...] = ()
    record: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class StepContext:
    """The handles ``run_step`` gives a step: the engine, the run id, where to say what
    it does, and the one transaction of a step that writes all or nothing."""

    engine: sa.Engine
    settings: Settings
    catalogue: Catalogue
    run_id: str
    echo: Callable[[str], None]
    progress: Callable[[int, int], None] | None = None
    open_transaction: Callable[[], AbstractContextManager[sa.Connection]] | None = None

    def transaction(self) -> AbstractContextManager[sa.Connection]:
        """The step's one transaction (opened by ``run_step``, which checks inside it that
        the step still holds its lock before committing). Fetch first, then open it: no
        network I/O while the warehouse is held."""
        if self.open_transaction is None:
            return self.engine.begin()
        return self.open_transaction()


@dataclass(frozen=True)
class Step(Generic[P]):
    """One unit of pipeline work, declared once.

    ``bootstrap`` steps (init, demo) build the warehouse themselves, so ``run_step`` takes
    no lock and opens no run record for them (the demo records its own two runs); every
    other step runs under a lock named after it and a ``job_runs`` row named after it.
    ``cli`` is the classic command that runs the same step (``("ingest", "trends")``).
    """

    name: str
    summary: str
    params: type[P]
    run: Callable[[StepContext, P], StepReport]
    reads: tuple[sa.Table, ...] = ()
    writes: tuple[sa.Table, ...] = ()
    cli: tuple[str, ...] = ()
    bootstrap: bool = False
    check: Callable[[P, Catalogue, Settings], None] | None = None

    def make_params(self, values: Mapping[str, Any], where: str = "") -> P:
        """Validate ``values`` into this step's parameters; a ``ConfigError`` naming the
        step, the parameter and the problem otherwise (``where``: the file or option)."""
        try:
            return self.params.model_validate(dict(values))
        except ValidationError as exc:
            raise ConfigError(params_problem(self.name, exc, where)) from exc

    def parse_words(self, words: Sequence[str], where: str = "--param") -> P:
        """Parameters from ``name=value`` words; a name given twice makes a list."""
        values: dict[str, Any] = {}
        for word in words:
            name, equals, value = word.partition("=")
            if not equals or not name.strip():
                raise ConfigError(f"{where} {word!r}: give name=value (step {self.name!r})")
            key = name.strip().replace("-", "_")
            if key in values:
                previous = values[key]
                values[key] = (
                    [*previous, value] if isinstance(previous, list) else [previous, value]
                )
            else:
                values[key] = value
        return self.make_params(values, where)

    def table_names(self) -> tuple[list[str], list[str]]:
        return [t.name for t in self.reads], [t.name for t in self.writes]


def params_problem(step: str, error: ValidationError, where: str = "") -> str:
    """The first problem of a parameter validation as one line."""
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "params"
    message = str(first["msg"]).removeprefix("Value error, ")
    prefix = f"{where}: " if where else ""
    if message.startswith("--"):  # the message names its option already (CLI wording)
        return f"{prefix}{message}"
    return f"{prefix}step {step!r}: {name}: {message}"


def param_words(params: StepParams) -> list[str]:
    """``params`` as ``--param name=value`` words (``parse_words`` reads them back);
    unset values are left out, lists become one word per item."""
    words: list[str] = []
    for name, value in params.model_dump().items():
        if value is None or name not in params.model_fields_set:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            words += ["--param", f"{name}={_text(item)}"]
    return words


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def describe(step: Step[Any]) -> Iterator[str]:
    """A step as lines: what it does, what it reads and writes, its parameters."""
    reads, writes = step.table_names()
    yield f"{step.name}: {step.summary}"
    yield f"    reads  {', '.join(reads) or '-'}"
    yield f"    writes {', '.join(writes) or '-'}"
    for name, info in step.params.model_fields.items():
        default = "" if info.is_required() else f" (default {info.get_default()!r})"
        yield f"    --param {name}=...{default}  {info.description or ''}".rstrip()
