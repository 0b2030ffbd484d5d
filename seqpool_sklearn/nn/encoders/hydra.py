"""Competing random convolutions in the Hydra style (``encoder="hydra"``).

Hydra (Dempster, Schmidt and Webb 2023) groups random kernels: at every step, within
each group of ``k`` kernels, the kernel with the largest response "wins" and the one
with the smallest "loses". Its features count, over the series, how often each kernel
wins (weighted by its response: the soft max-count) and how often it loses (the hard
min-count). A count over time is a sum of per-step maps, so this encoder emits those
maps, and ``pool="avg"`` (``window=None``) gives Hydra's counts divided by the number of
observed steps; windows, max pooling and ``order="decode_first"`` act on the same maps.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from ..masks import matmul_conv1d, split_windows
from . import rocket_kernel
from .base import (
    Encoder,
    floor_without_spread,
    pool_by_blocks,
    register_encoder,
    standardised_blocks,
    weighted_mean_std,
)
from .multirocket import first_difference

_LENGTH = 9  # kernel length, as Hydra's


def _kind_floor(std: torch.Tensor, per_block: int, size: torch.Tensor) -> torch.Tensor:
    """A floor for the spreads: a tenth of the median spread of each kind of map.

    The maps come in blocks of ``per_block`` soft counts followed by as many hard counts;
    a kernel that never wins on the training series has spread 0, and without a floor
    one win at prediction time would become a huge value. ``size`` holds the maps'
    typical sizes: where most maps of a kind do not vary between the training series
    (constant or identical series) their spreads set no floor, and the maps of that kind
    that do not vary are floored at the kind's typical size instead; its maps that vary
    keep the tenth of the median (see ``floor_without_spread``).
    """
    kinds = std.view(-1, 2, per_block)
    sizes = size.view(-1, 2, per_block)
    soft, hard = kinds[:, 0], kinds[:, 1]
    # the soft counts carry the series' units (the winning responses), so their floor is
    # relative to their largest spread; the hard counts are fractions of steps
    largest = float(soft.max())
    floor = torch.stack(
        [
            0.1 * soft.median().clamp_min(1e-6 * largest if largest > 0 else 1e-6),
            0.1 * hard.median().clamp_min(1e-6),
        ]
    )
    floor = floor.view(1, 2, 1).expand_as(kinds).clone()
    for i in range(2):
        without = floor_without_spread(kinds[:, i].reshape(-1), sizes[:, i].reshape(-1))
        if without is not None:
            without = without.view_as(floor[:, i]).to(floor)
            floor[:, i] = torch.where(without > 0, without, floor[:, i])
    return floor.reshape(-1)


@register_encoder
class HydraEncoder(Encoder):
    """Frozen competing convolutions (Hydra), emitting per-step win and loss maps.

    At each dilation ``2**0, 2**1, ...`` (up to ``(n_timesteps - 1) / 8``) half of the
    ``width`` groups read the series and half its first difference; each group holds
    ``n_kernels`` random kernels of length 9 (normal weights, centred and scaled to
    unit absolute sum), zero-padded so that every step has a response. At step ``t``
    of group ``g`` the encoder emits, for each kernel ``j`` of the group,

    - the soft win map ``1[j = argmax_i c_i(t)] * max_i c_i(t)``, and
    - the hard loss map ``1[j = argmin_i c_i(t)]``;

    their averages over the observed steps are Hydra's soft max-counts and hard
    min-counts divided by the series length. Each map is standardised by the mean and
    spread of its average over the training series (:meth:`fit_data`), so that
    ``pool="avg"`` gives the standardised counts; unobserved steps are 0.

    On the CPU the global averages (``pooled(..., "avg", None)``) are counted by a
    compiled kernel (``rocket_kernel.hydra_counts``), bit for bit torch's counts.

    Multivariate series: each group reads the sum of a random subset of
    ``clip(n_channels // 2, 2, max_channels)`` channels (drawn with replacement), as
    Hydra does. The first difference is NaN-aware (see
    :func:`~seqpool_sklearn.nn.encoders.multirocket.first_difference`); unlike Hydra's
    ``diff``, which is one step shorter, it is 0 at the first step. The groups that read
    the series read an unobserved step's values as 0: a gap inside a series is a drop to 0
    for every observed step within a kernel's reach of it. Fill interior gaps first (e.g.
    interpolate along time).

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
        Training length; sets the dilations.
    width : int or None, default=None
        Groups per dilation (Hydra's ``g``; ``None``: 64), half on the series and half
        on its first difference (one group alone reads the series); an odd width
        above 1 is rounded down to an even one, as in Hydra. The encoder emits
        ``2 * n_kernels * width`` maps per dilation (of the rounded width).
    n_kernels : int, default=8
        Kernels per group (Hydra's ``k``).
    max_channels : int, default=8
        Most channels a group reads.
    seed : int, default=0
        Seeds the kernels and channel subsets until :meth:`fit_data` draws them from
        its generator.

    References
    ----------
    Dempster, Schmidt and Webb (2023), "Hydra: competing convolutional kernels for
    fast and accurate time series classification", Data Mining and Knowledge Discovery.

    Examples
    --------
    >>> import torch
    >>> enc = HydraEncoder(1, 40, 8)
    >>> x = torch.randn(6, 1, 40)
    >>> mask = torch.ones(6, 40, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, generator=torch.Generator().manual_seed(0))
    >>> enc.out_channels, enc(x, mask).shape
    (384, torch.Size([6, 384, 40]))
    """

    name = "hydra"
    summary = "frozen Hydra-style competing convolutions emitting win and loss count maps"
    default_width = 64
    frozen = True
    fast_pools = ("avg", "max")
    block_pooling = True  # separable pools one dilation and branch at a time

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int,
        width: int | None = None,
        n_kernels: int = 8,
        max_channels: int = 8,
        seed: int = 0,
    ):
        super().__init__(n_channels, n_timesteps, width)
        groups = int(self.width)
        if groups < 1 or n_kernels < 2:
            raise ValueError(
                f"HydraEncoder needs at least 1 group and 2 kernels per group; got "
                f"width={width!r}, n_kernels={n_kernels!r}."
            )
        self.n_kernels = int(n_kernels)
        self.n_branches = min(2, groups)  # the series, then its first difference
        self.n_groups = groups // self.n_branches  # per branch
        exponent = math.log2(max(int(n_timesteps) - 1, 1) / (_LENGTH - 1))
        self.dilations = tuple(2**i for i in range(max(0, math.floor(exponent)) + 1))
        self.per_block = self.n_groups * self.n_kernels  # soft maps of one dilation/branch
        n_blocks = len(self.dilations) * self.n_branches
        self.out_channels = n_blocks * 2 * self.per_block
        self.n_per_group = int(min(max(n_channels // 2, 2), max_channels))
        d, b, h, k = len(self.dilations), self.n_branches, self.n_groups, self.n_kernels
        self.register_buffer("weight", torch.zeros(d, b, h * k, 1, _LENGTH))
        self.register_buffer("channels", torch.zeros(d, b, h, self.n_per_group, dtype=torch.long))
        self.register_buffer("scale_mean", torch.zeros(self.out_channels))
        self.register_buffer("scale_std", torch.ones(self.out_channels))
        self.draw(torch.Generator().manual_seed(seed))

    @classmethod
    def build(cls, n_channels, n_timesteps, width, **options):
        # the maps are the same behind every pool (no ``maps`` option)
        return cls(n_channels, n_timesteps, width)

    @torch.no_grad()
    def draw(self, generator: torch.Generator | None = None) -> None:
        """Draw the kernels and the channel subsets."""
        w = torch.randn(self.weight.shape, generator=generator, dtype=torch.float64)
        w = w - w.mean(-1, keepdim=True)
        w = w / w.abs().sum(-1, keepdim=True)
        self.weight.copy_(w.to(self.weight.dtype))
        idx = torch.randint(0, self.n_channels, self.channels.shape, generator=generator)
        self.channels.copy_(idx)

    # ------------------------------------------------------------------ responses
    def _chunk(self, n_timesteps: int) -> int:
        # series per chunk so that one dilation/branch's maps stay near 2e7 elements
        return max(1, int(2e7 // max(1, 2 * self.per_block * n_timesteps)))

    def _responses(self, x: torch.Tensor, mask: torch.Tensor):
        """Per dilation and branch: the kernels' responses (B, groups, k, T)."""
        diff = first_difference(x, mask) if self.n_branches > 1 else None
        b, t = x.shape[0], x.shape[2]
        for i, d in enumerate(self.dilations):
            for j, v in enumerate((x, diff)[: self.n_branches]):
                w = self.weight[i, j].to(x.dtype)
                if self.n_channels > 1:
                    v = v[:, self.channels[i, j]].sum(2)  # (B, groups, T)
                    groups = self.n_groups
                else:
                    groups = 1
                if torch.onnx.is_in_onnx_export():
                    c = matmul_conv1d(v, w, None, (4 * d, 4 * d), d, groups=groups)
                else:
                    c = F.conv1d(v, w, padding=4 * d, dilation=d, groups=groups)
                yield c.view(b, self.n_groups, self.n_kernels, t)

    def _raw_blocks(self, x: torch.Tensor, mask: torch.Tensor):
        """Unstandardised maps, one dilation/branch at a time: (B, 2 * per_block, T)."""
        ks = torch.arange(self.n_kernels, device=x.device).view(1, 1, -1, 1)
        m = mask[:, None, None, :].to(x.dtype)
        for c in self._responses(x, mask):
            top, win = c.max(2, keepdim=True)
            lose = c.min(2, keepdim=True).indices
            soft = (ks == win).to(x.dtype) * top * m
            hard = (ks == lose).to(x.dtype) * m
            yield torch.cat([soft.flatten(1, 2), hard.flatten(1, 2)], dim=1)

    # ------------------------------------------------------------------ fitting
    @torch.no_grad()
    def fit_data(self, x, mask, generator=None, weight=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw the kernels from ``generator``, then set the scales of the maps.

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, time)
            The training series (NaN replaced by 0) and
        mask : torch.Tensor of shape (n, time), dtype bool
            their observed steps.
        generator : torch.Generator, optional
            Draws the kernels and channel subsets (None: keep the current ones).
        weight : torch.Tensor of shape (n,), optional
            Sample weights: the scales are weighted means and spreads.

        Returns
        -------
        raw, valid : torch.Tensor
            The unstandardised global averages (n, F, 1) and their validity (n, 1),
            which :meth:`cached_pooled` standardises for ``pool="avg"``.
        """
        if generator is not None:
            self.draw(generator)
        raw, valid = self._pool_raw(x, mask, "avg", None)
        values = raw.squeeze(-1).to(torch.float64)
        mean, std = weighted_mean_std(values, weight)
        size = weighted_mean_std(values.abs(), weight)[0]
        std = torch.maximum(std, _kind_floor(std, self.per_block, size).to(std))
        self.scale_mean.copy_(mean.to(self.scale_mean.dtype))
        self.scale_std.copy_(std.to(self.scale_std.dtype))
        return raw, valid

    # ------------------------------------------------------------------ pooling
    def _pool_raw(self, x, mask, pool, window):
        """Average or maximum of the raw maps per window, without building them.

        Scatters each step's winner and loser into its frame: memory of one
        dilation/branch's responses for a chunk of series.
        """
        if pool not in self.fast_pools:
            raise ValueError(
                f"{type(self).__name__} pools its maps directly by {self.fast_pools}; got {pool!r}."
            )
        t = x.shape[2]
        mw = split_windows(mask.unsqueeze(1), mask, window)[1]  # (B, Fr, k)
        n_frames = mw.shape[1]
        count = mw.sum(-1).unsqueeze(1)  # (B, 1, Fr)
        frame = torch.arange(t, device=x.device) // (t if window is None else window)
        k = self.n_kernels
        low = torch.finfo(x.dtype).min
        out = []
        step = self._chunk(t)
        for s in range(0, x.shape[0], step):
            xi, mi = x[s : s + step], mask[s : s + step]
            b = xi.shape[0]
            m = mi[:, None, :].expand(b, self.n_groups, t)
            mf = m.to(x.dtype)
            parts = []
            for c in self._responses(xi, mi):
                if pool == "avg" and window is None and rocket_kernel.applies(c):
                    # the compiled kernel: the same sums, without the (b, groups, T) indices
                    soft, hard = rocket_kernel.hydra_counts(c, mi)
                    parts += [soft.unsqueeze(-1), hard.unsqueeze(-1)]
                    continue
                top, win = c.max(2)  # (b, groups, T)
                lose = c.min(2).indices  # faster than argmin over a strided dim
                at_win, at_lose = frame * k + win, frame * k + lose
                shape = (b, self.n_groups, n_frames * k)
                hard = torch.zeros(shape, dtype=x.dtype, device=x.device)
                hard.scatter_add_(-1, at_lose, mf)
                if pool == "avg":
                    soft = torch.zeros(shape, dtype=x.dtype, device=x.device)
                    soft.scatter_add_(-1, at_win, top * mf)
                else:
                    soft = torch.full(shape, low, dtype=x.dtype, device=x.device)
                    soft.scatter_reduce_(-1, at_win, top.masked_fill(~m, low), "amax")
                    # a map is 0 at the frame's observed steps its kernel does not win
                    wins = torch.zeros(shape, dtype=x.dtype, device=x.device)
                    wins.scatter_add_(-1, at_win, mf)
                    n = count[s : s + step].expand(b, self.n_groups, n_frames)
                    n = n.repeat_interleave(k, dim=-1).to(x.dtype)
                    soft = torch.where(wins < n, soft.clamp_min(0.0), soft)
                    hard = (hard > 0).to(x.dtype)
                for h in (soft, hard):  # (b, groups, Fr * k) -> (b, groups * k, Fr)
                    parts.append(h.view(b, self.n_groups, n_frames, k).transpose(2, 3))
            out.append(torch.cat([p.flatten(1, 2) for p in parts], dim=1))
        pooled = torch.cat(out)  # (B, F, Fr)
        valid = (count > 0).squeeze(1)
        if pool == "avg":
            pooled = pooled / count.clamp_min(1).to(x.dtype)
        pooled = torch.where(valid.unsqueeze(1), pooled, torch.zeros_like(pooled))
        return pooled, valid

    def standardise(self, raw: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Pooled raw maps (B, F, n_frames) to pooled maps; invalid frames are 0."""
        mean = self.scale_mean.to(raw.dtype)[None, :, None]
        std = self.scale_std.to(raw.dtype)[None, :, None]
        return (raw - mean) / std * valid.unsqueeze(1).to(raw.dtype)

    def pooled(
        self, x: torch.Tensor, mask: torch.Tensor, pool: str, window: int | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``MaskedPool(pool, window)`` applied to :meth:`forward`, without the maps.

        Averages (maxima) of the standardised maps are the standardised averages
        (maxima) of the raw ones. Returns the frames (B, F, n_frames) and their
        validity (B, n_frames); fully masked frames are 0.
        """
        raw, valid = self._pool_raw(x, mask, pool, window)
        return self.standardise(raw, valid), valid

    def cached_pooled(self, fitted, key: str, window: int | None):
        """The standardised global averages :meth:`fit_data` returned (``avg``, no window)."""
        if fitted is None or key != "avg" or window is not None:
            return None
        raw, valid = fitted
        return self.standardise(raw, valid), valid

    def pool_blocks(self, x, mask, pool, window):
        """A separable pool of the maps, one dilation/branch and chunk of series at a time."""
        step = max(1, self._chunk(x.shape[2]) // 2)
        return pool_by_blocks(self.blocks, x, mask, pool, window, step)

    # ------------------------------------------------------------------ maps
    def blocks(self, x: torch.Tensor, mask: torch.Tensor):
        """The standardised maps one dilation/branch at a time: (channel slice, block)."""
        raws = self._raw_blocks(x, mask)
        yield from standardised_blocks(raws, self.scale_mean, self.scale_std, mask)

    @property
    def block_channels(self) -> int:
        return 2 * self.per_block

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.cat([h for _, h in self.blocks(x, mask)], dim=1)
