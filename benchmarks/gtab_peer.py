"""gtab (West 2020's anchor bank, the real ``gtab`` package) as the peer for calibration.

Two checks, both offline:

* ``run_gtab_on_simulator``: the real ``gtab.GTAB`` builds an anchor bank from the
  catalogue's own terms and calibrates every term with ``new_query``, but its pytrends
  client is replaced by one that answers from ``SimulatedGoogle`` in exactly pytrends'
  frame shape. So gtab's accuracy, bounds and request count are measured on the same
  simulated Google, and with the same scale-free error measure
  (``errors_against_truth``), as credtrends.
* ``check_gtab_real_frames``: the real 5-term Google frames shipped in the gtab wheel are
  calibrated by credtrends and its cross-batch ratios compared with gtab's anchor banks
  built from the same frames (plus gtab's pairwise queries).

Run: ``nice python benchmarks/gtab_peer.py`` (SYNTHETIC simulator figures, labelled so).
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import math
import pickle
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from unittest import mock

import gtab
import gtab.core
import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs: gtab hands us pandas
import polars as pl
from polars_values import number
from pytrends.request import TrendReq

from credtrends.sources.google_trends.pytrends_backend import MULTILINE_URL
from credtrends.testing.trends_simulator import (
    SYNTHETIC_LABEL,
    SimulatedGoogle,
    log_uniform_truth,
)
from credtrends.transforms.calibration import calibrate_batches_detailed

FloatArray = npt.NDArray[np.float64]
CandidateOrder = Literal["catalogue", "volume"]
AnswerFn = Callable[[list[str]], Any]
"""Terms -> a pandas frame shaped like pytrends' ``interest_over_time()``."""

GTAB_DIR = Path(gtab.__file__).parent
THRESH_OFFLINE = 10
"""gtab's default: a term whose maximum in a group is under 10 counts as "bad"."""
MAX_ANCHORS = 60
"""Anchors sampled for the bank (gtab's shipped banks use 50): enough for 0.1-decade steps
over 5 orders; more only adds requests."""


# ----------------------------------------------------------------- simulated pytrends


def pytrends_frame(sim: SimulatedGoogle, terms: Sequence[str], request_key: str) -> Any:
    """One simulated answer as pytrends' ``interest_over_time()`` returns it.

    A ``date`` index (datetime64), one int64 column per keyword in the order asked, and a
    boolean ``isPartial`` column; "<1" and ``hasData: false`` points are 0, as pytrends
    reads Google's ``value`` list.
    """
    long = sim.answer_frame(list(terms), request_key)
    wide = (
        long.select("term", "period_start", pl.col("value").fill_null(0).cast(pl.Int64))
        .pivot(on="term", index="period_start", values="value")
        .sort("period_start")
    )
    index = pd.DatetimeIndex(pd.to_datetime(wide.get_column("period_start").to_list()))
    index.name = "date"
    frame = pd.DataFrame(index=index)
    for term in terms:
        frame.insert(len(frame.columns), term, np.asarray(wide.get_column(term), dtype=np.int64))
    frame["isPartial"] = False
    return frame


def _simulator_answer(sim: SimulatedGoogle) -> AnswerFn:
    """Answers from ``sim``, one request key per request (gtab-0, gtab-1, ...)."""
    counter = iter(range(1 << 62))

    def answer(terms: list[str]) -> Any:
        return pytrends_frame(sim, terms, f"gtab-{next(counter)}")

    return answer


def _multiline_json(sim: SimulatedGoogle, terms: Sequence[str], **_: Any) -> Any:
    """The simulator's widgetdata/multiline answer, decoded as pytrends does (trim 5)."""
    keywords = [{"complexKeywordsRestriction": {"keyword": [{"value": t}]}} for t in terms]
    response = sim("GET", MULTILINE_URL, {"req": json.dumps({"comparisonItem": keywords})})
    return json.loads(response.body.decode()[5:])


def check_pytrends_shape(n_terms: int = 5) -> None:
    """Fail unless ``pytrends_frame`` equals pytrends' own parse of the simulator's JSON.

    pytrends' ``interest_over_time`` is run on ``SimulatedGoogle``'s HTTP multiline answer
    (pytrends' fetch replaced by the simulator's transport), for both encodings of "<1".
    """
    for encoding in ("has_data", "formatted"):
        truth = log_uniform_truth(n_terms, n_points=260, orders=4.0, seed=0)
        sim = SimulatedGoogle(truth, encoding=encoding)
        terms = list(truth)
        client = object.__new__(TrendReq)  # no __init__: it would fetch a Google cookie
        client.kw_list = terms
        client.tz = 360
        client.interest_over_time_widget = {"request": {}, "token": "sim"}
        client._get_data = functools.partial(_multiline_json, sim, terms)
        pd.testing.assert_frame_equal(
            client.interest_over_time(), pytrends_frame(sim, terms, "shape"), check_freq=False
        )


class SimulatedTrendReq:
    """Stands in for ``pytrends.request.TrendReq``: the two calls gtab makes, no network."""

    def __init__(self, answer: AnswerFn) -> None:
        self._answer = answer
        self.kw_list: list[str] = []
        self.requests = 0

    def build_payload(
        self,
        kw_list: Sequence[str],
        cat: int | str = 0,
        timeframe: str = "today 5-y",
        geo: str = "",
        gprop: str = "",
    ) -> None:
        if len(kw_list) > 5:
            raise ValueError("Google Trends compares at most 5 terms")
        self.kw_list = list(kw_list)

    def interest_over_time(self) -> Any:
        self.requests += 1
        return self._answer(list(self.kw_list))


# ----------------------------------------------------------------------- gtab runner


@dataclass(frozen=True)
class GtabRun:
    """What gtab produced on one catalogue."""

    calibrated: pl.DataFrame
    """term, period_start, value, value_low, value_high (gtab's max_ratio scale)."""
    failed: tuple[str, ...]
    """Terms gtab could not calibrate (``new_query`` gave None or -1)."""
    anchor_bank: pl.DataFrame
    """google_query, max_ratio, max_ratio_lo, max_ratio_hi."""
    requests: int
    bank_requests: int
    wall_seconds: float
    error: str | None
    """Why gtab produced no anchor bank at all (then every term is in ``failed``)."""


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """gtab prints every step and draws tqdm bars; keep the benchmark's output readable."""
    sink = io.StringIO()
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


CALIBRATED_COLUMNS = pl.Schema(
    {
        "term": pl.String(),
        "period_start": pl.Date(),
        "value": pl.Float64(),
        "value_low": pl.Float64(),
        "value_high": pl.Float64(),
    }
)


BANK_COLUMNS = pl.Schema(
    {
        "google_query": pl.String(),
        "max_ratio": pl.Float64(),
        "max_ratio_lo": pl.Float64(),
        "max_ratio_hi": pl.Float64(),
    }
)


def _ts_to_rows(term: str, ts: Any) -> pl.DataFrame:
    days = [stamp.date() for stamp in pd.DatetimeIndex(ts.index)]
    return pl.DataFrame(
        {
            "term": [term] * len(days),
            "period_start": days,
            "value": np.asarray(ts["max_ratio"], dtype=np.float64),
            "value_low": np.asarray(ts["max_ratio_lo"], dtype=np.float64),
            "value_high": np.asarray(ts["max_ratio_hi"], dtype=np.float64),
        },
        schema=CALIBRATED_COLUMNS,
    )


def run_gtab_on_simulator(
    truth: Mapping[str, FloatArray],
    make_answer: AnswerFn | SimulatedGoogle | None = None,
    workdir: Path | None = None,
    *,
    num_anchors: int | None = None,
    candidate_order: CandidateOrder = "catalogue",
    seed: int = 42,
) -> GtabRun:
    """Build gtab's anchor bank from the catalogue's own terms, then ``new_query`` each term.

    ``make_answer`` answers a request (default: ``SimulatedGoogle(truth)``); ``workdir``
    gets gtab's directory tree in ``workdir/gtab`` (default: a temporary one; it must not
    hold an earlier run, or gtab reuses that bank). The catalogue order is the
    candidate order, as a user would hand gtab a list: gtab queries sliding groups of 5
    consecutive candidates and drops the ones under 10 in their groups.
    ``candidate_order="volume"`` sorts the candidates by true mean volume, largest first
    (an oracle order no user has, the best case for gtab's sliding groups). Every term
    is then calibrated in catalogue order.
    """
    terms = list(truth)
    candidates = (
        sorted(terms, key=lambda term: -float(np.mean(truth[term])))
        if candidate_order == "volume"
        else terms
    )
    if make_answer is None:
        make_answer = SimulatedGoogle(truth)
    answer = (
        _simulator_answer(make_answer) if isinstance(make_answer, SimulatedGoogle) else make_answer
    )
    fake = SimulatedTrendReq(answer)
    n_anchors = min(len(terms), num_anchors or MAX_ANCHORS)
    if n_anchors < 5:
        raise ValueError("gtab needs at least 5 anchor candidates (it queries groups of 5)")
    with contextlib.ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(_quiet())
        # gtab builds a TrendReq in __init__ and again in every set_options (pytrends'
        # constructor fetches a Google cookie): make every one of them the simulator.
        stack.enter_context(mock.patch.object(gtab.core, "TrendReq", lambda **_: fake))
        started = time.perf_counter()
        t = gtab.GTAB(dir_path=str(root / "gtab"))
        t.ANCHOR_CANDIDATES = candidates
        # Google/Facebook/... are not in a simulated catalogue. set_hitraffic only edits
        # CONFIG; _get_google_results reads the attribute copied in __init__.
        t.set_hitraffic([])
        t.HITRAFFIC = []
        t.set_blacklist([])
        t.set_options(
            pytrends_config={"geo": "", "timeframe": "2021-01-03 2025-12-28", "cat": "0"},
            gtab_config={
                "num_anchor_candidates": len(terms),
                "num_anchors": n_anchors,
                "seed": seed,
                "sleep": 0.0,
                "thresh_offline": THRESH_OFFLINE,
            },
        )
        rows: list[pl.DataFrame] = []
        failed: list[str] = []
        try:
            t.create_anchorbank()
        except (KeyError, ValueError) as exc:
            # A disconnected pair graph leaves NaN ratios; gtab then fails to pick its
            # reference anchor (KeyError: nan). Report it as gtab's outcome.
            wall = time.perf_counter() - started
            return GtabRun(
                pl.DataFrame(schema=CALIBRATED_COLUMNS),
                tuple(terms),
                pl.DataFrame(schema=BANK_COLUMNS),
                fake.requests,
                fake.requests,
                wall,
                f"create_anchorbank failed: {type(exc).__name__}: {exc}",
            )
        bank_requests = fake.requests
        t.set_active_gtab(f"google_anchorbank_{t._make_file_suffix()}.tsv")
        for term in terms:
            ts = t.new_query(term)
            if isinstance(ts, pd.DataFrame):
                rows.append(_ts_to_rows(term, ts))
            else:
                failed.append(term)
        wall = time.perf_counter() - started
        bank = pl.DataFrame(
            {
                "google_query": [str(q) for q in t.anchor_bank_full.index],
                "max_ratio": np.asarray(t.anchor_bank, dtype=np.float64),
                "max_ratio_lo": np.asarray(t.anchor_bank_lo, dtype=np.float64),
                "max_ratio_hi": np.asarray(t.anchor_bank_hi, dtype=np.float64),
            },
            schema=BANK_COLUMNS,
        )
    calibrated = pl.concat(rows) if rows else pl.DataFrame(schema=CALIBRATED_COLUMNS)
    return GtabRun(calibrated, tuple(failed), bank, fake.requests, bank_requests, wall, None)


# ---------------------------------------------------------------------- error measure


def _quantile(values: FloatArray, q: float) -> float:
    return float(np.quantile(values, q)) if values.size else math.nan


ERROR_KEYS = (
    "n_terms",
    "n_terms_calibrated",
    "n_points",
    "factor",
    "point_median",
    "point_p95",
    "point_max",
    "level_median",
    "level_p95",
    "level_max",
    "coverage",
    "bounded_share",
)


def errors_against_truth(
    calibrated: pl.DataFrame,
    truth: Mapping[str, FloatArray],
    periods: Sequence[date],
) -> dict[str, float]:
    """Scale-free level errors of any calibration against the simulator's truth.

    ``calibrated`` has ``term, period_start, value`` and optionally ``value_low,
    value_high``. Every value and bound is divided by one common factor, the median of
    calibrated/true over all points with a positive value, so only relative levels count.
    ``point_*``: |value - true| / true per point; ``level_*``: the same for each term's
    mean over its points; ``coverage``: share of bounded points whose [low, high] holds
    the truth (``bounded_share`` of the points carry bounds). Terms missing from
    ``calibrated`` are counted in ``n_terms_calibrated``, not in the errors.
    """
    truth_long = pl.DataFrame(
        {
            "term": [term for term in truth for _ in periods],
            "period_start": [day for _ in truth for day in periods],
            "true": np.concatenate([np.asarray(truth[t], dtype=np.float64) for t in truth]),
        },
        schema={"term": pl.String(), "period_start": pl.Date(), "true": pl.Float64()},
    )
    cols = [c for c in ("value_low", "value_high") if c in calibrated.columns]
    joined = truth_long.join(
        calibrated.select("term", "period_start", "value", *cols).cast(
            {"value": pl.Float64, **{c: pl.Float64 for c in cols}}
        ),
        on=["term", "period_start"],
        how="inner",
    ).filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    if joined.is_empty():
        return {key: math.nan for key in ERROR_KEYS} | {
            "n_terms": float(len(truth)),
            "n_terms_calibrated": 0.0,
            "n_points": 0.0,
            "bounded_share": 0.0,
        }
    ratio = (joined["value"] / joined["true"]).to_numpy()
    factor = float(np.median(ratio[ratio > 0]))
    scaled = joined.with_columns(
        pl.col("value") / factor, *[pl.col(c) / factor for c in cols]
    ).with_columns(rel=(pl.col("value") - pl.col("true")).abs() / pl.col("true"))
    levels = scaled.group_by("term").agg(
        rel=(pl.col("value").mean() - pl.col("true").mean()).abs() / pl.col("true").mean()
    )
    point_err = scaled["rel"].to_numpy()
    level_err = levels["rel"].to_numpy()
    out = {
        "n_terms": float(len(truth)),
        "n_terms_calibrated": float(levels.height),
        "n_points": float(scaled.height),
        "factor": factor,
        "point_median": _quantile(point_err, 0.5),
        "point_p95": _quantile(point_err, 0.95),
        "point_max": float(point_err.max()),
        "level_median": _quantile(level_err, 0.5),
        "level_p95": _quantile(level_err, 0.95),
        "level_max": float(level_err.max()),
        "coverage": math.nan,
        "bounded_share": 0.0,
    }
    if len(cols) == 2:
        bounded = scaled.filter(
            pl.col("value_low").is_not_null() & pl.col("value_high").is_not_null()
        )
        inside = (bounded["value_low"] <= bounded["true"]) & (
            bounded["true"] <= bounded["value_high"]
        )
        out["bounded_share"] = bounded.height / scaled.height
        out["coverage"] = number(inside.mean()) if bounded.height else math.nan
    return out


# ------------------------------------------------------------------ gtab's real frames


def _real_frame_sets() -> list[tuple[str, Path, Path]]:
    """(suffix, google_results pickle, anchor bank) for every set that has both."""
    found = []
    results_dir = GTAB_DIR / "data" / "internal" / "google_results"
    for pickle_path in sorted(results_dir.glob("google_results_*.pkl")):
        suffix = pickle_path.stem.removeprefix("google_results_")
        bank = GTAB_DIR / "output" / "google_anchorbanks" / f"google_anchorbank_{suffix}.tsv"
        if bank.exists():
            found.append((suffix, pickle_path, bank))
    return found


def _frames_to_batches(frames: Mapping[Any, Any], prefix: str) -> pl.DataFrame:
    """gtab's stored Google answers (pandas, one column per keyword) as batch rows."""
    parts = []
    for frame_id, frame in frames.items():
        partial = (
            np.asarray(frame["isPartial"], dtype=bool)
            if "isPartial" in frame.columns
            else np.zeros(len(frame), dtype=bool)
        )
        days = [stamp.date() for stamp in pd.DatetimeIndex(frame.index)]
        for column in frame.columns:
            if column == "isPartial":
                continue
            parts.append(
                pl.DataFrame(
                    {
                        "request_key": f"{prefix}#{frame_id}",
                        "term": str(column),
                        "period_start": days,
                        "value": np.asarray(frame[column], dtype=np.int64),
                        "is_partial": partial,
                    },
                    schema={
                        "request_key": pl.String(),
                        "term": pl.String(),
                        "period_start": pl.Date(),
                        "value": pl.Int16(),
                        "is_partial": pl.Boolean(),
                    },
                )
            )
    return pl.concat(parts)


def _read_bank(path: Path) -> pl.DataFrame:
    bank = pd.read_csv(path, sep="\t", comment="#")
    return pl.DataFrame(
        {
            "term": [str(q) for q in bank["google_query"]],
            "max_ratio": np.asarray(bank["max_ratio"], dtype=np.float64),
            "max_ratio_lo": np.asarray(bank["max_ratio_lo"], dtype=np.float64),
            "max_ratio_hi": np.asarray(bank["max_ratio_hi"], dtype=np.float64),
        }
    )


def _gtab_frame_ratios(
    frames: Mapping[Any, Any], bank: pl.DataFrame, reference: str
) -> tuple[float, float]:
    """gtab's own method on the same frames, against its own bank: the attainable yardstick.

    gtab builds its bank in two stages: ratios of maxima over these 5-term frames (its
    ``W0``, shortest log-error paths), then fresh pairwise queries along the chosen chain,
    whose rounding alone gives the bank's lo/hi. Running gtab's first stage on the frames
    shows how far Google's sampling between requests moves the same ratios: the share of
    gtab's own frame ratios inside its bank's lo/hi and their median relative difference.
    """
    core = gtab.GTAB.__new__(gtab.GTAB)
    core.CONFIG = {"GTAB": {"thresh_offline": THRESH_OFFLINE}}
    core._print_and_log = lambda *args, **kwargs: None
    core._error_flag = False
    clean = {
        k: v.drop(columns=[c for c in v.columns if c == "isPartial"]) for k, v in frames.items()
    }
    with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w0, _, _ = core._infer_all_ratios(core._compute_max_ratios(clean))
    inside, diffs = [], []
    ref_ratio = float(bank.filter(pl.col("term") == reference)["max_ratio"][0])
    for row in bank.iter_rows(named=True):
        term = row["term"]
        if term == reference or term not in w0.index or reference not in w0.index:
            continue
        ratio = float(w0.loc[reference, term])
        inside.append(row["max_ratio_lo"] / ref_ratio <= ratio <= row["max_ratio_hi"] / ref_ratio)
        diffs.append(abs(ratio / (row["max_ratio"] / ref_ratio) - 1.0))
    if not inside:
        return math.nan, math.nan
    return float(np.mean(inside)), float(np.median(diffs))


def _direct_pair_ratios(frames: Mapping[Any, Any], bank: pl.DataFrame) -> list[float]:
    """Relative gap between the bank's ratio of adjacent bank terms and the same ratio read
    directly in a shipped frame holding both (both maxima >= 10, as gtab links them).

    Large gaps mean Google sampled the frames and the bank's pairwise queries differently,
    beyond the rounding that gtab's lo/hi cover: no method fed these frames can then land
    inside them."""
    ratio = dict(zip(bank["term"].to_list(), bank["max_ratio"].to_list(), strict=True))
    terms = bank["term"].to_list()
    gaps = []
    for upper, lower in itertools.pairwise(terms):
        for frame in frames.values():
            maxima = {str(c): float(frame[c].max()) for c in frame.columns if c != "isPartial"}
            if maxima.get(upper, 0) >= THRESH_OFFLINE and maxima.get(lower, 0) >= THRESH_OFFLINE:
                direct = maxima[lower] / maxima[upper]
                gaps.append(abs(direct / (ratio[lower] / ratio[upper]) - 1))
    return gaps


def _describe_gaps(gaps: Sequence[float]) -> str:
    if not gaps:
        return "none co-occur"
    return f"{len(gaps)} readings, median gap {np.median(gaps):.1%}, max {max(gaps):.1%}"


def check_gtab_real_frames(
    *, include_pairs: bool = False, pairs_only: bool = False
) -> list[dict[str, Any]]:
    """credtrends' cross-batch ratios on gtab's real Google frames, against gtab's banks.

    For each bank term, credtrends' ratio max(term) / max(reference) is compared with the
    bank's ``max_ratio`` (the reference is the bank's term with ratio 1; if credtrends
    could not place it, both are renormalised to the common term closest to it). Only
    terms both place are compared; the reference itself is left out (trivially 1).
    gtab's bank ratios come from its pairwise queries (``google_pairs``), not from these
    frames, so the default is an independent cross-check; ``include_pairs`` also feeds
    credtrends those pairwise frames (the same data gtab used); ``pairs_only`` gives
    credtrends nothing but those pairs, exactly the requests gtab's bank is built from:
    where credtrends' whole-series ratios still fall outside the bank's lo/hi, Google's
    sampling inside one request moves a series' maximum beyond the rounding those bounds
    cover (gtab reads each ratio off one point, the maximum).
    """
    out: list[dict[str, Any]] = []
    for suffix, pickle_path, bank_path in _real_frame_sets():
        with pickle_path.open("rb") as handle:
            frames = pickle.load(handle)  # noqa: S301 - gtab's own shipped data
        batches = _frames_to_batches(frames, suffix)
        pairs_path = pickle_path.parents[1] / "google_pairs" / f"google_pairs_{suffix}.pkl"
        if (include_pairs or pairs_only) and pairs_path.exists():
            with pairs_path.open("rb") as handle:
                pairs = pickle.load(handle)  # noqa: S301 - gtab's own shipped data
            paired = _frames_to_batches(pairs, f"{suffix}-pairs")
            batches = paired if pairs_only else pl.concat([batches, paired])
        started = time.perf_counter()
        result = calibrate_batches_detailed(batches)
        seconds = time.perf_counter() - started
        maxima = result.frame.group_by("term").agg(ct_max=pl.col("value").max())
        bank = _read_bank(bank_path)
        both = bank.join(maxima, on="term", how="inner")
        bank_ref = bank.filter(pl.col("max_ratio") == 1.0)["term"][0]
        ref = (
            bank_ref
            if bank_ref in both["term"].to_list()
            else both.sort(pl.col("max_ratio").log().abs())["term"][0]
        )
        ref_row = both.filter(pl.col("term") == ref).row(0, named=True)
        compared = both.filter(pl.col("term") != ref).with_columns(
            ct_ratio=pl.col("ct_max") / ref_row["ct_max"],
            gtab_ratio=pl.col("max_ratio") / ref_row["max_ratio"],
            lo=pl.col("max_ratio_lo") / ref_row["max_ratio"],
            hi=pl.col("max_ratio_hi") / ref_row["max_ratio"],
        )
        inside = (compared["ct_ratio"] >= compared["lo"]) & (compared["ct_ratio"] <= compared["hi"])
        diff = (compared["ct_ratio"] - compared["gtab_ratio"]).abs() / compared["gtab_ratio"]
        row = {
            "set": suffix,
            "frames": len(frames),
            "bank_terms": bank.height,
            "compared": compared.height,
            "reference": ref,
            "inside_share": number(inside.mean()),
            "median_abs_rel_diff": number(diff.median()),
            "max_abs_rel_diff": number(diff.max()),
            "disconnected_terms": len({t for g in result.disconnected for t in g.terms}),
            "terms": batches["term"].n_unique(),
            "bank_terms_missing": sorted(set(bank["term"]) - set(both["term"])),
            "seconds": seconds,
            "direct_pair_gaps": _direct_pair_ratios(frames, bank),
        }
        row["gtab_frames_inside"], row["gtab_frames_median_diff"] = _gtab_frame_ratios(
            frames, bank, ref
        )
        out.append(row)
        print(
            f"real frames {suffix}: {row['frames']} frames, {row['compared']}/"
            f"{row['bank_terms'] - 1} bank terms compared (ref {ref}), inside gtab lo/hi "
            f"{row['inside_share']:.1%}, median |diff| {row['median_abs_rel_diff']:.2%}, "
            f"max {row['max_abs_rel_diff']:.2%}, disconnected {row['disconnected_terms']}/"
            f"{row['terms']} terms"
            f"{' (gtab pairs only)' if pairs_only else ' (+ gtab pairs)' if include_pairs else ''}"
            f", {seconds:.1f}s"
            f" | gtab's own frame ratios (W0) on the same frames: inside "
            f"{row['gtab_frames_inside']:.1%}, median |diff| {row['gtab_frames_median_diff']:.2%}"
            f" | frames vs bank, adjacent bank pairs read directly: "
            f"{_describe_gaps(row['direct_pair_gaps'])}",
            flush=True,
        )
    return out


# ------------------------------------------------------------------------------ main


def gtab_on_catalogue(
    n_terms: int, orders: float, seed: int, candidate_order: CandidateOrder = "catalogue"
) -> dict[str, float]:
    """gtab on one simulated catalogue (``log_uniform_truth``, 260 weekly points)."""
    truth = log_uniform_truth(n_terms, n_points=260, orders=orders, seed=seed)
    sim = SimulatedGoogle(truth)
    run = run_gtab_on_simulator(truth, sim, candidate_order=candidate_order)
    figures = errors_against_truth(run.calibrated, truth, sim.periods)
    figures.update(
        requests=float(run.requests),
        bank_requests=float(run.bank_requests),
        bank_size=float(run.anchor_bank.height),
        failed=float(len(run.failed)),
        wall_seconds=run.wall_seconds,
        bank_failed=float(run.error is not None),
    )
    return figures


def _print_catalogue(
    n_terms: int, orders: float, seed: int, order: CandidateOrder, f: Mapping[str, float]
) -> None:
    print(
        f"gtab {n_terms} terms/{orders:g} orders seed {seed} {order} order: calibrated "
        f"{f['n_terms_calibrated']:.0f}/{n_terms} | level err median {f['level_median']:.2%} "
        f"p95 {f['level_p95']:.2%} max {f['level_max']:.2%} | point err median "
        f"{f['point_median']:.2%} p95 {f['point_p95']:.2%} max {f['point_max']:.2%} | "
        f"coverage {f['coverage']:.1%} | requests {f['requests']:.0f} "
        f"(bank {f['bank_requests']:.0f}, {f['bank_size']:.0f} anchors) | "
        f"{f['wall_seconds']:.1f}s"
        + (" | gtab built no anchor bank (disconnected pairs)" if f["bank_failed"] else ""),
        flush=True,
    )


def main() -> None:
    print("== gtab's real Google frames, calibrated by credtrends vs gtab's banks ==")
    check_gtab_real_frames()
    print(
        f"== gtab on the simulator ({SYNTHETIC_LABEL}); candidates in catalogue order, "
        "or sorted by true volume (oracle, gtab's best case) =="
    )
    check_pytrends_shape()
    print("simulated pytrends frames: identical to pytrends' own parse (both encodings)")
    for n_terms, orders in ((30, 4.0), (200, 5.0)):
        for seed in range(3):
            order: CandidateOrder
            for order in ("catalogue", "volume"):
                figures = gtab_on_catalogue(n_terms, orders, seed, order)
                _print_catalogue(n_terms, orders, seed, order, figures)


if __name__ == "__main__":
    main()
