"""A real "page not found": HTTP 404, the site's header and navigation, in the language
the URL asks for.

Dash answers every path with its index page (HTTP 200) and draws a bare "404 - Page not
found" in the browser, without navigation and in English. Here, a request that reached
Dash's catch-all route for a path that is no page is answered by the server instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import flask

from credtrends.web.i18n import LANGS, Translator, language_name, parse_lang

DASH_CATCH_ALL = "/<path:path>"


def _link(path: str, lang: str) -> str:
    return f"{path}?lang=fr" if lang == "fr" else path


def not_found_page(tr: Translator, path: str, pages: Sequence[tuple[str, str]]) -> str:
    """The 404 document: ``pages`` are (path, title key) of the navigation."""
    other = next(lang for lang in LANGS if lang != tr.lang)
    switch = html.escape(f"{path}?{urlencode({'lang': 'fr'})}" if tr.lang == "en" else path)
    links = "".join(
        f'<a href="{_link(page_path, tr.lang)}">{html.escape(tr(key))}</a>'
        for page_path, key in pages
    )
    title = html.escape(tr("not_found_title"))
    return f"""<!DOCTYPE html>
<html lang="{tr.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · credtrends</title>
<link rel="stylesheet" href="/assets/credtrends.css"></head>
<body>
<a class="skip-link" href="#main-content">{html.escape(tr("skip"))}</a>
<header class="site-header"><a class="brand" href="{_link("/", tr.lang)}">credtrends</a>
<nav aria-label="{html.escape(tr("nav_label"))}">{links}</nav>
<a class="language-switch" lang="{other}" hreflang="{other}" href="{switch}">{html.escape(language_name(other))}</a>
</header>
<main id="main-content" class="page" tabindex="-1">
<h1>{title}</h1>
<p>{html.escape(tr("not_found_text", path=path))}</p>
<p><a href="{_link("/", tr.lang)}">{html.escape(tr("not_found_home"))}</a></p>
</main>
</body>
</html>
"""  # noqa: E501


def register_not_found(
    server: flask.Flask, is_page: Callable[[str], bool], pages: Sequence[tuple[str, str]]
) -> None:
    """Answer Dash's catch-all route with a 404 page for every path that is not a page.

    Browsers ask for /favicon.ico on pages that name no icon (embeds, the PDF report
    viewer): it is sent to Dash's own icon rather than answered as a missing page."""

    @server.get("/favicon.ico")
    def favicon() -> flask.Response:
        return flask.redirect("/_favicon.ico", code=308)  # type: ignore[return-value]

    @server.before_request
    def not_found() -> flask.Response | None:
        rule = flask.request.url_rule
        if rule is None or rule.rule != DASH_CATCH_ALL or is_page(flask.request.path):
            return None
        tr = Translator(parse_lang(flask.request.args.get("lang")))
        document = not_found_page(tr, flask.request.path, pages)
        return flask.Response(document, status=404, content_type="text/html; charset=utf-8")
