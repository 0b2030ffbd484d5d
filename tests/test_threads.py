"""``n_threads="auto"``: a single fit uses the cores, parallel workers share them.

The thread count a fit ran with is read where torch reports it: inside training (a
callback) and inside ``predict`` (a forward hook on the network).
"""

import os
import threading
import time

import joblib
import numpy as np
import pytest
import torch
from _threads import caller_threads
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, _threads
from seqpool_sklearn._threads import auto_threads, resolve_n_threads, usable_cores

TINY = {"encoder": "conv", "encoder_channels": 4, "hidden_size": 6, "max_epochs": 2}


def _data(n=24, c=2, t=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    return X, (X[:, 0].mean(axis=1) > 0).astype(int)


class RecordThreads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def _fit_threads(**params):
    """The torch thread counts seen by training and by predict, and the caller's after."""
    X, y = _data()
    est = SeqPoolClassifier(callbacks=[RecordThreads()], random_state=0, **TINY, **params)
    est.fit(X, y)
    seen = []
    est.net_.module_.register_forward_pre_hook(lambda m, a: seen.append(torch.get_num_threads()))
    est.predict(X)
    return set(est.history_[:, "torch_threads"]), set(seen), torch.get_num_threads()


def _started_without_omp_num_threads(monkeypatch):
    """As if the process had started with no ``OMP_NUM_THREADS``, which caps ``"auto"``
    (the suite may run under one); its workers are not handed it either."""
    monkeypatch.setattr(_threads, "_startup_omp_num_threads", lambda: None)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)


def test_default_is_auto_and_uses_the_usable_cores_in_the_main_process(monkeypatch):
    _started_without_omp_num_threads(monkeypatch)
    assert SeqPoolClassifier().n_threads == "auto"
    with caller_threads(1):
        training, predicting, after = _fit_threads()
    assert training == predicting == {usable_cores()}
    assert after == 1  # the caller's setting is restored


def test_auto_is_the_integer_it_resolves_to_and_the_same_seed_refits_identically(monkeypatch):
    _started_without_omp_num_threads(monkeypatch)
    X, y = _data()
    cores = usable_cores()
    assert auto_threads() == cores
    auto = [SeqPoolClassifier(random_state=0, **TINY).fit(X, y) for _ in range(2)]
    pinned = SeqPoolClassifier(n_threads=cores, random_state=0, **TINY).fit(X, y)
    for other in (auto[1], pinned):
        np.testing.assert_array_equal(other.predict_proba(X), auto[0].predict_proba(X))
    different = SeqPoolClassifier(random_state=1, **TINY).fit(X, y)
    assert not np.allclose(different.predict_proba(X), auto[0].predict_proba(X))


def test_usable_cores_follows_affinity_cgroup_quota_and_smt(monkeypatch):
    monkeypatch.setattr(_threads, "_cgroup_cpu_limit", lambda: None)
    monkeypatch.setattr(_threads, "_affinity", lambda: {0, 1, 2, 3})
    four_cores = {0: "0", 1: "1", 2: "2", 3: "3"}
    monkeypatch.setattr(_threads, "_core_of_cpu", lambda: four_cores)
    assert usable_cores() == 4
    # two hyper-threads of each of two cores count as two cores
    monkeypatch.setattr(_threads, "_core_of_cpu", lambda: {0: "0,2", 1: "1,3", 2: "0,2", 3: "1,3"})
    assert usable_cores() == 2
    monkeypatch.setattr(_threads, "_core_of_cpu", lambda: four_cores)
    monkeypatch.setattr(_threads, "_affinity", lambda: {1, 3})  # taskset -c 1,3
    assert usable_cores() == 2
    monkeypatch.setattr(_threads, "_affinity", lambda: {0, 1, 2, 3})
    monkeypatch.setattr(_threads, "_cgroup_cpu_limit", lambda: 3)  # docker --cpus 2.5
    assert usable_cores() == 3


@pytest.mark.parametrize(("text", "limit"), [("250000 100000", 3), ("max 100000", None)])
def test_cgroup_v2_quota_is_read_and_rounded_up(monkeypatch, tmp_path, text, limit):
    real_open = open

    def fake_open(path, *args, **kwargs):
        if path == "/sys/fs/cgroup/cpu.max":
            (tmp_path / "cpu.max").write_text(text)
            return real_open(tmp_path / "cpu.max", *args, **kwargs)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    assert _threads._cgroup_cpu_limit() == limit


def test_omp_num_threads_at_start_up_caps_auto_and_later_writes_do_not(monkeypatch):
    def started_with(value):
        monkeypatch.setattr(_threads, "_startup_omp_num_threads", lambda: value)

    started_with("1")
    assert auto_threads() == 1
    started_with("not a number")
    assert auto_threads() == usable_cores()
    # dask.distributed.LocalCluster leaves OMP_NUM_THREADS=1 in its caller's os.environ
    started_with(None)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert auto_threads() == usable_cores()
    # in a joblib worker process it is the share joblib gave the worker when it started
    monkeypatch.setattr(_threads, "_in_joblib_task", lambda: True)
    monkeypatch.setattr(_threads.multiprocessing, "parent_process", lambda: object())
    monkeypatch.setattr(
        _threads.multiprocessing, "get_start_method", lambda allow_none=False: "loky"
    )
    started_with("1")
    assert auto_threads() == 1
    started_with("64")
    assert auto_threads() == usable_cores()
    started_with(None)  # a back-end that sets no share: one thread
    assert auto_threads() == 1
    # a forked worker reads its parent's start-up environment: one thread whatever it says
    monkeypatch.setattr(
        _threads.multiprocessing, "get_start_method", lambda allow_none=False: "fork"
    )
    started_with("64")
    assert auto_threads() == 1
    # a spawned child outside joblib is a process of its own: the cores, as a main process
    monkeypatch.setattr(_threads, "_in_joblib_task", lambda: False)
    monkeypatch.setattr(
        _threads.multiprocessing, "get_start_method", lambda allow_none=False: "spawn"
    )
    started_with(None)
    assert auto_threads() == usable_cores()


def test_the_start_up_environment_is_read_not_os_environ(monkeypatch):
    _threads._startup_omp_num_threads.cache_clear()
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    try:
        started = _threads._startup_omp_num_threads()
    finally:
        _threads._startup_omp_num_threads.cache_clear()
    assert started != "7"  # pytest was not started with OMP_NUM_THREADS=7


def test_loky_workers_take_their_share_and_do_not_oversubscribe(monkeypatch):
    # joblib hands an OMP_NUM_THREADS of the caller's to its workers as it is
    _started_without_omp_num_threads(monkeypatch)
    n_jobs = 2
    with joblib.parallel_config("loky", n_jobs=n_jobs):
        seen = joblib.Parallel()(joblib.delayed(_fit_threads)() for _ in range(n_jobs))
    # joblib gives each of n_jobs worker processes cpu_count() // n_jobs threads
    share = max(1, joblib.cpu_count() // n_jobs)
    for training, predicting, _ in seen:
        assert training == predicting == {min(share, usable_cores())}


def test_loky_inner_max_num_threads_is_the_workers_share(monkeypatch):
    _started_without_omp_num_threads(monkeypatch)
    with joblib.parallel_config("loky", n_jobs=1, inner_max_num_threads=1):
        # n_jobs=1 runs in the caller: a serial search keeps the machine
        assert joblib.Parallel()(joblib.delayed(auto_threads)() for _ in range(1)) == [
            usable_cores()
        ]
    # two workers on 2 cores would get one thread each; the explicit setting wins
    with joblib.parallel_config("loky", n_jobs=2, inner_max_num_threads=2):
        seen = joblib.Parallel()(joblib.delayed(auto_threads)() for _ in range(2))
    assert seen == [min(2, usable_cores())] * 2


def test_threads_and_joblib_threading_workers_use_one_thread():
    with caller_threads(2):
        with joblib.parallel_config("threading", n_jobs=2):
            seen = joblib.Parallel()(joblib.delayed(_fit_threads)() for _ in range(2))
        assert all(training == predicting == {1} for training, predicting, _ in seen)
        result = []
        worker = threading.Thread(target=lambda: result.append(_fit_threads()))
        worker.start()
        worker.join()
        assert result[0][:2] == ({1}, {1})
        assert torch.get_num_threads() == 2


def test_a_dask_task_uses_one_thread(monkeypatch):
    class FakeDistributed:
        """A process on a Dask worker: get_worker() answers instead of raising."""

        @staticmethod
        def get_worker():
            return object()

    monkeypatch.setitem(__import__("sys").modules, "distributed", FakeDistributed)
    assert auto_threads() == 1


def test_integers_and_none_keep_their_meaning():
    assert resolve_n_threads(3) == 3
    assert resolve_n_threads(None) is None
    with caller_threads(1):
        training, _, after = _fit_threads(n_threads=2)
        assert training == {2} and after == 1
        free, _, _ = _fit_threads(n_threads=None)
        assert free == {1}


def test_auto_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match=r"'n_threads' parameter .*'auto'.* Got 'all' instead"):
        SeqPoolClassifier(n_threads="all", **TINY).fit(X, y)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux affinity")
def test_usable_cores_counts_no_more_than_the_affinity_set():
    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))


def test_ridge_fits_overlapping_in_threads_leave_blas_as_they_found_it(monkeypatch):
    # each fit saved the BLAS thread count on entry and wrote it back on exit: with two
    # overlapping, the second restored the first's limit of 1 for the rest of the process
    from threadpoolctl import threadpool_info

    import seqpool_sklearn.estimators.training as training

    def blas():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    if not blas():
        pytest.skip("numpy has no BLAS threadpoolctl can see")
    solve, both_in, first_in = training.fit_ridge, threading.Barrier(2), threading.Event()
    order, lock = [], threading.Lock()

    def slow_solve(*args, **kwargs):
        with lock:
            order.append(threading.get_ident())
        first_in.set()
        both_in.wait(timeout=30)  # both fits are inside their limits at once
        if order[0] != threading.get_ident():
            time.sleep(0.3)  # the first in leaves first; the second, which found 1, last
        return solve(*args, **kwargs)

    monkeypatch.setattr(training, "fit_ridge", slow_solve)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 1, 12)).astype("float32"), np.arange(20) % 2
    before = blas()
    if max(before) < 2:
        pytest.skip("BLAS runs one thread here: a limit of 1 changes nothing")
    errors = []

    def fit(n_threads):
        try:
            SeqPoolClassifier(
                encoder=None, readout="ridge", hidden_size=4, n_threads=n_threads
            ).fit(X, y)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fit, args=(n,)) for n in (1, 1)]
    threads[0].start()
    first_in.wait(timeout=30)  # the second fit enters the limit the first one set
    threads[1].start()
    for t in threads:
        t.join()
    assert not errors
    assert blas() == before


# Three orders of pins overlapping in two threads, each ending with the caller's count:
# A pins 1 and B 3 (B starting inside A's pin), A ends first; B pins 3 and the caller 1,
# the caller ends first; the same with the caller's pin inside a fit's.
_OVERLAPS = """
import threading, torch
from seqpool_sklearn._net import _torch_threads
torch.set_num_threads(2)
out = []

def run(first, second, first_ends_first):
    started, done = threading.Event(), threading.Event()
    def other():
        with _torch_threads(first):
            started.set()
            done.wait(10)
    t = threading.Thread(target=other)
    t.start()
    started.wait(10)
    if first_ends_first:
        done.set()
        t.join()
    with _torch_threads(second):
        pass
    done.set()
    t.join()
    out.append(torch.get_num_threads())

def a_then_b():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    def a():
        with _torch_threads(1):
            a_in.set(); b_in.wait(10)
        a_out.set()
    def b():
        a_in.wait(10)
        with _torch_threads(3):
            b_in.set(); a_out.wait(10)
    ts = [threading.Thread(target=a), threading.Thread(target=b)]
    [t.start() for t in ts]; [t.join() for t in ts]
    out.append(torch.get_num_threads())

a_then_b()
run(3, 1, first_ends_first=False)
run(1, 3, first_ends_first=False)
print(*out)
"""


def test_pins_overlapping_in_threads_leave_the_callers_count():
    # torch keeps a count per thread and a new thread starts from the last one set
    # anywhere: each pin used to restore what it found (another thread's pin, at times),
    # and then one that left while another ran restored nothing. Run in a fresh
    # interpreter, where those counts start from the caller's.
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _OVERLAPS], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "2", "2"]


def test_a_nested_pin_gives_the_outer_count_back():
    from seqpool_sklearn._net import _torch_threads

    with caller_threads(2):
        with _torch_threads(1):
            with _torch_threads(3):
                assert torch.get_num_threads() == 3
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2


def _fit_and_predict_proba():
    X, y = _data()
    est = SeqPoolClassifier(random_state=0, n_threads="auto", **TINY).fit(X, y)
    return est.predict_proba(X)[:1]


def test_predict_proba_in_a_forked_worker_returns():
    # joblib's "multiprocessing" back-end forks the parent: torch's softmax ran after
    # predict's pin was lifted, with the parent's threads, and hung in the child.
    _fit_and_predict_proba()  # the parent's thread pool is up
    with joblib.parallel_backend("multiprocessing"), caller_threads(2):
        out = joblib.Parallel(n_jobs=2, timeout=120)(
            joblib.delayed(_fit_and_predict_proba)() for _ in range(2)
        )
    np.testing.assert_array_equal(out[0], out[1])


# --------------------------------------------------------------------------- compare_heads
class RecordThreadsToFile(Callback):
    """The torch thread count of each epoch, appended to a file (fits run in workers)."""

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, net, **kwargs):
        with open(self.path, "a") as f:
            f.write(f"{torch.get_num_threads()}\n")


def _compare_threads(path, n_jobs, **config):
    from seqpool_sklearn import compare_heads

    X, y = _data()
    est = SeqPoolClassifier(
        encoder=None,
        hidden_size=4,
        max_epochs=1,
        random_state=0,
        callbacks=[RecordThreadsToFile(str(path))],
    )
    with joblib.parallel_config(**config):
        compare_heads(est, X, y, cv=2, n_jobs=n_jobs)
    return {int(n) for n in path.read_text().split()}


def test_compare_heads_workers_share_the_cores_under_a_start_up_omp_num_threads(
    monkeypatch, tmp_path
):
    # a job script's `export OMP_NUM_THREADS=<cores>`: joblib hands it to every loky
    # worker as it is, and each of n_jobs workers took all the cores
    cores = usable_cores()
    monkeypatch.setenv("OMP_NUM_THREADS", str(cores))
    assert _compare_threads(tmp_path / "share.txt", 2) == {max(1, cores // 2)}
    # an inner_max_num_threads the caller set is kept
    seen = _compare_threads(tmp_path / "set.txt", 2, backend="loky", inner_max_num_threads=2)
    assert seen == {min(2, cores)}


def test_compare_heads_progress_in_overlapping_threads_stays_apart():
    from seqpool_sklearn import compare_heads

    X, y = _data()
    original = (joblib.Parallel.__call__, joblib.Parallel.print_progress)
    log = {"A": [], "B": []}
    a_in, b_in, a_done = threading.Event(), threading.Event(), threading.Event()

    def progress(name):
        def report(done, total):
            log[name].append((done, total))
            if name == "A" and done == 1:  # B starts while A runs ...
                a_in.set()
                b_in.wait(timeout=60)
            if name == "B" and done == 1:
                b_in.set()
            if name == "B" and done == 2:  # ... and A ends while B runs
                a_done.wait(timeout=60)

        return report

    def run(name, pools):
        est = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=1, random_state=0)
        try:
            compare_heads(est, X, y, pools=pools, cv=2, progress=progress(name))
        finally:
            if name == "A":
                a_done.set()

    a = threading.Thread(target=run, args=("A", ["avg"]))
    b = threading.Thread(target=run, args=("B", ["avg", "max"]))
    a.start()
    assert a_in.wait(timeout=60)
    b.start()
    a.join()
    b.join()
    # each call saw its own fits, every count once
    assert log["A"] == [(i, 4) for i in range(1, 5)]
    assert log["B"] == [(i, 8) for i in range(1, 9)]
    # joblib.Parallel is as it was, and no callback hears of later work
    assert (joblib.Parallel.__call__, joblib.Parallel.print_progress) == original
    joblib.Parallel(n_jobs=1)(joblib.delayed(abs)(i) for i in range(3))
    assert len(log["A"]) == 4 and len(log["B"]) == 8


_POOL_WORKERS = """
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor

import joblib
import numpy as np
import torch
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier


class Threads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def fit(_=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 12)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    est = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0,
                            callbacks=[Threads()]).fit(X, y)
    return max(est.history_[:, "torch_threads"])


if __name__ == "__main__":
    fit()  # the parent has trained: its OpenMP pool is up
    with joblib.parallel_backend("multiprocessing"):
        print(*joblib.Parallel(n_jobs=2, timeout=60)(joblib.delayed(fit)() for _ in range(2)))
    with multiprocessing.Pool(2) as pool:
        print(*pool.map(fit, range(2)))
    with ProcessPoolExecutor(2) as ex:
        print(*ex.map(fit, range(2), timeout=60))
"""


def test_pool_workers_outside_loky_train_on_one_thread_and_do_not_hang(tmp_path):
    # started with OMP_NUM_THREADS=2, a forked worker read the parent's start-up value as
    # its own share: two threads per worker, and a deadlock once the parent had trained
    import os
    import subprocess
    import sys

    script = tmp_path / "pool_workers.py"
    script.write_text(_POOL_WORKERS)
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=240, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1"] * 6
