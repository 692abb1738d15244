"""The planner's answer to "is it growing here?" and the dates of every "last N weeks"."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from credtrends.transforms.scores import topic_momentum
from credtrends.web.growth import (
    date_range,
    growth_definition,
    growth_rows,
    growth_sentence,
    last_weeks_text,
)
from credtrends.web.i18n import Translator

EN, FR = Translator("en"), Translator("fr")
WEEKS = [date(2025, 1, 5) + timedelta(weeks=i) for i in range(70)]


def momentum(values: list[float], synthetic: bool = False, topic: str = "cyber") -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "topic_id": topic,
            "source": "synthetic-demo" if synthetic else "google-trends",
            "period_start": WEEKS[: len(values)],
            "value": values,
            "is_partial": False,
            "is_synthetic": synthetic,
        }
    )
    return topic_momentum(frame)


def row_of(values: list[float]) -> dict[str, object]:
    return dict(momentum(values).row(0, named=True))


def wobbly(level: float, n: int) -> list[float]:
    return [level * (1 + 0.02 * ((i % 3) - 1)) for i in range(n)]


def test_a_clear_rise_says_up_outside_the_noise_in_both_languages() -> None:
    row = row_of(wobbly(10.0, 58) + wobbly(11.8, 12))
    english = growth_sentence("Cybersecurity", "British Columbia", row, EN)
    assert english.startswith("Cybersecurity: up 18% on a year ago in British Columbia")
    assert "outside the noise" in english and "95% interval +" in english
    french = growth_sentence("Cybersécurité", "Colombie-Britannique", row, FR)
    assert french.startswith("Cybersécurité (Colombie-Britannique) : en hausse de 18\u00a0%")
    assert "au-delà du bruit" in french


def test_a_fall_says_down_and_a_noisy_change_says_within_the_noise() -> None:
    down = row_of(wobbly(10.0, 58) + wobbly(8.0, 12))
    assert "down 20% on a year ago" in growth_sentence("T", "Ontario", down, EN)
    noisy = [10.0 * (1 + 0.4 * ((i % 2) * 2 - 1)) for i in range(58)] + [
        10.3 * (1 + 0.4 * ((i % 2) * 2 - 1)) for i in range(12)
    ]
    sentence = growth_sentence("T", "Ontario", row_of(noisy), EN)
    assert "+3% on a year ago in Ontario, within the noise" in sentence
    assert "no change can be told apart" in sentence
    assert "dans le bruit" in growth_sentence("T", "Ontario", row_of(noisy), FR)


def test_without_a_year_of_history_the_answer_says_so() -> None:
    row = row_of([5.0] * 20)
    assert growth_sentence("T", "Ontario", row, EN) == (
        "T: not enough history in Ontario to compare with a year ago."
    )
    assert growth_sentence("T", "Ontario", None, EN) == growth_sentence("T", "Ontario", row, EN)


def test_last_weeks_carry_their_dates_in_the_locale() -> None:
    frame = momentum([5.0] * 70)
    last = WEEKS[69]
    assert last_weeks_text(frame, EN) == (
        f"last 12 weeks ({date_range(last - timedelta(weeks=11), last + timedelta(days=6), EN)})"
    )
    assert date_range(date(2026, 9, 14), date(2026, 11, 30), EN) == "Sep 14–Nov 30, 2026"
    assert "sept." in date_range(date(2026, 9, 14), date(2026, 11, 30), FR)
    assert last_weeks_text(frame.head(0), EN) == "last 12 weeks"
    definition = growth_definition(frame, FR)
    assert "12 dernières semaines complètes (15 févr." in definition
    assert "(16 févr." in definition and "10 mai 2025" in definition


@pytest.mark.parametrize("first", [True, False])
def test_a_real_source_answers_before_a_synthetic_one(first: bool) -> None:
    real = momentum(wobbly(10.0, 58) + wobbly(12.0, 12))
    synthetic = momentum(wobbly(10.0, 70), synthetic=True)
    both = pl.concat([real, synthetic] if first else [synthetic, real])
    row = growth_rows(both, ["cyber"], "CA-BC")["cyber"]
    assert row["source"] == "google-trends" and row["region_code"] == "CA-BC"
