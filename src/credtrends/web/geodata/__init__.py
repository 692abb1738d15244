"""Canada's province and territory boundaries, shipped as package data.

The GeoJSON is built once by `scripts/build_province_geojson.py` from DCW-GMT (LGPL-3.0-or-later,
see ATTRIBUTION.md here). It is read lazily, not at import, and only once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

GEOJSON_RESOURCE = "canada_provinces.geojson"

# The same text as the GeoJSON's top-level "attribution" member (a test keeps them equal):
# the map shows it without reading the file.
ATTRIBUTION = (
    "Boundaries: DCW-GMT 2.1.1 (GMT Team, Digital Chart of the World), "
    "LGPL-3.0-or-later, simplified"
)


@lru_cache(maxsize=1)
def load_provinces_geojson() -> dict[str, Any]:
    """The FeatureCollection: one Feature per province/territory, `id` = "CA-ON" etc.

    Cached and shared by every caller in the process, so treat it as read-only: build new
    dicts around its features rather than changing them. Coordinates are nested tuples, which
    cannot be changed by mistake and which plotly deep-copies about five times faster than
    lists (plotly copies a trace's GeoJSON each time a figure is built).
    """
    text = files(__name__).joinpath(GEOJSON_RESOURCE).read_text(encoding="utf-8")
    collection: dict[str, Any] = json.loads(text)
    for feature in collection["features"]:
        geometry = feature["geometry"]
        geometry["coordinates"] = _frozen(geometry["coordinates"])
    return collection


def _frozen(value: Any) -> Any:
    return tuple(_frozen(item) for item in value) if isinstance(value, list) else value
