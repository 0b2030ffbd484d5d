"""Export: ONNX and TorchScript files reproduce predict_proba / predict, padding included.

The exported graph is read back with the runtimes a deployment uses (onnxruntime,
``torch.jit.load``) and compared with the estimator on NaN-padded and unpadded series of
several lengths. The forward pass itself is export-safe: no branch on the data, so a
trace taken on unpadded series still masks the padding of other series.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from seqpool_sklearn import Encoder, Pool, SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn._modules import SameConv1d

# torch marks torch.jit deprecated; TorchScript files are what torch.jit.load reads
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")

ENCODERS = [None, "conv", "gru", "minirocket", "minirocket_alternating", "hydra"]
TOL = 1e-5


def _train(n_channels=2, length=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(36, n_channels, length)).astype(np.float32)
    X[::4, :, length - 5 :] = np.nan  # some training series are shorter
    y = np.array(["a", "b", "c"])[np.arange(36) % 3]
    X[y == "b", 0] += 1.0
    return X, y


def _series(n_channels=2, lengths=(9, 20, 33), seed=1):
    """Batches of several lengths: an unpadded row, padded rows (after and before the
    series) and a missing step."""
    rng = np.random.default_rng(seed)
    out = []
    for t in lengths:
        x = rng.normal(size=(5, n_channels, t)).astype(np.float32)
        x[1, :, t // 2 :] = np.nan
        x[2, :, t - 2 :] = np.nan
        x[3, :, 1] = np.nan  # a missing step inside the series
        x[4, :, :3] = np.nan  # padding in front (PadTruncate(padding="pre"))
        out.append(x)
    return out


def _runner(path, format):
    if format == "onnx":
        ort = pytest.importorskip("onnxruntime")
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return lambda x: session.run(None, {"X": x})[0]
    loaded = torch.jit.load(str(path))
    return lambda x: loaded(torch.from_numpy(x)).numpy()


def _small(encoder, **kw):
    width = 168 if encoder in ("minirocket", "minirocket_alternating") else 8
    return dict(encoder=encoder, encoder_channels=width, hidden_size=8, max_epochs=3,
                random_state=0, **kw)  # fmt: skip


def _max_error(run, reference, batches):
    err = 0.0
    for x in batches:
        ref, got = reference(x), run(x)
        assert got.shape == ref.shape
        assert np.isfinite(got).all()
        err = max(err, float(np.abs(got - ref).max()))
    return err


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
@pytest.mark.parametrize("encoder", ENCODERS)
def test_exported_classifier_gives_predict_proba(encoder, format, tmp_path):
    X, y = _train()
    clf = SeqPoolClassifier(**_small(encoder, pool="max" if encoder == "conv" else "avg"))
    clf.fit(X, y)
    path = tmp_path / f"model.{format}"
    clf.export(path, format=format)
    run = _runner(path, format)
    assert _max_error(run, clf.predict_proba, _series()) < TOL
    # the graph's probabilities give predict's labels
    x = _series()[1]
    np.testing.assert_array_equal(clf.classes_[run(x).argmax(axis=1)], clf.predict(x))


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
@pytest.mark.parametrize("encoder", ENCODERS)
def test_exported_regressor_gives_predict_in_target_units(encoder, format, tmp_path):
    X, _ = _train()
    y = 50.0 + 10.0 * np.nan_to_num(X[:, 0]).mean(axis=1)  # far from standardised units
    reg = SeqPoolRegressor(**_small(encoder, order="decode_first")).fit(X, y)
    path = tmp_path / f"model.{format}"
    reg.export(path, format=format)
    run = _runner(path, format)
    # relative to the targets' scale: the GRU's ONNX recurrence runs in float32
    assert _max_error(run, reg.predict, _series()) < TOL * np.abs(y).max()
    assert run(_series()[0]).shape == (5,)


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_exported_multi_output_regressor_keeps_its_columns(format, tmp_path):
    X, _ = _train()
    y = np.stack([np.nan_to_num(X[:, 0]).mean(axis=1), np.nan_to_num(X[:, 1]).max(axis=1)], 1)
    reg = SeqPoolRegressor(**_small("conv")).fit(X, y)
    reg.export(tmp_path / "m", format=format)
    run = _runner(tmp_path / "m", format)
    assert _max_error(run, reg.predict, _series()) < TOL
    assert run(_series()[0]).shape == (5, 2)


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_windowed_head_exports_for_the_fitted_length(format, tmp_path):
    X, y = _train()
    clf = SeqPoolClassifier(**_small("conv", window=6, order="decode_first")).fit(X, y)
    clf.export(tmp_path / "m", format=format)
    run = _runner(tmp_path / "m", format)
    assert _max_error(run, clf.predict_proba, _series(lengths=(20,))) < TOL


@pytest.mark.parametrize(("length", "window"), [(24, 6), (32, 8)])
@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("encoder", [None, "minirocket"])
def test_torchscript_file_of_a_window_multiple_takes_every_length_with_its_frames(
    encoder, order, length, window, tmp_path
):
    """A fit on a multiple of the window traced no padding of a partial last window:
    shorter series with the same number of frames failed inside the file."""
    X, y = _train(length=length)
    clf = SeqPoolClassifier(**_small(encoder, window=window, order=order)).fit(X, y)
    clf.export(tmp_path / "m.pt", format="torchscript")
    run = _runner(tmp_path / "m.pt", "torchscript")
    lengths = tuple(range(length - window + 1, length + 1))
    assert _max_error(run, clf.predict_proba, _series(lengths=lengths)) < TOL
    clf.export(tmp_path / "m.onnx", format="onnx")  # the ONNX file: the fitted length
    assert _max_error(_runner(tmp_path / "m.onnx", "onnx"), clf.predict_proba,
                      _series(lengths=(length,))) < TOL  # fmt: skip


def test_export_names_the_formats_and_needs_a_fitted_model(tmp_path):
    with pytest.raises(NotFittedError):
        SeqPoolClassifier().export(tmp_path / "m")
    X, y = _train()
    clf = SeqPoolClassifier(**_small(None)).fit(X, y)
    with pytest.raises(ValueError, match=r"format must be one of \('onnx', 'torchscript'\)"):
        clf.export(tmp_path / "m", format="tflite")
    assert not (tmp_path / "m").exists()


def test_onnx_export_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    import importlib.util

    X, y = _train()
    clf = SeqPoolClassifier(**_small(None)).fit(X, y)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a)
    )
    with pytest.raises(ImportError, match="pip install onnx"):
        clf.export(tmp_path / "m", format="onnx")
    clf.export(tmp_path / "m", format="torchscript")  # needs nothing more than torch


@pytest.mark.parametrize("encoder", ENCODERS)
def test_trace_on_unpadded_series_masks_padding(encoder):
    """The forward pass has no branch on the data: a trace taken on a batch without
    padding gives the module's own outputs on a padded batch (not NaN)."""
    X, y = _train()
    clf = SeqPoolClassifier(**_small(encoder)).fit(X, y)
    module = clf.module_
    module.requires_grad_(False)
    full = torch.from_numpy(np.nan_to_num(_series()[1]))
    padded = torch.from_numpy(_series()[1])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(module, (full,), check_trace=False)
        expected = module(padded).numpy()
        got = traced(padded).numpy()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_same_conv_scripts():
    conv = SameConv1d(2, 3, 4)
    scripted = torch.jit.script(conv)
    x = torch.randn(2, 2, 7)
    torch.testing.assert_close(scripted(x), conv(x))
    assert conv(x).shape == (2, 3, 7)


@pytest.mark.parametrize("patience", [None, 2])
def test_module_is_in_eval_mode_after_fit(patience):
    X, y = _train()
    clf = SeqPoolClassifier(**_small("conv", dropout=0.5, patience=patience)).fit(X, y)
    assert not any(m.training for m in clf.module_.modules())
    # a warm start trains again, then returns to eval
    before = [p.detach().clone() for p in clf.module_.parameters()]
    clf.set_params(warm_start=True).fit(X, y)
    assert not any(m.training for m in clf.module_.modules())
    assert any(not torch.equal(a, b) for a, b in zip(before, clf.module_.parameters(), strict=True))


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("pools", [("ppv", "lspv"), ("ppv", "logmpv", "mipv", "lspv")])
def test_combined_multirocket_pools_export(order, format, pools, tmp_path):
    """lspv's run lengths trace for any length, mipv's ranks export (a cumulative sum of
    numbers, not of a bool mask), a combined pool's features keep the maps' order on the
    direct path, and decode_first's frame standardisation is in the graph."""
    X, y = _train()
    clf = SeqPoolClassifier(**_small("minirocket", order=order, pool=pools))
    clf.fit(X, y)
    assert (clf.module_.head.frame_norm is not None) == (order == "decode_first")
    path = tmp_path / f"model.{format}"
    clf.export(path, format=format)
    assert _max_error(_runner(path, format), clf.predict_proba, _series()) < TOL


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_gelu_head_exports_a_graph_onnxruntime_runs(order, tmp_path):
    # onnxruntime has no float64 Erf: the file used to be written and fail to load
    X, y = _train()
    clf = SeqPoolClassifier(**_small("conv", activation="gelu", order=order)).fit(X, y)
    clf.export(tmp_path / "m.onnx")
    run = _runner(tmp_path / "m.onnx", "onnx")
    assert _max_error(run, clf.predict_proba, _series()) < TOL


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"padding": 2},
        {"padding": (1,), "stride": 2},
        {"padding": "same", "dilation": 3},
        {"padding": "same", "dilation": 2, "groups": 2},
        {"padding": "valid", "stride": 3, "dilation": 2},
    ],
)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")
def test_the_onnx_standin_for_conv1d_is_conv1d(kw, bias):
    from seqpool_sklearn._export import _conv1d_as_matmul

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 17, dtype=torch.float64, generator=gen)
    w = torch.randn(6, 4 // kw.get("groups", 1), 4, dtype=torch.float64, generator=gen)
    b = torch.randn(6, dtype=torch.float64, generator=gen) if bias else None
    expected = torch.conv1d(x, w, b, **kw)
    torch.testing.assert_close(_conv1d_as_matmul(x, w, b, **kw), expected)
    torch.testing.assert_close(_conv1d_as_matmul(x[0], w, b, **kw), expected[0])  # unbatched


def test_keyword_conv1d_and_tensor_erf_of_a_users_encoder_export_to_onnx(tmp_path):
    pytest.importorskip("onnxruntime")
    from seqpool_sklearn import Encoder

    class KeywordConv(Encoder):  # F.conv1d(input=...) and a Tensor.erf method call
        def __init__(self, n_channels, n_timesteps, width=None):
            super().__init__(n_channels, n_timesteps, width)
            self.out_channels = 4
            self.weight = torch.nn.Parameter(0.3 * torch.randn(4, n_channels, 3))

        def forward(self, x, mask):
            h = torch.nn.functional.conv1d(input=x, weight=self.weight, padding=1)
            return h.erf() * mask.unsqueeze(1).to(x.dtype)

    X, y = _train()
    clf = SeqPoolClassifier(encoder=KeywordConv, hidden_size=4, max_epochs=1).fit(X, y)
    clf.export(tmp_path / "m.onnx")
    run = _runner(tmp_path / "m.onnx", "onnx")
    assert _max_error(run, clf.predict_proba, _series()) < TOL


def test_an_onnx_graph_onnxruntime_cannot_run_is_refused(tmp_path):
    pytest.importorskip("onnxruntime")
    from seqpool_sklearn import Encoder

    class SmoothedEncoder(Encoder):  # float64 AveragePool: no onnxruntime kernel
        def __init__(self, n_channels, n_timesteps, width=None):
            super().__init__(n_channels, n_timesteps, width)
            self.out_channels = n_channels
            self.scale = torch.nn.Parameter(torch.ones(1))

        def forward(self, x, mask):
            smooth = torch.nn.functional.avg_pool1d(x, 3, stride=1, padding=1)
            return smooth * self.scale * mask.unsqueeze(1).to(x.dtype)

    X, y = _train()
    clf = SeqPoolClassifier(encoder=SmoothedEncoder, hidden_size=4, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="cannot run the exported graph, so the file written was "):
        clf.export(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    clf.export(tmp_path / "m.pt", format="torchscript")  # what the message offers
    run = _runner(tmp_path / "m.pt", "torchscript")
    assert _max_error(run, clf.predict_proba, _series()) < TOL


@pytest.mark.parametrize("encoder", [None, "hydra"])
def test_torchscript_file_refuses_the_shapes_predict_refuses(encoder, tmp_path):
    """A trace fixes its shape arithmetic: without the scripted check, the file read the
    first frames' steps of a longer series and the first channels of a wider one."""
    X, y = _train()  # 20 steps; window=6 gives 4 frames: 19 to 24 steps
    clf = SeqPoolClassifier(**_small(encoder, window=6)).fit(X, y)
    clf.export(tmp_path / "m.pt", format="torchscript")
    run = _runner(tmp_path / "m.pt", "torchscript")
    assert _max_error(run, clf.predict_proba, _series(lengths=(19, 20, 24))) < TOL
    for steps in (18, 25, 40):
        (x,) = _series(lengths=(steps,))
        with pytest.raises(ValueError, match=f"X has {steps} time steps"):
            clf.predict_proba(x)
        reason = rf"ValueError: X has {steps} time steps.*window=6.*19 to 24 steps"
        with pytest.raises(torch.jit.Error, match=reason):
            run(x)
    for channels in (1, 3):
        (x,) = _series(n_channels=channels, lengths=(20,))
        reason = f"ValueError: X has {channels} channels, but SeqPoolClassifier was fitted with 2"
        with pytest.raises(torch.jit.Error, match=reason):
            run(x)
    with pytest.raises(torch.jit.Error, match=r"ValueError: The exported SeqPoolClassifier takes "
                       r"X of 3 dimensions \(batch, 2 channels, time\); got 2\."):  # fmt: skip
        run(_series(lengths=(20,))[0][:, 0])


@pytest.mark.parametrize("window", [None, 6])
def test_torchscript_file_refuses_the_content_predict_refuses(window, tmp_path):
    """The file returned the output of an empty series for an all-NaN series and NaN for
    an infinite value, where predict refuses both."""
    X, y = _train()
    clf = SeqPoolClassifier(**_small(None, window=window)).fit(X, y)
    clf.export(tmp_path / "m.pt", format="torchscript")
    run = _runner(tmp_path / "m.pt", "torchscript")
    (x,) = _series(lengths=(20,))
    empty = x.copy()
    empty[2] = np.nan
    with pytest.raises(ValueError, match="1 series in X have no observed time step"):
        clf.predict_proba(empty)
    reason = (
        r"ValueError: 1 series in X have no observed time step \(all values are NaN; "
        r"first: sample 2\), but SeqPoolClassifier needs at least one observed step"
    )
    with pytest.raises(torch.jit.Error, match=reason):
        run(empty)
    for value in (np.inf, -np.inf):
        bad = x.copy()
        bad[3, 1, 5] = value
        with pytest.raises(ValueError, match="expects finite numbers"):
            clf.predict_proba(bad)
        reason = (
            r"ValueError: X contains 1 infinite value\(s\) \(first in sample 3\), but "
            "SeqPoolClassifier expects finite numbers, with NaN marking a missing step"
        )
        with pytest.raises(torch.jit.Error, match=reason):
            run(bad)
    # NaN padding, a missing step and an empty batch still run
    assert _max_error(run, clf.predict_proba, [x]) < TOL
    assert run(x[:0]).shape == (0, 3)


def test_onnx_file_does_not_check_the_content_as_documented(tmp_path):
    """An ONNX graph cannot raise: the export docs tell callers what it returns instead."""
    X, y = _train()
    clf = SeqPoolClassifier(**_small(None, order="decode_first")).fit(X, y)
    clf.export(tmp_path / "m.onnx", format="onnx")
    run = _runner(tmp_path / "m.onnx", "onnx")
    x = _series(lengths=(20,))[0][:3]
    x[0] = np.nan
    x[1, 0, 4] = np.inf
    proba = run(x)
    # the empty series gets what the biases alone give: softmax of the output bias
    bias = clf.net_.module_.head.output.bias.detach().double().numpy()
    np.testing.assert_allclose(proba[0], np.exp(bias) / np.exp(bias).sum(), atol=1e-6)
    assert np.isnan(proba[1]).all()
    assert np.isfinite(proba[2]).all()


def test_torchscript_file_without_window_takes_any_length(tmp_path):
    X, y = _train()
    reg = SeqPoolRegressor(**_small(None)).fit(X, X[:, 0, 0])
    reg.export(tmp_path / "m.pt", format="torchscript")
    run = _runner(tmp_path / "m.pt", "torchscript")
    assert _max_error(run, reg.predict, _series(lengths=(5, 20, 50))) < TOL


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_export_refuses_a_folder_or_a_missing_folder_before_tracing(format, tmp_path, monkeypatch):
    X, y = _train()
    clf = SeqPoolClassifier(**_small(None)).fit(X, y)

    def no_trace(*args, **kwargs):
        raise AssertionError("the path is checked before the graph is traced")

    monkeypatch.setattr(torch.jit, "trace", no_trace)
    monkeypatch.setattr(torch.onnx, "export", no_trace)
    with pytest.raises(IsADirectoryError, match="path is a folder"):
        clf.export(tmp_path, format=format)
    with pytest.raises(FileNotFoundError, match="folder to write the file in does not exist"):
        clf.export(tmp_path / "missing" / "m", format=format)
    with pytest.raises(TypeError, match="path must be a file name"):
        clf.export(None, format=format)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("op", ["erfinv", "nanquantile"])
def test_an_operator_without_onnx_counterpart_is_refused_with_the_alternative(op, tmp_path, capfd):
    pytest.importorskip("onnx")
    from seqpool_sklearn import Pool

    class OddPool(Pool):  # aten::erfinv and aten::nanquantile have no ONNX mapping
        def forward(self, h, mask):
            m = mask.unsqueeze(1)
            if op == "nanquantile":
                gaps = torch.where(m, h, torch.nan)
                return torch.nanquantile(gaps, 0.5, dim=-1).nan_to_num(0.0)
            w = m.to(h.dtype)
            return (torch.erfinv(torch.tanh(h) * 0.9) * w).sum(-1) / w.sum(-1).clamp_min(1)

    X, y = _train()
    clf = SeqPoolClassifier(**_small(None, pool=OddPool)).fit(X, y)
    reason = rf"cannot write this model: .*aten::{op}.*format='torchscript'"
    capfd.readouterr()
    with pytest.raises(ValueError, match=reason):
        clf.export(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
    # the message alone: PyTorch's exporter printed its whole graph to stdout first
    out, err = capfd.readouterr()
    assert "graph" not in out + err, (out + err)[:500]
    clf.export(tmp_path / "m.pt", format="torchscript")  # what the message offers
    run = _runner(tmp_path / "m.pt", "torchscript")
    assert _max_error(run, clf.predict_proba, _series()) < TOL


def test_onnx_export_leaves_the_exporters_logging_switch_as_found(tmp_path):
    """PyTorch's exporter switches its logging on for good at every export (it tests the
    function ``_jit_is_onnx_log_enabled`` instead of calling it); ours leaves it off."""
    pytest.importorskip("onnx")
    X, y = _train()
    clf = SeqPoolClassifier(**_small(None)).fit(X, y)
    torch._C._jit_set_onnx_log_enabled(False)
    clf.export(tmp_path / "m.onnx")
    assert not torch._C._jit_is_onnx_log_enabled()


class _BranchingEncoder(Encoder):
    """Doubles its maps when no step of the batch is missing: a Python branch on the data,
    which a trace records for its example (one series padded) alone."""

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = 3
        self.conv = torch.nn.Conv1d(n_channels, 3, 1)

    def forward(self, x, mask):
        h = torch.relu(self.conv(x))
        if bool(mask.all()):
            h = h * 2.0
        return h * mask.unsqueeze(1).to(x.dtype)


class _BranchingPool(Pool):
    """The mean, or the maximum where no step of the batch is missing."""

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        if bool(mask.all()):
            return h.amax(-1)
        return (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
@pytest.mark.parametrize(
    "params, name",
    [
        ({"encoder": _BranchingEncoder}, "_BranchingEncoder"),
        ({"pool": _BranchingPool}, "_BranchingPool"),
    ],
)
def test_a_plugin_that_branches_on_the_data_is_refused_not_exported(params, name, format, tmp_path):
    """torch's TracerWarning was silenced and the file was written: on fully observed series
    it disagreed with predict_proba by 0.05, with no error and no warning."""
    if format == "onnx":
        pytest.importorskip("onnxruntime")
    X, y = _train()
    clf = SeqPoolClassifier(**{**_small(None), **params}).fit(X, y)
    path = tmp_path / f"m.{format}"
    with pytest.raises(ValueError) as info:
        clf.export(path, format=format)
    message = str(info.value)
    assert "does not compute what predict does" in message
    assert f"the user's {name} likely branches on the data" in message
    # torch's own warning, with the plug-in's line, is part of the message
    assert "Converting a tensor to a Python boolean" in message
    assert "test_export.py, line" in message
    assert not path.exists()


class _FixedBatchEncoder(Encoder):
    """Reads the batch size as a Python number: the trace fixes it to the example's."""

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = 3
        self.conv = torch.nn.Conv1d(n_channels, 3, 1)

    def forward(self, x, mask):
        h = torch.relu(self.conv(x)).reshape(int(x.shape[0]), 3, -1)
        return h * mask.unsqueeze(1).to(x.dtype)


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_a_file_that_fails_where_the_network_runs_is_refused(format, tmp_path):
    if format == "onnx":
        pytest.importorskip("onnxruntime")
    X, y = _train()
    clf = SeqPoolClassifier(**{**_small(None), "encoder": _FixedBatchEncoder}).fit(X, y)
    path = tmp_path / f"m.{format}"
    with pytest.raises(
        ValueError, match=r"fails on fully observed series, which the network itself runs"
    ) as info:
        clf.export(path, format=format)
    assert "_FixedBatchEncoder likely reads the batch size" in str(info.value)
    assert not path.exists()


def test_a_harmless_tracer_warning_of_a_plugin_is_passed_on_and_the_builtins_stay_quiet(
    tmp_path,
):
    """A plug-in's TracerWarning is shown (attributed to its line) where its file agrees
    with predict; the package's own shape arithmetic warns nothing."""

    class ScaledMean(Pool):  # reads a constant tensor as a Python float: traced as 1.0
        def forward(self, h, mask):
            m = mask.unsqueeze(1).to(h.dtype)
            scale = float(torch.ones(()))
            return scale * (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)

    X, y = _train()
    builtin = SeqPoolClassifier(**_small("conv", window=4)).fit(X, y)
    clf = SeqPoolClassifier(**_small(None, pool=ScaledMean)).fit(X, y)
    for format in ("onnx", "torchscript"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            builtin.export(tmp_path / f"b.{format}", format=format)
        assert not [w for w in caught if issubclass(w.category, torch.jit.TracerWarning)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.export(tmp_path / f"m.{format}", format=format)
        tracer = [w for w in caught if issubclass(w.category, torch.jit.TracerWarning)]
        assert tracer and all(w.filename == __file__ for w in tracer), tracer
        assert "Python float" in str(tracer[0].message)
        if format == "onnx" and importlib.util.find_spec("onnxruntime") is None:
            continue
        run = _runner(tmp_path / f"m.{format}", format)
        assert _max_error(run, clf.predict_proba, _series(lengths=(20,))) < TOL


def test_without_onnxruntime_the_onnx_file_is_written_unchecked(tmp_path, monkeypatch):
    """As documented: the agreement check of an ONNX file needs onnxruntime."""
    pytest.importorskip("onnx")
    X, y = _train()
    clf = SeqPoolClassifier(**{**_small(None), "encoder": _BranchingEncoder}).fit(X, y)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "onnxruntime" else real(name, *a),
    )
    # torch's warning is all there is then: it is passed on, with the plug-in's line
    with pytest.warns(torch.jit.TracerWarning, match="Python boolean") as caught:
        clf.export(tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").exists()
    assert {w.filename for w in caught if w.category is torch.jit.TracerWarning} == {__file__}
    with pytest.raises(ValueError, match="does not compute what predict does"):
        clf.export(tmp_path / "m.pt", format="torchscript")  # torch runs its own file


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_a_model_with_a_companion_exports_the_blend(format, tmp_path):
    X, y = _train()
    hydra = SeqPoolClassifier(encoder="hydra", encoder_channels=4, readout="ridge")
    clf = SeqPoolClassifier(companion=hydra, companion_weight=0.3, **_small("minirocket"))
    clf.fit(X, y)
    path = tmp_path / f"model.{format}"
    clf.export(path, format=format)
    run = _runner(path, format)
    assert _max_error(run, clf.predict_proba, _series()) < TOL
    # the file holds the blend, not the network alone
    alone = clf._network_proba(clf._validate_predict(_series()[1]))
    assert np.abs(run(_series()[1]) - alone).max() > 100 * TOL

    yr = 50.0 + 10.0 * np.nan_to_num(X[:, 0]).mean(axis=1)
    reg = SeqPoolRegressor(companion="hydra", **_small(None, window=5)).fit(X, yr)
    reg.export(tmp_path / f"reg.{format}", format=format)
    run = _runner(tmp_path / f"reg.{format}", format)
    batches = _series(lengths=(20,))
    assert _max_error(run, reg.predict, batches) < TOL * np.abs(yr).max()


def test_a_companion_with_another_window_is_refused(tmp_path):
    X, y = _train()
    other = SeqPoolClassifier(encoder=None, readout="ridge", window=4)
    clf = SeqPoolClassifier(companion=other, **_small(None, window=5)).fit(X, y)
    with pytest.raises(ValueError, match="companion's window=4 takes other lengths"):
        clf.export(tmp_path / "m.pt", format="torchscript")
    assert not (tmp_path / "m.pt").exists()
