"""scikit-learn's common checks over every public estimator and transformer.

Estimators are discovered from ``seqpool_sklearn.__all__``; each gets tiny
configurations so the whole run stays fast. No check is expected to fail.

One check runs on a configuration of its own, as scikit-learn's own suite does for its
neural networks (``PER_ESTIMATOR_CHECK_PARAMS`` runs MLPClassifier with
``solver="lbfgs"`` there): ``check_sample_weight_equivalence_on_dense_data`` asks that a
sample weight of ``k`` give the model of ``k`` copies of the sample to 1e-7. That is a
property of deterministic training -- full batch, no dropout, no encoder drawn from the
data -- in a precision finer than 1e-7 (``dtype="float64"``). Each configuration runs it
with those settings and its own head and encoder; with mini-batches or dropout the
equivalence holds in distribution only, as for scikit-learn's SGD estimators.

Two checks do not run in effect: ``check_array_api_input`` skips itself unless
``SCIPY_ARRAY_API`` is set (the estimators do not claim array-API support), and the
``allow_nan`` tag (NaN marks a missing step) leaves ``check_estimators_nan_inf`` out;
infinite values are refused by the tests of ``test_bad_inputs.py`` and
``test_transformers.py``.
"""

import inspect
import re

import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import estimator_checks_generator

import seqpool_sklearn
from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.nn.encoders import IdentityEncoder

TINY = {
    "encoder_channels": 8,
    "hidden_size": 16,
    "batch_size": 32,
    "max_epochs": 20,
    "lr": 0.03,
    "random_state": 0,
}

# The settings under which weighting a sample is repeating it, exactly: full-batch
# deterministic training in float64 (see the module docstring).
WEIGHT_CHECK = "check_sample_weight_equivalence_on_dense_data"
DETERMINISTIC = {"dropout": 0.0, "batch_size": 10_000, "dtype": "float64"}


def _for_check(estimator, check):
    """The estimator a check runs on: the configuration itself, or its deterministic
    variant for the weight-equivalence check."""
    name = getattr(check, "func", check).__name__
    if name != WEIGHT_CHECK or not isinstance(estimator, (SeqPoolClassifier, SeqPoolRegressor)):
        return estimator
    deterministic = clone(estimator).set_params(**DETERMINISTIC)
    if deterministic.encoder in ("minirocket", "multirocket", "multirocket_hydra"):
        # their biases come from randomly drawn series
        deterministic.set_params(encoder=None)
    return deterministic


# Configurations per estimator class: the default head, a positional head (window=1,
# decode_first) with non-linear pooling, the ridge readout, the other frozen encoders
# with MultiRocket's pools, and a companion blended in.
CONFIGS = {
    SeqPoolClassifier: [
        SeqPoolClassifier(**TINY),
        SeqPoolClassifier(encoder=None, order="decode_first", pool="attention", window=1, **TINY),
        SeqPoolClassifier(readout="ridge", encoder=None, window=1, **TINY),
        SeqPoolClassifier(encoder="hydra", **TINY),
        SeqPoolClassifier(encoder="multirocket", pool=("ppv", "lspv"), **TINY),
        SeqPoolClassifier(
            encoder=None,
            companion=SeqPoolClassifier(encoder="hydra", encoder_channels=4, readout="ridge"),
            **TINY,
        ),
    ],
    SeqPoolRegressor: [
        SeqPoolRegressor(window=1, **TINY),
        SeqPoolRegressor(encoder="gru", order="decode_first", pool="lp", window=1, **TINY),
        SeqPoolRegressor(readout="ridge", order="decode_first", window=1, **TINY),
        SeqPoolRegressor(encoder="hydra", **TINY),
        SeqPoolRegressor(encoder="hydra", companion=IdentityEncoder, companion_weight=0.3, **TINY),
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


def _checks():
    for instance in _instances():
        # no check is expected to fail, so none is marked (xfail_strict needs sklearn 1.7)
        for estimator, check in estimator_checks_generator(instance, legacy=True):
            yield _for_check(estimator, check), check


def _check_id(obj):
    if isinstance(obj, BaseEstimator):
        return re.sub(r"\s+", "", repr(obj))
    return getattr(obj, "func", obj).__name__


@pytest.mark.parametrize(("estimator", "check"), list(_checks()), ids=_check_id)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_check_runs_and_none_is_expected_to_fail():
    cases = list(_checks())
    assert len(cases) > 100
    weight_checks = [e for e, c in cases if _check_id(c) == WEIGHT_CHECK]
    assert len(weight_checks) == len(CONFIGS[SeqPoolClassifier]) + len(CONFIGS[SeqPoolRegressor])
    assert all(e.get_params()["dtype"] == "float64" for e in weight_checks)


@pytest.mark.parametrize("cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_default_parameters_are_the_documented_ones(cls):
    est = cls()
    params = est.get_params()
    assert params["order"] == "pool_first" and params["pool"] == "avg"
    assert params["window"] is None and params["encoder"] == "minirocket"
    assert params["encoder_channels"] is None and params["max_epochs"] == 100
    assert params["dropout"] == 0.5 and params["lr"] == 0.0003
