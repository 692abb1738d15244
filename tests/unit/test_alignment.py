"""Weekly interest averaged into months and quarters, incomplete periods left out."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from credtrends.transforms.alignment import weekly_to_period


def weeks(start: date, values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period_start": [start + timedelta(weeks=i) for i in range(len(values))],
            "value": values,
            "is_partial": [False] * (len(values) - 1) + [True],
        }
    )


def test_months_average_their_weeks_and_drop_incomplete_ones() -> None:
    frame = weeks(date(2025, 1, 5), [1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 10.0, 99.0])
    monthly = weekly_to_period(frame, "month")
    assert monthly["period_start"].to_list() == [date(2025, 1, 1), date(2025, 2, 1)]
    assert monthly["value"].to_list() == [2.5, 10.0]  # the partial last week is not used


def test_quarters_need_most_of_their_weeks() -> None:
    frame = weeks(date(2025, 1, 5), [5.0] * 14)
    quarterly = weekly_to_period(frame, "quarter")
    assert quarterly["period_start"].to_list() == [date(2025, 1, 1)]
    assert quarterly["granularity"].to_list() == ["quarter"]
