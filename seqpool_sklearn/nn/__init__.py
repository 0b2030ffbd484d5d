"""The torch side: masks and windows, pool types, encoders, the head and the module.

- :mod:`.masks` -- validity masks, windows, frame counts;
- :mod:`.pools` -- :class:`Pool` and the built-in pool types (one class each);
- :mod:`.encoders` -- :class:`Encoder` and one file per built-in encoder;
- :mod:`.head` -- :class:`SeqPoolHead` (order x pool x window);
- :mod:`.module` -- :class:`SeqPoolModule` (encoder + head).
"""

from .encoders import ENCODER_REGISTRY, Encoder, register_encoder, resolve_encoder
from .head import SeqPoolHead
from .masks import n_frames_for, observed_mask, split_windows
from .module import PooledHead, SeqPoolModule
from .pools import POOL_REGISTRY, MaskedPool, Pool, register_pool, resolve_pool

__all__ = [
    "ENCODER_REGISTRY",
    "POOL_REGISTRY",
    "Encoder",
    "MaskedPool",
    "Pool",
    "PooledHead",
    "SeqPoolHead",
    "SeqPoolModule",
    "n_frames_for",
    "observed_mask",
    "register_encoder",
    "register_pool",
    "resolve_encoder",
    "resolve_pool",
    "split_windows",
]
