"""Curated boards from ``dashboards/*.yaml``: rendered on the server, no callbacks needed.

Each panel is a view of a regular page with the board's topics and region, so its
downloads, embed code and report links are the page's own.
"""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.web.boards import Board
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import chart_tools
from credtrends.web.components.tables import frame_table
from credtrends.web.data import DashboardData
from credtrends.web.growth import growth_definition, last_weeks_text, region_momentum
from credtrends.web.i18n import N_, Translator
from credtrends.web.pages import interest, regions
from credtrends.web.views import ChartView, State

NAME = "boards"
PATH = "/boards"
PATH_TEMPLATE = "/boards/<board>"
TITLE_KEY = N_("page_boards")
INTEREST_HEIGHT = "520px"  # as chart_block gives it on the Search interest page


def _chart(
    page: str, view: ChartView, state: State, tr: Translator, height: str | None = None
) -> html.Figure:
    """A page's chart on the board, as tall as on its page (Search interest's two-line
    y-axis title was cut at plotly's default 450 px, in French most)."""
    style = {"height": height} if height else None
    return html.Figure(
        [
            dcc.Graph(figure=view.figure, config=tr.graph_config(), style=style),
            html.Figcaption(view.summary, className="summary"),
            chart_tools(page, view, state, tr),
        ],
        className="chart",
    )


def _interest_panel(data: DashboardData, board: Board, tr: Translator) -> tuple[Any, bool]:
    state = interest.parse_state(
        data, {"topic": board.topics, "region": board.regions[0], "lang": tr.lang}
    )
    (view,) = interest.chart_views(data, state, tr)
    return _chart(interest.NAME, view, state, tr, INTEREST_HEIGHT), view.info.synthetic


def _momentum_panel(data: DashboardData, board: Board, tr: Translator) -> tuple[Any, bool]:
    """The board's topics' level and growth: the same figures as Overview's (one growth
    definition, ``region_momentum``), with the weeks they cover."""
    names = tr.names(data.topics(), "topic_id")
    every_topic, _ = region_momentum(data, board.regions[0])
    momentum = every_topic.filter(pl.col("topic_id").is_in(board.topics)).with_columns(
        name=pl.col("topic_id").replace_strict(names, default=pl.col("topic_id"))
    )
    level = tr("board_level_dated", window=last_weeks_text(every_topic, tr))
    table = frame_table(
        momentum,
        {"name": tr("topic"), "recent_mean": level, "growth": tr("change_year")},
        tr("board_momentum"),
        {"growth": tr.percent},
        tr,
    )
    note = html.P(growth_definition(every_topic, tr), className="note")
    return html.Div([table, note]), bool(momentum["is_synthetic"].any())


def _regions_panel(data: DashboardData, board: Board, tr: Translator) -> tuple[Any, bool]:
    state = regions.parse_state(data, {"topic": board.topics[0], "lang": tr.lang})
    (view,) = regions.chart_views(data, state, tr)
    return _chart(regions.NAME, view, state, tr), view.info.synthetic


def render_board(data: DashboardData, board: Board, tr: Translator) -> html.Div:
    panels: list[Any] = []
    synthetic = False
    for panel in board.panels:
        if panel.type == "interest":
            content, is_synthetic = _interest_panel(data, board, tr)
        elif panel.type == "momentum":
            content, is_synthetic = _momentum_panel(data, board, tr)
        else:
            content, is_synthetic = _regions_panel(data, board, tr)
        synthetic = synthetic or is_synthetic
        panels.append(html.Section(content, className="board-panel"))
    return html.Div(
        [
            html.H1(board.title.text(tr.lang)),
            html.P(board.description.text(tr.lang)),
            synthetic_banner(tr, visible=synthetic, component_id="board-synthetic-banner"),
            *panels,
        ]
    )


def layout(
    data: DashboardData, boards: dict[str, Board], tr: Translator, board: Any = None
) -> html.Div:
    """``/boards`` lists the boards; ``/boards/<slug>`` shows one (unknown slugs say so)."""
    if isinstance(board, str) and board in boards:
        return render_board(data, boards[board], tr)
    suffix = "?lang=fr" if tr.lang == "fr" else ""
    listing = html.Ul(
        [
            html.Li(
                [
                    html.A(b.title.text(tr.lang), href=f"/boards/{slug}{suffix}"),
                    f" — {b.description.text(tr.lang)}",
                ]
            )
            for slug, b in boards.items()
        ]
    )
    shown_name = board[:80] if isinstance(board, str) else ""
    note = html.P(tr("boards_unknown", name=shown_name), role="alert") if board else html.P()
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            note,
            html.P(tr("boards_intro")),
            listing if boards else html.P(tr("boards_none")),
        ]
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    """Boards are rendered on the server when the page is opened: no callbacks."""
