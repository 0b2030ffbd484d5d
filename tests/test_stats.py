"""Tests of the statistics in ``_stats``: Holm's adjustment, the equivalence test (TOST) and
the plain-words verdicts, each against a hand computation or scipy."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from scipy import stats

from seqpool_sklearn._stats import (
    corrected_ttest,
    effect_verdict,
    equivalence_test,
    holm,
    nemenyi_critical_difference,
    order_verdict,
    wilcoxon_equivalence_test,
    wilcoxon_test,
)


# --------------------------------------------------------------------------- Holm
def test_holm_matches_hand_computation():
    # Sorted: 0.01 (x3) = 0.03, 0.03 (x2) = 0.06, 0.04 (x1) = 0.04 -> monotone: 0.06.
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    # The case: one cell of four at p = 0.018 is not significant after Holm.
    adjusted = holm([0.018, 0.3, 0.5, 0.6])
    assert adjusted.tolist() == pytest.approx([0.072, 0.9, 1.0, 1.0])
    assert adjusted[0] > 0.05
    # Capped at 1, one test unchanged, ties keep their order.
    assert holm([0.7, 0.8]).tolist() == [1.0, 1.0]
    assert holm([0.02]).tolist() == [0.02]
    assert holm([0.01, 0.01]).tolist() == pytest.approx([0.02, 0.02])


def test_holm_is_bonferroni_step_down():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 0.2, size=6)
        adjusted = holm(p)
        # Reference: step-down loop written out.
        order = np.argsort(p)
        ref = np.empty(6)
        running = 0.0
        for i, idx in enumerate(order):
            running = max(running, min(1.0, (6 - i) * p[idx]))
            ref[idx] = running
        np.testing.assert_allclose(adjusted, ref)
        # Never below the raw p-value nor above Bonferroni.
        assert (adjusted >= p).all() and (adjusted <= np.minimum(1, 6 * p) + 1e-15).all()


def test_holm_keeps_nan_out_of_the_family():
    adjusted = holm([0.01, np.nan, 0.04])
    assert math.isnan(adjusted[1])
    assert adjusted[[0, 2]].tolist() == pytest.approx([0.02, 0.04])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.5, 1.5])


# --------------------------------------------------------------------------- TOST
def test_equivalence_test_matches_scipy_one_sided_tests():
    d = np.array([0.004, -0.006, 0.001, 0.009, -0.002, 0.003])
    margin = 0.02
    # test_train_ratio=0 is the plain paired t-test, so the two one-sided tests are scipy's.
    res = equivalence_test(d, 0.0, margin)
    lower = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    upper = stats.ttest_1samp(d, margin, alternative="less").pvalue
    assert res["p_lower"] == pytest.approx(lower)
    assert res["p_upper"] == pytest.approx(upper)
    assert res["p_value"] == pytest.approx(max(lower, upper))
    assert res["df"] == 5


def test_equivalence_test_matches_hand_computation_with_the_correction():
    d = [0.002, -0.004, 0.001, 0.003, -0.001]
    # mean 0.0002; deviations 1.8, -4.2, 0.8, 2.8, -1.2 (x1e-3) -> sum of squares 30.8e-6,
    # s2 = 7.7e-6; se = sqrt((1/5 + 1/4) * s2).
    mean, se = 0.0002, math.sqrt(0.45 * 7.7e-6)
    res = equivalence_test(d, 0.25, margin=0.01)
    assert res["t_lower"] == pytest.approx((mean + 0.01) / se)
    assert res["t_upper"] == pytest.approx((mean - 0.01) / se)
    p = max(stats.t.sf((mean + 0.01) / se, 4), stats.t.cdf((mean - 0.01) / se, 4))
    assert res["p_value"] == pytest.approx(p)
    # TOST at alpha <=> the (1 - 2 alpha) corrected interval lies inside the margin.
    for margin in (0.002, 0.004, 0.006, 0.01):
        ci = corrected_ttest(d, 0.25, confidence=0.9)
        inside = -margin < ci["ci_low"] and ci["ci_high"] < margin
        assert (equivalence_test(d, 0.25, margin)["p_value"] < 0.05) == inside


def test_equivalence_test_with_zero_spread_and_bad_margin():
    assert equivalence_test([0.0, 0.0, 0.0], 0.25, 0.01)["p_value"] == 0.0
    assert equivalence_test([0.005, 0.005], 0.25, 0.01)["p_value"] == 0.0
    assert equivalence_test([0.02, 0.02], 0.25, 0.01)["p_value"] == 1.0
    for margin in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="margin must be a finite number > 0"):
            equivalence_test([0.1, 0.2], 0.25, margin)


# --------------------------------------------------------------------------- verdicts
BASE = {"mean": 0.004, "ci_low": -0.006, "ci_high": 0.014}


def test_the_four_verdicts_with_a_margin():
    better = {**BASE, "mean": 0.03, "ci_low": 0.02, "ci_high": 0.04, "p_value": 0.001,
              "p_equivalence": 0.9}  # fmt: skip
    assert order_verdict(better, margin=0.01).startswith("decode_first better by 0.030")
    worse = {**better, "mean": -0.03, "ci_low": -0.04, "ci_high": -0.02}
    assert order_verdict(worse, margin=0.01).startswith("pool_first better by 0.030")
    same = {**BASE, "p_value": 0.4, "se": 0.0036, "df": 4, "p_equivalence": 0.01}
    assert order_verdict(same, margin=0.02) == (
        "equivalent within ±0.020 (decode_first - pool_first = 0.004, "
        "90% CI -0.004..0.012, inside the margin, TOST p=0.010)"
    )
    unsure = {**BASE, "p_value": 0.4, "p_equivalence": 0.2}
    assert order_verdict(unsure, margin=0.02).startswith(
        "inconclusive: neither a difference nor equivalence within ±0.020"
    )
    # A tiny but precise difference: significant, and said to be inside the margin.
    tiny = {**BASE, "p_value": 0.001, "p_equivalence": 0.001}
    assert order_verdict(tiny, margin=0.02).startswith("decode_first better by 0.004")
    assert "smaller than the ±0.020 margin" in order_verdict(tiny, margin=0.02)
    with pytest.raises(ValueError, match="p_equivalence"):
        order_verdict({**BASE, "p_value": 0.4}, margin=0.02)


def test_an_equivalence_verdict_shows_the_interval_its_tost_decides_by():
    # the 95% interval of the difference reaches past the margin on both sides, the 90% one
    # (which the TOST at alpha 0.05 is) does not: the verdict must show the 90% one, labelled
    d = [0.01, -0.02, 0.015, -0.005, 0.0, 0.012, -0.01, 0.004]
    margin = 0.016
    res = corrected_ttest(d, 0.25, confidence=0.95)
    assert res["ci_low"] < -margin and res["ci_high"] > margin
    res["p_equivalence"] = equivalence_test(d, 0.25, margin)["p_value"]
    verdict = order_verdict(res, margin=margin)
    assert verdict.startswith("equivalent within ±0.016")
    low, high = map(float, re.search(r"90% CI (\S+)\.\.([^,]+), inside", verdict).groups())
    assert -margin < low < high < margin
    assert "95% CI" not in verdict


def test_verdicts_use_the_adjusted_p_value_and_show_both():
    res = {**BASE, "mean": 0.03, "ci_low": 0.01, "ci_high": 0.05, "p_value": 0.018}
    assert order_verdict(res).startswith("decode_first better")
    adjusted = {**res, "p_adjusted": 0.072}
    text = order_verdict(adjusted)
    assert text.startswith("no significant difference")
    assert "Holm p=0.072, raw p=0.018" in text
    # The equivalence p-value is adjusted too when the family has several tests.
    eq = {**BASE, "p_value": 0.4, "p_adjusted": 0.8, "p_equivalence": 0.03,
          "p_equivalence_adjusted": 0.06}  # fmt: skip
    text = order_verdict(eq, margin=0.02)
    assert text.startswith("inconclusive") and "TOST Holm p=0.060, raw p=0.030" in text


def test_effect_verdict_names_both_levels():
    res = {**BASE, "mean": -0.04, "ci_low": -0.07, "ci_high": -0.01, "p_value": 0.01}
    assert effect_verdict(res, level="max", reference="avg").startswith(
        "avg better than max by 0.040"
    )
    res = {**BASE, "p_value": 0.5}
    assert effect_verdict(res, level="window 4", reference="window global").startswith(
        "no significant difference (window 4 - window global = 0.004"
    )


# --------------------------------------------------------------------------- across datasets
def test_wilcoxon_test_matches_scipy_and_the_exact_count():
    d = [0.1, 0.2, 0.3, -0.05, 0.15]
    res = wilcoxon_test(d)
    assert res == {
        "statistic": 1.0,
        "p_value": pytest.approx(2 * 2 / 32),
        "n": 5,
        "r_plus": 14.0,  # ranks 2 + 3 + 4 + 5 of |d|
        "r_minus": 1.0,
    }
    d = [0.02, -0.01, 0.0, 0.05, 0.03, -0.04, 0.06]
    ref = stats.wilcoxon(d, zero_method="wilcox")
    res = wilcoxon_test(d)
    assert res["p_value"] == pytest.approx(ref.pvalue) and res["n"] == 6
    assert wilcoxon_test([0.0, 0.0, 0.0])["p_value"] == 1.0
    # Ties among |d| share the average rank: |d| = 0.01, 0.02, 0.02 -> ranks 1, 2.5, 2.5.
    res = wilcoxon_test([0.01, -0.02, 0.02])
    assert (res["r_plus"], res["r_minus"]) == (3.5, 2.5)
    with pytest.raises(ValueError, match="NaN"):
        wilcoxon_test([0.1, np.nan])


def test_nemenyi_critical_difference_matches_demsar_table():
    # Demšar (2006), Table 5(a): q_0.05 = 1.960, 2.343, 2.569, 2.728, 3.031 for k = 2..5, 8.
    for k, q in [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (8, 3.031)]:
        expected = q * math.sqrt(k * (k + 1) / (6 * 20))
        assert nemenyi_critical_difference(k, 20) == pytest.approx(expected, abs=2e-3)
    with pytest.raises(ValueError, match=">= 2 designs"):
        nemenyi_critical_difference(1, 5)


# --------------------------------------------------------------------------- degenerate / sign
def test_zero_variance_is_never_called_equivalent():
    # Three designs at 1.000 +/- 0.000: every paired difference is 0, and TOST alone would
    # give p < 0.001 -- a ceiling, not evidence.
    res = corrected_ttest([0.0] * 5, 0.25)
    res["p_equivalence"] = equivalence_test([0.0] * 5, 0.25, 0.05)["p_value"]
    assert res["p_equivalence"] < 0.05
    for margin in (None, 0.05):
        verdict = order_verdict(res, margin=margin)
        assert verdict.startswith("cannot tell apart: both orders scored identically")
        assert "equivalent within" not in verdict and "no evidence of equivalence" in verdict
    res["bound"] = 1.0
    verdict = effect_verdict(res, level="max", reference="avg", margin=0.05)
    assert verdict.startswith("cannot tell apart: max and avg scored 1.000, the metric's bound")


def test_a_constant_non_zero_difference_has_no_interval_or_p_value():
    res = corrected_ttest([0.5] * 5, 0.25)
    res["p_equivalence"] = 1.0
    verdict = order_verdict(res, margin=0.05)
    assert verdict == (
        "cannot tell apart by this test: decode_first - pool_first = 0.500 on every split "
        "(zero variance, so no confidence interval or p-value); decode_first scored higher on "
        "each split, by the same amount"
    )
    # Rounding is no spread: 0.9 - 0.4 and 0.8 - 0.3 differ in the last bit only.
    rounded = corrected_ttest([0.9 - 0.4, 0.8 - 0.3, 0.7 - 0.2], 0.25)
    assert rounded["se"] == 0.0 and rounded["ci_low"] == rounded["ci_high"]


def test_the_numbers_of_a_verdict_are_of_the_difference_it_names():
    # "avg better than max" with the interval of max - avg: the sentence says so.
    res = {"mean": -0.153, "ci_low": -0.240, "ci_high": -0.066, "p_value": 0.003}
    verdict = effect_verdict(res, level="max", reference="avg")
    assert verdict == (
        "avg better than max by 0.153 (max - avg = -0.153, 95% CI -0.240..-0.066, p=0.003)"
    )
    res = {"mean": -0.2, "ci_low": -0.3, "ci_high": -0.1, "p_value": 0.001, "p_equivalence": 1}
    assert "(decode_first - pool_first = -0.200, 95% CI -0.300..-0.100" in order_verdict(
        res, margin=0.05
    )


def test_signed_rank_equivalence_ignores_rounding_at_the_margin():
    # 0.56 - 0.57 is -0.009999999999999898: shifted by the margin it is 1e-16, not a
    # positive difference; exactly at the margin, nothing is shown equivalent
    rounded = wilcoxon_equivalence_test([0.56 - 0.57] * 8, 0.01)
    exact = wilcoxon_equivalence_test([-0.01] * 8, 0.01)
    assert rounded == exact
    assert rounded["p_lower"] == 1.0 and rounded["p_value"] == 1.0


def test_signed_rank_ties_survive_rounding():
    # 0.9 - 0.4 and 0.8 - 0.3 differ in the last bit; ranked, they are one tie
    noisy = wilcoxon_test([0.9 - 0.4, 0.8 - 0.3, 0.5, -0.2, 0.1])
    clean = wilcoxon_test([0.5, 0.5, 0.5, -0.2, 0.1])
    assert noisy == clean


def test_zero_spread_is_relative_to_the_scores_scale():
    d = np.array([1e-13, 3e-13, -2e-13, 5e-13])
    # by default (scores of order one) a spread of 1e-13 is rounding: no test
    assert corrected_ttest(d, 1 / 3)["se"] == 0.0
    # for scores of order 1e-6 it is a spread: the corrected t-test, by hand
    res = corrected_ttest(d, 1 / 3, scale=1e-6)
    k = len(d)
    se = math.sqrt((1 / k + 1 / 3) * d.var(ddof=1))
    assert res["se"] == pytest.approx(se)
    assert res["p_value"] == pytest.approx(2 * stats.t.sf(abs(d.mean()) / se, k - 1))
    eq = equivalence_test(d, 1 / 3, margin=1e-12, scale=1e-6)
    lower = stats.t.sf((d.mean() + 1e-12) / se, k - 1)
    upper = stats.t.cdf((d.mean() - 1e-12) / se, k - 1)
    assert eq["p_value"] == pytest.approx(max(lower, upper))
    with pytest.raises(ValueError, match="scale must be a finite number >= 0"):
        corrected_ttest(d, 1 / 3, scale=float("nan"))


# --------------------------------------------------------------------------- exact signed ranks
def _brute_signed_rank(d, alternative="two-sided", zero_sign=0):
    """The signed-rank p-value by enumerating all 2^n sign patterns of the ranked values:
    zeros dropped (``zero_sign=0``) or ranked with magnitude 0 and that sign."""
    d = np.asarray(d, dtype=float)
    signs = np.where(d == 0, zero_sign, np.sign(d))
    magnitudes = np.abs(d)[signs != 0]
    signs = signs[signs != 0]
    if not signs.size:
        return 1.0
    ranks = stats.rankdata(magnitudes)  # tied magnitudes share the average rank
    observed = ranks[signs > 0].sum()
    patterns = np.array(list(itertools.product([0, 1], repeat=signs.size)))
    r_plus = patterns @ ranks
    greater = np.mean(r_plus >= observed - 1e-9)
    less = np.mean(r_plus <= observed + 1e-9)
    return {"two-sided": min(1.0, 2 * min(greater, less)), "greater": greater, "less": less}[
        alternative
    ]


def test_signed_rank_p_value_is_exact_with_ties_and_zeros():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 13))
        # differences on a coarse grid: many tied magnitudes and zeros
        d = rng.integers(-4, 5, size=n + int(rng.integers(0, 6))) / 100
        res = wilcoxon_test(d)
        nonzero = d[d != 0]
        assert res["n"] == nonzero.size
        assert res["p_value"] == pytest.approx(_brute_signed_rank(d), abs=1e-12)
        ranks = stats.rankdata(np.abs(nonzero)) if nonzero.size else np.array([])
        assert res["r_plus"] == pytest.approx(ranks[nonzero > 0].sum())
        assert res["r_minus"] == pytest.approx(ranks[nonzero < 0].sum())


def test_tied_datasets_do_not_turn_the_exact_test_into_an_approximation():
    # five wins and nine ties: 2 / 2^5 is the smallest p-value five differences can give
    assert wilcoxon_test([0.01, 0.02, 0.03, 0.04, 0.05] + [0.0] * 9)["p_value"] == 0.0625
    assert wilcoxon_test([0.02] * 4 + [0.0] * 10)["p_value"] == 0.125
    assert wilcoxon_test([0.01, 0.02, 0.03, 0.04, 0.05, 0.06] + [0.0] * 10)["p_value"] == 0.03125
    assert wilcoxon_test([0.02] * 5 + [0.0])["p_value"] == 0.0625


def test_signed_rank_p_value_does_not_depend_on_scipys_wilcoxon(monkeypatch):
    expected = wilcoxon_test([0.02, 0.02, -0.01, 0.0, 0.03])
    expected_eq = wilcoxon_equivalence_test([0.002, -0.001, 0.0, 0.002], 0.01)

    def refuse(*args, **kwargs):
        raise AssertionError("scipy.stats.wilcoxon is not used")

    monkeypatch.setattr(stats, "wilcoxon", refuse)
    assert wilcoxon_test([0.02, 0.02, -0.01, 0.0, 0.03]) == expected
    assert wilcoxon_equivalence_test([0.002, -0.001, 0.0, 0.002], 0.01) == expected_eq


def test_many_datasets_use_the_normal_approximation_with_tied_ranks():
    rng = np.random.default_rng(1)
    d = np.r_[rng.integers(-3, 6, size=60) / 100, np.zeros(5)]  # ties and zeros
    nonzero = d[d != 0]
    n = nonzero.size
    assert n > 50
    ranks = stats.rankdata(np.abs(nonzero))
    r_plus = ranks[nonzero > 0].sum()
    _, t = np.unique(np.abs(nonzero), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - (t**3 - t).sum() / 48
    z = (r_plus - n * (n + 1) / 4) / math.sqrt(var)
    assert wilcoxon_test(d)["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    # exact up to 50 ranked differences
    d50 = np.r_[nonzero[:50], np.zeros(3)]
    assert wilcoxon_test(d50)["p_value"] == pytest.approx(_exact_by_counting(d50[d50 != 0]))


def _exact_by_counting(d):
    """The exact two-sided signed-rank p-value by a plain dictionary of rank-sum counts (a
    check for n too large to enumerate)."""
    ranks = stats.rankdata(np.abs(d))
    counts = {0.0: 1}
    for r in ranks:
        nxt = dict(counts)
        for s, c in counts.items():
            nxt[s + r] = nxt.get(s + r, 0) + c
        counts = nxt
    observed = ranks[d > 0].sum()
    total = 2 ** len(d)
    greater = sum(c for s, c in counts.items() if s >= observed - 1e-9) / total
    less = sum(c for s, c in counts.items() if s <= observed + 1e-9) / total
    return min(1.0, 2 * min(greater, less))


def test_signed_rank_equivalence_sides_are_exact_with_ties():
    rng = np.random.default_rng(2)
    for _ in range(100):
        n = int(rng.integers(1, 12))
        d = rng.integers(-4, 5, size=n) / 1000  # ties and zeros, none at the margin
        res = wilcoxon_equivalence_test(d, 0.005)
        lower = _brute_signed_rank(d + 0.005, "greater")
        upper = _brute_signed_rank(d - 0.005, "less")
        assert res["p_lower"] == pytest.approx(lower, abs=1e-12)
        assert res["p_upper"] == pytest.approx(upper, abs=1e-12)
        assert res["p_value"] == max(res["p_lower"], res["p_upper"])


def test_a_mean_difference_of_rounding_noise_is_zero():
    b = np.array([0.71, 0.65, 0.83, 0.58, 0.77])
    # the same scores computed in another order: a constant difference in the last bit
    res = corrected_ttest(b * (1 + 2e-16) - b, 0.25)
    assert res["mean"] == 0.0 and res["se"] == 0.0
    assert order_verdict(res).startswith("cannot tell apart: both orders scored identically")
    # with a real spread, a mean of 1e-17 is still 0: t = 0, p = 1
    d = np.array([0.05, -0.05, 0.05, -0.05, 0.0]) + 1e-17
    res = corrected_ttest(d, 0.25)
    assert res["mean"] == 0.0 and res["t"] == 0.0 and res["p_value"] == 1.0
    # relative to the scores' magnitude: for scores of order 1e-6 a mean of 1e-13 is real
    assert corrected_ttest(d * 1e-11 + 1e-13, 0.25, scale=1e-6)["mean"] > 0


def test_each_difference_is_rounded_on_the_grid_of_its_own_scores():
    # one dataset of MSE 3e10 with d = -2e10, twelve of MSE 1 with d = 0.001 .. 0.012: on
    # the large dataset's grid the small differences would round to 0 or 0.0156
    d = np.r_[-2e10, 0.001 * np.arange(1, 13)]
    scale = np.r_[5.2e10, np.full(12, 1.1)]
    res = wilcoxon_test(d, scale=scale)
    assert (res["n"], res["r_plus"], res["r_minus"]) == (13, 78.0, 13.0)
    assert res["p_value"] == pytest.approx(_brute_signed_rank(d), abs=1e-12)
    # a difference within 1e-12 of its own scale is a tie, whatever the others' scale
    res = wilcoxon_test([1e-13, 0.5, 0.2], scale=[1.0, 1.0, 1.0])
    assert res["n"] == 2
    with pytest.raises(ValueError, match="one per difference"):
        wilcoxon_test([0.1, 0.2], scale=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="finite numbers >= 0"):
        wilcoxon_equivalence_test([0.1, 0.2], 0.1, scale=[1.0, np.nan])


def test_a_difference_at_the_margin_counts_against_equivalence():
    # ten datasets exactly at the margin and four at 0: dropping the ten would leave the
    # four zeros (shifted to -0.01) to decide "below the margin", p = 1 / 2^4
    d = [0.0] * 4 + [0.01] * 10
    res = wilcoxon_equivalence_test(d, 0.01)
    # reference: the ten shifted zeros ranked smallest, with the sign against "below m"
    assert res["p_upper"] == pytest.approx(
        _brute_signed_rank(np.asarray(d) - 0.01, "less", zero_sign=1), abs=1e-12
    )
    assert res["p_upper"] > 0.5 and res["p_value"] == res["p_upper"]
    # and mirrored, at -margin
    mirrored = wilcoxon_equivalence_test([-x for x in d], 0.01)
    assert mirrored["p_lower"] == pytest.approx(res["p_upper"])
    assert mirrored["p_lower"] == pytest.approx(
        _brute_signed_rank(-np.asarray(d) + 0.01, "greater", zero_sign=-1), abs=1e-12
    )
    # the rounding of 0.56 - 0.57 (-0.009999999999999898) is at the margin too
    rounded = wilcoxon_equivalence_test([0.56 - 0.57] * 3 + [0.0] * 5, 0.01)
    exact = wilcoxon_equivalence_test([-0.01] * 3 + [0.0] * 5, 0.01)
    assert rounded == exact
    assert exact["p_lower"] == pytest.approx(
        _brute_signed_rank(np.array([0.0] * 3 + [0.01] * 5), "greater", zero_sign=-1)
    )


def test_an_equivalence_verdict_needs_alpha_below_one_half():
    res = {"mean": 0.0, "ci_low": -0.002, "ci_high": 0.002, "p_value": 0.9, "se": 0.001,
           "df": 4, "p_equivalence": 0.01}  # fmt: skip
    for alpha in (0.5, 0.6, 0.999):
        with pytest.raises(ValueError, match=r"needs alpha < 0.5; got alpha=0\.[0-9]+"):
            order_verdict(res, alpha=alpha, margin=0.02)
    # without a margin there is no 1 - 2 alpha interval: any alpha in (0, 1)
    assert "40% CI" in order_verdict(res, alpha=0.6)
    # the level has the digits it needs: never "100%" for alpha = 1e-9
    verdict = order_verdict({**res, "p_equivalence": 0.5}, alpha=1e-9, margin=0.02)
    assert "99.9999999% CI" in verdict
    verdict = order_verdict({**res, "p_equivalence": 1e-10}, alpha=1e-9, margin=0.02)
    assert "99.9999998% CI" in verdict
    assert "95% CI" in order_verdict(res, alpha=0.05)


def test_p_values_near_alpha_print_the_digits_that_tell_their_side():
    from seqpool_sklearn._stats import format_p, format_p_adjusted, order_verdict

    assert format_p(0.04996, alpha=0.05) == "p=0.04996"
    assert format_p(0.05004, alpha=0.05) == "p=0.05004"
    assert format_p(0.05, alpha=0.05) == "p=0.050"
    assert format_p(0.0412, alpha=0.05) == "p=0.041"
    assert format_p(0.04996) == "p=0.050"  # without a level: three decimals
    assert format_p_adjusted({"p_value": 0.03125, "p_adjusted": 0.0499999}, 0.05) == (
        "Holm p=0.0499999, raw p=0.031"
    )
    significant = order_verdict(
        {"mean": 0.03, "ci_low": 0.0001, "ci_high": 0.06, "p_value": 0.04996}
    )
    assert significant.startswith("decode_first better") and "p=0.04996" in significant
    not_significant = order_verdict(
        {"mean": 0.03, "ci_low": -0.0001, "ci_high": 0.06, "p_value": 0.05004}
    )
    assert not_significant.startswith("no significant") and "p=0.05004" in not_significant


def test_p_values_below_0001_at_a_smaller_alpha_are_not_shortened():
    from seqpool_sklearn._stats import format_p, order_verdict

    assert format_p(0.0005, alpha=1e-4) == "p=0.0005"
    assert format_p(0.000100004, alpha=1e-4) == "p=0.000100004"
    assert format_p(0.0000999, alpha=1e-4) == "p=9.99e-05"
    assert format_p(0.0005) == "p<0.001" and format_p(0.0005, alpha=0.05) == "p<0.001"
    verdict = order_verdict(
        {"mean": 0.03, "ci_low": -1e-4, "ci_high": 0.06, "p_value": 5e-4}, alpha=1e-4
    )
    assert verdict.startswith("no significant difference") and "p<0.001" not in verdict
