"""Checks of step parameters against the catalogue, worded like the CLI options they mirror."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from credtrends.errors import ConfigError

if TYPE_CHECKING:
    from credtrends.catalogue import Catalogue
    from credtrends.config import Settings


def known(chosen: Sequence[str] | None, allowed: Sequence[str], option: str) -> list[str] | None:
    """``chosen`` as a list (None: all), or a ``ConfigError`` naming the first unknown item."""
    if chosen is None:
        return None
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise ConfigError(f"{option}: unknown {unknown[0]!r}")
    return list(chosen)


def known_regions(chosen: Sequence[str] | None, catalogue: Catalogue, settings: Settings) -> None:
    """Every chosen region is in the region catalogue, or a ``ConfigError`` naming its file."""
    unknown = sorted(set(chosen or ()) - set(catalogue.region_codes))
    if unknown:
        raise ConfigError(f"--region {unknown[0]!r} is not in {settings.regions_file}")
