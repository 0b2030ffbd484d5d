"""A compiled CPU kernel for the random-convolution encoder's pooled indicators.

:func:`pool_counts` computes, per series, every kernel/dilation output ``c(t)`` and, per
bias, the number of observed steps of each window above it (``"avg"``) or whether the
window's largest observed output is above it (``"max"``): what
:func:`~seqpool_sklearn.nn.encoders.rocket_fast.pool_indicators` computes from torch's
convolution, in one pass over each output that stays in cache, as MiniRocket's own
transform does.

The convolutions are computed as MiniRocket computes them: a kernel weighs the nine
steps ``x(t + (i - 4) d)`` by -1 and three of them by +2, so its output is
``-sum_i x_i + 3 (x_a + x_b + x_c)``, from nine shifted copies shared by the 84 kernels.
The arithmetic is float64. For float32-valued series (what the estimators pass) every
sum is exact, so the outputs equal torch's float64 convolution bit for bit, whatever the
order of summation, and so do the counts; float64 series with values of very different
magnitudes may round differently in the last bit.

The kernel is compiled with numba on first use (and cached on disk); it releases the
GIL, so a batch is split between ``torch.get_num_threads()`` threads.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch


@functools.lru_cache(maxsize=1)
def _compiled():
    """The numba kernel, compiled once per process (None where numba cannot be imported)."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba is a dependency; a broken install
        return None

    @njit(cache=True, nogil=True)
    def kernel(x, observed, dilations, per_dilation, triples, chans, biases, window, use_max, out):
        n, n_channels, t_len = x.shape
        n_frames = out.shape[2]
        n_kernels = triples.shape[0]
        shifts = np.zeros((n_channels, 9, t_len))
        alpha = np.zeros((n_channels, t_len))
        conv = np.empty(t_len)
        frame_max = np.empty(n_frames)
        for b in range(n):
            start = 0
            for di in range(dilations.shape[0]):
                d = dilations[di]
                nb = per_dilation[di]
                for c in range(n_channels):
                    for t in range(t_len):
                        alpha[c, t] = 0.0
                    for i in range(9):
                        offset = (i - 4) * d
                        for t in range(t_len):
                            s = t + offset
                            v = x[b, c, s] if 0 <= s < t_len else 0.0
                            shifts[c, i, t] = v
                            alpha[c, t] -= v
                for k in range(n_kernels):
                    i0, i1, i2 = triples[k, 0], triples[k, 1], triples[k, 2]
                    for t in range(t_len):
                        conv[t] = 0.0
                    for c in range(n_channels):
                        if chans[di, k, c]:
                            for t in range(t_len):
                                conv[t] += alpha[c, t] + 3.0 * (
                                    shifts[c, i0, t] + shifts[c, i1, t] + shifts[c, i2, t]
                                )
                    for t in range(t_len):
                        if not observed[b, t]:
                            conv[t] = -np.inf
                    first = start + k * nb
                    if use_max:
                        for fr in range(n_frames):
                            seg = conv[fr * window : min(t_len, (fr + 1) * window)]
                            m = -np.inf
                            for t in range(seg.shape[0]):
                                m = max(m, seg[t])
                            frame_max[fr] = m
                        for j in range(nb):
                            bias = biases[first + j]
                            for fr in range(n_frames):
                                out[b, first + j, fr] = 1.0 if frame_max[fr] > bias else 0.0
                    else:
                        for j in range(nb):
                            bias = biases[first + j]
                            for fr in range(n_frames):
                                # a contiguous slice: the comparisons vectorise
                                seg = conv[fr * window : min(t_len, (fr + 1) * window)]
                                count = 0
                                for t in range(seg.shape[0]):
                                    count += seg[t] > bias
                                out[b, first + j, fr] = count
                start += n_kernels * nb

    return kernel


def available() -> bool:
    """Whether the compiled kernel can run here (numba imports)."""
    return _compiled() is not None


def pool_counts(
    x: torch.Tensor,
    mask: torch.Tensor,
    weight: torch.Tensor,
    triples: tuple[tuple[int, int, int], ...],
    dilations: tuple[int, ...],
    per_dilation: tuple[int, ...],
    biases: torch.Tensor,
    pool: str,
    window: int | None,
) -> torch.Tensor:
    """Pooled raw indicators of the random-convolution encoder, computed on the CPU.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, time), on the CPU
        Series, masked steps already 0 (as the encoder reads them).
    mask : torch.Tensor of shape (batch, time), dtype bool
    weight : torch.Tensor of shape (n_dilations, n_kernels, channels, 9)
        The encoder's kernels: -1 at every tap and +2 at the taps of ``triples``, on the
        channels a kernel reads (0 on the others); only which channels is read here.
    triples : tuple of (int, int, int)
        Each kernel's three taps of weight +2 (the others are -1).
    dilations, per_dilation : tuple of int
        The dilations and the number of biases per kernel at each.
    biases : torch.Tensor of shape (n_features,)
        Feature ``start_d + k * n_biases + j``: dilation ``d``, kernel ``k``, bias ``j``.
    pool : {"avg", "max"}
        ``"avg"``: the number of observed steps above the bias per window;
        ``"max"``: 1.0 where some observed step of the window is above it, else 0.0.
    window : int or None
        Window length (the last partial window kept); None: the whole series.

    Returns
    -------
    torch.Tensor of shape (batch, n_features, n_frames)
        In ``x``'s dtype.

    Examples
    --------
    >>> import torch
    >>> from seqpool_sklearn.nn.encoders.minirocket import _ROCKET_INDICES, RandomConvEncoder
    >>> enc = RandomConvEncoder(1, 30, n_features=84).double()
    >>> x = torch.randn(4, 1, 30, dtype=torch.float64)
    >>> mask = torch.ones(4, 30, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> counts = pool_counts(x, mask, enc.weight, _ROCKET_INDICES, enc.dilations,
    ...                      enc.per_dilation, enc.bias, "avg", None)
    >>> counts.shape
    torch.Size([4, 84, 1])
    >>> bool(torch.equal(counts / 30, enc.ppv(x, mask).unsqueeze(-1)))
    True
    """
    kernel = _compiled()
    if kernel is None:  # pragma: no cover - see _compiled
        raise RuntimeError("The compiled encoder kernel needs numba, which cannot be imported.")
    b, _, t = x.shape
    w = t if window is None else int(window)
    n_frames = -(-t // w)
    xs = np.ascontiguousarray(x.detach().to(torch.float64).numpy())
    observed = np.ascontiguousarray(mask.numpy())
    chans = np.ascontiguousarray((weight[..., 0] != 0).numpy())
    args = (
        np.asarray(dilations, dtype=np.int64),
        np.asarray(per_dilation, dtype=np.int64),
        np.asarray(triples, dtype=np.int64),
        chans,
        np.ascontiguousarray(biases.detach().to(torch.float64).numpy()),
        w,
        pool == "max",
    )
    out = np.empty((b, biases.shape[0], n_frames))
    n_threads = max(1, min(torch.get_num_threads(), b))
    if n_threads == 1:
        kernel(xs, observed, *args, out)
    else:
        bounds = np.linspace(0, b, n_threads + 1).astype(int)
        with ThreadPoolExecutor(n_threads) as pool_:
            jobs = [
                pool_.submit(kernel, xs[lo:hi], observed[lo:hi], *args, out[lo:hi])
                for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            for job in jobs:
                job.result()
    return torch.from_numpy(out).to(x.dtype)
