"""The names of the built-in options, and the estimators' defaults, without torch.

The command line shows these in ``--help`` and checks its arguments against them before
torch, scipy or scikit-learn is imported. The torch side registers one class per name
(:mod:`seqpool_sklearn.nn.pools`, :mod:`seqpool_sklearn.nn.encoders`); a test checks that
the registries and these tuples name the same options, and that the estimators'
``__init__`` defaults are :data:`DEFAULTS`.
"""

from __future__ import annotations

ORDERS = ("pool_first", "decode_first")
ACTIVATIONS = ("relu", "gelu", "tanh")
# Built-in pool types, in the order the docs and the command line list them.
POOLS = ("avg", "max", "lp", "attention", "ppv", "mpv", "logmpv", "mipv", "lspv")
# Built-in encoders (``encoder=None`` puts the head on the raw channels).
ENCODERS = (
    "minirocket",
    "minirocket_alternating",
    "multirocket",
    "hydra",
    "multirocket_hydra",
    "conv",
    "gru",
)
# Width of each built-in encoder when ``encoder_channels=None``.
DEFAULT_ENCODER_CHANNELS = {
    "minirocket": 9996,
    "minirocket_alternating": 9996,
    "multirocket": 9996,
    "hydra": 64,
    "multirocket_hydra": 9996,
    "conv": 64,
    "gru": 64,
}
# What that width builds, in the words of the command line's help: MultiRocket's two
# branches each round half the width down to a multiple of 84 (9996 -> 2 x 4956 maps), and
# Hydra's width counts groups per dilation, not maps.
DEFAULT_ENCODER_BUILT = {
    "minirocket": "9996 maps",
    "minirocket_alternating": "9996 maps",
    "multirocket": "9912 maps",
    "hydra": "64 groups per dilation",
    "multirocket_hydra": "9912 maps + 64 Hydra groups per dilation",
    "conv": "64",
    "gru": "64",
}

# The keyword defaults of SeqPoolClassifier / SeqPoolRegressor that the command line shows
# (the optimizer class is left out: it is a torch object).
DEFAULTS = {
    "order": "pool_first",
    "pool": "avg",
    "window": None,
    "encoder": "minirocket",
    "hidden_size": None,
    "activation": "relu",
    "dropout": 0.5,
    "lp_power": 3.0,
    "encoder_channels": None,
    "bidirectional": True,
    "readout": "trained",
    "companion": None,
    "companion_weight": 0.5,
    "max_epochs": 100,
    "lr": 0.0003,
    "lr_schedule": "cosine",
    "batch_size": 32,
    "patience": None,
    "validation_fraction": 0.1,
    "callbacks": None,
    "warm_start": False,
    "random_state": None,
    "device": "cpu",
    "n_threads": "auto",
    "verbose": 0,
    "dtype": "float32",
}


# ``hidden_size=None``: the decoder's width, by the number of classes (see
# :func:`default_hidden_size`; measured on the benchmarks page).
HIDDEN_SIZE = 64
MANY_CLASSES = 7
MANY_CLASSES_HIDDEN_SIZE = 128


def default_hidden_size(n_classes: int | None) -> int:
    """The decoder width of ``hidden_size=None``: 64, or 128 for 7 classes or more.

    ``n_classes`` None: a regressor (64).

    Examples
    --------
    >>> default_hidden_size(2), default_hidden_size(12), default_hidden_size(None)
    (64, 128, 64)
    """
    if n_classes is not None and n_classes >= MANY_CLASSES:
        return MANY_CLASSES_HIDDEN_SIZE
    return HIDDEN_SIZE


def choices_doc(names: tuple[str, ...], extra: str = "") -> str:
    """numpydoc's ``{"a", "b"}`` for a parameter's options, plus ``extra`` alternatives.

    Examples
    --------
    >>> choices_doc(ORDERS, "a list of them")
    '{"pool_first", "decode_first"} or a list of them'
    """
    text = "{" + ", ".join(f'"{n}"' for n in names) + "}"
    return f"{text} or {extra}" if extra else text
