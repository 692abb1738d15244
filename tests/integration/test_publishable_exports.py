"""What an analyst downloads can be published as it is (issue 14): for every exportable page
in both languages, the PNG, the chart PDF and the whole-view report are rendered and checked
for text running off the right edge (pixels of the rendered file), for the rows and tables
they must hold, and for their metadata; CSVs say which rows are synthetic and where
forecasts come from, and the French CSV opens cleanly in French Excel.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import flask
import pytest
from PIL import Image
from werkzeug.test import TestResponse

from credtrends.web.app import EXPORTABLE, create_app
from credtrends.web.columns import COLUMNS
from credtrends.web.i18n import Lang, Translator
from tests.helpers import demo_dashboard, unavailable

PAGES = {
    "overview": ("top", "region=CA-ON"),
    "interest": ("main", "topic=pmp,data-science&region=CA-ON"),
    "regions": ("map", "topic=pmp"),
    "labour": ("main", "topic=data-science&region=CA-ON"),
    "program-demand": ("quadrant", "region=CA-ON"),
}
LANGS: tuple[Lang, ...] = ("en", "fr")
EDGE_PX = 8  # at 1x: the footer, legend and title keep 40 px from the edge
BACKGROUND = 245  # lighter than any text or line the charts draw


@pytest.fixture(scope="module")
def client() -> Iterator[flask.testing.FlaskClient]:
    with tempfile.TemporaryDirectory(prefix="credtrends-publish-") as folder:
        settings, engine = demo_dashboard(Path(folder))
        yield create_app(settings, engine).server.test_client()
        engine.dispose()


def _needs_renderers() -> None:
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        unavailable("Chromium is needed to render images and reports")
    if not shutil.which("pdftoppm"):
        unavailable("pdftoppm (poppler-utils) is needed to look at PDF pages")


def _query(page: str, lang: str) -> str:
    query = PAGES[page][1]
    return f"{query}&lang=fr" if lang == "fr" else query


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def _darkest(image: Image.Image) -> float:
    """The darkest pixel of a greyscale image (one band: ``getextrema`` is (min, max))."""
    low, _ = image.getextrema()
    assert isinstance(low, int | float), image.mode
    return low


def _edge_is_blank(image: Image.Image, edge: int) -> None:
    """No ink in the ``edge`` rightmost columns and in the bottom rows: nothing cut off."""
    width, height = image.size
    right = _darkest(image.crop((width - edge, 0, width, height)))
    assert right >= BACKGROUND, f"ink in the right {edge} px: text or a line runs off"
    bottom = _darkest(image.crop((0, height - edge // 2, width, height)))
    assert bottom >= BACKGROUND, "ink in the bottom rows: the footer runs off"


def _pdf_pages(pdf: bytes, dpi: int = 60) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), str(path), str(Path(folder) / "page")],
            check=True,
            timeout=60,
        )
        return [_image(page.read_bytes()) for page in sorted(Path(folder).glob("page*.png"))]


def _metadata(pdf: bytes) -> dict[str, str]:
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    return {str(key): str(value) for key, value in info.items()}


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _filename(response: TestResponse) -> str:
    found = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])
    assert found, response.headers["Content-Disposition"]
    return found.group(1)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_png_is_2x_and_nothing_runs_off_the_edge(
    client: flask.testing.FlaskClient, page: str, lang: Lang
) -> None:
    _needs_renderers()
    chart, _ = PAGES[page]
    response = client.get(f"/download/{page}/{chart}/png?{_query(page, lang)}")
    assert response.status_code == 200
    image = _image(response.data)
    assert image.size[0] == 2400  # 1200 px drawn at 2x
    _edge_is_blank(image, 2 * EDGE_PX)
    name = _filename(response)
    assert name.startswith(f"credtrends-{page}-") and name.endswith(".png")
    assert datetime.now(UTC).date().isoformat() in name
    assert ("-fr-" in name) == (lang == "fr")
    assert re.fullmatch(r"[a-z0-9.-]+", name)


def test_png_scale_is_a_bounded_parameter(client: flask.testing.FlaskClient) -> None:
    _needs_renderers()
    widths = {
        scale: _image(
            client.get(f"/download/overview/top/png?region=CA-ON&scale={scale}").data
        ).size[0]
        for scale in ("1", "3", "50", "nan", "x")
    }
    assert widths == {"1": 1200, "3": 3600, "50": 4800, "nan": 2400, "x": 2400}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_chart_pdf_has_its_metadata_and_fits_the_page(
    client: flask.testing.FlaskClient, page: str, lang: Lang
) -> None:
    _needs_renderers()
    chart, _ = PAGES[page]
    query = _query(page, lang)
    response = client.get(f"/download/{page}/{chart}/pdf?{query}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    about = json.loads(client.get(f"/download/{page}/{chart}/json?{query}").data)
    info = _metadata(response.data)
    assert "Kaleido" not in info["/Title"]
    assert info["/Title"].startswith(about["title"])
    assert Translator(lang)("synthetic_title") in info["/Title"]  # the demo is synthetic
    assert info["/Author"] == "credtrends" and info["/Synthetic"] == "true"
    # The licence line in the download's language (issue 14: French downloads said it in English).
    assert info["/Licence"] == Translator(lang)("licence")
    assert (
        "Open Government Licence" in info["/Licence"] or "gouvernement ouvert" in info["/Licence"]
    )
    assert info["/Source"] == ", ".join(about["sources"])
    assert info["/CreationDate"].startswith("D:" + datetime.now(UTC).strftime("%Y%m%d"))
    assert info["/Permalink"] == about["permalink"]
    (drawn,) = _pdf_pages(response.data)
    _edge_is_blank(drawn, 4)  # 60 dpi: 4 px is ~1/80 of the width
    assert _filename(response).endswith(".pdf")


def _report_words(page: str, tr: Translator) -> list[str]:
    """Headings, rows and formats each page's report must hold (what the page shows)."""
    if page == "overview":
        return [
            tr("risers"),
            tr("fallers"),
            tr("emerging_dated")[:15],
            tr("freshness"),
            "search_interest",
        ]
    if page == "interest":
        return [
            tr("related_top"),
            tr("related_rising"),
            f"({tr('forecast_point')})",
            "/download/interest/main/csv?",
        ]
    if page == "program-demand":
        from credtrends.web.pages.program_demand import grid_columns

        # Headers may wrap inside their cell; the first word of each is on one line.
        return [str(column["headerName"]).split()[0] for column in grid_columns(tr)]
    return []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_report_is_the_whole_view_fits_the_page_and_says_what_it_is(
    client: flask.testing.FlaskClient, page: str, lang: Lang
) -> None:
    _needs_renderers()
    tr = Translator(lang)
    response = client.get(f"/report/{page}?{_query(page, lang)}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = re.sub(r"\s+", " ", _text(response.data))
    for expected in _report_words(page, tr):
        assert expected in text, f"{expected!r} missing from the {page} report ({lang})"
    if page == "program-demand":
        # Growth as on screen (signed whole percent, "+18%"), never the ratio (0.18).
        shown = _csv(
            client.get(f"/download/{page}/quadrant/shown.csv?{_query(page, lang)}").get_data(
                as_text=True
            )
        )
        for row in shown:
            growth = float(row["demand_growth"])
            assert tr.percent(growth).replace("\u00a0", " ") in text.replace("\u00a0", " ")
            assert f"{growth:.2f}" not in text
    info = _metadata(response.data)
    title_key = next(module.TITLE_KEY for module in EXPORTABLE if page == module.NAME)
    assert info["/Title"] == f"{tr(title_key)} · credtrends"
    assert info["/Licence"] == tr("licence") and info["/Author"] == "credtrends"
    for drawn in _pdf_pages(response.data):
        width, _ = drawn.size
        # A4 at 60 dpi is 496 px wide with 14 mm (33 px) margins: keep 20 px blank.
        _edge_is_blank(drawn, 20)
        assert _darkest(drawn.crop((0, 0, 20, drawn.size[1]))) >= BACKGROUND
        assert width in (495, 496, 497)
    name = _filename(response)
    assert name.startswith(f"credtrends-{page}-report-") and name.endswith(".pdf")


def _csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_csvs_are_labelled_french_opens_in_french_excel_and_headers_are_documented(
    client: flask.testing.FlaskClient, page: str
) -> None:
    chart, query = PAGES[page]
    base = f"/download/{page}/{chart}"
    shown_text = client.get(f"{base}/shown.csv?{query}").get_data(as_text=True)
    shown = _csv(shown_text)
    assert shown and "is_synthetic" in shown[0]
    assert {row["is_synthetic"] for row in shown} == {"true"}  # the demo is all synthetic
    full_text = client.get(f"{base}/csv?{query}").get_data(as_text=True)
    full_header = next(csv.reader(io.StringIO(full_text)))
    french = client.get(f"{base}/fr.csv?{query}")
    raw = french.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    french_rows = _csv(raw.decode("utf-8-sig"), ";")
    assert list(french_rows[0]) == [COLUMNS[name].header_fr for name in full_header]
    assert {french_rows[0]["est_synthetique"]} <= {"oui", "non"}
    assert not {"true", "false"} & {value for row in french_rows for value in row.values()}
    metadata = json.loads(client.get(f"{base}/json?{query}").data)
    for described, header in (
        (metadata["column_descriptions"], full_header),
        (metadata["shown_column_descriptions"], list(shown[0])),
    ):
        assert list(described) == header
        for name, about in described.items():
            assert about["description_en"] and about["description_fr"], name
            assert about["header_fr"], name


def test_forecast_rows_name_their_model_and_synthetic_input(
    client: flask.testing.FlaskClient,
) -> None:
    shown = _csv(
        client.get("/download/interest/main/shown.csv?topic=pmp&region=CA-ON").get_data(
            as_text=True
        )
    )
    forecasts = [row for row in shown if row["kind"].startswith("forecast")]
    assert forecasts
    for row in forecasts:
        model = row["kind"].removeprefix("forecast: ")
        assert row["source"] == f"credtrends forecast ({model}) from synthetic-demo"
        assert row["is_synthetic"] == "true"


TABLES = {
    "overview": ("risers", "fallers", "emerging", "freshness"),
    "interest": ("growth", "related-top-pmp", "related-rising-pmp"),
    "labour": ("latest",),
    "program-demand": ("breakdown",),
}


@pytest.mark.parametrize(
    ("page", "key"), [(page, key) for page, keys in TABLES.items() for key in keys]
)
def test_every_table_of_a_page_downloads_labelled_and_documented(
    client: flask.testing.FlaskClient, page: str, key: str
) -> None:
    query = PAGES[page][1]
    base = f"/download/{page}/{key}"
    response = client.get(f"{base}/csv?{query}")
    assert response.status_code == 200
    assert _filename(response).startswith(f"credtrends-{page}-{key}-")
    rows = _csv(response.get_data(as_text=True))
    assert rows and {row["is_synthetic"] for row in rows} == {"true"}
    french = client.get(f"{base}/fr.csv?{query}").data
    assert french.startswith(b"\xef\xbb\xbf") and b"est_synthetique" in french
    metadata = json.loads(client.get(f"{base}/json?{query}").data)
    assert metadata["synthetic"] is True and metadata["rows"] == len(rows)
    for name, about in metadata["column_descriptions"].items():
        assert about["description_en"] and about["header_fr"], name
    assert client.get(f"{base}/xlsx?{query}").data.startswith(b"PK")
    assert client.get(f"{base}/png?{query}").status_code == 404  # a table has no image
