"""Statistics of paired cross-validation scores, and how their numbers are written.

:func:`corrected_ttest` is the corrected resampled t-test of Nadeau & Bengio (2003):
cross-validation folds share training data, so the paired differences of two designs are
not independent and a plain paired t-test is far too confident; the correction inflates the
variance by ``n_test / n_train``. :func:`order_verdict` says what such a test found in plain
words, and :func:`format_p` / :func:`format_number` are the number formats both it and the
comparison figure use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

__all__ = ["corrected_ttest", "format_number", "format_p", "order_verdict"]


def corrected_ttest(
    differences: Any, test_train_ratio: float, *, confidence: float = 0.95
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

    Returns
    -------
    dict
        ``mean``, ``ci_low``, ``ci_high``, ``t``, ``p_value``, ``df``, ``se``. When every
        difference is exactly 0 the result is ``p_value=1.0`` and a zero-width interval
        (never NaN); when they are all equal and non-zero, ``p_value=0.0``.

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
    dof = k - 1
    se = float(np.sqrt((1.0 / k + test_train_ratio) * var))
    if se == 0.0:
        # Identical differences on every split: no spread to test against. All zero is
        # "no difference at all" (the provably equivalent designs under one seed do this).
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


def format_p(p: float) -> str:
    """A p-value as ``p=0.123``, or ``p<0.001`` below that.

    Examples
    --------
    >>> format_p(0.41), format_p(0.00002)
    ('p=0.410', 'p<0.001')
    """
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def order_verdict(res: dict[str, float], *, alpha: float = 0.05) -> str:
    """One plain-words sentence for a :func:`corrected_ttest` result of decode - pool.

    Examples
    --------
    >>> order_verdict({"mean": 0.083, "ci_low": 0.05, "ci_high": 0.11, "p_value": 0.002})
    'decode_first better by 0.083 (95% CI 0.050..0.110, p=0.002)'
    >>> order_verdict({"mean": 0.01, "ci_low": -0.02, "ci_high": 0.04, "p_value": 0.41})
    'no significant difference (decode_first - pool_first = 0.010, 95% CI -0.020..0.040, p=0.410)'
    """
    level = f"{100 * (1 - alpha):g}%"
    ci = f"{level} CI {format_number(res['ci_low'])}..{format_number(res['ci_high'])}"
    mean, p = res["mean"], format_p(res["p_value"])
    if mean == 0 and res["ci_low"] == res["ci_high"] == 0:
        return f"no difference: both orders scored identically on every split ({p})"
    if res["p_value"] < alpha and mean != 0:
        winner = "decode_first" if mean > 0 else "pool_first"
        return f"{winner} better by {format_number(abs(mean))} ({ci}, {p})"
    diff = format_number(mean)
    return f"no significant difference (decode_first - pool_first = {diff}, {ci}, {p})"
