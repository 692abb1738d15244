"""Free-text subjects -> topic ids, through the editable ``config/subject_mapping.yaml``.

Catalogues describe programs with their own words ("Data Analytics", "Santé mentale",
"Cyber Security"). The mapping is explicit so planners can read and fix it: exact labels,
then the same labels case-insensitively, then simple ``*`` patterns, first match wins in
file order. Whatever matches nothing is returned with counts, never dropped silently.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from credtrends.errors import ConfigError


def normalise_subject(text: str) -> str:
    """Trim and collapse whitespace; the form in which subjects are reported."""
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass(frozen=True)
class SubjectMapping:
    """Compiled mapping; ``topics_for`` is pure and cheap."""

    exact: dict[str, tuple[str, ...]]
    folded: dict[str, tuple[str, ...]]
    patterns: tuple[tuple[str, str], ...]
    """(casefolded glob pattern, topic id) in file order."""
    ignored: frozenset[str] = field(default_factory=frozenset)
    """Casefolded subjects deliberately mapped to nothing (reported apart from unmapped)."""

    def topics_for(self, subject: str) -> tuple[str, ...]:
        text = normalise_subject(subject)
        if text in self.exact:
            return self.exact[text]
        folded = text.casefold()
        if folded in self.folded:
            return self.folded[folded]
        return tuple(dict.fromkeys(t for p, t in self.patterns if fnmatch.fnmatchcase(folded, p)))

    def is_ignored(self, subject: str) -> bool:
        return normalise_subject(subject).casefold() in self.ignored

    def map_subjects(self, subjects: Iterable[str]) -> tuple[tuple[str, ...], Counter[str]]:
        """(topic ids in first-seen order, unmapped subjects with counts)."""
        topics: dict[str, None] = {}
        unmapped: Counter[str] = Counter()
        for subject in subjects:
            if not normalise_subject(subject):
                continue
            found = self.topics_for(subject)
            if found:
                topics.update(dict.fromkeys(found))
            elif not self.is_ignored(subject):
                unmapped[normalise_subject(subject)] += 1
        return tuple(topics), unmapped

    @classmethod
    def from_document(
        cls, document: object, where: str, known_topics: Iterable[str] | None = None
    ) -> SubjectMapping:
        """Validate the YAML document: unknown topics and conflicting labels are errors."""
        if not isinstance(document, dict) or not isinstance(document.get("topics"), dict):
            raise ConfigError(f"{where}: expected a top-level 'topics:' mapping")
        known = set(known_topics) if known_topics is not None else None
        exact: dict[str, list[str]] = {}
        folded: dict[str, list[str]] = {}
        patterns: list[tuple[str, str]] = []
        for topic_id, entry in document["topics"].items():
            label = f"{where}: topic {topic_id!r}"
            if known is not None and topic_id not in known:
                raise ConfigError(f"{label}: not in topics.yaml")
            if not isinstance(entry, dict) or set(entry) - {"subjects", "patterns"}:
                raise ConfigError(f"{label}: expected 'subjects:' and/or 'patterns:' lists")
            for subject in entry.get("subjects") or []:
                if not isinstance(subject, str) or not normalise_subject(subject):
                    raise ConfigError(f"{label}: subjects must be non-empty strings")
                text = normalise_subject(subject)
                exact.setdefault(text, []).append(topic_id)
                folded.setdefault(text.casefold(), []).append(topic_id)
            for pattern in entry.get("patterns") or []:
                if not isinstance(pattern, str) or not pattern.strip("* "):
                    raise ConfigError(f"{label}: pattern {pattern!r} would match everything")
                patterns.append((normalise_subject(pattern).casefold(), topic_id))
        ignored = document.get("ignore") or []
        if not isinstance(ignored, list) or not all(isinstance(i, str) for i in ignored):
            raise ConfigError(f"{where}: 'ignore:' must be a list of strings")
        return cls(
            exact={k: tuple(dict.fromkeys(v)) for k, v in exact.items()},
            folded={k: tuple(dict.fromkeys(v)) for k, v in folded.items()},
            patterns=tuple(patterns),
            ignored=frozenset(normalise_subject(i).casefold() for i in ignored),
        )


def load_subject_mapping(path: Path, known_topics: Iterable[str] | None = None) -> SubjectMapping:
    """Read and validate ``subject_mapping.yaml`` (pass the catalogue's topic ids to check)."""
    if not path.exists():
        raise ConfigError(f"{path}: file not found")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    return SubjectMapping.from_document(document, str(path), known_topics)
