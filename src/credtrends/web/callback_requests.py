"""Refuse callback requests the Dash renderer could never have sent, with a 400.

Dash's ``/_dash-update-component`` trusts the shape of its JSON body: a body that is not an
object, names an unknown output, or holds the wrong number of inputs ends in a KeyError or
TypeError inside Dash, i.e. a 500 with a traceback in the log. The check below compares the
body with the callback it names (the same list ``/_dash-dependencies`` publishes) before
Dash sees it. It checks only the shape: the *values* are the callbacks' business, and each
page refuses values it does not offer (``web/page_state.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import dash
import flask
from werkzeug.exceptions import BadRequest

log = logging.getLogger(__name__)
UPDATE_COMPONENT = "/_dash-update-component"
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])


def _pattern(component_id: str) -> dict[str, Any] | None:
    """The id as a dict when it is a pattern-matching id (JSON text with a wildcard)."""
    if not component_id.startswith("{"):
        return None
    try:
        parsed = json.loads(component_id)
    except ValueError:
        return None
    if isinstance(parsed, dict) and any(value in WILDCARDS for value in parsed.values()):
        return parsed
    return None


def _entry_problem(entry: Any, dependency_id: str, prop: str, where: str) -> str | None:
    """Why one input/state/output entry does not fit its dependency, or None."""
    pattern = _pattern(dependency_id)
    if pattern is not None:
        if ["MATCH"] not in pattern.values() and isinstance(entry, list):
            # ALL / ALLSMALLER: one entry per matching component
            for item in entry:
                problem = _entry_problem(item, dependency_id, prop, where)
                if problem:
                    return problem
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), dict):
            return f"{where}: expected an object with a pattern-matching id"
        if set(entry["id"]) != set(pattern):
            return f"{where}: id keys differ from the callback's"
    elif not isinstance(entry, dict) or entry.get("id") != dependency_id:
        return f"{where}: expected the component {dependency_id!r}"
    if entry.get("property") != prop:
        return f"{where}: expected the property {prop!r}"
    return None


def _list_problem(body: Mapping[str, Any], key: str, dependencies: list[Any]) -> str | None:
    entries = body.get(key, [])
    if not isinstance(entries, list):
        return f"{key!r} must be a list"
    if len(entries) != len(dependencies):
        return f"{key!r} must hold {len(dependencies)} entries, not {len(entries)}"
    for position, (entry, dependency) in enumerate(zip(entries, dependencies, strict=True)):
        problem = _entry_problem(
            entry, str(dependency["id"]), str(dependency["property"]), f"{key}[{position}]"
        )
        if problem:
            return problem
    return None


def _split_output(output: str) -> list[tuple[str, str]]:
    """``..a.b...c.d..`` (several outputs) or ``a.b`` (one) as (id, property) pairs."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    pairs = [part.rpartition(".") for part in parts]
    return [(component, prop) for component, _, prop in pairs]


def body_problem(body: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why ``body`` is not a request for one of the app's callbacks, or None when it is."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "'output' names no callback of this app"
    spec = callback_map[output]
    for key in ("inputs", "state"):
        problem = _list_problem(body, key, list(spec.get(key) or []))
        if problem:
            return problem
    if not spec.get("no_output"):
        expected = _split_output(output)
        outputs = body.get("outputs")
        if output.startswith(".."):
            if not isinstance(outputs, list) or len(outputs) != len(expected):
                return f"'outputs' must be a list of {len(expected)} entries"
        else:
            outputs = [outputs]
        for position, (entry, (component, prop)) in enumerate(zip(outputs, expected, strict=True)):
            problem = _entry_problem(entry, component, prop, f"outputs[{position}]")
            if problem:
                return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        return "'changedPropIds' must be a list of texts"
    return None


def guard_callback_requests(app: dash.Dash) -> None:
    """Put the shape check in front of Dash's callback dispatcher."""
    server = app.server
    endpoint = next(
        (r.endpoint for r in server.url_map.iter_rules() if r.rule == UPDATE_COMPONENT), None
    )
    if endpoint is None:
        raise RuntimeError(f"no Dash route {UPDATE_COMPONENT} to guard (has Dash changed?)")
    dispatch: Callable[..., Any] = server.view_functions[endpoint]

    def checked_dispatch(*args: Any, **kwargs: Any) -> Any:
        try:
            # Flask answers 400 (bad JSON) or 415 (not JSON) itself; the parsed body is
            # kept on the request, so Dash does not parse it again.
            body = flask.request.get_json()
        except RecursionError:  # "[[[[...]]]]" nested deeper than Python's stack
            body = None
        problem = body_problem(body, app.callback_map)
        if problem:
            log.debug("refused a callback request: %s", problem)
            raise BadRequest(f"Not a callback request of this dashboard: {problem}.")
        return dispatch(*args, **kwargs)

    server.view_functions[endpoint] = checked_dispatch
