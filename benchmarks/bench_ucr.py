"""Benchmark: default estimators on the UCR/UEA datasets, next to published accuracy.

For every dataset of the data home stored as ``.ts`` files (in the development suite the
four with published figures here and the regression set Covid3Month; ``--datasets`` names
others, ``.ts`` or ``.tsv``), fit ``SeqPoolClassifier(encoder="conv", lr=0.001,
dropout=0.0, n_threads=1)`` -- the convolutional encoder with the training settings chosen
for it here, on one torch thread -- (``SeqPoolRegressor`` for regression files) on the
archive's TRAIN split, score it on TEST and time the fit; the fits run one after the other
unless ``--jobs`` says otherwise. Classification reports test accuracy beside the published
FCN and MiniRocket figures (BasicMotions has no FCN figure in our table; InceptionTime's
stands in); regression reports test RMSE beside the RMSE of predicting the training mean.
Every dataset is fitted with several seeds (``random_state``); the table shows the mean and
the worst seed.

The data home is ``--data-home``, else ``$SEQPOOL_DATA_HOME``, else ``../shared/ucr`` next to
the repository (the layout of :func:`seqpool_sklearn.fetch_ucr`).

Run::

    python benchmarks/bench_ucr.py                        # defaults, 3 seeds, ~10 minutes
    python benchmarks/bench_ucr.py --seeds 0 --datasets GunPoint
    python benchmarks/bench_ucr.py --set max_epochs=100 --set lr_schedule='"constant"'

``--set name=value`` overrides an estimator parameter (the value a Python literal, else a
plain string: ``--set encoder=gru`` is ``--set encoder='"gru"'``, as in
``bench_archive.py``); it is how the evidence for the defaults was gathered (see
``docs/benchmarks.rst``). Before any fit is timed, the estimators (with the overrides) are
warmed up on a tiny problem, so torch's first-call costs are not timed, as in the other
scripts. ``--jobs`` runs fits in parallel, which is faster for such studies but makes the
fit times meaningless (the workers are not warmed up).

The last line is ``RESULT worst_gap_to_fcn=<points> max_fit_seconds=<s>``: the largest shortfall
of the mean test accuracy below the published figure, in percentage points, over the
classification datasets with a published figure, and the slowest single fit over every
dataset and seed (targets: <= 2 points, <= 60 s on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_archive import default_data_home, setting  # noqa: E402

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor, fetch_ucr, list_ucr

# Published test accuracy on the archive's default split (docs/benchmarks.rst cites the
# sources): reference figure, the model it comes from, and MiniRocket where we have it.
PUBLISHED = {
    "GunPoint": (1.000, "FCN", 0.993),
    "ItalyPowerDemand": (0.961, "FCN", 0.969),
    "JapaneseVowels": (0.993, "FCN", None),
    "BasicMotions": (1.000, "InceptionTime", None),
}


# The convolutional encoder with the settings this benchmark chose for it, on one torch
# thread; the package's defaults are measured on the whole archive suite by bench_archive.py.
CONV = {"encoder": "conv", "lr": 0.001, "dropout": 0.0, "n_threads": 1}


def _warm_up(overrides: dict) -> None:
    """Fit and predict both estimators on tiny 1- and 3-channel problems, untimed.

    The first fit of a process pays torch's first-call costs (about a second for a conv
    fit); without this, the run's first timed fit would carry them. The overrides are
    applied so that the code paths they choose are the ones warmed up; settings that a
    tiny problem cannot take fall back to the benchmark's own.
    """
    rng = np.random.default_rng(0)
    for channels in (1, 3):
        X = rng.normal(size=(16, channels, 48)).astype(np.float32)
        for cls, y in ((SeqPoolClassifier, np.arange(16) % 2), (SeqPoolRegressor, X[:, 0, 0])):
            tiny = {"random_state": 0, "max_epochs": 2}
            try:
                cls(**{**CONV, **overrides, **tiny}).fit(X, y).predict(X)
            except Exception:  # the timed fits raise whatever is wrong with the overrides
                cls(**{**CONV, **tiny}).fit(X, y).predict(X)


def load_split(home: Path, name: str, split: str):
    """One split (``"TRAIN"`` or ``"TEST"``) of a ``.ts`` or ``.tsv`` dataset of the home."""
    return fetch_ucr(name, split=split.lower(), data_home=home, download=False)


def fit_one(home: Path, name: str, seed: int, overrides: dict) -> dict:
    """Fit on TRAIN, score on TEST; runs in a worker process when ``--jobs`` > 1."""
    X_train, y_train = load_split(home, name, "TRAIN")
    X_test, y_test = load_split(home, name, "TEST")
    regression = y_train.dtype.kind == "f"
    cls = SeqPoolRegressor if regression else SeqPoolClassifier
    est = cls(**{**CONV, "random_state": seed, **overrides})
    start = time.perf_counter()
    est.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    row = {
        "dataset": name,
        "seed": seed,
        "task": "regression" if regression else "classification",
        "shape": list(X_train.shape),
        "n_test": len(X_test),
        "fit_seconds": seconds,
        "epochs": est.n_iter_,
    }
    if regression:
        pred = est.predict(X_test)
        row["rmse"] = float(np.sqrt(np.mean((pred - y_test) ** 2)))
        row["rmse_train_mean"] = float(np.sqrt(np.mean((y_train.mean() - y_test) ** 2)))
    else:
        row["accuracy"] = float(est.score(X_test, y_test))
    return row


def summarise(rows: list[dict]) -> tuple[float, float]:
    names = sorted({r["dataset"] for r in rows}, key=lambda n: (n not in PUBLISHED, n))
    print(
        f"{'dataset':17s} {'train shape':>14s} {'metric':>8s} {'mean':>6s} {'worst':>6s} "
        f"{'published':>15s} {'gap pts':>7s} {'MiniRkt':>7s} {'fit s med':>9s} {'max':>6s}"
    )
    worst_gap = -np.inf
    for name in names:
        rs = [r for r in rows if r["dataset"] == name]
        secs = [r["fit_seconds"] for r in rs]
        shape = "x".join(str(s) for s in rs[0]["shape"])
        if rs[0]["task"] == "regression":
            vals = [r["rmse"] for r in rs]
            ref = f"{rs[0]['rmse_train_mean']:.4f} (mean)"
            print(
                f"{name:17s} {shape:>14s} {'RMSE':>8s} {statistics.mean(vals):6.4f} "
                f"{max(vals):6.4f} {ref:>15s} {'':>7s} {'':>7s} "
                f"{statistics.median(secs):9.1f} {max(secs):6.1f}"
            )
            continue
        vals = [r["accuracy"] for r in rs]
        mean = statistics.mean(vals)
        if name in PUBLISHED:
            acc, model, mini = PUBLISHED[name]
            gap = 100 * (acc - mean)
            worst_gap = max(worst_gap, gap)
            ref, gap_s = f"{acc:.3f} {model}", f"{gap:+7.1f}"
            mini_s = f"{mini:.3f}" if mini is not None else "-"
        else:
            ref, gap_s, mini_s = "-", "", "-"
        print(
            f"{name:17s} {shape:>14s} {'accuracy':>8s} {mean:6.3f} {min(vals):6.3f} "
            f"{ref:>15s} {gap_s:>7s} {mini_s:>7s} {statistics.median(secs):9.1f} "
            f"{max(secs):6.1f}"
        )
    max_fit = max(r["fit_seconds"] for r in rows)
    return (float(worst_gap) if np.isfinite(worst_gap) else float("nan")), max_fit


def main(argv: list[str] | None = None) -> tuple[float, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="estimator parameter"
    )
    parser.add_argument("--jobs", type=int, default=1, help="parallel fits (study mode)")
    parser.add_argument("--json", type=Path, default=None, help="write every fit's row here")
    args = parser.parse_args(argv)

    home = args.data_home or default_data_home()
    # the archive's .ts datasets, the ones with published figures here (bench_archive.py
    # runs the whole suite)
    names = args.datasets or [
        n for n in list_ucr(home) if any(p.suffix.lower() == ".ts" for p in (home / n).iterdir())
    ]
    if not names:
        raise SystemExit(f"No datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME.")
    overrides = dict(setting(item) for item in args.set)
    _warm_up(overrides)
    print(
        f"# {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"load average {os.getloadavg()[0]:.2f}; data home {home}; seeds {args.seeds}; "
        f"overrides {overrides or 'none (defaults)'}"
    )
    tasks = [(name, seed) for name in names for seed in args.seeds]
    rows = joblib.Parallel(n_jobs=args.jobs)(
        joblib.delayed(fit_one)(home, name, seed, overrides) for name, seed in tasks
    )
    if args.json:
        args.json.write_text(json.dumps({"overrides": repr(overrides), "rows": rows}, indent=1))
    worst_gap, max_fit = summarise(rows)
    print(f"# load average at end {os.getloadavg()[0]:.2f}")
    print(f"RESULT worst_gap_to_fcn={worst_gap:.1f} max_fit_seconds={max_fit:.1f}")
    return worst_gap, max_fit


if __name__ == "__main__":
    main()
