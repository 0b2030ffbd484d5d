"""``companion=``: a second model fitted beside the network, its predictions blended in."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor, compare_heads, deletion_score
from seqpool_sklearn._validation import LayoutWarning
from seqpool_sklearn.nn.encoders import IdentityEncoder

HEAD = {
    "encoder_channels": 84,
    "hidden_size": 8,
    "max_epochs": 3,
    "random_state": 0,
    "n_threads": 1,
}
HYDRA = {"encoder": "hydra", "encoder_channels": 4, "readout": "ridge"}


def _data(n=36, c=2, t=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = np.array(["b", "a", "c"])[np.arange(n) % 3]
    X[:, 0, :5] += (np.arange(n) % 3)[:, None]
    return X, y


@pytest.fixture(scope="module")
def blended():
    X, y = _data()
    clf = SeqPoolClassifier(companion=SeqPoolClassifier(**HYDRA), companion_weight=0.3, **HEAD)
    return clf.fit(X, y), X, y


def test_probabilities_blend_the_network_and_an_independently_fitted_companion(blended):
    clf, X, y = blended
    alone = SeqPoolClassifier(**HEAD).fit(X, y)  # the same network, fitted without one
    companion = SeqPoolClassifier(random_state=0, **HYDRA).fit(X, y)
    expected = 0.7 * alone.predict_proba(X) + 0.3 * companion.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(expected), atol=1e-10)
    assert list(clf.classes_) == ["a", "b", "c"]
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(1)])
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    # the companion is seeded by random_state where its own is None
    assert clf.companion_.random_state == 0 and clf.companion.random_state is None


def test_weights_zero_and_one_give_each_model_alone(blended):
    clf, X, y = blended
    head = SeqPoolClassifier(**HEAD).fit(X, y).predict_proba(X)
    zero = clone(clf).set_params(companion_weight=0.0).fit(X, y)
    one = clone(clf).set_params(companion_weight=1.0).fit(X, y)
    np.testing.assert_allclose(zero.predict_proba(X), head, atol=1e-12)
    np.testing.assert_allclose(one.predict_proba(X), one.companion_.predict_proba(X), atol=1e-12)


def test_an_encoder_name_is_a_ridge_readout_with_the_estimators_settings():
    X, y = _data()
    clf = SeqPoolClassifier(
        companion="hydra", class_weight="balanced", dtype="float64", **HEAD
    ).fit(X, y)
    params = clf.companion_.get_params()
    assert params["encoder"] == "hydra" and params["readout"] == "ridge"
    assert params["class_weight"] == "balanced" and params["n_threads"] == 1
    assert params["dtype"] == "float64" and params["random_state"] == 0
    assert params["companion"] is None


@pytest.mark.parametrize("companion", ["hydra", IdentityEncoder])
def test_regressor_predictions_blend_as_well(companion):
    X, _ = _data()
    y = X[:, 0, :5].mean(1) * 3.0 + 10.0
    w = np.linspace(0.5, 2.0, len(y))
    reg = SeqPoolRegressor(companion=companion, companion_weight=0.25, **HEAD)
    reg.fit(X, y, sample_weight=w)
    alone = SeqPoolRegressor(**HEAD).fit(X, y, sample_weight=w)
    encoder = "hydra" if companion == "hydra" else IdentityEncoder
    other = SeqPoolRegressor(encoder=encoder, readout="ridge", random_state=0)
    other.fit(X, y, sample_weight=w)  # the sample weights reach the companion
    expected = 0.75 * alone.predict(X) + 0.25 * other.predict(X)
    np.testing.assert_allclose(reg.predict(X), expected, rtol=0, atol=1e-9)


def test_a_random_state_instance_seeds_the_companion_reproducibly():
    X, y = _data()
    a = SeqPoolClassifier(companion="hydra", **{**HEAD, "random_state": np.random.RandomState(3)})
    b = clone(a).set_params(random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(a.fit(X, y).predict_proba(X), b.fit(X, y).predict_proba(X))
    assert isinstance(a.companion_.random_state, int)
    # the companion's seed is drawn from a copy: the network draws as it would without one
    alone = SeqPoolClassifier(**{**HEAD, "random_state": np.random.RandomState(3)}).fit(X, y)
    zero = clone(a).set_params(random_state=np.random.RandomState(3), companion_weight=0.0)
    np.testing.assert_array_equal(zero.fit(X, y).predict_proba(X), alone.predict_proba(X))


def test_companion_parameters_are_grid_searchable(blended):
    clf, X, y = blended
    assert clf.get_params()["companion__encoder_channels"] == 4
    grid = GridSearchCV(clone(clf), {"companion__encoder_channels": [2, 4]}, cv=2).fit(X, y)
    assert grid.best_estimator_.companion_.encoder_channels in (2, 4)
    assert grid.best_estimator_.companion.encoder_channels in (2, 4)


def test_partial_fit_trains_the_network_alone_and_initialize_fits_no_companion(blended):
    clf, X, y = blended
    fitted = pickle.loads(pickle.dumps(clf))
    kept = fitted.companion_
    fitted.partial_fit(X, y)
    assert fitted.companion_ is kept
    fresh = clone(clf).partial_fit(X, y, classes=np.unique(y))
    assert fresh.companion_ is None  # predicts with its network alone
    head = fresh._network_proba(fresh._validate_predict(X))
    np.testing.assert_array_equal(fresh.predict_proba(X), head)
    assert clone(clf).initialize(X, y).companion_ is None


def test_pickle_keeps_the_companion(blended):
    clf, X, _ = blended
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_skops_keeps_the_companion(blended, tmp_path):
    sio = pytest.importorskip("skops.io")
    clf, X, _ = blended
    sio.dump(clf, tmp_path / "m.skops")
    trusted = ["seqpool_sklearn._estimators.SeqPoolClassifier"]
    assert sio.get_untrusted_types(file=tmp_path / "m.skops") == trusted
    loaded = sio.load(tmp_path / "m.skops", trusted=trusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("what", ["explain", "save_params", "deletion_score"])
def test_what_covers_the_network_alone_refuses_a_companion(blended, what, tmp_path):
    clf, X, y = blended
    calls = {
        "explain": lambda: clf.explain(X[:2]),
        "save_params": lambda: clf.save_params(f_params=tmp_path / "p.pt"),
        "deletion_score": lambda: deletion_score(clf, X[:2]),
    }
    with pytest.raises(ValueError, match=r"network alone.*companion=None"):
        calls[what]()
    assert not any(tmp_path.iterdir())


def test_bad_companions_are_refused_with_what_was_expected():
    X, y = _data()
    with pytest.raises(ValueError, match="Did you mean 'hydra'"):
        SeqPoolClassifier(companion="hydr", **HEAD).fit(X, y)
    with pytest.raises(TypeError, match="or a SeqPoolClassifier instance; got LogisticRegression"):
        SeqPoolClassifier(companion=LogisticRegression(), **HEAD).fit(X, y)
    with pytest.raises(TypeError, match="or a SeqPoolRegressor instance; got SeqPoolClassifier"):
        SeqPoolRegressor(companion=SeqPoolClassifier(), **HEAD).fit(X, X[:, 0, 0])
    with pytest.raises(ValueError, match="companion's companion must be None"):
        SeqPoolClassifier(companion=SeqPoolClassifier(companion="hydra"), **HEAD).fit(X, y)
    with pytest.raises(ValueError, match=r"companion='conv' failed: .*ConvEncoder\) is trained"):
        SeqPoolClassifier(companion="conv", **HEAD).fit(X, y)
    with pytest.raises(ValueError, match=r"companion_weight.*range \[0.0, 1.0\]"):
        SeqPoolClassifier(companion="hydra", companion_weight=1.5, **HEAD).fit(X, y)


def test_a_failing_companion_leaves_the_estimator_as_it_was():
    X, y = _data()
    before = X.copy()
    bad = SeqPoolClassifier(
        encoder=None, companion=SeqPoolClassifier(encoder="conv", readout="ridge"), **HEAD
    )
    with pytest.raises(ValueError, match=r"Fitting companion=SeqPoolClassifier.*failed: "):
        bad.fit(X, y)
    assert not hasattr(bad, "net_") and not hasattr(bad, "companion_")
    np.testing.assert_array_equal(X, before)


def test_the_weight_is_checked_and_taken_at_predict_without_refitting(blended, tmp_path):
    clf, X, y = blended
    clf = pickle.loads(pickle.dumps(clf))
    head = clf._network_proba(clf._validate_predict(X))
    theirs = clf.companion_.predict_proba(X)
    clf.set_params(companion_weight=0.6)
    np.testing.assert_allclose(clf.predict_proba(X), 0.4 * head + 0.6 * theirs, atol=1e-12)
    for bad in (5.0, float("nan"), True):
        clf.set_params(companion_weight=bad)
        with pytest.raises(ValueError, match="companion_weight"):
            clf.predict_proba(X)
        with pytest.raises(ValueError, match="companion_weight"):
            clf.export(tmp_path / "m.pt", format="torchscript")
    assert not any(tmp_path.iterdir())


def test_log_probabilities_are_the_log_of_the_blend_and_stay_finite(blended):
    clf, X, y = blended
    clf = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), atol=1e-12)
    far = X * 1e4  # probabilities that underflow to 0 in one model or both
    network = clf._network_log_proba(clf._validate_predict(far))
    assert np.isfinite(clf.predict_log_proba(far)).all()
    clf.set_params(companion_weight=0.0)
    np.testing.assert_array_equal(clf.predict_log_proba(far), network)


def test_continued_fits_ignore_the_companion_parameters(blended):
    clf, X, y = blended
    clf = pickle.loads(pickle.dumps(clf))
    kept = clf.companion_
    clf.set_params(companion_weight=0.6, companion="hydra").partial_fit(X, y)
    assert clf.companion_ is kept
    # a network built before the companion parameters existed (an older pickle)
    for key in ("companion", "companion_weight"):
        clf.net_.built_params_.pop(key)
    clf.set_params(companion=None, companion_weight=0.5).partial_fit(X, y)
    warm = clf.set_params(warm_start=True).fit(X, y)
    assert warm.companion_ is None and warm.n_iter_ == HEAD["max_epochs"]


def test_a_companion_that_cannot_be_fitted_is_refused_before_the_network_trains():
    X, y = _data()
    epochs = []

    class Count(Callback):
        def on_epoch_end(self, net, **kwargs):
            epochs.append(1)

    bad = SeqPoolClassifier(companion=SeqPoolClassifier(lr=-1.0), callbacks=[Count()], **HEAD)
    with pytest.raises(ValueError, match=r"Fitting companion=SeqPoolClassifier\(lr=-1.0\) failed"):
        bad.fit(X, y)
    assert epochs == []
    SeqPoolClassifier(callbacks=[Count()], **HEAD).fit(X, y)
    assert len(epochs) == HEAD["max_epochs"]


def test_classes_that_are_no_encoder_are_refused_in_the_companions_words():
    X, y = _data()
    with pytest.raises(TypeError, match=r"got the class SeqPoolClassifier\. Pass an instance"):
        SeqPoolClassifier(companion=SeqPoolClassifier, **HEAD).fit(X, y)
    with pytest.raises(TypeError, match=r"companion must be None, .*got the class Ridge\.$"):
        SeqPoolClassifier(companion=Ridge, **HEAD).fit(X, y)


def test_the_companions_refusal_at_predict_names_the_companion():
    X, y = _data()
    windowed = SeqPoolClassifier(encoder=None, readout="ridge", window=4)
    clf = SeqPoolClassifier(companion=windowed, **HEAD).fit(X, y)
    longer = np.concatenate([X, X], axis=2)
    with pytest.raises(ValueError, match=r"^Predicting with companion=SeqPoolClassifier\("):
        clf.predict(longer)


def test_data_warnings_are_given_once_not_again_by_the_companion():
    X, y = _data()
    channels_last = np.ascontiguousarray(X.transpose(0, 2, 1))[:, :, :2]  # (n, 20, 2)
    counts = []
    for companion in (None, "hydra"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = SeqPoolClassifier(companion=companion, **HEAD).fit(channels_last, y)
            clf.predict(channels_last)
        counts.append(sum(issubclass(w.category, LayoutWarning) for w in caught))
    assert counts[0] >= 1 and counts[1] == counts[0]


def test_compare_heads_warns_that_a_companion_dilutes_the_heads(blended):
    clf, X, y = blended
    with pytest.warns(UserWarning, match=r"companion=None to compare the heads alone"):
        result = compare_heads(clone(clf), X, y, pools=["avg"], cv=2)
    assert set(result.results["order"]) == {"pool_first", "decode_first"}


def test_compare_heads_finds_a_pipeline_step_named_companion():
    from sklearn.pipeline import Pipeline

    X, y = _data()
    pipe = Pipeline([("companion", SeqPoolClassifier(**HEAD))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no companion: no warning
        result = compare_heads(pipe, X, y, pools=["avg"], cv=2)
    assert set(result.results["order"]) == {"pool_first", "decode_first"}
