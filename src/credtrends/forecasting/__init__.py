"""Demand forecasting: backtested model choice, calibrated intervals, emerging topics.

Pure functions on long polars frames (``series_id``, ``period``, ``value``); no I/O. The
warehouse and CLI layers read the series, call :func:`forecast` and :func:`rank_emerging`,
and store what they return.
"""

from credtrends.forecasting.emerging import EMERGING_SCHEMA, rank_emerging
from credtrends.forecasting.engine import (
    DEFAULT_CANDIDATES,
    FORECAST_SCHEMA,
    ForecastConfig,
    ForecastResult,
    forecast,
)
from credtrends.forecasting.metrics import coverage, mase, owa, smape
from credtrends.forecasting.models import MODEL_NAMES
from credtrends.forecasting.prepare import (
    SEASONAL_PERIODS,
    Frequency,
    PreparedSeries,
    prepare_series,
)

__all__ = [
    "DEFAULT_CANDIDATES",
    "EMERGING_SCHEMA",
    "FORECAST_SCHEMA",
    "MODEL_NAMES",
    "SEASONAL_PERIODS",
    "ForecastConfig",
    "ForecastResult",
    "Frequency",
    "PreparedSeries",
    "coverage",
    "forecast",
    "mase",
    "owa",
    "prepare_series",
    "rank_emerging",
    "smape",
]
