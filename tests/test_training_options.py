"""Training options against skorch's and scikit-learn's semantics: warm starts of the
regressor, skorch's load-side callbacks and scoring callbacks, the target scaling of
the regressor and the messages of continued fits."""

import numpy as np
import pytest
from skorch.callbacks import Checkpoint, LoadInitState

from seqpool_sklearn import SeqPoolClassifier

TINY = {"encoder": None, "hidden_size": 4, "lr": 0.05, "max_epochs": 3, "random_state": 0}


def _data(n=30, t=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1, t)).astype(np.float32)
    y = np.arange(n) % 2
    X[:, 0] += y[:, None] * 0.5
    return X, y


# ---------------------------------------------------------------- skorch's load callbacks
@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_checkpoint_load_best_with_a_frozen_encoder_loads_the_best_epoch(tmp_path, order):
    # a frozen encoder trains a head-only view: loading the whole module's state into
    # it mid-fit failed with torch's "Unexpected key(s) in state_dict"
    X, y = _data(n=20)
    kw = {
        "encoder": "minirocket",
        "encoder_channels": 84,
        "hidden_size": 4,
        "dropout": 0.0,
        "lr": 0.05,
        "lr_schedule": "constant",
        "order": order,
        "random_state": 0,
    }
    best = Checkpoint(
        dirname=str(tmp_path), monitor=lambda net: len(net.history) == 2, load_best=True
    )
    fitted = SeqPoolClassifier(**kw, max_epochs=4, callbacks=[best]).fit(X, y)
    # the second epoch's weights: those of a fit that stopped there
    two = SeqPoolClassifier(**kw, max_epochs=2).fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), two.predict_proba(X))

    # a later fit starts from the checkpoint, with its history
    saved = Checkpoint(dirname=str(tmp_path), monitor="train_loss_best")
    resumed = SeqPoolClassifier(**kw, max_epochs=2, callbacks=[saved, LoadInitState(saved)])
    resumed.fit(X, y)
    assert len(resumed.history_) == 4
