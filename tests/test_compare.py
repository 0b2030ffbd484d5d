"""Tests of compare_heads and its result: statistics against hand computations, the tidy
table, identical splits for every design, ranks, the plot, and the error messages.

Most tests use ``FingerprintHead``, a stand-in estimator with ``order`` / ``pool`` /
``window`` parameters that trains nothing: its score is a fingerprint of the exact training
and test rows it was given, plus known offsets per design. That makes the expected numbers
exact and the tests fast; a few tests run the real SeqPool estimators on tiny data.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, RepeatedKFold, RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline

from seqpool_sklearn import (
    HeadComparison,
    SeqPoolClassifier,
    SeqPoolRegressor,
    SeriesScaler,
    compare_heads,
    make_nonlinear_steps,
)
from seqpool_sklearn._compare import summarize_comparisons
from seqpool_sklearn._stats import (
    corrected_ttest,
    equivalence_test,
    format_number,
    format_p,
    holm,
    nemenyi_critical_difference,
    order_verdict,
    wilcoxon_equivalence_test,
)
from seqpool_sklearn.compare.grid import _check_distinct_splits, _make_splits

COLUMNS = [
    "order",
    "pool",
    "window",
    "repeat",
    "fold",
    "split",
    "score",
    "fit_time",
    "n_train",
    "n_test",
]


def fingerprint(train_ids: np.ndarray, test_ids: np.ndarray) -> float:
    """A number in [0, 1) that identifies the exact (train, test) pair of row sets."""
    key = np.sort(train_ids).tobytes() + b"|" + np.sort(test_ids).tobytes()
    return int(hashlib.sha256(key).hexdigest()[:12], 16) / 16**12


class FingerprintHead(ClassifierMixin, BaseEstimator):
    """score = fingerprint(train, test) + 0.1 [pool == max] + decode bonus.

    The decode bonus is ``shift + spread * (fingerprint - 0.5)`` for ``decode_first`` and 0
    for ``pool_first``; X[:, 0, 0] holds the row id.
    """

    def __init__(self, order="pool_first", pool="avg", window=None, shift=0.0, spread=0.0):
        self.order = order
        self.pool = pool
        self.window = window
        self.shift = shift
        self.spread = spread

    def fit(self, X, y):
        self.train_ids_ = np.asarray(X)[:, 0, 0].astype(np.int64)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        fp = fingerprint(self.train_ids_, np.asarray(X)[:, 0, 0].astype(np.int64))
        bonus = self.shift + self.spread * (fp - 0.5) if self.order == "decode_first" else 0.0
        return fp + 0.1 * (self.pool == "max") + bonus


def id_data(n=30, n_timesteps=4):
    X = np.zeros((n, 1, n_timesteps))
    X[:, 0, 0] = np.arange(n)
    y = np.arange(n) % 2
    return X, y


# --------------------------------------------------------------------------- statistics
def test_corrected_ttest_matches_hand_computation():
    d = [0.02, 0.05, -0.01, 0.04, 0.03]
    # By hand: mean 0.13 / 5; squared deviations 36e-6, 576e-6, 1296e-6, 196e-6, 16e-6
    # sum to 2120e-6, so s2 = 530e-6; se = sqrt((1/5 + 1/4) * s2).
    mean, s2 = 0.026, 530e-6
    se = math.sqrt((1 / 5 + 1 / 4) * s2)
    t = mean / se
    res = corrected_ttest(d, test_train_ratio=0.25)
    assert res["mean"] == pytest.approx(mean)
    assert res["se"] == pytest.approx(se)
    assert res["t"] == pytest.approx(t) == pytest.approx(1.68356, abs=1e-5)
    assert res["df"] == 4
    assert res["p_value"] == pytest.approx(2 * stats.t.sf(t, 4))
    half = stats.t.ppf(0.975, 4) * se
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((mean - half, mean + half))
    # The correction makes the test less confident than the naive paired t-test.
    assert res["p_value"] > stats.ttest_1samp(d, 0.0).pvalue
    # ... and with test_train_ratio=0 it is exactly the naive test.
    naive = corrected_ttest(d, test_train_ratio=0.0)
    assert naive["p_value"] == pytest.approx(stats.ttest_1samp(d, 0.0).pvalue)


def test_corrected_ttest_confidence_level():
    d = [0.1, 0.3, 0.2, 0.25]
    wide = corrected_ttest(d, 0.5, confidence=0.99)
    narrow = corrected_ttest(d, 0.5, confidence=0.8)
    assert wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]


def test_zero_differences_give_p_one_and_zero_width_interval():
    res = corrected_ttest([0.0, 0.0, 0.0, 0.0], test_train_ratio=0.25)
    assert res["p_value"] == 1.0
    assert res["mean"] == res["ci_low"] == res["ci_high"] == res["t"] == 0.0
    assert not any(math.isnan(v) for v in res.values())
    assert order_verdict(res).startswith("cannot tell apart: both orders scored identically")


def test_constant_nonzero_differences_are_no_test_result():
    res = corrected_ttest([0.5, 0.5, 0.5], test_train_ratio=0.25)
    assert res["p_value"] == 0.0 and res["ci_low"] == res["ci_high"] == 0.5
    verdict = order_verdict(res)
    assert verdict.startswith("cannot tell apart by this test: decode_first - pool_first = 0.500")
    assert "CI" not in verdict and "p<" not in verdict


@pytest.mark.parametrize(
    "d, ratio, match",
    [
        ([0.1], 0.2, "at least 2"),
        ([0.1, np.nan], 0.2, "NaN"),
        ([0.1, 0.2], -1.0, "test_train_ratio"),
    ],
)
def test_corrected_ttest_rejects_bad_input(d, ratio, match):
    with pytest.raises(ValueError, match=match):
        corrected_ttest(d, ratio)


def test_verdicts_in_plain_words():
    better = {"mean": 0.083, "ci_low": 0.05, "ci_high": 0.11, "p_value": 0.002}
    assert order_verdict(better) == (
        "decode_first better by 0.083 (decode_first - pool_first = 0.083, 95% CI 0.050..0.110, "
        "p=0.002)"
    )
    worse = {"mean": -0.2, "ci_low": -0.3, "ci_high": -0.1, "p_value": 0.0001}
    assert order_verdict(worse) == (
        "pool_first better by 0.200 (decode_first - pool_first = -0.200, "
        "95% CI -0.300..-0.100, p<0.001)"
    )
    unsure = {"mean": 0.01, "ci_low": -0.02, "ci_high": 0.04, "p_value": 0.41}
    assert order_verdict(unsure).startswith("no significant difference")
    assert "p=0.410" in order_verdict(unsure)
    assert "90% CI" in order_verdict(unsure, alpha=0.1)


# --------------------------------------------------------------------------- compare_heads
def test_tidy_frame_and_identical_splits():
    X, y = id_data()
    X_before = X.copy()
    result = compare_heads(
        FingerprintHead(),
        X,
        y,
        pools=["avg", "max"],
        windows=[None, 3],
        cv=3,
        n_repeats=2,
        random_state=0,
    )
    frame = result.results
    assert isinstance(result, HeadComparison)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 2 * 2 * 2 * 6  # orders x pools x windows x splits
    assert frame.groupby(["order", "pool"]).size().eq(12).all()
    assert set(frame["window"]) == {None, 3}
    assert sorted(set(frame["repeat"])) == [0, 1] and sorted(set(frame["fold"])) == [0, 1, 2]
    assert (frame["n_train"] + frame["n_test"]).eq(30).all()
    assert (frame["fit_time"] >= 0).all()
    np.testing.assert_array_equal(X, X_before)

    # Identical splits: after removing the known per-design offsets, every design has the
    # same score -- the fingerprint of its rows -- on a given split, and splits differ.
    plain = frame["score"] - 0.1 * frame["pool"].eq("max")
    per_split = plain.groupby(frame["split"]).agg(["min", "max"])
    np.testing.assert_allclose(per_split["min"], per_split["max"], rtol=0, atol=1e-12)
    assert per_split["min"].nunique() == 6
    for j, (train, test) in enumerate(result.splits):
        assert plain[frame["split"].eq(j)].iloc[0] == pytest.approx(fingerprint(train, test))
    # Within a repeat the test folds partition the samples.
    for r in (0, 1):
        tests = [te for j, (_, te) in enumerate(result.splits) if j // 3 == r]
        np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(30))


def test_summary_means_and_ranks():
    X, y = id_data()
    result = compare_heads(
        FingerprintHead(shift=0.2), X, y, pools=["avg", "max"], windows=[None, 3], cv=3
    )
    summary = result.summary()
    assert list(summary.columns) == [
        "order",
        "pool",
        "window",
        "mean_score",
        "std_score",
        "mean_fit_time",
        "n_splits",
        "rank",
    ]
    assert len(summary) == 8 and summary["n_splits"].eq(3).all()
    # decode+max > decode+avg > pool+max > pool+avg; the two windows tie and share a rank.
    assert summary["rank"].tolist() == [1, 1, 3, 3, 5, 5, 7, 7]
    assert summary["order"].tolist()[:4] == ["decode_first"] * 4
    assert summary["pool"].tolist()[::2] == ["max", "avg", "max", "avg"]
    frame = result.results
    rows = frame[frame["order"].eq("pool_first") & frame["pool"].eq("avg")]
    rows = rows[rows["window"].isna()]
    last = summary.iloc[-1] if summary.iloc[-1]["window"] is None else summary.iloc[-2]
    assert last["mean_score"] == pytest.approx(rows["score"].mean())
    assert last["std_score"] == pytest.approx(rows["score"].std(ddof=1))


def test_order_effect_matches_hand_computation():
    X, y = id_data(n=40)
    result = compare_heads(
        FingerprintHead(shift=0.05, spread=0.4),
        X,
        y,
        pools=["avg", "max"],
        cv=4,
        n_repeats=2,
        random_state=1,
    )
    effect = result.order_effect(adjust=None)
    assert effect["pool"].tolist() == ["avg", "max"]
    frame = result.results
    for _, row in effect.iterrows():
        cell = frame[frame["pool"].eq(row["pool"])]
        first = cell[cell["order"].eq("pool_first")].sort_values("split")["score"].to_numpy()
        second = cell[cell["order"].eq("decode_first")].sort_values("split")["score"].to_numpy()
        d = [b - a for a, b in zip(first, second, strict=True)]
        k = len(d)
        mean = sum(d) / k
        s2 = sum((x - mean) ** 2 for x in d) / (k - 1)
        ratio = cell["n_test"].mean() / cell["n_train"].mean()  # 10 / 30
        assert ratio == pytest.approx(1 / 3)
        se = math.sqrt((1 / k + ratio) * s2)
        t = mean / se
        assert row["n_splits"] == k == 8
        assert row["mean_diff"] == pytest.approx(mean)
        assert row["t"] == pytest.approx(t)
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), k - 1))
        half = stats.t.ppf(0.975, k - 1) * se
        assert row["ci_low"] == pytest.approx(mean - half)
        assert row["ci_high"] == pytest.approx(mean + half)
        assert row["mean_decode_first"] - row["mean_pool_first"] == pytest.approx(mean)
        assert row["verdict"] == order_verdict(
            {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "p_value": row["p_value"]}
        )
        assert row["p_adjusted"] == row["p_value"]  # adjust=None: every cell on its own
    # By default the two cells are one Holm family, and the verdicts use the adjusted value.
    holm_effect = result.order_effect()
    p = effect["p_value"].to_numpy()
    lo, hi = np.argmin(p), np.argmax(p)
    expected = np.empty(2)
    expected[lo] = min(1.0, 2 * p[lo])
    expected[hi] = max(expected[lo], p[hi])
    np.testing.assert_allclose(holm_effect["p_adjusted"], expected)
    np.testing.assert_allclose(holm_effect["p_value"], p)
    for (_, row), (_, raw) in zip(holm_effect.iterrows(), effect.iterrows(), strict=True):
        res = {k: raw[k] for k in ("mean_diff", "ci_low", "ci_high", "p_value")}
        res["mean"] = res.pop("mean_diff")
        res["p_adjusted"] = row["p_adjusted"]
        assert row["verdict"] == order_verdict(res)
        assert f"Holm p={row['p_adjusted']:.3f}" in row["verdict"]


def test_identical_orders_give_no_test_through_compare_heads():
    X, y = id_data()
    effect = compare_heads(FingerprintHead(), X, y, cv=3).order_effect()
    # no spread, no test: the table has no p-value, where the t-test's placeholder is 1
    assert effect[["t", "p_value", "p_adjusted"]].isna().all(axis=None)
    assert effect["mean_diff"].tolist() == [0.0]
    assert effect["ci_low"].tolist() == effect["ci_high"].tolist() == [0.0]
    assert effect["verdict"][0].startswith("cannot tell apart")


def test_a_clear_effect_is_named():
    X, y = id_data()
    effect = compare_heads(FingerprintHead(shift=-0.3, spread=0.01), X, y, cv=5).order_effect()
    assert effect["mean_diff"][0] == pytest.approx(-0.3, abs=0.005)
    assert effect["verdict"][0].startswith(f"pool_first better by {-effect['mean_diff'][0]:.3f}")
    assert effect["p_value"][0] < 1e-6


def test_order_effect_needs_both_orders():
    X, y = id_data()
    result = compare_heads(FingerprintHead(), X, y, orders=["decode_first"], cv=3)
    assert set(result.results["order"]) == {"decode_first"}
    with pytest.raises(ValueError, match="needs both orders"):
        result.order_effect()


def test_repeats_that_would_copy_a_partition_are_redrawn_or_refused():
    # a repeat on the same partition scores the same again; counted as a new split it
    # narrowed the interval and the p-value with no new evidence
    X, y = id_data(n=36)
    groups = np.repeat(np.arange(6), 6)
    result = compare_heads(FingerprintHead(), X, y, groups=groups, cv=3, n_repeats=3)
    partitions = {
        frozenset(frozenset(te.tolist()) for _, te in result.splits[i : i + 3])
        for i in range(0, 9, 3)
    }
    assert len(result.splits) == 9 and len(partitions) == 3
    three = np.repeat(np.arange(3), 12)  # 3 groups in 3 folds: one partition only
    with pytest.raises(
        ValueError, match=r"3 groups that share no fold, but \d+ shuffles gave only 1.*n_repeats=1,"
    ):
        compare_heads(FingerprintHead(), X, y, groups=three, cv=3, n_repeats=2)
    # without groups: 4 samples of 2 classes in 2 stratified folds have 2 partitions
    X4, y4 = id_data(n=4)
    with pytest.raises(
        ValueError, match=r"4 samples that share no fold, but \d+ shuffles gave only 2.*fewer\.$"
    ):
        compare_heads(FingerprintHead(), X4, y4, cv=2, n_repeats=5, random_state=0)
    # 8 samples in 2 stratified folds have 18: a coinciding draw is drawn again, on every
    # seed, where the five first draws repeat one for half of the seeds
    X8, y8 = id_data(n=8)
    for seed in range(20):
        result = compare_heads(FingerprintHead(), X8, y8, cv=2, n_repeats=5, random_state=seed)
        tests = [frozenset(te.tolist()) for _, te in result.splits]
        assert len({frozenset(tests[i : i + 2]) for i in range(0, 10, 2)}) == 5
    # with 3 folds two partitions can share a fold: that split would be scored twice, so
    # such a repeat is drawn again too (12 samples of 2 classes: shared folds are common)
    X12, y12 = id_data(n=12)
    for seed in range(20):
        result = compare_heads(FingerprintHead(), X12, y12, cv=3, n_repeats=4, random_state=seed)
        tests = [frozenset(te.tolist()) for _, te in result.splits]
        assert len(tests) == 12 and len(set(tests)) == 12


def test_groups_never_straddle_train_and_test():
    X, y = id_data(n=36)
    groups = np.repeat(np.arange(9), 4)
    result = compare_heads(FingerprintHead(), X, y, groups=groups, cv=3, n_repeats=2)
    assert len(result.splits) == 6
    for train, test in result.splits:
        assert not set(groups[train]) & set(groups[test])
    # A user-given splitter is called once, with the groups.
    result = compare_heads(FingerprintHead(), X, y, groups=groups, cv=GroupKFold(3))
    assert result.results["repeat"].eq(0).all() and sorted(set(result.results["fold"])) == [0, 1, 2]
    # one that ignores them (KFold) would put a group on both sides: refused, not leaked
    shuffled = KFold(3, shuffle=True, random_state=0)
    with pytest.raises(ValueError, match=r"split 0 of cv=KFold\(.*\) puts \d+ groups? \("):
        compare_heads(FingerprintHead(), X, y, groups=groups, cv=shuffled)
    with pytest.raises(ValueError, match="groups has 35 labels for 36 samples"):
        compare_heads(FingerprintHead(), X, y, groups=groups[:-1], cv=shuffled)
    pairs = list(shuffled.split(X))  # index pairs: checked here, not by a splitter
    with pytest.raises(ValueError, match="puts \\d+ groups? \\("):
        compare_heads(FingerprintHead(), X, y, groups=groups, cv=pairs)
    with pytest.raises(ValueError, match="groups has 35 labels for 36 samples"):
        compare_heads(FingerprintHead(), X, y, groups=groups[:-1], cv=pairs)
    # unshuffled KFold cuts blocks of whole groups here, which keeps them apart: allowed
    assert len(compare_heads(FingerprintHead(), X, y, groups=groups, cv=KFold(3)).splits) == 3


def test_groups_are_checked_before_any_splitter_sees_them():
    # a splitter used them first: scikit-learn's "inconsistent numbers of samples:
    # [40, 40, 30]", numpy's "'<' not supported between 'str' and 'NoneType'", or every
    # NaN label put into one group of its own
    X, y = id_data(n=40)
    text = np.array([f"g{i % 10}" for i in range(40)], dtype=object)
    before = text.copy()
    with_none = text.copy()
    with_none[[5, 17]] = None
    numbers = np.where(np.arange(40) % 7 == 3, np.nan, np.arange(40) % 10)
    cases = [
        (np.arange(30), r"groups has 30 labels for 40 samples; pass one group label per "
                        r"sample \(shape \(40,\)\)"),
        (np.arange(40).reshape(20, 2), r"groups must be 1D, one group label per sample: "
                                       r"shape \(40,\); got shape \(20, 2\)"),
        (with_none, r"groups has 2 missing labels \(None or NaN; the first, None, at "
                    r"position 5\): every sample needs a group"),
        (numbers, r"groups has 6 missing labels \(None or NaN; the first, nan, at position 3"),
        (list(with_none), "groups has 2 missing labels"),
        (pd.Series(numbers), "groups has 6 missing labels"),
    ]  # fmt: skip
    for cv in (2, GroupKFold(2)):
        for groups, match in cases:
            with pytest.raises(ValueError, match=match):
                compare_heads(FingerprintHead(), X, y, groups=groups, cv=cv)
    result = compare_heads(FingerprintHead(), X, y, groups=text, cv=2)
    assert len(result.splits) == 2
    np.testing.assert_array_equal(text, before)  # the caller's labels are not changed


def test_repeated_splitter_gets_repeat_and_fold_numbers():
    X, y = id_data(n=20)
    cv = RepeatedKFold(n_splits=2, n_repeats=3, random_state=0)
    frame = compare_heads(FingerprintHead(), X, y, cv=cv).results
    assert frame["repeat"].tolist()[:6] == [0, 0, 1, 1, 2, 2]
    assert frame["fold"].tolist()[:6] == [0, 1, 0, 1, 0, 1]


def test_progress_callback_and_bar(capsys):
    X, y = id_data()
    calls = []
    compare_heads(
        FingerprintHead(), X, y, pools=["avg", "max"], cv=3, progress=lambda *a: calls.append(a)
    )
    assert calls and calls[-1] == (12, 12)
    assert all(total == 12 for _, total in calls)
    compare_heads(FingerprintHead(), X, y, cv=3, progress=True)
    assert "6/6" in capsys.readouterr().err


def test_parallel_backends_give_the_same_results():
    X, y = id_data()
    kwargs = {"pools": ["avg", "max"], "cv": 3, "n_repeats": 2, "random_state": 0}
    serial = compare_heads(FingerprintHead(shift=0.1, spread=0.2), X, y, **kwargs).results
    with joblib.parallel_backend("threading"):
        threaded = compare_heads(
            FingerprintHead(shift=0.1, spread=0.2), X, y, n_jobs=2, **kwargs
        ).results
    np.testing.assert_array_equal(serial["score"], threaded["score"])


def test_dask_backend():
    distributed = pytest.importorskip("distributed")
    X, y = id_data()
    kwargs = {"cv": 3, "random_state": 0}
    serial = compare_heads(FingerprintHead(shift=0.1, spread=0.2), X, y, **kwargs).results
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        calls = []
        result = compare_heads(
            FingerprintHead(shift=0.1, spread=0.2),
            X,
            y,
            progress=lambda *a: calls.append(a),
            **kwargs,
        )
    np.testing.assert_array_equal(serial["score"], result.results["score"])
    assert calls[-1] == (6, 6)


# --------------------------------------------------------------------------- real estimators
def test_pipeline_with_a_real_classifier():
    X, y = make_nonlinear_steps(n_samples=24, n_timesteps=8, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    pipe = make_pipeline(SeriesScaler(), clf)
    result = compare_heads(pipe, X, y, pools=["avg", "max"], windows=[None, 4], cv=2)
    assert len(result.results) == 16
    assert result.results["score"].between(0, 1).all()
    assert result.cv_results["params"][0] == {
        "estimator__seqpoolclassifier__order": "pool_first",
        "estimator__seqpoolclassifier__pool": "avg",
        "estimator__seqpoolclassifier__window": None,
    }
    assert clf.order == "pool_first" and not hasattr(clf, "net_")  # never modified
    explicit = compare_heads(pipe, X, y, cv=2, param_prefix="seqpoolclassifier")
    assert len(explicit.results) == 4


def test_regressor_with_scoring_and_kfold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 1, 6)).astype("float32")
    y = X.mean(axis=(1, 2))
    reg = SeqPoolRegressor(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    result = compare_heads(reg, X, y, cv=KFold(3), scoring="neg_mean_absolute_error")
    assert result.scoring == "neg_mean_absolute_error"
    assert (result.results["score"] <= 0).all()
    assert len(result.order_effect()) == 1


# --------------------------------------------------------------------------- plot
def test_plot_is_a_non_empty_png(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = id_data()
    result = compare_heads(
        FingerprintHead(shift=0.1, spread=0.2), X, y, pools=["avg", "max"], windows=[None, 2], cv=3
    )
    fig = result.plot()
    assert len(fig.axes) == 2
    assert fig.axes[1].get_title() == "order effect"
    path = tmp_path / "compare.png"
    fig.savefig(path)
    plt.close(fig)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    single = compare_heads(FingerprintHead(), X, y, orders=["pool_first"], cv=3).plot()
    assert len(single.axes) == 1  # no order-effect panel with a single order
    plt.close(single)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"orders": ["poolfirst"]}, ValueError, "Did you mean 'pool_first'"),
        ({"pools": ["mean"]}, ValueError, "pools must contain values from"),
        ({"windows": [0]}, ValueError, "windows must contain None or integers >= 1"),
        ({"windows": [2, 2]}, ValueError, "must not repeat"),
        ({"cv": 1}, ValueError, "at least 2 folds"),
        ({"cv": KFold(3), "n_repeats": 2}, ValueError, "n_repeats=2 only applies"),
        ({"cv": [(np.arange(20), np.arange(20, 30))]}, ValueError, "at least 2 splits"),
        ({"cv": "five"}, TypeError, "cv must be an integer"),
        ({"n_repeats": 0}, ValueError, "n_repeats must be an integer >= 1"),
        ({"scoring": ["accuracy", "f1"]}, ValueError, "one metric"),
        ({"scoring": "acuracy"}, ValueError, "Did you mean 'accuracy'"),
        ({"progress": "yes"}, TypeError, "progress must be"),
        ({"faithfulness": "yes"}, TypeError, "faithfulness must be True or False, got 'yes'"),
        ({"param_prefix": "clf"}, ValueError, "has no parameter 'clf__order'"),
        # named by compare_heads, not by the GridSearchCV it builds, nor by joblib
        ({"n_jobs": 0}, ValueError, "n_jobs must be a nonzero integer"),
        ({"n_jobs": 1.5}, TypeError, "n_jobs must be an integer or None, got 1.5"),
        ({"n_jobs": "two"}, TypeError, "n_jobs must be an integer or None"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, y = id_data()
    with pytest.raises(error, match=match):
        compare_heads(FingerprintHead(), X, y, **kwargs)


def test_estimator_without_head_parameters():
    X, y = id_data()
    with pytest.raises(ValueError, match="no order / pool / window parameters"):
        compare_heads(LogisticRegression(), X[:, 0], y)
    with pytest.raises(TypeError, match="must be a scikit-learn estimator"):
        compare_heads(object(), X, y)


# --------------------------------------------------------------------------- issue: verdicts
class SeededHead(FingerprintHead):
    """FingerprintHead with a seed: ``decode_first`` gains ``jitter * sin(seed + 1)`` and,
    with max pooling, ``max_bonus`` more."""

    def __init__(
        self,
        order="pool_first",
        pool="avg",
        window=None,
        shift=0.0,
        spread=0.0,
        jitter=0.0,
        max_bonus=0.0,
        random_state=None,
    ):
        super().__init__(order=order, pool=pool, window=window, shift=shift, spread=spread)
        self.jitter = jitter
        self.max_bonus = max_bonus
        self.random_state = random_state

    def score(self, X, y):
        extra = 0.0
        if self.order == "decode_first":
            extra = self.jitter * math.sin(self.random_state + 1) if self.jitter else 0.0
            extra += self.max_bonus * (self.pool == "max")
        return super().score(X, y) + extra


def _split_diffs(frame, level, reference, column="order", **where):
    """Paired differences level - reference per (split, seed), averaged over seeds."""
    for key, value in where.items():
        frame = frame[frame[key].isna()] if value is None else frame[frame[key].eq(value)]
    keys = ["split", "seed"] if "seed" in frame else ["split"]

    def pick(value):
        return frame[frame[column].isna() if value is None else frame[column].eq(value)]

    a = pick(level).groupby(keys)["score"].mean()
    b = pick(reference).groupby(keys)["score"].mean()
    return (a - b).groupby(level="split").mean().to_numpy()


def test_equivalence_through_compare_heads():
    X, y = id_data(n=40)
    result = compare_heads(
        FingerprintHead(shift=0.001, spread=0.004),
        X,
        y,
        pools=["avg", "max"],
        cv=4,
        n_repeats=2,
        random_state=0,
        equivalence_margin=0.02,
    )
    assert result.equivalence_margin == 0.02
    effect = result.order_effect()
    ratio = result.test_train_ratio
    raw = []
    for _, row in effect.iterrows():
        d = _split_diffs(result.results, "decode_first", "pool_first", pool=row["pool"])
        raw.append(equivalence_test(d, ratio, 0.02)["p_value"])
        assert row["mean_diff"] == pytest.approx(d.mean())
    # raw and Holm-adjusted, as p_value and p_adjusted (and as the table across datasets);
    # the plain column is the adjusted one, as it always was here
    np.testing.assert_allclose(effect["p_equivalence_raw"], raw)
    np.testing.assert_allclose(effect["p_equivalence_adjusted"], holm(raw))  # family of two
    np.testing.assert_array_equal(effect["p_equivalence"], effect["p_equivalence_adjusted"])
    assert all(v.startswith("equivalent within ±0.020") for v in effect["verdict"])
    # A margin far below the noise cannot show equivalence: inconclusive, never "equivalent".
    tight = result.order_effect(equivalence_margin=0.0001)
    assert all(v.startswith("inconclusive") for v in tight["verdict"])
    # Without a margin the old wording, and no equivalence column.
    plain = compare_heads(
        FingerprintHead(shift=0.001, spread=0.004), X, y, cv=4, random_state=0
    ).order_effect()
    assert "p_equivalence" not in plain
    assert not plain["verdict"][0].startswith(("equivalent", "inconclusive"))
    with pytest.raises(ValueError, match="equivalence_margin must be a finite number > 0"):
        result.order_effect(equivalence_margin=-1)
    with pytest.raises(ValueError, match="adjust must be"):
        result.order_effect(adjust="bonferroni")
    for call in (result.order_effect, result.report, result.main_effect):
        args = ("pool",) if call == result.main_effect else ()
        with pytest.raises(TypeError, match=r"alpha must be a number in \(0, 1\).*got str 'x'"):
            call(*args, alpha="x")  # once a bare TypeError comparing int and str
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\), got nan"):
        result.order_effect(alpha=float("nan"))
    with pytest.raises(TypeError, match=r"alpha must be a number .*got bool True"):
        result.order_effect(alpha=True)
    # every real number is an alpha: a Fraction, a Decimal, a 0-d array
    from decimal import Decimal
    from fractions import Fraction

    expected = result.order_effect(alpha=0.05)
    for alpha in (Fraction(1, 20), Decimal("0.05"), np.array(0.05)):
        pd.testing.assert_frame_equal(result.order_effect(alpha=alpha), expected)


def test_main_effects_of_pool_window_and_order():
    X, y = id_data(n=40)
    result = compare_heads(
        SeededHead(shift=0.05, spread=0.4, max_bonus=0.06, random_state=0),
        X,
        y,
        pools=["avg", "max"],
        windows=[None, 3],
        cv=4,
        random_state=2,
    )
    # Pool: max - avg = 0.1 on every split, plus max_bonus for decode_first (half the
    # cells of the marginal mean) -> 0.13 exactly, with no spread (floating-point rounding
    # is none): no test can size it.
    pool = result.main_effect("pool")
    assert pool[["factor", "level", "reference"]].values.tolist() == [["pool", "max", "avg"]]
    assert pool["mean_diff"][0] == pytest.approx(0.13)
    assert pool["ci_low"][0] == pool["ci_high"][0]
    assert pool["verdict"][0].startswith(
        "cannot tell apart by this test: max - avg = 0.130 on every split (zero variance"
    )
    assert pool["mean_level"][0] - pool["mean_reference"][0] == pytest.approx(0.13)
    # Window: no effect at all in this design.
    window = result.main_effect("window")
    assert window["level"].tolist() == [3] and window["reference"].tolist() == [None]
    assert window["verdict"][0] == (
        "cannot tell apart: window 3 and global pooling scored identically on every split "
        "(window 3 - global pooling = 0 on each); the paired differences have zero variance, "
        "which is no evidence of equivalence"
    )
    assert result.main_effect("window", reference=3)["level"].tolist() == [None]
    # Order: the marginal over pools and windows, checked against the corrected t-test.
    order = result.main_effect("order")
    d = _split_diffs(result.results, "decode_first", "pool_first")
    ref = corrected_ttest(d, result.test_train_ratio)
    assert order["mean_diff"][0] == pytest.approx(ref["mean"])
    assert order["p_value"][0] == pytest.approx(ref["p_value"])
    assert order["verdict"][0] == order_verdict(
        {**ref, "p_value": order["p_value"][0]}
    )  # one row: no family, so no adjustment
    with pytest.raises(ValueError, match="factor must be one of"):
        result.main_effect("pol")
    with pytest.raises(ValueError, match="not a level of pool"):
        result.main_effect("pool", reference="lp")


def test_main_effect_with_three_levels_is_one_holm_family():
    X, y = id_data(n=40)
    result = compare_heads(
        FingerprintHead(shift=0.02, spread=0.3),
        X,
        y,
        windows=[None, 2, 3],
        cv=4,
        n_repeats=2,
        random_state=3,
    )
    # A window-dependent effect: build a noisy one from the splits' fingerprints.
    frame = result.results.copy()
    noise = {None: 0.0, 2: 0.01, 3: -0.02}
    frame["score"] += [
        noise[w] * (1 + 3 * math.sin(s))
        for w, s in zip(frame["window"], frame["split"], strict=True)
    ]
    result.results = frame
    effect = result.main_effect("window", adjust=None)
    raw = []
    for level in (2, 3):
        d = _split_diffs(frame, level, None, column="window")
        raw.append(corrected_ttest(d, result.test_train_ratio)["p_value"])
    np.testing.assert_allclose(effect["p_value"], raw)
    np.testing.assert_allclose(result.main_effect("window")["p_adjusted"], holm(raw))


def test_seeds_are_paired_by_split_and_seed():
    X, y = id_data(n=36)
    est = SeededHead(shift=0.05, spread=0.2, jitter=0.03, random_state=5)
    result = compare_heads(est, X, y, pools=["avg", "max"], cv=3, n_seeds=3, random_state=0)
    assert result.seeds == [5, 6, 7]
    assert repr(result) == "HeadComparison(4 configurations x 3 splits x 3 seeds, scoring='score')"
    frame = result.results
    assert list(frame.columns) == [*COLUMNS, "seed"]
    assert len(frame) == 2 * 2 * 3 * 3
    seeds_per_pair = frame.groupby(["order", "pool", "split"])["seed"].apply(sorted)
    assert len(seeds_per_pair) == 12 and all(seeds == [5, 6, 7] for seeds in seeds_per_pair)
    summary = result.summary()
    assert summary["n_splits"].eq(3).all() and summary["n_seeds"].eq(3).all()
    effect = result.order_effect(adjust=None)
    assert effect["n_splits"].eq(3).all() and effect["n_seeds"].eq(3).all()
    # By hand: d[j, s] = shift + spread * (fp_j - 0.5) + jitter * sin(s + 1), averaged over
    # the seeds of each split, then the corrected t-test on the 3 split means (df = 2).
    seed_term = np.mean([0.03 * math.sin(s + 1) for s in (5, 6, 7)])
    d = np.array([0.05 + 0.2 * (fingerprint(tr, te) - 0.5) for tr, te in result.splits])
    d = d + seed_term
    ref = corrected_ttest(d, result.test_train_ratio)
    assert effect["mean_diff"][0] == pytest.approx(ref["mean"])
    assert effect["t"][0] == pytest.approx(ref["t"])
    assert effect["p_value"][0] == pytest.approx(2 * stats.t.sf(abs(ref["t"]), 2))
    np.testing.assert_allclose(
        _split_diffs(frame, "decode_first", "pool_first", pool="avg"), d, atol=1e-12
    )
    explicit = compare_heads(est, X, y, cv=3, random_states=[1, 4], random_state=0)
    assert explicit.seeds == [1, 4] and set(explicit.results["seed"]) == {1, 4}


def test_seeds_refit_the_real_estimator_under_each_seed():
    X, y = make_nonlinear_steps(n_samples=24, n_timesteps=8, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    seeded = compare_heads(clf, X, y, cv=2, random_states=[3, 8], random_state=0).results
    for seed in (3, 8):
        alone = compare_heads(clf.set_params(random_state=seed), X, y, cv=2, random_state=0)
        np.testing.assert_array_equal(
            seeded[seeded["seed"].eq(seed)]["score"].to_numpy(), alone.results["score"]
        )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_seeds": 2, "random_states": [1, 2]}, "not both"),
        ({"n_seeds": 0}, "n_seeds must be an integer >= 1"),
        ({"random_states": [1, "a"]}, "random_states must be integers"),
        ({"equivalence_margin": 0}, "equivalence_margin must be a finite number > 0"),
    ],
)
def test_bad_seed_and_margin_arguments(kwargs, match):
    X, y = id_data()
    with pytest.raises(ValueError, match=match):
        compare_heads(SeededHead(random_state=0), X, y, **kwargs)


def test_bad_estimator_prefix_and_splits_are_named():
    X, y = id_data()
    est = SeededHead(random_state=0)
    with pytest.raises(TypeError, match=r"an estimator instance, e.g. SeededHead\(\), got the"):
        compare_heads(SeededHead, X, y)
    with pytest.raises(TypeError, match="param_prefix must be the step name .* got int 5"):
        compare_heads(est, X, y, param_prefix=5)
    n = len(X)
    first, second = np.arange(n // 2), np.arange(n // 2, n)
    with pytest.raises(ValueError, match=rf"cv split 1: its test indices must lie in \[0, {n}\)"):
        compare_heads(est, X, y, cv=[(first, second), (second, np.array([n + 3]))])
    with pytest.raises(ValueError, match="cv split 0: its train indices must be a non-empty"):
        compare_heads(est, X, y, cv=[(np.array([0.5]), second), (second, first)])
    # NumPy's numbers are numbers: a float32 margin is taken
    result = compare_heads(est, X, y, cv=2, equivalence_margin=np.float32(0.1), random_state=0)
    assert result.equivalence_margin == pytest.approx(0.1)


def test_seeds_need_a_random_state_parameter():
    X, y = id_data()
    with pytest.raises(ValueError, match="has no such parameter"):
        compare_heads(FingerprintHead(), X, y, n_seeds=2)


def test_plot_uses_the_adjusted_p_values_and_shades_the_margin():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = id_data(n=40)
    result = compare_heads(
        FingerprintHead(shift=0.01, spread=0.2),
        X,
        y,
        pools=["avg", "max"],
        cv=4,
        n_repeats=2,
        random_state=0,
    )
    effect = result.order_effect()
    assert (effect["p_adjusted"] > 0.001).all()  # labels "Holm p=..." below
    fig = result.plot(equivalence_margin=0.05)
    ax = fig.axes[1]
    labels = [t.get_text() for t in ax.texts]
    assert labels == [f"Holm p={p:.3f}" for p in effect["p_adjusted"]]
    assert len(ax.patches) == 1  # the ±margin band
    band = ax.patches[0]
    assert (band.get_x(), band.get_width()) == pytest.approx((-0.05, 0.1))
    plt.close(fig)


# --------------------------------------------------------------------------- across datasets
def _datasets(shifts):
    """One FingerprintHead comparison per shift (0: an exact tie): avg, max x None, 3."""
    out = {}
    for i, shift in enumerate(shifts):
        X, y = id_data(n=24 + 3 * i)
        out[f"d{i}"] = compare_heads(
            FingerprintHead(shift=shift, spread=0.02 if shift else 0.0),
            X,
            y,
            pools=["avg", "max"],
            windows=[None, 3],
            cv=3,
            random_state=i,
        )
    return out


def test_summarize_comparisons_ranks_and_win_tie_loss():
    shifts = [0.05, 0.1, -0.02, 0.03, 0.07, 0.0]
    comparisons = _datasets(shifts)
    summary = summarize_comparisons(comparisons)
    assert repr(summary) == "ComparisonSummary(6 datasets x 8 designs)"
    scores = summary.scores
    assert len(scores) == 6 * 8
    # Ranks within a dataset: 1 = best mean score, ties share the average rank.
    for name, cmp in comparisons.items():
        part = scores[scores["dataset"].eq(name)]
        expected = cmp.summary()["mean_score"].rank(ascending=False, method="average")
        np.testing.assert_allclose(part["rank"].to_numpy(), expected.to_numpy())
    ranks = summary.ranks()
    assert ranks["n_datasets"].eq(6).all()
    assert ranks["mean_rank"].is_monotonic_increasing
    for _, row in ranks.iterrows():
        win = scores["window"].isna() if row["window"] is None else scores["window"].eq(3)
        mine = scores[scores["order"].eq(row["order"]) & scores["pool"].eq(row["pool"]) & win]
        assert row["mean_rank"] == pytest.approx(mine["rank"].mean())
    assert sum(ranks["mean_rank"]) == pytest.approx(6 * 8 * 9 / 2 / 6)

    effect = summary.order_effect(adjust=None)
    assert len(effect) == 4
    for _, row in effect.iterrows():
        d = []
        for cmp in comparisons.values():
            frame = cmp.results
            win = frame["window"].isna() if row["window"] is None else frame["window"].eq(3)
            cell = frame[frame["pool"].eq(row["pool"]) & win]
            dec = cell[cell["order"].eq("decode_first")]["score"].mean()
            poo = cell[cell["order"].eq("pool_first")]["score"].mean()
            d.append(dec - poo)
        d = np.array(d)
        assert row["decode_first_wins"] == (d > 1e-12).sum() == 4
        assert row["pool_first_wins"] == (d < -1e-12).sum() == 1
        assert row["ties"] == (d == 0).sum() == 1
        assert row["decode_first_wins"] + row["ties"] + row["pool_first_wins"] == 6
        assert row["mean_diff"] == pytest.approx(d.mean())
        ref = stats.wilcoxon(d, zero_method="wilcox")
        assert row["p_value"] == pytest.approx(ref.pvalue)
        assert row["statistic"] == pytest.approx(ref.statistic)
    holm_effect = summary.order_effect()
    np.testing.assert_allclose(holm_effect["p_adjusted"], holm(effect["p_value"]))
    assert all("Wilcoxon Holm p=" in v for v in holm_effect["verdict"])


def test_wilcoxon_across_datasets_matches_the_exact_distribution():
    # Five datasets, one losing by the smallest margin: W- = 1, W+ = 14; exactly 2 of the
    # 2^5 sign patterns give W <= 1, so p = 2 * 2/32 = 0.125.
    summary = summarize_comparisons(_datasets([0.1, 0.2, 0.3, -0.05, 0.15]))
    effect = summary.order_effect(adjust=None)
    assert effect["p_value"].tolist() == pytest.approx([0.125] * 4)
    assert effect["statistic"].tolist() == pytest.approx([1.0] * 4)
    assert all(v.startswith("no significant difference across datasets") for v in effect["verdict"])
    assert effect["verdict"][0].startswith(
        "no significant difference across datasets (decode_first higher on 4, pool_first on 1"
    )
    # Eight datasets all won by decode_first: exact p = 2 / 2^8, significant even after Holm.
    strong = summarize_comparisons(_datasets([0.1 + 0.01 * i for i in range(8)]))
    effect = strong.order_effect()
    assert effect["p_value"].tolist() == pytest.approx([2 / 256] * 4)
    assert all(v.startswith("decode_first better across datasets") for v in effect["verdict"])
    # ... and, mirrored, pool_first.
    mirrored = summarize_comparisons(_datasets([-0.1 - 0.01 * i for i in range(8)]))
    assert all(
        v.startswith("pool_first better across datasets")
        for v in mirrored.order_effect()["verdict"]
    )
    assert effect["decode_first_significant"].eq(8).all()


def _reference_tost(d, margin):
    """Two one-sided signed-rank tests, straight from scipy: the larger p-value."""
    lower = stats.wilcoxon(np.asarray(d) + margin, zero_method="wilcox", alternative="greater")
    upper = stats.wilcoxon(np.asarray(d) - margin, zero_method="wilcox", alternative="less")
    return max(lower.pvalue, upper.pvalue)


def test_wilcoxon_equivalence_test_matches_a_reference_computation():
    rng = np.random.default_rng(0)
    for d, margin in [
        (rng.normal(0.0, 0.004, 12), 0.01),
        (rng.normal(0.008, 0.01, 20), 0.01),
        (rng.normal(-0.02, 0.01, 9), 0.01),
        ([0.002, -0.004, 0.001, 0.003, -0.001, 0.0, 0.004, -0.002], 0.005),
    ]:
        res = wilcoxon_equivalence_test(d, margin)
        assert res["p_value"] == pytest.approx(_reference_tost(d, margin), abs=1e-12)
        assert res["p_value"] == max(res["p_lower"], res["p_upper"])
    # Eight differences all inside a margin of 0.01: each side's exact p is 1 / 2^8.
    res = wilcoxon_equivalence_test([0.001 * i - 0.003 for i in range(8)], 0.01)
    assert res["p_lower"] == pytest.approx(1 / 256) and res["p_upper"] == pytest.approx(1 / 256)
    # All outside on one side: that side cannot be rejected.
    assert wilcoxon_equivalence_test([0.03, 0.05, 0.04, 0.02], 0.01)["p_upper"] == 1.0
    with pytest.raises(ValueError, match="margin must be a finite number > 0"):
        wilcoxon_equivalence_test([0.1, 0.2], 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        wilcoxon_equivalence_test([0.1, np.nan], 0.01)


def test_summarize_comparisons_equivalence_verdicts():
    # Twelve datasets whose order effect is small against a 0.1 margin: equivalent.
    small = [0.01, -0.02, 0.015, 0.005, -0.01, 0.02, -0.005, 0.01, 0.0, -0.015, 0.02, 0.005]
    comparisons = _datasets(small)
    summary = summarize_comparisons(comparisons, equivalence_margin=0.1)
    assert summary.equivalence_margin == 0.1
    effect = summary.order_effect()
    plain = summarize_comparisons(comparisons).order_effect()
    assert "p_equivalence" not in plain.columns
    for _, row in effect.iterrows():
        d = []
        for cmp in comparisons.values():
            cell = cmp.order_effect()
            win = cell["window"].isna() if row["window"] is None else cell["window"].eq(3)
            one = cell[cell["pool"].eq(row["pool"]) & win].iloc[0]
            if one["ci_low"] == one["ci_high"] == 0:  # the exact tie: no spread, no test
                continue
            d.append(one["mean_decode_first"] - one["mean_pool_first"])
        assert len(d) == 11 and row["n_identical"] == 1
        assert row["p_equivalence"] == pytest.approx(_reference_tost(d, 0.1), abs=1e-12)
    np.testing.assert_allclose(effect["p_equivalence_adjusted"], holm(effect["p_equivalence"]))
    assert (effect["p_equivalence_adjusted"] < 0.05).all()
    assert all(v.startswith("equivalent within ±0.100 across datasets") for v in effect["verdict"])
    assert all("TOST Holm p" in v and ", raw p" in v for v in effect["verdict"])
    # The same data against a margin far below the effects' spread: not shown equivalent.
    tight = summary.order_effect(equivalence_margin=0.001)
    assert all(
        v.startswith("inconclusive across datasets: no significant difference, and not shown "
                     "equivalent within ±0.001")
        for v in tight["verdict"]
    )  # fmt: skip
    assert "equivalent within ±0.100" in summary.report().split("Order effect")[1]
    # A clear winner keeps its verdict with a margin, and says whether it is inside it.
    strong = summarize_comparisons(
        _datasets([0.1 + 0.01 * i for i in range(8)]), equivalence_margin=0.01
    )
    verdicts = strong.order_effect()["verdict"]
    assert all(v.startswith("decode_first better across datasets") for v in verdicts)
    assert not any("within the" in v for v in verdicts)
    with pytest.raises(ValueError, match="equivalence_margin must be a finite number > 0"):
        summarize_comparisons(comparisons, equivalence_margin=-0.01)
    with pytest.raises(TypeError, match="equivalence_margin must be a number"):
        summary.order_effect(equivalence_margin="1pt")
    for call in (summary.order_effect, summary.report, summary.plot):
        with pytest.raises(TypeError, match=r"alpha must be a number in \(0, 1\).*got str 'x'"):
            call(alpha="x")


def test_summarize_comparisons_checks_its_input():
    comparisons = _datasets([0.1, 0.2])
    with pytest.raises(ValueError, match="at least 2 datasets"):
        summarize_comparisons({"a": comparisons["d0"]})
    with pytest.raises(TypeError, match="must be a HeadComparison"):
        summarize_comparisons({"a": comparisons["d0"], "b": "not one"})
    X, y = id_data()
    other = compare_heads(FingerprintHead(), X, y, cv=3)
    with pytest.raises(ValueError, match="same designs"):
        summarize_comparisons([("a", comparisons["d0"]), ("b", other)])
    pairs = summarize_comparisons(list(comparisons.items()))
    assert list(pairs.comparisons) == ["d0", "d1"]


def test_summarize_comparisons_refuses_two_metrics_or_two_tasks():
    # an R² difference and an accuracy difference were averaged and tested as one sample
    scores = {
        ("pool_first", "avg", None): [0.8, 0.9, 0.85],
        ("decode_first", "avg", None): [0.82, 0.88, 0.9],
    }
    acc, bacc = _from_scores(scores), _from_scores(scores, metric="balanced_accuracy")
    mse = _from_scores(scores, metric="neg_mean_squared_error")
    with pytest.raises(
        ValueError,
        match="'acc' is scored by accuracy and 'mse' by neg_mean_squared_error: the tests "
        "across datasets would mix differences on two scales",
    ):
        summarize_comparisons({"acc": acc, "mse": mse, "acc2": acc}, equivalence_margin=0.01)
    with pytest.raises(ValueError, match="'acc' is scored by accuracy and 'bacc' by balanced"):
        summarize_comparisons([("acc", acc), ("bacc", bacc)])
    # one metric name, a classifier's and a regressor's: refused too
    clf, reg = _from_scores(scores, metric="score"), _from_scores(scores, metric="score")
    clf.task, reg.task = "classification", "regression"
    with pytest.raises(
        ValueError, match=r"'c' is scored by score \(classification\) and 'r' by score \(regr"
    ):
        summarize_comparisons({"c": clf, "r": reg})
    # compare_heads records the task; one metric and one task pass
    comparisons = _datasets([0.1, 0.2])
    assert {cmp.task for cmp in comparisons.values()} == {"classification"}
    assert len(summarize_comparisons(comparisons).scores) == 16
    # a regressor's own score ("R²") and scoring="r2" are one metric
    own, r2 = _from_scores(scores, metric="R²"), _from_scores(scores, metric="r2")
    assert len(summarize_comparisons({"own": own, "r2": r2}).scores) == 4


def test_a_long_metric_name_fits_the_score_axis():
    # "neg_mean_squared_error (mean ± sd over splits)" on one line ran off the top and
    # the bottom of the figure, 3.6 in high
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for metric in ("accuracy", "neg_mean_squared_error", "neg_mean_absolute_percentage_error"):
        scores = {
            (order, pool, None): [-0.2, -0.3, -0.25]
            for pool in ("avg", "max")
            for order in ("pool_first", "decode_first")
        }
        fig = _from_scores(scores, metric=metric).plot()
        fig.canvas.draw()
        label = fig.axes[0].yaxis.label
        assert label.get_text() == f"{metric}\n(mean ± sd over splits)"
        box = label.get_window_extent(fig.canvas.get_renderer())
        axes = fig.axes[0].get_window_extent()
        assert axes.y0 - 1 <= box.y0 and box.y1 <= axes.y1 + 1, (metric, box, axes)
        assert box.x0 >= 0
        plt.close(fig)


def test_critical_difference_plot(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = summarize_comparisons(_datasets([0.05, 0.1, -0.02, 0.03]))
    fig = summary.plot()
    texts = [t.get_text() for t in fig.axes[0].texts]
    cd = nemenyi_critical_difference(8, 4)
    assert f"CD = {cd:.2f}" in texts
    assert sum(" (" in t and "global" in t or "window 3" in t for t in texts) == 8
    assert "4 datasets" in fig.axes[0].get_title()
    path = tmp_path / "cd.png"
    fig.savefig(path)
    plt.close(fig)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_critical_difference_plot_keeps_its_axis_wide_with_many_long_labels():
    """24 designs with long names: the figure widens so the rank axis keeps its width
    (with a fixed 7-inch figure the labels squeezed the axis to under an inch)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seqpool_sklearn._plotting import plot_critical_difference

    labels = [f"decode_first, ppv+mpv+mipv+lspv{i}, global" for i in range(24)]
    fig = plot_critical_difference(np.linspace(2, 22, 24), labels, cd=8.1, n_datasets=20)
    ax = fig.axes[0]
    axis_inches = ax.get_position().width * fig.get_figwidth()
    plt.close(fig)
    assert axis_inches >= 0.25 * 24, axis_inches


def test_reports_print_every_verdict():
    X, y = id_data(n=40)
    result = compare_heads(
        SeededHead(shift=0.05, spread=0.4, max_bonus=0.06, random_state=0),
        X,
        y,
        pools=["avg", "max"],
        windows=[None, 3],
        cv=4,
        n_seeds=2,
        random_state=2,
    )
    text = result.report(equivalence_margin=0.01)
    blocks = text.split("\n\n")
    assert len(blocks) == 3
    assert blocks[0].startswith(
        "Order effect, decode_first - pool_first (> 0: decode_first better), paired over 4 "
        "splits x 2 seeds "
        "(corrected resampled t-test; p-values Holm-adjusted over 4 cells):"
    )
    effect = result.order_effect(equivalence_margin=0.01)
    for verdict in effect["verdict"]:
        assert verdict in blocks[0]
    assert "  max, window 3" in blocks[0]
    assert blocks[1].splitlines()[0].startswith("Pool effect, each pool - avg")
    assert result.main_effect("pool", equivalence_margin=0.01)["verdict"][0] in blocks[1]
    assert blocks[2].splitlines()[0].startswith("Window effect, each window - global")
    assert blocks[2].splitlines()[1].startswith("  window 3 ")
    single = compare_heads(FingerprintHead(), X, y, orders=["pool_first"], cv=3).report()
    assert single == "Order effect: not tested (needs both orders)."

    summary = summarize_comparisons(_datasets([0.05, 0.1, -0.02]))
    text = summary.report()
    assert text.startswith("Mean rank over 3 datasets (1 = best):")
    for verdict in summary.order_effect()["verdict"]:
        assert verdict in text


class ScoreNearOne(FingerprintHead):
    """An accuracy-like score: 1 on most splits, 0.7 on the others."""

    def score(self, X, y):
        return 1.0 if super().score(X, y) > 0.25 else 0.7


def test_plot_names_the_metric_shows_chance_and_keeps_bars_in_range():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = make_nonlinear_steps(n_samples=30, n_timesteps=8, random_state=0)
    y = np.where(np.arange(30) < 20, "a", "b")  # 2:1 classes -> majority accuracy 2/3
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    result = compare_heads(clf, X, y, cv=3, random_state=0)
    assert result.metric == "accuracy" and result.scoring == "score"
    assert result.chance_level == pytest.approx(2 / 3)
    fig = result.plot(title="toy data")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "accuracy\n(mean ± sd over splits)"
    assert fig._suptitle.get_text() == "toy data"
    chance = [line for line in ax.get_lines() if line.get_label() == "chance level"]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(2 / 3)
    plt.close(fig)
    # Error bars (the vertical segments) never leave [0, 1], even where mean + sd > 1.
    Xi, yi = id_data(n=40)
    near_one = compare_heads(ScoreNearOne(), Xi, yi, cv=5, random_state=0)
    summary = near_one.summary()
    assert (summary["mean_score"] + summary["std_score"]).max() > 1.0  # the test can fail
    fig = near_one.plot()
    tops = [
        seg[:, 1].max()
        for coll in fig.axes[0].collections
        if isinstance(coll, matplotlib.collections.LineCollection)
        for seg in coll.get_segments()
    ]
    assert tops and max(tops) == pytest.approx(1.0)
    plt.close(fig)
    balanced = compare_heads(clf, X, y, cv=3, scoring="balanced_accuracy", random_state=0)
    assert balanced.chance_level == 0.5
    reg = SeqPoolRegressor(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    r = compare_heads(reg, X, np.linspace(0, 1, 30), cv=KFold(3))
    assert r.metric == "R²" and r.chance_level is None


class PerfectHead(FingerprintHead):
    """Every design scores 1.0 (accuracy's bound) on every split."""

    def score(self, X, y):
        return 1.0


def test_designs_at_the_metrics_bound_cannot_be_told_apart():
    X, y = id_data()
    result = compare_heads(PerfectHead(), X, y, pools=["avg", "max"], cv=3)
    assert result.metric == "accuracy"
    for table in (result.order_effect(equivalence_margin=0.05), result.main_effect("pool")):
        for verdict in table["verdict"]:
            assert "scored 1.000, the metric's bound, on every split" in verdict
            assert verdict.startswith("cannot tell apart") and "equivalent within" not in verdict
    report = result.report(equivalence_margin=0.05)
    assert "equivalent" not in report.replace("no evidence of equivalence", "")


def test_report_table_and_plot_state_one_sign_convention():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = id_data()
    result = compare_heads(FingerprintHead(shift=-0.3, spread=0.05), X, y, cv=5)
    row = result.order_effect().iloc[0]
    assert row["mean_diff"] < 0 and row["ci_high"] < 0  # pool_first wins
    verdict = row["verdict"]
    assert verdict.startswith("pool_first better by")
    assert f"(decode_first - pool_first = {row['mean_diff']:.3f}, 95% CI {row['ci_low']:.3f}" in (
        verdict
    )
    assert "Order effect, decode_first - pool_first (> 0: decode_first better)" in result.report()
    fig = result.plot()
    assert fig.axes[1].get_xlabel().startswith("decode_first - pool_first\n(> 0: decode_first")
    plt.close(fig)


def test_an_equivalent_cell_is_labelled_with_its_tost_p_value():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = id_data()
    # seeded splits: unseeded ones follow numpy's global state, which earlier tests move
    result = compare_heads(FingerprintHead(shift=0.001, spread=0.02), X, y, cv=5, random_state=1)
    effect = result.order_effect(equivalence_margin=0.05)
    assert effect["verdict"][0].startswith("equivalent within")
    assert format_p(effect["p_equivalence"][0]) != format_p(effect["p_value"][0])
    fig = result.plot(equivalence_margin=0.05)
    labels = [t.get_text() for t in fig.axes[1].texts]
    assert labels == [f"TOST {format_p(effect['p_equivalence'][0])}"]
    # its bar is the 90% interval the TOST decides by (what the verdict prints), not the
    # 95% one of the difference test, and the axis says so
    (bars,) = [c for c in fig.axes[1].collections if len(c.get_segments())]
    (segment,) = bars.get_segments()
    low, high = sorted(segment[:, 0])
    d = result.results.pivot_table(index="split", columns="order", values="score")
    d = (d["decode_first"] - d["pool_first"]).to_numpy()
    res = corrected_ttest(d, result.test_train_ratio, confidence=0.90)
    assert (low, high) == pytest.approx((res["ci_low"], res["ci_high"]))
    assert -0.05 < low < high < 0.05
    assert "95% CI (90% if equivalent)" in fig.axes[1].get_xlabel()
    plt.close(fig)


def test_the_legend_covers_no_data_point():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = id_data()
    result = compare_heads(
        FingerprintHead(shift=0.05), X, y, pools=["avg", "max"], cv=5, random_state=0
    )
    fig = result.plot()
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    # Every point of the scores panel lies inside the axes; the legend lies outside them.
    assert not legend.overlaps(ax.get_window_extent())
    for collection in ax.collections:
        for x, y_ in ax.transData.transform(collection.get_offsets()):
            assert not legend.contains(x, y_)
    plt.close(fig)


class OneFeatureHead(ClassifierMixin, BaseEstimator):
    """Probabilities from one step; decode_first sharpens them (a stub, no training)."""

    def __init__(self, order="pool_first", pool="avg", window=None):
        self.order, self.pool, self.window = order, pool, window

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X[:, 0, 1] * (2 if self.order == "decode_first" else 1)))
        return np.c_[1 - p, p]

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _one_class_fold_comparison():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 4))
    y = np.r_[np.zeros(15, int), np.ones(15, int)]
    X[:, 0, 1] += y
    idx = np.arange(30)
    cv = [(np.setdiff1d(idx, idx[10:20]), idx[10:20]), (idx[5:], idx[:5]), (idx[:25], idx[25:])]
    # roc_auc is undefined on the last two test folds: one class each
    return compare_heads(OneFeatureHead(), X, y, cv=cv, scoring="roc_auc")


def test_nan_scores_give_a_nan_mean_not_a_mean_over_fewer_splits():
    result = _one_class_fold_comparison()
    assert result.results["score"].isna().sum() == 4
    summary = result.summary()
    assert summary["mean_score"].isna().all() and summary["std_score"].isna().all()
    assert summary["rank"].isna().all() and summary["n_splits"].eq(3).all()
    with pytest.raises(ValueError, match="has NaN scores for the design"):
        summarize_comparisons({"a": result, "b": result})


def test_dataset_names_that_read_the_same_as_text_are_refused():
    X, y = id_data()
    result = compare_heads(FingerprintHead(shift=0.2), X, y, cv=2)
    with pytest.raises(ValueError, match="Dataset name '1' appears twice"):
        summarize_comparisons([(1, result), ("1", result)])


def test_small_scale_scores_are_tested_not_read_as_rounding():
    # scores of order 1e-6 (an MSE, say): their differences of 1e-13 are real, and spread
    X, y = id_data()
    result = compare_heads(FingerprintHead(shift=0.2), X, y, cv=4)
    frame = result.results
    rng = np.random.default_rng(0)
    base = 1e-6 + 1e-13 * rng.normal(size=(frame["split"].nunique(),))
    for order, shift in (("pool_first", 0.0), ("decode_first", 1e-13)):
        rows = frame["order"].eq(order)
        frame.loc[rows, "score"] = (
            base[frame.loc[rows, "split"].to_numpy()]
            + shift
            + (1e-13 * rng.normal(size=rows.sum()))
        )
    effect = result.order_effect()
    d = _split_diffs(frame, "decode_first", "pool_first")
    reference = corrected_ttest(d, result.test_train_ratio, scale=1e-6)
    assert reference["se"] > 0
    assert effect["p_value"].iloc[0] == pytest.approx(reference["p_value"])
    assert 0 < effect["p_value"].iloc[0] < 1


def test_the_cross_dataset_verdict_counts_ties_at_the_bound():
    X, y = id_data()
    perfect = {f"p{i}": compare_heads(PerfectHead(), X, y, cv=3) for i in range(6)}
    effect = summarize_comparisons(perfect, equivalence_margin=0.01).order_effect()
    assert effect["n_at_bound"].tolist() == [6] and effect["n_identical"].tolist() == [6]
    # six datasets where both orders scored 1.0 on every split: each one's own verdict has
    # no test ("cannot tell apart"), so together they are no evidence of equivalence
    # either (counted, six exact zeros would give a TOST p of 1 / 2^6): no test, no p-value
    assert np.isnan(effect["p_equivalence"].iloc[0]) and np.isnan(effect["p_value"].iloc[0])
    verdict = effect["verdict"].iloc[0]
    assert verdict.startswith("no test across datasets: the orders tied on every dataset")
    assert "no signed-rank test: every dataset tied" in verdict
    assert verdict.endswith("which is no evidence of equivalence")
    assert (
        "tied on 6 of 6 datasets, 6 of the ties with both orders at the metric's best score"
        in verdict
    )
    assert "the equivalence test leaves out the 6 datasets where both orders scored the " in (
        verdict
    )


def test_a_cell_with_zero_spread_stays_out_of_the_holm_family():
    X, y = id_data()
    result = compare_heads(FingerprintHead(shift=0.2), X, y, pools=["avg", "max", "lp"], cv=4)
    frame = result.results
    rng = np.random.default_rng(0)
    split = frame["split"].to_numpy()
    decode = frame["order"].eq("decode_first").to_numpy()
    base = 0.5 + 0.01 * rng.normal(size=split.max() + 1)
    for pool, step in (("avg", None), ("max", 0.03), ("lp", 0.02)):
        rows = frame["pool"].eq(pool).to_numpy()
        shift = 0.5 if step is None else step * (1 + rng.normal(size=split.max() + 1))[split]
        frame.loc[rows, "score"] = (base[split] + np.where(decode, shift, 0.0))[rows]
    effect = result.order_effect()
    by_pool = effect.set_index("pool")
    assert by_pool.loc["avg", "verdict"].startswith("cannot tell apart")
    # Holm over the two tested cells only
    raw = by_pool.loc[["max", "lp"], "p_value"].to_numpy()
    np.testing.assert_allclose(by_pool.loc[["max", "lp"], "p_adjusted"], holm(raw))
    # no test: no statistic or p-value in the table (a filter on p < 0.05 took a
    # placeholder 0 for significant), whatever the margin
    assert by_pool.loc[["avg"], ["t", "p_value", "p_adjusted"]].isna().all(axis=None)
    assert by_pool.loc[["max", "lp"], ["t", "p_value", "p_adjusted"]].notna().all(axis=None)
    with_margin = result.order_effect(equivalence_margin=0.01).set_index("pool")
    assert np.isnan(with_margin.loc["avg", "p_equivalence"])
    assert with_margin.loc[["max", "lp"], "p_equivalence"].notna().all()
    assert "Holm-adjusted over 2 cells, those with a spread to test" in result.report()


# --------------------------------------------------------------------------- from score tables
def _from_scores(scores, metric="accuracy"):
    """A HeadComparison of given per-split scores, one array per (order, pool, window), with
    no training: every split has 80 training and 20 test rows."""
    k = len(next(iter(scores.values())))
    rows = [
        {"order": o, "pool": p, "window": w, "repeat": 0, "fold": j, "split": j,
         "score": float(s[j]), "fit_time": 0.1, "n_train": 80, "n_test": 20}
        for (o, p, w), s in scores.items()
        for j in range(k)
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["window"] = pd.Series([r["window"] for r in rows], dtype=object)
    splits = [(np.arange(80), np.arange(80, 100))] * k
    return HeadComparison(frame, splits=splits, scoring=metric, cv_results={}, metric=metric)


def _orders(pool_first, decode_first, metric="accuracy"):
    return _from_scores(
        {("pool_first", "avg", None): pool_first, ("decode_first", "avg", None): decode_first},
        metric=metric,
    )


def _signed_rank_reference(values, alternative="two-sided", zero_sign=0):
    """The exact signed-rank p-value, counted with a dictionary of rank sums over all 2^n
    sign patterns: zeros dropped (``zero_sign=0``) or ranked smallest with that sign."""
    values = np.asarray(values, dtype=float)
    signs = np.where(values == 0, zero_sign, np.sign(values))
    ranks = stats.rankdata(np.abs(values[signs != 0]))
    signs = signs[signs != 0]
    counts = {0.0: 1}
    for r in ranks:
        step = dict(counts)
        for s, c in counts.items():
            step[s + r] = step.get(s + r, 0) + c
        counts = step
    observed, total = ranks[signs > 0].sum(), 2 ** len(ranks)
    greater = sum(c for s, c in counts.items() if s >= observed - 1e-9) / total
    less = sum(c for s, c in counts.items() if s <= observed + 1e-9) / total
    return {"two-sided": min(1.0, 2 * min(greater, less)), "greater": greater, "less": less}[
        alternative
    ]


def test_tied_datasets_leave_the_test_across_datasets_exact():
    # decode_first higher on 5 of 14 datasets, the other 9 tied: 2 / 2^5 = 0.0625 is the
    # smallest p-value five untied datasets can give, never "better" at the 5% level
    base = np.array([0.70, 0.65, 0.75, 0.80, 0.60])
    comparisons = {}
    for i in range(14):
        shift = 0.01 * (i + 1) if i < 5 else np.array([0.05, -0.05, 0.05, -0.05, 0.0])
        comparisons[f"d{i}"] = _orders(base, base + shift)
    effect = summarize_comparisons(comparisons).order_effect()
    assert effect["p_value"][0] == _signed_rank_reference(0.01 * np.arange(1, 6)) == 0.0625
    assert effect["verdict"][0] == (
        "no significant difference across datasets (decode_first higher on 5, pool_first on "
        "0, tied on 9 of 14 datasets; Wilcoxon p=0.062)"
    )


def test_equal_means_are_ties_not_wins_or_ranks_apart():
    # the decode_first scores are a permutation of the pool_first ones: equal means, which
    # pandas sums to 0.7733333333333333 and 0.7733333333333332
    pool_first = np.array([18, 20, 27, 27, 24]) / 30
    decode_first = np.array([24, 27, 18, 20, 27]) / 30
    comparisons = {f"d{i}": _orders(pool_first, decode_first) for i in range(6)}
    summary = comparisons["d0"].summary()
    assert summary["mean_score"][0] != summary["mean_score"][1]  # the rounding is there
    assert summary["rank"].tolist() == [1, 1]
    across = summarize_comparisons(comparisons)
    assert across.ranks()["mean_rank"].tolist() == [1.5, 1.5]
    assert across.scores["rank"].eq(1.5).all()
    effect = across.order_effect()
    assert effect[["decode_first_wins", "ties", "pool_first_wins"]].values.tolist() == [[0, 6, 0]]
    # every dataset tied: no signed rank, so no test (and no placeholder p of 1)
    assert effect["mean_diff"][0] == 0.0 and np.isnan(effect["p_value"][0])
    assert effect["verdict"][0].startswith("no test across datasets: the orders tied on every")


def test_a_difference_of_rounding_on_every_split_is_no_difference():
    comparisons = {}
    for i in range(6):
        base = np.array([0.71, 0.65, 0.83, 0.58, 0.77]) + 0.01 * i
        # the same function computed in another float order: equal up to the last bit
        comparisons[f"d{i}"] = _orders(base, base * (1 + 2e-16), metric="r2")
    effect = comparisons["d0"].order_effect(equivalence_margin=0.01)
    assert effect["mean_diff"][0] == 0.0
    assert effect["verdict"][0].startswith("cannot tell apart: both orders scored identically")
    across = summarize_comparisons(comparisons, equivalence_margin=0.01).order_effect()
    assert across[["ties", "n_identical"]].values.tolist() == [[6, 6]]
    assert across["verdict"][0].startswith("no test across datasets")
    assert "better" not in across["verdict"][0]


def test_a_large_scale_dataset_does_not_round_away_the_others_differences():
    # one dataset of MSE 3e10 whose difference is -2e10; twelve of MSE 1 whose differences
    # are 0.001 .. 0.012: each rounds on its own scores' grid, not on the largest one's
    big = np.array([-3e10, -3.2e10, -2.9e10])
    comparisons = {"big": _orders(big, big - 2e10, metric="neg_mean_squared_error")}
    d = [-2e10]
    for i in range(12):
        base = np.array([-1.0, -1.1, -0.9])
        shifted = base + 0.001 * (i + 1) + np.array([0.001, -0.001, 0.0])
        comparisons[f"small{i}"] = _orders(base, shifted, metric="neg_mean_squared_error")
        d.append(np.mean(shifted - base))
    effect = summarize_comparisons(comparisons).order_effect()
    row = effect.iloc[0]
    assert (row["decode_first_wins"], row["ties"], row["pool_first_wins"]) == (12, 0, 1)
    assert row["p_value"] == pytest.approx(_signed_rank_reference(d), abs=1e-12)
    assert row["p_value"] < 0.05
    assert row["verdict"].startswith("decode_first better across datasets")


def test_a_split_given_twice_is_refused():
    X, y = id_data(n=40)
    splits = list(KFold(2, shuffle=True, random_state=0).split(X, y))
    with pytest.raises(ValueError, match=r"cv splits 0 and 2 have the same training and"):
        compare_heads(FingerprintHead(shift=0.2), X, y, cv=splits * 3)
    # the same rows in another order are the same split
    (train, test), other = splits[0], splits[1]
    shuffled = [(train, test), other, (train[::-1], np.sort(test)[::-1])]
    with pytest.raises(ValueError, match=r"cv splits 0 and 2 .* read the copy as new evidence"):
        compare_heads(FingerprintHead(shift=0.2), X, y, cv=shuffled)

    class Twice:
        def split(self, X, y=None, groups=None):
            yield from splits
            yield from splits

    with pytest.raises(ValueError, match=r"cv splits 0 and 2"):
        compare_heads(FingerprintHead(shift=0.2), X, y, cv=Twice())
    # distinct splits that share a test fold are fine
    three = list(KFold(3).split(X)) + [list(KFold(2).split(X))[0]]
    assert len(compare_heads(FingerprintHead(shift=0.2), X, y, cv=three).splits) == 4


def test_a_repeated_splitter_that_draws_a_split_twice_is_told_what_helps():
    # six samples: RepeatedStratifiedKFold's fourth repeat draws the first one's folds again
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=4, random_state=0)
    X, y = np.zeros((6, 1, 3)), np.array([0, 1] * 3)
    with pytest.raises(ValueError, match=r"cv splits \d+ and \d+ have the same") as err:
        _make_splits(SeqPoolClassifier(), X, y, None, cv, 1, 0)
    message = str(err.value)
    # not the splitter that gave the copy, nor dropping it (which breaks the repeat layout)
    assert "RepeatedStratifiedKFold" not in message and "Drop" not in message
    assert "integer cv with n_repeats" in message
    assert "fewer repeats, or more data" in message
    # what it advises works: an integer cv draws a repeat again where it would repeat a fold
    # (six samples have room for three such repeats, and its own refusal says so)
    splits, repeat, fold = _make_splits(SeqPoolClassifier(), X, y, None, 3, 3, 0)
    assert len(splits) == 9 and repeat.max() == 2
    _check_distinct_splits(splits)


def test_distinct_splits_are_told_apart_by_their_rows_not_their_layout():
    # the same rows in any order, with repeats or in another integer dtype are the same split;
    # the same test rows with other training rows are not
    train, test = np.arange(10, 40), np.arange(10)
    other = (np.arange(20), np.arange(20, 40))
    copies = [
        (train[::-1].astype(np.int32), test),
        (np.r_[train, train[:3]], np.r_[test[5:], test[:5]].astype(np.uint16)),
    ]
    for copy in copies:
        with pytest.raises(ValueError, match=r"cv splits 0 and 2 have the same"):
            _check_distinct_splits([(train, test), other, copy])
    _check_distinct_splits([(train, test), other, (train[1:], test)])  # same test only


def test_datasets_at_the_margin_are_no_evidence_of_equivalence():
    # twenty datasets whose difference is exactly the margin, six at 0
    base = np.array([0.70, 0.65, 0.75, 0.80, 0.60])
    comparisons = {}
    for i in range(26):
        shift = [0.02, 0.0, 0.01, 0.01, 0.01] if i < 20 else [0.01, -0.01, 0.01, -0.01, 0.0]
        comparisons[f"d{i}"] = _orders(base, base + np.array(shift))
    effect = summarize_comparisons(comparisons, equivalence_margin=0.01).order_effect()
    # "below the margin": the twenty shifted zeros ranked smallest, against it
    upper = _signed_rank_reference(np.r_[np.zeros(20), np.full(6, -0.01)], "less", zero_sign=1)
    assert effect["p_equivalence"][0] == pytest.approx(upper, abs=1e-12)
    assert effect["p_equivalence"][0] > 0.5
    assert "within the ±0.010 margin" not in effect["verdict"][0]


def test_an_equivalence_margin_needs_alpha_below_one_half():
    base = np.array([0.70, 0.65, 0.75, 0.80, 0.60])
    result = _orders(base, base + np.array([0.01, -0.01, 0.005, 0.0, -0.004]))
    match = r"TOST\) at level alpha reads the 1 - 2\*alpha confidence interval, so it needs"
    for call in (result.order_effect, result.report, result.plot):
        with pytest.raises(ValueError, match=match):
            call(alpha=0.6, equivalence_margin=0.02)
    with pytest.raises(ValueError, match=match + r" alpha < 0.5; got alpha=0.5"):
        result.main_effect("order", alpha=0.5, equivalence_margin=0.02)
    summary = summarize_comparisons({"a": result, "b": result}, equivalence_margin=0.02)
    with pytest.raises(ValueError, match=match):
        summary.order_effect(alpha=0.5)
    # without a margin, any alpha in (0, 1); the level keeps its digits
    assert "40% CI" in result.order_effect(alpha=0.6)["verdict"][0]
    assert "99.9999999% CI" in result.order_effect(alpha=1e-9)["verdict"][0]


def test_nan_scores_name_the_design_and_split_before_a_test():
    result = _one_class_fold_comparison()
    message = (
        r"The design order='pool_first', pool='avg', window=None has a NaN score on split 1: "
        r"its metric is undefined on that split \(roc_auc on a test fold of one class, say\)"
        r".* Use stratified splits or another scoring\."
    )
    for call in (result.order_effect, lambda: result.main_effect("order"), result.report):
        with pytest.raises(ValueError, match=message):
            call()


def test_tables_of_one_and_of_many_datasets_name_the_equivalence_p_values_alike():
    base = np.array([0.70, 0.65, 0.75, 0.80, 0.60])
    spread = np.array([0.01, -0.01, 0.005, 0.0, -0.004])
    result = _from_scores(
        {("pool_first", pool, None): base for pool in ("avg", "max")}
        | {("decode_first", pool, None): base + spread + 0.001 for pool in ("avg", "max")}
    )
    effect = result.order_effect(equivalence_margin=0.02)
    d = spread + 0.001
    raw = [equivalence_test(d, result.test_train_ratio, 0.02)["p_value"]] * 2
    np.testing.assert_allclose(effect["p_equivalence_raw"], raw)  # raw, as p_value
    np.testing.assert_allclose(effect["p_equivalence_adjusted"], holm(raw))  # as p_adjusted
    assert effect["verdict"][0].endswith(
        f"TOST Holm {format_p(holm(raw)[0])}, raw {format_p(raw[0])})"
    )
    summary = summarize_comparisons({"a": result, "b": result}, equivalence_margin=0.02)
    across = summary.order_effect()
    assert {"p_equivalence_raw", "p_equivalence_adjusted"} <= set(across)
    # the plain column keeps each table's meaning of old: adjusted here, raw across datasets
    np.testing.assert_array_equal(effect["p_equivalence"], effect["p_equivalence_adjusted"])
    np.testing.assert_array_equal(across["p_equivalence"], across["p_equivalence_raw"])


def _pinned_grid(sign):
    """Three pools, both orders, ten splits; decode_first off by ``sign`` times small noise."""
    base = np.array([0.71, 0.74, 0.78, 0.73, 0.76, 0.72, 0.75, 0.77, 0.70, 0.79])
    noise = np.array(
        [[0.001, -0.002, 0.003, 0.0, -0.001, 0.002, -0.003, 0.001, 0.002, -0.001],
         [0.002, 0.004, -0.001, 0.003, 0.0, 0.005, 0.001, -0.002, 0.003, 0.002],
         [-0.004, 0.001, 0.002, -0.003, 0.004, -0.001, 0.003, 0.0, -0.002, 0.001]]
    )  # fmt: skip
    pools = ("avg", "max", "lp")
    return _from_scores(
        {("pool_first", p, None): base + 0.001 * i for i, p in enumerate(pools)}
        | {
            ("decode_first", p, None): base + 0.001 * i + sign * noise[i]
            for i, p in enumerate(pools)
        }
    )


def test_p_equivalence_keeps_the_values_of_earlier_releases():
    # Values of the release before the explicit raw/adjusted columns: code that filters on
    # p_equivalence gets the same answers (Holm-adjusted in a comparison's tables, raw across
    # datasets), and the explicit pair is there for new code.
    result = _pinned_grid(1)
    order = result.order_effect(equivalence_margin=0.01)
    pool = result.main_effect("pool", equivalence_margin=0.01)
    np.testing.assert_allclose(
        order["p_equivalence"],
        [1.902277308020292e-05, 1.2051480583978695e-04, 1.2051480583978695e-04],
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        pool["p_equivalence"], [7.78449989193627e-06, 3.062140108412236e-05], rtol=1e-9
    )
    ratio = result.test_train_ratio
    diffs = [
        _split_diffs(result.results, "decode_first", "pool_first", pool=p) for p in order["pool"]
    ]
    raw = [equivalence_test(d, ratio, 0.01)["p_value"] for d in diffs]
    np.testing.assert_allclose(order["p_equivalence_raw"], raw)
    assert (order["p_equivalence_raw"] < order["p_equivalence"]).any()  # the family matters
    for table in (order, pool):
        np.testing.assert_allclose(
            table["p_equivalence_adjusted"], holm(table["p_equivalence_raw"])
        )
        np.testing.assert_array_equal(table["p_equivalence"], table["p_equivalence_adjusted"])
    comparisons = {"a": result, "b": _pinned_grid(-1), "c": _pinned_grid(0.5)}
    across = summarize_comparisons(comparisons, equivalence_margin=0.01).order_effect()
    np.testing.assert_allclose(across["p_equivalence"], [0.125] * 3)
    np.testing.assert_allclose(across["p_equivalence_raw"], [0.125] * 3)
    np.testing.assert_allclose(across["p_equivalence_adjusted"], [0.375] * 3)


def test_an_equivalent_verdict_across_datasets_quotes_the_hodges_lehmann_estimate():
    base = np.array([0.70, 0.65, 0.75, 0.80, 0.60])
    spread = np.array([0.01, -0.01, 0.005, 0.0, -0.004])
    shifts = [-0.03, -0.025, -0.02, -0.015, 0.001, 0.002, 0.003, 0.004, 0.06, 0.07]
    comparisons = {f"d{i}": _orders(base, base + spread + s) for i, s in enumerate(shifts)}
    comparisons["same"] = _orders(base, base)  # no spread: left out of the test
    effect = summarize_comparisons(comparisons, equivalence_margin=0.1).order_effect()
    d = [np.mean(spread + s) for s in shifts]
    walsh = [(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)]
    estimate = float(np.median(walsh))
    assert format_number(estimate) != format_number(effect["median_diff"][0])  # not the median
    assert effect["verdict"][0].startswith("equivalent within ±0.100 across datasets")
    assert (
        f"; Hodges-Lehmann estimate of decode_first - pool_first {format_number(estimate)} "
        "over the 10 datasets tested; TOST p"
    ) in effect["verdict"][0]


def test_labels_are_checked_before_any_splitter_sees_them():
    # a stratified splitter used them first: "boolean value of NA is ambiguous", "'<' not
    # supported between instances of 'NoneType' and 'str'", "Input y contains NaN"
    X, _ = make_nonlinear_steps(n_samples=24, n_timesteps=8, random_state=0)
    labels = np.array(["a", "b", "c"] * 8, dtype=object)
    labels[3] = None
    before = labels.copy()
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    message = (
        r"y contains 1 missing value \(NaN or None; first at index 3\), but SeqPoolClassifier "
        "needs a label for every series"
    )
    for y in (labels, pd.Series(labels, dtype="string"), pd.Categorical(labels),
              pd.Series([1, 2, 3] * 8, dtype="Int64").mask(np.arange(24) == 3)):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            compare_heads(clf, X, y, cv=2)
    np.testing.assert_array_equal(labels, before)
    with pytest.raises(ValueError, match="X has 24 series but y has 10 labels"):
        compare_heads(clf, X, ["a", "b"] * 5, cv=2)
    reg = SeqPoolRegressor(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="SeqPoolRegressor needs a target for every series"):
        compare_heads(reg, X, np.r_[np.nan, np.arange(23.0)], cv=2)


def test_a_margin_as_wide_as_the_metric_is_refused():
    # a margin in points (5 for five accuracy points) made every difference "equivalent"
    X, y = make_nonlinear_steps(n_samples=24, n_timesteps=8, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    message = r"equivalence_margin=5 is not smaller than the whole range of accuracy \(0 to 1\)"
    with pytest.raises(ValueError, match=message + ".*0.01 for one point of accuracy"):
        compare_heads(clf, X, y, cv=2, equivalence_margin=5)
    comparison = _orders(np.array([0.6, 0.7, 0.8]), np.array([0.8, 0.9, 0.95]))
    with pytest.raises(ValueError, match=message):
        comparison.order_effect(equivalence_margin=5)
    with pytest.raises(ValueError, match=r"equivalence_margin=1 is not smaller"):
        summarize_comparisons({"a": comparison, "b": comparison}, equivalence_margin=1)
    with pytest.raises(ValueError, match=r"equivalence_margin=1.0 is not smaller"):
        summarize_comparisons({"a": comparison, "b": comparison}).order_effect(
            equivalence_margin=1.0
        )
    comparison.order_effect(equivalence_margin=0.05)  # in score units: taken
    mcc = _orders(np.array([0.2, 0.4, 0.3]), np.array([0.5, 0.6, 0.4]), metric="matthews_corrcoef")
    with pytest.raises(ValueError, match=r"range of matthews_corrcoef \(-1 to 1\)"):
        mcc.order_effect(equivalence_margin=2)
    # metrics without a finite range take any margin
    _orders(np.array([0.6, 0.7, 0.8]), np.array([0.8, 0.9, 0.95]), metric="r2").order_effect(
        equivalence_margin=5
    )


def test_cells_without_a_test_across_datasets_stay_out_of_the_holm_family():
    # avg: both orders scored the same on every split of every dataset (no signed rank);
    # max: decode_first higher on all six datasets, exact p = 2 / 2^6 = 0.031
    comparisons = {}
    for i in range(6):
        base = np.array([0.6, 0.7, 0.65, 0.72]) + 0.01 * i
        comparisons[f"d{i}"] = _from_scores({
            ("pool_first", "avg", None): base, ("decode_first", "avg", None): base,
            ("pool_first", "max", None): base,
            ("decode_first", "max", None): base + np.array([0.1, 0.12, 0.08, 0.11]) * (1 + i / 10),
        })  # fmt: skip
    summary = summarize_comparisons(comparisons, equivalence_margin=0.01)
    effect = summary.order_effect().set_index("pool")
    assert np.isnan(effect.loc["avg", "p_value"]) and np.isnan(effect.loc["avg", "p_adjusted"])
    assert effect.loc["max", "p_value"] == pytest.approx(2 / 2**6)
    assert effect.loc["max", "p_adjusted"] == effect.loc["max", "p_value"]  # a family of one
    assert effect.loc["max", "verdict"].startswith("decode_first better across datasets")
    assert "Wilcoxon p=0.031" in effect.loc["max", "verdict"]
    assert effect.loc["avg", "verdict"].startswith("no test across datasets")
    # a single tested cell: the report does not say "Holm over cells"
    assert "(Wilcoxon signed-rank):" in summary.report()
    two = {}
    for name, cmp in comparisons.items():
        pool_first = cmp._scores("pool_first", "max", None)[:, 0]
        decode_first = cmp._scores("decode_first", "max", None)[:, 0]
        two[name] = _from_scores({
            ("pool_first", "max", None): pool_first, ("decode_first", "max", None): decode_first,
            ("pool_first", "lp", None): pool_first,
            ("decode_first", "lp", None): decode_first - 0.05,
        })  # fmt: skip
    assert "(Wilcoxon signed-rank, Holm over cells):" in summarize_comparisons(two).report()


def _seeded(pool_first, decode_first):
    """A HeadComparison of (n_splits, n_seeds) scores, no training."""
    k, n_seeds = pool_first.shape
    rows = [
        {"order": o, "pool": "avg", "window": None, "repeat": 0, "fold": j, "split": j,
         "seed": s, "score": float(scores[j, s]), "fit_time": 0.1, "n_train": 80, "n_test": 20}
        for o, scores in (("pool_first", pool_first), ("decode_first", decode_first))
        for j in range(k)
        for s in range(n_seeds)
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["window"] = pd.Series([None] * len(rows), dtype=object)
    splits = [(np.arange(80), np.arange(80, 100))] * k
    return HeadComparison(frame, splits=splits, scoring="accuracy", cv_results={},
                          seeds=list(range(n_seeds)), metric="accuracy")  # fmt: skip


def test_seeds_that_cancel_are_not_called_identical_scores():
    pool_first = np.array([[0.8, 0.7], [0.75, 0.85], [0.9, 0.8]])
    decode_first = pool_first[:, ::-1]  # +0.1 on one seed, -0.1 on the other, every split
    comparison = _seeded(pool_first, decode_first)
    verdict = comparison.order_effect(equivalence_margin=0.02)["verdict"][0]
    assert "scored identically" not in verdict
    assert verdict.startswith(
        "cannot tell apart: decode_first - pool_first, averaged over the seeds, is 0 on every "
        "split (the seeds' differences cancel)"
    )
    across = summarize_comparisons(
        {f"d{i}": _seeded(pool_first, decode_first) for i in range(3)}, equivalence_margin=0.02
    ).order_effect()
    assert across["n_identical"].tolist() == [0]  # not left out as identical datasets
    # the same scores for every seed are identical
    same = summarize_comparisons(
        {f"d{i}": _seeded(pool_first, pool_first) for i in range(3)}, equivalence_margin=0.02
    ).order_effect()
    assert same["n_identical"].tolist() == [3]


def test_both_orders_at_the_metrics_worst_score_are_not_called_a_ceiling():
    zeros = np.zeros(4)
    comparison = _orders(zeros, zeros, metric="f1")
    verdict = comparison.order_effect()["verdict"][0]
    assert verdict.startswith(
        "cannot tell apart: both orders scored 0.000, the metric's worst score"
    )
    assert "no split can show a difference" not in verdict
    effect = summarize_comparisons({"a": comparison, "b": _orders(zeros, zeros, metric="f1")})
    assert effect.order_effect()["n_at_bound"].tolist() == [0]
    assert "could score higher" not in effect.order_effect()["verdict"][0]
    ones = np.ones(4)
    assert (
        "at the bound no split can show a difference"
        in _orders(ones, ones, metric="f1").order_effect()["verdict"][0]
    )


def test_verdicts_print_the_margin_as_tested():
    comparison = _orders(np.array([0.70, 0.71, 0.69, 0.70]), np.array([0.701, 0.709, 0.692, 0.70]))
    verdict = comparison.order_effect(equivalence_margin=0.0124)["verdict"][0]
    assert "±0.0124" in verdict and "±0.012 " not in verdict
    assert "±0.010" in comparison.order_effect(equivalence_margin=0.01)["verdict"][0]


def test_plot_labels_print_p_values_near_alpha_with_the_digits_that_tell_their_side():
    from seqpool_sklearn._plotting import _effect_labels

    effect = pd.DataFrame(
        {
            "ci_low": [0.001, -0.001],
            "ci_high": [0.06, 0.06],
            "p_value": [0.04996, 0.05004],
            "verdict": ["decode_first better", "no significant difference"],
        }
    )
    assert _effect_labels(effect, adjusted=False, alpha=0.05) == ["p=0.04996", "p=0.05004"]


def test_a_group_on_both_sides_of_a_split_is_named_with_the_way_out():
    from sklearn.model_selection import TimeSeriesSplit

    X, y = id_data(n=40)
    clf = FingerprintHead()
    with pytest.raises(ValueError, match=r"puts 1 group \('r'\) in both the training and the "
                       r"test rows.*With one group \(one recording\) no splitter keeps groups "
                       r"apart: leave groups out"):  # fmt: skip
        compare_heads(clf, X, y, cv=TimeSeriesSplit(n_splits=2), groups=np.repeat("r", 40))
    with pytest.raises(ValueError, match=r"Use a splitter that keeps groups apart"):
        compare_heads(clf, X, y, cv=TimeSeriesSplit(n_splits=2), groups=np.arange(40) % 4)


def test_a_comparison_rebuilt_from_its_csv_gives_the_same_tables():
    # read_csv turns the windows into NaN / 4.0 (other designs than None / 4: 20
    # "configurations" instead of 8) and, without seeds=, the seeds were counted as splits
    import io

    X, y = make_nonlinear_steps(n_samples=40, n_timesteps=8, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    result = compare_heads(clf, X, y, cv=2, pools=["avg", "max"], windows=[None, 4], n_seeds=2)
    table = pd.read_csv(io.StringIO(result.results.to_csv(index=False)))
    before = table.copy()
    back = HeadComparison(table, splits=result.splits, scoring=result.scoring, cv_results={},
                          metric=result.metric)  # fmt: skip
    assert repr(back) == repr(result)
    pd.testing.assert_frame_equal(table, before)  # the caller's table is kept as read
    columns = ["order", "pool", "window", "mean_score", "n_splits"]
    pd.testing.assert_frame_equal(back.summary()[columns], result.summary()[columns])
    assert back.order_effect()["verdict"].tolist() == result.order_effect()["verdict"].tolist()
    assert back.order_effect()["n_splits"].tolist() == [2] * 4


def test_summarize_comparisons_names_what_it_got_instead_of_comparisons():
    X, y = make_nonlinear_steps(n_samples=24, n_timesteps=8, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
    one = compare_heads(clf, X, y, cv=2)
    for bad, got in ((one, "one HeadComparison"), ("results.csv", "a str ('results.csv')"),
                     (one.results, "a DataFrame of shape")):  # fmt: skip
        with pytest.raises(TypeError, match=re.escape(got)):
            summarize_comparisons(bad)
