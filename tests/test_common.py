"""scikit-learn's common checks over every public estimator and transformer.

Estimators are discovered from ``seqpool_sklearn.__all__``; each gets tiny
configurations so the whole run stays fast. No check is expected to fail.
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


@parametrize_with_checks(_instances())
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
