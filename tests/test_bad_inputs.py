"""Bad inputs get errors that say what was expected and what was got -- never a torch traceback.

Each case names the mistake, the exception type and a pattern that must appear in
the message; the pattern covers both halves (expected / got) where the message
has them. Every error must be raised outside torch.
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.utils._param_validation import InvalidParameterError

from seqpool_sklearn import (
    PadTruncate,
    SeqPoolClassifier,
    SeqPoolRegressor,
    SeriesScaler,
    WideToSequences,
    sequences_to_long,
)

TINY = {"encoder": None, "hidden_size": 4, "max_epochs": 1, "batch_size": 16, "random_state": 0}
N, C, T = 12, 2, 8


def _X():
    return np.random.default_rng(0).normal(size=(N, C, T)).astype(np.float32)


def _y():
    return np.array([0, 1] * (N // 2))


def _with(value, sample=3, channel=None, step=None):
    X = _X().astype(np.float64)
    X[
        sample, slice(None) if channel is None else channel, slice(None) if step is None else step
    ] = value
    return X


def _fit(X=None, y=None, cls=SeqPoolClassifier, **params):
    def run():
        cls(**{**TINY, **params}).fit(_X() if X is None else X, _y() if y is None else y)

    return run


def _predict(X, method="predict", **params):
    def run():
        est = SeqPoolClassifier(**{**TINY, **params}).fit(_X(), _y())
        getattr(est, method)(X)

    return run


def _bool_threads_at_predict(value=True):
    est = SeqPoolClassifier(**TINY).fit(_X(), _y())
    est.set_params(n_threads=value).predict(_X())


def _warm_fit_on_three_channels():
    est = SeqPoolClassifier(warm_start=True, **TINY).fit(_X(), _y())
    est.fit(np.concatenate([_X(), _X()[:, :1]], axis=1), _y())


def _y_none():
    SeqPoolClassifier(**TINY).fit(_X(), None)


def _columns_2d():
    est = SeqPoolClassifier(**TINY).fit(_X()[:, 0], _y())
    est.predict(_X()[:, 0, :5])


CASES = {
    # --- X: shape
    "1D X": (
        _fit(X=_X()[0, 0]),
        ValueError,
        r"expects X of shape \(n_samples, n_timesteps\) or .*; got a 1D array of shape \(8,\)",
    ),
    "scalar X": (_fit(X="abc"), ValueError, r"expects X of shape .*; got a scalar \('abc'\)"),
    "4D X": (
        _fit(X=_X()[..., None]),
        ValueError,
        r"expects X of shape .*; got an array with 4 dimensions and shape \(12, 2, 8, 1\)",
    ),
    "zero samples": (
        _fit(X=_X()[:0], y=_y()[:0]),
        ValueError,
        r"Found array with 0 sample\(s\) \(shape=\(0, 2, 8\)\) while a minimum of 1 is required",
    ),
    "zero time steps (3D)": (
        _fit(X=_X()[:, :, :0]),
        ValueError,
        r"X has 0 time steps \(shape \(12, 2, 0\)\); SeqPoolClassifier needs at least one",
    ),
    "zero time steps (2D)": (
        _fit(X=_X()[:, 0, :0]),
        ValueError,
        r"0 feature\(s\) \(shape=\(12, 0\)\).*the columns are the time steps",
    ),
    "zero channels": (
        _fit(X=_X()[:, :0]),
        ValueError,
        r"X has 0 channels \(shape \(12, 0, 8\)\); SeqPoolClassifier needs at least one channel",
    ),
    "ragged nested lists": (
        _fit(X=[[1.0, 2.0, 3.0], [1.0, 2.0]], y=[0, 1]),
        ValueError,
        r"X is ragged: .* different lengths, so they do not form an array of shape .*Pad the "
        r"shorter series with NaN",
    ),
    # --- X: values
    "all-NaN series": (
        _fit(X=_with(np.nan, sample=5)),
        ValueError,
        r"1 series in X have no observed time step \(all values are NaN; first: sample 5\), "
        r"but SeqPoolClassifier needs at least one observed step",
    ),
    "+inf": (
        _fit(X=_with(np.inf, sample=2, channel=1, step=6)),
        ValueError,
        r"X contains 1 infinite value \(first: \+inf at sample 2, channel 1, step 6\), but "
        r"SeqPoolClassifier expects finite numbers",
    ),
    "-inf in 2D X": (
        _fit(X=_with(-np.inf, sample=4, channel=0, step=3)[:, 0]),
        ValueError,
        r"X contains 1 infinite value \(first: -inf at sample 4, step 3\), but .* expects finite",
    ),
    "beyond float32": (
        _fit(X=_with(1e300, sample=1, channel=0, step=2)),
        ValueError,
        r"X contains values too large for float32 \(\|x\| > 3.4e38; first at sample 1, "
        r"channel 0, step 2\)",
    ),
    "complex": (
        _fit(X=_X() + 1j),
        ValueError,
        r"Complex data not supported: X has dtype complex64, but SeqPoolClassifier expects "
        r"real-valued",
    ),
    "strings": (
        _fit(X=np.where(_X() > 2, "high", "low")),
        ValueError,
        r"X must contain numbers .*, but SeqPoolClassifier got 'low' of type str at sample 0, "
        r"channel 0, step 0",
    ),
    "object with a dict": (
        _fit(X=np.array([[1.0, {"a": 1}]] * N, dtype=object)),
        TypeError,
        r"X must contain numbers .* got \{'a': 1\} of type dict at sample 0, step 1: float\(\) "
        r"argument must be a string or a real number",
    ),
    "DataFrame with a text column": (
        _fit(X=pd.DataFrame({"t0": np.arange(N, dtype=float), "t1": ["x"] * N})),
        ValueError,
        r"X must contain numbers .*, but column 't1' holds 'x' of type str at row 0",
    ),
    "sparse": (
        _fit(X=sp.csr_matrix(_X()[:, 0])),
        TypeError,
        r"Sparse data was passed for X, but dense data is required",
    ),
    # --- y
    "single class in y": (
        _fit(y=np.zeros(N, dtype=int)),
        ValueError,
        r"needs samples of at least 2 classes in y; got 1 class \(0\)",
    ),
    "NaN in y (classifier)": (
        _fit(y=np.r_[0.0, 1.0, np.nan, _y()[3:]]),
        ValueError,
        r"y contains 1 missing value \(NaN or None; first at index 2\), but SeqPoolClassifier "
        r"needs a label for every series",
    ),
    "None in string labels": (
        _fit(y=np.array(["a", "b", None] * (N // 3), dtype=object)),
        ValueError,
        r"y contains 4 missing values \(NaN or None; first at index 2\)",
    ),
    "NaN in y (regressor)": (
        _fit(y=np.r_[np.nan, np.ones(N - 1)], cls=SeqPoolRegressor),
        ValueError,
        r"y contains 1 missing value .*first at index 0.*SeqPoolRegressor needs a target",
    ),
    "inf in y (regressor)": (
        _fit(y=np.r_[np.ones(N - 1), np.inf], cls=SeqPoolRegressor),
        ValueError,
        r"y contains infinite values \(first at index 11\), but SeqPoolRegressor needs finite",
    ),
    "text targets for a regressor": (
        _fit(y=np.array(["low", "high"] * (N // 2)), cls=SeqPoolRegressor),
        ValueError,
        r"SeqPoolRegressor needs numeric targets, but y holds 'low' of type str at index 0",
    ),
    "len(y) != len(X)": (
        _fit(y=_y()[:-1]),
        ValueError,
        r"X has 12 series but y has 11 labels; SeqPoolClassifier needs exactly one per series",
    ),
    "y is None": (_y_none, ValueError, r"requires y to be passed, but the target y is None"),
    "text as sample weights": (
        lambda: SeqPoolClassifier(**TINY).fit(_X(), _y(), sample_weight=np.array(["a"] * N)),
        ValueError,
        r"SeqPoolClassifier needs numeric sample weights, but sample_weight holds 'a' of type "
        r"str at index 0",
    ),
    "labels of mixed types": (
        _fit(y=np.array(["a", 1] * (N // 2), dtype=object)),
        TypeError,
        r"y mixes labels of different types: 'a' \(str\) at index 0 and 1 \(int\) at index 1",
    ),
    "a list of labels of mixed types": (  # np.asarray would make strings of the numbers
        _fit(y=[0, 1] * (N // 2 - 1) + [0, "1"]),
        TypeError,
        r"y mixes labels of different types: 0 \(int\) at index 0 and '1' \(str\) at index 11",
    ),
    "labels of mixed types at score": (
        lambda: SeqPoolClassifier(**TINY).fit(_X(), _y()).score(_X(), ["a", 1] * (N // 2)),
        TypeError,
        r"y mixes labels of different types: 'a' \(str\) at index 0 and 1 \(int\)",
    ),
    "partial_fit's classes of mixed types": (
        lambda: SeqPoolClassifier(**TINY).partial_fit(_X(), _y(), classes=[0, "a", 1]),
        TypeError,
        r"classes mixes labels of different types: 0 \(int\) at index 0 and 'a' \(str\) at "
        r"index 1",
    ),
    "a Series whose cells are whole series": (
        lambda: SeqPoolClassifier(**TINY).fit(pd.Series([np.arange(8.0)] * N), _y()),
        ValueError,
        r"got a 1D array of shape \(12,\) whose elements are series \(the first of type "
        r"ndarray\)\. Stack them: np\.stack\(list\(X\)\)",
    ),
    # --- parameters
    "unknown order": (
        _fit(order="poolfirst"),
        InvalidParameterError,
        r"'order' parameter .* Got 'poolfirst' instead\. Did you mean 'pool_first'\?",
    ),
    "unknown pool": (
        _fit(pool="mean"),
        InvalidParameterError,
        r"'pool' parameter .* among .*Got 'mean' instead\. Did you mean 'avg'\? Names "
        r"registered with register_pool are known only in the process that registered them: "
        r"in joblib or Dask workers \(n_jobs=...\), pass the class itself \(pool=MyClass\)",
    ),
    "a list of pools": (
        _fit(pool=["avg", "max"]),
        InvalidParameterError,
        r"Got \['avg', 'max'\] instead\. To combine pools pass a tuple: pool=\('avg', 'max'\)\.",
    ),
    "unknown encoder": (
        _fit(encoder="cnn"),
        InvalidParameterError,
        r"'encoder' parameter .* Got 'cnn' instead\. Did you mean 'conv'\? Names registered "
        r"with register_encoder are known only in the process",
    ),
    "misspelt encoder": (
        _fit(encoder="gur"),
        InvalidParameterError,
        r"Got 'gur' instead\. Did you mean 'gru'\?",
    ),
    "unknown activation": (
        _fit(activation="Relu"),
        InvalidParameterError,
        r"'activation' parameter .* Got 'Relu' instead\. Did you mean 'relu'\?",
    ),
    "window 0": (
        _fit(window=0),
        InvalidParameterError,
        r"'window' parameter .* must be None or an int in the range \[1, inf\)\. Got 0 instead",
    ),
    "negative window": (
        _fit(window=-3),
        InvalidParameterError,
        r"'window' parameter .* in the range \[1, inf\)\. Got -3 instead",
    ),
    "window larger than the series": (
        _fit(window=T + 1),
        ValueError,
        r"window=9 is larger than the series length \(8 time steps\).*use window <= 8",
    ),
    "a bool as hidden_size": (
        _fit(hidden_size=True),
        InvalidParameterError,
        r"'hidden_size' parameter of SeqPoolClassifier must be a number, not a bool; got True",
    ),
    "a bool as n_threads": (
        _fit(n_threads=True),
        InvalidParameterError,
        r"'n_threads' parameter .* must be a number, not a bool",
    ),
    "False as n_threads": (
        _fit(n_threads=False),
        InvalidParameterError,
        r"'n_threads' parameter of SeqPoolClassifier must be a number, not a bool; got False",
    ),
    "False as max_epochs": (
        _fit(max_epochs=False),
        InvalidParameterError,
        r"'max_epochs' parameter .* must be a number, not a bool; got False",
    ),
    "a bool as lr": (
        _fit(lr=True),
        InvalidParameterError,
        r"'lr' parameter .* must be a number, not a bool",
    ),
    "a bool as n_threads at predict": (
        _bool_threads_at_predict,
        InvalidParameterError,
        r"'n_threads' parameter .* must be a number, not a bool",
    ),
    "False as n_threads at predict": (
        lambda: _bool_threads_at_predict(False),
        InvalidParameterError,
        r"'n_threads' parameter .* must be a number, not a bool; got False",
    ),
    "optimizer not an optimizer class": (
        _fit(optimizer=int),
        InvalidParameterError,
        r"'optimizer' parameter .* subclass of torch\.optim\.Optimizer .* got <class 'int'>",
    ),
    "a bool as a transformer's length": (
        lambda: PadTruncate(length=True).fit(_X()),
        InvalidParameterError,
        r"'length' parameter of PadTruncate must be a number, not a bool",
    ),
    "False as a transformer's length": (
        lambda: PadTruncate(length=False).fit(_X()),
        InvalidParameterError,
        r"'length' parameter of PadTruncate must be a number, not a bool; got False",
    ),
    "text as a class weight": (
        _fit(class_weight={0: "a"}),
        TypeError,
        r"class_weight values must be numbers \(a weight per class\); got \{0: 'a'\}",
    ),
    "a missing value among partial_fit's classes": (
        lambda: SeqPoolClassifier(**TINY).partial_fit(_X(), _y(), classes=[0.0, 1.0, np.nan]),
        ValueError,
        r"classes must not hold missing values",
    ),
    "a DataFrame with a repeated column name": (
        _fit(X=pd.DataFrame(_X()[:, 0, :3], columns=["a", "a", "b"])),
        ValueError,
        r"X has column 'a' more than once; SeqPoolClassifier needs one column per time step",
    ),
    "a wide table with a repeated column name": (
        lambda: WideToSequences().fit(pd.DataFrame([[1.0, 2, 3]], columns=["a", "a", "b"])),
        ValueError,
        r"X has column 'a' more than once; a wide table needs one column per",
    ),
    "a wide table without columns": (
        lambda: WideToSequences().fit(pd.DataFrame(index=range(3))),
        ValueError,
        r"X has no columns: 0 feature\(s\) \(shape=\(3, 0\)\) while a minimum of 1",
    ),
    "time stamps as X": (  # numpy would read them as seconds since 1970
        _fit(X=np.arange(N * T).reshape(N, T).astype("datetime64[s]")),
        TypeError,
        r"X has dtype datetime64\[s\] \(time stamps\), but SeqPoolClassifier expects numbers",
    ),
    "durations to a transformer": (
        lambda: SeriesScaler().fit(np.arange(N * T).reshape(N, T).astype("timedelta64[s]")),
        TypeError,
        r"X has dtype timedelta64\[s\] \(durations\), but SeriesScaler expects numbers.*"
        r"X / np.timedelta64\(1, 's'\)",
    ),
    "time stamps to a long table": (
        lambda: sequences_to_long(np.arange(6).reshape(2, 3).astype("datetime64[D]")),
        TypeError,
        r"X has dtype datetime64\[D\] \(time stamps\), but sequences_to_long expects numbers",
    ),
    "a transformer given 0 channels": (
        lambda: SeriesScaler().fit(np.zeros((5, 0, 8))),
        ValueError,
        r"X has 0 channels \(shape \(5, 0, 8\)\); SeriesScaler needs at least one channel",
    ),
    "zero-length series to a long table": (
        lambda: sequences_to_long(np.zeros((2, 1, 0))),
        ValueError,
        r"X has 0 time steps \(shape \(2, 1, 0\)\); sequences_to_long needs",
    ),
    "a routed keyword the module does not take": (
        _fit(module__bogus=1),
        TypeError,
        r"routed keywords \{'module__bogus': 1\} failed: .*unexpected keyword argument 'bogus'",
    ),
    "a routed value the optimizer refuses": (
        _fit(optimizer__lr=-1),
        ValueError,
        r"routed keywords \{'optimizer__lr': -1\} failed: Invalid learning rate",
    ),
    "a warm fit on another number of channels": (
        _warm_fit_on_three_channels,
        ValueError,
        r"warm_start=True continues the fitted network, built for 2 channels, but X has 3",
    ),
    "unknown device": (
        _fit(device="gpu"),
        ValueError,
        r"device must be 'cpu', 'cuda', 'cuda:N' or 'auto'; got 'gpu'",
    ),
    # --- predict
    "channel mismatch at predict": (
        _predict(_X()[:, :1]),
        ValueError,
        r"X has 1 channels, but SeqPoolClassifier was fitted with 2 channels",
    ),
    "length mismatch for a windowed head": (
        _predict(_X()[:, :, :4], window=2),
        ValueError,
        r"X has 4 time steps, but SeqPoolClassifier \(window=2\) was fitted on series of 8 "
        r"steps and its output layer expects 4 frames",
    ),
    "columns mismatch for 2D input": (
        _columns_2d,
        ValueError,
        r"X has 5 features, but SeqPoolClassifier is expecting 8 features",
    ),
    "inf at predict": (
        _predict(_with(np.inf, sample=0, channel=0, step=0), method="predict_proba"),
        ValueError,
        r"X contains 1 infinite value \(first: \+inf at sample 0, channel 0, step 0\)",
    ),
    "zero samples at predict": (
        _predict(_X()[:0]),
        ValueError,
        r"Found array with 0 sample\(s\) \(shape=\(0, 2, 8\)\)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_clear_error(case):
    run, exc_type, pattern = CASES[case]
    with pytest.raises(exc_type, match=pattern) as info:
        run()
    # The error comes from the package or scikit-learn, not from inside torch.
    raised_in = str(info.traceback[-1].path)
    assert "/torch/" not in raised_in, f"{case}: raised in {raised_in}"


def test_there_are_at_least_fifteen_cases():
    assert len(CASES) >= 15


def test_errors_leave_the_caller_data_alone():
    X = _with(np.inf, sample=2, channel=1, step=6)
    y = _y()
    before = X.copy(), y.copy()
    with pytest.raises(ValueError):
        SeqPoolClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(y, before[1])


def test_nan_padding_is_not_an_error():
    X = _X()
    X[:4, :, 5:] = np.nan  # shorter series, padded
    X[5, 0, 2] = np.nan  # one channel missing at one step: read as 0, and warned
    from seqpool_sklearn import MissingChannelWarning

    with pytest.warns(MissingChannelWarning):
        clf = SeqPoolClassifier(**TINY).fit(X, _y())
    with pytest.warns(MissingChannelWarning):
        assert clf.predict_proba(X).shape == (N, 2)


@pytest.mark.parametrize(
    "y, classes",
    [
        (pd.Series([True, False] * (N // 2), dtype="boolean"), [False, True]),
        (pd.Series([0, 1] * (N // 2), dtype="Int64"), [0, 1]),
        (pd.array([3, 1] * (N // 2), dtype="Int64"), [1, 3]),
        (pd.DataFrame({"y": pd.array([True, False] * (N // 2), dtype="boolean")}), [False, True]),
        (pd.DataFrame({"y": pd.array([3, 1] * (N // 2), dtype="Int64")}), [1, 3]),
    ],
)
@pytest.mark.filterwarnings("ignore:A column-vector y was passed")
def test_nullable_labels_keep_their_type(y, classes):
    # scikit-learn reads pandas' nullable dtypes as floats: classes_ were [0., 1.]
    clf = SeqPoolClassifier(**TINY).fit(_X(), y)
    assert clf.classes_.tolist() == classes
    assert clf.classes_.dtype.kind == np.asarray(classes).dtype.kind
    assert clf.predict(_X()).dtype == clf.classes_.dtype


def test_masked_entries_are_read_as_missing_steps():
    # np.asarray drops the mask: the values under it were once used as data
    X = _X().astype(np.float64)
    mask = np.zeros(X.shape, dtype=bool)
    mask[:3, :, 6:] = True  # shorter series
    mask[5, :, 2] = True  # one unobserved step inside a series
    masked = np.ma.masked_array(X, mask=mask)
    data, kept_mask = masked.data.copy(), masked.mask.copy()
    nan = np.where(mask, np.nan, X)
    np.testing.assert_array_equal(
        SeriesScaler().fit_transform(masked), SeriesScaler().fit_transform(nan)
    )
    clf = SeqPoolClassifier(**TINY).fit(nan, _y())
    np.testing.assert_array_equal(clf.predict_proba(masked), clf.predict_proba(nan))
    np.testing.assert_array_equal(
        SeqPoolClassifier(**TINY).fit(masked, _y()).predict_proba(nan), clf.predict_proba(nan)
    )
    pd.testing.assert_frame_equal(sequences_to_long(masked), sequences_to_long(nan))
    # integers under a mask become floats with NaN there
    ints = np.ma.masked_array(np.arange(6).reshape(2, 3), mask=[[0, 0, 1], [0, 0, 0]])
    assert np.isnan(SeriesScaler().fit_transform(ints)[0, 2])
    # the wide-table transformer and a Sequences' to_long read the mask too
    from seqpool_sklearn import WideToSequences, long_to_sequences

    wide = np.ma.masked_array(X[:, 0, :], mask=mask[:, 0, :])
    np.testing.assert_array_equal(
        WideToSequences().fit_transform(wide), WideToSequences().fit_transform(nan[:, 0, :])
    )
    seq = long_to_sequences(sequences_to_long(X), column_id="id", column_sort="time")
    pd.testing.assert_frame_equal(seq.to_long(masked), seq.to_long(nan))
    np.testing.assert_array_equal(masked.data, data)  # the caller's array is left alone
    np.testing.assert_array_equal(masked.mask, kept_mask)


def test_time_stamps_are_refused_by_every_reader_of_values():
    from seqpool_sklearn import WideToSequences, long_to_sequences

    stamps = np.datetime64("2024-01-01") + np.arange(24).reshape(3, 8).astype("timedelta64[D]")
    with pytest.raises(TypeError, match=r"X has dtype datetime64\[D\] \(time stamps\), but "):
        WideToSequences().fit_transform(stamps)
    seq = long_to_sequences(
        sequences_to_long(np.zeros((3, 1, 8))), column_id="id", column_sort="time"
    )
    with pytest.raises(TypeError, match=r"X has dtype datetime64\[D\] \(time stamps\)"):
        seq.to_long(stamps[:, None, :])
    frame = pd.DataFrame({"a": pd.date_range("2020", periods=N), "b": np.arange(N, dtype=float)})
    with pytest.raises(TypeError, match=r"column 'a' of X has dtype datetime64.*time stamps"):
        SeqPoolClassifier(**TINY).fit(frame, _y())


# --------------------------------------------------------------------------- long tables
def _long_frame(n_series=8, n_steps=30, n_channels=6):
    from seqpool_sklearn import sequences_to_long

    X = np.random.default_rng(0).normal(size=(n_series, n_channels, n_steps))
    ids = [f"rec{i:03d}" for i in range(n_series)]
    df = sequences_to_long(X, ids=ids, column_id="recording_id")
    channels = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"][:n_channels]
    df.columns = ["recording_id", "time", *channels]
    df["activity"] = np.repeat(np.arange(n_series) % 2, n_steps)
    return df, channels


def test_channel_columns_of_a_long_table_are_flagged_at_fit():
    from seqpool_sklearn import LayoutWarning

    df, channels = _long_frame()
    with pytest.warns(LayoutWarning, match=r"240 rows and 6 columns named like channels") as w:
        SeqPoolClassifier(**TINY).fit(df[channels], df["activity"])
    message = str(w[0].message)
    assert "240 univariate series of 6 time steps" in message
    assert "long_to_sequences(df, column_id=<id column>, column_value=['acc_x'" in message
    assert w[0].filename == __file__  # points at the user's fit call


def test_the_long_table_advice_leaves_the_id_and_time_columns_out_of_the_channels():
    # with a numeric id column the advice listed it as a channel: the call it suggested
    # raised "Column 'id' cannot be both a value and an id/time/kind"
    from seqpool_sklearn import LayoutWarning, long_to_sequences

    df, channels = _long_frame(n_channels=2)
    df["recording_id"] = df["recording_id"].str[3:].astype(int)
    df = df.rename(columns={"recording_id": "id", "activity": "label"})
    with pytest.warns(LayoutWarning) as w:
        SeqPoolClassifier(**TINY).fit(df, np.arange(len(df)) % 2)
    message = str(w[0].message)
    call = "column_id='id', column_sort='time', column_value=['acc_x', 'acc_y'], y='label'"
    assert f"long_to_sequences(df, {call})" in message
    seq = long_to_sequences(df, column_id="id", column_sort="time", column_value=channels)
    assert seq.X.shape == (8, 2, 30)  # the advice runs


def test_a_wide_table_with_step_names_is_not_flagged():
    import warnings

    wide = pd.DataFrame(_X()[:, 0, :], columns=[f"t{j}" for j in range(T)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SeqPoolClassifier(**TINY).fit(wide, _y())


def test_a_whole_long_table_points_to_long_to_sequences():
    df, channels = _long_frame()
    with pytest.raises(ValueError) as info:
        SeqPoolClassifier(**TINY).fit(df.drop(columns="activity"), np.arange(len(df)) % 2)
    message = str(info.value)
    assert "column 'recording_id' holds 'rec000' of type str at row 0" in message
    assert "repeats 8 values over 240 rows, as the sample id of a long table" in message
    assert "long_to_sequences(df, column_id='recording_id', column_sort='time'" in message
    assert "Encode categorical values" not in message


def test_a_sequences_object_points_to_its_arrays():
    from seqpool_sklearn import long_to_sequences

    df, channels = _long_frame()
    seq = long_to_sequences(
        df, column_id="recording_id", column_sort="time", column_value=channels, y="activity"
    )
    with pytest.raises(TypeError, match=r"call fit\(seq\.X, seq\.y\)") as info:
        SeqPoolClassifier(**TINY).fit(seq, seq.y)
    assert "Sequences(n_samples=8" in str(info.value) and "scalar" not in str(info.value)
    clf = SeqPoolClassifier(**TINY).fit(seq.X, seq.y)
    with pytest.raises(TypeError, match=r"predict\(seq\.X\)"):
        clf.predict(seq)


@pytest.mark.parametrize("cell", [pd.Series, np.asarray, list])
def test_a_nested_dataframe_says_how_to_convert_it(cell):
    # sktime's nested_univ layout: used to fail with "unhashable type" from a hint helper
    from seqpool_sklearn import PadTruncate, SeriesScaler

    X = np.random.default_rng(0).normal(size=(12, 2, 7))
    df = pd.DataFrame({f"dim_{k}": [cell(X[i, k]) for i in range(12)] for k in range(2)})
    df.iloc[0, 0] = None  # the first series of a column may be missing
    for est in (SeqPoolClassifier(**TINY), SeriesScaler(), PadTruncate(length=5)):
        with pytest.raises(TypeError, match="nested DataFrame: column 'dim_0' holds a whole "
                           f"series \\({type(cell(X[0, 0])).__name__}\\) in each cell, e.g. "
                           "at row 1"):  # fmt: skip
            est.fit(df, np.arange(12) % 2)
    df.iloc[0, 0] = X[0, 0]
    # the conversion the message gives is the array the cells hold
    X3 = np.stack(
        [np.stack([np.asarray(c, dtype=float) for c in r]) for r in df.itertuples(index=False)]
    )
    np.testing.assert_array_equal(X3, X)


def test_a_dataframe_with_column_levels_points_to_widetosequences():
    # (channel, time) columns from a pivot used to be read as one series of all columns
    from sklearn.pipeline import make_pipeline

    from seqpool_sklearn import SeriesScaler, WideToSequences

    X = np.random.default_rng(0).normal(size=(12, 2, 5))
    cols = pd.MultiIndex.from_product([["acc", "gyro"], range(5)])
    df = pd.DataFrame(X.reshape(12, -1), columns=cols)
    y = np.arange(12) % 2
    for est in (SeqPoolClassifier(**TINY), SeriesScaler()):
        with pytest.raises(ValueError, match=r"2 levels of column names \(such as \('acc', 0\)\)"):
            est.fit(df, y)
    pipe = make_pipeline(WideToSequences(), SeqPoolClassifier(**TINY)).fit(df, y)
    assert (pipe[-1].n_channels_in_, pipe[-1].n_timesteps_in_) == (2, 5)
    assert SeqPoolClassifier(**TINY).fit(df.to_numpy(), y).n_timesteps_in_ == 10


# --------------------------------------------------------------------------- partial NaN
def test_nan_inside_one_channel_of_an_observed_step_is_warned_once():
    from seqpool_sklearn import MissingChannelWarning

    X = np.full((N, 3, T), 9.8, dtype=np.float32)
    X += np.random.default_rng(0).normal(size=X.shape).astype(np.float32)
    X[2, 1, 3] = X[5, 1, 6] = np.nan  # the other channels were measured there
    X[:, :, -1] = np.nan  # a fully missing step is padding: no warning for it
    with pytest.warns(MissingChannelWarning) as w:
        SeqPoolClassifier(**TINY).fit(X, _y())
    assert len([x for x in w if x.category is MissingChannelWarning]) == 1
    message = str(w[0].message)
    assert message.startswith("X has 2 NaNs inside observed time steps, in channel 1 (first at")
    assert "reads those NaNs as 0" in message and "9.8" in message


def test_padding_alone_is_not_warned():
    import warnings

    X = _X()
    X[:, :, -2:] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SeqPoolClassifier(**TINY).fit(X, _y())


def test_numpy_bools_among_numbers_are_numbers_as_python_bools_are():
    # one number type for sorting the classes: the message called np.True_ and 2 mixed
    y_numpy = np.array([np.True_, 2] * (N // 2), dtype=object)
    y_python = np.array([True, 2] * (N // 2), dtype=object)
    with pytest.raises(ValueError) as numpy_error:
        SeqPoolClassifier(**TINY).fit(_X(), y_numpy)
    with pytest.raises(ValueError) as python_error:
        SeqPoolClassifier(**TINY).fit(_X(), y_python)
    assert "mixes labels" not in str(numpy_error.value)
    assert str(numpy_error.value) == str(python_error.value).replace("True", "np.True_")
    # an object array of numbers (as pandas gives with missing values dropped) was told
    # it looked like a regression target
    message = r"y has dtype object and holds numbers \(y\[0\] is {} of type {}\).*y.astype\(int\)"
    assert re.search(message.format("True", "bool"), str(python_error.value))
    with pytest.raises(ValueError, match=message.format("1", "int")):
        SeqPoolClassifier(**TINY).fit(_X(), np.array([1, 2] * (N // 2), dtype=object))
    with pytest.raises(ValueError, match=r"y\[0\] is 1.5 of type float\).*not whole numbers: "
                       "for continuous targets use SeqPoolRegressor"):  # fmt: skip
        SeqPoolClassifier(**TINY).fit(_X(), np.array([1.5, 2] * (N // 2), dtype=object))


def test_dropna_takes_true_or_false_only():
    from seqpool_sklearn import sequences_to_long

    X = np.array([[[1.0, np.nan, 2.0]]])
    assert len(sequences_to_long(X, dropna=np.True_)) == 2
    with pytest.raises(TypeError, match="dropna must be True or False, got 'no'"):
        sequences_to_long(X, dropna="no")  # text was read as True


def test_data_warnings_point_at_the_users_line_through_predict_and_pipelines():
    # MissingChannelWarning, the long-table LayoutWarning and the column-vector y warning
    # pointed into this package's or scikit-learn's code when reached through predict,
    # score or a Pipeline
    from sklearn.exceptions import DataConversionWarning
    from sklearn.pipeline import make_pipeline

    from seqpool_sklearn import LayoutWarning, MissingChannelWarning, SeriesScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2, 10))
    X[0, 1, 3] = np.nan  # one channel of an observed step
    y = np.arange(12) % 2
    clf = SeqPoolClassifier(**TINY)

    def where(category, call):
        with pytest.warns(category) as caught:
            call()
        return {w.filename for w in caught if issubclass(w.category, category)}

    assert where(MissingChannelWarning, lambda: clf.fit(X, y)) == {__file__}
    assert where(MissingChannelWarning, lambda: clf.predict(X)) == {__file__}
    assert where(MissingChannelWarning, lambda: clf.score(X, y)) == {__file__}
    pipe = make_pipeline(SeriesScaler(), SeqPoolClassifier(**TINY))
    assert where(MissingChannelWarning, lambda: pipe.fit(X, y)) == {__file__}
    assert where(DataConversionWarning, lambda: pipe.fit(X, y[:, None])) == {__file__}
    df, channels = _long_frame()
    pipe = make_pipeline(SeqPoolClassifier(**TINY))
    assert where(LayoutWarning, lambda: pipe.fit(df[channels], df["activity"])) == {__file__}


@pytest.mark.parametrize(
    "y, unit",
    [(pd.Series(pd.to_timedelta(np.arange(N), unit="s")), "durations"),
     (pd.Series(pd.date_range("2020", periods=N, freq="D", tz="UTC")), "time stamps"),
     (np.arange(N).astype("datetime64[D]"), "time stamps"),
     (pd.DataFrame({"a": np.arange(N, dtype=float),
                    "b": pd.to_timedelta(np.arange(N), unit="s")}), "durations")],
)  # fmt: skip
def test_regressor_refuses_time_stamps_and_durations_as_targets(y, unit):
    # they were fitted as integer ticks: microseconds in pandas 3, nanoseconds in pandas 2
    with pytest.raises(TypeError, match=f"y has dtype .*{unit}.*needs numeric targets: their "
                       "integer ticks depend on the array's time unit") as error:  # fmt: skip
        SeqPoolRegressor(**TINY).fit(_X(), y)
    # the advice runs as written, and the converted targets are taken
    advice = str(error.value).split("e.g. ")[1].split(" for seconds")[0]
    scope = {"y": y.copy(), "pd": pd}
    exec(advice, scope)
    SeqPoolRegressor(**TINY).fit(_X(), scope["y"])


def test_classifier_labels_of_other_objects_are_not_called_numbers():
    periods = pd.Series(pd.period_range("2020", periods=2, freq="D")[np.arange(N) % 2])
    stamps = pd.Series(pd.date_range("2020", periods=2, tz="UTC")[np.arange(N) % 2])
    for y, kind in ((periods, "Period"), (stamps, "Timestamp")):
        with pytest.raises(ValueError, match=f"holds values of type {kind} .*pass y.astype"
                           r"\(str\) to use them as names"):  # fmt: skip
            SeqPoolClassifier(**TINY).fit(_X()[:, 0], y)
        with pytest.raises(ValueError) as error:
            SeqPoolClassifier(**TINY).fit(_X()[:, 0], y)
        assert "astype(int)" not in str(error.value)
        SeqPoolClassifier(**TINY).fit(_X()[:, 0], y.astype(str))


@pytest.mark.parametrize("as_text", ["string", object])
def test_missing_cells_of_text_columns_are_missing_steps(as_text):
    # pd.NA is read as a missing step in Float64 columns; in text columns it was "not a number"
    X = pd.DataFrame({"t0": [1.0, 2, 3, 4], "t1": [0.5, 1.5, None, 2.5], "t2": [1.0, 1, 2, 2]})
    X = X.astype("Float64")
    expected = SeqPoolClassifier(**TINY).fit(X, [0, 1, 0, 1]).predict_proba(X)
    text = X.astype(as_text)
    before = text.copy(deep=True)
    got = SeqPoolClassifier(**TINY).fit(text, [0, 1, 0, 1]).predict_proba(text)
    np.testing.assert_array_equal(got, expected)
    pd.testing.assert_frame_equal(text, before)


def test_a_stray_text_cell_in_a_wide_table_is_not_called_a_long_table():
    X = pd.DataFrame(np.random.default_rng(0).integers(0, 5, size=(24, 6)),
                     columns=[f"t{i}" for i in range(6)]).astype(object)  # fmt: skip
    X.iloc[3, 3] = "?"
    with pytest.raises(ValueError, match="column 't3' holds '\\?' .*make them NaN, e.g. "
                       r"pd.to_numeric\(X\['t3'\], errors='coerce'\)") as error:  # fmt: skip
        SeqPoolClassifier(**TINY).fit(X, [0, 1] * 12)
    assert "long_to_sequences" not in str(error.value)


@pytest.mark.filterwarnings("ignore:X (does not have valid|has) feature names")
def test_the_same_steps_as_text_and_numbers_in_another_order_are_refused_at_predict():
    X2 = _X()[:, 0, :4].astype(np.float64)
    model = SeqPoolClassifier(**TINY).fit(pd.DataFrame(X2, columns=["0", "1", "2", "3"]), _y())
    with pytest.raises(ValueError, match="column 0 is 3, in fit it was '0'"):
        model.predict(pd.DataFrame(X2[:, ::-1], columns=[3, 2, 1, 0]))
    model.predict(pd.DataFrame(X2, columns=[0, 1, 2, 3]))  # the same order: read as before


def test_a_huge_encoder_width_is_refused_instead_of_hanging():
    # 10**30 overflowed the MiniRocket encoder's int64 arithmetic and looped for minutes
    with pytest.raises(InvalidParameterError, match=r"'encoder_channels' parameter .* in the "
                       r"range \[1, 1000000\]"):  # fmt: skip
        SeqPoolClassifier(encoder="minirocket", encoder_channels=10**30).fit(_X(), _y())


def test_class_weights_that_weigh_every_series_zero_are_refused():
    # a divergence error blaming the inputs (trained) or numpy's "Weights sum to zero" (ridge)
    for readout in ("trained", "ridge"):
        with pytest.raises(ValueError, match=r"class_weight=\{0: 0, 1: 0\} gives every training "
                           "series weight 0"):  # fmt: skip
            SeqPoolClassifier(**{**TINY, "readout": readout}, class_weight={0: 0, 1: 0}).fit(
                _X(), _y()
            )
    with pytest.raises(ValueError, match="gives every training series weight 0"):
        SeqPoolClassifier(**TINY, class_weight={0: 0}).fit(
            _X(), _y(), sample_weight=np.where(_y() == 1, 0.0, 1.0)
        )


def test_the_regressors_r2_does_not_round_away_at_extreme_target_scales():
    # both sums of squares rounded to 0 for targets near 1e-170: R² came out 1.0
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 12)).astype(np.float32)
    y = X[:, 0].mean(1) + 0.3 * rng.normal(size=30)
    base = SeqPoolRegressor(encoder=None, readout="ridge").fit(X, y).score(X, y)
    assert 0.2 < base < 0.9
    for scale in (1e-170, 1e150):
        model = SeqPoolRegressor(encoder=None, readout="ridge").fit(X, y * scale)
        assert model.score(X, y * scale) == pytest.approx(base, rel=1e-9)
