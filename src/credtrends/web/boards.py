"""Curated boards: one YAML file per board in ``dashboards/``, validated against the catalogue.

An institution adds its own board by adding a file, without writing Python. A broken file
stops the app with one line naming the file and the field. ``title`` and ``description``
are written once (shown in both languages) or per language (``{en: ..., fr: ...}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from credtrends.catalogue import Catalogue
from credtrends.errors import ConfigError
from credtrends.web.i18n import Lang

PanelType = Literal["interest", "momentum", "regions"]
BoardSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class Panel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: PanelType


class Localized(BaseModel):
    """A board's text in English and French; French falls back to English when not given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    fr: str = ""

    @model_validator(mode="before")
    @classmethod
    def _one_text_for_both(cls, value: Any) -> Any:
        return {"en": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _french_or_english(self) -> Localized:
        if not self.fr:
            object.__setattr__(self, "fr", self.en)
        return self

    def text(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


class Board(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: BoardSlug
    title: Localized
    description: Localized = Localized(en="")
    topics: list[str] = Field(min_length=1, max_length=10)
    regions: list[str] = Field(min_length=1, max_length=14)
    panels: list[Panel] = Field(min_length=1)


def load_boards(folder: Path, catalogue: Catalogue) -> dict[str, Board]:
    """Every ``*.yaml`` board in ``folder`` (none if the folder does not exist)."""
    boards: dict[str, Board] = {}
    if not folder.is_dir():
        return boards
    for path in sorted(folder.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
        if not isinstance(document, dict):
            raise ConfigError(f"{path}: expected a mapping with title, topics, regions, panels")
        try:
            board = Board.model_validate({"slug": path.stem, **document})
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "board"
            raise ConfigError(f"{path}: {where}: {error['msg']}") from exc
        for topic in board.topics:
            if topic not in catalogue.topic_ids:
                raise ConfigError(f"{path}: topics: unknown topic {topic!r}")
        for region in board.regions:
            if region not in catalogue.region_codes:
                raise ConfigError(f"{path}: regions: unknown region {region!r}")
        for lang, text in (("en", board.title.en), ("fr", board.title.fr)):
            if not 1 <= len(text) <= 120:
                raise ConfigError(f"{path}: title.{lang}: must be 1 to 120 characters")
        boards[board.slug] = board
    return boards
