"""Interest by province as comparable levels with 95% intervals (SYNTHETIC answers), on
SQLite and PostgreSQL, through the real pytrends backend and parser."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_caching import Cache

from credtrends.catalogue import Catalogue
from credtrends.config import Settings
from credtrends.demo.load import load_demo
from credtrends.pipelines.trends import fetch_trends, topic_queries
from credtrends.sources.google_trends import PacingPolicy, PoliteFetcher
from credtrends.sources.google_trends.pytrends_backend import PytrendsBackend
from credtrends.testing.trends_simulator import Encoding, SimulatedGoogle
from credtrends.transforms.calibration import calibrate_region_index
from credtrends.warehouse.schema import region_levels
from credtrends.web.data import DashboardData, cache_config
from credtrends.web.i18n import Translator
from credtrends.web.pages import regions

PROVINCES = ["CA-ON", "CA-QC", "CA-BC", "CA-AB", "CA-MB", "CA-SK", "CA-NS", "CA-NB", "CA-NL",
             "CA-PE", "CA-YT", "CA-NT", "CA-NU"]  # fmt: skip


def province_shares(seed: int, topics: list[str]) -> dict[str, dict[str, float]]:
    """Known shares per province, over two decades (territories quietest)."""
    rng = np.random.default_rng(seed)
    return {topic: {p: float(10 ** rng.uniform(-2.5, 0.0)) for p in PROVINCES} for topic in topics}


@pytest.mark.parametrize("encoding", ["formatted", "has_data"])
def test_province_levels_recover_known_shares_with_honest_bounds(encoding: Encoding) -> None:
    errors, inside = [], []
    for seed in range(20):
        shares = province_shares(seed, ["t"])["t"]
        sim = SimulatedGoogle({"t": np.ones(3)}, regions={"t": shares}, encoding=encoding)
        answer = sim._geo_map("t")["default"]
        assert isinstance(answer, dict)
        map_ = answer["geoMapData"]
        frame = pl.DataFrame(
            {
                "request_key": "k",
                "term": "t",
                "region_code": [r["geoCode"] for r in map_],
                "value": [r["value"][0] if r["hasData"][0] else None for r in map_],
                "has_data": [r["hasData"][0] for r in map_],
            }
        )
        levels = calibrate_region_index(frame).sort("region_code")
        top = max(shares.values())
        truth = np.array([100 * shares[p] / top for p in levels["region_code"]])
        errors.append(np.abs(levels["level"].to_numpy() / truth - 1)[truth >= 1])
        inside.append(
            (levels["level_low"].to_numpy() <= truth) & (truth <= levels["level_high"].to_numpy())
        )
        censored = levels.filter(pl.col("bounds") == "censored")
        assert (censored["level_low"] == 0).all()
    assert np.median(np.concatenate(errors)) < 0.03
    assert np.concatenate(inside).mean() >= 0.95


def test_ingest_loads_province_levels(engine: sa.Engine, test_catalogue: Catalogue) -> None:
    queries = list(topic_queries(test_catalogue).values())
    truth = {q: np.full(40, 10.0 * (i + 1)) for i, q in enumerate(queries)}
    shares = province_shares(1, queries)
    sim = SimulatedGoogle(truth, regions=shares)
    fetcher = PoliteFetcher(
        PytrendsBackend(transport=sim), PacingPolicy(storm_threshold=1), sleep=lambda _: None
    )
    window = "2021-01-03 2021-10-03"
    report = fetch_trends(
        engine, test_catalogue, ["CA"], window, "run-1", fetcher, 24.0, lambda _: None,
        region_maps=True,
    )  # fmt: skip
    assert report.region_rows > 0
    with engine.connect() as connection:
        rows = connection.execute(sa.select(region_levels)).mappings().all()
    known = set(test_catalogue.region_codes)
    by_topic: dict[str, dict[str, float]] = {}
    for row in rows:
        assert row["region_code"] in known and row["parent_geo"] == "CA"
        assert row["level_low"] <= row["level"] <= row["level_high"]
        by_topic.setdefault(row["topic_id"], {})[row["region_code"]] = row["level"]
    assert set(by_topic) == {t.id for t in test_catalogue.topics}
    # running the same ingest again changes nothing (same answers, same rows)
    again = fetch_trends(
        engine, test_catalogue, ["CA"], window, "run-2", fetcher, 24.0, lambda _: None,
        region_maps=True,
    )  # fmt: skip
    assert again.payloads == 0
    with engine.connect() as connection:
        assert len(connection.execute(sa.select(region_levels)).all()) == len(rows)


def test_noisy_maps_take_the_time_series_noise_as_their_floor(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    """One map cannot show Google's sampling noise; ``ingest trends`` gives each map the
    noise its geo and window's time series showed, so the 95% bounds hold under noise
    (rounding-only bounds covered about 60% of truths)."""
    queries = list(topic_queries(test_catalogue).values())
    inside: list[bool] = []
    widths: list[float] = []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        truth = {q: 10 ** rng.uniform(0, 2) * np.exp(rng.normal(0, 0.2, 40)) for q in queries}
        shares = province_shares(seed, queries)
        sim = SimulatedGoogle(truth, regions=shares, noise_log_sd=0.05, seed=seed)
        fetcher = PoliteFetcher(
            PytrendsBackend(transport=sim), PacingPolicy(storm_threshold=1), sleep=lambda _: None
        )
        window = f"2021-01-{seed + 3:02d} 2021-10-03"
        fetch_trends(
            engine, test_catalogue, ["CA"], window, f"run-{seed}", fetcher, 24.0,
            lambda _: None, region_maps=True,
        )  # fmt: skip
        topic_of = {q: t for t, q in topic_queries(test_catalogue).items()}
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(region_levels).where(region_levels.c.timeframe == window)
            ).mappings()
            for row in rows:
                term = next(q for q in queries if topic_of[q] == row["topic_id"])
                true_level = 100 * shares[term][row["region_code"]] / max(shares[term].values())
                inside.append(row["level_low"] <= true_level <= row["level_high"])
                if row["bounds"] == "ci95" and row["level"] >= 10:
                    widths.append(np.log(row["level_high"] / row["level_low"]))
    provinces = len(set(test_catalogue.region_codes) - {"CA"})
    assert len(inside) == 12 * provinces * len(queries)
    # rounding alone gives readings of 10-100 a log width under 0.1; the noise floor of
    # 0.05 adds about 2 * 1.96 * 0.05 * sqrt(2) (the reading and the map's top)
    assert np.median(widths) > 0.2
    assert np.mean(inside) >= 0.9


def test_the_regions_page_shows_levels_with_their_interval(
    engine: sa.Engine, test_catalogue: Catalogue
) -> None:
    load_demo(engine, test_catalogue, seed=3, end=date(2025, 6, 1))
    query = topic_queries(test_catalogue)["pmp"]
    sim = SimulatedGoogle(
        {q: np.full(40, 10.0) for q in topic_queries(test_catalogue).values()},
        regions={
            q: {"CA-ON": 1.0, "CA-QC": 0.5, "CA-NU": 0.001}
            for q in topic_queries(test_catalogue).values()
        },
    )
    fetcher = PoliteFetcher(
        PytrendsBackend(transport=sim), PacingPolicy(storm_threshold=1), sleep=lambda _: None
    )
    fetch_trends(
        engine, test_catalogue, ["CA"], "2021-01-03 2021-10-03", "run-1", fetcher, 24.0,
        lambda _: None, topic_ids=["pmp"], region_maps=True,
    )  # fmt: skip
    assert query
    settings = Settings(cache_type="null")
    data = DashboardData(
        engine, Cache(Flask(__name__), config=cache_config(settings, str(engine.url)))
    )
    tr = Translator()
    (view,) = regions.chart_views(data, regions.parse_state(data, {"topic": "pmp"}), tr)
    levels = view.displayed.filter(pl.col("level").is_not_null()).sort("region_code")
    assert levels["region_code"].to_list() == ["CA-NU", "CA-ON", "CA-QC"]
    assert levels.filter(pl.col("region_code") == "CA-QC")["level"].item() == pytest.approx(
        50, rel=0.02
    )
    table = str(regions.growth_table(view, "PMP", tr))
    assert "Level across provinces" in table and "(49–51)" in table.replace("\u2013", "–")
    assert "<" in table  # Nunavut was "<1": shown as below its bound
    # growth comes with its 95% interval, and the summary names provinces within noise
    assert "Change vs a year ago (95% interval)" in table
    shown = view.displayed.filter(pl.col("growth").is_not_null())
    assert shown.height > 0
    assert (shown["growth_low"] <= shown["growth"]).all()
    assert (shown["growth"] <= shown["growth_high"]).all()
    provinces = shown.filter(pl.col("region_code") != "CA")
    noisy = provinces.filter(pl.col("growth_within_noise"))["region_name"].to_list()
    for name in noisy:
        assert name in view.summary
    if noisy:
        assert "within noise" in table
    # the map can be coloured by level: the levels themselves, their interval on hover
    state = regions.parse_state(data, {"topic": "pmp", "measure": "level", "lang": ""})
    assert state.measure == "level"
    (by_level,) = regions.chart_views(data, state, tr)
    traces = [t for t in by_level.figure["data"] if t.get("showscale") is not False]
    z = dict(zip(traces[0]["locations"], traces[0]["z"], strict=True))
    assert z["CA-ON"] == pytest.approx(100, rel=0.02)
    assert z["CA-QC"] == pytest.approx(50, rel=0.02)
    assert "100 = top province" in by_level.title
    hover = {
        loc: data_[1]
        for loc, data_ in zip(traces[0]["locations"], traces[0]["customdata"], strict=True)
    }
    assert "(49–51)" in hover["CA-QC"].replace("\u2013", "–")
    assert "measure=level" in by_level.info.permalink
    # growth (the default) stays out of the address, and its hover carries its interval
    growth_state = regions.parse_state(data, {"topic": "pmp", "measure": "", "lang": ""})
    (by_growth,) = regions.chart_views(data, growth_state, tr)
    assert "measure" not in by_growth.info.permalink
    growth_trace = next(t for t in by_growth.figure["data"] if t.get("showscale") is not False)
    assert all(" to " in text for _, text in growth_trace["customdata"])
    assert "largest share of searches in Ontario (100)" in by_level.summary
    assert "Nunavut" in by_level.summary  # the smallest, shown with its censored bound
    # the growth summary says which weeks it compares, as every page does
    assert "against the same weeks a year earlier" in view.summary
    assert "2025" in view.summary  # the demo ends 2025-06-01: dated windows
    # an exported level map explains levels, not growth
    assert by_level.info.notes == [tr("regions_level_note")]
    assert by_growth.info.notes == [tr("regions_intro", weeks=regions.RECENT_WEEKS)]
