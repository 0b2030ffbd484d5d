"""Benchmark: the default regressor on regression tasks derived from the archive's series.

The development suite has one regression dataset, which cannot show whether the default
``SeqPoolRegressor`` holds across targets. This benchmark derives regression tasks from
the series of the classification datasets (the archive's TRAIN and TEST splits as they
are, labels dropped), each target a documented statistic of a series that a model must
find in it rather than read off one step:

``peak_position``
    Where the series peaks: the index of its largest observed value divided by its
    number of observed steps, in [0, 1). A location, not a level: a linear model of the
    values cannot express it.
``roughness``
    How jagged the series is: the logarithm of the standard deviation of its first
    difference over consecutive observed steps (``log(std(x_t - x_(t-1)) + 1e-3)``). In 16
    of the suite's 20 classification datasets the series are z-normalised, so their level
    and overall scale carry nothing there; BasicMotions, DodgerLoopDay, GestureMidAirD1
    and JapaneseVowels are not, and on BasicMotions the roughness follows the series'
    overall scale (correlation 1.00 with the log of its standard deviation). This scale of
    the step-to-step changes differs between and within datasets.

For every task, fit the default ``SeqPoolRegressor`` (only ``random_state`` set), aeon's
``MiniRocketRegressor(random_state=0)``, ``RidgeCV`` on the flattened series (NaN as 0)
and the training mean on TRAIN, and score the test RMSE, one torch thread and
``n_jobs=1``, every fit and predict with each BLAS / OpenMP pool held to one thread by
``threadpoolctl`` (RidgeCV's and MiniRocket's ridge readouts included), warmed up first as
in ``bench_archive.py``.

What these tasks can show: whether the regressor finds a location or a scale statistic as
well as MiniRocket's ridge readout does, on series of every length and shape in the suite,
with targets whose scale differs between tasks. What they cannot show: targets that are
not a function of the series alone (real regression data carry noise and covariates),
nor how the regressor does on data that played no part in choosing its defaults.

Run::

    python benchmarks/bench_regression.py                  # every classification dataset
    python benchmarks/bench_regression.py --datasets CBF Beef --tasks peak_position

The last line is::

    RESULT tasks=<n> worst_rmse_ratio_to_minirocket=<ratio> median_rmse_ratio=<ratio>
    beats_mean=<k/n> beats_ridge=<k/m>

where ``beats_ridge`` counts the tasks on which ours has the lower RMSE out of the ``m``
on which MiniRocket beats RidgeCV.
"""

from __future__ import annotations

import argparse
import statistics
import warnings
from pathlib import Path

import numpy as np
import torch
from bench_archive import (
    _is_regression,
    default_data_home,
    load,
    one_thread,
    pool_threads,
    regression_scores,
    setting,
)

from seqpool_sklearn import SeqPoolRegressor, fetch_ucr, list_ucr


def peak_position(X: np.ndarray) -> np.ndarray:
    """Where each series peaks among its observed steps, in [0, 1), (n,): the number of
    observed steps before its largest observed value over the number of observed steps.

    Multivariate series use their first channel. Missing steps (NaN) inside a series are
    skipped, as padding after it is.

    Examples
    --------
    >>> X = np.array([[[0.0, 3.0, 1.0, np.nan]], [[np.nan, 1.0, np.nan, 5.0]]])
    >>> peak_position(X)
    array([0.33333333, 0.5       ])
    """
    x = X[:, 0, :].astype(np.float64)
    observed = np.isfinite(x)
    filled = np.where(observed, x, -np.inf)
    at = filled.argmax(axis=1)
    before = np.cumsum(observed, axis=1)[np.arange(len(x)), at] - 1
    return before / np.maximum(observed.sum(axis=1), 1)


def roughness(X: np.ndarray) -> np.ndarray:
    """``log(std of the first difference over consecutive observed steps + 1e-3)``, (n,).

    Multivariate series use their first channel.

    Examples
    --------
    >>> X = np.array([[[0.0, 2.0, 0.0, 2.0, 0.0]], [[0.0, 1.0, 2.0, 3.0, np.nan]]])
    >>> np.round(roughness(X), 3)  # steps of +-2; a straight line
    array([ 0.694, -6.908])
    """
    x = X[:, 0, :].astype(np.float64)
    d = np.diff(x, axis=1)  # NaN where either step is unobserved
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(d, axis=1)
    return np.log(np.nan_to_num(spread) + 1e-3)


TASKS = {"peak_position": peak_position, "roughness": roughness}


def _warm_up() -> None:
    from aeon.regression.convolution_based import MiniRocketRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 1, 40))
    y = rng.normal(size=12)
    MiniRocketRegressor(random_state=0).fit(X, y).predict(X)
    SeqPoolRegressor(random_state=0, max_epochs=2).fit(X.astype(np.float32), y).predict(X)


def run_task(name: str, task: str, home: Path, params: dict) -> dict:
    X_tr, _, X_te, _ = load(name, home)
    target = TASKS[task]
    row = {"dataset": name, "task": task}
    row.update(regression_scores(X_tr, target(X_tr), X_te, target(X_te), params))
    row["ratio"] = row["seqpool_rmse"] / max(row["minirocket_rmse"], 1e-12)
    return row


def main(argv: list[str] | None = None) -> int:
    # every fit and predict, ours and the peers', with each BLAS / OpenMP pool on one thread
    with one_thread():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--tasks", nargs="*", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    home = args.data_home or default_data_home()
    params = {"n_threads": 1}
    for item in args.set:
        key, value = setting(item)
        params[key] = value
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning, module="aeon")
    names = args.datasets or list_ucr(data_home=home)
    if not names:
        raise SystemExit(f"No datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME.")
    named = names
    names = [
        n
        for n in names
        if not _is_regression(np.asarray(fetch_ucr(n, data_home=home, download=False)[1]))
    ]
    if not names:
        raise SystemExit(
            f"No classification datasets to derive tasks from among {', '.join(named)}."
        )
    _warm_up()
    with one_thread():  # as during every fit and predict of regression_scores
        print(f"# one torch thread per fit; BLAS/OpenMP pools: {pool_threads()}")
    print(
        f"{'dataset':28s} {'task':14s} {'seqpool':>8s} {'minirkt':>8s} {'ridge':>8s} "
        f"{'mean':>8s} {'ratio':>6s} {'fit s':>6s}"
    )
    rows = []
    for name in names:
        for task in args.tasks:
            r = run_task(name, task, home, params)
            rows.append(r)
            print(
                f"{name:28s} {task:14s} {r['seqpool_rmse']:8.4f} {r['minirocket_rmse']:8.4f} "
                f"{r['ridge_rmse']:8.4f} {r['mean_rmse']:8.4f} {r['ratio']:6.3f} "
                f"{r['seqpool_fit_s']:6.1f}",
                flush=True,
            )
    ratios = [r["ratio"] for r in rows]
    beats_mean = sum(r["seqpool_rmse"] < r["mean_rmse"] for r in rows)
    mr_beats_ridge = [r for r in rows if r["minirocket_rmse"] < r["ridge_rmse"]]
    beats_ridge = sum(r["seqpool_rmse"] < r["ridge_rmse"] for r in mr_beats_ridge)
    print(
        f"RESULT tasks={len(rows)} worst_rmse_ratio_to_minirocket={max(ratios):.3f} "
        f"median_rmse_ratio={statistics.median(ratios):.3f} "
        f"beats_mean={beats_mean}/{len(rows)} beats_ridge={beats_ridge}/{len(mr_beats_ridge)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
