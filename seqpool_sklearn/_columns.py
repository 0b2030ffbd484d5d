"""Reading the columns of a pandas table: validation, sorted integer codes, float values.

Shared by :func:`~seqpool_sklearn.long_to_sequences` and
:func:`~seqpool_sklearn.sliding_windows`, so that both reject the same bad input with the
same messages: every error names the column, says what was expected and what was found, and
points at the first offending sample (or row).

Ids, time stamps and channels are factorized into codes in sorted-value order with as little
memory as the data allows: categorical columns reuse their codes, integer columns with a
compact range use a lookup table (no hashing, no sort), everything else goes through
``pd.factorize``.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike
from pandas.api import types as pdt

from ._validation import did_you_mean

# Extra entries allowed in an integer column's lookup table beyond two per row.
_LOOKUP_SLACK = 1 << 20
# Rows per chunk where a full-length temporary would cost too much memory.
_CHUNK = 1 << 20
_NUMERIC_INFERRED = {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"}


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


def _check_columns(df: pd.DataFrame, names: list[Hashable]) -> None:
    for name in names:
        _check_hashable(name, "A column name")
        if name not in df.columns:
            hint = did_you_mean(str(name), [str(c) for c in df.columns])
            if any(level == name for level in df.index.names if level is not None):
                where = "the row index" if df.index.nlevels == 1 else "a level of the row index"
                hint = f" {_fmt(name)} is {where}: make it a column with df.reset_index() first."
            raise ValueError(
                f"Column {name!r} not found in the DataFrame; it has columns "
                f"{list(df.columns)}.{hint}"
            )
        if isinstance(df.columns, pd.MultiIndex):
            key = name if isinstance(name, tuple) else (name,)
            if len(key) < df.columns.nlevels:  # a label of the first level(s): many columns
                matches = [c for c in df.columns if c[: len(key)] == key]
                more = ", ..." if len(matches) > 5 else ""
                raise ValueError(
                    f"Column {name!r} is not one column: the DataFrame's columns have "
                    f"{df.columns.nlevels} levels, and {name!r} matches {len(matches)} of them "
                    f"({', '.join(repr(c) for c in matches[:5])}{more}). Name a column by its "
                    f"full tuple, e.g. {matches[0]!r}."
                )
        if int((df.columns == name).sum()) > 1:
            raise ValueError(
                f"Column {name!r} appears more than once in the DataFrame; "
                "rename or drop the duplicates first."
            )


def _described(value: Any) -> str:
    """``value`` for a message: its type, and its repr when that is short."""
    text = "" if isinstance(value, (pd.Series, pd.DataFrame)) else repr(value)
    return type(value).__name__ + (f" {text}" if text and len(text) <= 60 else "")


def _is_hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_hashable(name: Any, what: str) -> None:
    """A column name must be hashable: a list, set or Series is a TypeError that says so."""
    if not _is_hashable(name):
        raise TypeError(f"{what} must be one column name, got {_described(name)}.")


def _name_list(spec: Any, what: str) -> list:
    """Column names given as a list, a pandas Index or a 1-D array; anything else is one name.

    A tuple stays one name: it is how a column of MultiIndex columns is named. Anything else
    that is not a name (a set, dict or Series) is a TypeError.
    """
    if isinstance(spec, (pd.Index, np.ndarray)):
        if spec.ndim != 1:
            raise ValueError(f"{what} must be a 1-D list of column names, got shape {spec.shape}.")
        names = spec.tolist()
    elif isinstance(spec, list):
        names = list(spec)
    elif not _is_hashable(spec):
        raise TypeError(
            f"{what} must be a column name or a list of column names, got "
            f"{_described(spec)}; pass a list, e.g. {what}=[...]."
        )
    else:
        return [spec]
    for name in names:
        if not _is_hashable(name):
            raise TypeError(
                f"{what} must be a list of column names, but it holds {_described(name)}."
            )
    return names


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


def _small_codes(codes: np.ndarray, n_values: int) -> np.ndarray:
    # Smallest unsigned type that holds the codes: on 10 M rows this saves hundreds of MB.
    return codes.astype(np.min_scalar_type(max(n_values - 1, 0)), copy=False)


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


def _kind(value: Any) -> str:
    """The type of a value, for telling mixed columns: numbers are one kind, bool its own."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    return "number" if isinstance(value, numbers.Real) else type(value).__name__


def _first_type_change(s: pd.Series) -> int:
    """Position of the first non-missing value whose type differs from the first one's.

    The first non-missing value's position when they are all of one type.
    """
    rows = np.flatnonzero(s.notna().to_numpy())
    if not len(rows):
        return 0
    kinds = np.array([_kind(v) for v in s.iloc[rows]])
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
        if span <= 2 * n + _LOOKUP_SLACK:

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
        first = s.dropna().iloc[0]
        if _kind(s.iloc[row]) == _kind(first):  # one type, but not one that sorts
            fix = "use composite ids (column_id=[...]) or " if what == "id" else ""
            raise TypeError(
                f"Column {name!r} holds values of type {type(first).__name__} (such as "
                f"{first!r} at row {row}), which cannot be used as {what} values; "
                f"{fix}convert them to str first, e.g. df[col].astype(str)."
            )
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
    elif isinstance(dtype, pd.CategoricalDtype) and pdt.is_numeric_dtype(dtype.categories):
        raise TypeError(
            f"Column {name!r} has dtype {dtype} (categories of {dtype.categories.dtype}), "
            f"which is not a value dtype: a categorical holds labels, even when they are "
            f"numbers. Convert it first with df[{name!r}].astype(float), or name this column "
            "as id / kind / label instead of a value column."
        )
    else:
        ok = s.map(lambda v: isinstance(v, (numbers.Real, decimal.Decimal))) | s.isna()
        row = int(np.flatnonzero(~ok.to_numpy(dtype=bool))[0]) if not ok.all() else 0
        value = s.iloc[row]
        complex_value = isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)
        if pdt.is_complex_dtype(dtype) or complex_value:
            raise TypeError(
                f"Column {name!r} has complex values ({_fmt(s.iloc[row])}, dtype {dtype}) "
                f"for {namer(row)}; complex values are not supported. Take the real part "
                "(np.real) or the magnitude (abs) first -- or both, as two value columns."
            )
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


def _is_column(s: pd.Series, df: pd.DataFrame) -> bool:
    """Whether ``s`` holds the column of its name in ``df``, row for row."""
    name = s.name
    if name is None or not df.columns.is_unique or name not in df.columns:
        return False
    return bool(df[name].equals(s))


def _align_rows(s: pd.Series, df: pd.DataFrame) -> pd.Series | None:
    """``s`` in the row order of ``df`` when its index holds exactly the row labels, else None.

    A row index that repeats labels (``pd.concat`` without ``ignore_index``) cannot align
    anything: ``s`` is read in row order only when it is one of ``df``'s columns, and
    refused otherwise -- a sorted copy of a column has the same labels in another order.
    """
    if s.index.equals(df.index):
        if not df.index.is_unique and not _is_column(s, df):
            raise ValueError(
                f"The table's row index repeats labels (such as "
                f"{_fmt(df.index[df.index.duplicated()][0])}, e.g. after pd.concat without "
                f"ignore_index), so the Series {s.name!r} cannot "
                "be aligned to its rows by index. Reset the index first "
                "(df = df.reset_index(drop=True)), or pass the name of a column."
            )
        return s
    if len(s) == len(df) and s.index.is_unique and df.index.is_unique:
        if (s.index.get_indexer(df.index) >= 0).all():
            return s.reindex(df.index)
    return None
