"""Every chart of every exportable page downloads, embeds and prints, from its URL state.

Files are opened and checked (PNG/SVG/PDF magic and content, CSV parsed in both dialects,
XLSX opened, metadata JSON parsed); formula triggers in a topic name never reach a cell
unescaped; unknown pages, charts and formats are 404s; hostile values fall back to the
page default, as the page itself does.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
import yaml
from openpyxl import load_workbook

from credtrends.web.app import EXPORTABLE, create_app
from credtrends.web.columns import COLUMNS
from credtrends.web.exports import FORMULA_TRIGGERS
from tests.helpers import FIXTURES, demo_dashboard, unavailable

HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'
CHARTS = {
    "overview": ("top", "region=CA-ON"),
    "interest": ("main", "topic=pmp,data-science&region=CA-ON"),
    "regions": ("map", "topic=pmp"),
    "labour": ("main", "topic=data-science&region=CA-ON"),
    "program-demand": ("quadrant", "region=CA-ON"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[flask.testing.FlaskClient]:
    """The demo warehouse on the test catalogue, one topic renamed to a formula."""
    topics = yaml.safe_load((FIXTURES / "catalogue" / "topics.yaml").read_text())
    topics["topics"][0]["name_en"] = HOSTILE_NAME
    work = tmp_path_factory.mktemp("routes")
    settings, engine = demo_dashboard(work, yaml.safe_dump(topics, allow_unicode=True))
    yield create_app(settings, engine).server.test_client()
    engine.dispose()


def test_every_exportable_page_has_a_checked_chart() -> None:
    assert {page.NAME for page in EXPORTABLE} == set(CHARTS)


def _rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _no_formula(cells: list[str]) -> None:
    for cell in cells:
        assert (
            not cell.startswith(FORMULA_TRIGGERS)
            or cell.lstrip("-")
            .replace(".", "", 1)
            .replace(",", "", 1)
            .replace("e", "", 1)
            .replace("-", "")
            .isdigit()
        ), cell


@pytest.mark.parametrize("page", sorted(CHARTS))
def test_data_downloads_are_valid_labelled_and_safe(
    client: flask.testing.FlaskClient, page: str
) -> None:
    chart, query = CHARTS[page]
    base = f"/download/{page}/{chart}"
    full = client.get(f"{base}/csv?{query}")
    assert full.status_code == 200 and full.mimetype == "text/csv"
    assert "attachment" in full.headers["Content-Disposition"]
    rows = _rows(full.get_data(as_text=True))
    assert len(rows) > 1 and len({len(row) for row in rows}) == 1
    shown = _rows(client.get(f"{base}/shown.csv?{query}").get_data(as_text=True))
    assert len(shown) > 1
    header = shown[0]
    assert "is_synthetic" in header or "source" in header  # labelled in the download
    assert "synthetic" in "".join(",".join(row) for row in shown[1:])  # synthetic shown
    for table in (rows, shown):
        for row in table:
            _no_formula(row)
    french = _rows(client.get(f"{base}/fr.csv?{query}").data.decode("utf-8-sig"), ";")
    assert french[0] == [COLUMNS[name].header_fr for name in rows[0]]  # French headers
    assert len(french) == len(rows)
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/xlsx?{query}").data))
    values = [c for row in workbook["data"].iter_rows(values_only=True) for c in row]
    assert not [v for v in values if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS)]
    about = dict(workbook["about"].iter_rows(values_only=True))
    assert about["synthetic"] == "True" and query.split("&")[0] in str(about["permalink"])
    metadata = json.loads(client.get(f"{base}/json?{query}").data)
    assert metadata["synthetic"] is True and metadata["permalink"].startswith("http")
    assert "read_csv" in metadata["load_with_pandas"] and "read.csv" in metadata["load_with_r"]


def test_the_hostile_topic_name_is_escaped_in_every_data_format(
    client: flask.testing.FlaskClient,
) -> None:
    query = "topic=pmp,cpr,data-science&region=CA-ON"
    shown = client.get(f"/download/interest/main/shown.csv?{query}").get_data(as_text=True)
    assert "'" + HOSTILE_NAME.replace('"', '""') in shown
    assert not [row for row in _rows(shown) if row and row[0] == HOSTILE_NAME]
    french = client.get("/download/overview/top/fr.csv?region=CA-ON").get_data(as_text=True)
    assert HOSTILE_NAME not in [cell for row in _rows(french, ";") for cell in row]


def test_images_and_report_render(client: flask.testing.FlaskClient) -> None:
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        unavailable("Chromium is needed to render images and reports")
    query = "topic=pmp,data-science&region=CA-ON&lang=fr"
    png = client.get(f"/download/interest/main/png?{query}")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get("/download/regions/map/svg?topic=pmp").get_data(as_text=True)
    assert svg.lstrip().startswith("<svg") and "SYNTHETIC" in svg
    pdf = client.get("/download/program-demand/quadrant/pdf?region=CA-ON").data
    assert pdf.startswith(b"%PDF")
    report = client.get(f"/report/interest?{query}")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
    try:
        from pypdf import PdfReader
    except ImportError:
        unavailable("pypdf is needed to read the report")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.data)).pages)
    assert "Intérêt de recherche" in text and "DONNÉES" in text


def test_embed_page_and_plotly_are_served_locally(client: flask.testing.FlaskClient) -> None:
    page = client.get("/embed/interest/main?topic=pmp&region=CA-ON&lang=fr")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<html lang="fr"' in body and "/embed-assets/plotly.min.js" in body
    # the link back is absolute, on the configured address (no public_base_url here: the
    # host and port the dashboard listens on), not on the request's Host (localhost)
    assert "http://127.0.0.1:8050/interest?" in body and "localhost" not in body
    script = client.get("/embed-assets/plotly.min.js")
    assert script.status_code == 200 and b"plotly" in script.data[:2000].lower()


@pytest.mark.parametrize(
    "path",
    [
        "/download/no-such-page/main/csv",
        "/download/interest/no-such-chart/csv",
        "/download/interest/main/exe",
        "/embed/interest/nope",
        "/report/nope",
        "/download/data/main/csv",  # a page without charts
    ],
)
def test_unknown_pages_charts_and_formats_are_404(
    client: flask.testing.FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404 and b"Traceback" not in response.data


@pytest.mark.parametrize(
    "query",
    [
        "topic=<script>alert(1)</script>&region=';DROP TABLE topics;--",
        "topic=" + "x" * 50_000,
        "region=CA-ON&region=CA-BC&granularity=year&period=-1&show=rm",
        "compare=regions&regions=ZZ,CA-ON&lang=de",
        "topic=%00&utm_source=x&fbclid=y",
    ],
)
def test_hostile_queries_fall_back_to_defaults(
    client: flask.testing.FlaskClient, query: str
) -> None:
    response = client.get(f"/download/interest/main/shown.csv?{query}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>" not in text and "DROP" not in text and len(_rows(text)) > 1


def test_the_map_names_its_boundaries_by_url_and_exports_carry_them(
    client: flask.testing.FlaskClient,
) -> None:
    """On screen the boundaries are fetched once and cached; files embed them."""
    from credtrends.web.maps import PROVINCES_URL

    boundaries = client.get(PROVINCES_URL)
    assert boundaries.status_code == 200 and "max-age" in boundaries.headers["Cache-Control"]
    assert len(json.loads(boundaries.data)["features"]) == 13
    embed = client.get("/embed/regions/map?topic=pmp").get_data(as_text=True)
    assert PROVINCES_URL.replace("/", "\\u002f") in embed  # JSON-escaped in the page
    assert len(embed) < 60_000  # ~330 kB with inline boundaries
