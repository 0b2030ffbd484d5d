"""Reading the UCR/UEA ``.ts`` format.

``load_ts`` reads one ``.ts`` file into the package's one data layout: ``X`` of
shape ``(n_samples, n_channels, n_timesteps)``, float32, unequal lengths padded
with NaN at the end; ``y`` holds class labels as strings (exactly as written in
the file) or float regression targets. A malformed file is an error naming the
file and the line.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import _callers_stacklevel, check_bool, check_file_name

__all__ = ["TSMetadata", "load_ts"]

# Values are returned as float32; larger magnitudes would silently become inf.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _beyond_float32(values: np.ndarray) -> int | None:
    """Position of the first finite value that float32 cannot hold (it would be inf), or None.

    float32's largest value as numpy prints it (``3.4028235e+38``) is a little above the
    exact maximum and rounds down to it, so it is read.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.isinf(values.astype(np.float32)) & np.isfinite(values)
    return int(np.flatnonzero(big)[0]) if big.any() else None


def _overflow_note(token: str) -> str | None:
    """For a token float64 reads as infinite: why, when it does not spell infinity."""
    token = token.strip()
    if token.lstrip("+-").lower() in ("inf", "infinity"):
        return None
    return (
        f"value {token} at {{where}} is beyond float64's range (|x| <= "
        f"{np.finfo(np.float64).max:.4g}), let alone the float32 range (|x| <= "
        f"{_FLOAT32_MAX:.4g}) that {{reader}} returns; rescale the series in the file."
    )


def _first_underscore(tokens: list[str]) -> int | None:
    """Position of the first token with an underscore (``1_000``, which Python's float reads)."""
    for j, token in enumerate(tokens):
        if "_" in token:
            return j
    return None


def _file_path(path: Any, reader: str, suffix: str) -> Path:
    """``path`` of a reader as a Path: a file name (str or path-like), not a folder."""
    return Path(
        check_file_name(
            path,
            f"{reader} reads a file, but path is a folder; name the {suffix} file in it, or "
            "read a cache of datasets with fetch_ucr(name, data_home=...)",
        )
    )


def _read_lines(path: Path):
    """``(line number, line)`` of a UTF-8 text file; a leading byte-order mark is skipped.

    Bytes that are not UTF-8 are an error naming the file and the line, not a bare
    ``UnicodeDecodeError``.
    """
    # utf-8-sig: files saved by some Windows editors start with a byte-order mark.
    with open(path, encoding="utf-8-sig") as fh:
        try:
            yield from enumerate(fh, start=1)
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, exc) from None


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> ValueError:
    # Text is decoded in chunks ahead of the lines, so find the line in the raw bytes.
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as bad:
                return ValueError(
                    f"{path}, line {lineno}: byte {raw[bad.start]:#04x} at column "
                    f"{bad.start + 1} is not UTF-8 ({bad.reason}); the reader expects UTF-8 "
                    "text (the archive's files are plain ASCII). Re-save the file as UTF-8, "
                    "e.g. with iconv -f latin1 -t utf-8, or remove the character."
                )
    return ValueError(f"{path}: the file is not UTF-8 text ({exc}); save the file as UTF-8.")


@dataclass(frozen=True, eq=False)
class TSMetadata:
    """What a ``.ts`` (or ``.tsv``) file declares and contains.

    Returned by :func:`load_ts` and :func:`load_tsv` with ``return_meta=True``.

    Attributes
    ----------
    path : pathlib.Path
        The file that was read.
    problem_name : str or None
        Value of ``@problemName``, if present; always None for ``.tsv`` files,
        which have no header.
    n_channels : int
        Number of dimensions (channels) of every series.
    lengths : ndarray of shape (n_samples,), dtype int
        Number of time steps written for each series (its longest channel);
        ``X[i, :, lengths[i]:]`` is NaN padding.
    equal_length : bool
        Whether all series have the same length.
    class_labels : tuple of str or None
        Labels declared by ``@classLabel true ...``; None for regression or
        unlabelled files. For ``.tsv`` files, the distinct labels found, numbers
        in numeric order.
    regression : bool
        True when the file declares ``@targetLabel true`` (float targets).
    has_missing : bool
        True when at least one value is missing (``?`` or NaN) inside a series.

    See Also
    --------
    load_ts : Read a ``.ts`` file.
    load_tsv : Read a ``.tsv`` file of the UCR 2018 archive.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from seqpool_sklearn import load_ts
    >>> path = Path(tempfile.mkdtemp()) / "tiny.ts"
    >>> lines = ["@problemName tiny", "@univariate true", "@classLabel true a b", "@data",
    ...          "1,2,3:a", "4,5:b"]
    >>> _ = path.write_text("".join(line + chr(10) for line in lines))
    >>> X, y, meta = load_ts(path, return_meta=True)
    >>> meta.problem_name, meta.n_channels, meta.lengths.tolist(), meta.equal_length
    ('tiny', 1, [3, 2], False)
    """

    path: Path
    problem_name: str | None
    n_channels: int
    lengths: np.ndarray = field(repr=False)
    equal_length: bool
    class_labels: tuple[str, ...] | None
    regression: bool
    has_missing: bool


class _TSParser:
    """Line-by-line state machine for one ``.ts`` file (header, then ``@data``)."""

    _BOOL_KEYS = ("timestamps", "missing", "univariate", "equallength", "targetlabel")

    def __init__(self, path: Path):
        self.path = path
        self.header: dict[str, object] = {}
        self.in_data = False
        self.n_dims: int | None = None
        self.series: list[list[np.ndarray]] = []
        self.labels: list[str] = []

    def error(self, lineno: int, message: str) -> ValueError:
        return ValueError(f"{self.path}, line {lineno}: {message}")

    # -- header -------------------------------------------------------------------
    def _bool(self, lineno: int, key: str, word: str | None) -> bool:
        if word is None or word.lower() not in ("true", "false"):
            raise self.error(lineno, f"@{key} expects 'true' or 'false', got {word!r}.")
        return word.lower() == "true"

    def _int(self, lineno: int, key: str, word: str | None) -> int:
        try:
            value = int(word)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = 0
        if value < 1:
            raise self.error(lineno, f"@{key} expects a positive integer, got {word!r}.")
        return value

    def header_line(self, lineno: int, line: str) -> None:
        parts = line[1:].split(maxsplit=1)
        if not parts:
            raise self.error(lineno, "a lone '@' without a header keyword.")
        keyword, rest = parts[0], (parts[1] if len(parts) > 1 else "")
        key = keyword.lower()
        words = rest.split()
        first = words[0] if words else None
        if self.in_data:
            raise self.error(
                lineno,
                f"header keyword @{keyword} after @data; move all header lines above @data.",
            )
        if key in self.header:
            raise self.error(lineno, f"@{keyword} is declared twice; keep one declaration.")
        if key == "problemname":
            self.header[key] = rest.strip() or None
        elif key in self._BOOL_KEYS:
            self.header[key] = self._bool(lineno, keyword, first)
            if key == "timestamps" and self.header[key]:
                raise self.error(
                    lineno,
                    "files with @timeStamps true ((time,value) tuples) are not supported; "
                    "resample the series onto a regular grid and save them without timestamps.",
                )
        elif key in ("dimensions", "serieslength"):
            self.header[key] = self._int(lineno, keyword, first)
        elif key == "classlabel":
            has_labels = self._bool(lineno, keyword, first)
            labels = tuple(words[1:])
            if has_labels and not labels:
                raise self.error(
                    lineno,
                    "@classLabel true must list the class labels, e.g. '@classLabel true 1 2'.",
                )
            if len(set(labels)) != len(labels):
                raise self.error(lineno, f"@classLabel lists a label twice: {' '.join(labels)}.")
            self.header[key] = labels if has_labels else None
        elif key == "data":
            self._start_data(lineno)
        else:
            warnings.warn(
                f"{self.path}, line {lineno}: unknown header keyword @{keyword} ignored.",
                UserWarning,
                stacklevel=_callers_stacklevel(),
            )

    def _start_data(self, lineno: int) -> None:
        h = self.header
        if h.get("classlabel") and h.get("targetlabel"):
            raise self.error(
                lineno, "the header declares both @classLabel true and @targetLabel true; keep one."
            )
        dims = h.get("dimensions")
        if h.get("univariate") is True:
            if dims not in (None, 1):
                raise self.error(lineno, f"@univariate true contradicts @dimensions {dims}.")
            dims = 1
        self.n_dims = dims  # type: ignore[assignment]
        self.in_data = True

    # -- data ---------------------------------------------------------------------
    @property
    def regression(self) -> bool:
        return bool(self.header.get("targetlabel"))

    @property
    def class_labels(self) -> tuple[str, ...] | None:
        return self.header.get("classlabel")  # type: ignore[return-value]

    def _values(self, lineno: int, dim: int, text: str) -> np.ndarray:
        tokens = text.split(",")
        try:
            if "_" in text:  # Python's float reads 1_000 as 1000; a file's number has no "_"
                raise ValueError
            values = np.asarray(tokens, dtype=np.float64)
        except ValueError:
            values = np.empty(len(tokens))
            for j, token in enumerate(tokens):
                token = token.strip()
                if token == "?":
                    values[j] = np.nan
                    continue
                try:
                    if "_" in token:
                        raise ValueError
                    values[j] = float(token)
                except ValueError:
                    what = "an empty value" if not token else f"non-numeric value {token!r}"
                    if "_" in token:
                        what = f"value {token!r} (digits cannot be grouped with '_')"
                    raise self.error(
                        lineno,
                        f"{what} at position {j + 1} of dimension {dim + 1}; values must be "
                        "numbers separated by ',' ('?' marks a missing value).",
                    ) from None
        if np.isinf(values).any():
            j = int(np.flatnonzero(np.isinf(values))[0])
            note = _overflow_note(tokens[j])
            if note is not None:
                where = f"position {j + 1} of dimension {dim + 1}"
                raise self.error(lineno, note.format(where=where, reader="load_ts"))
            raise self.error(
                lineno,
                f"infinite value at position {j + 1} of dimension {dim + 1}; use '?' for a "
                "missing value.",
            )
        j = _beyond_float32(values)
        if j is not None:
            raise self.error(
                lineno,
                f"value {tokens[j].strip()} at position {j + 1} of dimension {dim + 1} is "
                f"beyond the float32 range (|x| <= {_FLOAT32_MAX:.4g}) that load_ts returns; "
                "rescale the series in the file.",
            )
        return values

    def data_line(self, lineno: int, line: str) -> None:
        if not self.in_data:
            raise self.error(
                lineno, "data before the @data line; put '@data' on its own line above the series."
            )
        fields = line.split(":")
        labelled = self.regression or self.class_labels is not None
        if self.n_dims is None:
            self.n_dims = len(fields) - labelled
            if self.n_dims < 1:
                raise self.error(lineno, "missing label: the line holds a single field.")
        expected = self.n_dims + labelled
        if len(fields) != expected:
            if labelled and len(fields) == self.n_dims:
                last = fields[-1].strip()
                if self.class_labels is not None and last in self.class_labels:
                    # the label is there: a dimension is not
                    raise self.error(
                        lineno,
                        f"missing dimension: the header declares {self.n_dims} dimension(s), "
                        f"but the line holds {len(fields) - 1} and the label {last!r}.",
                    )
                what = "label" if self.class_labels is not None else "target or a dimension"
                raise self.error(
                    lineno,
                    f"missing {what}: expected {self.n_dims} dimension(s) followed by "
                    f"':label', got {len(fields)} ':'-separated fields.",
                )
            raise self.error(
                lineno,
                f"expected {self.n_dims} dimension(s){' and a label' if labelled else ''} "
                f"({expected} ':'-separated fields), got {len(fields)}; every series must have "
                f"the same number of dimensions.{self._label_hint(fields, labelled)}",
            )
        if labelled:
            self._label(lineno, fields.pop().strip())
        dims = []
        for d, text in enumerate(fields):
            if not text.strip():
                raise self.error(lineno, f"dimension {d + 1} is empty.")
            try:
                dims.append(self._values(lineno, d, text))
            except ValueError as exc:
                if d != len(fields) - 1 or not self._label_hint(fields, labelled):
                    raise
                raise ValueError(f"{exc}{self._label_hint(fields, labelled)}") from None
        if all(np.isnan(v).all() for v in dims):
            which = f"labelled {self.labels[-1]!r} " if labelled else ""
            raise self.error(
                lineno,
                f"the series {which}has no values, only '?' (missing); remove the line.",
            )
        declared = self.header.get("serieslength")
        if self.header.get("equallength"):
            want = declared or (len(self.series[0][0]) if self.series else len(dims[0]))
            bad = [len(v) for v in dims if len(v) != want]
            if bad:
                raise self.error(
                    lineno,
                    f"the header declares equal lengths of {want} steps but a dimension has "
                    f"{bad[0]}; fix the series or declare '@equalLength false'.",
                )
        elif declared and self.header.get("equallength") is None:
            # a declared length without @equalLength: every series has that length
            bad = [len(v) for v in dims if len(v) != declared]
            if bad:
                raise self.error(
                    lineno,
                    f"the header declares @seriesLength {declared} but a dimension has "
                    f"{bad[0]} steps; fix the series, the @seriesLength line, or declare "
                    "'@equalLength false' for series of unequal lengths.",
                )
        self.series.append(dims)

    def _label_hint(self, fields: list[str], labelled: bool) -> str:
        """Advice for an unlabelled file whose lines end in one token, most likely a label."""
        last = fields[-1].strip()
        if labelled or not last or "," in last:
            return ""
        return (
            f" If the last field {last!r} is a class label, declare it "
            "('@classLabel true <labels>', or '@targetLabel true' for regression targets)."
        )

    def _label(self, lineno: int, label: str) -> None:
        if not label:
            raise self.error(lineno, "missing label after the last ':'.")
        if self.regression:
            if "_" in label:  # as in _values: a file's number has no "_"
                raise self.error(
                    lineno,
                    f"regression target: value {label!r} (digits cannot be grouped with '_'); "
                    "the target must be a finite number.",
                )
            try:
                target = float(label)
            except ValueError:
                target = np.nan
            if not np.isfinite(target):
                raise self.error(lineno, f"regression target {label!r} is not a finite number.")
        elif label not in self.class_labels:  # type: ignore[operator]
            raise self.error(
                lineno,
                f"class label {label!r} is not among the declared labels "
                f"{list(self.class_labels)}; add it to the @classLabel line.",  # type: ignore[arg-type]
            )
        self.labels.append(label)

    def _warn_label_as_channel(self) -> None:
        """An unlabelled file whose every line ends in one value after a ':' (a label, in a
        file declared '@classLabel false' with no '@dimensions'): that value is read as a
        channel of one step, which a warning says."""
        declared = self.header.get("dimensions") is not None or self.header.get("univariate")
        if declared or self.regression or self.class_labels is not None or self.n_dims < 2:
            return
        last_single = all(len(dims[-1]) == 1 for dims in self.series)
        others_longer = all(max(len(v) for v in dims[:-1]) > 1 for dims in self.series)
        if last_single and others_longer:
            warnings.warn(
                f"{self.path}: every series ends in a field of one value after the last ':', "
                f"read as channel {self.n_dims} of one step. If that field is a label, declare "
                "it ('@classLabel true <labels>' or '@targetLabel true'); if the file has "
                f"{self.n_dims} channels, declare '@dimensions {self.n_dims}' to silence this.",
                UserWarning,
                stacklevel=_callers_stacklevel(),
            )

    def finish(self, n_lines: int) -> tuple[np.ndarray, np.ndarray | None, TSMetadata]:
        if n_lines == 0:
            raise ValueError(f"{self.path} is empty; a .ts file needs a header ending in @data.")
        if not self.in_data:
            raise self.error(n_lines, "no @data line; a .ts file needs a header ending in @data.")
        if not self.series:
            raise self.error(n_lines, "no series after @data.")
        self._warn_label_as_channel()
        lengths = np.array([max(len(v) for v in dims) for dims in self.series], dtype=int)
        X = np.full((len(self.series), self.n_dims, int(lengths.max())), np.nan, np.float32)
        has_missing = False
        for i, dims in enumerate(self.series):
            for d, values in enumerate(dims):
                X[i, d, : len(values)] = values
                has_missing = has_missing or bool(np.isnan(values).any())
        y: np.ndarray | None
        if self.regression:
            y = np.asarray(self.labels, dtype=np.float64)
        elif self.class_labels is not None:
            y = np.asarray(self.labels, dtype=str)
        else:
            y = None
        meta = TSMetadata(
            path=self.path,
            problem_name=self.header.get("problemname"),  # type: ignore[arg-type]
            n_channels=int(self.n_dims),  # type: ignore[arg-type]
            lengths=lengths,
            equal_length=bool((lengths == lengths[0]).all()),
            class_labels=self.class_labels,
            regression=self.regression,
            has_missing=has_missing,
        )
        return X, y, meta


def load_ts(
    path: str | os.PathLike, *, return_meta: bool = False
) -> tuple[np.ndarray, np.ndarray | None] | tuple[np.ndarray, np.ndarray | None, TSMetadata]:
    """Read a UCR/UEA ``.ts`` file (univariate or multivariate).

    Header keywords are read in any letter case (``@problemName``,
    ``@classLabel``, ``@targetLabel``, ``@univariate``, ``@dimensions``,
    ``@equalLength``, ``@seriesLength``, ``@missing``, ``@timeStamps``,
    ``@data``); lines starting with ``#`` are comments. Each data line holds the
    dimensions separated by ``:``, values separated by ``,``, and the label last.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.
    return_meta : bool, default=False
        Also return a :class:`TSMetadata` describing the file.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype float32
        Series shorter than the longest are padded with NaN at the end; a ``?``
        in the file is a missing value and becomes NaN too.
    y : ndarray of shape (n_samples,) or None
        Class labels as strings (as written in the file), float64 targets for
        ``@targetLabel true``, or None when the file has no labels.
    meta : TSMetadata
        Only when ``return_meta=True``.

    Raises
    ------
    ValueError
        For a malformed file -- including values beyond float32's range and bytes
        that are not UTF-8; the message names the file and the line number.
        Files with ``@timeStamps true`` are not supported and raise too.
    TypeError
        When ``path`` is not a file name (str or path-like).
    IsADirectoryError
        When ``path`` is a folder.

    See Also
    --------
    load_tsv : Read the UCR 2018 archive's tab-separated ``.tsv`` files.
    fetch_ucr : Load a dataset of the UCR/UEA archive from the local cache.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from seqpool_sklearn import load_ts
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "Toy_TRAIN.ts"
    >>> _ = path.write_text(
    ...     "# a comment\\n@problemName Toy\\n@univariate true\\n@equalLength false\\n"
    ...     "@classLabel true up down\\n@data\\n1,2,3:up\\n4,?:down\\n"
    ... )
    >>> X, y = load_ts(path)
    >>> X.shape, y.tolist()
    ((2, 1, 3), ['up', 'down'])
    >>> X[1, 0]
    array([ 4., nan, nan], dtype=float32)
    """
    path = _file_path(path, "load_ts", ".ts")
    return_meta = check_bool(return_meta, "return_meta")
    if path.suffix.lower() == ".tsv":
        raise ValueError(
            f"{path} is a .tsv file (the UCR archive's tab-separated format), not a .ts file; "
            "read it with load_tsv."
        )
    parser = _TSParser(path)
    lineno = 0
    for lineno, raw in _read_lines(path):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            parser.header_line(lineno, line)
        else:
            parser.data_line(lineno, line)
    X, y, meta = parser.finish(lineno)
    return (X, y, meta) if return_meta else (X, y)
