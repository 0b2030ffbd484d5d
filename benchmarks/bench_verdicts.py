"""Benchmark: does ``compare_heads`` reach the right verdict on tasks whose answer is known?

Two checks, each repeated over many seeds (a seed draws the data, the folds and the weights):

* power -- on ``make_nonlinear_steps`` the label is a count of a per-step non-linear feature and
  every channel mean is zero, so with the head on the raw channels (``encoder=None``) and
  average or max pooling ``decode_first`` must win. A seed counts when the order-effect verdict
  names ``decode_first`` (significant at 5 %) for *every* pool tested (avg and max). Attention
  pooling is left out on purpose: its weights are a per-step non-linear function, so
  ``pool_first`` with attention can recover the feature.
* calibration -- on ``make_mean_level`` with ``activation=None`` and ``pool="avg"`` the two
  orders are the same function; a seed counts when the test finds no significant difference
  (``p > 0.05``). Both orders share the estimator's ``random_state``, so they start from the
  same weights; differences then only come from floating-point rounding, and the test must not
  mistake that for an effect.

Run::

    python benchmarks/bench_verdicts.py              # 20 seeds, a few minutes on 2 cores
    python benchmarks/bench_verdicts.py --seeds 3    # a quick look

The last line is ``RESULT verdict_power=<fraction> verdict_calibration=<fraction>``; the exit
status is 1 when either fraction is below 0.95.
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

TARGET = 0.95


def head(seed: int, args, **params) -> SeqPoolClassifier:
    return SeqPoolClassifier(
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
    )
    effect = result.order_effect()
    ok = bool(((effect["p_value"] < 0.05) & (effect["mean_diff"] > 0)).all())
    return ok, [f"{p}: {v}" for p, v in zip(effect["pool"], effect["verdict"], strict=True)]


def calibration_trial(seed: int, args) -> tuple[bool, list[str]]:
    X, y = make_mean_level(args.n_samples, args.n_timesteps, random_state=seed)
    result = compare_heads(
        head(seed, args, activation=None),
        X,
        y,
        pools=["avg"],
        cv=args.cv,
        n_jobs=args.n_jobs,
        random_state=seed,
    )
    effect = result.order_effect()
    return bool((effect["p_value"] > 0.05).all()), [f"avg: {effect['verdict'][0]}"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    parser.add_argument("--n-samples", type=int, default=200)
    parser.add_argument("--n-timesteps", type=int, default=64)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    start = time.perf_counter()
    power, calibration = [], []
    for seed in range(args.seeds):
        ok_power, lines_power = power_trial(seed, args)
        ok_cal, lines_cal = calibration_trial(seed, args)
        power.append(ok_power)
        calibration.append(ok_cal)
        print(f"seed {seed:2d}  power {'ok ' if ok_power else 'MISS'}  " + " | ".join(lines_power))
        print(f"         calibration {'ok ' if ok_cal else 'MISS'}  " + " | ".join(lines_cal))
    elapsed = time.perf_counter() - start
    frac_power = sum(power) / len(power)
    frac_cal = sum(calibration) / len(calibration)
    print(
        f"{args.seeds} seeds, {args.n_samples} samples x {args.n_timesteps} steps, "
        f"{args.cv}-fold CV, {args.max_epochs} epochs: {elapsed:.0f} s"
    )
    print(f"RESULT verdict_power={frac_power:.2f} verdict_calibration={frac_cal:.2f}")
    return 0 if frac_power >= TARGET and frac_cal >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
