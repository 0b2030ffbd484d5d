"""Random convolutions on the series and on its first difference (``encoder="multirocket"``).

MultiRocket (Tan et al. 2022) runs MiniRocket's kernels on a series and on its first
difference and pools every output with four operators. This encoder is two
:class:`~seqpool_sklearn.nn.encoders.RandomConvEncoder` branches of half the width each:
one reads the series, the other its first difference ``d_t = x_t - x_(t-1)``. The
difference is NaN-aware: ``d_0 = 0``, and ``d_t = 0`` where step ``t - 1`` is unobserved
(a gap or the start of the series after padding); unobserved steps stay unobserved. The
series branch reads an unobserved step's values as 0, so a gap inside a series is a drop
to 0 for the observed steps within a kernel's reach of it: fill interior gaps first (e.g.
interpolate along time). The
maps of both branches are concatenated (series first). Behind MultiRocket's pools
(``pool=("ppv", "mpv", "mipv", "lspv")``) the branches emit their biased convolutions,
behind the others their standardised indicators, as ``"minirocket"`` does.
"""

from __future__ import annotations

import torch

from . import rocket_kernel
from .base import Encoder, offset_blocks, pool_major, register_encoder
from .minirocket import RandomConvEncoder


def first_difference(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``x_t - x_(t-1)`` where both steps are observed, else 0 (``x``: NaN replaced by 0).

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[[1.0, 3.0, 0.0, 4.0, 6.0]]])
    >>> mask = torch.tensor([[True, True, False, True, True]])
    >>> first_difference(x, mask).abs().tolist()
    [[[0.0, 2.0, 0.0, 0.0, 2.0]]]
    """
    both = (mask[:, 1:] & mask[:, :-1]).unsqueeze(1).to(x.dtype)
    d = (x[:, :, 1:] - x[:, :, :-1]) * both
    return torch.cat([torch.zeros_like(x[:, :, :1]), d], dim=2)


@register_encoder
class MultiRocketEncoder(Encoder):
    """Frozen random convolutions on the series and its first difference.

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
    width : int or None, default=None
        Maps in all; each branch gets half, rounded down to a multiple of 84
        (``None``: 9996 asked, two branches of 4956 built).
    maps : {"indicator", "biased"}, default="indicator"
        What both branches emit (see :class:`RandomConvEncoder`); chosen by the head's
        pool when the module is built.

    Examples
    --------
    >>> import torch
    >>> enc = MultiRocketEncoder(1, 40, 336)
    >>> x, mask = torch.randn(6, 1, 40), torch.ones(6, 40, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> enc(x, mask).shape
    torch.Size([6, 336, 40])
    """

    frozen = True
    name = "multirocket"
    default_width = 9996
    summary = "frozen random convolutions on the series and on its first difference"

    def __init__(self, n_channels, n_timesteps, width=None, maps: str = "indicator"):
        super().__init__(n_channels, n_timesteps, width)
        half = max(84, int(self.width) // 2)
        self.series = RandomConvEncoder(n_channels, n_timesteps, half, seed=0, maps=maps)
        self.difference = RandomConvEncoder(n_channels, n_timesteps, half, seed=1, maps=maps)
        self.maps = maps
        self.out_channels = self.series.out_channels + self.difference.out_channels
        # whether the fit computed the differences in float32 (set by fit_data; a buffer,
        # so that saved weights and skops files keep it)
        self.register_buffer("difference_rounded", torch.tensor(False))
        self.fast_pools = self.series.fast_pools
        self.block_pooling = self.series.block_pooling

    @classmethod
    def build(cls, n_channels, n_timesteps, width, *, maps=None, **options):
        return cls(n_channels, n_timesteps, width, maps=maps or "indicator")

    def _branches(self, x, mask):
        yield self.series, x
        d = first_difference(x, mask)
        # the difference as the fit computed it: a model fitted in float32 predicts on a
        # float64 copy, whose differences of the same float32 values are not rounded to
        # float32 -- other features than the fit's by a rounding, and values the compiled
        # kernels do not take (``rocket_kernel.float32_valued``), so torch computed them
        rounded = getattr(self, "difference_rounded", None)  # None: pickled before it existed
        if rounded is not None and bool(rounded) and d.dtype == torch.float64:
            if rocket_kernel.float32_valued(x):
                d = d.to(torch.float32).to(d.dtype)
        yield self.difference, d

    @torch.no_grad()
    def fit_data(self, x, mask, generator=None, weight=None):
        """Set both branches from the training series (see ``RandomConvEncoder.fit_data``).

        Also records whether the differences were computed in float32, as inference then
        computes them too (see ``_branches``).
        """
        self.difference_rounded.fill_(x.dtype == torch.float32)
        return tuple(enc.fit_data(v, mask, generator, weight) for enc, v in self._branches(x, mask))

    def cached_pooled(self, fitted, key, window):
        if fitted is None:
            return None
        parts = [
            enc.cached_pooled(f, key, window) for enc, f in zip(self._parts(), fitted, strict=True)
        ]
        if any(p is None for p in parts):
            return None
        return torch.cat([p for p, _ in parts], dim=1), parts[0][1]

    def _parts(self):
        return (self.series, self.difference)

    def pooled(self, x, mask, key, window):
        parts = [enc.pooled(v, mask, key, window) for enc, v in self._branches(x, mask)]
        return torch.cat([p for p, _ in parts], dim=1), parts[0][1]

    def pool_blocks(self, x, mask, pool, window):
        parts = [enc.pool_blocks(v, mask, pool, window) for enc, v in self._branches(x, mask)]
        return pool_major([p for p, _ in parts], pool), parts[0][1]

    def blocks(self, x, mask):
        yield from offset_blocks((enc, enc.blocks(v, mask)) for enc, v in self._branches(x, mask))

    @property
    def block_channels(self) -> int:
        return max(self.series.block_channels, self.difference.block_channels)

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
    ):
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
        )
        key = prefix + "difference_rounded"
        if key in missing_keys:  # saved before the state held it: differences as they come
            missing_keys.remove(key)
            self.difference_rounded.fill_(False)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.cat([enc(v, mask) for enc, v in self._branches(x, mask)], dim=1)
