"""SeqPoolClassifier and SeqPoolRegressor.

Design decision: compose around a skorch net rather than subclass one
----------------------------------------------------------------------
skorch's ``NeuralNet.__init__`` sets ``history_``, ``initialized_`` and
``virtual_params_``: attributes that end in ``_`` before ``fit``. scikit-learn's
common checks read those as "fitted" (``check_no_attributes_set_in_init``,
``check_estimators_unfitted``, ``check_fit_check_is_fitted`` ...), its
``get_params``/``set_params`` treat every unknown ``__`` keyword as a
parameter, and it validates nothing about sequence shapes. Measured with
scikit-learn 1.9.1 and skorch 1.4.0 (``benchmarks/skorch_sklearn_checks.py``):
a plain ``NeuralNetClassifier`` passes 30 of the 54 classifier checks that
``check_estimator`` runs and fails 24; ``SeqPoolClassifier`` passes all 53 that
apply to it (one array-API check skips itself) and fails none.

So the public estimators are plain scikit-learn estimators whose ``__init__``
only stores parameters, and ``fit`` builds a fresh ``SeqPoolNet``
(a skorch ``NeuralNet``) from the validated data: ``estimator.net_`` is that
net, with its history, callbacks and ``save_params``. skorch-style routing stays
available: any ``module__*``, ``optimizer__*``, ``criterion__*``,
``iterator_train__*``, ``iterator_valid__*`` or ``callbacks__*`` keyword (and
``train_split``, ``iterator_train``, ``iterator_valid``) is passed to the net,
and a user-given ``module__x`` wins over the inferred value.
"""

from __future__ import annotations

import copy
import copyreg
import inspect
import math
import re
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from skorch.callbacks import Callback, EarlyStopping
from skorch.dataset import ValidSplit

from ._doclink import DocLinkMixin
from ._modules import ACTIVATIONS, ENCODERS, ORDERS, POOLS, SeqPoolModule, n_frames_for
from ._net import (
    CosineLR,
    SeqPoolNet,
    TensorBatches,
    TensorData,
    TrainingDivergedError,
    ValidScore,
    _dtype_name,
    _module_dtype,
    _seeded,
    _torch_threads,
    resolve_device,
)
from ._sharing import PORTABLE_KEY, portable_state, restore_portable
from ._validation import (
    LayoutWarning,
    check_n_channels,
    check_sequences,
    check_targets,
    did_you_mean,
)

_ROUTED_PREFIXES = (
    "module__",
    "optimizer__",
    "criterion__",
    "iterator_train__",
    "iterator_valid__",
    "callbacks__",
    "dataset__",
)
_ROUTED_NAMES = ("train_split", "iterator_train", "iterator_valid", "dataset")
# Parameters that predict reads (validated there too; the device of a loaded model is not,
# so that a CUDA-trained model predicts on a CPU-only machine).
_PREDICT_PARAMS = ("batch_size", "n_threads")

# A 3D X with more channels than steps, and at most this many steps, is most likely
# channels-last (n_samples, n_timesteps, n_channels): LayoutWarning. Wide feature maps of
# a longer series (e.g. 128 channels x 100 steps) are not flagged.
_LAYOUT_MAX_STEPS = 16

# The training budget of max_epochs=None: at least this many optimizer steps and epochs.
MIN_STEPS = 1000
MIN_EPOCHS = 100

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

_SHARED_PARAMS = """\
    order : {"pool_first", "decode_first"}, default="pool_first"
        ``"pool_first"``: pool over time -> linear decoder -> activation -> output
        layer. ``"decode_first"``: linear decoder at every time step ->
        activation -> pool over time -> output layer.
    pool : {"avg", "max", "lp", "attention"}, default="avg"
        Pooling over the valid (non-NaN) steps of each window. ``"lp"`` is the
        power mean ``(mean |h|^p)^(1/p)`` with ``p = lp_power``;
        ``"attention"`` learns a softmax weight per step.
    window : int or None, default=None
        ``None`` pools over the whole series (one frame; predict then accepts
        3D series of any length). ``k`` pools non-overlapping windows of ``k``
        steps (the last partial window kept) and flattens the frames before
        the output layer, so coarse temporal order survives; the frame count is
        fixed at fit.
    encoder : {"minirocket", "conv", "gru"} or None, default="minirocket"
        ``"minirocket"``: frozen random convolutions in the MiniRocket style
        (Dempster et al. 2021): 84 fixed kernels at exponentially spaced
        dilations, each output compared with biases taken from quantiles of the
        training data; the encoder emits the standardised indicator ``c(t) > b``
        of every kernel/dilation/bias at every step, so ``pool="avg"`` gives
        MiniRocket's proportion of positive values, and order, pool and window act
        on those maps. Nothing in it is trained, which makes it fast.
        ``"conv"``: FCN-style, three Conv1d + batch norm + ReLU blocks of widths
        ``(w, 2w, w)`` with ``w = encoder_channels``. ``"gru"``: a GRU with
        ``encoder_channels`` units per direction. ``None``: the head sees the
        raw channels.
    hidden_size : int, default=64
        Width of the linear decoder.
    activation : {"relu", "gelu", "tanh"} or None, default="relu"
        Non-linearity after the decoder. With ``None`` and ``pool="avg"``
        both orders compute the same function.
    dropout : float, default=0.5
        Dropout after the activation (the decoder's output, before pooling in
        ``decode_first``).
    lp_power : float, default=3.0
        Power of ``pool="lp"``.
    encoder_channels : int or None, default=None
        Encoder width. ``"minirocket"``: number of indicator maps, rounded down to
        a multiple of 84 (``None``: 9996). ``"conv"``: ``w`` (``None``: 64).
        ``"gru"``: hidden units per direction (``None``: 64). The decoder of
        ``order="decode_first"`` runs at every step over this width, so with the
        wide ``"minirocket"`` encoder ``decode_first`` costs far more than
        ``pool_first``; a smaller width (e.g. 1008) keeps it affordable.
    bidirectional : bool, default=True
        GRU encoder only: read the series in both directions.
    max_epochs : int or None, default=100
        Training epochs (an upper bound when ``patience`` is set). ``None``: a
        budget that scales with the training set, at least 1000 optimizer steps
        and at least 100 epochs (so 30 series at ``batch_size=32`` get 1000 epochs
        of one step, 600 series 100 epochs of 19 steps) -- for trainable encoders
        on small training sets; with the default encoder it bought no accuracy on
        the UCR suite. The defaults of the training parameters were chosen on a
        20-dataset UCR/UEA suite; the evidence is in the documentation's
        benchmarks page.
    lr : float, default=0.0003
        Learning rate of the optimizer.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the rate decays from ``lr`` to 0 along a half cosine over
        the ``max_epochs`` of each fit (recorded in ``history_`` as ``"lr"``);
        a warm-started fit runs a new cycle. ``"constant"``: ``lr`` throughout.
    batch_size : int, default=32
        Mini-batch size for training and prediction (the whole training set
        when it is smaller).
    optimizer : torch optimizer class, default=torch.optim.Adam
        Further arguments go through ``optimizer__*`` keywords.
    patience : int or None, default=None
        Early stopping: hold out ``validation_fraction`` of the training data
        and stop after ``patience`` epochs without improvement of the
        validation loss, restoring the best weights. ``None`` trains on all
        the data for ``max_epochs``.
    validation_fraction : float, default=0.1
        Fraction held out when ``patience`` is set (stratified for classifiers).
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (copied at every fit, never mutated).
    warm_start : bool, default=False
        If True and the estimator is fitted, ``fit`` continues training the
        existing network, optimizer state included, for ``max_epochs`` more
        epochs (as skorch's ``warm_start``) instead of starting anew; the network
        and optimizer keep the configuration of the fit that built them.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout inside ``fit``,
        without touching the global torch generator. The same integer gives
        bitwise-identical predictions.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
        A model trained on CUDA unpickles on a CPU-only machine (skorch moves it
        to the CPU with a ``DeviceWarning``).
    n_threads : "auto", int or None, default="auto"
        torch intra-op CPU threads during ``fit`` and ``predict``; the previous
        setting is restored afterwards. ``"auto"`` uses the physical cores the
        process may use (CPU affinity, cgroup quota, ``OMP_NUM_THREADS`` at
        start-up) in the main process, the
        worker's share in a joblib worker process (``cpu_count() // n_jobs``),
        and one thread in a joblib worker thread or a Dask task, so
        ``GridSearchCV(n_jobs=-1)`` never oversubscribes the machine. CPU
        kernels split their sums by thread, so ``random_state`` gives the same
        model for the same thread count: with ``"auto"``, on the same machine
        and back-end; with ``n_threads=1``, bitwise-identical results in every
        process (``n_jobs=1``, loky and Dask workers) and on every machine with
        the same torch build. ``None`` leaves torch's setting
        (``torch.get_num_threads()``) alone.
    verbose : int, default=0
        ``> 0`` prints skorch's per-epoch table.
    dtype : {"float32", "float64"}, default="float32"
        Precision of training: ``X``, the targets and the network. ``"float64"``
        trains in double precision, about twice as slow on CPU; fits then agree
        with each other to float64 round-off (e.g. a sample weight of ``k`` and
        ``k`` copies of the sample). Prediction computes in float64 either way.
    **kwargs : skorch routing
        ``module__*``, ``optimizer__*``, ``criterion__*``, ``iterator_train__*``,
        ``iterator_valid__*``, ``callbacks__*``, ``train_split``, ... as in
        skorch."""

_SHARED_ATTRIBUTES = """\
    n_features_in_ : int
        Number of channels for 3D input; number of columns (time steps) for 2D input.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a 2D DataFrame with string column names.
    n_channels_in_ : int
        Channels seen during fit (1 for 2D input).
    n_timesteps_in_ : int
        Length of the (padded) training series.
    n_frames_ : int
        Frames produced by the head (1 for ``window=None``).
    net_ : skorch.NeuralNet
        The trained skorch net (history, callbacks, ``save_params``, ...).
    module_ : torch.nn.Module
        The trained :class:`~seqpool_sklearn.SeqPoolModule`.
    history_ : skorch.history.History
        Per-epoch training record (``net_.history``).
    n_iter_ : int
        Epochs trained in the last call to ``fit``."""


def _fill_doc(cls):
    # the placeholders sit at the docstring's own indentation; the shared text carries its own
    cls.__doc__ = cls.__doc__.replace("    {shared_params}", _SHARED_PARAMS).replace(
        "    {shared_attributes}", _SHARED_ATTRIBUTES
    )
    return cls


class _SeqPoolBase(DocLinkMixin, BaseEstimator):
    """Shared fit / predict machinery; see SeqPoolClassifier for the parameters."""

    _parameter_constraints: dict = {
        "order": [StrOptions(set(ORDERS))],
        "pool": [StrOptions(set(POOLS))],
        "window": [None, Interval(Integral, 1, None, closed="left")],
        "encoder": [StrOptions(set(ENCODERS)), None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS)), None],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lp_power": [Interval(Real, 1, None, closed="left")],
        "encoder_channels": [None, Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
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
        "n_threads": [StrOptions({"auto"}), None, Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(
        self,
        *,
        order: str = "pool_first",
        pool: str = "avg",
        window: int | None = None,
        encoder: str | None = "minirocket",
        hidden_size: int = 64,
        activation: str | None = "relu",
        dropout: float = 0.5,
        lp_power: float = 3.0,
        encoder_channels: int | None = None,
        bidirectional: bool = True,
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
        try:
            self._validate_params()
        except InvalidParameterError as exc:
            hint = ""
            for key, options in (
                ("order", ORDERS),
                ("pool", POOLS),
                ("encoder", ENCODERS),
                ("activation", ACTIVATIONS),
            ):
                value = getattr(self, key)
                if isinstance(value, str) and value not in options:
                    hint = did_you_mean(value, options)
                    break
            raise InvalidParameterError(f"{exc}{hint}") from None
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
        resolve_device(self.device, type(self).__name__)

    # ------------------------------------------------------------------ data
    def _validate_X(self, X: Any, *, reset: bool) -> np.ndarray:
        name = type(self).__name__
        # read X in the precision of the network: fit's dtype, or the fitted network's
        fitted = getattr(self, "net_", None)
        if reset or fitted is None:
            dtype = np.dtype(self.dtype)
        else:
            dtype = np.dtype(_dtype_name(_module_dtype(fitted.module_)))
        X3, ndim = check_sequences(X, name=name, return_ndim=True, dtype=dtype)
        two_d = ndim == 2
        if reset:
            self._fit_2d = two_d
            if two_d:
                validate_data(self, X, skip_check_array=True, reset=True)
            else:
                self.n_features_in_ = X3.shape[1]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            if not two_d and X3.shape[1] > X3.shape[2] <= _LAYOUT_MAX_STEPS:
                warnings.warn(
                    f"X has shape {X3.shape}: {X3.shape[1]} channels of {X3.shape[2]} time "
                    f"steps. {name} reads (n_samples, n_channels, n_timesteps); if these "
                    "are series of length "
                    f"{X3.shape[1]} with {X3.shape[2]} channels (the channels-last layout "
                    "of Keras), pass X.transpose(0, 2, 1).",
                    LayoutWarning,
                    stacklevel=4,
                )
            self.n_channels_in_ = X3.shape[1]
            self.n_timesteps_in_ = X3.shape[2]
            return X3
        if two_d and self._fit_2d:
            # sklearn's contract for 2D input: the columns are the features.
            validate_data(self, X, skip_check_array=True, reset=False)
        check_n_channels(X3.shape[1], self.n_channels_in_, name=name)
        window = self.net_.module_.head.window  # the fitted window, whatever set_params did
        if window is not None:
            frames = n_frames_for(X3.shape[2], window)
            if frames != self.n_frames_:
                raise ValueError(
                    f"X has {X3.shape[2]} time steps, but {name} (window={window}) was "
                    f"fitted on series of {self.n_timesteps_in_} steps and its output layer "
                    f"expects {self.n_frames_} frames. Pad the series with NaN or truncate "
                    f"them to {self.n_timesteps_in_} steps, or use window=None to predict "
                    "on series of any length."
                )
        return X3

    def _validate_predict(self, X: Any) -> np.ndarray:
        """Prediction's checks: fitted, the parameters predict reads valid, ``X`` as fitted.

        Parameters changed after fit are validated here (``batch_size``,
        ``n_threads`` ...); those that shape the network (``window``, ``order`` ...)
        take effect at the next fit, and prediction uses the fitted network's.
        """
        check_is_fitted(self)
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in _PREDICT_PARAMS},
            {name: getattr(self, name) for name in _PREDICT_PARAMS},
            caller_name=type(self).__name__,
        )
        return self._validate_X(X, reset=False)

    def _check_window(self, X3: np.ndarray) -> None:
        if self.window is not None and self.window > X3.shape[2]:
            raise ValueError(
                f"window={self.window} is larger than the series length "
                f"({X3.shape[2]} time steps) given to {type(self).__name__}; use "
                f"window <= {X3.shape[2]} or window=None for global pooling."
            )

    # ------------------------------------------------------------------ fit
    def _build_net(self, n_outputs: int, seed: int, device: str) -> SeqPoolNet:
        stratified = isinstance(self, ClassifierMixin)
        callbacks = copy.deepcopy(list(self.callbacks or []))
        if self.lr_schedule == "cosine":
            callbacks.append(("lr_schedule", CosineLR()))
        train_split = None
        if self.patience is not None:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(monitor="valid_loss", patience=self.patience, load_best=True),
                )
            )
            callbacks.append(("valid_score", ValidScore("accuracy" if stratified else "r2")))
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
        if getattr(self, "class_weight_", None) is not None:
            kwargs["criterion__weight"] = torch.as_tensor(self.class_weight_, dtype=torch.float32)
        kwargs.update(copy.deepcopy(self._routed))
        return SeqPoolNet(
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

    def _new_net(self, n_outputs: int, seed: int, device: str, dtype: torch.dtype) -> SeqPoolNet:
        """A built, initialised network whose module and criterion are in ``dtype``.

        Parameters are converted in place (the same ``Parameter`` objects), so the
        optimizer that ``initialize`` built keeps updating them.
        """
        net = self._build_net(n_outputs, seed, device)
        net.initialize()
        if dtype != torch.float32:
            net.module_.to(dtype)
            net.criterion_.to(dtype)  # class weights
        return net

    def _encode_targets(self, y, n_samples, *, classes=None, reset=True, sample_weight=None):
        """Validate ``y``, set the target state; return the training targets and output count.

        ``reset=False`` (a later ``partial_fit`` call) reuses the fitted state.
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
        try:
            self._check_params()
            _require_y(y, type(self).__name__)
            reset = not (partial and net is not None)
            X3 = self._validate_X(X, reset=reset)
            self._check_window(X3)
            w = self._sample_weight(sample_weight, len(X3))
            y_t, n_outputs = self._encode_targets(
                y, len(X3), classes=classes, reset=reset, sample_weight=w
            )
            weight = None if w is None else torch.from_numpy(w.astype(np.float64))
            self._check_validation_split(y_t, n_outputs)
            return self._fit_net(X3, y_t, n_outputs, train=train, weight=weight, partial=partial)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            if backup is not None:
                self.net_ = backup
                self.module_ = backup.module_
                self.history_ = backup.history
            raise

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

    def _sample_weight(self, sample_weight: Any, n_samples: int) -> np.ndarray | None:
        """Validated sample weights, scaled to mean 1; None when they are all equal.

        Equal weights give exactly the unweighted loss, so they take the plain path.
        """
        if sample_weight is None:
            return None
        w = _check_sample_weight(
            sample_weight, np.empty((n_samples, 0)), dtype=np.float64, ensure_non_negative=True
        )
        # (lengths, NaN, inf and negative weights are refused by scikit-learn's
        # _check_sample_weight, with its messages; all-zero ones only from 1.7 on)
        if not w.any():
            raise ValueError("Sample weights must contain at least one non-zero number.")
        if (w == w[0]).all():
            return None
        return w / w.mean()

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

    def _fit_net(
        self,
        X3: np.ndarray,
        y_t: torch.Tensor,
        n_outputs: int,
        *,
        train: bool,
        weight: torch.Tensor | None = None,
        partial: bool = False,
    ):
        device = resolve_device(self.device, type(self).__name__)
        self._epochs = 1 if partial else self._training_epochs(len(X3))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        continuing = (partial and getattr(self, "net_", None) is not None) or (
            train
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
        fitted = None
        with _torch_threads(self.n_threads), _seeded(seed, device):
            if not continuing:
                self.net_ = self._new_net(n_outputs, seed, device, dtype)
                # data-initialised encoders (minirocket) set their biases and scales
                fitted = self.net_.module_.fit_data(
                    X_t.to(self.net_.device), torch.Generator().manual_seed(seed), weight
                )
            elif getattr(self, "_rng_state", (None,))[0] == device:
                # a warm start draws dropout masks where the last fit stopped, so
                # 2 + 2 epochs train exactly like 4
                _set_rng_state(self._rng_state[1], device)
            epochs_before = len(self.net_.history)
            if train:
                # epochs: a warm start trains the current max_epochs more epochs,
                # also after set_params(max_epochs=...) on a fitted estimator.
                self._train(X_t, y_t, weight, fitted)
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

    def _train(self, X_t: torch.Tensor, y_t: torch.Tensor, weight=None, fitted=None) -> None:
        """Run the training epochs; a frozen encoder's pooled frames are computed once.

        With a frozen encoder (``"minirocket"``) and ``order="pool_first"`` under a
        pool without parameters, the pooled frames are the same at every epoch:
        they are computed once, and the net trains on them. The result is the same
        network as training on the raw series. ``fitted`` is what the encoder's
        ``fit_data`` computed on ``X_t`` (reused for the global average pool).
        """
        module = self.net_.module_
        pooled = module.caches_pooled
        if pooled:
            X_t = module.pool_inputs(X_t.to(self.net_.device), fitted=fitted)
        data = X_t if weight is None else TensorData(X_t, y_t, weight)
        module.pooled_inputs = pooled
        try:
            self.net_.partial_fit(data, y_t, epochs=self._epochs)
        finally:
            module.pooled_inputs = False

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
        width = getattr(self.net_.module_.encoder, "out_channels", 1)
        if self.order == "decode_first" or self.pool == "attention":
            # the encoder's (batch, width, time) output is built whole: bound it
            step = max(1, min(step, int(5e7 // max(1, width * X3.shape[2]))))
        with torch.no_grad(), _torch_threads(self.n_threads):
            outs = [
                module(X_t[i : i + step].to(device=device, dtype=torch.float64)).cpu()
                for i in range(0, len(X_t), step)
            ]
        return torch.cat(outs)

    # ------------------------------------------------------------------ history
    def training_history(self) -> pd.DataFrame:
        """The per-epoch training record as a DataFrame, one row per epoch.

        Columns: ``epoch``, ``train_loss``, ``lr`` (with ``lr_schedule="cosine"``),
        ``dur`` (seconds) and, when ``patience`` holds data out, ``valid_loss`` and
        ``valid_score`` (accuracy for the classifier, R² for the regressor), plus
        whatever extra callbacks record. Epochs of earlier warm-started fits are
        included.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import numpy as np
        >>> from seqpool_sklearn import SeqPoolClassifier
        >>> X = np.random.default_rng(0).normal(size=(30, 1, 12)).astype("float32")
        >>> clf = SeqPoolClassifier(encoder=None, max_epochs=3, random_state=0)
        >>> clf.fit(X, np.arange(30) % 2).training_history().columns.tolist()
        ['epoch', 'train_loss', 'lr', 'dur']
        """
        check_is_fitted(self)
        rows = []
        for epoch in self.history_:
            row = {
                k: v
                for k, v in epoch.items()
                if k != "batches" and not k.endswith(("_best", "_batch_count"))
            }
            rows.append(row)
        frame = pd.DataFrame(rows)
        first = ("epoch", "train_loss", "valid_loss", "valid_score", "lr", "dur")
        order = [c for c in first if c in frame] + [c for c in frame if c not in first]
        return frame[order]

    def plot_learning_curve(self, ax=None):
        """Plot the training loss per epoch (and the validation loss and score when recorded).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw the losses; a new figure when None. The validation score, when
            recorded (``patience``), goes on a twin axis on the right.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        history = self.training_history()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(history["epoch"], history["train_loss"], label="train loss")
        if "valid_loss" in history:
            ax.plot(history["epoch"], history["valid_loss"], label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        handles, labels = ax.get_legend_handles_labels()
        if "valid_score" in history:
            score_ax = ax.twinx()
            name = "accuracy" if isinstance(self, ClassifierMixin) else "R²"
            (line,) = score_ax.plot(
                history["epoch"], history["valid_score"], color="C2", label=f"validation {name}"
            )
            score_ax.set_ylabel(f"validation {name}")
            handles.append(line)
            labels.append(line.get_label())
        ax.legend(handles, labels, loc="best")
        return ax

    # ------------------------------------------------------------------ pickling
    def _pickle_state(self) -> dict:
        # module_ and history_ are aliases of net_.module_ and net_.history. Left in
        # the state, plain pickle would store the weights a second time, outside
        # skorch's device-aware NeuralNet.__getstate__: a CUDA-trained estimator
        # would then fail to unpickle on a CPU-only machine, and the aliases would
        # come back as copies that no longer follow net_.
        state = dict(super().__getstate__())
        state.pop("module_", None)
        state.pop("history_", None)
        return state

    def __reduce_ex__(self, protocol):
        # pickle, joblib and copy store the estimator whole (the network through
        # skorch's own pickling, callbacks' state included)
        return (copyreg.__newobj__, (type(self),), self._pickle_state())

    def __getstate__(self) -> dict:
        """The portable state: plain values and arrays, no torch object, no pickle.

        State-based serialisers read this (skops: ``skops.io.dump``); see
        :mod:`seqpool_sklearn._sharing`. ``pickle`` / ``joblib`` use
        ``__reduce_ex__`` and store the estimator whole.
        """
        return portable_state(self, self._pickle_state())

    def __setstate__(self, state: dict) -> None:
        if PORTABLE_KEY in state:
            restore_portable(self, state)
            return
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            self.module_ = net.module_
            self.history_ = net.history

    # ------------------------------------------------------------------ skorch
    def initialize(self, X: Any, y: Any):
        """Validate ``X``, ``y`` and build an untrained network for them, as ``fit`` would.

        Sets every fitted attribute (``classes_``, ``n_channels_in_``, ``net_``,
        ...) with ``n_iter_ == 0``; the weights are the seeded initial ones. Use it
        before :meth:`load_params` to restore weights saved by :meth:`save_params`
        without training first. Always builds a fresh network (``warm_start`` is
        ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
            Series of the shape the saved model was trained on (same channels;
            same length for windowed heads).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets that set the estimator-level state: the same classes as at
            training for classifiers; for regressors, the training targets (their
            mean and scale map the network's outputs back to target units).

        Returns
        -------
        self : estimator
        """
        return self._fit(X, y, train=False)

    def save_params(self, **kwargs: Any) -> None:
        """Save the network's state with skorch's ``NeuralNet.save_params``.

        Parameters
        ----------
        **kwargs
            skorch's file arguments: ``f_params`` (module weights), ``f_optimizer``,
            ``f_criterion``, ``f_history`` -- paths or file objects.

        Notes
        -----
        Only the network's state is saved. The estimator-level state (``classes_``,
        input shape, regression target scaling) is rebuilt by :meth:`initialize`
        from data before :meth:`load_params`; ``pickle`` / ``joblib`` store
        everything in one file. Weights saved from a CUDA model load on the CPU.
        """
        check_is_fitted(self)
        self.net_.save_params(**kwargs)

    def export(self, path: Any, format: str = "onnx") -> None:
        """Write the fitted model's prediction as an ONNX or TorchScript file.

        The file holds the whole prediction, for runtimes without this package: the
        classifier's graph outputs ``predict_proba`` (``proba``, columns in the order
        of ``classes_``), the regressor's outputs ``predict`` in target units
        (``prediction``). Its input ``X`` is float32 of shape (batch, n_channels,
        time), padded with NaN as for ``predict``; any batch size, and any length when
        ``window=None`` (a windowed head takes the fitted length).

        Parameters
        ----------
        path : str or path-like
            File to write.
        format : {"onnx", "torchscript"}, default="onnx"
            ``"onnx"`` runs with onnxruntime (``session.run(None, {"X": X})``),
            ``"torchscript"`` with ``torch.jit.load(path)(torch.from_numpy(X))``.

        Notes
        -----
        The graph computes in float64 like ``predict`` and matches it to round-off;
        the ONNX graph of the GRU encoder runs its recurrence in float32 (onnxruntime
        has no float64 GRU), about 1e-7 relative. See the user guide's persistence page.
        """
        from ._export import export_estimator

        export_estimator(self, path, format)

    def load_params(self, **kwargs: Any) -> None:
        """Load a state saved by :meth:`save_params` into this estimator's network.

        The estimator must be fitted or initialised (:meth:`initialize`) with the
        same configuration and data shape as the one that saved the state.

        Parameters
        ----------
        **kwargs
            skorch's file arguments: ``f_params``, ``f_optimizer``, ``f_criterion``,
            ``f_history``.
        """
        check_is_fitted(self)
        try:
            self.net_.load_params(**kwargs)
        except RuntimeError as exc:
            text = str(exc)
            if "state_dict" not in text:
                raise
            layers = re.findall(r"size mismatch for ([\w.]+)", text)
            missing = re.findall(r"(?:Missing|Unexpected) key\(s\) in state_dict: ([^.]+)\.", text)
            detail = (
                f"the layers {', '.join(layers)} have other shapes"
                if layers
                else f"the layers differ ({'; '.join(missing) or text.splitlines()[0]})"
            )
            raise ValueError(
                f"The saved weights do not fit this {type(self).__name__}'s network: "
                f"{detail}. Load them into an estimator with the configuration (encoder, "
                "widths, window, ...) and data shape that saved them: set those parameters "
                "and call initialize(X, y) first."
            ) from None
        # f_history replaces the net's History object; keep the aliases on it.
        self.module_ = self.net_.module_
        self.history_ = self.net_.history

    def explain(self, X: Any, *, n_steps: int = 64):
        """Per-step contributions of every output: where in time is the evidence?

        Exact for ``order="decode_first"`` (every pool, window and encoder) and for
        ``pool_first`` with ``pool="avg"`` and ``activation=None``; integrated gradients
        otherwise. See the user guide's explanations page.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
            NaN steps are padding and get exactly 0.
        n_steps : int, default=64
            Integration steps when the head is not exactly decomposable.

        Returns
        -------
        explanation : Explanation
            ``values`` (n_samples, n_outputs, n_timesteps), ``offset``, ``outputs``,
            ``exact``, ``method``, ``completeness_error`` and ``plot(i)``.
        """
        from ._explain import explain

        return explain(self, X, n_steps=n_steps)


def _get_rng_state(device: str) -> torch.Tensor:
    if device.startswith("cuda"):
        return torch.cuda.get_rng_state(device)
    return torch.get_rng_state()


def _set_rng_state(state: torch.Tensor, device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.set_rng_state(state.cpu(), device)
    else:
        torch.set_rng_state(state.cpu())


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


@_fill_doc
class SeqPoolClassifier(ClassifierMixin, _SeqPoolBase):
    """Sequence classifier whose head order, pool type and window are hyperparameters.

    Input ``X`` is an array of shape (n_samples, n_channels, n_timesteps); 2D
    input (n_samples, n_timesteps) is one univariate series per row. NaN time
    steps (all channels NaN) are padding / missing and are ignored by every
    pooling operation; a NaN-padded series gets the same prediction as the
    same series unpadded.

    Parameters
    ----------
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's linear models: a
        dict from the original labels (strings included) to weights (missing
        labels weigh 1), ``"balanced"`` for ``n_samples / (n_classes *
        count(label))``, or None for equal weights. Combines with ``sample_weight``
        by multiplication.
    {shared_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; ``predict`` returns members of it.
    class_weight_ : ndarray of shape (n_classes,) or None
        The class weights used in the loss, ordered as ``classes_``.
    {shared_attributes}

    See Also
    --------
    SeqPoolRegressor : The same model for regression targets.
    SeqPoolModule : The underlying torch module.

    Notes
    -----
    With ``activation=None`` and ``pool="avg"`` the two orders compute the same
    function (a linear map commutes with a masked average), so any measured
    difference there is noise. A non-linear activation, or max / lp /
    attention pooling, makes them differ.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2, 16)).astype("float32")
    >>> X[:, 0] += np.repeat([-1.0, 1.0], 20)[:, None]  # level of channel 0 = class
    >>> y = np.where(X[:, 0].mean(axis=1) > 0, "up", "down")
    >>> clf = SeqPoolClassifier(order="decode_first", encoder=None, hidden_size=8,
    ...                         max_epochs=30, lr=0.05, random_state=0).fit(X, y)
    >>> clf.predict(X[[0, -1]]).tolist()
    ['down', 'up']
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags

    _criterion = torch.nn.CrossEntropyLoss
    _parameter_constraints: dict = {
        **_SeqPoolBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, class_weight: dict | str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.class_weight = class_weight

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> SeqPoolClassifier:
        """Train one epoch on ``X``, ``y``; later calls continue the same network.

        As scikit-learn's ``MLPClassifier.partial_fit``: the first call needs every
        class label in ``classes`` (later batches may miss some), builds the network
        and fixes the input shape; every call then trains one pass over its data.

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.
        classes : array-like of shape (n_classes,), default=None
            All class labels; required on the first call, checked on later ones.

        Returns
        -------
        self : SeqPoolClassifier
        """
        if getattr(self, "net_", None) is None and classes is None:
            raise ValueError(
                f"The first call to {type(self).__name__}.partial_fit needs classes= "
                "with every class label the model will see."
            )
        return self._fit(
            X, y, train=True, sample_weight=sample_weight, classes=classes, partial=True
        )

    def _new_net(self, n_outputs: int, seed: int, device: str, dtype: torch.dtype) -> SeqPoolNet:
        """A built, initialised network whose module and criterion are in ``dtype``.

        Parameters are converted in place (the same ``Parameter`` objects), so the
        optimizer that ``initialize`` built keeps updating them.
        """
        net = self._build_net(n_outputs, seed, device)
        net.initialize()
        if dtype != torch.float32:
            net.module_.to(dtype)
            net.criterion_.to(dtype)  # class weights
        return net

    def _encode_targets(self, y, n_samples, *, classes=None, reset=True, sample_weight=None):
        y = check_targets(y, n_samples, name=type(self).__name__, numeric=False)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is raveled.",
                DataConversionWarning,
                stacklevel=4,
            )
        y = column_or_1d(y)
        check_classification_targets(y)
        if not reset or classes is not None:
            known = self.classes_ if not reset else np.unique(np.asarray(classes))
            if (
                classes is not None
                and not reset
                and not np.array_equal(np.unique(np.asarray(classes)), self.classes_)
            ):
                raise ValueError(
                    f"classes={np.unique(np.asarray(classes)).tolist()} differ from the "
                    f"classes of the first partial_fit call, {self.classes_.tolist()}."
                )
            unseen = np.setdiff1d(np.unique(y), known)
            if len(unseen):
                raise ValueError(
                    f"y has labels {unseen.tolist()} that are not among the classes "
                    f"{known.tolist()} given to the first partial_fit call."
                )
            encoder = LabelEncoder().fit(known)
        else:
            encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; got 1 "
                f"class ({encoder.classes_.tolist()[0]!r})."
            )
        previous = getattr(self, "classes_", None)
        if (
            self.warm_start
            and previous is not None
            and not np.array_equal(previous, encoder.classes_)
        ):
            raise ValueError(
                f"warm_start=True but y has classes {encoder.classes_.tolist()} while the "
                f"fitted model has {previous.tolist()}; fit with warm_start=False."
            )
        self.classes_ = encoder.classes_
        if reset:
            self.class_weight_ = None
            if self.class_weight is not None:
                self.class_weight_ = self._class_weights(y)
        return torch.from_numpy(encoder.transform(y).astype(np.int64)), len(self.classes_)

    def _class_weights(self, y: np.ndarray) -> np.ndarray:
        if "criterion__weight" in self._routed:
            raise ValueError(
                "class_weight and criterion__weight both set class weights; pass one of them."
            )
        cw = self.class_weight
        if isinstance(cw, dict):
            unknown = [k for k in cw if k not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(
                    f"class_weight names labels {unknown} that are not in y's classes "
                    f"{self.classes_.tolist()}."
                )
            bad = {k: v for k, v in cw.items() if not (np.isfinite(v) and v >= 0)}
            if bad:
                raise ValueError(f"class_weight values must be finite and >= 0; got {bad}.")
        present = np.isin(self.classes_, y)
        weights = np.ones(len(self.classes_))
        weights[present] = compute_class_weight(cw, classes=self.classes_[present], y=y)
        return weights

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities, shape (n_samples, n_classes), ordered as ``classes_``.

        Computed as a log-softmax of the network's outputs, so very unlikely classes
        keep finite values where ``log(predict_proba(X))`` would give ``-inf``.
        """
        X3 = self._validate_predict(X)
        return torch.log_softmax(self._forward(X3), dim=1).numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns ordered as ``classes_``."""
        X3 = self._validate_predict(X)
        logits = self._forward(X3)
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels (members of ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _signature_with(init, name: str, default: Any) -> inspect.Signature:
    """``init``'s signature with one more keyword-only parameter (before ``**kwargs``)."""
    signature = inspect.signature(init)
    params = list(signature.parameters.values())
    extra = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
    return signature.replace(parameters=[*params[:-1], extra, params[-1]])


# scikit-learn reads the parameters from __init__'s signature: the classifier's are the
# shared ones plus class_weight.
SeqPoolClassifier.__init__.__signature__ = _signature_with(
    _SeqPoolBase.__init__, "class_weight", None
)


@_fill_doc
class SeqPoolRegressor(RegressorMixin, _SeqPoolBase):
    """Sequence regressor whose head order, pool type and window are hyperparameters.

    Same model as :class:`SeqPoolClassifier` with a mean-squared-error loss.
    Targets are standardised internally (per output) for training and mapped
    back at prediction, so raw units work with the default learning rate.

    Parameters
    ----------
    {shared_params}

    Attributes
    ----------
    n_outputs_ : int
        Number of regression targets.
    {shared_attributes}

    See Also
    --------
    SeqPoolClassifier : The same model for class labels.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 1, 12)).astype("float32")
    >>> y = 3.0 * X.mean(axis=(1, 2)) + 1.0
    >>> reg = SeqPoolRegressor(encoder=None, activation=None, hidden_size=4,
    ...                        max_epochs=60, lr=0.05, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    _criterion = torch.nn.MSELoss

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> SeqPoolRegressor:
        """Train one epoch on ``X``, ``y``; later calls continue the same network.

        The first call builds the network and fixes the input shape and the target
        scaling (mean and spread of its ``y``); every call trains one pass over its data.

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.

        Returns
        -------
        self : SeqPoolRegressor
        """
        return self._fit(X, y, train=True, sample_weight=sample_weight, partial=True)

    def _new_net(self, n_outputs: int, seed: int, device: str, dtype: torch.dtype) -> SeqPoolNet:
        """A built, initialised network whose module and criterion are in ``dtype``.

        Parameters are converted in place (the same ``Parameter`` objects), so the
        optimizer that ``initialize`` built keeps updating them.
        """
        net = self._build_net(n_outputs, seed, device)
        net.initialize()
        if dtype != torch.float32:
            net.module_.to(dtype)
            net.criterion_.to(dtype)  # class weights
        return net

    def _encode_targets(self, y, n_samples, *, classes=None, reset=True, sample_weight=None):
        y = check_targets(y, n_samples, name=type(self).__name__, numeric=True)
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D; got shape {y.shape}.")
        y2 = y.reshape(len(y), -1)
        if not reset:
            if y2.shape[1] != self.n_outputs_ or (y.ndim == 1) != self._y_1d:
                raise ValueError(
                    f"y has shape {y.shape}; the first partial_fit call had "
                    f"{self.n_outputs_} output(s)."
                )
            standard = (y2 - self._y_mean) / self._y_scale
            return torch.from_numpy(standard.astype(np.float64)), self.n_outputs_
        self._y_1d = y.ndim == 1
        self.n_outputs_ = y2.shape[1]
        with np.errstate(over="ignore", invalid="ignore"):
            # weighted like the loss, so that a weight of k is k copies of a sample
            mean = np.average(y2, axis=0, weights=sample_weight)
            scale = np.sqrt(np.average((y2 - mean) ** 2, axis=0, weights=sample_weight))
            scale = np.where(scale > 0, scale, 1.0)
            standard = (y2 - mean) / scale
        if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
            raise ValueError(
                f"y holds values too large to standardise (largest |y| = "
                f"{np.abs(y2).max():.3g}); {type(self).__name__} trains on standardised "
                "targets. Rescale y (e.g. divide by a power of ten) before fit."
            )
        self._y_mean, self._y_scale = mean, scale
        y_t = torch.from_numpy(standard.astype(np.float64))
        return y_t, self.n_outputs_

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs) as in ``fit``."""
        X3 = self._validate_predict(X)
        out = self._forward(X3).numpy() * self._y_scale + self._y_mean
        return out.ravel() if self._y_1d else out
