"""Tests of the ``seqpool`` command line.

The main paths run as a user runs them, in a subprocess (``python -m seqpool_sklearn.cli``):
output, files, progress bar, ``--quiet``, exit status and one-line errors without a
traceback. The many argument checks call ``main`` in-process, which runs the same code
without paying a fresh interpreter's torch import each time. Every run uses tiny settings
(``--max-epochs`` 1 or 2, ``--cv 2``, few samples) and a scratch output folder.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from seqpool_sklearn import SeqPoolClassifier, SeqPoolRegressor
from seqpool_sklearn.cli import QUICK_PRESET, build_parser, main

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
    assert lines[0].startswith("seqpool: error: ")
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
    assert "long table, 16 series, channels a, b): 16 samples, 2 channels, 12 steps" in proc.stdout
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


def test_without_matplotlib_the_report_and_csv_come_without_figures(
    tmp_path, ucr_home, capsys, monkeypatch
):
    # the package does not require matplotlib (the cli and plot extras bring it): a run
    # once trained every design, then stopped at the figure with "No module named
    # 'matplotlib'", before the report, and several datasets stopped after the first
    for name in ("matplotlib", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)
    code = main(
        ["compare", "--ucr", "GunPoint,ECG200", "--data-home", str(ucr_home), "--no-download"]
        + ["--encoder", "none", "--max-epochs", "1", "--cv", "2", "--pools", "avg", "--quiet"]
        + ["--out", str(tmp_path / "two")]
    )
    out, err = capsys.readouterr()
    assert code == 0
    # a line about the run, on stderr: stdout holds the report alone
    assert err.count("note: matplotlib is not installed, so no figure is drawn") == 1
    assert "note:" not in out
    assert "Order effect, decode_first - pool_first" in out and "Across 2 datasets:" in out
    assert sorted(p.name for p in (tmp_path / "two").rglob("*.png")) == []
    for name in ("GunPoint", "ECG200"):
        assert len(pd.read_csv(tmp_path / "two" / name / "results.csv")) == 4
    assert f"Wrote {tmp_path / 'two' / 'GunPoint' / 'results.csv'} (" in out


def test_compare_on_a_tsv_dataset_in_process(tmp_path, ucr_home, capsys):
    code = main(
        ["compare", "--ucr", "ECG200", "--data-home", str(ucr_home), "--no-download"]
        + ["--encoder", "none", "--max-epochs", "1", "--cv", "2", "--pools", "max", "--quiet"]
        + ["--orders", "pool_first", "--out", str(tmp_path / "ecg")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "ECG200 (UCR/UEA, train and test pooled): 200 samples, 1 channel, 96 steps" in out
    assert "classification, 2 classes" in out
    assert len(pd.read_csv(tmp_path / "ecg" / "results.csv")) == 2


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


@pytest.mark.parametrize(
    ("sep", "decimal", "shown"),
    [
        (";", ".", "';'-separated"),
        (";", ",", "';'-separated, decimal commas"),
        ("\t", ".", "'\\t'"),
    ],
)
def test_a_csv_with_semicolons_or_tabs_is_read_by_its_separator(
    tmp_path, capsys, sep, decimal, shown
):
    # spreadsheets in many locales write ';' (and decimal commas): such a file used to be
    # one column named 'label;t0;t1;...', and --target label was "not in" it
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20, 6))
    frame = pd.DataFrame(values, columns=[f"t{i}" for i in range(6)])
    frame.insert(0, "label", np.where(values[:, :3].mean(axis=1) > 0, "up", "down"))
    frame.to_csv(tmp_path / "t.csv", sep=sep, decimal=decimal, index=False)
    code = main(
        ["compare", *TINY, "--csv", str(tmp_path / "t.csv"), "--target", "label"]
        + ["--encoder", "none", "--pools", "avg", "--quiet", "--out", str(tmp_path / "o")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"(wide table, {shown}" in out
    assert "20 samples, 1 channel, 6 steps; classification, 2 classes" in out


@pytest.mark.parametrize(
    ("flags", "sep", "decimal", "shown"),
    [
        (["--sep", "|"], "|", ".", "'|'-separated"),
        (["--sep", "\\t", "--decimal", ","], "\t", ",", "'\\t'-separated, decimal commas"),
        (["--decimal", ","], ";", ",", "';'-separated, decimal commas"),
        (["--sep", ";"], ";", ",", "';'-separated, decimal commas"),  # still detected
        (["--sep", ","], ",", ".", "20 samples"),
    ],
)
def test_sep_and_decimal_name_what_detection_cannot_see(
    tmp_path, capsys, flags, sep, decimal, shown
):
    # a '|'-separated file is one column to the detection; --sep reads it
    rng = np.random.default_rng(1)
    values = rng.normal(size=(20, 6))
    frame = pd.DataFrame(values, columns=[f"t{i}" for i in range(6)])
    frame.insert(0, "label", np.where(values[:, :3].mean(axis=1) > 0, "up", "down"))
    frame.to_csv(tmp_path / "t.csv", sep=sep, decimal=decimal, index=False)
    args = ["compare", *TINY, "--csv", str(tmp_path / "t.csv"), "--target", "label", *flags]
    code = main(args + ["--encoder", "none", "--pools", "avg", "--quiet", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert shown in out
    assert "20 samples, 1 channel, 6 steps; classification, 2 classes" in out


@pytest.mark.parametrize("flags", [[], ["--sep", ";"]])
def test_a_spreadsheets_semicolons_and_decimal_commas_are_read_whatever_the_first_row(
    tmp_path, capsys, flags
):
    # a first row of whole numbers (no comma) used to make the file read as comma-separated
    # ("Expected 2 fields in line 3, saw 4"), and with --sep ';' a column of "1" and "0,5"
    # was text, as spreadsheets write whole numbers without a decimal comma
    rows = ["label;t0;t1;t2"] + [
        f"{'ab'[i % 2]};{i};{i},5;{-i},25" if i else "a;1;2;3" for i in range(20)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    args = ["compare", *TINY, "--csv", str(tmp_path / "t.csv"), "--target", "label", *flags]
    code = main(args + ["--encoder", "none", "--pools", "avg", "--quiet", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "(wide table, ';'-separated, decimal commas)" in out
    assert "20 samples, 1 channel, 3 steps; classification, 2 classes" in out


@pytest.mark.parametrize(
    ("name", "sep", "first", "shown"),
    [
        ("t.csv.gz", ";", "label", "';'-separated, decimal commas"),  # read compressed
        ("t.tsv.xz", "\t", "label", "'\\t'-separated, decimal commas"),
        ("t.csv", ";", "weight, kg", "';'-separated, decimal commas"),  # a quoted comma
        ("t.tsv", "\t", "weight, kg", "'\\t'-separated, decimal commas"),
    ],
)
def test_the_separator_is_read_from_the_header_as_pandas_reads_the_file(
    tmp_path, capsys, name, sep, first, shown
):
    # the header line was read as plain text: a compressed file's bytes, or a quoted name
    # holding a comma, made a ';' or tab file read as one column
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20, 6))
    frame = pd.DataFrame(values, columns=[f"t{i}" for i in range(6)])
    frame.insert(0, first, np.where(values[:, :3].mean(axis=1) > 0, "up", "down"))
    frame.to_csv(tmp_path / name, sep=sep, decimal=",", index=False, quoting=csv.QUOTE_NONNUMERIC)
    args = ["compare", *TINY, "--csv", str(tmp_path / name), "--target", first]
    code = main(args + ["--encoder", "none", "--pools", "avg", "--quiet", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"(wide table, {shown})" in out
    assert "20 samples, 1 channel, 6 steps; classification, 2 classes" in out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sep", "ab"], "--sep takes one character"),
        (["--sep", ";", "--decimal", ";"], "invalid choice"),
        (["--sep", ",", "--decimal", ","], "--sep and --decimal are both ','"),
        (["--decimal", ","], "--decimal ',' needs a table whose fields are not separated"),
    ],
)
def test_bad_sep_or_decimal_is_refused(tmp_path, capsys, flags, message):
    pd.DataFrame({"label": ["a", "b"] * 10, "t0": range(20), "t1": range(20)}).to_csv(
        tmp_path / "t.csv", index=False
    )
    args = ["compare", *TINY, "--csv", str(tmp_path / "t.csv"), "--target", "label", *flags]
    try:
        code = main(args + ["--encoder", "none", "--quiet", "--out", str(tmp_path / "o")])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_sep_only_applies_to_a_csv(ucr_home, capsys):
    code = main(["compare", "--ucr", "GunPoint", "--data-home", str(ucr_home), "--sep", ";"])
    assert code == 2
    assert "--sep only applies to --csv" in capsys.readouterr().err


# --------------------------------------------------------------------------- datasets
def test_datasets_lists_synthetic_and_ucr(ucr_home, capsys):
    assert main(["datasets", "--data-home", str(ucr_home)]) == 0
    out = capsys.readouterr().out
    names = ("nonlinear_steps", "mean_level", "event_timing", "GunPoint", "JapaneseVowels")
    for name in (*names, "Adiac", "DodgerLoopDay", "GestureMidAirD1"):  # .ts and .tsv alike
        assert f"  {name}\n" in out or f"  {name} " in out


def test_datasets_with_a_file_as_home_is_one_error_line(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["datasets", "--data-home", str(tmp_path / "file")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("seqpool: error: --data-home must be a folder, got ")


def test_datasets_with_an_empty_home(tmp_path, capsys):
    assert main(["datasets", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "nonlinear_steps" in out and "(none found" in out


# --------------------------------------------------------------------------- estimator settings
class _Stop(Exception):
    """Raised by the compare_heads stand-in once it has seen the estimator."""


@pytest.fixture
def built(monkeypatch):
    """Run ``seqpool compare`` in-process; return the estimator it builds, before training."""
    import seqpool_sklearn

    seen = {}

    def spy(estimator, X, y, **kwargs):
        seen["estimator"] = estimator
        raise _Stop

    monkeypatch.setattr(seqpool_sklearn, "compare_heads", spy)

    def run(*args):
        size = [] if {"--csv", "--ucr"} & set(args) else ["--n-samples", "20"]
        with pytest.raises(_Stop):
            main(["compare", "--quiet", *size, *args])
        return seen["estimator"]

    return run


def test_compare_without_flags_trains_with_the_estimators_defaults(built, capsys):
    estimator = built()
    assert isinstance(estimator, SeqPoolClassifier)
    # everything is the estimator's default but the seed and, for the synthetic tasks
    # (built for the head on the raw channels), the encoder
    expected = SeqPoolClassifier(encoder=None, random_state=0).get_params()
    assert estimator.get_params() == expected
    out = capsys.readouterr().out
    assert "--quick" not in out
    header = out.splitlines()[1]
    assert header.startswith("SeqPoolClassifier(")
    shown = dict(item.split("=") for item in header.split("(")[1].split(")")[0].split(", "))
    defaults = SeqPoolClassifier().get_params()
    assert shown.pop("encoder") == "none" and shown.pop("lr") == f"{defaults['lr']:g}"
    # hidden_size=None is shown as the width its rule gives these two classes
    assert defaults["hidden_size"] is None and shown.pop("hidden_size") == "64"
    assert shown == {k: "none" if defaults[k] is None else str(defaults[k]) for k in shown}
    assert {"activation", "max_epochs", "batch_size"} <= set(shown)


def test_compare_on_a_table_passes_nothing_but_the_seed(built, tmp_path):
    frame = pd.DataFrame(np.arange(60.0).reshape(12, 5), columns=list("abcde"))
    frame["target"] = np.linspace(0, 1, 12)
    frame.to_csv(tmp_path / "wide.csv", index=False)
    estimator = built("--csv", str(tmp_path / "wide.csv"), "--target", "target", "--seed", "3")
    assert isinstance(estimator, SeqPoolRegressor)
    assert estimator.get_params() == SeqPoolRegressor(random_state=3).get_params()


def test_compare_passes_the_flags_that_are_given(built):
    estimator = built(
        *["--encoder", "gru", "--activation", "none", "--hidden-size", "5"],
        *["--encoder-channels", "6", "--max-epochs", "3", "--lr", "0.02", "--batch-size", "7"],
    )
    expected = SeqPoolClassifier(
        encoder="gru",
        activation=None,
        hidden_size=5,
        encoder_channels=6,
        max_epochs=3,
        lr=0.02,
        batch_size=7,
        random_state=0,
    )
    assert estimator.get_params() == expected.get_params()


def test_the_header_shows_the_encoder_width_built(built, capsys):
    # encoder_channels=None is each encoder's own width: the header said "none"
    from seqpool_sklearn._options import DEFAULT_ENCODER_BUILT
    from seqpool_sklearn.nn.encoders import ENCODER_REGISTRY

    for encoder in ("minirocket", "hydra", "conv"):
        built("--encoder", encoder)
        header = capsys.readouterr().out.splitlines()[1]
        assert f"encoder={encoder}," in header and "encoder_channels=none" not in header
        assert f"encoder_channels={DEFAULT_ENCODER_BUILT[encoder]}," in header
    # the 9996 maps minirocket builds on the synthetic task's 2 channels of 64 steps
    built("--encoder", "minirocket")
    maps = ENCODER_REGISTRY["minirocket"](2, 64, None).out_channels
    assert f"encoder_channels={maps} maps," in capsys.readouterr().out
    built("--encoder", "minirocket", "--encoder-channels", "168")
    assert "encoder_channels=168," in capsys.readouterr().out


def test_readout_ridge_takes_every_frozen_encoder(built):
    # the combination of frozen encoders is frozen per instance, and was refused as trained
    for encoder in ("multirocket_hydra", "hydra", "none"):
        estimator = built("--readout", "ridge", "--orders", "pool_first", "--encoder", encoder)
        assert estimator.get_params()["readout"] == "ridge"


def test_readout_ridge_is_passed_and_the_training_settings_are_not_shown(built, capsys):
    estimator = built("--readout", "ridge", "--orders", "pool_first", "--pools", "avg")
    assert estimator.get_params()["readout"] == "ridge"
    header = capsys.readouterr().out.splitlines()[1]
    assert "readout=ridge" in header
    assert not any(f"{k}=" in header for k in ("max_epochs", "lr", "batch_size", "label_smoothing"))
    # a trained classifier shows its loss's label smoothing
    built()
    header = capsys.readouterr().out.splitlines()[1]
    assert "readout=trained" in header and "label_smoothing=0.05" in header
    with pytest.raises(SystemExit):
        main(["compare", "--quiet", "--readout", "closed"])
    assert "'closed' is not one of trained, ridge" in capsys.readouterr().err


def test_quick_prints_and_applies_its_preset(built, capsys):
    for encoder, preset in QUICK_PRESET.items():
        estimator = built("--quick", "--encoder", encoder)
        out, err = capsys.readouterr()
        first = err.splitlines()[0]
        assert "--quick" not in out  # stdout holds the report alone
        applied = ", ".join(f"{k}={v}" for k, v in preset.items())
        assert first == f"--quick: {applied}"
        expected = SeqPoolClassifier(encoder=encoder, random_state=0, **preset)
        assert estimator.get_params() == expected.get_params()


def test_quick_follows_the_estimators_default_encoder(built, tmp_path, capsys):
    frame = pd.DataFrame(np.arange(60.0).reshape(12, 5), columns=list("abcde"))
    frame["label"] = ["a", "b"] * 6
    frame.to_csv(tmp_path / "wide.csv", index=False)
    estimator = built("--quick", "--csv", str(tmp_path / "wide.csv"), "--target", "label")
    default = SeqPoolClassifier().encoder
    preset = QUICK_PRESET.get(default, {})
    assert estimator.get_params() == SeqPoolClassifier(random_state=0, **preset).get_params()
    assert capsys.readouterr().err.startswith("--quick: ")


def test_quick_says_when_a_flag_overrides_it_or_it_has_nothing_to_apply(built, capsys):
    encoder, preset = next(iter(QUICK_PRESET.items()))
    assert list(preset) == ["encoder_channels"]
    estimator = built("--quick", "--encoder", encoder, "--encoder-channels", "168")
    assert estimator.encoder_channels == 168
    first = capsys.readouterr().err.splitlines()[0]
    assert first == "--quick: nothing applied (--encoder-channels given explicitly)"
    estimator = built("--quick")  # the synthetic task runs without an encoder
    assert estimator.get_params() == SeqPoolClassifier(encoder=None, random_state=0).get_params()
    first = capsys.readouterr().err.splitlines()[0]
    assert first == "--quick: nothing applied (no cheaper preset for encoder=none)"


def test_quick_names_only_known_encoders_and_flagged_settings():
    from seqpool_sklearn import _modules

    assert set(QUICK_PRESET) <= set(_modules.ENCODERS)
    params = SeqPoolClassifier().get_params()
    assert all(set(preset) <= set(params) for preset in QUICK_PRESET.values())


def test_help_shows_the_estimators_defaults_and_the_quick_preset(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    defaults = {
        k: "none" if v is None else f"{v:g}" if isinstance(v, float) else str(v)
        for k, v in SeqPoolClassifier().get_params().items()
    }
    for flag in ("max_epochs", "lr", "batch_size"):
        dashed, value = flag.replace("_", "-"), re.escape(defaults[flag])
        assert re.search(rf"--{dashed} [NF] [a-z -]+ \(estimator default: {value}\)", text)
    # hidden_size=None is its rule by the number of classes, not "none"
    from seqpool_sklearn._options import default_hidden_size

    assert defaults["hidden_size"] == "none"
    assert (
        f"--hidden-size N decoder width (estimator default: {default_hidden_size(2)}, "
        f"{default_hidden_size(7)} for 7 classes or more; with --readout ridge at least twice "
        "the readout's rank (2 x (classes - 1) for a classifier))"
    ) in text
    # encoder_channels=None is each encoder's own width, not "none"
    from seqpool_sklearn._options import DEFAULT_ENCODER_BUILT

    widths = ", ".join(f"{w} for {e}" for e, w in DEFAULT_ENCODER_BUILT.items())
    assert (
        f"--encoder-channels N encoder width (estimator default: each encoder's own width, "
        f"{widths})"
    ) in text
    assert (
        "9996 maps for minirocket, 9996 maps for minirocket_alternating, 9912 maps for multirocket"
    ) in text
    assert f"otherwise the estimator's default ({defaults['encoder']})" in text
    quick = text.split("--quick ", 1)[1]
    for encoder, preset in QUICK_PRESET.items():
        for name, value in preset.items():
            assert f"{name}={value} for {encoder}" in quick


# --------------------------------------------------------------------------- option lists
def test_option_lists_come_from_the_options_module(monkeypatch):
    from seqpool_sklearn import _options as _modules

    def parse(*args):
        return build_parser().parse_args(["compare", *args])

    assert parse("--orders", ",".join(_modules.ORDERS)).orders == list(_modules.ORDERS)
    assert parse("--pools", ",".join(_modules.POOLS)).pools == list(_modules.POOLS)
    for encoder in _modules.ENCODERS:
        assert parse("--encoder", encoder).encoder == encoder
    for activation in _modules.ACTIVATIONS:
        assert parse("--activation", activation).activation == activation
    # a pool, encoder or activation added to the options is offered without touching the CLI
    monkeypatch.setattr(_modules, "POOLS", (*_modules.POOLS, "median"))
    monkeypatch.setattr(_modules, "ENCODERS", (*_modules.ENCODERS, "tcn"))
    monkeypatch.setattr(_modules, "ACTIVATIONS", (*_modules.ACTIVATIONS, "silu"))
    args = parse("--pools", "avg,median", "--encoder", "tcn", "--activation", "silu")
    assert (args.pools, args.encoder, args.activation) == (["avg", "median"], "tcn", "silu")


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
        (["compare", "--synthetic", "nonlinear"], "Did you mean 'nonlinear_steps'?"),
        (["compare", "--encoder", "cnn"], "Did you mean 'conv'?"),
        (["compare", "--bogus"], "unrecognized arguments: --bogus (see 'seqpool compare --help')"),
        (["compare", "--target", "y"], "--target only applies to --csv"),
        (["compare", "--ucr", "GunPoint", "--synthetic", "mean_level"], "not allowed with"),
        (["compare", "--alpha", "2"], "argument --alpha: expected a number between 0 and 1"),
        (["compare", "--lr", "inf"], "argument --lr: expected a finite number > 0, got inf"),
        (["compare", "--equivalence-margin", "0"], "expected a finite number > 0, got 0"),
        (["compare", "--n-seeds", "0"], "argument --n-seeds: expected an integer >= 1"),
        (["compare", "--n-jobs", "0"], "or -1 for every core; got 0"),
        (["compare", "--seed", "-1"], "argument --seed: expected an integer >= 0"),
        (["compare", "--seed", str(2**32)], "expected an integer from 0 to 2**32 - 1"),
        (["compare", "--out", "/dev/null/x"], "'/dev/null' is a file"),
        (["compare", "--out", ""], "argument --out: expected a folder name, got an empty one"),
        (["compare", "--pools", "avg+"], "'avg+' has an empty pool name"),
        (["compare", "--pools", "avg,,max"], "'avg,,max' has an empty item"),
        (["compare", "--ucr", ""], "--ucr needs a dataset name"),
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
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("seqpool: error: "), err  # one prefix, whichever command
    assert fragment in err


def test_csv_errors_in_process(tmp_path, capsys):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": [1, 1, 2, 2], "x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "a", "b", "b"]}).to_csv(
        path, index=False
    )
    cases = [
        (["--csv", str(path)], "--csv needs --target"),
        (["--csv", str(path), "--target", "label"], "column 'label' is not in"),
        (["--csv", str(path), "--target", "y", "--id", "idd"], "Did you mean 'id'?"),
        (["--csv", str(path), "--target", "y", "--id", "id", "--channels", "x,z"], "'z' is not"),
        (["--csv", str(path), "--target", "y", "--time", "x"], "--time describes a long table"),
        (["--csv", str(path), "--target", "y", "--data-home", "x"], "--data-home only applies"),
        (["--csv", str(path), "--target", "y", "--id", "id", "--cv", "2"], "too few for --cv 2"),
        (
            ["--csv", str(path), "--target", "x", "--id", "id", "--channels", "x"],
            "column 'x' is both --target and a channel (--channels)",
        ),
        (
            ["--csv", str(path), "--target", "y", "--id", "id", "--channels", "x,x"],
            "--channels names column 'x' twice",
        ),
        (
            ["--csv", str(path), "--target", "y", "--id", "id", "--task", "regression"],
            "regression needs a numeric target, but the target of",
        ),
        (
            ["--csv", str(path), "--target", "y", "--id", "id", "--scoring", "r2"],
            "--scoring 'r2' is a regression metric, but the task on",
        ),
    ]
    for args, fragment in cases:
        assert main(["compare", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("seqpool: error:") and fragment in err, err


def test_a_file_without_a_header_line_is_named_as_such(tmp_path, capsys):
    # its first row was listed as the columns ("Its columns: no, 0.1257, ...") and no more
    rng = np.random.default_rng(0)
    rows = [",".join(["no" if i % 2 else "yes", *map(str, rng.normal(size=8))]) for i in range(10)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert main(["compare", "--csv", str(tmp_path / "t.csv"), "--target", "label"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "column 'label' is not in" in err
    assert "The first line looks like data: does the file have a header line?" in err
    frame = pd.DataFrame(rng.normal(size=(10, 4)), columns=["a", "b", "0.5", "1.5"])
    frame.to_csv(tmp_path / "h.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "h.csv"), "--target", "label"]) == 2
    assert "header line" not in capsys.readouterr().err
    # time stamps as names rise; a misspelt name gets its suggestion, not the question
    frame = pd.DataFrame(rng.normal(size=(10, 4)), columns=["0.0", "0.5", "1.0", "label"])
    frame.to_csv(tmp_path / "f.csv", index=False)
    for target in ("lable", "target"):
        assert main(["compare", "--csv", str(tmp_path / "f.csv"), "--target", target]) == 2
        assert "header line" not in capsys.readouterr().err


def test_a_wide_table_missing_a_column_lists_a_few_of_its_columns(tmp_path, capsys):
    # a table of 500 steps as columns once listed all 501 names in the message
    frame = pd.DataFrame(np.zeros((4, 500)), columns=[f"t{i}" for i in range(500)])
    frame["class"] = ["a", "b", "a", "b"]
    frame.to_csv(tmp_path / "w.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert (
        "Its columns: t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, ..., t499, class (501 in all)" in err
    )
    assert "t250" not in err


def test_a_text_cell_among_numeric_times_is_the_one_named(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("id,time,x,y\n1,0,1.0,a\n1,1,2.0,a\n1,later,3.0,a\n2,0,4.0,b\n")
    argv = ["compare", "--csv", str(path), "--target", "y", "--id", "id", "--time", "time"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "holds 'later' on line 4 among numbers" in err, err


def test_a_mistyped_scorer_is_caught_before_any_output(capsys):
    assert main(["compare", "--scoring", "acc"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--scoring 'acc' is not a scikit-learn metric. Did you mean 'accuracy'?" in err
    assert main(["compare", "--scoring", "balanced_acuracy"]) == 2
    assert "Did you mean 'balanced_accuracy'?" in capsys.readouterr().err


def test_a_mistyped_ucr_name_gets_a_did_you_mean_in_command_line_words(ucr_home, capsys):
    argv = ["compare", "--ucr", "GunPiont", "--no-download", "--data-home", str(ucr_home)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "'GunPiont' is not in the cache" in err and "Did you mean 'GunPoint'?" in err
    assert "Drop --no-download to download it" in err
    assert "download=True" not in err and "data_home" not in err  # Python wording


def test_a_dataset_folder_without_a_split_file_names_the_missing_file(tmp_path, capsys):
    # was "dataset 'OnlyTrain' is not in the cache", though its folder is there
    (tmp_path / "OnlyTrain").mkdir()
    (tmp_path / "OnlyTrain" / "OnlyTrain_TRAIN.ts").write_text("@data\n")
    argv = ["compare", "--ucr", "OnlyTrain", "--data-home", str(tmp_path), "--no-download"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    missing = tmp_path / "OnlyTrain" / "OnlyTrain_TEST.ts"
    assert f"holds OnlyTrain_TRAIN.ts but has no {missing} (or .tsv)" in err, err
    assert "not in the cache" not in err


def test_a_ucr_name_that_cannot_be_one_is_named_in_command_line_words(ucr_home, capsys):
    assert main(["compare", "--ucr", "Gun Point", "--data-home", str(ucr_home)]) == 2
    err = capsys.readouterr().err
    assert "--ucr 'Gun Point' is not a dataset name" in err and "'GunPoint'?" in err


def test_a_ucr_name_in_another_case_is_found(ucr_home, built, capsys):
    built("--ucr", "gunpoint", "--no-download", "--data-home", str(ucr_home))
    assert "(UCR/UEA, train and test pooled): 200 samples" in capsys.readouterr().out


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_an_empty_label_cell_is_named(tmp_path, capsys, layout):
    if layout == "wide":
        frame = pd.DataFrame(np.arange(60.0).reshape(12, 5), columns=list("abcde"))
        frame["label"] = ["a", "b"] * 6
        frame.loc[7, "label"] = None
        flags = []
    else:
        frame = pd.DataFrame(
            {"sid": np.repeat(np.arange(12), 3), "x": np.arange(36.0), "label": "a"}
        )
        frame.loc[frame["sid"] % 2 == 1, "label"] = "b"
        frame.loc[[10, 11], "label"] = None
        flags = ["--id", "sid"]
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "t.csv"), "--target", "label", *flags]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "not supported between" not in err
    n, line = (1, 9) if layout == "wide" else (2, 12)
    cells = "cell" if n == 1 else "cells"
    assert (
        f"column 'label' of {tmp_path / 't.csv'} has {n} empty {cells} (first on line {line})"
        in err
    )
    assert "fill them in or drop those rows" in err


def test_a_rare_class_under_group_folds_gets_a_note_not_sklearns_warning(tmp_path, built, capsys):
    frame = _wide_frame().assign(g=np.arange(40) % 8)
    frame.loc[0, "label"] = 7  # one member, fewer than the 3 folds
    frame.to_csv(tmp_path / "g.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        built("--csv", str(tmp_path / "g.csv"), "--target", "label", "--groups", "g", "--cv", "3")
    out, err = capsys.readouterr()
    assert (
        "note: class '7' has 1 member, fewer than the --cv 3 folds: folds by --groups g keep "
        "each group whole, so some folds test none of that class"
    ) in err
    assert "note:" not in out and "least populated" not in out + err


def test_the_splits_are_drawn_once_and_are_the_integer_cv_splits(tmp_path, monkeypatch):
    # the up-front check drew the splits and compare_heads drew them again (seconds for a
    # stratified group draw of 100 000 rows); the run now trains on the checked draw
    import seqpool_sklearn
    from seqpool_sklearn.compare import grid

    calls, seen = [], {}
    real = grid._make_splits

    def counting(*args):
        calls.append(args)
        return real(*args)

    def spy(estimator, X, y, **kwargs):
        seen.update(kwargs, X=X, y=y, estimator=estimator)
        raise _Stop

    monkeypatch.setattr(grid, "_make_splits", counting)
    monkeypatch.setattr(seqpool_sklearn, "compare_heads", spy)
    frame = _wide_frame().assign(g=np.arange(40) % 8)
    frame.to_csv(tmp_path / "g.csv", index=False)
    args = ["--target", "label", "--groups", "g", "--cv", "2", "--repeats", "3", "--seed", "4"]
    with pytest.raises(_Stop):
        main(["compare", "--quiet", "--csv", str(tmp_path / "g.csv"), *args])
    assert len(calls) == 1
    assert "n_repeats" not in seen
    X, y, groups = seen["X"], seen["y"], seen["groups"]
    given = real(seen["estimator"], X, y, groups, seen["cv"], 1, None)
    expected = real(seen["estimator"], X, y, groups, 2, 3, 4)
    assert len(given[0]) == 6
    for (tr, te), (tr2, te2) in zip(given[0], expected[0], strict=True):
        np.testing.assert_array_equal(tr, tr2)
        np.testing.assert_array_equal(te, te2)
    np.testing.assert_array_equal(given[1], expected[1])  # repeat of each split
    np.testing.assert_array_equal(given[2], expected[2])  # fold of each split


def test_a_class_or_group_named_na_is_a_label_not_a_missing_cell(tmp_path, built, capsys):
    # pandas reads 'NA' (and 'None', 'null', ...) as missing: a class 'NA' (Not Applicable)
    # was refused as "20 empty cells"; in a column of numbers it stays missing
    frame = _wide_frame().assign(label=["NA", "yes"] * 20, g=["NA", "None", "g1", "g2"] * 10)
    frame.loc[3, "x_2"] = None
    frame.to_csv(tmp_path / "na.csv", index=False)
    (tmp_path / "na.csv").write_text((tmp_path / "na.csv").read_text().replace(",,", ",NA,"))
    built("--csv", str(tmp_path / "na.csv"), "--target", "label", "--groups", "g", "--cv", "2")
    out = capsys.readouterr().out
    assert "40 samples, 1 channel, 12 steps; classification, 2 classes" in out
    assert "StratifiedGroupKFold(2) by column 'g'" in out
    frame["label"] = np.linspace(0, 1, 40).astype(object)
    frame.loc[[5, 7], "label"] = "NA"
    frame.to_csv(tmp_path / "na.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "na.csv"), "--target", "label"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "has 2 missing cells (first on line 7; 'NA' read as missing)" in err, err


def test_ctrl_c_stops_the_comparison_with_exit_status_130(tmp_path, monkeypatch, capsys):
    """skorch used to swallow KeyboardInterrupt and the command reported a half-trained score."""
    from skorch import NeuralNet

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(NeuralNet, "fit_loop", interrupted)  # inside skorch's training loop
    status = main(
        ["compare", "--quiet", "--n-samples", "20", "--out", str(tmp_path / "out"), *TINY]
    )
    assert status == 130
    assert "seqpool: interrupted" in capsys.readouterr().err
    # no results: only the list of what the run was going to write, which alone is no
    # earlier run's output (a new run into the folder needs no --overwrite)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".seqpool-compare-files"]
    monkeypatch.undo()
    status = main(
        ["compare", "--quiet", "--n-samples", "20", "--out", str(tmp_path / "out"), *TINY]
    )
    assert status == 0 and (tmp_path / "out" / "results.csv").exists()


@pytest.mark.parametrize("unbuffered", ["1", None])
def test_a_reader_that_stops_early_gets_every_file_and_no_error(tmp_path, unbuffered):
    # seqpool compare | head -1: the plot used to be saved after the report was printed,
    # so a closed pipe ended the run with "[Errno 32] Broken pipe" and no compare.png; and
    # with unbuffered output any later print could meet the closed pipe first
    out = tmp_path / "res"
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path))
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    argv = ["compare", *TINY, "--n-samples", "20", "--pools", "avg", "--quiet"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "seqpool_sklearn.cli", *argv, "--out", str(out)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().startswith(b"nonlinear_steps (synthetic)")
    proc.stdout.close()  # as head -1 does, while the run trains
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1, err  # Python's own status for a closed pipe
    assert err == ""
    assert len(pd.read_csv(out / "results.csv")) == 4
    assert_png(out / "compare.png")


class _ClosedPipe:
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_the_datasets_list_quietly(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["datasets", "--data-home", str(tmp_path)]) == 1
    assert capsys.readouterr().err == ""


def test_a_pipe_closed_before_the_first_line_still_gets_every_file(tmp_path, monkeypatch, ucr_home):
    # (seqpool compare ... | true): the first print met the closed pipe, and the run ended
    # there, silently, with no results; several datasets alike
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    one = ["compare", *TINY, "--n-samples", "20", "--pools", "avg", "--quiet"]
    assert main([*one, "--out", str(tmp_path / "one")]) == 1
    assert len(pd.read_csv(tmp_path / "one" / "results.csv")) == 4
    assert_png(tmp_path / "one" / "compare.png")
    many = ["compare", *TINY, "--encoder", "none", "--pools", "avg", "--quiet"]
    many += ["--ucr", "Coffee,GunPoint"]
    home = ["--data-home", str(ucr_home), "--no-download"]
    assert main([*many, *home, "--out", str(tmp_path / "many")]) == 1
    for name in ("Coffee", "GunPoint"):
        assert (tmp_path / "many" / name / "results.csv").exists()
    assert (tmp_path / "many" / "combined.csv").exists()


def test_compare_with_seeds_and_an_equivalence_margin(tmp_path, capsys):
    status = main(
        ["compare", "--quiet", "--n-samples", "24", "--out", str(tmp_path / "o"), *TINY]
        + ["--pools", "avg", "--n-seeds", "2", "--equivalence-margin", "0.5"]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "2 designs, 8 fits" in out  # 2 designs x 2 splits x 2 seeds
    verdicts = ("equivalent within", "better by", "inconclusive", "cannot tell apart")
    assert any(verdict in out for verdict in verdicts)
    results = pd.read_csv(tmp_path / "o" / "results.csv")
    assert sorted(results["seed"].unique()) == [0, 1]


# ------------------------------------------------------------------- header and output folder
def test_the_header_names_the_splitter_and_the_grouping(built, tmp_path, capsys):
    built("--cv", "2", "--repeats", "3")
    assert "; StratifiedKFold(2) x 3 repeats = 6 splits; " in capsys.readouterr().out
    frame = pd.DataFrame(np.arange(60.0).reshape(12, 5), columns=list("abcde"))
    frame["target"] = np.linspace(0, 1, 12)
    frame["subject"] = np.repeat([10, 20, 30, 40], 3)
    frame.to_csv(tmp_path / "wide.csv", index=False)
    table = ["--csv", str(tmp_path / "wide.csv"), "--target", "target", "--cv", "2"]
    built(*table, "--drop", "subject")
    assert "; KFold(2) x 1 repeat = 2 splits; " in capsys.readouterr().out
    built(*table, "--groups", "subject")
    assert "; GroupKFold(2) by column 'subject' x 1 repeat = 2 splits; " in capsys.readouterr().out
    frame["target"] = ["a", "b"] * 6
    frame.to_csv(tmp_path / "wide.csv", index=False)
    built(*table, "--groups", "subject")
    out = capsys.readouterr().out
    assert "; StratifiedGroupKFold(2) by column 'subject' x 1 repeat = 2 splits; " in out


@pytest.mark.parametrize("name", ["results.csv", "compare.png"])
def test_earlier_results_are_not_overwritten_without_the_flag(built, tmp_path, capsys, name):
    out = tmp_path / "res"
    out.mkdir()
    (out / name).write_text("earlier run")
    assert main(["compare", "--quiet", "--n-samples", "20", "--out", str(out)]) == 2
    stdout, err = capsys.readouterr()
    assert stdout == ""  # refused before anything runs
    assert err.startswith("seqpool: error:") and f"{out / name} exists" in err
    assert "--overwrite" in err and "--out" in err
    assert (out / name).read_text() == "earlier run"
    built("--out", str(out), "--overwrite")  # gets as far as training


def test_overwrite_removes_every_file_of_an_earlier_run_and_nothing_else(
    built, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "res"
    written = ["combined.csv", "order_effect_across_datasets.csv", "critical_difference.png"]
    written += ["GunPoint/results.csv", "GunPoint/compare.png", "ECG200/results.csv"]
    # a user's own files, named like a run's in a folder no run listed, are never touched
    kept = ["notes.txt", "ECG200/mine.txt", "other/data.csv", "analysis/results.csv"]
    for name in written + kept:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("earlier run")
    # what the run across datasets listed before it wrote (one file it never got to)
    listed = [*written, "ECG200/compare.png", "../outside.csv", "/etc/passwd"]
    (out / ".seqpool-compare-files").write_text("\n".join(listed) + "\n")
    # a run on one dataset into the folder of a run across datasets is refused too
    assert main(["compare", "--quiet", "--n-samples", "20", "--out", str(out)]) == 2
    assert "exists from an earlier run; pass --overwrite" in capsys.readouterr().err
    assert all((out / name).exists() for name in written + kept)
    built("--out", str(out), "--overwrite")  # stops at training, before any result
    stdout, err = capsys.readouterr()
    assert "removed" not in err and "--overwrite" not in stdout
    # a run that ends before its results exist leaves the earlier ones as they were
    assert all((out / name).read_text() == "earlier run" for name in written + kept)
    # and this run listed what it writes before training, and the earlier files it replaces
    listed = (out / ".seqpool-compare-files").read_text().splitlines()
    assert listed[:2] == ["results.csv", "compare.png"] and set(written) <= set(listed)
    # so a run that gets to its results removes them then, and nothing else
    monkeypatch.undo()  # trains for real
    tiny = ["compare", "--quiet", "--n-samples", "20", *TINY, "--pools", "avg"]
    assert main([*tiny, "--windows", "none", "--out", str(out), "--overwrite"]) == 0
    err = capsys.readouterr().err
    assert f"--overwrite: removed 6 files of an earlier run from {out}" in err
    assert not any((out / name).exists() for name in written)
    assert not (out / "GunPoint").exists()  # emptied, so removed
    assert all((out / name).read_text() == "earlier run" for name in kept)
    assert (out / ".seqpool-compare-files").read_text() == "results.csv\ncompare.png\n"
    assert (out / "results.csv").read_text() != "earlier run"


def test_a_run_that_fails_in_training_leaves_the_earlier_results(tmp_path, capsys):
    # a failure only training can find (a diverging learning rate) ends the run after the
    # fits: the earlier results stay until new ones replace them
    out = tmp_path / "res"
    out.mkdir()
    (out / "results.csv").write_text("earlier run")
    argv = ["compare", "--quiet", "--n-samples", "20", *TINY, "--pools", "avg"]
    argv += ["--windows", "none", "--orders", "pool_first", "--lr", "1e30"]
    assert main([*argv, "--out", str(out), "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert "seqpool: error:" in err and "removed" not in err
    assert (out / "results.csv").read_text() == "earlier run"


def test_overwrite_without_a_list_of_an_earlier_run_removes_only_its_top_files(tmp_path, capsys):
    out = tmp_path / "res"
    mine = ["analysis/results.csv", "notes/compare.png", "notes/readme.txt"]
    for name in [*mine, "results.csv", "combined.csv"]:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("earlier")
    tiny = ["compare", "--quiet", "--n-samples", "20", *TINY, "--pools", "avg"]
    assert main([*tiny, "--windows", "none", "--out", str(out), "--overwrite"]) == 0
    assert "--overwrite: removed 2 files" in capsys.readouterr().err
    assert all((out / name).read_text() == "earlier" for name in mine)
    assert not (out / "combined.csv").exists()


def test_a_run_with_overwrite_lists_its_own_files_so_the_next_run_is_refused(tmp_path, capsys):
    # the earlier files have the names this run writes: they must stay listed
    out = tmp_path / "res"
    tiny = ["compare", "--quiet", "--n-samples", "20", *TINY, "--pools", "avg"]
    tiny += ["--windows", "none", "--out", str(out)]
    assert main(tiny) == 0
    assert main([*tiny, "--overwrite"]) == 0
    listed = (out / ".seqpool-compare-files").read_text().split()
    assert "results.csv" in listed
    assert all((out / name).exists() for name in listed)
    before = (out / "results.csv").read_bytes()
    capsys.readouterr()
    assert main(tiny) == 2
    assert "exists from an earlier run; pass --overwrite" in capsys.readouterr().err
    assert (out / "results.csv").read_bytes() == before


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["compare", "--out", str(tmp_path / "f")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
@pytest.mark.parametrize("folder", ["/proc", "/proc/no_such_folder"])
def test_out_that_cannot_be_written_is_refused_before_training(built, capsys, folder):
    # was a bare "[Errno 2] No such file or directory: '/proc/.seqpool-compare-files'"
    assert main(["compare", "--quiet", "--n-samples", "20", "--out", folder]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"seqpool: error: --out {folder} cannot be written: No such file or directory\n"


# ------------------------------------------------------------------- long tables read as wide
def _wide_and_long(ucr_home, name):
    from seqpool_sklearn import fetch_ucr

    X, y = fetch_ucr(name, split=None, data_home=ucr_home, download=False)
    n, c, t = X.shape
    wide = pd.DataFrame(X.reshape(n, -1), columns=[f"c{i // t}_t{i % t}" for i in range(c * t)])
    long = pd.DataFrame({"sid": np.repeat(np.arange(n), t), "step": np.tile(np.arange(t), n)})
    channels = [f"ch{k}" for k in range(c)]
    for k, channel in enumerate(channels):
        long[channel] = X[:, k, :].ravel()
    long = long.dropna(subset=channels, how="all").reset_index(drop=True)  # ragged: no padding
    return wide, long, channels


@pytest.mark.parametrize(
    "name", ["GunPoint", "JapaneseVowels", "DodgerLoopDay", "ItalyPowerDemand", "BasicMotions"]
)
def test_long_layout_rule_on_archive_shapes(ucr_home, name):
    from seqpool_sklearn.cli import _long_layout

    wide, long, channels = _wide_and_long(ucr_home, name)
    for table in (wide, wide.sample(frac=1, random_state=0), wide.round(0)):
        assert _long_layout(table.reset_index(drop=True)) is None
    assert _long_layout(long) == ("sid", "step")
    shuffled = long.sample(frac=1, random_state=0).reset_index(drop=True)
    assert _long_layout(shuffled) == ("sid", "step")
    assert _long_layout(long[["step", "sid", *channels]]) == ("sid", "step")
    assert _long_layout(long.assign(sid=long["sid"] + 1, step=long["step"] + 1)) == ("sid", "step")
    assert _long_layout(long.drop(columns="step")) == ("sid", None)  # row order as time


def test_a_long_table_without_id_is_refused_with_the_flags_to_pass(ucr_home, tmp_path, capsys):
    _, long, _ = _wide_and_long(ucr_home, "GunPoint")
    from seqpool_sklearn import fetch_ucr

    _, y = fetch_ucr("GunPoint", split=None, data_home=ucr_home, download=False)
    long["label"] = y[long["sid"]]
    path = tmp_path / "long.csv"
    long.sample(frac=1, random_state=0).to_csv(path, index=False)
    assert main(["compare", "--csv", str(path), "--target", "label", *TINY]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("seqpool: error:") and "looks like a long table" in err
    assert "column 'sid' repeats 200 values over 30000 rows" in err
    assert "Pass --id sid --time step --channels ch0 to read it" in err
    flags = err.split("Pass ", 1)[1].split(" to read")[0].split()
    assert build_parser().parse_args(["compare", "--csv", str(path), *flags]).id == ["sid"]


def test_a_text_column_in_a_wide_table_points_to_id_not_to_dropping_it(tmp_path, capsys):
    frame = pd.DataFrame(np.arange(60.0).reshape(12, 5), columns=list("abcde"))
    frame.insert(0, "name", [f"s{i // 2}" for i in range(12)])  # two rows per sample
    frame["label"] = ["a", "b"] * 6
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "t.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert "column 'name' of" in err and "is not numeric" in err
    assert "pass --id name" in err and "drop it" not in err
    frame["name"] = [f"s{i}" for i in range(12)]  # one row per sample: a wide table's names
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "t.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert "values are all different, like sample names" in err and "pass --id" not in err


# ------------------------------------------------------------------- several datasets
def test_compare_across_datasets_writes_each_and_the_combined_answer(ucr_home, tmp_path, capsys):
    home = tmp_path / "home"  # a data home of two small datasets, for --ucr all
    home.mkdir()
    for name in ("GunPoint", "ECG200"):
        (home / name).symlink_to(ucr_home / name, target_is_directory=True)
    out = tmp_path / "res"
    argv = ["compare", "--ucr", "all", "--data-home", str(home), "--no-download", *TINY]
    argv += ["--encoder", "none", "--max-epochs", "1", "--pools", "avg", "--out", str(out)]
    argv += ["--equivalence-margin", "0.01"]
    assert main([*argv, "--quiet"]) == 0
    stdout = capsys.readouterr().out
    assert "[1/2] ECG200" in stdout and "[2/2] GunPoint" in stdout
    assert "GunPoint (UCR/UEA, train and test pooled): 200 samples" in stdout
    assert "Across 2 datasets:" in stdout and "Mean rank over 2 datasets" in stdout
    assert "Order effect across datasets" in stdout
    for name in ("GunPoint", "ECG200"):
        assert len(pd.read_csv(out / name / "results.csv")) == 4
        assert_png(out / name / "compare.png")
    combined = pd.read_csv(out / "combined.csv")
    assert len(combined) == 4 and set(combined["dataset"]) == {"GunPoint", "ECG200"}
    effect = pd.read_csv(out / "order_effect_across_datasets.csv")
    assert effect["n_datasets"].tolist() == [2] and "verdict" in effect
    assert "p_equivalence_adjusted" in effect  # the margin reaches the answer across datasets
    assert (out / "critical_difference.png").read_bytes()[:8] == PNG_MAGIC
    # a second run into the same folder is refused, before any fit
    assert main(argv) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and "exists from an earlier run; pass --overwrite" in err


def test_several_datasets_are_read_and_checked_before_the_first_fit(ucr_home, tmp_path, capsys):
    base = ["compare", "--data-home", str(ucr_home), "--no-download", "--out", str(tmp_path)]
    cases = [
        (["--ucr", "GunPoint,GunPiont"], "'GunPiont' is not in the cache"),
        (["--ucr", "all,GunPoint"], "--ucr all already means every dataset"),
        (["--ucr", "GunPoint,ECG200", "--windows", "120"], "window 120 is longer than the series"),
        (["--ucr", "GunPoint,ECG200", "--target", "y"], "--target only applies to --csv"),
    ]
    for args, fragment in cases:
        assert main([*base, *args]) == 2
        stdout, err = capsys.readouterr()
        assert stdout == "" and err.startswith("seqpool: error:") and fragment in err, err
    argv = ["compare", "--ucr", "all", "--data-home", str(tmp_path / "empty")]
    assert main(argv) == 2
    assert "holds 0 UCR/UEA datasets" in capsys.readouterr().err


def test_regression_and_classification_datasets_are_not_mixed(ucr_home, tmp_path, capsys):
    # Covid3Month (regression, R²) beside classification datasets (accuracy): the answer
    # across datasets averaged and tested an R² difference with an accuracy difference
    if not (ucr_home / "Covid3Month").is_dir():
        pytest.skip("Covid3Month is not in the data home")
    home = tmp_path / "home"
    home.mkdir()
    for name in ("Covid3Month", "GunPoint", "ECG200"):
        (home / name).symlink_to(ucr_home / name, target_is_directory=True)
    out = tmp_path / "res"
    base = ["compare", "--data-home", str(home), "--no-download", "--out", str(out), *TINY]
    base += ["--encoder", "none", "--equivalence-margin", "0.01"]
    assert main([*base, "--ucr", "Covid3Month,GunPoint"]) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(
        "seqpool: error: --ucr names a regression dataset (Covid3Month) and a classification "
        "dataset (GunPoint), and the answer across datasets tests differences of one metric"
    )
    assert not out.exists()  # refused before anything is written or trained
    assert main([*base, "--ucr", "all"]) == 2
    err = capsys.readouterr().err
    assert "--ucr all: the data home holds a regression dataset (Covid3Month) and " in err
    assert (
        "compare the datasets of one task at a time, e.g. --ucr all --task classification "
        "for the 2 classification datasets" in err
    )
    # which --task then does: the datasets of that task, the others named on stderr
    assert main([*base, "--ucr", "all", "--task", "classification"]) == 0
    stdout, err = capsys.readouterr()
    assert "left out the regression dataset Covid3Month" in err
    assert "Across 2 datasets" in stdout and "Covid3Month" not in stdout
    # one dataset of the task: refused before any fit, with the way to compare it alone
    assert main([*base, "--ucr", "all", "--task", "regression", "--overwrite"]) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.startswith(
        "seqpool: error: --ucr all --task regression: the data home holds one regression "
        "dataset, Covid3Month, and the answer across datasets needs two or more; compare it "
        "alone with --ucr Covid3Month"
    )


def test_one_ucr_name_keeps_the_single_dataset_layout(ucr_home, built, tmp_path, capsys):
    built("--ucr", "GunPoint", "--no-download", "--data-home", str(ucr_home))
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("GunPoint (UCR/UEA, train and test pooled): 200 samples")


# ------------------------------------------------------------------- shell users' tables
def _long_csv(path, *, n_series=12, n_steps=10, extra=None):
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2024-01-01 00:30:06.900")
    rows = [
        {
            "rec": f"r{i}",
            # as a database export writes it: 2024-01-01 00:30:06.900
            "ts": (start + pd.Timedelta(milliseconds=100 * t)).isoformat(" ", "milliseconds"),
            "acc_x": rng.normal(),
            "acc_y": rng.normal(),
            "label": i % 2,
        }
        for i in range(n_series)
        for t in range(n_steps)
    ]
    frame = pd.DataFrame(rows)
    if extra is not None:
        frame[extra] = ["walk" if t else "start" for _ in range(n_series) for t in range(n_steps)]
    frame.to_csv(path, index=False)
    return frame


def test_iso_text_times_are_parsed(built, tmp_path, capsys):
    path = tmp_path / "long.csv"
    frame = _long_csv(path)
    assert frame["ts"][0] == "2024-01-01 00:30:06.900"
    built("--csv", str(path), "--id", "rec", "--time", "ts", "--target", "label")
    out = capsys.readouterr().out
    # without --channels every other numeric column is a channel: the header names them
    assert "(long table, 12 series, channels acc_x, acc_y): 12 samples, 2 channels" in out


def test_a_time_that_does_not_parse_is_named_with_its_line(tmp_path, capsys):
    path = tmp_path / "long.csv"
    frame = _long_csv(path)
    frame.loc[13, "ts"] = "yesterday"
    frame.to_csv(path, index=False)
    argv = ["compare", "--csv", str(path), "--id", "rec", "--time", "ts", "--target", "label"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"seqpool: error: column 'ts' (--time) of {path} holds 'yesterday' on line 15, which "
        "is not a time: --time reads numbers or ISO-8601 text such as 2024-01-01 00:30:06.900\n"
    )
    assert "pd.to_datetime" not in err


def test_a_text_column_of_a_long_table_gets_advice_in_flags(tmp_path, capsys):
    path = tmp_path / "long.csv"
    _long_csv(path, extra="note")
    argv = ["compare", "--csv", str(path), "--id", "rec", "--time", "ts", "--target", "label"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"column 'note' of {path} holds text ('start' on line 2)" in err
    assert "Name the channels: --channels acc_x,acc_y;" in err
    assert "pd.to_numeric" not in err and "id / kind / label" not in err
    assert main([*argv, "--channels", "acc_x,note"]) == 2
    err = capsys.readouterr().err
    assert "but --channels names numeric columns: leave it out (--channels acc_x)" in err


def test_inf_in_a_wide_table_is_named_not_taken_for_an_id(tmp_path, capsys):
    frame = pd.DataFrame({"x0": [1.0] * 20, "x1": np.arange(20.0), "y": np.arange(20) % 2})
    frame.loc[3, "x0"] = np.inf
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    assert main(["compare", "--csv", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "looks like a long table" not in err and "--id" not in err
    assert err == (
        f"seqpool: error: column 'x0' of {path} holds inf on line 5; values must be finite "
        "numbers: leave a missing cell empty (it reads as NaN) or clip the value\n"
    )


def test_a_close_local_name_is_suggested_before_any_download(ucr_home, monkeypatch, capsys):
    from seqpool_sklearn import _datasets

    tried = []

    def no_network(name, home, *args, **kwargs):
        tried.append(name)
        raise OSError("network unreachable")

    monkeypatch.setattr(_datasets, "_download", no_network)
    assert main(["compare", "--ucr", "ECG20", "--data-home", str(ucr_home)]) == 2
    err = capsys.readouterr().err
    assert tried == []
    assert err.startswith(
        f"seqpool: error: dataset 'ECG20' is not in the cache {ucr_home}. Did you mean 'ECG200'?"
    )
    assert "nothing was downloaded" in err and "pass --download" in err
    # --download asks for the archive's own ECG20 anyway
    assert main(["compare", "--ucr", "ECG20", "--download", "--data-home", str(ucr_home)]) == 2
    assert tried == ["ECG20"] and "network unreachable" in capsys.readouterr().err


def test_datasets_prints_plain_text_not_markup(tmp_path, capsys):
    assert main(["datasets", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out
    assert "whether most time steps have x0 * x1 > 0; decode_first must win." in out


def test_pools_join_with_plus_for_a_combined_pool(tmp_path, capsys):
    args = build_parser().parse_args(["compare", "--pools", "avg,ppv+lspv"])
    assert args.pools == ["avg", ("ppv", "lspv")]
    for bad, message in (("ppv+ppv", "'ppv+ppv' names a pool twice"), ("ppv+lsvp", "'lspv'?")):
        with pytest.raises(SystemExit) as exit_info:
            main(["compare", "--pools", bad])
        assert exit_info.value.code == 2 and message in capsys.readouterr().err
    out = tmp_path / "out"
    status = main(
        [
            "compare",
            "--quiet",
            "--n-samples",
            "20",
            "--pools",
            "avg,ppv+lspv",
            "--out",
            str(out),
            *TINY,
        ]
    )
    assert status == 0
    assert "ppv+lspv" in capsys.readouterr().out
    import pandas as pd

    assert set(pd.read_csv(out / "results.csv")["pool"]) == {"avg", "ppv+lspv"}


def test_one_order_still_reports_the_pool_effect(tmp_path, capsys):
    code = main(
        ["compare", "--synthetic", "nonlinear_steps", "--n-samples", "40", "--quiet"]
        + ["--orders", "pool_first", "--pools", "avg,max", "--encoder", "none"]
        + ["--max-epochs", "1", "--cv", "2", "--hidden-size", "4", "--out", str(tmp_path / "o")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Order effect: not tested (needs both orders)." in out
    assert "Pool effect, each pool - avg" in out
    assert len(pd.read_csv(tmp_path / "o" / "results.csv")) == 4


def _wide_frame(n=40, T=12, rng=0):
    rng = np.random.default_rng(rng)
    frame = pd.DataFrame(rng.normal(size=(n, T)), columns=[f"x_{t}" for t in range(T)])
    frame["label"] = np.arange(n) % 2
    return frame


def _long_frame(n=12, T=6, rng=0):
    rng = np.random.default_rng(rng)
    rows = [
        {"x": rng.normal(), "x2": rng.normal(), "sid": i, "step": t, "label": i % 2}
        for i in range(n)
        for t in range(T)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "write, flags, match",
    [
        # the index pandas writes without index=False
        (lambda f, p: f.to_csv(p), [], "column 'Unnamed: 0' of .* has no header"),
        # an id column of row numbers in a wide table
        (
            lambda f, p: f.assign(id=np.arange(len(f))).to_csv(p, index=False),
            [],
            "column 'id' of .* holds the numbers 0 to 39, each once",
        ),
        # columns in text order: x_10 would be read as step 2
        (
            lambda f, p: f[sorted(f.columns[:-1]) + ["label"]].to_csv(p, index=False),
            [],
            "column 'x_10' of .* is step 10 of channel 'x' by its name, but read in column "
            "order .* it would be step 2 of block 1",
        ),
        # time-major columns read as two channel blocks
        (
            lambda f, p: f.rename(
                columns={f"x_{t}": f"{'xy'[t % 2]}_{t // 2}" for t in range(12)}
            ).to_csv(p, index=False),
            ["--n-channels", "2"],
            "column 'y_0' of .* is step 0 of channel 'y' by its name",
        ),
        # one text cell among numbers
        (
            lambda f, p: (
                f.astype({"x_5": object})
                .assign(**{"x_5": ["?"] + [1.0] * 39})
                .to_csv(p, index=False)
            ),
            [],
            r"column 'x_5' of .* holds text \('\?' on line 2\) among numbers",
        ),
        # a header without rows
        (lambda f, p: f.iloc[:0].to_csv(p, index=False), [], "has a header line but no rows"),
        # a long table whose id column is not among the first two
        (
            lambda f, p: _long_frame().to_csv(p, index=False),
            [],
            "looks like a long table .* Pass --id sid --time step --channels x,x2",
        ),
    ],
    ids=["index", "row-ids", "text-order", "time-major", "text-cell", "no-rows", "id-last"],
)
def test_wide_tables_that_would_be_misread_are_refused(tmp_path, capsys, write, flags, match):
    path = tmp_path / "t.csv"
    write(_wide_frame(), path)
    code = main(["compare", "--csv", str(path), "--target", "label", *flags, *TINY])
    assert code == 2
    assert re.search(match, capsys.readouterr().err)


def test_a_time_step_holding_one_to_n_is_not_taken_for_row_numbers(tmp_path, built, capsys):
    # t0 holding 1..20 (a counter, a rising signal) was refused as row numbers, and no
    # flag could keep it: the only way on was to drop real data
    rng = np.random.default_rng(0)
    i = np.arange(1, 21)
    frame = pd.DataFrame({"t0": i, "t1": 2 * i, "t2": rng.normal(size=20), "label": i % 2})
    frame.to_csv(tmp_path / "w.csv", index=False)
    built("--csv", str(tmp_path / "w.csv"), "--target", "label")
    assert "(wide table): 20 samples, 1 channel, 3 steps" in capsys.readouterr().out
    # ... in the middle of the table too
    frame = frame[["t2", "t0", "t1", "label"]].rename(columns={"t2": "x"})
    frame.to_csv(tmp_path / "w.csv", index=False)
    built("--csv", str(tmp_path / "w.csv"), "--target", "label")
    assert "(wide table): 20 samples, 1 channel, 3 steps" in capsys.readouterr().out
    # a column not named as a step, wherever it stands (a trailing counter was read as a
    # last time step), or named as an index: refused, with the way to keep it
    for name, where in [("sample", 0), ("row", 1), ("index", 2), ("level", 1), ("n", 2)]:
        frame = pd.DataFrame({"a": rng.normal(size=20), "b": rng.normal(size=20)})
        frame.insert(where, name, i - 1)
        frame.assign(label=i % 2).to_csv(tmp_path / "w.csv", index=False)
        argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label", *TINY]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"column {name!r} of {tmp_path / 'w.csv'} holds the numbers 0 to 19, each " in err
        assert f"leave it out with --drop {name} (or pass it as --groups); if it is a time " in err
        assert "name the columns by their steps (t0, t1, ...)" in err


def test_n_channels_that_do_not_divide_the_columns_is_said_in_the_flags_words(tmp_path, capsys):
    # was the Python API's "X has 12 columns, which do not split into n_channels=5 ..."
    path = tmp_path / "w.csv"
    _wide_frame().to_csv(path, index=False)
    argv = ["compare", "--csv", str(path), "--target", "label", *TINY]
    assert main([*argv, "--n-channels", "5"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"seqpool: error: --n-channels 5 cuts the columns of {path} into 5 equal blocks, one "
        "per channel, but it has 12 columns of time steps (every column but --target, "
        "--groups and --drop), not a multiple of 5: pass the number of channels the table "
        "holds\n"
    )
    assert "n_channels=" not in err


def test_wide_columns_by_pattern_and_a_binary_first_column(tmp_path, built):
    frame = _wide_frame()
    shuffled = frame[sorted(frame.columns[:-1]) + ["label"]]
    shuffled.to_csv(tmp_path / "s.csv", index=False)
    frame.to_csv(tmp_path / "o.csv", index=False)
    pattern = "(?P<channel>.+)_(?P<time>[0-9]+)"
    built("--csv", str(tmp_path / "s.csv"), "--target", "label", "--pattern", pattern)
    # a first column of 0/1 in a wide table is not the id of a long one
    binary = frame.assign(x_0=np.arange(40) % 2 * 1.0)
    binary.to_csv(tmp_path / "b.csv", index=False)
    built("--csv", str(tmp_path / "b.csv"), "--target", "label")


def test_pattern_reads_the_layout_from_the_names(tmp_path, capsys):
    frame = _wide_frame(T=6)
    frame = frame.rename(columns={f"x_{t}": f"{'xy'[t % 2]}_{t // 2}" for t in range(6)})
    frame.to_csv(tmp_path / "w.csv", index=False)
    pattern = "(?P<channel>.+)_(?P<time>[0-9]+)"
    code = main(
        ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label", "--pattern", pattern]
        + ["--encoder", "none", "--pools", "avg", "--quiet", "--out", str(tmp_path / "o"), *TINY]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "(wide table, channels x, y from --pattern): 40 samples, 2 channels, 3 steps" in out


@pytest.mark.parametrize(
    "flags, match",
    [
        ([], "column 'step' of .* looks like the time steps .* is read as a channel. Pass --time"),
        (["--channels", "x"], "'step' is not, and the rows are out of its order. Pass --time"),
        (["--n-channels", "2"], "--n-channels describes a wide table"),
    ],
)
def test_long_tables_read_without_their_time_column_are_refused(tmp_path, capsys, flags, match):
    path = tmp_path / "l.csv"
    _long_frame().sample(frac=1, random_state=0).to_csv(path, index=False)
    code = main(["compare", "--csv", str(path), "--id", "sid", "--target", "label", *flags, *TINY])
    assert code == 2
    assert re.search(match, capsys.readouterr().err)


def test_a_long_table_in_its_time_order_needs_no_time_flag(tmp_path, built):
    _long_frame().to_csv(tmp_path / "l.csv", index=False)
    built("--csv", str(tmp_path / "l.csv"), "--id", "sid", "--channels", "x", "--target", "label")


def test_value_without_kind_on_a_tsfresh_table_asks_for_kind(tmp_path, capsys):
    long = _long_frame()
    tsfresh = long.melt(["sid", "step", "label"], ["x", "x2"], var_name="kind")
    tsfresh.to_csv(tmp_path / "k.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "k.csv"), "--id", "sid", "--time", "step"]
    code = main([*argv, "--value", "value", "--target", "label", *TINY])
    assert code == 2
    assert "needs --kind naming its channel column" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--ucr", "GunPoint", "--n-samples", "10"], "--n-samples sets the size of a synthetic"),
        (["--data-home", "/tmp"], "--data-home only applies to --ucr"),
        (["--download"], "--download only applies to --ucr"),
        (["--n-channels", "2"], "--n-channels only applies to --csv"),
        (["--pattern", "x"], "--pattern only applies to --csv"),
        (
            ["--readout", "ridge", "--orders", "decode_first"],
            "--readout ridge solves a linear readout.* --pools holds max: pass --orders "
            "pool_first, --pools avg, or --readout trained",
        ),
        (
            ["--encoder", "none", "--encoder-channels", "50"],
            r"--encoder-channels sets the encoder's width, but there is no encoder \(--encoder "
            "none\\)",
        ),
        (
            ["--encoder-channels", "50"],  # the synthetic tasks run without an encoder
            "no encoder .the synthetic tasks run the head on the raw channels; pass --encoder",
        ),
        (
            ["--readout", "ridge", "--orders", "pool_first"],  # TINY has --max-epochs 2
            "--max-epochs sets the trained readout's epochs; --readout ridge trains nothing",
        ),
        # what the first fit would refuse, refused before the data and the header are
        # printed (they used to fail inside the first fit, after earlier datasets ran)
        (
            ["--readout", "ridge", "--orders", "pool_first", "--pools", "avg,attention"],
            "--readout ridge trains nothing, but --pools attention has trained parameters",
        ),
        (
            ["--readout", "ridge", "--orders", "pool_first", "--activation", "tanh"],
            "--activation tanh cannot pass: pass relu, gelu or none, or --readout trained",
        ),
        (
            ["--readout", "ridge", "--orders", "pool_first", "--encoder", "gru"],
            "--encoder gru is trained with the head: pass a frozen encoder",
        ),
        (
            ["--readout", "ridge", "--orders", "pool_first,decode_first", "--pools", "avg"],
            "under ridge the two orders are the same model by construction.* Pass --orders "
            "pool_first to compare pools and windows, or --readout trained",
        ),
    ],
)
def test_flags_that_do_not_apply_are_refused_before_any_output(ucr_home, capsys, argv, match):
    home = ["--data-home", str(ucr_home)] if "--ucr" in argv else []
    code = main(["compare", *argv, *home, *TINY])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert re.search(match, err)


def test_targets_groups_and_metrics_that_cannot_run_are_refused_up_front(tmp_path, capsys):
    frame = _wide_frame().assign(g=np.arange(40) % 2, one="a", three=np.arange(40) % 3)
    frame.drop(columns=["one", "three"]).to_csv(tmp_path / "g.csv", index=False)
    frame.drop(columns=["label", "three"]).to_csv(tmp_path / "one.csv", index=False)
    frame.drop(columns=["label", "one", "g"]).to_csv(tmp_path / "three.csv", index=False)
    base = ["compare", "--quiet", *TINY]
    cases = [
        (
            ["--csv", str(tmp_path / "g.csv"), "--target", "label", "--groups", "g", "--cv", "3"],
            "--groups g holds 2 groups, fewer than the --cv 3 folds",
        ),
        (
            ["--csv", str(tmp_path / "one.csv"), "--target", "one", "--groups", "g"],
            "holds one class \\('a'\\): classification needs at least two",
        ),
        (
            ["--csv", str(tmp_path / "three.csv"), "--target", "three", "--scoring", "f1"],
            "--scoring f1 scores two classes, but the target of .* holds 3; use --scoring f1_macro",
        ),
    ]
    for argv, match in cases:
        assert main([*base, *argv]) == 2
        out, err = capsys.readouterr()
        assert out == "" and re.search(match, err), err


def test_metrics_of_a_positive_class_need_labels_that_name_one(tmp_path, ucr_home, capsys):
    # scikit-learn takes 1 as the positive class (none for the Brier score): on '1'/'2'
    # or 'a'/'b' the run printed its header, trained a fit, then failed with
    # "pos_label=1 is not a valid label"
    frame = _wide_frame(n=30)
    base = ["compare", "--quiet", *TINY, "--encoder", "none", "--out", str(tmp_path / "o")]
    scorers = {
        "f1": "f1_macro",
        "precision": "precision_macro",
        "recall": "recall_macro",
        "jaccard": "jaccard_macro",
        "average_precision": "roc_auc",
        "neg_brier_score": "neg_log_loss",
    }
    for labels, shown in [
        (["a", "b"], "'a' and 'b' (text)"),
        ([0, 2], "0 and 2"),
        (["-1", "1"], "'-1' and '1' (text)"),
    ]:
        frame.assign(label=labels * 15).to_csv(tmp_path / "w.csv", index=False)
        if labels == ["-1", "1"]:  # as the UCR/UEA .ts files hold them
            data = ["--ucr", "ECG200", "--data-home", str(ucr_home), "--no-download"]
        else:
            data = ["--csv", str(tmp_path / "w.csv"), "--target", "label"]
        for scoring, better in scorers.items():
            assert main([*base, *data, "--scoring", scoring]) == 2
            out, err = capsys.readouterr()
            assert out == "" and len(err.splitlines()) == 1, err
            assert f"--scoring {scoring} scores one class as the positive one" in err
            assert f"holds {shown}; use --scoring {better} (both classes count) or " in err
            if scoring == "f1":
                assert "which f1 takes to be the number 1, but" in err
            if scoring == "neg_brier_score":
                assert "only among the numbers 0 and 1 or -1 and 1 (1 is positive)" in err
    assert not (tmp_path / "o").exists()
    # labels that hold the metric's positive class are accepted: 0/1, -1/1 and booleans,
    # and for f1 and the like (positive class 1) also 1/2; the Brier score needs 0/1, -1/1
    for labels, scoring in (([0, 1], "f1"), ([-1, 1], "f1"), ([False, True], "f1"),
                            ([1, 2], "f1"), ([1, 2], "precision")):  # fmt: skip
        frame.assign(label=labels * 15).to_csv(tmp_path / "w.csv", index=False)
        argv = [*base, "--csv", str(tmp_path / "w.csv"), "--target", "label", "--cv", "3"]
        assert main([*argv, "--scoring", scoring, "--overwrite"]) == 0, capsys.readouterr().err
        assert f"{scoring} per head design" in capsys.readouterr().out
    assert main([*argv, "--scoring", "neg_brier_score", "--overwrite"]) == 2
    assert "holds 1 and 2; use --scoring neg_log_loss" in capsys.readouterr().err


def test_top_k_accuracy_on_too_few_classes_is_refused(tmp_path, capsys):
    # k=2 of two classes: every design scored 1.0 on every split, after every fit
    path = tmp_path / "w.csv"
    _wide_frame(n=30).to_csv(path, index=False)
    argv = ["compare", "--quiet", *TINY, "--csv", str(path), "--target", "label"]
    assert main([*argv, "--scoring", "top_k_accuracy"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        "seqpool: error: --scoring top_k_accuracy counts a prediction right when the true "
        "class is among the 2 most likely, which with 2 classes every prediction is: every "
        "design would score 1.0. Use --scoring accuracy\n"
    )


def test_alpha_of_an_equivalence_test_is_checked_with_the_arguments(tmp_path, capsys):
    # checked only in the report, after every fit: results.csv written, no report
    out = tmp_path / "o"
    argv = ["compare", "--quiet", "--n-samples", "20", *TINY, "--out", str(out)]
    for alpha in ("0.5", "0.6"):
        for data in ([], ["--ucr", "GunPoint,ECG200"]):
            code = main([*argv, *data, "--alpha", alpha, "--equivalence-margin", "0.01"])
            stdout, err = capsys.readouterr()
            assert code == 2 and stdout == "" and not out.exists()
            assert err.startswith(
                f"seqpool: error: --alpha {alpha} with --equivalence-margin: the equivalence "
                "test (two one-sided tests) at level alpha reads the 1 - 2*alpha confidence "
                "interval, so it needs --alpha below 0.5"
            )


def test_folds_that_cannot_train_are_refused_before_output_or_removal(tmp_path, capsys):
    # found only during training, after the header was printed (and, with --overwrite,
    # the earlier results removed): scikit-learn's raw "n_splits=2 cannot be greater
    # than the number of members in each class", its warning about a one-member class,
    # and "needs samples of at least 2 classes" for groups that follow the classes
    out = tmp_path / "res"
    out.mkdir()
    (out / "results.csv").write_text("earlier run")
    frame = _wide_frame().assign(age=np.arange(40) + 20, label=["a", "b"] * 20)
    frame.loc[0, "label"] = "rare"
    frame.to_csv(tmp_path / "t.csv", index=False)
    base = ["compare", "--quiet", *TINY, "--csv", str(tmp_path / "t.csv")]
    base += ["--out", str(out), "--overwrite"]
    cases = [
        (
            ["--target", "age", "--drop", "label"],
            "class 20 of the target of .* has 1 member \\(and 39 more classes\\), fewer than "
            "the --cv 2 folds.*drop or merge the rare classes; .* pass --task regression",
        ),
        (
            ["--target", "label", "--drop", "age"],
            "class 'rare' of the target of .* has 1 member, fewer than the --cv 2 folds",
        ),
        (
            ["--target", "label", "--groups", "label", "--drop", "age"],
            "fold 1 of the --cv 2 folds by --groups label trains on one class \\('.'\\) only "
            "\\(each group holds one class",
        ),
    ]
    frame.loc[0, "label"] = "a"
    frame.to_csv(tmp_path / "g.csv", index=False)
    for argv, match in cases:
        if "--groups" in argv:
            base[base.index(str(tmp_path / "t.csv"))] = str(tmp_path / "g.csv")
        assert main([*base, *argv]) == 2
        stdout, err = capsys.readouterr()
        assert stdout == "" and re.search(match, err), err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert (out / "results.csv").read_text() == "earlier run"


def test_many_whole_number_classes_get_a_hint(tmp_path, built, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 8)), columns=[f"t{i}" for i in range(8)])
    frame["age"] = np.arange(60) % 12 + 20
    frame.to_csv(tmp_path / "ages.csv", index=False)
    built("--csv", str(tmp_path / "ages.csv"), "--target", "age")
    header = capsys.readouterr().out.splitlines()[0]
    assert "classification, 12 classes (whole numbers read as classes; --task regression" in (
        header
    )


def test_labels_that_differ_only_in_spaces_are_refused(tmp_path, capsys):
    frame = _wide_frame().assign(label=["yes", "yes ", "no"] * 13 + ["no"])
    frame.to_csv(tmp_path / "s.csv", index=False)
    code = main(["compare", "--csv", str(tmp_path / "s.csv"), "--target", "label", *TINY])
    assert code == 2
    assert "holds both 'yes' and 'yes ', which differ only in spaces" in capsys.readouterr().err


def test_time_stamp_column_names_are_read_in_order_not_as_channels(tmp_path, built, capsys):
    frame = _wide_frame(T=12)
    seconds = [f"{t / 2:.1f}" for t in range(12)]  # 0.0, 0.5, ..., 5.5
    days = [str(d.date()) for d in pd.date_range("2024-01-25", periods=12)]  # across a month
    for names in (seconds, days):
        frame.set_axis([*names, "label"], axis=1).to_csv(tmp_path / "w.csv", index=False)
        built("--csv", str(tmp_path / "w.csv"), "--target", "label")
        assert "(wide table): 40 samples, 1 channel, 12 steps" in capsys.readouterr().out
    # in text order, 10.0 comes before 2.0: refused, naming the column, with no --pattern
    text_order = sorted(seconds[:4] + ["10.0", "10.5"] + seconds[4:10])
    assert text_order[6] == "2.0"
    frame.set_axis([*text_order, "label"], axis=1).to_csv(tmp_path / "w.csv", index=False)
    assert main(["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert "are time stamps (numbers)" in err and "column '2.0' is earlier than '10.5'" in err
    assert "--pattern" not in err
    # --pattern would cut 1.0 into channel 1, step 0
    frame.set_axis([*seconds, "label"], axis=1).to_csv(tmp_path / "w.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label", "--pattern"]
    assert main([*argv, "(?P<channel>.*?)[.](?P<time>[0-9]+)"]) == 2
    assert "names of" in capsys.readouterr().err


def test_drop_leaves_an_id_column_out_of_a_wide_table(tmp_path, built, capsys):
    rng = np.random.default_rng(0)
    ids = rng.choice(np.arange(10000, 99999), size=40, replace=False)  # with gaps
    frame = _wide_frame().assign(patient_id=ids)
    frame.to_csv(tmp_path / "w.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label"]
    assert main(argv) == 2  # read as time step 12, unless its name gives it away
    err = capsys.readouterr().err
    assert "column 'patient_id' of" in err and "its name says it is an id" in err
    assert "--drop patient_id" in err
    built(*argv[1:], "--drop", "patient_id")
    assert "(wide table, patient_id left out): 40 samples, 1 channel, 12 steps" in (
        capsys.readouterr().out
    )
    # whole numbers, each once, in a column whose name only contains the letters i, d
    frame.rename(columns={"patient_id": "valid"}).to_csv(tmp_path / "v.csv", index=False)
    built("--csv", str(tmp_path / "v.csv"), "--target", "label")
    assert "1 channel, 13 steps" in capsys.readouterr().out
    assert main([*argv, "--drop", "label"]) == 2
    assert "column 'label' is both --drop and --target" in capsys.readouterr().err
    assert main(["compare", "--drop", "x_0"]) == 2
    assert "--drop only applies to --csv" in capsys.readouterr().err


def test_a_repeated_subject_id_in_a_wide_table_is_refused_with_groups_or_drop(
    tmp_path, built, capsys
):
    # read as time step 0 of every series, and the folds mixed the subjects
    frame = _wide_frame(n=30)
    for name in ("subject_id", "grp", "patientID"):
        frame.insert(0, name, np.arange(30) // 3)
        frame.to_csv(tmp_path / "w.csv", index=False)
        argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label", *TINY]
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(
            f"seqpool: error: column {name!r} of {tmp_path / 'w.csv'} holds whole numbers, "
            "10 values over 30 rows, and its name says it names a subject or group of rows"
        )
        assert f"pass it as --groups {name} (folds that keep each group whole)" in err
        assert f"or leave it out with --drop {name}" in err
        built(*argv[1:], "--groups", name)
        out = capsys.readouterr().out
        assert "(wide table): 30 samples, 1 channel, 12 steps" in out
        assert f"StratifiedGroupKFold(2) by column {name!r}" in out
        frame = frame.drop(columns=name)
    # a whole-number column repeating its values, with another name, is still a step
    frame.assign(level=np.arange(30) % 4).to_csv(tmp_path / "w.csv", index=False)
    built("--csv", str(tmp_path / "w.csv"), "--target", "label")
    assert "1 channel, 13 steps" in capsys.readouterr().out
    # ... and so are whole-number steps whose channel is named for a patient or group
    rates = np.random.default_rng(0).integers(60, 100, size=(30, 4))
    steps = pd.DataFrame(rates, columns=[f"patient_hr_{t}" for t in range(4)])
    steps.assign(label=frame["label"]).to_csv(tmp_path / "w.csv", index=False)
    built("--csv", str(tmp_path / "w.csv"), "--target", "label")
    assert "(wide table): 30 samples, 1 channel, 4 steps" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["numbers", "text"])
def test_an_empty_groups_cell_is_named_with_its_line(tmp_path, capsys, kind):
    # numbers: the empty cells became one more group, NaN; text: "'<' not supported
    # between instances of 'float' and 'str'" from the group splitter
    frame = _wide_frame(n=30)
    groups = np.arange(30) // 3
    frame["g"] = [f"g{g}" for g in groups] if kind == "text" else groups
    frame.loc[[2, 11], "g"] = None
    frame.to_csv(tmp_path / "w.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label", "--groups", "g"]
    assert main([*argv, *TINY]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"seqpool: error: column 'g' (--groups) of {tmp_path / 'w.csv'} has 2 empty cells "
        "(first on line 4); every row needs a group: fill them in or drop those rows\n"
    )


def test_readout_ridge_compares_pools_under_one_order(tmp_path, capsys):
    # decode_first's ridge readout is pool_first's: no order effect to test, one order run
    argv = ["compare", "--quiet", "--n-samples", "24", "--readout", "ridge", "--encoder"]
    argv += ["none", "--cv", "2", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith("--readout ridge: order pool_first only;")
    assert "Order effect: not tested" in out and "cannot tell apart" not in out
    assert set(pd.read_csv(tmp_path / "o" / "results.csv")["order"]) == {"pool_first"}


def test_training_flags_under_ridge_are_refused_not_dropped(ucr_home, capsys):
    for flag, what in [("--lr", "learning rate"), ("--batch-size", "mini-batch size")]:
        for data in (["--n-samples", "20"], ["--ucr", "GunPoint,ECG200"]):
            argv = ["compare", *data, "--data-home", str(ucr_home), "--readout", "ridge"]
            if "--ucr" not in data:
                argv = [a for a in argv if a != "--data-home" and a != str(ucr_home)]
            assert main([*argv, flag, "3"]) == 2
            out, err = capsys.readouterr()
            assert out == ""
            assert f"{flag} sets the trained readout's {what}; --readout ridge trains" in err


def test_the_header_names_a_long_tables_channels_and_cuts_a_long_list(tmp_path, built, capsys):
    frame = _long_frame()
    for k in range(8):  # x, x2 and eight more: a per-series code would be among them
        frame[f"v{k}"] = frame["x"] * k
    frame.to_csv(tmp_path / "l.csv", index=False)
    built("--csv", str(tmp_path / "l.csv"), "--id", "sid", "--time", "step", "--target", "label")
    out = capsys.readouterr().out
    assert "(long table, 12 series, channels x, x2, v0, v1, v2, v3, ... (10 in all)):" in out


def test_values_counts_and_names_read_as_a_user_writes_them(tmp_path, built, ucr_home, capsys):
    frame = _wide_frame().assign(label=np.linspace(0, 1, 40) + 0.0775)
    frame.to_csv(tmp_path / "w.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "w.csv"), "--target", "label"]
    assert main([*argv, "--task", "classification"]) == 2
    err = capsys.readouterr().err
    assert "continuous values such as 0.0775;" in err and "np.float64" not in err
    built("--orders", "pool_first", "--pools", "avg")
    assert "; 1 design, 5 fits" in capsys.readouterr().out
    base = ["compare", "--data-home", str(ucr_home), "--no-download", "--out", str(tmp_path)]
    assert main([*base, "--ucr", "GunPoint,ECG200,gunpoint"]) == 2
    err = capsys.readouterr().err
    assert "--ucr names 'gunpoint' twice (as 'GunPoint' too); name each dataset once" in err
    with pytest.raises(SystemExit):
        main(["datasets", "--help"])
    assert "~/seqpool_data" in capsys.readouterr().out


def test_a_long_series_without_any_value_is_refused_by_its_id_before_output(tmp_path, capsys):
    frame = _long_frame()
    frame.loc[frame["sid"] == 5, ["x", "x2"]] = np.nan
    frame.to_csv(tmp_path / "l.csv", index=False)
    argv = ["compare", "--csv", str(tmp_path / "l.csv"), "--id", "sid", "--time", "step"]
    assert main([*argv, "--target", "label", "--out", str(tmp_path / "o"), *TINY]) == 2
    out, err = capsys.readouterr()
    assert out == "" and not (tmp_path / "o").exists()
    assert "series sid = 5 of" in err and "has no observed value" in err


@pytest.mark.filterwarnings("ignore:The least populated class")
def test_a_rare_class_is_no_refusal_under_group_folds(tmp_path, capsys):
    # group folds promise no member of every class in each fold; a class of one member was
    # refused as for stratified folds, though the run trains
    rng = np.random.default_rng(0)
    values = rng.normal(size=(40, 6))
    frame = pd.DataFrame(values, columns=[f"t{i}" for i in range(6)])
    frame["label"] = ["a", "b"] * 20
    frame.loc[5, "label"] = "c"
    frame["g"] = np.arange(40) % 8
    frame.to_csv(tmp_path / "t.csv", index=False)
    args = ["compare", *TINY, "--csv", str(tmp_path / "t.csv"), "--target", "label"]
    args += ["--groups", "g", "--encoder", "none", "--pools", "avg", "--quiet"]
    code = main(args + ["--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "classification, 3 classes" in out
    assert (tmp_path / "o" / "results.csv").exists()


def test_a_margin_in_points_is_refused_with_the_flag_before_any_fit(tmp_path, ucr_home, capsys):
    out = tmp_path / "o"
    argv = ["compare", "--quiet", *TINY, "--out", str(out)]
    home = ["--data-home", str(ucr_home), "--no-download"]
    for data in (["--n-samples", "20"], ["--ucr", "GunPoint,ECG200", *home]):
        code = main([*argv, *data, "--equivalence-margin", "5"])
        stdout, err = capsys.readouterr()
        assert code == 2 and stdout == "" and not out.exists()
        assert err.startswith(
            "seqpool: error: --equivalence-margin 5 is not smaller than the whole range of "
            "accuracy (0 to 1), so every difference would count as equivalent; give it in "
            "score units: 0.01 for one point of accuracy"
        )
    # an unbounded metric takes any margin: refused for another reason, not this one
    main([*argv, "--n-samples", "20", "--scoring", "neg_mean_squared_error",
          "--equivalence-margin", "5"])  # fmt: skip
    assert "not smaller than the whole range" not in capsys.readouterr().err
