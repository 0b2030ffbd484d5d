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
sum is exact -- unless the values one kernel reads span more than about ``2**25`` in
magnitude (``1e-3`` beside ``1e5``: float64's 53 bits then no longer hold all their
float32 bits) -- so the outputs equal torch's float64 convolution bit for bit, whatever
the order of summation, and so do the counts. Beyond that span a sum may round, and an
output that equals a bias may fall on either side of it in the kernel and in torch: on
flat stretches at levels from 1e-3 to 3e9, predictions were 0.04 apart (on a spread of
0.27); spikes of 1e7 to 1e10 on ordinary noise moved nothing. Series of genuine float64
values (``dtype="float64"``) may round differently in the last bit, and where an output equals a
bias exactly -- biases are quantiles of training outputs, so a training series of one
observed step, or a flat stretch, gives such ties -- that last bit flips the indicator,
and the kernel and the maps (``explain``, export, another device) would disagree on such
series. The encoders therefore call the kernels for float32-valued series only
(:func:`float32_valued`); torch computes for the others, as it computes the maps.

:func:`step_rows` computes, from the same outputs, the ranks ``decode_first`` reads its
decode table by (see ``rocket_fast``).

The kernels (``_rocket_numba``) are compiled with numba on first use (and cached on disk
where a writable place is found, see ``NUMBA_CACHE_DIR``; otherwise compiled in each
process); they release the GIL, so a batch is split between ``torch.get_num_threads()``
threads. Where numba cannot be imported, the encoders compute with torch instead.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch


@functools.lru_cache(maxsize=1)
def _compiled():
    """The numba kernels (``_rocket_numba``), or None where numba cannot be imported.

    Imported here, on first use, and not with the package: a broken numba install then
    leaves the package working (torch computes), and a missing disk cache location
    costs a compilation per process, not the import (see ``_rocket_numba._jit``).
    """
    try:
        from . import _rocket_numba
    except ImportError:  # numba is a dependency; a broken install (tested in a subprocess)
        return None
    return _rocket_numba


def available() -> bool:
    """Whether the compiled kernel can run here (numba imports)."""
    return _compiled() is not None


def applies(x: torch.Tensor) -> bool:
    """Whether the compiled kernel computes for ``x``: a CPU tensor, numba importable."""
    return x.device.type == "cpu" and available()


def float32_valued(x: torch.Tensor) -> bool:
    """Whether every value of ``x`` is a float32 value: then each output's float64 sum is
    exact, in whatever order its terms are added (unless the values one kernel reads span
    more than about ``2**25`` in magnitude, see the module's docs), so the kernel and
    torch's convolution give the same outputs, and the same side of every bias.

    Examples
    --------
    >>> import torch
    >>> float32_valued(torch.tensor([0.5, 3.0], dtype=torch.float64))
    True
    >>> float32_valued(torch.tensor([0.1], dtype=torch.float64))  # 0.1 is no float32 value
    False
    """
    return x.dtype == torch.float32 or bool(torch.equal(x, x.float().to(x.dtype)))


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
    coverage: tuple[torch.Tensor, torch.Tensor] | None = None,
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
    coverage : (covered, unpadded), optional
        MiniRocket's alternating padding: ``unpadded`` (n_dilations, n_kernels) bool
        marks the kernels that count only the steps whose whole window the series
        covers, ``covered`` (batch, n_dilations, time) bool those steps; at the others
        such a kernel's output is below every bias. None: every kernel counts every
        observed step (zero padding).

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
    b, _, t = x.shape
    w, n_frames = _frames(t, window)
    xs, shared = _arguments(x, weight, triples, dilations, per_dilation, biases)
    observed = np.ascontiguousarray(mask.numpy())
    covered, unpadded = _coverage(coverage, b, len(dilations), len(triples))
    out = np.empty((b, biases.shape[0], n_frames))
    _run(
        "pool_kernel",
        lambda lo, hi: (
            xs[lo:hi],
            observed[lo:hi],
            *shared,
            covered[lo:hi],
            unpadded,
            w,
            pool == "max",
            out[lo:hi],
        ),
        b,
    )
    return torch.from_numpy(out).to(x.dtype)


def biased_statistics(
    x: torch.Tensor,
    mask: torch.Tensor,
    weight: torch.Tensor,
    triples: tuple[tuple[int, int, int], ...],
    dilations: tuple[int, ...],
    per_dilation: tuple[int, ...],
    biases: torch.Tensor,
    scales: torch.Tensor,
    window: int | None,
    coverage: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """MultiRocket's statistics of the biased maps ``(c(t) - b) / s``, per window.

    What MultiRocket's pools (``ppv``, ``mpv``, ``logmpv``, ``mipv``, ``lspv``) are
    computed from, in one pass over each kernel/dilation output that stays in cache
    (see :func:`~seqpool_sklearn.nn.multirocket_pools.from_statistics`). The outputs
    ``c(t)`` are computed as in :func:`pool_counts` (exact for float32-valued series);
    ``(c(t) - b) / s`` in float64, rounded to float32 for a float32 ``x`` as the maps
    hold it.

    Parameters
    ----------
    x, mask, weight, triples, dilations, per_dilation, biases, window, coverage
        As in :func:`pool_counts`; an unpadded kernel's ``h`` is 0 at the steps its
        window does not cover.
    scales : torch.Tensor of shape (n_features,)
        Each feature's spread ``s``.

    Returns
    -------
    torch.Tensor of shape (batch, n_features, n_frames, 4), float64
        Over the observed steps of each window: the number with ``h > 0``, the sum of
        those ``h``, the sum of their ranks among the window's observed steps (0, 1, ...)
        and the length of the longest run of them.

    Examples
    --------
    >>> import torch
    >>> from seqpool_sklearn.nn.encoders.minirocket import _ROCKET_INDICES, RandomConvEncoder
    >>> enc = RandomConvEncoder(1, 30, n_features=84, maps="biased").double()
    >>> x = torch.randn(4, 1, 30, dtype=torch.float64)
    >>> mask = torch.ones(4, 30, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> stats = biased_statistics(x, mask, enc.weight, _ROCKET_INDICES, enc.dilations,
    ...                           enc.per_dilation, enc.bias, enc.conv_scale, None)
    >>> stats.shape
    torch.Size([4, 84, 1, 4])
    >>> h = enc(x, mask)  # the biased maps
    >>> bool(torch.equal(stats[..., 0, 0], (h > 0).sum(-1).double()))
    True
    """
    b, _, t = x.shape
    w, n_frames = _frames(t, window)
    xs, shared = _arguments(x, weight, triples, dilations, per_dilation, biases)
    s = np.ascontiguousarray(scales.detach().to(torch.float64).numpy())
    observed = np.ascontiguousarray(mask.numpy())
    as32 = x.dtype == torch.float32
    covered, unpadded = _coverage(coverage, b, len(dilations), len(triples))
    out = np.empty((b, biases.shape[0], n_frames, 4))
    _run(
        "biased_kernel",
        lambda lo, hi: (
            xs[lo:hi],
            observed[lo:hi],
            *shared,
            covered[lo:hi],
            unpadded,
            s,
            w,
            as32,
            out[lo:hi],
        ),
        b,
    )
    return torch.from_numpy(out)


def step_rows(
    x: torch.Tensor,
    weight: torch.Tensor,
    triples: tuple[tuple[int, int, int], ...],
    dilations: tuple[int, ...],
    per_dilation: tuple[int, ...],
    biases: torch.Tensor,
    coverage: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> torch.Tensor:
    """The decode table's row of every kernel group at every step, computed on the CPU.

    What ``rocket_fast._step_rows`` computes from torch's convolutions: for group ``g``
    (dilation-major, then kernel) at step ``t``, the group's first row of the decode table
    plus the number of its biases below its output. Every step counts, observed or not
    (the decoder zeroes the unobserved ones).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, time), on the CPU
    weight, triples, dilations, per_dilation, biases, coverage
        As for :func:`pool_counts`: an unpadded kernel stays on its group's first row
        (below every bias) at the steps its window does not cover.

    Returns
    -------
    torch.Tensor of shape (n_groups, batch, time), int32
    """
    b, _, t = x.shape
    xs, shared = _arguments(x, weight, triples, dilations, per_dilation, biases)
    covered, unpadded = _coverage(coverage, b, len(dilations), len(triples))
    out = np.empty((b, len(triples) * len(dilations), t), dtype=np.int32)
    _run(
        "rank_kernel",
        lambda lo, hi: (xs[lo:hi], *shared, covered[lo:hi], unpadded, out[lo:hi]),
        b,
    )
    return torch.from_numpy(out).permute(1, 0, 2)


def sorted_steps(rows: torch.Tensor, n_rows: int, n_timesteps: int):
    """Each series' steps ordered by decode-table row, and the number of steps per row.

    The order of ``torch.sort(rows, dim=1, stable=True)`` (as step indices, position
    modulo ``n_timesteps``) by a counting sort, for ``decode_cache``.

    Parameters
    ----------
    rows : torch.Tensor of shape (batch, n_groups * n_timesteps), int32, on the CPU
        Group ``g``'s row at step ``t`` in position ``g * n_timesteps + t``.
    n_rows : int
        Rows of the decode table (every value of ``rows`` is below it).
    n_timesteps : int

    Returns
    -------
    steps : torch.Tensor of shape (batch, n_groups * n_timesteps), int32
    counts : torch.Tensor of shape (batch, n_rows), int32

    Examples
    --------
    >>> import torch
    >>> rows = torch.tensor([[1, 0, 1, 3, 2, 3]], dtype=torch.int32)  # 2 groups, 3 steps
    >>> steps, counts = sorted_steps(rows, 4, 3)
    >>> steps.tolist(), counts.tolist()
    ([[1, 0, 2, 1, 0, 2]], [[1, 2, 1, 2]])
    >>> (torch.sort(rows, stable=True).indices % 3).tolist()
    [[1, 0, 2, 1, 0, 2]]
    """
    r = np.ascontiguousarray(rows.numpy())
    steps = np.empty(r.shape, dtype=np.int32)
    counts = np.empty((r.shape[0], n_rows), dtype=np.int32)
    _run(
        "sort_kernel",
        lambda lo, hi: (r[lo:hi], n_rows, n_timesteps, steps[lo:hi], counts[lo:hi]),
        r.shape[0],
    )
    return torch.from_numpy(steps), torch.from_numpy(counts)


def _frames(n_timesteps: int, window: int | None) -> tuple[int, int]:
    """The window length the kernels step by (the series' for None) and the frames."""
    w = n_timesteps if window is None else int(window)
    return w, -(-n_timesteps // w)


def _arguments(x, weight, triples, dilations, per_dilation, biases):
    """The series as float64 numpy, and the kernels' description as numpy arrays."""
    xs = np.ascontiguousarray(x.detach().to(torch.float64).numpy())
    shared = (
        np.asarray(dilations, dtype=np.int64),
        np.asarray(per_dilation, dtype=np.int64),
        np.asarray(triples, dtype=np.int64),
        np.ascontiguousarray((weight[..., 0] != 0).numpy()),
        np.ascontiguousarray(biases.detach().to(torch.float64).numpy()),
    )
    return xs, shared


def _coverage(coverage, n: int, n_dilations: int, n_kernels: int):
    """``coverage`` as the kernels read it: (covered, unpadded) numpy bool arrays.

    None gives no unpadded kernel (and a covered array that is never read).
    """
    if coverage is None:
        return np.ones((n, 1, 1), dtype=np.bool_), np.zeros((n_dilations, n_kernels), np.bool_)
    covered, unpadded = coverage
    return (
        np.ascontiguousarray(covered.numpy().astype(np.bool_, copy=False)),
        np.ascontiguousarray(unpadded.numpy().astype(np.bool_, copy=False)),
    )


def _run(name: str, arguments, n: int) -> None:
    """Kernel ``name`` on ``arguments(lo, hi)`` over the series, split between torch's threads."""
    kernels = _compiled()
    if kernels is None:  # pragma: no cover - see _compiled
        raise RuntimeError("The compiled encoder kernel needs numba, which cannot be imported.")
    kernel = getattr(kernels, name)
    n_threads = max(1, min(torch.get_num_threads(), n))
    if n_threads == 1:
        kernel(*arguments(0, n))
        return
    bounds = np.linspace(0, n, n_threads + 1).astype(int)
    with ThreadPoolExecutor(n_threads) as pool:
        jobs = [
            pool.submit(kernel, *arguments(lo, hi))
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for job in jobs:
            job.result()


def hydra_counts(c: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Hydra's summed soft max-counts and hard min-counts over the observed steps.

    ``c`` (batch, groups, kernels, time) holds the responses on the CPU, ``mask`` (batch,
    time) the observed steps. Returns ``soft`` and ``hard`` (batch, groups, kernels) in
    ``c``'s dtype: per group and step the first kernel with the largest response gets that
    response and the first with the smallest gets 1, as torch's ``max`` / ``min`` and
    ``scatter_add_`` give them (the same sums bit for bit: the same order of steps).
    """
    values = np.ascontiguousarray(c.detach().numpy())
    observed = np.ascontiguousarray(mask.numpy())
    n, groups, k, _ = values.shape
    soft = np.zeros((n, groups, k), dtype=values.dtype)
    hard = np.zeros((n, groups, k), dtype=values.dtype)
    _run(
        "hydra_kernel",
        lambda lo, hi: (values[lo:hi], observed[lo:hi], soft[lo:hi], hard[lo:hi]),
        n,
    )
    return torch.from_numpy(soft), torch.from_numpy(hard)
