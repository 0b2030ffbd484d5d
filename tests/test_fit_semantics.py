"""Fit semantics a scikit-learn user relies on: no silent divergence, interrupts stop the fit,
a failed fit changes nothing, parameters changed after fit are validated, layouts are checked."""

import io
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn._net import TrainingDivergedError
from seqpool_sklearn._validation import LayoutWarning

TINY = {"encoder": None, "hidden_size": 4, "max_epochs": 3, "batch_size": 8, "random_state": 0}


def _data(n=24, c=1, t=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = np.arange(n) % 2
    X[y == 1, 0] += 1.0
    return X, y


class _Interrupt(Callback):
    """Press Ctrl-C during the given epoch."""

    def __init__(self, at_epoch=2):
        self.at_epoch = at_epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at_epoch:
            raise KeyboardInterrupt


def _weights(est):
    return {k: v.clone() for k, v in est.module_.state_dict().items()}


# ------------------------------------------------------------------------ divergence
def test_lp_pool_on_huge_values_trains_to_finite_predictions():
    # |h|^3 overflowed float32 at 1e13 and training diverged; lp is now taken relative
    # to each window's largest |h|
    X, y = _data()
    est = SeqPoolClassifier(pool="lp", **TINY).fit(X * 1e13, y)
    assert np.isfinite(est.predict_proba(X * 1e13)).all()


def test_a_diverging_fit_stops_with_a_clear_error_instead_of_nan_predictions():
    X, y = _data()
    est = SeqPoolClassifier(**{**TINY, "encoder": "conv", "encoder_channels": 4, "lr": 1e10})
    with pytest.raises(ValueError, match=r"diverged.*scale them.*lower it") as info:
        est.fit(X, y)
    assert isinstance(info.value, TrainingDivergedError)


def test_a_huge_learning_rate_stops_with_a_clear_error():
    X, y = _data()
    est = SeqPoolClassifier(encoder="conv", encoder_channels=4, lr=1e10, max_epochs=20)
    with pytest.raises(ValueError, match=r"lr=1.*too high"):
        est.set_params(random_state=0).fit(X, y)
    assert not hasattr(est, "net_")


def test_regression_targets_too_large_to_standardise_are_rejected():
    X, _ = _data()
    y = np.linspace(-1e200, 1e200, len(X))
    with pytest.raises(ValueError, match=r"too large to standardise.*1e\+200.*Rescale y"):
        SeqPoolRegressor(**TINY).fit(X, y)


# ------------------------------------------------------------------------ interrupts
def test_an_interrupt_stops_fit_and_leaves_a_fresh_estimator_unfitted():
    X, y = _data()
    est = SeqPoolClassifier(callbacks=[_Interrupt(2)], **{**TINY, "max_epochs": 10})
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(est))
    with pytest.raises(NotFittedError, match="not fitted"):
        est.predict(X)


def test_an_interrupted_warm_start_keeps_the_previous_model_untouched():
    X, y = _data()
    # a warm start keeps the callbacks of the fit that built the net: Ctrl-C at epoch 5,
    # the second epoch of the second fit
    est = SeqPoolClassifier(warm_start=True, callbacks=[_Interrupt(5)], **TINY).fit(X, y)
    before, proba, history = _weights(est), est.predict_proba(X), len(est.history_)
    assert history == 3
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    after = _weights(est)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert len(est.history_) == history and est.module_ is est.net_.module_
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_an_interrupt_propagates_through_a_grid_search():
    from sklearn.model_selection import GridSearchCV

    X, y = _data()
    est = SeqPoolClassifier(callbacks=[_Interrupt(1)], **TINY)
    with pytest.raises(KeyboardInterrupt):
        GridSearchCV(est, {"order": ["pool_first", "decode_first"]}, cv=2).fit(X, y)


# ------------------------------------------------------------------------ atomic fits
def test_a_failed_refit_leaves_the_previous_model_as_it_was():
    X, y = _data()
    est = SeqPoolClassifier(**TINY).fit(X, y)
    proba, net, attrs = est.predict_proba(X), est.net_, dict(vars(est))
    with pytest.raises(ValueError, match="diverged"):
        est.set_params(encoder="conv", encoder_channels=4, lr=1e10).fit(X, y)
    assert est.net_ is net and est.module_ is net.module_
    assert est.n_channels_in_ == attrs["n_channels_in_"]
    est.set_params(encoder=None, encoder_channels=None, lr=attrs["lr"])
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_a_rejected_warm_start_keeps_the_model_able_to_predict_its_training_data():
    X, y = _data(c=2)
    est = SeqPoolClassifier(warm_start=True, **TINY).fit(X, y)
    proba = est.predict_proba(X)
    X3 = np.concatenate([X, X[:, :1]], axis=1)  # a third channel
    with pytest.raises(ValueError):
        est.fit(X3, y)
    assert est.n_channels_in_ == 2
    np.testing.assert_array_equal(est.predict_proba(X), proba)


# ------------------------------------------------------------------------ parameters after fit
@pytest.mark.parametrize(("name", "value"), [("batch_size", 0), ("n_threads", 0)])
def test_parameters_that_predict_reads_are_validated_at_predict(name, value):
    X, y = _data()
    est = SeqPoolClassifier(**TINY).fit(X, y)
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        est.predict(X)


def test_a_new_window_after_fit_does_not_change_the_fitted_network():
    X, y = _data()
    est = SeqPoolClassifier(window=4, **TINY).fit(X, y)
    proba = est.predict_proba(X)
    est.set_params(window=3)  # takes effect at the next fit
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    with pytest.raises(ValueError, match=r"window=4.*expects 4 frames"):
        est.predict(X[:, :, :10])


def test_callbacks_must_be_skorch_callbacks():
    X, y = _data()
    with pytest.raises(TypeError, match=r"callbacks\[0\].*skorch callback.*got 1 of type int"):
        SeqPoolClassifier(callbacks=[1], **TINY).fit(X, y)
    with pytest.raises(TypeError, match=r"callbacks\[1\]"):
        SeqPoolClassifier(callbacks=[("ok", _Interrupt(99)), ("bad", "x")], **TINY).fit(X, y)


def test_patience_on_too_little_data_names_patience_and_validation_fraction():
    X, y = _data(n=5)
    with pytest.raises(ValueError, match=r"patience=2.*validation_fraction=0.1.*patience=None"):
        SeqPoolClassifier(patience=2, **TINY).fit(X, y)
    y3 = np.array([0, 0, 1, 1, 2, 2, 2, 0, 1, 3])  # class 3 has one sample
    X10, _ = _data(n=10)
    with pytest.raises(ValueError, match="single sample"):
        SeqPoolClassifier(patience=2, validation_fraction=0.4, **TINY).fit(X10, y3)


def test_load_params_of_another_configuration_names_the_mismatching_layers():
    X, y = _data()
    small = SeqPoolClassifier(**TINY).fit(X, y)
    buffer = io.BytesIO()
    small.save_params(f_params=buffer)
    wide = SeqPoolClassifier(**{**TINY, "hidden_size": 7}).fit(X, y)
    buffer.seek(0)
    with pytest.raises(ValueError, match=r"head\.decoder\.weight.*initialize\(X, y\)"):
        wide.load_params(f_params=buffer)


# ------------------------------------------------------------------------ layout
def test_channels_last_arrays_get_a_layout_warning():
    X, y = _data(c=3, t=20)
    with pytest.warns(LayoutWarning, match=r"transpose\(0, 2, 1\)"):
        SeqPoolClassifier(**TINY).fit(X.transpose(0, 2, 1), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        SeqPoolClassifier(**TINY).fit(X, y)
        SeqPoolClassifier(**TINY).fit(X[:, 0], y)  # 2D: univariate, never transposed
        wide = np.random.default_rng(0).normal(size=(24, 40, 30)).astype(np.float32)
        SeqPoolClassifier(**TINY).fit(wide, y)  # 40 feature maps of 30 steps: plausible


def test_layout_rule_holds_on_every_archive_dataset(ucr_home):
    """No warning on the archive's own layout; a warning on every transposed one."""
    from seqpool_sklearn import fetch_ucr, list_ucr
    from seqpool_sklearn._validation import check_sequences

    checked = 0
    for name in list_ucr(data_home=ucr_home):
        X, _ = fetch_ucr(name, split="train", data_home=ucr_home, download=False)
        X3 = check_sequences(X, name="test")
        n, c, t = X3.shape
        for shape, fires in (((n, c, t), False), ((n, t, c), True)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                est = SeqPoolClassifier(**TINY)
                est._fit_2d = False
                est._validate_X(np.zeros(shape, dtype=np.float32), reset=True)
            assert any(w.category is LayoutWarning for w in caught) == fires, (name, shape)
        checked += 1
    assert checked >= 20


def test_fit_never_mutates_the_callers_arrays():
    X, y = _data()
    X[0, 0, 3:] = np.nan
    X0, y0 = X.copy(), y.copy()
    est = SeqPoolClassifier(**TINY).fit(X, y)
    est.predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    pickle.loads(pickle.dumps(est)).predict(X)


def test_early_stopping_still_ends_training_quietly():
    """skorch's EarlyStopping stops by raising KeyboardInterrupt; that one is not an interrupt."""
    X, y = _data(n=40)
    est = SeqPoolClassifier(patience=2, lr=1e-12, **{**TINY, "max_epochs": 50}).fit(X, y)
    assert 3 <= est.n_iter_ < 50
    assert np.isfinite(est.predict_proba(X)).all()


# ------------------------------------------------------------------------ training feedback
def test_training_history_frame_and_validation_score_with_patience():
    X, y = _data(n=40)
    clf = SeqPoolClassifier(patience=3, **{**TINY, "max_epochs": 6}).fit(X, y)
    frame = clf.training_history()
    assert frame.columns[:4].tolist() == ["epoch", "train_loss", "valid_loss", "valid_score"]
    assert len(frame) == clf.n_iter_ and frame["epoch"].tolist() == list(range(1, len(frame) + 1))
    assert frame["valid_score"].between(0, 1).all()
    # the score is the accuracy on the held-out part: a multiple of 1/4 for 4 held-out series
    assert np.allclose((frame["valid_score"] * 4) % 1, 0)
    reg = SeqPoolRegressor(patience=3, **{**TINY, "max_epochs": 4}).fit(X, X[:, 0].mean(1))
    assert (
        "valid_score" in reg.training_history()
        and reg.training_history()["valid_score"].le(1).all()
    )
    no_split = SeqPoolClassifier(**TINY).fit(X, y).training_history()
    assert "valid_score" not in no_split and "valid_loss" not in no_split


def test_validation_r2_is_scikit_learns_and_nan_where_undefined():
    from types import SimpleNamespace

    from sklearn.metrics import r2_score

    from seqpool_sklearn._net import ValidScore

    def score(pred, target):
        recorded = {}
        net = SimpleNamespace(history=SimpleNamespace(record=recorded.__setitem__))
        cb = ValidScore("r2")
        cb.on_epoch_begin(net)
        cb.on_batch_end(net, batch=(None, torch.as_tensor(target)), training=False,
                        y_pred=torch.as_tensor(pred))  # fmt: skip
        cb.on_epoch_end(net)
        return recorded["valid_score"]

    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    assert score(pred, target) == pytest.approx(r2_score(target, pred))
    # one held-out series, or equal targets: undefined, not -1e12
    assert np.isnan(score(pred[:1], target[:1]))
    assert np.isnan(score(pred, np.full((6, 1), 3.0)))
    # an output of equal targets beside one that is not: the defined output's R² (the
    # undefined one made the whole score NaN)
    two = np.c_[target, np.zeros(6)]
    assert score(np.c_[pred, pred], two) == pytest.approx(r2_score(target, pred))
    X, _ = _data(n=5)
    reg = SeqPoolRegressor(patience=2, **{**TINY, "max_epochs": 3}).fit(X, X[:, 0].mean(1))
    assert reg.training_history()["valid_score"].isna().all()  # one series held out


def test_learning_curve_plot_has_loss_and_score():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, y = _data(n=40)
    ax = SeqPoolClassifier(patience=3, **{**TINY, "max_epochs": 4}).fit(X, y).plot_learning_curve()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["train loss", "validation loss", "validation accuracy"]


def test_verbose_output_is_plain_text_when_not_a_terminal(capsys):
    X, y = _data()
    SeqPoolClassifier(verbose=1, **TINY).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "\x1b[" not in out
