"""Program demand: where demand is high and rising but few programs are on offer."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import dash
import dash_ag_grid as dag
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, dcc, html

from credtrends.transforms.demand_supply import SCORE_FORMULA, opportunity_table
from credtrends.transforms.scores import topic_momentum
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.data import DashboardData
from credtrends.web.figures import empty_figure, for_dash, interest_values

PATH = "/program-demand"
TITLE = "Program demand"
RECENT_WEEKS = 12


class Ids(StrEnum):
    REGION = "demand-region"
    BANNER = "demand-synthetic-banner"
    QUADRANT = "demand-quadrant"
    GRID = "demand-grid"


PERCENT = "params.value == null ? '–' : d3.format('+.0%')(params.value)"
COUNT = "params.value == null ? '–' : d3.format(',.0f')(params.value)"
DECIMAL = "params.value == null ? '–' : d3.format('.2f')(params.value)"


def _column(field: str, header: str, formatter: str, **extra: Any) -> dict[str, Any]:
    return {
        "field": field,
        "headerName": header,
        "valueFormatter": {"function": formatter},
        **extra,
    }


COLUMNS = [
    {"field": "name_en", "headerName": "Topic", "pinned": "left", "minWidth": 220},
    _column("score", "Score", DECIMAL, sort="desc"),
    _column("demand_level", "Search level", DECIMAL),
    _column("demand_growth", "Search growth (yr)", PERCENT),
    _column("forecast_growth", "Forecast growth", PERCENT),
    _column("vacancies", "Vacancies (4 qtrs)", COUNT),
    _column("vacancy_growth", "Vacancy growth", PERCENT),
    _column("programs", "Programs offered", COUNT),
]


def layout(data: DashboardData, region: str | None = None, **_: Any) -> html.Div:
    regions = data.regions()
    return html.Div(
        [
            html.H1(TITLE),
            html.P(
                "For planners and program designers: each topic's search demand and where it "
                "is heading, labour demand in the linked occupations, and how many programs "
                "are already on offer. Bottom right of the chart: high demand, little supply."
            ),
            html.P([html.Strong("How the score is computed: "), SCORE_FORMULA], className="note"),
            synthetic_banner(visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.REGION, "Region", regions, "region_code", region, "CA-ON"),
            dcc.Loading(dcc.Graph(id=Ids.QUADRANT, config={"displaylogo": False})),
            dag.AgGrid(
                id=Ids.GRID,
                columnDefs=COLUMNS,
                rowData=[],
                defaultColDef={"sortable": True, "resizable": True, "filter": True},
                columnSize="autoSize",
                style={"height": "520px"},
                dashGridOptions={"animateRows": False},
            ),
        ]
    )


def region_opportunities(data: DashboardData, region_code: str) -> pl.DataFrame:
    topics = data.topics()
    topic_ids = tuple(topics["topic_id"].to_list())
    shown, _ = interest_values(data.interest_over_time(topic_ids, region_code))
    momentum = topic_momentum(shown, RECENT_WEEKS)
    links = data.topic_occupation_links()
    labour = data.labour_observations(links["noc_code"].unique().to_list(), region_code)
    table = opportunity_table(
        momentum,
        data.latest_forecasts(topic_ids, region_code),
        labour,
        links,
        data.portal_counts_in_region(region_code),
    )
    synthetic = bool(shown["is_synthetic"].any()) if shown.height else False
    return table.join(topics.select("topic_id", "name_en"), on="topic_id").with_columns(
        is_synthetic=pl.lit(synthetic)
    )


def quadrant_figure(table: pl.DataFrame, region_name: str) -> go.Figure:
    """Demand (x) against supply per unit of demand (y); colour is the score."""
    usable = table.filter(pl.col("programs_per_demand").is_not_null())
    if usable.is_empty():
        return empty_figure("No programs-on-offer data for this region yet.")
    figure = go.Figure(
        go.Scatter(
            x=usable["demand_level"].to_list(),
            y=usable["programs_per_demand"].to_list(),
            mode="markers+text",
            text=usable["name_en"].to_list(),
            textposition="top center",
            marker={"size": 12, "color": usable["score"].to_list(), "colorscale": "Viridis",
                    "colorbar": {"title": {"text": "score"}}},
            hovertemplate="%{text}<br>search level %{x:.1f}<br>programs per unit of demand "
            "%{y:.2f}<extra></extra>",
        )
    )  # fmt: skip
    x_mid = float(usable["demand_level"].median() or 0)  # type: ignore[arg-type]
    y_mid = float(usable["programs_per_demand"].median() or 0)  # type: ignore[arg-type]
    figure.add_vline(x=x_mid, line={"dash": "dot", "color": "#999"})
    figure.add_hline(y=y_mid, line={"dash": "dot", "color": "#999"})
    annotations = [
        {"text": "high demand, low supply", "x": 1, "y": 0, "xref": "paper", "yref": "paper",
         "xanchor": "right", "yanchor": "bottom", "showarrow": False, "font": {"color": "#166534"}},
    ]  # fmt: skip
    if bool(table["is_synthetic"].any()):
        annotations.append(
            {"text": "SYNTHETIC DEMO DATA", "x": 1, "y": 1.05, "xref": "paper", "yref": "paper",
             "xanchor": "right", "showarrow": False, "font": {"color": "#9a3412"}}
        )  # fmt: skip
    figure.update_layout(
        title={"text": f"Demand and supply in {region_name}", "x": 0},
        xaxis={"title": {"text": f"Search level, last {RECENT_WEEKS} weeks"}},
        yaxis={"title": {"text": "Programs offered per unit of search interest"}, "type": "log"},
        height=560,
        annotations=annotations,
    )
    return figure


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(
        Output(Ids.QUADRANT, "figure"),
        Output(Ids.GRID, "rowData"),
        Output(Ids.BANNER, "hidden"),
        Input(Ids.REGION, "value"),
    )
    def update(region: Any) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
        regions = data.regions()
        names = dict(zip(regions["region_code"], regions["name_en"], strict=True))
        if not isinstance(region, str) or region not in names:
            raise dash.exceptions.PreventUpdate
        table = region_opportunities(data, region)
        synthetic = bool(table["is_synthetic"].any()) if table.height else False
        return (
            for_dash(quadrant_figure(table, names[region])),
            table.drop("is_synthetic").to_dicts(),
            not synthetic,
        )
