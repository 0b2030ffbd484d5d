"""MultiRocket's pools: each equals a hand computation, trains in every cell, and behind the
random-convolution encoders reads the biased convolutions."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV

from seqpool_sklearn import SeqPoolClassifier, compare_heads
from seqpool_sklearn.nn.encoders import MultiRocketEncoder, RandomConvEncoder
from seqpool_sklearn.nn.encoders.multirocket import first_difference
from seqpool_sklearn.nn.masks import observed_mask
from seqpool_sklearn.nn.pools import MaskedPool, make_pool, pool_label, window_shares

POOLS = ("ppv", "mpv", "logmpv", "mipv", "lspv")


def by_hand(seq: np.ndarray, pool: str) -> float:
    """The operator on the observed steps of one window, in time order."""
    n = len(seq)
    if n == 0:
        return 0.0
    pos = seq > 0
    if pool == "ppv":
        return pos.mean()
    if pool == "mpv":
        return seq[pos].mean() if pos.any() else 0.0
    if pool == "logmpv":
        return np.log1p(by_hand(seq, "mpv"))
    if pool == "mipv":
        if not pos.any():
            return -1.0
        ranks = np.arange(n) / max(n - 1, 1)
        return ranks[pos].mean()
    best = run = 0
    for p in pos:
        run = run + 1 if p else 0
        best = max(best, run)
    return best / n


def reference(h: np.ndarray, mask: np.ndarray, pool: str, window) -> np.ndarray:
    b, c, t = h.shape
    k = t if window is None else window
    frames = -(-t // k)
    out = np.zeros((b, c, frames))
    for i in range(b):
        for f in range(frames):
            steps = np.arange(f * k, min((f + 1) * k, t))
            steps = steps[mask[i, steps]]
            for j in range(c):
                out[i, j, f] = by_hand(h[i, j, steps], pool)
    return out


@pytest.fixture
def maps():
    rng = np.random.default_rng(3)
    h = rng.normal(size=(4, 3, 23))
    h[1, 0, 5:15] = np.abs(h[1, 0, 5:15]) + 0.1  # a long positive run
    h[2, 1] = -np.abs(h[2, 1]) - 0.1  # never positive
    mask = np.ones((4, 23), dtype=bool)
    mask[0, 18:] = False  # padding
    mask[1, [3, 9, 10]] = False  # missing steps inside a run neither break nor extend it
    mask[3, 8:16] = False  # a fully missing window for window=8
    return h, mask


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("window", [None, 8, 5])
def test_each_pool_equals_the_hand_computation(maps, pool, window):
    h, mask = maps
    ht = torch.from_numpy(np.where(mask[:, None], h, 0.0))
    frames, valid = MaskedPool(pool, 3, window)(ht, torch.from_numpy(mask))
    np.testing.assert_allclose(frames.numpy(), reference(h, mask, pool, window), atol=1e-12)
    # each is a sum over steps: the exact split adds up to the pooled frames
    shares = window_shares(make_pool(pool, 3), ht, torch.from_numpy(mask), window)
    np.testing.assert_allclose(shares.sum(-1).numpy(), frames.numpy(), atol=1e-12)


def test_a_run_skips_unobserved_steps(maps):
    h = torch.tensor([[[1.0, 0.0, 2.0, 3.0, -1.0, 4.0]]])
    mask = torch.tensor([[True, False, True, True, True, True]])
    frames, _ = MaskedPool("lspv", 1, None)(h, mask)
    assert float(frames) == pytest.approx(3 / 5)  # 1, (gap), 2, 3 is one run of three


@pytest.mark.parametrize("encoder", ["minirocket", "multirocket"])
@pytest.mark.parametrize("window", [None, 10])
def test_behind_the_encoder_they_pool_the_biased_convolutions(encoder, window):
    x = torch.randn(5, 2, 40, dtype=torch.float64)
    x[1, :, 30:] = float("nan")
    values, mask = observed_mask(x)
    enc_cls = RandomConvEncoder if encoder == "minirocket" else MultiRocketEncoder
    enc = enc_cls(2, 40, 336, maps="biased").to(torch.float64)
    enc.fit_data(values, mask, torch.Generator().manual_seed(0))
    parts = [enc] if encoder == "minirocket" else [enc.series, enc.difference]
    inputs = [values] if encoder == "minirocket" else [values, first_difference(values, mask)]
    biased = []  # c_j(t) - b_j by hand from the convolutions and biases
    for part, v in zip(parts, inputs, strict=True):
        for c, b in part._groups(v):
            biased.append((c.unsqueeze(2) - b).flatten(1, 2))
    biased = torch.cat(biased, 1).numpy()
    for pool in POOLS:
        pooled, _ = enc.pool_blocks(values, mask, make_pool(pool, enc.out_channels), window)
        expected = reference(biased, mask.numpy(), pool, window)
        scale = torch.cat([p.conv_scale for p in parts]).numpy()[None, :, None]
        if pool == "mpv":  # MPV of (c - b) / s_j: divided by each kernel/dilation's spread
            expected = expected / scale
        if pool == "logmpv":  # log(1 + MPV of (c - b) / s_j)
            expected = np.log1p(reference(biased, mask.numpy(), "mpv", window) / scale)
        np.testing.assert_allclose(pooled.numpy(), expected, atol=1e-9, err_msg=pool)
        # the same frames as pooling the encoder's (B, F, T) maps whole
        dense, _ = MaskedPool(pool, enc.out_channels, window)(enc(values, mask), mask)
        np.testing.assert_allclose(pooled.numpy(), dense.numpy(), atol=1e-12)


def test_the_default_model_keeps_indicator_maps():
    clf = SeqPoolClassifier(encoder_channels=168, max_epochs=1, random_state=0)
    X = np.random.default_rng(0).normal(size=(12, 1, 30)).astype("float32")
    clf.fit(X, np.arange(12) % 2)
    assert clf.module_.encoder.maps == "indicator" and not clf.module_.head.standardises_frames
    clf.set_params(pool="ppv").fit(X, np.arange(12) % 2)
    assert clf.module_.encoder.maps == "biased" and clf.module_.head.standardises_frames


def _sign_task(n=120, t=40, seed=0):
    """Class 1: 70% of the steps have x0 - x1 = +0.5 and 30% have -7/6; class 0 the mirror
    image. The mean of every channel and of x0 - x1 is the same for both classes; the
    proportion of steps with x0 - x1 > 0 tells them apart."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    up = rng.random((n, t)) < 0.7
    d = np.where(up, 0.5, -7 / 6)
    d = np.where(y[:, None] == 1, d, -d)
    base = rng.normal(size=(n, t))
    X = np.stack([base + d / 2, base - d / 2], axis=1) + 0.05 * rng.normal(size=(n, 2, t))
    return X.astype("float32"), y


def test_decode_first_with_ppv_learns_through_the_surrogate(monkeypatch):
    from seqpool_sklearn.nn import multirocket_pools

    X, y = _sign_task()
    kw = {"encoder": None, "hidden_size": 8, "max_epochs": 200, "lr": 0.01, "dropout": 0.0}
    kw.update(order="decode_first", pool="ppv", activation="tanh", random_state=0)
    learned = SeqPoolClassifier(**kw).fit(X[:80], y[:80])
    assert learned.score(X[80:], y[80:]) >= 0.95
    # pooling first cannot see it: the averages are the same for both classes
    pooled = SeqPoolClassifier(**{**kw, "order": "pool_first", "pool": "avg"})
    assert pooled.fit(X[:80], y[:80]).score(X[80:], y[80:]) <= 0.75
    # without the surrogate the step function passes no gradient: the decoder never moves
    monkeypatch.setattr(multirocket_pools, "_indicator", lambda pool, h, hard, m: hard.to(h.dtype))
    frozen = SeqPoolClassifier(**kw).fit(X[:80], y[:80])
    init = SeqPoolClassifier(**{**kw, "max_epochs": 1, "lr": 1e-12}).fit(X[:80], y[:80])
    torch.testing.assert_close(frozen.module_.head.decoder.weight, init.module_.head.decoder.weight)
    assert not torch.equal(learned.module_.head.decoder.weight, init.module_.head.decoder.weight)


@pytest.mark.parametrize("encoder", ["minirocket", "multirocket", "hydra"])
@pytest.mark.parametrize("window", [None, 7])
def test_the_direct_path_keeps_the_maps_feature_order_for_combined_pools(encoder, window):
    """Pooling the encoder's blocks directly gives the features in the order pooling its
    whole maps does (every channel's first pool, then its second), so export and explain,
    which take the maps, read the columns the head was trained on."""
    X, y = _sign_task(n=12, t=30)
    X[2, :, 25:] = np.nan
    clf = SeqPoolClassifier(
        encoder=encoder,
        encoder_channels=168 if "rocket" in encoder else None,
        pool=("mpv", "lspv", "ppv"),
        window=window,
        hidden_size=4,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    module = clf.module_.eval()
    x, mask = observed_mask(torch.from_numpy(X).float())
    with torch.no_grad():
        direct, valid = module.pooled(x, mask)
        whole, whole_valid = module.head.pool(module.encoder(x, mask), mask)
    assert module.pools_by_block
    torch.testing.assert_close(direct, whole)
    assert torch.equal(valid, whole_valid)


def test_lspv_without_a_loop_over_the_steps_equals_the_loop():
    from seqpool_sklearn.nn.multirocket_pools import LSPVPool

    gen = torch.Generator().manual_seed(0)
    for _ in range(20):
        mask = torch.rand(3, 4, 11, generator=gen) > 0.25
        positive = (torch.rand(3, 5, 4, 11, generator=gen) > 0.4) & mask.unsqueeze(1)
        loop = LSPVPool._longest_length(positive, mask)
        flat = LSPVPool._longest_length_traceable(positive, mask)
        assert torch.equal(loop.long(), flat.long())


def test_frame_norm_standardises_the_valid_frames_and_keeps_running_averages():
    from seqpool_sklearn.nn.head import FrameNorm

    torch.manual_seed(0)
    frames = torch.rand(6, 3, 2, dtype=torch.float64) * 0.1 + 0.4  # fractions, little spread
    valid = torch.ones(6, 2, dtype=torch.bool)
    valid[0, 1] = False
    norm = FrameNorm(3).double().train()
    out = norm(frames, valid)
    assert (out[0, :, 1] == 0).all()  # a fully masked frame stays 0
    got = out.permute(1, 0, 2)[:, valid]  # (features, valid frames)
    seen = frames.permute(1, 0, 2)[:, valid]
    torch.testing.assert_close(got.mean(1), torch.zeros(3, dtype=torch.float64))
    expected_std = seen.std(1, unbiased=False) / (seen.var(1, unbiased=False) + 1e-5).sqrt()
    torch.testing.assert_close(got.std(1, unbiased=False), expected_std)
    torch.testing.assert_close(norm.running_mean, 0.1 * seen.mean(1))
    torch.testing.assert_close(norm.running_var, 0.9 + 0.1 * seen.var(1))
    # predict: the running averages, so a series' output does not depend on its batch
    norm.eval()
    a, b = norm.scale_shift()
    alone = norm(frames[:1], valid[:1])
    torch.testing.assert_close(
        alone, (frames[:1] * a[None, :, None] + b[None, :, None]) * valid[:1, None]
    )
    torch.testing.assert_close(norm(frames, valid)[:1], alone)
    # a training batch with fewer than two valid frames uses them too and leaves them be
    norm.train()
    before = norm.running_mean.clone()
    one = norm(frames[:1], torch.tensor([[True, False]]))
    torch.testing.assert_close(norm.running_mean, before)
    torch.testing.assert_close(one[:, :, 0], frames[:1, :, 0] * a + b)


def test_decode_first_standardises_multirocket_pools_only():
    X, y = _sign_task(n=30, t=24)
    kw = {"encoder": None, "order": "decode_first", "hidden_size": 4, "max_epochs": 2}
    for pool, normed in [("avg", False), ("max", False), ("ppv", True), (("avg", "lspv"), True)]:
        head = SeqPoolClassifier(pool=pool, random_state=0, **kw).fit(X, y).module_.head
        assert (head.frame_norm is not None) is normed, pool
    first = SeqPoolClassifier(pool="ppv", random_state=0, **{**kw, "order": "pool_first"})
    assert first.fit(X, y).module_.head.frame_norm is None


def test_decode_first_step_pools_learn_behind_the_encoder(ucr_home, monkeypatch):
    """Behind the random-convolution encoder decode_first + ppv/lspv learn GunPoint; without
    the frame standardisation (and with dropout on the steps) they stay near chance."""
    from seqpool_sklearn import fetch_ucr
    from seqpool_sklearn.nn import multirocket_pools

    X, y = fetch_ucr("GunPoint", split="train", data_home=ucr_home, download=False)
    Xt, yt = fetch_ucr("GunPoint", split="test", data_home=ucr_home, download=False)
    kw = {"encoder_channels": 336, "order": "decode_first", "random_state": 0, "n_threads": 1}
    scores = {p: SeqPoolClassifier(pool=p, **kw).fit(X, y).score(Xt, yt) for p in POOLS}
    assert scores["ppv"] >= 0.95 and scores["lspv"] >= 0.85, scores
    assert min(scores.values()) >= 0.8, scores
    monkeypatch.setattr(multirocket_pools._MultiRocketPool, "standardise_decoded", False)
    assert SeqPoolClassifier(pool="ppv", **kw).fit(X, y).score(Xt, yt) <= 0.8


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("window", [None, 8])
@pytest.mark.parametrize("encoder", [None, "conv", "minirocket", "multirocket"])
def test_every_cell_trains(order, window, encoder):
    X, y = _sign_task(n=30, t=24)
    X[3, :, 20:] = np.nan
    clf = SeqPoolClassifier(
        encoder=encoder,
        encoder_channels=168 if encoder and "rocket" in encoder else 4,
        order=order,
        window=window,
        pool=("ppv", "mpv", "mipv", "lspv"),
        hidden_size=4,
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    before = clf.module_.head.decoder.weight.detach().clone()
    clf.set_params(warm_start=True).fit(X, y)
    assert not torch.equal(before, clf.module_.head.decoder.weight)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_combined_pools_concatenate_and_are_named_with_a_plus():
    h = torch.randn(2, 3, 10)
    mask = torch.ones(2, 10, dtype=torch.bool)
    both, _ = MaskedPool(("ppv", "lspv"), 3, None)(h, mask)
    ppv, _ = MaskedPool("ppv", 3, None)(h, mask)
    lspv, _ = MaskedPool("lspv", 3, None)(h, mask)
    torch.testing.assert_close(both, torch.cat([ppv, lspv], 1))
    assert pool_label(("ppv", "lspv")) == "ppv+lspv"
    with pytest.raises(ValueError, match="at least two"):
        SeqPoolClassifier(pool=("ppv",), encoder=None).fit(np.ones((4, 1, 5)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="repeat"):
        SeqPoolClassifier(pool=("ppv", "ppv"), encoder=None).fit(np.ones((4, 1, 5)), [0, 1, 0, 1])


def test_combined_pools_in_a_grid_compare_heads_and_explain():
    X, y = _sign_task(n=40, t=24)
    est = SeqPoolClassifier(encoder=None, hidden_size=4, max_epochs=2, random_state=0)
    search = GridSearchCV(est, {"pool": ["avg", ("ppv", "lspv")]}, cv=2).fit(X, y)
    assert ("ppv", "lspv") in [p["pool"] for p in search.cv_results_["params"]]
    result = compare_heads(est, X, y, pools=["avg", ("ppv", "lspv")], cv=2, random_state=0)
    assert set(result.summary()["pool"]) == {"avg", "ppv+lspv"}
    clf = SeqPoolClassifier(
        encoder=None, order="decode_first", pool=("ppv", "mpv"), max_epochs=2, random_state=0
    ).fit(X, y)
    ex = clf.explain(X[:4])
    assert ex.exact and ex.completeness_error < 1e-8  # the pools' splits add up


def test_logmpv_bounds_the_pull_of_an_extreme_step_on_a_linear_readout():
    """A spike of 10, 100, 1000 in a test series: behind ``mpv`` a ridge readout's prediction
    moves in proportion to the spike (one decade further, ten times the move), behind
    ``logmpv`` by about the same step per decade."""
    from seqpool_sklearn import SeqPoolRegressor

    rng = np.random.default_rng(0)
    scale = rng.uniform(0.5, 2.0, 40)
    X = (rng.normal(size=(40, 1, 30)) * scale[:, None, None]).astype("float32")
    y = np.log(scale)  # a scale statistic, which MPV carries
    spiked = np.repeat(rng.normal(size=(1, 1, 30)).astype("float32"), 3, axis=0)
    spiked[:, 0, 10] = [10.0, 100.0, 1000.0]
    moves = {}
    for mpv in ("mpv", "logmpv"):
        est = SeqPoolRegressor(
            encoder="multirocket",
            encoder_channels=168,
            pool=("ppv", mpv, "mipv", "lspv"),
            readout="ridge",
            random_state=0,
            n_threads=1,
        ).fit(X, y)
        assert est.score(X, y) > 0.9  # both read the scale
        moves[mpv] = np.diff(est.predict(spiked))
    assert moves["mpv"][1] > 5 * moves["mpv"][0] > 0, moves
    assert 0 < moves["logmpv"][1] < 2 * moves["logmpv"][0], moves
    assert moves["logmpv"][1] < moves["mpv"][1] / 10, moves


@pytest.mark.parametrize(
    "encoder, pool", [("multirocket", ("mpv", "logmpv", "ppv")), ("hydra", "avg")]
)
def test_features_do_not_depend_on_the_units_of_the_series(encoder, pool):
    # fixed floors (a spread below 1e-12 read as 1; Hydra's spreads floored at 1e-7) made
    # MPV and Hydra's soft counts vanish for series in small units: chance accuracy at 1e-14
    from seqpool_sklearn import SeqPoolClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 30)).cumsum(-1)
    y = np.arange(24) % 2
    kw = {"encoder": encoder, "pool": pool, "encoder_channels": 168, "max_epochs": 2,
          "hidden_size": 8, "random_state": 0, "dtype": "float64"}  # fmt: skip
    ref = SeqPoolClassifier(**kw).fit(X, y).predict_proba(X)
    for scale in (1e-14, 1e-8, 1e9):
        p = SeqPoolClassifier(**kw).fit(X * scale, y).predict_proba(X * scale)
        np.testing.assert_allclose(p, ref, rtol=0, atol=1e-12)
