"""The growth interval of ``topic_momentum`` means what it says: 95% coverage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from credtrends.transforms.scores import topic_momentum

WEEKS = [dt.date(2022, 1, 2) + dt.timedelta(weeks=k) for k in range(104)]


def _series(rng: np.random.Generator, growth: float, noise: float) -> pl.DataFrame:
    values = 40.0 * np.exp(rng.normal(0.0, noise, len(WEEKS)))
    values[-12:] *= 1.0 + growth
    return pl.DataFrame(
        {"topic_id": "t", "source": "synthetic", "period_start": WEEKS, "value": values,
         "is_partial": False, "is_synthetic": True}
    )  # fmt: skip


def test_growth_interval_covers_the_true_change_95_percent_of_the_time() -> None:
    rng = np.random.default_rng()
    inside = []
    for _ in range(400):
        growth = float(rng.uniform(-0.3, 0.5))
        row = topic_momentum(_series(rng, growth, 0.15)).row(0, named=True)
        # the truth is the change of the expected weekly volume
        inside.append(row["growth_low"] <= growth <= row["growth_high"])
    assert 0.92 <= float(np.mean(inside)) <= 0.98


def test_a_clear_change_is_beyond_noise_and_none_is_within() -> None:
    rng = np.random.default_rng()
    clear = topic_momentum(_series(rng, 0.5, 0.05)).row(0, named=True)
    assert clear["growth_within_noise"] is False
    assert clear["growth_low"] > 0
    flat = topic_momentum(_series(rng, 0.0, 0.3)).row(0, named=True)
    assert flat["growth_low"] < flat["growth"] < flat["growth_high"]
