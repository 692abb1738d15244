"""Downloads never carry a spreadsheet formula, in values or headers."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from credtrends.web.exports import (
    FORMULA_TRIGGERS,
    escape_formula,
    escape_formula_cells,
    frame_to_csv,
)


@given(st.text())
def test_escaped_text_never_starts_with_a_trigger(text: str) -> None:
    escaped = escape_formula(text)
    assert not escaped.startswith(FORMULA_TRIGGERS)
    assert escaped.removeprefix("'") == text or escaped == text


def test_values_and_headers_are_escaped_numbers_untouched() -> None:
    frame = pl.DataFrame(
        {"=cmd": ['=HYPERLINK("x")', "+1", "ok", "@sum", "-2", "\tx"], "v": [-1.5, 2, 3, 4, 5, 6]}
    )
    escaped = escape_formula_cells(frame)
    assert escaped.columns == ["'=cmd", "v"]
    assert escaped["'=cmd"].to_list() == ['\'=HYPERLINK("x")', "'+1", "ok", "'@sum", "'-2", "'\tx"]
    assert escaped["v"].to_list() == [-1.5, 2, 3, 4, 5, 6]
    assert frame_to_csv(frame).splitlines()[0] == "'=cmd,v"


def test_french_csv_uses_semicolons_the_decimal_comma_and_a_bom() -> None:
    frame = pl.DataFrame({"topic": ["a;b", "=1+1"], "value": [1.5, None]})
    text = frame_to_csv(frame, french=True)
    assert text.startswith("\ufeff")  # French Excel reads UTF-8 only with the BOM
    assert text.removeprefix("\ufeff").splitlines() == ["topic;value", '"a;b";1,5', "'=1+1;"]
    assert not frame_to_csv(frame).startswith("\ufeff")
