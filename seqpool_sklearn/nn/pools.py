"""Pool types: one self-describing class each, in one registry.

A pool type is a subclass of :class:`Pool`. It is built as ``MyPool(n_features)`` and
called on the windows of a map: ``forward(h, mask)`` with ``h`` of shape
``(batch, n_features, n_frames, k)`` (unobserved steps are 0) and ``mask`` of shape
``(batch, n_frames, k)`` (``True`` where observed); it returns ``(batch, n_features,
n_frames)``. ``window=None`` is one frame of ``k = T`` steps. Windows without an observed
step pool to 0 whatever the pool returns for them; the pool sees such a window as ``k``
observed zeros, so a pool written for observed data (a division by the count, a root of a
mean) neither divides by zero there nor passes NaN gradients back. A pool with
``nn.Parameter``\\ s is trained with the head.

What the rest of the package needs to know, a pool declares:

- :attr:`Pool.summary` -- its one-line description (the docs and ``--help`` show it);
- :meth:`Pool.shares` -- its exact per-step split, if it has one: ``explain`` then
  decomposes the output exactly; without it, ``explain`` uses integrated gradients;
- :attr:`Pool.linear` -- whether it commutes with a linear map (the average and the sum
  do); the two head orders are then the same function without an activation if it also
  keeps constants (weights summing to one, as the average), the decoder being affine;
- :attr:`Pool.fast` -- the key of a reduction that an encoder may compute directly,
  without building its maps (the random-convolution encoder's ``fast_pools``);
- :attr:`Pool.separable` -- whether a channel's pooled value depends on that channel's
  steps only (an attention score reads every channel); False unless the class that
  writes ``forward`` declares it, since an encoder that pools its maps in channel blocks
  would otherwise split a pool that reads across channels.

The built-ins are registered with :func:`register_pool`, the same door a user's class can
go through to get a name; a user's class can also be passed as ``pool=`` directly.
"""

from __future__ import annotations

import torch
from torch import nn

from .. import _options
from .masks import split_windows
from .registry import Registry, check_distinct_labels, label


class Pool(nn.Module):
    """Base class of pool types: pool each window of observed steps.

    Subclass it and pass the class as ``pool=`` (see the module docs for the contract).

    Parameters
    ----------
    n_features : int
        Channels of the maps it pools.

    Examples
    --------
    A generalised-mean (GeM) pool with a learned power:

    >>> import torch
    >>> from seqpool_sklearn import Pool
    >>> class GeM(Pool):
    ...     summary = "generalised mean with a learned power"
    ...     def __init__(self, n_features):
    ...         super().__init__(n_features)
    ...         self.p = torch.nn.Parameter(torch.tensor(3.0))
    ...     def forward(self, h, mask):
    ...         m = mask.unsqueeze(1).to(h.dtype)
    ...         size = h.abs() * m
    ...         # powered relative to the window's largest |h|: exact at any scale
    ...         scale = size.amax(-1)
    ...         rel = size / scale.clamp_min(torch.finfo(h.dtype).tiny).unsqueeze(-1)
    ...         mean = rel.pow(self.p).sum(-1) / m.sum(-1).clamp_min(1)
    ...         # an all-zero window: mean 0 and scale 0; the clamp keeps the root's gradient finite
    ...         return mean.clamp_min(torch.finfo(h.dtype).tiny).pow(1 / self.p) * scale
    >>> GeM(4)(torch.ones(2, 4, 1, 5), torch.ones(2, 1, 5, dtype=torch.bool)).shape
    torch.Size([2, 4, 1])
    """

    #: Registered name (None for a class passed by itself; results then show its class name).
    #: Read from the class itself: a subclass does not inherit its parent's name.
    name: str | None = None
    #: One line for the docs and the command line.
    summary: str = ""
    #: Commutes with a linear map (``pool(W h) == W pool(h)``). Not inherited by a subclass
    #: that overrides ``forward``: it declares it again if its forward is linear too. A
    #: ridge readout under ``decode_first`` relies on it (and ``fit`` checks it there).
    linear: bool = False
    #: A channel's pooled value reads that channel's steps only, so that an encoder may pool
    #: its maps a block of channels at a time (``"hydra"``; the random-convolution encoders'
    #: biased maps). False unless declared; like ``linear``, not inherited by a subclass
    #: that overrides ``forward``. A pool with parameters is pooled over whole maps anyway.
    separable: bool = False
    #: Key of a reduction an encoder may compute without its maps (see ``Encoder.fast_pools``).
    fast: str | None = None
    #: The maps it asks of an encoder that offers several kinds (None: the encoder's own).
    encoder_maps: str | None = None
    #: Its pooled values are counts, fractions or ranks with little spread between series:
    #: a ``decode_first`` head standardises them (:class:`~seqpool_sklearn.nn.head.FrameNorm`)
    #: and drops out the pooled frames instead of the steps.
    standardise_decoded: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # ``linear`` is a claim about ``forward``: a subclass that writes its own forward
        # (``2 * avg + 5`` under AvgPool) does not inherit it, or a ridge readout and the
        # head-order shortcuts would take its function for the parent's. It says so itself.
        # So is ``separable``: pooled block by block, a forward that reads across channels
        # would silently compute something else than over the whole maps.
        for claim in ("linear", "separable"):
            # its forward comes from a class below the claim, or a mixin
            if getattr(cls, claim) and not _declared_with_forward(cls, claim):
                setattr(cls, claim, False)

    def __init__(self, n_features: int):
        super().__init__()
        self.n_features = int(n_features)

    @classmethod
    def build(cls, n_features: int, *, lp_power: float = 3.0) -> Pool:
        """Construct the pool for the head; built-ins with options override this."""
        return cls(n_features)

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} must implement forward(h, mask).")

    def shares(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Per-step shares ``(batch, n_features, n_frames, k)`` summing to :meth:`forward`.

        Only pools with an exact split implement it (see :meth:`has_shares`).
        """
        raise NotImplementedError(f"{type(self).__name__} declares no exact per-step split.")

    @classmethod
    def has_shares(cls) -> bool:
        """Whether the class declares :meth:`shares` (an exact split for ``explain``).

        A subclass that overrides ``forward`` but inherits ``shares`` computes something
        else than the split it inherits: it has none.
        """
        return cls.shares is not Pool.shares and _declared_with_forward(cls, "shares")

    def fast_keys(self) -> tuple[str, ...]:
        """The encoder reductions that compute this pool without the maps (``fast``).

        None for a subclass that overrides ``forward`` but inherits ``fast``: the encoder's
        reduction is its parent's pool, not its own.
        """
        if self.fast is None or not _declared_with_forward(type(self), "fast"):
            return ()
        return (self.fast,)

    @property
    def learned(self) -> bool:
        """Whether the pool has parameters (trained with the head)."""
        return any(True for _ in self.parameters())

    @property
    def blockwise(self) -> bool:
        """Whether the maps may be pooled a block of channels at a time.

        Only a :attr:`separable` pool without parameters: a pool's parameters are sized
        for all ``n_features`` channels, not for a block of them.
        """
        return bool(self.separable) and not self.learned


def _declared_with_forward(cls: type, name: str) -> bool:
    """Whether ``name`` is declared by the class that declares ``forward`` or a subclass."""

    def declaring(attr: str) -> type:
        return next(c for c in cls.__mro__ if attr in vars(c))

    return issubclass(declaring(name), declaring("forward"))


POOL_REGISTRY = Registry("pool", Pool)
#: The values of ``Pool.encoder_maps``: the encoder's own maps, or its biased convolutions.
ENCODER_MAPS = (None, "biased")


def register_pool(cls: type[Pool]) -> type[Pool]:
    """Register a :class:`Pool` subclass under its ``name``; usable as a class decorator.

    Examples
    --------
    >>> from seqpool_sklearn.nn.pools import POOL_REGISTRY
    >>> sorted(POOL_REGISTRY)
    ['attention', 'avg', 'logmpv', 'lp', 'lspv', 'max', 'mipv', 'mpv', 'ppv']
    """
    return POOL_REGISTRY.register(cls)


def resolve_pool(spec) -> type[Pool]:
    """The :class:`Pool` class of ``pool=``: a registered name or a Pool subclass."""
    return POOL_REGISTRY.resolve(spec)


def pool_label(spec) -> str:
    """How results and plots name ``pool=``: ``"ppv+lspv"`` for a tuple of pools."""
    if isinstance(spec, (tuple, list)):
        return "+".join(label(m) for m in spec)
    return label(spec)


def pool_windows(
    pool: Pool, h: torch.Tensor, mask: torch.Tensor, window: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pool the windows of ``h`` (B, H, T): frames (B, H, n_frames) and validity (B, n_frames).

    Unobserved steps are zeroed before ``pool`` sees them; frames without an observed
    step are 0. ``pool`` sees such a frame as ``k`` observed zeros (see
    :func:`_safe_windows`), so that what it computes there -- discarded -- stays finite
    and passes no NaN gradient back.
    """
    hw, mw = split_windows(h, mask, window)  # (B,H,F,k), (B,F,k)
    hw, seen, valid = _safe_windows(hw, mw)
    out = pool(hw, seen)
    return torch.where(valid.unsqueeze(1), out, torch.zeros_like(out)), valid


def _safe_windows(
    hw: torch.Tensor, mw: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Windows as a pool sees them: unobserved steps zeroed, empty windows all observed.

    A window without an observed step pools to 0 whatever the pool returns, but its
    gradient still passes through the pool: ``torch.where`` sends a zero gradient to the
    discarded value, and zero times an infinite derivative is NaN. A pool written for
    observed data (a root of a mean of zero, a division by the count) has such
    derivatives at an empty window and would turn every gradient of the batch into NaN.
    Shown as ``k`` observed zeros instead, the window has no step a pool cannot read;
    its value is still discarded, and its zeroed steps pass no gradient back to ``h``.
    Returns the windows, the mask the pool sees and each window's validity (B, F).
    """
    valid = mw.any(dim=-1)
    hw = hw * mw.unsqueeze(1).to(hw.dtype)
    return hw, mw | ~valid.unsqueeze(-1), valid


def window_shares(
    pool: Pool, h: torch.Tensor, mask: torch.Tensor, window: int | None
) -> torch.Tensor:
    """:meth:`Pool.shares` of the windows of ``h`` (B, H, T), zero for empty windows."""
    hw, mw = split_windows(h, mask, window)
    hw, seen, valid = _safe_windows(hw, mw)
    shares = pool.shares(hw, seen)
    return torch.where(valid[:, None, :, None], shares, torch.zeros_like(shares))


class MaskedPool(nn.Module):
    """A pool of a given type and window over whole maps: ``(B, H, T) -> (B, H, n_frames)``.

    Parameters
    ----------
    pool : str or Pool subclass
    n_features : int
    window : int or None
    lp_power : float, default=3.0

    Examples
    --------
    >>> import torch
    >>> frames, valid = MaskedPool("avg", 2, 4)(torch.ones(1, 2, 10), torch.ones(1, 10) > 0)
    >>> frames.shape, valid.tolist()
    (torch.Size([1, 2, 3]), [[True, True, True]])
    """

    def __init__(self, pool, n_features: int, window: int | None, lp_power: float = 3.0):
        super().__init__()
        self.pool = make_pool(pool, n_features, lp_power=lp_power)
        self.window = window

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return pool_windows(self.pool, h, mask, self.window)


def _float_mask(h: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m = mask.unsqueeze(1).to(h.dtype)  # (B,1,F,k)
    return m, m.sum(dim=-1)  # counts (B,1,F)


@register_pool
class AvgPool(Pool):
    """Average of the observed steps."""

    name = "avg"
    summary = "average of the observed steps"
    linear = True
    fast = "avg"
    separable = True

    def forward(self, h, mask):
        _, count = _float_mask(h, mask)
        return h.sum(dim=-1) / count.clamp_min(1.0)

    def shares(self, h, mask):
        _, count = _float_mask(h, mask)
        return h / count.clamp_min(1.0).unsqueeze(-1)


@register_pool
class MaxPool(Pool):
    """Maximum over the observed steps."""

    name = "max"
    summary = "maximum over the observed steps"
    fast = "max"
    separable = True

    def forward(self, h, mask):
        return h.masked_fill(~mask.unsqueeze(1), torch.finfo(h.dtype).min).amax(dim=-1)

    def shares(self, h, mask):
        # the whole maximum goes to the first step that attains it
        filled = h.masked_fill(~mask.unsqueeze(1), torch.finfo(h.dtype).min)
        first = filled.argmax(dim=-1, keepdim=True)
        onehot = torch.zeros_like(h).scatter_(-1, first, 1.0)
        return h * onehot * mask.unsqueeze(1).to(h.dtype)


@register_pool
class LpPool(Pool):
    """Power mean ``(mean |h|^p)^(1/p)`` over the observed steps, ``p = lp_power``."""

    name = "lp"
    summary = "power mean (mean |h|^p)^(1/p) over the observed steps, p = lp_power"
    separable = True

    def __init__(self, n_features: int, power: float = 3.0):
        super().__init__(n_features)
        self.lp_power = float(power)

    @classmethod
    def build(cls, n_features, *, lp_power=3.0):
        return cls(n_features, lp_power)

    def _powered(self, h, mask):
        # |h|^p relative to the window's largest |h|: the power mean is positively
        # homogeneous, so ``scale * (mean (|h|/scale)^p)^(1/p)`` is the same number, and it
        # neither underflows for small values (|1e-12|^3 is 0 in float32 once p grows) nor
        # overflows for large ones. A window that is 0 throughout (ReLU steps, unobserved
        # steps) gets scale 0 and pools to exactly 0.
        _, count = _float_mask(h, mask)
        size = h.abs().masked_fill(~mask.unsqueeze(1), 0.0)
        scale = size.amax(dim=-1, keepdim=True)
        safe = torch.where(scale > 0, scale, torch.ones_like(scale))
        return (size / safe).pow(self.lp_power), count, scale.squeeze(-1)

    def forward(self, h, mask):
        powered, count, scale = self._powered(h, mask)
        mean = powered.sum(dim=-1) / count.clamp_min(1.0)
        # mean >= 1/count wherever scale > 0; elsewhere the root is taken of 1 instead of 0
        # (whose root has an infinite derivative), and the product with scale 0 gives 0 with a
        # zero gradient
        return torch.where(scale > 0, mean, torch.ones_like(mean)).pow(1.0 / self.lp_power) * scale

    def shares(self, h, mask):
        # each step's share of the frame, in proportion to its |h|^p
        powered, _, _ = self._powered(h, mask)
        total = powered.sum(-1, keepdim=True)
        tiny = torch.finfo(h.dtype).tiny
        frames = self.forward(h, mask).unsqueeze(-1)
        return powered / total.clamp_min(tiny) * frames


@register_pool
class AttentionPool(Pool):
    """A learned score per step, softmax-normalised over the observed steps of each window."""

    name = "attention"
    summary = "learned softmax weights over the observed steps"
    separable = False

    def __init__(self, n_features: int):
        super().__init__(n_features)
        self.score = nn.Linear(n_features, 1)

    def weights(self, h, mask):
        """Softmax weights (B, 1, F, k) of the observed steps of each window."""
        scores = self.score(h.permute(0, 2, 3, 1)).squeeze(-1)  # (B,F,k)
        scores = scores.masked_fill(~mask, torch.finfo(h.dtype).min)
        return torch.softmax(scores, dim=-1).unsqueeze(1)

    def forward(self, h, mask):
        m, _ = _float_mask(h, mask)
        return (h * self.weights(h, mask) * m).sum(dim=-1)

    def shares(self, h, mask):
        m, _ = _float_mask(h, mask)
        return h * self.weights(h, mask) * m


class CombinedPool(Pool):
    """Several pools side by side: their pooled features concatenated, pool by pool.

    ``pool=("ppv", "lspv")`` (any tuple of pool names or Pool subclasses) gives
    ``(batch, n_pools * n_features, n_frames)``; results name it ``"ppv+lspv"``.
    """

    summary = "the pooled features of several pools, concatenated"

    def __init__(self, n_features: int, members: list[Pool]):
        super().__init__(n_features)
        self.members = nn.ModuleList(members)
        self.linear = all(p.linear for p in members)
        self.separable = all(p.separable for p in members)
        wanted = {p.encoder_maps for p in members} - {None}
        self.encoder_maps = "biased" if "biased" in wanted else next(iter(wanted), None)

    def forward(self, h, mask):
        return torch.cat([p(h, mask) for p in self.members], dim=1)

    def shares(self, h, mask):
        return torch.cat([p.shares(h, mask) for p in self.members], dim=1)

    def has_shares(self) -> bool:  # type: ignore[override]
        return all(p.has_shares() for p in self.members)

    def fast_keys(self) -> tuple[str, ...]:
        keys = tuple(k for p in self.members for k in p.fast_keys())
        return keys if len(keys) == len(self.members) else ()


def pool_members(spec) -> tuple:
    """The pools of ``pool=``: a tuple's members, else the one pool."""
    return tuple(spec) if isinstance(spec, (tuple, list)) else (spec,)


def built_members(pool: nn.Module) -> list:
    """The pools of a built pool: a tuple's (``CombinedPool``) members, else the pool."""
    return list(getattr(pool, "members", [pool]))


def make_pool(spec, n_features: int, *, lp_power: float = 3.0) -> Pool:
    """Build the pool of ``pool=`` (a name, a Pool subclass or a tuple of them)."""
    members = pool_members(spec)
    if isinstance(spec, (tuple, list)):
        check_pool(tuple(spec))
        built = [_build(resolve_pool(m), n_features, lp_power) for m in members]
        return CombinedPool(n_features, built)
    return _build(resolve_pool(spec), n_features, lp_power)


def check_encoder_maps(cls: type[Pool]) -> None:
    """Refuse an ``encoder_maps`` no encoder knows (a misspelt ``"biased"``)."""
    if cls.encoder_maps not in ENCODER_MAPS:
        raise ValueError(
            f"{cls.__name__}.encoder_maps must be one of {ENCODER_MAPS}; got {cls.encoder_maps!r}."
        )


def _build(cls: type[Pool], n_features: int, lp_power: float) -> Pool:
    check_encoder_maps(cls)
    return POOL_REGISTRY.build(cls, "MyPool(n_features)", (n_features,), lp_power=lp_power)


def check_pool(spec) -> None:
    """Check ``pool=`` without building it: a name, a Pool subclass, or a tuple of them."""
    if isinstance(spec, tuple):
        if len(spec) < 2:
            raise ValueError(
                f"A combined pool needs at least two pools; got {spec!r}. Pass a single "
                "pool by its name or class."
            )
        classes = [resolve_pool(m) for m in spec]
        if len(set(classes)) < len(classes):
            raise ValueError(f"A combined pool must not repeat a pool; got {spec!r}.")
        check_distinct_labels(spec, "pool", resolve_pool)
    for member in pool_members(spec):
        resolve_pool(member)


def pool_width(spec, n_features: int) -> int:
    """Features a pool of ``pool=`` returns for ``n_features`` channels."""
    return n_features * len(pool_members(spec))


from . import multirocket_pools  # noqa: E402, F401 - registers ppv, mpv, logmpv, mipv, lspv

if set(POOL_REGISTRY) != set(_options.POOLS):  # pragma: no cover - a maintainer's slip
    raise RuntimeError(
        f"The registered pools {tuple(POOL_REGISTRY)} differ from _options.POOLS "
        f"{_options.POOLS}; add the new pool's name there too."
    )
