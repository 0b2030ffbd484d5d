"""The ridge readout's checks before it solves: its memory, and features that overflowed."""

import warnings

import numpy as np
import pytest

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.estimators import ridge

GIB = 2**30


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 40)).astype(np.float32)
    return X, (X[:, 0, :20].mean(1) > 0).astype(int)


def test_the_estimate_follows_the_solver_form():
    # fewer series than features: the n x n matrices; more: the d x d ones
    assert ridge.ridge_bytes(100, 1000) == 100 * 1000 * 20 + 4 * 100 * 100 * 8
    assert ridge.ridge_bytes(1000, 100) == 1000 * 100 * 28 + 3 * 100 * 100 * 8
    assert ridge.ridge_bytes(10, 10, packed_itemsize=8) == 10 * 10 * 24 + 4 * 10 * 10 * 8


def test_a_readout_beyond_the_machines_memory_is_refused_before_the_set_up(monkeypatch):
    X, y = _data()
    calls = []
    monkeypatch.setattr(ridge, "_meminfo", lambda: {"MemTotal": 1000, "MemAvailable": 500})
    from seqpool_sklearn.nn.module import SeqPoolModule

    monkeypatch.setattr(SeqPoolModule, "fit_data", lambda *a, **k: calls.append(1))
    clf = SeqPoolClassifier(encoder_channels=336, readout="ridge")
    with pytest.raises(ValueError, match=r"30 series and 336 pooled features.*readout='trained'"):
        clf.fit(X, y)
    assert calls == []  # refused before the encoder's set-up pass
    assert not hasattr(clf, "net_")


def test_a_readout_beyond_the_available_memory_warns(monkeypatch):
    X, y = _data()
    need = ridge.ridge_bytes(30, 2 * 336 * 4)  # two pools, 4 frames of window=10
    monkeypatch.setattr(ridge, "_meminfo", lambda: {"MemTotal": 64 * GIB, "MemAvailable": need - 1})
    reg = SeqPoolRegressor(
        encoder_channels=336,
        pool=("ppv", "lspv"),
        encoder="multirocket",
        window=10,
        readout="ridge",
        random_state=0,
    )
    with pytest.warns(UserWarning, match=r"more than the .* GiB available now"):
        reg.fit(X, y.astype(float))
    assert hasattr(reg, "alpha_")  # the fit went on
    monkeypatch.setattr(ridge, "_meminfo", lambda: {"MemTotal": 64 * GIB, "MemAvailable": need})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no warning at exactly enough
        reg.fit(X, y.astype(float))


def test_without_meminfo_nothing_is_checked(monkeypatch):
    X, y = _data()
    monkeypatch.setattr(ridge, "_meminfo", lambda: None)
    SeqPoolClassifier(encoder_channels=336, readout="ridge", random_state=0).fit(X, y)


def test_meminfo_reads_linux_or_nothing():
    info = ridge._meminfo()
    assert info is None or (0 < info["MemAvailable"] <= info["MemTotal"])


def test_a_control_groups_limit_bounds_the_memory(monkeypatch):
    limits = {"/sys/fs/cgroup/memory.max": 2 * GIB, "/sys/fs/cgroup/memory.current": GIB // 2}
    monkeypatch.setattr(ridge, "_read_int", limits.get)
    info = ridge._meminfo()
    if info is None:
        pytest.skip("no /proc/meminfo here")
    assert info["MemTotal"] == 2 * GIB
    assert info["MemAvailable"] <= 2 * GIB - GIB // 2


def test_a_companion_too_large_is_refused_in_its_own_words(monkeypatch):
    X, y = _data()
    need = ridge.ridge_bytes(30, 336)  # the network's own readout fits, the companion's not
    monkeypatch.setattr(ridge, "_meminfo", lambda: {"MemTotal": need, "MemAvailable": need})
    clf = SeqPoolClassifier(encoder_channels=336, readout="ridge", companion="minirocket")
    with pytest.raises(ValueError, match=r"Fitting companion='minirocket' failed.*an estimator"):
        clf.fit(X, y)


def test_features_that_overflow_are_refused_in_words():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1, 30))
    reg = SeqPoolRegressor(
        encoder="multirocket",
        encoder_channels=336,
        pool=("ppv", "logmpv", "mipv", "lspv"),
        readout="ridge",
        dtype="float64",
    )
    with pytest.raises(ValueError, match=r"non-finite pooled features.*SeriesScaler"):
        reg.fit(X * 2.0**1019, X[:, 0].std(1))
    assert not hasattr(reg, "net_")
