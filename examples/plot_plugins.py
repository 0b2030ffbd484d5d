"""
Your own pool and encoder in the comparison
===========================================

A pool type is one :class:`~seqpool_sklearn.Pool` subclass and an encoder one
:class:`~seqpool_sklearn.Encoder` subclass; pass the *class* as ``pool=`` or ``encoder=``
and it enters grid searches, :func:`~seqpool_sklearn.compare_heads`, explanations and
pickles like the built-in names. This example writes a generalised-mean (GeM) pool with a
learned power and a small dilated convolutional encoder, and compares them with the
built-in pools on GunPoint (UCR archive), on the same cross-validation folds.
"""

# %%
# A GeM pool and a small encoder
# ------------------------------
# A pool receives the windows of a map, ``h`` of shape (batch, features, frames, k) with
# unobserved steps set to 0, and the mask of observed steps (batch, frames, k); it returns
# (batch, features, frames). An encoder maps (batch, channels, T) to (batch,
# out_channels, T) and sets ``out_channels``.
import os
from pathlib import Path

import torch

from seqpool_sklearn import Encoder, Pool, SeqPoolClassifier, compare_heads, fetch_ucr

torch.set_num_threads(1)


class GeM(Pool):
    """Generalised mean (mean h^p)^(1/p) of the observed steps, with a learned power p."""

    summary = "generalised mean with a learned power"

    def __init__(self, n_features):
        super().__init__(n_features)
        self.p = torch.nn.Parameter(torch.tensor(3.0))

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        p = self.p.clamp(1.0, 8.0).to(h.dtype)
        mean = (h.clamp_min(1e-6).pow(p) * m).sum(-1) / m.sum(-1).clamp_min(1.0)
        return mean.pow(1.0 / p)


class DilatedConv(Encoder):
    """Two dilated convolutions with ReLU; unobserved steps are kept at 0."""

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = width or 16
        self.conv1 = torch.nn.Conv1d(n_channels, self.out_channels, 7, padding=3)
        self.conv2 = torch.nn.Conv1d(self.out_channels, self.out_channels, 7, padding=6, dilation=2)

    def forward(self, x, mask):
        m = mask.unsqueeze(1).to(x.dtype)
        h = torch.relu(self.conv1(x)) * m
        return torch.relu(self.conv2(h)) * m


# %%
# Load GunPoint
# -------------
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
found = [p / "shared/ucr" for p in (here, *here.parents) if (p / "shared/ucr/GunPoint").is_dir()]
data_home = os.environ.get("SEQPOOL_DATA_HOME") or (found[0] if found else None)
X, y = fetch_ucr("GunPoint", split=None, data_home=data_home)
X = X[:, :, ::2]  # every second step: 75 steps keep the example fast
print(X.shape)

# %%
# The user's pool beside the built-ins, behind the user's encoder
# ----------------------------------------------------------------
model = SeqPoolClassifier(encoder=DilatedConv, max_epochs=20, lr=3e-3, random_state=0)
result = compare_heads(
    model,
    X,
    y,
    orders=["pool_first", "decode_first"],
    pools=["avg", "max", GeM],
    cv=3,
    random_state=0,
)
print(result.summary()[["order", "pool", "mean_score", "std_score"]].round(3).to_string())

# %%
# The user's pool is named by its class in the results and the plot.
result.plot()

# %%
# The same comparison behind the built-in MiniRocket-style encoder: a frozen encoder, so
# the pool_first heads are trained on pooled frames computed once per fit.
model = SeqPoolClassifier(encoder="minirocket", encoder_channels=336, max_epochs=20, random_state=0)
result = compare_heads(model, X, y, pools=["avg", GeM], cv=3, random_state=0)
print(result.summary()[["order", "pool", "mean_score", "std_score"]].round(3).to_string())
