"""Babel extraction method for the message keys of ``web/i18n.py`` (``make messages``).

Babel's own ``python`` method reads tokens, so before Python 3.12 it does not see a
``tr("key")`` written inside an f-string (``f"({tr('partial_point')})"``), and
``pybabel update`` would then drop that key from the catalogues. This method parses the
module with :mod:`ast` instead, which sees every call, and yields the first argument of
each ``tr(...)`` / ``N_(...)`` call that is a string literal. A call whose first argument
is not a literal (``tr(key)``) yields nothing: the key in the variable must come from an
``N_("key")`` elsewhere, which the catalogue test checks (``tests/unit/web/test_catalogues.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

#: The names ``make messages`` passes to ``pybabel extract --keyword``: ``tr`` (a
#: ``Translator``, always named so) and ``N_`` (marks a key stored before it is translated).
KEYWORDS = ("tr", "N_")


def _name(function: ast.expr) -> str | None:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):  # self.tr("key"), i18n.N_("key")
        return function.attr
    return None


def message_calls(tree: ast.AST, keywords: Collection[str]) -> Iterator[tuple[ast.Call, str]]:
    """Every call to one of ``keywords`` in ``tree``, f-strings included, with its name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (name := _name(node.func)) in keywords and name:
            yield node, name


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extraction-method interface: ``(line, function, message, comments)``."""
    source = fileobj.read().decode(str(options.get("encoding", "utf-8")))
    tree = ast.parse(source, filename=getattr(fileobj, "name", "<unknown>"))
    for call, name in message_calls(tree, keywords):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield call.lineno, name, first.value, []
