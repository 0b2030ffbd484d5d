"""Combined encoders ("multirocket_hydra"): the members' maps side by side, every path."""

import itertools

import numpy as np
import pytest
import torch
from test_hydra import _data  # two classes, a shifted stretch, NaN padding

from seqpool_sklearn import SeqPoolClassifier
from seqpool_sklearn._options import ORDERS, POOLS
from seqpool_sklearn.nn.encoders import (
    CombinedEncoder,
    HydraEncoder,
    MultiRocketEncoder,
    MultiRocketHydraEncoder,
    RandomConvEncoder,
)
from seqpool_sklearn.nn.masks import observed_mask
from seqpool_sklearn.nn.pools import MaskedPool


def _series(n=7, n_channels=2, n_timesteps=40):
    x = torch.randn(n, n_channels, n_timesteps, generator=torch.Generator().manual_seed(0))
    x[1, :, 28:] = float("nan")  # a shorter series
    x[2, :, 10:13] = float("nan")  # missing steps inside
    return observed_mask(x.double())


def _fitted(maps="indicator", width=336):
    values, mask = _series()
    enc = MultiRocketHydraEncoder(2, 40, width, maps=maps).double()
    fitted = enc.fit_data(values, mask, torch.Generator().manual_seed(1))
    return enc, values, mask, fitted


def test_maps_are_the_members_maps_in_order_each_fitted_as_alone():
    enc, values, mask, _ = _fitted()
    mr, hydra = enc.members
    assert isinstance(mr, MultiRocketEncoder) and isinstance(hydra, HydraEncoder)
    assert mr.out_channels == 336 and hydra.width == 64
    assert enc.out_channels == mr.out_channels + hydra.out_channels
    maps = enc(values, mask)
    assert torch.equal(maps[:, :336], mr(values, mask))
    assert torch.equal(maps[:, 336:], hydra(values, mask))
    # the members are set as they would be alone, drawing from the same generator in turn
    gen = torch.Generator().manual_seed(1)
    alone = MultiRocketEncoder(2, 40, 336).double()
    alone.fit_data(values, mask, gen)
    second = HydraEncoder(2, 40, None).double()
    second.fit_data(values, mask, gen)
    assert torch.equal(alone.series.bias, mr.series.bias)
    assert torch.equal(second.weight, hydra.weight)
    assert enc.frozen and enc.fast_pools == ("avg", "max") and not enc.block_pooling
    assert MultiRocketHydraEncoder(1, 40, maps="biased").block_pooling


@pytest.mark.parametrize("pool, window", list(itertools.product(["avg", "max"], [None, 7])))
def test_direct_pooling_equals_pooling_the_maps(pool, window):
    enc, values, mask, fitted = _fitted()
    expected, valid_expected = MaskedPool(pool, enc.out_channels, window)(enc(values, mask), mask)
    got, valid = enc.pooled(values, mask, pool, window)
    assert torch.equal(valid, valid_expected)
    torch.testing.assert_close(got, expected, atol=1e-9, rtol=1e-9)
    if pool == "avg" and window is None:  # what fit_data computed on the way
        cached, _ = enc.cached_pooled(fitted, "avg", None)
        torch.testing.assert_close(cached, expected, atol=1e-9, rtol=1e-9)
    assert enc.cached_pooled(None, pool, window) is None


def test_block_pooling_and_blocks_equal_the_whole_maps():
    enc, values, mask, _ = _fitted(maps="biased")
    whole = MaskedPool(("ppv", "lspv"), enc.out_channels, 5)
    expected, _ = whole(enc(values, mask), mask)
    got, _ = enc.pool_blocks(values, mask, whole.pool, 5)
    torch.testing.assert_close(got, expected)
    maps = enc(values, mask)
    covered = torch.zeros(enc.out_channels, dtype=torch.bool)
    for sl, block in enc.blocks(values, mask):
        assert torch.equal(block, maps[:, sl])
        assert block.shape[1] <= enc.block_channels
        covered[sl] = True
    assert covered.all()


def test_a_users_combination_is_built_from_members():
    class Both(CombinedEncoder):
        name = "both"

        def __init__(self, n_channels, n_timesteps, width=None):
            super().__init__(n_channels, n_timesteps, width)
            self.set_members(
                [
                    RandomConvEncoder(n_channels, n_timesteps, 168),
                    HydraEncoder(n_channels, n_timesteps, 2),
                ]
            )

    X = np.random.default_rng(0).normal(size=(20, 1, 30)).astype(np.float32)
    y = np.arange(20) % 2
    X[y == 1, 0, 5:10] += 2.0
    clf = SeqPoolClassifier(encoder=Both, hidden_size=8, max_epochs=40, lr=0.01, random_state=0)
    clf.fit(X, y)
    assert clf.module_.encoder.out_channels == 168 + 2 * 8 * 2 * 2
    assert clf.score(X, y) >= 0.9
    with pytest.raises(ValueError, match="at least one member"):
        Both.__new__(Both).set_members([])


@pytest.mark.parametrize("order, pool", list(itertools.product(ORDERS, POOLS)))
def test_every_head_fits_on_the_combination(order, pool):
    X, y = _data()
    clf = SeqPoolClassifier(
        encoder="multirocket_hydra",
        encoder_channels=168,
        order=order,
        pool=pool,
        window=6 if pool in ("max", "ppv") else None,
        hidden_size=8,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.isfinite(proba).all()


def test_the_default_combination_learns_a_simple_task():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 2
    X = 0.5 * rng.normal(size=(60, 1, 30)).astype(np.float32)
    X[y == 1, :, 5:15] += 2.0
    clf = SeqPoolClassifier(
        encoder="multirocket_hydra", encoder_channels=336, max_epochs=30, random_state=0
    )
    assert clf.fit(X[:30], y[:30]).score(X[30:], y[30:]) >= 0.9


def test_encoder_channels_sets_the_multirocket_part_and_a_subclass_narrows_hydra():
    # encoder_channels is the MultiRocket part's width; the Hydra part keeps its 64 groups
    # (16 maps each per dilation; 3 dilations for 40 steps), as documented, and the
    # documented subclass narrows it
    class SmallMultiRocketHydra(MultiRocketHydraEncoder):
        def __init__(self, n_channels, n_timesteps, width=None, maps="indicator"):
            super().__init__(n_channels, n_timesteps, width, maps)
            self.set_members([self.members[0], HydraEncoder(n_channels, n_timesteps, 8)])

    X = np.random.default_rng(0).normal(size=(20, 1, 40)).astype("float32")
    y = np.arange(20) % 2
    kw = {"encoder_channels": 168, "hidden_size": 4, "max_epochs": 1, "random_state": 0}
    wide = SeqPoolClassifier(encoder="multirocket_hydra", **kw).fit(X, y)
    assert [m.out_channels for m in wide.module_.encoder.members] == [168, 64 * 16 * 3]
    small = SeqPoolClassifier(encoder=SmallMultiRocketHydra, pool=("ppv", "lspv"), **kw)
    small.fit(X, y)
    members = small.module_.encoder.members
    assert [m.out_channels for m in members] == [168, 8 * 16 * 3]
    assert members[0].maps == "biased"  # the head's pool still picks the MultiRocket maps
    assert small.predict_proba(X).shape == (20, 2)
