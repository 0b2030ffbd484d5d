"""Sliding windows over long recordings, ready for leak-free cross-validation.

Like :func:`~seqpool_sklearn.long_to_sequences`, windowing changes the number of rows, so it
is done once, up front, not as a Pipeline step.

Neighbouring windows share time steps whenever ``step < size``, so a plain K-fold split puts
the same measurements in training and test windows. Two recipes avoid that:

* one recording: ``TimeSeriesSplit(gap=windows.gap)`` -- :attr:`Windows.gap` is a number of
  windows to skip so that no test window shares a step with a training window (nor with a
  training target, for ``rule="horizon"``), and the smallest such number when
  ``step <= size``;
* several recordings (``by="subject"``): ``GroupKFold`` with ``groups=windows.groups``;
  windows never cross from one recording into the next.
"""

from __future__ import annotations

import datetime
import decimal
import numbers
import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

import numpy as np
import pandas as pd
import pandas.api.types as pdt
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, DTypeLike

from ._columns import (
    _align_rows,
    _as_float,
    _check_columns,
    _factorize,
    _float_dtype,
    _fmt,
    _is_hashable,
    _name_list,
    _RowNamer,
    _time_codes,
    _values,
)
from ._validation import _callers_stacklevel, asarray_not_ragged, check_int, ragged_rows
from ._validation import short_repr as _short

__all__ = ["Windows", "sliding_windows"]

_RULES = ("end", "majority", "horizon")
# Relative tolerance of max_gap for float time stamps.
_GAP_RTOL = 1e-9
# Dropping rows alone would join their neighbours into one window: time orders rows, it
# does not space them.
_MISSING_ADVICE = (
    "fill the missing {what} (e.g. with .ffill()), or drop those rows and pass time= with "
    "max_gap= so that no window spans the dropped rows."
)


@dataclass(repr=False, eq=False)
class Windows:
    """Windows cut from one or several recordings by :func:`sliding_windows`.

    Attributes
    ----------
    X : ndarray of shape (n_windows, n_channels, size)
        Window values, ordered by recording, then start time.
    y : ndarray of shape (n_windows,) or None
        Window targets, when a target was given.
    start, end : ndarray of shape (n_windows,)
        Time stamp (or row position within its recording, when no time column is given) of
        every window's first and last step.
    groups : ndarray of shape (n_windows,) or None
        The recording (value of ``by``) of every window.
    channels : pandas.Index
        Channel names.
    target_end : ndarray of shape (n_windows,) or None
        Time stamp (or row position within its recording, when no time column is given) of
        the row that gives every window's ``y``: ``end`` for ``rule="end"`` and
        ``"majority"``; for ``rule="horizon"`` the stamp of the row ``horizon`` rows after
        ``end`` -- not ``end + horizon``, as ``horizon`` counts rows, not time units. None
        when no target was given. To cut at a time without leaking targets, train on
        ``target_end < cut`` and test on ``start >= cut``.
    gap : int
        A ``TimeSeriesSplit`` gap (in windows) that keeps every test window clear of the
        steps -- and targets -- of the training windows; the smallest such gap when
        ``step <= size`` (sparser windows leave room between them, where a target may fall,
        so there it can keep out a window more than needed).

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import sliding_windows
    >>> w = sliding_windows(np.arange(10.0), size=4, step=2)
    >>> w.X.shape, w.start.tolist()
    ((4, 1, 4), [0, 2, 4, 6])

    Two results compare by identity (``w == w``), not by their arrays.
    """

    X: np.ndarray
    y: np.ndarray | None
    start: np.ndarray
    end: np.ndarray
    groups: np.ndarray | None
    channels: pd.Index
    gap: int
    target_end: np.ndarray | None = None

    def __repr__(self) -> str:
        n, c, t = self.X.shape
        return f"Windows(n_windows={n}, n_channels={c}, size={t}, gap={self.gap})"


def _check_one_name(value: Any, what: str, recording: Any) -> None:
    """Refuse ``by`` / ``time`` given as several names or as values: each is one column."""
    if _is_hashable(value):
        return
    example = "recording" if what == "by" else "t"
    columns = getattr(recording, "columns", ())
    if isinstance(value, pd.Series):
        got = f"a Series ({value.name!r}, {len(value)} values)"
        names = []
    else:
        items = value.tolist() if isinstance(value, (pd.Index, np.ndarray)) else value
        got = f"{type(value).__name__} {_short(items)}"
        items = items if isinstance(items, list) else []
        names = [v for v in items if _is_hashable(v) and v in columns]
        if names and len(names) < len(items):  # some names are not columns: values
            names = []
    if not isinstance(value, (pd.Series, pd.Index, np.ndarray, list)):
        advice = "Pass the name of one column."
    elif not names:
        advice = (
            f"To use per-row values, add them as a column, df = df.assign({example}=values), "
            f"and pass {what}={example!r}."
        )
    elif len(names) == 1:
        advice = f"Pass {what}={names[0]!r}."
    elif what == "by":
        joined = ' + "_" + '.join(f"df[{n!r}].astype(str)" for n in names)
        advice = (
            "To window each combination of several columns as one recording, combine them "
            f"into one column first, df = df.assign(recording={joined}), and pass "
            "by='recording'."
        )
    else:
        advice = (
            "Combine the parts into one time column first (e.g. with pd.to_datetime) and "
            "pass its name."
        )
    raise TypeError(f"{what} takes one column name, got {got}. {advice}")


def _target_values(target, df: pd.DataFrame) -> pd.Series:
    """Per-row target values in the row order of ``df``; a Series is aligned by index."""
    if isinstance(target, pd.Series):
        aligned = _align_rows(target, df)
        if aligned is None:
            raise ValueError(
                "target is a Series whose index differs from the recording's; it must hold "
                "every row label of the recording once. Pass target.reindex(df.index) (or "
                "target.to_numpy(), its values in row order), or name the target's column."
            )
        return aligned.reset_index(drop=True)
    values = asarray_not_ragged(
        target,
        lambda: (
            f"target must have shape ({len(df)},), one value per row; got ragged rows "
            f"({ragged_rows(target)})."
        ),
    )
    if values.shape != (len(df),):  # before pd.Series, which refuses 2D with its own words
        raise ValueError(f"target must have shape ({len(df)},), got {values.shape}.")
    if values.dtype.kind in "US" and not isinstance(target, np.ndarray):
        # a list mixing numbers and text: np.asarray turns the numbers into text; keep each
        # value as given, so a label 1 stays 1 and a horizon target names the text at fault
        values = np.asarray(target, dtype=object)
    return pd.Series(values)


def _horizon_target(values: pd.Series, name: Hashable, namer: _RowNamer) -> np.ndarray:
    """The target of ``rule="horizon"`` as floats; text or other non-numbers are refused with
    a forecaster's advice (the value columns' advice, to name the column as a label, does not
    apply to a target)."""
    try:
        return _values(values, name, namer)
    except TypeError:
        number = (numbers.Real, decimal.Decimal)  # what the value columns take
        real = values.map(lambda v: isinstance(v, number)).to_numpy(dtype=bool)
        ok = real | values.isna().to_numpy(dtype=bool)
        what = "target" if name == "target" else f"column {name!r}"
        if ok.all():  # numbers in a dtype that is not numeric (category ...)
            held = f"numbers of dtype {values.dtype}. Convert it with .astype(float)"
        else:
            row = int(np.flatnonzero(~ok)[0])
            value = values.iloc[row]
            held = (
                f"{_fmt(value)} ({type(value).__name__}) for {namer(row)}. Convert it "
                "with pd.to_numeric"
            )
        raise TypeError(
            f"rule='horizon' forecasts a numeric target; {what} holds {held}, or use "
            "rule='end' or rule='majority' to label each window with a class."
        ) from None


def _column_of(target: pd.Series, df: pd.DataFrame, reserved: list) -> Hashable | None:
    """The column of ``df`` that the target Series holds (row for row), or None."""
    name = target.name
    if name is None or name in reserved or name not in df.columns:
        return None
    column = df[name]
    aligned = _align_rows(target, df)
    if not isinstance(column, pd.Series) or aligned is None:
        return None
    same = pd.Index(aligned.to_numpy()).equals(pd.Index(column.to_numpy()))
    return name if same else None


def _column_holding(target, df: pd.DataFrame, reserved: list) -> Hashable | None:
    """The first column of ``df`` whose values are the target's, row for row, or None."""
    try:
        values = pd.Index(_target_values(target, df).to_numpy())
    except (TypeError, ValueError):  # not values of this recording: refused later, in words
        return None
    for name in df.columns:
        if name in reserved or not isinstance(df[name], pd.Series):
            continue
        if values.equals(pd.Index(df[name].to_numpy())):
            return name
    return None


def _recording_array(recording) -> np.ndarray:
    """A recording given as an array: 1D or 2D, with a row and a channel, never ragged.

    Text that reads as a number becomes one; otherwise the first cell that does not read as
    a number is named.
    """
    if recording is None or isinstance(recording, (Mapping, str, bytes)):
        raise TypeError(
            "recording must be a DataFrame or an array-like of shape (n_timesteps,) or "
            f"(n_timesteps, n_channels); got {type(recording).__name__}."
            + (
                " Make a DataFrame of it: pd.DataFrame(recording)."
                if isinstance(recording, Mapping)
                else ""
            )
        )
    arr = asarray_not_ragged(
        recording,
        lambda: (
            f"recording is ragged ({ragged_rows(recording)}), but it needs one value per "
            "channel at every time step. Fill missing values with NaN."
        ),
    )
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"recording must have shape (n_timesteps,) or (n_timesteps, n_channels), got "
            f"{type(recording).__name__} of shape {arr.shape}."
        )
    if len(arr) == 0:
        raise ValueError(
            f"The recording is empty (shape {arr.shape}); sliding_windows needs at least one row."
        )
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(
            f"recording has 0 channels (shape {arr.shape}); sliding_windows needs at least one "
            "channel."
        )
    if arr.dtype.kind in "US" and not isinstance(recording, np.ndarray):
        arr = np.asarray(recording, dtype=object)  # keep the numbers of a mixed list as numbers
    if arr.dtype.kind in "OUS":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            _refuse_text(arr)
    return arr


def _refuse_text(arr: np.ndarray) -> None:
    """Name the first cell (by row, then channel) that does not read as a number.

    The value check would name the first cell that is not a number object, which for text
    such as ``["1", "2", "a"]`` is ``'1'`` -- a cell that reads as one.
    """
    cells = arr.reshape(len(arr), -1)
    bad = np.zeros(cells.shape, dtype=bool)
    for c in range(cells.shape[1]):
        column = pd.Series(cells[:, c], dtype=object)
        read = pd.to_numeric(column, errors="coerce")
        bad[:, c] = (read.isna() & column.notna()).to_numpy(dtype=bool)
    if not bad.any():
        return  # numbers of some other kind: the value check has its words for them
    row, c = np.argwhere(bad)[0]
    value = cells[row, c]
    value = value.item() if isinstance(value, np.generic) else value
    raise TypeError(
        f"Column 'channel{c}' has non-numeric values ({_fmt(value)}, "
        f"{type(value).__name__}) for row {row}; values must be numbers. Convert them with "
        "pd.to_numeric."
    )


def _majority(codes: np.ndarray) -> np.ndarray:
    """Most frequent code of every row; ties go to the smallest code (first sorted label).

    Time and memory O(codes.size), whatever the number of distinct codes: each row is
    sorted, and the length of the run of equal codes so far is counted along it. The first
    place where that length reaches the row's longest run ends the run of the smallest code
    among the most frequent.
    """
    ordered = np.sort(codes, axis=1)
    n, size = ordered.shape
    position = np.broadcast_to(np.arange(size, dtype=np.intp), (n, size))
    starts = np.zeros((n, size), dtype=np.intp)
    starts[:, 1:] = np.where(ordered[:, 1:] != ordered[:, :-1], position[:, 1:], 0)
    np.maximum.accumulate(starts, axis=1, out=starts)  # where each position's run starts
    run = position - starts  # run length so far, minus one
    return ordered[np.arange(n), run.argmax(axis=1)]


def _warn_unsorted_index(
    index: pd.Index, order: np.ndarray, g_code: np.ndarray, namer: _RowNamer
) -> None:
    """Warn when a time index is out of order within a recording: without ``time``, the rows
    are windowed in row order, so the windows would mix times."""
    if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)) or len(index) < 2:
        return
    stamps = index.asi8[order]  # NaT reads as the smallest stamp
    same = np.diff(g_code[order].astype(np.int64)) == 0
    back = np.flatnonzero(same & (np.diff(stamps) < 0))
    if not len(back):
        return
    a, b = order[back[0]], order[back[0] + 1]
    where = f"in {namer(a)}, " if namer.id_cols else ""
    warnings.warn(
        f"The recording's row index is a {type(index).__name__} that is not in increasing "
        f"order ({where}row {b} at {index[b]} follows row {a} at {index[a]}), but "
        "with time=None sliding_windows reads the rows in row order, not in the index's "
        "order, so windows would mix times. Sort the rows first (df.sort_index()), or make "
        "the index a column with df.reset_index() and pass time=<its name>.",
        UserWarning,
        stacklevel=_callers_stacklevel(),
    )


def _gaps_above(stamps: pd.Index, max_gap: Any, time: Hashable) -> np.ndarray:
    """Whether each pair of consecutive (sorted) time stamps lies more than ``max_gap`` apart."""
    if pdt.is_object_dtype(stamps.dtype):  # Python datetimes, timedeltas or numbers
        kind = pdt.infer_dtype(stamps, skipna=True)
        if kind in ("datetime", "datetime64", "date"):
            aware = any(getattr(t, "tzinfo", None) is not None for t in stamps)
            # aware stamps of several UTC offsets (a daylight-saving change) read as UTC
            stamps = pd.DatetimeIndex(pd.to_datetime(stamps, utc=aware))
        elif kind in ("timedelta", "timedelta64"):
            stamps = pd.TimedeltaIndex(pd.to_timedelta(stamps))
        else:
            stamps = pd.Index(pd.to_numeric(stamps))
    temporal = isinstance(stamps, (pd.DatetimeIndex, pd.TimedeltaIndex))
    if temporal:
        if isinstance(max_gap, (str, datetime.timedelta, np.timedelta64)):
            try:
                limit = pd.Timedelta(max_gap)
            except ValueError:
                raise ValueError(
                    f"max_gap={max_gap!r} is not a time difference pandas reads; pass e.g. "
                    "'5min', '2s' or pd.Timedelta(minutes=5)."
                ) from None
        else:
            raise TypeError(
                f"Column {time!r} holds {stamps.dtype} time stamps, so max_gap must be a time "
                f"difference (a pd.Timedelta, datetime.timedelta, np.timedelta64 or a string "
                f"such as '5min'); got {type(max_gap).__name__} {max_gap!r}."
            )
        if pd.isna(limit) or limit <= pd.Timedelta(0):
            raise ValueError(f"max_gap must be a positive time difference; got {max_gap!r}.")
        return np.asarray(stamps[1:] - stamps[:-1] > limit)
    if not pdt.is_numeric_dtype(stamps.dtype) or pdt.is_bool_dtype(stamps.dtype):
        raise TypeError(
            f"Column {time!r} (time) has dtype {stamps.dtype}, whose steps have no size, so "
            "max_gap cannot be measured on it; use numbers or datetimes."
        )
    if isinstance(max_gap, bool) or not isinstance(max_gap, numbers.Real):
        raise TypeError(
            f"Column {time!r} holds numeric time stamps, so max_gap must be a number in the "
            f"same units; got {type(max_gap).__name__} {max_gap!r}."
        )
    if not np.isfinite(max_gap) or max_gap <= 0:
        raise ValueError(f"max_gap must be a positive finite number; got {max_gap!r}.")
    values = stamps.to_numpy(dtype=np.float64)
    if pdt.is_integer_dtype(stamps.dtype):
        return np.diff(values) > max_gap
    # float stamps are not spaced exactly: each stamp is rounded to its float's precision,
    # so a step is off by up to two units in the last place of the largest stamp (1e-14
    # near 0 for np.arange(n) * 0.1; 5e-7 for epoch seconds near 1.7e9), and by a relative
    # _GAP_RTOL of max_gap from the step arithmetic: within that it is no gap
    own = stamps.to_numpy()
    own = own.astype(np.float64) if own.dtype.kind != "f" else own
    ulp = float(np.spacing(np.nanmax(np.abs(own)))) if len(own) else 0.0
    return np.diff(values) > max_gap + max(max_gap * _GAP_RTOL, 4 * ulp)


def sliding_windows(
    recording: pd.DataFrame | ArrayLike,
    *,
    size: int,
    step: int = 1,
    columns: Hashable | list[Hashable] | None = None,
    time: Hashable | None = None,
    target: Hashable | ArrayLike | None = None,
    rule: str = "end",
    horizon: int | None = 1,
    by: Hashable | None = None,
    max_gap: Any = None,
    dtype: DTypeLike = np.float32,
) -> Windows:
    """Cut long recordings into windows ``X`` of shape (n_windows, n_channels, size).

    Parameters
    ----------
    recording : DataFrame or array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
        One row per time step. Rows are put in time order (by ``time`` when given) within each
        recording; the caller's data is never modified.
    size : int
        Window length in steps.
    step : int, default=1
        Steps between the starts of consecutive windows (``step=size``: no overlap).
    columns : hashable or list of hashable, default=None
        Value columns (channels) of a DataFrame: a name, or a list, pandas Index or 1-D
        array of names. Default: every column not used as time, target (named, or passed
        as that column's values, such as ``target=df["label"]``,
        ``df["label"].to_numpy()`` or a renamed Series: a column holding the target's values
        row for row) or ``by``.
    time : hashable, default=None
        Time column (numeric or datetime); duplicates within a recording are an error. When
        None, the row order is the time order and ``start`` / ``end`` are row positions
        within the recording -- the row index is not read, and a DatetimeIndex or
        TimedeltaIndex out of order gives a warning (sort it with ``df.sort_index()``, or
        make it a column with ``df.reset_index()`` and name that column here). The time
        column orders the rows; it does not space them: a window is ``size`` consecutive
        rows, so with gaps in the time stamps a window can span a gap (``start`` and
        ``end`` show it) unless ``max_gap`` is given. Resample first
        (``DataFrame.resample``) where the steps must be evenly spaced.
    target : hashable or array-like of shape (n_timesteps,), default=None
        Column (or per-row values, in the recording's row order; a pandas Series is aligned
        by the recording's index) the window targets come from. Required for
        ``rule="horizon"``.
    rule : {"end", "majority", "horizon"}, default="end"
        ``"end"``: the target at the window's last step. ``"majority"``: the most frequent
        target in the window (ties go to the smallest label). ``"horizon"``: the (numeric)
        target ``horizon`` steps after the window's last step -- forecasting; windows whose
        target lies beyond the recording are dropped.
    horizon : int, default=1
        Steps ahead for ``rule="horizon"``; an integer >= 1 (None: 1). Other rules take
        no horizon (any value but 1 or None is an error).
    by : hashable, default=None
        Column naming the recording (e.g. a subject); windows never span two recordings and
        :attr:`Windows.groups` holds it, for ``GroupKFold``. One column name: for a
        recording per combination of several columns (subject and session), combine them
        into one column first.
    max_gap : number, timedelta or str, default=None
        With ``time``: the largest time difference between consecutive rows of one
        stretch of the recording. Where two consecutive rows are further apart (a sensor
        off, a lost stretch), no window -- nor a ``"horizon"`` target -- spans the gap: the
        recording is cut there, as between two recordings of ``by`` (``groups`` still
        names the recording). A number for a numeric ``time``; a ``pd.Timedelta``,
        ``datetime.timedelta``, ``np.timedelta64`` or a string such as ``"5min"`` for a
        datetime ``time``. None: rows are consecutive whatever their time stamps. Float
        time stamps are not spaced exactly (``np.arange(n) * 0.1`` steps by 0.1 give or
        take 1e-14; epoch seconds near 1.7e9 by 0.1 give or take 5e-7), so with them a
        difference that exceeds ``max_gap`` by no more than its rounding -- four units in
        the last place of the largest stamp, or a relative 1e-9 of ``max_gap`` where that
        is more -- is no gap.
    dtype : {np.float32, np.float64}, default=np.float32
        dtype of ``X``.

    Returns
    -------
    Windows
        ``X``, ``y``, ``start``, ``end``, ``groups``, ``channels``, the leak-free ``gap``
        and ``target_end``, the time stamp of the row that gives each ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from seqpool_sklearn import sliding_windows
    >>> w = sliding_windows(np.arange(10.0), size=4, step=2, target=np.arange(10), rule="end")
    >>> w.X[:, 0, :]
    array([[0., 1., 2., 3.],
           [2., 3., 4., 5.],
           [4., 5., 6., 7.],
           [6., 7., 8., 9.]], dtype=float32)
    >>> w.y, w.start, w.gap
    (array([3, 5, 7, 9]), array([0, 2, 4, 6]), 1)
    >>> cv = TimeSeriesSplit(n_splits=2, gap=w.gap)  # no test window overlaps a train window
    """
    size = check_int(size, "size", 1)
    step = check_int(step, "step", 1)
    if rule not in _RULES:
        raise ValueError(f"rule must be one of {_RULES}, got {rule!r}.")
    horizon = 1 if horizon is None else check_int(horizon, "horizon", 1)
    if rule != "horizon" and horizon != 1:
        raise ValueError(
            f"horizon={horizon} applies to rule='horizon' only; with rule={rule!r} the "
            "target is read inside the window. Pass rule='horizon' to forecast the target "
            "horizon steps ahead, or leave horizon at 1."
        )
    extra = horizon if rule == "horizon" else 0
    if extra and target is None:
        raise ValueError(
            'rule="horizon" forecasts a target, but target is None; pass the target column '
            "(or values), or use rule='end' for unlabelled windows."
        )
    dt = _float_dtype(dtype)
    _check_one_name(by, "by", recording)
    _check_one_name(time, "time", recording)

    if isinstance(recording, pd.DataFrame):
        df = recording
        reserved = [c for c in (time, by) if c is not None]
        for what, name in (("time", time), ("by", by)):
            if name is not None and name not in df.columns and name in df.index.names:
                raise ValueError(
                    f"{what}={name!r} is the name of the row index, not of a column; make "
                    f"the index a column with df.reset_index() and pass {what}={name!r}."
                )
        target_col = target if target is not None and isinstance(target, Hashable) else None
        _check_columns(df, reserved + ([target_col] if target_col is not None else []))
        if target_col is None and isinstance(target, pd.Series):
            target_col = _column_of(target, df, reserved)  # say, target=df["label"]
        if target_col is None and target is not None:
            # a column's values under another name (df["label"].to_numpy(), a renamed
            # Series): the column that holds them row for row is the target's, as if named
            target_col = _column_holding(target, df, reserved)
        if columns is None:
            columns = [c for c in df.columns if c not in reserved and c != target_col]
        columns = _name_list(columns, "columns")
        if not columns:
            raise ValueError("No value columns left; pass columns=[...].")
        _check_columns(df, columns)
        repeated = pd.Index(columns)
        if repeated.has_duplicates:
            raise ValueError(
                f"columns lists column {repeated[repeated.duplicated()][0]!r} more than once; "
                "name each value column once."
            )
        if target_col is not None and rule != "horizon" and target_col in columns:
            raise ValueError(
                f"Column {target_col!r} cannot be both a value column and the target with "
                f"rule={rule!r}: every window would hold its own label. Leave it out of "
                "columns (rule='horizon' may read the target's past values)."
            )
    else:
        # a target given as one name (not as values) names a column too
        target_named = (
            target is not None
            and isinstance(target, Hashable)
            and not isinstance(target, tuple)
            and np.ndim(target) == 0  # not values such as range(n)
        )
        given = [
            (k, v) for k, v in (("time", time), ("by", by), ("columns", columns)) if v is not None
        ]
        if target_named:
            given.append(("target", target))
        if given:
            named = ", ".join(f"{k}={_short(v)}" for k, v in given)
            raise ValueError(
                f"time, by, columns and a target given by name need a DataFrame recording, "
                f"whose columns they name; got {named} with a recording of type "
                f"{type(recording).__name__}."
                + (" Pass the target's values instead, one per row." if target_named else "")
            )
    if max_gap is not None and time is None:
        raise ValueError(
            "max_gap is a largest time difference between consecutive rows, so it needs the "
            "time column: pass time=<column> (without it the rows are consecutive steps)."
        )
    if not isinstance(recording, pd.DataFrame):
        arr = _recording_array(recording)
        arr = arr.reshape(len(arr), -1)
        columns = [f"channel{c}" for c in range(arr.shape[1])]
        # a Series keeps its index, by which a target Series is aligned
        index = recording.index if isinstance(recording, pd.Series) else None
        df = pd.DataFrame(arr, columns=columns, index=index, copy=False)
        target_col = None
    n_rows = len(df)
    if n_rows == 0:
        raise ValueError("The recording is empty; sliding_windows needs at least one row.")
    namer = _RowNamer(df, [by] if by is not None else None, word="recording")

    # Time order within each recording.
    if by is not None:
        g_code, g_index = _factorize(df[by], by, "recording", namer)
    else:
        g_code, g_index = np.zeros(n_rows, dtype=np.int8), pd.Index([None])
    if time is not None:
        t_code, t_index = _time_codes(df[time], time, namer)
        order = np.lexsort((t_code, g_code))
        same = (np.diff(g_code[order].astype(np.int64)) == 0) & (
            np.diff(t_code[order].astype(np.int64)) == 0
        )
        if same.any():
            a, b = sorted(order[np.flatnonzero(same)[0] : np.flatnonzero(same)[0] + 2])
            raise ValueError(
                f"Column {time!r} has duplicate values for {namer(a)}: rows {a} and {b} both "
                f"have time {_fmt(df[time].iloc[a])}. Aggregate them before windowing."
            )
        stamps = t_index.take(t_code[order].astype(np.intp))  # the sorted rows' times
    else:
        order = np.argsort(g_code, kind="stable")
        _warn_unsorted_index(df.index, order, g_code, namer)
    g_sorted = g_code[order]
    breaks = np.diff(g_sorted.astype(np.int64)) != 0
    if max_gap is not None:
        breaks |= _gaps_above(stamps, max_gap, time)
    bounds = np.flatnonzero(breaks) + 1
    first = np.concatenate([[0], bounds])
    lengths = np.diff(np.concatenate([first, [n_rows]]))

    # Window starts (positions in the sorted rows), never crossing a recording boundary.
    starts, offsets = [], []
    for f, length in zip(first, lengths, strict=True):
        s = np.arange(0, length - size - extra + 1, step)
        starts.append(f + s)
        offsets.append(s)
    starts = np.concatenate(starts).astype(np.intp)
    if len(starts) == 0:
        stretch = "stretch between gaps above max_gap" if max_gap is not None else "recording"
        raise ValueError(
            f"No window fits: the longest {stretch} has {lengths.max()} steps, but "
            f"size={size}" + (f" plus horizon={extra}" if extra else "") + " are needed."
        )
    values = np.stack(
        [_as_float(_values(df[c], c, namer), dt, c, namer)[order] for c in columns], axis=1
    )
    X = np.ascontiguousarray(sliding_window_view(values, size, axis=0)[starts])
    if time is not None:
        stamps = stamps.to_numpy()
        start, end = stamps[starts], stamps[starts + size - 1]
        target_end = stamps[starts + size - 1 + extra]
    else:
        start = np.concatenate(offsets)
        end = start + size - 1
        target_end = end + extra
    if target is None:
        target_end = None

    y = None
    if target is not None:
        if target_col is not None:
            t_values, t_name = df[target_col], target_col
        else:
            t_values, t_name = _target_values(target, df), "target"
        if rule == "horizon":
            tv = _horizon_target(t_values, t_name, namer)[order]
            y = tv[starts + size - 1 + extra]
            if np.isnan(y).any():
                at = order[starts[np.flatnonzero(np.isnan(y))[0]] + size - 1 + extra]
                raise ValueError(
                    f"Column {t_name!r} has a missing target for {namer(at)}; "
                    + _MISSING_ADVICE.format(what="targets")
                )
        else:
            codes, labels = pd.factorize(t_values, sort=True)
            codes = codes[order]
            if rule == "end":
                picked = codes[starts + size - 1]
            else:
                in_window = sliding_window_view(codes, size)[starts]
                picked = _majority(in_window)
                picked[(in_window < 0).any(axis=1)] = -1
            if (picked < 0).any():
                at = order[starts[np.flatnonzero(picked < 0)[0]] + size - 1]
                raise ValueError(
                    f"Column {t_name!r} has a missing label in the window ending at "
                    f"{namer(at)}; " + _MISSING_ADVICE.format(what="labels")
                )
            y = np.asarray(labels.take(picked))
    groups = None if by is None else np.asarray(g_index.take(g_sorted[starts].astype(np.intp)))
    gap = ceil((size + extra) / step) - 1
    return Windows(
        X=X,
        y=y,
        start=start,
        end=end,
        groups=groups,
        channels=pd.Index(columns),
        gap=gap,
        target_end=target_end,
    )
