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
from credtrends.web.columns import column_descriptions
from credtrends.web.exports import escape_formula, escape_formula_cells
from credtrends.web.i18n import N_, Translator, parse_lang
from credtrends.web.pdf_metadata import now_pdf_date, with_pdf_metadata
from credtrends.web.print_layout import print_figure

ImageFormat = Literal["png", "svg", "pdf"]
_server_lock = threading.Lock()
_server_started = False

LICENCE = Translator()(N_("licence"))  # the English line; a French download says it in French
RETRIEVED_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclass(frozen=True)
class ExportInfo:
    """What every download says about itself (footer, metadata sheet, JSON)."""

    title: str
    sources: list[str]
    synthetic: bool
    permalink: str
    notes: list[str] = field(default_factory=list)
    retrieved_at: str = field(default_factory=lambda: datetime.now(UTC).strftime(RETRIEVED_FORMAT))
    #: Empty: the licence line in the download's language.
    licence: str = ""
    generator: str = f"credtrends {__version__}"
    lang: str = "en"
    #: Per forecast shown: its readable model, backtest accuracy and interval coverage.
    forecast_accuracy: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.licence:
            object.__setattr__(self, "licence", Translator(parse_lang(self.lang))(N_("licence")))

    def retrieved_text(self) -> str:
        """When the data was read, as the reader's language writes a date and time."""
        try:
            when = datetime.strptime(self.retrieved_at, RETRIEVED_FORMAT)
        except ValueError:
            return self.retrieved_at
        return Translator(parse_lang(self.lang)).timestamp(when)

    def footer_lines(self) -> list[str]:
        tr = Translator(parse_lang(self.lang))
        lines = [tr("retrieved", sources=", ".join(self.sources), when=self.retrieved_text())]
        if self.synthetic:
            lines.insert(0, tr("synthetic_footer"))
        lines.extend(self.notes)
        lines.extend(self.forecast_accuracy)
        lines.append(f"{self.permalink} | {self.licence}")
        return lines

    def pdf_fields(self, subject: str = "") -> dict[str, str]:
        """The PDF document information of a download (see ``pdf_metadata``)."""
        tr = Translator(parse_lang(self.lang))
        sources = ", ".join(self.sources)
        title = f"{self.title} ({tr('synthetic_title')})" if self.synthetic else self.title
        return {
            "Title": title,
            "Author": "credtrends",
            "Subject": subject or tr("retrieved", sources=sources, when=self.retrieved_text()),
            "Keywords": ", ".join(["credtrends", *self.sources]),
            "Creator": self.generator,
            "CreationDate": now_pdf_date(),
            "Source": sources,
            "Licence": self.licence,
            "Retrieved": self.retrieved_at,
            "Permalink": self.permalink,
            "Synthetic": "true" if self.synthetic else "false",
            "Language": self.lang,
        }


def _ensure_export_server() -> None:
    global _server_started
    with _server_lock:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True


def with_footer(figure: dict[str, Any], info: ExportInfo) -> go.Figure:
    """The chart with its provenance written under it, as Our World in Data's charts do:
    laid out for print, the footer wrapped inside the image (``print_layout``)."""
    return print_figure(figure, info.footer_lines())


def render_image(
    figure: dict[str, Any], info: ExportInfo, image_format: ImageFormat, scale: float = 2.0
) -> bytes:
    """PNG at ``scale`` times 1200 px (2x by default: sharp in print); PDF with its title,
    source, licence and date in the document information (never kaleido's page title)."""
    _ensure_export_server()
    with warnings.catch_warnings():
        # plotly warns that per-call options are ignored once the warm server runs: intended.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        image = bytes(
            pio.to_image(
                with_footer(figure, info),
                format=image_format,
                scale=scale if image_format == "png" else 1,
            )
        )
    if image_format == "pdf":
        return with_pdf_metadata(image, info.pdf_fields())
    return image


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


def metadata_json(
    frame: pl.DataFrame, info: ExportInfo, csv_name: str, shown: pl.DataFrame | None = None
) -> str:
    """Metadata beside a CSV, with snippets to load it in pandas and R; every column's
    meaning and French header, also those of the "as shown" CSV (``shown``)."""
    document = {
        **asdict(info),
        "columns": {name: str(dtype) for name, dtype in frame.schema.items()},
        "column_descriptions": column_descriptions(frame),
        "shown_column_descriptions": column_descriptions(shown if shown is not None else frame),
        "rows": frame.height,
        "load_with_pandas": f"import pandas as pd\ndf = pd.read_csv('{csv_name}')",
        "load_with_r": f"df <- read.csv('{csv_name}')",
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
