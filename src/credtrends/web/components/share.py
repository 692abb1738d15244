"""A copy-link button on every page: the view's address, controls included.

Each control writes its value to the URL, so the address bar *is* the view; the button
copies it. ``navigator.clipboard`` needs a secure context and the browser's permission;
where either is missing (plain http on an intranet, a locked-down browser) the script in
``assets/share.js`` selects the link in its text field and says how to copy it, so the
button always leaves the user one keystroke from a shareable link.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from credtrends.web.components.aria import aria
from credtrends.web.i18n import Translator

SHARE_ID = "share-link"
SHARE_INPUT_ID = "share-link-url"


def copy_link(tr: Translator, path: str) -> html.Div:
    """The link field (filled with the current address when used) and its copy button."""
    messages: dict[str, Any] = {
        "data-copied": tr("copy_link_done"),
        "data-select": tr("copy_link_select"),
    }
    return html.Div(
        [
            html.Label(tr("copy_link_label"), htmlFor=SHARE_INPUT_ID, className="note"),
            dcc.Input(
                id=SHARE_INPUT_ID, value=path, readOnly=True, type="text", className="share-url"
            ),
            html.Button(
                tr("copy_link"),
                type="button",
                className="button copy-link-button",
                **messages,
            ),
            html.Span(className="copy-link-status", role="status", **aria(live="polite")),
        ],
        id=SHARE_ID,
        className="share-link",
    )
