"""Calibration of many batches onto one scale, against a simulated truth.

The simulator (``credtrends.testing.trends_simulator``) does what Google does to each
request: scale to the request's maximum (100), round, and send what rounds below 1 as
``formattedValue "<1"`` or as ``hasData: false``. Every property here must hold for any
hypothesis seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import count, pairwise

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from credtrends.errors import ConfigError
from credtrends.testing.trends_simulator import Encoding, SimulatedGoogle, log_uniform_truth
from credtrends.transforms.calibration import (
    CALIBRATED_SCHEMA,
    REGION_CALIBRATED_SCHEMA,
    DisconnectedBatchesError,
    calibrate_batches,
    calibrate_batches_detailed,
    calibrate_region_shares,
    plan_fixed_anchor_batches,
)
from credtrends.transforms.calibration_plan import RoundsOutcome, chain_batches, run_rounds
from tests.helpers import number
from tests.unit.trends.trends_sim import (
    fetch_plan,
    naive_fixed_anchor,
    simulate_volumes,
    truth_frame,
)

FloatArray = np.ndarray


def adaptive(sim: SimulatedGoogle, terms: Sequence[str]) -> RoundsOutcome:
    """The product's planning rounds, answered by the simulator."""
    keys = count()

    def fetch(batches: Sequence[tuple[str, ...]], stage: str) -> pl.DataFrame:
        return pl.concat([sim.answer_frame(list(b), f"{stage}-{next(keys):05d}") for b in batches])

    return run_rounds(list(terms), fetch)


def scored(calibrated: pl.DataFrame, sim: SimulatedGoogle) -> pl.DataFrame:
    """Calibrated rows next to the truth on the calibrated scale (100 = reference max)."""
    reference = calibrated.get_column("reference_term")[0]
    top = float(np.max(sim.truth[reference]))
    days = sim.periods
    truth = pl.DataFrame(
        {
            "term": [t for t in sim.truth for _ in days],
            "period_start": [d for _ in sim.truth for d in days],
            "true_value": np.concatenate([100.0 * np.asarray(v) / top for v in sim.truth.values()]),
        }
    )
    return calibrated.join(truth, on=["term", "period_start"]).with_columns(
        rel_error=(pl.col("value") / pl.col("true_value") - 1).abs(),
        inside=(pl.col("true_value") >= pl.col("value_low") * (1 - 1e-9))
        & (pl.col("true_value") <= pl.col("value_high") * (1 + 1e-9)),
    )


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    n_terms=st.integers(12, 80),
    orders=st.floats(3.0, 5.0),
    seed=st.integers(0, 10_000),
    encoding=st.sampled_from(["formatted", "has_data"]),
)
def test_every_topic_is_calibrated_on_the_first_run(
    n_terms: int, orders: float, seed: int, encoding: Encoding
) -> None:
    truth = log_uniform_truth(n_terms, 104, orders, seed)
    levels = sorted(float(v.mean()) for v in truth.values())
    # the catalogue itself must bridge its volume range: a gap of 30x or more between
    # volume neighbours cannot be linked by its own terms (tested below: it is reported)
    assume(max(b / a for a, b in pairwise(levels)) < 30)
    sim = SimulatedGoogle(truth, encoding=encoding)
    outcome = adaptive(sim, list(sim.truth))
    assert all(len(b) <= 5 for b in outcome.batches)
    assert sim.requests == len(outcome.batches) <= 2 * n_terms  # gtab needs ~3 per term
    result = calibrate_batches_detailed(outcome.observed)
    assert result.frame.schema == CALIBRATED_SCHEMA
    assert not result.disconnected
    assert result.frame.height == n_terms * 104  # every topic, every week
    frame = scored(result.frame, sim)
    assert number(frame.get_column("rel_error").median()) < 0.02
    per_term = frame.group_by("term").agg(
        (pl.col("value").mean() / pl.col("true_value").mean() - 1).abs().alias("err")
    )
    assert number(per_term.get_column("err").quantile(0.95)) < 0.03
    # 95% bounds; the benchmark measures them
    assert number(frame.get_column("inside").mean()) > 0.85


def test_a_gap_the_catalogue_cannot_bridge_is_reported_not_guessed() -> None:
    weeks = 52
    rng = np.random.default_rng(0)
    wave = np.exp(0.2 * rng.standard_normal(weeks))
    truth = {f"big{i}": 1e5 * (1 + i / 5) * wave for i in range(4)}
    truth |= {f"small{i}": 1e2 * (1 + i / 5) * wave for i in range(4)}  # 1000x below
    result = calibrate_batches_detailed(adaptive(SimulatedGoogle(truth), list(truth)).observed)
    placed = set(result.frame.get_column("term"))
    lost = {t for group in result.disconnected for t in group.terms}
    assert placed | lost == set(truth) and not placed & lost
    assert lost and all(t.startswith("small") for t in lost)
    assert all(g.connect_with[0] in g.terms for g in result.disconnected)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shuffle_seed=st.integers(0, 10_000), pick=st.integers(0, 24))
def test_reference_choice_and_row_order_only_rescale(
    seed: int, shuffle_seed: int, pick: int
) -> None:
    sim = SimulatedGoogle(log_uniform_truth(25, 30, 3.0, seed))
    frame = adaptive(sim, list(sim.truth)).observed
    first = calibrate_batches(frame)
    other_ref = sorted(sim.truth)[pick]
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=shuffle_seed)
    if not (shuffled.filter(pl.col("term") == other_ref).get_column("value") >= 1).any():
        return  # a reference must have data; the error for that case is tested below
    second = calibrate_batches(shuffled, reference_term=other_ref)
    joined = first.join(second, on=["term", "period_start"], suffix="_b")
    assert joined.height == first.height == second.height
    ratio = (joined.get_column("value_b") / joined.get_column("value")).to_numpy()
    # one common factor: the solve does not depend on the reference or the row order
    assert np.abs(ratio / np.median(ratio) - 1).max() < 1e-7  # floating point only
    assert second.get_column("reference_term")[0] == other_ref
    top = second.filter(pl.col("term") == other_ref, ~pl.col("is_partial"))
    assert top.get_column("value").max() == pytest.approx(100)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.floats(1e-3, 1e3))
def test_scaling_every_volume_changes_nothing(seed: int, factor: float) -> None:
    truth = log_uniform_truth(12, 20, 3.0, seed)
    scaled = {t: v * factor for t, v in truth.items()}
    volumes = {t: float(v.mean()) for t, v in truth.items()}
    batches = chain_batches(sorted(truth, key=lambda t: -volumes[t]), volumes=volumes)
    a, b = SimulatedGoogle(truth), SimulatedGoogle(scaled)
    frame_a = pl.concat([a.answer_frame(list(x), f"k{i}") for i, x in enumerate(batches)])
    frame_b = pl.concat([b.answer_frame(list(x), f"k{i}") for i, x in enumerate(batches)])
    # (a catalogue gap may leave a group unlinked: the property holds for what is placed)
    result_a, result_b = calibrate_batches_detailed(frame_a), calibrate_batches_detailed(frame_b)
    assert result_a.frame.equals(result_b.frame)
    assert result_a.disconnected == result_b.disconnected


def test_has_data_false_is_censored_not_dropped() -> None:
    # the anchor dips under 1% of the giant one week: Google's hasData: false there
    weeks = 20
    anchor = np.full(weeks, 100.0)
    anchor[5] = 2.0
    truth = {"giant": np.full(weeks, 1000.0), "anchor": anchor, "quiet": np.full(weeks, 60.0)}
    sim = SimulatedGoogle(truth, encoding="has_data")
    frame = pl.concat(
        [sim.answer_frame(["giant", "anchor"], "b1"), sim.answer_frame(["anchor", "quiet"], "b2")]
    )
    hidden = frame.filter(pl.col("request_key") == "b1", pl.col("term") == "anchor")
    assert not hidden.get_column("has_data").all()  # the shape the product must handle
    result = calibrate_batches(frame, reference_term="anchor")
    assert set(result.get_column("term")) == {"giant", "anchor", "quiet"}
    quiet = result.filter(pl.col("term") == "quiet").get_column("value").to_numpy()
    assert np.allclose(quiet, 60.0, rtol=0.01)
    dip = result.filter(pl.col("term") == "anchor", pl.col("period_start") == sim.periods[5])
    assert dip.get_column("value").item() == pytest.approx(2.0, rel=0.05)  # read in b2


def test_a_term_never_above_1_is_censored_with_an_upper_bound() -> None:
    truth = {"big": np.full(10, 1e6), "tiny": np.full(10, 1.0)}
    encodings: tuple[Encoding, ...] = ("formatted", "has_data")
    for encoding in encodings:
        sim = SimulatedGoogle(truth, encoding=encoding)
        result = calibrate_batches(sim.answer_frame(["big", "tiny"], "b"))
        tiny = result.filter(pl.col("term") == "tiny")
        assert set(tiny.get_column("bounds")) == {"censored"}
        assert (tiny.get_column("value_low") == 0).all()
        assert (tiny.get_column("value_high") >= 1e-4).all()  # the truth is 1e-4
        assert (tiny.get_column("value_high") < 1.1).all()


def test_beats_a_fixed_anchor_on_low_volume_terms() -> None:
    truth = simulate_volumes(60, 52, 4.0, seed=11)
    sim = SimulatedGoogle(truth, encoding="formatted", cutoff=1.0, start=date(2024, 1, 7))
    ours = scored(calibrate_batches(adaptive(sim, list(truth)).observed), sim)
    low = [t for t, v in truth.items() if v.mean() < 10**1.5]  # the quietest third or so
    assert len(low) >= 10
    reference = ours.get_column("reference_term")[0]
    naive_frame = fetch_plan(plan_fixed_anchor_batches(list(truth), reference), truth)
    naive = naive_fixed_anchor(naive_frame, reference).join(
        truth_frame(truth, reference), on=["term", "period_start"]
    )
    naive_err = number(
        naive.filter(pl.col("term").is_in(low))
        .select(((pl.col("value") / pl.col("true_value") - 1).abs()).median())
        .item()
    )
    ours_err = number(ours.filter(pl.col("term").is_in(low)).get_column("rel_error").median())
    assert naive_err > 0.5  # next to the giant, quiet terms round to "<1": no signal left
    assert ours_err < 0.02 and ours_err < naive_err / 20


def test_the_plan_is_a_function_of_the_answers_and_always_ends() -> None:
    truth = log_uniform_truth(40, 52, 4.0, 3)
    first = adaptive(SimulatedGoogle(truth), list(truth))
    again = adaptive(SimulatedGoogle(truth), list(truth))
    assert first.batches == again.batches  # a rerun plans exactly the same requests
    assert [stage for stage, _ in first.stages][:2] == ["probe", "chain"]
    # a topic Google never has data for cannot block the plan: it ends, the topic is censored
    with_empty = {**truth, "nothing": np.zeros(52)}
    outcome = adaptive(SimulatedGoogle(with_empty, encoding="has_data"), list(with_empty))
    assert len(outcome.stages) <= 6
    result = calibrate_batches(outcome.observed)
    assert set(result.filter(pl.col("term") == "nothing").get_column("bounds")) == {"censored"}


def test_disconnected_batches_name_the_terms_and_the_linking_request() -> None:
    truth = simulate_volumes(8, 10, 1.0, seed=1)
    names = list(truth)
    frame = fetch_plan([("b1", tuple(names[:4])), ("b2", tuple(names[4:]))], truth)
    with pytest.raises(DisconnectedBatchesError) as caught:
        calibrate_batches(frame)
    assert sorted(map(sorted, caught.value.components)) == [sorted(names[:4]), sorted(names[4:])]
    assert names[0] in str(caught.value) and names[5] in str(caught.value)
    assert "fetch [" in str(caught.value)
    detailed = calibrate_batches_detailed(frame)
    (lost,) = detailed.disconnected
    assert len(lost.connect_with) >= 2 and lost.connect_with[0] in lost.terms
    assert set(lost.connect_with[1:]) <= set(detailed.frame.get_column("term"))


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.lists(st.integers(0, 100), min_size=6, max_size=6), min_size=1, max_size=5),
)
def test_a_single_batch_is_returned_as_reported(values: list[list[int]]) -> None:
    values[0][0] = 100  # every Google batch reaches 100 somewhere
    days = [date(2024, 1, 7 + 7 * k) if k < 4 else date(2024, 2, 4 + 7 * (k - 4)) for k in range(6)]
    rows = [
        {"request_key": "only", "term": f"t{i}", "period_start": day, "value": v}
        for i, series in enumerate(values)
        for day, v in zip(days, series, strict=True)
    ]
    frame = pl.DataFrame(rows).with_columns(pl.col("value").cast(pl.Int16))
    calibrated = calibrate_batches(frame).sort("term", "period_start")
    reported = frame.sort("term", "period_start").get_column("value").cast(pl.Float64).to_numpy()
    got = calibrated.get_column("value").to_numpy()
    ref_top = calibrated.filter(pl.col("term") == calibrated.get_column("reference_term")[0])
    scale = 100.0 / number(ref_top.get_column("value").max())
    positive = reported >= 1
    # each value stays inside the interval its integer stands for (on the reference's scale)
    low = np.maximum(reported - 0.5, 0.0)
    high = np.minimum(reported + 0.5, 100.0)
    reference_max = max(max(series) for series in values)
    assert scale == pytest.approx(1.0)
    unit = 100.0 / reference_max
    assert np.all(got[positive] >= low[positive] * unit * (1 - 0.01) - 1e-9)
    assert np.all(got[positive] <= high[positive] * unit * (1 + 0.01) + 1e-9)
    assert np.all(calibrated.get_column("value_low").to_numpy() <= got + 1e-9)
    assert np.all(calibrated.get_column("value_high").to_numpy() >= got - 1e-9)


def test_sampling_noise_is_estimated_and_widens_the_bounds() -> None:
    truth = log_uniform_truth(30, 104, 3.0, seed=2)
    sim = SimulatedGoogle(truth, noise_log_sd=0.04, seed=5)
    result = calibrate_batches_detailed(adaptive(sim, list(truth)).observed)
    (noise,) = (result.noise_log_sd or {}).values()
    assert noise == pytest.approx(0.04, rel=0.25)
    frame = scored(result.frame, sim)
    assert number(frame.get_column("rel_error").median()) < 0.05
    assert number(frame.get_column("inside").mean()) > 0.9


def test_partial_periods_are_calibrated_but_do_not_link_batches() -> None:
    truth = simulate_volumes(10, 12, 2.0, seed=4)
    batches = chain_batches(sorted(truth, key=lambda t: -float(truth[t].mean())))
    frame = fetch_plan([(f"b{i}", b) for i, b in enumerate(batches)], truth)
    last = frame.get_column("period_start").max()
    marked = frame.with_columns(is_partial=pl.col("period_start") == last)
    # corrupt the partial week in one batch: it must not move the calibration
    first_batch = marked.get_column("request_key")[0]
    corrupted = marked.with_columns(
        value=pl.when((pl.col("period_start") == last) & (pl.col("request_key") == first_batch))
        .then(pl.lit(1, dtype=pl.Int16))
        .otherwise(pl.col("value"))
    )
    a = calibrate_batches(marked).filter(~pl.col("is_partial"))
    b = calibrate_batches(corrupted).filter(~pl.col("is_partial"))
    assert np.allclose(a.get_column("value").to_numpy(), b.get_column("value").to_numpy())
    assert calibrate_batches(marked).filter(pl.col("is_partial")).height == 10


def test_inputs_are_validated() -> None:
    frame = pl.DataFrame(
        {"request_key": ["a"], "term": ["x"], "period_start": [date(2024, 1, 7)], "value": [101]}
    )
    with pytest.raises(ConfigError, match="0-100"):
        calibrate_batches(frame)
    with pytest.raises(ConfigError, match="lacks"):
        calibrate_batches(frame.drop("value"))
    with pytest.raises(ConfigError, match="twice"):
        calibrate_batches(pl.concat([frame, frame]).with_columns(value=pl.lit(100)))
    with pytest.raises(ConfigError, match="reference term"):
        calibrate_batches(frame.with_columns(value=pl.lit(100)), reference_term="nope")


def test_region_shares_chain_through_a_shared_term() -> None:
    # region by region, Google splits 100% between the compared terms
    shares = {
        "CA-ON": {"a": 1000.0, "b": 100.0, "c": 10.0},
        "CA-QC": {"a": 500.0, "b": 200.0, "c": 20.0},
    }
    rows = []
    for region, volumes in shares.items():
        for batch, terms in (("k1", ("a", "b")), ("k2", ("b", "c"))):
            total = sum(volumes[t] for t in terms)
            for term in terms:
                rows.append(
                    {
                        "request_key": batch,
                        "term": term,
                        "region_code": region,
                        "value_kind": "share_percent",
                        "value": round(100 * volumes[term] / total),
                    }
                )
    frame = pl.DataFrame(rows).with_columns(pl.col("value").cast(pl.Int16))
    result = calibrate_region_shares(frame, reference_term="a")
    assert result.schema == REGION_CALIBRATED_SCHEMA
    on = result.filter(pl.col("region_code") == "CA-ON").sort("term")
    assert on.get_column("value").to_list() == pytest.approx([100.0, 10.0, 1.0], rel=0.05)
    assert (on.get_column("value_low") <= on.get_column("value")).all()
    qc = result.filter(pl.col("region_code") == "CA-QC").sort("term")
    assert qc.get_column("value").to_list() == pytest.approx([100.0, 40.0, 4.0], rel=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counting_noise_gets_bounds_that_hold(seed: int) -> None:
    """Google answers from a sample of searches: small levels are the noisiest. Fitted
    as counting noise on the common scale, the 95% bounds hold at every level."""
    truth = log_uniform_truth(30, 104, 3.0, seed=seed)
    sim = SimulatedGoogle(truth, searches_per_unit=20.0, seed=seed)
    frame = scored(calibrate_batches_detailed(adaptive(sim, list(truth)).observed).frame, sim)
    assert number(frame.get_column("rel_error").median()) < 0.03
    assert number(frame.get_column("inside").mean()) >= 0.93
    quiet = frame.filter(pl.col("true_value") < pl.col("true_value").quantile(0.25))
    assert number(quiet.get_column("inside").mean()) >= 0.9


def test_a_lone_below_one_does_not_crush_readings_of_the_same_week() -> None:
    """One request reads "<1" where two others read 16: sampling noise, not a hard
    bound. The week is estimated from all three, above the lone cap."""
    weeks = [date(2022, 1, 2) + timedelta(days=7 * k) for k in range(12)]
    rows = []
    for request, spike in (("r1", 16), ("r2", 16), ("r3", 0)):
        for k, week in enumerate(weeks):
            anchor = 100 if k == 0 else 60 + k
            quiet = spike if k == 5 else 10
            rows.append((request, "anchor", week, anchor))
            rows.append((request, "quiet", week, quiet))
    frame = pl.DataFrame(
        rows, schema=["request_key", "term", "period_start", "value"], orient="row"
    ).with_columns(pl.col("value").cast(pl.Int16))
    result = calibrate_batches_detailed(frame, reference_term="anchor")
    spiked = result.frame.filter((pl.col("term") == "quiet") & (pl.col("period_start") == weeks[5]))
    value, low, high = spiked.select("value", "value_low", "value_high").row(0)
    assert 1.0 < value < 16.5
    assert low < value < high
