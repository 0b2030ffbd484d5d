"""Reading the UCR 2018 archive's ``.tsv`` format.

``load_tsv`` reads one ``.tsv`` file into the same layout as
:func:`~seqpool_sklearn.load_ts`: ``X`` of shape ``(n_samples, 1, n_timesteps)``,
float32, unequal lengths padded with NaN at the end, ``y`` the class labels as
strings exactly as written, and a :class:`~seqpool_sklearn.TSMetadata`. A
malformed file is an error naming the file and the line.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ._tsfile import (
    _FLOAT32_MAX,
    TSMetadata,
    _beyond_float32,
    _file_path,
    _first_underscore,
    _overflow_note,
    _read_lines,
)
from ._validation import _callers_stacklevel, check_bool

__all__ = ["load_tsv"]


class _TSVParser:
    """Line-by-line reader of one ``.tsv`` file: ``label<TAB>value<TAB>value...``."""

    def __init__(self, path: Path):
        self.path = path
        self.labels: list[str] = []
        self.series: list[np.ndarray] = []
        self.has_missing = False

    def error(self, lineno: int, message: str) -> ValueError:
        return ValueError(f"{self.path}, line {lineno}: {message}")

    def _not_a_number(self, lineno: int, j: int, token: str) -> ValueError:
        token = token.strip()
        if not token:
            what = f"an empty value at position {j + 1} of the series (two tabs in a row)"
        elif "_" in token:
            what = (
                f"value {token!r} at position {j + 1} of the series (digits cannot be "
                "grouped with '_')"
            )
        else:
            what = f"non-numeric value {token!r} at position {j + 1} of the series"
        if len(token.split()) > 1:
            # several numbers in one field: the values are separated by spaces, not tabs
            hint = " (the values seem separated by spaces; a .tsv file separates them with tabs)"
        elif not self.series and j == 0 and any(c.isalpha() for c in token) and "_" not in token:
            # a word where the first value should be, on the first line: most likely a header
            hint = " (a .tsv file of the UCR archive has no header line)"
        else:
            hint = ""
        return self.error(
            lineno,
            f"{what}; after the label, values must be numbers separated by tabs, with NaN for "
            f"a missing value{hint}.",
        )

    def _values(self, lineno: int, tokens: list[str], line: str) -> np.ndarray:
        # Python's float reads 1_000 as 1000; a number in a file has no "_" (the line is
        # searched first, at C speed; the label may hold one)
        j = _first_underscore(tokens) if "_" in line else None
        if j is not None:
            raise self._not_a_number(lineno, j, tokens[j])
        try:
            values = np.asarray(tokens, dtype=np.float64)
        except ValueError as exc:
            # The fast path failed; find the culprit for the message.
            for j, token in enumerate(tokens):
                try:
                    float(token)
                except ValueError:
                    raise self._not_a_number(lineno, j, token) from None
            raise self.error(lineno, f"unreadable values ({exc}).") from None
        if np.isinf(values).any():
            j = int(np.flatnonzero(np.isinf(values))[0])
            note = _overflow_note(tokens[j])
            if note is not None:
                where = f"position {j + 1} of the series"
                raise self.error(lineno, note.format(where=where, reader="load_tsv"))
            raise self.error(
                lineno,
                f"infinite value at position {j + 1} of the series; write NaN for a missing value.",
            )
        j = _beyond_float32(values)
        if j is not None:
            raise self.error(
                lineno,
                f"value {tokens[j].strip()} at position {j + 1} of the series is beyond the "
                f"float32 range (|x| <= {_FLOAT32_MAX:.4g}) that load_tsv returns; rescale the "
                "series in the file.",
            )
        return values

    def line(self, lineno: int, line: str) -> None:
        fields = line.split("\t")
        label = fields[0].strip()
        if len(fields) == 1:
            if label.startswith(("@", "#")):
                raise self.error(
                    lineno,
                    f"{label.split()[0]!r} looks like a header or comment of the .ts format; "
                    "a .tsv file has neither. Read .ts files with load_ts.",
                )
            for sep, name in ((",", "','"), (";", "';'"), (" ", "spaces")):
                if sep in label:
                    raise self.error(
                        lineno,
                        f"no tab in the line, but {name}; the fields of a .tsv file (the "
                        "label, then the values) are separated by tabs.",
                    )
            raise self.error(
                lineno,
                f"a line with only a label ({label!r}) and no values; each line holds the "
                "class label, then the series' values, separated by tabs.",
            )
        if not label or label.lower() == "nan":
            got = f"is {label!r}" if label else "is empty"
            raise self.error(
                lineno,
                f"missing label: the first field {got}; each line starts with the class label, "
                "then the values.",
            )
        values = self._values(lineno, fields[1:], line)
        observed = np.flatnonzero(~np.isnan(values))
        if observed.size == 0:
            raise self.error(
                lineno,
                f"the series labelled {label!r} has no values, only NaN; remove the line.",
            )
        # Trailing NaN is padding (the archive pads unequal lengths that way); NaN before
        # the last observed value is a missing value.
        values = values[: observed[-1] + 1]
        self.has_missing = self.has_missing or observed.size < values.size
        self.labels.append(label)
        self.series.append(values)

    def finish(self, n_lines: int) -> tuple[np.ndarray, np.ndarray, TSMetadata]:
        if n_lines == 0:
            raise ValueError(
                f"{self.path} is empty; a .tsv file holds one series per line: the class "
                "label, then the values, separated by tabs."
            )
        if not self.series:
            raise self.error(
                n_lines,
                "no series; a .tsv file holds one series per line: the class label, then the "
                "values, separated by tabs.",
            )
        self._refuse_header()
        clashes = number_spellings(self.labels)
        if clashes:
            warnings.warn(
                f"{self.path}: the labels {spelling_advice(clashes)}",
                UserWarning,
                stacklevel=_callers_stacklevel(),
            )
        lengths = np.array([len(v) for v in self.series], dtype=int)
        X = np.full((len(self.series), 1, int(lengths.max())), np.nan, np.float32)
        for i, values in enumerate(self.series):
            X[i, 0, : len(values)] = values
        y = np.asarray(self.labels, dtype=str)
        meta = TSMetadata(
            path=self.path,
            problem_name=None,
            n_channels=1,
            lengths=lengths,
            equal_length=bool((lengths == lengths[0]).all()),
            class_labels=tuple(sorted(set(self.labels), key=_label_order)),
            regression=False,
            has_missing=self.has_missing,
        )
        return X, y, meta

    def _refuse_header(self) -> None:
        """Refuse a first line that is a header of numbered columns (``label 0 1 2 ...``).

        pandas writes one (``to_csv(sep="\t", index=False)``): its values read as numbers,
        so it would be a series of class ``'label'`` with the values 0, 1, 2, ...
        """
        if len(self.labels) < 2 or _is_number(self.labels[0]):
            return
        if not all(_is_number(label) for label in self.labels[1:]):
            return
        first = self.series[0]
        steps = np.arange(len(first), dtype=np.float64)
        if not (np.array_equal(first, steps) or np.array_equal(first, steps + 1)):
            return
        raise self.error(
            1,
            f"the first line looks like a header of numbered columns (the label "
            f"{self.labels[0]!r} where every other label is a number, then the values "
            f"{first[0]:g}, {first[1] if len(first) > 1 else first[0]:g}, ...); a .tsv file "
            "of the UCR archive has no header line. Remove it, or write the table without one "
            "(pandas: to_csv(path, sep='\\t', header=False, index=False)).",
        )


def _is_number(label: str) -> bool:
    try:
        float(label)
    except ValueError:
        return False
    return True


def number_spellings(*label_lists) -> dict[str, str]:
    """Labels that spell a number another label spelt first (``'1.0'`` after ``'1'``).

    Labels are read as written, so such labels are different classes; across
    ``label_lists`` (the train and test splits, say) as within one. Returns
    ``{later spelling: first spelling}``, empty where every number has one spelling.
    """
    seen: dict[float, str] = {}
    clashes: dict[str, str] = {}
    for labels in label_lists:
        if labels is None:
            continue
        for label in dict.fromkeys(str(v) for v in np.asarray(labels).ravel()):
            try:
                value = float(label)
            except ValueError:
                continue
            if value != value:  # NaN
                continue
            first = seen.setdefault(value, label)
            if first != label:
                clashes[label] = first
    return clashes


def spelling_advice(clashes: dict[str, str], names: tuple[str, ...] = ("y",)) -> str:
    """The labels named, and a mapping of the label arrays ``names`` that makes them one
    spelling (runnable as written)."""
    named = ", ".join(f"{b!r} and {a!r}" for b, a in clashes.items())
    mapping = "; ".join(f"{y} = np.array([{clashes!r}.get(v, v) for v in {y}])" for y in names)
    return (
        f"{named} are the same number spelt differently; they are read as different classes, "
        f"as written. If they are one class, write them alike in the files, or map them: "
        f"{mapping}."
    )


def _label_order(label: str) -> tuple[int, float, str]:
    """Numbers in numeric order ("2" before "10"), then other labels alphabetically."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def load_tsv(
    path: str | os.PathLike, *, return_meta: bool = False
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, TSMetadata]:
    """Read a ``.tsv`` file of the UCR 2018 archive (univariate, labelled).

    Each line holds one series: the class label, then the values, separated by
    tabs; no header. ``NaN`` marks a missing value. The archive pads series of
    unequal length with trailing ``NaN`` to a common width, so trailing ``NaN``
    is read as padding: a series ends at its last number.

    Parameters
    ----------
    path : str or path-like
        The ``.tsv`` file.
    return_meta : bool, default=False
        Also return a :class:`TSMetadata` describing the file.

    Returns
    -------
    X : ndarray of shape (n_samples, 1, n_timesteps), dtype float32
        ``n_timesteps`` is the length of the longest series in the file (extra
        padding columns are dropped); shorter series are padded with NaN at the
        end, as :func:`load_ts` does.
    y : ndarray of shape (n_samples,), dtype str
        Class labels as written in the file (e.g. ``"1"``, ``"-1"``).
    meta : TSMetadata
        Only when ``return_meta=True``. ``problem_name`` is None (the format has
        no header); ``class_labels`` are the distinct labels found, numbers in
        numeric order; ``lengths`` count each series' steps up to its last
        number.

    Raises
    ------
    ValueError
        For a malformed file -- a non-numeric or infinite value, a value beyond
        float32's range, bytes that are not UTF-8, an empty line between series, a
        line without values or without a label, a series that is all NaN, an empty
        file; the message names the file and the line number.
    TypeError
        When ``path`` is not a file name (str or path-like).
    IsADirectoryError
        When ``path`` is a folder.

    See Also
    --------
    load_ts : Read a ``.ts`` file of the UCR/UEA archive.
    fetch_ucr : Load a dataset in either format from the local cache.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from seqpool_sklearn import load_tsv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "Toy_TRAIN.tsv"
    >>> _ = path.write_text(
    ...     "1\\t0.5\\t1.5\\t2.5\\tNaN\\n"
    ...     "2\\t4\\tNaN\\t6\\tNaN\\n"
    ...     "1\\t7\\t8\\tNaN\\tNaN\\n"
    ... )
    >>> X, y, meta = load_tsv(path, return_meta=True)
    >>> X.shape, y.tolist()
    ((3, 1, 3), ['1', '2', '1'])
    >>> X[1, 0], X[2, 0]
    (array([ 4., nan,  6.], dtype=float32), array([ 7.,  8., nan], dtype=float32))
    >>> meta.lengths.tolist(), meta.class_labels, meta.has_missing
    ([3, 3, 2], ('1', '2'), True)
    """
    path = _file_path(path, "load_tsv", ".tsv")
    return_meta = check_bool(return_meta, "return_meta")
    parser = _TSVParser(path)
    blank = None  # first empty line not yet followed by a series
    lineno = 0
    for lineno, raw in _read_lines(path):
        line = raw.rstrip()  # the line end, and trailing tabs that hold nothing
        if not line.strip():
            blank = blank or lineno
            continue
        if blank is not None:
            raise parser.error(
                blank,
                "empty line between series; remove it (a .tsv file holds one series per line).",
            )
        parser.line(lineno, line)
    X, y, meta = parser.finish(lineno)
    return (X, y, meta) if return_meta else (X, y)
