"""How many of scikit-learn's common checks does a plain skorch classifier pass?

Evidence for the design decision recorded in ``seqpool_sklearn/_estimators.py``:
the public estimators compose around a skorch net instead of subclassing one.
Runs every check of ``check_estimator(..., generate_only)``-style on a plain
``skorch.NeuralNetClassifier`` with a small MLP, and on ``SeqPoolClassifier``
for comparison, and prints the counts.

Run: ``python benchmarks/skorch_sklearn_checks.py``
"""

import warnings

import numpy as np
import torch
from sklearn.utils.estimator_checks import check_estimator
from skorch import NeuralNetClassifier
from torch import nn

from seqpool_sklearn import SeqPoolClassifier

torch.set_num_threads(1)


class MLP(nn.Module):
    def __init__(self, n_in=2, n_out=3):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(n_out))

    def forward(self, x):
        return torch.softmax(self.net(x.float()), dim=-1)


def count(estimator) -> tuple[int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    passed = sum(r["status"] == "passed" for r in results)
    failed = sum(r["status"] == "failed" for r in results)
    return passed, failed


if __name__ == "__main__":
    plain = NeuralNetClassifier(MLP, max_epochs=5, lr=0.05, verbose=0, train_split=None)
    ours = SeqPoolClassifier(
        encoder_channels=8, hidden_size=16, batch_size=32, max_epochs=20, lr=0.03, random_state=0
    )
    p_plain, f_plain = count(plain)
    p_ours, f_ours = count(ours)
    print(f"plain skorch NeuralNetClassifier: {p_plain} passed, {f_plain} failed")
    print(f"SeqPoolClassifier:                {p_ours} passed, {f_ours} failed")
    print(
        f"RESULT skorch_passed={p_plain} skorch_failed={f_plain} "
        f"seqpool_passed={p_ours} seqpool_failed={f_ours}"
    )
    np.testing.assert_equal(f_ours, 0)
