"""Parameters of the estimators: their rules, skorch routing and the checks at fit."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import torch
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from skorch.callbacks import BatchScoring, Callback, EpochScoring, LRScheduler
from torch.optim import Optimizer

from .._net import (
    TensorBatches,
    resolve_device,
)
from .._options import ACTIVATIONS, ORDERS
from .._validation import (
    did_you_mean,
    refuse_bool_numbers,
)
from ..nn.encoders import ENCODER_REGISTRY, Encoder, resolve_encoder
from ..nn.pools import POOL_REGISTRY, Pool, check_pool

_ROUTED_PREFIXES = (
    "module__",
    "optimizer__",
    "criterion__",
    "iterator_train__",
    "iterator_valid__",
    "callbacks__",
    "dataset__",
)
# the estimators a companion of the same kind can be (see _check_companion)
_ESTIMATOR_NAMES = ("SeqPoolClassifier", "SeqPoolRegressor")
_ROUTED_NAMES = ("train_split", "iterator_train", "iterator_valid", "dataset")
# Module keywords the estimators set from the data at every fit.
_INFERRED_MODULE_KEYS = {
    "module__n_outputs": "the number of classes, or of target columns",
    "module__n_channels": "the channels of X",
    "module__n_timesteps": "the length of the series in X",
}
# Keywords of the default batch iterator (TensorBatches) besides the dataset.
_BATCH_ITERATOR_KEYS = ("batch_size", "shuffle", "generator", "drop_last")
# Parameters that predict reads (validated there too; the device of a loaded model is not,
# so that a CUDA-trained model predicts on a CPU-only machine).
_PREDICT_PARAMS = ("batch_size", "n_threads", "companion_weight")

# Estimator parameters passed to SeqPoolModule under the same name: a new head or
# encoder hyperparameter is added here (plus its constraint and docs).
_MODULE_PARAMS = (
    "encoder",
    "order",
    "pool",
    "window",
    "hidden_size",
    "activation",
    "dropout",
    "lp_power",
    "encoder_channels",
    "bidirectional",
)


class _Registered(StrOptions):
    """The names of a registry: the built-ins, and any a user registered since import."""

    def __init__(self, registry):
        super().__init__(set(registry))
        self.registry = registry

    def is_satisfied_by(self, val):
        return isinstance(val, str) and val in self.registry

    def __str__(self):
        # the names now, not those at import: a user's registered names are options too
        names = ", ".join(repr(n) for n in sorted(self.registry))
        kind = self.registry.kind
        return f"a str among {{{names}}} (the names registered with register_{kind})"


class _ParamsMixin:
    """The estimators' parameters: constraints, ``__init__``, routed skorch keywords, checks."""

    _parameter_constraints: dict = {
        "order": [StrOptions(set(ORDERS))],
        "pool": [_Registered(POOL_REGISTRY), type, tuple],
        "window": [None, Interval(Integral, 1, None, closed="left")],
        "encoder": [_Registered(ENCODER_REGISTRY), type, None],
        "hidden_size": [Interval(Integral, 1, None, closed="left"), None],
        "activation": [StrOptions(set(ACTIVATIONS)), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lp_power": [Interval(Real, 1, None, closed="left")],
        # a bound far above any width that fits in memory (the default encoder has 9996
        # maps): a huge value is refused instead of overflowing the encoders' arithmetic
        "encoder_channels": [None, Interval(Integral, 1, 10**6, closed="both")],
        "bidirectional": ["boolean"],
        "readout": [StrOptions({"trained", "ridge"})],
        # an encoder (name or class) under a ridge readout, or an estimator of this package
        "companion": [None, _Registered(ENCODER_REGISTRY), type, HasMethods(["fit", "predict"])],
        "companion_weight": [Interval(Real, 0, 1, closed="both")],
        "max_epochs": [None, Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"cosine", "constant"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": [type],
        "patience": [None, Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        # torch takes a C int; no machine has 2**16 cores
        "n_threads": [StrOptions({"auto"}), None, Interval(Integral, 1, 2**16, closed="both")],
        "verbose": ["verbose"],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(
        self,
        *,
        order: str = "pool_first",
        pool: str | type[Pool] = "avg",
        window: int | None = None,
        encoder: str | type[Encoder] | None = "minirocket",
        hidden_size: int | None = None,
        activation: str | None = "relu",
        dropout: float = 0.5,
        lp_power: float = 3.0,
        encoder_channels: int | None = None,
        bidirectional: bool = True,
        readout: str = "trained",
        companion: Any = None,
        companion_weight: float = 0.5,
        max_epochs: int | None = 100,
        lr: float = 0.0003,
        lr_schedule: str = "cosine",
        batch_size: int = 32,
        optimizer: type = torch.optim.Adam,
        patience: int | None = None,
        validation_fraction: float = 0.1,
        callbacks: list | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        device: str = "cpu",
        n_threads: int | str | None = "auto",
        verbose: int = 0,
        dtype: str = "float32",
        **kwargs: Any,
    ):
        self.order = order
        self.pool = pool
        self.window = window
        self.encoder = encoder
        self.hidden_size = hidden_size
        self.activation = activation
        self.dropout = dropout
        self.lp_power = lp_power
        self.encoder_channels = encoder_channels
        self.bidirectional = bidirectional
        self.readout = readout
        self.companion = companion
        self.companion_weight = companion_weight
        self.max_epochs = max_epochs
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.dtype = dtype
        # skorch-style routed keywords live in a private dict: get_params /
        # set_params expose them, so clone() and grid searches see them.
        self._routed = dict(kwargs)

    # ------------------------------------------------------------------ params
    def get_params(self, deep: bool = True) -> dict:
        params = super().get_params(deep=deep)
        params.update(getattr(self, "_routed", {}))
        return params

    def set_params(self, **params: Any):
        routed = {k: v for k, v in params.items() if _is_routed(k)}
        for key in routed:
            params.pop(key)
        if not hasattr(self, "_routed"):
            self._routed = {}
        self._routed.update(routed)
        if not params:
            return self
        valid = self.get_params(deep=True)
        for key in params:
            if key.split("__")[0] not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}."
                    f"{_unknown_param_hint(key, valid)} Valid parameters are: "
                    f"{sorted(valid)} and skorch-routed keywords starting with "
                    f"{', '.join(_ROUTED_PREFIXES)}."
                )
        return super().set_params(**params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        return tags

    def _check_params(self) -> None:
        # before scikit-learn's checks: they read True as the integer 1 and False as 0, and
        # would refuse False as out of range where True gets through to this message
        refuse_bool_numbers(self)
        try:
            self._validate_params()
        except InvalidParameterError as exc:
            hint = ""
            for key, options in (
                ("order", ORDERS),
                ("pool", tuple(POOL_REGISTRY)),
                ("encoder", tuple(ENCODER_REGISTRY)),
                ("companion", tuple(ENCODER_REGISTRY)),
                ("activation", ACTIVATIONS),
            ):
                value = getattr(self, key)
                if isinstance(value, str) and value not in options:
                    hint = did_you_mean(value, options)
                    if key in ("pool", "encoder"):
                        hint += (
                            f" Names registered with register_{key} are known only in the "
                            "process that registered them: in joblib or Dask workers "
                            f"(n_jobs=...), pass the class itself ({key}=MyClass) or "
                            "register it in a module the workers import."
                        )
                    break
                if key == "pool" and isinstance(value, list) and value:
                    hint = f" To combine pools pass a tuple: pool={tuple(value)!r}."
                    break
                if isinstance(value, (Pool, Encoder)):
                    name = type(value).__name__
                    hint = (
                        f" Pass the class ({key}={name}), not an instance: the network "
                        "builds it for the data's shape."
                    )
                    break
            raise InvalidParameterError(f"{exc}{hint}") from None
        if not (isinstance(self.optimizer, type) and issubclass(self.optimizer, Optimizer)):
            raise InvalidParameterError(
                f"The 'optimizer' parameter of {type(self).__name__} must be a subclass of "
                f"torch.optim.Optimizer (the class, e.g. torch.optim.AdamW); got "
                f"{self.optimizer!r}."
            )
        # a class given as pool= / encoder= must be a plug-in of that kind
        check_pool(self.pool)
        resolve_encoder(self.encoder)
        self._check_companion()
        for key in self._routed:  # constructor keywords arrive here unfiltered
            if not _is_routed(key):
                raise ValueError(
                    f"Unknown parameter {key!r} for {type(self).__name__}."
                    f"{_unknown_param_hint(key, self.get_params(deep=False))} skorch-routed "
                    f"keywords start with {', '.join(_ROUTED_PREFIXES)}."
                )
        for i, cb in enumerate(self.callbacks or []):
            named = isinstance(cb, tuple) and len(cb) == 2 and isinstance(cb[0], str)
            if not isinstance(cb[1] if named else cb, Callback):
                raise TypeError(
                    f"callbacks[{i}] must be a skorch callback (an instance of "
                    "skorch.callbacks.Callback) or a (name, callback) pair; got "
                    f"{cb!r} of type {type(cb).__name__}."
                )
        self._check_skorch_keywords()
        resolve_device(self.device, type(self).__name__)

    def _check_companion(self) -> None:
        """A companion is an encoder (name or class) or an estimator of this one's kind."""
        c = self.companion
        if c is None:
            return
        mine = next(k for k in type(self).__mro__ if k.__name__ in _ESTIMATOR_NAMES)
        expected = (
            f"companion must be None, an encoder (a registered name or an Encoder subclass) "
            f"or a {mine.__name__} instance"
        )
        if isinstance(c, type) and not issubclass(c, Encoder):
            hint = f" Pass an instance: companion={c.__name__}(...)." if issubclass(c, mine) else ""
            raise TypeError(f"{expected}; got the class {c.__name__}.{hint}")
        if isinstance(c, (str, type)):
            # an encoder the ridge readout cannot read (a trained one) is refused by the
            # companion's fit, in its words, before the network trains
            resolve_encoder(c)
            return
        if not isinstance(c, mine):
            raise TypeError(f"{expected}; got {c!r} of type {type(c).__name__}.")
        if c.get_params(deep=False).get("companion") is not None:
            raise ValueError(
                f"companion={c!r} has a companion of its own; a companion's companion must be None."
            )

    def _check_skorch_keywords(self) -> None:
        """Refuse the skorch keywords and callbacks that would be ignored or misread."""
        name = type(self).__name__
        routed = self._routed
        dataset = sorted(k for k in routed if k == "dataset" or k.startswith("dataset__"))
        if dataset:
            raise ValueError(
                f"{name} does not take {', '.join(dataset)}: it holds the training data as "
                "whole tensors and builds its own dataset, so skorch's dataset= and "
                "dataset__* would be ignored. Transform X before fit (e.g. in a Pipeline)."
            )
        for key, source in _INFERRED_MODULE_KEYS.items():
            if key in routed:
                raise ValueError(
                    f"{key} is set by {name} from the data at every fit ({source}), so "
                    f"that the network fits X and y; got {key}={routed[key]!r}. Remove it."
                )
        if (
            self.patience is not None
            and self.readout != "ridge"  # which holds nothing out and ignores patience
            and "train_split" in routed
            and routed["train_split"] is None
        ):
            raise ValueError(
                f"patience={self.patience} stops early on the loss of held-out data, but "
                "train_split=None holds none out. Remove train_split (patience holds out "
                "validation_fraction of the data) or set patience=None."
            )
        for param in ("iterator_train", "iterator_valid"):
            if routed.get(param, TensorBatches) is not TensorBatches:
                continue
            prefix = param + "__"
            for key in routed:
                sub = key.removeprefix(prefix)
                if key.startswith(prefix) and sub not in _BATCH_ITERATOR_KEYS:
                    raise ValueError(
                        f"{key}={routed[key]!r} is routed to the default batch iterator, "
                        f"which takes only {', '.join(_BATCH_ITERATOR_KEYS)}; got {sub!r}."
                        f"{did_you_mean(sub, _BATCH_ITERATOR_KEYS)} For torch DataLoader's "
                        "keywords (num_workers, pin_memory, collate_fn, ...) pass "
                        f"{param}=torch.utils.data.DataLoader as well."
                    )
        schedule_off = routed.get("callbacks__lr_schedule", "") is None
        for i, cb in enumerate(self.callbacks or []):
            if isinstance(cb, tuple):
                if routed.get(f"callbacks__{cb[0]}", "") is None:
                    continue  # switched off by callbacks__<name>=None
                cb = cb[1]
            if isinstance(cb, LRScheduler) and self.lr_schedule != "constant" and not schedule_off:
                raise ValueError(
                    f"callbacks[{i}] is a skorch LRScheduler, but lr_schedule="
                    f"{self.lr_schedule!r} sets the learning rate of every epoch itself and "
                    "would override it. Pass lr_schedule='constant' to schedule the rate "
                    "with your LRScheduler."
                )
            monitor = getattr(cb, "monitor", None)
            if (
                isinstance(monitor, str)
                and monitor.startswith("valid_")
                and self.patience is None
                and routed.get("train_split") is None
            ):
                raise ValueError(
                    f"callbacks[{i}] is a skorch {type(cb).__name__} with monitor="
                    f"{monitor!r}, which exists only with a validation split, but "
                    "patience=None holds no data out (and no train_split is given). Set "
                    "patience= to hold out validation_fraction of the data and stop early "
                    "on the validation loss, restoring the best weights (its 'valid_loss' "
                    "and 'valid_score' can then be monitored), or monitor a 'train_*' key."
                )
            if _scores_raw_outputs(self, cb):
                raise ValueError(
                    f"callbacks[{i}] is a skorch {type(cb).__name__} with scoring="
                    f"{cb.scoring!r}: skorch would score the inner network's raw outputs "
                    "(logits for the classifier, which scikit-learn refuses as a mix of "
                    "targets; outputs on the standardised scale of the targets for the "
                    "regressor, a wrong score), not the estimator's predictions. Use "
                    "patience=, whose 'valid_score' column records the held-out accuracy "
                    "or R², or a Callback of your own that scores the predictions."
                )


def _scores_raw_outputs(estimator: Any, cb: Any) -> bool:
    """Whether ``cb`` is skorch's scoring by a metric name, read off the inner network.

    The regressor's R² and explained variance are left: the internal target scaling does
    not change them.
    """
    if not isinstance(cb, (EpochScoring, BatchScoring)):
        return False
    if not (cb.scoring is None or isinstance(cb.scoring, str)):
        return False
    return isinstance(estimator, ClassifierMixin) or cb.scoring not in (
        "r2",
        "explained_variance",
    )


def _require_y(y: Any, name: str) -> None:
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")


def _is_routed(key: str) -> bool:
    return key.startswith(_ROUTED_PREFIXES) or key in _ROUTED_NAMES


def _unknown_param_hint(key: str, valid) -> str:
    """Closest known name: a parameter, or a skorch prefix for a mistyped ``prefix__name``."""
    names = [v for v in valid if v != key]
    if "__" in key:
        head, rest = key.split("__", 1)
        close = did_you_mean(head + "__", _ROUTED_PREFIXES)
        if close:
            return close.replace("__'", f"__{rest}'")
    return did_you_mean(key, names)
