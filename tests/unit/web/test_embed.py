"""The embeddable chart page and its iframe code: standalone, escaped, unbreakable."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import plotly.graph_objects as go
import pytest

from credtrends.web.embed import embed_page, figure_json, iframe_code, plotly_js_path

BREAKOUT = "</script><script>alert(1)</script>"
PLOTLY_URL = "/assets/vendor/plotly.min.js"
PERMALINK = "https://credtrends.example/interest?topic=pmp&region=CA-ON"
FOOTER = ["Source: synthetic-demo. Retrieved 2026-11-29.", "Apache-2.0"]


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open:
            self.text[self._open] = self.text.get(self._open, "") + data

    def attrs(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def figure(name: str = "pmp") -> dict[str, Any]:
    chart = go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], name=name))
    chart.update_layout(title=name, width=1200, height=700)
    return dict(chart.to_plotly_json())


def page_for(name: str = "pmp", title: str = "Search interest", lang: str = "en") -> str:
    return embed_page(
        figure(name), title, "Interest rose 20% in a year.", FOOTER, lang, PLOTLY_URL, PERMALINK
    )


def test_the_page_is_standalone_with_one_plotly_script_and_the_figure_data() -> None:
    page = parse(page_for(lang="fr"))
    assert page.tags[0] == ("html", {"lang": "fr"})
    assert page.text["title"] == "Search interest"
    loaders = [attrs for attrs, _ in page.scripts if attrs.get("src")]
    assert loaders == [{"src": PLOTLY_URL}]
    data = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    assert len(data) == 1
    spec = json.loads(data[0])
    assert spec["data"][0]["y"] == [1, 3, 2]
    # Sized by the iframe, not by the dashboard's export size.
    assert spec["layout"]["autosize"] is True
    assert "width" not in spec["layout"] and "height" not in spec["layout"]
    assert len(page.attrs("div")) == 1 and page.attrs("div")[0]["id"] == "chart"


def test_the_summary_is_visible_text_and_the_footer_links_back_safely() -> None:
    page = parse(page_for())
    assert page.text["figcaption"] == "Interest rose 20% in a year."
    assert [FOOTER[0], FOOTER[1]] == [line for line in FOOTER if line in page.text["p"]]
    (link,) = page.attrs("a")
    assert link == {"href": PERMALINK, "target": "_blank", "rel": "noopener"}
    assert page.text["a"] == "View in credtrends"


def test_a_topic_name_cannot_break_out_of_the_figure_script() -> None:
    for name in (BREAKOUT, "<!--<script>", "</SCRIPT ><img src=x onerror=alert(1)>"):
        document = page_for(name=name, title=name)
        page = parse(document)
        assert len(page.scripts) == 3  # plotly.js, the data, the few lines that draw it
        assert "img" not in [tag for tag, _ in page.tags]
        assert "<script>alert" not in document and "<!--" not in document
        (data,) = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
        assert json.loads(data)["data"][0]["name"] == name  # read back unchanged
        assert page.text["title"] == name


def test_figure_json_escapes_markup_characters() -> None:
    text = figure_json(figure(BREAKOUT + "&"))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["data"][0]["name"] == BREAKOUT + "&"


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x"])
def test_script_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        embed_page(figure(), "t", "s", FOOTER, "en", PLOTLY_URL, url)
    with pytest.raises(ValueError, match="http"):
        iframe_code(url, "t")


def test_plotly_js_is_the_copy_shipped_with_plotly() -> None:
    path = plotly_js_path()
    assert path.name == "plotly.min.js" and path.parent.name == "package_data"
    assert path.stat().st_size > 1_000_000
    with path.open(encoding="utf-8") as file:
        assert "plotly.js" in file.read(200)


def test_iframe_code_escapes_its_attributes() -> None:
    url = 'https://credtrends.example/embed/interest?topic=pmp&x="><script>'
    title = 'Interest "PMP" <b>'
    code = iframe_code(url, title, height=480)
    assert "<script>" not in code and '"PMP"' not in code
    page = parse(code)
    assert [tag for tag, _ in page.tags] == ["iframe"]
    attrs = page.attrs("iframe")[0]
    assert attrs["src"] == url and attrs["title"] == title
    assert attrs["loading"] == "lazy" and attrs["width"] == "100%" and attrs["height"] == "480"
    assert code.endswith("</iframe>")


@pytest.mark.parametrize("height", [0, 99, 10_000, True])
def test_iframe_height_must_be_sensible(height: int) -> None:
    with pytest.raises(ValueError, match="height"):
        iframe_code("/embed/interest", "t", height=height)
