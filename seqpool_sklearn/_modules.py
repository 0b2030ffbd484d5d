"""The torch modules under their earlier import path; they live in :mod:`seqpool_sklearn.nn`."""

from ._options import ACTIVATIONS, DEFAULT_ENCODER_CHANNELS, ENCODERS, ORDERS, POOLS
from .nn.encoders import (
    ConvEncoder,
    GRUEncoder,
    IdentityEncoder,
    MaskedBatchNorm1d,
    RandomConvEncoder,
    SameConv1d,
)
from .nn.head import SeqPoolHead
from .nn.masks import matmul_conv1d as _matmul_conv1d
from .nn.masks import n_frames_for, observed_mask
from .nn.masks import recording_graph as _recording_graph
from .nn.masks import split_windows as _split_windows
from .nn.module import SeqPoolModule
from .nn.pools import MaskedPool

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_ENCODER_CHANNELS",
    "ENCODERS",
    "ORDERS",
    "POOLS",
    "ConvEncoder",
    "GRUEncoder",
    "IdentityEncoder",
    "MaskedBatchNorm1d",
    "MaskedPool",
    "RandomConvEncoder",
    "SameConv1d",
    "SeqPoolHead",
    "SeqPoolModule",
    "_matmul_conv1d",
    "_recording_graph",
    "_split_windows",
    "n_frames_for",
    "observed_mask",
]
