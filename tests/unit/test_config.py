"""Settings: TOML file, environment overrides, one-line errors naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from credtrends.config import Settings, load_settings
from credtrends.errors import ConfigError


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"CREDTRENDS_{name.upper()}", raising=False)
    monkeypatch.setenv("CREDTRENDS_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_defaults_use_the_embedded_sqlite_warehouse(config_dir: Path) -> None:
    settings = load_settings()
    assert settings.warehouse_url == "sqlite:///data/credtrends.sqlite"
    assert (settings.host, settings.port, settings.debug) == ("127.0.0.1", 8050, False)


def test_file_values_are_read_and_environment_wins(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config_dir / "credtrends.toml").write_text('port = 9000\ndata_dir = "/srv/ct"\n')
    monkeypatch.setenv("CREDTRENDS_PORT", "9100")
    settings = load_settings()
    assert settings.port == 9100
    assert settings.warehouse_url == "sqlite:////srv/ct/credtrends.sqlite"


def test_empty_database_url_means_embedded(config_dir: Path) -> None:
    (config_dir / "credtrends.toml").write_text('database_url = ""\n')
    assert load_settings().database_url is None


def test_bad_environment_value_names_the_variable(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDTRENDS_PORT", "eighty")
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert "'port'" in message and "CREDTRENDS_PORT" in message and "eighty" in message
    assert "\n" not in message


def test_bad_file_value_names_the_file(config_dir: Path) -> None:
    (config_dir / "credtrends.toml").write_text('cache_type = "memcached"\n')
    with pytest.raises(ConfigError, match=r"'cache_type' \(.*credtrends.toml\)"):
        load_settings()


def test_unknown_key_and_broken_toml_are_reported(config_dir: Path) -> None:
    (config_dir / "credtrends.toml").write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings()
    (config_dir / "credtrends.toml").write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_every_setting_is_documented_in_code_and_in_the_shipped_file() -> None:
    shipped = (Path(__file__).parents[2] / "config" / "credtrends.toml").read_text()
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"CREDTRENDS_{name.upper()}" in readme, f"README does not document {name}"
        if name != "config_dir":
            assert f"{name} =" in shipped, f"config/credtrends.toml does not show {name}"


def test_every_cli_command_is_in_the_readme() -> None:
    import typer.main

    from credtrends.cli import app

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    group = typer.main.get_group(app)

    def walk(command: object, prefix: str) -> list[str]:
        children = getattr(command, "commands", {})
        if not children:
            return [prefix]
        return [name for key, child in children.items() for name in walk(child, f"{prefix} {key}")]

    for name in walk(group, "credtrends"):
        assert f"`{name}" in readme, f"README's CLI reference lacks {name}"


def test_the_dashboard_caps_database_waits_under_the_worker_timeout() -> None:
    from credtrends.warehouse.engine import DatabaseTimeouts

    settings = Settings(db_statement_timeout_seconds=120, db_lock_timeout_seconds=0,
                        dashboard_db_timeout_seconds=8)  # fmt: skip
    timeouts = DatabaseTimeouts.for_dashboard(settings)
    assert timeouts.statement_seconds == 8
    assert timeouts.lock_seconds == 8  # 0 (wait forever) is capped too
    assert DatabaseTimeouts.from_settings(settings).statement_seconds == 120
