"""What the comparison's parts share: the head parameters, metric bounds, tidy frames."""

from __future__ import annotations

from decimal import Decimal
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from .._stats import _snap

_HEAD_PARAMS = ("order", "pool", "window")
_ADJUSTMENTS = ("holm", None)


_BOUNDED_METRICS = (
    "accuracy", "balanced_accuracy", "f1", "precision", "recall", "jaccard", "roc_auc",
    "average_precision", "top_k_accuracy",
)  # fmt: skip


def _metric_name(estimator, scoring) -> str | None:
    """The metric's name in words: the estimator's own score, a scorer name, or None."""
    if scoring is None:
        return "accuracy" if is_classifier(estimator) else "R²"
    return scoring if isinstance(scoring, str) else None


def _metric_and_chance(estimator, scoring, y) -> tuple[str | None, float | None]:
    """The metric's name in words and, for accuracy of a classifier, its chance level."""
    classifier = is_classifier(estimator)
    metric = _metric_name(estimator, scoring)
    if metric is None:
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
    if metric == "matthews_corrcoef":
        return (-1.0, 1.0)
    if metric in ("R²", "r2", "explained_variance") or metric.startswith("d2_"):
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


def _real(value: Any) -> Any:
    """``value`` if it is a real number (NumPy's, a 0-d array, a Fraction or Decimal; not a
    bool), else None."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()  # a 0-d array, as np.array(0.05) gives
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, Decimal)):
        return None
    return value


def _check_alpha(alpha: Any) -> float:
    """``alpha``: a real number in (0, 1)."""
    value = _real(alpha)
    if value is None:
        raise TypeError(
            f"alpha must be a number in (0, 1) (e.g. 0.05), got {type(alpha).__name__} {alpha!r}."
        )
    if not 0 < value < 1:  # NaN too
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    return float(value)


def _check_margin(margin: Any, metric: Any = None) -> float | None:
    """``equivalence_margin``: None, or a finite real number > 0 in score units.

    With the ``metric`` named, a margin as wide as the metric's whole range is refused: it
    is the mark of a margin given in points or percent (``1`` meaning one accuracy point),
    under which every difference would be "equivalent".
    """
    if margin is None:
        return None
    value = _real(margin)
    if value is None:
        raise TypeError(
            f"equivalence_margin must be a number in score units (e.g. 0.01) or None, got "
            f"{type(margin).__name__} {margin!r}."
        )
    if not (np.isfinite(float(value)) and value > 0):
        raise ValueError(
            f"equivalence_margin must be a finite number > 0 in score units (e.g. 0.01 = one "
            f"accuracy point), got {margin!r}."
        )
    bounds = _margin_spans_metric(float(value), metric)
    if bounds is not None:
        raise ValueError(
            f"equivalence_margin={margin!r} is not smaller than the whole range of "
            f"{metric} ({bounds[0]:g} to {bounds[1]:g}), so every difference would count as "
            f"equivalent. Give it in score units: 0.01 for one point of {metric}, 0.05 "
            "for five."
        )
    return float(value)


def _margin_spans_metric(margin: float, metric: Any) -> tuple[float, float] | None:
    """The metric's bounds when ``margin`` is at least its whole range (the mark of a
    margin given in points or percent), else None; None for an unbounded or unnamed one."""
    if not isinstance(metric, str):
        return None
    low, high = _metric_bounds(metric)
    if np.isfinite(low) and np.isfinite(high) and margin >= high - low:
        return low, high
    return None


def _same_per_seed(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two designs' (n_splits, n_seeds) scores agree for every seed, to rounding.

    With one seed the split's scores are what the paired test read; with several, it read
    their average over the seeds, which is 0 also where the seeds' differences cancel.
    """
    if a.ndim < 2 or a.shape[1] <= 1:
        return True
    scale = float(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)))
    return bool((_snap(a - b, scale) == 0).all())
