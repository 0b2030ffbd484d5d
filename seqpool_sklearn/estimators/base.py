"""The estimators' shared base: input validation, history, persistence and skorch's API."""

from __future__ import annotations

import copyreg
import re
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import (
    validate_parameter_constraints,
)
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from .._doclink import DocLinkMixin
from .._net import (
    _dtype_name,
    _module_dtype,
)
from .._sharing import PORTABLE_KEY, portable_state, restore_portable
from .._validation import (
    check_fitted_columns,
    check_n_channels,
    check_sequences,
    refuse_bool_numbers,
    short_repr,
    warn_if_channels_last,
)
from ..nn.masks import n_frames_for
from .params import _PREDICT_PARAMS, _ParamsMixin
from .training import _TrainingMixin


class _SeqPoolBase(DocLinkMixin, _TrainingMixin, _ParamsMixin, BaseEstimator):
    """Shared fit / predict machinery; see SeqPoolClassifier for the parameters."""

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
            # fit's column labels, so that integer, date or float labels in another order
            # are refused at predict as string names are (scikit-learn checks only those)
            check_fitted_columns(self, X, reset=True)
            if two_d:
                validate_data(self, X, skip_check_array=True, reset=True)
            else:
                self.n_features_in_ = X3.shape[1]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            if not two_d:
                warn_if_channels_last(X3.shape, name=name)
            self.n_channels_in_ = X3.shape[1]
            self.n_timesteps_in_ = X3.shape[2]
            return X3
        if two_d and self._fit_2d:
            # sklearn's contract for 2D input: the columns are the features.
            try:
                validate_data(self, X, skip_check_array=True, reset=False)
            except ValueError as exc:
                if f"but {name} is expecting" not in str(exc) or self.net_.module_.head.window:
                    raise
                raise ValueError(
                    f"{exc} 2D input (n_samples, n_timesteps) keeps the number of time steps "
                    f"seen in fit. For series of other lengths, pass 3D input of one "
                    f"channel, X[:, None, :]: with window=None {name} predicts on series of "
                    "any length."
                ) from None
            check_fitted_columns(self, X, reset=False)
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
        ``n_threads``, ``companion_weight``, which a fitted model's predictions take as
        they are now); those that shape the network (``window``, ``order`` ...) or the
        companion take effect at the next fit, and prediction uses the fitted network's.
        """
        self._check_predict_params()
        return self._validate_X(X, reset=False)

    def _check_predict_params(self) -> None:
        check_is_fitted(self)
        refuse_bool_numbers(self, only=_PREDICT_PARAMS)  # False as well as True
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in _PREDICT_PARAMS},
            {name: getattr(self, name) for name in _PREDICT_PARAMS},
            caller_name=type(self).__name__,
        )

    def _check_window(self, X3: np.ndarray) -> None:
        if self.window is not None and self.window > X3.shape[2]:
            raise ValueError(
                f"window={self.window} is larger than the series length "
                f"({X3.shape[2]} time steps) given to {type(self).__name__}; use "
                f"window <= {X3.shape[2]} or window=None for global pooling."
            )

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

    # Hyperparameters added after models may have been saved, each with the value that
    # trains as those models were trained; a state without one gets that value.
    _ADDED_PARAMS: dict = {"companion": None, "companion_weight": 0.5}

    def __setstate__(self, state: dict) -> None:
        missing = {k: v for k, v in self._ADDED_PARAMS.items() if k not in state}
        if missing:
            state = {**state, **missing}
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
        self._refuse_companion("save_params", "saves")
        self.net_.save_params(**kwargs)

    def _companion_named(self) -> Any:
        """The companion as the user gave it (the fitted one where that was changed since)."""
        return self.companion if self.companion is not None else self.companion_

    def _refuse_companion(self, what: str, verb: str) -> None:
        """Refuse ``what``, which covers the network alone, where a companion shares in
        the predictions."""
        companion = getattr(self, "companion_", None)
        if companion is None:
            return
        name = type(self).__name__
        raise ValueError(
            f"{what} {verb} the trained network alone, but this {name}'s predictions "
            f"also take its fitted companion, {short_repr(companion)} (companion_, fitted "
            f"beside it, weight companion_weight={self.companion_weight}). Fit with "
            "companion=None for a "
            f"model whose network is its whole prediction; pickle or joblib store this "
            "one whole, companion included."
        )

    def export(self, path: Any, format: str = "onnx") -> None:
        """Write the fitted model's prediction as an ONNX or TorchScript file.

        The file holds the whole prediction, for runtimes without this package: the
        classifier's graph outputs ``predict_proba`` (``proba``, columns in the order
        of ``classes_``), the regressor's outputs ``predict`` in target units
        (``prediction``). Its input ``X`` is float32 of shape (batch, n_channels,
        time) with the fitted channels, padded with NaN as for ``predict``; any batch
        size, and any length when ``window=None``. With a window, the TorchScript file
        takes, as ``predict`` does, any length with the fitted number of frames (25 to
        32 steps for a fit on 30 steps with ``window=8``); the ONNX file takes the
        fitted length only (pad with NaN). The TorchScript file refuses other shapes
        with ``torch.jit.Error`` (its message ends in the ``ValueError``), the ONNX
        file with onnxruntime's error. The TorchScript file also refuses, as
        ``predict`` does, a series with no observed step and infinite values. The
        ONNX file cannot raise and does not check the content: for an all-NaN
        series it returns the prediction of an empty series (what the biases alone
        give), for a series with an infinite value NaN (or, with the
        random-convolution and recurrent encoders, a number that means nothing), so
        its callers must check their input.

        Parameters
        ----------
        path : str or path-like
            File to write.
        format : {"onnx", "torchscript"}, default="onnx"
            ``"onnx"`` runs with onnxruntime (``session.run(None, {"X": X})``),
            ``"torchscript"`` with ``torch.jit.load(path)(torch.from_numpy(X))``.

        Raises
        ------
        FileNotFoundError, IsADirectoryError
            ``path``'s folder does not exist, or ``path`` is a folder (checked first).
        ValueError
            An unknown ``format``; an ONNX graph PyTorch's exporter cannot write (an
            operator of a user's pool or encoder without ONNX counterpart) or, where
            onnxruntime is installed, one onnxruntime cannot run: no file is left,
            and ``format="torchscript"`` exports such a model. A file whose outputs
            differ from the network's on a few checked series (a user's encoder or
            pool that branches on the data in Python; the ONNX file is run only where
            onnxruntime is installed): the file is removed.

        Notes
        -----
        The graph computes in float64 like ``predict`` and matches it to round-off
        (the ONNX file reads float32 ``X``: for a ``dtype="float64"`` model, series
        whose values float32 cannot hold move by their float32 rounding, about 1e-7);
        the ONNX graph of the GRU encoder runs its recurrence in float32 (onnxruntime
        has no float64 GRU), about 1e-7 relative, as does the ``"gelu"`` activation's
        ``erf``. Only this estimator's network is written: in a Pipeline, the earlier
        steps (a ``SeriesScaler`` ...) are not in ``pipe[-1].export(path)``'s file,
        so apply them before feeding it. With a ``companion``, the file holds both
        networks and blends their outputs as ``predict_proba`` / ``predict`` do. See
        :ref:`exporting` in the user guide.
        """
        from .._export import export_estimator

        export_estimator(self, path, format)

    def load_params(self, **kwargs: Any) -> None:
        """Load a state saved by :meth:`save_params` into this estimator's network.

        The estimator must be fitted or initialised (:meth:`initialize`) with the
        same configuration and data shape as the one that saved the state. Layers of
        other shapes are refused, and so is an encoder built for series of another
        length (the random-convolution encoders' dilations follow the training
        length): initialise with series of the saved model's ``n_timesteps_in_``.

        Parameters
        ----------
        **kwargs
            skorch's file arguments: ``f_params``, ``f_optimizer``, ``f_criterion``,
            ``f_history``.
        """
        check_is_fitted(self)
        try:
            self.net_.load_params(**kwargs)
            self.net_.module_.check_built_like_saved()
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

        Exact (``method="linear"``) for ``order="decode_first"`` with every pool that
        has an exact per-step split (``Pool.shares``: every built-in pool), any window
        and encoder, and for ``pool_first`` with ``activation=None`` and one linear
        pool that carries constants through (``pool="avg"``: its explanation equals
        decode_first's). Otherwise, for a pool with shares, integrated gradients on the
        pooled frames from a zero-feature baseline (``method="integrated_gradients"``),
        exact when ``activation=None`` (``pool_first`` with max, lp, attention, or a
        linear pool of your own whose weights do not sum to 1, such as a sum). A pool
        without shares (a generalised mean of your own, in either order) gets
        integrated gradients on the encoder's per-step features
        (``method="step_integrated_gradients"``, ``exact=False``;
        ``completeness_error`` measures its gap). See the user guide's explanations
        page.

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
        from .._explain import explain

        return explain(self, X, n_steps=n_steps)
