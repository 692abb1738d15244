"""The CLI as a user runs it (a subprocess), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli


def _row_counts(status_output: str) -> dict[str, int]:
    counts = {}
    section = status_output.split("rows per table:")[1].split("sources:")[0]
    for line in section.strip().splitlines():
        name, count = line.split()
        counts[name] = int(count.replace(",", ""))
    return counts


def test_demo_twice_leaves_identical_row_counts(cli_env: dict[str, str]) -> None:
    first = run_cli("demo", "--no-serve", "--end", "2026-11-20", env=cli_env)
    assert first.returncode == 0, first.stderr
    counts_first = _row_counts(run_cli("status", env=cli_env).stdout)
    second = run_cli("demo", "--no-serve", "--end", "2026-11-20", env=cli_env)
    assert second.returncode == 0, second.stderr
    status = run_cli("status", env=cli_env)
    counts_second = _row_counts(status.stdout)
    # Every run of the demo is its own job_runs row (a crashed one stays in the history);
    # the data tables are identical.
    assert counts_second.pop("job_runs") == counts_first.pop("job_runs") + 2
    assert counts_second == counts_first
    assert counts_first["search_interest"] > 3 * 5 * 52
    assert "synthetic-demo" in status.stdout and "SYNTHETIC" in status.stdout
    assert "demo" in status.stdout.split("last job runs:")[1]


def test_broken_topic_entry_stops_init_with_one_line(cli_env: dict[str, str]) -> None:
    topics = Path(cli_env["CREDTRENDS_CONFIG_DIR"]) / "topics.yaml"
    topics.write_text(topics.read_text().replace("search_terms: [smart serve]", "search_terms: []"))
    result = run_cli("init", env=cli_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "topics.yaml" in lines[0] and "'smart-serve'" in lines[0] and "search_terms" in lines[0]


def test_bad_setting_is_one_line(cli_env: dict[str, str]) -> None:
    result = run_cli("status", env={**cli_env, "CREDTRENDS_PORT": "http"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "credtrends: error: setting 'port' (environment variable CREDTRENDS_PORT): "
        "Input should be a valid integer, unable to parse string as an integer (got 'http')"
    ]


def test_status_on_an_uninitialised_warehouse_says_run_init(cli_env: dict[str, str]) -> None:
    result = run_cli("status", env=cli_env)
    assert result.returncode == 3
    assert "run `credtrends init` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "CREDTRENDS_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
    result = run_cli("init", env=env)
    assert result.returncode == 3
    assert result.stderr.startswith("credtrends: error: cannot reach the warehouse")
    assert len(result.stderr.strip().splitlines()) == 1


def test_init_then_status_lists_tables(cli_env: dict[str, str]) -> None:
    assert run_cli("init", env=cli_env).returncode == 0
    status = run_cli("status", env=cli_env)
    assert status.returncode == 0
    counts = _row_counts(status.stdout)
    assert counts["topics"] == 3 and counts["regions"] == 4 and counts["search_interest"] == 0
    assert "(no facts loaded yet)" in status.stdout
