"""The ``seqpool`` command line.

``seqpool compare`` cross-validates every order x pool x window head on one dataset (an
embedded synthetic task by default, a UCR/UEA dataset or a CSV table), prints a summary
table and the paired order effect, and writes ``results.csv`` and ``compare.png``; with
several UCR/UEA datasets (``--ucr A,B,C`` or ``--ucr all``) it does so per dataset, in a
folder each, and adds the answer across them (``summarize_comparisons``). An earlier run's
results are only replaced with ``--overwrite``.
``seqpool datasets`` lists what can be compared. Bad arguments or unreadable inputs end
with one line on stderr and exit status 2.

The estimator trains with its own defaults: a model or training flag that is not given is
not passed, so ``seqpool compare`` and ``SeqPoolClassifier()`` in Python train alike.
``--quick`` is an explicit, printed preset of cheaper settings. The option lists (orders,
pools, encoders, activations) and the estimators' defaults come from the torch-free
options module (:mod:`seqpool_sklearn._options`), which the torch side's registries are
checked against, so a new pool or encoder is offered here without touching this file.

Arguments are parsed before torch, scipy or scikit-learn is imported, so ``--help``
(``seqpool compare --help`` too), ``--version`` and argument errors answer at once.

Also runs as ``python -m seqpool_sklearn.cli`` (or ``python -m seqpool_sklearn``).
"""

from __future__ import annotations

import contextlib
import os
import sys

from .data import _long_layout  # noqa: F401 - read by the tests
from .options import FIGURE_FILE, QUICK_PRESET, RESULTS_FILE, _UsageError  # noqa: F401
from .parser import build_parser

__all__ = ["main"]


# --------------------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> int:
    """Run the ``seqpool`` command line; returns the exit status.

    Examples
    --------
    >>> from seqpool_sklearn.cli import main
    >>> main(["datasets", "--data-home", "/nonexistent"])  # doctest: +ELLIPSIS
    Synthetic tasks (seqpool compare --synthetic NAME):
      nonlinear_steps  Label = whether most time steps have ...
    ...
    0
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # reported here to point at the help of the command they were given to
        where = f"seqpool {args.command}" if args.command else "seqpool"
        print(
            f"seqpool: error: unrecognized arguments: {' '.join(extra)} (see '{where} --help')",
            file=sys.stderr,
        )
        return 2
    if args.command is None:
        print(
            "seqpool: error: choose a command, compare or datasets (see 'seqpool --help')",
            file=sys.stderr,
        )
        return 2
    guard = _PipeGuard(sys.stdout)
    try:
        with contextlib.redirect_stdout(guard):
            status = args.func(args)
            guard.flush()  # a closed pipe shows here, at the latest, not at exit
        return 1 if guard.broken else status
    except BrokenPipeError:  # pragma: no cover - the guard takes them; a last resort
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        print("seqpool: interrupted", file=sys.stderr)
        return 130
    except (_UsageError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"seqpool: error: {message}", file=sys.stderr)
        return 2


class _PipeGuard:
    """stdout for a run: a reader that stops early (``seqpool compare | head``) does not
    stop it.

    On the first BrokenPipeError the rest of the report goes to devnull, as in the recipe
    of Python's docs ("Note on SIGPIPE", signal module), and the run goes on to write every
    file; ``broken`` then makes the command end with status 1, as Python does on EPIPE.
    The write that broke may have been any line: with unbuffered output
    (``PYTHONUNBUFFERED``) every print writes at once.
    """

    def __init__(self, stream):
        self._stream = stream
        self.broken = False

    def _broke(self) -> None:
        self.broken = True
        _silence_stdout()

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._broke()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._broke()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Send what is left of stdout to devnull (a stdout without a file descriptor, as
    in tests, is left as it is)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
