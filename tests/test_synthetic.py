"""Tests of the synthetic tasks: layout, determinism, and that their known answers hold.

The "known answer" checks are exact where the maths is exact (a pool_first head sees the
same input for every sample; permutation-invariant pooling cannot tell early from late) and
use a quick logistic regression on hand-made features where it is statistical.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from seqpool_sklearn import (
    SYNTHETIC_TASKS,
    make_event_timing,
    make_mean_level,
    make_nonlinear_steps,
)
from seqpool_sklearn._modules import SeqPoolModule


def cv_accuracy(features: np.ndarray, y: np.ndarray) -> float:
    return cross_val_score(LogisticRegression(max_iter=1000), features, y, cv=5).mean()


def head_outputs(X: np.ndarray, **params) -> np.ndarray:
    torch.manual_seed(0)
    module = SeqPoolModule(2, X.shape[1], X.shape[2], **params).eval()
    with torch.no_grad():
        return module(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("name", sorted(SYNTHETIC_TASKS))
def test_layout_balance_and_defaults(name):
    X, y = SYNTHETIC_TASKS[name](random_state=0)
    assert X.dtype == np.float32 and X.ndim == 3 and X.shape[0] == 200
    assert np.isfinite(X).all()
    assert y.shape == (200,) and set(y.tolist()) == {0, 1} and y.sum() == 100
    X_odd, y_odd = SYNTHETIC_TASKS[name](n_samples=7, random_state=0)
    assert X_odd.shape[0] == 7 and y_odd.sum() in (3, 4)


@pytest.mark.parametrize("name", sorted(SYNTHETIC_TASKS))
def test_same_seed_same_data_different_seed_different_data(name):
    make = SYNTHETIC_TASKS[name]
    X1, y1 = make(n_samples=20, random_state=3)
    X2, y2 = make(n_samples=20, random_state=3)
    X3, _ = make(n_samples=20, random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(make(n_samples=20, random_state=rng)[0], X1)


@pytest.mark.parametrize(
    "make, params, message",
    [
        (make_nonlinear_steps, {"n_samples": 1}, "n_samples == 1, must be >= 2"),
        (make_nonlinear_steps, {"n_timesteps": 3}, "n_timesteps == 3, must be >= 4"),
        (make_nonlinear_steps, {"n_channels": 1}, "n_channels == 1, must be >= 2"),
        (make_mean_level, {"noise": -1.0}, "noise == -1.0, must be >= 0.0"),
        (make_event_timing, {"n_timesteps": 40}, "margin \\+ event_length must fit"),
        (make_event_timing, {"margin": 10, "event_length": 30}, "10 \\+ 30 = 40"),
    ],
)
def test_invalid_parameters_say_what_is_wrong(make, params, message):
    with pytest.raises(ValueError, match=message):
        make(**params)


@pytest.mark.parametrize(
    "make, name",
    [
        (make_mean_level, "noise"),
        (make_event_timing, "noise"),
        (make_event_timing, "amplitude"),
    ],
)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_noise_and_amplitude_must_be_finite(make, name, value):
    if value == float("-inf") and name == "noise":
        message = "noise == -inf, must be >= 0.0"  # sklearn's own bound check comes first
    else:
        message = f"{name} must be a finite number.*got {value!r}"
    with pytest.raises(ValueError, match=message):
        make(n_samples=4, **{name: value})


# ---------------------------------------------------------------- nonlinear_steps


@pytest.mark.parametrize("n_timesteps, n_channels", [(64, 2), (9, 3), (4, 2)])
def test_nonlinear_steps_label_is_the_step_count_and_means_vanish(n_timesteps, n_channels):
    X, y = make_nonlinear_steps(60, n_timesteps, n_channels=n_channels, random_state=0)
    assert X.shape == (60, n_channels, n_timesteps)
    count = (X[:, 0] * X[:, 1] > 0).sum(axis=1)
    np.testing.assert_array_equal(y, (count > n_timesteps / 2).astype(int))
    # A wide margin around the threshold: the classes differ clearly per sample.
    assert (count[y == 1] >= 0.6 * n_timesteps).all() and (count[y == 0] <= 0.4 * n_timesteps).all()
    np.testing.assert_allclose(X.mean(axis=2), 0.0, atol=1e-6)


def test_nonlinear_steps_documented_counts_hold_for_every_length():
    for n_timesteps in range(1, 4):
        with pytest.raises(ValueError, match="must be >= 4"):
            make_nonlinear_steps(10, n_timesteps)
    for n_timesteps in range(4, 65):
        X, y = make_nonlinear_steps(400, n_timesteps, random_state=0)
        count = (X[:, 0] * X[:, 1] > 0).sum(axis=1)
        paired = 2 * (n_timesteps // 2)
        assert count[y == 0].max() <= 0.35 * n_timesteps
        assert count[y == 1].min() >= 0.65 * paired
        assert count[y == 1].min() >= 0.65 * (n_timesteps - 1)
        assert count[y == 1].min() > n_timesteps / 2
    # The example in the docstring: 4 of 7 steps, below 65 % of all steps.
    X, y = make_nonlinear_steps(400, 7, random_state=0)
    assert (X[:, 0] * X[:, 1] > 0).sum(axis=1)[y == 1].min() == 4


def test_nonlinear_steps_feature_is_invisible_to_channel_means():
    X, y = make_nonlinear_steps(400, random_state=0)
    count = (X[:, 0] * X[:, 1] > 0).sum(axis=1, keepdims=True)
    assert cv_accuracy(count, y) == 1.0
    assert abs(cv_accuracy(X.mean(axis=2), y) - 0.5) < 0.1
    assert abs(cv_accuracy(X.max(axis=2), y) - 0.5) < 0.1


def test_nonlinear_steps_pool_first_avg_head_sees_one_input_for_all_samples():
    X, _ = make_nonlinear_steps(50, random_state=1)
    pool_first = head_outputs(X, encoder=None, order="pool_first", pool="avg")
    np.testing.assert_allclose(
        pool_first, np.broadcast_to(pool_first[:1], pool_first.shape), atol=1e-5
    )
    decode_first = head_outputs(X, encoder=None, order="decode_first", pool="avg")
    assert decode_first.std(axis=0).max() > 1e-3  # the other order does tell samples apart


def test_nonlinear_steps_max_pooling_sees_only_magnitudes():
    # Every step comes with its negation, so max over time is max |x|: no sign information.
    X, _ = make_nonlinear_steps(50, random_state=1)
    np.testing.assert_array_equal(X.max(axis=2), np.abs(X).max(axis=2))


# ---------------------------------------------------------------- mean_level


def test_mean_level_is_linear_in_channel_means():
    X, y = make_mean_level(400, random_state=0)
    means = X.mean(axis=2)
    bayes = 1 - np.arctan(1.0 / np.sqrt(64)) / np.pi  # 0.96
    assert cv_accuracy(means, y) > bayes - 0.05
    # The rule is "channel 0 above channel 1": the fitted weights have opposite signs.
    coef = LogisticRegression().fit(means, y).coef_[0]
    assert coef[0] > 0 > coef[1]
    # Per-step non-linear features add nothing beyond the means (sufficient statistic).
    extra = np.c_[means, (X[:, 0] * X[:, 1] > 0).mean(axis=1), X.std(axis=2)]
    assert cv_accuracy(extra, y) < cv_accuracy(means, y) + 0.03


def test_mean_level_orders_coincide_without_activation():
    X, _ = make_mean_level(30, random_state=0)
    common = {"encoder": None, "pool": "avg", "activation": None}
    np.testing.assert_allclose(
        head_outputs(X, order="pool_first", **common),
        head_outputs(X, order="decode_first", **common),
        atol=1e-5,
    )


def test_mean_level_noise_zero_makes_flat_series():
    X, y = make_mean_level(10, 5, n_channels=3, noise=0.0, random_state=0)
    np.testing.assert_array_equal(X, np.repeat(X[:, :, :1], 5, axis=2))
    np.testing.assert_array_equal(y, (X[:, 0, 0] - X[:, 1, 0] + X[:, 2, 0] > 0).astype(int))


# ---------------------------------------------------------------- event_timing


def test_event_timing_early_and_late_share_one_multiset_of_steps():
    X, y = make_event_timing(40, noise=0.0, random_state=0)
    # Without noise every series is a permutation of every other one ...
    np.testing.assert_array_equal(
        np.sort(X, axis=2), np.broadcast_to(np.sort(X[:1], axis=2), X.shape)
    )
    # ... and the event lies in the first half for class 0, in the second for class 1.
    halves = X.reshape(40, 1, 2, 32).sum(axis=3)[:, 0]
    np.testing.assert_array_equal(halves[y == 0, 1], 0.0)
    np.testing.assert_array_equal(halves[y == 1, 0], 0.0)


def test_event_timing_global_statistics_are_at_chance_windows_are_not():
    X, y = make_event_timing(400, random_state=0)
    x = X[:, 0]
    global_stats = np.c_[x.mean(1), x.std(1), x.max(1), x.min(1), (x**2).mean(1)]
    assert abs(cv_accuracy(global_stats, y) - 0.5) < 0.1
    assert cv_accuracy(X.reshape(400, 1, 2, 32).mean(axis=3)[:, 0], y) > 0.95


@pytest.mark.parametrize("encoder", [None, "conv"])
@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_event_timing_global_pooling_heads_cannot_see_timing(encoder, order):
    X, y = make_event_timing(12, noise=0.0, random_state=0)
    params = {"encoder": encoder, "order": order, "encoder_channels": 8}
    outputs = head_outputs(X, window=None, **params)
    np.testing.assert_allclose(outputs, np.broadcast_to(outputs[:1], outputs.shape), atol=1e-4)
    windowed = head_outputs(X, window=32, **params)
    assert np.abs(windowed[y == 0].mean(axis=0) - windowed[y == 1].mean(axis=0)).max() > 1e-3


def test_event_timing_margin_is_what_keeps_a_conv_encoder_blind():
    # With the event touching the series edge the conv padding reveals the timing: the
    # margin is doing real work in the test above.
    X, _ = make_event_timing(12, noise=0.0, margin=0, random_state=0)
    outputs = head_outputs(X, encoder="conv", order="pool_first", encoder_channels=8)
    assert outputs.std(axis=0).max() > 1e-4
