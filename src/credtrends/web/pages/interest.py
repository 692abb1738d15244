"""Search interest over time: chosen topics in a chosen region."""

from __future__ import annotations

import base64
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import dash
import polars as pl
from dash import Input, Output, State, dcc, html

from credtrends.web.components.banner import synthetic_banner
from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo, metadata_json, render_image, xlsx_bytes
from credtrends.web.exports import frame_to_csv
from credtrends.web.figures import add_error_band, add_forecast, for_dash, interest_figure

PATH = "/interest"
TITLE = "Search interest"
DEFAULT_TOPICS = ("pmp", "cpr", "data-science", "cybersecurity")
DEFAULT_REGION = "CA"
MAX_TOPICS = 15


class Ids(StrEnum):
    TOPICS = "interest-topics"
    REGION = "interest-region"
    GRAPH = "interest-graph"
    BANNER = "interest-synthetic-banner"
    SUMMARY = "interest-summary"
    DOWNLOAD_BUTTON = "interest-download"
    DOWNLOAD = "interest-download-file"
    SHOW_FORECAST = "interest-show-forecast"


def _parse_topics(raw: str | None, known: list[str]) -> list[str]:
    wanted = [t.strip() for t in (raw or "").split(",") if t.strip()]
    chosen = [t for t in wanted if t in known] or [t for t in DEFAULT_TOPICS if t in known]
    return (chosen or known[:3])[:MAX_TOPICS]


def layout(
    data: DashboardData, topic: str | None = None, region: str | None = None, **_: Any
) -> html.Div:
    """``?topic=pmp,cpr&region=CA-ON`` deep-links a selection; unknown parameters are ignored."""
    topics = data.topics()
    regions = data.regions()
    if topics.is_empty():
        return html.Div(
            [
                html.H1(TITLE),
                html.P(
                    "The warehouse has no topics yet. Run `credtrends init` (real data) or "
                    "`credtrends demo` (synthetic demo data)."
                ),
            ]
        )
    known_topics = topics["topic_id"].to_list()
    known_regions = regions["region_code"].to_list()
    chosen_region = region if region in known_regions else DEFAULT_REGION
    return html.Div(
        [
            html.H1(TITLE),
            html.P(
                "How much people search Google for each micro-credential topic, week by week. "
                "Open circles mark the current week, which is not complete yet."
            ),
            synthetic_banner(visible=False, component_id=Ids.BANNER),
            html.Div(
                [
                    html.Label(
                        [
                            "Topics",
                            dcc.Dropdown(
                                id=Ids.TOPICS,
                                options=[
                                    {"label": row["name_en"], "value": row["topic_id"]}
                                    for row in topics.iter_rows(named=True)
                                ],
                                value=_parse_topics(topic, known_topics),
                                multi=True,
                                clearable=False,
                            ),
                        ],
                        className="control control-wide",
                    ),
                    html.Label(
                        [
                            "Region",
                            dcc.Dropdown(
                                id=Ids.REGION,
                                options=[
                                    {"label": row["name_en"], "value": row["region_code"]}
                                    for row in regions.iter_rows(named=True)
                                ],
                                value=chosen_region,
                                clearable=False,
                            ),
                        ],
                        className="control",
                    ),
                ],
                className="controls",
            ),
            dcc.Checklist(
                id=Ids.SHOW_FORECAST,
                options=[
                    {
                        "label": "Latest forecast with its 80% and 95% intervals",
                        "value": "forecast",
                    },
                    {"label": "Calibration error band (Google's rounding)", "value": "errors"},
                ],
                value=["forecast"],
                inline=True,
                inputStyle={"marginRight": "0.3rem", "marginLeft": "1rem"},
            ),
            dcc.Loading(
                dcc.Graph(id=Ids.GRAPH, config={"displaylogo": False}, style={"height": "520px"})
            ),
            html.P(id=Ids.SUMMARY, className="summary"),
            html.Div(
                [
                    html.Span("Download: ", className="note"),
                    *(
                        html.Button(
                            label,
                            id=f"{Ids.DOWNLOAD_BUTTON}-{kind}",
                            className="button",
                            title=title,
                        )
                        for kind, label, title in (
                            ("png", "PNG", "Chart as an image, with source and licence"),
                            ("svg", "SVG", "Chart as vector graphics"),
                            ("pdf", "PDF", "Chart as PDF"),
                            ("csv", "CSV", "The data behind the chart"),
                            ("csvfr", "CSV (fr)", "Séparateur ';' et virgule décimale"),
                            ("xlsx", "XLSX", "The data and its metadata, for spreadsheets"),
                            ("json", "Metadata", "Sources, licence, columns, loading snippets"),
                        )
                    ),
                ],
                className="downloads",
            ),
            dcc.Download(id=Ids.DOWNLOAD),
        ]
    )


def _validated(data: DashboardData, topic_ids: Any, region: Any) -> tuple[list[str], str]:
    """Any client can post anything to a callback: keep only known topics and regions."""
    known_topics = set(data.topics()["topic_id"].to_list())
    known_regions = set(data.regions()["region_code"].to_list())
    if (
        not isinstance(topic_ids, list)
        or not isinstance(region, str)
        or region not in known_regions
    ):
        raise dash.exceptions.PreventUpdate
    chosen = [t for t in topic_ids if isinstance(t, str) and t in known_topics][:MAX_TOPICS]
    return chosen, region


def _names(data: DashboardData, column: str, key: str) -> dict[str, str]:
    frame = data.topics() if key == "topic_id" else data.regions()
    return dict(zip(frame[key].to_list(), frame[column].to_list(), strict=True))


def _summary(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "No rows for this selection."
    final = frame.filter(~pl.col("is_partial"))
    first: date = frame["period_start"].min()  # type: ignore[assignment]
    last: date = final["period_start"].max() if final.height else frame["period_start"].max()  # type: ignore[assignment]
    sources = ", ".join(sorted(set(frame["source"].to_list())))
    topics = frame["topic_id"].n_unique()
    weeks = frame["period_start"].n_unique()
    return (
        f"{topics} topic(s), {weeks} weeks from {first} to {last} (the last complete week). "
        f"Source: {sources}."
    )


def build_chart(
    data: DashboardData, chosen: list[str], region_code: str, show: Any
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The chart for a validated selection; ``show`` is the checklist's (untrusted) value."""
    options = {o for o in show if isinstance(o, str)} if isinstance(show, list) else set()
    frame = data.interest_over_time(chosen, region_code)
    topic_names = _names(data, "name_en", "topic_id")
    figure = interest_figure(
        frame,
        topic_names,
        _names(data, "name_en", "region_code").get(region_code, region_code),
    )
    if "errors" in options and not frame.is_empty():
        add_error_band(figure, frame, topic_names)
    if "forecast" in options and not frame.is_empty():
        add_forecast(figure, data.latest_forecasts(chosen, region_code), topic_names)
    return frame, for_dash(figure)


def export_info(frame: pl.DataFrame, chosen: list[str], region_code: str) -> ExportInfo:
    query = urlencode({"topic": ",".join(chosen), "region": region_code})
    return ExportInfo(
        title=f"Search interest, {region_code}",
        sources=sorted(set(frame["source"].to_list())) or ["none"],
        synthetic=bool(frame["is_synthetic"].any()),
        permalink=f"{PATH}?{query}",
        notes=[
            "Values on one scale where 100 is the busiest week of any topic in the region; "
            "the last week is partial."
        ],
    )


DOWNLOAD_KINDS = ("png", "svg", "pdf", "csv", "csvfr", "xlsx", "json")


def _file(content: bytes, filename: str) -> dict[str, Any]:
    """What dcc.Download expects for binary content."""
    return {"content": base64.b64encode(content).decode(), "base64": True, "filename": filename}


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(
        Output(Ids.GRAPH, "figure"),
        Output(Ids.BANNER, "hidden"),
        Output(Ids.SUMMARY, "children"),
        Input(Ids.TOPICS, "value"),
        Input(Ids.REGION, "value"),
        Input(Ids.SHOW_FORECAST, "value"),
    )
    def update_chart(topic_ids: Any, region: Any, show: Any) -> tuple[Any, bool, str]:
        chosen, region_code = _validated(data, topic_ids, region)
        frame, figure = build_chart(data, chosen, region_code, show)
        return figure, not bool(frame["is_synthetic"].any()), _summary(frame)

    @app.callback(
        Output(Ids.DOWNLOAD, "data"),
        *(Input(f"{Ids.DOWNLOAD_BUTTON}-{kind}", "n_clicks") for kind in DOWNLOAD_KINDS),
        State(Ids.TOPICS, "value"),
        State(Ids.REGION, "value"),
        State(Ids.SHOW_FORECAST, "value"),
        prevent_initial_call=True,
    )
    def download(*args: Any) -> dict[str, Any]:
        topic_ids, region, show = args[len(DOWNLOAD_KINDS) :]
        kind = str(dash.ctx.triggered_id or "").rsplit("-", 1)[-1]
        if kind not in DOWNLOAD_KINDS:
            raise dash.exceptions.PreventUpdate
        chosen, region_code = _validated(data, topic_ids, region)
        frame, figure = build_chart(data, chosen, region_code, show)
        info = export_info(frame, chosen, region_code)
        name = f"credtrends-search-interest-{region_code}"
        if kind in ("png", "svg", "pdf"):
            image = render_image(figure, info, kind)  # type: ignore[arg-type]
            return _file(image, f"{name}.{kind}")
        if kind == "xlsx":
            return _file(xlsx_bytes(frame, info), f"{name}.xlsx")
        if kind == "json":
            return dict(content=metadata_json(frame, info, f"{name}.csv"), filename=f"{name}.json")
        if kind == "csvfr":
            return dict(
                content=frame_to_csv(frame, french=True), filename=f"{name}-fr.csv", type="text/csv"
            )
        return dict(content=frame_to_csv(frame), filename=f"{name}.csv", type="text/csv")
