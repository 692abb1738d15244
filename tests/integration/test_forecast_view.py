"""The forecast in front of users: readable model, backtest sentence, hover, downloads.

On the demo warehouse (SYNTHETIC, forecast by the real pipeline): the interest view says
how accurate each forecast was against repeating last year, from the stored backtest; the
hover carries the interval numbers; month and quarter views draw the aggregated forecast;
every download's metadata repeats the sentences.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import flask
import polars as pl
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_caching import Cache
from openpyxl import load_workbook

from credtrends.config import Settings
from credtrends.warehouse.queries import forecast_accuracy, latest_forecasts
from credtrends.web.app import create_app
from credtrends.web.data import DashboardData, cache_config
from credtrends.web.forecast_text import accuracy_sentence
from credtrends.web.i18n import Translator
from credtrends.web.page_state import InterestState
from credtrends.web.pages import interest
from tests.helpers import demo_dashboard

QUERY = "topic=pmp,data-science&region=CA-ON"
SENTENCE = re.compile(
    r"In backtests this forecast was (\d+% (more|less) accurate than|as accurate as) "
    r"repeating last year\."
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, sa.Engine]]:
    settings, engine = demo_dashboard(tmp_path_factory.mktemp("forecast-view"))
    yield settings, engine
    engine.dispose()


@pytest.fixture(scope="module")
def data(demo: tuple[Settings, sa.Engine]) -> DashboardData:
    settings, engine = demo
    return DashboardData(engine, Cache(Flask(__name__), config=cache_config(settings, "x")))


@pytest.fixture(scope="module")
def client(demo: tuple[Settings, sa.Engine]) -> flask.testing.FlaskClient:
    server = create_app(*demo).server  # untyped in Dash
    assert isinstance(server, flask.Flask)
    return server.test_client()


def _state(data: DashboardData, **query: str) -> InterestState:
    base = {"topic": "pmp,data-science", "region": "CA-ON"}
    return interest.parse_state(data, {**base, **query})


def _forecast_traces(view: Any) -> list[dict[str, Any]]:
    return [t for t in view.figure["data"] if "customdata" in t and t.get("line", {}).get("dash")]


def test_the_stored_backtest_is_read_for_the_forecasts_shown(
    demo: tuple[Settings, sa.Engine],
) -> None:
    _, engine = demo
    accuracy = forecast_accuracy(engine, ["pmp", "data-science"], "CA-ON")
    shown = latest_forecasts(engine, ["pmp", "data-science"], "CA-ON")
    assert sorted(accuracy["topic_id"]) == ["data-science", "pmp"]
    assert set(accuracy["forecast_run_id"]) == set(shown["forecast_run_id"])
    assert (accuracy["selected_mase"] > 0).all() and (accuracy["snaive_mase"] > 0).all()
    assert accuracy["coverage95"].is_between(0, 1).all()


def test_the_weekly_view_says_how_accurate_each_forecast_was(data: DashboardData) -> None:
    tr = Translator("en")
    (view,) = interest.chart_views(data, _state(data, granularity="week"), tr)
    lines = view.info.forecast_accuracy
    assert len(lines) == 2 and all(SENTENCE.search(line) for line in lines)
    assert all("of actual values fell inside the 80% interval" in line for line in lines)
    assert not any("_seasonal" in line or "+" in line.split(".")[0] for line in lines)
    traces = _forecast_traces(view)
    assert len(traces) == 2
    for trace in traces:
        assert "80% interval: %{customdata[0]:.1f} – %{customdata[1]:.1f}" in trace["hovertemplate"]
        assert "95% interval: %{customdata[2]:.1f}" in trace["hovertemplate"]
        low80, high80, low95, high95 = trace["customdata"][0]
        assert low95 <= low80 <= trace["y"][0] <= high80 <= high95
        assert "_seasonal" not in trace["name"]
    # the numbers in the sentence are the stored ones
    stored = data.forecast_accuracy(("pmp",), "CA-ON").row(0, named=True)
    gain = 1 - stored["selected_mase"] / stored["snaive_mase"]
    expected = accuracy_sentence(stored["selected_mase"], stored["snaive_mase"], tr)
    assert abs(gain) < 0.005 or f"{round(abs(gain) * 100)}%" in expected
    assert any(
        expected in line and f"{round(stored['coverage80'] * 100)}%" in line for line in lines
    )


@pytest.mark.parametrize("granularity", ["month", "quarter"])
def test_month_and_quarter_views_draw_the_aggregated_forecast(
    data: DashboardData, granularity: str
) -> None:
    tr = Translator("en")
    (view,) = interest.chart_views(data, _state(data, granularity=granularity), tr)
    traces = _forecast_traces(view)
    assert len(traces) == 2, "the forecast checkbox is ticked: the forecast is drawn"
    starts = list(traces[0]["x"])
    assert all(str(day).endswith("-01") for day in starts)  # periods start on the 1st
    weekly = data.latest_forecasts(("pmp",), "CA-ON")
    assert len(starts) < weekly.height / 3
    assert any(f"The {granularity} forecast is the mean" in note for note in view.info.notes)
    assert view.displayed.filter(pl.col("kind").str.starts_with("forecast")).height > 0
    assert all(SENTENCE.search(line) for line in view.info.forecast_accuracy)


def test_french_sentences_and_model_names(data: DashboardData) -> None:
    tr = Translator("fr")
    (view,) = interest.chart_views(data, _state(data, lang="fr"), tr)
    for line in view.info.forecast_accuracy:
        assert "Dans les tests rétrospectifs, cette prévision était" in line
        assert "répétition de l'année précédente" in line and "intervalle à 80 %" in line
    assert all("intervalle à 80 %" in t["hovertemplate"] for t in _forecast_traces(view))


def test_comparing_regions_reads_each_regions_backtest(data: DashboardData) -> None:
    tr = Translator("en")
    state = _state(data, compare="regions", regions="CA-ON,CA-QC", topic="pmp")
    (view,) = interest.chart_views(data, state, tr)
    assert len(view.info.forecast_accuracy) == 2
    assert all(SENTENCE.search(line) for line in view.info.forecast_accuracy)


def test_every_download_carries_the_accuracy(client: flask.testing.FlaskClient) -> None:
    base = "/download/interest/main"
    metadata = json.loads(client.get(f"{base}/json?{QUERY}").data)
    assert len(metadata["forecast_accuracy"]) == 2
    assert all(SENTENCE.search(line) for line in metadata["forecast_accuracy"])
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/xlsx?{QUERY}").data))
    about = {row[0].value: row[1].value for row in workbook["about"].iter_rows()}
    assert SENTENCE.search(str(about["forecast_accuracy"]))
    monthly = json.loads(client.get(f"{base}/json?{QUERY}&granularity=month").data)
    assert monthly["forecast_accuracy"] == metadata["forecast_accuracy"]
