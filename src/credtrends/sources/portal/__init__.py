"""Supply side: micro-credential catalogues and portal search lists -> portal_topic_counts.

Importers parse files institutions hold (CSV/XLSX/JSON exports) and Credential Engine CTDL
JSON-LD into programs, map their free-text subjects to topics through
``config/subject_mapping.yaml`` and count programs per topic, region and month. Unmapped
subjects come back with counts so the mapping can be extended.
"""

from credtrends.sources.portal.ctdl import CONTENT_TYPE_CTDL, parse_ctdl
from credtrends.sources.portal.mapping import (
    SubjectMapping,
    load_subject_mapping,
    normalise_subject,
)
from credtrends.sources.portal.programs import (
    COUNT_SCHEMA,
    PROGRAM_SCHEMA,
    CatalogueResult,
    Program,
    region_lookup_for_portal,
)
from credtrends.sources.portal.searches import parse_top_searches
from credtrends.sources.portal.tabular import (
    CONTENT_TYPE_CSV,
    CONTENT_TYPE_JSON,
    CONTENT_TYPE_XLSX,
    parse_catalogue,
)

BACKEND = "portal-import"

__all__ = [
    "BACKEND",
    "CONTENT_TYPE_CSV",
    "CONTENT_TYPE_CTDL",
    "CONTENT_TYPE_JSON",
    "CONTENT_TYPE_XLSX",
    "COUNT_SCHEMA",
    "PROGRAM_SCHEMA",
    "CatalogueResult",
    "Program",
    "SubjectMapping",
    "load_subject_mapping",
    "normalise_subject",
    "parse_catalogue",
    "parse_ctdl",
    "parse_top_searches",
    "region_lookup_for_portal",
]
