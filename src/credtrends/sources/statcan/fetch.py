"""I/O for the Statistics Canada Web Data Service (WDS): returns raw payloads, parses nothing.

Endpoints (https://www.statcan.gc.ca/en/developers/wds/user-guide):
``GET getFullTableDownloadCSV/{pid}/{lang}`` answers ``{"status": "SUCCESS", "object":
"https://www150.statcan.gc.ca/n1/tbl/csv/{pid}-eng.zip"}``; the zip holds ``{pid}.csv`` and
``{pid}_MetaData.csv``. ``POST getDataFromVectorsAndLatestNPeriods`` takes
``[{"vectorId": n, "latestN": k}]``; ``POST getCubeMetadata`` takes ``[{"productId": pid}]``.
Both payloads of a full-table fetch (the link and the zip) are returned so both get landed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

from credtrends.errors import InvalidPayload
from credtrends.sources.base import PoliteHttp, SourcePayload
from credtrends.sources.statcan.parse import parse_download_link

WDS_BASE = "https://www150.statcan.gc.ca/t1/wds/rest"
BACKEND = "statcan-wds"
ALLOWED_DOWNLOAD_HOSTS = frozenset({"www150.statcan.gc.ca", "www.statcan.gc.ca"})
MAX_VECTORS_PER_REQUEST = 300
"""WDS accepts batches; keep requests modest so one failure costs little."""


@dataclass(frozen=True, slots=True)
class FullTableDownload:
    """The two payloads of one full-table fetch; parse ``archive`` with parse_full_table_zip."""

    link: SourcePayload
    archive: SourcePayload


def new_http(**overrides: object) -> PoliteHttp:
    """A PoliteHttp for StatCan; pass ``session=`` (a fake) in tests."""
    return PoliteHttp(source="Statistics Canada WDS", **overrides)  # type: ignore[arg-type]


def fetch_full_table(
    http: PoliteHttp, pid: str, language: Literal["en", "fr"] = "en"
) -> FullTableDownload:
    """Ask WDS for the full-table zip URL, then download the zip (bytes untouched)."""
    link = http.request(
        "GET", f"{WDS_BASE}/getFullTableDownloadCSV/{pid}/{language}", backend=BACKEND
    )
    url = parse_download_link(link)
    host = urlparse(url).hostname or ""
    if host not in ALLOWED_DOWNLOAD_HOSTS:
        raise InvalidPayload(f"{link.label()}: download URL on unexpected host {host!r}")
    archive = http.request("GET", url, backend=BACKEND)
    return FullTableDownload(link=link, archive=archive)


def fetch_vectors(
    http: PoliteHttp, vector_ids: Sequence[int], latest_n: int
) -> list[SourcePayload]:
    """The latest ``latest_n`` periods of each vector, in batches of MAX_VECTORS_PER_REQUEST."""
    if latest_n < 1:
        raise ValueError("latest_n must be at least 1")
    ids = sorted(set(vector_ids))
    payloads = []
    for start in range(0, len(ids), MAX_VECTORS_PER_REQUEST):
        body = [
            {"vectorId": vector_id, "latestN": latest_n}
            for vector_id in ids[start : start + MAX_VECTORS_PER_REQUEST]
        ]
        payloads.append(
            http.request(
                "POST",
                f"{WDS_BASE}/getDataFromVectorsAndLatestNPeriods",
                json_body=body,
                backend=BACKEND,
            )
        )
    return payloads


def fetch_cube_metadata(http: PoliteHttp, pid: str) -> SourcePayload:
    """getCubeMetadata for one table (dimensions, members, release time)."""
    return http.request(
        "POST",
        f"{WDS_BASE}/getCubeMetadata",
        json_body=[{"productId": int(pid)}],
        backend=BACKEND,
    )
