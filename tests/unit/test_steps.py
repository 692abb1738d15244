"""Steps as data: every step declared once, its parameters typed, and its parameters'
``name=value`` words (how a job's child process gets them) read back to the same values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.errors import ConfigError
from credtrends.steps import STEPS, get_step, param_words, step_of_command
from credtrends.steps.spec import StepParams, describe
from credtrends.warehouse.schema import metadata

CODE = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)?", fullmatch=True)


def words_of(params: StepParams) -> list[str]:
    words = param_words(params)
    assert words[::2] == ["--param"] * (len(words) // 2)
    return words[1::2]


def test_every_step_declares_real_tables_and_describes_itself() -> None:
    assert {"init", "demo", "ingest-trends", "import-trends-csv", "calibrate", "forecast"} <= set(
        STEPS
    )
    for name, step in STEPS.items():
        assert step.name == name
        assert step.writes, f"{name} declares no table it writes"
        for table in (*step.reads, *step.writes):
            assert metadata.tables[table.name] is table
        lines = list(describe(step))
        assert lines[0].startswith(f"{name}: ") and lines[2].startswith("    writes ")


def test_classic_commands_and_run_map_onto_their_step() -> None:
    for step in STEPS.values():
        if step.cli:
            assert step_of_command([*step.cli, "--x", "1"]) is step
        assert step_of_command(["run", step.name]) is step
    assert step_of_command(["status"]) is None
    assert step_of_command(["import"]) is None


@given(
    topics=st.none() | st.lists(CODE, min_size=1, max_size=4).map(tuple),
    regions=st.none() | st.lists(CODE, min_size=1, max_size=3).map(tuple),
    horizon=st.integers(1, 104),
    origins=st.integers(1, 12),
)
def test_forecast_parameters_read_back_from_their_words(
    topics: tuple[str, ...] | None, regions: tuple[str, ...] | None, horizon: int, origins: int
) -> None:
    step = get_step("forecast")
    params = step.make_params(
        {"topics": topics, "regions": regions, "horizon": horizon, "origins": origins}
    )
    assert step.parse_words(words_of(params)) == params


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("ingest-trends", {"regions": ["CA-ON"], "timeframe": "today 5-y", "offline": True}),
        ("import-trends-csv", {"files": ["a.csv", "b c.csv"], "date_order": "DMY", "category": 0}),
        ("import-catalogue", {"files": ["x.json"], "as_of": date(2026, 11, 1)}),
        ("import-portal-searches", {"file": "top.csv", "region": "CA-ON", "month": "2026-10"}),
        ("demo", {"seed": 7, "end": "2025-06-01"}),
        ("calibrate", {"regions": "CA,CA-ON"}),
    ],
)
def test_step_parameters_read_back_from_their_words(name: str, values: dict[str, object]) -> None:
    step = get_step(name)
    params = step.make_params(values)
    assert step.parse_words(words_of(params)) == params


def test_list_parameters_accept_one_text_or_a_list() -> None:
    step = get_step("forecast")
    assert step.parse_words(["topics=pmp,cpr"]) == step.parse_words(["topics=pmp", "topics=cpr"])
    files = get_step("import-jobbank").parse_words(["files=one.csv"])
    assert files.model_dump()["files"] == (Path("one.csv"),)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["horizon"], r"--param 'horizon': give name=value \(step 'forecast'\)"),
        (["horizon=soon"], r"step 'forecast': horizon: Input should be a valid integer"),
        (["horizon=500"], r"horizon: Input should be less than or equal to 104"),
        (["colour=red"], r"colour: Extra inputs are not permitted"),
    ],
)
def test_bad_parameters_are_one_clear_line(words: list[str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as error:
        get_step("forecast").parse_words(words)
    assert "\n" not in str(error.value)


def test_cli_wording_is_kept_for_options_the_cli_also_has() -> None:
    with pytest.raises(ConfigError, match=r"^--date-order must be MDY or DMY, not 'YMD'$"):
        get_step("import-trends-csv").make_params({"files": ["a.csv"], "date_order": "YMD"})


def test_unknown_step_names_the_steps() -> None:
    with pytest.raises(ConfigError, match=r"no step named 'ingest' \(have: init, demo, "):
        get_step("ingest")
