"""The result of :func:`~seqpool_sklearn.long_to_sequences`, and the way back to a long table.

:class:`Sequences` holds ``X`` with its sample index, channels, time stamps (and ``y`` /
``groups``); :meth:`Sequences.to_long` turns it -- or a transformed ``X`` of the same shape,
with per-sample predictions -- back into a long table with the original layout, names and
time stamps. :func:`sequences_to_long` does the same for plain arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

from ._columns import _fmt
from ._validation import (
    _as_real_array,
    asarray_not_ragged,
    check_bool,
    check_has_time_steps,
    check_no_inf,
    observed_span,
    warn_if_channels_last,
)

__all__ = ["Sequences", "sequences_to_long"]


@dataclass(frozen=True, eq=False)
class _LongLayout:
    """How the long table a :class:`Sequences` came from was laid out, so it can be rebuilt.

    ``time``: name of the time column. ``kind``: name of the kind column of the tsfresh
    layout, None for one column per channel. ``value``: name of the value column of the
    kind layout. ``dtypes``: NumPy dtypes of the value columns (float ones are restored).
    ``order``: column order of the table (columns not in it follow). ``extra``: per-sample
    label columns (``y`` / ``groups``) repeated on every row of their sample, by name.
    """

    time: Hashable = "time"
    kind: Hashable | None = None
    value: Hashable = "value"
    dtypes: dict[Hashable, np.dtype] = field(default_factory=dict)
    order: list[Hashable] = field(default_factory=list)
    extra: dict[Hashable, pd.Index] = field(default_factory=dict)


@dataclass(repr=False, eq=False)  # fields are arrays: no element-wise ``==``
class Sequences:
    """Sequences made from a long table by :func:`long_to_sequences`.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_channels, n_timesteps)
        Values; shorter series are NaN-padded at the end.
    ids : pandas.Index or pandas.MultiIndex of length n_samples
        The id of every sample, sorted ascending (row ``i`` of ``X`` is ``ids[i]``).
    channels : pandas.Index of length n_channels
        Channel names: the value columns in the given order, or the sorted values of the
        kind column.
    lengths : ndarray of shape (n_samples,)
        Number of time stamps (rows) of every sample, including steps whose values are all
        NaN.
    y, groups : ndarray of shape (n_samples,) or None
        Per-sample labels and groups, when asked for.
    time_index : pandas.Index
        Sorted distinct time stamps of the whole table.
    time_codes : ndarray of shape (n_samples, n_timesteps)
        Position in ``time_index`` of every step's stamp; -1 marks padding.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqpool_sklearn import long_to_sequences
    >>> df = pd.DataFrame({"id": [1, 1, 1, 2, 2], "time": [0, 1, 2, 0, 1],
    ...                    "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> seq = long_to_sequences(df, column_id="id", column_sort="time")
    >>> seq.X.shape, seq.ids.tolist(), seq.lengths.tolist()
    ((2, 1, 3), [1, 2], [3, 2])
    >>> seq.to_long().equals(df)
    True
    """

    X: np.ndarray
    ids: pd.Index
    channels: pd.Index
    lengths: np.ndarray
    time_index: pd.Index
    time_codes: np.ndarray
    y: np.ndarray | None = None
    groups: np.ndarray | None = None
    _layout: _LongLayout = field(default_factory=_LongLayout)

    @property
    def times(self) -> np.ndarray:
        """Time stamp of every step, shape (n_samples, n_timesteps); NaN/NaT for padding.

        Stamps are exact. Datetime and timedelta stamps keep their dtype (NaT pads); integer
        stamps keep it when nothing is padded, and are float64 (NaN pads) when float64 holds
        them exactly (``|t| <= 2**53``). Larger integers, such as epoch nanoseconds, come
        as an object array of Python ints with NaN padding, because float64 would merge
        neighbouring stamps; :func:`sequences_to_long` turns it back into an integer column.
        """
        codes = self.time_codes.astype(np.intp)
        index = self.time_index
        kept = codes >= 0
        if kept.all():
            return np.asarray(index.take(codes.ravel())).reshape(codes.shape)
        if index.dtype.kind in "iu":
            # NaN padding needs a float, but float64 rounds integers beyond 2**53. (An
            # integer Index cannot take(allow_fill=True) in some pandas versions: fill here.)
            exact = not len(index) or max(abs(int(index.min())), abs(int(index.max()))) <= 2**53
            out = np.full(codes.shape, np.nan, dtype=np.float64 if exact else object)
            out[kept] = index.to_numpy().astype(out.dtype)[codes[kept]]
            return out
        taken = index.take(codes.ravel(), allow_fill=True, fill_value=np.nan)
        return np.asarray(taken).reshape(codes.shape)

    def __repr__(self) -> str:
        n, c, t = self.X.shape
        return (
            f"Sequences(n_samples={n}, n_channels={c}, n_timesteps={t}, "
            f"y={'yes' if self.y is not None else 'no'}, "
            f"groups={'yes' if self.groups is not None else 'no'})"
        )

    def to_long(
        self,
        X: ArrayLike | None = None,
        *,
        predictions: ArrayLike | pd.DataFrame | None = None,
        column_prediction: str = "prediction",
        dropna: bool = False,
    ) -> pd.DataFrame:
        """Turn ``X`` (default: :attr:`X`) and per-sample predictions back into a long table.

        The table has the layout, column names and dtypes of the one these sequences came
        from (value columns of integers or booleans come back as floats of ``X.dtype``, the
        dtype that holds the padding's NaN), rows sorted by id and time (in the kind layout
        by id, kind and time), padding dropped. It equals the sorted input table when the
        values are representable in ``X.dtype``. In the kind layout every
        ``(time, kind)`` cell of an observed step comes back, as NaN where the input had no row;
        ``dropna=True`` drops rows whose values are all NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps), default=None
            Values of the same shape as :attr:`X`, e.g. after a row-preserving transformer.
        predictions, column_prediction, dropna
            As in :func:`sequences_to_long`: per-sample outputs repeated on every row of
            their sample, the column name for 1D ones, and whether to drop all-NaN rows.

        Returns
        -------
        pandas.DataFrame
        """
        X = self.X if X is None else np.asarray(_as_real_array(X, "Sequences.to_long", "X"))
        if X.ndim == 2:
            X = X[:, None, :]
        if X.shape != self.X.shape:
            raise ValueError(
                f"X has shape {X.shape}, but these sequences have shape {self.X.shape}; the "
                "original time stamps only fit the original grid. Use sequences_to_long for "
                "resampled or truncated arrays."
            )

        def time_of(ii, tt):
            return self.time_index.take(self.time_codes[ii, tt].astype(np.intp))

        table = _LongTable(self.ids, self.channels, self.time_codes >= 0, time_of, self._layout)
        return table.frame(X, predictions, column_prediction, check_bool(dropna, "dropna"))


@dataclass(frozen=True, eq=False)
class _LongTable:
    """A long table to be made from sequences: which steps become rows, and their labels.

    ``keep`` (n_samples, n_timesteps) marks the steps that become rows; ``time_of(ii, tt)``
    gives the time stamps of steps ``tt`` of samples ``ii``.
    """

    ids: pd.Index
    channels: pd.Index
    keep: np.ndarray
    time_of: Callable[[np.ndarray, np.ndarray], Any]
    layout: _LongLayout

    def frame(self, X, predictions, column_prediction, dropna) -> pd.DataFrame:
        """The long table of ``X`` (one row per kept step), with per-sample predictions."""
        layout, ids, channels = self.layout, self.ids, self.channels
        n, C, T = X.shape
        kind = layout.kind
        if kind is not None:
            ii, cc, tt = np.nonzero(np.broadcast_to(self.keep[:, None, :], (n, C, T)))
            values = {layout.value: X[ii, cc, tt]}
        else:
            ii, tt = np.nonzero(self.keep)
            values = {ch: X[ii, c, tt] for c, ch in enumerate(channels)}
        for name, dt in layout.dtypes.items():
            if np.dtype(dt).kind == "f":
                values[name] = values[name].astype(dt, copy=False)
        cols: dict[Hashable, Any] = {}

        def put(name: Hashable, data, role: str) -> None:
            # Two columns of one name would silently replace each other's data.
            if name in cols:
                raise ValueError(
                    f"Two columns of the long table would both be named {_fmt(name)} (the second "
                    f"one: {role}); give the id, time, kind, value, channel and prediction "
                    "columns distinct names."
                )
            cols[name] = data

        if isinstance(ids, pd.MultiIndex):
            for level in range(ids.nlevels):
                put(ids.names[level], ids.get_level_values(level).take(ii), "an id level")
        else:
            put(ids.name if ids.name is not None else "id", ids.take(ii), "the id")
        put(layout.time, self.time_of(ii, tt), "the time")
        if kind is not None:
            put(kind, channels.take(cc), "the kind")
        for name, data in values.items():
            put(name, data, "a value column")
        for name, per_sample in layout.extra.items():
            if name not in cols:  # y / groups columns that are not id columns
                put(name, per_sample.take(ii), "a label column")
        if predictions is not None:
            predictions = _aligned_to_ids(predictions, ids, n)
            if isinstance(predictions, pd.DataFrame):
                if len(predictions) != n:
                    raise ValueError(f"predictions has {len(predictions)} rows, expected {n}.")
                for c in predictions.columns:
                    put(c, predictions[c].to_numpy()[ii], "a prediction")
            else:
                pred = np.asarray(predictions)
                if pred.shape[:1] != (n,) or pred.ndim != 1:
                    raise ValueError(
                        f"predictions must have shape ({n},), got {pred.shape}; pass several "
                        "outputs per sample (e.g. predict_proba) as a DataFrame."
                    )
                put(column_prediction, pred[ii], "the prediction")
        out = pd.DataFrame(cols)
        order = [c for c in layout.order if c in out.columns]
        out = out[order + [c for c in out.columns if c not in order]]
        if dropna:
            value_cols = list(values)
            out = out[out[value_cols].notna().any(axis=1).to_numpy()].reset_index(drop=True)
        return out


def _aligned_to_ids(predictions, ids: pd.Index, n: int):
    """A pandas ``predictions`` in sample order: reindexed when its index holds the sample
    ids (as ``y`` and ``groups`` are aligned), read in order when it is the default
    ``0..n-1``; any other index is refused rather than read by position."""
    if not isinstance(predictions, (pd.Series, pd.DataFrame)) or len(predictions) != n:
        return predictions  # arrays are in sample order; wrong lengths are named below
    index = predictions.index
    if index.equals(ids):
        return predictions
    if index.is_unique and len(index.intersection(ids)) == n:
        return predictions.reindex(ids)
    if index.equals(pd.RangeIndex(n)):
        return predictions
    raise ValueError(
        f"predictions is a pandas object indexed by {list(index[:3])}..., which is neither "
        f"the sample ids ({list(ids[:3])}...) nor the positions 0..{n - 1}; index it by the "
        "ids to align it, or pass its values (.to_numpy()) in the order of the sequences."
    )


def sequences_to_long(
    X: ArrayLike,
    *,
    ids: ArrayLike | pd.Index | None = None,
    channels: Sequence[Hashable] | None = None,
    times: ArrayLike | None = None,
    column_id: Hashable = "id",
    column_sort: Hashable = "time",
    column_kind: Hashable | None = None,
    column_value: Hashable = "value",
    predictions: ArrayLike | pd.DataFrame | None = None,
    column_prediction: str = "prediction",
    dropna: bool = False,
) -> pd.DataFrame:
    """Turn sequences ``X`` (and per-sample predictions) into a long DataFrame.

    For arrays that came from :func:`long_to_sequences` prefer :meth:`Sequences.to_long`,
    which restores the original time stamps and column names (the values in ``X``'s
    dtype).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
        Sequences of numbers, NaN-padded.
    ids : array-like of shape (n_samples,), default=None
        Distinct sample ids; default ``0 .. n_samples - 1``. A MultiIndex (composite ids)
        gives one column per level, named after the level: its levels must be named.
    channels : sequence of length n_channels, default=None
        Channel names; default ``"channel0"``, ``"channel1"``, ...
    times : array-like of shape (n_samples, n_timesteps), default=None
        Time stamp of every step, NaN/NaT where padded (and only there: X must be NaN at
        those steps); the others must be finite and increase within each sample. When
        None, steps are numbered from 0 and only the trailing all-NaN steps of each sample
        count as padding.
    column_id, column_sort : hashable, default="id", "time"
        Names of the id and time columns.
    column_kind : hashable, default=None
        When given, a tsfresh-style table (id, time, kind, value) is returned; otherwise one
        row per time step with one column per channel.
    column_value : hashable, default="value"
        Name of the value column of the kind layout.
    predictions : array-like of shape (n_samples,) or DataFrame, default=None
        Per-sample outputs, repeated on every row of their sample. An array is read in
        sample order; a pandas Series or DataFrame indexed by the sample ids is aligned by
        them (as ``y`` is), one with the default index ``0..n-1`` is read in order, and
        one with any other index is refused.
    column_prediction : str, default="prediction"
        Column name for 1D ``predictions``.
    dropna : bool, default=False
        Drop rows whose values are all NaN.

    Returns
    -------
    pandas.DataFrame
        Rows sorted by id and time (in the kind layout by id, kind and time).

    Raises
    ------
    ValueError
        Ragged, complex or non-numeric ``X``; ids that repeat or are missing; times that
        repeat or go back within a sample, or are infinite, or NaN where ``X`` has values;
        ±inf in ``X``; shapes that do not match.
    TypeError
        A single string or number where a sequence of ids or channel names is expected.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import sequences_to_long
    >>> X = np.array([[[1.0, 2.0, np.nan]], [[3.0, 4.0, 5.0]]])
    >>> sequences_to_long(X, ids=["a", "b"], channels=["x"])
      id  time    x
    0  a     0  1.0
    1  a     1  2.0
    2  b     0  3.0
    3  b     1  4.0
    4  b     2  5.0
    """
    X = _plain_sequences(X)
    check_has_time_steps(X.shape, name="sequences_to_long")
    warn_if_channels_last(X.shape, name="sequences_to_long")
    n, C, T = X.shape
    ids = _sample_ids(ids, n, column_id)
    if channels is not None and not pd.api.types.is_list_like(channels):
        raise TypeError(
            f"channels must be a sequence of {C} channel names, got "
            f"{type(channels).__name__} {channels!r}; for one channel pass "
            f"channels=[{channels!r}]."
        )
    channels = pd.Index([f"channel{c}" for c in range(C)] if channels is None else channels)
    if len(ids) != n or len(channels) != C:
        raise ValueError(
            f"Got {len(ids)} ids and {len(channels)} channels for X of shape {X.shape}."
        )
    if not channels.is_unique:
        becomes = (
            "a column" if column_kind is None else f"a value of the kind column {column_kind!r}"
        )
        raise ValueError(
            f"Channel {_fmt(channels[channels.duplicated()][0])} is named twice; each channel "
            f"becomes {becomes}, so the names must be distinct."
        )
    if times is None:
        _, stop = observed_span(X)
        keep = np.arange(T) < stop[:, None]
        step_times = np.broadcast_to(np.arange(T), (n, T))
    else:
        observed = ~np.isnan(X).all(axis=1) if X.dtype.kind == "f" else np.ones((n, T), bool)
        step_times, keep = _step_times(times, (n, T), ids, observed)

    def time_of(ii, tt):
        stamps = step_times[ii, tt]
        if stamps.dtype == object:
            # Sequences.times holds integers beyond float64's exact range as Python ints
            # (NaN pads): give them back an integer column, not an object one.
            return pd.Series(stamps).infer_objects().to_numpy()
        return stamps

    layout = _LongLayout(time=column_sort, kind=column_kind, value=column_value)
    table = _LongTable(ids, channels, keep, time_of, layout)
    return table.frame(X, predictions, column_prediction, check_bool(dropna, "dropna"))


def _plain_sequences(X: Any) -> np.ndarray:
    """``X`` of :func:`sequences_to_long` as a real 3D array; ragged or non-numeric is an error."""
    a = _as_real_array(X, "sequences_to_long", "X")
    if sp.issparse(a):
        raise TypeError(
            "sequences_to_long expects X as a dense array, got a sparse matrix; pass X.toarray()."
        )
    if isinstance(a, pd.DataFrame):  # checked to be numeric above
        a = a.to_numpy(dtype=np.float64, na_value=np.nan)
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[:, None, :]
    if a.ndim != 3:
        raise ValueError(
            "sequences_to_long expects X of shape (n_samples, n_timesteps) or (n_samples, "
            f"n_channels, n_timesteps), got an array of shape {a.shape}."
        )
    if a.dtype.kind == "f":
        check_no_inf(a)  # a table cell of inf would be silently wrong data downstream
    return a


def _sample_ids(ids: Any, n: int, column_id: Hashable) -> pd.Index:
    """The ids of :func:`sequences_to_long` as an Index: one per sample, none missing, distinct."""
    if ids is None:
        return pd.Index(np.arange(n), name=column_id)
    if not pd.api.types.is_list_like(ids):
        raise TypeError(
            f"ids must be a sequence of {n} sample ids, got {type(ids).__name__} {ids!r}."
        )
    if isinstance(ids, pd.MultiIndex):  # a MultiIndex keeps its level names
        if any(name is None for name in ids.names):
            names = [f"id_{k}" for k in range(ids.nlevels)]
            raise ValueError(
                f"ids is a MultiIndex with unnamed levels (names {list(ids.names)}); each "
                "level becomes a column of the long table, named after it. Name the levels "
                f"first, e.g. ids.set_names({names})."
            )
        index = ids
    else:
        try:
            index = pd.Index(ids, name=column_id)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"ids must be one id per sample (a 1D sequence of length {n}): {exc}"
            ) from None
    if len(index) != n:
        return index  # the caller reports the count
    missing = (
        index.to_frame().isna().any(axis=1).to_numpy()
        if isinstance(index, pd.MultiIndex)
        else np.asarray(index.isna())
    )
    if missing.any():
        raise ValueError(
            f"ids has a missing value (NaN/None) for sample {int(np.flatnonzero(missing)[0])}; "
            "every sample needs an id."
        )
    if not index.is_unique:
        codes, _ = pd.factorize(index)
        second = int(np.flatnonzero(index.duplicated())[0])
        first = int(np.flatnonzero(codes == codes[second])[0])
        raise ValueError(
            f"ids must be distinct, but {_fmt(index[second])} is the id of samples {first} and "
            f"{second}; their rows would merge into one sample of the long table. Pass one "
            "distinct id per sample."
        )
    return index


def _step_times(
    times: Any, shape: tuple, ids: pd.Index, observed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``times`` of :func:`sequences_to_long` and the steps it keeps (not NaN / NaT).

    Kept stamps must be finite and increase within each sample: a repeated stamp would write
    two rows with the same (id, time), which the reverse trip rejects as duplicates. A NaN
    stamp marks a padded step, so it must not fall on a step ``observed`` (X has a value in
    some channel there): that value would be dropped without a word.
    """
    step_times = asarray_not_ragged(
        times,
        lambda: (
            f"times is ragged; it must have shape {shape} (n_samples, n_timesteps), with "
            "NaN / NaT for padded steps."
        ),
    )
    if step_times.shape != shape:
        raise ValueError(f"times must have shape {shape}, got {step_times.shape}.")
    keep = ~np.asarray(pd.isna(step_times), dtype=bool)
    if step_times.dtype.kind == "f" and np.isinf(step_times).any():
        i, t = np.argwhere(np.isinf(step_times))[0]
        raise ValueError(
            f"times has an infinite value at sample {i}, step {t}; time stamps must be finite "
            "(NaN marks a padded step)."
        )
    ii, tt = np.nonzero(keep)
    if len(ii) > 1:
        before, after = step_times[ii[:-1], tt[:-1]], step_times[ii[1:], tt[1:]]
        try:
            rising = np.asarray(after > before, dtype=bool)
        except TypeError as exc:
            raise TypeError(
                f"times cannot be ordered ({exc}); pass numbers or datetimes of one type."
            ) from None
        bad = np.flatnonzero((ii[1:] == ii[:-1]) & ~rising)
        if len(bad):
            k = int(bad[0])
            i = int(ii[k])
            raise ValueError(
                f"times must increase within each sample, but sample {i} (id "
                f"{_fmt(ids[i])}) has {_fmt(before[k])} at step {int(tt[k])} and then "
                f"{_fmt(after[k])} at step {int(tt[k + 1])}; a repeated time would write two "
                "rows with the same (id, time). Drop or aggregate repeated steps, or pass "
                "times=None to number the steps."
            )
    dropped = observed & ~keep
    if dropped.any():
        i, t = np.argwhere(dropped)[0]
        raise ValueError(
            f"times is NaN at sample {i}, step {t}, but X has values there; NaN / NaT in "
            "times marks a padded step, where X is NaN too. Give that step its time stamp, "
            "or set X to NaN there if the step is padding."
        )
    return step_times, keep
