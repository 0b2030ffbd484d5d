"""The encoder contract, and the registry every encoder -- built-in or a user's -- goes through.

An encoder is a subclass of :class:`Encoder` in a file of its own. It is built as
``MyEncoder(n_channels, n_timesteps, width)`` (``width`` is the estimator's
``encoder_channels``, ``None`` for the encoder's own default), sets
``self.out_channels``, and is called as ``forward(x, mask)``: ``x`` of shape
``(batch, n_channels, T)`` with unobserved steps 0, ``mask`` of shape ``(batch, T)``
(``True`` where observed); it returns ``(batch, out_channels, T)``.

Optional capabilities, asked for by the module and by ``explain`` instead of checking
which encoder it is:

- ``fit_data(x, mask, generator=None, weight=None)``: set the encoder from the training
  series, once before training (encoders drawn from data, like ``"minirocket"``); it may
  return what :meth:`Encoder.cached_pooled` reuses;
- ``frozen = True``: its parameters stay out of training and it stays in evaluation mode
  during ``fit`` (batch normalisation uses its running statistics, dropout is off); the
  estimator then pools the training series once for ``order="pool_first"`` under a pool
  without parameters;
- ``fast_pools`` and ``pooled(x, mask, key, window)``: pooled frames computed without
  building the maps, for the pools whose ``Pool.fast`` key is listed;
- ``blocks(x, mask)``: the output as channel blocks, so that wide maps are never built
  whole (``explain``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import torch
from torch import nn

from ..masks import split_windows
from ..pools import built_members
from ..registry import Registry


class Encoder(nn.Module):
    """Base class of encoders: ``(batch, n_channels, T)`` to ``(batch, out_channels, T)``.

    Subclass it and pass the class as ``encoder=`` (see the module docs for the contract).

    Examples
    --------
    A small trained encoder: one dilated convolution and a ReLU.

    >>> import torch
    >>> from seqpool_sklearn import Encoder
    >>> class TinyConv(Encoder):
    ...     def __init__(self, n_channels, n_timesteps, width=None):
    ...         super().__init__(n_channels, n_timesteps, width)
    ...         self.out_channels = width or 8
    ...         self.conv = torch.nn.Conv1d(n_channels, self.out_channels, 5, padding=2)
    ...     def forward(self, x, mask):
    ...         return torch.relu(self.conv(x)) * mask.unsqueeze(1)
    >>> enc = TinyConv(2, 30)
    >>> enc(torch.randn(4, 2, 30), torch.ones(4, 30, dtype=torch.bool)).shape
    torch.Size([4, 8, 30])
    """

    #: Registered name (None for a class passed by itself; results show its class name).
    #: Read from the class itself: a subclass does not inherit its parent's name.
    name: str | None = None
    #: One line for the docs and the command line.
    summary: str = ""
    #: Width when ``encoder_channels=None`` (the estimator's docs show it).
    default_width: int | None = None
    #: Parameters stay out of training, and the encoder stays in evaluation mode in ``fit``.
    frozen: bool = False
    #: ``Pool.fast`` keys that :meth:`pooled` computes directly.
    fast_pools: tuple[str, ...] = ()

    def __init__(self, n_channels: int, n_timesteps: int | None = None, width: int | None = None):
        super().__init__()
        self.n_channels = int(n_channels)
        #: The width asked for, else :attr:`default_width`.
        self.width = width or self.default_width

    def train(self, mode: bool = True) -> Encoder:
        """Set training mode; a :attr:`frozen` encoder stays in evaluation mode.

        A frozen encoder is not trained, so it computes in ``fit`` what it computes at
        ``predict``: batch normalisation keeps its running statistics (neither normalising
        by the batch's nor overwriting them) and dropout stays off.
        """
        return super().train(mode and not self.frozen)

    @classmethod
    def build(cls, n_channels: int, n_timesteps: int, width: int | None, **options) -> Encoder:
        """Construct the encoder for the module; built-ins with options override this."""
        return cls(n_channels, n_timesteps, width)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x, mask).")

    def pooled(self, x, mask, key: str, window):  # pragma: no cover - only with fast_pools
        raise NotImplementedError(f"{type(self).__name__} computes no pool directly.")

    def cached_pooled(self, fitted, key: str, window):
        """Pooled frames of the training series that :meth:`fit_data` computed on the way.

        ``fitted`` is what ``fit_data`` returned; None (the default) when it holds none
        for this reduction and window.
        """
        return None

    def blocks(self, x: torch.Tensor, mask: torch.Tensor) -> Iterator[tuple[slice, torch.Tensor]]:
        """The output as (channel slice, block) pairs; the whole output by default."""
        yield slice(None), self(x, mask)

    @property
    def block_channels(self) -> int:
        """Channels of the widest block of :meth:`blocks`."""
        return int(self.out_channels)


ENCODER_REGISTRY = Registry("encoder", Encoder, also=", None")


def register_encoder(cls: type[Encoder]) -> type[Encoder]:
    """Register an :class:`Encoder` subclass under its ``name``; usable as a class decorator.

    Examples
    --------
    >>> from seqpool_sklearn.nn.encoders import ENCODER_REGISTRY
    >>> sorted(ENCODER_REGISTRY)  # doctest: +NORMALIZE_WHITESPACE
    ['conv', 'gru', 'hydra', 'minirocket', 'minirocket_alternating', 'multirocket',
     'multirocket_hydra']
    """
    return ENCODER_REGISTRY.register(cls)


def resolve_encoder(spec) -> type[Encoder]:
    """The :class:`Encoder` class of ``encoder=``: None, a registered name or a subclass."""
    if spec is None:
        from .identity import IdentityEncoder

        return IdentityEncoder
    return ENCODER_REGISTRY.resolve(spec)


def pool_by_blocks(blocks, x, mask, pool, window, step: int):
    """Pool an encoder's channel blocks ``blocks(x, mask)``, ``step`` series at a time.

    Equals pooling the whole (B, F, T) output for a pool whose channels are pooled
    separately, without building it. Returns the frames and their validity.
    """
    from ..pools import pool_windows

    out = []
    for i in range(0, x.shape[0], step):
        xi, mi = x[i : i + step], mask[i : i + step]
        parts = [pool_windows(pool, h, mi, window)[0] for _, h in blocks(xi, mi)]
        out.append(pool_major(parts, pool))
    return torch.cat(out), split_windows(mask.unsqueeze(1), mask, window)[1].any(-1)


def offset_blocks(parts):
    """The channel blocks of encoders' maps side by side.

    ``parts`` yields ``(encoder, encoder.blocks(...))`` pairs in the order their maps are
    concatenated; each block's channel slice is moved by the widths before it.
    """
    offset = 0
    for encoder, blocks in parts:
        for sl, h in blocks:
            start = sl.start or 0
            stop = encoder.out_channels if sl.stop is None else sl.stop
            yield slice(offset + start, offset + stop), h
        offset += encoder.out_channels


def pool_major(parts: list, pool) -> torch.Tensor:
    """Concatenate pooled channel blocks (B, n_pools * width_i, F) in the whole maps' order.

    A combined pool gives each block's features pool by pool; pooling the whole maps gives
    every channel's first pool, then every channel's second, ... (``CombinedPool``). The
    blocks are interleaved back into that order, so the direct path and the maps (export,
    ``explain``) agree feature by feature.
    """
    n_pools = len(built_members(pool))
    if n_pools == 1:
        return torch.cat(parts, dim=1)
    b, frames = parts[0].shape[0], parts[0].shape[-1]
    split = [p.reshape(b, n_pools, -1, frames) for p in parts]
    return torch.cat(split, dim=2).reshape(b, -1, frames)


def standardised_blocks(raw_blocks, scale_mean, scale_std, mask):
    """``(raw - mean) / std``, masked, for consecutive channel blocks: (slice, block) pairs."""
    start = 0
    m = None
    for raw in raw_blocks:
        if m is None:
            m = mask.unsqueeze(1).to(raw.dtype)
        sl = slice(start, start + raw.shape[1])
        mean = scale_mean[sl].to(raw.dtype)[None, :, None]
        std = scale_std[sl].to(raw.dtype)[None, :, None]
        yield sl, (raw - mean) / std * m
        start = sl.stop


# A spread below this fraction of the maps' typical size is no spread at all
NO_SPREAD = 1e-3


def floor_without_spread(spread: torch.Tensor, size: torch.Tensor) -> torch.Tensor | None:
    """The spread floors of the maps that do not vary between the training series.

    ``spread`` holds the maps' spreads over the training series and ``size`` their
    typical sizes (weighted means of the absolute values). The rule applies when the
    median spread is at most ``NO_SPREAD`` times the mean size -- constant or identical
    series, or differences at rounding level, in most maps -- where a floor set from
    the spreads would turn the maps' variation over time (under max pooling, windows,
    ``decode_first``) into huge values. It then floors each map that does not vary
    itself (its spread at most ``NO_SPREAD`` times its own size) at the maps' typical
    size, or at 1 where every map is 0 (as scikit-learn's ``StandardScaler`` scales a
    constant feature). The maps that do vary keep their spreads and the caller's floor.

    Parameters
    ----------
    spread, size : torch.Tensor of shape (n_maps,)

    Returns
    -------
    floor : torch.Tensor of shape (n_maps,) or None
        None where the maps vary between the series (the rule does not apply); else the
        floor of each map that does not vary, and 0 for the maps that do.
    """
    typical = float(size.mean())
    if float(spread.median()) > NO_SPREAD * typical:
        return None
    still = spread <= NO_SPREAD * size
    return torch.where(still, typical if typical > 0 else 1.0, 0.0).to(spread.dtype)


def weighted_mean_std(
    values: torch.Tensor, weight: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and spread over the rows of ``values``, weighted like the loss (float64).

    Encoders set from data standardise their features by these; the spread is 1 where
    fewer than two rows (or rows of non-zero weight) exist.
    """
    if weight is None:
        mean = values.mean(0)
        std = values.std(0, unbiased=False) if values.shape[0] > 1 else torch.ones_like(mean)
        return mean, std
    p = weight.detach().to(device="cpu", dtype=torch.float64)
    p = (p / p.sum()).to(values.device).unsqueeze(1)
    mean = (p * values).sum(0)
    spread = int((p > 0).sum()) > 1
    std = (p * (values - mean) ** 2).sum(0).sqrt() if spread else torch.ones_like(mean)
    return mean, std


def call_fit_data(encoder: Encoder, x, mask, generator=None, weight=None):
    """``encoder.fit_data`` with the keywords its signature takes (None if it has none)."""
    fit_data = getattr(encoder, "fit_data", None)
    if fit_data is None:
        return None
    signature = inspect.signature(fit_data)
    params = signature.parameters
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs = {
        k: v for k, v in (("generator", generator), ("weight", weight)) if takes_all or k in params
    }
    try:
        signature.bind(x, mask, **kwargs)
    except TypeError as exc:
        raise TypeError(
            f"{type(encoder).__name__}.fit_data is called as fit_data(x, mask) (with "
            f"generator= and weight= where its signature names them), but its signature is "
            f"fit_data{signature} ({exc})."
        ) from None
    return fit_data(x, mask, **kwargs)
