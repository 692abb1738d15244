"""Pure figure builders: frames in, plotly figures out (no data access, no Dash)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from credtrends.web.components.banner import SYNTHETIC_MESSAGE

PALETTE = (
    "#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182",
    "#8d6a9f", "#2e4057", "#c8553d", "#588b8b", "#f28f3b",
)  # fmt: skip


def interest_values(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Choose the comparable scale when every row has it, else each series' own scale.

    Raw Google values are relative to their own request, so mixing them across topics
    would mislead; the axis title says which one is shown.
    """
    if frame.height and frame["calibrated_value"].null_count() == 0:
        shown = frame.with_columns(
            value=pl.col("calibrated_value"),
            low=pl.col("calibrated_low"),
            high=pl.col("calibrated_high"),
        )
        return shown, "Search interest, one scale<br>(100 = busiest week of any topic here)"
    shown = frame.with_columns(value=pl.col("raw_value"), low=None, high=None)
    return shown, "Search interest, 0-100 within each topic<br>(not comparable across topics)"


@functools.cache
def _house_template() -> dict[str, Any]:
    """plotly_white as plain JSON, built once: assigning a named template to every figure
    deep-copies it, which cost ~24 ms of a ~30 ms callback."""
    return dict(pio.templates["plotly_white"].to_plotly_json())


def for_dash(figure: go.Figure) -> dict[str, Any]:
    """The figure as JSON for dcc.Graph, in the house style (callbacks return this)."""
    spec: dict[str, Any] = figure.to_plotly_json()
    spec["layout"] = {**spec.get("layout", {}), "template": _house_template()}
    return spec


def empty_figure(message: str) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 16}}],
    )
    return figure


def add_forecast(figure: go.Figure, forecast: pl.DataFrame, topic_names: Mapping[str, str]) -> None:
    """Dashed mean with shaded 80% and 95% intervals; the model is named in the legend."""
    for index, ((topic_id,), series) in enumerate(
        forecast.sort("topic_id", "period_start").group_by("topic_id", maintain_order=True)
    ):
        name = topic_names.get(str(topic_id), str(topic_id))
        color = PALETTE[index % len(PALETTE)]
        x = series["period_start"].to_list()
        for low, high, opacity in (("lo95", "hi95", 0.12), ("lo80", "hi80", 0.22)):
            figure.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=series[high].to_list() + series[low].to_list()[::-1],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor=color,
                    opacity=opacity,
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{name} {low[2:]}% interval",
                )
            )
        model = series["model"][0]
        figure.add_trace(
            go.Scatter(
                x=x,
                y=series["mean"].to_list(),
                mode="lines",
                line={"color": color, "dash": "dash", "width": 2},
                name=f"{name}: forecast ({model}), 80/95% intervals",
                hovertemplate=f"{name} forecast ({model})<br>%{{x|%Y-%m-%d}}: %{{y:.1f}}"
                "<extra></extra>",
            )
        )


def add_error_band(figure: go.Figure, frame: pl.DataFrame, topic_names: Mapping[str, str]) -> None:
    """Shade each calibrated series between the bounds Google's rounding allows."""
    shown, _ = interest_values(frame)
    if shown["low"].null_count() == shown.height:
        return
    for index, ((topic_id,), series) in enumerate(
        shown.sort("topic_id", "period_start").group_by("topic_id", maintain_order=True)
    ):
        name = topic_names.get(str(topic_id), str(topic_id))
        x = series["period_start"].to_list()
        figure.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=series["high"].to_list() + series["low"].to_list()[::-1],
                fill="toself",
                mode="lines",
                line={"width": 0},
                fillcolor=PALETTE[index % len(PALETTE)],
                opacity=0.25,
                hoverinfo="skip",
                name=f"{name}: calibration error band",
            )
        )


def interest_figure(
    frame: pl.DataFrame, topic_names: Mapping[str, str], region_name: str
) -> go.Figure:
    """Lines per topic; the partial last period is drawn as an open marker, not a value."""
    if frame.is_empty():
        return empty_figure("No search interest loaded for this selection yet.")
    shown, axis_title = interest_values(frame)
    several_sources = frame["source"].n_unique() > 1
    figure = go.Figure()
    for index, ((topic_id, source), series) in enumerate(
        shown.sort("topic_id", "source", "period_start").group_by(
            "topic_id", "source", maintain_order=True
        )
    ):
        # Real and synthetic series of one topic are never joined into one line.
        name = topic_names.get(str(topic_id), str(topic_id))
        if several_sources:
            name = f"{name} ({source})"
        color = PALETTE[index % len(PALETTE)]
        final = series.filter(~pl.col("is_partial"))
        partial = series.filter(pl.col("is_partial"))
        figure.add_trace(
            go.Scatter(
                x=final["period_start"].to_list(),
                y=final["value"].to_list(),
                mode="lines",
                name=name,
                line={"color": color, "width": 2},
                hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y:.1f}}<extra></extra>",
            )
        )
        if partial.height:
            figure.add_trace(
                go.Scatter(
                    x=partial["period_start"].to_list(),
                    y=partial["value"].to_list(),
                    mode="markers",
                    name=f"{name} (partial period)",
                    marker={"color": color, "symbol": "circle-open", "size": 9},
                    showlegend=False,
                    hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y:.1f}} (partial, not final)"
                    "<extra></extra>",
                )
            )
    annotations = []
    if bool(frame["is_synthetic"].any()):
        annotations.append(
            {
                "text": "SYNTHETIC DEMO DATA — not Google Trends data",
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 1.0,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": "#9a3412", "size": 13},
            }
        )
    sources = ", ".join(sorted(set(frame["source"].to_list())))
    figure.update_layout(
        title={"text": f"Search interest in {region_name}", "x": 0.01},
        yaxis={"title": {"text": axis_title}, "rangemode": "tozero"},
        xaxis={"title": {"text": "Week"}},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 70, "r": 20, "b": 90, "l": 70},
        annotations=[
            *annotations,
            {
                "text": f"Source: {sources}",
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1.06,
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
                "xanchor": "right",
                "yanchor": "bottom",
            },
        ],
        meta={"synthetic_note": SYNTHETIC_MESSAGE if annotations else ""},
    )
    return figure
