"""PDF document information: what a PDF says about itself in a viewer's "Properties".

Chromium names a printed page after its HTML <title> (kaleido's is "Kaleido-fier") and
writes nothing else; an analyst filing the PDF needs its title, source, licence and date.
The document is rewritten by pypdf, page content untouched.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject


def pdf_date(moment: datetime) -> str:
    """A PDF date string (ISO 32000 7.9.4), in UTC: D:20261202011300Z."""
    return moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")


def with_pdf_metadata(pdf: bytes, fields: Mapping[str, str]) -> bytes:
    """``pdf`` with its document information set from ``fields``: the standard keys
    (Title, Author, Subject, Keywords, Creator, Producer, CreationDate) and any others,
    such as Licence or Source, as custom keys. Empty values are left out."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata(
        {NameObject("/" + key): TextStringObject(value) for key, value in fields.items() if value}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def now_pdf_date() -> str:
    return pdf_date(datetime.now(UTC))
