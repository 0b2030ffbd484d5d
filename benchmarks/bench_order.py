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
pool against the reference pool ``--reference-pool`` (default ``avg``, the estimators'
default pool), each dataset's accuracy averaged over the two orders, Wilcoxon signed-rank
across datasets, Holm-adjusted over the pools. The reference is fixed before the run, not
chosen as the pool that ranks best in the data: a comparator picked as the observed winner
biases every difference in its favour, which Holm's adjustment does not correct (in
simulations of 20 datasets with 7 to 12 pools equal in truth, the best-ranked reference
declared at least one pool worse in 12 to 17 % of runs, against the nominal 5 %).

Run::

    python benchmarks/bench_order.py                    # raw channels, ~10 minutes on 2 cores
    python benchmarks/bench_order.py --datasets GunPoint CBF --cv 3
    python benchmarks/bench_order.py --encoder minirocket --encoder-channels 336 \
        --pools avg,ppv,mpv,mipv,lspv,ppv+lspv,ppv+mpv+mipv+lspv --out results
    python benchmarks/bench_order.py --from-csv results/scores.csv --out results

With ``--out`` every finished dataset's comparison is stored in ``comparisons.pkl`` there,
with the settings that shape a comparison (``--encoder``, ``--encoder-channels``,
``--label-smoothing``, ``--hidden-size``, ``--cv``, ``--max-samples``, ``--pools``), and
``--resume`` takes those instead of running them again; it refuses, before fitting
anything, stored comparisons made with other settings (it names them), as it refuses a
file that does not record its settings. The summary covers the datasets of this run
(``--datasets``, else the data home's) and leaves out any other stored ones, saying so.
``--from-csv`` recomputes the tables and draws the critical-difference diagram
(``cd_diagram.png``) from a stored ``scores.csv``, without fitting anything.
``--equivalence-margin`` (default 0.01, one accuracy point, fixed before the run) adds the
cross-dataset equivalence test of the order effect to the order table.

A run that fits ends with the line ``RESULT datasets=<n> decode_first_wins=<k>
pool_first_wins=<k> ties=<k> seconds=<s>``: ``n`` the datasets summarised, the counts
summed over the pool cells (each pool counts each dataset once); ``--from-csv`` measures
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


def pool_label(pool) -> str:
    """A pool as the comparisons name it: ``("ppv", "lspv")`` -> ``"ppv+lspv"``."""
    return pool if isinstance(pool, str) else "+".join(pool)


def pool_effect(scores: pd.DataFrame, reference: str = "avg") -> pd.DataFrame:
    """Main effect of the pool across datasets, every pool against ``reference``.

    Each dataset's accuracy of a pool is its mean over the orders; the per-dataset
    differences to the reference pool go into a Wilcoxon signed-rank test, and the p-values
    of all pools are Holm-adjusted together. ``reference`` (a pool's label, ``"ppv+lspv"``
    for a combined pool) must be fixed before the scores are seen -- the estimators'
    default ``"avg"`` unless the run says otherwise: the best-ranked pool of the data as the
    comparator would bias every difference in its favour, beyond what Holm corrects.
    """
    per_pool = scores.groupby(["dataset", "pool"])["mean_score"].mean().unstack("pool")
    if reference not in per_pool.columns:
        raise ValueError(
            f"The reference pool must be one of the pools compared, {list(per_pool.columns)}; "
            f"got {reference!r}."
        )
    ranks = per_pool.rank(axis=1, ascending=False).mean()
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
                "reference_mean_rank": float(ranks[reference]),
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


def report(
    summary,
    out: Path | None,
    effect: pd.DataFrame | None = None,
    reference_pool: str = "avg",
) -> pd.DataFrame:
    """Print and store the tables; draw the critical-difference diagram.

    ``effect`` is a stored order effect (the per-dataset tests need the fitted comparisons,
    which a CSV does not hold); ``None`` computes it from ``summary``. ``reference_pool`` is
    the pool every other pool is tested against (see :func:`pool_effect`).
    """
    print(summary.ranks().to_string(index=False))
    if effect is None:
        effect = summary.order_effect()
    print()
    print(effect.to_string(index=False))
    if summary.scores["pool"].nunique() > 1:
        pools = pool_effect(summary.scores, reference_pool)
    else:
        pools = pd.DataFrame()
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


# the arguments that shape a stored comparison; the others say where things are, how many
# fits run at once, or how the summary reads the comparisons (margin, reference pool)
RESULT_SETTINGS = (
    "encoder",
    "encoder_channels",
    "label_smoothing",
    "hidden_size",
    "cv",
    "max_samples",
    "pools",
)


def comparison_settings(args: argparse.Namespace) -> dict:
    """The settings of ``args`` that change a dataset's comparison, pools by their labels."""
    settings = {key: getattr(args, key) for key in RESULT_SETTINGS}
    settings["pools"] = [pool_label(p) for p in parse_pools(args.pools)]
    return settings


def load_stored(path: Path, settings: dict) -> dict:
    """The comparisons stored at ``path``, refused unless made with ``settings``.

    Raises
    ------
    ValueError
        When the file records other settings (each difference named, stored and
        requested), or records none.
    """
    with open(path, "rb") as fh:
        stored = pickle.load(fh)
    if not (isinstance(stored, dict) and set(stored) == {"settings", "comparisons"}):
        raise ValueError(
            f"{path} records no settings (it was written before comparisons were stored with "
            "them), so a resume cannot tell whether they match this run's; run without "
            "--resume or give another --out."
        )
    old = stored["settings"]
    differ = [
        f"{key}: stored {old.get(key, '<missing>')!r}, requested {settings.get(key, '<missing>')!r}"
        for key in sorted(set(old) | set(settings))
        if old.get(key, "<missing>") != settings.get(key, "<missing>")
    ]
    if differ:
        raise ValueError(
            f"Cannot resume from {path}: its comparisons were made with other settings "
            f"({'; '.join(differ)}). Run with the stored settings, or without --resume, or "
            "give another --out."
        )
    return stored["comparisons"]


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
    parser.add_argument(
        "--reference-pool",
        default="avg",
        help="the pool every other pool is tested against in the pool effect, fixed before "
        "the run (default avg, the estimators' default pool; a+b for a combined pool)",
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
    reference_parts = parse_pools(args.reference_pool)
    if len(reference_parts) != 1:
        parser.error(f"--reference-pool names one pool; got {args.reference_pool!r}")
    reference = pool_label(reference_parts[0])
    if args.from_csv:
        scores = pd.read_csv(args.from_csv, keep_default_na=False, na_values=[""])
        scores["window"] = scores["window"].astype(object).where(scores["window"].notna(), None)
        summary = ComparisonSummary(
            dict.fromkeys(scores["dataset"].unique()),
            scores,
            equivalence_margin=args.equivalence_margin,
        )
        report(
            summary,
            args.out,
            pd.read_csv(args.from_csv.parent / "order_effect.csv"),
            reference_pool=reference,
        )
        return 0
    pools = parse_pools(args.pools)
    labels = [pool_label(p) for p in pools]
    if len(pools) > 1 and reference not in labels:
        parser.error(
            f"--reference-pool must be one of --pools ({', '.join(labels)}); got {reference!r}"
        )
    if args.resume and args.out is None:
        parser.error("--resume reads --out's comparisons.pkl; give --out")
    settings = comparison_settings(args)
    home = args.data_home or default_data_home()
    names = args.datasets or list_ucr(data_home=home)
    if not names:
        raise SystemExit(f"No datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME.")
    comparisons = {}  # every stored comparison, this run's datasets or not
    stored = args.out / "comparisons.pkl" if args.out else None
    if stored is not None and args.resume and stored.exists():
        comparisons = load_stored(stored, settings)  # before any fit
        print(f"resumed {len(comparisons)} datasets from {stored}", flush=True)
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
    start = time.perf_counter()
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
                pickle.dump({"settings": settings, "comparisons": comparisons}, fh)
    this_run = {name: comparisons[name] for name in names if name in comparisons}
    others = sorted(set(comparisons) - set(this_run))
    if others:
        print(
            f"left out of the summary: {len(others)} stored datasets not in this run "
            f"({', '.join(others)})",
            flush=True,
        )
    if not this_run:
        raise SystemExit(f"No classification datasets to compare among {', '.join(names)}.")
    summary = summarize_comparisons(this_run, equivalence_margin=args.equivalence_margin)
    print()
    print(summary.report())
    print()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scipy's small-sample notes
        effect = report(summary, args.out, reference_pool=reference)
    print(
        f"RESULT datasets={len(this_run)} "
        f"decode_first_wins={int(effect['decode_first_wins'].sum())} "
        f"pool_first_wins={int(effect['pool_first_wins'].sum())} "
        f"ties={int(effect['ties'].sum())} seconds={time.perf_counter() - start:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
