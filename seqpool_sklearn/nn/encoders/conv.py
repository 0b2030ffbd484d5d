"""FCN-style encoder (``encoder="conv"``): three Conv1d + masked batch norm + ReLU blocks."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..masks import matmul_conv1d
from .base import Encoder, register_encoder


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation whose training statistics ignore padded steps.

    In evaluation mode it is exactly :class:`torch.nn.BatchNorm1d` (running
    statistics), so a padded series is normalised like the unpadded one, without
    looking at the mask (an exported graph has no branch on the data). In training,
    a batch without padding uses the native kernel, except a batch of one value per
    channel (one series of one step), which the native kernel refuses: it is
    normalised like a padded batch with one observed step (variance 0, output 0 before
    the affine part).
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        if not self.training:
            return super().forward(x)
        single = x.shape[0] * x.shape[2] == 1
        if not single and (mask is None or bool(mask.all())):
            return super().forward(x)
        if mask is None:
            mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
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


class SameConv1d(nn.Conv1d):
    """Conv1d with "same" output length for any kernel size (extra pad on the right)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int):
        super().__init__(in_channels, out_channels, kernel_size)
        total = kernel_size - 1
        self._pad = (total // 2, total - total // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        if not torch.jit.is_scripting():  # torch.jit.script skips this block
            if torch.onnx.is_in_onnx_export():
                return matmul_conv1d(x, self.weight, self.bias, self._pad)
        # _conv_forward rather than super().forward, which torch.jit.script rejects
        return self._conv_forward(F.pad(x, self._pad), self.weight, self.bias)


@register_encoder
class ConvEncoder(Encoder):
    """FCN-style encoder: three blocks of Conv1d ("same" padding) + batch norm + ReLU.

    Widths follow the FCN ratio ``(w, 2w, w)``; kernel sizes are ``(8, 5, 3)``.
    Padded steps are zeroed after every block, so they act exactly like the
    zero padding at the end of an unpadded series. A gap inside a series is zeroed
    the same way, so the convolutions read it as a drop to 0 at the observed steps
    around it: fill interior gaps first (e.g. interpolate along time).
    """

    name = "conv"
    summary = "FCN-style: three Conv1d + batch norm + ReLU blocks of widths (w, 2w, w)"
    default_width = 64

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int | None = None,
        width: int | None = None,
        kernel_sizes=(8, 5, 3),
    ):
        super().__init__(n_channels, n_timesteps, width)
        widths = (self.width, 2 * self.width, self.width)
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
