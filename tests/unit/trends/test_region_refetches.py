"""Province maps fetched more than once (SYNTHETIC): refetches are the same request, so
they round alike, and their joint bounds must keep one reading's rounding error."""

from __future__ import annotations

import numpy as np
import polars as pl

from credtrends.testing.trends_simulator import SimulatedGoogle
from credtrends.transforms.calibration import calibrate_region_index
from tests.helpers import number

PROVINCES = ("CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-MB", "CA-SK", "CA-NS", "CA-NB", "CA-NL",
             "CA-PE", "CA-NT", "CA-YT", "CA-NU")  # fmt: skip
WINDOW = "2021-01-03 2021-10-03"


def refetched_maps(seed: int, fetches: int, noise: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``fetches`` noisy maps of 20 terms over 2.5 decades of shares, and the true levels."""
    rng = np.random.default_rng(seed)
    terms = [f"term {i}" for i in range(20)]
    shares = {t: dict(zip(PROVINCES, 10 ** rng.uniform(-2.5, 0, 13), strict=True)) for t in terms}
    rows = []
    for fetch in range(fetches):
        sim = SimulatedGoogle(
            {t: np.ones(3) for t in terms}, regions=shares, noise_log_sd=noise,
            seed=seed * 100 + fetch,
        )  # fmt: skip
        for term in terms:
            answer = sim._geo_map(term)["default"]
            assert isinstance(answer, dict)
            for region in answer["geoMapData"]:
                rows.append(
                    (f"{term}#{fetch}", term, region["geoCode"], region["value"][0],
                     bool(region["hasData"][0]))
                )  # fmt: skip
    frame = pl.DataFrame(
        rows, schema=["request_key", "term", "region_code", "value", "has_data"], orient="row"
    ).with_columns(geo=pl.lit("CA"), timeframe=pl.lit(WINDOW))
    truth = pl.DataFrame(
        [(t, r, 100 * v / max(shares[t].values())) for t in terms for r, v in shares[t].items()],
        schema=["term", "region_code", "true_level"], orient="row",
    )  # fmt: skip
    return frame, truth


def coverage(levels: pl.DataFrame, truth: pl.DataFrame) -> float:
    joined = levels.join(truth, on=["term", "region_code"])
    inside = (joined["level_low"] <= joined["true_level"]) & (
        joined["true_level"] <= joined["level_high"]
    )
    return number(inside.mean() or 0.0)


def test_refetched_maps_keep_one_readings_rounding_in_their_bounds() -> None:
    covered = []
    for seed in range(3):
        frame, truth = refetched_maps(seed, fetches=3, noise=0.05)
        levels = calibrate_region_index(frame, noise_floor={("CA", WINDOW): 0.05})
        covered.append(coverage(levels, truth))
        # quiet provinces read 1-3 in every fetch: their bounds stay as wide as one
        # reading's rounding, never narrowed by the count of identical requests
        quiet = levels.filter((pl.col("reported") == 1) & (pl.col("bounds") == "ci95"))
        assert (quiet["level_high"] / quiet["level_low"] >= 2.5).all()
    assert min(covered) >= 0.95


def test_a_single_map_is_unchanged_by_the_refetch_rule() -> None:
    frame, truth = refetched_maps(5, fetches=1, noise=0.0)
    levels = calibrate_region_index(frame)
    assert coverage(levels, truth) >= 0.95
    assert number(levels.filter(pl.col("bounds") == "ci95")["level_low"].min()) > 0
