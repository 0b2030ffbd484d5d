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
Ids, time stamps and channels are each factorized once (hashing, not sorting the rows). When
the ``id x distinct time`` grid is no larger than the table, ranks within each series come from
a cumulative sum over that occupancy grid and duplicates from a ``bincount`` -- no row sort at
all. Otherwise only the distinct ``(id, time)`` keys are sorted.
"""

from __future__ import annotations

import decimal
import difflib
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, DTypeLike
from pandas.api import types as pdt

__all__ = ["Sequences", "long_to_sequences", "sequences_to_long"]

# Extra cells allowed in the dense occupancy grid beyond one per row (keeps small tables on
# the fast path even when their time stamps barely overlap).
_GRID_SLACK = 1 << 20
_CHUNK = 1 << 20
_NUMERIC_INFERRED = {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"}


# --------------------------------------------------------------------------- helpers
def _fmt(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


class _RowNamer:
    """Names the sample (or recording: ``word``) a row belongs to, for error messages."""

    def __init__(self, df: pd.DataFrame, id_cols: list[Hashable] | None, word: str = "id"):
        self.df, self.id_cols, self.word = df, id_cols, word

    def __call__(self, row: int) -> str:
        if not self.id_cols:
            return f"row {row}"
        values = tuple(self.df[c].iloc[row] for c in self.id_cols)
        value = _fmt(values[0] if len(values) == 1 else values)
        return f"{self.word} {value} (first at row {row})"


def _require_frame(df: Any, func: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{func} expects the long table as a pandas DataFrame, got {type(df).__name__}. "
            "It changes the number of rows (one per sample instead of one per measurement), "
            "so call it once, up front, on the whole table -- it cannot be a Pipeline step; "
            "row-preserving transformers such as SeriesScaler belong in the Pipeline."
        )


def _check_columns(df: pd.DataFrame, names: list[Hashable]) -> None:
    for name in names:
        if name not in df.columns:
            close = difflib.get_close_matches(str(name), [str(c) for c in df.columns], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"Column {name!r} not found in the DataFrame; it has columns "
                f"{list(df.columns)}.{hint}"
            )
        if int((df.columns == name).sum()) > 1:
            raise ValueError(
                f"Column {name!r} appears more than once in the DataFrame; "
                "rename or drop the duplicates first."
            )


def _small_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    # Smallest unsigned type that holds the codes: on 10 M rows this saves hundreds of MB.
    return codes.astype(np.min_scalar_type(max(n_values - 1, 0)), copy=False)


def _first_type_change(s: pd.Series) -> int:
    """Position of the first non-missing value whose type differs from the first one's."""
    rows = np.flatnonzero(s.notna().to_numpy())
    if not len(rows):
        return 0
    kinds = np.array(
        ["number" if isinstance(v, numbers.Real) else type(v).__name__ for v in s.iloc[rows]]
    )
    differ = rows[kinds != kinds[0]]
    return int(differ[0]) if len(differ) else int(rows[0])


def _sorted_codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes in sorted-value order (-1 for missing), with as little memory as the data allows.

    Categorical columns reuse their codes, integer columns with a compact range use a lookup
    table (no hashing, no sort); everything else goes through ``pd.factorize``.
    """
    dtype, n = s.dtype, len(s)
    if isinstance(dtype, pd.CategoricalDtype):
        raw = s.cat.codes.to_numpy()
        seen = np.zeros(len(dtype.categories), dtype=bool)
        seen[raw[raw >= 0]] = True
        observed = np.flatnonzero(seen)  # unused categories make no codes (no phantom samples)
        lookup = np.full(len(seen) + 1, -1, dtype=np.min_scalar_type(-len(seen) - 1))
        lookup[observed] = np.arange(len(observed))
        return lookup[raw], pd.CategoricalIndex(pd.Categorical.from_codes(observed, dtype=dtype))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and n:
        arr = s.to_numpy()
        lo = int(arr.min())
        span = int(arr.max()) - lo + 1
        if span <= 2 * n + _GRID_SLACK:

            def offsets(i):  # in chunks, so no full-length temporary is needed
                chunk = arr[i : i + _CHUNK]
                return (chunk if chunk.dtype.itemsize == 8 else chunk.astype(np.int64)) - lo

            seen = np.zeros(span, dtype=bool)
            for i in range(0, n, _CHUNK):
                seen[offsets(i)] = True
            lookup = np.cumsum(seen, dtype=np.min_scalar_type(-span))
            lookup -= 1
            codes = np.empty(n, dtype=lookup.dtype)
            for i in range(0, n, _CHUNK):
                codes[i : i + _CHUNK] = lookup[offsets(i)]
            uniques = np.flatnonzero(seen).astype(dtype) + dtype.type(lo)
            return codes, pd.Index(uniques)
    # NumPy-backed columns go in as arrays: pandas ignores size_hint for a Series.
    codes, uniques = _factorize_sorted(s.to_numpy() if isinstance(dtype, np.dtype) else s)
    return codes, pd.Index(uniques)


def _factorize(s: pd.Series, name: Hashable, what: str, namer: _RowNamer) -> tuple:
    """Sorted factorization of an id / kind / time column, rejecting missing and mixed types."""
    if pdt.is_object_dtype(s.dtype) and pdt.infer_dtype(s, skipna=True) in (
        "mixed",
        "mixed-integer",
    ):
        row = _first_type_change(s)
        raise TypeError(
            f"Column {name!r} mixes value types: {_fmt(s.iloc[row])} "
            f"({type(s.iloc[row]).__name__}) for {namer(row)}, after "
            f"{type(s.dropna().iloc[0]).__name__} values; {what} values must share one type. "
            "Convert the column first, e.g. df[col].astype(str)."
        )
    try:
        codes, uniques = _sorted_codes(s)
    except TypeError as exc:  # unorderable mixtures that infer_dtype let through
        raise TypeError(
            f"Column {name!r} cannot be sorted: {exc}. Convert it to one type."
        ) from exc
    if len(codes) and codes.min() < 0:
        row = int(np.flatnonzero(codes < 0)[0])
        where = f"at row {row}" if what == "id" else f"for {namer(row)}"
        raise ValueError(
            f"Column {name!r} has missing values (NaN/None) {where}; every row needs "
            f"a {what}. Drop or fill those rows before reshaping."
        )
    return _small_codes(codes, len(uniques)), uniques.rename(name)


def _time_codes(s: pd.Series, name: Hashable, namer: _RowNamer) -> tuple:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered:
        raise TypeError(
            f"Column {name!r} is an unordered categorical, so its steps have no order; "
            "use numbers or datetimes, or an ordered categorical."
        )
    bad = pdt.is_bool_dtype(dtype) or pdt.is_string_dtype(dtype)
    if pdt.is_object_dtype(dtype):
        bad = pdt.infer_dtype(s, skipna=True) not in (
            _NUMERIC_INFERRED | {"datetime", "datetime64", "date", "timedelta", "timedelta64"}
        )
    if bad or pdt.is_complex_dtype(dtype):
        row = _first_type_change(s) if pdt.is_object_dtype(dtype) else 0
        raise TypeError(
            f"Column {name!r} (time) has dtype {dtype} with values such as "
            f"{_fmt(s.iloc[row])} at {namer(row)}; time must be numeric or datetime of one "
            "type. Parse it first with pd.to_datetime or pd.to_numeric."
        )
    if pdt.is_float_dtype(dtype):
        inf = np.isinf(s.to_numpy(dtype=np.float64, na_value=np.nan))
        if inf.any():
            row = int(np.flatnonzero(inf)[0])
            raise ValueError(f"Column {name!r} (time) has infinite values for {namer(row)}.")
    return _factorize(s, name, "time", namer)


def _values(s: pd.Series, name: Hashable, namer: _RowNamer) -> np.ndarray:
    """A value column as a float array (a view when possible), NaN kept as missing."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        arr = s.to_numpy()
    elif pdt.is_numeric_dtype(dtype) and not pdt.is_complex_dtype(dtype):
        arr = s.to_numpy(dtype=np.float64, na_value=np.nan)  # nullable Int64 / Float64
    elif pdt.is_object_dtype(dtype) and pdt.infer_dtype(s, skipna=True) in _NUMERIC_INFERRED:
        arr = pd.to_numeric(s).to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        ok = s.map(lambda v: isinstance(v, (numbers.Real, decimal.Decimal))) | s.isna()
        row = int(np.flatnonzero(~ok.to_numpy(dtype=bool))[0]) if not ok.all() else 0
        raise TypeError(
            f"Column {name!r} has non-numeric values ({_fmt(s.iloc[row])}, dtype {dtype}) "
            f"for {namer(row)}; values must be numbers. Convert them with pd.to_numeric, "
            "or name this column as id / kind / label instead of a value column."
        )
    if arr.dtype.kind == "f":
        inf = np.isinf(arr)
        if inf.any():
            row = int(np.flatnonzero(inf)[0])
            raise ValueError(
                f"Column {name!r} has infinite values for {namer(row)}; ±inf is not a "
                "valid measurement. Replace it with NaN (missing) or clip it."
            )
    return arr


def _as_float(arr: np.ndarray, dtype: np.dtype, name: Hashable, namer: _RowNamer) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        out = arr.astype(dtype, copy=False)
    if arr.dtype.kind == "f" and out.dtype.itemsize < arr.dtype.itemsize:
        overflow = np.isinf(out)
        if overflow.any():
            row = int(np.flatnonzero(overflow)[0])
            raise ValueError(
                f"Column {name!r} has values beyond the {dtype} range for {namer(row)} "
                f"({_fmt(arr[row])}); pass dtype=np.float64 or rescale the column."
            )
    return out


def _free_name(base: str, taken) -> str:
    """``base``, or ``base_1``, ``base_2``, ... -- the first that is not in ``taken``."""
    name, k = base, 0
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    return name


def _float_dtype(dtype: DTypeLike) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dt}.")
    return dt


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


def _align_rows(s: pd.Series, df: pd.DataFrame) -> pd.Series | None:
    """``s`` in the row order of ``df`` when its index holds exactly the row labels, else None."""
    if s.index.equals(df.index):
        return s
    if len(s) == len(df) and s.index.is_unique and df.index.is_unique:
        if (s.index.get_indexer(df.index) >= 0).all():
            return s.reindex(df.index)
    return None


def _per_sample(spec, what: str, df, id_code, ids, namer) -> tuple:
    """One value per sample, and the per-sample Index that ``to_long`` can restore.

    ``spec`` is a column name, a Series whose index holds the row labels of ``df`` (e.g.
    ``df["label"]``, aligned by index) -- both must be constant within each id -- or a table
    indexed by id.
    """
    if isinstance(spec, pd.Series):
        per_row = _align_rows(spec, df)
        if per_row is None:
            return _from_table(spec, what, ids), None
        spec = per_row
    s, name = (spec, spec.name) if isinstance(spec, pd.Series) else (df[spec], spec)
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
    if isinstance(spec, pd.Series) and len(ids) == len(df) and spec.index.is_unique:
        # One row per sample: a table indexed by id could have the frame's index too (say,
        # ids 0..n-1 on a RangeIndex). Refuse to guess when the two readings disagree.
        pos = spec.index.get_indexer(ids)
        if (pos >= 0).all():
            as_table = pd.Index(spec.iloc[pos].to_numpy())
            differ = np.flatnonzero(as_table.to_numpy() != taken.to_numpy())
            if len(differ):
                raise ValueError(
                    f"The {what} Series has the DataFrame's index, so it is read row by row, "
                    f"but its index also holds every id, and read as a table indexed by id it "
                    f"gives another {what} for id {_fmt(ids[differ[0]])}. Pass the column "
                    f"name instead, or a Series indexed by id with a different index."
                )
    return taken.to_numpy(), taken


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


def _factorize_sorted(values) -> tuple[np.ndarray, Any]:
    """``pd.factorize(values, sort=True)`` whose codes are remapped in place (half the memory)."""
    codes, uniques = pd.factorize(values, size_hint=min(len(values), 1 << 16))
    order = np.asarray(uniques.argsort())
    remap = np.empty(len(order) + 1, dtype=codes.dtype)
    remap[order] = np.arange(len(order))
    remap[-1] = -1  # missing values keep code -1
    for i in range(0, len(codes), _CHUNK):
        codes[i : i + _CHUNK] = remap[codes[i : i + _CHUNK]]
    return codes, uniques.take(order)


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


# --------------------------------------------------------------------------- result
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
        Number of observed time steps of every sample.
    y, groups : ndarray of shape (n_samples,) or None
        Per-sample labels and groups, when asked for.
    time_index : pandas.Index
        Sorted distinct time stamps of the whole table.
    time_codes : ndarray of shape (n_samples, n_timesteps)
        Position in ``time_index`` of every step's stamp; -1 marks padding.
    """

    X: np.ndarray
    ids: pd.Index
    channels: pd.Index
    lengths: np.ndarray
    time_index: pd.Index
    time_codes: np.ndarray
    y: np.ndarray | None = None
    groups: np.ndarray | None = None
    _layout: dict = field(default_factory=dict)

    @property
    def times(self) -> np.ndarray:
        """Time stamp of every step, shape (n_samples, n_timesteps); NaN/NaT for padding."""
        taken = self.time_index.take(
            self.time_codes.astype(np.intp).ravel(), allow_fill=True, fill_value=np.nan
        )
        return np.asarray(taken).reshape(self.time_codes.shape)

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
        from, rows sorted by id, time (and kind), padding dropped. It equals the sorted input
        table when the values are representable in ``X.dtype``. In the kind layout every
        ``(time, kind)`` cell of an observed step comes back, as NaN where the input had no row;
        ``dropna=True`` drops rows whose values are all NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timesteps), default=None
            Values of the same shape as :attr:`X`, e.g. after a row-preserving transformer.
        predictions : array-like of shape (n_samples,) or DataFrame, default=None
            Per-sample outputs, repeated on every row of their sample.
        column_prediction : str, default="prediction"
            Column name for 1D ``predictions``.
        dropna : bool, default=False
            Drop rows whose values are all NaN.

        Returns
        -------
        pandas.DataFrame
        """
        X = self.X if X is None else np.asarray(X)
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

        return _assemble(
            X,
            self.time_codes >= 0,
            self.ids,
            time_of,
            self.channels,
            self._layout,
            predictions,
            column_prediction,
            dropna,
        )


# --------------------------------------------------------------------------- inverse
def _assemble(X, keep, ids, time_of, channels, layout, predictions, column_prediction, dropna):
    n, C, T = X.shape
    kind = layout.get("kind")
    if kind is not None:
        ii, cc, tt = np.nonzero(np.broadcast_to(keep[:, None, :], (n, C, T)))
        values = {layout["value"]: X[ii, cc, tt]}
    else:
        ii, tt = np.nonzero(keep)
        values = {ch: X[ii, c, tt] for c, ch in enumerate(channels)}
    for name, dt in layout.get("dtypes", {}).items():
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
    put(layout.get("time", "time"), time_of(ii, tt), "the time")
    if kind is not None:
        put(kind, channels.take(cc), "the kind")
    for name, data in values.items():
        put(name, data, "a value column")
    for name, per_sample in layout.get("extra", {}).items():
        if name not in cols:  # y / groups columns that are not id columns
            put(name, per_sample.take(ii), "a label column")
    if predictions is not None:
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
    order = [c for c in layout.get("order", []) if c in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    if dropna:
        value_cols = list(values)
        out = out[out[value_cols].notna().any(axis=1).to_numpy()].reset_index(drop=True)
    return out


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
    which restores the original time stamps, column names and dtypes exactly.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
        Sequences, NaN-padded.
    ids : array-like of shape (n_samples,), default=None
        Sample ids; default ``0 .. n_samples - 1``.
    channels : sequence of length n_channels, default=None
        Channel names; default ``"channel0"``, ``"channel1"``, ...
    times : array-like of shape (n_samples, n_timesteps), default=None
        Time stamp of every step, NaN/NaT where padded. When None, steps are numbered from 0
        and only the trailing all-NaN steps of each sample count as padding.
    column_id, column_sort : hashable, default="id", "time"
        Names of the id and time columns.
    column_kind : hashable, default=None
        When given, a tsfresh-style table (id, time, kind, value) is returned; otherwise one
        row per time step with one column per channel.
    column_value : hashable, default="value"
        Name of the value column of the kind layout.
    predictions : array-like of shape (n_samples,) or DataFrame, default=None
        Per-sample outputs, repeated on every row of their sample.
    column_prediction : str, default="prediction"
        Column name for 1D ``predictions``.
    dropna : bool, default=False
        Drop rows whose values are all NaN.

    Returns
    -------
    pandas.DataFrame
        Rows sorted by id, time (and kind).

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
    X = np.asarray(X)
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n_samples, n_channels, n_timesteps), got {X.shape}.")
    n, C, T = X.shape
    if not isinstance(ids, pd.MultiIndex):  # a MultiIndex keeps its level names
        ids = pd.Index(np.arange(n) if ids is None else ids, name=column_id)
    channels = pd.Index([f"channel{c}" for c in range(C)] if channels is None else channels)
    if len(ids) != n or len(channels) != C:
        raise ValueError(
            f"Got {len(ids)} ids and {len(channels)} channels for X of shape {X.shape}."
        )
    if column_kind is None and not channels.is_unique:
        raise ValueError(
            f"Channel {_fmt(channels[channels.duplicated()][0])} is named twice; each channel "
            "becomes a column, so the names must be distinct."
        )
    if times is None:
        observed = ~np.isnan(X).all(axis=1)
        last = np.where(observed.any(axis=1), T - np.argmax(observed[:, ::-1], axis=1), 0)
        keep = np.arange(T) < last[:, None]
        step_times = np.broadcast_to(np.arange(T), (n, T))
    else:
        step_times = np.asarray(times)
        if step_times.shape != (n, T):
            raise ValueError(f"times must have shape {(n, T)}, got {step_times.shape}.")
        keep = ~pd.isna(step_times)

    def time_of(ii, tt):
        return step_times[ii, tt]

    layout = {"kind": column_kind, "value": column_value, "time": column_sort}
    return _assemble(
        X, keep, ids, time_of, channels, layout, predictions, column_prediction, dropna
    )


# --------------------------------------------------------------------------- forward
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
    not share stamps); shorter samples are NaN-padded at the end. Row order never matters.
    The caller's DataFrame is never modified.

    Parameters
    ----------
    df : pandas.DataFrame
        The long table.
    column_id : hashable or list of hashable
        Column(s) identifying a sample; a list makes composite ids, e.g.
        ``["subject", "trial"]``. Missing ids are an error; unused categories of a
        categorical id column produce no samples.
    column_sort : hashable, default=None
        Time column (numeric, datetime, timedelta or ordered categorical). When None, the
        row order within each sample (and kind) is taken as the time order, and
        :meth:`Sequences.to_long` numbers the steps in a column ``"time"`` (``"time_1"``, ...
        if the table has a column of that name).
    column_kind : hashable, default=None
        Channel column of the tsfresh layout; channels are its sorted distinct values.
    column_value : hashable or list of hashable, default=None
        The value column (tsfresh layout) or the channel columns, in channel order.
        Default: every column not used as id, time, kind, ``y`` or ``groups``.
    y, groups : hashable or pandas.Series, default=None
        A column that is constant within every sample -- by name, or as a Series with the
        index of ``df`` such as ``df["label"]`` -- or a table (Series) indexed by id.
        Returned aligned with ``X``. Extra ids in a table are ignored; missing ids are an error.
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
        Missing columns, empty table, missing id / time / kind, duplicate
        ``(id, time[, kind])`` rows, ±inf values, values beyond ``dtype``, labels that vary
        within a sample or are missing from a label table.
    TypeError
        Non-numeric values, mixed-type id / time / kind columns, time that is not orderable.

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
    id_cols = list(column_id) if isinstance(column_id, list) else [column_id]
    if not id_cols:
        raise ValueError("column_id must name at least one column.")
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
        if column_value is None or isinstance(column_value, list):
            raise ValueError(
                "With column_kind, column_value must name the single value column, got "
                f"{column_value!r}."
            )
        value_cols = [column_value]
    elif column_value is None:
        value_cols = [c for c in df.columns if c not in used and c not in named]
    else:
        value_cols = list(column_value) if isinstance(column_value, list) else [column_value]
    if not value_cols:
        raise ValueError("No value columns left; pass column_value=[...].")
    _check_columns(df, value_cols)
    overlap = [c for c in value_cols if c in used]
    if overlap:
        raise ValueError(f"Column {overlap[0]!r} cannot be both a value and an id/time/kind.")
    if len(df) == 0:
        raise ValueError(
            "The DataFrame is empty (0 rows); long_to_sequences needs at least one row."
        )
    namer = _RowNamer(df, id_cols)

    id_code, ids = _sample_codes(df, id_cols, namer)
    if column_kind is not None:
        kind_code, channels = _factorize(df[column_kind], column_kind, "kind", namer)
    else:
        kind_code, channels = None, pd.Index(value_cols)
    values = [_values(df[c], c, namer) for c in value_cols]
    n, C = len(ids), len(channels)
    if column_sort is not None:
        t_code, time_index = _time_codes(df[column_sort], column_sort, namer)
        time_name = column_sort
    else:  # row order within each sample (and kind) is the time order
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

    layout: dict[str, Any] = {
        "kind": column_kind,
        "value": value_cols[0],
        "time": time_name,
        "dtypes": {c: df[c].dtype for c in value_cols if isinstance(df[c].dtype, np.dtype)},
        "order": list(df.columns),
        "extra": {},
    }
    out = {}
    for key, spec in (("y", y), ("groups", groups)):
        if spec is not None:
            out[key], per_sample = _per_sample(spec, key, df, id_code, ids, namer)
            if per_sample is not None and per_sample.name in df.columns:
                layout["extra"][per_sample.name] = per_sample
    if column_sort is None:
        layout["order"].append(time_name)
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
