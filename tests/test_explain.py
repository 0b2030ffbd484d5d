"""Per-step explanations: exact decompositions, padding, completeness, faithfulness."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from seqpool_sklearn import Pool, SeqPoolClassifier, SeqPoolRegressor, make_event_timing
from seqpool_sklearn._explain import Explanation, deletion_score, explain

N_CH, T = 2, 10


def _softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _data(n=24, t=T, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_CH, t)).astype(np.float32).astype(np.float64)  # as the model reads it
    y = np.array(["a", "b", "c"])[np.arange(n) % 3]
    return X, y


def _fit(est_cls=SeqPoolClassifier, X=None, y=None, **params):
    if X is None:
        X, y = _data()
    kw = {"encoder": None, "hidden_size": 4, "max_epochs": 2, "random_state": 0}
    if params.get("encoder") == "minirocket":
        kw["encoder_channels"] = 84
    elif params.get("encoder") in ("conv", "gru"):
        kw["encoder_channels"] = 6
    kw.update(params)
    return est_cls(**kw).fit(X, y)


def _randomise(est, seed=1):
    """Fixed, generic weights: the trained ones are close to their small initial values."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in est.module_.head.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype))


def _reference(est, X):
    """The decomposition of a decode_first head over raw channels, written out in numpy."""
    head = est.module_.head
    W = head.decoder.weight.detach().double().numpy()
    b = head.decoder.bias.detach().double().numpy()
    U = head.output.weight.detach().double().numpy()
    c = head.output.bias.detach().double().numpy()
    act = {None: lambda v: v, "relu": lambda v: np.maximum(v, 0), "tanh": np.tanh}[est.activation]
    n, _, t = X.shape
    window = est.window or t
    frames = est.n_frames_
    hidden = W.shape[0]
    U = U.reshape(len(c), hidden, frames)
    values = np.zeros((n, len(c), t))
    for i in range(n):
        observed = ~np.isnan(X[i]).all(axis=0)
        z = act(W @ np.nan_to_num(X[i]) + b[:, None])  # (hidden, t)
        share = np.zeros_like(z)
        for f in range(frames):
            steps = [s for s in range(f * window, min(t, (f + 1) * window)) if observed[s]]
            if not steps:
                continue
            if est.pool == "avg":
                share[:, steps] = z[:, steps] / len(steps)
            elif est.pool == "attention":
                a = head.pooling.score.weight.detach().double().numpy()[0]
                a0 = float(head.pooling.score.bias.detach())
                s = a @ z[:, steps] + a0
                w = np.exp(s - s.max())
                share[:, steps] = z[:, steps] * w / w.sum()
            else:  # max: the whole frame at the first arg-max step of each channel
                for h in range(hidden):
                    best = steps[int(np.argmax(z[h, steps]))]
                    share[h, best] = z[h, best]
            for s in steps:
                values[i, :, s] = U[:, :, f] @ share[:, s]
    return values, np.tile(c, (n, 1))


@pytest.mark.parametrize("pool", ["avg", "max", "attention"])
@pytest.mark.parametrize("window", [None, 3])
@pytest.mark.parametrize("activation", ["relu", None])
def test_decode_first_matches_the_hand_computed_decomposition(pool, window, activation):
    est = _fit(order="decode_first", pool=pool, window=window, activation=activation)
    _randomise(est)
    X, _ = _data(6, seed=3)
    X[1, :, 7:] = np.nan  # padding
    X[2, :, 4] = np.nan  # a missing step inside
    ex = est.explain(X)
    values, offset = _reference(est, X)
    assert ex.exact and ex.method == "linear"
    np.testing.assert_allclose(ex.values, values, atol=1e-10)
    np.testing.assert_allclose(ex.offset, offset, atol=1e-12)
    np.testing.assert_allclose(ex.values.sum(-1) + ex.offset, ex.outputs, atol=1e-10)
    np.testing.assert_allclose(_softmax(ex.outputs), est.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("window", [None, 3])
def test_pool_first_avg_without_activation_explains_like_decode_first(window):
    kw = {"pool": "avg", "window": window, "activation": None}
    a = _fit(order="pool_first", **kw)
    b = _fit(order="decode_first", **kw)
    _randomise(a)
    b.module_.load_state_dict(a.module_.state_dict())
    X, _ = _data(5, seed=4)
    X[0, :, 6:] = np.nan
    ea, eb = a.explain(X), b.explain(X)
    assert ea.exact and ea.method == "linear"
    np.testing.assert_allclose(ea.values, eb.values, atol=1e-10)
    np.testing.assert_allclose(ea.values, _reference(b, X)[0], atol=1e-10)
    np.testing.assert_allclose(ea.values.sum(-1) + ea.offset, a.predict_proba(X) * 0 + ea.outputs)
    np.testing.assert_allclose(_softmax(ea.outputs), a.predict_proba(X), atol=1e-12)


CASES = [("decode_first", p, "relu") for p in ("avg", "max", "attention", "lp")]
CASES += [("pool_first", "avg", None)]


@pytest.mark.parametrize("encoder", ["minirocket", "conv", "gru", None])
@pytest.mark.parametrize(("order", "pool", "activation"), CASES)
@pytest.mark.parametrize("window", [None, 4])
def test_exact_for_every_encoder(encoder, order, pool, activation, window):
    X, y = _data(18, t=16)
    est = _fit(X=X, y=y, encoder=encoder, order=order, pool=pool, activation=activation)
    est.set_params(window=window)
    est.fit(X, y)
    X[0, :, 12:] = np.nan
    ex = est.explain(X[:4])
    assert isinstance(ex, Explanation) and ex.exact and ex.method == "linear"
    assert ex.values.shape == (4, 3, 16) and ex.values.dtype == np.float64
    assert ex.offset.shape == ex.outputs.shape == (4, 3)
    np.testing.assert_allclose(ex.values.sum(-1) + ex.offset, ex.outputs, atol=1e-5)
    assert ex.completeness_error < 1e-5
    np.testing.assert_allclose(_softmax(ex.outputs), est.predict_proba(X[:4]), atol=1e-12)
    assert (ex.values[0, :, 12:] == 0).all()


@pytest.mark.parametrize("order", ["decode_first", "pool_first"])
def test_regressor_outputs_are_predictions_in_target_units(order):
    X, _ = _data(20)
    y = np.c_[100 + 5 * X.mean((1, 2)), -3 * X[:, 0, 0]]
    est = _fit(SeqPoolRegressor, X, y, order=order, activation=None, encoder="conv")
    ex = est.explain(X[:5])
    assert ex.exact
    np.testing.assert_allclose(ex.outputs, est.predict(X[:5]), atol=1e-10)
    np.testing.assert_allclose(ex.values.sum(-1) + ex.offset, ex.outputs, atol=1e-8)
    est1 = _fit(SeqPoolRegressor, X, y[:, 0], order=order, encoder=None)
    ex1 = est1.explain(X[:5])
    assert ex1.outputs.shape == (5, 1)
    np.testing.assert_allclose(ex1.outputs[:, 0], est1.predict(X[:5]), atol=1e-10)


@pytest.mark.parametrize("encoder", ["minirocket", "conv", "gru", None])
@pytest.mark.parametrize(
    ("order", "pool", "activation"),
    [("decode_first", "max", "relu"), ("pool_first", "avg", None), ("pool_first", "lp", "tanh")],
)
def test_padding_gets_zero_and_leaves_observed_steps_unchanged(encoder, order, pool, activation):
    X, y = _data(18, t=12)
    est = _fit(X=X, y=y, encoder=encoder, order=order, pool=pool, activation=activation)
    short = X[:3, :, :9]
    padded = np.concatenate([short, np.full((3, N_CH, 5), np.nan)], axis=2)
    a, b = est.explain(short), est.explain(padded)
    assert (b.values[:, :, 9:] == 0).all()
    np.testing.assert_allclose(b.values[:, :, :9], a.values, atol=1e-9)
    np.testing.assert_allclose(b.offset, a.offset, atol=1e-9)
    np.testing.assert_allclose(b.outputs, a.outputs, atol=1e-9)


@pytest.mark.parametrize("pool", ["max", "avg", "lp", "attention"])
def test_integrated_gradients_are_complete_in_the_limit(pool):
    X, y = make_event_timing(40, 48, random_state=0)
    est = _fit(
        X=X, y=y, order="pool_first", pool=pool, activation="relu", hidden_size=8, max_epochs=3
    )
    _randomise(est, seed=2)
    errors = [est.explain(X[:10], n_steps=n).completeness_error for n in (2, 16, 256)]
    ex = est.explain(X[:10], n_steps=16)
    assert not ex.exact and ex.method == "integrated_gradients" and ex.n_steps == 16
    assert errors[0] > 1e-3  # the random head is far from linear on this path
    assert errors[2] < errors[1] < errors[0]
    assert errors[2] < errors[0] / 20
    # offset: the zero-feature baseline's output, so values + offset tracks the outputs
    np.testing.assert_allclose(ex.values.sum(-1) + ex.offset, ex.outputs, atol=errors[1] * 1.01)
    np.testing.assert_allclose(_softmax(ex.outputs), est.predict_proba(X[:10]), atol=1e-12)


def test_pool_first_without_activation_is_exact_for_every_pool():
    for pool in ("max", "lp", "attention"):
        est = _fit(order="pool_first", pool=pool, activation=None, window=4)
        _randomise(est)
        ex = est.explain(_data(4, seed=5)[0], n_steps=2)
        assert ex.exact and ex.completeness_error < 1e-10


def test_pipeline_explains_what_the_final_step_sees():
    X, y = _data()
    pipe = make_pipeline(FunctionTransformer(lambda a: 2 * a), _fit(order="decode_first"))
    pipe.fit(X, y)
    via_pipe = explain(pipe, X[:3])
    direct = pipe[-1].explain(2 * X[:3])
    np.testing.assert_array_equal(via_pipe.values, direct.values)
    np.testing.assert_allclose(_softmax(via_pipe.outputs), pipe.predict_proba(X[:3]), atol=1e-12)


def test_errors_say_what_to_do():
    est = _fit(order="decode_first")
    with pytest.raises(ValueError, match="n_steps"):
        est.explain(_data(2)[0], n_steps=0)
    with pytest.raises(TypeError, match="SeqPoolClassifier"):
        explain(FunctionTransformer(), _data(2)[0])
    with pytest.raises(ValueError, match="not one of the outputs"):
        est.explain(_data(2)[0]).plot(0, output="z")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SeqPoolClassifier().explain(_data(2)[0])


def test_deletion_score_refuses_bad_arguments_before_explaining():
    est = _fit(order="decode_first")
    X, y = _data(6)
    with pytest.raises(ValueError, match=r"n_steps must be an integer >= 1, got 1.5"):
        est.explain(X, n_steps=1.5)
    with pytest.raises(ValueError, match=r"n_random must be an integer >= 1, got 0"):
        deletion_score(est, X, n_random=0)  # once a score of NaN
    with pytest.raises(ValueError, match=r"y must hold one class per series of X, shape \(6,\)"):
        deletion_score(est, X, y=y[:2])
    with pytest.raises(TypeError, match="fractions must be a sequence of numbers in"):
        deletion_score(est, X, fractions="a")
    with pytest.raises(ValueError, match="fractions must be a sequence of numbers in"):
        deletion_score(est, X, fractions=0.3)
    with pytest.raises(ValueError, match=r"fractions must lie in \(0, 1\); got \[nan\]"):
        deletion_score(est, X, fractions=(np.nan,), n_random=1)  # once a score


def test_plot_draws_the_series_and_leaves_padding_out():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est = _fit(order="decode_first", window=3)
    X, _ = _data(2)
    X[0, :, 8:] = np.nan
    ex = est.explain(X)
    fig = ex.plot(0)
    assert isinstance(fig, matplotlib.figure.Figure)  # as HeadComparison.plot returns
    axes = fig.axes
    assert len(axes) == 2
    assert len(axes[1].patches) == 8  # one bar per observed step
    assert "'b'" in ex.plot(0, output="b").axes[0].get_title()
    plt.close("all")


@pytest.fixture(scope="module")
def event_task():
    X, y = make_event_timing(120, 48, random_state=0)
    clean, _ = make_event_timing(120, 48, noise=0.0, random_state=0)
    return X, y, clean[:, 0] > 0  # the event steps


@pytest.mark.parametrize("order", ["decode_first", "pool_first"])
def test_contributions_find_the_events(event_task, order):
    X, y, events = event_task
    est = SeqPoolClassifier(
        order=order,
        window=8,
        encoder=None,
        hidden_size=16,
        max_epochs=60,
        lr=0.01,
        dropout=0.0,
        random_state=0,
    ).fit(X[:80], y[:80])
    assert est.score(X[80:], y[80:]) > 0.9
    ex = est.explain(X[80:])
    v = ex.values[np.arange(40), ex.predicted]
    top = np.argsort(-v, axis=1)[:, :8]  # as many steps as an event has
    precision = np.take_along_axis(events[80:], top, axis=1).mean()
    assert precision > 0.5  # chance: 8 / 48
    score = deletion_score(est, X[80:], y[80:])
    assert score["deletion"] > score["random"] + 1.0
    assert score["score"] == pytest.approx(score["deletion"] - score["random"])
    assert score["curve"].shape == (5,)


def test_compare_heads_compares_faithfulness_with_the_deletion_scorer(event_task):
    from seqpool_sklearn import compare_heads
    from seqpool_sklearn._explain import deletion_scorer

    X, y, _ = event_task
    clf = SeqPoolClassifier(
        encoder=None,
        window=8,
        hidden_size=16,
        max_epochs=60,
        lr=0.01,
        dropout=0.0,
        random_state=0,
    )
    result = compare_heads(clf, X, y, windows=[8], cv=2, scoring=deletion_scorer, random_state=0)
    scores = result.summary().set_index("order")
    assert set(scores.index) == {"pool_first", "decode_first"}
    assert (result.results["score"] > 1.0).all()  # top steps matter more than random ones


def test_deletion_score_for_a_regressor_and_its_arguments():
    X, _ = _data(30, t=12)
    y = 4 * X[:, 0, :6].mean(1)  # evidence in the first half
    reg = _fit(SeqPoolRegressor, X, y, order="decode_first", window=6, max_epochs=40, lr=0.01)
    result = deletion_score(reg, X[:10], fractions=(0.25, 0.5), n_random=2)
    assert result["curve"].shape == result["random_curve"].shape == (2,)
    # the drops are in target units: a target far from 0 and of scale 40, against a hand
    # computation through predict (the network's standardised outputs were 100 off)
    y = 100 + 40 * X[:, 0, :6].mean(1)
    reg = _fit(SeqPoolRegressor, X, y, order="decode_first", window=6, max_epochs=40, lr=0.01)
    result = deletion_score(reg, X[:10], fractions=(0.5,), n_random=1)
    top = np.argsort(-reg.explain(X[:10]).values[:, 0], axis=1, kind="stable")[:, :6]
    masked = X[:10].copy()
    for i in range(10):
        masked[i, :, top[i]] = np.nan
    hand = np.mean(reg.predict(X[:10]) - reg.predict(masked))
    np.testing.assert_allclose(result["curve"][0], hand, rtol=1e-5)
    assert result["deletion"] == pytest.approx(hand, rel=1e-5)
    assert result["score"] == pytest.approx(result["deletion"] - result["random"])
    with pytest.raises(ValueError, match="fractions"):
        deletion_score(reg, X[:2], fractions=(0.0, 0.5))
    clf = _fit(order="decode_first")
    with pytest.raises(ValueError, match="classes_"):
        deletion_score(clf, _data(2)[0], y=["a", "zzz"])


@pytest.mark.parametrize(
    ("order", "activation"), [("decode_first", "relu"), ("pool_first", "relu")]
)
def test_chunking_does_not_change_the_contributions(monkeypatch, order, activation):
    """Wide encoders are explained in chunks of series; the split must not show."""
    import seqpool_sklearn._explain as module

    X, y = _data(12, t=16)
    est = _fit(X=X, y=y, encoder="minirocket", order=order, activation=activation, window=4)
    whole = est.explain(X)
    monkeypatch.setattr(module, "_BUDGET", 1.0)  # one series per chunk, one alpha per pass
    assert module._chunk_size(est.module_, 16, 3, order == "decode_first") == 1
    chunked = est.explain(X)
    np.testing.assert_allclose(chunked.values, whole.values, atol=1e-12)
    np.testing.assert_allclose(chunked.offset, whole.offset, atol=1e-12)


def test_univariate_2d_input():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 9)).astype(np.float32)
    y = (X[:, :3].mean(1) > 0).astype(int)
    est = SeqPoolClassifier(order="decode_first", encoder=None, max_epochs=2, random_state=0)
    ex = est.fit(X, y).explain(X[:4])
    assert ex.values.shape == (4, 2, 9) and ex.X.shape == (4, 1, 9)
    np.testing.assert_allclose(ex.values.sum(-1) + ex.offset, ex.outputs, atol=1e-10)


def test_compare_heads_faithfulness_column_is_the_deletion_score_of_each_fit():
    from sklearn.base import clone

    from seqpool_sklearn import compare_heads, deletion_score, make_event_timing

    X, y = make_event_timing(n_samples=40, n_timesteps=64, random_state=0)
    clf = SeqPoolClassifier(encoder=None, hidden_size=8, max_epochs=5, random_state=0)
    result = compare_heads(clf, X, y, pools=["avg"], cv=2, random_state=0, faithfulness=True)
    assert "faithfulness" in result.results and "mean_faithfulness" in result.summary()
    row = result.results.iloc[0]
    train, test = result.splits[int(row["split"])]
    fitted = clone(clf).set_params(order=row["order"]).fit(X[train], y[train])
    expected = deletion_score(fitted, X[test], y[test])["score"]
    assert row["faithfulness"] == pytest.approx(expected, rel=1e-6)
    plain = compare_heads(clf, X, y, pools=["avg"], cv=2, random_state=0)
    assert "faithfulness" not in plain.results
    np.testing.assert_array_equal(plain.results["score"], result.results["score"])


def test_plot_names_the_rows_it_takes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ex = _fit(order="decode_first").explain(_data(3)[0])
    with pytest.raises(ValueError, match=r"i=99 is not a row of the explained X, which holds 3"):
        ex.plot(99)
    with pytest.raises(ValueError, match=r"0 to 2 \(or -3 to -1 from the end\)"):
        ex.plot(-4)
    for bad in (1.0, "1", True, None):
        with pytest.raises(TypeError, match=r"i must be an int, the row of the explained X"):
            ex.plot(bad)
    assert "sample 2:" in ex.plot(np.int64(-1)).axes[0].get_title()
    plt.close("all")


def test_deletion_score_names_a_label_outside_the_classes():
    est = _fit(order="decode_first")
    X, _ = _data(3)
    # labels that do not sort against the classes (None, numbers for string classes)
    for y, label in (
        (np.array([None] * 3, dtype=object), "None"),
        (np.array(["a", 1, "b"], dtype=object), "1"),
        (["a", "b", "z"], "'z'"),
    ):
        with pytest.raises(ValueError, match=rf"outside classes_ \['a', 'b', 'c'\]: {label}"):
            deletion_score(est, X, y=y, n_random=1, n_steps=1)
    result = deletion_score(est, X, y=np.array(["c", "a", "b"], dtype=object), n_random=1)
    assert np.isfinite(result["score"])


def test_deletion_score_explains_the_classes_in_y():
    # the drop is that of each series' class in y, not of its predicted class
    est = _fit(order="decode_first")
    X, _ = _data(6)
    predicted = est.predict(X)
    other = np.where(predicted == "a", "b", "a")
    result = deletion_score(est, X, y=other, fractions=(0.5,), n_random=1)
    ex = est.explain(X)
    j = np.searchsorted(est.classes_, other)
    k = int(np.ceil(0.5 * X.shape[2]))
    masked = X.copy()
    for i in range(len(X)):
        masked[i, :, np.argsort(-ex.values[i, j[i]], kind="stable")[:k]] = np.nan
    rows = np.arange(len(X))
    hand = np.mean(ex.outputs[rows, j] - est.explain(masked).outputs[rows, j])
    assert result["deletion"] == pytest.approx(hand, rel=1e-6)
    assert result["deletion"] != pytest.approx(
        deletion_score(est, X, fractions=(0.5,), n_random=1)["deletion"], rel=1e-3
    )


class BiasedMean(Pool):
    """A linear pool with an exact split that asks for the encoder's biased maps."""

    linear = True
    encoder_maps = "biased"

    def forward(self, h, mask):
        return self.shares(h, mask).sum(-1)

    def shares(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return h * m / m.sum(-1, keepdim=True).clamp_min(1)


@pytest.mark.parametrize("window", [None, 4])
def test_pool_first_standardised_frames_stay_exact(window):
    """Behind biased maps pool_first standardises its pooled frames; the exact view used to
    decode the raw steps' maps and miss it (completeness error of the outputs' size)."""
    X, y = _data(n=24, t=12)
    est = _fit(
        X=X, y=y, encoder="minirocket", pool=BiasedMean, order="pool_first",
        activation=None, window=window,
    )  # fmt: skip
    assert est.module_.head.standardises_frames
    X_new, _ = _data(4, t=12, seed=7)
    X_new[1, :, 9:] = np.nan
    ex = est.explain(X_new)
    assert ex.method == "linear" and ex.exact
    assert ex.completeness_error < 1e-9 * max(1.0, np.abs(ex.outputs).max())
    np.testing.assert_allclose(_softmax(ex.outputs), est.predict_proba(X_new), atol=1e-12)
    assert (ex.values[1, :, 9:] == 0).all()


@pytest.mark.parametrize("order", ["pool_first", "decode_first"])
def test_a_pool_without_shares_is_named_step_integrated_gradients(order):
    class GeM(Pool):  # no exact split
        def forward(self, h, mask):
            m = mask.unsqueeze(1).to(h.dtype)
            powered = h.abs().clamp_min(1e-6).pow(3) * m
            return (powered.sum(-1) / m.sum(-1).clamp_min(1)).pow(1 / 3)

    est = _fit(order=order, pool=GeM)
    ex = est.explain(_data(3)[0], n_steps=8)
    assert ex.method == "step_integrated_gradients" and not ex.exact and ex.n_steps == 8
    assert "step_integrated_gradients, approximate" in _title(ex)


def _title(ex):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    title = ex.plot(0).axes[0].get_title()
    plt.close("all")
    return title


class Sum(Pool):
    """A linear pool with an exact split whose weights do not sum to 1."""

    summary = "sum"
    linear = True
    separable = True

    def forward(self, h, mask):
        return (h * mask.unsqueeze(1).to(h.dtype)).sum(-1)

    def shares(self, h, mask):
        return h * mask.unsqueeze(1).to(h.dtype)


@pytest.mark.parametrize("window", [None, 4])
@pytest.mark.parametrize("est_cls", [SeqPoolClassifier, SeqPoolRegressor])
def test_pool_first_linear_pool_without_constants_is_explained_exactly(est_cls, window):
    """The decode view shares the decoder bias out over the steps, which a sum does not
    carry through: the values were off by far more than the outputs, labelled "linear"."""
    X, y = _data(n=24, t=12)
    if est_cls is SeqPoolRegressor:
        y = X[:, 0].sum(1)
    est = _fit(est_cls, X=X, y=y, pool=Sum, order="pool_first", activation=None, window=window)
    _randomise(est)
    X_new, _ = _data(5, t=12, seed=3)
    X_new[1, :, 7:] = np.nan
    X_new[2, :, 3] = np.nan
    ex = est.explain(X_new, n_steps=2)
    assert ex.method == "integrated_gradients" and ex.exact and ex.n_steps == 2
    assert ex.completeness_error < 1e-6
    assert (ex.values[1, :, 7:] == 0).all() and (ex.values[2, :, 3] == 0).all()
    # a pool that carries constants keeps the decode view
    avg = _fit(est_cls, X=X, y=y, pool="avg", order="pool_first", activation=None, window=window)
    assert avg.explain(X_new).method == "linear"


def test_docs_say_exact_means_by_construction_and_which_designs_are_exact():
    """``exact`` was documented as the measured sums holding to rounding, and the
    estimator's ``explain`` called decode_first exact for every pool."""
    assert "exact by construction" in " ".join(Explanation.__doc__.split())
    for cls in (SeqPoolClassifier, SeqPoolRegressor):
        doc = " ".join(cls.explain.__doc__.split())
        assert "every pool that has an exact per-step split" in doc
        assert "every pool, window and encoder" not in doc
        assert '``method="step_integrated_gradients"``, ``exact=False``' in doc
    # an approximate method stays False however small its measured error
    est = _fit(order="pool_first", pool="avg", activation="relu")
    ex = est.explain(_data(3)[0], n_steps=2)
    assert ex.method == "integrated_gradients" and not ex.exact


@pytest.mark.parametrize(("q", "n_observed", "expected"), [(0.07, 100, 7), (0.28, 25, 7)])
def test_deletion_score_masks_the_exact_number_of_steps(monkeypatch, q, n_observed, expected):
    """q * n in floating point landed just above an integer: one step too many masked."""
    import seqpool_sklearn._explain as module

    est = _fit(order="decode_first")
    X, _ = _data(2, t=n_observed + 3, seed=4)
    X[:, :, n_observed:] = np.nan  # padding is not counted
    seen = []
    original = module._scaled_outputs

    def recording(estimator, X3):
        seen.append(X3)
        return original(estimator, X3)

    monkeypatch.setattr(module, "_scaled_outputs", recording)
    deletion_score(est, X, fractions=(q,), n_random=2, n_steps=1)
    masked = np.isnan(seen[-1]).all(axis=1).sum(1) - 3  # (1 + n_random) * n copies
    assert masked.tolist() == [expected] * 6


def test_deletion_score_leaves_out_series_with_one_observed_step():
    """Nothing can be masked in them: their drop of 0 diluted both means."""
    est = _fit(order="decode_first")
    X, _ = _data(4, seed=6)
    single = X.copy()
    single[1, :, 1:] = np.nan  # one observed step
    kept = single[[0, 2, 3]]
    with_single = deletion_score(est, single, n_random=2, n_steps=1)
    without = deletion_score(est, kept, n_random=2, n_steps=1)
    for key in ("deletion", "random", "score"):
        assert with_single[key] == pytest.approx(without[key], rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(with_single["curve"], without["curve"], rtol=1e-12)
    np.testing.assert_allclose(with_single["random_curve"], without["random_curve"], rtol=1e-12)
    with pytest.raises(ValueError, match="at least 2 observed steps.*got 2 series with at most 1"):
        deletion_score(est, single[[1, 1]], n_random=1, n_steps=1)


def test_plot_refuses_more_than_one_output():
    """A list was compared elementwise with the outputs and its first hit plotted."""
    est = _fit(order="decode_first")
    ex = est.explain(_data(2)[0])
    for output in (["a", "b"], np.array(["b"]), ("a",)):
        with pytest.raises(TypeError, match=r"output must be one label.*\['a', 'b', 'c'\]"):
            ex.plot(0, output=output)


class DriftingShares(Pool):
    """A mean with its split, whose split can be put off after fit (``factor``)."""

    factor = 1.0

    def forward(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return (h * m).sum(-1) / m.sum(-1).clamp_min(1.0)

    def shares(self, h, mask):
        m = mask.unsqueeze(1).to(h.dtype)
        return self.factor * h * m / m.sum(-1, keepdim=True).clamp_min(1.0)


def test_decode_first_with_shares_that_miss_the_pool_stays_linear_and_warns():
    """Under decode_first such a pool was reported as integrated gradients (the fallback of
    pool_first's sum pool), with no signal that its shares do not add up."""
    est = _fit(pool=DriftingShares, order="decode_first")  # fit checks the split: it holds
    X_new = _data(3, seed=2)[0]
    assert est.explain(X_new).method == "linear" and est.explain(X_new).exact
    est.module_.head.pooling.factor = 3.0  # the split no longer adds up to forward
    with pytest.warns(UserWarning, match=r"shares of the pool \(DriftingShares\) do not add up"):
        ex = est.explain(X_new)
    assert ex.method == "linear" and not ex.exact and ex.n_steps is None
    assert ex.completeness_error > 1e-3
    np.testing.assert_allclose(_softmax(ex.outputs), est.predict_proba(X_new), atol=1e-9)


def test_deletion_score_checks_a_regressors_y_length_and_uses_output_0():
    """A regressor's y of another length than X was accepted and ignored."""
    X, _ = _data(12, t=12)
    y = np.stack([X[:, 0, :6].mean(1), X[:, 1].mean(1)], axis=1)
    reg = _fit(SeqPoolRegressor, X, y, order="decode_first", window=6)
    kw = {"fractions": (0.5,), "n_random": 1}
    with pytest.raises(
        ValueError, match=r"one target per series of X \(6 rows\); got shape \(3,\)"
    ):
        deletion_score(reg, X[:6], np.zeros(3), **kw)
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        deletion_score(reg, X[:6], 1.0, **kw)
    # the targets a scorer passes (1D or 2D, of X's length) explain output 0, as without y
    alone = deletion_score(reg, X[:6], **kw)
    for targets in (y[:6], y[:6, 0]):
        assert deletion_score(reg, X[:6], targets, **kw)["score"] == alone["score"]
