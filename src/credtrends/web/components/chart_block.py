"""A chart on a page: the graph, its one-sentence summary, and its downloads and embed code.

Downloads are plain links to ``/download/...`` (not plotly's modebar, which the keyboard
cannot reach): they work with Tab and Enter, open in any browser, and can be scripted.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from credtrends.web.components.aria import aria
from credtrends.web.components.tables import frame_table
from credtrends.web.embed import iframe_code
from credtrends.web.i18n import N_, Translator
from credtrends.web.views import ChartView, State, absolute, query_string

# (format in the URL, link text key, link title key)
DOWNLOAD_FORMATS = (
    ("png", N_("dl_png"), N_("dl_png_title")),
    ("svg", N_("dl_svg"), N_("dl_svg_title")),
    ("pdf", N_("dl_pdf"), N_("dl_pdf_title")),
    ("csv", N_("dl_csv"), N_("dl_csv_title")),
    ("shown.csv", N_("dl_displayed"), N_("dl_displayed_title")),
    ("fr.csv", N_("dl_csv_fr"), N_("dl_csv_fr_title")),
    ("xlsx", N_("dl_xlsx"), N_("dl_xlsx_title")),
    ("json", N_("dl_json"), N_("dl_json_title")),
)


def _ids(prefix: str, key: str) -> tuple[str, str, str]:
    return f"{prefix}-{key}-graph", f"{prefix}-{key}-summary", f"{prefix}-{key}-tools"


def chart_block(prefix: str, key: str, tr: Translator, height: str | None = None) -> html.Figure:
    """Placeholders filled by the page's callback with ``chart_outputs``."""
    graph_id, summary_id, tools_id = _ids(prefix, key)
    style = {"height": height} if height else None
    return html.Figure(
        [
            dcc.Loading(dcc.Graph(id=graph_id, config=tr.graph_config(), style=style)),
            html.Figcaption(id=summary_id, className="summary", **aria(live="polite")),
            html.Div(id=tools_id, className="chart-tools"),
        ],
        className="chart",
    )


def chart_tools(page: str, view: ChartView, state: State, tr: Translator) -> html.Div:
    query = query_string(state)
    links = [
        html.A(
            tr(label),
            href=f"/download/{page}/{view.key}/{fmt}?{query}",
            title=tr(title),
            className="button button-link",
            download="",
        )
        for fmt, label, title in DOWNLOAD_FORMATS
    ]
    code_id = f"{page}-{view.key}-embed-code"
    code = iframe_code(absolute(f"/embed/{page}/{view.key}?{query}"), view.title)
    return html.Div(
        [
            table_alternative(view, tr),
            html.Div([html.Span(tr("download_label"), className="note"), *links],
                     className="downloads", role="group", **aria(label=tr("download"))),
            html.Details(
                [
                    html.Summary(tr("embed")),
                    html.P(tr("embed_help"), className="note"),
                    html.Div(
                        [
                            html.Pre(code, id=code_id, className="embed-code"),
                            dcc.Clipboard(target_id=code_id, title=tr("copy"),
                                          className="copy-button"),
                        ],
                        className="embed-row",
                    ),
                ],
                className="embed",
            ),
        ]
    )  # fmt: skip


TABLE_FORMATS = tuple(f for f in DOWNLOAD_FORMATS if f[0] in ("csv", "fr.csv", "xlsx", "json"))


def table_downloads(page: str, key: str, state: State, tr: Translator) -> html.Div:
    """Download links for one of the page's tables (``views.ViewTable``)."""
    query = query_string(state)
    links = [
        html.A(tr(label), href=f"/download/{page}/{key}/{fmt}?{query}",
               title=tr(title), className="button button-link", download="")
        for fmt, label, title in TABLE_FORMATS
    ]  # fmt: skip
    return html.Div(
        [html.Span(tr("download_label"), className="note"), *links],
        className="downloads table-downloads",
        role="group",
        **aria(label=tr("download")),
    )


def table_alternative(view: ChartView, tr: Translator) -> html.Details | None:
    """The chart's numbers as a table, for readers who cannot see the chart."""
    if view.table is None:
        return None
    return html.Details(
        [
            html.Summary(tr("table_alternative")),
            frame_table(view.table, {name: name for name in view.table.columns}, view.title,
                        tr=tr),
        ],
        className="table-alternative",
    )  # fmt: skip


def chart_outputs(page: str, view: ChartView, state: State, tr: Translator) -> tuple[Any, ...]:
    """figure, summary and tools, in the order of ``chart_block``'s ids."""
    return view.figure, view.summary, chart_tools(page, view, state, tr)


def chart_output_ids(prefix: str, key: str) -> tuple[tuple[str, str], ...]:
    graph_id, summary_id, tools_id = _ids(prefix, key)
    return ((graph_id, "figure"), (summary_id, "children"), (tools_id, "children"))


def report_link(page: str, state: State, tr: Translator) -> html.A:
    return html.A(
        tr("report"),
        href=f"/report/{page}?{query_string(state)}",
        className="button button-link report-link",
        download="",
    )
