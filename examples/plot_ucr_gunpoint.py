"""
Head designs on a UCR dataset: GunPoint
=======================================

GunPoint (UCR archive) holds 200 univariate series of 150 steps: the x coordinate of an
actor's hand while drawing a replica gun or just pointing. This example loads it with
:func:`~seqpool_sklearn.fetch_ucr` from a local copy of the archive, compares the head
designs of a small convolutional network under cross-validation with
:func:`~seqpool_sklearn.compare_heads`, and finally checks the best design on the archive's
own train/test split against the published accuracy (FCN: 1.000).

The data folder is ``$SEQPOOL_DATA_HOME`` when set, else ``../shared/ucr`` beside the
repository; ``fetch_ucr`` downloads the dataset there if it is missing.
"""

# %%
# Load GunPoint
# -------------
import os
from pathlib import Path

import torch

from seqpool_sklearn import SeqPoolClassifier, compare_heads, fetch_ucr

torch.set_num_threads(1)  # small models: one thread is fastest and shares the machine well

# Look for shared/ucr beside the repository, from this file when run as a script or from
# the working directory otherwise (sphinx-gallery and interactive sessions have no __file__).
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
found = [p / "shared/ucr" for p in (here, *here.parents) if (p / "shared/ucr/GunPoint").is_dir()]
data_home = os.environ.get("SEQPOOL_DATA_HOME") or (found[0] if found else None)

# split=None pools the archive's train and test series for our own cross-validation.
X, y = fetch_ucr("GunPoint", split=None, data_home=data_home)
print(X.shape, sorted(set(y.tolist())))

# %%
# Compare the designs on the same folds
# -------------------------------------
# A three-block convolutional encoder (16 filters wide) feeds the head; both orders start
# from the same weights (``random_state``), so the fold-by-fold differences are tight.
clf = SeqPoolClassifier(
    encoder="conv",
    encoder_channels=16,
    hidden_size=16,
    max_epochs=30,
    lr=0.003,
    batch_size=16,
    random_state=0,
)
result = compare_heads(clf, X, y, pools=["avg", "max"], cv=3, random_state=0)
result.summary()

# %%
# With a learned encoder in front of the head, the order question is an empirical one:
# the encoder can compute non-linear per-step features itself. Three folds give a wide
# interval; raise ``cv`` and ``n_repeats`` for a sharper answer.
effect = result.order_effect()
for pool, verdict in zip(effect["pool"], effect["verdict"], strict=True):
    print(f"{pool}: {verdict}")

# %%
fig = result.plot()

# %%
# The best design on the archive's split
# --------------------------------------
# Published results use the archive's default split (50 training, 150 test series).
best = result.summary().iloc[0]
(X_train, y_train), (X_test, y_test) = fetch_ucr("GunPoint", split="both", data_home=data_home)
final = clf.set_params(order=best["order"], pool=best["pool"], window=best["window"])
final.fit(X_train, y_train)
print(f"{best['order']} + {best['pool']} pooling: test accuracy {final.score(X_test, y_test):.3f}")
