"""Pure map builder: a frame of values per province in, a plotly choropleth of Canada out.

Uses `go.Choroplethmap` on the blank `white-bg` style: it draws our own GeoJSON with MapLibre
and fetches nothing, so it works offline and in static (kaleido) export. The classic
`go.Choropleth` fetches its base map from a CDN and fails in both cases.
"""

from __future__ import annotations

import html
import math
from typing import Any, Literal

import plotly.graph_objects as go
import polars as pl

from credtrends.web.geodata import load_provinces_geojson
from credtrends.web.i18n import MESSAGES, N_

Language = Literal["en", "fr"]

# ColorBrewer YlGnBu without its near-white first class, so the palest province still stands
# out from the white background; sequential and safe for colour-blind readers.
COLOR_SCALE = (
    "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58",
)  # fmt: skip
NO_DATA_COLOR = "#bdbdbd"  # neutral grey: no hue, so it cannot be read as a value
BORDER_COLOR = "#525252"  # 3:1 against white and the palest fill (WCAG non-text contrast)
SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA"
PROVINCES_URL = "/geodata/canada-provinces.geojson"  # served by the app (chart_routes)
REQUIRED_COLUMNS = ("region_code", "region_name", "value")
# Canada's extent (west, south, east, north), from the shipped GeoJSON's bounding boxes.
CANADA_BOUNDS = (-141.01, 41.67, -52.61, 83.12)
DEFAULT_HEIGHT = 560
MARGIN = {"t": 84, "r": 10, "b": 38, "l": 10}

# The map's own words, from the dashboard's message table (one place for both languages).
_TEXT_KEYS = {
    "no_data": N_("map_no_data"), "no_data_key": N_("map_no_data_key"), "empty": N_("map_empty"),
    "synthetic": N_("map_synthetic"), "attribution": N_("map_attribution"),
}  # fmt: skip
TEXTS: dict[Language, dict[str, str]] = {
    lang: {name: MESSAGES[lang][key] for name, key in _TEXT_KEYS.items()} for lang in ("en", "fr")
}


# ColorBrewer RdBu (colour-blind safe), falling red to rising blue.
DIVERGING_SCALE = [
    [0.0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1.0, "#2166ac"]
]  # fmt: skip


def province_choropleth(
    frame: pl.DataFrame,
    value_label: str,
    title: str,
    synthetic: bool,
    *,
    language: Language = "en",
    height: int = DEFAULT_HEIGHT,
    diverging: bool = False,
    geojson_url: str | None = None,
    hover_column: str | None = None,
) -> go.Figure:
    """Colour each province and territory by `value`; those without one are grey.

    `frame` has `region_code` (ISO 3166-2, "CA-ON"), `region_name` and a nullable `value`.
    Every province is always drawn, so a missing row, a null and NaN all read as "no data"
    rather than as a hole in the country. Codes not on the map (e.g. "CA") are ignored.
    ``diverging`` is for changes: red below zero, blue above, white at zero.
    The view is fixed so the whole country fits `height` pixels: plotly's automatic
    `fitbounds` misplaces the map in static export (seen with plotly 7.1 and kaleido 1.5).
    With ``geojson_url`` the traces name the boundaries by URL instead of carrying them:
    the browser fetches and caches the file once, so a callback answers in a few kB
    instead of ~330 kB. Static export needs them inline again (``inline_geojson``).
    ``hover_column`` names a text column shown on hover instead of the bare value (a value
    with its 95% interval, say).
    """
    texts = TEXTS[language]
    values = _values_by_code(frame)
    hover = _hover_texts(frame, hover_column)
    collection = load_provinces_geojson()
    with_data = [f for f in collection["features"] if f["id"] in values]
    without_data = [f for f in collection["features"] if f["id"] not in values]

    figure = go.Figure()
    if without_data:
        figure.add_trace(_no_data_trace(without_data, texts, language, geojson_url))
    if with_data:
        figure.add_trace(
            _value_trace(
                with_data, values, _escape(value_label), geojson_url,
                hover=hover if hover_column is not None else None, diverging=diverging,
            )
        )  # fmt: skip
    figure.update_layout(
        title={"text": _escape(title), "x": 0.01},
        map={"style": "white-bg", **canada_view(height)},
        height=height,
        margin=MARGIN,
        annotations=_annotations(texts, bool(with_data), bool(without_data), synthetic),
        uirevision="province-map",  # keep the reader's pan/zoom when the data changes
        meta={"synthetic": synthetic, "attribution": texts["attribution"]},
        paper_bgcolor="white",
    )
    return figure


def _hover_texts(frame: pl.DataFrame, hover_column: str | None) -> dict[str, str]:
    """Each province's hover text from ``hover_column`` (escaped); none without one."""
    if hover_column is None:
        return {}
    return {
        str(code): _escape(str(text))
        for code, text in frame.select("region_code", hover_column).iter_rows()
        if text is not None
    }


def _no_data_trace(
    features: list[dict[str, Any]],
    texts: dict[str, str],
    language: Language,
    geojson_url: str | None,
) -> go.Choroplethmap:
    """The provinces without a value, in neutral grey, named "no data" on hover."""
    return go.Choroplethmap(
        geojson=geojson_url or _collection(features),
        locations=[f["id"] for f in features],
        z=[0.0] * len(features),
        featureidkey="id",
        customdata=[[_escape(f["properties"][f"name_{language}"])] for f in features],
        colorscale=[[0.0, NO_DATA_COLOR], [1.0, NO_DATA_COLOR]],
        zmin=0.0,
        zmax=1.0,
        showscale=False,
        name=texts["no_data"],
        marker={"line": {"color": BORDER_COLOR, "width": 0.6}},
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>{texts['no_data']}<extra></extra>",
    )


def _value_trace(
    features: list[dict[str, Any]],
    values: dict[str, tuple[str, float]],
    label: str,
    geojson_url: str | None,
    *,
    hover: dict[str, str] | None,
    diverging: bool,
) -> go.Choroplethmap:
    """The provinces with a value, coloured on a sequential (or diverging) scale; the hover
    shows ``hover``'s text when given, else the value."""
    numbers = [value for _, value in values.values()]
    scale = DIVERGING_SCALE if diverging else [
        [index / (len(COLOR_SCALE) - 1), color] for index, color in enumerate(COLOR_SCALE)
    ]  # fmt: skip
    return go.Choroplethmap(
        geojson=geojson_url or _collection(features),
        locations=[f["id"] for f in features],
        z=[values[f["id"]][1] for f in features],
        featureidkey="id",
        customdata=[
            [values[f["id"]][0], *([hover.get(f["id"], "")] if hover is not None else [])]
            for f in features
        ],
        colorscale=scale,
        colorbar={"title": {"text": label, "side": "right"}, "thickness": 14, "len": 0.8},
        **(_diverging_range(numbers) if diverging else _value_range(numbers)),
        name=label,
        marker={"line": {"color": BORDER_COLOR, "width": 0.6}},
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>{label}: "
        + ("%{customdata[1]}" if hover is not None else "%{z:,.1f}")
        + "<extra></extra>",
    )


def _annotations(
    texts: dict[str, str], with_data: bool, without_data: bool, synthetic: bool
) -> list[dict[str, Any]]:
    """The notes under the map (the grey key, the attribution), the empty-map message and
    the synthetic label above it."""
    notes = [texts["attribution"]]
    if without_data and with_data:
        notes.insert(0, texts["no_data_key"])
    annotations: list[dict[str, Any]] = [
        _note("<br>".join(notes), y=0.0, yanchor="top", size=10, color="#525252"),
    ]
    if not with_data:
        annotations.append(
            {
                **_note(texts["empty"], y=0.5, yanchor="middle", size=16, color="#252525"),
                "x": 0.5,
                "xanchor": "center",
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    if synthetic:
        annotations.append(
            {
                **_note(texts["synthetic"], y=1.0, yanchor="bottom", size=14, color="#9a3412"),
                "yshift": 6,
                "x": 0.5,
                "xanchor": "center",
                "bgcolor": "rgba(255,255,255,0.85)",
                "bordercolor": "#9a3412",
                "borderwidth": 1,
                "borderpad": 4,
            }
        )
    return annotations


def canada_view(height: int) -> dict[str, Any]:
    """Centre and zoom that fit all of Canada into a map `height` pixels tall.

    MapLibre draws Web Mercator with 512-pixel tiles: at zoom z one radian of mercator y is
    512 * 2**z / (2 * pi) pixels. Canada spans about 2 radians of y (the Arctic is stretched).
    """
    west, south, east, north = CANADA_BOUNDS
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    usable = max(height - MARGIN["t"] - MARGIN["b"], 120) * 0.95
    zoom = math.log2(usable * 2 * math.pi / (512 * (y_north - y_south)))
    centre_lat = math.degrees(math.atan(math.sinh((y_south + y_north) / 2)))
    return {
        "center": {"lat": round(centre_lat, 3), "lon": (west + east) / 2},
        "zoom": round(zoom, 3),
    }


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _values_by_code(frame: pl.DataFrame) -> dict[str, tuple[str, float]]:
    """Region code -> (escaped display name, value), for rows with a real number only."""
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"province_choropleth needs columns {missing}")
    codes = frame["region_code"]
    if codes.is_duplicated().any():
        duplicated = sorted(set(codes.filter(codes.is_duplicated()).to_list()))
        raise ValueError(f"one row per region expected; repeated: {duplicated}")
    known = {f["id"] for f in load_provinces_geojson()["features"]}
    rows = frame.select(
        pl.col("region_code").cast(pl.String),
        pl.col("region_name").cast(pl.String),
        pl.col("value").cast(pl.Float64),
    ).filter(
        pl.col("region_code").is_in(sorted(known))
        & pl.col("value").is_not_null()
        & pl.col("value").is_finite()
    )
    return {code: (_escape(name or code), value) for code, name, value in rows.iter_rows()}


def _diverging_range(numbers: list[float]) -> dict[str, float]:
    """Symmetric around zero, so white always means "no change"."""
    reach = max(abs(min(numbers)), abs(max(numbers))) or 1.0
    return {"zmin": -reach, "zmax": reach, "zmid": 0.0}


def _value_range(numbers: list[float]) -> dict[str, float]:
    """Plotly's automatic range, except when every value is equal: plotly would then invent
    a range around it (41.6 to 42.4 for 42); a scale from zero reads truthfully."""
    low, high = min(numbers), max(numbers)
    if low != high:
        return {}
    return {"zmin": min(low, 0.0), "zmax": max(high, 0.0) or 1.0}


def inline_geojson(figure: dict[str, Any], geojson_url: str) -> dict[str, Any]:
    """The figure with boundaries given by ``geojson_url`` put back inline, for renderers
    that cannot fetch from this server (kaleido's image and PDF export)."""
    traces = [
        {**trace, "geojson": load_provinces_geojson()}
        if trace.get("geojson") == geojson_url
        else trace
        for trace in figure.get("data", [])
    ]
    return {**figure, "data": traces}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A new FeatureCollection around the cached features (which stay unchanged)."""
    return {"type": "FeatureCollection", "features": features}


def _note(text: str, *, y: float, yanchor: str, size: int, color: str) -> dict[str, Any]:
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "xanchor": "left",
        "y": y,
        "yanchor": yanchor,
        "showarrow": False,
        "align": "left",
        "font": {"size": size, "color": color},
    }


def _escape(text: str) -> str:
    """Plotly renders titles, labels and hover text as pseudo-HTML; show them as typed."""
    return html.escape(text, quote=False)
