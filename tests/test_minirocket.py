"""The frozen random-convolution encoder ("minirocket") and its pooled-once training path."""

import pickle

import numpy as np
import pytest
import torch

from seqpool_sklearn import SeqPoolClassifier, SeqPoolModule, SeqPoolRegressor
from seqpool_sklearn._modules import MaskedPool, RandomConvEncoder, observed_mask
from seqpool_sklearn.nn.module import PooledHead


def _fitted_encoder(n_channels=1, n_timesteps=60, n_features=336, n=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_channels, n_timesteps, generator=gen)
    mask = torch.ones(n, n_timesteps, dtype=torch.bool)
    mask[1, 40:] = False  # a shorter series
    mask[2, 10:15] = False  # missing steps inside a series
    x = x * mask.unsqueeze(1)
    enc = RandomConvEncoder(n_channels, n_timesteps, n_features=n_features)
    enc.fit_data(x, mask, torch.Generator().manual_seed(1))
    return enc, x, mask


def test_feature_count_is_a_multiple_of_84_and_dilations_follow_the_length():
    assert RandomConvEncoder(1, 100, n_features=1000).out_channels == 84 * 11
    assert RandomConvEncoder(1, 100, n_features=10).out_channels == 84
    long, short = RandomConvEncoder(1, 1000), RandomConvEncoder(1, 20)
    assert max(long.dilations) == 124  # (1000 - 1) / 8, floored on the log grid
    assert short.dilations == (1, 2) and long.dilations[0] == 1
    assert sum(84 * nb for nb in long.per_dilation) == long.out_channels


@pytest.mark.parametrize("pool", ["avg", "max"])
@pytest.mark.parametrize("window", [None, 7])
def test_direct_pooling_equals_pooling_the_maps(pool, window):
    enc, x, mask = _fitted_encoder()
    expected, valid_expected = MaskedPool(pool, enc.out_channels, window)(enc(x, mask), mask)
    got, valid = enc.pooled(x, mask, pool, window)
    assert torch.equal(valid, valid_expected)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_avg_pool_of_the_maps_is_the_standardised_ppv_on_training_data():
    enc, x, mask = _fitted_encoder(n=40)
    pooled = enc.pooled(x, mask, "avg", None)[0][..., 0]
    ppv = enc.ppv(x, mask)
    assert float(ppv.min()) >= 0.0 and float(ppv.max()) <= 1.0
    torch.testing.assert_close(pooled, (ppv - enc.scale_mean) / enc.scale_std)
    torch.testing.assert_close(pooled.mean(0), torch.zeros(enc.out_channels), atol=1e-4, rtol=0)
    spread = pooled.std(0, unbiased=False)
    wide = ppv.std(0, unbiased=False) > 0.01
    torch.testing.assert_close(spread[wide], torch.ones(int(wide.sum())), atol=1e-3, rtol=0)


def test_biases_are_quantiles_of_observed_steps_only():
    enc, x, mask = _fitted_encoder()
    # every bias lies within the range of its kernel's outputs on observed training steps
    low, high = [], []
    for c, _ in enc._groups(x):
        observed = c.masked_fill(~mask.unsqueeze(1), float("nan"))
        nb = enc.per_dilation[len(low)]
        low.append(observed.nan_to_num(float("inf")).amin(dim=(0, 2)).repeat_interleave(nb))
        high.append(observed.nan_to_num(float("-inf")).amax(dim=(0, 2)).repeat_interleave(nb))
    low, high = torch.cat(low), torch.cat(high)
    assert bool(((enc.bias >= low - 1e-5) & (enc.bias <= high + 1e-5)).all())
    assert len(torch.unique(enc.bias)) > enc.out_channels // 2  # not a constant


def test_padded_steps_are_zero_and_padding_does_not_change_observed_steps():
    enc, x, _ = _fitted_encoder()
    short = x[:3, :, :45]
    padded = torch.cat([short, torch.full((3, 1, 15), float("nan"))], dim=2)
    v, m = observed_mask(padded)
    h_pad = enc(v, m)
    assert float(h_pad[:, :, 45:].abs().max()) == 0.0
    h_short = enc(*observed_mask(short))
    torch.testing.assert_close(h_pad[:, :, :45], h_short)
    torch.testing.assert_close(
        enc.pooled(v, m, "avg", None)[0], enc.pooled(*observed_mask(short), "avg", None)[0]
    )


def test_multivariate_kernels_read_a_subset_of_channels():
    enc = RandomConvEncoder(12, 30, n_features=840)
    used = (enc.weight.abs().sum(dim=-1) > 0).sum(dim=-1)  # channels per kernel/dilation
    assert int(used.min()) >= 1 and int(used.max()) <= 9
    assert len(torch.unique(used)) > 1
    # every kernel sums to zero on each channel it reads (MiniRocket's -1/+2 weights)
    assert float(enc.weight.sum(dim=-1).abs().max()) == 0.0


def test_module_pools_once_and_its_head_reads_the_pooled_inputs():
    module = SeqPoolModule(3, 2, 50, encoder="minirocket", encoder_channels=168, dropout=0.0)
    x = torch.randn(10, 2, 50)
    x[3, :, 30:] = float("nan")
    module.fit_data(x, torch.Generator().manual_seed(0))
    assert module.caches_pooled
    module.eval()
    direct = module(x)
    packed = module.pool_inputs(x, batch_size=4)
    assert packed.shape == (10, 169, 1)
    view = PooledHead(module.head)  # the head alone, on the packed frames
    torch.testing.assert_close(view(packed), direct)
    assert {id(p) for p in view.parameters()} == {id(p) for p in module.head.parameters()}
    with pytest.raises(ValueError, match="shape"):
        module(packed)  # the module's input is always the series
    for kw in ({"order": "decode_first"}, {"pool": "attention"}, {"encoder": "conv"}):
        other = SeqPoolModule(3, 2, 50, **{"encoder": "minirocket", **kw})
        assert not other.caches_pooled


@pytest.mark.parametrize("window", [None, 7])
def test_fit_pools_the_training_series_once_for_the_default_head(monkeypatch, window):
    module = SeqPoolModule(3, 2, 50, encoder="minirocket", encoder_channels=168, window=window)
    x = torch.randn(10, 2, 50)
    x[3, :, 30:] = float("nan")
    fitted = module.fit_data(x, torch.Generator().manual_seed(0))
    again = module.pool_inputs(x, batch_size=4)
    reused = module.pool_inputs(x, batch_size=4, fitted=fitted)
    assert torch.equal(reused, again)  # bitwise: the raw sums are counts, exact in float32
    calls = []
    real = RandomConvEncoder._pool_indicators

    def counted(self, *args):
        calls.append(args[2:])
        return real(self, *args)

    monkeypatch.setattr(RandomConvEncoder, "_pool_indicators", counted)
    X = np.random.default_rng(0).normal(size=(20, 1, 40)).astype(np.float32)
    SeqPoolClassifier(encoder_channels=168, window=window, max_epochs=2).fit(X, np.arange(20) % 2)
    # the scales' pass, plus the frames' pass only where the frames are windowed
    assert calls == [("avg", None)] + ([("avg", window)] if window else [])


def test_training_on_pooled_frames_equals_training_on_the_series(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 1, 40)).astype(np.float32)
    X[:12, 0, 10:20] += 2.0
    X[5, 0, 30:] = np.nan
    y = np.repeat(["a", "b"], 12)
    kw = {"encoder_channels": 168, "max_epochs": 15, "dropout": 0.0, "random_state": 0}
    cached = SeqPoolClassifier(**kw).fit(X, y)
    monkeypatch.setattr(SeqPoolModule, "caches_pooled", property(lambda self: False))
    plain = SeqPoolClassifier(**kw).fit(X, y)
    np.testing.assert_allclose(
        cached.predict_proba(X), plain.predict_proba(X), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        cached.history_[:, "train_loss"], plain.history_[:, "train_loss"], rtol=1e-4
    )


def test_default_classifier_learns_and_keeps_its_encoder_through_pickle():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 60)).astype(np.float32)
    t = np.arange(60)
    X[15:, 0] += 1.5 * np.sin(t / 3.0)  # class b carries a periodic pattern
    y = np.repeat(["a", "b"], 15)
    clf = SeqPoolClassifier(encoder_channels=336, random_state=0).fit(X, y)
    assert clf.n_iter_ == 100
    X_new = rng.normal(size=(20, 1, 60)).astype(np.float32)
    X_new[10:, 0] += 1.5 * np.sin(t / 3.0)
    assert clf.score(X_new, np.repeat(["a", "b"], 10)) >= 0.9
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X_new), clf.predict_proba(X_new))
    assert torch.equal(again.module_.encoder.bias, clf.module_.encoder.bias)


def test_same_seed_same_encoder_and_predictions():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(16, 1, 30)).astype(np.float32)
    y = rng.normal(size=16)
    kw = {"encoder_channels": 168, "max_epochs": 5, "random_state": 3}
    a, b = SeqPoolRegressor(**kw).fit(X, y), SeqPoolRegressor(**kw).fit(X, y)
    assert torch.equal(a.module_.encoder.bias, b.module_.encoder.bias)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = SeqPoolRegressor(**{**kw, "random_state": 4}).fit(X, y)
    assert not torch.equal(a.module_.encoder.bias, c.module_.encoder.bias)


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("pool", ["avg", "max", "lp", "attention"])
def test_every_head_trains_on_the_encoder(order, pool):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(12, 2, 20)).astype(np.float32)
    y = np.arange(12) % 3
    clf = SeqPoolClassifier(
        order=order, pool=pool, window=6, encoder_channels=84, max_epochs=2, random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (12, 3) and np.isfinite(proba).all()
    assert clf.n_frames_ == clf.module_.head.n_frames == 4


# ------------------------------------------------------------------ sample weights
def _weighted_encoder(x, weight=None, seed=0):
    enc = RandomConvEncoder(x.shape[1], x.shape[2], n_features=168)
    values, mask = observed_mask(x)
    enc.fit_data(values, mask, torch.Generator().manual_seed(seed), weight)
    return enc


def test_a_series_of_weight_zero_never_shapes_the_encoder():
    x = torch.randn(12, 1, 40)
    only = torch.zeros(12)
    only[5] = 2.0  # all the weight on one series: as if it were the training set
    weighted = _weighted_encoder(x, only)
    alone = _weighted_encoder(x[5:6])
    for name in ("bias", "scale_mean", "scale_std"):
        torch.testing.assert_close(getattr(weighted, name), getattr(alone, name), rtol=0, atol=0)


def test_weighted_scales_are_those_of_repeated_series():
    x = torch.randn(10, 2, 30)
    counts = torch.tensor([1, 3, 0, 2, 1, 1, 4, 0, 1, 2])
    weighted = _weighted_encoder(x, counts.to(torch.float32))
    repeated = RandomConvEncoder(2, 30, n_features=168)
    repeated.load_state_dict(weighted.state_dict())  # the same kernels and biases
    values, mask = observed_mask(x)
    ppv = repeated.ppv(values, mask).to(torch.float64).repeat_interleave(counts, dim=0)
    torch.testing.assert_close(weighted.scale_mean, ppv.mean(0).float())
    torch.testing.assert_close(
        weighted.scale_std, ppv.std(0, unbiased=False).clamp_min(0.01).float()
    )
    # the biases were drawn from series of non-zero weight only
    assert not torch.equal(weighted.bias, _weighted_encoder(x).bias)


def test_equal_sample_weights_fit_the_default_encoder_like_none():
    X = np.random.default_rng(0).normal(size=(24, 1, 30)).astype(np.float32)
    y = np.arange(24) % 2
    kw = {"encoder_channels": 168, "max_epochs": 2, "random_state": 0}
    plain = SeqPoolClassifier(**kw).fit(X, y)
    equal = SeqPoolClassifier(**kw).fit(X, y, sample_weight=np.full(24, 3.0))
    np.testing.assert_array_equal(plain.predict_proba(X), equal.predict_proba(X))
    zero = np.ones(24)
    zero[:6] = 0.0
    dropped = SeqPoolClassifier(**kw).fit(X, y, sample_weight=zero)
    buffers = dropped.module_.encoder
    assert not torch.equal(buffers.scale_mean, plain.module_.encoder.scale_mean)


def test_the_spread_of_outputs_near_the_largest_floats_is_finite():
    from seqpool_sklearn.nn.encoders.minirocket import _spread

    c = torch.tensor([[1.7e308, -1.7e308, 0.0, 1e308]], dtype=torch.float64)
    valid = torch.ones_like(c, dtype=torch.bool)
    expected = float(np.std(c.numpy() / 2.0**1000)) * 2.0**1000
    np.testing.assert_allclose(float(_spread(c, valid)[0]), expected, rtol=1e-12)
