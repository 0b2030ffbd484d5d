"""readout="ridge": the closed-form readout, written exactly into the head's layers."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from scipy.special import log_softmax
from sklearn.linear_model import Ridge, RidgeCV

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.estimators.ridge import (
    ALPHAS,
    _spread,
    _temperature,
    fit_ridge,
    ridge_cv,
    ridge_features,
)


def _data(n=48, channels=2, T=40, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    X = rng.normal(size=(n, channels, T)).astype(np.float32)
    for c in range(classes):  # a bump whose place depends on the class
        X[y == c, 0, 5 + 8 * c : 10 + 8 * c] += 3.0
    return X, y


def _features(est, X):
    module = est.module_
    with torch.no_grad():
        packed = module.pool_inputs(torch.from_numpy(np.asarray(X, dtype=np.float32)))
    return ridge_features(module, packed)


def _readout(est, X, y):
    """The ridge solved directly on the head's features: (W, b) in logits."""
    Z = _features(est, X)
    W, b, alpha = fit_ridge(Z.reshape(len(Z), -1), y, n_classes=len(np.unique(y)))
    assert alpha == est.alpha_
    return W, b


FORMS = {
    "paired": {},
    "paired_binary": {"classes": 2},
    "shifted": {"hidden_size": 4},  # 3 classes: rank 2 pairs fit 4 units; 5 classes shift
    "shifted_many": {"hidden_size": 6, "classes": 5},
    "direct": {"activation": None, "hidden_size": 4},
    "gelu": {"activation": "gelu"},
    "windows": {"window": 10},
    "decode_first": {"order": "decode_first", "window": 20},
    "multirocket_pools": {"encoder": "multirocket", "pool": ("ppv", "lspv")},
    "identity": {"encoder": None, "window": 8},
}


@pytest.mark.parametrize("form", list(FORMS), ids=list(FORMS))
def test_the_head_computes_the_ridge_readout_exactly(form):
    params = dict(FORMS[form])
    classes = params.pop("classes", 3)
    X, y = _data(classes=classes)
    X_new, _ = _data(n=20, classes=classes, seed=1)
    est = SeqPoolClassifier(readout="ridge", encoder_channels=100, random_state=0, **params)
    if form == "shifted_many":  # exact near the training series only, and it says so
        with pytest.warns(UserWarning, match="exactly only while"):
            est.fit(X, y)
    else:
        est.fit(X, y)
    assert est.n_iter_ == 0
    W, b = _readout(est, X, y)
    for data in (X, X_new):
        Z = _features(est, data).reshape(len(data), -1)
        expected = Z @ W.T + b
        got = est._forward(est._validate_predict(data)).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
    assert (est.predict(X) == y).mean() > 0.7  # chance: 1 / classes


def test_decode_first_under_avg_is_the_pool_first_readout():
    X, y = _data()
    kw = {"readout": "ridge", "encoder_channels": 100, "random_state": 0, "window": 10}
    a = SeqPoolClassifier(order="pool_first", **kw).fit(X, y)
    b = SeqPoolClassifier(order="decode_first", **kw).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7, atol=1e-9)


def test_the_readout_is_sklearns_ridge_at_the_chosen_penalty():
    X, y = _data(classes=2)
    est = SeqPoolClassifier(readout="ridge", encoder_channels=100, window=10, random_state=0)
    est.fit(X, y)
    Z = _features(est, X).reshape(len(X), -1)
    scale = _spread(Z, None)
    codes = np.where(y == 1, 1.0, -1.0)
    ridge = Ridge(alpha=est.alpha_).fit(Z / scale, codes)
    scores = ridge.decision_function(Z / scale) if hasattr(ridge, "decision_function") else None
    scores = ridge.predict(Z / scale) if scores is None else scores
    logits = est._forward(est._validate_predict(X)).numpy()
    # logits (-t d / 2, t d / 2): the difference is the temperature times the ridge score
    ratio = (logits[:, 1] - logits[:, 0]) / scores
    # (the head holds float32 weights)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)
    assert ratio[0] > 0.1  # a temperature above its floor: the scores are informative
    np.testing.assert_array_equal(est.predict(X), (scores > 0).astype(int))


@pytest.mark.parametrize("shape", [(30, 50), (60, 12)], ids=["dual", "primal"])
def test_leave_one_out_is_sklearns_ridgecv(shape):
    rng = np.random.default_rng(0)
    n, d = shape
    X = rng.normal(size=(n, d))
    Y = X[:, :2] @ rng.normal(size=(2, 3)) + rng.normal(size=(n, 3))
    W, b, alpha, held_out = ridge_cv(X, Y)
    ref = RidgeCV(alphas=ALPHAS).fit(X, Y)
    assert alpha == ref.alpha_
    np.testing.assert_allclose(W, ref.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b, ref.intercept_, rtol=1e-9, atol=1e-12)
    # the held-out scores are sklearn's leave-one-out predictions
    loo = RidgeCV(alphas=[alpha], scoring="neg_mean_squared_error", store_cv_results=True)
    loo.fit(X, Y)
    np.testing.assert_allclose(held_out, loo.cv_results_[:, :, 0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", [(30, 50), (60, 12)], ids=["dual", "primal"])
def test_ridge_cv_leaves_its_input_alone_unless_asked(shape):
    rng = np.random.default_rng(1)
    X = rng.normal(size=shape)
    Y = X[:, :2] @ rng.normal(size=(2, 2)) + rng.normal(size=(shape[0], 2))
    w = rng.uniform(0.5, 2.0, size=shape[0])
    before = X.copy()
    kept = ridge_cv(X, Y, w)
    np.testing.assert_array_equal(X, before)
    overwritten = ridge_cv(X, Y, w, overwrite=True)  # the same solve, in X's memory
    assert not np.array_equal(X, before)
    for a, b in zip(kept, overwritten, strict=True):
        np.testing.assert_array_equal(a, b)


def test_ridge_cv_solves_other_dtypes_in_float64():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 5, size=(30, 8))
    Y = X[:, :1] + rng.normal(size=(30, 1))
    want = ridge_cv(X.astype(np.float64), Y)
    for given in (X, (X + 1000).astype(np.float32) - 1000):
        kept = given.copy()
        got = ridge_cv(given, Y, overwrite=True)
        np.testing.assert_array_equal(given, kept)  # a copy of another dtype is the work
        assert got[2] == want[2]
        np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)


def test_the_spread_of_a_few_features_over_many_series_takes_no_full_copy():
    import tracemalloc

    rng = np.random.default_rng(5)
    Z = rng.normal(size=(20000, 100))
    w = rng.uniform(0.5, 2.0, size=20000)
    tracemalloc.start()
    try:
        got = _spread(Z, w)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    mean = np.average(Z, axis=0, weights=w)
    np.testing.assert_allclose(got, np.sqrt(np.average((Z - mean) ** 2, axis=0, weights=w)))
    assert peak < 0.5 * Z.nbytes, peak / Z.nbytes


@pytest.mark.parametrize("shape", [(30, 50), (60, 12)], ids=["dual", "primal"])
def test_a_zero_weight_row_gets_its_own_residual(shape):
    """A series of weight 0 leaves the fit alone; its held-out score is the fit's
    prediction for it (leaving out a series of weight 0 changes nothing)."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=shape)
    Y = X[:, :2] @ rng.normal(size=(2, 1)) + rng.normal(size=(shape[0], 1))
    w = np.ones(shape[0])
    w[:4] = 0.0
    W, b, alpha, held_out = ridge_cv(X, Y, w)
    W1, b1, alpha1, _ = ridge_cv(X[4:], Y[4:])
    assert alpha == alpha1
    np.testing.assert_allclose(W, W1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b, b1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(held_out[:4], X[:4] @ W.T + b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", [(600, 4000), (3000, 400)], ids=["dual", "primal"])
def test_the_ridge_solve_holds_about_one_copy_of_the_features(shape):
    """Beside the caller's features: their scaled copy, worked on in place, and the
    solve's own n x n (or d x d and n x d) matrices -- not a copy per step."""
    import tracemalloc

    rng = np.random.default_rng(3)
    n, d = shape
    Z = (rng.random((n, d)) < 0.3) * rng.random(d)
    y = np.arange(n) % 4
    tracemalloc.start()
    try:
        fit_ridge(Z, y, n_classes=4, sample_weight=np.full(n, 2.0))  # weights: no copy
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    own = 3 * n * n * 8 if n <= d else (2 * d * d + n * d) * 8
    # before: a centred copy, a weighted copy and temporaries beside them, 4.2 to 4.3 Z
    assert peak < 1.25 * Z.nbytes + own, (peak / Z.nbytes, own / Z.nbytes)


def test_generalised_cross_validation_is_the_textbook_score():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12))
    Y = X[:, :2] @ rng.normal(size=(2, 2)) + rng.normal(size=(30, 2))
    w = rng.integers(1, 4, size=30).astype(float)
    _, _, alpha, _ = ridge_cv(X, Y, w, criterion="gcv")

    def gcv(a):  # from sklearn's Ridge and the hat matrix written out
        fit = Ridge(alpha=a).fit(X, Y, sample_weight=w)
        resid = Y - fit.predict(X)
        xm = w @ X / w.sum()
        Xs = (X - xm) * np.sqrt(w)[:, None]
        hat = Xs @ np.linalg.solve(Xs.T @ Xs + a * np.eye(12), Xs.T)
        dof = np.trace(hat) + 1
        return (w @ (resid**2)).sum() / w.sum() / (1 - dof / w.sum()) ** 2

    scores = [gcv(a) for a in ALPHAS]
    assert alpha == ALPHAS[int(np.argmin(scores))]


@pytest.mark.parametrize("criterion", ["loo", "gcv"])
def test_a_weight_of_k_is_k_copies_under_either_criterion(criterion):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(25, 40))
    Y = rng.normal(size=(25, 2))
    w = rng.integers(0, 4, size=25).astype(float)
    keep = w > 0
    rows = np.repeat(np.arange(25), w.astype(int))
    W1, b1, a1, h1 = ridge_cv(X[keep], Y[keep], w[keep], criterion)
    W2, b2, a2, h2 = ridge_cv(X[rows], Y[rows], None, criterion)
    assert a1 == a2
    np.testing.assert_allclose(W1, W2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b1, b2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.repeat(h1, w[keep].astype(int), axis=0), h2, rtol=1e-8)


def test_a_weight_of_k_is_k_copies():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(25, 40))
    y = rng.integers(0, 3, size=25)
    w = rng.integers(0, 4, size=25).astype(float)
    W1, b1, a1 = fit_ridge(X, y, n_classes=3, sample_weight=w)
    rows = np.repeat(np.arange(25), w.astype(int))
    W2, b2, a2 = fit_ridge(X[rows], y[rows], n_classes=3)
    assert a1 == a2
    np.testing.assert_allclose(W1, W2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(b1, b2, rtol=1e-8, atol=1e-10)


def test_the_temperature_minimises_the_held_out_log_loss():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, size=200)
    scores = rng.normal(size=(200, 3))
    scores[np.arange(200), y] += 1.0
    t = _temperature(scores, y, None)

    def loss(s):
        return -log_softmax(s * scores, axis=1)[np.arange(200), y].mean()

    assert loss(t) <= min(loss(t * 1.05), loss(t / 1.05))
    assert 0.5 < t < 20


def test_the_regressor_is_sklearns_ridge_on_raw_targets():
    X, _ = _data()
    rng = np.random.default_rng(3)
    y = np.stack([X[:, 0, 5:10].mean(1) * 1e6 + 3e7, rng.normal(size=len(X))], 1)
    est = SeqPoolRegressor(readout="ridge", encoder_channels=100, random_state=0).fit(X, y)
    Z = _features(est, X)[:, :, 0]
    scale = _spread(Z, None)
    ridge = Ridge(alpha=est.alpha_).fit(Z / scale, y)
    X_new, _ = _data(n=10, seed=4)
    Z_new = _features(est, X_new)[:, :, 0]
    expected = ridge.predict(Z_new / scale)
    got = est.predict(X_new)
    for j in range(2):
        np.testing.assert_allclose(got[:, j], expected[:, j], rtol=1e-6, atol=1e-5 * y[:, j].std())
    assert est.predict(X_new).shape == (10, 2)


def test_a_zero_weight_drops_the_series():
    X, y = _data()
    w = np.ones(len(X))
    w[:6] = 0
    kw = {"readout": "ridge", "encoder": None, "window": 5, "random_state": 0}
    a = SeqPoolClassifier(**kw).fit(X, y, sample_weight=w)
    b = SeqPoolClassifier(**kw).fit(X[6:], y[6:])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_a_head_too_narrow_for_the_readout_warns_and_approximates():
    X, y = _data(classes=5, n=60)
    est = SeqPoolClassifier(
        readout="ridge", order="decode_first", hidden_size=4, encoder_channels=100, random_state=0
    )
    with pytest.warns(UserWarning, match=r"hidden_size >= 8"):
        est.fit(X, y)
    assert (est.predict(X) == y).mean() > 0.5


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"order": "decode_first", "pool": "max"},
            r"linear pool .*its pool \('max'\) is not linear",
        ),
        ({"activation": "tanh"}, "activation"),
        ({"encoder": "conv"}, "encoder"),
        ({"pool": "attention"}, "trained parameters"),
    ],
)
def test_a_head_that_cannot_hold_the_readout_is_refused(params, match):
    X, y = _data(n=12)
    est = SeqPoolClassifier(readout="ridge", encoder_channels=100, **params)
    with pytest.raises(ValueError, match=match) as info:
        est.fit(X, y)
    assert "readout='ridge'" in str(info.value) and "readout='trained'" in str(info.value)
    assert not hasattr(est, "net_")


def test_partial_fit_belongs_to_the_trained_readout():
    est = SeqPoolRegressor(readout="ridge")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError):
        est.partial_fit  # noqa: B018
    assert hasattr(est.set_params(readout="trained"), "partial_fit")


def test_every_fit_solves_anew_and_pickles():
    X, y = _data()
    X2, y2 = _data(seed=5)
    kw = {"readout": "ridge", "encoder_channels": 100, "random_state": 0}
    warm = SeqPoolClassifier(warm_start=True, **kw).fit(X, y).fit(X2, y2)
    fresh = SeqPoolClassifier(**kw).fit(X2, y2)
    np.testing.assert_array_equal(warm.predict_proba(X), fresh.predict_proba(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = pickle.loads(pickle.dumps(fresh))
    np.testing.assert_array_equal(again.predict_proba(X), fresh.predict_proba(X))


def test_a_warm_start_with_the_trained_readout_continues_from_the_ridge():
    X, y = _data()
    est = SeqPoolClassifier(readout="ridge", encoder_channels=100, random_state=0).fit(X, y)
    before = est.predict_proba(X)
    assert hasattr(est, "alpha_")
    est.set_params(readout="trained", warm_start=True, max_epochs=2, lr=1e-6, dropout=0.0)
    est.fit(X, y)
    assert est.n_iter_ == 2 and not hasattr(est, "alpha_")
    # two tiny steps from the ridge solution: the model barely moves
    np.testing.assert_allclose(est.predict_proba(X), before, atol=1e-2)


def test_the_ridge_solve_keeps_to_n_threads(monkeypatch):
    from threadpoolctl import threadpool_info

    from seqpool_sklearn.estimators import training

    seen = []

    def spy(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return fit_ridge(*args, **kwargs)

    monkeypatch.setattr(training, "fit_ridge", spy)
    X, y = _data(n=20)
    SeqPoolRegressor(readout="ridge", n_threads=1, encoder_channels=100).fit(X, y.astype(float))
    assert seen and set(seen) == {1}


def test_compare_heads_refuses_a_ridge_grid_it_cannot_fit_before_fitting(monkeypatch):
    from seqpool_sklearn import compare_heads

    X, y = _data(n=24)
    fits = []
    monkeypatch.setattr(
        SeqPoolClassifier, "fit", lambda self, *a, **k: fits.append(1) or self, raising=True
    )
    est = SeqPoolClassifier(readout="ridge", encoder=None)
    with pytest.raises(ValueError, match=r"decode_first with \['max'\]"):
        compare_heads(est, X, y, pools=["avg", "max"], cv=2)
    assert not fits


def test_under_the_ridge_readout_the_orders_tie_behind_the_average_pool():
    from seqpool_sklearn import compare_heads

    X, y = _data(n=24)
    est = SeqPoolClassifier(readout="ridge", encoder=None, window=10, random_state=0)
    result = compare_heads(est, X, y, pools=["avg"], cv=2, random_state=0).results
    first = result[result["order"] == "pool_first"].sort_values("split")["score"].to_numpy()
    second = result[result["order"] == "decode_first"].sort_values("split")["score"].to_numpy()
    np.testing.assert_array_equal(first, second)


def test_a_builtin_linear_pool_is_not_refused_for_float32_rounding():
    # the check of a pool's linear declaration compared float32 pooled maps with a
    # float64 forward at 1e-4 and refused the built-in avg pool on large values
    from seqpool_sklearn import SeqPoolRegressor

    rng = np.random.default_rng(0)
    X = (rng.normal(size=(40, 2, 60)) * 50 + 1000).astype(np.float32)
    y = np.c_[X[:, 0].mean(1), X[:, 1].std(1)]
    est = SeqPoolRegressor(encoder="hydra", readout="ridge", order="decode_first", pool="avg")
    assert np.isfinite(est.fit(X, y).predict(X)).all()
