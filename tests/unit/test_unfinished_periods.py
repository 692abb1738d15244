"""A period not over when its data was fetched is marked unfinished, never read as final."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from credtrends.transforms.series_views import mark_unfinished
from credtrends.web.i18n import Translator
from credtrends.web.unfinished import unfinished_periods


def frame(starts: list[date], granularity: str, fetched: datetime) -> pl.DataFrame:
    return pl.DataFrame({"period_start": starts, "granularity": granularity, "fetched_at": fetched})


def test_the_current_month_and_quarter_are_unfinished_the_previous_ones_are_not() -> None:
    fetched = datetime(2026, 12, 6, 3, 0)
    months = mark_unfinished(frame([date(2026, 11, 1), date(2026, 12, 1)], "month", fetched))
    assert months["is_unfinished"].to_list() == [False, True]
    quarters = mark_unfinished(frame([date(2026, 7, 1), date(2026, 10, 1)], "quarter", fetched))
    assert quarters["is_unfinished"].to_list() == [False, True]
    # fetched the day after the month ended: final
    after = mark_unfinished(frame([date(2026, 11, 1)], "month", datetime(2026, 12, 1)))
    assert after["is_unfinished"].to_list() == [False]


@given(st.dates(date(2000, 1, 1), date(2040, 12, 1)), st.dates(date(2000, 1, 1), date(2041, 1, 1)))
def test_a_month_is_unfinished_exactly_when_fetched_before_it_ended(
    any_day: date, fetched_day: date
) -> None:
    start = date(any_day.year, any_day.month, 1)
    fetched = datetime.combine(fetched_day, datetime.min.time())
    row = mark_unfinished(frame([start], "month", fetched)).row(0, named=True)
    next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    assert row["is_unfinished"] == (fetched_day < next_month)


def test_unfinished_periods_are_named_in_the_locale() -> None:
    shown = pl.DataFrame(
        {
            "period_start": [date(2026, 10, 1), date(2026, 12, 1), date(2026, 11, 1)],
            "granularity": ["quarter", "month", "month"],
            "is_unfinished": [True, True, False],
        }
    )
    assert unfinished_periods(shown, Translator("en")) == ["Q4 2026", "December 2026"]
    assert unfinished_periods(shown, Translator("fr")) == ["T4 2026", "décembre 2026"]
    assert unfinished_periods(shown.filter(~pl.col("is_unfinished")), Translator("en")) == []
