"""Curated boards from ``dashboards/*.yaml``: rendered on the server, no callbacks needed."""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.transforms.scores import topic_momentum
from credtrends.web.boards import Board
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.tables import frame_table, percent
from credtrends.web.data import DashboardData
from credtrends.web.figures import add_forecast, for_dash, interest_figure, interest_values
from credtrends.web.maps import province_choropleth
from credtrends.web.pages.regions import regional_growth

PATH = "/boards"
PATH_TEMPLATE = "/boards/<board>"
TITLE = "Boards"


def _graph(figure: dict[str, Any]) -> dcc.Graph:
    return dcc.Graph(figure=figure, config={"displaylogo": False})


def _interest_panel(
    data: DashboardData, board: Board, region: str, names: dict[str, str]
) -> tuple[Any, bool]:
    frame = data.interest_over_time(tuple(board.topics), region)
    region_names = dict(zip(data.regions()["region_code"], data.regions()["name_en"], strict=True))
    figure = interest_figure(frame, names, region_names.get(region, region))
    if not frame.is_empty():
        add_forecast(figure, data.latest_forecasts(tuple(board.topics), region), names)
    return _graph(for_dash(figure)), bool(frame["is_synthetic"].any())


def _momentum_panel(
    data: DashboardData, board: Board, region: str, names: dict[str, str]
) -> tuple[Any, bool]:
    shown, _ = interest_values(data.interest_over_time(tuple(board.topics), region))
    momentum = topic_momentum(shown).with_columns(
        name=pl.col("topic_id").replace_strict(names, default=pl.col("topic_id"))
    )
    table = frame_table(
        momentum,
        {"name": "Topic", "recent_mean": "Level, last 12 weeks", "growth": "Change vs a year ago"},
        "Level and change",
        {"growth": percent},
    )
    return table, bool(momentum["is_synthetic"].any())


def _regions_panel(data: DashboardData, board: Board, names: dict[str, str]) -> tuple[Any, bool]:
    topic = board.topics[0]
    growth = regional_growth(data, topic)
    synthetic = bool(growth["is_synthetic"].fill_null(False).any())
    figure = province_choropleth(
        growth.filter(pl.col("region_code") != "CA"),
        value_label="% change vs a year ago",
        title=f"{names.get(topic, topic)}: change vs a year ago by province",
        synthetic=synthetic,
        diverging=True,
    )
    return _graph(for_dash(figure)), synthetic


def render_board(data: DashboardData, board: Board) -> html.Div:
    names = dict(zip(data.topics()["topic_id"], data.topics()["name_en"], strict=True))
    region = board.regions[0]
    panels: list[Any] = []
    synthetic = False
    for panel in board.panels:
        if panel.type == "interest":
            content, is_synthetic = _interest_panel(data, board, region, names)
        elif panel.type == "momentum":
            content, is_synthetic = _momentum_panel(data, board, region, names)
        else:
            content, is_synthetic = _regions_panel(data, board, names)
        synthetic = synthetic or is_synthetic
        panels.append(html.Section(content, className="board-panel"))
    return html.Div(
        [
            html.H1(board.title),
            html.P(board.description),
            synthetic_banner(visible=synthetic, component_id="board-synthetic-banner"),
            *panels,
        ]
    )


def layout(
    data: DashboardData, boards: dict[str, Board], board: str | None = None, **_: Any
) -> html.Div:
    """``/boards`` lists the boards; ``/boards/<slug>`` shows one (unknown slugs say so)."""
    if board in boards:
        return render_board(data, boards[board])
    listing = html.Ul(
        [
            html.Li([html.A(b.title, href=f"/boards/{slug}"), f" — {b.description}"])
            for slug, b in boards.items()
        ]
    )
    note = html.P(f"No board named {board!r}.", role="alert") if board else html.P()
    return html.Div(
        [
            html.H1(TITLE),
            note,
            html.P("Curated views; add a YAML file to dashboards/ to create one."),
            listing if boards else html.P("No boards defined yet."),
        ]
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    """Boards are rendered on the server when the page is opened: no callbacks."""
