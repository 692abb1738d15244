"""Credential Engine Registry (CTDL JSON-LD) -> Program records.

Shapes confirmed from published CTDL samples: a resource has ``@type`` (``ceterms:Certificate``,
``ceterms:MicroCredential``, ``ceterms:DigitalBadge``, ``ceterms:LearningOpportunityProfile``,
...), ``ceterms:name`` (a string or a language map ``{"en-US": ...}``), ``ceterms:subject``
(``ceterms:CredentialAlignmentObject`` with ``ceterms:targetNodeName``), ``ceterms:keyword``,
``ceterms:offeredBy`` / ``ceterms:ownedBy`` (``{"@id": ...}`` or CTID strings),
``ceterms:availableAt`` (``ceterms:Place`` with ``ceterms:addressRegion``) and
``ceterms:estimatedCost`` (``ceterms:price``). Documents come as one resource, a list, or
``{"@graph": [...]}``; organisations in the same graph give provider names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from credtrends.errors import InvalidPayload
from credtrends.sources.base import ParseReport, SourcePayload
from credtrends.sources.portal.mapping import SubjectMapping
from credtrends.sources.portal.programs import (
    CatalogueResult,
    Program,
    count_programs,
    resolve_region,
)
from credtrends.sources.portal.tabular import parse_listing_date

CONTENT_TYPE_CTDL = "application/ld+json"
PROGRAM_TYPES = frozenset(
    {
        "ceterms:Credential",
        "ceterms:Certificate",
        "ceterms:Certification",
        "ceterms:MicroCredential",
        "ceterms:DigitalBadge",
        "ceterms:Badge",
        "ceterms:OpenBadge",
        "ceterms:BasicTechnicalCertificate",
        "ceterms:CertificateOfCompletion",
        "ceterms:ProficiencyCertificate",
        "ceterms:ApprenticeshipCertificate",
        "ceterms:LearningOpportunityProfile",
        "ceterms:LearningProgram",
        "ceterms:Course",
    }
)
ORGANIZATION_TYPES = frozenset(
    {"ceterms:CredentialOrganization", "ceterms:QACredentialOrganization", "ceterms:Organization"}
)


def text_of(
    value: Any, languages: tuple[str, ...] = ("en-US", "en", "en-CA", "fr", "fr-CA")
) -> str | None:
    """A CTDL string or language map -> one string (English first, then French, then any)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for language in languages:
            if isinstance(value.get(language), str) and value[language].strip():
                return str(value[language]).strip()
        for item in value.values():
            if isinstance(item, str) and item.strip():
                return item.strip()
            if isinstance(item, list) and item and isinstance(item[0], str):
                return item[0].strip()
    if isinstance(value, list) and value:
        return text_of(value[0], languages)
    return None


def _texts(value: Any) -> list[str]:
    """All strings of a value that may be a string, a language map of lists, or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        if "ceterms:targetNodeName" in value:
            return _texts(value["ceterms:targetNodeName"])
        if "@type" in value or "@id" in value:
            return []
        return [t for v in value.values() for t in _texts(v)]
    return [str(value).strip()] if str(value).strip() else []


def _types(resource: Mapping[str, Any]) -> set[str]:
    kind = resource.get("@type")
    return {kind} if isinstance(kind, str) else {k for k in kind or [] if isinstance(k, str)}


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        if isinstance(item, str):
            ids.append(item)
        elif isinstance(item, dict) and isinstance(item.get("@id"), str):
            ids.append(item["@id"])
    return ids


def _ctid_of(identifier: str) -> str:
    return identifier.rstrip("/").rsplit("/", 1)[-1]


def parse_ctdl(
    payload: SourcePayload,
    mapping: SubjectMapping,
    regions: Mapping[str, str],
    *,
    as_of: date,
) -> CatalogueResult:
    """CTDL JSON-LD -> programs per region. One Program per resource and available region;
    resources without a Canadian region are skipped and counted. ``ceterms:dateEffective``
    dates a program when present, else ``as_of`` (the registry snapshot date)."""
    what = payload.label()
    report = ParseReport(source=what)
    resources = _resources(payload, what)
    names = _organisation_names(resources)
    programs: list[Program] = []
    for resource in resources:
        if _types(resource) & PROGRAM_TYPES:
            report.rows_read += 1
            programs.extend(_programs_of(resource, names, regions, as_of, report))
    if not programs:
        raise InvalidPayload(
            f"{what}: no CTDL credential or learning opportunity with a "
            f"Canadian region ({report.summary()})"
        )
    report.rows_kept = len(programs)
    programs_frame, counts, unmapped = count_programs(programs, mapping, report)
    return CatalogueResult(programs_frame, counts, unmapped, report)


def _resources(payload: SourcePayload, what: str) -> list[dict[str, Any]]:
    """The document's resources: one resource, a list, an ``@graph`` or a ``data`` list."""
    try:
        document = json.loads(payload.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPayload(f"{what}: not JSON ({exc})") from exc
    if isinstance(document, dict) and isinstance(document.get("@graph"), list):
        resources = document["@graph"]
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        resources = document["data"]
    elif isinstance(document, list):
        resources = document
    elif isinstance(document, dict):
        resources = [document]
    else:
        raise InvalidPayload(f"{what}: expected a CTDL resource, a list or an @graph")
    return [r for r in resources if isinstance(r, dict)]


def _organisation_names(resources: list[dict[str, Any]]) -> dict[str, str]:
    """Provider names of the graph's organisations, by ``@id``, CTID and the id's tail."""
    names: dict[str, str] = {}
    for resource in resources:
        if _types(resource) & ORGANIZATION_TYPES:
            name = text_of(resource.get("ceterms:name"))
            for key in (resource.get("@id"), resource.get("ceterms:ctid")):
                if isinstance(key, str) and name:
                    names[key] = name
                    names[_ctid_of(key)] = name
    return names


def _provider(resource: Mapping[str, Any], names: Mapping[str, str]) -> str | None:
    """The offering (else owning) organisation's name, else its id."""
    offered = _ids(resource.get("ceterms:offeredBy")) or _ids(resource.get("ceterms:ownedBy"))
    return next(
        (
            names.get(i) or names.get(_ctid_of(i))
            for i in offered
            if names.get(i) or names.get(_ctid_of(i))
        ),
        offered[0] if offered else None,
    )


def _region_codes(resource: Mapping[str, Any], regions: Mapping[str, str]) -> list[str]:
    """The catalogue regions it is available at; online only counts as all of Canada."""
    places = resource.get("ceterms:availableAt") or []
    places = places if isinstance(places, list) else [places]
    region_codes = []
    for place in places:
        if isinstance(place, dict):
            code = resolve_region(text_of(place.get("ceterms:addressRegion")), regions)
            if code and code not in region_codes:
                region_codes.append(code)
    if not region_codes and resource.get("ceterms:availableOnlineAt"):
        region_codes = ["CA"]
    return region_codes


def _cost_and_duration(resource: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The first estimated cost's price and the first estimated duration, when given."""
    cost = None
    costs = resource.get("ceterms:estimatedCost")
    if isinstance(costs, list) and costs and isinstance(costs[0], dict):
        price = costs[0].get("ceterms:price")
        cost = float(price) if isinstance(price, int | float) else None
    duration = None
    durations = resource.get("ceterms:estimatedDuration")
    if isinstance(durations, list) and durations and isinstance(durations[0], dict):
        duration = text_of(durations[0].get("ceterms:exactDuration"))
    return cost, duration


def _programs_of(
    resource: Mapping[str, Any],
    names: Mapping[str, str],
    regions: Mapping[str, str],
    as_of: date,
    report: ParseReport,
) -> list[Program]:
    """One Program per region a credential resource is available in; none (counted as a
    skip) without a name or a Canadian region."""
    title = text_of(resource.get("ceterms:name"))
    if not title:
        report.skip("name_missing")
        return []
    region_codes = _region_codes(resource, regions)
    if not region_codes:
        report.skip("no_canadian_region")
        return []
    subjects = _texts(resource.get("ceterms:subject")) + _texts(resource.get("ceterms:keyword"))
    provider = _provider(resource, names)
    listed = parse_listing_date(text_of(resource.get("ceterms:dateEffective"))) or as_of
    cost, duration = _cost_and_duration(resource)
    modes = ", ".join(_texts(resource.get("ceterms:deliveryType"))) or None
    return [
        Program(title, provider, tuple(subjects), modes, duration, cost, region, listed)
        for region in region_codes
    ]
