"""Long tables <-> sequences: semantics, bad input, round trips."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpool_sklearn import (
    Sequences,
    _columns,
    _reshape,
    long_to_sequences,
    sequences_to_long,
    sliding_windows,
)

KIND = {"column_id": "id", "column_sort": "time", "column_kind": "kind", "column_value": "value"}


def tsfresh_frame(n_ids=4, kinds=("a", "b"), n_steps=5, seed=0, shuffle=True):
    rng = np.random.default_rng(seed)
    rows = [
        (i, 10 * t, k, rng.normal()) for i in range(n_ids) for k in kinds for t in range(n_steps)
    ]
    df = pd.DataFrame(rows, columns=["id", "time", "kind", "value"])
    return df.sample(frac=1, random_state=seed).reset_index(drop=True) if shuffle else df


def imu_frame(seed=0):
    """One row per step, several value columns, composite (subject, trial) ids."""
    rng = np.random.default_rng(seed)
    rows = []
    for subject in ("s1", "s2", "s3"):
        for trial in (1, 2):
            n = 3 + trial + len(rows) % 3  # unequal lengths
            start = rng.integers(0, 1000)  # series do not share stamps
            for t in range(n):
                rows.append((subject, trial, start + 5 * t, *rng.normal(size=3), f"act{trial}"))
    df = pd.DataFrame(
        rows, columns=["subject", "trial", "timestamp", "acc_x", "acc_y", "acc_z", "activity"]
    )
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


def force_sparse(mp):
    """Take the sorting paths: no occupancy grid, no integer lookup tables."""
    mp.setattr(_reshape, "_GRID_SLACK", -(10**9))
    mp.setattr(_columns, "_LOOKUP_SLACK", -(10**9))


@pytest.fixture(params=["dense", "sparse"])
def path(request, monkeypatch):
    """Run a test on both ranking paths (occupancy grid and key sort)."""
    if request.param == "sparse":
        force_sparse(monkeypatch)
    return request.param


# --------------------------------------------------------------------------- semantics
def test_tsfresh_layout_matches_pivot(path):
    df = tsfresh_frame()
    seq = long_to_sequences(df, **KIND)
    expected = df.pivot(index="id", columns=["kind", "time"], values="value").sort_index(axis=1)
    assert seq.X.shape == (4, 2, 5)
    assert seq.X.dtype == np.float32
    np.testing.assert_array_equal(seq.X.reshape(4, -1), expected.to_numpy(np.float32))
    assert seq.ids.tolist() == [0, 1, 2, 3]
    assert seq.channels.tolist() == ["a", "b"]
    assert seq.lengths.tolist() == [5] * 4
    np.testing.assert_array_equal(seq.times, np.tile(np.arange(5) * 10.0, (4, 1)))


def test_value_columns_layout_composite_ids_labels_groups(path):
    df = imu_frame()
    seq = long_to_sequences(
        df,
        column_id=["subject", "trial"],
        column_sort="timestamp",
        column_value=["acc_x", "acc_y", "acc_z"],
        y="activity",
        groups="subject",
    )
    assert isinstance(seq.ids, pd.MultiIndex)
    assert seq.ids.tolist() == [(s, t) for s in ("s1", "s2", "s3") for t in (1, 2)]
    assert seq.channels.tolist() == ["acc_x", "acc_y", "acc_z"]
    assert seq.y.tolist() == ["act1", "act2"] * 3
    assert seq.groups.tolist() == ["s1", "s1", "s2", "s2", "s3", "s3"]
    for i, (subject, trial) in enumerate(seq.ids):
        part = df[(df.subject == subject) & (df.trial == trial)].sort_values("timestamp")
        n = len(part)
        assert seq.lengths[i] == n
        np.testing.assert_array_equal(
            seq.X[i, :, :n], part[["acc_x", "acc_y", "acc_z"]].to_numpy(np.float32).T
        )
        assert np.isnan(seq.X[i, :, n:]).all()  # unequal lengths: NaN padding at the end
        np.testing.assert_array_equal(seq.times[i, :n], part["timestamp"].to_numpy())


def test_default_value_columns_exclude_id_time_label_groups():
    df = imu_frame()
    df = df[df.trial == 1].drop(columns="trial")
    seq = long_to_sequences(df, column_id="subject", column_sort="timestamp", y="activity")
    assert seq.channels.tolist() == ["acc_x", "acc_y", "acc_z"]


def test_label_passed_as_the_columns_values_is_not_a_channel():
    df = pd.DataFrame(
        {"id": [0, 0, 1, 1], "t": [0, 1, 0, 1], "x": [1.0, 2, 3, 4], "label": [0, 0, 1, 1]}
    )
    by_name = long_to_sequences(df, column_id="id", column_sort="t", y="label")
    assert by_name.channels.tolist() == ["x"]
    per_id = df.groupby("id")["label"].first()
    for y in (df["label"], per_id, df["label"].iloc[::-1]):
        seq = long_to_sequences(df, column_id="id", column_sort="t", y=y)
        assert seq.channels.tolist() == ["x"]
        np.testing.assert_array_equal(seq.X, by_name.X)
        np.testing.assert_array_equal(seq.y, by_name.y)
        pd.testing.assert_frame_equal(seq.to_long(), by_name.to_long())
    seq = long_to_sequences(df, column_id="id", column_sort="t", groups=df["label"])
    assert seq.channels.tolist() == ["x"]
    # a Series that only shares a column's name is not that column: the column stays
    other = (df.groupby("id")["x"].mean() > 2).rename("x")
    seq = long_to_sequences(df, column_id="id", column_sort="t", y=other)
    assert seq.channels.tolist() == ["x", "label"]
    with pytest.raises(ValueError, match="cannot be both a value column and y"):
        long_to_sequences(
            df, column_id="id", column_sort="t", column_value=["x", "label"], y=df["label"]
        )
    with pytest.raises(ValueError, match="No value columns left: the only one, 'label', is y"):
        long_to_sequences(df.drop(columns="x"), column_id="id", column_sort="t", y=df["label"])


def test_column_names_as_an_index_or_array():
    df = pd.DataFrame(
        {"id": [0, 0, 1, 1], "t": [0, 1, 0, 1], "x": [1.0, 2, 3, 4], "z": [5.0, 6, 7, 8]}
    )
    expected = long_to_sequences(df, column_id="id", column_sort="t", column_value=["z", "x"])
    for names in (pd.Index(["z", "x"]), np.array(["z", "x"])):
        seq = long_to_sequences(df, column_id=pd.Index(["id"]), column_sort="t", column_value=names)
        assert seq.channels.tolist() == ["z", "x"]
        np.testing.assert_array_equal(seq.X, expected.X)
    with pytest.raises(ValueError, match="column_value must be a 1-D list of column names"):
        long_to_sequences(df, column_id="id", column_sort="t", column_value=np.array([["x"]]))


def test_time_orders_steps_within_each_series_not_globally(path):
    # id 1 starts late and samples irregularly: its steps still start at position 0.
    df = pd.DataFrame({"id": [0, 0, 0, 1, 1], "time": [0, 1, 2, 100, 250], "x": [1.0, 2, 3, 4, 5]})
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    np.testing.assert_array_equal(seq.X[:, 0], [[1, 2, 3], [4, 5, np.nan]])
    np.testing.assert_array_equal(seq.times, [[0, 1, 2], [100, 250, np.nan]])


@pytest.mark.parametrize("dtype", [np.int64, np.uint32])
def test_integer_times_of_equal_length_series_keep_their_dtype(dtype, path):
    # Index.take(allow_fill=True) raises on an integer index in pandas 3.0, padding or not
    df = _df(id=[1, 1, 2, 2], time=np.array([0, 1, 0, 1], dtype=dtype), x=[1.0, 2, 3, 4])
    times = long_to_sequences(df, column_id="id", column_sort="time").times
    assert times.dtype == dtype
    np.testing.assert_array_equal(times, [[0, 1], [0, 1]])
    padded = long_to_sequences(df.iloc[:3], column_id="id", column_sort="time").times
    assert padded.dtype == np.float64
    np.testing.assert_array_equal(padded, [[0, 1], [0, np.nan]])


def test_kind_layout_union_of_stamps_per_series(path):
    # channel b misses time 1 of id 0: that cell is NaN, the step still exists
    df = pd.DataFrame(
        {
            "id": [0, 0, 0, 0, 0],
            "time": [0, 1, 2, 0, 2],
            "kind": ["a", "a", "a", "b", "b"],
            "value": [1.0, 2, 3, 10, 30],
        }
    )
    seq = long_to_sequences(df, **KIND)
    np.testing.assert_array_equal(seq.X[0], [[1, 2, 3], [10, np.nan, 30]])


def test_column_sort_none_uses_row_order():
    df = pd.DataFrame({"id": [1, 0, 1, 0], "x": [10.0, 1.0, 20.0, 2.0]})
    seq = long_to_sequences(df, column_id="id")
    np.testing.assert_array_equal(seq.X[:, 0], [[1, 2], [10, 20]])


def test_datetime_time_and_float64_dtype():
    times = pd.to_datetime(["2024-01-01 00:00:02", "2024-01-01 00:00:00", "2024-01-01 00:00:01"])
    df = pd.DataFrame({"id": ["a"] * 3, "t": times, "x": [3.0, 1.0, 2.0]})
    seq = long_to_sequences(df, column_id="id", column_sort="t", dtype=np.float64)
    assert seq.X.dtype == np.float64
    np.testing.assert_array_equal(seq.X[0, 0], [1, 2, 3])
    assert seq.times[0, 0] == np.datetime64("2024-01-01")


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_integer_epoch_nanosecond_times_stay_exact(dtype, path):
    # Padding with NaN once made these float64, so t0 and t0 + 1 became equal.
    t0 = 1_700_000_000_000_000_000
    df = _df(id=[1, 1, 2], time=np.array([t0, t0 + 1, t0], dtype=dtype), x=[1.0, 2.0, 3.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    times = seq.times
    assert [int(times[0, 0]), int(times[0, 1]), int(times[1, 0])] == [t0, t0 + 1, t0]
    assert pd.isna(times[1, 1])  # padding
    back = sequences_to_long(seq.X, ids=seq.ids, channels=seq.channels, times=times)
    assert back["time"].dtype.kind in "iu"
    assert back["time"].tolist() == [t0, t0 + 1, t0]
    pd.testing.assert_frame_equal(seq.to_long(), df)
    # stamps that float64 holds exactly keep the numeric float64 array
    small = long_to_sequences(df.assign(time=[0, 1, 0]), column_id="id", column_sort="time")
    assert small.times.dtype == np.float64


def test_label_table_extra_ids_ignored():
    df = tsfresh_frame(n_ids=3)
    labels = pd.Series({0: "x", 1: "y", 2: "x", 99: "z"})
    seq = long_to_sequences(df, **KIND, y=labels)
    assert seq.y.tolist() == ["x", "y", "x"]


def test_to_long_with_predictions_and_transformed_X():
    df = tsfresh_frame(n_ids=2, n_steps=3, shuffle=False)
    seq = long_to_sequences(df, **KIND, dtype=np.float64)
    out = seq.to_long(seq.X * 2, predictions=np.array(["p", "q"]))
    expected = df.sort_values(["id", "kind", "time"]).reset_index(drop=True)
    np.testing.assert_array_equal(out["value"], expected["value"] * 2)
    assert out["prediction"].tolist() == ["p"] * 6 + ["q"] * 6
    proba = pd.DataFrame({"p_a": [0.1, 0.9]})
    assert seq.to_long(predictions=proba)["p_a"].tolist() == [0.1] * 6 + [0.9] * 6
    with pytest.raises(ValueError, match="original grid"):
        seq.to_long(seq.X[:, :, :2])
    with pytest.raises(ValueError, match="predictions must have shape"):
        seq.to_long(predictions=[1, 2, 3])


def test_to_long_aligns_pandas_predictions_by_id():
    # a Series indexed by id used to be read by position: id 1 got id 3's prediction
    df = pd.DataFrame({"id": [3, 3, 1, 1, 2], "t": [0, 1, 0, 1, 0], "v": [1.0, 2, 3, 4, 5]})
    seq = long_to_sequences(df, column_id="id", column_sort="t")
    by_id = pd.Series(["p1", "p2", "p3"], index=[1, 2, 3]).sort_index(ascending=False)
    out = seq.to_long(predictions=by_id)
    assert dict(zip(out["id"], out["prediction"], strict=True)) == {1: "p1", 2: "p2", 3: "p3"}
    frame = pd.DataFrame({"p_a": [0.3, 0.2, 0.1]}, index=[3, 2, 1])
    out = seq.to_long(predictions=frame)
    assert dict(zip(out["id"], out["p_a"], strict=True)) == {1: 0.1, 2: 0.2, 3: 0.3}
    # the default index is sample order, as an array is
    out = seq.to_long(predictions=pd.Series(["a", "b", "c"]))
    assert dict(zip(out["id"], out["prediction"], strict=True)) == {1: "a", 2: "b", 3: "c"}
    with pytest.raises(ValueError, match=r"indexed by \[7, 8, 9\]\.\.\., which is neither"):
        seq.to_long(predictions=pd.Series([1, 2, 3], index=[7, 8, 9]))


def test_to_long_dropna_and_absent_cells():
    df = pd.DataFrame(
        {"id": [0, 0, 0], "time": [0, 1, 0], "kind": ["a", "a", "b"], "value": [1.0, 2, 3]}
    )
    seq = long_to_sequences(df, **KIND)
    assert len(seq.to_long()) == 4  # (time 1, kind b) comes back as NaN
    assert len(seq.to_long(dropna=True)) == 3


def test_sequences_to_long_plain_arrays():
    X = np.array([[[1.0, np.nan, 3.0, np.nan]], [[4.0, 5.0, np.nan, np.nan]]])
    out = sequences_to_long(X, ids=["u", "v"], channels=["x"], predictions=[0, 1])
    # interior all-NaN step kept (missing), trailing ones dropped (padding)
    assert out["id"].tolist() == ["u", "u", "u", "v", "v"]
    assert out["time"].tolist() == [0, 1, 2, 0, 1]
    assert out["prediction"].tolist() == [0, 0, 0, 1, 1]
    times = np.array([[0.5, 1.5, 2.5, np.nan], [7.0, 8.0, np.nan, np.nan]])
    out = sequences_to_long(X, times=times, column_kind="kind")
    assert out["time"].tolist() == [0.5, 1.5, 2.5, 7.0, 8.0]
    assert set(out.columns) == {"id", "time", "kind", "value"}
    with pytest.raises(ValueError, match="times must have shape"):
        sequences_to_long(X, times=times[:, :2])


TO_LONG_BAD = [
    ("string X", {"X": np.array([[["a", "b"]]])}, ValueError,
     r"X must contain numbers .* got 'a' of type str at sample 0, channel 0, step 0"),
    ("mixed object X", {"X": [[[1.0, "x"]]]}, ValueError, r"got 'x' of type str at sample 0"),
    ("ragged 2D list", {"X": [[1.0, 2.0], [1.0]]}, ValueError,
     r"X is ragged: .*Pad the shorter series with NaN"),
    ("ragged 3D list", {"X": [[[1.0, 2.0]], [[1.0]]]}, ValueError, "X is ragged"),
    ("complex X", {"X": np.ones((1, 1, 2), dtype=complex)}, ValueError,
     "Complex data not supported"),
    ("1D X", {"X": np.ones(3)}, ValueError, r"got a 1D array of shape \(3,\)"),
    ("duplicate ids", {"X": np.ones((3, 1, 2)), "ids": ["a", "b", "a"]}, ValueError,
     r"ids must be distinct, but 'a' is the id of samples 0 and 2"),
    ("missing id", {"X": np.ones((2, 1, 2)), "ids": [1.0, np.nan]}, ValueError,
     r"ids has a missing value \(NaN/None\) for sample 1"),
    ("scalar ids", {"X": np.ones((1, 1, 2)), "ids": 5}, TypeError,
     r"ids must be a sequence of 1 sample ids, got int"),
    ("repeated channel in the kind layout",
     {"X": np.ones((1, 2, 4)), "column_kind": "kind", "channels": ["x", "x"]}, ValueError,
     r"Channel 'x' is named twice; each channel becomes a value of the kind column 'kind'"),
    ("unnamed MultiIndex ids",
     {"X": np.ones((2, 1, 2)), "ids": pd.MultiIndex.from_tuples([("a", 1), ("a", 2)])},
     ValueError, r"ids is a MultiIndex with unnamed levels \(names \[None, None\]\).*"
     r"ids\.set_names\(\['id_0', 'id_1'\]\)"),
    ("string channels", {"X": np.ones((1, 2, 2)), "channels": "ab"}, TypeError,
     r"channels must be a sequence of 2 channel names, got str 'ab'.*channels=\['ab'\]"),
    ("time repeated in a sample", {"X": np.ones((2, 1, 3)),
                                   "times": [[0, 1, 2], [5, 5, np.nan]]}, ValueError,
     r"times must increase within each sample, but sample 1 \(id 1\) has 5.0 at step 0 and "
     r"then 5.0 at step 1"),
    ("time going back", {"X": np.ones((1, 1, 3)), "times": [[0, 2, 1]]}, ValueError,
     r"sample 0 \(id 0\) has 2 at step 1 and then 1 at step 2"),
    ("time repeated after a gap", {"X": np.ones((1, 1, 3)), "times": [[3.0, np.nan, 3.0]]},
     ValueError, r"sample 0 \(id 0\) has 3.0 at step 0 and then 3.0 at step 2"),
    ("infinite time", {"X": np.ones((1, 1, 2)), "times": [[0.0, np.inf]]}, ValueError,
     r"times has an infinite value at sample 0, step 1"),
    ("NaN time on an observed step", {"X": np.array([[1.0, 2.0, 3.0]]),
                                      "times": [[0, np.nan, 2]]}, ValueError,
     r"times is NaN at sample 0, step 1, but X has values there"),
    ("NaT on an observed step of one channel",
     {"X": np.array([[[1.0, np.nan], [np.nan, 2.0]]]),
      "times": np.array([["2020-01-01", "NaT"]], dtype="datetime64[D]")}, ValueError,
     r"times is NaN at sample 0, step 1, but X has values there"),
]  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, exc, match", [c[1:] for c in TO_LONG_BAD], ids=[c[0] for c in TO_LONG_BAD]
)
def test_sequences_to_long_bad_input_is_named(kwargs, exc, match):
    kwargs = dict(kwargs)
    with pytest.raises(exc, match=match):
        sequences_to_long(kwargs.pop("X"), **kwargs)


def test_sequences_to_long_warns_about_channels_last_arrays_as_the_estimators_do():
    from seqpool_sklearn import LayoutWarning

    X = np.zeros((2, 30, 3))
    with pytest.warns(LayoutWarning, match=re.escape(
        "X has shape (2, 30, 3): 30 channels of 3 time steps. sequences_to_long reads "
        "(n_samples, n_channels, n_timesteps)"
    )):  # fmt: skip
        sequences_to_long(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sequences_to_long(X.transpose(0, 2, 1))
        sequences_to_long(np.zeros((40, 3)))  # 2D: one channel


def test_lengths_count_time_stamps_including_all_nan_steps():
    df = _df(id=[1, 1, 1, 2, 2], time=[0, 1, 2, 0, 1], x=[1.0, np.nan, np.nan, 3.0, 4.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    assert seq.lengths.tolist() == [3, 2]  # rows, not observed steps (1 for id 1)
    assert "including steps whose values are all\n        NaN" in Sequences.__doc__
    assert "observed time steps" not in Sequences.__doc__


def test_sequences_to_long_never_modifies_its_inputs():
    X = np.array([[[1.0, np.nan, 3.0]], [[4.0, 5.0, np.nan]]])
    times = np.array([[0.0, 1.0, 2.0], [5.0, 6.0, np.nan]])
    ids = np.array(["a", "b"], dtype=object)
    copies = X.copy(), times.copy(), ids.copy()
    out = sequences_to_long(X, ids=ids, times=times, channels=["x"])
    out.loc[:, "x"] = 0.0  # the table does not share memory with X either
    for passed, kept in zip((X, times, ids), copies, strict=True):
        np.testing.assert_array_equal(passed, kept)


def test_sequences_to_long_accepts_numeric_objects_and_frames():
    out = sequences_to_long(np.array([[["1", "2.5"]]]), channels=["x"])
    assert out["x"].tolist() == [1.0, 2.5]
    out = sequences_to_long(pd.DataFrame([[1.0, 2.0]]), channels=["x"])
    assert out["x"].tolist() == [1.0, 2.0]


def test_label_series_with_the_frame_index_is_read_row_by_row(path):
    # df["lab"] is per row, not a table indexed by id: ids 0..2 are also row labels here,
    # which once made it silently pick the labels of rows 0, 1 and 2.
    df = _df(id=[2, 2, 0, 0, 1], time=[0, 1, 0, 1, 0], x=[1.0, 2, 3, 4, 5],
             lab=["two", "two", "zero", "zero", "one"])  # fmt: skip
    by_name = long_to_sequences(df, **VALUE, column_value="x", y="lab", groups="lab")
    by_series = long_to_sequences(df, **VALUE, column_value="x", y=df["lab"], groups=df["lab"])
    assert by_series.y.tolist() == by_name.y.tolist() == ["zero", "one", "two"]
    assert by_series.groups.tolist() == ["zero", "one", "two"]
    pd.testing.assert_frame_equal(by_series.to_long(), by_name.to_long())
    aligned = long_to_sequences(df, **VALUE, column_value="x", y=df["lab"].sort_values())
    assert aligned.y.tolist() == ["zero", "one", "two"]  # aligned by index, not position
    with pytest.raises(ValueError, match="Column 'lab' is not constant within id 2"):
        long_to_sequences(
            df, **VALUE, column_value="x", y=df["lab"].str.upper().where(df.index != 1, "x")
        )
    unnamed = pd.Series(["a", "b", "c", "d", "e"], index=df.index)
    with pytest.raises(ValueError, match="The y Series is not constant within id 2"):
        long_to_sequences(df, **VALUE, column_value="x", y=unnamed)


def test_label_series_that_could_also_be_an_id_table_must_agree():
    df = _df(id=[1, 0], time=[0, 0], x=[1.0, 2.0])  # one row per sample, ids = row labels
    # Row by row: id 1 -> "b", id 0 -> "a"; as a table by id: id 0 -> "b", id 1 -> "a".
    disagree = pd.Series(["b", "a"], index=[0, 1])
    with pytest.raises(ValueError, match="read as a table indexed by id .* for id 0"):
        long_to_sequences(df, **VALUE, y=disagree)
    both = pd.Series(["same", "same"], index=[0, 1])
    assert long_to_sequences(df, **VALUE, y=both).y.tolist() == ["same", "same"]


def test_label_table_whose_index_is_also_the_row_labels_must_agree(path):
    # a table of 6 subjects indexed by id; the frame holds 3 of them, on row labels 0..5
    labels = pd.Series([1, 1, 0, 0, 1, 1], index=pd.Index(range(6), name="id"))
    df = _df(id=[0, 0, 1, 1, 2, 2], time=[0, 1] * 3, x=np.arange(6.0))
    for frame in (df, df.sample(frac=1, random_state=0)):  # same labels, another order too
        with pytest.raises(
            ValueError,
            match=r"could be a per-row Series or a table indexed "
            r"by id; the two readings give different y values \(read row by "
            r"row 0, read as a table indexed by id 1, for id 1\)",
        ):
            long_to_sequences(frame, **VALUE, column_value="x", y=labels)
    # both readings agree: read as given
    same = pd.Series([4] * 6)
    assert long_to_sequences(df, **VALUE, column_value="x", y=same).y.tolist() == [4, 4, 4]
    # a table with the ids only is a table; the column itself (even reordered) is per row
    assert long_to_sequences(df, **VALUE, column_value="x", y=labels.loc[[0, 1, 2]]).y.tolist() == [
        1,
        1,
        0,
    ]
    lab = df.assign(lab=[5, 5, 6, 6, 7, 7])
    got = long_to_sequences(
        lab, **VALUE, column_value="x", y=lab["lab"].sort_values(ascending=False)
    )
    assert got.y.tolist() == [5, 6, 7]
    # not constant row by row, but fine as a table: the error says how to pass a table
    with pytest.raises(
        ValueError,
        match=r"The y Series is not constant within id 0.*if it "
        r"is a table indexed by id, pass it indexed by the ids only",
    ):
        rising = pd.Series([1, 2, 3, 4, 5, 6], index=labels.index)
        long_to_sequences(df, **VALUE, column_value="x", y=rising)
    # without the id's name on its index it is a per-row Series, as documented
    assert long_to_sequences(
        df, **VALUE, column_value="x", y=labels.rename_axis(None)
    ).y.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match=r"The y Series is not constant within id 0 "
                       r"\(first at row 0\): it holds both 1 and 2; each sample needs "
                       r"one y\.$"):  # fmt: skip
        long_to_sequences(df, **VALUE, column_value="x", y=pd.Series([1, 2, 3, 4, 5, 6]))


@pytest.mark.parametrize(
    "derive, expected",
    [(lambda df: df["label"].map({"a": 0, "b": 1}), [0, 1, 0, 1]),
     (lambda df: df["label"] == "a", [True, False, True, False]),
     (lambda df: df["label"].astype("category"), ["a", "b", "a", "b"]),
     (lambda df: df["label"] + "_" + df["session"], ["a_s1", "b_s1", "a_s2", "b_s2"])],
)  # fmt: skip
@pytest.mark.parametrize("first_id", [0, 1])
@pytest.mark.parametrize("what", ["y", "groups"])
def test_per_row_series_derived_from_columns_are_read_row_by_row(derive, expected, first_id, what):
    # the ids are row labels of the default RangeIndex too: the Series has the frame's
    # (unnamed) index, so it is one value per row, whatever the id table would say
    df = pd.DataFrame({"id": np.repeat(np.arange(4) + first_id, 3), "time": np.tile([0, 1, 2], 4),
                       "x": np.arange(12.0), "label": np.repeat(["a", "b", "a", "b"], 3),
                       "session": np.repeat(["s1", "s1", "s2", "s2"], 3)})  # fmt: skip
    for frame in (df, df.sample(frac=1, random_state=0)):
        seq = long_to_sequences(frame, **VALUE, column_value="x", **{what: derive(frame)})
        assert getattr(seq, what).tolist() == expected


def test_label_series_of_a_larger_frame_is_aligned_by_index_or_refused(path):
    # df["lab"] of the frame before dropna(): its index holds every remaining row label.
    df = _df(id=[0, 0, 0, 1, 1, 1, 2, 2, 2], time=[0, 1, 2] * 3,
             x=[1.0, 2, 3, 4, np.nan, 6, 7, 8, 9],
             lab=["L0"] * 3 + ["L1"] * 3 + ["L2"] * 3)  # fmt: skip
    kept = df.dropna()
    # ids 0..2 are also row labels: read as a table by id it would give L0 to every sample
    with pytest.raises(ValueError, match="could be a per-row Series of a larger frame"):
        long_to_sequences(kept, **VALUE, column_value="x", y=df["lab"])
    assert long_to_sequences(
        kept, **VALUE, column_value="x", y=df["lab"].loc[kept.index]
    ).y.tolist() == ["L0", "L1", "L2"]
    # ids that are not row labels: no ambiguity, the Series is aligned by index
    other = df.assign(id=df["id"] + 10)
    got = long_to_sequences(other.dropna(), **VALUE, column_value="x", y=other["lab"])
    assert got.y.tolist() == ["L0", "L1", "L2"]
    # a table by id whose index also holds the row labels, and both readings agree
    same = pd.Series(["s"] * 9, index=df.index)
    assert long_to_sequences(kept, **VALUE, column_value="x", y=same).y.tolist() == ["s"] * 3
    # an id table that does not hold every row label stays a table
    table = pd.Series(["A", "B", "C"], index=[0, 1, 2])
    assert long_to_sequences(kept, **VALUE, column_value="x", y=table).y.tolist() == ["A", "B", "C"]


def test_to_long_never_overwrites_a_column_with_predictions():
    df = _df(id=[1, 1, 2], time=[0, 1, 0], x=[1.0, 2, 3], lab=["a", "a", "b"])
    seq = long_to_sequences(df, **VALUE, column_value="x", y="lab")
    for kwargs in (
        {"predictions": [5, 6], "column_prediction": "x"},
        {"predictions": [5, 6], "column_prediction": "lab"},
        {"predictions": pd.DataFrame({"id": [9, 9]})},
    ):
        with pytest.raises(ValueError, match="Two columns of the long table would both be named"):
            seq.to_long(**kwargs)
    with pytest.raises(ValueError, match=r"got \(2, 3\); pass several outputs .* DataFrame"):
        seq.to_long(predictions=np.zeros((2, 3)))


def test_sequences_to_long_rejects_clashing_or_repeated_names_and_keeps_multiindex():
    X = np.ones((2, 1, 2))
    with pytest.raises(ValueError, match="would both be named 'time'"):
        sequences_to_long(X, channels=["time"])
    with pytest.raises(ValueError, match="would both be named 't'"):
        sequences_to_long(X, column_id="t", column_sort="t")
    with pytest.raises(ValueError, match="Channel 'x' is named twice"):
        sequences_to_long(np.ones((2, 2, 2)), channels=["x", "x"])
    ids = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["subject", "trial"])
    out = sequences_to_long(X, ids=ids, channels=["x"])
    assert out.columns.tolist() == ["subject", "trial", "time", "x"]
    assert out["subject"].tolist() == ["a", "a", "b", "b"]


def test_row_order_steps_get_a_free_column_name():
    # Without column_sort a column called "time" is a channel; the step numbers that
    # to_long adds must not overwrite it.
    df = _df(id=[1, 1, 2], time=[5.0, 6.0, 7.0], x=[1.0, 2, 3])
    seq = long_to_sequences(df, column_id="id")
    assert seq.channels.tolist() == ["time", "x"]
    back = seq.to_long()
    assert back.columns.tolist() == ["id", "time", "x", "time_1"]
    pd.testing.assert_frame_equal(back[["id", "time", "x"]], df)
    assert back["time_1"].tolist() == [0, 1, 0]


def test_repr():
    seq = long_to_sequences(tsfresh_frame(), **KIND)
    assert repr(seq) == "Sequences(n_samples=4, n_channels=2, n_timesteps=5, y=no, groups=no)"
    assert isinstance(seq, Sequences)


# --------------------------------------------------------------------------- bad input
def _df(**cols):
    return pd.DataFrame(cols)


def _dup_value_layout():
    return _df(id=[1, 1, 2, 1], time=[0, 1, 0, 1], x=[1.0, 2.0, 3.0, 4.0])


def _dup_kind_layout():
    df = tsfresh_frame(n_ids=3, shuffle=False)
    return pd.concat([df, df.iloc[[7]]], ignore_index=True)


def _categorical_unused():
    ids = pd.Categorical(["b", "b", "a"], categories=["z", "a", "b", "c"])
    return _df(id=ids, time=[0, 1, 0], x=[1.0, 2.0, 3.0])


def _multiindex_columns():
    return pd.DataFrame({("meta", "id"): [1, 1, 2], ("meta", "t"): [0, 1, 0],
                         ("acc", "x"): [1.0, 2, 3], ("acc", "y"): [4.0, 5, 6]})  # fmt: skip


def _time_indexed():
    stamps = ["2020-01-03", "2020-01-01", "2020-01-02", "2020-01-01"]
    index = pd.DatetimeIndex(stamps, name="timestamp")
    return pd.DataFrame({"id": [1, 1, 1, 2], "x": [3.0, 1, 2, 9]}, index=index)


VALUE = {"column_id": "id", "column_sort": "time"}

# (case, frame factory, kwargs, exception, message regex). Each message names the column
# and the first offending id (or row, where the id itself is missing).
BAD_INPUT = [
    ("duplicate (id, time)", _dup_value_layout, VALUE, ValueError,
     r"Column 'time' has duplicate values for id 1 \(first at row 1\): rows 1 and 3"),
    ("duplicate (id, time, kind)", _dup_kind_layout, KIND, ValueError,
     r"Column 'time' has duplicate values for id 0 .*rows 7 and 30 both have time 20, kind 'b'"),
    ("NaN id", lambda: _df(id=[1.0, np.nan], time=[0, 1], x=[1.0, 2.0]), VALUE, ValueError,
     r"Column 'id' has missing values \(NaN/None\) at row 1"),
    ("NaN time", lambda: _df(id=[1, 2, 2], time=[0, 0, np.nan], x=[1.0, 2, 3]), VALUE,
     ValueError, r"Column 'time' has missing values \(NaN/None\) for id 2 \(first at row 2\)"),
    ("NaT time", lambda: _df(id=[1, 1], time=pd.to_datetime(["2020", None]), x=[1.0, 2]),
     VALUE, ValueError, r"Column 'time' has missing values .* for id 1 \(first at row 1\)"),
    ("NaN kind", lambda: _df(id=[1, 1], time=[0, 0], kind=["a", None], value=[1.0, 2]), KIND,
     ValueError, r"Column 'kind' has missing values \(NaN/None\) for id 1 \(first at row 1\)"),
    ("non-numeric values", lambda: _df(id=[1, 2, 2], time=[0, 0, 1], x=[1.0, 2.0, "a"]),
     VALUE, TypeError, r"Column 'x' has non-numeric values \('a'.*for id 2 \(first at row 2\)"),
    ("string value column", lambda: _df(id=[1, 2], time=[0, 0], x=["1", "2"]), VALUE,
     TypeError, r"Column 'x' has non-numeric values \('1', dtype (str|object)\) for id 1"),
    ("categorical of numbers", lambda: _df(id=[1, 2], time=[0, 0], x=pd.Categorical([1.0, 2.0])),
     VALUE, TypeError, r"Column 'x' has dtype category \(categories of float64\), which is "
     r"not a value dtype.*df\['x'\]\.astype\(float\)"),
    ("complex values", lambda: _df(id=[1, 2], time=[0, 0], x=[1.0 + 1j, 2.0]), VALUE,
     TypeError, r"Column 'x' has complex values \(\(1\+1j\), dtype complex128\) for id 1 .*"
     r"complex values are not supported\. Take the real part \(np.real\) or the magnitude "
     r"\(abs\)"),
    ("complex objects", lambda: _df(id=[1, 2], time=[0, 0], x=pd.Series([1.0, 2j], dtype=object)),
     VALUE, TypeError, r"Column 'x' has complex values \(2j, dtype object\) for id 2"),
    ("empty frame", lambda: _df(id=[], time=[], x=[]), VALUE, ValueError, r"empty \(0 rows\)"),
    ("missing column", lambda: _df(id=[1], tme=[0], x=[1.0]), VALUE, ValueError,
     r"Column 'time' not found in the DataFrame.*Did you mean 'tme'\?"),
    ("mixed-type time", lambda: _df(id=[1, 1, 2], time=pd.Series([0, 1, "2"], dtype=object),
                                    x=[1.0, 2, 3]), VALUE, TypeError,
     r"Column 'time' \(time\) has dtype object .*'2' at id 2 \(first at row 2\)"),
    ("string time", lambda: _df(id=[1, 1], time=["0", "1"], x=[1.0, 2]), VALUE, TypeError,
     r"Column 'time' \(time\) has dtype (str|object) .*pd.to_datetime"),
    ("unordered categorical time", lambda: _df(id=[1], time=pd.Categorical([0]), x=[1.0]),
     VALUE, TypeError, "unordered categorical"),
    ("mixed-type id", lambda: _df(id=pd.Series([1, "1"], dtype=object), time=[0, 0],
                                  x=[1.0, 2]), VALUE, TypeError,
     r"Column 'id' mixes value types: '1' \(str\) for id '1' \(first at row 1\)"),
    ("bool mixed with int ids",
     lambda: _df(id=np.array([1, True, 1, True], dtype=object), time=[0, 0, 1, 1],
                 x=[1.0, 2, 3, 4]), VALUE, TypeError,
     r"Column 'id' mixes value types: True \(bool\) for id True \(first at row 1\), after int "
     r"values"),
    ("tuple ids", lambda: _df(id=[(1, 2), (1, 3), (1, 2), (1, 3)], time=[0, 0, 1, 1],
                              x=[1.0, 2, 3, 4]), VALUE, TypeError,
     r"Column 'id' holds values of type tuple \(such as \(1, 2\) at row 0\), which cannot be "
     r"used as id values; use composite ids \(column_id=\[\.\.\.\]\) or convert them to str"),
    ("+inf value", lambda: _df(id=[1, 2, 2], time=[0, 0, 1], x=[1.0, 2.0, np.inf]), VALUE,
     ValueError, r"Column 'x' has infinite values for id 2 \(first at row 2\)"),
    ("-inf value", lambda: _df(id=[3, 2], time=[0, 0], x=[-np.inf, 1.0]), VALUE, ValueError,
     r"Column 'x' has infinite values for id 3 \(first at row 0\)"),
    ("inf time", lambda: _df(id=[1, 5], time=[0.0, np.inf], x=[1.0, 2.0]), VALUE, ValueError,
     r"Column 'time' \(time\) has infinite values for id 5 \(first at row 1\)"),
    ("beyond float32", lambda: _df(id=[1, 2], time=[0, 0], x=[1.0, 1e300]), VALUE,
     ValueError, r"Column 'x' has values beyond the float32 range for id 2 .*dtype=np.float64"),
    ("label table missing ids", lambda: tsfresh_frame(n_ids=3),
     dict(KIND, y=pd.Series({0: "x", 2: "y"})), ValueError,
     r"The y table has no entry for id 1 \(1 of 3 ids are missing"),
    ("label table duplicate ids", lambda: tsfresh_frame(n_ids=2),
     dict(KIND, y=pd.Series(["x", "y", "z"], index=[0, 1, 1])), ValueError,
     "lists id 1 more than once"),
    ("label table missing value", lambda: tsfresh_frame(n_ids=2),
     dict(KIND, y=pd.Series({0: "x", 1: None})), ValueError,
     "y table has a missing value for id 1"),
    ("label column varies within id", lambda: _df(id=[1, 1, 2], time=[0, 1, 0], x=[1.0, 2, 3],
                                                  lab=["a", "b", "c"]),
     dict(VALUE, y="lab"), ValueError, r"Column 'lab' is not constant within id 1"),
    ("missing label", lambda: _df(id=[1, 2], time=[0, 0], x=[1.0, 2], lab=["a", None]),
     dict(VALUE, y="lab"), ValueError, r"Column 'lab' has a missing y for id 2"),
    ("groups as array", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, groups=np.array([1])), TypeError, "groups must be a column name"),
    ("not a DataFrame", lambda: np.zeros((3, 3)), VALUE, TypeError,
     "expects the long table as a pandas DataFrame.*cannot be a Pipeline step"),
    ("duplicated column name", lambda: pd.DataFrame([[1, 0, 1.0, 2.0]],
                                                    columns=["id", "time", "x", "x"]),
     VALUE, ValueError, "Column 'x' appears more than once"),
    ("value column is the id", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_value=["x", "id"]), ValueError, "both a value and an id"),
    ("value column is the label", lambda: _df(id=[1, 2], time=[0, 0], x=[1.0, 2], lab=[0., 1]),
     dict(VALUE, column_value=["x", "lab"], y="lab"), ValueError,
     "Column 'lab' cannot be both a value column and y"),
    ("value column is the groups", lambda: _df(id=[1, 2], time=[0, 0], x=[1.0, 2], g=[0., 1]),
     dict(VALUE, column_value=["x", "g"], groups="g"), ValueError,
     "Column 'g' cannot be both a value column and groups"),
    ("value column twice", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_value=["x", "x"]), ValueError, "lists column 'x' more than once"),
    ("kind without a single value column", tsfresh_frame, dict(KIND, column_value=None),
     ValueError, "column_value must name the single value column"),
    ("bad dtype", tsfresh_frame, dict(KIND, dtype=np.int64), ValueError, "dtype must be"),
    ("first level of MultiIndex columns", _multiindex_columns,
     {"column_id": "meta", "column_sort": ("meta", "t")}, ValueError,
     r"Column 'meta' is not one column: the DataFrame's columns have 2 levels, and 'meta' "
     r"matches 2 of them \(\('meta', 'id'\), \('meta', 't'\)\)\. Name a column by its full "
     r"tuple, e\.g\. \('meta', 'id'\)"),
    ("first level as value columns", _multiindex_columns,
     {"column_id": ("meta", "id"), "column_sort": ("meta", "t"), "column_value": ["acc"]},
     ValueError, r"Column 'acc' is not one column.*\('acc', 'x'\), \('acc', 'y'\)"),
    ("first level as y", _multiindex_columns,
     {"column_id": ("meta", "id"), "column_sort": ("meta", "t"), "y": "acc"}, ValueError,
     r"Column 'acc' is not one column"),
    ("list of time columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     {"column_id": "id", "column_sort": ["time"]}, TypeError,
     r"column_sort must be one column name, got list \['time'\]"),
    ("list of kind columns", tsfresh_frame, dict(KIND, column_kind=["kind"]), TypeError,
     r"column_kind must be one column name, got list \['kind'\]"),
    ("set of id columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     {"column_id": {"id"}}, TypeError,
     r"column_id must be a column name or a list of column names, got set \{'id'\}"),
    ("set of value columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_value={"x"}), TypeError,
     r"column_value must be a column name or a list of column names, got set"),
    ("dict of value columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_value={"x": 1}), TypeError,
     r"column_value must be a column name or a list of column names, got dict"),
    ("Series of value columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_value=pd.Series(["x"])), TypeError,
     r"column_value must be a column name or a list of column names, got Series;"),
    ("list in the id columns", lambda: _df(id=[1], time=[0], x=[1.0]),
     dict(VALUE, column_id=[["id"]]), TypeError,
     r"column_id must be a list of column names, but it holds list \['id'\]"),
    ("set as the single value column", tsfresh_frame, dict(KIND, column_value={"value"}),
     TypeError, r"column_value must be one column name, got set"),
    ("time in the row index", _time_indexed, {"column_id": "id", "column_sort": "timestamp"},
     ValueError, r"Column 'timestamp' not found in the DataFrame; it has columns \['id', "
     r"'x'\]\. 'timestamp' is the row index: make it a column with df.reset_index\(\) first"),
    ("time in a level of the row index",
     lambda: _time_indexed().set_index("x", append=True),
     {"column_id": "id", "column_sort": "timestamp"}, ValueError,
     r"'timestamp' is a level of the row index: make it a column with df.reset_index\(\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "make, kwargs, exc, match", [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_named_and_frame_untouched(make, kwargs, exc, match, path):
    df = make()
    before = df.copy(deep=True) if isinstance(df, pd.DataFrame) else df.copy()
    with pytest.raises(exc, match=match):
        long_to_sequences(df, **kwargs)
    if isinstance(df, pd.DataFrame):
        pd.testing.assert_frame_equal(df, before)


def test_multiindex_columns_by_full_tuple_still_work():
    seq = long_to_sequences(_multiindex_columns(), column_id=("meta", "id"),
                            column_sort=("meta", "t"))  # fmt: skip
    assert seq.channels.tolist() == [("acc", "x"), ("acc", "y")]
    np.testing.assert_array_equal(seq.X[0], [[1.0, 2.0], [4.0, 5.0]])


def test_a_time_index_that_is_not_read_is_named_when_out_of_order():
    df = _time_indexed()
    with pytest.warns(UserWarning, match=r"column_sort is None, so the rows of each sample are "
                      r"taken in row order and the row index \(DatetimeIndex 'timestamp'\) is "
                      r"not read.*row 1 has 2020-01-01.*after 2020-01-03.*at row 0.*pass "
                      r"df.reset_index\(\) and column_sort='timestamp'"):  # fmt: skip
        seq = long_to_sequences(df, column_id="id")
    np.testing.assert_array_equal(seq.X[0, 0], [3.0, 1.0, 2.0])  # row order, as documented
    fixed = long_to_sequences(df.reset_index(), column_id="id", column_sort="timestamp")
    np.testing.assert_array_equal(fixed.X[0, 0], [1.0, 2.0, 3.0])
    deltas = df.set_axis(pd.to_timedelta([3, 1, 2, 1], unit="s"))  # a TimedeltaIndex too
    with pytest.warns(UserWarning, match=r"row index \(TimedeltaIndex\) is not read"):
        long_to_sequences(deltas, column_id="id")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # increasing within every sample (and kind): silent
        long_to_sequences(df.sort_index(), column_id="id")
        kinds = pd.DataFrame({"id": [1] * 4, "kind": ["a", "a", "b", "b"], "v": [1.0, 2, 3, 4]},
                             index=pd.to_datetime(["2020-01-01", "2020-01-02"] * 2))  # fmt: skip
        long_to_sequences(kinds, column_id="id", column_kind="kind", column_value="v")


def test_a_time_index_that_repeats_a_stamp_is_not_warned_about():
    # each sample's session date: constant within a sample says nothing about the order,
    # as sliding_windows reads it too
    x = {"id": [0, 0, 1, 1], "x": [1.0, 2, 3, 4]}
    dates = pd.DatetimeIndex(["2020-01-01"] * 2 + ["2020-02-01"] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long_to_sequences(pd.DataFrame(x, index=dates), column_id="id")
        sliding_windows(pd.DataFrame(x, index=dates)[["x"]], size=2)
    # a stamp that decreases within a sample (after an equal one) is
    back = pd.DatetimeIndex(["2020-01-02", "2020-01-02", "2020-01-01", "2020-01-03"])
    x = {"id": [0, 0, 0, 1], "x": [1.0, 2, 3, 4]}
    with pytest.warns(UserWarning, match=r"row index \(DatetimeIndex\) is not read, but it "
                      r"decreases within a sample: row 2 has 2020-01-01.*, after 2020-01-02.* at "
                      r"row 1 of the same sample"):  # fmt: skip
        long_to_sequences(pd.DataFrame(x, index=back), column_id="id")


def test_duplicates_are_never_averaged_on_the_sparse_kind_path(monkeypatch):
    force_sparse(monkeypatch)
    df = _dup_kind_layout()
    df.loc[len(df) - 1, "value"] = 123.0
    with pytest.raises(ValueError, match="rows 7 and 30"):
        long_to_sequences(df, **KIND)


def test_unsorted_rows_are_sorted_correctly(path):
    df = tsfresh_frame(shuffle=False)
    shuffled = df.sample(frac=1, random_state=3)
    a = long_to_sequences(df, **KIND)
    b = long_to_sequences(shuffled, **KIND)
    np.testing.assert_array_equal(a.X, b.X)
    # the frame's own index order plays no part either
    c = long_to_sequences(shuffled.sort_index(ascending=False), **KIND)
    np.testing.assert_array_equal(a.X, c.X)


def test_nan_values_are_kept_as_missing(path):
    df = _df(id=[1, 1, 1], time=[0, 1, 2], x=[1.0, np.nan, 3.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    np.testing.assert_array_equal(seq.X[0, 0], [1, np.nan, 3])
    assert seq.lengths.tolist() == [3]
    pd.testing.assert_frame_equal(seq.to_long(), df)  # the NaN row survives the round trip


def test_nullable_integer_values_with_missing():
    df = _df(id=[1, 1], time=[0, 1], x=pd.array([5, None], dtype="Int64"))
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    np.testing.assert_array_equal(seq.X[0, 0], [5, np.nan])


def test_categorical_ids_with_unused_categories_make_no_phantom_samples(path):
    seq = long_to_sequences(_categorical_unused(), column_id="id", column_sort="time")
    assert seq.ids.tolist() == ["a", "b"]  # category order, only observed ones
    assert seq.X.shape == (2, 1, 2)
    np.testing.assert_array_equal(seq.X[:, 0], [[3, np.nan], [1, 2]])


def test_categorical_kind_with_unused_categories_makes_no_phantom_channels():
    df = tsfresh_frame(n_ids=2)
    df["kind"] = pd.Categorical(df["kind"], categories=["zz", "b", "a"])
    seq = long_to_sequences(df, **KIND)
    assert seq.channels.tolist() == ["b", "a"]


def test_one_time_step_is_a_sequence_of_length_one(path):
    df = _df(id=[2, 1], time=[7, 7], x=[2.0, 1.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    assert seq.X.shape == (2, 1, 1)
    np.testing.assert_array_equal(seq.X[:, 0, 0], [1, 2])


@pytest.mark.parametrize("as_object", [False, True])
def test_integer_ids_beyond_int64_stay_exact(as_object, path):
    big = [2**64 - 1, 2**63, 2**63 + 1]
    ids = pd.Series(big, dtype=object) if as_object else pd.Series(big, dtype=np.uint64)
    df = _df(id=ids, time=[0, 0, 0], x=[3.0, 1.0, 2.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    assert [int(i) for i in seq.ids] == sorted(big)  # no wrap-around, no float collisions
    np.testing.assert_array_equal(seq.X[:, 0, 0], [1, 2, 3])


def test_integer_ids_with_negative_and_huge_values():
    df = _df(id=[-(2**62), 2**62, 0], time=[0, 0, 0], x=[1.0, 2.0, 3.0])
    seq = long_to_sequences(df, column_id="id", column_sort="time")
    assert seq.ids.tolist() == [-(2**62), 0, 2**62]
    np.testing.assert_array_equal(seq.X[:, 0, 0], [1, 3, 2])


def test_error_message_names_composite_id():
    df = imu_frame()
    df.loc[5, "acc_y"] = np.inf
    subject, trial = df.loc[5, "subject"], df.loc[5, "trial"]
    with pytest.raises(ValueError, match=re.escape(f"id ('{subject}', {trial}) (first at row 5)")):
        long_to_sequences(
            df,
            column_id=["subject", "trial"],
            column_sort="timestamp",
            column_value=["acc_x", "acc_y", "acc_z"],
        )


def test_dataframe_never_modified_on_success(path):
    df = imu_frame()
    before = df.copy(deep=True)
    seq = long_to_sequences(
        df,
        column_id=["subject", "trial"],
        column_sort="timestamp",
        column_value=["acc_x", "acc_y", "acc_z"],
        y="activity",
        dtype=np.float64,
    )
    seq.X[:] = 0  # the result does not share memory with the frame
    seq.to_long()
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------------- properties
@st.composite
def long_frames(draw):
    n_ids = draw(st.integers(1, 5))
    n_channels = draw(st.integers(1, 3))
    rows = []
    for i in draw(
        st.lists(st.integers(-(2**40), 2**40), min_size=n_ids, max_size=n_ids, unique=True)
    ):
        times = draw(st.lists(st.integers(-50, 50), min_size=1, max_size=7, unique=True))
        for t in times:
            values = draw(
                st.lists(
                    st.floats(width=32, allow_infinity=False),
                    min_size=n_channels,
                    max_size=n_channels,
                )
            )
            rows.append((i, t, *values))
    columns = ["id", "time"] + [f"c{k}" for k in range(n_channels)]
    df = pd.DataFrame(rows, columns=columns)
    df[columns[2:]] = df[columns[2:]].astype(np.float32)
    order = draw(st.permutations(range(len(df))))
    return df.iloc[list(order)].reset_index(drop=True)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@settings(max_examples=40, deadline=None)
@given(df=long_frames())
def test_property_round_trip_is_exact(df, sparse):
    with pytest.MonkeyPatch.context() as mp:
        if sparse:
            force_sparse(mp)
        seq = long_to_sequences(df, column_id="id", column_sort="time")
        back = seq.to_long()
    expected = df.sort_values(["id", "time"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_exact=True)


@settings(max_examples=30, deadline=None)
@given(
    n_ids=st.integers(1, 4),
    n_steps=st.integers(1, 5),
    kinds=st.lists(st.sampled_from("abcd"), min_size=1, max_size=3, unique=True),
    seed=st.integers(0, 2**16),
)
def test_property_kind_layout_round_trip_is_exact(n_ids, n_steps, kinds, seed):
    df = tsfresh_frame(n_ids, tuple(kinds), n_steps, seed=seed)
    seq = long_to_sequences(df, **KIND, dtype=np.float64)
    expected = df.sort_values(["id", "kind", "time"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(seq.to_long(), expected, check_exact=True)


@settings(max_examples=40, deadline=None)
@given(df=long_frames(), data=st.data())
def test_property_shuffling_rows_does_not_change_X(df, data):
    order = data.draw(st.permutations(range(len(df))))
    shuffled = df.iloc[list(order)]
    a = long_to_sequences(df, column_id="id", column_sort="time")
    b = long_to_sequences(shuffled, column_id="id", column_sort="time")
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.time_codes, b.time_codes)
    assert a.ids.equals(b.ids)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_sequences_to_long_refuses_infinite_values_and_names_where(bad):
    X = np.array([[[1.0, 2.0, 3.0]], [[4.0, bad, np.nan]]])
    with pytest.raises(ValueError, match=r"±inf \(first at sample 1.*step 1"):
        sequences_to_long(X)
    assert np.isinf(X[1, 0, 1])  # the caller's array is untouched
    assert len(sequences_to_long(np.nan_to_num(X, posinf=0.0, neginf=0.0))) == 6


def test_did_you_mean_compares_without_case():
    # To difflib 'acc_Y' is as close to 'acc_x' and 'acc_z' as to 'acc_y'.
    df = pd.DataFrame({"id": [1, 1], "acc_x": [1.0, 2], "acc_y": [3.0, 4], "acc_z": [5.0, 6]})
    with pytest.raises(ValueError, match=r"Column 'acc_Y' not found.*Did you mean 'acc_y'\?"):
        long_to_sequences(df, column_id="id", column_value=["acc_x", "acc_Y"])
    with pytest.raises(ValueError, match=r"Did you mean 'acc_x'\?"):
        long_to_sequences(df, column_id="id", column_value=["ACC_X"])


def test_a_series_cannot_be_aligned_to_a_row_index_that_repeats_labels():
    # pd.concat without ignore_index: labels 0, 1, 0, 1; a sorted copy of the label
    # column has the same labels in another order and was read by position
    from seqpool_sklearn import sliding_windows

    a = pd.DataFrame({"id": ["a", "a"], "t": [0, 1], "v": [1.0, 2], "lab": ["x", "x"]})
    b = pd.DataFrame({"id": ["b", "b"], "t": [0, 1], "v": [3.0, 4], "lab": ["y", "y"]})
    df = pd.concat([a, b])
    shuffled = df["lab"].sort_values(ascending=False)
    with pytest.raises(ValueError, match="row index repeats labels \\(such as 0, e.g. after pd"):
        long_to_sequences(df, column_id="id", column_sort="t", column_value=["v"], y=shuffled)
    with pytest.raises(ValueError, match="Reset the index first"):
        sliding_windows(df, size=2, columns="v", by="id", target=shuffled)
    # the column itself is read row for row, as before
    seq = long_to_sequences(df, column_id="id", column_sort="t", column_value=["v"], y=df["lab"])
    assert seq.y.tolist() == ["x", "y"]
    assert sliding_windows(df, size=2, columns="v", by="id", target=df["lab"]).y.tolist() == [
        "x",
        "y",
    ]


def test_a_label_series_that_only_shares_a_columns_name_is_named_in_the_error():
    df = pd.DataFrame(
        {"id": ["a", "a", "b", "b"], "t": [0, 1, 0, 1], "v": [1.0, 2, 3, 4], "lab": list("xxyy")}
    )
    other = pd.Series(["y", "y", "x", "x"], name="lab")  # not the column: it stays a channel
    with pytest.raises(TypeError, match="The y Series is named 'lab' but does not hold") as info:
        long_to_sequences(df, column_id="id", column_sort="t", y=other)
    assert "pass y='lab' to use the column" in str(info.value)


@pytest.mark.parametrize("what", ["y", "groups"])
@pytest.mark.parametrize("lose", [lambda s: s.reset_index(drop=True),
                                  lambda s: pd.Series(s.to_numpy())])  # fmt: skip
def test_per_row_series_that_lost_its_index_is_not_read_as_an_id_table(what, lose):
    # a filtered table (row labels 2..7, ids 1..3) and its per-row values with the index
    # reset: the index 0..5 also holds the ids, and read as a table by id it gave id 3 the
    # value of row 3 (id 1's), without a word
    full = pd.DataFrame({"id": np.repeat([0, 1, 2, 3], 2), "time": [0, 1] * 4,
                         "x": np.arange(8.0), "label": list("aabbaabb"),
                         "subj": np.repeat(["s1", "s2", "s3", "s4"], 2)})  # fmt: skip
    df = full[full["x"] >= 2]
    column = {"y": "label", "groups": "subj"}[what]
    truth = long_to_sequences(df, **VALUE, column_value="x", **{what: column})
    assert getattr(truth, what).tolist() == (["b", "a", "b"] if what == "y" else ["s2", "s3", "s4"])
    with pytest.raises(ValueError, match=r"has one value per row of the DataFrame but the index "
                       r"0\.\.5, not the DataFrame's row labels .*read row by row .*, read as a "
                       r"table indexed by id .*pd\.Series\(values, index=df\.index\)"):  # fmt: skip
        long_to_sequences(df, **VALUE, column_value="x", **{what: lose(df[column])})
    # the advice works
    fixed = pd.Series(lose(df[column]).to_numpy(), index=df.index)
    got = long_to_sequences(df, **VALUE, column_value="x", **{what: fixed})
    assert getattr(got, what).tolist() == getattr(truth, what).tolist()


def test_a_table_by_id_on_a_range_index_is_still_read_as_one():
    df = pd.DataFrame({"id": np.repeat([0, 1, 2, 3], 2), "time": [0, 1] * 4, "x": np.arange(8.0)})
    kept = df[df["x"] >= 2]  # ids 1..3, row labels 2..7
    # six values per id-table entry would not be constant within an id row by row: a table
    table = pd.Series(["p", "q", "r", "s", "t", "u"])
    assert long_to_sequences(kept, **VALUE, column_value="x", y=table).y.tolist() == ["q", "r", "s"]
    # both readings agree: the same values either way
    same = pd.Series(["k"] * 6)
    assert long_to_sequences(kept, **VALUE, column_value="x", y=same).y.tolist() == ["k"] * 3
    # ids 6..8 are not in the index 0..5, so it is no table by id: per-row values whose
    # index was reset are refused with the way to pass them, not read by position
    shifted = kept.assign(id=kept["id"] + 5)
    with pytest.raises(ValueError, match="not the DataFrame's row labels"):
        long_to_sequences(shifted, **VALUE, column_value="x", y=pd.Series(list("bbaabb")))


def test_a_per_row_series_that_is_no_id_table_says_so():
    df = pd.DataFrame({"id": np.repeat([0, 1, 2, 3], 2), "time": [0, 1] * 4, "x": np.arange(8.0)})
    kept = df[df["x"] >= 2].assign(id=lambda d: d["id"] + 5)  # ids 6..8, row labels 2..7
    with pytest.raises(
        ValueError,
        match=r"not the DataFrame's row labels \(such as 2\), and it "
        "does not hold every id, so it is no table indexed by id either",
    ) as error:
        long_to_sequences(kept, **VALUE, column_value="x", y=pd.Series(list("bbaabb")))
    assert "two readings" not in str(error.value)  # fmt: skip
