"""Readable model names and the backtest sentences, in English and French."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from credtrends.forecasting import MODEL_NAMES
from credtrends.transforms.series_views import forecast_to_granularity
from credtrends.web.forecast_text import accuracy_sentence, coverage_sentence, model_label
from credtrends.web.i18n import Translator

EN, FR = Translator("en"), Translator("fr")


def test_the_demos_combination_reads_as_words() -> None:
    raw = "theta_seasonal+comb_seasonal+ets_seasonal"
    assert model_label(raw, EN) == "Theta, Comb and ETS with yearly seasonality (average)"
    assert model_label(raw, FR) == "Theta, Comb et ETS avec saisonnalité annuelle (moyenne)"
    assert model_label("ses", EN) == "Exponential smoothing"
    assert model_label("damped_seasonal+ses", EN) == (
        "Damped trend with yearly seasonality and Exponential smoothing (average)"
    )
    assert model_label("a-future-model", EN) == "a-future-model"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_engine_model_has_a_name_in_both_languages(name: str) -> None:
    for tr in (EN, FR):
        label = model_label(name, tr)
        assert ("_" not in label and label != name) or name in ("theta", "ets", "arima")


def test_the_sentence_compares_with_repeating_last_year() -> None:
    assert accuracy_sentence(0.82, 1.0, EN) == (
        "In backtests this forecast was 18% more accurate than repeating last year."
    )
    assert accuracy_sentence(1.25, 1.0, EN) == (
        "In backtests this forecast was 25% less accurate than repeating last year."
    )
    assert "as accurate as" in accuracy_sentence(1.001, 1.0, EN)
    assert "too short" in accuracy_sentence(0.9, None, EN)
    assert "too short" in accuracy_sentence(0.9, float("nan"), EN)
    assert accuracy_sentence(0.82, 1.0, FR) == (
        f"Dans les tests rétrospectifs, cette prévision était {FR.share(0.18)} plus précise que la "
        "répétition de l'année précédente."
    )
    assert coverage_sentence(0.81, 0.94, EN) == (
        "In those backtests 81% of actual values fell inside the 80% interval and 94% "
        "inside the 95% interval."
    )
    assert coverage_sentence(None, 0.9, EN) == ""
    assert FR.share(0.18).startswith("18") and FR.share(-0.18) == FR.share(0.18)


def _weekly(first: date, weeks: int) -> pl.DataFrame:
    days = [first + timedelta(weeks=k) for k in range(weeks)]
    mean = [float(k) for k in range(weeks)]
    return pl.DataFrame(
        {
            "series": ["s"] * weeks,
            "period_start": days,
            "model": ["ses"] * weeks,
            "mean": mean,
            "lo80": [m - 1 for m in mean],
            "hi80": [m + 1 for m in mean],
            "lo95": [m - 2 for m in mean],
            "hi95": [m + 2 for m in mean],
        }
    )


def test_months_average_the_weeks_that_start_in_them_and_only_whole_months() -> None:
    # Forecast weeks from Mon 2025-06-16 for 16 weeks: June is half observed, the last
    # month (September, to week 2025-09-29) ends inside the horizon.
    weekly = _weekly(date(2025, 6, 16), 16)
    monthly = forecast_to_granularity(weekly, "month")
    assert monthly["period_start"].to_list() == [
        date(2025, 7, 1),
        date(2025, 8, 1),
        date(2025, 9, 1),
    ]
    july = weekly.filter(pl.col("period_start").dt.month() == 7)
    assert july.height == 4
    row = monthly.row(0, named=True)
    assert row["mean"] == pytest.approx(july["mean"].mean())
    # conservative rule: the bounds are the means of the weekly bounds
    assert row["lo95"] == pytest.approx(july["lo95"].mean())
    assert row["hi80"] - row["lo80"] == pytest.approx(2.0)
    assert row["model"] == "ses" and monthly.columns == weekly.columns
    cut = forecast_to_granularity(_weekly(date(2025, 6, 16), 14), "month")
    assert cut["period_start"].max() == date(2025, 8, 1)  # September's last week missing


def test_quarters_need_every_week_and_weeks_pass_through() -> None:
    weekly = _weekly(date(2025, 6, 30), 30)  # to 2026-01-19
    quarterly = forecast_to_granularity(weekly, "quarter")
    assert quarterly["period_start"].to_list() == [date(2025, 7, 1), date(2025, 10, 1)]
    assert forecast_to_granularity(weekly, "week").equals(weekly)
