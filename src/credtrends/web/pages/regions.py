"""Regions: where interest in one topic is rising or falling, and where it is highest, on a
map (coloured by either) and in a table, each figure with its 95% interval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.transforms.scores import GROWTH_WEEKS, topic_momentum
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import (
    chart_block,
)
from credtrends.web.components.controls import choice_dropdown
from credtrends.web.components.tables import shown_table
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import for_dash, interest_values
from credtrends.web.growth import growth_definition
from credtrends.web.i18n import N_, Translator
from credtrends.web.maps import PROVINCES_URL, province_choropleth
from credtrends.web.page_state import MEASURES, RegionsState
from credtrends.web.table_text import display_frame
from credtrends.web.views import ChartView, permalink, sources_of, synthetic_in

NAME = "regions"
PATH = "/regions"
TITLE_KEY = N_("page_regions")
CHART_KEY = "map"
RECENT_WEEKS = GROWTH_WEEKS
"""The one growth figure of every page (``web/growth.py``), here per province."""


class Ids:
    TOPIC = "regions-topic"
    MEASURE = "regions-measure"
    BANNER = "regions-synthetic-banner"
    TABLE = "regions-table"
    REPORT = "regions-report"
    LANG = "regions-lang"


IDS = {"banner": Ids.BANNER, "report": Ids.REPORT, "lang": Ids.LANG}


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> RegionsState:
    return RegionsState.parse(query, topics=data.topics()["topic_id"].to_list())


def regional_growth(data: DashboardData, topic_id: str, tr: Translator) -> pl.DataFrame:
    frame = data.topic_interest_by_region(topic_id)
    shown, _ = interest_values(frame)
    momentum = topic_momentum(shown, RECENT_WEEKS, by=("region_code",))
    names = pl.DataFrame(
        {
            "region_code": list(tr.names(data.regions(), "region_code")),
            "region_name": list(tr.names(data.regions(), "region_code").values()),
        }
    )
    sources = frame.group_by("region_code").agg(
        source=pl.col("source").unique().sort().str.join(", ")
    )
    levels = data.topic_region_levels(topic_id).select(
        "region_code", "level", "level_low", "level_high"
    )
    return (
        names.join(momentum, on="region_code", how="left")
        .join(sources, on="region_code", how="left")
        .join(levels, on="region_code", how="left")
        .with_columns(value=pl.col("growth") * 100)
    )


def level_text(row: Mapping[str, Any], tr: Translator) -> str:
    """A province's level with its 95% interval, e.g. "62 (58-66)"; "<3" when censored."""
    level, low, high = row.get("level"), row.get("level_low"), row.get("level_high")
    if level is None or low is None or high is None:
        return "–"
    if low == 0:
        return "<" + tr.number(high, 0)
    return f"{tr.number(level, 0)} ({tr.number(low, 0)}–{tr.number(high, 0)})"


def growth_interval_text(row: Mapping[str, Any], tr: Translator) -> str:
    """A province's change with its 95% interval and whether it is beyond the noise,
    e.g. "+12 % (+4 % to +21 %)" or "-3 % (-15 % to +10 %), within noise"."""
    growth, low, high = row.get("growth"), row.get("growth_low"), row.get("growth_high")
    if growth is None:
        return "–"
    if low is None or high is None:
        return tr.percent(growth)
    text = tr("growth_interval", value=tr.percent(growth), low=tr.percent(low),
              high=tr.percent(high))  # fmt: skip
    return tr("growth_within_noise", text=text) if row.get("growth_within_noise") else text


def _level_summary(growth: pl.DataFrame, topic: str, tr: Translator) -> str:
    """Where the topic takes the largest share of searches, and which provinces cannot be
    told apart from the top one (their 95% intervals overlap)."""
    ranked = growth.filter(pl.col("level").is_not_null() & (pl.col("region_code") != "CA"))
    if ranked.is_empty():
        return tr("regions_level_none", topic=topic)
    ranked = ranked.sort("level", descending=True)
    top = ranked.row(0, named=True)
    ties = ranked.slice(1).filter(pl.col("level_high") >= top["level_low"])
    sentence = tr(
        "regions_level_summary", topic=topic, best=top["region_name"],
        worst=ranked["region_name"][-1], worst_value=level_text(ranked.row(-1, named=True), tr),
    )  # fmt: skip
    if ties.is_empty():
        return sentence
    return sentence + " " + tr("regions_level_ties", regions=", ".join(ties["region_name"]))


def _summary(growth: pl.DataFrame, topic: str, tr: Translator) -> str:
    ranked = growth.filter(pl.col("growth").is_not_null() & (pl.col("region_code") != "CA"))
    if ranked.is_empty():
        return tr("regions_summary_none", topic=topic)
    ranked = ranked.sort("growth", descending=True)
    sentence = tr(
        "regions_summary", topic=topic,
        best=ranked["region_name"][0], best_value=tr.percent(ranked["growth"][0]),
        worst=ranked["region_name"][-1], worst_value=tr.percent(ranked["growth"][-1]),
    )  # fmt: skip
    noisy = ranked.filter(pl.col("growth_within_noise").fill_null(True))
    if not noisy.is_empty():
        sentence += " " + tr(
            "regions_noise", count=noisy.height, total=ranked.height,
            regions=", ".join(noisy["region_name"].to_list()),
        )  # fmt: skip
    return sentence + " " + growth_definition(ranked, tr)


def map_view(data: DashboardData, state: RegionsState, tr: Translator) -> ChartView:
    topic = tr.names(data.topics(), "topic_id").get(state.topic, state.topic)
    growth = regional_growth(data, state.topic, tr)
    synthetic = synthetic_in(growth)
    by_level = state.measure == "level"
    title = tr(N_("regions_level_title") if by_level else N_("regions_title"), topic=topic)
    rows = list(growth.iter_rows(named=True))
    provinces = growth.with_columns(
        hover=pl.Series(
            [level_text(r, tr) if by_level else growth_interval_text(r, tr) for r in rows],
            dtype=pl.String,
        ),
        value=pl.col("level") if by_level else pl.col("value"),
    ).filter(pl.col("region_code") != "CA")
    figure = province_choropleth(
        provinces,
        value_label=tr(N_("regions_level_value") if by_level else N_("regions_value")),
        title=title,
        synthetic=synthetic,
        language=tr.lang,
        diverging=not by_level,
        geojson_url=PROVINCES_URL,
        hover_column="hover",
    )
    displayed = growth.select(
        "region_code",
        "region_name",
        "growth",
        "growth_low",
        "growth_high",
        "growth_within_noise",
        "recent_mean",
        "year_ago_mean",
        "level",
        "level_low",
        "level_high",
        "source",
        "is_synthetic",
    )
    info = ExportInfo(
        title=title,
        sources=sources_of(growth),
        synthetic=synthetic,
        permalink=permalink(PATH, state),
        notes=[tr("regions_level_note") if by_level else tr("regions_intro", weeks=RECENT_WEEKS)],
        lang=tr.lang,
    )
    return ChartView(CHART_KEY, title, for_dash(figure, tr), growth, displayed,
                     (_level_summary if by_level else _summary)(growth, topic, tr), info,
                     growth_text(displayed, tr))  # fmt: skip


def growth_text(displayed: pl.DataFrame, tr: Translator) -> pl.DataFrame:
    """The regions table as the page writes it ("-11 % (-20 % to -2 %)", "62 (58-66)"),
    growth first; a change its interval cannot tell from no change says so."""
    shown = displayed.sort("growth", descending=True, nulls_last=True)
    rows = list(shown.iter_rows(named=True))
    shown = shown.with_columns(
        growth_text=pl.Series([growth_interval_text(row, tr) for row in rows], dtype=pl.String),
        level_text=pl.Series([level_text(row, tr) for row in rows], dtype=pl.String),
    )
    return display_frame(
        shown,
        {"region_name": tr("region"), "growth_text": tr("change_year_interval"),
         "recent_mean": tr("recent_level"), "level_text": tr("region_level")},
        tr,
    )  # fmt: skip


def chart_views(data: DashboardData, state: RegionsState, tr: Translator) -> list[ChartView]:
    return [map_view(data, state, tr)]


def growth_table(view: ChartView, topic: str, tr: Translator) -> html.Table:
    table = view.table if view.table is not None else growth_text(view.displayed, tr)
    return shown_table(table, tr("regions_table", topic=topic), stacks=True)


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    state = parse_state(data, query)
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("regions_intro", weeks=RECENT_WEEKS)),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            html.Div(
                [
                    choice_dropdown(
                        Ids.TOPIC, tr("topic"), data.topics(), "topic_id", state.topic, tr
                    ),
                    html.Fieldset(
                        [
                            html.Legend(tr("regions_measure")),
                            dcc.RadioItems(
                                id=Ids.MEASURE,
                                value=state.measure,
                                options=[
                                    {"label": tr(key), "value": measure}
                                    for measure, key in zip(
                                        MEASURES,
                                        (N_("measure_growth"), N_("measure_level")),
                                        strict=True,
                                    )
                                ],
                                inline=True,
                                inputClassName="choice-input",
                                labelClassName="choice",
                            ),
                        ],
                        className="control",
                    ),
                ],
                className="controls",
            ),
            chart_block(NAME, CHART_KEY, tr),
            html.Div(id=Ids.TABLE),
            html.Div(id=Ids.REPORT),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import regions

    def extras(state: RegionsState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        return (growth_table(view, tr.names(data.topics(), "topic_id")[state.topic], tr),)

    register_view_callback(
        app, data, regions, IDS, {"topic": Ids.TOPIC, "measure": Ids.MEASURE},
        [(Ids.TABLE, "children")], extras,
        required=("topic",),
    )  # fmt: skip
