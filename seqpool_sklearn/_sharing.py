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
it was built with (those ``set_params`` changed since the fit are saved at their built
values too) and puts the arrays back: predictions are identical, and a warm start or
``partial_fit`` continues the optimizer where it stopped, applying or refusing the
changed parameters as it would without the save.

What the portable state leaves out is the internal state of the training callbacks
(early stopping's counters, a user's checkpoint): each fit starts them afresh anyway.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np
import torch
from skorch.exceptions import DeviceWarning

from ._net import _GLOBAL_RNG_LOCK, SeqPoolHistory, _dtype_name, _module_dtype
from ._validation import _callers_stacklevel, _columns_from_plain, _columns_to_plain

PORTABLE_KEY = "_seqpool_portable_state"
"""Marks a portable state (its value is the format version)."""

PORTABLE_VERSION = 3
"""2: fit's column labels may be stored level by level (a MultiIndex), as UTC dates and a
zone, or as period ordinals; a reader of format 1 would misread them, so it refuses them.
3: the training history is stored by columns (see :func:`history_to_plain`); a reader of
format 2 expects a list of epochs, so it refuses them."""

# format 1 stored flat labels only, which format 2 reads as such; formats 1 and 2 stored
# the history as a list of epochs, which format 3 reads as such
READABLE_VERSIONS = (1, 2, 3)

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


_HISTORY_LAYOUT = "columns"


def _column_to_plain(values: list) -> tuple:
    """One key's values over a list of records, as a tagged numpy array where they allow.

    Python floats, ints (of int64's range) and bools become one array each; lists of
    records (an epoch's batches) become one table of all their records and the length of
    each list; any other column is kept as its list.
    """
    kinds = {type(v) for v in values}
    if kinds == {float}:
        return ("float64", np.asarray(values, dtype=np.float64))
    if kinds == {bool}:
        return ("bool", np.asarray(values, dtype=bool))
    if kinds == {int} and all(-(2**63) <= v < 2**63 for v in values):
        return ("int64", np.asarray(values, dtype=np.int64))
    if kinds == {list} and all(_are_records(v) for v in values):
        lengths = np.asarray([len(v) for v in values], dtype=np.int64)
        return ("records", lengths, _records_to_plain([r for v in values for r in v]))
    return ("values", list(values))


def _column_from_plain(column: tuple) -> list:
    kind = column[0]
    if kind in ("float64", "bool", "int64"):
        return np.asarray(column[1]).tolist()  # Python floats, bools and ints again
    if kind == "records":
        records = _records_from_plain(column[2])
        ends = np.cumsum(np.asarray(column[1], dtype=np.int64)).tolist()
        return [records[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    if kind == "values":
        return list(column[1])
    raise ValueError(f"Unknown history column kind {kind!r} in a portable state.")


def _are_records(value: Any) -> bool:
    """Whether ``value`` is a list of dicts keyed by strings (history epochs or batches)."""
    return isinstance(value, list) and all(
        type(r) is dict and all(isinstance(k, str) for k in r) for r in value
    )


def _records_to_plain(records: list[dict]) -> dict:
    """A list of dicts by columns: each dict's keys (in order) and one column per key."""
    schemas: dict[tuple[str, ...], int] = {}
    columns: dict[str, list] = {}
    which = []
    for record in records:
        which.append(schemas.setdefault(tuple(record), len(schemas)))
        for key, value in record.items():
            columns.setdefault(key, []).append(value)
    return {
        "keys": [list(keys) for keys in schemas],
        "keys_of": np.asarray(which, dtype=np.int64),
        "columns": {key: _column_to_plain(values) for key, values in columns.items()},
    }


def _records_from_plain(plain: dict) -> list[dict]:
    columns = {key: iter(_column_from_plain(c)) for key, c in plain["columns"].items()}
    schemas = [list(keys) for keys in plain["keys"]]
    return [
        {key: next(columns[key]) for key in schemas[i]}
        for i in np.asarray(plain["keys_of"]).tolist()
    ]


def history_to_plain(history: list) -> Any:
    """The training history (epochs of records), stored by columns.

    The per-batch records make a long history: as a list of dicts, skops writes every
    value as its own JSON node (megabytes for a default fit). By columns, each key's
    values are one array, and :func:`history_from_plain` gives back the same records,
    keys in the same order and values of the same types. A history that is not a list of
    records keyed by strings is kept as :func:`to_plain` gives it.
    """
    plain = to_plain([dict(epoch) for epoch in history])
    if not _are_records(plain):
        return plain
    return {"layout": _HISTORY_LAYOUT, "epochs": _records_to_plain(plain)}


def history_from_plain(plain: Any) -> list:
    """Inverse of :func:`history_to_plain` (a list of epochs, as format 2 stored it, too)."""
    if isinstance(plain, dict) and plain.get("layout") == _HISTORY_LAYOUT:
        plain = _records_from_plain(plain["epochs"])
    return from_plain(plain)


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


class _Unset:
    """A parameter the estimator did not have (a routed keyword set later): one instance."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET_PARAM = _Unset()
_UNSET_PLAIN = ("__seqpool_unset__",)


def _same_param(a: Any, b: Any) -> bool:
    from .estimators.training import _same

    return _same(a, b)


def _param_to_plain(key: str, value: Any) -> Any:
    if value is _UNSET_PARAM:
        return _UNSET_PLAIN
    return _optimizer_to_plain(value) if key == "optimizer" else to_plain(value)


def _param_from_plain(key: str, value: Any) -> Any:
    if value == _UNSET_PLAIN:
        return _UNSET_PARAM
    return _optimizer_from_plain(value) if key == "optimizer" else from_plain(value)


@contextlib.contextmanager
def _params_set(est: Any, params: dict):
    """``est`` with ``params`` set (an unset one removed) for the block, then as it was."""
    routed = dict(getattr(est, "_routed", {}))
    attrs = {k: est.__dict__.get(k, _UNSET_PARAM) for k in params if k not in routed}
    try:
        for key, value in params.items():
            if key in routed or key not in est.__dict__ and "__" in key:
                if value is _UNSET_PARAM:
                    est._routed.pop(key, None)
                else:
                    est._routed[key] = value
            elif value is _UNSET_PARAM:
                est.__dict__.pop(key, None)
            else:
                setattr(est, key, value)
        yield
    finally:
        est._routed = routed
        for key, value in attrs.items():
            if value is _UNSET_PARAM:
                est.__dict__.pop(key, None)
            else:
                setattr(est, key, value)


def portable_state(est: Any, state: dict) -> dict:
    """The portable version of ``state`` (the estimator's pickle state)."""
    out = {k: v for k, v in state.items() if k != "net_"}
    out["optimizer"] = _optimizer_to_plain(out.get("optimizer"))
    if isinstance(out.get("device"), torch.device):
        out["device"] = str(out["device"])
    for key in ("_routed", "_rng_state"):
        if key in out:
            out[key] = to_plain(out[key])
    if "_columns" in out:
        out["_columns"] = _columns_to_plain(out["_columns"])
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
            "history": history_to_plain(net.history),
            "generator": None if generator is None else to_plain(generator.get_state()),
        }
        built = getattr(net, "built_params_", None)
        if built is not None:
            # the parameters the network was built from, where set_params changed them
            # since: the network is rebuilt from these, and a continued fit compares
            # with them, as it would without the save
            now = est.get_params(deep=False)
            out["net_"]["built_changed"] = {
                key: _param_to_plain(key, built.get(key, _UNSET_PARAM))
                for key in sorted(set(built) | set(now))
                if not _same_param(built.get(key, _UNSET_PARAM), now.get(key, _UNSET_PARAM))
            }
    out[PORTABLE_KEY] = PORTABLE_VERSION
    return out


def restore_portable(est: Any, state: dict) -> None:
    """Set ``est`` from a portable state, rebuilding its network."""
    state = dict(state)
    version = state.pop(PORTABLE_KEY)
    if version not in READABLE_VERSIONS:
        raise ValueError(
            f"This file holds a {type(est).__name__} state of format {version}; this "
            f"version of seqpool_sklearn reads formats "
            f"{', '.join(map(str, READABLE_VERSIONS))}."
        )
    saved = state.pop("net_", None)
    state["optimizer"] = _optimizer_from_plain(state.get("optimizer"))
    for key in ("_routed", "_rng_state"):
        if key in state:
            state[key] = from_plain(state[key])
    if "_columns" in state:
        state["_columns"] = _columns_from_plain(state["_columns"])
    est.__dict__.update(state)
    if saved is None:
        return
    device = saved["device"]
    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"The model was trained on {device!r} but no CUDA devices are available; "
            "it is loaded on the CPU (set device='cpu' to train it further here).",
            DeviceWarning,
            stacklevel=_callers_stacklevel(),
        )
        device = "cpu"
    split_seed = saved["split_seed"]
    seed = 0 if split_seed is None else split_seed
    changed = saved.get("built_changed")
    changed = None if changed is None else {k: _param_from_plain(k, v) for k, v in changed.items()}
    # the initial weights are replaced below; the lock keeps another thread's fit from
    # drawing while the global generator is forked
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]), _params_set(est, changed or {}):
        # built from the parameters the saved network was built from (its
        # built_params_ then are those), whatever set_params did since
        net = est._rebuilt_net(seed, device, getattr(torch, saved["dtype"]), saved["max_epochs"])
    net.module_.load_state_dict(from_plain(saved["module"], device))
    net.module_.train(saved["training"])
    net.optimizer_.load_state_dict(from_plain(saved["optimizer"], device))
    # a file written before the built parameters were saved: the network was rebuilt
    # from the current parameters, but its optimizer holds the rate and settings it
    # trained with, which a continued fit then compares with
    built = getattr(net, "built_params_", None)
    if changed is None and built is not None and net.optimizer_.param_groups:
        group = net.optimizer_.param_groups[0]
        if "lr" in built:
            built["lr"] = group["lr"]
        for key in [k for k in built if k.startswith("optimizer__")]:
            if key.removeprefix("optimizer__") in group:
                built[key] = group[key.removeprefix("optimizer__")]
    net.history = SeqPoolHistory(history_from_plain(saved["history"]))
    if saved["generator"] is not None:
        net.shuffle_generator.set_state(from_plain(saved["generator"]))
    est.net_ = net
    est.module_ = net.module_
    est.history_ = net.history
