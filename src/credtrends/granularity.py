"""Granularity: how long one period of a series is, declared once for the whole package.

The warehouse stores every granularity a source delivers (``Granularity``); narrower
stages take a subset of it, named here next to it so that the words never drift apart:
StatCan tables come monthly, quarterly or yearly (``StatCanGranularity``), weekly series
are averaged into months or quarters (``CoarseGranularity``), and the dashboard draws
weeks and those averages (``ViewGranularity``). Each subset is checked to be part of the
whole in ``tests/unit/test_granularity.py``.
"""

from __future__ import annotations

from typing import Literal, get_args

Granularity = Literal["hour", "day", "week", "month", "quarter", "year"]
"""Every period length a warehouse table may hold (its ``granularity`` CHECK constraint)."""
GRANULARITIES: tuple[Granularity, ...] = get_args(Granularity)

StatCanGranularity = Literal["month", "quarter", "year"]
"""The frequencies of the Statistics Canada tables credtrends reads."""

CoarseGranularity = Literal["month", "quarter"]
"""The coarser calendars a weekly series is averaged into (``transforms/alignment.py``)."""

ViewGranularity = Literal["week", "month", "quarter"]
"""What the Search interest page draws: the weekly series or its monthly/quarterly means."""
VIEW_GRANULARITIES: tuple[ViewGranularity, ...] = get_args(ViewGranularity)
