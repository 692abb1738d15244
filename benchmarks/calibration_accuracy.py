"""Calibration accuracy on a simulator of Google's normalisation (SYNTHETIC), side by side.

For each catalogue (30 terms over 4 decades, 200 terms over 5), seed and encoding of "<1"
(``formattedValue "<1"`` or ``hasData: false``), it runs:

* **credtrends**: the product's planning rounds (probe, chain, repairs) answered by the
  simulator, then the joint solve; "first run" means exactly one call of the rounds;
* **single anchor**: the naive plan (one anchor shared by every request) and ratios to it;
* **gtab** (West 2020) when the ``bench`` extra is installed: its own anchor bank and
  binary search against the same simulator (``benchmarks/gtab_peer.py``), with the
  catalogue as a user would list it and, as its best case, sorted by the true volume.

Errors are relative to the truth on the calibrated scale (100 = the reference term's true
maximum): per point, and per term for the mean level; coverage is the share of points
whose truth lies inside the reported 95% bounds. Then gtab's real Google frames (in its
wheel) are calibrated by credtrends and compared with gtab's own anchor bank.

Run: ``.venv/bin/python benchmarks/calibration_accuracy.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from credtrends.sources.google_trends.parse import parse_region_default
from credtrends.sources.google_trends.request import Operation, TrendsRequest
from credtrends.testing.trends_simulator import Encoding, SimulatedGoogle, log_uniform_truth
from credtrends.transforms.calibration import calibrate_batches_detailed, calibrate_region_index
from credtrends.transforms.calibration_plan import run_rounds

sys.path.insert(0, str(Path(__file__).resolve().parent))
from polars_values import number

if TYPE_CHECKING:
    from gtab_peer import CandidateOrder

WEEKS = 260


@dataclass(frozen=True)
class Score:
    method: str
    requests: int
    calibrated_share: float
    point_median: float
    point_p95: float
    point_max: float
    level_median: float
    level_p95: float
    level_max: float
    coverage: float | None
    seconds: float


def score(
    method: str,
    estimates: pl.DataFrame,
    sim: SimulatedGoogle,
    reference: str,
    requests: int,
    seconds: float,
) -> Score:
    """Compare ``term, period_start, value[, value_low, value_high]`` with the truth."""
    top = float(np.max(sim.truth[reference]))
    days = sim.periods
    truth = pl.DataFrame(
        {
            "term": [t for t in sim.truth for _ in days],
            "period_start": [d for _ in sim.truth for d in days],
            "true": np.concatenate([100.0 * np.asarray(v) / top for v in sim.truth.values()]),
        }
    )
    joined = estimates.join(truth, on=["term", "period_start"])
    err = (joined["value"] / joined["true"] - 1).abs()
    levels = joined.group_by("term").agg(
        (pl.col("value").mean() / pl.col("true").mean() - 1).abs().alias("e")
    )["e"]
    coverage = None
    if "value_low" in joined.columns:
        inside = (joined["value_low"] <= joined["true"] * (1 + 1e-9)) & (
            joined["true"] <= joined["value_high"] * (1 + 1e-9)
        )
        coverage = number(inside.mean() or 0.0)
    return Score(
        method, requests, joined["term"].n_unique() / len(sim.truth),
        number(err.median() or 0), number(err.quantile(0.95) or 0), number(err.max() or 0),
        number(levels.median() or 0), number(levels.quantile(0.95) or 0), number(levels.max() or 0),
        coverage, seconds,
    )  # fmt: skip


def run_credtrends(sim: SimulatedGoogle) -> Score:
    keys = count()

    def fetch(batches: Sequence[tuple[str, ...]], stage: str) -> pl.DataFrame:
        return pl.concat([sim.answer_frame(list(b), f"{stage}-{next(keys):05d}") for b in batches])

    start = time.perf_counter()
    outcome = run_rounds(list(sim.truth), fetch)
    result = calibrate_batches_detailed(outcome.observed)
    seconds = time.perf_counter() - start
    reference = str(result.frame["reference_term"][0])
    return score("credtrends", result.frame, sim, reference, sim.requests, seconds)


def run_single_anchor(sim: SimulatedGoogle) -> Score:
    """One anchor (the catalogue's first term) in every request; value = ratio to it."""
    start = time.perf_counter()
    terms = list(sim.truth)
    anchor, others = terms[0], terms[1:]
    rows = []
    for i in range(0, len(others), 4):
        frame = sim.answer_frame([anchor, *others[i : i + 4]], f"a{i}")
        values = frame.with_columns(pl.col("value").fill_null(0).cast(pl.Float64))
        anchor_v = values.filter(pl.col("term") == anchor).select("period_start", a="value")
        rows.append(
            values.join(anchor_v, on="period_start")
            .with_columns(value=pl.col("value") / pl.col("a").clip(lower_bound=0.5))
            .select("term", "period_start", "value")
        )
    frame = pl.concat(rows).group_by("term", "period_start").agg(pl.col("value").mean())
    reference = max(terms, key=lambda t: float(np.max(sim.truth[t])))
    ref_max = frame.filter(pl.col("term") == reference)["value"].max()
    scale = 100.0 / number(ref_max) if ref_max else 1.0
    frame = frame.with_columns(pl.col("value") * scale)
    return score("single anchor", frame, sim, reference, sim.requests, time.perf_counter() - start)


def run_gtab(sim: SimulatedGoogle, order: CandidateOrder) -> Score | None:
    """gtab 0.8 itself against the simulator; its scale put at 100 = the reference's max."""
    try:
        import gtab_peer
    except ImportError:
        return None
    run = gtab_peer.run_gtab_on_simulator(sim.truth, sim, candidate_order=order)
    frame = run.calibrated
    if frame.is_empty():
        nan = float("nan")
        return Score(f"gtab ({order} order)", run.requests, 0.0, nan, nan, nan, nan, nan, nan,
                     None, run.wall_seconds)  # fmt: skip
    placed = set(frame["term"].to_list())
    reference = max(placed, key=lambda t: float(np.max(sim.truth[t])))
    top = frame.filter(pl.col("term") == reference)["value"].max()
    scale = 100.0 / number(top) if top else 1.0
    frame = frame.with_columns(pl.col("value", "value_low", "value_high") * scale)
    return score(f"gtab ({order} order)", frame, sim, reference, run.requests, run.wall_seconds)


PROVINCES = ("CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-MB", "CA-SK", "CA-NS", "CA-NB", "CA-NL",
             "CA-PE", "CA-NT", "CA-YT", "CA-NU")  # fmt: skip


def series_noise(terms: Sequence[str], encoding: Encoding, noise: float, seed: int) -> float:
    """The sampling noise credtrends estimates from the same terms' interest over time in the
    same geo and window (planning rounds and solve, as ``ingest trends`` runs them before
    the maps): the floor ``ingest trends`` gives each one-term map."""
    truth = log_uniform_truth(len(terms), 52, 2.5, seed + 7)
    sim = SimulatedGoogle(
        dict(zip(terms, truth.values(), strict=True)), encoding=encoding, noise_log_sd=noise,
        seed=seed + 7,
    )  # fmt: skip
    keys = count()

    def fetch(batches: Sequence[tuple[str, ...]], stage: str) -> pl.DataFrame:
        return pl.concat([sim.answer_frame(list(b), f"{stage}-{next(keys):05d}") for b in batches])

    result = calibrate_batches_detailed(run_rounds(list(terms), fetch).observed)
    return max((result.noise_log_sd or {}).values(), default=0.0)


def province_levels(
    seed: int, encoding: Encoding, noise: float, refetches: int, *, series_floor: bool = False
) -> tuple[float, float, float, int]:
    """30 terms' one-term province maps (SYNTHETIC shares over 2.5 decades), fetched
    ``refetches`` times with sampling noise, through the real parser and
    ``calibrate_region_index`` (with ``series_floor``, given the noise the same terms' time
    series showed, as ``ingest trends`` does): level error median / p95 (readable levels)
    and the share of truths inside the 95% bounds (all levels, "<1" ones too)."""
    rng = np.random.default_rng(seed)
    terms = [f"term {i}" for i in range(30)]
    shares = {
        term: dict(zip(PROVINCES, 10 ** rng.uniform(-2.5, 0.0, len(PROVINCES)), strict=True))
        for term in terms
    }
    frames = []
    for fetch in range(refetches):
        sim = SimulatedGoogle(
            {t: np.ones(4) for t in terms}, regions=shares, encoding=encoding,
            noise_log_sd=noise, seed=seed * 100 + fetch,
        )  # fmt: skip
        for term in terms:
            request = TrendsRequest(
                operation=Operation.INTEREST_BY_REGION, terms=(term,), geo="CA",
                timeframe="2021-01-03 2021-10-03",
            )  # fmt: skip
            answer = sim._geo_map(term)["default"]
            assert isinstance(answer, dict)
            frame = parse_region_default(
                answer,
                terms=[term], request=request, backend="simulator", resolution="REGION",
                value_kind="index", what="map",
            )  # fmt: skip
            frames.append(frame.with_columns(request_key=pl.lit(f"{term}#{fetch}")))
    floor = {("CA", "2021-01-03 2021-10-03"): series_noise(terms, encoding, noise, seed)}
    levels = calibrate_region_index(pl.concat(frames), noise_floor=floor if series_floor else None)
    truth = pl.DataFrame(
        [(t, r, v / max(shares[t].values()) * 100) for t in terms for r, v in shares[t].items()],
        schema=["term", "region_code", "true_level"], orient="row",
    )  # fmt: skip
    scored = levels.join(truth, on=["term", "region_code"], how="inner")
    inside = (scored["true_level"] >= scored["level_low"]) & (
        scored["true_level"] <= scored["level_high"]
    )
    readable = scored.filter(pl.col("bounds") == "ci95")
    error = ((readable["level"] - readable["true_level"]).abs() / readable["true_level"]).to_numpy()
    return (
        float(np.median(error)),
        float(np.quantile(error, 0.95)),
        number(inside.mean()),
        (scored.height),
    )


def daily_history(seed: int, *, big_neighbour: bool) -> tuple[float, float, float, int]:
    """Four years of daily data from windows of 269 days overlapping by 89 (Google gives
    daily values only under ~9 months): each window planned in rounds, then all windows
    solved together, as ``ingest trends`` does.

    Returns (median point error, drift between the first and last 90 days, coverage,
    windows). With ``big_neighbour``, every window also holds a term 10x larger.
    """
    rng = np.random.default_rng(seed)
    days = 4 * 365 + 1
    t = np.arange(days)
    term = 50.0 * np.exp(
        0.3 * np.sin(2 * np.pi * t / 365.25 + rng.uniform(0, 6))
        + 0.1 * np.sin(2 * np.pi * t / 7)
        + 0.1 * rng.standard_normal(days)
    )
    truth = {"term": term}
    if big_neighbour:
        truth["big"] = 10 * 50.0 * np.exp(0.2 * rng.standard_normal(days))
    start = date(2021, 1, 1)
    frames = []
    windows = 0
    for first in range(0, days - 89, 180):
        last = min(first + 269, days)
        piece = {k: v[first:last] for k, v in truth.items()}
        sim = SimulatedGoogle(piece, start=start + timedelta(days=first), step_days=1)

        def fetch(
            batches: Sequence[tuple[str, ...]], stage: str, sim: SimulatedGoogle = sim
        ) -> pl.DataFrame:
            return pl.concat([sim.answer_frame(list(b), f"{stage}{b}") for b in batches])

        outcome = run_rounds(list(piece), fetch)
        frames.append(
            outcome.observed.with_columns(request_key=f"w{first:04d}-" + pl.col("request_key"))
        )
        windows += 1
        if last == days:
            break
    result = calibrate_batches_detailed(pl.concat(frames)).frame
    ref = str(result["reference_term"][0])
    top = float(np.max(truth[ref][: len(result.filter(pl.col("term") == ref))]))
    series = result.filter(pl.col("term") == "term").sort("period_start")
    true = 100.0 * term[: series.height] / top
    ratio = series["value"].to_numpy() / true
    drift = abs(float(np.mean(ratio[-90:]) / np.mean(ratio[:90])) - 1)
    inside = (series["value_low"].to_numpy() <= true) & (true <= series["value_high"].to_numpy())
    return float(np.median(np.abs(ratio - 1))), drift, float(inside.mean()), windows


def print_table(title: str, scores: list[Score]) -> None:
    print(f"\n## {title}")
    print(
        "| method | requests | calibrated | point median | p95 | max | level median | p95 "
        "| max | in 95% bounds | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in scores:
        cov = "-" if s.coverage is None else f"{s.coverage:.3f}"
        print(
            f"| {s.method} | {s.requests} | {s.calibrated_share:.0%} | {s.point_median:.2%} "
            f"| {s.point_p95:.2%} | {s.point_max:.2%} | {s.level_median:.2%} "
            f"| {s.level_p95:.2%} | {s.level_max:.2%} | {cov} | {s.seconds:.1f} |"
        )


def summary(label: str, runs: dict[str, list[Score]]) -> None:
    print(f"\n## Summary: {label} (worst over seeds and encodings)")
    for method, scores in runs.items():
        cov = [s.coverage for s in scores if s.coverage is not None]
        print(
            f"- {method}: calibrated {min(s.calibrated_share for s in scores):.0%}, "
            f"point median <= {max(s.point_median for s in scores):.2%}, "
            f"p95 <= {max(s.point_p95 for s in scores):.2%}, "
            f"max <= {max(s.point_max for s in scores):.2%}; "
            f"level median <= {max(s.level_median for s in scores):.2%}, "
            f"p95 <= {max(s.level_p95 for s in scores):.2%}, "
            f"max <= {max(s.level_max for s in scores):.2%}; "
            + (f"coverage >= {min(cov):.3f}; " if cov else "")
            + f"requests {min(s.requests for s in scores)}-{max(s.requests for s in scores)}"
        )
    for method in runs:
        if method.startswith("gtab"):
            ratio = np.mean([s.requests for s in runs["credtrends"]]) / np.mean(
                [s.requests for s in runs[method]]
            )
            print(f"- requests, credtrends / {method}: x{ratio:.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, no gtab")
    parser.add_argument("--no-gtab", action="store_true")
    parser.add_argument("--noise", type=float, default=0.0, help="sampling noise (log sd)")
    args = parser.parse_args(argv)
    seeds = [0] if args.quick else [0, 1, 2]
    encodings: list[Encoding] = ["has_data", "formatted"]
    peers: list[Callable[[SimulatedGoogle], Score | None]] = [run_single_anchor]
    if not (args.quick or args.no_gtab):
        peers.append(lambda sim: run_gtab(sim, "catalogue"))
        peers.append(lambda sim: run_gtab(sim, "volume"))
    for n_terms, orders in ((30, 4.0), (200, 5.0)):
        runs: dict[str, list[Score]] = {}
        for seed in seeds:
            truth = log_uniform_truth(n_terms, WEEKS, orders, seed)
            for encoding in encodings:
                scores = []

                def sim(
                    truth: dict[str, np.ndarray] = truth, enc: Encoding = encoding, seed: int = seed
                ) -> SimulatedGoogle:
                    return SimulatedGoogle(truth, encoding=enc, noise_log_sd=args.noise, seed=seed)

                scores.append(run_credtrends(sim()))
                for peer in peers:
                    peer_score = peer(sim())
                    if peer_score is not None:
                        scores.append(peer_score)
                for s in scores:
                    runs.setdefault(s.method, []).append(s)
                print_table(
                    f"{n_terms} terms over {orders:.0f} decades, seed {seed}, '<1' as {encoding}"
                    + (f", sampling noise {args.noise}" if args.noise else ""),
                    scores,
                )
        summary(f"{n_terms} terms over {orders:.0f} decades", runs)
    print("\n## Long daily history: 4 years from overlapping daily windows (3 seeds)")
    print("| neighbour | windows | median point error | drift first/last 90 days | in 95% bounds |")
    print("|---|---|---|---|---|")
    for big in (False, True):
        results = [daily_history(seed, big_neighbour=big) for seed in seeds]
        label = "a term 10x larger in every window" if big else "alone"
        print(
            f"| {label} | {results[0][3]} | {max(r[0] for r in results):.2%} "
            f"| {max(r[1] for r in results):.2%} | {min(r[2] for r in results):.3f} |"
        )
    print("\n## Provinces with known volumes: one-term region maps (SYNTHETIC, 3 seeds)")
    print("| '<1' as | sampling noise | fetches of each map | noise floor | levels "
          "| level error median | p95 | in 95% bounds |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    noisy = args.noise or 0.05
    cases = ((0.0, 1, True), (noisy, 1, False), (noisy, 1, True), (noisy, 3, False),
             (noisy, 3, True), (0.1, 1, True))  # fmt: skip
    for encoding in ("has_data", "formatted"):
        for noise, refetches, floor in cases:
            results = [
                province_levels(seed, encoding, noise, refetches, series_floor=floor)
                for seed in seeds
            ]
            floor_text = "from the time series" if floor else "none"
            print(
                f"| {encoding} | {noise:g} | {refetches} | {floor_text} | {results[0][3]} | "
                f"{max(r[0] for r in results):.2%} | {max(r[1] for r in results):.2%} | "
                f"{min(r[2] for r in results):.3f} |"
            )
    try:
        import gtab_peer
    except ImportError:
        print("\n(gtab not installed: pip install '.[bench]' for the gtab comparisons)")
        return
    print("\n## gtab's real Google frames, calibrated by credtrends, against gtab's anchor bank")
    gtab_peer.check_gtab_real_frames()
    print("\n## The same, credtrends given only gtab's pairwise queries (the bank's own data)")
    gtab_peer.check_gtab_real_frames(pairs_only=True)


if __name__ == "__main__":
    main()
