"""Figure builders: the comparable scale when available, partial periods kept apart,
Google's 2022 break marked, every word in the chosen language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from credtrends.warehouse.queries import INTEREST_SCHEMA
from credtrends.web.figures import (
    GOOGLE_BREAK,
    add_error_band,
    interest_figure,
    interest_values,
)
from credtrends.web.i18n import Translator

EN = Translator("en")
FR = Translator("fr")


def frame(calibrated: bool, synthetic: bool = True, start: date = date(2025, 1, 5)) -> pl.DataFrame:
    rows = []
    for topic in ("pmp", "cpr"):
        for i in range(5):
            rows.append(
                {
                    "topic_id": topic,
                    "region_code": "CA",
                    "period_start": start + timedelta(weeks=i),
                    "raw_value": float(20 * i),
                    "calibrated_value": float(10 * i) if calibrated else None,
                    "calibrated_low": float(10 * i) - 0.5 if calibrated else None,
                    "calibrated_high": float(10 * i) + 0.5 if calibrated else None,
                    "scale_method": "x",
                    "is_partial": i == 4,
                    "is_synthetic": synthetic,
                    "source": "synthetic-demo" if synthetic else "google-trends",
                }
            )
    return pl.DataFrame(rows, schema=INTEREST_SCHEMA)


def shown(raw: pl.DataFrame) -> pl.DataFrame:
    values, _ = interest_values(raw)
    return values.with_columns(series=pl.col("topic_id"))


def figure_of(raw: pl.DataFrame, names: dict[str, str], tr: Translator = EN) -> Any:
    return interest_figure(shown(raw), names, "Search interest in Canada", "axis", tr, "Week")


def test_calibrated_scale_is_used_only_when_complete() -> None:
    values, key = interest_values(frame(calibrated=True))
    assert values["value"].to_list()[:2] == [0.0, 10.0] and "one scale" in EN(key)
    values, key = interest_values(frame(calibrated=False))
    assert values["value"].to_list()[:2] == [0.0, 20.0] and "not comparable" in EN(key)


def test_partial_points_are_separate_and_synthetic_is_marked() -> None:
    figure = figure_of(frame(True), {"pmp": "PMP", "cpr": "CPR"})
    lines = [t for t in figure.data if t.mode == "lines"]
    partial = [t for t in figure.data if t.mode == "lines+markers"]
    assert sorted(t.name for t in lines) == ["CPR", "PMP"]
    assert all(len(t.x) == 4 for t in lines) and len(partial) == 2
    # the unfinished period: an open marker on a dotted step from the last final value
    for trace in partial:
        assert len(trace.x) == 2 and trace.x[0] == lines[0].x[-1]
        assert list(trace.marker.symbol) == ["circle", "circle-open"]
        assert trace.line.dash == "dot"
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "SYNTHETIC" in texts and "synthetic-demo" in texts


def test_french_figure_speaks_french() -> None:
    figure = figure_of(frame(True), {"pmp": "PMP"}, FR)
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "DONNÉES SYNTHÉTIQUES" in texts and "Source" in texts
    partial = [t for t in figure.data if t.mode == "lines+markers"]
    assert "partielle" in partial[0].text[-1] and not partial[0].text[0]


def test_real_data_has_no_synthetic_mark_and_empty_says_so() -> None:
    figure = figure_of(frame(True, synthetic=False), {})
    assert "SYNTHETIC" not in " ".join(a.text for a in figure.layout.annotations)
    empty = figure_of(frame(True).head(0), {})
    assert "No search interest" in empty.layout.annotations[0].text


def test_series_from_different_sources_are_separate_lines() -> None:
    mixed = pl.concat(
        [frame(True), frame(True, synthetic=False).filter(pl.col("topic_id") == "pmp")]
    )
    figure = figure_of(mixed, {"pmp": "PMP", "cpr": "CPR"})
    names = sorted(t.name for t in figure.data if t.mode == "lines")
    assert names == ["CPR (synthetic-demo)", "PMP (google-trends)", "PMP (synthetic-demo)"]


def test_google_break_is_marked_only_when_the_range_spans_it() -> None:
    spanning = frame(True, start=GOOGLE_BREAK - timedelta(weeks=2))
    marked = figure_of(spanning, {})
    assert any(s.type == "line" for s in marked.layout.shapes)
    assert "Google data break" in " ".join(a.text for a in marked.layout.annotations)
    unmarked = figure_of(frame(True), {})
    assert not unmarked.layout.shapes


def test_a_dozen_topics_with_their_calibration_bands() -> None:
    topics = [f"t{i}" for i in range(12)]
    many = pl.concat(
        [
            frame(True).filter(pl.col("topic_id") == "pmp").with_columns(topic_id=pl.lit(t))
            for t in topics
        ]
    )
    figure = figure_of(many, {})
    add_error_band(figure, shown(many), {}, EN)
    lines = [t for t in figure.data if t.mode == "lines" and t.fill is None]
    bands = [t for t in figure.data if t.fill == "toself"]
    assert len(lines) == 12 and len(bands) == 12
    band = bands[0]
    assert list(band.y[:5]) == [0.5, 10.5, 20.5, 30.5, 40.5]  # the upper bounds, then the lower


def test_uncalibrated_series_get_no_band() -> None:
    figure = figure_of(frame(False), {})
    before = len(figure.data)
    add_error_band(figure, shown(frame(False)), {}, EN)
    assert len(figure.data) == before
