"""What training keeps in memory: the pooled frames and decode ranks it caches, and budgets."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

import seqpool_sklearn
from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.nn.masks import observed_mask
from seqpool_sklearn.nn.module import SeqPoolModule


def _data(n=40, t=48):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2, t)).astype(np.float32)
    X[: n // 2, 0, 10:20] += 1.5
    X[3, :, 30:] = np.nan  # a shorter series: frames without steps
    return X, np.repeat([0, 1], n // 2)


class _Spy:
    """Records what ``SeqPoolModule.pool_inputs`` returned during fits."""

    def __init__(self, monkeypatch):
        self.results = []
        real = SeqPoolModule.pool_inputs

        def spied(module, *args, **kwargs):
            out = real(module, *args, **kwargs)
            self.results.append(out)
            return out

        monkeypatch.setattr(SeqPoolModule, "pool_inputs", spied)

    def cached(self) -> bool:
        """Whether the last fit trained on frames pooled once."""
        return self.results[-1] is not None


@pytest.mark.parametrize(
    ("estimator", "kw"),
    [
        (SeqPoolClassifier, {"window": 8}),
        (SeqPoolClassifier, {"window": 5, "pool": ("avg", "max")}),
        (SeqPoolRegressor, {"window": 8, "encoder": "multirocket"}),
    ],
)
def test_windowed_pool_first_beyond_the_budget_trains_the_same_model(monkeypatch, estimator, kw):
    X, y = _data()
    kw = {"encoder_channels": 168, "max_epochs": 3, "random_state": 0, **kw}
    spy = _Spy(monkeypatch)
    cached = estimator(**kw).fit(X, y)
    assert spy.cached()  # within the budget: pooled once
    with monkeypatch.context() as m:
        m.setattr("seqpool_sklearn.nn.module.POOLED_CACHE_BYTES", 1000)
        pooled_per_batch = estimator(**kw).fit(X, y)
        assert not spy.cached()  # beyond it: nothing kept, pooled at every batch
    # the same network, bit for bit: the same pooled frames reach the same head
    for a, b in zip(
        cached.module_.state_dict().values(),
        pooled_per_batch.module_.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(cached.predict(X), pooled_per_batch.predict(X))
    np.testing.assert_array_equal(
        cached.history_[:, "train_loss"], pooled_per_batch.history_[:, "train_loss"]
    )


def test_the_default_head_keeps_the_frames_its_encoder_computed(monkeypatch):
    # window=None: the encoder's fit pass already holds the global averages; they are
    # trained on whatever the budget, so the default fit does not change
    X, y = _data()
    kw = {"encoder_channels": 168, "max_epochs": 2, "random_state": 0}
    spy = _Spy(monkeypatch)
    monkeypatch.setattr("seqpool_sklearn.nn.module.POOLED_CACHE_BYTES", 0)
    for estimator in (SeqPoolClassifier, SeqPoolRegressor):
        estimator(**kw).fit(X, y)
        assert spy.cached()


@pytest.mark.parametrize(("window", "pool"), [(None, "avg"), (7, "avg"), (7, ("avg", "max"))])
def test_pool_inputs_fills_one_tensor_with_the_frames_of_each_batch(window, pool):
    module = SeqPoolModule(3, 2, 50, encoder_channels=168, window=window, pool=pool)
    x = torch.randn(10, 2, 50)
    x[3, :, 30:] = float("nan")
    module.fit_data(x, torch.Generator().manual_seed(0))
    packed = module.pool_inputs(x, batch_size=4)
    parts = []
    for i in range(0, 10, 3):  # other batches: the frames of a series are its own
        values, mask = observed_mask(x[i : i + 3])
        pooled, valid = module.pooled(values, mask)
        parts.append(torch.cat([pooled, valid.unsqueeze(1).to(pooled.dtype)], dim=1))
    assert torch.equal(packed, torch.cat(parts))
    assert module.pool_inputs(x, bounded=True) is not None
    with pytest.MonkeyPatch.context() as m:
        m.setattr("seqpool_sklearn.nn.module.POOLED_CACHE_BYTES", packed.nbytes)
        assert torch.equal(module.pool_inputs(x, bounded=True), packed)
        m.setattr("seqpool_sklearn.nn.module.POOLED_CACHE_BYTES", packed.nbytes - 1)
        assert module.pool_inputs(x, bounded=True) is None
        # frames computed a series at a time where a batch's would exceed the chunk budget
        m.setattr("seqpool_sklearn.nn.module.POOLED_CHUNK_BYTES", 1)
        assert torch.equal(module.pool_inputs(x), packed)
        assert torch.equal(module.pool_inputs(x), packed)  # unbounded: always computed


def test_decode_inputs_are_the_ranks_of_every_series():
    module = SeqPoolModule(3, 2, 50, encoder_channels=168, order="decode_first")
    x = torch.randn(10, 2, 50)
    x[3, :, 30:] = float("nan")
    module.fit_data(x, torch.Generator().manual_seed(0))
    cache = module.decode_inputs(x)
    parts = [module.encoder.decode_cache(*observed_mask(x[i : i + 3])) for i in range(0, 10, 3)]
    assert torch.equal(cache, torch.cat(parts))
    assert cache.shape[0] == 10 and cache.nbytes == module.encoder.decode_cache_nbytes(10, 50)
    # batch_size, which the encoder's own chunks replaced, is still taken (and unused)
    assert torch.equal(module.decode_inputs(x, batch_size=4), cache)
    assert torch.equal(module.decode_inputs(x, 4), cache)


# Measured in a fresh process: the peak resident memory of building each cache, over the
# memory before, against the cache's own size. The decode kernel's working buffers are
# made small, so that the peak is the caches' copies.
_PEAK = textwrap.dedent(
    """
    import json

    import torch

    from seqpool_sklearn.nn.encoders import rocket_fast
    from seqpool_sklearn.nn.module import SeqPoolModule

    rocket_fast._BAG_BUDGET = 10**5


    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024


    def peak(call):
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # the high-water mark starts again from the current memory
        base = status("VmRSS:")
        out = call()
        return out.nbytes / 2**20, status("VmHWM:") - base


    torch.manual_seed(0)
    x = torch.randn(2000, 1, 64)
    res = {}
    for order, kw in (("pool_first", {"window": 4}), ("decode_first", {})):
        m = SeqPoolModule(2, 1, 64, encoder_channels=1008, order=order, **kw)
        m.fit_data(x, torch.Generator().manual_seed(0))
        if order == "pool_first":
            m.pool_inputs(x[:64], batch_size=32)  # compiled and warmed up first
            res[order] = peak(lambda: m.pool_inputs(x, batch_size=32))
        else:
            m.decode_inputs(x[:64])
            res[order] = peak(lambda: m.decode_inputs(x))
    print(json.dumps(res))
    """
)


@pytest.mark.skipif(
    not os.access("/proc/self/clear_refs", os.W_OK), reason="needs Linux's /proc/self/clear_refs"
)
def test_building_a_cache_holds_one_copy_of_it(tmp_path):
    script = tmp_path / "peak.py"
    script.write_text(_PEAK)
    root = str(Path(seqpool_sklearn.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for order, (cache_mib, peak_mib) in json.loads(done.stdout.splitlines()[-1]).items():
        # concatenating a list of chunks held the cache twice (2.7x and 1.5x measured)
        assert peak_mib < 1.3 * cache_mib, (order, cache_mib, peak_mib)


@pytest.mark.parametrize(
    "kw",
    [
        {"encoder": "multirocket", "pool": "mpv", "window": 8},
        {"encoder": "multirocket", "pool": ("ppv", "lspv"), "window": 8},
    ],
)
def test_standardised_frames_beyond_the_budget_are_not_kept(monkeypatch, kw):
    # MultiRocket's pools standardise their frames by the training frames' statistics;
    # beyond the budget those are gathered chunk by chunk, and no frames are kept
    X, y = _data()
    w = np.linspace(0.5, 2.0, len(y))
    kw = {"encoder_channels": 168, "max_epochs": 3, "random_state": 0, **kw}
    spy = _Spy(monkeypatch)
    cached = SeqPoolClassifier(**kw).fit(X, y, sample_weight=w)
    assert spy.cached()  # within the budget: pooled once, the scale from those frames
    with monkeypatch.context() as m:
        m.setattr("seqpool_sklearn.nn.module.POOLED_CACHE_BYTES", 1000)
        m.setattr("seqpool_sklearn.nn.module.POOLED_CHUNK_BYTES", 1)  # a series a chunk
        spy.results.clear()
        streamed = SeqPoolClassifier(**kw).fit(X, y, sample_weight=w)
        # every training frame was kept before, whatever the budget
        assert spy.results and all(r is None for r in spy.results)
    a, b = cached.module_.head, streamed.module_.head
    torch.testing.assert_close(b.frame_mean, a.frame_mean, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(b.frame_std, a.frame_std, rtol=1e-6, atol=0.0)
    np.testing.assert_allclose(streamed.predict_proba(X), cached.predict_proba(X), atol=1e-5)


def test_frame_scale_by_chunks_is_that_of_all_the_frames():
    from seqpool_sklearn import SeqPoolHead

    g = torch.Generator().manual_seed(0)
    pooled = 3.0 + torch.rand(25, 12, 4, generator=g, dtype=torch.float64)
    pooled[:, :6] = 0.5  # a pool that mostly does not vary: the size floor applies
    pooled[:, 3] += torch.rand(25, 1, generator=g, dtype=torch.float64)
    valid = torch.rand(25, 4, generator=g) > 0.2
    weight = torch.rand(25, generator=g, dtype=torch.float64)
    weight[5:9] = 0.0  # a chunk of no weight at all

    def head():
        return SeqPoolHead(1, 6, 1, pool=("mpv", "lspv"), standardise_frames=True).double()

    whole, chunked, single = head(), head(), head()
    whole.fit_frame_scale(pooled, valid, weight)
    starts = [0, 5, 9, 10, 17, 25]
    chunked.fit_frame_scale_by_chunks(
        (pooled[i:j], valid[i:j], weight[i:j]) for i, j in zip(starts[:-1], starts[1:], strict=True)
    )
    torch.testing.assert_close(chunked.frame_mean, whole.frame_mean, rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(chunked.frame_std, whole.frame_std, rtol=1e-13, atol=0.0)
    assert whole.frame_std[3] < 0.5 and whole.frame_std[0] == whole.frame_std[1]
    # one chunk: the same operations, bit for bit
    single.fit_frame_scale_by_chunks([(pooled, valid, weight)])
    assert torch.equal(single.frame_mean, whole.frame_mean)
    assert torch.equal(single.frame_std, whole.frame_std)
