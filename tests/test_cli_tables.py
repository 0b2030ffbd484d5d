"""``seqpool compare --csv``: tables whose shape or header the command must tell the user
about, and arguments checked before anything is printed or replaced."""

from __future__ import annotations

import importlib
import io
import os
import threading
import types
import zipfile

import numpy as np
import pandas as pd
import pytest

from seqpool_sklearn.cli import main

TINY = ["--encoder", "none", "--max-epochs", "1", "--cv", "2", "--quiet"]


def _wide(n=20, T=8, rng=0) -> pd.DataFrame:
    rng = np.random.default_rng(rng)
    frame = pd.DataFrame(rng.normal(size=(n, T)), columns=[f"t{t}" for t in range(T)])
    frame.insert(0, "label", ["a", "b"] * (n // 2))
    return frame


def _error(capsys) -> str:
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("seqpool: error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("header", "flags", "name", "where"),
    [
        # the copy of the target would be read as the last time step (names not numbered)
        ("y,jan,feb,mar,apr,y", [], "y", "columns 1 and 6"),
        # numbered names: the copy was said to be 'y.1', with --pattern as the advice
        ("y,t0,t1,t2,t3,y", [], "y", "columns 1 and 6"),
        ("y,t0,t1,t1,t3,t4", [], "t1", "columns 3 and 4"),
        # a long table: the copy would be read as a channel
        ("sid,step,a,y,y", ["--id", "sid", "--time", "step"], "y", "columns 4 and 5"),
    ],
)
def test_a_column_name_given_twice_is_refused_in_the_files_words(
    tmp_path, capsys, header, flags, name, where
):
    rng = np.random.default_rng(0)
    n_cols = header.count(",") + 1
    rows = [",".join(f"{v:.3f}" for v in rng.normal(size=n_cols)) for _ in range(12)]
    if "sid" in header:
        rows = [f"s{i // 3},{i % 3},{r.split(',', 2)[2]}" for i, r in enumerate(rows)]
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    argv = ["compare", "--csv", str(path), "--target", "y", *flags, *TINY]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    err = _error(capsys)
    assert f"column name {name!r} appears twice in the header of {path} ({where})" in err
    assert "--pattern" not in err and ".1" not in err
    assert not (tmp_path / "o").exists()


def test_a_file_without_a_header_whose_first_row_repeats_a_value_is_said_to_lack_one(
    tmp_path, capsys
):
    # counts: the first row repeats values, which is no header with copied names
    rng = np.random.default_rng(0)
    rows = [",".join(map(str, rng.integers(0, 3, 8))) + f",{'ud'[i % 2]}" for i in range(12)]
    rows[0] = "2,2,0,1,1,0,1,2,up"
    path = tmp_path / "noheader.csv"
    path.write_text("\n".join(rows) + "\n")
    argv = ["compare", "--csv", str(path), "--target", "label", *TINY]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    err = _error(capsys)
    assert f"the first line of {path} looks like data" in err
    assert "does the file have a header line?" in err and "'2' appears 3 times" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("scoring", "target", "fragment"),
    [
        ("neg_mean_squared_log_error", -1.5, "needs target values above -1"),
        ("neg_root_mean_squared_log_error", -1.0, "needs target values above -1"),
        ("neg_mean_poisson_deviance", -0.5, "needs target values of 0 or more"),
        ("neg_mean_gamma_deviance", 0.0, "needs target values above 0"),
        # a target in its domain: the predictions must be positive too, which the
        # regressor's output cannot promise
        ("neg_mean_poisson_deviance", 3.0, "only predictions above 0"),
        # the squared log errors take only predictions above -1: a run on targets above -1
        # ended after every fit when one fit predicted -1 or less
        ("neg_mean_squared_log_error", 3.0, "only predictions above -1"),
        ("neg_root_mean_squared_log_error", 3.0, "only predictions above -1"),
    ],
)
def test_a_metric_that_cannot_score_the_target_is_refused_before_output_or_removal(
    tmp_path, capsys, scoring, target, fragment
):
    frame = _wide().drop(columns="label")
    frame["y"] = np.linspace(0.5, 5, len(frame))
    frame.loc[3, "y"] = target
    frame.to_csv(tmp_path / "r.csv", index=False)
    out = tmp_path / "o"
    out.mkdir()
    (out / "results.csv").write_text("earlier run")
    argv = ["compare", "--csv", str(tmp_path / "r.csv"), "--target", "y", *TINY]
    assert main([*argv, "--scoring", scoring, "--out", str(out), "--overwrite"]) == 2
    err = _error(capsys)
    assert f"--scoring {scoring} {fragment}" in err or fragment in err
    assert "use --scoring r2" in err
    assert (out / "results.csv").read_text() == "earlier run"


def _ridge_run(path, out) -> list[str]:
    argv = ["compare", "--csv", str(path), "--target", "label", "--readout", "ridge"]
    argv += ["--encoder", "none", "--cv", "2", "--quiet", "--pools", "avg"]
    return [*argv, "--windows", "none", "--out", str(out)]


def test_csv_dash_reads_standard_input_once(tmp_path, capsys, monkeypatch):
    text = _wide().to_csv(index=False).encode()
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=io.BytesIO(text)))
    assert main(_ridge_run("-", tmp_path / "o")) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("<stdin> (wide table): 20 samples, 1 channel, 8 steps;")


@pytest.mark.parametrize("compress", ["gzip", "bz2", "lzma"])
def test_csv_dash_reads_compressed_standard_input(tmp_path, capsys, monkeypatch, compress):
    # `seqpool compare --csv - < table.csv.gz` failed on the codec ("can't decode byte
    # 0x8b"), while --csv table.csv.gz reads it: a stream has no suffix to go by
    text = importlib.import_module(compress).compress(_wide().to_csv(index=False).encode())
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=io.BytesIO(text)))
    assert main(_ridge_run("-", tmp_path / "o")) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("<stdin> (wide table): 20 samples, 1 channel, 8 steps;")


def test_csv_dash_refuses_a_zip_stream_in_words(tmp_path, capsys, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("w.csv", _wide().to_csv(index=False))
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=io.BytesIO(buffer.getvalue())))
    assert main(_ridge_run("-", tmp_path / "o")) == 2
    err = _error(capsys)
    assert "<stdin> holds zip-compressed data" in err and "decompress it first" in err
    assert not (tmp_path / "o").exists()


def test_a_pipe_is_read_once(tmp_path, capsys):
    # /dev/stdin of `cat file | seqpool ...` is a pipe: its header line, read for the
    # separator, was gone when pandas read the table ("No columns to parse from file")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    text = _wide().to_csv(index=False).encode()

    def write():
        with open(fifo, "wb") as stream:
            stream.write(text)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert main(_ridge_run(fifo, tmp_path / "o")) == 0, capsys.readouterr().err
    finally:
        writer.join(timeout=10)
    assert "(wide table): 20 samples, 1 channel, 8 steps;" in capsys.readouterr().out


def test_lines_ending_with_a_separator_are_named_as_such(tmp_path, capsys):
    # the empty last column is no index column: the message says what it is and the
    # --drop spelling that leaves it out
    text = _wide().to_csv(index=False, sep=";")
    path = tmp_path / "trail.csv"
    path.write_text("".join(line + ";\n" for line in text.splitlines()))
    out = tmp_path / "o"
    assert main(_ridge_run(path, out)) == 2
    err = _error(capsys)
    assert "column 10 of" in err and "has no name and no values" in err
    assert "do its lines end with a separator?" in err and "index" not in err
    assert err.rstrip().endswith("--drop 'Unnamed: 9'")
    assert main([*_ridge_run(path, out), "--drop", "Unnamed: 9"]) == 0
    assert "8 steps" in capsys.readouterr().out


@pytest.mark.parametrize("sep", [",", ";"])
def test_rows_ending_with_a_separator_the_header_lacks_are_read_by_the_header(
    tmp_path, capsys, sep
):
    # pandas took the first column as an index and read every column one place to the
    # left: the labels became the empty last field
    lines = _wide().to_csv(index=False, sep=sep).splitlines()
    path = tmp_path / "rowtrail.csv"
    path.write_text("\n".join([lines[0], *(line + sep for line in lines[1:])]) + "\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(lines) + "\n")
    for source, out in ((path, "o1"), (plain, "o2")):
        assert main(_ridge_run(source, tmp_path / out)) == 0, capsys.readouterr().err
        assert "20 samples, 1 channel, 8 steps;" in capsys.readouterr().out
    got = pd.read_csv(tmp_path / "o1" / "results.csv")
    want = pd.read_csv(tmp_path / "o2" / "results.csv")
    pd.testing.assert_series_equal(got["score"], want["score"])


def test_rows_with_a_value_the_header_does_not_name_are_refused(tmp_path, capsys):
    lines = _wide().to_csv(index=False).splitlines()
    rows = [line + ("," if i else ",7") for i, line in enumerate(lines[1:])]
    path = tmp_path / "extra.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    assert main(_ridge_run(path, tmp_path / "o")) == 2
    err = _error(capsys)
    assert f"the rows of {path} hold one field more than its header line names" in err
    assert "(line 1 names 9: label, t0, t1, t2, t3, t4, t5, t6, t7; the rows hold 10" in err
    assert "the first with a value beyond the names on line 2)" in err
    assert "add the missing names to the header line" in err


@pytest.mark.parametrize("first", [0, 1])
def test_an_id_column_counting_rows_does_not_hide_trailing_separators(tmp_path, capsys, first):
    # pandas stores a first column of 0..n-1 or 1..n as a range index: the shift went
    # unnoticed and the target was read from the first step
    frame = _wide()
    frame.insert(0, "id", np.arange(first, first + len(frame)))
    lines = frame.to_csv(index=False).splitlines()
    path = tmp_path / "ids.csv"
    path.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n")
    argv = [*_ridge_run(path, tmp_path / "o"), "--drop", "id"]
    assert main(argv) == 0, capsys.readouterr().err
    assert "20 samples, 1 channel, 8 steps; classification, 2 classes" in capsys.readouterr().out
    rows = [line + ("," if i != 3 else ",9") for i, line in enumerate(lines[1:])]
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    assert main([*_ridge_run(path, tmp_path / "o2"), "--drop", "id"]) == 2
    assert "the first with a value beyond the names on line 5)" in _error(capsys)


def test_row_names_without_a_header_name_are_refused_with_the_way_out(tmp_path, capsys):
    # R's write.table(sep="\t") writes no header field for the row names
    lines = _wide().to_csv(index=False, sep="\t").splitlines()
    rows = [f'"row{i}"\t{line}' for i, line in enumerate(lines[1:])]
    path = tmp_path / "r.tsv"
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    assert main(_ridge_run(path, tmp_path / "o")) == 2
    err = _error(capsys)
    assert "hold one field more than its header line names" in err
    assert "If the first field of every row is a row name (R's write.table" in err


def test_a_preamble_holding_the_separator_is_named_as_such(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("# exported by tool, version 3\n" + _wide().to_csv(index=False))
    assert main(_ridge_run(path, tmp_path / "o")) == 2
    err = _error(capsys)
    assert "the first line of" in err and "holds 2 fields where the rows hold 9" in err
    assert "remove the lines above the header" in err


def test_a_later_line_with_an_extra_field_is_named(tmp_path, capsys):
    lines = _wide().to_csv(index=False).splitlines()
    lines[5] += ","
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n")
    assert main(_ridge_run(path, tmp_path / "o")) == 2
    err = _error(capsys)
    assert "Expected 9 fields in line 6, saw 10; does line 6 end with a separator" in err


def test_a_named_column_without_values_is_not_read_as_a_step(tmp_path, capsys):
    frame = _wide().assign(empty=np.nan)
    frame.to_csv(tmp_path / "e.csv", index=False)
    assert main(_ridge_run(tmp_path / "e.csv", tmp_path / "o")) == 2
    err = _error(capsys)
    assert "column 'empty' of" in err and "has no values" in err
    assert "read as a time step of missing values: leave it out with --drop empty" in err


@pytest.mark.parametrize("sep", ["|", ":"])
def test_a_header_read_as_one_column_names_its_separator(tmp_path, capsys, sep):
    _wide().to_csv(tmp_path / "s.csv", index=False, sep=sep)
    assert main(_ridge_run(tmp_path / "s.csv", tmp_path / "o")) == 2
    err = _error(capsys)
    assert "reads as one column" in err and f"pass --sep '{sep}'" in err
    assert "Did you mean" not in err


def test_a_preamble_line_is_named_as_such(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("# exported by logger v2\n" + _wide().to_csv(index=False))
    assert main(_ridge_run(path, tmp_path / "o")) == 2
    err = _error(capsys)
    assert "the first line of" in err and "'# exported by logger v2', a comment" in err
    assert "remove the lines above the header" in err


def test_quoted_decimal_commas_in_a_comma_separated_table_are_named(tmp_path, capsys):
    frame = _wide()
    cells = frame.drop(columns="label").map(lambda v: f"{v:.3f}".replace(".", ","))
    cells.insert(0, "label", frame["label"])
    cells.to_csv(tmp_path / "q.csv", index=False, quoting=1)
    assert main(_ridge_run(tmp_path / "q.csv", tmp_path / "o")) == 2
    err = _error(capsys)
    assert "holds numbers written with a decimal comma" in err and "';'" in err
    assert "--id" not in err


def test_library_warnings_are_said_once_in_the_commands_words(tmp_path, capsys):
    # a warning of every fit (here the ridge readout's, hidden_size below twice its rank)
    # reached the shell once per fit, as '<file>:<line>: UserWarning: ...'
    _wide().to_csv(tmp_path / "w.csv", index=False)
    argv = [*_ridge_run(tmp_path / "w.csv", tmp_path / "o"), "--hidden-size", "1"]
    assert main([*argv, "--cv", "3"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "warning" in line.lower()]
    assert len(lines) == 1, err
    assert lines[0].startswith("seqpool: warning: readout='ridge': the ridge readout has rank")
    assert "UserWarning" not in err


def test_worker_processes_say_their_warnings_once_in_the_commands_words(tmp_path, capfd):
    # with --n-jobs 2 the fits' warnings were printed by the workers, once per fit, as
    # '<file>:<line>: UserWarning: ...' (read at the file descriptor: workers write there)
    _wide().to_csv(tmp_path / "w.csv", index=False)
    argv = [*_ridge_run(tmp_path / "w.csv", tmp_path / "o"), "--hidden-size", "1"]
    assert main([*argv, "--cv", "4", "--n-jobs", "2"]) == 0
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if "warning" in line.lower()]
    assert len(lines) == 1, err
    assert lines[0].startswith("seqpool: warning: readout='ridge': the ridge readout has rank")
    assert "UserWarning" not in err


def _long_two_channels() -> pd.DataFrame:
    """A long table of 12 series of 6 steps, channels a and b, a label of two classes."""
    rng = np.random.default_rng(0)
    rows = [
        {"sid": f"s{i}", "step": t, "a": rng.normal(), "b": rng.normal(), "label": i % 2}
        for i in range(12)
        for t in range(6)
    ]
    return pd.DataFrame(rows)


def _long_ridge_run(tmp_path) -> list[str]:
    """``seqpool compare`` on ``tmp_path / "l.csv"`` as a long table, with the ridge readout."""
    argv = ["compare", "--csv", str(tmp_path / "l.csv"), "--target", "label", "--id", "sid"]
    argv += ["--time", "step", "--readout", "ridge", "--encoder", "none", "--cv", "2"]
    return argv + ["--quiet", "--pools", "avg", "--windows", "none", "--out", str(tmp_path / "o")]


def test_a_warnings_sample_position_in_a_fold_is_not_shown_as_a_row(tmp_path, capsys):
    frame = _long_two_channels()
    frame.loc[frame["sid"] == "s2", "b"] = np.nan  # one series without channel b
    frame.to_csv(tmp_path / "l.csv", index=False)
    argv = _long_ridge_run(tmp_path)
    assert main(argv) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("seqpool: warning:")]
    assert len(lines) == 1, err
    assert "of a series in one training fold" in lines[0] and "sample" not in lines[0]


def test_warnings_about_different_channels_are_each_said(tmp_path, capsys):
    # two NaNs in channel a of one series, two in channel b of two others: the same
    # warning but for its numbers, which were all merged into one
    frame = _long_two_channels()
    frame.loc[(frame["sid"] == "s0") & frame["step"].isin([3, 4]), "a"] = np.nan
    frame.loc[frame["sid"].isin(["s1", "s2"]) & (frame["step"] == 5), "b"] = np.nan
    frame.to_csv(tmp_path / "l.csv", index=False)
    argv = _long_ridge_run(tmp_path)
    assert main(argv) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("seqpool: warning:")]
    assert any("in channel 0 (" in line for line in lines), err
    assert any("in channel 1 (" in line for line in lines), err
    assert len(lines) == 2, err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["compare", "--quik"], "--quick"),
        (["compare", "--seeds", "2"], "--n-seeds"),
        (["compare", "--metric", "accuracy"], "--scoring"),
        (["compare", "--n-seedz=2"], "--n-seeds"),
        (["--verison"], "--version"),
    ],
)
def test_a_mistyped_flag_gets_a_suggestion(capsys, argv, hint):
    assert main(argv) == 2
    err = _error(capsys)
    assert "unrecognized arguments" in err and f"Did you mean {hint!r}?" in err


@pytest.mark.parametrize("flag", ["--time", "--target"])
def test_a_flag_naming_the_id_column_is_said_as_such(tmp_path, capsys, flag):
    rows = [
        {"sid": f"s{i}", "step": t, "a": 0.5 * t, "label": i % 2}
        for i in range(8)
        for t in range(4)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "l.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "l.csv"), "--id", "sid", *TINY]
    argv += {
        "--time": ["--time", "sid", "--target", "label"],
        "--target": ["--time", "step", "--target", "sid"],
    }[flag]
    assert main(argv) == 2
    assert f"--id and {flag} name the same column, 'sid'" in _error(capsys)


def test_a_file_as_data_home_is_named_by_its_flag(tmp_path, capsys, monkeypatch):
    (tmp_path / "f").write_text("")
    assert main(["datasets", "--data-home", str(tmp_path / "f")]) == 2
    assert _error(capsys).startswith("seqpool: error: --data-home must be a folder, got")
    argv = ["compare", "--ucr", "GunPoint", "--data-home", str(tmp_path / "f")]
    assert main(argv) == 2
    assert _error(capsys).startswith("seqpool: error: --data-home must be a folder, got")
    monkeypatch.setenv("SEQPOOL_DATA_HOME", str(tmp_path / "f"))
    assert main(["datasets"]) == 2
    assert _error(capsys).startswith("seqpool: error: $SEQPOOL_DATA_HOME must be a folder")


def test_results_csv_writes_global_pooling_as_the_documented_empty_cell(tmp_path, capsys):
    _wide().to_csv(tmp_path / "w.csv", index=False)
    argv = _ridge_run(tmp_path / "w.csv", tmp_path / "o")
    argv[argv.index("--windows") + 1] = "none,4"
    assert main(argv) == 0
    capsys.readouterr()
    lines = (tmp_path / "o" / "results.csv").read_text().splitlines()
    column = lines[0].split(",").index("window")
    assert {line.split(",")[column] for line in lines[1:]} == {"", "4"}
    back = pd.read_csv(tmp_path / "o" / "results.csv")["window"]
    assert back.isna().any() and set(back.dropna()) == {4.0}
