"""Long polars frame <-> dense numpy panel, the internal shape every model works on.

Models run on many series at once: a ``(series, time)`` float matrix where each series is
right-aligned (its last observation in the last column) and padded with NaN on the left.
Right alignment makes "the same origin, h steps before each series' end" one column index
for every series, so a rolling-origin backtest is a slice, not a loop over series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from credtrends.forecasting.prepare import Frequency

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Panel:
    """Series of one chunk as a right-aligned NaN-padded matrix.

    ``time_last`` is the position of each series' last column on a calendar axis counted in
    periods (weeks since 1970-01-05 for weekly data, months or quarters since year 0), so
    that yearly Fourier terms have a phase tied to the calendar, not to where a series starts.
    """

    values: FloatArray
    lengths: IntArray
    time_last: FloatArray

    @property
    def n_series(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_time(self) -> int:
        return int(self.values.shape[1])


def calendar_index(periods: pl.Series, frequency: Frequency) -> FloatArray:
    """Position of each date on a regular axis in units of one period."""
    if frequency == "week":
        days = periods.cast(pl.Date).cast(pl.Int64).to_numpy().astype(np.float64)
        return (days - 4.0) / 7.0  # 1970-01-05 was a Monday
    frame = pl.DataFrame({"p": periods.cast(pl.Date)}).select(
        year=pl.col("p").dt.year().cast(pl.Int64), month=pl.col("p").dt.month().cast(pl.Int64)
    )
    year = frame.get_column("year").to_numpy().astype(np.float64)
    month = frame.get_column("month").to_numpy().astype(np.float64)
    if frequency == "month":
        return year * 12.0 + month - 1.0
    return year * 4.0 + np.floor((month - 1.0) / 3.0)


def build_panel(flat_values: FloatArray, lengths: IntArray, time_last: FloatArray) -> Panel:
    """Scatter concatenated series (in order, each of ``lengths[i]`` values) into a panel."""
    n_series = int(lengths.shape[0])
    n_time = int(lengths.max()) if n_series else 0
    values = np.full((n_series, n_time), np.nan)
    if n_series:
        rows = np.repeat(np.arange(n_series), lengths)
        starts = np.cumsum(lengths) - lengths
        position = np.arange(flat_values.shape[0]) - np.repeat(starts, lengths)
        cols = n_time - np.repeat(lengths, lengths) + position
        values[rows, cols] = flat_values
    return Panel(values=values, lengths=lengths.astype(np.int64), time_last=time_last)


def first_valid_index(y: FloatArray) -> IntArray:
    """Column of each row's first non-NaN value (``n_time`` when the row is all NaN)."""
    valid = ~np.isnan(y)
    first = np.argmax(valid, axis=1)
    first[~valid.any(axis=1)] = y.shape[1]
    return np.asarray(first, dtype=np.int64)
