"""Momentum: level over the recent weeks and growth against the same weeks a year ago."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.transforms.scores import growth_windows, topic_momentum

WEEKS = [date(2024, 1, 7) + timedelta(weeks=i) for i in range(80)]


def series(topic: str, values: list[float], partial_last: bool = False) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "topic_id": topic,
            "source": "google-trends",
            "period_start": WEEKS[: len(values)],
            "value": values,
            "is_partial": [partial_last and i == len(values) - 1 for i in range(len(values))],
            "is_synthetic": False,
        }
    )


def test_doubling_since_last_year_is_growth_one() -> None:
    values = [10.0] * 40 + [20.0] * 40
    result = topic_momentum(series("a", values), recent_weeks=12)
    row = result.row(0, named=True)
    assert row["recent_mean"] == 20.0 and row["year_ago_mean"] == 10.0
    assert row["growth"] == pytest.approx(1.0)


def test_partial_week_is_ignored_and_order_is_by_level() -> None:
    low = series("low", [5.0] * 80)
    high = series("high", [50.0] * 79 + [0.0], partial_last=True)
    result = topic_momentum(pl.concat([low, high]))
    assert result["topic_id"].to_list() == ["high", "low"]
    assert result["recent_mean"].to_list() == [50.0, 5.0]


def test_no_year_ago_data_gives_null_growth() -> None:
    result = topic_momentum(series("new", [3.0] * 20))
    assert result["growth"].to_list() == [None]


@given(st.floats(0.1, 1000), st.floats(0.1, 1000))
def test_growth_is_scale_free(level: float, factor: float) -> None:
    values = [level] * 40 + [level * factor] * 40
    scaled = [v * 7.5 for v in values]
    a = topic_momentum(series("a", values))["growth"][0]
    b = topic_momentum(series("a", scaled))["growth"][0]
    assert a == pytest.approx(b, rel=1e-9)


def test_the_windows_compared_are_the_weeks_averaged() -> None:
    """The dates a page prints are exactly the weeks behind the figure: changing a week
    inside the recent window moves the mean, one just before it does not."""
    values = [10.0] * 80
    row = topic_momentum(series("a", values), recent_weeks=12).row(0, named=True)
    last = WEEKS[79]
    assert row["recent_start"] == last - timedelta(weeks=11)
    assert row["recent_end"] == last + timedelta(days=6)
    assert row["year_ago_start"] == row["recent_start"] - timedelta(weeks=52)
    assert row["year_ago_end"] == row["recent_end"] - timedelta(weeks=52)
    inside = values.copy()
    inside[WEEKS.index(row["recent_start"])] = 22.0
    before = values.copy()
    before[WEEKS.index(row["recent_start"]) - 1] = 22.0
    assert topic_momentum(series("a", inside))["recent_mean"][0] == pytest.approx(11.0)
    assert topic_momentum(series("a", before))["recent_mean"][0] == pytest.approx(10.0)
    year_ago = values.copy()
    year_ago[WEEKS.index(row["year_ago_start"])] = 22.0
    assert topic_momentum(series("a", year_ago))["year_ago_mean"][0] == pytest.approx(11.0)
    year_ago[WEEKS.index(row["year_ago_start"]) - 1] = 1000.0
    assert topic_momentum(series("a", year_ago))["year_ago_mean"][0] == pytest.approx(11.0)


def test_growth_windows_match_topic_momentum() -> None:
    row = topic_momentum(series("a", [5.0] * 80)).row(0, named=True)
    windows = growth_windows(WEEKS[79])
    assert (windows.recent_start, windows.recent_end) == (row["recent_start"], row["recent_end"])
    assert (windows.year_ago_start, windows.year_ago_end) == (
        row["year_ago_start"],
        row["year_ago_end"],
    )
