"""Persistence: pickle, joblib, skorch's save_params / load_params, and CUDA-trained models on CPU.

No GPU is needed: a model "trained on CUDA" is simulated the way such a file looks
on disk -- every tensor storage tagged ``cuda:0`` by ``torch.save`` and the net's
``device`` set to ``"cuda"`` -- so loading it exercises the same code path as a file
written on a GPU machine (skorch's own tests use files written on one). Where CUDA
is available, the real round trip runs too.
"""

import io
import json
import pickle
import warnings
import zipfile
from contextlib import contextmanager
from unittest.mock import patch

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.exceptions import DeviceWarning

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

TINY = {"encoder_channels": 4, "hidden_size": 6, "max_epochs": 3, "batch_size": 16, "lr": 0.02}
NO_CUDA = not torch.cuda.is_available()


def _data(n=32, c=2, t=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = np.where(X[:, 0].mean(axis=1) > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    return SeqPoolClassifier(window=4, random_state=0, **TINY).fit(X, y), X, y


@contextmanager
def _storages_saved_as_cuda(tensors):
    """Make torch record the storages of ``tensors`` as living on ``cuda:0``.

    Every other storage keeps its real location, so a file written under this
    context looks like one written on a GPU machine for exactly these tensors.
    """
    on_cuda = {t.untyped_storage().data_ptr() for t in tensors}
    real_tag = torch.serialization.location_tag

    def tag(storage):
        return "cuda:0" if storage.data_ptr() in on_cuda else real_tag(storage)

    with patch.object(torch.serialization, "location_tag", tag):
        yield


def _as_if_trained_on_cuda(est):
    """The fitted estimator's state as a CUDA fit leaves it, and the tensors that fit keeps
    on the GPU: the module's parameters and buffers and the optimizer's state."""
    est.device = "cuda"
    est.net_.device = "cuda"
    tensors = [v for v in est.net_.module_.state_dict().values() if torch.is_tensor(v)]
    for state in est.net_.optimizer_.state.values():
        tensors += [v for v in state.values() if torch.is_tensor(v)]
    return est, tensors


# ---------------------------------------------------------------------- pickle / joblib
@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_round_trip_gives_identical_probabilities(fitted, tmp_path, how):
    clf, X, _ = fitted
    if how == "pickle":
        again = pickle.loads(pickle.dumps(clf))
    else:
        joblib.dump(clf, tmp_path / "clf.joblib")
        again = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    # The public aliases still point into the loaded net rather than at copies.
    assert again.module_ is again.net_.module_
    assert again.history_ is again.net_.history
    assert again.n_frames_ == clf.n_frames_ and list(again.classes_) == list(clf.classes_)


@pytest.mark.parametrize("portable", [False, True])
def test_a_model_saved_before_label_smoothing_loads_as_trained(fitted, portable):
    """A state without ``label_smoothing`` (saved by an earlier version) gets 0.0, the
    plain cross-entropy it was trained with: get_params, clone and warm starts work."""
    from sklearn.base import clone

    est, X, y = fitted
    state = est.__getstate__() if portable else est._pickle_state()
    state = {k: v for k, v in state.items() if k != "label_smoothing"}
    old = SeqPoolClassifier.__new__(SeqPoolClassifier)
    old.__setstate__(state)
    assert old.get_params()["label_smoothing"] == 0.0
    assert clone(old).get_params()["label_smoothing"] == 0.0
    np.testing.assert_array_equal(old.predict_proba(X), est.predict_proba(X))
    if portable:  # the network is rebuilt from the hyperparameters: a warm start trains on
        old.set_params(warm_start=True, max_epochs=1).fit(X, y)
        assert old.net_.criterion_.label_smoothing == 0.0
    # a state that has it keeps its own value
    again = pickle.loads(pickle.dumps(est))
    assert again.get_params()["label_smoothing"] == est.label_smoothing == 0.05


def test_regressor_joblib_round_trip(tmp_path):
    X, _ = _data()
    y = np.c_[X.mean(axis=(1, 2)), X.std(axis=(1, 2))] * 50 + 10  # raw units, 2 outputs
    reg = SeqPoolRegressor(random_state=0, **TINY).fit(X, y)
    joblib.dump(reg, tmp_path / "reg.joblib")
    again = joblib.load(tmp_path / "reg.joblib")
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_pickle_stores_the_weights_once(fitted):
    clf, _, _ = fitted
    state = clf.__reduce_ex__(pickle.DEFAULT_PROTOCOL)[2]
    assert "module_" not in state and "history_" not in state and "net_" in state
    assert "module_" in clf.__dict__  # pickling does not touch the live estimator


def test_loaded_estimator_keeps_training_with_warm_start(fitted):
    clf, X, y = fitted
    again = pickle.loads(pickle.dumps(clf)).set_params(warm_start=True, max_epochs=1)
    module = again.module_
    again.fit(X, y)
    assert again.module_ is module and len(again.history_) == len(clf.history_) + 1


# ---------------------------------------------------------------------- CUDA -> CPU
@pytest.mark.skipif(not NO_CUDA, reason="the simulation needs a machine without CUDA")
def test_simulated_cuda_storages_really_need_cuda():
    # Guard for the simulation below: what it writes cannot be read on this
    # machine without a map_location, exactly like a file from a GPU machine.
    buf = io.BytesIO()
    ones = torch.ones(2)
    with _storages_saved_as_cuda([ones]):
        torch.save(ones, buf)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(buf)


@pytest.mark.skipif(not NO_CUDA, reason="the simulation needs a machine without CUDA")
def test_pickle_of_a_cuda_trained_estimator_loads_on_cpu():
    X, y = _data()
    clf = SeqPoolClassifier(window=4, random_state=0, **TINY).fit(X, y)
    expected = clf.predict_proba(X)
    clf, on_gpu = _as_if_trained_on_cuda(clf)
    with _storages_saved_as_cuda(on_gpu):
        blob = pickle.dumps(clf)
    with pytest.warns(DeviceWarning) as record:
        loaded = pickle.loads(blob)
    assert any("no CUDA devices" in str(w.message) for w in record)
    assert torch.device(loaded.net_.device).type == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.module_.parameters())
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    # Training again on this machine needs an explicit device, with a clear message.
    with pytest.raises(ValueError, match=r"device='cuda' was requested, but CUDA is not"):
        loaded.fit(X, y)
    assert loaded.set_params(device="cpu").fit(X, y).net_.device == "cpu"


@pytest.mark.skipif(not NO_CUDA, reason="the simulation needs a machine without CUDA")
def test_save_params_of_a_cuda_trained_estimator_load_on_cpu(tmp_path):
    X, y = _data()
    clf = SeqPoolClassifier(random_state=0, **TINY).fit(X, y)
    expected = clf.predict_proba(X)
    clf, on_gpu = _as_if_trained_on_cuda(clf)
    with _storages_saved_as_cuda(on_gpu):
        clf.save_params(f_params=tmp_path / "w.pt", f_optimizer=tmp_path / "opt.pt")
    with pytest.raises(RuntimeError, match="CUDA"):  # the file really is CUDA-tagged
        torch.load(tmp_path / "w.pt")
    new = SeqPoolClassifier(random_state=1, **TINY).initialize(X, y)
    new.load_params(f_params=tmp_path / "w.pt", f_optimizer=tmp_path / "opt.pt")
    np.testing.assert_array_equal(new.predict_proba(X), expected)


@pytest.mark.skipif(NO_CUDA, reason="needs a CUDA device")
def test_real_cuda_fit_predict_pickle_and_load_on_cpu():  # pragma: no cover - GPU only
    X, y = _data()
    clf = SeqPoolClassifier(device="cuda", random_state=0, **TINY).fit(X, y)
    assert next(clf.module_.parameters()).is_cuda
    expected = clf.predict_proba(X)
    blob = pickle.dumps(clf)
    np.testing.assert_array_equal(pickle.loads(blob).predict_proba(X), expected)
    with patch("torch.cuda.is_available", lambda *_: False):
        with pytest.warns(DeviceWarning):
            on_cpu = pickle.loads(blob)
        assert on_cpu.net_.device == "cpu"
        np.testing.assert_allclose(on_cpu.predict_proba(X), expected, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------- devices
def test_device_errors_say_what_exists():
    X, y = _data()
    with pytest.raises(ValueError, match=r"device must be 'cpu', 'cuda', 'cuda:N' or 'auto'"):
        SeqPoolClassifier(device="gpu", **TINY).fit(X, y)
    if NO_CUDA:
        with pytest.raises(ValueError, match=r"CUDA is not available.*device='auto'"):
            SeqPoolClassifier(device="cuda:0", **TINY).fit(X, y)
    auto = SeqPoolClassifier(device="auto", random_state=0, **TINY).fit(X, y)
    assert auto.net_.device == ("cpu" if NO_CUDA else "cuda")


# ---------------------------------------------------------------------- save_params
def test_save_params_initialize_load_params_round_trip(fitted, tmp_path):
    clf, X, y = fitted
    files = {
        "f_params": tmp_path / "params.pt",
        "f_optimizer": tmp_path / "optimizer.pt",
        "f_history": tmp_path / "history.json",
    }
    clf.save_params(**files)
    # Same configuration, another seed: the loaded state, not the seed, decides.
    new = SeqPoolClassifier(**{**clf.get_params(), "random_state": 7}).initialize(X, y)
    assert new.n_iter_ == 0 and len(new.history_) == 0
    assert not np.array_equal(new.predict_proba(X), clf.predict_proba(X))
    new.load_params(**files)
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))
    assert len(new.history_) == len(clf.history_) and new.history_ is new.net_.history
    assert new.module_ is new.net_.module_


def test_save_params_round_trip_for_a_regressor_in_target_units(tmp_path):
    X, _ = _data()
    y = X[:, 0].mean(axis=1) * 100.0 + 5.0
    reg = SeqPoolRegressor(random_state=0, **TINY).fit(X, y)
    reg.save_params(f_params=tmp_path / "w.pt")
    new = SeqPoolRegressor(random_state=1, **TINY).initialize(X, y)
    new.load_params(f_params=tmp_path / "w.pt")
    np.testing.assert_array_equal(new.predict(X), reg.predict(X))


def test_initialize_builds_an_untrained_seeded_net(fitted):
    _, X, y = fitted
    a = SeqPoolClassifier(random_state=0, **TINY).initialize(X, y)
    b = SeqPoolClassifier(random_state=0, **TINY).initialize(X, y)
    assert a.n_iter_ == 0 and a.n_channels_in_ == 2 and list(a.classes_) == ["down", "up"]
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not hasattr(a, "_initialize_only")  # the flag never outlives the call
    # fit after initialize trains from scratch, exactly like a fresh fit.
    fresh = SeqPoolClassifier(random_state=0, **TINY).fit(X, y)
    np.testing.assert_array_equal(a.fit(X, y).predict_proba(X), fresh.predict_proba(X))


def test_load_params_into_a_different_shape_fails_and_unfitted_is_refused(fitted, tmp_path):
    clf, X, y = fitted
    clf.save_params(f_params=tmp_path / "w.pt")
    with pytest.raises(NotFittedError, match="not fitted"):
        SeqPoolClassifier(**TINY).load_params(f_params=tmp_path / "w.pt")
    other = SeqPoolClassifier(**{**clf.get_params(), "hidden_size": 3}).initialize(X, y)
    with pytest.raises(ValueError, match=r"head\.decoder\.weight.*initialize\(X, y\)"):
        other.load_params(f_params=tmp_path / "w.pt")


def test_load_params_refuses_an_encoder_built_for_another_length(tmp_path):
    # minirocket's dilations follow the training length and are no weights: a network
    # initialised on longer series has layers of the same shapes, and once loaded the
    # saved weights silently into it
    rng = np.random.default_rng(0)
    x20 = rng.normal(size=(30, 1, 20)).astype("float32")
    x40 = rng.normal(size=(30, 1, 40)).astype("float32")
    y = np.arange(30) % 2
    kw = {"encoder_channels": 168, "hidden_size": 4, "max_epochs": 2, "random_state": 0}
    saved = SeqPoolClassifier(**kw).fit(x20, y)
    path = tmp_path / "params.pt"
    saved.save_params(f_params=path)
    with pytest.raises(
        ValueError, match=r"dilations \[1, 2, -1\], but this one's are \[1, 4, -1\]"
    ):
        SeqPoolClassifier(**kw).initialize(x40, y).load_params(f_params=path)
    same = SeqPoolClassifier(**kw).initialize(x20, y)
    same.load_params(f_params=path)
    np.testing.assert_array_equal(same.predict_proba(x20), saved.predict_proba(x20))
    # weights saved before the state recorded the dilations still load
    state = torch.load(path, weights_only=True)
    state.pop("built_dilations")
    torch.save(state, path)
    old = SeqPoolClassifier(**kw).initialize(x20, y)
    old.load_params(f_params=path)
    np.testing.assert_array_equal(old.predict_proba(x20), saved.predict_proba(x20))
    # a warm fit on longer series keeps the network, and says so
    warm = SeqPoolClassifier(warm_start=True, **kw).fit(x20, y).fit(x40, y)
    assert warm.n_timesteps_in_ == 20


def test_no_device_warning_for_cpu_models(fitted):
    clf, X, _ = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviceWarning)
        pickle.loads(pickle.dumps(clf)).predict_proba(X)


SKOPS_TRUSTED = ["seqpool_sklearn._estimators.SeqPoolClassifier"]


def _assert_plain_skops_file(path):
    """Every member is the JSON schema or a numpy array readable without pickle."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name == "schema.json":
                json.loads(data)
                continue
            assert data[:6] == b"\x93NUMPY", f"{name} is neither JSON nor a .npy array"
            np.load(io.BytesIO(data), allow_pickle=False)


def test_skops_round_trip_with_a_minimal_trust_list_runs_no_code(fitted, tmp_path):
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    clf, X, _ = fitted
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    assert sio.get_untrusted_types(file=path) == SKOPS_TRUSTED
    loaded = sio.load(path, trusted=SKOPS_TRUSTED)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.get_params() == clf.get_params()
    assert not loaded.module_.training and loaded.net_.device == "cpu"
    assert loaded.history_[:, "train_loss"] == clf.history_[:, "train_loss"]
    # the trust list is the whole story: no pickle anywhere in the file
    _assert_plain_skops_file(path)
    with pytest.raises(UntrustedTypesFoundException, match="[Uu]ntrusted"):
        sio.load(path, trusted=[])


def test_skops_default_encoder_class_weights_and_string_labels(tmp_path):
    sio = pytest.importorskip("skops.io")
    X, y = _data(n=40)
    clf = SeqPoolClassifier(
        encoder_channels=168,
        class_weight={"up": 3.0, "down": 1.0},
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    sio.dump(clf, tmp_path / "m.skops")
    loaded = sio.load(tmp_path / "m.skops", trusted=SKOPS_TRUSTED)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.class_weight_, clf.class_weight_)
    for name, value in clf.module_.state_dict().items():  # encoder biases and scales too
        torch.testing.assert_close(loaded.module_.state_dict()[name], value, rtol=0, atol=0)


def test_skops_regressor_with_early_stopping_and_two_outputs(tmp_path):
    sio = pytest.importorskip("skops.io")
    X, _ = _data(n=40)
    Y = np.stack([X[:, 0].mean(axis=1), X[:, 1].max(axis=1)], axis=1) * 10 + 3
    reg = SeqPoolRegressor(encoder="conv", patience=3, random_state=0, **TINY).fit(X, Y)
    sio.dump(reg, tmp_path / "r.skops")
    trusted = ["seqpool_sklearn._estimators.SeqPoolRegressor"]
    assert sio.get_untrusted_types(file=tmp_path / "r.skops") == trusted
    loaded = sio.load(tmp_path / "r.skops", trusted=trusted)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.history_[:, "valid_loss"] == reg.history_[:, "valid_loss"]


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_skops_loaded_model_keeps_training_exactly_like_the_original(fitted, tmp_path, how):
    # the optimizer's moments, the shuffling generator and the dropout stream are restored
    sio = pytest.importorskip("skops.io")
    clf, X, y = fitted
    sio.dump(clf, tmp_path / "m.skops")
    loaded = sio.load(tmp_path / "m.skops", trusted=SKOPS_TRUSTED)
    original = pickle.loads(pickle.dumps(clf))
    for est in (loaded, original):
        if how == "warm_start":
            est.set_params(warm_start=True, max_epochs=2).fit(X, y)
        else:
            est.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))
    assert not np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_skops_unfitted_estimator_round_trip(tmp_path):
    sio = pytest.importorskip("skops.io")
    est = SeqPoolClassifier(order="decode_first", pool="max", window=3, **TINY)
    sio.dump(est, tmp_path / "u.skops")
    loaded = sio.load(tmp_path / "u.skops", trusted=SKOPS_TRUSTED)
    assert loaded.get_params() == est.get_params() and not hasattr(loaded, "net_")


class _MyAdam(torch.optim.Adam):
    pass


def test_skops_lists_a_custom_optimizer_but_not_torch_optim_classes(tmp_path):
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    X, y = _data()
    sgd = SeqPoolClassifier(encoder=None, optimizer=torch.optim.SGD, **TINY).fit(X, y)
    sio.dump(sgd, tmp_path / "sgd.skops")
    assert sio.get_untrusted_types(file=tmp_path / "sgd.skops") == SKOPS_TRUSTED
    assert sio.load(tmp_path / "sgd.skops", trusted=SKOPS_TRUSTED).optimizer is torch.optim.SGD
    mine = SeqPoolClassifier(encoder=None, optimizer=_MyAdam, **TINY).fit(X, y)
    sio.dump(mine, tmp_path / "mine.skops")
    untrusted = sio.get_untrusted_types(file=tmp_path / "mine.skops")
    assert untrusted == sorted([*SKOPS_TRUSTED, f"{__name__}._MyAdam"])
    with pytest.raises(UntrustedTypesFoundException, match="[Uu]ntrusted"):
        sio.load(tmp_path / "mine.skops", trusted=SKOPS_TRUSTED)
    loaded = sio.load(tmp_path / "mine.skops", trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), mine.predict_proba(X))


def test_portable_state_keeps_routed_tensors(tmp_path):
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    weight = torch.tensor([1.0, 4.0])
    clf = SeqPoolClassifier(encoder=None, criterion__weight=weight, **TINY).fit(X, y)
    sio.dump(clf, tmp_path / "w.skops")
    loaded = sio.load(tmp_path / "w.skops", trusted=SKOPS_TRUSTED)
    torch.testing.assert_close(loaded.get_params()["criterion__weight"], weight)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.skipif(not NO_CUDA, reason="the simulation needs a machine without CUDA")
def test_portable_state_of_a_cuda_trained_estimator_loads_on_cpu(fitted):
    clf, X, y = fitted
    state = clf.__getstate__()
    state["net_"]["device"] = "cuda:0"  # as a GPU fit writes it
    loaded = SeqPoolClassifier.__new__(SeqPoolClassifier)
    with pytest.warns(DeviceWarning, match="no CUDA devices"):
        loaded.__setstate__(state)
    assert loaded.net_.device == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_portable_state_is_plain_and_a_newer_format_is_refused(fitted):
    clf, X, _ = fitted
    state = clf.__getstate__()
    assert "module_" not in state and isinstance(state["net_"]["module"], dict)
    assert "_seqpool_portable_state" in state
    assert state["_seqpool_portable_state"] == 3  # the history by columns: format 3
    # a file of format 1 (flat labels only) still loads
    old = SeqPoolClassifier.__new__(SeqPoolClassifier)
    old.__setstate__({**state, "_seqpool_portable_state": 1})
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))
    state["_seqpool_portable_state"] = 99
    with pytest.raises(ValueError, match="format 99.*reads formats 1, 2, 3"):
        SeqPoolClassifier.__new__(SeqPoolClassifier).__setstate__(state)
    assert "module_" in clf.__dict__  # reading the state does not touch the live estimator


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_a_checkpoint_written_during_fit_holds_the_whole_network(tmp_path, order):
    # a frozen encoder trains a head-only view: skorch's Checkpoint used to save that view,
    # whose weights load_params could not read into the estimator's network
    from skorch.callbacks import Checkpoint

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 1, 24)).astype("float32"), np.arange(30) % 2
    kw = {"encoder_channels": 84, "order": order, "max_epochs": 2, "hidden_size": 8}
    kw["random_state"] = 0
    checkpoint = Checkpoint(
        monitor=None, f_params="cp.pt", f_optimizer=None, f_criterion=None,
        f_history=None, f_pickle="cp.pkl", dirname=str(tmp_path),
    )  # fmt: skip
    fitted = SeqPoolClassifier(callbacks=[checkpoint], **kw).fit(X, y)
    loaded = SeqPoolClassifier(**kw).initialize(X, y)
    loaded.load_params(f_params=str(tmp_path / "cp.pt"))  # the last epoch's weights
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    with open(tmp_path / "cp.pkl", "rb") as f:
        net = pickle.load(f)
    assert set(net.module_.state_dict()) == set(fitted.module_.state_dict())
    assert fitted.net_._full_module is None  # nothing kept after the fit


@pytest.mark.parametrize(
    "change",
    [
        {"order": "decode_first"},
        {"activation": "tanh"},
        {"pool": "max"},
        {"hidden_size": 3},
        {"window": None},
        {"encoder": "gru"},
        {"optimizer__weight_decay": 0.5},
    ],
)
def test_a_skops_file_of_a_model_changed_since_its_fit_predicts_as_the_model(change, tmp_path):
    # the network is rebuilt from the parameters it was built from, not from those
    # set_params left on the estimator since (which predict does not read either)
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    clf = SeqPoolClassifier(window=4, random_state=0, warm_start=True, **TINY).fit(X, y)
    clf.set_params(**change)
    expected = clf.predict_proba(X)
    sio.dump(clf, tmp_path / "m.skops")
    loaded = sio.load(tmp_path / "m.skops", trusted=SKOPS_TRUSTED)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert loaded.get_params() == clf.get_params()
    # and a continued fit treats the change as it does without the save
    original = pickle.loads(pickle.dumps(clf))
    if "optimizer__weight_decay" in change:  # applied to the optimizer
        for est in (loaded, original):
            est.fit(X, y)
        np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))
    else:
        key = next(iter(change))
        for est in (loaded, original):
            with pytest.raises(ValueError, match=rf"cannot take the parameters changed.*{key}"):
                est.fit(X, y)


def test_a_skops_loaded_model_continues_with_the_rate_its_scheduler_reached(tmp_path):
    from skorch.callbacks import LRScheduler

    sio = pytest.importorskip("skops.io")
    X, y = _data()
    step = ("step", LRScheduler("StepLR", step_size=1, gamma=0.5))
    clf = SeqPoolClassifier(
        encoder=None, lr_schedule="constant", callbacks=[step], random_state=0, **TINY
    ).fit(X, y)
    sio.dump(clf, tmp_path / "m.skops")
    loaded = sio.load(
        tmp_path / "m.skops", trusted=sio.get_untrusted_types(file=tmp_path / "m.skops")
    )
    original = pickle.loads(pickle.dumps(clf))
    for est in (loaded, original):
        est.set_params(warm_start=True).fit(X, y)
    lrs = [[e["event_lr"] for e in est.history_[-3:]] for est in (loaded, original)]
    assert lrs[0] == lrs[1] and lrs[0][0] < TINY["lr"] / 2**3, lrs
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))


@pytest.mark.parametrize("columns", [[f"t{i}" for i in range(8)], list(range(8))])
def test_a_pipeline_fitted_on_a_dataframe_shares_through_skops(tmp_path, columns):
    # the transformers kept fit's column labels as a pandas Index, which skops cannot
    # store: saving failed with pandas' "no default __reduce__" deep in skops
    import pandas as pd
    from sklearn.pipeline import make_pipeline

    from seqpool_sklearn import PadTruncate, Resampler, SeriesScaler, WideToSequences

    sio = pytest.importorskip("skops.io")
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(20, 8)), columns=columns)
    y = np.repeat([0, 1], 10)
    pipe = make_pipeline(
        WideToSequences(), SeriesScaler(), PadTruncate(length=6), Resampler(length=6),
        SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0),
    ).fit(df, y)  # fmt: skip
    sio.dump(pipe, tmp_path / "pipe.skops")
    _assert_plain_skops_file(tmp_path / "pipe.skops")
    trusted = sio.get_untrusted_types(file=tmp_path / "pipe.skops")
    assert all(name.startswith(("seqpool_sklearn.", "sklearn.")) for name in trusted)
    loaded = sio.load(tmp_path / "pipe.skops", trusted=trusted)
    np.testing.assert_array_equal(loaded.predict_proba(df), pipe.predict_proba(df))
    # the loaded transformers still refuse fit's columns in another order
    with pytest.raises(ValueError, match="feature names should match|columns of X differ"):
        loaded[0].transform(df[df.columns[::-1]])
    # pickle keeps the labels as they are
    again = pickle.loads(pickle.dumps(pipe[0]))
    assert isinstance(again._columns, pd.Index) and again._columns.equals(pipe[0]._columns)


@pytest.mark.parametrize(
    "make_columns",
    [
        lambda pd: pd.MultiIndex.from_product([["hr", "temp"], [0, 1, 2]]),
        lambda pd: pd.MultiIndex.from_product(
            [["hr", "temp"], pd.date_range("2020", periods=3, tz="Europe/Paris")],
            names=["ch", "t"],
        ),
        lambda pd: pd.MultiIndex.from_product(
            [["hr", "temp"], pd.period_range("2020-01", periods=3, freq="M")]
        ),
        lambda pd: pd.date_range("2020", periods=6, tz="Europe/Paris"),
        lambda pd: pd.period_range("2020-01", periods=6, freq="M"),
    ],
)
def test_skops_keeps_the_column_order_check_of_any_plain_labels(tmp_path, make_columns):
    # a (channel, time) MultiIndex, dates with a time zone and periods were left out of
    # the file without a word, and the loaded transformer read reordered columns by
    # position: channels swapped and time reversed
    import pandas as pd

    from seqpool_sklearn import SeriesScaler, WideToSequences

    sio = pytest.importorskip("skops.io")
    columns = make_columns(pd)
    frame = pd.DataFrame([np.arange(6.0), np.arange(6.0) ** 2], columns=columns)
    est = WideToSequences() if isinstance(columns, pd.MultiIndex) else SeriesScaler()
    est.fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left out: no warning
        sio.dump(est, tmp_path / "t.skops")
    trusted = sio.get_untrusted_types(file=tmp_path / "t.skops")
    assert all(name.startswith("seqpool_sklearn.") for name in trusted)
    loaded = sio.load(tmp_path / "t.skops", trusted=trusted)
    np.testing.assert_array_equal(loaded.transform(frame), est.transform(frame))
    for attr in ("times_", "channels_"):
        if hasattr(est, attr):
            np.testing.assert_array_equal(getattr(loaded, attr), getattr(est, attr))
    with pytest.raises(ValueError, match="The columns of X differ from those seen in fit"):
        loaded.transform(frame[frame.columns[::-1]])


def test_labels_that_cannot_be_stored_are_left_out_with_a_warning(tmp_path):
    import pandas as pd

    from seqpool_sklearn import SeriesScaler

    sio = pytest.importorskip("skops.io")
    frame = pd.DataFrame(
        [np.arange(3.0)], columns=pd.Index([(1, 2), (3, 4), (5, 6)], tupleize_cols=False)
    )
    est = SeriesScaler().fit(frame)
    with pytest.warns(UserWarning, match="cannot be stored as plain values, so the loaded model "
                      "reads a DataFrame's columns by position"):  # fmt: skip
        sio.dump(est, tmp_path / "t.skops")


def test_labels_that_do_not_read_back_are_left_out_and_a_layout_that_cannot_is_refused(
    tmp_path,
):
    # a zone named by its file (dateutil's) was stored by name and the file then failed to
    # load; a WideToSequences layout of dates in two zones was written and failed to load
    import pandas as pd

    from seqpool_sklearn import SeriesScaler, WideToSequences

    sio = pytest.importorskip("skops.io")
    columns = pd.date_range("2020", periods=3, tz="dateutil/Europe/Paris")
    frame = pd.DataFrame([np.arange(3.0), np.arange(3.0) ** 2], columns=columns)
    est = SeriesScaler().fit(frame)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("default")
        sio.dump(est, tmp_path / "t.skops")
    # one warning, at this line (not inside skops)
    assert len(record) == 1 and record[0].filename == __file__
    assert "cannot be stored as plain values" in str(record[0].message)
    loaded = sio.load(
        tmp_path / "t.skops", trusted=sio.get_untrusted_types(file=tmp_path / "t.skops")
    )
    np.testing.assert_array_equal(loaded.transform(frame), est.transform(frame))
    times = pd.Index([pd.Timestamp("2020-01-01", tz="UTC"),
                      pd.Timestamp("2020-01-02", tz="Europe/Paris")], dtype=object)  # fmt: skip
    wide = pd.DataFrame([np.arange(4.0)], columns=pd.MultiIndex.from_product([["a", "b"], times]))
    fitted = WideToSequences().fit(wide)
    with pytest.raises(TypeError, match="time labels .* cannot be stored as plain values .* "
                       r"tz_convert\('UTC'\)\), or store it with pickle"):  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sio.dump(fitted, tmp_path / "w.skops")
    pickle.loads(pickle.dumps(fitted)).transform(wide)  # pickle keeps it


# ------------------------------------------------------------------- the history by columns
def _assert_same_records(got, want, where="history"):
    """``got`` equals ``want`` value by value, with the same types and the same key order."""
    assert type(got) is type(want), (where, type(got), type(want))
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for key in want:
            _assert_same_records(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_same_records(g, w, f"{where}[{i}]")
    elif isinstance(want, torch.Tensor):
        assert got.dtype == want.dtype and torch.equal(got, want), where
    elif isinstance(want, float) and want != want:
        assert got != got, where  # NaN
    else:
        assert got == want, where


def _as_format_2_loaded(history):
    """The history as format 2 loaded it: numpy scalars as Python numbers, the rest as is."""
    from seqpool_sklearn._sharing import from_plain, to_plain

    return from_plain(to_plain([dict(epoch) for epoch in history]))


def test_history_by_columns_gives_back_the_same_records():
    from seqpool_sklearn._sharing import from_plain, history_from_plain, history_to_plain, to_plain

    history = [
        {
            "epoch": 1,
            "batches": [
                {"train_loss": 0.5, "train_batch_size": 16},
                {"train_batch_size": 4, "train_loss": float("nan")},  # keys in another order
                {"valid_loss": float("inf"), "valid_batch_size": 8},
            ],
            "train_loss": 0.25,
            "train_loss_best": True,
            "note": None,
            "event": "x",
        },
        {
            "epoch": 2,
            "batches": [],
            "train_loss": np.float32(0.125),  # a numpy scalar, stored as a Python float
            "train_loss_best": False,
            "note": 3.5,
            "event": ("a", 1),
            "big": 2**70,  # beyond int64: kept as it is
            "tensor": torch.arange(3),
        },
    ]
    plain = history_to_plain(history)
    # the per-batch values are arrays, not one stored object per value
    batches = plain["epochs"]["columns"]["batches"][2]["columns"]
    assert isinstance(batches["train_loss"][1], np.ndarray)
    assert batches["train_loss"][1].dtype == np.float64
    assert batches["train_batch_size"][1].dtype == np.int64
    # what format 2 read back from its list of epochs, types included
    _assert_same_records(history_from_plain(plain), from_plain(to_plain(history)))
    # a history that is not a list of records is kept as a list
    assert history_to_plain([{1: 2.0}]) == [{1: 2.0}]
    assert history_from_plain([{1: 2.0}]) == [{1: 2.0}]


def test_skops_file_stores_the_per_batch_history_compactly(tmp_path):
    sio = pytest.importorskip("skops.io")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 1, 12)).astype(np.float32)
    y = np.arange(160) % 2
    kw = {"encoder": None, "max_epochs": 20, "batch_size": 8, "random_state": 0}
    clf = SeqPoolClassifier(**kw).fit(X, y)
    assert sum(len(epoch["batches"]) for epoch in clf.history_) == 400
    path = tmp_path / "h.skops"
    sio.dump(clf, path)
    with zipfile.ZipFile(path) as zf:
        schema = json.loads(zf.read("schema.json"))
    history = schema["content"]["content"]["net_"]["content"]["history"]
    # a list of dicts took about 300 bytes of JSON per value: 250 kB for these 800 values
    assert len(json.dumps(history)) < 20_000
    loaded = sio.load(path, trusted=SKOPS_TRUSTED)
    _assert_same_records(list(loaded.history_), _as_format_2_loaded(clf.history_))
    assert list(loaded.history_) == list(clf.history_)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # a continued fit records its epochs after the loaded ones
    loaded.set_params(warm_start=True, max_epochs=1).fit(X, y)
    assert [e["epoch"] for e in loaded.history_] == list(range(1, 22))


def test_a_skops_file_of_format_2_loads_its_history(fitted, tmp_path, monkeypatch):
    sio = pytest.importorskip("skops.io")
    from seqpool_sklearn import _sharing

    clf, X, _ = fitted
    path = tmp_path / "format2.skops"
    with monkeypatch.context() as m:  # written as format 2 did: the history as epochs
        m.setattr(_sharing, "PORTABLE_VERSION", 2)
        m.setattr(_sharing, "history_to_plain", lambda h: _sharing.to_plain(list(map(dict, h))))
        assert isinstance(clf.__getstate__()["net_"]["history"], list)
        sio.dump(clf, path)
    loaded = sio.load(path, trusted=SKOPS_TRUSTED)
    _assert_same_records(list(loaded.history_), _as_format_2_loaded(clf.history_))
    assert list(loaded.history_) == list(clf.history_)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
