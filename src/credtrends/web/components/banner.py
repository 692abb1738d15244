"""The synthetic-data banner: shown wherever generated numbers are on screen."""

from __future__ import annotations

from dash import html

from credtrends.web.i18n import Translator


def synthetic_banner(tr: Translator, visible: bool, component_id: str) -> html.Div:
    """A banner that is always in the layout, hidden when nothing synthetic is shown."""
    return html.Div(
        [html.Strong(tr("synthetic_banner_title")), tr("synthetic_banner")],
        id=component_id,
        role="status",
        className="synthetic-banner",
        hidden=not visible,
    )
