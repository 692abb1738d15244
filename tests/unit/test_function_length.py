"""No function in ``src/`` over 80 lines unless its docstring says why it is one on purpose:
a long function is read (and changed) as a whole, so it must earn its length."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "credtrends"
LIMIT = 80
REASON = "on purpose"


def long_functions(root: Path) -> list[str]:
    """``path:line name (N lines)`` of every function over ``LIMIT`` lines without the
    ``REASON`` words in its docstring."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > LIMIT and REASON not in (ast.get_docstring(node) or ""):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_over_80_lines_without_a_reason() -> None:
    assert not long_functions(SOURCE), "split these, or say why in the docstring"


def test_the_check_sees_a_long_function_and_accepts_a_reason(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f'def long():\n    """Why."""\n{body}', encoding="utf-8")
    (tmp_path / "kept.py").write_text(
        f'def kept():\n    """One function {REASON}: a frozen record."""\n{body}', encoding="utf-8"
    )
    (tmp_path / "short.py").write_text("def short():\n    return 1\n", encoding="utf-8")
    assert long_functions(tmp_path) == [f"long.py:1 long ({LIMIT + 2} lines)"]
