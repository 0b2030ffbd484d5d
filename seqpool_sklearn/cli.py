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

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _options

if TYPE_CHECKING:
    import numpy as np

__all__ = ["main"]

_DEFAULT_TASK = "nonlinear_steps"
# What `seqpool compare` writes into --out (the docs name them; tests/test_docs.py checks)
RESULTS_FILE = "results.csv"
FIGURE_FILE = "compare.png"
_DEFAULT_POOLS = ("avg", "max")
# --quick: a narrower encoder for a first look, per encoder, applied only where no flag is
# given. Single fits with the estimator's training defaults on six UCR development datasets
# (archive train/test split): 336 minirocket maps instead of the full width were 6-10x
# faster with pool_first and ~40x per epoch with decode_first, within three points of its
# accuracy; a conv width of 16 was 3-5x faster, within about one point on five datasets
# (Beef, 30 test series, lost more). Shorter training was tried with the earlier defaults
# and cost far more accuracy for the same saving; a GRU of 16 units saved only 1.5-2.5x and
# lost accuracy, so gru has no preset. An encoder missing here (or none, as for the
# synthetic tasks) keeps the estimator's settings.
QUICK_PRESET: dict[str, dict[str, Any]] = {
    "minirocket": {"encoder_channels": 336},
    "conv": {"encoder_channels": 16},
}


class _UsageError(Exception):
    """A problem with what the user asked for; reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one line on stderr (exit status 2, no usage block, the one
    ``seqpool: error:`` prefix of every command) and help texts computed when shown."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"seqpool: error: {message} (see '{self.prog} --help')\n")

    def format_help(self) -> str:
        for action in self._actions:
            text = getattr(action, "deferred_help", None)
            if text is not None:
                action.help, action.deferred_help = text(), None
        return super().format_help()


def _add_deferred(group, *flags: str, help_text: Callable[[], str], **kwargs) -> None:
    """``group.add_argument`` with a help text that ``_Parser.format_help`` computes.

    The defaults such a text shows are read from the estimators, and importing them (torch)
    is only worth it when the help is printed. argparse itself gets a plain placeholder
    string (it may check help texts when an argument is added).
    """
    action = group.add_argument(*flags, help="(see --help)", **kwargs)
    action.deferred_help = help_text


def _modules_attr(name: str, default: Any = None):
    """An option list (``ORDERS``, ``POOLS``, ...) from the torch-free options module.
    ``default`` is for a value it may not define (None: it must exist)."""
    if default is None:
        return getattr(_options, name)
    return getattr(_options, name, default)


# --------------------------------------------------------------------------- argument types
def _pool_list(text: str) -> list:
    """``--pools avg,ppv+lspv``: pool names, ``+`` joining the pools of a combined pool."""
    out = []
    for item in [v.strip() for v in text.split(",") if v.strip()] or [""]:
        members = item.split("+")
        names = _choice_list(_pools)(",".join(members))  # each name checked, repeats dropped
        if len(names) < len(members):
            raise argparse.ArgumentTypeError(f"{item!r} names a pool twice.")
        out.append(names[0] if len(names) == 1 else tuple(names))
    return list(dict.fromkeys(out))


def _choice_list(choices: Callable[[], tuple[str, ...]]):
    """A comma-separated list of names from ``choices()``, looked up only when given."""

    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not values:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of {', '.join(choices())}"
            )
        for v in values:
            if v not in choices():
                raise argparse.ArgumentTypeError(
                    f"{v!r} is not one of {', '.join(choices())} (comma-separated)."
                    + _suggest(v, choices())
                )
        return list(dict.fromkeys(values))

    return parse


def _one_of(choices: Callable[[], tuple[str, ...]]):
    """One name from ``choices()``, looked up only when given."""

    def parse(text: str) -> str:
        if text not in choices():
            raise argparse.ArgumentTypeError(
                f"{text!r} is not one of {', '.join(choices())}." + _suggest(text, choices())
            )
        return text

    return parse


def _suggest(value: str, options) -> str:
    """A ' Did you mean ...?' hint: a unique name that starts with ``value`` (``acc`` for
    ``accuracy``), else the package's spelling hint."""
    same = [o for o in options if o.lower() == value.lower()]
    starting = same or [o for o in options if o.lower().startswith(value.lower())]
    if len(starting) == 1:
        return f" Did you mean {starting[0]!r}?"
    from ._validation import did_you_mean

    return did_you_mean(value, options)


def _windows(text: str) -> list[int | None]:
    out: list[int | None] = []
    for v in (v.strip().lower() for v in text.split(",")):
        if v in ("none", "global"):
            out.append(None)
        elif v.isdigit() and int(v) >= 1:
            out.append(int(v))
        else:
            raise argparse.ArgumentTypeError(
                f"{v!r} is not a window: use 'none' (global pooling) or an integer >= 1, "
                "comma-separated, e.g. none,8"
            )
    return list(dict.fromkeys(out))


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


# Estimator parameters with a flag of their own (metavar, type); a flag left out is not passed.
_MODEL_FLAGS = {
    "hidden_size": ("N", _int_at_least(1), "decoder width"),
    "encoder_channels": ("N", _int_at_least(1), "encoder width"),
    "max_epochs": ("N", _int_at_least(1), "training epochs"),
    "lr": ("F", _positive_float, "learning rate"),
    "batch_size": ("N", _int_at_least(1), "mini-batch size"),
}
# Shown in the run's header line, when the estimator has them.
_SHOWN_PARAMS = (
    "encoder",
    "activation",
    "hidden_size",
    "encoder_channels",
    "max_epochs",
    "lr",
    "lr_schedule",
    "batch_size",
)


def _show(value: Any) -> str:
    """A parameter value as the command line spells it (None is 'none')."""
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _estimator_default(name: str) -> str:
    """The estimators' own default of ``name`` (the options module, checked against the
    estimators by the tests), for the help text."""
    return _show(_options.DEFAULTS[name])


def _default_text(name: str) -> str:
    """'estimator default: ...' for a flag's help; for the encoder width, each encoder's own
    (the estimator's ``encoder_channels=None`` means "the encoder's default width")."""
    default = _estimator_default(name)
    if name != "encoder_channels" or default != "none":
        return f"estimator default: {default}"
    widths = _modules_attr("DEFAULT_ENCODER_CHANNELS", {})
    if not widths:
        return "estimator default: each encoder's own width"
    shown = ", ".join(f"{w} for {enc}" for enc, w in widths.items())
    return f"estimator default: each encoder's own width, {shown}"


def _settings(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in values.items())


# The choices of the grid and model flags, read from the modules at call time: a pool or
# encoder added there is offered here without touching this file.
def _orders() -> tuple[str, ...]:
    return tuple(_modules_attr("ORDERS"))


def _pools() -> tuple[str, ...]:
    return tuple(_modules_attr("POOLS"))


def _default_pools() -> list[str]:
    return [p for p in _DEFAULT_POOLS if p in _pools()]


def _encoders() -> tuple[str, ...]:
    return ("auto", *_modules_attr("ENCODERS"), "none")


def _activations() -> tuple[str, ...]:
    return (*_modules_attr("ACTIVATIONS"), "none")


def _or(names) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _quick_text() -> str:
    return "; ".join(f"{_settings(preset)} for {enc}" for enc, preset in QUICK_PRESET.items())


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``seqpool`` (sub-commands ``compare`` and ``datasets``)."""
    from . import __version__

    parser = _Parser(
        prog="seqpool",
        description="Compare sequence-model head designs (order x pool x window) under "
        "cross-validation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{compare,datasets}")

    cmp = sub.add_parser(
        "compare",
        help="cross-validate the head designs and test the order effect",
        description="Cross-validate every order x pool x window head on the same splits, "
        "print mean ± sd per design and the paired decode_first - pool_first effect "
        f"(corrected resampled t-test), and write {RESULTS_FILE} and {FIGURE_FILE}. "
        f"Without a data option it runs on the synthetic task {_DEFAULT_TASK!r}.",
    )
    data = cmp.add_argument_group("data (one of --synthetic, --ucr, --csv)")
    source = data.add_mutually_exclusive_group()
    source.add_argument("--synthetic", metavar="NAME", help="a synthetic task (seqpool datasets)")
    source.add_argument(
        "--ucr",
        metavar="NAME[,NAME]",
        help="a UCR/UEA dataset, train and test pooled; several (A,B,C, or 'all' in the data "
        "home) run one by one and are combined across datasets",
    )
    source.add_argument("--csv", metavar="PATH", type=Path, help="a CSV table, long or wide")
    data.add_argument("--data-home", metavar="DIR", help="UCR folder (default $SEQPOOL_DATA_HOME)")
    fetching = data.add_mutually_exclusive_group()
    fetching.add_argument(
        "--no-download", action="store_true", help="never download a missing UCR dataset"
    )
    fetching.add_argument(
        "--download",
        action="store_true",
        help="download a missing UCR dataset even when the data home holds one of a similar "
        "name (without it, that name is suggested first)",
    )
    size = _int_at_least(10)
    data.add_argument(
        "--n-samples", metavar="N", type=size, default=300, help="synthetic size (300)"
    )
    data.add_argument("--target", metavar="COL", help="CSV: the label / target column")
    data.add_argument(
        "--id",
        metavar="COL[,COL]",
        type=_columns,
        help="CSV: sample id column(s); given = long table (one row per time step), "
        "absent = wide table (one row per sample, time steps as columns)",
    )
    data.add_argument("--time", metavar="COL", help="long CSV: time column (default row order)")
    data.add_argument(
        "--channels", metavar="COL[,COL]", type=_columns, help="long CSV: one column per channel"
    )
    data.add_argument(
        "--value", metavar="COL", help="long CSV: the single value column (with --kind: tsfresh)"
    )
    data.add_argument("--kind", metavar="COL", help="long CSV: channel-name column")
    data.add_argument("--groups", metavar="COL", help="CSV: groups for group-aware folds")
    blocks_help = "wide CSV: number of channel-major column blocks (1)"
    data.add_argument(
        "--n-channels", metavar="N", type=_int_at_least(1), default=1, help=blocks_help
    )
    data.add_argument(
        "--task",
        choices=("auto", "classification", "regression"),
        default="auto",
        help="default: regression for continuous targets",
    )

    grid = cmp.add_argument_group("grid")
    # --orders and --pools default to None, resolved by _cmd_compare (all orders; avg,max)
    _add_deferred(
        grid,
        "--orders",
        metavar="LIST",
        type=_choice_list(_orders),
        help_text=lambda: f"comma-separated, from {','.join(_orders())} (all)",
    )
    _add_deferred(
        grid,
        "--pools",
        metavar="LIST",
        type=_pool_list,
        help_text=lambda: (
            f"comma-separated, from {','.join(_pools())} ({','.join(_default_pools())}); "
            "join pools with + for a combined pool, e.g. ppv+lspv"
        ),
    )
    grid.add_argument(
        "--windows",
        metavar="LIST",
        type=_windows,
        default=[None],
        help="'none' and/or integers, e.g. none,8",
    )

    model = cmp.add_argument_group(
        "model and training (a flag left out is not passed: the estimator's default applies)"
    )
    _add_deferred(
        model,
        "--encoder",
        metavar="NAME",
        type=_one_of(_encoders),
        # None stands for auto: argparse passes a string default through `type`, and that
        # would import the modules (torch) to parse any command line
        default=None,
        help_text=lambda: (
            f"{', '.join(_encoders()[1:])} or auto, the default: no encoder for synthetic "
            "tasks (the head on the raw channels), otherwise the estimator's default "
            f"({_estimator_default('encoder')})"
        ),
    )
    _add_deferred(
        model,
        "--activation",
        metavar="NAME",
        type=_one_of(_activations),
        help_text=lambda: (
            f"after the decoder: {_or(_activations())} "
            f"(estimator default: {_estimator_default('activation')})"
        ),
    )
    for flag, (metavar, kind, what) in _MODEL_FLAGS.items():
        _add_deferred(
            model,
            f"--{flag.replace('_', '-')}",
            metavar=metavar,
            type=kind,
            # flag=flag: each help text shows its own flag's default, not the loop's last
            help_text=lambda flag=flag, what=what: f"{what} ({_default_text(flag)})",
        )
    _add_deferred(
        model,
        "--quick",
        action="store_true",
        help_text=lambda: (
            f"a cheaper model for a first look: {_quick_text()}; flags given "
            "explicitly win, and the run prints what it applied"
        ),
    )

    run = cmp.add_argument_group("cross-validation and output")
    run.add_argument("--cv", metavar="K", type=_int_at_least(2), default=5, help="folds (5)")
    run.add_argument(
        "--repeats", metavar="R", type=_int_at_least(1), default=1, help="repetitions (1)"
    )
    run.add_argument(
        "--scoring", metavar="NAME", help="a scikit-learn metric (default: accuracy / R²)"
    )
    run.add_argument(
        "--alpha", metavar="A", type=float, default=0.05, help="significance level (0.05)"
    )
    margin_help = "designs within +-M of each other count as equivalent (TOST)"
    run.add_argument("--equivalence-margin", metavar="M", type=float, help=margin_help)
    seeds_help = "refit every design on every split under K seeds, paired by (split, seed)"
    run.add_argument("--n-seeds", metavar="K", type=int, help=seeds_help)
    run.add_argument("--n-jobs", metavar="N", type=int, default=None, help="parallel fits (joblib)")
    run.add_argument(
        "--seed", metavar="S", type=int, default=0, help="seeds data, folds and weights (0)"
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("seqpool_results"),
        help="output folder (seqpool_results)",
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results of an earlier run in --out (refused without it)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    cmp.set_defaults(func=_cmd_compare)

    ds = sub.add_parser(
        "datasets",
        help="list the synthetic tasks and the UCR datasets found",
        description="List the synthetic tasks and the UCR/UEA datasets in the data home.",
    )
    ds.add_argument("--data-home", metavar="DIR", help="UCR folder (default $SEQPOOL_DATA_HOME)")
    ds.set_defaults(func=_cmd_datasets)
    return parser


# --------------------------------------------------------------------------- data
def _load_csv(args) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    import pandas as pd

    from . import WideToSequences, long_to_sequences

    if args.target is None:
        raise _UsageError("--csv needs --target COLUMN (the label or target column)")
    try:
        df = pd.read_csv(args.csv)
    except OSError as exc:
        raise _UsageError(f"cannot read {args.csv}: {exc.strerror or exc}") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise _UsageError(f"{args.csv} is not a readable CSV table: {exc}") from None
    named = [args.target, args.groups, args.time, args.kind, args.value]
    for col in [*named, *(args.id or []), *(args.channels or [])]:
        if col is not None and col not in df.columns:
            columns = [str(c) for c in df.columns]
            raise _UsageError(
                f"column {col!r} is not in {args.csv}.{_suggest(col, columns)} Its columns: "
                f"{', '.join(columns)}"
            )
    _refuse_non_finite(df, args.csv)
    empty = df[args.target].isna().to_numpy().nonzero()[0]
    if len(empty):
        # line numbers as an editor shows them: the header is line 1
        raise _UsageError(
            f"column {args.target!r} of {args.csv} has {len(empty)} empty "
            f"cell{'' if len(empty) == 1 else 's'} (first on line {empty[0] + 2}); every row "
            "needs a label or target: fill them in or drop those rows"
        )
    if args.id:
        if args.channels and args.value:
            raise _UsageError("give either --channels (one column per channel) or --value")
        if args.kind and not args.value:
            raise _UsageError("--kind needs --value (the tsfresh layout: id, time, kind, value)")
        value = args.value if args.value else args.channels
        _refuse_text_values(df, args)
        if args.time is not None:
            df = _parse_times(df, args.time, args.csv)
        seq = long_to_sequences(
            df,
            column_id=args.id if len(args.id) > 1 else args.id[0],
            column_sort=args.time,
            column_kind=args.kind,
            column_value=value,
            y=args.target,
            groups=args.groups,
        )
        what = f"long table, {len(seq.ids)} series"
        return seq.X, seq.y, seq.groups, what
    for flag in ("time", "kind", "value", "channels"):
        if getattr(args, flag):
            raise _UsageError(f"--{flag} describes a long table and needs --id")
    features = df.drop(columns=[c for c in (args.target, args.groups) if c is not None])
    _refuse_long_layout(features, args.csv)
    X = WideToSequences(n_channels=args.n_channels).fit_transform(features)
    groups = None if args.groups is None else df[args.groups].to_numpy()
    return X, df[args.target].to_numpy(), groups, "wide table"


def _line(row: int) -> int:
    """The line of a table's row as an editor shows it: the header is line 1."""
    return int(row) + 2


def _refuse_non_finite(df, path) -> None:
    """±inf in any numeric column, named with its line (before the layout is guessed)."""
    import numpy as np
    import pandas as pd

    for col in df.columns:
        column = df[col]
        if not pd.api.types.is_float_dtype(column):
            continue
        inf = np.isinf(column.to_numpy(dtype=float, na_value=np.nan))
        if inf.any():
            row = int(np.flatnonzero(inf)[0])
            raise _UsageError(
                f"column {col!r} of {path} holds {column.iloc[row]} on line {_line(row)}"
                f"{f' (and {int(inf.sum()) - 1} more)' if inf.sum() > 1 else ''}; values "
                "must be finite numbers: leave a missing cell empty (it reads as NaN) or "
                "clip the value"
            )


def _refuse_text_values(df, args) -> None:
    """A long table's value column holding text, with the advice in flags."""
    import pandas as pd

    named = [args.value] if args.value else list(args.channels or [])
    roles = {*args.id, args.time, args.kind, args.target, args.groups} - {None}
    columns = named or [c for c in df.columns if c not in roles]
    numeric = [str(c) for c in columns if pd.api.types.is_numeric_dtype(df[c])]
    for col in columns:
        column = df[col]
        if pd.api.types.is_numeric_dtype(column):
            continue
        bad = pd.to_numeric(column, errors="coerce").isna() & column.notna()
        if not bad.any():
            continue
        row = int(bad.to_numpy().nonzero()[0][0])
        what = (
            f"column {col!r} of {args.csv} holds text ({column.iloc[row]!r} on line {_line(row)})"
        )
        if args.value:
            raise _UsageError(f"{what}, but --value names the numeric column of the values")
        if named:
            keep = ",".join(c for c in numeric) or "COL[,COL]"
            raise _UsageError(
                f"{what}, but --channels names numeric columns: leave it out "
                f"(--channels {keep}); if it is the label or the groups, pass it as "
                "--target or --groups"
            )
        flags = " --channels " + ",".join(numeric) if numeric else " --channels COL[,COL]"
        raise _UsageError(
            f"{what}, and without --channels every column other than --id, --time, "
            f"--target and --groups is read as a channel. Name the channels:{flags}; if "
            f"{col!r} is the label or the groups, pass it as --target or --groups"
        )


def _parse_times(df, col, path):
    """The --time column as datetimes when it is ISO-8601 text, as database exports write
    times (``2024-01-01 00:30:06.900``); a value that is not one is named with its line."""
    import pandas as pd

    column = df[col]
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return df
    example = "numbers or ISO-8601 text such as 2024-01-01 00:30:06.900"
    try:
        parsed = pd.to_datetime(column, format="ISO8601", errors="coerce")
    except (ValueError, TypeError) as exc:  # e.g. mixed time zones
        raise _UsageError(
            f"column {col!r} (--time) of {path} cannot be read as times: {exc}; --time "
            f"reads {example}, in one time zone"
        ) from None
    bad = (parsed.isna() & column.notna()).to_numpy().nonzero()[0]
    if len(bad):
        row = int(bad[0])
        raise _UsageError(
            f"column {col!r} (--time) of {path} holds {column.iloc[row]!r} on line "
            f"{_line(row)}, which is not a time: --time reads {example}"
        )
    return df.assign(**{col: parsed})


def _is_id_like(column) -> bool:
    """Complete, and text or whole (finite) numbers: what a sample id column holds."""
    import numpy as np
    import pandas as pd

    if column.isna().any():
        return False
    if pd.api.types.is_bool_dtype(column):
        return False
    if not pd.api.types.is_numeric_dtype(column):
        return True
    values = column.to_numpy(dtype=float)
    return bool(np.isfinite(values).all() and (values == values.round()).all())


def _long_layout(features) -> tuple[str, str | None] | None:
    """(id column, time column or None) when a table read as wide looks long.

    A wide table has one row per sample and one column per time step; a long table one row
    per time step, so the same sample id comes back row after row. The signs, in order:

    * an id column among the two leading columns: text or whole numbers, no gaps, at least
      3 rows for the typical id (median);
    * a time column: numeric, complete, never twice the same value within one id, and the
      same few values for every id (at most twice as many distinct values as the longest
      id has rows) -- the time steps restarting per series, in any row order;
    * without a time column (row order as time): each id in one block of consecutive rows,
      and fewer columns than the typical id has rows (few columns for many rows).

    In a complete grid the id and the time column fit either way round; the one whose
    values come in blocks of consecutive rows is taken as the id.

    Wide tables of real series rarely have a leading whole-number column at all, and the
    rows sharing a value of one are neither blocks nor free of repeats in a second column.
    """
    import numpy as np
    import pandas as pd

    columns = list(features.columns)
    found = []
    for id_col in columns[:2]:
        ids = features[id_col]
        if not _is_id_like(ids):
            continue
        counts = ids.value_counts()
        if len(counts) < 2 or counts.median() < 3:
            continue
        codes = pd.factorize(ids)[0]
        in_blocks = 1 + int(np.count_nonzero(np.diff(codes))) == len(counts)
        for time_col in columns:
            times = features[time_col]
            if time_col == id_col or not pd.api.types.is_numeric_dtype(times):
                continue
            if pd.api.types.is_bool_dtype(times) or times.isna().any():
                continue
            if features.duplicated([id_col, time_col]).any():
                continue
            if times.nunique() <= 2 * counts.max():
                found.append((in_blocks, str(id_col), str(time_col)))
                break
        else:
            if in_blocks and len(columns) < counts.median():
                found.append((in_blocks, str(id_col), None))
    if not found:
        return None
    # id and time of a complete grid fit either way round: the id is the one in blocks
    in_blocks, id_col, time_col = max(found, key=lambda f: f[0])
    return id_col, time_col


def _refuse_long_layout(features, path) -> None:
    """Stop a long table (or a table with a text column) from being read as a wide one."""
    import pandas as pd

    found = _long_layout(features)
    if found is not None:
        id_col, time_col = found
        rest = [str(c) for c in features.columns if str(c) not in (id_col, time_col)]
        n_ids = features[id_col].nunique()
        what = f"column {id_col!r} repeats {n_ids} values over {len(features)} rows"
        flags = f"--id {id_col}"
        if time_col is not None:
            what += f" and column {time_col!r} holds the same time steps for each of them"
            flags += f" --time {time_col}"
        if rest:
            flags += f" --channels {','.join(rest)}"
        raise _UsageError(
            f"{path} looks like a long table (one row per time step), not a wide one (one row "
            f"per sample): {what}. Pass {flags} to read it as a long table (or --value and "
            "--kind for the tsfresh layout)"
        )
    for col in features.columns:
        if pd.api.types.is_numeric_dtype(features[col]):
            continue
        what = (
            f"column {col!r} of {path} is not numeric ({features[col].dtype}), and a wide "
            "table (no --id) has one numeric column per time step"
        )
        if features[col].is_unique:  # one row per sample: an id column of a wide table
            raise _UsageError(
                f"{what}. Its values are all different, like sample names: a wide table "
                "reads every column but --target and --groups as a time step, so keep such "
                "a column out of the file; if it is a label or group, pass it as --target "
                "or --groups"
            )
        raise _UsageError(
            f"{what}. If it names the sample of each row, the table is long: pass --id {col} "
            "(with --time and --channels or --value); if it is a label or group, pass it as "
            "--target or --groups"
        )


def _load(args) -> tuple[np.ndarray, np.ndarray, Any, str, bool]:
    """(X, y, groups, description, synthetic?) for the data options."""
    from . import SYNTHETIC_TASKS

    if args.csv is not None:
        for flag in ("data_home", "no_download"):
            if getattr(args, flag):
                raise _UsageError(f"--{flag.replace('_', '-')} only applies to --ucr")
        X, y, groups, what = _load_csv(args)
        return X, y, groups, f"{args.csv} ({what})", False
    table_flags = ("target", "id", "time", "channels", "value", "kind", "groups")
    for flag in table_flags:
        if getattr(args, flag):
            raise _UsageError(f"--{flag} only applies to --csv")
    if args.ucr is not None:
        X, y = _fetch_ucr(args)
        return X, y, None, f"{args.ucr} (UCR/UEA, train and test pooled)", False
    name = args.synthetic or _DEFAULT_TASK
    if name not in SYNTHETIC_TASKS:
        raise _UsageError(
            f"unknown synthetic task {name!r}.{_suggest(name, SYNTHETIC_TASKS)} Choose one of "
            f"{', '.join(sorted(SYNTHETIC_TASKS))}"
        )
    X, y = SYNTHETIC_TASKS[name](n_samples=args.n_samples, random_state=args.seed)
    return X, y, None, f"{name} (synthetic)", True


def _fetch_ucr(args, name: str | None = None):
    """``fetch_ucr`` for ``--ucr``, with a did-you-mean over the datasets already there."""
    from . import fetch_ucr, get_data_home, list_ucr
    from ._datasets import _NAME_RE

    name = args.ucr if name is None else name

    home = get_data_home(args.data_home)
    local = list_ucr(home)
    if not _NAME_RE.fullmatch(name):
        raise _UsageError(
            f"--ucr {name!r} is not a dataset name: letters, digits, '_' and '-', such as "
            f"GunPoint.{_suggest(name.replace(' ', ''), local)}"
        )
    if name.lower() in {n.lower() for n in local}:
        return fetch_ucr(name, split=None, data_home=home, download=False)
    hint = _suggest(name, local)
    if args.no_download:
        raise _UsageError(
            f"dataset {name!r} is not in the cache {home}.{hint} Drop --no-download to "
            "download it, or point --data-home (or $SEQPOOL_DATA_HOME) at the folder that "
            f"holds {name}/"
        )
    if hint and not args.download:
        # A close name at hand is far more often a typo than another archive dataset:
        # say so before a download that may take long or fail on the network.
        raise _UsageError(
            f"dataset {name!r} is not in the cache {home}.{hint} (found there; nothing was "
            f"downloaded). If {name!r} is another archive dataset, pass --download to fetch it"
        )
    return fetch_ucr(name, split=None, data_home=home, download=True)


def _check_scoring(scoring: str | None) -> None:
    """Reject an unknown ``--scoring`` before anything is printed."""
    if scoring is None:
        return
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    if scoring not in names:
        raise _UsageError(
            f"--scoring {scoring!r} is not a scikit-learn metric.{_suggest(scoring, names)} "
            "See sklearn.metrics.get_scorer_names() for the list"
        )


def _is_regression(y: np.ndarray, task: str) -> bool:
    if task != "auto":
        return task == "regression"
    from sklearn.utils.multiclass import type_of_target

    return type_of_target(y) in ("continuous", "continuous-multioutput")


# --------------------------------------------------------------------------- commands
def _summary_table(summary) -> str:
    header = ("rank", "order", "pool", "window", "score (mean ± sd)", "fit time")
    rows = [
        (
            str(rank),
            order,
            pool,
            "global" if window is None else str(window),
            f"{mean:.3f} ± {sd:.3f}",
            f"{fit:.2f} s",
        )
        for rank, order, pool, window, mean, sd, fit in zip(
            summary["rank"],
            summary["order"],
            summary["pool"],
            summary["window"],
            summary["mean_score"],
            summary["std_score"],
            summary["mean_fit_time"],
            strict=True,
        )
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    )


def _estimator_params(args, synthetic: bool, estimator_class) -> tuple[dict, dict]:
    """Keyword arguments for the estimator from the flags, and what ``--quick`` applied.

    Only what the user asked for is passed (plus the seed), so everything else keeps the
    estimator's own default.
    """
    params: dict[str, Any] = {"random_state": args.seed}
    if args.encoder in (None, "auto"):
        if synthetic:  # the synthetic tasks are built for the head on the raw channels
            params["encoder"] = None
    else:
        params["encoder"] = None if args.encoder == "none" else args.encoder
    if args.activation is not None:
        params["activation"] = None if args.activation == "none" else args.activation
    for name in _MODEL_FLAGS:
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    quick: dict[str, Any] = {}
    if args.quick:
        encoder = params.get("encoder", estimator_class().get_params()["encoder"])
        preset = QUICK_PRESET.get(encoder, {})
        quick = {k: v for k, v in preset.items() if k not in params}
        params.update(quick)
    return params, quick


def _quick_message(quick: dict[str, Any], encoder: str | None) -> str:
    """What ``--quick`` applied, and why not more: a flag overrode it, or no preset."""
    preset = QUICK_PRESET.get(encoder, {})  # type: ignore[arg-type]
    if not preset:
        return f"--quick: nothing applied (no cheaper preset for encoder={_show(encoder)})"
    given = [f"--{k.replace('_', '-')}" for k in preset if k not in quick]
    message = f"--quick: {_settings(quick) or 'nothing applied'}"
    return message + (f" ({', '.join(given)} given explicitly)" if given else "")


def _splits_text(args, regression: bool, grouped: bool) -> str:
    """The splitter ``compare_heads`` builds for an integer ``cv``, named as it is."""
    kind = "KFold" if regression else "StratifiedKFold"
    if grouped:
        kind = kind.replace("KFold", "GroupKFold")
        kind = f"{kind}({args.cv}) by column {args.groups!r}"
    else:
        kind = f"{kind}({args.cv})"
    repeats = f"{args.repeats} repeat{'' if args.repeats == 1 else 's'}"
    return f"{kind} x {repeats} = {args.cv * args.repeats} splits"


def _check_out(out: Path, files: list[str], overwrite: bool) -> None:
    """Refuse to replace the results of an earlier run unless ``--overwrite``."""
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {out} is a file, not a folder")
    if overwrite:
        return
    found = [name for name in files if (out / name).exists()]
    if found:
        raise _UsageError(
            f"{out / found[0]} exists from an earlier run; pass --overwrite to replace "
            "it, or choose another folder with --out"
        )


def _check_data(args, X, what: str) -> None:
    if X.ndim != 3 or len(X) < 2 * args.cv:
        raise _UsageError(f"{what}: {len(X)} samples are too few for --cv {args.cv}")
    too_long = [w for w in args.windows if w is not None and w > X.shape[2]]
    if too_long:
        raise _UsageError(
            f"window {too_long[0]} is longer than the series ({X.shape[2]} steps) of {what}"
        )


def _ucr_names(args) -> list[str] | None:
    """The datasets of ``--ucr A,B,C`` or ``--ucr all``; None for one dataset (or none)."""
    if args.ucr is None:
        return None
    names = list(dict.fromkeys(n.strip() for n in args.ucr.split(",") if n.strip()))
    if len(names) == 1 and names[0].lower() != "all":
        args.ucr = names[0]
        return None
    if any(n.lower() == "all" for n in names):
        if len(names) > 1:
            raise _UsageError("--ucr all already means every dataset; give it alone")
        from . import get_data_home, list_ucr

        home = get_data_home(args.data_home)
        names = list_ucr(home)
        what = f"the data home {home} holds {len(names)} UCR/UEA dataset"
        if len(names) < 2:
            raise _UsageError(
                f"--ucr all compares across datasets, but {what}{'' if names else 's'}; point "
                "--data-home (or $SEQPOOL_DATA_HOME) at the folder of the archive"
            )
    return names


# What `seqpool compare --ucr A,B,...` writes into --out beside a folder per dataset
COMBINED_FILE = "combined.csv"
ORDER_EFFECT_FILE = "order_effect_across_datasets.csv"
CD_FIGURE_FILE = "critical_difference.png"


def _cmd_compare(args) -> int:
    start = time.perf_counter()
    if not 0 < args.alpha < 1:
        raise _UsageError(f"--alpha must be between 0 and 1, got {args.alpha}")
    names = _ucr_names(args)
    if names is not None:
        return _compare_many(args, names, start)
    _check_out(args.out, [RESULTS_FILE, FIGURE_FILE], args.overwrite)
    args.orders = args.orders or list(_orders())
    args.pools = args.pools or _default_pools()
    _check_scoring(args.scoring)
    X, y, groups, what, synthetic = _load(args)
    _check_data(args, X, what)
    _compare_one(args, X, y, groups, what, synthetic, args.out, start)
    return 0


def _compare_many(args, names: list[str], start: float) -> int:
    """``--ucr A,B,C``: one comparison per dataset, each in its own folder, then combined."""
    for flag in ("target", "id", "time", "channels", "value", "kind", "groups"):
        if getattr(args, flag):
            raise _UsageError(f"--{flag} only applies to --csv")
    files = [f"{name}/{f}" for name in names for f in (RESULTS_FILE, FIGURE_FILE)]
    _check_out(args.out, [*files, COMBINED_FILE, ORDER_EFFECT_FILE, CD_FIGURE_FILE], args.overwrite)
    args.orders = args.orders or list(_orders())
    args.pools = args.pools or _default_pools()
    _check_scoring(args.scoring)
    data = {}
    for name in names:  # every dataset is read and checked before the first fit
        X, y = _fetch_ucr(args, name)
        what = f"{name} (UCR/UEA, train and test pooled)"
        _check_data(args, X, what)
        data[name] = (X, y, what)
    results = {}
    for i, (name, (X, y, what)) in enumerate(data.items(), start=1):
        print(f"{'' if i == 1 else chr(10)}[{i}/{len(data)}] {name}", flush=True)
        results[name] = _compare_one(
            args, X, y, None, what, False, args.out / name, time.perf_counter()
        )

    from . import summarize_comparisons

    summary = summarize_comparisons(results)
    print(f"\nAcross {len(results)} datasets:")
    print(summary.report(alpha=args.alpha))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = [args.out / COMBINED_FILE]
    summary.scores.to_csv(written[0], index=False)
    if set(_orders()) <= set(args.orders):
        written.append(args.out / ORDER_EFFECT_FILE)
        summary.order_effect(alpha=args.alpha).to_csv(written[-1], index=False)
    fig = summary.plot(alpha=args.alpha)
    written.append(args.out / CD_FIGURE_FILE)
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)
    print(
        f"\nWrote {', '.join(map(str, written))} and a folder per dataset "
        f"({time.perf_counter() - start:.0f} s)"
    )
    return 0


def _compare_one(args, X, y, groups, what: str, synthetic: bool, out: Path, start: float):
    """Cross-validate the grid on one dataset, print the tables, write into ``out``."""
    import numpy as np

    from . import SeqPoolClassifier, SeqPoolRegressor, compare_heads

    # One thread per process: the models are small, and several fits run side by side.
    if "OMP_NUM_THREADS" not in os.environ:
        import torch

        torch.set_num_threads(1)
    regression = _is_regression(y, args.task)
    estimator_class = SeqPoolRegressor if regression else SeqPoolClassifier
    params, quick = _estimator_params(args, synthetic, estimator_class)
    estimator = estimator_class(**params)
    settings = estimator.get_params()
    moot = {"encoder_channels"} if settings.get("encoder") is None else set()
    shown = ", ".join(
        f"{k}={_show(settings[k])}" for k in _SHOWN_PARAMS if k in settings and k not in moot
    )
    if regression:
        y = np.asarray(y, dtype=float)
        kind = "regression"
    else:
        kind = f"classification, {len(np.unique(y))} classes"
    n_configs = len(args.orders) * len(args.pools) * len(args.windows)
    n_splits = args.cv * args.repeats
    if args.quick:
        print(_quick_message(quick, settings["encoder"]))
    print(
        f"{what}: {X.shape[0]} samples, {X.shape[1]} channel{'' if X.shape[1] == 1 else 's'}, "
        f"{X.shape[2]} steps; {kind}\n"
        f"{estimator_class.__name__}({shown}); "
        f"{_splits_text(args, regression, groups is not None)}; {n_configs} designs, "
        f"{n_configs * n_splits * (args.n_seeds or 1)} fits",
        flush=True,
    )
    out.mkdir(parents=True, exist_ok=True)
    grid = {"orders": args.orders, "pools": args.pools, "windows": args.windows}
    splits = {"cv": args.cv, "n_repeats": args.repeats, "groups": groups}
    stats = {"scoring": args.scoring, "n_seeds": args.n_seeds}
    result = compare_heads(
        estimator,
        X,
        y,
        **grid,
        **splits,
        **stats,
        equivalence_margin=args.equivalence_margin,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        progress=not args.quiet,
    )
    metric = args.scoring or ("R²" if regression else "accuracy")
    print(f"\n{metric} per head design (best first):")
    print(_summary_table(result.summary()))
    if set(_orders()) <= set(args.orders):
        print("\n" + result.report(alpha=args.alpha))
    else:
        print("\nOrder effect: not tested (needs both orders).")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    csv_path, png_path = out / RESULTS_FILE, out / FIGURE_FILE
    result.results.to_csv(csv_path, index=False)
    fig = result.plot(alpha=args.alpha, title=what)
    fig.savefig(png_path, dpi=120)
    plt.close(fig)
    print(f"\nWrote {csv_path} and {png_path} ({time.perf_counter() - start:.0f} s)")
    return result


def _plain_text(text: str) -> str:
    """A docstring line for the terminal: reST roles and literals as plain text."""
    import re

    text = re.sub(r":[\w:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)  # :func:`name`
    return re.sub(r"``([^`]*)``", r"\1", text)


def _cmd_datasets(args) -> int:
    from . import SYNTHETIC_TASKS, get_data_home, list_ucr

    print("Synthetic tasks (seqpool compare --synthetic NAME):")
    width = max(map(len, SYNTHETIC_TASKS))
    for name, func in SYNTHETIC_TASKS.items():
        first = _plain_text((func.__doc__ or "").strip().splitlines()[0])
        print(f"  {name:<{width}}  {first}")
    home = get_data_home(args.data_home)
    names = list_ucr(home)
    print(f"\nUCR/UEA datasets in {home} (seqpool compare --ucr NAME):")
    if names:
        for name in names:
            print(f"  {name}")
    else:
        print(
            "  (none found; point --data-home or $SEQPOOL_DATA_HOME at a folder holding "
            "<Name>/<Name>_TRAIN.ts and _TEST.ts (or .tsv), or let --ucr NAME download one)"
        )
    return 0


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
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("seqpool: interrupted", file=sys.stderr)
        return 130
    except (_UsageError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"seqpool: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
