"""Benchmark: the default estimators beside MiniRocket, MultiRocket and MultiRocket+Hydra.

For every classification dataset of the development suite (20 UCR/UEA datasets: the
``.ts`` and ``.tsv`` files in the data home), fit the *default* ``SeqPoolClassifier``
(only ``random_state`` set), aeon's ``MiniRocketClassifier(random_state=0)``,
``MultiRocketClassifier(random_state=0)`` and ``MultiRocketHydraClassifier(random_state=0)``
on the archive's TRAIN split in the same process,
score them on TEST and time the fits. Beside them, unless ``--no-multirocket-style``, the
MultiRocket-style configuration of ours (``MULTIROCKET_STYLE``: MultiRocket's pools on the
series and its first difference; ``--mr-set name=value`` changes it) is fitted the same
way and compared with MultiRocket. Then the same for every regression dataset
(``SeqPoolRegressor`` against ``MiniRocketRegressor``, ``RidgeCV`` on the flattened series
and the training mean, by test RMSE).

Fair-timing rules: one torch thread per fit (``n_threads=1`` passed to ours) and
aeon with ``n_jobs=1``, and every fit and predict of every method inside
``threadpoolctl.threadpool_limits(1)``, so that the BLAS behind the peers' ridge readouts
(``RidgeClassifierCV``, ``RidgeCV``) and every OpenMP pool run on one thread as ours does
(the header line prints the pools' thread counts inside that block); all are warmed up on
a tiny problem first, so numba's compilation and torch's first-call imports are not
timed. MiniRocket gets zero padding for series of
unequal length or with missing steps (it has no notion of NaN), and so do MultiRocket and
MultiRocket+Hydra; ours reads the NaN.

The data home is ``--data-home``, else ``$SEQPOOL_DATA_HOME``, else ``../shared/ucr``
next to the repository. aeon comes from the ``bench`` extra (``pip install -e ".[bench]"``);
it is never a runtime dependency.

Run::

    python benchmarks/bench_archive.py               # whole suite
    python benchmarks/bench_archive.py --quick       # four datasets
    python benchmarks/bench_archive.py --datasets Beef CBF --set hidden_size=128
    python benchmarks/bench_archive.py --set random_state=1   # ours on another seed

The whole suite takes about 5 to 10 minutes on 2 cores and ``--quick`` about 30 s to
1 minute, depending on the machine's load.

``--set name=value`` overrides a parameter (a Python literal) of the default estimator for
ablations, ``--mr-set name=value`` one of the MultiRocket-style configuration.
``random_state`` is 0 unless set so: ``--set random_state=1`` fits ours (and the
MultiRocket-style configuration, unless ``--mr-set random_state=...`` says otherwise) on
seed 1, which is how the figures over several seeds were taken; the aeon peers keep
``random_state=0``. The
classification part ends with::

    RESULT mean_gap_to_minirocket=<points> worst_gap_to_minirocket=<points> median_fit_s=<s>
    max_fit_s=<s> median_fit_ratio=<seqpool/minirocket> mean_gap_to_mrhydra=<points>
    worst_gap_to_mrhydra=<points>
    RESULT_MULTIROCKET mean_gap_to_multirocket=<points> worst_gap_to_multirocket=<points>
    median_fit_s=<s> median_fit_ratio_to_default=<ratio> multirocket_mean_acc=<acc>

(one line each), gaps in accuracy points (the peer minus ours; negative = ours better), the
second line for the MultiRocket-style configuration (the ratio of its median fit to the
default's median fit); the
regression part with ``RESULT_REGRESSION worst_rmse_ratio_to_minirocket=<ratio>
beats_mean=<k/n> beats_ridge=<k/n>``, ``n`` every regression dataset of the run (unlike
``bench_regression.py``'s ``beats_ridge``, which counts only the tasks on which
MiniRocket beats RidgeCV).
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor, fetch_ucr, list_ucr

QUICK = ("Beef", "CBF", "ECG200", "JapaneseVowels")

# MultiRocket's operators on the series and on its first difference with MultiRocket's
# closed-form readout, chosen on the suite (docs/benchmarks.rst, "A closed-form readout");
# --mr-set changes one setting.
MULTIROCKET_STYLE = {
    "encoder": "multirocket",
    "pool": ("ppv", "lspv"),
    "encoder_channels": 4998,
    "readout": "ridge",
}


def default_data_home() -> Path:
    env = os.environ.get("SEQPOOL_DATA_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "ucr"


def _pad_to(X: np.ndarray, length: int) -> np.ndarray:
    if X.shape[2] >= length:
        return X
    pad = np.full((X.shape[0], X.shape[1], length - X.shape[2]), np.nan, dtype=X.dtype)
    return np.concatenate([X, pad], axis=2)


def load(name: str, home: Path):
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr(name, split="both", data_home=home, download=False)
    X_tr = np.asarray(X_tr, dtype=np.float32)
    X_te = np.asarray(X_te, dtype=np.float32)
    if X_tr.ndim == 2:
        X_tr, X_te = X_tr[:, None], X_te[:, None]
    length = max(X_tr.shape[2], X_te.shape[2])
    return _pad_to(X_tr, length), np.asarray(y_tr), _pad_to(X_te, length), np.asarray(y_te)


def _is_regression(y: np.ndarray) -> bool:
    return y.dtype.kind == "f" and len(np.unique(y)) > 0.5 * len(y)


def one_thread():
    """Every BLAS and OpenMP pool held to one thread (threadpoolctl), for ours and the peers.

    aeon's ``n_jobs=1`` sets numba's threads, not the BLAS of its ridge readouts. The
    limit reaches the libraries loaded when it is taken, so it is taken anew around every
    fit and predict (after the warm-up has loaded them all).
    """
    return threadpool_limits(limits=1)


def pool_threads() -> str:
    """The thread count of every BLAS / OpenMP pool loaded now, for the header line."""
    return ", ".join(f"{info['internal_api']} {info['num_threads']}" for info in threadpool_info())


def _warm_up(regression: bool, style: dict | None = None) -> None:
    from aeon.classification.convolution_based import (
        MiniRocketClassifier,
        MultiRocketClassifier,
        MultiRocketHydraClassifier,
    )
    from aeon.regression.convolution_based import MiniRocketRegressor

    rng = np.random.default_rng(0)
    y = np.arange(12) % 2
    for channels in (1, 3):
        X = rng.normal(size=(12, channels, 40))
        MiniRocketClassifier(random_state=0).fit(X, y).predict(X)
        MultiRocketClassifier(random_state=0).fit(X, y).predict(X)
        MultiRocketHydraClassifier(random_state=0).fit(X, y).predict(X)
        SeqPoolClassifier(random_state=0, max_epochs=2).fit(X.astype(np.float32), y).predict(X)
        if style is not None:
            SeqPoolClassifier(random_state=0, max_epochs=2, **style).fit(
                X.astype(np.float32), y
            ).predict(X)
        if regression:
            MiniRocketRegressor(random_state=0).fit(X, rng.normal(size=12)).predict(X)


def _timed(fit):
    """``fit()`` and its seconds, every thread pool held to one thread."""
    with one_thread():
        start = time.perf_counter()
        model = fit()
        return model, time.perf_counter() - start


def _predict(model, X):
    """``model.predict(X)``, every thread pool held to one thread."""
    with one_thread():
        return model.predict(X)


def run_classification(name: str, home: Path, params: dict, style: dict | None) -> dict:
    from aeon.classification.convolution_based import (
        MiniRocketClassifier,
        MultiRocketClassifier,
        MultiRocketHydraClassifier,
    )

    X_tr, y_tr, X_te, y_te = load(name, home)
    params = {"random_state": 0, **params}
    ours, ours_s = _timed(lambda: SeqPoolClassifier(**params).fit(X_tr, y_tr))
    acc = float(np.mean(_predict(ours, X_te) == y_te))
    X_tr0 = np.nan_to_num(X_tr).astype(np.float64)
    X_te0 = np.nan_to_num(X_te).astype(np.float64)
    peer, peer_s = _timed(lambda: MiniRocketClassifier(random_state=0, n_jobs=1).fit(X_tr0, y_tr))
    peer_acc = float(np.mean(_predict(peer, X_te0) == y_te))
    multi, multi_s = _timed(
        lambda: MultiRocketClassifier(random_state=0, n_jobs=1).fit(X_tr0, y_tr)
    )
    multi_acc = float(np.mean(_predict(multi, X_te0) == y_te))
    hydra, hydra_s = _timed(
        lambda: MultiRocketHydraClassifier(random_state=0, n_jobs=1).fit(X_tr0, y_tr)
    )
    hydra_acc = float(np.mean(_predict(hydra, X_te0) == y_te))
    row = {
        "dataset": name,
        "n_train": len(X_tr),
        "length": X_tr.shape[2],
        "channels": X_tr.shape[1],
        "classes": len(np.unique(y_tr)),
        "seqpool_acc": acc,
        "minirocket_acc": peer_acc,
        "gap_points": 100 * (peer_acc - acc),
        "seqpool_fit_s": ours_s,
        "minirocket_fit_s": peer_s,
        "epochs": ours.n_iter_,
        "multirocket_acc": multi_acc,
        "multirocket_fit_s": multi_s,
        "mrhydra_acc": hydra_acc,
        "mrhydra_fit_s": hydra_s,
        "mrhydra_gap_points": 100 * (hydra_acc - acc),
    }
    if style is not None:
        style = {"random_state": params["random_state"], **style}
        mr, mr_s = _timed(lambda: SeqPoolClassifier(**style).fit(X_tr, y_tr))
        row["style_acc"] = float(np.mean(_predict(mr, X_te) == y_te))
        row["style_fit_s"] = mr_s
        row["style_gap_points"] = 100 * (multi_acc - row["style_acc"])
    return row


def _rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def run_regression(name: str, home: Path, params: dict) -> dict:
    X_tr, y_tr, X_te, y_te = load(name, home)
    return {"dataset": name, **regression_scores(X_tr, y_tr, X_te, y_te, params)}


# RidgeCV's penalties on the standardised flattened series
RIDGE_ALPHAS = np.logspace(-3, 6, 19)


def regression_scores(X_tr, y_tr, X_te, y_te, params: dict) -> dict:
    """Test RMSE of the regressor, MiniRocketRegressor, RidgeCV and the mean; fit times."""
    from aeon.regression.convolution_based import MiniRocketRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y_tr, y_te = np.asarray(y_tr, dtype=float), np.asarray(y_te, dtype=float)
    params = {"random_state": 0, **params}
    ours, ours_s = _timed(lambda: SeqPoolRegressor(**params).fit(X_tr, y_tr))
    X_tr0 = np.nan_to_num(X_tr).astype(np.float64)
    X_te0 = np.nan_to_num(X_te).astype(np.float64)
    peer, peer_s = _timed(lambda: MiniRocketRegressor(random_state=0, n_jobs=1).fit(X_tr0, y_tr))
    # the anchor tuned as a user would: the flattened steps standardised (series in their
    # own units, such as Covid3Month's counts up to 2e4, put the penalty off any fixed
    # grid) and a grid wide enough that the choice sits inside it
    ridge, _ = _timed(
        lambda: make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS)).fit(
            X_tr0.reshape(len(X_tr0), -1), y_tr
        )
    )
    chosen = ridge[-1].alpha_
    if chosen in (RIDGE_ALPHAS[0], RIDGE_ALPHAS[-1]):
        print(
            f"warning: RidgeCV chose alpha={chosen:g}, at the edge of its grid "
            f"[{RIDGE_ALPHAS[0]:g}, {RIDGE_ALPHAS[-1]:g}]",
            file=sys.stderr,
            flush=True,
        )
    return {
        "n_train": len(X_tr),
        "length": X_tr.shape[2],
        "seqpool_rmse": _rmse(_predict(ours, X_te), y_te),
        "minirocket_rmse": _rmse(_predict(peer, X_te0), y_te),
        "ridge_rmse": _rmse(_predict(ridge, X_te0.reshape(len(X_te0), -1)), y_te),
        "mean_rmse": _rmse(np.full_like(y_te, y_tr.mean()), y_te),
        "seqpool_fit_s": ours_s,
        "minirocket_fit_s": peer_s,
    }


def setting(item: str) -> tuple[str, object]:
    """``NAME=VALUE`` of ``--set``: VALUE as a Python literal, else as a plain string
    (``encoder=multirocket`` and ``encoder='multirocket'`` are the same setting)."""
    key, _, value = item.partition("=")
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value


def main(argv: list[str] | None = None) -> int:
    # every fit and predict, ours and the peers', with each BLAS / OpenMP pool on one thread
    with one_thread():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "--mr-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a setting of the MultiRocket-style configuration",
    )
    parser.add_argument(
        "--no-multirocket-style",
        action="store_true",
        help="skip the MultiRocket-style configuration of ours",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    parser.add_argument("--csv", type=Path, default=None, help="write the rows here")
    args = parser.parse_args(argv)
    home = args.data_home or default_data_home()
    params = {}
    for item in args.set:
        key, value = setting(item)
        params[key] = value
    # fair timing: one thread per fit for ours as for aeon (the default "auto" uses every core)
    params.setdefault("n_threads", 1)
    style = None
    if not args.no_multirocket_style:
        style = dict(MULTIROCKET_STYLE)
        for item in args.mr_set:
            key, value = setting(item)
            style[key] = value
        style.setdefault("n_threads", 1)
    names = args.datasets or (list(QUICK) if args.quick else list_ucr(data_home=home))
    if not names:
        raise SystemExit(f"No datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME.")
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning, module="aeon")
    kinds = {}
    for name in names:
        _, y = fetch_ucr(name, split="train", data_home=home, download=False)
        kinds[name] = "regression" if _is_regression(np.asarray(y)) else "classification"
    _warm_up(regression="regression" in kinds.values(), style=style)
    with one_thread():  # as during every fit and predict below
        pools = pool_threads()
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"one torch thread per fit; BLAS/OpenMP pools: {pools}; "
        f"estimator overrides: {params or 'none'}; "
        f"MultiRocket-style configuration: {style if style is not None else 'skipped'}"
    )
    rows, reg_rows = [], []
    header = (
        f"{'dataset':28s} {'n×len':>9s} {'cls':>3s} {'seqpool':>7s} {'minirkt':>7s} "
        f"{'gap':>6s} {'fit s':>6s} {'mr s':>5s} {'multirk':>7s} {'mrk s':>5s} "
        f"{'mr+hyd':>7s} {'mrh s':>5s}"
        + (f" {'style':>7s} {'gap':>6s} {'fit s':>6s}" if style is not None else "")
    )
    print(header)
    for name in names:
        if kinds[name] != "classification":
            continue
        r = run_classification(name, home, params, style)
        rows.append(r)
        line = (
            f"{name:28s} {r['n_train']:>4d}×{r['length']:<4d} {r['classes']:>3d} "
            f"{r['seqpool_acc']:7.3f} {r['minirocket_acc']:7.3f} {r['gap_points']:6.1f} "
            f"{r['seqpool_fit_s']:6.1f} {r['minirocket_fit_s']:5.2f} "
            f"{r['multirocket_acc']:7.3f} {r['multirocket_fit_s']:5.2f} "
            f"{r['mrhydra_acc']:7.3f} {r['mrhydra_fit_s']:5.2f}"
        )
        if style is not None:
            line += f" {r['style_acc']:7.3f} {r['style_gap_points']:6.1f} {r['style_fit_s']:6.1f}"
        print(line, flush=True)
    for name in names:
        if kinds[name] != "regression":
            continue
        r = run_regression(name, home, params)
        reg_rows.append(r)
        print(
            f"{name:28s} RMSE seqpool {r['seqpool_rmse']:.4f}  minirocket "
            f"{r['minirocket_rmse']:.4f}  ridge {r['ridge_rmse']:.4f}  mean {r['mean_rmse']:.4f}"
            f"  fit {r['seqpool_fit_s']:.1f} s / {r['minirocket_fit_s']:.2f} s",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"classification": rows, "regression": reg_rows}, indent=1))
    if args.csv and rows:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if rows:
        gaps = [r["gap_points"] for r in rows]
        fits = [r["seqpool_fit_s"] for r in rows]
        ratios = [r["seqpool_fit_s"] / max(r["minirocket_fit_s"], 1e-3) for r in rows]
        print(
            f"mean accuracy: seqpool {statistics.mean(r['seqpool_acc'] for r in rows):.4f}, "
            f"minirocket {statistics.mean(r['minirocket_acc'] for r in rows):.4f}"
        )
        print(
            f"RESULT mean_gap_to_minirocket={statistics.mean(gaps):.2f} "
            f"worst_gap_to_minirocket={max(gaps):.2f} median_fit_s={statistics.median(fits):.2f} "
            f"max_fit_s={max(fits):.2f} median_fit_ratio={statistics.median(ratios):.1f} "
            f"mean_gap_to_mrhydra={statistics.mean(r['mrhydra_gap_points'] for r in rows):.2f} "
            f"worst_gap_to_mrhydra={max(r['mrhydra_gap_points'] for r in rows):.2f}"
        )
        print(
            f"mean accuracy: multirocket {statistics.mean(r['multirocket_acc'] for r in rows):.4f}"
            f", multirocket+hydra {statistics.mean(r['mrhydra_acc'] for r in rows):.4f}"
            + (
                f", multirocket-style {statistics.mean(r['style_acc'] for r in rows):.4f}"
                if style is not None
                else ""
            )
        )
        if style is not None:
            style_gaps = [r["style_gap_points"] for r in rows]
            style_fit = statistics.median(r["style_fit_s"] for r in rows)
            print(
                f"RESULT_MULTIROCKET mean_gap_to_multirocket={statistics.mean(style_gaps):.2f} "
                f"worst_gap_to_multirocket={max(style_gaps):.2f} median_fit_s={style_fit:.2f} "
                f"median_fit_ratio_to_default={style_fit / statistics.median(fits):.1f} "
                f"multirocket_mean_acc="
                f"{statistics.mean(r['multirocket_acc'] for r in rows):.4f}"
            )
    if reg_rows:
        ratio = max(r["seqpool_rmse"] / r["minirocket_rmse"] for r in reg_rows)
        beats_mean = sum(r["seqpool_rmse"] < r["mean_rmse"] for r in reg_rows)
        beats_ridge = sum(r["seqpool_rmse"] < r["ridge_rmse"] for r in reg_rows)
        print(
            f"RESULT_REGRESSION worst_rmse_ratio_to_minirocket={ratio:.3f} "
            f"beats_mean={beats_mean}/{len(reg_rows)} beats_ridge={beats_ridge}/{len(reg_rows)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
