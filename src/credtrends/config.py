"""Settings: ``config/credtrends.toml`` overridden by ``CREDTRENDS_*`` environment variables.

Settings are read once per process by the CLI and passed down explicitly (no module-level
singleton), so tests and several app instances can use different warehouses side by side.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from credtrends.errors import ConfigError

ENV_PREFIX = "CREDTRENDS_"
CONFIG_FILE_NAME = "credtrends.toml"
# A scheme, a host (a leading "*." allowed) and an optional port: what CSP calls a source.
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


class Settings(BaseSettings):
    """Everything credtrends can be told; each field's description is its documentation."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    config_dir: Path = Field(
        default=Path("config"),
        description="Folder holding credtrends.toml, topics.yaml and regions.yaml.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the embedded SQLite warehouse, raw files and logs.",
    )
    jobs_dir: Path = Field(
        default=Path("jobs"),
        description="Folder of job definitions (one YAML file per scheduled job).",
    )
    dashboards_dir: Path = Field(
        default=Path("dashboards"),
        description="Folder of curated boards (one YAML file per board page).",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the warehouse, e.g. postgresql+psycopg://user@host/db. "
            "Empty means the embedded SQLite file <data_dir>/credtrends.sqlite."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the dashboard listens on.")
    port: int = Field(default=8050, ge=1, le=65535, description="Port the dashboard listens on.")
    debug: bool = Field(
        default=False, description="Dash debug mode (never on a server others can reach)."
    )
    cache_type: Literal["simple", "redis", "null"] = Field(
        default="simple",
        description="Query cache of the dashboard: simple (per process), redis, or null (off).",
    )
    cache_redis_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Redis URL used when cache_type=redis."
    )
    cache_timeout_seconds: int = Field(
        default=300, ge=0, description="How long a cached dashboard query stays valid."
    )
    public_base_url: str | None = Field(
        default=None,
        description=(
            "Address users reach the dashboard at, e.g. https://trends.example.org: every "
            "absolute link (permalinks, iframe code, exports) starts with it, never with the "
            "request's Host header. Empty means http://<host>:<port>."
        ),
    )
    embed_frame_ancestors: list[str] = Field(
        default_factory=list,
        description=(
            "Origins (https://site.example.org, https://*.example.org) allowed to show "
            "/embed charts in an iframe, besides the dashboard itself; pages only by the dashboard."
        ),
    )
    max_request_bytes: int = Field(
        default=1_048_576,
        ge=1_024,
        description="Largest request body the dashboard accepts; larger ones get HTTP 413.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the CLI, jobs and server."
    )
    log_file: Path | None = Field(
        default=None,
        description=(
            "Log file of the CLI, jobs and server; empty means <data_dir>/logs/credtrends.log. "
            "Rotated at log_max_bytes, keeping log_backup_count old files; when it cannot be "
            "written (read-only disk) logging goes to stderr only, with one warning."
        ),
    )
    log_max_bytes: int = Field(
        default=10_000_000, ge=10_000, description="Size at which the log file is rotated."
    )
    log_backup_count: int = Field(
        default=5, ge=0, le=100, description="How many rotated log files are kept."
    )
    db_connect_timeout_seconds: float = Field(
        default=10.0, ge=0, description="PostgreSQL connect_timeout (0 = wait forever)."
    )
    db_statement_timeout_seconds: float = Field(
        default=120.0,
        ge=0,
        description="PostgreSQL statement_timeout: longest a single statement may run (0 = off).",
    )
    db_lock_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Longest wait for a table or row lock: PostgreSQL lock_timeout and SQLite "
            "busy_timeout (0 = PostgreSQL waits forever, SQLite fails at once)."
        ),
    )
    db_idle_in_transaction_timeout_seconds: float = Field(
        default=600.0,
        ge=0,
        description="PostgreSQL idle_in_transaction_session_timeout (0 = off).",
    )
    db_pool_timeout_seconds: float = Field(
        default=10.0, ge=0, description="Longest wait for a free connection of the pool."
    )
    dashboard_db_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description=(
            "The dashboard's cap on statement and lock waits (under gunicorn's 30 s worker "
            "timeout): a locked or slow warehouse answers 503 instead of a killed worker."
        ),
    )
    job_heartbeat_seconds: float = Field(
        default=15.0, gt=0, description="How often a running job renews its lock."
    )
    job_lock_stale_seconds: float = Field(
        default=120.0,
        gt=0,
        description=(
            "A job lock not renewed for this long is taken over by the next run; the holder "
            "stops its work before then (and is recorded as crashed)."
        ),
    )
    trends_backend: Literal["pytrends", "serpapi"] = Field(
        default="pytrends",
        description=(
            "How `ingest trends` reaches Google Trends: pytrends (Google's own endpoints, "
            "free, often rate-limited) or serpapi (SerpApi's Google Trends engine, needs "
            "serpapi_api_key)."
        ),
    )
    serpapi_api_key: SecretStr | None = Field(
        default=None,
        description=(
            "SerpApi private key (https://serpapi.com/manage-api-key); best given as the "
            "environment variable CREDTRENDS_SERPAPI_API_KEY. Never logged or stored."
        ),
    )
    serpapi_base_url: str = Field(
        default="https://serpapi.com/search.json",
        description="SerpApi search endpoint (change only for a proxy or a test double).",
    )
    trends_retry_after_cap_seconds: float = Field(
        default=900.0,
        ge=0,
        description=(
            "Longest Retry-After wait honoured while fetching Google Trends; a longer one "
            "stops the run with the time to resume."
        ),
    )

    dask_scheduler: str | None = Field(
        default=None,
        description=(
            "Address of a dask.distributed scheduler, e.g. tcp://host:8786: `credtrends "
            "forecast` then sends its chunks of series to that cluster. Empty means forecast "
            "in this process (and its local worker processes)."
        ),
    )
    forecast_chunk_series: int = Field(
        default=1000,
        ge=50,
        description=(
            "Series per forecast chunk: read, forecast and written together, so memory is "
            "bounded by the chunk (about 0.3 MiB per weekly series at a 52-week horizon), not "
            "by the warehouse. Interval widths are calibrated within each chunk."
        ),
    )

    @field_validator("database_url", "dask_scheduler")
    @classmethod
    def _empty_url_means_default(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("public_base_url")
    @classmethod
    def _base_url_is_an_origin(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.query
            or parts.fragment
            or parts.username
            or any(char.isspace() or ord(char) < 0x20 for char in value)
        ):
            raise ValueError("must be an http(s) address without query, fragment or user")
        return value.rstrip("/")

    @field_validator("embed_frame_ancestors")
    @classmethod
    def _origins_only(cls, value: list[str]) -> list[str]:
        # Each one goes into a Content-Security-Policy header: nothing but an origin.
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://site.example.org")
        return value

    @field_validator("log_file", mode="before")
    @classmethod
    def _empty_log_file_means_default(cls, value: object) -> object:
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment variables win over the TOML file, which arrives as init values.
        return (env_settings, init_settings)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "credtrends.sqlite"

    @property
    def warehouse_url(self) -> str:
        """The URL actually used: the configured one or the embedded SQLite file."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def base_url(self) -> str:
        """The public address absolute links start with (no trailing slash)."""
        if self.public_base_url:
            return self.public_base_url
        host = "localhost" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.log_path.parent

    @property
    def log_path(self) -> Path:
        return self.log_file or self.data_dir / "logs" / "credtrends.log"

    @property
    def topics_file(self) -> Path:
        return self.config_dir / "topics.yaml"

    @property
    def regions_file(self) -> Path:
        return self.config_dir / "regions.yaml"

    @property
    def subject_mapping_file(self) -> Path:
        return self.config_dir / "subject_mapping.yaml"


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def load_settings() -> Settings:
    """Read settings; a bad value raises ConfigError naming the setting and where it came from."""
    config_dir = Path(os.environ.get(f"{ENV_PREFIX}CONFIG_DIR", "config"))
    toml_path = config_dir / CONFIG_FILE_NAME
    file_values = _read_toml(toml_path)
    unknown = sorted(set(file_values) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{toml_path}: unknown setting {unknown[0]!r}")
    file_values["config_dir"] = str(config_dir)
    try:
        return Settings(**file_values)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc, toml_path)) from exc


def _describe_validation_error(exc: ValidationError, toml_path: Path) -> str:
    first = exc.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    env_name = f"{ENV_PREFIX}{name.upper()}"
    origin = f"environment variable {env_name}" if env_name in os.environ else str(toml_path)
    shown = "**********" if "key" in name else repr(first.get("input"))  # never echo secrets
    return f"setting {name!r} ({origin}): {first['msg']} (got {shown})"
