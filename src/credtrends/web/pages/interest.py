"""Search interest over time: several topics in one region, or one topic across regions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.granularity import ViewGranularity
from credtrends.transforms.series_views import (
    forecast_to_granularity,
    index_to_mean,
    to_granularity,
    window,
)
from credtrends.web.components.banner import synthetic_banner
from credtrends.web.components.chart_block import chart_block, table_downloads
from credtrends.web.components.tables import view_table
from credtrends.web.components.url_state import url_state_stores
from credtrends.web.components.view_callback import register_view_callback
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.figures import (
    GOOGLE_BREAK,
    add_error_band,
    add_forecast,
    for_dash,
    interest_figure,
    interest_values,
    spans_google_break,
)
from credtrends.web.forecast_text import accuracy_lines, model_label
from credtrends.web.growth import (
    growth_definition,
    growth_rows,
    growth_sentence,
    last_weeks_text,
    region_momentum,
)
from credtrends.web.i18n import N_, Translator
from credtrends.web.page_state import (
    COMPARE,
    GRANULARITIES,
    PERIODS,
    SHOW,
    InterestState,
    RegionCode,
    TopicId,
    default_compared_regions,
)
from credtrends.web.table_text import display_frame
from credtrends.web.views import ChartView, ViewTable, permalink, sources_of, synthetic_in

NAME = "interest"
PATH = "/interest"
TITLE_KEY = N_("page_interest")
CHART_KEY = "main"
# The message key of each control value (and of each granularity's unit, "weeks").
COMPARE_LABELS = {"topics": N_("compare_topics"), "regions": N_("compare_regions")}
GRANULARITY_LABELS = {"week": N_("week"), "month": N_("month"), "quarter": N_("quarter")}
UNIT_LABELS = {"week": N_("unit_week"), "month": N_("unit_month"), "quarter": N_("unit_quarter")}
PERIOD_LABELS = {
    "1y": N_("period_1y"), "2y": N_("period_2y"), "5y": N_("period_5y"), "all": N_("period_all"),
}  # fmt: skip
SHOW_LABELS = {"forecast": N_("show_forecast"), "errors": N_("show_errors")}


class Ids(StrEnum):
    COMPARE = "interest-compare"
    TOPICS = "interest-topics"
    TOPICS_WRAP = "interest-topics-wrap"
    FOCUS = "interest-focus"
    FOCUS_WRAP = "interest-focus-wrap"
    ANSWERS = "interest-answers"
    REGION = "interest-region"
    REGION_WRAP = "interest-region-wrap"
    REGIONS = "interest-regions"
    REGIONS_WRAP = "interest-regions-wrap"
    REGIONS_NOTE = "interest-regions-note"
    GRANULARITY = "interest-granularity"
    PERIOD = "interest-period"
    SHOW = "interest-show"
    BANNER = "interest-synthetic-banner"
    CAVEATS = "interest-caveats"
    RELATED = "interest-related"
    REPORT = "interest-report"
    LANG = "interest-lang"


IDS = {"banner": Ids.BANNER, "report": Ids.REPORT, "lang": Ids.LANG}


def parse_state(data: DashboardData, query: Mapping[str, Any]) -> InterestState:
    """A complete, valid selection from any query: unknown or hostile values fall back."""
    return InterestState.parse(
        query,
        topics=data.topics()["topic_id"].to_list(),
        regions=data.regions()["region_code"].to_list(),
    )


def _series_frames(
    data: DashboardData, state: InterestState, tr: Translator
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, str], str, str]:
    """(warehouse rows, series shown, forecasts shown, series names, axis title, chart title)."""
    topics = state.topics
    topic_names = tr.names(data.topics(), "topic_id")
    region_names = tr.names(data.regions(), "region_code")
    if state.by_regions:
        (topic,) = state.shown_topics
        regions = state.regions
        rows = pl.concat([data.interest_over_time((topic,), r) for r in regions])
        shown, _ = interest_values(rows)
        shown = window(shown.with_columns(series=pl.col("region_code")), state.period)
        shown, factors = index_to_mean(shown)
        forecasts = pl.concat(
            [data.latest_forecasts((topic,), r).with_columns(series=pl.lit(r)) for r in regions]
        )
        forecasts = forecasts.join(factors.select("series", "factor").unique("series"),
                                   on="series", how="left").with_columns(
            pl.col(name) * pl.col("factor") for name in ("mean", "lo80", "hi80", "lo95", "hi95")
        ).drop("factor")  # fmt: skip
        title = tr("interest_regions_title", topic=topic_names.get(topic, topic))
        return rows, shown, forecasts, region_names, tr("axis_index"), title
    rows = data.interest_over_time(topics, state.region)
    shown, axis_key = interest_values(rows)
    shown = window(shown.with_columns(series=pl.col("topic_id")), state.period)
    forecasts = data.latest_forecasts(topics, state.region).with_columns(series=pl.col("topic_id"))
    region = region_names.get(state.region, state.region)
    return rows, shown, forecasts, topic_names, tr(axis_key), tr("interest_title", region=region)


def _accuracy(data: DashboardData, state: InterestState) -> pl.DataFrame:
    """The stored backtest of each forecast shown (keyed like ``series``)."""
    if state.by_regions:
        return pl.concat(
            [
                data.forecast_accuracy(state.shown_topics, r).with_columns(series=pl.lit(r))
                for r in state.regions
            ]
        )
    return data.forecast_accuracy(state.topics, state.region).with_columns(
        series=pl.col("topic_id")
    )


def _readable_models(forecasts: pl.DataFrame, tr: Translator) -> pl.DataFrame:
    labels = {raw: model_label(raw, tr) for raw in forecasts["model"].unique().to_list()}
    return forecasts.with_columns(pl.col("model").replace_strict(labels, default=pl.col("model")))


def _summary(
    shown: pl.DataFrame,
    forecasts: pl.DataFrame,
    names: dict[str, str],
    tr: Translator,
    granularity: ViewGranularity = "week",
) -> str:
    if shown.is_empty():
        return tr("no_rows")
    final = shown.filter(~pl.col("is_partial"))
    latest = final.filter(pl.col("period_start") == final["period_start"].max()).sort(
        "value", descending=True, nulls_last=True
    )
    first: date = shown["period_start"].min()  # type: ignore[assignment]
    last: date = final["period_start"].max() if final.height else first  # type: ignore[assignment]
    text = tr(
        "interest_summary",
        topics=shown["series"].n_unique(),
        periods=shown["period_start"].n_unique(),
        first=tr.date(first),
        last=tr.date(last),
        top=names.get(str(latest["series"][0]), "–") if latest.height else "–",
        value=tr.number(latest["value"][0]) if latest.height else "–",
        sources=", ".join(sources_of(shown)),
    )
    if forecasts.height:
        series_id = str(forecasts["series"][0])
        first_series = forecasts.filter(pl.col("series") == series_id)
        text += " " + tr(
            "forecast_summary",
            name=names.get(series_id, series_id),
            mean=tr.number(first_series["mean"].mean()),
            weeks=first_series.height,
            unit=tr(UNIT_LABELS[granularity]),
            model=first_series["model"][0],
            low=tr.number(first_series["lo95"].min()),
            high=tr.number(first_series["hi95"].max()),
        )
    return text


def _displayed(shown: pl.DataFrame, forecasts: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """The numbers as the chart draws them: observed, partial and forecast points, each with
    its source and whether it is synthetic. A forecast row names the model and the data it
    was fitted on ("credtrends forecast (ets) from synthetic-demo"), and is synthetic when
    that data is."""
    observed = shown.select(
        "series",
        "period_start",
        kind=pl.when(pl.col("is_partial")).then(pl.lit("partial")).otherwise(pl.lit("observed")),
        value=pl.col("value"),
        low=pl.col("low"),
        high=pl.col("high"),
        source=pl.col("source"),
        is_synthetic=pl.col("is_synthetic").fill_null(False),
    )
    lineage = shown.group_by("series").agg(
        inputs=pl.col("source").drop_nulls().unique().sort().str.join(", "),
        input_synthetic=pl.col("is_synthetic").fill_null(False).any(),
    )
    predicted = forecasts.join(lineage, on="series", how="left").select(
        "series",
        "period_start",
        kind=pl.lit("forecast: ") + pl.col("model"),
        value=pl.col("mean"),
        low=pl.col("lo95"),
        high=pl.col("hi95"),
        source=pl.lit("credtrends forecast (")
        + pl.col("model")
        + pl.lit(") from ")
        + pl.col("inputs").fill_null("unknown input"),
        is_synthetic=pl.col("input_synthetic").fill_null(False),
    )
    both = pl.concat([observed, predicted], how="vertical_relaxed")
    return both.select(
        pl.col("series").replace_strict(names, default=pl.col("series")).alias("name"),
        pl.all().exclude("series"),
    ).sort("name", "period_start")


def _notes(shown: pl.DataFrame, tr: Translator) -> list[str]:
    notes = []
    if shown.height and bool(shown["is_partial"].any()):
        notes.append(tr("caveat_partial"))
    if spans_google_break(shown):
        notes.append(tr("caveat_break", date=tr.date(GOOGLE_BREAK)))
    if shown.height and bool((shown["value"] == 0).any()):
        notes.append(tr("caveat_zeros"))
    return notes


def chart_views(data: DashboardData, state: InterestState, tr: Translator) -> list[ChartView]:
    rows, shown, forecasts, names, axis_title, title = _series_frames(data, state, tr)
    granularity = state.granularity
    shown = to_granularity(shown, granularity)
    show = state.show
    figure = interest_figure(
        shown, names, title, axis_title, tr, tr(GRANULARITY_LABELS[granularity])
    )
    if "errors" in show:
        add_error_band(figure, shown, names, tr)
    drawn_forecasts = forecasts.head(0)
    accuracy: list[str] = []
    notes = _notes(shown, tr)
    if "forecast" in show and shown.height and forecasts.height:
        drawn_forecasts = forecast_to_granularity(forecasts, granularity)
        accuracy = accuracy_lines(forecasts, _accuracy(data, state), names, tr)
        drawn_forecasts = _readable_models(drawn_forecasts, tr)
        add_forecast(figure, drawn_forecasts, names, tr)
        if granularity != "week":
            unit = tr(GRANULARITY_LABELS[granularity]).lower()
            notes.append(tr("forecast_aggregated", granularity=unit))
    info = ExportInfo(
        title=title,
        sources=sources_of(rows),
        synthetic=synthetic_in(rows),
        permalink=permalink(PATH, state),
        notes=[axis_title.replace("<br>", " "), *notes],
        lang=tr.lang,
        forecast_accuracy=accuracy,
    )
    view = ChartView(
        key=CHART_KEY,
        title=title,
        figure=for_dash(figure, tr),
        data=rows,
        displayed=_displayed(shown, drawn_forecasts, names),
        summary=_summary(shown, drawn_forecasts, names, tr, granularity),
        info=info,
        table=_recent_table(shown, drawn_forecasts, names, tr),
    )
    return [view]


TABLE_PERIODS = 26
FORECAST_TABLE_PERIODS = 12


def _recent_table(
    shown: pl.DataFrame,
    forecasts: pl.DataFrame,
    names: dict[str, str],
    tr: Translator,
    periods: int = TABLE_PERIODS,
) -> pl.DataFrame:
    """The first forecast periods and the last observed ones, newest first, one column per
    series, as the screen writes them: the chart's table alternative and the report's table."""
    if shown.is_empty():
        return pl.DataFrame(
            {tr("col_period_start"): []}, schema={tr("col_period_start"): pl.String}
        )
    label = {False: "", True: f" ({tr('partial_point')})"}
    recent = shown.filter(
        pl.col("period_start").is_in(shown["period_start"].unique().sort().tail(periods).implode())
    ).select(
        "period_start",
        "value",
        name=pl.col("series").replace_strict(names, default=pl.col("series")),
        note=pl.col("is_partial").replace_strict(label, return_dtype=pl.String),
    )
    ahead = forecasts.filter(
        pl.col("period_start").is_in(
            forecasts["period_start"].unique().sort().head(FORECAST_TABLE_PERIODS).implode()
        )
        & (pl.col("period_start") > shown["period_start"].max())
    ).select(
        "period_start",
        value=pl.col("mean"),
        name=pl.col("series").replace_strict(names, default=pl.col("series")),
        note=pl.lit(f" ({tr('forecast_point')})"),
    )
    rows = pl.concat([ahead, recent], how="vertical_relaxed")
    notes = rows.group_by("period_start").agg(pl.col("note").max())
    wide = (
        rows.pivot("name", index="period_start", values="value", aggregate_function="mean")
        .join(notes, on="period_start")
        .sort("period_start", descending=True)
    )
    series = [name for name in wide.columns if name not in ("period_start", "note")]
    periods_text = [
        tr.date(day) + (note or "") for day, note in wide.select("period_start", "note").iter_rows()
    ]
    return display_frame(wide, {name: name for name in series}, tr).insert_column(
        0, pl.Series(tr("col_period_start"), periods_text)
    )


def growth_table(data: DashboardData, state: InterestState, tr: Translator) -> ViewTable:
    """ "Is it growing here?": one sentence per series shown, from the site's one growth
    figure (``region_momentum``), with its interval and the weeks compared."""
    topic_names = tr.names(data.topics(), "topic_id")
    region_names = tr.names(data.regions(), "region_code")
    rows: list[dict[str, Any]] = []
    window_of = pl.DataFrame()
    for topic, region in state.shown_pairs:
        momentum, _ = region_momentum(data, region)
        window_of = window_of if window_of.height else momentum
        row = growth_rows(momentum, [topic], region).get(topic)
        topic_name, region_name = topic_names.get(topic, topic), region_names.get(region, region)
        rows.append(
            {
                "topic_id": topic,
                "region_code": region,
                "name": region_name if state.by_regions else topic_name,
                "answer": growth_sentence(topic_name, region_name, row, tr),
                **{
                    name: (row or {}).get(name)
                    for name in (
                        "growth", "growth_low", "growth_high", "growth_within_noise",
                        "recent_mean", "year_ago_mean", "recent_start", "recent_end",
                        "year_ago_start", "year_ago_end", "source", "is_synthetic",
                    )
                },
            }
        )  # fmt: skip
    frame = pl.DataFrame(
        rows,
        schema={
            "topic_id": pl.String, "region_code": pl.String, "name": pl.String,
            "answer": pl.String, "growth": pl.Float64, "growth_low": pl.Float64,
            "growth_high": pl.Float64, "growth_within_noise": pl.Boolean,
            "recent_mean": pl.Float64, "year_ago_mean": pl.Float64, "recent_start": pl.Date,
            "recent_end": pl.Date, "year_ago_start": pl.Date, "year_ago_end": pl.Date,
            "source": pl.String, "is_synthetic": pl.Boolean,
        },
    )  # fmt: skip
    caption = tr("growth_table", window=last_weeks_text(window_of, tr))
    shown = display_frame(frame, {"answer": tr("col_answer")}, tr)
    return ViewTable("growth", tr("growth_answers"), caption, shown, frame)


def related_tables(data: DashboardData, state: InterestState, tr: Translator) -> list[ViewTable]:
    """The related searches (top and rising) of every series shown, as the page shows them."""
    topic_names = tr.names(data.topics(), "topic_id")
    region_names = tr.names(data.regions(), "region_code")
    by_regions = state.by_regions
    tables: list[ViewTable] = []
    for topic, region in state.shown_pairs:
        related = data.related_queries(topic, region)
        heading = tr(
            "related", topic=topic_names.get(topic, topic), region=region_names.get(region, region)
        )
        suffix = region if by_regions else topic
        if related.is_empty():
            tables.append(
                ViewTable(f"related-{suffix}", heading, heading, pl.DataFrame(), related,
                          tr("related_none"))
            )  # fmt: skip
            continue
        for kind, caption in (("top", N_("related_top")), ("rising", N_("related_rising"))):
            rows = related.filter(pl.col("kind") == kind).with_columns(
                shown=pl.when(pl.col("is_breakout"))
                .then(pl.lit(tr("breakout")))
                .otherwise(
                    pl.col("value").map_elements(
                        (lambda v: tr.percent(v / 100)) if kind == "rising" else tr.integer,
                        return_dtype=pl.String,
                    )
                )
            )
            caption_text = tr(caption) + (f" ({rows['source'][0]})" if rows.height else "")
            columns = {
                "rank": tr("rank"), "query": tr("related_query"), "shown": tr("related_value"),
            }  # fmt: skip
            tables.append(
                ViewTable(
                    f"related-{kind}-{suffix}",
                    heading,
                    caption_text,
                    display_frame(rows.head(10), columns, tr),
                    rows.drop("shown"),
                )
            )
    return tables


def view_tables(data: DashboardData, state: InterestState, tr: Translator) -> list[ViewTable]:
    """The growth answers, then the related searches of every series shown, in page order."""
    return [growth_table(data, state, tr), *related_tables(data, state, tr)]


def _answers(data: DashboardData, state: InterestState, tr: Translator) -> html.Div:
    table = growth_table(data, state, tr)
    momentum, _ = region_momentum(data, state.regions[0] if state.by_regions else state.region)
    return html.Div(
        [
            html.H2(table.heading),
            html.Ul([html.Li(text) for text in table.data["answer"].to_list()],
                    className="growth-answers"),
            html.P(growth_definition(momentum, tr), className="note"),
            table_downloads(NAME, table.key, state, tr),
        ]
    )  # fmt: skip


def _related(data: DashboardData, state: InterestState, tr: Translator) -> html.Div:
    tables = related_tables(data, state, tr)
    groups: dict[str, list[ViewTable]] = {}
    for table in tables:
        groups.setdefault(table.heading, []).append(table)
    sections: list[Any] = [html.H2(tr("related_all"))]
    for heading, group in groups.items():
        shown = [
            view_table(t, table_downloads(NAME, t.key, state, tr)) if t.frame.height
            else view_table(t)
            for t in group
        ]  # fmt: skip
        sections.append(html.Section([html.H3(heading), html.Div(shown, className="grid-2")],
                                     className="related-group"))  # fmt: skip
    return html.Div(sections)


def _regions_note(data: DashboardData, state: InterestState, tr: Translator) -> str:
    """Which topic is compared across regions, said in words (never silently the first)."""
    topic = state.shown_topics[0]
    return tr("compare_regions_pick", topic=tr.names(data.topics(), "topic_id").get(topic, topic))


def _compared_regions(data: DashboardData, state: InterestState) -> list[RegionCode]:
    """The regions dropdown is filled even while hidden, so switching modes shows a choice."""
    if state.regions:
        return list(state.regions)
    known = [RegionCode(code) for code in data.regions()["region_code"].to_list()]
    return list(default_compared_regions(known))


def _focus_value(state: InterestState) -> TopicId | None:
    """The focus dropdown names the topic compared across regions, else the first topic."""
    shown = state.shown_topics if state.by_regions else state.topics
    return shown[0] if shown else None


def _fieldset(legend: str, control: Any) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend), control], className="control")


def _options(frame: pl.DataFrame, key: str, tr: Translator) -> list[dict[str, str]]:
    return [{"label": name, "value": code} for code, name in tr.names(frame, key).items()]


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    """``?topic=pmp,cpr&region=CA-ON`` deep-links a selection; unknown parameters are ignored."""
    topics = data.topics()
    if topics.is_empty():
        return html.Div([html.H1(tr(TITLE_KEY)), html.P(tr("none_loaded"))])
    state = parse_state(data, query)
    by_regions = state.by_regions
    radio: dict[str, Any] = {
        "inline": True,
        "inputClassName": "choice-input",
        "labelClassName": "choice",
    }
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            html.P(tr("interest_intro")),
            synthetic_banner(tr, visible=False, component_id=Ids.BANNER),
            html.Div(
                [
                    _fieldset(tr("compare"), dcc.RadioItems(
                        id=Ids.COMPARE, value=state.compare, **radio,
                        options=[{"label": tr(COMPARE_LABELS[c]), "value": c} for c in COMPARE])),
                    html.Div(html.Label([tr("topics"), dcc.Dropdown(
                        id=Ids.TOPICS, options=_options(topics, "topic_id", tr),
                        value=list(state.topics), multi=True, clearable=False,
                        labels=tr.dropdown_labels())],
                        className="control control-wide"),
                        id=Ids.TOPICS_WRAP, hidden=by_regions, className="control-wrap"),
                    html.Div(html.Label([tr("focus_topic"), dcc.Dropdown(
                        id=Ids.FOCUS, options=_options(topics, "topic_id", tr),
                        value=_focus_value(state), clearable=False,
                        labels=tr.dropdown_labels())],
                        className="control control-wide"),
                        id=Ids.FOCUS_WRAP, hidden=not by_regions, className="control-wrap"),
                    html.Div(html.Label([tr("region"), dcc.Dropdown(
                        id=Ids.REGION, options=_options(data.regions(), "region_code", tr),
                        value=state.region, clearable=False,
                        labels=tr.dropdown_labels())], className="control"),
                        id=Ids.REGION_WRAP, hidden=by_regions),
                    html.Div(html.Label([tr("regions"), dcc.Dropdown(
                        id=Ids.REGIONS, options=_options(data.regions(), "region_code", tr),
                        value=_compared_regions(data, state), multi=True,
                        labels=tr.dropdown_labels())],
                        className="control control-wide"),
                        id=Ids.REGIONS_WRAP, hidden=not by_regions),
                ],
                className="controls",
            ),
            html.P(_regions_note(data, state, tr), id=Ids.REGIONS_NOTE, className="note",
                   hidden=not by_regions),
            html.Div(
                [
                    _fieldset(tr("granularity"), dcc.RadioItems(
                        id=Ids.GRANULARITY, value=state.granularity, **radio,
                        options=[{"label": tr(GRANULARITY_LABELS[g]), "value": g}
                                 for g in GRANULARITIES])),
                    _fieldset(tr("period"), dcc.RadioItems(
                        id=Ids.PERIOD, value=state.period, **radio,
                        options=[{"label": tr(PERIOD_LABELS[p]), "value": p} for p in PERIODS])),
                    _fieldset(tr("show"), dcc.Checklist(
                        id=Ids.SHOW, value=list(state.show), **radio,
                        options=[{"label": tr(SHOW_LABELS[s]), "value": s} for s in SHOW])),
                ],
                className="controls",
            ),
            chart_block(NAME, CHART_KEY, tr, height="520px"),
            html.Ul(id=Ids.CAVEATS, className="caveats"),
            html.Section(id=Ids.ANSWERS, className="growth-answers-section"),
            html.Div(id=Ids.REPORT),
            html.Section(id=Ids.RELATED),
            dcc.Store(id=Ids.LANG, data=tr.lang),
            *url_state_stores(NAME),
        ]
    )  # fmt: skip


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    from credtrends.web.pages import interest

    def extras(state: InterestState, tr: Translator, view: ChartView) -> tuple[Any, ...]:
        by_regions = state.by_regions
        return (
            [html.Li(note) for note in (*view.info.notes[1:], *view.info.forecast_accuracy)],
            _related(data, state, tr),
            by_regions,
            not by_regions,
            not by_regions,
            _regions_note(data, state, tr),
            by_regions,
            not by_regions,
            _answers(data, state, tr),
        )

    controls = {
        "compare": Ids.COMPARE, "topic": Ids.TOPICS, "focus": Ids.FOCUS, "region": Ids.REGION,
        "regions": Ids.REGIONS, "granularity": Ids.GRANULARITY, "period": Ids.PERIOD,
        "show": Ids.SHOW,
    }  # fmt: skip
    extra_outputs = [
        (Ids.CAVEATS, "children"), (Ids.RELATED, "children"), (Ids.REGION_WRAP, "hidden"),
        (Ids.REGIONS_WRAP, "hidden"), (Ids.REGIONS_NOTE, "hidden"),
        (Ids.REGIONS_NOTE, "children"), (Ids.TOPICS_WRAP, "hidden"), (Ids.FOCUS_WRAP, "hidden"),
        (Ids.ANSWERS, "children"),
    ]  # fmt: skip
    register_view_callback(app, data, interest, IDS, controls, extra_outputs, extras)
