"""Row-preserving sequence transformers: sklearn contract, NaN padding, 2D/3D behaviour."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from seqpool_sklearn import PadTruncate, Resampler, SeriesScaler, WideToSequences, long_to_sequences

ESTIMATORS = [
    SeriesScaler(),
    SeriesScaler(method="minmax", feature_range=(-1.0, 1.0)),
    PadTruncate(),
    PadTruncate(length=3, padding="pre", truncating="pre"),
    Resampler(),
    Resampler(length=7),
    WideToSequences(),
    WideToSequences(n_channels=1),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# scikit-learn runs these only in its own test suite, not in parametrize_with_checks.
EXTRA_CHECKS = [
    "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
    "check_dataframe_column_names_consistency",
    "check_param_validation",
]
SET_OUTPUT_CHECKS = [
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
]


# The set_output checks fit on arrays and transform DataFrames (and the reverse) on purpose.
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.filterwarnings("ignore:X has feature names, but")
@pytest.mark.parametrize(
    "estimator, check",
    [
        (estimator, check)
        for estimator in ESTIMATORS
        for check in EXTRA_CHECKS + SET_OUTPUT_CHECKS
        # WideToSequences' output is always 3D, which no DataFrame holds: its set_output
        # behaviour has its own test below
        if not (check in SET_OUTPUT_CHECKS and isinstance(estimator, WideToSequences))
    ],
    ids=repr,
)
def test_feature_names_set_output_and_param_checks(estimator, check):
    getattr(estimator_checks, check)(type(estimator).__name__, estimator)


def ragged(n=6, channels=2, T=9, seed=0, interior_nan=True):
    """NaN-padded 3D data with unequal lengths (and some missing values inside)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, channels, T)) * 3 + 1
    for i in range(n):
        X[i, :, T - i % 4 :] = np.nan
    if interior_nan:
        X[1, 0, 2] = np.nan
    return X


# --------------------------------------------------------------------------- SeriesScaler
def test_zscore_per_sample_and_channel_ignores_padding():
    X = ragged()
    Xt = SeriesScaler().fit_transform(X)
    assert np.array_equal(np.isnan(Xt), np.isnan(X))
    for i in range(X.shape[0]):
        for c in range(X.shape[1]):
            obs = X[i, c][~np.isnan(X[i, c])]
            expected = (obs - obs.mean()) / obs.std()
            np.testing.assert_allclose(Xt[i, c][~np.isnan(X[i, c])], expected, rtol=1e-12)


def test_minmax_feature_range_and_constant_series():
    X = np.array([[[1.0, 3.0, np.nan], [5.0, 5.0, 5.0]]])
    Xt = SeriesScaler(method="minmax", feature_range=(-1.0, 1.0)).fit_transform(X)
    np.testing.assert_array_equal(Xt, [[[-1.0, 1.0, np.nan], [-1.0, -1.0, -1.0]]])
    np.testing.assert_array_equal(SeriesScaler().fit_transform(X)[0, 1], [0.0, 0.0, 0.0])


def test_all_nan_channel_stays_nan_without_warnings():
    X = np.array([[[np.nan, np.nan], [1.0, 2.0]]])
    with np.errstate(all="raise"):
        for method in ("zscore", "minmax"):
            Xt = SeriesScaler(method=method).fit_transform(X)
            assert np.isnan(Xt[0, 0]).all() and not np.isnan(Xt[0, 1]).any()


def test_bad_feature_range():
    with pytest.raises(ValueError, match="feature_range must be"):
        SeriesScaler(method="minmax", feature_range=(1.0, 0.0)).fit(np.ones((2, 3)))


@pytest.mark.parametrize(
    "feature_range",
    [("a", "b"), (0.0, np.nan), (0.0, np.inf), (np.zeros(2), 1.0), (0.0,), (-1e308, 1e308)],
    ids=["strings", "nan", "inf", "array", "one value", "width overflows"],
)
def test_feature_range_is_checked_in_fit(feature_range):
    # ("a", "b") once passed fit and failed only at transform, inside numpy.
    with pytest.raises(ValueError, match=r"feature_range must be a tuple \(min, max\) of finite"):
        SeriesScaler(method="minmax", feature_range=feature_range).fit(np.ones((2, 3)))
    fitted = SeriesScaler(method="minmax").fit(np.ones((2, 3)))
    fitted.set_params(feature_range=feature_range)  # changed after fit: transform checks too
    with pytest.raises(ValueError, match="feature_range must be"):
        fitted.transform(np.ones((2, 3)))


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300])
def test_scaling_is_exact_for_huge_and_tiny_values(scale):
    # z-scoring +-1e200 once overflowed in the variance and silently returned zeros.
    X = np.array([[1.0, -1.0, 0.0, np.nan], [3.0, 1.0, 1.0, 3.0]]) * scale
    with np.errstate(all="raise"):
        z = SeriesScaler().fit_transform(X)
        m = SeriesScaler(method="minmax").fit_transform(X)
    np.testing.assert_allclose(z[0, :3], [np.sqrt(1.5), -np.sqrt(1.5), 0.0], atol=1e-12)
    np.testing.assert_allclose(z[1], [1.0, -1.0, -1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(m[0, :3], [1.0, 0.0, 0.5], rtol=1e-12)
    assert np.isnan(z[0, 3]) and np.isnan(m[0, 3])


def test_minmax_range_beyond_float32_is_an_error():
    X = np.array([[0.0, 1.0]], dtype=np.float32)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        SeriesScaler(method="minmax", feature_range=(0.0, 1e300)).fit_transform(X)


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(), Resampler()], ids=repr)
def test_text_and_ragged_input_are_named(est):
    name = type(est).__name__
    with pytest.raises(
        ValueError,
        match=rf"X must contain numbers .* {name} got 'a' of type "
        r"str at sample 0, step 1",
    ):
        clone(est).fit([[1.0, "a"]])
    with pytest.raises(ValueError, match=r"got 'b' of type str at sample 0, step 0"):
        clone(est).fit(np.array([["b", "c"]]))
    with pytest.raises(ValueError, match=r"X is ragged: .*Pad the shorter series with NaN"):
        clone(est).fit([[1.0, 2.0], [1.0]])
    with pytest.raises(ValueError, match="X is ragged"):
        clone(est).fit([[[1.0, 2.0]], [[1.0]]])
    with pytest.raises(ValueError, match="X is ragged"):
        clone(est).fit([[1.0, 2.0]]).transform([[1.0, 2.0], [1.0]])
    # numbers written as text are numbers
    out = clone(est).fit_transform(np.array([["1", "2", "3"]]))
    assert out.shape[0] == 1 and out.dtype == np.float64


# --------------------------------------------------------------------------- PadTruncate
def reference_pad_truncate(X, L, padding, truncating):
    out = np.full(X.shape[:2] + (L,), np.nan)
    for i, sample in enumerate(X):
        steps = np.flatnonzero(~np.isnan(sample).all(axis=0))
        obs = sample[:, steps[0] : steps[-1] + 1] if len(steps) else sample[:, :0]
        obs = obs[:, :L] if truncating == "post" else obs[:, max(obs.shape[1] - L, 0) :]
        k = obs.shape[1]
        if padding == "post":
            out[i, :, :k] = obs
        else:
            out[i, :, L - k :] = obs
    return out


@pytest.mark.parametrize("padding", ["post", "pre"])
@pytest.mark.parametrize("truncating", ["post", "pre"])
@pytest.mark.parametrize("length", [1, 4, 12])
def test_pad_truncate_matches_reference(padding, truncating, length):
    X = ragged()
    X[2, :, :2] = np.nan  # leading padding too
    Xt = PadTruncate(length=length, padding=padding, truncating=truncating).fit_transform(X)
    np.testing.assert_array_equal(Xt, reference_pad_truncate(X, length, padding, truncating))


def test_pad_truncate_default_length_is_learned_in_fit():
    X = ragged()  # longest observed series: 9 steps
    pt = PadTruncate().fit(X[1:4])  # longest there: 8 steps
    assert pt.length_ == 8
    assert pt.transform(X).shape == (6, 2, 8)
    longer = np.concatenate([X, np.ones((6, 2, 5))], axis=2)  # 3D: other lengths are fine
    assert pt.transform(longer).shape == (6, 2, 8)


# --------------------------------------------------------------------------- Resampler
def reference_resample(X, L):
    out = np.full(X.shape[:2] + (L,), np.nan)
    for i, sample in enumerate(X):
        steps = np.flatnonzero(~np.isnan(sample).all(axis=0))
        if not len(steps):
            continue
        first, n = steps[0], steps[-1] - steps[0] + 1
        grid = np.linspace(0, n - 1, L)
        for c, row in enumerate(sample[:, first : first + n]):
            ok = ~np.isnan(row)
            if ok.any():
                out[i, c] = np.interp(grid, np.flatnonzero(ok), row[ok])
    return out


@pytest.mark.parametrize("length", [1, 2, 5, 20])
def test_resampler_matches_np_interp(length):
    X = ragged(n=8)
    X[3, 1] = np.nan  # a channel with nothing observed
    X[4, :, :3] = np.nan
    Xt = Resampler(length=length).fit_transform(X)
    np.testing.assert_allclose(Xt, reference_resample(X, length), rtol=1e-12, atol=1e-12)


def test_resampler_same_length_is_identity_and_keeps_dtype():
    X = np.random.default_rng(0).normal(size=(4, 3, 10)).astype(np.float32)
    Xt = Resampler(length=10).fit_transform(X)
    assert Xt.dtype == np.float32
    np.testing.assert_array_equal(Xt, X)


def test_resampler_length_one_and_empty_sample():
    X = np.array([[[2.0, 4.0, 6.0]], [[np.nan, np.nan, np.nan]]])
    np.testing.assert_array_equal(Resampler(length=1).fit_transform(X), [[[2.0]], [[np.nan]]])


# --------------------------------------------------------------------------- dims, errors
@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(length=5), Resampler(length=5)])
def test_2d_in_2d_out_3d_in_3d_out(est):
    X3 = ragged()
    X2 = X3[:, 0, :]
    out2 = clone(est).fit_transform(X2)
    out3 = clone(est).fit_transform(X3[:, :1, :])
    assert out2.ndim == 2 and out3.ndim == 3
    np.testing.assert_array_equal(out2, out3[:, 0, :])  # 2D is univariate 3D


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(), Resampler()])
def test_layout_and_channel_mismatch_errors(est):
    fitted = clone(est).fit(ragged(channels=3))
    with pytest.raises(
        ValueError, match=f"X has 2 channels, but {type(est).__name__} was fitted with 3 channels."
    ):
        fitted.transform(ragged(channels=2))
    with pytest.raises(ValueError, match="X is 2D, but .* was fitted on 3D input"):
        fitted.transform(ragged()[:, 0, :])
    with pytest.raises(ValueError, match="got 4 dimensions"):
        fitted.transform(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="0 time steps"):
        clone(est).fit(np.zeros((2, 3, 0)))


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(length=2), Resampler(length=2)])
def test_reordered_non_string_columns_are_refused(est):
    # scikit-learn checks string column names only; pivot() gives integers
    train = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 0.0, 5.0]], columns=[0, 1, 2, 3])
    fitted = clone(est).fit(train)
    np.testing.assert_array_equal(
        fitted.transform(train), clone(est).fit_transform(train.to_numpy())
    )
    with pytest.raises(ValueError, match=re.escape(
        "The columns of X differ from those seen in fit: column 0 is 3, in fit it was 0"
    )):  # fmt: skip
        fitted.transform(train[[3, 2, 1, 0]])
    fitted.transform(train.to_numpy())  # arrays are read by position, as fitted
    # a refit on an array forgets the columns
    clone(est).fit(train).fit(train.to_numpy()).transform(train[[3, 2, 1, 0]])


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(length=3), Resampler(length=3)])
def test_other_non_string_column_labels_are_read_by_position(est):
    # a table pivoted by date for another period, float times with rounding error: the
    # labels are not fit's, so there is no order to restore; read by position, as arrays
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(4, 4)), rng.normal(size=(3, 4))
    expected = clone(est).fit(train).transform(test)
    cases = [
        (pd.date_range("2024-01-01", periods=4), pd.date_range("2024-02-01", periods=4)),
        ([0.0, 0.1, 0.2, 0.3], list(np.cumsum([0.0, 0.1, 0.1, 0.1]))),  # 0.30000000000000004
        ([0, 1, 2, 3], [0, 1, 2, 4]),  # some labels shared, but not the same set
    ]
    for fit_cols, new_cols in cases:
        fitted = clone(est).fit(pd.DataFrame(train, columns=fit_cols))
        got = fitted.transform(pd.DataFrame(test, columns=new_cols))
        np.testing.assert_array_equal(got, expected)
        # fit's dates in another order are still refused, and reindexing them is right
        shuffled = pd.DataFrame(test, columns=fit_cols).iloc[:, [1, 0, 2, 3]]
        with pytest.raises(ValueError, match=r"column 0 is .*, in fit it was .*Put them in "
                           r"fit's order, e.g. X\.reindex"):  # fmt: skip
            fitted.transform(shuffled)
        restored = fitted.transform(shuffled.reindex(columns=pd.Index(fit_cols)))
        np.testing.assert_array_equal(restored, expected)


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(), Resampler()])
def test_2d_input_of_another_width_says_to_pass_3d(est):
    fitted = clone(est).fit(np.zeros((4, 6)))
    with pytest.raises(ValueError, match=re.escape(
        f"X has 8 features, but {type(est).__name__} is expecting 6 features as input. 2D "
        "input (n_samples, n_timesteps) keeps the number of time steps seen in fit. For "
        "series of other lengths, fit and transform 3D input of one channel, X[:, None, :]."
    )):  # fmt: skip
        fitted.transform(np.zeros((2, 8)))
    # the advice works
    out = clone(est).fit(np.ones((4, 6))[:, None, :]).transform(np.ones((2, 8))[:, None, :])
    assert out.shape[:2] == (2, 1)
    for cls in (PadTruncate, Resampler):
        assert "X[:, None, :]" in cls.__doc__


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(), Resampler()])
def test_channels_last_3d_input_gives_the_estimators_layout_warning(est):
    from seqpool_sklearn import LayoutWarning

    X = np.random.default_rng(0).normal(size=(5, 100, 3))
    with pytest.warns(LayoutWarning, match=re.escape(
        f"X has shape (5, 100, 3): 100 channels of 3 time steps. {type(est).__name__} reads "
        "(n_samples, n_channels, n_timesteps)"
    )) as caught:  # fmt: skip
        fitted = clone(est).fit(X)
    assert caught[0].filename == __file__  # points at the caller's fit
    # ... also when reached through fit_transform or a Pipeline (it pointed into
    # scikit-learn's and joblib's code there)
    from seqpool_sklearn import SeqPoolClassifier

    with pytest.warns(LayoutWarning) as caught:
        clone(est).fit_transform(X)
    assert [w.filename for w in caught] == [__file__]
    pipe = make_pipeline(clone(est), SeqPoolClassifier(encoder=None, max_epochs=1, hidden_size=4))
    with pytest.warns(LayoutWarning) as caught:
        pipe.fit(X, np.arange(5) % 2)
    assert {w.filename for w in caught if w.category is LayoutWarning} == {__file__}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # channels first, and transform: no warning
        fitted.transform(X)
        clone(est).fit(X.transpose(0, 2, 1))


@pytest.mark.parametrize("est", [SeriesScaler(), PadTruncate(), Resampler(), WideToSequences()])
def test_inf_is_an_error_naming_the_position(est):
    X = np.zeros((3, 4))
    X[2, 1] = -np.inf
    with pytest.raises(
        ValueError, match=r"X contains ±inf \(first at (sample 2, step 1|column 1, row 2)\)"
    ):
        clone(est).fit(X)


def test_input_is_never_modified():
    X = ragged()
    before = X.copy()
    for est in (SeriesScaler(), SeriesScaler(method="minmax"), PadTruncate(3), Resampler(4)):
        est.fit_transform(X)
    np.testing.assert_array_equal(X, before)


def test_set_output_pandas_for_2d_and_numpy_for_3d():
    df = pd.DataFrame(ragged()[:, 0, :], columns=[f"t{j}" for j in range(9)], index=list("abcdef"))
    out = SeriesScaler().set_output(transform="pandas").fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == df.columns.tolist() and out.index.tolist() == list("abcdef")
    out = Resampler(length=3).set_output(transform="pandas").fit_transform(df)
    assert out.columns.tolist() == ["resampler0", "resampler1", "resampler2"]
    with config_context(transform_output="pandas"):
        X3 = SeriesScaler().fit_transform(ragged())
    assert isinstance(X3, np.ndarray) and X3.ndim == 3
    with pytest.raises(ValueError, match="transform must be"):
        SeriesScaler().set_output(transform="xarray")


def test_feature_names_3d_are_channels():
    est = PadTruncate(length=4).fit(ragged(channels=3))
    assert est.get_feature_names_out().tolist() == ["x0", "x1", "x2"]


# --------------------------------------------------------------------------- WideToSequences
def wide_frame(n=5, T=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3, T))
    columns = [f"acc_{axis}_{t}" for axis in "xyz" for t in range(T)]
    return X, pd.DataFrame(X.reshape(n, -1), columns=columns)


def test_wide_pattern_sorts_time_numerically():
    X, df = wide_frame()
    steps = np.random.default_rng(1).permutation(12)  # acc_x_10 before acc_x_2, ...
    shuffled = df[[f"acc_{axis}_{t}" for axis in "xyz" for t in steps]]
    wide = WideToSequences(pattern=r"(?P<channel>acc_\w)_(?P<time>\d+)")
    np.testing.assert_array_equal(wide.fit_transform(shuffled), X)
    assert wide.get_feature_names_out().tolist() == ["acc_x", "acc_y", "acc_z"]
    assert wide.times_.tolist() == list(range(12))
    # channels keep the order of their first appearance
    zxy = df[[f"acc_{axis}_{t}" for axis in "zxy" for t in range(12)]]
    np.testing.assert_array_equal(wide.fit_transform(zxy), X[:, [2, 0, 1]])
    assert wide.get_feature_names_out().tolist() == ["acc_z", "acc_x", "acc_y"]


def test_wide_multiindex_columns_and_missing_cells():
    X, df = wide_frame(T=4)
    df.columns = pd.MultiIndex.from_tuples(
        [(c.rsplit("_", 1)[0], int(c.rsplit("_", 1)[1])) for c in df.columns]
    )
    df = df.drop(columns=[("acc_y", 2)])
    out = WideToSequences().fit_transform(df)
    expected = X.copy()
    expected[:, 1, 2] = np.nan  # a channel lacking a time the others have
    np.testing.assert_array_equal(out, expected)
    wide = WideToSequences().fit(df)
    with pytest.raises(ValueError, match="columns of X differ from those seen in fit"):
        wide.transform(df[df.columns[::-1]])


def _time_channel_pivot(names=("time", "ch"), time=(0, 1)):
    long = pd.DataFrame({"id": [1] * 4 + [2] * 4, "time": list(time) * 4,
                         "ch": ["x", "x", "y", "y"] * 2,
                         "v": [1.0, 2, 10, 20, 3, 4, 30, 40]})  # fmt: skip
    wide = long.pivot(index="id", columns=["time", "ch"], values="v")
    return long, wide.rename_axis(columns=list(names))


@pytest.mark.parametrize(
    "names, time",
    [(("time", "ch"), (0, 1)), (("t", None), (0, 1)), ((None, "channel"), (0, 1)),
     ((None, None), pd.to_datetime(["2020-01-01", "2020-01-02"])),
     (("Timestamp", "kind"), pd.to_timedelta([0, 1], unit="s"))],
)  # fmt: skip
def test_wide_multiindex_of_time_then_channel_is_refused(names, time):
    long, wide = _time_channel_pivot(names, time)
    with pytest.raises(ValueError, match=re.escape("(time, channel)") + ".*" +
                       re.escape("pass X.swaplevel(0, 1, axis=1)")):  # fmt: skip
        WideToSequences().fit(wide)
    # the advice works, and (channel, time) pivots are read as before
    swapped = WideToSequences().fit_transform(wide.swaplevel(0, 1, axis=1).sort_index(axis=1))
    direct = WideToSequences().fit_transform(
        long.pivot(index="id", columns=["ch", "time"], values="v")
    )
    np.testing.assert_array_equal(swapped, direct)
    np.testing.assert_array_equal(direct[0], [[1.0, 2.0], [10.0, 20.0]])


@pytest.mark.parametrize(
    "names", [(None, "ch"), ("date", None), ("time", "channel"), ("kind", "sensor")]
)
def test_wide_multiindex_values_of_channel_then_time_win_over_level_names(names):
    # text channels then number (or text number, or date) times: (channel, time), whatever
    # the levels are called
    for times in ([0, 1], ["0", "1"], pd.to_datetime(["2020-01-01", "2020-01-02"])):
        cols = pd.MultiIndex.from_product([["x", "y"], times], names=list(names))
        X = pd.DataFrame([[1.0, 2, 10, 20], [3, 4, 30, 40]], columns=cols)
        wide = WideToSequences().fit(X)
        assert wide.channels_.tolist() == ["x", "y"]
        np.testing.assert_array_equal(wide.transform(X)[0], [[1.0, 2.0], [10.0, 20.0]])


def test_wide_multiindex_level_names_decide_where_the_values_do_not():
    # numbers on both levels: level 0 named as a time is refused
    cols = pd.MultiIndex.from_product([[1, 2], [0, 1]], names=["date", None])
    with pytest.raises(ValueError, match=r"level 0 is named 'date'"):
        WideToSequences().fit(pd.DataFrame(np.zeros((2, 4)), columns=cols))
    WideToSequences().fit(pd.DataFrame(np.zeros((2, 4)), columns=cols.rename([None, "date"])))
    # the message's other way out, for a level 0 that really holds channels, works as said
    X = pd.DataFrame([[1.0, 2, 10, 20]], columns=cols)
    with pytest.raises(ValueError, match=re.escape("set_names(['channel', 'time'])")):
        WideToSequences().fit(X)
    X.columns = X.columns.set_names(["channel", "time"])
    np.testing.assert_array_equal(WideToSequences().fit_transform(X)[0], [[1, 2], [10, 20]])
    # the transposed pivot, (time, channel) by name and by values, is still refused
    _, wide = _time_channel_pivot(("time", "ch"))
    with pytest.raises(ValueError, match=re.escape("(time, channel) -- level 0 is named 'time'")):
        WideToSequences().fit(wide)


def test_wide_unnamed_multiindex_of_numbers_then_text_warns():
    from seqpool_sklearn import LayoutWarning

    _, wide = _time_channel_pivot((None, None))
    with pytest.warns(LayoutWarning, match=re.escape("pass X.swaplevel(0, 1, axis=1)")):
        WideToSequences().fit(wide)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # text channels, number times: no warning
        WideToSequences().fit(wide.swaplevel(0, 1, axis=1))
        # levels named otherwise say the layout is intended
        WideToSequences().fit(wide.rename_axis(columns=["sample_rate", "unit"]))


def test_wide_integer_columns_reordered_are_refused():
    # pivot() gives integer column names, which scikit-learn does not check
    wide = pd.DataFrame([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], columns=[0, 1, 2])
    t = WideToSequences().fit(wide)
    np.testing.assert_array_equal(t.transform(wide)[:, 0], wide.to_numpy())
    with pytest.raises(ValueError, match="column 0 is 2, in fit it was 0"):
        t.transform(wide[[2, 1, 0]])
    with pytest.raises(ValueError, match="X has 3 columns, fit had 2"):
        WideToSequences().fit(wide[[0, 1]]).transform(wide)
    # other labels are refused too (they say where each column goes), without the advice
    # to reindex, which would give columns of NaN
    for other in ([0, 1, 5], pd.date_range("2024-01-01", periods=3)):
        with pytest.raises(ValueError, match=r"column \d is .*, in fit it was .*\. "
                           r"WideToSequences read its layout from the columns seen in fit, so X "
                           r"needs those columns\.$"):  # fmt: skip
            t.transform(wide.set_axis(other, axis=1))


def test_wide_multiindex_text_times_sort_as_numbers():
    times = [0, 2, 10, 1]  # as text, "10" would sort before "2"
    df = pd.DataFrame([[0.0, 2.0, 10.0, 1.0]], columns=[("v", str(t)) for t in times])
    df.columns = pd.MultiIndex.from_tuples(df.columns)
    wide = WideToSequences().fit(df)
    assert wide.times_.tolist() == [0, 1, 2, 10]
    np.testing.assert_array_equal(wide.transform(df), [[[0.0, 1.0, 2.0, 10.0]]])


def test_wide_blocks_invert_reshape_and_dtype():
    X = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32)
    out = WideToSequences(n_channels=3).fit_transform(X.reshape(4, -1))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, X)
    with pytest.raises(ValueError, match="do not split into n_channels=4"):
        WideToSequences(n_channels=4).fit(X.reshape(4, -1))


def test_wide_bad_input():
    _, df = wide_frame(T=3)
    pattern = r"(?P<channel>acc_\w)_(?P<time>\d+)"
    with pytest.raises(ValueError, match=re.escape("Column 'label' does not match pattern")):
        WideToSequences(pattern=pattern).fit(df.assign(label=1.0))
    with pytest.raises(TypeError, match="Column 'acc_x_9' has dtype (str|object)"):
        WideToSequences(pattern=pattern).fit(df.assign(acc_x_9="a"))
    with pytest.raises(
        ValueError,
        match=re.escape("Columns 'acc_x_0' and 'acc_y_0' both map to (channel, time) = ('acc', 0)"),
    ):
        WideToSequences(pattern=r"(?P<channel>acc)_\w_(?P<time>\d+)").fit(df)
    with pytest.raises(ValueError, match="Column 'acc_x_t' has time part 't', which is not a"):
        WideToSequences(pattern=r"(?P<channel>acc_\w)_(?P<time>\w+)").fit(df.assign(acc_x_t=1.0))
    with pytest.raises(ValueError, match="named groups 'channel' and 'time'"):
        WideToSequences(pattern=r"(\w+)_(\d+)").fit(df)
    with pytest.raises(ValueError, match="pattern needs a DataFrame"):
        WideToSequences(pattern=pattern).fit(df.to_numpy())
    with pytest.raises(ValueError, match="already 3D"):
        WideToSequences().fit(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="Feature names seen at fit time"):
        WideToSequences(pattern=pattern).fit(df).transform(df.drop(columns="acc_x_0"))


def test_wide_invalid_pattern_ragged_and_text_input_are_named():
    _, df = wide_frame(T=3)
    with pytest.raises(
        ValueError,
        match=r"pattern '\(\?P<channel>' is not a valid regular "
        r"expression \(missing \), unterminated subpattern",
    ):
        WideToSequences(pattern="(?P<channel>").fit(df)
    with pytest.raises(ValueError, match=r"pattern '\[' is not a valid regular expression"):
        WideToSequences(pattern="[").fit(df)
    ragged_rows = [[1.0, 2.0], [3.0]]
    with pytest.raises(
        ValueError,
        match=r"X is ragged \(row 0 has 2 values, row 1 has 1\).*"
        r"one value per column",
    ):
        WideToSequences().fit(ragged_rows)
    fitted = WideToSequences().fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"X is ragged \(row 0 has 2 values, row 1 has 1\)"):
        fitted.transform(ragged_rows)
    with pytest.raises(
        ValueError,
        match=r"X must contain numbers .* got 'a' of type str at "
        r"row 0, column 1",
    ):
        WideToSequences().fit([[1.0, "a"]])


def test_wide_scale_pad_in_a_grid_search():
    """The row-preserving steps live inside Pipeline + GridSearchCV."""
    rng = np.random.default_rng(0)
    n, T = 60, 16
    y = rng.integers(0, 2, n)
    t = np.arange(T)
    X = np.stack([np.sin(t * (1 + y[i]) / 3) + rng.normal(0, 0.1, T) for i in range(n)])
    df = pd.DataFrame(X, columns=[f"v_{j}" for j in range(T)])
    pipe = make_pipeline(
        WideToSequences(pattern=r"(?P<channel>v)_(?P<time>\d+)"),
        SeriesScaler(),
        Resampler(length=8),
        FunctionTransformer(lambda Z: Z.reshape(len(Z), -1)),
        LogisticRegression(),
    )
    search = GridSearchCV(pipe, {"seriesscaler__method": ["zscore", "minmax"]}, cv=3)
    search.fit(df, y)
    assert search.best_score_ > 0.8


def test_a_pipeline_with_wide_to_sequences_takes_set_output():
    # Pipeline.set_output calls set_output on every step; the 3D output stays an array
    from sklearn.pipeline import make_pipeline

    wide = pd.DataFrame(
        np.random.default_rng(0).normal(size=(6, 8)),
        columns=[f"{c}_{t}" for c in ("a", "b") for t in range(4)],
    )
    pattern = r"(?P<channel>.+)_(?P<time>\d+)"
    pipe = make_pipeline(WideToSequences(pattern=pattern), SeriesScaler())
    out = pipe.set_output(transform="pandas").fit_transform(wide)
    assert isinstance(out, np.ndarray) and out.shape == (6, 2, 4)
    expected = SeriesScaler().fit_transform(WideToSequences(pattern=pattern).fit_transform(wide))
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="transform must be"):
        WideToSequences().set_output(transform="xarray")


def test_wide_categorical_time_level_keeps_its_order():
    # pivot on an ordered categorical gives a CategoricalIndex level: its steps were sorted
    # alphabetically (during, post, pre), without a word
    phase = pd.CategoricalDtype(["pre", "during", "post"], ordered=True)
    long = pd.DataFrame({"id": [1, 1, 1, 2, 2, 2], "sensor": ["hr"] * 6,
                         "phase": pd.Categorical(["post", "pre", "during"] * 2, dtype=phase),
                         "v": [3.0, 1.0, 2.0, 6.0, 4.0, 5.0]})  # fmt: skip
    wide = long.pivot(index="id", columns=["sensor", "phase"], values="v")
    assert isinstance(wide.columns.levels[1], pd.CategoricalIndex)
    fitted = WideToSequences().fit(wide)
    np.testing.assert_array_equal(fitted.transform(wide), [[[1.0, 2.0, 3.0]], [[4.0, 5.0, 6.0]]])
    assert list(fitted.times_) == ["pre", "during", "post"]
    np.testing.assert_array_equal(
        fitted.transform(wide),
        long_to_sequences(long, column_id="id", column_sort="phase", column_kind="sensor",
                          column_value="v").X,
    )  # fmt: skip
    unordered = long.assign(phase=long["phase"].cat.as_unordered())
    with pytest.raises(TypeError, match="time level 'phase' of the column MultiIndex is an "
                       "unordered categorical, so its steps have no order"):  # fmt: skip
        WideToSequences().fit(unordered.pivot(index="id", columns=["sensor", "phase"], values="v"))


def test_wide_multiindex_of_periods_then_channels_is_refused():
    # periods are time stamps: (month, channel) was read as three channels of two steps
    months = pd.period_range("2020-01", periods=3, freq="M")
    wide = pd.DataFrame([[1, 10, 2, 20, 3, 30]],
                        columns=pd.MultiIndex.from_product([months, ["hr", "temp"]]))  # fmt: skip
    with pytest.raises(ValueError, match=re.escape("(time, channel) -- level 0 is of time stamps")):
        WideToSequences().fit(wide)
    out = WideToSequences().fit_transform(wide.swaplevel(0, 1, axis=1))
    np.testing.assert_array_equal(out, [[[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]])


@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")
@pytest.mark.parametrize("est", [SeriesScaler(), WideToSequences()])
@pytest.mark.parametrize("fit_columns, transform_columns",
                         [(["0", "1", "2", "3"], [3, 2, 1, 0]),
                          ([0, 1, 2, 3], ["3", "2", "1", "0"])])  # fmt: skip
def test_the_same_steps_as_text_and_numbers_in_another_order_are_refused(
    est, fit_columns, transform_columns
):
    # a CSV header "0", "1", ... against the integers pivot gives: read by position with
    # scikit-learn's warning about feature names only
    values = np.arange(8.0).reshape(2, 4)
    fitted = clone(est).fit(pd.DataFrame(values, columns=fit_columns))
    with pytest.raises(ValueError, match="The columns of X differ from those seen in fit: column "
                       "0 is"):  # fmt: skip
        fitted.transform(pd.DataFrame(values[:, ::-1], columns=transform_columns))


def test_wide_input_type_is_checked_before_the_column_split():
    # sparse and complex tables were told first that their columns do not split into
    # n_channels blocks, and only after fixing that what was wrong with the input
    from scipy.sparse import csr_matrix

    wide = WideToSequences(n_channels=2)
    with pytest.raises(TypeError, match="Sparse data was passed"):
        wide.fit(csr_matrix(np.ones((4, 3))))
    with pytest.raises(ValueError, match="Complex data not supported"):
        wide.fit(np.ones((4, 3)) + 1j)
    with pytest.raises(
        TypeError, match="Column 'id' has dtype (object|str); a wide table needs numeric"
    ):
        WideToSequences(pattern=r"(?P<channel>\w)_(?P<time>\d+)").fit(
            pd.DataFrame({"id": ["s0", "s1"], "x_0": [1.0, 2.0]})
        )
    # a failed fit leaves the transformer as it was, fitted or not
    with pytest.raises(ValueError, match="do not split into n_channels=2"):
        wide.fit(np.ones((4, 3)))
    assert not hasattr(wide, "n_features_in_")
    wide.fit(np.arange(8.0).reshape(2, 4))
    with pytest.raises(ValueError, match="do not split into n_channels=2"):
        wide.fit(np.ones((4, 3)))
    assert wide.n_features_in_ == 4
    np.testing.assert_array_equal(wide.transform([[1.0, 2.0, 3.0, 4.0]]), [[[1, 2], [3, 4]]])


def test_wide_refuses_a_column_whose_channel_or_time_label_is_missing():
    # factorize codes a missing label -1, and the column overwrote the last step or channel
    phase = pd.CategoricalDtype(["pre", "during", "post"], ordered=True)
    times = pd.Categorical(["post", None, "during"], dtype=phase)
    cases = [
        (pd.MultiIndex.from_arrays([["hr"] * 3, times]), "Column ('hr', nan) has a missing time"),
        (pd.MultiIndex.from_arrays([["hr", "hr", "t", "t", None, None], [0, 1, 0, 1, 0, 1]]),
         "Column (nan, 0) has a missing channel"),
        (pd.MultiIndex.from_arrays([["hr", "hr"], [0.0, np.nan]]),
         "Column ('hr', nan) has a missing time"),
    ]  # fmt: skip
    for columns, message in cases:
        frame = pd.DataFrame([np.arange(len(columns), dtype=float)], columns=columns)
        with pytest.raises(ValueError, match=re.escape(message) + " label \\(NaN or None\\)"):
            WideToSequences().fit(frame)
