"""Synthetic tasks whose best head design is known in advance.

Each ``make_*`` function returns ``(X, y)`` with ``X`` float32 of shape
``(n_samples, n_channels, n_timesteps)`` and ``y`` int labels 0/1 in exactly
balanced classes (the counts differ by at most one). They take milliseconds and
are deterministic given ``random_state``.

The known answers concern the *head* working on the raw channels
(``encoder=None``), which is where the order question is sharpest; each
docstring says how far the answer carries over to a learned encoder.

=================  ==========================================================
task               known answer
=================  ==========================================================
nonlinear_steps    ``decode_first`` wins: the label is a count of a per-step
                   non-linear feature and every channel mean is exactly zero.
mean_level         the orders tie: the channel means are a sufficient
                   statistic and both orders can represent a linear rule on them.
event_timing       a window beats global pooling: the multiset of time steps has
                   one distribution in both classes; only *when* the event
                   happens differs.
=================  ==========================================================
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state, check_scalar


def _check_sizes(n_samples: int, n_timesteps: int, min_timesteps: int) -> None:
    check_scalar(n_samples, "n_samples", numbers.Integral, min_val=2)
    check_scalar(n_timesteps, "n_timesteps", numbers.Integral, min_val=min_timesteps)


def _check_finite(value: float, name: str, min_val: float | None = None) -> None:
    """``check_scalar`` for a real number that also refuses NaN and infinity."""
    check_scalar(value, name, numbers.Real, min_val=min_val)
    if not np.isfinite(value):
        bound = "" if min_val is None else f" >= {min_val:g}"
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}.")


def _balanced_labels(n_samples: int, rng: np.random.RandomState) -> np.ndarray:
    """0/1 labels in random order whose counts differ by at most one."""
    return rng.permutation(np.arange(n_samples) % 2)


def make_nonlinear_steps(
    n_samples: int = 200,
    n_timesteps: int = 64,
    *,
    n_channels: int = 2,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Label = whether most time steps have ``x0 * x1 > 0``; ``decode_first`` must win.

    Every step holds values of magnitude in [0.5, 1.5]; the signs of channels 0
    and 1 agree at ``count`` steps, ``y == (count > n_timesteps / 2)``. Class 0
    has ``count`` of at most 35 % of the steps. Class 1 has ``count`` of at least
    65 % of the ``2 * (n_timesteps // 2)`` paired steps; with an odd length the
    extra all-zero step never agrees, so its share of *all* steps can be lower
    (at least ``0.65 * (n_timesteps - 1) / n_timesteps``, e.g. 4 of 7 steps),
    but it is always more than half.
    Channels beyond the first two are distractors with random signs.

    Parameters
    ----------
    n_samples : int, default=200
    n_timesteps : int, default=64
        At least 4. With an odd length one step is all zeros.
    n_channels : int, default=2
        At least 2.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype float32
    y : ndarray of shape (n_samples,), dtype int
        1 when more than half of the steps have ``x0 * x1 > 0``.

    Notes
    -----
    Why the answer is known. Each series is made of pairs of steps ``v`` and
    ``-v`` (then shuffled in time). Negating a whole step keeps the sign of
    ``x0 * x1``, so the label is untouched, but it makes every channel mean
    exactly zero, so the input of a ``pool_first`` head with global average
    pooling is the same for every sample: it predicts a constant (chance).
    Global max and power-mean pooling see ``max |x_c|`` and ``mean |x_c|^p``,
    which do not depend on the signs either, so they are at chance too.
    Attention pooling is the exception: its weights are themselves a per-step
    non-linear function of the input, so ``pool_first`` with attention can
    recover the feature.
    ``decode_first`` with ReLU computes the needed feature per step before
    pooling: ``relu(x0+x1) + relu(-x0-x1) - relu(x0-x1) - relu(x1-x0)
    = 2 sign(x0 x1) min(|x0|, |x1|)``, whose average separates the classes with
    a wide margin. This holds for the head on raw channels (``encoder=None``); a
    non-linear encoder can compute the feature itself and close the gap, and
    windowed ``pool_first`` (window means are no longer zero) partly recovers it.

    Examples
    --------
    >>> from seqpool_sklearn import make_nonlinear_steps
    >>> X, y = make_nonlinear_steps(n_samples=6, n_timesteps=8, random_state=0)
    >>> X.shape, X.dtype, int(y.sum())
    ((6, 2, 8), dtype('float32'), 3)
    >>> bool(abs(X.mean(axis=2)).max() < 1e-6)
    True
    >>> bool(((((X[:, 0] * X[:, 1]) > 0).sum(axis=1) > 4) == y).all())
    True
    """
    _check_sizes(n_samples, n_timesteps, 4)
    check_scalar(n_channels, "n_channels", numbers.Integral, min_val=2)
    rng = check_random_state(random_state)
    y = _balanced_labels(n_samples, rng)
    half = n_timesteps // 2
    # Agreeing steps per half: class 1 in [half - m, half], class 0 in [0, m], m < half / 2,
    # so after doubling class 1 has more than n_timesteps / 2 agreeing steps and class 0 fewer.
    m = int(np.floor(0.35 * half))
    k = np.where(
        y == 1, rng.randint(half - m, half + 1, n_samples), rng.randint(0, m + 1, n_samples)
    )
    magnitude = rng.uniform(0.5, 1.5, (n_samples, n_channels, half))
    signs = rng.choice([-1.0, 1.0], (n_samples, n_channels, half))
    agree = np.arange(half)[None, :] < k[:, None]
    signs[:, 1] = np.where(agree, signs[:, 0], -signs[:, 0])
    v = magnitude * signs
    parts = [v, -v]
    if n_timesteps % 2:
        parts.append(np.zeros((n_samples, n_channels, 1)))
    X = np.concatenate(parts, axis=2)
    order = rng.random_sample((n_samples, n_timesteps)).argsort(axis=1)
    X = np.take_along_axis(X, order[:, None, :], axis=2)
    return X.astype(np.float32), y


def make_mean_level(
    n_samples: int = 200,
    n_timesteps: int = 64,
    *,
    n_channels: int = 2,
    noise: float = 1.0,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Label = sign of a linear function of the channel levels; the orders tie.

    Each series is a constant level per channel plus white noise:
    ``X[i, c, t] = mu[i, c] + noise * e[i, c, t]`` with ``mu ~ N(0, 1)`` and
    ``e ~ N(0, 1)``. The label is ``1`` when ``w @ mu > 0`` with
    ``w = (+1, -1, +1, -1, ...)`` (for two channels: "channel 0 sits above
    channel 1").

    Parameters
    ----------
    n_samples : int, default=200
    n_timesteps : int, default=64
    n_channels : int, default=2
    noise : float, default=1.0
        Standard deviation of the per-step noise. The Bayes accuracy is
        ``1 - arctan(noise / sqrt(n_timesteps)) / pi`` (0.96 by default).
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype float32
    y : ndarray of shape (n_samples,), dtype int

    Notes
    -----
    Why the answer is known. Given the levels, the steps are i.i.d. Gaussian,
    so the channel means are a sufficient statistic: no per-step feature a
    ``decode_first`` head could compute carries more information about ``y``.
    The Bayes rule is ``w @ mean(X) > 0``, linear in the channel means.
    ``pool_first`` represents it directly; ``decode_first`` with ReLU represents
    it too, since ``mean(relu(u)) - mean(relu(-u)) = mean(u)``. With
    ``activation=None`` and average pooling the two orders are the same
    function, so any measured difference is noise.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import make_mean_level
    >>> X, y = make_mean_level(n_samples=400, random_state=0)
    >>> X.shape, int(y.sum())
    ((400, 2, 64), 200)
    >>> m = X.mean(axis=2)
    >>> bool(np.mean((m[:, 0] - m[:, 1] > 0) == y) > 0.9)
    True
    """
    _check_sizes(n_samples, n_timesteps, 1)
    check_scalar(n_channels, "n_channels", numbers.Integral, min_val=1)
    _check_finite(noise, "noise", min_val=0.0)
    rng = check_random_state(random_state)
    y = _balanced_labels(n_samples, rng)
    w = np.where(np.arange(n_channels) % 2 == 0, 1.0, -1.0)
    mu = rng.standard_normal((n_samples, n_channels))
    # mu and -mu are equally likely, so flipping mu to match a pre-drawn balanced label
    # keeps mu ~ N(0, I) while making the classes exactly balanced.
    flip = (mu @ w > 0).astype(int) != y
    mu[flip] *= -1.0
    X = mu[:, :, None] + noise * rng.standard_normal((n_samples, n_channels, n_timesteps))
    return X.astype(np.float32), y


def make_event_timing(
    n_samples: int = 200,
    n_timesteps: int = 64,
    *,
    n_channels: int = 1,
    event_length: int = 8,
    amplitude: float = 2.0,
    noise: float = 1.0,
    margin: int = 16,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Label = whether an event happens early or late; a window beats global pooling.

    Every series is white noise plus one rectangular event (``amplitude`` added
    to every channel for ``event_length`` steps). Class 0 ("early"): the event
    starts at ``s``, drawn uniformly in ``[margin, n_timesteps // 2 -
    event_length]``, so it ends in the first half. Class 1 ("late"): it starts
    at the mirrored step ``n_timesteps - event_length - s`` and lies in the
    second half.

    Parameters
    ----------
    n_samples : int, default=200
    n_timesteps : int, default=64
    n_channels : int, default=1
    event_length : int, default=8
    amplitude : float, default=2.0
    noise : float, default=1.0
        Standard deviation of the background noise.
    margin : int, default=16
        Smallest distance between the event and either end of the series.
        It keeps the event out of reach of the edge padding of a convolutional
        encoder (the default FCN-style encoder's receptive field is 14 steps),
        so that such an encoder with global pooling is at chance as well.
        Requires ``margin + event_length <= n_timesteps // 2``.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timesteps), dtype float32
    y : ndarray of shape (n_samples,), dtype int
        0 = early event, 1 = late event.

    Notes
    -----
    Why the answer is known. Both classes contain the same event and the same
    i.i.d. noise; only the position differs. So the *multiset* of time steps
    of a series has the same distribution in both classes (same mean energy),
    and every global pooling -- average, max, power mean and attention, in
    either order, since each is invariant to permuting the time steps -- gives
    a class-independent input to the output layer: chance. Any window of at
    most ``n_timesteps // 2`` steps keeps coarse timing, e.g. with
    ``window=n_timesteps // 2`` the two frames are the means of the two halves
    and the event raises exactly one of them. A convolutional encoder is
    translation equivariant away from the edges, so the margin keeps the
    global-pooling answer at chance for it too (exactly so without noise: every
    series then yields the same multiset of receptive fields; with noise only
    the higher-order statistics of the noise between the event and the edges
    could differ). A recurrent (GRU) encoder sees the order of the steps and can
    detect the timing by itself.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import make_event_timing
    >>> X, y = make_event_timing(n_samples=4, noise=0.0, random_state=0)
    >>> X.shape, y.tolist()
    ((4, 1, 64), [0, 1, 1, 0])
    >>> bool((np.sort(X, axis=2) == np.sort(X[:1], axis=2)).all())  # same multiset
    True
    >>> halves = X.reshape(4, 1, 2, 32).mean(axis=3)[:, 0]
    >>> (halves[:, 1] > halves[:, 0]).astype(int).tolist()
    [0, 1, 1, 0]
    """
    _check_sizes(n_samples, n_timesteps, 2)
    check_scalar(n_channels, "n_channels", numbers.Integral, min_val=1)
    check_scalar(event_length, "event_length", numbers.Integral, min_val=1)
    _check_finite(amplitude, "amplitude")
    _check_finite(noise, "noise", min_val=0.0)
    check_scalar(margin, "margin", numbers.Integral, min_val=0)
    half = n_timesteps // 2
    if margin + event_length > half:
        raise ValueError(
            f"margin + event_length must fit in half the series ({half} steps), got "
            f"{margin} + {event_length} = {margin + event_length}; lower margin or "
            "event_length, or raise n_timesteps."
        )
    rng = check_random_state(random_state)
    y = _balanced_labels(n_samples, rng)
    early = rng.randint(margin, half - event_length + 1, n_samples)
    start = np.where(y == 1, n_timesteps - event_length - early, early)
    t = np.arange(n_timesteps)[None, :]
    event = (t >= start[:, None]) & (t < start[:, None] + event_length)
    X = noise * rng.standard_normal((n_samples, n_channels, n_timesteps))
    X += amplitude * event[:, None, :]
    return X.astype(np.float32), y


SYNTHETIC_TASKS = {
    "nonlinear_steps": make_nonlinear_steps,
    "mean_level": make_mean_level,
    "event_timing": make_event_timing,
}
"""Synthetic tasks by name (used by the command line): ``name -> make_*`` function.

Examples
--------
>>> from seqpool_sklearn import SYNTHETIC_TASKS
>>> sorted(SYNTHETIC_TASKS)
['event_timing', 'mean_level', 'nonlinear_steps']
>>> X, y = SYNTHETIC_TASKS["mean_level"](n_samples=10, n_timesteps=8, random_state=0)
>>> X.shape, y.shape
((10, 2, 8), (10,))
"""
