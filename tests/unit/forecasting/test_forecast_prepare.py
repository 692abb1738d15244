"""Series preparation: partial points, gaps, grid checks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from credtrends.forecasting.prepare import prepare_series

START = dt.date(2024, 1, 1)


def weekly(values: list[float | None], sid: str = "a") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "series_id": [sid] * len(values),
            "period": [START + dt.timedelta(weeks=i) for i in range(len(values))],
            "value": values,
        },
        schema={"series_id": pl.String, "period": pl.Date, "value": pl.Float64},
    )


def test_partial_last_point_is_dropped() -> None:
    frame = weekly([1.0, 2.0, 3.0]).with_columns(is_partial=pl.Series([False, False, True]))
    out = prepare_series(frame, "week").values
    assert out.get_column("value").to_list() == [1.0, 2.0]


def test_short_gap_is_interpolated_and_reported() -> None:
    frame = weekly([1.0, None, 3.0, 4.0, 0.0])
    prepared = prepare_series(frame, "week", max_gap=2)
    assert prepared.values.get_column("value").to_list() == [1.0, 2.0, 3.0, 4.0, 0.0]
    assert prepared.gaps.get_column("action").to_list() == ["interpolated"]


def test_missing_rows_count_as_gaps() -> None:
    frame = weekly([1.0, 2.0, 3.0, 4.0]).filter(pl.col("value") != 2.0)
    prepared = prepare_series(frame, "week")
    assert prepared.values.get_column("value").to_list() == [1.0, 2.0, 3.0, 4.0]


def test_long_gap_truncates_older_history() -> None:
    frame = weekly([9.0, 9.0, None, None, None, 1.0, 2.0, None, 4.0])
    prepared = prepare_series(frame, "week", max_gap=2)
    assert prepared.values.get_column("value").to_list() == [1.0, 2.0, 3.0, 4.0]
    actions = prepared.gaps.select("length", "action").rows()
    assert actions == [(3, "truncated"), (1, "interpolated")]


def test_off_grid_dates_are_rejected() -> None:
    frame = pl.concat(
        [weekly([1.0, 2.0]), weekly([3.0]).with_columns(period=pl.lit(dt.date(2024, 1, 17)))]
    )
    with pytest.raises(ValueError, match="regular week grid"):
        prepare_series(frame, "week")


def test_duplicates_are_rejected() -> None:
    with pytest.raises(ValueError, match="more than one row"):
        prepare_series(pl.concat([weekly([1.0]), weekly([2.0])]), "week")


def test_unknown_frequency_is_rejected() -> None:
    with pytest.raises(ValueError, match="frequency"):
        prepare_series(weekly([1.0]), "day")  # type: ignore[arg-type]  # a wrong value on purpose
