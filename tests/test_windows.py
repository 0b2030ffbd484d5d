"""Sliding windows and the leak-free cross-validation recipes."""

import datetime
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold, TimeSeriesSplit

from seqpool_sklearn import Windows, sliding_windows


def recording(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": np.arange(n) * 0.5,
            "acc_x": rng.normal(size=n),
            "acc_y": rng.normal(size=n),
            "label": np.where(np.arange(n) % 10 < 6, "walk", "run"),
        }
    )


def test_windows_match_a_plain_loop():
    df = recording()
    w = sliding_windows(df, size=8, step=3, time="t", target="label")
    values = df[["acc_x", "acc_y"]].to_numpy(np.float32)
    starts = range(0, len(df) - 8 + 1, 3)
    assert w.X.shape == (len(starts), 2, 8)
    for k, s in enumerate(starts):
        np.testing.assert_array_equal(w.X[k], values[s : s + 8].T)
        assert w.y[k] == df["label"].iloc[s + 7]  # label at the window's end
        assert w.start[k] == df["t"].iloc[s]
        assert w.end[k] == df["t"].iloc[s + 7]
    assert w.channels.tolist() == ["acc_x", "acc_y"]
    assert w.groups is None
    assert repr(w) == f"Windows(n_windows={len(starts)}, n_channels=2, size=8, gap=2)"
    assert isinstance(w, Windows)


def test_majority_label_and_tie_rule():
    labels = np.array(["b", "b", "a", "a", "a", "b"])
    w = sliding_windows(np.zeros(6), size=3, step=1, target=labels, rule="majority")
    assert w.y.tolist() == ["b", "a", "a", "a"]
    w = sliding_windows(np.zeros(4), size=2, step=2, target=["b", "a", "a", "a"], rule="majority")
    assert w.y.tolist() == ["a", "a"]  # tie (one b, one a) goes to the smallest label


def test_horizon_target_and_dropped_tail():
    x = np.arange(10.0)
    w = sliding_windows(x, size=3, step=2, target=x * 10, rule="horizon", horizon=2)
    # windows start at 0, 2, 4; the one at 6 would need the target at step 10
    assert w.start.tolist() == [0, 2, 4]
    assert w.y.tolist() == [40.0, 60.0, 80.0]
    assert w.gap == 2  # ceil((3 + 2) / 2) - 1


def test_unsorted_rows_are_put_in_time_order_and_frame_untouched():
    df = recording()
    shuffled = df.sample(frac=1, random_state=0)
    before = shuffled.copy(deep=True)
    a = sliding_windows(df, size=5, step=5, time="t", target="label")
    b = sliding_windows(shuffled, size=5, step=5, time="t", target="label")
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.start, b.start)
    pd.testing.assert_frame_equal(shuffled, before)


def test_target_series_is_aligned_by_index():
    df = recording(n=12).sample(frac=1, random_state=1)  # shuffled rows, shuffled index
    by_name = sliding_windows(df, size=4, step=2, time="t", columns="acc_x", target="label")
    for target in (df["label"], df["label"].sort_index()):
        w = sliding_windows(df, size=4, step=2, time="t", columns="acc_x", target=target)
        np.testing.assert_array_equal(w.y, by_name.y)
    with pytest.raises(ValueError, match="index differs from the recording's"):
        sliding_windows(df, size=4, columns="acc_x", target=df["label"].set_axis(range(100, 112)))


def test_target_passed_as_the_columns_values_is_not_a_channel():
    rec = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "label": [0, 1, 1, 0, 1]})
    by_name = sliding_windows(rec, size=2, target="label")
    w = sliding_windows(rec, size=2, target=rec["label"])
    assert w.channels.tolist() == by_name.channels.tolist() == ["x"]
    np.testing.assert_array_equal(w.X, by_name.X)
    np.testing.assert_array_equal(w.y, by_name.y)
    # a Series that only shares the name is not the column
    w = sliding_windows(rec, size=2, target=(rec["x"] > 2).rename("label"))
    assert w.channels.tolist() == ["x", "label"]


@pytest.mark.parametrize("rule", ["end", "majority"])
def test_target_column_as_a_value_column_is_refused_unless_forecasting(rule):
    rec = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "label": [0, 1, 1, 0, 1]})
    with pytest.raises(ValueError, match="cannot be both a value column and the target"):
        sliding_windows(rec, size=2, columns=["x", "label"], target="label", rule=rule)
    with pytest.raises(ValueError, match="cannot be both a value column and the target"):
        sliding_windows(rec, size=2, columns=["x", "label"], target=rec["label"], rule=rule)
    # forecasting may read the target's past values
    w = sliding_windows(rec, size=2, columns=["x", "label"], target="label", rule="horizon")
    assert w.channels.tolist() == ["x", "label"]


def test_columns_as_an_index_or_array_and_repeated_columns():
    rec = pd.DataFrame({"x": [1.0, 2, 3, 4], "z": [5.0, 6, 7, 8], "label": [0, 1, 1, 0]})
    expected = sliding_windows(rec, size=2, columns=["z", "x"])
    for names in (pd.Index(["z", "x"]), np.array(["z", "x"])):
        w = sliding_windows(rec, size=2, columns=names)
        np.testing.assert_array_equal(w.X, expected.X)
    with pytest.raises(ValueError, match="columns lists column 'x' more than once"):
        sliding_windows(rec, size=2, columns=["x", "x"])


def test_series_recording_keeps_its_index_for_a_target_series():
    idx = pd.date_range("2020", periods=5)
    rec = pd.Series([1.0, 2, 3, 4, 5], index=idx)
    target = pd.Series([0, 1, 0, 1, 0], index=idx)
    w = sliding_windows(rec, size=2, target=target)
    np.testing.assert_array_equal(w.y, [1, 0, 1, 0])
    w = sliding_windows(rec, size=2, target=target.iloc[::-1])  # aligned by index
    np.testing.assert_array_equal(w.y, [1, 0, 1, 0])


def test_values_beyond_float32_are_an_error_not_inf():
    rec = np.array([1.0, 1e300, 3.0])
    with pytest.raises(ValueError, match=r"beyond the float32 range for row 1 \(1e\+300\)"):
        sliding_windows(rec, size=2)
    assert sliding_windows(rec, size=2, dtype=np.float64).X[0, 0, 1] == 1e300


def _positions(w, horizon=0):
    """Rows each window touches: its steps, plus its target for horizon targets."""
    return w.start, w.end + horizon


@pytest.mark.parametrize(
    "size, step, rule, horizon",
    [(10, 1, "end", 1), (10, 3, "majority", 1), (7, 7, "end", 1), (6, 4, "horizon", 3)],
)
def test_timeseriessplit_recipe_never_overlaps(size, step, rule, horizon):
    """Documented recipe: TimeSeriesSplit(gap=windows.gap) on windows in time order."""
    n = 200
    target = np.arange(n) % 3 if rule != "horizon" else np.arange(n, dtype=float)
    w = sliding_windows(
        np.random.default_rng(0).normal(size=(n, 2)),
        size=size,
        step=step,
        target=target,
        rule=rule,
        horizon=horizon,
    )
    extra = horizon if rule == "horizon" else 0
    first, last = _positions(w, extra)

    def worst_overlap(gap):
        worst = -np.inf
        for train, test in TimeSeriesSplit(n_splits=5, gap=gap).split(w.X):
            worst = max(worst, last[train].max() - first[test].min() + 1)
        return worst

    assert worst_overlap(w.gap) <= 0  # no test window shares a step with training windows
    if w.gap > 0:  # and the gap is the smallest that works
        assert worst_overlap(w.gap - 1) > 0


def test_groupkfold_by_subject_recipe():
    rng = np.random.default_rng(1)
    frames = []
    for subject in range(6):
        n = 30 + 7 * subject
        frames.append(
            pd.DataFrame(
                {
                    "subject": f"s{subject}",
                    "t": rng.permutation(n),
                    "value": np.full(n, float(subject)),  # identifies the subject in X
                    "label": rng.integers(0, 2, n),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True).sample(frac=1, random_state=0)
    w = sliding_windows(df, size=10, step=5, time="t", target="label", by="subject")
    # windows never cross from one recording into the next
    owner = w.X[:, 0, :]
    assert (owner == owner[:, :1]).all()
    assert [f"s{int(v)}" for v in owner[:, 0]] == w.groups.tolist()
    # start counts within each recording, per subject in time order
    for subject in np.unique(w.groups):
        starts = w.start[w.groups == subject]
        assert starts.tolist() == list(range(0, 30 + 7 * int(subject[1:]) - 10 + 1, 5))
    for train, test in GroupKFold(n_splits=3).split(w.X, w.y, groups=w.groups):
        assert not set(w.groups[train]) & set(w.groups[test])


def _set(column, row, value):
    """A frame factory that puts ``value`` at ``row`` of ``column``."""
    return lambda d: d.assign(**{column: d[column].where(d.index != row, value)})


BAD = [
    ("size too large", {"size": 50}, ValueError, "No window fits: the longest recording has 40"),
    ("size zero", {"size": 0}, ValueError, "size must be an integer >= 1"),
    ("step float", {"size": 3, "step": 1.5}, ValueError, "step must be an integer"),
    ("bad rule", {"size": 3, "rule": "first"}, ValueError, "rule must be one of"),
    ("duplicate time", {"size": 3, "time": "t", "frame": _set("t", 3, 0.5)}, ValueError,
     r"Column 't' has duplicate values for row 1: rows 1 and 3 both have time 0.5"),
    ("NaN time", {"size": 3, "time": "t", "frame": _set("t", 4, np.nan)}, ValueError,
     r"Column 't' has missing values \(NaN/None\) for row 4"),
    ("inf value", {"size": 3, "frame": _set("acc_x", 2, np.inf)}, ValueError,
     r"Column 'acc_x' has infinite values for row 2"),
    ("non-numeric value", {"size": 3, "columns": ["acc_x", "label"]}, TypeError,
     r"Column 'label' has non-numeric values \('walk'"),
    ("missing label", {"size": 3, "target": "label", "frame": _set("label", 5, None)},
     ValueError, "Column 'label' has a missing label"),
    ("missing column", {"size": 3, "time": "tt"}, ValueError, "Did you mean 't'"),
    ("time without a frame", {"size": 3, "time": "t", "frame": lambda d: d.acc_x.to_numpy()},
     ValueError, "need a DataFrame"),
    ("empty", {"size": 3, "frame": lambda d: d.iloc[:0]}, ValueError, "The recording is empty"),
    ("horizon without target", {"size": 3, "rule": "horizon"}, ValueError,
     'rule="horizon" forecasts a target, but target is None'),
    ("text target for horizon", {"size": 3, "columns": ["acc_x"], "target": "label",
                                 "rule": "horizon"}, TypeError,
     r"rule='horizon' forecasts a numeric target; column 'label' holds 'walk' \(str\) for "
     r"row 0\. Convert it with pd.to_numeric, or use rule='end'"),
    ("mixed list target for horizon", {"size": 3, "columns": ["acc_x"], "rule": "horizon",
                                       "target": [1.0] * 39 + ["a"]}, TypeError,
     r"target holds 'a' \(str\) for row 39\."),
    ("2D target", {"size": 3, "columns": ["acc_x"], "target": np.zeros((40, 2))}, ValueError,
     r"target must have shape \(40,\), got \(40, 2\)"),
    ("ragged target", {"size": 3, "columns": ["acc_x"], "target": [[0.0]] * 39 + [[0.0, 1.0]]},
     ValueError, r"target must have shape \(40,\), one value per row; got ragged rows"),
    ("inf in a recording", {"size": 3, "by": "label", "frame": _set("acc_y", 8, -np.inf)},
     ValueError, r"Column 'acc_y' has infinite values for recording 'run' \(first at row 8\)"),
    ("empty array", {"size": 2, "frame": lambda d: np.zeros(0)}, ValueError,
     r"The recording is empty \(shape \(0,\)\); sliding_windows needs at least one row"),
    ("empty list", {"size": 2, "frame": lambda d: []}, ValueError, "The recording is empty"),
    ("empty 2D array", {"size": 2, "frame": lambda d: np.zeros((0, 3))}, ValueError,
     r"The recording is empty \(shape \(0, 3\)\)"),
    ("no channels", {"size": 2, "frame": lambda d: np.zeros((5, 0))}, ValueError,
     r"recording has 0 channels \(shape \(5, 0\)\); sliding_windows needs at least one"),
    ("ragged list", {"size": 1, "frame": lambda d: [[1.0, 2.0], [1.0]]}, ValueError,
     r"recording is ragged \(row 0 has 2 values, row 1 has 1\)"),
    ("text in a list", {"size": 1, "frame": lambda d: [1.0, "a"]}, TypeError,
     r"Column 'channel0' has non-numeric values \('a', .*for row 1"),
]  # fmt: skip


@pytest.mark.parametrize("kwargs, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input(kwargs, exc, match):
    kwargs = dict(kwargs)
    df = kwargs.pop("frame", lambda d: d)(recording())
    before = df.copy()
    if "columns" not in kwargs and isinstance(df, pd.DataFrame) and "target" not in kwargs:
        kwargs["columns"] = ["acc_x", "acc_y"]
    with pytest.raises(exc, match=match):
        sliding_windows(df, **kwargs)
    if isinstance(df, pd.DataFrame):
        pd.testing.assert_frame_equal(df, before)


def test_a_list_target_keeps_each_labels_type():
    # np.asarray([1, "a"]) would turn the label 1 into "1"; the classifier then refuses the mix
    w = sliding_windows(np.arange(6.0), size=2, step=2, target=[1, 1, "a", "a", 2, 2])
    assert w.y.tolist() == [1, "a", 2]
    assert [type(v) for v in w.y] == [int, str, int]


def test_max_gap_cuts_the_recording_at_gaps_in_time():
    # a sensor off between t=3 and t=10: without max_gap three windows span the gap
    rec = pd.DataFrame(
        {"t": [13, 0, 1, 2, 3, 10, 11, 12, 14], "x": [7.0, 0, 1, 2, 3, 4, 5, 6, 8]}
    ).assign(lab=list("baaaabbbb"))
    before = rec.copy()
    spanning = sliding_windows(rec, size=3, time="t", columns="x", target="lab")
    assert spanning.start.tolist() == [0, 1, 2, 3, 10, 11, 12]
    w = sliding_windows(rec, size=3, time="t", columns="x", target="lab", max_gap=1)
    assert w.X[:, 0].tolist() == [[0, 1, 2], [1, 2, 3], [4, 5, 6], [5, 6, 7], [6, 7, 8]]
    assert w.start.tolist() == [0, 1, 10, 11, 12] and w.end.tolist() == [2, 3, 12, 13, 14]
    assert w.y.tolist() == ["a", "a", "b", "b", "b"]
    pd.testing.assert_frame_equal(rec, before)
    # a forecast target does not cross the gap either; a gap of exactly max_gap is no gap
    w = sliding_windows(rec, size=2, time="t", columns="x", target="x", rule="horizon", max_gap=1)
    assert w.X[:, 0].tolist() == [[0, 1], [1, 2], [4, 5], [5, 6], [6, 7]]
    assert w.y.tolist() == [2, 3, 6, 7, 8]
    assert len(sliding_windows(rec, size=3, time="t", columns="x", max_gap=7).X) == 7
    # per recording of `by`, and datetimes with a time difference
    two = pd.concat([rec.assign(s="a"), rec.assign(s="b")], ignore_index=True)
    w = sliding_windows(two, size=3, time="t", columns="x", by="s", max_gap=1.5)
    assert w.groups.tolist() == ["a"] * 5 + ["b"] * 5
    stamped = rec.assign(t=pd.Timestamp("2024-01-01") + pd.to_timedelta(rec["t"], unit="min"))
    for gap in ("90s", pd.Timedelta(minutes=1), np.timedelta64(60, "s")):
        w = sliding_windows(stamped, size=3, time="t", columns="x", max_gap=gap)
        assert w.X[:, 0].tolist() == [[0, 1, 2], [1, 2, 3], [4, 5, 6], [5, 6, 7], [6, 7, 8]]
    # Python datetimes across a daylight-saving change (two UTC offsets) are instants:
    # 01:59 and 03:00 local on 2024-03-31 in Berlin are one minute apart
    berlin = ["01:57", "01:58", "01:59", "03:00", "03:10", "03:11", "03:12"]
    local = [pd.Timestamp(f"2024-03-31 {t}", tz="Europe/Berlin").to_pydatetime() for t in berlin]
    # as an ISO file gives them: fixed offsets, +01:00 before the change and +02:00 after
    stamps = [d.replace(tzinfo=datetime.timezone(d.utcoffset())) for d in local]
    dst = pd.DataFrame({"t": pd.Series(stamps, dtype=object), "x": np.arange(7.0)})
    w = sliding_windows(dst, size=3, time="t", columns="x", max_gap="90s")
    assert w.X[:, 0].tolist() == [[0, 1, 2], [1, 2, 3], [4, 5, 6]]
    as_objects = stamped.assign(t=stamped["t"].astype(object))
    assert len(sliding_windows(as_objects, size=3, time="t", columns="x", max_gap="1min").X) == 5
    with pytest.raises(ValueError, match="longest stretch between gaps above max_gap has 5"):
        sliding_windows(rec, size=6, time="t", columns="x", max_gap=1)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"max_gap": 1}, ValueError, "max_gap .* needs the time column"),
        ({"time": "t", "max_gap": "1min"}, TypeError, "numeric time stamps, so max_gap must"),
        ({"time": "t", "max_gap": True}, TypeError, "must be a number in the same units"),
        ({"time": "t", "max_gap": 0}, ValueError, "positive finite number; got 0"),
        ({"time": "t", "max_gap": np.nan}, ValueError, "positive finite number; got nan"),
        ({"time": "d", "max_gap": 5}, TypeError, "must be a time difference .* got int 5"),
        ({"time": "d", "max_gap": "soon"}, ValueError, "not a time difference pandas reads"),
        ({"time": "d", "max_gap": "-1min"}, ValueError, "positive time difference"),
        ({"time": "c", "max_gap": 1}, TypeError, "steps have no size"),
    ],
)
def test_bad_max_gap(kwargs, exc, match):
    rec = pd.DataFrame({"t": [0.0, 1, 2, 5], "x": [1.0, 2, 3, 4]})
    rec["d"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rec["t"], unit="s")
    rec["c"] = pd.Categorical(list("abcd"), ordered=True)
    with pytest.raises(exc, match=match):
        sliding_windows(rec, size=2, columns="x", **kwargs)


def test_a_horizon_target_error_names_the_value_or_the_dtype_at_fault():
    from decimal import Decimal

    frame = pd.DataFrame({"t": range(10), "x": np.arange(10.0)})
    kw = {"size": 3, "time": "t", "columns": "x", "target": "y", "rule": "horizon"}
    decimals = frame.assign(y=[Decimal(1)] * 9 + ["bad"])  # Decimals are numbers here
    with pytest.raises(TypeError, match=r"column 'y' holds 'bad' \(str\) for row 9\."):
        sliding_windows(decimals, **kw)
    categories = frame.assign(y=pd.Series(np.arange(10.0)).astype("category"))
    with pytest.raises(TypeError, match=r"holds numbers of dtype category\. Convert it with "):
        sliding_windows(categories, **kw)
    # and numbers as Decimals are a target
    assert (
        sliding_windows(frame.assign(y=[Decimal(i) for i in range(10)]), **kw).y.dtype.kind == "f"
    )


def test_windows_compare_by_identity():
    # array fields made the generated == raise numpy's "truth value ... is ambiguous"
    a = sliding_windows(np.arange(10.0), size=4, step=2)
    b = sliding_windows(np.arange(10.0), size=4, step=2)
    assert a == a
    assert a != b
    assert not (a == b)
    assert len({a, b}) == 2  # hashable, by identity


def _needed_gap(w, horizon):
    """Smallest TimeSeriesSplit gap: no later window shares a step or target with an earlier one."""
    rows = [{*range(s, e + 1), e + horizon} for s, e in zip(w.start, w.end, strict=True)]
    n = len(rows)
    return max((j - i for i in range(n) for j in range(i + 1, n) if rows[i] & rows[j]), default=0)


def test_gap_is_the_smallest_only_when_step_at_most_size():
    import seqpool_sklearn._windows as module

    x = np.arange(40.0)
    for size, step, horizon in [(4, 2, 3), (5, 5, 1), (3, 1, 2)]:  # step <= size: smallest
        w = sliding_windows(x, size=size, step=step, target=x, rule="horizon", horizon=horizon)
        assert w.gap == _needed_gap(w, horizon)
    # sparser windows: the gap is safe but can keep out one window more than needed
    w = sliding_windows(x, size=2, step=3, target=x, rule="horizon", horizon=4)
    assert (w.gap, _needed_gap(w, 4)) == (1, 0)
    # and the docstrings say so, as the cross-validation guide does
    for doc in (module.__doc__, Windows.__doc__):
        text = " ".join(doc.split())
        assert "smallest such" in text and "when ``step <= size``" in text
        assert "Smallest" not in text


def test_horizon_is_checked_and_refused_without_rule_horizon():
    x = np.arange(10.0)
    for rule in ("end", "majority"):
        with pytest.raises(ValueError, match=r"horizon=5 applies to rule='horizon' only"):
            sliding_windows(x, size=2, target=x, rule=rule, horizon=5)
        with pytest.raises(ValueError, match=r"horizon must be an integer >= 1, got 'abc'"):
            sliding_windows(x, size=2, target=x, rule=rule, horizon="abc")
        with pytest.raises(ValueError, match=r"horizon must be an integer >= 1, got 0"):
            sliding_windows(x, size=2, rule=rule, horizon=0)
        # the default (and an explicit 1, or None) is no horizon
        assert sliding_windows(x, size=2, target=x, rule=rule, horizon=1).gap == 1
        assert sliding_windows(x, size=2, target=x, rule=rule, horizon=None).gap == 1
    assert sliding_windows(x, size=2, target=x, rule="horizon", horizon=np.int64(5)).gap == 6
    assert sliding_windows(x, size=2, target=x, rule="horizon", horizon=None).gap == 2


def test_missing_label_advice_keeps_windows_off_dropped_rows():
    # dropping rows alone joins their neighbours: the advice names time= with max_gap=
    advice = r"fill the missing {}.*or drop those rows and pass time= with max_gap= so that"
    rec = pd.DataFrame({"t": np.arange(8), "x": np.arange(8.0), "lab": list("aabb") + [None] * 4})
    for rule in ("end", "majority"):
        with pytest.raises(ValueError, match=advice.format("labels")):
            sliding_windows(rec, size=2, time="t", columns="x", target="lab", rule=rule)
    rec = rec.assign(y=[1.0, 2, 3, np.nan, 5, 6, 7, 8])
    with pytest.raises(ValueError, match=advice.format("targets")):
        sliding_windows(rec, size=2, time="t", columns="x", target="y", rule="horizon")


def test_a_named_target_or_a_recording_of_the_wrong_type_is_named():
    x = np.arange(10.0)
    for recording in (x, pd.Series(x)):
        with pytest.raises(ValueError, match=r"need a DataFrame recording.*got target='label'"):
            sliding_windows(recording, size=2, target="label")
    with pytest.raises(ValueError, match=r"need a DataFrame recording.*got time='t', by='s'"):
        sliding_windows(x, size=2, time="t", by="s")
    with pytest.raises(TypeError, match=r"got dict\. Make a DataFrame of it: pd\.DataFrame"):
        sliding_windows({"a": x}, size=2)
    with pytest.raises(TypeError, match=r"array-like of shape .*got NoneType\."):
        sliding_windows(None, size=2)
    with pytest.raises(ValueError, match=r"got int of shape \(\)"):
        sliding_windows(5, size=2)
    # per-row values stay values, whatever their container
    for values in (tuple(range(10)), range(10)):
        assert sliding_windows(x, size=2, target=values).y.tolist() == list(range(1, 10))


@pytest.mark.parametrize(
    "recording, where",
    [
        (["1", "2", "a", "4"], r"'a', str\) for row 2"),
        (np.array(["1", "2", "a"]), r"'a', str\) for row 2"),
        ([1, 2, "a", 4], r"'a', str\) for row 2"),
        (np.array([1.0, None, "b"], dtype=object), r"'b', str\) for row 2"),
        (
            [["1", "2"], [None, "x"]],
            r"Column 'channel1' has non-numeric values \('x', str\) for row 1",
        ),
    ],
)
def test_text_recording_names_the_first_cell_that_is_not_a_number(recording, where):
    # the cells before it read as numbers ('1' is one), so they are not the ones at fault
    with pytest.raises(TypeError, match=where):
        sliding_windows(recording, size=1)
    assert sliding_windows(["1", "2.5", None], size=1).X.ravel()[:2].tolist() == [1.0, 2.5]


def test_by_and_time_take_one_column_name():
    df = pd.DataFrame({"s": ["a"] * 6 + ["b"] * 6, "e": [1, 2] * 6, "t": range(12)})
    df["x"] = np.arange(12.0)
    combine = r"combine them into one column first, df = df.assign\(recording=df\['s'\]"
    cases = [
        ({"by": ["s", "e"]}, r"by takes one column name, got list \['s', 'e'\]\. .*" + combine),
        ({"by": np.array(["s", "e"])}, r"got ndarray \['s', 'e'\]\. .*" + combine),
        ({"by": ["s"]}, r"got list \['s'\]\. Pass by='s'\."),
        ({"time": ["t"]}, r"time takes one column name, got list \['t'\]\. Pass time='t'\."),
        ({"by": df["s"]}, r"got a Series \('s', 12 values\)\. .*df\.assign\(recording=values\)"),
        ({"by": df["s"].to_numpy()}, r"got ndarray \['a', .*df\.assign\(recording=values\)"),
        ({"time": df["t"]}, r"time takes one column name, got a Series .*pass time='t'"),
    ]
    for kwargs, match in cases:
        with pytest.raises(TypeError, match=match):
            sliding_windows(df, size=2, columns="x", **kwargs)
    # the combination the advice gives is one recording per (s, e)
    combined = df.assign(recording=df["s"].astype(str) + "_" + df["e"].astype(str))
    w = sliding_windows(combined, size=2, columns="x", by="recording")
    assert sorted(set(w.groups)) == ["a_1", "a_2", "b_1", "b_2"]


def test_an_unsorted_time_index_warns_and_time_cannot_name_the_index():
    idx = pd.date_range("2024-01-01", periods=8, freq="1min")
    df = pd.DataFrame({"x": np.arange(8.0), "lab": list("aabbaabb")}, index=idx)
    shuffled = df.iloc[[3, 1, 0, 2, 7, 5, 4, 6]]
    advice = r"reads the rows in row order, not in the index's order.*df\.sort_index\(\).*"
    advice += r"df\.reset_index\(\) and pass time="
    for rec in (shuffled, shuffled["x"], shuffled.set_axis(idx[[3, 1, 0, 2, 7, 5, 4, 6]] - idx[0])):
        with pytest.warns(UserWarning, match=r"not in increasing order \(row 1 at .*" + advice):
            sliding_windows(rec, size=3, step=2, columns="x" if rec.ndim == 2 else None)
    # per recording: each increasing is fine, one out of order is named
    two = pd.concat([df.assign(r="a"), df.assign(r="b")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sliding_windows(df, size=3, target="lab")
        sliding_windows(two, size=3, by="r", columns="x")
        sliding_windows(df.reset_index(drop=True), size=3, target="lab")
    mixed = pd.concat([df.assign(r="a"), shuffled.assign(r="b")])
    with pytest.warns(UserWarning, match=r"in recording 'b' \(first at row 8\), row 9 at"):
        sliding_windows(mixed, size=3, by="r", columns="x")
    # time= naming the index (not a column) says so, and how to make it one
    with pytest.raises(
        ValueError, match=r"time='ts' is the name of the row index.*df\.reset_index\(\)"
    ):
        sliding_windows(df.rename_axis("ts"), size=3, time="ts", columns="x")
    w = sliding_windows(shuffled.rename_axis("ts").reset_index(), size=3, time="ts", columns="x")
    assert w.X[0, 0].tolist() == [0, 1, 2]


@pytest.mark.parametrize("period", [0.1, 0.02])
def test_max_gap_equal_to_a_float_sampling_period_keeps_every_window(period):
    # float steps differ from the period by rounding: 552 of 999 steps of 0.1 exceed 0.1
    t = np.arange(1000) * period
    df = pd.DataFrame({"t": t, "x": np.arange(1000.0)})
    assert (np.diff(t) > period).any()
    for frame in (df, df.assign(t=np.round(t, 2)), df.assign(t=df["t"].astype(object))):
        w = sliding_windows(frame, size=3, step=3, time="t", max_gap=period)
        assert len(w.X) == 333
        assert len(sliding_windows(frame, size=10, step=5, time="t", max_gap=period).X) == 199
    # a real gap is still cut: one lost sample, 1.1 sampling periods, ...
    for lost in (np.delete(t, 500), np.concatenate([t[:500], t[500:] + 0.1 * period])):
        w = sliding_windows(pd.DataFrame({"t": lost, "x": 0.0}), size=2, step=2, time="t",
                            max_gap=period)  # fmt: skip
        assert len(w.X) == 250 + (len(lost) - 500) // 2


def test_max_gap_allows_the_rounding_of_large_or_float32_stamps():
    # epoch seconds at 10 Hz: the steps are off by up to 5e-7, far more than 1e-9 of 0.1,
    # and a tolerance relative to max_gap alone cut every recording into 3-step pieces
    period = 0.1
    for t in (1.7e9 + np.arange(1000) * period, (np.arange(1000) * period).astype(np.float32)):
        df = pd.DataFrame({"t": t, "x": np.arange(1000.0)})
        assert len(sliding_windows(df, size=10, step=10, time="t", max_gap=period).X) == 100
        lost = df.drop(index=500)  # one lost sample: 2 periods
        late = df.assign(t=np.where(np.arange(1000) >= 500, t + 0.1 * period, t))
        for frame in (lost, late):
            w = sliding_windows(frame, size=10, step=10, time="t", max_gap=period)
            assert len(w.X) == 50 + (len(frame) - 500) // 10


def _majority_reference(codes, n_labels):
    """The former rule="majority": one count per label (O(n_windows x n_labels))."""
    counts = np.zeros((codes.shape[0], n_labels), dtype=np.int64)
    for k in range(n_labels):
        counts[:, k] = (codes == k).sum(axis=1)
    return counts.argmax(axis=1)


def test_majority_matches_the_per_label_count_ties_included():
    from seqpool_sklearn._windows import _majority

    rng = np.random.default_rng(0)
    for _ in range(200):
        n_labels, size = rng.integers(1, 8), rng.integers(1, 12)
        codes = rng.integers(0, n_labels, size=(rng.integers(1, 30), size))
        np.testing.assert_array_equal(_majority(codes), _majority_reference(codes, n_labels))
    # and through sliding_windows, with labels of every kind
    for labels in (rng.integers(0, 4, 300), rng.choice(list("abcde"), 300), rng.normal(size=300)):
        for size, step in ((4, 1), (7, 3), (10, 10)):
            w = sliding_windows(np.zeros(300), size=size, step=step, target=labels, rule="majority")
            codes, uniques = pd.factorize(labels, sort=True)
            starts = np.arange(0, 300 - size + 1, step)
            windows = np.lib.stride_tricks.sliding_window_view(codes, size)[starts]
            expected = uniques[_majority_reference(windows, len(uniques))]
            np.testing.assert_array_equal(w.y, expected)


def test_majority_of_a_continuous_target_is_quick():
    # one count per distinct value took seconds and hundreds of MB at 8000 rows
    import time

    x = np.random.default_rng(0).normal(size=8000)
    begin = time.perf_counter()
    w = sliding_windows(x, size=10, target=x, rule="majority")
    assert time.perf_counter() - begin < 1.0
    # every value is distinct, so every tie goes to the smallest value of the window
    expected = np.lib.stride_tricks.sliding_window_view(x, 10).min(axis=1)
    np.testing.assert_array_equal(w.y, expected)


def _cut_recording(stamp):
    """Two recordings sampled every 10 ms; x counts the rows, so y names its target's row."""
    rows = np.arange(50)
    return pd.DataFrame(
        {"rec": np.repeat(["a", "b"], 50), "t": np.tile(stamp(rows * 10), 2), "x": np.arange(100.0)}
    )


@pytest.mark.parametrize(
    "stamp, cut",
    [
        (lambda ms: ms, 250),
        (lambda ms: pd.Timestamp("2024-01-01") + pd.to_timedelta(ms, unit="ms"),
         pd.Timestamp("2024-01-01") + pd.Timedelta(milliseconds=250)),
    ],
    ids=["10 ms", "datetime"],
)  # fmt: skip
@pytest.mark.parametrize("horizon", [1, 3, 7])
def test_cut_at_a_time_recipe_leaks_nothing(stamp, cut, horizon):
    df = _cut_recording(stamp)
    w = sliding_windows(
        df, size=5, time="t", by="rec", columns="x", target="x", rule="horizon", horizon=horizon
    )
    times = df["t"].to_numpy()
    # target_end is the time stamp of the row that gives y
    np.testing.assert_array_equal(w.target_end, times[w.y.astype(int)])
    train, test = w.target_end < cut, w.start >= cut  # the documented recipe
    assert train.any() and test.any()
    for k in np.flatnonzero(train):
        steps = times[int(w.X[k, 0, 0]) : int(w.X[k, 0, -1]) + 1]
        assert (steps < cut).all() and times[int(w.y[k])] < cut
    test_rows = {
        (g, int(v)) for k in np.flatnonzero(test) for v in w.X[k, 0] for g in [w.groups[k]]
    }
    for k in np.flatnonzero(train):  # no training step nor target is a test step
        touched = {*w.X[k, 0].astype(int).tolist(), int(w.y[k])}
        assert not {(w.groups[k], r) for r in touched} & test_rows
    # end + horizon counts the horizon in time units, so it lets targets past the cut in
    naive = w.end + horizon < cut
    assert (naive & (w.target_end >= cut)).any()


def test_target_end_per_rule():
    x = np.arange(12.0)
    w = sliding_windows(x, size=3, step=2, target=x, rule="horizon", horizon=2)
    np.testing.assert_array_equal(w.target_end, w.end + 2)  # row positions without time
    np.testing.assert_array_equal(w.target_end, w.y)
    for rule in ("end", "majority"):
        w = sliding_windows(x, size=3, target=x.astype(int), rule=rule)
        np.testing.assert_array_equal(w.target_end, w.end)
    assert sliding_windows(x, size=3).target_end is None
    rec = pd.DataFrame({"t": [0.0, 0.5, 1.5, 4.0, 4.25], "x": np.arange(5.0)})
    w = sliding_windows(rec, size=2, time="t", columns="x", target="x", rule="horizon")
    assert w.target_end.tolist() == [1.5, 4.0, 4.25]


@pytest.mark.parametrize("rule", ["end", "majority"])
def test_a_target_given_as_a_columns_values_is_left_out_of_the_channels(rule):
    # df["label"].to_numpy() or a renamed Series stayed a value channel: every window's
    # last step was its own label
    df = pd.DataFrame({"x": np.arange(12.0), "label": np.arange(12) % 3})
    part = df.iloc[2:]
    named = sliding_windows(part, size=3, target="label", rule=rule)
    for target in (part["label"].to_numpy(), part["label"].rename("lab"), list(part["label"])):
        got = sliding_windows(part, size=3, target=target, rule=rule)
        assert got.channels.tolist() == ["x"]
        np.testing.assert_array_equal(got.X, named.X)
        np.testing.assert_array_equal(got.y, named.y)
    with pytest.raises(ValueError, match="cannot be both a value column and the target"):
        sliding_windows(part, size=3, target=part["label"].to_numpy(), rule=rule,
                        columns=["x", "label"])  # fmt: skip
    # values that no column holds are a target of their own
    other = sliding_windows(part, size=3, target=(np.arange(10) % 2), rule=rule)
    assert other.channels.tolist() == ["x", "label"]
