"""scikit-learn's common checks over every public estimator and transformer.

Estimators are discovered from ``seqpool_sklearn.__all__``; each gets tiny
configurations so the whole run stays fast. One check is expected to fail, and only
where scikit-learn expects it to fail for its own stochastic estimators (SGDClassifier):
with mini-batches, dropout or a data-drawn encoder, weighting a sample is not the same
as repeating it. tests/test_weights.py checks that it is, up to float32 rounding, where
training is deterministic and full-batch.
"""

import inspect

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import seqpool_sklearn
from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

TINY = {
    "encoder_channels": 8,
    "hidden_size": 16,
    "batch_size": 32,
    "max_epochs": 20,
    "lr": 0.03,
    "random_state": 0,
}

_STOCHASTIC = (
    "sample_weight is not equivalent to removing/repeating samples: mini-batches, dropout "
    "and the data-drawn encoder differ (tests/test_weights.py checks the equivalence where "
    "training is deterministic and full-batch)."
)


def _expected_failures(estimator):
    """scikit-learn's own expectation for stochastic mini-batch estimators (SGDClassifier)."""
    if isinstance(estimator, (SeqPoolClassifier, SeqPoolRegressor)):
        return {"check_sample_weight_equivalence_on_dense_data": _STOCHASTIC}
    return {}


# Configurations per estimator class: the default head on the conv encoder, and a
# positional head (window=1, decode_first) with non-linear pooling.
CONFIGS = {
    SeqPoolClassifier: [
        SeqPoolClassifier(**TINY),
        SeqPoolClassifier(encoder=None, order="decode_first", pool="attention", window=1, **TINY),
    ],
    SeqPoolRegressor: [
        SeqPoolRegressor(window=1, **TINY),
        SeqPoolRegressor(encoder="gru", order="decode_first", pool="lp", window=1, **TINY),
    ],
}


def _public_estimator_classes():
    classes = []
    for name in seqpool_sklearn.__all__:
        obj = getattr(seqpool_sklearn, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            classes.append(obj)
    return classes


def _instances():
    out = []
    for cls in _public_estimator_classes():
        out.extend(CONFIGS.get(cls, [cls()]))
    return out


def test_every_public_estimator_is_checked():
    classes = _public_estimator_classes()
    assert SeqPoolClassifier in classes and SeqPoolRegressor in classes
    checked = {type(est) for est in _instances()}
    assert checked == set(classes)


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_default_parameters_are_the_documented_ones(cls):
    est = cls()
    params = est.get_params()
    assert params["order"] == "pool_first" and params["pool"] == "avg"
    assert params["window"] is None and params["encoder"] == "minirocket"
    assert params["encoder_channels"] is None and params["max_epochs"] == 100
    assert params["dropout"] == 0.5 and params["lr"] == 0.0003
