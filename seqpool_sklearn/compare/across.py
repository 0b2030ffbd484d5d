"""Across datasets: ranks, win/tie/loss and Wilcoxon tests of the design effects."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from .._options import ORDERS
from .._stats import (
    _check_tost_alpha,
    _hodges_lehmann,
    _snap,
    format_margin,
    format_number,
    format_p,
    format_p_adjusted,
    holm,
    nemenyi_critical_difference,
    wilcoxon_equivalence_test,
    wilcoxon_test,
)
from .._validation import short_repr
from .common import _ADJUSTMENTS, _check_alpha, _check_margin, _frame, _same_per_seed
from .results import HeadComparison


# --------------------------------------------------------------------------- across datasets
class ComparisonSummary:
    """Head comparisons of several datasets, combined: the answer across datasets.

    Made by :func:`summarize_comparisons`. Across datasets the scores of two designs are not
    commensurable, so the summary works with ranks and signs (Demšar, "Statistical
    comparisons of classifiers over multiple data sets", JMLR 7, 2006): the mean rank of
    every head design, win/tie/loss counts of the orders per pool x window cell, and a
    Wilcoxon signed-rank test of the per-dataset order effects with Holm's adjustment over
    the cells, and, with an ``equivalence_margin``, two one-sided signed-rank tests of
    "the order effect lies within ±margin"
    (:func:`~seqpool_sklearn._stats.wilcoxon_equivalence_test`).

    Attributes
    ----------
    comparisons : dict of str to HeadComparison
        The per-dataset comparisons, by dataset name.
    scores : pandas.DataFrame
        One row per dataset x design: ``dataset``, ``order``, ``pool``, ``window``,
        ``mean_score`` (over that dataset's splits) and ``rank`` within the dataset (1 =
        best; means equal to floating-point rounding are ties and share the average rank).
    equivalence_margin : float or None
        The margin of the equivalence test that :meth:`order_effect` runs by default.

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

    def __init__(
        self, comparisons: dict, scores: pd.DataFrame, equivalence_margin: float | None = None
    ):
        self.comparisons = comparisons
        self.scores = scores
        self.equivalence_margin = _check_margin(equivalence_margin, self._metric())

    def _metric(self) -> Any:
        """The metric the comparisons were scored by (one for all of them), or None."""
        first = next(iter(self.comparisons.values()), None)
        return getattr(first, "metric", None)

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

    def order_effect(
        self,
        *,
        alpha: float = 0.05,
        adjust: str | None = "holm",
        equivalence_margin: float | None = None,
    ) -> pd.DataFrame:
        """Order effect across datasets for every pool x window cell.

        Each dataset gives one paired difference per cell, ``decode_first - pool_first``:
        the mean of its per-split paired differences (``mean_diff`` of its own
        :meth:`HeadComparison.order_effect`), a difference within ``1e-12`` of the
        magnitude of that dataset's scores counting as 0 (a tie), and magnitudes that close
        as one. The differences over datasets are tested with the two-sided Wilcoxon
        signed-rank test (:func:`~seqpool_sklearn._stats.wilcoxon_test`: tied datasets
        dropped, exact p-value for up to 50 untied datasets), Holm-adjusted over the cells.
        With an equivalence margin ``m`` each cell is also tested for equivalence: two
        one-sided signed-rank tests, of ``d + m`` above 0 and of ``d - m`` below 0 (TOST;
        the larger p-value counts, Holm-adjusted over the cells separately), so the verdict
        can say "equivalent within ±m" -- the typical per-dataset order effect lies inside
        the margin -- instead of only "no significant difference", which is no evidence that
        there is none. A dataset whose difference is exactly ``±m`` counts against
        equivalence (:func:`~seqpool_sklearn._stats.wilcoxon_equivalence_test`): an effect
        at the margin is no evidence that it lies inside.

        Parameters
        ----------
        alpha : float, default=0.05
            Family-wise significance level of the verdicts; below 0.5 with a margin (the
            equivalence test reads the ``1 - 2 alpha`` interval).
        adjust : {"holm", None}, default="holm"
            As in :meth:`HeadComparison.order_effect`.
        equivalence_margin : float, default=None
            The margin in score units (0.01 = one accuracy point), stated before looking at
            the results. None uses the summary's own ``equivalence_margin`` (None by
            default: no equivalence test).

        Returns
        -------
        pandas.DataFrame
            One row per pool x window: ``pool``, ``window``, ``n_datasets``,
            ``decode_first_wins``, ``ties``, ``pool_first_wins`` (datasets where that
            order's mean score is higher; equal means, to rounding, are ties),
            ``decode_first_significant``
            and ``pool_first_significant`` (datasets whose own Holm-adjusted verdict names
            that order), ``mean_diff`` and ``median_diff`` (over datasets), ``statistic``,
            ``p_value``, ``p_adjusted`` (NaN, with ``statistic``, for a cell where every
            dataset tied: no signed-rank test, and no member of the Holm family),
            ``n_at_bound`` (ties where both orders scored the metric's best value, such as
            accuracy 1.0, on every split: their difference is 0 because neither could
            score higher, which the verdict states), ``n_identical`` (datasets where both
            orders scored the same on every split -- and, with seeds, under every seed --
            the bound or not: their own verdict has no test, and the equivalence test leaves
            them out, as the difference test drops their zero difference), with a margin
            ``p_equivalence_raw`` (TOST, unadjusted), ``p_equivalence_adjusted`` (what the
            verdict uses) and ``p_equivalence`` (the raw value; filter
            on the explicit pair, as in a single comparison's table ``p_equivalence`` is the
            adjusted value), and
            ``verdict``: "decode_first better across
            datasets", "pool_first better across datasets", and without a margin "no
            significant difference across datasets"; with one "equivalent within ±m across
            datasets" (quoting the Hodges-Lehmann estimate of the difference, the median of
            the pairwise averages of the differences the equivalence test used) or
            "inconclusive across datasets" (neither shown different nor shown equivalent);
            for a cell where every dataset tied, "no test across datasets" (the
            equivalence p-values are NaN too where no dataset had a spread to test).
        """
        margin = self.equivalence_margin
        if equivalence_margin is not None:
            margin = _check_margin(equivalence_margin, self._metric())
        alpha = _check_alpha(alpha)
        if margin is not None:
            _check_tost_alpha(alpha)
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
            d, scale, sig_decode, sig_pool, at_bound, identical = [], [], 0, 0, [], []
            for name, effect in effects.items():
                win = effect["window"].isna() if window is None else effect["window"].eq(window)
                row = effect[effect["pool"].eq(pool) & win].iloc[0]
                # the mean of the per-split differences, as the dataset's own test has it
                # (not the difference of two separately summed means, which can differ in
                # the last bit where the means are equal)
                d.append(float(row["mean_diff"]))
                sig_decode += row["verdict"].startswith("decode_first better")
                sig_pool += row["verdict"].startswith("pool_first better")
                cmp = self.comparisons[name]
                scores = [cmp._scores(order, pool, window) for order in ORDERS]
                scale.append(max(float(np.abs(s).max(initial=0.0)) for s in scores))
                at_bound.append(cmp._at_ceiling(*scores))
                # the same scores on every split, to floating-point rounding: the dataset's
                # own test found a zero difference with zero spread -- and, with seeds, the
                # scores of every seed agree too (not only their average over the seeds)
                identical.append(
                    bool(row["mean_diff"] == 0 and row["ci_low"] == row["ci_high"])
                    and _same_per_seed(*scores)
                )
            d, at_bound = np.asarray(d), np.asarray(at_bound, dtype=bool)
            identical, scale = np.asarray(identical, dtype=bool), np.asarray(scale)
            # wins and ties counted as the signed-rank tests see them: each dataset's
            # difference on the grid of its own scores' magnitude (rounding is a tie), as
            # scores of different datasets are not commensurable; one grid for all would
            # round the small datasets' differences away on the scale of a large one
            d = _snap(d, scale)
            test = wilcoxon_test(d, scale=scale)
            # both orders at the metric's bound on every split (100% accuracy, say): their
            # difference is 0 there because neither can do better; the verdict says how
            # many such datasets its counts hold
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
                    "statistic": test["statistic"] if test["n"] else np.nan,
                    "p_value": test["p_value"] if test["n"] else np.nan,
                    # a dataset whose orders scored the same on every split had no test of
                    # its own (no spread: "no evidence of equivalence" there); it carries no
                    # signed rank here either, as in the difference test, where its zero
                    # difference is dropped
                    **(
                        {
                            "p_equivalence": wilcoxon_equivalence_test(
                                d[~identical], margin, scale=scale[~identical]
                            )["p_value"]
                            if (~identical).any()
                            else np.nan
                        }
                        if margin is not None
                        else {}
                    ),
                    "_location": _hodges_lehmann(d[~identical]) if (~identical).any() else 0.0,
                    "_n_tested": int((~identical).sum()),
                    "n_at_bound": int(at_bound.sum()),
                    "n_identical": int(identical.sum()),
                    "_favours_decode": test["r_plus"] > test["r_minus"],
                    "_favours_pool": test["r_minus"] > test["r_plus"],
                }
            )
        # A cell with no signed rank (every dataset tied) is no test, as a cell with zero
        # spread in one comparison: it stays out of the Holm family (a placeholder p of 1
        # there would correct the real tests more), and so does a cell without a dataset
        # for the equivalence test. holm() passes NaN through and does not count it.
        p = np.asarray([r["p_value"] for r in rows], dtype=float)
        p_eq = np.asarray([r.get("p_equivalence", np.nan) for r in rows], dtype=float)
        family = adjust == "holm" and int(np.isfinite(p).sum()) > 1
        eq_family = adjust == "holm" and margin is not None and int(np.isfinite(p_eq).sum()) > 1
        adjusted = holm(p) if family else p
        eq_adjusted = holm(p_eq) if eq_family else p_eq
        for row, p_adj, p_eq_adj in zip(rows, adjusted, eq_adjusted, strict=True):
            row["p_adjusted"] = float(p_adj)
            res = {"p_value": row["p_value"]}
            if family:
                res["p_adjusted"] = float(p_adj)
            n = row["n_datasets"]
            counts = (
                f"decode_first higher on {row['decode_first_wins']}, pool_first on "
                f"{row['pool_first_wins']}, tied on {row['ties']} of {n} datasets"
            )
            if row["n_at_bound"]:
                k = row["n_at_bound"]
                counts += (
                    f", {k} of the ties with both orders at the metric's best score on every "
                    "split, where neither could score higher"
                )
            if margin is not None and row["n_identical"]:
                k = row["n_identical"]
                counts += (
                    f"; the equivalence test leaves out the {k} dataset"
                    f"{'s' if k > 1 else ''} where both orders scored the same on every "
                    f"split, with no spread to test"
                )
            stat = (
                f"Wilcoxon {format_p_adjusted(res, alpha)}"
                if np.isfinite(row["p_value"])
                else "no signed-rank test: every dataset tied"
            )
            favours_decode, favours_pool = row.pop("_favours_decode"), row.pop("_favours_pool")
            location, n_tested = row.pop("_location"), row.pop("_n_tested")
            eq_text, equivalent = "", False
            if margin is not None:
                row["p_equivalence_raw"] = row["p_equivalence"]
                row["p_equivalence_adjusted"] = float(p_eq_adj)
                equivalent = bool(p_eq_adj < alpha)
                raw = format_p(row["p_equivalence"], alpha)
                eq_text = (
                    "no equivalence test: no dataset with a spread to test"
                    if not np.isfinite(row["p_equivalence"])
                    else f"TOST Holm {format_p(p_eq_adj, alpha)}, raw {raw}"
                    if eq_family
                    else f"TOST {raw}"
                )

            m = None if margin is None else format_margin(margin)
            if not np.isfinite(row["p_value"]) and not equivalent:
                row["verdict"] = (
                    f"no test across datasets: the orders tied on every dataset ({counts}; "
                    f"{stat}"
                    + (f"; {eq_text}" if margin is not None else "")
                    + "), which is no evidence of equivalence"
                )
            elif p_adj < alpha and (favours_decode or favours_pool):
                winner = "decode_first" if favours_decode else "pool_first"
                note = f"; within the ±{m} margin, {eq_text}" if equivalent else ""
                row["verdict"] = f"{winner} better across datasets ({counts}; {stat}{note})"
            elif margin is None:
                row["verdict"] = f"no significant difference across datasets ({counts}; {stat})"
            elif equivalent:
                row["verdict"] = (
                    f"equivalent within ±{m} across datasets ({counts}; Hodges-Lehmann "
                    f"estimate of decode_first - pool_first {format_number(location)} over "
                    f"the {n_tested} datasets tested; {eq_text})"
                )
            else:
                row["verdict"] = (
                    f"inconclusive across datasets: no significant difference, and not shown "
                    f"equivalent within ±{m} ({counts}; {stat}; {eq_text})"
                )
        return _frame(rows)

    def report(self, *, alpha: float = 0.05, equivalence_margin: float | None = None) -> str:
        """Mean ranks and the order effect across datasets as text.

        ``equivalence_margin`` is passed to :meth:`order_effect` (None: the summary's own).

        Returns
        -------
        str
        """
        alpha = _check_alpha(alpha)
        ranks = self.ranks()
        lines = [f"Mean rank over {len(self.comparisons)} datasets (1 = best):"]
        for o, p, w, r in zip(
            ranks["order"], ranks["pool"], ranks["window"], ranks["mean_rank"], strict=True
        ):
            lines.append(f"  {r:5.2f}  {o:<12}  {p:<9}  {'global' if w is None else w}")
        if set(ORDERS) <= set(self.scores["order"]):
            effect = self.order_effect(alpha=alpha, equivalence_margin=equivalence_margin)
            tested = int(np.isfinite(effect["p_value"].to_numpy(dtype=float)).sum())
            holm_note = ", Holm over cells" if tested > 1 else ""
            lines += ["", f"Order effect across datasets (Wilcoxon signed-rank{holm_note}):"]
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
        from .._plotting import plot_critical_difference

        alpha = _check_alpha(alpha)
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


def _check_one_metric(named: dict) -> None:
    """Refuse comparisons scored by different metrics, or of a classifier and a regressor:
    the tests across datasets read differences of scores on one scale (a margin in score
    units, a mean of differences), and an R² difference beside an accuracy difference has
    none."""

    def described(cmp) -> tuple[str, str | None]:
        task = getattr(cmp, "task", None)  # None: a comparison pickled before it was kept
        return str(cmp.metric), task

    def scale(metric: str) -> str:
        # the estimator's own score is labelled "R²", scoring="r2" "r2": one metric
        return "r2" if metric == "R²" else metric

    first_name, first = next(iter(named.items()))
    metric, task = described(first)
    for name, cmp in named.items():
        other_metric, other_task = described(cmp)
        tasks_differ = None not in (task, other_task) and task != other_task
        if scale(other_metric) != scale(metric) or tasks_differ:
            this, that = metric, other_metric
            if tasks_differ:
                this, that = f"{metric} ({task})", f"{other_metric} ({other_task})"
            raise ValueError(
                "summarize_comparisons combines comparisons scored by one metric, but "
                f"{first_name!r} is scored by {this} and {name!r} by {that}: the tests "
                "across datasets would mix differences on two scales. Summarize the "
                "datasets of one task and one scoring at a time (compare_heads(..., "
                "scoring=...) the same for each)."
            )


def summarize_comparisons(
    comparisons: Any, *, equivalence_margin: float | None = None
) -> ComparisonSummary:
    """Combine the head comparisons of several datasets into one answer.

    Parameters
    ----------
    comparisons : dict of str to HeadComparison, or list of (name, HeadComparison)
        One :func:`compare_heads` result per dataset, all on the same grid of designs
        (designs missing from a dataset are an error: ranks need every design everywhere)
        and scored by the same metric, of one task: comparisons of different metrics, or of
        a classifier and a regressor, are an error (their differences have no common
        scale for the tests across datasets).
    equivalence_margin : float, default=None
        A margin in score units (0.01 = one accuracy point), stated in advance: the order
        effect across datasets is then also tested for equivalence within ±margin (two
        one-sided Wilcoxon signed-rank tests), so a verdict can say "equivalent within
        ±margin" or "inconclusive" rather than only "no significant difference".

    Returns
    -------
    ComparisonSummary
        ``scores`` (per dataset x design), ``ranks()``, ``order_effect()`` (win/tie/loss,
        Wilcoxon signed-rank with Holm, and the equivalence test with a margin) and
        ``plot()`` (critical-difference diagram).

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
    if isinstance(comparisons, (HeadComparison, str, bytes, os.PathLike, pd.DataFrame)):
        got = (
            "one HeadComparison"
            if isinstance(comparisons, HeadComparison)
            else f"a DataFrame of shape {comparisons.shape}"
            if isinstance(comparisons, pd.DataFrame)
            else f"a {type(comparisons).__name__} ({short_repr(comparisons)})"
        )
        raise TypeError(
            "comparisons must be a dict {name: HeadComparison} (or a list of (name, "
            f"HeadComparison) pairs) of at least 2 datasets, got {got}. Build one "
            "HeadComparison per dataset with compare_heads."
        )
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
        if str(name) in named:  # names are kept as text: 1 and "1" are one name
            raise ValueError(f"Dataset name {str(name)!r} appears twice.")
        named[str(name)] = cmp
    _check_one_metric(named)
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
        undefined = summary[summary["mean_score"].isna()]
        if len(undefined):
            row = undefined.iloc[0]
            design = f"order={row['order']!r}, pool={row['pool']!r}, window={row['window']!r}"
            raise ValueError(
                f"Dataset {name!r} has NaN scores for the design {design}: its metric is "
                "undefined on some split (roc_auc on a test fold of one class, say), so the "
                "designs cannot be ranked. Use stratified splits or another scoring."
            )
        # equal means to rounding share their rank: means on the grid of the scores' scale
        means = _snap(summary["mean_score"].to_numpy(dtype=float), cmp._score_scale())
        ranks = pd.Series(means).rank(ascending=False, method="average")
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
    return ComparisonSummary(named, _frame(rows), equivalence_margin=equivalence_margin)
