"""Convert Canada's provinces and territories from DCW-GMT into the GeoJSON credtrends ships.

Run once by a developer when the boundaries need rebuilding; the result is committed as
`src/credtrends/web/geodata/canada_provinces.geojson`. No PyPI package ships Canadian
province boundaries, but Debian's `gmt-dcw` package (DCW-GMT 2.1.1, LGPL-3.0-or-later, based
on the Digital Chart of the World) holds them in one netCDF-4 file.

Needs `h5py` to read that file. h5py is NOT a runtime dependency of credtrends (the app only
reads the GeoJSON), so install it by hand into the environment that runs this script:

    sudo apt-get install gmt-dcw                  # /usr/share/gmt-dcw/dcw-gmt.nc
    .venv/bin/pip install h5py
    .venv/bin/python scripts/build_province_geojson.py

DCW-GMT encoding, as read by GMT's own reader (`gmt_DCW_operation` in
GenericMappingTools/gmt `src/gmt_dcw.c`): each entity `<CC><SS>` (e.g. `CAON`) has variables
`CAON_lon` and `CAON_lat` of unsigned 16-bit integers with attributes `min`, `max` and
`scale`; a coordinate is `raw / scale + min` (longitudes in 0..360). A raw longitude of 65535
starts a new segment (polygon ring); the latitude stored beside that marker is 1 when the
ring is a hole and 0 when it is an outer ring. Every ring is closed (first point == last).

What the conversion does, and why:
- drops islands smaller than MIN_ISLAND_KM2 (invisible on a country map, and thousands of
  them in the Arctic), always keeping each province's largest ring;
- simplifies every ring with Douglas-Peucker in Web-Mercator units (the projection plotly's
  `Choroplethmap` draws), so detail is removed evenly on screen, not evenly in degrees;
- repairs self-crossings: where simplification made edges cross, dropped points are put
  back; where the 16-bit source itself loops over (tens of metres), the small loop is cut;
- drops islands inside lakes that the province's outline already covers (overlaps);
- orients rings as RFC 7946 asks (outer counter-clockwise, holes clockwise): MapLibre (used by
  `go.Choroplethmap`) accepts either, and GeoJSON tools expect this one;
- rounds coordinates to COORDINATE_DECIMALS places (about 10 m), well under the tolerance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DCW_DIR = Path("/usr/share/gmt-dcw")
DEFAULT_OUTPUT = REPO / "src" / "credtrends" / "web" / "geodata" / "canada_provinces.geojson"
SCRIPT_PATH = "scripts/build_province_geojson.py"

SEGMENT_MARKER = 65535  # raw longitude that starts a new ring
HOLE_FLAG = 1  # raw latitude beside a marker when the ring is a hole
EARTH_RADIUS_KM = 6371.0088
MIN_ISLAND_KM2 = 150.0
# Douglas-Peucker tolerance in Web-Mercator radians. One screen pixel is 2*pi/(512 * 2**zoom)
# radians: Canada fills a dashboard at zoom 1.5-2 (tolerance = 0.2 px) and this stays under a
# pixel up to zoom 4, where one province fills the screen. It gives ~16,400 vertices, ~317 kB.
SIMPLIFY_TOLERANCE = 0.0008
COORDINATE_DECIMALS = 4
MAX_OUTPUT_BYTES = 500_000  # the figure carries it to every browser that shows the map
MAX_REPAIR_ROUNDS = 500


class BuildError(RuntimeError):
    """A problem the developer running the script can fix (missing package or file)."""


@dataclass(frozen=True)
class Province:
    code: str  # ISO 3166-2, "CA-ON"
    dcw_tag: str  # DCW variable prefix, "CAON"
    name_en: str
    name_fr: str


@dataclass
class Ring:
    lon: FloatArray
    lat: FloatArray
    is_hole: bool


def read_provinces(states_file: Path) -> list[Province]:
    """Canadian entries of dcw-states.txt: 'CA ON Ontario (Ontario)' -> English and French."""
    pattern = re.compile(r"^CA ([A-Z]{2}) (.+?) \((.+)\)$")
    provinces = []
    for line in states_file.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line.strip())
        if match:
            short, name_en, name_fr = match.groups()
            provinces.append(Province(f"CA-{short}", f"CA{short}", name_en, name_fr))
    if len(provinces) != 13:
        raise BuildError(f"expected 13 Canadian entries in {states_file}, found {len(provinces)}")
    return sorted(provinces, key=lambda province: province.code)


def decode_rings(dataset: Any, tag: str) -> list[Ring]:
    """Unpack one DCW entity into rings (see the module docstring for the encoding)."""
    lon_var, lat_var = dataset[f"{tag}_lon"], dataset[f"{tag}_lat"]
    raw_lon = np.asarray(lon_var[:], dtype=np.int64)
    raw_lat = np.asarray(lat_var[:], dtype=np.int64)
    lon = raw_lon / float(lon_var.attrs["scale"][0]) + float(lon_var.attrs["min"][0])
    lat = raw_lat / float(lat_var.attrs["scale"][0]) + float(lat_var.attrs["min"][0])
    lon = np.where(lon > 180.0, lon - 360.0, lon)
    markers = np.flatnonzero(raw_lon == SEGMENT_MARKER)
    if markers.size == 0 or markers[0] != 0:
        raise BuildError(f"{tag}: data does not start with a segment marker; unknown encoding")
    ends = [*markers[1:], raw_lon.size]
    rings = []
    for start, end in zip(markers, ends, strict=True):
        ring_lon, ring_lat = lon[start + 1 : end], lat[start + 1 : end]
        rings.append(Ring(ring_lon, ring_lat, is_hole=bool(raw_lat[start] == HOLE_FLAG)))
    return rings


def drop_repeats(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Remove consecutive duplicate points and make sure the ring is closed."""
    keep = np.ones(lon.size, dtype=bool)
    keep[1:] = (np.diff(lon) != 0) | (np.diff(lat) != 0)
    lon, lat = lon[keep], lat[keep]
    if lon.size and (lon[0] != lon[-1] or lat[0] != lat[-1]):
        lon, lat = np.append(lon, lon[0]), np.append(lat, lat[0])
    return lon, lat


def rounded(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Round first, so every later check sees exactly the coordinates that get written."""
    return np.round(lon, COORDINATE_DECIMALS), np.round(lat, COORDINATE_DECIMALS)


def signed_area_km2(lon: FloatArray, lat: FloatArray) -> float:
    """Area on the sphere (as turf and plotly.js compute it); positive when counter-clockwise."""
    lam, phi = np.radians(lon[:-1]), np.radians(lat[:-1])
    total = np.sum((np.roll(lam, 1) - np.roll(lam, -1)) * np.sin(phi))
    return float(total * EARTH_RADIUS_KM**2 / 2.0)


def mercator(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.radians(lon), np.log(np.tan(np.pi / 4.0 + np.radians(lat) / 2.0))


def chord_distance(x: FloatArray, y: FloatArray, first: int, last: int) -> FloatArray:
    """Distance of points first+1..last-1 from the chord first->last (mercator units)."""
    dx, dy = x[last] - x[first], y[last] - y[first]
    px, py = x[first + 1 : last] - x[first], y[first + 1 : last] - y[first]
    length = math.hypot(dx, dy)
    if length == 0.0:
        return np.asarray(np.hypot(px, py), dtype=np.float64)
    return np.asarray(np.abs(px * dy - py * dx) / length, dtype=np.float64)


def douglas_peucker(x: FloatArray, y: FloatArray, tolerance: float) -> npt.NDArray[np.bool_]:
    """Mask of the points an open polyline keeps (iterative, so long coasts cannot recurse)."""
    keep = np.zeros(x.size, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, x.size - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        distance = chord_distance(x, y, first, last)
        index = int(np.argmax(distance))
        if distance[index] > tolerance:
            split = first + 1 + index
            keep[split] = True
            stack.extend(((first, split), (split, last)))
    return keep


def crossing_edges(ring: FloatArray) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of non-adjacent edges of a closed ring that touch or cross."""
    start, end = ring[:-1], ring[1:]
    n = start.shape[0]
    low, high = np.minimum(start, end), np.maximum(start, end)
    found: list[tuple[int, int]] = []
    for chunk in range(0, n, 256):
        i = np.arange(chunk, min(chunk + 256, n))[:, None]
        j = np.arange(n)[None, :]
        candidate = (j > i + 1) & ~((i == 0) & (j == n - 1))
        candidate &= (low[i, 0] <= high[j, 0]) & (low[j, 0] <= high[i, 0])
        candidate &= (low[i, 1] <= high[j, 1]) & (low[j, 1] <= high[i, 1])
        ii, jj = np.nonzero(candidate)
        ii = ii + chunk
        hits = segments_touch(start[ii], end[ii], start[jj], end[jj])
        found.extend(zip(ii[hits].tolist(), jj[hits].tolist(), strict=True))
    # Adjacent edges only meet badly when the second folds back onto the first (a spike).
    after = np.roll(end, -1, axis=0)
    back = np.sum((start - end) * (after - end), axis=1) > 0
    for edge in np.flatnonzero((cross(start, end, after) == 0) & back).tolist():
        found.append((edge, edge + 1) if edge + 1 < n else (0, n - 1))
    return found


def cross(p: FloatArray, q: FloatArray, r: FloatArray) -> FloatArray:
    """Sign of the turn p -> q -> r, row by row (+1 left, -1 right, 0 straight)."""
    value = (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0])
    return np.asarray(np.sign(value), dtype=np.float64)


def segments_touch(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray
) -> npt.NDArray[np.bool_]:
    """Segment-pair intersection test (proper crossings and touching endpoints)."""

    def within(p: FloatArray, q: FloatArray, r: FloatArray) -> npt.NDArray[np.bool_]:
        lo, hi = np.minimum(p, q), np.maximum(p, q)
        return np.asarray(np.all((lo <= r) & (r <= hi), axis=1), dtype=bool)

    o1, o2, o3, o4 = cross(a, b, c), cross(a, b, d), cross(c, d, a), cross(c, d, b)
    proper = (o1 * o2 < 0) & (o3 * o4 < 0)
    touch = (
        ((o1 == 0) & within(a, b, c))
        | ((o2 == 0) & within(a, b, d))
        | ((o3 == 0) & within(c, d, a))
        | ((o4 == 0) & within(c, d, b))
    )
    return np.asarray(proper | touch, dtype=bool)


def span(kept: npt.NDArray[np.intp], edge: int, n: int) -> npt.NDArray[np.intp]:
    """Original vertex indices strictly inside kept edge `edge` of a ring of n vertices."""
    if edge < kept.size - 1:
        return np.arange(kept[edge] + 1, kept[edge + 1])
    return np.concatenate((np.arange(kept[-1] + 1, n), np.arange(0, kept[0])))


def simplify_ring(lon: FloatArray, lat: FloatArray, tolerance: float) -> FloatArray | None:
    """Simplify one closed ring without letting it cross itself; None if it collapses.

    Douglas-Peucker can make a ring cross itself where a coast doubles back (fjords, narrow
    spits). Where that happens, the farthest dropped point of each crossing edge is put back,
    as mapshaper's repair does. Crossings between two original edges are quantisation
    artefacts of the 16-bit source (loops of a few tens of metres): the smaller side of
    such a loop is cut off.
    """
    x, y = mercator(lon, lat)
    n = lon.size - 1  # distinct vertices; index n repeats index 0
    far = int(np.argmax(np.hypot(x[:n] - x[0], y[:n] - y[0])))
    if far == 0:
        return None
    keep = np.zeros(n, dtype=bool)
    keep[: far + 1] |= douglas_peucker(x[: far + 1], y[: far + 1], tolerance)
    keep[far:] |= douglas_peucker(x[far:], y[far:], tolerance)[:-1]
    banned = np.zeros(n, dtype=bool)
    for _ in range(MAX_REPAIR_ROUNDS):
        kept = np.flatnonzero(keep)
        if kept.size < 3:
            return None
        ring = np.column_stack((lon[kept], lat[kept]))
        ring = np.vstack((ring, ring[:1]))
        crossings = crossing_edges(ring)
        if not crossings:
            return ring if signed_area_km2(ring[:, 0], ring[:, 1]) != 0.0 else None
        restored = False
        for edge in sorted({edge for pair in crossings for edge in pair}):
            inside = span(kept, edge, n)
            inside = inside[~banned[inside]]
            if inside.size:
                a, b = kept[edge], kept[(edge + 1) % kept.size]
                xs, ys = np.append(x[[a]], x[inside]), np.append(y[[a]], y[inside])
                xs, ys = np.append(xs, x[b]), np.append(ys, y[b])
                keep[inside[int(np.argmax(chord_distance(xs, ys, 0, xs.size - 1)))]] = True
                restored = True
        if restored:
            continue
        first, second = crossings[0]
        loop = kept[first + 1 : second + 1]
        rest = np.concatenate((kept[second + 1 :], kept[: first + 1]))
        loop_area = abs(signed_area_km2(*closed(lon[loop], lat[loop])))
        rest_area = abs(signed_area_km2(*closed(lon[rest], lat[rest])))
        cut = loop if loop_area <= rest_area else rest
        keep[cut] = False
        banned[cut] = True
    raise BuildError(f"a ring still crosses itself after {MAX_REPAIR_ROUNDS} repair rounds")


def closed(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.append(lon, lon[:1]), np.append(lat, lat[:1])


def oriented(ring: FloatArray, counter_clockwise: bool) -> list[list[float]]:
    is_ccw = signed_area_km2(ring[:, 0], ring[:, 1]) > 0
    ordered = ring if is_ccw == counter_clockwise else ring[::-1]
    return [[float(lon), float(lat)] for lon, lat in ordered]


def province_polygons(rings: Sequence[Ring]) -> tuple[list[list[list[list[float]]]], int]:
    """Polygons (outer ring then its holes) after dropping islets and simplifying."""
    cleaned = [Ring(*drop_repeats(*rounded(r.lon, r.lat)), is_hole=r.is_hole) for r in rings]
    areas = [abs(signed_area_km2(r.lon, r.lat)) for r in cleaned]
    largest = int(np.argmax(areas))
    polygons: list[list[list[list[float]]]] = []
    dropped = 0
    for index, (ring, area) in enumerate(zip(cleaned, areas, strict=True)):
        if area < MIN_ISLAND_KM2 and index != largest:
            dropped += 1
            continue
        simplified = simplify_ring(ring.lon, ring.lat, SIMPLIFY_TOLERANCE)
        tolerance = SIMPLIFY_TOLERANCE
        while simplified is None and index == largest and tolerance > 1e-7:
            tolerance /= 4.0  # a province must never vanish, however small its land
            simplified = simplify_ring(ring.lon, ring.lat, tolerance)
        if simplified is None:
            dropped += 1
            continue
        if ring.is_hole:
            if polygons:  # DCW stores a hole right after the outer ring it belongs to
                polygons[-1].append(oriented(simplified, counter_clockwise=False))
            continue
        polygons.append([oriented(simplified, counter_clockwise=True)])
    kept = [polygon for polygon in polygons if not covered(polygon, polygons)]
    return kept, dropped + len(polygons) - len(kept)


def covered(polygon: list[list[list[float]]], polygons: list[list[list[list[float]]]]) -> bool:
    """True for an island in a lake that another outline already covers (GeoJSON forbids the
    overlap); an island inside another polygon's hole is kept."""
    point = polygon[0][0]
    for other in polygons:
        if other is polygon or not inside(point, other[0]):
            continue
        if not any(inside(point, hole) for hole in other[1:]):
            return True
    return False


def inside(point: list[float], ring: list[list[float]]) -> bool:
    """Even-odd point-in-ring test."""
    coords = np.asarray(ring)
    x, y = point
    xi, yi, xj, yj = coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]
    spans = (yi > y) != (yj > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = x < (xj - xi) * (y - yi) / (yj - yi) + xi
    return bool(np.count_nonzero(spans & crossing) % 2)


def bounding_box(polygons: list[list[list[list[float]]]]) -> list[float]:
    points = np.array([point for polygon in polygons for ring in polygon for point in ring])
    return [float(v) for v in (*points.min(axis=0), *points.max(axis=0))]


def build_collection(dcw_dir: Path, h5py: Any) -> tuple[dict[str, Any], list[str]]:
    provinces = read_provinces(dcw_dir / "dcw-states.txt")
    features: list[dict[str, Any]] = []
    report: list[str] = []
    with h5py.File(dcw_dir / "dcw-gmt.nc", "r") as dataset:
        version = _text(dataset.attrs.get("version", b"unknown"))
        for province in provinces:
            rings = decode_rings(dataset, province.dcw_tag)
            polygons, dropped = province_polygons(rings)
            vertices = sum(len(ring) for polygon in polygons for ring in polygon)
            report.append(
                f"{province.code}: {len(rings)} rings, {sum(r.lon.size for r in rings)} points"
                f" -> {len(polygons)} polygons, {vertices} vertices ({dropped} islets dropped)"
            )
            geometry: dict[str, Any] = (
                {"type": "Polygon", "coordinates": polygons[0]}
                if len(polygons) == 1
                else {"type": "MultiPolygon", "coordinates": polygons}
            )
            features.append(
                {
                    "type": "Feature",
                    "id": province.code,
                    "bbox": [round(v, COORDINATE_DECIMALS) for v in bounding_box(polygons)],
                    "properties": {
                        "code": province.code,
                        "name_en": province.name_en,
                        "name_fr": province.name_fr,
                    },
                    "geometry": geometry,
                }
            )
    today = dt.datetime.now(dt.UTC).date().isoformat()
    collection = {
        "type": "FeatureCollection",
        "attribution": (
            f"Boundaries: DCW-GMT {version} (GMT Team, Digital Chart of the World), "
            "LGPL-3.0-or-later, simplified"
        ),
        "license": "LGPL-3.0-or-later",
        "source": {
            "name": f"DCW-GMT {version}",
            "url": "https://github.com/GenericMappingTools/dcw-gmt",
            "file": "dcw-gmt.nc (Debian package gmt-dcw)",
        },
        "conversion": {
            "date": today,
            "script": SCRIPT_PATH,
            "min_island_km2": MIN_ISLAND_KM2,
            "douglas_peucker_tolerance_mercator_radians": SIMPLIFY_TOLERANCE,
            "coordinate_decimals": COORDINATE_DECIMALS,
        },
        "features": features,
    }
    return collection, report


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def import_h5py() -> Any:
    try:
        import h5py  # type: ignore[import-untyped]
    except ImportError as error:
        raise BuildError(
            "this script needs h5py to read DCW-GMT's netCDF-4 file, and h5py is not a runtime "
            "dependency of credtrends: run `.venv/bin/pip install h5py` and try again"
        ) from error
    return h5py


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dcw-dir", type=Path, default=DEFAULT_DCW_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if not (args.dcw_dir / "dcw-gmt.nc").is_file():
            raise BuildError(
                f"{args.dcw_dir / 'dcw-gmt.nc'} not found: install Debian's gmt-dcw package "
                "or pass --dcw-dir"
            )
        collection, report = build_collection(args.dcw_dir, import_h5py())
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_OUTPUT_BYTES:
        print(f"error: output would be {size} bytes (> {MAX_OUTPUT_BYTES})", file=sys.stderr)
        return 1
    args.output.write_text(text, encoding="utf-8")
    print("\n".join(report))
    print(f"wrote {args.output} ({size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
