"""Download file names that say what they hold, so saving several views overwrites nothing:
``credtrends-interest-cybersecurity-british-columbia-2026-12-02.png``.

Names are built from the view's validated state (topic ids, region names), slugified to
lower-case ASCII letters, digits and hyphens: safe in a Content-Disposition header and on
every file system, whatever a topic or region is called.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

MAX_PART_CHARS = 40
MAX_TOPICS_NAMED = 3
MAX_STEM_CHARS = 150


def slugify(text: str, max_chars: int = MAX_PART_CHARS) -> str:
    """ "Québec (province)" -> "quebec-province"; empty when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_chars].strip("-")


def _topic_part(topics: Sequence[str]) -> str:
    named = [slugify(topic) for topic in topics[:MAX_TOPICS_NAMED]]
    if len(topics) > MAX_TOPICS_NAMED:
        named.append(f"and-{len(topics) - MAX_TOPICS_NAMED}-more")
    return "-".join(part for part in named if part)


def download_stem(
    page: str,
    state: Mapping[str, str],
    region_names: Mapping[str, str],
    *,
    kind: str = "",
    day: date | None = None,
) -> str:
    """credtrends-<page>[-<kind>]-<topics>-<region(s)>[-fr]-<date>: topics by id, regions by
    English name, the language when French, the date of the download (UTC)."""
    topics = [t for t in state.get("topic", "").split(",") if t]
    if state.get("compare") == "regions":
        regions = [r for r in state.get("regions", "").split(",") if r]
        region_part = "-".join(slugify(region_names.get(r, r)) for r in regions[:MAX_TOPICS_NAMED])
        if len(regions) > MAX_TOPICS_NAMED:
            region_part += f"-and-{len(regions) - MAX_TOPICS_NAMED}-more"
        topics = topics[:1]  # regions are compared for the first topic only
    else:
        region = state.get("region", "")
        region_part = slugify(region_names.get(region, region)) if region else ""
    moment = day or datetime.now(UTC).date()
    parts = [
        "credtrends",
        slugify(page),
        slugify(kind),
        _topic_part(topics),
        region_part,
        "fr" if state.get("lang") == "fr" else "",
    ]
    stem = "-".join(part for part in parts if part)[:MAX_STEM_CHARS].strip("-")
    return f"{stem}-{moment.isoformat()}"
