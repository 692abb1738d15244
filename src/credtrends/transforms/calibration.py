"""Put any number of Google Trends terms on one scale per region and window, with error bars.

Google returns each request (at most 5 terms) scaled so that its own maximum is 100,
rounded to integers, with anything under 1 shown as "<1" (0). Two requests are comparable
only through a term they share, and a small term next to a giant rounds to 0. So:

* ``plan_batches`` builds a gtab-style anchor ladder (West 2020, "Calibration of Google
  Trends Time Series"): anchors spaced at most ``anchor_step`` apart in volume, chained
  in overlapping batches, and every topic placed in a batch with the anchor just above
  it, so its values land high on the 0-100 scale where rounding costs little.
* ``calibrate_batches`` solves all batch scales at once by weighted least squares on log
  values over the batch graph (every shared term and period is an equation, weighted by
  the rounding error of the two values), instead of gtab's single best path; and
  propagates rigorous rounding intervals ([v-0.5, v+0.5], "<1" as [0, 1)) through the
  batch graph as difference constraints, so every value gets hard bounds that hold over
  *all* paths at once, plus a statistical standard error.

Pure polars/numpy: no I/O, no pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from credtrends.errors import ConfigError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CALIBRATED_SCHEMA = pl.Schema(
    {
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "period_start": pl.Date(),
        "value": pl.Float64(),
        "value_low": pl.Float64(),
        "value_high": pl.Float64(),
        "rel_stderr": pl.Float64(),
        "is_partial": pl.Boolean(),
        "n_batches": pl.Int16(),
        "reference_term": pl.String(),
        "bounds": pl.Enum(["rounding", "statistical"]),
    }
)
"""``value``: common scale where 100 is the maximum of ``reference_term`` in the window.
``value_low``/``value_high``: hard bounds implied by Google's rounding ("rounding"), or
+-2 standard errors when the batches contradict each other beyond rounding, as Google's
sampling noise can make them ("statistical"). ``rel_stderr``: standard error of
log(value), i.e. relative error; null for values known only as "<1"."""

REGION_CALIBRATED_SCHEMA = pl.Schema(
    {
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "region_code": pl.String(),
        "value": pl.Float64(),
        "value_low": pl.Float64(),
        "value_high": pl.Float64(),
        "rel_stderr": pl.Float64(),
        "n_batches": pl.Int16(),
        "reference_term": pl.String(),
        "bounds": pl.Enum(["rounding", "statistical"]),
    }
)
"""Within each region, ``value`` is relative to ``reference_term`` there (= 100)."""


class DisconnectedBatchesError(ConfigError):
    """Some batches share no term, directly or through others: no common scale exists."""

    def __init__(self, message: str, components: list[list[str]]) -> None:
        super().__init__(message)
        self.components = components


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """One request's worth of terms (the caller adds geo, window, category)."""

    batch_id: str
    terms: tuple[str, ...]
    anchors: tuple[str, ...]
    role: Literal["ladder", "topics"]


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """The batches to fetch, the anchor ladder, and where the ladder has gaps."""

    batches: tuple[PlannedBatch, ...]
    anchors: tuple[str, ...]
    reference_term: str
    gaps: tuple[tuple[str, str, float], ...]
    """(upper anchor, lower anchor, volume ratio) where no candidate filled the step;
    add ``extra_anchors`` of intermediate volume to close them."""

    def __iter__(self) -> Iterator[PlannedBatch]:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)

    def to_frame(self) -> pl.DataFrame:
        """One row per (batch, term): what to record so a calibration is reproducible."""
        rows = [
            (b.batch_id, position, term, term in b.anchors, b.role)
            for b in self.batches
            for position, term in enumerate(b.terms)
        ]
        return pl.DataFrame(
            rows,
            schema={
                "batch_id": pl.String(),
                "position": pl.Int16(),
                "term": pl.String(),
                "is_anchor": pl.Boolean(),
                "role": pl.String(),
            },
            orient="row",
        )


def plan_batches(
    terms: Sequence[str],
    volume_hints: Mapping[str, float] | None = None,
    *,
    batch_size: int = 5,
    anchor_step: float = 2.0,
    max_topic_span: float = 8.0,
    extra_anchors: Mapping[str, float] | None = None,
) -> BatchPlan:
    """Plan batches so every term shares a batch with an anchor of similar volume.

    ``volume_hints`` are relative volumes on any scale (a previous calibration, keyword
    planner numbers, or a first pass); without them every term is assumed equal and the
    plan degrades to one shared anchor - calibrate once, then plan again with the result.
    ``extra_anchors`` are candidate anchor terms (not reported topics) with hints, used
    to bridge volume ranges the topics leave empty, as gtab's anchor bank does.
    """
    if batch_size < 2 or batch_size > 5:
        raise ConfigError("batch_size must be between 2 and 5 (Google compares at most 5)")
    if anchor_step <= 1.0 or max_topic_span < anchor_step:
        raise ConfigError("anchor_step must exceed 1 and max_topic_span must be >= anchor_step")
    topics = list(dict.fromkeys(terms))
    if not topics:
        raise ConfigError("plan_batches needs at least one term")
    folded = [t.casefold() for t in topics]
    if len(set(folded)) != len(folded):
        raise ConfigError("plan_batches: terms must be distinct (Google ignores case)")
    hints: dict[str, float] = {}
    for term in topics:
        hint = 1.0 if volume_hints is None else volume_hints.get(term)
        if hint is None:
            missing = [t for t in topics if volume_hints is not None and t not in volume_hints]
            raise ConfigError(f"plan_batches: no volume hint for {missing[:10]}")
        hints[term] = float(hint)
    extras = dict(extra_anchors or {})
    for term, hint in extras.items():
        if term.casefold() in set(folded):
            continue
        hints[term] = float(hint)
    bad = [t for t, h in hints.items() if not math.isfinite(h) or h <= 0]
    if bad:
        raise ConfigError(f"plan_batches: volume hints must be positive numbers: {bad[:10]}")

    pool = sorted(hints, key=lambda t: (-hints[t], t))
    anchors = [pool[0]]
    gaps: list[tuple[str, str, float]] = []
    position = 0
    while True:
        current = hints[anchors[-1]]
        below = [i for i in range(position + 1, len(pool)) if hints[pool[i]] < current]
        if not below or hints[pool[below[-1]]] >= current / anchor_step:
            break  # everything left is within one step of the last anchor
        within = [i for i in below if hints[pool[i]] >= current / anchor_step]
        position = within[-1] if within else below[0]
        if not within:
            gaps.append((anchors[-1], pool[position], current / hints[pool[position]]))
        anchors.append(pool[position])

    batches: list[PlannedBatch] = []

    def add(members: Sequence[str], anchor_set: Sequence[str], role: str) -> None:
        batch_id = f"b{len(batches):04d}"
        role_value: Literal["ladder", "topics"] = "ladder" if role == "ladder" else "topics"
        batches.append(PlannedBatch(batch_id, tuple(members), tuple(anchor_set), role_value))

    if len(anchors) > 1:
        stride = max(batch_size - 2, 1)
        start = 0
        while True:
            window = anchors[start : start + batch_size]
            add(window, window, "ladder")
            if start + batch_size >= len(anchors):
                break
            start = min(start + stride, len(anchors) - batch_size)
    anchor_set = set(anchors)
    remaining = [t for t in pool if t not in anchor_set and t in set(topics)]
    capacity = batch_size - 1
    current_batch: list[str] = []
    current_anchor = ""
    for term in remaining:
        fitting = [a for a in anchors if hints[a] >= hints[term]]
        anchor = fitting[-1] if fitting else anchors[0]
        if current_batch and (
            len(current_batch) >= capacity or hints[term] < hints[current_anchor] / max_topic_span
        ):
            add([current_anchor, *current_batch], [current_anchor], "topics")
            current_batch = []
        if not current_batch:
            current_anchor = anchor
        current_batch.append(term)
    if current_batch:
        add([current_anchor, *current_batch], [current_anchor], "topics")
    if not batches:  # a single term, or only anchors that fit one batch
        add(anchors, anchors, "ladder")
    return BatchPlan(tuple(batches), tuple(anchors), anchors[0], tuple(gaps))


def plan_fixed_anchor_batches(
    terms: Sequence[str], anchor: str, *, batch_size: int = 5
) -> BatchPlan:
    """The naive plan: the same anchor in every batch. Kept as the baseline to beat."""
    others = [t for t in dict.fromkeys(terms) if t != anchor]
    capacity = batch_size - 1
    batches = tuple(
        PlannedBatch(f"b{n:04d}", (anchor, *others[i : i + capacity]), (anchor,), "topics")
        for n, i in enumerate(range(0, max(len(others), 1), capacity))
    )
    return BatchPlan(batches, (anchor,), anchor, ())


# ------------------------------------------------------------------------ calibration


def _interval(values: FloatArray, below: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """Bounds of the unrounded scaled value behind each reported integer.

    Google reports round(s) for s >= 1, "<1" (0) for 0 < s < 1, and 100 for the maximum;
    so v -> [max(v - 0.5, 1), min(v + 0.5, 100)] and 0 -> [0, 1).
    """
    low = np.where(values >= 1, np.maximum(values - 0.5, 1.0), 0.0)
    high = np.where(values >= 1, np.minimum(values + 0.5, 100.0), 1.0)
    del below  # "<1" and a reported 0 carry the same information: [0, 1)
    return low, high


def _log_variance(values: FloatArray, extra_log_sd: float) -> FloatArray:
    """Variance of log(true) given the reported integer, for a uniform rounding error."""
    low = np.maximum(values - 0.5, 1.0)
    high = np.minimum(values + 0.5, 100.0)
    width = np.log(high) - np.log(low)
    return np.asarray(width**2 / 12.0 + extra_log_sd**2 + 1e-12, dtype=np.float64)


@dataclass
class _Observations:
    batch: IntArray
    term: IntArray
    point: IntArray
    value: FloatArray
    below: npt.NDArray[np.bool_]
    partial: npt.NDArray[np.bool_]
    batch_names: list[str]
    term_names: list[str]


def _components(obs: _Observations) -> list[list[int]]:
    parent = list(range(len(obs.batch_names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_batch_of_term: dict[int, int] = {}
    for b, t in zip(obs.batch.tolist(), obs.term.tolist(), strict=True):
        if t in first_batch_of_term:
            ra, rb = find(b), find(first_batch_of_term[t])
            if ra != rb:
                parent[ra] = rb
        else:
            first_batch_of_term[t] = b
    groups: dict[int, list[int]] = {}
    for b in range(len(obs.batch_names)):
        groups.setdefault(find(b), []).append(b)
    return list(groups.values())


def _solve_scales(
    obs: _Observations, reference_batch: int, extra_log_sd: float
) -> tuple[FloatArray, FloatArray]:
    """Weighted least squares for log batch scales u_b (u_ref = 0) and their std errors.

    Each (term, period) seen in several batches says log v_b - u_b is the same for all of
    them; eliminating the unknown true value leaves, per pair of batches, an equation on
    u_b - u_b' with weight w_b w_b' / sum(w). This is the exact joint least squares.
    """
    n = len(obs.batch_names)
    usable = (obs.value >= 1) & ~obs.partial
    idx = np.flatnonzero(usable)
    key = obs.term[idx] * (int(obs.point.max()) + 1) + obs.point[idx]
    order = np.argsort(key, kind="stable")
    idx, key = idx[order], key[order]
    laplacian = np.zeros((n, n))
    rhs = np.zeros(n)
    y_all = np.log(obs.value, where=obs.value > 0, out=np.zeros_like(obs.value))
    w_all = 1.0 / _log_variance(obs.value, extra_log_sd)
    boundaries = np.flatnonzero(np.diff(key)) + 1
    for group in np.split(idx, boundaries):
        if group.size < 2:
            continue
        b = obs.batch[group]
        if np.unique(b).size < group.size:
            continue  # the same batch twice cannot happen in parsed data; skip defensively
        w = w_all[group]
        y = y_all[group]
        total = w.sum()
        outer = np.outer(w, w) / total
        laplacian[np.ix_(b, b)] -= outer
        laplacian[b, b] += w
        # rhs of d/du of sum_b w_b (y_b - u_b - m)^2 with m eliminated
        weighted_mean = (w * y).sum() / total
        rhs[b] += w * (y - weighted_mean)
    keep = np.array([i for i in range(n) if i != reference_batch], dtype=np.int64)
    u = np.zeros(n)
    se = np.zeros(n)
    if keep.size:
        reduced = laplacian[np.ix_(keep, keep)]
        try:
            covariance = np.linalg.inv(reduced)
        except np.linalg.LinAlgError:
            covariance = np.linalg.pinv(reduced)
        u[keep] = covariance @ rhs[keep]
        se[keep] = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    return u, se


def _bellman_ford(
    n: int, source: int, frm: IntArray, to: IntArray, weight: FloatArray
) -> FloatArray | None:
    """Shortest distances from ``source``; None when a negative cycle makes them undefined."""
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    for _ in range(n):
        candidate = dist[frm] + weight
        updated = dist.copy()
        np.minimum.at(updated, to, candidate)
        if np.array_equal(updated, dist):
            return dist
        dist = updated
    return None


def _scale_bounds(obs: _Observations, reference_batch: int) -> tuple[FloatArray, FloatArray] | None:
    """Hard bounds on u_b - u_ref from rounding intervals, over every path at once.

    A shared (term, period) seen as intervals I_b and I_b' gives
    u_b - u_b' <= log(hi_b) - log(lo_b'): difference constraints whose tightest
    consequences are shortest paths. None if they contradict (sampling noise).
    """
    n = len(obs.batch_names)
    low, high = _interval(obs.value, obs.below)
    usable = ~obs.partial
    idx = np.flatnonzero(usable)
    key = obs.term[idx] * (int(obs.point.max()) + 1) + obs.point[idx]
    order = np.argsort(key, kind="stable")
    idx, key = idx[order], key[order]
    best: dict[tuple[int, int], float] = {}
    for group in np.split(idx, np.flatnonzero(np.diff(key)) + 1):
        if group.size < 2:
            continue
        for a in group:
            for c in group:
                if a == c or low[c] <= 0:
                    continue
                # u_{b(a)} - u_{b(c)} <= log(high_a) - log(low_c)
                pair = (int(obs.batch[c]), int(obs.batch[a]))
                bound = math.log(high[a]) - math.log(low[c])
                if bound < best.get(pair, math.inf):
                    best[pair] = bound
    if not best:
        inf = np.full(n, np.inf)
        inf[reference_batch] = 0.0
        return -inf, inf
    pairs = np.array(list(best.keys()), dtype=np.int64)
    weights = np.array(list(best.values()), dtype=np.float64)
    upper = _bellman_ford(n, reference_batch, pairs[:, 0], pairs[:, 1], weights)
    to_ref = _bellman_ford(n, reference_batch, pairs[:, 1], pairs[:, 0], weights)
    if upper is None or to_ref is None:
        return None
    return -to_ref, upper


def _calibrate_group(
    obs: _Observations, reference_term: str | None, extra_log_sd: float
) -> tuple[pl.DataFrame, str]:
    """Calibrate one connected (geo, window) group. Returns per-(term, point) estimates."""
    components = _components(obs)
    if len(components) > 1:
        names = []
        for component in components:
            batch_set = set(component)
            terms = sorted(
                {
                    obs.term_names[t]
                    for b, t in zip(obs.batch, obs.term, strict=True)
                    if b in batch_set
                }
            )
            names.append(terms)
        listing = " | ".join(
            ", ".join(group[:8]) + (" ..." if len(group) > 8 else "") for group in names
        )
        raise DisconnectedBatchesError(
            f"calibration: {len(components)} groups of batches share no term, so they cannot "
            f"be put on one scale; add an anchor term to link them: {listing}",
            names,
        )
    present = ~np.isnan(obs.value)
    if not present.any():
        raise ConfigError("calibration: no batch has any data for this region and window")
    reference_idx: int | None = None
    if reference_term is not None:
        try:
            reference_idx = obs.term_names.index(reference_term)
        except ValueError:
            raise ConfigError(
                f"calibration: reference term {reference_term!r} is not in the batches"
            ) from None
        ref_rows = np.flatnonzero((obs.term == reference_idx) & present)
        if ref_rows.size == 0:
            raise ConfigError(f"calibration: reference term {reference_term!r} has no data")
        reference_batch = int(obs.batch[ref_rows[np.argmax(obs.value[ref_rows])]])
    else:
        # any batch can anchor the solve; the reference term is chosen afterwards
        reference_batch = int(obs.batch[np.flatnonzero(present)[0]])

    clean = _Observations(
        obs.batch[present], obs.term[present], obs.point[present], obs.value[present],
        obs.below[present], obs.partial[present], obs.batch_names, obs.term_names,
    )  # fmt: skip
    u, se_u = _solve_scales(clean, reference_batch, extra_log_sd)
    bounds = _scale_bounds(clean, reference_batch)
    if bounds is not None:
        u = np.clip(u, bounds[0], bounds[1])

    low_v, high_v = _interval(clean.value, clean.below)
    scale = np.exp(u[clean.batch])
    # weights use the rounding variance only, so the estimate does not depend on which
    # batch anchors the solve; the scale uncertainty is added to the reported error below
    round_var = _log_variance(clean.value, extra_log_sd)
    scale_var = se_u[clean.batch] ** 2
    log_var = round_var + scale_var
    positive = clean.value >= 1
    point_log = np.where(positive, np.log(np.maximum(clean.value, 1e-9)) - u[clean.batch], 0.0)
    below_estimate = np.where(clean.below, 0.5, 0.0) / scale
    if bounds is not None:
        lo_u, hi_u = bounds
        obs_low = low_v / np.exp(hi_u[clean.batch])
        obs_high = high_v / np.exp(lo_u[clean.batch])
    else:
        spread = np.exp(2.0 * np.sqrt(log_var))
        obs_low = np.where(positive, np.exp(point_log) / spread, 0.0)
        obs_high = np.where(
            positive, np.exp(point_log) * spread, high_v / scale * np.exp(2 * se_u[clean.batch])
        )

    frame = pl.DataFrame(
        {
            "t": clean.term,
            "p": clean.point,
            "positive": positive,
            "w": np.where(positive, 1.0 / round_var, 0.0),
            "wy": np.where(positive, point_log / round_var, 0.0),
            "w2s": np.where(positive, scale_var / round_var**2, 0.0),
            "below_est": below_estimate,
            "obs_low": obs_low,
            "obs_high": obs_high,
            "partial": clean.partial,
        }
    )
    stable = frame.filter(~pl.col("partial"))
    merged = (
        frame.group_by("t", "p")
        .agg(
            pl.col("w").sum(),
            pl.col("wy").sum(),
            pl.col("w2s").sum(),
            pl.col("below_est").max(),
            pl.col("partial").all(),
            pl.len().alias("n"),
        )
        .join(
            stable.group_by("t", "p").agg(
                pl.col("obs_low").max().alias("lo_stable"),
                pl.col("obs_high").min().alias("hi_stable"),
            ),
            on=["t", "p"],
            how="left",
        )
        .join(
            frame.group_by("t", "p").agg(
                pl.col("obs_low").min().alias("lo_hull"), pl.col("obs_high").max().alias("hi_hull"),
                pl.col("obs_low").max().alias("lo_all"), pl.col("obs_high").min().alias("hi_all"),
            ),
            on=["t", "p"],
        )
    )  # fmt: skip
    merged = merged.with_columns(
        value=pl.when(pl.col("w") > 0)
        .then((pl.col("wy") / pl.col("w")).exp())
        .otherwise(pl.col("below_est")),
        rel_stderr=pl.when(pl.col("w") > 0)
        .then((1.0 / pl.col("w") + pl.col("w2s") / pl.col("w") ** 2).sqrt())
        .otherwise(None),
        low=pl.coalesce("lo_stable", "lo_all"),
        high=pl.coalesce("hi_stable", "hi_all"),
    )
    # contradictory intervals (sampling noise between fetches): fall back to their hull
    merged = merged.with_columns(
        low=pl.when(pl.col("low") <= pl.col("high")).then("low").otherwise("lo_hull"),
        high=pl.when(pl.col("low") <= pl.col("high")).then("high").otherwise("hi_hull"),
    )
    merged = merged.with_columns(value=pl.col("value").clip(pl.col("low"), pl.col("high")))

    # normalise: 100 = the reference term's largest value; bounds stay rigorous by
    # dividing by the normaliser's own bounds.
    if reference_idx is None:  # the term reaching the highest calibrated value
        stable_values = merged.filter(~pl.col("partial"))
        if stable_values.is_empty():
            stable_values = merged
        reference_idx = int(stable_values.sort("value", descending=True).get_column("t")[0])
    ref = merged.filter(pl.col("t") == reference_idx, ~pl.col("partial"))
    if ref.is_empty():
        ref = merged.filter(pl.col("t") == reference_idx)
    top = ref.sort("value", descending=True).row(0, named=True)
    norm_value, norm_low, norm_high = float(top["value"]), float(top["low"]), float(top["high"])
    norm_se = float(top["rel_stderr"] or 0.0)
    kind = "rounding" if bounds is not None else "statistical"
    result = merged.select(
        "t",
        "p",
        (pl.col("value") * 100.0 / norm_value).alias("value"),
        (pl.col("low") * 100.0 / norm_high).alias("value_low"),
        (pl.col("high") * 100.0 / max(norm_low, 1e-12)).alias("value_high"),
        (pl.col("rel_stderr") ** 2 + norm_se**2).sqrt().alias("rel_stderr"),
        pl.col("partial").alias("is_partial"),
        pl.col("n").cast(pl.Int16).alias("n_batches"),
    ).with_columns(bounds=pl.lit(kind))
    return result, obs.term_names[reference_idx]


def _observations(
    frame: pl.DataFrame, batch_col: str, point_col: str
) -> tuple[_Observations, list[object]]:
    batches = frame.get_column(batch_col).cast(pl.String)
    terms = frame.get_column("term").cast(pl.String)
    batch_names = batches.unique(maintain_order=True).to_list()
    term_names = terms.unique(maintain_order=True).to_list()
    points = frame.get_column(point_col)
    point_names = points.unique(maintain_order=True).to_list()
    batch_index = {name: i for i, name in enumerate(batch_names)}
    term_index = {name: i for i, name in enumerate(term_names)}
    point_index = {name: i for i, name in enumerate(point_names)}
    values = frame.get_column("value").cast(pl.Float64)
    has_data = frame.get_column("has_data") if "has_data" in frame.columns else values.is_not_null()
    value_arr = np.where(
        has_data.fill_null(False).to_numpy(), values.fill_null(np.nan).to_numpy(), np.nan
    )
    below = (
        frame.get_column("is_below_one").fill_null(False).to_numpy()
        if "is_below_one" in frame.columns
        else np.zeros(frame.height, dtype=bool)
    )
    partial = (
        frame.get_column("is_partial").fill_null(False).to_numpy()
        if "is_partial" in frame.columns
        else np.zeros(frame.height, dtype=bool)
    )
    obs = _Observations(
        batch=np.array([batch_index[b] for b in batches.to_list()], dtype=np.int64),
        term=np.array([term_index[t] for t in terms.to_list()], dtype=np.int64),
        point=np.array([point_index[p] for p in points.to_list()], dtype=np.int64),
        value=np.asarray(value_arr, dtype=np.float64),
        below=np.asarray(below, dtype=bool),
        partial=np.asarray(partial, dtype=bool),
        batch_names=[str(b) for b in batch_names],
        term_names=[str(t) for t in term_names],
    )
    return obs, point_names


def _validate_input(frame: pl.DataFrame, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConfigError(f"{what}: the frame lacks columns {missing}")
    values = frame.get_column("value").drop_nulls()
    if values.len() and (values.min() < 0 or values.max() > 100):  # type: ignore[operator]
        raise ConfigError(f"{what}: values must be Google's 0-100 integers")
    duplicated = frame.select(required[:3]).is_duplicated()
    if duplicated.any():
        raise ConfigError(f"{what}: a (batch, term, point) appears twice")


def calibrate_batches(
    frame: pl.DataFrame,
    *,
    batch_column: str = "request_key",
    reference_term: str | None = None,
    extra_log_sd: float = 0.0,
) -> pl.DataFrame:
    """Calibrate interest-over-time batches onto one scale per (geo, timeframe).

    ``frame`` is the parsed long frame (``INTEREST_OVER_TIME_SCHEMA`` or any frame with
    ``batch_column, term, period_start, value`` and optionally ``geo, timeframe,
    is_below_one, has_data, is_partial``). ``extra_log_sd`` adds noise beyond rounding to
    the weights (Google's sampling; about 0.02-0.05 on real data). Partial periods are
    calibrated but never used to link batches (they change between fetches).
    Returns ``CALIBRATED_SCHEMA``.
    """
    _validate_input(frame, [batch_column, "term", "period_start", "value"], "calibrate_batches")
    work = frame
    for column, default in (("geo", ""), ("timeframe", "")):
        if column not in work.columns:
            work = work.with_columns(pl.lit(default).alias(column))
    outputs = []
    for (geo, timeframe), group in work.group_by("geo", "timeframe", maintain_order=True):
        obs, points = _observations(group, batch_column, "period_start")
        result, ref_name = _calibrate_group(obs, reference_term, extra_log_sd)
        outputs.append(
            result.with_columns(
                term=pl.col("t").replace_strict(
                    list(range(len(obs.term_names))), obs.term_names, return_dtype=pl.String
                ),
                period_start=pl.col("p").replace_strict(
                    list(range(len(points))), points, return_dtype=pl.Date
                ),
                geo=pl.lit(geo, dtype=pl.String),
                timeframe=pl.lit(timeframe, dtype=pl.String),
                reference_term=pl.lit(ref_name, dtype=pl.String),
            ).select(CALIBRATED_SCHEMA.names())
        )
    if not outputs:
        return pl.DataFrame(schema=CALIBRATED_SCHEMA)
    return (
        pl.concat(outputs).cast(CALIBRATED_SCHEMA).sort("geo", "timeframe", "term", "period_start")
    )


def calibrate_region_shares(
    frame: pl.DataFrame,
    *,
    batch_column: str = "request_key",
    reference_term: str | None = None,
    extra_log_sd: float = 0.0,
) -> pl.DataFrame:
    """Calibrate multi-term region maps (``value_kind == 'share_percent'``) per region.

    In Google's compared map each region is its own 100%, so batches link only within a
    region; the result says, region by region, how each term compares with the reference.
    """
    _validate_input(
        frame, [batch_column, "term", "region_code", "value"], "calibrate_region_shares"
    )
    work = frame
    if "value_kind" in work.columns:
        work = work.filter(pl.col("value_kind") == "share_percent")
    work = work.filter(pl.col("region_code").is_not_null())
    for column in ("geo", "timeframe"):
        if column not in work.columns:
            work = work.with_columns(pl.lit("").alias(column))
    outputs = []
    for (geo, timeframe, region), group in work.group_by(
        "geo", "timeframe", "region_code", maintain_order=True
    ):
        if group.get_column("value").drop_nulls().is_empty():
            continue
        obs, _ = _observations(group, batch_column, "region_code")
        result, ref_name = _calibrate_group(obs, reference_term, extra_log_sd)
        outputs.append(
            result.with_columns(
                term=pl.col("t").replace_strict(
                    list(range(len(obs.term_names))), obs.term_names, return_dtype=pl.String
                ),
                geo=pl.lit(geo, dtype=pl.String),
                timeframe=pl.lit(timeframe, dtype=pl.String),
                region_code=pl.lit(region, dtype=pl.String),
                reference_term=pl.lit(ref_name, dtype=pl.String),
            ).select(REGION_CALIBRATED_SCHEMA.names())
        )
    if not outputs:
        return pl.DataFrame(schema=REGION_CALIBRATED_SCHEMA)
    return (
        pl.concat(outputs)
        .cast(REGION_CALIBRATED_SCHEMA)
        .sort("geo", "timeframe", "region_code", "term")
    )
