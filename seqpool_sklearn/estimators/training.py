"""Fitting: the network, the one fit path (fit, partial_fit, initialize) and inference."""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin, clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    column_or_1d,
)
from skorch.callbacks import BatchScoring, EarlyStopping, EpochScoring
from skorch.dataset import ValidSplit

from .._net import (
    CosineLR,
    SeqPoolNet,
    TensorBatches,
    TensorData,
    TrainingDivergedError,
    ValidScore,
    WeightedTargets,
    _global_draws,
    _module_dtype,
    _seeded,
    _torch_threads,
    fit_generator,
    resolve_device,
)
from .._options import default_hidden_size
from .._threads import blas_threads, resolve_n_threads
from .._validation import (
    LayoutWarning,
    MissingChannelWarning,
    check_targets,
    numeric_or_refused,
)
from .._validation import short_repr as _short
from ..nn.head import FitDropout
from ..nn.masks import n_frames_for
from ..nn.module import DecodedHead, PooledHead, SeqPoolModule
from .params import _MODULE_PARAMS, _require_y
from .ridge import (
    check_linear_readout,
    check_ridge_memory,
    fit_ridge,
    ridge_features,
    ridge_problem,
    write_readout,
)

# The training budget of max_epochs=None: at least this many optimizer steps and epochs.
MIN_STEPS = 1000
MIN_EPOCHS = 100


# Parameters a continued fit (warm_start=True, partial_fit) reads as they are now: the
# epochs to train, and parameters that build nothing in the network (a fitted network
# keeps its dtype and device; class weights are refreshed from each fit's y).
_CONTINUE_FREE = frozenset(
    {
        "max_epochs",
        "warm_start",
        "readout",
        "random_state",
        "n_threads",
        "device",
        "dtype",
        "class_weight",
        # fitted beside the network, not into it: fit fits the companion anew
        "companion",
        "companion_weight",
    }
)
# Parameters a continued fit applies to the live network.
_CONTINUE_APPLIED = frozenset({"lr", "batch_size", "verbose", "dropout"})


_UNSET = object()


def _built(estimator: Any, built: dict, key: str) -> Any:
    """The value ``key`` had when the network was built: a parameter added since (missing
    from a network pickled before it) had the value that trains as it trained."""
    if key in built:
        return built[key]
    return getattr(estimator, "_ADDED_PARAMS", {}).get(key, _UNSET)


def _same(a: Any, b: Any) -> bool:
    """Whether a parameter is unchanged (tensors and arrays compared by value)."""
    if a is b:
        return True
    try:
        if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
            return bool(torch.equal(torch.as_tensor(a), torch.as_tensor(b)))
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return bool(np.array_equal(a, b))
        return bool(a == b)
    except Exception:
        return False


# Routed keywords that skorch hands to the module, optimizer and criterion when it builds them.
_BUILT_PREFIXES = ("module__", "optimizer__", "criterion__")


class _TrainingMixin:
    """Building the skorch net, the one fit path, the training loop and batched inference."""

    # ------------------------------------------------------------------ fit
    def _build_net(
        self, n_outputs: int, seed: int, device: str, hidden_size: int | None = None
    ) -> SeqPoolNet:
        """The skorch net of ``n_outputs``; ``hidden_size`` a fitted width to rebuild."""
        stratified = isinstance(self, ClassifierMixin)
        callbacks = copy.deepcopy(list(self.callbacks or []))
        for cb in callbacks:
            cb = cb[1] if isinstance(cb, tuple) else cb
            if isinstance(cb, (EpochScoring, BatchScoring)):
                # with sample weights the targets are (y, weight) pairs: score against y
                cb.target_extractor = WeightedTargets(cb.target_extractor)
        if self.lr_schedule == "cosine":
            callbacks.append(("lr_schedule", CosineLR()))
        train_split = None
        if self.patience is not None:
            # the score first: the epoch where early stopping fires is recorded whole
            callbacks.append(("valid_score", ValidScore("accuracy" if stratified else "r2")))
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor="valid_loss", patience=self.patience, load_best=True),
                )
            )
            train_split = ValidSplit(
                self.validation_fraction, stratified=stratified, random_state=seed
            )
        kwargs = {
            "module__n_outputs": n_outputs,
            "module__n_channels": self.n_channels_in_,
            "module__n_timesteps": self.n_timesteps_in_,
            "iterator_train": TensorBatches,
            "iterator_valid": TensorBatches,
            "iterator_train__shuffle": True,
            "iterator_train__generator": torch.Generator().manual_seed(seed),
            "train_split": train_split,
        }
        kwargs.update({f"module__{name}": getattr(self, name) for name in _MODULE_PARAMS})
        if hidden_size is None and self.hidden_size is None:
            # the decoder's width by the number of classes (n_outputs); under the ridge
            # readout wide enough for +/- pairs of its directions, exact on every input
            # with one frame: rank n_classes - 1 (+/-1 codes less their mean), or
            # one per regression output
            hidden_size = default_hidden_size(n_outputs if stratified else None)
            if self.readout == "ridge":
                hidden_size = max(hidden_size, 2 * (n_outputs - 1 if stratified else n_outputs))
        self.hidden_size_ = self.hidden_size if hidden_size is None else hidden_size
        kwargs["module__hidden_size"] = self.hidden_size_
        if getattr(self, "class_weight_", None) is not None:
            kwargs["criterion__weight"] = torch.as_tensor(self.class_weight_, dtype=torch.float32)
        smoothing = getattr(self, "label_smoothing", 0.0)
        if smoothing:
            if "criterion__label_smoothing" in self._routed:
                raise ValueError(
                    f"label_smoothing={smoothing!r} and criterion__label_smoothing both set "
                    "the cross-entropy's label smoothing; pass label_smoothing= only."
                )
            kwargs["criterion__label_smoothing"] = float(smoothing)
        if (
            self.optimizer in (torch.optim.Adam, torch.optim.AdamW)
            and torch.device(device).type in ("cpu", "cuda")
            and not {"optimizer__fused", "optimizer__foreach"} & set(self._routed)
        ):
            # one pass over the parameters per step instead of several: on the CPU,
            # torch's default Adam update costs about three times the forward and
            # backward passes of the default head (the same update, other rounding)
            kwargs["optimizer__fused"] = True
        kwargs.update(copy.deepcopy(self._routed))
        net = SeqPoolNet(
            module=SeqPoolModule,
            criterion=self._criterion,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self._epochs,
            batch_size=self.batch_size,
            callbacks=callbacks,
            warm_start=False,
            device=device,
            verbose=int(self.verbose),
            **kwargs,
        )
        # the parameters it was built from: what a continued fit compares against
        net.built_params_ = self.get_params(deep=False)
        return net

    def _continue_with_params(self, partial: bool) -> None:
        """Bring the parameters changed since the network was built to the continued fit.

        ``lr``, ``optimizer__<key>`` of the optimizer's parameter groups, ``batch_size``,
        ``verbose``, ``dropout`` and the iterators' keywords are applied to the live
        network; ``max_epochs`` and the parameters that build nothing are read as they
        are. Any other change (the optimizer, the schedule, callbacks, early stopping,
        the network's design ...) cannot apply to a network already built: a ValueError
        names it, before anything is changed.
        """
        net = self.net_
        built = getattr(net, "built_params_", None)
        if built is None:  # a network pickled before the parameters were kept
            return
        now = self.get_params(deep=False)
        changed = [
            k for k in now if k not in _CONTINUE_FREE and not _same(_built(self, built, k), now[k])
        ]
        groups = net.optimizer_.param_groups
        refused = []
        for key in changed:
            if key in _CONTINUE_APPLIED or key.startswith(("iterator_train__", "iterator_valid__")):
                continue
            if key == "validation_fraction" and self.patience is None:
                continue
            sub = key.removeprefix("optimizer__")
            if key.startswith("optimizer__") and all(sub in group for group in groups):
                continue
            before = _built(self, built, key)
            before = "unset" if before is _UNSET else _short(before)
            refused.append(f"{key} ({before} -> {_short(now[key])})")
        if refused:
            how = "partial_fit continues" if partial else "warm_start=True continues"
            raise ValueError(
                f"{how} the fitted network, which cannot take the parameters changed since "
                f"it was built: {', '.join(refused)}. A continued fit applies only lr, "
                "optimizer__<key> of the optimizer's parameter groups, batch_size, verbose, "
                "dropout, max_epochs and iterator_train__* / iterator_valid__* (and reads "
                f"{', '.join(sorted(_CONTINUE_FREE - {'max_epochs'}))} as they are); fit "
                "with warm_start=False to build a new network with the others (or set them "
                "back)."
            )
        for key in changed:
            value = now[key]
            if key == "lr":
                net.lr = value
                for group in groups:
                    group["lr"] = value
            elif key.startswith("optimizer__"):
                vars(net)[key] = value
                for group in groups:
                    group[key.removeprefix("optimizer__")] = value
            elif key == "batch_size":
                net.batch_size = value
            elif key == "verbose":
                net.verbose = int(value)
            elif key == "dropout" and "module__dropout" not in now:
                for module in net.module_.modules():
                    if isinstance(module, FitDropout):
                        module.p = float(value)
            elif key.startswith(("iterator_train__", "iterator_valid__")):
                vars(net)[key] = value
        net.built_params_ = now

    def _new_net(
        self,
        n_outputs: int,
        seed: int,
        device: str,
        dtype: torch.dtype,
        hidden_size: int | None = None,
    ) -> SeqPoolNet:
        """A built, initialised network whose module and criterion are in ``dtype``.

        Parameters are converted in place (the same ``Parameter`` objects), so the
        optimizer that ``initialize`` built keeps updating them. ``hidden_size``: the
        fitted width of a network rebuilt for its saved state.
        """
        net = self._build_net(n_outputs, seed, device, hidden_size)
        routed = {k: v for k, v in self._routed.items() if k.startswith(_BUILT_PREFIXES)}
        try:
            net.initialize()
        except (TypeError, ValueError) as exc:
            if not routed:
                raise
            # a routed keyword the module, optimizer or criterion does not take, or a value
            # it refuses: name the keywords, not only torch's or the class's own message
            raise type(exc)(
                f"Building the network with the routed keywords {routed} failed: {exc}. "
                "Check their names and values against the module, optimizer and criterion "
                "they are routed to."
            ) from exc
        if dtype != torch.float32:
            net.module_.to(dtype)
            net.criterion_.to(dtype)  # class weights
        return net

    def _rebuilt_net(self, seed: int, device: str, dtype: torch.dtype, max_epochs: int):
        """An initialised network of the fitted shape, for a saved state to be loaded into.

        ``max_epochs`` is the epochs of the fit that built the saved network (what its
        schedule was laid out over).
        """
        self._epochs = int(max_epochs)
        # the width it was built with (hidden_size=None's rule reads the readout, which a
        # continued fit may have changed since)
        width = getattr(self, "hidden_size_", None)
        return self._new_net(self._n_outputs, seed, device, dtype, width)

    def _encode_targets(
        self,
        y,
        n_samples,
        *,
        classes=None,
        reset=True,
        sample_weight=None,
        warm=False,
        partial=False,
    ):
        """Validate ``y``, set the target state; return the training targets and output count.

        ``reset=False`` (a later ``partial_fit`` call) reuses the fitted state; ``warm``
        (a ``warm_start`` fit that continues the network) keeps what the network was
        trained for; ``partial`` is a ``partial_fit`` call.
        """
        raise NotImplementedError

    def _fit(
        self,
        X: Any,
        y: Any,
        *,
        train: bool,
        sample_weight: Any = None,
        classes: Any = None,
        partial: bool = False,
    ):
        """The one fit path: ``fit`` trains, ``initialize`` only builds the network,
        ``partial_fit`` trains one epoch, continuing the fitted network if there is one.

        A fit is atomic: if it raises -- bad input, a diverging loss, an interrupt
        (Ctrl-C) -- the estimator is left exactly as it was before the call,
        unfitted or with its previous model (whose weights a warm start would
        otherwise have changed in place).
        """
        before = dict(self.__dict__)
        net = before.get("net_")
        keep = train and net is not None and (self.warm_start or partial)
        backup = copy.deepcopy(net) if keep else None
        # the copy's record of the parameters holds copies of the callbacks and splitters,
        # which compare unequal to the estimator's own: the record itself (references) is
        # what a failed call puts back
        built_before = getattr(net, "built_params_", None) if keep else None
        try:
            self._check_params()
            _require_y(y, type(self).__name__)
            reset = not (partial and net is not None)
            # a warm start that continues the fitted network (a closed-form readout is
            # solved anew)
            warm = (
                train
                and not partial
                and self.warm_start
                and net is not None
                and self.readout != "ridge"
            )
            X3 = self._validate_X(X, reset=reset)
            self._check_window(X3)
            given, w = self._sample_weight(sample_weight, len(X3))
            y_t, n_outputs = self._encode_targets(
                y,
                len(X3),
                classes=classes,
                reset=reset,
                sample_weight=w,
                warm=warm,
                partial=partial,
            )
            weight = None if w is None else torch.from_numpy(w.astype(np.float64))
            if self.readout != "ridge":  # the ridge holds nothing out (patience n/a)
                self._check_validation_split(y_t, n_outputs)
            # fit fits the companion anew, first, so that a companion that cannot be fitted
            # is refused before the network trains; initialize leaves none (nothing is
            # trained), and partial_fit trains the network alone (see the ``companion`` docs)
            if partial:
                companion = getattr(self, "companion_", None)
            elif train:
                companion = self._fit_companion(X, y, sample_weight)
            else:
                companion = None
            fitted = self._fit_net(
                X3, y_t, n_outputs, train=train, weight=weight, partial=partial, given=given
            )
            self.companion_ = companion
            return fitted
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            if backup is not None:
                if built_before is not None:
                    backup.built_params_ = built_before
                self.net_ = backup
                self.module_ = backup.module_
                self.history_ = backup.history
            raise

    def _fit_companion(self, X: Any, y: Any, sample_weight: Any):
        """The fitted companion (see ``companion``), or None without one."""
        c = self.companion
        if c is None:
            return None
        seed = self.random_state
        if seed is not None and not isinstance(seed, (int, np.integer)):
            # a RandomState: one draw from a copy seeds the companion, so the network
            # draws from the caller's RandomState as it would without a companion
            seed = int(check_random_state(copy.deepcopy(seed)).randint(2**31 - 1))
        if isinstance(c, (str, type)):
            kept = {"n_threads", "device", "dtype", "batch_size", "class_weight"}
            params = {k: v for k, v in self.get_params(deep=False).items() if k in kept}
            est = type(self)(encoder=c, readout="ridge", random_state=seed, **params)
        else:
            est = clone(c)
            if est.get_params(deep=False)["random_state"] is None:
                est.set_params(random_state=seed)
        with companion_call(c, "Fitting"):
            if sample_weight is None:
                est.fit(X, y)
            else:
                est.fit(X, y, sample_weight=sample_weight)
        # fitted on the same y, a classifier's companion orders its columns as this
        # estimator's classes_ (predictions blend them column for column)
        classes = getattr(self, "classes_", None)
        if classes is not None and not np.array_equal(est.classes_, classes):
            raise ValueError(
                f"companion={_short(c)} learned the classes {_short(est.classes_.tolist())}, "
                f"but this estimator's are {_short(classes.tolist())}; a companion must "
                "learn the classes of y in the same order."
            )
        return est

    def fit(self, X: Any, y: Any, sample_weight: Any = None):
        """Train on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (:class:`SeqPoolClassifier`, 1D) or regression targets
            (:class:`SeqPoolRegressor`, 1D or one column per output).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: the loss is the weighted mean over each batch (and
            over the held-out part with ``patience``). Routed by scikit-learn's
            metadata routing after ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : estimator
        """
        return self._fit(X, y, train=True, sample_weight=sample_weight)

    def _sample_weight(
        self, sample_weight: Any, n_samples: int
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Validated sample weights: as given, and for the loss (scaled to mean 1).

        The loss weights are None when the weights are all equal: equal weights give
        exactly the unweighted loss, so they take the plain path. The ridge readout
        reads them as given (a weight of ``k`` is ``k`` copies of a series).
        """
        if sample_weight is None:
            return None, None
        w = self._checked_weights(sample_weight, n_samples)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            total = w.sum()
            relative = w / w.mean()
        if not np.isfinite(total):
            raise ValueError(
                f"Sample weights sum to {total} (largest {w.max():.3g}): divide them by "
                "a common factor (the trained loss reads only their ratios)."
            )
        if not np.isfinite(relative).all() or w.max() < 1e-150:
            raise ValueError(
                f"Sample weights are too small to compute with (largest {w.max():.3g}): "
                "multiply them by a common factor (the trained loss reads only their "
                "ratios)."
            )
        if (w == w[0]).all():
            return w, None
        return w, relative

    def _checked_weights(self, sample_weight: Any, n_samples: int) -> np.ndarray:
        """``sample_weight`` as float64, one per series: numeric, finite, non-negative.

        A scalar weighs every series alike; all-zero weights are refused.
        """
        w = numeric_or_refused(
            lambda: _check_sample_weight(
                sample_weight, np.empty((n_samples, 0)), dtype=np.float64, ensure_non_negative=True
            ),
            sample_weight,
            lambda index, value: (
                f"{type(self).__name__} needs numeric sample weights, but sample_weight holds "
                f"{value!r} of type {type(value).__name__}"
                + (f" at index {index[0]}." if index else ".")
            ),
        )
        # (lengths, NaN, inf and negative weights in an array are refused by scikit-learn's
        # _check_sample_weight, with its messages; a scalar is spread unchecked, and
        # all-zero weights are refused only from 1.7 on)
        if not np.isfinite(w).all():
            raise ValueError(f"Sample weights must be finite numbers; got {w[~np.isfinite(w)][0]}.")
        if not w.any():
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return w

    def _check_score_inputs(
        self, y: Any, sample_weight: Any, y_pred: np.ndarray
    ) -> np.ndarray | None:
        """``score``'s ``y`` and ``sample_weight`` against the predictions ``y_pred`` of X.

        ``y`` is checked as at :meth:`fit` (given, one label or target per series, none
        missing, as many outputs as the predictions); ``sample_weight`` as at
        :meth:`fit` (one numeric, finite, non-negative weight per series, not all 0).
        Both are refused in the estimator's words rather than the metric's.

        Returns
        -------
        sample_weight : ndarray of shape (n_samples,) or None
            The weights as float64 (a scalar given for every series).
        """
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        n_samples = len(y_pred)
        classifier = isinstance(self, ClassifierMixin)
        y_arr = check_targets(y, n_samples, name=name, numeric=not classifier)
        if classifier:
            column_or_1d(y_arr)  # one label per series, as fit reads them
        else:
            given = 1 if y_arr.ndim == 1 else y_arr.shape[1]
            expected = 1 if np.ndim(y_pred) == 1 else np.shape(y_pred)[1]
            if given != expected:
                raise ValueError(
                    f"y has {given} target columns but {name} predicts {expected}, as "
                    "many as the targets it was fitted on; pass one column per target."
                )
        if sample_weight is None:
            return None
        n_weights = np.shape(sample_weight)[0] if np.ndim(sample_weight) else None
        if n_weights is not None and n_weights != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X has "
                f"{n_samples} series but sample_weight has {n_weights} weights; "
                f"{name} needs exactly one per series."
            )
        return self._sample_weight(sample_weight, n_samples)[0]

    def _check_validation_split(self, y_t: torch.Tensor, n_outputs: int) -> None:
        """With ``patience``, the held-out part must be splittable (stratified for classes)."""
        if self.patience is None:
            return
        n = len(y_t)
        n_valid = math.ceil(self.validation_fraction * n)
        n_train = n - n_valid
        problem = None
        if n_valid < 1 or n_train < 1:
            problem = f"{n} samples leave {n_train} for training and {n_valid} held out"
        elif isinstance(self, ClassifierMixin):
            counts = torch.bincount(y_t, minlength=n_outputs)
            if min(n_valid, n_train) < n_outputs:
                problem = (
                    f"holding out {n_valid} of {n} samples cannot put each of the "
                    f"{n_outputs} classes on both sides"
                )
            elif int(counts.min()) < 2:
                problem = "a class has a single sample, which cannot be on both sides"
        if problem:
            raise ValueError(
                f"patience={self.patience} holds out validation_fraction="
                f"{self.validation_fraction} of the training data for early stopping, but "
                f"{problem}. Use more data, change validation_fraction, or set "
                "patience=None."
            )

    def _data_weight(self, weight, y_t: torch.Tensor, dtype: torch.dtype):
        """The per-series weights of the loss (sample times class weights), or None."""
        class_weight = getattr(self, "class_weight_", None)
        if class_weight is None or y_t.is_floating_point():
            return weight
        per_series = torch.as_tensor(class_weight, dtype=dtype)[y_t.long()]
        return per_series if weight is None else weight * per_series

    def _refresh_class_weight(self) -> None:
        """A continued fit's loss takes the class weights of this fit's ``y``."""
        if not hasattr(self, "class_weight_") or "criterion__weight" in self._routed:
            return
        criterion = self.net_.criterion_
        if self.class_weight_ is None:
            criterion.weight = None
        else:
            criterion.weight = torch.as_tensor(
                self.class_weight_, dtype=_module_dtype(self.net_.module_), device=self.net_.device
            )

    def _fit_net(
        self,
        X3: np.ndarray,
        y_t: torch.Tensor,
        n_outputs: int,
        *,
        train: bool,
        weight: torch.Tensor | None = None,
        partial: bool = False,
        given: np.ndarray | None = None,
    ):
        device = resolve_device(self.device, type(self).__name__)
        self._epochs = 1 if partial else self._training_epochs(len(X3))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        ridge = train and self.readout == "ridge"
        # a closed-form readout is solved anew at every fit: nothing to continue
        continuing = (partial and getattr(self, "net_", None) is not None) or (
            train
            and not ridge
            and self.warm_start
            and getattr(self, "net_", None) is not None
            and getattr(self, "_n_outputs", None) == n_outputs
        )
        # the training precision: the dtype parameter, or the continued network's
        dtype = _module_dtype(self.net_.module_) if continuing else getattr(torch, self.dtype)
        X_t = torch.from_numpy(X3).to(dtype)
        if y_t.is_floating_point():
            y_t = y_t.to(dtype)
        if weight is not None:
            weight = weight.to(dtype)
        fitted = packed = None
        with _torch_threads(self.n_threads), _seeded(seed, device):
            if not continuing:
                with _global_draws():  # the initial weights, from the fit's own stream
                    self.net_ = self._new_net(n_outputs, seed, device, dtype)
                problem = ridge_problem(self.net_.module_) if ridge else None
                if problem:
                    raise ValueError(
                        "readout='ridge' writes a closed-form linear readout of the pooled "
                        f"encoder features into the head, but this head cannot hold one: "
                        f"{problem}. Use readout='trained' for this head."
                    )
                if ridge:
                    d = self.net_.module_._pooled_features(X_t.shape[2])
                    check_ridge_memory(len(X_t), d, X_t.element_size(), type(self).__name__)
                # data-initialised encoders (minirocket) set their biases and scales, with
                # the weights of the loss: class weights act as the matching sample weights
                data_weight = self._data_weight(weight, y_t, dtype)
                fitted = self.net_.module_.fit_data(
                    X_t.to(self.net_.device), torch.Generator().manual_seed(seed), data_weight
                )
                # after fit_data: a user's encoder may set itself from the data first
                with _global_draws():
                    self.net_.module_.check_plugins(X_t[:2].to(self.net_.device))
                packed = self.net_.module_.fit_frame_scale(
                    X_t.to(self.net_.device), data_weight, fitted
                )
            else:
                built = getattr(self.net_.module_, "n_channels", X_t.shape[1])
                if built != X_t.shape[1]:
                    raise ValueError(
                        f"warm_start=True continues the fitted network, built for {built} "
                        f"channels, but X has {X_t.shape[1]}; fit with warm_start=False to "
                        "build a new network."
                    )
                self._continue_with_params(partial)
                self._check_continued_frames(X_t.shape[2], partial)
                self._refresh_class_weight()
                # the continued network keeps the encoder built for the first fit's length
                self.n_timesteps_in_ = getattr(
                    self.net_, "module__n_timesteps", self.n_timesteps_in_
                )
                if getattr(self, "_rng_state", (None,))[0] == device:
                    # a warm start draws dropout masks where the last fit stopped, so
                    # 2 + 2 epochs train exactly like 4
                    _set_rng_state(self._rng_state[1], device)
            epochs_before = len(self.net_.history)
            if ridge:
                self._fit_ridge(X_t, y_t, given, fitted, packed)
            elif train:
                self.__dict__.pop("alpha_", None)  # a trained readout has no penalty
                # epochs: a warm start trains the current max_epochs more epochs,
                # also after set_params(max_epochs=...) on a fitted estimator.
                self._train(X_t, y_t, weight, fitted, packed)
                if not all(bool(torch.isfinite(p).all()) for p in self.net_.module_.parameters()):
                    raise TrainingDivergedError(
                        "Training produced non-finite weights. The inputs may hold values "
                        "too large for the network (scale them, e.g. with SeriesScaler), or "
                        f"the learning rate (lr={self.lr}) is too high; lower it."
                    )
            self._rng_state = (device, _get_rng_state(device))
        self._n_outputs = n_outputs
        self.n_frames_ = self.net_.module_.head.n_frames
        # skorch leaves the module in the mode of its last step (training, without a
        # validation split): a fitted module_ is ready for inference, as after load
        self.net_.module_.eval()
        self.module_ = self.net_.module_
        self.history_ = self.net_.history
        self.n_iter_ = len(self.net_.history) - epochs_before
        return self

    def _check_continued_frames(self, n_timesteps: int, partial: bool) -> None:
        """Refuse, before training, a length the continued network's output layer cannot take.

        With ``window=k`` the output layer reads a fixed number of frames, so a continued
        fit (``warm_start=True``) on series giving another count would fail inside the
        training loop; ``partial_fit`` is checked by ``_validate_X`` already.
        """
        head = self.net_.module_.head
        if head.window is None or n_frames_for(n_timesteps, head.window) == head.n_frames:
            return
        window, frames = head.window, head.n_frames
        fitted = getattr(self.net_, "module__n_timesteps", None)
        how = "partial_fit continues" if partial else "warm_start=True continues"
        raise ValueError(
            f"X has {n_timesteps} time steps, but {how} the fitted network of "
            f"{type(self).__name__} (window={window}), "
            + (f"built for series of {fitted} steps, " if fitted is not None else "")
            + f"whose output layer expects {frames} frames: series of "
            f"{(frames - 1) * window + 1} to {frames * window} steps. Pad the series with NaN "
            "or truncate them to such a length, or fit with warm_start=False to build a new "
            "network for this length."
        )

    def _training_epochs(self, n_samples: int) -> int:
        """``max_epochs``, or the step budget's epochs when it is None.

        The budget is at least ``MIN_STEPS`` optimizer steps and at least
        ``MIN_EPOCHS`` epochs: small training sets get more passes, so that every
        fit takes enough steps to converge (see the documentation's benchmarks page).
        """
        if self.max_epochs is not None:
            return int(self.max_epochs)
        n_train = n_samples
        if self.patience is not None:
            n_train = max(1, int(n_samples * (1 - self.validation_fraction)))
        steps_per_epoch = math.ceil(n_train / min(self.batch_size, n_train))
        return max(MIN_EPOCHS, math.ceil(MIN_STEPS / steps_per_epoch))

    def _train(
        self, X_t: torch.Tensor, y_t: torch.Tensor, weight=None, fitted=None, packed=None
    ) -> None:
        """Run the training epochs; a frozen encoder's pooled frames are computed once.

        With a frozen encoder (``"minirocket"``) and ``order="pool_first"`` under a
        pool without parameters, the pooled frames are the same at every epoch:
        they are computed once (when they fit in ``POOLED_CACHE_BYTES``, or the
        encoder kept them), and the net trains on them; beyond that budget they are
        pooled at every batch. Either way the result is the same network, bit for
        bit, as training on the raw series. Under ``order="decode_first"`` the
        encoder's ranks of every step are computed once instead (when they fit in
        ``DECODE_CACHE_BYTES``): the same network up to float summation order.
        ``fitted`` is what the encoder's ``fit_data`` computed on ``X_t`` (reused for
        the global average pool); ``packed``, the frames already pooled (for their
        standardisation), is used as it is.
        """
        module = self.net_.module_
        if module.caches_pooled and packed is None:
            # None where the frames would exceed the budget: the full net trains
            packed = module.pool_inputs(X_t.to(self.net_.device), fitted=fitted, bounded=True)
        if module.caches_pooled and packed is not None:
            # the net trains a head-only view on the pooled frames (the same parameters)
            X_t = packed
            view = PooledHead(module.head)
            view.train(module.training)  # the mode skorch reads before it switches
            self.net_.module_ = view
        elif module.caches_decoded(*X_t.shape[::2]):
            # decode_first behind a frozen encoder: its ranks are computed once
            X_t = module.decode_inputs(X_t.to(self.net_.device))
            view = DecodedHead(module.encoder, module.head)
            view.train(module.training)
            self.net_.module_ = view
        data = X_t if weight is None else TensorData(X_t, y_t, weight)
        # what a checkpoint saves mid-fit (skorch's __setattr__ refuses a module here)
        object.__setattr__(self.net_, "_full_module", module)
        try:
            self.net_.partial_fit(data, y_t, epochs=self._epochs)
        finally:
            self.net_.module_ = module
            object.__setattr__(self.net_, "_full_module", None)

    def _fit_ridge(
        self, X_t: torch.Tensor, y_t: torch.Tensor, given=None, fitted=None, packed=None
    ) -> None:
        """``readout="ridge"``: solve the readout in closed form and write it into the head.

        No optimizer step is taken (``n_iter_`` is 0). Sample weights and class
        weights weigh the ridge's squared errors (a sample weight of ``k`` as ``k``
        copies, each weighed by its class weight); ``alpha_`` is the penalty that
        leave-one-out chose, leaving out one copy at a time.
        """
        module = self.net_.module_
        if packed is None:
            packed = module.pool_inputs(X_t.to(self.net_.device), fitted=fitted)
        Z = ridge_features(module, packed)
        if not np.isfinite(Z).all():  # outputs beyond float64's range (series near 1e307)
            size = float(X_t.abs().max())
            raise ValueError(
                "readout='ridge' got non-finite pooled features: the encoder's outputs "
                f"overflowed on series whose values reach {size:.3g}. Scale the series "
                "down (e.g. with SeriesScaler) before fitting."
            )
        w = given  # the sample weights as given
        y = y_t.cpu().numpy()
        if y_t.is_floating_point():
            y = y.astype(np.float64)
        classes = isinstance(self, ClassifierMixin)
        class_weight = getattr(self, "class_weight_", None)
        # the sample weights count copies of a series; the class weights weigh each copy
        copies = None
        if classes and class_weight is not None:
            copies = np.ones(len(y)) if w is None else w
            w = class_weight[y] * copies
        # numpy's BLAS solves it: held to n_threads, as torch is (one process-wide limit
        # for fits that overlap in threads, restored by the last of them)
        with blas_threads(resolve_n_threads(self.n_threads)):
            W, b, self.alpha_ = fit_ridge(
                Z.reshape(len(Z), -1),
                y if classes else y.reshape(len(y), -1),
                n_classes=module.head.output.out_features if classes else None,
                sample_weight=w,
                copies=copies,
            )
        write_readout(module, W, b, Z)
        check_linear_readout(module, X_t.to(self.net_.device), packed)

    def _forward(self, X3: np.ndarray) -> torch.Tensor:
        """Network outputs in float64, batch by batch.

        Inference runs on a float64 copy of the trained module: float32 kernels
        round differently for different batch sizes, so a row's prediction would
        otherwise depend on which rows it was predicted with.
        """
        module = copy.deepcopy(self.net_.module_).to(torch.float64).eval()
        device = self.net_.device
        X_t = torch.from_numpy(X3)
        step = self.batch_size
        fitted = self.net_.module_  # the fitted head's design, whatever set_params did since
        width = getattr(fitted.encoder, "out_channels", 1)
        if fitted.head.order == "decode_first" or fitted.head.pooling.learned:
            # the encoder's (batch, width, time) output is built whole: bound it
            step = max(1, min(step, int(5e7 // max(1, width * X3.shape[2]))))
        with torch.no_grad(), _torch_threads(self.n_threads):
            outs = [
                module(X_t[i : i + step].to(device=device, dtype=torch.float64)).cpu()
                for i in range(0, len(X_t), step)
            ]
        return torch.cat(outs)


@contextlib.contextmanager
def companion_call(companion: Any, doing: str):
    """Run a companion's fit or prediction: its ValueError said to be the companion's, and
    the warnings about the data left out (the estimator has given them already)."""
    try:
        with warnings.catch_warnings():
            for category in (LayoutWarning, MissingChannelWarning, DataConversionWarning):
                warnings.filterwarnings("ignore", category=category)
            yield
    except ValueError as exc:
        raise ValueError(f"{doing} companion={_short(companion)} failed: {exc}") from exc


def _get_rng_state(device: str) -> torch.Tensor:
    """The state dropout draws from: the device's generator, or on the CPU the fit's."""
    if device.startswith("cuda"):
        return torch.cuda.get_rng_state(device)
    return fit_generator().get_state()


def _set_rng_state(state: torch.Tensor, device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.set_rng_state(state.cpu(), device)
    else:
        fit_generator().set_state(state.cpu())
