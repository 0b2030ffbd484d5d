"""The command line's shared pieces: constants, argument types, option lists and help texts."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _options

if TYPE_CHECKING:
    pass

_DEFAULT_TASK = "nonlinear_steps"
# What `seqpool compare` writes into --out (the docs name them; tests/test_docs.py checks)
RESULTS_FILE = "results.csv"
FIGURE_FILE = "compare.png"
_DEFAULT_POOLS = ("avg", "max")
# --quick: a narrower encoder for a first look, per encoder, applied only where no flag is
# given. Single fits with the estimator's training defaults on six UCR archive datasets
# (archive train/test split): 336 minirocket maps instead of the full width were 6-10x
# faster with pool_first and ~40x per epoch with decode_first, within three points of its
# accuracy; a conv width of 16 was 3-5x faster, within about one point on five datasets
# (Beef, 30 test series, lost more). Shorter training was tried with the earlier defaults
# and cost far more accuracy for the same saving; a GRU of 16 units saved only 1.5-2.5x and
# lost accuracy, so gru has no preset. An encoder missing here (or none, as for the
# synthetic tasks) keeps the estimator's settings.
QUICK_PRESET: dict[str, dict[str, Any]] = {
    "minirocket": {"encoder_channels": 336},
    "minirocket_alternating": {"encoder_channels": 336},
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
    items = [v.strip() for v in text.split(",")]
    if any(not v for v in items) and any(items):
        raise argparse.ArgumentTypeError(
            f"{text!r} has an empty item; separate pools with single commas, e.g. avg,max"
        )
    for item in [v for v in items if v] or [""]:
        members = [m.strip() for m in item.split("+")]
        if len(members) > 1 and not all(members):
            raise argparse.ArgumentTypeError(
                f"{item!r} has an empty pool name; join pools with '+', e.g. ppv+lspv"
            )
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
    from .._validation import did_you_mean

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


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _int_at_least(low: int):
    def parse(text: str) -> int:
        value = _integer(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _fraction(text: str) -> float:
    """A number strictly between 0 and 1 (a significance level)."""
    value = _positive_float(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text}")
    return value


def _seed(text: str) -> int:
    """A seed NumPy takes: an integer from 0 to 2**32 - 1."""
    value = _int_at_least(0)(text)
    if value > 2**32 - 1:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to 2**32 - 1, got {value}")
    return value


def _n_jobs(text: str) -> int:
    """joblib's ``n_jobs``: a positive count, or -1 for every core (-2: all but one ...)."""
    value = _integer(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "expected a positive number of parallel fits, or -1 for every core; got 0"
        )
    return value


def _out_dir(text: str) -> Path:
    """An output folder that can be made: no file among its parent folders (``--out`` itself
    being a file is reported with the other output checks). An empty name is refused:
    Path('') is the current folder, where the results would land unasked."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "expected a folder name, got an empty one (pass --out . for the current folder)"
        )
    path = Path(text)
    for part in path.parents:
        if part.exists():
            if not part.is_dir():
                raise argparse.ArgumentTypeError(
                    f"{text!r} cannot be a folder: {str(part)!r} is a file"
                )
            break
    return path


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
# How the head's weights are found (the estimators' ``readout``).
_READOUTS = ("trained", "ridge")
# Shown in the run's header line, when the estimator has them.
_SHOWN_PARAMS = (
    "encoder",
    "readout",
    "activation",
    "hidden_size",
    "encoder_channels",
    "max_epochs",
    "lr",
    "lr_schedule",
    "batch_size",
    "label_smoothing",
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
    if name == "hidden_size" and default == "none":
        return (
            f"estimator default: {_options.HIDDEN_SIZE}, {_options.MANY_CLASSES_HIDDEN_SIZE} "
            f"for {_options.MANY_CLASSES} classes or more; with --readout ridge at least "
            "twice the readout's rank (2 x (classes - 1) for a classifier)"
        )
    if name != "encoder_channels" or default != "none":
        return f"estimator default: {default}"
    widths = _modules_attr("DEFAULT_ENCODER_BUILT", {})
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
