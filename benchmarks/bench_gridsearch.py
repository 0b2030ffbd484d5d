"""Benchmark: a head-design grid search, serial against two parallel back-ends.

``GridSearchCV`` over 2 orders x 2 pools x 2 windows with 3-fold CV (24 fits) of a
``SeqPoolClassifier`` on a synthetic event-timing task, run three ways:

* ``n_jobs=1`` (serial, in this process);
* ``n_jobs=2`` with joblib's default ``loky`` back-end (2 worker processes);
* a Dask ``LocalCluster`` of 2 worker processes x 1 thread, through
  ``joblib.parallel_backend("dask")``.

Each fit uses one torch intra-op thread (``n_threads=1``; ``--n-threads auto`` runs the
estimators' default, which gives a fit in the main process every core and one in a worker
its share), so two parallel fits use the two cores without oversubscribing them. The worker
pools are started, and every mode -- the serial one in this process included -- is warmed
up with one tiny search (torch imported, first-call costs paid) before timing: the figures
are for a session that runs searches, not for process start-up. ``refit=False``: the refit
on the whole data is one serial fit after the search and is the same for every back-end. The
three modes run interleaved, ``--repeats`` times each; the figures are medians. The
cross-validation scores must be identical on every back-end (each fit is seeded by
``random_state`` and runs on one thread).

Dask's workers are started without the ``MALLOC_TRIM_THRESHOLD_=65536`` that
``distributed`` puts into their environment by default (``distributed.nanny.pre-spawn-environ``).
Setting that variable switches off glibc's adaptive mmap threshold, so every tensor buffer
above 128 KiB is mapped and unmapped anew at each training step: measured here, a 20-epoch
fit took 1.68 s in such a worker (0.68 s of it in the kernel, 365 000 page faults) against
0.89 s (1 500 page faults) without it. ``LocalCluster`` also writes the variable into the
parent's ``os.environ``, from where it reaches every process started later -- loky's
workers included. ``--dask-default-env`` keeps Dask's default to measure its cost.

Run::

    python benchmarks/bench_gridsearch.py            # about 3-5 minutes on 2 cores

The last line is ``RESULT speedup_loky=<serial / loky> speedup_dask=<serial / dask>``
(targets >= 1.8 and >= 1.7 on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from contextlib import nullcontext

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from seqpool_sklearn import SeqPoolClassifier, make_event_timing

GRID = {
    "order": ["pool_first", "decode_first"],
    "pool": ["avg", "max"],
    "window": [None, 16],
}


def make_search(n_jobs: int, epochs: int, width: int, n_threads: int | str | None) -> GridSearchCV:
    est = SeqPoolClassifier(
        encoder="conv",
        encoder_channels=width,
        hidden_size=32,
        max_epochs=epochs,
        batch_size=32,
        lr=3e-3,
        random_state=0,
        n_threads=n_threads,
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return GridSearchCV(est, GRID, cv=cv, n_jobs=n_jobs, refit=False)


def run(
    mode: str, X, y, *, epochs: int, width: int, n_threads: int | str | None = 1
) -> tuple[float, np.ndarray]:
    """Seconds for one search in ``mode``, and its mean test scores."""
    n_jobs = {"serial": 1, "loky": 2, "dask": -1}[mode]
    backend = joblib.parallel_backend("dask") if mode == "dask" else nullcontext()
    search = make_search(n_jobs, epochs, width, n_threads)
    start = time.perf_counter()
    with backend:
        search.fit(X, y)
    return time.perf_counter() - start, search.cv_results_["mean_test_score"]


def main(argv: list[str] | None = None) -> tuple[float, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="series in the data set")
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--width", type=int, default=32, help="conv encoder width")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--n-threads",
        type=lambda v: v if v == "auto" else int(v),
        default=1,
        help="the estimators' n_threads: an integer or 'auto', the estimators' default "
        "(default 1: bitwise-identical scores on every back-end; 2 shows oversubscription "
        "on 2 cores)",
    )
    parser.add_argument(
        "--dask-default-env",
        action="store_true",
        help="keep distributed's MALLOC_TRIM_THRESHOLD_=65536 for the Dask workers",
    )
    args = parser.parse_args(argv)

    import dask
    from dask.distributed import Client, LocalCluster

    X, y = make_event_timing(n_samples=args.n, n_timesteps=args.length, random_state=0)
    print(
        f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
        f"data {X.shape}; {len(GRID['order']) * len(GRID['pool']) * len(GRID['window'])} "
        f"configurations x 3 folds; {args.epochs} epochs per fit; n_threads={args.n_threads}"
    )
    # first-call costs (torch's lazy set-up, the first fit) in this process, as in the workers
    run("serial", X[:30], y[:30], epochs=1, width=4)
    run("loky", X[:30], y[:30], epochs=1, width=4)  # start loky's workers, import torch
    worker_env = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    if not args.dask_default_env:
        worker_env.pop("MALLOC_TRIM_THRESHOLD_", None)
    print(f"# Dask worker environment: {worker_env}")
    with (
        warnings.catch_warnings(),
        dask.config.set({"distributed.nanny.pre-spawn-environ": worker_env}),
    ):
        # distributed warns about the port of its dashboard when another cluster holds it.
        warnings.simplefilter("ignore", UserWarning)
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(cluster)
    try:
        run("dask", X[:30], y[:30], epochs=1, width=4)  # import torch in the workers
        times: dict[str, list[float]] = {"serial": [], "loky": [], "dask": []}
        scores = {}
        modes = list(times)
        for rep in range(args.repeats):
            for mode in modes if rep % 2 == 0 else modes[::-1]:
                seconds, scores[mode] = run(
                    mode, X, y, epochs=args.epochs, width=args.width, n_threads=args.n_threads
                )
                times[mode].append(seconds)
                print(f"  repeat {rep}: {mode:6s} {seconds:7.2f} s", flush=True)
    finally:
        client.close()
        cluster.close()

    med = {mode: statistics.median(ts) for mode, ts in times.items()}
    speedup_loky = med["serial"] / med["loky"]
    speedup_dask = med["serial"] / med["dask"]
    same = all(np.array_equal(scores["serial"], scores[m]) for m in ("loky", "dask"))
    print(f"{'mode':8s} {'median s':>9s} {'speedup':>8s}")
    for mode in modes:
        print(f"{mode:8s} {med[mode]:9.2f} {med['serial'] / med[mode]:8.2f}")
    print(f"# identical cv scores on all back-ends: {same}")
    print(f"# load average at end: {os.getloadavg()[0]:.2f}")
    print(f"RESULT speedup_loky={speedup_loky:.2f} speedup_dask={speedup_dask:.2f}")
    return speedup_loky, speedup_dask


if __name__ == "__main__":
    main()
