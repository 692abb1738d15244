"""The synthetic demo set: deterministic, plausible, labelled synthetic."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from credtrends.catalogue import Catalogue
from credtrends.demo import DEMO_SOURCE
from credtrends.demo.generate import DEMO_START, DemoData, generate_demo_data, last_sunday
from credtrends.warehouse.schema import related_queries
from tests.helpers import number

END = date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo(real_catalogue: Catalogue) -> DemoData:
    return generate_demo_data(real_catalogue, seed=7, end=END, run_id="demo-seed-7")


def test_same_seed_same_data(real_catalogue: Catalogue, demo: DemoData) -> None:
    again = generate_demo_data(real_catalogue, seed=7, end=END, run_id="demo-seed-7")
    for name in (
        "search_interest",
        "portal_topic_counts",
        "labour_market_observations",
        "related_queries",
    ):
        assert getattr(again, name).equals(getattr(demo, name)), name
    other = generate_demo_data(real_catalogue, seed=8, end=END, run_id="demo-seed-8")
    assert not other.search_interest["calibrated_value"].equals(
        demo.search_interest["calibrated_value"]
    )


def test_a_later_end_only_appends_weeks(test_catalogue: Catalogue) -> None:
    early = generate_demo_data(test_catalogue, 3, date(2025, 6, 1), "r").search_interest
    late = generate_demo_data(test_catalogue, 3, date(2025, 9, 1), "r").search_interest
    keys = ["topic_id", "region_code", "period_start"]
    joined = early.join(late, on=keys, suffix="_late")
    assert joined.height == early.height
    # Raw values are rescaled to each series' max and may move; the underlying noise may not.
    ratio = joined["calibrated_value"] / joined["calibrated_value_late"]
    per_series = (
        joined.with_columns(ratio=ratio)
        .group_by("topic_id", "region_code")
        .agg(spread=pl.col("ratio").max() - pl.col("ratio").min())
    )
    assert number(per_series["spread"].max()) < 1e-9


def test_every_topic_and_region_has_five_years_of_weekly_interest(
    real_catalogue: Catalogue, demo: DemoData
) -> None:
    interest: pl.DataFrame = demo.search_interest
    weeks = interest.group_by("topic_id", "region_code").agg(pl.len(), pl.col("period_start").min())
    assert number(weeks["len"].min()) >= 5 * 52
    assert set(weeks["period_start"].to_list()) == {DEMO_START}
    expected = sum(1 + (len(t.regions) if t.regions else 13) for t in real_catalogue.topics)
    assert weeks.height == expected
    assert interest["period_start"].max() == last_sunday(END)


def test_values_are_in_google_ranges_and_the_last_week_is_partial(demo: DemoData) -> None:
    interest: pl.DataFrame = demo.search_interest
    assert number(interest["raw_value"].min()) >= 0 and interest["raw_value"].max() == 100
    per_series_max = interest.group_by("topic_id", "region_code").agg(pl.col("raw_value").max())
    assert (per_series_max["raw_value"] == 100).all()
    per_region_max = interest.group_by("region_code").agg(pl.col("calibrated_value").max())
    assert ((per_region_max["calibrated_value"] - 100).abs() < 1e-9).all()
    assert (interest["calibrated_low"] <= interest["calibrated_value"]).all()
    partial = interest.filter(pl.col("is_partial"))
    assert set(partial["period_start"].to_list()) == {last_sunday(END)}


def test_everything_is_labelled_synthetic(demo: DemoData) -> None:
    for name in (
        "search_interest",
        "portal_topic_counts",
        "labour_market_observations",
        "related_queries",
    ):
        frame: pl.DataFrame = getattr(demo, name)
        assert frame["is_synthetic"].all(), name
        assert set(frame["source"].unique().to_list()) == {DEMO_SOURCE}, name


def test_suppressed_labour_cells_are_null_not_zero(demo: DemoData) -> None:
    labour: pl.DataFrame = demo.labour_market_observations
    suppressed = labour.filter(pl.col("status") == "x")
    assert suppressed.height > 0
    assert suppressed["value"].null_count() == suppressed.height
    assert labour.filter(pl.col("value") == 0).height == 0
    assert set(labour["granularity"].unique().to_list()) == {"quarter", "month"}


def test_seasonality_shows_a_christmas_dip(demo: DemoData) -> None:
    interest: pl.DataFrame = demo.search_interest
    national = interest.filter(pl.col("region_code") == "CA").with_columns(
        year=pl.col("period_start").dt.year(), day=pl.col("period_start").dt.ordinal_day()
    )
    christmas = (
        national.filter(pl.col("day").is_between(352, 360))
        .group_by("year")
        .agg(christmas=pl.col("calibrated_value").mean())
    )
    november = (
        national.filter(pl.col("day").is_between(305, 335))
        .group_by("year")
        .agg(november=pl.col("calibrated_value").mean())
    )
    both = christmas.join(november, on="year")
    assert both.height >= 5
    assert (both["christmas"] < 0.9 * both["november"]).all()


def test_related_queries_look_like_google_lists(real_catalogue: Catalogue, demo: DemoData) -> None:
    related: pl.DataFrame = demo.related_queries
    assert set(related.columns) <= set(related_queries.columns.keys())
    lists = related.group_by("topic_id", "region_code", "kind").agg(
        pl.len(), pl.col("rank").sort(), pl.col("value").sort_by("rank")
    )
    expected = sum(1 + (len(t.regions) if t.regions else 13) for t in real_catalogue.topics)
    assert lists.filter(pl.col("kind") == "top").height == expected
    assert lists.filter(pl.col("kind") == "rising").height == expected
    for row in lists.iter_rows(named=True):
        assert row["rank"] == list(range(1, row["len"] + 1))
        assert row["value"] == sorted(row["value"], reverse=True)  # rank follows value
        if row["kind"] == "top":
            assert row["len"] == 5 and row["value"][0] == 100
    top = related.filter(pl.col("kind") == "top")
    assert top["value"].max() == 100 and not top["is_breakout"].any()
    rising = related.filter(pl.col("kind") == "rising")
    breakouts = rising.filter(pl.col("is_breakout"))
    assert 0 < breakouts.height < rising.height / 2
    quiet_max = number(rising.filter(~pl.col("is_breakout"))["value"].max())
    assert number(breakouts["value"].min()) >= 5000 > quiet_max
    assert related.select("topic_id", "region_code", "kind", "query").is_unique().all()
    pmp_ontario = related.filter(pl.col("topic_id") == "pmp", pl.col("region_code") == "CA-ON")
    assert any("ontario" in q for q in pmp_ontario["query"].to_list())
    assert all("pmp" in q for q in pmp_ontario["query"].to_list())


def test_related_query_texts_do_not_depend_on_seed_or_end(real_catalogue: Catalogue) -> None:
    """Another seed or end date changes values and ranks, never which rows exist, so
    re-running the demo upserts onto the same rows instead of mixing two lists."""
    keys = ["topic_id", "region_code", "timeframe", "kind", "query", "source"]
    first = generate_demo_data(real_catalogue, 7, END, "r").related_queries
    other = generate_demo_data(real_catalogue, 8, date(2025, 3, 1), "r").related_queries
    assert first.select(keys).sort(keys).equals(other.select(keys).sort(keys))
    assert not first.sort(keys)["value"].equals(other.sort(keys)["value"])
