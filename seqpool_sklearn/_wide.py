"""Wide tables (one row per sample, time steps as columns) -> sequences.

:class:`WideToSequences` is row-preserving, so -- unlike
:func:`~seqpool_sklearn.long_to_sequences` -- it works inside Pipelines and GridSearchCV. Its
output is always 3D, so its ``set_output`` (which a Pipeline's ``set_output`` calls on every
step) leaves it a NumPy array; its ``get_feature_names_out`` names the output's axis 1, the
channels.
"""

from __future__ import annotations

import re
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._columns import _fmt
from ._doclink import DocLinkMixin
from ._transformers import _names_in, _SequenceOutput
from ._validation import (
    LayoutWarning,
    _callers_stacklevel,
    _first_non_numeric,
    _masked_as_nan,
    asarray_not_ragged,
    check_fitted_columns,
    check_no_inf,
    check_unique_columns,
    ragged_rows,
    refuse_bool_numbers,
    refuse_time_dtype,
    shape_of,
)

__all__ = ["WideToSequences"]


def _as_table(X):
    """Nested lists as an array; ragged rows and text that is not a number are errors.

    DataFrames, arrays of numbers and sparse matrices pass unchanged to ``validate_data``.
    """
    if isinstance(X, pd.DataFrame):
        check_unique_columns(X, "X has", "a wide table needs one column per (channel, time step)")
        if X.shape[1] == 0:
            raise ValueError(
                f"X has no columns: 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                "required; a wide table needs a column per time step."
            )
        return X
    if sp.issparse(X):
        return X
    a = asarray_not_ragged(
        X,
        lambda: (
            f"X is ragged ({ragged_rows(X)}), but a wide table needs one value per column in "
            "every row. Fill the missing cells with NaN, or build sequences of unequal length "
            "from a long table with long_to_sequences."
        ),
    )
    if a.dtype.kind in "OUS" and a.ndim == 2:
        try:
            a.astype(np.float64)
        except (TypeError, ValueError):
            (row, col), value, exc = _first_non_numeric(a)
            # type(exc) and its text keep scikit-learn's expected wording.
            raise type(exc)(
                f"X must contain numbers (NaN for a missing step), but WideToSequences got "
                f"{value!r} of type {type(value).__name__} at row {row}, column {col}: {exc}. "
                "Encode categorical values as numbers first."
            ) from None
    return X if isinstance(X, np.ndarray) else a


# Level names of a column MultiIndex that mark it as (time, channel), the layout that
# ``pivot(columns=["time", "channel"])`` or ``unstack(["time", "kind"])`` gives.
_TIME_NAMES = {"time", "t", "timestamp", "timestamps", "step", "steps", "date", "datetime"}
_CHANNEL_NAMES = {"channel", "channels", "kind", "variable", "ch", "sensor"}


def _named(name, names: set) -> bool:
    return isinstance(name, str) and name.strip().lower() in names


def _is_time_level(level: pd.Index) -> bool:
    return (
        pd.api.types.is_datetime64_any_dtype(level)
        or pd.api.types.is_timedelta64_dtype(level)
        or isinstance(level.dtype, pd.PeriodDtype)
    )


def _kind_of(level: pd.Index) -> str:
    """What a level's values are: "time" (stamps), "number", "text" or "other".

    Text that reads as numbers ("0", "1", ...) is a number, as the time level reads it.
    """
    if _is_time_level(level):
        return "time"
    if pd.api.types.is_numeric_dtype(level) and not pd.api.types.is_bool_dtype(level):
        return "number"
    if len(level) and all(isinstance(v, str) for v in level):
        numeric = pd.to_numeric(pd.Series(list(level)), errors="coerce")
        return "number" if numeric.notna().all() else "text"
    return "other"


def _refuse_time_first(columns: pd.MultiIndex) -> None:
    """Refuse (or warn about) a column MultiIndex that looks like (time, channel).

    ``WideToSequences`` reads level 0 as the channel and level 1 as the time; read the other
    way round, the output would be transposed without a word. The values decide first: text
    then numbers, or anything then time stamps, is (channel, time) whatever the level names;
    the names decide only where the values do not say otherwise.
    """
    first, second = columns.levels
    name0, name1 = columns.names
    kind0, kind1 = _kind_of(first), _kind_of(second)
    if (kind0 == "text" and kind1 == "number") or (kind1 == "time" and kind0 != "time"):
        return  # the values say (channel, time)
    time_first = (_named(name0, _TIME_NAMES) or kind0 == "time") and not (
        _named(name1, _TIME_NAMES) or kind1 == "time"
    )
    channel_second = _named(name1, _CHANNEL_NAMES) and not _named(name0, _CHANNEL_NAMES)
    fix = "X.swaplevel(0, 1, axis=1)"
    if time_first or channel_second:
        said = (
            f"level 0 is "
            f"{'named ' + repr(name0) if _named(name0, _TIME_NAMES) else 'of time stamps'}"
            if time_first
            else f"level 1 is named {name1!r}"
        )
        raise ValueError(
            f"The columns of X are a MultiIndex of (time, channel) -- {said} -- but "
            f"WideToSequences reads (channel, time): level 0 is the channel, level 1 the "
            f"time step. Swap the levels first: pass {fix}. If level 0 really holds the "
            f"channels, name the levels so: X.columns = X.columns.set_names(['channel', "
            f"'time'])."
        )
    if name0 is not None or name1 is not None:
        return
    if kind0 in ("number", "time") and kind1 == "text":
        warnings.warn(
            f"The columns of X are a MultiIndex whose level 0 holds numbers or times (such "
            f"as {_fmt(first[0])}) and level 1 text (such as {_fmt(second[0])}): it looks "
            f"like (time, channel), while WideToSequences reads (channel, time), so the "
            f"output would be transposed. If level 0 is the time, pass {fix}; if the layout "
            f"is intended, name the levels (channel, time) or silence this warning with "
            f"warnings.filterwarnings.",
            LayoutWarning,
            stacklevel=_callers_stacklevel(),
        )


class WideToSequences(
    _SequenceOutput, DocLinkMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """Turn a wide table (one row per sample, time steps as columns) into 3D sequences.

    Row-preserving, so it works inside Pipelines and GridSearchCV. The layout of the columns
    is read once, in ``fit``:

    * ``pattern`` given: every column name must match it; its named groups ``channel`` and
      ``time`` say where the column goes (``time`` must be a number), e.g.
      ``r"(?P<channel>.+)_(?P<time>\\d+)"`` for ``acc_x_0 ... acc_x_99``;
    * a DataFrame with a two-level column MultiIndex ``(channel, time)``. Levels that
      say they are ``(time, channel)`` (level 0 named ``"time"``, ``"t"``, ``"timestamp"``,
      ``"step"``, ``"date"`` or holding datetimes / timedeltas / periods, or level 1 named
      ``"channel"``, ``"kind"``, ``"variable"``, ``"ch"``, ``"sensor"``) are refused -- pass
      ``X.swaplevel(0, 1, axis=1)`` -- and unnamed levels of numbers then text give a
      :class:`LayoutWarning`. The values come first: text then numbers, or level 1 of
      datetimes / timedeltas / periods, is ``(channel, time)`` whatever the names. A
      categorical time level (``pivot`` on an ordered categorical) keeps its categories'
      order; an unordered one is refused;
    * otherwise ``n_channels`` consecutive, equally long blocks of columns (channel-major, the
      layout of ``X3d.reshape(n_samples, -1)``).

    Channels keep the order in which they first appear; steps are sorted by time. Channels
    missing a time another channel has get NaN there. Output is always 3D, dtype float64 or
    float32 as the input.

    Parameters
    ----------
    pattern : str, default=None
        Regular expression with named groups ``channel`` and ``time``, matched against whole
        column names.
    n_channels : int, default=1
        Number of column blocks when neither ``pattern`` nor a MultiIndex gives the layout.

    Attributes
    ----------
    channels_ : ndarray of shape (n_channels,)
        Channel names.
    times_ : ndarray of shape (n_timesteps,)
        Time labels of the output steps.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqpool_sklearn import WideToSequences
    >>> df = pd.DataFrame([[1.0, 2.0, 10.0, 20.0]], columns=["x_0", "x_1", "y_0", "y_1"])
    >>> wide = WideToSequences(pattern=r"(?P<channel>\\w+)_(?P<time>\\d+)")
    >>> wide.fit_transform(df)
    array([[[ 1.,  2.],
            [10., 20.]]])
    >>> wide.get_feature_names_out()
    array(['x', 'y'], dtype=object)
    """

    _parameter_constraints: dict = {
        "pattern": [str, None],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, pattern: str | None = None, n_channels: int = 1):
        self.pattern = pattern
        self.n_channels = n_channels

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _layout(self, X) -> tuple:
        """(channel labels, time labels) for every input column."""
        is_df = isinstance(X, pd.DataFrame)
        if self.pattern is not None:
            if not is_df:
                raise ValueError("pattern needs a DataFrame with column names to match.")
            try:
                regex = re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a valid regular expression ({exc}). "
                    "Escape special characters and close every bracket, e.g. "
                    r"r'(?P<channel>.+)_(?P<time>\d+)'."
                ) from None
            if not {"channel", "time"} <= set(regex.groupindex):
                raise ValueError(
                    f"pattern must have named groups 'channel' and 'time', got {self.pattern!r}."
                )
            channel, time = [], []
            for col in X.columns:
                match = regex.fullmatch(col) if isinstance(col, str) else None
                if match is None:
                    raise ValueError(
                        f"Column {col!r} does not match pattern {self.pattern!r}; drop it or "
                        "widen the pattern."
                    )
                channel.append(match["channel"])
                time.append(match["time"])
            numeric = pd.to_numeric(pd.Series(time), errors="coerce")
            if numeric.isna().any():
                j = int(np.flatnonzero(numeric.isna().to_numpy())[0])
                raise ValueError(
                    f"Column {X.columns[j]!r} has time part {time[j]!r}, which is not a "
                    f"number; the pattern's 'time' group must match numbers only."
                )
            return np.asarray(channel, dtype=object), numeric.to_numpy()
        if is_df and isinstance(X.columns, pd.MultiIndex):
            if X.columns.nlevels != 2:
                raise ValueError(
                    f"A column MultiIndex must have two levels (channel, time), got "
                    f"{X.columns.nlevels}."
                )
            _refuse_time_first(X.columns)
            time = X.columns.get_level_values(1)
            if isinstance(time.dtype, pd.CategoricalDtype):
                # the steps follow the categories' order (what pivot gives on an ordered
                # categorical), as in long_to_sequences; an unordered one has no order
                if not time.dtype.ordered:
                    raise TypeError(
                        f"The time level {X.columns.names[1]!r} of the column MultiIndex is "
                        "an unordered categorical, so its steps have no order; use numbers "
                        "or datetimes, or an ordered categorical."
                    )
                return np.asarray(X.columns.get_level_values(0), dtype=object), time.values
            if pd.api.types.is_string_dtype(time) or pd.api.types.is_object_dtype(time):
                # Time labels read from text ("0", "1", ..., "10") sort as numbers, not text.
                numeric = pd.to_numeric(pd.Series(time), errors="coerce")
                if numeric.notna().all():
                    time = numeric
            return np.asarray(X.columns.get_level_values(0), dtype=object), np.asarray(time)
        shape = shape_of(X)
        n_cols = shape[1] if len(shape) == 2 else 0
        if n_cols % self.n_channels:
            raise ValueError(
                f"X has {n_cols} columns, which do not split into n_channels="
                f"{self.n_channels} equal blocks."
            )
        steps = n_cols // self.n_channels
        channel = np.repeat([f"channel{c}" for c in range(self.n_channels)], steps)
        return channel.astype(object), np.tile(np.arange(steps), self.n_channels)

    def _check_X(self, X, *, reset: bool) -> np.ndarray:
        if len(shape_of(X)) == 3:
            raise ValueError(
                "WideToSequences expects a 2D wide table (one row per sample); X is already "
                "3D (n_samples, n_channels, n_timesteps)."
            )
        if isinstance(X, pd.DataFrame):
            for col in X.columns:
                dtype = X[col].dtype
                if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
                    raise TypeError(
                        f"Column {col!r} has dtype {dtype}; a wide table needs numeric "
                        "values. Convert it with pd.to_numeric or drop it."
                    )
        # the labels say where each column goes: any other columns are refused
        check_fitted_columns(self, X, reset=reset, strict=True)
        if isinstance(X, np.ma.MaskedArray):
            X = _masked_as_nan(X)  # a masked entry is a missing step, not its value
        if not isinstance(X, pd.DataFrame):
            refuse_time_dtype(getattr(X, "dtype", None), type(self).__name__, "X")
        Xv = validate_data(
            self, X, reset=reset, ensure_all_finite=False, dtype=[np.float64, np.float32]
        )
        check_no_inf(Xv, columns=X.columns if isinstance(X, pd.DataFrame) else None)
        return Xv

    def fit(self, X: ArrayLike | pd.DataFrame, y=None):
        """Read the column layout.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_columns)
            Wide table.
        y : ignored
            Present for Pipeline compatibility.

        Returns
        -------
        self : WideToSequences
        """
        refuse_bool_numbers(self)  # first: False would fail the range check as the int 0
        self._validate_params()
        X = _as_table(X)
        if isinstance(X, pd.DataFrame) and self.pattern is None and self.n_channels != 1:
            if isinstance(X.columns, pd.MultiIndex):
                raise ValueError("n_channels must stay 1 when the column MultiIndex gives them.")
        # a failed fit leaves the transformer as it was (the input checks below set
        # n_features_in_ and the column names before the layout is read)
        before = dict(self.__dict__)
        try:
            self._fit_layout(X)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _fit_layout(self, X) -> None:
        # what the input is (sparse, complex, 3D, text columns) before how its columns
        # split: a user is told about the first problem, not a second one after fixing it
        self._check_X(X, reset=True)
        channel, time = self._layout(X)
        ch_code, channels = pd.factorize(channel)  # order of first appearance
        try:
            t_code, times = pd.factorize(time, sort=True)
        except TypeError as exc:
            raise ValueError(f"Time labels of the columns cannot be sorted: {exc}.") from exc
        for code, what in ((ch_code, "channel"), (t_code, "time")):
            if (code < 0).any():  # a missing label: factorize codes it -1, the last slot
                j = int(np.flatnonzero(code < 0)[0])
                column = X.columns[j] if isinstance(X, pd.DataFrame) else j
                if isinstance(column, tuple):  # numbers as written, not np.int64(0)
                    column = tuple(v.item() if isinstance(v, np.generic) else v for v in column)
                raise ValueError(
                    f"Column {column!r} has a missing {what} label (NaN or None), so it has no "
                    f"place in the output; name its {what} or drop the column (pivot gives "
                    "such a column for rows whose key is missing: drop those rows first)."
                )
        cell = ch_code.astype(np.int64) * len(times) + t_code
        repeated = pd.Index(cell).duplicated()
        if repeated.any():
            b = int(np.flatnonzero(repeated)[0])
            a = int(np.flatnonzero(cell == cell[b])[0])
            names = list(X.columns) if isinstance(X, pd.DataFrame) else list(range(len(cell)))
            raise ValueError(
                f"Columns {names[a]!r} and {names[b]!r} both map to (channel, time) = "
                f"({_fmt(channel[a])}, {_fmt(time[b])}); "
                "each channel may have one column per time step."
            )
        self.channels_ = np.asarray(channels, dtype=object)
        self.times_ = np.asarray(times)
        self._channel_code, self._step_code = ch_code, t_code

    def transform(self, X: ArrayLike | pd.DataFrame) -> np.ndarray:
        """Reshape to (n_samples, n_channels, n_timesteps).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_columns)
            Wide table with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_channels, n_timesteps)
        """
        check_is_fitted(self)
        Xv = self._check_X(_as_table(X), reset=False)
        out = np.full((Xv.shape[0], len(self.channels_), len(self.times_)), np.nan, Xv.dtype)
        out[:, self._channel_code, self._step_code] = Xv
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Channel names: the labels of the output's axis 1.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Checked against the fitted input columns.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        _names_in(self, input_features)
        return np.asarray([str(c) for c in self.channels_], dtype=object)
