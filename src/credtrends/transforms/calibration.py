"""Put any number of Google Trends terms on one scale per region and window, with error bars.

Google returns each request (at most 5 terms) scaled so that its own maximum is 100,
rounded to integers, with anything under 1 shown as "<1" (0). Two requests are comparable
only through a term they share, and a small term next to a giant rounds to 0. So:

* ``calibration_plan`` decides which requests to send (rounds: probe, volume-sorted chain,
  repairs), in the spirit of gtab's anchor bank (West 2020, "Calibration of Google Trends
  Time Series") but built from the catalogue's own terms.
* ``calibrate_batches`` solves all batch scales at once by weighted least squares on the
  log scale over the batch graph (``calibration_solve``), every reading taken as the
  interval it stands for ([v-0.5, v+0.5), "<1" or ``hasData: false`` as a censored
  [0, 1)), instead of gtab's single best path; every value gets a 95% interval.

Pure polars/numpy: no I/O, no pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from credtrends.errors import ConfigError
from credtrends.transforms.calibration_solve import (
    Z95,
    Observations,
    PointEstimates,
    Solution,
    exact_maxima,
    link_components,
    log_observations,
    solve_component,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BOUNDS_KIND = pl.Enum(["ci95", "censored"])

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
        "bounds": BOUNDS_KIND,
    }
)
"""``value``: common scale where 100 is the maximum of ``reference_term`` in the window.
``value_low``/``value_high``: a 95% interval ("ci95": rounding, sampling noise estimated
from the disagreement between batches, and the batch scales' uncertainty), or, for a value
Google only ever reported as "<1" ("censored"), ``[0, upper 95% bound of the cap)``.
``rel_stderr``: standard error of log(value), i.e. relative error; null when censored."""

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
        "bounds": BOUNDS_KIND,
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


@dataclass(frozen=True, slots=True)
class DisconnectedGroup:
    """Terms whose batches share no positive value with the main group: left uncalibrated."""

    geo: str
    timeframe: str
    terms: tuple[str, ...]
    connect_with: tuple[str, ...]
    """A request that would link them: their largest term next to main-group terms."""

    def describe(self) -> str:
        where = f"{self.geo or 'worldwide'} {self.timeframe}".strip()
        return (
            f"{where}: {', '.join(self.terms[:8])}{' ...' if len(self.terms) > 8 else ''} "
            "are not linked to the other batches by a well-read shared term; fetch "
            f"{list(self.connect_with)} to link them"
        )


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration produced and what it could not place on the common scale."""

    frame: pl.DataFrame
    disconnected: tuple[DisconnectedGroup, ...] = ()
    noise_log_sd: dict[tuple[str, str], float] | None = None
    """Sampling noise beyond rounding (log sd) estimated per ``(geo, timeframe)``."""


def _term_names_of(obs: Observations, batches: Sequence[int]) -> list[str]:
    mask = np.isin(obs.batch, np.asarray(batches, dtype=np.int64)) & ~np.isnan(obs.value)
    return sorted({obs.term_names[t] for t in obs.term[mask].tolist()})


def _largest_term(obs: Observations, batches: Sequence[int]) -> str:
    """The term that dominates a group of batches (most often at 100): its natural link."""
    mask = np.isin(obs.batch, np.asarray(batches, dtype=np.int64)) & (obs.value >= 100)
    counts = np.bincount(obs.term[mask], minlength=len(obs.term_names))
    if counts.sum() == 0:
        return _term_names_of(obs, batches)[0]
    return obs.term_names[int(np.argmax(counts))]


def _without_capped_strangers(solution: Solution, obs: Observations, main: list[int]) -> Solution:
    """Drop terms the main group knows only as "<1" but that other groups read positively.

    Such a term sits across a gap no shared term bridges: placing it at half its cap
    would be off by orders of magnitude; it is reported as disconnected instead.
    """
    points = solution.points
    readable = set(points.term[~points.censored].tolist())
    outside = ~np.isin(obs.batch, np.asarray(main, dtype=np.int64)) & (obs.value >= 1)
    strangers = set(obs.term[outside].tolist()) - readable
    if not strangers:
        return solution
    keep = ~np.isin(points.term, np.asarray(sorted(strangers), dtype=np.int64))
    kept = PointEstimates(
        term=points.term[keep], point=points.point[keep], log_value=points.log_value[keep],
        log_se=points.log_se[keep], log_upper=points.log_upper[keep],
        censored=points.censored[keep], partial=points.partial[keep],
        n_batches=points.n_batches[keep],
    )  # fmt: skip
    return Solution(kept, solution.noise_log_sd, solution.batches, solution.noise)


def _smallest_terms(solution: Solution, obs: Observations) -> list[str]:
    """Placed terms from the quietest up: the natural partners for a crushed term."""
    points = solution.points
    level: dict[int, float] = {}
    for t, v, c in zip(
        points.term.tolist(), points.log_value.tolist(), points.censored.tolist(), strict=True
    ):
        if not c:
            level[t] = max(level.get(t, -math.inf), v)
    return [obs.term_names[t] for t in sorted(level, key=lambda t: (level[t], t))]


def _calibrate_group(
    obs: Observations,
    reference_term: str | None,
    extra_log_sd: float,
    geo: str = "",
    timeframe: str = "",
) -> tuple[pl.DataFrame, str, list[DisconnectedGroup], float]:
    """Calibrate one (geo, window) group: per-(term, point) estimates of its main component.

    The main component is the one holding the reference term, else the most terms. Other
    components are returned as ``DisconnectedGroup``s, with a request that would link them.
    """
    if np.isnan(obs.value).all():
        raise ConfigError("calibration: no batch has any data for this region and window")
    reference_idx: int | None = None
    if reference_term is not None:
        try:
            reference_idx = obs.term_names.index(reference_term)
        except ValueError:
            raise ConfigError(
                f"calibration: reference term {reference_term!r} is not in the batches"
            ) from None
        if not ((obs.term == reference_idx) & (obs.value >= 1)).any():
            raise ConfigError(f"calibration: reference term {reference_term!r} has no data")
    components = [c for c in link_components(obs) if _term_names_of(obs, c)]
    main = components[0]
    if reference_idx is not None:
        holding = [
            c for c in components
            if ((obs.term == reference_idx) & np.isin(obs.batch, c) & (obs.value >= 1)).any()
        ]  # fmt: skip
        main = holding[0]
    others = [c for c in components if c is not main]
    solution = solve_component(obs, main, reference_term=reference_idx, extra_log_sd=extra_log_sd)
    solution = _without_capped_strangers(solution, obs, main)
    placed = {obs.term_names[t] for t in set(solution.points.term.tolist())}
    smallest = _smallest_terms(solution, obs)
    disconnected = []
    reported: set[str] = set()
    for component in others:
        terms = [t for t in _term_names_of(obs, component) if t not in placed | reported]
        if not terms:
            continue
        reported.update(terms)
        lead = _largest_term(obs, component)
        link = (lead, *[t for t in smallest if t != lead][:4])
        disconnected.append(DisconnectedGroup(geo, timeframe, tuple(terms), link))
    points = solution.points
    if reference_idx is None:
        eligible = ~points.censored & ~points.partial
        if not eligible.any():
            eligible = ~points.censored
        reference_idx = int(points.term[np.argmax(np.where(eligible, points.log_value, -np.inf))])
    ref_rows = (points.term == reference_idx) & ~points.censored
    stable_ref = ref_rows & ~points.partial
    ref_rows = stable_ref if stable_ref.any() else ref_rows
    top = int(np.argmax(np.where(ref_rows, points.log_value, -np.inf)))
    norm = float(points.log_value[top])
    norm_se = float(points.log_se[top])
    se = np.sqrt(points.log_se**2 + norm_se**2)
    lower = np.where(points.censored, -np.inf, points.log_value - Z95 * se)
    upper = np.where(points.censored, points.log_upper, points.log_value + Z95 * se)
    upper = np.where(points.censored, points.log_upper + Z95 * norm_se, upper)
    result = pl.DataFrame(
        {
            "t": points.term,
            "p": points.point,
            "value": 100.0 * np.exp(points.log_value - norm),
            "value_low": 100.0 * np.exp(lower - norm),
            "value_high": 100.0 * np.exp(upper - norm),
            "rel_stderr": np.where(points.censored, np.nan, se),
            "is_partial": points.partial,
            "n_batches": points.n_batches.astype(np.int16),
            "bounds": np.where(points.censored, "censored", "ci95"),
        }
    ).with_columns(pl.col("rel_stderr").fill_nan(None))
    return result, obs.term_names[reference_idx], disconnected, solution.noise_log_sd


def _observations(
    frame: pl.DataFrame, batch_col: str, point_col: str
) -> tuple[Observations, list[object]]:
    """Code a group's rows as arrays; missing points of a term with data become "<1".

    Google sends a point under 1 either as ``formattedValue "<1"`` (value 0) or as
    ``hasData: false``; so a missing point in a request that has data is a censored value
    in [0, 1), even when the term is missing from the whole request (next to a giant it is
    "<1" everywhere; with no searches at all it is below every request's 1%, which is what
    its censored bounds then say). Only a request with no data at all tells nothing.
    """
    values = frame.get_column("value").cast(pl.Float64)
    has_data = (
        frame.get_column("has_data").fill_null(False)
        if "has_data" in frame.columns
        else values.is_not_null()
    )
    known = has_data & values.is_not_null()
    work = frame.select(
        pl.col(batch_col).cast(pl.String).alias("_b"),
        pl.col("term").cast(pl.String).alias("_t"),
        pl.col(point_col).alias("_p"),
        pl.when(known).then(values).otherwise(None).alias("_v"),
        (
            pl.col("is_partial").fill_null(False) if "is_partial" in frame.columns
            else pl.lit(False)
        ).alias("_partial"),
    ).with_columns(
        _v=pl.when(pl.col("_v").is_not_null().any().over("_b"))
        .then(pl.col("_v").fill_null(0.0))
        .otherwise(pl.col("_v"))
    )  # fmt: skip
    batch_names = work.get_column("_b").unique(maintain_order=True).to_list()
    term_names = work.get_column("_t").unique(maintain_order=True).to_list()
    point_names = work.get_column("_p").unique(maintain_order=True).to_list()
    batch_index = {name: i for i, name in enumerate(batch_names)}
    term_index = {name: i for i, name in enumerate(term_names)}
    point_index = {name: i for i, name in enumerate(point_names)}
    obs = Observations(
        batch=np.array([batch_index[b] for b in work["_b"].to_list()], dtype=np.int64),
        term=np.array([term_index[t] for t in work["_t"].to_list()], dtype=np.int64),
        point=np.array([point_index[p] for p in work["_p"].to_list()], dtype=np.int64),
        value=np.asarray(work["_v"].fill_null(np.nan).to_numpy(), dtype=np.float64),
        partial=np.asarray(work["_partial"].to_numpy(), dtype=bool),
        batch_names=[str(b) for b in batch_names],
        term_names=[str(t) for t in term_names],
        exact=np.zeros(work.height, dtype=bool),
    )
    return replace(obs, exact=exact_maxima(obs.batch, obs.value)), point_names


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


def calibrate_batches_detailed(
    frame: pl.DataFrame,
    *,
    batch_column: str = "request_key",
    reference_term: str | None = None,
    extra_log_sd: float = 0.0,
) -> CalibrationResult:
    """Calibrate interest-over-time batches onto one scale per (geo, timeframe).

    ``frame`` is the parsed long frame (``INTEREST_OVER_TIME_SCHEMA`` or any frame with
    ``batch_column, term, period_start, value`` and optionally ``geo, timeframe,
    is_below_one, has_data, is_partial``). ``extra_log_sd`` is a floor for the sampling
    noise beyond rounding, which is otherwise estimated from the data. Partial periods are
    calibrated but never used to link batches (they change between fetches). Terms that
    no batch links to the rest are reported in ``disconnected``, not guessed.
    """
    _validate_input(frame, [batch_column, "term", "period_start", "value"], "calibrate_batches")
    work = frame
    for column, default in (("geo", ""), ("timeframe", "")):
        if column not in work.columns:
            work = work.with_columns(pl.lit(default).alias(column))
    outputs = []
    disconnected: list[DisconnectedGroup] = []
    noise: dict[tuple[str, str], float] = {}
    for (geo, timeframe), group in work.group_by("geo", "timeframe", maintain_order=True):
        obs, points = _observations(group, batch_column, "period_start")
        result, ref_name, lost, sd = _calibrate_group(
            obs, reference_term, extra_log_sd, str(geo), str(timeframe)
        )
        disconnected.extend(lost)
        noise[(str(geo), str(timeframe))] = sd
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
        return CalibrationResult(pl.DataFrame(schema=CALIBRATED_SCHEMA))
    calibrated = (
        pl.concat(outputs).cast(CALIBRATED_SCHEMA).sort("geo", "timeframe", "term", "period_start")
    )
    return CalibrationResult(calibrated, tuple(disconnected), noise)


def calibrate_batches(
    frame: pl.DataFrame,
    *,
    batch_column: str = "request_key",
    reference_term: str | None = None,
    extra_log_sd: float = 0.0,
) -> pl.DataFrame:
    """``calibrate_batches_detailed`` that refuses to leave any term off the scale.

    Raises ``DisconnectedBatchesError`` naming the groups of terms that share no value
    and the request that would link them. Returns ``CALIBRATED_SCHEMA``.
    """
    result = calibrate_batches_detailed(
        frame, batch_column=batch_column, reference_term=reference_term,
        extra_log_sd=extra_log_sd,
    )  # fmt: skip
    if result.disconnected:
        main = sorted(set(result.frame.get_column("term").to_list()))
        groups = [main, *(sorted(g.terms) for g in result.disconnected)]
        listing = " | ".join(
            ", ".join(group[:8]) + (" ..." if len(group) > 8 else "") for group in groups
        )
        hints = "; ".join(g.describe() for g in result.disconnected)
        raise DisconnectedBatchesError(
            f"calibration: {len(groups)} groups of batches share no term, so they cannot "
            f"be put on one scale: {listing}. {hints}",
            groups,
        )
    return result.frame


def _region_input(frame: pl.DataFrame, batch_column: str, kind: str, what: str) -> pl.DataFrame:
    """Validated region-map rows of one ``value_kind``, with geo and window columns."""
    _validate_input(frame, [batch_column, "term", "region_code", "value"], what)
    work = frame
    if "value_kind" in work.columns:
        work = work.filter(pl.col("value_kind").cast(pl.String) == kind)
    work = work.filter(pl.col("region_code").is_not_null())
    for column in ("geo", "timeframe"):
        if column not in work.columns:
            work = work.with_columns(pl.lit("").alias(column))
    return work


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
    work = _region_input(frame, batch_column, "share_percent", "calibrate_region_shares")
    outputs = []
    for (geo, timeframe, region), group in work.group_by(
        "geo", "timeframe", "region_code", maintain_order=True
    ):
        if group.get_column("value").drop_nulls().is_empty():
            continue
        obs, _ = _observations(group, batch_column, "region_code")
        result, ref_name, _, _ = _calibrate_group(obs, reference_term, extra_log_sd)
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


REGION_LEVEL_SCHEMA = pl.Schema(
    {
        "term": pl.String(),
        "geo": pl.String(),
        "timeframe": pl.String(),
        "region_code": pl.String(),
        "level": pl.Float64(),
        "level_low": pl.Float64(),
        "level_high": pl.Float64(),
        "bounds": BOUNDS_KIND,
        "reported": pl.Int16(),
    }
)
"""``level``: the term's share of each region's searches, 100 = its top region."""


def _with_shared_rounding(result: pl.DataFrame, obs: Observations) -> pl.DataFrame:
    """Bounds of refetched maps that keep one reading's rounding error.

    Refetches of one map are the same request: where Google's noise is small next to the
    rounding step (readings of 1-5), they round alike, so their rounding errors do not
    average out as the joint solve assumes of independent readings. The part of one
    reading's rounding variance the solve averaged away, ``(1 - 1/k)`` of it for ``k``
    fetches, is added back (measured: 3 noisy fetches covered 0.92 of true levels
    without this).
    """
    fetches = len(set(obs.batch.tolist()))
    if fetches < 2:
        return result
    readings = pl.DataFrame({"p": obs.point, "v": obs.value}).drop_nans()
    typical = readings.group_by("p").agg(pl.col("v").median())
    _, rounding = log_observations(typical["v"].to_numpy().astype(np.float64))
    shared = pl.DataFrame(
        {"p": typical["p"], "_shared": rounding * (1.0 - 1.0 / fetches)},
        schema={"p": result.schema["p"], "_shared": pl.Float64()},
    )
    se = (pl.col("rel_stderr") ** 2 + pl.col("_shared").fill_null(0.0)).sqrt()
    readable = (pl.col("bounds") == "ci95") & pl.col("rel_stderr").is_not_null()
    return (
        result.join(shared, on="p", how="left")
        .with_columns(
            value_low=pl.when(readable)
            .then(pl.col("value") * (-Z95 * se).exp())
            .otherwise(pl.col("value_low")),
            value_high=pl.when(readable)
            .then(pl.col("value") * (Z95 * se).exp())
            .otherwise(pl.col("value_high")),
            rel_stderr=pl.when(readable).then(se).otherwise(pl.col("rel_stderr")),
        )
        .drop("_shared")
    )


def calibrate_region_index(
    frame: pl.DataFrame,
    *,
    batch_column: str = "request_key",
    noise_floor: Mapping[tuple[str, str], float] | None = None,
) -> pl.DataFrame:
    """Levels across regions from Google's one-term maps (``value_kind == 'index'``).

    Google scales each term's map to its top region (100), each region's value being the
    term's share of that region's searches: levels compare across regions as they are,
    up to rounding. Each reading is its interval, "<1" (or ``hasData: false``) censored,
    and several maps of one term and window (refetches) are solved together, so a quiet
    province gets an honest 95% interval instead of a bare 0.

    One map cannot show its own sampling noise (it has nothing to disagree with), so its
    bounds would cover rounding only. ``noise_floor`` gives, per ``(geo, timeframe)``, the
    sampling noise (log sd) Google showed on that geo and window's interest-over-time
    batches (``CalibrationResult.noise``); it is the floor of every map's noise there.
    """
    work = _region_input(frame, batch_column, "index", "calibrate_region_index")
    groups = [
        (key, *_observations(group, batch_column, "region_code"), group)
        for key, group in work.group_by("geo", "timeframe", "term", maintain_order=True)
        if not group.get_column("value").drop_nulls().is_empty()
    ]
    # Google samples every map of one geo and window alike: one term's refetches give a
    # few degrees of freedom, so its noise is pooled over all terms of the window and
    # used as the floor of each term's own estimate
    pooled: dict[tuple[object, object], list[float]] = {}
    for (geo, timeframe, _), obs, _, _ in groups:
        if len(set(obs.batch.tolist())) > 1:
            pooled.setdefault((geo, timeframe), []).append(_calibrate_group(obs, None, 0.0)[3])
    floor = {key: math.sqrt(float(np.mean(np.square(v)))) for key, v in pooled.items()}
    for key, sd in (noise_floor or {}).items():
        floor[key] = max(floor.get(key, 0.0), float(sd))
    outputs = []
    for (geo, timeframe, term), obs, regions, group in groups:
        result, _, _, _ = _calibrate_group(obs, None, floor.get((geo, timeframe), 0.0))
        result = _with_shared_rounding(result, obs)
        reported = group.group_by("region_code").agg(pl.col("value").max().alias("reported"))
        outputs.append(
            result.with_columns(
                region_code=pl.col("p").replace_strict(
                    list(range(len(regions))), regions, return_dtype=pl.String
                ),
                term=pl.lit(term, dtype=pl.String),
                geo=pl.lit(geo, dtype=pl.String),
                timeframe=pl.lit(timeframe, dtype=pl.String),
            )
            .join(reported, on="region_code", how="left")
            .select(
                "term", "geo", "timeframe", "region_code",
                pl.col("value").alias("level"), pl.col("value_low").alias("level_low"),
                pl.col("value_high").alias("level_high"), "bounds",
                pl.col("reported").cast(pl.Int16),
            )
        )  # fmt: skip
    if not outputs:
        return pl.DataFrame(schema=REGION_LEVEL_SCHEMA)
    return (
        pl.concat(outputs).cast(REGION_LEVEL_SCHEMA).sort("geo", "timeframe", "term", "region_code")
    )
