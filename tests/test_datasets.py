"""Tests of the .ts and .tsv readers, the data-home resolution and fetch_ucr (cache, download).

Real-data tests read the UCR/UEA files from ``$SEQPOOL_DATA_HOME`` or, failing that,
``../shared/ucr`` next to the repository; downloads are served by a local HTTP server
on 127.0.0.1, never the internet.
"""

from __future__ import annotations

import http.server
import io
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from seqpool_sklearn import TSMetadata, fetch_ucr, get_data_home, list_ucr, load_ts, load_tsv

REAL = {
    # name: (n_train, n_test, n_channels, max length over both splits, classes or None)
    "GunPoint": (50, 150, 1, 150, 2),
    "ItalyPowerDemand": (67, 1029, 1, 24, 2),
    "BasicMotions": (40, 40, 6, 100, 4),
    "JapaneseVowels": (270, 370, 12, 29, 9),
    "Covid3Month": (140, 61, 1, 84, None),
}


def write(tmp_path: Path, text: str, name: str = "toy.ts") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


# --------------------------------------------------------------------------- load_ts


def test_univariate_with_mixed_case_header_comments_and_crlf(tmp_path):
    text = (
        "# comment\r\n#another: with, punctuation\r\n@PROBLEMNAME\tToy\r\n@timeStamps False\r\n"
        "@missing false\r\n@Univariate TRUE\r\n@equallength true\r\n@serieslength 3\r\n"
        "@CLASSLABEL true 1 2\r\n\r\n@DATA\r\n1.5,2,-3e-1:2\r\n# mid comment\r\n\r\n"
        "4, 5 ,6:1\r\n"
    )
    X, y, meta = load_ts(write(tmp_path, text), return_meta=True)
    assert X.dtype == np.float32 and X.shape == (2, 1, 3)
    np.testing.assert_array_equal(X[:, 0], np.float32([[1.5, 2, -0.3], [4, 5, 6]]))
    assert y.tolist() == ["2", "1"]
    assert isinstance(meta, TSMetadata)
    assert meta.problem_name == "Toy" and meta.n_channels == 1
    assert meta.class_labels == ("1", "2") and not meta.regression
    assert meta.equal_length and not meta.has_missing
    assert meta.lengths.tolist() == [3, 3]


def test_multivariate_unequal_lengths_and_missing_values(tmp_path):
    text = (
        "@problemName Multi\n@univariate false\n@dimensions 2\n@equalLength false\n"
        "@missing true\n@classLabel true standing walking\n@data\n"
        "1,2,3,4:5,6,7,8:walking\n1,?:3,4:standing\n9,8,7:6,5,?:walking\n"
    )
    X, y, meta = load_ts(write(tmp_path, text), return_meta=True)
    assert X.shape == (3, 2, 4)
    assert y.tolist() == ["walking", "standing", "walking"]
    np.testing.assert_array_equal(X[1], [[1, np.nan, np.nan, np.nan], [3, 4, np.nan, np.nan]])
    np.testing.assert_array_equal(X[2, 1], [6, 5, np.nan, np.nan])
    assert meta.lengths.tolist() == [4, 2, 3]
    assert not meta.equal_length and meta.has_missing and meta.n_channels == 2


def test_dimensions_inferred_without_declaration(tmp_path):
    text = "@classLabel true a b\n@data\n1,2:3,4:5,6:a\n7,8:9,10:11,12:b\n"
    X, y = load_ts(write(tmp_path, text))
    assert X.shape == (2, 3, 2)
    assert X[1, 2].tolist() == [11, 12]


def test_regression_targets_are_floats(tmp_path):
    text = "@problemname Reg\n@univariate true\n@targetlabel true\n@data\n1,2:0.5\n3,4:-2e-3\n"
    X, y, meta = load_ts(write(tmp_path, text), return_meta=True)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, [0.5, -0.002])
    assert meta.regression and meta.class_labels is None


def test_unlabelled_file_gives_y_none(tmp_path):
    X, y = load_ts(write(tmp_path, "@classLabel false\n@data\n1,2,3\n4,5,6\n"))
    assert X.shape == (2, 1, 3) and y is None


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.ts"
    path.write_bytes("@classLabel true a\n@data\n1,2:a\n".encode("utf-8-sig"))
    X, y = load_ts(path)
    assert X.shape == (1, 1, 2) and y.tolist() == ["a"]


def test_unknown_header_keyword_warns_with_line(tmp_path):
    path = write(tmp_path, "@classLabel true a\n@author me\n@data\n1,2:a\n")
    with pytest.warns(UserWarning, match=r"line 2: unknown header keyword @author"):
        load_ts(path)


HEAD = "@problemName Bad\n@classLabel true a b\n"  # two lines, data keyword comes next

MALFORMED = {
    "data before @data": (HEAD + "1,2,3:a\n@data\n", 3, "data before the @data line"),
    "inconsistent dimensions": (
        HEAD + "@data\n1,2:3,4:a\n1,2:3,4:5,6:b\n",
        5,
        "expected 2 dimension(s) and a label",
    ),
    "declared dimensions": (
        "@dimensions 3\n@classLabel true a\n@data\n1:2:3:a\n1:2:a\n",
        5,
        "missing dimension: the header declares 3 dimension(s), but the line holds 2 and "
        "the label 'a'",
    ),
    "declared dimensions, first line": (
        "@dimensions 2\n@classLabel true a\n@data\n1,2:a\n",
        4,
        "missing dimension: the header declares 2 dimension(s), but the line holds 1",
    ),
    "non-numeric value": (HEAD + "@data\n1,2,3:a\n1,x2,3:b\n", 5, "non-numeric value 'x2'"),
    "empty value": (HEAD + "@data\n1,2,:a\n", 4, "an empty value at position 3"),
    "infinite value": (HEAD + "@data\n1,inf,3:a\n", 4, "infinite value"),
    "beyond float32": (
        HEAD + "@data\n1,2,3:a\n1, 1e39,3:b\n",
        5,
        "value 1e39 at position 2 of dimension 1 is beyond the float32 range",
    ),
    "beyond float32 with a missing value": (
        HEAD + "@data\n?,-4e38:a\n",
        4,
        "value -4e38 at position 2 of dimension 1 is beyond the float32 range",
    ),
    "beyond float64": (
        HEAD + "@data\n1,2,3:a\n1, 1e400,3:b\n",
        5,
        "value 1e400 at position 2 of dimension 1 is beyond float64's range",
    ),
    "digits grouped with underscores": (
        HEAD + "@data\n1,2:a\n1_000,2:b\n",
        5,
        "value '1_000' (digits cannot be grouped with '_') at position 1",
    ),
    "missing label": (
        "@univariate true\n@classLabel true a\n@data\n1,2,3:a\n1,2,3\n",
        5,
        "missing label",
    ),
    "empty label": (HEAD + "@data\n1,2,3:\n", 4, "missing label"),
    "undeclared class": (HEAD + "@data\n1,2,3:c\n", 4, "'c' is not among the declared labels"),
    "bad regression target": (
        "@targetLabel true\n@data\n1,2:0.5\n1,2:high\n",
        4,
        "regression target 'high'",
    ),
    "regression target with underscores": (
        "@targetLabel true\n@data\n1,2:0.5\n1,2:1_000\n",
        4,
        "regression target: value '1_000' (digits cannot be grouped with '_')",
    ),
    "all-missing series": (
        HEAD + "@data\n1,2:a\n?,?,?:b\n",
        5,
        "the series labelled 'b' has no values, only '?' (missing); remove the line",
    ),
    "all-missing multivariate series": (
        "@dimensions 2\n@classLabel true a\n@data\n1,2:?:a\n?,?: ? :a\n",
        5,
        "the series labelled 'a' has no values, only '?'",
    ),
    "all-missing unlabelled series": ("@data\n1,2\n?\n", 3, "the series has no values"),
    "no @data": (HEAD, 2, "no @data line"),
    "no series": (HEAD + "@data\n# nothing\n", 4, "no series after @data"),
    "header after @data": (HEAD + "@data\n1:a\n@missing false\n", 5, "after @data"),
    "duplicate keyword": (HEAD + "@classlabel true a\n@data\n", 3, "declared twice"),
    "lone at sign": ("@\n@data\n", 1, "without a header keyword"),
    "bad boolean": ("@univariate yes\n@data\n", 1, "expects 'true' or 'false'"),
    "bad integer": ("@seriesLength ten\n@data\n", 1, "positive integer"),
    "labels missing": ("@classLabel true\n@data\n", 1, "must list the class labels"),
    "repeated label": ("@classLabel true a a\n@data\n", 1, "lists a label twice"),
    "timestamps": ("@timeStamps true\n@data\n", 1, "not supported"),
    "univariate vs dimensions": (
        "@univariate true\n@dimensions 3\n@data\n",
        3,
        "contradicts @dimensions 3",
    ),
    "class and target": (
        "@classLabel true a\n@targetLabel true\n@data\n",
        3,
        "both @classLabel true and @targetLabel true",
    ),
    "unequal under equalLength": (
        "@equalLength true\n@classLabel true a\n@data\n1,2,3:a\n1,2:a\n",
        5,
        "equal lengths of 3 steps",
    ),
    "seriesLength mismatch": (
        "@equalLength true\n@seriesLength 4\n@classLabel true a\n@data\n1,2,3:a\n",
        5,
        "equal lengths of 4 steps but a dimension has 3",
    ),
    "empty dimension": (
        "@dimensions 2\n@classLabel true a\n@data\n1,2::a\n",
        4,
        "dimension 2 is empty",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_name_file_and_line(tmp_path, case):
    text, line, fragment = MALFORMED[case]
    path = write(tmp_path, text, name="bad.ts")
    with pytest.raises(ValueError) as info:
        load_ts(path)
    message = str(info.value)
    assert str(path) in message
    assert f"line {line}:" in message
    assert fragment in message


@pytest.mark.parametrize(
    "loader, name, data, line",
    [
        (load_ts, "bad.ts", b"@classLabel true a\n@data\n1,2:a\n# caf\xe9\n3,4:a\n", 4),
        (load_ts, "bad.ts", b"@problemName caf\xe9\n@classLabel true a\n@data\n1,2:a\n", 1),
        (load_tsv, "bad.tsv", b"1\t2\t3\n2\t4\t5\xff\n", 2),
    ],
)
def test_bytes_that_are_not_utf8_name_file_and_line(tmp_path, loader, name, data, line):
    # Once a bare UnicodeDecodeError, without the file or the line.
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError) as info:
        loader(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: ")
    assert "is not UTF-8" in message and "save the file as UTF-8" in message


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_datasets_load_with_expected_shape_and_labels(ucr_home, name):
    n_train, n_test, n_channels, max_len, n_classes = REAL[name]
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr(name, split="both", data_home=ucr_home, download=False)
    assert X_tr.dtype == X_te.dtype == np.float32
    assert X_tr.shape[:2] == (n_train, n_channels) and X_te.shape[:2] == (n_test, n_channels)
    assert max(X_tr.shape[2], X_te.shape[2]) == max_len
    _, _, meta = load_ts(ucr_home / name / f"{name}_TRAIN.ts", return_meta=True)
    assert meta.problem_name == name
    if n_classes is None:
        assert meta.regression and y_tr.dtype == np.float64 and np.isfinite(y_tr).all()
    else:
        assert len(meta.class_labels) == n_classes
        assert set(y_tr) | set(y_te) == set(meta.class_labels)
        assert y_tr.dtype.kind == "U"


def test_gunpoint_values_match_the_file(ucr_home):
    X, y = fetch_ucr("GunPoint", data_home=ucr_home, download=False)
    assert X[0, 0, 0] == pytest.approx(-0.6478854)
    assert y[0] == "2"
    assert not np.isnan(X).any()


def test_basicmotions_keeps_string_labels(ucr_home):
    _, y = fetch_ucr("BasicMotions", split="test", data_home=ucr_home, download=False)
    assert set(y) == {"Standing", "Running", "Walking", "Badminton"}


def test_japanese_vowels_pads_unequal_lengths_with_trailing_nan(ucr_home):
    path = ucr_home / "JapaneseVowels" / "JapaneseVowels_TEST.ts"
    X, _, meta = load_ts(path, return_meta=True)
    assert meta.lengths.min() == 7 and meta.lengths.max() == 29 and not meta.equal_length
    steps = np.arange(X.shape[2])
    observed = steps[None, :] < meta.lengths[:, None]
    assert not np.isnan(X.transpose(1, 0, 2)[:, observed]).any()
    assert np.isnan(X.transpose(1, 0, 2)[:, ~observed]).all()  # all channels: padding


def test_fetch_ucr_split_none_concatenates_and_pads(ucr_home):
    X, y = fetch_ucr("JapaneseVowels", split=None, data_home=ucr_home, download=False)
    assert X.shape == (640, 12, 29) and y.shape == (640,)
    (X_tr, _), _ = fetch_ucr("JapaneseVowels", split="both", data_home=ucr_home, download=False)
    np.testing.assert_array_equal(X[:270, :, : X_tr.shape[2]], X_tr)
    assert np.isnan(X[:270, :, X_tr.shape[2] :]).all()


def test_fetch_ucr_finds_cache_case_insensitively_and_via_env(ucr_home, monkeypatch):
    monkeypatch.setenv("SEQPOOL_DATA_HOME", str(ucr_home))
    X, y = fetch_ucr("italypowerdemand", split="test", download=False)
    assert X.shape == (1029, 1, 24)


def test_list_ucr_lists_the_shared_datasets(ucr_home):
    assert set(REAL) <= set(list_ucr(ucr_home))


# --------------------------------------------------------------------------- load_tsv

REAL_TSV = {
    # name: (n_train, n_test, length, classes), as listed in the data folder's README
    "Adiac": (390, 391, 176, 37),
    "Beef": (30, 30, 470, 5),
    "CBF": (30, 900, 128, 3),
    "ChlorineConcentration": (467, 3840, 166, 3),
    "Coffee": (28, 28, 286, 2),
    "CricketX": (390, 390, 300, 12),
    "DiatomSizeReduction": (16, 306, 345, 4),
    "DistalPhalanxOutlineCorrect": (600, 276, 80, 2),
    "DodgerLoopDay": (78, 80, 288, 7),
    "ECG200": (100, 100, 96, 2),
    "ECGFiveDays": (23, 861, 136, 2),
    "Earthquakes": (322, 139, 512, 2),
    "FaceAll": (560, 1690, 131, 14),
    "Fish": (175, 175, 463, 7),
    "FreezerRegularTrain": (150, 2850, 301, 2),
    "GestureMidAirD1": (208, 130, 360, 26),
}


def test_tsv_unequal_lengths_missing_values_and_labels(tmp_path):
    text = "2\t0.5\t-1e-1\t3\tNaN\n10\t4\tnan\t6\t7\n-1\t8\tNaN\tNaN\tNaN\n"
    X, y, meta = load_tsv(write(tmp_path, text, "Toy_TRAIN.tsv"), return_meta=True)
    assert X.dtype == np.float32 and X.shape == (3, 1, 4)
    np.testing.assert_array_equal(
        X[:, 0], np.float32([[0.5, -0.1, 3, np.nan], [4, np.nan, 6, 7], [8] + [np.nan] * 3])
    )
    assert y.dtype.kind == "U" and y.tolist() == ["2", "10", "-1"]  # as written, not ints
    assert isinstance(meta, TSMetadata)
    assert meta.lengths.tolist() == [3, 4, 1]  # trailing NaN is padding, inner NaN is missing
    assert not meta.equal_length and meta.has_missing
    assert meta.class_labels == ("-1", "2", "10")  # numeric order
    assert meta.n_channels == 1 and meta.problem_name is None and not meta.regression


def test_tsv_padding_beyond_the_longest_series_is_dropped(tmp_path):
    # Every row padded to 6 values, the longest series has 3: X is as wide as that series,
    # exactly what load_ts gives for the same series written without padding.
    rows = ["a\t1\t2\t3\tNaN\tNaN\tNaN", "b\t4\t5\tNaN\tNaN\tNaN\tNaN"]
    X, y, meta = load_tsv(write(tmp_path, "\n".join(rows) + "\n", "pad.tsv"), return_meta=True)
    ts = "@classLabel true a b\n@data\n1,2,3:a\n4,5:b\n"
    X_ts, y_ts, meta_ts = load_ts(write(tmp_path, ts, "pad.ts"), return_meta=True)
    np.testing.assert_array_equal(X, X_ts)
    assert y.tolist() == y_ts.tolist()
    assert meta.lengths.tolist() == meta_ts.lengths.tolist() == [3, 2]
    assert not meta.has_missing


def test_tsv_ragged_rows_are_padded_with_nan(tmp_path):
    X, _ = load_tsv(write(tmp_path, "1\t1\t2\n2\t3\t4\t5\t6\n1\t7\n", "ragged.tsv"))
    assert X.shape == (3, 1, 4)
    np.testing.assert_array_equal(X[2, 0], [7, np.nan, np.nan, np.nan])


def test_tsv_crlf_bom_trailing_tabs_and_final_blank_lines(tmp_path):
    path = tmp_path / "win.tsv"
    path.write_bytes("1\t1.5\t2\t\r\n2\t3\t4\r\n\r\n\n".encode("utf-8-sig"))
    X, y = load_tsv(path)
    assert X.shape == (2, 1, 2) and y.tolist() == ["1", "2"]
    assert not np.isnan(X).any()


def test_load_ts_points_tsv_files_to_load_tsv(tmp_path):
    path = write(tmp_path, "1\t2\t3\n", "Toy_TRAIN.tsv")
    with pytest.raises(ValueError, match=r"Toy_TRAIN\.tsv is a \.tsv file.*load_tsv"):
        load_ts(path)


@pytest.mark.parametrize("loader", [load_ts, load_tsv])
def test_readers_name_a_path_that_is_no_file_name(tmp_path, loader):
    for path, got in ((None, "NoneType None"), (5, "int 5")):
        with pytest.raises(TypeError, match=f"path must be a file name .*; got {got}"):
            loader(path)
    suffix = ".ts" if loader is load_ts else ".tsv"
    for folder in (tmp_path, str(tmp_path)):
        with pytest.raises(IsADirectoryError, match=rf"{loader.__name__} reads a file, but path "
                           rf"is a folder; name the \{suffix} file in it"):  # fmt: skip
            loader(folder)


MALFORMED_TSV = {
    "non-numeric value": (
        "1\t1\t2\n2\t1\tx2\t3\n",
        2,
        "non-numeric value 'x2' at position 2 of the series",
    ),
    "question mark": (
        "1\t1\t?\t3\n",
        1,
        "'?' at position 2 of the series; after the label, values must be numbers",
    ),
    "header line": ("label\tt1\tt2\n1\t2\t3\n", 1, "has no header line"),
    "values separated by spaces": (
        "1\t1 2 3\n",
        1,
        "non-numeric value '1 2 3' at position 1 of the series; after the label, values must "
        "be numbers separated by tabs, with NaN for a missing value (the values seem separated "
        "by spaces; a .tsv file separates them with tabs).",
    ),
    "digits grouped with underscores": (
        "a_b\t1\t2\na_b\t1_000\t2\n",
        2,
        "value '1_000' at position 1 of the series (digits cannot be grouped with '_')",
    ),
    "empty value": ("1\t1\t\t3\n", 1, "an empty value at position 2"),
    "infinite value": ("1\t1\t2\n2\t-inf\t2\n", 2, "infinite value at position 1"),
    "beyond float32": ("1\t1\t2\n2\t3\t1e39\n", 2, "value 1e39 at position 2 of the series is"),
    "beyond float64": (
        "1\t1\t2\n2\t3\t-1E400\n",
        2,
        "value -1E400 at position 2 of the series is beyond float64's range",
    ),
    "empty line between series": ("1\t1\t2\n\n2\t3\t4\n", 2, "empty line between series"),
    "blank line between series": ("1\t1\t2\n \t \n2\t3\t4\n", 2, "empty line between series"),
    "only a label": ("1\t1\t2\n2\n", 2, "only a label ('2') and no values"),
    "only a label and tabs": ("1\t1\t2\n2\t\t\n", 2, "only a label ('2')"),
    "missing label": ("1\t1\t2\n\t3\t4\n", 2, "missing label: the first field is empty"),
    "NaN label": ("NaN\t3\t4\n", 1, "missing label: the first field is 'NaN'"),
    "all-NaN series": ("1\t1\t2\n2\tNaN\tNaN\n", 2, "labelled '2' has no values, only NaN"),
    "comma-separated": ("1,2,3,4\n", 1, "no tab in the line, but ','"),
    "space-separated": ("1 2 3 4\n", 1, "no tab in the line, but spaces"),
    "a .ts file": ("@problemName Toy\n@data\n1,2:a\n", 1, "'@problemName' looks like a header"),
    "only blank lines": ("\n\n", 2, "no series"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_TSV))
def test_malformed_tsv_files_name_file_and_line(tmp_path, case):
    text, line, fragment = MALFORMED_TSV[case]
    path = write(tmp_path, text, name="bad.tsv")
    with pytest.raises(ValueError) as info:
        load_tsv(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: ")
    assert fragment in message


@pytest.mark.parametrize("name", sorted(REAL_TSV))
def test_real_tsv_datasets_load_with_expected_shape_and_classes(ucr_home, name):
    n_train, n_test, length, n_classes = REAL_TSV[name]
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr(name, split="both", data_home=ucr_home, download=False)
    assert X_tr.dtype == X_te.dtype == np.float32
    assert X_tr.shape[:2] == (n_train, 1) and X_te.shape[:2] == (n_test, 1)
    assert max(X_tr.shape[2], X_te.shape[2]) == length
    assert y_tr.dtype.kind == y_te.dtype.kind == "U"
    assert len(set(y_tr) | set(y_te)) == n_classes
    # labels exactly as the archive writes them: the first field of each line
    lines = (ucr_home / name / f"{name}_TRAIN.tsv").read_text().splitlines()
    assert y_tr.tolist() == [line.split("\t", 1)[0] for line in lines]
    assert float(lines[0].split("\t")[1]) == pytest.approx(X_tr[0, 0, 0])


def test_dodgerloopday_keeps_missing_values_inside_series(ucr_home):
    X, _, meta = load_tsv(ucr_home / "DodgerLoopDay" / "DodgerLoopDay_TRAIN.tsv", return_meta=True)
    assert meta.has_missing and meta.equal_length
    assert (meta.lengths == 288).all() and X.shape == (78, 1, 288)
    assert 0 < np.isnan(X).sum() < X.size // 10
    assert not np.isnan(X[:, 0, -1]).all()  # not padding: the series run to the end


def test_gesturemidaird1_pads_unequal_lengths_with_trailing_nan(ucr_home):
    path = ucr_home / "GestureMidAirD1" / "GestureMidAirD1_TEST.tsv"
    X, _, meta = load_tsv(path, return_meta=True)
    assert not meta.equal_length and not meta.has_missing
    assert meta.lengths.min() == 80 and meta.lengths.max() == X.shape[2] == 360
    observed = np.arange(X.shape[2])[None, :] < meta.lengths[:, None]
    assert not np.isnan(X[:, 0][observed]).any()
    assert np.isnan(X[:, 0][~observed]).all()


def test_list_ucr_lists_tsv_datasets(ucr_home):
    assert set(REAL_TSV) | set(REAL) <= set(list_ucr(ucr_home))


def make_dataset(home: Path, name: str, suffix: str, texts: dict[str, str]) -> None:
    (home / name).mkdir(exist_ok=True)
    for split, text in texts.items():
        (home / name / f"{name}_{split}{suffix}").write_text(text)


def test_fetch_ucr_prefers_ts_over_tsv(tmp_path):
    make_dataset(tmp_path, "Both", ".ts", {"TRAIN": TOY_TRAIN, "TEST": TOY_TEST})
    make_dataset(tmp_path, "Both", ".tsv", {"TRAIN": "1\t0\n", "TEST": "1\t0\n"})
    (X_tr, y_tr), (X_te, _) = fetch_ucr("Both", split="both", data_home=tmp_path, download=False)
    assert y_tr.tolist() == ["x", "y"] and X_te[0, 0].tolist() == [7, 8, 9]
    assert list_ucr(tmp_path) == ["Both"]


def test_fetch_ucr_reads_one_format_for_both_splits(tmp_path):
    # A lone .ts split next to a complete .tsv pair: the pair is read, not a mix of both.
    make_dataset(tmp_path, "Mixed", ".ts", {"TRAIN": TOY_TRAIN})
    make_dataset(tmp_path, "Mixed", ".tsv", {"TRAIN": "1\t0\t1\n", "TEST": "2\t5\n"})
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr(
        "Mixed", split="both", data_home=tmp_path, download=False
    )
    assert y_tr.tolist() == ["1"] and y_te.tolist() == ["2"]
    X, y = fetch_ucr("Mixed", split=None, data_home=tmp_path, download=False)
    assert X.shape == (2, 1, 2) and np.isnan(X[1, 0, 1])  # the test series padded


def test_list_ucr_requires_both_tsv_splits(tmp_path):
    make_dataset(tmp_path, "HalfTsv", ".tsv", {"TRAIN": "1\t0\n"})
    make_dataset(tmp_path, "FullTsv", ".tsv", {"TRAIN": "1\t0\n", "TEST": "1\t0\n"})
    assert list_ucr(tmp_path) == ["FullTsv"]
    with pytest.raises(FileNotFoundError, match=r"HalfTsv_TEST\.ts \(or \.tsv\) not found"):
        fetch_ucr("HalfTsv", split="both", data_home=tmp_path, download=False)


def test_fetch_ucr_names_the_tsv_file_and_line_of_an_error(tmp_path):
    make_dataset(tmp_path, "BadTsv", ".tsv", {"TRAIN": "1\t0\n2\tzero\n", "TEST": "1\t0\n"})
    with pytest.raises(ValueError, match=r"BadTsv_TRAIN\.tsv, line 2: non-numeric value 'zero'"):
        fetch_ucr("BadTsv", data_home=tmp_path, download=False)


# --------------------------------------------------------------------------- data home


def test_get_data_home_argument_then_env_then_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQPOOL_DATA_HOME", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("SEQPOOL_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / "seqpool_data"
    assert get_data_home("~/x") == tmp_path / "x"
    assert not (tmp_path / "seqpool_data").exists()  # resolving never creates folders


def test_data_home_that_is_a_file_or_no_path_is_refused(tmp_path, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("")
    for call in (
        lambda: get_data_home(afile),
        lambda: list_ucr(afile),
        lambda: fetch_ucr("Toy", data_home=afile, base_url="http://127.0.0.1:9/none"),
    ):
        with pytest.raises(ValueError, match=f"data_home must be a folder, got {afile}, which"):
            call()
    monkeypatch.setenv("SEQPOOL_DATA_HOME", str(afile))
    with pytest.raises(ValueError, match=r"data_home \(from \$SEQPOOL_DATA_HOME\) must be"):
        list_ucr()
    for call in (
        lambda: get_data_home(123),
        lambda: list_ucr(123),
        lambda: fetch_ucr("Toy", data_home=123, download=False),
        lambda: get_data_home(b"/tmp"),
    ):
        with pytest.raises(TypeError, match="data_home must be a folder name .str or path-like"):
            call()
    assert afile.read_text() == ""


def test_fetch_ucr_split_none_refuses_differently_labelled_splits(tmp_path):
    (tmp_path / "Odd").mkdir()
    (tmp_path / "Odd" / "Odd_TRAIN.ts").write_text(TOY_TRAIN)
    (tmp_path / "Odd" / "Odd_TEST.ts").write_text("@classLabel false\n@data\n1,2\n")
    with pytest.raises(ValueError, match="Odd: the train and test splits are labelled"):
        fetch_ucr("Odd", split=None, data_home=tmp_path, download=False)


def test_list_ucr_requires_both_splits(tmp_path):
    assert list_ucr(tmp_path / "missing") == []
    (tmp_path / "Half").mkdir()
    (tmp_path / "Half" / "Half_TRAIN.ts").write_text("@data\n1\n")
    (tmp_path / "Full").mkdir()
    for split in ("TRAIN", "TEST"):
        (tmp_path / "Full" / f"Full_{split}.ts").write_text("@data\n1\n")
    assert list_ucr(tmp_path) == ["Full"]


def test_fetch_ucr_without_download_reports_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'Nope' is not in the cache.*download=True"):
        fetch_ucr("Nope", data_home=tmp_path, download=False)


@pytest.mark.parametrize("name", ["../GunPoint", "a/b", "", ".hidden"])
def test_fetch_ucr_rejects_path_like_names(tmp_path, name):
    with pytest.raises(ValueError, match="name must be a dataset name"):
        fetch_ucr(name, data_home=tmp_path, download=False)


def test_fetch_ucr_refuses_text_as_download(tmp_path):
    # "no" is truthy: it once started a download
    with pytest.raises(TypeError, match="download must be True or False, got 'no'"):
        fetch_ucr("Toy", data_home=tmp_path, download="no")


@pytest.mark.parametrize("loader, suffix", [(load_ts, ".ts"), (load_tsv, ".tsv")])
def test_loaders_refuse_text_as_return_meta(tmp_path, loader, suffix):
    # "no" is truthy: it once returned the metadata as a third value
    text = (
        "@problemName Toy\n@classLabel true a b\n@data\n1,2:a\n" if suffix == ".ts" else "a\t1\t2\n"
    )
    path = write(tmp_path, text, f"Toy_TRAIN{suffix}")
    with pytest.raises(TypeError, match="return_meta must be True or False, got 'no'"):
        loader(path, return_meta="no")
    assert len(loader(path, return_meta=np.False_)) == 2


def test_fetch_ucr_rejects_unknown_split(tmp_path):
    with pytest.raises(ValueError, match=r"split must be one of \['train', 'test', 'both', None\]"):
        fetch_ucr("GunPoint", split="validation", data_home=tmp_path)


# --------------------------------------------------------------------------- download

TOY_TRAIN = "@problemName Toy\n@univariate true\n@classLabel true x y\n@data\n1,2,3:x\n4,5,6:y\n"
TOY_TEST = "@problemName Toy\n@univariate true\n@classLabel true x y\n@data\n7,8,9:y\n"


def make_zip(files: dict[str, str], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def patch_zip(data: bytes, *, flag_bits: int = 0, method: int | None = None) -> bytes:
    """``data`` with every member marked encrypted (``flag_bits=1``) or compressed by
    ``method``, in both the local headers and the central directory -- what archives made
    by other tools may hold, which the zipfile module cannot write."""
    raw = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = raw.find(signature)
        while start >= 0:
            raw[start + flags_at] |= flag_bits
            if method is not None:
                raw[start + flags_at + 2 : start + flags_at + 4] = method.to_bytes(2, "little")
            start = raw.find(signature, start + 4)
    return bytes(raw)


def _corrupt_crc(data: bytes) -> bytes:
    """A stored archive whose first member's bytes no longer match its CRC-32."""
    at = data.find(TOY_TRAIN.encode())
    return data[:at] + b"9" + data[at + 1 :]


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.requests.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        if not self.path.startswith("/archive/stream/"):  # else: length unknown until the end
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.files = {
        # the archive's zips may hold the files inside a folder, next to other formats
        "/archive/Toy.zip": make_zip(
            {
                "Toy/Toy_TRAIN.ts": TOY_TRAIN,
                "Toy/Toy_TEST.ts": TOY_TEST,
                "Toy/Toy_TRAIN.arff": "@relation toy\n",
                "__MACOSX/Toy/._Toy_TRAIN.ts": "junk",
            }
        ),
        "/archive/Flat.zip": make_zip({"Flat_TRAIN.ts": TOY_TRAIN, "Flat_TEST.ts": TOY_TEST}),
        "/archive/NoTest.zip": make_zip({"NoTest/NoTest_TRAIN.ts": TOY_TRAIN}),
        "/archive/Broken.zip": make_zip(
            {"Broken_TRAIN.ts": TOY_TRAIN, "Broken_TEST.ts": "@classLabel true x\n@data\n1,2,3\n"}
        ),
        "/archive/NotAZip.zip": b"<html>not found, but with status 200</html>",
        "/archive/TsvOnly.zip": make_zip(
            {"TsvOnly/TsvOnly_TRAIN.tsv": "1\t1\t2\n", "TsvOnly/TsvOnly_TEST.tsv": "2\t3\t4\n"}
        ),
        "/archive/TsAndTsv.zip": make_zip(
            {
                "TsAndTsv_TRAIN.ts": TOY_TRAIN,
                "TsAndTsv_TEST.ts": TOY_TEST,
                "TsAndTsv_TRAIN.tsv": "1\t1\n",
                "TsAndTsv_TEST.tsv": "1\t1\n",
            }
        ),
        "/archive/Locked.zip": patch_zip(
            make_zip({"Locked_TRAIN.ts": TOY_TRAIN, "Locked_TEST.ts": TOY_TEST}), flag_bits=1
        ),
        "/archive/Odd.zip": patch_zip(  # 99: AES, which the zipfile module cannot read
            make_zip({"Odd_TRAIN.ts": TOY_TRAIN, "Odd_TEST.ts": TOY_TEST}), method=99
        ),
        "/archive/Bomb.zip": make_zip(  # a few kB that unpack to 2 MB
            {"Bomb_TRAIN.ts": TOY_TRAIN + "# " + "0" * 2_000_000 + "\n", "Bomb_TEST.ts": TOY_TEST},
            compression=zipfile.ZIP_DEFLATED,
        ),
        "/archive/Corrupt.zip": _corrupt_crc(
            make_zip({"Corrupt_TRAIN.ts": TOY_TRAIN, "Corrupt_TEST.ts": TOY_TEST})
        ),
    }
    _Handler.files["/archive/stream/Toy.zip"] = _Handler.files["/archive/Toy.zip"]
    yield f"http://127.0.0.1:{httpd.server_address[1]}/archive"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def test_download_unpacks_into_cache_then_reads_from_it(tmp_path, server, no_proxy):
    home = tmp_path / "home"  # does not exist yet: fetch_ucr creates it
    before = len(_Handler.requests)
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr("Toy", split="both", data_home=home, base_url=server)
    assert X_tr.shape == (2, 1, 3) and y_tr.tolist() == ["x", "y"]
    assert X_te[0, 0].tolist() == [7, 8, 9] and y_te.tolist() == ["y"]
    assert sorted(p.name for p in home.iterdir()) == ["Toy"]  # no temporary leftovers
    assert sorted(p.name for p in (home / "Toy").iterdir()) == ["Toy_TEST.ts", "Toy_TRAIN.ts"]
    assert _Handler.requests[before:] == ["/archive/Toy.zip"]
    # Second call: served from the cache, the server is not asked again.
    X_again, _ = fetch_ucr("Toy", data_home=home, base_url=server)
    np.testing.assert_array_equal(X_again, X_tr)
    assert len(_Handler.requests) == before + 1
    assert list_ucr(home) == ["Toy"]


def test_download_of_zip_without_folder(tmp_path, server, no_proxy):
    X, y = fetch_ucr("Flat", split="test", data_home=tmp_path, base_url=server + "/")
    assert X.shape == (1, 1, 3)


def test_download_completes_a_partial_cache(tmp_path, server, no_proxy):
    (tmp_path / "Toy").mkdir()
    (tmp_path / "Toy" / "Toy_TRAIN.ts").write_text(TOY_TEST)  # a local train split
    X, _ = fetch_ucr("Toy", split="train", data_home=tmp_path, base_url=server + "/nowhere")
    assert X.shape == (1, 1, 3)  # the local file was used, nothing downloaded
    X_te, _ = fetch_ucr("Toy", split="test", data_home=tmp_path, base_url=server)
    assert X_te.shape == (1, 1, 3)
    assert (tmp_path / "Toy" / "Toy_TEST.ts").read_text() == TOY_TEST
    # the split that was there already is kept, not replaced by the archive's
    assert (tmp_path / "Toy" / "Toy_TRAIN.ts").read_text() == TOY_TEST
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Toy"]


def test_http_error_names_the_url_and_leaves_no_files(tmp_path, server, no_proxy):
    with pytest.raises(OSError, match=r"Could not download dataset 'Missing' from http://127"):
        fetch_ucr("Missing", data_home=tmp_path, base_url=server)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_an_oserror(tmp_path, no_proxy):
    with pytest.raises(OSError, match=r"http://127\.0\.0\.1:9/Toy\.zip"):
        fetch_ucr("Toy", data_home=tmp_path, base_url="http://127.0.0.1:9")
    assert list(tmp_path.iterdir()) == []


def test_zip_without_the_ts_files_is_a_value_error(tmp_path, server, no_proxy):
    with pytest.raises(ValueError, match=r"NoTest\.zip has no NoTest_TEST\.ts"):
        fetch_ucr("NoTest", data_home=tmp_path, base_url=server)
    assert list(tmp_path.iterdir()) == []


def test_response_that_is_not_a_zip_is_a_value_error(tmp_path, server, no_proxy):
    with pytest.raises(ValueError, match=r"NotAZip\.zip is not a valid zip archive"):
        fetch_ucr("NotAZip", data_home=tmp_path, base_url=server)
    assert list(tmp_path.iterdir()) == []


def test_unreadable_download_is_not_cached(tmp_path, server, no_proxy):
    with pytest.raises(ValueError) as info:
        fetch_ucr("Broken", data_home=tmp_path, base_url=server)
    assert list(tmp_path.iterdir()) == []
    message = str(info.value)
    assert message.startswith(
        f"Dataset 'Broken': the archive downloaded from {server}/Broken.zip holds "
        "Broken_TEST.ts, which cannot be read (line 3: missing label"
    )
    assert ".Broken-download-" not in message  # the deleted staging folder


def test_download_of_an_archive_with_tsv_files(tmp_path, server, no_proxy):
    (X_tr, y_tr), (X_te, y_te) = fetch_ucr(
        "TsvOnly", split="both", data_home=tmp_path, base_url=server
    )
    assert X_tr[0, 0].tolist() == [1, 2] and y_te.tolist() == ["2"]
    assert sorted(p.name for p in (tmp_path / "TsvOnly").iterdir()) == [
        "TsvOnly_TEST.tsv",
        "TsvOnly_TRAIN.tsv",
    ]


def test_download_takes_the_ts_files_when_the_archive_has_both(tmp_path, server, no_proxy):
    _, y = fetch_ucr("TsAndTsv", data_home=tmp_path, base_url=server)
    assert y.tolist() == ["x", "y"]
    assert sorted(p.suffix for p in (tmp_path / "TsAndTsv").iterdir()) == [".ts", ".ts"]


@pytest.mark.parametrize(
    "name, match",
    [
        ("Locked", r"Locked\.zip holds Locked_TRAIN\.ts encrypted \(password-protected\)"),
        (
            "Odd",
            r"Odd\.zip stores Odd_TRAIN\.ts with compression method 99, which this Python "
            r"cannot unpack",
        ),
        ("Corrupt", r"Corrupt\.zip is damaged: .*Bad CRC-32 .*Corrupt_TRAIN\.ts"),
    ],
)
def test_unreadable_archive_members_are_value_errors(tmp_path, server, no_proxy, name, match):
    # Encrypted members and unknown compression once escaped as RuntimeError and
    # NotImplementedError, which the command line showed as a traceback.
    with pytest.raises(ValueError, match=match):
        fetch_ucr(name, data_home=tmp_path, base_url=server)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
def test_download_larger_than_max_size_is_refused(tmp_path, server, no_proxy, streamed):
    base = server + ("/stream" if streamed else "")
    size = len(_Handler.files["/archive/Toy.zip"])
    with pytest.raises(
        ValueError,
        match=rf"Toy\.zip is (at least )?\d+ bytes, more than "
        rf"max_size={size - 1} bytes",
    ):
        fetch_ucr("Toy", data_home=tmp_path, base_url=base, max_size=size - 1)
    assert list(tmp_path.iterdir()) == []
    X, _ = fetch_ucr("Toy", data_home=tmp_path, base_url=base, max_size=size)
    assert X.shape == (2, 1, 3)


def test_archive_that_unpacks_beyond_max_size_is_refused(tmp_path, server, no_proxy):
    packed = len(_Handler.files["/archive/Bomb.zip"])
    assert packed < 100_000
    with pytest.raises(
        ValueError,
        match=r"Bomb\.zip unpacks to 2000\d+ bytes .*more than "
        r"max_size=1000000 bytes",
    ):
        fetch_ucr("Bomb", data_home=tmp_path, base_url=server, max_size=1_000_000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("max_size", [0, -1, 1.5, True, "1GB"])
def test_max_size_must_be_a_positive_integer(tmp_path, max_size):
    with pytest.raises(ValueError, match=r"max_size must be an integer >= 1"):
        fetch_ucr("Toy", data_home=tmp_path, max_size=max_size)


def test_float32_largest_value_as_numpy_prints_it_is_read(tmp_path):
    # numpy prints float32's maximum as 3.4028235e+38, a little above the exact value;
    # it rounds to the maximum, so a file written from float32 data reads back
    top = np.finfo(np.float32).max
    text = str(top)  # "3.4028235e+38"
    assert float(text) > float(top)
    path = tmp_path / "Top_TRAIN.tsv"
    path.write_text(f"1\t{text}\t-{text}\n")
    X, _ = load_tsv(path)
    np.testing.assert_array_equal(X[0, 0], np.float32([top, -top]))
    X, _ = load_ts(write(tmp_path, HEAD + f"@data\n{text},1:a\n"))
    assert X[0, 0, 0] == top


@pytest.mark.parametrize("loader, name", [(load_ts, "empty.ts"), (load_tsv, "empty.tsv")])
def test_empty_file_is_named_empty(tmp_path, loader, name):
    path = write(tmp_path, "", name=name)
    with pytest.raises(ValueError, match=f"{path} is empty; a"):
        loader(path)


def test_a_label_read_as_a_channel_is_warned(tmp_path):
    # '@classLabel false' with ':label' on every line: the labels became a channel silently
    path = write(tmp_path, "@classLabel false\n@data\n1,2,3:1\n4,5,6:2\n", name="lab.ts")
    with pytest.warns(UserWarning, match="read as channel 2 of one step. If that field is a"):
        X, y = load_ts(path)
    assert X.shape == (2, 2, 3) and y is None
    declared = write(tmp_path, "@dimensions 2\n@data\n1,2,3:1\n4,5,6:2\n", name="ok.ts")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_ts(declared)[0].shape == (2, 2, 3)


def test_tsv_labels_of_one_number_spelt_differently_are_named(tmp_path):
    # "1" and "1.0" are two classes as written: with the train split written one way and
    # the test split the other, a model scored 0.0 on the test split without a word
    one = tmp_path / "one.tsv"
    one.write_text("1.0\t1\t2\n2\t3\t4\n1\t5\t6\n")
    with pytest.warns(
        UserWarning,
        match=r"the labels '1' and '1.0' are the same number spelt "
        "differently; they are read as different classes, as written",
    ) as record:
        _, y = load_tsv(one)  # fmt: skip
    assert y.tolist() == ["1.0", "2", "1"]  # still as written
    advice = str(record[0].message).split("map them: ")[1].rstrip(".")
    exec(advice, {"np": np}, scope := {"y": y})  # the advice runs as written
    assert scope["y"].tolist() == ["1.0", "2", "1.0"]
    folder = tmp_path / "FL"
    folder.mkdir()
    (folder / "FL_TRAIN.tsv").write_text("1.0\t1\t2\n2.0\t3\t4\n1.0\t5\t6\n")
    (folder / "FL_TEST.tsv").write_text("1\t1\t2\n2\t3\t4\n")
    with pytest.warns(UserWarning, match=r"FL: .*'1' and '1.0', '2' and '2.0' are the same "
                      "number spelt differently") as record:  # fmt: skip
        (_, y_train), (_, y_test) = fetch_ucr("FL", split="both", data_home=tmp_path,
                                              download=False)  # fmt: skip
    assert len(record) == 1
    advice = str(record[0].message).split("map them: ")[1].rstrip(".")
    scope = {"y_train": y_train, "y_test": y_test}
    exec(advice, {"np": np}, scope)  # every pair, both splits, runnable as written
    assert scope["y_train"].tolist() == ["1.0", "2.0", "1.0"]
    assert scope["y_test"].tolist() == ["1.0", "2.0"]
    # a clash inside the train file too: one warning, one spelling for both splits
    (folder / "FL_TRAIN.tsv").write_text("1\t1\t2\n1.0\t3\t4\n2\t5\t6\n")
    (folder / "FL_TEST.tsv").write_text("1.0\t1\t2\n2\t3\t4\n")
    with pytest.warns(UserWarning, match="same number spelt differently") as record:
        (_, y_train), (_, y_test) = fetch_ucr("FL", split="both", data_home=tmp_path,
                                              download=False)  # fmt: skip
    assert len(record) == 1
    scope = {"y_train": y_train, "y_test": y_test}
    exec(str(record[0].message).split("map them: ")[1].rstrip("."), {"np": np}, scope)
    assert scope["y_train"].tolist() == ["1", "1", "2"] and scope["y_test"].tolist() == ["1", "2"]
    with pytest.warns(UserWarning, match=r"map them: y = np.array"):
        fetch_ucr("FL", split=None, data_home=tmp_path, download=False)  # the labels together
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one spelling per number: no warning
        (folder / "FL_TRAIN.tsv").write_text("1.0\t1\t2\n2.0\t3\t4\n1.0\t5\t6\n")
        (folder / "FL_TEST.tsv").write_text("1.0\t1\t2\n2.0\t3\t4\n")
        fetch_ucr("FL", split="both", data_home=tmp_path, download=False)


def test_a_tsv_header_of_numbered_columns_is_refused(tmp_path):
    # pandas' to_csv(sep="\t", index=False) writes "label 0 1 2 3": it was read as a series
    # of class 'label' with the values 0, 1, 2, 3
    path = tmp_path / "h.tsv"
    path.write_text("label\t0\t1\t2\t3\n1\t100\t101\t102\t103\n2\t104\t105\t106\t107\n")
    with pytest.raises(ValueError, match=r"line 1: the first line looks like a header of "
                       r"numbered columns \(the label 'label'"):  # fmt: skip
        load_tsv(path)
    path.write_text("target\t1\t2\t3\n1\t100\t101\t102\n")  # columns numbered from 1
    with pytest.raises(ValueError, match="looks like a header"):
        load_tsv(path)
    # a first series that happens to hold 0, 1, 2, 3 under a numeric label is data
    path.write_text("1\t0\t1\t2\t3\n2\t100\t101\t102\t103\n")
    assert load_tsv(path)[0].shape == (2, 1, 4)


def test_a_split_reads_the_same_file_alone_or_with_the_other(tmp_path):
    folder = tmp_path / "M"
    folder.mkdir()
    (folder / "M_TRAIN.ts").write_text("@classLabel true a b\n@data\n1,2:a\n3,4:b\n")
    for split in ("TRAIN", "TEST"):
        (folder / f"M_{split}.tsv").write_text("1\t10\t20\n2\t30\t40\n")
    alone = fetch_ucr("M", split="train", data_home=tmp_path, download=False)
    both = fetch_ucr("M", split="both", data_home=tmp_path, download=False)
    np.testing.assert_array_equal(alone[0], both[0][0])  # the .tsv pair: one format for both
    assert alone[1].tolist() == both[0][1].tolist() == ["1", "2"]
    assert list_ucr(tmp_path) == ["M"]


def test_ts_files_without_declared_labels_whose_lines_end_in_one_say_so(tmp_path):
    path = tmp_path / "u.ts"
    hint = r"If the last field '{}' is a class label, declare it \('@classLabel true <labels>'"
    path.write_text("@classLabel false\n@data\n1,2,3:a\n")
    with pytest.raises(ValueError, match=r"non-numeric value 'a'.*" + hint.format("a")):
        load_ts(path)
    path.write_text("@univariate true\n@classLabel false\n@data\n1,2,3:1\n")
    with pytest.raises(ValueError, match=r"expected 1 dimension\(s\).*" + hint.format("1")):
        load_ts(path)


def test_a_declared_series_length_is_checked_without_equal_length_too(tmp_path):
    path = tmp_path / "s.ts"
    path.write_text("@seriesLength 3\n@classLabel true a b\n@data\n1,2:a\n3,4:b\n")
    with pytest.raises(ValueError, match="line 4: the header declares @seriesLength 3 but a "
                       "dimension has 2 steps"):  # fmt: skip
        load_ts(path)
    path.write_text("@seriesLength 2\n@classLabel true a b\n@data\n1,2:a\n3,4:b\n")
    assert load_ts(path)[0].shape == (2, 1, 2)
    # unequal lengths declared as such: the declared length is not a rule for every series
    path.write_text(
        "@seriesLength 3\n@equalLength false\n@classLabel true a b\n@data\n1,2:a\n3,4,5:b\n"
    )
    assert load_ts(path)[0].shape == (2, 1, 3)
