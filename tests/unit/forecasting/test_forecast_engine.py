"""The engine end to end on small synthetic frames: shapes, periods, choices, intervals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from credtrends.forecasting import FORECAST_SCHEMA, MODEL_NAMES, ForecastConfig, forecast

START = dt.date(2020, 1, 6)


def synthetic(
    n_series: int, n_periods: int, seed: int, *, level: float = 50.0, noise: float = 3.0
) -> pl.DataFrame:
    """Weekly random walks with drift, yearly season on every other series, noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    rows = []
    for i in range(n_series):
        walk = np.cumsum(rng.normal(0.05, 1.0, n_periods))
        season = (i % 2) * 10.0 * np.sin(2 * np.pi * t / (365.25 / 7))
        values = level + walk + season + rng.normal(0, noise, n_periods)
        rows.append(
            pl.DataFrame(
                {
                    "series_id": f"s{i:03d}",
                    "period": pl.date_range(
                        START, START + dt.timedelta(weeks=n_periods - 1), "1w", eager=True
                    ),
                    "value": values,
                }
            )
        )
    return pl.concat(rows)


def test_output_schema_periods_and_bounds_order() -> None:
    frame = synthetic(4, 120, seed=1)
    result = forecast(frame, frequency="week", horizon=6, config=ForecastConfig(n_jobs=1))
    out = result.forecasts
    assert out.schema == pl.Schema(FORECAST_SCHEMA)
    assert out.height == 4 * 6
    last = START + dt.timedelta(weeks=119)
    first = out.filter(pl.col("series_id") == "s000").get_column("period").to_list()
    assert first == [last + dt.timedelta(weeks=k) for k in range(1, 7)]
    members = {m for name in out.get_column("model").to_list() for m in name.split("+")}
    assert members <= set(MODEL_NAMES)
    ordered = out.select(
        (pl.col("lo95") <= pl.col("lo80"))
        & (pl.col("lo80") <= pl.col("mean"))
        & (pl.col("mean") <= pl.col("hi80"))
        & (pl.col("hi80") <= pl.col("hi95"))
    )
    assert ordered.to_series().all()
    assert result.selection.height == 4
    assert result.metrics.filter(pl.col("model") == "selected").height == 4
    assert result.summary.filter(pl.col("model") == "selected").height == 1


def test_monthly_periods_and_partial_point() -> None:
    periods = pl.date_range(dt.date(2015, 1, 1), dt.date(2020, 12, 1), "1mo", eager=True)
    frame = pl.DataFrame(
        {
            "series_id": "m",
            "period": periods,
            "value": np.linspace(10, 40, periods.len()),
            "is_partial": [False] * (periods.len() - 1) + [True],
        }
    )
    out = forecast(frame, frequency="month", horizon=3, config=ForecastConfig(n_jobs=1))
    assert out.forecasts.get_column("period").to_list() == [
        dt.date(2020, 12, 1),
        dt.date(2021, 1, 1),
        dt.date(2021, 2, 1),
    ]


def test_parallel_run_equals_serial_run_and_is_deterministic() -> None:
    frame = synthetic(12, 150, seed=2)
    serial = forecast(
        frame, frequency="week", horizon=4, config=ForecastConfig(n_jobs=1, chunk_size=5)
    )
    again = forecast(
        frame, frequency="week", horizon=4, config=ForecastConfig(n_jobs=1, chunk_size=5)
    )
    parallel = forecast(
        frame, frequency="week", horizon=4, config=ForecastConfig(n_jobs=2, chunk_size=5)
    )
    assert serial.forecasts.equals(again.forecasts)
    assert serial.forecasts.equals(parallel.forecasts)
    assert serial.run_info["input_fingerprint"] == parallel.run_info["input_fingerprint"]


def test_non_negative_flag_keeps_everything_at_or_above_zero() -> None:
    frame = synthetic(6, 100, seed=3, level=2.0, noise=2.0).with_columns(
        pl.col("value").clip(lower_bound=0.0)
    )
    cfg = ForecastConfig(n_jobs=1, non_negative=True, all_models=True)
    result = forecast(frame, frequency="week", horizon=13, config=cfg)
    for out in (result.forecasts, result.model_forecasts, result.backtest):
        assert out.select(pl.min_horizontal("mean", "lo80", "lo95").min()).item() >= 0.0


@pytest.mark.parametrize("seed", [4])
def test_intervals_cover_nominal_rate_on_gaussian_noise(seed: int) -> None:
    """Fit on the history, score on 13 held-out weeks of 300 Gaussian-noise series."""
    rng = np.random.default_rng(seed)
    n_series, n_periods, horizon = 300, 130, 13
    levels = rng.uniform(20, 80, n_series)
    sigma = rng.uniform(1, 10, n_series)
    values = levels[:, None] + sigma[:, None] * rng.normal(size=(n_series, n_periods))
    periods = pl.date_range(START, START + dt.timedelta(weeks=n_periods - 1), "1w", eager=True)
    frame = pl.DataFrame(
        {
            "series_id": np.repeat([f"g{i}" for i in range(n_series)], n_periods),
            "period": np.tile(periods.to_numpy(), n_series),
            "value": values.ravel(),
        }
    )
    history = frame.filter(pl.col("period") <= periods[n_periods - horizon - 1])
    result = forecast(history, frequency="week", horizon=horizon, config=ForecastConfig(n_jobs=1))
    scored = result.forecasts.join(frame, on=["series_id", "period"])
    assert scored.height == n_series * horizon
    cover80 = scored.select(pl.col("value").is_between("lo80", "hi80").mean()).item()
    cover95 = scored.select(pl.col("value").is_between("lo95", "hi95").mean()).item()
    assert 0.75 <= cover80 <= 0.86
    assert 0.92 <= cover95 <= 0.98
    backtest = result.summary.filter(pl.col("model") == "selected").row(0, named=True)
    assert 0.75 <= backtest["coverage80"] <= 0.85
    assert 0.92 <= backtest["coverage95"] <= 0.98


def test_short_series_get_a_fallback_forecast() -> None:
    frame = pl.DataFrame(
        {
            "series_id": ["short"] * 5,
            "period": [START + dt.timedelta(weeks=i) for i in range(5)],
            "value": [1.0, 2.0, 3.0, 2.0, 4.0],
        }
    )
    result = forecast(frame, frequency="week", horizon=3, config=ForecastConfig(n_jobs=1))
    assert result.forecasts.height == 3
    # Too short to backtest: SES, which extrapolates no trend from five points.
    assert result.selection.get_column("model").to_list() == ["ses"]
    assert result.forecasts.select(pl.all_horizontal(pl.col("mean").is_finite())).to_series().all()


def test_short_falling_positive_series_never_gets_a_negative_forecast() -> None:
    """A trend from 12 points of a falling positive series must not go below zero."""
    values = [90.0, 80.0, 71.0, 60.0, 52.0, 40.0, 33.0, 22.0, 15.0, 9.0, 4.0, 1.0]
    frame = pl.DataFrame(
        {
            "series_id": ["falling"] * len(values),
            "period": [START + dt.timedelta(weeks=i) for i in range(len(values))],
            "value": values,
        }
    )
    result = forecast(frame, frequency="week", horizon=26, config=ForecastConfig(n_jobs=1))
    assert result.run_info["non_negative"] is True
    assert (
        result.forecasts.select(pl.min_horizontal(pl.col("mean", "lo80", "lo95").min())).item()
        >= 0.0
    )


def test_empty_frame_gives_empty_forecasts() -> None:
    frame = pl.DataFrame(schema={"series_id": pl.String, "period": pl.Date, "value": pl.Float64})
    result = forecast(frame, frequency="week", horizon=3)
    assert result.forecasts.height == 0


def test_unknown_candidate_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        ForecastConfig(candidates=("prophet",))


def test_a_run_without_backtest_origins_is_refused_up_front() -> None:
    import pytest

    from credtrends.forecasting import ForecastConfig

    with pytest.raises(ValueError, match="n_origins >= 1"):
        ForecastConfig(n_origins=0)


def test_intervals_lean_where_the_backtest_errors_lean() -> None:
    """Accelerating growth: every model lags it, so the backtest errs upwards and the
    selected forecast's interval reaches further above the point than below it, in the
    forecast and in its backtest alike (SYNTHETIC series)."""
    rng = np.random.default_rng(7)
    n_series, n_periods = 40, 120
    t = np.arange(n_periods, dtype=np.float64)
    growth = rng.uniform(0.01, 0.02, n_series)
    values = 20.0 * np.exp(growth[:, None] * t) * (1.0 + rng.normal(0, 0.02, (n_series, 1)))
    values += rng.normal(0, 1.0, values.shape)
    periods = pl.date_range(START, START + dt.timedelta(weeks=n_periods - 1), "1w", eager=True)
    frame = pl.DataFrame(
        {
            "series_id": np.repeat([f"x{i}" for i in range(n_series)], n_periods),
            "period": np.tile(periods.to_numpy(), n_series),
            "value": values.ravel(),
        }
    )
    result = forecast(frame, frequency="week", horizon=8, config=ForecastConfig(n_jobs=1))
    for out in (result.forecasts, result.backtest):
        above = out.select((pl.col("hi95") - pl.col("mean")).mean()).item()
        below = out.select((pl.col("mean") - pl.col("lo95")).mean()).item()
        assert above > below > 0.0
