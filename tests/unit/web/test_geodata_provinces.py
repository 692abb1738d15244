"""The shipped province GeoJSON: complete, valid, plausible, small, and attributed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import yaml

from credtrends.web.geodata import ATTRIBUTION, GEOJSON_RESOURCE, load_provinces_geojson

REPO = Path(__file__).parents[3]
CODES = {
    "CA-AB", "CA-BC", "CA-MB", "CA-NB", "CA-NL", "CA-NS", "CA-NT",
    "CA-NU", "CA-ON", "CA-PE", "CA-QC", "CA-SK", "CA-YT",
}  # fmt: skip
# Extent of each entity in the DCW-GMT source (its lon/lat `min`/`max` attributes), rounded
# outwards: simplification and dropping islets may shrink a box, never grow it.
SOURCE_BOXES = {
    "CA-AB": (-120.01, 48.99, -109.99, 60.01),
    "CA-BC": (-139.06, 48.30, -114.05, 60.01),
    "CA-MB": (-102.01, 48.99, -88.96, 60.01),
    "CA-NB": (-69.06, 44.48, -63.77, 48.08),
    "CA-NL": (-67.83, 46.61, -52.61, 60.70),
    "CA-NS": (-66.40, 43.38, -59.64, 47.23),
    "CA-NT": (-136.49, 59.99, -101.99, 78.77),
    "CA-NU": (-121.05, 56.48, -61.13, 83.12),
    "CA-ON": (-95.16, 41.67, -74.34, 56.87),
    "CA-PE": (-64.42, 45.94, -61.97, 47.06),
    "CA-QC": (-80.86, 44.99, -57.10, 63.70),
    "CA-SK": (-110.01, 48.99, -101.36, 60.01),
    "CA-YT": (-141.01, 59.99, -123.78, 69.65),
}

Ring = npt.NDArray[np.float64]


def polygons(feature: dict[str, Any]) -> list[list[Ring]]:
    geometry = feature["geometry"]
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[np.asarray(ring, dtype=np.float64) for ring in polygon] for polygon in parts]


def shoelace(ring: Ring) -> float:
    x, y = ring[:-1, 0], ring[:-1, 1]
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) / 2)


def crossing_edge_pairs(ring: Ring) -> int:
    """Non-adjacent edges that cross or touch, plus adjacent edges that fold back (spikes)."""
    start, end = ring[:-1], ring[1:]
    n = len(start)
    low, high = np.minimum(start, end), np.maximum(start, end)

    def turn(p: Ring, q: Ring, r: Ring) -> Ring:
        return np.sign(
            (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0])
        )

    def on(p: Ring, q: Ring, r: Ring) -> npt.NDArray[np.bool_]:
        return np.asarray(np.all((np.minimum(p, q) <= r) & (r <= np.maximum(p, q)), axis=1))

    count = 0
    for first in range(0, n, 200):
        i = np.arange(first, min(first + 200, n))[:, None]
        j = np.arange(n)[None, :]
        pair = (j > i + 1) & ~((i == 0) & (j == n - 1))
        pair &= (low[i, 0] <= high[j, 0]) & (low[j, 0] <= high[i, 0])
        pair &= (low[i, 1] <= high[j, 1]) & (low[j, 1] <= high[i, 1])
        ii, jj = np.nonzero(pair)
        a, b, c, d = start[ii + first], end[ii + first], start[jj], end[jj]
        t1, t2, t3, t4 = turn(a, b, c), turn(a, b, d), turn(c, d, a), turn(c, d, b)
        hit = (t1 * t2 < 0) & (t3 * t4 < 0)
        hit |= ((t1 == 0) & on(a, b, c)) | ((t2 == 0) & on(a, b, d))
        hit |= ((t3 == 0) & on(c, d, a)) | ((t4 == 0) & on(c, d, b))
        count += int(np.count_nonzero(hit))
    following = np.roll(end, -1, axis=0)
    folds = (turn(start, end, following) == 0) & (
        np.sum((start - end) * (following - end), axis=1) > 0
    )
    return count + int(np.count_nonzero(folds))


def point_in_ring(point: Ring, ring: Ring) -> bool:
    x, y = point
    xi, yi, xj, yj = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    straddles = (yi > y) != (yj > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        left = x < (xj - xi) * (y - yi) / (yj - yi) + xi
    return bool(np.count_nonzero(straddles & left) % 2)


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    return load_provinces_geojson()


@pytest.fixture(scope="module")
def features(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {feature["id"]: feature for feature in collection["features"]}


def test_exactly_the_thirteen_provinces_and_territories(collection: dict[str, Any]) -> None:
    ids = [feature["id"] for feature in collection["features"]]
    assert collection["type"] == "FeatureCollection"
    assert sorted(ids) == sorted(CODES)
    assert len(ids) == len(set(ids))
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["properties"]["code"] == feature["id"]


def test_names_agree_with_the_region_catalogue(features: dict[str, dict[str, Any]]) -> None:
    """English and French names must match config/regions.yaml, which the rest of the app
    shows; the GeoJSON's come from DCW's list and could drift."""
    regions = yaml.safe_load((REPO / "config" / "regions.yaml").read_text(encoding="utf-8"))
    expected = {
        region["code"]: (region["name_en"], region["name_fr"])
        for region in regions["regions"]
        if region["code"] in CODES
    }
    assert set(expected) == CODES
    for code, (name_en, name_fr) in expected.items():
        properties = features[code]["properties"]
        assert (properties["name_en"], properties["name_fr"]) == (name_en, name_fr)


def test_every_geometry_is_a_valid_polygon_or_multipolygon(
    features: dict[str, dict[str, Any]],
) -> None:
    for code, feature in features.items():
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}, code
        for polygon in polygons(feature):
            for index, ring in enumerate(polygon):
                assert ring.ndim == 2 and ring.shape[1] == 2, code
                assert len(ring) >= 4, f"{code}: ring with {len(ring)} positions"
                assert tuple(ring[0]) == tuple(ring[-1]), f"{code}: ring not closed"
                assert np.all(np.any(np.diff(ring, axis=0) != 0, axis=1)), f"{code}: repeat"
                assert np.all((ring[:, 0] >= -180) & (ring[:, 0] <= 180)), code
                assert np.all((ring[:, 1] >= -90) & (ring[:, 1] <= 90)), code
                # RFC 7946: outer rings counter-clockwise, holes clockwise.
                area = shoelace(ring)
                assert (area > 0) if index == 0 else (area < 0), f"{code}: ring orientation"
                assert crossing_edge_pairs(ring) == 0, f"{code}: ring crosses itself"


def test_polygons_of_one_feature_do_not_nest(features: dict[str, dict[str, Any]]) -> None:
    for code, feature in features.items():
        outers = [polygon[0] for polygon in polygons(feature)]
        for index, ring in enumerate(outers):
            others = [other for k, other in enumerate(outers) if k != index]
            assert not any(point_in_ring(ring[0], other) for other in others), code


def test_bounding_boxes_are_plausible(features: dict[str, dict[str, Any]]) -> None:
    for code, feature in features.items():
        points = np.vstack([ring for polygon in polygons(feature) for ring in polygon])
        west, south = points.min(axis=0)
        east, north = points.max(axis=0)
        assert feature["bbox"] == pytest.approx([west, south, east, north]), code
        src_west, src_south, src_east, src_north = SOURCE_BOXES[code]
        assert src_west <= west < east <= src_east, code
        assert src_south <= south < north <= src_north, code
        # Simplification keeps most of the extent (NU's southernmost islet goes: 3.5 degrees).
        assert (east - west) > 0.9 * (src_east - src_west), code
        assert (north - south) > 0.75 * (src_north - src_south), code
    west, south, east, north = features["CA-ON"]["bbox"]
    assert -95.2 <= west <= -94.9 and -74.6 <= east <= -74.3
    assert 41.6 <= south <= 41.8 and 56.6 <= north <= 56.9


def test_file_is_small_but_still_detailed(features: dict[str, dict[str, Any]]) -> None:
    size = len(files("credtrends.web.geodata").joinpath(GEOJSON_RESOURCE).read_bytes())
    assert size <= 500_000, "the map carries this file to every browser that shows it"
    vertices = {
        code: sum(len(ring) for polygon in polygons(feature) for ring in polygon)
        for code, feature in features.items()
    }
    assert sum(vertices.values()) > 5_000
    assert min(vertices.values()) >= 8  # even Saskatchewan's four straight sides


def test_attribution_and_licence_travel_with_the_data(collection: dict[str, Any]) -> None:
    assert collection["attribution"] == ATTRIBUTION
    assert "DCW-GMT" in ATTRIBUTION and "LGPL-3.0-or-later" in ATTRIBUTION
    assert collection["license"] == "LGPL-3.0-or-later"
    assert collection["conversion"]["script"] == "scripts/build_province_geojson.py"
    assert collection["conversion"]["date"]
    assert (REPO / collection["conversion"]["script"]).is_file()
    package = files("credtrends.web.geodata")
    for name in ("ATTRIBUTION.md", "LICENSE-LGPL-3.0.txt", "LICENSE-GPL-3.0.txt"):
        assert package.joinpath(name).is_file(), name
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in package.joinpath(
        "LICENSE-LGPL-3.0.txt"
    ).read_text(encoding="utf-8")


def test_loaded_once_and_coordinates_cannot_be_changed() -> None:
    first = load_provinces_geojson()
    assert load_provinces_geojson() is first
    coordinates = first["features"][0]["geometry"]["coordinates"]
    assert isinstance(coordinates, tuple)
    with pytest.raises(TypeError):
        coordinates[0] = ()  # type: ignore[index]  # must raise: the point of the test
