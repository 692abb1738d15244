"""Which requests to send next so that every topic is calibrated on the first run.

Google compares at most 5 terms per request and scales each request to its own maximum,
so a topic read next to a term 1,000 times larger comes back as "<1". Good calibration
needs every topic in a request with terms of similar volume, and those requests chained by
shared terms; but volumes are what we are measuring. The plan is therefore adaptive and a
pure function of what has been fetched so far, so a killed run re-plans the same requests
and fetches only what is missing:

1. **Probe** (nothing fetched yet): a star of requests sharing one pivot topic; each
   answer places four topics relative to the pivot, or bounds them ("<1" next to it).
2. **Chain**: volumes from the solve of everything fetched so far (rough ones, linking
   through "<1", for topics the solve cannot place); topics sorted by volume and fetched in
   overlapping windows of up to 5 whose volume span stays under ``CHAIN_MAX_SPAN``, so
   every topic sits next to terms of similar volume and every window shares terms with
   the next - gtab's anchor ladder built from the catalogue itself.
3. **Repair**: topics still poorly read (their best reading in the linked group under
   ``resolved_peak``, or not linked at all) are re-sorted by the better volumes the earlier
   rounds gave and chained again, run by run, between their resolved neighbours; a topic
   with no partner of similar volume is asked alone. After ``max_rounds`` what is left is
   reported, never blocking later runs.

Pure polars/numpy: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import polars as pl

from credtrends.transforms.calibration_solve import (
    Observations,
    exact_maxima,
    link_components,
    solve_component,
)

Stage = Literal["probe", "chain", "repair", "done"]

CHAIN_MAX_SPAN = 3.0
"""Largest volume ratio inside one chain window: its quietest term still peaks near 30+."""


@dataclass(frozen=True)
class RoundPlan:
    """The next requests for one (geo, window), and why."""

    stage: Stage
    batches: tuple[tuple[str, ...], ...]
    volumes: dict[str, float] = field(default_factory=dict)
    """Rough relative volume per topic from what was fetched (empty before the probe)."""
    unresolved: tuple[str, ...] = ()
    """Topics not yet well placed; after the last round, the ones left as they are."""


def _code(observed: pl.DataFrame) -> Observations:
    batches = observed.get_column("request_key").to_list()
    terms = observed.get_column("term").to_list()
    points = observed.get_column("period_start").to_list()
    batch_names = list(dict.fromkeys(batches))
    term_names = list(dict.fromkeys(terms))
    point_names = list(dict.fromkeys(points))
    bi = {n: i for i, n in enumerate(batch_names)}
    ti = {n: i for i, n in enumerate(term_names)}
    pi = {n: i for i, n in enumerate(point_names)}
    values = observed.get_column("value").cast(pl.Float64)
    if "has_data" in observed.columns:
        values = pl.select(
            pl.when(observed.get_column("has_data").fill_null(False)).then(values)
        ).to_series()
    frame = pl.DataFrame({"b": batches, "t": terms, "v": values}).with_columns(
        v=pl.when(pl.col("v").is_not_null().any().over("b"))
        .then(pl.col("v").fill_null(0.0))
        .otherwise(pl.col("v"))
    )
    partial = (
        observed.get_column("is_partial").fill_null(False).to_numpy()
        if "is_partial" in observed.columns
        else np.zeros(observed.height, dtype=bool)
    )
    coded = Observations(
        batch=np.array([bi[b] for b in batches], dtype=np.int64),
        term=np.array([ti[t] for t in terms], dtype=np.int64),
        point=np.array([pi[p] for p in points], dtype=np.int64),
        value=np.asarray(frame.get_column("v").fill_null(np.nan).to_numpy(), dtype=np.float64),
        partial=np.asarray(partial, dtype=bool),
        batch_names=batch_names,
        term_names=term_names,
        exact=np.zeros(observed.height, dtype=bool),
    )
    return replace(coded, exact=exact_maxima(coded.batch, coded.value))


def rough_volumes(obs: Observations) -> dict[str, float]:
    """Mean volume per term on one arbitrary scale, linking through "<1" values too.

    Each batch's log scale is the median of (log value - log term level) over its terms,
    iterated; a "<1" reading counts as 0.5 with a low weight. Only for ranking terms: the
    calibration proper never uses censored values as numbers.
    """
    ok = ~np.isnan(obs.value)
    batch, term, value = obs.batch[ok], obs.term[ok], obs.value[ok]
    n_t, n_b = len(obs.term_names), len(obs.batch_names)
    # per (batch, term) mean reading: rounding matters little for ranking
    key = batch * n_t + term
    sums = np.bincount(key, weights=np.maximum(value, 0.5), minlength=n_b * n_t)
    counts = np.bincount(key, minlength=n_b * n_t)
    positive = np.bincount(key, weights=(value >= 1).astype(float), minlength=n_b * n_t)
    seen = np.flatnonzero(counts)
    pair_b, pair_t = seen // n_t, seen % n_t
    level = np.log(sums[seen] / counts[seen])
    weight = np.where(positive[seen] / counts[seen] >= 0.5, 1.0, 0.05)
    term_level = np.zeros(n_t)
    batch_scale = np.zeros(n_b)
    for _ in range(60):
        residual = level - term_level[pair_t]
        num = np.bincount(pair_b, weights=weight * residual, minlength=n_b)
        den = np.bincount(pair_b, weights=weight, minlength=n_b)
        batch_scale = num / np.where(den > 0, den, 1.0)
        residual = level - batch_scale[pair_b]
        num = np.bincount(pair_t, weights=weight * residual, minlength=n_t)
        den = np.bincount(pair_t, weights=weight, minlength=n_t)
        updated = num / np.where(den > 0, den, 1.0)
        updated -= updated.max(initial=0.0)
        if np.allclose(updated, term_level, atol=1e-6):
            term_level = updated
            break
        term_level = updated
    present = set(pair_t.tolist())
    return {obs.term_names[t]: float(math.exp(term_level[t])) for t in sorted(present)}


def _volumes(obs: Observations) -> dict[str, float]:
    """Each term's geometric-mean level from the calibration of its linked group.

    Terms outside the main group (or only ever "<1" there) keep their rough volume,
    aligned to the calibrated scale on the terms both know.
    """
    rough = rough_volumes(obs)
    components = link_components(obs)
    if not components:
        return rough
    points = solve_component(obs, components[0]).points
    sums: dict[int, list[float]] = {}
    for t, v, c in zip(
        points.term.tolist(), points.log_value.tolist(), points.censored.tolist(), strict=True
    ):
        if not c:
            sums.setdefault(t, []).append(v)
    calibrated = {obs.term_names[t]: math.exp(float(np.mean(v))) for t, v in sums.items()}
    shared = [t for t in calibrated if t in rough]
    if not shared:
        return calibrated or rough
    shift = float(np.median([math.log(calibrated[t] / rough[t]) for t in shared]))
    volumes = {t: v * math.exp(shift) for t, v in rough.items()}
    volumes.update(calibrated)
    return volumes


def _peak_in_linked(obs: Observations, main: list[int]) -> dict[str, float]:
    """Each term's highest reading in a batch of the main linked group."""
    mask = np.isin(obs.batch, np.asarray(main, dtype=np.int64)) & ~np.isnan(obs.value)
    peaks: dict[str, float] = {}
    for t, v in zip(obs.term[mask].tolist(), obs.value[mask].tolist(), strict=True):
        name = obs.term_names[t]
        if v > peaks.get(name, -1.0):
            peaks[name] = v
    return peaks


def chain_batches(
    ordered: Sequence[str],
    batch_size: int = 5,
    volumes: dict[str, float] | None = None,
    max_span: float = CHAIN_MAX_SPAN,
) -> list[tuple[str, ...]]:
    """Overlapping windows over terms sorted by volume, each sharing terms with the next.

    Without ``volumes``: windows of ``batch_size`` with stride ``batch_size - 2``. With
    them, a window also stops before its volume span exceeds ``max_span`` (so its quietest
    term still reads high), down to a pair across a gap in the catalogue; windows of three
    or more share two terms with the next, pairs one.
    """
    terms = list(ordered)
    if len(terms) < 2:
        return []
    if volumes is None:
        if len(terms) <= batch_size:
            return [tuple(terms)]
        stride = max(batch_size - 2, 1)
        windows = []
        start = 0
        while True:
            windows.append(tuple(terms[start : start + batch_size]))
            if start + batch_size >= len(terms):
                break
            start = min(start + stride, len(terms) - batch_size)
        return windows
    spans: list[tuple[str, ...]] = []
    i = 0
    while i < len(terms) - 1:
        j = i + 1
        while (
            j + 1 < len(terms)
            and j + 1 - i < batch_size
            and volumes[terms[i]] <= max_span * volumes[terms[j + 1]]
        ):
            j += 1
        spans.append(tuple(terms[i : j + 1]))
        if j == len(terms) - 1:
            break
        i = j - 1 if j - i >= 2 else j
    return spans


def next_round(
    topics: Sequence[str],
    observed: pl.DataFrame,
    round_index: int,
    *,
    fetched: Sequence[tuple[str, ...]] = (),
    batch_size: int = 5,
    resolved_peak: float = 40.0,
    max_rounds: int = 5,
) -> RoundPlan:
    """The requests of round ``round_index`` for ``topics``, from the earlier rounds' data.

    ``observed``: long frame with ``request_key, term, period_start, value`` (and
    optionally ``has_data, is_partial``) of the batches of rounds before this one only, so
    the same answers always give the same plan. ``fetched``: their term tuples, so a repair
    is never asked twice.
    """
    wanted = list(dict.fromkeys(topics))
    if round_index == 0:
        if len(wanted) < 2:
            return RoundPlan("probe", ((*wanted,),) if wanted else (), unresolved=tuple(wanted))
        pivot, others = wanted[0], wanted[1:]
        capacity = batch_size - 1
        star = tuple((pivot, *others[i : i + capacity]) for i in range(0, len(others), capacity))
        return RoundPlan("probe", star, unresolved=tuple(wanted))
    work = observed.filter(pl.col("term").is_in(wanted)) if observed.width else observed
    if work.is_empty() or len(wanted) < 2:
        return RoundPlan("done", (), {}, tuple(wanted) if work.is_empty() else ())
    obs = _code(work)
    volumes = _volumes(obs)
    components = link_components(obs)
    peaks = _peak_in_linked(obs, components[0] if components else [])
    for term in wanted:  # never answered: rank it in the middle, the chain will place it
        volumes.setdefault(term, float(np.median(list(volumes.values()))))
    ordered = sorted(wanted, key=lambda t: (-volumes[t], t))
    unresolved = tuple(t for t in ordered if peaks.get(t, 0.0) < resolved_peak)
    asked = {frozenset(batch) for batch in fetched}
    if round_index == 1:
        chain = [
            b for b in chain_batches(ordered, batch_size, volumes) if frozenset(b) not in asked
        ]
        if chain:  # else the probe already was the chain (tiny catalogues): repair at once
            return RoundPlan("chain", tuple(chain), volumes, unresolved)
    if not unresolved or round_index >= max_rounds:
        return RoundPlan("done", (), volumes, unresolved)
    repairs = _repair_batches(ordered, unresolved, volumes, batch_size)
    repairs = [b for b in repairs if frozenset(b) not in asked]
    # a term with no partner of similar volume (a gap in the catalogue) reads best alone:
    # its own request puts it at 100, and it links through its reading next to the others
    covered = {t for b in repairs for t in b}
    repairs += [(t,) for t in unresolved if t not in covered and frozenset((t,)) not in asked]
    return RoundPlan("repair" if repairs else "done", tuple(repairs), volumes, unresolved)


def _repair_batches(
    ordered: list[str],
    unresolved: tuple[str, ...],
    volumes: dict[str, float],
    batch_size: int,
) -> list[tuple[str, ...]]:
    """A new chain over each run of unresolved terms, between its resolved neighbours.

    Re-sorted by the better volumes the earlier rounds gave, the unresolved terms of a run
    are each other's best partners; the resolved terms just above and below tie the run
    to the rest.
    """
    order = sorted(ordered, key=lambda t: (-volumes[t], t))
    pending = set(unresolved)
    batches: list[tuple[str, ...]] = []
    i = 0
    while i < len(order):
        if order[i] not in pending:
            i += 1
            continue
        j = i
        while j < len(order) and order[j] in pending:
            j += 1
        run = order[i:j]
        above = order[i - 1 : i] if i > 0 else []
        below = order[j : j + 1]
        batches.extend(chain_batches([*above, *run, *below], batch_size, volumes))
        i = j
    return batches


@dataclass(frozen=True)
class RoundsOutcome:
    """Every batch the rounds asked for, their answers, and what stayed unresolved."""

    observed: pl.DataFrame
    batches: tuple[tuple[str, ...], ...]
    stages: tuple[tuple[Stage, int], ...]
    """(stage, number of batches) per round, for the run record."""
    unresolved: tuple[str, ...]


FetchRound = Callable[[Sequence[tuple[str, ...]], str], pl.DataFrame]
"""Fetch these batches (stage name for progress) and return their rows: ``request_key,
term, period_start, value`` (+ ``has_data, is_partial``). Already-fetched ones may be
answered from storage: the plan only depends on the answers."""


def run_rounds(
    topics: Sequence[str],
    fetch_round: FetchRound,
    *,
    batch_size: int = 5,
    resolved_peak: float = 40.0,
    max_rounds: int = 5,
) -> RoundsOutcome:
    """Plan and fetch round after round until every topic is placed or rounds run out."""
    frames: list[pl.DataFrame] = []
    batches: list[tuple[str, ...]] = []
    stages: list[tuple[Stage, int]] = []
    plan = next_round(topics, pl.DataFrame(), 0, batch_size=batch_size)
    for round_index in range(max_rounds + 1):
        if round_index:
            observed = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
            plan = next_round(
                topics, observed, round_index, fetched=batches, batch_size=batch_size,
                resolved_peak=resolved_peak, max_rounds=max_rounds,
            )  # fmt: skip
        if not plan.batches:
            break
        stages.append((plan.stage, len(plan.batches)))
        frames.append(fetch_round(plan.batches, plan.stage))
        batches.extend(plan.batches)
    observed = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return RoundsOutcome(observed, tuple(batches), tuple(stages), plan.unresolved)
