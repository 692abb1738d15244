"""The lines a person reads after a step: the same text whichever way the step was run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credtrends.pipelines.forecast import ForecastRunReport
    from credtrends.pipelines.sources import SourceLoadReport
    from credtrends.pipelines.trends import LoadReport


def load_report_lines(report: LoadReport) -> tuple[str, ...]:
    """A Google Trends load: payloads, batch values, calibrated values, notes."""
    lines = [
        f"{report.payloads} payload(s) landed, {report.batch_rows} batch values loaded, "
        f"{report.calibrated_rows} calibrated values written"
        + (f", {report.related_rows} related queries loaded" if report.related_rows else "")
        + (f", {report.region_rows} province levels loaded" if report.region_rows else "")
    ]
    lines += [f"  note: {line}" for line in report.not_loaded]
    if report.unmatched_terms:
        lines.append(
            "  terms matching no topic in topics.yaml (interest kept in the batches, not "
            "charted; related queries not stored): " + ", ".join(sorted(report.unmatched_terms))
        )
    return tuple(lines)


def source_report_lines(report: SourceLoadReport) -> tuple[str, ...]:
    """A StatCan, Job Bank or portal load: files, rows, notes, subjects mapping to nothing."""
    lines = [f"{report.payloads} file(s) landed, {report.rows} rows loaded"]
    lines += [f"  {note}" for note in report.notes]
    if report.unmapped_subjects:
        top = ", ".join(f"{s!r} ({n})" for s, n in report.unmapped_subjects.most_common(15))
        lines.append(
            f"  {len(report.unmapped_subjects)} subject(s) map to no topic (add them to "
            f"config/subject_mapping.yaml): {top}"
        )
    return tuple(lines)


def forecast_report_lines(report: ForecastRunReport) -> tuple[str, ...]:
    """A forecast run: its id, series and rows, then one line per model's accuracy."""
    lines = [f"forecast run {report.forecast_run_id}: {report.series} series, {report.rows} rows"]
    for row in report.summary.iter_rows(named=True):
        lines.append("  " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                      for k, v in row.items()))  # fmt: skip
    return tuple(lines)
