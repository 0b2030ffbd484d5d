"""Recurrent encoder (``encoder="gru"``): a GRU, optionally bidirectional, over packed sequences."""

from __future__ import annotations

import torch
from torch import nn

from .base import Encoder, register_encoder

_GRU_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _take_steps(seq: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``seq[b, idx[b, s]]`` for ``seq`` (B, T, C) and ``idx`` (B, T)."""
    return seq.gather(1, idx.unsqueeze(2).expand(-1, -1, seq.shape[2]))


@register_encoder
class GRUEncoder(Encoder):
    """Recurrent encoder (GRU, optionally bidirectional) over packed sequences.

    A series runs from its first observed step to its last; leading and trailing
    padding are never seen by either direction (each series is rotated so that it
    starts at step 0, and its outputs rotated back). Missing steps inside a series
    are read as zeros.

    Training runs on packed sequences. Inference uses mask arithmetic instead, so
    that a traced or exported graph handles any padding: the forward direction
    reads the whole padded series (trailing padding comes after every valid
    output), and the backward direction reads each series reversed within its own
    length, so that its padding comes last too.
    """

    default_width = 64
    name = "gru"
    summary = "a GRU with encoder_channels units per direction"

    def __init__(
        self,
        n_channels: int,
        n_timesteps: int | None = None,
        width: int | None = None,
        *,
        bidirectional: bool = True,
    ):
        super().__init__(n_channels, n_timesteps, width)
        hidden = self.width
        self.gru = nn.GRU(n_channels, hidden, batch_first=True, bidirectional=bidirectional)
        self.out_channels = hidden * (2 if bidirectional else 1)

    @classmethod
    def build(cls, n_channels, n_timesteps, width, *, bidirectional=True, **options):
        return cls(n_channels, n_timesteps, width, bidirectional=bidirectional)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        seq = x.transpose(1, 2)
        t = seq.shape[1]
        if self.training and bool(mask.all()):
            out, _ = self.gru(seq)
            return out.transpose(1, 2)
        # rotate every series so that its first observed step comes first: leading
        # padding (PadTruncate(padding="pre")) then trails, where no direction reads it
        steps = torch.arange(t, device=mask.device).unsqueeze(0)
        first = torch.where(mask, steps, t).amin(dim=1, keepdim=True) % t  # 0 if none
        ahead = (steps + first) % t  # step s of the rotated series is step ahead[s]
        back = (steps - first) % t  # and step t of the series is rotated step back[t]
        seq = _take_steps(seq, ahead)
        mask = mask.gather(1, ahead)
        if not self.training:
            out = self._masked(seq, mask)
        else:
            lengths = (mask * (steps + 1)).amax(dim=1).clamp_min(1)
            packed = nn.utils.rnn.pack_padded_sequence(
                seq, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.gru(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=t)
            out = out.transpose(1, 2) * mask.unsqueeze(1).to(out.dtype)
        return _take_steps(out.transpose(1, 2), back).transpose(1, 2)

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
