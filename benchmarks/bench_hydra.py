"""Benchmark: ``encoder="hydra"`` beside ``"minirocket"`` and aeon's Hydra and MiniRocket.

For every classification dataset of the development suite, fit the default
``SeqPoolClassifier`` (only ``random_state`` and ``encoder`` set) with ``encoder="hydra"``
and with ``encoder="minirocket"``, and aeon's ``HydraClassifier`` and
``MiniRocketClassifier`` (``random_state=0``, ``n_jobs=1``), all on the archive's TRAIN
split in one process; score on TEST and time the fits. The timing rules are those of
``bench_archive.py`` (one torch thread, every fit and predict with each BLAS / OpenMP pool
held to one thread by ``threadpoolctl``, warmed up first; aeon reads zero-padded series).

Run (aeon from the ``bench`` extra)::

    PYTHONPATH=. python benchmarks/bench_hydra.py --quick
    PYTHONPATH=. python benchmarks/bench_hydra.py --datasets GunPoint Coffee

It prints each method's mean accuracy and fit times, then one line::

    RESULT mean_gap_to_minirocket=<points> mean_gap_to_aeon_hydra=<points>
    worst_gap_to_aeon_hydra=<points> median_fit_s=<s>

(one line; the gaps are the other method's accuracy minus ``encoder="hydra"``'s, with
``"minirocket"`` the default ``SeqPoolClassifier``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_archive import (  # noqa: E402
    QUICK,
    _is_regression,
    _predict,
    _timed,
    _warm_up,
    default_data_home,
    load,
    one_thread,
    pool_threads,
)

import seqpool_sklearn  # noqa: E402
from seqpool_sklearn import SeqPoolClassifier, fetch_ucr, list_ucr  # noqa: E402

METHODS = ("seqpool_hydra", "seqpool_minirocket", "aeon_hydra", "aeon_minirocket")


def run(name: str, home: Path) -> dict:
    from aeon.classification.convolution_based import HydraClassifier, MiniRocketClassifier

    X_tr, y_tr, X_te, y_te = load(name, home)
    X_tr0 = np.nan_to_num(X_tr).astype(np.float64)
    X_te0 = np.nan_to_num(X_te).astype(np.float64)
    fits = {
        "seqpool_hydra": (
            lambda: SeqPoolClassifier(random_state=0, encoder="hydra", n_threads=1).fit(X_tr, y_tr),
            X_te,
        ),
        "seqpool_minirocket": (
            lambda: SeqPoolClassifier(random_state=0, encoder="minirocket", n_threads=1).fit(
                X_tr, y_tr
            ),
            X_te,
        ),
        "aeon_hydra": (
            lambda: HydraClassifier(random_state=0, n_jobs=1).fit(X_tr0.astype(np.float32), y_tr),
            X_te0.astype(np.float32),
        ),
        "aeon_minirocket": (
            lambda: MiniRocketClassifier(random_state=0, n_jobs=1).fit(X_tr0, y_tr),
            X_te0,
        ),
    }
    row = {"dataset": name, "n_train": len(X_tr), "length": X_tr.shape[2]}
    for method, (fit, X_eval) in fits.items():
        model, seconds = _timed(fit)
        row[method] = float(np.mean(_predict(model, X_eval) == y_te))
        row[method + "_s"] = seconds
    return row


def main(argv: list[str] | None = None) -> int:
    # every fit and predict, ours and the peers', with each BLAS / OpenMP pool on one thread
    with one_thread():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    args = parser.parse_args(argv)
    home = args.data_home or default_data_home()
    names = args.datasets or (list(QUICK) if args.quick else list_ucr(data_home=home))
    if not names:
        raise SystemExit(f"No datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME.")
    named = names
    names = [
        n
        for n in names
        if not _is_regression(np.asarray(fetch_ucr(n, split="train", data_home=home)[1]))
    ]
    if not names:
        raise SystemExit(f"No classification datasets among {', '.join(named)}.")
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning, module="aeon")
    _warm_up(regression=False, style=None)
    from aeon.classification.convolution_based import HydraClassifier

    rng = np.random.default_rng(0)
    for channels in (1, 3):
        X = rng.normal(size=(12, channels, 40)).astype(np.float32)
        HydraClassifier(random_state=0).fit(X, np.arange(12) % 2).predict(X)
        SeqPoolClassifier(random_state=0, encoder="hydra", max_epochs=2).fit(X, np.arange(12) % 2)
    with one_thread():  # as during every fit and predict below
        pools = pool_threads()
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"one torch thread per fit; BLAS/OpenMP pools: {pools}; "
        f"seqpool_sklearn from {Path(seqpool_sklearn.__file__).parent}"
    )
    print(f"{'dataset':28s} " + " ".join(f"{m:>18s}" for m in METHODS))
    rows = []
    for name in names:
        r = run(name, home)
        rows.append(r)
        cells = " ".join(f"{r[m]:7.3f} ({r[m + '_s']:6.2f}s)" for m in METHODS)
        print(f"{name:28s} {cells}", flush=True)
    for m in METHODS:
        print(
            f"{m}: mean accuracy {statistics.mean(r[m] for r in rows):.4f}, fit median "
            f"{statistics.median(r[m + '_s'] for r in rows):.2f} s, max "
            f"{max(r[m + '_s'] for r in rows):.2f} s over {len(rows)} datasets"
        )
    gaps = {m: [100 * (r[m] - r["seqpool_hydra"]) for r in rows] for m in METHODS[1:]}
    print(
        f"RESULT mean_gap_to_minirocket={statistics.mean(gaps['seqpool_minirocket']):.2f} "
        f"mean_gap_to_aeon_hydra={statistics.mean(gaps['aeon_hydra']):.2f} "
        f"worst_gap_to_aeon_hydra={max(gaps['aeon_hydra']):.2f} "
        f"median_fit_s={statistics.median(r['seqpool_hydra_s'] for r in rows):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
