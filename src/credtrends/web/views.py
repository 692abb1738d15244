"""What a page shows, independent of how it is delivered.

Every page turns its URL query into a validated *state* (``parse_state``) and a state into
a list of ``ChartView`` (``chart_views``). The page's callbacks, its downloads, its embeds
and its PDF report all go through those two functions, so a chart downloaded, embedded or
printed is exactly the chart on screen, and hostile values are refused in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

import flask
import polars as pl

from credtrends.web.data import DashboardData
from credtrends.web.downloads import ExportInfo
from credtrends.web.i18n import Translator
from credtrends.web.page_state import MAX_PARAMETER_LENGTH as MAX_PARAMETER_LENGTH
from credtrends.web.page_state import PageState

S = TypeVar("S", bound=PageState)
State = PageState
"""A page's typed URL state (``web/page_state.py``)."""
BASE_URL_CONFIG = "CREDTRENDS_PUBLIC_BASE_URL"  # Flask config key set by create_app


@dataclass(frozen=True)
class ChartView:
    """One chart with everything needed to show, explain, export and embed it."""

    key: str  # stable within its page; part of download and embed URLs
    title: str
    figure: dict[str, Any]  # plotly JSON, as returned to dcc.Graph
    data: pl.DataFrame  # every row behind the chart
    displayed: pl.DataFrame  # what the chart shows, in its units
    summary: str  # one sentence for screen readers, reports and embeds
    info: ExportInfo
    table: pl.DataFrame | None = None  # a readable table alternative; headers are the titles


@dataclass(frozen=True)
class ViewTable:
    """A table of the page after its chart (movers, related searches, a grid), as shown:
    ``frame`` holds the headers and cell texts of the screen; ``data`` the rows behind it,
    for its downloads. An empty ``frame`` prints ``empty_note`` instead."""

    key: str  # stable within its page; part of download URLs
    heading: str  # the group heading above the table on the page ("" for none)
    caption: str
    frame: pl.DataFrame
    data: pl.DataFrame
    empty_note: str = ""


class ViewPage(Protocol[S]):
    """A page module that can be exported: see the module docstring. ``S`` is the page's
    state type (``web/page_state.py``)."""

    NAME: str
    PATH: str
    TITLE_KEY: str
    CHART_KEY: str  # the page's chart (each page has one; boards reuse them)

    def parse_state(self, data: DashboardData, query: Mapping[str, Any]) -> S: ...

    def chart_views(self, data: DashboardData, state: S, tr: Translator) -> list[ChartView]: ...


TablesOf = Callable[[DashboardData, Any, Translator], list[ViewTable]]


def view_tables(page: object, data: DashboardData, state: State, tr: Translator) -> list[ViewTable]:
    """The page's tables after its chart, in the page's order (``view_tables`` of the page
    module; none when it has no such function). ``state`` is what the page parsed."""
    tables: TablesOf | None = getattr(page, "view_tables", None)
    return tables(data, state, tr) if tables is not None else []


def query_string(state: State) -> str:
    """The canonical query for a state: same state, same URL (bookmarks and cache keys)."""
    pairs = state.query().items()
    return urlencode(sorted((key, value) for key, value in pairs if value), safe=",")


def absolute(path: str) -> str:
    """``path`` on this server as a browser elsewhere must call it (downloads, iframes).

    It starts with the ``public_base_url`` setting, never with the request's Host header:
    a client that sends ``Host: evil.example`` must not get (or, through a shared cache,
    hand others) links to evil.example.
    """
    if flask.has_app_context():
        base = flask.current_app.config.get(BASE_URL_CONFIG)
        if base:
            return str(base) + path
    return path


def permalink(path: str, state: State) -> str:
    """The view's address, absolute when serving a request: it is printed on exports."""
    query = query_string(state)
    return absolute(f"{path}?{query}" if query else path)


def sources_of(*frames: pl.DataFrame) -> list[str]:
    names: set[str] = set()
    for frame in frames:
        if "source" in frame.columns and frame.height:
            names.update(str(name) for name in frame["source"].drop_nulls().unique().to_list())
    return sorted(names) or ["none"]


def synthetic_in(*frames: pl.DataFrame) -> bool:
    return any(
        bool(frame["is_synthetic"].fill_null(False).any())
        for frame in frames
        if "is_synthetic" in frame.columns and frame.height
    )


PageLookup = Callable[[str], ViewPage[Any] | None]
