"""Benchmark: the default encoder's speed against its anchors, side by side, one thread.

Two figures, each the median of per-repeat ratios, the two sides timed back to back in
one process and alternating which goes first (the machine's load changes while it runs):

* ``encoder_vs_minirocket_transform``: seconds per series of the random-convolution
  encoder's pooled path (what fit's set-up pass, ``predict`` and ``compare_heads`` run:
  ``RandomConvEncoder.pooled``, float64 as ``predict`` computes) over aeon's
  ``MiniRocket().transform`` (both fitted beforehand) on the same ``--n`` random series
  of ``--length`` steps; the target is at most 3.
* ``multirocket_pools_vs_multirocket_transform``: seconds per series of MultiRocket's
  four pools (``pool=("ppv", "mpv", "mipv", "lspv")``) behind ``encoder="multirocket"``
  (9912 maps, series and first difference: 39648 features; ``pool_blocks``, float64)
  over aeon's ``MultiRocket(n_kernels=4956).transform`` (the same 39648 features), on
  the same series, fitted beforehand.
* ``decode_first_over_pool_first``: ``SeqPoolClassifier(order="decode_first").fit``
  over ``order="pool_first"`` fit time at the default width (9996 maps) and the default
  head, on the TRAIN split of each classification dataset of the development suite (the
  data home's; ``--datasets`` narrows it), ``--fit-repeats`` pairs each; the median over
  the datasets (target at most 5). Needs the archive (``SEQPOOL_DATA_HOME``).

Run::

    python benchmarks/bench_encoder.py                  # about 60 minutes on one core
    python benchmarks/bench_encoder.py --epochs 10 --repeats 3 --datasets GunPoint
    python benchmarks/bench_encoder.py --no-fits        # the two encoder figures only

The data home is ``--data-home``, else ``$SEQPOOL_DATA_HOME``, else ``../shared/ucr`` next
to the repository, as in ``bench_archive.py``.

One thread on both sides: torch's (``torch.set_num_threads(1)``, ``n_threads=1``), numba's
(``NUMBA_NUM_THREADS=1``, ``n_jobs=1``) and, through ``threadpoolctl.threadpool_limits(1)``
around everything timed, every BLAS and OpenMP pool.

The last line is ``RESULT encoder_vs_minirocket_transform=<ratio>
multirocket_pools_vs_multirocket_transform=<ratio> decode_first_over_pool_first=<median
ratio>`` (the last field left out with ``--no-fits``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # aeon's MiniRocket on one thread too

import numpy as np  # noqa: E402
import torch  # noqa: E402
from bench_archive import default_data_home  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from seqpool_sklearn import SeqPoolClassifier, fetch_ucr, list_ucr  # noqa: E402
from seqpool_sklearn._modules import RandomConvEncoder  # noqa: E402
from seqpool_sklearn.nn.encoders.multirocket import MultiRocketEncoder  # noqa: E402
from seqpool_sklearn.nn.pools import make_pool  # noqa: E402


def _is_regression(y) -> bool:
    y = np.asarray(y)
    return y.dtype.kind == "f" and len(np.unique(y)) > 0.5 * len(y)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def paired(ours, theirs, repeats: int, n: int) -> tuple[float, float, float]:
    """Median ratio of ``ours`` over ``theirs`` and each side's median seconds per series,
    timed back to back, alternating which goes first, after one warm-up call each."""
    ours(), theirs()  # warm-up: numba compilation, allocator growth
    pairs = []
    with threadpool_limits(limits=1):  # taken after the warm-up has loaded every library
        for rep in range(repeats):
            sides = [ours, theirs] if rep % 2 == 0 else [theirs, ours]
            t = {fn: timed(fn) for fn in sides}
            pairs.append((t[ours], t[theirs]))
    return (
        statistics.median(a / b for a, b in pairs),
        statistics.median(a for a, _ in pairs) / n,
        statistics.median(b for _, b in pairs) / n,
    )


def multirocket_ratio(n: int, length: int, repeats: int) -> tuple[float, float, float]:
    from aeon.transformations.collection.convolution_based import MultiRocket

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 1, length))
    rocket = MultiRocket(n_kernels=4956, n_jobs=1, random_state=0).fit(X)
    x = torch.from_numpy(X)
    mask = torch.ones(n, length, dtype=torch.bool)
    enc = MultiRocketEncoder(1, length, maps="biased").double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    pool = make_pool(("ppv", "mpv", "mipv", "lspv"), enc.out_channels)
    assert enc.out_channels * 4 == rocket.transform(X[:2]).shape[1]  # the same features
    step = 256  # predict's batches

    def ours():
        with torch.no_grad():
            for i in range(0, n, step):
                enc.pool_blocks(x[i : i + step], mask[i : i + step], pool, None)

    return paired(ours, lambda: rocket.transform(X), repeats, n)


def encoder_ratio(n: int, length: int, repeats: int) -> tuple[float, float, float]:
    from aeon.transformations.collection.convolution_based import MiniRocket

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 1, length))
    rocket = MiniRocket(n_jobs=1, random_state=0).fit(X)
    x = torch.from_numpy(X)
    mask = torch.ones(n, length, dtype=torch.bool)
    enc = RandomConvEncoder(1, length).double()
    enc.fit_data(x, mask, torch.Generator().manual_seed(0))
    step = 256  # predict's batches

    def ours():
        with torch.no_grad():
            for i in range(0, n, step):
                enc.pooled(x[i : i + step], mask[i : i + step], "avg", None)

    return paired(ours, lambda: rocket.transform(X), repeats, n)


def fit_ratio(name: str, home: Path, epochs: int, repeats: int) -> tuple[float, float, float]:
    X, y = fetch_ucr(name, split="train", data_home=home, download=False)
    X = np.asarray(X, dtype=np.float32)

    def fit(order):
        return lambda: SeqPoolClassifier(
            order=order, max_epochs=epochs, random_state=0, n_threads=1
        ).fit(X, y)

    pairs = []
    with threadpool_limits(limits=1):
        for rep in range(repeats):
            sides = ["pool_first", "decode_first"][:: 1 if rep % 2 == 0 else -1]
            t = {order: timed(fit(order)) for order in sides}
            pairs.append((t["decode_first"], t["pool_first"]))
    return (
        statistics.median(a / b for a, b in pairs),
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="series, encoder figure")
    parser.add_argument("--length", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None, help="default: the estimator's")
    parser.add_argument("--datasets", nargs="*", default=None, help="default: the suite")
    parser.add_argument("--fit-repeats", type=int, default=1, help="fit pairs per dataset")
    parser.add_argument("--data-home", type=Path, default=None)
    parser.add_argument("--no-fits", action="store_true", help="the encoder figures only")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    home = args.data_home or default_data_home()
    epochs = args.epochs or SeqPoolClassifier().max_epochs
    # the datasets first: an empty data home is said before the minutes of the encoder figure
    names = args.datasets or [
        name
        for name in list_ucr(data_home=home)
        if not _is_regression(fetch_ucr(name, data_home=home, download=False)[1])
    ]
    if not names:
        raise SystemExit(
            f"No classification datasets in {home}; pass --data-home or set SEQPOOL_DATA_HOME."
        )

    ratio, ours, theirs = encoder_ratio(args.n, args.length, args.repeats)
    print(
        f"encoder {args.n}x1x{args.length}: ours {ours * 1e3:.3f} ms/series, "
        f"MiniRocket transform {theirs * 1e3:.3f} ms/series, median ratio {ratio:.2f}",
        flush=True,
    )
    mr_ratio, ours, theirs = multirocket_ratio(args.n, args.length, args.repeats)
    print(
        f"MultiRocket's pools {args.n}x1x{args.length}: ours {ours * 1e3:.3f} ms/series, "
        f"MultiRocket transform {theirs * 1e3:.3f} ms/series, median ratio {mr_ratio:.2f}",
        flush=True,
    )
    head = (
        f"RESULT encoder_vs_minirocket_transform={ratio:.2f} "
        f"multirocket_pools_vs_multirocket_transform={mr_ratio:.2f}"
    )
    if args.no_fits:
        print(head)
        return 0
    # warm-up: the first fits of a process pay one-time costs (torch's first calls,
    # loading the compiled encoder kernel) that neither order should carry
    rng = np.random.default_rng(0)
    X_warm = rng.standard_normal((8, 1, 40)).astype(np.float32)
    for order in ("pool_first", "decode_first"):
        SeqPoolClassifier(order=order, max_epochs=2, n_threads=1).fit(X_warm, np.arange(8) % 2)
    ratios = []
    for name in names:
        r, decode, pool = fit_ratio(name, home, epochs, args.fit_repeats)
        ratios.append(r)
        print(
            f"{name:20s} {epochs} epochs: decode_first {decode:.1f} s, pool_first "
            f"{pool:.1f} s, median ratio {r:.2f}",
            flush=True,
        )
    print(f"{head} decode_first_over_pool_first={statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
