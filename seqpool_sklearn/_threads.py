"""How many torch intra-op threads a fit or predict uses: the ``n_threads`` parameter.

``n_threads="auto"`` (the default) gives a fit the cores it can have without crowding
anything running beside it:

- in the main thread of a process that is not a parallel worker: the physical cores the
  process may run on (its CPU affinity, a cgroup CPU quota as set by Docker or Kubernetes),
  and no more than ``OMP_NUM_THREADS`` when the process was started with it, as torch
  itself reads it. The variable is read from the environment the process started with
  (``/proc/self/environ`` on Linux), not from ``os.environ``: libraries write into the
  running process's environment (``dask.distributed.LocalCluster`` leaves
  ``OMP_NUM_THREADS=1`` in its caller's ``os.environ`` for good, meant for its workers);
- inside a joblib worker *process* (loky, the default backend of ``GridSearchCV(n_jobs=...)``
  and ``compare_heads(n_jobs=...)``): the ``OMP_NUM_THREADS`` the worker was started with,
  which is also what torch reads when it starts there. joblib sets it to the
  ``inner_max_num_threads`` of ``joblib.parallel_config`` when one is given; otherwise it
  hands the parent's ``os.environ["OMP_NUM_THREADS"]`` to every worker as it is, and only
  where the parent has none does it set the share ``cpu_count() // n_jobs``
  (``torch.get_num_threads()`` there is 1 for ``n_jobs=2`` on 2 cores). So a start-up
  ``OMP_NUM_THREADS`` caps each worker, not the search: ``n_jobs`` workers of a process
  started with ``OMP_NUM_THREADS=<cores>`` run ``n_jobs x <cores>`` threads. A worker
  cannot see ``n_jobs``; the caller avoids this with ``n_threads=1`` or
  ``joblib.parallel_config("loky", inner_max_num_threads=cores // n_jobs)``, as
  ``compare_heads`` does itself (:func:`workers_share_cores`);
- inside a joblib worker *thread* (the threading backend), a Dask task
  (``distributed.get_worker()`` answers) or any thread other than the main one: one thread.
  Such tasks run side by side in one process, and torch's thread count is process-wide;
- inside a *forked* child process (joblib's ``multiprocessing`` back-end,
  ``multiprocessing.Pool`` or ``ProcessPoolExecutor`` with the ``fork`` start method):
  one thread. A forked child reads its parent's start-up environment as its own, and it
  shares the parent's OpenMP state, where more than one thread deadlocks once the parent
  has trained. A child started with ``spawn`` or ``forkserver`` outside joblib is a
  process of its own (the first rule): a pool of them needs ``n_threads=1`` or its share.

joblib marks the code it runs in a worker by its active backend: ``Parallel`` runs each
batch of tasks under ``parallel_config(backend=<nested backend>)``, whose
``nesting_level`` is 1 or more, while code outside any ``Parallel`` (and ``n_jobs=1``,
which runs in the caller) sees level 0.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import joblib
from joblib.parallel import get_active_backend

__all__ = ["resolve_n_threads", "usable_cores"]


def _affinity() -> set[int] | None:
    """The CPUs this process may run on, or None where the platform does not say."""
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def _cgroup_cpu_limit() -> int | None:
    """The CPU quota of this process's cgroup (v2 ``cpu.max``, v1 CFS), rounded up."""
    candidates = [
        ("/sys/fs/cgroup/cpu.max", None),
        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    ]
    for quota_path, period_path in candidates:
        try:
            with open(quota_path) as f:
                fields = f.read().split()
            if period_path is not None:
                with open(period_path) as f:
                    fields.append(f.read().strip())
            quota, period = fields[0], fields[1]
        except (OSError, IndexError):
            continue
        if quota in ("max", "-1"):
            return None
        try:
            return max(1, math.ceil(int(quota) / int(period)))
        except (ValueError, ZeroDivisionError):
            return None
    return None


@lru_cache(maxsize=1)
def _core_of_cpu() -> dict[int, str]:
    """Linux: CPU number -> the set of hardware threads sharing its core (SMT siblings)."""
    cores: dict[int, str] = {}
    root = "/sys/devices/system/cpu"
    try:
        names = os.listdir(root)
    except OSError:
        return cores
    for name in names:
        if not (name.startswith("cpu") and name[3:].isdigit()):
            continue
        for leaf in ("core_cpus_list", "thread_siblings_list"):
            try:
                with open(f"{root}/{name}/topology/{leaf}") as f:
                    cores[int(name[3:])] = f.read().strip()
                break
            except OSError:
                continue
    return cores


def usable_cores() -> int:
    """Physical cores this process may use: affinity, cgroup quota and SMT taken into account.

    Hyper-threads of one core count once: two torch threads on one core's siblings
    share its arithmetic units and run no faster than one. Where the topology cannot be
    read the logical CPU count is used.

    Examples
    --------
    >>> usable_cores() >= 1
    True
    """
    cpus = _affinity()
    logical = len(cpus) if cpus else (os.cpu_count() or 1)
    topology = _core_of_cpu()
    if cpus and topology and cpus <= topology.keys():
        cores = len({topology[cpu] for cpu in cpus})
    else:
        cores = logical
    quota = _cgroup_cpu_limit()
    if quota is not None:
        cores = min(cores, quota)
    return max(1, cores)


# the fallback where the start-up environment cannot be read: the variable at import time
_IMPORT_OMP_NUM_THREADS = os.environ.get("OMP_NUM_THREADS")


@lru_cache(maxsize=1)
def _startup_omp_num_threads() -> str | None:
    """``OMP_NUM_THREADS`` as this process was started with it (later writes ignored)."""
    try:
        with open("/proc/self/environ", "rb") as f:
            entries = f.read().split(b"\0")
    except OSError:
        return _IMPORT_OMP_NUM_THREADS
    for entry in entries:
        name, _, value = entry.partition(b"=")
        if name == b"OMP_NUM_THREADS":
            return value.decode("ascii", "replace")
    return None


def _env_threads() -> int | None:
    """Start-up ``OMP_NUM_THREADS`` as a positive integer, or None when unset or unreadable."""
    value = (_startup_omp_num_threads() or "").split(",")[0].strip()
    try:
        n = int(value)
    except ValueError:
        return None
    return n if n >= 1 else None


def _in_dask_task() -> bool:
    # a process running a Dask task has imported distributed already; never import it here
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except (ValueError, AttributeError):
        return False
    return True


def _in_joblib_task() -> bool:
    backend, _ = get_active_backend()
    return (getattr(backend, "nesting_level", None) or 0) >= 1


def auto_threads() -> int:
    """The thread count ``n_threads="auto"`` stands for here and now (see the module notes).

    Examples
    --------
    >>> 1 <= auto_threads() <= usable_cores()
    True
    """
    if _in_dask_task() or threading.current_thread() is not threading.main_thread():
        return 1
    cores = usable_cores()
    if multiprocessing.parent_process() is not None:
        if multiprocessing.get_start_method(allow_none=True) == "fork":
            # a forked child (joblib's multiprocessing back-end, multiprocessing.Pool or
            # ProcessPoolExecutor with the fork start method): it reads its parent's
            # start-up environment as its own, and it shares the parent's OpenMP state, in
            # which more than one thread deadlocks once the parent has trained
            return 1
        if _in_joblib_task():
            # a joblib worker process (loky): the share it was started with
            return min(cores, _env_threads() or 1)
    limit = _env_threads()
    return min(cores, limit) if limit is not None else cores


@contextmanager
def workers_share_cores(n_jobs: int | None) -> Iterator[None]:
    """Run the block with joblib's worker processes held to their share of the cores.

    A ``joblib.Parallel(n_jobs=n_jobs)`` run in the block on a back-end that takes
    ``inner_max_num_threads`` (loky, joblib's default) gives each of its workers
    ``usable_cores() // workers`` threads (at least one), even where this process was
    started with ``OMP_NUM_THREADS``, which joblib otherwise hands to every worker as it
    is. Left as they are: ``n_jobs=1``, a back-end without the setting (threading, Dask,
    whose tasks ``n_threads="auto"`` gives one thread each) and an
    ``inner_max_num_threads`` the caller set.

    Parameters
    ----------
    n_jobs : int or None
        The ``n_jobs`` the Parallel will be given; None takes the active
        ``joblib.parallel_config``'s.

    Examples
    --------
    >>> with workers_share_cores(2):  # each of 2 loky workers gets half the cores
    ...     get_active_backend()[0].inner_max_num_threads == max(1, usable_cores() // 2)
    True
    """
    backend, _ = get_active_backend()
    if (
        n_jobs == 1
        or not getattr(backend, "supports_inner_max_num_threads", False)
        or backend.inner_max_num_threads is not None
    ):
        yield
        return
    workers = joblib.effective_n_jobs(n_jobs)
    if workers <= 1:
        yield
        return
    # a copy of the active back-end with the share: the caller's instance is left alone
    shared = type(backend)(
        nesting_level=backend.nesting_level,
        inner_max_num_threads=max(1, usable_cores() // workers),
        **backend.backend_kwargs,
    )
    with joblib.parallel_config(backend=shared):
        yield


def resolve_n_threads(n_threads: int | str | None) -> int | None:
    """The ``n_threads`` parameter as a count (None: leave torch's setting alone).

    Examples
    --------
    >>> resolve_n_threads(3)
    3
    >>> resolve_n_threads(None) is None
    True
    >>> resolve_n_threads("auto") == auto_threads()
    True
    """
    if isinstance(n_threads, str):
        # the parameter constraint admits "auto" as the only string
        return auto_threads()
    return n_threads


# numpy's BLAS (OpenBLAS, MKL) has one thread count for the whole process: fits that hold it
# in several threads at once (the threading back-end, Dask's threads) share one limit, set
# by the first to enter and restored by the last to leave, so that no fit's exit puts back
# a value another fit set and the process ends as it began.
class blas_threads:
    """Hold numpy's BLAS to ``n`` threads (None: leave it) while a closed-form solve runs.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     _ = np.linalg.eigh(np.eye(3))
    """

    _lock = threading.Lock()
    _depth = 0  # fits inside the limit, in every thread
    _limiter = None  # the first one's threadpool_limits, restored by the last to leave

    def __init__(self, n: int | None):
        self.n = n

    def __enter__(self) -> blas_threads:
        if self.n is not None:
            from threadpoolctl import threadpool_limits

            with blas_threads._lock:
                if blas_threads._depth == 0:
                    blas_threads._limiter = threadpool_limits(limits=self.n, user_api="blas")
                blas_threads._depth += 1
        return self

    def __exit__(self, *exc) -> None:
        if self.n is not None:
            with blas_threads._lock:
                blas_threads._depth -= 1
                if blas_threads._depth == 0:
                    blas_threads._limiter.restore_original_limits()
                    blas_threads._limiter = None
