"""Labour market: a topic's search interest next to its occupations' vacancies and postings,
and the programs already on offer, on one calendar."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import dash
import plotly.graph_objects as go
import polars as pl
from dash import Input, Output, dcc, html
from plotly.subplots import make_subplots

from credtrends.transforms.alignment import weekly_to_period
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import frame_table
from credtrends.web.data import DashboardData
from credtrends.web.figures import PALETTE, for_dash, interest_values

PATH = "/labour"
TITLE = "Labour market"
MEASURE_LABELS = {
    "job_vacancies": "job vacancies (StatCan, quarterly)",
    "job_postings": "job postings (Job Bank, monthly)",
    "job_posting_vacancies": "vacancies in postings (Job Bank, monthly)",
    "avg_offered_hourly_wage": "average offered hourly wage",
}
SHOWN_MEASURES = ("job_vacancies", "job_postings")


class Ids(StrEnum):
    TOPIC = "labour-topic"
    REGION = "labour-region"
    BANNER = "labour-synthetic-banner"
    GRAPH = "labour-graph"
    TABLE = "labour-table"


def layout(
    data: DashboardData, topic: str | None = None, region: str | None = None, **_: Any
) -> html.Div:
    return html.Div(
        [
            html.H1(TITLE),
            html.P(
                "Search interest (averaged per month) next to the job vacancies and postings "
                "of the occupations linked to the topic (NOC 2021, from config/topics.yaml), "
                "and the programs already on offer. Empty stretches are suppressed or missing "
                "values, never zeros."
            ),
            synthetic_banner(visible=False, component_id=Ids.BANNER),
            html.Div(
                [
                    choice_dropdown(
                        Ids.TOPIC, "Topic", data.topics(), "topic_id", topic, wide=True
                    ),
                    choice_dropdown(
                        Ids.REGION, "Region", data.regions(), "region_code", region, "CA-ON"
                    ),
                ],
                className="controls",
            ),
            dcc.Loading(dcc.Graph(id=Ids.GRAPH, config={"displaylogo": False})),
            html.Div(id=Ids.TABLE),
        ]
    )


def any_synthetic(*frames: pl.DataFrame) -> bool:
    return any(bool(frame["is_synthetic"].any()) for frame in frames if frame.height)


def labour_figure(
    interest: pl.DataFrame,
    labour: pl.DataFrame,
    portal: pl.DataFrame,
    occupation_titles: dict[str, str],
    title: str,
    scale_note: str,
) -> go.Figure:
    """Three panels on one time axis: demand signal, labour demand, supply."""
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(
            "Search interest (monthly mean)",
            "Labour demand, linked occupations",
            "Programs on offer",
        ),
    )
    figure.add_trace(
        go.Scatter(
            x=interest["period_start"].to_list(),
            y=interest["value"].to_list(),
            mode="lines",
            name="search interest",
            line={"color": "#1b6ca8"},
        ),
        row=1,
        col=1,
    )
    shown = labour.filter(pl.col("measure").is_in(SHOWN_MEASURES))
    several_sources = shown["source"].n_unique() > 1
    # One line per occupation, measure and source: numbers from two sources never join.
    for index, ((noc, measure, source), series) in enumerate(
        shown.group_by("noc_code", "measure", "source", maintain_order=True)
    ):
        label = f"{occupation_titles.get(str(noc), noc)} [{noc}]: {MEASURE_LABELS[str(measure)]}"
        if several_sources:
            label += f" ({source})"
        figure.add_trace(
            go.Scatter(
                x=series["period_start"].to_list(),
                y=series["value"].to_list(),
                mode="lines+markers" if measure == "job_vacancies" else "lines",
                name=label,
                line={
                    "color": PALETTE[index % len(PALETTE)],
                    "dash": "solid" if measure == "job_vacancies" else "dot",
                },
                customdata=series["status"].fill_null("").to_list(),
                hovertemplate=f"{label}<br>%{{x|%Y-%m}}: %{{y:,.0f}} %{{customdata}}"
                "<extra></extra>",
                connectgaps=False,
            ),
            row=2,
            col=1,
        )
    offered = portal.filter(pl.col("measure") == "programs_offered")
    figure.add_trace(
        go.Bar(
            x=offered["period_start"].to_list(),
            y=offered["value"].to_list(),
            name="programs offered",
            marker={"color": "#66a182"},
        ),
        row=3,
        col=1,
    )
    synthetic = any_synthetic(interest, labour, portal)
    notes = [
        {
            "text": scale_note,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": -0.12,
            "showarrow": False,
            "font": {"size": 11, "color": "#555"},
            "xanchor": "left",
        }
    ]
    if synthetic:
        notes.append(
            {
                "text": "SYNTHETIC DEMO DATA",
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1.08,
                "showarrow": False,
                "font": {"color": "#9a3412"},
                "xanchor": "right",
            }
        )
    figure.update_layout(
        title={"text": title, "x": 0},
        height=820,
        legend={"orientation": "h", "y": -0.18},
        margin={"t": 90, "b": 160},
    )
    for note in notes:
        figure.add_annotation(note)
    return figure


def latest_table(labour: pl.DataFrame, occupations: pl.DataFrame) -> html.Table:
    latest = (
        labour.filter(pl.col("measure").is_in(SHOWN_MEASURES))
        .sort("period_start")
        .group_by("noc_code", "measure", "source")
        .last()
        .with_columns(
            period=pl.col("period_start").dt.strftime("%Y-%m"),
            measure=pl.col("measure").replace_strict(MEASURE_LABELS, default=pl.col("measure")),
        )
    )
    rows = occupations.join(latest, on="noc_code", how="left").sort("noc_code", "measure")
    return frame_table(
        rows,
        {
            "noc_code": "NOC 2021",
            "title_en": "Occupation",
            "measure": "Measure",
            "period": "Latest period",
            "value": "Value",
            "status": "Status",
            "source": "Source",
        },
        "Linked occupations, latest values (status E: use with caution; x, F, ..: suppressed)",
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(
        Output(Ids.GRAPH, "figure"),
        Output(Ids.TABLE, "children"),
        Output(Ids.BANNER, "hidden"),
        Input(Ids.TOPIC, "value"),
        Input(Ids.REGION, "value"),
    )
    def update(topic_id: Any, region: Any) -> tuple[dict[str, Any], html.Table, bool]:
        topics = data.topics()
        regions = data.regions()
        if (
            topic_id not in topics["topic_id"].to_list()
            or region not in regions["region_code"].to_list()
        ):
            raise dash.exceptions.PreventUpdate
        occupations = data.linked_occupations(topic_id)
        weekly, scale_note = interest_values(data.interest_over_time((topic_id,), region))
        interest = weekly_to_period(
            weekly.select("period_start", "value", "is_partial"), "month"
        ).join(
            weekly.group_by(pl.col("period_start").dt.truncate("1mo")).agg(
                pl.col("is_synthetic").any()
            ),
            on="period_start",
            how="left",
        )
        labour = data.labour_observations(occupations["noc_code"].to_list(), region)
        portal = data.portal_counts(topic_id, region)
        names = dict(zip(topics["topic_id"], topics["name_en"], strict=True))
        region_names = dict(zip(regions["region_code"], regions["name_en"], strict=True))
        titles = dict(zip(occupations["noc_code"], occupations["title_en"], strict=True))
        figure = labour_figure(
            interest,
            labour,
            portal,
            titles,
            f"{names[topic_id]} in {region_names[region]}",
            scale_note,
        )
        synthetic = any_synthetic(interest, labour, portal)
        return for_dash(figure), latest_table(labour, occupations), not synthetic
