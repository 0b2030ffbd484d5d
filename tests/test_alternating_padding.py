"""MiniRocket's alternating padding (``RandomConvEncoder(padding="alternate")``).

Half of the kernel/dilation pairs count only the steps whose nine taps fall on observed
steps. Every path of the encoder -- torch's maps, torch's pooling, the compiled pooling,
MultiRocket's statistics, the decode ranks -- is pinned to that definition and to the
others.
"""

import contextlib

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from seqpool_sklearn.nn.encoders import rocket_kernel
from seqpool_sklearn.nn.encoders.minirocket import RandomConvEncoder, covered_steps
from seqpool_sklearn.nn.pools import make_pool, pool_windows


def _data(n_channels=1, n_timesteps=60, n=9, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_channels, n_timesteps, generator=gen, dtype=torch.float64)
    x = x.float().double()  # float32 values, as the estimators pass them
    mask = torch.ones(n, n_timesteps, dtype=torch.bool)
    mask[1, 41:] = False  # a shorter series
    mask[2, 20:24] = False  # missing steps inside a series
    mask[3, 1:] = False  # one observed step
    mask[4, :7] = False  # padding before the series
    return x * mask.unsqueeze(1), mask


def _encoder(n_channels=1, maps="indicator", padding="alternate", n_features=336):
    x, mask = _data(n_channels)
    enc = RandomConvEncoder(
        n_channels, x.shape[2], n_features=n_features, maps=maps, padding=padding
    ).double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(1))
    return enc.eval(), x, mask


@contextlib.contextmanager
def _without_kernel(monkeypatch):
    """torch computes inside (numba "cannot be imported")."""
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        yield


def test_covered_steps_is_every_tap_observed():
    mask = torch.rand(5, 40, generator=torch.Generator().manual_seed(0)) > 0.15
    mask[0] = True
    for d in (1, 2, 4):
        got = covered_steps(mask, d)
        for b in range(5):
            for t in range(40):
                taps = [t + (i - 4) * d for i in range(9)]
                expected = all(0 <= s < 40 and bool(mask[b, s]) for s in taps)
                assert bool(got[b, t]) == expected
    # a fully observed series: the steps [4d, T - 4d), as MiniRocket's C[padding:-padding]
    assert covered_steps(mask[:1], 3)[0].nonzero().flatten().tolist() == list(range(12, 28))


def test_unpadded_kernels_alternate_as_minirocket_pads_them():
    enc = RandomConvEncoder(1, 200, n_features=840, padding="alternate")
    unpadded = enc.unpadded_kernels()
    assert unpadded.shape == (len(enc.dilations), 84)
    # MiniRocket: kernel k at the i-th dilation is padded where (i % 2 + k) % 2 == 0
    for i in range(len(enc.dilations)):
        for k in range(84):
            assert bool(unpadded[i, k]) == ((i % 2 + k) % 2 == 1)
    assert not RandomConvEncoder(1, 200, n_features=840).unpadded_kernels().any()


def test_averages_are_minirocket_ppv_of_the_unpadded_outputs():
    """Fully observed series: an unpadded kernel counts over C[4d:-4d], a padded one over C."""
    enc, x, mask = _encoder()
    full = torch.ones_like(mask)
    raw, _ = enc._pool_indicators(x, full, "avg", None)
    t = x.shape[2]
    start = 0
    for i, (d, nb) in enumerate(zip(enc.dilations, enc.per_dilation, strict=True)):
        c = F.conv1d(x, enc.weight[i].double(), padding=4 * d, dilation=d)  # (n, 84, T)
        for k in (0, 1, 83):
            for j in range(nb):
                bias = enc.bias[start + k * nb + j].double()
                seen = c[:, k] if (i + k) % 2 == 0 else c[:, k, 4 * d : t - 4 * d]
                expected = (seen > bias).sum(1).double() / t
                np.testing.assert_array_equal(raw[:, start + k * nb + j, 0], expected)
        start += 84 * nb


@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("pool", ["avg", "max"])
@pytest.mark.parametrize("window", [None, 1, 7, 60])
def test_pooled_paths_agree_with_the_maps(monkeypatch, n_channels, pool, window):
    enc, x, mask = _encoder(n_channels)
    got, valid = enc.pooled(x, mask, pool, window)
    with _without_kernel(monkeypatch):
        by_torch, valid_torch = enc.pooled(x, mask, pool, window)
    assert torch.equal(got, by_torch) and torch.equal(valid, valid_torch)
    maps = enc(x, mask)
    expected, _ = pool_windows(make_pool(pool, maps.shape[1]), maps, mask, window)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    # the padding changes the features: the zero-padded encoder's differ
    other = RandomConvEncoder(n_channels, x.shape[2], n_features=336).double()
    other.load_state_dict(enc.state_dict())
    assert not torch.equal(other.pooled(x, mask, pool, window)[0], got)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_kernel_counts_are_torchs_in_float32_and_float64(monkeypatch, dtype):
    enc, x, mask = _encoder(3)
    enc = enc.to(dtype)
    x = x.to(dtype)
    got = enc._pool_indicators(x, mask, "avg", 7)[0]
    with _without_kernel(monkeypatch):
        assert torch.equal(got, enc._pool_indicators(x, mask, "avg", 7)[0])


@pytest.mark.parametrize("n_channels", [1, 3])
def test_decode_ranks_and_decoded_steps(monkeypatch, n_channels):
    enc, x, mask = _encoder(n_channels)
    torch.manual_seed(0)
    linear = torch.nn.Linear(enc.out_channels, 5).double()
    dense = linear(enc(x, mask).transpose(1, 2)).transpose(1, 2)
    dense = dense * mask.unsqueeze(1) + linear.bias[None, :, None] * ~mask.unsqueeze(1)
    fast = enc.decoded(x, mask, linear)
    np.testing.assert_allclose(fast.detach(), dense.detach(), atol=1e-10)
    cache = enc.decode_cache(x, mask)
    cached, cached_mask = enc.decoded_cached(cache, linear)
    assert torch.equal(cached, fast) and torch.equal(cached_mask, mask)
    with _without_kernel(monkeypatch):
        assert enc._kernel_rows(x) is None
        assert torch.equal(enc.decode_cache(x, mask), cache)
        assert torch.equal(enc.decoded(x, mask, linear), fast)
    # gradients reach the decoder as the dense maps' do
    g_fast = torch.autograd.grad(fast.square().sum(), linear.weight)[0]
    g_dense = torch.autograd.grad(dense.square().sum(), linear.weight)[0]
    np.testing.assert_allclose(g_fast, g_dense, rtol=1e-9, atol=1e-9)


def test_biased_maps_take_zero_where_an_unpadded_kernel_does_not_count(monkeypatch):
    enc, x, mask = _encoder(maps="biased")
    maps = enc(x, mask)
    skip = torch.cat(
        [
            s.repeat_interleave(nb, 1)
            for (_, _, s), nb in zip(enc._outputs(x, mask), enc.per_dilation, strict=True)
        ],
        1,
    )
    assert skip.any() and (maps[skip] == 0).all()
    pools = make_pool(("ppv", "mpv", "mipv", "lspv"), maps.shape[1])
    got, _ = enc.pool_blocks(x, mask, pools, None)
    expected, _ = pool_windows(pools, maps, mask, None)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    with _without_kernel(monkeypatch):
        by_torch, _ = enc.pool_blocks(x, mask, pools, None)
    np.testing.assert_allclose(got, by_torch, rtol=1e-12, atol=1e-12)


def test_zero_padding_is_unchanged_by_the_option():
    x, mask = _data()
    a = RandomConvEncoder(1, 60, n_features=336).double()
    b = RandomConvEncoder(1, 60, n_features=336, padding="all").double()
    a.fit_data(x, mask, torch.Generator().manual_seed(1))
    b.fit_data(x, mask, torch.Generator().manual_seed(1))
    assert torch.equal(a(x, mask), b(x, mask))
    # the biases come from the zero-padded outputs whatever the padding, as MiniRocket's
    alt = RandomConvEncoder(1, 60, n_features=336, padding="alternate").double()
    alt.fit_data(x, mask, torch.Generator().manual_seed(1))
    assert torch.equal(alt.bias, a.bias)


def test_bad_padding_is_refused():
    expected = r"padding must be one of \('all', 'alternate'\); got 'same'"
    with pytest.raises(ValueError, match=expected):
        RandomConvEncoder(1, 60, padding="same")


def _series_data(n=30, t=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2, t)).astype(np.float32)
    X[::5, :, t - 6 :] = np.nan  # shorter series
    X[3, :, 10] = np.nan  # a missing step
    y = np.nan_to_num(X[:, 0, :8]).mean(axis=1)  # what the series' start says
    return X, y


def test_registered_encoder_is_the_padding_option():
    from seqpool_sklearn import SeqPoolRegressor
    from seqpool_sklearn.nn.encoders import AlternatingPaddingEncoder

    X, y = _series_data()
    kw = {"readout": "ridge", "encoder_channels": 336, "random_state": 0}
    named = SeqPoolRegressor(encoder="minirocket_alternating", **kw).fit(X, y)
    by_class = SeqPoolRegressor(encoder=AlternatingPaddingEncoder, **kw).fit(X, y)
    plain = SeqPoolRegressor(encoder="minirocket", **kw).fit(X, y)
    encoder = named.module_.encoder
    assert encoder.padding == "alternate" and encoder.unpadded_kernels().any()
    np.testing.assert_array_equal(named.predict(X), by_class.predict(X))
    assert not np.array_equal(named.predict(X), plain.predict(X))
    # the same kernels and biases as "minirocket": only the padding differs
    assert torch.equal(encoder.bias, plain.module_.encoder.bias)


@pytest.mark.parametrize(("order", "activation"), [("decode_first", "relu"), ("pool_first", None)])
def test_explanations_are_complete(order, activation):
    from seqpool_sklearn import SeqPoolClassifier

    X, y = _series_data()
    labels = np.where(y > np.median(y), "high", "low")
    est = SeqPoolClassifier(
        encoder="minirocket_alternating", encoder_channels=168, hidden_size=8, max_epochs=3,
        order=order, activation=activation, random_state=0,
    ).fit(X, labels)  # fmt: skip
    ex = est.explain(X[:5])
    assert ex.exact and ex.completeness_error < 1e-5
    np.testing.assert_allclose(
        np.exp(ex.outputs) / np.exp(ex.outputs).sum(1, keepdims=True),
        est.predict_proba(X[:5]),
        atol=1e-6,
    )
    assert (ex.values[0, :, 34:] == 0).all()  # padding gets nothing
