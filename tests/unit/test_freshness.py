"""Freshness: a source older than 1.5 cadences is stale; synthetic data never is."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from credtrends.transforms.freshness import with_freshness

NOW = datetime(2026, 11, 29, 12, 0)


def test_stale_when_a_run_was_missed() -> None:
    sources = pl.DataFrame(
        {
            "source": ["google-trends", "google-trends", "statcan", "synthetic-demo"],
            "last_fetched_at": [
                NOW - timedelta(days=8),
                NOW - timedelta(days=11),
                NOW - timedelta(days=100),
                NOW - timedelta(days=900),
            ],
        }
    )
    result = with_freshness(sources, NOW)
    assert result["is_stale"].to_list() == [False, True, False, False]
    assert result["expected_every"].to_list() == ["7 days", "7 days", "92 days", "–"]
