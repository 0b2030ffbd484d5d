"""Reproducibility: same seed => bitwise-identical fits, in every process and with any
thread count; clone, set_params and warm_start behave as scikit-learn / skorch say.

CPU convolutions split their sums by thread, so the same seed used to give
different weights in a process with 2 torch threads than in a joblib worker with 1.
The estimators pin the intra-op thread count during fit and predict (``n_threads``);
the tests below pin one thread, the setting that promises bitwise identity across
processes, and run the caller at 2 threads to prove it. What ``n_threads="auto"`` (the
default) promises is tested in ``test_threads.py``.
"""

import numpy as np
import pytest
import torch
from _threads import caller_threads
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

# A constant rate: with the cosine schedule a warm-started fit runs a new cycle, so 2 + 2
# epochs could not equal 4.
TINY = {
    "encoder_channels": 4,
    "hidden_size": 6,
    "max_epochs": 2,
    "batch_size": 16,
    "lr": 0.02,
    "lr_schedule": "constant",
    "n_threads": 1,
}


def _data(n=40, c=3, t=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    return X, y


def _weights(est):
    return {k: v.clone() for k, v in est.module_.state_dict().items()}


def _same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class RecordThreads(Callback):
    """Write torch's intra-op thread count during training into the history."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


# ---------------------------------------------------------------------- same seed
@pytest.mark.parametrize("encoder", ["conv", "gru"])
def test_same_seed_gives_bitwise_identical_fits_at_any_caller_thread_count(encoder):
    X, y = _data()
    fits = []
    for threads in (1, 2, 1):
        with caller_threads(threads):
            clf = SeqPoolClassifier(encoder=encoder, dropout=0.2, random_state=0, **TINY)
            fits.append(clf.fit(X, y))
            assert torch.get_num_threads() == threads  # restored after fit and predict
    reference = fits[0]
    for other in fits[1:]:
        assert _same_weights(_weights(other), _weights(reference))
        np.testing.assert_array_equal(other.predict_proba(X), reference.predict_proba(X))
    different = SeqPoolClassifier(encoder=encoder, dropout=0.2, random_state=1, **TINY).fit(X, y)
    assert not np.allclose(different.predict_proba(X), reference.predict_proba(X))


def test_regressor_same_seed_same_predictions_at_any_caller_thread_count():
    X, _ = _data()
    y = X.mean(axis=(1, 2)) * 10.0
    preds = []
    for threads in (2, 1):
        with caller_threads(threads):
            preds.append(SeqPoolRegressor(random_state=0, **TINY).fit(X, y).predict(X))
    np.testing.assert_array_equal(preds[0], preds[1])


def test_n_threads_is_pinned_during_training_and_none_leaves_torch_alone():
    X, y = _data()
    with caller_threads(2):
        pinned = SeqPoolClassifier(callbacks=[RecordThreads()], random_state=0, **TINY).fit(X, y)
        free = SeqPoolClassifier(
            callbacks=[RecordThreads()], random_state=0, **{**TINY, "n_threads": None}
        ).fit(X, y)
        assert torch.get_num_threads() == 2
    assert pinned.history_[:, "torch_threads"] == [1, 1]
    assert free.history_[:, "torch_threads"] == [2, 2]


def test_n_threads_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match=r"'n_threads' parameter .* Got 0 instead"):
        SeqPoolClassifier(**{**TINY, "n_threads": 0}).fit(X, y)
    # beyond a C int torch raised its own "Overflow when unpacking long"
    with pytest.raises(ValueError, match=r"'n_threads' parameter .* Got 2147483648 instead"):
        SeqPoolClassifier(**{**TINY, "n_threads": 2**31}).fit(X, y)


# ---------------------------------------------------------------------- clone / set_params
def test_clone_of_a_fitted_estimator_is_unfitted_and_refits_identically():
    X, y = _data()
    clf = SeqPoolClassifier(window=4, random_state=0, **TINY).fit(X, y)
    twin = clone(clf)
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(twin))
    with pytest.raises(NotFittedError, match="not fitted"):
        twin.predict(X)
    np.testing.assert_array_equal(twin.fit(X, y).predict_proba(X), clf.predict_proba(X))


def test_set_params_then_fit_equals_a_fresh_estimator_for_every_head_parameter():
    X, y = _data()
    est = SeqPoolClassifier(random_state=0, **TINY).fit(X, y)
    changes = {"order": "decode_first", "pool": "attention", "window": 4, "encoder": "gru"}
    est.set_params(**changes)
    fresh = SeqPoolClassifier(random_state=0, **TINY, **changes).fit(X, y)
    est.fit(X, y)
    assert _same_weights(_weights(est), _weights(fresh))
    assert est.n_frames_ == fresh.n_frames_ == 4


# ---------------------------------------------------------------------- warm_start
def test_warm_start_continues_exactly_where_training_stopped():
    X, y = _data()
    warm = SeqPoolClassifier(warm_start=True, random_state=0, **TINY)
    warm.fit(X, y)
    module = warm.module_
    warm.fit(X, y)
    assert warm.module_ is module and warm.n_iter_ == 2 and len(warm.history_) == 4
    # Same module, optimizer state and shuffling stream: 2 + 2 epochs == 4 epochs.
    once = SeqPoolClassifier(random_state=0, **{**TINY, "max_epochs": 4}).fit(X, y)
    assert _same_weights(_weights(warm), _weights(once))
    assert warm.history_[:, "train_loss"] == once.history_[:, "train_loss"]
    # set_params(max_epochs=k) on a warm estimator trains k more epochs.
    warm.set_params(max_epochs=1).fit(X, y)
    assert warm.n_iter_ == 1 and len(warm.history_) == 5


def test_cold_start_refit_starts_anew():
    X, y = _data()
    cold = SeqPoolClassifier(random_state=0, **TINY).fit(X, y)
    first = _weights(cold)
    cold.fit(X, y)
    assert len(cold.history_) == 2 and cold.n_iter_ == 2
    assert _same_weights(_weights(cold), first)  # same seed, fresh start: same fit


def test_warm_start_with_other_classes_is_a_clear_error():
    X, y = _data()
    clf = SeqPoolClassifier(warm_start=True, random_state=0, **TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start=True but y has classes \[0, 2\]"):
        clf.fit(X, np.where(y == 1, 2, 0))


# ---------------------------------------------------------------------- across processes
def _grid_split_scores(n_jobs):
    X, y = _data(n=32)
    search = GridSearchCV(
        SeqPoolClassifier(random_state=0, **TINY),
        {"order": ["pool_first", "decode_first"]},
        cv=StratifiedKFold(2),
        scoring="neg_log_loss",  # continuous, so a single changed bit shows
        refit=False,
        n_jobs=n_jobs,
    ).fit(X, y)
    return np.array([search.cv_results_[f"split{i}_test_score"] for i in range(2)])


@pytest.mark.slow
def test_grid_search_split_scores_are_bitwise_identical_in_process_and_with_loky():
    # The caller runs at 2 threads, loky workers at cpu_count // n_jobs.
    with caller_threads(2):
        serial = _grid_split_scores(n_jobs=1)
    parallel = _grid_split_scores(n_jobs=2)
    assert np.isfinite(serial).all()
    np.testing.assert_array_equal(parallel, serial)


# ---------------------------------------------------------------------- threads
def _fold_probabilities(backend, n_jobs):
    import joblib
    from sklearn.model_selection import cross_validate

    X, y = _data(n=48, c=2, t=24)
    # dropout and a max pool: the random draws of training, where threads used to mix
    est = SeqPoolClassifier(
        **{**TINY, "max_epochs": 3, "dropout": 0.5, "pool": "max", "random_state": 0}
    )
    with joblib.parallel_backend(backend):
        res = cross_validate(est, X, y, cv=StratifiedKFold(4), n_jobs=n_jobs, return_estimator=True)
    return np.stack([e.predict_proba(X) for e in res["estimator"]])


def test_fits_overlapping_in_threads_are_those_of_a_serial_run():
    # Each fit used to seed torch's one global generator and draw its initial weights and
    # dropout masks from it, so fits in parallel threads (joblib's threading back-end,
    # Dask's threads) took each other's draws: a different model at every run.
    serial = _fold_probabilities("loky", 1)
    before = torch.get_rng_state()
    for _ in range(2):
        np.testing.assert_array_equal(_fold_probabilities("threading", 2), serial)
    # nor is the caller's generator moved by the fits that ran beside it
    assert torch.equal(torch.get_rng_state(), before)


def test_a_fit_draws_from_its_own_generator_not_the_callers():
    X, y = _data()
    a = SeqPoolClassifier(**{**TINY, "dropout": 0.5, "random_state": 0}).fit(X, y).predict_proba(X)
    # draws from the global generator in another thread, in the middle of a fit, change
    # nothing: a callback takes them at every batch
    import threading

    class DrawElsewhere(Callback):
        def on_batch_end(self, net, **kwargs):
            t = threading.Thread(target=lambda: torch.rand(1000))
            t.start()
            t.join()
            torch.rand(3)  # and in this thread

    b = SeqPoolClassifier(
        **{**TINY, "dropout": 0.5, "random_state": 0}, callbacks=[DrawElsewhere()]
    )
    np.testing.assert_array_equal(b.fit(X, y).predict_proba(X), a)
