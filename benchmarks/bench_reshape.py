"""Benchmark: a long table with 10 million rows -> X, against plain ``DataFrame.pivot``.

The frame is tsfresh-style (``id``, ``time``, ``kind``, ``value``; 20 000 ids x 5 channels x
100 steps by default), rows shuffled. Both conversions run on the same frame in the same
process, interleaved, and the medians are compared. Peak memory of ``long_to_sequences`` is
measured with ``tracemalloc`` (NumPy and pandas report their buffers to it) as the peak above
the memory in use before the call, relative to the frame's own size.

A second, informational case gives every series its own time stamps (irregular sampling),
which takes the sorting path of ``long_to_sequences``; ``pivot`` has no comparable output there.

Run::

    python benchmarks/bench_reshape.py            # the full 10 M rows, a few minutes
    python benchmarks/bench_reshape.py --ids 2000  # a quick look

The last line is ``RESULT reshape_vs_pivot=<ratio> peak_mem_ratio=<extra peak / input size>``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

from seqpool_sklearn import long_to_sequences


def make_frame(n_ids: int, n_channels: int, n_steps: int, *, irregular: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_rows = n_ids * n_channels * n_steps
    ids = np.repeat(np.arange(n_ids, dtype=np.int64), n_channels * n_steps)
    kinds = pd.Categorical.from_codes(
        np.tile(np.repeat(np.arange(n_channels), n_steps), n_ids),
        categories=[f"acc_{c}" for c in range(n_channels)],
    )
    steps = np.tile(np.arange(n_steps, dtype=np.int64), n_ids * n_channels)
    times = steps * 10
    if irregular:  # every series starts at its own moment: no shared stamps
        times = times + np.repeat(rng.integers(0, 10**9, n_ids), n_channels * n_steps)
    df = pd.DataFrame(
        {"id": ids, "time": times, "kind": kinds, "value": rng.standard_normal(n_rows)}
    )
    return df.iloc[rng.permutation(n_rows)].reset_index(drop=True)


def run_ours(df: pd.DataFrame) -> np.ndarray:
    seq = long_to_sequences(
        df, column_id="id", column_sort="time", column_kind="kind", column_value="value"
    )
    return seq.X


def run_pivot(df: pd.DataFrame) -> pd.DataFrame:
    return df.pivot(index="id", columns=["kind", "time"], values="value")


def timed(func, df) -> float:
    gc.collect()
    start = time.perf_counter()
    out = func(df)
    elapsed = time.perf_counter() - start
    del out
    return elapsed


def extra_peak(func, df) -> int:
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    out = func(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return peak - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=20_000)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    df = make_frame(args.ids, args.channels, args.steps, irregular=False)
    size = df.memory_usage(deep=True).sum()
    print(f"frame: {len(df):,} rows (shuffled), {size / 2**20:.0f} MiB")

    # Same answer first (pivot keeps columns in order of appearance, hence the sort).
    X = run_ours(df)
    wide = run_pivot(df).sort_index(axis=1).to_numpy(dtype=np.float32)
    np.testing.assert_array_equal(X, wide.reshape(X.shape))
    del X, wide

    ours, pivot = [], []
    for r in range(args.repeats):  # interleaved, alternating who goes first
        pair = [(run_pivot, pivot), (run_ours, ours)]
        for func, times in pair if r % 2 == 0 else pair[::-1]:
            times.append(timed(func, df))
        print(f"repeat {r}: pivot {pivot[-1]:.2f} s, long_to_sequences {ours[-1]:.2f} s")
    ratio = statistics.median(ours) / statistics.median(pivot)
    mem = extra_peak(run_ours, df)
    mem_pivot = extra_peak(run_pivot, df)
    print(
        f"median: pivot {statistics.median(pivot):.2f} s, long_to_sequences "
        f"{statistics.median(ours):.2f} s; extra peak memory {mem / 2**20:.0f} MiB "
        f"(pivot {mem_pivot / 2**20:.0f} MiB)"
    )

    del df
    gc.collect()
    irregular = make_frame(args.ids, args.channels, args.steps, irregular=True)
    t_irr = min(timed(run_ours, irregular) for _ in range(2))
    mem_irr = extra_peak(run_ours, irregular)
    print(
        f"irregular stamps (sorting path): long_to_sequences {t_irr:.2f} s, extra peak "
        f"{mem_irr / irregular.memory_usage(deep=True).sum():.2f} x input"
    )
    print(f"RESULT reshape_vs_pivot={ratio:.3f} peak_mem_ratio={mem / size:.3f}")


if __name__ == "__main__":
    main()
