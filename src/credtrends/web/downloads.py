"""Chart and data downloads for analysts: images that carry their provenance, data files
with a metadata sheet, safe to open in a spreadsheet.

Images are rendered by kaleido with the machine's Chromium. Its export server is started
once per process on first use and kept warm (measured here: ~4 s per image cold, ~0.3 s
warm), which is the one piece of process state this module keeps.
"""

from __future__ import annotations

import io
import json
import threading
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from openpyxl import Workbook

from credtrends import __version__
from credtrends.web.exports import escape_formula, escape_formula_cells
from credtrends.web.i18n import Translator, parse_lang

ImageFormat = Literal["png", "svg", "pdf"]
_server_lock = threading.Lock()
_server_started = False

LICENCE = (
    "credtrends code: Apache-2.0. Google Trends data: Google's terms of service. "
    "Statistics Canada data: Open Government Licence - Canada."
)


@dataclass(frozen=True)
class ExportInfo:
    """What every download says about itself (footer, metadata sheet, JSON)."""

    title: str
    sources: list[str]
    synthetic: bool
    permalink: str
    notes: list[str] = field(default_factory=list)
    retrieved_at: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    licence: str = LICENCE
    generator: str = f"credtrends {__version__}"
    lang: str = "en"
    #: Per forecast shown: its readable model, backtest accuracy and interval coverage.
    forecast_accuracy: list[str] = field(default_factory=list)

    def footer_lines(self) -> list[str]:
        tr = Translator(parse_lang(self.lang))
        lines = [tr("retrieved", sources=", ".join(self.sources), when=self.retrieved_at)]
        if self.synthetic:
            lines.insert(0, tr("synthetic_footer"))
        lines.extend(self.notes)
        lines.extend(self.forecast_accuracy)
        lines.append(f"{self.permalink} | {self.licence}")
        return lines


def _ensure_export_server() -> None:
    global _server_started
    with _server_lock:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True


def with_footer(figure: dict[str, Any], info: ExportInfo) -> go.Figure:
    """The chart with its provenance written under it, as Our World in Data's charts do."""
    exported = go.Figure(figure)
    lines = info.footer_lines()
    margin_bottom = 70 + 15 * len(lines)
    # The footer replaces the on-screen source line; the legend moves above the plot.
    kept = [a for a in exported.layout.annotations if not str(a.text or "").startswith("Source:")]
    exported.layout.annotations = kept
    exported.update_layout(
        width=1200,
        height=680 + 15 * len(lines),
        margin={"b": margin_bottom, "t": 130},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    exported.add_annotation(
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-(margin_bottom - 10),
        xanchor="left",
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": 10, "color": "#444"},
    )
    return exported


def render_image(figure: dict[str, Any], info: ExportInfo, image_format: ImageFormat) -> bytes:
    _ensure_export_server()
    with warnings.catch_warnings():
        # plotly warns that per-call options are ignored once the warm server runs: intended.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return bytes(pio.to_image(with_footer(figure, info), format=image_format))


def xlsx_bytes(frame: pl.DataFrame, info: ExportInfo) -> bytes:
    """The data (formula triggers escaped) plus an "about" sheet with the metadata."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data"
    safe = escape_formula_cells(frame)
    sheet.append(safe.columns)
    for row in safe.iter_rows():
        sheet.append(list(row))
    about = workbook.create_sheet("about")
    for key, value in asdict(info).items():
        text = ", ".join(value) if isinstance(value, list) else str(value)
        about.append([escape_formula(key), escape_formula(text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def metadata_json(frame: pl.DataFrame, info: ExportInfo, csv_name: str) -> str:
    """Metadata beside a CSV, with snippets to load it in pandas and R."""
    document = {
        **asdict(info),
        "columns": {name: str(dtype) for name, dtype in frame.schema.items()},
        "rows": frame.height,
        "load_with_pandas": f"import pandas as pd\ndf = pd.read_csv('{csv_name}')",
        "load_with_r": f"df <- read.csv('{csv_name}')",
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
