"""MultiRocket's pooling operators as pool types: ``ppv``, ``mpv``, ``mipv``, ``lspv``
(and ``logmpv``, MPV on a log scale).

The observed steps of a window, in time order, are the sequence a pool sees (unobserved
steps -- NaN padding, missing values -- are skipped: they neither break nor extend a
run); call them ``h_0 .. h_(n-1)``, step ``h_r`` having rank ``r``:

- ``ppv``: the fraction of the ``n`` steps with ``h_r > 0``;
- ``mpv``: the mean of ``h_r`` over the steps with ``h_r > 0`` (0 when there are none);
- ``logmpv``: ``log(1 + mpv)``. MPV is unbounded: one test series with a spike far
  beyond the training series' range moves it without limit, and a linear readout's
  prediction with it. On the log scale the spike's effect grows only logarithmically, and
  a change of scale (which the MPV of a scale statistic reflects multiplicatively)
  becomes a shift, which a linear readout fits. Behind the random-convolution encoders
  ``mpv`` is already divided by the kernel/dilation's spread, so ``logmpv`` does not
  depend on the units of the series;
- ``mipv``: the mean of ``r / (n - 1)`` over the steps with ``h_r > 0`` (rank 0 when
  ``n = 1``), -1 when there are none. MultiRocket uses raw indices; scaled ranks keep
  the meaning across lengths and padding;
- ``lspv``: the length of the longest run of consecutive steps with ``h_r > 0``,
  divided by ``n``.

Behind the random-convolution encoders these pools read the biased convolutions
``(c_j(t) - b_j) / s_j`` (``Pool.encoder_maps = "biased"``), so that ``ppv`` is
MultiRocket's feature of ``c_j(t) - b_j`` exactly, ``mpv`` its feature divided by the
kernel/dilation's spread ``s_j``, and ``mipv`` and ``lspv`` its features scaled by the
window's length as described above (Tan et al. 2022).

Each is a sum over steps (``logmpv`` splits its value in proportion to MPV's shares), so
each declares its exact per-step split for ``explain``.
``ppv``, ``mipv`` and ``lspv`` are step functions of ``h``, whose gradient is zero almost
everywhere: in training their indicator ``1[h > 0]`` carries the gradient of the sigmoid
``sigmoid(h / tau)`` (``tau = 1``, a straight-through surrogate), while the value is the
exact one, so the decoder in front of them (``decode_first``, or a trained encoder)
learns; ``predict`` computes the exact values without the surrogate.

The surrogate alone does not make a ``decode_first`` head learn: the pooled fractions,
ranks and run lengths vary little between series, so the output layer would need weights
far larger than training reaches, and dropout on the decoded steps cuts runs and flips
counts. These pools set ``standardise_decoded``: a ``decode_first`` head standardises
their pooled frames (``FrameNorm``: batch statistics in training, their running averages
at predict) and drops out the frames instead of the steps. On GunPoint's archive split
(336 maps) that took ``decode_first`` + ``ppv`` from 0.56 to 0.99 accuracy, ``lspv`` from
0.49 to 0.88, ``mipv`` from 0.63 to 0.87 and ``mpv`` from 0.86 to 0.98.

References
----------
Tan, Dempster, Bergmeir and Webb (2022), "MultiRocket: multiple pooling operators and
transformations for fast and effective time series classification", Data Mining and
Knowledge Discovery.
"""

from __future__ import annotations

import torch

from .masks import recording_graph
from .pools import Pool, register_pool

#: Temperature of the sigmoid surrogate gradient of the step-function pools.
SURROGATE_TAU = 1.0


def _counts(h: torch.Tensor, mask: torch.Tensor):
    """Float mask (B,1,F,k), observed steps n (B,1,F) and the positive indicator (bool)."""
    m = mask.unsqueeze(1).to(h.dtype)
    positive = (h > 0) & mask.unsqueeze(1)
    return m, m.sum(-1), positive


def _indicator(pool: Pool, h: torch.Tensor, hard: torch.Tensor, m: torch.Tensor):
    """``hard`` (bool) as floats; in training with the straight-through gradient of
    ``sigmoid(h / tau)`` at every observed step (the value stays exactly ``hard``)."""
    value = hard.to(h.dtype)
    if not (pool.training and h.requires_grad):
        return value
    soft = torch.sigmoid(h / SURROGATE_TAU) * m
    return value + (soft - soft.detach())


def _ranks(mask: torch.Tensor, n: torch.Tensor, dtype) -> torch.Tensor:
    """``r / (n - 1)`` of every observed step of each window (0 when n = 1), (B,1,F,k)."""
    r = (mask.to(torch.int64).cumsum(-1) - 1).unsqueeze(1).to(dtype)  # ONNX: no bool CumSum
    return r / (n - 1).clamp_min(1.0).unsqueeze(-1)


class _MultiRocketPool(Pool):
    """Each is a sum over steps: its frames are its shares, summed."""

    encoder_maps = "biased"
    standardise_decoded = True
    separable = True

    def forward(self, h, mask):
        return self.shares(h, mask).sum(-1)


@register_pool
class PPVPool(_MultiRocketPool):
    name, summary = "ppv", "proportion of the observed steps with h > 0 (MultiRocket's PPV)"

    def shares(self, h, mask):
        m, n, positive = _counts(h, mask)
        return _indicator(self, h, positive, m) / n.clamp_min(1.0).unsqueeze(-1)


@register_pool
class MPVPool(_MultiRocketPool):
    name, summary = "mpv", "mean of the steps with h > 0, 0 if none (MultiRocket's MPV)"

    def shares(self, h, mask):
        _, _, positive = _counts(h, mask)
        pos = positive.to(h.dtype)
        return h * pos / pos.sum(-1, keepdim=True).clamp_min(1.0)


@register_pool
class LogMPVPool(MPVPool):
    name, summary = "logmpv", "log(1 + mpv): MPV on a log scale, robust to extreme steps"
    separable = True

    def forward(self, h, mask):
        return torch.log1p(MPVPool.shares(self, h, mask).sum(-1))

    def shares(self, h, mask):
        # MPV's shares, scaled by log1p(mpv) / mpv: each positive step keeps its part
        mpv_shares = MPVPool.shares(self, h, mask)
        mpv = mpv_shares.sum(-1, keepdim=True)
        tiny = torch.finfo(h.dtype).tiny
        return mpv_shares * (torch.log1p(mpv) / mpv.clamp_min(tiny))


@register_pool
class MIPVPool(_MultiRocketPool):
    name, summary = "mipv", "mean rank r/(n-1) of the steps with h > 0, -1 if none (MIPV)"

    def shares(self, h, mask):
        m, n, positive = _counts(h, mask)
        ind = _indicator(self, h, positive, m)
        count = positive.to(h.dtype).sum(-1, keepdim=True)
        ranked = _ranks(mask, n, h.dtype) * ind / count.clamp_min(1.0)
        # no positive step: -1, spread evenly over the observed steps
        none = -m / n.clamp_min(1.0).unsqueeze(-1)
        return torch.where(count > 0, ranked, none)


@register_pool
class LSPVPool(_MultiRocketPool):
    name, summary = "lspv", "longest run of steps with h > 0, over n (MultiRocket's LSPV)"
    separable = True

    @staticmethod
    def _longest_run(positive: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Membership (bool, like ``positive``) of each window's first longest run."""
        breaks = mask.unsqueeze(1) & ~positive  # observed and not positive: a run ends
        ones = positive.to(torch.int32).cumsum(-1)
        before = torch.where(breaks, ones, torch.zeros_like(ones)).cummax(-1).values
        run = torch.where(positive, ones - before, torch.zeros_like(ones))  # length so far
        longest, end = run.max(-1, keepdim=True)  # the first step where the longest ends
        ends_at = breaks.to(torch.int32).cumsum(-1)
        # the run's steps: positive, after the same last break as its end, and not past it
        same = ends_at == ends_at.gather(-1, end)
        steps = torch.arange(run.shape[-1], device=run.device)
        return positive & same & (steps <= end) & (longest > 0)

    @staticmethod
    def _longest_length(positive: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Length of each window's longest run, (B, F, n_frames): one pass over the steps."""
        steps = positive.permute(3, 0, 1, 2).contiguous()  # (k, B, F, frames)
        observed = mask.permute(2, 0, 1).unsqueeze(2).contiguous()  # (k, B, 1, frames)
        run = torch.zeros(steps.shape[1:], dtype=torch.int32, device=positive.device)
        best = torch.zeros_like(run)
        for pos, seen in zip(steps, observed, strict=True):
            # a positive step extends the run, an observed other step ends it, an
            # unobserved one leaves it as it is
            run = torch.where(seen, (run + 1) * pos, run)
            best = torch.maximum(best, run)
        return best

    def shares(self, h, mask):
        m, n, positive = _counts(h, mask)
        inrun = self._longest_run(positive, mask)
        return _indicator(self, h, inrun, m) / n.clamp_min(1.0).unsqueeze(-1)

    @staticmethod
    def _longest_length_traceable(positive: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """:meth:`_longest_length` with no loop over the steps, for a graph being recorded
        (export): a trace of the loop would fix the number of steps."""
        # the positives since the last break: ``ones`` there, read back by the break's
        # number (a scatter and a gather, which ONNX has; it has no cumulative maximum)
        breaks = mask.unsqueeze(1) & ~positive
        ones = positive.to(torch.int64).cumsum(-1)
        n_breaks = breaks.to(torch.int64).cumsum(-1)
        slots = torch.cat([torch.zeros_like(ones[..., :1]), torch.zeros_like(ones)], -1)
        # slot k holds ``ones`` at the k-th break; slot 0, before any break, only zeros
        at = torch.where(breaks, n_breaks, torch.zeros_like(n_breaks))
        slots = slots.scatter(-1, at, torch.where(breaks, ones, torch.zeros_like(ones)))
        before = slots.gather(-1, n_breaks)
        return torch.where(positive, ones - before, torch.zeros_like(ones)).amax(-1)

    def forward(self, h, mask):
        m, n, positive = _counts(h, mask)
        longest = (
            self._longest_length_traceable(positive, mask)
            if recording_graph()
            else self._longest_length(positive, mask)
        )
        value = longest.to(h.dtype) / n.clamp_min(1.0)
        if self.training and h.requires_grad:  # the surrogate of _indicator, summed
            soft = (torch.sigmoid(h / SURROGATE_TAU) * m).sum(-1) / n.clamp_min(1.0)
            value = value + (soft - soft.detach())
        return value


def _ppv(count, total, ranks, longest, n):
    return count / n.clamp_min(1.0)


def _mpv(count, total, ranks, longest, n):
    return total / count.clamp_min(1.0)


def _logmpv(count, total, ranks, longest, n):
    return torch.log1p(_mpv(count, total, ranks, longest, n))


def _mipv(count, total, ranks, longest, n):
    mean = ranks / (n - 1.0).clamp_min(1.0) / count.clamp_min(1.0)
    return torch.where(count > 0, mean, torch.full_like(mean, -1.0))


def _lspv(count, total, ranks, longest, n):
    return longest / n.clamp_min(1.0)


# The built-in pools as functions of the statistics of ``biased_statistics``; a user's
# subclass (which may compute something else) is not among them.
_FROM_STATISTICS = {
    PPVPool: _ppv,
    MPVPool: _mpv,
    LogMPVPool: _logmpv,
    MIPVPool: _mipv,
    LSPVPool: _lspv,
}


def computes_from_statistics(pools: list) -> bool:
    """Whether every pool is a built-in MultiRocket pool (not a subclass), so that
    :func:`from_statistics` computes what its ``forward`` does."""
    return bool(pools) and all(type(p) in _FROM_STATISTICS for p in pools)


def from_statistics(pools: list, stats: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """The pools' frames from MultiRocket's statistics of every feature's windows.

    ``stats`` (B, F, n_frames, 4), float64: per window the number of observed steps with
    ``h > 0``, the sum of those ``h``, the sum of their ranks among the window's observed
    steps and the longest run of them (``rocket_kernel.biased_statistics``); ``n``
    (B, n_frames): the observed steps per window. Returns (B, len(pools) * F, n_frames)
    in float64, pool by pool (every feature's first pool, then every feature's second,
    as :class:`~seqpool_sklearn.nn.pools.CombinedPool` gives them); windows without an
    observed step are 0.

    Each pool's value is its ``forward``'s formula on the same steps: the same value, up
    to the order in which the sums of ``mpv`` and ``logmpv`` are added.

    Examples
    --------
    >>> import torch
    >>> h = torch.tensor([[[0.5, -1.0, 2.0, 1.5]]], dtype=torch.float64)  # (B, F, T)
    >>> pos = h > 0
    >>> ranks = (torch.arange(4.0) * pos).sum(-1)
    >>> stats = torch.stack([pos.sum(-1), (h * pos).sum(-1), ranks,
    ...                      torch.tensor([[2.0]])], -1).unsqueeze(2).double()
    >>> pools = [PPVPool(1), MPVPool(1), MIPVPool(1), LSPVPool(1)]
    >>> from_statistics(pools, stats, torch.tensor([[4.0]], dtype=torch.float64)).flatten()
    tensor([0.7500, 1.3333, 0.5556, 0.5000], dtype=torch.float64)
    """
    count, total, ranks, longest = stats.unbind(-1)
    n = n.to(torch.float64).unsqueeze(1)  # (B, 1, n_frames)
    valid = n > 0
    parts = []
    for pool in pools:
        value = _FROM_STATISTICS[type(pool)](count, total, ranks, longest, n)
        parts.append(torch.where(valid, value, torch.zeros_like(value)))
    return torch.cat(parts, dim=1)
