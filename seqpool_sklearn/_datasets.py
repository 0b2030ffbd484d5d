"""Real datasets: the UCR/UEA ``.ts`` format and a local cache of the archive.

``load_ts`` reads one ``.ts`` file into the package's one data layout: ``X`` of
shape ``(n_samples, n_channels, n_timesteps)``, float32, unequal lengths padded
with NaN at the end; ``y`` holds class labels as strings (exactly as written in
the file) or float regression targets.

``fetch_ucr`` works like scikit-learn's ``fetch_*`` functions: a dataset lives in
``<data_home>/<Name>/<Name>_TRAIN.ts`` and ``<Name>_TEST.ts``; when it is not
there it is downloaded once from the archive and unpacked atomically, so an
interrupted download never leaves a half-written folder behind.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import numpy as np

UCR_BASE_URL = "https://www.timeseriesclassification.com/aeon-toolkit"
DATA_HOME_ENV = "SEQPOOL_DATA_HOME"
_DEFAULT_DATA_HOME = "~/seqpool_data"
_DOWNLOAD_TIMEOUT_S = 60.0
_SPLITS = ("train", "test", "both", None)
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_XY = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class TSMetadata:
    """What a ``.ts`` file declares and contains.

    Attributes
    ----------
    path : pathlib.Path
        The file that was read.
    problem_name : str or None
        Value of ``@problemName``, if present.
    n_channels : int
        Number of dimensions (channels) of every series.
    lengths : ndarray of shape (n_samples,), dtype int
        Number of time steps written for each series (its longest channel);
        ``X[i, :, lengths[i]:]`` is NaN padding.
    equal_length : bool
        Whether all series have the same length.
    class_labels : tuple of str or None
        Labels declared by ``@classLabel true ...``; None for regression or
        unlabelled files.
    regression : bool
        True when the file declares ``@targetLabel true`` (float targets).
    has_missing : bool
        True when at least one value is missing (``?`` or NaN) inside a series.
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
                stacklevel=3,
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
            values = np.asarray(tokens, dtype=np.float64)
        except ValueError:
            values = np.empty(len(tokens))
            for j, token in enumerate(tokens):
                token = token.strip()
                if token == "?":
                    values[j] = np.nan
                    continue
                try:
                    values[j] = float(token)
                except ValueError:
                    what = "an empty value" if not token else f"non-numeric value {token!r}"
                    raise self.error(
                        lineno,
                        f"{what} at position {j + 1} of dimension {dim + 1}; values must be "
                        "numbers separated by ',' ('?' marks a missing value).",
                    ) from None
        if np.isinf(values).any():
            j = int(np.flatnonzero(np.isinf(values))[0])
            raise self.error(
                lineno,
                f"infinite value at position {j + 1} of dimension {dim + 1}; use '?' for a "
                "missing value.",
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
                raise self.error(
                    lineno,
                    f"missing label: expected {self.n_dims} dimension(s) followed by ':label', "
                    f"got {len(fields)} ':'-separated fields.",
                )
            raise self.error(
                lineno,
                f"expected {self.n_dims} dimension(s){' and a label' if labelled else ''} "
                f"({expected} ':'-separated fields), got {len(fields)}; every series must have "
                "the same number of dimensions.",
            )
        if labelled:
            self._label(lineno, fields.pop().strip())
        dims = []
        for d, text in enumerate(fields):
            if not text.strip():
                raise self.error(lineno, f"dimension {d + 1} is empty.")
            dims.append(self._values(lineno, d, text))
        if self.header.get("equallength"):
            want = self.header.get("serieslength") or (
                len(self.series[0][0]) if self.series else len(dims[0])
            )
            bad = [len(v) for v in dims if len(v) != want]
            if bad:
                raise self.error(
                    lineno,
                    f"the header declares equal lengths of {want} steps but a dimension has "
                    f"{bad[0]}; fix the series or declare '@equalLength false'.",
                )
        self.series.append(dims)

    def _label(self, lineno: int, label: str) -> None:
        if not label:
            raise self.error(lineno, "missing label after the last ':'.")
        if self.regression:
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

    def finish(self, n_lines: int) -> tuple[np.ndarray, np.ndarray | None, TSMetadata]:
        if not self.in_data:
            raise self.error(n_lines, "no @data line; a .ts file needs a header ending in @data.")
        if not self.series:
            raise self.error(n_lines, "no series after @data.")
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
        For a malformed file; the message names the file and the line number.
        Files with ``@timeStamps true`` are not supported and raise too.

    See Also
    --------
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
    path = Path(path)
    parser = _TSParser(path)
    lineno = 0
    # utf-8-sig: files saved by some Windows editors start with a byte-order mark.
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                parser.header_line(lineno, line)
            else:
                parser.data_line(lineno, line)
    X, y, meta = parser.finish(lineno)
    return (X, y, meta) if return_meta else (X, y)


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Folder that caches the UCR/UEA datasets.

    Resolution order: the ``data_home`` argument, else the environment variable
    ``SEQPOOL_DATA_HOME``, else ``~/seqpool_data``. The folder is not created
    here; :func:`fetch_ucr` creates it when it downloads something.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder; ``~`` is expanded.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from seqpool_sklearn import get_data_home
    >>> get_data_home("/tmp/ucr").as_posix()
    '/tmp/ucr'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or _DEFAULT_DATA_HOME
    return Path(os.path.expanduser(os.fspath(data_home)))


def _split_file(folder: Path, name: str, split: str) -> Path | None:
    """``<folder>/<name>_<SPLIT>.ts``, matched case-insensitively."""
    exact = folder / f"{name}_{split.upper()}.ts"
    if exact.is_file():
        return exact
    if folder.is_dir():
        wanted = exact.name.lower()
        for candidate in sorted(folder.iterdir()):
            if candidate.name.lower() == wanted and candidate.is_file():
                return candidate
    return None


def _local_folder(home: Path, name: str) -> Path:
    """The dataset folder in ``home``; an existing folder differing only in case counts."""
    exact = home / name
    if exact.is_dir() or not home.is_dir():
        return exact
    for candidate in sorted(home.iterdir()):
        if candidate.name.lower() == name.lower() and candidate.is_dir():
            return candidate
    return exact


def list_ucr(data_home: str | os.PathLike | None = None) -> list[str]:
    """Names of the datasets present in the local cache.

    A dataset counts when ``<data_home>/<Name>/`` holds both ``<Name>_TRAIN.ts``
    and ``<Name>_TEST.ts``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    list of str
        Sorted dataset names; empty when the folder does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from seqpool_sklearn import list_ucr
    >>> list_ucr(tempfile.mkdtemp())
    []
    """
    home = get_data_home(data_home)
    if not home.is_dir():
        return []
    return sorted(
        (
            folder.name
            for folder in home.iterdir()
            if folder.is_dir()
            and _split_file(folder, folder.name, "train") is not None
            and _split_file(folder, folder.name, "test") is not None
        ),
        key=str.lower,
    )


def _download(name: str, home: Path, base_url: str) -> None:
    """Fetch ``<base_url>/<name>.zip`` and unpack its two ``.ts`` files into ``home/name``.

    Everything happens in a temporary folder inside ``home`` (same file system),
    then one rename publishes the dataset, so readers never see partial files. A split
    already in the cache (say, put there by hand) is kept, never overwritten.
    """
    url = f"{base_url.rstrip('/')}/{name}.zip"
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-download-", dir=home))
    try:
        archive = tmp / "archive.zip"
        try:
            with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
                with open(archive, "wb") as out:
                    shutil.copyfileobj(response, out)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise OSError(
                f"Could not download dataset {name!r} from {url}: {exc}. Check the name "
                "(case matters on the server) and the connection, or put "
                f"{name}_TRAIN.ts and {name}_TEST.ts into {home / name} by hand."
            ) from exc
        staged = tmp / name
        staged.mkdir()
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [m for m in zf.infolist() if not m.is_dir()]
                for split in ("TRAIN", "TEST"):
                    wanted = f"{name}_{split}.ts".lower()
                    hits = [
                        m
                        for m in members
                        if PurePosixPath(m.filename).name.lower() == wanted
                        and "__macosx" not in m.filename.lower()
                    ]
                    if not hits:
                        found = sorted(m.filename for m in members)[:10]
                        raise ValueError(
                            f"The archive downloaded from {url} has no {name}_{split}.ts "
                            f"(it holds {found}); check the dataset name or the base_url."
                        )
                    member = min(hits, key=lambda m: len(m.filename))
                    # Copy the member under our own name: never trust paths inside a zip.
                    with zf.open(member) as src, open(staged / f"{name}_{split}.ts", "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except zipfile.BadZipFile as exc:
            raise ValueError(
                f"The file downloaded from {url} is not a valid zip archive ({exc}); check the "
                "base_url, or retry if the download was cut short."
            ) from exc
        for split in ("TRAIN", "TEST"):  # refuse to cache files we cannot read
            load_ts(staged / f"{name}_{split}.ts")
        target = _local_folder(home, name)
        try:
            os.rename(staged, target)  # fails if the folder exists and holds files
        except OSError:  # a partial cache: add the missing splits, one atomic rename each
            for split in ("train", "test"):
                if _split_file(target, target.name, split) is None:
                    file = f"{name}_{split.upper()}.ts"
                    os.replace(staged / file, target / file)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_ucr(
    name: str,
    *,
    split: Literal["train", "test", "both"] | None = "train",
    data_home: str | os.PathLike | None = None,
    download: bool = True,
    base_url: str = UCR_BASE_URL,
) -> _XY | tuple[_XY, _XY]:
    """Load a UCR/UEA archive dataset from the cache, downloading it if needed.

    The cache layout is ``<data_home>/<Name>/<Name>_TRAIN.ts`` and
    ``<Name>_TEST.ts`` -- the archive's own files, so a folder of datasets
    fetched elsewhere can be used as it is.

    Parameters
    ----------
    name : str
        Dataset name as spelt by the archive, e.g. ``"GunPoint"``. A cached
        folder is found regardless of letter case.
    split : {"train", "test", "both"} or None, default="train"
        ``"train"`` or ``"test"`` return that split as ``(X, y)``; ``"both"``
        returns ``((X_train, y_train), (X_test, y_test))``, the archive's
        default split for comparing with published results; None returns train
        and test concatenated into one ``(X, y)`` (NaN-padded to a common
        length), e.g. for your own cross-validation.
    data_home : str or path-like, default=None
        Cache folder; see :func:`get_data_home` (argument, else the
        ``SEQPOOL_DATA_HOME`` environment variable, else ``~/seqpool_data``).
    download : bool, default=True
        Download ``<base_url>/<name>.zip`` when a needed file is not cached.
        With False a missing file raises :class:`FileNotFoundError`.
    base_url : str, default="https://www.timeseriesclassification.com/aeon-toolkit"
        Where the archive's zip files live.

    Returns
    -------
    (X, y) or ((X_train, y_train), (X_test, y_test))
        As returned by :func:`load_ts`: X float32 of shape
        (n_samples, n_channels, n_timesteps), y string labels or float targets.

    Raises
    ------
    FileNotFoundError
        The dataset is not cached and ``download=False``.
    OSError
        The download failed (the message has the URL).
    ValueError
        Bad arguments, or the downloaded archive lacks the ``.ts`` files.

    See Also
    --------
    load_ts : Read one ``.ts`` file.
    list_ucr : Datasets present in the cache.

    Examples
    --------
    A cache folder holding one tiny dataset (normally filled by downloading):

    >>> import pathlib, tempfile
    >>> from seqpool_sklearn import fetch_ucr
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> (home / "Toy").mkdir()
    >>> for split in ("TRAIN", "TEST"):
    ...     _ = (home / "Toy" / f"Toy_{split}.ts").write_text(
    ...         "@problemName Toy\\n@classLabel true a b\\n@data\\n1,2:a\\n3,4:b\\n5,6:a\\n"
    ...     )
    >>> (X_train, y_train), (X_test, y_test) = fetch_ucr(
    ...     "Toy", split="both", data_home=home, download=False
    ... )
    >>> X_train.shape, y_test.tolist()
    ((3, 1, 2), ['a', 'b', 'a'])
    """
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(
            f"name must be a dataset name such as 'GunPoint' (letters, digits, '_' and '-'), "
            f"got {name!r}."
        )
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {list(_SPLITS)}, got {split!r}.")
    home = get_data_home(data_home)
    wanted = ("train", "test") if split in ("both", None) else (split,)
    folder = _local_folder(home, name)
    files = {s: _split_file(folder, folder.name, s) for s in wanted}
    if any(f is None for f in files.values()):
        if not download:
            missing = [f"{name}_{s.upper()}.ts" for s, f in files.items() if f is None]
            raise FileNotFoundError(
                f"Dataset {name!r} is not in the cache: {', '.join(missing)} not found in "
                f"{folder}. Pass download=True, point data_home (or ${DATA_HOME_ENV}) at the "
                f"folder that holds {name}/, or put the files there by hand."
            )
        _download(name, home, base_url)
        folder = _local_folder(home, name)
        files = {s: _split_file(folder, folder.name, s) for s in wanted}
    parts = {s: load_ts(f) for s, f in files.items()}  # type: ignore[arg-type]
    if split == "both":
        return parts["train"], parts["test"]  # type: ignore[return-value]
    if split is None:
        (X_tr, y_tr), (X_te, y_te) = parts["train"], parts["test"]
        if X_tr.shape[1] != X_te.shape[1]:
            raise ValueError(
                f"{name}: the train split has {X_tr.shape[1]} channels but the test split "
                f"{X_te.shape[1]}; load them separately with split='both'."
            )
        t = max(X_tr.shape[2], X_te.shape[2])
        pad = [
            np.pad(x, ((0, 0), (0, 0), (0, t - x.shape[2])), constant_values=np.nan)
            for x in (X_tr, X_te)
        ]
        if (y_tr is None) != (y_te is None) or (
            y_tr is not None and (y_tr.dtype.kind == "f") != (y_te.dtype.kind == "f")
        ):
            raise ValueError(
                f"{name}: the train and test splits are labelled differently (class labels, "
                "regression targets or none); load them separately with split='both'."
            )
        y = None if y_tr is None else np.concatenate([y_tr, y_te])
        return np.concatenate(pad), y  # type: ignore[return-value]
    return parts[split]  # type: ignore[return-value]
