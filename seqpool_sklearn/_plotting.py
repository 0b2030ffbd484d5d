"""The figure of :meth:`HeadComparison.plot <seqpool_sklearn.HeadComparison.plot>`.

It is drawn from the comparison's public tables alone -- ``results``, ``summary()`` and
``order_effect()`` -- so anything that holds those tables can draw it, and this module knows
nothing of how they were made. matplotlib is imported here, lazily, so the package itself
does not need it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._stats import format_p

_COLORS = {"pool_first": "#4C72B0", "decode_first": "#DD8452"}


def _cell_label(pool: str, window) -> str:
    return f"{pool}\n{'global' if window is None else f'window {window}'}"


def _keys(table: pd.DataFrame) -> list[tuple]:
    """(order, pool, window) of every row; ``window`` stays None / int, as in the table."""
    return list(zip(table["order"], table["pool"], table["window"], strict=True))


def _scores_by_design(results: pd.DataFrame) -> dict[tuple, np.ndarray]:
    """The scores of every (order, pool, window), in split order."""
    rows = results.sort_values("split", kind="stable")
    scores: dict[tuple, list[float]] = {}
    for key, score in zip(_keys(rows), rows["score"], strict=True):
        scores.setdefault(key, []).append(score)
    return {key: np.asarray(values, dtype=float) for key, values in scores.items()}


def _effect_labels(effect: pd.DataFrame, adjusted: bool, alpha: float = 0.05) -> list[str]:
    """The p-value each cell's verdict rests on: TOST for "equivalent", none for no test."""
    holm = "Holm " if adjusted else ""
    p_diff = effect["p_adjusted"] if "p_adjusted" in effect else effect["p_value"]
    # the TOST p-value the verdict used: the explicit adjusted column (plain p_equivalence
    # is adjusted in a comparison's tables but raw across datasets)
    p_eq = next(
        (effect[c] for c in ("p_equivalence_adjusted", "p_equivalence") if c in effect), None
    )
    labels = []
    for i in range(len(effect)):
        verdict = str(effect["verdict"].iloc[i]) if "verdict" in effect else ""
        if effect["ci_low"].iloc[i] == effect["ci_high"].iloc[i]:
            labels.append("zero variance: no test")
        elif verdict.startswith("equivalent") and p_eq is not None:
            labels.append(f"TOST {holm}{format_p(p_eq.iloc[i], alpha)}")
        else:
            labels.append(holm + format_p(p_diff.iloc[i], alpha))
    return labels


def _tost_rows(effect: pd.DataFrame) -> np.ndarray:
    """Cells whose verdict is "equivalent" (decided by the TOST's 1 - 2 alpha interval)."""
    if "verdict" not in effect or "n_splits" not in effect:
        return np.zeros(len(effect), dtype=bool)
    return effect["verdict"].astype(str).str.startswith("equivalent").to_numpy()


def plot_comparison(
    results: pd.DataFrame,
    summary: pd.DataFrame,
    effect: pd.DataFrame | None,
    *,
    scoring: str,
    alpha: float = 0.05,
    figsize=None,
    equivalence_margin: float | None = None,
    metric: str | None = None,
    chance_level: float | None = None,
    bounds: tuple[float, float] = (-np.inf, np.inf),
    title: str | None = None,
):
    """Left: scores per configuration, grouped by order. Right: paired order effects.

    ``results``, ``summary`` and ``effect`` are the tables of a comparison (``effect`` is
    None when it ran a single order: the figure then has no order-effect panel). Colours
    and p-value labels use ``effect["p_adjusted"]`` (Holm) when the table has it, and an
    "equivalent" cell is labelled with the TOST p-value its verdict rests on, a cell of
    zero-variance differences with "no test", so the figure says what the verdicts say;
    ``equivalence_margin`` shades ``±margin``. The legend sits below the scores. The score
    axis is labelled with ``metric`` (default ``scoring``), the mean ± sd bars are cut at
    ``bounds`` (an accuracy has no values above 1), ``chance_level`` is a dotted line (the
    majority class for accuracy), and
    ``title`` (e.g. the dataset) heads the figure.
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.font_manager import FontProperties
        from matplotlib.ticker import MaxNLocator
    except ImportError:  # pragma: no cover - matplotlib ships with the plot/cli extras
        raise ImportError(
            "HeadComparison.plot needs matplotlib; install it (pip install matplotlib)."
        ) from None

    orders = [o for o in _COLORS if o in set(summary["order"])]
    cells = list(dict.fromkeys(zip(results["pool"], results["window"], strict=True)))
    scores = _scores_by_design(results)
    spread = dict(
        zip(
            _keys(summary),
            zip(summary["mean_score"], summary["std_score"], strict=True),
            strict=True,
        )
    )
    both = effect is not None
    if figsize is None:
        width = 2.0 + 1.3 * len(cells)
        figsize = (width + (1.5 + 1.6 if both else 0), 3.6)
    if both:
        fig, (ax, ax_eff) = plt.subplots(
            1, 2, figsize=figsize, gridspec_kw={"width_ratios": [max(len(cells), 1.5), 1.6]}
        )
    else:
        fig, ax = plt.subplots(figsize=figsize)
        ax_eff = None

    x = np.arange(len(cells))
    offsets = np.linspace(-0.18, 0.18, len(orders)) if len(orders) > 1 else [0.0]
    rng = np.random.default_rng(0)  # jitter of the per-split dots only
    for order, offset in zip(orders, offsets, strict=True):
        for i, (pool, window) in enumerate(cells):
            design = (order, pool, window)
            if design not in scores:
                continue
            jitter = rng.uniform(-0.04, 0.04, len(scores[design]))
            ax.scatter(
                x[i] + offset + jitter, scores[design], s=9, color=_COLORS[order], alpha=0.35, lw=0
            )
            mean, sd = spread[design]
            sd = sd if np.isfinite(sd) else 0.0  # one split: no spread to show
            low = min(max(mean - sd, bounds[0]), mean)
            high = max(min(mean + sd, bounds[1]), mean)
            ax.errorbar(
                x[i] + offset,
                mean,
                yerr=[[mean - low], [high - mean]],
                fmt="o",
                color=_COLORS[order],
                capsize=4,
                label=order if i == 0 else None,
            )
    ax.set_xticks(x, [_cell_label(p, w) for p, w in cells])
    ax.set_xlim(-0.6, len(cells) - 0.4)
    if chance_level is not None:
        ax.axhline(chance_level, color="0.5", lw=1, ls=":", label="chance level")
    # on two lines, smaller for a long metric name: on one line at 3.6 in high, a name
    # such as neg_mean_squared_error ran off the top and bottom of the figure
    name = str(metric or scoring)
    size = FontProperties(size=plt.rcParams["axes.labelsize"]).get_size_in_points()
    ax.set_ylabel(
        f"{name}\n(mean ± sd over splits)", fontsize=min(size, size * 24 / max(len(name), 1))
    )
    ax.set_title("score per head design")
    # Below the axes, where it can cover no data point (inside, some datasets' points sat
    # under it whichever corner matplotlib picked).
    ax.legend(
        frameon=False, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2),
        ncol=len(orders) + (chance_level is not None),
    )  # fmt: skip
    ax.grid(axis="y", alpha=0.3)

    if ax_eff is not None:
        ypos = np.arange(len(effect))[::-1]
        mean = effect["mean_diff"].to_numpy()
        err = np.vstack([mean - effect["ci_low"].to_numpy(), effect["ci_high"].to_numpy() - mean])
        # an "equivalent" cell is decided by the 1 - 2 alpha interval (TOST), which its
        # verdict shows: draw that one, so that the bar lies inside the shaded margin
        tost = _tost_rows(effect)
        if tost.any():
            df = effect["n_splits"].to_numpy(dtype=float)[tost] - 1
            err[:, tost] *= stats.t.ppf(1 - alpha, df) / stats.t.ppf(1 - alpha / 2, df)
        adjusted = "p_adjusted" in effect and not effect["p_adjusted"].equals(effect["p_value"])
        p_shown = effect["p_adjusted"] if "p_adjusted" in effect else effect["p_value"]
        # a zero-width interval is no test (see effect_verdict): never coloured as a finding
        significant = (p_shown < alpha).to_numpy() & (err.sum(axis=0) > 0)
        colors = [
            _COLORS["decode_first" if m > 0 else "pool_first"] if s else "0.4"
            for m, s in zip(mean, significant, strict=True)
        ]
        for yi, m, e, c in zip(ypos, mean, err.T, colors, strict=True):
            ax_eff.errorbar(m, yi, xerr=e[:, None], fmt="o", color=c, capsize=4)
        ax_eff.axvline(0.0, color="0.2", lw=0.8, ls="--")
        if equivalence_margin is not None:
            ax_eff.axvspan(-equivalence_margin, equivalence_margin, color="0.85", zorder=0)
        ax_eff.margins(x=0.2)  # room for the p-value labels above the end points
        for yi, m, label in zip(ypos, mean, _effect_labels(effect, adjusted, alpha), strict=True):
            ax_eff.annotate(
                label, (m, yi), xytext=(0, 6), textcoords="offset points", ha="center",
                va="bottom", fontsize="x-small", color="0.25",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )  # fmt: skip
        ax_eff.set_yticks(
            ypos, [_cell_label(p, w) for p, w in zip(effect["pool"], effect["window"], strict=True)]
        )
        ax_eff.set_ylim(-0.7, len(effect) - 0.3)
        # three short lines: the panel is narrow, and one long line ran off the figure
        ci = f"{100 * (1 - alpha):g}% CI, corrected"
        if tost.any():
            ci = f"{100 * (1 - alpha):g}% CI ({100 * (1 - 2 * alpha):g}% if equivalent)"
        ax_eff.set_xlabel(f"decode_first - pool_first\n(> 0: decode_first better)\n{ci}")
        # few ticks: the panel is narrow, and long tick labels ran into each other
        ax_eff.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax_eff.set_title("order effect")
        ax_eff.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_critical_difference(
    mean_ranks, labels, *, cd: float, n_datasets: int, alpha: float = 0.05, figsize=None
):
    """Critical-difference diagram: designs on a mean-rank axis (1 = best, on the left).

    A bar of length ``cd`` (Nemenyi, level ``alpha``) is drawn above the axis, and a thick
    line joins every group of designs whose mean ranks lie within ``cd`` of each other: those
    are not significantly different across the ``n_datasets`` datasets (Demšar, 2006).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib ships with the plot/cli extras
        raise ImportError(
            "ComparisonSummary.plot needs matplotlib; install it (pip install matplotlib)."
        ) from None

    ranks = np.asarray(mean_ranks, dtype=float)
    order = np.argsort(ranks, kind="stable")
    ranks, labels = ranks[order], [labels[i] for i in order]
    k = len(ranks)
    if figsize is None:
        # the labels stand either side of the rank axis: the figure widens with them (and
        # with the number of designs) so that the axis keeps its share of the width
        chars = max(len(f"{label} ({rank:.2f})") for label, rank in zip(labels, ranks, strict=True))
        width = max(7.0, 0.3 * k + 2 * 0.075 * chars + 0.6)
        figsize = (width, 1.4 + 0.3 * ((k + 1) // 2))
    fig, ax = plt.subplots(figsize=figsize)
    lo, hi = 1.0, max(float(k), 2.0)
    ax.set_xlim(lo - 0.3, hi + 0.3)
    half = (k + 1) // 2
    ax.set_ylim(-(half + 0.8), 2.0)
    ax.hlines(0, lo, hi, color="0.2", lw=1)
    every = 1 if k <= 12 else 2
    for r in range(1, int(hi) + 1):
        ax.vlines(r, 0, 0.15, color="0.2", lw=1)
        if (r - 1) % every == 0:
            ax.text(r, 0.25, str(r), ha="center", va="bottom", fontsize="small")
    for i, (rank, label) in enumerate(zip(ranks, labels, strict=True)):
        left = i < half
        y = -(i + 1) if left else -(k - i)
        x_text = lo - 0.25 if left else hi + 0.25
        ax.plot([rank, rank, x_text], [0, y, y], color="0.3", lw=0.8)
        ax.plot(rank, 0, "o", color="#4C72B0", ms=4)
        ax.text(
            x_text, y, f"{label} ({rank:.2f})", ha="right" if left else "left", va="center",
            fontsize="small",
        )  # fmt: skip
    # Cliques: maximal runs of designs within cd of each other.
    level = 0
    start = 0
    for end in range(k):
        while ranks[end] - ranks[start] > cd:
            start += 1
        maximal = end == k - 1 or ranks[end + 1] - ranks[start] > cd
        if maximal and end > start:
            level += 1
            ax.hlines(-0.35 * level, ranks[start] - 0.03, ranks[end] + 0.03, lw=3, color="0.1")
    if cd > 0:
        ax.hlines(1.3, lo, lo + cd, color="#DD8452", lw=2)
        ax.text(lo + cd / 2, 1.4, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize="small")
    ax.set_axis_off()
    ax.set_title(
        f"mean rank over {n_datasets} datasets (Nemenyi, alpha={alpha:g})", fontsize="medium"
    )
    fig.tight_layout()
    return fig
