"""Statistics of paired cross-validation scores, and how their numbers are written.

:func:`corrected_ttest` is the corrected resampled t-test of Nadeau & Bengio (2003):
cross-validation folds share training data, so the paired differences of two designs are
not independent and a plain paired t-test is far too confident; the correction inflates the
variance by ``n_test / n_train``. :func:`equivalence_test` is the two one-sided tests (TOST)
with the same corrected standard error, for "the designs differ by less than ``margin``".
:func:`holm` adjusts the p-values of a family of such tests (Holm-Bonferroni), so a verdict
on one cell out of many is not a lucky draw. :func:`effect_verdict` (and
:func:`order_verdict`, its ``decode_first`` vs ``pool_first`` case) says what the tests found
in plain words, and :func:`format_p` / :func:`format_number` are the number formats both it
and the comparison figure use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

__all__ = [
    "corrected_ttest",
    "effect_verdict",
    "equivalence_test",
    "format_number",
    "format_p",
    "format_p_adjusted",
    "holm",
    "nemenyi_critical_difference",
    "order_verdict",
    "wilcoxon_equivalence_test",
    "wilcoxon_test",
]


def corrected_ttest(
    differences: Any,
    test_train_ratio: float,
    *,
    confidence: float = 0.95,
    scale: float = 1.0,
) -> dict[str, float]:
    """Corrected resampled t-test (Nadeau & Bengio, 2003) for paired CV differences.

    With ``k`` paired differences ``d_j`` (one per split), mean ``d`` and sample variance
    ``s2`` (``ddof=1``): ``t = d / sqrt((1/k + n_test/n_train) * s2)`` on ``k - 1`` degrees
    of freedom, two-sided. The confidence interval uses the same corrected standard error.

    Parameters
    ----------
    differences : array-like of shape (k,)
        Paired score differences, one per split; ``k >= 2``.
    test_train_ratio : float
        ``n_test / n_train`` of the splits (their mean sizes when they differ).
    confidence : float, default=0.95
        Level of the confidence interval.
    scale : float, default=1.0
        The magnitude of the scores the differences come from (their largest absolute
        value). Differences that spread by less than ``1e-12`` of it (or of the largest
        difference) are the same difference up to floating-point rounding, and a mean
        difference within ``1e-12`` of it is 0. The default
        suits scores of order one, such as accuracy; pass the scores' magnitude for a
        metric of another scale (an MSE of 1e-6, say), whose real differences may be
        smaller than 1e-12.

    Returns
    -------
    dict
        ``mean``, ``ci_low``, ``ci_high``, ``t``, ``p_value``, ``df``, ``se``. When every
        difference is the same (to floating-point rounding) the standard error is 0 and the
        interval has zero width (never NaN), with ``p_value=1.0`` for differences of 0 and
        ``p_value=0.0`` otherwise: no test at all, which the verdicts
        (:func:`effect_verdict`) say.

    Examples
    --------
    >>> res = corrected_ttest([0.02, 0.05, -0.01, 0.04, 0.03], test_train_ratio=0.25)
    >>> round(res["mean"], 3), round(res["p_value"], 3)
    (0.026, 0.168)
    >>> corrected_ttest([0.0, 0.0, 0.0], test_train_ratio=0.5)["p_value"]
    1.0
    """
    d = np.asarray(differences, dtype=float).ravel()
    k = d.size
    if k < 2:
        raise ValueError(
            f"The corrected t-test needs at least 2 paired differences (splits); got {k}. "
            "Use cv >= 2 or more repeats."
        )
    if not np.isfinite(d).all():
        raise ValueError("The paired differences contain NaN or inf; check the scores.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    if not np.isfinite(test_train_ratio) or test_train_ratio < 0:
        raise ValueError(f"test_train_ratio must be a finite number >= 0, got {test_train_ratio}.")
    mean = float(d.mean())
    var = float(d.var(ddof=1))
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}.")
    tolerance = 1e-12 * max(float(scale), float(np.abs(d).max()))
    if np.ptp(d) <= tolerance:
        # The same difference on every split up to floating-point rounding (0.9 - 0.4 and
        # 0.8 - 0.3 differ in the last bit): no spread, not a spread of 1e-17.
        var = 0.0
    if abs(mean) <= tolerance:
        # A mean of rounding noise (equal scores summed in another order differ in the last
        # bit) is no difference: 0, never "scored higher on each split" by 1e-16.
        mean = 0.0
    dof = k - 1
    se = float(np.sqrt((1.0 / k + test_train_ratio) * var))
    if se == 0.0:
        # Identical differences on every split: no spread to test against (the provably
        # equivalent designs under one seed do this); the verdicts say it is no test.
        t_stat = 0.0 if mean == 0.0 else float(np.copysign(np.inf, mean))
        p_value = 1.0 if mean == 0.0 else 0.0
        return {
            "mean": mean,
            "ci_low": mean,
            "ci_high": mean,
            "t": t_stat,
            "p_value": p_value,
            "df": float(dof),
            "se": 0.0,
        }
    t_stat = mean / se
    p_value = float(2.0 * stats.t.sf(abs(t_stat), dof))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, dof)) * se
    return {
        "mean": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "t": float(t_stat),
        "p_value": min(p_value, 1.0),
        "df": float(dof),
        "se": se,
    }


def equivalence_test(
    differences: Any, test_train_ratio: float, margin: float, *, scale: float = 1.0
) -> dict[str, float]:
    """Two one-sided corrected t-tests (TOST) of ``-margin < mean difference < margin``.

    With the corrected standard error ``se`` and ``k - 1`` degrees of freedom of
    :func:`corrected_ttest`: ``p_lower = P(T > (d + margin) / se)`` tests "the difference is
    above ``-margin``", ``p_upper = P(T < (d - margin) / se)`` tests "below ``margin``", and
    the equivalence p-value is the larger of the two (Schuirmann, 1987). It is below
    ``alpha`` exactly when the ``1 - 2 alpha`` confidence interval lies inside
    ``(-margin, margin)``.

    Parameters
    ----------
    differences : array-like of shape (k,)
        Paired score differences, one per split; ``k >= 2``.
    test_train_ratio : float
        ``n_test / n_train`` of the splits.
    margin : float
        The equivalence margin, in score units (e.g. 0.01 for one point of accuracy); > 0.
    scale : float, default=1.0
        The scores' magnitude, as for :func:`corrected_ttest`.

    Returns
    -------
    dict
        ``p_value`` (the TOST p-value), ``p_lower``, ``p_upper``, ``t_lower``, ``t_upper``,
        ``df``. With zero spread the p-value is 0 when ``|d| < margin`` and 1 otherwise.

    Examples
    --------
    >>> res = equivalence_test([0.002, -0.004, 0.001, 0.003, -0.001], 0.25, margin=0.02)
    >>> round(res["p_value"], 4)
    0.0002
    >>> equivalence_test([0.03, 0.05, 0.04], 0.25, margin=0.02)["p_value"] > 0.5
    True
    """
    if not (np.isfinite(margin) and margin > 0):
        raise ValueError(
            f"The equivalence margin must be a finite number > 0 (in score units, e.g. "
            f"0.01), got {margin!r}."
        )
    res = corrected_ttest(differences, test_train_ratio, scale=scale)
    mean, se, dof = res["mean"], res["se"], res["df"]
    if se == 0.0:
        inside = abs(mean) < margin
        p = 0.0 if inside else 1.0
        t_lower = np.inf if mean + margin > 0 else -np.inf
        t_upper = -np.inf if mean - margin < 0 else np.inf
        return {
            "p_value": p,
            "p_lower": 0.0 if mean + margin > 0 else 1.0,
            "p_upper": 0.0 if mean - margin < 0 else 1.0,
            "t_lower": float(t_lower),
            "t_upper": float(t_upper),
            "df": dof,
        }
    t_lower = (mean + margin) / se
    t_upper = (mean - margin) / se
    p_lower = float(stats.t.sf(t_lower, dof))
    p_upper = float(stats.t.cdf(t_upper, dof))
    return {
        "p_value": max(p_lower, p_upper),
        "p_lower": p_lower,
        "p_upper": p_upper,
        "t_lower": float(t_lower),
        "t_upper": float(t_upper),
        "df": dof,
    }


def holm(p_values: Any) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values of one family of tests.

    Sorted ascending, the ``i``-th smallest of ``m`` p-values becomes
    ``max_{j <= i} min(1, (m - j + 1) p_(j))`` (Holm, 1979); rejecting where the adjusted
    value is below ``alpha`` controls the family-wise error rate at ``alpha`` under any
    dependence between the tests. NaN entries stay NaN and do not count towards ``m``.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    >>> holm([0.018, 0.3, 0.5, 0.6]).round(3).tolist()
    [0.072, 0.9, 1.0, 1.0]
    """
    p = np.asarray(p_values, dtype=float).ravel()
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {p.tolist()}.")
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out


def _snap(values: Any, scale: Any) -> np.ndarray:
    """``values`` on a grid of about ``1e-12 * scale`` (a power of two, so no new rounding).

    ``scale`` is one magnitude or one per value (the scores each value comes from); a value
    within ``1e-12 * scale`` of 0 becomes 0. Signed ranks see every nonzero value and every
    tie. Floating-point rounding leaves differences that should be 0 (``0.56 - 0.57 + 0.01``
    is ``1e-16``) or equal (``0.9 - 0.4`` and ``0.8 - 0.3`` differ in the last bit); on the
    grid they are.
    """
    values = np.asarray(values, dtype=float)
    scale = np.broadcast_to(np.asarray(scale, dtype=float), values.shape)
    positive = scale > 0
    exponent = np.floor(np.log2(np.where(positive, scale, 1.0))) - 40
    step = np.exp2(exponent)
    snapped = np.where(positive, np.round(values / step) * step, values)
    return np.where(np.abs(values) <= 1e-12 * scale, 0.0, snapped)


# Up to this many ranked differences the signed-rank p-value is the exact one, counted over
# all 2^n sign patterns (in under a millisecond); above it, the normal approximation.
_EXACT_SIGNED_RANK_MAX_N = 50


def _signed_rank(
    values: Any, scale: Any, alternative: str, *, zero_sign: int = 0
) -> dict[str, float]:
    """Signed-rank statistic and p-value of ``values``, conditional on their magnitudes.

    A value within ``1e-12 * scale`` of 0 (``scale`` one magnitude or one per value) is a
    zero: dropped when ``zero_sign`` is 0, else ranked with magnitude 0 and that sign.
    Magnitudes within ``1e-12 * scale`` of each other are one tie and share the average
    rank. Under the null hypothesis every sign is + or - with probability 1/2, independently,
    whatever the magnitudes; the p-value counts the sign patterns whose rank sum ``R+`` of
    the positive values is at least as extreme as the observed one: exactly, by dynamic
    programming over the doubled (integer) average ranks, for up to
    ``_EXACT_SIGNED_RANK_MAX_N`` ranked values, else by the normal approximation with the
    variance of the tied ranks, ``sum(rank**2) / 4``, and no continuity correction.
    """
    x = np.asarray(values, dtype=float).ravel()
    tol = 1e-12 * np.broadcast_to(np.asarray(scale, dtype=float), x.shape)
    zero = np.abs(x) <= tol
    sign = np.where(zero, zero_sign, np.sign(x))
    keep = sign != 0
    magnitude, sign, tol = np.where(zero, 0.0, np.abs(x))[keep], sign[keep], tol[keep]
    n = int(magnitude.size)
    if n == 0:
        return {"r_plus": 0.0, "r_minus": 0.0, "n": 0, "p_value": 1.0}
    order = np.argsort(magnitude, kind="stable")
    ranks2 = np.empty(n, dtype=np.int64)  # twice the average rank: an integer
    start = 0
    while start < n:
        stop, width = start + 1, tol[order[start]]
        while stop < n:
            width = max(width, tol[order[stop]])
            if magnitude[order[stop]] - magnitude[order[start]] > width:
                break
            stop += 1
        ranks2[order[start:stop]] = start + 1 + stop  # ranks start+1 .. stop, averaged, x2
        start = stop
    total2 = int(ranks2.sum())
    t2 = int(ranks2[sign > 0].sum())
    if n <= _EXACT_SIGNED_RANK_MAX_N:
        # counts[s]: how many of the 2^n sign patterns give a doubled R+ of s (at most
        # C(50, 25) < 2^53, so the counts and the p-values below are exact)
        counts = np.zeros(total2 + 1, dtype=np.int64)
        counts[0] = 1
        for r in ranks2:
            shifted = np.zeros_like(counts)
            shifted[r:] = counts[:-r]
            counts += shifted
        p_greater = float(counts[t2:].sum()) / 2.0**n
        p_less = float(counts[: t2 + 1].sum()) / 2.0**n
    else:
        z = (t2 - total2 / 2.0) / np.sqrt(float((ranks2.astype(float) ** 2).sum()) / 4.0)
        p_greater, p_less = float(stats.norm.sf(z)), float(stats.norm.cdf(z))
    p = {
        "greater": p_greater,
        "less": p_less,
        "two-sided": 2.0 * min(p_greater, p_less),
    }[alternative]
    return {
        "r_plus": t2 / 2.0,
        "r_minus": (total2 - t2) / 2.0,
        "n": n,
        "p_value": min(p, 1.0),
    }


def _check_differences(differences: Any, scale: Any) -> tuple[np.ndarray, np.ndarray | None]:
    d = np.asarray(differences, dtype=float).ravel()
    if not np.isfinite(d).all():
        raise ValueError("The differences contain NaN or inf; check the scores.")
    if scale is None:
        return d, None
    scale = np.asarray(scale, dtype=float)
    if scale.ndim > 1 or (scale.ndim == 1 and scale.size != d.size):
        raise ValueError(
            f"scale must be one number or one per difference ({d.size}), got shape {scale.shape}."
        )
    if not (np.isfinite(scale) & (scale >= 0)).all():
        raise ValueError(f"scale must hold finite numbers >= 0, got {scale.tolist()!r}.")
    return d, scale


def wilcoxon_test(differences: Any, *, scale: Any = None) -> dict[str, float]:
    """Two-sided Wilcoxon signed-rank test of paired differences across datasets.

    Across datasets the scores of two designs are not commensurable (an accuracy point on
    one dataset is not one on another), so the test uses only the signs and the ranks of
    the differences (Demšar, 2006). Zero differences (tied datasets) are dropped first
    (Wilcoxon's treatment); the ``n`` others are ranked by magnitude, tied magnitudes sharing
    the average rank. The p-value is the exact one of the signed-rank statistic conditional on
    those ranks -- twice the share of the ``2^n`` equally likely sign patterns whose rank sum of
    the positive differences is at least as extreme, on the observed side, as the observed one
    (at most 1) -- for ``n <= 50``, ties or not; above that it is the normal approximation with
    the tied ranks' variance and no continuity correction. It does not depend on the scipy
    version. With ``n`` non-zero differences the smallest p-value there is, ``2 / 2^n``, which
    is above 0.05 for ``n <= 5``.

    Parameters
    ----------
    differences : array-like of shape (n,)
        Per-dataset paired differences.
    scale : float or array-like of shape (n,), default=None
        The magnitude of the scores each difference comes from (one for all, or one per
        difference): a difference within ``1e-12`` of it is 0, and magnitudes within
        ``1e-12`` of it of each other are tied, as floating-point rounding leaves them.
        None uses the largest absolute difference.

    Returns
    -------
    dict
        ``statistic`` (the smaller of the signed-rank sums), ``p_value``, ``n`` (non-zero
        differences), ``r_plus`` and ``r_minus`` (the rank sums of the positive and the
        negative differences: the larger one says which side the test favours). Every
        difference zero: ``p_value=1.0``.

    Examples
    --------
    >>> wilcoxon_test([0.1, 0.2, 0.3, -0.05, 0.15])
    {'statistic': 1.0, 'p_value': 0.125, 'n': 5, 'r_plus': 14.0, 'r_minus': 1.0}

    Tied datasets leave fewer differences to rank; five wins out of five are ``p=2/32``:

    >>> wilcoxon_test([0.01, 0.02, 0.03, 0.04, 0.05] + [0.0] * 9)["p_value"]
    0.0625
    """
    d, scale = _check_differences(differences, scale)
    if scale is None:
        scale = float(np.abs(d).max(initial=0.0))
    res = _signed_rank(d, scale, "two-sided")
    if res["n"] == 0:
        return {"statistic": 0.0, "p_value": 1.0, "n": 0, "r_plus": 0.0, "r_minus": 0.0}
    return {
        "statistic": min(res["r_plus"], res["r_minus"]),
        "p_value": res["p_value"],
        "n": res["n"],
        "r_plus": res["r_plus"],
        "r_minus": res["r_minus"],
    }


def wilcoxon_equivalence_test(
    differences: Any, margin: float, *, scale: Any = None
) -> dict[str, float]:
    """Two one-sided Wilcoxon signed-rank tests (TOST) of ``-margin < effect < margin``.

    The across-datasets counterpart of :func:`equivalence_test`: the per-dataset paired
    differences ``d`` (one per dataset, as in :func:`wilcoxon_test`) are shifted by the
    margin and tested one-sidedly, ``p_lower`` by the signed-rank test of ``d + margin``
    with the alternative "greater than 0" (the effect is above ``-margin``) and ``p_upper``
    of ``d - margin`` with "less than 0" (below ``margin``); the equivalence p-value is the
    larger of the two (Schuirmann's TOST with the signed-rank test in place of the t-test,
    Wellek, "Testing Statistical Hypotheses of Equivalence and Noninferiority", 2010). Its
    location is the pseudo-median of the differences, and it uses no more of the scale of
    the differences than the signed ranks after the shift, so one dataset's large effect
    weighs as one rank. Each side's p-value is computed as in :func:`wilcoxon_test`: exact
    for up to 50 ranked differences, ties or not, else the normal approximation.

    A difference of exactly the margin (a shifted difference of 0, also when rounding left
    it ``1e-16`` away) is no evidence that the effect lies inside the margin: it is not
    dropped but ranked as the smallest difference with the sign that speaks against
    equivalence on that side (negative in the test of ``d + margin``, positive in that of
    ``d - margin``), which can only raise that side's p-value.

    Parameters
    ----------
    differences : array-like of shape (n,)
        Per-dataset paired differences, in score units.
    margin : float
        The equivalence margin, in score units (e.g. 0.01 for one point of accuracy); > 0,
        stated before the data are seen.
    scale : float or array-like of shape (n,), default=None
        The magnitude of the scores each difference comes from, as in
        :func:`wilcoxon_test`: a shifted difference within ``1e-12`` of it is 0. None uses
        the larger of the largest absolute difference and the margin.

    Returns
    -------
    dict
        ``p_value`` (the TOST p-value), ``p_lower``, ``p_upper``, ``n`` (datasets).

    Examples
    --------
    >>> d = [0.002, -0.004, 0.001, 0.003, -0.001, 0.0, 0.004, -0.002]
    >>> round(wilcoxon_equivalence_test(d, margin=0.01)["p_value"], 4)
    0.0039
    >>> wilcoxon_equivalence_test([0.03, 0.05, 0.04, 0.02], margin=0.01)["p_value"]
    1.0
    """
    if not (np.isfinite(margin) and margin > 0):
        raise ValueError(
            f"The equivalence margin must be a finite number > 0 (in score units, e.g. "
            f"0.01), got {margin!r}."
        )
    d, scale = _check_differences(differences, scale)
    if scale is None:
        scale = max(float(np.abs(d).max(initial=0.0)), float(margin))
    p_lower = _signed_rank(d + margin, scale, "greater", zero_sign=-1)["p_value"]
    p_upper = _signed_rank(d - margin, scale, "less", zero_sign=1)["p_value"]
    return {
        "p_value": max(p_lower, p_upper),
        "p_lower": p_lower,
        "p_upper": p_upper,
        "n": int(d.size),
    }


def _hodges_lehmann(differences: Any) -> float:
    """The Hodges-Lehmann estimate of the location of ``differences``: the median of the
    Walsh averages ``(d_i + d_j) / 2``, ``i <= j``, the pseudo-median the signed-rank tests
    are about."""
    d = np.asarray(differences, dtype=float).ravel()
    i, j = np.triu_indices(d.size)
    return float(np.median((d[i] + d[j]) / 2.0))


def nemenyi_critical_difference(n_designs: int, n_datasets: int, alpha: float = 0.05) -> float:
    """Critical difference of mean ranks for the Nemenyi test (Demšar, 2006).

    ``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` with ``q_alpha`` the studentized range
    quantile (infinite degrees of freedom) over ``sqrt(2)``: two of ``k`` designs ranked on
    ``N`` datasets differ significantly when their mean ranks differ by more than ``CD``.

    Examples
    --------
    >>> round(nemenyi_critical_difference(4, 20), 3)  # q_0.05 = 2.569 for k = 4
    1.049
    """
    if n_designs < 2 or n_datasets < 1:
        raise ValueError(
            f"The critical difference needs >= 2 designs and >= 1 dataset, got "
            f"{n_designs} and {n_datasets}."
        )
    q = stats.studentized_range.ppf(1 - alpha, n_designs, np.inf) / np.sqrt(2)
    return float(q * np.sqrt(n_designs * (n_designs + 1) / (6.0 * n_datasets)))


def format_number(x: float) -> str:
    """Three decimals for everyday magnitudes, three significant digits otherwise.

    Examples
    --------
    >>> format_number(0.08312), format_number(-0.0000123), format_number(12345.0)
    ('0.083', '-1.23e-05', '1.23e+04')
    """
    if x == 0 or 0.001 <= abs(x) < 1000:
        return f"{x:.3f}"
    return f"{x:.3g}"


def format_p(p: float, alpha: float | None = None) -> str:
    """A p-value as ``p=0.123``, or ``p<0.001`` below that.

    With the test's level ``alpha``, a value that three decimals would round onto ``alpha``
    or across it gets the digits that tell its side: 0.04996 is ``p=0.04996``, not
    ``p=0.050`` beside a "significant" verdict.

    Examples
    --------
    >>> format_p(0.41), format_p(0.00002)
    ('p=0.410', 'p<0.001')
    >>> format_p(0.04996, alpha=0.05), format_p(0.05004, alpha=0.05)
    ('p=0.04996', 'p=0.05004')
    >>> format_p(0.0005, alpha=1e-4)  # a level below 0.001: no "p<0.001" beside it
    'p=0.0005'
    """
    if p < 0.001 and (alpha is None or alpha > 0.001):
        return "p<0.001"
    # three decimals, or below 0.001 (a level this small) significant digits
    spec, digits = ("g", 2) if p < 0.001 else ("f", 3)
    text = f"{p:.{digits}{spec}}"
    if alpha is not None and np.isfinite(p) and p != alpha:
        while digits < 15 and (float(text) == alpha or (float(text) < alpha) != (p < alpha)):
            digits += 1
            text = f"{p:.{digits}{spec}}"
    return f"p={text}"


def format_p_adjusted(res: dict[str, float], alpha: float | None = None) -> str:
    """``p=...``, or ``Holm p=..., raw p=...`` when the test is one of a corrected family.

    ``alpha``: the test's level, for :func:`format_p`.
    """
    if "p_adjusted" in res:
        return f"Holm {format_p(res['p_adjusted'], alpha)}, raw {format_p(res['p_value'], alpha)}"
    return format_p(res["p_value"], alpha)


def format_margin(margin: float) -> str:
    """An equivalence margin as tested: three decimals, or the digits it needs.

    Examples
    --------
    >>> format_margin(0.01), format_margin(0.0124)
    ('0.010', '0.0124')
    """
    text = format_number(margin)
    return text if float(text) == margin else f"{margin:g}"


def _degenerate(res: dict[str, float], diff_name: str, identical: str) -> str | None:
    """The verdict of a test that cannot size its uncertainty, or None when it can.

    A zero-width interval means the paired differences have zero variance (the same on
    every split): the t-test has nothing to weigh the mean against, so neither "better" nor
    "equivalent" is a finding. ``res["bound"]``, when given, is the metric's best value that
    both designs scored on every split (a ceiling no design can pass); ``res["floor"]`` its
    worst value. ``res["seed_averaged"]``: the per-split differences are averages over seeds
    whose own differences are not all 0.
    """
    if res["ci_low"] != res["ci_high"]:
        return None
    mean = res["mean"]
    if mean == 0 and res.get("seed_averaged"):
        return (
            f"cannot tell apart: {diff_name}, averaged over the seeds, is 0 on every split "
            "(the seeds' differences cancel); the paired differences have zero variance, "
            "which is no evidence of equivalence"
        )
    if mean == 0:
        if "bound" in res:
            scored = f"{format_number(res['bound'])}, the metric's bound,"
            why = "at the bound no split can show a difference"
        elif "floor" in res:
            scored = f"{format_number(res['floor'])}, the metric's worst score,"
            why = "the paired differences have zero variance"
        else:
            scored = "identically"
            why = "the paired differences have zero variance"
        return (
            f"cannot tell apart: {identical} scored {scored} on every split ({diff_name} = "
            f"0 on each); {why}, which is no evidence of equivalence"
        )
    higher = diff_name.split(" - ")[0 if mean > 0 else 1]
    averaged = ", averaged over the seeds," if res.get("seed_averaged") else ""
    return (
        f"cannot tell apart by this test: {diff_name}{averaged} = {format_number(mean)} on "
        f"every split (zero variance, so no confidence interval or p-value); {higher} "
        f"scored higher on each split{' on average' if averaged else ''}, by the same amount"
    )


def _level(confidence: float) -> str:
    """A confidence level in percent, with the digits it needs: ``95%``, ``99.9999999%``."""
    return f"{100 * confidence:.10g}%"


def _check_tost_alpha(alpha: float) -> float:
    """``alpha`` of an equivalence test: the TOST at level ``alpha`` reads the
    ``1 - 2 alpha`` interval, which is no interval for ``alpha >= 0.5``."""
    if not alpha < 0.5:
        raise ValueError(
            f"An equivalence test (TOST) at level alpha reads the 1 - 2*alpha confidence "
            f"interval, so it needs alpha < 0.5; got alpha={alpha!r}. Use a smaller alpha "
            "(0.05, say) or no equivalence margin."
        )
    return alpha


def _tost_interval(res: dict[str, float], alpha: float, ci: str) -> str:
    """The interval that decides equivalence: the TOST at level ``alpha`` holds exactly when
    the ``1 - 2 alpha`` interval (90% for 0.05) lies inside the margin, so an "equivalent"
    verdict shows that one, not the ``1 - alpha`` interval of the difference test, which
    may reach past the margin. Without the test's ``se`` and ``df``, the given ``ci``."""
    if "se" not in res or "df" not in res:
        return ci
    half = float(stats.t.ppf(1 - alpha, res["df"])) * res["se"]
    low, high = res["mean"] - half, res["mean"] + half
    level = _level(1 - 2 * alpha)
    return f"{level} CI {format_number(low)}..{format_number(high)}, inside the margin"


def _verdict(
    res: dict[str, float],
    *,
    better: tuple[str, str],
    diff_name: str,
    identical: str,
    alpha: float,
    margin: float | None,
) -> str:
    if margin is not None:
        _check_tost_alpha(alpha)
    degenerate = _degenerate(res, diff_name, identical)
    if degenerate is not None:
        return degenerate
    level = _level(1 - alpha)
    ci = f"{level} CI {format_number(res['ci_low'])}..{format_number(res['ci_high'])}"
    mean, p = res["mean"], format_p_adjusted(res, alpha)
    # The sentence names the winner; the numbers are always of ``diff_name``, stated.
    diff = f"{diff_name} = {format_number(mean)}"
    p_diff = res.get("p_adjusted", res["p_value"])
    if margin is None:
        if p_diff < alpha and mean != 0:
            winner = better[0] if mean > 0 else better[1]
            return f"{winner} by {format_number(abs(mean))} ({diff}, {ci}, {p})"
        return f"no significant difference ({diff}, {ci}, {p})"
    if "p_equivalence" not in res:
        raise ValueError("A verdict with a margin needs the TOST p-value 'p_equivalence'.")
    p_eq = res.get("p_equivalence_adjusted", res["p_equivalence"])
    eq_text = f"TOST {format_p(p_eq, alpha)}"
    if "p_equivalence_adjusted" in res:
        eq_text = f"TOST Holm {format_p(p_eq, alpha)}, raw {format_p(res['p_equivalence'], alpha)}"
    m = format_margin(margin)
    equivalent = p_eq < alpha
    if p_diff < alpha and mean != 0:
        winner = better[0] if mean > 0 else better[1]
        note = f"; smaller than the ±{m} margin, {eq_text}" if equivalent else ""
        return f"{winner} by {format_number(abs(mean))} ({diff}, {ci}, {p}{note})"
    if equivalent:
        return f"equivalent within ±{m} ({diff}, {_tost_interval(res, alpha, ci)}, {eq_text})"
    return (
        f"inconclusive: neither a difference nor equivalence within ±{m} "
        f"({diff}, {ci}, {p}, {eq_text})"
    )


def effect_verdict(
    res: dict[str, float],
    *,
    level: str,
    reference: str,
    alpha: float = 0.05,
    margin: float | None = None,
) -> str:
    """One plain-words sentence for a paired test of ``level - reference``.

    ``res`` holds ``mean``, ``ci_low``, ``ci_high`` and ``p_value`` (a
    :func:`corrected_ttest` result); ``p_adjusted`` when the test is one of a family
    (:func:`holm`): the verdict then uses it and shows both. With ``margin`` it also needs
    ``p_equivalence`` (:func:`equivalence_test`, and ``p_equivalence_adjusted`` in a
    family), and the verdict is one of "<level> better than <reference>", "<reference>
    better than <level>", "equivalent within ±margin" and "inconclusive". Without a margin
    "no significant difference" is all a non-significant test can say. Every number in
    the sentence is of ``level - reference``, named as such: the sentence may say
    "<reference> better", the interval is still of ``level - reference``.

    A zero-width interval (paired differences of zero variance: the same on every split,
    as when both designs score the metric's bound everywhere, ``res["bound"]``) gives
    "cannot tell apart": the test has no spread to weigh the mean against, so it is
    evidence neither of a difference nor of equivalence.

    Examples
    --------
    >>> res = {"mean": 0.004, "ci_low": -0.006, "ci_high": 0.014, "p_value": 0.3,
    ...        "se": 0.0036, "df": 4, "p_equivalence": 0.01}
    >>> effect_verdict(res, level="max", reference="avg", margin=0.02)
    ... # doctest: +NORMALIZE_WHITESPACE
    'equivalent within ±0.020 (max - avg = 0.004, 90% CI -0.004..0.012, inside the margin,
     TOST p=0.010)'
    >>> res = {"mean": -0.04, "ci_low": -0.07, "ci_high": -0.01, "p_value": 0.01,
    ...        "p_adjusted": 0.03}
    >>> effect_verdict(res, level="max", reference="avg")  # doctest: +NORMALIZE_WHITESPACE
    'avg better than max by 0.040 (max - avg = -0.040, 95% CI -0.070..-0.010,
     Holm p=0.030, raw p=0.010)'
    """
    return _verdict(
        res,
        better=(f"{level} better than {reference}", f"{reference} better than {level}"),
        diff_name=f"{level} - {reference}",
        identical=f"{level} and {reference}",
        alpha=alpha,
        margin=margin,
    )


def order_verdict(
    res: dict[str, float], *, alpha: float = 0.05, margin: float | None = None
) -> str:
    """One plain-words sentence for a :func:`corrected_ttest` result of decode - pool.

    The keys of ``res`` are those of :func:`effect_verdict`: with ``p_adjusted`` the verdict
    uses the Holm-adjusted p-value and shows both; with ``margin`` (and ``p_equivalence``) it
    is one of "decode_first better", "pool_first better", "equivalent within ±margin" or
    "inconclusive".

    Examples
    --------
    >>> res = {"mean": 0.083, "ci_low": 0.05, "ci_high": 0.11, "p_value": 0.002}
    >>> order_verdict(res)  # doctest: +NORMALIZE_WHITESPACE
    'decode_first better by 0.083 (decode_first - pool_first = 0.083,
     95% CI 0.050..0.110, p=0.002)'
    >>> order_verdict({"mean": 0.01, "ci_low": -0.02, "ci_high": 0.04, "p_value": 0.41})
    'no significant difference (decode_first - pool_first = 0.010, 95% CI -0.020..0.040, p=0.410)'
    >>> order_verdict({"mean": 0.03, "ci_low": 0.01, "ci_high": 0.05, "p_value": 0.018,
    ...                "p_adjusted": 0.072})  # doctest: +NORMALIZE_WHITESPACE
    'no significant difference (decode_first - pool_first = 0.030, 95% CI 0.010..0.050,
     Holm p=0.072, raw p=0.018)'
    >>> order_verdict({"mean": 0.01, "ci_low": -0.02, "ci_high": 0.04, "p_value": 0.41,
    ...                "p_equivalence": 0.3}, margin=0.01)  # doctest: +NORMALIZE_WHITESPACE
    'inconclusive: neither a difference nor equivalence within ±0.010
     (decode_first - pool_first = 0.010, 95% CI -0.020..0.040, p=0.410, TOST p=0.300)'
    >>> order_verdict({"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p_value": 1.0,
    ...                "p_equivalence": 0.0, "bound": 1.0}, margin=0.05)
    ... # doctest: +NORMALIZE_WHITESPACE
    "cannot tell apart: both orders scored 1.000, the metric's bound, on every split
     (decode_first - pool_first = 0 on each); at the bound no split can show a difference,
     which is no evidence of equivalence"
    """
    return _verdict(
        res,
        better=("decode_first better", "pool_first better"),
        diff_name="decode_first - pool_first",
        identical="both orders",
        alpha=alpha,
        margin=margin,
    )
