"""Overview: which topics people search most, which rise and fall, how fresh the data is."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, dcc, html

from credtrends.forecasting import rank_emerging
from credtrends.transforms.scores import topic_momentum
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import frame_table, percent, sources_table
from credtrends.web.data import DashboardData
from credtrends.web.figures import empty_figure, for_dash, interest_values

PATH = "/"
TITLE = "Overview"
RECENT_WEEKS = 12
TOP_N = 15


class Ids(StrEnum):
    REGION = "overview-region"
    BANNER = "overview-synthetic-banner"
    TOP = "overview-top-topics"
    MOVERS = "overview-movers"
    FRESHNESS = "overview-freshness"


def layout(data: DashboardData, region: str | None = None, **_: Any) -> html.Div:
    regions = data.regions()
    return html.Div(
        [
            html.H1(TITLE),
            html.P(
                f"Search interest over the last {RECENT_WEEKS} complete weeks, and its change "
                "against the same weeks a year earlier (same season, so a September peak is "
                "not mistaken for growth)."
            ),
            synthetic_banner(visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.REGION, "Region", regions, "region_code", region),
            dcc.Loading(dcc.Graph(id=Ids.TOP, config={"displaylogo": False})),
            html.Div(id=Ids.MOVERS),
            html.Div(id=Ids.FRESHNESS),
        ]
    )


def momentum_for(data: DashboardData, region_code: str) -> tuple[pl.DataFrame, str]:
    topics = data.topics()
    frame = data.interest_over_time(tuple(topics["topic_id"].to_list()), region_code)
    shown, scale_note = interest_values(frame)
    momentum = topic_momentum(shown, RECENT_WEEKS).join(
        topics.select("topic_id", "name_en"), on="topic_id", how="left"
    )
    return momentum, scale_note


def top_topics_figure(momentum: pl.DataFrame, region_name: str, scale_note: str) -> go.Figure:
    if momentum.is_empty():
        return empty_figure("No search interest loaded for this region yet.")
    top = momentum.head(TOP_N).reverse()
    labels = [
        f"{name} ({source})" if momentum["source"].n_unique() > 1 else name
        for name, source in zip(top["name_en"].to_list(), top["source"].to_list(), strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=top["recent_mean"].to_list(),
            y=labels,
            orientation="h",
            marker={"color": "#1b6ca8"},
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    annotations = []
    if bool(momentum["is_synthetic"].any()):
        annotations.append(
            {"text": "SYNTHETIC DEMO DATA", "xref": "paper", "yref": "paper", "x": 1, "y": 1.02,
             "showarrow": False, "font": {"color": "#9a3412"}, "xanchor": "right"}
        )  # fmt: skip
    figure.update_layout(
        title={"text": f"Most searched topics in {region_name}, last {RECENT_WEEKS} weeks", "x": 0},
        xaxis={"title": {"text": scale_note}},
        height=140 + 28 * top.height,
        margin={"l": 260, "r": 20, "t": 60, "b": 60},
        annotations=annotations,
    )
    return figure


def movers_tables(momentum: pl.DataFrame) -> list[html.Table]:
    moving = momentum.filter(pl.col("growth").is_not_null())
    columns = {"name_en": "Topic", "growth": "Change vs a year ago", "recent_mean": "Level"}
    formats = {"growth": percent}
    return [
        frame_table(
            moving.sort("growth", descending=True).head(8), columns, "Fastest risers", formats
        ),
        frame_table(moving.sort("growth").head(8), columns, "Fastest fallers", formats),
    ]


def freshness_table(data: DashboardData) -> html.Table:
    return sources_table(data, "Data freshness per source")


def emerging_table(data: DashboardData, region_code: str, names: dict[str, str]) -> html.Table:
    """Topics taking off: growth over the last year, its acceleration, and trend breaks."""
    interest = data.interest_over_time(tuple(names), region_code)
    shown, _ = interest_values(interest)
    ranked = rank_emerging(
        shown.select(
            series_id="topic_id", period="period_start", value="value", is_partial="is_partial"
        ),
        "week",
    ).with_columns(
        topic=pl.col("series_id").replace_strict(names, default=pl.col("series_id")),
        growth=pl.col("growth_pct") / 100,
        acceleration=pl.col("acceleration_pct") / 100,
        trend_break=pl.when(pl.col("break_flag"))
        .then(pl.col("break_period").dt.strftime("since %Y-%m"))
        .otherwise(pl.lit("no")),
    )
    return frame_table(
        ranked.head(8),
        {
            "rank": "Rank",
            "topic": "Topic",
            "growth": "Growth over the last year",
            "acceleration": "Acceleration",
            "trend_break": "Trend break",
            "score": "Score",
        },
        "Emerging topics (growth 50%, acceleration 25%, trend break 25%)",
        {"growth": percent, "acceleration": percent},
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(
        Output(Ids.TOP, "figure"),
        Output(Ids.MOVERS, "children"),
        Output(Ids.BANNER, "hidden"),
        Output(Ids.FRESHNESS, "children"),
        Input(Ids.REGION, "value"),
    )
    def update(region: Any) -> tuple[dict[str, Any], list[Any], bool, html.Table]:
        names = dict(zip(data.regions()["region_code"], data.regions()["name_en"], strict=True))
        if not isinstance(region, str) or region not in names:
            raise dash.exceptions.PreventUpdate
        momentum, scale_note = momentum_for(data, region)
        synthetic = bool(momentum["is_synthetic"].any())
        return (
            for_dash(top_topics_figure(momentum, names[region], scale_note)),
            [
                html.Div(movers_tables(momentum), className="grid-2"),
                emerging_table(
                    data,
                    region,
                    dict(zip(data.topics()["topic_id"], data.topics()["name_en"], strict=True)),
                ),
            ],
            not synthetic,
            freshness_table(data),
        )
