"""Per-step explanations of a fitted head: where in time is the evidence?

Every head pools per-step features into frames ``P`` and maps the frames to the outputs
with a function ``G``: ``output = G(P)``. Each frame is a sum of per-step *shares*,
``P[d, f] = sum_t S[d, t]`` over the steps ``t`` of window ``f``:

* ``avg``: ``S[d, t] = u[d, t] / n_f`` (``n_f`` observed steps in the window);
* ``attention``: ``S[d, t] = a_t u[d, t]`` with the softmax weights ``a_t``;
* ``max``: ``S[d, t] = u[d, t]`` at the (first) arg-max step of channel ``d``, 0 elsewhere;
* ``lp``: ``S[d, t] = P[d, f] |u[d, t]|^p / sum_s |u[d, s]|^p`` (Euler's theorem for the
  positively homogeneous power mean).

Padded steps have no share. When ``G`` is affine the contributions
``values[k, t] = sum_d dG_k/dP[d, f(t)] S[d, t]`` add up to the outputs exactly. That is
the case for ``order="decode_first"`` (``u`` is the decoded, activated step; the output
layer is linear in the frames) and for ``pool_first`` with ``activation=None``. Otherwise
``dG/dP`` is replaced by its average along the straight path from ``P = 0`` (integrated
gradients on the frames, ``n_steps`` midpoints), which is complete up to the quadrature
error; ``P = 0`` is the zero-feature baseline and its output is the ``offset``. For the
positively homogeneous pools (avg, max, lp) this equals integrated gradients on the
encoder's per-step features from a zero baseline.

A pool without an exact split (a user's pool without ``shares``, a generalised mean) has
no frame shares to hand the frame gradients to: integrated gradients are then taken on
the encoder's per-step features ``h`` themselves, from ``h = 0``
(``method="step_integrated_gradients"``), in either order. ``pool_first`` behind biased
maps standardises its pooled frames before the decoder; the exact view folds that
standardisation into the decoder's weights and bias.

The encoder is not decomposed: "step ``t``" is the step at which the head read its
features, and those features summarise the encoder's receptive field around ``t``.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._net import _torch_threads
from ._validation import check_int
from .nn.masks import observed_mask, split_windows
from .nn.pools import built_members, window_shares

# elements of one float64 work tensor (per chunk of series); bounds memory for wide encoders
_BUDGET = 2e7


@dataclass
class Explanation:
    """Per-step contributions of a fitted estimator's outputs (see :func:`explain`).

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_outputs, n_timesteps)
        Contribution of every step to every output (classifier: logits, one per class in
        ``classes_``; regressor: target units). Padded steps are 0.
    offset : ndarray of shape (n_samples, n_outputs)
        What no step contributes: the output layer's bias, or for integrated gradients
        the output at the zero-feature baseline.
    outputs : ndarray of shape (n_samples, n_outputs)
        The model's outputs: ``softmax(outputs)`` is ``predict_proba(X)`` for a
        classifier; ``outputs`` is ``predict(X)`` (2D) for a regressor.
    exact : bool
        Whether the decomposition is exact by construction (the linear view, or
        integrated gradients on a head that is affine in the frames);
        ``completeness_error`` gives the measured sum error. An exact method whose
        measured error exceeds rounding (``1e-6`` of the outputs' scale: a user's pool
        whose shares do not add up to its frames) is reported ``False``; an
        approximate method is ``False`` even where its measured error is small.
    method : {"linear", "integrated_gradients", "step_integrated_gradients"}
        ``"linear"``: exact decomposition through the pool's per-step shares;
        ``"integrated_gradients"``: integrated gradients on the pooled frames, shared out
        to the steps by the pool's shares (exact when the head is affine in the frames);
        ``"step_integrated_gradients"``: integrated gradients on the encoder's per-step
        features, for a pool without ``shares``.
    completeness_error : float
        Measured ``max |values.sum(-1) + offset - outputs|``.
    X : ndarray of shape (n_samples, n_channels, n_timesteps)
        The explained series (NaN = padding).
    output_names : ndarray of shape (n_outputs,)
        ``classes_`` for a classifier, ``0 .. n_outputs - 1`` for a regressor.
    predicted : ndarray of shape (n_samples,)
        Index of the predicted class (0 for a regressor): the output ``plot`` shows by
        default.
    n_steps : int or None
        Integration steps of the two integrated-gradients methods (None for
        ``"linear"``).

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolClassifier, make_event_timing
    >>> X, y = make_event_timing(40, 48, random_state=0)
    >>> clf = SeqPoolClassifier(order="decode_first", encoder=None, window=8,
    ...                         max_epochs=5, random_state=0).fit(X, y)
    >>> ex = clf.explain(X[:3])
    >>> ex.values.shape, ex.exact, ex.method
    ((3, 2, 48), True, 'linear')
    >>> bool(np.allclose(ex.values.sum(-1) + ex.offset, ex.outputs))
    True
    """

    values: np.ndarray
    offset: np.ndarray
    outputs: np.ndarray
    exact: bool
    method: str
    completeness_error: float
    X: np.ndarray = field(repr=False)
    output_names: np.ndarray = field(repr=False)
    predicted: np.ndarray = field(repr=False)
    n_steps: int | None = None

    def plot(self, i: int = 0, output=None, *, ax=None):
        """Draw series ``i`` above its per-step contributions to one output.

        Parameters
        ----------
        i : int, default=0
            Row of the explained ``X``: 0 to ``n_samples - 1``, or negative from the
            end. Another type is a ``TypeError``, a row outside the range a
            ``ValueError``.
        output : label or None, default=None
            A member of ``output_names`` (a class for a classifier); ``None`` = the
            predicted class (the first output of a regressor). A sequence or array is a
            ``TypeError``, another label a ``ValueError``.
        ax : sequence of two matplotlib Axes, optional
            Axes for the series and the contributions; new ones by default.

        Returns
        -------
        matplotlib.figure.Figure
            The figure of both panels (``fig.axes``), as every ``plot`` of the package
            returns; padded steps are absent from both.
        """
        import matplotlib.pyplot as plt

        i = self._row(i)
        k = int(self.predicted[i]) if output is None else self._output_index(output)
        if ax is None:
            _, ax = plt.subplots(2, 1, sharex=True, figsize=(7, 4), height_ratios=(2, 1))
        top, bottom = ax
        series = self.X[i]
        steps = np.arange(series.shape[-1])
        observed = ~np.isnan(series).all(axis=0)
        for c, channel in enumerate(series):
            top.plot(steps, channel, lw=1, label=f"channel {c}" if len(series) > 1 else None)
        if len(series) > 1:
            top.legend(loc="upper right", fontsize="small")
        top.set_ylabel("value")
        v = self.values[i, k]
        colors = np.where(v >= 0, "#C44E52", "#4C72B0")
        bottom.bar(steps[observed], v[observed], width=1.0, color=colors[observed])
        bottom.axhline(0, color="black", lw=0.5)
        bottom.set_ylabel("contribution")
        bottom.set_xlabel("time step")
        top.set_title(
            f"sample {i}: contributions to {self.output_names[k]!r} "
            f"({self.method}{'' if self.exact else ', approximate'})"
        )
        return top.figure

    def _row(self, i) -> int:
        """``i`` as a row index of the explained series (negative counts from the end)."""
        n = len(self.values)
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(
                f"i must be an int, the row of the explained X (0 to {n - 1}); "
                f"got {type(i).__name__} {i!r}."
            )
        if not -n <= i < n:
            raise ValueError(
                f"i={int(i)} is not a row of the explained X, which holds {n} series: "
                f"i must lie in 0 to {n - 1} (or -{n} to -1 from the end)."
            )
        return int(i) % n

    def _output_index(self, output) -> int:
        if np.ndim(output) != 0:  # == would compare elementwise and take the first hit
            raise TypeError(
                "output must be one label, a member of output_names "
                f"{self.output_names.tolist()}; got {type(output).__name__} {output!r}."
            )
        hits = np.flatnonzero(self.output_names == output)
        if not len(hits):
            raise ValueError(
                f"output={output!r} is not one of the outputs {self.output_names.tolist()}."
            )
        return int(hits[0])


def _unwrap(estimator, X):
    """The final estimator of a Pipeline, and X through the preceding steps."""
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    if not hasattr(estimator, "_forward"):
        raise TypeError(
            "explain needs a fitted SeqPoolClassifier or SeqPoolRegressor (or a Pipeline "
            f"ending in one); got {type(estimator).__name__}."
        )
    return estimator, X


def _is_affine(module) -> bool:
    """Whether the head's output is affine in the pooled frames ``P``."""
    head = module.head
    return head.order == "decode_first" or isinstance(head.activation, torch.nn.Identity)


def _decode_view(module) -> bool:
    """Explain on the decoded steps (decode_first, and the equivalent pool_first of a linear
    pool without activation), which needs the pool's exact split."""
    head = module.head
    # a combined pool's pooled features are several per channel: the decoder's columns
    # no longer match the encoder's channels, so only a single pool commutes this way
    single = len(built_members(head.pooling)) == 1
    linear = head.pooling.linear and isinstance(head.activation, torch.nn.Identity) and single
    return head.pooling.has_shares() and (head.order == "decode_first" or linear)


def _encoder_blocks(module, x: torch.Tensor, mask: torch.Tensor):
    """The encoder output (batch, width, time), masked, as (channel slice, block) pairs.

    A pool whose frames read every channel (attention) gets the whole output at once.
    """
    if module.head.pooling.blockwise:
        yield from module.encoder.blocks(x, mask)
        return
    parts = [h for _, h in module.encoder.blocks(x, mask)]
    yield slice(None), torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]


def _contract(coef: torch.Tensor, shares: torch.Tensor, n_timesteps: int) -> torch.Tensor:
    """values (B, K, T) from coefficients (B or 1, K, D, F) and shares (B, D, F, k)."""
    out = torch.einsum("bkdf,bdfw->bkfw", coef.expand(shares.shape[0], -1, -1, -1), shares)
    return out.flatten(2)[:, :, :n_timesteps]


def _chunk_size(module, n_timesteps: int, n_outputs: int, method: str) -> int:
    """Series per chunk so that the largest work tensor stays near ``_BUDGET`` elements."""
    enc, head = module.encoder, module.head
    width = getattr(enc, "out_channels", 1)
    per_step = 2 * width  # the conv encoder's middle block is twice as wide
    if head.pooling.blockwise:
        per_step = 2 * enc.block_channels  # one block's maps and shares
    per_step = max(per_step, head.decoder.out_features * max(n_outputs, 1))
    if method == "step_integrated_gradients":  # the step gradients: (chunk, outputs, width, time)
        per_step = max(per_step, n_outputs * width)
    size = _BUDGET // max(1, per_step * n_timesteps)
    if method == "integrated_gradients":  # the frame gradients: (chunk, outputs, width, frames)
        size = min(size, _BUDGET // max(1, n_outputs * width * head.n_frames))
    return max(1, int(size))


def _folded_decoder(head) -> torch.nn.Linear:
    """The decoder applied to the pooled frames as they are, standardisation included.

    A ``pool_first`` head behind biased maps standardises its pooled frames first,
    ``(P - mean) / std`` on valid frames; the decoder of the standardised frames is then
    the decoder of the raw frames with weights ``W / std`` and bias ``b - W (mean / std)``
    (fully masked frames stay 0 either way: they have no steps to share).
    """
    if not getattr(head, "standardises_frames", False):
        return head.decoder
    weight = head.decoder.weight / head.frame_std.to(head.decoder.weight.dtype)
    folded = torch.nn.Linear(*weight.T.shape, dtype=weight.dtype)
    folded.weight.data = weight
    folded.bias.data = head.decoder.bias - weight @ head.frame_mean.to(weight.dtype)
    return folded


def _linear_chunk(module, x, mask):
    """Exact contributions for a head that is linear in the decoded steps' frames."""
    head = module.head
    decoder = _folded_decoder(head)
    if getattr(module.encoder, "decodes_directly", False):  # a table lookup, no maps
        z = head.activation(module.encoder.decoded(x, mask, decoder))
    else:
        z = head.decode_blocks(module.encoder.blocks(x, mask), decoder)
    shares = window_shares(head.pooling, z, mask, head.window)
    n_out = head.output.out_features
    coef = head.output.weight.view(1, n_out, shares.shape[1], head.n_frames)
    offset = head.output.bias.expand(x.shape[0], -1)
    norm = getattr(head, "frame_norm", None)
    if norm is not None:  # frames * a + b on valid frames: a scales the shares, b is constant
        a, b = norm.scale_shift()
        valid = split_windows(z[:, :1], mask, head.window)[1].any(-1).to(z.dtype)
        offset = offset + torch.einsum("kdf,d,bf->bk", coef[0], b.to(z.dtype), valid)
        coef = coef * a.to(z.dtype)[None, None, :, None]
    values = _contract(coef, shares, x.shape[2])
    return values, offset


def _frame_gradients(module, pooled, valid, n_steps: int) -> torch.Tensor:
    """Average gradient (B, K, D, F) of the head along the path alpha * pooled."""
    head = module.head
    b, d, f = pooled.shape
    n_out = head.output.out_features
    total = torch.zeros(b, n_out, d, f, dtype=pooled.dtype)
    alphas = (torch.arange(n_steps, dtype=pooled.dtype) + 0.5) / n_steps
    per = max(1, int(_BUDGET // max(1, d * f * b)))
    for i in range(0, n_steps, per):
        a = alphas[i : i + per]
        path = (a[:, None, None, None] * pooled[None]).reshape(-1, d, f).requires_grad_(True)
        out = head.from_pooled(path, valid.repeat(len(a), 1)).view(len(a), b, n_out)
        for k in range(n_out):
            (g,) = torch.autograd.grad(out[..., k].sum(), path, retain_graph=k < n_out - 1)
            total[:, k] += g.view(len(a), b, d, f).sum(0)
    return total / n_steps


def _gradient_chunk(module, x, mask, n_steps: int):
    """Integrated gradients on the pooled encoder frames, shared out to the steps."""
    head = module.head
    with torch.no_grad():
        pooled, valid = module.pooled(x, mask)
        offset = head.from_pooled(torch.zeros_like(pooled), valid)
    with torch.enable_grad():
        coef = _frame_gradients(module, pooled, valid, n_steps)
    with torch.no_grad():
        values = None
        width = module.encoder.out_channels
        for sl, h in _encoder_blocks(module, x, mask):
            shares = window_shares(head.pooling, h, mask, head.window)
            # a combined pool's features are pool by pool: block sl of each pool's section
            cols = torch.arange(width)[sl]
            cols = torch.cat([cols + i * width for i in range(coef.shape[2] // width)])
            part = _contract(coef[:, :, cols], shares, x.shape[2])
            values = part if values is None else values + part
    return values, offset


def _step_gradient_chunk(module, x, mask, n_steps: int):
    """Integrated gradients on the encoder's per-step features, for a pool without an
    exact split: ``values[k, t] = sum_d h[d, t] * mean_alpha dG_k/dh[d, t](alpha * h)``."""
    head = module.head
    with torch.no_grad():
        h = module.encoder(x, mask) * mask.unsqueeze(1).to(x.dtype)
        offset = head(torch.zeros_like(h), mask)
    n_out = head.output.out_features
    total = torch.zeros(h.shape[0], n_out, *h.shape[1:], dtype=h.dtype)
    with torch.enable_grad():
        for a in (torch.arange(n_steps, dtype=h.dtype) + 0.5) / n_steps:
            path = (a * h).requires_grad_(True)
            out = head(path, mask)
            for k in range(n_out):
                (g,) = torch.autograd.grad(out[:, k].sum(), path, retain_graph=k < n_out - 1)
                total[:, k] += g
    values = torch.einsum("bkdt,bdt->bkt", total / n_steps, h)
    return values, offset


_CHUNKS = {
    "linear": _linear_chunk,
    "integrated_gradients": _gradient_chunk,
    "step_integrated_gradients": _step_gradient_chunk,
}


def _contributions(module, X3: np.ndarray, method: str, n_steps: int):
    """values (n, K, T) and offset (n, K) of ``method`` in the module's units, by chunks."""
    chunk = _CHUNKS[method]
    n_out = module.head.output.out_features
    step = _chunk_size(module, X3.shape[2], n_out, method)
    values, offset = [], []
    for i in range(0, len(X3), step):
        x, mask = observed_mask(torch.from_numpy(X3[i : i + step]).to(torch.float64))
        if method == "linear":
            v, o = chunk(module, x, mask)
        else:
            v, o = chunk(module, x, mask, n_steps)
        values.append((v * mask.unsqueeze(1).to(v.dtype)).numpy())
        offset.append(o.numpy())
    values = np.concatenate(values) if values else np.zeros((0, n_out, X3.shape[2]))
    offset = np.concatenate(offset) if offset else np.zeros((0, n_out))
    return values, offset


def _gap(values: np.ndarray, offset: np.ndarray, outputs: np.ndarray) -> float:
    """The completeness error ``max |values.sum(-1) + offset - outputs|`` (0 if empty)."""
    error = np.abs(values.sum(-1) + offset - outputs)
    return float(error.max()) if error.size else 0.0


def _tolerance(outputs: np.ndarray) -> float:
    """Largest completeness error of an exact decomposition: rounding, relative to the
    outputs' scale."""
    return 1e-6 * max(1.0, float(np.abs(outputs).max()) if outputs.size else 1.0)


def explain(estimator, X, *, n_steps: int = 64) -> Explanation:
    """Per-step contributions of a fitted SeqPool estimator's outputs.

    Exact (``method="linear"``) for ``order="decode_first"`` with every pool that has an
    exact per-step split (``Pool.shares``: every built-in pool), any window and encoder,
    and for ``pool_first`` with ``activation=None`` and one linear pool that carries
    constants through (``pool="avg"``: the equivalent case, its explanation equals
    decode_first's). Otherwise, for a pool with shares, integrated gradients on the
    pooled frames from a zero-feature baseline (``method="integrated_gradients"``),
    exact when ``activation=None`` (``pool_first`` with max, lp, attention, or a user's
    linear pool whose weights do not sum to 1, such as a sum: its linear view would miss
    the outputs, so when the measured completeness error of that view exceeds rounding
    the contributions are computed with this method instead). A pool without shares (a
    user's generalised mean or sum, in either order) gets integrated gradients on the
    encoder's per-step features (``method="step_integrated_gradients"``,
    ``exact=False``; ``completeness_error`` measures its gap). An exact method whose
    measured completeness error exceeds rounding (a user's pool whose ``shares`` do not
    add up to its ``forward``, which ``fit`` checks on two training series) keeps its
    ``method``, is reported ``exact=False`` and warns (``UserWarning``).

    Parameters
    ----------
    estimator : SeqPoolClassifier, SeqPoolRegressor or Pipeline ending in one
        Fitted. A Pipeline's preceding steps transform ``X`` first, so the
        contributions refer to the time steps the estimator sees.
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
        NaN steps are padding; they get exactly 0.
    n_steps : int, default=64
        Midpoints of the integrated-gradients path (ignored by exact decompositions).

    Returns
    -------
    Explanation

    Examples
    --------
    >>> from seqpool_sklearn import SeqPoolRegressor
    >>> from seqpool_sklearn._explain import explain
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 1, 12))
    >>> reg = SeqPoolRegressor(encoder=None, max_epochs=3, random_state=0)
    >>> ex = explain(reg.fit(X, X.sum((1, 2))), X[:2])
    >>> ex.method, ex.exact, bool(ex.completeness_error < 1e-2)
    ('integrated_gradients', False, True)
    """
    estimator, X = _unwrap(estimator, X)
    check_is_fitted(estimator)
    estimator._refuse_companion("explain", "decomposes")
    check_int(n_steps, "n_steps", 1)
    X3 = estimator._validate_X(X, reset=False)
    outputs = estimator._forward(X3).numpy()
    module = copy.deepcopy(estimator.net_.module_).cpu().to(torch.float64).eval()
    if _decode_view(module):
        method = "linear"
    elif module.head.pooling.has_shares():
        method = "integrated_gradients"
    else:  # a pool without an exact split: integrated gradients on the steps themselves
        method = "step_integrated_gradients"
    with torch.no_grad(), _torch_threads(estimator.n_threads):
        values, offset = _contributions(module, X3, method, int(n_steps))
        pool_first = module.head.order == "pool_first"
        if (
            method == "linear"
            and pool_first
            and _gap(values, offset, outputs) > _tolerance(outputs)
        ):
            # the decode view of pool_first shares the decoder bias out over the steps,
            # which holds only for a pool that carries constants through (weights summing
            # to 1, as avg's); a user's linear pool that does not (a sum) is explained by
            # integrated gradients on the frames instead, exact for this affine head.
            # decode_first has no bias to share out: there a gap is the pool's own
            method = "integrated_gradients"
            values, offset = _contributions(module, X3, method, int(n_steps))
    linear = method == "linear"
    exact = linear or (method == "integrated_gradients" and _is_affine(module))
    n_out = module.head.output.out_features
    if hasattr(estimator, "classes_"):
        names = np.asarray(estimator.classes_)
        predicted = outputs.argmax(axis=1)
    else:
        mean, scale, _ = estimator._target_scaling()
        values = values * scale[None, :, None]
        offset = offset * scale + mean
        outputs = outputs * scale + mean
        names = np.arange(n_out)
        predicted = np.zeros(len(X3), dtype=int)
    error = np.abs(values.sum(-1) + offset - outputs)
    # exact by construction, unless the measured sums say otherwise: a user's pool whose
    # shares do not add up to its frames breaks the split through the pool
    if error.size and error.max() > _tolerance(outputs):
        if exact:
            pooling = module.head.pooling
            names = ", ".join(type(p).__name__ for p in built_members(pooling))
            warnings.warn(
                f"explain's {method} decomposition is exact by construction, but its values "
                f"miss the outputs by up to {float(error.max()):.3g} (rounding stays below "
                f"{_tolerance(outputs):.1g}); it is reported exact=False. The likely "
                f"cause: the shares of the pool ({names}) do not add up to its forward "
                "(fit checks this on two training series).",
                UserWarning,
                stacklevel=2,
            )
        exact = False
    return Explanation(
        values=values,
        offset=offset,
        outputs=outputs,
        exact=bool(exact),
        method=method,
        completeness_error=float(error.max()) if error.size else 0.0,
        X=X3,
        output_names=names,
        predicted=predicted,
        n_steps=None if linear else int(n_steps),
    )


def _target_outputs(estimator, explanation: Explanation, y) -> np.ndarray:
    """Index of the explained output per sample: the given class, else the predicted one
    (a regressor's: output 0, whatever its targets ``y``, whose length is checked)."""
    if y is None:
        return explanation.predicted
    y = np.asarray(y)
    n = len(explanation.predicted)
    if not hasattr(estimator, "classes_"):
        if y.ndim == 0 or len(y) != n:
            raise ValueError(
                f"y must hold one target per series of X ({n} rows); got shape {y.shape}. "
                "A regressor's first output is explained whatever y holds, but y must "
                "still match X row for row."
            )
        return explanation.predicted
    if y.shape != (n,):
        raise ValueError(f"y must hold one class per series of X, shape ({n},); got {y.shape}.")
    # looked up by equality, not by sorting: labels of types that do not order (None,
    # mixed objects) are named as outside the classes rather than failing to compare
    classes = estimator.classes_.tolist()
    lookup = {}
    for j, label in enumerate(classes):
        lookup.setdefault(label, j)
    index = np.empty(n, dtype=int)
    for row, label in enumerate(y.tolist()):
        try:
            index[row] = lookup[label]
        except (KeyError, TypeError):  # TypeError: an unhashable label
            raise ValueError(
                f"y holds labels outside classes_ {classes}: {label!r} (series {row})."
            ) from None
    return index


def _scaled_outputs(estimator, X3: np.ndarray) -> np.ndarray:
    out = estimator._forward(X3).numpy()
    if hasattr(estimator, "classes_"):
        return out
    mean, scale, _ = estimator._target_scaling()
    return out * scale + mean


def deletion_score(
    estimator,
    X,
    y=None,
    *,
    fractions=(0.1, 0.2, 0.3, 0.4, 0.5),
    n_random: int = 5,
    n_steps: int = 64,
    random_state=0,
) -> dict:
    """How well per-step contributions point at the evidence: a deletion test.

    For each series, the observed steps with the largest contributions to the explained
    output (the class in ``y`` when given, else the predicted class; a regressor's first
    output) are set to NaN -- missing -- for each fraction ``q`` of the observed steps in
    ``fractions``, and the drop of that output (in :attr:`Explanation.outputs` units:
    logits or target units) is recorded. The same numbers of random observed steps are
    masked ``n_random`` times as the reference. A series with ``n`` observed steps has
    ``ceil(q * n)`` of them masked (rounded first, so that floating point adds no step:
    0.07 of 100 steps masks 7), at least 1 and at most ``n - 1``. A series with a single
    observed step has nothing to mask and is left out of both means.

    Parameters
    ----------
    estimator : fitted SeqPoolClassifier, SeqPoolRegressor or Pipeline ending in one
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, n_timesteps)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        A classifier's: the classes whose outputs are explained, members of
        ``classes_``; another label (None, a number for string classes) is a
        ``ValueError`` naming it. A regressor explains its first output whatever ``y``
        holds and reads only its length (one row per series of ``X``, or a
        ``ValueError``), so that the targets a scorer passes are accepted.
    fractions : sequence of float in (0, 1), default=(0.1, 0.2, 0.3, 0.4, 0.5)
    n_random : int, default=5
    n_steps : int, default=64
        Passed to :func:`explain`.
    random_state : int, RandomState instance or None, default=0
        Draws the random steps.

    Returns
    -------
    result : dict
        ``"deletion"``: mean drop when masking the top steps; ``"random"``: mean drop
        when masking random steps; ``"score"``: their difference (higher = the
        contributions find the steps the output depends on); ``"curve"`` and
        ``"random_curve"``: the mean drops per fraction. The means are over the series
        with at least two observed steps.

    Raises
    ------
    ValueError
        Bad ``fractions``, ``n_random`` or ``y``, or no series of ``X`` with at least
        two observed steps.

    Examples
    --------
    >>> from seqpool_sklearn import SeqPoolClassifier, make_event_timing
    >>> from seqpool_sklearn._explain import deletion_score
    >>> X, y = make_event_timing(40, 48, random_state=0)
    >>> clf = SeqPoolClassifier(order="decode_first", encoder=None, window=8,
    ...                         max_epochs=5, random_state=0).fit(X, y)
    >>> sorted(deletion_score(clf, X[:10]))
    ['curve', 'deletion', 'random', 'random_curve', 'score']
    """
    from sklearn.utils import check_random_state

    check_int(n_random, "n_random", 1)
    try:
        fractions = np.asarray(fractions, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"fractions must be a sequence of numbers in (0, 1); got {fractions!r}."
        ) from None
    if fractions.ndim != 1:
        raise ValueError(
            f"fractions must be a sequence of numbers in (0, 1); got {fractions.tolist()!r}."
        )
    # written so that NaN, which fails every comparison, is refused too
    if not len(fractions) or not ((fractions > 0) & (fractions < 1)).all():
        raise ValueError(f"fractions must lie in (0, 1); got {fractions.tolist()}.")
    estimator, X = _unwrap(estimator, X)
    ex = explain(estimator, X, n_steps=n_steps)
    X3 = ex.X
    target = _target_outputs(estimator, ex, y)
    rng = check_random_state(random_state)
    n, _, t = X3.shape
    rows = np.arange(n)
    base = ex.outputs[rows, target]
    observed = ~np.isnan(X3).all(axis=1)
    n_observed = observed.sum(1)
    # a series with one observed step has nothing to mask (one step must stay): a drop
    # of 0 would dilute both means, so it is left out of them
    scored = n_observed >= 2
    if not scored.any():
        raise ValueError(
            "deletion_score masks observed steps and measures the output's drop, so it "
            "needs series with at least 2 observed steps (one to mask, one to keep); got "
            f"{n} series with at most {int(n_observed.max())} observed step each."
        )
    ranked = np.where(observed, ex.values[rows, target], -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")
    masked = []
    for q in fractions:
        # rounded to 9 decimals first: q * n in floating point can land just above an
        # integer (0.07 * 100 = 7.000000000000001), which would mask one step too many
        count = np.ceil(np.round(q * n_observed, 9)).astype(int)
        count = np.clip(count, 1, n_observed - 1)
        copies = [order[i, : count[i]] for i in rows]
        for _ in range(n_random):
            copies += [
                rng.choice(np.flatnonzero(observed[i]), count[i], replace=False) for i in rows
            ]
        for j, steps in enumerate(copies):
            x = X3[j % n].copy()
            x[:, steps] = np.nan
            masked.append(x)
    out = _scaled_outputs(estimator, np.stack(masked)).reshape(len(fractions), 1 + n_random, n, -1)
    drops = base[None, None] - out[:, :, rows, target]  # (fractions, 1 + n_random, n)
    curve = drops[:, 0][:, scored].mean(1)
    random_curve = drops[:, 1:][:, :, scored].mean((1, 2))
    return {
        "deletion": float(curve.mean()),
        "random": float(random_curve.mean()),
        "score": float(curve.mean() - random_curve.mean()),
        "curve": curve,
        "random_curve": random_curve,
    }


def deletion_scorer(estimator, X, y=None) -> float:
    """:func:`deletion_score`'s ``"score"`` as a scikit-learn scorer (greater is better).

    Pass it as ``scoring`` to :func:`~seqpool_sklearn.compare_heads` (or any
    cross-validation tool) to compare the faithfulness of the head designs on the same
    splits, with the same paired order effects as accuracy.

    Examples
    --------
    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_event_timing
    >>> from seqpool_sklearn._explain import deletion_scorer
    >>> X, y = make_event_timing(40, 48, random_state=0)
    >>> clf = SeqPoolClassifier(encoder=None, max_epochs=3, random_state=0)
    >>> result = compare_heads(clf, X, y, windows=[8], cv=2, scoring=deletion_scorer,
    ...                        random_state=0)
    >>> result.summary()[["order", "pool"]].shape
    (2, 2)
    """
    return deletion_score(estimator, X, y)["score"]
