"""Every server callback and every page, fed values no page offers.

Any client can post anything to ``/_dash-update-component`` and put anything in a URL
(docs/architecture.md, "Safety rules"). Callbacks come from ``/_dash-dependencies`` and pages from
``dash.page_registry``, so new pages and controls are fuzzed without editing this file.
Page layouts run inside Dash's router callback (``_pages_location.pathname`` and ``.search``
-> ``_pages_content.children``), which is fuzzed with hostile query strings as well.

Each value list is fixed (deterministic). Every (slot, value) pair of the full list is sent
once inside a "rotation" (request k puts value k + i in slot i, so every slot is hostile at
once); a short list of the sharpest values is also sent one slot at a time with the other
slots valid. A crashing rotation is re-run slot by slot to name the culprit.

A crash is a 5xx, or a body that leaks a traceback, a file path or an exception class name;
200 and 204 (PreventUpdate) are both fine. Requests go through Flask's test client.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import dash
import flask
import polars.exceptions
import pytest
import sqlalchemy.exc

from credtrends.web.app import create_app
from tests.helpers import FIXTURES, demo_dashboard

LONG_TEXT = "x" * 100_000
RTL_ZERO_WIDTH = "\u202eNO-AC\u200b\u200d\ufeff"
SQL = "'; DROP TABLE topics; --"
SCRIPT = "<script>alert(1)</script>"
HOSTILE_TEXT: list[str] = [
    SQL,
    SCRIPT,
    "../../etc/passwd",
    LONG_TEXT,
    RTL_ZERO_WIDTH,
    "\u0000",
    "CA-ON\u0000",
    "",
    " ",
    "x",
    "%s%n{0}{{7*7}}${7*7}",
    "🙂" * 64,
    "NaN",
    "null",
    "-1",
    "CA-ON,,,pmp,,",
]
HOSTILE_VALUES: list[Any] = [
    *HOSTILE_TEXT,
    None,
    True,
    False,
    0,
    -1,
    2**63,
    -(10**100),
    1.5,
    math.nan,  # json.dumps writes NaN/Infinity, and Flask's json.loads accepts them
    math.inf,
    -math.inf,
    [],
    [None],
    [[[[["deep"]]]]],
    {"$ne": 1},
    {"__class__": {"__init__": 1}},
    [{"$ne": 1}, "pmp"],
    HOSTILE_TEXT,
    [1, 2.5, True, None],
    ["pmp"] * 5_000,
    [f"topic-{i}" for i in range(2_000)],
]
# Sent one slot at a time, the other slots valid (the rotations send all of the above).
SHARP_VALUES: list[Any] = [
    None,
    2**63,
    math.nan,
    SQL,
    LONG_TEXT,
    RTL_ZERO_WIDTH,
    HOSTILE_TEXT,
    {"$ne": 1},
]
SHARP_TEXT: list[str] = [SQL, SCRIPT, LONG_TEXT, RTL_ZERO_WIDTH + "\u0000"]
# Query strings for every page: utm/fbclid noise, keys that could collide with the layout's
# own arguments, repeated keys (Dash then passes a list), empty, odd and long keys and values.
EXTRA_QUERIES: list[str] = [
    "?utm_source=newsletter&utm_medium=email&utm_campaign=spring&fbclid=IwAR0xyz&gclid=abc",
    "?data=1",
    "?tr=1",
    "?boards=1",
    "?board=x",
    "?query=1&page=2&path=3&self=4&layout=5&pathname_=6&search_=7&__class__=8&__proto__[x]=9",
    "?topic=pmp&topic=data-science&region=CA-ON&region=CA-QC",
    "?lang=fr&lang=en&lang=xx",
    "?" + "&".join(f"k{i}=v{i}" for i in range(300)),
    "?" + "k" * 5_000 + "=1",
    "?q=" + "x" * 100_000,
    "?=&&&=x&flag&%00=%00&%FF%FE=%C0%AF",
    "?region",
    "?" + quote(SCRIPT) + "=" + quote(SQL),
    "?" + quote("\u202e") + "=" + quote("\u200b\u0000"),
    "no-question-mark=1",
    "?#fragment",
]
HOSTILE_PATHNAMES = [
    "/boards/../../etc/passwd",
    "/boards/" + quote(SCRIPT),
    "/boards/" + "x" * 10_000,
    "/boards/a/b/c",
    "/no-such-page",
    "//",
    "/%00",
    "/" + quote("\u202e\u200b"),
]

LEAK_PATTERN = re.compile(
    r"Traceback|File \"|/work/|site-packages|\b(?:"
    + "|".join(
        sorted(
            {
                name
                for module in (builtins, sqlalchemy.exc, polars.exceptions, dash.exceptions)
                for name, value in vars(module).items()
                if isinstance(value, type) and issubclass(value, BaseException)
            }
            - {"Exception", "Warning"}  # plain English words a page may print
        )
    )
    + r")\b"
)

# Cases known to crash, by case key (as the failing sweep prints it) -> reason, e.g.
#   "router /interest ?data=1": "app.py passes the query as **kwargs next to `data` ..."
# The sweeps skip them; ``test_known_crash`` asserts each still crashes (strict xfail), so a
# fix shows as XPASS: then delete the entry.
KNOWN_CRASHES: dict[str, str] = {}

MISSING: Any = object()  # a property the layout leaves unset: the renderer sends no value
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
UPDATE = "/_dash-update-component"


class CallbackCrashed(AssertionError):
    """A request answered 5xx or leaked internals."""


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...<{len(text)} chars>"


def stringify_id(component_id: str | dict[str, Any]) -> str:
    """An id as Dash writes it in ``changedPropIds`` and callback outputs."""
    if isinstance(component_id, dict):
        pairs = (f"{json.dumps(k)}:{json.dumps(component_id[k])}" for k in sorted(component_id))
        return "{" + ",".join(pairs) + "}"
    return component_id


def _parse_id(raw: Any) -> str | dict[str, Any]:
    if isinstance(raw, str) and raw.startswith("{"):
        parsed: dict[str, Any] = json.loads(raw)
        return parsed
    return str(raw)


def _split_output(output: str) -> list[tuple[str, str]]:
    """``..a.b...c.d..`` (several outputs) or ``a.b`` (one) as (id, property) pairs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    pairs = [part.rsplit(".", 1) for part in parts]
    return [(component, prop) for component, prop in pairs]


def collect_components(node: Any, found: dict[str, dict[str, Any]]) -> None:
    """Every component with an id in a serialised layout: stringified id -> its props."""
    if isinstance(node, list):
        for item in node:
            collect_components(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if "type" in node and isinstance(props, dict):
            if props.get("id") is not None:
                found.setdefault(stringify_id(props["id"]), props)
            for value in props.values():
                collect_components(value, found)
        else:
            for value in node.values():
                collect_components(value, found)


def collect_query_keys(node: Any, keys: set[str]) -> None:
    """Parameter names of every link, permalink or download URL in a layout or response."""
    if isinstance(node, str):
        if "?" in node and len(node) < 2_000 and (node.startswith("/") or "://" in node):
            keys.update(key for key, _ in parse_qsl(urlsplit(node).query))
    elif isinstance(node, list):
        for item in node:
            collect_query_keys(item, keys)
    elif isinstance(node, dict):
        for value in node.values():
            collect_query_keys(value, keys)


@dataclass
class Slot:
    """One input or state value of a request body."""

    component_id: str | dict[str, Any]
    prop: str
    default: Any

    @property
    def prop_id(self) -> str:
        return f"{stringify_id(self.component_id)}.{self.prop}"

    def entry(self, value: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.component_id, "property": self.prop}
        if value is not MISSING:
            item["value"] = value
        return item


Group = Slot | list[Slot]  # a list for pattern-matching ALL / ALLSMALLER dependencies


@dataclass
class Callback:
    """A server callback, with the ids and values its components have on the pages."""

    output: str
    outputs: list[dict[str, Any] | list[dict[str, Any]]]
    inputs: list[Group]
    state: list[Group]

    @property
    def name(self) -> str:
        """Its first output: Dash allows one callback per output, so this names it."""
        return _split_output(self.output)[0][0] + "." + _split_output(self.output)[0][1]

    @property
    def groups(self) -> list[Group]:
        return [*self.inputs, *self.state]

    def prop_id(self, position: int) -> str:
        group = self.groups[position]
        if isinstance(group, list):
            return group[0].prop_id if group else f"<empty ALL group {position}>"
        return group.prop_id

    def body(self, values: dict[int, Any], changed: list[str] | None = None) -> dict[str, Any]:
        """The renderer's request body with some positions (inputs, then state) replaced.

        A value replaces every member of a pattern-matching ALL group. Unless told, the
        first replaced input (else the first input) is the one that changed.
        """

        def fill(position: int, group: Group) -> Any:
            if isinstance(group, list):
                return [slot.entry(values.get(position, slot.default)) for slot in group]
            return group.entry(values.get(position, group.default))

        filled = [fill(position, group) for position, group in enumerate(self.groups)]
        if changed is None:
            hostile_inputs = [p for p in sorted(values) if p < len(self.inputs)]
            changed = [self.prop_id(hostile_inputs[0] if hostile_inputs else 0)]
        body: dict[str, Any] = {
            "output": self.output,
            "outputs": self.outputs if self.output.startswith("..") else self.outputs[0],
            "inputs": filled[: len(self.inputs)],
            "changedPropIds": changed,
            "parsedChangedPropsIds": changed,
        }
        if self.state:  # the renderer leaves state out when a callback has none
            body["state"] = filled[len(self.inputs) :]
        return body

    def single(self, position: int, value: Any) -> Case:
        """One slot hostile, the others valid."""
        key = f"{self.name} | {self.prop_id(position)} = {shown(value)}"
        return Case(key, self.body({position: value}))

    def cases(self) -> Iterator[Case]:
        yield Case(f"{self.name} | defaults", self.body({}))
        for position in range(len(self.groups)):
            for value in SHARP_VALUES:
                yield self.single(position, value)
        for k in range(len(HOSTILE_VALUES)):
            values = {
                position: HOSTILE_VALUES[(k + position) % len(HOSTILE_VALUES)]
                for position in range(len(self.groups))
            }
            singles = [self.single(position, value) for position, value in values.items()]
            yield Case(f"{self.name} | rotation {k}", self.body(values), singles)
        for changed in ([], ["no-such-component.value"], [self.prop_id(0)] * 2):
            yield Case(f"{self.name} | changedPropIds = {changed}", self.body({}, changed))


@dataclass(frozen=True)
class Case:
    """A callback request; ``singles`` pinpoint the culprit when a combination crashes."""

    key: str
    body: dict[str, Any] = field(repr=False)
    singles: Sequence[Case] = ()


@dataclass(frozen=True)
class Route:
    """A page request through the router callback."""

    pathname: str
    search: str
    singles: Sequence[Route] = ()

    @property
    def key(self) -> str:
        return f"router {self.pathname} {self.search}"

    @staticmethod
    def from_key(key: str) -> Route:
        pathname, _, search = key.removeprefix("router ").partition(" ")
        return Route(pathname, search)


@dataclass
class Harness:
    client: Any
    router_output: str
    callbacks: list[Callback]
    pages: dict[str, list[str]]  # registry module -> its concrete paths
    parameters: list[str]  # every query parameter a page or a link reads or writes
    errors: list[BaseException]

    def request(self, method: str, url: str, body: Any = None) -> tuple[int, str, str]:
        """(status, body text, repr of the exception the server raised, if any)."""
        self.errors.clear()
        if method == "POST":
            response = self.client.post(url, data=json.dumps(body), content_type="application/json")
        else:
            response = self.client.get(url)
        text = response.get_data(as_text=True)
        return response.status_code, text, repr(self.errors[-1]) if self.errors else ""

    def route(self, route: Route) -> tuple[int, str, str]:
        body = {
            "output": self.router_output,
            "outputs": [
                {"id": component, "property": prop}
                for component, prop in _split_output(self.router_output)
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": route.pathname},
                {"id": "_pages_location", "property": "search", "value": route.search},
            ],
            "changedPropIds": ["_pages_location.pathname"],
        }
        return self.request("POST", UPDATE, body)


def problem(status: int, text: str, error: str) -> str | None:
    """Why a response is a crash, or None."""
    if status >= 500:
        return f"HTTP {status} {error}".strip()
    leak = LEAK_PATTERN.search(text)
    if leak:
        start = max(leak.start() - 80, 0)
        return f"HTTP {status}, body leaks {leak.group(0)!r}: {text[start : leak.end() + 80]!r}"
    return None


def _resolve_callback(spec: dict[str, Any], components: dict[str, dict[str, Any]]) -> Callback:
    """Concrete ids and starting values; pattern-matching ids get the instances on pages."""
    instances = [_parse_id(key) for key in components if key.startswith("{")]
    match: dict[str, Any] = {}  # the values MATCH stands for, the same in every dependency

    def concrete(pattern: dict[str, Any]) -> list[dict[str, Any]]:
        found = [
            instance
            for instance in instances
            if isinstance(instance, dict)
            and set(instance) == set(pattern)
            and all(
                value in (["ALL"], ["ALLSMALLER"])
                or (value == ["MATCH"] and match.get(key, instance[key]) == instance[key])
                or value == instance[key]
                for key, value in pattern.items()
            )
        ]
        if not found:  # no such component on the pages: invent one
            found = [{k: (0 if v in WILDCARDS else v) for k, v in pattern.items()}]
        if ["MATCH"] in pattern.values():
            match.update({k: found[0][k] for k, v in pattern.items() if v == ["MATCH"]})
            return found[:1]
        return found

    def group(raw_id: Any, prop: str) -> Group:
        component_id = _parse_id(raw_id)
        if not isinstance(component_id, dict) or not any(
            value in WILDCARDS for value in component_id.values()
        ):
            props = components.get(stringify_id(component_id), {})
            return Slot(component_id, prop, props.get(prop, MISSING))
        slots = [
            Slot(instance, prop, components.get(stringify_id(instance), {}).get(prop, MISSING))
            for instance in concrete(component_id)
        ]
        return slots[0] if ["MATCH"] in component_id.values() else slots

    inputs = [group(i["id"], i["property"]) for i in spec["inputs"]]
    state = [group(s["id"], s["property"]) for s in spec["state"]]
    outputs: list[dict[str, Any] | list[dict[str, Any]]] = []
    for raw_id, prop in _split_output(spec["output"]):
        resolved = group(raw_id, prop)
        if isinstance(resolved, list):
            outputs.append([{"id": slot.component_id, "property": prop} for slot in resolved])
        else:
            outputs.append({"id": resolved.component_id, "property": prop})
    return Callback(spec["output"], outputs, inputs, state)


def _page_paths(entry: dict[str, Any], board_names: list[str]) -> list[str]:
    """The page's path, and for a template (``/boards/<board>``) one path per fixture board."""
    paths = [str(entry["path"])]
    template = entry.get("path_template")
    if template:
        paths.extend(re.sub(r"<\w+>", board, str(template)) for board in board_names)
    return paths


def _signature_parameters(module_name: str) -> set[str]:
    """Keyword parameters with defaults of the page module's ``layout``, if it has one."""
    try:
        parameters = inspect.signature(importlib.import_module(module_name).layout).parameters
    except (ImportError, AttributeError, TypeError, ValueError):
        return set()
    return {
        p.name
        for p in parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not p.empty
    }


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """The app on the demo warehouse (small test catalogue), everything discovered."""
    settings, engine = demo_dashboard(tmp_path_factory.mktemp("fuzz"))
    app = create_app(settings, engine)
    errors: list[BaseException] = []

    def record(_sender: object, exception: BaseException, **_: object) -> None:
        errors.append(exception)

    flask.got_request_exception.connect(record, app.server)
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # the first request registers the router
    dependencies: list[dict[str, Any]] = client.get("/_dash-dependencies").get_json()
    router = next(
        spec
        for spec in dependencies
        if {"id": "_pages_location", "property": "pathname"} in spec["inputs"]
    )
    harness = Harness(client, router["output"], [], {}, [], errors)

    board_names = sorted(path.stem for path in (FIXTURES / "dashboards").glob("*.yaml"))
    components: dict[str, dict[str, Any]] = {}
    keys = {"lang"}
    collect_components(client.get("/_dash-layout").get_json(), components)
    for module, entry in dash.page_registry.items():
        harness.pages[module] = _page_paths(entry, board_names)
        keys |= _signature_parameters(module)
        for path in harness.pages[module]:
            status, text, error = harness.route(Route(path, ""))
            assert status == 200, f"{path}: {problem(status, text, error)}"
            layout = json.loads(text)["response"]
            collect_components(layout, components)
            collect_query_keys(layout, keys)
    harness.callbacks = [
        _resolve_callback(spec, components)
        for spec in dependencies
        if spec is not router and not spec.get("clientside_function")
    ]
    for callback in harness.callbacks:  # links the callbacks write (permalinks, downloads)
        status, text, _ = harness.request("POST", UPDATE, callback.body({}))
        if status == 200:
            collect_query_keys(json.loads(text), keys)
    harness.parameters = sorted(keys)
    try:
        yield harness
    finally:
        flask.got_request_exception.disconnect(record, app.server)
        engine.dispose()


def _rotations(path: str, names: Sequence[str]) -> Iterator[Route]:
    """Every parameter hostile at once, each hostile text once per parameter."""
    for k in range(len(HOSTILE_TEXT)):
        values = {name: HOSTILE_TEXT[(k + i) % len(HOSTILE_TEXT)] for i, name in enumerate(names)}
        singles = [Route(path, "?" + urlencode({name: v})) for name, v in values.items()]
        yield Route(path, "?" + urlencode(values), singles)


def route_cases(harness: Harness) -> Iterator[Route]:
    """Noise and hostile keys on every page; real parameters with hostile values."""
    names = harness.parameters
    for paths in harness.pages.values():
        for path in paths:
            for search in EXTRA_QUERIES:
                yield Route(path, search)
            for name in names:
                for text in SHARP_TEXT:
                    yield Route(path, "?" + urlencode({name: text}))
            yield Route(path, "?" + urlencode([(n, v) for n in names for v in ("a", "b", "")]))
            yield from _rotations(path, names)
    for pathname in HOSTILE_PATHNAMES:
        yield Route(pathname, "?utm_source=x")


def _sweep(cases: Iterator[Case | Route], run: Any) -> list[str]:
    """Keys and problems of the crashing cases, combinations narrowed to their culprits."""
    failures = []
    for case in cases:
        if case.key in KNOWN_CRASHES:
            continue
        found = problem(*run(case))
        if not found:
            continue
        culprits = [
            f"{single.key}: {why}"
            for single in case.singles
            if single.key not in KNOWN_CRASHES and (why := problem(*run(single)))
        ]
        if not culprits and any(single.key in KNOWN_CRASHES for single in case.singles):
            continue  # a known crash inside a combination
        failures.extend(culprits or [f"{case.key}: {found}"])
    return sorted(set(failures))


def _report(failures: list[str]) -> str:
    return f"{len(failures)} crashing cases:\n" + "\n".join(f[:600] for f in failures[:40])


def test_discovery_found_callbacks_and_pages(harness: Harness) -> None:
    """Guards the sweeps against silently fuzzing nothing."""
    assert harness.callbacks, "no server callbacks discovered"
    assert len(harness.pages) >= 2
    assert any(len(paths) > 1 for paths in harness.pages.values()), "no /boards/<board> path"
    for callback in harness.callbacks:
        assert callback.inputs, callback.name


def test_every_callback_survives_hostile_inputs(harness: Harness) -> None:
    def run(case: Case) -> tuple[int, str, str]:
        return harness.request("POST", UPDATE, case.body)

    failures = []
    for callback in harness.callbacks:
        defaults = Case(f"{callback.name} | defaults", callback.body({}))
        found = defaults.key not in KNOWN_CRASHES and problem(*run(defaults))
        if found:  # then every case would crash the same way: report it once
            failures.append(f"{defaults.key}: {found}")
            continue
        failures.extend(_sweep(callback.cases(), run))
    assert failures == [], _report(failures)


def test_every_page_accepts_unknown_and_hostile_query_parameters(harness: Harness) -> None:
    """The layouts (through the router callback), then the index page each URL serves."""
    failures = _sweep(route_cases(harness), harness.route)
    for paths in harness.pages.values():
        for path in paths:
            # every parameter with the same value (the long text once, in EXTRA_QUERIES)
            same = [dict.fromkeys(harness.parameters, t) for t in HOSTILE_TEXT if t != LONG_TEXT]
            for search in [*EXTRA_QUERIES, *("?" + urlencode(values) for values in same)]:
                url = path + (search if search.startswith("?") else "?" + search)
                status, text, error = harness.request("GET", url)
                if status != 200 or problem(status, text, error):
                    failures.append(f"GET {shown(url)}: HTTP {status} {error}")
    assert failures == [], _report(failures)


if KNOWN_CRASHES:  # one strict xfail per known crash

    @pytest.mark.parametrize(
        "key",
        [
            pytest.param(
                key, marks=pytest.mark.xfail(strict=True, raises=CallbackCrashed, reason=why)
            )
            for key, why in KNOWN_CRASHES.items()
        ],
    )
    def test_known_crash(harness: Harness, key: str) -> None:
        """Each known crash on its own: an expected failure while it crashes, XPASS once fixed."""
        if key.startswith("router "):
            found = problem(*harness.route(Route.from_key(key)))
        else:
            cases = {
                case.key: case
                for callback in harness.callbacks
                for position in range(len(callback.groups))
                for case in [
                    *callback.cases(),
                    *(callback.single(position, value) for value in HOSTILE_VALUES),
                ]
            }
            if key not in cases:
                raise LookupError(f"no case {key!r} any more: update KNOWN_CRASHES")
            found = problem(*harness.request("POST", UPDATE, cases[key].body))
        if found:
            raise CallbackCrashed(found)
