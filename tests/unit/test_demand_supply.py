"""The opportunity score: high, rising demand with little supply ranks first."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.transforms.demand_supply import ScoreWeights, _row_percentiles, opportunity_table


def test_high_rising_demand_with_little_supply_ranks_first() -> None:
    momentum = pl.DataFrame(
        {"topic_id": ["hot", "cold", "crowded"], "recent_mean": [80.0, 10.0, 80.0],
         "growth": [0.3, -0.2, 0.3]}
    )  # fmt: skip
    forecasts = pl.DataFrame({"topic_id": ["hot", "cold"], "mean": [90.0, 9.0]})
    labour = pl.DataFrame(
        {
            "noc_code": ["1", "1", "2", "2"],
            "measure": ["job_vacancies"] * 4,
            "period_start": [date(2024, 7, 1), date(2025, 7, 1)] * 2,
            "value": [100.0, 150.0, 100.0, None],  # a suppressed quarter is unknown, not 0
        }
    )
    links = pl.DataFrame({"topic_id": ["hot", "cold"], "noc_code": ["1", "2"]})
    portal = pl.DataFrame(
        {"topic_id": ["hot", "cold", "crowded"], "measure": ["programs_offered"] * 3,
         "period_start": [date(2025, 7, 1)] * 3, "value": [2.0, 5.0, 90.0]}
    )  # fmt: skip
    table = opportunity_table(momentum, forecasts, labour, links, portal)
    assert table["topic_id"].to_list()[0] == "hot"
    row = table.filter(pl.col("topic_id") == "hot").row(0, named=True)
    assert round(row["forecast_growth"], 4) == round(90 / 80 - 1, 4)
    assert row["vacancy_growth"] == 0.5
    cold = table.filter(pl.col("topic_id") == "cold").row(0, named=True)
    assert cold["vacancy_growth"] is None
    crowded = table.filter(pl.col("topic_id") == "crowded").row(0, named=True)
    assert crowded["score"] < row["score"]


def _inputs(
    growth: list[float], low: list[float | None], high: list[float | None]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """momentum, forecasts, labour, links and portal: ``opportunity_table``'s arguments."""
    topics = [f"t{i}" for i in range(len(growth))]
    momentum = pl.DataFrame(
        {"topic_id": topics, "recent_mean": [10.0 + i for i in range(len(topics))],
         "growth": growth, "growth_low": low, "growth_high": high},
        schema_overrides={"growth_low": pl.Float64, "growth_high": pl.Float64},
    )  # fmt: skip
    forecasts = pl.DataFrame(schema={"topic_id": pl.String, "mean": pl.Float64})
    labour = pl.DataFrame(
        schema={"noc_code": pl.String, "measure": pl.String, "period_start": pl.Date,
                "value": pl.Float64}
    )  # fmt: skip
    links = pl.DataFrame(schema={"topic_id": pl.String, "noc_code": pl.String})
    portal = pl.DataFrame(
        {"topic_id": topics, "measure": ["programs_offered"] * len(topics),
         "period_start": [date(2025, 7, 1)] * len(topics),
         "value": [float(len(topics) - i) for i in range(len(topics))]}
    )  # fmt: skip
    return momentum, forecasts, labour, links, portal


def test_default_weights_give_the_published_formula_and_components_add_up() -> None:
    inputs = _inputs([0.1, 0.3, -0.2, 0.0], [0.0, 0.2, -0.3, -0.1], [0.2, 0.4, -0.1, 0.1])
    table = opportunity_table(*inputs)
    for row in table.iter_rows(named=True):
        demand = (row["rank_level"] + row["rank_growth"]) / 2  # the others are missing
        assert row["score"] == pytest.approx(demand - row["rank_supply"])
        assert row["score_low"] <= row["score"] <= row["score_high"]


def test_weights_change_the_score_and_zero_leaves_an_input_out() -> None:
    inputs = _inputs([0.5, 0.0, -0.5], [0.4, -0.1, -0.6], [0.6, 0.1, -0.4])
    growth_only = opportunity_table(*inputs, weights=ScoreWeights(level=0, supply=0))
    for row in growth_only.iter_rows(named=True):
        assert row["score"] == pytest.approx(row["rank_growth"])
    assert growth_only["topic_id"][0] == "t0"  # the fastest grower
    level_only = opportunity_table(*inputs, weights=ScoreWeights(growth=0, supply=0))
    assert level_only["topic_id"][0] == "t2"  # the highest level
    doubled = opportunity_table(*inputs, weights=ScoreWeights(supply=2))
    single = opportunity_table(*inputs)
    by_topic = dict(zip(single["topic_id"], single["score"], strict=True))
    for row in doubled.iter_rows(named=True):
        assert row["score"] == pytest.approx(by_topic[row["topic_id"]] - row["rank_supply"])


def test_overlapping_growth_intervals_widen_the_score_and_flag_a_tie_at_the_top() -> None:
    # t0 and t1 grow alike within wide intervals; t2 falls clearly
    wide = opportunity_table(
        *_inputs([0.20, 0.19, -0.5], [-0.3, -0.3, -0.6], [0.9, 0.9, -0.4]),
        weights=ScoreWeights(level=0, supply=0),
    )
    top = wide.row(0, named=True)
    assert top["score_high"] - top["score_low"] > 0.3
    assert wide.filter(pl.col("topic_id").is_in(["t0", "t1"]))["tied_with_top"].all()
    assert not wide.filter(pl.col("topic_id") == "t2")["tied_with_top"].item()
    # the same order with narrow intervals is clear: no tie, no width
    narrow = opportunity_table(
        *_inputs([0.6, 0.2, -0.5], [0.55, 0.15, -0.55], [0.65, 0.25, -0.45]),
        weights=ScoreWeights(level=0, supply=0),
    )
    assert not narrow["tied_with_top"].any()
    assert (narrow["score_high"] - narrow["score_low"]).max() == pytest.approx(0.0)


def test_equal_scores_share_a_rank() -> None:
    table = opportunity_table(
        *_inputs([0.1, 0.1, -0.1], [None, None, None], [None, None, None]),
        weights=ScoreWeights(level=0, supply=0),
    )
    assert table["rank"].to_list() == [1, 1, 3]
    assert table["rank_shared"].to_list() == [True, True, False]


def test_the_interval_is_the_same_for_the_same_view() -> None:
    inputs = _inputs([0.2, 0.1, 0.0], [0.0, -0.1, -0.2], [0.4, 0.3, 0.2])
    first, second = opportunity_table(*inputs), opportunity_table(*inputs)
    assert first["score_low"].to_list() == second["score_low"].to_list()


@given(
    st.lists(
        st.lists(st.sampled_from([-1.0, 0.0, 0.5, 2.0, 1e6]) | st.floats(-10, 10), min_size=3,
                 max_size=3),
        min_size=1, max_size=6,
    )
)  # fmt: skip
def test_row_percentiles_are_polars_average_ranks(rows: list[list[float]]) -> None:
    values = np.asarray(rows, dtype=np.float64)
    expected = [((pl.Series(row).rank("average") - 1) / (len(row) - 1)).to_list() for row in rows]
    assert np.allclose(_row_percentiles(values), np.asarray(expected))


def _forecasts(means: list[float], half_widths: list[float]) -> pl.DataFrame:
    """Four weeks of forecasts per topic ``t0``, ``t1``, ...: a flat mean with 95% bounds."""
    rows = [
        {"topic_id": f"t{i}", "period_start": date(2026, 1, 5 + 7 * week), "mean": mean,
         "lo95": max(mean - width, 0.0), "hi95": mean + width}
        for i, (mean, width) in enumerate(zip(means, half_widths, strict=True))
        for week in range(4)
    ]  # fmt: skip
    return pl.DataFrame(rows)


def test_forecast_intervals_widen_the_score_when_forecasts_cannot_be_told_apart() -> None:
    momentum, _, labour, links, portal = _inputs([0.1, 0.0, -0.1], [None] * 3, [None] * 3)
    forecast_only = ScoreWeights(level=0, growth=0, vacancy=0, supply=0)
    # recent means 10, 11, 12: forecast growth +20%, +9%, -8%
    overlapping = _forecasts([12.0, 12.0, 11.0], [6.0, 6.0, 6.0])
    wide = opportunity_table(momentum, overlapping, labour, links, portal, forecast_only)
    top = wide.row(0, named=True)
    assert top["topic_id"] == "t0"
    assert top["score_high"] - top["score_low"] > 0.3
    assert wide.filter(pl.col("topic_id") == "t1")["tied_with_top"].item()
    narrow = opportunity_table(
        momentum, _forecasts([12.0, 12.0, 11.0], [0.01] * 3), labour, links, portal, forecast_only
    )
    assert (narrow["score_high"] - narrow["score_low"]).max() == pytest.approx(0.0)
    assert not narrow["tied_with_top"].any()
    # without bounds (an older forecast table) the forecast counts as exact
    bare = _forecasts([12.0, 12.0, 11.0], [6.0] * 3).drop("lo95", "hi95")
    exact = opportunity_table(momentum, bare, labour, links, portal, forecast_only)
    assert (exact["score_high"] - exact["score_low"]).max() == pytest.approx(0.0)
