"""The head whose design is under study: order x pool x window, then the output layer."""

from __future__ import annotations

import torch
from torch import nn

from .encoders.base import floor_without_spread
from .masks import activation as activation_module
from .pools import Pool, built_members, make_pool, pool_width, pool_windows


class FrameNorm(nn.Module):
    """Standardise a ``decode_first`` head's pooled frames, per feature, before the output layer.

    MultiRocket's pools (``ppv``, ``mpv``, ``mipv``, ``lspv``) pool the decoded steps into
    fractions, ranks and run lengths whose spread between series is small; an output
    layer on them needs weights far larger than a few hundred optimizer steps reach, and
    the decoder does not learn. In training each feature is standardised by the mean and
    spread of the batch's valid frames (over series and frames), and running averages of
    those (``momentum``) are kept; ``predict`` uses the running averages, so a series'
    output does not depend on the others in its batch. Fully masked frames stay 0.
    A feature whose batch has fewer than two valid frames uses the running averages.

    Parameters
    ----------
    n_features : int
    momentum : float, default=0.1
    eps : float, default=1e-5

    Examples
    --------
    >>> import torch
    >>> norm = FrameNorm(2)
    >>> frames = torch.tensor([[[2.0], [5.0]], [[4.0], [7.0]]])
    >>> valid = torch.ones(2, 1, dtype=torch.bool)
    >>> norm(frames, valid)[:, :, 0]
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> norm.running_mean
    tensor([0.3000, 0.6000])
    """

    def __init__(self, n_features: int, momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.register_buffer("running_mean", torch.zeros(n_features))
        self.register_buffer("running_var", torch.ones(n_features))

    def scale_shift(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(1 / std, -mean / std)`` per feature at predict: ``out = frames * a + b``."""
        inv = torch.rsqrt(self.running_var + self.eps)
        return inv, -self.running_mean * inv

    def forward(self, frames: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """``frames`` (B, F, n_frames), ``valid`` (B, n_frames) bool -> standardised frames."""
        m = valid.unsqueeze(1).to(frames.dtype)
        mean = self.running_mean.to(frames.dtype)
        var = self.running_var.to(frames.dtype)
        if self.training:
            n = m.sum((0, 2)) * torch.ones_like(mean)  # valid frames per feature
            enough = n >= 2
            batch_mean = (frames * m).sum((0, 2)) / n.clamp_min(1)
            centred = (frames - batch_mean[None, :, None]) * m
            batch_var = (centred**2).sum((0, 2)) / n.clamp_min(1)
            with torch.no_grad():
                unbiased = batch_var * n / (n - 1).clamp_min(1)
                step = self.momentum * enough.to(mean.dtype)
                self.running_mean.mul_(1 - step).add_((step * batch_mean).to(mean.dtype))
                self.running_var.mul_(1 - step).add_((step * unbiased).to(var.dtype))
            mean = torch.where(enough, batch_mean, mean)
            var = torch.where(enough, batch_var, var)
        out = (frames - mean[None, :, None]) * torch.rsqrt(var + self.eps)[None, :, None]
        return out * m


class FitDropout(nn.Dropout):
    """``nn.Dropout`` whose masks, on the CPU inside a fit, come from the fit's generator.

    The same masks as ``nn.Dropout`` under torch's global generator seeded alike (torch
    draws a CPU mask as ``bernoulli_(1 - p)`` scaled by ``1 / (1 - p)``, as here), but
    from the generator of the fit running in this thread, so fits in parallel threads
    do not take each other's draws. Elsewhere (outside a fit, on a GPU) it is
    ``nn.Dropout``.
    """

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        from .._net import fit_generator

        gen = fit_generator() if self.training and input.device.type == "cpu" else None
        if gen is None or self.p == 0 or input.numel() == 0 or self.inplace:
            return super().forward(input)
        if self.p == 1:
            return input * torch.zeros((), dtype=input.dtype)
        noise = torch.empty_like(input).bernoulli_(1 - self.p, generator=gen)
        noise.div_(1 - self.p)
        return input * noise


def standardises_decoded(pool) -> bool:
    """Whether a ``decode_first`` head standardises the frames of this built pool."""
    members = built_members(pool)
    return any(getattr(p, "standardise_decoded", False) for p in members)


def _frame_sums(pooled: torch.Tensor, frame_valid: torch.Tensor, weight=None):
    """Weight, mean, sum of squared deviations and sum of absolute values of each feature.

    Over the valid frames of ``pooled`` (n, features, n_frames), each weighted by its
    series' weight (1 where ``weight`` is None), in float64. The weight is at least the
    smallest float64, so that frames without weight give a mean of 0.
    """
    w = torch.ones(len(pooled), dtype=torch.float64, device=pooled.device)
    if weight is not None:
        w = weight.to(device=pooled.device, dtype=torch.float64)
    m = frame_valid.to(torch.float64) * w[:, None]  # (n, F)
    total = m.sum().clamp_min(torch.finfo(torch.float64).tiny)
    p = pooled.to(torch.float64)
    mean = (p * m[:, None]).sum((0, 2)) / total
    squares = (((p - mean[None, :, None]) ** 2) * m[:, None]).sum((0, 2))
    sizes = (p.abs() * m[:, None]).sum((0, 2))
    return total, mean, squares, sizes


class SeqPoolHead(nn.Module):
    """The head whose design is under study.

    ``order="pool_first"``: pool each window -> linear decoder -> activation ->
    output layer. ``order="decode_first"``: linear decoder at every time step
    -> activation -> pool each window -> output layer. The decoder always acts
    on the channel axis. Frames are flattened before the output layer; fully
    masked windows contribute zeros in both orders, so with ``activation=None``
    and ``pool="avg"`` the two orders compute the same function.

    Behind a pool that declares ``standardise_decoded`` (MultiRocket's step-function pools,
    whose pooled values are fractions, ranks and run lengths), ``decode_first`` drops out
    the pooled frames rather than the steps -- dropping out a step would cut a run or flip
    a count -- and standardises them with a ``FrameNorm`` (``seqpool_sklearn.nn.head``)
    before the output layer.

    Parameters
    ----------
    n_outputs : int
        Classes (logits) or regression targets.
    in_channels : int
        Channels of the encoder output ``h``.
    n_frames : int
        Frames the output layer expects (``seqpool_sklearn.nn.masks.n_frames_for``).
    order : {"pool_first", "decode_first"}, default="pool_first"
    pool : str, Pool subclass or tuple of them, default="avg"
        A registered pool name (``"avg"``, ``"max"``, ``"lp"``, ``"attention"``,
        ``"ppv"``, ``"mpv"``, ``"logmpv"``, ``"mipv"``, ``"lspv"``), a
        :class:`~seqpool_sklearn.Pool` subclass, or a tuple of them (their pooled
        features concatenated).
    window : int or None, default=None
    hidden_size : int, default=64
    activation : {"relu", "gelu", "tanh"} or None, default="relu"
    dropout : float, default=0.0
    lp_power : float, default=3.0

    Examples
    --------
    Without an activation, average pooling commutes with the linear decoder: given the
    same weights, both orders give the same output, also per window and with padding.

    >>> import torch
    >>> from seqpool_sklearn import SeqPoolHead
    >>> kw = dict(window=4, activation=None, pool="avg")
    >>> a = SeqPoolHead(3, 5, 3, order="pool_first", **kw)
    >>> b = SeqPoolHead(3, 5, 3, order="decode_first", **kw)
    >>> _ = b.load_state_dict(a.state_dict())
    >>> h = torch.randn(2, 5, 10)
    >>> mask = torch.ones(2, 10, dtype=torch.bool)
    >>> mask[1, 7:] = False  # the second series has 7 observed steps
    >>> torch.allclose(a(h, mask), b(h, mask), atol=1e-5)
    True
    """

    def __init__(
        self,
        n_outputs: int,
        in_channels: int,
        n_frames: int,
        *,
        order: str = "pool_first",
        pool: str | type[Pool] | tuple = "avg",
        window: int | None = None,
        hidden_size: int = 64,
        activation: str | None = "relu",
        dropout: float = 0.0,
        lp_power: float = 3.0,
        standardise_frames: bool = False,
    ):
        super().__init__()
        self.order = order
        self.window = window
        self.n_frames = n_frames
        # pool_first decodes the pooled features (several per channel for combined pools);
        # decode_first pools the decoded steps
        first = order == "pool_first"
        self.decoder = nn.Linear(
            pool_width(pool, in_channels) if first else in_channels, hidden_size
        )
        self.pooling = make_pool(pool, in_channels if first else hidden_size, lp_power=lp_power)
        self.activation = activation_module(activation)
        self.dropout = FitDropout(dropout)
        width = hidden_size if first else pool_width(pool, hidden_size)
        self.output = nn.Linear(width * n_frames, n_outputs)
        self.standardises_frames = bool(standardise_frames) and first
        self.frame_norm = (
            FrameNorm(width) if not first and standardises_decoded(self.pooling) else None
        )
        if self.standardises_frames:
            # pool_first on features of different scales (MultiRocket's pools): the pooled
            # frames are standardised by the training frames' mean and spread (set at fit)
            n_pooled = self.decoder.in_features
            self.register_buffer("frame_mean", torch.zeros(n_pooled))
            self.register_buffer("frame_std", torch.ones(n_pooled))

    def _decode(self, h: torch.Tensor) -> torch.Tensor:
        z = self.decoder(h.transpose(1, 2))
        return self.dropout(self.activation(z)).transpose(1, 2)

    def pool(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Pool each window of ``h`` (B, C, T): frames (B, C, n_frames), validity (B, n_frames)."""
        return pool_windows(self.pooling, h, mask, self.window)

    def decode_blocks(self, blocks, decoder: nn.Linear | None = None) -> torch.Tensor:
        """The activated decoder output at every step, (B, hidden, T), from channel blocks.

        ``blocks`` are (channel slice, values) pairs of the encoder output (see
        ``Encoder.blocks``): wide maps are decoded block by block, never built whole.
        Dropout is not applied (inference). ``decoder`` replaces ``self.decoder`` (the
        explanation's decoder with pool_first's frame standardisation folded in).
        """
        decoder = self.decoder if decoder is None else decoder
        z = None
        for sl, h in blocks:
            part = torch.einsum("hc,bct->bht", decoder.weight[:, sl], h)
            z = part if z is None else z + part
        return self.activation(z + decoder.bias[None, :, None])

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.order == "decode_first":
            if getattr(self, "frame_norm", None) is not None:
                return self.from_decoded(self.decoder(h.transpose(1, 2)).transpose(1, 2), mask)
            frames, _ = self.pool(self._decode(h), mask)
            return self._output(frames)
        return self.from_pooled(*self.pool(h, mask))

    def from_decoded(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``decode_first`` after the decoder: ``z`` (batch, hidden, time) pre-activation."""
        norm = getattr(self, "frame_norm", None)
        if norm is None:
            # dropout draws its mask over (batch, time, hidden), the layout ``_decode``
            # draws it in, so the fast and dense paths drop the same units on every
            # torch release (the order a mask is drawn in differs between releases)
            a = self.dropout(self.activation(z).transpose(1, 2).contiguous()).transpose(1, 2)
            frames, _ = self.pool(a, mask)
            return self._output(frames)
        frames, valid = self.pool(self.activation(z), mask)
        return self._output(self.dropout(norm(frames, valid)))

    def from_pooled(self, pooled: torch.Tensor, frame_valid: torch.Tensor) -> torch.Tensor:
        """``pool_first`` after the pooling: decode the pooled frames, then the output layer.

        Parameters
        ----------
        pooled : torch.Tensor of shape (batch, in_channels, n_frames)
        frame_valid : torch.Tensor of shape (batch, n_frames), dtype bool
            False for fully masked frames, which contribute zeros.
        """
        valid = frame_valid.unsqueeze(1).to(pooled.dtype)
        if self.standardises_frames:
            mean = self.frame_mean.to(pooled.dtype)[None, :, None]
            pooled = (pooled - mean) / self.frame_std.to(pooled.dtype)[None, :, None] * valid
        frames = self._decode(pooled) * valid
        return self._output(frames)

    @torch.no_grad()
    def fit_frame_scale(
        self, pooled: torch.Tensor, frame_valid: torch.Tensor, weight: torch.Tensor | None = None
    ) -> None:
        """Set the standardisation of the pooled frames from the training frames.

        Each feature is centred on its mean over the training frames and scaled by its
        spread, at least 1e-3. Where most features of a pool (of each pool of a tuple) do
        not vary between the training series, those of its features that do not vary are
        scaled by the pool's typical size instead (the mean absolute value of its
        features; 1 where they are all 0); its features that vary keep their spreads.

        Parameters
        ----------
        pooled : torch.Tensor of shape (n, features, n_frames)
        frame_valid : torch.Tensor of shape (n, n_frames), dtype bool
        weight : torch.Tensor of shape (n,), optional
            Sample weights, as in the loss.
        """
        total, mean, squares, sizes = _frame_sums(pooled, frame_valid, weight)
        self._set_frame_scale(mean, squares / total, sizes / total)

    @torch.no_grad()
    def fit_frame_scale_by_chunks(self, chunks) -> None:
        """:meth:`fit_frame_scale` from the training frames given a chunk at a time.

        ``chunks`` yields ``(pooled, frame_valid, weight)`` of consecutive series (the
        weight None or the chunk's sample weights); no chunk is kept. The chunks' means
        and sums of squared deviations are combined exactly (Chan, Golub and LeVeque's
        pairwise update), so the scale equals that of all the frames at once up to
        float64 round-off.
        """
        total = mean = squares = sizes = None
        for pooled, frame_valid, weight in chunks:
            n, m, sq, sz = _frame_sums(pooled, frame_valid, weight)
            if total is None:
                total, mean, squares, sizes = n, m, sq, sz
                continue
            both = total + n
            delta = m - mean
            mean = mean + delta * (n / both)
            squares = squares + sq + delta**2 * (total * n / both)
            sizes = sizes + sz
            total = both
        if total is None:
            raise ValueError("Expected at least one chunk of training frames, got none.")
        self._set_frame_scale(mean, squares / total, sizes / total)

    def _set_frame_scale(self, mean: torch.Tensor, var: torch.Tensor, size: torch.Tensor) -> None:
        """Set ``frame_mean`` and ``frame_std`` from the features' float64 statistics."""
        self.frame_mean.copy_(mean.to(self.frame_mean.dtype))
        # a floor keeps near-constant features from turning noise into large values
        spread = var.sqrt()
        std = spread.clamp_min(1e-3)
        # the features of each pool of a tuple are contiguous and of one kind (fractions,
        # ranks, run lengths, series units). Where a kind mostly does not vary between
        # the training series (constant or identical series), its features that do not
        # vary are scaled by its typical size, or 1 where it is all 0, as the frozen
        # encoders scale such maps: inference in float64 rounds a response at its bias to
        # the other side (a fraction 0 -> 1, a count 0 -> 8), which the 1e-3 floor would
        # turn into a thousand spreads
        n_kinds = len(built_members(self.pooling))
        chunks = (std.chunk(n_kinds), spread.chunk(n_kinds), size.chunk(n_kinds))
        for kind_std, kind_spread, kind_size in zip(*chunks, strict=True):
            without = floor_without_spread(kind_spread, kind_size)
            if without is not None:
                torch.maximum(kind_std, without, out=kind_std)
        self.frame_std.copy_(std.to(self.frame_std.dtype))

    def _output(self, frames: torch.Tensor) -> torch.Tensor:
        if frames.shape[-1] != self.n_frames:
            raise ValueError(
                f"The head was built for {self.n_frames} frames of window={self.window} "
                f"but the input gives {frames.shape[-1]}; pad or truncate the series to the "
                "length used at fit."
            )
        return self.output(frames.flatten(1))
