"""Polars aggregates as floats, for the benchmark scripts (imported, not a benchmark).

polars types ``min``, ``max``, ``mean``, ``median`` and ``quantile`` as any Python value or
None; a benchmark reads numbers, and anything else is a bug to stop on.
"""

from __future__ import annotations

from decimal import Decimal


def number(value: object) -> float:
    """``value`` as a float; a TypeError for None or a non-number (as ``float(None)`` was)."""
    if not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)
