"""Encoder + head: the network the estimators train, and its head-only view for pooled inputs."""

from __future__ import annotations

import copy
import numbers
import operator
from typing import Any

import numpy as np
import torch
from torch import nn

from .encoders import ENCODER_REGISTRY, IdentityEncoder, call_fit_data, resolve_encoder
from .head import SeqPoolHead
from .masks import n_frames_for, observed_mask, recording_graph, split_windows
from .pools import _safe_windows, built_members, check_encoder_maps, pool_members, resolve_pool

# Largest cache of a frozen encoder's ranks that training ``decode_first`` keeps (see
# ``SeqPoolModule.caches_decoded``); a larger training set recomputes them every batch.
DECODE_CACHE_BYTES = 2**31
# Largest cache of pooled frames that training ``pool_first`` computes to keep (see
# ``SeqPoolModule.pool_inputs``); a larger training set pools them at every batch.
POOLED_CACHE_BYTES = 2**31
# Pooled frames computed at a time while filling that cache: the pooling's working
# memory stays a small part of it (a series' frames do not depend on the others').
POOLED_CHUNK_BYTES = 2**26


def _plain_tensors(module: nn.Module) -> dict:
    """A module's tensor attributes that are neither parameters nor buffers (in its
    ``__dict__``; registered ones live in ``_parameters`` and ``_buffers``)."""
    return {k: v for k, v in vars(module).items() if isinstance(v, torch.Tensor)}


class SeqPoolModule(nn.Module):
    """Encoder + head, built from the data shape and the head hyperparameters.

    Parameters
    ----------
    n_outputs : int
        Classes (logits) or regression targets.
    n_channels : int
        Input channels.
    n_timesteps : int
        Series length used to size windowed heads (ignored when ``window=None``).
    encoder : str, Encoder subclass or None, default="minirocket"
        A registered encoder name (the built-ins: ``"minirocket"``,
        ``"minirocket_alternating"``, ``"multirocket"``, ``"hydra"``, ``"multirocket_hydra"``,
        ``"conv"``, ``"gru"``), an :class:`~seqpool_sklearn.Encoder` subclass, or None for the
        raw channels.
    encoder_channels : int or None, default=None
        The encoder's ``width``: ``"minirocket"``: number of indicator maps (rounded
        down to a multiple of 84, at least 84; ``None`` = 9996); ``"conv"``: width ``w`` (widths
        ``w, 2w, w``; ``None`` = 64); ``"gru"``: hidden size per direction (``None`` =
        64); a user's encoder receives it as ``width``.
    bidirectional : bool, default=True
        GRU only.
    **head
        The head's hyperparameters -- ``order``, ``pool``, ``window``, ``hidden_size``,
        ``activation``, ``dropout``, ``lp_power`` -- passed to :class:`SeqPoolHead` (same
        defaults).

    Examples
    --------
    >>> import torch
    >>> m = SeqPoolModule(3, 2, 10, encoder=None, order="decode_first", window=4)
    >>> m(torch.randn(5, 2, 10)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        n_outputs: int,
        n_channels: int,
        n_timesteps: int,
        *,
        encoder: Any = "minirocket",
        encoder_channels: int | None = None,
        bidirectional: bool = True,
        **head: Any,
    ):
        super().__init__()
        cls = resolve_encoder(encoder)
        # numpy scalars from a grid (np.arange, np.array) as the Python values torch takes
        if isinstance(encoder_channels, numbers.Integral) and not isinstance(
            encoder_channels, bool
        ):
            encoder_channels = operator.index(encoder_channels)
        if isinstance(bidirectional, np.bool_):
            bidirectional = bool(bidirectional)
        maps = {
            getattr(resolve_pool(p), "encoder_maps", None)
            for p in pool_members(head.get("pool", "avg"))
        }
        for pool in pool_members(head.get("pool", "avg")):
            check_encoder_maps(resolve_pool(pool))  # before the encoder is built for them
        self.encoder = ENCODER_REGISTRY.build(
            cls,
            "MyEncoder(n_channels, n_timesteps, width)",
            (n_channels, n_timesteps, encoder_channels),
            bidirectional=bidirectional,
            maps="biased" if "biased" in maps else None,
        )
        width = getattr(self.encoder, "out_channels", None)
        if isinstance(width, numbers.Integral) and not isinstance(width, (bool, np.bool_)):
            width = self.encoder.out_channels = operator.index(width)  # a numpy integer
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise TypeError(
                f"The encoder {cls.__name__} must set self.out_channels to a positive int "
                f"in __init__ (the channels of its output); got {width!r}."
            )
        if getattr(self.encoder, "frozen", False):
            self.encoder.requires_grad_(False)  # out of training, whatever it holds
            self.encoder.eval()  # and computing as at predict (``Encoder.train`` keeps it so)
        self.n_channels = n_channels
        n_frames = n_frames_for(n_timesteps, head.get("window"))
        # the encoder's biased convolutions have no common scale: pooled, they are standardised
        biased = getattr(self.encoder, "maps", None) == "biased"
        self.head = SeqPoolHead(n_outputs, width, n_frames, standardise_frames=biased, **head)
        self.register_buffer("built_dilations", self._dilations())

    # The encoder's dilations follow the length it was built for and are no weights: a
    # buffer records them, so that weights saved (``save_params``) from a network built for
    # another length are refused by :meth:`check_built_like_saved` instead of loading.
    def _dilations(self) -> torch.Tensor:
        """Every encoder part's dilations, each list closed by -1 (int64)."""
        flat = []
        for m in self.encoder.modules():
            if hasattr(m, "dilations"):
                flat += [int(d) for d in m.dilations] + [-1]
        return torch.tensor(flat, dtype=torch.int64)

    def check_built_like_saved(self) -> None:
        """Raise if the loaded ``built_dilations`` differ from this encoder's own."""
        saved = getattr(self, "built_dilations", None)  # None: pickled before it existed
        if saved is None:
            return
        built, saved = self._dilations(), saved.cpu()
        if not torch.equal(saved, built):
            raise ValueError(
                f"The saved state is of a network whose encoder has dilations "
                f"{saved.tolist()}, but this one's are {built.tolist()} (each list ends with "
                "-1): its encoder was built for series of another length. Initialise the "
                "estimator with series of the length the saved model was built for (its "
                "n_timesteps_in_) before load_params."
            )

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
    ):
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
        )
        key = prefix + "built_dilations"
        if key in missing_keys:  # saved before the state held it: nothing to compare
            missing_keys.remove(key)

    @property
    def pools_directly(self) -> bool:
        """Whether the encoder computes the head's pooled frames without building its maps."""
        keys = self.head.pooling.fast_keys()
        return bool(keys) and all(k in getattr(self.encoder, "fast_pools", ()) for k in keys)

    @property
    def pools_by_block(self) -> bool:
        """Whether the encoder pools its maps block by block (a separable pool, no parameters)."""
        return self.head.pooling.blockwise and getattr(self.encoder, "block_pooling", False)

    @property
    def caches_pooled(self) -> bool:
        """Whether training can pool the inputs once: a frozen encoder under a fixed pool.

        Then ``pool_first`` computes the same pooled frames at every epoch, so
        :meth:`pool_inputs` computes them once and :class:`PooledHead` trains the head
        on them, when they fit in ``POOLED_CACHE_BYTES`` (or the encoder kept them).
        """
        frozen = getattr(self.encoder, "frozen", False)
        return frozen and not self.head.pooling.learned and self.head.order == "pool_first"

    def caches_decoded(self, n_samples: int, n_timesteps: int) -> bool:
        """Whether training ``decode_first`` can compute the encoder's part once.

        A frozen encoder that decodes its maps directly (``"minirocket"``) ranks every
        step among its biases the same way at every epoch: :meth:`decode_inputs`
        computes the ranks once, when they fit in ``DECODE_CACHE_BYTES``, and
        :class:`DecodedHead` trains the head on them.
        """
        encoder = self.encoder
        return (
            self.head.order == "decode_first"
            and getattr(encoder, "frozen", False)
            and getattr(encoder, "decodes_directly", False)
            and hasattr(encoder, "decode_cache")
            and encoder.decode_cache_nbytes(n_samples, n_timesteps) <= DECODE_CACHE_BYTES
        )

    @torch.no_grad()
    def decode_inputs(self, x: torch.Tensor, batch_size: int | None = None) -> torch.Tensor:
        """The encoder's cached ranks of ``x`` for :class:`DecodedHead`, one row per series.

        One call of the encoder's ``decode_cache`` on all of ``x``: MiniRocket's fills
        one preallocated tensor a few series at a time, so no chunks are concatenated.

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, time)
        batch_size : int, optional
            Accepted and not used: the encoder works through ``x`` in chunks sized
            by its own memory budget.
        """
        self._check_input(x)
        values, mask = observed_mask(x)
        return self.encoder.decode_cache(values, mask)

    def _check_input(self, x: torch.Tensor) -> None:
        if x.ndim != 3 or x.shape[1] != self.n_channels:
            raise ValueError(
                f"Expected a tensor of shape (batch, {self.n_channels}, time), "
                f"got {tuple(x.shape)}."
            )

    def pooled(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The head's pooled encoder frames (B, C, n_frames) and their validity (B, n_frames)."""
        head = self.head
        # The direct path works through the batch in chunks sized from its shape, which
        # a trace or an export would freeze; they take the encoder's maps instead.
        if not (torch.jit.is_tracing() or torch.compiler.is_compiling()):
            if self.pools_directly:
                parts = [
                    self.encoder.pooled(x, mask, key, head.window)
                    for key in head.pooling.fast_keys()
                ]
                if len(parts) == 1:
                    return parts[0]
                return torch.cat([p for p, _ in parts], dim=1), parts[0][1]
            if self.pools_by_block:
                return self.encoder.pool_blocks(x, mask, head.pooling, head.window)
        return head.pool(self.encoder(x, mask), mask)

    def fit_data(
        self,
        x: torch.Tensor,
        generator: torch.Generator | None = None,
        weight: torch.Tensor | None = None,
    ) -> Any:
        """Let a data-initialised encoder (``"minirocket"``) set itself from training series.

        ``weight`` (per series) weighs the data as in the loss. Encoders without
        ``fit_data`` are left as they are (and None is returned); otherwise its result
        is returned, for :meth:`pool_inputs` to reuse (``Encoder.cached_pooled``).
        """
        if not hasattr(self.encoder, "fit_data"):
            return None
        self._check_input(x)
        values, mask = observed_mask(x)
        if weight is not None and bool((weight == weight[0]).all()):
            weight = None  # equal weights are no weights: the same draws
        before = _plain_tensors(self.encoder)
        fitted = call_fit_data(self.encoder, values, mask, generator, weight)
        after = _plain_tensors(self.encoder)
        set_here = [k for k, v in after.items() if before.get(k) is not v]
        if set_here:
            name = type(self.encoder).__name__
            raise TypeError(
                f"{name}.fit_data set {', '.join(map(repr, set_here))}, a tensor that is not "
                f"a registered buffer or parameter: it would not follow the network to "
                f"another device, and a skops file (which stores the network's state_dict) "
                f"would lose it. Register what fit_data learns: self.register_buffer("
                f"{set_here[0]!r}, ...) in __init__, then fill it in fit_data "
                f"(self.{set_here[0]}.copy_(...) or assignment to the registered name)."
            )
        return fitted

    @torch.no_grad()
    def pool_inputs(
        self,
        x: torch.Tensor,
        batch_size: int = 256,
        fitted: Any = None,
        bounded: bool = False,
    ) -> torch.Tensor | None:
        """Pooled frames of ``x`` packed for :class:`PooledHead`: (B, C + 1, n_frames).

        The last row holds the frames' validity (1.0 or 0.0). ``fitted``, what
        :meth:`fit_data` returned for the same ``x``, spares the pass over ``x`` when
        the encoder kept the frames of this pool (the default head's global averages).
        Otherwise the frames are pooled into one preallocated tensor, ``batch_size``
        series at a time, fewer where their frames would take more than
        ``POOLED_CHUNK_BYTES``. ``bounded``: return None instead of pooling frames
        that would take more than ``POOLED_CACHE_BYTES``.
        """
        self._check_input(x)
        head = self.head
        cached = None
        keys = head.pooling.fast_keys()
        if fitted is not None and len(keys) == 1:
            cached = self.encoder.cached_pooled(fitted, keys[0], head.window)
        if cached is not None:
            pooled, valid = cached
            return torch.cat([pooled, valid.unsqueeze(1).to(pooled.dtype)], dim=1)
        if bounded and len(x) * self._pooled_bytes_per_series(x) > POOLED_CACHE_BYTES:
            return None
        out = None
        for i, pooled, valid in self._pooled_chunks(x, batch_size):
            if out is None:
                shape = (len(x), pooled.shape[1] + 1, pooled.shape[2])
                out = torch.empty(shape, dtype=pooled.dtype, device=pooled.device)
            part = out[i : i + len(pooled)]
            part[:, :-1] = pooled
            part[:, -1] = valid.to(pooled.dtype)
        if out is None:
            raise ValueError(f"Expected at least one series to pool, got {tuple(x.shape)}.")
        return out

    def _pooled_features(self, n_timesteps: int) -> int:
        """Pooled features of one series of ``n_timesteps`` (every frame): what the
        decoder of ``pool_first`` reads, and the ridge readout solves on."""
        # every pool (of a tuple) gives the encoder's channels
        n_pools = len(built_members(self.head.pooling))
        frames = n_frames_for(n_timesteps, self.head.window)
        return int(self.encoder.out_channels) * n_pools * frames

    def _pooled_bytes_per_series(self, x: torch.Tensor) -> int:
        """Bytes of one series' packed pooled frames (see :meth:`pool_inputs`): the
        features, plus the validity row."""
        frames = n_frames_for(x.shape[2], self.head.window)
        return (self._pooled_features(x.shape[2]) + frames) * x.element_size()

    def _pooled_chunks(self, x: torch.Tensor, batch_size: int = 256):
        """The pooled frames of ``x`` as ``(start, pooled, valid)``, a chunk at a time.

        ``batch_size`` series at a time, fewer where their frames would take more than
        ``POOLED_CHUNK_BYTES``.
        """
        step = max(1, min(batch_size, POOLED_CHUNK_BYTES // self._pooled_bytes_per_series(x)))
        for i in range(0, len(x), step):
            values, mask = observed_mask(x[i : i + step])
            pooled, valid = self.pooled(values, mask)
            yield i, pooled, valid

    @torch.no_grad()
    def check_plugins(self, x: torch.Tensor) -> None:
        """Run a user's encoder and pool on a few series and check what they return.

        Each part must return a tensor of its contract's shape, in its input's dtype, and
        finite values for finite input; a pool's ``shares`` must have the shape of its
        windows. The parts run in the network's dtype and again in float64, the dtype
        ``predict`` and ``explain`` compute in. Built-ins are known to keep the contract
        and are not run. Raises a ``TypeError`` or ``ValueError`` naming the class, its
        method and what was expected.
        """
        encoder, pooling = self.encoder, self.head.pooling
        # the package's own classes; a user's class is checked even when registered
        builtin_encoder = type(encoder) in (*ENCODER_REGISTRY.values(), IdentityEncoder)
        builtin_encoder = builtin_encoder and _own(type(encoder))
        members = built_members(pooling)
        user_members = [m for m in members if not builtin_pool(m)]
        if builtin_encoder and not user_members:
            return
        self._check_input(x)
        values, mask = observed_mask(x[:2])
        modes = [m.training for m in self.modules()]
        self.eval()
        try:
            h = self._check_encoder(encoder, values, mask, check=not builtin_encoder)
            self._check_pools(self.head, members, h, mask, user_members)
            if user_members and self.pools_by_block:
                self._check_blockwise(values, mask, h, user_members)
            if values.dtype == torch.float64:
                return
            # predict and explain compute in float64: a plug-in must follow its input
            values64 = values.double()
            if builtin_encoder:
                h64 = h.double()
            else:
                h64 = self._check_encoder(copy.deepcopy(encoder).double(), values64, mask)
            head64 = copy.deepcopy(self.head).double()
            members64 = list(getattr(head64.pooling, "members", [head64.pooling]))
            user64 = [m for m, m0 in zip(members64, members, strict=True) if m0 in user_members]
            self._check_pools(head64, members64, h64, mask, user64)
        finally:
            for m, mode in zip(self.modules(), modes, strict=True):
                m.training = mode

    def _check_blockwise(self, values, mask, h, users) -> None:
        """A pool that declares ``separable = True`` is pooled block by block behind an
        encoder that pools so (``"hydra"``); export and explain pool the whole maps. Both
        must agree, or the exported model and the explanations describe another model."""
        whole = self.head.pool(h, mask)[0]
        blocks = self.encoder.pool_blocks(values, mask, self.head.pooling, self.head.window)[0]
        gap = _gap_beyond_rounding(blocks, whole)
        if gap is not None:
            names = ", ".join(type(p).__name__ for p in users)
            raise ValueError(
                f"{names} declares separable = True, but pooling the encoder's maps block by "
                f"block gives other values than pooling them whole (largest difference "
                f"{gap:.3g}): the pool reads across "
                "channels. Declare separable = False (the default), or pool each channel on "
                "its own."
            )

    @staticmethod
    def _check_encoder(encoder, values, mask, check: bool = True) -> torch.Tensor:
        """The encoder's output on ``values``, checked against the contract if ``check``."""
        if not check:
            return encoder(values, mask)
        call = "forward(x, mask)"
        h = _run(encoder, call, values, mask)
        expected = (values.shape[0], encoder.out_channels, values.shape[2])
        _check_shape(encoder, call, h, expected, "(batch, out_channels, T)")
        _check_dtype(encoder, call, h, values.dtype, "x")
        _check_finite(encoder, call, h, "x")
        return h

    @staticmethod
    def _check_pools(head, members, h, mask, users) -> None:
        """Run each of the user's pools on the windows of ``h`` as the head would."""
        pooled_in = h if head.order == "pool_first" else head._decode(h)
        hw, seen, _ = _safe_windows(*split_windows(pooled_in, mask, head.window))
        expected = (hw.shape[0], hw.shape[1], hw.shape[2])
        for pool in users:
            call = "forward(h, mask)"
            out = _run(pool, call, hw, seen)
            _check_shape(pool, call, out, expected, "(batch, n_features, n_frames)")
            _check_dtype(pool, call, out, hw.dtype, "h")
            _check_finite(pool, call, out, "h")
            if pool.has_shares():
                call = "shares(h, mask)"
                shares = _run(pool, call, hw, seen)
                layout = "(batch, n_features, n_frames, k)"
                _check_shape(pool, call, shares, tuple(hw.shape), layout)
                _check_dtype(pool, call, shares, hw.dtype, "h")
                _check_shares_sum(pool, shares, out)

    def fit_frame_scale(self, x: torch.Tensor, weight=None, fitted: Any = None):
        """Standardise the head's pooled frames by those of the training series ``x``.

        Returns the packed pooled frames (see :meth:`pool_inputs`), or None when the
        head does not standardise its frames (then nothing is computed). Frames that
        would take more than ``POOLED_CACHE_BYTES`` are not kept: their statistics are
        gathered chunk by chunk (equal to those of all the frames at once up to float64
        round-off), and None is returned.
        """
        if not self.head.standardises_frames:
            return None
        packed = self.pool_inputs(x, fitted=fitted, bounded=True)
        if packed is not None:
            self.head.fit_frame_scale(packed[:, :-1], packed[:, -1] > 0.5, weight)
            return packed
        chunks = (
            (pooled, valid, None if weight is None else weight[i : i + len(pooled)])
            for i, pooled, valid in self._pooled_chunks(x)
        )
        self.head.fit_frame_scale_by_chunks(chunks)
        return None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        x, mask = observed_mask(x)
        if self.head.order == "pool_first":
            return self.head.from_pooled(*self.pooled(x, mask))
        # an encoder that decodes its maps directly; a graph being recorded (export)
        # takes the maps, whose shapes do not depend on the data
        if getattr(self.encoder, "decodes_directly", False) and not recording_graph():
            return self.head.from_decoded(self.encoder.decoded(x, mask, self.head.decoder), mask)
        return self.head(self.encoder(x, mask), mask)


class PooledHead(nn.Module):
    """The head of a :class:`SeqPoolModule` on its pooled inputs (see ``pool_inputs``).

    Training a ``pool_first`` head behind a frozen encoder under a fixed pool trains this
    view: its input is the packed pooled frames (the last row their validity), and its
    parameters are the module's head's own, so the optimizer updates the module.
    """

    def __init__(self, head: SeqPoolHead):
        super().__init__()
        self.head = head

    def forward(self, packed: torch.Tensor) -> torch.Tensor:
        return self.head.from_pooled(packed[:, :-1], packed[:, -1] > 0.5)


class DecodedHead(nn.Module):
    """A ``decode_first`` :class:`SeqPoolModule` on its cached ranks (see ``decode_inputs``).

    Its input is :meth:`SeqPoolModule.decode_inputs`; its parameters and buffers are the
    module's own encoder's and head's, so the optimizer updates the module, and its
    output is the module's on the series the ranks came from.
    """

    def __init__(self, encoder: nn.Module, head: SeqPoolHead):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, cache: torch.Tensor) -> torch.Tensor:
        z, mask = self.encoder.decoded_cached(cache, self.head.decoder)
        return self.head.from_decoded(z, mask)


def builtin_pool(pool: nn.Module) -> bool:
    """Whether a built pool is one of the package's registered pools (not a user's)."""
    from .pools import POOL_REGISTRY

    return type(pool) in POOL_REGISTRY.values() and _own(type(pool))


def _own(cls: type) -> bool:
    """Whether ``cls`` is one of the package's classes (not a user's, registered or not)."""
    return cls.__module__.split(".")[0] == __name__.split(".")[0]


def _run(part: nn.Module, call: str, *args: torch.Tensor) -> torch.Tensor:
    method = getattr(part, call.split("(")[0])
    try:
        return method(*args)
    except Exception as exc:
        shapes = ", ".join(str(tuple(a.shape)) for a in args)
        dtype = args[0].dtype
        if dtype == torch.float64 and _is_dtype_error(exc):
            raise TypeError(
                f"{type(part).__name__}.{call} failed on float64 input: it must compute in "
                f"the dtype of its input (predict and explain run the network in float64), "
                f"not a fixed one; got {type(exc).__name__}: {exc}"
            ) from exc
        raise ValueError(
            f"{type(part).__name__}.{call} failed on inputs of shapes {shapes} "
            f"(dtype {dtype}): {type(exc).__name__}: {exc}"
        ) from exc


def _is_dtype_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return isinstance(exc, (RuntimeError, TypeError)) and any(
        word in text for word in ("dtype", "scalar type", "double", "float")
    )


def _check_dtype(part, call: str, out: torch.Tensor, dtype, name: str) -> None:
    if out.dtype != dtype:
        raise TypeError(
            f"{type(part).__name__}.{call} must return the dtype of {name} ({dtype}): a "
            "plug-in computes in its input's dtype (fit runs it in the estimator's dtype, "
            f"predict and explain in float64); got {out.dtype}."
        )


def _check_finite(part, call: str, out: torch.Tensor, name: str) -> None:
    if not bool(torch.isfinite(out).all()):
        hint = (
            " (a pool is shown a window without an observed step as observed zeros: guard "
            "a division by a count or a norm)"
            if name == "h"
            else ""
        )
        raise ValueError(
            f"{type(part).__name__}.{call} returned NaN or infinite values for a finite "
            f"{name}; a plug-in must return finite values{hint}."
        )


def _gap_beyond_rounding(got: torch.Tensor, want: torch.Tensor) -> float | None:
    """The largest difference of ``got`` from ``want`` where it exceeds rounding (a
    thousand ulps of ``want``'s scale, at least 1), else None."""
    scale = float(want.abs().max()) if want.numel() else 0.0
    tol = 1e3 * torch.finfo(want.dtype).eps * max(scale, 1.0)
    if torch.allclose(got, want, rtol=0.0, atol=tol):
        return None
    return float((got - want).abs().max())


def _check_shares_sum(pool, shares: torch.Tensor, out: torch.Tensor) -> None:
    """A pool's ``shares`` split its ``forward``: summed over each window's steps, they
    give the pooled values, or ``explain`` splits another function than the network's."""
    gap = _gap_beyond_rounding(shares.sum(-1), out)
    if gap is not None:
        name = type(pool).__name__
        raise ValueError(
            f"{name}.shares(h, mask) must add up over each window's steps (the last "
            f"dimension) to {name}.forward(h, mask), the pooled values it splits; their "
            f"sums differ by up to {gap:.3g}. Return shares "
            "that sum to forward, or define no shares (explain then uses integrated "
            "gradients on the steps)."
        )


def _check_shape(part, call: str, out, expected, layout: str) -> None:
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"{type(part).__name__}.{call} must return a tensor {layout}; got {type(out).__name__}."
        )
    if tuple(out.shape) != tuple(expected):
        raise ValueError(
            f"{type(part).__name__}.{call} must return a tensor of shape {layout} = "
            f"{tuple(expected)}; got {tuple(out.shape)}."
        )
