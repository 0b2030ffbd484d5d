"""The Hydra encoder ("hydra"): its maps average to Hydra's counts, under every head."""

import itertools

import numpy as np
import pytest
import torch
from _threads import caller_threads
from sklearn.model_selection import GridSearchCV

from seqpool_sklearn import SeqPoolClassifier
from seqpool_sklearn._options import ORDERS, POOLS
from seqpool_sklearn.nn.encoders import HydraEncoder
from seqpool_sklearn.nn.masks import observed_mask
from seqpool_sklearn.nn.pools import MaskedPool


def _series(n=6, n_channels=1, n_timesteps=40, seed=0):
    """Series, NaN-padded: one ends early, one misses steps inside."""
    x = torch.randn(n, n_channels, n_timesteps, generator=torch.Generator().manual_seed(seed))
    x[1, :, 28:] = float("nan")
    x[2, :, 10:13] = float("nan")
    return x


def _fitted(n_channels=1, n_timesteps=40, width=8, seed=0):
    x = _series(n_channels=n_channels, n_timesteps=n_timesteps, seed=seed)
    values, mask = observed_mask(x)
    enc = HydraEncoder(n_channels, n_timesteps, width)
    enc.fit_data(values, mask, torch.Generator().manual_seed(seed + 1))
    return enc, x, values, mask


def _hydra_counts(enc, series):
    """Hydra's soft max-counts and hard min-counts of one unpadded (C, T) series, by loops.

    Zero padding around the series, the first difference 0 at the first step; divided by
    the length, in the encoder's feature order (dilation, branch, soft then hard).
    """
    s = series.to(torch.float64).numpy()
    t = s.shape[1]
    diff = np.concatenate([np.zeros((s.shape[0], 1)), np.diff(s, axis=1)], axis=1)
    k, h = enc.n_kernels, enc.n_groups
    feats = []
    for i, d in enumerate(enc.dilations):
        for j, v in enumerate((s, diff)[: enc.n_branches]):
            soft, hard = np.zeros((h, k)), np.zeros((h, k))
            for g in range(h):
                z = v[enc.channels[i, j, g].numpy()].sum(0) if enc.n_channels > 1 else v[0]
                padded = np.concatenate([np.zeros(4 * d), z, np.zeros(4 * d)])
                w = enc.weight[i, j, g * k : (g + 1) * k, 0].to(torch.float64).numpy()
                for step in range(t):
                    taps = padded[step : step + 8 * d + 1 : d]  # the 9 taps around step
                    c = w @ taps
                    soft[g, c.argmax()] += c.max()
                    hard[g, c.argmin()] += 1
            feats += [soft.ravel(), hard.ravel()]
    return torch.from_numpy(np.concatenate(feats) / t)


def test_average_of_the_maps_is_hydras_counts_and_padding_changes_nothing():
    for n_channels in (1, 3):
        enc, x, values, mask = _fitted(n_channels)
        pooled, valid = MaskedPool("avg", enc.out_channels, None)(enc(values, mask), mask)
        assert bool(valid.all())
        mean, std = enc.scale_mean.double(), enc.scale_std.double()
        for i, length in ((0, 40), (1, 28)):  # a full series, and a NaN-padded one
            counts = _hydra_counts(enc, x[i, :, :length])
            got = pooled[i, :, 0].double() * std + mean
            torch.testing.assert_close(got, counts, atol=1e-4, rtol=1e-4)
        # the raw counts of the training series standardise to mean 0
        torch.testing.assert_close(
            pooled[..., 0].mean(0), torch.zeros(enc.out_channels), atol=1e-4, rtol=0
        )


def test_maps_are_zero_at_unobserved_steps_and_win_once_per_group():
    enc, _, values, mask = _fitted(width=4)
    h = enc(values, mask)
    assert float(h[1, :, 28:].abs().max()) == 0.0 and float(h[2, :, 10:13].abs().max()) == 0.0
    # raw hard maps: exactly one loser per group at each observed step
    block = next(enc._raw_blocks(values, mask))
    hard = block[:, enc.per_block :].view(len(values), enc.n_groups, enc.n_kernels, -1)
    torch.testing.assert_close(hard.sum(2), mask[:, None, :].expand(-1, enc.n_groups, -1).to(hard))


def test_shapes_follow_width_kernels_and_length():
    enc = HydraEncoder(1, 40)  # default: 64 groups of 8 kernels
    assert enc.dilations == (1, 2, 4) and enc.n_groups == 32
    assert enc.out_channels == 3 * 2 * 2 * 32 * 8
    short = HydraEncoder(2, 5, 1, n_kernels=4)  # one group: the series only, one dilation
    assert (short.dilations, short.n_branches, short.out_channels) == ((1,), 1, 8)
    x, mask = torch.randn(3, 2, 5), torch.ones(3, 5, dtype=torch.bool)
    assert short(x, mask).shape == (3, 8, 5)
    assert short.pooled(x, mask, "max", 2)[0].shape == (3, 8, 3)
    assert HydraEncoder(12, 100, 16).channels.shape == (4, 2, 8, 6)  # 6 = 12 // 2 channels
    with pytest.raises(ValueError, match="at least 1 group and 2 kernels"):
        HydraEncoder(1, 40, 8, n_kernels=1)


@pytest.mark.parametrize("pool, window", list(itertools.product(["avg", "max"], [None, 7])))
def test_direct_pooling_equals_pooling_the_maps(pool, window):
    enc, _, values, mask = _fitted(n_channels=3)
    expected, valid_expected = MaskedPool(pool, enc.out_channels, window)(enc(values, mask), mask)
    got, valid = enc.pooled(values, mask, pool, window)
    assert torch.equal(valid, valid_expected)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    # in chunks of one series at a time, too
    enc._chunk = lambda n_timesteps: 1
    torch.testing.assert_close(enc.pooled(values, mask, pool, window)[0], got)


def test_block_pooling_equals_pooling_the_maps():
    enc, _, values, mask = _fitted(n_channels=2)
    pool = MaskedPool("lp", enc.out_channels, 5)
    expected, _ = pool(enc(values, mask), mask)
    got, _ = enc.pool_blocks(values, mask, pool.pool, 5)
    torch.testing.assert_close(got, expected)


def _data(n=24, n_channels=2, n_timesteps=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, n_channels, n_timesteps)).astype(np.float32)
    X[y == 1, :, 5:10] += 2.0
    X[3, :, 15:] = np.nan
    return X, y


@pytest.mark.parametrize("order, pool", list(itertools.product(ORDERS, POOLS)))
def test_every_head_fits_on_the_encoder(order, pool):
    X, y = _data()
    for window in (None, 6):
        clf = SeqPoolClassifier(
            encoder="hydra",
            encoder_channels=4,
            order=order,
            pool=pool,
            window=window,
            hidden_size=8,
            max_epochs=1,
            random_state=0,
        ).fit(X, y)
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), 2) and np.isfinite(proba).all()


def test_same_random_state_same_encoder_and_predictions():
    X, y = _data()
    kw = {"encoder": "hydra", "encoder_channels": 4, "max_epochs": 2}
    a = SeqPoolClassifier(random_state=3, **kw).fit(X, y)
    b = SeqPoolClassifier(random_state=3, **kw).fit(X, y)
    c = SeqPoolClassifier(random_state=4, **kw).fit(X, y)
    assert torch.equal(a.module_.encoder.weight, b.module_.encoder.weight)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not torch.equal(a.module_.encoder.weight, c.module_.encoder.weight)
    assert not torch.equal(a.module_.encoder.channels, c.module_.encoder.channels)


def test_default_head_learns_a_simple_task():
    # class 1 holds a level shift on steps 5-15
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = 0.5 * rng.normal(size=(60, 1, 30)).astype(np.float32)
    X[y == 1, :, 5:15] += 2.0
    clf = SeqPoolClassifier(encoder="hydra", encoder_channels=16, max_epochs=30, random_state=0)
    assert clf.fit(X[:30], y[:30]).score(X[30:], y[30:]) >= 0.9


def test_grid_search_over_encoders():
    X, y = _data()
    base = SeqPoolClassifier(encoder_channels=84, hidden_size=8, max_epochs=2, random_state=0)
    grid = GridSearchCV(base, {"encoder": ["minirocket", "hydra"]}, cv=2).fit(X, y)
    assert list(grid.cv_results_["param_encoder"]) == ["minirocket", "hydra"]
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_compiled_counts_are_torchs_bit_for_bit(dtype, n_channels, n_threads, monkeypatch):
    from seqpool_sklearn.nn.encoders import hydra, rocket_kernel

    if not rocket_kernel.available():  # pragma: no cover - numba is a dependency
        pytest.skip("numba cannot be imported")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(9, n_channels, 40, generator=g, dtype=dtype)
    mask = torch.ones(9, 40, dtype=torch.bool)
    mask[::3, 30:] = False  # padded after
    mask[1, :4] = False  # and before
    x = torch.where(mask[:, None], x, torch.zeros_like(x))
    x[4] = 0.0  # every response 0: every kernel of a group ties
    x[5, :, 10:30] = 1.5  # a constant stretch: ties inside a series
    enc = HydraEncoder(n_channels, 40, 16).to(dtype)
    with caller_threads(n_threads):  # the compiled kernel splits the batch between them
        compiled = enc._pool_raw(x, mask, "avg", None)
        monkeypatch.setattr(hydra.rocket_kernel, "applies", lambda c: False)
        plain = enc._pool_raw(x, mask, "avg", None)
    for a, b in zip(compiled, plain, strict=True):
        assert torch.equal(a, b)
    assert compiled[0].dtype == dtype and (compiled[0] != 0).any()
