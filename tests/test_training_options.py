"""Training options against skorch's and scikit-learn's semantics: warm starts of the
regressor, skorch's load-side callbacks and scoring callbacks, the target scaling of
the regressor and the messages of continued fits."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score
from skorch.callbacks import (
    BatchScoring,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LoadInitState,
)

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

TINY = {"encoder": None, "hidden_size": 4, "lr": 0.05, "max_epochs": 3, "random_state": 0}


def _data(n=30, t=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1, t)).astype(np.float32)
    y = np.arange(n) % 2
    X[:, 0] += y[:, None] * 0.5
    return X, y


# ---------------------------------------------------------------- skorch's load callbacks
@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_checkpoint_load_best_with_a_frozen_encoder_loads_the_best_epoch(tmp_path, order):
    # a frozen encoder trains a head-only view: loading the whole module's state into
    # it mid-fit failed with torch's "Unexpected key(s) in state_dict"
    X, y = _data(n=20)
    kw = {
        "encoder": "minirocket",
        "encoder_channels": 84,
        "hidden_size": 4,
        "dropout": 0.0,
        "lr": 0.05,
        "lr_schedule": "constant",
        "order": order,
        "random_state": 0,
    }
    best = Checkpoint(
        dirname=str(tmp_path), monitor=lambda net: len(net.history) == 2, load_best=True
    )
    fitted = SeqPoolClassifier(**kw, max_epochs=4, callbacks=[best]).fit(X, y)
    # the second epoch's weights: those of a fit that stopped there
    two = SeqPoolClassifier(**kw, max_epochs=2).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), two.predict_proba(X))

    # a later fit starts from the checkpoint, with its history
    saved = Checkpoint(dirname=str(tmp_path), monitor="train_loss_best")
    resumed = SeqPoolClassifier(**kw, max_epochs=2, callbacks=[saved, LoadInitState(saved)])
    resumed.fit(X, y)
    assert len(resumed.history_) == 4


# ---------------------------------------------------------------- scoring callbacks
def test_scoring_callbacks_of_a_weighted_regressor_score_the_targets_alone():
    # with sample weights the targets are (y, weight) pairs, which skorch could not score
    X, _ = _data()
    t = X.mean(axis=(1, 2)).astype(np.float64)
    w = np.linspace(0.5, 2.0, len(t))
    seen = []

    def recorded_r2(net, X, y):
        seen.append(np.asarray(y))
        return r2_score(y, net.predict(X))

    callbacks = [
        EpochScoring("r2", lower_is_better=False, name="r2"),
        EpochScoring(recorded_r2, lower_is_better=False, name="recorded"),
    ]
    reg = SeqPoolRegressor(**TINY, patience=5, callbacks=callbacks).fit(X, t, sample_weight=w)
    history = reg.training_history()
    np.testing.assert_allclose(history["r2"], history["recorded"], rtol=1e-6)
    standard = ((t - reg._y_mean) / reg._y_scale).astype(np.float32)
    assert seen[-1].shape == (3, 1)  # the held-out part's targets, without the weights
    assert np.isin(seen[-1], standard).all()


def test_scoring_callbacks_of_a_weighted_classifier_score_the_labels_alone():
    X, y = _data()
    w = np.linspace(0.5, 2.0, len(y))
    seen = []

    def accuracy(net, X, labels):
        seen.append(np.asarray(labels))
        return accuracy_score(labels, net.predict(X).argmax(axis=1))

    callbacks = [
        EpochScoring(accuracy, on_train=True, name="epoch_accuracy"),
        BatchScoring(accuracy, on_train=True, name="batch_accuracy"),
    ]
    clf = SeqPoolClassifier(**TINY, callbacks=callbacks).fit(X, y, sample_weight=w)
    assert np.array_equal(np.sort(seen[-1]), np.sort(y))  # every label, once per epoch
    assert 0.0 <= clf.training_history()["epoch_accuracy"].iloc[-1] <= 1.0


# ---------------------------------------------------------------- no validation split
@pytest.mark.parametrize(
    "callback",
    [
        EarlyStopping(),
        ("stop", EarlyStopping(monitor="valid_score", lower_is_better=False)),
        Checkpoint(monitor="valid_loss_best"),
    ],
)
def test_callbacks_monitoring_validation_need_a_validation_split(callback):
    # skorch's raw "Key 'valid_loss' was not found in history"
    X, y = _data()
    clf = SeqPoolClassifier(**TINY, callbacks=[callback])
    with pytest.raises(ValueError, match=r"callbacks\[0\].*monitor='valid_.*Set patience="):
        clf.fit(X, y)
    clf.set_params(train_split=None)
    with pytest.raises(ValueError, match=r"monitor='valid_.*Set patience="):
        clf.fit(X, y)


def test_callbacks_monitoring_validation_run_with_patience_or_a_split():
    from skorch.dataset import ValidSplit

    X, y = _data()
    SeqPoolClassifier(**TINY, patience=2, callbacks=[("stop", EarlyStopping())]).fit(X, y)
    SeqPoolClassifier(**TINY, callbacks=[EarlyStopping()], train_split=ValidSplit(5)).fit(X, y)
    SeqPoolClassifier(**TINY, callbacks=[EarlyStopping(monitor="train_loss")]).fit(X, y)


# ---------------------------------------------------------------- partial_fit's messages
def test_partial_fit_after_fit_names_the_fitted_classes():
    X, y = _data()
    clf = SeqPoolClassifier(**TINY).fit(X, y)
    y3 = np.where(y == 1, 2, y)
    with pytest.raises(ValueError, match=r"labels \[2\] .*the classes the model was fitted with"):
        clf.partial_fit(X, y3)
    with pytest.raises(ValueError, match=r"differ from the classes the model was fitted with"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    first = SeqPoolClassifier(**TINY).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[2\] .*given to the first partial_fit call"):
        first.partial_fit(X, y3)
    with pytest.raises(ValueError, match=r"differ from the classes given to the first partial"):
        first.partial_fit(X, y, classes=[0, 1, 2])


# ---------------------------------------------------------------- the regressor's warm start
def test_regressor_warm_start_refuses_another_number_of_outputs():
    # the fitted network was dropped silently and the fit started anew
    X, _ = _data()
    t = X.mean(axis=(1, 2)).astype(np.float64)
    reg = SeqPoolRegressor(**TINY, warm_start=True).fit(X, t)
    proba = reg.predict(X)
    with pytest.raises(ValueError, match=r"warm_start=True but y has 2 output\(s\).* has 1"):
        reg.fit(X, np.c_[t, t])
    assert len(reg.history_) == 3 and reg.n_outputs_ == 1
    np.testing.assert_array_equal(reg.predict(X), proba)
    net = reg.net_
    reg.fit(X, t)  # the same outputs continue
    assert reg.net_ is net and len(reg.history_) == 6


def test_regressor_warm_start_keeps_the_fitted_target_scaling():
    # the new y's mean and spread reinterpreted the network's outputs before any step
    X, _ = _data()
    t = X.mean(axis=(1, 2)).astype(np.float64)
    reg = SeqPoolRegressor(**TINY, warm_start=True).fit(X, t)
    mean, scale, before = reg._y_mean, reg._y_scale, reg.predict(X)
    reg.set_params(lr=1e-12, max_epochs=1).fit(X, t * 100 + 50)
    assert reg._y_mean == mean and reg._y_scale == scale
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-6)
    # without warm_start, the new y is standardised anew
    cold = SeqPoolRegressor(**TINY).fit(X, t * 100 + 50)
    assert cold._y_mean != mean and cold._y_scale != scale


def test_warm_start_refuses_a_length_of_another_frame_count_before_training(monkeypatch):
    # the output layer's frame count was found out inside the training loop, in the
    # network's own words (no warm_start, no fitted length, no lengths it takes)
    X, y = _data(t=30)
    clf = SeqPoolClassifier(**TINY, window=8, dtype="float64", warm_start=True).fit(X, y)
    proba, history = clf.predict_proba(X), len(clf.history_)
    longer = np.concatenate([X, X[:, :, :10]], axis=2)  # 40 steps: 5 frames, not 4
    trained = []
    monkeypatch.setattr(type(clf), "_train", lambda self, *a, **k: trained.append(1))
    with pytest.raises(
        ValueError,
        match=r"X has 40 time steps, but warm_start=True continues the fitted network of "
        r"SeqPoolClassifier \(window=8\), built for series of 30 steps, whose output layer "
        r"expects 4 frames: series of 25 to 32 steps\..*warm_start=False",
    ):
        clf.fit(longer, y)
    assert trained == []  # refused before any training
    monkeypatch.undo()
    assert len(clf.history_) == history and clf.n_timesteps_in_ == 30
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    # a length of the same frame count continues the network
    net = clf.net_
    clf.fit(X[:, :, :26], y)
    assert clf.net_ is net and len(clf.history_) == history + 3


# ---------------------------------------------------------------- the regressor's targets
def test_regressor_standardises_targets_of_tiny_magnitude():
    # the squares of the deviations underflowed: the spread counted as 0, the targets
    # as constant
    X, _ = _data(n=40)
    t = X.mean(axis=(1, 2)).astype(np.float64) + 0.3
    reg = SeqPoolRegressor(**TINY)
    standard, _ = reg._encode_targets(t, len(t))
    tiny = SeqPoolRegressor(**TINY)
    standard_tiny, _ = tiny._encode_targets(t * 1e-170, len(t))
    np.testing.assert_allclose(standard_tiny.numpy(), standard.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tiny._y_scale, reg._y_scale * 1e-170, rtol=1e-12)
    kw = {**TINY, "activation": None, "dropout": 0.0, "hidden_size": 8, "max_epochs": 30}
    fitted = SeqPoolRegressor(**kw).fit(X, t * 1e-170)
    assert np.corrcoef(fitted.predict(X) * 1e170, t)[0, 1] > 0.9
    # the same training as on t, up to rounding
    plain = SeqPoolRegressor(**kw).fit(X, t)
    np.testing.assert_allclose(fitted.predict(X) * 1e170, plain.predict(X), rtol=1e-5)


def test_regressor_partial_fit_warns_when_the_first_y_fixes_no_spread():
    X, _ = _data()
    t = X.mean(axis=(1, 2)).astype(np.float64)
    with pytest.warns(UserWarning, match=r"first partial_fit call fixes the target scaling.*"
                      r"y has no spread in this call.*representative first batch"):  # fmt: skip
        SeqPoolRegressor(**TINY).partial_fit(X[:1], t[:1])
    with pytest.warns(UserWarning, match=r"output\(s\) \[1\] of y has no spread"):
        SeqPoolRegressor(**TINY).partial_fit(X, np.c_[t, np.ones_like(t)])
    # different targets, but only one of them weighs: no spread as the loss sees it
    weights = np.r_[1.0, np.zeros(len(t) - 1)]
    with pytest.warns(UserWarning, match=r"y has no spread in this call"):
        SeqPoolRegressor(**TINY).partial_fit(X, t, sample_weight=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = SeqPoolRegressor(**TINY).partial_fit(X, t)
        reg.partial_fit(X[:1], t[:1])  # later calls keep the first call's scaling
        SeqPoolRegressor(**TINY).fit(X[:2], np.ones(2))  # fit: no scaling carried on
        SeqPoolClassifier(**TINY).partial_fit(X[:1], [0], classes=[0, 1])
