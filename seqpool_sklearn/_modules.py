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

import itertools
import math
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._rocket_fast import decode_steps, pool_indicators

ORDERS = ("pool_first", "decode_first")
ENCODERS = ("minirocket", "conv", "gru")
ACTIVATIONS = ("relu", "gelu", "tanh")
# Width of each encoder when ``encoder_channels=None``.
DEFAULT_ENCODER_CHANNELS = {"minirocket": 9996, "conv": 64, "gru": 64}


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
    # mask arithmetic, no branch on the data, wherever a graph is recorded (tracing,
    # scripting, export): it then handles padded and unpadded batches alike. Eager
    # training skips the fill for batches without NaN, a few percent of a small step.
    nan = torch.isnan(x)
    if not _recording_graph() and not bool(nan.any()):
        return x, torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
    return x.masked_fill(nan, 0.0), ~nan.all(dim=1)


def _recording_graph() -> bool:
    """True under torch.jit tracing or scripting, torch.compile/export and ONNX export."""
    if torch.jit.is_scripting():
        return True
    return bool(
        torch.jit.is_tracing() or torch.compiler.is_compiling() or torch.onnx.is_in_onnx_export()
    )


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


def _matmul_conv1d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    pad: tuple[int, int],
    dilation: int = 1,
) -> torch.Tensor:
    """``F.conv1d`` of ``x`` zero-padded by ``pad``, as one matrix product.

    Used only while exporting to ONNX: onnxruntime has no float64 ``Conv`` kernel, and
    the exported graph computes in float64 as ``predict`` does.
    """
    xp = F.pad(x, pad)
    k = weight.shape[2]
    t = xp.shape[2] - dilation * (k - 1)
    cols = torch.stack([xp[:, :, i * dilation : i * dilation + t] for i in range(k)], dim=2)
    out = torch.matmul(weight.flatten(1), cols.flatten(1, 2))  # (B, out, T)
    return out if bias is None else out + bias.unsqueeze(1)


def _activation(name: str | None) -> nn.Module:
    if name is None:
        return nn.Identity()
    return {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}[name]()


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation whose training statistics ignore padded steps.

    In evaluation mode it is exactly :class:`torch.nn.BatchNorm1d` (running
    statistics), so a padded series is normalised like the unpadded one, without
    looking at the mask (an exported graph has no branch on the data). In training,
    a batch without padding uses the native kernel.
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
        if not torch.jit.is_scripting():  # torch.jit.script skips this block
            if torch.onnx.is_in_onnx_export():
                return _matmul_conv1d(x, self.weight, self.bias, self._pad)
        # _conv_forward rather than super().forward, which torch.jit.script rejects
        return self._conv_forward(F.pad(x, self._pad), self.weight, self.bias)


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
        # Only training looks at the data (a batch without padding skips the mask);
        # inference, which is what gets exported, always applies the mask.
        full = self.training and bool(mask.all())
        m = mask.unsqueeze(1).to(x.dtype)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = torch.relu(norm(conv(x), None if full else mask))
            if not full:
                x = x * m
        return x


class GRUEncoder(nn.Module):
    """Recurrent encoder (GRU, optionally bidirectional) over packed sequences.

    A series' length is its last observed step; trailing padding is never seen
    by either direction. Missing steps inside a series are read as zeros.

    Training runs on packed sequences. Inference uses mask arithmetic instead, so
    that a traced or exported graph handles any padding: the forward direction
    reads the whole padded series (trailing padding comes after every valid
    output), and the backward direction reads each series reversed within its own
    length, so that its padding comes last too.
    """

    def __init__(self, n_channels: int, hidden: int = 64, bidirectional: bool = True):
        super().__init__()
        self.gru = nn.GRU(n_channels, hidden, batch_first=True, bidirectional=bidirectional)
        self.out_channels = hidden * (2 if bidirectional else 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        seq = x.transpose(1, 2)
        t = seq.shape[1]
        if not self.training:
            return self._masked(seq, mask)
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

    def _direction(self, seq: torch.Tensor, suffix: str) -> torch.Tensor:
        gru = self.gru
        params = [getattr(gru, f"{name}_l0{suffix}") for name in _GRU_WEIGHTS]
        if torch.onnx.is_in_onnx_export():
            # onnxruntime's GRU has no float64 kernel: the recurrence runs in float32
            dtype = seq.dtype
            seq, params = seq.float(), [p.float() for p in params]
            h0 = seq.new_zeros(1, seq.shape[0], gru.hidden_size)
            out, _ = torch.gru(seq, h0, params, True, 1, 0.0, False, False, True)
            return out.to(dtype)
        h0 = seq.new_zeros(1, seq.shape[0], gru.hidden_size)
        out, _ = torch.gru(seq, h0, params, True, 1, 0.0, False, False, True)
        return out

    def _masked(self, seq: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(1).to(seq.dtype)
        out = self._direction(seq, "")
        if self.gru.bidirectional:
            steps = torch.arange(seq.shape[1], device=mask.device).unsqueeze(0)
            lengths = (mask * (steps + 1)).amax(dim=1, keepdim=True)  # last observed step
            # step t of series b reads step length_b - 1 - t; padding stays in place
            idx = torch.where(steps < lengths, lengths - 1 - steps, steps)
            flip = seq.gather(1, idx.unsqueeze(2).expand_as(seq))
            back = self._direction(flip, "_reverse")
            back = back.gather(1, idx.unsqueeze(2).expand_as(back))  # the same permutation
            out = torch.cat([out, back], dim=2)
        return out.transpose(1, 2) * m


_GRU_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_ROCKET_INDICES = tuple(itertools.combinations(range(9), 3))  # 84 kernels of length 9


class RandomConvEncoder(nn.Module):
    """Frozen random convolutions in the MiniRocket style, emitting indicator maps.

    84 fixed kernels of length 9 (weights -1, with +2 at three positions) are applied
    at dilations spaced exponentially up to the training length; each kernel/dilation
    output ``c(t)`` is compared with several biases ``b`` drawn from quantiles of
    ``c`` on training series (:meth:`fit_data`). The encoder emits, per feature ``j``
    and step ``t``, the standardised indicator ``(1[c_j(t) > b_j] - mu_j) / sigma_j``,
    where ``mu_j`` and ``sigma_j`` are the mean and spread over the training series
    of the feature's proportion of positive values (PPV). Average pooling of these
    maps is therefore MiniRocket's (standardised) PPV feature; max pooling, windows
    and the ``decode_first`` order apply to the same maps. Nothing here is trained:
    kernels, biases and scales are set once from the training data and kept as
    buffers (saved with the weights).

    Multivariate series: each kernel/dilation reads a random subset of channels (as
    MiniRocket's multivariate variant) and sums their convolutions.

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

    frozen = True
    fast_pools = ("avg", "max")

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int,
        n_features: int = 9996,
        max_dilations: int = 32,
        seed: int = 0,
    ):
        super().__init__()
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

    def _groups(self, x: torch.Tensor):
        """Per dilation: the convolutions (B, 84, T) and their biases (1, 84, nb, 1)."""
        start = 0
        for i, (d, nb) in enumerate(zip(self.dilations, self.per_dilation, strict=True)):
            w = self.weight[i].to(x.dtype)
            if torch.onnx.is_in_onnx_export():
                c = _matmul_conv1d(x, w, None, (4 * d, 4 * d), d)
            else:
                c = F.conv1d(x, w, padding=4 * d, dilation=d)
            width = c.shape[1] * nb
            yield c, self.bias[start : start + width].to(x.dtype).view(1, -1, nb, 1)
            start += width

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
        biases = []
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
        raw, valid = self._pool_indicators(x, mask, "avg", None)
        ppv = raw.squeeze(-1).to(torch.float64)
        if weight is None:
            mean = ppv.mean(0)
            std = ppv.std(0, unbiased=False) if n > 1 else torch.ones(self.out_channels)
        else:
            w = p.to(ppv.device).unsqueeze(1)
            mean = (w * ppv).sum(0)
            spread = int((p > 0).sum()) > 1
            std = (w * (ppv - mean) ** 2).sum(0).sqrt() if spread else torch.ones_like(mean)
        self.scale_mean.copy_(mean.to(self.scale_mean.dtype))
        # a floor keeps near-constant features from turning one step into a huge value
        self.scale_std.copy_(std.clamp_min(0.01).to(self.scale_std.dtype))
        return raw, valid

    @torch.no_grad()
    def ppv(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Raw proportion of positive values per feature over observed steps, (B, F)."""
        frames, _ = self._pool_indicators(x, mask, "avg", None)
        return frames.squeeze(-1)

    def _pool_indicators(self, x, mask, pool, window):
        """Pool the raw indicators per window without building the float maps."""
        hw_mask = _split_windows(mask.unsqueeze(1), mask, window)[1]  # (B, Fr, k)
        count = hw_mask.sum(dim=-1).unsqueeze(1)  # (B, 1, Fr)
        out = []
        step = self._chunk(x.shape[2])
        for i in range(0, x.shape[0], step):
            xi, mi = x[i : i + step], mask[i : i + step]
            parts = [pool_indicators(c, b, mi, pool, window) for c, b in self._groups(xi)]
            out.append(torch.cat(parts, dim=1))
        pooled = torch.cat(out)  # (B, F, Fr)
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

    def decoded(self, x: torch.Tensor, mask: torch.Tensor, linear: nn.Linear) -> torch.Tensor:
        """``linear`` at every step of :meth:`forward`, (B, hidden, T), without the maps.

        The pre-activation decoder output of ``order="decode_first"``, computed from
        each kernel's ranks among its biases (see ``_rocket_fast``); equal to
        ``linear(self(x, mask).transpose(1, 2)).transpose(1, 2)`` up to float
        summation order, gradients included.
        """
        return decode_steps(
            self._groups, x, mask, linear.weight, linear.bias, self.scale_mean, self.scale_std
        )

    def standardise(self, raw: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Pooled raw indicators (B, F, n_frames) to pooled maps; invalid frames are 0."""
        mean = self.scale_mean.to(raw.dtype)[None, :, None]
        std = self.scale_std.to(raw.dtype)[None, :, None]
        out = (raw - mean) / std
        return out * valid.unsqueeze(1).to(raw.dtype)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        ind = torch.cat([(c.unsqueeze(2) > b).flatten(1, 2) for c, b in self._groups(x)], 1)
        mean = self.scale_mean.to(x.dtype)[None, :, None]
        std = self.scale_std.to(x.dtype)[None, :, None]
        h = (ind.to(x.dtype) - mean) / std
        # training skips the mask on a batch without padding; inference (what gets
        # exported) always applies it
        if not (self.training and bool(mask.all())):
            h = h * mask.unsqueeze(1).to(x.dtype)
        return h


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
        self.score = nn.Linear(n_features, 1) if pool in LEARNED_POOLS else None

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hw, mw = _split_windows(h, mask, self.window)  # (B,H,F,k), (B,F,k)
        m = mw.unsqueeze(1).to(h.dtype)
        count = m.sum(dim=-1)  # (B,1,F)
        valid = count > 0
        out = POOL_FUNCTIONS[self.pool](self, hw, mw, m, count)
        frame_valid = valid.squeeze(1)
        return torch.where(valid, out, torch.zeros_like(out)), frame_valid


def _avg_pool(pool: MaskedPool, hw, mw, m, count):
    return (hw * m).sum(dim=-1) / count.clamp_min(1.0)


def _max_pool(pool: MaskedPool, hw, mw, m, count):
    return hw.masked_fill(~mw.unsqueeze(1), torch.finfo(hw.dtype).min).amax(dim=-1)


def _lp_pool(pool: MaskedPool, hw, mw, m, count):
    p = pool.lp_power
    powered = hw.abs().clamp_min(1e-6).pow(p) * m
    tiny = torch.finfo(hw.dtype).tiny
    return (powered.sum(dim=-1) / count.clamp_min(1.0)).clamp_min(tiny).pow(1.0 / p)


def _attention_pool(pool: MaskedPool, hw, mw, m, count):
    scores = pool.score(hw.permute(0, 2, 3, 1)).squeeze(-1)  # (B,F,k)
    scores = scores.masked_fill(~mw, torch.finfo(hw.dtype).min)
    weights = torch.softmax(scores, dim=-1).unsqueeze(1)
    return (hw * weights * m).sum(dim=-1)


# Pool registry: name -> function(pool module, windows (B,H,F,k), window mask (B,F,k),
# float mask (B,1,F,k), valid counts (B,1,F)) -> (B,H,F). A new pool type is one entry
# here (its names in POOLS follow) plus its documentation.
POOL_FUNCTIONS = {
    "avg": _avg_pool,
    "max": _max_pool,
    "lp": _lp_pool,
    "attention": _attention_pool,
}


POOLS = tuple(POOL_FUNCTIONS)
LEARNED_POOLS = ("attention",)  # pools with parameters (a learned score per step)


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
            return self._output(frames)
        return self.from_pooled(*self.pooling(h, mask))

    def from_decoded(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``decode_first`` after the decoder: ``z`` (batch, hidden, time) pre-activation."""
        frames, _ = self.pooling(self.dropout(self.activation(z)), mask)
        return self._output(frames)

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
    encoder : {"minirocket", "conv", "gru"} or None, default="minirocket"
    encoder_channels : int or None, default=None
        ``"minirocket"``: number of indicator maps (rounded down to a multiple of
        84; ``None`` = 9996); ``"conv"``: width ``w`` (widths ``w, 2w, w``;
        ``None`` = 64); ``"gru"``: hidden size per direction (``None`` = 64).
    bidirectional : bool, default=True
        GRU only.
    **head
        The head's hyperparameters -- ``order``, ``pool``, ``window``, ``hidden_size``,
        ``activation``, ``dropout``, ``lp_power`` -- passed to :class:`SeqPoolHead` (same
        defaults).

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
        encoder: str | None = "minirocket",
        encoder_channels: int | None = None,
        bidirectional: bool = True,
        **head: Any,
    ):
        super().__init__()
        if encoder is None:
            self.encoder = IdentityEncoder(n_channels)
        elif encoder == "minirocket":
            self.encoder = RandomConvEncoder(
                n_channels, n_timesteps, encoder_channels or DEFAULT_ENCODER_CHANNELS[encoder]
            )
        elif encoder == "conv":
            self.encoder = ConvEncoder(
                n_channels, encoder_channels or DEFAULT_ENCODER_CHANNELS[encoder]
            )
        elif encoder == "gru":
            self.encoder = GRUEncoder(
                n_channels, encoder_channels or DEFAULT_ENCODER_CHANNELS[encoder], bidirectional
            )
        else:
            raise ValueError(f"encoder must be one of {ENCODERS} or None, got {encoder!r}.")
        self.n_channels = n_channels
        n_frames = n_frames_for(n_timesteps, head.get("window"))
        self.head = SeqPoolHead(n_outputs, self.encoder.out_channels, n_frames, **head)

    @property
    def caches_pooled(self) -> bool:
        """Whether training can pool the inputs once: a frozen encoder under a fixed pool.

        Then ``pool_first`` computes the same pooled frames at every epoch, so
        :meth:`pool_inputs` computes them once and :meth:`forward` reads them back
        while :attr:`pooled_inputs` is set.
        """
        fixed_pool = self.head.pooling.score is None
        frozen = getattr(self.encoder, "frozen", False)
        return frozen and fixed_pool and self.head.order == "pool_first"

    def _check_input(self, x: torch.Tensor) -> None:
        if x.ndim != 3 or x.shape[1] != self.n_channels:
            raise ValueError(
                f"Expected a tensor of shape (batch, {self.n_channels}, time), "
                f"got {tuple(x.shape)}."
            )

    def _pooled(self, x: torch.Tensor, mask: torch.Tensor):
        pooling = self.head.pooling
        # The direct path works through the batch in chunks sized from its shape, which
        # a trace or an export would freeze; they take the encoder's maps instead.
        direct = pooling.pool in getattr(self.encoder, "fast_pools", ())
        if direct and not (torch.jit.is_tracing() or torch.compiler.is_compiling()):
            return self.encoder.pooled(x, mask, pooling.pool, pooling.window)
        return pooling(self.encoder(x, mask), mask)

    def fit_data(
        self,
        x: torch.Tensor,
        generator: torch.Generator | None = None,
        weight: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor] | None:
        """Let a data-initialised encoder (``"minirocket"``) set itself from training series.

        ``weight`` (per series) weighs the data as in the loss. Other encoders are
        left as they are (and None is returned); a data-initialised one returns the
        raw global averages it computed on the way (see :meth:`pool_inputs`).
        """
        if hasattr(self.encoder, "fit_data"):
            self._check_input(x)
            values, mask = observed_mask(x)
            if weight is not None and bool((weight == weight[0]).all()):
                weight = None  # equal weights are no weights: the same draws
            return self.encoder.fit_data(values, mask, generator, weight)
        return None

    @torch.no_grad()
    def pool_inputs(
        self,
        x: torch.Tensor,
        batch_size: int = 256,
        fitted: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Pooled frames of ``x`` packed for :attr:`pooled_inputs`: (B, F + 1, n_frames).

        The last row holds the frames' validity (1.0 or 0.0). ``fitted``, what
        :meth:`fit_data` returned for the same ``x``, spares the pass over ``x`` for
        the global average pool (the default head), whose raw frames it holds.
        """
        self._check_input(x)
        pooling = self.head.pooling
        if fitted is not None and pooling.pool == "avg" and pooling.window is None:
            raw, valid = fitted
            pooled = self.encoder.standardise(raw, valid)
            return torch.cat([pooled, valid.unsqueeze(1).to(pooled.dtype)], dim=1)
        out = []
        for i in range(0, len(x), batch_size):
            values, mask = observed_mask(x[i : i + batch_size])
            pooled, valid = self._pooled(values, mask)
            out.append(torch.cat([pooled, valid.unsqueeze(1).to(pooled.dtype)], dim=1))
        return torch.cat(out)

    pooled_inputs = False
    """When True, :meth:`forward` takes the output of :meth:`pool_inputs`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pooled_inputs:
            return self.head.from_pooled(x[:, :-1], x[:, -1] > 0.5)
        self._check_input(x)
        x, mask = observed_mask(x)
        if self.head.order == "pool_first":
            return self.head.from_pooled(*self._pooled(x, mask))
        # an encoder that decodes its maps directly; a graph being recorded (export)
        # takes the maps, whose shapes do not depend on the data
        if hasattr(self.encoder, "decoded") and not _recording_graph():
            return self.head.from_decoded(self.encoder.decoded(x, mask, self.head.decoder), mask)
        return self.head(self.encoder(x, mask), mask)
