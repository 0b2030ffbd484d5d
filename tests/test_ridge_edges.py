"""readout="ridge" at its edges: precision, weights, the one-unit form, refusals, messages."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge, RidgeClassifierCV, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.estimators.ridge import ALPHAS, _spread, fit_ridge, ridge_cv, ridge_features


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


def _many_outputs(n=60, k=40, seed=0):
    """Series of ``k`` channels whose means give ``k`` outputs: a ridge readout of rank ``k``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k, k + 2))  # more steps than channels
    Y = X.mean(2) @ rng.normal(size=(k, k)) + 0.1 * rng.normal(size=(n, k))
    return X, Y


def _sklearn_ridge_predictions(est, X, Y, X_new):
    """sklearn's Ridge at the chosen penalty on the head's own features (scaled as the head)."""
    Z, Z_new = (_pooled(est, data) for data in (X, X_new))
    scale = _spread(Z, None)
    return Ridge(alpha=est.alpha_).fit(Z / scale, Y).predict(Z_new / scale)


def _pooled(est, X):
    module = est.module_
    with torch.no_grad():
        packed = module.pool_inputs(torch.from_numpy(np.asarray(X)).to(torch.float64))
    return ridge_features(module, packed)[:, :, 0]


def test_the_regressor_sizes_its_decoder_for_the_exact_readout_of_many_outputs():
    # 40 outputs: rank 40 needs 80 units as +/- pairs; hidden_size=None built 64, which
    # held the readout as one shifted unit per direction, silently wrong far outside
    X, Y = _many_outputs()
    far = X * 3.0 + 2.0
    kw = {"encoder": None, "readout": "ridge", "random_state": 0, "dtype": "float64"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = SeqPoolRegressor(**kw).fit(X, Y)
    assert est.hidden_size_ == 80
    np.testing.assert_allclose(
        est.predict(far), _sklearn_ridge_predictions(est, X, Y, far), rtol=1e-9, atol=1e-9
    )
    # the trained readout keeps its width (its predictions do not change)
    assert SeqPoolRegressor(encoder=None).initialize(X, Y).hidden_size_ == 64
    # an explicit width is honoured, with a warning that says where it is exact
    narrow = SeqPoolRegressor(hidden_size=64, **kw)
    with pytest.warns(UserWarning, match=r"exactly only while .* hidden_size >= 80") as caught:
        narrow.fit(X, Y)
    assert caught[0].filename == __file__
    np.testing.assert_allclose(
        narrow.predict(X), _sklearn_ridge_predictions(narrow, X, Y, X), rtol=1e-9, atol=1e-9
    )
    assert not np.allclose(narrow.predict(far), est.predict(far), rtol=1e-3, atol=1e-3)


def _five_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6, 8))
    y = np.arange(50) % 5
    X[np.arange(50), y, :] += 2.0
    return X, y


def test_a_shifted_classifier_readout_warns_at_the_callers_line_through_a_pipeline():
    X, y = _five_classes()
    clf = SeqPoolClassifier(encoder=None, readout="ridge", hidden_size=6, random_state=0)
    with pytest.warns(UserWarning, match=r"rank 4, more than hidden_size=6 .* >= 8") as caught:
        make_pipeline(FunctionTransformer(), clf).fit(X, y)
    assert caught[0].filename == __file__


def test_the_approximation_warning_points_at_the_callers_line():
    # write_readout's torch.no_grad decorator was a frame outside the package: the
    # warning pointed into torch
    X, y = _five_classes()
    clf = SeqPoolClassifier(encoder=None, readout="ridge", hidden_size=6, window=1)
    for fit in (clf.fit, make_pipeline(FunctionTransformer(), clf).fit):
        with pytest.warns(UserWarning, match=r"approximation\. Set hidden_size >= 12") as caught:
            fit(X, y)
        assert caught[0].filename == __file__


def test_a_ridge_width_trained_on_is_rebuilt_from_the_portable_state():
    # hidden_size=None's width depends on the readout: a network built under the ridge
    # and trained on after set_params(readout="trained") is rebuilt at its own width
    X, Y = _many_outputs()
    est = SeqPoolRegressor(encoder=None, readout="ridge", random_state=0).fit(X, Y)
    est.set_params(readout="trained", warm_start=True, max_epochs=1).fit(X, Y)
    for again in (pickle.loads(pickle.dumps(est)), SeqPoolRegressor.__new__(SeqPoolRegressor)):
        if not hasattr(again, "net_"):  # the state skops reads and writes
            again.__setstate__(est.__getstate__())
        assert again.hidden_size_ == 80
        np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_patience_does_not_apply_to_the_ridge_readout_which_trains_nothing():
    # it was validated as early stopping: 6 series were refused for a split that was never
    # made; the ridge solves on all the data, so patience set for a grid search beside
    # readout="trained" is ignored, as the other training settings are
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 2, 6)), np.arange(60) % 3
    for n in (6, 60):
        plain = SeqPoolClassifier(encoder=None, readout="ridge").fit(X[:n], y[:n])
        est = SeqPoolClassifier(encoder=None, readout="ridge", patience=3).fit(X[:n], y[:n])
        np.testing.assert_array_equal(est.predict_proba(X), plain.predict_proba(X))
        assert est.alpha_ == plain.alpha_
    # ... also beside train_split=None, which holds nothing out for patience to stop on
    est = SeqPoolClassifier(encoder=None, readout="ridge", patience=3, train_split=None)
    np.testing.assert_array_equal(est.fit(X, y).predict_proba(X), plain.predict_proba(X))


def test_partial_fit_under_the_ridge_readout_says_why_it_is_missing():
    est = SeqPoolRegressor(readout="ridge")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match=r"readout='ridge' solves it whole at fit"):
        est.partial_fit  # noqa: B018
    with pytest.raises(AttributeError, match=r"SeqPoolClassifier has no partial_fit"):
        SeqPoolClassifier.partial_fit(SeqPoolClassifier(readout="ridge"), None, None)
    assert hasattr(est.set_params(readout="trained"), "partial_fit")
    assert SeqPoolRegressor.partial_fit.__doc__.startswith("Train one epoch")


@pytest.mark.parametrize("cls", [SeqPoolRegressor, SeqPoolClassifier])
def test_complex_targets_are_refused_without_printing_them(cls):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 1, 8)), (np.arange(30) % 2).astype(float)
    kind = "targets" if cls is SeqPoolRegressor else "labels"
    for complex_y in (y.astype(complex), list(y.astype(complex))):
        with pytest.raises(ValueError) as info:
            cls(encoder=None, max_epochs=1).fit(X, complex_y)
        message = str(info.value)
        assert f"needs real-valued {kind}" in message and "np.real(y)" in message
        assert "+0.j" not in message and "\n" not in message
    with pytest.raises(ValueError, match=r"real-valued targets, got complex128"):
        SeqPoolRegressor(encoder=None).fit(X, y.astype(complex))


def test_one_penalty_is_chosen_for_all_outputs_on_their_standardised_scale():
    # outputs in units 1, 100 and 1e-3: each weighs the same in the choice of alpha_
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 30, 32))
    means = X.mean(2)
    # the output in hundreds is nearly noise-free (a small penalty fits it best), the
    # others noisy: on the raw scale the hundreds would choose alone
    Y = means[:, :3] @ rng.normal(size=(3, 3)) + rng.normal(size=(40, 3)) * [3.0, 0.01, 3.0]
    Y *= [1.0, 100.0, 1e-3]
    est = SeqPoolRegressor(encoder=None, readout="ridge", dtype="float64").fit(X, Y)
    Z = _pooled(est, X)
    Z = Z / _spread(Z, None)
    standard = (Y - Y.mean(0)) / Y.std(0)
    assert est.alpha_ == RidgeCV(alphas=ALPHAS).fit(Z, standard).alpha_
    assert est.alpha_ != RidgeCV(alphas=ALPHAS).fit(Z, Y).alpha_


@pytest.mark.parametrize("class_weight", [{0: 0.5, 1: 0.8, 2: 1.0}, {0: 0.3, 1: 2.5}, "balanced"])
def test_sample_weights_are_copies_under_the_ridge_whatever_the_class_weights(class_weight):
    # the class weight was folded into the copy count: a series of sample weight k left
    # out one unit of k * c where a copy weighs c, and leave-one-out chose another penalty
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 6))
    y = np.arange(30) % 3
    X[:, 0] += y[:, None] * 0.7
    w = rng.integers(0, 4, size=30).astype(float)
    w[:3] = 1.0  # every class keeps a series
    rows = np.repeat(np.arange(30), w.astype(int))
    kw = {"encoder": None, "window": 1, "hidden_size": 16, "readout": "ridge", "dtype": "float64"}
    weighted = SeqPoolClassifier(class_weight=class_weight, **kw).fit(X, y, sample_weight=w)
    copies = SeqPoolClassifier(class_weight=class_weight, **kw).fit(X[rows], y[rows])
    assert weighted.alpha_ == copies.alpha_
    np.testing.assert_allclose(weighted.class_weight_, copies.class_weight_, rtol=1e-12)
    np.testing.assert_allclose(
        weighted.predict_proba(X), copies.predict_proba(X), rtol=1e-7, atol=1e-9
    )
    # in ridge_cv itself: a row of k copies of weight c is k rows of weight c
    Z, Y, c = rng.normal(size=(12, 4)), rng.normal(size=(12, 1)), np.linspace(0.2, 0.9, 12)
    k = np.array([1, 2, 3] * 4, dtype=float)
    many = np.repeat(np.arange(12), k.astype(int))
    W1, b1, a1, _ = ridge_cv(Z, Y, c * k, copies=k)
    W2, b2, a2, _ = ridge_cv(Z[many], Y[many], c[many])
    assert a1 == a2
    np.testing.assert_allclose(W1, W2, rtol=1e-9)
    np.testing.assert_allclose(b1, b2, rtol=1e-9)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"pool": ("avg", "attention")}, r"pool=\('avg', 'attention'\) holds 'attention', which "),
        (
            {"pool": ("avg", "max", "lp"), "order": "decode_first"},
            r"pool=\('avg', 'max', 'lp'\) holds 'max', 'lp', none of which is linear",
        ),
        ({"pool": "attention"}, r"its pool \('attention'\) has trained parameters"),
    ],
)
def test_a_refused_tuple_of_pools_is_named_as_given_with_the_member_at_fault(params, match):
    # the refusal named the internal CombinedPool, not the pool=... the user gave
    X = np.random.default_rng(0).normal(size=(12, 1, 8))
    est = SeqPoolClassifier(encoder=None, readout="ridge", **params)
    with pytest.raises(ValueError, match=match) as info:
        est.fit(X, np.arange(12) % 2)
    assert "CombinedPool" not in str(info.value)


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("pool", ["avg", "max", "lp", "attention", "ppv", ("avg", "max")])
def test_the_ridge_refuses_exactly_the_cells_head_order_names(order, pool):
    # head_order.rst: with readout="ridge", a pool with parameters ("attention") and,
    # under decode_first, any pool but a linear one ("avg") raise at fit; the rest fit
    X = np.random.default_rng(0).normal(size=(12, 1, 8))
    est = SeqPoolClassifier(encoder=None, readout="ridge", order=order, pool=pool, window=4)
    refused = pool == "attention" or (order == "decode_first" and pool != "avg")
    if refused:
        with pytest.raises(ValueError, match="readout='ridge'"):
            est.fit(X, np.arange(12) % 2)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the readout's rank warnings
            assert est.fit(X, np.arange(12) % 2).predict(X).shape == (12,)
