"""The random-convolution encoder's shortcuts: pooled counts and decoded steps, pinned
to the indicator maps they stand for."""

import numpy as np
import pytest
import torch

from seqpool_sklearn import SeqPoolClassifier, SeqPoolModule
from seqpool_sklearn._modules import RandomConvEncoder, _split_windows, observed_mask
from seqpool_sklearn.nn.encoders.rocket_fast import decode_steps, pool_indicators, step_ranks


def _reference_pool(enc, x, mask, pool, window):
    """The encoder's pooling as written before the shortcut: boolean maps, then floats."""
    parts = []
    for c, b in enc._groups(x):
        ind = ((c.unsqueeze(2) > b) & mask[:, None, None, :]).flatten(1, 2)
        if window is not None:
            ind, _ = _split_windows(ind.to(x.dtype), mask, window)
            parts.append(ind.sum(dim=-1) if pool == "avg" else ind.amax(dim=-1))
        elif pool == "avg":
            parts.append(ind.to(x.dtype).sum(dim=-1, keepdim=True))
        else:
            parts.append(ind.any(dim=-1, keepdim=True).to(x.dtype))
    return torch.cat(parts, dim=1)


def _encoder(n_channels=1, n_timesteps=45, n_features=336, n=10, dtype=torch.float64):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, n_channels, n_timesteps, generator=gen, dtype=dtype)
    mask = torch.ones(n, n_timesteps, dtype=torch.bool)
    mask[1, 30:] = False  # a shorter series
    mask[2, 5:12] = False  # missing steps inside a series
    mask[3, 14:] = False  # fully masked windows for window=7
    x = x * mask.unsqueeze(1)
    enc = RandomConvEncoder(n_channels, n_timesteps, n_features=n_features)
    enc.fit_data(x, mask, torch.Generator().manual_seed(1))
    return enc, x, mask


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("pool", ["avg", "max"])
@pytest.mark.parametrize("window", [None, 1, 7, 45, 100])
def test_pooled_indicators_are_bit_for_bit_those_of_the_maps(pool, window, dtype):
    enc, x, mask = _encoder(n_channels=3, dtype=dtype)
    x = x.to(dtype)
    got, _ = enc._pool_indicators(x, mask, pool, window)
    count = _split_windows(mask.unsqueeze(1), mask, window)[1].sum(-1).unsqueeze(1)
    expected = _reference_pool(enc, x, mask, pool, window)
    if pool == "avg":
        expected = expected / count.clamp_min(1).to(dtype)
    assert got.dtype == dtype
    assert torch.equal(got, expected)


def test_pool_indicators_counts_ties_as_not_above_and_rejects_other_pools():
    conv = torch.tensor([[[1.0, 2.0, 2.0, 3.0]]])
    biases = torch.tensor([2.0]).view(1, 1, 1, 1)
    mask = torch.ones(1, 4, dtype=torch.bool)
    assert pool_indicators(conv, biases, mask, "avg", None).item() == 1.0
    assert step_ranks(conv, biases).tolist() == [[[0, 0, 0, 1]]]
    with pytest.raises(ValueError, match="'avg' or 'max'"):
        pool_indicators(conv, biases, mask, "lp", None)


def test_step_ranks_select_the_features_above_the_output():
    enc, x, mask = _encoder()
    for c, b in enc._groups(x):
        ranks = step_ranks(c, b)  # (n, 84, T)
        sorted_b, _ = b.squeeze(-1).squeeze(0).sort(dim=-1)  # (84, nb)
        j = torch.arange(sorted_b.shape[1]).view(1, 1, -1, 1)
        above = c.unsqueeze(2) > sorted_b.unsqueeze(0).unsqueeze(-1)
        assert torch.equal(ranks.unsqueeze(2) > j, above)


def _dense_decoded(enc, x, mask, linear):
    return linear(enc(x, mask).transpose(1, 2)).transpose(1, 2)


@pytest.mark.parametrize("n_channels", [1, 3])
def test_decoded_steps_and_their_gradients_equal_the_dense_decoder(n_channels):
    enc, x, mask = _encoder(n_channels=n_channels)
    enc.eval()
    torch.manual_seed(0)
    linear = torch.nn.Linear(enc.out_channels, 16).double()
    target = torch.randn(x.shape[0], 16, x.shape[2], dtype=torch.float64)

    fast = enc.decoded(x, mask, linear)
    (fast * target).sum().backward()
    g_fast = linear.weight.grad.clone(), linear.bias.grad.clone()
    linear.zero_grad()
    dense = _dense_decoded(enc, x, mask, linear)
    (dense * target).sum().backward()

    torch.testing.assert_close(fast, dense, rtol=0, atol=1e-10)
    torch.testing.assert_close(g_fast[0], linear.weight.grad, rtol=0, atol=1e-9)
    torch.testing.assert_close(g_fast[1], linear.bias.grad, rtol=0, atol=1e-9)
    # a masked step decodes to the bias alone
    torch.testing.assert_close(fast[1, :, 35], linear.bias.detach(), rtol=0, atol=0)


def test_decoded_steps_work_through_the_batch_in_chunks(monkeypatch):
    enc, x, mask = _encoder(n=7)
    linear = torch.nn.Linear(enc.out_channels, 4).double()
    whole = enc.decoded(x, mask, linear)
    monkeypatch.setattr("seqpool_sklearn.nn.encoders.rocket_fast._BAG_BUDGET", 1)
    monkeypatch.setattr("seqpool_sklearn.nn.encoders.rocket_fast._CPU_BUFFER", 1)
    torch.testing.assert_close(enc.decoded(x, mask, linear), whole, rtol=0, atol=1e-12)


def test_decode_steps_rejects_a_decoder_of_another_width():
    enc, x, mask = _encoder()
    weight = torch.zeros(4, enc.out_channels - 84, dtype=torch.float64)
    with pytest.raises(ValueError, match="encoder's out_channels"):
        decode_steps(enc._groups, x, mask, weight, None, enc.scale_mean, enc.scale_std)


def _module(n_channels, pool, window, dtype=torch.float64):
    torch.manual_seed(0)
    module = SeqPoolModule(
        3,
        n_channels,
        45,
        encoder="minirocket",
        encoder_channels=420,
        order="decode_first",
        pool=pool,
        window=window,
        hidden_size=8,
    ).to(dtype)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(9, n_channels, 45, generator=gen, dtype=dtype)
    x[1, :, 30:] = float("nan")  # NaN padding
    x[2, :, 5:12] = float("nan")  # missing steps inside
    x[3, :, 14:] = float("nan")  # fully masked windows
    module.fit_data(x, torch.Generator().manual_seed(1))
    return module, x


def _dense_logits(module, x):
    values, mask = observed_mask(x)
    return module.head(module.encoder(values, mask), mask)


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("pool", ["avg", "max", "lp", "attention"])
@pytest.mark.parametrize("window", [None, 7])
def test_decode_first_logits_match_the_dense_path(pool, window, n_channels):
    module, x = _module(n_channels, pool, window, dtype=torch.float32)
    module.eval()
    with torch.no_grad():
        fast, dense = module(x), _dense_logits(module, x)
    assert float((fast - dense).abs().max()) <= 1e-4
    # the dense path is the one a recorded graph (export) takes, and it is the same model
    traced = torch.jit.trace(module, x[:2], check_trace=False)
    torch.testing.assert_close(traced(x[:2]), dense[:2], rtol=0, atol=1e-4)


@pytest.mark.parametrize(
    ("n_timesteps", "n_features"),
    # 45 steps: more lookups per series than table rows (per-series sums in the
    # backward); 6 steps of 840 maps: fewer (one sorted bag over the batch)
    [(45, 336), (6, 840)],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cached_ranks_decode_bit_for_bit_and_give_the_same_gradients(
    n_timesteps, n_features, dtype
):
    enc, x, mask = _encoder(n_channels=2, n_timesteps=n_timesteps, n_features=n_features)
    x, enc = x.to(dtype), enc.to(dtype)
    n_groups = 84 * len(enc.dilations)
    assert (n_groups * n_timesteps < enc.out_channels + n_groups) == (n_timesteps == 6)
    torch.manual_seed(0)
    linear = torch.nn.Linear(enc.out_channels, 16).to(dtype)
    target = torch.randn(x.shape[0], 16, x.shape[2], dtype=dtype)

    cache = enc.decode_cache(x, mask)
    assert cache.dtype == torch.int16
    assert cache.element_size() * cache.numel() == enc.decode_cache_nbytes(*x.shape[::2])
    cached, cached_mask = enc.decoded_cached(cache, linear)
    assert torch.equal(cached_mask, mask)
    (cached * target).sum().backward()
    g_cached = linear.weight.grad.clone(), linear.bias.grad.clone()
    linear.zero_grad()
    fast = enc.decoded(x, mask, linear)
    (fast * target).sum().backward()

    assert torch.equal(cached, fast)  # the same bags in the same order
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    scale = float(linear.weight.grad.abs().max())
    torch.testing.assert_close(g_cached[0], linear.weight.grad, rtol=0, atol=tol * scale)
    torch.testing.assert_close(g_cached[1], linear.bias.grad, rtol=0, atol=tol * scale)
    with torch.no_grad():  # inference reads the same rows
        assert torch.equal(enc.decoded_cached(cache, linear)[0], cached.detach())


def test_decoded_cached_rejects_a_cache_of_another_encoder():
    enc, x, mask = _encoder()
    other, _, _ = _encoder(n_features=420)
    linear = torch.nn.Linear(other.out_channels, 4).double()
    with pytest.raises(ValueError, match="values per series; got"):
        other.decoded_cached(enc.decode_cache(x, mask), linear)


def _fit_three_ways(X, y, kw, monkeypatch):
    """The classifier trained on cached ranks, on ranks recomputed per batch, on the maps."""
    cached = SeqPoolClassifier(**kw).fit(X, y)
    assert cached.net_.module_.caches_decoded(*X.shape[::2])
    with monkeypatch.context() as m:
        # over the cache's memory bound: the ranks are recomputed at every batch
        m.setattr("seqpool_sklearn.nn.module.DECODE_CACHE_BYTES", 0)
        uncached = SeqPoolClassifier(**kw).fit(X, y)
        assert not uncached.net_.module_.caches_decoded(*X.shape[::2])

        def dense_forward(self, x):
            self._check_input(x)
            values, mask = observed_mask(x)
            return self.head(self.encoder(values, mask), mask)

        m.setattr(SeqPoolModule, "forward", dense_forward)
        dense = SeqPoolClassifier(**kw).fit(X, y)
    return cached, uncached, dense


@pytest.mark.parametrize(("pool", "window"), [("avg", None), ("max", 7), ("attention", None)])
def test_training_with_the_shortcut_gives_the_model_the_maps_give(pool, window, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 1, 40)).astype(np.float32)
    y = np.repeat([0, 1], 12)
    X[y == 1, 0, 10:20] += 1.0
    X[3, 0, 30:] = np.nan
    kw = {
        "order": "decode_first",
        "pool": pool,
        "window": window,
        "encoder_channels": 336,
        "max_epochs": 3,
        "random_state": 0,
    }
    fits = _fit_three_ways(X, y, kw, monkeypatch)
    reference = fits[-1].net_.module_.state_dict()
    for fit in fits[:-1]:
        state = fit.net_.module_.state_dict()
        for name, value in reference.items():
            if name == "head.pooling.score.bias":
                # a softmax ignores a shift of all its scores: this bias's gradient is
                # zero but for round-off, which Adam's normalised steps turn into 1e-3
                continue
            torch.testing.assert_close(state[name], value, rtol=0, atol=1e-4, msg=name)
        np.testing.assert_allclose(fit.predict_proba(X), fits[-1].predict_proba(X), atol=1e-4)
