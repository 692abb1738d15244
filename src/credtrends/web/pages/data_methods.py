"""Data & methods: where the numbers come from, how fresh they are, how they are made."""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.web.components.tables import frame_table, sources_table
from credtrends.web.data import DashboardData

PATH = "/data"
TITLE = "Data & methods"

METHODS = """
### Sources

- **Google Trends** (search interest): through pytrends, or CSV files exported from the
  Google Trends web page. Google's numbers are relative: each request holds at most five
  queries and is scaled so its own busiest week is 100, rounded to whole numbers ("<1"
  shows as 0). Terms of Service: Google's; the numbers are Google's, the calibration ours.
- **Synthetic demo data** (`synthetic-demo`): invented by credtrends so that every page can
  be tried without a network. It is marked SYNTHETIC everywhere and in every download.

### Calibration

Each topic is one Google query (its search terms joined with ` + `). Topics are fetched in
batches that share anchor queries of similar volume, so a quiet topic is never measured
only next to a giant (where it would round to 0). All batches of a region and window are
solved together (least squares on log ratios, weighted by rounding error) onto one scale
where 100 is the busiest week of the reference query. Every value carries bounds implied
by Google's rounding.

### Caveats

- Search interest measures searching, not enrolment or employer demand.
- The current week is partial (open circles on charts) and never used as a final value.
- Values of one region are comparable across topics; comparing regions needs the
  region calibration.
"""


def _runs_table(data: DashboardData) -> html.Table:
    runs = data.status().recent_runs.with_columns(
        started=pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M UTC"),
        seconds=(pl.col("finished_at") - pl.col("started_at")).dt.total_seconds(),
    )
    return frame_table(
        runs,
        {"started": "Started", "job_name": "Job", "status": "Status", "seconds": "Seconds",
         "rows_written": "Rows", "error": "Error"},
        "Last job runs",
    )  # fmt: skip


def layout(data: DashboardData, **_: Any) -> html.Div:
    return html.Div(
        [
            html.H1(TITLE),
            sources_table(data, "What the warehouse holds"),
            _runs_table(data),
            dcc.Markdown(METHODS),
        ]
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    """This page has no callbacks: it is rebuilt on every visit."""
