"""The opportunity score's weights live in the URL like every other control."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from credtrends.transforms.demand_supply import ScoreWeights
from credtrends.web.page_state import DemandState
from credtrends.web.pages import program_demand
from credtrends.web.views import query_string


class Regions:
    def regions(self) -> pl.DataFrame:
        return pl.DataFrame({"region_code": ["CA", "CA-ON"]})


def state_of(query: dict[str, Any]) -> DemandState:
    return program_demand.parse_state(Regions(), query)  # type: ignore[arg-type]  # needs regions() only


def test_default_weights_stay_out_of_the_url() -> None:
    state = state_of({"region": "CA-ON", **{f"w_{n}": "1" for n in program_demand.WEIGHTS}})
    assert query_string(state) == "region=CA-ON"
    assert program_demand.weights_of(state) == ScoreWeights()


def test_a_changed_weight_round_trips_through_the_url() -> None:
    state = state_of({"region": "CA-ON", "w_growth": "2", "w_supply": "0"})
    assert query_string(state) == "region=CA-ON&w_growth=2&w_supply=0"
    assert program_demand.weights_of(state) == ScoreWeights(growth=2.0, supply=0.0)
    from urllib.parse import parse_qsl

    assert state_of(dict(parse_qsl(query_string(state)))) == state


@pytest.mark.parametrize("hostile", ["-1", "1e9", "nan", "inf", "2; drop", ["3", "0"], 7, None])
def test_an_unknown_weight_falls_back_to_one(hostile: object) -> None:
    state = state_of({"w_level": hostile})
    expected = 3.0 if hostile == ["3", "0"] else 1.0  # a list reads as its first value
    assert program_demand.weights_of(state).level == expected
