"""A user's own pool and encoders, as a researcher would write them (used by test_plugins).

They live in an importable module so that joblib's worker processes import them.
"""

import torch

from seqpool_sklearn import Encoder, Pool


class GeM(Pool):
    """Generalised mean with a learned power (no exact split declared)."""

    summary = "generalised mean, learned power"

    def __init__(self, n_features):
        super().__init__(n_features)
        self.p = torch.nn.Parameter(torch.tensor(3.0))

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        n = m.sum(-1).clamp_min(1.0)
        p = self.p.to(h.dtype)
        return ((h.abs().clamp_min(1e-6).pow(p) * m).sum(-1) / n).pow(1.0 / p)


class SumPool(Pool):
    """Sum of the observed steps, with its exact split."""

    def forward(self, h, mask):
        return h.sum(-1)

    def shares(self, h, mask):
        return h


class TinyConv(Encoder):
    """One trained convolution and a ReLU; unobserved steps stay 0."""

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = width or 6
        self.conv = torch.nn.Conv1d(n_channels, self.out_channels, 5, padding=2)

    def forward(self, x, mask):
        return torch.relu(self.conv(x)) * mask.unsqueeze(1).to(x.dtype)


class FrozenProjection(Encoder):
    """A frozen random projection of the channels, scaled from the training data."""

    frozen = True

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = width or 4
        self.proj = torch.nn.Parameter(torch.randn(self.out_channels, n_channels))
        self.register_buffer("scale", torch.ones(1))
        self.fit_calls = 0

    def fit_data(self, x, mask):
        self.fit_calls += 1
        self.scale.fill_(float(x[mask.unsqueeze(1).expand_as(x)].abs().mean()) or 1.0)

    def forward(self, x, mask):
        return torch.einsum("oc,bct->bot", self.proj, x) / self.scale


class WrongLength(Encoder):
    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = 3

    def forward(self, x, mask):
        return x.new_zeros(x.shape[0], 3, x.shape[2] - 1)


class NoWidth(Encoder):
    def forward(self, x, mask):
        return x


class WrongFrames(Pool):
    def forward(self, h, mask):
        return h.sum(-1).sum(-1)  # the frames are lost


class NotAPool(torch.nn.Module):
    def forward(self, h, mask):
        return h.mean(-1)
