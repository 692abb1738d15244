"""HTTP routes that deliver a page's charts outside the page: downloads, embeds, PDF reports.

``/download/<page>/<chart>/<format>?<the page's query>``, ``/embed/<page>/<chart>?...`` and
``/report/<page>?...`` rebuild the view from the same query the page's URL holds, so what is
downloaded is what was on screen. Unknown pages, charts or formats are 404s; a query value
that is not offered falls back to the page default, as the page itself does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Any

import flask
import polars as pl

from credtrends.web.columns import COLUMNS, french_frame
from credtrends.web.data import DashboardData
from credtrends.web.downloads import metadata_json, render_image, xlsx_bytes
from credtrends.web.embed import embed_page, plotly_js_path
from credtrends.web.exports import frame_to_csv
from credtrends.web.filenames import download_stem
from credtrends.web.geodata import GEOJSON_RESOURCE
from credtrends.web.i18n import N_, Translator, messages_for
from credtrends.web.maps import PROVINCES_URL, inline_geojson
from credtrends.web.print_layout import clamp_scale
from credtrends.web.report import ReportSection, report_pdf
from credtrends.web.table_text import display_frame
from credtrends.web.views import (
    ChartView,
    State,
    ViewPage,
    ViewTable,
    absolute,
    permalink,
    query_string,
    view_tables,
)

log = logging.getLogger(__name__)
PLOTLY_JS_URL = "/embed-assets/plotly.min.js"
IMAGE_FORMATS = ("png", "svg", "pdf")
CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "shown.csv": "text/csv; charset=utf-8",
    "fr.csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def _text(body: str, status: int) -> flask.Response:
    return flask.Response(body, status=status, content_type="text/plain; charset=utf-8")


def _attachment(content: bytes | str, filename: str, fmt: str) -> flask.Response:
    response = flask.Response(content, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _data_file(view: ChartView, fmt: str, base_name: str) -> bytes | str:
    if fmt == "xlsx":
        return xlsx_bytes(view.data, view.info)
    if fmt == "json":
        return metadata_json(view.data, view.info, f"{base_name}.csv", view.displayed)
    if fmt == "shown.csv":
        return frame_to_csv(view.displayed)
    if fmt == "fr.csv":
        return frame_to_csv(french_frame(view.data), french=True)
    return frame_to_csv(view.data)


def _shown_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Tables in reports show text as it would appear in a spreadsheet: dates as ISO."""
    return frame.with_columns(pl.col(pl.Date, pl.Datetime).cast(pl.String))


Found = tuple[ViewPage[Any], State, ChartView]


@dataclass(frozen=True)
class _Views:
    """A page's views rebuilt from the request's query (the query the page's URL holds)."""

    data: DashboardData
    pages: Mapping[str, ViewPage[Any]]

    def region_names(self) -> dict[str, str]:
        """English region names for file names (the same file name in both languages)."""
        return Translator("en").names(self.data.regions(), "region_code")

    def views_for(self, page_name: str) -> tuple[ViewPage[Any], State, list[ChartView]] | None:
        page = self.pages.get(page_name)
        if page is None:
            return None
        state = page.parse_state(self.data, flask.request.args.to_dict())
        tr = Translator(state.lang)
        return page, state, page.chart_views(self.data, state, tr)

    def chart_of(self, page_name: str, chart: str) -> Found | None:
        found = self.views_for(page_name)
        if found is None:
            return None
        page, state, views = found
        view = next((v for v in views if v.key == chart), None)
        return (page, state, view) if view is not None else None

    def table_of(self, page_name: str, key: str) -> Found | None:
        """A table of the page (``view_tables``) as a view without a figure: its rows, the
        page's provenance, and ``is_synthetic`` from the page when the rows lack it."""
        found = self.views_for(page_name)
        if found is None or not found[2]:
            return None
        page, state, views = found
        tr = Translator(state.lang)
        table = next((t for t in view_tables(page, self.data, state, tr) if t.key == key), None)
        if table is None:
            return None
        info = replace(views[0].info, title=table.caption, notes=[])
        rows = table.data
        if "is_synthetic" not in rows.columns:
            rows = rows.with_columns(is_synthetic=pl.lit(info.synthetic))
        return page, state, ChartView(key, table.caption, {}, rows, rows, table.caption, info)


def register_chart_routes(
    server: flask.Flask, data: DashboardData, pages: Mapping[str, ViewPage[Any]]
) -> None:
    views = _Views(data, pages)

    @server.get("/download/<page_name>/<chart>/<fmt>")
    def download(page_name: str, chart: str, fmt: str) -> flask.Response:
        return _download(views, page_name, chart, fmt)

    @server.get("/embed/<page_name>/<chart>")
    def embed(page_name: str, chart: str) -> flask.Response:
        return _embed(views, page_name, chart)

    @server.get("/report/<page_name>")
    def report(page_name: str) -> flask.Response:
        return _report(views, page_name)

    @server.get(PROVINCES_URL)
    def provinces() -> flask.Response:
        boundaries = files("credtrends.web.geodata").joinpath(GEOJSON_RESOURCE).read_bytes()
        response = flask.Response(boundaries, content_type="application/geo+json")
        response.cache_control.public = True
        response.cache_control.max_age = 86_400
        return response

    @server.get(PLOTLY_JS_URL)
    def plotly_js() -> flask.Response:
        response = flask.send_file(plotly_js_path(), mimetype="text/javascript", max_age=86_400)
        return response


def _download(views: _Views, page_name: str, chart: str, fmt: str) -> flask.Response:
    """A chart as an image or data file, or a table of the page as a data file."""
    found = views.chart_of(page_name, chart) if fmt in CONTENT_TYPES else None
    if found is None and fmt in CONTENT_TYPES and fmt not in IMAGE_FORMATS:
        found = views.table_of(page_name, chart)
    if found is None:
        return _text("No such chart or format.", 404)
    _page, state, view = found
    is_table = not view.figure  # a table of the page (``table_of``) has no chart
    base_name = download_stem(
        page_name, state.query(), views.region_names(), kind=chart if is_table else ""
    )
    if fmt not in IMAGE_FORMATS:
        return _attachment(_data_file(view, fmt, base_name), f"{base_name}.{fmt}", fmt)
    scale = clamp_scale(flask.request.args.get("scale"))
    try:
        figure = inline_geojson(view.figure, PROVINCES_URL)
        image = render_image(figure, view.info, fmt, scale)  # type: ignore[arg-type]
    except Exception:  # kaleido/Chromium failures: say so, never a traceback
        log.exception("could not render %s for %s/%s", fmt, page_name, chart)
        return _text("This server could not render the image; try CSV or SVG later.", 503)
    return _attachment(image, f"{base_name}.{fmt}", fmt)


def _embed(views: _Views, page_name: str, chart: str) -> flask.Response:
    found = views.chart_of(page_name, chart)
    if found is None:
        return _text("No such chart.", 404)
    page, state, view = found
    document = embed_page(
        view.figure,
        view.title,
        view.summary,
        view.info.footer_lines(),
        state.lang,
        PLOTLY_JS_URL,
        permalink(page.PATH, state),
        link_text=Translator(state.lang)(N_("view_link")),
    )
    return flask.Response(document, content_type="text/html; charset=utf-8")


def _report(views: _Views, page_name: str) -> flask.Response:
    """The view as a PDF: every chart with its summary, notes and table, then the page's
    other tables."""
    found = views.views_for(page_name)
    if found is None or not found[2]:
        return _text("No such view.", 404)
    page, state, charts = found
    tr = Translator(state.lang)
    sections = [
        *(_chart_section(page_name, view, state, tr) for view in charts),
        *_table_sections(view_tables(page, views.data, state, tr)),
    ]
    info = charts[0].info
    try:
        content = report_pdf(
            title=f"{tr(page.TITLE_KEY)} · credtrends",
            intro=tr("report_intro"),
            sections=sections,
            # Each page's foot: label, source, link and licence; the notes and the
            # forecasts' accuracy are printed once with their chart (repeated in the
            # foot of every page they overflowed its margin).
            footer_lines=[
                line
                for line in info.footer_lines()
                if line not in info.notes and line not in info.forecast_accuracy
            ],
            lang=tr.lang,
            labels=_report_labels(tr),
            metadata=info.pdf_fields(subject=" ".join(v.summary for v in charts)),
        )
    except Exception:
        log.exception("could not print the %s report", page_name)
        return _text("This server could not print the report; try again later.", 503)
    stem = download_stem(page_name, state.query(), views.region_names(), kind="report")
    return _attachment(content, f"{stem}.pdf", "pdf")


def _report_labels(tr: Translator) -> dict[str, str]:
    """The report's own words (``report_page`` and ``report_rows`` are formatted by it)."""
    return {
        "data": tr("report_data"),
        "page": messages_for(tr.lang)[N_("report_page")],
        "rows_shown": messages_for(tr.lang)[N_("report_rows")],
        "about": tr("report_about"),
    }


REPORT_ROWS = 40


def _chart_section(page_name: str, view: ChartView, state: State, tr: Translator) -> ReportSection:
    """A chart with its summary, notes and table as the page shows it (its table
    alternative, else the newest rows of what it draws), and where all rows are."""
    csv_url = absolute(f"/download/{page_name}/{view.key}/csv?{query_string(state)}")
    full = tr("report_full_data", total=tr.integer(view.data.height), url=csv_url)
    if view.table is not None:
        table, note = view.table, full
        if page_name == "interest":
            note = f"{tr('report_recent')} {full}"
    else:
        table = _shown_rows(view.displayed)
        note = full
        if "period_start" in table.columns and table.height > REPORT_ROWS:
            total = table.height
            table = table.sort("period_start").tail(REPORT_ROWS)
            shown = tr("report_rows_last", shown=REPORT_ROWS, total=tr.integer(total))
            note = f"{shown} {full}"
        table = _readable(table, tr)
    return ReportSection(
        heading=view.title,
        figure=inline_geojson(view.figure, PROVINCES_URL),
        summary=view.summary,
        table=table,
        notes=[*view.info.notes, *view.info.forecast_accuracy],
        table_note=note,
    )


def _readable(frame: pl.DataFrame, tr: Translator) -> pl.DataFrame:
    """A data frame as a reader sees it: headers in words of the page's language (the French
    CSV's headers), numbers in its format, "yes"/"oui" for booleans."""

    def header(name: str) -> str:
        if tr.lang == "fr" and name in COLUMNS:
            return COLUMNS[name].header_fr.replace("_", " ")
        return name.replace("_", " ")

    return display_frame(frame, {name: header(name) for name in frame.columns}, tr)


def _table_sections(tables: list[ViewTable]) -> list[ReportSection]:
    """The page's other tables, each under its group heading once (as on the page)."""
    sections = []
    previous = None
    for table in tables:
        grouped = bool(table.heading)
        heading = "" if grouped and table.heading == previous else (table.heading or table.caption)
        previous = table.heading if grouped else None
        empty = table.frame.is_empty()
        sections.append(
            ReportSection(
                heading=heading,
                figure=None,
                summary=table.empty_note if empty else "",
                table=None if empty else table.frame,
                caption=table.caption if grouped else "",
            )
        )
    return sections
