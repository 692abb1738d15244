"""The one callback every exportable page has: controls -> validated state -> its view.

The page names which control feeds which query key; the state goes through the page's own
``parse_state`` (so hostile values fall back exactly as they do in a URL), the chart through
``chart_views``, and the shared outputs (chart, summary, tools, synthetic banner, report
link, URL state) are filled here. ``extras`` fills the page's own outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash
from dash import Input, Output, State

from credtrends.web.components.chart_block import chart_output_ids, chart_outputs, report_link
from credtrends.web.components.url_state import register_url_sync, url_state_value
from credtrends.web.data import DashboardData
from credtrends.web.i18n import Translator, parse_lang
from credtrends.web.views import ChartView, S, ViewPage

Extras = Callable[[S, Translator, ChartView], Sequence[Any]]


def register_view_callback(
    app: dash.Dash,
    data: DashboardData,
    page: ViewPage[S],
    ids: Mapping[str, str],
    controls: Mapping[str, str],
    extra_outputs: Sequence[tuple[str, str]] = (),
    extras: Extras[S] = lambda _state, _tr, _view: (),
    required: Sequence[str] = (),
) -> None:
    """``ids`` holds the page's ``banner``, ``report`` and ``lang`` component ids;
    ``controls`` maps query key -> control id (its ``value``); a state whose URL has an
    empty ``required`` parameter (an empty catalogue) updates nothing."""
    register_url_sync(app, page.NAME)
    chart = page.CHART_KEY

    @app.callback(
        *(Output(component, prop) for component, prop in chart_output_ids(page.NAME, chart)),
        Output(ids["banner"], "hidden"),
        Output(ids["report"], "children"),
        Output(f"{page.NAME}-state", "data"),
        *(Output(component, prop) for component, prop in extra_outputs),
        *(Input(control, "value") for control in controls.values()),
        State(ids["lang"], "data"),
    )
    def update(*values: Any) -> tuple[Any, ...]:
        tr = Translator(parse_lang(values[-1]))
        query = {**dict(zip(controls, values[:-1], strict=True)), "lang": tr.lang}
        state = page.parse_state(data, query)
        written = state.query()
        if any(not written.get(key) for key in required):
            raise dash.exceptions.PreventUpdate
        (view,) = page.chart_views(data, state, tr)
        return (
            *chart_outputs(page.NAME, view, state, tr),
            not view.info.synthetic,
            report_link(page.NAME, state, tr),
            url_state_value(state, tr, page.TITLE_KEY),
            *extras(state, tr, view),
        )
