"""Checks of step parameters against the catalogue, worded like the CLI options they mirror."""

from __future__ import annotations

from collections.abc import Sequence

from credtrends.errors import ConfigError


def known(chosen: Sequence[str] | None, allowed: Sequence[str], option: str) -> list[str] | None:
    """``chosen`` as a list (None: all), or a ``ConfigError`` naming the first unknown item."""
    if chosen is None:
        return None
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise ConfigError(f"{option}: unknown {unknown[0]!r}")
    return list(chosen)
