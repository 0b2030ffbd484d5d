"""One dataset's comparison: :class:`HeadComparison`, its tables, tests, report and plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._options import ORDERS
from .._stats import (
    _check_tost_alpha,
    _snap,
    corrected_ttest,
    effect_verdict,
    equivalence_test,
    holm,
    order_verdict,
)
from .._validation import did_you_mean
from .common import (
    _ADJUSTMENTS,
    _HEAD_PARAMS,
    _check_alpha,
    _check_margin,
    _frame,
    _metric_bounds,
    _same_per_seed,
)


def _plain_windows(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` with its windows as None / int: a table read back from CSV holds them
    as NaN / 4.0, which would be other designs than None / 4. The caller's frame is kept."""
    if "window" not in results:
        return results

    def plain(w):
        if w is None or (isinstance(w, (float, np.floating)) and np.isnan(w)):
            return None
        if isinstance(w, (float, np.floating, np.integer)) and float(w).is_integer():
            return int(w)
        return w

    windows = [plain(w) for w in results["window"]]
    if results["window"].dtype == object and all(
        a is b or (type(a) is type(b) and a == b)
        for a, b in zip(windows, results["window"], strict=True)
    ):
        return results
    out = results.copy()
    out["window"] = pd.Series(windows, dtype=object, index=results.index)
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
    task : {"classification", "regression"} or None
        What the compared estimator does (None when it is neither a classifier nor a
        regressor): :func:`summarize_comparisons` combines comparisons of one task and
        one metric only.

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
        task=None,
    ):
        results = _plain_windows(results)
        if seeds is None and "seed" in results and results["seed"].nunique() > 1:
            # a table read back from its CSV without seeds=: its seeds are in the rows,
            # and the paired tests must average over them, not count them as splits
            seeds = list(pd.unique(results["seed"]))
        self.results = results
        self.task = task
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

    def _score_scale(self) -> float:
        """The magnitude of the scores (the largest absolute finite one): means closer than
        ``1e-12`` of it are equal up to floating-point rounding."""
        scores = np.abs(self.results["score"].to_numpy(dtype=float))
        return float(scores[np.isfinite(scores)].max(initial=0.0))

    def _check_finite(self, configs) -> None:
        """Refuse a NaN or infinite score of one of ``configs`` before a paired test."""
        for order, pool, window in configs:
            rows = self._rows(order, pool, window)
            bad = rows[~np.isfinite(rows["score"].to_numpy(dtype=float))]
            if len(bad):
                row = bad.iloc[0]
                design = f"order={order!r}, pool={pool!r}, window={window!r}"
                seed = f" (seed {row['seed']})" if "seed" in bad else ""
                what = "NaN" if np.isnan(row["score"]) else "infinite"
                raise ValueError(
                    f"The design {design} has a {what} score on split {int(row['split'])}"
                    f"{seed}: its metric is undefined on that split (roc_auc on a test fold "
                    "of one class, say), so the paired test has no difference there. Use "
                    "stratified splits or another scoring."
                )

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation of the score and rank of every configuration.

        Returns
        -------
        pandas.DataFrame
            One row per configuration, best first: ``order``, ``pool``, ``window``,
            ``mean_score``, ``std_score`` (over splits and seeds, ``ddof=1``),
            ``mean_fit_time``, ``n_splits`` and ``rank`` (1 = best mean score; ties, means equal
            to floating-point rounding, share the lower rank); and ``n_seeds`` when the
            comparison ran several seeds. A design with a NaN score on some split (a metric
            undefined there, such as ``roc_auc`` on a test fold of one class) has a NaN mean and
            no rank, and comes last.
        """
        rows = []
        for order, pool, window in self._configs():
            part = self._rows(order, pool, window)
            row = {
                "order": order,
                "pool": pool,
                "window": window,
                # a NaN score (a metric undefined on a split) makes the mean NaN, not a
                # mean over fewer splits than n_splits says
                "mean_score": float(part["score"].mean(skipna=False)),
                "std_score": float(part["score"].std(ddof=1, skipna=False)),
                "mean_fit_time": float(part["fit_time"].mean()),
                "n_splits": int(part["split"].nunique()),
            }
            if self.seeds:
                row["n_seeds"] = int(part["seed"].nunique())
            if "faithfulness" in part:
                row["mean_faithfulness"] = float(part["faithfulness"].mean())
            rows.append(row)
        out = _frame(rows)
        # means equal to rounding (the same scores summed in another order) are one tie
        means = pd.Series(_snap(out["mean_score"].to_numpy(dtype=float), self._score_scale()))
        rank = means.rank(ascending=False, method="min")
        # NaN means get no rank (a nullable integer then) and come last
        out["rank"] = rank.astype("Int64" if rank.isna().any() else int)
        return out.sort_values("rank", kind="stable", na_position="last").reset_index(drop=True)

    def _check_test_args(self, alpha, equivalence_margin, adjust):
        _check_alpha(alpha)
        if adjust not in _ADJUSTMENTS:
            raise ValueError(f"adjust must be 'holm' or None, got {adjust!r}.")
        margin = self.equivalence_margin if equivalence_margin is None else equivalence_margin
        margin = _check_margin(margin, self.metric)
        if margin is not None:
            _check_tost_alpha(alpha)
        return margin

    def _at_ceiling(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether both designs scored the metric's best value on every split."""
        bound = self._common_bound(a, b)
        return bound is not None and bound == _metric_bounds(str(self.metric))[1]

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
            # the scores' magnitude tells rounding from a real spread of the differences
            scale = float(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)))
            ratio = self.test_train_ratio
            res = corrected_ttest(d, ratio, confidence=1 - alpha, scale=scale)
            bound = self._common_bound(a, b)
            if bound is not None:
                # the best score (a ceiling no design can pass) or the worst (a floor)
                res["bound" if self._at_ceiling(a, b) else "floor"] = bound
            if not _same_per_seed(a, b):
                res["seed_averaged"] = True  # the seeds' differences, not only their mean
            if margin is not None:
                res["p_equivalence"] = equivalence_test(d, ratio, margin, scale=scale)["p_value"]
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
        # A cell with zero spread is no test (its verdict says so): its placeholder p of 0
        # or 1 stays out of the Holm family, which would otherwise count it as a rejection
        # and correct the real tests less.
        tested = [i for i, res in enumerate(tests) if res["se"] > 0]
        family = len(tested) > 1 and adjust == "holm"
        if family:
            adjusted = holm([tests[i]["p_value"] for i in tested])
            for i, p in zip(tested, adjusted, strict=True):
                tests[i]["p_adjusted"] = float(p)
            if margin is not None:
                eq_adjusted = holm([tests[i]["p_equivalence"] for i in tested])
                for i, p in zip(tested, eq_adjusted, strict=True):
                    tests[i]["p_equivalence_adjusted"] = float(p)
        for row, res in zip(rows, tests, strict=True):
            row["p_adjusted"] = res.get("p_adjusted", res["p_value"])
            if margin is not None:
                # p_equivalence keeps its meaning of old (the adjusted value, what the
                # verdict uses), so a filter on it is not loosened; the explicit pair
                # names both
                p_eq_adjusted = res.get("p_equivalence_adjusted", res["p_equivalence"])
                row["p_equivalence"] = p_eq_adjusted
                row["p_equivalence_raw"] = res["p_equivalence"]
                row["p_equivalence_adjusted"] = p_eq_adjusted
            if not res["se"] > 0:
                # no test was made (the verdict says so): no statistic or p-value in the
                # table either, where a filter on p_adjusted < 0.05 would take a
                # placeholder of 0 for a significant difference
                row.update(t=np.nan, p_value=np.nan, p_adjusted=np.nan)
                if margin is not None:
                    row.update(
                        p_equivalence=np.nan,
                        p_equivalence_raw=np.nan,
                        p_equivalence_adjusted=np.nan,
                    )
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
            has level ``1 - alpha`` and is not adjusted. Below 0.5 with an equivalence
            margin: the equivalence test reads the ``1 - 2 alpha`` interval.
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
            ``ci_high``, ``t``, ``p_value`` (unadjusted), ``p_adjusted`` (what the verdict uses;
            equal to ``p_value`` for a single cell or ``adjust=None``), with a margin
            ``p_equivalence_raw`` (TOST, unadjusted), ``p_equivalence_adjusted`` (adjusted
            like ``p_adjusted``; what the verdict uses) and ``p_equivalence`` (the adjusted
            value; filter on the explicit pair, as in the
            across-datasets table ``p_equivalence`` is the raw value), and ``verdict``
            (plain words). A cell whose paired differences have no spread is not tested (its
            verdict says so): its ``t`` and p-values are NaN.

        Raises
        ------
        ValueError
            When the comparison did not include both orders, or a score is NaN (a metric
            undefined on some split), naming the design and the split.
        """
        alpha = _check_alpha(alpha)  # as a float, whatever real number it was
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
        self._check_finite([(o, p, w) for p, w in cells for o in ORDERS])
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
            The level every other level is compared with, as the ``results`` table names
            it; "first" is the first level of the grid (e.g. ``pools[0]``). A tuple of
            pools is named by its label (``"ppv+lspv"`` for ``("ppv", "lspv")``), a pool
            class of your own by its label in the table. For ``factor="window"``, None is
            global pooling.
        alpha, equivalence_margin, adjust
            As in :meth:`order_effect`.

        Returns
        -------
        pandas.DataFrame
            One row per level other than the reference: ``factor``, ``level``, ``reference``,
            ``mean_level``, ``mean_reference`` (marginal means), ``n_splits``, ``n_seeds``,
            ``mean_diff`` (``level - reference``), ``ci_low``, ``ci_high``, ``t``, ``p_value``,
            ``p_adjusted``, ``p_equivalence_raw``, ``p_equivalence_adjusted`` and
            ``p_equivalence`` (with a margin; as in :meth:`order_effect`) and ``verdict``.
            Empty when the factor has one level.

        Examples
        --------
        >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_mean_level
        >>> X, y = make_mean_level(n_samples=40, n_timesteps=8, random_state=0)
        >>> clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
        >>> result = compare_heads(clf, X, y, pools=["avg", "max"], cv=3, random_state=0)
        >>> result.main_effect("pool")[["level", "reference", "n_splits"]].values.tolist()
        [['max', 'avg', 3]]
        """
        alpha = _check_alpha(alpha)  # as a float, whatever real number it was
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
        self._check_finite(configs)
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
                if factor == "window":  # "window 8 - global pooling", not "window global"
                    return "global pooling" if v is None else f"window {v}"
                return str(v)

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
        alpha = _check_alpha(alpha)
        n_splits = len(self.splits)
        paired = f"{n_splits} splits" + (f" x {len(self.seeds)} seeds" if self.seeds else "")
        blocks = []
        if set(ORDERS) <= set(self.results["order"]):
            effect = self.order_effect(alpha=alpha, equivalence_margin=equivalence_margin)
            n_tested = int((effect["ci_high"] > effect["ci_low"]).sum())  # zero spread: no test
            holm_note = f"; p-values Holm-adjusted over {n_tested} cells" if n_tested > 1 else ""
            if n_tested > 1 and n_tested < len(effect):
                holm_note += ", those with a spread to test"
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
        from .._plotting import plot_comparison

        alpha = _check_alpha(alpha)
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
