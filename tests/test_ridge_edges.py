"""readout="ridge" at its edges: precision, weights, the one-unit form, refusals, messages."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeClassifierCV, RidgeCV
from sklearn.preprocessing import StandardScaler

from seqpool_sklearn import SeqPoolRegressor
from seqpool_sklearn.estimators.ridge import ALPHAS, fit_ridge, ridge_cv


def _noise(seed, n=20, d=3000):
    """Features of pure noise, far more than series: near interpolation at small penalties."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return (X - X.mean(0)) / X.std(0), rng


@pytest.mark.parametrize("seed", [2, 3])
def test_leave_one_out_keeps_its_digits_near_interpolation(seed):
    # 1 - h_i is about 1e-7 at alpha=1e-3: computed as 1 less the leverage it lost its
    # digits, and the penalty chosen was 0.1 where the leave-one-out minimum is 1e-3
    X, rng = _noise(seed)
    Y = np.sign(X[:, :1] + rng.normal(size=(len(X), 1)))
    _, _, alpha, held_out = ridge_cv(X, Y)
    ref = RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, Y)
    assert alpha == ref.alpha_ == ALPHAS[0]
    # the held-out scores are the refits without each series, to many digits
    brute = np.empty(len(X))
    for i in range(len(X)):
        rest = np.arange(len(X)) != i
        brute[i] = Ridge(alpha=alpha, solver="cholesky").fit(X[rest], Y[rest, 0]).predict(X[[i]])[0]
    np.testing.assert_allclose(held_out[:, 0], brute, rtol=1e-6, atol=1e-9)
    # the classifier's readout chooses RidgeClassifierCV's penalty on the same features
    y = (Y[:, 0] > 0).astype(int)
    _, _, chosen = fit_ridge(X, y, n_classes=2)
    clf = RidgeClassifierCV(alphas=ALPHAS).fit(StandardScaler().fit_transform(X), y)
    assert chosen == clf.alpha_


def _regression(n=60, seed=13):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4, 10))
    y = X[:, 0].mean(1) + 0.5 * X[:, 1].mean(1) + 0.3 * rng.normal(size=n)
    return X, y


RIDGE = {"encoder": None, "readout": "ridge", "window": 1, "random_state": 0, "dtype": "float64"}


def test_equal_sample_weights_of_any_size_are_no_weights():
    # a uniform weight of 50 left 1/50 of each series out: in-sample errors, the smallest
    # penalty, and a test R^2 of -2.7 where the unweighted fit reached 0.41
    X, y = _regression()
    X_test, y_test = _regression(n=200, seed=14)
    plain = SeqPoolRegressor(**RIDGE).fit(X, y)
    for value in (50.0, 1 / 60, 1e-4):
        weighted = SeqPoolRegressor(**RIDGE).fit(X, y, sample_weight=np.full(len(X), value))
        assert weighted.alpha_ == plain.alpha_
        np.testing.assert_allclose(weighted.predict(X_test), plain.predict(X_test), rtol=1e-10)
    assert plain.score(X_test, y_test) > 0.1
    # unequal weights: only their ratios matter
    w = np.random.default_rng(0).integers(1, 5, size=len(X)).astype(float)
    a = SeqPoolRegressor(**RIDGE).fit(X, y, sample_weight=w)
    b = SeqPoolRegressor(**RIDGE).fit(X, y, sample_weight=w * 50.0)
    assert a.alpha_ == b.alpha_
    np.testing.assert_allclose(a.predict(X_test), b.predict(X_test), rtol=1e-10)
    assert not np.allclose(a.predict(X_test), plain.predict(X_test))
