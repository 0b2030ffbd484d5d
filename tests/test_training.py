"""The fast training path keeps skorch's semantics.

``SeqPoolNet`` trains from whole tensors (``TensorData`` + ``TensorBatches``) and trims
skorch's per-batch Python work: module modes are switched only when they change,
per-batch events skip callbacks that do not override them, history writes go straight
to the current epoch, and the default ``print_log`` skips its table when it prints
nothing. These tests pin down what a user of skorch would notice: the training itself
(bitwise the hand-written PyTorch loop), callbacks, history, validation split, early
stopping with restored weights, shuffling, train/eval modes, printing, the learning-rate
schedule and the thread setting.
"""

import math

import numpy as np
import pytest
import torch
from _threads import caller_threads
from sklearn.utils import check_random_state
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, SeqPoolModule
from seqpool_sklearn._net import SeqPoolHistory, TensorBatches, TensorData

TINY = {"encoder_channels": 4, "hidden_size": 8, "batch_size": 16, "lr": 0.01, "dropout": 0.0}


def _data(n=50, c=2, t=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > 0).astype(np.int64)
    return X, y


class Events(Callback):
    """Record every event a callback can receive, with the module's mode at batch end."""

    def initialize(self):
        self.log_ = []
        return self

    def on_train_begin(self, net, **kwargs):
        self.log_.append("train_begin")

    def on_epoch_begin(self, net, **kwargs):
        self.log_.append("epoch_begin")

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        self.log_.append(("batch_begin", training, len(batch[0])))

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.log_.append(("grad", sum(1 for _ in named_parameters)))

    def on_batch_end(self, net, batch=None, training=None, loss=None, y_pred=None, **kwargs):
        self.log_.append(("batch_end", training, net.module_.training, loss.item()))

    def on_epoch_end(self, net, **kwargs):
        self.log_.append("epoch_end")

    def on_train_end(self, net, **kwargs):
        self.log_.append("train_end")


def _callback(est, cls):
    return next(cb for _, cb in est.net_.callbacks_ if isinstance(cb, cls))


# ------------------------------------------------------------------ the training itself
@pytest.mark.parametrize("encoder", [None, "conv"])
def test_fit_trains_bitwise_like_a_hand_written_pytorch_loop(encoder):
    """Same seed, module, optimizer, permutations, batches and threads => the same weights."""
    X, y = _data()
    est = SeqPoolClassifier(
        encoder=encoder, max_epochs=3, lr_schedule="constant", random_state=0, n_threads=1, **TINY
    ).fit(X, y)

    seed = int(check_random_state(0).randint(np.iinfo(np.int32).max))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = SeqPoolModule(
            2, 2, 12, encoder=encoder, encoder_channels=4, hidden_size=8
        )  # built first in fit too: the same draws from the generator
    # the estimator's Adam runs torch's fused update (optimizer__fused=False opts out)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, fused=True)
    generator = torch.Generator().manual_seed(seed)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    model.train()
    with caller_threads(1):  # the estimator's n_threads: kernels split their sums by thread
        for _ in range(3):
            perm = torch.randperm(len(X_t), generator=generator)
            Xp, yp = X_t[perm], y_t[perm]
            for start in range(0, len(X_t), 16):
                optimizer.zero_grad()
                # the classifier's default loss: cross-entropy with label smoothing 0.05
                loss = torch.nn.functional.cross_entropy(
                    model(Xp[start : start + 16]), yp[start : start + 16], label_smoothing=0.05
                )
                loss.backward()
                optimizer.step()
    ours = est.module_.state_dict()
    for name, value in model.state_dict().items():
        assert torch.equal(ours[name], value), name


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"fused": True}),
        ({"optimizer": torch.optim.AdamW}, {"fused": True}),
        ({"optimizer__fused": False}, {"fused": False}),
        ({"optimizer__foreach": True}, {"fused": None, "foreach": True}),
        ({"optimizer": torch.optim.SGD}, {"foreach": None}),
    ],
)
def test_adam_takes_torchs_fused_update_unless_told_otherwise(params, expected):
    X, y = _data()
    est = SeqPoolClassifier(max_epochs=1, random_state=0, n_threads=1, **TINY, **params)
    group = est.fit(X, y).net_.optimizer_.param_groups[0]
    for name, value in expected.items():
        assert group[name] == value, (name, group[name])
    if params.get("optimizer__fused") is False:
        # the opt-out trains exactly as torch's default (for-loop) Adam
        plain = SeqPoolClassifier(
            max_epochs=1, random_state=0, n_threads=1, optimizer__foreach=False, **TINY
        ).fit(X, y)
        for name, value in plain.module_.state_dict().items():
            assert torch.equal(est.module_.state_dict()[name], value), name


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_label_smoothing_sets_the_cross_entropys_smoothing(smoothing):
    X, y = _data()
    est = SeqPoolClassifier(
        max_epochs=1, random_state=0, n_threads=1, label_smoothing=smoothing, **TINY
    ).fit(X, y)
    assert est.net_.criterion_.label_smoothing == smoothing
    # the loss the net trains on is torch's smoothed cross-entropy of the logits
    logits = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 1, 0, 1])
    expected = torch.nn.functional.cross_entropy(logits, target, label_smoothing=smoothing)
    assert torch.allclose(est.net_.get_loss(logits, target), expected)


def test_label_smoothing_holds_the_training_probabilities_back():
    """The smoothed loss is smallest at p = 1 - eps + eps / K, not at p = 1."""
    X, y = _data()
    X[:, 0] += np.where(y == 1, 2.0, -2.0)[:, None]  # separable
    top = {}
    for smoothing in (0.0, 0.3):
        est = SeqPoolClassifier(
            encoder=None,
            max_epochs=150,
            random_state=0,
            n_threads=1,
            label_smoothing=smoothing,
            hidden_size=8,
            lr=0.01,
            dropout=0.0,
            lr_schedule="constant",
        ).fit(X, y)
        top[smoothing] = est.predict_proba(X).max(axis=1)
        assert np.mean(est.predict(X) == y) == 1.0
    assert top[0.0].min() > 0.97
    assert top[0.3].max() < 0.90  # the optimum: 1 - 0.3 + 0.3 / 2 = 0.85


def test_class_weights_weigh_the_whole_smoothed_loss_of_a_series():
    X, y = _data()
    est = SeqPoolClassifier(
        max_epochs=1, random_state=0, n_threads=1, class_weight={0: 2.0, 1: 0.5}, **TINY
    ).fit(X, y)
    logits = torch.randn(6, 2, generator=torch.Generator().manual_seed(1))
    target = torch.tensor([0, 1, 1, 0, 1, 1])
    plain = est.net_.get_loss(logits, target)
    weighted = est.net_.get_loss(logits, (target, torch.ones(6)))
    # class weights weigh each series' whole smoothed loss: the matching sample weights
    per_sample = torch.nn.functional.cross_entropy(
        logits, target, label_smoothing=0.05, reduction="none"
    )
    w = torch.tensor([2.0, 0.5])[target]
    expected = (w * per_sample).sum() / w.sum()
    assert torch.allclose(plain, expected)
    assert torch.allclose(weighted, expected)


def test_label_smoothing_and_the_routed_criterion_keyword_are_refused_together():
    X, y = _data()
    est = SeqPoolClassifier(max_epochs=1, criterion__label_smoothing=0.2, **TINY)
    with pytest.raises(ValueError, match="pass label_smoothing= only"):
        est.fit(X, y)
    # without smoothing of its own the routed keyword is what the criterion gets
    est.set_params(label_smoothing=0.0).fit(X, y)
    assert est.net_.criterion_.label_smoothing == 0.2


@pytest.mark.parametrize("smoothing", [-0.1, 1.0, 1.5])
def test_label_smoothing_outside_0_1_is_refused(smoothing):
    X, y = _data()
    with pytest.raises(ValueError, match="label_smoothing"):
        SeqPoolClassifier(max_epochs=1, label_smoothing=smoothing, **TINY).fit(X, y)


def test_the_ridge_readout_ignores_label_smoothing():
    X, y = _data()
    probas = [
        SeqPoolClassifier(readout="ridge", random_state=0, label_smoothing=s, encoder_channels=84)
        .fit(X, y)
        .predict_proba(X)
        for s in (0.0, 0.3)
    ]
    np.testing.assert_array_equal(probas[0], probas[1])


# ------------------------------------------------------------------ callbacks and history
def test_callbacks_see_every_event_in_skorchs_order():
    X, y = _data(n=40)
    est = SeqPoolClassifier(max_epochs=2, callbacks=[Events()], random_state=0, **TINY)
    est.fit(X, y)
    log = _callback(est, Events).log_
    n_params = sum(1 for p in est.module_.parameters() if p.requires_grad)
    batch_sizes = [16, 16, 8]
    epoch = ["epoch_begin"]
    for size in batch_sizes:
        epoch += [("batch_begin", True, size), ("grad", n_params), ("batch_end", True, True)]
    epoch += ["epoch_end"]
    simplified = [e[:3] if isinstance(e, tuple) and e[0] == "batch_end" else e for e in log]
    assert simplified == ["train_begin"] + epoch * 2 + ["train_end"]
    losses = [e[3] for e in log if isinstance(e, tuple) and e[0] == "batch_end"]
    assert (
        losses
        == est.history_[:, "batches", :, "train_loss"][0]
        + est.history_[:, "batches", :, "train_loss"][1]
    )


def test_a_callback_overriding_one_batch_event_on_the_instance_is_called():
    class Plain(Callback):
        pass

    seen = []
    cb = Plain()
    X, y = _data(n=40)
    est = SeqPoolClassifier(max_epochs=2, callbacks=[cb], random_state=0, **TINY)
    est.fit(X, y)
    used = _callback(est, Plain)
    used.on_batch_end = lambda net, **kwargs: seen.append(kwargs["training"])
    est.net_.partial_fit(torch.from_numpy(X), torch.from_numpy(y), epochs=1)
    assert seen == [True, True, True]


def test_history_has_skorchs_layout_and_fancy_indexing():
    X, y = _data(n=40)
    est = SeqPoolClassifier(max_epochs=3, random_state=0, **TINY).fit(X, y)
    history = est.history_
    assert isinstance(history, SeqPoolHistory)
    assert history[:, "epoch"] == [1, 2, 3]
    assert history[-1, "train_batch_count"] == 3
    assert history[-1, "batches", :, "train_batch_size"] == [16, 16, 8]
    for row in history:
        sizes = [b["train_batch_size"] for b in row["batches"]]
        losses = [b["train_loss"] for b in row["batches"]]
        assert row["train_loss"] == pytest.approx(np.average(losses, weights=sizes))
        assert row["dur"] > 0
    assert history[0, "train_loss_best"] is True


def test_verbose_prints_the_epoch_table_and_silent_prints_nothing(capsys):
    X, y = _data(n=40)
    SeqPoolClassifier(max_epochs=2, random_state=0, **TINY).fit(X, y)
    assert capsys.readouterr().out == ""
    SeqPoolClassifier(max_epochs=2, verbose=1, random_state=0, **TINY).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert "train_loss" in lines[0] and len(lines) == 4  # header, rule, two epochs


# ------------------------------------------------------------------ validation and stopping
def test_validation_split_is_stratified_and_scored_in_eval_mode():
    X, y = _data(n=60)
    est = SeqPoolClassifier(
        max_epochs=2,
        patience=5,
        validation_fraction=0.2,
        callbacks=[Events()],
        random_state=0,
        **TINY,
    ).fit(X, y)
    assert est.history_[-1, "batches", :, "train_batch_size"] == [16, 16, 16]
    assert sum(est.history_[-1, "batches", :, "valid_batch_size"]) == 12
    dataset = est.net_.get_dataset(torch.from_numpy(X), torch.from_numpy(y))
    _, valid = est.net_.get_split_datasets(torch.from_numpy(X), torch.from_numpy(y))
    counts = np.bincount(y[valid.indices], minlength=2)
    assert abs(counts[0] - 12 * np.mean(y == 0)) <= 1  # stratified
    assert len(dataset) == 60
    ends = [e for e in _callback(est, Events).log_ if isinstance(e, tuple) and e[0] == "batch_end"]
    assert all(mode == training for _, training, mode, _ in ends)  # eval for validation
    assert any(not training for _, training, _, _ in ends)


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    # Random labels: the validation loss soon rises, so training stops after the best epoch.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3, 10)).astype(np.float32)
    y = rng.integers(0, 2, 80)
    est = SeqPoolClassifier(
        encoder=None,
        hidden_size=32,
        max_epochs=200,
        lr=0.05,
        batch_size=16,
        patience=3,
        random_state=0,
    ).fit(X, y)
    valid_loss = est.history_[:, "valid_loss"]
    best = int(np.argmin(valid_loss))
    assert est.n_iter_ == best + 1 + 3 < 200  # stopped ``patience`` epochs after the best

    # Score the restored network on the same validation split, as skorch did.
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    _, valid = est.net_.get_split_datasets(X_t, y_t)
    est.net_.module_.eval()
    with torch.no_grad():
        total = sum(
            est.net_.get_loss(est.net_.infer(xb), yb).item() * len(xb)
            for xb, yb in TensorBatches(valid, batch_size=16)
        )
    assert total / len(valid) == pytest.approx(valid_loss[best], rel=1e-5)
    assert total / len(valid) < valid_loss[-1]


# ------------------------------------------------------------------ batches
def test_tensor_batches_cover_every_sample_once_per_epoch_in_order_or_shuffled():
    X = torch.arange(10.0).reshape(10, 1, 1)
    y = torch.arange(10)
    plain = list(TensorBatches(TensorData(X, y), batch_size=4))
    assert [b[1].tolist() for b in plain] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(TensorBatches(TensorData(X, y), batch_size=4)) == 3

    it = TensorBatches(TensorData(X, y), batch_size=4, shuffle=True, generator=torch.Generator())
    it.generator.manual_seed(7)
    epochs = [torch.cat([b[1] for b in it]).tolist() for _ in range(2)]
    assert all(sorted(e) == list(range(10)) for e in epochs)
    assert epochs[0] != epochs[1]  # a new permutation every pass
    for e in epochs:  # X and y stay paired
        assert e == [int(v) for v in torch.cat([b[0] for b in plain]).flatten()[e].tolist()]

    again = TensorBatches(TensorData(X, y), batch_size=4, shuffle=True, generator=torch.Generator())
    again.generator.manual_seed(7)
    assert [torch.cat([b[1] for b in again]).tolist() for _ in range(2)] == epochs
    other = TensorBatches(TensorData(X, y), batch_size=4, shuffle=True, generator=torch.Generator())
    other.generator.manual_seed(8)
    assert torch.cat([b[1] for b in other]).tolist() != epochs[0]


def test_shuffling_follows_random_state():
    X, y = _data(n=40)

    def losses(seed):
        est = SeqPoolClassifier(max_epochs=2, random_state=seed, **TINY).fit(X, y)
        return est.history_[:, "batches", :, "train_loss"]

    assert losses(0) == losses(0)
    assert losses(0) != losses(1)


def test_subset_batches_are_gathered_once_and_keep_pairs():
    X = torch.arange(12.0).reshape(12, 1, 1)
    y = torch.arange(12)
    subset = torch.utils.data.Subset(TensorData(X, y), [3, 1, 10, 7])
    batches = list(TensorBatches(subset, batch_size=3))
    assert [b[1].tolist() for b in batches] == [[3, 1, 10], [7]]
    assert batches[0][0].flatten().tolist() == [3.0, 1.0, 10.0]
    with pytest.raises(TypeError, match="TensorData"):
        TensorBatches([(1, 2)], batch_size=2)


# ------------------------------------------------------------------ modes, schedule, threads
def test_a_callback_switching_to_eval_mode_does_not_leak_into_the_next_training_batch():
    class EvalAfterBatch(Callback):
        def on_batch_end(self, net, training=None, **kwargs):
            net.module_.eval()

    class ModeAtForward(Callback):
        def initialize(self):
            self.modes_ = []
            return self

        def on_grad_computed(self, net, **kwargs):
            self.modes_.append(net.module_.training)

    X, y = _data(n=40)
    est = SeqPoolClassifier(
        max_epochs=2, callbacks=[EvalAfterBatch(), ModeAtForward()], random_state=0, **TINY
    ).fit(X, y)
    assert _callback(est, ModeAtForward).modes_ == [True] * 6


def test_cosine_schedule_follows_the_formula_and_restarts_on_warm_start():
    X, y = _data(n=40)
    est = SeqPoolClassifier(max_epochs=4, lr_schedule="cosine", random_state=0, **TINY)
    est.fit(X, y)
    expected = [0.01 * 0.5 * (1 + math.cos(math.pi * e / 4)) for e in range(4)]
    assert est.history_[:, "lr"] == pytest.approx(expected)
    assert est.net_.optimizer_.param_groups[0]["lr"] == 0.01  # restored after training
    est.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert est.history_[:, "lr"][4:] == pytest.approx([0.01, 0.005])
    constant = SeqPoolClassifier(max_epochs=2, lr_schedule="constant", random_state=0, **TINY)
    assert "lr" not in constant.fit(X, y).history_[-1]


@pytest.mark.parametrize("n_threads", [1, 2])
def test_thread_setting_is_restored_after_fit_predict_and_a_failing_fit(n_threads):
    class Boom(Callback):
        def on_epoch_end(self, net, **kwargs):
            raise RuntimeError("boom")

    X, y = _data(n=40)
    before = torch.get_num_threads()
    caller = 2 if n_threads == 1 else 1
    torch.set_num_threads(caller)
    try:
        est = SeqPoolClassifier(max_epochs=1, n_threads=n_threads, random_state=0, **TINY)
        est.fit(X, y)
        assert torch.get_num_threads() == caller
        est.predict(X)
        assert torch.get_num_threads() == caller
        with pytest.raises(RuntimeError, match="boom"):
            est.set_params(callbacks=[Boom()]).fit(X, y)
        assert torch.get_num_threads() == caller
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("n_samples", "batch_size", "expected"),
    [(20, 32, 1000), (64, 32, 500), (320, 32, 100), (600, 32, 100), (100, 10, 100)],
)
def test_default_budget_is_at_least_1000_steps_and_100_epochs(n_samples, batch_size, expected):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 1, 12)).astype(np.float32)
    y = np.arange(n_samples) % 2
    est = SeqPoolClassifier(encoder=None, hidden_size=2, batch_size=batch_size, max_epochs=None)
    est.initialize(X, y)  # sets the budget without training
    assert est.net_.max_epochs == expected
    steps_per_epoch = -(-n_samples // batch_size)
    assert expected * steps_per_epoch >= 1000 or expected == 100


def test_explicit_max_epochs_wins_over_the_budget():
    X = np.random.default_rng(0).normal(size=(20, 1, 8)).astype(np.float32)
    est = SeqPoolClassifier(encoder=None, hidden_size=2, max_epochs=3, random_state=0)
    est.fit(X, np.arange(20) % 2)
    assert est.n_iter_ == 3 and len(est.history_) == 3


def test_drop_last_routed_to_the_batches_leaves_out_the_short_batch():
    # skorch routes iterator_train__drop_last to the batch iterator, which refused it
    # with a raw TypeError
    X = np.random.default_rng(0).normal(size=(40, 1, 20)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    kw = {"encoder": None, "max_epochs": 2, "batch_size": 16, "random_state": 0}
    kept = SeqPoolClassifier(**kw).fit(X, y)
    dropped = SeqPoolClassifier(**kw, iterator_train__drop_last=True).fit(X, y)
    assert len(kept.history_[-1, "batches"]) == 3  # 16 + 16 + 8
    assert len(dropped.history_[-1, "batches"]) == 2
    assert [b["train_batch_size"] for b in dropped.history_[-1, "batches"]] == [16, 16]


class _Recorder:
    """The parts of a net ``ValidScore`` reads: a history that keeps what is recorded."""

    def __init__(self):
        self.history = self
        self.recorded = {}

    def record(self, key, value):
        self.recorded[key] = value


def test_valid_score_is_scikit_learns_r2_and_accuracy_with_the_sample_weights():
    # it pooled the outputs by their spread and ignored the weights the loss reads
    from sklearn.metrics import accuracy_score, r2_score

    from seqpool_sklearn._net import ValidScore

    rng = np.random.default_rng(0)
    target = rng.normal(size=(30, 2)) * [1.0, 10.0]
    pred = target + rng.normal(size=(30, 2))
    w = rng.uniform(0.1, 3.0, size=30)
    cb, net = ValidScore("r2"), _Recorder()
    cb.on_epoch_begin(net)
    for part in (slice(0, 16), slice(16, 30)):  # two validation batches
        batch = (None, (torch.as_tensor(target[part]), torch.as_tensor(w[part])))
        cb.on_batch_end(net, batch=batch, training=False, y_pred=torch.as_tensor(pred[part]))
    cb.on_epoch_end(net)
    expected = r2_score(target, pred, sample_weight=w)
    assert net.recorded["valid_score"] == pytest.approx(expected, rel=1e-12)
    labels, logits = rng.integers(0, 3, size=30), torch.as_tensor(rng.normal(size=(30, 3)))
    cb, net = ValidScore("accuracy"), _Recorder()
    cb.on_epoch_begin(net)
    batch = (None, (torch.as_tensor(labels), torch.as_tensor(w)))
    cb.on_batch_end(net, batch=batch, training=False, y_pred=logits)
    cb.on_epoch_end(net)
    expected = accuracy_score(labels, logits.argmax(1).numpy(), sample_weight=w)
    assert net.recorded["valid_score"] == pytest.approx(expected, rel=1e-12)


def test_a_held_out_part_of_zero_weight_is_refused():
    # early stopping read a validation loss of exactly 0 at every epoch and silently
    # returned the model of the first epochs
    from seqpool_sklearn import SeqPoolRegressor

    X = np.random.default_rng(0).normal(size=(40, 1, 20)).astype(np.float32)
    y = X[:, 0].mean(axis=1)
    w = np.zeros(40)
    w[:4] = 1.0
    est = SeqPoolRegressor(encoder=None, patience=2, max_epochs=15, random_state=0)
    with pytest.raises(ValueError, match="every held-out series has sample weight 0"):
        est.fit(X, y, sample_weight=w)
