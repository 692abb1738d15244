"""The province choropleth builder: values land on the right provinces, gaps read as gaps."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest

from credtrends.web.geodata import ATTRIBUTION, load_provinces_geojson
from credtrends.web.maps import (
    CANADA_BOUNDS,
    NO_DATA_COLOR,
    SYNTHETIC_LABEL,
    canada_view,
    province_choropleth,
)

ALL_CODES = sorted(feature["id"] for feature in load_provinces_geojson()["features"])
SCHEMA = {"region_code": pl.String, "region_name": pl.String, "value": pl.Float64}


def frame(rows: Sequence[tuple[str, str, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def traces(figure: go.Figure) -> tuple[Any | None, Any | None]:
    """(no-data trace, values trace); either may be absent."""
    no_data = [t for t in figure.data if t.showscale is False]
    values = [t for t in figure.data if t.showscale is not False]
    assert len(no_data) <= 1 and len(values) <= 1
    return (no_data[0] if no_data else None), (values[0] if values else None)


def annotation_texts(figure: go.Figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations]


def test_values_land_on_their_own_provinces() -> None:
    figure = province_choropleth(
        frame([("CA-ON", "Ontario", 80.0), ("CA-QC", "Quebec", 55.5), ("CA-PE", "PEI", 3.0)]),
        "Search interest",
        "Interest by province",
        synthetic=False,
    )
    no_data, values = traces(figure)
    assert values is not None and no_data is not None
    assert dict(zip(values.locations, values.z, strict=True)) == {
        "CA-ON": 80.0,
        "CA-QC": 55.5,
        "CA-PE": 3.0,
    }
    # The trace's own GeoJSON holds exactly the features it colours, matched by "id".
    assert values.featureidkey == "id"
    assert [f["id"] for f in values.geojson["features"]] == list(values.locations)
    names = {code: data[0] for code, data in zip(values.locations, values.customdata, strict=True)}
    assert names == {"CA-ON": "Ontario", "CA-QC": "Quebec", "CA-PE": "PEI"}
    assert "%{customdata[0]}" in values.hovertemplate and "%{z" in values.hovertemplate
    assert sorted(no_data.locations) == sorted(set(ALL_CODES) - {"CA-ON", "CA-QC", "CA-PE"})


def test_every_province_is_drawn_exactly_once() -> None:
    figure = province_choropleth(
        frame([("CA-ON", "Ontario", 1.0)]), "Value", "Title", synthetic=False
    )
    drawn = [f["id"] for trace in figure.data for f in trace.geojson["features"]]
    assert sorted(drawn) == ALL_CODES  # the GeoJSON travels once, split between traces


def test_nulls_nan_and_unknown_codes_read_as_no_data() -> None:
    figure = province_choropleth(
        frame(
            [
                ("CA-ON", "Ontario", 12.0),
                ("CA-BC", "British Columbia", None),
                ("CA-AB", "Alberta", math.nan),
                ("CA", "Canada", 50.0),  # national row: not a province, not drawn
            ]
        ),
        "Value",
        "Title",
        synthetic=False,
    )
    no_data, values = traces(figure)
    assert values is not None and list(values.locations) == ["CA-ON"]
    assert no_data is not None
    assert {"CA-BC", "CA-AB"} <= set(no_data.locations)
    assert "CA" not in set(no_data.locations) | set(values.locations)
    assert no_data.colorscale[0][1] == NO_DATA_COLOR == no_data.colorscale[-1][1]
    assert "No data" in no_data.hovertemplate
    assert any("Grey: no data" in text for text in annotation_texts(figure))


def test_empty_frame_shows_grey_country_and_says_so() -> None:
    figure = province_choropleth(frame([]), "Value", "Title", synthetic=False)
    no_data, values = traces(figure)
    assert values is None
    assert no_data is not None and sorted(no_data.locations) == ALL_CODES
    assert "No data for this selection" in annotation_texts(figure)


def test_full_coverage_needs_no_grey_key() -> None:
    rows = [(code, code, float(index)) for index, code in enumerate(ALL_CODES)]
    figure = province_choropleth(frame(rows), "Value", "Title", synthetic=False)
    no_data, values = traces(figure)
    assert no_data is None and values is not None
    assert not any("no data" in text.lower() for text in annotation_texts(figure))


def test_synthetic_data_is_marked_visibly() -> None:
    rows = frame([("CA-ON", "Ontario", 1.0)])
    marked = province_choropleth(rows, "Value", "Title", synthetic=True)
    assert any(SYNTHETIC_LABEL in text for text in annotation_texts(marked))
    assert marked.layout.meta["synthetic"] is True
    plain = province_choropleth(rows, "Value", "Title", synthetic=False)
    assert not any(SYNTHETIC_LABEL in text for text in annotation_texts(plain))


def test_offline_map_with_attribution_and_labelled_colour_bar() -> None:
    figure = province_choropleth(
        frame([("CA-ON", "Ontario", 1.0)]), "Search interest (0-100)", "Ontario", False
    )
    assert {trace.type for trace in figure.data} == {"choroplethmap"}  # never the CDN one
    assert figure.layout.map.style == "white-bg"
    _, values = traces(figure)
    assert values is not None
    assert values.colorbar.title.text == "Search interest (0-100)"
    assert any(ATTRIBUTION in text for text in annotation_texts(figure))
    assert figure.layout.title.text == "Ontario"


def test_view_fits_canada_in_the_figure_height() -> None:
    west, south, east, north = CANADA_BOUNDS
    for feature in load_provinces_geojson()["features"]:
        f_west, f_south, f_east, f_north = feature["bbox"]
        assert west <= f_west and f_east <= east and south <= f_south and f_north <= north
    small, large = canada_view(400), canada_view(800)
    assert small["zoom"] < large["zoom"]
    assert west < small["center"]["lon"] < east and south < small["center"]["lat"] < north
    figure = province_choropleth(frame([]), "Value", "Title", synthetic=False, height=400)
    assert figure.layout.height == 400
    assert figure.layout.map.zoom == small["zoom"]


def test_french_names_for_provinces_without_a_row() -> None:
    figure = province_choropleth(frame([]), "Valeur", "Titre", synthetic=True, language="fr")
    no_data, _ = traces(figure)
    assert no_data is not None
    names = dict(zip(no_data.locations, (row[0] for row in no_data.customdata), strict=True))
    assert names["CA-QC"] == "Québec" and names["CA-BC"] == "Colombie-Britannique"
    assert "Aucune donnée" in no_data.hovertemplate


def test_labels_and_names_are_shown_as_typed_not_as_markup() -> None:
    figure = province_choropleth(
        frame([("CA-ON", "<b>Ontario</b>", 1.0)]), "<i>x</i> & y", "<a href=x>t</a>", False
    )
    _, values = traces(figure)
    assert values is not None
    assert values.customdata[0][0] == "&lt;b&gt;Ontario&lt;/b&gt;"
    assert "<i>" not in values.hovertemplate and "&lt;i&gt;x&lt;/i&gt; &amp; y" in (
        values.hovertemplate
    )
    assert "<a" not in figure.layout.title.text


def test_building_leaves_the_shared_geojson_untouched() -> None:
    before = copy.deepcopy(load_provinces_geojson())
    province_choropleth(frame([("CA-ON", "Ontario", 1.0)]), "Value", "Title", synthetic=True)
    assert load_provinces_geojson() == before


def test_rejects_frames_it_cannot_read_safely() -> None:
    with pytest.raises(ValueError, match="repeated"):
        province_choropleth(
            frame([("CA-ON", "Ontario", 1.0), ("CA-ON", "Ontario", 2.0)]), "V", "T", False
        )
    with pytest.raises(ValueError, match="value"):
        province_choropleth(
            pl.DataFrame({"region_code": ["CA-ON"], "region_name": ["Ontario"]}), "V", "T", False
        )


def test_a_single_value_gets_a_scale_from_zero() -> None:
    figure = province_choropleth(frame([("CA-ON", "Ontario", 42.0)]), "Value", "T", False)
    _, values = traces(figure)
    assert values is not None and (values.zmin, values.zmax) == (0.0, 42.0)
    spread = province_choropleth(
        frame([("CA-ON", "Ontario", 42.0), ("CA-QC", "Quebec", 50.0)]), "Value", "T", False
    )
    _, values = traces(spread)
    assert values is not None and values.zmin is None  # plotly's own range otherwise


def test_diverging_scale_is_centred_on_zero() -> None:
    frame = pl.DataFrame(
        {
            "region_code": ["CA-ON", "CA-QC"],
            "region_name": ["Ontario", "Quebec"],
            "value": [-5.0, 20.0],
        }
    )
    figure = province_choropleth(frame, "% change", "t", synthetic=False, diverging=True)
    trace = next(t for t in figure.data if t.z is not None and len(t.z) == 2)
    assert (trace.zmin, trace.zmax, trace.zmid) == (-20.0, 20.0, 0.0)
