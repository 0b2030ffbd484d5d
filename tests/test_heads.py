"""Exact tests of the torch head with fixed weights."""

import copy
import itertools

import numpy as np
import pytest
import torch
from torch import nn

from seqpool_sklearn import SeqPoolModule
from seqpool_sklearn._modules import POOLS, n_frames_for
from seqpool_sklearn.nn.masks import observed_mask


def _pair(n_out=3, n_ch=4, n_t=20, **kw):
    """Two modules (one per order) sharing encoder, decoder and output weights."""
    torch.manual_seed(0)
    a = SeqPoolModule(n_out, n_ch, n_t, order="pool_first", **kw)
    b = SeqPoolModule(n_out, n_ch, n_t, order="decode_first", **kw)
    b.encoder.load_state_dict(a.encoder.state_dict())
    b.head.decoder.load_state_dict(a.head.decoder.state_dict())
    b.head.output.load_state_dict(a.head.output.state_dict())
    return a.eval(), b.eval()


def _x(b=6, c=4, t=20, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, c, t, generator=g)


@pytest.mark.parametrize("window", [None, 1, 3, 7, 20])
def test_orders_equal_without_activation_and_with_avg_pool(window):
    a, b = _pair(encoder=None, pool="avg", activation=None, window=window)
    x = _x()
    torch.testing.assert_close(a(x), b(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("window", [None, 4])
def test_orders_equal_with_masks_including_fully_masked_windows(window):
    a, b = _pair(encoder=None, pool="avg", activation=None, window=window)
    x = _x()
    x[0, :, 13:] = float("nan")  # padding: last window of 4 (steps 16..19) fully masked
    x[1, :, 2:9] = float("nan")  # a gap: window 4..7 fully masked
    x[2, 1, 5] = float("nan")  # one channel missing: the step stays observed
    out_a, out_b = a(x), b(x)
    assert torch.isfinite(out_a).all()
    torch.testing.assert_close(out_a, out_b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "activation,pool",
    [("relu", "avg"), (None, "max"), (None, "lp"), ("tanh", "avg"), ("gelu", "attention")],
)
def test_orders_differ_with_nonlinearity_or_nonlinear_pool(activation, pool):
    a, b = _pair(encoder=None, pool=pool, activation=activation, window=None)
    x = _x()
    assert not torch.allclose(a(x), b(x), atol=1e-4)


def test_reproduces_original_model1_exactly():
    """Model1: AdaptiveAvgPool1d(1) -> flatten -> Linear(128, 64) -> ReLU -> Linear(64, 10)."""
    torch.manual_seed(0)
    model1 = nn.Sequential(
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    ).eval()
    ours = SeqPoolModule(
        10,
        128,
        100,
        encoder=None,
        order="pool_first",
        pool="avg",
        hidden_size=64,
        activation="relu",
    ).eval()
    ours.head.decoder.load_state_dict(model1[2].state_dict())
    ours.head.output.load_state_dict(model1[4].state_dict())
    x = torch.randn(8, 128, 100)
    torch.testing.assert_close(ours(x), model1(x), rtol=1e-6, atol=1e-6)


class _Model2Intent(nn.Module):
    """Model2/Model3 as described: Linear(128, 64) per time step over channels -> ReLU ->
    AdaptiveAvgPool1d(1) -> flatten -> Linear(64, 10)."""

    def __init__(self):
        super().__init__()
        self.decoder = nn.Linear(128, 64)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.output = nn.Linear(64, 10)

    def forward(self, x):
        z = torch.relu(self.decoder(x.transpose(1, 2))).transpose(1, 2)
        return self.output(self.pool(z).flatten(1))


def test_reproduces_model2_intent_exactly():
    torch.manual_seed(0)
    ref = _Model2Intent().eval()
    ours = SeqPoolModule(
        10,
        128,
        100,
        encoder=None,
        order="decode_first",
        pool="avg",
        hidden_size=64,
        activation="relu",
    ).eval()
    ours.head.decoder.load_state_dict(ref.decoder.state_dict())
    ours.head.output.load_state_dict(ref.output.state_dict())
    x = torch.randn(8, 128, 100)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-5, atol=1e-6)


def test_original_model2_code_only_runs_when_time_equals_channels():
    """The question's Model2 applies Linear(128, 64) to (B, C, T): over the *time* axis."""
    buggy = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
    with pytest.raises(RuntimeError):
        buggy(torch.randn(2, 128, 100))  # T=100 != 128: the written code fails
    ours = SeqPoolModule(10, 128, 100, encoder=None, order="decode_first")
    assert ours(torch.randn(2, 128, 100)).shape == (2, 10)


@pytest.mark.parametrize("t,window", [(10, 3), (10, 4), (10, 10), (7, 2), (9, 1), (20, 30)])
def test_window_frame_counts_keep_the_last_partial_window(t, window):
    assert n_frames_for(t, window) == -(-t // window)
    m = SeqPoolModule(2, 3, t, encoder=None, window=window, hidden_size=5)
    assert m.head.output.in_features == 5 * n_frames_for(t, window)
    assert m(torch.randn(4, 3, t)).shape == (4, 2)


def test_last_partial_window_is_pooled_on_its_own_steps():
    m = SeqPoolModule(1, 1, 5, encoder=None, window=2, activation=None, hidden_size=1)
    pooled, valid = m.head.pool(
        torch.tensor([[[1.0, 3.0, 5.0, 7.0, 10.0]]]), torch.ones(1, 5, dtype=torch.bool)
    )
    torch.testing.assert_close(pooled, torch.tensor([[[2.0, 6.0, 10.0]]]))
    assert valid.all()


@pytest.mark.parametrize("pool", POOLS)
def test_every_pool_ignores_masked_steps_and_zeroes_empty_windows(pool):
    m = SeqPoolModule(1, 2, 6, encoder=None, pool=pool, window=3).eval()
    h = torch.randn(3, 2, 6)
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[0, 3:] = False  # second window empty
    mask[1, 1] = False
    pooled, valid = m.head.pool(h, mask)
    assert valid.tolist()[0] == [True, False]
    assert torch.equal(pooled[0, :, 1], torch.zeros(2))
    h2 = h.clone()
    h2[0, :, 3:] = 1e3  # values at masked steps must not matter
    h2[1, :, 1] = -1e3
    pooled2, _ = m.head.pool(h2, mask)
    torch.testing.assert_close(pooled, pooled2)


def test_pool_values_by_hand():
    h = torch.tensor([[[1.0, -2.0, 4.0, 100.0]]])
    mask = torch.tensor([[True, True, True, False]])
    expect = {
        "avg": 1.0,
        "max": 4.0,
        "lp": ((1 + 8 + 64) / 3) ** (1 / 3),
    }
    for pool, value in expect.items():
        m = SeqPoolModule(1, 1, 4, encoder=None, pool=pool, lp_power=3.0)
        pooled, _ = m.head.pool(h, mask)
        assert pooled.item() == pytest.approx(value, rel=1e-5)
    m = SeqPoolModule(1, 1, 4, encoder=None, pool="attention")
    with torch.no_grad():
        m.head.pooling.score.weight.zero_()
        m.head.pooling.score.bias.zero_()
    pooled, _ = m.head.pool(h, mask)  # equal scores -> plain average of valid steps
    assert pooled.item() == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize(
    "encoder,order,pool",
    list(itertools.product([None, "conv", "gru"], ["pool_first", "decode_first"], POOLS)),
)
def test_padding_does_not_leak_into_predictions(encoder, order, pool):
    torch.manual_seed(0)
    m = SeqPoolModule(
        3, 2, 12, encoder=encoder, order=order, pool=pool, encoder_channels=6, hidden_size=5
    )
    # a few training steps so batch-norm running statistics are not the identity
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        loss = m(torch.randn(8, 2, 12)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    m.eval()
    x = torch.randn(4, 2, 12)
    padded = torch.cat([x, torch.full((4, 2, 7), float("nan"))], dim=2)
    with torch.no_grad():
        torch.testing.assert_close(m(padded), m(x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("encoder", [None, "conv", "gru"])
@pytest.mark.parametrize("training", [False, True])
def test_padding_in_front_is_never_read(encoder, training):
    # PadTruncate(padding="pre") puts the padding first: the GRU used to read it as zeros
    torch.manual_seed(0)
    m = SeqPoolModule(2, 3, 24, encoder=encoder, encoder_channels=6, hidden_size=5).double()
    m.train(training)
    x = torch.randn(6, 3, 21, dtype=torch.float64)
    post = torch.cat([x, torch.full((6, 3, 3), float("nan"), dtype=torch.float64)], dim=2)
    pre = post.clone()
    pre[::2] = torch.roll(post[::2], 3, dims=2)  # every other series padded in front
    twin = copy.deepcopy(m)
    torch.testing.assert_close(m(pre), twin(post), rtol=1e-12, atol=1e-12)
    h_pre = m.encoder(*observed_mask(pre))
    h_post = twin.encoder(*observed_mask(post))
    # the encoder's outputs move with the series, and the padding's stay 0
    torch.testing.assert_close(h_pre[::2], torch.roll(h_post[::2], 3, dims=2), atol=1e-12, rtol=0)
    assert torch.all(h_pre[::2, :, :3] == 0)


def test_masked_batchnorm_statistics_ignore_padding():
    torch.manual_seed(0)
    a = SeqPoolModule(2, 2, 10, encoder="conv", encoder_channels=4).train()
    b = SeqPoolModule(2, 2, 10, encoder="conv", encoder_channels=4).train()
    b.load_state_dict(a.state_dict())
    x = torch.randn(5, 2, 10)
    padded = torch.cat([x, torch.full((5, 2, 6), float("nan"))], dim=2)
    a(x)
    b(padded)
    for na, nb in zip(a.encoder.norms, b.encoder.norms, strict=True):
        torch.testing.assert_close(na.running_mean, nb.running_mean, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(na.running_var, nb.running_var, rtol=1e-4, atol=1e-6)


def test_gradients_are_finite_with_fully_masked_windows():
    for pool in POOLS:
        m = SeqPoolModule(2, 2, 8, encoder=None, pool=pool, window=4, order="decode_first")
        x = torch.randn(3, 2, 8)
        x[:, :, 4:] = float("nan")
        m(x).sum().backward()
        for p in m.parameters():
            if p.grad is not None:
                assert torch.isfinite(p.grad).all(), pool


def test_module_rejects_wrong_channel_count_with_value_error():
    m = SeqPoolModule(2, 3, 10)
    with pytest.raises(ValueError, match="shape"):
        m(torch.randn(2, 4, 10))


def test_module_rejects_wrong_frame_count_with_value_error():
    m = SeqPoolModule(2, 3, 10, window=5)
    with pytest.raises(ValueError, match="frames"):
        m(torch.randn(2, 3, 16))


def test_same_conv_keeps_length_for_even_and_odd_kernels():
    m = SeqPoolModule(2, 3, 1, encoder="conv", encoder_channels=4)
    h = m.encoder(torch.randn(2, 3, 1), torch.ones(2, 1, dtype=torch.bool))
    assert h.shape == (2, 4, 1)
    assert np.isfinite(h.detach().numpy()).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [1e-7, 1e-12, 1e12])
@pytest.mark.parametrize("power", [1.0, 3.0, 6.0])
def test_lp_pool_is_exact_at_any_scale(dtype, scale, power):
    # (mean |h|^p)^(1/p) is positively homogeneous: small values are pooled as they are,
    # not raised to a floor, and large ones do not overflow
    from seqpool_sklearn.nn.pools import LpPool

    h = torch.tensor([[[[1.0, -3.0, 2.0, 50.0]]], [[[5.0, 1.0, 2.0, 0.0]]]], dtype=torch.float64)
    mask = torch.tensor([[[True, True, True, False]], [[True, True, True, True]]])
    pool = LpPool(1, power)
    at_one = pool(h, mask).flatten()
    by_hand = [
        ((1 + 3**power + 2**power) / 3) ** (1 / power),
        ((5**power + 1 + 2**power) / 4) ** (1 / power),
    ]
    torch.testing.assert_close(
        at_one, torch.tensor(by_hand, dtype=torch.float64), rtol=1e-12, atol=0
    )
    scaled = pool((h * scale).to(dtype), mask).flatten()
    torch.testing.assert_close(scaled, (at_one * scale).to(dtype), rtol=1e-5, atol=0)


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_lp_pool_gives_zero_with_finite_gradients_on_all_zero_windows(order):
    from seqpool_sklearn.nn.pools import LpPool

    h = torch.zeros(2, 3, 1, 4, dtype=torch.float64, requires_grad=True)
    mask = torch.ones(2, 1, 4, dtype=torch.bool)
    pooled = LpPool(3, 3.0)(h, mask)
    assert torch.equal(pooled, torch.zeros_like(pooled))
    pooled.sum().backward()
    assert torch.isfinite(h.grad).all() and torch.equal(h.grad, torch.zeros_like(h))
    # through a head: raw zeros (pool_first) and a ReLU unit at 0 throughout (decode_first)
    torch.manual_seed(0)
    m = SeqPoolModule(2, 2, 8, encoder=None, pool="lp", window=2, order=order).double()
    with torch.no_grad():
        m.head.decoder.bias[0] = -1e3
    x = torch.randn(3, 2, 8, dtype=torch.float64)
    x[:, :, :4] = 0.0
    x[0, :, 4:6] = float("nan")
    m(x).sum().backward()
    for p in m.parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all()


@pytest.mark.parametrize("encoder", ["minirocket", "gru"])
def test_a_gap_inside_a_series_is_read_as_zeros_by_the_encoders_as_documented(encoder):
    # the user guide's "gap inside a series": unobserved (0 maps, skipped by the pools),
    # but the encoders read its values as 0 at the observed steps around it
    torch.manual_seed(0)
    m = SeqPoolModule(
        2, 1, 40, encoder=encoder, encoder_channels=84 if encoder == "minirocket" else 4
    )
    m = m.double().eval()
    x = 9.8 + 0.1 * torch.randn(3, 1, 40, dtype=torch.float64)
    if encoder == "minirocket":
        m.encoder.fit_data(*observed_mask(x), torch.Generator().manual_seed(0))
    gap, zeros = x.clone(), x.clone()
    gap[:, :, 18:20] = float("nan")
    zeros[:, :, 18:20] = 0.0
    with torch.no_grad():
        h_gap = m.encoder(*observed_mask(gap))
        h_zero = m.encoder(*observed_mask(zeros))
        h_full = m.encoder(*observed_mask(x))
    observed = torch.ones(40, dtype=torch.bool)
    observed[18:20] = False
    assert torch.all(h_gap[:, :, ~observed] == 0)
    # at the observed steps the gap is the zero-filled series, not the series without it
    torch.testing.assert_close(h_gap[:, :, observed], h_zero[:, :, observed], rtol=0, atol=1e-12)
    assert not torch.allclose(h_gap[:, :, 16:18], h_full[:, :, 16:18])
