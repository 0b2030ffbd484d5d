"""Encoders: one file each, registered through :func:`register_encoder`.

``encoder=None`` is :class:`IdentityEncoder` (the raw channels). A user's own encoder is a
subclass of :class:`Encoder` passed as ``encoder=`` (see :mod:`.base` for the contract).
"""

import importlib
import pkgutil

from ... import _options
from .base import (
    ENCODER_REGISTRY,
    Encoder,
    call_fit_data,
    register_encoder,
    resolve_encoder,
)
from .combined import CombinedEncoder, MultiRocketHydraEncoder
from .conv import ConvEncoder, MaskedBatchNorm1d, SameConv1d
from .gru import GRUEncoder
from .hydra import HydraEncoder
from .identity import IdentityEncoder
from .minirocket import RandomConvEncoder
from .minirocket_alternating import AlternatingPaddingEncoder
from .multirocket import MultiRocketEncoder

# Every file of this folder is imported, so that a new encoder registers itself: adding
# one is writing its file (and its name in _options.ENCODERS, for the command line).
# Private files register nothing and are left to their users: ``_rocket_numba`` imports
# numba and compiles when the kernel first runs, not when the package is imported.
for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

if set(ENCODER_REGISTRY) != set(_options.ENCODERS):  # pragma: no cover - a maintainer's slip
    raise RuntimeError(
        f"The registered encoders {tuple(ENCODER_REGISTRY)} differ from _options.ENCODERS "
        f"{_options.ENCODERS}; add the new encoder's name there too."
    )

__all__ = [
    "ENCODER_REGISTRY",
    "AlternatingPaddingEncoder",
    "CombinedEncoder",
    "ConvEncoder",
    "Encoder",
    "GRUEncoder",
    "HydraEncoder",
    "IdentityEncoder",
    "MultiRocketEncoder",
    "MultiRocketHydraEncoder",
    "MaskedBatchNorm1d",
    "RandomConvEncoder",
    "SameConv1d",
    "call_fit_data",
    "register_encoder",
    "resolve_encoder",
]
