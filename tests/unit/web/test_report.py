"""The PDF report: every caller string escaped, tables capped, printed by real Chromium."""

from __future__ import annotations

import base64
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest

from credtrends.errors import CredtrendsError
from credtrends.web import report
from credtrends.web.report import (
    ReportRenderError,
    ReportSection,
    find_chromium,
    print_html_to_pdf,
    report_html,
    report_pdf,
)
from tests.helpers import unavailable

HOSTILE = "</style></title><script>alert(1)</script>\"'&=cmd|' /C calc'!A0"
FOOTER = [
    "Source: synthetic-demo. Retrieved 2026-11-29 10:00 UTC.",
    "https://credtrends.example/interest?topic=pmp&region=CA-ON | Apache-2.0",
]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>x</text></svg>'


def fake_svg(_figure: dict[str, Any]) -> bytes:
    return SVG


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> and <td>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self.cells: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "style":
            self.style += data
        elif self._open == "td":
            self.cells.append(data)

    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]


def parsed(document: str) -> Tags:
    parser = Tags()
    parser.feed(document)
    parser.close()
    return parser


def hostile_html() -> str:
    frame = pl.DataFrame({HOSTILE: [HOSTILE, "pmp"], "value": [1.5, None]})
    section = ReportSection(
        heading=HOSTILE,
        figure=go.Figure(go.Scatter(x=[1], y=[1], name=HOSTILE)).to_plotly_json(),
        summary=HOSTILE,
        table=frame,
        notes=[HOSTILE],
    )
    return report_html(
        HOSTILE,
        HOSTILE,
        [section],
        [HOSTILE, *FOOTER],
        lang='en"><script>',
        labels={"data": HOSTILE, "about": HOSTILE, "page": HOSTILE + " {page}"},
        render_figure=fake_svg,
    )


def test_every_caller_string_is_escaped() -> None:
    document = hostile_html()
    tags = parsed(document)
    assert "script" not in tags.names()
    assert "<script" not in document
    assert document.count("</style>") == 1 and document.count("</title>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    # The first cell is the hostile text itself (spreadsheet escaping is not for a PDF).
    assert tags.cells[0] == HOSTILE
    # The page footer is CSS: no caller quote, backslash or angle bracket survives in it.
    page_rule = tags.style[tags.style.index("@page") : tags.style.index("html {")]
    for contents in re.findall(r'content: ("(?:[^"\\]|\\.)*"(?: [^;]*)?);', page_rule):
        assert "<" not in contents and "'" not in contents
    assert page_rule.count('"') % 2 == 0


def test_lang_is_set_and_a_bad_tag_falls_back_to_english() -> None:
    assert parsed(hostile_html()).tags[0] == ("html", {"lang": "en"})
    document = report_html("T", "", [], FOOTER, lang="fr-CA", render_figure=fake_svg)
    assert parsed(document).tags[0] == ("html", {"lang": "fr-CA"})


def test_charts_are_isolated_svg_images_described_by_their_summary() -> None:
    section = ReportSection("Interest", {"data": [], "layout": {}}, "It rose.", None)
    tags = parsed(report_html("T", "", [section], FOOTER, render_figure=fake_svg))
    images = [attrs for tag, attrs in tags.tags if tag == "img"]
    assert len(images) == 1
    source = images[0]["src"] or ""
    assert source.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(source.split(",", 1)[1]) == SVG
    assert images[0]["alt"] == "It rose."
    assert "figcaption" in tags.names()


def test_a_section_without_a_chart_renders_nothing_to_draw() -> None:
    def fail(_figure: dict[str, Any]) -> bytes:
        raise AssertionError("no figure to render")

    section = ReportSection("Table only", None, "Counts by region.", pl.DataFrame({"a": [1]}))
    tags = parsed(report_html("T", "", [section], FOOTER, render_figure=fail))
    assert "img" not in tags.names() and "table" in tags.names()


def test_long_tables_are_capped_with_a_note_in_the_callers_words() -> None:
    frame = pl.DataFrame({"region": [f"CA-{i}" for i in range(60)], "value": [0.5] * 60})
    section = ReportSection("Regions", None, "", frame)
    document = report_html(
        "T",
        "",
        [section],
        FOOTER,
        lang="fr",
        labels={"rows_shown": "Les {shown} premières lignes sur {total}."},
        render_figure=fake_svg,
    )
    tags = parsed(document)
    assert tags.names().count("tr") == 41  # header + 40 rows
    assert "Les 40 premières lignes sur 60." in document
    assert "CA-39" in tags.cells and "CA-40" not in tags.cells
    assert "0,50" in tags.cells  # the decimal comma in French


def test_footer_lines_close_the_report_and_label_every_page() -> None:
    document = report_html(
        "T", "", [], FOOTER, labels={"page": "Page {page} sur {pages}"}, render_figure=fake_svg
    )
    style = parsed(document).style
    assert "counter(page)" in style and "counter(pages)" in style
    assert '"\\000020sur\\000020"' in style
    end = document[document.index('<footer class="provenance">') :]
    assert all(line.replace("&", "&amp;") in end for line in FOOTER)


def test_a_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(report, "_BROWSER_FALLBACKS", ("/nonexistent/chromium",))
    with pytest.raises(ReportRenderError, match="Chromium is not installed"):
        find_chromium()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    with pytest.raises(ReportRenderError, match="BROWSER_PATH"):
        find_chromium()
    assert issubclass(ReportRenderError, CredtrendsError)


def fake_browser(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = tmp_path / "fake-chromium"
    browser.write_text("#!/bin/sh\n" + script + "\n")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(browser))


def test_a_hung_browser_is_killed_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_browser(tmp_path, "sleep 30", monkeypatch)
    with pytest.raises(ReportRenderError, match=r"within 0\.5 s"):
        print_html_to_pdf("<!DOCTYPE html>", timeout_s=0.5)


@pytest.mark.parametrize(
    ("script", "message"),
    [("echo boom >&2; exit 3", r"exit 3\): boom"), ("exit 0", "without writing the PDF")],
)
def test_a_failing_browser_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, message: str
) -> None:
    fake_browser(tmp_path, script, monkeypatch)
    with pytest.raises(ReportRenderError, match=message):
        print_html_to_pdf("<!DOCTYPE html>")


@pytest.mark.browser
def test_report_prints_a_real_pdf_with_readable_text() -> None:
    if not shutil.which("chromium"):
        unavailable("Chromium not installed (Debian: apt-get install chromium)")
    try:
        import pypdf
    except ImportError:
        unavailable("pypdf not installed (pip install -e '.[dev]')")
    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], name="pmp")).to_plotly_json()
    frame = pl.DataFrame({"region": ["CA-ON", "CA-QC"], "value": [42.5, 17.25]})
    sections = [
        ReportSection(f"Heading {i}", figure, f"Summary sentence {i}.", frame) for i in range(3)
    ]
    pdf = report_pdf("Credential report", "What people search for.", sections, FOOTER)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 0
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Credential report",
        "Heading 2",
        "Summary sentence 1.",
        "CA-QC",
        "17.25",
        "credtrends.example/interest?topic=pmp",
        "Page 1 of",
    ):
        assert expected in text
