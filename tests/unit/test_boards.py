"""Board files: the shipped ones are valid, broken ones name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from credtrends.catalogue import Catalogue
from credtrends.errors import ConfigError
from credtrends.web.boards import load_boards

REPO = Path(__file__).parents[2]


def test_shipped_boards_are_valid(real_catalogue: Catalogue) -> None:
    boards = load_boards(REPO / "dashboards", real_catalogue)
    assert len(boards) >= 2
    for board in boards.values():
        assert board.panels and board.topics
        # Shipped boards speak both languages: French that only repeats English is a leftover.
        assert board.title.fr != board.title.en
        assert board.description.fr != board.description.en


def test_board_text_is_one_for_both_languages_or_one_per_language(
    tmp_path: Path, test_catalogue: Catalogue
) -> None:
    panels = "topics: [pmp]\nregions: [CA]\npanels: [{type: interest}]\n"
    (tmp_path / "one.yaml").write_text("title: Same\n" + panels)
    (tmp_path / "two.yaml").write_text(
        "title: {en: Skills, fr: Compétences}\ndescription: {en: About}\n" + panels
    )
    boards = load_boards(tmp_path, test_catalogue)
    assert boards["one"].title.text("fr") == boards["one"].title.text("en") == "Same"
    assert boards["two"].title.text("fr") == "Compétences"
    assert boards["two"].title.text("en") == "Skills"
    assert boards["two"].description.text("fr") == "About"  # French falls back to English


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: t\ntopics: [nope]\nregions: [CA]\npanels: [{type: interest}]\n",
            "topics: unknown topic 'nope'",
        ),
        (
            "title: t\ntopics: [pmp]\nregions: [CA-XX]\npanels: [{type: interest}]\n",
            "regions: unknown region 'CA-XX'",
        ),
        ("title: t\ntopics: [pmp]\nregions: [CA]\npanels: [{type: pie}]\n", "panels.0.type"),
        (
            "title: t\ntopics: []\nregions: [CA]\npanels: [{type: interest}]\n",
            "topics: List should have at least 1",
        ),
        ("topics: [pmp]\nregions: [CA]\npanels: [{type: interest}]\n", "title: Field required"),
        (
            "title: {en: t, de: x}\ntopics: [pmp]\nregions: [CA]\npanels: [{type: interest}]\n",
            "title.de: Extra inputs",
        ),
        ("title: ''\ntopics: [pmp]\nregions: [CA]\npanels: [{type: interest}]\n", "title.en"),
        ("[1, 2\n", "not valid YAML"),
    ],
)
def test_broken_boards_name_file_and_field(
    tmp_path: Path, test_catalogue: Catalogue, text: str, expected: str
) -> None:
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(ConfigError, match=expected) as error:
        load_boards(tmp_path, test_catalogue)
    assert "b.yaml" in str(error.value)
