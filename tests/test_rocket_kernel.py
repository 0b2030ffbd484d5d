"""The compiled CPU kernel of the random-convolution encoder, pinned to torch's pooling."""

import copy

import numpy as np
import pytest
import torch

from seqpool_sklearn import SeqPoolClassifier
from seqpool_sklearn._modules import RandomConvEncoder
from seqpool_sklearn.nn.encoders import rocket_kernel
from seqpool_sklearn.nn.encoders.minirocket import _ROCKET_INDICES


def _encoder(n_channels=1, n_timesteps=45, n_features=336, n=10):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, n_channels, n_timesteps, generator=gen, dtype=torch.float64)
    x = x.float().double()  # float32 values, as the estimators pass them
    mask = torch.ones(n, n_timesteps, dtype=torch.bool)
    mask[1, 30:] = False  # a shorter series
    mask[2, 5:12] = False  # missing steps inside a series
    mask[3, 14:] = False  # fully masked windows for window=7
    x = x * mask.unsqueeze(1)
    enc = RandomConvEncoder(n_channels, n_timesteps, n_features=n_features).double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(1))
    return enc, x, mask


def _counts(enc, x, mask, pool, window):
    """The compiled kernel's counts for ``enc``'s indicators."""
    return rocket_kernel.pool_counts(
        x,
        mask,
        enc.weight,
        _ROCKET_INDICES,
        enc.dilations,
        enc.per_dilation,
        enc.bias,
        pool,
        window,
    )


def _torch_pooling(monkeypatch, enc, x, mask, pool, window):
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        return enc._pool_indicators(x, mask, pool, window)


def test_the_kernel_compiles_here():
    assert rocket_kernel.available()


@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("pool", ["avg", "max"])
@pytest.mark.parametrize("window", [None, 1, 7, 45, 100])
def test_kernel_pools_bit_for_bit_as_torch(monkeypatch, n_channels, pool, window):
    enc, x, mask = _encoder(n_channels=n_channels)
    got, valid = enc._pool_indicators(x, mask, pool, window)
    expected, expected_valid = _torch_pooling(monkeypatch, enc, x, mask, pool, window)
    assert torch.equal(got, expected)
    assert torch.equal(valid, expected_valid)
    # the counts are not trivial: every kind of value occurs
    assert got.min() == 0 and 0 < got.mean() < 1


def test_kernel_reads_only_its_kernels_channels():
    enc, x, mask = _encoder(n_channels=4)
    base, _ = enc._pool_indicators(x, mask, "avg", None)
    chans = enc.weight[..., 0] != 0  # (D, 84, C)
    unread = [c for c in range(4) if not bool(chans[0, 0, c])]
    if not unread:
        pytest.skip("kernel 0 reads every channel")
    y = x.clone()
    y[:, unread[0]] += 5.0
    moved, _ = enc._pool_indicators(y, mask, "avg", None)
    nb = enc.per_dilation[0]
    torch.testing.assert_close(moved[:, :nb], base[:, :nb], rtol=0, atol=0)  # kernel 0
    assert not torch.equal(moved, base)  # other kernels read that channel


def test_float32_series_pool_as_their_float64_values_exactly():
    # values of very different magnitudes: a float32 convolution rounds its sums, the
    # encoder's is exact (float64), so float32 training sees predict's features
    rng = np.random.default_rng(0)
    x = torch.from_numpy(
        (rng.standard_normal((6, 2, 60)) * 10.0 ** rng.integers(-4, 5, (6, 2, 60)))
        .astype(np.float32)
        .astype(np.float64)
    )
    mask = torch.ones(6, 60, dtype=torch.bool)
    enc = RandomConvEncoder(2, 60, n_features=336).double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    # biases on the float32 roundings of some outputs: float32 arithmetic puts those
    # outputs on their bias (not above), the exact sums put about half of them above
    c = next(iter(enc._groups(x)))[0][0, 0]  # series 0, kernel 0, dilation 1
    steps = torch.nonzero(c.float().double() != c).flatten()
    nb = enc.per_dilation[0]
    assert len(steps) >= nb
    enc.bias[:nb] = c[steps[:nb]].float().double()
    # a float32 model (as fit trains it) and its float64 copy (as predict computes)
    enc32 = RandomConvEncoder(2, 60, n_features=336)
    enc32.load_state_dict(enc.state_dict())
    pooled64, _ = copy.deepcopy(enc32).double()._pool_indicators(x, mask, "avg", 8)
    pooled32, _ = enc32._pool_indicators(x.float(), mask, "avg", 8)
    assert pooled32.dtype == torch.float32
    assert torch.equal(pooled32.double(), pooled64)
    # and the float32 maps (the path of learned pools and of export) agree with them
    maps = enc32(x.float(), mask)
    raw = maps * enc32.scale_std[None, :, None] + enc32.scale_mean[None, :, None]
    counts = raw[..., :56].round().reshape(6, -1, 7, 8).sum(-1)  # 7 full windows of 8
    torch.testing.assert_close(counts.double() / 8, pooled64[..., :7], rtol=0, atol=0)
    # the counts are the exact ones; float32 convolutions would count otherwise
    c64 = next(iter(enc._groups(x)))[0][:, 0]  # (6, 60): kernel 0 at dilation 1
    c32 = torch.nn.functional.conv1d(x.float(), enc32.weight[0], padding=4)[:, 0]
    bias = enc32.bias[:nb].view(1, nb, 1)
    total, _ = enc32._pool_indicators(x.float(), mask, "avg", None)
    assert torch.equal((total[:, :nb, 0] * 60).round().long(), (c64[:, None] > bias).sum(-1))
    assert not torch.equal((c32[:, None] > bias).sum(-1), (c64[:, None] > bias).sum(-1))


def test_threads_split_the_batch_without_changing_a_count():
    enc, x, mask = _encoder(n_channels=2, n=9)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one, _ = enc._pool_indicators(x, mask, "avg", 7)
        torch.set_num_threads(2)
        two, _ = enc._pool_indicators(x, mask, "avg", 7)
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one, two)


def test_pool_counts_leaves_its_inputs_as_they_were():
    enc, x, mask = _encoder()
    x0, m0, b0 = x.clone(), mask.clone(), enc.bias.clone()
    _counts(enc, x, mask, "max", 5)
    assert torch.equal(x, x0) and torch.equal(mask, m0) and torch.equal(enc.bias, b0)


def test_without_numba_the_encoder_falls_back_to_torch(monkeypatch):
    X = np.random.default_rng(0).normal(size=(30, 1, 40)).astype(np.float32)
    y = (X[:, 0, :20].mean(1) > 0).astype(int)
    params = {"encoder_channels": 168, "max_epochs": 3, "random_state": 0, "hidden_size": 8}
    compiled = SeqPoolClassifier(**params).fit(X, y).predict_proba(X)
    monkeypatch.setattr(rocket_kernel, "_compiled", lambda: None)
    assert not rocket_kernel.available()
    fallback = SeqPoolClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(compiled, fallback)


@pytest.mark.parametrize("n_channels", [1, 3])
def test_kernel_decode_rows_are_torchs_bit_for_bit(monkeypatch, n_channels):
    from seqpool_sklearn.nn.encoders.rocket_fast import _row_offsets, _step_rows

    enc, x, mask = _encoder(n_channels=n_channels)
    biases = enc._bias_blocks(torch.float64)
    n_groups = 84 * len(enc.dilations)
    expected = _step_rows(enc._groups, x, mask, _row_offsets(biases), n_groups)
    got = rocket_kernel.step_rows(
        x, enc.weight, _ROCKET_INDICES, enc.dilations, enc.per_dilation, enc.bias
    )
    assert got.dtype == torch.int32 and got.shape == expected.shape
    assert torch.equal(got, expected)
    assert len(torch.unique(got)) > n_groups  # not only the groups' first rows
    # the decode cache and the decoded steps take them: the same as torch's
    linear = torch.nn.Linear(enc.out_channels, 4).double()
    cache, decoded = enc.decode_cache(x, mask), enc.decoded(x, mask, linear)
    with monkeypatch.context() as m:
        m.setattr(rocket_kernel, "available", lambda: False)
        assert enc._kernel_rows(x) is None
        assert torch.equal(cache, enc.decode_cache(x, mask))
        assert torch.equal(decoded, enc.decoded(x, mask, linear))


def test_genuine_float64_series_are_counted_as_the_maps_are():
    # flat stretches at values float32 cannot hold: outputs equal the biases they set,
    # and the kernel's order of summation could put them on the other side
    rng = np.random.default_rng(0)
    levels = np.array([1 / 3, 0.1, -2 / 7, 0.7])
    x = torch.from_numpy(np.repeat(rng.choice(levels, (12, 1, 6)), 8, axis=2))
    mask = torch.ones(12, 48, dtype=torch.bool)
    enc = RandomConvEncoder(1, 48, n_features=336).double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    assert not rocket_kernel.float32_valued(x)
    got, _ = enc._pool_indicators(x, mask, "avg", None)
    maps = enc(x, mask)  # standardised indicators
    raw = maps * enc.scale_std[None, :, None] + enc.scale_mean[None, :, None]
    torch.testing.assert_close(got[..., 0], raw.mean(-1), rtol=0, atol=1e-12)
    kernel = _counts(enc, x, mask, "avg", None)
    assert not torch.equal(kernel[..., 0] / 48, got[..., 0])  # the kernel would differ
