"""Labour market: a topic's search interest next to its occupations' vacancies and postings,
and the programs already on offer, on one calendar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import plotly.graph_objects as go
import polars as pl
from dash import dcc, html
from plotly.subplots import make_subplots

from credtrends.transforms.series_views import mark_unfinished, to_granularity
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import chart_block, table_downloads
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import view_table
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import PALETTE, for_dash, interest_values, synthetic_note
from credtrends.web.i18n import N_, Translator
from credtrends.web.page_state import LabourState
from credtrends.web.table_text import display_frame
from credtrends.web.unfinished import unfinished_note, unfinished_periods
from credtrends.web.views import ChartView, ViewTable, permalink, sources_of, synthetic_in

NAME = "labour"
PATH = "/labour"
TITLE_KEY = N_("page_labour")
CHART_KEY = "main"
SHOWN_MEASURES = ("job_vacancies", "job_postings")


class Ids:
    TOPIC = "labour-topic"
    REGION = "labour-region"
    BANNER = "labour-synthetic-banner"
    TABLE = "labour-table"
    REPORT = "labour-report"
    LANG = "labour-lang"


IDS = {"banner": Ids.BANNER, "report": Ids.REPORT, "lang": Ids.LANG}


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> LabourState:
    return LabourState.parse(
        query,
        topics=data.topics()["topic_id"].to_list(),
        regions=data.regions()["region_code"].to_list(),
    )


MEASURE_LABELS = {
    "job_vacancies": N_("measure_job_vacancies"),
    "job_postings": N_("measure_job_postings"),
    "job_posting_vacancies": N_("measure_job_posting_vacancies"),
    "avg_offered_hourly_wage": N_("measure_avg_offered_hourly_wage"),
}


def measure_label(measure: str, tr: Translator) -> str:
    return tr(MEASURE_LABELS[measure])


def labour_figure(
    interest: pl.DataFrame,
    labour: pl.DataFrame,
    portal: pl.DataFrame,
    occupation_titles: dict[str, str],
    title: str,
    scale_note: str,
    tr: Translator,
) -> go.Figure:
    """Three panels on one time axis: demand signal, labour demand, supply."""
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(
            tr("labour_panel_interest"),
            tr("labour_panel_labour"),
            tr("labour_panel_supply"),
        ),
    )
    _add_interest_panel(figure, interest, tr)
    _add_labour_panel(figure, labour, occupation_titles, tr)
    _add_supply_panel(figure, portal, tr)
    figure.update_layout(
        title={"text": title, "x": 0},
        height=820,
        legend={"orientation": "h", "y": -0.18},
        margin={"t": 90, "b": 160},
    )
    figure.add_annotation(
        text=scale_note, xref="paper", yref="paper", x=0, y=-0.12, showarrow=False,
        font={"size": 11, "color": "#555"}, xanchor="left",
    )  # fmt: skip
    if synthetic_in(interest, labour, portal):
        figure.add_annotation(synthetic_note(tr, y=1.06))
    return figure


def _add_interest_panel(figure: go.Figure, interest: pl.DataFrame, tr: Translator) -> None:
    """Panel 1: the topic's search interest, its unfinished period marked."""
    final_interest = interest.filter(~pl.col("is_unfinished"))
    figure.add_trace(
        go.Scatter(
            x=final_interest["period_start"].to_list(),
            y=final_interest["value"].to_list(),
            mode="lines",
            name=tr("labour_interest"),
            line={"color": PALETTE[0]},
        ),
        row=1,
        col=1,
    )
    add_unfinished(figure, interest, PALETTE[0], tr("labour_interest"), tr, row=1)


def _add_labour_panel(
    figure: go.Figure, labour: pl.DataFrame, occupation_titles: dict[str, str], tr: Translator
) -> None:
    """Panel 2: one line per occupation, measure and source (numbers from two sources
    never join), vacancies solid with markers, postings dotted; quality flags on hover."""
    shown = labour.filter(pl.col("measure").is_in(SHOWN_MEASURES))
    several_sources = shown["source"].n_unique() > 1
    for index, ((noc, measure, source), series) in enumerate(
        shown.group_by("noc_code", "measure", "source", maintain_order=True)
    ):
        label = tr(
            "labour_line", occupation=occupation_titles.get(str(noc), noc), noc=noc,
            measure=measure_label(str(measure), tr),
        )  # fmt: skip
        if several_sources:
            label += f" ({source})"
        color = PALETTE[(index + 1) % len(PALETTE)]
        month = tr.plotly_date("month")
        final = series.filter(~pl.col("is_unfinished"))
        figure.add_trace(
            go.Scatter(
                x=final["period_start"].to_list(),
                y=final["value"].to_list(),
                mode="lines+markers" if measure == "job_vacancies" else "lines",
                name=label,
                line={"color": color, "dash": "solid" if measure == "job_vacancies" else "dot"},
                customdata=final["status"].fill_null("").to_list(),
                hovertemplate=f"{label}<br>%{{x|{month}}}: %{{y:,.0f}} %{{customdata}}"
                "<extra></extra>",
                connectgaps=False,
            ),
            row=2,
            col=1,
        )
        add_unfinished(figure, series, color, label, tr, row=2)


def _add_supply_panel(figure: go.Figure, portal: pl.DataFrame, tr: Translator) -> None:
    """Panel 3: programs on offer per month; an unfinished month's bar is hatched and pale,
    not a final count."""
    offered = portal.filter(pl.col("measure") == "programs_offered")
    figure.add_trace(
        go.Bar(
            x=offered["period_start"].to_list(),
            y=offered["value"].to_list(),
            name=tr("labour_programs"),
            marker={
                "color": PALETTE[6],
                "opacity": [0.45 if flag else 1.0 for flag in offered["is_unfinished"]],
                "pattern": {"shape": ["/" if flag else "" for flag in offered["is_unfinished"]]},
            },
        ),
        row=3,
        col=1,
    )


def add_unfinished(
    figure: go.Figure, series: pl.DataFrame, color: str, label: str, tr: Translator, row: int
) -> None:
    """The unfinished periods of one line: open markers on a thin dotted segment from the
    last final value, so they are never read as a drop (or a rise) of the line itself."""
    unfinished = series.filter(pl.col("is_unfinished"))
    if unfinished.is_empty():
        return
    final = series.filter(~pl.col("is_unfinished") & pl.col("value").is_not_null()).tail(1)
    segment = pl.concat([final.select("period_start", "value"),
                         unfinished.select("period_start", "value")])  # fmt: skip
    mark = tr("unfinished_point")
    month = tr.plotly_date("month")
    figure.add_trace(
        go.Scatter(
            x=segment["period_start"].to_list(),
            y=segment["value"].to_list(),
            mode="lines+markers",
            name=f"{label} ({mark})",
            showlegend=False,
            line={"color": color, "dash": "dot", "width": 1},
            marker={"color": color, "symbol": ["circle"] * final.height
                    + ["circle-open"] * unfinished.height, "size": 9},
            hovertemplate=f"{label}<br>%{{x|{month}}}: %{{y:,.0f}} ({mark})<extra></extra>",
        ),
        row=row,
        col=1,
    )  # fmt: skip


def latest_rows(labour: pl.DataFrame, occupations: pl.DataFrame, tr: Translator) -> pl.DataFrame:
    """The newest value of each occupation and measure; an unfinished period says so."""
    labour = labour if "is_unfinished" in labour.columns else mark_unfinished(labour)
    latest = (
        labour.filter(pl.col("measure").is_in(SHOWN_MEASURES))
        .sort("period_start")
        .group_by("noc_code", "measure", "source")
        .last()
        .with_columns(
            period=pl.col("period_start").dt.strftime("%Y-%m")
            + pl.when(pl.col("is_unfinished"))
            .then(pl.lit(tr("unfinished_table_note")))
            .otherwise(pl.lit("")),
            measure_name=pl.col("measure").replace_strict(
                {m: measure_label(m, tr) for m in SHOWN_MEASURES}, default=pl.col("measure")
            ),
        )
    )
    title_column = "title_fr" if tr.lang == "fr" else "title_en"
    return (
        occupations.with_columns(title=pl.coalesce(title_column, "title_en"))
        .join(latest, on="noc_code", how="left")
        .sort("noc_code", "measure")
    )


def latest_view_table(data: DashboardData, state: LabourState, tr: Translator) -> ViewTable:
    """The latest values table as shown, with its rows for downloads."""
    occupations = data.linked_occupations(state.topic)
    observations = data.labour_observations(occupations["noc_code"].to_list(), state.region)
    rows = latest_rows(mark_unfinished(observations), occupations, tr)
    columns = {
        "noc_code": tr("col_noc"), "title": tr("col_occupation"),
        "measure_name": tr("col_measure"), "period": tr("col_period"),
        "value": tr("col_value"), "status": tr("col_status"), "source": tr("col_source"),
    }  # fmt: skip
    kept = rows.select(
        "noc_code", "measure", "period_start", "value", "is_unfinished", "status", "source",
        "is_synthetic",
    )  # fmt: skip
    return ViewTable("latest", "", tr("labour_table"), display_frame(rows, columns, tr), kept)


def view_tables(data: DashboardData, state: LabourState, tr: Translator) -> list[ViewTable]:
    """The latest values of the linked occupations, after the chart."""
    return [latest_view_table(data, state, tr)]


def _frames(
    data: DashboardData, state: LabourState
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, str]:
    occupations = data.linked_occupations(state.topic)
    weekly, axis_key = interest_values(data.interest_over_time((state.topic,), state.region))
    # months of complete weeks; the newest month still running is marked unfinished
    interest = to_granularity(
        weekly.select(
            "period_start", "value", "is_partial", "source", "is_synthetic",
            series=pl.lit("search_interest"),
        ),
        "month",
    ).with_columns(is_unfinished=pl.col("is_partial"))  # fmt: skip
    labour = mark_unfinished(
        data.labour_observations(occupations["noc_code"].to_list(), state.region)
    )
    portal = mark_unfinished(data.portal_counts(state.topic, state.region))
    return occupations, interest, labour, portal, axis_key


def _long(interest: pl.DataFrame, labour: pl.DataFrame, portal: pl.DataFrame) -> pl.DataFrame:
    """The three panels' numbers in one long table, as the chart shows them."""
    columns = [
        "panel", "series", "granularity", "period_start", "value", "is_unfinished", "status",
        "source", "is_synthetic",
    ]  # fmt: skip
    parts = [
        interest.select(
            panel=pl.lit("search_interest"), series=pl.lit("search_interest"),
            granularity=pl.lit("month"),
            period_start="period_start", value="value", is_unfinished="is_unfinished",
            status=pl.lit(None, pl.String), source="source", is_synthetic="is_synthetic",
        ),
        labour.filter(pl.col("measure").is_in(SHOWN_MEASURES)).select(
            panel=pl.lit("labour"), series=pl.col("noc_code") + ":" + pl.col("measure"),
            granularity="granularity",
            period_start="period_start", value="value", is_unfinished="is_unfinished",
            status="status", source="source", is_synthetic="is_synthetic",
        ),
        portal.filter(pl.col("measure") == "programs_offered").select(
            panel=pl.lit("programs"), series=pl.col("measure"), granularity="granularity",
            period_start="period_start",
            value="value", is_unfinished="is_unfinished", status=pl.lit(None, pl.String),
            source="source", is_synthetic="is_synthetic",
        ),
    ]  # fmt: skip
    return pl.concat([part.select(columns) for part in parts], how="vertical_relaxed")


def _summary(
    topic: str, region: str, occupations: pl.DataFrame, labour: pl.DataFrame,
    portal: pl.DataFrame, tr: Translator,
) -> str:  # fmt: skip
    if occupations.is_empty():
        return tr("labour_no_links")
    # the newest final quarter: an unfinished one is still being counted
    vacancies = labour.filter(
        (pl.col("measure") == "job_vacancies") & ~pl.col("is_unfinished")
    ).sort("period_start")
    latest = vacancies.group_by("noc_code").last()["value"].sum() if vacancies.height else None
    offered = portal.filter(pl.col("measure") == "programs_offered").sort("period_start")
    return tr(
        "labour_summary", topic=topic, region=region, occupations=occupations.height,
        vacancies=tr.integer(latest),
        programs=tr.integer(offered["value"][-1]) if offered.height else "–",
    )  # fmt: skip


def chart_views(data: DashboardData, state: LabourState, tr: Translator) -> list[ChartView]:
    occupations, interest, labour, portal, axis_key = _frames(data, state)
    topic = tr.names(data.topics(), "topic_id").get(state.topic, state.topic)
    region = tr.names(data.regions(), "region_code").get(state.region, state.region)
    title_column = "title_fr" if tr.lang == "fr" else "title_en"
    titles = dict(occupations.select("noc_code", pl.coalesce(title_column, "title_en")).iter_rows())
    title = tr("labour_title", topic=topic, region=region)
    figure = labour_figure(
        interest, labour, portal, titles, title, tr(axis_key).replace("<br>", " "), tr
    )
    displayed = _long(interest, labour, portal)
    info = ExportInfo(
        title=title,
        sources=sources_of(interest, labour, portal),
        synthetic=synthetic_in(interest, labour, portal),
        permalink=permalink(PATH, state),
        notes=[tr("labour_table"), *unfinished_note(unfinished_periods(displayed, tr), tr)],
        lang=tr.lang,
    )
    summary = _summary(topic, region, occupations, labour, portal, tr)
    return [ChartView(CHART_KEY, title, for_dash(figure, tr), displayed, displayed, summary, info)]


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    state = parse_state(data, query)
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("labour_intro")),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            html.Div(
                [
                    choice_dropdown(Ids.TOPIC, tr("topic"), data.topics(), "topic_id",
                                    state.topic, tr, wide=True),
                    choice_dropdown(Ids.REGION, tr("region"), data.regions(), "region_code",
                                    state.region, tr),
                ],
                className="controls",
            ),
            chart_block(NAME, CHART_KEY, tr),
            html.Div(id=Ids.TABLE),
            html.Div(id=Ids.REPORT),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )  # fmt: skip


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import labour

    def extras(state: LabourState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        notes = [html.P(note, className="note unfinished-note") for note in view.info.notes[1:]]
        (latest,) = view_tables(data, state, tr)
        return ([*notes, view_table(latest, table_downloads(NAME, latest.key, state, tr))],)

    register_view_callback(
        app, data, labour, IDS, {"topic": Ids.TOPIC, "region": Ids.REGION},
        [(Ids.TABLE, "children")], extras, required=("topic",),
    )  # fmt: skip
