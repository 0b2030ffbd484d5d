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

import inspect
import math
import warnings
from collections.abc import Callable
from decimal import Decimal
from functools import update_wrapper, wraps
from numbers import Real
from types import MethodType
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
)
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    column_or_1d,
)

from ._net import ClassifierLoss, _torch_threads
from ._validation import (
    _callers_stacklevel,
    check_label_types,
    check_targets,
)
from .estimators.base import _SeqPoolBase
from .estimators.docs import _fill_doc
from .estimators.training import (  # noqa: F401 - MIN_EPOCHS, MIN_STEPS: documented names
    MIN_EPOCHS,
    MIN_STEPS,
    companion_call,
)


class _TrainedReadoutOnly:
    """A method of the trained readout (``partial_fit``): missing under ``readout="ridge"``.

    As scikit-learn's ``available_if``, ``hasattr`` is then False; reading the method
    raises an AttributeError that says why (``available_if``'s names only the method).
    """

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        update_wrapper(self, fn)

    def _check(self, estimator: Any) -> None:
        if getattr(estimator, "readout", "trained") == "ridge":
            raise AttributeError(
                f"{type(estimator).__name__} has no {self.fn.__name__} under "
                f"readout='ridge': {self.fn.__name__} trains the head by gradient steps, one "
                "batch at a time, and readout='ridge' solves it whole at fit. Use fit, or "
                "readout='trained'."
            )

    def __get__(self, obj: Any, owner: type | None = None) -> Callable:
        if obj is None:  # on the class: the function, checked when called

            @wraps(self.fn)
            def unbound(*args, **kwargs):
                self._check(args[0])
                return self.fn(*args, **kwargs)

            return unbound
        self._check(obj)
        return MethodType(self.fn, obj)


@_fill_doc
class SeqPoolClassifier(ClassifierMixin, _SeqPoolBase):
    """Sequence classifier whose head order, pool type and window are hyperparameters.

    Input ``X`` is an array of shape (n_samples, n_channels, n_timesteps); 2D
    input (n_samples, n_timesteps) is one univariate series per row. NaN time
    steps (all channels NaN) are padding / missing and are ignored by every
    pooling operation. With ``window=None`` a NaN-padded series gets the same
    prediction as the same series unpadded, whether the padding comes after it or
    before it; with a ``window``, padding before the series moves the window edges
    relative to its steps, so pad after it.

    Parameters
    ----------
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's linear models: a
        dict from the original labels (strings included) to weights (missing
        labels weigh 1), ``"balanced"`` for ``n_samples / (n_classes *
        count(label))`` (with ``sample_weight``, the weighted equivalent: the sums of
        the weights in place of the counts), or None for equal weights. Combines with
        ``sample_weight`` by multiplication.
    label_smoothing : float in [0, 1), default=0.05
        Label smoothing of the cross-entropy loss (torch's ``CrossEntropyLoss``): the
        target of a series is ``1 - label_smoothing`` on its class plus
        ``label_smoothing / n_classes`` on every class, so the loss stops rewarding
        ever larger logits on the training series. It regularises the trained head:
        on the 20-dataset benchmark suite, over five seeds, 0.05 gained 0.66
        accuracy points on average over no smoothing (see the benchmarks page).
        ``0.0`` trains on the plain cross-entropy. With ``class_weight``, a series'
        whole smoothed loss is weighed by its class's weight, so class weights stay
        the matching sample weights. A closed-form readout (``readout="ridge"``)
        ignores it.
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

    _criterion = ClassifierLoss
    # models saved before label smoothing trained on the plain cross-entropy
    _ADDED_PARAMS = {**_SeqPoolBase._ADDED_PARAMS, "label_smoothing": 0.0}
    _parameter_constraints: dict = {
        **_SeqPoolBase._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        *,
        class_weight: dict | str | None = None,
        label_smoothing: float = 0.05,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing

    @_TrainedReadoutOnly
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
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # the counts of one batch are not the data's (scikit-learn's SGDClassifier
            # refuses it as well)
            raise ValueError(
                "class_weight='balanced' weighs the classes by their counts in y, which "
                "partial_fit sees one batch at a time; pass a dict of weights computed on "
                "the whole data (sklearn.utils.class_weight.compute_class_weight), or use "
                "fit."
            )
        return self._fit(
            X, y, train=True, sample_weight=sample_weight, classes=classes, partial=True
        )

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against the labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
        y : array-like of shape (n_samples,)
            True labels, of one type (as at :meth:`fit`).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        from sklearn.metrics import accuracy_score

        check_label_types(y, name=type(self).__name__)
        y_pred = self.predict(X)
        sample_weight = self._check_score_inputs(y, sample_weight, y_pred)
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

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
        y = check_targets(y, n_samples, name=type(self).__name__, numeric=False)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is raveled.",
                DataConversionWarning,
                stacklevel=_callers_stacklevel(),
            )
        y = column_or_1d(y)
        try:
            check_classification_targets(y)
        except ValueError:
            if y.dtype == object and len(y) and not isinstance(y[0], str):
                # scikit-learn reads an object array of numbers as an unknown label type and
                # suggests a regression target: say what it is and how to pass it
                first = y[0]
                if not isinstance(first, (Real, Decimal, np.bool_, np.number)):
                    raise ValueError(
                        f"Unknown label type: y has dtype object and holds values of type "
                        f"{type(first).__name__} (y[0] is {first!r}), which scikit-learn "
                        f"does not take as class labels; {type(self).__name__} needs labels "
                        "of one type: pass y.astype(str) to use them as names."
                    ) from None
                whole = all(float(v).is_integer() for v in y if isinstance(v, (int, float)))
                advice = (
                    "pass y.astype(int) for whole numbers or y.astype(str) for names."
                    if whole
                    else "these are not whole numbers: for continuous targets use "
                    "SeqPoolRegressor; for labels pass y.astype(str)."
                )
                raise ValueError(
                    f"Unknown label type: y has dtype object and holds numbers (y[0] is "
                    f"{first!r} of type {type(first).__name__}); {type(self).__name__} "
                    f"needs class labels of one type in an array of that type: {advice}"
                ) from None
            raise
        if classes is not None:
            check_label_types(classes, name=type(self).__name__, what="classes")
            given = np.asarray(classes)
            if given.ndim != 1 or len(given) == 0:
                raise ValueError(
                    f"classes must be a non-empty 1D list of the class labels; got shape "
                    f"{given.shape}."
                )
            if pd.isna(pd.Series(given, dtype=object)).any():
                raise ValueError(f"classes must not hold missing values; got {given.tolist()}.")
        if not reset or classes is not None:
            known = self.classes_ if not reset else np.unique(np.asarray(classes))
            # where the classes came from: the first partial_fit call's classes=, or fit
            given_first = reset or getattr(self, "_classes_given", True)
            source = (
                "given to the first partial_fit call"
                if given_first
                else "the model was fitted with"
            )
            if (
                classes is not None
                and not reset
                and not np.array_equal(np.unique(np.asarray(classes)), self.classes_)
            ):
                raise ValueError(
                    f"classes={np.unique(np.asarray(classes)).tolist()} differ from the "
                    f"classes {source}, {self.classes_.tolist()}."
                )
            unseen = np.setdiff1d(np.unique(y), known)
            if len(unseen):
                raise ValueError(
                    f"y has labels {unseen.tolist()} that are not among the classes "
                    f"{source}, {known.tolist()}."
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
        codes = encoder.transform(y).astype(np.int64)
        if reset:
            self._classes_given = classes is not None
            self.class_weight_ = None
            if self.class_weight is not None:
                self.class_weight_ = self._class_weights(y, sample_weight)
        if getattr(self, "class_weight_", None) is not None:
            weights = self.class_weight_[codes]
            if sample_weight is not None:
                weights = weights * np.asarray(sample_weight, dtype=np.float64)
            if not (weights > 0).any():
                present = sorted(set(np.asarray(y).tolist()), key=str)
                raise ValueError(
                    f"class_weight={self.class_weight!r} gives every training series weight "
                    f"0 (with its sample weights), so there is nothing to fit; the classes "
                    f"in y are {present[:10]}. Give at least one of them a weight above 0."
                )
        return torch.from_numpy(codes), len(self.classes_)

    def _class_weights(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
        if "criterion__weight" in self._routed:
            raise ValueError(
                "class_weight and criterion__weight both set class weights; pass one of them."
            )
        cw = self.class_weight
        if isinstance(cw, dict):
            # as scikit-learn: labels y does not hold are allowed while every class of y
            # is weighted (a cross-validation fold may miss a rare class); with a class
            # of y left unweighted they are more likely misspelt, and refused
            labels = set(self.classes_.tolist())
            unknown = [k for k in cw if k not in labels]
            unweighted = [c for c in self.classes_.tolist() if c not in cw]
            if unknown and unweighted:
                raise ValueError(
                    f"class_weight names labels {unknown} that are not in y's classes "
                    f"{self.classes_.tolist()}, and gives no weight to {unweighted}: "
                    "check the labels' spelling and type."
                )
            not_numbers = {
                k: v
                for k, v in cw.items()
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (Real, np.number))
            }
            if not_numbers:
                raise TypeError(
                    f"class_weight values must be numbers (a weight per class); got {not_numbers}."
                )
            bad = {k: v for k, v in cw.items() if not (np.isfinite(v) and v >= 0)}
            if bad:
                raise ValueError(f"class_weight values must be finite and >= 0; got {bad}.")
        weights = np.ones(len(self.classes_))
        if isinstance(cw, dict):
            # looked up by the labels themselves (scikit-learn's helper reads the keys of
            # digit-string labels as integers)
            for i, label in enumerate(self.classes_.tolist()):
                weights[i] = float(cw.get(label, 1.0))
            return weights
        # "balanced" counts the classes by their sample weights, as scikit-learn's linear
        # models do (a weight of k as k copies); series of weight 0 are no copies at all,
        # and a class of no weight is weighed as one missing from y
        if sample_weight is not None:
            kept = np.asarray(sample_weight) > 0
            y, sample_weight = np.asarray(y)[kept], np.asarray(sample_weight)[kept]
        present = np.isin(self.classes_, y)
        weights[present] = compute_class_weight(
            cw, classes=self.classes_[present], y=y, sample_weight=sample_weight
        )
        return weights

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities, shape (n_samples, n_classes), ordered as ``classes_``.

        Computed as a log-softmax of the network's outputs, so very unlikely classes
        keep finite values where ``log(predict_proba(X))`` would give ``-inf``; with a
        ``companion``, as the log of the blend from both models' log probabilities
        (finite wherever either model's is).
        """
        X3 = self._validate_predict(X)
        own = self._network_log_proba(X3)
        if getattr(self, "companion_", None) is None:
            return own
        # the log of the blend from the two models' log probabilities: finite wherever
        # either model's is
        w = float(self.companion_weight)
        if w == 0.0:
            return own
        theirs = self._companion_output(X, "predict_log_proba")
        if w == 1.0:
            return theirs
        return np.logaddexp(np.log1p(-w) + own, np.log(w) + theirs)

    def _network_log_proba(self, X3: np.ndarray) -> np.ndarray:
        logits = self._forward(X3)
        with _torch_threads(self.n_threads):  # as _forward: a forked worker's pool hangs
            return torch.log_softmax(logits, dim=1).numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns ordered as ``classes_``."""
        X3 = self._validate_predict(X)
        if getattr(self, "companion_", None) is not None:
            return self._blended_proba(X, X3)
        return self._network_proba(X3)

    def _network_proba(self, X3: np.ndarray) -> np.ndarray:
        logits = self._forward(X3)
        with _torch_threads(self.n_threads):  # as _forward: a forked worker's pool hangs
            return torch.softmax(logits, dim=1).numpy()

    def _companion_output(self, X: Any, method: str) -> np.ndarray:
        """The companion's ``predict_proba`` or ``predict_log_proba`` (its columns are
        ``classes_``, checked at fit)."""
        with companion_call(self._companion_named(), "Predicting with"):
            return np.asarray(getattr(self.companion_, method)(X), dtype=np.float64)

    def _blended_proba(self, X: Any, X3: np.ndarray) -> np.ndarray:
        """``(1 - companion_weight)`` times the network's probabilities plus the rest times
        the companion's."""
        theirs = self._companion_output(X, "predict_proba")
        w = float(self.companion_weight)
        return (1.0 - w) * self._network_proba(X3) + w * theirs

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels (members of ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _signature_with(init, **extra: Any) -> inspect.Signature:
    """``init``'s signature with more keyword-only parameters (before ``**kwargs``)."""
    signature = inspect.signature(init)
    params = list(signature.parameters.values())
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in extra.items()
    ]
    return signature.replace(parameters=[*params[:-1], *added, params[-1]])


# scikit-learn reads the parameters from __init__'s signature: the classifier's are the
# shared ones plus class_weight and label_smoothing.
SeqPoolClassifier.__init__.__signature__ = _signature_with(
    _SeqPoolBase.__init__, class_weight=None, label_smoothing=0.05
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

    Notes
    -----
    For accuracy on a regression task rather than the order question, use
    ``encoder="multirocket", pool=("ppv", "logmpv", "mipv", "lspv"), readout="ridge"``:
    on 40 regression tasks derived from 20 archive datasets its test RMSE was at most
    1.06 times aeon's MiniRocketRegressor's (median 0.73 times), where the default
    trained head reached up to 2.1 times (the docs' benchmarks page, *Regression on
    tasks derived from the suite*). The default stays a trained head because under a
    ridge readout ``decode_first`` exists only behind a linear pool (such as the average).

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

    @_TrainedReadoutOnly
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> SeqPoolRegressor:
        """Train one epoch on ``X``, ``y``; later calls continue the same network.

        The first call builds the network and fixes the input shape and the target
        scaling (mean and spread of its ``y``); every call trains one pass over its data.
        Pass a representative first batch: where an output of the first ``y`` has no
        spread (one value, or one among the samples of nonzero weight), its spread is
        taken as 1 in ``y``'s units (a ``UserWarning`` says so).

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.

        Returns
        -------
        self : SeqPoolRegressor
        """
        return self._fit(X, y, train=True, sample_weight=sample_weight, partial=True)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of :meth:`predict` on ``X`` against ``y`` (scikit-learn's ``r2_score``).

        Targets of extreme scale (below 1e-100 or above 1e100 in size) are scaled by a
        power of two, with the predictions, before the sums of squares, which would
        otherwise round to 0 or overflow; R² does not change with the scale.

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.

        Returns
        -------
        score : float
        """
        from sklearn.metrics import r2_score

        y_pred = self.predict(X)
        sample_weight = self._check_score_inputs(y, sample_weight, y_pred)
        try:
            y_arr = np.asarray(y, dtype=np.float64)
            size = max(float(np.abs(y_arr).max()), float(np.abs(y_pred).max()))
        except (TypeError, ValueError):  # r2_score says what is wrong with y
            size = 1.0
        if 0 < size < 1e-100 or 1e100 < size < np.inf:
            factor = 2.0 ** -math.floor(math.log2(size))  # exact: a power of two
            return float(r2_score(y_arr * factor, y_pred * factor, sample_weight=sample_weight))
        return r2_score(y, y_pred, sample_weight=sample_weight)

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
        y = check_targets(y, n_samples, name=type(self).__name__, numeric=True)
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D; got shape {y.shape}.")
        y2 = y.reshape(len(y), -1)
        if warm and y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"warm_start=True but y has {y2.shape[1]} output(s) while the fitted model "
                f"has {self.n_outputs_}; fit with warm_start=False."
            )
        if not reset:
            if y2.shape[1] != self.n_outputs_ or (y.ndim == 1) != self._y_1d:
                first = (
                    "a 1D y (one output)"
                    if self._y_1d
                    else f"a 2D y of {self.n_outputs_} column(s), one per output"
                )
                raise ValueError(
                    f"y has shape {y.shape}; the network was built for {first}, and "
                    "predict returns that shape: pass y shaped alike."
                )
        if not reset or warm:
            # a continued network keeps the target scaling it was trained for: its outputs
            # mean what they meant, and the predictions do not move before a step
            self._y_1d = y.ndim == 1
            standard = (y2 - self._y_mean) / self._y_scale
            return torch.from_numpy(standard.astype(np.float64)), self.n_outputs_
        self._y_1d = y.ndim == 1
        self.n_outputs_ = y2.shape[1]
        # mean and spread of y divided by a power of two near each output's largest |y|
        # (exact, so the same numbers as on y itself): the squares of tiny targets'
        # deviations would underflow, making the targets look constant
        _, exponent = np.frexp(np.abs(y2).max(axis=0))
        y2s = np.ldexp(y2, -exponent)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            # weighted like the loss, so that a weight of k is k copies of a sample
            mean = np.average(y2s, axis=0, weights=sample_weight)
            deviation = y2s - mean
            spread = np.sqrt(np.average(deviation**2, axis=0, weights=sample_weight))
            scale = np.ldexp(spread, exponent)
            constant = scale == 0
            standard = np.where(
                constant, np.ldexp(deviation, exponent), deviation / np.where(constant, 1, spread)
            )
            largest = np.ldexp(np.abs(deviation).max(axis=0), exponent)
            too_large = not np.isfinite(largest * largest).all()
        if too_large or not np.isfinite(scale).all():
            raise ValueError(
                f"y holds values too large to standardise (largest |y| = "
                f"{np.abs(y2).max():.3g}); {type(self).__name__} trains on standardised "
                "targets. Rescale y (e.g. divide by a power of ten) before fit."
            )
        if partial and constant.any():
            # the spread as the loss weighs it: targets that differ only in samples of
            # weight 0 have none either
            which = "y" if y.ndim == 1 else f"output(s) {np.flatnonzero(constant).tolist()} of y"
            warnings.warn(
                "The first partial_fit call fixes the target scaling (the mean and "
                f"spread of its y) for every later call, but {which} has no spread in "
                "this call (one value, or one among the samples of nonzero weight): the "
                "spread is taken as 1 in y's own units, which may train poorly. Pass a "
                "representative first batch (several samples whose targets span their "
                "range).",
                UserWarning,
                stacklevel=_callers_stacklevel(),
            )
        self._y_mean = np.ldexp(mean, exponent)
        self._y_scale = np.where(constant, 1.0, scale)
        y_t = torch.from_numpy(standard.astype(np.float64))
        return y_t, self.n_outputs_

    def _target_scaling(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """How network outputs map to targets: ``out * scale + mean``, raveled if 1D.

        The one place the fitted target state is read (by predict, explain and export).
        """
        return self._y_mean, self._y_scale, self._y_1d

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs) as in ``fit``."""
        X3 = self._validate_predict(X)
        mean, scale, ravel = self._target_scaling()
        out = self._forward(X3).numpy() * scale + mean
        out = out.ravel() if ravel else out
        companion = getattr(self, "companion_", None)
        if companion is None:
            return out
        w = float(self.companion_weight)
        with companion_call(self._companion_named(), "Predicting with"):
            theirs = np.asarray(companion.predict(X), dtype=np.float64)
        return (1.0 - w) * out + w * theirs
