"""The topic and region catalogues (``config/topics.yaml``, ``config/regions.yaml``).

Validated eagerly on load: a broken entry stops ``credtrends init`` with one line naming the
file, the entry and the problem, before anything touches the warehouse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from credtrends.errors import ConfigError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Search terms go to Google verbatim: printable text only, no control characters.
SEARCH_TERM_PATTERN = re.compile(r"^[\w][\w '’+#&.\-]*$", re.UNICODE)
SearchTerm = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=SEARCH_TERM_PATTERN.pattern
    ),
]
NocCode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^CA(?:-[A-Z]{2})?$")]


ModelT = TypeVar("ModelT", bound=BaseModel)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Occupation(_Entry):
    """A NOC 2021 unit group related to a topic (links search interest to labour demand)."""

    noc: NocCode
    title_en: DisplayName
    title_fr: DisplayName


class Topic(_Entry):
    id: Slug
    name_en: DisplayName
    name_fr: DisplayName
    category: Literal["certification", "compliance", "subject"]
    search_terms: list[SearchTerm] = Field(min_length=1, max_length=5)
    regions: list[RegionCode] | None = None
    occupations: list[Occupation] = Field(default_factory=list)


class Region(_Entry):
    code: RegionCode
    level: Literal["country", "province", "territory"]
    parent: RegionCode | None
    name_en: DisplayName
    name_fr: DisplayName
    statcan_name: DisplayName
    sgc_code: Annotated[str, StringConstraints(pattern=r"^\d{2}$")] | None
    dguid: Annotated[str, StringConstraints(pattern=r"^\d{4}[A-Z]\d{4,}$")]


class Catalogue(BaseModel):
    """Topics and regions, cross-checked (every region a topic names exists)."""

    model_config = ConfigDict(frozen=True)

    topics: tuple[Topic, ...]
    regions: tuple[Region, ...]

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    @property
    def region_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.regions)


def _read_yaml_list(path: Path, key: str) -> list[Any]:
    if not path.exists():
        raise ConfigError(
            f"{path}: file not found (set CREDTRENDS_CONFIG_DIR to your config folder)"
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({_one_line(str(exc))})") from exc
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise ConfigError(f"{path}: expected a top-level '{key}:' list")
    entries: list[Any] = document[key]
    if not entries:
        raise ConfigError(f"{path}: the '{key}' list is empty")
    return entries


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _entry_label(raw: Any, index: int, id_key: str) -> str:
    if isinstance(raw, dict) and isinstance(raw.get(id_key), str):
        return f"entry {index + 1} ({id_key} {raw[id_key]!r})"
    return f"entry {index + 1}"


def _validate_entries(
    path: Path, raw_entries: Sequence[Any], model: type[ModelT], id_key: str
) -> list[ModelT]:
    parsed: list[ModelT] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_entries):
        label = _entry_label(raw, index, id_key)
        try:
            entry = model.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "entry"
            raise ConfigError(f"{path}: {label}: {where}: {error['msg']}") from exc
        identifier = str(getattr(entry, id_key))
        if identifier in seen:
            raise ConfigError(f"{path}: {label}: duplicate {id_key} {identifier!r}")
        seen.add(identifier)
        parsed.append(entry)
    return parsed


def load_catalogue(topics_file: Path, regions_file: Path) -> Catalogue:
    """Load and cross-validate both catalogue files."""
    regions = _validate_entries(
        regions_file, _read_yaml_list(regions_file, "regions"), Region, "code"
    )
    region_codes = {r.code for r in regions}
    for index, region in enumerate(regions):
        if region.parent is not None and region.parent not in region_codes:
            raise ConfigError(
                f"{regions_file}: entry {index + 1} (code {region.code!r}): "
                f"unknown parent region {region.parent!r}"
            )
    topics = _validate_entries(topics_file, _read_yaml_list(topics_file, "topics"), Topic, "id")
    term_owner: dict[str, str] = {}
    for index, topic in enumerate(topics):
        label = f"{topics_file}: entry {index + 1} (id {topic.id!r})"
        for region_code in topic.regions or []:
            if region_code not in region_codes:
                raise ConfigError(f"{label}: unknown region {region_code!r}")
        for term in topic.search_terms:
            key = term.casefold()
            if key in term_owner:
                raise ConfigError(
                    f"{label}: search term {term!r} already belongs to topic {term_owner[key]!r}"
                )
            term_owner[key] = topic.id
    return Catalogue(topics=tuple(topics), regions=tuple(regions))
