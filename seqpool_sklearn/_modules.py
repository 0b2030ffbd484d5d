"""Torch modules: encoders and the order x pool x window head.

Every part follows one contract: it takes a float tensor ``x`` of shape
``(batch, channels, time)`` together with a boolean validity mask of shape
``(batch, time)`` (``True`` = observed step) and returns a tensor of the same
layout. Padding never leaks into valid steps: encoders zero the padded steps
after every layer, batch normalisation computes its statistics over valid steps
only, and recurrent encoders run on packed sequences.

A time step is *missing* when all of its channels are NaN. A step in which only
some channels are NaN is observed; its NaN channels are read as 0.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

ORDERS = ("pool_first", "decode_first")
POOLS = ("avg", "max", "lp", "attention")
ENCODERS = ("conv", "gru")
ACTIVATIONS = ("relu", "gelu", "tanh")


def observed_mask(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split a NaN-padded batch into zero-filled values and a validity mask.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, time)
        Values; a time step whose channels are all NaN is missing.

    Returns
    -------
    values : torch.Tensor of shape (batch, channels, time)
        ``x`` with every NaN replaced by 0.
    mask : torch.Tensor of shape (batch, time), dtype bool
        ``True`` where the step is observed.
    """
    nan = torch.isnan(x)
    if not bool(nan.any()):
        return x, torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
    mask = ~nan.all(dim=1)
    return x.masked_fill(nan, 0.0), mask


def n_frames_for(n_timesteps: int, window: int | None) -> int:
    """Number of pooled frames for a series of ``n_timesteps`` steps.

    ``window=None`` pools globally (one frame); ``window=k`` pools
    non-overlapping windows of ``k`` steps and keeps the last partial window.

    Examples
    --------
    >>> n_frames_for(100, None), n_frames_for(100, 8), n_frames_for(96, 8)
    (1, 13, 12)
    """
    if window is None:
        return 1
    return int(math.ceil(n_timesteps / window))


def _activation(name: str | None) -> nn.Module:
    if name is None:
        return nn.Identity()
    return {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}[name]()


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation whose training statistics ignore padded steps.

    In evaluation mode it is exactly :class:`torch.nn.BatchNorm1d` (running
    statistics), so a padded series is normalised like the unpadded one. When the
    batch has no padding the native kernel is used.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        if mask is None or not self.training or bool(mask.all()):
            return super().forward(x)
        m = mask.unsqueeze(1).to(x.dtype)
        n = m.sum().clamp_min(1.0)
        mean = (x * m).sum(dim=(0, 2)) / n
        centred = (x - mean[None, :, None]) * m
        var = (centred * centred).sum(dim=(0, 2)) / n
        if self.track_running_stats and self.running_mean is not None:
            with torch.no_grad():
                self.num_batches_tracked += 1
                momentum = self.momentum if self.momentum is not None else 0.1
                unbiased = var * (n / (n - 1).clamp_min(1.0))
                self.running_mean.mul_(1 - momentum).add_(momentum * mean)
                self.running_var.mul_(1 - momentum).add_(momentum * unbiased)
        out = (x - mean[None, :, None]) / torch.sqrt(var[None, :, None] + self.eps)
        if self.affine:
            out = out * self.weight[None, :, None] + self.bias[None, :, None]
        return out


class IdentityEncoder(nn.Module):
    """No encoder: the head works on the raw channels (as in the original question)."""

    def __init__(self, n_channels: int):
        super().__init__()
        self.out_channels = n_channels

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return x


class SameConv1d(nn.Conv1d):
    """Conv1d with "same" output length for any kernel size (extra pad on the right)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int):
        super().__init__(in_channels, out_channels, kernel_size)
        total = kernel_size - 1
        self._pad = (total // 2, total - total // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return super().forward(F.pad(x, self._pad))


class ConvEncoder(nn.Module):
    """FCN-style encoder: three blocks of Conv1d ("same" padding) + batch norm + ReLU.

    Widths follow the FCN ratio ``(w, 2w, w)``; kernel sizes are ``(8, 5, 3)``.
    Padded steps are zeroed after every block, so they act exactly like the
    zero padding at the end of an unpadded series.
    """

    def __init__(self, n_channels: int, width: int = 64, kernel_sizes=(8, 5, 3)):
        super().__init__()
        widths = (width, 2 * width, width)
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        c_in = n_channels
        for w, k in zip(widths, kernel_sizes, strict=True):
            self.convs.append(SameConv1d(c_in, w, k))
            self.norms.append(MaskedBatchNorm1d(w))
            c_in = w
        self.out_channels = c_in

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        full = bool(mask.all())
        m = None if full else mask.unsqueeze(1).to(x.dtype)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = torch.relu(norm(conv(x), None if full else mask))
            if m is not None:
                x = x * m
        return x


class GRUEncoder(nn.Module):
    """Recurrent encoder (GRU, optionally bidirectional) over packed sequences.

    A series' length is its last observed step; trailing padding is never seen
    by either direction. Missing steps inside a series are read as zeros.
    """

    def __init__(self, n_channels: int, hidden: int = 64, bidirectional: bool = True):
        super().__init__()
        self.gru = nn.GRU(n_channels, hidden, batch_first=True, bidirectional=bidirectional)
        self.out_channels = hidden * (2 if bidirectional else 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        seq = x.transpose(1, 2)
        t = seq.shape[1]
        if bool(mask.all()):
            out, _ = self.gru(seq)
            return out.transpose(1, 2)
        steps = torch.arange(1, t + 1, device=mask.device)
        lengths = (mask * steps).amax(dim=1).clamp_min(1)
        packed = nn.utils.rnn.pack_padded_sequence(
            seq, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, _ = self.gru(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=t)
        return out.transpose(1, 2) * mask.unsqueeze(1).to(out.dtype)


def _split_windows(
    h: torch.Tensor, mask: torch.Tensor, window: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, H, T), (B, T) -> (B, H, F, k), (B, F, k); the last partial window is padded."""
    if window is None:
        return h.unsqueeze(2), mask.unsqueeze(1)
    b, c, t = h.shape
    n_frames = n_frames_for(t, window)
    pad = n_frames * window - t
    if pad:
        h = F.pad(h, (0, pad))
        mask = F.pad(mask, (0, pad), value=False)
    return h.reshape(b, c, n_frames, window), mask.reshape(b, n_frames, window)


class MaskedPool(nn.Module):
    """Pool each window of valid steps: average, max, power mean or attention.

    Parameters
    ----------
    pool : {"avg", "max", "lp", "attention"}
        ``"lp"`` is the power mean ``(mean |h|^p)^(1/p)`` over valid steps;
        ``"attention"`` is a learned score per step, softmax-normalised over the
        valid steps of each window.
    n_features : int
        Channels of the pooled tensor (used by the attention scorer).
    window : int or None
        Window length; ``None`` pools over the whole series.
    lp_power : float
        Power ``p`` of ``"lp"`` pooling.

    Fully masked windows give zeros for every pool type.
    """

    def __init__(self, pool: str, n_features: int, window: int | None, lp_power: float = 3.0):
        super().__init__()
        self.pool = pool
        self.window = window
        self.lp_power = float(lp_power)
        self.score = nn.Linear(n_features, 1) if pool == "attention" else None

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hw, mw = _split_windows(h, mask, self.window)  # (B,H,F,k), (B,F,k)
        m = mw.unsqueeze(1).to(h.dtype)
        count = m.sum(dim=-1)  # (B,1,F)
        valid = count > 0
        if self.pool == "avg":
            out = (hw * m).sum(dim=-1) / count.clamp_min(1.0)
        elif self.pool == "max":
            low = torch.finfo(h.dtype).min
            out = hw.masked_fill(~mw.unsqueeze(1), low).amax(dim=-1)
        elif self.pool == "lp":
            p = self.lp_power
            tiny = torch.finfo(h.dtype).tiny
            powered = hw.abs().clamp_min(1e-6).pow(p) * m
            out = (powered.sum(dim=-1) / count.clamp_min(1.0)).clamp_min(tiny).pow(1.0 / p)
        else:  # attention
            scores = self.score(hw.permute(0, 2, 3, 1)).squeeze(-1)  # (B,F,k)
            scores = scores.masked_fill(~mw, torch.finfo(h.dtype).min)
            weights = torch.softmax(scores, dim=-1).unsqueeze(1)
            out = (hw * weights * m).sum(dim=-1)
        frame_valid = valid.squeeze(1)
        return torch.where(valid, out, torch.zeros_like(out)), frame_valid


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
    pool : {"avg", "max", "lp", "attention"}, default="avg"
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
        pool: str = "avg",
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
        self.pooling = MaskedPool(pool, pooled, window, lp_power)
        self.activation = _activation(activation)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size * n_frames, n_outputs)

    def _decode(self, h: torch.Tensor) -> torch.Tensor:
        z = self.decoder(h.transpose(1, 2))
        return self.dropout(self.activation(z)).transpose(1, 2)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.order == "decode_first":
            frames, _ = self.pooling(self._decode(h), mask)
        else:
            pooled, frame_valid = self.pooling(h, mask)
            frames = self._decode(pooled) * frame_valid.unsqueeze(1).to(h.dtype)
        if frames.shape[-1] != self.n_frames:
            raise ValueError(
                f"The head was built for {self.n_frames} frames of window={self.window} "
                f"but the input gives {frames.shape[-1]}; pad or truncate the series to the "
                "length used at fit."
            )
        return self.output(frames.flatten(1))


class SeqPoolModule(nn.Module):
    """Encoder + head, built from the data shape and the head hyperparameters.

    Parameters
    ----------
    n_outputs : int
        Classes (logits) or regression targets.
    n_channels : int
        Input channels.
    n_timesteps : int
        Series length used to size windowed heads (ignored when ``window=None``).
    encoder : {"conv", "gru"} or None, default="conv"
    order : {"pool_first", "decode_first"}, default="pool_first"
    pool : {"avg", "max", "lp", "attention"}, default="avg"
    window : int or None, default=None
    hidden_size : int, default=64
    activation : {"relu", "gelu", "tanh"} or None, default="relu"
    dropout : float, default=0.0
    lp_power : float, default=3.0
    encoder_channels : int, default=64
        Conv width ``w`` (widths ``w, 2w, w``) or GRU hidden size.
    bidirectional : bool, default=True
        GRU only.

    Examples
    --------
    >>> import torch
    >>> m = SeqPoolModule(3, 2, 10, encoder=None, order="decode_first", window=4)
    >>> m(torch.randn(5, 2, 10)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        n_outputs: int,
        n_channels: int,
        n_timesteps: int,
        *,
        encoder: str | None = "conv",
        order: str = "pool_first",
        pool: str = "avg",
        window: int | None = None,
        hidden_size: int = 64,
        activation: str | None = "relu",
        dropout: float = 0.0,
        lp_power: float = 3.0,
        encoder_channels: int = 64,
        bidirectional: bool = True,
    ):
        super().__init__()
        if encoder is None:
            self.encoder = IdentityEncoder(n_channels)
        elif encoder == "conv":
            self.encoder = ConvEncoder(n_channels, encoder_channels)
        elif encoder == "gru":
            self.encoder = GRUEncoder(n_channels, encoder_channels, bidirectional)
        else:
            raise ValueError(f"encoder must be one of {ENCODERS} or None, got {encoder!r}.")
        self.n_channels = n_channels
        self.head = SeqPoolHead(
            n_outputs,
            self.encoder.out_channels,
            n_frames_for(n_timesteps, window),
            order=order,
            pool=pool,
            window=window,
            hidden_size=hidden_size,
            activation=activation,
            dropout=dropout,
            lp_power=lp_power,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[1] != self.n_channels:
            raise ValueError(
                f"Expected a tensor of shape (batch, {self.n_channels}, time), "
                f"got {tuple(x.shape)}."
            )
        x, mask = observed_mask(x)
        return self.head(self.encoder(x, mask), mask)
