"""Benchmark: does the order of decoder and pooling matter? The archive suite's answer.

For every classification dataset of the development suite, ``compare_heads`` runs the
order x pool grid (``pool_first`` / ``decode_first`` x the ``--pools``, default ``avg`` and
``max``; ``ppv+lspv`` is the combined pool ``("ppv", "lspv")``; global windows) on the
dataset's TRAIN and TEST series pooled (at most ``--max-samples`` of them, drawn stratified),
with stratified ``--cv``-fold cross-validation. The head sits on the raw
channels by default (``encoder=None``, the original question's setting; ``--encoder``
chooses another, e.g. ``minirocket`` with ``--encoder-channels 1008``). The per-dataset
comparisons are combined with :func:`seqpool_sklearn.summarize_comparisons`: mean ranks,
win/tie/loss counts of the orders per pool, and a Wilcoxon signed-rank test across datasets
with Holm's adjustment -- and, with more than one pool, the main effect of the pool: every
pool against the best-ranked one, each dataset's accuracy averaged over the two orders,
Wilcoxon signed-rank across datasets, Holm-adjusted over the pools.

Run::

    python benchmarks/bench_order.py                    # raw channels, ~10 minutes on 2 cores
    python benchmarks/bench_order.py --datasets GunPoint CBF --cv 3
    python benchmarks/bench_order.py --encoder minirocket --encoder-channels 336 \
        --pools avg,ppv,mpv,mipv,lspv,ppv+lspv,ppv+mpv+mipv+lspv --out results
    python benchmarks/bench_order.py --from-csv results/scores.csv --out results

With ``--out`` every finished dataset's comparison is stored in ``comparisons.pkl`` there,
and ``--resume`` takes those instead of running them again. ``--from-csv`` recomputes the
tables and draws the critical-difference diagram (``cd_diagram.png``) from a stored
``scores.csv``, without fitting anything. ``--equivalence-margin`` (default 0.01, one
accuracy point, fixed before the run) adds the cross-dataset equivalence test of the order
effect to the order table.

A run that fits ends with the line ``RESULT datasets=<n> decode_first_wins=<k>
pool_first_wins=<k> ties=<k> seconds=<s>`` over all pool cells; ``--from-csv`` measures
nothing and prints the tables alone, without a ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

# the archive benchmark's loader: same data home rules, same NaN padding
from bench_archive import default_data_home, load
from sklearn.model_selection import train_test_split

from seqpool_sklearn import (
    ComparisonSummary,
    SeqPoolClassifier,
    compare_heads,
    fetch_ucr,
    list_ucr,
    summarize_comparisons,
)
from seqpool_sklearn._stats import holm, wilcoxon_test


def parse_pools(text: str) -> list:
    """``"avg,ppv+lspv"`` -> ``["avg", ("ppv", "lspv")]``."""
    pools = []
    for name in text.split(","):
        parts = tuple(part.strip() for part in name.split("+") if part.strip())
        if not parts:
            raise ValueError(f"--pools has an empty pool name in {text!r}.")
        pools.append(parts[0] if len(parts) == 1 else parts)
    return pools


def pool_effect(scores: pd.DataFrame) -> pd.DataFrame:
    """Main effect of the pool across datasets, every pool against the best-ranked one.

    Each dataset's accuracy of a pool is its mean over the orders; the per-dataset
    differences to the reference pool go into a Wilcoxon signed-rank test, and the p-values
    of all pools are Holm-adjusted together.
    """
    per_pool = scores.groupby(["dataset", "pool"])["mean_score"].mean().unstack("pool")
    ranks = per_pool.rank(axis=1, ascending=False).mean()
    reference = ranks.idxmin()
    rows = []
    for pool in ranks.sort_values().index:
        if pool == reference:
            continue
        diff = per_pool[reference] - per_pool[pool]
        # the package's test: exact for up to 50 untied datasets, ties or not, whatever the
        # scipy version (scipy's own switches to the normal approximation on tied sizes)
        p = wilcoxon_test(diff[np.abs(diff) > 1e-12].to_numpy())["p_value"]
        rows.append(
            {
                "pool": pool,
                "reference": reference,
                "mean_rank": float(ranks[pool]),
                "reference_higher": int((diff > 1e-12).sum()),
                "ties": int((np.abs(diff) <= 1e-12).sum()),
                "pool_higher": int((diff < -1e-12).sum()),
                "mean_difference": float(diff.mean()),
                "p_value": p,
            }
        )
    out = pd.DataFrame(rows)
    if len(out):
        out["p_holm"] = holm(out["p_value"].to_numpy())
    return out


def report(summary, out: Path | None, effect: pd.DataFrame | None = None) -> pd.DataFrame:
    """Print and store the tables; draw the critical-difference diagram.

    ``effect`` is a stored order effect (the per-dataset tests need the fitted comparisons,
    which a CSV does not hold); ``None`` computes it from ``summary``.
    """
    print(summary.ranks().to_string(index=False))
    if effect is None:
        effect = summary.order_effect()
    print()
    print(effect.to_string(index=False))
    pools = pool_effect(summary.scores)
    if len(pools):
        print()
        print(pools.to_string(index=False))
    if out:
        out.mkdir(parents=True, exist_ok=True)
        summary.scores.to_csv(out / "scores.csv", index=False)
        effect.to_csv(out / "order_effect.csv", index=False)
        summary.ranks().to_csv(out / "ranks.csv", index=False)
        if len(pools):
            pools.to_csv(out / "pool_effect.csv", index=False)
        import matplotlib

        matplotlib.use("Agg")
        summary.plot().savefig(out / "cd_diagram.png", dpi=120, bbox_inches="tight")
    return effect


def stratified_subset(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of ``n`` rows of ``y`` drawn stratified, for any ``n`` below ``len(y)``.

    scikit-learn's stratified split needs at least one left-out row per class, which a
    draw that leaves fewer rows out than there are classes (300 of 304 series in 6
    classes) does not have; then the rows left out are drawn from the classes whose
    proportional share they exceed (largest remainders), so the kept proportions are as
    close to the full set's as whole rows allow.
    """
    classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    n_out = len(y) - n
    if n_out >= len(classes):
        idx = np.arange(len(y))
        kept, _ = train_test_split(idx, train_size=n, stratify=y, random_state=seed)
        return kept
    share = counts * n / len(y)
    quota = np.floor(share).astype(int)
    order = np.argsort(-(share - quota), kind="stable")
    quota[order[: n - int(quota.sum())]] += 1
    rng = np.random.default_rng(seed)
    kept = [rng.permutation(np.flatnonzero(y_idx == k))[:q] for k, q in enumerate(quota)]
    return np.sort(np.concatenate(kept))


def load_pooled(name: str, home: Path, max_samples: int, seed: int):
    """TRAIN and TEST series of a dataset together, at most ``max_samples`` (stratified)."""
    X_tr, y_tr, X_te, y_te = load(name, home)
    X, y = np.concatenate([X_tr, X_te]), np.concatenate([y_tr, y_te])
    if len(X) > max_samples:
        kept = stratified_subset(y, max_samples, seed)
        X, y = X[kept], y[kept]
    return X, y


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--encoder", default="none")
    parser.add_argument("--encoder-channels", type=int, default=None)
    parser.add_argument(
        "--label-smoothing",
        type=float,
        default=None,
        help="the classifier's label_smoothing (default: the estimator's own); the "
        "evidence page's runs used 0, the default before label smoothing",
    )
    parser.add_argument(
        "--hidden-size",
        type=int,
        default=None,
        help="the decoder's width (default: the estimator's own, 64 or 128 for 7 classes "
        "or more); the evidence page's runs used 64, the default before that rule",
    )
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--max-samples", type=int, default=300)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--pools", default="avg,max", help="comma-separated pools; a+b is a combined pool"
    )
    parser.add_argument("--out", type=Path, default=None, help="write the tables here")
    parser.add_argument(
        "--equivalence-margin",
        type=float,
        default=0.01,
        help="margin of the cross-dataset equivalence test of the order effect (score units)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="take the datasets already compared from --out's comparisons.pkl",
    )
    parser.add_argument(
        "--from-csv", type=Path, default=None, help="re-analyse a stored scores.csv"
    )
    args = parser.parse_args(argv)
    if args.from_csv:
        scores = pd.read_csv(args.from_csv, keep_default_na=False, na_values=[""])
        scores["window"] = scores["window"].astype(object).where(scores["window"].notna(), None)
        summary = ComparisonSummary(
            dict.fromkeys(scores["dataset"].unique()),
            scores,
            equivalence_margin=args.equivalence_margin,
        )
        report(summary, args.out, pd.read_csv(args.from_csv.parent / "order_effect.csv"))
        return 0
    pools = parse_pools(args.pools)
    home = args.data_home or default_data_home()
    torch.set_num_threads(1)
    encoder = None if args.encoder == "none" else args.encoder
    estimator = SeqPoolClassifier(
        encoder=encoder,
        encoder_channels=args.encoder_channels,
        hidden_size=args.hidden_size,
        random_state=0,
        n_threads=1,
    )
    if args.label_smoothing is not None:
        estimator.set_params(label_smoothing=args.label_smoothing)
    names = args.datasets or list_ucr(data_home=home)
    start = time.perf_counter()
    comparisons = {}
    stored = args.out / "comparisons.pkl" if args.out else None
    if stored is not None and args.resume and stored.exists():
        with open(stored, "rb") as fh:
            comparisons = pickle.load(fh)
        print(f"resumed {len(comparisons)} datasets from {stored}", flush=True)
    for name in names:
        if name in comparisons:
            continue
        _, y_train = fetch_ucr(name, split="train", data_home=home, download=False)
        y_train = np.asarray(y_train)
        if y_train.dtype.kind == "f" and len(np.unique(y_train)) > 0.5 * len(y_train):
            continue  # a regression set
        X, y = load_pooled(name, home, args.max_samples, seed=0)
        t0 = time.perf_counter()
        result = compare_heads(
            estimator,
            X,
            y,
            pools=pools,
            cv=args.cv,
            random_state=0,
            n_jobs=args.n_jobs,
        )
        comparisons[name] = result
        best = result.summary().iloc[0]
        print(
            f"{name:28s} {X.shape[0]:4d}x{X.shape[1]}x{X.shape[2]:<4d} best "
            f"{best['order']}/{best['pool']} {best['mean_score']:.3f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        if stored is not None:  # what is done so far survives an interrupted run (--resume)
            args.out.mkdir(parents=True, exist_ok=True)
            with open(stored, "wb") as fh:
                pickle.dump(comparisons, fh)
    summary = summarize_comparisons(comparisons, equivalence_margin=args.equivalence_margin)
    print()
    print(summary.report())
    print()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scipy's small-sample notes
        effect = report(summary, args.out)
    print(
        f"RESULT datasets={len(comparisons)} "
        f"decode_first_wins={int(effect['decode_first_wins'].sum())} "
        f"pool_first_wins={int(effect['pool_first_wins'].sum())} "
        f"ties={int(effect['ties'].sum())} seconds={time.perf_counter() - start:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
