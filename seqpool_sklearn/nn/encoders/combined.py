"""Encoders whose maps are those of several encoders side by side (``"multirocket_hydra"``).

:class:`CombinedEncoder` concatenates the maps of its member encoders, in the order given,
and passes every other call on to them: ``fit_data`` to each in turn (with the same
generator), the direct pooled path and the block pooling when every member has it, and the
channel blocks of each member one after the other, so that a wide combination is never
built whole where a member's own maps need not be. ``"multirocket_hydra"`` is the
strongest published fast combination, MultiRocket's random convolutions with Hydra's
competing ones (Dempster, Schmidt and Webb 2023).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .base import Encoder, call_fit_data, offset_blocks, pool_major, register_encoder
from .hydra import HydraEncoder
from .multirocket import MultiRocketEncoder


class CombinedEncoder(Encoder):
    """The maps of several encoders, concatenated in order along the channels.

    A subclass builds its members in ``__init__`` and passes them to
    :meth:`set_members`; the combination is frozen when every member is, pools directly
    by the keys every member pools directly, and pools block by block when every member
    does.

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
    width : int or None
        Kept as ``width``; what it means is the subclass's choice.

    Examples
    --------
    >>> import torch
    >>> from seqpool_sklearn.nn.encoders import HydraEncoder, RandomConvEncoder
    >>> class Both(CombinedEncoder):
    ...     def __init__(self, n_channels, n_timesteps, width=None):
    ...         super().__init__(n_channels, n_timesteps, width)
    ...         self.set_members([RandomConvEncoder(n_channels, n_timesteps, 168),
    ...                           HydraEncoder(n_channels, n_timesteps, 4)])
    >>> enc = Both(1, 40)
    >>> x, mask = torch.randn(5, 1, 40), torch.ones(5, 40, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> enc(x, mask).shape == (5, 168 + enc.members[1].out_channels, 40)
    True
    """

    def set_members(self, members: Sequence[Encoder]) -> None:
        """Keep ``members`` and derive the combination's width and paths from theirs."""
        if not members:
            raise ValueError("A CombinedEncoder needs at least one member encoder.")
        self.members = nn.ModuleList(members)
        self.out_channels = sum(int(m.out_channels) for m in members)
        self.frozen = all(getattr(m, "frozen", False) for m in members)
        keys = [set(getattr(m, "fast_pools", ())) for m in members]
        first = tuple(getattr(members[0], "fast_pools", ()))
        self.fast_pools = tuple(k for k in first if all(k in s for s in keys))
        self.block_pooling = all(getattr(m, "block_pooling", False) for m in members)

    @torch.no_grad()
    def fit_data(self, x, mask, generator=None, weight=None):
        """Set every member from the training series, in order, with the same generator."""
        return tuple(call_fit_data(m, x, mask, generator, weight) for m in self.members)

    def cached_pooled(self, fitted, key, window):
        if fitted is None:
            return None
        parts = [m.cached_pooled(f, key, window) for m, f in zip(self.members, fitted, strict=True)]
        if any(p is None for p in parts):
            return None
        return torch.cat([p for p, _ in parts], dim=1), parts[0][1]

    def pooled(self, x, mask, key, window):
        parts = [m.pooled(x, mask, key, window) for m in self.members]
        return torch.cat([p for p, _ in parts], dim=1), parts[0][1]

    def pool_blocks(self, x, mask, pool, window):
        parts = [m.pool_blocks(x, mask, pool, window) for m in self.members]
        return pool_major([p for p, _ in parts], pool), parts[0][1]

    def blocks(self, x, mask):
        yield from offset_blocks((m, m.blocks(x, mask)) for m in self.members)

    @property
    def block_channels(self) -> int:
        return max(m.block_channels for m in self.members)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.cat([m(x, mask) for m in self.members], dim=1)


@register_encoder
class MultiRocketHydraEncoder(CombinedEncoder):
    """MultiRocket's random convolutions beside Hydra's competing ones.

    The maps of :class:`MultiRocketEncoder` (``width`` of them: the series and its first
    difference, half each) followed by those of :class:`HydraEncoder` at its default 64
    groups per dilation, as aeon's ``MultiRocketHydraClassifier`` concatenates the two
    transforms. Behind MultiRocket's pools the MultiRocket part emits its biased
    convolutions (see :class:`RandomConvEncoder`); Hydra's maps are the same behind
    every pool.

    ``width`` (the estimator's ``encoder_channels``) sets the MultiRocket part only: the
    Hydra part keeps its 64 groups, 1024 maps per dilation (5120 for series of 150 steps),
    so below a few thousand MultiRocket maps it holds most of the width and of the cost. A
    subclass that rebuilds the Hydra member narrows it (see the examples).

    Parameters
    ----------
    n_channels : int
    n_timesteps : int
    width : int or None, default=None
        Maps of the MultiRocket part (``None``: 9996).
    maps : {"indicator", "biased"}, default="indicator"
        What the MultiRocket part emits; chosen by the head's pool.

    References
    ----------
    Dempster, Schmidt and Webb (2023), "Hydra: competing convolutional kernels for fast
    and accurate time series classification", Data Mining and Knowledge Discovery.

    Examples
    --------
    >>> import torch
    >>> enc = MultiRocketHydraEncoder(1, 40, 336)
    >>> x, mask = torch.randn(6, 1, 40), torch.ones(6, 40, dtype=torch.bool)
    >>> _ = enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    >>> enc(x, mask).shape[1] == 336 + enc.members[1].out_channels
    True

    The Hydra part at 8 groups per dilation instead of 64, passed as
    ``SeqPoolClassifier(encoder=SmallMultiRocketHydra, encoder_channels=336)``:

    >>> from seqpool_sklearn.nn.encoders import HydraEncoder, MultiRocketHydraEncoder
    >>> class SmallMultiRocketHydra(MultiRocketHydraEncoder):
    ...     def __init__(self, n_channels, n_timesteps, width=None, maps="indicator"):
    ...         super().__init__(n_channels, n_timesteps, width, maps)
    ...         hydra = HydraEncoder(n_channels, n_timesteps, 8)
    ...         self.set_members([self.members[0], hydra])
    >>> [m.out_channels for m in SmallMultiRocketHydra(1, 40, 336).members]
    [336, 384]
    """

    name = "multirocket_hydra"
    summary = "MultiRocket's random convolutions beside Hydra's competing convolutions"
    default_width = 9996

    def __init__(self, n_channels, n_timesteps, width=None, maps: str = "indicator"):
        super().__init__(n_channels, n_timesteps, width)
        self.maps = maps
        self.set_members(
            [
                MultiRocketEncoder(n_channels, n_timesteps, self.width, maps=maps),
                HydraEncoder(n_channels, n_timesteps, None),
            ]
        )

    @classmethod
    def build(cls, n_channels, n_timesteps, width, *, maps=None, **options):
        return cls(n_channels, n_timesteps, width, maps=maps or "indicator")
