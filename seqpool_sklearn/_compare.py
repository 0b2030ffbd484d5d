"""The comparison under its earlier import path; it lives in :mod:`seqpool_sklearn.compare`."""

from .compare import ComparisonSummary, HeadComparison, compare_heads, summarize_comparisons
from .compare.common import _HEAD_PARAMS, _frame  # noqa: F401
from .compare.grid import _check_grid, _make_splits, _param_prefix  # noqa: F401

__all__ = ["ComparisonSummary", "HeadComparison", "compare_heads", "summarize_comparisons"]
