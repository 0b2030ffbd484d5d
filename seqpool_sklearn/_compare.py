"""Compare head designs under cross-validation, with paired order effects.

:func:`compare_heads` runs the ``order x pool x window`` grid of a sequence estimator as
*one* :class:`~sklearn.model_selection.GridSearchCV` whose splits are drawn once, up front,
and handed to the search as a list: every configuration is trained and scored on exactly the
same folds, so the score of ``decode_first`` on split ``j`` and the score of ``pool_first``
on split ``j`` form a pair. Scheduling is joblib's (``n_jobs``, or any joblib back-end such
as Dask's via ``joblib.parallel_backend``); nothing here loops over fits by hand.

Design decisions
----------------
* Per-split fit times. ``GridSearchCV`` only reports the mean and standard deviation of the
  fit time per configuration. The estimator is therefore wrapped in a private meta-estimator
  that times its own ``fit``, and the scorer reports that time as a second "metric" next to
  the score. The search, its splits and its parallelism stay untouched.
* Progress. ``GridSearchCV`` owns its ``joblib.Parallel``; the one hook joblib calls in the
  *calling* process after every finished task, for every back-end (sequential, threads,
  processes, Dask), is ``Parallel.print_progress``. When a progress bar is asked for, that
  method is wrapped for the duration of the call only.
* Statistics. Cross-validation folds share training data, so the paired differences are not
  independent and a plain paired t-test is far too confident. The corrected resampled t-test
  of Nadeau & Bengio (2003) inflates the variance by ``n_test / n_train``; it lives in
  ``_stats`` with the plain-words verdict, apart from the grid plumbing here.
* Many tests, one family. ``order_effect()`` tests one pool x window cell per row, and
  ``main_effect()`` one level per row; the p-values of a table are Holm-adjusted as one
  family (``adjust="holm"``) and the verdicts use the adjusted value, so "significant"
  means the family-wise error rate is at most ``alpha``. Each table is its own family: a
  user reading the order effects is answering one question, the pool effects another.
* Equivalence. "No significant difference" is not evidence of no difference. With an
  ``equivalence_margin`` the same corrected standard error also runs two one-sided tests
  (TOST), Holm-adjusted over the table as well, and a cell is "equivalent within ±m",
  "inconclusive" or won by one side.
* Seeds. With ``n_seeds`` / ``random_states`` every configuration is refitted on every
  split under each seed (the seed is one more grid parameter, so the search still owns the
  scheduling). The paired differences are taken per (split, seed) and then *averaged over
  the seeds of a split*; the corrected t-test runs on those ``k`` split means with
  ``k - 1`` degrees of freedom. Initialisation noise thus sits inside the spread the test
  measures (it cannot pass for an effect) while more seeds shrink it, and the seeds are
  never counted as independent replicates of the data -- they share the split's rows.
* Across datasets. :func:`summarize_comparisons` works on the per-dataset mean scores only:
  scores of different datasets are not commensurable, so it uses ranks (mean rank per
  design, a Nemenyi critical-difference diagram) and signs (win/tie/loss, the Wilcoxon
  signed-rank test with Holm over the cells), as Demšar (2006) recommends.
* The figure. ``plot()`` hands ``_plotting`` the public tables (``results``, ``summary()``,
  ``order_effect()``) and nothing else; that module never imports this one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from numbers import Integral
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
)
from sklearn.utils import check_random_state, get_tags

from ._options import ORDERS, POOLS
from ._stats import (
    corrected_ttest,
    effect_verdict,
    equivalence_test,
    format_p_adjusted,
    holm,
    nemenyi_critical_difference,
    order_verdict,
    wilcoxon_test,
)
from ._validation import check_int, did_you_mean, is_integer
from .nn.pools import check_pool, pool_label

__all__ = ["ComparisonSummary", "HeadComparison", "compare_heads", "summarize_comparisons"]

_HEAD_PARAMS = ("order", "pool", "window")
_ADJUSTMENTS = ("holm", None)


# --------------------------------------------------------------------------- grid plumbing
class _TimedFit(MetaEstimatorMixin, BaseEstimator):
    """Fits a clone of ``estimator`` and records how long that took (``fit_time_``)."""

    def __init__(self, estimator: Any):
        self.estimator = estimator

    def __sklearn_tags__(self):
        return get_tags(self.estimator)

    def fit(self, X, y=None, **fit_params):
        est = clone(self.estimator)
        start = time.perf_counter()
        est.fit(X, y, **fit_params)
        self.fit_time_ = time.perf_counter() - start
        self.estimator_ = est
        return self


class _ScoreAndFitTime:
    """Multi-metric scorer for the search: the user's score and the timed fit's duration,
    and with ``faithfulness`` the deletion score of the model's per-step explanations."""

    def __init__(self, scorer: Callable, faithfulness: bool = False):
        self.scorer = scorer
        self.faithfulness = faithfulness

    def __call__(self, timed: _TimedFit, X, y) -> dict[str, float]:
        out = {"score": float(self.scorer(timed.estimator_, X, y)), "fit_time": timed.fit_time_}
        if self.faithfulness:
            from ._explain import deletion_scorer

            out["faithfulness"] = float(deletion_scorer(timed.estimator_, X, y))
        return out


@contextmanager
def _progress_hook(callback: Callable[[int], None]):
    """Call ``callback(n_completed_tasks)`` whenever joblib reports progress in this process."""
    original = joblib.Parallel.print_progress

    def print_progress(self):
        callback(self.n_completed_tasks)
        return original(self)

    joblib.Parallel.print_progress = print_progress
    try:
        yield
    finally:
        joblib.Parallel.print_progress = original


def _as_list(values: Any, name: str) -> list:
    if values is None or isinstance(values, (str, Integral)):
        return [values]
    try:
        out = list(values)
    except TypeError:
        raise TypeError(f"{name} must be a list of values, got {values!r}.") from None
    if not out:
        raise ValueError(f"{name} must hold at least one value, got an empty list.")
    if len(set(map(repr, out))) < len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}.")
    return out


def _check_grid(orders: Any, pools: Any, windows: Any) -> tuple[list, list, list]:
    orders = _as_list(orders, "orders")
    pools = _as_list(pools, "pools")
    windows = _as_list(windows, "windows")
    for value in pools:
        if not isinstance(value, str):
            check_pool(value)  # a Pool subclass or a tuple of pools, else a clear error
    for name, values, options in (("orders", orders, ORDERS), ("pools", pools, POOLS)):
        for value in values:
            if (isinstance(value, str) or name == "orders") and value not in options:
                raise ValueError(
                    f"{name} must contain values from {list(options)}, got {value!r}."
                    f"{did_you_mean(value, options)}"
                )
    for w in windows:
        if w is not None and not (is_integer(w) and w >= 1):
            raise ValueError(f"windows must contain None or integers >= 1, got {w!r}.")
    return orders, pools, [None if w is None else int(w) for w in windows]


def _param_prefix(estimator: Any, param_prefix: str | None) -> str:
    """The ``step__`` prefix under which ``order``, ``pool`` and ``window`` are set."""
    try:
        params = estimator.get_params(deep=True)
    except AttributeError:
        raise TypeError(
            f"estimator must be a scikit-learn estimator (SeqPoolClassifier, SeqPoolRegressor "
            f"or a Pipeline ending in one), got {type(estimator).__name__}."
        ) from None
    if param_prefix is not None:
        prefix = (
            param_prefix
            if param_prefix in ("",) or param_prefix.endswith("__")
            else (f"{param_prefix}__")
        )
        missing = [prefix + p for p in _HEAD_PARAMS if prefix + p not in params]
        if missing:
            raise ValueError(
                f"param_prefix={param_prefix!r}: {type(estimator).__name__} has no parameter "
                f"{missing[0]!r}; expected the step name of the sequence estimator, e.g. "
                "'seqpoolclassifier' in a Pipeline made by make_pipeline."
            )
        return prefix
    prefixes = sorted(
        key[: -len("order")]
        for key in params
        if (key == "order" or key.endswith("__order"))
        and all(key[: -len("order")] + p in params for p in _HEAD_PARAMS)
    )
    if not prefixes:
        raise ValueError(
            f"{type(estimator).__name__} has no order / pool / window parameters; pass a "
            "SeqPoolClassifier, a SeqPoolRegressor or a Pipeline ending in one."
        )
    if len(prefixes) > 1:
        raise ValueError(
            f"{type(estimator).__name__} holds several head designs ({prefixes}); choose one "
            "with param_prefix=..."
        )
    return prefixes[0]


def _make_splits(
    estimator, X, y, groups, cv, n_repeats, random_state
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Draw the splits once; return them with the repeat and fold number of each."""
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    classifier = is_classifier(estimator)
    if is_integer(cv):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got cv={cv}.")
        if groups is None:
            kind = RepeatedStratifiedKFold if classifier else RepeatedKFold
            splitter = kind(n_splits=int(cv), n_repeats=int(n_repeats), random_state=random_state)
            splits = list(splitter.split(X, y))
        else:
            rng = check_random_state(random_state)
            kind = StratifiedGroupKFold if classifier else GroupKFold
            splits = []
            for _ in range(n_repeats):
                seed = int(rng.randint(np.iinfo(np.int32).max))
                splitter = kind(n_splits=int(cv), shuffle=True, random_state=seed)
                splits.extend(splitter.split(X, y, groups))
        n_folds = int(cv)
    else:
        if n_repeats != 1:
            raise ValueError(
                f"n_repeats={n_repeats} only applies when cv is an integer; with a splitter, "
                "repeat inside it (e.g. RepeatedStratifiedKFold) and keep n_repeats=1."
            )
        if hasattr(cv, "split") and not isinstance(cv, (str, bytes)):
            splits = list(cv.split(X, y, groups))
        elif isinstance(cv, Iterable) and not isinstance(cv, (str, bytes)):
            splits = list(cv)
        else:
            raise TypeError(
                f"cv must be an integer, a CV splitter or a list of (train, test) index "
                f"arrays, got {cv!r}."
            )
        repeats = getattr(cv, "n_repeats", None)
        n_folds = len(splits) // repeats if isinstance(repeats, Integral) and repeats else 0
        n_folds = n_folds if n_folds and n_folds * repeats == len(splits) else len(splits)
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splits]
    if len(splits) < 2:
        raise ValueError(
            f"compare_heads needs at least 2 splits to pair and test the orders; cv gave "
            f"{len(splits)}."
        )
    index = np.arange(len(splits))
    return splits, index // n_folds, index % n_folds


def _check_seeds(estimator, prefix: str, n_seeds, random_states) -> list[int] | None:
    """The seeds of a multi-seed comparison, or None for one fit per split."""
    if n_seeds is None and random_states is None:
        return None
    if n_seeds is not None and random_states is not None:
        raise ValueError("Pass n_seeds or random_states, not both.")
    params = estimator.get_params(deep=True)
    if f"{prefix}random_state" not in params:
        raise ValueError(
            f"n_seeds / random_states set the estimator's {prefix}random_state, but "
            f"{type(estimator).__name__} has no such parameter."
        )
    if random_states is not None:
        seeds = _as_list(random_states, "random_states")
        if not all(is_integer(s) and s >= 0 for s in seeds):
            raise ValueError(f"random_states must be integers >= 0, got {seeds}.")
        return [int(s) for s in seeds]
    n_seeds = check_int(n_seeds, "n_seeds", 1)
    base = params[f"{prefix}random_state"]
    base = int(base) if is_integer(base) else 0
    return list(range(base, base + n_seeds))


_BOUNDED_METRICS = (
    "accuracy", "balanced_accuracy", "f1", "precision", "recall", "jaccard", "roc_auc",
    "average_precision", "top_k_accuracy",
)  # fmt: skip


def _metric_and_chance(estimator, scoring, y) -> tuple[str | None, float | None]:
    """The metric's name in words and, for accuracy of a classifier, its chance level."""
    classifier = is_classifier(estimator)
    if scoring is None:
        metric = "accuracy" if classifier else "R²"
    elif isinstance(scoring, str):
        metric = scoring
    else:
        return None, None
    if not classifier or metric not in ("accuracy", "balanced_accuracy"):
        return metric, None
    _, counts = np.unique(np.asarray(y), return_counts=True)
    if metric == "balanced_accuracy":
        return metric, 1.0 / len(counts)
    return metric, float(counts.max() / counts.sum())


def _metric_bounds(metric: str) -> tuple[float, float]:
    """The range a metric's values can take, for error bars that stay inside it."""
    if metric in ("accuracy", "balanced_accuracy") or metric.startswith(_BOUNDED_METRICS):
        return (0.0, 1.0)
    if metric in ("R²", "r2"):
        return (-np.inf, 1.0)
    if metric.startswith("neg_"):
        return (-np.inf, 0.0)
    return (-np.inf, np.inf)


# --------------------------------------------------------------------------- result
def _frame(rows: list[dict]) -> pd.DataFrame:
    """DataFrame from records, keeping ``window`` as None / int (pandas would make it float)."""
    out = pd.DataFrame(rows)
    out["window"] = pd.Series([r["window"] for r in rows], dtype=object, index=out.index)
    return out


class HeadComparison:
    """Result of :func:`compare_heads`.

    Attributes
    ----------
    results : pandas.DataFrame
        The tidy table: one row per configuration x split (x seed), with columns
        ``order``, ``pool``, ``window`` (None = global pooling), ``repeat``, ``fold``,
        ``split``, ``score``, ``fit_time`` (seconds), ``n_train`` and ``n_test``; and
        ``seed`` (the estimator's ``random_state`` of the fit) when the comparison ran
        several seeds.
    splits : list of (train, test) index arrays
        The splits every configuration was trained and scored on.
    scoring : str
        Name of the metric (``"score"`` for the estimator's own ``score``).
    test_train_ratio : float
        Mean test size over mean training size, used by the t-test correction.
    cv_results : dict
        The ``cv_results_`` of the underlying GridSearchCV.
    seeds : list of int or None
        The seeds every configuration was fitted under on every split; None when each
        fit used the estimator's own ``random_state``.
    equivalence_margin : float or None
        The default margin of :meth:`order_effect` and :meth:`main_effect`.
    metric : str
        What the scores are, in words, for axes and tables: the scoring name, or
        ``"accuracy"`` / ``"R²"`` for the estimator's own ``score``.
    chance_level : float or None
        For a classifier scored by accuracy, the accuracy of always predicting the most
        frequent class (``1 / n_classes`` for balanced accuracy); None otherwise.

    See Also
    --------
    compare_heads : Runs the comparison and returns this object.

    Examples
    --------
    Without an activation, average pooling commutes with the linear decoder: both orders
    are the same function and, from the same initial weights, train to the same model.

    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_mean_level
    >>> X, y = make_mean_level(n_samples=30, n_timesteps=8, random_state=0)
    >>> clf = SeqPoolClassifier(encoder=None, activation=None, hidden_size=4, max_epochs=2,
    ...                         random_state=0)
    >>> result = compare_heads(clf, X, y, cv=3, random_state=0)
    >>> result
    HeadComparison(2 configurations x 3 splits, scoring='score')

    Scores identical on every split leave the paired differences without variance: the
    data cannot tell the orders apart, which is not the same as showing them equivalent.

    >>> result.order_effect(equivalence_margin=0.01)["verdict"][0]  # doctest: +NORMALIZE_WHITESPACE
    'cannot tell apart: both orders scored identically on every split
     (decode_first - pool_first = 0 on each); the paired differences have zero variance,
     which is no evidence of equivalence'
    >>> result.summary()["n_splits"].tolist()
    [3, 3]
    """

    def __init__(
        self,
        results,
        *,
        splits,
        scoring,
        cv_results,
        seeds=None,
        equivalence_margin=None,
        metric=None,
        chance_level=None,
    ):
        self.results = results
        self.metric = metric or scoring
        self.chance_level = chance_level
        self.splits = splits
        self.scoring = scoring
        self.cv_results = cv_results
        self.seeds = seeds
        self.equivalence_margin = equivalence_margin
        self.test_train_ratio = float(
            np.mean([len(te) for _, te in splits]) / np.mean([len(tr) for tr, _ in splits])
        )

    def __repr__(self) -> str:
        n_configs = len(self._configs())
        seeds = f" x {len(self.seeds)} seeds" if self.seeds else ""
        return (
            f"HeadComparison({n_configs} configurations x {len(self.splits)} splits{seeds}, "
            f"scoring={self.scoring!r})"
        )

    def _configs(self) -> list[tuple]:
        """Configurations (order, pool, window) in grid order."""
        seen: dict[tuple, None] = {}
        for key in zip(
            self.results["order"], self.results["pool"], self.results["window"], strict=True
        ):
            seen.setdefault(key, None)
        return list(seen)

    def _rows(self, order, pool, window) -> pd.DataFrame:
        r = self.results
        win = r["window"].isna() if window is None else r["window"].eq(window)
        rows = r[r["order"].eq(order) & r["pool"].eq(pool) & win]
        keys = ["split", "seed"] if "seed" in r else ["split"]
        return rows.sort_values(keys, kind="stable")

    def _scores(self, order, pool, window) -> np.ndarray:
        """Scores of one configuration as an (n_splits, n_seeds) array."""
        rows = self._rows(order, pool, window)
        n_seeds = len(self.seeds) if self.seeds else 1
        return rows["score"].to_numpy(dtype=float).reshape(-1, n_seeds)

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation of the score and rank of every configuration.

        Returns
        -------
        pandas.DataFrame
            One row per configuration, best first: ``order``, ``pool``, ``window``,
            ``mean_score``, ``std_score`` (over splits and seeds, ``ddof=1``),
            ``mean_fit_time``, ``n_splits`` and ``rank`` (1 = best mean score; ties share the
            lower rank); and ``n_seeds`` when the comparison ran several seeds.
        """
        rows = []
        for order, pool, window in self._configs():
            part = self._rows(order, pool, window)
            row = {
                "order": order,
                "pool": pool,
                "window": window,
                "mean_score": float(part["score"].mean()),
                "std_score": float(part["score"].std(ddof=1)),
                "mean_fit_time": float(part["fit_time"].mean()),
                "n_splits": int(part["split"].nunique()),
            }
            if self.seeds:
                row["n_seeds"] = int(part["seed"].nunique())
            if "faithfulness" in part:
                row["mean_faithfulness"] = float(part["faithfulness"].mean())
            rows.append(row)
        out = _frame(rows)
        out["rank"] = out["mean_score"].rank(ascending=False, method="min").astype(int)
        return out.sort_values("rank", kind="stable").reset_index(drop=True)

    def _check_test_args(self, alpha, equivalence_margin, adjust):
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
        if adjust not in _ADJUSTMENTS:
            raise ValueError(f"adjust must be 'holm' or None, got {adjust!r}.")
        margin = self.equivalence_margin if equivalence_margin is None else equivalence_margin
        if margin is not None and not (np.isfinite(margin) and margin > 0):
            raise ValueError(
                f"equivalence_margin must be a number > 0 in score units (e.g. 0.01), got "
                f"{margin!r}."
            )
        return None if margin is None else float(margin)

    def _common_bound(self, a: np.ndarray, b: np.ndarray) -> float | None:
        """The metric's bound when both designs scored it on every split, else None."""
        if not isinstance(self.metric, str):
            return None
        for bound in _metric_bounds(self.metric):
            if np.isfinite(bound) and (a == bound).all() and (b == bound).all():
                return float(bound)
        return None

    def _tests(self, pairs, *, alpha, margin, adjust, level_names) -> list[dict]:
        """Corrected t-test (and TOST) of every (level, reference) pair, Holm over the table.

        ``pairs`` is a list of ``(row, level_scores, reference_scores)`` with the scores as
        (n_splits, n_seeds) arrays; the differences are averaged over seeds per split.
        """
        rows, tests = [], []
        for row, a, b in pairs:
            d = (a - b).mean(axis=1)
            res = corrected_ttest(d, self.test_train_ratio, confidence=1 - alpha)
            bound = self._common_bound(a, b)
            if bound is not None:
                res["bound"] = bound
            if margin is not None:
                res["p_equivalence"] = equivalence_test(d, self.test_train_ratio, margin)["p_value"]
            row.update(
                {
                    "n_splits": a.shape[0],
                    "n_seeds": a.shape[1],
                    "mean_diff": res["mean"],
                    "ci_low": res["ci_low"],
                    "ci_high": res["ci_high"],
                    "t": res["t"],
                    "p_value": res["p_value"],
                }
            )
            rows.append(row)
            tests.append(res)
        family = len(tests) > 1 and adjust == "holm"
        adjusted = holm([r["p_value"] for r in tests]) if family else None
        if margin is not None:
            eq_adjusted = holm([r["p_equivalence"] for r in tests]) if family else None
        for i, (row, res) in enumerate(zip(rows, tests, strict=True)):
            if family:
                res["p_adjusted"] = float(adjusted[i])
            row["p_adjusted"] = res.get("p_adjusted", res["p_value"])
            if margin is not None:
                if family:
                    res["p_equivalence_adjusted"] = float(eq_adjusted[i])
                row["p_equivalence"] = res.get("p_equivalence_adjusted", res["p_equivalence"])
            level, reference = level_names(row)
            if (level, reference) == ("decode_first", "pool_first"):
                row["verdict"] = order_verdict(res, alpha=alpha, margin=margin)
            else:
                row["verdict"] = effect_verdict(
                    res, level=level, reference=reference, alpha=alpha, margin=margin
                )
        return rows

    def order_effect(
        self,
        *,
        alpha: float = 0.05,
        equivalence_margin: float | None = None,
        adjust: str | None = "holm",
    ) -> pd.DataFrame:
        """Paired difference ``decode_first - pool_first`` for every pool x window.

        The differences are taken split by split (the same training and test rows; with
        several seeds, per split and seed and then averaged over the seeds of each split),
        and tested with the corrected resampled t-test of Nadeau & Bengio (2003): see the
        Notes of :func:`compare_heads`.

        Parameters
        ----------
        alpha : float, default=0.05
            Significance level (family-wise, after the adjustment); the confidence interval
            has level ``1 - alpha`` and is not adjusted.
        equivalence_margin : float, default=None
            A difference smaller than this, in score units (e.g. 0.01 = one point of
            accuracy), counts as no difference: each cell is also tested for equivalence
            (TOST) and the verdict is "decode_first better", "pool_first better",
            "equivalent within ±m" or "inconclusive". None uses the comparison's own
            ``equivalence_margin`` (None by default: no equivalence test).
        adjust : {"holm", None}, default="holm"
            Holm-Bonferroni adjustment of the p-values over all cells of the table (and,
            separately, of the equivalence p-values); the verdicts use the adjusted values.
            None tests every cell on its own.

        Returns
        -------
        pandas.DataFrame
            One row per pool x window: ``pool``, ``window``, ``mean_pool_first``,
            ``mean_decode_first``, ``n_splits``, ``n_seeds``, ``mean_diff``, ``ci_low``,
            ``ci_high``, ``t``, ``p_value`` (unadjusted), ``p_adjusted`` (what the verdict
            uses; equal to ``p_value`` for a single cell or ``adjust=None``),
            ``p_equivalence`` (TOST, adjusted like ``p_adjusted``; only with a margin) and
            ``verdict`` (plain words).

        Raises
        ------
        ValueError
            When the comparison did not include both orders.
        """
        margin = self._check_test_args(alpha, equivalence_margin, adjust)
        orders = set(self.results["order"])
        if not set(ORDERS) <= orders:
            raise ValueError(
                f"order_effect needs both orders {list(ORDERS)}; this comparison ran "
                f"{sorted(orders)}. Pass orders=('pool_first', 'decode_first')."
            )
        pairs = []
        cells = [(p, w) for o, p, w in self._configs() if o == ORDERS[0]]
        for pool, window in cells:
            first = self._scores("pool_first", pool, window)
            second = self._scores("decode_first", pool, window)
            row = {
                "pool": pool,
                "window": window,
                "mean_pool_first": float(first.mean()),
                "mean_decode_first": float(second.mean()),
            }
            pairs.append((row, second, first))
        rows = self._tests(
            pairs,
            alpha=alpha,
            margin=margin,
            adjust=adjust,
            level_names=lambda row: ("decode_first", "pool_first"),
        )
        return _frame(rows)

    def main_effect(
        self,
        factor: str,
        *,
        reference: Any = "first",
        alpha: float = 0.05,
        equivalence_margin: float | None = None,
        adjust: str | None = "holm",
    ) -> pd.DataFrame:
        """Paired main effect of ``order``, ``pool`` or ``window``: each level against a reference.

        For every split (and seed) a level's score is its mean over all levels of the two
        other head parameters -- a marginal mean over the same grid cells for every level --
        and the difference ``level - reference`` is tested like :meth:`order_effect`. All
        rows of the table form one Holm family.

        Parameters
        ----------
        factor : {"order", "pool", "window"}
            The head parameter whose effect is measured.
        reference : value or "first", default="first"
            The level every other level is compared with; "first" is the first level of
            the grid (e.g. ``pools[0]``). For ``factor="window"``, None is global pooling.
        alpha, equivalence_margin, adjust
            As in :meth:`order_effect`.

        Returns
        -------
        pandas.DataFrame
            One row per level other than the reference: ``factor``, ``level``,
            ``reference``, ``mean_level``, ``mean_reference`` (marginal means),
            ``n_splits``, ``n_seeds``, ``mean_diff`` (``level - reference``), ``ci_low``,
            ``ci_high``, ``t``, ``p_value``, ``p_adjusted``, ``p_equivalence`` (with a
            margin) and ``verdict``. Empty when the factor has one level.

        Examples
        --------
        >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_mean_level
        >>> X, y = make_mean_level(n_samples=40, n_timesteps=8, random_state=0)
        >>> clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
        >>> result = compare_heads(clf, X, y, pools=["avg", "max"], cv=3, random_state=0)
        >>> result.main_effect("pool")[["level", "reference", "n_splits"]].values.tolist()
        [['max', 'avg', 3]]
        """
        margin = self._check_test_args(alpha, equivalence_margin, adjust)
        if factor not in _HEAD_PARAMS:
            raise ValueError(
                f"factor must be one of {list(_HEAD_PARAMS)}, got {factor!r}."
                f"{did_you_mean(factor, _HEAD_PARAMS) if isinstance(factor, str) else ''}"
            )
        pos = _HEAD_PARAMS.index(factor)
        configs = self._configs()
        levels = list(dict.fromkeys(cfg[pos] for cfg in configs))
        if isinstance(reference, str) and reference == "first":
            reference = levels[0]
        if reference not in levels:
            raise ValueError(
                f"reference={reference!r} is not a level of {factor} in this comparison; "
                f"choose one of {levels}."
            )
        marginal = {
            level: np.mean([self._scores(*cfg) for cfg in configs if cfg[pos] == level], axis=0)
            for level in levels
        }
        pairs = [
            (
                {
                    "factor": factor,
                    "level": level,
                    "reference": reference,
                    "mean_level": float(marginal[level].mean()),
                    "mean_reference": float(marginal[reference].mean()),
                },
                marginal[level],
                marginal[reference],
            )
            for level in levels
            if level != reference
        ]

        def names(row):
            def show(v):
                return "global" if factor == "window" and v is None else str(v)

            if factor == "window":
                return f"window {show(row['level'])}", f"window {show(row['reference'])}"
            return show(row["level"]), show(row["reference"])

        rows = self._tests(pairs, alpha=alpha, margin=margin, adjust=adjust, level_names=names)
        if not rows:
            columns = ["factor", "level", "reference", "mean_level", "mean_reference"]
            return pd.DataFrame(columns=[*columns, "n_splits", "n_seeds", "mean_diff",
                                         "ci_low", "ci_high", "t", "p_value", "p_adjusted",
                                         "verdict"])  # fmt: skip
        out = pd.DataFrame(rows)
        for col in ("level", "reference"):
            out[col] = pd.Series([r[col] for r in rows], dtype=object, index=out.index)
        return out

    def report(self, *, alpha: float = 0.05, equivalence_margin: float | None = None) -> str:
        """The tests of the comparison as text: order effect per cell, then main effects.

        What ``seqpool compare`` prints under the score table: the order effect of every
        pool x window cell, then the main effect of ``pool`` and of ``window`` when the grid
        has more than one level of them, each with its plain-words verdicts (Holm-adjusted
        over the rows of its block, showing the raw p-value too).

        Parameters
        ----------
        alpha, equivalence_margin
            As in :meth:`order_effect`.

        Returns
        -------
        str
        """
        n_splits = len(self.splits)
        paired = f"{n_splits} splits" + (f" x {len(self.seeds)} seeds" if self.seeds else "")
        blocks = []
        if set(ORDERS) <= set(self.results["order"]):
            effect = self.order_effect(alpha=alpha, equivalence_margin=equivalence_margin)
            holm_note = (
                f"; p-values Holm-adjusted over {len(effect)} cells" if len(effect) > 1 else ""
            )
            lines = [
                f"Order effect, decode_first - pool_first (> 0: decode_first better), "
                f"paired over {paired} "
                f"(corrected resampled t-test{holm_note}):"
            ]
            for pool, window, verdict in zip(
                effect["pool"], effect["window"], effect["verdict"], strict=True
            ):
                label = f"{pool}, {'global' if window is None else f'window {window}'}"
                lines.append(f"  {label:<18} {verdict}")
            blocks.append("\n".join(lines))
        else:
            blocks.append("Order effect: not tested (needs both orders).")
        for factor, others in (("pool", "orders and windows"), ("window", "orders and pools")):
            effect = self.main_effect(factor, alpha=alpha, equivalence_margin=equivalence_margin)
            if effect.empty:
                continue
            ref = effect["reference"].iloc[0]
            ref = "global" if factor == "window" and ref is None else ref
            lines = [
                f"{factor.capitalize()} effect, each {factor} - {ref} (> 0: that {factor} "
                f"better), averaged over the {others}, paired over {paired}:"
            ]
            for level, verdict in zip(effect["level"], effect["verdict"], strict=True):
                label = str(level)
                if factor == "window":
                    label = "global" if level is None else f"window {level}"
                lines.append(f"  {label:<18} {verdict}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    def plot(
        self,
        *,
        alpha: float = 0.05,
        equivalence_margin: float | None = None,
        figsize: tuple[float, float] | None = None,
        title: str | None = None,
    ):
        """Scores per configuration grouped by order, and the order-effect panel.

        Parameters
        ----------
        alpha : float, default=0.05
            Level of the order-effect confidence intervals (``1 - alpha``); the colours and
            p-value labels use the Holm-adjusted p-values of :meth:`order_effect`.
        equivalence_margin : float, default=None
            Shades ``±margin`` in the order-effect panel; None uses the comparison's own.
        figsize : (float, float), default=None
            Figure size in inches; sized to the grid when None.
        title : str, default=None
            A title over both panels, e.g. the dataset's name.

        Returns
        -------
        matplotlib.figure.Figure
            The score axis names the metric (:attr:`metric`), error bars stay inside the
            metric's range, and a classifier scored by accuracy shows its chance level.
        """
        from ._plotting import plot_comparison

        both = set(ORDERS) <= set(self.results["order"])
        margin = self.equivalence_margin if equivalence_margin is None else equivalence_margin
        effect = self.order_effect(alpha=alpha, equivalence_margin=margin) if both else None
        return plot_comparison(
            self.results,
            self.summary(),
            effect,
            scoring=self.scoring,
            alpha=alpha,
            figsize=figsize,
            equivalence_margin=margin,
            metric=self.metric,
            chance_level=self.chance_level,
            bounds=_metric_bounds(self.metric),
            title=title,
        )


# --------------------------------------------------------------------------- entry point
def compare_heads(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    orders: Iterable[str] = ORDERS,
    pools: Iterable[str] = ("avg",),
    windows: Iterable[int | None] = (None,),
    cv: Any = 5,
    n_repeats: int = 1,
    scoring: str | Callable | None = None,
    groups: Any = None,
    n_jobs: int | None = None,
    random_state: Any = None,
    param_prefix: str | None = None,
    progress: bool | Callable[[int, int], None] = False,
    n_seeds: int | None = None,
    random_states: Iterable[int] | None = None,
    equivalence_margin: float | None = None,
    faithfulness: bool = False,
) -> HeadComparison:
    """Cross-validate every order x pool x window head on the same splits.

    One :class:`~sklearn.model_selection.GridSearchCV` (``refit=False``,
    ``error_score="raise"``) runs the grid over splits drawn once, so every configuration
    sees exactly the same training and test rows and the two orders can be compared split
    by split. Parallel work goes through joblib: ``n_jobs``, or any back-end set with
    ``joblib.parallel_backend`` (threads, processes, Dask).

    Parameters
    ----------
    estimator : estimator
        A :class:`~seqpool_sklearn.SeqPoolClassifier`, a
        :class:`~seqpool_sklearn.SeqPoolRegressor`, or a Pipeline (or other meta-estimator)
        holding one. It is cloned, never modified; its own ``random_state`` seeds every fit,
        so with an integer both orders start from the same weights wherever the shapes
        agree, which makes the pairs tighter.
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, ...)
        Whatever ``estimator`` accepts.
    y : array-like of shape (n_samples,)
        Targets.
    orders : list of {"pool_first", "decode_first"}, default=("pool_first", "decode_first")
    pools : list of {"avg", "max", "lp", "attention"} or Pool subclasses, default=("avg",)
    windows : list of int or None, default=(None,)
        ``None`` is global pooling.
    cv : int, CV splitter or list of (train, test), default=5
        An integer means ``cv`` folds repeated ``n_repeats`` times: stratified for
        classifiers, group-aware (``StratifiedGroupKFold`` / ``GroupKFold``, shuffled)
        when ``groups`` is given. A splitter is called once with ``(X, y, groups)``.
    n_repeats : int, default=1
        Repetitions of ``cv`` folds with different shuffles (integer ``cv`` only).
    scoring : str, callable or None, default=None
        One scikit-learn metric; None uses ``estimator.score``. Greater is better.
    groups : array-like of shape (n_samples,), default=None
        Group labels; no group is ever in both the training and the test rows.
    n_jobs : int, default=None
        Fits run in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the splits (not the estimator).
    param_prefix : str, default=None
        Where ``order``, ``pool`` and ``window`` live, e.g. ``"seqpoolclassifier"`` in a
        Pipeline; found automatically when there is exactly one such estimator.
    progress : bool or callable, default=False
        True shows a tqdm progress bar over the fits; a callable is called as
        ``progress(n_done, n_total)`` after fits complete.
    n_seeds : int, default=None
        Refit every configuration on every split under this many seeds of the estimator's
        ``random_state``: the estimator's own integer ``random_state`` (0 if it has none)
        and the ``n_seeds - 1`` integers after it. Both orders share the seed of a pair, so
        differences are paired by (split, seed). None fits once, with the estimator's own
        ``random_state``.
    random_states : list of int, default=None
        The seeds themselves, instead of ``n_seeds``.
    equivalence_margin : float, default=None
        The default margin (in score units) of the equivalence test of
        :meth:`HeadComparison.order_effect` and :meth:`HeadComparison.main_effect`.
    faithfulness : bool, default=False
        Also score every fitted design's per-step explanations on its test rows with
        :func:`~seqpool_sklearn.deletion_score` (how much the explained output drops when
        the top-ranked steps are masked, beyond masking random steps): a
        ``faithfulness`` column in ``results`` and ``mean_faithfulness`` in ``summary()``,
        so each design shows how accurate it is and how well its explanations point at the
        evidence. It costs one explanation pass per fit and fraction.

    Returns
    -------
    HeadComparison
        ``results`` (tidy table), ``summary()``, ``order_effect()``, ``main_effect()``,
        ``report()`` and ``plot()``.

    See Also
    --------
    SeqPoolClassifier, SeqPoolRegressor

    Notes
    -----
    The order effect is tested with the corrected resampled t-test (Nadeau & Bengio,
    "Inference for the generalization error", Machine Learning 52, 2003): the variance of
    the ``k`` paired differences is inflated by ``1/k + n_test/n_train`` because
    cross-validation folds overlap in their training data. The p-values of one table are
    Holm-adjusted over its rows, and the verdicts use the adjusted values. With several
    seeds the differences are averaged over the seeds of each split before the test, so
    initialisation luck is part of the variance the test measures and the degrees of
    freedom stay those of the splits.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_nonlinear_steps
    >>> X, y = make_nonlinear_steps(n_samples=40, n_timesteps=16, random_state=0)
    >>> clf = SeqPoolClassifier(encoder=None, hidden_size=8, max_epochs=2, random_state=0)
    >>> result = compare_heads(clf, X, y, pools=["avg", "max"], cv=2, random_state=0)
    >>> result.results.shape
    (8, 10)
    >>> result.summary()[["order", "pool", "n_splits"]].shape
    (4, 3)
    >>> list(result.order_effect()["pool"])
    ['avg', 'max']
    """
    orders, pools, windows = _check_grid(orders, pools, windows)
    prefix = _param_prefix(estimator, param_prefix)
    if isinstance(scoring, (dict, list, tuple, set)):
        raise ValueError(
            "compare_heads compares one metric; pass a single scoring name or callable, "
            f"got {scoring!r}."
        )
    if isinstance(scoring, str) and scoring not in get_scorer_names():
        raise ValueError(
            f"scoring={scoring!r} is not a scikit-learn metric name."
            f"{did_you_mean(scoring, get_scorer_names())} See "
            "sklearn.metrics.get_scorer_names() for the list."
        )
    scorer = check_scoring(estimator, scoring=scoring)
    seeds = _check_seeds(estimator, prefix, n_seeds, random_states)
    if equivalence_margin is not None and not (
        isinstance(equivalence_margin, (int, float))
        and np.isfinite(equivalence_margin)
        and equivalence_margin > 0
    ):
        raise ValueError(
            f"equivalence_margin must be a number > 0 in score units (e.g. 0.01), got "
            f"{equivalence_margin!r}."
        )
    splits, repeat, fold = _make_splits(estimator, X, y, groups, cv, n_repeats, random_state)

    configs = [(o, p, w) for p in pools for w in windows for o in orders]
    param_grid = []
    for cfg in configs:
        for seed in seeds or [None]:
            params = {
                f"estimator__{prefix}{name}": [value]
                for name, value in zip(_HEAD_PARAMS, cfg, strict=True)
            }
            if seeds:
                params[f"estimator__{prefix}random_state"] = [seed]
            param_grid.append(params)
    search = GridSearchCV(
        _TimedFit(estimator),
        param_grid,
        scoring=_ScoreAndFitTime(scorer, faithfulness=bool(faithfulness)),
        cv=splits,
        n_jobs=n_jobs,
        refit=False,
        error_score="raise",
        return_train_score=False,
    )
    n_total = len(param_grid) * len(splits)
    bar = None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm ships with the cli/test extras
            raise ImportError(
                "progress=True needs tqdm; install it (pip install tqdm) or pass progress=False."
            ) from None
        bar = tqdm(total=n_total, desc="fits", unit="fit")

        def report(done: int) -> None:
            bar.update(max(0, min(done, n_total) - bar.n))
    elif callable(progress):

        def report(done: int) -> None:
            progress(min(done, n_total), n_total)
    elif progress is not False and progress is not None:
        raise TypeError(f"progress must be True, False or a callable, got {progress!r}.")

    hook = _progress_hook(report) if progress not in (False, None) else nullcontext()
    try:
        with hook:
            search.fit(X, y)
    finally:
        if bar is not None:
            bar.close()

    res = search.cv_results_
    rows = []
    n_train = [len(tr) for tr, _ in splits]
    n_test = [len(te) for _, te in splits]
    for c, params in enumerate(res["params"]):
        cfg = tuple(params[f"estimator__{prefix}{name}"] for name in _HEAD_PARAMS)
        for j in range(len(splits)):
            row = {
                "order": cfg[0],
                "pool": pool_label(cfg[1]),
                "window": cfg[2],
                "repeat": int(repeat[j]),
                "fold": int(fold[j]),
                "split": j,
                "score": float(res[f"split{j}_test_score"][c]),
                "fit_time": float(res[f"split{j}_test_fit_time"][c]),
                "n_train": n_train[j],
                "n_test": n_test[j],
            }
            if faithfulness:
                row["faithfulness"] = float(res[f"split{j}_test_faithfulness"][c])
            if seeds:
                row["seed"] = int(params[f"estimator__{prefix}random_state"])
            rows.append(row)
    results = _frame(rows)
    name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", None)
    metric, chance = _metric_and_chance(estimator, scoring, y)
    return HeadComparison(
        results,
        splits=splits,
        scoring=name or "score",
        cv_results=dict(res),
        seeds=seeds,
        equivalence_margin=None if equivalence_margin is None else float(equivalence_margin),
        metric=metric or name,
        chance_level=chance,
    )


# --------------------------------------------------------------------------- across datasets
class ComparisonSummary:
    """Head comparisons of several datasets, combined: the answer across datasets.

    Made by :func:`summarize_comparisons`. Across datasets the scores of two designs are not
    commensurable, so the summary works with ranks and signs (Demšar, "Statistical
    comparisons of classifiers over multiple data sets", JMLR 7, 2006): the mean rank of
    every head design, win/tie/loss counts of the orders per pool x window cell, and a
    Wilcoxon signed-rank test of the per-dataset order effects with Holm's adjustment over
    the cells.

    Attributes
    ----------
    comparisons : dict of str to HeadComparison
        The per-dataset comparisons, by dataset name.
    scores : pandas.DataFrame
        One row per dataset x design: ``dataset``, ``order``, ``pool``, ``window``,
        ``mean_score`` (over that dataset's splits) and ``rank`` within the dataset (1 =
        best; ties share the average rank).

    Examples
    --------
    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_mean_level
    >>> from seqpool_sklearn import summarize_comparisons
    >>> clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    >>> per_dataset = {
    ...     f"task{seed}": compare_heads(
    ...         clf, *make_mean_level(n_samples=30, n_timesteps=8, random_state=seed),
    ...         pools=["avg"], cv=2, random_state=seed)
    ...     for seed in range(2)
    ... }
    >>> summary = summarize_comparisons(per_dataset)
    >>> effect = summary.order_effect()
    >>> effect[["decode_first_wins", "ties", "pool_first_wins"]].sum(axis=1).tolist()
    [2]
    """

    def __init__(self, comparisons: dict, scores: pd.DataFrame):
        self.comparisons = comparisons
        self.scores = scores

    def __repr__(self) -> str:
        n_designs = len(self.scores) // max(len(self.comparisons), 1)
        return f"ComparisonSummary({len(self.comparisons)} datasets x {n_designs} designs)"

    def ranks(self) -> pd.DataFrame:
        """Mean rank of every head design over the datasets, best first.

        Returns
        -------
        pandas.DataFrame
            ``order``, ``pool``, ``window``, ``mean_rank``, ``mean_score`` (the mean of the
            per-dataset means; only comparable within one metric) and ``n_datasets``.
        """
        rows = []
        for key, part in self.scores.groupby(["order", "pool", "window"], dropna=False, sort=False):
            rows.append(
                {
                    "order": key[0],
                    "pool": key[1],
                    "window": None if pd.isna(key[2]) else int(key[2]),
                    "mean_rank": float(part["rank"].mean()),
                    "mean_score": float(part["mean_score"].mean()),
                    "n_datasets": len(part),
                }
            )
        out = _frame(rows)
        return out.sort_values("mean_rank", kind="stable").reset_index(drop=True)

    def order_effect(self, *, alpha: float = 0.05, adjust: str | None = "holm") -> pd.DataFrame:
        """Order effect across datasets for every pool x window cell.

        Each dataset gives one paired difference per cell, ``decode_first - pool_first`` of
        its mean scores; the differences over datasets are tested with the two-sided
        Wilcoxon signed-rank test, Holm-adjusted over the cells.

        Parameters
        ----------
        alpha : float, default=0.05
            Family-wise significance level of the verdicts.
        adjust : {"holm", None}, default="holm"
            As in :meth:`HeadComparison.order_effect`.

        Returns
        -------
        pandas.DataFrame
            One row per pool x window: ``pool``, ``window``, ``n_datasets``,
            ``decode_first_wins``, ``ties``, ``pool_first_wins`` (datasets where that
            order's mean score is higher; equal means are ties), ``decode_first_significant``
            and ``pool_first_significant`` (datasets whose own Holm-adjusted verdict names
            that order), ``mean_diff`` and ``median_diff`` (over datasets), ``statistic``,
            ``p_value``, ``p_adjusted`` and ``verdict``.
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
        if adjust not in _ADJUSTMENTS:
            raise ValueError(f"adjust must be 'holm' or None, got {adjust!r}.")
        if not set(ORDERS) <= set(self.scores["order"]):
            raise ValueError(f"order_effect needs both orders {list(ORDERS)} in the comparisons.")
        effects = {name: cmp.order_effect(alpha=alpha) for name, cmp in self.comparisons.items()}
        cells = list(
            dict.fromkeys(
                (p, w) for p, w in zip(self.scores["pool"], self.scores["window"], strict=True)
            )
        )
        rows = []
        for pool, window in cells:
            d, sig_decode, sig_pool = [], 0, 0
            for effect in effects.values():
                win = effect["window"].isna() if window is None else effect["window"].eq(window)
                row = effect[effect["pool"].eq(pool) & win].iloc[0]
                d.append(float(row["mean_decode_first"] - row["mean_pool_first"]))
                sig_decode += row["verdict"].startswith("decode_first better")
                sig_pool += row["verdict"].startswith("pool_first better")
            d = np.asarray(d)
            test = wilcoxon_test(d)
            rows.append(
                {
                    "pool": pool,
                    "window": window,
                    "n_datasets": len(d),
                    "decode_first_wins": int((d > 0).sum()),
                    "ties": int((d == 0).sum()),
                    "pool_first_wins": int((d < 0).sum()),
                    "decode_first_significant": int(sig_decode),
                    "pool_first_significant": int(sig_pool),
                    "mean_diff": float(d.mean()),
                    "median_diff": float(np.median(d)),
                    "statistic": test["statistic"],
                    "p_value": test["p_value"],
                    "_favours_decode": test["r_plus"] > test["r_minus"],
                    "_favours_pool": test["r_minus"] > test["r_plus"],
                }
            )
        p = [r["p_value"] for r in rows]
        adjusted = holm(p) if adjust == "holm" and len(rows) > 1 else np.asarray(p)
        for row, p_adj in zip(rows, adjusted, strict=True):
            row["p_adjusted"] = float(p_adj)
            res = {"p_value": row["p_value"]}
            if adjust == "holm" and len(rows) > 1:
                res["p_adjusted"] = float(p_adj)
            n = row["n_datasets"]
            counts = (
                f"decode_first higher on {row['decode_first_wins']}, pool_first on "
                f"{row['pool_first_wins']}, tied on {row['ties']} of {n} datasets"
            )
            stat = f"Wilcoxon {format_p_adjusted(res)}"
            favours_decode, favours_pool = row.pop("_favours_decode"), row.pop("_favours_pool")
            if p_adj < alpha and (favours_decode or favours_pool):
                winner = "decode_first" if favours_decode else "pool_first"
                row["verdict"] = f"{winner} better across datasets ({counts}; {stat})"
            else:
                row["verdict"] = f"no significant difference across datasets ({counts}; {stat})"
        return _frame(rows)

    def report(self, *, alpha: float = 0.05) -> str:
        """Mean ranks and the order effect across datasets as text.

        Returns
        -------
        str
        """
        ranks = self.ranks()
        lines = [f"Mean rank over {len(self.comparisons)} datasets (1 = best):"]
        for o, p, w, r in zip(
            ranks["order"], ranks["pool"], ranks["window"], ranks["mean_rank"], strict=True
        ):
            lines.append(f"  {r:5.2f}  {o:<12}  {p:<9}  {'global' if w is None else w}")
        if set(ORDERS) <= set(self.scores["order"]):
            effect = self.order_effect(alpha=alpha)
            lines += ["", "Order effect across datasets (Wilcoxon signed-rank, Holm over cells):"]
            for pool, window, verdict in zip(
                effect["pool"], effect["window"], effect["verdict"], strict=True
            ):
                label = f"{pool}, {'global' if window is None else f'window {window}'}"
                lines.append(f"  {label:<18} {verdict}")
        return "\n".join(lines)

    def plot(self, *, alpha: float = 0.05, figsize: tuple[float, float] | None = None):
        """Critical-difference diagram of the mean ranks (Nemenyi test, Demšar 2006).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ._plotting import plot_critical_difference

        ranks = self.ranks()
        labels = [
            f"{o}, {p}, {'global' if w is None else f'window {w}'}"
            for o, p, w in zip(ranks["order"], ranks["pool"], ranks["window"], strict=True)
        ]
        n = len(self.comparisons)
        cd = nemenyi_critical_difference(len(ranks), n, alpha) if len(ranks) > 1 else 0.0
        return plot_critical_difference(
            ranks["mean_rank"].to_numpy(), labels, cd=cd, n_datasets=n, alpha=alpha,
            figsize=figsize,
        )  # fmt: skip


def summarize_comparisons(comparisons: Any) -> ComparisonSummary:
    """Combine the head comparisons of several datasets into one answer.

    Parameters
    ----------
    comparisons : dict of str to HeadComparison, or list of (name, HeadComparison)
        One :func:`compare_heads` result per dataset, all on the same grid of designs
        (designs missing from a dataset are an error: ranks need every design everywhere).

    Returns
    -------
    ComparisonSummary
        ``scores`` (per dataset x design), ``ranks()``, ``order_effect()`` (win/tie/loss,
        Wilcoxon signed-rank with Holm) and ``plot()`` (critical-difference diagram).

    Examples
    --------
    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_nonlinear_steps
    >>> from seqpool_sklearn import summarize_comparisons
    >>> clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    >>> results = {}
    >>> for seed in range(3):
    ...     X, y = make_nonlinear_steps(n_samples=30, n_timesteps=8, random_state=seed)
    ...     results[f"task{seed}"] = compare_heads(clf, X, y, cv=2, random_state=seed)
    >>> summary = summarize_comparisons(results)
    >>> summary
    ComparisonSummary(3 datasets x 2 designs)
    >>> summary.ranks()["n_datasets"].tolist()
    [3, 3]
    """
    items = list(comparisons.items()) if isinstance(comparisons, dict) else list(comparisons)
    if len(items) < 2:
        raise ValueError(
            f"summarize_comparisons needs the comparisons of at least 2 datasets, got {len(items)}."
        )
    named = {}
    for item in items:
        try:
            name, cmp = item
        except (TypeError, ValueError):
            raise TypeError(
                "comparisons must be a dict {name: HeadComparison} or a list of "
                f"(name, HeadComparison) pairs, got an item {item!r}."
            ) from None
        if not isinstance(cmp, HeadComparison):
            raise TypeError(
                f"comparisons[{name!r}] must be a HeadComparison (from compare_heads), got "
                f"{type(cmp).__name__}."
            )
        if name in named:
            raise ValueError(f"Dataset name {name!r} appears twice.")
        named[str(name)] = cmp
    designs = {name: set(cmp._configs()) for name, cmp in named.items()}
    first_name, first = next(iter(designs.items()))
    for name, found in designs.items():
        if found != first:
            missing = sorted(map(repr, first ^ found))
            raise ValueError(
                f"Every dataset must run the same designs; {name!r} and {first_name!r} differ "
                f"in {', '.join(missing)}."
            )
    rows = []
    for name, cmp in named.items():
        summary = cmp.summary()
        ranks = summary["mean_score"].rank(ascending=False, method="average")
        for (_, row), rank in zip(summary.iterrows(), ranks, strict=True):
            rows.append(
                {
                    "dataset": name,
                    "order": row["order"],
                    "pool": row["pool"],
                    "window": row["window"],
                    "mean_score": float(row["mean_score"]),
                    "rank": float(rank),
                }
            )
    return ComparisonSummary(named, _frame(rows))
