"""Benchmark: memory growth over 50 consecutive fits in one process.

A grid search, ``compare_heads`` or a notebook fits many estimators one after the
other in the same process. Anything a fit leaves behind -- nets kept alive by
references, histories, callbacks, caches keyed by shape, tensors held by the
autograd graph -- adds up there. This script fits ``--fits`` fresh estimators
in a row, cycling through the head grid (order x pool x window) and the encoders
``"conv"``, ``"gru"`` and None (the raw channels; the default ``"minirocket"`` and the
other random-convolution encoders are not among them), predicts with each, and drops it,
as a hand-written grid loop does.

The process's resident set size (RSS) is read after a few warm-up fits (the
first fits allocate torch's thread pools, kernels and allocator caches once) and
again after the measured fits, both after ``gc.collect()``. Live torch tensors
are counted the same way, which points at the culprit when RSS grows.

Run::

    python benchmarks/bench_memory.py             # 50 fits, about a minute on 2 cores
    python benchmarks/bench_memory.py --fits 200  # a longer look

The last line is ``RESULT rss_growth_mb=<MB>``; the exit status is 1 when the
growth is not below the target (20 MB).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import time
import warnings

import numpy as np
import torch

from seqpool_sklearn import SeqPoolClassifier

TARGET_MB = 20.0


def rss_mb() -> float:
    """Resident set size of this process in MB (psutil, else /proc on Linux)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dask's extra
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    return psutil.Process().memory_info().rss / 2**20


def live_tensors() -> int:
    gc.collect()
    count = 0
    with warnings.catch_warnings():  # isinstance() on deprecated torch aliases warns
        warnings.simplefilter("ignore")
        for obj in gc.get_objects():
            try:
                count += isinstance(obj, torch.Tensor)
            except ReferenceError:  # weak proxies to collected objects
                pass
    return count


def configs():
    heads = itertools.product(
        ("pool_first", "decode_first"), ("avg", "max", "lp", "attention"), (None, 8)
    )
    encoders = itertools.cycle(("conv", "gru", None))
    for (order, pool, window), encoder in zip(itertools.cycle(heads), encoders):
        yield {"order": order, "pool": pool, "window": window, "encoder": encoder}


def one_fit(params: dict, X: np.ndarray, y: np.ndarray, args) -> float:
    clf = SeqPoolClassifier(
        encoder_channels=args.width,
        hidden_size=args.width,
        max_epochs=args.epochs,
        batch_size=32,
        random_state=0,
        **params,
    ).fit(X, y)
    return float(clf.predict_proba(X).sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fits", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--n-samples", type=int, default=128)
    parser.add_argument("--n-channels", type=int, default=3)
    parser.add_argument("--n-timesteps", type=int, default=64)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_samples, args.n_channels, args.n_timesteps)).astype(np.float32)
    X[: args.n_samples // 4, :, args.n_timesteps // 2 :] = np.nan  # unequal lengths
    y = (np.nanmean(X[:, 0], axis=1) > 0).astype(int)

    grid = configs()
    for _ in range(args.warmup):
        one_fit(next(grid), X, y, args)
    gc.collect()
    tensors_before = live_tensors()
    rss_before = rss_mb()
    start = time.perf_counter()
    for i in range(1, args.fits + 1):
        one_fit(next(grid), X, y, args)
        if i % 10 == 0 or i == args.fits:
            gc.collect()
            now = rss_mb()
            print(f"after {i:3d} fits: RSS {now:7.1f} MB ({now - rss_before:+6.1f} MB)")
    elapsed = time.perf_counter() - start
    gc.collect()
    growth = rss_mb() - rss_before
    tensor_growth = live_tensors() - tensors_before
    print(
        f"{args.fits} fits of {args.n_samples} x {args.n_channels} x {args.n_timesteps}, "
        f"{args.epochs} epochs, width {args.width}: {elapsed:.0f} s; RSS {rss_before:.1f} MB "
        f"before, live torch tensors {tensor_growth:+d}"
    )
    print(f"RESULT rss_growth_mb={growth:.1f}")
    return 0 if growth < TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
