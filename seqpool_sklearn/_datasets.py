"""A local cache of the UCR/UEA archive, filled by downloading.

``fetch_ucr`` works like scikit-learn's ``fetch_*`` functions: a dataset lives in
``<data_home>/<Name>/<Name>_TRAIN.ts`` and ``<Name>_TEST.ts`` (or the UCR 2018
archive's ``.tsv`` files of the same names); when it is not there it is
downloaded once from the archive and unpacked atomically, so an interrupted
download never leaves a half-written folder behind. Downloads and the files unpacked
from them are capped in size (``max_size``); the archive publishes no checksums, so the
zip format's per-file CRC-32 is the integrity check. The files are read by
:func:`~seqpool_sklearn.load_ts` or :func:`~seqpool_sklearn.load_tsv`.
"""

from __future__ import annotations

import http.client
import lzma
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Literal

import numpy as np

from ._tsfile import load_ts
from ._tsvfile import load_tsv, number_spellings, spelling_advice
from ._validation import _callers_stacklevel, check_bool, check_int

__all__ = ["fetch_ucr", "get_data_home", "list_ucr"]

UCR_BASE_URL = "https://www.timeseriesclassification.com/aeon-toolkit"
DATA_HOME_ENV = "SEQPOOL_DATA_HOME"
_DEFAULT_DATA_HOME = "~/seqpool_data"
_DOWNLOAD_TIMEOUT_S = 60.0
# The largest archive (and the largest pair of unpacked files) fetch_ucr accepts by
# default. The biggest UEA datasets unpack to about 1-2 GB; the cap is there to stop an
# endless response or a zip bomb, not to ration real datasets.
_MAX_SIZE = 8 * 2**30
_CHUNK = 1 << 20
# What reading a damaged or unusual zip member can raise besides BadZipFile.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    RuntimeError,  # encrypted members, missing bz2 / lzma modules
    NotImplementedError,  # compression methods zipfile cannot unpack
    EOFError,
    zlib.error,
    lzma.LZMAError,
)
_SPLITS = ("train", "test", "both", None)
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
_XY = tuple[np.ndarray, np.ndarray]
# File formats in order of preference: .ts carries a header (problem name, declared
# labels), so it wins when a folder holds both.
_READERS = {".ts": load_ts, ".tsv": load_tsv}


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

    Raises
    ------
    TypeError
        When ``data_home`` is not a str or path-like.
    ValueError
        When the path exists and is not a folder.

    Examples
    --------
    >>> from seqpool_sklearn import get_data_home
    >>> get_data_home("/tmp/ucr").as_posix()
    '/tmp/ucr'
    """
    source = "data_home"
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or _DEFAULT_DATA_HOME
        source = f"data_home (from ${DATA_HOME_ENV})" if os.environ.get(DATA_HOME_ENV) else source
    if not isinstance(data_home, (str, os.PathLike)) or not isinstance(os.fspath(data_home), str):
        raise TypeError(
            f"{source} must be a folder name (str or path-like), got "
            f"{type(data_home).__name__} {data_home!r}."
        )
    home = Path(os.path.expanduser(os.fspath(data_home)))
    if home.exists() and not home.is_dir():
        raise ValueError(
            f"{source} must be a folder, got {home}, which is a file; name the folder that "
            "holds (or will hold) the datasets."
        )
    return home


def _split_file(folder: Path, name: str, split: str, suffix: str) -> Path | None:
    """``<folder>/<name>_<SPLIT><suffix>``, matched case-insensitively."""
    exact = folder / f"{name}_{split.upper()}{suffix}"
    if exact.is_file():
        return exact
    if folder.is_dir():
        wanted = exact.name.lower()
        for candidate in sorted(folder.iterdir()):
            if candidate.name.lower() == wanted and candidate.is_file():
                return candidate
    return None


def _split_files(folder: Path, name: str, splits: tuple[str, ...]) -> dict[str, Path | None]:
    """The file of each split: all in one format if possible (``.ts`` first), else any."""
    found = {
        suffix: {s: _split_file(folder, name, s, suffix) for s in splits} for suffix in _READERS
    }
    for files in found.values():
        if all(f is not None for f in files.values()):
            return files
    return {s: next((found[x][s] for x in _READERS if found[x][s]), None) for s in splits}


def _wanted_files(folder: Path, wanted: tuple[str, ...]) -> dict[str, Path | None]:
    """The files of the ``wanted`` splits, in the format chosen for both splits: a split
    reads the same file whether it is asked for alone or with the other."""
    files = _split_files(folder, folder.name, ("train", "test"))
    return {s: files[s] for s in wanted}


def _read(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    return _READERS[path.suffix.lower()](path)  # type: ignore[return-value]


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

    A dataset counts when ``<data_home>/<Name>/`` holds a file of each split:
    ``<Name>_TRAIN.ts`` and ``<Name>_TEST.ts``, the UCR 2018 archive's
    ``<Name>_TRAIN.tsv`` and ``<Name>_TEST.tsv``, or one split in each format.

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
            and None not in _split_files(folder, folder.name, ("train", "test")).values()
        ),
        key=str.lower,
    )


class _TooLarge(ValueError):
    """More bytes than ``max_size`` allows; raised as it is, never wrapped."""


def _copy_capped(src, dst, cap: int, too_large) -> int:
    """Copy ``src`` to ``dst`` in chunks; ``too_large(n)`` builds the error past ``cap`` bytes."""
    total = 0
    while chunk := src.read(_CHUNK):
        total += len(chunk)
        if total > cap:
            raise too_large(total)
        dst.write(chunk)
    return total


def _member_error(url: str, member: zipfile.ZipInfo, exc: Exception) -> ValueError:
    """A zip member that cannot be read, said in terms of what to do about it."""
    name = PurePosixPath(member.filename).name
    if member.flag_bits & 0x1:
        return ValueError(
            f"The archive downloaded from {url} holds {name} encrypted (password-protected), "
            "which fetch_ucr does not unpack; unpack it yourself and put the file into the "
            "data_home folder, or check the base_url."
        )
    if isinstance(exc, NotImplementedError):
        return ValueError(
            f"The archive downloaded from {url} stores {name} with compression method "
            f"{member.compress_type}, which this Python cannot unpack; unpack it with another "
            "tool (e.g. 7-Zip) and put the file into the data_home folder."
        )
    return ValueError(
        f"The archive downloaded from {url} is damaged: {exc} (member {name}); retry the "
        "download, or check the base_url."
    )


def _download(name: str, home: Path, base_url: str, max_size: int = _MAX_SIZE) -> None:
    """Fetch ``<base_url>/<name>.zip`` and unpack its two ``.ts`` (else ``.tsv``) files.

    Everything happens in a temporary folder inside ``home`` (same file system),
    then one rename publishes the dataset, so readers never see partial files. A split
    already in the cache (say, put there by hand) is kept, never overwritten. Neither the
    download nor the two unpacked files may exceed ``max_size`` bytes.
    """
    url = f"{base_url.rstrip('/')}/{name}.zip"
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-download-", dir=home))

    def too_large(size: int, at_least: bool = True) -> _TooLarge:
        return _TooLarge(
            f"The archive at {url} is {'at least ' if at_least else ''}{size} bytes, more than "
            f"max_size={max_size} bytes allows; pass a larger max_size if you trust the "
            f"source, or download and unpack it by hand into {home / name}."
        )

    try:
        archive = tmp / "archive.zip"
        try:
            with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
                declared = response.headers.get("Content-Length")
                if declared is not None and declared.strip().isdigit():
                    if int(declared) > max_size:  # refuse before reading a byte
                        raise too_large(int(declared), at_least=False)
                with open(archive, "wb") as out:
                    _copy_capped(response, out, max_size, too_large)
        except _TooLarge:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise OSError(
                f"Could not download dataset {name!r} from {url}: {exc}. Check the name "
                "(case matters on the server) and the connection, or put "
                f"{name}_TRAIN.ts and {name}_TEST.ts (or the .tsv files) into {home / name} "
                "by hand."
            ) from exc
        staged = tmp / name
        staged.mkdir()
        files: dict[str, str] = {}  # split -> file name in the staging folder
        chosen: dict[str, tuple[zipfile.ZipInfo, str]] = {}  # split -> (member, file name)
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [
                    m
                    for m in zf.infolist()
                    if not m.is_dir() and "__macosx" not in m.filename.lower()
                ]
                for split in ("TRAIN", "TEST"):
                    for suffix in _READERS:
                        wanted = f"{name}_{split}{suffix}"
                        hits = [
                            m
                            for m in members
                            if PurePosixPath(m.filename).name.lower() == wanted.lower()
                        ]
                        if hits:
                            break
                    else:
                        found = sorted(m.filename for m in members)[:10]
                        raise ValueError(
                            f"The archive downloaded from {url} has no {name}_{split}.ts "
                            f"(nor .tsv; it holds {found}); check the dataset name or the "
                            "base_url."
                        )
                    chosen[split.lower()] = (min(hits, key=lambda m: len(m.filename)), wanted)
                unpacked = sum(member.file_size for member, _ in chosen.values())
                if unpacked > max_size:  # a zip bomb is refused before it is unpacked
                    raise _TooLarge(
                        f"The archive downloaded from {url} unpacks to {unpacked} bytes (its "
                        f"{name} files), more than max_size={max_size} bytes allows; pass a "
                        "larger max_size if you trust the source."
                    )
                budget = max_size
                for split, (member, wanted) in chosen.items():
                    # Copy the member under our own name: never trust paths inside a zip.
                    try:
                        with zf.open(member) as src, open(staged / wanted, "wb") as dst:
                            # The declared sizes are checked above; count what really comes
                            # out too, in case they lie.
                            budget -= _copy_capped(
                                src,
                                dst,
                                budget,
                                lambda n: _TooLarge(
                                    f"The archive downloaded from {url} unpacks to more than "
                                    f"max_size={max_size} bytes; pass a larger max_size if "
                                    "you trust the source."
                                ),
                            )
                    except _TooLarge:
                        raise
                    except _ZIP_ERRORS as exc:
                        raise _member_error(url, member, exc) from None
                    files[split] = wanted
        except (zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(
                f"The file downloaded from {url} is not a valid zip archive ({exc}); check the "
                "base_url, or retry if the download was cut short."
            ) from exc
        for file in files.values():  # refuse to cache files we cannot read
            try:
                _read(staged / file)
            except ValueError as exc:
                # The staged path is deleted below: name the file and where it came from.
                reason = (
                    str(exc).replace(f"{staged / file}, ", "").replace(str(staged / file), file)
                )
                raise ValueError(
                    f"Dataset {name!r}: the archive downloaded from {url} holds {file}, which "
                    f"cannot be read ({reason}); nothing was cached. Check the dataset name "
                    "and the base_url, or put readable files into "
                    f"{home / name} by hand."
                ) from None
        target = _local_folder(home, name)
        try:
            os.rename(staged, target)  # fails if the folder exists and holds files
        except OSError:  # a partial cache: add the missing splits, one atomic rename each
            for split, file in files.items():
                if _split_files(target, target.name, (split,))[split] is None:
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
    max_size: int = _MAX_SIZE,
) -> _XY | tuple[_XY, _XY]:
    """Load a UCR/UEA archive dataset from the cache, downloading it if needed.

    The cache layout is ``<data_home>/<Name>/<Name>_TRAIN.ts`` and
    ``<Name>_TEST.ts`` -- the archive's own files, so a folder of datasets
    fetched elsewhere can be used as it is. The UCR 2018 archive's
    tab-separated ``<Name>_TRAIN.tsv`` and ``<Name>_TEST.tsv`` are read too
    (by :func:`load_tsv`). Both splits come from one format when the folder holds
    both files of it (``.ts`` first), else each split from the file it has; a split
    reads the same file whether ``split`` asks for it alone or with the other. Class
    labels are read as written: a number spelt differently in the two splits (``1``
    and ``1.0``) is two classes, which a warning says.

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
    max_size : int, default=8 * 2**30
        Largest download, and largest total size of the two files unpacked from it, in
        bytes (8 GiB; the biggest archive datasets unpack to about 2 GB). A bigger
        archive is refused before it is written or unpacked, so an endless response or a
        zip bomb cannot fill the disk.

    Returns
    -------
    (X, y) or ((X_train, y_train), (X_test, y_test))
        As returned by :func:`load_ts` or :func:`load_tsv`: X float32 of shape
        (n_samples, n_channels, n_timesteps), y string labels or float targets.

    Raises
    ------
    FileNotFoundError
        The dataset is not cached and ``download=False``.
    OSError
        The download failed (the message has the URL).
    ValueError
        Bad arguments, a malformed file, a downloaded archive that lacks the
        dataset's files, is damaged (a member fails its CRC-32 check), holds them
        encrypted or with a compression method Python cannot unpack, or is larger
        than ``max_size``.

    Notes
    -----
    The archive publishes no checksums for its zip files, so none can be
    verified. What is checked instead: the CRC-32 that the zip format stores for
    every file (a damaged download fails it), the size limit ``max_size``, and
    that both files read cleanly with :func:`load_ts` / :func:`load_tsv`;
    nothing is cached unless all pass. CRC-32 detects damage, not tampering: use
    ``base_url`` only with sources you trust.

    See Also
    --------
    load_ts : Read one ``.ts`` file.
    load_tsv : Read one ``.tsv`` file of the UCR 2018 archive.
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
    max_size = check_int(max_size, "max_size", 1)
    download = check_bool(download, "download")
    home = get_data_home(data_home)
    wanted = ("train", "test") if split in ("both", None) else (split,)
    folder = _local_folder(home, name)
    files = _wanted_files(folder, wanted)
    if any(f is None for f in files.values()):
        if not download:
            missing = [f"{name}_{s.upper()}.ts (or .tsv)" for s, f in files.items() if f is None]
            raise FileNotFoundError(
                f"Dataset {name!r} is not in the cache: {', '.join(missing)} not found in "
                f"{folder}. Pass download=True, point data_home (or ${DATA_HOME_ENV}) at the "
                f"folder that holds {name}/, or put the files there by hand."
            )
        _download(name, home, base_url, max_size)
        folder = _local_folder(home, name)
        files = _wanted_files(folder, wanted)
    if len(files) == 1:
        parts = {s: _read(f) for s, f in files.items()}  # type: ignore[arg-type]
    else:
        # labels of one number spelt two ways (1, 1.0) are looked for in both splits at
        # once, so one warning maps both to one spelling: each file's own would map one
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*same number spelt differently")
            parts = {s: _read(f) for s, f in files.items()}  # type: ignore[arg-type]
        labels = [parts[s][1] for s in parts]
        if all(y is not None and y.dtype.kind in "UO" for y in labels):
            clashes = number_spellings(*labels)
            if clashes:
                names = ("y_train", "y_test") if split == "both" else ("y",)
                warnings.warn(
                    f"{name}: the labels {spelling_advice(clashes, names)}",
                    UserWarning,
                    stacklevel=_callers_stacklevel(),
                )
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
