"""Errors a user can meet.

Each one reaches the CLI as one clear line and a non-zero exit code (see ``cli.py``), so the
message must make sense on its own: name the file, setting, entry or source concerned.
"""

from __future__ import annotations


class CredtrendsError(Exception):
    """Base class: an error we expected and can explain to the user."""

    exit_code = 1


class ConfigError(CredtrendsError):
    """A setting, config file or catalogue entry is wrong."""

    exit_code = 2


class WarehouseError(CredtrendsError):
    """The warehouse cannot be reached, or is not at the schema version we need."""

    exit_code = 3


class SourceError(CredtrendsError):
    """An external source failed in a way retrying will not fix."""

    exit_code = 4


class RateLimited(SourceError):
    """The source refused us for sending too much (HTTP 429); try again later."""


class InvalidPayload(SourceError):
    """A response or file is not in the format the source documents; nothing was loaded."""
