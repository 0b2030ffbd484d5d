"""Predictions pinned before the pools and encoders moved into plug-in registries.

The same fitted models and predictions for the same ``random_state``: every case of
``tests/_pinned_cases.py`` must reproduce the reference file. Written and checked on
one machine they agree bit for bit (``python tests/_pinned_cases.py`` prints it); the
test allows the last float32 digits that another CPU's kernels may round differently.
A trained convolution encoder goes through oneDNN's convolutions, whose kernels (and so
their rounding) depend on the CPU's instruction set; three epochs of training carry that
to about 1e-5 in the probabilities, so that case gets a wider tolerance.
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
    atol = 1e-4 if name == "conv" else 1e-6
    np.testing.assert_allclose(found[name], reference, rtol=1e-5, atol=atol)
