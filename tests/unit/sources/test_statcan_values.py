"""The StatCan cell parser: formatted numbers, glued flags and symbols; symbols never 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credtrends.sources.statcan.values import (
    SUPPRESSING_STATUSES,
    parse_statcan_value,
    scalar_power,
)


@pytest.mark.parametrize(
    ("raw", "value", "flag"),
    [
        ("1,234", 1234.0, None),
        ("1 234", 1234.0, None),
        ("1\u00a0234,", None, None),
        ("..", None, ".."),
        ("...", None, "..."),
        ("x", None, "x"),
        ("F", None, "F"),
        ("", None, None),
        ("  ", None, None),
        (None, None, None),
        ("12.5E", 12.5, "E"),
        ("12.5 E", 12.5, "E"),
        ("7F", None, "F"),
        ("-3.25", -3.25, None),
        ("0", 0.0, None),
        ("1,234,567.89", 1234567.89, None),
        (".5", 0.5, None),
        ("E", None, "E"),
    ],
)
def test_examples(raw: str | None, value: float | None, flag: str | None) -> None:
    if raw == "1\u00a0234,":
        with pytest.raises(ValueError):
            parse_statcan_value(raw)
        return
    cell = parse_statcan_value(raw)
    assert (cell.value, cell.flag) == (value, flag)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separated_numbers_round_trip(number: int, cents: int) -> None:
    text = f"{number:,}.{cents:02d}"
    assert parse_statcan_value(text).value == pytest.approx(number + cents / 100)


@given(st.sampled_from(sorted(SUPPRESSING_STATUSES)), st.sampled_from(["", " "]))
def test_suppressing_symbols_never_become_numbers(symbol: str, pad: str) -> None:
    assert parse_statcan_value(pad + symbol + pad).value is None


@given(st.text(alphabet="abcdfghijklmnoqstuvwyz!?#%&", min_size=1, max_size=8))
def test_words_are_rejected_not_guessed(text: str) -> None:
    if text.strip() in {"x", "p", "r"}:
        return
    with pytest.raises(ValueError):
        parse_statcan_value(text)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from("ABCDE"))
def test_quality_flag_glued_to_a_number_keeps_both(number: float, flag: str) -> None:
    cell = parse_statcan_value(f"{number:.2f}{flag}")
    assert cell.flag == flag
    assert cell.value == pytest.approx(round(number, 2))


def test_scalar_power() -> None:
    assert scalar_power("units ", "0") == 0
    assert scalar_power("thousands", "3") == 3
    assert scalar_power("millions", None) == 6
    with pytest.raises(ValueError, match="disagrees"):
        scalar_power("thousands", "0")
    with pytest.raises(ValueError, match="unknown"):
        scalar_power("dozens", None)
