"""Validity masks, windows and frame counts: what every encoder, pool and head shares.

Every part follows one contract: it takes a float tensor ``x`` of shape
``(batch, channels, time)`` together with a boolean validity mask of shape
``(batch, time)`` (``True`` = observed step). A time step is *missing* when all of its
channels are NaN. A step in which only some channels are NaN is observed; its NaN
channels are read as 0.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


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
    if not recording_graph() and not bool(nan.any()):
        return x, torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
    return x.masked_fill(nan, 0.0), ~nan.all(dim=1)


def recording_graph() -> bool:
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


def split_windows(
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


def matmul_conv1d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    pad: tuple[int, int],
    dilation: int = 1,
    groups: int = 1,
) -> torch.Tensor:
    """``F.conv1d`` of ``x`` zero-padded by ``pad``, as one matrix product per group.

    Used only while exporting to ONNX: onnxruntime has no float64 ``Conv`` kernel, and
    the exported graph computes in float64 as ``predict`` does.
    """
    xp = F.pad(x, pad)
    k = weight.shape[2]
    t = xp.shape[2] - dilation * (k - 1)
    cols = torch.stack([xp[:, :, i * dilation : i * dilation + t] for i in range(k)], dim=2)
    if groups == 1:
        out = torch.matmul(weight.flatten(1), cols.flatten(1, 2))  # (B, out, T)
    else:  # group g's outputs read its own input channels only
        b = x.shape[0]
        w = weight.reshape(groups, weight.shape[0] // groups, -1)  # (G, out/G, in/G * k)
        c = cols.reshape(b, groups, -1, t)  # (B, G, in/G * k, T)
        out = torch.matmul(w, c).reshape(b, weight.shape[0], t)
    return out if bias is None else out + bias.unsqueeze(1)


_ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}


def activation(name: str | None) -> nn.Module:
    """The head's non-linearity by name (``None``: the identity)."""
    if name is None:
        return nn.Identity()
    if name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {tuple(_ACTIVATIONS)} or None; got {name!r}.")
    return _ACTIVATIONS[name]()
