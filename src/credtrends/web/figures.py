"""Pure figure builders: frames in, plotly figures out (no data access, no Dash).

Every visible word comes from the caller's ``Translator``, so figures follow the page's
language; the palette is colour-blind safe (Okabe-Ito, then Paul Tol's) and every colour
keeps a 3:1 contrast with the white background (WCAG 2.1 non-text contrast).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from credtrends.web.i18n import N_, Translator

PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#332288",
    "#882255", "#117733", "#AA4499", "#8C6D00", "#000000",
)  # fmt: skip
SYNTHETIC_COLOR = "#9a3412"
GOOGLE_BREAK = date(2022, 1, 1)  # Google's data-collection change (its notes on Trends data)


def interest_values(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Choose the comparable scale when every row has it, else each series' own scale.

    Raw Google values are relative to their own request, so mixing them across topics
    would mislead; the returned message key names the scale for the axis title.
    """
    if frame.height and frame["calibrated_value"].null_count() == 0:
        shown = frame.with_columns(
            value=pl.col("calibrated_value"),
            low=pl.col("calibrated_low"),
            high=pl.col("calibrated_high"),
        )
        return shown, N_("axis_calibrated")
    shown = frame.with_columns(
        value=pl.col("raw_value"), low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64)
    )
    return shown, N_("axis_raw")


@functools.cache
def _house_template() -> dict[str, Any]:
    """plotly_white as plain JSON, built once: assigning a named template to every figure
    deep-copies it, which cost ~24 ms of a ~30 ms callback."""
    return dict(pio.templates["plotly_white"].to_plotly_json())


def for_dash(figure: go.Figure, tr: Translator | None = None) -> dict[str, Any]:
    """The figure as JSON for dcc.Graph, in the house style (callbacks return this)."""
    spec: dict[str, Any] = figure.to_plotly_json()
    layout = {**spec.get("layout", {}), "template": _house_template()}
    if tr is not None:
        layout["separators"] = tr.plotly_separators
    spec["layout"] = layout
    return spec


def empty_figure(message: str) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 16}}],
    )
    return figure


def synthetic_note(tr: Translator, x: float = 1.0, y: float = 1.02) -> dict[str, Any]:
    """The on-chart label that generated numbers carry, in exports too."""
    return {
        "text": tr("synthetic_chart"),
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": y,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"color": SYNTHETIC_COLOR, "size": 13},
    }


def add_forecast(
    figure: go.Figure, forecast: pl.DataFrame, names: Mapping[str, str], tr: Translator
) -> None:
    """Dashed mean with shaded 80% and 95% intervals; the model is named in the legend.

    ``forecast`` has a ``series`` column matching the one the lines were drawn from.
    """
    for index, ((series_id,), series) in enumerate(
        forecast.sort("series", "period_start").group_by("series", maintain_order=True)
    ):
        name = names.get(str(series_id), str(series_id))
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
                    name=tr("interval", name=name, level=low[2:]),
                )
            )
        model = series["model"][0]
        hover = tr("forecast_hover", name=name, model=model)
        day = tr.plotly_date()
        bounds = "".join(
            f"<br>{tr('hover_interval', level=level)}: "
            f"%{{customdata[{i}]:.1f}} – %{{customdata[{i + 1}]:.1f}}"
            for i, level in ((0, 80), (2, 95))
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=series["mean"].to_list(),
                customdata=series.select("lo80", "hi80", "lo95", "hi95").rows(),
                mode="lines",
                line={"color": color, "dash": "dash", "width": 2},
                name=tr("forecast_legend", name=name, model=model),
                hovertemplate=f"{hover}<br>%{{x|{day}}}: %{{y:.1f}}{bounds}<extra></extra>",
            )
        )


def add_error_band(
    figure: go.Figure, shown: pl.DataFrame, names: Mapping[str, str], tr: Translator
) -> None:
    """Shade each calibrated series between the bounds Google's rounding allows."""
    if shown.is_empty() or shown["low"].null_count() == shown.height:
        return
    for index, ((series_id,), series) in enumerate(
        shown.sort("series", "period_start").group_by("series", maintain_order=True)
    ):
        name = names.get(str(series_id), str(series_id))
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
                name=tr("error_band", name=name),
            )
        )


def spans_google_break(shown: pl.DataFrame) -> bool:
    if shown.is_empty():
        return False
    first, last = shown["period_start"].min(), shown["period_start"].max()
    return bool(first < GOOGLE_BREAK <= last)  # type: ignore[operator]


def interest_figure(
    shown: pl.DataFrame,
    names: Mapping[str, str],
    title: str,
    axis_title: str,
    tr: Translator,
    x_title: str = "",
) -> go.Figure:
    """One line per ``series`` and source; the partial last period is an open marker.

    ``shown`` has series, period_start, value, is_partial, source and is_synthetic.
    Real and synthetic series of one topic are never joined into one line.
    """
    if shown.is_empty():
        return empty_figure(tr("no_interest"))
    several_sources = shown["source"].n_unique() > 1
    figure = go.Figure()
    for index, ((series_id, source), series) in enumerate(
        shown.sort("series", "source", "period_start").group_by(
            "series", "source", maintain_order=True
        )
    ):
        name = names.get(str(series_id), str(series_id))
        if several_sources:
            name = f"{name} ({source})"
        _add_series(figure, series, name, PALETTE[index % len(PALETTE)], tr)
    figure.update_layout(
        title={"text": title, "x": 0.01},
        yaxis={"title": {"text": axis_title}, "rangemode": "tozero"},
        xaxis={"title": {"text": x_title}},
        legend={"orientation": "h", "y": -0.16, "yanchor": "top"},
        margin={"t": 70, "r": 20, "b": 110, "l": 70},
        annotations=_interest_annotations(shown, tr),
    )
    if spans_google_break(shown):
        _mark_google_break(figure, tr)
    return figure


def _add_series(
    figure: go.Figure, series: pl.DataFrame, name: str, color: str, tr: Translator
) -> None:
    """One series' line of final periods and, when its last period is still running, a
    thin dotted step from the last final value to an open marker: neither joined to the
    line nor left floating."""
    day = tr.plotly_date()
    final = series.filter(~pl.col("is_partial"))
    partial = series.filter(pl.col("is_partial"))
    figure.add_trace(
        go.Scatter(
            x=final["period_start"].to_list(),
            y=final["value"].to_list(),
            mode="lines",
            name=name,
            line={"color": color, "width": 2},
            hovertemplate=f"{name}<br>%{{x|{day}}}: %{{y:.1f}}<extra></extra>",
        )
    )
    if not partial.height:
        return
    joined = pl.concat([final.tail(1), partial]) if final.height else partial
    closed = joined.height - partial.height
    note = f" ({tr('partial_point')})"
    figure.add_trace(
        go.Scatter(
            x=joined["period_start"].to_list(),
            y=joined["value"].to_list(),
            mode="lines+markers",
            line={"color": color, "dash": "dot", "width": 1},
            name=f"{name}{note}",
            marker={
                "color": color,
                "symbol": ["circle"] * closed + ["circle-open"] * partial.height,
                "size": [4] * closed + [9] * partial.height,
            },
            # hover text, not customdata: forecast traces carry their bounds there
            text=[""] * closed + [note] * partial.height,
            showlegend=False,
            hovertemplate=f"{name}<br>%{{x|{day}}}: %{{y:.1f}}%{{text}}<extra></extra>",
        )
    )


def _interest_annotations(shown: pl.DataFrame, tr: Translator) -> list[dict[str, Any]]:
    """The synthetic label (when any series is synthetic) and the sources, above the plot."""
    annotations: list[dict[str, Any]] = []
    if bool(shown["is_synthetic"].any()):
        annotations.append(synthetic_note(tr, x=0.5, y=1.0) | {"xanchor": "center"})
    sources = ", ".join(sorted(set(shown["source"].to_list())))
    annotations.append(
        {
            "text": tr("chart_source", sources=sources),
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": 1.06,
            "showarrow": False,
            "font": {"size": 11, "color": "#555"},
            "xanchor": "right",
            "yanchor": "bottom",
        }
    )
    return annotations


def _mark_google_break(figure: go.Figure, tr: Translator) -> None:
    """A dotted line at Google's data-collection change, named inside the plot."""
    figure.add_vline(x=GOOGLE_BREAK.isoformat(), line={"dash": "dot", "color": "#6b7280"})
    figure.add_annotation(
        text=tr("caveat_break_short"),
        x=GOOGLE_BREAK.isoformat(),
        xref="x",
        y=1,
        yref="paper",
        # Inside the plot, right of its line: above the plot it ran into the synthetic
        # label (in French, the longer label reached it).
        yanchor="top",
        xanchor="left",
        xshift=4,
        bgcolor="rgba(255,255,255,0.85)",
        showarrow=False,
        font={"size": 10, "color": "#4b5563"},
    )
