"""Figure builders: the comparable scale when available, partial periods kept apart."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from credtrends.warehouse.queries import INTEREST_SCHEMA
from credtrends.web.figures import interest_figure, interest_values


def frame(calibrated: bool, synthetic: bool = True) -> pl.DataFrame:
    rows = []
    for topic in ("pmp", "cpr"):
        for i in range(5):
            rows.append(
                {
                    "topic_id": topic,
                    "region_code": "CA",
                    "period_start": date(2025, 1, 5) + timedelta(weeks=i),
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


def test_calibrated_scale_is_used_only_when_complete() -> None:
    shown, title = interest_values(frame(calibrated=True))
    assert shown["value"].to_list()[:2] == [0.0, 10.0] and "one scale" in title
    shown, title = interest_values(frame(calibrated=False))
    assert shown["value"].to_list()[:2] == [0.0, 20.0] and "not comparable" in title


def test_partial_points_are_separate_and_synthetic_is_marked() -> None:
    figure = interest_figure(frame(True), {"pmp": "PMP", "cpr": "CPR"}, "Canada")
    lines = [t for t in figure.data if t.mode == "lines"]
    partial = [t for t in figure.data if t.mode == "markers"]
    assert [t.name for t in lines] == ["CPR", "PMP"] or [t.name for t in lines] == ["PMP", "CPR"]
    assert all(len(t.x) == 4 for t in lines) and all(len(t.x) == 1 for t in partial)
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "SYNTHETIC" in texts and "synthetic-demo" in texts


def test_real_data_has_no_synthetic_mark_and_empty_says_so() -> None:
    figure = interest_figure(frame(True, synthetic=False), {}, "Canada")
    assert "SYNTHETIC" not in " ".join(a.text for a in figure.layout.annotations)
    empty = interest_figure(frame(True).head(0), {}, "Canada")
    assert "No search interest" in empty.layout.annotations[0].text


def test_series_from_different_sources_are_separate_lines() -> None:
    mixed = pl.concat(
        [frame(True), frame(True, synthetic=False).filter(pl.col("topic_id") == "pmp")]
    )
    figure = interest_figure(mixed, {"pmp": "PMP", "cpr": "CPR"}, "Canada")
    names = sorted(t.name for t in figure.data if t.mode == "lines")
    assert names == ["CPR (synthetic-demo)", "PMP (google-trends)", "PMP (synthetic-demo)"]


def test_a_dozen_topics_with_their_calibration_bands() -> None:
    from credtrends.web.figures import add_error_band

    topics = [f"t{i}" for i in range(12)]
    many = pl.concat(
        [
            frame(True).filter(pl.col("topic_id") == "pmp").with_columns(topic_id=pl.lit(t))
            for t in topics
        ]
    )
    figure = interest_figure(many, {}, "Canada")
    add_error_band(figure, many, {})
    lines = [t for t in figure.data if t.mode == "lines" and t.fill is None]
    bands = [t for t in figure.data if t.fill == "toself"]
    assert len(lines) == 12 and len(bands) == 12
    assert "one scale" in figure.layout.yaxis.title.text
    band = bands[0]
    assert list(band.y[:5]) == [0.5, 10.5, 20.5, 30.5, 40.5]  # the upper bounds, then the lower


def test_uncalibrated_series_get_no_band() -> None:
    from credtrends.web.figures import add_error_band

    figure = interest_figure(frame(False), {}, "Canada")
    before = len(figure.data)
    add_error_band(figure, frame(False), {})
    assert len(figure.data) == before
