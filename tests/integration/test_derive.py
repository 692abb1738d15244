"""The derived layer on SQLite and PostgreSQL: the ``derive`` step writes growth, emerging
topics and opportunity scores as tables (after every load, on its own, in the demo), a
re-derive gives the same rows, a crash half-way leaves the old rows, and pages read them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from credtrends.catalogue import Catalogue
from credtrends.config import Settings, load_settings
from credtrends.demo.load import forecast_demo, load_demo
from credtrends.errors import SourceError
from credtrends.pipelines import derive as derive_pipeline
from credtrends.steps import STEPS, get_step, run_step
from credtrends.steps.derive import DERIVE, derives_after
from credtrends.transforms.demand_supply import ScoreWeights, score_opportunities
from credtrends.transforms.scores import GROWTH_WEEKS, comparable_values, topic_momentum
from credtrends.warehouse import queries
from credtrends.warehouse.schema import (
    DERIVED_TABLES,
    derived_emerging_topics,
    derived_opportunity_scores,
    derived_source_freshness,
    derived_topic_growth,
    job_runs,
)
from credtrends.web.app import create_app

LINEAGE = ("run_id", "derived_at")


@pytest.fixture
def settings(
    engine: sa.Engine,
    job_env: Path,
) -> Settings:
    """Settings on this warehouse with the small test catalogue."""
    return load_settings()


@pytest.fixture
def demo(engine: sa.Engine, test_catalogue: Catalogue) -> sa.Engine:
    """The SYNTHETIC demo set and its forecast, loaded (and so derived) on this backend."""
    load_demo(engine, test_catalogue, seed=42, end=date(2025, 6, 1))
    forecast_demo(engine, seed=42)
    return engine


def derived_rows(engine: sa.Engine) -> dict[str, pl.DataFrame]:
    """Each derived table's rows without their lineage, in key order."""
    frames = {}
    with engine.connect() as connection:
        for table in DERIVED_TABLES:
            columns = [c for c in table.c if c.name not in LINEAGE]
            key = [c for c in table.primary_key.columns]
            rows = connection.execute(sa.select(*columns).order_by(*key)).all()
            frames[table.name] = pl.DataFrame(
                [tuple(r) for r in rows], schema=[c.name for c in columns], orient="row"
            )
    return frames


def run_ids(engine: sa.Engine, table: sa.Table) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(table.c.run_id).distinct()).scalars())


def test_the_demo_load_derives_every_table_labelled_synthetic(demo: sa.Engine) -> None:
    frames = derived_rows(demo)
    assert all(frame.height > 0 for frame in frames.values())
    with demo.connect() as connection:
        for table in DERIVED_TABLES:
            flags = connection.execute(sa.select(table.c.is_synthetic).distinct()).scalars()
            assert set(flags) == {True}
    growth = frames["derived_topic_growth"]
    assert set(growth["source"]) == {"synthetic-demo"}
    assert set(frames["derived_opportunity_scores"]["sources"]) == {"synthetic-demo"}
    # every region's topics, with the forecast the demo made: the scores read it
    assert frames["derived_opportunity_scores"]["forecast_growth"].null_count() == 0


def test_stored_growth_is_the_growth_of_the_interest_it_was_derived_from(
    demo: sa.Engine,
) -> None:
    topics = tuple(queries.list_topics(demo)["topic_id"])
    for region in ("CA", "CA-ON"):
        shown, scale = comparable_values(queries.interest_over_time(demo, topics, region))
        expected = topic_momentum(shown, GROWTH_WEEKS).sort("topic_id")
        stored = queries.topic_growth(demo, region).sort("topic_id")
        assert stored.height == expected.height > 0
        assert set(stored["scale"]) == {scale}
        for column in ("recent_mean", "growth", "growth_low", "growth_high"):
            assert stored[column].to_list() == pytest.approx(expected[column].to_list())
        assert stored["recent_start"].to_list() == expected["recent_start"].to_list()


def test_every_step_writing_what_derive_reads_is_followed_by_it() -> None:
    inputs = set(DERIVE.reads) - {t for t in DERIVE.reads if t.name == "topic_occupations"}
    for step in STEPS.values():
        if step is DERIVE or step.bootstrap:
            assert not derives_after(step), step.name
        elif set(step.writes) & inputs:
            assert derives_after(step), f"{step.name} writes what derive reads"
        else:
            assert not derives_after(step), step.name


def trends_export(folder: Path) -> Path:
    """A Google Trends web export (weekly, Canada) of two catalogue topics over two years,
    made up here (not Google's numbers), so growth on a year ago exists."""
    lines = ["Category: All categories", "", "Week,pmp: (Canada),data science: (Canada)"]
    first = date(2023, 6, 4)
    for week in range(110):
        day = date.fromordinal(first.toordinal() + 7 * week)
        lines.append(f"{day.isoformat()},{40 + week % 30},{100 - week % 50}")
    path = folder / "multiTimeline.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_load_is_followed_by_derive_in_the_same_run(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    load = get_step("import-trends-csv")
    said: list[str] = []
    params = load.make_params({"files": [trends_export(tmp_path)]})
    report = run_step(load, params, settings, echo=said.append)
    (load_run,) = run_ids(engine, derived_topic_growth)
    with engine.connect() as connection:
        run = connection.execute(sa.select(job_runs).where(job_runs.c.run_id == load_run)).one()
    assert run.job_name == "import-trends-csv" and run.status == "succeeded"
    assert run.parameters["derived"]["derived_topic_growth"] > 0
    assert run.rows_written == report.rows_written
    assert any(line.startswith("derived ") for line in said)
    growth = queries.topic_growth(engine, "CA")
    assert growth.height > 0 and not growth["is_synthetic"].any()


def test_re_deriving_gives_the_same_rows(demo: sa.Engine, settings: Settings) -> None:
    before = derived_rows(demo)
    first = run_step(DERIVE, DERIVE.make_params({}), settings, echo=lambda _: None)
    again = run_step(DERIVE, DERIVE.make_params({}), settings, echo=lambda _: None)
    assert first.rows_written == again.rows_written == sum(f.height for f in before.values())
    after = derived_rows(demo)
    for name, frame in before.items():
        assert after[name].equals(frame), name
    assert len(run_ids(demo, derived_emerging_topics)) == 1  # the last run's, whole
    one_region = run_step(DERIVE, DERIVE.make_params({"regions": "CA-ON"}), settings,
                          echo=lambda _: None)  # fmt: skip
    assert one_region.record["derived"]["derived_topic_growth"] == (
        before["derived_topic_growth"].filter(pl.col("region_code") == "CA-ON").height
    )
    assert derived_rows(demo)["derived_topic_growth"].equals(before["derived_topic_growth"])


def test_a_derive_that_crashes_half_way_leaves_the_old_rows(
    demo: sa.Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = derived_rows(demo)
    old_runs = {table.name: run_ids(demo, table) for table in DERIVED_TABLES}
    real = derive_pipeline.derive_region
    done: list[str] = []

    def crashing(connection: sa.Connection, region: str, *args: Any) -> Any:
        if done:  # the first region is written, then the run dies
            raise SourceError("the machine went away")
        done.append(region)
        return real(connection, region, *args)

    monkeypatch.setattr(derive_pipeline, "derive_region", crashing)
    with pytest.raises(SourceError, match="went away"):
        run_step(DERIVE, DERIVE.make_params({}), settings, echo=lambda _: None)
    assert done  # it had replaced a region's rows before dying
    after = derived_rows(demo)
    for name, frame in before.items():
        assert after[name].equals(frame), name
    assert {table.name: run_ids(demo, table) for table in DERIVED_TABLES} == old_runs
    with demo.connect() as connection:
        statuses = connection.execute(
            sa.select(job_runs.c.status).where(job_runs.c.job_name == "derive")
        ).scalars()
        assert list(statuses) == ["failed"]


def test_pages_read_the_derived_tables(demo: sa.Engine, settings: Settings) -> None:
    """Change a stored figure and every page shows the stored one: nothing recomputes it."""
    with demo.begin() as connection:
        connection.execute(
            sa.update(derived_topic_growth)
            .where(derived_topic_growth.c.topic_id == "pmp")
            .values(growth=0.4242)
        )
        connection.execute(
            sa.update(derived_emerging_topics)
            .where(derived_emerging_topics.c.region_code == "CA")
            .values(rank=sa.case((derived_emerging_topics.c.topic_id == "pmp", 0), else_=9))
        )
        connection.execute(
            sa.update(derived_opportunity_scores)
            .where(derived_opportunity_scores.c.topic_id == "pmp")
            .values(score=0.777)
        )
    client = create_app(settings.model_copy(update={"cache_type": "simple"}), demo).server
    with client.test_client() as http:

        def csv(path: str) -> pl.DataFrame:
            response = http.get(path)
            assert response.status_code == 200, path
            return pl.read_csv(response.data)

        def of_pmp(frame: pl.DataFrame, column: str, key: str = "topic_id") -> Any:
            return frame.filter(pl.col(key) == "pmp")[column].item()

        assert of_pmp(csv("/download/overview/top/csv?region=CA"), "growth") == 0.4242
        emerging = csv("/download/overview/emerging/csv?region=CA")
        assert emerging["series_id"][0] == "pmp" and emerging["growth"][0] == 0.4242
        regions = csv("/download/regions/map/csv?topic=pmp")
        assert set(regions.drop_nulls("growth")["growth"]) == {0.4242}
        growth = csv("/download/interest/growth/csv?topic=pmp&region=CA-ON")
        assert of_pmp(growth, "growth") == 0.4242
        scores = csv("/download/program-demand/quadrant/csv?region=CA")
        assert of_pmp(scores, "score") == 0.777


def test_other_weights_re_score_the_stored_ranks(demo: sa.Engine) -> None:
    """The stored score is what re-scoring the stored ranks with the default weights gives
    (so a page with weights 1 and one with others take the same path), and other weights
    move it."""
    stored = queries.opportunity_scores(demo, "CA").sort("topic_id")
    again = score_opportunities(stored, ScoreWeights()).sort("topic_id")
    for column in ("score", "score_low", "score_high", "rank"):
        assert again[column].to_list() == stored[column].to_list(), column
    other = score_opportunities(stored, ScoreWeights(growth=3, supply=0)).sort("topic_id")
    assert other["score"].to_list() != stored["score"].to_list()


def test_source_freshness_is_stored_as_the_load_left_it_and_pages_read_it(
    demo: sa.Engine, settings: Settings
) -> None:
    """The freshness tables read the stored counts (one scan per load, not per request),
    equal to a live count of the fact tables."""
    live = queries.warehouse_status(demo).sources.sort("table", "source", "is_synthetic")
    stored = queries.source_freshness(demo)
    assert stored.height > 0 and stored.equals(live)
    with demo.begin() as connection:
        connection.execute(
            sa.update(derived_source_freshness)
            .where(derived_source_freshness.c.table_name == "search_interest")
            .values(row_count=424242)
        )
    client = create_app(settings.model_copy(update={"cache_type": "simple"}), demo).server
    with client.test_client() as http:
        response = http.get("/download/overview/freshness/csv?region=CA")
        assert response.status_code == 200
        shown = pl.read_csv(response.data)
    assert shown.filter(pl.col("table") == "search_interest")["rows"].to_list() == [424242]
