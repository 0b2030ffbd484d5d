"""Running the comparison: the order x pool x window grid as one GridSearchCV on shared splits."""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from numbers import Integral
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier, is_regressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
)
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.validation import _num_samples

from .._options import ORDERS
from .._threads import workers_share_cores
from .._validation import (
    check_bool,
    check_int,
    check_targets,
    did_you_mean,
    is_integer,
    short_repr,
)
from ..nn.pools import POOL_REGISTRY, check_pool, pool_label, pool_members, resolve_pool
from ..nn.registry import check_distinct_labels
from .common import _HEAD_PARAMS, _check_margin, _frame, _metric_and_chance, _metric_name
from .results import HeadComparison


# --------------------------------------------------------------------------- grid plumbing
class _TimedFit(MetaEstimatorMixin, BaseEstimator):
    """Fits a clone of ``estimator`` and records how long that took (``fit_time_``)."""

    def __init__(self, estimator: Any):
        self.estimator = estimator

    def __sklearn_tags__(self):
        return get_tags(self.estimator)

    def fit(self, X, y=None, **fit_params):
        est = clone(self.estimator)
        start = time.perf_counter()
        est.fit(X, y, **fit_params)
        self.fit_time_ = time.perf_counter() - start
        self.estimator_ = est
        return self


class _ScoreAndFitTime:
    """Multi-metric scorer for the search: the user's score and the timed fit's duration,
    and with ``faithfulness`` the deletion score of the model's per-step explanations."""

    def __init__(self, scorer: Callable, faithfulness: bool = False):
        self.scorer = scorer
        self.faithfulness = faithfulness

    def __call__(self, timed: _TimedFit, X, y) -> dict[str, float]:
        out = {"score": float(self.scorer(timed.estimator_, X, y)), "fit_time": timed.fit_time_}
        if self.faithfulness:
            from .._explain import deletion_scorer

            out["faithfulness"] = float(deletion_scorer(timed.estimator_, X, y))
        return out


class _Progress:
    """One ``compare_heads`` call's progress: its callback, fed each new count once."""

    def __init__(self, callback: Callable[[int], None]):
        self.callback = callback
        self.active = True
        self.claimed = False  # by the first Parallel its thread runs
        self._last = 0
        self._lock = threading.Lock()

    def report(self, done: int) -> None:
        with self._lock:
            # joblib reports the last count again when the run ends
            if not self.active or done <= self._last:
                return
            self._last = done
        self.callback(done)


# joblib reports progress through Parallel.print_progress, from the thread that called
# the Parallel or from a thread of its back-end. Calls of compare_heads that overlap in
# threads share one wrapper of it, installed by the first to enter and removed by the last
# to leave; each Parallel carries the _Progress of the call whose thread ran it.
_hook_lock = threading.Lock()
_hook_users = 0
_hook_originals: dict[str, Callable] = {}
_waiting: dict[int, _Progress] = {}  # thread id -> its call's _Progress, until claimed
_OWNER = "_seqpool_progress"


def _install_hook() -> None:
    call, print_progress = joblib.Parallel.__call__, joblib.Parallel.print_progress

    @functools.wraps(call)
    def claiming_call(self, *args, **kwargs):
        progress = _waiting.get(threading.get_ident())
        if progress is not None and not progress.claimed and _OWNER not in vars(self):
            # the search's own Parallel: fits run by it in this thread come later
            progress.claimed = True
            setattr(self, _OWNER, progress)
        return call(self, *args, **kwargs)

    @functools.wraps(print_progress)
    def reporting_print_progress(self):
        progress = vars(self).get(_OWNER)
        if progress is not None:
            progress.report(self.n_completed_tasks)
        return print_progress(self)

    _hook_originals.update(__call__=call, print_progress=print_progress)
    joblib.Parallel.__call__ = claiming_call
    joblib.Parallel.print_progress = reporting_print_progress


def _remove_hook() -> None:
    for name, original in _hook_originals.items():
        # put back only what is still ours
        if getattr(joblib.Parallel.__dict__.get(name), "__wrapped__", None) is original:
            setattr(joblib.Parallel, name, original)
    _hook_originals.clear()


@contextmanager
def _progress_hook(callback: Callable[[int], None]):
    """Call ``callback(n_completed_tasks)`` as the first ``joblib.Parallel`` this thread
    runs in the block reports progress, with each count once.

    Safe across threads: each block sees only its own Parallel's progress, and
    ``joblib.Parallel`` is as it was once the last block has ended.
    """
    global _hook_users
    progress = _Progress(callback)
    thread = threading.get_ident()
    with _hook_lock:
        if _hook_users == 0:
            _install_hook()
        _hook_users += 1
        outer = _waiting.get(thread)  # a compare_heads inside this thread's own search
        _waiting[thread] = progress
    try:
        yield
    finally:
        progress.active = False
        with _hook_lock:
            if outer is None:
                _waiting.pop(thread, None)
            else:
                _waiting[thread] = outer
            _hook_users -= 1
            if _hook_users == 0:
                _remove_hook()


def _as_list(values: Any, name: str) -> list:
    if values is None or isinstance(values, (str, Integral)):
        return [values]
    try:
        out = list(values)
    except TypeError:
        raise TypeError(f"{name} must be a list of values, got {values!r}.") from None
    if not out:
        raise ValueError(f"{name} must hold at least one value, got an empty list.")
    if len(set(map(repr, out))) < len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}.")
    return out


def _check_grid(orders: Any, pools: Any, windows: Any) -> tuple[list, list, list]:
    orders = _as_list(orders, "orders")
    pools = _as_list(pools, "pools")
    windows = _as_list(windows, "windows")
    for value in pools:
        if not isinstance(value, str):
            check_pool(value)  # a Pool subclass or a tuple of pools, else a clear error
    # the pools' names are the registry's: the built-ins and those a user registered
    names = tuple(POOL_REGISTRY)
    for name, values, options in (("orders", orders, ORDERS), ("pools", pools, names)):
        for value in values:
            if (isinstance(value, str) or name == "orders") and value not in options:
                raise ValueError(
                    f"{name} must contain values from {list(options)}, got {value!r}."
                    f"{did_you_mean(value, options)}"
                )
    for w in windows:
        if w is not None and not (is_integer(w) and w >= 1):
            raise ValueError(f"windows must contain None or integers >= 1, got {w!r}.")
    # the results name each pool by its label: two classes under one label would be merged
    check_distinct_labels([m for p in pools for m in pool_members(p)], "pool", resolve_pool)
    labels = [pool_label(p) for p in pools]
    if len(set(labels)) < len(labels):
        raise ValueError(f"pools must not repeat a pool; got {labels} (as the results name them).")
    return orders, pools, [None if w is None else int(w) for w in windows]


def _param_prefix(estimator: Any, param_prefix: str | None) -> str:
    """The ``step__`` prefix under which ``order``, ``pool`` and ``window`` are set."""
    if isinstance(estimator, type):
        raise TypeError(
            f"estimator must be an estimator instance, e.g. {estimator.__name__}(), got the "
            f"class {estimator.__name__} itself."
        )
    if param_prefix is not None and not isinstance(param_prefix, str):
        raise TypeError(
            f"param_prefix must be the step name of the sequence estimator (a str) or None, "
            f"got {type(param_prefix).__name__} {param_prefix!r}."
        )
    try:
        params = estimator.get_params(deep=True)
    except AttributeError:
        raise TypeError(
            f"estimator must be a scikit-learn estimator (SeqPoolClassifier, SeqPoolRegressor "
            f"or a Pipeline ending in one), got {type(estimator).__name__}."
        ) from None
    if param_prefix is not None:
        prefix = (
            param_prefix
            if param_prefix in ("",) or param_prefix.endswith("__")
            else (f"{param_prefix}__")
        )
        missing = [prefix + p for p in _HEAD_PARAMS if prefix + p not in params]
        if missing:
            raise ValueError(
                f"param_prefix={param_prefix!r}: {type(estimator).__name__} has no parameter "
                f"{missing[0]!r}; expected the step name of the sequence estimator, e.g. "
                "'seqpoolclassifier' in a Pipeline made by make_pipeline."
            )
        return prefix
    prefixes = sorted(
        key[: -len("order")]
        for key in params
        if (key == "order" or key.endswith("__order"))
        and all(key[: -len("order")] + p in params for p in _HEAD_PARAMS)
        # a companion's head is not the one compared (see _warn_companion); a Pipeline
        # step named "companion" is no estimator's companion (no companion_weight beside it)
        and not _under_companion(key[: -len("order")], params)
    )
    if not prefixes:
        raise ValueError(
            f"{type(estimator).__name__} has no order / pool / window parameters; pass a "
            "SeqPoolClassifier, a SeqPoolRegressor or a Pipeline ending in one."
        )
    if len(prefixes) > 1:
        raise ValueError(
            f"{type(estimator).__name__} holds several head designs ({prefixes}); choose one "
            "with param_prefix=..."
        )
    return prefixes[0]


def _under_companion(prefix: str, params: dict) -> bool:
    """Whether ``prefix`` (``...companion__``) names an estimator's companion."""
    if not prefix.endswith("companion__"):
        return False
    owner = prefix[: -len("companion__")]
    return owner + "companion_weight" in params


def _warn_companion(estimator: Any, prefix: str) -> None:
    """A companion is fitted and blended in every cell: the heads' effects are diluted."""
    params = estimator.get_params(deep=True)
    companion = params.get(prefix + "companion")
    if companion is None:
        return
    weight = params.get(prefix + "companion_weight")
    warnings.warn(
        f"The estimator compared has companion={short_repr(companion)}: every cell fits it "
        f"and blends it in at companion_weight={weight}, and it takes no part in the head "
        "designs compared, so their differences are diluted. Set "
        f"{prefix}companion=None to compare the heads alone.",
        UserWarning,
        stacklevel=3,
    )


def _check_ridge_grid(estimator: Any, prefix: str, orders: list, pools: list) -> None:
    """``readout="ridge"`` takes ``decode_first`` only behind a linear pool: say so up front."""
    if estimator.get_params(deep=True).get(prefix + "readout") != "ridge" or (
        "decode_first" not in orders
    ):
        return
    bad = [pool_label(p) for p in pools if not all(resolve_pool(m).linear for m in pool_members(p))]
    if bad:
        raise ValueError(
            f"readout='ridge' solves a linear readout, which order='decode_first' computes "
            f"only behind a linear pool (one that declares linear = True, such as 'avg'); "
            f"the grid has decode_first with {bad}. Compare "
            "pool_first alone (orders=['pool_first']), pools=['avg'], or readout='trained'."
        )


def _make_splits(
    estimator, X, y, groups, cv, n_repeats, random_state
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Draw the splits once; return them with the repeat and fold number of each."""
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    classifier = is_classifier(estimator)
    if is_integer(cv):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds, got cv={cv}.")
        if groups is None:
            kind = RepeatedStratifiedKFold if classifier else RepeatedKFold
            # the first repeats are the draws of n_repeats alone
            drawn = iter(
                kind(
                    n_splits=int(cv), n_repeats=20 * int(n_repeats), random_state=random_state
                ).split(X, y)
            )
            repeats = ([next(drawn) for _ in range(int(cv))] for _ in itertools.count())
            of = f"{_num_samples(X)} samples"
            tail = ", or fewer folds" if cv > 2 else ""
        else:
            rng = check_random_state(random_state)
            kind = StratifiedGroupKFold if classifier else GroupKFold
            repeats = (
                list(
                    kind(
                        n_splits=int(cv),
                        shuffle=True,
                        random_state=int(rng.randint(np.iinfo(np.int32).max)),
                    ).split(X, y, groups)
                )
                for _ in itertools.count()
            )
            of = f"{len(pd.unique(np.asarray(groups).ravel()))} groups"
            tail = f"{', fewer folds' if cv > 2 else ''}, or more groups"
        # a repeat that draws a fold drawn before (a whole partition, or with 3 folds or
        # more one fold of another partition) is drawn again, up to 20 draws per repeat: on
        # small data and with few groups the shuffles coincide, and a copied split scores
        # the same again, which the paired test would read as new evidence
        splits, tests, kept, draws = [], set(), 0, 0
        while kept < n_repeats and draws < 20 * n_repeats:
            repeat = next(repeats)
            draws += 1
            folds = _partition(repeat)
            if not folds & tests:
                tests |= folds
                kept += 1
                splits.extend(repeat)
        if kept < n_repeats:
            fewer = f"n_repeats={kept}{' or fewer' if kept > 1 else ''}"
            group = " group" if groups is not None else ""
            raise ValueError(
                f"n_repeats={n_repeats} repeats of cv={cv}{group} folds need {n_repeats} "
                f"partitions of the {of} that share no fold, but {draws} shuffles gave only "
                f"{kept}: a repeated split gives the same scores again, and the paired test "
                f"would read the copies as new evidence. Use {fewer}{tail}."
            )
        n_folds = int(cv)
    else:
        if n_repeats != 1:
            raise ValueError(
                f"n_repeats={n_repeats} only applies when cv is an integer; with a splitter, "
                "repeat inside it (e.g. RepeatedStratifiedKFold) and keep n_repeats=1."
            )
        if hasattr(cv, "split") and not isinstance(cv, (str, bytes)):
            splits = list(cv.split(X, y, groups))
        elif isinstance(cv, Iterable) and not isinstance(cv, (str, bytes)):
            splits = list(cv)
        else:
            raise TypeError(
                f"cv must be an integer, a CV splitter or a list of (train, test) index "
                f"arrays, got {cv!r}."
            )
        repeats = getattr(cv, "n_repeats", None)
        n_folds = len(splits) // repeats if isinstance(repeats, Integral) and repeats else 0
        n_folds = n_folds if n_folds and n_folds * repeats == len(splits) else len(splits)
    try:
        splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splits]
    except (TypeError, ValueError):
        raise TypeError(
            "cv must give (train, test) pairs of index arrays; got an item that is not a pair."
        ) from None
    n_samples = _num_samples(X)
    for i, pair in enumerate(splits):
        for name, rows in zip(("train", "test"), pair, strict=True):
            if rows.ndim != 1 or rows.dtype.kind not in "iu" or not len(rows):
                raise ValueError(
                    f"cv split {i}: its {name} indices must be a non-empty 1D array of "
                    f"integers; got dtype {rows.dtype} and shape {rows.shape}."
                )
            if rows.min() < 0 or rows.max() >= n_samples:
                raise ValueError(
                    f"cv split {i}: its {name} indices must lie in [0, {n_samples}) for "
                    f"{n_samples} samples; got {int(rows.min())}..{int(rows.max())}."
                )
    if len(splits) < 2:
        raise ValueError(
            f"compare_heads needs at least 2 splits to pair and test the orders; cv gave "
            f"{len(splits)}."
        )
    if not is_integer(cv):
        _check_distinct_splits(splits)
    if groups is not None:
        _check_groups_apart(splits, groups, cv, n_samples)
    index = np.arange(len(splits))
    return splits, index // n_folds, index % n_folds


def _check_distinct_splits(splits) -> None:
    """Refuse a (train, test) pair given twice: a copy gives the same scores again, and the
    paired test would read it as a new split (more degrees of freedom, a smaller p-value).

    Two splits are the same when they hold the same training rows and the same test rows,
    in any order and with any repeats. Each split is keyed by a hash of its sorted test
    rows; the rows themselves are compared only where two hashes match, so that a million
    rows cost a sort check and one hash per split, not a sort and a copy.
    """
    seen: dict[bytes, list[int]] = {}
    for i, (_, test) in enumerate(splits):
        key = hashlib.blake2b(_sorted_rows(test), digest_size=16).digest()
        for j in seen.get(key, ()):
            if all(
                np.array_equal(_sorted_rows(a), _sorted_rows(b))
                for a, b in zip(splits[j], splits[i], strict=True)
            ):
                raise ValueError(
                    f"cv splits {j} and {i} have the same training and the same test rows: "
                    "a repeated split gives the same scores again, and the paired test would "
                    "read the copy as new evidence. On small data a repeated splitter can "
                    "draw the same folds twice; pass an integer cv with n_repeats instead "
                    "(compare_heads draws a repeat again when it would repeat a fold), or "
                    "use fewer repeats, or more data."
                )
        seen.setdefault(key, []).append(i)


def _sorted_rows(rows: np.ndarray) -> np.ndarray:
    """The distinct indices of ``rows`` in increasing order, as contiguous int64 (the same
    bytes for the same rows, whatever their order or dtype). Rows already strictly
    increasing, as the KFold family gives them, are taken as they are: no sort, no copy."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if len(rows) > 1 and not (rows[1:] > rows[:-1]).all():
        rows = np.unique(rows)
    return rows


def _partition(splits) -> frozenset:
    """The partition of the samples that one repeat's folds make (their order aside)."""
    return frozenset(frozenset(np.asarray(test).tolist()) for _, test in splits)


def _check_groups(groups: Any, X: Any) -> None:
    """``groups`` as the splitters need it, checked before any of them sees it: one label
    per sample (shape ``(n_samples,)``), none missing. A splitter would otherwise fail
    with its own words (inconsistent numbers of samples, '<' not supported between str
    and None), or put every missing label into one group of its own."""
    if groups is None:
        return
    labels = np.asarray(groups)
    n_samples = _num_samples(X)
    if labels.ndim != 1:
        raise ValueError(
            f"groups must be 1D, one group label per sample: shape ({n_samples},); got "
            f"shape {labels.shape}."
        )
    if len(labels) != n_samples:
        raise ValueError(
            f"groups has {len(labels)} labels for {n_samples} samples; pass one group label "
            f"per sample (shape ({n_samples},))."
        )
    missing = np.flatnonzero(pd.isna(labels)) if labels.dtype.kind in "fcOmM" else []
    if len(missing):
        first = labels[missing[0]]
        shown = short_repr(first.item() if isinstance(first, np.generic) else first)
        raise ValueError(
            f"groups has {len(missing)} missing label{'' if len(missing) == 1 else 's'} "
            f"(None or NaN; the first, {shown}, at position {int(missing[0])}): every "
            "sample needs a group. Fill them in, or leave those samples out of X, y and "
            "groups."
        )


def _check_targets_first(estimator: Any, X: Any, y: Any) -> None:
    """``y`` checked as the estimator checks it, before a splitter sees it: a stratified
    splitter would otherwise fail on a missing label with its own words ("boolean value of
    NA is ambiguous", "'<' not supported between NoneType and str")."""
    if y is None:
        return
    check_targets(
        y, _num_samples(X), name=type(estimator).__name__, numeric=not is_classifier(estimator)
    )


def _check_groups_apart(splits, groups, cv, n_samples: int) -> None:
    """Refuse splits that put a group on both sides: a splitter that ignores ``groups``
    (KFold, StratifiedKFold, a list of index pairs) would leak it into the scores."""
    groups = np.asarray(groups).ravel()
    if len(groups) != n_samples:
        raise ValueError(
            f"groups has {len(groups)} labels for {n_samples} samples; pass one group label "
            "per sample."
        )
    codes = pd.factorize(groups)[0]
    for i, (train, test) in enumerate(splits):
        shared = np.intersect1d(codes[train], codes[test])
        if len(shared):
            names = pd.unique(groups[np.isin(codes, shared)])
            shown = ", ".join(
                repr(g.item() if isinstance(g, np.generic) else g) for g in names[:3]
            ) + (" ..." if len(names) > 3 else "")
            one = len(pd.unique(groups)) == 1
            raise ValueError(
                f"groups were given, but split {i} of cv={cv!r} puts {len(names)} group"
                f"{'s' if len(names) > 1 else ''} ({shown}) in both the training and the test "
                "rows, so the scores would read the test groups at training. "
                + (
                    "With one group (one recording) no splitter keeps groups apart: leave "
                    "groups out, and let a splitter in time order with a gap, such as "
                    "TimeSeriesSplit(gap=windows.gap), keep the windows apart."
                    if one
                    else "Use a splitter that keeps groups apart (GroupKFold, "
                    "StratifiedGroupKFold), or an integer cv, which does with groups."
                )
            )


def _check_n_jobs(n_jobs: Any) -> None:
    """``n_jobs`` as joblib reads it: None, or a nonzero integer (negative: all but some)."""
    if n_jobs is None:
        return
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral):
        raise TypeError(f"n_jobs must be an integer or None, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError(
            "n_jobs must be a nonzero integer (1: no parallel work, -1: every core) or None, got 0."
        )


def _check_seeds(estimator, prefix: str, n_seeds, random_states) -> list[int] | None:
    """The seeds of a multi-seed comparison, or None for one fit per split."""
    if n_seeds is None and random_states is None:
        return None
    if n_seeds is not None and random_states is not None:
        raise ValueError("Pass n_seeds or random_states, not both.")
    params = estimator.get_params(deep=True)
    if f"{prefix}random_state" not in params:
        raise ValueError(
            f"n_seeds / random_states set the estimator's {prefix}random_state, but "
            f"{type(estimator).__name__} has no such parameter."
        )
    if random_states is not None:
        seeds = _as_list(random_states, "random_states")
        if not all(is_integer(s) and s >= 0 for s in seeds):
            raise ValueError(f"random_states must be integers >= 0, got {seeds}.")
        return [int(s) for s in seeds]
    n_seeds = check_int(n_seeds, "n_seeds", 1)
    base = params[f"{prefix}random_state"]
    base = int(base) if is_integer(base) else 0
    return list(range(base, base + n_seeds))


# --------------------------------------------------------------------------- entry point
def compare_heads(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    orders: Iterable[str] = ORDERS,
    pools: Iterable[str] = ("avg",),
    windows: Iterable[int | None] = (None,),
    cv: Any = 5,
    n_repeats: int = 1,
    scoring: str | Callable | None = None,
    groups: Any = None,
    n_jobs: int | None = None,
    random_state: Any = None,
    param_prefix: str | None = None,
    progress: bool | Callable[[int, int], None] = False,
    n_seeds: int | None = None,
    random_states: Iterable[int] | None = None,
    equivalence_margin: float | None = None,
    faithfulness: bool = False,
) -> HeadComparison:
    """Cross-validate every order x pool x window head on the same splits.

    One :class:`~sklearn.model_selection.GridSearchCV` (``refit=False``,
    ``error_score="raise"``) runs the grid over splits drawn once, so every configuration
    sees exactly the same training and test rows and the two orders can be compared split
    by split. Parallel work goes through joblib: ``n_jobs``, or any back-end set with
    ``joblib.parallel_backend`` (threads, processes, Dask).

    Parameters
    ----------
    estimator : estimator
        A :class:`~seqpool_sklearn.SeqPoolClassifier`, a
        :class:`~seqpool_sklearn.SeqPoolRegressor`, or a Pipeline (or other meta-estimator)
        holding one. It is cloned, never modified; its own ``random_state`` seeds every fit,
        so with an integer both orders start from the same weights wherever the shapes
        agree, which makes the pairs tighter. An estimator with a ``companion`` gets a
        ``UserWarning``: the companion is fitted and blended in every cell and takes no
        part in the heads compared, so their differences are diluted.
    X : array-like of shape (n_samples, n_channels, n_timesteps) or (n_samples, ...)
        Whatever ``estimator`` accepts.
    y : array-like of shape (n_samples,)
        Targets.
    orders : list of {"pool_first", "decode_first"}, default=("pool_first", "decode_first")
    pools : list of pool names, Pool subclasses or tuples of them, default=("avg",)
        Names: ``"avg"``, ``"max"``, ``"lp"``, ``"attention"``, MultiRocket's ``"ppv"``,
        ``"mpv"``, ``"logmpv"``, ``"mipv"``, ``"lspv"``, or a registered name; a tuple
        such as ``("ppv", "lspv")`` concatenates its members' features (named
        ``ppv+lspv`` in the results).
    windows : list of int or None, default=(None,)
        ``None`` is global pooling.
    cv : int, CV splitter or list of (train, test), default=5
        An integer means ``cv`` folds repeated ``n_repeats`` times: stratified for
        classifiers, group-aware (``StratifiedGroupKFold`` / ``GroupKFold``, shuffled)
        when ``groups`` is given. A splitter is called once with ``(X, y, groups)``.
    n_repeats : int, default=1
        Repetitions of ``cv`` folds with different shuffles (integer ``cv`` only).
    scoring : str, callable or None, default=None
        One scikit-learn metric; None uses ``estimator.score``. Greater is better.
    groups : array-like of shape (n_samples,), default=None
        Group labels; no group is ever in both the training and the test rows (a ``cv``
        splitter that ignores groups and puts one on both sides is refused).
    n_jobs : int, default=None
        Fits run in parallel (joblib). In worker processes (loky, joblib's default
        back-end) each fit gets its share of the cores, ``usable cores // n_jobs``
        torch threads with ``n_threads="auto"``, even when this process was started
        with ``OMP_NUM_THREADS``; an ``inner_max_num_threads`` set with
        ``joblib.parallel_config`` is kept.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits (not the estimator).
    param_prefix : str, default=None
        Where ``order``, ``pool`` and ``window`` live, e.g. ``"seqpoolclassifier"`` in a
        Pipeline; found automatically when there is exactly one such estimator.
    progress : bool or callable, default=False
        True shows a tqdm progress bar over the fits; a callable is called as
        ``progress(n_done, n_total)`` after fits complete, once per count. Calls
        running at once in several threads each report only their own fits.
    n_seeds : int, default=None
        Refit every configuration on every split under this many seeds of the estimator's
        ``random_state``: the estimator's own integer ``random_state`` (0 if it has none)
        and the ``n_seeds - 1`` integers after it. Both orders share the seed of a pair, so
        differences are paired by (split, seed). None fits once, with the estimator's own
        ``random_state``.
    random_states : list of int, default=None
        The seeds themselves, instead of ``n_seeds``.
    equivalence_margin : float, default=None
        The default margin (in score units) of the equivalence test of
        :meth:`HeadComparison.order_effect` and :meth:`HeadComparison.main_effect`.
    faithfulness : bool, default=False
        Also score every fitted design's per-step explanations on its test rows with
        :func:`~seqpool_sklearn.deletion_score` (how much the explained output drops when
        the top-ranked steps are masked, beyond masking random steps): a
        ``faithfulness`` column in ``results`` and ``mean_faithfulness`` in ``summary()``,
        so each design shows how accurate it is and how well its explanations point at the
        evidence. It costs one explanation pass per fit and fraction.

    Returns
    -------
    HeadComparison
        ``results`` (tidy table), ``summary()``, ``order_effect()``, ``main_effect()``,
        ``report()`` and ``plot()``.

    See Also
    --------
    SeqPoolClassifier, SeqPoolRegressor

    Notes
    -----
    The order effect is tested with the corrected resampled t-test (Nadeau & Bengio,
    "Inference for the generalization error", Machine Learning 52, 2003): the variance of
    the ``k`` paired differences is inflated by ``1/k + n_test/n_train`` because
    cross-validation folds overlap in their training data. The p-values of one table are
    Holm-adjusted over its rows, and the verdicts use the adjusted values. With several
    seeds the differences are averaged over the seeds of each split before the test, so
    initialisation luck is part of the variance the test measures and the degrees of
    freedom stay those of the splits.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpool_sklearn import SeqPoolClassifier, compare_heads, make_nonlinear_steps
    >>> X, y = make_nonlinear_steps(n_samples=40, n_timesteps=16, random_state=0)
    >>> clf = SeqPoolClassifier(encoder=None, hidden_size=8, max_epochs=2, random_state=0)
    >>> result = compare_heads(clf, X, y, pools=["avg", "max"], cv=2, random_state=0)
    >>> result.results.shape
    (8, 10)
    >>> result.summary()[["order", "pool", "n_splits"]].shape
    (4, 3)
    >>> list(result.order_effect()["pool"])
    ['avg', 'max']
    """
    orders, pools, windows = _check_grid(orders, pools, windows)
    prefix = _param_prefix(estimator, param_prefix)
    _warn_companion(estimator, prefix)
    _check_ridge_grid(estimator, prefix, orders, pools)
    if isinstance(scoring, (dict, list, tuple, set)):
        raise ValueError(
            "compare_heads compares one metric; pass a single scoring name or callable, "
            f"got {scoring!r}."
        )
    if isinstance(scoring, str) and scoring not in get_scorer_names():
        raise ValueError(
            f"scoring={scoring!r} is not a scikit-learn metric name."
            f"{did_you_mean(scoring, get_scorer_names())} See "
            "sklearn.metrics.get_scorer_names() for the list."
        )
    scorer = check_scoring(estimator, scoring=scoring)
    _check_n_jobs(n_jobs)
    faithfulness = check_bool(faithfulness, "faithfulness")
    seeds = _check_seeds(estimator, prefix, n_seeds, random_states)
    equivalence_margin = _check_margin(equivalence_margin, _metric_name(estimator, scoring))
    _check_groups(groups, X)
    _check_targets_first(estimator, X, y)
    splits, repeat, fold = _make_splits(estimator, X, y, groups, cv, n_repeats, random_state)

    configs = [(o, p, w) for p in pools for w in windows for o in orders]
    param_grid = []
    for cfg in configs:
        for seed in seeds or [None]:
            params = {
                f"estimator__{prefix}{name}": [value]
                for name, value in zip(_HEAD_PARAMS, cfg, strict=True)
            }
            if seeds:
                params[f"estimator__{prefix}random_state"] = [seed]
            param_grid.append(params)
    search = GridSearchCV(
        _TimedFit(estimator),
        param_grid,
        scoring=_ScoreAndFitTime(scorer, faithfulness=faithfulness),
        cv=splits,
        n_jobs=n_jobs,
        refit=False,
        error_score="raise",
        return_train_score=False,
    )
    n_total = len(param_grid) * len(splits)
    bar = None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm ships with the cli/test extras
            raise ImportError(
                "progress=True needs tqdm; install it (pip install tqdm) or pass progress=False."
            ) from None
        bar = tqdm(total=n_total, desc="fits", unit="fit")

        def report(done: int) -> None:
            bar.update(max(0, min(done, n_total) - bar.n))
    elif callable(progress):

        def report(done: int) -> None:
            progress(min(done, n_total), n_total)
    elif progress is not False and progress is not None:
        raise TypeError(f"progress must be True, False or a callable, got {progress!r}.")

    hook = _progress_hook(report) if progress not in (False, None) else nullcontext()
    try:
        # the workers' share of the cores even under a start-up OMP_NUM_THREADS, which
        # joblib would hand to every worker as it is
        with hook, workers_share_cores(n_jobs):
            search.fit(X, y)
    finally:
        if bar is not None:
            bar.close()

    res = search.cv_results_
    rows = []
    n_train = [len(tr) for tr, _ in splits]
    n_test = [len(te) for _, te in splits]
    for c, params in enumerate(res["params"]):
        cfg = tuple(params[f"estimator__{prefix}{name}"] for name in _HEAD_PARAMS)
        for j in range(len(splits)):
            row = {
                "order": cfg[0],
                "pool": pool_label(cfg[1]),
                "window": cfg[2],
                "repeat": int(repeat[j]),
                "fold": int(fold[j]),
                "split": j,
                "score": float(res[f"split{j}_test_score"][c]),
                "fit_time": float(res[f"split{j}_test_fit_time"][c]),
                "n_train": n_train[j],
                "n_test": n_test[j],
            }
            if faithfulness:
                row["faithfulness"] = float(res[f"split{j}_test_faithfulness"][c])
            if seeds:
                row["seed"] = int(params[f"estimator__{prefix}random_state"])
            rows.append(row)
    results = _frame(rows)
    name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", None)
    metric, chance = _metric_and_chance(estimator, scoring, y)
    return HeadComparison(
        results,
        splits=splits,
        scoring=name or "score",
        cv_results=dict(res),
        seeds=seeds,
        equivalence_margin=None if equivalence_margin is None else float(equivalence_margin),
        metric=metric or name,
        chance_level=chance,
        task=(
            "classification"
            if is_classifier(estimator)
            else "regression"
            if is_regressor(estimator)
            else None
        ),
    )
