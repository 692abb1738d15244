"""Selection controls shared by pages: a labelled dropdown over topics or regions."""

from __future__ import annotations

import polars as pl
from dash import dcc, html

from credtrends.web.i18n import Translator


def choice_dropdown(
    component_id: str,
    label: str,
    choices: pl.DataFrame,
    key: str,
    chosen: str | None,
    tr: Translator,
    default: str | None = None,
    wide: bool = False,
) -> html.Label:
    """A dropdown over ``choices`` (``key`` and ``name_en``/``name_fr`` columns). A value
    from the URL is used only when it is one of the choices; otherwise ``default``, else the
    first choice."""
    names = tr.names(choices, key)
    values = list(names)
    fallback = default if default in values else (values[0] if values else None)
    return html.Label(
        [
            label,
            dcc.Dropdown(
                id=component_id,
                options=[{"label": name, "value": code} for code, name in names.items()],
                value=chosen if chosen in values else fallback,
                clearable=False,
                labels=tr.dropdown_labels(),
            ),
        ],
        className="control control-wide" if wide else "control",
    )
