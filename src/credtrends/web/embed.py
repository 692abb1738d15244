"""A chart to embed in another site: a minimal standalone page for an /embed/... route, and
the <iframe> code a user copies to show it.

The page draws the chart with the plotly.js shipped inside the plotly package, served by
the app itself (no CDN: an embedded chart must not depend on a third party, nor tell one
who reads it). It fills its iframe, says in one visible sentence what the chart shows, and
carries its provenance and a link back to the full view. Nothing here touches Dash or data.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plotly
from plotly.io.json import to_json_plotly

from credtrends.errors import CredtrendsError

DEFAULT_LINK_TEXT = "View in credtrends"

_STYLE = """
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; background: #fff; color: #1d1d1d;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
figure { flex: 1 1 0; display: flex; flex-direction: column; min-height: 0; margin: 0; }
#chart { flex: 1 1 0; min-height: 200px; overflow: hidden; }
figcaption { margin: 4px 10px 0; }
footer { margin: 4px 10px 6px; font-size: 11px; color: #555; }
footer p { margin: 0; overflow-wrap: anywhere; }
footer a { color: #1b6ca8; }
"""

# Reads the figure from the script element above it, so nothing in the data can be code.
DRAW_SCRIPT = (
    "var spec = JSON.parse(document.getElementById('figure-data').textContent);"
    "Plotly.newPlot('chart', spec.data || [], spec.layout || {},"
    " {responsive: true, displaylogo: false});"
)


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the installed plotly package (the route serves it)."""
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise CredtrendsError(
            f"plotly.min.js is missing from the plotly package ({path}): "
            "reinstall plotly to serve embedded charts"
        )
    return path


def embed_page(
    figure: dict[str, Any],
    title: str,
    summary: str,
    footer_lines: Sequence[str],
    lang: str,
    plotly_js_url: str,
    permalink: str,
    link_text: str = DEFAULT_LINK_TEXT,
) -> str:
    """A complete HTML page showing one chart, filling the iframe it is shown in.

    The figure JSON sits in a ``type="application/json"`` script with every ``<``, ``>``
    and ``&`` written as a JSON escape, so no string in it (a topic named
    "</script><script>...") can end the element or start markup; a few lines of script
    parse it and draw it.
    """
    _check_url(plotly_js_url, "plotly_js_url")
    _check_url(permalink, "permalink")
    footer = "".join(f"<p>{_escape(line)}</p>" for line in footer_lines)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{_escape(lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            "<figure>",
            '<div id="chart"></div>',
            f'<figcaption id="summary">{_escape(summary)}</figcaption>',
            "</figure>",
            "<footer>",
            footer,
            f'<p><a href="{_escape(permalink)}" target="_blank" rel="noopener">'
            f"{_escape(link_text)}</a></p>",
            "</footer>",
            f'<script src="{_escape(plotly_js_url)}"></script>',
            f'<script id="figure-data" type="application/json">{figure_json(figure)}</script>',
            f"<script>{DRAW_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def figure_json(figure: dict[str, Any]) -> str:
    """The figure as JSON safe inside a <script> element: sized by its container, with
    ``<``, ``>`` and ``&`` escaped (JSON.parse reads them back unchanged)."""
    layout = {
        key: value
        for key, value in dict(figure.get("layout") or {}).items()
        if key not in {"width", "height"}
    }
    layout["autosize"] = True
    spec = {"data": list(figure.get("data") or []), "layout": layout}
    text = str(to_json_plotly(spec))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def iframe_code(embed_url: str, title: str, height: int = 520) -> str:
    """The <iframe> snippet to copy: full width, lazily loaded, titled for screen readers."""
    _check_url(embed_url, "embed_url")
    if isinstance(height, bool) or not isinstance(height, int) or not 100 <= height <= 4000:
        raise ValueError(f"iframe height must be a whole number of pixels, 100-4000: {height!r}")
    return (
        f'<iframe src="{_escape(embed_url)}" title="{_escape(title)}" '
        f'width="100%" height="{height}" style="border: 0; width: 100%;" '
        'loading="lazy"></iframe>'
    )


def _check_url(url: str, name: str) -> None:
    """Only web addresses or paths: a "javascript:" link must never be clickable."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"", "http", "https"} or any(ord(char) < 0x20 for char in url):
        raise ValueError(f"{name} must be an http(s) address or a path: {url!r}")


def _escape(value: str) -> str:
    return html.escape(value, quote=True)
