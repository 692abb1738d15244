"""Data downloads: what the user sees, with its provenance, safe to open in a spreadsheet."""

from __future__ import annotations

import polars as pl

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """Prefix a quote so spreadsheets show the text instead of evaluating it (OWASP advice)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def escape_formula_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Escape every string cell and every header; numbers are left as numbers."""
    escaped = frame.with_columns(
        pl.col(name).map_elements(escape_formula, return_dtype=pl.String)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
    return escaped.rename({name: escape_formula(name) for name in escaped.columns})


UTF8_BOM = "\ufeff"


def frame_to_csv(frame: pl.DataFrame, french: bool = False) -> str:
    """CSV for spreadsheets; the French variant uses ';' and the decimal comma, as French
    Excel expects (a ',' separator would split every decimal number in two), and starts
    with a UTF-8 byte order mark: without it, Excel opens the file as Windows-1252 and
    garbles every accent. Headers and booleans are the caller's (``columns.french_frame``)."""
    safe = escape_formula_cells(frame)
    if french:
        return UTF8_BOM + safe.write_csv(separator=";", decimal_comma=True)
    return safe.write_csv()
