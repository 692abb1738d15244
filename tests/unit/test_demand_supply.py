"""The opportunity score: high, rising demand with little supply ranks first."""

from __future__ import annotations

from datetime import date

import polars as pl

from credtrends.transforms.demand_supply import opportunity_table


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
