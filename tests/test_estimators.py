"""Behaviour of SeqPoolClassifier / SeqPoolRegressor as a user sees it."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor

FAST = {"encoder_channels": 8, "hidden_size": 8, "max_epochs": 4, "batch_size": 16, "lr": 0.01}


def _data(n=48, c=3, t=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    return X, y


def test_grid_search_over_order_pool_window_runs_every_cell():
    X, y = _data()
    grid = {
        "order": ["pool_first", "decode_first"],
        "pool": ["avg", "max", "lp", "attention"],
        "window": [None, 8],
    }
    est = SeqPoolClassifier(random_state=0, **{**FAST, "max_epochs": 1})
    search = GridSearchCV(est, grid, cv=2, error_score="raise").fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 16 and np.isfinite(scores).all()
    assert search.best_estimator_.order in ("pool_first", "decode_first")


@pytest.mark.parametrize("encoder", [None, "conv", "gru"])
def test_nan_padded_series_gets_the_unpadded_prediction(encoder):
    X, y = _data()
    clf = SeqPoolClassifier(encoder=encoder, random_state=0, **FAST).fit(X, y)
    padded = np.concatenate([X[:10], np.full((10, 3, 9), np.nan, np.float32)], axis=2)
    np.testing.assert_allclose(clf.predict_proba(padded), clf.predict_proba(X[:10]), atol=1e-6)
    # padding in front (PadTruncate(padding="pre")) too: the GRU used to read it as zeros
    pre = np.concatenate([np.full((10, 3, 9), np.nan, np.float32), X[:10]], axis=2)
    np.testing.assert_allclose(clf.predict_proba(pre), clf.predict_proba(X[:10]), atol=1e-6)
    # and a model trained on series padded in front is the one trained on the series
    # (the conv encoder's float32 sums run in another order there, a rounding that
    # training amplifies: test_heads shows its forward pass the same in float64)
    if encoder == "conv":
        return
    both = np.concatenate([X[:, :, 3:], np.full((len(X), 3, 3), np.nan, np.float32)], axis=2)
    both[::2] = np.roll(both[::2], 3, axis=2)  # every other series padded in front
    post = np.concatenate([X[:, :, 3:], np.full((len(X), 3, 3), np.nan, np.float32)], axis=2)
    a = SeqPoolClassifier(encoder=encoder, random_state=0, **FAST).fit(both, y)
    b = SeqPoolClassifier(encoder=encoder, random_state=0, **FAST).fit(post, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)
    # series of any length work at predict with window=None (3D input)
    assert clf.predict(X[:5, :, :13]).shape == (5,)


def test_training_on_unequal_lengths_uses_nan_padding():
    X, y = _data(t=24)
    X[::2, :, 15:] = np.nan  # every other series is shorter
    clf = SeqPoolClassifier(window=6, random_state=0, **FAST).fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()
    # the padding is missing, not zeros: a fit on zeros there is another model, and a
    # padded series is predicted as the same series unpadded
    zeros = np.nan_to_num(X, nan=0.0)
    for window in (6, None):
        clf = SeqPoolClassifier(window=window, random_state=0, **FAST).fit(X, y)
        as_zeros = SeqPoolClassifier(window=window, random_state=0, **FAST).fit(zeros, y)
        assert np.abs(clf.predict_proba(X[1::2]) - as_zeros.predict_proba(X[1::2])).max() > 1e-4
    np.testing.assert_allclose(
        clf.predict_proba(X[::2]), clf.predict_proba(X[::2, :, :15]), rtol=0, atol=1e-12
    )


def test_string_and_noncontiguous_labels_round_trip():
    X, y = _data()
    for labels in (np.array(["cat", "dog"]), np.array([3, 17])):
        y_lab = labels[y]
        clf = SeqPoolClassifier(random_state=0, **FAST).fit(X, y_lab)
        assert list(clf.classes_) == sorted(labels.tolist())
        assert set(clf.predict(X)) <= set(labels.tolist())
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_multiclass_learns_a_real_signal():
    rng = np.random.default_rng(1)
    y = np.repeat(np.array(["a", "b", "c"]), 30)
    X = rng.normal(size=(90, 2, 16)).astype(np.float32)
    X[:, 0] += np.select([y == "a", y == "b"], [-2.0, 0.0], 2.0)[:, None]
    clf = SeqPoolClassifier(random_state=0, **{**FAST, "max_epochs": 20}).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_reproducibility_pair():
    X, y = _data()
    a = SeqPoolClassifier(random_state=3, dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    b = SeqPoolClassifier(random_state=3, dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    c = SeqPoolClassifier(random_state=4, dropout=0.2, **FAST).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_leaves_the_global_torch_rng_alone():
    X, y = _data()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    SeqPoolClassifier(random_state=0, **FAST).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_set_params_then_fit_equals_a_fresh_estimator():
    X, y = _data()
    est = SeqPoolClassifier(random_state=0, **FAST).fit(X, y)
    est.set_params(order="decode_first", pool="max")
    fresh = SeqPoolClassifier(random_state=0, order="decode_first", pool="max", **FAST)
    np.testing.assert_array_equal(est.fit(X, y).predict_proba(X), fresh.fit(X, y).predict_proba(X))
    assert est.module_.head.order == "decode_first"


def test_pickle_round_trip_gives_identical_probabilities():
    X, y = _data()
    clf = SeqPoolClassifier(random_state=0, **FAST).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_clone_is_unfitted_and_keeps_routed_params():
    X, y = _data()
    clf = SeqPoolClassifier(random_state=0, optimizer__weight_decay=0.01, **FAST).fit(X, y)
    twin = clone(clf)
    assert not hasattr(twin, "net_")
    assert twin.get_params()["optimizer__weight_decay"] == 0.01


def test_skorch_routing_reaches_the_net_and_user_module_args_win():
    X, y = _data()
    clf = SeqPoolClassifier(
        random_state=0, module__hidden_size=5, optimizer__weight_decay=0.1, **FAST
    ).fit(X, y)
    assert clf.module_.head.decoder.out_features == 5  # user-given module__ wins
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 0.1
    assert len(clf.history_) == FAST["max_epochs"] and clf.n_iter_ == FAST["max_epochs"]


def test_unknown_parameter_gets_a_hint():
    with pytest.raises(ValueError, match="Did you mean 'order'"):
        SeqPoolClassifier().set_params(ordr="pool_first")


def test_unknown_constructor_keyword_fails_at_fit_with_a_hint():
    X, y = _data()
    with pytest.raises(ValueError, match="Unknown parameter 'modul__x'.*Did you mean 'module__x'"):
        SeqPoolClassifier(modul__x=1, **FAST).fit(X, y)


def test_callbacks_are_called_and_not_mutated():
    class Count(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    X, y = _data()
    cb = Count()
    clf = SeqPoolClassifier(random_state=0, callbacks=[cb], **FAST).fit(X, y)
    assert cb.epochs == 0  # the user's object is copied, not trained on
    used = dict(clf.net_.callbacks_)
    assert any(isinstance(c, Count) and c.epochs == FAST["max_epochs"] for c in used.values())


def test_early_stopping_with_patience_stops_and_keeps_a_validation_record():
    X, y = _data(n=80)
    clf = SeqPoolClassifier(
        random_state=0, patience=2, **{**FAST, "max_epochs": 60, "lr": 0.05}
    ).fit(X, y)
    assert "valid_loss" in clf.history_[-1]
    assert clf.n_iter_ < 60


def test_input_types_lists_dataframes_ints_and_2d():
    X, y = _data(c=1)
    X2 = X[:, 0, :]
    clf = SeqPoolClassifier(random_state=0, **FAST)
    ref = clf.fit(X2, y).predict_proba(X2)
    assert clf.n_features_in_ == X2.shape[1] and clf.n_channels_in_ == 1
    np.testing.assert_allclose(clf.fit(X2.tolist(), y).predict_proba(X2.tolist()), ref)
    df = pd.DataFrame(X2, columns=[f"t{i}" for i in range(X2.shape[1])])
    clf.fit(df, y)
    assert list(clf.feature_names_in_) == list(df.columns)
    np.testing.assert_allclose(clf.predict_proba(df), ref, atol=1e-6)
    Xi = (X2 * 10).astype(np.int64)
    assert clf.fit(Xi, y).predict(Xi).shape == (len(y),)


def test_caller_arrays_are_not_mutated():
    X, y = _data()
    X[0, :, -3:] = np.nan
    X_copy, y_copy = X.copy(), y.copy()
    clf = SeqPoolClassifier(random_state=0, **FAST).fit(X, y)
    clf.predict(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_predict_errors_name_both_counts():
    X, y = _data()
    clf = SeqPoolClassifier(random_state=0, **FAST).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 2 channels, but SeqPoolClassifier was fitted with 3 channels"
    ):
        clf.predict(X[:, :2])
    windowed = SeqPoolClassifier(window=5, random_state=0, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="Pad the series with NaN or truncate"):
        windowed.predict(X[:, :, :12])
    # NaN padding up to the fitted length is the documented fix
    padded = np.concatenate([X[:, :, :12], np.full((len(X), 3, 8), np.nan, np.float32)], axis=2)
    assert windowed.predict(padded).shape == (len(X),)


def test_2d_input_follows_sklearns_feature_contract():
    X, y = _data(c=1)
    clf = SeqPoolClassifier(random_state=0, **FAST).fit(X[:, 0], y)
    with pytest.raises(
        ValueError, match="X has 12 features, but SeqPoolClassifier is expecting 20 features"
    ):
        clf.predict(X[:, 0, :12])
    # the message says how to predict on other lengths, and that works
    with pytest.raises(ValueError, match=re.escape("pass 3D input of one channel, X[:, None, :]")):
        clf.predict(X[:, 0, :12])
    assert clf.predict(X[:, 0, :12][:, None, :]).shape == (len(X),)
    # a windowed head needs fit's frame count: no such advice
    windowed = SeqPoolClassifier(random_state=0, window=5, **FAST).fit(X[:, 0], y)
    with pytest.raises(ValueError, match="expecting 20 features as input.$"):
        windowed.predict(X[:, 0, :12])


def test_skops_files_of_models_fitted_on_any_column_labels_trust_the_estimator_alone(tmp_path):
    # dates with a time zone made the file unloadable, periods asked to trust pandas types
    sio = pytest.importorskip("skops.io")
    X, y = _data(c=1)
    trusted = ["seqpool_sklearn._estimators.SeqPoolClassifier"]
    for labels in (
        pd.date_range("2020-01-01", periods=20, freq="D", tz="UTC"),
        pd.period_range("2020-01", periods=20, freq="M"),
        pd.timedelta_range(0, periods=20, freq="s"),
        [f"t{i}" for i in range(20)],
    ):
        df = pd.DataFrame(X[:, 0], columns=labels)
        clf = SeqPoolClassifier(random_state=0, **FAST).fit(df, y)
        sio.dump(clf, tmp_path / "m.skops")
        assert sio.get_untrusted_types(file=tmp_path / "m.skops") == trusted
        loaded = sio.load(tmp_path / "m.skops", trusted=trusted)
        np.testing.assert_array_equal(loaded.predict_proba(df), clf.predict_proba(df))


@pytest.mark.parametrize(
    "labels", [list(range(20)), pd.date_range("2024-01-01", periods=20), np.arange(20) * 0.5]
)
def test_a_dataframe_of_fits_unnamed_labels_in_another_order_is_refused(labels, tmp_path):
    # scikit-learn checks string column names only; integer (pivot), date or float time
    # labels in another order were read by position: time steps silently reversed
    X, y = _data(c=1)
    df = pd.DataFrame(X[:, 0], columns=labels)
    clf = SeqPoolClassifier(random_state=0, **FAST).fit(df, y)
    reordered = df[df.columns[::-1]]
    with pytest.raises(ValueError, match="The columns of X differ from those seen in fit: "
                       "column 0 is .*, in fit it was .*X.reindex"):  # fmt: skip
        clf.predict(reordered)
    np.testing.assert_array_equal(clf.predict_proba(df), clf.predict_proba(X[:, 0]))
    # labels of another period are read by position, as arrays are
    clf.predict(df.set_axis(range(100, 120), axis=1))
    # the check survives pickling and a skops file
    copies = [pickle.loads(pickle.dumps(clf))]
    sio = pytest.importorskip("skops.io")
    sio.dump(clf, tmp_path / "m.skops")
    trusted = ["seqpool_sklearn._estimators.SeqPoolClassifier"]
    assert sio.get_untrusted_types(file=tmp_path / "m.skops") == trusted
    copies.append(sio.load(tmp_path / "m.skops", trusted=trusted))
    for copy in copies:
        with pytest.raises(ValueError, match="differ from those seen in fit"):
            copy.predict(reordered)
        np.testing.assert_array_equal(copy.predict_proba(df), clf.predict_proba(df))
    # a refit on 3D input forgets the columns
    clf.fit(X, y)
    clf.predict(X)


def test_regressor_1d_and_2d_targets():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2, 10)).astype(np.float32)
    y1 = 100.0 + 5.0 * X[:, 0].mean(axis=1)
    y2 = np.stack([y1, -3.0 * X[:, 1].mean(axis=1)], axis=1)
    kw = {**FAST, "max_epochs": 40, "lr": 0.02}
    reg = SeqPoolRegressor(encoder=None, activation=None, random_state=0, **kw)
    pred1 = reg.fit(X, y1).predict(X)
    assert pred1.shape == (64,) and reg.n_outputs_ == 1
    assert reg.score(X, y1) > 0.8  # raw units (mean 100) work: targets are standardised
    pred2 = reg.fit(X, y2).predict(X)
    assert pred2.shape == (64, 2) and reg.n_outputs_ == 2
    assert reg.score(X, y2) > 0.8


def test_works_inside_a_pipeline_and_cross_validation():
    X, y = _data(c=1)
    pipe = make_pipeline(
        FunctionTransformer(lambda a: a * 2.0), SeqPoolClassifier(random_state=0, **FAST)
    )
    scores = cross_val_score(pipe, X[:, 0], y, cv=2)
    assert scores.shape == (2,)


def test_warm_start_continues_training():
    X, y = _data()
    clf = SeqPoolClassifier(warm_start=True, random_state=0, **FAST).fit(X, y)
    first = clf.module_
    clf.fit(X, y)
    assert clf.module_ is first
    assert len(clf.history_) == 2 * FAST["max_epochs"]
    cold = SeqPoolClassifier(warm_start=False, random_state=0, **FAST).fit(X, y)
    cold_first = cold.module_
    cold.fit(X, y)
    assert cold.module_ is not cold_first and len(cold.history_) == FAST["max_epochs"]


def test_device_cuda_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    X, y = _data()
    with pytest.raises(ValueError, match="CUDA is not available"):
        SeqPoolClassifier(device="cuda", **FAST).fit(X, y)
    clf = SeqPoolClassifier(device="auto", random_state=0, **FAST).fit(X, y)
    assert clf.net_.device == "cpu"


def test_hidden_size_none_is_64_or_128_for_many_classes():
    X, _ = _data()
    n = len(X)
    for k, width in ((2, 64), (6, 64), (7, 128), (9, 128)):
        clf = SeqPoolClassifier(encoder=None, random_state=0, **{**FAST, "hidden_size": None})
        clf.fit(X, np.arange(n) % k)
        assert clf.hidden_size_ == width == clf.module_.head.decoder.out_features
        assert clf.get_params()["hidden_size"] is None  # the parameter is left as given
    reg = SeqPoolRegressor(encoder=None, random_state=0, **{**FAST, "hidden_size": None})
    assert reg.fit(X, np.arange(n, dtype=float)).hidden_size_ == 64
    # a width given is the width built, whatever the classes
    clf = SeqPoolClassifier(encoder=None, random_state=0, **FAST).fit(X, np.arange(n) % 7)
    assert clf.hidden_size_ == 8 == clf.module_.head.decoder.out_features
    assert SeqPoolClassifier().hidden_size is None and SeqPoolRegressor().hidden_size is None


@pytest.mark.parametrize("encoder", ["conv", "gru"])
def test_numpy_scalars_from_a_grid_build_the_same_network(encoder):
    # np.arange / np.array grids give numpy scalars, which torch's layers refuse
    X, y = _data()
    kw = {**FAST, "max_epochs": 1, "random_state": 0}
    del kw["encoder_channels"]
    grid = {"encoder_channels": np.array([4, 6]), "bidirectional": np.array([False, True])}
    est = SeqPoolClassifier(encoder=encoder, **kw)
    GridSearchCV(est, grid, cv=2, error_score="raise").fit(X, y)
    numpy_typed = {"encoder_channels": np.int32(4), "bidirectional": np.bool_(False)}
    a = SeqPoolClassifier(encoder=encoder, **{**kw, **numpy_typed}).fit(X, y)
    b = SeqPoolClassifier(encoder=encoder, **kw, encoder_channels=4, bidirectional=False).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_a_users_encoder_may_give_its_width_as_a_numpy_integer():
    from seqpool_sklearn import Encoder

    class NumpyWidth(Encoder):
        def __init__(self, n_channels, n_timesteps, width=None):
            super().__init__(n_channels, n_timesteps, width)
            self.out_channels = np.int64(5)
            self.conv = torch.nn.Conv1d(n_channels, 5, 3, padding=1)

        def forward(self, x, mask):
            return self.conv(x) * mask.unsqueeze(1).to(x.dtype)

    X, y = _data()
    clf = SeqPoolClassifier(encoder=NumpyWidth, **{**FAST, "max_epochs": 1}).fit(X, y)
    assert clf.module_.encoder.out_channels == 5 and type(clf.module_.encoder.out_channels) is int
