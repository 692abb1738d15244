"""Development harness: the accuracy benchmark's sets, scored only inside their training part.

Design decisions on the engine (candidates, selection rule, interval calibration) must not
look at the held-out values of ``forecast_accuracy.py``. This script never opens them: it
loads each set's training part, cuts a further ``k * h`` periods off its end
(``--origins``: k = 1..K, rolling origins strictly inside the training data) and scores the
engine and M4's benchmarks on those inner windows with the same scorer (OWA vs Naive2,
MASE, sMAPE, coverage, MSIS, CPU ms). Series left shorter than ``2 h + 4`` by a cut are
dropped from that origin. The held-out part stays sealed in its ``HeldOut``.

Run: ``nice .venv/bin/python benchmarks/forecast_dev.py [--sets ...] [--origins 2]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_accuracy import (  # noqa: E402
    LOADERS,
    DataSet,
    HeldOut,
    m4_benchmarks,
    run_credtrends,
    run_peers,
    score,
)
from polars_values import number  # noqa: E402


def inner_split(data: DataSet, cut: int) -> tuple[DataSet, HeldOut] | None:
    """The training part minus its last ``cut`` periods; the next ``h`` are the target."""
    h = data.horizon
    keep = [i for i, v in enumerate(data.train) if v.shape[0] - cut >= 2 * h + 4]
    if not keep:
        return None
    train = tuple(np.array(data.train[i][: data.train[i].shape[0] - cut]) for i in keep)
    target = np.stack(
        [
            data.train[i][data.train[i].shape[0] - cut : data.train[i].shape[0] - cut + h]
            for i in keep
        ]
    )
    inner = DataSet(
        data.name,
        tuple(data.ids[i] for i in keep),
        train,
        data.frequency,
        h,
        data.m,
        data.engine_season,
        data.peer_season,
    )
    return inner, HeldOut(target)


def evaluate_inner(name: str, origins: int, limit: int | None, peers: bool) -> pl.DataFrame:
    """Scores per inner origin (1 = last h periods of training), credtrends and M4's methods."""
    data, _sealed = LOADERS[name](limit)  # the held-out part is never opened here
    tables = []
    for k in range(1, origins + 1):
        split = inner_split(data, k * data.horizon)
        if split is None:
            continue
        inner, target = split
        methods = {"credtrends": run_credtrends(inner), **m4_benchmarks(inner)}
        if peers:
            methods.update(run_peers(inner))
        tables.append(
            score(inner, target, methods).with_columns(origin=pl.lit(k), n=len(inner.ids))
        )
    return pl.concat(tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(LOADERS))
    parser.add_argument("--origins", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--peers", action="store_true", help="statsforecast too (slow)")
    parser.add_argument("--all-methods", action="store_true", help="print M4's methods too")
    args = parser.parse_args()
    pl.Config.set_tbl_rows(60)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_cols(14)
    pl.Config.set_float_precision(3)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    rows = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        table = evaluate_inner(name, args.origins, args.limit, args.peers).with_columns(
            set=pl.lit(name)
        )
        rows.append(table)
        shown = table if args.all_methods else table.filter(pl.col("method") == "credtrends")
        if args.all_methods:
            print(
                shown.select(
                    "set",
                    "origin",
                    "n",
                    "method",
                    "owa",
                    "mase",
                    "smape",
                    "cov80",
                    "cov95",
                    "msis",
                    "cpu_ms",
                ),
                flush=True,
            )
    every = pl.concat(rows)
    mean = every.group_by("set", "method", maintain_order=True).agg(
        pl.col("owa", "mase", "smape", "cov80", "cov95", "msis", "cpu_ms").mean()
    )
    best = (
        mean.filter(pl.col("method") != "credtrends")
        .sort("owa")
        .group_by("set", maintain_order=True)
        .agg(best_peer=pl.col("method").first(), peer_owa=pl.col("owa").first())
    )
    mean = mean.filter(pl.col("method") == "credtrends").drop("method").join(best, on="set")
    print(mean)
    print("mean owa over sets:", round(number(mean.get_column("owa").mean()), 4))


if __name__ == "__main__":
    main()
