"""Statistics Canada: job vacancies by occupation (NOC 2021) and region, via WDS.

``fetch_*`` do I/O only and return raw payloads; ``parse_*`` are pure and return
``labour_market_observations`` frames (without provenance) plus a ParseReport.
"""

from credtrends.sources.base import ParseReport, PoliteHttp, SourcePayload
from credtrends.sources.statcan.fetch import (
    BACKEND,
    FullTableDownload,
    fetch_cube_metadata,
    fetch_full_table,
    fetch_vectors,
    new_http,
)
from credtrends.sources.statcan.parse import (
    JVWS_LEGACY_NOC2016,
    JVWS_OCCUPATION_CHARACTERISTICS,
    JVWS_UNIT_GROUP,
    OBSERVATION_SCHEMA,
    TABLES,
    StatcanTable,
    VectorSeries,
    parse_download_link,
    parse_full_table_zip,
    parse_table_csv,
    parse_vector_data,
    region_lookup,
    vector_index,
)
from credtrends.sources.statcan.values import CellValue, parse_statcan_value

__all__ = [
    "BACKEND",
    "JVWS_LEGACY_NOC2016",
    "JVWS_OCCUPATION_CHARACTERISTICS",
    "JVWS_UNIT_GROUP",
    "OBSERVATION_SCHEMA",
    "TABLES",
    "CellValue",
    "FullTableDownload",
    "ParseReport",
    "PoliteHttp",
    "SourcePayload",
    "StatcanTable",
    "VectorSeries",
    "fetch_cube_metadata",
    "fetch_full_table",
    "fetch_vectors",
    "new_http",
    "parse_download_link",
    "parse_full_table_zip",
    "parse_statcan_value",
    "parse_table_csv",
    "parse_vector_data",
    "region_lookup",
    "vector_index",
]
