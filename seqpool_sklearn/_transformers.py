"""Row-preserving transformers for sequences: one output sample per input sample.

Because they keep the number of rows, they belong inside Pipelines and cross-validation
(unlike :func:`~seqpool_sklearn.long_to_sequences`, which is used once, up front).

Layout: ``X`` of shape (n_samples, n_channels, n_timesteps); a 2D ``X`` of shape
(n_samples, n_timesteps) is one channel. A time step whose channels are all NaN is padding or
missing; every transformer here respects that. ±inf is an error.

Dimensions and ``n_features_in_``
---------------------------------
:class:`SeriesScaler`, :class:`PadTruncate` and :class:`Resampler` return as many dimensions as
they get: 2D in, 2D out -- so a univariate table stays a table, with feature names and
``set_output(transform="pandas")`` -- and 3D in, 3D out. As everywhere in scikit-learn,
``n_features_in_`` is ``X.shape[1]``: the number of time steps for 2D input (checked on new
data like any transformer's columns) and the number of channels for 3D input, so 3D data
padded to a different length than the training data is accepted. ``set_output`` applies to
2D output only; 3D output is always a NumPy array, since no DataFrame holds it.

:class:`~seqpool_sklearn.WideToSequences` (in ``_wide``), which turns a one-row-per-sample
table into these sequences, shares their validation helpers (in ``_validation``).
"""

from __future__ import annotations

import copyreg
from numbers import Integral

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._doclink import DocLinkMixin
from ._validation import (
    _as_real_array,
    _columns_from_plain,
    _columns_to_plain,
    _labels_from_plain,
    _labels_to_plain,
    is_integer,
    observed_span,
    refuse_bool_numbers,
    validate_sequence_data,
)

__all__ = ["PadTruncate", "Resampler", "SeriesScaler"]


# The fitted attributes every sequence transformer has (set by validate_sequence_data); a
# class docstring holds ``{fitted_attributes}`` where they are described.
_FITTED_ATTRIBUTES = """\
    n_features_in_ : int
        ``X.shape[1]`` at fit: time steps (2D input) or channels (3D input).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame with string column names.
    input_ndim_ : int
        Dimensions of the fitted input (2 or 3); transform expects the same."""


# ... and those of the transformers that fix the output length (_LengthTransformer).
_LENGTH_ATTRIBUTES = (
    """\
    length_ : int
        Output length.
"""
    + _FITTED_ATTRIBUTES
)


def _fill_doc(cls):
    if cls.__doc__:  # None under python -OO
        for key, text in (("length", _LENGTH_ATTRIBUTES), ("fitted", _FITTED_ATTRIBUTES)):
            cls.__doc__ = cls.__doc__.replace(f"    {{{key}_attributes}}", text)
    return cls


def _names_in(est, input_features) -> np.ndarray:
    """Input feature names, checked against what ``fit`` saw (sklearn's contract)."""
    n = est.n_features_in_
    fitted = getattr(est, "feature_names_in_", None)
    if input_features is None:
        if fitted is not None:
            return fitted.copy()
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if fitted is not None and not np.array_equal(fitted, names):
        raise ValueError("input_features is not equal to feature_names_in_.")
    if len(names) != n:
        raise ValueError(
            f"input_features should have length equal to number of features ({n}), "
            f"got {len(names)}."
        )
    return names


# fitted arrays of labels read from the columns (WideToSequences' channels and times)
_LABEL_ARRAYS = {"channels_": "channel", "times_": "time"}
_LABELS_TAG = "__seqpool_labels__"


class _SequenceOutput:
    """``set_output`` for transformers whose output may be 3D.

    2D output becomes a pandas / polars DataFrame as scikit-learn would make it; 3D output
    stays a NumPy array.
    """

    def __reduce_ex__(self, protocol):
        # pickle, joblib and copy store the transformer whole (fit's column labels as
        # they are); state-based serialisers (skops) read __getstate__
        return (copyreg.__newobj__, (type(self),), super().__getstate__())

    def __getstate__(self) -> dict:
        """The state with fit's column labels as plain values (a tagged array or list).

        State-based serialisers read this (skops: ``skops.io.dump``), which cannot store a
        pandas Index; ``pickle`` / ``joblib`` use ``__reduce_ex__`` and store it as is.
        """
        state = dict(super().__getstate__())
        if "_columns" in state:
            state["_columns"] = _columns_to_plain(state["_columns"])
        for key in _LABEL_ARRAYS:  # labels read from the columns: dates with a zone, periods
            if isinstance(state.get(key), np.ndarray) and state[key].dtype == object:
                plain = _labels_to_plain(pd.Index(state[key]))
                if plain is None:
                    # the layout itself: it cannot be left out as the order check can
                    shown = state[key][:3].tolist()
                    raise TypeError(
                        f"{type(self).__name__}'s {_LABEL_ARRAYS[key]} labels ({shown}...) "
                        "cannot be stored as plain values (dates in several time zones, say), "
                        "so the fitted transformer cannot be written to a skops file. Give "
                        "the columns labels of one kind before fit (for dates, one zone: "
                        "tz_convert('UTC')), or store it with pickle."
                    )
                if isinstance(plain, tuple):
                    state[key] = (_LABELS_TAG, plain)
        return state

    def __setstate__(self, state: dict) -> None:
        if "_columns" in state:
            state = {**state, "_columns": _columns_from_plain(state["_columns"])}
        for key in _LABEL_ARRAYS:
            value = state.get(key)
            if isinstance(value, tuple) and len(value) == 2 and value[0] == _LABELS_TAG:
                state = {**state, key: np.asarray(_labels_from_plain(value[1]), dtype=object)}
        super().__setstate__(state)

    def __init_subclass__(cls, **kwargs):
        # We wrap outputs ourselves; scikit-learn's wrapper cannot hold 3D arrays.
        kwargs.setdefault("auto_wrap_output_keys", None)
        super().__init_subclass__(**kwargs)

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` for 2D output.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            ``"default"``: NumPy arrays; ``"pandas"`` / ``"polars"``: DataFrames for 2D
            output (3D output is always a NumPy array); None: leave unchanged.

        Returns
        -------
        self : object
        """
        if transform is None:
            return self
        if transform not in ("default", "pandas", "polars"):
            raise ValueError(
                f"transform must be 'default', 'pandas' or 'polars', got {transform!r}."
            )
        if not hasattr(self, "_sklearn_output_config"):
            self._sklearn_output_config = {}
        self._sklearn_output_config["transform"] = transform
        return self

    def _wrap(self, Xt: np.ndarray, X) -> np.ndarray:
        if Xt.ndim != 2:
            return Xt
        config = getattr(self, "_sklearn_output_config", {}).get(
            "transform", get_config()["transform_output"]
        )
        if config == "default":
            return Xt
        names = self.get_feature_names_out()
        if config == "pandas":
            index = X.index if isinstance(X, pd.DataFrame) else None
            return pd.DataFrame(Xt, index=index, columns=names, copy=False)
        import polars as pl  # optional dependency, only needed for this output

        return pl.DataFrame(Xt, schema=names.tolist(), orient="row")


def _numeric(est, X):
    """``X`` checked for ragged rows, text and complex numbers, with the package's messages.

    Arrays of text that reads as numbers come back as float64; anything else comes back as
    given, so ``validate_data`` still sees DataFrames (feature names) and sparse matrices.
    """
    checked = _as_real_array(X, type(est).__name__, "X")
    if isinstance(checked, np.ndarray) and not isinstance(X, np.ndarray):
        return X if hasattr(X, "__dataframe__") else checked
    return checked


class _SequenceTransformer(DocLinkMixin, _SequenceOutput, TransformerMixin, BaseEstimator):
    """Shared validation (``validate_sequence_data``): 2D (n, T) or 3D (n, C, T) float input,
    NaN allowed, ±inf not."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def fit(self, X: ArrayLike, y=None):
        """Check ``X`` and learn what transform needs (see the class docstring).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
            Sequences, NaN-padded.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        refuse_bool_numbers(self)  # first: False would fail the range check as the int 0
        self._validate_params()
        self._fit(validate_sequence_data(self, _numeric(self, X), reset=True))
        return self

    def _fit(self, X3: np.ndarray) -> None:
        pass

    def transform(self, X: ArrayLike):
        """Transform every sample on its own.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
            Sequences, NaN-padded, with the dimensions ``fit`` saw.

        Returns
        -------
        Xt : ndarray (or DataFrame, see ``set_output``)
            Same number of dimensions as ``X``.
        """
        check_is_fitted(self)
        X3 = validate_sequence_data(self, _numeric(self, X), reset=False)
        Xt = self._transform(X3)
        if self.input_ndim_ == 2:
            Xt = Xt[:, 0, :]
        return self._wrap(Xt, X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output's axis 1: time steps (2D output) or channels (3D output).

        :class:`PadTruncate` and :class:`Resampler` make new time steps, named after the
        class: ``padtruncate0, padtruncate1, ...`` / ``resampler0, resampler1, ...``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        return self._output_names(_names_in(self, input_features))

    def _output_names(self, names: np.ndarray) -> np.ndarray:
        return names  # time steps (2D) or channels (3D) keep their names


@_fill_doc
class SeriesScaler(_SequenceTransformer):
    """Scale every series, channel by channel: z-normalisation or min-max.

    Each sample's channel is scaled with its own statistics over its observed (non-NaN) steps,
    so nothing is learned from other samples and ``fit`` only checks shapes. NaN stays NaN.
    Constant series become 0 (``"zscore"``) or ``feature_range[0]`` (``"minmax"``).

    Parameters
    ----------
    method : {"zscore", "minmax"}, default="zscore"
        ``"zscore"``: subtract the mean, divide by the (population) standard deviation.
        ``"minmax"``: map the series' range onto ``feature_range``.
    feature_range : tuple (min, max), default=(0.0, 1.0)
        Target range of ``"minmax"``.

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    PadTruncate, Resampler

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeriesScaler
    >>> X = np.array([[[1.0, 2.0, 3.0, np.nan]], [[10.0, 10.0, 30.0, 30.0]]])
    >>> SeriesScaler(method="minmax").fit_transform(X)
    array([[[0. , 0.5, 1. , nan]],
    <BLANKLINE>
           [[0. , 0. , 1. , 1. ]]])
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"zscore", "minmax"})],
        "feature_range": [tuple],
    }

    def __init__(self, method: str = "zscore", feature_range: tuple = (0.0, 1.0)):
        self.method = method
        self.feature_range = feature_range

    def _feature_range(self) -> tuple[float, float]:
        """``feature_range`` as two finite floats ``a < b`` whose width ``b - a`` is finite."""
        fr = self.feature_range
        a = b = np.nan
        if isinstance(fr, tuple) and len(fr) == 2:
            if all(is_integer(v) or isinstance(v, (float, np.floating)) for v in fr):
                try:
                    a, b = float(fr[0]), float(fr[1])
                except OverflowError:  # integers beyond float64
                    pass
        if not (np.isfinite(a) and np.isfinite(b) and a < b and np.isfinite(b - a)):
            raise ValueError(
                "feature_range must be a tuple (min, max) of finite numbers with min < max "
                f"(and a finite max - min), got {fr!r}; e.g. feature_range=(0.0, 1.0)."
            )
        return a, b

    def _fit(self, X3):
        self._feature_range()

    def _transform(self, X3):
        a, b = self._feature_range()  # it may have been changed since fit
        if self.method == "minmax" and max(abs(a), abs(b)) > float(np.finfo(X3.dtype).max):
            raise ValueError(
                f"feature_range {self.feature_range!r} is beyond the range of {X3.dtype}, the "
                "dtype of X; pass a smaller feature_range or X as float64."
            )
        x = X3.astype(np.float64)
        mask = ~np.isnan(x)
        hi = np.where(mask, x, -np.inf).max(axis=2, keepdims=True)
        lo = np.where(mask, x, np.inf).min(axis=2, keepdims=True)
        constant = ~(hi > lo)  # also true for all-NaN channels; those stay NaN below
        # Scale each series by its largest magnitude first: every statistic is then computed
        # on values in [-1, 1], so neither +-1e200 (whose squares overflow) nor 1e-200 (whose
        # squares underflow) loses the result. Both scalings are invariant to it.
        size = np.where(constant, 1.0, np.maximum(np.abs(hi), np.abs(lo)))
        x = x / size
        hi, lo = hi / size, lo / size
        with np.errstate(invalid="ignore"):
            if self.method == "zscore":
                count = np.maximum(mask.sum(axis=2, keepdims=True), 1)
                mean = np.where(mask, x, 0.0).sum(axis=2, keepdims=True) / count
                dev = np.where(mask, x - mean, 0.0)
                std = np.sqrt((dev**2).sum(axis=2, keepdims=True) / count)
                out = (x - mean) / np.where(constant, 1.0, std)
                out = np.where(constant & mask, 0.0, out)
            else:
                out = (x - lo) / np.where(constant, 1.0, hi - lo) * (b - a) + a
                out = np.where(constant & mask, a, out)
        return out.astype(X3.dtype, copy=False)


class _LengthTransformer(_SequenceTransformer):
    """Shared by PadTruncate and Resampler: output length fixed at fit."""

    def _fit(self, X3):
        first, stop = observed_span(X3)
        lengths = stop - first
        self.length_ = int(self.length) if self.length is not None else max(int(lengths.max()), 1)

    def _output_names(self, names: np.ndarray) -> np.ndarray:
        if self.input_ndim_ == 3:
            return names
        prefix = type(self).__name__.lower()  # new time steps: resampler0, resampler1, ...
        return np.asarray([f"{prefix}{j}" for j in range(self.length_)], dtype=object)


@_fill_doc
class PadTruncate(_LengthTransformer):
    """Pad (with NaN) or truncate every series to one length.

    A series' observed part runs from its first to its last step with any non-NaN channel;
    padding around it is dropped before the series is cut or padded, so pre- and post-padded
    inputs line up the same way. Missing steps inside a series are kept.

    Parameters
    ----------
    length : int, default=None
        Output length; None uses the longest observed series seen in ``fit`` -- so test series
        are cut or padded to the training length. For 2D input (n_samples, n_timesteps) the
        test data must have the training width, as for any scikit-learn transformer; to cut
        or pad series of other lengths, fit and transform 3D input, ``X[:, None, :]``.
    padding : {"post", "pre"}, default="post"
        Where NaN padding goes: after ("post") or before ("pre") the series.
    truncating : {"post", "pre"}, default="post"
        Which end of a long series is cut: "post" keeps the first ``length`` steps, "pre"
        the last ``length`` steps.

    Attributes
    ----------
    {length_attributes}

    See Also
    --------
    Resampler : Stretch every series to one length instead.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import PadTruncate
    >>> X = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, np.nan, np.nan]])
    >>> PadTruncate(length=3, padding="pre", truncating="pre").fit_transform(X)
    array([[ 2.,  3.,  4.],
           [nan,  5.,  6.]])
    """

    _parameter_constraints: dict = {
        "length": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"post", "pre"})],
        "truncating": [StrOptions({"post", "pre"})],
    }

    def __init__(self, length: int | None = None, padding: str = "post", truncating: str = "post"):
        self.length = length
        self.padding = padding
        self.truncating = truncating

    def _transform(self, X3):
        L, T = self.length_, X3.shape[2]
        first, stop = observed_span(X3)
        lengths = stop - first
        keep = np.minimum(lengths, L)
        src0 = first if self.truncating == "post" else first + lengths - keep
        dst0 = np.zeros_like(keep) if self.padding == "post" else L - keep
        j = np.arange(L)[None, :]
        src = np.clip(j - dst0[:, None] + src0[:, None], 0, T - 1)
        valid = (j >= dst0[:, None]) & (j < (dst0 + keep)[:, None])
        out = np.take_along_axis(X3, src[:, None, :], axis=2)
        return np.where(valid[:, None, :], out, np.nan).astype(X3.dtype, copy=False)


def _fill_gaps(x: np.ndarray) -> np.ndarray:
    """Bridge NaN by linear interpolation along the last axis; nearest value at the ends."""
    T = x.shape[-1]
    finite = ~np.isnan(x)
    idx = np.arange(T)
    prev = np.maximum.accumulate(np.where(finite, idx, -1), axis=-1)
    nxt = np.minimum.accumulate(np.where(finite, idx, T)[..., ::-1], axis=-1)[..., ::-1]
    pv = np.take_along_axis(x, np.clip(prev, 0, T - 1), axis=-1)
    nv = np.take_along_axis(x, np.clip(nxt, 0, T - 1), axis=-1)
    has_prev, has_next = prev >= 0, nxt < T
    w = (idx - prev) / np.where(nxt > prev, nxt - prev, 1)
    between = pv + w * (nv - pv)
    filled = np.where(has_prev & has_next, between, np.where(has_prev, pv, nv))
    return np.where(finite, x, np.where(has_prev | has_next, filled, np.nan))


@_fill_doc
class Resampler(_LengthTransformer):
    """Resample every series to one length by linear interpolation.

    Each series' observed part (first to last step with any non-NaN channel) is stretched or
    squeezed onto ``length`` evenly spaced points (``np.linspace(first, last, length)``). NaN
    inside a series is bridged linearly between its observed neighbours (the nearest
    observed value at either end); a channel with no observed value stays NaN.

    Parameters
    ----------
    length : int, default=None
        Output length; None uses the longest observed series seen in ``fit``. For 2D input
        (n_samples, n_timesteps) the test data must have the training width, as for any
        scikit-learn transformer; to resample series of other lengths, fit and transform 3D
        input, ``X[:, None, :]``.

    Attributes
    ----------
    {length_attributes}

    See Also
    --------
    PadTruncate : Cut or pad instead of stretching.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import Resampler
    >>> X = np.array([[0.0, 10.0, np.nan, np.nan], [0.0, 1.0, 2.0, 3.0]])
    >>> Resampler(length=3).fit_transform(X)
    array([[ 0. ,  5. , 10. ],
           [ 0. ,  1.5,  3. ]])
    """

    _parameter_constraints: dict = {
        "length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, length: int | None = None):
        self.length = length

    def _transform(self, X3):
        L, T = self.length_, X3.shape[2]
        first, stop = observed_span(X3)
        lengths = stop - first
        x = X3.astype(np.float64)
        if np.isnan(x).any():
            x = _fill_gaps(x)
        scale = np.maximum(lengths - 1, 0) / max(L - 1, 1)
        pos = first[:, None] + np.arange(L)[None, :] * scale[:, None]
        lo = np.clip(np.floor(pos).astype(np.intp), 0, T - 1)
        hi = np.clip(np.minimum(lo + 1, (first + lengths - 1)[:, None]), 0, T - 1)
        w = (pos - lo)[:, None, :]
        a = np.take_along_axis(x, lo[:, None, :], axis=2)
        b = np.take_along_axis(x, hi[:, None, :], axis=2)
        out = np.where(w > 0, a + w * (b - a), a)
        out[lengths == 0] = np.nan
        return out.astype(X3.dtype, copy=False)
