"""No encoder: the head works on the raw channels (``encoder=None``)."""

from __future__ import annotations

import torch

from .base import Encoder


class IdentityEncoder(Encoder):
    """No encoder: the head works on the raw channels (as in the original question)."""

    summary = "no encoder: the head reads the raw channels"

    def __init__(self, n_channels: int, n_timesteps: int | None = None, width: int | None = None):
        super().__init__(n_channels)
        self.out_channels = n_channels

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return x
