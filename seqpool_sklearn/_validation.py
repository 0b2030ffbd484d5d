"""Input validation for sequence arrays: one place for every check the estimators make."""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
from sklearn.utils.validation import check_array


def did_you_mean(value: Any, options) -> str:
    """A ' Did you mean ...?' hint for a mistyped string option, or ''.

    Examples
    --------
    >>> did_you_mean("poolfirst", ["pool_first", "decode_first"])
    " Did you mean 'pool_first'?"
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [o for o in options if isinstance(o, str)], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_sequences(
    X: Any, *, name: str, what: str = "X", return_ndim: bool = False
) -> np.ndarray | tuple[np.ndarray, int]:
    """Validate sequence input and return a float32 array of shape (n, channels, time).

    Accepts 2D input (one univariate series per row, columns are time steps)
    and 3D input (n_samples, n_channels, n_timesteps), as arrays, nested lists
    or DataFrames. NaN marks missing / padded steps; a series with no observed
    step, infinite values, complex numbers, strings and sparse matrices are
    rejected with a message that says what was expected.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_channels, n_timesteps)
    name : str
        Name of the calling estimator, used in messages.
    what : str, default="X"
        Name of the argument, used in messages.
    return_ndim : bool, default=False
        Also return the number of dimensions of the input (2 or 3).

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype float32
        A new array; the caller's object is never modified.
    ndim : int
        Dimensions of the input, only when ``return_ndim=True``.

    Examples
    --------
    >>> check_sequences([[1.0, 2.0, 3.0]], name="demo").shape
    (1, 1, 3)
    """
    # check_array raises sklearn's standard, explicit errors for sparse input,
    # complex numbers, strings / objects, infinity and 1D input.
    arr = check_array(
        X,
        accept_sparse=False,
        dtype=[np.float64, np.float32],
        ensure_all_finite="allow-nan",
        allow_nd=True,
        ensure_2d=True,
        ensure_min_samples=1,
        ensure_min_features=1,
        input_name=what,
        estimator=name,
    )
    ndim = arr.ndim
    if arr.ndim == 2:
        arr = arr[:, np.newaxis, :]
    elif arr.ndim != 3:
        raise ValueError(
            f"{name} expects {what} of shape (n_samples, n_timesteps) or "
            f"(n_samples, n_channels, n_timesteps); got an array with {arr.ndim} "
            f"dimensions and shape {arr.shape}."
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"{what} has 0 channels (shape {arr.shape}); {name} needs at least one channel."
        )
    if arr.shape[2] == 0:
        raise ValueError(
            f"{what} has 0 time steps (shape {arr.shape}); {name} needs at least one "
            "observed time step per series."
        )
    arr = np.asarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        if np.isinf(arr).any():  # float64 values beyond float32's range become inf here
            raise ValueError(
                f"{what} contains values too large for float32 (|x| > 3.4e38); scale them down."
            )
        empty = np.isnan(arr).all(axis=(1, 2))
        if empty.any():
            first = int(np.flatnonzero(empty)[0])
            raise ValueError(
                f"{int(empty.sum())} series in {what} have no observed time step (all values "
                f"are NaN; first: sample {first}). Drop them or fill them before calling "
                f"{name}."
            )
    # Never hand the caller's own buffer (or a read-only view of it, as pandas'
    # copy-on-write gives) to code that may write into it.
    shares = isinstance(X, np.ndarray) and np.may_share_memory(arr, X)
    if shares or not arr.flags.writeable:
        arr = arr.copy()
    return (arr, ndim) if return_ndim else arr


def n_observed_steps(X: np.ndarray) -> np.ndarray:
    """Length of each series: index of its last observed step + 1.

    Examples
    --------
    >>> X = np.array([[[1.0, 2.0, np.nan]], [[1.0, 2.0, 3.0]]], dtype=np.float32)
    >>> n_observed_steps(X).tolist()
    [2, 3]
    """
    observed = ~np.isnan(X).all(axis=1)
    t = X.shape[2]
    return t - np.argmax(observed[:, ::-1], axis=1)
