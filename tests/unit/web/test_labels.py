"""Scatter labels never cover each other or another point, and stay inside the plot."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from credtrends.web.labels import overlaps, place_labels

WIDTH, HEIGHT = 900.0, 420.0


def test_two_close_points_get_labels_on_different_sides() -> None:
    positions, boxes = place_labels(
        [10.0, 10.5, 80.0], [2.0, 2.05, 1.0], ["Data science", "Cybersecurity", "PMP"],
        WIDTH, HEIGHT, log_y=True,
    )  # fmt: skip
    assert all(boxes)
    assert positions[0] != positions[1]
    first, second = boxes[0], boxes[1]
    assert first is not None and second is not None
    assert not overlaps(first, second)


def test_an_empty_text_takes_no_room() -> None:
    _, boxes = place_labels([1.0, 2.0], [1.0, 2.0], ["", "B"], WIDTH, HEIGHT)
    assert boxes[0] is None and boxes[1] is not None


points = st.lists(
    st.tuples(st.floats(0.1, 100), st.floats(0.1, 10), st.text(min_size=1, max_size=20)),
    min_size=1,
    max_size=30,
)


@given(points)
def test_placed_labels_never_overlap_and_stay_inside(rows: list[tuple[float, float, str]]) -> None:
    x, y, texts = (list(column) for column in zip(*rows, strict=True))
    _, boxes = place_labels(x, y, texts, WIDTH, HEIGHT, log_y=True)
    shown = [box for box in boxes if box is not None]
    for index, box in enumerate(shown):
        assert box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT
        assert not any(overlaps(box, other) for other in shown[index + 1 :])
