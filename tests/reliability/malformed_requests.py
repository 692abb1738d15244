"""Malformed ``/_dash-update-component`` bodies, built from a real callback list.

Each body is what a hostile or broken client could post: not JSON, JSON that is not an
object, an object missing or mistyping each key, entries of the wrong shape, the wrong
number of inputs, unknown outputs, deep nesting. ``malformed_bodies(dependencies, n)``
yields ``n`` of them (deterministic), cycling over every callback of the app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

Body = bytes
Mutation = Callable[[dict[str, Any]], Any]


def valid_body(spec: dict[str, Any]) -> dict[str, Any]:
    """The shape the renderer sends for ``spec`` (one entry of ``/_dash-dependencies``)."""
    output = str(spec["output"])
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    body: dict[str, Any] = {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": [{**item, "value": None} for item in spec["inputs"]],
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]
        if spec["inputs"]
        else [],
    }
    if spec["state"]:
        body["state"] = [{**item, "value": None} for item in spec["state"]]
    return body


def _set(key: str, value: Any) -> Mutation:
    return lambda body: {**body, key: value}


def _drop(key: str) -> Mutation:
    return lambda body: {k: v for k, v in body.items() if k != key}


def _entries(key: str, change: Callable[[list[Any]], Any]) -> Mutation:
    def mutate(body: dict[str, Any]) -> dict[str, Any]:
        entries = body.get(key)
        entries = list(entries) if isinstance(entries, list) else [entries]
        return {**body, key: change(entries)}

    return mutate


def _first(key: str, value: Any) -> Mutation:
    return _entries(key, lambda entries: [value, *entries[1:]])


def _first_field(key: str, field: str, value: Any) -> Mutation:
    def change(entries: list[Any]) -> list[Any]:
        first = dict(entries[0]) if entries and isinstance(entries[0], dict) else {}
        return [{**first, field: value}, *entries[1:]]

    return _entries(key, change)


MUTATIONS: list[tuple[str, Mutation]] = [
    ("body is a list", lambda body: [body]),
    ("body is a string", lambda body: "output"),
    ("body is a number", lambda body: 42),
    ("body is null", lambda body: None),
    ("no output", _drop("output")),
    ("output is a number", _set("output", 7)),
    ("output is a list", _set("output", ["a.b"])),
    ("unknown output", _set("output", "no-such-graph.figure")),
    ("unknown multi output", _set("output", "..no-such.figure...other.children..")),
    ("no inputs", _drop("inputs")),
    ("inputs null", _set("inputs", None)),
    ("inputs an object", _set("inputs", {"id": "x", "property": "value"})),
    ("inputs a string", _set("inputs", "value")),
    ("inputs empty", _set("inputs", [])),
    ("one input too many", _entries("inputs", lambda e: [*e, {"id": "x", "property": "v"}])),
    ("one input too few", _entries("inputs", lambda e: e[:-1])),
    ("input is a string", _first("inputs", "interest-topics.value")),
    ("input is null", _first("inputs", None)),
    ("input is a number", _first("inputs", 3)),
    ("input is a list", _first("inputs", [{"id": "x", "property": "value"}])),
    ("input without id", _entries("inputs", lambda e: [{"property": "value"}, *e[1:]])),
    ("input id a number", _first_field("inputs", "id", 12)),
    ("input id an object", _first_field("inputs", "id", {"type": "x", "index": 1})),
    ("input id unknown", _first_field("inputs", "id", "no-such-component")),
    ("input property unknown", _first_field("inputs", "property", "no_such_prop")),
    ("input property a list", _first_field("inputs", "property", ["value"])),
    ("state null", _set("state", None)),
    ("state a string", _set("state", "x")),
    ("state extra", _entries("state", lambda e: [*e, {"id": "x", "property": "data"}])),
    ("state entry null", _entries("state", lambda e: [None, *e])),
    ("no outputs", _drop("outputs")),
    ("outputs null", _set("outputs", None)),
    ("outputs a string", _set("outputs", "figure")),
    ("outputs empty list", _set("outputs", [])),
    ("outputs one missing", _entries("outputs", lambda e: e[:-1] if len(e) > 1 else [])),
    ("outputs one extra", _entries("outputs", lambda e: [*e, {"id": "x", "property": "y"}])),
    ("output entry a string", _first("outputs", "graph.figure")),
    ("output entry id unknown", _first_field("outputs", "id", "no-such")),
    ("output entry property wrong", _first_field("outputs", "property", "nope")),
    ("changedPropIds a string", _set("changedPropIds", "interest-topics.value")),
    ("changedPropIds numbers", _set("changedPropIds", [1, 2])),
    ("changedPropIds null list", _set("changedPropIds", [None])),
    ("changedPropIds an object", _set("changedPropIds", {"a": 1})),
]
RAW: list[tuple[str, bytes]] = [
    ("empty body", b""),
    ("not JSON", b"output=graph.figure"),
    ("truncated JSON", b'{"output": "a.b", "inputs": ['),
    ("trailing garbage", b'{"output": "a.b"} trailing'),
    ("invalid UTF-8", b'{"output": "\xff\xfe"}'),
    ("NUL bytes", b"\x00\x00\x00\x00"),
    ("deeply nested lists", b"[" * 100_000 + b"]" * 100_000),
    ("deeply nested objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("huge number", b'{"output": 1e999999}'),
    ("lone surrogate", b'{"output": "\\ud800"}'),
]


def malformed_bodies(dependencies: list[dict[str, Any]], count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` (name, body) pairs: every mutation of every server callback, then raw junk."""
    callbacks = [spec for spec in dependencies if not spec.get("clientside_function")]
    cases: list[tuple[str, bytes]] = list(RAW)
    for spec in callbacks:
        base = valid_body(spec)
        for name, mutate in MUTATIONS:
            cases.append((f"{spec['output'][:40]} | {name}", json.dumps(mutate(base)).encode()))
    for index in range(count):
        yield cases[index % len(cases)]
