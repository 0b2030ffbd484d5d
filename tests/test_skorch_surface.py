"""skorch's keywords and callbacks: applied where they can be, refused where they would not be.

A parameter changed after a fit reaches a continued fit or is refused by name; skorch
keywords and callbacks the estimators would ignore or misread (a dataset, inferred module
sizes, DataLoader keywords to the default batch iterator, string-scored EpochScoring,
an LRScheduler under the cosine schedule) are refused before training; the errors of a
fit with early stopping are the fit's own.
"""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, EpochScoring, LRScheduler
from torch.utils.data import DataLoader

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

TINY = {
    "encoder": "conv",
    "encoder_channels": 4,
    "hidden_size": 8,
    "max_epochs": 2,
    "random_state": 0,
    "n_threads": 1,
}


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2, 16)).astype(np.float32)
    y = np.arange(n) % 2
    X[y == 1] += 0.3
    return X, y


class Spy(Callback):
    """Record the optimizer's settings and the batch sizes of every training batch."""

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            group = net.optimizer_.param_groups[0]
            net.history.record_batch("used_lr", group["lr"])
            net.history.record_batch("used_wd", group["weight_decay"])
            net.history.record_batch("used_p", net.module_.head.dropout.p)


def _batches(est, key):
    return [[b[key] for b in epoch["batches"] if key in b] for epoch in est.history_]


# ------------------------------------------------------------- continued fits
def test_a_continued_fit_applies_lr_optimizer_keywords_batch_size_and_dropout():
    X, y = _data()
    est = SeqPoolClassifier(
        warm_start=True, lr_schedule="constant", callbacks=[("spy", Spy())], **TINY
    ).fit(X, y)
    est.set_params(lr=0.05, optimizer__weight_decay=0.5, batch_size=8, dropout=0.1)
    est.fit(X, y)
    lrs, wds = _batches(est, "used_lr"), _batches(est, "used_wd")
    assert set(lrs[0] + lrs[1]) == {0.0003} and set(lrs[2] + lrs[3]) == {0.05}
    assert set(wds[0]) == {0} and set(wds[3]) == {0.5}
    assert set(_batches(est, "used_p")[3]) == {0.1}
    assert [len(e["batches"]) for e in est.history_] == [2, 2, 5, 5]
    # and partial_fit alike
    est.set_params(lr=0.02)
    est.partial_fit(X, y)
    assert set(_batches(est, "used_lr")[4]) == {0.02}


def test_a_refused_continued_fit_leaves_the_next_one_free():
    # the network put back after a failed call held copies of the callbacks, which then
    # read as "changed": every later continued fit was refused
    X, y = _data()
    for call in ("fit", "partial_fit"):
        est = SeqPoolClassifier(warm_start=True, callbacks=[("spy", Spy())], **TINY)
        est.partial_fit(X, y, classes=[0, 1]) if call == "partial_fit" else est.fit(X, y)
        est.set_params(hidden_size=16)
        with pytest.raises(ValueError, match=r"hidden_size \(8 -> 16\)"):
            getattr(est, call)(X, y)
        est.set_params(hidden_size=8)
        getattr(est, call)(X, y)  # set back: continues


def test_an_lr_set_before_saving_reaches_the_continued_fit_after_loading():
    X, y = _data()
    est = SeqPoolClassifier(
        warm_start=True, lr_schedule="constant", callbacks=[("spy", Spy())], **TINY
    ).fit(X, y)
    est.set_params(lr=0.01)
    loaded = SeqPoolClassifier.__new__(SeqPoolClassifier)
    loaded.__setstate__(est.__getstate__())
    for model in (est, loaded):
        model.fit(X, y)
        assert set(_batches(model, "used_lr")[-1]) == {0.01}
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_a_continued_fit_prints_after_set_params_verbose(capsys):
    X, y = _data()
    est = SeqPoolClassifier(warm_start=True, **TINY).fit(X, y)
    assert capsys.readouterr().out == ""
    est.set_params(verbose=1).fit(X, y)
    assert "train_loss" in capsys.readouterr().out


@pytest.mark.parametrize(
    "change",
    [
        {"lr_schedule": "constant"},
        {"patience": 1},
        {"optimizer": torch.optim.SGD},
        {"callbacks": []},
        {"hidden_size": 16},
        {"module__activation": None},
        {"optimizer__not_a_group_key": 1},
        {"label_smoothing": 0.1},
    ],
)
def test_a_continued_fit_refuses_what_the_built_network_cannot_take(change):
    X, y = _data()
    est = SeqPoolClassifier(warm_start=True, callbacks=[("spy", Spy())], **TINY).fit(X, y)
    proba = est.predict_proba(X)
    (name,) = change
    est.set_params(**change)
    refused = rf"warm_start=True continues .*{name} \(.*warm_start=False"
    with pytest.raises(ValueError, match=refused):
        est.fit(X, y)
    with pytest.raises(ValueError, match=rf"partial_fit continues .*{name} \("):
        est.partial_fit(X, y)
    assert len(est.history_) == 2  # untouched
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    if name != "optimizer__not_a_group_key":
        est.set_params(warm_start=False).fit(X, y)  # a new network takes them


# ------------------------------------------------------------- refused keywords
def test_an_lr_scheduler_is_refused_under_the_cosine_schedule():
    X, y = _data()
    step = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    with pytest.raises(ValueError, match=r"callbacks\[0\] is a skorch LRScheduler.*'constant'"):
        SeqPoolClassifier(callbacks=[step], lr=0.01, **TINY).fit(X, y)
    est = SeqPoolClassifier(callbacks=[step], lr=0.01, lr_schedule="constant", **TINY)
    assert est.fit(X, y).history_[:, "event_lr"] == [0.01, 0.005]


def test_a_callback_switched_off_by_name_is_not_refused():
    X, y = _data()
    sched = ("sched", LRScheduler(policy="StepLR", step_size=1, gamma=0.5))
    est = SeqPoolClassifier(callbacks=[sched], callbacks__sched=None, **TINY).fit(X, y)
    assert est.n_iter_ == TINY["max_epochs"]


def test_the_dataset_keywords_are_refused():
    X, y = _data()
    for kw in ({"dataset__foo": 1}, {"dataset": torch.utils.data.TensorDataset}):
        with pytest.raises(ValueError, match=r"does not take dataset.*whole tensors"):
            SeqPoolClassifier(**kw, **TINY).fit(X, y)


@pytest.mark.parametrize(
    ("cls", "scoring"),
    [
        (SeqPoolClassifier, "accuracy"),
        (SeqPoolClassifier, "r2"),
        (SeqPoolClassifier, None),
        (SeqPoolRegressor, "neg_mean_squared_error"),
        (SeqPoolRegressor, None),
    ],
)
def test_an_epoch_scoring_by_name_is_refused(cls, scoring):
    X, y = _data()
    with pytest.raises(ValueError, match=r"EpochScoring with scoring=.*raw outputs.*valid_score"):
        cls(callbacks=[EpochScoring(scoring, on_train=True)], **TINY).fit(X, y.astype(float))


@pytest.mark.parametrize("cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_a_callback_of_ones_own_is_taken_by_both_estimators(cls):
    # the check of scoring callbacks read .scoring from every callback of the regressor
    X, y = _data()
    cls(callbacks=[Callback()], **TINY).fit(X, y.astype(float))


def test_the_regressors_scale_free_epoch_scores_are_taken():
    # R² does not change with the internal target scale: it scored right, and was refused
    X, _ = _data()
    y = X[:, 0].mean(axis=1) * 50 + 10
    est = SeqPoolRegressor(
        patience=5, callbacks=[EpochScoring("r2", lower_is_better=False)], **TINY
    ).fit(X, y)
    history = est.training_history()
    np.testing.assert_allclose(history["r2"], history["valid_score"], atol=1e-6)


@pytest.mark.parametrize("key", ["module__n_outputs", "module__n_channels", "module__n_timesteps"])
def test_module_sizes_inferred_from_the_data_are_refused(key):
    X, y = _data()
    with pytest.raises(ValueError, match=rf"{key} is set by SeqPoolRegressor from the data"):
        SeqPoolRegressor(**{key: 3}, **TINY).fit(X, y.astype(float))


@pytest.mark.parametrize(
    "key, hint",
    [
        ("iterator_train__num_workers", ""),
        ("iterator_train__pin_memory", ""),
        ("iterator_train__collate_fn", ""),
        ("iterator_train__batch_sze", "Did you mean 'batch_size'"),
        ("iterator_valid__foo", ""),
    ],
)
def test_dataloader_keywords_to_the_default_batch_iterator_are_refused(key, hint):
    X, y = _data()
    param = key.split("__")[0]
    with pytest.raises(ValueError, match=rf"{key}=.*default batch iterator.*{hint}") as info:
        SeqPoolClassifier(**{key: 0}, **TINY).fit(X, y)
    assert f"{param}=torch.utils.data.DataLoader" in str(info.value)
    # with a DataLoader the keyword is the DataLoader's
    SeqPoolClassifier(**{param: DataLoader, key: 0}, **TINY)._check_params()


def test_train_split_none_with_patience_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match=r"patience=2 stops early.*train_split=None"):
        SeqPoolClassifier(patience=2, train_split=None, **TINY).fit(X, y)


def test_a_fit_that_would_take_no_step_is_refused():
    X, y = _data()
    for patience in (None, 2):
        est = SeqPoolClassifier(
            batch_size=64, iterator_train__drop_last=True, patience=patience, **TINY
        )
        with pytest.raises(ValueError, match=r"yields no batch: \d+ training series.*=64"):
            est.fit(X, y)
        assert not hasattr(est, "net_")


# ------------------------------------------------------------- training with skorch
def test_an_error_before_the_first_epoch_is_not_replaced_by_early_stoppings():
    X, y = _data()
    # the DataLoader refuses the keyword when the training iterator is built, before the
    # first epoch: early stopping's on_train_end then finds no epoch to read
    est = SeqPoolClassifier(
        patience=2, iterator_train=DataLoader, iterator_train__not_a_keyword=1, **TINY
    )
    with pytest.raises(TypeError, match="not_a_keyword"):
        est.fit(X, y)


def test_a_dataloader_trains_on_weighted_samples_as_the_batch_iterator():
    X, y = _data()
    w = np.linspace(1, 2, len(y))
    kw = {**TINY, "iterator_train__shuffle": False, "patience": 3}
    loader = SeqPoolClassifier(iterator_train=DataLoader, **kw).fit(X, y, sample_weight=w)
    batches = SeqPoolClassifier(**kw).fit(X, y, sample_weight=w)
    for key in ("train_loss", "valid_loss", "valid_score"):
        np.testing.assert_allclose(loader.history_[:, key], batches.history_[:, key], rtol=1e-6)


def test_the_epoch_where_early_stopping_fires_is_printed_and_scored_whole(capsys):
    X, y = _data()
    est = SeqPoolClassifier(**{**TINY, "max_epochs": 30}, patience=1, lr=1e-7, verbose=1).fit(X, y)
    last = len(est.history_)
    assert last < 30
    assert not np.isnan(est.history_[-1, "valid_score"])
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert str(last) in rows
