"""A user's own pool and encoder classes as hyperparameter values, everywhere a name works."""

import pickle

import numpy as np
import pytest
import torch
from _plugins import (
    FrozenProjection,
    GeM,
    NotAPool,
    NoWidth,
    SumPool,
    TinyConv,
    WrongFrames,
    WrongLength,
)
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from seqpool_sklearn import (
    Encoder,
    Pool,
    SeqPoolClassifier,
    SeqPoolRegressor,
    compare_heads,
    make_event_timing,
)
from seqpool_sklearn._explain import explain
from seqpool_sklearn.nn.masks import observed_mask
from seqpool_sklearn.nn.pools import POOL_REGISTRY, AvgPool, MaxPool, register_pool
from seqpool_sklearn.nn.registry import label

KW = {"max_epochs": 3, "hidden_size": 8, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    X, y = make_event_timing(40, 32, margin=4, random_state=0)
    return X.astype("float32"), y


def test_the_builtins_are_pool_and_encoder_classes():
    from seqpool_sklearn.nn.encoders import ENCODER_REGISTRY

    assert all(issubclass(cls, Pool) and cls.summary for cls in POOL_REGISTRY.values())
    assert all(issubclass(cls, Encoder) and cls.summary for cls in ENCODER_REGISTRY.values())
    assert POOL_REGISTRY["avg"].has_shares() and not GeM.has_shares()


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
@pytest.mark.parametrize("window", [None, 8])
def test_user_pool_and_encoder_fit_predict_and_learn(data, order, window):
    X, y = data
    clf = SeqPoolClassifier(pool=GeM, encoder=TinyConv, order=order, window=window, **KW)
    clf.fit(X, y)
    assert isinstance(clf.module_.head.pooling, GeM)
    assert isinstance(clf.module_.encoder, TinyConv)
    assert clf.module_.head.pooling.p.item() != 3.0  # the pool's parameter was trained
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 2) and np.isfinite(proba).all()
    assert clone(clf).get_params()["pool"] is GeM


def test_padding_semantics_hold_for_plugins(data):
    X, y = data
    clf = SeqPoolClassifier(pool=GeM, encoder=TinyConv, order="decode_first", **KW).fit(X, y)
    padded = np.concatenate([X, np.full((40, 1, 9), np.nan, dtype="float32")], axis=2)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(X), atol=1e-6)


def test_frozen_user_encoder_is_set_from_data_and_not_trained(data):
    X, y = data
    clf = SeqPoolClassifier(encoder=FrozenProjection, pool=SumPool, **KW)
    torch.manual_seed(0)
    clf.fit(X, y)
    enc = clf.module_.encoder
    assert enc.fit_calls == 1 and float(enc.scale) != 1.0
    assert not enc.proj.requires_grad
    assert clf.module_.caches_pooled  # frozen encoder + fixed pool: pooled once
    again = SeqPoolClassifier(encoder=FrozenProjection, pool=SumPool, **KW).fit(X, y)
    torch.testing.assert_close(again.module_.encoder.proj, enc.proj)  # random_state seeds it
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_grid_search_over_builtins_and_a_user_pool_in_worker_processes(data):
    X, y = data
    grid = {"pool": ["avg", GeM], "order": ["pool_first", "decode_first"]}
    search = GridSearchCV(SeqPoolClassifier(encoder=None, **KW), grid, cv=2, n_jobs=2)
    search.fit(X, y)
    assert [p["pool"] for p in search.cv_results_["params"]].count(GeM) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_compare_heads_names_a_user_pool_by_its_class(data):
    X, y = data
    est = SeqPoolClassifier(encoder=TinyConv, **KW)
    result = compare_heads(est, X, y, pools=["avg", GeM], cv=2, random_state=0)
    assert set(result.summary()["pool"]) == {"avg", "GeM"}
    assert len(result.order_effect()) == 2


def test_pickle_round_trip_keeps_the_plugins(data):
    X, y = data
    clf = SeqPoolClassifier(pool=GeM, encoder=TinyConv, **KW).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_explain_a_user_pool_exact_split_or_integrated_gradients(data):
    X, y = data
    reg_y = X.sum(axis=(1, 2))
    exact = SeqPoolRegressor(encoder=TinyConv, pool=SumPool, order="decode_first", **KW)
    ex = explain(exact.fit(X, reg_y), X[:5])
    assert ex.exact and ex.method == "linear" and ex.completeness_error < 1e-6
    approx = SeqPoolRegressor(encoder=TinyConv, pool=GeM, **KW).fit(X, reg_y)
    ex = explain(approx, X[:5], n_steps=128)
    # GeM has no shares: integrated gradients on the encoder's per-step features
    assert not ex.exact and ex.method == "step_integrated_gradients"
    scale = np.abs(ex.outputs - ex.offset).max()
    assert ex.completeness_error < 0.05 * scale
    assert np.all(ex.values[np.isnan(ex.X).all(axis=1)[:, None, :].repeat(1, 1)] == 0)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
def test_export_traces_user_plugins(data, tmp_path):
    X, y = data
    clf = SeqPoolClassifier(pool=GeM, encoder=TinyConv, order="decode_first", **KW).fit(X, y)
    clf.export(tmp_path / "m.pt", format="torchscript")
    loaded = torch.jit.load(str(tmp_path / "m.pt"))
    proba = loaded(torch.from_numpy(X[:4]).double()).numpy()
    np.testing.assert_allclose(proba, clf.predict_proba(X[:4]), atol=1e-6)
    # ONNX: onnxruntime runs the exported float64 graph of a pool on the raw channels,
    # and of a user's nn.Conv1d (onnxruntime has no float64 Conv: it used to fail to load)
    ort = pytest.importorskip("onnxruntime")
    for params in ({"encoder": None, "window": 8}, {"encoder": TinyConv}):
        clf = SeqPoolClassifier(pool=GeM, **params, **KW).fit(X, y)
        clf.export(tmp_path / "m.onnx")
        session = ort.InferenceSession(str(tmp_path / "m.onnx"))
        (proba,) = session.run(None, {"X": X[:4]})
        np.testing.assert_allclose(proba, clf.predict_proba(X[:4]), atol=1e-6)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (
            {"encoder": WrongLength},
            ValueError,
            r"WrongLength.forward\(x, mask\) must return .*"
            r"\(batch, out_channels, T\) = \(2, 3, 32\); got \(2, 3, 31\)",
        ),
        ({"encoder": NoWidth}, TypeError, "NoWidth must set self.out_channels"),
        ({"pool": WrongFrames}, ValueError, r"WrongFrames.forward\(h, mask\) must return"),
        ({"pool": NotAPool}, TypeError, "subclass of seqpool_sklearn.Pool; got .*NotAPool"),
        ({"encoder": dict}, TypeError, "subclass of seqpool_sklearn.Encoder"),
        ({"pool": "gem"}, ValueError, "pool"),
    ],
)
def test_a_class_that_breaks_the_contract_is_named_at_fit(data, params, error, match):
    X, y = data
    clf = SeqPoolClassifier(**{"encoder": None, **params}, **KW)
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_register_pool_refuses_a_second_class_under_a_taken_name():
    class Other(Pool):
        name = "avg"

        def forward(self, h, mask):
            return h.sum(-1)

    with pytest.raises(ValueError, match="registered already"):
        register_pool(Other)
    with pytest.raises(TypeError, match="Pool subclass"):
        register_pool(dict)
    assert POOL_REGISTRY["avg"].__name__ == "AvgPool"


def test_skorch_partial_fit_runs_and_an_interrupt_propagates_after_on_train_end(data):
    """The net trains through skorch's own partial_fit; an interrupt raised in training is
    not swallowed, and callbacks still see on_train_end."""
    from skorch.callbacks import Callback

    seen = []

    class Interrupt(Callback):
        def on_epoch_end(self, net, **kwargs):
            raise KeyboardInterrupt

        def on_train_end(self, net, **kwargs):
            seen.append("on_train_end")

    X, y = data
    clf = SeqPoolClassifier(encoder=None, callbacks=[Interrupt()], **KW)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert seen == ["on_train_end"] and not hasattr(clf, "net_")
    clf = SeqPoolClassifier(encoder=None, **KW).fit(X, y)
    assert len(clf.history_) == KW["max_epochs"]  # skorch's loop ran every epoch


class ShiftedAvg(AvgPool):
    """A subclass of a built-in that computes something else: 2 * avg + 5."""

    name = None

    def forward(self, h, mask):
        return 2 * super().forward(h, mask) + 5


def test_a_subclass_of_a_builtin_pool_is_computed_as_its_own(data):
    # it inherits the encoder's fast reduction and the exact split of avg, which compute
    # avg: neither may stand in for its own forward
    assert AvgPool.has_shares() and not ShiftedAvg.has_shares()
    assert AvgPool(4).fast_keys() == ("avg",) and ShiftedAvg(4).fast_keys() == ()
    # nor its claim to commute with a linear map: 2 * avg + 5 does not
    assert AvgPool.linear and not ShiftedAvg.linear
    X, y = data
    with pytest.raises(ValueError, match="order='decode_first' pools after the activation"):
        SeqPoolClassifier(pool=ShiftedAvg, order="decode_first", readout="ridge", **KW).fit(X, y)

    class Halved(AvgPool):  # a subclass whose forward is linear says so again
        linear = True

        def forward(self, h, mask):
            return super().forward(h, mask) / 2

    assert Halved.linear

    class Shift:  # a mixin's forward, in front of AvgPool's claim
        def forward(self, h, mask):
            return 2 * super().forward(h, mask) + 5

    class MixedIn(Shift, AvgPool):
        pass

    assert not MixedIn.linear
    kw = dict(pool=Halved, readout="ridge", encoder_channels=84, **KW)
    decoded = SeqPoolClassifier(order="decode_first", **kw).fit(X, y)
    pooled = SeqPoolClassifier(order="pool_first", **kw).fit(X, y)
    np.testing.assert_allclose(decoded.predict_proba(X), pooled.predict_proba(X), atol=1e-6)
    est = SeqPoolClassifier(pool=ShiftedAvg, encoder_channels=84, **KW).fit(X, y)
    module = est.module_.double().eval()
    x, mask = observed_mask(torch.as_tensor(X[:4]).double())
    fast, _ = module.pooled(x, mask)
    maps, _ = module.head.pool(module.encoder(x, mask), mask)
    torch.testing.assert_close(fast, maps)


def test_a_registered_user_pool_is_still_checked(data):
    class Flat(WrongFrames):
        name = "flat_checked"

    try:
        register_pool(Flat)
        X, y = data
        with pytest.raises(ValueError, match=r"Flat.forward\(h, mask\) must return a tensor"):
            SeqPoolClassifier(pool=Flat, encoder=None, **KW).fit(X, y)
    finally:
        POOL_REGISTRY.pop("flat_checked", None)


def test_a_user_pool_of_another_dtype_is_refused(data):
    class Float64Mean(Pool):
        summary = "mean in float64"

        def forward(self, h, mask):
            return h.double().mean(-1)

    X, y = data
    with pytest.raises(TypeError, match="must return the dtype of h"):
        SeqPoolClassifier(pool=Float64Mean, encoder=None, **KW).fit(X, y)


class Standardise(Encoder):
    """Needs fit_data before forward: its mean and spread come from the training series."""

    frozen = True

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = n_channels
        self.stats = None

    def fit_data(self, x, mask):
        self.stats = (x.mean(dim=(0, 2), keepdim=True), x.std(dim=(0, 2), keepdim=True) + 1e-6)

    def forward(self, x, mask):
        mean, std = self.stats
        return (x - mean) / std * mask.unsqueeze(1)


def test_a_user_encoder_set_from_data_is_checked_after_fit_data(data):
    X, y = data
    est = SeqPoolClassifier(encoder=Standardise, **KW).fit(X, y)
    assert est.predict(X).shape == y.shape


class LinearSum(SumPool):
    """Declares itself linear (it commutes with W), but a sum does not keep constants."""

    linear = True


def test_explain_exact_is_measured_for_a_users_linear_pool(data):
    X, y = data
    kw = dict(encoder=None, activation=None, **KW)
    est = SeqPoolRegressor(pool=LinearSum, order="pool_first", **kw).fit(X, y.astype(float))
    ex = explain(est, X[:4])
    # the decomposition through the pool needs pool(W h + b) == W pool(h) + b, not a sum's:
    # the measured gap sends it to integrated gradients on the frames, exact for this head
    assert ex.method == "integrated_gradients"
    assert ex.exact and ex.completeness_error < 1e-8
    # a combined pool of linear members takes the gradient path (it used to crash)
    est = SeqPoolRegressor(pool=("avg", LinearSum), order="pool_first", **kw)
    ex = explain(est.fit(X, y.astype(float)), X[:4])
    assert ex.exact and ex.completeness_error < 1e-8


def test_a_registered_pool_is_usable_by_its_name(data):
    class HalfMean(Pool):
        name = "half_mean_by_name"
        summary = "half the mean"

        def forward(self, h, mask):
            m = mask.unsqueeze(1).to(h.dtype)
            return (h * m).sum(-1) / m.sum(-1).clamp_min(1) / 2

    X, y = data
    try:
        register_pool(HalfMean)
        by_name = SeqPoolClassifier(pool="half_mean_by_name", encoder=None, **KW).fit(X, y)
        by_class = SeqPoolClassifier(pool=HalfMean, encoder=None, **KW).fit(X, y)
        np.testing.assert_array_equal(by_name.predict_proba(X), by_class.predict_proba(X))
        result = compare_heads(
            SeqPoolClassifier(encoder=None, **KW), X, y, pools=["half_mean_by_name"], cv=2
        )
        assert set(result.results["pool"]) == {"half_mean_by_name"}
    finally:
        POOL_REGISTRY.pop("half_mean_by_name", None)
    with pytest.raises(InvalidParameterError, match="must be a str among"):
        SeqPoolClassifier(pool="half_mean_by_name", encoder=None, **KW).fit(X, y)


class MeanNoClamp(Pool):
    """A mean written for observed data: divides by the window's count, with its split."""

    def forward(self, h, mask):
        return self.shares(h, mask).sum(-1)

    def shares(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return h * m / m.sum(-1, keepdim=True)


def test_an_empty_window_passes_no_nan_through_a_users_pool(data):
    from seqpool_sklearn.nn.pools import pool_windows, window_shares

    # GeM's root of a mean of zeros has an infinite derivative: an empty window used to
    # turn every gradient of the batch into NaN, and training stopped as "lr too high"
    pool = GeM(3)
    h = torch.randn(2, 3, 16, dtype=torch.float64, requires_grad=True)
    mask = torch.ones(2, 16, dtype=torch.bool)
    mask[1, 6:] = False  # the second series: windows 2 and 3 of 4 are empty
    frames, valid = pool_windows(pool, h, mask, 4)
    assert valid.tolist() == [[True] * 4, [True, True, False, False]]
    assert torch.all(frames[1, :, 2:] == 0)
    frames.sum().backward()
    assert torch.isfinite(h.grad).all() and torch.isfinite(pool.p.grad)
    assert torch.all(h.grad[1, :, 6:] == 0)  # unobserved steps get no gradient
    # the observed windows are pooled as before: the pool on that window alone
    alone, _ = pool_windows(pool, h[1:, :, 4:8], mask[1:, 4:8], None)
    torch.testing.assert_close(frames[1:, :, 1:2], alone)
    # an exact split that divides by the count stays finite, 0 on empty windows
    split = window_shares(MeanNoClamp(3), h.detach(), mask, 4)
    assert torch.isfinite(split).all() and torch.all(split[1, :, 2:] == 0)
    torch.testing.assert_close(split.sum(-1), pool_windows(MeanNoClamp(3), h, mask, 4)[0])

    X, y = data
    X = X.copy()
    X[::2, :, 20:] = np.nan  # every other series ends at step 20: windows of 8 beyond are empty
    for pool_cls in (GeM, MeanNoClamp):
        clf = SeqPoolClassifier(pool=pool_cls, encoder=TinyConv, window=8, **KW).fit(X, y)
        assert np.isfinite(clf.training_history()["train_loss"]).all()
        assert np.isfinite(clf.predict_proba(X)).all()
    ex = explain(
        SeqPoolRegressor(pool=MeanNoClamp, encoder=None, window=8, activation=None, **KW).fit(
            X, y.astype(float)
        ),
        X[:4],
    )
    assert np.isfinite(ex.values).all() and ex.completeness_error < 1e-6


class SoftMax(MaxPool):
    """A user's pool derived from a built-in: another pool, however it is named."""

    def forward(self, h, mask):
        return 0 * h.sum(-1)


def test_a_subclass_of_a_builtin_is_labelled_and_registered_as_its_own(data):
    assert label(SoftMax) == "SoftMax" and label(MaxPool) == "max"
    X, y = data
    kw = {**KW, "max_epochs": 1, "encoder": None}
    result = compare_heads(
        SeqPoolClassifier(**kw), X, y, pools=["max", SoftMax], orders=["pool_first"], cv=2
    )
    assert sorted(result.summary()["pool"]) == ["SoftMax", "max"]
    SeqPoolClassifier(pool=("max", SoftMax), **kw).fit(X, y)  # not a repeat of "max"
    with pytest.raises(ValueError, match="declared by the class itself.*inherits 'max'"):
        register_pool(SoftMax)


def test_two_pool_classes_under_one_label_are_refused_not_merged(data):
    namesake = type("GeM", (GeM,), {"__module__": __name__})  # another class called GeM
    X, y = data
    est = SeqPoolClassifier(encoder=None, **KW)
    with pytest.raises(ValueError, match=r"both be named 'GeM'.*_plugins\.GeM.*test_plugins\.GeM"):
        compare_heads(est, X, y, pools=[GeM, namesake], cv=2)
    with pytest.raises(ValueError, match="both be named 'GeM'"):
        SeqPoolClassifier(pool=(GeM, namesake), encoder=None, **KW).fit(X, y)

    class Avg(Pool):  # declares a built-in's name without being registered under it
        name = "avg"

        def forward(self, h, mask):
            return h.amax(-1)

    with pytest.raises(ValueError, match=r"both be named 'avg'.*pools\.AvgPool.*Avg"):
        compare_heads(est, X, y, pools=["avg", Avg], cv=2)


class FrozenBatchNorm(Encoder):
    """A pretrained, frozen encoder with batch normalisation (running statistics 0 / 1)."""

    frozen = True

    def __init__(self, n_channels, n_timesteps, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = 3
        self.conv = torch.nn.Conv1d(n_channels, 3, 3, padding=1)
        self.bn = torch.nn.BatchNorm1d(3)

    def forward(self, x, mask):
        return self.bn(self.conv(x)) * mask.unsqueeze(1).to(x.dtype)


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_a_frozen_encoder_computes_in_fit_as_at_predict(data, order):
    X, y = data
    est = SeqPoolClassifier(encoder=FrozenBatchNorm, order=order, **KW).fit(X * 3 + 10, y)
    bn = est.module_.encoder.bn
    # evaluated, not trained: its running statistics are the ones it was built with
    assert int(bn.num_batches_tracked) == 0
    torch.testing.assert_close(bn.running_mean, torch.zeros(3))
    assert not est.module_.train().encoder.training and est.module_.head.training


class Centred(Pool):
    """Each channel's average less the average over channels: reads every channel."""

    def forward(self, h, mask):
        avg = AvgPool.forward(self, h, mask)
        return avg - avg.mean(1, keepdim=True)


class Scaled(Pool):
    """A learned scale per channel, declared separable: its parameter is sized n_features."""

    separable = True

    def __init__(self, n_features):
        super().__init__(n_features)
        self.w = torch.nn.Parameter(torch.ones(n_features))

    def forward(self, h, mask):
        return AvgPool.forward(self, h, mask) * self.w[None, :, None]


def test_a_block_pooling_encoder_pools_a_users_pool_over_whole_maps(data):
    X, y = data
    kw = {**KW, "max_epochs": 1}
    assert not Centred.separable and not SoftMax.separable and MaxPool.separable
    x, mask = observed_mask(torch.as_tensor(X[:4]))
    for pool in (Centred, Scaled):
        est = SeqPoolClassifier(encoder="hydra", pool=pool, **kw).fit(X, y)
        module = est.module_.eval()
        assert not module.pools_by_block
        with torch.no_grad():
            torch.testing.assert_close(
                module.pooled(x, mask)[0], module.head.pool(module.encoder(x, mask), mask)[0]
            )
    est = SeqPoolClassifier(encoder="hydra", pool=("avg", "max"), **kw).fit(X, y)
    assert est.module_.pools_by_block  # the built-ins still pool block by block


class Float32Mean(Pool):
    """Computes in float32 whatever its input: fits, then cannot predict in float64."""

    def forward(self, h, mask):
        return AvgPool.forward(self, h, mask).float()


class Float32Encoder(TinyConv):
    def forward(self, x, mask):
        return super().forward(x, mask).float()


class Float32Weights(Pool):
    """A float32 constant its forward multiplies a float64 input by."""

    def forward(self, h, mask):
        w = torch.ones(h.shape[-1], dtype=torch.float32)
        return torch.einsum("bfnk,k->bfn", h, w)


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"pool": Float32Mean},
            r"Float32Mean.forward\(h, mask\) must return the dtype of h \(torch.float64\)",
        ),
        ({"pool": ("avg", Float32Mean)}, r"^Float32Mean.forward\(h, mask\) must return"),
        ({"encoder": Float32Encoder}, r"Float32Encoder.forward\(x, mask\) must return the dtype"),
        ({"pool": Float32Weights}, r"Float32Weights.forward\(h, mask\) failed on float64 input"),
    ],
)
def test_a_plugin_that_computes_in_a_fixed_dtype_is_refused_at_fit(data, params, match):
    X, y = data
    est = SeqPoolClassifier(**{"encoder": None, **params}, **KW)
    with pytest.raises(TypeError, match=match):
        est.fit(X, y)


class NaNMean(Pool):
    def forward(self, h, mask):
        return AvgPool.forward(self, h, mask) * float("nan")


class InfEncoder(TinyConv):
    def forward(self, x, mask):
        return super().forward(x, mask) / 0.0 - 1.0


class WrongShares(SumPool):
    def shares(self, h, mask):
        return h.sum(-1)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"pool": NaNMean}, r"NaNMean.forward\(h, mask\) returned NaN or infinite"),
        ({"encoder": InfEncoder}, r"InfEncoder.forward\(x, mask\) returned NaN or infinite"),
        (
            {"pool": WrongShares},
            r"WrongShares.shares\(h, mask\) must return a tensor of shape "
            r"\(batch, n_features, n_frames, k\) = \(2, 1, 1, 32\); got \(2, 1, 1\)",
        ),
    ],
)
def test_a_plugin_with_non_finite_output_or_wrong_shares_is_named_at_fit(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        SeqPoolClassifier(**{"encoder": None, **params}, **KW).fit(X, y)


class RootMeanSquare(Pool):
    """Declares linear = True wrongly: a root mean square does not commute with a linear map."""

    linear = True

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return ((h**2 * m).sum(-1) / m.sum(-1).clamp_min(1)).sqrt()


def test_a_ridge_readout_refuses_a_pool_that_declares_linear_wrongly(data):
    X, y = data
    kw = {**KW, "encoder": FrozenProjection, "readout": "ridge", "activation": None}
    with pytest.raises(ValueError, match=r"RootMeanSquare declares it, but the head's outputs"):
        SeqPoolRegressor(pool=RootMeanSquare, order="decode_first", **kw).fit(X, y * 1.0)
    # a linear pool of the user's own passes, and writes the pool_first readout
    linear_sum = type("LinearSum", (SumPool,), {"linear": True})
    pooled = SeqPoolRegressor(pool=linear_sum, order="pool_first", **kw).fit(X, y * 1.0)
    decoded = SeqPoolRegressor(pool=linear_sum, order="decode_first", **kw).fit(X, y * 1.0)
    np.testing.assert_allclose(decoded.predict(X), pooled.predict(X), rtol=1e-6, atol=1e-6)
    with pytest.raises(
        ValueError, match=r"only behind a linear pool .*its pool \(Centred\) is not linear"
    ):
        SeqPoolRegressor(pool=Centred, order="decode_first", **kw).fit(X, y * 1.0)


class NeedsPower(Pool):
    def __init__(self, n_features, power):
        super().__init__(n_features)
        self.power = power

    def forward(self, h, mask):
        return h.mean(-1)


class ForgetsSuper(Pool):
    def __init__(self, n_features):
        self.size = n_features

    def forward(self, h, mask):
        return h.mean(-1)


class FitDataWithoutMask(FrozenProjection):
    def fit_data(self, x):
        pass


class Misspelt(Pool):
    encoder_maps = "biassed"

    def forward(self, h, mask):
        return h.amax(-1)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"pool": GeM(4)}, InvalidParameterError, r"Pass the class \(pool=GeM\), not an instance"),
        ({"pool": ("avg", GeM(4))}, TypeError, r"Pass the class \(pool=GeM\), not an instance"),
        ({"pool": NeedsPower}, TypeError, r"NeedsPower is built as MyPool\(n_features\)"),
        ({"pool": ForgetsSuper}, TypeError, r"ForgetsSuper.__init__ must call super"),
        ({"encoder": FitDataWithoutMask}, TypeError, r"fit_data is called as fit_data\(x, mask"),
        ({"pool": Misspelt}, ValueError, r"Misspelt.encoder_maps must be one of \(None, 'biased'"),
    ],
)
def test_a_plugin_that_breaks_its_construction_contract_is_named(data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        SeqPoolClassifier(**{"encoder": None, **params}, **KW).fit(X, y)


def test_the_register_functions_are_public_and_the_messages_read_right():
    import seqpool_sklearn
    from seqpool_sklearn.nn import encoders, pools

    # the docs name them from the package's top level, beside Pool and Encoder
    assert seqpool_sklearn.register_pool is pools.register_pool
    assert seqpool_sklearn.register_encoder is encoders.register_encoder
    with pytest.raises(TypeError, match=r"^encoder must be an encoder name.*got 3 of type int"):
        encoders.ENCODER_REGISTRY.resolve(3)
    with pytest.raises(TypeError, match=r"^pool must be a pool name.*got 3 of type int"):
        pools.POOL_REGISTRY.resolve(3)


def test_an_unknown_name_lists_the_names_registered_now(data):
    class Mine(SumPool):
        name = "mine_listed"

    register_pool(Mine)
    try:
        with pytest.raises(InvalidParameterError, match=r"'mine_listed'.*register_pool"):
            SeqPoolClassifier(pool="mien_listed", **KW).fit(*data)
    finally:
        POOL_REGISTRY.pop("mine_listed", None)


@pytest.mark.parametrize("name", ["a+b", "x,y", "none", "None"])
def test_register_refuses_names_that_read_as_combined_pools_or_none(name):
    cls = type("Odd", (SumPool,), {"name": name})
    with pytest.raises(ValueError, match="cannot be registered"):
        register_pool(cls)
    assert name not in POOL_REGISTRY


class _LearnsPlainTensor(Encoder):
    """An encoder whose fit_data keeps what it learns in a plain tensor attribute."""

    frozen = True

    def __init__(self, n_channels, n_timesteps=None, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.out_channels = n_channels

    def fit_data(self, x, mask):
        self.mu = x.mean(dim=(0, 2))

    def forward(self, x, mask):
        return (x - self.mu[None, :, None]) * mask.unsqueeze(1)


class _LearnsBuffer(_LearnsPlainTensor):
    def __init__(self, n_channels, n_timesteps=None, width=None):
        super().__init__(n_channels, n_timesteps, width)
        self.register_buffer("mu", torch.zeros(n_channels))


def test_what_fit_data_learns_must_be_a_registered_buffer(tmp_path):
    # a plain tensor attribute was lost by a skops file (the loaded model predicted up to
    # 0.32 apart) and would not follow the network to another device
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(20, 2, 30)) + 5).astype(np.float32)
    y = np.arange(20) % 2
    with pytest.raises(
        TypeError,
        match=r"_LearnsPlainTensor.fit_data set 'mu', a tensor that "
        r"is not a registered buffer.*self.register_buffer\('mu', \.\.\.\)",
    ):
        SeqPoolClassifier(encoder=_LearnsPlainTensor, max_epochs=2, random_state=0).fit(X, y)
    model = SeqPoolClassifier(encoder=_LearnsBuffer, max_epochs=2, random_state=0).fit(X, y)
    sio = pytest.importorskip("skops.io")
    sio.dump(model, tmp_path / "m.skops")
    loaded = sio.load(
        tmp_path / "m.skops", trusted=sio.get_untrusted_types(file=tmp_path / "m.skops")
    )
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


class _CentredAvg(Pool):
    """Reads across channels (each channel's mean minus the mean over channels)."""

    separable = True  # wrongly

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        avg = (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)
        return avg - avg.mean(1, keepdim=True)


def test_a_wrong_separable_declaration_is_refused_at_fit():
    # pooled block by block in fit and predict, whole in export and explain: the two
    # described different models
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1, 40)).astype(np.float32)
    with pytest.raises(ValueError, match="_CentredAvg declares separable = True, but pooling "
                       "the encoder's maps block by block gives other values"):  # fmt: skip
        SeqPoolClassifier(pool=_CentredAvg, encoder="hydra", max_epochs=1, random_state=0).fit(
            X, np.arange(20) % 2
        )


class _MyAvg(Pool):
    linear = True

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)


def test_the_ridge_refuses_a_tuple_of_linear_pools_under_decode_first():
    # it reached write_readout and failed there with torch's size mismatch
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2, 16)).astype(np.float32)
    est = SeqPoolClassifier(encoder=None, order="decode_first", pool=("avg", _MyAvg),
                            readout="ridge", random_state=0)  # fmt: skip
    with pytest.raises(ValueError, match=r"takes one linear pool, whose frames the decoder's "
                       r"weights read; pool=\('avg', _MyAvg\) is a tuple of 2"):  # fmt: skip
        est.fit(X, np.arange(20) % 2)


class MeanWithSumShares(Pool):
    """Pools the mean, but declares the steps' sum as its split."""

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)

    def shares(self, h, mask):
        return h * mask.unsqueeze(1).to(h.dtype)


@pytest.mark.parametrize("order", ["decode_first", "pool_first"])
def test_shares_that_do_not_add_up_to_forward_are_refused_at_fit(data, order):
    """fit checked only the shape of a pool's shares; explain then split another function
    than the network's, labelled integrated gradients under decode_first."""
    X, y = data
    with pytest.raises(
        ValueError,
        match=r"MeanWithSumShares.shares\(h, mask\) must add up over each window's steps "
        r"\(the last dimension\) to MeanWithSumShares.forward\(h, mask\)",
    ):
        SeqPoolClassifier(pool=MeanWithSumShares, order=order, encoder=None, **KW).fit(X, y)
    # the package's own split and a user's that adds up pass
    SeqPoolClassifier(pool=MeanNoClamp, order=order, encoder=None, window=8, **KW).fit(X, y)
