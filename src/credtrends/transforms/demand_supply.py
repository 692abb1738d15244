"""Demand versus supply per topic in one region: the planners' opportunity score (pure).

Every input is optional: a topic with no forecast, no linked occupation or no catalogue data
simply has nulls there, and the score averages what it has. The formula is shown on the
Program demand page (``SCORE_FORMULA``), so nobody has to trust a black box.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

SCORE_FORMULA = (
    "score = mean of the percentile ranks (0-1, among the topics shown) of: search level, "
    "search growth vs a year ago, forecast growth, and job-vacancy growth of the linked "
    "occupations; minus the percentile rank of programs on offer per unit of search interest. "
    "Missing inputs are left out of the mean. High score: high and rising demand, little supply."
)


def forecast_growth(forecasts: pl.DataFrame, momentum: pl.DataFrame) -> pl.DataFrame:
    """Mean forecast over the horizon against the recent mean: where demand is heading."""
    return (
        forecasts.group_by("topic_id")
        .agg(forecast_mean=pl.col("mean").mean())
        .join(momentum.select("topic_id", "recent_mean"), on="topic_id")
        .select(
            "topic_id",
            forecast_growth=pl.when(pl.col("recent_mean") > 0).then(
                pl.col("forecast_mean") / pl.col("recent_mean") - 1
            ),
        )
    )


def vacancy_growth(labour: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Vacancies of each topic's linked occupations: last 4 quarters and their growth on the
    4 before. Suppressed quarters count as unknown, not zero."""
    vacancies = labour.filter(pl.col("measure") == "job_vacancies")
    if vacancies.is_empty():
        return pl.DataFrame(
            schema={"topic_id": pl.String, "vacancies": pl.Float64, "vacancy_growth": pl.Float64}
        )
    last = vacancies["period_start"].max()
    recent_start = last - timedelta(days=365 - 45)  # type: ignore[operator]
    before_start = recent_start - timedelta(days=365)
    per_topic = links.join(vacancies, on="noc_code")
    recent = pl.col("value").filter(pl.col("period_start") >= recent_start)
    previous = pl.col("value").filter(
        pl.col("period_start").is_between(before_start, recent_start, closed="left")
    )
    return (
        per_topic.group_by("topic_id")
        .agg(
            vacancies=recent.sum(),
            previous=previous.sum(),
            recent_known=recent.count(),
            previous_known=previous.count(),
        )
        # all-suppressed stays unknown: polars sums nothing to 0
        .with_columns(
            vacancies=pl.when(pl.col("recent_known") > 0).then(pl.col("vacancies")),
            previous=pl.when(pl.col("previous_known") > 0).then(pl.col("previous")),
        )
        .select(
            "topic_id",
            "vacancies",
            vacancy_growth=pl.when(pl.col("previous") > 0).then(
                pl.col("vacancies") / pl.col("previous") - 1
            ),
        )
    )


def latest_supply(portal: pl.DataFrame) -> pl.DataFrame:
    offered = portal.filter(pl.col("measure") == "programs_offered")
    return (
        offered.sort("period_start")
        .group_by("topic_id")
        .last()
        .select("topic_id", programs=pl.col("value"))
    )


def opportunity_table(
    momentum: pl.DataFrame,
    forecasts: pl.DataFrame,
    labour: pl.DataFrame,
    links: pl.DataFrame,
    portal: pl.DataFrame,
) -> pl.DataFrame:
    """One row per topic with the inputs, ``programs_per_demand`` and ``score``."""
    table = (
        momentum.select("topic_id", demand_level="recent_mean", demand_growth="growth")
        .join(forecast_growth(forecasts, momentum), on="topic_id", how="left")
        .join(vacancy_growth(labour, links), on="topic_id", how="left")
        .join(latest_supply(portal), on="topic_id", how="left")
        .with_columns(
            programs_per_demand=pl.when(pl.col("demand_level") > 0).then(
                pl.col("programs") / pl.col("demand_level")
            )
        )
    )
    if table.is_empty():
        return table.with_columns(score=pl.lit(None, dtype=pl.Float64))

    def percentile(name: str) -> pl.Expr:
        column = pl.col(name)
        ranked = column.rank("average") - 1
        return (ranked / (column.count() - 1).clip(lower_bound=1)).alias(f"{name}_pct")

    positive = ["demand_level", "demand_growth", "forecast_growth", "vacancy_growth"]
    with_ranks = table.with_columns(
        *(percentile(name) for name in [*positive, "programs_per_demand"])
    )
    demand = pl.mean_horizontal(*(f"{name}_pct" for name in positive))
    return (
        with_ranks.with_columns(score=demand - pl.col("programs_per_demand_pct").fill_null(0.0))
        .drop([f"{name}_pct" for name in [*positive, "programs_per_demand"]])
        .sort("score", descending=True, nulls_last=True)
    )
