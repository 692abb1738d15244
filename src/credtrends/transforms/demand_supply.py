"""Demand versus supply per topic in one region: the planners' opportunity score (pure).

Every input is optional: a topic with no forecast, no linked occupation or no catalogue data
simply has nulls there, and the score averages what it has. The formula is shown on the
Program demand page (``SCORE_FORMULA``), so nobody has to trust a black box.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from credtrends.transforms.scores import GROWTH_Z

SCORE_FORMULA = (
    "score = mean of the percentile ranks (0-1, among the topics shown) of: search level, "
    "search growth vs a year ago, forecast growth, and job-vacancy growth of the linked "
    "occupations; minus the percentile rank of programs on offer per unit of search interest. "
    "Missing inputs are left out of the mean. High score: high and rising demand, little supply."
)


@dataclass(frozen=True)
class ScoreWeights:
    """How much each input's percentile rank counts; a planner changes them on the page.

    The demand part is the weighted mean of the four demand ranks a topic has; supply's
    rank, times its weight, is subtracted. All 1 is the plain formula of ``SCORE_FORMULA``;
    0 leaves an input out.
    """

    level: float = 1.0
    growth: float = 1.0
    forecast: float = 1.0
    vacancy: float = 1.0
    supply: float = 1.0


DEMAND_INPUTS = ("demand_level", "demand_growth", "forecast_growth", "vacancy_growth")
"""The demand inputs, in the order of ``ScoreWeights``' first four fields."""
COMPONENT_NAMES = {
    "demand_level": "rank_level",
    "demand_growth": "rank_growth",
    "forecast_growth": "rank_forecast",
    "vacancy_growth": "rank_vacancy",
    "programs_per_demand": "rank_supply",
}
SCORE_DRAWS = 1000
"""Simulated draws of search growth behind the score's interval (fixed seed: the same view
always shows the same interval)."""


def forecast_growth(forecasts: pl.DataFrame, momentum: pl.DataFrame) -> pl.DataFrame:
    """Mean forecast over the horizon against the recent mean: where demand is heading.

    ``forecast_growth_low`` / ``_high`` bound it with the horizon's mean 95% bounds (null
    where the forecasts carry none): the mean of the bounds, as if the errors of the
    horizon's weeks were one error (fully correlated), which errs wide."""
    bounds = [
        pl.col(name).mean().alias(f"forecast_{name}")
        for name in ("lo95", "hi95")
        if name in forecasts.columns
    ]
    summary = forecasts.group_by("topic_id").agg(
        pl.col("mean").mean().alias("forecast_mean"), *bounds
    )
    for name in ("forecast_lo95", "forecast_hi95"):
        if name not in summary.columns:
            summary = summary.with_columns(pl.lit(None, pl.Float64).alias(name))
    known = pl.col("recent_mean") > 0
    return summary.join(momentum.select("topic_id", "recent_mean"), on="topic_id").select(
        "topic_id",
        forecast_growth=pl.when(known).then(pl.col("forecast_mean") / pl.col("recent_mean") - 1),
        forecast_growth_low=pl.when(known).then(
            pl.col("forecast_lo95") / pl.col("recent_mean") - 1
        ),
        forecast_growth_high=pl.when(known).then(
            pl.col("forecast_hi95") / pl.col("recent_mean") - 1
        ),
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
    weights: ScoreWeights | None = None,
) -> pl.DataFrame:
    """One row per topic: the inputs, ``programs_per_demand``, each input's percentile rank
    (``rank_level`` ... ``rank_supply``: the score's components), ``score`` with its 95%
    interval (``score_low``, ``score_high``), ``rank`` and ties (``tied_with_top``,
    ``rank_shared``)."""
    components = opportunity_components(momentum, forecasts, labour, links, portal)
    return score_opportunities(components, weights).drop(
        "growth_low", "growth_high", "forecast_growth_low", "forecast_growth_high"
    )


def opportunity_components(
    momentum: pl.DataFrame,
    forecasts: pl.DataFrame,
    labour: pl.DataFrame,
    links: pl.DataFrame,
    portal: pl.DataFrame,
) -> pl.DataFrame:
    """The inputs of every topic's score and their percentile ranks, before any weighting:
    what the ``derive`` step stores, so a page with other weights only re-scores
    (``score_opportunities``). Keeps search growth's and forecast growth's intervals
    (``growth_low``/``high``, ``forecast_growth_low``/``high``), which the score's interval
    needs."""
    growth_bounds = [c for c in ("growth_low", "growth_high") if c in momentum.columns]
    table = (
        momentum.select(
            "topic_id", *growth_bounds, demand_level="recent_mean", demand_growth="growth"
        )
        .join(forecast_growth(forecasts, momentum), on="topic_id", how="left")
        .join(vacancy_growth(labour, links), on="topic_id", how="left")
        .join(latest_supply(portal), on="topic_id", how="left")
        .with_columns(
            programs_per_demand=pl.when(pl.col("demand_level") > 0).then(
                pl.col("programs") / pl.col("demand_level")
            )
        )
    )
    for missing in {"growth_low", "growth_high"} - set(table.columns):
        table = table.with_columns(pl.lit(None, pl.Float64).alias(missing))
    return table.with_columns(
        percentile_rank(pl.col(name)).alias(component)
        for name, component in COMPONENT_NAMES.items()
    )


def score_opportunities(
    components: pl.DataFrame, weights: ScoreWeights | None = None
) -> pl.DataFrame:
    """``components`` (from ``opportunity_components``) scored with ``weights``: ``score``,
    its interval, ``rank`` and ties, best first. Any score columns already there (a stored
    table scored with other weights) are replaced."""
    weights = weights or ScoreWeights()
    scored_columns = ("score", "score_low", "score_high", "rank", "rank_shared", "tied_with_top")
    components = components.drop(c for c in scored_columns if c in components.columns)
    ranks = components.select(COMPONENT_NAMES.values()).to_numpy().astype(np.float64)
    score = weighted_score(ranks, weights)
    low, high = score_interval(components, ranks, weights)
    scored = components.with_columns(
        score=pl.Series(score, dtype=pl.Float64).fill_nan(None),
        score_low=pl.Series(low, dtype=pl.Float64).fill_nan(None),
        score_high=pl.Series(high, dtype=pl.Float64).fill_nan(None),
    )
    return flag_ties(scored)


def percentile_rank(column: pl.Expr) -> pl.Expr:
    """Rank among the topics that have the input, 0 (lowest) to 1 (highest), ties averaged."""
    return (column.rank("average") - 1) / (column.count() - 1).clip(lower_bound=1)


def weighted_score(ranks: np.ndarray, weights: ScoreWeights) -> np.ndarray:
    """Score per row of ``ranks`` (columns in ``COMPONENT_NAMES`` order, NaN = missing):
    weighted mean of the demand ranks present, minus supply's weighted rank (missing: 0)."""
    weight = np.asarray(astuple(weights), dtype=np.float64)
    demand = ranks[..., :4]
    present = ~np.isnan(demand) & (weight[:4] > 0)
    total = np.sum(np.where(present, weight[:4], 0.0), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.sum(np.where(present, demand * weight[:4], 0.0), axis=-1) / total
    mean = np.where(total > 0, mean, np.nan)
    supply = np.nan_to_num(ranks[..., 4], nan=0.0)
    result: np.ndarray = mean - weight[4] * supply
    return result


def _row_percentiles(values: np.ndarray) -> np.ndarray:
    """Average-tie percentile ranks along the last axis (no NaN), every row at once: sort
    each row, give each run of equal values the mean of its first and last position, and
    put the positions back in the row's order."""
    rows, count = values.shape
    order = np.argsort(values, axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1)
    position = np.broadcast_to(np.arange(count), (rows, count))
    new_run = np.ones((rows, count), dtype=bool)
    new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_end = np.ones((rows, count), dtype=bool)
    run_end[:, :-1] = new_run[:, 1:]
    first = np.maximum.accumulate(np.where(new_run, position, 0), axis=1)
    last = np.flip(
        np.minimum.accumulate(np.flip(np.where(run_end, position, count), axis=1), axis=1), axis=1
    )
    result = np.empty((rows, count), dtype=np.float64)
    np.put_along_axis(result, order, (first + last) / 2 / max(count - 1, 1), axis=1)
    return result


def _growth_draws(
    growth: np.ndarray, low: np.ndarray, high: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(which topics have the input, ``SCORE_DRAWS`` draws of it for those): each drawn on
    the log scale from its own 95% interval (symmetric in log(1 + growth)); a topic with no
    usable interval keeps its value in every draw."""
    have = ~np.isnan(growth)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.log1p(growth[have])
        spread = (np.log1p(high[have]) - np.log1p(low[have])) / (2 * GROWTH_Z)
    spread = np.where(np.isfinite(spread) & (spread > 0), spread, 0.0)
    draws = centre + spread * rng.standard_normal((SCORE_DRAWS, int(have.sum())))
    return have, draws


def score_interval(
    components: pl.DataFrame, ranks: np.ndarray, weights: ScoreWeights
) -> tuple[np.ndarray, np.ndarray]:
    """95% interval of each score from the uncertainty of search growth and forecast growth.

    Each topic's search growth is drawn from its own 95% interval, its forecast growth from
    the forecast's (``forecast_growth``), independently; both ranks are recomputed among all
    topics for each draw, and the score with them: a topic whose growth cannot be told from
    its neighbours' gets a wide score. The search level, vacancies and supply are taken as
    exact (the level's calibration interval is under 1%; StatCan's tables carry quality
    grades, not standard errors). A topic with no interval keeps that input fixed.
    """
    score = weighted_score(ranks, weights)
    rng = np.random.default_rng(0)
    moving: list[tuple[int, np.ndarray, np.ndarray]] = []  # (rank column, have, draws)
    for column, (name, weight) in enumerate(
        (("demand_growth", weights.growth), ("forecast_growth", weights.forecast)), start=1
    ):
        values = components[name].to_numpy().astype(np.float64)
        if weight == 0 or int((~np.isnan(values)).sum()) < 2:
            continue
        low = components[f"{name.removeprefix('demand_')}_low"].to_numpy().astype(np.float64)
        high = components[f"{name.removeprefix('demand_')}_high"].to_numpy().astype(np.float64)
        have, draws = _growth_draws(values, low, high, rng)
        moving.append((column, have, draws))
    if not moving:
        return score.copy(), score.copy()
    # the score is linear in each moving rank, with the topic's own weights
    fixed = ranks.copy()
    for column, have, _ in moving:
        fixed[have, column] = 0.0
    base = weighted_score(fixed, weights)
    scores = np.broadcast_to(base, (SCORE_DRAWS, len(base))).copy()
    for column, have, draws in moving:
        unit = fixed.copy()
        unit[have, column] = 1.0
        slope = weighted_score(unit, weights) - base
        drawn = np.zeros((SCORE_DRAWS, len(base)))
        drawn[:, have] = _row_percentiles(draws)
        scores += np.where(np.isnan(slope), 0.0, slope) * drawn
    varies = np.zeros(len(base), dtype=bool)
    for _, have, _ in moving:
        varies |= have
    varies &= ~np.isnan(score)
    lower, upper = score.copy(), score.copy()
    lower[varies] = np.minimum(np.percentile(scores[:, varies], 2.5, axis=0), score[varies])
    upper[varies] = np.maximum(np.percentile(scores[:, varies], 97.5, axis=0), score[varies])
    # the interval always holds the score itself (the point is one of the possible orders)
    return lower, upper


def flag_ties(scored: pl.DataFrame) -> pl.DataFrame:
    """``rank`` (1 = best; equal shown scores share a rank), ``rank_shared`` (another topic
    has the same rank) and ``tied_with_top`` (the interval overlaps the best score's: the
    order at the top cannot be told apart). Sorted best first."""
    ranked = scored.sort("score", descending=True, nulls_last=True).with_columns(
        rank=pl.col("score").round(2).rank("min", descending=True).cast(pl.Int64)
    )
    ranked = ranked.with_columns(
        rank_shared=pl.col("rank").is_not_null() & (pl.len().over("rank") > 1)
    )
    best = ranked.filter(pl.col("score").is_not_null()).head(1)
    if best.is_empty():
        return ranked.with_columns(tied_with_top=pl.lit(False))
    best_low, best_id = best["score_low"][0], best["topic_id"][0]
    overlaps = (pl.col("topic_id") != best_id) & (pl.col("score_high") >= best_low)
    any_tie = bool(ranked.select(overlaps.fill_null(False).any()).item())
    return ranked.with_columns(
        tied_with_top=pl.when(pl.col("topic_id") == best_id)
        .then(pl.lit(any_tie))
        .otherwise(overlaps.fill_null(False))
    )
