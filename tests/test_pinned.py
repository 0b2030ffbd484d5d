"""Predictions pinned before the pools and encoders moved into plug-in registries.

The same fitted models and predictions for the same ``random_state``: every case of
``tests/_pinned_cases.py`` must reproduce the reference file. Written and checked on
one machine they agree bit for bit (``python tests/_pinned_cases.py`` prints it); the
test allows the last float32 digits that another CPU's kernels may round differently.
"""

import numpy as np
import pytest
from _pinned_cases import CASES, REFERENCE, predictions


@pytest.fixture(scope="module")
def found():
    return predictions()


@pytest.mark.parametrize(
    "name",
    [*CASES, "weighted_minirocket", "regressor_minirocket", "regressor_raw_window"],
)
def test_prediction_is_pinned(found, name):
    reference = np.load(REFERENCE)[name]
    np.testing.assert_allclose(found[name], reference, rtol=1e-5, atol=1e-6)
