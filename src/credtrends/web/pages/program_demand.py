"""Program demand: where demand is high and rising but few programs are on offer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple
from typing import Any

import dash
import dash_ag_grid as dag
import plotly.graph_objects as go
import polars as pl
from dash import dcc, html

from credtrends.transforms.demand_supply import ScoreWeights, opportunity_table
from credtrends.transforms.scores import GROWTH_WEEKS
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import chart_block, table_downloads
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import view_table
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import empty_figure, for_dash, synthetic_note
from credtrends.web.growth import growth_definition, last_weeks_text, region_momentum
from credtrends.web.i18n import N_, Translator
from credtrends.web.labels import place_labels
from credtrends.web.page_state import (
    WEIGHT_CHOICES,
    DemandState,
)
from credtrends.web.page_state import (
    WEIGHTS as WEIGHTS,  # the page names its weights (tests read them here)
)
from credtrends.web.table_text import display_frame
from credtrends.web.views import ChartView, ViewTable, permalink, sources_of, synthetic_in

NAME = "program-demand"
PATH = "/program-demand"
TITLE_KEY = N_("page_program_demand")
CHART_KEY = "quadrant"
RECENT_WEEKS = GROWTH_WEEKS
WEIGHT_LABELS = {
    "level": N_("col_search_level"), "growth": N_("col_search_growth"),
    "forecast": N_("col_forecast_growth"), "vacancy": N_("col_vacancy_growth"),
    "supply": N_("weight_supply"),
}  # fmt: skip


class Ids:
    REGION = "demand-region"
    BANNER = "demand-synthetic-banner"
    GRID = "demand-grid"
    REPORT = "demand-report"
    LANG = "demand-lang"
    BREAKDOWN = "demand-breakdown"
    WEIGHTS_USED = "demand-weights-used"

    @staticmethod
    def weight(name: str) -> str:
        return f"demand-weight-{name}"


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
        return {"field": field, "headerName": tr(header), "minWidth": 90,
                "valueFormatter": {"function": _formatter(tr, spec)}, **extra}  # fmt: skip

    return [
        {
            "field": "name",
            "headerName": tr("topic"),
            "pinned": "left",
            "minWidth": 180,
            "flex": 2,
            "wrapText": True,
            "autoHeight": True,
        },
        column("score", N_("score"), ".2f", sort="desc"),
        column("demand_level", N_("col_search_level"), ".2f"),
        column("demand_growth", N_("col_search_growth"), "+.0%"),
        column("forecast_growth", N_("col_forecast_growth"), "+.0%"),
        column("vacancies", N_("col_vacancies"), ",.0f"),
        column("vacancy_growth", N_("col_vacancy_growth"), "+.0%"),
        column("programs", N_("col_programs"), ",.0f"),
    ]


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> DemandState:
    """Region and the score's weights (``w_growth=2``; a default weight is left out of the
    URL, an unknown one falls back to it)."""
    return DemandState.parse(query, regions=data.regions()["region_code"].to_list())


def weights_of(state: DemandState) -> ScoreWeights:
    return ScoreWeights(**{name: float(state.weights.of(name)) for name in WEIGHTS})


def region_opportunities(
    data: DashboardData, region_code: str, tr: Translator, weights: ScoreWeights | None = None
) -> tuple[pl.DataFrame, list[str], bool]:
    """The opportunity table, with the sources and synthetic flag of everything behind it.
    Search level and growth are the site's one figure (``region_momentum``)."""
    topics = data.topics()
    topic_ids = tuple(topics["topic_id"].to_list())
    interest = data.interest_over_time(topic_ids, region_code)
    momentum, _ = region_momentum(data, region_code)
    links = data.topic_occupation_links()
    labour = data.labour_observations(links["noc_code"].unique().to_list(), region_code)
    portal = data.portal_counts_in_region(region_code)
    weights = weights or ScoreWeights()

    def score() -> pl.DataFrame:
        return opportunity_table(
            momentum.sort("is_synthetic", "source").unique("topic_id", keep="first"),
            data.latest_forecasts(topic_ids, region_code), labour, links, portal, weights,
        )  # fmt: skip

    # memoised per region and weights: the score's interval simulates 1,000 draws
    table = data.derived(f"opportunity:{region_code}:{astuple(weights)}", score)
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


PLOT_WIDTH_PX, PLOT_HEIGHT_PX = 900.0, 420.0  # the quadrant's plot area at desktop width


def quadrant_figure(
    table: pl.DataFrame, region_name: str, window: str, tr: Translator
) -> go.Figure:
    """Demand (x) against supply per unit of demand (y); colour is the score."""
    usable = table.filter(pl.col("programs_per_demand").is_not_null()).sort(
        "score", descending=True, nulls_last=True
    )
    usable = usable.filter(pl.col("programs_per_demand") > 0)
    if usable.is_empty():
        return empty_figure(tr("demand_empty"))
    hover = tr("demand_hover", topic="%{customdata}", x="%{x:.1f}", y="%{y:.2f}")
    # The best-scoring topics are labelled where a label fits without covering another
    # (``place_labels``); every topic is in the grid and the hover.
    candidates = [
        short_name(name) if index < LABELLED else "" for index, name in enumerate(usable["name"])
    ]
    positions, boxes = place_labels(
        usable["demand_level"].to_list(), usable["programs_per_demand"].to_list(), candidates,
        PLOT_WIDTH_PX, PLOT_HEIGHT_PX, log_y=True,
    )  # fmt: skip
    labels = [text if box else "" for text, box in zip(candidates, boxes, strict=True)]
    figure = go.Figure(
        go.Scatter(
            x=usable["demand_level"].to_list(),
            y=usable["programs_per_demand"].to_list(),
            mode="markers+text",
            text=labels,
            customdata=usable["name"].to_list(),
            textposition=positions,
            cliponaxis=False,
            marker={"size": 12, "color": usable["score"].to_list(), "coloraxis": "coloraxis"},
            hovertemplate=hover + "<extra></extra>",
            # The labels to place again where the plot is narrower (``phone_charts.js``):
            # the placement above is for the desktop plot's size.
            meta={"label_candidates": candidates},
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
        xaxis={"title": {"text": tr("demand_x_dated", window=window)}},
        yaxis={"title": {"text": tr("demand_y")}, "type": "log"},
        height=560,
        annotations=annotations,
        # a layout-level colour bar, which a phone's layout can lay under the plot
        coloraxis={"colorscale": "Viridis", "colorbar": {"title": {"text": tr("score")}}},
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


def _opportunities(
    data: DashboardData, state: DemandState, tr: Translator
) -> tuple[pl.DataFrame, list[str], bool]:
    return region_opportunities(data, state.region, tr, weights_of(state))


def weights_text(state: DemandState, tr: Translator) -> str:
    """ "Weights: search level 1, search growth 2, ..." as the page and its exports say."""
    weights = weights_of(state)
    return tr(
        "demand_weights_used",
        **{name: tr.number(getattr(weights, name), 1).removesuffix(".0").removesuffix(",0")
           for name in WEIGHTS},
    )  # fmt: skip


def chart_views(data: DashboardData, state: DemandState, tr: Translator) -> list[ChartView]:
    region = tr.names(data.regions(), "region_code").get(state.region, state.region)
    table, sources, synthetic = _opportunities(data, state, tr)
    momentum, _ = region_momentum(data, state.region)
    title = tr("demand_title", region=region)
    displayed = table.select(
        "topic_id", "name", "rank", "score", "score_low", "score_high", "tied_with_top",
        "rank_shared", "demand_level", "demand_growth", "forecast_growth", "vacancies",
        "vacancy_growth", "programs", "programs_per_demand", "rank_level", "rank_growth",
        "rank_forecast", "rank_vacancy", "rank_supply", "sources", "is_synthetic",
    ).sort("score", descending=True, nulls_last=True)  # fmt: skip
    info = ExportInfo(
        title=title,
        sources=sources,
        synthetic=synthetic,
        permalink=permalink(PATH, state),
        notes=[
            tr("demand_formula") + tr("score_formula"),
            weights_text(state, tr),
            tr("demand_uncertainty"),
            growth_definition(momentum, tr),
        ],
        lang=tr.lang,
    )
    window = last_weeks_text(momentum, tr)
    figure = for_dash(quadrant_figure(table, region, window, tr), tr)
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


def tie_text(row: Mapping[str, Any], tr: Translator) -> str:
    if row.get("tied_with_top"):
        return tr("tie_top")
    if row.get("rank_shared"):
        return tr("tie_rank", rank=row["rank"])
    return ""


def score_interval_text(row: Mapping[str, Any], tr: Translator) -> str:
    """ "0.42 (0.30 to 0.55)": the score and its 95% interval."""
    if row.get("score") is None:
        return "–"
    return tr("growth_interval", value=tr.number(row["score"], 2),
              low=tr.number(row["score_low"], 2), high=tr.number(row["score_high"], 2))  # fmt: skip


# Each input's percentile rank (the breakdown table's columns) -> its column header.
COMPONENT_HEADERS = {
    "rank_level": N_("col_rank_level"), "rank_growth": N_("col_rank_growth"),
    "rank_forecast": N_("col_rank_forecast"), "rank_vacancy": N_("col_rank_vacancy"),
    "rank_supply": N_("col_rank_supply"),
}  # fmt: skip
COMPONENTS = tuple(COMPONENT_HEADERS)


def breakdown_table(data: DashboardData, state: DemandState, tr: Translator) -> ViewTable:
    """Each topic's score taken apart: its rank, the score with its interval, ties, and the
    percentile rank of each input (what the weights multiply)."""
    table, _, _ = _opportunities(data, state, tr)
    rows = table.filter(pl.col("score").is_not_null()).sort("rank", "name")
    rows = rows.with_columns(
        score_text=pl.Series([score_interval_text(r, tr) for r in rows.iter_rows(named=True)],
                             dtype=pl.String),
        tie=pl.Series([tie_text(r, tr) for r in rows.iter_rows(named=True)], dtype=pl.String),
    )  # fmt: skip
    columns = {
        "rank": tr("rank"), "name": tr("topic"), "score_text": tr("col_score_interval"),
        "tie": tr("col_tie"), **{name: tr(key) for name, key in COMPONENT_HEADERS.items()},
    }  # fmt: skip
    two = {name: (lambda value: tr.number(value, 2)) for name in COMPONENTS}
    shown = display_frame(rows, columns, tr, two)
    data_rows = rows.select(
        "topic_id", "name", "rank", "score", "score_low", "score_high", "tied_with_top",
        "rank_shared", *COMPONENTS, "is_synthetic",
    )  # fmt: skip
    return ViewTable("breakdown", "", tr("score_breakdown_title"), shown, data_rows)


def view_tables(data: DashboardData, state: DemandState, tr: Translator) -> list[ViewTable]:
    """The score's breakdown, after the grid."""
    return [breakdown_table(data, state, tr)]


def _weight_controls(state: DemandState, tr: Translator) -> html.Fieldset:
    options: list[dict[str, str]] = [{"label": c, "value": c} for c in WEIGHT_CHOICES]
    if tr.lang == "fr":
        options = [{"label": c.replace(".", ","), "value": c} for c in WEIGHT_CHOICES]
    return html.Fieldset(
        [
            html.Legend(tr("weights")),
            html.Div(
                [
                    html.Label([tr(WEIGHT_LABELS[name]), dcc.Dropdown(
                        id=Ids.weight(name), options=options, clearable=False, searchable=False,
                        value=state.weights.of(name),
                        labels=tr.dropdown_labels())], className="control")
                    for name in WEIGHTS
                ],
                className="score-weights",
            ),
        ],
        className="control weights-fieldset",
    )  # fmt: skip


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    state = parse_state(data, query)
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("demand_intro")),
            html.P([html.Strong(tr("demand_formula")), tr("score_formula")], className="note"),
            html.P(tr("demand_uncertainty"), className="note"),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            choice_dropdown(Ids.REGION, tr("region"), data.regions(), "region_code",
                            state.region, tr),
            _weight_controls(state, tr),
            chart_block(NAME, CHART_KEY, tr),
            dag.AgGrid(
                id=Ids.GRID,
                columnDefs=grid_columns(tr),
                rowData=[],
                defaultColDef={"sortable": True, "resizable": True, "filter": True,
                               "wrapHeaderText": True, "autoHeaderHeight": True},
                # fitted to the page's width: no column (Programs offered) behind a sideways
                # scroll on a desktop screen
                columnSize="responsiveSizeToFit",
                style={"height": "520px"},
                dashGridOptions={"animateRows": False, "ensureDomOrder": True,
                                 "localeText": tr.grid_locale()},
            ),
            html.Div(id=Ids.BREAKDOWN),
            html.Div(id=Ids.REPORT),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )  # fmt: skip


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import program_demand

    def extras(state: DemandState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        (breakdown,) = view_tables(data, state, tr)
        shown = view_table(breakdown, table_downloads(NAME, breakdown.key, state, tr))
        # the explanation stays outside the table, which scrolls sideways on a phone
        explained = html.Div(
            [html.H2(breakdown.caption),
             html.P([tr("score_breakdown"), " ", weights_text(state, tr)], className="note"),
             shown]
        )  # fmt: skip
        return view.displayed.to_dicts(), explained

    controls = {"region": Ids.REGION, **{f"w_{name}": Ids.weight(name) for name in WEIGHTS}}
    register_view_callback(
        app, data, program_demand, IDS, controls,
        [(Ids.GRID, "rowData"), (Ids.BREAKDOWN, "children")], extras,
    )  # fmt: skip
