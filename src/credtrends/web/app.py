"""The Dash app factory: wires settings, the cached query layer, the pages and their routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import dash
import flask
import sqlalchemy as sa
from dash import Input, Output, dcc, html
from flask_caching import Cache

from credtrends import __version__
from credtrends.catalogue import load_catalogue
from credtrends.config import Settings
from credtrends.web.boards import Localized, load_boards
from credtrends.web.callback_requests import guard_callback_requests
from credtrends.web.chart_routes import register_chart_routes
from credtrends.web.components.aria import aria
from credtrends.web.components.share import copy_link
from credtrends.web.data import DashboardData, cache_config
from credtrends.web.hardening import harden
from credtrends.web.i18n import LANGS, Lang, Translator, language_name, parse_lang
from credtrends.web.not_found import register_not_found
from credtrends.web.pages import (
    boards,
    data_methods,
    interest,
    labour,
    overview,
    program_demand,
    regions,
)
from credtrends.web.unavailable import register_unavailable_handler
from credtrends.web.views import BASE_URL_CONFIG, MAX_PARAMETER_LENGTH, ViewPage

PAGES = (overview, interest, regions, labour, program_demand, data_methods)
EXPORTABLE: tuple[Any, ...] = (overview, interest, regions, labour, program_demand)
META_SCRIPT = """
function(meta) {
    if (meta) { document.documentElement.lang = meta.lang; document.title = meta.title; }
    return window.dash_clientside.no_update;
}
"""


# Dash's own template, with the scripts in a <div>: its <footer> made a second
# "contentinfo" landmark next to the page's footer.
INDEX_STRING = """<!DOCTYPE html>
<html>
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


class CredtrendsDash(dash.Dash):
    """Dash with ``<html lang>`` and the page title in the language the URL asks for."""

    board_titles: Mapping[str, Localized] = {}

    def interpolate_index(self, **kwargs: Any) -> Any:  # type: ignore[override]
        tr = Translator(parse_lang(flask.request.args.get("lang")))
        title = page_title(flask.request.path, tr, self.board_titles)
        if title:
            kwargs["title"] = title
        page = str(super().interpolate_index(**kwargs))  # type: ignore[no-untyped-call]
        return page.replace("<html>", f'<html lang="{tr.lang}">', 1)


def page_title(path: str, tr: Translator, board_titles: Mapping[str, Localized]) -> str | None:
    """ "Search interest · credtrends"; a board is named by its own title, in the page's
    language."""
    if path == boards.PATH or path.startswith(boards.PATH + "/"):
        slug = path.removeprefix(boards.PATH).strip("/")
        title = board_titles.get(slug)
        return f"{title.text(tr.lang) if title else tr(boards.TITLE_KEY)} · credtrends"
    key = next((page.TITLE_KEY for page in PAGES if path == page.PATH), None)
    return f"{tr(key)} · credtrends" if key else None


def _with_lang(path: str, lang: Lang) -> str:
    return f"{path}?lang=fr" if lang == "fr" else path


def _switch_href(path: str, query: Mapping[str, Any], tr: Translator) -> str:
    """The same view in the other language; the page's callbacks keep it current."""
    kept = {
        key: value
        for key, value in query.items()
        if key != "lang" and isinstance(value, str) and len(value) <= MAX_PARAMETER_LENGTH
    }
    if tr.lang == "en":
        kept["lang"] = "fr"
    text = urlencode(kept)
    return f"{path}?{text}" if text else path


def shell(
    tr: Translator, path: str, query: Mapping[str, Any], content: Any, title: str | None = None
) -> html.Div:
    """Skip link, header with navigation and language switch, main landmark, footer."""
    links = [
        html.A(
            tr(page.TITLE_KEY),
            href=_with_lang(page.PATH, tr.lang),
            **(aria(current="page") if path == page.PATH else {}),
        )
        for page in (*PAGES, boards)
    ]
    other: Lang = next(lang for lang in LANGS if lang != tr.lang)
    return html.Div(
        [
            html.A(tr("skip"), href="#main-content", className="skip-link"),
            html.Header(
                [
                    html.A("credtrends", href=_with_lang("/", tr.lang), className="brand"),
                    html.Nav(links, **aria(label=tr("nav_label"))),
                    html.A(
                        language_name(other),
                        id="language-switch",
                        href=_switch_href(path, query, tr),
                        lang=other,
                        hrefLang=other,
                        title=tr("switch_language_title"),
                        className="language-switch",
                    ),
                ],
                className="site-header",
            ),
            html.Main(
                # the same view in the same language: the switch's link for the other language
                [content, copy_link(tr, _switch_href(path, query, Translator(other)))],
                id="main-content",
                className="page",
                tabIndex="-1",
            ),
            html.Footer(tr("footer", version=__version__), className="site-footer"),
            dcc.Store(
                id="page-meta",
                data={"lang": tr.lang, "title": title or page_title(path, tr, {})},
            ),
            dcc.Store(id="page-meta-applied"),
        ]
    )  # fmt: skip


def create_app(settings: Settings, engine: sa.Engine) -> dash.Dash:
    """A new app; nothing is read from the warehouse until a page is requested."""
    app = CredtrendsDash(
        __name__,
        use_pages=True,
        pages_folder="",
        title="credtrends",
        update_title="",
        suppress_callback_exceptions=True,
        # Dash's page meta tags put request.url (the client's Host header) in the page.
        include_pages_meta=False,
    )
    cache = Cache(app.server, config=cache_config(settings, settings.warehouse_url))
    data = DashboardData(engine, cache)
    catalogue = load_catalogue(settings.topics_file, settings.regions_file)
    board_definitions = load_boards(settings.dashboards_dir, catalogue)
    app.board_titles = {slug: board.title for slug, board in board_definitions.items()}
    app.index_string = INDEX_STRING

    def board_layout(board: Any = None, **query: Any) -> html.Div:
        tr = Translator(parse_lang(query.get("lang")))
        path = f"{boards.PATH}/{board}" if isinstance(board, str) else boards.PATH
        content = boards.layout(data, board_definitions, tr, board)
        return shell(tr, path, query, content, page_title(path, tr, app.board_titles))

    dash.register_page(  # type: ignore[no-untyped-call]
        boards.__name__,
        path=boards.PATH,
        path_template=boards.PATH_TEMPLATE,
        name="Boards",
        title="Boards · credtrends",
        layout=board_layout,
    )
    for page in PAGES:
        dash.register_page(  # type: ignore[no-untyped-call]
            page.__name__,
            path=page.PATH,
            name=Translator()(page.TITLE_KEY),
            title=f"{Translator()(page.TITLE_KEY)} · credtrends",
            layout=_page_layout(page, data),
        )
        page.register_callbacks(app, data)
    app.clientside_callback(  # type: ignore[no-untyped-call]
        META_SCRIPT, Output("page-meta-applied", "data"), Input("page-meta", "data")
    )
    # Only the pages router's own location: a second dcc.Location kept the URL it was
    # opened with and, redrawn on Back, pushed that stale URL over the one the reader chose.
    app.layout = html.Div([dash.page_container])
    exportable: dict[str, ViewPage[Any]] = {page.NAME: page for page in EXPORTABLE}
    register_chart_routes(app.server, data, exportable)
    page_paths = (
        {page.PATH for page in PAGES}
        | {boards.PATH}
        | {f"{boards.PATH}/{slug}" for slug in board_definitions}
    )
    navigation = [(page.PATH, page.TITLE_KEY) for page in (*PAGES, boards)]
    register_not_found(app.server, lambda path: path in page_paths, navigation)
    app.server.config[BASE_URL_CONFIG] = settings.base_url
    harden(app, settings)
    guard_callback_requests(app)
    register_unavailable_handler(app.server)
    # Dash finishes its set-up (callback map, inline scripts) on the first request, behind a
    # flag it sets before the work: under a threaded server (gunicorn --threads, `serve`)
    # a second first request would run against a half-built app. One internal request
    # here, which reads nothing from the warehouse, completes it before any client comes.
    app.server.test_client().get("/_dash-layout")
    return app


def _page_layout(page: Any, data: DashboardData) -> Callable[..., html.Div]:
    def layout(**query: Any) -> html.Div:
        tr = Translator(parse_lang(query.get("lang")))
        return shell(tr, page.PATH, query, page.layout(data, tr, query))

    return layout
