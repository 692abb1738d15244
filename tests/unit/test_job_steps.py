"""Job files naming a step: parameters typed and checked when the file is loaded; the
older ``command: [...]`` form mapped onto its step."""

from __future__ import annotations

from pathlib import Path

import pytest

from credtrends.errors import ConfigError
from credtrends.jobs.definitions import JobDefinition, load_job_definitions

CRON = "schedule: {cron: '0 6 * * 1'}\n"


def write(folder: Path, text: str) -> Path:
    path = folder / "j.yaml"
    path.write_text(f"name: j\n{text}{CRON}")
    return path


def test_a_step_job_runs_its_step_with_typed_parameters(tmp_path: Path) -> None:
    write(tmp_path, "step: forecast\nparams: {horizon: 26, regions: [CA-ON, CA-QC]}\n")
    job = load_job_definitions(tmp_path)["j"]
    assert job.step == "forecast"
    assert job.params["horizon"] == 26 and job.params["regions"] == ["CA-ON", "CA-QC"]
    assert job.command == [
        "run", "forecast", "--param", "regions=CA-ON", "--param", "regions=CA-QC",
        "--param", "horizon=26",
    ]  # fmt: skip


def test_an_old_command_job_is_mapped_onto_its_step(tmp_path: Path) -> None:
    write(tmp_path, "command: [ingest, trends, --timeframe, today 5-y]\n")
    job = load_job_definitions(tmp_path)["j"]
    assert job.step == "ingest-trends" and job.command[:2] == ["ingest", "trends"]
    write(tmp_path, "command: [status]\n")
    assert load_job_definitions(tmp_path)["j"].step is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("step: forecast\nparams: {horizon: soon}\n", r"params.horizon: Input should be a valid"),
        (
            "step: forecast\nparams: {horizon: 500}\n",
            r"params.horizon: .*less than or equal to 104",
        ),
        ("step: forecast\nparams: {colour: red}\n", r"params.colour: Extra inputs"),
        ("step: forecast\nparams: [1]\n", r"params: expected a mapping"),
        ("step: forecats\n", r"step: unknown step 'forecats' \(steps: init, demo, "),
        ("step: demo\ncommand: [demo]\n", r"step: give a step \(with params\) or a command"),
        ("command: [status]\nparams: {x: 1}\n", r"params: give them with a step"),
        ("command: [fetch, everything]\n", r"command: 'fetch everything' names no step"),
        ("command: [run, forecast, --param, horizon=soon]\n", r"horizon: Input should be a valid"),
        ("command: [run, nothing]\n", r"command: 'run nothing' names no step"),
        (
            "step: ingest-trends\nparams: {timeframe: today 5-y}\nretry: {jitter_seconds: -1}\n",
            r"retry.jitter_seconds",
        ),
    ],
)
def test_bad_step_jobs_give_one_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as error:
        load_job_definitions(tmp_path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_definitions_built_in_code_may_run_any_command() -> None:
    """Tests and embedders stand in their own command (the runner's prefix is patched)."""
    job = JobDefinition.model_validate({"name": "j", "command": ["work"], "depends_on": ["x"]})
    assert job.step is None and job.command == ["work"]


def test_retry_waits_double_and_jitter_only_where_asked() -> None:
    from datetime import timedelta

    from tenacity import RetryCallState, Retrying

    from credtrends.jobs.definitions import RetryPolicy

    policy = RetryPolicy(attempts=4, backoff_seconds=60, jitter_seconds=5)
    assert [policy.wait_before(n) for n in (2, 3, 4)] == [
        timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)
    ]  # fmt: skip
    state = RetryCallState(retry_object=Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = 2
    waits = {policy.backoff()(state) for _ in range(50)}
    assert all(120 <= wait <= 125 for wait in waits) and len(waits) > 1
