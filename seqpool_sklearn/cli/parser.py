"""The ``seqpool`` argument parser."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .commands import _cmd_compare, _cmd_datasets
from .options import (
    _DEFAULT_TASK,
    _MODEL_FLAGS,
    _READOUTS,
    FIGURE_FILE,
    RESULTS_FILE,
    _activations,
    _add_deferred,
    _choice_list,
    _columns,
    _default_pools,
    _default_text,
    _encoders,
    _estimator_default,
    _fraction,
    _int_at_least,
    _n_jobs,
    _one_of,
    _or,
    _orders,
    _out_dir,
    _Parser,
    _pool_list,
    _pools,
    _positive_float,
    _quick_text,
    _seed,
    _windows,
)

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``seqpool`` (sub-commands ``compare`` and ``datasets``)."""
    from .. import __version__

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
    source.add_argument(
        "--csv",
        metavar="PATH",
        type=Path,
        help="a CSV table, long or wide (- reads it from standard input)",
    )
    data.add_argument(
        "--data-home",
        metavar="DIR",
        help="UCR folder (default $SEQPOOL_DATA_HOME, else ~/seqpool_data, where a missing "
        "dataset is downloaded)",
    )
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
    data.add_argument("--n-samples", metavar="N", type=size, help="synthetic size (300)")
    data.add_argument("--target", metavar="COL", help="CSV: the label / target column")
    data.add_argument(
        "--sep",
        metavar="CHAR",
        help="CSV: the field separator, e.g. '|' or '\\t' for a tab (default: ',', or ';' "
        "or a tab when the header line holds one and no comma)",
    )
    data.add_argument(
        "--decimal",
        metavar="CHAR",
        choices=(".", ","),
        help="CSV: the decimal mark, '.' or ',' (default: ',' when a column of a table "
        "not separated by commas holds only numbers, some written with a decimal comma)",
    )
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
    data.add_argument(
        "--drop",
        metavar="COL[,COL]",
        type=_columns,
        help="CSV: columns to leave out (a wide table's sample id or date column, a long "
        "table's column that is no channel)",
    )
    blocks_help = "wide CSV: number of channel-major column blocks (1)"
    data.add_argument("--n-channels", metavar="N", type=_int_at_least(1), help=blocks_help)
    data.add_argument(
        "--pattern",
        metavar="REGEX",
        help="wide CSV: read each column's channel and time step from its name with a "
        "regular expression with groups 'channel' and 'time', e.g. "
        "'(?P<channel>.+)_(?P<time>[0-9]+)' for x_0,...,x_99,y_0,... in any column order",
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
    _add_deferred(
        model,
        "--readout",
        metavar="HOW",
        type=_one_of(lambda: _READOUTS),
        help_text=lambda: (
            "trained (by the optimizer) or ridge (solved in closed form, no training; "
            "runs pool_first only, as decode_first's ridge readout, behind the avg pool, is "
            "the same model) "
            f"(estimator default: {_estimator_default('readout')})"
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
        "--alpha", metavar="A", type=_fraction, default=0.05, help="significance level (0.05)"
    )
    margin_help = (
        "designs within +-M of each other count as equivalent (TOST); M is in score units: "
        "0.01 is one accuracy point"
    )
    run.add_argument("--equivalence-margin", metavar="M", type=_positive_float, help=margin_help)
    seeds_help = "refit every design on every split under K seeds, paired by (split, seed)"
    run.add_argument("--n-seeds", metavar="K", type=_int_at_least(1), help=seeds_help)
    run.add_argument(
        "--n-jobs", metavar="N", type=_n_jobs, default=None, help="parallel fits (joblib)"
    )
    run.add_argument(
        "--seed", metavar="S", type=_seed, default=0, help="seeds data, folds and weights (0)"
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        type=_out_dir,
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
    ds.add_argument(
        "--data-home",
        metavar="DIR",
        help="UCR folder (default $SEQPOOL_DATA_HOME, else ~/seqpool_data)",
    )
    ds.set_defaults(func=_cmd_datasets)
    return parser
