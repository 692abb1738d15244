"""Forecast facts in words a planner reads: the model's name and how accurate it was.

Pure functions of stored results (``forecasts.model``, ``forecast_errors``): pages read
backtests, they never compute them.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from credtrends.web.i18n import N_, Translator

SEASONAL_SUFFIX = "_seasonal"
#: Below this relative difference, "as accurate as repeating last year".
SAME_ACCURACY = 0.005
MODEL_LABELS = {
    "naive": N_("model_naive"), "snaive": N_("model_snaive"), "naive2": N_("model_naive2"),
    "ses": N_("model_ses"), "holt": N_("model_holt"), "damped": N_("model_damped"),
    "theta": N_("model_theta"), "ets": N_("model_ets"), "arima": N_("model_arima"),
    "comb": N_("model_comb"),
}  # fmt: skip
KNOWN_MODELS = tuple(MODEL_LABELS)


def _joined(names: list[str], tr: Translator) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {tr('list_and')} " + names[-1]


def _base(name: str, tr: Translator) -> str:
    return tr(MODEL_LABELS[name]) if name in MODEL_LABELS else name


def model_label(raw: str, tr: Translator) -> str:
    """``theta_seasonal+comb_seasonal+ets_seasonal`` -> "Theta, Comb and ETS with yearly
    seasonality (average)". A name the table does not know is shown as it is stored."""
    members = [m for m in raw.split("+") if m]
    if not members:
        return raw
    seasonal = [m.endswith(SEASONAL_SUFFIX) for m in members]
    bases = [m.removesuffix(SEASONAL_SUFFIX) for m in members]
    if all(seasonal):
        text = tr("model_seasonal", models=_joined([_base(b, tr) for b in bases], tr))
    else:
        text = _joined(
            [
                tr("model_seasonal", models=_base(b, tr)) if s else _base(b, tr)
                for b, s in zip(bases, seasonal, strict=True)
            ],
            tr,
        )
    return tr("model_average", models=text) if len(members) > 1 else text


def accuracy_sentence(
    selected_mase: float | None, snaive_mase: float | None, tr: Translator
) -> str:
    """The backtest error of the chosen forecast against the seasonal naive, in one sentence.

    Both MASEs share each series' scale, so their ratio is the ratio of backtest errors.
    """
    if (
        selected_mase is None
        or snaive_mase is None
        or selected_mase != selected_mase
        or snaive_mase != snaive_mase
        or snaive_mase <= 0
    ):
        return tr("accuracy_none")
    gain = 1.0 - selected_mase / snaive_mase
    if abs(gain) < SAME_ACCURACY:
        return tr("accuracy_same")
    key = N_("accuracy_better") if gain > 0 else N_("accuracy_worse")
    return tr(key, share=tr.share(gain))


def coverage_sentence(coverage80: float | None, coverage95: float | None, tr: Translator) -> str:
    if coverage80 is None or coverage95 is None:
        return ""
    return tr("coverage_measured", c80=tr.share(coverage80), c95=tr.share(coverage95))


def accuracy_lines(
    forecasts: pl.DataFrame, accuracy: pl.DataFrame, names: Mapping[str, str], tr: Translator
) -> list[str]:
    """One line per forecast series: its readable model, backtest accuracy and coverage.

    ``forecasts`` has ``series``, ``topic_id``, ``model``; ``accuracy`` is
    ``warehouse.queries.forecast_accuracy`` (with a ``series`` column when one topic is
    compared across regions).
    """
    if forecasts.is_empty():
        return []
    key = "series" if "series" in accuracy.columns else "topic_id"
    by_key = {str(row[key]): row for row in accuracy.iter_rows(named=True)}
    lines = []
    for row in forecasts.unique("series", keep="first", maintain_order=True).iter_rows(named=True):
        series = str(row["series"])
        facts = by_key.get(series if key == "series" else str(row["topic_id"]), {})
        text = tr(
            "forecast_accuracy",
            name=names.get(series, series),
            model=model_label(str(row["model"]), tr),
            accuracy=accuracy_sentence(facts.get("selected_mase"), facts.get("snaive_mase"), tr),
            coverage=coverage_sentence(facts.get("coverage80"), facts.get("coverage95"), tr),
        )
        lines.append(text.strip())
    return lines
