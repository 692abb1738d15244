"""The topic and region catalogue: the shipped one is valid, broken ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.errors import ConfigError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "catalogue"

REQUIRED_TOPICS = [
    "PMP", "CPR", "Food handler", "Food safety", "BLS", "CSM", "WHMIS", "Smart Serve",
    "Cybersecurity certifications", "Google certification", "Project management",
    "Accounting", "Data", "Leadership", "Business", "Payroll", "Health", "Marketing",
    "Mental health", "Finance", "Human resources", "Data science", "Law", "Python",
    "Construction", "Education", "Writing", "Digital marketing", "Healthcare", "Cybersecurity",
]  # fmt: skip


def test_shipped_catalogue_has_the_seed_topics_and_all_regions(real_catalogue: Catalogue) -> None:
    names = [t.name_en.casefold() for t in real_catalogue.topics]
    for required in REQUIRED_TOPICS:
        assert any(
            n == required.casefold() or n.startswith(required.casefold() + " ") for n in names
        ), required
    assert len(real_catalogue.topics) >= 30
    codes = set(real_catalogue.region_codes)
    provinces = ["NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT", "NU"]
    assert codes == {"CA", *(f"CA-{p}" for p in provinces)}
    for topic in real_catalogue.topics:
        assert topic.name_fr and topic.search_terms
    assert sum(1 for t in real_catalogue.topics if t.occupations) >= 25


def _write(tmp_path: Path, topics: list[dict[str, object]]) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump({"topics": topics}, allow_unicode=True))
    return path


def _topic(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "cpr",
        "name_en": "CPR",
        "name_fr": "RCR",
        "category": "compliance",
        "search_terms": ["cpr course"],
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ([_topic(), _topic()], r"entry 2 \(id 'cpr'\): duplicate id 'cpr'"),
        (
            [_topic(search_terms=[])],
            r"entry 1 \(id 'cpr'\): search_terms: List should have at least 1",
        ),
        ([_topic(regions=["CA-XX"])], r"entry 1 \(id 'cpr'\): unknown region 'CA-XX'"),
        ([_topic(id="CPR Course!")], r"entry 1 \(id 'CPR Course!'\): id: String should match"),
        ([_topic(category="misc")], r"entry 1 \(id 'cpr'\): category"),
        (
            [_topic(), _topic(id="bls", search_terms=["CPR course"])],
            r"entry 2 \(id 'bls'\): search term 'CPR course' already belongs to topic 'cpr'",
        ),
        ([_topic(search_terms=["cpr\x00; drop"])], r"entry 1 \(id 'cpr'\): search_terms.0"),
        ([_topic(colour="red")], r"entry 1 \(id 'cpr'\): colour: Extra inputs"),
        (["just a string"], r"entry 1: entry"),
    ],
)
def test_broken_entries_are_named(
    tmp_path: Path, topics: list[dict[str, object]], expected: str
) -> None:
    path = _write(tmp_path, topics)
    with pytest.raises(ConfigError, match=expected) as error:
        load_catalogue(path, FIXTURES / "regions.yaml")
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_broken_files_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="file not found"):
        load_catalogue(missing, FIXTURES / "regions.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_catalogue(bad, FIXTURES / "regions.yaml")
    bad.write_text("topics: []\n")
    with pytest.raises(ConfigError, match="list is empty"):
        load_catalogue(bad, FIXTURES / "regions.yaml")


@given(st.text(max_size=40))
def test_any_term_is_accepted_or_rejected_with_config_error(
    tmp_path_factory: pytest.TempPathFactory, term: str
) -> None:
    path = _write(tmp_path_factory.mktemp("t"), [_topic(search_terms=[term])])
    try:
        catalogue = load_catalogue(path, FIXTURES / "regions.yaml")
    except ConfigError:
        return
    accepted = catalogue.topics[0].search_terms[0]
    assert accepted == term.strip()
    assert all(ch.isprintable() for ch in accepted)
