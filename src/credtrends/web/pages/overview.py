"""Overview: which topics people search most, which rise and fall, how fresh the data is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import plotly.graph_objects as go
import polars as pl
from dash import dcc, html

from credtrends.forecasting import rank_emerging
from credtrends.transforms.scores import GROWTH_WEEKS
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import chart_block, table_downloads
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import sources_frame, view_table
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import empty_figure, for_dash, interest_values, synthetic_note
from credtrends.web.growth import growth_definition, last_weeks_text, region_momentum
from credtrends.web.i18n import N_, Translator
from credtrends.web.page_state import OverviewState
from credtrends.web.table_text import display_frame
from credtrends.web.views import ChartView, ViewTable, permalink, sources_of, synthetic_in

NAME = "overview"
PATH = "/"
TITLE_KEY = N_("page_overview")
CHART_KEY = "top"
RECENT_WEEKS = GROWTH_WEEKS
TOP_N = 15


class Ids:
    REGION = "overview-region"
    BANNER = "overview-synthetic-banner"
    MOVERS = "overview-movers"
    FRESHNESS = "overview-freshness"
    REPORT = "overview-report"
    LANG = "overview-lang"
    GROWTH_NOTE = "overview-growth-note"


IDS = {"banner": Ids.BANNER, "report": Ids.REPORT, "lang": Ids.LANG}


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> OverviewState:
    return OverviewState.parse(query, regions=data.regions()["region_code"].to_list())


def momentum_for(data: DashboardData, region_code: str, tr: Translator) -> tuple[pl.DataFrame, str]:
    """Every topic's level and growth in the region: the one growth figure of every page."""
    topics = data.topics()
    momentum, axis_key = region_momentum(data, region_code)
    names = pl.DataFrame(
        {
            "topic_id": list(tr.names(topics, "topic_id")),
            "name": list(tr.names(topics, "topic_id").values()),
        }
    )
    return momentum.join(names, on="topic_id", how="left"), tr(axis_key)


def _labels(top: pl.DataFrame, several_sources: bool) -> list[str]:
    return [
        f"{name} ({source})" if several_sources else str(name)
        for name, source in zip(top["name"].to_list(), top["source"].to_list(), strict=True)
    ]


def top_topics_figure(
    momentum: pl.DataFrame, region_name: str, scale_note: str, tr: Translator
) -> go.Figure:
    if momentum.is_empty():
        return empty_figure(tr("no_interest"))
    top = momentum.head(TOP_N).reverse()
    figure = go.Figure(
        go.Bar(
            x=top["recent_mean"].to_list(),
            y=_labels(top, momentum["source"].n_unique() > 1),
            orientation="h",
            marker={"color": "#0072B2"},
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    annotations = [synthetic_note(tr)] if bool(momentum["is_synthetic"].any()) else []
    figure.update_layout(
        # the weeks on a line of their own: one line ran out of a phone's width
        title={
            "text": tr("overview_top_heading", region=region_name)
            + f"<br><sup>{last_weeks_text(momentum, tr)}</sup>",
            "x": 0,
        },
        xaxis={"title": {"text": scale_note}},
        height=160 + 28 * top.height,
        margin={"l": 260, "r": 20, "t": 80, "b": 70},
        annotations=annotations,
    )
    return figure


def _title(momentum: pl.DataFrame, region_name: str, tr: Translator) -> str:
    """ "Most searched topics in Canada, last 12 weeks (Sep 8–Nov 30, 2026)"."""
    return tr("overview_top_title_dated", region=region_name, window=last_weeks_text(momentum, tr))


def _top_summary(momentum: pl.DataFrame, region_name: str, tr: Translator) -> str:
    if momentum.is_empty():
        return tr("no_interest")
    names = momentum["name"].to_list()
    window = last_weeks_text(momentum, tr)
    if len(names) == 1:
        return tr("overview_top_summary_one_dated", region=region_name, first=names[0],
                  window=window)  # fmt: skip
    return tr(
        "overview_top_summary_dated", region=region_name, first=names[0], second=names[1],
        window=window,
    )  # fmt: skip


def chart_views(data: DashboardData, state: OverviewState, tr: Translator) -> list[ChartView]:
    region_name = tr.names(data.regions(), "region_code").get(state.region, state.region)
    momentum, scale_note = momentum_for(data, state.region, tr)
    title = _title(momentum, region_name, tr)
    figure = top_topics_figure(momentum, region_name, scale_note, tr)
    displayed = momentum.head(TOP_N).select(
        "topic_id",
        "name",
        "source",
        recent_mean=pl.col("recent_mean"),
        growth=pl.col("growth"),
        is_synthetic=pl.col("is_synthetic"),
    )
    info = ExportInfo(
        title=title,
        sources=sources_of(momentum),
        synthetic=synthetic_in(momentum),
        permalink=permalink(PATH, state),
        notes=[
            scale_note.replace("<br>", " "),
            growth_definition(momentum, tr),
            tr("caveat_partial"),
        ],
        lang=tr.lang,
    )
    table = display_frame(
        displayed,
        {"name": tr("topic"), "recent_mean": tr("level"), "growth": tr("change_year")},
        tr,
        {"growth": tr.percent},
    )
    return [
        ChartView(CHART_KEY, title, for_dash(figure, tr), momentum, displayed,
                  _top_summary(momentum, region_name, tr), info, table)
    ]  # fmt: skip


def movers_tables(momentum: pl.DataFrame, tr: Translator) -> list[ViewTable]:
    moving = momentum.filter(pl.col("growth").is_not_null())
    columns = {"name": tr("topic"), "growth": tr("change_year"), "recent_mean": tr("level")}
    formats = {"growth": tr.percent}
    tables = []
    for key, caption, rows in (
        ("risers", N_("risers"), moving.sort("growth", descending=True).head(8)),
        ("fallers", N_("fallers"), moving.sort("growth").head(8)),
    ):
        data = rows.select("topic_id", "name", "growth", "recent_mean", "source", "is_synthetic")
        tables.append(
            ViewTable(key, "", tr(caption), display_frame(rows, columns, tr, formats), data)
        )
    return tables


def emerging_table(
    data: DashboardData, region_code: str, momentum: pl.DataFrame, tr: Translator
) -> ViewTable:
    """Topics taking off, ranked on growth, acceleration and trend breaks; the change shown is
    the site's one growth figure (``momentum``), the same number as in risers and fallers."""
    names = tr.names(data.topics(), "topic_id")
    growth = momentum.sort("is_synthetic", "source").unique("topic_id", keep="first")

    def rank() -> pl.DataFrame:
        shown, _ = interest_values(data.interest_over_time(tuple(names), region_code))
        series = shown.select(
            series_id="topic_id", period="period_start", value="value", is_partial="is_partial"
        )
        return rank_emerging(series, "week")

    ranked = (
        data.derived(f"emerging:{region_code}", rank)
        .join(growth.select(series_id="topic_id", growth="growth"), on="series_id", how="left")
        .drop("growth_pct")
    ).with_columns(
        topic=pl.col("series_id").replace_strict(names, default=pl.col("series_id")),
        acceleration=pl.col("acceleration_pct") / 100,
        trend_break=pl.when(pl.col("break_flag"))
        .then(
            pl.col("break_period").map_elements(
                lambda day: tr("since", when=tr.month(day)), return_dtype=pl.String
            )
        )
        .otherwise(pl.lit(tr("no"))),
    )
    columns = {
        "rank": tr("rank"),
        "topic": tr("topic"),
        "growth": tr("change_year"),
        "acceleration": tr("acceleration"),
        "trend_break": tr("trend_break"),
        "score": tr("score"),
    }
    shown = display_frame(
        ranked.head(8), columns, tr, {"growth": tr.percent, "acceleration": tr.percent}
    )
    return ViewTable("emerging", "", tr("emerging_dated"), shown, ranked.head(8))


def view_tables(data: DashboardData, state: OverviewState, tr: Translator) -> list[ViewTable]:
    """Risers, fallers, emerging topics and data freshness, in the page's order."""
    momentum, _ = momentum_for(data, state.region, tr)
    sources, shown_sources = sources_frame(data, tr)
    return [
        *movers_tables(momentum, tr),
        emerging_table(data, state.region, momentum, tr),
        ViewTable("freshness", "", tr("freshness"), shown_sources, sources),
    ]


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    state = parse_state(data, query)
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("overview_intro", weeks=RECENT_WEEKS)),
            html.P(id=Ids.GROWTH_NOTE, className="note growth-definition"),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.REGION, tr("region"), data.regions(), "region_code",
                            state.region, tr),
            chart_block(NAME, CHART_KEY, tr),
            html.Div(id=Ids.REPORT),
            html.Div(id=Ids.MOVERS),
            html.Div(id=Ids.FRESHNESS),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )  # fmt: skip


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import overview

    def extras(state: OverviewState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        risers, fallers, emerging, freshness = (
            view_table(table, table_downloads(NAME, table.key, state, tr))
            for table in view_tables(data, state, tr)
        )
        movers = [html.Div([risers, fallers], className="grid-2"), emerging]
        momentum, _ = momentum_for(data, state.region, tr)
        return movers, freshness, growth_definition(momentum, tr)

    register_view_callback(
        app, data, overview, IDS, {"region": Ids.REGION},
        [(Ids.MOVERS, "children"), (Ids.FRESHNESS, "children"), (Ids.GROWTH_NOTE, "children")],
        extras,
    )  # fmt: skip
