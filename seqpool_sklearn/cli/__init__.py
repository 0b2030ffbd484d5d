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
import hashlib
import os
import re
import sys
import warnings

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
        hint = _flag_hint(parser, args.command, extra)
        print(
            f"seqpool: error: unrecognized arguments: {' '.join(extra)}.{hint} "
            f"(see '{where} --help')".replace(". (", " ("),
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
        with (
            contextlib.redirect_stdout(guard),
            warnings.catch_warnings(),
            _workers_warning_lines(args) as seen,
        ):
            warnings.showwarning = _WarningLines(seen)
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


# flags users type for another one: the command's own name for it
_FLAG_ALIASES = {
    "--metric": "--scoring",
    "--metrics": "--scoring",
    "--score": "--scoring",
    "--seeds": "--n-seeds",
    "--folds": "--cv",
    "--n-folds": "--cv",
    "--jobs": "--n-jobs",
    "--epochs": "--max-epochs",
    "--output": "--out",
    "--label": "--target",
    "--dataset": "--ucr",
    "--window": "--windows",
    "--pool": "--pools",
    "--order": "--orders",
}


def _flag_hint(parser, command: str | None, extra: list[str]) -> str:
    """' Did you mean ...?' for the first unrecognized ``--flag``: another name users type
    for one of the command's flags, else the closest of its flags."""
    import difflib

    options = [o for a in parser._actions for o in a.option_strings]
    for action in parser._actions:  # the sub-command's own flags
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and command in choices:
            options += [o for a in choices[command]._actions for o in a.option_strings]
    options = [o for o in dict.fromkeys(options) if o.startswith("--")]
    for item in extra:
        flag = item.split("=", 1)[0]
        if not flag.startswith("--") or flag == "--":
            continue
        alias = _FLAG_ALIASES.get(flag.lower())
        if alias in options:
            return f" Did you mean {alias!r}?"
        # close in spelling only: '--' is shared by every flag, so a loose match would
        # offer any short flag for any word (--out for --bogus)
        close = difflib.get_close_matches(flag, options, n=1, cutoff=0.8)
        return f" Did you mean {close[0]!r}?" if close else ""
    return ""


class _WarningLines:
    """``warnings.showwarning`` for a run: each distinct warning of the library once, as
    ``seqpool: warning: ...`` on stderr, not Python's ``<file>:<line>: Category: ...``
    once per fit. A sample's position in a warning is its position in the training series
    of one fold, which no line or id of the data shows: it is said so. The Python API's
    warnings are not changed. With ``seen`` (a folder), the worker processes of
    ``--n-jobs`` 2 or more print theirs the same way, and the first process to create a
    warning's file in it prints that warning (see :func:`_workers_warning_lines`)."""

    def __init__(self, seen: str | None = None):
        self.seen: set[str] = set()
        self.folder = seen

    def _first(self, key: str) -> bool:
        """Whether this run has not printed the warning ``key`` yet, in any process."""
        if key in self.seen:
            return False
        self.seen.add(key)
        if self.folder is None:
            return True
        name = os.path.join(self.folder, hashlib.sha1(key.encode()).hexdigest())
        try:  # created by one process only: the one that prints it
            os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        except OSError:  # the folder is gone (the run is ending): better twice than never
            return True
        return True

    def __call__(self, message, category, filename, lineno, file=None, line=None) -> None:
        text = " ".join(str(message).split())
        text = re.sub(
            r"\(first at sample \d+, channel (\d+), step (\d+)\)",
            r"(first at channel \1, step \2 of a series in one training fold)",
            text,
        )
        # the same warning of another fit differs in its counts and in where in its fold
        # it was first found; the channels it names make it another warning
        key = re.sub(r"\(first at [^)]*\)", "", text)
        channel = r"channels? (?:\[[^\]]*\]|[0-9]+)"
        named = re.findall(channel, key)
        key = re.sub(r"[0-9]+", "#", re.sub(channel, "@", key))
        key = re.sub(r"# (\w+?)s\b", r"# \1", key)  # 1 NaN, 2 NaNs: one warning
        key = f"{category.__name__}: {key} {named}"
        if self._first(key):
            print(f"seqpool: warning: {text}", file=sys.stderr, flush=True)


def _install_warning_lines(seen: str) -> None:
    """A worker process's start (loky's ``initializer``): its warnings as the run's."""
    warnings.showwarning = _WarningLines(seen)


@contextlib.contextmanager
def _workers_warning_lines(args):
    """For a run whose fits go to worker processes (``--n-jobs`` other than 1): a folder
    that the processes' :class:`_WarningLines` share, and joblib's loky workers started
    with them (a fresh pool: loky keeps workers only for the same initializer). None for
    a run in this process alone."""
    n_jobs = getattr(args, "n_jobs", None)
    if n_jobs is None or n_jobs == 1:
        yield None
        return
    import tempfile

    import joblib

    with (
        tempfile.TemporaryDirectory(prefix="seqpool-warnings-") as seen,
        joblib.parallel_config(
            backend="loky", initializer=_install_warning_lines, initargs=(seen,)
        ),
    ):
        yield seen


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
