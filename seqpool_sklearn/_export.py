"""Export a fitted estimator's network to ONNX or TorchScript.

The exported graph is the estimator's prediction, not only its torch module:

* input ``X``: float32, shape ``(batch, n_channels, time)`` with the fitted
  ``n_channels``; padding and missing steps are NaN, as for ``predict`` (a step whose
  channels are all NaN is not observed). The batch size is free; so is the length for
  ``window=None``. A windowed head's output layer reads a fixed number of frames: the
  TorchScript file, like ``predict``, takes any length with the fitted number of frames
  (25 to 32 steps for a fit on 30 steps with ``window=8``), the ONNX file only the
  fitted length (pad shorter series with NaN). ``predict`` also refuses a series with no
  observed step and infinite values; the TorchScript file does too, the ONNX file cannot
  raise and does not check the content: it returns the prediction of an empty series
  (what the biases alone give) for an all-NaN series and NaN for a series with an
  infinite value (or, with the random-convolution and recurrent encoders, which
  saturate, a number that means nothing), so its callers must check their input;
* output of a classifier: ``proba``, the class probabilities of shape
  ``(batch, n_classes)`` in the order of ``classes_`` (``predict_proba``);
* output of a regressor: ``prediction`` in target units, shape ``(batch,)`` or
  ``(batch, n_outputs)`` as ``predict`` returns it.

``predict`` reads ``X`` as float32 and computes in float64; so does the graph, and its
outputs match to round-off. (A float32 graph would already move the random-convolution
encoder's indicators ``c(t) > b`` wherever a convolution lands near a bias.) One
exception: onnxruntime has no float64 GRU kernel, so an ONNX file of the GRU encoder runs
the recurrence in float32 and agrees with ``predict`` to about 1e-8 relative to the
outputs' scale (2e-9 to 7e-9 measured on small fitted models); and it has no float64
``Erf``, so the ``"gelu"`` activation computes its ``erf`` in float32 there (its values
to about 1e-7 relative, the outputs to about 1e-8 too).

TorchScript files are traces (``torch.jit.trace``) of the inference forward pass, which
has no branch on the data (see :mod:`seqpool_sklearn._modules`). A trace fixes the shape
arithmetic it saw, so the file first runs a scripted check of ``X``: another channel
count, another number of dimensions, (windowed heads) a length with another number of
frames, an infinite value or a series with no observed step raises ``torch.jit.Error``
ending in ``builtins.ValueError:`` and the reason, as ``predict`` refuses them (without
the check, the file would read the first channels and the first frames' steps and return
numbers for the wrong input, NaN for an infinite value, or the prediction of an empty
series). A windowed head is traced on a length whose last window is partial, so that the
padding of that window is recorded as shape arithmetic and every length with the fitted
number of frames runs (traced at a multiple of the window, it would be left out).
ONNX files come from PyTorch's TorchScript-based exporter
(``torch.onnx.export(..., dynamo=False)``), which maps the GRU to ONNX's ``GRU``
operator with a run-time length; the forward pass writes its convolutions as matrix
products there, since onnxruntime has no float64 ``Conv``. A user's encoder gets the
same treatment: while the ONNX graph is traced, every float64 ``conv1d`` (an
``nn.Conv1d`` of the user's encoder included) is written as a matrix product, and every
float64 ``erf`` is computed in float32. Where onnxruntime is installed, the written file
is loaded once; a graph it cannot run (another float64 operator it has no kernel for) is
refused with its reason rather than left to fail where the file is used, and so is a
graph with an operator PyTorch's exporter cannot write in ONNX (``aten::erfinv``,
``aten::nanquantile`` ...): both leave no file and point to ``format="torchscript"``.
``export`` writes only the estimator's network: a Pipeline's earlier steps (a
``SeriesScaler`` ...) are not in ``pipe[-1].export(path)``'s file.

A trace records the Python branches its example took: a user's encoder or pool whose
``forward`` branches on the data (``if mask.all():``) gives a file that computes another
function on other series, and torch says so only by a ``TracerWarning``. So the written
file is run (TorchScript with ``torch.jit.load``; ONNX with onnxruntime, where it is
installed: without it the ONNX file is written unchecked) on the trace's example, on fully
observed series and on padded ones, and its outputs are compared with the network's own
forward pass (``predict``'s); beyond round-off (1e-4 of the outputs' scale: the float64
graphs agree to about 1e-15, the float32 GRU and ``erf`` of the ONNX file to about 1e-8)
the file is removed and a ``ValueError`` names the user's classes and the
``TracerWarning``. Those of the package itself (sizes read as Python numbers,
the scripted check of ``X``) are known and silenced; those of a user's code are passed on.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import importlib
import importlib.util
import os
import sys
import threading
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.overrides import TorchFunctionMode

from ._validation import check_file_name
from .nn.masks import matmul_conv1d

FORMATS = ("onnx", "torchscript")


def _single(value, name: str) -> int:
    """An ``int`` or 1-tuple argument of ``conv1d``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"conv1d takes one {name} per side; got {value!r}.")
        value = value[0]
    return int(value)


def _conv1d_as_matmul(
    input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1
) -> torch.Tensor:
    """``torch.conv1d``'s arguments, computed by :func:`matmul_conv1d` (any stride)."""
    stride, dilation = _single(stride, "stride"), _single(dilation, "dilation")
    span = dilation * (weight.shape[2] - 1)
    if padding == "valid":
        pad = (0, 0)
    elif padding == "same":  # torch's split: the extra step goes to the right
        pad = (span // 2, span - span // 2)
    else:
        pad = (_single(padding, "padding"),) * 2
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    out = matmul_conv1d(x, weight, bias, pad, dilation, groups)
    if stride > 1:
        out = out[:, :, ::stride]
    return out.squeeze(0) if unbatched else out


def _erf_in_float32(x: torch.Tensor) -> torch.Tensor:
    return torch.erf(x.to(torch.float32)).to(x.dtype)


def _gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    if approximate != "none":  # the tanh form runs in float64
        return torch.nn.functional.gelu(x, approximate=approximate)
    return 0.5 * x * (1.0 + _erf_in_float32(x * 0.5**0.5))


# float64 operators onnxruntime has no kernel for, and what the graph computes instead
_FLOAT64_STANDINS = {
    torch.conv1d: _conv1d_as_matmul,  # exact: the same sums as matrix products
    torch.nn.functional.gelu: _gelu,  # erf in float32: about 1e-7 relative
    torch.erf: _erf_in_float32,
    torch.special.erf: _erf_in_float32,
    torch.Tensor.erf: _erf_in_float32,
}


class _OnnxRuntimeFloat64(TorchFunctionMode):
    """While tracing for ONNX: float64 operators onnxruntime lacks are computed otherwise.

    onnxruntime has no float64 ``Conv`` (``nn.Conv1d``, in a user's encoder too) and no
    float64 ``Erf`` (the ``"gelu"`` activation); traced as they are, they give a file
    onnxruntime cannot load. ``conv1d`` becomes matrix products (exact); ``erf`` is
    computed in float32 (about 1e-7 relative).
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        standin = _FLOAT64_STANDINS.get(func)
        first = args[0] if args else kwargs.get("input")
        if standin is not None and getattr(first, "dtype", None) == torch.float64:
            return standin(*args, **kwargs)
        return func(*args, **kwargs)


# the modules of PyTorch's TorchScript-based ONNX exporter that hold its logging switch
# (torch 2.6 to 2.8: torch.onnx.utils; later: under torch.onnx._internal)
_EXPORTER_MODULES = (
    "torch.onnx._internal.torchscript_exporter.utils",
    "torch.onnx.utils",
)
_QUIET_LOCK = threading.Lock()


@contextlib.contextmanager
def _keep_logging_off(verbose: bool):
    """The exporter's logging switch as it is meant to work: on only when ``verbose``."""
    before = torch._C._jit_is_onnx_log_enabled()
    torch._C._jit_set_onnx_log_enabled(bool(verbose))
    try:
        yield
    finally:
        torch._C._jit_set_onnx_log_enabled(before)


@contextlib.contextmanager
def _quiet_onnx_exporter():
    """While exporting: the exporter prints no graph dump and leaves its logging as found.

    PyTorch's ``setup_onnx_logging`` tests the *function* ``_jit_is_onnx_log_enabled``
    (always true) instead of calling it, so every export switches the exporter's logging
    on for good, and an export that fails then prints the whole Torch IR graph to stdout
    ahead of the exception. The context puts a working switch in its place while the file
    is written (one export at a time: the switch is module state), and restores both.
    """
    with _QUIET_LOCK:
        patched = []
        for name in _EXPORTER_MODULES:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            if callable(getattr(module, "setup_onnx_logging", None)):
                patched.append((module, module.setup_onnx_logging))
                module.setup_onnx_logging = _keep_logging_off
        before = torch._C._jit_is_onnx_log_enabled()
        try:
            yield
        finally:
            for module, original in patched:
                module.setup_onnx_logging = original
            torch._C._jit_set_onnx_log_enabled(before)


def _onnx_runner(path: str):
    """The written ONNX file loaded in onnxruntime, or None where it is not installed.

    A graph onnxruntime cannot run is refused (and the file removed) with its reason.
    """
    if importlib.util.find_spec("onnxruntime") is None:
        return None
    import onnxruntime

    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        os.remove(path)
        raise ValueError(
            "onnxruntime cannot run the exported graph, so the file written was removed: "
            f"{str(exc).strip()}. onnxruntime lacks float64 kernels for some operators "
            "(the graph computes in float64, as predict does); a user's encoder calling "
            "such an operator can be exported with format='torchscript'."
        ) from None
    return lambda x: session.run(None, {"X": x.numpy()})[0]


def _torchscript_runner(path: str):
    loaded = torch.jit.load(path)
    return lambda x: loaded(x).numpy()


# largest difference between the written file and the network's own forward pass, in
# units of the outputs' scale (probabilities; standardised targets): round-off is far
# below it (float64 graphs about 1e-15; onnxruntime's float32 GRU and erf about 1e-8),
# a branch the trace recorded for its example alone is not
_AGREEMENT = 1e-4


def _check_batches(example: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """Series the written file is run on: the trace's example (one series NaN-padded),
    fully observed series and padded ones (leading padding, a missing step, a short tail),
    each batch of another size than the example's."""
    n_channels, t = example.shape[1], example.shape[2]
    gen = torch.Generator().manual_seed(1)
    full = torch.randn(4, n_channels, t, generator=gen)
    padded = torch.randn(2, n_channels, t, generator=gen)
    padded[0, :, : t // 3] = float("nan")
    if t >= 3:
        padded[1, :, 1] = float("nan")
    padded[1, :, t - t // 4 :] = float("nan")
    return [("the trace's example", example), ("fully observed series", full),
            ("padded series", padded)]  # fmt: skip


def _expected_outputs(
    predictor: ExportedPredictor, batches: list[tuple[str, torch.Tensor]]
) -> tuple[list[tuple[str, torch.Tensor]], list[np.ndarray]]:
    """The network's own outputs on ``batches`` (the forward pass ``predict`` runs, on a
    copy in float64), computed before the trace. A batch the network itself cannot run (a
    user's encoder that refuses leading padding ...) is left out: ``predict`` would refuse
    it too. The first, the trace's example, must run: the trace runs it."""
    kept, expected = [], []
    with torch.no_grad():
        for i, (what, x) in enumerate(batches):
            try:
                out = predictor(x).numpy()
            except Exception:
                if i == 0:
                    raise
                continue
            kept.append((what, x))
            expected.append(out)
    return kept, expected


def _plugin_names(module: nn.Module) -> list[str]:
    """The class names of a user's encoder and pools in ``module`` (not the package's)."""
    from .nn.encoders import ENCODER_REGISTRY, IdentityEncoder
    from .nn.module import _own, builtin_pool
    from .nn.pools import built_members

    names = []
    encoder = type(module.encoder)
    if not (encoder in (*ENCODER_REGISTRY.values(), IdentityEncoder) and _own(encoder)):
        names.append(encoder.__name__)
    pooling = module.head.pooling
    for pool in built_members(pooling):
        if not builtin_pool(pool) and type(pool).__name__ not in names:
            names.append(type(pool).__name__)
    return names


def _origin(filename: str, lineno: int) -> tuple[str, int]:
    """The line of code a ``TracerWarning`` being shown comes from.

    torch names the Python line that read a tensor as a Python value; while the ONNX graph
    is traced, that line is :class:`_OnnxRuntimeFloat64`'s, which passes every operator
    on. The line is the innermost frame outside torch, the warnings module and that hook.
    """
    torch_dir = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
    machinery = os.path.abspath(warnings.__file__)
    hooks = (_OnnxRuntimeFloat64.__torch_function__.__code__, _recorded.__code__)
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        name = os.path.abspath(code.co_filename)
        if not (name.startswith(torch_dir) or name == machinery or code in hooks):
            return code.co_filename, frame.f_lineno
        frame = frame.f_back
    return filename, lineno


def _recorded(log: list, message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, torch.jit.TracerWarning):
        filename, lineno = _origin(filename, lineno)
    log.append(warnings.WarningMessage(message, category, filename, lineno))


def _recorder(log: list):
    """A ``warnings.showwarning`` that records the warnings shown in ``log``, with the line
    of code of each ``TracerWarning`` (see :func:`_origin`)."""
    return functools.partial(_recorded, log)


def _plugin_tracer_warnings(caught: list) -> list:
    """The tracer warnings of ``caught`` raised outside this package (a user's
    encoder or pool), one per line of code. The package's own are known: its trace reads
    sizes as Python numbers and scripts its checks of ``X``, on purpose."""
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    seen, out = set(), []
    for w in caught:
        if not issubclass(w.category, torch.jit.TracerWarning):
            continue
        if os.path.abspath(w.filename).startswith(package):
            continue
        key = (w.filename, w.lineno, str(w.message))
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


def _check_agrees(
    path: str,
    runner,
    predictor: ExportedPredictor,
    batches: list[tuple[str, torch.Tensor]],
    expected: list[np.ndarray],
    tracer: list,
) -> None:
    """Refuse (and remove) a written file whose outputs are not the network's own.

    A trace records the Python branches its example took: an encoder or pool whose
    ``forward`` branches on the data (an ``if`` on a tensor's values) gives a file that
    computes another function on other series, and torch says so only by a
    ``TracerWarning``.
    """
    if predictor.kind == "proba":
        mean, scale = np.zeros(1), np.ones(1)
    else:
        mean, scale = predictor.y_mean.numpy(), predictor.y_scale.numpy()
    names = _plugin_names(predictor.module)
    parts = f"the user's {' and '.join(names)}" if names else "a part of the network"
    verb, reads = ("branch", "read") if len(names) > 1 else ("branches", "reads")
    said = ""
    if tracer:
        w = tracer[0]
        said = (
            f" torch warned while tracing: {str(w.message).split('. ')[0]} "
            f"({os.path.basename(w.filename)}, line {w.lineno})."
        )
    for (what, x), want in zip(batches, expected, strict=True):
        try:
            got = np.asarray(runner(x), dtype=np.float64)
        except Exception as exc:  # onnxruntime and TorchScript raise their own types
            os.remove(path)
            reason = (str(exc).strip() or type(exc).__name__).splitlines()[-1]
            raise ValueError(
                f"The exported file fails on {what}, which the network itself runs, so "
                f"the file written was removed: {reason}. The file is a trace of one run "
                f"and records the shapes and Python branches that run took; {parts} "
                f"likely {reads} the batch size or the data as Python numbers.{said}"
            ) from None
        gap = np.full(want.shape, np.nan)
        if got.shape == want.shape:
            # in the outputs' scale: probabilities, targets in their standard deviations
            with np.errstate(invalid="ignore"):
                gap = np.abs(got - want) / scale
            gap[(got == want) | (np.isnan(got) & np.isnan(want))] = 0.0
        size = np.abs((want - mean) / scale)
        size = float(size[np.isfinite(size)].max()) if np.isfinite(size).any() else 1.0
        tol = _AGREEMENT * max(1.0, size)
        if not (np.isnan(gap) | (gap > tol)).any():
            continue
        os.remove(path)
        diff = float(np.nanmax(gap)) if np.isfinite(gap).any() else float("nan")
        if got.shape != want.shape:
            diff_text = f"outputs of shape {got.shape}, not {want.shape}"
        else:
            diff_text = f"outputs that differ from the network's by up to {diff:.3g}"
        raise ValueError(
            f"The exported file does not compute what predict does: on {what} it gives "
            f"{diff_text} (round-off stays below {tol:.1g}), so the file written was "
            "removed. The file is a trace of "
            f"one run: it records the Python branches that run took, and {parts} likely "
            f"{verb} on the data in Python (an if on a tensor's values, a tensor read as "
            f"a Python number).{said} Write such a choice as tensor operations "
            "(torch.where, a product with the mask) so that every series takes it."
        )


class ExportedPredictor(nn.Module):
    """The fitted module followed by the estimator's output mapping.

    Parameters
    ----------
    module : SeqPoolModule
        A copy of the fitted module (in eval mode).
    kind : {"proba", "regression"}
        ``"proba"``: softmax over the logits; ``"regression"``: outputs times the
        target scale plus the target mean (``predict``'s units).
    y_mean, y_scale : ndarray of shape (n_outputs,), optional
        Regression target standardisation.
    ravel : bool, default=False
        Return shape (batch,) (a regressor fitted on 1D targets).
    """

    def __init__(
        self,
        module: nn.Module,
        kind: str,
        y_mean: np.ndarray | None = None,
        y_scale: np.ndarray | None = None,
        ravel: bool = False,
    ):
        super().__init__()
        self.module = module
        self.kind = kind
        self.ravel = ravel
        n = 1 if y_mean is None else len(y_mean)
        mean = torch.zeros(n) if y_mean is None else torch.as_tensor(np.asarray(y_mean))
        scale = torch.ones(n) if y_scale is None else torch.as_tensor(np.asarray(y_scale))
        self.register_buffer("y_mean", mean.to(torch.float64))
        self.register_buffer("y_scale", scale.to(torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.module(x.to(torch.float64))
        if self.kind == "proba":
            return torch.softmax(out, dim=1)
        out = out * self.y_scale + self.y_mean
        return out.reshape(-1) if self.ravel else out


def _check_input(
    x: torch.Tensor,
    n_channels: int,
    window: int,
    n_frames: int,
    n_timesteps: int,
    name: str,
) -> torch.Tensor:
    """``x`` if the exported prediction reads it as ``predict`` would; scripted into the file.

    The shape (dimensions, channels, number of frames) and the content: no infinite
    value and at least one observed step per series, which ``predict`` refuses too
    (the graph would return NaN, or the output of an empty series). ``window`` is 0 for
    a head without windows (any length). A trace records no Python branch, so this
    function is compiled with ``torch.jit.script`` and called by the traced module: the
    loaded file runs the check on every call.
    """
    if x.dim() != 3:
        hint = " A series per row (batch, time) is X[:, None, :]." if n_channels == 1 else ""
        raise ValueError(
            f"The exported {name} takes X of 3 dimensions (batch, {n_channels} channels, "
            f"time); got {x.dim()}.{hint}"
        )
    if x.size(1) != n_channels:
        raise ValueError(
            f"X has {x.size(1)} channels, but {name} was fitted with {n_channels} channels."
        )
    if window > 0:
        steps = x.size(2)
        if (steps + window - 1) // window != n_frames:
            shortest = (n_frames - 1) * window + 1
            longest = n_frames * window
            raise ValueError(
                f"X has {steps} time steps, but {name} (window={window}) was fitted on "
                f"series of {n_timesteps} steps and its output layer expects {n_frames} "
                f"frames: series of {shortest} to {longest} steps. Pad the series with "
                "NaN or truncate them."
            )
    infinite = torch.isinf(x)
    if bool(infinite.any()):
        count = int(infinite.sum())
        first = int(torch.nonzero(infinite.flatten(1).any(1))[0, 0])
        raise ValueError(
            f"X contains {count} infinite value(s) (first in sample {first}), but {name} "
            "expects finite numbers, with NaN marking a missing step. Replace or clip "
            "them (or set them to NaN)."
        )
    empty = torch.isnan(x).flatten(1).all(1)
    if bool(empty.any()):
        first = int(torch.nonzero(empty)[0, 0])
        raise ValueError(
            f"{int(empty.sum())} series in X have no observed time step (all values are "
            f"NaN; first: sample {first}), but {name} needs at least one observed step "
            "per series. Drop them or fill them before calling it."
        )
    return x


class _ShapeChecked(nn.Module):
    """The exported predictor behind the scripted check of ``X``'s shape (TorchScript)."""

    def __init__(self, predictor: ExportedPredictor, estimator: Any):
        super().__init__()
        self.predictor = predictor
        self.check = torch.jit.script(_check_input)
        window = estimator.net_.module_.head.window
        self.shape = (
            int(estimator.n_channels_in_),
            0 if window is None else int(window),
            int(estimator.net_.module_.head.n_frames),
            int(estimator.n_timesteps_in_),
            type(estimator).__name__,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.predictor(self.check(x, *self.shape))


def _output_path(path: Any) -> str:
    """``path`` as a str, refused before any work when no file can be written there."""
    path = check_file_name(path, "export writes a file, but path is a folder; name a file in it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"the folder to write the file in does not exist ({folder})", path
        )
    return path


class BlendedPredictor(ExportedPredictor):
    """An estimator's predictor blended with its companion's (``companion=``):
    ``(1 - weight)`` times the network's probabilities or predictions plus ``weight``
    times the companion's, as ``predict_proba`` and ``predict`` blend them."""

    def __init__(self, own: ExportedPredictor, companion: ExportedPredictor, weight: float):
        nn.Module.__init__(self)
        self.module = own.module  # the estimator's own network (its plug-ins are named)
        self.kind = own.kind
        self.ravel = own.ravel
        self.register_buffer("y_mean", own.y_mean.clone())
        self.register_buffer("y_scale", own.y_scale.clone())
        self.own = own
        self.companion = companion
        self.weight = float(weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (1.0 - self.weight) * self.own(x) + self.weight * self.companion(x)


def _network_predictor(estimator: Any) -> ExportedPredictor:
    module = copy.deepcopy(estimator.net_.module_).to("cpu", torch.float64).eval()
    module.requires_grad_(False)  # outputs of the loaded graph are plain tensors
    if isinstance(estimator, ClassifierMixin):
        return ExportedPredictor(module, "proba")
    return ExportedPredictor(module, "regression", *estimator._target_scaling())


def _predictor(estimator: Any) -> ExportedPredictor:
    own = _network_predictor(estimator)
    companion = getattr(estimator, "companion_", None)
    if companion is None:
        return own
    theirs = _network_predictor(companion)  # its columns are classes_ (checked at fit)
    window = companion.net_.module_.head.window
    if window is not None and window != estimator.net_.module_.head.window:
        raise ValueError(
            f"export writes one graph for the network and its companion, which read the "
            f"same series; the companion's window={window} takes other lengths than the "
            f"network's window={estimator.net_.module_.head.window}. Give the companion "
            "window=None or the network's window."
        )
    return BlendedPredictor(own, theirs, estimator.companion_weight)


def _trace_length(estimator: Any, format: str) -> int:
    """Length of the series the graph is traced on.

    The ONNX file takes the fitted length. The TorchScript file takes every length with
    the fitted number of frames, so a windowed head is traced where the last window is
    partial: the padding of that window is then recorded as shape arithmetic (a pad of
    ``n_frames * window - time`` steps, zero at the longest length). Traced at a multiple
    of the window, the pad is skipped by a Python branch and no shorter length would run.
    """
    t = int(estimator.n_timesteps_in_)
    window = estimator.net_.module_.head.window
    if format != "torchscript" or window is None or window < 2 or t % window:
        return t
    return (int(estimator.net_.module_.head.n_frames) - 1) * int(window) + 1


def _example(estimator: Any, t: int | None = None) -> torch.Tensor:
    """A small batch of ``t`` steps (default: the fitted length), one series NaN-padded
    (the trace's input)."""
    gen = torch.Generator().manual_seed(0)
    t = estimator.n_timesteps_in_ if t is None else t
    x = torch.randn(3, estimator.n_channels_in_, t, generator=gen)
    x[1, :, max(1, t // 2) :] = float("nan")
    return x


def export_estimator(estimator: Any, path: str | os.PathLike, format: str = "onnx") -> None:
    """Write ``estimator``'s prediction as an ONNX or TorchScript file; see the module docs."""
    check_is_fitted(estimator)
    estimator._check_predict_params()  # what the file computes with (companion_weight ...)
    if format not in FORMATS:
        raise ValueError(
            f"format must be one of {FORMATS}, got {format!r}; e.g. "
            f"{type(estimator).__name__}.export(path, format='onnx')."
        )
    if format == "onnx" and importlib.util.find_spec("onnx") is None:
        raise ImportError(
            "export(format='onnx') needs the onnx package, which PyTorch's exporter writes "
            "with: pip install onnx (and onnxruntime to run the file)."
        )
    path = _output_path(path)
    predictor = _predictor(estimator)
    example = _example(estimator, _trace_length(estimator, format))
    output = "proba" if predictor.kind == "proba" else "prediction"
    fixed_length = estimator.net_.module_.head.window is not None
    # what the written file must reproduce: the network's own forward pass (predict's,
    # on a copy in float64), computed before the trace
    batches, expected = _expected_outputs(predictor, _check_batches(example))
    caught: list[warnings.WarningMessage] = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.showwarning = _recorder(caught)
        # the package's own shape arithmetic in the trace (sizes read as Python ints) is
        # what we want: the batch stays free; a windowed head reads the fitted number of
        # frames, which the TorchScript file checks (_check_input) and the ONNX file fixes
        # (one length). Recorded, not ignored: those from a user's encoder or pool (a
        # branch on the data) are passed on below
        warnings.simplefilter("always", torch.jit.TracerWarning)
        # torch marks torch.jit and the TorchScript-based ONNX exporter deprecated; they
        # are what keeps the GRU's length free and what torch.jit.load reads
        warnings.simplefilter("ignore", DeprecationWarning)
        # the GRU's initial state is built from the input's shape, so any batch size runs
        warnings.filterwarnings(
            "ignore", message=".*variable length with GRU", category=UserWarning
        )
        # a notice of the exporter's optimiser, not a problem of the graph
        warnings.filterwarnings("ignore", message="Constant folding", category=UserWarning)
        try:
            if format == "torchscript":
                checked = _ShapeChecked(predictor, estimator)
                traced = torch.jit.trace(checked, (example,), check_trace=False)
                torch.jit.save(traced, path)
            else:
                _write_onnx(predictor, example, path, output, fixed_length)
        finally:
            tracer = _plugin_tracer_warnings(caught)
            others = [w for w in caught if not issubclass(w.category, torch.jit.TracerWarning)]
        runner = _torchscript_runner(path) if format == "torchscript" else _onnx_runner(path)
        # without onnxruntime the ONNX file is not run: it is written unchecked
        if runner is not None:
            _check_agrees(path, runner, predictor, batches, expected, tracer)
    # the warnings of the export, as the caller's filters would have shown them; a
    # user's TracerWarning included (its file agreed with predict on the checked series)
    for w in tracer + others:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _write_onnx(
    predictor: ExportedPredictor, example: torch.Tensor, path: str, output: str, fixed: bool
) -> None:
    """Write the ONNX file; an operator without ONNX counterpart is a ValueError."""
    dynamic = {0: "batch"} if fixed else {0: "batch", 2: "time"}
    existed = os.path.exists(path)
    try:
        with _quiet_onnx_exporter(), _OnnxRuntimeFloat64():
            torch.onnx.export(
                predictor,
                (example,),
                path,
                input_names=["X"],
                output_names=[output],
                dynamic_axes={"X": dynamic, output: {0: "batch"}},
                dynamo=False,
            )
    except torch.onnx.errors.OnnxExporterError as exc:
        # an operator of a user's pool or encoder with no ONNX counterpart
        if not existed and os.path.exists(path):
            os.remove(path)
        # the first sentence: the rest is an invitation to report it to PyTorch
        reason = (str(exc).strip() or type(exc).__name__).split(". ")[0].rstrip(".")
        raise ValueError(
            f"PyTorch's ONNX exporter cannot write this model: {reason}. No file was "
            "written. An operator of a user's pool or encoder without an ONNX "
            "counterpart can be exported with format='torchscript'."
        ) from None
