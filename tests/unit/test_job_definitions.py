"""Job files: valid ones load, each broken one gives one clear error naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from credtrends.errors import ConfigError
from credtrends.jobs.definitions import dependants, load_job_definitions

REPO_JOBS = Path(__file__).parents[2] / "jobs"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_shipped_jobs_are_valid_and_run_real_commands() -> None:
    from credtrends.cli import app

    jobs = load_job_definitions(REPO_JOBS)
    assert "trends-weekly" in jobs
    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    for job in jobs.values():
        assert job.command[0] in commands, f"{job.name} runs unknown command {job.command[0]}"


def test_schedule_dependencies_and_defaults(tmp_path: Path) -> None:
    write(tmp_path, "fetch", "name: fetch\ncommand: [status]\nschedule: {cron: '0 6 * * 1'}\n")
    write(tmp_path, "after", "name: after\ncommand: [status]\ndepends_on: [fetch]\n")
    jobs = load_job_definitions(tmp_path)
    assert jobs["fetch"].schedule is not None
    assert jobs["fetch"].schedule.timezone == "America/Toronto"
    assert jobs["fetch"].retry.attempts == 1
    assert [j.name for j in dependants(jobs, "fetch")] == ["after"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: j\ncommand: [status]\nschedule: {cron: '61 * * * *'}\n",
            r"schedule.cron: .*invalid cron",
        ),
        (
            "name: j\ncommand: [status]\nschedule: {cron: '* * *'}\n",
            r"schedule.cron: .*five fields",
        ),
        (
            "name: j\ncommand: [status]\nschedule: {cron: '0 6 * * 1', timezone: Mars/Olympus}\n",
            r"schedule.timezone: .*unknown time zone",
        ),
        (
            "name: j\ncommand: []\nschedule: {cron: '0 6 * * 1'}\n",
            r"command: List should have at least 1",
        ),
        (
            "name: j\ncommand: [status; rm -rf /]\nschedule: {cron: '0 6 * * 1'}\n",
            r"command.0: String should match",
        ),
        (
            "name: j\ncommand: [scheduler]\nschedule: {cron: '0 6 * * 1'}\n",
            r"command: .*cannot be run as a job",
        ),
        ("name: j\ncommand: [status]\n", r"schedule: a job needs a schedule, depends_on, or both"),
        (
            "name: other\ncommand: [status]\nschedule: {cron: '0 6 * * 1'}\n",
            r"name: 'other' must match the file name 'j'",
        ),
        ("name: j\ncommand: [status]\ndepends_on: [ghost]\n", r"depends_on: unknown job 'ghost'"),
        (
            "name: j\ncommand: [status]\nschedule: {cron: '0 6 * * 1'}\nretry: {attempts: 0}\n",
            r"retry.attempts",
        ),
        (
            "name: j\ncommand: [status]\nschedule: {cron: '0 6 * * 1'}\ncolour: red\n",
            r"colour: Extra inputs",
        ),
        ("name: [j\n", r"not valid YAML"),
    ],
)
def test_invalid_job_files_give_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "j", text)
    with pytest.raises(ConfigError, match=expected) as error:
        load_job_definitions(tmp_path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_cycles_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a", "name: a\ncommand: [status]\ndepends_on: [b]\n")
    write(tmp_path, "b", "name: b\ncommand: [status]\ndepends_on: [a]\n")
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        load_job_definitions(tmp_path)


@pytest.mark.parametrize(
    ("weekday", "expected_day"),
    [("1", 7), ("0", 6), ("7", 6), ("1-5", 7), ("sat", 12), ("*/2", 6), ("6,0", 6)],
)
def test_cron_weekdays_follow_standard_cron(
    tmp_path: Path, weekday: str, expected_day: int
) -> None:
    from datetime import UTC, datetime

    write(
        tmp_path,
        "j",
        f"name: j\ncommand: [status]\nschedule: {{cron: '0 6 * * {weekday}', timezone: UTC}}\n",
    )
    schedule = load_job_definitions(tmp_path)["j"].schedule
    assert schedule is not None
    # 2030-01-06 is a Sunday.
    fire = schedule.trigger().get_next_fire_time(None, datetime(2030, 1, 6, tzinfo=UTC))
    assert fire is not None and fire.day == expected_day
