"""The benchmark scripts' input handling and counting rules (no benchmark is run)."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


# -- bench_verdicts: the null arms count what the power arm counts ----------------------


def _zero_variance(mean: float) -> str:
    from seqpool_sklearn._stats import order_verdict

    res = {"mean": mean, "ci_low": mean, "ci_high": mean, "p_value": 1.0, "p_equivalence": 1.0}
    return order_verdict(res, margin=0.02)


def test_a_direction_on_every_split_is_a_false_positive_in_either_direction():
    bench_verdicts = pytest.importorskip("bench_verdicts")
    decode, pool = _zero_variance(0.0125), _zero_variance(-0.0125)
    assert "decode_first scored higher on each split" in decode
    assert "pool_first scored higher on each split" in pool
    # the power arm counts the decode_first one as found ...
    assert bench_verdicts._untested_win(decode) and not bench_verdicts._untested_win(pool)
    # ... so the null arms count either direction against the test, as a "better" verdict
    assert bench_verdicts.names_a_winner(decode)
    assert bench_verdicts.names_a_winner(pool)
    assert bench_verdicts.names_a_winner("pool_first better by 0.030 (...)")
    # no direction named: not a false positive
    assert not bench_verdicts.names_a_winner(_zero_variance(0.0))
    assert not bench_verdicts.names_a_winner("no significant difference (...)")
    assert not bench_verdicts.names_a_winner("equivalent within ±0.020 (...)")


# -- an empty data home says so, before any warm-up or figure -----------------------------


@pytest.mark.parametrize("script", ["bench_archive", "bench_regression", "bench_hydra"])
def test_an_empty_data_home_says_so(script, tmp_path, monkeypatch):
    module = pytest.importorskip(script)
    monkeypatch.setattr(module, "_warm_up", _no_warm_up, raising=False)
    with pytest.raises(SystemExit, match=f"No datasets in {tmp_path}"):
        module.main(["--data-home", str(tmp_path)])


def _no_warm_up(*args, **kwargs):
    raise AssertionError("warmed up with no datasets")


def test_bench_encoder_says_so_before_its_encoder_figure(tmp_path, monkeypatch):
    bench_encoder = pytest.importorskip("bench_encoder")
    monkeypatch.setattr(bench_encoder, "encoder_ratio", _no_warm_up)
    monkeypatch.setenv("SEQPOOL_DATA_HOME", str(tmp_path))
    with pytest.raises(SystemExit, match=f"No classification datasets in {tmp_path}"):
        bench_encoder.main([])


def test_bench_encoder_finds_the_data_home_beside_the_repository(tmp_path, monkeypatch):
    bench_encoder = pytest.importorskip("bench_encoder")
    monkeypatch.delenv("SEQPOOL_DATA_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # not relative to the working directory
    assert bench_encoder.default_data_home() == ROOT.parent / "shared" / "ucr"


def test_bench_regression_without_classification_datasets_says_so(tmp_path, monkeypatch):
    bench_regression = pytest.importorskip("bench_regression")
    monkeypatch.setattr(bench_regression, "_warm_up", _no_warm_up)
    folder = tmp_path / "Levels"
    folder.mkdir()
    header = "@problemName Levels\n@univariate true\n@equalLength true\n@targetLabel true\n"
    for split in ("TRAIN", "TEST"):
        rows = [",".join(["0.5"] * 8) + f":{0.1 * i + 0.01:.3f}" for i in range(10)]
        (folder / f"Levels_{split}.ts").write_text(header + "@data\n" + "\n".join(rows) + "\n")
    with pytest.raises(SystemExit, match="No classification datasets .* among Levels"):
        bench_regression.main(["--data-home", str(tmp_path)])


# -- bench_ucr: --set as bench_archive reads it, and a warm-up before the timed fits ------


def test_bench_ucr_reads_plain_strings_and_warms_up_before_timing(monkeypatch, tmp_path):
    bench_ucr = pytest.importorskip("bench_ucr")
    calls = []

    def fit_one(home, name, seed, overrides):
        calls.append(("fit", dict(overrides)))
        row = {"dataset": name, "seed": seed, "task": "classification", "shape": [4, 1, 8]}
        return {**row, "n_test": 4, "fit_seconds": 0.5, "epochs": 1, "accuracy": 0.9}

    monkeypatch.setattr(bench_ucr, "fit_one", fit_one)
    warm_up = lambda o: calls.append(("warm up", dict(o)))  # noqa: E731
    monkeypatch.setattr(bench_ucr, "_warm_up", warm_up, raising=False)
    argv = ["--data-home", str(tmp_path), "--datasets", "GunPoint", "--seeds", "0", "1"]
    argv += ["--set", "encoder=gru", "--set", "max_epochs=3", "--set", "lr_schedule='constant'"]
    bench_ucr.main(argv)
    expected = {"encoder": "gru", "max_epochs": 3, "lr_schedule": "constant"}
    assert calls == [("warm up", expected), ("fit", expected), ("fit", expected)]


def test_bench_ucr_warm_up_fits_both_estimators(monkeypatch):
    bench_ucr = pytest.importorskip("bench_ucr")
    fitted = []
    for cls in (bench_ucr.SeqPoolClassifier, bench_ucr.SeqPoolRegressor):
        real = cls.fit

        def fit(self, X, y, _real=real, **kwargs):
            fitted.append((type(self).__name__, X.shape[1], self.encoder))
            return _real(self, X, y, **kwargs)

        monkeypatch.setattr(cls, "fit", fit)
    bench_ucr._warm_up({"hidden_size": 4})
    assert sorted(fitted) == sorted(
        (name, channels, "conv")
        for name in ("SeqPoolClassifier", "SeqPoolRegressor")
        for channels in (1, 3)
    )


# -- the docs name the datasets whose series are not z-normalised -------------------------


def _home() -> Path:
    env = os.environ.get("SEQPOOL_DATA_HOME")
    return Path(env) if env else ROOT.parent / "shared" / "ucr"


def test_the_docs_name_the_suite_datasets_that_are_not_z_normalised():
    bench_archive = pytest.importorskip("bench_archive")
    from seqpool_sklearn import list_ucr

    names = list_ucr(_home())
    if len(names) < 21:
        pytest.skip(f"the development suite is not in {_home()}")
    raw, classification = [], 0
    for name in names:
        X_tr, y_tr, X_te, _ = bench_archive.load(name, _home())
        if bench_archive._is_regression(y_tr):
            continue
        classification += 1
        X = np.concatenate([X_tr, X_te])[:, 0]
        if not np.allclose(np.nanmean(X, axis=1), 0, atol=1e-3):
            raw.append(name)
    assert classification == 20
    docs = (ROOT / "docs" / "benchmarks.rst").read_text()
    script = (ROOT / "benchmarks" / "bench_regression.py").read_text()
    evidence = (ROOT / "docs" / "user_guide" / "order_evidence.rst").read_text()
    for text in (docs, script, evidence):
        flat = " ".join(text.split())
        assert "archive's series are z-normalised" not in flat
        assert f"{20 - len(raw)} of the" in flat
        assert ", ".join(raw[:-1]) + " and " + raw[-1] in flat
