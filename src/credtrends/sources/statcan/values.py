"""Statistics Canada cell values: numbers, thousands separators and quality symbols.

StatCan marks a cell instead of (or next to) a number: ``..`` not available for the period,
``...`` not applicable, ``x`` suppressed for confidentiality, ``F`` too unreliable to be
published, ``E`` use with caution, ``A``-``D`` quality grades. A symbol that stands for a
missing number must become null, never 0, or a dashboard would draw a collapse that did not
happen. Exported tables sometimes glue the flag to the number ("12.5E") or format it
("1,234", "1 234").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPRESSING_STATUSES = frozenset({"..", "...", "x", "X", "F"})
"""Statuses whose cell carries no publishable number: value is null whatever VALUE says."""

KNOWN_STATUSES = frozenset({"..", "...", "x", "X", "F", "E", "A", "B", "C", "D", "0s", "p", "r"})

_NUMBER = re.compile(
    r"""^(?P<sign>[-+−]?)
        (?P<int>\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+)?
        (?:\.(?P<frac>\d+))?
        (?P<flag>\s?(?:[A-F]|0s|[pr]))?$""",
    re.VERBOSE,
)

SCALAR_FACTORS: dict[str, int] = {
    "units": 0,
    "tens": 1,
    "hundreds": 2,
    "thousands": 3,
    "tens of thousands": 4,
    "hundreds of thousands": 5,
    "millions": 6,
    "tens of millions": 7,
    "hundreds of millions": 8,
    "billions": 9,
    # French full-table CSVs
    "unités": 0,
    "dizaines": 1,
    "centaines": 2,
    "milliers": 3,
    "milliards": 9,
}
"""SCALAR_FACTOR text -> power of ten (WDS scalarFactorCode uses the same powers)."""


@dataclass(frozen=True, slots=True)
class CellValue:
    """A parsed cell: the number (None when missing or suppressed) and the flag it carried."""

    value: float | None
    flag: str | None


def parse_statcan_value(raw: str | None) -> CellValue:
    """Parse one VALUE cell; raise ValueError for text that is neither a number nor a symbol.

    >>> parse_statcan_value("1,234")
    CellValue(value=1234.0, flag=None)
    >>> parse_statcan_value("12.5E")
    CellValue(value=12.5, flag='E')
    >>> parse_statcan_value("x")
    CellValue(value=None, flag='x')
    """
    if raw is None:
        return CellValue(None, None)
    text = raw.strip()
    if not text:
        return CellValue(None, None)
    if text in KNOWN_STATUSES:
        if text in SUPPRESSING_STATUSES:
            return CellValue(None, text)
        # A lone quality grade ("E") without a number is still no number.
        return CellValue(None, text)
    match = _NUMBER.match(text)
    if match is None or (match.group("int") is None and match.group("frac") is None):
        raise ValueError(f"{raw!r} is neither a number nor a StatCan symbol")
    digits = re.sub(r"[,\u00a0\u202f ]", "", match.group("int") or "0")
    number = float(f"{digits}.{match.group('frac') or '0'}")
    if match.group("sign") in {"-", "−"}:
        number = -number
    flag = (match.group("flag") or "").strip() or None
    if flag in SUPPRESSING_STATUSES:
        return CellValue(None, flag)
    return CellValue(number, flag)


def scalar_power(scalar_factor: str | None, scalar_id: str | None) -> int:
    """Power of ten a VALUE must be multiplied by; ValueError if the two columns disagree."""
    from_id: int | None = None
    if scalar_id is not None and scalar_id.strip():
        try:
            from_id = int(scalar_id.strip())
        except ValueError as exc:
            raise ValueError(f"SCALAR_ID {scalar_id!r} is not an integer") from exc
        if not 0 <= from_id <= 9:
            raise ValueError(f"SCALAR_ID {scalar_id!r} is outside 0..9")
    from_text: int | None = None
    if scalar_factor is not None and scalar_factor.strip():
        key = scalar_factor.strip().casefold()
        if key not in SCALAR_FACTORS:
            raise ValueError(f"unknown SCALAR_FACTOR {scalar_factor!r}")
        from_text = SCALAR_FACTORS[key]
    if from_id is not None and from_text is not None and from_id != from_text:
        raise ValueError(f"SCALAR_FACTOR {scalar_factor!r} disagrees with SCALAR_ID {scalar_id!r}")
    if from_id is None and from_text is None:
        raise ValueError("neither SCALAR_FACTOR nor SCALAR_ID is given")
    return from_text if from_text is not None else int(from_id or 0)
