"""Frozen random convolutions in the MiniRocket style (``encoder="minirocket"``)."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..masks import matmul_conv1d, split_windows
from ..multirocket_pools import computes_from_statistics, from_statistics
from ..pools import built_members
from . import rocket_kernel
from .base import (
    Encoder,
    floor_without_spread,
    pool_by_blocks,
    register_encoder,
    standardised_blocks,
    weighted_mean_std,
)
from .rocket_fast import (
    decode_cache,
    decode_cache_layout,
    decode_cached,
    decode_steps,
    pool_indicators,
)

_ROCKET_INDICES = tuple(itertools.combinations(range(9), 3))  # 84 kernels of length 9
# "indicator": standardised 1[c_j(t) > b_j] (MiniRocket's PPV under avg pooling);
# "biased": (c_j(t) - b_j) / s_j, the biased convolutions MultiRocket's pools read.
MAP_KINDS = ("indicator", "biased")
# "all": every kernel's convolution zero-padded and counted at every observed step;
# "alternate": MiniRocket's own, half of the kernel/dilation pairs count only the steps
# their whole window covers.
PADDINGS = ("all", "alternate")


def covered_steps(mask: torch.Tensor, dilation: int) -> torch.Tensor:
    """The steps whose nine taps at ``dilation`` all fall on observed steps, (B, T) bool.

    A tap before the first step or after the last is not observed.

    Examples
    --------
    >>> import torch
    >>> mask = torch.tensor([[True] * 10 + [False] * 2])
    >>> covered_steps(mask, 1).int().tolist()
    [[0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]]
    """
    t = mask.shape[1]
    pad = 4 * dilation
    m = F.pad(mask, (pad, pad), value=False)
    out = m[:, :t]
    for i in range(1, 9):
        out = out & m[:, i * dilation : i * dilation + t]
    return out


def _spread(c: torch.Tensor, valid: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """Standard deviation of each row of ``c`` over its valid steps (1 where it is 0).

    ``scale`` is the size of the series (their largest absolute value): a spread below
    ``1e-12 * scale`` is rounding, not signal, whatever the series' units.
    """
    m = valid.to(c.dtype)
    n = m.sum(1).clamp_min(1.0)
    # each row divided by a power of two near its size: exact, the same roundings (so
    # the same spread, bit for bit), and squares that cannot overflow (outputs of 1e300;
    # one power below the size, which 2 ** 1024 would overflow at the largest floats)
    _, exponent = torch.frexp((c * m).abs().amax(1, keepdim=True))
    two = torch.ldexp(torch.ones_like(exponent, dtype=c.dtype), exponent - 1)
    c = c / two
    mean = (c * m).sum(1) / n
    std = ((((c - mean[:, None]) * m) ** 2).sum(1) / n).sqrt() * two[:, 0]
    return torch.where(std > 1e-12 * scale, std, torch.ones_like(std))


@register_encoder
class RandomConvEncoder(Encoder):
    """Frozen random convolutions in the MiniRocket style, emitting indicator maps.

    84 fixed kernels of length 9 (weights -1, with +2 at three positions) are applied
    at dilations spaced exponentially up to the training length; each kernel/dilation
    output ``c(t)`` is compared with several biases ``b`` drawn from quantiles of
    ``c`` on training series (:meth:`fit_data`). The encoder emits, per feature ``j``
    and step ``t``, the standardised indicator ``(1[c_j(t) > b_j] - mu_j) / sigma_j``,
    where ``mu_j`` and ``sigma_j`` are the mean and spread over the training series
    of the feature's proportion of positive values (PPV). Average pooling of these
    maps is therefore MiniRocket's (standardised) PPV feature, with one difference:
    every kernel's convolution is zero-padded and counted over all observed steps,
    where MiniRocket leaves the padded ends out for half of the kernel/dilation pairs
    (``padding="alternate"`` does as MiniRocket does; the two ways were measured on the
    benchmarks page); max pooling, windows and the ``decode_first`` order apply to the
    same maps. Nothing here is trained:
    kernels, biases and scales are set once from the training data and kept as
    buffers (saved with the weights).

    Multivariate series: each kernel/dilation reads a random subset of channels (as
    MiniRocket's multivariate variant) and sums their convolutions.

    Unobserved steps (all channels NaN) give 0 maps, but the convolutions read their values
    as 0: a gap inside a series is a drop to 0 for every observed step within a kernel's
    reach of it. Fill interior gaps first (e.g. interpolate along time).

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
        Training length; sets the dilations (up to ``(n_timesteps - 1) / 8``).
    n_features : int, default=9996
        Number of indicator maps, rounded down to a multiple of 84 (at least 84).
    max_dilations : int, default=32
    seed : int, default=0
        Seeds the channel subsets of multivariate kernels.
    maps : {"indicator", "biased"}, default="indicator"
        What the encoder emits: the standardised indicators, or the biased
        convolutions ``(c_j(t) - b_j) / s_j`` (scaled by the spread of each output on
        its training series) that MultiRocket's pools read; the module picks it from
        the head's pool.
    padding : {"all", "alternate"}, default="all"
        ``"all"``: every kernel's convolution is zero-padded, and its maps count at
        every observed step. ``"alternate"``: MiniRocket's padding -- kernel ``k`` at
        the ``i``-th dilation is zero-padded where ``i + k`` is even; the others count
        only the steps whose nine taps all fall on observed steps (not the ends, nor
        next to a gap), and at the other steps their output is taken as at each bias:
        indicator 0, biased map 0. Their averages count the steps MiniRocket's PPV
        counts, divided by the series' observed steps instead of the steps counted. The
        biases come from the zero-padded outputs, as MiniRocket's.

    References
    ----------
    Dempster, Schmidt and Webb (2021), "MiniRocket: a very fast (almost)
    deterministic transform for time series classification", KDD.

    Examples
    --------
    >>> import torch
    >>> enc = RandomConvEncoder(1, 50, n_features=168)
    >>> x = torch.randn(8, 1, 50)
    >>> mask = torch.ones(8, 50, dtype=torch.bool)
    >>> raw, valid = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> enc(x, mask).shape
    torch.Size([8, 168, 50])
    """

    name = "minirocket"
    summary = "frozen MiniRocket-style random convolutions emitting standardised indicator maps"
    #: See the ``padding`` parameter; the class's value is what encoders pickled before the
    #: parameter existed read.
    padding = "all"
    default_width = 9996
    frozen = True
    fast_pools = ("avg", "max")

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int,
        n_features: int | None = 9996,
        max_dilations: int = 32,
        seed: int = 0,
        maps: str = "indicator",
        padding: str = "all",
    ):
        super().__init__(n_channels, n_timesteps, n_features)
        if maps not in MAP_KINDS:
            raise ValueError(f"maps must be one of {MAP_KINDS}; got {maps!r}.")
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}; got {padding!r}.")
        self.maps = maps
        self.padding = padding
        n_features = self.width
        n_kernels = len(_ROCKET_INDICES)
        per_kernel = max(1, int(n_features) // n_kernels)
        n_dil = min(per_kernel, int(max_dilations))
        max_exponent = max(0.0, math.log2(max(n_timesteps - 1, 1) / 8))
        dil = np.floor(np.logspace(0, max_exponent, n_dil, base=2)).astype(np.int64)
        dilations, counts = np.unique(dil, return_counts=True)
        per_dilation = (counts * (per_kernel / n_dil)).astype(np.int64)
        remainder = per_kernel - int(per_dilation.sum())
        i = 0
        while remainder > 0:
            per_dilation[i] += 1
            remainder -= 1
            i = (i + 1) % len(per_dilation)
        keep = per_dilation > 0
        self.dilations = tuple(int(d) for d in dilations[keep])
        self.per_dilation = tuple(int(c) for c in per_dilation[keep])
        self.out_channels = n_kernels * per_kernel
        self.n_channels = n_channels
        base = -torch.ones(n_kernels, 9)
        for k, idx in enumerate(_ROCKET_INDICES):
            base[k, list(idx)] = 2.0
        rng = np.random.default_rng(seed)
        weights = []
        for _ in self.dilations:
            w = torch.zeros(n_kernels, n_channels, 9)
            for k in range(n_kernels):
                chans = [0]
                if n_channels > 1:
                    top = math.log2(min(n_channels, 9) + 1)
                    size = min(n_channels, int(2 ** rng.uniform(0, top)))
                    chans = rng.choice(n_channels, size, replace=False).tolist()
                w[k, chans] = base[k]
            weights.append(w)
        self.register_buffer("weight", torch.stack(weights))  # (D, 84, C, 9)
        self.register_buffer("bias", torch.zeros(self.out_channels))
        self.register_buffer("scale_mean", torch.zeros(self.out_channels))
        self.register_buffer("scale_std", torch.ones(self.out_channels))
        if maps == "biased":
            # the spread of each kernel/dilation's output, so that the maps are O(1)
            self.register_buffer("conv_scale", torch.ones(self.out_channels))
            self.fast_pools = ()  # avg / max of indicators do not apply to these maps
        self.block_pooling = maps == "biased"  # separable pools, one dilation at a time

    @classmethod
    def build(cls, n_channels, n_timesteps, width, *, maps=None, **options):
        return cls(n_channels, n_timesteps, width, maps=maps or "indicator")

    def _outputs(self, x: torch.Tensor, mask: torch.Tensor | None, exact: bool = True):
        """Per dilation: the convolutions (B, 84, T), their biases (1, 84, nb, 1), and
        the steps (B, 84, T) at which an unpadded kernel does not count (None where
        every kernel counts at every step: ``padding="all"``).

        ``exact``: in float64 whatever ``x``'s dtype. The indicators compare outputs with
        biases, so they are computed from the exact sums (which float64 holds for
        float32 series): the maps are the same in float32 training as in ``predict``,
        and the same as the compiled kernel's (``rocket_kernel``).
        """
        if exact:
            x = x.to(torch.float64)
        alternate = self.padding == "alternate"
        if alternate and mask is None:
            raise ValueError("padding='alternate' needs the series' observed-step mask.")
        unpadded = self.unpadded_kernels().to(x.device) if alternate else None
        for i, (d, b) in enumerate(zip(self.dilations, self._bias_blocks(x.dtype), strict=True)):
            w = self.weight[i].to(x.dtype)
            if torch.onnx.is_in_onnx_export():
                c = matmul_conv1d(x, w, None, (4 * d, 4 * d), d)
            else:
                c = F.conv1d(x, w, padding=4 * d, dilation=d)
            skip = None
            if alternate:
                skip = unpadded[i][None, :, None] & ~covered_steps(mask, d)[:, None, :]
            yield c, b, skip

    def _groups(self, x: torch.Tensor, mask: torch.Tensor | None = None, exact: bool = True):
        """Per dilation: the convolutions (B, 84, T) and their biases (1, 84, nb, 1).

        Where an unpadded kernel does not count (``padding="alternate"``), its output is
        ``-inf``: below every bias. ``mask`` is needed only then. See :meth:`_outputs`.
        """
        for c, b, skip in self._outputs(x, mask, exact):
            yield (c if skip is None else c.masked_fill(skip, float("-inf"))), b

    def unpadded_kernels(self) -> torch.Tensor:
        """(n_dilations, 84) bool: the kernels that count only covered steps.

        None is unpadded under ``padding="all"``; under ``"alternate"``, kernel ``k`` at
        the ``i``-th dilation where ``i + k`` is odd, as MiniRocket pads them.
        """
        if self.padding != "alternate":
            return torch.zeros(len(self.dilations), len(_ROCKET_INDICES), dtype=torch.bool)
        i = torch.arange(len(self.dilations))[:, None]
        k = torch.arange(len(_ROCKET_INDICES))[None, :]
        return (i + k) % 2 == 1

    def _coverage(self, mask: torch.Tensor):
        """What the compiled kernels read of the padding: None, or (covered, unpadded)."""
        if self.padding != "alternate":
            return None
        covered = torch.stack([covered_steps(mask, d) for d in self.dilations], dim=1)
        return covered.cpu(), self.unpadded_kernels()

    def _bias_blocks(self, dtype: torch.dtype) -> list[torch.Tensor]:
        """Per dilation, the biases of its 84 kernels, (1, 84, n_biases, 1)."""
        blocks, start = [], 0
        for nb in self.per_dilation:
            width = 84 * nb
            blocks.append(self.bias[start : start + width].to(dtype).view(1, -1, nb, 1))
            start += width
        return blocks

    def _chunk(self, n_timesteps: int) -> int:
        # series per chunk so that one dilation's indicators stay near 2e7 elements
        widest = max(self.per_dilation) * 84
        return max(1, int(2e7 // max(1, widest * n_timesteps)))

    @torch.no_grad()
    def fit_data(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        generator=None,
        weight: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Set the biases from training convolutions, then the PPV scales.

        As MiniRocket, each kernel/dilation takes its biases from quantiles (a
        low-discrepancy sequence of levels) of its output on one training series
        drawn at random; only observed steps count.

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, time)
            Training series, NaN already replaced by 0.
        mask : torch.Tensor of shape (n, time), dtype bool
        generator : torch.Generator, optional
            Draws the series each kernel/dilation reads.
        weight : torch.Tensor of shape (n,), optional
            Sample weights: a series is drawn with probability proportional to its
            weight (one of weight 0 never is), and the scales are weighted means and
            spreads -- as if each series were repeated ``weight`` times.

        Returns
        -------
        raw, valid : torch.Tensor
            The unstandardised global averages of the training series, (n, F, 1),
            and their validity, (n, 1): what :meth:`pooled` standardises for
            ``pool="avg"``, ``window=None``, so training need not compute them again.
        """
        golden = (math.sqrt(5) + 1) / 2
        levels = torch.remainder(
            torch.arange(1, self.out_channels + 1, dtype=torch.float64) * golden, 1.0
        )
        n = x.shape[0]
        if weight is not None:
            p = weight.detach().to(device="cpu", dtype=torch.float64)
            p = p / p.sum()
        start = 0
        biases, spreads = [], []
        # the series' size, so that a spread's floor follows their units
        size = float(x.detach().abs().max()) if x.numel() else 0.0
        for i, (d, nb) in enumerate(zip(self.dilations, self.per_dilation, strict=True)):
            if weight is None:
                pick = torch.randint(0, n, (84,), generator=generator)
            else:
                pick = torch.multinomial(p, 84, replacement=True, generator=generator)
            # kernel k on series pick[k]: one grouped convolution, (84, T)
            xs = x[pick].to(torch.float64).reshape(1, -1, x.shape[2])
            w = self.weight[i].to(torch.float64)
            c = F.conv1d(xs, w, padding=4 * d, dilation=d, groups=84)[0]
            valid = mask[pick]
            count = valid.sum(dim=1).clamp_min(1)
            if self.maps == "biased":
                spreads.append(_spread(c, valid, size).repeat_interleave(nb))
            c = c.masked_fill(~valid, float("inf"))
            s, _ = torch.sort(c, dim=1)  # observed values first
            q = levels[start : start + 84 * nb].view(84, nb)
            pos = q * (count - 1).unsqueeze(1).to(torch.float64)
            lo = pos.floor().long()
            hi = pos.ceil().long()
            s_lo, s_hi = s.gather(1, lo), s.gather(1, hi)
            frac = pos - lo.to(torch.float64)
            value = s_lo + (s_hi - s_lo) * frac
            value = torch.where(torch.isfinite(value), value, torch.zeros_like(value))
            biases.append(value.reshape(-1))
            start += 84 * nb
        self.bias.copy_(torch.cat(biases).to(self.bias.dtype))
        if self.maps == "biased":
            self.conv_scale.copy_(torch.cat(spreads).to(self.conv_scale.dtype))
            return None
        raw, valid = self._pool_indicators(x, mask, "avg", None)
        values = raw.squeeze(-1).to(torch.float64)
        mean, std = weighted_mean_std(values, weight)
        self.scale_mean.copy_(mean.to(self.scale_mean.dtype))
        # a floor keeps near-constant features from turning one step into a huge value;
        # where most features do not vary between the series at all, those that do not
        # are floored at the features' typical size (the others keep their spreads)
        without = floor_without_spread(std, weighted_mean_std(values.abs(), weight)[0])
        std = std.clamp_min(0.01)
        if without is not None:
            std = torch.maximum(std, without)
        self.scale_std.copy_(std.to(self.scale_std.dtype))
        return raw, valid

    @torch.no_grad()
    def ppv(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Raw proportion of positive values per feature over observed steps, (B, F)."""
        frames, _ = self._pool_indicators(x, mask, "avg", None)
        return frames.squeeze(-1)

    def _pool_indicators(self, x, mask, pool, window):
        """Pool the raw indicators per window without building the float maps."""
        if pool not in self.fast_pools:
            raise ValueError(
                f"{type(self).__name__} pools indicator maps directly by {self.fast_pools}; "
                f"got {pool!r}."
            )
        hw_mask = split_windows(mask.unsqueeze(1), mask, window)[1]  # (B, Fr, k)
        count = hw_mask.sum(dim=-1).unsqueeze(1)  # (B, 1, Fr)
        if rocket_kernel.applies(x) and rocket_kernel.float32_valued(x):
            # the compiled kernel: MiniRocket's own loop, the same counts (for float32
            # values: other float64 values can fall on the other side of a bias they
            # equal when an output's terms are added in another order than torch's)
            pooled = rocket_kernel.pool_counts(
                x,
                mask,
                self.weight,
                _ROCKET_INDICES,
                self.dilations,
                self.per_dilation,
                self.bias,
                pool,
                window,
                coverage=self._coverage(mask),
            )
        else:
            out = []
            step = self._chunk(x.shape[2])
            for i in range(0, x.shape[0], step):
                xi, mi = x[i : i + step], mask[i : i + step]
                groups = self._groups(xi, mi)
                parts = [pool_indicators(c, b, mi, pool, window) for c, b in groups]
                out.append(torch.cat(parts, dim=1))
            pooled = torch.cat(out).to(x.dtype)  # (B, F, Fr)
        if pool == "avg":
            pooled = pooled / count.clamp_min(1).to(x.dtype)
        return pooled, (count > 0).squeeze(1)

    def pooled(
        self, x: torch.Tensor, mask: torch.Tensor, pool: str, window: int | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``MaskedPool(pool, window)`` applied to :meth:`forward`, computed directly.

        Averages (or maxima) of the standardised indicators equal the standardised
        averages (maxima) of the raw ones, so the (B, F, T) maps are never built.
        Returns the pooled frames (B, F, n_frames) and their validity (B, n_frames);
        fully masked frames are 0.
        """
        raw, valid = self._pool_indicators(x, mask, pool, window)
        return self.standardise(raw, valid), valid

    @property
    def decodes_directly(self) -> bool:
        """Whether :meth:`decoded` applies: the indicator maps (not the biased ones)."""
        return self.maps == "indicator"

    def decoded(self, x: torch.Tensor, mask: torch.Tensor, linear: nn.Linear) -> torch.Tensor:
        """``linear`` at every step of :meth:`forward`, (B, hidden, T), without the maps.

        The pre-activation decoder output of ``order="decode_first"``, computed from
        each kernel's ranks among its biases (see ``rocket_fast``); equal to
        ``linear(self(x, mask).transpose(1, 2)).transpose(1, 2)`` up to float
        summation order, gradients included.
        """
        return decode_steps(
            self._groups,
            x,
            mask,
            linear.weight,
            linear.bias,
            self.scale_mean,
            self.scale_std,
            rows=self._kernel_rows(x),
        )

    def _kernel_rows(self, x: torch.Tensor):
        """The compiled kernel's decode rows for CPU series (None: torch computes them):
        ``rows(x, mask)``."""
        if not (rocket_kernel.applies(x) and rocket_kernel.float32_valued(x)):
            return None
        rows = functools.partial(
            rocket_kernel.step_rows,
            weight=self.weight,
            triples=_ROCKET_INDICES,
            dilations=self.dilations,
            per_dilation=self.per_dilation,
            biases=self.bias,
        )
        return lambda xi, mi: rows(xi, coverage=self._coverage(mi))

    def decode_cache(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Every series' ranks among its kernels' biases, for :meth:`decoded_cached`.

        A frozen encoder gives the same ranks at every epoch, so training ``decode_first``
        computes them once. One integer row per series (see ``rocket_fast.decode_cache``).
        """
        return decode_cache(self._groups, x, mask, rows=self._kernel_rows(x))

    def decode_cache_nbytes(self, n_samples: int, n_timesteps: int) -> int:
        """Bytes :meth:`decode_cache` takes for ``n_samples`` series of ``n_timesteps``."""
        n_groups = 84 * len(self.dilations)
        n_rows = self.out_channels + n_groups
        length, dtype = decode_cache_layout(n_timesteps, n_groups, n_rows)
        return n_samples * length * (torch.iinfo(dtype).bits // 8)

    def decoded_cached(
        self, cache: torch.Tensor, linear: nn.Linear
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`decoded` of the series whose :meth:`decode_cache` is ``cache``.

        Returns the (B, hidden, T) pre-activation, bit for bit that of :meth:`decoded`,
        and the series' observed-step mask (B, T).
        """
        return decode_cached(
            cache,
            self._bias_blocks(linear.weight.dtype),
            linear.weight,
            linear.bias,
            self.scale_mean,
            self.scale_std,
        )

    def cached_pooled(self, fitted, key: str, window: int | None):
        """The standardised global averages :meth:`fit_data` returned (``avg``, no window)."""
        if fitted is None or key != "avg" or window is not None:
            return None
        raw, valid = fitted
        return self.standardise(raw, valid), valid

    def _biased_blocks(self, x: torch.Tensor, mask: torch.Tensor):
        """``(c_j(t) - b_j) / s_j`` one dilation at a time, masked: (channel slice, block).

        Computed in float64 from the convolutions (exact for float32-valued series) and
        rounded once to ``x``'s dtype, as the compiled kernel
        (``rocket_kernel.biased_statistics``) computes them: for the series it computes
        for, both paths see the same maps, and the same signs where an output is within
        rounding of its bias (a training series' output that set a bias equals it).
        """
        m = mask.unsqueeze(1).to(x.dtype)
        start = 0
        for c, b, skip in self._outputs(x, mask):
            h = c.unsqueeze(2) - b
            if skip is not None:  # an unpadded kernel's output taken as at its biases
                h = h.masked_fill(skip.unsqueeze(2), 0.0)
            h = h.flatten(1, 2)
            sl = slice(start, start + h.shape[1])
            h = h / self.conv_scale[sl].to(h.dtype)[None, :, None]
            yield sl, h.to(x.dtype) * m
            start = sl.stop

    def pool_blocks(self, x, mask, pool, window):
        """Pool the biased maps one dilation and one chunk of series at a time.

        The result equals ``pool_windows(pool, forward(x, mask), mask, window)`` for a
        pool whose channels are pooled separately; the (B, F, T) maps are never built.
        MultiRocket's built-in pools are computed on the CPU by the compiled kernel, from
        four statistics per window gathered in one pass over each output
        (:func:`~seqpool_sklearn.nn.multirocket_pools.from_statistics`): the same values,
        up to the order in which ``mpv``'s sums are added. It computes for float32-valued
        series (what a ``dtype="float32"`` model passes, in float32 or float64): series of
        other float64 values are pooled by torch, as the maps are, since the kernel adds
        an output's terms in another order, and an output that equals a bias (a training
        series' output set it) could then fall on the other side of it.
        """
        members = built_members(pool)
        if (
            rocket_kernel.applies(x)
            and computes_from_statistics(members)
            and rocket_kernel.float32_valued(x)
        ):
            return self._pool_statistics(x, mask, members, window)
        step = max(1, self._chunk(x.shape[2]) // 4)  # float maps: a quarter of the series
        return pool_by_blocks(self._biased_blocks, x, mask, pool, window, step)

    def _pool_statistics(self, x, mask, members, window):
        """MultiRocket's pools by the compiled kernel, a chunk of series at a time."""
        mw = split_windows(mask.unsqueeze(1), mask, window)[1]  # (B, n_frames, k)
        n_frames = mw.shape[1]
        # series per chunk so that the float64 statistics stay near 4e6 elements
        step = max(1, int(4e6 // (4 * self.out_channels * n_frames)))
        out = []
        for i in range(0, x.shape[0], step):
            stats = rocket_kernel.biased_statistics(
                x[i : i + step],
                mask[i : i + step],
                self.weight,
                _ROCKET_INDICES,
                self.dilations,
                self.per_dilation,
                self.bias,
                self.conv_scale,
                window,
                coverage=self._coverage(mask[i : i + step]),
            )
            n = mw[i : i + step].sum(-1)
            out.append(from_statistics(members, stats, n).to(x.dtype))
        return torch.cat(out), mw.any(-1)

    def blocks(self, x: torch.Tensor, mask: torch.Tensor):
        """The maps one dilation at a time, masked: (channel slice, block)."""
        if self.maps == "biased":
            yield from self._biased_blocks(x, mask)
            return
        indicators = (
            (c.unsqueeze(2) > b).flatten(1, 2).to(x.dtype) for c, b in self._groups(x, mask)
        )
        yield from standardised_blocks(indicators, self.scale_mean, self.scale_std, mask)

    @property
    def block_channels(self) -> int:
        return max(self.per_dilation) * len(_ROCKET_INDICES)

    def standardise(self, raw: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Pooled raw indicators (B, F, n_frames) to pooled maps; invalid frames are 0."""
        mean = self.scale_mean.to(raw.dtype)[None, :, None]
        std = self.scale_std.to(raw.dtype)[None, :, None]
        out = (raw - mean) / std
        return out * valid.unsqueeze(1).to(raw.dtype)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.maps == "biased":
            return torch.cat([h for _, h in self._biased_blocks(x, mask)], dim=1)
        groups = self._groups(x, mask)
        ind = torch.cat([(c.unsqueeze(2) > b).flatten(1, 2) for c, b in groups], 1)
        mean = self.scale_mean.to(x.dtype)[None, :, None]
        std = self.scale_std.to(x.dtype)[None, :, None]
        h = (ind.to(x.dtype) - mean) / std
        # training skips the mask on a batch without padding; inference (what gets
        # exported) always applies it
        if not (self.training and bool(mask.all())):
            h = h * mask.unsqueeze(1).to(x.dtype)
        return h
