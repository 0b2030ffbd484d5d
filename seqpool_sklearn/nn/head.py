"""The head whose design is under study: order x pool x window, then the output layer."""

from __future__ import annotations

import torch
from torch import nn

from .masks import activation as activation_module
from .pools import Pool, pool_windows, resolve_pool


class SeqPoolHead(nn.Module):
    """The head whose design is under study.

    ``order="pool_first"``: pool each window -> linear decoder -> activation ->
    output layer. ``order="decode_first"``: linear decoder at every time step
    -> activation -> pool each window -> output layer. The decoder always acts
    on the channel axis. Frames are flattened before the output layer; fully
    masked windows contribute zeros in both orders, so with ``activation=None``
    and ``pool="avg"`` the two orders compute the same function.

    Parameters
    ----------
    n_outputs : int
        Classes (logits) or regression targets.
    in_channels : int
        Channels of the encoder output ``h``.
    n_frames : int
        Frames the output layer expects (see :func:`n_frames_for`).
    order : {"pool_first", "decode_first"}, default="pool_first"
    pool : {"avg", "max", "lp", "attention"} or Pool subclass, default="avg"
        A registered pool name or a :class:`~seqpool_sklearn.Pool` subclass.
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
        pool: str | type[Pool] = "avg",
        window: int | None = None,
        hidden_size: int = 64,
        activation: str | None = "relu",
        dropout: float = 0.0,
        lp_power: float = 3.0,
    ):
        super().__init__()
        self.order = order
        self.window = window
        self.n_frames = n_frames
        self.decoder = nn.Linear(in_channels, hidden_size)
        pooled = in_channels if order == "pool_first" else hidden_size
        self.pooling = resolve_pool(pool).build(pooled, lp_power=lp_power)
        self.activation = activation_module(activation)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size * n_frames, n_outputs)

    def _decode(self, h: torch.Tensor) -> torch.Tensor:
        z = self.decoder(h.transpose(1, 2))
        return self.dropout(self.activation(z)).transpose(1, 2)

    def pool(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Pool each window of ``h`` (B, C, T): frames (B, C, n_frames), validity (B, n_frames)."""
        return pool_windows(self.pooling, h, mask, self.window)

    def decode_blocks(self, blocks) -> torch.Tensor:
        """The activated decoder output at every step, (B, hidden, T), from channel blocks.

        ``blocks`` are (channel slice, values) pairs of the encoder output (see
        ``Encoder.blocks``): wide maps are decoded block by block, never built whole.
        Dropout is not applied (inference).
        """
        z = None
        for sl, h in blocks:
            part = torch.einsum("hc,bct->bht", self.decoder.weight[:, sl], h)
            z = part if z is None else z + part
        return self.activation(z + self.decoder.bias[None, :, None])

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.order == "decode_first":
            frames, _ = self.pool(self._decode(h), mask)
            return self._output(frames)
        return self.from_pooled(*self.pool(h, mask))

    def from_pooled(self, pooled: torch.Tensor, frame_valid: torch.Tensor) -> torch.Tensor:
        """``pool_first`` after the pooling: decode the pooled frames, then the output layer.

        Parameters
        ----------
        pooled : torch.Tensor of shape (batch, in_channels, n_frames)
        frame_valid : torch.Tensor of shape (batch, n_frames), dtype bool
            False for fully masked frames, which contribute zeros.
        """
        frames = self._decode(pooled) * frame_valid.unsqueeze(1).to(pooled.dtype)
        return self._output(frames)

    def _output(self, frames: torch.Tensor) -> torch.Tensor:
        if frames.shape[-1] != self.n_frames:
            raise ValueError(
                f"The head was built for {self.n_frames} frames of window={self.window} "
                f"but the input gives {frames.shape[-1]}; pad or truncate the series to the "
                "length used at fit."
            )
        return self.output(frames.flatten(1))
