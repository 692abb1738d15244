"""Emerging topics: rising series rank first; trend breaks are found where they are."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from credtrends.forecasting import EMERGING_SCHEMA, rank_emerging

START = dt.date(2019, 1, 7)
N = 208  # four years of weeks


def frame_of(series: dict[str, np.ndarray]) -> pl.DataFrame:
    periods = [START + dt.timedelta(weeks=i) for i in range(N)]
    return pl.concat(
        pl.DataFrame({"series_id": sid, "period": periods, "value": values})
        for sid, values in series.items()
    )


def test_rising_and_kinked_series_rank_above_flat_and_falling() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(N, dtype=np.float64)
    season = 5 * np.sin(2 * np.pi * t / (365.25 / 7))
    kink = 150
    series = {
        "flat": 40 + season + rng.normal(0, 2, N),
        "falling": 60 - 0.1 * t + season + rng.normal(0, 2, N),
        "rising": 20 * np.exp(0.006 * t) + season + rng.normal(0, 2, N),
        "kinked": 30 + 0.6 * np.maximum(t - kink, 0) + season + rng.normal(0, 2, N),
        "line": 30 + 0.05 * t + season + rng.normal(0, 2, N),
    }
    ranked = rank_emerging(frame_of(series), "week")
    assert ranked.schema == pl.Schema(EMERGING_SCHEMA)
    order = ranked.get_column("series_id").to_list()
    assert set(order[:2]) == {"kinked", "rising"}
    assert order[-1] == "falling"
    flags = dict(ranked.select("series_id", "break_flag").iter_rows())
    assert flags["kinked"] and not flags["line"] and not flags["flat"]
    kinked = ranked.filter(pl.col("series_id") == "kinked").row(0, named=True)
    expected = START + dt.timedelta(weeks=kink)
    assert abs((kinked["break_period"] - expected).days) <= 7 * 8
    assert kinked["growth_pct"] > 30
    assert kinked["acceleration_pct"] > 0


def test_short_history_ranks_last_without_growth() -> None:
    t = np.arange(N, dtype=np.float64)
    frame = pl.concat(
        [
            frame_of({"long": 10 + 0.1 * t}),
            frame_of({"short": 10 + 0.1 * t}).tail(40),
        ]
    )
    ranked = rank_emerging(frame, "week")
    assert ranked.get_column("series_id").to_list() == ["long", "short"]
    assert ranked.filter(pl.col("series_id") == "short").get_column("growth_pct").item() is None
