"""Every control's value lives in the URL: a view can be bookmarked and shared.

A page's callback returns its validated state; a small browser-side callback writes it to
the address bar, sets ``<html lang>`` and the document title, and points the language switch
at the same view in the other language. The first state after the page is drawn (the URL
as opened, tidied) replaces the history entry; every later one, a reader's change of a
control, pushes a new entry, so Back and Forward step through views. ``assets/history.js``
redraws the page from the URL when the reader goes Back or Forward.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc

from credtrends.web.i18n import Translator
from credtrends.web.views import State as ViewState
from credtrends.web.views import query_string

SYNC_SCRIPT = """
function(state, applied) {
    if (!state) { return window.dash_clientside.no_update; }
    var query = state.query ? '?' + state.query : '';
    if (window.location.search !== query) {
        var url = window.location.pathname + query;
        if (applied === null || applied === undefined) {
            window.history.replaceState(window.history.state, '', url);
        } else {
            window.history.pushState({}, '', url);
        }
    }
    document.documentElement.lang = state.lang;
    document.title = state.title;
    var other = new URLSearchParams(state.query);
    if (state.lang === 'fr') { other.delete('lang'); } else { other.set('lang', 'fr'); }
    var link = document.getElementById('language-switch');
    if (link) {
        var text = other.toString();
        link.href = window.location.pathname + (text ? '?' + text : '');
    }
    return state.query;
}
"""


def url_state_stores(prefix: str) -> list[dcc.Store]:
    return [dcc.Store(id=f"{prefix}-state"), dcc.Store(id=f"{prefix}-state-applied")]


def url_state_value(state: ViewState, tr: Translator, title_key: str) -> dict[str, Any]:
    return {"query": query_string(state), "lang": tr.lang, "title": f"{tr(title_key)} · credtrends"}


def register_url_sync(app: dash.Dash, prefix: str) -> None:
    app.clientside_callback(  # type: ignore[no-untyped-call]
        SYNC_SCRIPT,
        Output(f"{prefix}-state-applied", "data"),
        Input(f"{prefix}-state", "data"),
        State(f"{prefix}-state-applied", "data"),
    )
