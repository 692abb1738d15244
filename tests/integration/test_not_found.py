"""Unknown URLs get a real 404 page: HTTP 404, the site's navigation, in the asked language;
every page, board and Dash's own routes still answer."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest

from credtrends.web.app import PAGES, create_app
from tests.helpers import demo_dashboard


@pytest.fixture(scope="module")
def client() -> Iterator[flask.testing.FlaskClient]:
    with tempfile.TemporaryDirectory(prefix="credtrends-404-") as folder:
        settings, engine = demo_dashboard(Path(folder))
        yield create_app(settings, engine).server.test_client()
        engine.dispose()


@pytest.mark.parametrize(
    ("path", "lang", "words"),
    [
        ("/no-such-page", "en", ("Page not found", "Search interest", "Français")),
        ("/no-such-page?lang=fr", "fr", ("Page introuvable", "Intérêt de recherche", "English")),
        ("/interest/extra", "en", ("Page not found",)),
        ("/boards/no-such-board", "en", ("Page not found",)),
        ("/%3Cscript%3Ealert(1)%3C/script%3E", "en", ("Page not found",)),
    ],
)
def test_unknown_paths_are_404_with_navigation_in_their_language(
    client: flask.testing.FlaskClient, path: str, lang: str, words: tuple[str, ...]
) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in body and "<nav" in body
    for page in PAGES:
        assert f'href="{page.PATH}' in body
    for word in words:
        assert word in body
    assert "<script>" not in body


def test_pages_boards_and_dash_routes_still_answer(client: flask.testing.FlaskClient) -> None:
    for page in PAGES:
        assert client.get(page.PATH).status_code == 200, page.PATH
    assert client.get("/boards").status_code == 200
    assert client.get("/boards/test-board?lang=fr").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200
    assert client.get("/assets/credtrends.css").status_code == 200
    assert client.get("/favicon.ico", follow_redirects=True).mimetype == "image/x-icon"
