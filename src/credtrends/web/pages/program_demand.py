"""Program demand: where demand is high and rising but few programs are on offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_ag_grid as dag
import plotly.graph_objects as go
import polars as pl
from dash import dcc, html

from credtrends.transforms.demand_supply import opportunity_table
from credtrends.transforms.scores import topic_momentum
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import (
    chart_block,
)
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import empty_figure, for_dash, interest_values, synthetic_note
from credtrends.web.i18n import Translator, parse_lang
from credtrends.web.table_text import display_frame
from credtrends.web.views import (
    ChartView,
    choose,
    permalink,
    sources_of,
    synthetic_in,
    text_parameter,
)
from credtrends.web.views import (
    State as ViewState,
)

NAME = "program-demand"
PATH = "/program-demand"
TITLE_KEY = "page_program_demand"
CHART_KEY = "quadrant"
DEFAULT_REGION = "CA-ON"
RECENT_WEEKS = 12


class Ids:
    REGION = "demand-region"
    BANNER = "demand-synthetic-banner"
    GRID = "demand-grid"
    REPORT = "demand-report"
    LANG = "demand-lang"


IDS = {"banner": Ids.BANNER, "report": Ids.REPORT, "lang": Ids.LANG}


# d3-format in the grid, with French separators when the page is in French.
D3_LOCALE = {
    "en": "d3",
    "fr": "d3.formatLocale({decimal: ',', thousands: '\\u00a0', grouping: [3], "
    "currency: ['', '\\u00a0$'], percent: '\\u00a0%'})",
}


def _formatter(tr: Translator, spec: str) -> str:
    return f"params.value == null ? '–' : {D3_LOCALE[tr.lang]}.format('{spec}')(params.value)"


def grid_columns(tr: Translator) -> list[dict[str, Any]]:
    def column(field: str, header: str, spec: str, **extra: Any) -> dict[str, Any]:
        return {"field": field, "headerName": tr(header),
                "valueFormatter": {"function": _formatter(tr, spec)}, **extra}  # fmt: skip

    return [
        {"field": "name", "headerName": tr("topic"), "pinned": "left", "minWidth": 220},
        column("score", "score", ".2f", sort="desc"),
        column("demand_level", "col_search_level", ".2f"),
        column("demand_growth", "col_search_growth", "+.0%"),
        column("forecast_growth", "col_forecast_growth", "+.0%"),
        column("vacancies", "col_vacancies", ",.0f"),
        column("vacancy_growth", "col_vacancy_growth", "+.0%"),
        column("programs", "col_programs", ",.0f"),
    ]


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> ViewState:
    regions = data.regions()["region_code"].to_list()
    return {
        "region": choose(text_parameter(query, "region"), regions, DEFAULT_REGION),
        "lang": "fr" if parse_lang(text_parameter(query, "lang")) == "fr" else "",
    }


def region_opportunities(
    data: DashboardData, region_code: str, tr: Translator
) -> tuple[pl.DataFrame, list[str], bool]:
    """The opportunity table, with the sources and synthetic flag of everything behind it."""
    topics = data.topics()
    topic_ids = tuple(topics["topic_id"].to_list())
    interest = data.interest_over_time(topic_ids, region_code)
    shown, _ = interest_values(interest)
    momentum = topic_momentum(shown, RECENT_WEEKS)
    links = data.topic_occupation_links()
    labour = data.labour_observations(links["noc_code"].unique().to_list(), region_code)
    portal = data.portal_counts_in_region(region_code)
    table = opportunity_table(
        momentum, data.latest_forecasts(topic_ids, region_code), labour, links, portal
    )
    synthetic = synthetic_in(interest, labour, portal)
    sources = sources_of(interest, labour, portal)
    names = tr.names(topics, "topic_id")
    labelled = table.with_columns(
        name=pl.col("topic_id").replace_strict(names, default=pl.col("topic_id")),
        is_synthetic=pl.lit(synthetic),
        sources=pl.lit(", ".join(sources)),
    )
    return labelled, sources, synthetic


LABELLED = 8


def short_name(name: str) -> str:
    """ "PMP (Project Management Professional)" -> "PMP": the long form is in the hover."""
    return name.split(" (", 1)[0]


def quadrant_figure(table: pl.DataFrame, region_name: str, tr: Translator) -> go.Figure:
    """Demand (x) against supply per unit of demand (y); colour is the score."""
    usable = table.filter(pl.col("programs_per_demand").is_not_null())
    if usable.is_empty():
        return empty_figure(tr("demand_empty"))
    hover = tr("demand_hover", topic="%{customdata}", x="%{x:.1f}", y="%{y:.2f}")
    # Only the best-scoring topics are labelled on the chart (all are in the grid and the
    # hover): thirty labels overlap into an unreadable cloud.
    best = set(usable.sort("score", descending=True, nulls_last=True)["topic_id"].head(LABELLED))
    labels = [
        short_name(name) if topic in best else ""
        for topic, name in usable.select("topic_id", "name").iter_rows()
    ]
    figure = go.Figure(
        go.Scatter(
            x=usable["demand_level"].to_list(),
            y=usable["programs_per_demand"].to_list(),
            mode="markers+text",
            text=labels,
            customdata=usable["name"].to_list(),
            textposition=(["top center", "bottom center"] * usable.height)[: usable.height],
            cliponaxis=False,
            marker={"size": 12, "color": usable["score"].to_list(), "colorscale": "Viridis",
                    "colorbar": {"title": {"text": tr("score")}}},
            hovertemplate=hover + "<extra></extra>",
        )
    )  # fmt: skip
    x_mid = float(usable["demand_level"].median() or 0)  # type: ignore[arg-type]
    y_mid = float(usable["programs_per_demand"].median() or 0)  # type: ignore[arg-type]
    figure.add_vline(x=x_mid, line={"dash": "dot", "color": "#6b7280"})
    figure.add_hline(y=y_mid, line={"dash": "dot", "color": "#6b7280"})
    annotations = [
        {"text": tr("demand_quadrant"), "x": 1, "y": 0, "xref": "paper", "yref": "paper",
         "xanchor": "right", "yanchor": "bottom", "showarrow": False, "font": {"color": "#166534"}},
    ]  # fmt: skip
    if bool(table["is_synthetic"].any()):
        annotations.append(synthetic_note(tr, y=1.05))
    figure.update_layout(
        title={"text": tr("demand_title", region=region_name), "x": 0},
        xaxis={"title": {"text": tr("demand_x", weeks=RECENT_WEEKS)}},
        yaxis={"title": {"text": tr("demand_y")}, "type": "log"},
        height=560,
        annotations=annotations,
    )
    return figure


def _summary(table: pl.DataFrame, region: str, tr: Translator) -> str:
    ranked = table.filter(pl.col("score").is_not_null()).sort("score", descending=True)
    if ranked.is_empty():
        return tr("demand_empty")
    best = ranked.row(0, named=True)
    return tr(
        "demand_summary", region=region, top=best["name"], score=tr.number(best["score"], 2),
        level=tr.number(best["demand_level"]), programs=tr.integer(best["programs"]),
    )  # fmt: skip


def chart_views(data: DashboardData, state: ViewState, tr: Translator) -> list[ChartView]:
    region = tr.names(data.regions(), "region_code").get(state["region"], state["region"])
    table, sources, synthetic = region_opportunities(data, state["region"], tr)
    title = tr("demand_title", region=region)
    displayed = table.select(
        "topic_id", "name", "score", "demand_level", "demand_growth", "forecast_growth",
        "vacancies", "vacancy_growth", "programs", "programs_per_demand", "sources", "is_synthetic",
    ).sort("score", descending=True, nulls_last=True)  # fmt: skip
    info = ExportInfo(
        title=title,
        sources=sources,
        synthetic=synthetic,
        permalink=permalink(PATH, state),
        notes=[tr("demand_formula") + tr("score_formula")],
        lang=tr.lang,
    )
    figure = for_dash(quadrant_figure(table, region, tr), tr)
    return [ChartView(CHART_KEY, title, figure, displayed, displayed,
                      _summary(table, region, tr), info, grid_text(displayed, tr))]  # fmt: skip


def grid_text(displayed: pl.DataFrame, tr: Translator) -> pl.DataFrame:
    """The grid's columns and number formats (``grid_columns``) as text: the chart's table
    alternative and the report's table, "+18%" where the grid shows "+18%"."""

    def two(value: object) -> str:
        return tr.number(value, 2)

    formats = {
        "score": two, "demand_level": two, "demand_growth": tr.percent,
        "forecast_growth": tr.percent, "vacancies": tr.integer,
        "vacancy_growth": tr.percent, "programs": tr.integer,
    }  # fmt: skip
    columns = {column["field"]: column["headerName"] for column in grid_columns(tr)}
    return display_frame(displayed, columns, tr, formats)


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    state = parse_state(data, query)
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("demand_intro")),
            html.P([html.Strong(tr("demand_formula")), tr("score_formula")], className="note"),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.REGION, tr("region"), data.regions(), "region_code",
                            state["region"], tr),
            chart_block(NAME, CHART_KEY, tr),
            dag.AgGrid(
                id=Ids.GRID,
                columnDefs=grid_columns(tr),
                rowData=[],
                defaultColDef={"sortable": True, "resizable": True, "filter": True},
                columnSize="autoSize",
                style={"height": "520px"},
                dashGridOptions={"animateRows": False, "ensureDomOrder": True,
                                 "localeText": tr.grid_locale()},
            ),
            html.Div(id=Ids.REPORT),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )  # fmt: skip


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import program_demand

    def extras(state: ViewState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        return (view.displayed.to_dicts(),)

    register_view_callback(
        app, data, program_demand, IDS, {"region": Ids.REGION}, [(Ids.GRID, "rowData")], extras
    )
