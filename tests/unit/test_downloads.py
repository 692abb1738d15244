"""Downloads carry their provenance and never a spreadsheet formula."""

from __future__ import annotations

import io
import json
import shutil

import plotly.graph_objects as go
import polars as pl
import pytest
from openpyxl import load_workbook

from credtrends.web.downloads import (
    ExportInfo,
    ImageFormat,
    metadata_json,
    render_image,
    with_footer,
    xlsx_bytes,
)
from tests.helpers import unavailable

INFO = ExportInfo(
    title="Search interest, CA-ON",
    sources=["synthetic-demo"],
    synthetic=True,
    permalink="/interest?topic=pmp&region=CA-ON",
    notes=["last week is partial"],
)
FRAME = pl.DataFrame({"topic_id": ['=HYPERLINK("http://evil")', "pmp"], "value": [1.5, -2.0]})


def test_footer_names_source_licence_permalink_and_synthetic() -> None:
    figure = with_footer(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])).to_plotly_json(), INFO)
    footer = figure.layout.annotations[-1].text
    for expected in (
        "SYNTHETIC DEMO DATA",
        "Source: synthetic-demo",
        "Retrieved",
        "/interest?topic=pmp",
        "Apache-2.0",
    ):
        assert expected in footer


def test_xlsx_has_escaped_data_and_an_about_sheet() -> None:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(FRAME, INFO)))
    data = list(workbook["data"].iter_rows(values_only=True))
    assert data[0] == ("topic_id", "value")
    assert data[1] == ('\'=HYPERLINK("http://evil")', 1.5)
    assert data[2] == ("pmp", -2.0)
    about = dict(workbook["about"].iter_rows(values_only=True))
    assert about["synthetic"] == "True" and about["sources"] == "synthetic-demo"


def test_metadata_json_describes_columns_and_how_to_load() -> None:
    document = json.loads(metadata_json(FRAME, INFO, "x.csv"))
    assert document["columns"] == {"topic_id": "String", "value": "Float64"}
    assert document["synthetic"] is True and "pd.read_csv('x.csv')" in document["load_with_pandas"]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("image_format", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<svg")]
)
def test_images_render_offline_with_chromium(image_format: ImageFormat, magic: bytes) -> None:
    if not shutil.which("chromium"):
        unavailable("Chromium not installed (Debian: apt-get install chromium)")
    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])).to_plotly_json()
    image = render_image(figure, INFO, image_format)
    assert image.lstrip()[: len(magic)] == magic
