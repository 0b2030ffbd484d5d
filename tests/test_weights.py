"""sample_weight (with metadata routing), class_weight, predict_log_proba and partial_fit."""

import numpy as np
import pytest
import sklearn
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

# deterministic full-batch training: a weight of k must equal k copies of the sample
EXACT = {"encoder": None, "dropout": 0.0, "batch_size": 10_000, "hidden_size": 8}
TINY = {"encoder": None, "hidden_size": 4, "max_epochs": 3, "batch_size": 8, "random_state": 0}


def _data(n=30, t=12, seed=0, labels=("a", "b")):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2, t)).astype(np.float32)
    y = np.asarray(labels)[np.arange(n) % len(labels)]
    X[y == labels[0], 0] += 0.8
    return X, y


@pytest.mark.parametrize("cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_integer_weights_equal_repeated_samples_in_full_batch_training(cls):
    X, y = _data()
    if cls is SeqPoolRegressor:
        y = X[:, 0].mean(axis=1) * 3.0 + 1.0
    w = np.ones(len(X))
    w[:5] = 3.0
    w[5:8] = 0.0  # zero weight = removed
    keep = np.repeat(np.arange(len(X)), w.astype(int))
    kw = {**EXACT, "max_epochs": 30, "lr": 0.01, "random_state": 0}
    weighted = cls(**kw).fit(X, y, sample_weight=w)
    repeated = cls(**kw).fit(X[keep], y[keep])
    out = "predict_proba" if cls is SeqPoolClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, out)(X), getattr(repeated, out)(X), rtol=1e-5, atol=1e-6
    )


def test_weights_change_the_model_and_equal_weights_do_not():
    X, y = _data()
    base = SeqPoolClassifier(**TINY).fit(X, y)
    same = SeqPoolClassifier(**TINY).fit(X, y, sample_weight=np.full(len(X), 2.5))
    np.testing.assert_array_equal(base.predict_proba(X), same.predict_proba(X))
    w = np.where(y == "a", 5.0, 0.2)
    tilted = SeqPoolClassifier(**TINY).fit(X, y, sample_weight=w)
    assert tilted.predict_proba(X)[:, 0].mean() > base.predict_proba(X)[:, 0].mean()


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(5), "inconsistent numbers of samples|shape"),
        (-np.ones(30), "Negative"),
        (np.r_[np.ones(29), np.nan], "NaN|finite"),
        (np.zeros(30), "non-zero"),
        (np.r_[np.ones(29), np.inf], "infinity|finite"),
    ],
)
def test_bad_sample_weights_are_named(weights, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        SeqPoolClassifier(**TINY).fit(X, y, sample_weight=weights)


def test_weighted_early_stopping_weighs_the_held_out_part():
    X, y = _data(n=60)
    w = np.linspace(0.1, 3.0, len(X))
    a = SeqPoolClassifier(patience=5, **{**TINY, "max_epochs": 4}).fit(X, y, sample_weight=w)
    b = SeqPoolClassifier(patience=5, **{**TINY, "max_epochs": 4}).fit(X, y)
    assert a.history_[:, "valid_loss"] != b.history_[:, "valid_loss"]


def test_sample_weight_is_routed_through_searches_stacking_voting_and_calibration():
    X, y = _data(n=40)
    w = np.where(np.arange(40) < 20, 4.0, 0.5)
    with sklearn.config_context(enable_metadata_routing=True):
        est = SeqPoolClassifier(**TINY).set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=False)
        search = GridSearchCV(est, {"order": ["pool_first", "decode_first"]}, cv=2)
        search.fit(X, y, sample_weight=w)
        direct = SeqPoolClassifier(**TINY).fit(X, y, sample_weight=w)
        np.testing.assert_array_equal(
            search.best_estimator_.predict_proba(X),
            SeqPoolClassifier(**{**TINY, **search.best_params_})
            .fit(X, y, sample_weight=w)
            .predict_proba(X),
        )
        unweighted = SeqPoolClassifier(**TINY).fit(X, y)
        assert not np.array_equal(direct.predict_proba(X), unweighted.predict_proba(X))
        flat = FunctionTransformer(lambda A: A.reshape(len(A), -1))
        lr = make_pipeline(flat, LogisticRegression().set_fit_request(sample_weight=True))
        for meta in (
            VotingClassifier([("seq", est), ("lr", lr)], voting="soft"),
            StackingClassifier([("seq", est), ("lr", lr)], cv=2),
            CalibratedClassifierCV(est, cv=2),
        ):
            meta.fit(X, y, sample_weight=w)
            assert meta.predict_proba(X).shape == (40, 2)
        voting = VotingClassifier([("seq", est), ("lr", lr)], voting="soft").fit(
            X, y, sample_weight=w
        )
        np.testing.assert_array_equal(
            voting.named_estimators_["seq"].predict_proba(X), direct.predict_proba(X)
        )


# ------------------------------------------------------------------------ class_weight
def test_class_weight_balanced_and_dict_over_string_labels():
    X, y = _data(n=40)
    y = np.where(np.arange(40) < 30, "common", "rare")
    clf = SeqPoolClassifier(class_weight="balanced", **TINY).fit(X, y)
    np.testing.assert_allclose(clf.class_weight_, [40 / (2 * 30), 40 / (2 * 10)])
    assert clf.net_.criterion_.weight.tolist() == pytest.approx(clf.class_weight_.tolist())
    d = SeqPoolClassifier(class_weight={"rare": 5.0}, **TINY).fit(X, y)
    np.testing.assert_allclose(d.class_weight_, [1.0, 5.0])
    plain = SeqPoolClassifier(**TINY).fit(X, y)
    assert plain.class_weight_ is None and plain.net_.criterion_.weight is None
    assert d.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_balanced_class_weights_count_a_weight_of_k_as_k_copies():
    # "balanced" counted the series, not their weights: a class of fewer but heavier
    # series got the larger class weight, and the fit differed from one on copies
    X, y = _data()
    w = np.ones(len(X))
    w[np.flatnonzero(y == "a")[:5]] = 3.0  # 3 copies of 5 series of class "a"
    w[np.flatnonzero(y == "b")[:4]] = 0.0  # 4 series of class "b" left out
    keep = np.repeat(np.arange(len(X)), w.astype(int))
    kw = {**EXACT, "max_epochs": 20, "lr": 0.01, "random_state": 0, "dtype": "float64"}
    weighted = SeqPoolClassifier(class_weight="balanced", **kw).fit(X, y, sample_weight=w)
    repeated = SeqPoolClassifier(class_weight="balanced", **kw).fit(X[keep], y[keep])
    counts = np.array([w[y == c].sum() for c in ("a", "b")])
    np.testing.assert_allclose(weighted.class_weight_, counts.sum() / (2 * counts), rtol=1e-12)
    np.testing.assert_allclose(weighted.class_weight_, repeated.class_weight_, rtol=1e-12)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-10, atol=1e-12
    )
    # a class whose series all weigh 0 is weighed as a class missing from y (1), not 1/0
    w0 = np.where(y == "b", 0.0, 1.0)
    only = SeqPoolClassifier(class_weight="balanced", **{**kw, "max_epochs": 1})
    only.fit(X, y, sample_weight=w0)
    np.testing.assert_array_equal(only.class_weight_, [1.0, 1.0])
    assert np.isfinite(only.predict_proba(X)).all()


def test_class_weight_equals_the_matching_sample_weights():
    X, y = _data()
    kw = {**EXACT, "max_epochs": 20, "lr": 0.01, "random_state": 0}
    by_class = SeqPoolClassifier(class_weight={"a": 3.0}, **kw).fit(X, y)
    by_sample = SeqPoolClassifier(**kw).fit(X, y, sample_weight=np.where(y == "a", 3.0, 1.0))
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize(
    ("class_weight", "match"),
    [
        ({"zebra": 2.0}, r"labels \['zebra'\].*\['a', 'b'\]"),
        ({"a": -1.0}, "finite and >= 0"),
        ("balance", "class_weight"),
    ],
)
def test_bad_class_weights_are_named(class_weight, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        SeqPoolClassifier(class_weight=class_weight, **TINY).fit(X, y)


def test_a_class_weight_label_missing_from_a_fold_is_allowed_as_in_scikit_learn():
    # a rare class missing from one fold's training rows made the whole fit fail (and a
    # grid search score that split as NaN); scikit-learn allows the extra key while every
    # class of y is weighted, and so does the classifier now
    from sklearn.linear_model import LogisticRegression

    X, y = _data()
    cw = {"a": 1.0, "b": 2.0, "rare": 5.0}
    clf = SeqPoolClassifier(class_weight=cw, **TINY).fit(X, y)
    np.testing.assert_allclose(clf.class_weight_, [1.0, 2.0])
    LogisticRegression(class_weight=cw).fit(X[:, 0], y)  # the rule followed
    # with a class of y left unweighted the extra key reads as a misspelling: refused
    with pytest.raises(ValueError, match=r"labels \['rare'\].*gives no weight to \['b'\]"):
        SeqPoolClassifier(class_weight={"a": 1.0, "rare": 5.0}, **TINY).fit(X, y)


def test_class_weight_keys_of_digit_string_labels_are_read_as_the_labels():
    # scikit-learn's helper read the keys "1", "2" as integers: "The classes, [1, 2],
    # are not in class_weight"
    X, y = _data()
    y = np.where(y == "a", "1", "2")
    clf = SeqPoolClassifier(class_weight={"1": 5.0, "2": 1.0}, **TINY).fit(X, y)
    np.testing.assert_allclose(clf.class_weight_, [5.0, 1.0])


def test_balanced_class_weights_are_refused_by_partial_fit():
    # they were computed from the first batch's counts and never updated
    X, y = _data()
    clf = SeqPoolClassifier(class_weight="balanced", **TINY)
    with pytest.raises(ValueError, match="class_weight='balanced' weighs the classes by"):
        clf.partial_fit(X, y, classes=["a", "b"])


def test_class_weight_and_criterion_weight_together_are_refused():
    import torch

    X, y = _data()
    clf = SeqPoolClassifier(class_weight="balanced", criterion__weight=torch.ones(2), **TINY)
    with pytest.raises(ValueError, match="class_weight and criterion__weight"):
        clf.fit(X, y)


def test_regressor_has_no_class_weight():
    assert "class_weight" not in SeqPoolRegressor().get_params()
    assert SeqPoolClassifier(class_weight="balanced").get_params()["class_weight"] == "balanced"


# ------------------------------------------------------------------------ log proba
def test_predict_log_proba_is_the_log_of_predict_proba_and_stays_finite():
    X, y = _data()
    clf = SeqPoolClassifier(**TINY).fit(X, y)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-12)
    sure = SeqPoolClassifier(**{**TINY, "lr": 1.0, "max_epochs": 50}).fit(X * 100, y)
    assert np.isfinite(sure.predict_log_proba(X * 100)).all()


# ------------------------------------------------------------------------ partial_fit
def test_partial_fit_trains_one_epoch_per_call_and_continues():
    X, y = _data(n=40, labels=("a", "b", "c"))
    clf = SeqPoolClassifier(**TINY)
    with pytest.raises(ValueError, match="classes="):
        clf.partial_fit(X[:10], y[:10])
    clf.partial_fit(X[:10], y[:10], classes=["a", "b", "c"])
    module = clf.module_
    assert clf.n_iter_ == 1 and clf.classes_.tolist() == ["a", "b", "c"]
    clf.partial_fit(X[10:12], np.array(["a", "a"]))  # a batch may miss classes
    assert clf.module_ is module and len(clf.history_) == 2
    for _ in range(5):
        clf.partial_fit(X, y)
    assert len(clf.history_) == 7 and clf.predict(X).shape == (40,)
    with pytest.raises(ValueError, match=r"labels \['d'\]"):
        clf.partial_fit(X[:2], np.array(["d", "a"]))
    with pytest.raises(ValueError, match="differ from the classes"):
        clf.partial_fit(X[:2], y[:2], classes=["a", "b"])
    assert len(clf.history_) == 7  # failed calls changed nothing


def test_partial_fit_equals_fit_epoch_by_epoch():
    X, y = _data()
    kw = {**TINY, "lr_schedule": "constant", "max_epochs": 1}
    fitted = SeqPoolClassifier(**{**kw, "warm_start": True})
    incremental = SeqPoolClassifier(**kw)
    for _ in range(3):
        fitted.fit(X, y)
        incremental.partial_fit(X, y, classes=["a", "b"])
    np.testing.assert_array_equal(fitted.predict_proba(X), incremental.predict_proba(X))


def test_regressor_partial_fit_keeps_the_first_target_scaling():
    X, _ = _data()
    y = X[:, 0].mean(axis=1) * 10 + 100
    reg = SeqPoolRegressor(**TINY).partial_fit(X[:15], y[:15])
    mean = reg._y_mean.copy()
    reg.partial_fit(X[15:], y[15:])
    np.testing.assert_array_equal(reg._y_mean, mean)
    with pytest.raises(ValueError, match="output"):
        reg.partial_fit(X[:4], np.c_[y[:4], y[:4]])


# ------------------------------------------------------------------ dtype="float64"
@pytest.mark.parametrize("cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_float64_training_makes_weights_and_copies_agree_to_round_off(cls):
    X, y = _data()
    X = X.astype(np.float64) + 1e-9 * np.arange(X.shape[2])  # below float32's resolution
    extra = {"class_weight": {"a": 2.0, "b": 1.0}} if cls is SeqPoolClassifier else {}
    if cls is SeqPoolRegressor:
        y = X[:, 0].mean(axis=1) * 3.0 + 1.0
    w = np.ones(len(X))
    w[:5], w[5:8] = 3.0, 0.0
    keep = np.repeat(np.arange(len(X)), w.astype(int))
    kw = {**EXACT, "max_epochs": 30, "lr": 0.01, "random_state": 0, "dtype": "float64", **extra}
    weighted = cls(**kw).fit(X, y, sample_weight=w)
    repeated = cls(**kw).fit(X[keep], y[keep])
    assert all(p.dtype == torch.float64 for p in weighted.module_.parameters())
    out = "predict_proba" if cls is SeqPoolClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, out)(X), getattr(repeated, out)(X), rtol=1e-10, atol=1e-12
    )
    single = cls(**{**kw, "dtype": "float32"}).fit(X, y, sample_weight=w)
    assert not np.array_equal(getattr(single, out)(X), getattr(weighted, out)(X))


def test_float64_reads_x_in_float64_and_keeps_its_precision_when_continued(tmp_path):
    X, y = _data()
    X = X.astype(np.float64)
    clf = SeqPoolClassifier(dtype="float64", **TINY).fit(X, y)
    assert clf._validate_X(X + 1e-12, reset=False).dtype == np.float64
    # the fitted network keeps its precision, whatever set_params says next
    clf.set_params(dtype="float32", warm_start=True).fit(X, y)
    assert all(p.dtype == torch.float64 for p in clf.module_.parameters())
    clf.partial_fit(X, y)
    assert all(p.dtype == torch.float64 for p in clf.module_.parameters())
    sio = pytest.importorskip("skops.io")
    sio.dump(clf, tmp_path / "m.skops")
    loaded = sio.load(tmp_path / "m.skops", trusted=[type(clf).__module__ + ".SeqPoolClassifier"])
    assert all(p.dtype == torch.float64 for p in loaded.module_.parameters())
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_float64_default_encoder_trains_and_a_bad_dtype_is_named():
    X, y = _data()
    clf = SeqPoolClassifier(encoder_channels=168, max_epochs=3, random_state=0, dtype="float64")
    proba = clf.fit(X, y).predict_proba(X)
    assert np.isfinite(proba).all() and clf.module_.encoder.bias.dtype == torch.float64
    with pytest.raises(ValueError, match="dtype.*float32.*float64|dtype.*float64.*float32"):
        SeqPoolClassifier(dtype="float16").fit(X, y)


def test_class_weight_weighs_the_encoder_statistics_as_sample_weights_do():
    # minirocket draws its biases and scales from the weighted training series: class
    # weights must reach them as the matching sample weights do, not only the loss
    X, y = _data()
    kw = {"encoder": "minirocket", "encoder_channels": 84, "hidden_size": 4, "max_epochs": 2}
    kw.update(random_state=0, n_threads=1)
    sw = np.where(y == "a", 3.0, 1.0)
    by_class = SeqPoolClassifier(class_weight={"a": 3.0}, **kw).fit(X, y)
    by_sample = SeqPoolClassifier(**kw).fit(X, y, sample_weight=sw)
    plain = SeqPoolClassifier(**kw).fit(X, y)
    enc_c, enc_s = by_class.module_.encoder, by_sample.module_.encoder
    assert not torch.equal(enc_s.bias, plain.module_.encoder.bias)
    for a, b in zip(enc_c.state_dict().values(), enc_s.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X), rtol=1e-5)
    # under the ridge readout too (whose leave-one-out leaves a series of class weight 3
    # out whole, and one of sample weight 3 a copy at a time: the readouts may differ)
    ridge = {**kw, "readout": "ridge"}
    enc_c = SeqPoolClassifier(class_weight={"a": 3.0}, **ridge).fit(X, y).module_.encoder
    enc_s = SeqPoolClassifier(**ridge).fit(X, y, sample_weight=sw).module_.encoder
    for a, b in zip(enc_c.state_dict().values(), enc_s.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)


def test_a_warm_fit_trains_with_the_class_weights_it_reports():
    X, y = _data()
    clf = SeqPoolClassifier(warm_start=True, **TINY).fit(X, y)
    assert clf.net_.criterion_.weight is None
    clf.set_params(class_weight={"a": 3.0}).fit(X, y)
    assert clf.net_.criterion_.weight.tolist() == pytest.approx(clf.class_weight_.tolist())
    clf.set_params(class_weight=None).fit(X, y)
    assert clf.class_weight_ is None and clf.net_.criterion_.weight is None


def test_weights_whose_sum_overflows_are_refused():
    # the regressor failed in numpy's "Weights sum to zero", the classifier trained on
    # loss weights of 0 (w / w.mean() with an infinite mean)
    X, y = _data()
    w = np.r_[1e308, 1e308, np.ones(len(y) - 2)]
    for est, target in ((SeqPoolClassifier(**TINY), y), (SeqPoolRegressor(**TINY), X[:, 0, 0])):
        with pytest.raises(ValueError, match="Sample weights sum to inf"):
            est.fit(X, target, sample_weight=w)


def test_partial_fit_names_the_shape_of_the_first_y():
    X, y = _data()
    target = X[:, 0, 0].astype(np.float64)
    reg = SeqPoolRegressor(**TINY).partial_fit(X, target)
    with pytest.raises(ValueError, match=r"the network was built for a 1D y"):
        reg.partial_fit(X, target[:, None])


def test_weights_too_small_to_compute_with_are_refused():
    # their mean underflowed: the classifier reported a divergence, the regressor
    # targets "too large to standardise"
    X, y = _data()
    w = np.zeros(len(y))
    w[:2], w[-2:] = 5e-324, 5e-324
    for est, target in ((SeqPoolClassifier(**TINY), y), (SeqPoolRegressor(**TINY), X[:, 0, 0])):
        with pytest.raises(ValueError, match="Sample weights are too small to compute with"):
            est.fit(X, target, sample_weight=w)
