"""The order benchmark's stratified draw runs on any archive folder."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
bench_order = pytest.importorskip("bench_order")


@pytest.mark.parametrize("n_classes,n_rows,n", [(6, 304, 300), (4, 301, 300), (3, 90, 89)])
def test_a_draw_leaving_fewer_rows_than_classes_keeps_the_proportions(n_classes, n_rows, n):
    rng = np.random.default_rng(0)
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, n_rows - n_classes)])
    kept = bench_order.stratified_subset(y, n, seed=0)
    assert len(kept) == n and len(np.unique(kept)) == n
    full = np.bincount(y, minlength=n_classes)
    got = np.bincount(y[kept], minlength=n_classes)
    # every class within one row of its proportional share, and none lost
    assert np.all(np.abs(got - full * n / n_rows) < 1) and np.all(got > 0)
    again = bench_order.stratified_subset(y, n, seed=0)
    assert np.array_equal(kept, again)


def test_a_draw_leaving_enough_rows_out_is_scikit_learns_stratified_split():
    from sklearn.model_selection import train_test_split

    y = np.repeat(["a", "b", "c"], [50, 30, 20])
    kept = bench_order.stratified_subset(y, 60, seed=3)
    expected, _ = train_test_split(np.arange(100), train_size=60, stratify=y, random_state=3)
    assert np.array_equal(kept, expected)
