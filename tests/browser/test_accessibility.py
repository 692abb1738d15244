"""WCAG 2.1 AA in the real browser, in English and French.

Every page is loaded in headless Chromium, left to render its charts and tables, and checked
by axe-core (run inside the page) against the WCAG 2.0/2.1 A and AA rules: no violation of
impact "serious" or "critical" may remain. Also: a page-specific title, ``<html lang>`` in
the language asked for, the header/nav/main landmarks, a skip link as the first Tab stop
and a visible focus indicator on whatever the keyboard reaches.

axe-core comes from the npm registry, pinned (version and integrity) in
``tests/browser/axe/package-lock.json``; ``make axe`` (part of ``make test``) installs it
into ``.cache/axe-core``. Without it these tests are skipped with the reason, or fail in CI.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver import Chrome

from tests.helpers import REPO, unavailable

pytestmark = pytest.mark.browser

AXE_PINS = Path(__file__).parent / "axe" / "package.json"
AXE_PACKAGE = REPO / ".cache" / "axe-core" / "node_modules" / "axe-core"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = {"serious", "critical"}

# path -> how many plotly charts the page draws with the demo data (0: text and tables only)
PAGES: dict[str, int] = {
    "/": 1,
    "/interest": 1,
    "/regions": 1,
    "/labour": 1,
    "/program-demand": 1,
    "/data": 0,
    "/boards": 0,
    "/boards/test-board": 2,
}
LANGS = ("en", "fr")
# The state of the page when it is ready: main has text, Dash is not loading anything,
# every chart holds traces and its SVG, every grid has rows (or its "no rows" overlay).
READY_SCRIPT = """
const main = document.querySelector('main');
if (!main || !main.innerText.trim()) return ['main is empty', 0];
if (document.querySelector(
    '[data-dash-is-loading="true"], ._dash-loading, ._dash-loading-callback, .dash-spinner'))
  return ['dash is loading', 0];
const graphs = [...main.querySelectorAll('.js-plotly-plot')];
if (graphs.length < arguments[0]) return [`${graphs.length} of ${arguments[0]} charts`, 0];
if (graphs.some(g => !g.data || !g.data.length || !g.querySelector('.main-svg')))
  return ['a chart has no traces yet', 0];
const grids = [...main.querySelectorAll('.ag-root-wrapper')];
if (grids.some(g => !g.querySelector('.ag-row, .ag-overlay-no-rows-wrapper')))
  return ['a grid has no rows yet', 0];
return ['ready', main.innerHTML.length];
"""

FACTS_SCRIPT = """
const one = s => document.querySelector(s);
const h1 = one('main h1');
return {
  title: document.title,
  lang: document.documentElement.getAttribute('lang'),
  h1: h1 ? h1.innerText.trim() : null,
  landmarks: {
    header: !!one('header, [role="banner"]'),
    nav: !!one('nav, [role="navigation"]'),
    main: document.querySelectorAll('main, [role="main"]').length,
  },
};
"""

AXE_RUN_SCRIPT = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(result => done({violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target, html: n.html.slice(0, 160), summary: n.failureSummary || '',
    })),
  }))}))
  .catch(error => done({error: String(error)}));
"""

# axe cannot tell the background behind SVG text (it reports plotly's labels as "incomplete"),
# so chart text is checked here: its fill against the figure's paper and plot backgrounds,
# 4.5:1 (3:1 for large text), as WCAG 1.4.3 asks.
CHART_TEXT_SCRIPT = """
const probe = document.createElement('span');
document.body.appendChild(probe);
const rgba = c => {
  probe.style.color = '';
  probe.style.color = c;
  const m = getComputedStyle(probe).color.match(/[\\d.]+/g).map(Number);
  return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
};
const over = (fg, bg) => [0, 1, 2].map(i => fg[3] * fg[i] + (1 - fg[3]) * bg[i]).concat([1]);
const lum = c => {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a, b) => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const low = [];
for (const g of document.querySelectorAll('main .js-plotly-plot')) {
  const layout = g._fullLayout;
  if (!layout) continue;
  const paper = over(rgba(layout.paper_bgcolor), [255, 255, 255, 1]);
  const backgrounds = [paper];  // and the plot area, where there is one (not on maps)
  if (layout.plot_bgcolor) backgrounds.push(over(rgba(layout.plot_bgcolor), paper));
  for (const t of g.querySelectorAll('svg text')) {
    const text = t.textContent.trim();
    const s = getComputedStyle(t);
    if (!text || s.display === 'none' || s.visibility === 'hidden') continue;
    const fill = rgba(s.fill);
    fill[3] *= parseFloat(s.fillOpacity) * parseFloat(s.opacity);
    if (fill[3] === 0) continue;
    const size = parseFloat(s.fontSize);
    const need = size >= 24 || (parseInt(s.fontWeight, 10) >= 700 && size >= 18.66) ? 3 : 4.5;
    const worst = Math.min(...backgrounds.map(bg => ratio(over(fill, bg), bg)));
    if (worst < need) {
      low.push({text: text.slice(0, 60), fill: s.fill, alpha: fill[3], size: size,
                ratio: Math.round(worst * 100) / 100, need: need,
                chart: (g.closest('[id]') || {}).id || ''});
    }
  }
}
probe.remove();
return low;
"""

# What the keyboard user sees of the focused element: a focus indicator (an outline of at
# least 2px or a box-shadow, on the element or, for a widget's inner <input>, on the control
# around it) and the element itself (not transparent, on screen).
FOCUS_SCRIPT = """
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const ring = s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
  || (s.boxShadow && s.boxShadow !== 'none');
let shown = ring(getComputedStyle(el));
const widget = el.closest('.dash-dropdown-wrapper, .dash-options-list, .ag-root-wrapper');
for (let n = el.parentElement; widget && n && !shown; n = n.parentElement) {
  shown = ring(getComputedStyle(n));
  if (n === widget) break;
}
let opacity = 1;
for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
  opacity *= parseFloat(getComputedStyle(n).opacity);
}
const r = el.getBoundingClientRect();
return {
  tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className.baseVal ?? el.className),
  text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40),
  href: el.getAttribute('href'), shown: shown, opacity: opacity,
  inMain: !!el.closest('main'), width: r.width, height: r.height, top: r.top, left: r.left,
};
"""


@dataclass(frozen=True)
class PageFacts:
    title: str
    lang: str | None
    h1: str | None
    landmarks: dict[str, Any]


_facts: dict[tuple[str, str], PageFacts] = {}


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js as installed by `make axe`; asked for first, before the server starts."""
    script = AXE_PACKAGE / "axe.min.js"
    if not script.exists():
        unavailable(f"axe-core not installed at {script} (run `make axe`: npm ci, needs npm)")
    pinned = json.loads(AXE_PINS.read_text())["devDependencies"]["axe-core"]
    installed = json.loads((AXE_PACKAGE / "package.json").read_text())["version"]
    if installed != pinned:
        unavailable(f"axe-core {installed} installed, {pinned} pinned (run `make axe`)")
    return script.read_text(encoding="utf-8")


def _url(server: str, path: str, lang: str) -> str:
    return f"{server}{path}?lang=fr" if lang == "fr" else f"{server}{path}"


def _load(driver: Chrome, url: str, charts: int, timeout: float = 45) -> None:
    """Open ``url`` and wait until the page is rendered and has stopped changing."""
    driver.get(url)
    deadline = time.monotonic() + timeout
    previous: object = None
    status = "not checked"
    while time.monotonic() < deadline:
        status, size = driver.execute_script(READY_SCRIPT, charts)
        if status == "ready" and size == previous:
            return
        previous = size if status == "ready" else None
        time.sleep(0.3)
    raise AssertionError(f"{url} did not finish rendering within {timeout} s: {status}")


def _page_facts(driver: Chrome) -> PageFacts:
    raw = driver.execute_script(FACTS_SCRIPT)
    return PageFacts(raw["title"], raw["lang"], raw["h1"], raw["landmarks"])


def _facts_of(driver: Chrome, server: str, path: str, lang: str) -> PageFacts:
    """Facts recorded by the axe test of the same page, else a fresh load."""
    if (path, lang) not in _facts:
        _load(driver, _url(server, path, lang), PAGES[path])
        _facts[path, lang] = _page_facts(driver)
    return _facts[path, lang]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " >> ".join(str(part) for part in node["target"])
            lines.append(f"    {target}\n      {node['html']}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def _page_cases() -> list[pytest.ParameterSet]:
    return [pytest.param(path, lang, id=f"{lang}:{path}") for lang in LANGS for path in PAGES]


@pytest.mark.parametrize(("path", "lang"), _page_cases())
def test_page_has_no_serious_wcag_violations(
    axe_source: str, server: str, browser: Chrome, path: str, lang: str
) -> None:
    url = _url(server, path, lang)
    _load(browser, url, PAGES[path])
    _facts[path, lang] = _page_facts(browser)
    browser.set_script_timeout(60)
    browser.execute_script(axe_source)
    result = browser.execute_async_script(AXE_RUN_SCRIPT, list(WCAG_TAGS))
    assert "error" not in result, f"axe.run failed on {url}: {result.get('error')}"
    violations = result["violations"]
    low_contrast = browser.execute_script(CHART_TEXT_SCRIPT)
    if low_contrast:
        violations.append(
            {
                "id": "chart-text-contrast",
                "impact": "serious",
                "help": "Chart (SVG) text must have 4.5:1 contrast (3:1 when large)",
                "helpUrl": "https://www.w3.org/WAI/WCAG21/Understanding/contrast-minimum",
                "nodes": [
                    {"target": [f"#{t['chart']} text"], "html": json.dumps(t), "summary": ""}
                    for t in low_contrast
                ],
            }
        )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"axe, {url}: minor/moderate (not blocking):\n{_describe(minor)}")
    assert not blocking, (
        f"axe-core {', '.join(WCAG_TAGS)} on {url}: {len(blocking)} serious/critical "
        f"violation(s):\n{_describe(blocking)}"
        + (f"\nminor/moderate, for information:\n{_describe(minor)}" if minor else "")
    )


@pytest.mark.parametrize(("path", "lang"), _page_cases())
def test_page_has_a_specific_title_and_landmarks(
    server: str, browser: Chrome, path: str, lang: str
) -> None:
    facts = _facts_of(browser, server, path, lang)
    assert facts.h1, f"{path} ({lang}) has no <h1> in <main>"
    assert facts.title.strip(), f"{path} ({lang}) has an empty <title>"
    assert facts.title.strip() != "credtrends", f"{path} ({lang}): title names only the app"
    assert facts.h1.casefold() in facts.title.casefold(), (
        f"{path} ({lang}): title {facts.title!r} does not name the page ({facts.h1!r})"
    )
    assert facts.landmarks["header"], f"{path} ({lang}): no header/banner landmark"
    assert facts.landmarks["nav"], f"{path} ({lang}): no navigation landmark"
    assert facts.landmarks["main"] == 1, f"{path} ({lang}): {facts.landmarks['main']} main"


@pytest.mark.parametrize(
    ("path", "lang"),
    [pytest.param(path, lang, id=f"{lang}:{path}") for lang in LANGS for path in PAGES],
)
def test_html_lang_is_the_language_asked_for(
    server: str, browser: Chrome, path: str, lang: str
) -> None:
    assert _facts_of(browser, server, path, lang).lang == lang


def _tab(driver: Chrome) -> dict[str, Any] | None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(driver).send_keys(Keys.TAB).perform()
    focused: dict[str, Any] | None = driver.execute_script(FOCUS_SCRIPT)
    if focused and (not focused["shown"] or focused["opacity"] < 1):
        time.sleep(0.4)  # let a fade-in transition (plotly's modebar: 0.3 s) finish
        focused = driver.execute_script(FOCUS_SCRIPT)
    return focused


@pytest.mark.parametrize("lang", LANGS)
def test_first_tab_stop_is_a_visible_skip_link_to_main(
    server: str, browser: Chrome, lang: str
) -> None:
    _load(browser, _url(server, "/interest", lang), PAGES["/interest"])
    first = _tab(browser)
    assert first is not None, "Tab from the top of the page focused nothing"
    assert first["tag"] == "a" and "skip-link" in first["cls"].split(), first
    assert first["href"] == "#main-content", first
    assert first["shown"], f"the focused skip link has no outline or box-shadow: {first}"
    assert first["width"] > 1 and first["height"] > 1 and first["top"] >= 0, (
        f"the focused skip link is not on screen: {first}"
    )
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(browser).send_keys(Keys.ENTER).perform()
    time.sleep(1)  # the focus must stay on <main>: no re-render may take it away
    target = browser.execute_script(
        "const e = document.activeElement; return e.tagName.toLowerCase() + '#' + e.id"
    )
    assert target == "main#main-content", f"Enter on the skip link: the focus is on {target}"
    after = _tab(browser)
    assert after is not None and after["inMain"], f"Tab after the skip link went to {after}"


@pytest.mark.parametrize("path", ["/interest", "/program-demand"])
def test_every_keyboard_stop_shows_where_the_focus_is(
    server: str, browser: Chrome, path: str
) -> None:
    """Tab through the header, the controls, a chart's tools and into the grid: every stop
    is visible and shows a focus ring."""
    _load(browser, _url(server, path, "en"), PAGES[path])
    stops: list[dict[str, Any]] = []
    for _ in range(45):
        focused = _tab(browser)
        if focused is None or (stops and focused == stops[0]):
            break  # out of the page, or round to the start again
        stops.append(focused)
    assert len(stops) >= 5, f"only {len(stops)} keyboard stops on {path}: {stops}"
    assert any(stop["inMain"] for stop in stops), f"Tab never reached <main>: {stops}"
    hidden = [
        stop
        for stop in stops
        if not stop["shown"] or stop["opacity"] < 0.5 or stop["width"] < 1 or stop["height"] < 1
    ]
    assert not hidden, f"{path}: focused, but no visible focus indicator or element:\n" + "\n".join(
        json.dumps(stop) for stop in hidden
    )
