"""A whole view as one PDF report: title, introduction, each chart with its one-sentence
summary and the data as displayed, and the provenance on every page.

The report is one self-contained HTML document (charts as SVG images drawn by the warm
kaleido server of ``downloads``, tables, CSS for print) printed to PDF by the machine's
headless Chromium, one short-lived process per report in its own temporary profile: no
state kept between reports, nothing shared between gunicorn workers, and a hung print is
killed at the timeout. Every string from the caller is escaped (HTML, or CSS for the page
footer); the page's Content-Security-Policy allows no script and no load but its own
inline images, and Chromium resolves no host name.

All visible words come from the caller (title, introduction, headings, footer lines, and
``labels`` for the few small words), so a page can hand in its French text as it is.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import plotly.io as pio
import polars as pl

from credtrends.errors import CredtrendsError
from credtrends.web.downloads import _ensure_export_server
from credtrends.web.pdf_metadata import with_pdf_metadata
from credtrends.web.print_layout import print_figure

MAX_TABLE_ROWS = 40
FIGURE_WIDTH_PX = 1000
DEFAULT_FIGURE_HEIGHT_PX = 520
PRINT_TIMEOUT_S = 60.0

DEFAULT_LABELS: Mapping[str, str] = {
    # {page} and {pages} become the page number and count, printed by Chromium.
    "page": "Page {page} of {pages}",
    "data": "Data",
    "rows_shown": "First {shown} of {total} rows.",
    "about": "Source and licence",
}

# Where Chromium usually is when it is not on PATH (Debian's package, then Google's).
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_BROWSER_FALLBACKS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")

_STYLE = """
@page {
  size: A4;
  margin: 16mm 14mm 30mm 14mm;
  @bottom-left {
    content: FOOTER_CONTENT;
    width: 85%;
    white-space: pre-wrap;
    vertical-align: top;
    padding-top: 3mm;
    font: 6.5pt/1.35 "DejaVu Sans", "Liberation Sans", sans-serif;
    color: #555;
  }
  @bottom-right {
    content: PAGE_CONTENT;
    width: 15%;
    white-space: nowrap;
    text-align: right;
    vertical-align: top;
    padding-top: 3mm;
    font: 7pt "DejaVu Sans", "Liberation Sans", sans-serif;
    color: #555;
  }
}
html { font: 10pt/1.45 "DejaVu Sans", "Liberation Sans", sans-serif; color: #1d1d1d; }
body { margin: 0; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 8mm 0 2mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1mm; break-after: avoid; }
.intro { margin: 0 0 4mm; }
figure { margin: 0; break-inside: avoid; }
figure img { width: 100%; height: auto; display: block; }
figcaption { margin-top: 1mm; }
ul.notes { margin: 1mm 0; padding-left: 5mm; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
caption { text-align: left; font-size: 7.5pt; color: #555; caption-side: bottom; padding-top: 1mm; }
th, td { border-bottom: 1px solid #ddd; padding: 1px 4px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; hyphens: auto; }
caption { overflow-wrap: anywhere; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
footer.provenance { margin-top: 10mm; border-top: 1px solid #bbb; padding-top: 2mm;
  font-size: 8pt; color: #444; break-inside: avoid; }
footer.provenance p { margin: 0 0 1mm; overflow-wrap: anywhere; }
"""

# Nothing may be loaded or run: styles and images are inline; no script-src means no script.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


class ReportRenderError(CredtrendsError):
    """The PDF report could not be printed (no Chromium, or it failed or hung)."""


@dataclass(frozen=True)
class ReportSection:
    """One chart of the view: its heading, the chart, what it shows, and its data."""

    heading: str
    figure: dict[str, Any] | None
    summary: str
    table: pl.DataFrame | None
    notes: list[str] = field(default_factory=list)
    caption: str | None = None  # the table's own heading: None is "Data", "" is none
    table_note: str = ""  # under the table: which rows it holds, where all of them are


def report_pdf(
    title: str,
    intro: str,
    sections: Sequence[ReportSection],
    footer_lines: Sequence[str],
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> bytes:
    """The view as one PDF (A4), ready to send as a download; ``metadata`` becomes its
    document information (``pdf_metadata``)."""
    document = report_html(title, intro, sections, footer_lines, lang=lang, labels=labels)
    pdf = print_html_to_pdf(document)
    return with_pdf_metadata(pdf, {**metadata, "Title": title}) if metadata else pdf


def report_html(
    title: str,
    intro: str,
    sections: Sequence[ReportSection],
    footer_lines: Sequence[str],
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    *,
    render_figure: Callable[[dict[str, Any]], bytes] | None = None,
    max_table_rows: int = MAX_TABLE_ROWS,
) -> str:
    """The report as one self-contained HTML document (what ``report_pdf`` prints).

    ``render_figure`` turns a figure into SVG bytes (default: the warm kaleido server).
    """
    words = {**DEFAULT_LABELS, **(labels or {})}
    render = render_figure or figure_svg
    style = _STYLE.replace("FOOTER_CONTENT", _css_string("\n".join(footer_lines))).replace(
        "PAGE_CONTENT", _css_page_counter(words["page"])
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_attr(_clean_lang(lang))}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{_text(title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_text(title)}</h1>",
    ]
    if intro:
        parts.append(f'<p class="intro">{_text(intro)}</p>')
    for section in sections:
        parts.append(_section_html(section, words, lang, render, max_table_rows))
    parts.append("</main>")
    parts.append('<footer class="provenance">')
    parts.append(f"<h2>{_text(words['about'])}</h2>")
    parts.extend(f"<p>{_text(line)}</p>" for line in footer_lines)
    parts.append("</footer>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def figure_svg(figure: dict[str, Any]) -> bytes:
    """The chart as SVG, ~1000 px wide, drawn by the warm kaleido server."""
    exported = print_figure(figure, width=FIGURE_WIDTH_PX)
    height = int(exported.layout.height or DEFAULT_FIGURE_HEIGHT_PX)
    try:
        _ensure_export_server()
        with warnings.catch_warnings():
            # plotly warns that per-call options are ignored once the warm server runs.
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            svg = pio.to_image(exported, format="svg", width=FIGURE_WIDTH_PX, height=height)
    except Exception as error:  # kaleido's own errors: no browser, browser crashed, ...
        raise ReportRenderError(f"A chart of the PDF report could not be drawn: {error}") from error
    return bytes(svg)


def print_html_to_pdf(document: str, timeout_s: float = PRINT_TIMEOUT_S) -> bytes:
    """Print an HTML document to PDF with headless Chromium (its own temporary profile,
    no network), killing it if it has not finished within ``timeout_s``.

    Scripts are kept out by the document's Content-Security-Policy, not by Chromium's
    ``--blink-settings=scriptEnabled=false``: with that switch (Chromium 156) headless
    printing silently writes no PDF."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="credtrends-report-") as folder:
        work = Path(folder)
        page = work / "report.html"
        page.write_text(document, encoding="utf-8")
        output = work / "report.pdf"
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-first-run",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={work / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={output}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root otherwise
        _run_browser(command, timeout_s)
        if not output.is_file() or output.stat().st_size == 0:
            raise ReportRenderError(f"Chromium ({browser}) exited without writing the PDF report")
        pdf = output.read_bytes()
    if not pdf.startswith(b"%PDF"):
        raise ReportRenderError(f"Chromium ({browser}) wrote something that is not a PDF")
    return pdf


def find_chromium() -> str:
    """The Chromium to print with: ``BROWSER_PATH`` if set (as kaleido's choreographer
    honours it), else the first Chromium or Chrome on PATH, else Debian's usual place."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if Path(configured).is_file():
            return configured
        raise ReportRenderError(f"BROWSER_PATH={configured} is not a file: cannot print reports")
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in _BROWSER_FALLBACKS:
        if os.access(candidate, os.X_OK):
            return candidate
    raise ReportRenderError(
        "Chromium is not installed, so PDF reports cannot be printed "
        "(Debian: apt-get install chromium; or set BROWSER_PATH)"
    )


def _run_browser(command: list[str], timeout_s: float) -> None:
    # A session of its own, so a timeout kills the browser's helper processes too.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise ReportRenderError(
            f"Chromium did not finish printing the PDF report within {timeout_s:g} s"
        ) from None
    if process.returncode != 0:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ReportRenderError(
            f"Chromium failed to print the PDF report (exit {process.returncode}): "
            + " | ".join(tail)
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _section_html(
    section: ReportSection,
    words: Mapping[str, str],
    lang: str,
    render: Callable[[dict[str, Any]], bytes],
    max_rows: int,
) -> str:
    parts = ["<section>"]
    if section.heading:
        parts.append(f"<h2>{_text(section.heading)}</h2>")
    if section.figure is not None:
        svg = base64.b64encode(render(section.figure)).decode("ascii")
        # An <img> keeps each SVG apart: no clashing ids between charts, no script runs.
        parts.append(
            "<figure>"
            f'<img src="data:image/svg+xml;base64,{svg}" alt="{_attr(section.summary)}">'
            f"<figcaption>{_text(section.summary)}</figcaption>"
            "</figure>"
        )
    elif section.summary:
        parts.append(f"<p>{_text(section.summary)}</p>")
    if section.notes:
        parts.append('<ul class="notes">')
        parts.extend(f"<li>{_text(note)}</li>" for note in section.notes)
        parts.append("</ul>")
    if section.table is not None:
        caption = words["data"] if section.caption is None else section.caption
        if caption:
            parts.append(f"<h3>{_text(caption)}</h3>")
        parts.append(_table_html(section.table, words, lang, max_rows, section.table_note))
    parts.append("</section>")
    return "\n".join(parts)


# A cell of text that reads as a number ("+18 %", "12 345,7", "–"): aligned right.
_NUMBER_TEXT = re.compile(
    r"[+\-\u2212\u2013]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*\s?%?|\u2013"
)


def _numeric(column: pl.Series) -> bool:
    if column.dtype.is_numeric():
        return True
    if column.dtype != pl.String or column.is_empty():
        return False
    return all(_NUMBER_TEXT.fullmatch(value or "\u2013") for value in column.to_list())


def _table_html(
    frame: pl.DataFrame, words: Mapping[str, str], lang: str, max_rows: int, note: str = ""
) -> str:
    shown = frame.head(max_rows)
    numeric = [_numeric(shown[name]) for name in shown.columns]
    parts = ["<table>"]
    captions = [note] if note else []
    if frame.height > shown.height:
        captions.insert(
            0,
            words["rows_shown"]
            .replace("{shown}", str(shown.height))
            .replace("{total}", str(frame.height)),
        )
    if captions:
        parts.append(f"<caption>{_text(' '.join(captions))}</caption>")
    header = "".join(
        f'<th scope="col" class="num">{_text(name)}</th>'
        if is_number
        else f'<th scope="col">{_text(name)}</th>'
        for name, is_number in zip(shown.columns, numeric, strict=True)
    )
    parts.append(f"<thead><tr>{header}</tr></thead>")
    parts.append("<tbody>")
    for row in shown.iter_rows():
        cells = "".join(
            f'<td class="num">{_text(_cell(value, lang))}</td>'
            if is_number
            else f"<td>{_text(_cell(value, lang))}</td>"
            for value, is_number in zip(row, numeric, strict=True)
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody>")
    parts.append("</table>")
    return "\n".join(parts)


def _cell(value: object, lang: str) -> str:
    """A cell as a reader sees it: two decimals, the decimal comma in French, blanks for
    missing values."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        text = f"{value:.2f}"
        return text.replace(".", ",") if lang.lower().startswith("fr") else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _clean_lang(lang: str) -> str:
    """A BCP 47-looking tag, or "en": the tag lands in an attribute and in number formats."""
    return lang if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang) else "en"


def _css_string(value: str) -> str:
    """A quoted CSS string: every character but ASCII letters and digits as a six-digit
    escape, so no quote, backslash or "</style>" in a caller's text can end it. Spaces are
    escaped too, as CSS swallows one white space after an escape; newlines become line
    breaks (the margin box keeps them with white-space: pre-wrap)."""
    escaped = (
        char if char.isascii() and char.isalnum() else f"\\{ord(char):06x}" for char in value
    )
    return '"' + "".join(escaped) + '"'


def _css_page_counter(template: str) -> str:
    """CSS ``content`` for a page label such as "Page {page} of {pages}"."""
    pieces = []
    for part in re.split(r"(\{pages\}|\{page\})", template):
        if part == "{page}":
            pieces.append("counter(page)")
        elif part == "{pages}":
            pieces.append("counter(pages)")
        elif part:
            pieces.append(_css_string(part))
    return " ".join(pieces) or '""'
