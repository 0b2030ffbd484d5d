"""Long pandas tables <-> sequence arrays ``(n_samples, n_channels, n_timesteps)``.

Turning a long table into samples changes the number of rows, so it is done once, up front,
by :func:`long_to_sequences` -- never as a Pipeline step. Its result carries the sample index
(and ``y`` / ``groups`` when asked), and :meth:`Sequences.to_long` / :func:`sequences_to_long`
turn arrays (and predictions) back into a long table.

What "time" means
-----------------
The time column orders the steps *within each series*: step ``j`` of a series is its ``j``-th
smallest distinct time stamp. Series need not share time stamps, start at the same moment or
be sampled regularly; every series starts at step 0 and shorter series are NaN-padded at the
end. We chose this over a global time grid because sequence models see positions, not clock
times: a global grid would pad series that start late with leading NaNs, and series with
irregular stamps would blow up into mostly-empty grids. The original stamps are kept
(:attr:`Sequences.times`), so nothing is lost and the inverse is exact.

How it is fast
--------------
Ids, time stamps and channels are each factorized once (hashing, not sorting the rows; see
``_columns``). When
the ``id x distinct time`` grid is no larger than the table, ranks within each series come from
a cumulative sum over that occupancy grid and duplicates from a ``bincount`` -- no row sort at
all. Otherwise only the distinct ``(id, time)`` keys are sorted.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike

from ._columns import (
    _CHUNK,
    _align_rows,
    _as_float,
    _check_columns,
    _check_hashable,
    _factorize,
    _factorize_sorted,
    _float_dtype,
    _fmt,
    _free_name,
    _is_column,
    _name_list,
    _RowNamer,
    _small_codes,
    _time_codes,
    _values,
)
from ._sequences import Sequences, _LongLayout
from ._validation import _callers_stacklevel

__all__ = ["long_to_sequences"]

# Extra cells allowed in the dense occupancy grid beyond one per row (keeps small tables on
# the fast path even when their time stamps barely overlap).
_GRID_SLACK = 1 << 20


def _require_frame(df: Any, func: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{func} expects the long table as a pandas DataFrame, got {type(df).__name__}. "
            "It changes the number of rows (one per sample instead of one per measurement), "
            "so call it once, up front, on the whole table -- it cannot be a Pipeline step; "
            "row-preserving transformers such as SeriesScaler belong in the Pipeline."
        )


def _from_table(table: pd.Series, what: str, ids: pd.Index) -> np.ndarray:
    """One value per sample from a Series indexed by id (extra ids are ignored)."""
    if not table.index.is_unique:
        dup = table.index[table.index.duplicated()][0]
        raise ValueError(f"The {what} table lists id {_fmt(dup)} more than once.")
    pos = table.index.get_indexer(ids)
    if (pos < 0).any():
        missing = np.flatnonzero(pos < 0)
        raise ValueError(
            f"The {what} table has no entry for id {_fmt(ids[missing[0]])} "
            f"({len(missing)} of {len(ids)} ids are missing; its index must hold the ids of "
            f"column(s) {list(ids.names)} with the same dtype)."
        )
    values = table.iloc[pos]
    bad = values.isna().to_numpy()
    if bad.any():
        raise ValueError(f"The {what} table has a missing value for id {_fmt(ids[bad][0])}.")
    return values.to_numpy()


def _rows_of(s: pd.Series, df: pd.DataFrame) -> pd.Series | None:
    """``s`` at the rows of ``df`` when its (unique) index holds every row label of ``df``."""
    if not (s.index.is_unique and df.index.is_unique):
        return None
    if len(s) < len(df) or not _holds(s.index, df.index):
        return None
    return s.reindex(df.index)


def _holds(index: pd.Index, labels: pd.Index) -> bool:
    """Whether ``index`` (unique) holds every one of ``labels``."""
    try:
        return bool((index.get_indexer(labels) >= 0).all())
    except (TypeError, ValueError):  # labels of another kind (say, tuples against scalars)
        return False


def _per_sample(spec, what: str, df, id_code, ids, namer) -> tuple:
    """One value per sample, and the per-sample Index that ``to_long`` can restore.

    ``spec`` is a column name, a Series whose index holds the row labels of ``df`` (e.g.
    ``df["label"]``, aligned by index) -- both must be constant within each id -- or a table
    indexed by id. A Series with the row labels of ``df`` is read row by row -- a derived one
    such as ``df["label"].map(codes)`` too -- unless its index is named after the id
    column(s), the mark of a table indexed by id: when its index also holds every id, it is
    then read both ways, and refused when the two readings disagree. A Series of a larger
    frame whose index also holds every id is read both ways alike.
    """
    if not isinstance(spec, pd.Series):
        return _read_rows(df[spec], spec, what, df, id_code, ids, namer, series=False)
    per_row = _align_rows(spec, df)
    if per_row is None:
        covering = _rows_of(spec, df)
        if covering is None:
            lost = _lost_row_labels(spec, df)
            if lost is not None:
                return _table_unless_lost(spec, lost, what, df, id_code, ids, namer), None
            return _from_table(spec, what, ids), None
        if not _holds(spec.index, ids):
            # a per-row Series of a larger frame (say, before dropna): align by index
            return _read_rows(covering, covering.name, what, df, id_code, ids, namer)
        return _both_readings(spec, covering, what, df, id_code, ids, namer, aligned=False)
    if _named_by_id(spec.index, ids) and not _is_column(per_row, df) and _holds(spec.index, ids):
        # its index is named after the id column(s) and holds every id: it could just as
        # well be a table indexed by id (ids 0..n-1 on a RangeIndex, say)
        return _both_readings(spec, per_row, what, df, id_code, ids, namer, aligned=True)
    return _read_rows(per_row, per_row.name, what, df, id_code, ids, namer)


def _lost_row_labels(spec: pd.Series, df: pd.DataFrame) -> pd.Series | None:
    """``spec`` on the rows of ``df`` when it looks like per-row values that lost their index.

    One value per row on the index ``0 .. len(df) - 1`` (what ``reset_index(drop=True)`` or
    ``pd.Series(values)`` gives) where the DataFrame's row labels are others and do not all
    lie in that range (a filtered table): None otherwise. (A table that was only sorted
    keeps labels ``0 .. len(df) - 1``, and the Series is aligned with them by label.)
    """
    n = len(df)
    if len(spec) != n or df.index.equals(spec.index):
        return None
    if not (
        pd.api.types.is_integer_dtype(spec.index.dtype) and spec.index.equals(pd.RangeIndex(n))
    ):
        return None
    return pd.Series(spec.to_numpy(), index=df.index, name=spec.name)


def _table_unless_lost(spec, lost, what, df, id_code, ids, namer) -> np.ndarray:
    """``spec`` read as a table indexed by id, unless it could be per-row values (``lost``).

    Its index ``0 .. len(df) - 1`` also holds ids, so it reads as a table; read row by
    row (by position), it may be the DataFrame's per-row values whose index was reset.
    Where the row-by-row reading fails (values not constant within an id), it is the
    table; where both readings work and agree, either; otherwise refuse to guess.
    """
    try:
        by_row = _read_rows(lost, lost.name, what, df, id_code, ids, namer)[0]
    except ValueError:
        return _from_table(spec, what, ids)
    try:
        table = _from_table(spec, what, ids)
    except ValueError:
        table = None
    if table is not None and pd.Index(table).equals(pd.Index(by_row)):
        return table
    reset = (
        f"The {what} Series has one value per row of the DataFrame but the index "
        f"0..{len(df) - 1}, not the DataFrame's row labels (such as {_fmt(df.index[0])})"
    )
    if table is None:
        # its index does not hold every id: no table by id, per-row values without their
        # row labels, which are not read by position
        raise ValueError(
            f"{reset}, and it does not hold every id, so it is no table indexed by id either: "
            f"per-row values whose index was reset? Pass them with the DataFrame's row "
            f"labels, pd.Series(values, index=df.index), or pass the column name."
        )
    k = int(np.flatnonzero(pd.Index(table).to_numpy() != pd.Index(by_row).to_numpy())[0])
    raise ValueError(
        f"{reset}: per-row values whose index was reset, or a table indexed by id? The two "
        f"readings give different {what} values (read row by row {_fmt(by_row[k])}, read as "
        f"a table indexed by id {_fmt(table[k])}, for id {_fmt(ids[k])}). Pass the column "
        "name, pd.Series(values, index=df.index) (one value per row), or a Series indexed by "
        "the ids only."
    )


def _named_by_id(index: pd.Index, ids: pd.Index) -> bool:
    """Whether ``index`` (unique) is named after the id column(s), as a table by id is.

    A Series derived from the frame's columns (``df["label"] == "a"``, ``.map``, ``.astype``)
    keeps the frame's (usually unnamed) row index: without the name it is read row by row.
    """
    names = list(index.names)
    return index.is_unique and any(n is not None for n in names) and names == list(ids.names)


def _both_readings(spec, per_row, what, df, id_code, ids, namer, *, aligned: bool) -> tuple:
    """``spec`` read row by row (as ``per_row``), when reading it as a table by id agrees.

    Refuse to guess when the two readings do not give the same value for every sample.
    """
    try:
        table = pd.Index(_from_table(spec, what, ids))
    except ValueError as exc:
        table, table_error = None, exc
    try:
        result = _read_rows(per_row, per_row.name, what, df, id_code, ids, namer)
    except ValueError as exc:
        if table is None:  # neither reading works: say why, row by row
            raise exc from None
        if aligned:  # the row-by-row reading is the plain one: say why it fails, and how
            raise ValueError(
                f"{exc} (Its index also holds every id: if it is a table indexed by id, "
                f"pass it indexed by the ids only.)"
            ) from None
        raise _ambiguous(what, aligned) from None
    if table is None:
        if aligned:
            return result
        raise _ambiguous(what, aligned) from table_error
    rows = pd.Index(result[0])
    if table.equals(rows):
        return result
    k = int(np.flatnonzero(table.to_numpy() != rows.to_numpy())[0])
    raise _ambiguous(what, aligned, (_fmt(rows[k]), _fmt(table[k]), _fmt(ids[k])))


def _ambiguous(what: str, aligned: bool, differ: tuple | None = None) -> ValueError:
    """The refusal to guess between a per-row Series and a table indexed by id."""
    where = (
        "has the DataFrame's row labels" if aligned else "is not aligned with the DataFrame's rows"
    )
    detail = (
        f" (read row by row {differ[0]}, read as a table indexed by id {differ[1]}, for id "
        f"{differ[2]})"
        if differ
        else ""
    )
    advice = (
        "Its index is named after the id column(s), as a table indexed by id would be. To "
        f"read it row by row, pass {what}.rename_axis(None) or add it to the DataFrame and "
        "pass the column name; to read it as a table, pass a Series indexed by the ids only."
        if aligned
        else f"Pass the column name, {what}.loc[df.index] (one value per row), or a Series "
        "indexed by id only."
    )
    return ValueError(
        f"The {what} Series {where}, and its index holds both every row label of the "
        f"DataFrame and every id, so it could be a per-row Series"
        f"{'' if aligned else ' of a larger frame'} or a table indexed by id; the two "
        f"readings give different {what} values{detail}. {advice}"
    )


def _read_rows(s: pd.Series, name, what, df, id_code, ids, namer, *, series=True) -> tuple:
    """One value per sample from ``s``, a per-row Series in the row order of ``df``.

    ``series``: whether the caller passed a Series (not a column name).
    """
    label = f"Column {name!r}" if name is not None else f"The {what} Series"
    codes, uniques = pd.factorize(s)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"{label} has a missing {what} for {namer(row)}.")
    first = np.empty(len(ids), dtype=codes.dtype)
    first[id_code] = codes  # any row of each id; then every row must agree with it
    clash = codes != first[id_code]
    if clash.any():
        row = int(np.flatnonzero(clash)[0])
        raise ValueError(
            f"{label} is not constant within {namer(row)}: it holds both "
            f"{_fmt(s.iloc[row])} and {_fmt(uniques[first[id_code[row]]])}; each sample needs "
            f"one {what}."
        )
    taken = pd.Index(uniques.take(first), name=name)
    if series and len(ids) == len(df) and s.index.is_unique:
        # One row per sample: a table indexed by id could have the frame's index too (say,
        # ids 0..n-1 on a RangeIndex). Refuse to guess when the two readings disagree.
        pos = s.index.get_indexer(ids)
        if (pos >= 0).all():
            as_table = pd.Index(s.iloc[pos].to_numpy())
            differ = np.flatnonzero(as_table.to_numpy() != taken.to_numpy())
            if len(differ):
                raise ValueError(
                    f"The {what} Series has the DataFrame's index, so it is read row by row, "
                    f"but its index also holds every id, and read as a table indexed by id it "
                    f"gives another {what} for id {_fmt(ids[differ[0]])}. Pass the column "
                    f"name instead, or a Series indexed by id with a different index."
                )
    return taken.to_numpy(), taken


def _column_holding(name, values: np.ndarray, df, id_code, ids, namer) -> pd.Index | None:
    """Column ``name`` per sample when it holds exactly ``values`` there, else None."""
    try:
        column, taken = _per_sample(name, "column", df, id_code, ids, namer)
    except ValueError:  # not constant within a sample, or missing values: not a label
        return None
    return taken if pd.Index(column).equals(pd.Index(values)) else None


def _sample_codes(df, id_cols, namer) -> tuple:
    codes, index = _factorize(df[id_cols[0]], id_cols[0], "id", namer)
    level_codes, levels = [np.arange(len(index))], [index]
    for col in id_cols[1:]:
        c2, u2 = _factorize(df[col], col, "id", namer)
        key = codes.astype(np.int64) * len(u2) + c2
        codes, ukey = _factorize_sorted(key)
        level_codes = [lc[ukey // len(u2)] for lc in level_codes] + [ukey % len(u2)]
        levels.append(u2)
    if len(id_cols) == 1:
        return codes, index
    arrays = [lev.take(lc) for lev, lc in zip(levels, level_codes, strict=True)]
    return _small_codes(codes, len(arrays[0])), pd.MultiIndex.from_arrays(arrays, names=id_cols)


def _raise_duplicate(df, rows, id_cols, key_cols, namer) -> None:
    a, b = rows
    where = ", ".join(f"{c} {_fmt(df[c].iloc[a])}" for c in key_cols)
    raise ValueError(
        f"Column {key_cols[0]!r} has duplicate values for {namer(a)}: rows {a} and {b} both "
        f"have {where}. Duplicates are never averaged silently; aggregate them before "
        f"reshaping, e.g. df.groupby({id_cols + key_cols}, as_index=False).mean()."
    )


def _duplicate_rows(key: np.ndarray, counts: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(counts[key] > 1)
    same = rows[key[rows] == key[rows[0]]]
    return int(same[0]), int(same[1])


def _step_ranks(key, id_code, kind_code, n, U, C):
    """Rank of every row's time stamp within its series, series lengths, stamp codes per step.

    ``key`` holds ``id * U + time`` per row; it is reused in place.
    """
    K = C if kind_code is not None else 1
    dup, checked = None, True
    if n * U * K <= len(key) + _GRID_SLACK:
        # Dense path: occupancy grid over (id, distinct time[, kind]) -- no sort.
        if kind_code is not None:
            key *= K
            key += kind_code
        counts = np.bincount(key, minlength=n * U * K)
        if counts.max(initial=0) > 1:
            dup = _duplicate_rows(key, counts)
        present = counts.reshape(n, U, K).any(axis=2)
        del counts
        if kind_code is not None:
            key //= K
        rank_grid = np.cumsum(present, axis=1, dtype=np.min_scalar_type(-U))
        rank_grid -= 1
        lengths = present.sum(axis=1)
        rank = rank_grid.reshape(-1)[key]
        ii, tt = np.nonzero(present)
        step = rank_grid[ii, tt]
    else:
        # Sparse path: sort only the distinct (id, time) keys.
        rank, ukeys = _factorize_sorted(key)
        checked = kind_code is None  # (id, time, kind) duplicates are checked by the caller
        if checked and len(ukeys) < len(key):
            dup = _duplicate_rows(rank, np.bincount(rank))
        ii, tt = np.divmod(ukeys, U)
        lengths = np.bincount(ii, minlength=n)
        offsets = np.cumsum(lengths) - lengths
        step = np.arange(len(ukeys)) - offsets[ii]
        for i in range(0, len(rank), _CHUNK):  # rank within the series, chunked: no temporaries
            rank[i : i + _CHUNK] -= offsets[id_code[i : i + _CHUNK]]
        rank = _small_codes(rank, int(lengths.max()))
    time_codes = np.full((n, int(lengths.max(initial=0))), -1, dtype=np.min_scalar_type(-U))
    time_codes[ii, step] = tt
    return key, rank, lengths, time_codes, dup, checked


def _warn_unread_time_index(df, id_code, kind_code) -> None:
    """Warn when the rows are taken in row order but a time index says another order.

    Without ``column_sort`` the row index is not read; a Datetime / Timedelta index that
    decreases within a sample (and kind) is most likely the time the caller meant;
    one that repeats a stamp (each sample's session date, say) is not a time order.
    """
    index = df.index
    if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)) or len(index) < 2:
        return
    key = id_code.astype(np.int64)
    if kind_code is not None:
        key = key * (int(kind_code.max()) + 1) + kind_code
    order = np.argsort(key, kind="stable")  # rows of each series, in row order
    stamps = index.asi8[order]
    same = key[order][1:] == key[order][:-1]
    back = same & (stamps[1:] < stamps[:-1])  # equal stamps (a session date) do not say
    if not back.any():
        return
    row, prev = int(order[1:][back][0]), int(order[:-1][back][0])
    name = index.name
    hint = (
        f"df.reset_index() and column_sort={name!r}"
        if name is not None
        else "df.reset_index(names='time') and column_sort='time'"
    )
    warnings.warn(
        f"column_sort is None, so the rows of each sample are taken in row order and the row "
        f"index ({type(index).__name__}{f' {name!r}' if name is not None else ''}) is not "
        f"read, but it decreases within a sample: row {row} has "
        f"{_fmt(index[row])}, after {_fmt(index[prev])} at row {prev} of the same sample. To "
        f"order the steps by it, pass {hint}.",
        UserWarning,
        stacklevel=_callers_stacklevel(),
    )


def long_to_sequences(
    df: pd.DataFrame,
    *,
    column_id: Hashable | list[Hashable],
    column_sort: Hashable | None = None,
    column_kind: Hashable | None = None,
    column_value: Hashable | list[Hashable] | None = None,
    y: Hashable | pd.Series | None = None,
    groups: Hashable | pd.Series | None = None,
    dtype: DTypeLike = np.float32,
) -> Sequences:
    """Turn a long table into sequences ``X`` of shape (n_samples, n_channels, n_timesteps).

    Call it once, up front: it changes the number of rows (one per sample instead of one per
    measurement), so it cannot be a Pipeline step -- put row-preserving transformers such as
    :class:`SeriesScaler` in the Pipeline instead. Two layouts are understood:

    * tsfresh style: ``column_id``, ``column_sort``, ``column_kind`` (the channel) and a single
      ``column_value``;
    * one row per time step with one column per channel (``column_kind=None``), e.g.
      ``subject, trial, timestamp, acc_x, acc_y, acc_z``.

    Within each sample, step ``j`` is its ``j``-th smallest distinct time stamp (series need
    not share stamps); shorter samples are NaN-padded at the end. With ``column_sort`` the
    row order never matters; without it, the row order within each sample is its time order.
    The caller's DataFrame is never modified.

    Parameters
    ----------
    df : pandas.DataFrame
        The long table.
    column_id : hashable or list of hashable
        Column(s) identifying a sample; a list (or Index) makes composite ids, e.g.
        ``["subject", "trial"]``. Missing ids are an error; unused categories of a
        categorical id column produce no samples.
    column_sort : hashable, default=None
        Time column (numeric, datetime, timedelta or ordered categorical). When None, the
        row order within each sample (and kind) is taken as the time order, and
        :meth:`Sequences.to_long` numbers the steps in a column ``"time"`` (``"time_1"``, ...
        if the table has a column of that name). The row index is never read: a
        ``DatetimeIndex`` or ``TimedeltaIndex`` that decreases within a sample gives a
        ``UserWarning`` (make it a column with ``df.reset_index()`` and name it here).
    column_kind : hashable, default=None
        Channel column of the tsfresh layout; channels are its sorted distinct values.
    column_value : hashable or list of hashable, default=None
        The value column (tsfresh layout) or the channel columns, in channel order.
        Default: every column not used as id, time, kind, ``y`` or ``groups`` (named, or
        passed as that column's values, such as ``y=df["label"]``). A list, pandas Index
        or 1-D array of names.
    y, groups : hashable or pandas.Series, default=None
        A column that is constant within every sample -- by name, or as a Series with the
        index of ``df`` such as ``df["label"]`` or ``df["label"].map(codes)``, read row by
        row -- or a table (Series) indexed by id. A Series with the index of ``df`` whose
        index is named after the id column(s) may be either: it is read both ways, and
        refused when the two disagree. So is a Series of one value per row on the index
        ``0 .. len(df) - 1`` where ``df`` has other row labels (per-row values whose index
        was reset, after filtering) when its index also holds ids. Returned aligned with
        ``X``. Extra ids in a table are ignored; missing ids are an error.
    dtype : {np.float32, np.float64}, default=np.float32
        dtype of ``X``.

    Returns
    -------
    Sequences
        ``X``, ``ids`` (sorted ascending), ``channels``, ``lengths``, ``y``, ``groups`` and
        the time stamps; :meth:`Sequences.to_long` inverts it.

    Raises
    ------
    ValueError
        Missing columns (or a name that selects several of MultiIndex columns), empty
        table, missing id / time / kind, duplicate
        ``(id, time[, kind])`` rows, ±inf values, values beyond ``dtype``, labels that vary
        within a sample or are missing from a label table.
    TypeError
        Non-numeric values, mixed-type id / time / kind columns, time that is not orderable,
        column arguments that are not column names (a list for ``column_sort``, a set).

    See Also
    --------
    sequences_to_long : The inverse for plain arrays.
    WideToSequences : Row-preserving transformer for one-row-per-sample tables.
    sliding_windows : Windows from one long recording.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqpool_sklearn import long_to_sequences
    >>> df = pd.DataFrame({"id": [2, 1, 1, 2, 1], "t": [0, 1, 0, 1, 2],
    ...                    "x": [5.0, 2.0, 1.0, 6.0, 3.0], "label": ["b", "a", "a", "b", "a"]})
    >>> seq = long_to_sequences(df, column_id="id", column_sort="t", y="label")
    >>> seq.X
    array([[[ 1.,  2.,  3.]],
    <BLANKLINE>
           [[ 5.,  6., nan]]], dtype=float32)
    >>> seq.ids.tolist(), seq.y.tolist(), seq.lengths.tolist()
    ([1, 2], ['a', 'b'], [3, 2])
    """
    _require_frame(df, "long_to_sequences")
    dt = _float_dtype(dtype)
    id_cols = _name_list(column_id, "column_id")
    if not id_cols:
        raise ValueError("column_id must name at least one column.")
    _check_hashable(column_sort, "column_sort")
    _check_hashable(column_kind, "column_kind")
    used = id_cols + [c for c in (column_sort, column_kind) if c is not None]
    if len(set(used)) < len(used):
        raise ValueError(f"id, time and kind columns must differ, got {used}.")
    for what, spec in (("y", y), ("groups", groups)):
        if spec is not None and not isinstance(spec, (pd.Series, Hashable)):
            raise TypeError(
                f"{what} must be a column name, or a pandas Series with the DataFrame's "
                f"index or indexed by id, got {type(spec).__name__}."
            )
    named = [s for s in (y, groups) if s is not None and not isinstance(s, pd.Series)]
    _check_columns(df, used + named)
    if column_kind is not None:
        if column_value is None or isinstance(column_value, (list, pd.Index, np.ndarray)):
            raise ValueError(
                "With column_kind, column_value must name the single value column, got "
                f"{column_value!r}."
            )
        _check_hashable(column_value, "With column_kind, column_value")
        value_cols = [column_value]
    elif column_value is None:
        value_cols = [c for c in df.columns if c not in used and c not in named]
    else:
        value_cols = _name_list(column_value, "column_value")
    if not value_cols:
        raise ValueError("No value columns left; pass column_value=[...].")
    _check_columns(df, value_cols)
    overlap = [c for c in value_cols if c in used]
    if overlap:
        raise ValueError(f"Column {overlap[0]!r} cannot be both a value and an id/time/kind.")
    for what, spec in (("y", y), ("groups", groups)):
        if spec is not None and not isinstance(spec, pd.Series) and spec in value_cols:
            raise ValueError(
                f"Column {spec!r} cannot be both a value column and {what}: the model would "
                f"read its own {what} from the series. Leave it out of column_value."
            )
    repeated = pd.Index(value_cols)
    if repeated.has_duplicates:
        raise ValueError(
            f"column_value lists column {repeated[repeated.duplicated()][0]!r} more than "
            "once; name each value column once."
        )
    if len(df) == 0:
        raise ValueError(
            "The DataFrame is empty (0 rows); long_to_sequences needs at least one row."
        )
    namer = _RowNamer(df, id_cols)

    id_code, ids = _sample_codes(df, id_cols, namer)
    out, extra, namesakes = {}, {}, {}
    for key, spec in (("y", y), ("groups", groups)):
        if spec is None:
            continue
        out[key], per_sample = _per_sample(spec, key, df, id_code, ids, namer)
        if per_sample is not None and per_sample.name in df.columns:
            extra[per_sample.name] = per_sample
        # a Series that is one of the value columns (``y=df["label"]``, or the label per
        # id) is that column: left out of the default channels, as its name would be
        if isinstance(spec, pd.Series) and spec.name in value_cols:
            column = _column_holding(spec.name, out[key], df, id_code, ids, namer)
            if column is None:
                namesakes[spec.name] = key  # only shares the name: the column stays
                continue
            if column_value is not None:
                raise ValueError(
                    f"Column {spec.name!r} cannot be both a value column and {key}: the "
                    f"{key} Series holds that column's values, so the model would read its "
                    f"own {key} from the series. Leave it out of column_value."
                )
            extra[spec.name] = column  # to_long gives the column back, as for a name
            value_cols = [c for c in value_cols if c != spec.name]
            if not value_cols:
                raise ValueError(
                    f"No value columns left: the only one, {spec.name!r}, is {key}. Pass "
                    "column_value=[...]."
                )
    if column_kind is not None:
        kind_code, channels = _factorize(df[column_kind], column_kind, "kind", namer)
    else:
        kind_code, channels = None, pd.Index(value_cols)
    values = []
    for c in value_cols:
        try:
            values.append(_values(df[c], c, namer))
        except TypeError as exc:
            if c not in namesakes:
                raise
            key = namesakes[c]
            raise TypeError(
                f"{exc} The {key} Series is named {c!r} but does not hold that column's "
                f"values for every sample, so column {c!r} stayed a value column; pass "
                f"{key}={c!r} to use the column, or rename the Series."
            ) from None
    n, C = len(ids), len(channels)
    if column_sort is not None:
        t_code, time_index = _time_codes(df[column_sort], column_sort, namer)
        time_name = column_sort
    else:  # row order within each sample (and kind) is the time order
        _warn_unread_time_index(df, id_code, kind_code)
        keys = [id_code] if kind_code is None else [id_code, kind_code]
        t_code = pd.Series(id_code).groupby(keys, sort=False).cumcount().to_numpy()
        time_name = _free_name("time", df.columns)  # to_long's step column
        time_index = pd.RangeIndex(int(t_code.max()) + 1, name=time_name)
    flat = id_code.astype(np.int64)
    flat *= len(time_index)
    flat += t_code
    del t_code
    flat, rank, lengths, time_codes, dup, checked = _step_ranks(
        flat, id_code, kind_code, n, len(time_index), C
    )
    key_cols = [column_sort] + ([column_kind] if kind_code is not None else [])
    if dup is not None:
        _raise_duplicate(df, dup, id_cols, key_cols, namer)
    T = time_codes.shape[1]

    # flat cell of every row in X, built in place: ((id * C + kind) * T + rank)
    flat[:] = id_code
    flat *= C
    if kind_code is not None:
        flat += kind_code
    flat *= T
    flat += rank
    del rank
    if not checked:  # sparse path of the kind layout: (id, time, kind) duplicates
        if n * C * T <= len(flat) + _GRID_SLACK:
            codes, counts = flat, np.bincount(flat, minlength=n * C * T)
        else:
            codes, uniq = pd.factorize(flat, size_hint=min(len(flat), 1 << 16))
            counts = np.bincount(codes) if len(uniq) < len(flat) else np.ones(1, dtype=int)
        if counts.max() > 1:
            _raise_duplicate(df, _duplicate_rows(codes, counts), id_cols, key_cols, namer)
        del counts
    X = np.full((n, C, T), np.nan, dtype=dt)
    Xf = X.reshape(-1)
    for c, name in enumerate(value_cols):
        Xf[flat] = _as_float(values[c], dt, name, namer)
        flat += T  # next channel of the same step
    del flat

    layout = _LongLayout(
        time=time_name,
        kind=column_kind,
        value=value_cols[0],
        dtypes={c: df[c].dtype for c in value_cols if isinstance(df[c].dtype, np.dtype)},
        order=list(df.columns) + ([time_name] if column_sort is None else []),
        extra=extra,
    )
    return Sequences(
        X=X,
        ids=ids,
        channels=channels,
        lengths=lengths,
        time_index=time_index,
        time_codes=time_codes,
        _layout=layout,
        **out,
    )
