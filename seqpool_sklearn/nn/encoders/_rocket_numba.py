"""The numba kernels behind :mod:`rocket_kernel` (imported only when first used).

Per series and dilation, :func:`_shift` writes the nine shifted copies of every channel
(zero outside the series) and minus their sum; :func:`_convolve` combines them into one
kernel's output, ``-sum_i x_i + 3 (x_a + x_b + x_c)`` over the kernel's channels -- the
weights -1 and +2 of MiniRocket's kernels. Float64 throughout.

The compiled code is cached on disk (next to this file, else in ``$HOME/.cache/numba``, or
in ``NUMBA_CACHE_DIR`` where that is set); where numba finds no writable place for it, the
kernels are compiled without a cache, in every new process: the same code, so the same
results.
"""

import numpy as np
from numba import njit


def _jit(func):
    """``func`` compiled by numba (nogil), with a disk cache where one can be written.

    numba looks for a writable cache location when a function is decorated and raises a
    ``RuntimeError`` where it finds none (a read-only install without a writable home
    directory): the function is then compiled without a cache.
    """
    try:
        return njit(cache=True, nogil=True)(func)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(cache=False, nogil=True)(func)


@_jit
def _shift(x, b, d, shifts, alpha):  # pragma: no cover - compiled
    n_channels, t_len = alpha.shape
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


@_jit
def _convolve(reads, i0, i1, i2, shifts, alpha, conv):  # pragma: no cover - compiled
    for t in range(conv.shape[0]):
        conv[t] = 0.0
    for c in range(reads.shape[0]):
        if reads[c]:
            for t in range(conv.shape[0]):
                conv[t] += alpha[c, t] + 3.0 * (
                    shifts[c, i0, t] + shifts[c, i1, t] + shifts[c, i2, t]
                )


@_jit
def pool_kernel(
    x,
    observed,
    dilations,
    per_dilation,
    triples,
    chans,
    biases,
    covered,
    unpadded,
    window,
    use_max,
    out,
):  # pragma: no cover - compiled
    """Counts (or maxima) per window of every feature: ``out`` (B, F, n_frames).

    A kernel with ``unpadded[d, k]`` counts only the steps whose whole window its
    series covers (``covered[b, d, t]``); elsewhere its output is below every bias.
    """
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
            nb = per_dilation[di]
            _shift(x, b, dilations[di], shifts, alpha)
            for k in range(n_kernels):
                _convolve(
                    chans[di, k], triples[k, 0], triples[k, 1], triples[k, 2], shifts, alpha, conv
                )
                for t in range(t_len):
                    if not observed[b, t]:
                        conv[t] = -np.inf
                if unpadded[di, k]:
                    for t in range(t_len):
                        if not covered[b, di, t]:
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


@_jit
def rank_kernel(
    x, dilations, per_dilation, triples, chans, biases, covered, unpadded, out
):  # pragma: no cover - compiled
    """Decode-table rows: ``out[b, g, t]`` = group ``g``'s first row + the number of its
    biases below its output at step ``t`` (every step, observed or not). An
    ``unpadded`` kernel stays on its first row where its window is not ``covered``."""
    n, n_channels, t_len = x.shape
    n_kernels = triples.shape[0]
    shifts = np.zeros((n_channels, 9, t_len))
    alpha = np.zeros((n_channels, t_len))
    conv = np.empty(t_len)
    rank = np.empty(t_len, dtype=np.int32)
    for b in range(n):
        start = 0
        row = 0
        g = 0
        for di in range(dilations.shape[0]):
            nb = per_dilation[di]
            _shift(x, b, dilations[di], shifts, alpha)
            for k in range(n_kernels):
                _convolve(
                    chans[di, k], triples[k, 0], triples[k, 1], triples[k, 2], shifts, alpha, conv
                )
                first = row + k * (nb + 1)
                for t in range(t_len):
                    rank[t] = first
                if unpadded[di, k]:
                    for t in range(t_len):
                        if not covered[b, di, t]:
                            conv[t] = -np.inf
                for j in range(nb):
                    bias = biases[start + k * nb + j]
                    for t in range(t_len):
                        rank[t] += conv[t] > bias
                for t in range(t_len):
                    out[b, g, t] = rank[t]
                g += 1
            start += n_kernels * nb
            row += n_kernels * (nb + 1)


@_jit
def sort_kernel(rows, n_rows, t_len, steps, counts):  # pragma: no cover - compiled
    """Per series, its steps ordered by table row (ties by position) and the count per row.

    ``rows`` (s, G * T): the row of group ``g`` at step ``t`` in position ``g * T + t``;
    ``steps`` (s, G * T) receives ``t`` for every position, in a stable counting sort by
    row -- the order of a stable sort of ``rows`` -- and ``counts`` (s, n_rows) the
    number of positions per row.
    """
    start = np.empty(n_rows, dtype=np.int64)
    for b in range(rows.shape[0]):
        for r in range(n_rows):
            counts[b, r] = 0
        for p in range(rows.shape[1]):
            counts[b, rows[b, p]] += 1
        total = 0
        for r in range(n_rows):
            start[r] = total
            total += counts[b, r]
        for p in range(rows.shape[1]):
            r = rows[b, p]
            steps[b, start[r]] = p % t_len
            start[r] += 1


@_jit
def hydra_kernel(c, observed, soft, hard):  # pragma: no cover - compiled
    """Hydra's counts over the observed steps: per series, group and step, the first
    kernel with the largest response (its response added to ``soft``) and the first with
    the smallest (1 added to ``hard``) -- torch's ``max`` / ``min`` indices, summed in the
    order of the steps as ``scatter_add_`` sums them."""
    n, groups, k, t_len = c.shape
    for b in range(n):
        for g in range(groups):
            for t in range(t_len):
                if not observed[b, t]:
                    continue
                top = c[b, g, 0, t]
                low = top
                win = 0
                lose = 0
                for j in range(1, k):
                    v = c[b, g, j, t]
                    if v > top:
                        top = v
                        win = j
                    if v < low:
                        low = v
                        lose = j
                soft[b, g, win] += top
                hard[b, g, lose] += 1.0


@_jit
def biased_kernel(
    x,
    observed,
    dilations,
    per_dilation,
    triples,
    chans,
    biases,
    covered,
    unpadded,
    scales,
    window,
    as32,
    out,
):  # pragma: no cover - compiled
    """MultiRocket's statistics of the biased maps ``h = (c - b) / s`` per window.

    ``out[b, f, fr]`` receives, over the observed steps of window ``fr`` in time order:
    the number with ``h > 0``, the sum of those ``h``, the sum of their ranks among the
    window's observed steps, and the longest run of them (unobserved steps neither break
    nor extend a run). ``as32``: ``h`` rounded to float32 first, as float32 maps hold it.
    ``h`` is computed only where ``c > b`` (``s > 0``): elsewhere it is not positive.
    An ``unpadded`` kernel's ``h`` is 0 where its window is not ``covered``.
    """
    n, n_channels, t_len = x.shape
    n_frames = out.shape[2]
    n_kernels = triples.shape[0]
    shifts = np.zeros((n_channels, 9, t_len))
    alpha = np.zeros((n_channels, t_len))
    conv = np.empty(t_len)
    seen = np.empty(t_len)  # the outputs at the observed steps, in time order
    steps = np.empty(t_len, dtype=np.int64)
    bounds = np.empty(n_frames + 1, dtype=np.int64)
    for b in range(n):
        m = 0
        for fr in range(n_frames):
            bounds[fr] = m
            for t in range(fr * window, min(t_len, (fr + 1) * window)):
                if observed[b, t]:
                    steps[m] = t
                    m += 1
        bounds[n_frames] = m
        start = 0
        for di in range(dilations.shape[0]):
            nb = per_dilation[di]
            _shift(x, b, dilations[di], shifts, alpha)
            for k in range(n_kernels):
                _convolve(
                    chans[di, k], triples[k, 0], triples[k, 1], triples[k, 2], shifts, alpha, conv
                )
                for q in range(m):
                    seen[q] = conv[steps[q]]
                if unpadded[di, k]:
                    for q in range(m):
                        if not covered[b, di, steps[q]]:
                            seen[q] = -np.inf
                first = start + k * nb
                for j in range(nb):
                    bias = biases[first + j]
                    scale = scales[first + j]
                    for fr in range(n_frames):
                        q0 = bounds[fr]
                        count = 0
                        total = 0.0
                        ranks = 0
                        run = 0
                        best = 0
                        for q in range(q0, bounds[fr + 1]):
                            v = seen[q]
                            h = 0.0
                            if v > bias:
                                h = (v - bias) / scale
                                if as32:
                                    h = np.float64(np.float32(h))
                            if h > 0.0:
                                count += 1
                                total += h
                                ranks += q - q0
                                run += 1
                                if run > best:
                                    best = run
                            else:
                                run = 0
                        out[b, first + j, fr, 0] = count
                        out[b, first + j, fr, 1] = total
                        out[b, first + j, fr, 2] = ranks
                        out[b, first + j, fr, 3] = best
            start += n_kernels * nb
