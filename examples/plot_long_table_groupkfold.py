"""
From a long pandas table to a GroupKFold grid search over head order
====================================================================

Sensor data usually arrives as a long table: one row per time step, with columns such as
``subject, trial, timestamp, acc_x, acc_y, acc_z, activity``. This example turns such a table
into sequences once, up front, with :func:`~seqpool_sklearn.long_to_sequences`, then runs a
grid search over the head order of :class:`~seqpool_sklearn.SeqPoolClassifier` in which no
subject is ever in both the training and the test folds (``GroupKFold``). Finally the
predictions go back into a long table.
"""

# %%
# A long table
# ------------
# Six subjects, four trials each. Trials have different lengths and start at different
# moments; "walk" swings slowly, "run" fast. The rows arrive shuffled, as they often do
# after a database query.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline

from seqpool_sklearn import PadTruncate, SeqPoolClassifier, SeriesScaler, long_to_sequences

rng = np.random.default_rng(0)
rows = []
for subject in range(6):
    for trial in range(4):
        activity = ("walk", "run")[trial % 2]
        n_steps = int(rng.integers(40, 60))
        start = int(rng.integers(0, 10_000))  # milliseconds; no shared time stamps
        t = np.arange(n_steps)
        speed = 0.3 if activity == "walk" else 0.9
        phase = rng.uniform(0, 2 * np.pi)
        for axis_shift, axis in zip((0.0, 1.0, 2.0), ("acc_x", "acc_y", "acc_z"), strict=True):
            signal = np.sin(speed * t + phase + axis_shift) + rng.normal(0, 0.3, n_steps)
            if axis == "acc_x":
                block = pd.DataFrame(
                    {
                        "subject": f"s{subject}",
                        "trial": trial,
                        "timestamp": start + 20 * t,
                        "activity": activity,
                    }
                )
            block[axis] = signal + 0.5 * subject  # every subject has its own offset
        rows.append(block)
df = pd.concat(rows, ignore_index=True).sample(frac=1, random_state=0)
df.head()

# %%
# Long table to sequences, once
# -----------------------------
# Every ``(subject, trial)`` becomes one sample; steps are ordered by ``timestamp`` within each
# trial, shorter trials are NaN-padded. ``y`` and ``groups`` come back aligned with ``X``.
# This changes the number of rows, so it is not a Pipeline step.
seq = long_to_sequences(
    df,
    column_id=["subject", "trial"],
    column_sort="timestamp",
    column_value=["acc_x", "acc_y", "acc_z"],
    y="activity",
    groups="subject",
)
print(seq)
print("lengths:", np.unique(seq.lengths))

# %%
# Grid search over the head order, grouped by subject
# ----------------------------------------------------
# Row-preserving transformers go inside the Pipeline: per-series z-normalisation removes the
# subject offsets, and padding to a fixed length makes train and test folds alike.
pipe = make_pipeline(
    SeriesScaler(),
    PadTruncate(),
    SeqPoolClassifier(
        encoder="conv",
        hidden_size=16,
        pool="avg",
        activation="relu",
        max_epochs=8,
        lr=0.01,
        batch_size=8,
        random_state=0,
    ),
)
search = GridSearchCV(
    pipe,
    {"seqpoolclassifier__order": ["pool_first", "decode_first"]},
    cv=GroupKFold(n_splits=3),
)
search.fit(seq.X, seq.y, groups=seq.groups)
results = pd.DataFrame(search.cv_results_)[
    ["param_seqpoolclassifier__order", "mean_test_score", "std_test_score"]
]
results

# %%
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(
    results["param_seqpoolclassifier__order"],
    results["mean_test_score"],
    yerr=results["std_test_score"],
    capsize=4,
)
ax.set_ylabel("accuracy (GroupKFold by subject)")
ax.set_ylim(0, 1.05)
fig.tight_layout()

# %%
# Predictions back into the long table
# ------------------------------------
# ``to_long`` restores the original column names, time stamps and sort order and repeats
# each sample's prediction on its rows.
long_pred = seq.to_long(predictions=search.predict(seq.X))
long_pred.head()
