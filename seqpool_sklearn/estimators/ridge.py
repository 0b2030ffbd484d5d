"""``readout="ridge"``: the head's readout solved in closed form, written into its layers.

Behind a frozen encoder the head sees fixed pooled features ``z`` (the decoder's
inputs: one vector per frame). A ridge regression of the targets on ``z`` -- features
scaled to unit spread and the penalty chosen from ``ALPHAS`` by efficient
leave-one-out, as MiniRocket's ``RidgeClassifierCV`` does -- gives a linear readout
``W z + b``. The head computes it exactly with its own layers:

* ``relu`` / ``gelu``: decoder rows ``+v`` and ``-v`` for each direction ``v`` of ``W``
  (``act(u) - act(-u) = u``), output weights ``+1`` / ``-1`` times ``W``'s loadings;
  exact for every input when ``W`` has rank at most ``hidden_size // 2``. With one
  frame a larger rank (up to ``hidden_size``) takes one ReLU unit per direction,
  shifted to be active on every training series: exact while each direction's value
  stays above its training minimum less its training range, clipped below (a
  warning says so).
* no activation: one decoder row per direction.

``decode_first`` behind a linear pool (``"avg"``) computes the same function, since
the average of ``act(v h_t) - act(-v h_t)`` over the steps is ``v`` times the average
of ``h_t``. Classifiers regress ``+1`` / ``-1`` class codes and scale the scores into
logits by a temperature fitted on the leave-one-out scores, so that ``predict_proba``
is calibrated; the class with the largest ridge score is predicted.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from .._validation import _callers_stacklevel
from ..nn.pools import built_members
from ..nn.registry import declared_name

# The penalties tried, on features scaled to unit spread (MiniRocket's RidgeClassifierCV).
ALPHAS = np.logspace(-3, 3, 10)
# Bounds of the classifier's temperature: logits = temperature * ridge scores.
TEMPERATURE_BOUNDS = (1e-2, 1e3)
_PAIRED = ("relu", "gelu")
# How the penalty is chosen (see ridge_cv): "loo" (MiniRocket's) or "gcv", measured
# against each other on the benchmarks page.
CRITERION = "loo"


def ridge_problem(module) -> str | None:
    """Why ``readout="ridge"`` cannot be written into this module's head, or None."""
    head = module.head
    encoder = module.encoder
    if any(p.requires_grad for p in encoder.parameters()):
        return (
            f"its encoder ({type(encoder).__name__}) is trained; it needs a frozen encoder "
            "such as 'minirocket', 'multirocket', 'hydra' or None"
        )
    pooling = head.pooling
    members = built_members(pooling)  # a tuple of pools: its members
    learned = [m for m in members if m.learned]
    if learned or (pooling.learned and len(members) == 1):
        return _pool_text(members, learned or members)
    if head.order == "decode_first" and not getattr(pooling, "linear", False):
        nonlinear = [m for m in members if not getattr(m, "linear", False)] or members
        return (
            "order='decode_first' pools after the activation, which is linear in the "
            "encoder's maps only behind a linear pool (one that declares linear = True, "
            f"such as 'avg'); {_pool_text(members, nonlinear, linear=True)}"
        )
    if head.order == "decode_first" and len(members) > 1:
        given = "(" + ", ".join(_pool_name(m) for m in members) + ")"
        return (
            "order='decode_first' under the ridge readout takes one linear pool, whose "
            f"frames the decoder's weights read; pool={given} is a tuple of {len(members)}"
        )
    act = type(head.activation).__name__.lower()
    if act not in ("relu", "gelu", "identity"):
        return (
            f"its activation ({act}) cannot pass a linear function through; use "
            "activation='relu', 'gelu' or None"
        )
    return None


def _pool_name(pool) -> str:
    """A pool as ``pool=`` names it: a registered name quoted, a user's class by its name."""
    name = declared_name(type(pool))
    return repr(name) if name else type(pool).__name__


def _pool_text(members: list, culprits: list, linear: bool = False) -> str:
    """The pool at fault, as the user gave it: ``its pool ('attention') has ...`` or
    ``pool=('avg', 'attention') holds 'attention', which has ...``."""
    names = ", ".join(_pool_name(m) for m in culprits)
    one = len(culprits) == 1
    if linear:
        what = "which is not linear" if one else "none of which is linear"
    else:
        what = "which has trained parameters" if one else "each of which has trained parameters"
    if len(members) == 1:
        return f"its pool ({names}) " + ("is not linear" if linear else "has trained parameters")
    given = "(" + ", ".join(_pool_name(m) for m in members) + ")"
    return f"pool={given} holds {names}, {what}"


def ridge_bytes(n: int, d: int, packed_itemsize: int = 4) -> int:
    """About the most memory a ridge readout of ``n`` series and ``d`` pooled features
    holds at once: their packed frames (in the training dtype), the float64 features and
    the solver's scaled copy of them, and its ``n x n`` matrices (fewer series than
    features; four with the eigen-solver's work) or its second ``n x d`` and two ``d x d``
    ones (more). A fit of 5000 series and 9996 features, estimated at 1.8 GB, peaked
    2.1 GB above the memory before it.

    Examples
    --------
    >>> round(ridge_bytes(5000, 9996) / 1e9, 1)
    1.8
    """
    n, d = int(n), int(d)
    held = n * d * (packed_itemsize + 8 + 8)
    solver = 4 * n * n * 8 if n <= d else n * d * 8 + 3 * d * d * 8
    return held + solver


def _read_int(path: str) -> int | None:
    """The integer a one-line file holds (None: no such file, or ``max``)."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _meminfo() -> dict[str, int] | None:
    """``MemTotal`` and ``MemAvailable`` in bytes, from Linux's ``/proc/meminfo``, within
    the limit of the process's control group (cgroup v2's ``memory.max``: a container's
    limit, which ``/proc/meminfo`` does not show). None where it cannot be read (other
    systems)."""
    try:
        with open("/proc/meminfo") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    out = {}
    for line in lines:
        key, _, value = line.partition(":")
        parts = value.split()
        if key in ("MemTotal", "MemAvailable") and parts and parts[0].isdigit():
            out[key] = int(parts[0]) * 1024
    if len(out) != 2:
        return None
    limit = _read_int("/sys/fs/cgroup/memory.max")
    if limit is not None:
        used = _read_int("/sys/fs/cgroup/memory.current") or 0
        out["MemTotal"] = min(out["MemTotal"], limit)
        out["MemAvailable"] = min(out["MemAvailable"], max(0, limit - used))
    return out


def check_ridge_memory(n: int, d: int, packed_itemsize: int, name: str) -> None:
    """Refuse a ridge readout that cannot fit in this machine's memory; warn when it
    needs more than is available now.

    Checked before the encoder's set-up pass, so that a fit that would be killed for
    lack of memory minutes later says so before it (a companion is fitted first, and
    checks its own readout at the start of its fit). Where the memory cannot be read
    (other systems than Linux) nothing is checked.
    """
    info = _meminfo()
    if info is None:
        return
    need = ridge_bytes(n, d, packed_itemsize)
    gib = 2.0**30
    what = (
        f"readout='ridge' solves the readout of {n} series and {d} pooled features in "
        f"memory, about {need / gib:.1f} GiB at once"
    )
    advice = (
        f"Use {name} with readout='trained', which trains on batches, or fewer series, "
        "or a narrower encoder (encoder_channels); a companion given by name is such a "
        "ridge readout at the encoder's default width: pass an estimator instead."
    )
    if need > info["MemTotal"]:
        raise ValueError(
            f"{what}: more than this machine's {info['MemTotal'] / gib:.1f} GiB. {advice}"
        )
    if need > info["MemAvailable"]:
        warnings.warn(
            f"{what}, more than the {info['MemAvailable'] / gib:.1f} GiB available now; "
            f"the fit may be stopped for lack of memory. {advice}",
            UserWarning,
            stacklevel=_callers_stacklevel(),
        )


def ridge_features(module, packed: torch.Tensor) -> np.ndarray:
    """The decoder's inputs, (n, features, n_frames) in float64, from packed pooled frames."""
    head = module.head
    pooled, valid = packed[:, :-1], packed[:, -1:] > 0.5
    pooled = pooled.to(torch.float64, copy=True)  # one copy, worked on in place
    if head.standardises_frames:
        pooled.sub_(head.frame_mean.to(pooled)[None, :, None])
        pooled.div_(head.frame_std.to(pooled)[None, :, None])
    return pooled.mul_(valid).cpu().numpy()


def fit_ridge(
    Z: np.ndarray,
    y: np.ndarray,
    *,
    n_classes: int | None,
    sample_weight: np.ndarray | None = None,
    copies: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Ridge readout of ``y`` on the rows of ``Z`` (n, d): ``(W (k, d), b (k,), alpha)``.

    ``n_classes`` None: ``y`` (n, k) are standardised regression targets. Otherwise
    ``y`` holds class indices, regressed as ``+1`` / ``-1`` codes, and ``W z + b`` are
    logits (temperature included). ``sample_weight`` weighs each row's squared error;
    ``copies`` (default: ``sample_weight``) is how many copies of a series a row stands
    for, one of which leave-one-out leaves out (see :func:`ridge_cv`).
    """
    if sample_weight is not None and not (sample_weight > 0).all():
        keep = sample_weight > 0  # a sample of weight 0 is no sample
        Z, y, sample_weight = Z[keep], y[keep], sample_weight[keep]
        if copies is not None:
            copies = copies[keep]
    scale = _spread(Z, sample_weight)
    X = Z / scale  # ridge_cv centres and weighs this copy in place
    if n_classes is None:
        W, b, alpha, _ = ridge_cv(X, y, sample_weight, CRITERION, copies, overwrite=True)
        return W / scale, b, alpha
    codes = -np.ones((len(y), n_classes))
    codes[np.arange(len(y)), y] = 1.0
    if n_classes == 2:
        codes = codes[:, 1:]  # one score: class 1 against class 0
    W, b, alpha, held_out = ridge_cv(X, codes, sample_weight, CRITERION, copies, overwrite=True)
    if n_classes == 2:  # logits (-d / 2, d / 2): their softmax is sigmoid(d)
        W, b = np.vstack([-W, W]) / 2, np.array([-b[0], b[0]]) / 2
        held_out = np.hstack([-held_out, held_out]) / 2
    t = _temperature(held_out, y, sample_weight)
    return t * W / scale, t * b, alpha


def ridge_cv(
    X: np.ndarray,
    Y: np.ndarray,
    weight: np.ndarray | None = None,
    criterion: str = "loo",
    copies: np.ndarray | None = None,
    overwrite: bool = False,
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Weighted ridge with an intercept, the penalty chosen from ``ALPHAS`` by cross-validation.

    ``criterion="loo"``: efficient leave-one-out, each residual ``e_i`` inflated to
    ``e_i / (1 - h_i)``, ``h_i`` the series' leverage (the hat matrix's diagonal,
    intercept included); a series standing for ``k_i >= 1`` copies (``copies``, by
    default its weight) leaves out one copy, the share ``1 / k_i`` of its weight
    (``h_i / k_i``), so that ``k`` copies of a series are exactly ``k`` series, and one
    of fewer leaves itself out whole. With class weights, ``weight`` is a series' copies
    times its class weight, and one copy carries its class weight out with it.
    ``criterion="gcv"``: generalised
    cross-validation (Golub, Heath and Wahba 1979), every residual inflated by the mean
    leverage, ``1 / (1 - trace(H) / sum(w))``. Both score a penalty by the weighted mean
    squared inflated residual. Returns ``(W (k, d), b (k,), alpha, held_out (n, k))``,
    ``held_out`` the targets minus the inflated residuals: out-of-sample estimates of
    the fitted values.

    With fewer series than features, ``1 - h_i`` is computed as the sum
    ``sum_j q_ij^2 alpha / (lambda_j + alpha)`` over the Gram matrix's eigenvectors
    orthogonal to the intercept, not as ``1`` less the leverage: near interpolation
    (small penalties) it is far below 1, and the subtraction lost its digits (the
    intercept's eigenvalue, zero up to rounding, alone moved it).

    Memory: one centred, weighted copy of ``X`` (none with ``overwrite=True`` and a
    float64 ``X``, which is then overwritten by it), plus three ``n x n`` matrices with fewer series
    than features, or a second ``n x d`` one (the squared eigen-coordinates of the
    series) and two ``d x d`` with more.
    """
    given = X
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=np.float64)
    total = w.sum()
    x_mean = w @ X / total
    y_mean = w @ Y / total
    root = np.sqrt(w)
    weighted = root > 0
    # a series of weight 0 vanishes from Xs: its residual is taken from its own row
    unweighted_rows = X[~weighted] - x_mean
    # the rows centred and weighed, in place (a float64 copy of other dtypes is one already)
    Xs = X if overwrite or X is not given else X.copy()
    Xs -= x_mean
    Xs *= root[:, None]
    Ys = (Y - y_mean) * root[:, None]
    if n <= d:  # dual: the n x n Gram matrix, on the complement of the intercept's sqrt(w)
        # a Householder reflection R maps sqrt(w) to the first axis: its other n - 1
        # columns are an orthonormal basis of the complement (where Xs and Ys lie)
        v = root / np.linalg.norm(root)
        v[0] += 1.0 if v[0] >= 0 else -1.0
        beta = 2.0 / (v @ v)
        G = Xs @ Xs.T  # R G R is the Gram matrix of the reflected rows R Xs
        Gv = G @ v
        G -= beta * (np.outer(v, Gv) + np.outer(Gv, v))
        G += (beta * beta * (v @ Gv)) * np.outer(v, v)
        lam, U = np.linalg.eigh(G[1:, 1:])
        del G
        Q = np.zeros((n, n - 1))  # R (0; U): the eigenvectors in the rows' coordinates
        Q[1:] = U
        del U
        vQ = beta * (v @ Q)
        for i in range(0, n, 1024):  # in place, a block of rows at a time
            Q[i : i + 1024] -= np.outer(v[i : i + 1024], vQ)
        proj = Q.T @ Ys
        leave = Q**2  # 1 - h_i (whole series) = leave_i . alpha / (lam + alpha)
    else:  # primal: the d x d covariance
        lam, V = np.linalg.eigh(Xs.T @ Xs)
        proj = V.T @ (Xs.T @ Ys)
        leave = Xs @ V  # leverage_i = sum_j leave_ij / (lam_j + alpha)
        np.square(leave, out=leave)
    lam = np.clip(lam, 0.0, None)
    k = w if copies is None else np.asarray(copies, dtype=np.float64)
    unit = 1.0 / np.maximum(k, 1.0)  # the share of its weight a series leaves out

    def fit(alpha):
        coef_proj = proj / (lam + alpha)[:, None]
        coef = Xs.T @ (Q @ coef_proj) if n <= d else V @ coef_proj
        fitted = Xs @ coef  # the centred fit times sqrt(w)
        if weighted.all():
            fitted /= root[:, None]
        else:
            fitted[weighted] /= root[weighted, None]
            fitted[~weighted] = unweighted_rows @ coef
        resid = (Y - y_mean) - fitted
        if criterion == "gcv":
            room = np.full(n, 1.0 - (lam / (lam + alpha)).sum() / total - 1.0 / total)
        elif n <= d:  # 1 - unit * (1 - room of the whole series), without cancellation
            room = (1.0 - unit) + unit * (leave @ (alpha / (lam + alpha)))
        else:
            room = 1.0 - (leave @ (1.0 / (lam + alpha)) + w / total) * unit
        return coef, resid / np.maximum(room, 1e-12)[:, None]

    best = None
    for alpha in ALPHAS:
        coef, inflated = fit(alpha)
        score = float(w @ (inflated**2).sum(axis=1) / total)
        if best is None or score < best[0]:
            best = (score, alpha, coef, inflated)
    _, alpha, coef, inflated = best
    b = y_mean - x_mean @ coef
    return coef.T, b, float(alpha), Y - inflated


_SPREAD_BLOCK = 2**18


def _spread(Z: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Each feature's (weighted) standard deviation; 1 for constant features."""
    n, d = Z.shape
    mean, sd = np.empty(d), np.empty(d)
    width = max(1, _SPREAD_BLOCK // max(1, n))  # features per block of about 2**18 values
    for j in range(0, d, width):  # no temporary of the features' full size
        block = Z[:, j : j + width]
        mean[j : j + width] = np.average(block, axis=0, weights=weight)
        deviation = block - mean[j : j + width]
        sd[j : j + width] = np.sqrt(np.average(deviation**2, axis=0, weights=weight))
    return np.where(sd > 1e-12 * np.maximum(1.0, np.abs(mean)), sd, 1.0)


def _temperature(scores: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> float:
    """The factor on the leave-one-out scores that minimises the (weighted) log loss."""
    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        nll = -log_softmax(np.exp(log_t) * scores, axis=1)[rows, y]
        return float(np.average(nll, weights=weight))

    lo, hi = np.log(TEMPERATURE_BOUNDS)
    return float(np.exp(minimize_scalar(loss, bounds=(lo, hi), method="bounded").x))


# Training rows on which a ``decode_first`` head's written readout is compared with the
# readout it was solved as (``check_linear_readout``).
LINEAR_CHECK_ROWS = 64


@torch.no_grad()
def check_linear_readout(module, x: torch.Tensor, packed: torch.Tensor) -> None:
    """Check that a ``decode_first`` head computes the ridge readout written into it.

    The readout is solved on the pooled maps and written into the decoder and output
    layers, which ``decode_first`` applies before pooling: the same function only when
    the pool commutes with them, as its ``linear = True`` claims. On a few training
    series ``x`` (with their packed pooled frames, see ``SeqPoolModule.pool_inputs``),
    the network's outputs must equal the readout of the pooled frames; a pool that
    declares ``linear`` wrongly is refused with a ``ValueError``.
    """
    if module.head.order != "decode_first":
        return
    from ..nn.module import builtin_pool

    pooling = module.head.pooling
    if all(builtin_pool(m) for m in built_members(pooling)):
        return  # the package's own linear pools are linear (tested), not re-checked per fit
    net = copy.deepcopy(module).to(torch.float64).eval()
    rows = slice(0, LINEAR_CHECK_ROWS)
    pooled = packed[rows, :-1].to(torch.float64)
    want = net.head.from_pooled(pooled, packed[rows, -1] > 0.5)
    got = net(x[rows].to(torch.float64))
    error = float((got - want).abs().max())
    # the pooled frames were computed in the training dtype: its rounding is no evidence
    tol = 1e-4 if packed.dtype == torch.float64 else 1e-2
    if error > tol * (1.0 + float(want.abs().max())):
        name = type(pooling).__name__
        raise ValueError(
            f"readout='ridge' under order='decode_first' relies on the pool's linear = True: "
            f"{name} declares it, but the head's outputs on the training series differ from "
            f"the linear readout solved on the pooled maps by up to {error:.3g}, so {name} "
            "does not commute with a linear map. Remove its linear = True (then use "
            "order='pool_first' or readout='trained'), or fix its forward."
        )


def write_readout(module, W: np.ndarray, b: np.ndarray, Z: np.ndarray) -> None:
    """Set the head's decoder and output layer so that it computes ``W z + b``.

    ``W`` (k, features * n_frames) acts on the flattened decoder inputs ``Z``
    (n, features, n_frames) of the training series (read for the shift of the
    one-unit-per-direction form). Warns when ``hidden_size`` holds only an
    approximation of ``W``, or holds it in that form (exact only near the training
    series).
    """
    head = module.head
    n, F, nf = Z.shape
    k = W.shape[0]
    H = head.decoder.out_features
    # rows (output, frame), columns features: the decoder is shared by the frames
    M = W.reshape(k, F, nf).transpose(0, 2, 1).reshape(k * nf, F)
    U, S, Vt = np.linalg.svd(M, full_matrices=False)
    rank = int((S > S[0] * 1e-10).sum()) if S.size and S[0] > 0 else 0
    act = type(head.activation).__name__.lower()
    paired = act in _PAIRED
    # one frame of pool_first under ReLU can shift a unit to be active on every series
    shiftable = head.order == "pool_first" and nf == 1 and act == "relu"
    if not paired:
        r, form = min(rank, H), "direct"
    elif 2 * rank <= H:
        r, form = rank, "paired"
    elif shiftable:
        r, form = min(rank, H), "shifted"
    else:
        r, form = H // 2, "paired"
    need = 2 * rank if paired else rank  # the width of the exact readout on every input
    if r < rank:
        warnings.warn(
            f"readout='ridge': the ridge readout has rank {rank} but hidden_size={H} "
            f"holds {r} directions; the head computes its best rank-{r} approximation"
            + (", one ReLU unit per direction (see below)" if form == "shifted" else "")
            + f". Set hidden_size >= {need} for the exact readout.",
            UserWarning,
            stacklevel=_callers_stacklevel(),
        )
    elif form == "shifted":
        warnings.warn(
            f"readout='ridge': the ridge readout has rank {rank}, more than "
            f"hidden_size={H} holds as +/- pairs ({H // 2}), so each direction takes one "
            "ReLU unit, shifted to be active on every training series: the head computes "
            "the ridge readout exactly only while each direction's value stays above its "
            "training minimum less its training range (min - (max - min)), and clips it "
            f"below, on series far outside the training data. Set hidden_size >= {need} "
            "for the readout exact on every input.",
            UserWarning,
            stacklevel=_callers_stacklevel(),
        )
    V, L = Vt[:r], (U[:, :r] * S[:r]).reshape(k, nf, r)  # loadings per output and frame
    dec_w = np.zeros((H, F))
    dec_b = np.zeros(H)
    out_w = np.zeros((k, H, nf))  # the output layer reads frames flattened (hidden, frame)
    out_b = np.asarray(b, dtype=np.float64).copy()
    if form == "paired":
        dec_w[0 : 2 * r : 2], dec_w[1 : 2 * r : 2] = V, -V
        out_w[:, 0 : 2 * r : 2], out_w[:, 1 : 2 * r : 2] = (
            L.transpose(0, 2, 1),
            -L.transpose(0, 2, 1),
        )
    elif form == "direct":
        dec_w[:r] = V
        out_w[:, :r] = L.transpose(0, 2, 1)
    else:  # one ReLU unit per direction, shifted above zero on every training series
        u = Z[:, :, 0] @ V.T  # (n, r)
        lo, hi = u.min(0), u.max(0)
        shift = np.maximum(0.0, -lo) + (hi - lo) + 1e-6
        dec_w[:r], dec_b[:r] = V, shift
        out_w[:, :r, 0] = L[:, 0, :]
        out_b -= L[:, 0, :] @ shift
    dtype = head.decoder.weight.dtype
    # no_grad as a block, not a decorator: the warnings above find the caller's line
    # by the frames outside this package, and torch's decorator adds one
    with torch.no_grad():
        head.decoder.weight.copy_(torch.as_tensor(dec_w, dtype=dtype))
        head.decoder.bias.copy_(torch.as_tensor(dec_b, dtype=dtype))
        head.output.weight.copy_(torch.as_tensor(out_w.reshape(k, H * nf), dtype=dtype))
        head.output.bias.copy_(torch.as_tensor(out_b, dtype=dtype))
