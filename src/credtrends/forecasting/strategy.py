"""How a run chooses its forecasts: the selection rule and the rounding, by nested backtest.

No single rule wins everywhere. On M3/M4 a combination of the four best candidates per
series is best; on short noisy real search series, where backtest windows disagree, deciding
"seasonal or not" first and then taking the single best model of that family is. So the
run tries each rule in :data:`STRATEGIES`, scores it by the nested backtest (each origin
chosen from the other origins, so the score is out of sample), and keeps the best, with
the same pooled criterion M4 ranks by (OWA against Naive2). Integer data may also be
rounded, when that scores better. Every number used comes from the training history.

Non-negative data with zeros (search interest of rare terms) may also get the *median
rule*: where more than half of the last ``w`` observations are exactly 0, the forecast is
0. The median of the predictive distribution is the point forecast that minimises the
absolute error (MASE), and sMAPE scores a non-zero forecast of a 0 as its worst error, so
where zeros are the majority both measures prefer 0 to a smoothed positive level. Whether
the rule applies, and with which window (half a season or a season), is decided by the
same nested backtest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from credtrends.forecasting.backtest import ChunkResult
from credtrends.forecasting.models import MODEL_NAMES, SEASONAL_FAMILY, SEASONAL_SUFFIX
from credtrends.forecasting.panel import FloatArray
from credtrends.forecasting.selection import (
    backtest_errors,
    combine,
    family_weights,
    mean_origin_error,
    nested_weights,
    origin_owa_errors,
    top_k_weights,
)

#: Selection rules a run chooses from: ``top<k>`` = the k best candidates, weighted by
#: inverse backtest error; ``family_top<k>`` = the same within the family (seasonal or
#: not) whose combination backtests better for the series. Four, not three, since the
#: weights are inverse-error (``benchmarks/forecast_dev.py``, mean inner OWA over the six
#: sets: 2 origins 0.7898 -> 0.7892, 4 origins 0.8046 -> 0.8028; top5 0.8055; offering
#: both top3 and top4 0.8041): the fourth model rarely hurts once it weighs less.
STRATEGIES: tuple[str, ...] = ("top4", "family_top1", "top1")

_RULE = re.compile(r"^(family_)?top([1-9][0-9]*)$")
_INDEX = {name: i for i, name in enumerate(MODEL_NAMES)}


def validate_strategy(rule: str) -> None:
    if not _RULE.match(rule):
        raise ValueError(f"selection strategy {rule!r} must look like top3 or family_top1")


@dataclass(frozen=True)
class Choice:
    """The rule a run kept and what it gives.

    ``weights`` (series, model) for the real forecast; ``nested`` (series, model, origin)
    the choice at each backtest origin from the others; ``meta`` (series, 1, origin, step)
    the nested selected backtest forecasts (clipped / rounded as the real forecast is);
    ``ranking`` (series, model) the errors that ranked the models; ``scores`` the nested
    OWA of every rule tried; ``zero_window`` the index (into the spec's zero windows) of
    the median rule's window, None when the rule is off.
    """

    strategy: str
    rounded: bool
    weights: FloatArray
    nested: FloatArray
    meta: FloatArray
    ranking: FloatArray
    scores: dict[str, float]
    zero_window: int | None = None
    zero_windows: tuple[int, ...] = ()


def _chooser(
    rule: str, candidates: Sequence[int], fallback: int
) -> Callable[[FloatArray], FloatArray]:
    match = _RULE.match(rule)
    if match is None:
        raise ValueError(f"unknown selection strategy {rule!r}")
    family, k = bool(match.group(1)), int(match.group(2))
    references = (_INDEX["comb"], _INDEX[f"comb{SEASONAL_SUFFIX}"])
    # Members of a combination are weighted by inverse backtest error (``top_k_weights``).
    if family:
        return lambda error: family_weights(
            error, candidates, k, fallback, SEASONAL_FAMILY, references, inverse_error=True
        )
    return lambda error: top_k_weights(error, candidates, k, fallback, inverse_error=True)


def _pooled_owa(meta: FloatArray, res: ChunkResult) -> float:
    """Nested backtest OWA of ``meta`` against the Naive2 backtest, on the same series."""
    both = np.concatenate([res.backtest[:, [_INDEX["naive2"]]], meta], axis=1)
    errors = backtest_errors(both, res.actuals, res.mase_scale)
    scored = (errors.points[:, 0] > 0) & (errors.points[:, 1] > 0)
    if not scored.any():
        return float("inf")
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 0.5 * (
            np.nanmean(errors.smape[scored, 1]) / np.nanmean(errors.smape[scored, 0])
            + np.nanmean(errors.mase[scored, 1]) / np.nanmean(errors.mase[scored, 0])
        )
    return float(value) if np.isfinite(value) else float("inf")


def median_rule(forecasts: FloatArray, zero_share: FloatArray) -> FloatArray:
    """0 where most recent observations are 0 (``zero_share`` > 1/2), else unchanged.

    ``forecasts`` has series first; ``zero_share`` broadcasts against its leading axes
    (NaN, no history, leaves the forecast alone).
    """
    share = zero_share.reshape(zero_share.shape + (1,) * (forecasts.ndim - zero_share.ndim))
    with np.errstate(invalid="ignore"):
        return np.where(share > 0.5, 0.0, forecasts)


def choose_forecasts(
    res: ChunkResult,
    candidates: Sequence[int],
    fallback: int,
    strategies: Sequence[str],
    *,
    non_negative: bool,
    rounding: bool | None,
    integer_data: bool,
    zero_windows: tuple[int, ...] = (),
    median_zero: bool | None = None,
) -> Choice:
    """Try every rule (and rounding, for integer data; the median rule, for non-negative
    data with zeros), keep the best nested backtest."""
    ranking_origin = origin_owa_errors(res.backtest, res.actuals, res.mase_scale, _INDEX["naive2"])
    ranking = mean_origin_error(ranking_origin)
    options = [rounding] if rounding is not None else ([False, True] if integer_data else [False])
    has_zeros = bool(res.zero_share is not None and np.any(res.zero_share > 0.5))
    zero_options: list[int | None] = [None]
    if non_negative and zero_windows and median_zero is not False and has_zeros:
        zero_options = list(range(len(zero_windows)))
        if median_zero is None:
            zero_options.insert(0, None)
    best: Choice | None = None
    scores: dict[str, float] = {}
    for rule in strategies:
        choose = _chooser(rule, candidates, fallback)
        nested = nested_weights(ranking_origin, candidates, 1, fallback, choose)
        meta = np.stack(
            [combine(nested[:, :, j], res.backtest[:, :, j]) for j in range(nested.shape[2])],
            axis=1,
        )[:, None]
        if non_negative:
            meta = np.maximum(meta, 0.0)
        for zero in zero_options:
            zeroed = meta
            if zero is not None and res.zero_share is not None:
                zeroed = median_rule(meta[:, 0], res.zero_share[:, :, zero])[:, None]
            for rounded in options:
                candidate_meta = np.round(zeroed) if rounded else zeroed
                score = _pooled_owa(candidate_meta, res)
                option = Choice(
                    rule,
                    rounded,
                    np.empty(0),
                    nested,
                    candidate_meta,
                    ranking,
                    scores,
                    zero,
                    tuple(zero_windows),
                )
                scores[_key(option)] = score
                if best is None or score < scores[_key(best)]:
                    best = option
    if best is None:
        raise ValueError("at least one selection strategy is needed")
    return replace(best, weights=_chooser(best.strategy, candidates, fallback)(ranking))


def _key(choice: Choice) -> str:
    zero = (
        f" median{choice.zero_windows[choice.zero_window]}"
        if choice.zero_window is not None
        else ""
    )
    return f"{choice.strategy}{zero}{' rounded' if choice.rounded else ''}"
