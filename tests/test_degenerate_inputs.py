"""Degenerate training data and mismatched lengths: moderate models or clear errors.

Series that do not vary between one another give the frozen encoders no spread to scale
their maps by; one-step series give batch normalisation one value per channel; ``score``
checks its ``y`` and ``sample_weight`` against X as ``fit`` does.
"""

import numpy as np
import pytest
import torch

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.nn.encoders import HydraEncoder, RandomConvEncoder
from seqpool_sklearn.nn.encoders.conv import MaskedBatchNorm1d
from seqpool_sklearn.nn.masks import observed_mask

N, T = 20, 16
# the frozen encoders at small widths (multirocket_hydra's Hydra part keeps 64 groups)
FROZEN = {"minirocket": 84, "multirocket": 168, "hydra": 2, "multirocket_hydra": 168}


def _flat_series(kind: str) -> np.ndarray:
    """Training series that do not vary between one another."""
    if kind == "constant":
        return np.full((N, 1, T), 1.5)
    shape = np.sin(np.linspace(0.0, 3.0, T))  # the same shape, differences at rounding level
    noise = 1e-9 * np.random.default_rng(1).normal(size=(N, 1, T))
    return shape[None, None, :] + noise


def _flat_fit(encoder: str, pool, X: np.ndarray, y: np.ndarray) -> SeqPoolRegressor:
    """A tiny regressor of ``encoder`` and ``pool`` fitted on ``X``, ``y``."""
    return SeqPoolRegressor(
        encoder=encoder,
        encoder_channels=FROZEN[encoder],
        pool=pool,
        max_epochs=2,
        random_state=0,
        n_threads=1,
    ).fit(X, y)


def _spreads_off(reg: SeqPoolRegressor, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """How far the predictions on ``X`` are from the mean of ``y``, in its spreads."""
    z = np.abs(reg.predict(X) - y.mean()) / y.std()
    assert np.isfinite(z).all()
    return z


def _targets() -> np.ndarray:
    return np.random.default_rng(0).normal(size=N) + 5.0


@pytest.mark.parametrize("kind", ["constant", "identical shape"])
@pytest.mark.parametrize("encoder", list(FROZEN))
def test_series_that_do_not_vary_give_moderate_predictions(encoder, kind):
    # max pooling reads each map's extreme step, which differs from the map's average
    # even where the averages do not differ between the series
    X, y = _flat_series(kind), _targets()
    reg = _flat_fit(encoder, "max", X, y)
    assert _spreads_off(reg, X, y).max() < 10  # up to 10**8 when the spreads' floor was absolute


@pytest.mark.parametrize("encoder", ["hydra", "multirocket_hydra"])
def test_constant_series_give_probabilities_near_the_class_shares(encoder):
    X = _flat_series("constant")
    clf = SeqPoolClassifier(
        encoder=encoder,
        encoder_channels=FROZEN[encoder],
        max_epochs=2,
        random_state=0,
        n_threads=1,
    ).fit(X, np.arange(N) % 2)
    proba = clf.predict_proba(X)
    assert np.abs(proba - 0.5).max() < 0.25  # [1, 0] on balanced labels before


@pytest.mark.parametrize("kind", ["constant", "identical shape"])
def test_hydra_scales_maps_that_do_not_vary_by_their_size(kind):
    values, mask = observed_mask(torch.from_numpy(_flat_series(kind)).float())
    enc = HydraEncoder(1, T, 4)
    enc.fit_data(values, mask, torch.Generator().manual_seed(0))
    for pool in ("avg", "max"):
        for window in (None, 4):
            pooled, _ = enc.pooled(values, mask, pool, window)
            assert pooled.abs().max() < 100
    assert enc.scale_std.min() > 1e-3


def test_minirocket_scales_features_that_do_not_vary_by_their_size():
    values, mask = observed_mask(torch.from_numpy(_flat_series("constant")).float())
    enc = RandomConvEncoder(1, T, 84)
    enc.fit_data(values, mask, torch.Generator().manual_seed(0))
    pooled, _ = enc.pooled(values, mask, "max", None)
    assert pooled.abs().max() < 10  # (1 - PPV) / 0.01, up to 100, before


def test_the_floor_without_spread_applies_only_where_nothing_varies():
    from seqpool_sklearn.nn.encoders.base import floor_without_spread

    size = torch.full((6,), 0.5, dtype=torch.float64)
    varied = torch.tensor([0.1, 0.2, 0.0, 0.3, 0.05, 0.2], dtype=torch.float64)
    assert floor_without_spread(varied, size) is None
    rounding = torch.full((6,), 1e-9, dtype=torch.float64)
    assert torch.equal(floor_without_spread(rounding, size), torch.full_like(size, 0.5))
    zeros = torch.zeros(6, dtype=torch.float64)
    # as StandardScaler: a scale of 1
    assert torch.equal(floor_without_spread(zeros, zeros), torch.ones_like(zeros))
    # most maps do not vary: only those are floored, the maps that vary are left alone
    mostly = torch.tensor([0.0, 1e-9, 0.0, 0.2, 0.0, 0.05], dtype=torch.float64)
    expected = torch.tensor([0.5, 0.5, 0.5, 0.0, 0.5, 0.0], dtype=torch.float64)
    assert torch.equal(floor_without_spread(mostly, size), expected)


def _mostly_constant_channels():
    # one channel varies, seven are constant (a stuck or unused sensor)
    X = np.ones((30, 8, 32))
    X[:, 0] = np.random.default_rng(0).normal(size=(30, 32))
    return observed_mask(torch.from_numpy(X))


def _fit_on_mostly_constant_channels(enc):
    """Fit ``enc`` on :func:`_mostly_constant_channels`: each feature's spread and size
    over the training series, and which features vary (the rule applies: some, few)."""
    from seqpool_sklearn.nn.encoders.base import NO_SPREAD, weighted_mean_std

    values, mask = _mostly_constant_channels()
    raw, _ = enc.fit_data(values, mask, torch.Generator().manual_seed(0))
    values = raw.squeeze(-1).to(torch.float64)
    spread, size = weighted_mean_std(values)[1], weighted_mean_std(values.abs())[0]
    varies = spread > NO_SPREAD * size
    assert 0 < int(varies.sum()) < len(varies) / 2
    return spread, size, varies


def test_minirocket_features_that_vary_keep_their_scale_when_most_do_not():
    enc = RandomConvEncoder(8, 32, 168)
    spread, size, varies = _fit_on_mostly_constant_channels(enc)
    # the features that vary: their own spreads, floored at 0.01 as always (all of them
    # were scaled by the constant features' size, about 0.38, before)
    expected = spread[varies].clamp_min(0.01).to(enc.scale_std.dtype)
    assert torch.equal(enc.scale_std[varies], expected)
    # the features that do not vary: the typical size of the features
    assert torch.equal(
        enc.scale_std[~varies], torch.full_like(enc.scale_std[~varies], float(size.mean()))
    )


def test_hydra_maps_that_vary_keep_their_scale_when_most_do_not():
    enc = HydraEncoder(8, 32, 4)
    spread, size, varies = _fit_on_mostly_constant_channels(enc)
    # the kinds' floors (a tenth of a median spread of 0) lie far below these spreads
    assert torch.allclose(enc.scale_std[varies].double(), spread[varies])
    typical = size.view(-1, 2, enc.per_block).transpose(0, 1).reshape(2, -1).mean(1)
    kind = torch.arange(len(spread)).view(-1, 2, enc.per_block)[:, 1].reshape(-1)
    is_hard = torch.zeros(len(spread), dtype=torch.bool)
    is_hard[kind] = True
    still = ~varies
    for hard in (False, True):
        maps = still & (is_hard == hard)
        assert torch.allclose(
            enc.scale_std[maps].double(), typical[int(hard)].expand(int(maps.sum()))
        )


def test_hydra_scales_of_varied_series_keep_the_spreads_floor():
    # series that vary: a tenth of each kind's median spread, as always
    x = torch.randn(12, 1, 40, generator=torch.Generator().manual_seed(0))
    values, mask = observed_mask(x)
    enc = HydraEncoder(1, 40, 4)
    raw, _ = enc.fit_data(values, mask, torch.Generator().manual_seed(0))
    std = raw.squeeze(-1).to(torch.float64).std(0, unbiased=False)
    kinds = std.view(-1, 2, enc.per_block)
    soft, hard = kinds[:, 0], kinds[:, 1]
    floor = torch.stack([0.1 * soft.median(), 0.1 * hard.median()]).view(1, 2, 1)
    expected = torch.maximum(kinds, floor).reshape(-1)
    assert torch.equal(enc.scale_std, expected.to(enc.scale_std.dtype))


# MultiRocket's pools under pool_first: the head standardises the pooled frames
@pytest.mark.parametrize("pool", ["mpv", ("ppv", "lspv")])
def test_multirocket_pools_on_constant_series_give_moderate_predictions(pool):
    # inference in float64 rounds a response at its bias to the other side of it (a
    # fraction 0 -> 1, a count 0 -> 8); scaled by an absolute floor of 1e-3 that gave
    # 20 to 360 target spreads on the training series themselves
    X, y = _flat_series("constant"), _targets()
    reg = _flat_fit("multirocket_hydra", pool, X, y)
    assert _spreads_off(reg, X, y).max() < 10


@pytest.mark.parametrize("encoder", ["minirocket", "multirocket"])
def test_multirocket_pools_after_constant_series_scale_new_series_by_the_features_size(encoder):
    # new series near the training level: their pooled features differ from the
    # constant training ones by about the features' own size (1e2 to 1e3 spreads before)
    X, y = _flat_series("constant"), _targets()
    reg = _flat_fit(encoder, "mpv", X, y)
    new = 1.5 + np.random.default_rng(3).normal(size=(5, 1, T))
    assert _spreads_off(reg, new, y).max() < 10


def _head_scale(pooled: torch.Tensor, pool) -> torch.Tensor:
    from seqpool_sklearn import SeqPoolHead

    n_pools = 1 if isinstance(pool, str) else len(pool)
    head = SeqPoolHead(1, pooled.shape[1] // n_pools, 1, pool=pool, standardise_frames=True)
    head.fit_frame_scale(pooled, torch.ones(len(pooled), 1, dtype=torch.bool))
    return head.frame_std


def test_frame_scale_of_features_that_do_not_vary_is_their_kinds_size():
    # one series repeated: ppv's fractions, lspv's run lengths, each kind by its own size
    ppv = torch.tensor([0.0, 0.25, 0.5, 0.25])
    lspv = torch.tensor([0.0, 4.0, 8.0, 4.0])
    pooled = torch.cat([ppv, lspv]).view(1, 8, 1).expand(5, 8, 1)
    std = _head_scale(pooled, ("ppv", "lspv"))
    assert torch.equal(std, torch.tensor([0.25] * 4 + [4.0] * 4))
    # every feature 0: a scale of 1, as StandardScaler's for a constant feature
    assert torch.equal(_head_scale(torch.zeros(5, 4, 1), "mpv"), torch.ones(4))


def test_frame_scale_of_features_that_vary_is_their_spread_when_most_do_not():
    # six mpv features constant, four that vary: only the six are scaled by the size
    pooled = torch.full((30, 10, 1), 0.5)
    pooled[:, 6:] = 0.4 + 0.1 * torch.rand(30, 4, 1, generator=torch.Generator().manual_seed(0))
    std = _head_scale(pooled, "mpv")
    spread = pooled.double().std(0, unbiased=False)[6:, 0]
    assert torch.equal(std[6:], spread.float())  # 0.48 each, the features' size, before
    size = pooled.double().abs().mean((0, 2)).mean()
    assert torch.equal(std[:6], size.float().expand(6))


def test_frame_scale_of_features_that_vary_keeps_the_absolute_floor():
    pooled = torch.rand(30, 8, 1, generator=torch.Generator().manual_seed(0))
    pooled[:, 2] = 0.5  # one feature constant among varied ones
    std = _head_scale(pooled, ("ppv", "lspv"))
    expected = pooled.double().std(0, unbiased=False)[:, 0].clamp_min(1e-3)
    assert torch.equal(std, expected.float())
    assert std[2] == 1e-3


# --------------------------------------------------------------------- one-step conv
@pytest.mark.parametrize(("n", "batch_size"), [(4, 1), (4, 3), (3, 2)])
def test_conv_fits_one_step_series_in_batches_of_one(n, batch_size):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(n, 1, 1)), rng.normal(size=n)
    reg = SeqPoolRegressor(
        encoder="conv", encoder_channels=4, max_epochs=1, batch_size=batch_size, random_state=0
    ).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()
    clf = SeqPoolClassifier(
        encoder="conv", encoder_channels=4, max_epochs=1, batch_size=batch_size, random_state=0
    ).fit(X, np.arange(n) % 2)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_batch_norm_of_one_value_per_channel_is_that_of_one_observed_step():
    torch.manual_seed(0)
    norm = MaskedBatchNorm1d(3).train()
    norm.bias.data = torch.tensor([0.5, -1.0, 2.0])
    x = torch.randn(1, 3, 1)
    padded = torch.cat([x, torch.randn(1, 3, 2)], dim=2)
    mask = torch.tensor([[True, False, False]])
    other = MaskedBatchNorm1d(3).train()
    other.load_state_dict(norm.state_dict())
    expected = other(padded, mask)[..., :1]
    for m in (None, torch.ones(1, 1, dtype=torch.bool)):
        single = MaskedBatchNorm1d(3).train()
        single.load_state_dict(norm.state_dict())
        out = single(x, m)
        assert torch.equal(out, expected)  # the bias: variance 0, centred value 0
        assert torch.equal(single.running_var, other.running_var)


def test_batch_norm_of_a_full_batch_is_torchs():
    x = torch.randn(5, 3, 7, generator=torch.Generator().manual_seed(0))
    ours, theirs = MaskedBatchNorm1d(3).train(), torch.nn.BatchNorm1d(3).train()
    for mask in (None, torch.ones(5, 7, dtype=torch.bool)):
        assert torch.equal(ours(x, mask), theirs(x))


# --------------------------------------------------------------------- score
_TINY = {"encoder": None, "hidden_size": 4, "max_epochs": 1, "random_state": 0}


def _fitted_pair():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2, 8))
    reg = SeqPoolRegressor(**_TINY).fit(X, rng.normal(size=12))
    clf = SeqPoolClassifier(**_TINY).fit(X, np.arange(12) % 2)
    return X, reg, clf


def test_score_names_the_lengths_of_x_and_y():
    X, reg, clf = _fitted_pair()
    with pytest.raises(ValueError, match="X has 12 series but y has 3 targets; SeqPoolRegressor"):
        reg.score(X, np.zeros(3))
    with pytest.raises(ValueError, match="X has 12 series but y has 3 labels; SeqPoolClassifier"):
        clf.score(X, [0, 1, 0])


def test_score_names_the_lengths_of_x_and_sample_weight():
    X, reg, clf = _fitted_pair()
    y = np.arange(12) % 2
    for est in (reg, clf):
        with pytest.raises(
            ValueError,
            match=f"X has 12 series but sample_weight has 3 weights; {type(est).__name__} "
            "needs exactly one per series",
        ):
            est.score(X, y, sample_weight=np.ones(3))


def test_score_with_matching_lengths_is_the_metric():
    from sklearn.metrics import accuracy_score, r2_score

    X, reg, clf = _fitted_pair()
    y, w = np.arange(12) % 2, np.arange(1.0, 13.0)
    assert clf.score(X, y, sample_weight=w) == accuracy_score(y, clf.predict(X), sample_weight=w)
    assert reg.score(X, y, sample_weight=w) == r2_score(y, reg.predict(X), sample_weight=w)


def test_score_without_y_says_so_as_fit_does():
    X, reg, clf = _fitted_pair()
    for est in (reg, clf):
        name = type(est).__name__
        with pytest.raises(ValueError, match=f"{name} requires y to be passed, but the target y"):
            est.score(X, None)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (-np.ones(12), "Negative values in data passed to `sample_weight`"),
        (np.array(["a"] * 12), "needs numeric sample weights, but sample_weight holds 'a' of type"),
        (np.full(12, np.nan), "sample_weight contains NaN"),
        (np.zeros(12), "at least one non-zero"),
        # their sum overflows: score gave R² 1.0 and accuracy 0.0 where fit refused them
        (np.r_[1e308, 1e308, np.ones(10)], "Sample weights sum to inf"),
        (np.nan, "Sample weights must be finite numbers; got nan"),
    ],
)
def test_score_checks_sample_weight_as_fit_does(weights, message):
    X, reg, clf = _fitted_pair()
    y = np.arange(12) % 2
    for est in (reg, clf):
        with pytest.raises(ValueError, match=message):
            est.fit(X, y, sample_weight=weights)
        with pytest.raises(ValueError, match=message):
            est.score(X, y, sample_weight=weights)


def test_score_takes_a_scalar_weight_as_fit_does():
    X, reg, clf = _fitted_pair()
    y = np.arange(12) % 2
    for est in (reg, clf):
        assert est.score(X, y, sample_weight=2.0) == est.score(X, y)


def test_score_names_the_regressors_number_of_targets():
    X, reg, _ = _fitted_pair()
    with pytest.raises(ValueError, match="y has 2 target columns but SeqPoolRegressor predicts 1"):
        reg.score(X, np.zeros((12, 2)))


def test_a_classifiers_score_refuses_two_dimensional_labels_as_fit_does():
    # the metric's 'mix of multilabel-indicator and binary targets' before
    X, _, clf = _fitted_pair()
    y = np.arange(12) % 2
    for call in (clf.fit, clf.score):
        with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape"):
            call(X, np.c_[y, y])
