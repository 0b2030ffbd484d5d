"""Benchmark: are ``compare_heads`` verdicts right on tasks whose answer is known?

Three arms, each repeated over many seeds (a seed draws the data, the folds and the weights):

* power -- on ``make_nonlinear_steps`` the label is a count of a per-step non-linear feature and
  every channel mean is zero, so with the head on the raw channels (``encoder=None``) and
  average or max pooling ``decode_first`` must win. A seed counts when the Holm-adjusted
  verdict names ``decode_first`` for *every* pool tested (avg and max, one family of two);
  a cell of zero-variance differences (``pool_first`` with avg is at chance on every fold by
  construction, ``decode_first`` often at 1.000) has no test, and counts when its verdict
  says ``decode_first`` scored higher on every split.
  Attention pooling is left out on purpose: its weights are a per-step non-linear function,
  so ``pool_first`` with attention can recover the feature.
* null, equivalent pair -- on ``make_mean_level`` with ``activation=None`` and ``pool="avg"``
  the two orders are the same function, but here each order starts from its *own*, independent
  initialisation (``decode_first`` is seeded with ``random_state + 100003``), so the two arms
  genuinely differ in their weights and only their expected skill is equal. With the
  equivalence margin ``--margin`` (0.02) the verdict should be "equivalent within ±0.020".
  The null tasks have 400 samples (``--null-samples``): test folds of 80 rows make the
  accuracy differences fine-grained enough for a ±0.02 margin to be reachable.
* null, same design -- on ``make_mean_level`` (accuracy well below 1, so the arms can
  disagree) the same configuration (``decode_first``, ReLU, average pooling) fitted twice under
  independent seeds, one arm labelled ``pool_first`` and the other ``decode_first``: a true
  null with all the training noise of a non-linear network.

A null comparison is a false positive when its verdict names a winner: a significant
difference, or a zero-variance cell whose verdict says one order scored higher on every
split -- the verdict the power arm counts as found, so both arms count it alike. Runs::

    python benchmarks/bench_verdicts.py                  # 20 power seeds, 2 x 40 nulls
    python benchmarks/bench_verdicts.py --seeds 3 --null-seeds 3    # a quick look

The last line is ``RESULT verdict_power=<fraction> false_positive_rate=<fraction>
equivalence_rate=<fraction>``; the exit status is 1 unless power >= 0.95, false-positive
rate <= 0.07 (alpha = 0.05 plus binomial slack over 40+ nulls) and equivalence rate >= 0.80.
"""

from __future__ import annotations

import argparse
import time

import torch

from seqpool_sklearn import (
    SeqPoolClassifier,
    compare_heads,
    make_mean_level,
    make_nonlinear_steps,
)

POWER_TARGET = 0.95
FPR_TARGET = 0.07
EQUIVALENCE_TARGET = 0.80
SEED_OFFSET = 100_003


class IndependentInit(SeqPoolClassifier):
    """``decode_first`` is fitted from its own seed, so the two orders never share weights.

    With ``same_design=True`` both arms fit ``decode_first`` and only the seed differs: the
    ``order`` parameter then only labels the arm.
    """

    def __init__(self, same_design=False, **params):
        super().__init__(**params)
        self.same_design = same_design

    @classmethod
    def _get_param_names(cls):
        return sorted({*SeqPoolClassifier._get_param_names(), "same_design"})

    def fit(self, X, y, **fit_params):
        arm = self.order
        saved = self.random_state, self.order
        if arm == "decode_first":
            self.random_state = saved[0] + SEED_OFFSET
        if self.same_design:
            self.order = "decode_first"
        try:
            return super().fit(X, y, **fit_params)
        finally:
            self.random_state, self.order = saved


def head(seed: int, args, cls=SeqPoolClassifier, **params) -> SeqPoolClassifier:
    return cls(
        encoder=None,
        hidden_size=16,
        max_epochs=args.max_epochs,
        lr=0.01,
        random_state=seed,
        **params,
    )


def power_trial(seed: int, args) -> tuple[bool, list[str]]:
    X, y = make_nonlinear_steps(args.n_samples, args.n_timesteps, random_state=seed)
    result = compare_heads(
        head(seed, args),
        X,
        y,
        pools=["avg", "max"],
        cv=args.cv,
        n_jobs=args.n_jobs,
        random_state=seed,
        equivalence_margin=args.margin,
    )
    effect = result.order_effect()
    ok = all(v.startswith("decode_first better") or _untested_win(v) for v in effect["verdict"])
    return ok, [f"{p}: {v}" for p, v in zip(effect["pool"], effect["verdict"], strict=True)]


def _untested_direction(verdict: str) -> str | None:
    """The order a zero-variance verdict says scored higher on every split, else None."""
    if not verdict.startswith("cannot tell apart by this test"):
        return None
    for order in ("decode_first", "pool_first"):
        if f"{order} scored higher on each split" in verdict:
            return order
    return None


def _untested_win(verdict: str) -> bool:
    """decode_first higher on every split by one constant amount: no test is possible.

    With average pooling ``pool_first`` sees the same pooled input for every series and scores
    exactly the majority share on every stratified fold, and ``decode_first`` often scores
    1.000 on each: zero variance, which the verdict reports as "cannot tell apart by this
    test" with the direction. Counted as found (the direction is the known answer and the
    verdict claims no more); the test's power is then measured on the other pools.
    """
    return _untested_direction(verdict) == "decode_first"


def names_a_winner(verdict: str) -> bool:
    """Whether a null comparison's verdict is a false positive: it names a winner.

    A significant difference names one, and so does a zero-variance verdict that says
    either order scored higher on every split: the power arm counts that as found
    (:func:`_untested_win`), so the null arms count it against the test alike.
    """
    return " better " in verdict or _untested_direction(verdict) is not None


def null_trial(seed: int, args, *, same_design: bool) -> tuple[str, float]:
    X, y = make_mean_level(args.null_samples, args.n_timesteps, random_state=seed)
    params = {"activation": "relu"} if same_design else {"activation": None}
    result = compare_heads(
        head(seed, args, IndependentInit, same_design=same_design, **params),
        X,
        y,
        pools=["avg"],
        cv=args.cv,
        n_repeats=args.null_repeats,
        n_jobs=args.n_jobs,
        random_state=seed,
        equivalence_margin=args.margin,
    )
    effect = result.order_effect()
    return effect["verdict"][0], float(effect["p_value"][0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="power seeds (default 20)")
    parser.add_argument(
        "--null-seeds", type=int, default=40, help="seeds of each null arm (default 40)"
    )
    parser.add_argument("--n-samples", type=int, default=200)
    parser.add_argument(
        "--null-samples", type=int, default=400, help="samples of the null tasks (default 400)"
    )
    parser.add_argument("--n-timesteps", type=int, default=64)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--null-repeats", type=int, default=2, help="n_repeats of the nulls")
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--margin", type=float, default=0.02, help="equivalence margin")
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    start = time.perf_counter()
    power = []
    for seed in range(args.seeds):
        ok, lines = power_trial(seed, args)
        power.append(ok)
        print(f"power     seed {seed:2d} {'ok  ' if ok else 'MISS'} " + " | ".join(lines))
    t_power = time.perf_counter() - start
    false_pos, equivalent, p_values = [], [], []
    for seed in range(args.null_seeds):
        for same_design in (False, True):
            verdict, p_value = null_trial(1000 + seed, args, same_design=same_design)
            p_values.append(p_value)
            named = names_a_winner(verdict)
            false_pos.append(named)
            if not same_design:
                equivalent.append(verdict.startswith("equivalent within"))
            arm = "same design" if same_design else "equiv pair "
            print(f"null {arm} seed {seed:2d} {'FP  ' if named else 'ok  '} {verdict}")
    elapsed = time.perf_counter() - start
    frac_power = sum(power) / max(len(power), 1)
    fpr = sum(false_pos) / max(len(false_pos), 1)
    frac_eq = sum(equivalent) / max(len(equivalent), 1)
    print(
        f"{args.seeds} power seeds ({t_power:.0f} s), {len(false_pos)} null comparisons "
        f"({len(equivalent)} equivalent pairs, {len(false_pos) - len(equivalent)} same-design "
        f"pairs; {args.cv}-fold CV x {args.null_repeats}); {args.n_samples} samples (nulls "
        f"{args.null_samples}) x {args.n_timesteps} steps, {args.max_epochs} epochs, margin "
        f"±{args.margin}: "
        f"{elapsed:.0f} s"
    )
    if p_values:
        p_sorted = sorted(p_values)
        print(
            f"null p-values: min {p_sorted[0]:.3f}, median {p_sorted[len(p_sorted) // 2]:.3f}, "
            f"below 0.05: {sum(p < 0.05 for p in p_values)}/{len(p_values)}, "
            f"below 0.20: {sum(p < 0.2 for p in p_values)}/{len(p_values)} "
            "(uniform under an exact test: 5 % and 20 %)"
        )
    print(
        f"RESULT verdict_power={frac_power:.2f} false_positive_rate={fpr:.3f} "
        f"equivalence_rate={frac_eq:.2f}"
    )
    ok = frac_power >= POWER_TARGET and fpr <= FPR_TARGET and frac_eq >= EQUIVALENCE_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
