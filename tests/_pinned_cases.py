"""Configurations whose predictions are pinned in ``tests/data/pinned_predictions.npz`` (one
thread each, as the reference was written).

The reference file was written by the code before the pools and encoders became plug-ins
(``python tests/_pinned_cases.py --write``); a refactor must reproduce it. The classifiers
were trained on the plain cross-entropy then, so they pass ``label_smoothing=0.0`` (the
default became 0.1 later).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).parent / "data" / "pinned_predictions.npz"
# The PyTorch release (major.minor) the reference was written and is checked with.
REFERENCE_TORCH = "2.13"


def _data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(48, 2, 40)).astype("float32")
    y = (X[:, 0, :20].mean(1) > X[:, 1, 20:].mean(1)).astype(int)
    X[:, 0] += y[:, None] * 0.5
    Xp = X.copy()
    Xp[::3, :, 33:] = np.nan  # NaN padding
    Xp[1::5, :, 5] = np.nan  # a missing step inside
    yr = X[:, 0].mean(1) * 3.0 + X[:, 1, :10].max(1)
    return X, Xp, y, yr


CASES = {
    "default_minirocket": {"encoder_channels": None},
    "minirocket_window_max": {"encoder_channels": 168, "pool": "max", "window": 8},
    "minirocket_decode_first": {"encoder_channels": 168, "order": "decode_first", "pool": "avg"},
    "minirocket_lp": {"encoder_channels": 168, "pool": "lp", "window": 16},
    "minirocket_attention": {"encoder_channels": 168, "pool": "attention"},
    "raw_decode_first_max": {"encoder": None, "order": "decode_first", "pool": "max", "window": 8},
    "raw_attention_window": {"encoder": None, "pool": "attention", "window": 10},
    "raw_lp_decode_first": {"encoder": None, "order": "decode_first", "pool": "lp"},
    "conv": {"encoder": "conv", "encoder_channels": 4, "order": "decode_first", "pool": "avg"},
    "gru": {"encoder": "gru", "encoder_channels": 4, "pool": "max", "window": 10},
}


def predictions() -> dict[str, np.ndarray]:
    import torch

    from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

    torch.set_num_threads(1)
    X, Xp, y, yr = _data()
    out = {}
    for name, params in CASES.items():
        clf = SeqPoolClassifier(
            max_epochs=3, hidden_size=8, random_state=0, n_threads=1, label_smoothing=0.0, **params
        )
        clf.fit(Xp, y)
        out[name] = clf.predict_proba(Xp)
    weights = np.linspace(0.2, 2.0, len(X))
    clf = SeqPoolClassifier(
        encoder_channels=168, max_epochs=3, random_state=1, n_threads=1, label_smoothing=0.0
    )
    out["weighted_minirocket"] = clf.fit(X, y, sample_weight=weights).predict_proba(Xp)
    reg = SeqPoolRegressor(encoder_channels=252, max_epochs=3, random_state=0, n_threads=1)
    out["regressor_minirocket"] = reg.fit(Xp, yr).predict(Xp)
    reg = SeqPoolRegressor(
        encoder=None, order="decode_first", window=5, max_epochs=3, random_state=0, n_threads=1
    )
    out["regressor_raw_window"] = reg.fit(Xp, yr).predict(Xp)
    return out


if __name__ == "__main__":
    found = predictions()
    if "--write" in sys.argv:
        REFERENCE.parent.mkdir(exist_ok=True)
        np.savez(REFERENCE, **found)
        print("wrote", REFERENCE)
    else:
        ref = np.load(REFERENCE)
        for name, value in found.items():
            same = np.array_equal(ref[name], value)
            diff = float(np.abs(ref[name] - value).max())
            print(f"{name:28s} bitwise={same} max_abs_diff={diff:.3g}")
