"""The conversion script's decoding and simplification, on small hand-made inputs.

The script itself needs h5py and Debian's gmt-dcw, which CI does not have; its pure parts
only need numpy, so they are checked here without either.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

SCRIPT = Path(__file__).parents[3] / "scripts" / "build_province_geojson.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_province_geojson", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


class FakeVariable:
    """Stands in for an h5py dataset: `[:]` gives the raw array, `.attrs` the attributes."""

    def __init__(self, raw: list[int], minimum: float, scale: float) -> None:
        self.raw = np.array(raw, dtype=np.uint16)
        self.attrs = {
            "min": np.array([minimum]),
            "max": np.array([0.0]),
            "scale": np.array([scale]),
        }

    def __getitem__(self, key: Any) -> Any:
        return self.raw[key]


def test_decodes_scaled_integers_markers_and_holes(build: ModuleType) -> None:
    marker = build.SEGMENT_MARKER
    dataset = {
        # Outer ring (marker lat 0), then a hole (marker lat 1); lon stored 0..360.
        "CAXX_lon": FakeVariable([marker, 0, 100, 100, 0, marker, 10, 20, 10], 260.0, 10.0),
        "CAXX_lat": FakeVariable([0, 0, 0, 100, 0, 1, 10, 20, 10], 40.0, 10.0),
    }
    outer, hole = build.decode_rings(dataset, "CAXX")
    assert not outer.is_hole and hole.is_hole
    assert outer.lon.tolist() == [-100.0, -90.0, -90.0, -100.0]  # 260 + raw/10, minus 360
    assert outer.lat.tolist() == [40.0, 40.0, 50.0, 40.0]
    assert hole.lon.tolist() == [-99.0, -98.0, -99.0]


def test_unknown_encoding_is_refused(build: ModuleType) -> None:
    dataset = {
        "CAXX_lon": FakeVariable([0, 1], 0.0, 1.0),
        "CAXX_lat": FakeVariable([0, 1], 0.0, 1.0),
    }
    with pytest.raises(build.BuildError, match="segment marker"):
        build.decode_rings(dataset, "CAXX")


def test_area_is_positive_counter_clockwise(build: ModuleType) -> None:
    lon, lat = np.array([0.0, 1.0, 1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    assert build.signed_area_km2(lon, lat) == pytest.approx(12_364, rel=0.01)  # 1 x 1 degree
    assert build.signed_area_km2(lon[::-1], lat[::-1]) < 0


def ring_near_ottawa(build: ModuleType, points: list[tuple[float, float]]) -> Any:
    ring = np.array([*points, points[0]], dtype=np.float64)
    return build.drop_repeats(*build.rounded(ring[:, 0] - 80, ring[:, 1] + 50))


def test_simplification_that_would_cross_is_repaired(build: ModuleType) -> None:
    """An inlet whose two sides each have a tooth: simplified alone, the east side's chord
    cuts through the west side's tooth."""
    lon, lat = ring_near_ottawa(
        build,
        [
            *[(-1, 1), (-1, -1), (1, -1), (1, 1)],  # the land around the inlet
            *[(0.01, 1), (0.0085, 0.5), (0.002, 0.3), (0.01, 0)],  # east side, tooth at 0.3
            *[(0, 0), (0, 0.49), (0.008, 0.5), (0, 0.51), (0, 1)],  # west side, tooth at 0.5
        ],
    )
    assert build.crossing_edges(np.column_stack((lon, lat))) == []
    x, y = build.mercator(lon, lat)
    plain = build.douglas_peucker(x, y, 0.0001)
    plain_ring = np.column_stack((lon[plain], lat[plain]))
    assert build.crossing_edges(plain_ring) != []  # what plain Douglas-Peucker would ship
    repaired = build.simplify_ring(lon, lat, 0.0001)
    assert repaired is not None
    assert tuple(repaired[0]) == tuple(repaired[-1])
    assert build.crossing_edges(repaired) == []


def test_loops_in_the_source_are_cut(build: ModuleType) -> None:
    """16-bit quantisation leaves tiny bow-ties in DCW; the smaller side of one is cut off."""
    lon, lat = ring_near_ottawa(
        build,
        [
            *[(-1, -1), (0, -1), (0.002, -0.998), (0.002, -1.0), (0, -0.998), (0.004, -1.0)],
            *[(1, -1), (1, 1), (-1, 1)],
        ],
    )
    assert build.crossing_edges(np.column_stack((lon, lat))) != []
    repaired = build.simplify_ring(lon, lat, 1e-7)
    assert repaired is not None
    assert build.crossing_edges(repaired) == []
    assert build.signed_area_km2(*repaired.T) == pytest.approx(
        build.signed_area_km2(lon, lat), rel=1e-3
    )


def test_islets_go_but_every_province_keeps_its_largest_ring(build: ModuleType) -> None:
    def square(west: float, south: float, size: float) -> Any:
        lon = np.array([west, west + size, west + size, west, west])
        lat = np.array([south, south, south + size, south + size, south])
        return build.Ring(lon, lat, is_hole=False)

    polygons, dropped = build.province_polygons([square(-80, 50, 0.01), square(-70, 50, 0.05)])
    assert dropped == 1 and len(polygons) == 1  # the 0.05-degree islet is the largest: kept
    ring = np.asarray(polygons[0][0])
    assert ring[:, 0].min() == pytest.approx(-70) and build.signed_area_km2(*ring.T) > 0
