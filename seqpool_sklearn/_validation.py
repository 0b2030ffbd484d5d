"""Input validation for sequence arrays: one place for every check on sequences.

The estimators validate through :func:`check_sequences`, the row-preserving transformers
through :func:`validate_sequence_data`; both share the checks below (channel count, time
steps, ±inf and where it is), and :func:`observed_span` is the one definition of a series'
observed part.

Every error says what was expected, what was got and, where there is one, how to
fix it. Where scikit-learn's common checks expect a particular wording ("Complex
data not supported", "Reshape your data", "0 feature(s) ...", numpy's "argument
must be a string or a real number"), that wording is kept and the sequence-specific
explanation is added to it.
"""

from __future__ import annotations

import copyreg
import difflib
import errno
import functools
import os
import warnings
from collections import Counter
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data

_SHAPES = "(n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)"

# Names people commonly type for an option under another name. Only suggested
# when the alias' target is one of the options being checked.
_ALIASES = {
    "mean": "avg",
    "average": "avg",
    "global_avg": "avg",
    "gap": "avg",
    "maximum": "max",
    "attn": "attention",
    "power": "lp",
    "cnn": "conv",
    "fcn": "conv",
    "conv1d": "conv",
    "rnn": "gru",
}


class LayoutWarning(UserWarning):
    """The array's layout looks transposed: more channels than time steps.

    Raised at ``fit`` when a 3D ``X`` of shape (n_samples, a, b) has more "channels"
    than "steps" (``a > b``) and at most 16 steps, the usual sign of channels-last data
    (Keras' (n_samples, n_timesteps, n_channels)): no UCR/UEA dataset of the archive
    suite has that shape, and every one of them has it when transposed. The estimators,
    the sequence transformers (at ``fit``) and :func:`sequences_to_long` warn alike;
    :class:`WideToSequences` warns about column levels that look like (time, channel).
    Silence it with :func:`warnings.filterwarnings` when the layout is intended.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from seqpool_sklearn import LayoutWarning, SeqPoolClassifier
    >>> X = np.zeros((8, 30, 2), dtype="float32")  # 30 steps of 2 channels, channels last
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = SeqPoolClassifier(encoder=None, max_epochs=1).fit(X, np.arange(8) % 2)
    >>> any(issubclass(w.category, LayoutWarning) for w in caught)
    True
    """


class MissingChannelWarning(UserWarning):
    """Some channels of an observed time step are NaN, and the model reads them as 0.

    A time step is unobserved only when *all* its channels are NaN. Where just some are, the
    step is observed and its NaN channels enter the network as 0 -- for a channel that
    varies around 0 harmless, for one measured far from it (an accelerometer's gravity,
    near 9.8) an outlier. Warned once per call, naming the channels; fill the gaps first
    (e.g. interpolate along time) or set the whole step to NaN.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from seqpool_sklearn import MissingChannelWarning, SeqPoolClassifier
    >>> X = np.full((8, 2, 5), 9.8, dtype="float32")
    >>> X[0, 1, 2] = np.nan  # channel 1 missing at one step where channel 0 was measured
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = SeqPoolClassifier(encoder=None, max_epochs=1).fit(X, np.arange(8) % 2)
    >>> [str(w.message)[:52] for w in caught if w.category is MissingChannelWarning]
    ['X has 1 NaN inside observed time steps, in channel 1']
    """


def asarray_not_ragged(X: Any, message: Callable[[], str]) -> np.ndarray:
    """``np.asarray(X)``, with ``ValueError(message())`` where nested lists are ragged.

    numpy refuses nested lists of unequal lengths with an "inhomogeneous" error; every
    reader of array-likes in the package turns that into its own message.
    """
    try:
        return np.asarray(X)
    except ValueError as exc:
        if "inhomogeneous" not in str(exc):
            raise
        raise ValueError(message()) from None


def ragged_rows(rows: Any) -> str:
    """Where nested rows first differ in length: "row 0 has 3 values, row 2 has 2"."""
    lengths = [len(row) if pd.api.types.is_list_like(row) else 1 for row in rows]
    j = next((j for j, n in enumerate(lengths) if n != lengths[0]), None)
    return f"row 0 has {lengths[0]} values, row {j} has {lengths[j]}" if j else "rows differ"


def check_unique_columns(df: pd.DataFrame, has: str, needs: str) -> None:
    """Refuse a DataFrame that holds a column name twice: ``"{has} column 'a' more than
    once; {needs}, each with its own name."``"""
    if df.columns.has_duplicates:
        dup = df.columns[df.columns.duplicated()][0]
        raise ValueError(f"{has} column {dup!r} more than once; {needs}, each with its own name.")


def refuse_bool_numbers(estimator: Any, only=None) -> None:
    """Refuse True/False for the number parameters of ``estimator`` (those in ``only``).

    Its number parameters are those whose constraints hold an ``Interval`` and not
    ``"boolean"``: scikit-learn's ``Interval(Integral, ...)`` takes a bool as the integer
    1 or 0, and a bool given for a length or a count is a mistake, not a number.
    """
    from sklearn.utils._param_validation import Interval, InvalidParameterError

    names = [
        name
        for name, rules in estimator._parameter_constraints.items()
        if "boolean" not in rules
        and any(isinstance(r, Interval) for r in rules)
        and (only is None or name in only)
    ]
    for name in names:
        value = getattr(estimator, name, None)
        if isinstance(value, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be a number, not "
                f"a bool; got {value!r}."
            )


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters for a message."""
    return clip(repr(value), limit)


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, its end marked ``...``, for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(value: Any, options) -> str:
    """A ' Did you mean ...?' hint for a mistyped string option, or ''.

    Close spellings (``difflib``) and a few common synonyms (``"mean"`` for
    ``"avg"``, ``"cnn"`` for ``"conv"``, ...) are recognised.

    Examples
    --------
    >>> did_you_mean("poolfirst", ["pool_first", "decode_first"])
    " Did you mean 'pool_first'?"
    >>> did_you_mean("mean", ["avg", "max", "lp", "attention"])
    " Did you mean 'avg'?"
    >>> did_you_mean("acc_Y", ["acc_x", "acc_y", "acc_z"])
    " Did you mean 'acc_y'?"
    """
    if not isinstance(value, str):
        return ""
    names = [o for o in options if isinstance(o, str)]
    alias = _ALIASES.get(value.lower().replace("-", "_"))
    if alias in names:
        return f" Did you mean {alias!r}?"
    # Compared in lower case, so that 'acc_Y' finds 'acc_y' and not 'acc_x' (to difflib
    # the capital is one more differing letter); an exact match ignoring case comes first.
    lowered: dict[str, str] = {}
    for n in names:
        lowered.setdefault(n.lower(), n)
    if value.lower() in lowered and lowered[value.lower()] != value:
        return f" Did you mean {lowered[value.lower()]!r}?"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1)
    return f" Did you mean {lowered[close[0]]!r}?" if close else ""


def is_integer(value: Any) -> bool:
    """An integer (Python or NumPy), and not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_file_name(path: Any, folder_message: str) -> str:
    """``path`` as a str file name: a TypeError for other types, IsADirectoryError for a folder.

    Examples
    --------
    >>> check_file_name(5, "a folder")
    Traceback (most recent call last):
    ...
    TypeError: path must be a file name (str or path-like); got int 5.
    """
    try:
        name = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"path must be a file name (str or path-like); got {type(path).__name__} {path!r}."
        ) from None
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if os.path.isdir(name):
        raise IsADirectoryError(errno.EISDIR, folder_message, name)
    return name


def numeric_or_refused(convert: Callable[[], Any], values: Any, describe: Callable) -> Any:
    """``convert()``, or, where it fails on a value that is no number, a ValueError.

    ``describe(index, value)`` words the message from the first such value's index (a
    tuple, empty for a scalar) and the value. Other errors of ``convert`` pass unchanged.
    """
    try:
        return convert()
    except (TypeError, ValueError) as exc:
        if "convert" not in str(exc) and "argument must be" not in str(exc):
            raise
        index, value, _ = _first_non_numeric(np.asarray(values, dtype=object))
        raise ValueError(describe(index, value)) from None


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a ``bool``, if it is True or False (NumPy's too); else a TypeError.

    Text such as ``"no"`` would otherwise be read as True.

    Examples
    --------
    >>> check_bool(np.True_, "download")
    True
    >>> check_bool("no", "download")
    Traceback (most recent call last):
    ...
    TypeError: download must be True or False, got 'no'.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_int(value: Any, name: str, low: int) -> int:
    """``value`` as an ``int``, if it is an integer >= ``low``; else a ValueError.

    For arguments of functions; estimator parameters declare ``Interval`` constraints.

    Examples
    --------
    >>> check_int(np.int64(3), "size", 1)
    3
    >>> check_int(True, "size", 1)
    Traceback (most recent call last):
    ...
    ValueError: size must be an integer >= 1, got True.
    """
    if not is_integer(value) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _where(index: tuple, ndim: int, columns: Any = None) -> str:
    """Human-readable position of an element of a 2D or 3D sequence array.

    With ``columns`` (the column labels of a 2D table) the position is a column and a row.
    """
    if columns is not None:
        return f"column {columns[index[1]]!r}, row {int(index[0])}"
    names = ("sample", "step") if ndim == 2 else ("sample", "channel", "step")
    return ", ".join(f"{n} {int(i)}" for n, i in zip(names, index, strict=False))


def _index_for(index3: tuple, ndim: int) -> tuple:
    """Position in the caller's layout: drop the channel axis added to 2D input."""
    return (index3[0], index3[2]) if ndim == 2 else index3


def _first_inf(a: np.ndarray) -> tuple[tuple, int] | None:
    """Position of the first ±inf in ``a`` (C order) and how many there are; None if none."""
    inf = np.isinf(a)
    if not inf.any():
        return None
    return np.unravel_index(int(np.argmax(inf)), a.shape), int(inf.sum())


def _first_non_numeric(a: np.ndarray) -> tuple[tuple, Any, Exception]:
    for index in np.ndindex(a.shape):
        value = a[index]
        if isinstance(value, np.generic):
            value = value.item()
        try:
            float(value)
        except (TypeError, ValueError) as exc:
            return index, value, exc
    raise AssertionError("unreachable: the array converted element-wise")  # pragma: no cover


def _as_real_array(X: Any, name: str, what: str) -> Any:
    """``X`` as a real-valued ndarray, rejecting ragged, complex, date and non-numeric input.

    Sparse matrices and DataFrames are returned unchanged for ``check_array``,
    which knows their conversions (pandas' nullable dtypes, feature names).
    """
    if sp.issparse(X):
        return X
    if isinstance(X, np.ma.MaskedArray):
        X = _masked_as_nan(X)
    _refuse_sequences(X, name, what)
    _refuse_nested_frame(X, name, what)
    if isinstance(X, pd.DataFrame):
        check_unique_columns(X, f"{what} has", f"{name} needs one column per time step")
        filled = {}  # text columns whose missing cells (pd.NA, None) are read as NaN
        for column, dtype in X.dtypes.items():
            if getattr(dtype, "kind", "O") == "c":
                raise ValueError(
                    f"Complex data not supported: column {column!r} of {what} is complex, "
                    f"but {name} expects real-valued time steps. Pass the real part or the "
                    "magnitude."
                )
            refuse_time_dtype(dtype, name, what, column)
            if not pd.api.types.is_numeric_dtype(dtype):
                values = X[column].to_numpy(dtype=object)
                missing = pd.isna(values)
                if missing.any():  # pd.NA and None mark a missing step, as NaN does
                    values = values.copy()
                    values[missing] = np.nan
                try:
                    converted = values.astype(np.float64)
                except (TypeError, ValueError):
                    (row,), value, exc = _first_non_numeric(values)
                    raise type(exc)(
                        f"{what} must contain numbers (NaN for a missing step), but column "
                        f"{column!r} holds {value!r} of type {type(value).__name__} at row "
                        f"{row}: {exc}. "
                        + (
                            _long_table_hint(X, column)
                            or (
                                "If such cells mark missing steps, make them NaN, e.g. "
                                f"pd.to_numeric(X[{column!r}], errors='coerce'); encode "
                                "categorical values as numbers before fitting."
                            )
                        )
                    ) from None
                if missing.any():
                    filled[column] = converted
        if filled:
            X = X.copy()  # the caller's DataFrame is never written to
            for column, converted in filled.items():
                X[column] = converted
        return X
    a = asarray_not_ragged(
        X,
        lambda: (
            f"{what} is ragged: its series (or channels) have different lengths, so they do "
            f"not form an array of shape {_SHAPES} as {name} expects. Pad the "
            "shorter series with NaN to a common length (NaN marks a missing step), or "
            "build X from a long table with long_to_sequences."
        ),
    )
    if a.ndim == 0:
        raise ValueError(f"{name} expects {what} of shape {_SHAPES}; got a scalar ({X!r}).")
    if a.ndim == 1:
        if a.dtype == object and len(a) and pd.api.types.is_list_like(a[0]):
            # a Series or object array whose cells are whole series
            raise ValueError(
                f"{name} expects {what} of shape {_SHAPES}; got a 1D array of shape "
                f"{a.shape} whose elements are series (the first of type "
                f"{type(a[0]).__name__}). Stack them: np.stack(list(X)) for series of one "
                "length, or pad the shorter ones with NaN to a common length first."
            )
        raise ValueError(
            f"{name} expects {what} of shape {_SHAPES}; got a 1D array of shape {a.shape}. "
            "Reshape your data: X.reshape(1, -1) is one univariate series, "
            "X.reshape(-1, 1) is many series of one step each."
        )
    if a.dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: {what} has dtype {a.dtype}, but {name} expects "
            "real-valued time steps. Pass np.real(X) or np.abs(X), or stack the real and "
            "imaginary parts as separate channels."
        )
    refuse_time_dtype(a.dtype, name, what)
    if a.dtype.kind in "OUS":
        try:
            return a.astype(np.float64)
        except (TypeError, ValueError):
            index, value, exc = _first_non_numeric(a)
            raise type(exc)(
                f"{what} must contain numbers (NaN for a missing step), but {name} got "
                f"{value!r} of type {type(value).__name__} at {_where(index, a.ndim)}: "
                f"{exc}. Encode categorical values as numbers before fitting."
            ) from None
    return a


def refuse_time_dtype(dtype: Any, name: str, what: str, column: Any = None) -> None:
    """Refuse time stamps and durations where numbers are expected.

    numpy casts them to their integer ticks (seconds, nanoseconds, ... since 1970), which
    would be read as values without a word.
    """
    kind = getattr(dtype, "kind", None)
    if kind not in ("m", "M"):
        return
    stamps = "time stamps" if kind == "M" else "durations"
    convert = (
        "(X - X.min()) / np.timedelta64(1, 's') for seconds since the first"
        if kind == "M"
        else "X / np.timedelta64(1, 's') for seconds"
    )
    where = what if column is None else f"column {column!r} of {what}"
    raise TypeError(
        f"{where} has dtype {dtype} ({stamps}), but {name} expects numbers (NaN for a "
        f"missing step). Convert them to numbers first, e.g. {convert}."
    )


def _masked_as_nan(X: np.ma.MaskedArray) -> np.ndarray:
    """A masked array as a plain copy with NaN at its masked entries.

    NaN is the package's mark of an unobserved step; ``np.asarray`` would drop the mask and
    hand over whatever values lie under it. Dates and other dtypes that hold no NaN keep
    their values, for the checks that refuse them.
    """
    mask = np.ma.getmaskarray(X)
    data = np.array(np.ma.getdata(X))  # a copy: the caller's array is never written to
    if not mask.any():
        return data
    if data.dtype.kind in "biu":
        data = data.astype(np.float64)
    elif data.dtype.kind in "OUS":
        data = data.astype(object)
    if data.dtype.kind in "fcO":
        data[mask] = np.nan
    return data


def _refuse_sequences(X: Any, name: str, what: str) -> None:
    """A :class:`~seqpool_sklearn.Sequences` passed as X: point to its arrays."""
    from ._sequences import Sequences  # here: _sequences imports this module

    if isinstance(X, Sequences):
        fit_with = "seq.X, seq.y" if X.y is not None else "seq.X, y"
        raise TypeError(
            f"{name} expects {what} as an array of shape {_SHAPES}, but got {X!r}, the "
            f"result of long_to_sequences. Pass its arrays: with seq = long_to_sequences(...), "
            f"call fit({fit_with}) (and predict(seq.X)); seq.groups holds the groups for "
            "GroupKFold when you asked for them."
        )


def _refuse_nested_frame(X: Any, name: str, what: str) -> None:
    """A DataFrame whose cells hold whole series (sktime's "nested_univ" layout): say how to
    convert it, rather than fail on the first cell that is not a number. A DataFrame with
    column levels (``(channel, time)`` from a pivot) would be read as one series of all its
    columns: point to WideToSequences, which reads the levels."""
    if not isinstance(X, pd.DataFrame):
        return
    if isinstance(X.columns, pd.MultiIndex):
        first = X.columns[0]
        raise ValueError(
            f"{what} is a DataFrame with {X.columns.nlevels} levels of column names (such as "
            f"{first!r}), the wide layout of several channels; {name} would read its "
            f"{X.shape[1]} columns as the steps of one series. Turn it into sequences with "
            "WideToSequences(), which reads (channel, time) levels (e.g. "
            "make_pipeline(WideToSequences(), ...)), or pass df.to_numpy() if the columns "
            "are the steps of one series."
        )
    for j in np.flatnonzero([pd.api.types.is_object_dtype(d) for d in X.dtypes]):
        column, cells = X.columns[j], X.iloc[:, j].dropna()
        if len(cells) and isinstance(cells.iloc[0], (list, tuple, np.ndarray, pd.Series)):
            row = X.index.get_loc(cells.index[0])
            raise TypeError(
                f"{what} is a nested DataFrame: column {column!r} holds a whole series "
                f"({type(cells.iloc[0]).__name__}) in each cell, e.g. at row {row} (sktime's "
                f"'nested_univ' layout). {name} reads an array of shape {_SHAPES}, one "
                "column per time step. Convert it first: X = np.stack([np.stack([np.asarray("
                "cell, dtype=float) for cell in row]) for row in df.itertuples(index=False)]) "
                "for series of one length (pad shorter series with NaN to a common length)."
            )


def _long_table_hint(df: pd.DataFrame, column: Any) -> str:
    """Advice for a DataFrame with a non-numeric column whose values repeat: a long table."""
    ids = df[column]
    try:
        n_ids = int(ids.nunique())
    except TypeError:  # unhashable cells: not an id column
        return ""
    if not 1 < n_ids < len(ids):
        return ""
    if pd.to_numeric(ids, errors="coerce").notna().mean() >= 0.5:
        return ""  # mostly numbers with a stray text cell ('?'): a wide table's step
    numeric = [c for c in df.columns if c != column and pd.api.types.is_numeric_dtype(df[c])]
    times = [c for c in numeric if "time" in str(c).lower() or str(c).lower() in ("t", "ts")]
    values = [str(c) for c in numeric if c not in times]
    value_arg = f", column_sort={times[0]!r}" if times else ""
    value_arg += f", column_value={values!r}" if values else ""
    return (
        f"Column {column!r} repeats {n_ids} values over {len(ids)} rows, as the sample id "
        "of a long table (one row per time step) does; the estimators read a wide layout "
        "(one row per series, one column per time step). Build the sequences first: seq = "
        f"long_to_sequences(df, column_id={column!r}{value_arg}, y=...), then fit(seq.X, "
        "seq.y)."
    )


_ID_NAMES = ("id", "sample", "series", "subject", "recording")


def _warn_if_long_columns(X: Any, name: str, what: str) -> None:
    """LayoutWarning for a DataFrame whose columns look like channels of a long table.

    2D input is one univariate series per row, its columns the time steps. A DataFrame
    whose column names hold no digit at all ('acc_x', 'acc_y', ...) and has many times more
    rows than columns is, far more often, the value columns of a long table (one row per
    time step): read as 2D it trains on thousands of "series" of a handful of steps.
    Column names of time steps carry their step ('t0', 'x_12', 3).
    """
    if not isinstance(X, pd.DataFrame) or X.ndim != 2 or X.shape[1] < 1:
        return
    names = list(X.columns)
    if not all(isinstance(c, str) and not any(ch.isdigit() for ch in c) for c in names):
        return
    if len(X) < 20 * len(names):
        return
    shown = ", ".join(repr(c) for c in names[:4]) + (", ..." if len(names) > 4 else "")
    # the columns of a long table that are no channel, by their usual names
    low = {c: c.lower() for c in names}
    ids = [c for c in names if low[c] in _ID_NAMES or low[c].endswith("_id")]
    times = [c for c in names if c not in ids and ("time" in low[c] or low[c] in ("t", "ts"))]
    labels = [c for c in names if low[c] in ("label", "target", "class")]
    values = [c for c in names if c not in (*ids, *times, *labels)] or names
    call = f"column_id={ids[0]!r}" if ids else "column_id=<id column>"
    call += f", column_sort={times[0]!r}" if times else ""
    call += f", column_value={values!r}"
    call += f", y={labels[0]!r}" if labels else ", y=<label column>"
    warnings.warn(
        f"{what} is a DataFrame of {len(X)} rows and {len(names)} columns named like "
        f"channels ({shown}); {name} reads 2D input as {len(X)} univariate series of "
        f"{len(names)} time steps. If each row is one time step of a long table, build the "
        f"sequences first: seq = long_to_sequences(df, {call}), then fit(seq.X, "
        "seq.y). Silence this warning with warnings.filterwarnings when the layout is "
        "intended.",
        LayoutWarning,
        stacklevel=_callers_stacklevel(),
    )


# A 3D X with more channels than steps, and at most this many steps, is most likely
# channels-last (n_samples, n_timesteps, n_channels): LayoutWarning. Wide feature maps of
# a longer series (e.g. 128 channels x 100 steps) are not flagged.
_LAYOUT_MAX_STEPS = 16


def _callers_stacklevel() -> int:
    """``warnings.warn``'s stacklevel, counted from the caller of the function that calls
    this one, of the first frame outside this package, scikit-learn and joblib (which a
    Pipeline calls its steps through): the user's line, whether they called ``fit`` or
    reached it through ``fit_transform`` or a Pipeline."""
    import sys

    import joblib
    import sklearn

    modules = [sys.modules[__name__.rpartition(".")[0]], sklearn, joblib]
    skops = sys.modules.get("skops")  # a skops dump reaches __getstate__ through copyreg
    inside = tuple(
        os.path.dirname(os.path.abspath(module.__file__)) + os.sep
        for module in modules + ([skops] if skops is not None else [])
    ) + (os.path.abspath(copyreg.__file__), os.path.abspath(functools.__file__))
    frame, level = sys._getframe(2), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(inside):
        frame, level = frame.f_back, level + 1
    return level if frame is not None else 2


def warn_if_channels_last(shape: tuple, *, name: str) -> None:
    """LayoutWarning for a 3D ``shape`` that looks channels-last (see :class:`LayoutWarning`),
    pointing at the caller's line outside this package and scikit-learn."""
    if len(shape) == 3 and shape[1] > shape[2] <= _LAYOUT_MAX_STEPS:
        warnings.warn(
            f"X has shape {tuple(shape)}: {shape[1]} channels of {shape[2]} time "
            f"steps. {name} reads (n_samples, n_channels, n_timesteps); if these "
            "are series of length "
            f"{shape[1]} with {shape[2]} channels (the channels-last layout "
            "of Keras), pass X.transpose(0, 2, 1).",
            LayoutWarning,
            stacklevel=_callers_stacklevel(),
        )


def _warn_partial_steps(arr: np.ndarray, name: str, what: str) -> None:
    """MissingChannelWarning where some (not all) channels of an observed step are NaN."""
    if arr.shape[1] < 2:
        return
    nan = np.isnan(arr)
    partial = nan & ~nan.all(axis=1, keepdims=True)
    if not partial.any():
        return
    channels = np.flatnonzero(partial.any(axis=(0, 2))).tolist()
    first = np.unravel_index(int(np.argmax(partial)), partial.shape)
    count = int(partial.sum())
    which = f"channel {channels[0]}" if len(channels) == 1 else f"channels {channels}"
    warnings.warn(
        f"{what} has {count} NaN{'s' if count > 1 else ''} inside observed time steps, in "
        f"{which} (first at sample {int(first[0])}, channel {int(first[1])}, step "
        f"{int(first[2])}): a step with only some channels NaN is observed, and {name} reads "
        "those NaNs as 0. For a channel measured far from 0 (an accelerometer's gravity, "
        "near 9.8) that is an outlier: fill them first (e.g. interpolate along time), or set "
        "every channel of the step to NaN to mark it unobserved.",
        MissingChannelWarning,
        stacklevel=_callers_stacklevel(),
    )


def check_sequences(
    X: Any, *, name: str, what: str = "X", return_ndim: bool = False, dtype: Any = np.float32
) -> np.ndarray | tuple[np.ndarray, int]:
    """Validate sequence input and return a float array of shape (n, channels, time).

    Accepts 2D input (one univariate series per row, columns are time steps)
    and 3D input (n_samples, n_channels, n_timesteps), as arrays, nested lists
    or DataFrames. NaN marks missing / padded steps (so do the masked entries of a
    ``numpy.ma`` masked array). Rejected, each with a
    message that says what was expected and what was got: other numbers of
    dimensions, ragged nested lists, zero samples / channels / time steps, a
    series with no observed step, infinite values, values beyond float32's
    range, complex numbers, strings and other non-numeric objects, and sparse
    matrices.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
    name : str
        Name of the calling estimator, used in messages.
    what : str, default="X"
        Name of the argument, used in messages.
    return_ndim : bool, default=False
        Also return the number of dimensions of the input (2 or 3).
    dtype : {np.float32, np.float64}, default=np.float32
        The returned dtype (for float32, values beyond its range are rejected).

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype ``dtype``
        A new array; the caller's object is never modified.
    ndim : int
        Dimensions of the input, only when ``return_ndim=True``.

    Examples
    --------
    >>> check_sequences([[1.0, 2.0, 3.0]], name="demo").shape
    (1, 1, 3)
    >>> check_sequences([[1.0, float("inf")]], name="demo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X contains 1 infinite value (first: +inf at sample 0, step 1), but demo expects ...
    """
    a = _as_real_array(X, name, what)
    _warn_if_long_columns(X, name, what)
    try:
        # Sparse input, zero samples and 2D input without columns get
        # scikit-learn's standard messages (its common checks expect them).
        arr = check_array(
            a,
            accept_sparse=False,
            dtype=[np.float64, np.float32],
            ensure_all_finite=False,
            allow_nd=True,
            ensure_2d=True,
            ensure_min_samples=1,
            ensure_min_features=1,
            input_name=what,
            estimator=name,
        )
    except ValueError as exc:
        if "0 feature(s)" in str(exc):
            raise ValueError(
                f"{exc} For 2D {what} the columns are the time steps: {name} needs at "
                "least one per series."
            ) from None
        raise
    ndim = arr.ndim
    if arr.ndim == 2:
        arr = arr[:, np.newaxis, :]
    elif arr.ndim != 3:
        raise ValueError(
            f"{name} expects {what} of shape {_SHAPES}; got an array with {arr.ndim} "
            f"dimensions and shape {arr.shape}."
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"{what} has 0 channels (shape {arr.shape}); {name} needs at least one channel."
        )
    check_has_time_steps(arr.shape, name=name, what=what)
    if not np.isfinite(arr).all():
        _check_no_inf(arr, ndim, name, what)
    with np.errstate(over="ignore"):  # overflow is reported below, with its position
        arr = np.asarray(arr, dtype=np.dtype(dtype))
    if not np.isfinite(arr).all():
        overflow = _first_inf(arr)  # finite float64 values beyond float32's range become inf
        if overflow is not None:
            raise ValueError(
                f"{what} contains values too large for float32 (|x| > 3.4e38; first at "
                f"{_where(_index_for(overflow[0], ndim), ndim)}), which {name} computes in. "
                "Scale them down."
            )
        empty = np.isnan(arr).all(axis=(1, 2))
        if empty.any():
            first = int(np.flatnonzero(empty)[0])
            raise ValueError(
                f"{int(empty.sum())} series in {what} have no observed time step (all values "
                f"are NaN; first: sample {first}), but {name} needs at least one observed "
                "step per series. Drop them or fill them before calling it."
            )
        _warn_partial_steps(arr, name, what)
    # Never hand the caller's own buffer (or a read-only view of it, as pandas'
    # copy-on-write gives) to code that may write into it.
    shares = isinstance(X, np.ndarray) and np.may_share_memory(arr, X)
    if shares or not arr.flags.writeable:
        arr = arr.copy()
    return (arr, ndim) if return_ndim else arr


def _check_no_inf(arr: np.ndarray, ndim: int, name: str, what: str) -> None:
    """:func:`check_sequences`' ±inf check: counts them and names the estimator."""
    found = _first_inf(arr)
    if found is None:
        return
    index, count = found
    sign = "+inf" if arr[index] > 0 else "-inf"
    raise ValueError(
        f"{what} contains {count} infinite value{'s' if count > 1 else ''} (first: {sign} at "
        f"{_where(_index_for(index, ndim), ndim)}), but {name} expects finite numbers, with "
        "NaN marking a missing step. Replace or clip them (or set them to NaN)."
    )


def check_no_inf(X: np.ndarray, *, columns: Any = None) -> None:
    """Reject ±inf in a transformer's input, naming the first one's position.

    ``columns``: the column labels of a 2D table, to name the position by column and row.
    """
    found = _first_inf(X)
    if found is not None:
        raise ValueError(
            f"X contains ±inf (first at {_where(found[0], X.ndim, columns)}); ±inf is not a "
            "valid value. Replace it with NaN to mark it missing, or clip it."
        )


def check_n_channels(n_channels: int, n_fitted: int, *, name: str) -> None:
    """New data must have the channels the estimator was fitted with."""
    if n_channels != n_fitted:
        raise ValueError(
            f"X has {n_channels} channels, but {name} was fitted with {n_fitted} channels."
        )


def check_has_time_steps(shape: tuple, *, name: str, what: str = "X") -> None:
    """A 3D ``shape`` (n_samples, n_channels, n_timesteps) must have a channel and a step."""
    if shape[1] == 0:
        raise ValueError(
            f"{what} has 0 channels (shape {shape}); {name} needs at least one channel."
        )
    if shape[2] == 0:
        raise ValueError(
            f"{what} has 0 time steps (shape {shape}); {name} needs at least one "
            "observed time step per series."
        )


def _first_change(columns: pd.Index, fitted: pd.Index) -> str:
    """Where ``columns`` first differ from ``fitted``, in words."""
    if len(columns) != len(fitted):
        return f"X has {len(columns)} columns, fit had {len(fitted)}"
    for i, (a, b) in enumerate(zip(columns, fitted, strict=True)):
        if a != b:
            return f"column {i} is {a!r}, in fit it was {b!r}"
    return "their index types differ"


def _reordered(columns: pd.Index, fitted: pd.Index) -> bool:
    """Whether ``columns`` are fit's labels (the same multiset) in another order."""
    if len(columns) != len(fitted):
        return False
    try:
        if Counter(columns) == Counter(fitted):
            return any(a != b for a, b in zip(columns, fitted, strict=True))
    except TypeError:  # unhashable labels: nothing to compare
        return False
    # the same steps as text and as numbers (a CSV's header "0", "1", ... against the
    # integers pivot gives), in another order
    shown, shown_fitted = [str(c) for c in columns], [str(c) for c in fitted]
    return Counter(shown) == Counter(shown_fitted) and shown != shown_fitted


_COLUMNS_TAG = "__seqpool_columns__"


def _columns_to_plain(columns: Any) -> Any:
    """Fit's DataFrame column labels (a pandas Index, or None) as tagged plain values.

    Numbers, dates and durations travel as a numpy array, text and plain numbers of mixed
    type as a list, dates with a time zone as UTC dates and the zone's name, periods as
    their ordinals and frequency, and a MultiIndex level by level: a skops file then
    trusts no pandas type. Other labels (objects) are left out with a warning, and the
    loaded model does not check the order of its columns, as models saved before the
    check was kept.
    """
    if not isinstance(columns, pd.Index):
        return columns
    if isinstance(columns, pd.MultiIndex):
        levels = [_labels_to_plain(columns.get_level_values(i)) for i in range(columns.nlevels)]
        names = [n if n is None or type(n) in (str, int) else None for n in columns.names]
        values = None if any(v is None for v in levels) else ("multi", levels, names)
    else:
        values = _labels_to_plain(columns)
    if values is None:
        warnings.warn(
            f"Fit's column labels ({type(columns).__name__} of {columns.dtype}) cannot be "
            "stored as plain values, so the loaded model reads a DataFrame's columns by "
            "position, without checking their order against fit's.",
            UserWarning,
            stacklevel=_callers_stacklevel(),
        )
        return None
    name = columns.name if columns.name is None or type(columns.name) in (str, int) else None
    return (_COLUMNS_TAG, values, name)


def _labels_to_plain(labels: pd.Index) -> Any:
    """One level of column labels as plain values (see :func:`_columns_to_plain`), or None."""
    if isinstance(labels.dtype, pd.DatetimeTZDtype):
        utc = labels.tz_convert("UTC").tz_localize(None)
        plain = ("tz", utc.to_numpy(), str(labels.dtype.tz))
        return plain if _rebuilds(plain, labels) else None  # a zone named by its file
    if isinstance(labels.dtype, pd.PeriodDtype):
        plain = ("period", np.asarray(labels.asi8, dtype=np.int64), labels.freqstr)
        return plain if _rebuilds(plain, labels) else None
    values = labels.to_numpy()
    if values.dtype.kind in "biufmM":
        return values
    values = labels.tolist()
    plain = (str, int, float)
    return values if all(type(v) in plain for v in values) else None


def _labels_from_plain(values: Any) -> pd.Index:
    if isinstance(values, tuple) and values and values[0] == "tz":
        return pd.DatetimeIndex(values[1]).tz_localize("UTC").tz_convert(values[2])
    if isinstance(values, tuple) and values and values[0] == "period":
        ordinals = np.asarray(values[1], dtype=np.int64)  # PeriodArray: any pandas 2.x
        return pd.PeriodIndex(pd.arrays.PeriodArray(ordinals, dtype=pd.PeriodDtype(values[2])))
    return pd.Index(values)


def _rebuilds(plain: Any, labels: pd.Index) -> bool:
    """Whether ``plain`` reads back as ``labels`` (a zone named by a file path, as dateutil's
    are, does not)."""
    try:
        back = _labels_from_plain(plain)
    except Exception:  # any failure to read it back: not stored
        return False
    return bool(back.equals(labels) and back.dtype == labels.dtype)


def _columns_from_plain(value: Any) -> Any:
    if not (isinstance(value, tuple) and len(value) == 3 and value[0] == _COLUMNS_TAG):
        return value
    values, name = value[1], value[2]
    if isinstance(values, tuple) and values and values[0] == "multi":
        levels = [_labels_from_plain(v) for v in values[1]]
        return pd.MultiIndex.from_arrays(levels, names=values[2])
    return _labels_from_plain(values).rename(name)


def check_fitted_columns(estimator: Any, X: Any, *, reset: bool, strict: bool = False) -> None:
    """Refuse a DataFrame whose columns are fit's in another order, where scikit-learn does not.

    scikit-learn checks string column names (``feature_names_in_``); the others -- integers,
    as ``pivot`` gives, dates or a MultiIndex -- are checked here, so that fit's labels in
    another order are refused rather than read by position. Other labels (dates of another
    period, float times with rounding error) are read by position, as arrays are.
    ``strict``: refuse any change of labels too (:class:`WideToSequences`, whose labels say
    the channel and time step of each column). ``reset``: remember the columns of ``X`` (fit).
    """
    if reset:
        estimator._columns = X.columns if isinstance(X, pd.DataFrame) else None
        return
    fitted = getattr(estimator, "_columns", None)
    if not isinstance(X, pd.DataFrame) or fitted is None:
        return
    if hasattr(estimator, "feature_names_in_"):
        # scikit-learn checks string names; other labels it reads by position (warning
        # only that they are not strings): fit's names as other labels in another order
        if all(isinstance(c, str) for c in X.columns):
            return
        fitted, strict = pd.Index(estimator.feature_names_in_), False
    elif X.columns.equals(fitted):
        return
    reordered = _reordered(X.columns, fitted)
    if not (reordered or strict):
        return
    advice = (
        "Put them in fit's order, e.g. X.reindex(columns=<fit's columns>)."
        if reordered
        else f"{type(estimator).__name__} read its layout from the columns seen in fit, so X "
        "needs those columns."
    )
    raise ValueError(
        f"The columns of X differ from those seen in fit: {_first_change(X.columns, fitted)}. "
        f"{advice}"
    )


def shape_of(X: Any) -> tuple:
    # Shape without np.shape / np.ndim, which dispatch through __array_function__.
    shape = getattr(X, "shape", None)
    return tuple(shape) if shape is not None else np.asarray(X).shape


def validate_sequence_data(estimator: Any, X: Any, *, reset: bool) -> np.ndarray:
    """The transformers' counterpart of :func:`check_sequences`: X as (n, channels, time).

    Unlike :func:`check_sequences`, the dtype (float64 or float32) is kept, series with no
    observed step are allowed, and scikit-learn's ``validate_data`` does the conversion, so
    ``n_features_in_`` and ``feature_names_in_`` follow its contract (``X.shape[1]``: time
    steps for 2D input, channels for 3D input). ``input_ndim_`` records the dimensions seen
    at fit, and new data must have them; a DataFrame with fit's column labels in another
    order is refused (:func:`check_fitted_columns`), whatever their type.
    """
    name = type(estimator).__name__
    _refuse_nested_frame(X, name, "X")
    shape = shape_of(X)
    ndim = len(shape)
    if ndim > 3:
        raise ValueError(
            f"X must be 2D (n_samples, n_timesteps) or 3D (n_samples, n_channels, "
            f"n_timesteps), got {ndim} dimensions."
        )
    if not reset and ndim in (2, 3) and ndim != estimator.input_ndim_:
        raise ValueError(
            f"X is {ndim}D, but {name} was fitted on {estimator.input_ndim_}D input; "
            "transform data with the layout it was fitted on."
        )
    if not reset and ndim == 3:
        check_n_channels(shape[1], estimator.n_features_in_, name=name)
    try:
        Xv = validate_data(
            estimator,
            X,
            reset=reset,
            allow_nd=True,
            ensure_all_finite=False,
            dtype=[np.float64, np.float32],
        )
    except ValueError as exc:
        if reset or ndim != 2 or f"but {name} is expecting" not in str(exc):
            raise
        raise ValueError(
            f"{exc} 2D input (n_samples, n_timesteps) keeps the number of time steps seen in "
            f"fit. For series of other lengths, fit and transform 3D input of one channel, "
            f"X[:, None, :]."
        ) from None
    check_fitted_columns(estimator, X, reset=reset)
    if Xv.ndim == 3:
        check_has_time_steps(Xv.shape, name=name)
    check_no_inf(Xv)
    if reset:
        warn_if_channels_last(Xv.shape, name=name)
        estimator.input_ndim_ = Xv.ndim
    return Xv if Xv.ndim == 3 else Xv[:, None, :]


def _label_kind(value: Any) -> str:
    """The group of a label for sorting: numbers sort with numbers, strings with strings."""
    if isinstance(value, (Real, np.bool_)):  # bool, int, float, numpy's numbers
        return "number"
    return "str" if isinstance(value, str) else type(value).__name__


def check_label_types(labels: Any, *, name: str, what: str = "y") -> None:
    """Refuse class labels that mix types (``'a'`` and ``1``), which cannot be sorted.

    The classes are sorted into ``classes_``; numpy refuses to order a string and a number
    (a raw "'<' not supported" TypeError), and ``np.asarray`` of a list would silently turn
    the numbers into strings. Checked on the labels as given (a list is read as objects).
    """
    if getattr(labels, "dtype", None) is not None and labels.dtype.kind != "O":
        return  # one numpy dtype: one type
    try:
        values = np.asarray(labels, dtype=object)
    except ValueError:
        return  # ragged: check_array reports it
    if values.ndim not in (1, 2):
        return
    columns = values[:, None] if values.ndim == 1 else values
    for j in range(columns.shape[1]):
        first: dict[str, tuple[int, Any]] = {}
        for i, value in enumerate(columns[:, j]):
            if pd.api.types.is_scalar(value) and pd.isna(value):
                continue  # missing labels are reported on their own
            first.setdefault(_label_kind(value), (i, value))
        if len(first) > 1:
            (i0, v0), (i1, v1) = sorted(first.values(), key=lambda item: item[0])[:2]
            at = "index" if values.ndim == 1 else f"column {j}, row"
            raise TypeError(
                f"{what} mixes labels of different types: {v0!r} ({type(v0).__name__}) at "
                f"{at} {i0} and {v1!r} ({type(v1).__name__}) at {at} {i1}; {name} sorts the "
                "labels into classes_, which needs them of one type. Convert them to one, "
                f"e.g. np.asarray({what}, dtype=str)."
            )


def _plain_nullable(y: Any) -> Any:
    """pandas' nullable y (``boolean``, ``Int64``, ...) without NA as its numpy counterpart.

    scikit-learn converts them to float, so the classes of ``[True, False]`` would become
    ``[0., 1.]``; with NA they are left for the missing-value check.
    """
    if isinstance(y, pd.DataFrame) and y.shape[1] >= 1:  # (n, k) y, column by column
        columns = [_plain_nullable(y.iloc[:, j]) for j in range(y.shape[1])]
        if all(isinstance(c, np.ndarray) for c in columns):
            return np.column_stack(columns)
        return y
    dtype = getattr(y, "dtype", None)
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if not isinstance(dtype, pd.api.extensions.ExtensionDtype) or numpy_dtype is None:
        return y
    if getattr(y, "ndim", 1) != 1 or np.asarray(pd.isna(y)).any():
        return y
    return np.asarray(y, dtype=numpy_dtype)


def _refuse_time_targets(y: Any, name: str) -> None:
    """Refuse time stamps and durations as regression targets.

    numpy casts them to integer ticks whose unit is the array's (nanoseconds in pandas 2,
    microseconds in pandas 3 for the same data), so the model would fit numbers 1000
    times apart depending on the pandas version, without a word.
    """
    if isinstance(y, pd.DataFrame):
        dtypes = list(y.dtypes.items())
    else:
        dtypes = [(None, getattr(y, "dtype", None))]
    for column, dtype in dtypes:
        kind = getattr(dtype, "kind", None)
        if kind not in ("m", "M"):
            continue
        where = "y" if column is None else f"column {column!r} of y"
        stamps = "time stamps" if kind == "M" else "durations"
        col = "y" if column is None else f"y[{column!r}]"
        convert = (
            f"{col} = ({col} - {col}.min()) / pd.Timedelta('1s') for seconds since the first"
            if kind == "M"
            else f"{col} = {col} / pd.Timedelta('1s') for seconds"
        )
        raise TypeError(
            f"{where} has dtype {dtype} ({stamps}), but {name} needs numeric targets: their "
            f"integer ticks depend on the array's time unit. Convert them to numbers in the "
            f"unit you mean, e.g. {convert}."
        )


def check_targets(y: Any, n_samples: int, *, name: str, numeric: bool) -> np.ndarray:
    """Validate targets against the series of X: one per series, none missing.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels (any type scikit-learn accepts) or regression targets.
    n_samples : int
        Number of series in X.
    name : str
        Name of the calling estimator, used in messages.
    numeric : bool
        ``True`` for regression targets, returned as float64; ``False`` for
        class labels, returned with their own dtype.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)

    Examples
    --------
    >>> check_targets(["a", "b"], 2, name="demo", numeric=False).tolist()
    ['a', 'b']
    >>> check_targets([1.0, float("nan")], 2, name="demo", numeric=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y contains 1 missing value (NaN or None; first at index 1), but demo needs ...
    """
    kind = "target" if numeric else "label"
    if numeric:
        _refuse_time_targets(y, name)
    y = _plain_nullable(y)
    common = {"ensure_2d": False, "ensure_all_finite": False, "input_name": "y", "estimator": name}
    try:
        if not numeric:
            check_label_types(y, name=name)
            y_arr = check_array(y, dtype=None, **common)
        else:
            y_arr = numeric_or_refused(
                lambda: check_array(y, dtype=np.float64, **common),
                y,
                lambda index, value: (
                    f"Complex data not supported: {name} needs real-valued targets, but y "
                    f"holds {value!r} at index {index[0]}. Pass np.real(y) or np.abs(y), or "
                    "the real and imaginary parts as separate outputs."
                    if isinstance(value, (complex, np.complexfloating))
                    else f"{name} needs numeric targets, but y holds {value!r} of type "
                    f"{type(value).__name__} at index {index[0]}. For class labels use a "
                    "classifier."
                ),
            )
    except ValueError as exc:
        # scikit-learn's message prints the whole array after it
        if not str(exc).startswith("Complex data not supported") or "real-valued" in str(exc):
            raise
        dtype = getattr(y, "dtype", None)
        dtype = dtype if getattr(dtype, "kind", "O") != "O" else np.asarray(y).dtype
        raise ValueError(
            f"Complex data not supported: {name} needs real-valued {kind}s, got {dtype}. "
            "Pass np.real(y) or np.abs(y)"
            + (", or the real and imaginary parts as separate outputs." if numeric else ".")
        ) from None
    if y_arr.shape[0] != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has {n_samples} "
            f"series but y has {y_arr.shape[0]} {kind}s; {name} needs exactly one per series."
        )
    if y_arr.dtype.kind == "O":
        missing = np.asarray(pd.isna(y_arr), dtype=bool)
    elif y_arr.dtype.kind in "fc":
        missing = np.isnan(y_arr)
    else:
        missing = np.zeros(y_arr.shape, dtype=bool)
    if missing.any():
        count = int(missing.sum())
        first = int(np.unravel_index(int(np.argmax(missing)), missing.shape)[0])
        raise ValueError(
            f"y contains {count} missing value{'s' if count > 1 else ''} (NaN or None; first "
            f"at index {first}), but {name} needs a {kind} for every series. Drop those "
            f"series from X and y, or fill the {kind}s in."
        )
    if y_arr.dtype.kind in "fc" and np.isinf(y_arr).any():
        first = int(np.unravel_index(int(np.argmax(np.isinf(y_arr))), y_arr.shape)[0])
        raise ValueError(
            f"y contains infinite values (first at index {first}), but {name} needs finite {kind}s."
        )
    return y_arr


def observed_span(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First observed step and one past the last observed step of every series.

    A step is observed when any of its channels is not NaN; steps outside the span are
    padding (leading or trailing). A series with no observed step gets the empty span
    ``(0, 0)``. Everything that needs a series' length -- reshaping back to a long table,
    padding, resampling, packing for a recurrent encoder -- reads it here.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_channels, n_timesteps)

    Returns
    -------
    first, stop : ndarray of shape (n_samples,)
        ``X[i, :, first[i]:stop[i]]`` is the observed part of series ``i``.

    Examples
    --------
    >>> X = np.array([[[np.nan, 2.0, np.nan]], [[1.0, 2.0, 3.0]], [[np.nan] * 3]])
    >>> first, stop = observed_span(X)
    >>> first.tolist(), stop.tolist()
    ([1, 0, 0], [2, 3, 0])
    """
    T = X.shape[2]
    observed = ~np.isnan(X).all(axis=1)
    some = observed.any(axis=1)
    first = np.where(some, observed.argmax(axis=1), 0)
    stop = np.where(some, T - observed[:, ::-1].argmax(axis=1), 0)
    return first, stop
