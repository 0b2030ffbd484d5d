"""Exact shortcuts for the random-convolution encoder's pooled and decoded paths.

The encoder's maps are standardised indicators ``(1[c_g(t) > b_j] - mu_j) / sigma_j`` of
a few biases ``b_j`` per kernel/dilation output ``c_g``. Two consumers never need the
(batch, features, time) float maps themselves:

* pooling (:func:`pool_indicators`): the average of an indicator over a window is a
  count of steps above the bias, and its maximum is "the window's maximum of ``c_g`` is
  above the bias". The comparisons are written straight into a small float32 buffer,
  one cache-sized slice of series at a time, and summed there (no boolean tensor and no
  float copy of it); the maximum needs one comparison per window, not per step.
* decoding every step (:func:`decode_steps`): the decoder's sum over a group's features,
  ``sum_j W_j * indicator_j(t)``, is a step function of ``c_g(t)``. With the group's
  biases sorted, the features above ``c_g(t)`` are the first ``r(t)`` of them, ``r(t)``
  the number of biases below ``c_g(t)``, so the sum is row ``r(t)`` of the prefix sums of
  the group's decoder columns (scaled by ``1 / sigma``). The decoded step is then a sum
  of one table row per group -- an embedding bag of ``n_groups`` rows instead of a
  ``n_features x hidden`` product -- and the ``-mu / sigma`` part is one constant vector.
  The table is built from the decoder's weight by differentiable operations, so the
  gradients reach the decoder.

Both give the same numbers as the maps: the counts and indicators bit for bit, the
decoded steps up to float summation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch.nn import functional as F

from . import rocket_kernel

# elements of one comparison buffer on CPU: a slice of series small enough to stay in
# cache while it is summed (measured fastest near 2**19 floats on a desktop CPU)
_CPU_BUFFER = 2**19
# elements of one chunk of the decoder's bag indices (series x steps x groups)
_BAG_BUDGET = 2 * 10**7

Groups = Callable[[torch.Tensor, torch.Tensor], Iterable[tuple[torch.Tensor, torch.Tensor]]]
Rows = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _series_per_slice(device: torch.device, per_series: int) -> int:
    if device.type != "cpu":
        return 1 << 30  # one launch: accelerators want large kernels
    return max(1, _CPU_BUFFER // max(1, per_series))


def _windowed(conv: torch.Tensor, mask: torch.Tensor, window: int | None) -> torch.Tensor:
    """(b, K, T) -> (b, K, n_frames, k), masked and padding steps set to -inf."""
    c = conv.masked_fill(~mask[:, None, :], float("-inf"))
    if window is None:
        return c.unsqueeze(2)
    t = c.shape[2]
    n_frames = -(-t // window)
    pad = n_frames * window - t
    if pad:
        c = F.pad(c, (0, pad), value=float("-inf"))
    return c.view(c.shape[0], c.shape[1], n_frames, window)


def pool_indicators(
    conv: torch.Tensor,
    biases: torch.Tensor,
    mask: torch.Tensor,
    pool: str,
    window: int | None,
) -> torch.Tensor:
    """Pool the raw indicators ``1[conv > bias]`` of one kernel group per window.

    Parameters
    ----------
    conv : torch.Tensor of shape (batch, K, time)
        Convolution outputs of ``K`` kernels at one dilation.
    biases : torch.Tensor of shape (1, K, n_biases, 1)
        Each kernel's biases, in ``conv``'s dtype.
    mask : torch.Tensor of shape (batch, time), dtype bool
        Observed steps; the others never count.
    pool : {"avg", "max"}
        ``"avg"``: the number of observed steps above the bias in each window (the
        caller divides by the window's observed count); ``"max"``: 1.0 where some
        observed step of the window is above the bias, else 0.0.
    window : int or None
        Window length (the last partial window kept); ``None``: the whole series.

    Returns
    -------
    torch.Tensor of shape (batch, K * n_biases, n_frames)
        In ``conv``'s dtype; feature ``k * n_biases + j`` is kernel ``k``, bias ``j``.

    Examples
    --------
    >>> import torch
    >>> conv = torch.tensor([[[0.0, 2.0, 5.0, 1.0]]])
    >>> biases = torch.tensor([1.5, 4.0]).view(1, 1, 2, 1)
    >>> mask = torch.tensor([[True, True, True, False]])
    >>> pool_indicators(conv, biases, mask, "avg", None).squeeze(-1)
    tensor([[2., 1.]])
    >>> pool_indicators(conv, biases, mask, "max", 2)
    tensor([[[1., 1.],
             [0., 1.]]])
    """
    if pool not in ("avg", "max"):
        raise ValueError(f"pool must be 'avg' or 'max', got {pool!r}.")
    b, k, _ = conv.shape
    nb = biases.shape[2]
    c = _windowed(conv, mask, window)  # (b, K, Fr, w)
    n_frames = c.shape[2]
    if pool == "max":
        out = torch.empty(b, k, nb, n_frames, dtype=conv.dtype, device=conv.device)
        torch.gt(c.amax(dim=-1).unsqueeze(2), biases, out=out)
        return out.flatten(1, 2)
    out = torch.empty(b, k, nb, n_frames, dtype=conv.dtype, device=conv.device)
    step = _series_per_slice(conv.device, k * nb * c.shape[2] * c.shape[3])
    bias5 = biases.unsqueeze(-1)  # (1, K, nb, 1, 1)
    for i in range(0, b, step):
        ci = c[i : i + step].unsqueeze(2)  # (s, K, 1, Fr, w)
        # 0/1 written as float32 by the comparison itself; float32 sums of ones are
        # exact far beyond any series length
        buf = torch.empty(ci.shape[0], k, nb, n_frames, c.shape[3], device=conv.device)
        torch.gt(ci, bias5, out=buf)
        out[i : i + step] = buf.sum(dim=-1)
    return out.flatten(1, 2)


def _count_above(conv: torch.Tensor, biases: torch.Tensor, out: torch.Tensor) -> None:
    """Write the number of biases below every output into ``out`` (b, K, T), any dtype."""
    b, k, t = conv.shape
    step = _series_per_slice(conv.device, k * biases.shape[2] * t)
    for i in range(0, b, step):
        ci = conv[i : i + step].unsqueeze(2)
        buf = torch.empty(ci.shape[0], k, biases.shape[2], t, device=conv.device)
        torch.gt(ci, biases, out=buf)
        out[i : i + step] = buf.sum(dim=2)


def step_ranks(conv: torch.Tensor, biases: torch.Tensor) -> torch.Tensor:
    """Number of a kernel's biases below each of its outputs, (batch, K, time) int64.

    ``r(t) > j`` exactly when ``conv(t)`` is above the ``j``-th smallest bias (ties
    between biases included), which is what :func:`decode_steps` reads its table by.

    Examples
    --------
    >>> import torch
    >>> conv = torch.tensor([[[0.0, 2.0, 5.0, 4.0]]])
    >>> step_ranks(conv, torch.tensor([4.0, 1.5]).view(1, 1, 2, 1))
    tensor([[[0, 1, 2, 1]]])
    """
    out = torch.empty(conv.shape, dtype=torch.int64, device=conv.device)
    _count_above(conv, biases, out)
    return out


def _decode_table(
    biases: list[torch.Tensor],
    weight: torch.Tensor,
    scale_mean: torch.Tensor,
    scale_std: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Prefix sums of the scaled decoder columns per group, the constant, row offsets."""
    width = sum(b.shape[1] * b.shape[2] for b in biases)
    if weight.shape[1] != width:
        raise ValueError(
            f"The decoder reads {weight.shape[1]} features but the encoder's groups hold "
            f"{width}; build the decoder on the encoder's out_channels."
        )
    scaled = weight / scale_std.to(weight.dtype)  # (H, F): W_j / sigma_j
    constant = -(scaled @ scale_mean.to(weight.dtype))  # sum_j -W_j mu_j / sigma_j
    columns = scaled.t()  # (F, H)
    tables = []
    start = 0
    for b in biases:  # (1, K, nb, 1)
        k, nb = b.shape[1], b.shape[2]
        order = torch.argsort(b.reshape(k, nb), dim=1, stable=True)  # (K, nb)
        group = columns[start : start + k * nb].reshape(k, nb, -1)
        ranked = group.gather(1, order.unsqueeze(-1).expand(-1, -1, group.shape[-1]))
        prefix = torch.cat([torch.zeros_like(ranked[:, :1]), ranked.cumsum(dim=1)], dim=1)
        tables.append(prefix.reshape(k * (nb + 1), -1))
        start += k * nb
    return torch.cat(tables), constant, _row_offsets(biases)


def _row_offsets(biases: list[torch.Tensor]) -> list[int]:
    """The decode table's first row of each dilation's groups (K * (n_biases + 1) rows each)."""
    offsets = [0]
    for b in biases[:-1]:
        offsets.append(offsets[-1] + b.shape[1] * (b.shape[2] + 1))
    return offsets


class _BagSum(torch.autograd.Function):
    """``embedding_bag(index, table, mode="sum")`` with a scatter backward per group.

    torch's own CPU backward of a sum bag sorts the indices; here every group's column
    of indices is added into the table gradient with one ``index_add_``, several times
    faster for the few thousand groups of the encoder.
    """

    @staticmethod
    def forward(ctx, table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        """``index`` (groups, bags): bag ``i`` sums rows ``index[:, i]``."""
        ctx.save_for_backward(index)
        ctx.rows = table.shape[0]
        return F.embedding_bag(index.t().contiguous(), table, mode="sum")

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (index,) = ctx.saved_tensors
        out = grad.new_zeros(ctx.rows, grad.shape[1])
        grad = grad.contiguous()
        for rows in index:  # one group: its row at every step
            out.index_add_(0, rows.long(), grad)  # int64: the fast kernel
        return out, None


def decode_steps(
    groups: Groups,
    x: torch.Tensor,
    mask: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    scale_mean: torch.Tensor,
    scale_std: torch.Tensor,
    rows: Rows | None = None,
) -> torch.Tensor:
    """Decoder pre-activation at every step of the standardised indicator maps.

    Equals ``linear(maps.transpose(1, 2)).transpose(1, 2)`` for the encoder's maps
    ``maps`` (padded steps zero, so the decoded value there is ``bias``), without
    building the maps: one table row per kernel group and step (see the module notes).

    Parameters
    ----------
    groups : callable
        ``groups(x, mask)`` yields, per dilation, the convolution outputs (b, K, T) of
        ``x`` and their biases (1, K, n_biases, 1) -- ``RandomConvEncoder._groups``.
    x : torch.Tensor of shape (batch, channels, time)
    mask : torch.Tensor of shape (batch, time), dtype bool
    weight : torch.Tensor of shape (hidden, n_features)
    bias : torch.Tensor of shape (hidden,) or None
    scale_mean, scale_std : torch.Tensor of shape (n_features,)
        The maps' standardisation.
    rows : callable, optional
        ``rows(x, mask)``: the table row of every group at every step, (G, b, T) int32, as
        :func:`_step_rows` computes them from ``groups`` (the compiled kernel's
        ``rocket_kernel.step_rows``); default: from ``groups``.

    Returns
    -------
    torch.Tensor of shape (batch, hidden, time)
        Differentiable in ``weight`` and ``bias``.
    """
    b, _, t = x.shape
    # the biases (and so the table) are the encoder's; one series' pass reads them
    biases = [g for _, g in groups(x[:1], mask[:1])]
    table, constant, offsets = _decode_table(biases, weight, scale_mean, scale_std)
    n_groups = sum(g.shape[1] for g in biases)
    step = max(1, _BAG_BUDGET // max(1, t * n_groups))
    bag = torch.is_grad_enabled() and table.requires_grad and table.device.type == "cpu"
    parts = []
    for i in range(0, b, step):
        # the table row of every group at every step, group-major (G, s, T): the
        # backward adds one group's rows at a time
        xi, mi = x[i : i + step], mask[i : i + step]
        index = (rows(xi, mi) if rows else _step_rows(groups, xi, mi, offsets, n_groups)).flatten(1)
        if bag:
            summed = _BagSum.apply(table, index)
        else:
            summed = F.embedding_bag(index.t().contiguous(), table, mode="sum")
        parts.append(summed.view(-1, t, table.shape[1]))
    return _finish(torch.cat(parts), constant, mask, bias)


def _finish(summed, constant, mask, bias) -> torch.Tensor:
    """(B, T, H) table sums -> the decoder's (B, H, T) pre-activation, padded steps ``bias``."""
    z = summed + constant
    z = z * mask.unsqueeze(-1).to(z.dtype)
    if bias is not None:
        z = z + bias
    return z.transpose(1, 2)


def _step_rows(
    groups: Groups, x: torch.Tensor, mask: torch.Tensor, offsets: list[int], n_groups: int
) -> torch.Tensor:
    """The decode table's row of every kernel group at every step, (G, b, T) int32."""
    b, _, t = x.shape
    index = torch.empty(n_groups, b, t, dtype=torch.int32, device=x.device)
    row = 0
    for (c, g), off in zip(groups(x, mask), offsets, strict=True):
        k = c.shape[1]
        first = off + (g.shape[2] + 1) * torch.arange(k, device=x.device, dtype=torch.int32)
        _count_above(c, g, index[row : row + k].permute(1, 0, 2))
        index[row : row + k] += first.view(-1, 1, 1)
        row += k
    return index


# ----------------------------------------------------------- training on cached ranks
# A frozen encoder's ranks are the same at every epoch: training ``decode_first`` can
# compute them once (:func:`decode_cache`) and decode every batch from them
# (:func:`decode_cached`). The cache also holds, per series, its steps sorted by table
# row, so the table's gradient is an embedding bag too: per series, the sum of the
# step gradients of each row's steps, then the sum over the series -- a gather where
# the other backward scatters one group at a time.
# elements of one chunk of the backward's per-series sums (series x rows x hidden)
_BACKWARD_BUDGET = 2**21


def decode_cache_layout(n_timesteps: int, n_groups: int, n_rows: int) -> tuple[int, torch.dtype]:
    """Elements per series of a :func:`decode_cache` and its integer dtype.

    Per series: the table rows (T x G), the steps sorted by row (G x T), the count of
    steps per row (n_rows) and the observed-step mask (T).
    """
    length = 2 * n_timesteps * n_groups + n_rows + n_timesteps
    small = max(n_rows, n_timesteps + 1) < 2**15
    return length, (torch.int16 if small else torch.int32)


def decode_cache(
    groups: Groups,
    x: torch.Tensor,
    mask: torch.Tensor,
    batch_size: int | None = None,
    rows: Rows | None = None,
) -> torch.Tensor:
    """Everything :func:`decode_cached` reads of ``x``, one row per series.

    Parameters
    ----------
    groups : callable
        As for :func:`decode_steps`.
    x : torch.Tensor of shape (batch, channels, time)
    mask : torch.Tensor of shape (batch, time), dtype bool
    batch_size : int, optional
        Series per pass (default: sized from the series' length).
    rows : callable, optional
        As for :func:`decode_steps`.

    Returns
    -------
    torch.Tensor of shape (batch, length), int16 (int32 for long series or wide tables)
        See :func:`decode_cache_layout`.
    """
    b, _, t = x.shape
    biases = [g for _, g in groups(x[:1], mask[:1])]
    n_groups = sum(g.shape[1] for g in biases)
    n_rows = sum(g.shape[1] * (g.shape[2] + 1) for g in biases)
    offsets = _row_offsets(biases)
    length, dtype = decode_cache_layout(t, n_groups, n_rows)
    out = torch.empty(b, length, dtype=dtype, device=x.device)
    step = batch_size or max(1, _BAG_BUDGET // max(1, t * n_groups))
    tg = t * n_groups
    for i in range(0, b, step):
        xi, mi = x[i : i + step], mask[i : i + step]
        s = xi.shape[0]
        index = rows(xi, mi) if rows else _step_rows(groups, xi, mi, offsets, n_groups)
        out[i : i + s, :tg] = index.permute(1, 2, 0).reshape(s, tg)
        # per series, its steps ordered by table row (a group's rows are contiguous
        # and increase with the group, so one sort over the series orders both)
        by_series = index.permute(1, 0, 2).reshape(s, tg)
        if rocket_kernel.applies(x):
            steps, counts = rocket_kernel.sorted_steps(by_series, n_rows, t)
        else:
            steps = torch.sort(by_series, dim=1, stable=True).indices % t
            counts = torch.zeros(s, n_rows, dtype=torch.int32, device=x.device)
            counts.scatter_add_(1, by_series.long(), torch.ones_like(by_series))
        out[i : i + s, tg : 2 * tg] = steps
        out[i : i + s, 2 * tg : 2 * tg + n_rows] = counts
        out[i : i + s, 2 * tg + n_rows :] = mask[i : i + s]
    return out


class _CachedBagSum(torch.autograd.Function):
    """The forward's embedding bag over cached rows; the backward from the sorted steps."""

    @staticmethod
    def forward(ctx, table, rows, steps, counts, n_timesteps):
        """``rows`` (b * T, G) int32; ``steps`` (b, G * T) and ``counts`` (b, n_rows)."""
        ctx.save_for_backward(rows, steps, counts)
        ctx.n_timesteps = n_timesteps
        return F.embedding_bag(rows, table, mode="sum")

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        rows, steps, counts = ctx.saved_tensors
        b, n_rows = counts.shape
        t = ctx.n_timesteps
        grad = grad.contiguous()  # (b * T, H)
        if rows.shape[1] * t < n_rows:
            # short series: fewer lookups per series than table rows, so per-series sums
            # would mostly add zeros; sort the batch's few lookups by row instead
            flat = rows.flatten()
            order = torch.sort(flat, stable=True).indices
            sizes = torch.bincount(flat, minlength=n_rows)
            starts = torch.cumsum(sizes, 0) - sizes
            return F.embedding_bag(order // rows.shape[1], grad, starts, mode="sum"), *[None] * 4
        out = grad.new_zeros(n_rows, grad.shape[1])
        chunk = max(1, _BACKWARD_BUDGET // max(1, n_rows * grad.shape[1]))
        for i in range(0, b, chunk):
            s = min(chunk, b - i)
            first = torch.arange(i * t, (i + s) * t, t, device=grad.device, dtype=torch.int32)
            index = (steps[i : i + s].to(torch.int32) + first[:, None]).flatten()
            sizes = counts[i : i + s].flatten().to(torch.int32)
            starts = torch.cumsum(sizes, 0, dtype=torch.int32) - sizes
            part = F.embedding_bag(index, grad, starts, mode="sum")  # (s * n_rows, H)
            out += part.view(s, n_rows, -1).sum(dim=0)
        return out, None, None, None, None


def decode_cached(
    cache: torch.Tensor,
    biases: list[torch.Tensor],
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    scale_mean: torch.Tensor,
    scale_std: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`decode_steps` of the series whose :func:`decode_cache` is ``cache``.

    Parameters
    ----------
    cache : torch.Tensor of shape (batch, length)
        Rows of :func:`decode_cache`.
    biases : list of torch.Tensor
        The encoder's biases per dilation, (1, K, n_biases, 1) each.
    weight, bias, scale_mean, scale_std : torch.Tensor
        As for :func:`decode_steps`.

    Returns
    -------
    z : torch.Tensor of shape (batch, hidden, time)
        Equal to :func:`decode_steps` on the series (bit for bit); differentiable in
        ``weight`` and ``bias``, the table's gradient summed in another order.
    mask : torch.Tensor of shape (batch, time), dtype bool
    """
    table, constant, _ = _decode_table(biases, weight, scale_mean, scale_std)
    b = cache.shape[0]
    n_groups = sum(g.shape[1] for g in biases)
    n_rows = table.shape[0]
    # a row holds 2 T G + n_rows + T values (decode_cache_layout)
    t, rest = divmod(cache.shape[1] - n_rows, 2 * n_groups + 1)
    if rest or t < 1:
        raise ValueError(
            f"A decode cache of {n_groups} kernel groups and {n_rows} table rows holds "
            f"(2 * {n_groups} + 1) * T + {n_rows} values per series; got {cache.shape[1]}."
        )
    tg = t * n_groups
    mask = cache[:, 2 * tg + n_rows :] != 0
    rows = cache[:, :tg].to(torch.int32).reshape(b * t, n_groups)  # one copy
    if torch.is_grad_enabled() and table.requires_grad:
        steps, counts = cache[:, tg : 2 * tg], cache[:, 2 * tg : 2 * tg + n_rows]
        summed = _CachedBagSum.apply(table, rows, steps, counts, t)
    else:
        summed = F.embedding_bag(rows, table, mode="sum")
    return _finish(summed.view(b, t, -1), constant, mask, bias), mask
