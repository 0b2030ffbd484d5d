"""MultiRocket's pools behind the random-convolution encoders, computed by the compiled
kernel (``rocket_kernel.biased_statistics``), pinned to torch's pooling of the maps."""

import numpy as np
import pytest
import torch

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn._modules import RandomConvEncoder
from seqpool_sklearn.nn.encoders import rocket_kernel
from seqpool_sklearn.nn.encoders.minirocket import _ROCKET_INDICES
from seqpool_sklearn.nn.multirocket_pools import (
    PPVPool,
    computes_from_statistics,
)
from seqpool_sklearn.nn.pools import built_members, make_pool, pool_windows

POOLS = ("ppv", "mpv", "logmpv", "mipv", "lspv")


def _encoder(n_channels=1, n_timesteps=45, n_features=336, n=10, dtype=torch.float64):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, n_channels, n_timesteps, generator=gen).to(dtype)  # float32 values
    mask = torch.ones(n, n_timesteps, dtype=torch.bool)
    mask[1, 30:] = False  # a shorter series
    mask[2, 5:12] = False  # missing steps inside a series
    mask[3, 14:] = False  # fully masked windows for window=7
    mask[4, :] = False
    mask[4, 20] = True  # one observed step: its outputs set biases, and equal them
    x = x * mask.unsqueeze(1)
    enc = RandomConvEncoder(n_channels, n_timesteps, n_features=n_features, maps="biased")
    enc = enc.to(dtype)
    enc.fit_data(x, mask, torch.Generator().manual_seed(1))
    return enc, x, mask


def _statistics(enc, x, mask, window=None):
    """The kernel's statistics of ``enc``'s biased maps."""
    return rocket_kernel.biased_statistics(
        x,
        mask,
        enc.weight,
        _ROCKET_INDICES,
        enc.dilations,
        enc.per_dilation,
        enc.bias,
        enc.conv_scale,
        window,
    )


def _plateaus(n):
    """``n`` series of 48 steps, flat stretches of 8 at values float32 cannot hold."""
    rng = np.random.default_rng(0)
    levels = np.array([1 / 3, 0.1, -2 / 7, 0.7])
    return np.repeat(rng.choice(levels, (n, 1, 6)), 8, axis=2)


def _torch_pooling(monkeypatch, enc, x, mask, pool, window):
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        return enc.pool_blocks(x, mask, pool, window)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("window", [None, 1, 7, 45, 100])
def test_kernel_pools_as_torch_pools_the_maps(monkeypatch, dtype, n_channels, window):
    enc, x, mask = _encoder(n_channels=n_channels, dtype=dtype)
    pool = make_pool(POOLS, enc.out_channels)
    got, valid = enc.pool_blocks(x, mask, pool, window)
    expected, expected_valid = _torch_pooling(monkeypatch, enc, x, mask, pool, window)
    whole, _ = pool_windows(pool, enc(x, mask), mask, window)  # the maps, pooled whole
    assert torch.equal(expected, whole)
    assert got.dtype == dtype and got.shape == expected.shape
    assert torch.equal(valid, expected_valid)
    n_features = enc.out_channels
    eps = torch.finfo(dtype).eps
    for i, name in enumerate(POOLS):
        a = got[:, i * n_features : (i + 1) * n_features]
        b = expected[:, i * n_features : (i + 1) * n_features]
        if name == "lspv":  # a count over a count: the same division
            assert torch.equal(a, b)
        else:  # sums added in another order
            torch.testing.assert_close(a, b, rtol=16 * eps, atol=16 * eps)
        # every pool's values are not trivial
        assert a.std() > 0.05, name
    # frames without an observed step are 0 in both
    empty = ~valid.unsqueeze(1).expand_as(got)
    assert (got[empty] == 0).all()


def test_statistics_are_the_maps_counts_ranks_and_runs():
    enc, x, mask = _encoder(n_channels=2)
    stats = _statistics(enc, x, mask)[:, :, 0]
    h = enc(x, mask)  # (B, F, T), unobserved steps 0
    positive = (h > 0) & mask.unsqueeze(1)
    rank = (mask.cumsum(-1) - 1).unsqueeze(1)
    assert torch.equal(stats[..., 0], positive.sum(-1).double())
    torch.testing.assert_close(stats[..., 1], (h * positive).sum(-1), rtol=1e-13, atol=1e-13)
    assert torch.equal(stats[..., 2], (rank * positive).sum(-1).double())
    # the longest run, by a plain loop over one series' observed steps
    b, f = 2, 5
    best = run = 0
    for t in range(h.shape[2]):
        if not mask[b, t]:
            continue
        run = run + 1 if h[b, f, t] > 0 else 0
        best = max(best, run)
    assert stats[b, f, 3] == best > 0


def test_threads_split_the_batch_without_changing_a_value():
    enc, x, mask = _encoder(n_channels=2, n=9)
    pool = make_pool(POOLS, enc.out_channels)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one, _ = enc.pool_blocks(x, mask, pool, 7)
        torch.set_num_threads(2)
        two, _ = enc.pool_blocks(x, mask, pool, 7)
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one, two)


def test_a_users_subclass_is_pooled_by_its_own_forward(monkeypatch):
    class Doubled(PPVPool):
        name = None  # a class passed by itself

        def forward(self, h, mask):
            return 2.0 * super().forward(h, mask)

    enc, x, mask = _encoder()
    pool = make_pool((Doubled, "mpv"), enc.out_channels)
    assert not computes_from_statistics(built_members(pool))
    assert computes_from_statistics(built_members(make_pool(POOLS, enc.out_channels)))
    got, _ = enc.pool_blocks(x, mask, pool, None)
    whole, _ = pool_windows(pool, enc(x, mask), mask, None)
    torch.testing.assert_close(got, whole, rtol=0, atol=0)
    assert got[:, : enc.out_channels].max() == 2.0  # the doubling, not PPV


def test_the_kernel_leaves_its_inputs_as_they_were():
    enc, x, mask = _encoder()
    before = [t.clone() for t in (x, mask, enc.bias, enc.conv_scale, enc.weight)]
    enc.pool_blocks(x, mask, make_pool(POOLS, enc.out_channels), 5)
    after = (x, mask, enc.bias, enc.conv_scale, enc.weight)
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


@pytest.mark.parametrize("encoder", ["minirocket", "multirocket", "multirocket_hydra"])
def test_estimators_predict_as_with_torch_pooling(monkeypatch, encoder):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 50)).astype(np.float32)
    X[::4, :, 41:] = np.nan  # padding
    X[1::7, :, 10] = np.nan  # a missing step
    y = np.nanmean(np.abs(np.diff(X[:, 0], axis=1)), axis=1)
    params = {
        "encoder": encoder,
        "encoder_channels": 336,
        "pool": ("ppv", "logmpv", "mipv", "lspv"),
        "readout": "ridge",
        "random_state": 0,
    }
    compiled = SeqPoolRegressor(**params).fit(X, y)
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        fallback = SeqPoolRegressor(**params).fit(X, y)
        by_torch = fallback.predict(X)
    # the features agree to float32's rounding, and so do the ridges fitted on them
    np.testing.assert_allclose(compiled.predict(X), by_torch, rtol=1e-4, atol=1e-4 * y.std())
    assert np.corrcoef(compiled.predict(X), y)[0, 1] > 0.5  # it learned the target
    # a trained head, with a window, classifies as with torch's pooling
    labels = (y > np.median(y)).astype(int)
    params.update(readout="trained", window=10, max_epochs=3, hidden_size=8)
    clf = SeqPoolClassifier(**params).fit(X, labels)
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        by_torch = clf.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), by_torch, rtol=0, atol=1e-6)


def test_genuine_float64_series_are_pooled_as_the_maps_are(monkeypatch):
    # flat stretches at values float32 cannot hold: an output that set a bias equals it,
    # and sums added in another order than torch's could put it on the other side
    x = torch.from_numpy(_plateaus(12))
    mask = torch.ones(12, 48, dtype=torch.bool)
    enc = RandomConvEncoder(1, 48, n_features=336, maps="biased").double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    assert not rocket_kernel.float32_valued(x)
    assert rocket_kernel.float32_valued(x.float()) and rocket_kernel.float32_valued(
        x.float().double()
    )
    pool = make_pool(POOLS, enc.out_channels)
    got, _ = enc.pool_blocks(x, mask, pool, None)
    whole, _ = pool_windows(pool, enc(x, mask), mask, None)
    assert torch.equal(got, whole)  # torch's pooling of the maps, not the kernel's
    # the kernel would have disagreed here: whole indicators flip
    stats = _statistics(enc, x, mask)
    counts = (enc(x, mask) > 0).sum(-1).double()
    assert not torch.equal(stats[:, :, 0, 0], counts)


def test_a_float64_model_explains_genuine_float64_series_completely():
    X = _plateaus(40)
    y = X[:, 0, :24].mean(1) - X[:, 0, 24:].mean(1)
    reg = SeqPoolRegressor(
        encoder="multirocket",
        encoder_channels=336,
        pool=("ppv", "logmpv", "mipv", "lspv"),
        readout="ridge",
        dtype="float64",
        random_state=0,
    ).fit(X, y)
    ex = reg.explain(X[:8])
    np.testing.assert_allclose(ex.outputs[:, 0], reg.predict(X[:8]), rtol=0, atol=1e-12)
    assert ex.completeness_error < 1e-9


def test_series_near_float64s_limit_predict_as_the_same_series_scaled_down():
    # the spread of outputs near 1e300 once overflowed to inf: every biased map was 0
    # and every prediction the same. A power of two scales every step exactly.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1, 30)) * rng.uniform(0.5, 2.0, (40, 1, 1))
    y = np.log(X[:, 0].std(1))
    params = {
        "encoder": "multirocket",
        "encoder_channels": 336,
        "pool": ("ppv", "logmpv", "mipv", "lspv"),
        "readout": "ridge",
        "dtype": "float64",
        "random_state": 0,
    }
    small = SeqPoolRegressor(**params).fit(X, y).predict(X)
    huge = SeqPoolRegressor(**params).fit(X * 2.0**996, y).predict(X * 2.0**996)
    assert huge.std() > 0.5 * y.std()
    np.testing.assert_allclose(huge, small, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_predict_takes_the_fits_differences_and_the_kernel(monkeypatch, dtype):
    """A float32 model predicts on a float64 copy: its series' differences are rounded
    as the fit's were, so the difference branch is pooled by the kernel, not by torch."""
    import copy

    from seqpool_sklearn._modules import observed_mask
    from seqpool_sklearn.nn.encoders import minirocket
    from seqpool_sklearn.nn.encoders.multirocket import first_difference

    rng = np.random.default_rng(0)
    X = (rng.normal(size=(30, 1, 40)) * 3.1).astype(np.float32)
    X[::4, :, 33:] = np.nan
    y = np.nanmean(np.abs(np.diff(X[:, 0], axis=1)), axis=1)
    params = {"encoder": "multirocket", "encoder_channels": 336, "readout": "ridge"}
    reg = SeqPoolRegressor(**params, pool=("ppv", "logmpv", "mipv", "lspv"), dtype=dtype)
    reg.set_params(random_state=0).fit(X, y)
    enc = reg.module_.encoder
    assert bool(enc.difference_rounded) == (dtype == "float32")
    x, mask = observed_mask(torch.from_numpy(X).to(getattr(torch, dtype)))
    fitted = first_difference(x, mask)  # as the fit computed it
    on_copy = list(copy.deepcopy(enc).double()._branches(x.double(), mask))[1][1]
    assert torch.equal(on_copy, fitted.double())
    if dtype == "float32":  # float64 differences of float32 values are not float32 values
        assert not torch.equal(on_copy, first_difference(x.double(), mask))
    else:  # a float64 model's differences are float64 values: torch pools them
        return
    expected = reg.predict(X)
    with monkeypatch.context() as m:

        def refused(*args, **kwargs):
            raise AssertionError("torch pooled the biased maps")

        m.setattr(minirocket, "pool_by_blocks", refused)
        np.testing.assert_array_equal(reg.predict(X), expected)


def test_the_fits_difference_rounding_is_saved_with_the_network(tmp_path):
    """skops files and saved weights keep it; states saved before it existed still load."""
    import copy

    skops_io = pytest.importorskip("skops.io")
    rng = np.random.default_rng(1)
    X = (rng.normal(size=(24, 1, 30)) * 3.1).astype(np.float32)
    y = np.abs(np.diff(X[:, 0], axis=1)).mean(axis=1)
    reg = SeqPoolRegressor(
        encoder="multirocket", encoder_channels=336, pool=("ppv", "mpv", "mipv", "lspv"),
        readout="ridge", random_state=0,
    ).fit(X, y)  # fmt: skip
    expected = reg.predict(X)
    skops_io.dump(reg, tmp_path / "m.skops")
    loaded = skops_io.load(tmp_path / "m.skops", trusted=skops_io.get_untrusted_types(
        file=tmp_path / "m.skops"))  # fmt: skip
    assert bool(loaded.module_.encoder.difference_rounded)
    np.testing.assert_array_equal(loaded.predict(X), expected)
    # a state without it (saved before it existed) loads, strictly, and computes the
    # differences as they come, as such a model did
    state = {k: v for k, v in reg.module_.state_dict().items() if "difference_rounded" not in k}
    module = copy.deepcopy(reg.module_)
    module.load_state_dict(state)
    assert not bool(module.encoder.difference_rounded)


def test_an_encoder_pickled_before_the_padding_option_pads_every_kernel():
    import pickle

    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 1, 30)).astype(np.float32)
    y = X[:, 0, :5].mean(axis=1)
    reg = SeqPoolRegressor(encoder_channels=168, readout="ridge", random_state=0).fit(X, y)
    expected = reg.predict(X)
    old = pickle.loads(pickle.dumps(reg))
    del old.module_.encoder.__dict__["padding"]  # as unpickled from an earlier release
    assert old.module_.encoder.padding == "all"
    np.testing.assert_array_equal(old.predict(X), expected)
