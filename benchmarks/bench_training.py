"""Benchmark: ``SeqPoolClassifier.fit`` against a hand-written PyTorch training loop.

Both sides train the same module class (:class:`~seqpool_sklearn.SeqPoolModule`) with the
same optimizer (Adam, torch's fused update, as the estimator builds it), learning rate and
schedule (``torch.optim``'s ``CosineAnnealingLR`` in
the hand-written loop), loss (cross-entropy with the estimator's label smoothing), batch
size, number of epochs and data, with the same number of torch intra-op threads. By
default (``--threads auto``) the estimator runs at its default ``n_threads="auto"`` (the
physical cores this process may use) and the hand-written loop sets the count that "auto"
chose; the estimator is also timed with ``n_threads=1``, the setting that is bitwise
reproducible across processes, to give the speed-up of the default over one thread.
``--threads 1`` pins one torch thread on both sides instead (``torch.set_num_threads(1)``
for the loop, ``n_threads=1`` for the estimator) and leaves that third run out. The
settings are the estimator's own defaults (batch size, learning rate, schedule, label
smoothing, widths; ``hidden_size=None`` resolved as the estimator resolves it for two
classes), on 256 series of 3 channels x 128 steps.

The hand-written loop is what a PyTorch user would write: a permutation per epoch, index the
tensors, ``zero_grad`` / forward / loss / ``backward`` / ``step``, and the epoch loss summed
with ``loss.item()``. The estimator's fit is timed end to end, from NumPy arrays: input
validation, label encoding, building the skorch net, callbacks, history.

Cells: ``encoder`` in {None, "conv"} x ``order`` in {"pool_first", "decode_first"}. Every
repeat times the runs of every cell back to back, rotating which goes first, and the
ratios within the repeat are taken; a cell's figure is the median of its ratios.
Interleaving keeps the comparison fair on a machine whose load changes while the benchmark
runs. Both wall-clock and process CPU time are recorded; the CPU-time ratio of the overhead
is less sensitive to other processes competing for the cores.

Run::

    python benchmarks/bench_training.py               # about 5-8 minutes on 2 cores
    python benchmarks/bench_training.py --repeats 3   # quicker, noisier
    python benchmarks/bench_training.py --threads 1   # one torch thread on both sides

The last lines are ``RESULT fit_overhead_ratio=<worst cell's median wall-clock ratio of the
default fit to the hand-written loop> fit_overhead_ratio_cpu=<the same in CPU time>
threads=<the torch thread count of both sides>`` (target <= 1.10) and, with ``--threads
auto``, ``RESULT auto_speedup=<median over cells of the n_threads=1 fit's time over the
default fit's>``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from seqpool_sklearn import SeqPoolClassifier, SeqPoolModule
from seqpool_sklearn._options import default_hidden_size
from seqpool_sklearn._threads import auto_threads

CELLS = [(enc, order) for enc in (None, "conv") for order in ("pool_first", "decode_first")]


@dataclass(frozen=True)
class Setting:
    """One cell's settings, the same for both sides."""

    encoder: str | None
    order: str
    hidden: int
    width: int | None
    dropout: float
    epochs: int
    batch_size: int
    lr: float
    schedule: str
    label_smoothing: float
    seed: int = 0


def make_data(n: int, channels: int, length: int, seed: int = 0):
    """Two classes told apart by the sign of a bump's mean in channel 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, channels, length)).astype(np.float32)
    y = rng.integers(0, 2, n)
    X[:, 0, length // 4 : length // 2] += np.where(y == 1, 0.5, -0.5)[:, None]
    return X, y


def hand_written_fit(X, y, s: Setting, threads) -> nn.Module:
    """A plain PyTorch training loop over the same module, optimizer, schedule and data."""
    torch.set_num_threads(threads)
    torch.manual_seed(s.seed)
    n, channels, length = X.shape
    model = SeqPoolModule(
        2,
        channels,
        length,
        encoder=s.encoder,
        order=s.order,
        hidden_size=s.hidden,
        encoder_channels=s.width,
        dropout=s.dropout,
    )
    # the estimator's Adam: torch's fused update
    optimizer = torch.optim.Adam(model.parameters(), lr=s.lr, fused=True)
    scheduler = None
    if s.schedule == "cosine":
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=s.epochs)
    # the estimator's loss: cross-entropy with its label smoothing
    loss_fn = nn.CrossEntropyLoss(label_smoothing=s.label_smoothing)
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(np.asarray(y, dtype=np.int64))
    generator = torch.Generator().manual_seed(s.seed)
    model.train()
    for _ in range(s.epochs):
        perm = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, s.batch_size):
            idx = perm[start : start + s.batch_size]
            xb, yb = X_t[idx], y_t[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        if scheduler is not None:
            scheduler.step()
    return model


def estimator_fit(X, y, s: Setting, threads) -> SeqPoolClassifier:
    """The estimator at ``n_threads=threads`` (``"auto"``: its default)."""
    return SeqPoolClassifier(
        encoder=s.encoder,
        order=s.order,
        hidden_size=s.hidden,
        encoder_channels=s.width,
        dropout=s.dropout,
        max_epochs=s.epochs,
        batch_size=s.batch_size,
        lr=s.lr,
        lr_schedule=s.schedule,
        label_smoothing=s.label_smoothing,
        random_state=s.seed,
        n_threads=threads,
    ).fit(X, y)


def timed(fn, *args, **kwargs) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=256, help="training series")
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--length", type=int, default=128)
    defaults = SeqPoolClassifier().get_params()
    parser.add_argument("--batch-size", type=int, default=defaults["batch_size"])
    parser.add_argument("--lr", type=float, default=defaults["lr"])
    parser.add_argument(
        "--hidden",
        type=int,
        default=defaults["hidden_size"],
        help="decoder width (default: the estimator's, resolved for two classes)",
    )
    parser.add_argument(
        "--width", type=int, default=defaults["encoder_channels"], help="conv encoder width"
    )
    parser.add_argument("--dropout", type=float, default=defaults["dropout"])
    parser.add_argument(
        "--label-smoothing",
        type=float,
        default=defaults["label_smoothing"],
        help="label smoothing of both sides' loss (default: the estimator's default)",
    )
    parser.add_argument("--epochs", type=int, default=60, help="epochs, encoder=None cells")
    parser.add_argument("--conv-epochs", type=int, default=6, help="epochs, conv cells")
    parser.add_argument(
        "--schedule",
        choices=["cosine", "constant"],
        default=defaults["lr_schedule"],
        help="learning-rate schedule of both sides (default: the estimator's default)",
    )
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument(
        "--threads",
        choices=["auto", "1"],
        default="auto",
        help='torch threads of both sides: the estimator\'s default "auto" (the loop at the '
        "count it chose, plus an n_threads=1 fit of the estimator), or 1 on both sides",
    )
    args = parser.parse_args(argv)

    previous_threads = torch.get_num_threads()
    X, y = make_data(args.n, args.channels, args.length)
    # hidden_size=None is the estimator's rule by the number of classes (its hidden_size_)
    hidden = args.hidden if args.hidden is not None else default_hidden_size(len(np.unique(y)))
    if args.threads == "1":
        torch.set_num_threads(1)
        chosen = 1
        threads_note = "one torch thread on both sides"
    else:
        chosen = auto_threads()  # what the estimator's default n_threads="auto" uses here
        threads_note = f"n_threads='auto' chose {chosen} torch thread(s)"
    print(
        f"# {platform.processor() or platform.machine()}, {threads_note} (torch's own "
        f"default here: {previous_threads}), torch {torch.__version__}; data {X.shape}, "
        f"batch {args.batch_size}, hidden {hidden}, label smoothing {args.label_smoothing}, "
        f"{args.repeats} interleaved repeats"
    )

    def settings(encoder, order) -> Setting:
        return Setting(
            encoder=encoder,
            order=order,
            hidden=hidden,
            width=args.width,
            dropout=args.dropout,
            epochs=args.conv_epochs if encoder == "conv" else args.epochs,
            batch_size=args.batch_size,
            lr=args.lr,
            schedule=args.schedule,
            label_smoothing=args.label_smoothing,
        )

    # hand: the loop at the default's thread count; ours: the default fit; ours1: one thread
    # (with --threads 1, hand and ours both on one thread, and no ours1)
    if args.threads == "1":
        runs = {"hand": (hand_written_fit, 1), "ours": (estimator_fit, 1)}
    else:
        runs = {
            "hand": (hand_written_fit, chosen),
            "ours": (estimator_fit, "auto"),
            "ours1": (estimator_fit, 1),
        }
    for cell in CELLS:  # warm-up: first calls pay for lazy imports and allocator growth
        for fn, threads in runs.values():
            fn(X, y, replace(settings(*cell), epochs=1), threads)

    times = {cell: {side: [] for side in runs} for cell in CELLS}
    order = list(runs)
    for rep in range(args.repeats):
        for cell in CELLS:
            kw = settings(*cell)
            shift = rep % len(order)
            for side in order[shift:] + order[:shift]:
                fn, threads = runs[side]
                times[cell][side].append(timed(fn, X, y, kw, threads))
    torch.set_num_threads(previous_threads)

    with_one = "ours1" in runs
    print(
        f"{'encoder':8s} {'order':13s} {'epochs':>6s} {'hand s':>8s} {'ours s':>8s} "
        f"{'ratio':>6s} {'cpu ratio':>9s}"
        + (f" {'1-thread s':>10s} {'speed-up':>8s}" if with_one else "")
    )
    worst = worst_cpu = 0.0
    speedups = []
    for cell in CELLS:
        hand, ours = times[cell]["hand"], times[cell]["ours"]
        ratio = statistics.median(o[0] / h[0] for o, h in zip(ours, hand, strict=True))
        cpu_ratio = statistics.median(o[1] / h[1] for o, h in zip(ours, hand, strict=True))
        worst, worst_cpu = max(worst, ratio), max(worst_cpu, cpu_ratio)
        line = (
            f"{cell[0]!s:8s} {cell[1]:13s} {settings(*cell).epochs:6d} "
            f"{statistics.median(h[0] for h in hand):8.3f} "
            f"{statistics.median(o[0] for o in ours):8.3f} {ratio:6.3f} {cpu_ratio:9.3f}"
        )
        if with_one:
            one = times[cell]["ours1"]
            speedup = statistics.median(s[0] / o[0] for s, o in zip(one, ours, strict=True))
            speedups.append(speedup)
            line += f" {statistics.median(s[0] for s in one):10.3f} {speedup:8.2f}"
        print(line)
    # The target is on wall-clock time; the CPU-time ratio is printed beside it because it
    # is far less sensitive to other processes competing for the cores.
    print(
        f"RESULT fit_overhead_ratio={worst:.3f} fit_overhead_ratio_cpu={worst_cpu:.3f} "
        f"threads={chosen}"
    )
    if with_one:
        print(f"RESULT auto_speedup={statistics.median(speedups):.2f}")
    return worst


if __name__ == "__main__":
    main()
