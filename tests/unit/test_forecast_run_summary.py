"""A run's summary accumulated chunk by chunk equals the engine's for one chunk."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from credtrends.forecasting import ForecastConfig
from credtrends.pipelines.chunk_runners import run_chunks
from credtrends.pipelines.forecast import (
    MODEL_ORDER,
    RunSummary,
    forecast_chunk,
    topic_chunks,
)


def _series(n: int, weeks: int = 120, seed: int = 1) -> pl.DataFrame:
    """SYNTHETIC weekly series with a yearly season, in interest_series' shape."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    rows = []
    for i in range(n):
        level = rng.uniform(10, 60)
        values = level * (1 + 0.3 * np.sin(2 * np.pi * t / 52.18 + i)) + rng.normal(0, 3, weeks)
        for k, value in enumerate(np.clip(np.round(values), 0, 100)):
            rows.append((f"topic-{i}|CA", date(2022, 1, 3) + timedelta(weeks=k), float(value)))
    return pl.DataFrame(rows, schema=["series_id", "period", "value"], orient="row").with_columns(
        is_partial=pl.lit(False), is_synthetic=pl.lit(True)
    )


def test_one_chunks_summary_is_the_engines() -> None:
    config = ForecastConfig(n_origins=3, non_negative=True, n_jobs=1)
    chunk = forecast_chunk(_series(12), horizon=13, config=config, run_id="r")
    summary = RunSummary()
    summary.add(chunk)
    combined = summary.frame(MODEL_ORDER)
    engine = chunk.summary
    assert combined["model"].to_list() == engine["model"].to_list()
    assert combined["series_chosen"].to_list() == engine["series_chosen"].to_list()
    for column in ("mase", "smape", "coverage80", "coverage95"):
        np.testing.assert_allclose(
            combined[column].to_numpy(), engine[column].to_numpy(), rtol=1e-9, equal_nan=True
        )


def test_two_chunks_pool_their_counts() -> None:
    config = ForecastConfig(n_origins=2, non_negative=True, n_jobs=1)
    first = forecast_chunk(_series(6, seed=2), horizon=8, config=config, run_id="r")
    second = forecast_chunk(_series(3, seed=3), horizon=8, config=config, run_id="r")
    summary = RunSummary()
    summary.add(first)
    summary.add(second)
    row = summary.frame(MODEL_ORDER).filter(pl.col("model") == "selected").row(0, named=True)
    means = pl.concat([first.errors, second.errors]).filter(pl.col("model") == "selected")
    assert row["series_chosen"] == 9
    assert abs(row["mase"] - means["mase"].mean()) < 1e-12


def test_topics_are_grouped_in_order_and_never_split() -> None:
    counts = [("a", 2), ("b", 2), ("c", 5), ("d", 1), ("e", 1)]
    assert topic_chunks(counts, 4) == [["a", "b"], ["c"], ["d", "e"]]
    assert topic_chunks([], 4) == []


def test_runners_yield_results_in_input_order() -> None:
    assert list(run_chunks(abs, iter([-3, 1, -2]))) == [3, 1, 2]
    assert list(run_chunks(abs, iter([-3, 1, -2, 5, -7]), n_jobs=2)) == [3, 1, 2, 5, 7]
