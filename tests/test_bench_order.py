"""The order benchmark's stratified draw runs on any archive folder."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
bench_order = pytest.importorskip("bench_order")


@pytest.mark.parametrize("n_classes,n_rows,n", [(6, 304, 300), (4, 301, 300), (3, 90, 89)])
def test_a_draw_leaving_fewer_rows_than_classes_keeps_the_proportions(n_classes, n_rows, n):
    rng = np.random.default_rng(0)
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, n_rows - n_classes)])
    kept = bench_order.stratified_subset(y, n, seed=0)
    assert len(kept) == n and len(np.unique(kept)) == n
    full = np.bincount(y, minlength=n_classes)
    got = np.bincount(y[kept], minlength=n_classes)
    # every class within one row of its proportional share, and none lost
    assert np.all(np.abs(got - full * n / n_rows) < 1) and np.all(got > 0)
    again = bench_order.stratified_subset(y, n, seed=0)
    assert np.array_equal(kept, again)


def test_a_draw_leaving_enough_rows_out_is_scikit_learns_stratified_split():
    from sklearn.model_selection import train_test_split

    y = np.repeat(["a", "b", "c"], [50, 30, 20])
    kept = bench_order.stratified_subset(y, 60, seed=3)
    expected, _ = train_test_split(np.arange(100), train_size=60, stratify=y, random_state=3)
    assert np.array_equal(kept, expected)


def _null_scores(rng, n_pools, n_datasets=20):
    """Per-dataset scores of ``n_pools`` pools that are equal in truth (a global null)."""
    import pandas as pd

    pools = ["avg"] + [f"p{i}" for i in range(n_pools - 1)]
    base = rng.uniform(0.5, 0.9, n_datasets)
    rows = [
        {"dataset": f"d{d}", "order": order, "pool": pool, "mean_score": base[d] + noise}
        for d in range(n_datasets)
        for order in ("pool_first", "decode_first")
        for pool, noise in zip(pools, rng.normal(0, 0.02, n_pools), strict=True)
    ]
    return pd.DataFrame(rows)


def test_the_pool_effect_holds_its_family_wise_error_under_a_global_null():
    # against the best-ranked pool of the data, 7 equal pools gave at least one Holm
    # p < 0.05 in about 12 % of runs; against a reference fixed beforehand, about 5 %
    rng = np.random.default_rng(0)
    reps = 300
    hits = sum(
        bool((bench_order.pool_effect(_null_scores(rng, 7))["p_holm"] < 0.05).any())
        for _ in range(reps)
    )
    # 5 % of 300 is 15 (sd 3.8); 27 is 3 sd above it, and below the selected reference's 36
    assert hits <= 27, hits


def test_the_reference_pool_does_not_depend_on_the_scores():
    scores = _null_scores(np.random.default_rng(1), 4)
    scores.loc[scores["pool"].eq("p2"), "mean_score"] += 0.1  # p2 best on every dataset
    out = bench_order.pool_effect(scores)
    assert set(out["reference"]) == {"avg"}
    assert sorted(out["pool"]) == ["p0", "p1", "p2"]
    p2 = out.set_index("pool").loc["p2"]
    assert p2["pool_higher"] == 20 and p2["mean_difference"] < 0
    chosen = bench_order.pool_effect(scores, reference="p1")
    assert set(chosen["reference"]) == {"p1"} and "avg" in set(chosen["pool"])
    with pytest.raises(ValueError, match=r"one of the pools compared.*got 'lspv'"):
        bench_order.pool_effect(scores, reference="lspv")


def test_a_reference_pool_outside_the_pools_is_refused_before_any_fit(tmp_path, capsys):
    with pytest.raises(SystemExit):
        bench_order.main(["--data-home", str(tmp_path), "--pools", "ppv,mpv"])
    assert "--reference-pool must be one of --pools (ppv, mpv); got 'avg'" in (
        capsys.readouterr().err
    )


def _tiny_home(root, names=("Alpha", "Beta", "Gamma")):
    """Archive folders of tiny two-class ``.tsv`` datasets (10 + 10 series of 16 steps)."""
    rng = np.random.default_rng(0)
    for name in names:
        folder = root / name
        folder.mkdir(parents=True)
        for split in ("TRAIN", "TEST"):
            rows = [
                "\t".join([str(1 + i % 2), *(f"{v:.4f}" for v in rng.normal(i % 2, 1, 16))])
                for i in range(10)
            ]
            (folder / f"{name}_{split}.tsv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture
def fast_compare(monkeypatch):
    """``compare_heads`` at 2 epochs, recording which datasets it fitted."""
    from sklearn.base import clone

    real = bench_order.compare_heads
    fitted = []

    def compare(estimator, X, y, **kwargs):
        fitted.append(len(X))
        return real(clone(estimator).set_params(max_epochs=2), X, y, **kwargs)

    monkeypatch.setattr(bench_order, "compare_heads", compare)
    return fitted


def test_a_resume_with_other_settings_is_refused_before_any_fit(tmp_path, fast_compare, capsys):
    import pickle

    home, out = _tiny_home(tmp_path / "ucr"), tmp_path / "out"
    common = ["--data-home", str(home), "--max-samples", "20", "--pools", "avg"]
    common += ["--n-jobs", "1", "--out", str(out)]
    assert bench_order.main([*common, "--cv", "2", "--datasets", "Alpha", "Beta"]) == 0
    assert len(fast_compare) == 2
    before = (out / "comparisons.pkl").read_bytes()
    stored = pickle.loads(before)
    assert stored["settings"]["cv"] == 2 and stored["settings"]["pools"] == ["avg"]
    assert list(stored["comparisons"]) == ["Alpha", "Beta"]

    other = [*common, "--cv", "3", "--hidden-size", "8", "--datasets", "Alpha", "Gamma"]
    with pytest.raises(ValueError) as info:
        bench_order.main([*other, "--resume"])
    message = str(info.value)
    assert "cv: stored 2, requested 3" in message
    assert "hidden_size: stored None, requested 8" in message
    assert len(fast_compare) == 2  # nothing fitted
    assert (out / "comparisons.pkl").read_bytes() == before  # nor the file touched
    with pytest.raises(ValueError, match=r"pools: stored \['avg'\], requested \['avg', 'max'\]"):
        bench_order.main([*common, "--cv", "2", "--pools", "avg,max", "--resume"])

    # the same settings resume; n_jobs and the margin do not change a comparison
    capsys.readouterr()
    same = [*common, "--cv", "2", "--datasets", "Beta", "Gamma", "--equivalence-margin", "0.02"]
    assert bench_order.main([*same, "--resume"]) == 0
    assert len(fast_compare) == 3  # Gamma alone
    text = capsys.readouterr().out
    # Alpha is stored but not named: left out of the summary, and said so
    assert "left out of the summary: 1 stored datasets not in this run (Alpha)" in text
    assert "resumed 2 datasets" in text and "RESULT datasets=2 " in text
    assert sorted(pickle.loads((out / "comparisons.pkl").read_bytes())["comparisons"]) == [
        "Alpha",
        "Beta",
        "Gamma",
    ]


def test_a_resume_from_a_file_without_settings_is_refused(tmp_path, fast_compare):
    import pickle

    home, out = _tiny_home(tmp_path / "ucr"), tmp_path / "out"
    out.mkdir()
    (out / "comparisons.pkl").write_bytes(pickle.dumps({"Alpha": object()}))
    with pytest.raises(ValueError, match="records no settings"):
        bench_order.main(["--data-home", str(home), "--out", str(out), "--resume"])
    assert fast_compare == []


def test_an_empty_data_home_says_so(tmp_path):
    with pytest.raises(SystemExit, match="No datasets in"):
        bench_order.main(["--data-home", str(tmp_path)])
