"""A fitted estimator's state as plain values, for safe sharing (skops).

``pickle`` / ``joblib`` / ``copy`` store an estimator whole, through skorch's own
pickling of the network: faithful, but loading a pickle runs whatever code it names,
so it is for files you trust. The *portable state* below is what
``__getstate__`` returns and what skops reads: hyperparameters, the fitted
attributes, and the network as arrays -- the module's parameters and buffers, the
optimizer's state, the training history and the random-generator states. No torch
object and no pickle is in it, so ``skops.io.load(path, trusted=[...])`` needs to trust
the estimator class alone (and whatever objects the user passed as hyperparameters,
such as their own callbacks). Loading rebuilds the network from the hyperparameters
and puts the arrays back: predictions are identical, and a warm start or
``partial_fit`` continues the optimizer where it stopped.

What the portable state leaves out is the internal state of the training callbacks
(early stopping's counters, a user's checkpoint): each fit starts them afresh anyway.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from skorch.exceptions import DeviceWarning

from ._net import _GLOBAL_RNG_LOCK, SeqPoolHistory, _dtype_name, _module_dtype

PORTABLE_KEY = "_seqpool_portable_state"
"""Marks a portable state (its value is the format version)."""

PORTABLE_VERSION = 1

_TENSOR = "__torch_tensor__"


def to_plain(value: Any) -> Any:
    """``value`` with every torch tensor turned into a tagged numpy array, recursively.

    Tensors become ``(_TENSOR, array, dtype_name)`` triples; numpy scalars become
    Python numbers; dicts, lists and tuples are rebuilt; other values are kept.
    """
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        return (_TENSOR, t.numpy().copy(), _dtype_name(t.dtype))
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_plain(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_plain(value: Any, device: str = "cpu") -> Any:
    """Inverse of :func:`to_plain`: tagged arrays become tensors on ``device``."""
    if isinstance(value, tuple):
        if len(value) == 3 and value[0] == _TENSOR:
            array, dtype = value[1], getattr(torch, value[2])
            return torch.from_numpy(np.array(array)).to(device=device, dtype=dtype)
        return tuple(from_plain(v, device) for v in value)
    if isinstance(value, dict):
        return {k: from_plain(v, device) for k, v in value.items()}
    if isinstance(value, list):
        return [from_plain(v, device) for v in value]
    return value


def _optimizer_to_plain(optimizer: Any) -> Any:
    """The optimizer class: a name for the ones in :mod:`torch.optim`, else the class."""
    name = getattr(optimizer, "__name__", None)
    if name and getattr(torch.optim, name, None) is optimizer:
        return ("torch.optim", name)
    return optimizer


def _optimizer_from_plain(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "torch.optim":
        found = getattr(torch.optim, str(value[1]), None)
        if not (isinstance(found, type) and issubclass(found, torch.optim.Optimizer)):
            raise ValueError(f"torch.optim has no optimizer named {value[1]!r}.")
        return found
    return value


def portable_state(est: Any, state: dict) -> dict:
    """The portable version of ``state`` (the estimator's pickle state)."""
    out = {k: v for k, v in state.items() if k != "net_"}
    out["optimizer"] = _optimizer_to_plain(out.get("optimizer"))
    if isinstance(out.get("device"), torch.device):
        out["device"] = str(out["device"])
    for key in ("_routed", "_rng_state"):
        if key in out:
            out[key] = to_plain(out[key])
    net = state.get("net_")
    if net is not None:
        train_split = getattr(net, "train_split", None)
        generator = net.shuffle_generator
        out["net_"] = {
            "device": str(net.device),
            "max_epochs": int(net.max_epochs),
            "split_seed": getattr(train_split, "random_state", None),
            "dtype": _dtype_name(_module_dtype(net.module_)),
            "module": to_plain(dict(net.module_.state_dict())),
            "training": bool(net.module_.training),
            "optimizer": to_plain(net.optimizer_.state_dict()),
            "history": to_plain([dict(epoch) for epoch in net.history]),
            "generator": None if generator is None else to_plain(generator.get_state()),
        }
    out[PORTABLE_KEY] = PORTABLE_VERSION
    return out


def restore_portable(est: Any, state: dict) -> None:
    """Set ``est`` from a portable state, rebuilding its network."""
    state = dict(state)
    version = state.pop(PORTABLE_KEY)
    if version != PORTABLE_VERSION:
        raise ValueError(
            f"This file holds a {type(est).__name__} state of format {version}; this "
            f"version of seqpool_sklearn reads format {PORTABLE_VERSION}."
        )
    saved = state.pop("net_", None)
    state["optimizer"] = _optimizer_from_plain(state.get("optimizer"))
    for key in ("_routed", "_rng_state"):
        if key in state:
            state[key] = from_plain(state[key])
    est.__dict__.update(state)
    if saved is None:
        return
    device = saved["device"]
    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"The model was trained on {device!r} but no CUDA devices are available; "
            "it is loaded on the CPU (set device='cpu' to train it further here).",
            DeviceWarning,
            stacklevel=3,
        )
        device = "cpu"
    split_seed = saved["split_seed"]
    seed = 0 if split_seed is None else split_seed
    # the initial weights are replaced below; the lock keeps another thread's fit from
    # drawing while the global generator is forked
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        net = est._rebuilt_net(seed, device, getattr(torch, saved["dtype"]), saved["max_epochs"])
    net.module_.load_state_dict(from_plain(saved["module"], device))
    net.module_.train(saved["training"])
    net.optimizer_.load_state_dict(from_plain(saved["optimizer"], device))
    # the network was rebuilt from the current parameters, but its optimizer holds the
    # rate and settings it trained with: a continued fit compares with those, so an lr
    # set after the fit (and before saving) is applied as it would be without the save
    built = getattr(net, "built_params_", None)
    if built is not None and net.optimizer_.param_groups:
        group = net.optimizer_.param_groups[0]
        if "lr" in built:
            built["lr"] = group["lr"]
        for key in [k for k in built if k.startswith("optimizer__")]:
            if key.removeprefix("optimizer__") in group:
                built[key] = group[key.removeprefix("optimizer__")]
    net.history = SeqPoolHistory(from_plain(saved["history"]))
    if saved["generator"] is not None:
        net.shuffle_generator.set_state(from_plain(saved["generator"]))
    est.net_ = net
    est.module_ = net.module_
    est.history_ = net.history
