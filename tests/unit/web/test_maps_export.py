"""Static export of the province map: PNG through kaleido and the machine's Chromium, offline.

kaleido is not a credtrends dependency yet, so this test is skipped where it is missing.
Where it runs, it proves the map needs no network (the `white-bg` style fetches nothing)
and that the provinces are painted with their colours.
"""

from __future__ import annotations

import shutil
import struct
import zlib

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest

from credtrends.web.maps import COLOR_SCALE, NO_DATA_COLOR, province_choropleth

pytestmark = pytest.mark.browser


def decode_png(data: bytes) -> npt.NDArray[np.uint8]:
    """RGB(A) 8-bit PNG -> (height, width, channels); enough for kaleido's output."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color_type in (2, 6)
    channels = 4 if color_type == 6 else 3
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    image = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int32)
        if kind == 2:
            line = (line + previous) % 256
        elif kind in (1, 3, 4):
            line = line.copy()
            for x in range(stride):
                left = int(line[x - channels]) if x >= channels else 0
                up, corner = int(previous[x]), int(previous[x - channels]) if x >= channels else 0
                if kind == 1:
                    line[x] = (line[x] + left) % 256
                elif kind == 3:
                    line[x] = (line[x] + (left + up) // 2) % 256
                else:
                    estimate = left + up - corner
                    pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                    best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                    line[x] = (line[x] + best) % 256
        image[row] = line
        previous = line
    return image.reshape(height, width, channels).astype(np.uint8)


def pixels_near(image: npt.NDArray[np.uint8], hex_color: str, tolerance: int = 6) -> int:
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    distance = np.abs(image[:, :, :3].astype(np.int32) - target).max(axis=2)
    return int(np.count_nonzero(distance <= tolerance))


def test_png_export_paints_provinces_offline() -> None:
    kaleido = pytest.importorskip("kaleido")
    if not (shutil.which("chromium") or shutil.which("google-chrome")):
        pytest.skip("kaleido needs a Chromium or Chrome on PATH")
    assert kaleido  # imported for the skip above; plotly drives it
    rows = pl.DataFrame(
        {
            "region_code": ["CA-ON", "CA-QC"],
            "region_name": ["Ontario", "Quebec"],
            "value": [90.0, 10.0],
        }
    )
    figure = province_choropleth(rows, "Search interest", "Export check", synthetic=True)
    png = figure.to_image(format="png", width=640, height=480)
    image = decode_png(png)
    assert image.shape[:2] == (480, 640)
    # Ontario takes the darkest colour, Quebec the palest, the other eleven the no-data grey.
    assert pixels_near(image, COLOR_SCALE[-1]) > 500
    assert pixels_near(image, COLOR_SCALE[0]) > 500
    assert pixels_near(image, NO_DATA_COLOR) > 5_000
