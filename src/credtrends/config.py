"""Settings: ``config/credtrends.toml`` overridden by ``CREDTRENDS_*`` environment variables.

Settings are read once per process by the CLI and passed down explicitly (no module-level
singleton), so tests and several app instances can use different warehouses side by side.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from credtrends.errors import ConfigError

ENV_PREFIX = "CREDTRENDS_"
CONFIG_FILE_NAME = "credtrends.toml"


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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the CLI, jobs and server."
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
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

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
