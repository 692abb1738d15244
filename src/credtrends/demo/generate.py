"""Deterministic synthetic data for every topic and region (pure: no I/O).

The numbers are invented; they only have to look like the real sources so every page can be
exercised. Each series draws its noise from its own generator seeded by (seed, series), and
draws week by week from a fixed start date, so a later end date only appends weeks: the
same seed gives the same values for every period two runs share.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import polars as pl

from credtrends.catalogue import Catalogue, Topic
from credtrends.demo import DEMO_SOURCE
from credtrends.transforms.calibration import calibrate_region_index

DEMO_START = date(2020, 1, 5)  # a Sunday: Google Trends weeks start on Sunday
SCALE_METHOD = "synthetic-ground-truth"

# Rough population shares, so national figures and counts have plausible proportions.
POPULATION_SHARE = {
    "CA-ON": 0.388, "CA-QC": 0.222, "CA-BC": 0.136, "CA-AB": 0.117, "CA-MB": 0.036,
    "CA-SK": 0.030, "CA-NS": 0.026, "CA-NB": 0.021, "CA-NL": 0.013, "CA-PE": 0.004,
    "CA-NT": 0.0011, "CA-YT": 0.0011, "CA-NU": 0.001,
}  # fmt: skip

# Yearly growth of invented interest for a few topics, to give the demo risers and fallers.
TREND_HINTS = {
    "data-science": 0.16, "python": 0.12, "cybersecurity": 0.14,
    "cybersecurity-certifications": 0.18, "google-certification": 0.22, "mental-health": 0.08,
    "digital-marketing": 0.05, "data": 0.07, "leadership": 0.02, "csm": -0.04,
    "writing": -0.05, "smart-serve": 0.01, "law": -0.02,
}  # fmt: skip


# Relative search volume of broad subjects versus narrow credentials (invented, plausible).
LEVEL_HINTS = {
    "health": 3.0, "business": 2.5, "education": 2.2, "finance": 2.0, "law": 1.8,
    "marketing": 1.6, "construction": 1.6, "cpr": 1.4, "healthcare": 1.3, "data": 1.3,
    "python": 1.2, "food-handler": 1.0, "accounting": 1.0, "leadership": 0.8,
    "smart-serve": 0.6, "whmis": 0.5, "payroll": 0.45, "csm": 0.2, "bls": 0.35,
}  # fmt: skip


@dataclass(frozen=True)
class DemoData:
    search_interest: pl.DataFrame
    portal_topic_counts: pl.DataFrame
    labour_market_observations: pl.DataFrame
    related_queries: pl.DataFrame
    region_levels: pl.DataFrame


def last_sunday(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _rng(seed: int, *key: str) -> np.random.Generator:
    digest = hashlib.sha256("|".join((str(seed), *key)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _weeks(end: date) -> list[date]:
    count = (last_sunday(end) - DEMO_START).days // 7 + 1
    return [DEMO_START + timedelta(weeks=i) for i in range(count)]


def _seasonality(topic: Topic, weeks: list[date]) -> np.ndarray:
    """Yearly pattern by category: courses peak in January and September, safety and
    service training before the summer hiring season, everything dips at Christmas."""
    day_of_year = np.array([w.timetuple().tm_yday for w in weeks], dtype=float)
    angle = 2 * math.pi * day_of_year / 365.25
    if topic.category == "compliance":
        pattern = 0.18 * np.cos(angle - 2 * math.pi * 130 / 365.25)
    else:
        pattern = 0.10 * np.cos(2 * (angle - 2 * math.pi * 15 / 365.25)) + 0.06 * np.cos(
            angle - 2 * math.pi * 20 / 365.25
        )
    distance = np.abs(day_of_year - 360)
    distance = np.minimum(distance, 365.25 - distance)  # circular: Jan 1 is near Dec 26
    christmas = np.exp(-(distance**2) / (2 * 6.0**2))
    return np.asarray(np.exp(pattern - 0.5 * christmas))


def _pandemic_shock(topic: Topic, weeks: list[date]) -> np.ndarray:
    """Hospitality training collapsed in spring 2020 when bars and restaurants closed."""
    if topic.id not in {"smart-serve", "food-handler", "food-safety"}:
        return np.ones(len(weeks))
    t = np.array([(w - date(2020, 3, 15)).days / 7 for w in weeks], dtype=float)
    return np.asarray(1 - 0.55 * np.exp(-np.clip(t, 0, None) / 14) * (t >= 0))


def _topic_regions(topic: Topic, catalogue: Catalogue) -> list[str]:
    provinces = [r.code for r in catalogue.regions if r.level != "country"]
    national = [r.code for r in catalogue.regions if r.level == "country"]
    return national + (list(topic.regions) if topic.regions else provinces)


def _province_interest(
    seed: int, topic: Topic, region: str, weeks: list[date], base: np.ndarray
) -> np.ndarray:
    rng = _rng(seed, "interest", topic.id, region)
    affinity = math.exp(rng.normal(0.0, 0.25))
    noise = np.exp(
        rng.normal(0.0, 0.07 + 0.25 * (1 - POPULATION_SHARE.get(region, 0.01)) ** 8, len(weeks))
    )
    return np.asarray(base * affinity * noise)


def generate_search_interest(
    catalogue: Catalogue, seed: int, end: date, fetched_at: datetime, run_id: str
) -> pl.DataFrame:
    """Weekly interest per topic and region: trend x season x noise.

    ``raw_value`` imitates Google (each series scaled to its own maximum, integer-rounded,
    "<1" as 0); ``calibrated_value`` puts all topics of a region on one scale (100 = the
    highest week of any topic there), which the generator knows exactly.
    """
    weeks = _weeks(end)
    years = np.array([(w - DEMO_START).days / 365.25 for w in weeks])
    series: list[tuple[str, str, np.ndarray]] = []
    for topic in catalogue.topics:
        rng = _rng(seed, "topic", topic.id)
        level = LEVEL_HINTS.get(topic.id, 1.0) * math.exp(rng.normal(0.0, 0.35))
        growth = TREND_HINTS.get(topic.id, float(rng.normal(0.0, 0.04)))
        base = (
            level
            * np.exp(growth * years)
            * _seasonality(topic, weeks)
            * _pandemic_shock(topic, weeks)
        )
        regions = _topic_regions(topic, catalogue)
        provinces = {
            r: _province_interest(seed, topic, r, weeks, base) for r in regions if r != "CA"
        }
        weights = np.array([POPULATION_SHARE.get(r, 0.01) for r in provinces])
        national = (
            sum(w * v for w, v in zip(weights, provinces.values(), strict=True)) / weights.sum()
        )
        series.append((topic.id, "CA", np.asarray(national)))
        series.extend((topic.id, region, values) for region, values in provinces.items())

    region_peak: dict[str, float] = {}
    for _, region, values in series:
        region_peak[region] = max(region_peak.get(region, 0.0), float(values.max()))

    frames = []
    for topic_id, region, values in series:
        own_max = float(values.max())
        raw = np.rint(100 * values / own_max)
        scale = 100 / region_peak[region]
        half_step = 0.5 * own_max / 100 * scale
        calibrated = values * scale
        frames.append(
            pl.DataFrame(
                {
                    "topic_id": topic_id,
                    "region_code": region,
                    "period_start": weeks,
                    "raw_value": raw,
                    "is_below_one": raw < 1,
                    "calibrated_value": calibrated,
                    "calibrated_low": np.clip(calibrated - half_step, 0, None),
                    "calibrated_high": calibrated + half_step,
                }
            )
        )
    last_week = weeks[-1]
    return pl.concat(frames).with_columns(
        granularity=pl.lit("week"),
        source=pl.lit(DEMO_SOURCE),
        scale_method=pl.lit(SCALE_METHOD),
        is_partial=pl.col("period_start") == last_week,
        backend=pl.lit(DEMO_SOURCE),
        request_key=pl.lit(None, dtype=pl.String),
        fetched_at=pl.lit(fetched_at),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(True),
    )


def _month_starts(end: date) -> list[date]:
    months = []
    current = date(DEMO_START.year, DEMO_START.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _aggregate_national(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    national = (
        frame.group_by(keys).agg(pl.col("value").sum()).with_columns(region_code=pl.lit("CA"))
    )
    return pl.concat([frame, national.select(frame.columns)])


def generate_portal_counts(
    catalogue: Catalogue, interest: pl.DataFrame, seed: int, fetched_at: datetime, run_id: str
) -> pl.DataFrame:
    """Monthly programs on offer and portal searches per topic and province.

    Supply follows demand with a lag and far less variation, which is what makes a
    demand-versus-supply view interesting.
    """
    monthly = (
        interest.filter(pl.col("region_code") != "CA")
        .with_columns(period_start=pl.col("period_start").dt.truncate("1mo"))
        .group_by("topic_id", "region_code", "period_start")
        .agg(demand=pl.col("calibrated_value").mean())
        .sort("topic_id", "region_code", "period_start")
    )
    rows = []
    for (topic_id, region), group in monthly.group_by(
        "topic_id", "region_code", maintain_order=True
    ):
        rng = _rng(seed, "portal", str(topic_id), str(region))
        share = POPULATION_SHARE.get(str(region), 0.01)
        demand = group["demand"].to_numpy()
        lagged = (
            np.concatenate([np.full(6, demand[:6].mean()), demand[:-6]])
            if len(demand) > 6
            else demand
        )
        programs = rng.poisson(
            np.clip(lagged, 0.05, None) * share * 6 * math.exp(rng.normal(0, 0.4))
        )
        searches = rng.poisson(np.clip(demand, 0.05, None) * share * 120)
        for measure, values in (("programs_offered", programs), ("portal_searches", searches)):
            rows.append(
                pl.DataFrame(
                    {
                        "topic_id": str(topic_id),
                        "region_code": str(region),
                        "measure": measure,
                        "period_start": group["period_start"],
                        "value": values.astype(float),
                    }
                )
            )
    frame = _aggregate_national(pl.concat(rows), ["topic_id", "measure", "period_start"])
    return frame.sort("topic_id", "region_code", "measure", "period_start").with_columns(
        granularity=pl.lit("month"),
        rank=pl.lit(None, dtype=pl.Int64),
        source=pl.lit(DEMO_SOURCE),
        fetched_at=pl.lit(fetched_at),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(True),
    )


def generate_labour_market(
    catalogue: Catalogue, seed: int, end: date, fetched_at: datetime, run_id: str
) -> pl.DataFrame:
    """Quarterly job vacancies and monthly job postings per linked occupation and province.

    Small cells are suppressed as Statistics Canada does (value null, status "x"), never 0.
    """
    nocs = sorted({o.noc for t in catalogue.topics for o in t.occupations})
    months = _month_starts(end)
    quarters = [m for m in months if m.month in (1, 4, 7, 10)]
    provinces = [r.code for r in catalogue.regions if r.level != "country"]
    frames = []
    for noc in nocs:
        size = math.exp(_rng(seed, "noc", noc).normal(7.0, 0.8))
        for region in provinces:
            rng = _rng(seed, "labour", noc, region)
            share = POPULATION_SHARE.get(region, 0.01)
            for measure, periods, factor in (
                ("job_vacancies", quarters, 1.0),
                ("job_postings", months, 0.25),
            ):
                t = np.arange(len(periods), dtype=float) / (4 if measure == "job_vacancies" else 12)
                cycle = 1 + 0.25 * np.sin(2 * math.pi * (t - 1.6) / 5)
                expected = size * share * factor * cycle * np.exp(rng.normal(0, 0.12, len(periods)))
                values = np.rint(expected)
                suppressed = values < 15
                frames.append(
                    pl.DataFrame(
                        {
                            "noc_code": noc,
                            "region_code": region,
                            "measure": measure,
                            "granularity": "quarter" if measure == "job_vacancies" else "month",
                            "period_start": periods,
                            "value": np.where(suppressed, np.nan, values),
                            "status": np.where(suppressed, "x", np.where(values < 60, "E", "A")),
                        }
                    ).with_columns(pl.col("value").fill_nan(None))
                )
    frame = pl.concat(frames)
    # Canada-wide cells add up the published provinces; all suppressed stays suppressed.
    national = (
        frame.group_by("noc_code", "measure", "granularity", "period_start")
        .agg(
            value=pl.when(pl.col("value").count() > 0).then(pl.col("value").sum()),
            status=pl.when(pl.col("value").null_count() > 0)
            .then(pl.lit("E"))
            .otherwise(pl.lit("A")),
        )
        .with_columns(
            region_code=pl.lit("CA"),
            status=pl.when(pl.col("value").is_null()).then(pl.lit("x")).otherwise(pl.col("status")),
        )
    )
    combined = pl.concat([frame, national.select(frame.columns)])
    return combined.sort("noc_code", "region_code", "measure", "period_start").with_columns(
        uom=pl.lit("Number"),
        source=pl.lit(DEMO_SOURCE),
        fetched_at=pl.lit(fetched_at),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(True),
    )


RELATED_TIMEFRAME = "today 12-m"
"""The window the demo's related queries pretend to answer (Google's default view)."""

# Shapes of plausible related searches; {term} is a topic's search term, {place} the region.
RELATED_SHAPES: dict[str, tuple[str, ...]] = {
    "top": (
        "{term}", "{term} {place}", "{term} online", "{term} cost", "{term} course",
        "{term} exam", "{term} near me", "{term} training", "{other}", "{other} {place}",
    ),
    "rising": (
        "{term} online free", "{term} {place} cost", "how long is {term}", "{term} requirements",
        "{term} exam {place}", "is {term} worth it", "{other} online", "{term} practice test",
        "cheap {term}", "{term} renewal",
    ),
}  # fmt: skip
RELATED_COUNTS = {"top": 5, "rising": 4}
BREAKOUT_SHARE = 0.2


def _related_texts(topic: Topic, place: str, kind: str, exclude: list[str]) -> list[str]:
    """Distinct lowercase query texts of one list, for a topic in a region.

    Chosen by topic and region only, never by seed or end date: re-running the demo with
    another seed changes values and ranks but upserts onto the same rows.
    """
    term = topic.search_terms[0]
    other = topic.search_terms[1] if len(topic.search_terms) > 1 else f"{term} certificate"
    shapes = RELATED_SHAPES[kind]
    order = _rng(0, "related-texts", topic.id, place, kind).permutation(len(shapes))
    texts = dict.fromkeys(
        shapes[i].format(term=term, other=other, place=place).casefold() for i in order
    )
    return [text for text in texts if text not in exclude][: RELATED_COUNTS[kind]]


def generate_related_queries(
    catalogue: Catalogue, seed: int, fetched_at: datetime, run_id: str
) -> pl.DataFrame:
    """Top and rising related queries per topic and region, as Google lists them.

    Top values fall from 100 (the most searched related query); rising values are growth
    in percent, and about one rising query in five is a "Breakout" (above 5000%).
    """
    names = {region.code: region.name_en.casefold() for region in catalogue.regions}
    rows: dict[str, list[object]] = {
        name: [] for name in ("topic_id", "region_code", "kind", "rank", "query", "value")
    }
    breakouts: list[bool] = []
    for topic in catalogue.topics:
        for region in _topic_regions(topic, catalogue):
            rng = _rng(seed, "related", topic.id, region)
            place = names.get(region, region.casefold())
            top = _related_texts(topic, place, "top", [])
            rising = _related_texts(topic, place, "rising", top)
            top_values = [100, *sorted(rng.integers(5, 96, len(top) - 1).tolist(), reverse=True)]
            flags = (rng.random(len(rising)) < BREAKOUT_SHARE).tolist()
            growth = rng.integers(40, 4500, len(rising)).tolist()
            burst = rng.integers(5000, 25000, len(rising)).tolist()
            rising_values = [b if f else g for f, g, b in zip(flags, growth, burst, strict=True)]
            # Google ranks rising queries by growth, breakouts first.
            order = sorted(range(len(rising)), key=lambda i: -rising_values[i])
            lists = (
                ("top", top, top_values, [False] * len(top)),
                (
                    "rising",
                    [rising[i] for i in order],
                    [rising_values[i] for i in order],
                    [flags[i] for i in order],
                ),
            )
            for kind, texts, values, kind_flags in lists:
                for rank, (text, value, flag) in enumerate(
                    zip(texts, values, kind_flags, strict=True), start=1
                ):
                    rows["topic_id"].append(topic.id)
                    rows["region_code"].append(region)
                    rows["kind"].append(kind)
                    rows["rank"].append(rank)
                    rows["query"].append(text)
                    rows["value"].append(int(value))
                    breakouts.append(bool(flag))
    schema = {
        "topic_id": pl.String, "region_code": pl.String, "kind": pl.String,
        "rank": pl.Int16, "query": pl.String, "value": pl.Int64,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema).with_columns(
        timeframe=pl.lit(RELATED_TIMEFRAME),
        is_breakout=pl.Series(breakouts, dtype=pl.Boolean),
        backend=pl.lit(DEMO_SOURCE),
        request_key=pl.lit(None, dtype=pl.String),
        source=pl.lit(DEMO_SOURCE),
        fetched_at=pl.lit(fetched_at),
        run_id=pl.lit(run_id),
        is_synthetic=pl.lit(True),
    )


def generate_region_levels(
    catalogue: Catalogue, seed: int, fetched_at: datetime, run_id: str
) -> pl.DataFrame:
    """Each topic's province map as Google would draw it (share of each province's searches,
    100 = the top province, rounded, "<1" for the quietest), then levels and 95% intervals
    by the same transform as real maps."""
    provinces = [r.code for r in catalogue.regions if r.level != "country"]
    rows: dict[str, list[object]] = {"request_key": [], "term": [], "region_code": [], "value": []}
    for topic in catalogue.topics:
        rng = _rng(seed, "region-map", topic.id)
        shares = np.exp(rng.normal(0.0, 0.5, len(provinces)))
        # small territories: few searches, so Google often shows them as "<1" or no data
        shares *= np.array(
            [0.01 if code in {"CA-NU", "CA-NT", "CA-YT"} else 1.0 for code in provinces]
        )
        scaled = 100.0 * shares / shares.max()
        for code, value in zip(provinces, scaled, strict=True):
            rows["request_key"].append(f"demo-map-{topic.id}")
            rows["term"].append(topic.id)
            rows["region_code"].append(code)
            rows["value"].append(math.floor(value + 0.5))
    answers = pl.DataFrame(rows).with_columns(pl.col("value").cast(pl.Int16), geo=pl.lit("CA"))
    levels = calibrate_region_index(answers.with_columns(timeframe=pl.lit(RELATED_TIMEFRAME)))
    return levels.select(
        pl.col("term").alias("topic_id"), "region_code", pl.col("geo").alias("parent_geo"),
        "timeframe", "level", "level_low", "level_high", pl.col("bounds").cast(pl.String),
        "reported",
        backend=pl.lit(DEMO_SOURCE), request_key=pl.lit("demo-map") + pl.col("term"),
        source=pl.lit(DEMO_SOURCE), fetched_at=pl.lit(fetched_at), run_id=pl.lit(run_id),
        is_synthetic=pl.lit(True),
    )  # fmt: skip


def generate_demo_data(catalogue: Catalogue, seed: int, end: date, run_id: str) -> DemoData:
    """All synthetic facts up to the week of ``end``; deterministic for (seed, end)."""
    fetched_at = datetime.combine(last_sunday(end), time(0, 0), tzinfo=UTC)
    interest = generate_search_interest(catalogue, seed, end, fetched_at, run_id)
    return DemoData(
        search_interest=interest,
        portal_topic_counts=generate_portal_counts(catalogue, interest, seed, fetched_at, run_id),
        labour_market_observations=generate_labour_market(catalogue, seed, end, fetched_at, run_id),
        related_queries=generate_related_queries(catalogue, seed, fetched_at, run_id),
        region_levels=generate_region_levels(catalogue, seed, fetched_at, run_id),
    )
