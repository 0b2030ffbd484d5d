"""
Where in time is the evidence? Per-step contributions
=====================================================

``explain(X)`` splits every output of a fitted estimator into one contribution per time
step. For ``order="decode_first"`` the split is exact -- the output layer is linear in the
pooled per-step decisions -- and for ``pool_first`` with a non-linearity it is integrated
gradients, whose completeness error is reported. This example looks first at the synthetic
event task, where the evidence is known (an 8-step event early or late in the series), then
at GunPoint.

The data folder for GunPoint is ``$SEQPOOL_DATA_HOME`` when set, else ``../shared/ucr``
beside the repository; ``fetch_ucr`` downloads the dataset there if it is missing.
"""

# %%
# The event task: does the explanation find the event?
# ----------------------------------------------------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from seqpool_sklearn import SeqPoolClassifier, deletion_score, fetch_ucr, make_event_timing

torch.set_num_threads(1)

X, y = make_event_timing(200, 64, random_state=0)
clean, _ = make_event_timing(200, 64, noise=0.0, random_state=0)
events = clean[:, 0] > 0  # the true event steps
params = {
    "window": 16,
    "encoder": None,
    "hidden_size": 32,
    "max_epochs": 100,
    "lr": 0.003,
    "random_state": 0,
}

for order in ("decode_first", "pool_first"):
    clf = SeqPoolClassifier(order=order, **params).fit(X[:120], y[:120])
    ex = clf.explain(X[120:])
    contrib = ex.values[np.arange(80), ex.predicted]
    top = np.argsort(-contrib, axis=1)[:, :8]
    precision = np.take_along_axis(events[120:], top, axis=1).mean()
    faith = deletion_score(clf, X[120:])
    print(
        f"{order:12s} accuracy {clf.score(X[120:], y[120:]):.2f}  {ex.method} "
        f"(exact={ex.exact}, error {ex.completeness_error:.1e})  "
        f"top-8 precision {precision:.2f}  deletion {faith['deletion']:.2f} "
        f"vs random {faith['random']:.2f}"
    )

# %%
# The contributions of one test series under ``decode_first``: the bars sit on the event.
clf = SeqPoolClassifier(order="decode_first", **params).fit(X[:120], y[:120])
clf.explain(X[120:122]).plot(0)
plt.tight_layout()

# %%
# GunPoint, with the default random-convolution encoder
# ------------------------------------------------------
# "Step t" is where the head read its features; the dilated kernels of the encoder look a
# few dozen steps around it. A smaller encoder keeps ``decode_first`` fast here.
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
found = [p / "shared/ucr" for p in (here, *here.parents) if (p / "shared/ucr/GunPoint").is_dir()]
data_home = os.environ.get("SEQPOOL_DATA_HOME") or (found[0] if found else None)
X_train, y_train = fetch_ucr("GunPoint", split="train", data_home=data_home)
X_test, y_test = fetch_ucr("GunPoint", split="test", data_home=data_home)

gp = SeqPoolClassifier(
    order="decode_first", encoder_channels=1008, max_epochs=50, random_state=0
).fit(X_train, y_train)
print(f"GunPoint test accuracy {gp.score(X_test, y_test):.3f}")
ex = gp.explain(X_test[:4])
print(f"exact={ex.exact}, completeness error {ex.completeness_error:.1e}")
ex.plot(0)
plt.tight_layout()
plt.show()
