"""Regions: where interest in one topic is rising or falling, on a map and in a table."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import dash
import polars as pl
from dash import Input, Output, dcc, html

from credtrends.transforms.scores import topic_momentum
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import frame_table, percent
from credtrends.web.data import DashboardData
from credtrends.web.figures import for_dash, interest_values
from credtrends.web.maps import province_choropleth

PATH = "/regions"
TITLE = "Regions"
RECENT_WEEKS = 12


class Ids(StrEnum):
    TOPIC = "regions-topic"
    BANNER = "regions-synthetic-banner"
    MAP = "regions-map"
    TABLE = "regions-table"


def layout(data: DashboardData, topic: str | None = None, **_: Any) -> html.Div:
    topics = data.topics()
    return html.Div(
        [
            html.H1(TITLE),
            html.P(
                f"Change in search interest over the last {RECENT_WEEKS} complete weeks "
                "against the same weeks a year earlier, per province and territory. Growth "
                "is a ratio, so provinces compare fairly even though each province's interest "
                "is on its own scale."
            ),
            synthetic_banner(visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.TOPIC, "Topic", topics, "topic_id", topic),
            dcc.Loading(dcc.Graph(id=Ids.MAP, config={"displaylogo": False})),
            html.Div(id=Ids.TABLE),
        ]
    )


def regional_growth(data: DashboardData, topic_id: str) -> pl.DataFrame:
    frame = data.topic_interest_by_region(topic_id)
    shown, _ = interest_values(frame)
    momentum = topic_momentum(shown, RECENT_WEEKS, by=("region_code",))
    names = data.regions().select("region_code", pl.col("name_en").alias("region_name"))
    return names.join(momentum, on="region_code", how="left").with_columns(
        value=pl.col("growth") * 100
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(
        Output(Ids.MAP, "figure"),
        Output(Ids.TABLE, "children"),
        Output(Ids.BANNER, "hidden"),
        Input(Ids.TOPIC, "value"),
    )
    def update(topic_id: Any) -> tuple[dict[str, Any], html.Table, bool]:
        topics = data.topics()
        if not isinstance(topic_id, str) or topic_id not in topics["topic_id"].to_list():
            raise dash.exceptions.PreventUpdate
        name = topics.filter(pl.col("topic_id") == topic_id)["name_en"][0]
        growth = regional_growth(data, topic_id)
        synthetic = bool(growth["is_synthetic"].fill_null(False).any())
        figure = province_choropleth(
            growth.filter(pl.col("region_code") != "CA"),
            value_label="% change vs a year ago",
            title=f"{name}: change in search interest vs a year ago",
            synthetic=synthetic,
            diverging=True,
        )
        table = frame_table(
            growth.sort("growth", descending=True, nulls_last=True),
            {"region_name": "Region", "growth": "Change vs a year ago",
             "recent_mean": "Recent level (own scale)"},
            f"{name}: change by region (table alternative to the map)",
            {"growth": percent},
        )  # fmt: skip
        return for_dash(figure), table, not synthetic
