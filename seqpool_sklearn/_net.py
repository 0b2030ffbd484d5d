"""The skorch side: a tensor dataset, a whole-batch iterator and the training net.

Training data are converted to one tensor (the estimator's ``dtype``) at fit start. The
iterator then cuts mini-batches by slicing (or, when shuffling, gathers each batch from
the pass's permutation) instead of fetching and collating samples one by one, which is
where plain skorch spends most of its per-epoch overhead on small sequence models. Everything
else -- callbacks, history, validation split, early stopping -- is skorch's own.
"""

from __future__ import annotations

import math
import sys
import threading
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, PrintLog
from skorch.dataset import get_len
from skorch.history import History
from skorch.utils import Ansi, TeeGenerator
from torch.utils.data import Dataset, Subset

from ._threads import resolve_n_threads


class _StopEarly(Exception):
    """Early stopping's end of training (skorch signals it with KeyboardInterrupt)."""


class TrainingDivergedError(ValueError):
    """Training produced a non-finite loss or weights; the estimator is left as it was.

    A subclass of :class:`ValueError`, like scikit-learn's errors for unusable input.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolClassifier, TrainingDivergedError
    >>> X = np.random.default_rng(0).normal(size=(20, 1, 30)).astype("float32")
    >>> clf = SeqPoolClassifier(
    ...     encoder="conv", encoder_channels=4, lr=1e10, max_epochs=20, random_state=0
    ... )
    >>> try:
    ...     clf.fit(X, np.arange(20) % 2)
    ... except TrainingDivergedError as exc:
    ...     print(str(exc)[:44])
    Training diverged: the train loss became nan
    >>> hasattr(clf, "net_")  # the failed fit left the estimator unfitted
    False
    """


class TensorData(Dataset):
    """Inputs, optional targets and optional sample weights held as whole tensors.

    With weights, an item's target is the pair ``(y, weight)`` and the net's loss
    is the weighted mean over the batch (see :meth:`SeqPoolNet.get_loss`).
    """

    def __init__(
        self, X: torch.Tensor, y: torch.Tensor | None = None, weight: torch.Tensor | None = None
    ):
        self.X = X
        self.y = y
        self.weight = weight

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i):
        y = self.y[i] if self.y is not None else torch.zeros(0)
        return self.X[i], (y if self.weight is None else (y, self.weight[i]))


class WeightedTargets:
    """A scoring callback's target extractor that leaves out the sample weights.

    With sample weights, a batch's target is the pair ``(y, weight)`` (see
    :class:`TensorData`); skorch's ``EpochScoring`` / ``BatchScoring`` score against
    ``extractor(y)``. Other targets go to ``extractor`` as they are.
    """

    def __init__(self, extractor):
        self.extractor = extractor

    def __call__(self, y):
        if isinstance(y, (tuple, list)) and len(y) == 2:
            y = y[0]
        return self.extractor(y)


def _resolve(dataset) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """Tensors behind a TensorData, or behind a Subset of one (validation splits)."""
    if isinstance(dataset, TensorData):
        return dataset.X, dataset.y, dataset.weight
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorData):
        idx = torch.as_tensor(dataset.indices, dtype=torch.long)
        base = dataset.dataset
        pick = [None if t is None else t[idx] for t in (base.y, base.weight)]
        return base.X[idx], pick[0], pick[1]
    raise TypeError(
        "TensorBatches iterates over a TensorData (or a Subset of one); got "
        f"{type(dataset).__name__}. Pass iterator_train=torch.utils.data.DataLoader "
        "to use a custom dataset."
    )


class TensorBatches:
    """Mini-batches by tensor slicing; drop-in for skorch's ``iterator_train``.

    Parameters
    ----------
    dataset : TensorData or Subset of TensorData
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation per pass (each batch gathered from it).
    generator : torch.Generator, optional
        Source of the permutation, for reproducible shuffling.
    drop_last : bool, default=False
        Leave out the last batch of a pass when it is smaller than ``batch_size``
        (as torch's ``DataLoader``; routed as ``iterator_train__drop_last``).
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 128,
        shuffle: bool = False,
        generator=None,
        drop_last: bool = False,
    ):
        self.X, self.y, self.weight = _resolve(dataset)
        self.batch_size = len(self.X) if batch_size in (-1, None) else int(batch_size)
        self.shuffle = shuffle
        self.generator = generator
        self.drop_last = bool(drop_last)

    def _stops(self) -> range:
        """Where the batches of a pass start."""
        n = len(self.X)
        end = n - n % self.batch_size if self.drop_last else n
        return range(0, end, self.batch_size)

    def __len__(self) -> int:
        return len(self._stops())

    def __iter__(self):
        X, y, w = self.X, self.y, self.weight
        if not self.shuffle:
            for start in self._stops():
                stop = start + self.batch_size
                yb = y[start:stop] if y is not None else None
                yield X[start:stop], (yb if w is None else (yb, w[start:stop]))
            return
        # each batch is gathered from the pass's permutation when the step needs it:
        # one index_select per batch, written where the step reads it (a permuted copy
        # of the whole set per pass took about three times as long)
        perm = torch.randperm(len(X), generator=self.generator)
        on = {t.device: perm.to(t.device) for t in (X, y, w) if t is not None}
        for start in self._stops():
            stop = start + self.batch_size
            xb = X.index_select(0, on[X.device][start:stop])
            yb = None if y is None else y.index_select(0, on[y.device][start:stop])
            if w is None:
                yield xb, yb
            else:
                yield xb, (yb, w.index_select(0, on[w.device][start:stop]))


class SeqPoolHistory(History):
    """skorch ``History`` whose writes go straight to the current epoch.

    ``History.__getitem__`` resolves skorch's fancy indexing by copying the whole
    list of epochs, and ``new_batch`` / ``record_batch`` / ``record`` went through
    it three times per batch: a cost that grows with the epoch count. Reading
    (``history[:, "train_loss"]`` ...) is unchanged.
    """

    def new_batch(self) -> None:
        list.__getitem__(self, -1)["batches"].append({})

    def record(self, attr, value) -> None:
        if not self:
            raise ValueError("Call new_epoch before recording for the first time.")
        list.__getitem__(self, -1)[attr] = value

    def record_batch(self, attr, value) -> None:
        list.__getitem__(self, -1)["batches"][-1][attr] = value


class CosineLR(Callback):
    """Cosine decay of the learning rate over the epochs of every fit call.

    Epoch ``e`` (counted from 0 within one ``fit`` / ``partial_fit`` call of ``E``
    epochs) trains at ``lr * (f + (1 - f) * (1 + cos(pi * e / E)) / 2)`` with
    ``f = final_fraction``, for every parameter group; the epoch's rate is recorded in
    the history as ``"lr"``. The optimizer's rates are restored when training ends, so
    a warm-started fit runs a fresh cycle from the configured rate. Early stopping
    may end the cycle early; it is still laid out over ``max_epochs``.

    Parameters
    ----------
    final_fraction : float, default=0.0
        Fraction of the initial rate reached at the end of the cycle.
    """

    def __init__(self, final_fraction: float = 0.0):
        self.final_fraction = final_fraction

    def on_train_begin(self, net, **kwargs):
        self.start_epoch_ = len(net.history)
        self.base_lrs_ = [group["lr"] for group in net.optimizer_.param_groups]

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history) - 1 - self.start_epoch_
        total = getattr(net, "fit_epochs_", None) or net.max_epochs
        cosine = 0.5 * (1.0 + math.cos(math.pi * epoch / max(int(total), 1)))
        factor = self.final_fraction + (1.0 - self.final_fraction) * cosine
        for group, base in zip(net.optimizer_.param_groups, self.base_lrs_, strict=True):
            group["lr"] = base * factor
        net.history.record("lr", self.base_lrs_[0] * factor)

    def on_train_end(self, net, **kwargs):
        for group, base in zip(net.optimizer_.param_groups, self.base_lrs_, strict=True):
            group["lr"] = base


# Per-batch events whose base implementations do nothing: a callback that does not
# override one of them need not be called for it.
_PER_BATCH_EVENTS = {
    name: getattr(Callback, name) for name in ("on_batch_begin", "on_batch_end", "on_grad_computed")
}


class ValidScore(Callback):
    """Record a validation score per epoch as ``"valid_score"`` in the history.

    Accuracy for classifiers (``kind="accuracy"``), the coefficient of determination
    R² for regressors (``kind="r2"``; as scikit-learn's ``r2_score``: per output, then
    averaged over the outputs; invariant to the internal target scaling; undefined
    where a held-out output's targets are all equal, which is left out of the average,
    and NaN with one held-out series or every output undefined), weighted by the sample
    weights as the validation loss is, from the predictions of the validation pass
    skorch already makes -- no extra forward pass. Added by the estimators when
    ``patience`` holds data out. A held-out part whose weights are all zero has no
    score and no loss to stop on: it is refused.
    """

    def __init__(self, kind: str = "accuracy"):
        self.kind = kind

    def on_epoch_begin(self, net, **kwargs):
        self.preds_, self.targets_, self.weights_ = [], [], []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if not training and y_pred is not None:
            target, weight = batch[1], None
            if isinstance(target, (tuple, list)):
                target, weight = target
            self.preds_.append(y_pred.detach().cpu())
            self.targets_.append(target.detach().cpu())
            if weight is not None:
                self.weights_.append(weight.detach().cpu())

    def on_epoch_end(self, net, **kwargs):
        if not getattr(self, "preds_", None):
            return
        pred, target = torch.cat(self.preds_), torch.cat(self.targets_)
        w = torch.ones(len(pred), dtype=torch.float64)
        if self.weights_:
            w = torch.cat(self.weights_).double().reshape(-1)
            if not bool(w.sum() > 0):
                raise ValueError(
                    "patience holds out part of the training data for early stopping, but "
                    "every held-out series has sample weight 0: there is no validation "
                    "loss to stop on. Give weight to more series, change "
                    "validation_fraction, or set patience=None."
                )
        if self.kind == "accuracy":
            score = ((pred.argmax(dim=1) == target).double() * w).sum() / w.sum()
        else:
            pred, target = pred.double().reshape(len(pred), -1), target.double()
            target = target.reshape(len(target), -1)
            ww = w[:, None]
            mean = (ww * target).sum(0) / w.sum()
            total = (ww * (target - mean) ** 2).sum(0)
            scale = (ww * target**2).sum(0).clamp_min(1.0)
            # R² of one series, or of an output whose targets are equal, is undefined: such
            # an output is left out of the average (not a score of -1e12; scikit-learn's
            # r2_score scores it 0, or 1 when predicted exactly, by convention)
            defined = total > 1e-12 * scale
            if int((w > 0).sum()) < 2 or not bool(defined.any()):
                score = torch.tensor(float("nan"))
            else:
                per_output = 1 - (ww * (target - pred) ** 2).sum(0) / total
                score = per_output[defined].mean()
        net.history.record("valid_score", float(score))


class QuietPrintLog(PrintLog):
    """skorch's ``PrintLog`` that skips formatting the table when nothing is printed.

    ``PrintLog`` tabulates the epoch row even with ``verbose=0`` and then drops
    it, about 0.2 ms per epoch -- as much as a few training steps of a small
    model. With another ``sink`` than ``print`` it behaves exactly like
    ``PrintLog``.
    """

    def on_epoch_end(self, net, **kwargs):
        if self.sink is print and not net.verbose:
            return
        super().on_epoch_end(net, **kwargs)

    def format_row(self, row, key, color):
        # colour codes only for a terminal: logs, files and notebooks get plain text
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not (self.sink is print and _stdout_is_terminal()):
            text = text.replace(color, "").replace(Ansi.ENDC.value, "")
        return text


def _stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class ClassifierLoss(torch.nn.CrossEntropyLoss):
    """torch's cross-entropy, whose class weights weigh each sample's whole loss.

    With label smoothing and class weights ``c``, torch weighs the smoothing term of a
    sample by every class's weight (``-sum_k c_k q_k log p_k``). Here sample ``i``'s whole
    smoothed loss is multiplied by ``c[y_i]`` (the mean divides by ``sum_i c[y_i]``, as
    torch's does), so that ``class_weight`` stays the sample weights ``c[y_i]``, as in
    scikit-learn, with or without smoothing. Without class weights or without smoothing
    it is torch's loss, computed by torch.

    Examples
    --------
    >>> import torch
    >>> logits, y = torch.tensor([[2.0, 0.0], [0.5, 1.0]]), torch.tensor([0, 1])
    >>> loss = ClassifierLoss(weight=torch.tensor([3.0, 1.0]), label_smoothing=0.2)
    >>> per_sample = torch.nn.functional.cross_entropy(
    ...     logits, y, label_smoothing=0.2, reduction="none")
    >>> bool(torch.isclose(loss(logits, y), (3 * per_sample[0] + per_sample[1]) / 4))
    True
    """

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.weight is None or not self.label_smoothing or target.dtype != torch.long:
            return super().forward(input, target)
        losses = torch.nn.functional.cross_entropy(
            input, target, label_smoothing=self.label_smoothing, reduction="none"
        )
        weight = self.weight[target]
        losses = weight * losses
        if self.reduction == "none":
            return losses
        if self.reduction == "sum":
            return losses.sum()
        return losses.sum() / weight.sum()


class SeqPoolNet(NeuralNet):
    """skorch ``NeuralNet`` whose datasets are whole tensors.

    Used internally by the estimators; reach it as ``estimator.net_`` for the
    full skorch API (history, callbacks, ``save_params``, ...).

    Per-batch costs of ``NeuralNet`` that do not change what callbacks see are
    removed: the modules are switched between train and eval mode only when
    their mode actually changes (``NeuralNet`` walks every submodule through
    ``nn.Module.__setattr__`` at every batch); per-batch events skip the
    callbacks that do not override the event's (empty) base method; tensors
    already on the net's device go straight to the module and criterion; and
    the default ``print_log`` callback does not build its table when it prints
    nothing. The history is a :class:`SeqPoolHistory`, whose per-batch writes
    do not copy the list of epochs. With one of torch's own optimizers other than
    ``LBFGS`` (which evaluate the closure exactly once) a training step calls the
    closure and then ``optimizer.step()``, the same operations in the same order;
    any other optimizer gets skorch's closure.
    """

    @property
    def _default_callbacks(self):
        return [
            (name, QuietPrintLog() if name == "print_log" else cb)
            for name, cb in super()._default_callbacks
        ]

    # While an estimator trains a head-only view of the module (a frozen encoder's pooled
    # frames or ranks computed once), ``_full_module`` holds the whole module: what a
    # callback saves mid-fit (skorch's Checkpoint: ``save_params`` or a pickle of the net)
    # is the whole module, which ``load_params`` reads back (also mid-fit: Checkpoint's
    # ``load_best``, LoadInitState), not the view's head alone.
    _full_module = None

    @contextmanager
    def _whole_module(self):
        """``module_`` is the whole module inside (the training view again after)."""
        full = self._full_module
        if full is None:
            yield
            return
        view, self.module_ = self.module_, full
        try:
            yield
        finally:
            self.module_ = view

    def save_params(self, *args, **kwargs):
        with self._whole_module():
            return super().save_params(*args, **kwargs)

    def load_params(self, *args, **kwargs):
        # skorch's Checkpoint(load_best=True) and LoadInitState load during training, while
        # the view is trained: what they read is the whole module's state, as saved
        with self._whole_module():
            return super().load_params(*args, **kwargs)

    def __getstate__(self):
        with self._whole_module():
            state = super().__getstate__()
        state.pop("_full_module", None)
        return state

    def _closure_free(self) -> bool:
        """Whether every optimizer is one of torch's that evaluates a closure once."""
        for name in self._optimizers:
            cls = type(getattr(self, name + "_"))
            if not cls.__module__.startswith("torch.optim") or issubclass(cls, torch.optim.LBFGS):
                return False
        return True

    def train_step(self, batch, **fit_params):
        if not self._closure_free():
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )
        for name in self._optimizers:
            getattr(self, name + "_").step()
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        history = self.history
        if not isinstance(history, SeqPoolHistory):
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            batches = list.__getitem__(history, -1)["batches"]
            batches[-1][loss_key] = step["loss"].item()
            first = batch[0] if isinstance(batch, (tuple, list)) else batch
            batches[-1][size_key] = (
                len(first) if isinstance(first, torch.Tensor) else get_len(first)
            )
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        history.record(prefix + "_batch_count", batch_count)

    def _set_training(self, training: bool = True) -> None:
        # ``Module.train`` recurses into every submodule; the root's flag tells
        # whether the last call (ours, skorch's or the user's) left it in this mode.
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def _on_device(self, t: torch.Tensor) -> torch.Tensor:
        return t if (t.is_cpu and self.device == "cpu") else t.to(self.device)

    def infer(self, x, **fit_params):
        if fit_params or not isinstance(x, torch.Tensor):
            return super().infer(x, **fit_params)
        return self.module_(self._on_device(x))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # (y, weight): a tuple from TensorBatches, a list from torch's DataLoader
        if isinstance(y_true, (tuple, list)) and len(y_true) == 2:
            return self._weighted_loss(y_pred, *y_true)
        if not isinstance(y_true, torch.Tensor):
            return super().get_loss(y_pred, y_true, X=X, training=training)
        return self.criterion_(y_pred, self._on_device(y_true))

    def _weighted_loss(self, y_pred, y_true, weight):
        """Weighted mean of the per-sample losses: ``sum(w * l) / sum(w)``.

        With a class-weighted cross-entropy (``criterion__weight`` / ``class_weight``)
        the per-sample loss already carries the class weight ``c[y]`` and the
        denominator is ``sum(w * c[y])``: torch's own weighted mean, with sample weights.
        """
        y_true, weight = self._on_device(y_true), self._on_device(weight)
        criterion = self.criterion_
        reduction = criterion.reduction
        criterion.reduction = "none"
        try:
            losses = criterion(y_pred, y_true)
        finally:
            criterion.reduction = reduction
        if losses.ndim > 1:  # multi-output regression: mean over the outputs
            losses = losses.flatten(1).mean(dim=1)
        total = weight
        class_weight = getattr(criterion, "weight", None)
        if class_weight is not None and y_true.dtype == torch.long:
            total = weight * class_weight[y_true]
        return (weight * losses).sum() / total.sum().clamp_min(torch.finfo(losses.dtype).tiny)

    def notify(self, method_name, **cb_kwargs):
        base = _PER_BATCH_EVENTS.get(method_name)
        if method_name == "on_epoch_end":
            self.on_epoch_end(self, **cb_kwargs)
            stop = False
            for _, cb in self.callbacks_:
                try:
                    cb.on_epoch_end(self, **cb_kwargs)
                except KeyboardInterrupt:
                    # skorch's EarlyStopping ends training by raising KeyboardInterrupt;
                    # tell it apart from a real interrupt, which must propagate
                    if not isinstance(cb, EarlyStopping):
                        raise
                    # the callbacks after it (print_log, which skorch puts last) still
                    # see the epoch, so its row is printed and recorded whole
                    stop = True
            if stop:
                raise _StopEarly
            return
        if base is None:
            if method_name == "on_epoch_begin":
                self._listeners = {}  # callbacks may have been replaced since
            super().notify(method_name, **cb_kwargs)
            return
        listeners = getattr(self, "_listeners", {})
        if method_name not in listeners:
            listeners[method_name] = [
                cb
                for _, cb in self.callbacks_
                if getattr(getattr(cb, method_name), "__func__", None) is not base
            ]
            self._listeners = listeners
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in listeners[method_name]:
            getattr(cb, method_name)(self, **cb_kwargs)

    @property
    def shuffle_generator(self) -> torch.Generator | None:
        """The generator that shuffles the training batches (None if none was given)."""
        return vars(self).get("iterator_train__generator")

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """skorch's ``partial_fit``, except that an interrupt or an error is not swallowed.

        skorch ends training quietly on ``KeyboardInterrupt`` and returns a
        half-trained net; here the callbacks still see ``on_train_end`` (as after any
        training error) and the interrupt or error propagates, so the estimator can
        restore its previous state and a search or command stops. skorch's own
        ``partial_fit`` runs: :meth:`fit_loop` holds the exception until it returns.
        """
        self._held_exception = None
        try:
            try:
                super().partial_fit(X, y, classes, **fit_params)
            except BaseException:
                # a callback's on_train_end that fails after the error (EarlyStopping
                # reads the last epoch, and there is none when the error came before
                # it): the error that stopped training is the one to see
                if self._held_exception is None:
                    raise
            held = self._held_exception
        finally:
            del self._held_exception
        if held is not None:
            raise held
        return self

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # Stop at the first non-finite loss instead of training on NaN weights.
        for batch in list.__getitem__(self.history, -1)["batches"]:
            for key in ("train_loss", "valid_loss"):
                loss = batch.get(key)
                if loss is not None and not math.isfinite(loss):
                    raise TrainingDivergedError(
                        f"Training diverged: the {key.replace('_', ' ')} became {loss} "
                        f"at epoch {len(self.history)}. The inputs may hold values too "
                        "large for the network (scale them, e.g. with SeriesScaler), or "
                        f"the learning rate (lr={self.lr}) is too high; lower it."
                    )

    def fit_loop(self, X, y=None, epochs=None, **kwargs):
        # Epochs of this call, for schedules laid out over one fit (CosineLR).
        self.fit_epochs_ = epochs if epochs is not None else self.max_epochs
        try:
            return super().fit_loop(X, y, epochs=epochs, **kwargs)
        except _StopEarly:
            return self
        except BaseException as exc:
            if "_held_exception" not in vars(self):  # not called by partial_fit
                raise
            # held until skorch's partial_fit has notified on_train_end
            self._held_exception = exc
            return self

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if training and _batch_count(iterator) == 0:
            batch_size = getattr(iterator, "batch_size", self.batch_size)
            raise ValueError(
                f"The training iterator yields no batch: {len(dataset)} training series "
                f"with batch_size={batch_size} and drop_last=True leave every series out, "
                "so no optimizer step would be taken. Lower batch_size or leave "
                "iterator_train__drop_last unset."
            )
        return iterator

    def initialize_history(self):
        if isinstance(self.history_, SeqPoolHistory):
            self.history_.clear()
        else:
            self.history_ = SeqPoolHistory()
        return self

    def initialize_callbacks(self):
        self._listeners = {}
        return super().initialize_callbacks()

    def get_dataset(self, X, y=None):
        if isinstance(X, torch.Tensor):
            if y is not None and not isinstance(y, torch.Tensor):
                y = torch.as_tensor(y)
            return TensorData(X, y)
        return super().get_dataset(X, y)


def _batch_count(iterator) -> int | None:
    """Batches per pass of an iterator that knows it (None if it does not)."""
    try:
        return len(iterator)
    except TypeError:
        return None


# ---------------------------------------------------------------- runtime helpers
# The generator of the fit running in this thread (or task): the head's dropout draws its
# masks on the CPU from it, so fits overlapping in threads (joblib's threading back-end,
# Dask's threads) draw the same masks as one after the other. Seeded like torch's global
# generator, it gives the same draws as the global generator seeded alike.
_FIT_GENERATOR: ContextVar[torch.Generator | None] = ContextVar(
    "seqpool_fit_generator", default=None
)
# held while a fit draws from torch's global CPU generator (building the network)
_GLOBAL_RNG_LOCK = threading.RLock()


def fit_generator() -> torch.Generator | None:
    """The CPU generator of the fit running in this thread, or None outside a fit."""
    return _FIT_GENERATOR.get()


class _SharedSeed:
    """Torch's global generators, seeded while fits run and restored after the last.

    ``index`` None is the CPU's generator: a plug-in of the user's that draws from it
    during training gets the same draws at every fit run alone. A CUDA device's (its
    index) is the one dropout on that device draws from. The first fit to enter keeps the
    caller's state and seeds the generator; the last to leave restores the state, so fits
    overlapping in threads share the seeded stream (the package's own CPU draws use the
    fit's generator instead, :func:`fit_generator`).
    """

    saved: dict[int | None, tuple[int, torch.Tensor]] = {}  # generator -> (fits, state)

    @classmethod
    @contextmanager
    def held(cls, seed: int, index: int | None):
        with _GLOBAL_RNG_LOCK:
            active, state = cls.saved.get(index, (0, None))
            if active == 0:
                if index is None:
                    state = torch.get_rng_state()
                    torch.default_generator.manual_seed(seed)
                else:
                    state = torch.cuda.get_rng_state(index)
                    with torch.cuda.device(index):
                        torch.cuda.manual_seed(seed)
            cls.saved[index] = (active + 1, state)
        try:
            yield
        finally:
            with _GLOBAL_RNG_LOCK:
                active, state = cls.saved.pop(index)
                if active > 1:
                    cls.saved[index] = (active - 1, state)
                elif index is None:
                    torch.set_rng_state(state)
                else:
                    torch.cuda.set_rng_state(state, index)


@contextmanager
def _seeded(seed: int, device: str):
    """Seed a fit's random draws without changing the caller's RNG state.

    The fit's own CPU generator (:func:`fit_generator`) is seeded with ``seed``: the
    head's dropout draws from it, and draws from torch's global generator while the
    network is built (its initial weights, :func:`_global_draws`) continue its stream,
    under a lock. So fits in parallel threads draw what they draw one after the other.
    On a GPU, dropout draws from the device's generator, seeded with ``seed`` when the
    first fit on the device starts and restored to the caller's state when the last
    ends (fits overlapping on one device share its seeded stream).
    """
    index = None
    if device.startswith("cuda"):
        cuda = torch.device(device)
        index = torch.cuda.current_device() if cuda.index is None else cuda.index
    token = _FIT_GENERATOR.set(torch.Generator().manual_seed(seed))
    try:
        with (
            _SharedSeed.held(seed, None),
            _SharedSeed.held(seed, index) if index is not None else nullcontext(),
        ):
            yield
    finally:
        _FIT_GENERATOR.reset(token)


@contextmanager
def _global_draws():
    """Draw from torch's global CPU generator as if it continued the fit's generator.

    Module constructors (``nn.Linear``'s initial weights) draw from the global
    generator; inside a fit, it is set to the fit's generator's state for the
    duration, under a lock, and the fit's generator continues where the draws
    stopped. Outside a fit this does nothing.
    """
    gen = _FIT_GENERATOR.get()
    if gen is None:
        yield
        return
    with _GLOBAL_RNG_LOCK:
        previous = torch.get_rng_state()
        torch.set_rng_state(gen.get_state())
        try:
            yield
        finally:
            gen.set_state(torch.get_rng_state())
            torch.set_rng_state(previous)


def _module_dtype(module: torch.nn.Module) -> torch.dtype:
    """The floating dtype of a module's parameters and buffers (float32 if it has none)."""
    for tensor in [*module.parameters(), *module.buffers()]:
        if tensor.is_floating_point():
            return tensor.dtype
    return torch.float32


def _dtype_name(dtype: torch.dtype) -> str:
    """``torch.float64`` -> ``"float64"``: the name numpy and ``getattr(torch, name)`` read."""
    return str(dtype).removeprefix("torch.")


class _TorchThreads:
    """Torch's intra-op thread count, shared by the fits and predicts of every thread.

    torch keeps a count per thread, and a thread starts from the last count set in any
    thread. The first call to enter keeps the count it found and the last to leave
    restores it, so calls overlapping in threads (joblib's threading back-end, Dask's
    threads) leave the caller's setting as it was, even when a thread started inside
    another's pin; any other call gives its thread back the count it found. Calls
    overlapping in threads with different counts may change each other's while they
    overlap: pin one count (``n_threads=1``) where results must not depend on it.
    """

    lock = threading.Lock()
    active: dict[int, int] = {}  # thread id -> calls inside, in that thread
    original = 0


@contextmanager
def _torch_threads(n_threads: int | str | None):
    """Pin torch's intra-op thread count for one fit or predict, then restore it."""
    n_threads = resolve_n_threads(n_threads)
    if n_threads is None:
        yield
        return
    me = threading.get_ident()
    with _TorchThreads.lock:
        if not _TorchThreads.active:
            _TorchThreads.original = torch.get_num_threads()
        # nested in this thread: the call around it pinned this thread's count; otherwise
        # what this thread reads may be another thread's pin, so it gets the caller's back
        nested = me in _TorchThreads.active
        previous = torch.get_num_threads() if nested else _TorchThreads.original
        _TorchThreads.active[me] = _TorchThreads.active.get(me, 0) + 1
        if n_threads != torch.get_num_threads():
            torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        with _TorchThreads.lock:
            _TorchThreads.active[me] -= 1
            if not _TorchThreads.active[me]:
                del _TorchThreads.active[me]
            # the last call to end gives the caller's count back; any other, the count
            # its thread had (torch keeps a count per thread, and a new thread starts
            # from the last one set anywhere)
            restore = previous if _TorchThreads.active else _TorchThreads.original
            if torch.get_num_threads() != restore:
                torch.set_num_threads(restore)


def resolve_device(device: Any, name: str) -> str:
    """Map ``device`` to a torch device string, with clear errors.

    Examples
    --------
    >>> resolve_device("cpu", "SeqPoolClassifier")
    'cpu'
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"{name}: device must be 'cpu', 'cuda', 'cuda:N' or 'auto'; got {device!r}."
        ) from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{name}: device={device!r} was requested, but CUDA is not available "
            f"(torch {torch.__version__}, torch.cuda.is_available() is False). Use "
            "device='cpu', or device='auto' to use CUDA only where it exists."
        )
    if parsed.type not in ("cpu", "cuda"):
        raise ValueError(
            f"{name}: device type {parsed.type!r} is not supported; use 'cpu' or 'cuda'."
        )
    return str(parsed)
