"""Display reshaping: period windows, months and quarters with an honest partial flag,
and per-series indices."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from credtrends.transforms.series_views import index_to_mean, to_granularity, window
from tests.helpers import day, number


def weekly(weeks: int, start: date = date(2024, 1, 1), partial_last: bool = True) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "series": ["a"] * weeks,
            "source": ["s"] * weeks,
            "period_start": [start + timedelta(weeks=i) for i in range(weeks)],
            "value": [float(i % 7 + 1) for i in range(weeks)],
            "low": [None] * weeks,
            "high": [None] * weeks,
            "is_partial": [partial_last and i == weeks - 1 for i in range(weeks)],
            "is_synthetic": [True] * weeks,
        },
        schema_overrides={"low": pl.Float64, "high": pl.Float64},
    )


def test_window_keeps_the_last_year_only() -> None:
    frame = weekly(200)
    last = day(frame["period_start"].max())
    kept = window(frame, "1y")
    assert day(kept["period_start"].min()) > last - timedelta(days=366)
    assert window(frame, "all").height == 200


def test_months_average_complete_weeks_and_flag_the_unfinished_month() -> None:
    frame = weekly(10)  # 2024-01-01 .. 2024-03-04 (partial)
    months = to_granularity(frame, "month")
    assert months["period_start"].to_list() == [date(2024, 1, 1), date(2024, 2, 1)]
    january = frame.filter(pl.col("period_start") < date(2024, 2, 1))["value"].mean()
    assert months["value"][0] == january
    # the last complete week starts 2024-02-26 and ends 2024-03-03: February is complete
    assert months["is_partial"].to_list() == [False, False]
    shorter = to_granularity(weekly(9), "month")  # last complete week starts 2024-02-19
    assert shorter["is_partial"].to_list() == [False, True]
    assert bool(shorter["is_synthetic"].all())


@settings(max_examples=40)
@given(st.lists(st.floats(min_value=0.1, max_value=1e6), min_size=3, max_size=60))
def test_index_averages_to_100_over_complete_periods(values: list[float]) -> None:
    frame = weekly(len(values), partial_last=False).with_columns(value=pl.Series(values))
    indexed, factors = index_to_mean(frame)
    assert abs(number(indexed["value"].mean()) - 100) < 1e-6
    assert factors.height == 1
