"""Tests of the ``seqpool`` command line.

The main paths run as a user runs them, in a subprocess (``python -m seqpool_sklearn.cli``):
output, files, progress bar, ``--quiet``, exit status and one-line errors without a
traceback. The many argument checks call ``main`` in-process, which runs the same code
without paying a fresh interpreter's torch import each time. Every run uses tiny settings
(``--max-epochs`` 1 or 2, ``--cv 2``, few samples) and a scratch output folder.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from seqpool_sklearn.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--max-epochs", "2", "--cv", "2", "--repeats", "1", "--hidden-size", "4"]


def run_cli(*args: str, cwd, env_extra: dict | None = None, timeout: float = 120):
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg", MPLCONFIGDIR=str(cwd))
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "seqpool_sklearn.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert len(data) > 10_000, f"{path} is suspiciously small ({len(data)} bytes)"


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("seqpool") and "error:" in lines[0]
    for fragment in fragments:
        assert fragment in lines[0]


# --------------------------------------------------------------------------- compare
def test_compare_on_the_embedded_task(tmp_path):
    out = tmp_path / "res"
    proc = run_cli("compare", *TINY, "--n-samples", "40", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "nonlinear_steps (synthetic): 40 samples, 2 channels, 64 steps" in proc.stdout
    assert "score (mean ± sd)" in proc.stdout
    assert "Order effect, decode_first - pool_first" in proc.stdout
    assert "avg, global" in proc.stdout and "max, global" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "8/8" in proc.stderr  # the progress bar over 2 orders x 2 pools x 2 splits

    frame = pd.read_csv(out / "results.csv")
    assert len(frame) == 8
    assert {"order", "pool", "window", "repeat", "fold", "score", "fit_time"} <= set(frame)
    assert set(frame["order"]) == {"pool_first", "decode_first"}
    assert_png(out / "compare.png")


def test_compare_quiet_long_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for sample in range(16):
        label = sample % 2
        for t in range(12):
            x = rng.normal() + (1.5 if label else 0.0)
            rows.append({"sid": sample, "t": t, "a": x, "b": rng.normal(), "label": f"c{label}"})
    path = tmp_path / "long.csv"
    pd.DataFrame(rows).sample(frac=1, random_state=0).to_csv(path, index=False)
    proc = run_cli(
        "compare",
        *TINY,
        "--csv",
        str(path),
        "--id",
        "sid",
        "--time",
        "t",
        "--channels",
        "a,b",
        "--target",
        "label",
        "--pools",
        "avg",
        "--windows",
        "none,4",
        "--encoder",
        "none",
        "--out",
        "out",
        "--quiet",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # --quiet: no progress bar
    assert "long table, 16 series): 16 samples, 2 channels, 12 steps" in proc.stdout
    assert "avg, window 4" in proc.stdout
    assert len(pd.read_csv(tmp_path / "out" / "results.csv")) == 2 * 2 * 2
    assert_png(tmp_path / "out" / "compare.png")


def test_compare_on_a_ucr_dataset_in_process(tmp_path, ucr_home, capsys):
    code = main(
        ["compare", "--ucr", "GunPoint", "--data-home", str(ucr_home), "--no-download"]
        + ["--encoder", "none", "--max-epochs", "1", "--cv", "2", "--pools", "avg", "--quiet"]
        + ["--out", str(tmp_path / "gp")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "GunPoint (UCR/UEA, train and test pooled): 200 samples, 1 channel, 150 steps" in out
    assert len(pd.read_csv(tmp_path / "gp" / "results.csv")) == 4


def test_wide_csv_and_regression_in_process(tmp_path, capsys):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20, 2 * 5))
    frame = pd.DataFrame(values, columns=[f"v{i}" for i in range(10)])
    frame["target"] = values.mean(axis=1)
    frame.to_csv(tmp_path / "wide.csv", index=False)
    code = main(
        ["compare", *TINY, "--csv", str(tmp_path / "wide.csv"), "--target", "target"]
        + ["--n-channels", "2", "--encoder", "none", "--pools", "avg", "--quiet"]
        + ["--out", str(tmp_path / "w")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "20 samples, 2 channels, 5 steps; regression" in out
    assert "SeqPoolRegressor" in out and "R² per head design" in out
    assert_png(tmp_path / "w" / "compare.png")


# --------------------------------------------------------------------------- datasets
def test_datasets_lists_synthetic_and_ucr(ucr_home, capsys):
    assert main(["datasets", "--data-home", str(ucr_home)]) == 0
    out = capsys.readouterr().out
    for name in ("nonlinear_steps", "mean_level", "event_timing", "GunPoint", "JapaneseVowels"):
        assert name in out


def test_datasets_with_an_empty_home(tmp_path, capsys):
    assert main(["datasets", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "nonlinear_steps" in out and "(none found" in out


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "args, fragments",
    [
        (["compare", "--pools", "avg,mean"], ["--pools", "'mean' is not one of"]),
        (["compare", "--csv", "missing.csv", "--target", "y"], ["cannot read missing.csv"]),
    ],
    ids=["bad-pool", "missing-file"],
)
def test_errors_are_one_line_with_status_2(tmp_path, args, fragments):
    proc = run_cli(*args, cwd=tmp_path, env_extra={"SEQPOOL_DATA_HOME": str(tmp_path)})
    assert_one_line_error(proc, *fragments)
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "args, fragment",
    [
        ([], "choose a command"),
        (["frobnicate"], "invalid choice"),
        (["compare", "--cv", "1"], "expected an integer >= 2"),
        (["compare", "--windows", "none,zero"], "is not a window"),
        (["compare", "--windows", "65"], "window 65 is longer than the series (64 steps)"),
        (["compare", "--synthetic", "spirals"], "unknown synthetic task 'spirals'"),
        (["compare", "--target", "y"], "--target only applies to --csv"),
        (["compare", "--ucr", "GunPoint", "--synthetic", "mean_level"], "not allowed with"),
        (["compare", "--alpha", "2"], "--alpha must be between 0 and 1"),
        (
            ["compare", "--ucr", "NoSuchSet", "--no-download", "--data-home", "/nonexistent"],
            "'NoSuchSet' is not in the cache",
        ),
    ],
)
def test_argument_errors_in_process(args, fragment, capsys):
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err


def test_csv_errors_in_process(tmp_path, capsys):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": [1, 1, 2, 2], "x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "a", "b", "b"]}).to_csv(
        path, index=False
    )
    cases = [
        (["--csv", str(path)], "--csv needs --target"),
        (["--csv", str(path), "--target", "label"], "column 'label' is not in"),
        (["--csv", str(path), "--target", "y", "--time", "x"], "--time describes a long table"),
        (["--csv", str(path), "--target", "y", "--data-home", "x"], "--data-home only applies"),
        (["--csv", str(path), "--target", "y", "--id", "id", "--cv", "2"], "too few for --cv 2"),
    ]
    for args, fragment in cases:
        assert main(["compare", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("seqpool: error:") and fragment in err, err
