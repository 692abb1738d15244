"""The Dash app factory: wires settings, the cached query layer and the pages."""

from __future__ import annotations

from typing import Any

import dash
import sqlalchemy as sa
from dash import dcc, html
from flask_caching import Cache

from credtrends import __version__
from credtrends.catalogue import load_catalogue
from credtrends.config import Settings
from credtrends.web.boards import load_boards
from credtrends.web.data import DashboardData, cache_config
from credtrends.web.pages import (
    boards,
    data_methods,
    interest,
    labour,
    overview,
    program_demand,
    regions,
)

PAGES = (overview, interest, regions, labour, program_demand, data_methods)


def _shell() -> html.Div:
    """Header, navigation and footer around the current page."""
    return html.Div(
        [
            dcc.Location(id="url"),
            html.Header(
                [
                    html.A("credtrends", href="/", className="brand"),
                    html.Nav(
                        [html.A(page.TITLE, href=page.PATH) for page in PAGES]
                        + [html.A(boards.TITLE, href=boards.PATH)]
                    ),
                ],
                className="site-header",
            ),
            html.Main(dash.page_container, className="page"),
            html.Footer(
                f"credtrends {__version__} · open source (Apache-2.0) · "
                "each chart names the source of its numbers",
                className="site-footer",
            ),
        ]
    )


def create_app(settings: Settings, engine: sa.Engine) -> dash.Dash:
    """A new app; nothing is read from the warehouse until a page is requested."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        title="credtrends",
        suppress_callback_exceptions=True,
    )
    cache = Cache(app.server, config=cache_config(settings, settings.warehouse_url))
    data = DashboardData(engine, cache)
    catalogue = load_catalogue(settings.topics_file, settings.regions_file)
    board_definitions = load_boards(settings.dashboards_dir, catalogue)
    dash.register_page(  # type: ignore[no-untyped-call]
        boards.__name__,
        path=boards.PATH,
        path_template=boards.PATH_TEMPLATE,
        name=boards.TITLE,
        title=f"{boards.TITLE} · credtrends",
        layout=lambda board=None, **query: boards.layout(data, board_definitions, board, **query),
    )
    for page in PAGES:
        dash.register_page(  # type: ignore[no-untyped-call]
            page.__name__,
            path=page.PATH,
            name=page.TITLE,
            title=f"{page.TITLE} · credtrends",
            layout=_page_layout(page, data),
        )
        page.register_callbacks(app, data)
    app.layout = _shell()
    return app


def _page_layout(page: Any, data: DashboardData) -> Any:
    def layout(**query: Any) -> Any:
        return page.layout(data, **query)

    return layout
