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
