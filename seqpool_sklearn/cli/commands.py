"""The ``seqpool compare`` and ``seqpool datasets`` commands."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import (
    _check_classes,
    _check_folds,
    _check_groups,
    _check_ridge_flags,
    _check_scoring,
    _check_target,
    _data_home,
    _fetch_ucr,
    _is_regression,
    _load,
    _refuse_moot_flags,
    _refuse_synthetic_flags,
    _refuse_table_flags,
)
from .options import (
    _MODEL_FLAGS,
    _SHOWN_PARAMS,
    FIGURE_FILE,
    QUICK_PRESET,
    RESULTS_FILE,
    _default_pools,
    _orders,
    _settings,
    _show,
    _UsageError,
)

if TYPE_CHECKING:
    pass


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
    if args.readout is not None:
        params["readout"] = args.readout
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


# What `seqpool compare --ucr A,B,...` writes into --out beside a folder per dataset
COMBINED_FILE = "combined.csv"
ORDER_EFFECT_FILE = "order_effect_across_datasets.csv"
CD_FIGURE_FILE = "critical_difference.png"
# the files of one dataset's comparison: in --out, or in a dataset's folder of --out
_DATASET_FILES = (RESULTS_FILE, FIGURE_FILE)
_ACROSS_FILES = (COMBINED_FILE, ORDER_EFFECT_FILE, CD_FIGURE_FILE)


# Every run lists the files it writes here, before it writes them: --overwrite removes
# what an earlier run listed, and nothing it did not write.
MANIFEST_FILE = ".seqpool-compare-files"


def _earlier_outputs(out: Path) -> list[Path]:
    """The files in ``out`` that an earlier run of ``seqpool compare`` wrote: those its
    manifest lists (with the manifest), or, without one, the files of the names a run
    writes at the top of ``out``. Never a file of a folder no run listed."""
    if not out.is_dir():
        return []
    manifest = out / MANIFEST_FILE
    if manifest.is_file():
        listed = []
        for line in manifest.read_text(encoding="utf-8").splitlines():
            rel = Path(line.strip())
            # only the names a run writes, inside out: a hand-edited line cannot reach out
            if line.strip() and not rel.is_absolute() and ".." not in rel.parts:
                if rel.name in (*_DATASET_FILES, *_ACROSS_FILES) and len(rel.parts) <= 2:
                    listed.append(out / rel)
        return [p for p in listed if p.exists() or p.is_symlink()] + [manifest]
    return [out / name for name in (*_DATASET_FILES, *_ACROSS_FILES) if (out / name).exists()]


def _write_manifest(out: Path, files: list[str]) -> None:
    """List the files this run is about to write (before a fit, so a run stopped halfway is
    cleaned up as well)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_FILE).write_text("".join(f"{f}\n" for f in files), encoding="utf-8")


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuse a folder that holds an earlier run's results unless ``--overwrite``: a
    single-dataset run beside the files of a run across datasets, and the other way round,
    would leave a folder of mixed results."""
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {out} is a file, not a folder")
    found = _earlier_outputs(out)
    earlier = [p for p in found if p.name != MANIFEST_FILE]  # the list alone is no output
    if overwrite:
        for path in found:
            if path.is_dir() and not path.is_symlink():
                raise _UsageError(
                    f"{path} is a folder, where seqpool compare writes a file; --overwrite "
                    "removes only files it wrote: move it, or choose another folder with --out"
                )
    elif earlier:
        raise _UsageError(
            f"{earlier[0]} exists from an earlier run; pass --overwrite to replace it (it removes "
            "that run's results, nothing else, when this run writes its own), or choose another "
            "folder with --out"
        )


def _clear_out(out: Path, overwrite: bool, planned: list[str]) -> list[Path]:
    """List what this run will write in ``out`` (its first write: a folder that cannot be
    written is refused here, before anything is printed or trained); returns the files of
    an earlier run that ``--overwrite`` replaces.

    They are removed by :func:`_remove_earlier` when this run writes its first results, not
    before: a run that fails or is stopped while training leaves the earlier results as
    they were. The list names them too, so the next ``--overwrite`` finds them whatever
    this run got to."""
    found = _earlier_outputs(out) if overwrite else []
    earlier = [p.relative_to(out).as_posix() for p in found if p.name != MANIFEST_FILE]
    try:
        _write_manifest(out, list(dict.fromkeys([*planned, *earlier])))
    except OSError as exc:
        raise _UsageError(f"--out {out} cannot be written: {exc.strerror or exc}") from None
    return [p for p in found if p.name != MANIFEST_FILE]


def _remove_earlier(args) -> None:
    """Remove the files of an earlier run that ``--overwrite`` replaces (and the dataset
    folders that leaves empty), once, just before this run writes its first results."""
    found = getattr(args, "earlier_outputs", None)
    if not found:
        return
    args.earlier_outputs = []
    out = args.out
    try:
        for path in found:
            if path.exists() or path.is_symlink():
                path.unlink()
        for folder in dict.fromkeys(p.parent for p in found if p.parent != out):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        # the names this run writes stay listed although an earlier file of that name is
        # gone: the next run must find this run's results
        planned = set(getattr(args, "planned_outputs", ()))
        gone = {p.relative_to(out).as_posix() for p in found} - planned
        listed = (out / MANIFEST_FILE).read_text(encoding="utf-8").splitlines()
        _write_manifest(out, [line for line in listed if line not in gone])
    except OSError as exc:
        raise _UsageError(f"--out {out} cannot be written: {exc.strerror or exc}") from None
    _note(
        f"--overwrite: removed {len(found)} file{'' if len(found) == 1 else 's'} of "
        f"an earlier run from {out}"
    )


def _note(text: str) -> None:
    """A line about the run, not of its report: on stderr, so that stdout holds the report
    alone (``seqpool compare > report.txt``)."""
    print(text, file=sys.stderr, flush=True)


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
    names = [n.strip() for n in args.ucr.split(",") if n.strip()]
    seen: dict[str, str] = {}
    for name in names:  # the archive's names differ in more than case
        if name.lower() in seen:
            same = "" if seen[name.lower()] == name else f" (as {seen[name.lower()]!r} too)"
            raise _UsageError(
                f"--ucr names {name!r} twice{same}; name each dataset once, or one dataset "
                "would count twice in the answer across datasets"
            )
        seen[name.lower()] = name
    if not names:
        raise _UsageError("--ucr needs a dataset name: NAME, NAME,NAME,... or all")
    if len(names) == 1 and names[0].lower() != "all":
        args.ucr = names[0]
        return None
    if any(n.lower() == "all" for n in names):
        if len(names) > 1:
            raise _UsageError("--ucr all already means every dataset; give it alone")
        from .. import list_ucr

        home = _data_home(args)
        names = list_ucr(home)
        what = f"the data home {home} holds {len(names)} UCR/UEA dataset"
        if len(names) < 2:
            raise _UsageError(
                f"--ucr all compares across datasets, but {what}{'' if names else 's'}; point "
                "--data-home (or $SEQPOOL_DATA_HOME) at the folder of the archive"
            )
    return names


# printed before a ridge run's header when --orders was left out
RIDGE_ORDERS_NOTE = (
    "--readout ridge: order pool_first only; decode_first behind the avg pool solves the "
    "same readout, the same model by construction (--orders decode_first runs it alone)"
)


def _resolve_orders(args) -> None:
    """The orders of the grid: all, or under ``--readout ridge`` pool_first alone.

    The ridge readout of decode_first exists only behind the avg pool, where it computes
    the same function as pool_first's (``estimators/ridge.py``): two orders of one model,
    whose "order effect" a test could only fail to find. Asked for explicitly, refused.
    """
    ridge = getattr(args, "readout", None) == "ridge"
    args.ridge_orders_note = ridge and args.orders is None
    if args.orders is None:
        args.orders = ["pool_first"] if ridge else list(_orders())
    elif ridge and {"pool_first", "decode_first"} <= set(args.orders):
        raise _UsageError(
            "--readout ridge solves one linear readout of the pooled maps, and decode_first "
            "(only behind the avg pool) computes that same readout: under ridge the two "
            "orders are the same model by construction, with no effect to test. Pass "
            "--orders pool_first to compare pools and windows, or --readout trained to "
            "compare the orders"
        )


def _pyplot():
    """matplotlib's pyplot on the file-only Agg back-end, or None where matplotlib is not
    installed (it comes with the ``cli`` and ``plot`` extras, not with the package)."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _note_no_figures(plt) -> None:
    if plt is None:
        _note(
            "note: matplotlib is not installed, so no figure is drawn; the tables and the "
            'CSV files are as usual (pip install -e ".[cli]" adds the figures)'
        )


def _cmd_compare(args) -> int:
    start = time.perf_counter()
    if not 0 < args.alpha < 1:
        raise _UsageError(f"--alpha must be between 0 and 1, got {args.alpha}")
    if args.equivalence_margin is not None and not args.alpha < 0.5:
        raise _UsageError(
            f"--alpha {args.alpha:g} with --equivalence-margin: the equivalence test (two "
            "one-sided tests) at level alpha reads the 1 - 2*alpha confidence interval, so it "
            "needs --alpha below 0.5 (0.05, say); or leave out --equivalence-margin"
        )
    names = _ucr_names(args)
    if names is not None:
        return _compare_many(args, names, start)
    _check_out(args.out, args.overwrite)
    _resolve_orders(args)
    args.pools = args.pools or _default_pools()
    _check_scoring(args.scoring)
    _check_ridge_flags(args)
    X, y, groups, what, synthetic = _load(args)
    _refuse_moot_flags(args, synthetic)
    _check_target(args, y, what)
    _check_classes(args, y, what)
    _check_groups(args, groups)
    _check_data(args, X, what)
    drawn = _check_folds(args, X, y, groups, what)
    plt = _pyplot()
    args.planned_outputs = [f for f in _DATASET_FILES if plt or f != FIGURE_FILE]
    args.earlier_outputs = _clear_out(args.out, args.overwrite, args.planned_outputs)
    _note_no_figures(plt)
    _compare_one(args, X, y, groups, what, synthetic, args.out, start, drawn)
    return 0


def _compare_many(args, names: list[str], start: float) -> int:
    """``--ucr A,B,C``: one comparison per dataset, each in its own folder, then combined."""
    _refuse_table_flags(args)
    _refuse_synthetic_flags(args, "--ucr")
    _check_out(args.out, args.overwrite)
    _refuse_moot_flags(args, synthetic=False)
    _resolve_orders(args)
    args.pools = args.pools or _default_pools()
    _check_scoring(args.scoring)
    _check_ridge_flags(args)
    loaded = {name: _fetch_ucr(args, name) for name in names}  # all before the first fit
    loaded = _datasets_of_the_task(args, loaded)
    _refuse_mixed_tasks(args, {name: y for name, (_, y) in loaded.items()})
    data = {}
    for name, (X, y) in loaded.items():  # every dataset is checked before the first fit
        what = f"{name} (UCR/UEA, train and test pooled)"
        _check_target(args, y, what)
        _check_classes(args, y, what)
        _check_data(args, X, what)
        data[name] = (X, y, what, _check_folds(args, X, y, None, what))
    plt = _pyplot()
    figures = (FIGURE_FILE, CD_FIGURE_FILE)
    planned = [f"{name}/{f}" for name in data for f in _DATASET_FILES]
    planned += list(_ACROSS_FILES)
    args.planned_outputs = [f for f in planned if plt or Path(f).name not in figures]
    args.earlier_outputs = _clear_out(args.out, args.overwrite, args.planned_outputs)
    _note_no_figures(plt)
    results = {}
    for i, (name, (X, y, what, drawn)) in enumerate(data.items(), start=1):
        print(f"{'' if i == 1 else chr(10)}[{i}/{len(data)}] {name}", flush=True)
        results[name] = _compare_one(
            args, X, y, None, what, False, args.out / name, time.perf_counter(), drawn
        )

    from .. import summarize_comparisons

    summary = summarize_comparisons(results, equivalence_margin=args.equivalence_margin)
    written = [args.out / COMBINED_FILE]
    summary.scores.to_csv(written[0], index=False)
    if set(_orders()) <= set(args.orders):
        written.append(args.out / ORDER_EFFECT_FILE)
        summary.order_effect(alpha=args.alpha).to_csv(written[-1], index=False)
    if plt is not None:
        fig = summary.plot(alpha=args.alpha)
        written.append(args.out / CD_FIGURE_FILE)
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    # written before the report is printed, as each dataset's files are
    print(f"\nAcross {len(results)} datasets:")
    print(summary.report(alpha=args.alpha))
    print(
        f"\nWrote {', '.join(map(str, written))} and a folder per dataset "
        f"({time.perf_counter() - start:.0f} s)"
    )
    return 0


def _datasets_of_the_task(args, loaded: dict) -> dict:
    """``--ucr all --task T``: the datasets of the data home whose targets are of task T
    (the others are named on stderr and left out); any other selection as it is."""
    if args.ucr.strip().lower() != "all" or args.task == "auto":
        return loaded
    regression = args.task == "regression"
    kept = {k: v for k, v in loaded.items() if _is_regression(v[1], "auto") == regression}
    left = [name for name in loaded if name not in kept]
    if not kept:
        raise _UsageError(
            f"--ucr all --task {args.task}: the data home holds no {args.task} dataset "
            f"(it holds {', '.join(loaded)})."
        )
    if len(kept) < 2:
        (name,) = kept
        raise _UsageError(
            f"--ucr all --task {args.task}: the data home holds one {args.task} dataset, "
            f"{name}, and the answer across datasets needs two or more; compare it alone "
            f"with --ucr {name}"
        )
    if left:
        other = "classification" if regression else "regression"
        _note(
            f"--ucr all --task {args.task}: {len(kept)} datasets; left out the {other} "
            f"dataset{'s' if len(left) > 1 else ''} {', '.join(left)}."
        )
    return kept


def _refuse_mixed_tasks(args, targets: dict) -> None:
    """Datasets of regression beside datasets of classification, refused before any fit:
    the answer across datasets tests differences of one metric (R² beside accuracy has no
    common scale), so the datasets of one task are compared at a time."""
    if args.task != "auto":  # one task for all: a target that cannot take it is refused
        return
    regression = [name for name, y in targets.items() if _is_regression(y, "auto")]
    if not regression or len(regression) == len(targets):
        return
    classification = [name for name in targets if name not in regression]

    def shown(names: list[str], kind: str) -> str:
        if len(names) > 3:
            return f"{len(names)} {kind} datasets"
        if len(names) == 1:
            return f"a {kind} dataset ({names[0]})"
        return f"{kind} datasets ({', '.join(names)})"

    larger = max(classification, regression, key=len)
    if args.ucr.strip().lower() == "all":
        where = "--ucr all: the data home holds"
        task = "regression" if larger is regression else "classification"
        example = f", e.g. --ucr all --task {task} for the {len(larger)} {task} datasets"
    else:
        where = "--ucr names"
        example = f", e.g. --ucr {','.join(larger)}" if len(larger) > 1 else ""
    raise _UsageError(
        f"{where} {shown(regression, 'regression')} and "
        f"{shown(classification, 'classification')}, and the answer across datasets tests "
        "differences of one metric (a regression score beside a classification score has no "
        f"common scale): compare the datasets of one task at a time{example}"
    )


def _compare_one(args, X, y, groups, what: str, synthetic: bool, out: Path, start: float, drawn):
    """Cross-validate the grid on one dataset, print the tables, write into ``out``;
    ``drawn`` holds the splits :func:`_check_folds` drew (``--cv`` x ``--repeats``)."""
    import numpy as np

    from .. import SeqPoolClassifier, SeqPoolRegressor, compare_heads

    regression = _is_regression(y, args.task)
    estimator_class = SeqPoolRegressor if regression else SeqPoolClassifier
    params, quick = _estimator_params(args, synthetic, estimator_class)
    estimator = estimator_class(**params)
    settings = estimator.get_params()
    n_classes = None if regression else len(np.unique(y))
    if settings.get("hidden_size") is None:  # the width the rule gives for these classes
        from .._options import default_hidden_size

        settings["hidden_size"] = default_hidden_size(n_classes)
    if isinstance(settings.get("encoder"), str) and settings.get("encoder_channels") is None:
        # the width the encoder builds by default, as --help words it (9996 maps)
        from .._options import DEFAULT_ENCODER_BUILT

        built = DEFAULT_ENCODER_BUILT.get(settings["encoder"])
        if built is not None:
            settings["encoder_channels"] = built
    moot = {"encoder_channels"} if settings.get("encoder") is None else set()
    if settings.get("readout") == "ridge":  # nothing is trained
        moot |= {"max_epochs", "lr", "lr_schedule", "batch_size", "label_smoothing"}
    shown = ", ".join(
        f"{k}={_show(settings[k])}" for k in _SHOWN_PARAMS if k in settings and k not in moot
    )
    if regression:
        y = np.asarray(y, dtype=float)
        kind = "regression"
    else:
        kind = f"classification, {n_classes} classes"
        numeric = np.asarray(y).dtype.kind in "iuf"
        if args.task == "auto" and numeric and n_classes > 10:
            # whole numbers are read as classes; many of them may well be amounts (ages)
            kind += " (whole numbers read as classes; --task regression reads amounts)"
    n_configs = len(args.orders) * len(args.pools) * len(args.windows)
    n_splits = args.cv * args.repeats
    if args.quick:
        _note(_quick_message(quick, settings["encoder"]))
    if getattr(args, "ridge_orders_note", False):
        _note(RIDGE_ORDERS_NOTE)
    if drawn.note:
        _note(drawn.note)
    print(
        f"{what}: {X.shape[0]} samples, {X.shape[1]} channel{'' if X.shape[1] == 1 else 's'}, "
        f"{X.shape[2]} steps; {kind}\n"
        f"{estimator_class.__name__}({shown}); "
        f"{_splits_text(args, regression, groups is not None)}; {n_configs} "
        f"design{'' if n_configs == 1 else 's'}, "
        f"{n_configs * n_splits * (args.n_seeds or 1)} fits",
        flush=True,
    )
    out.mkdir(parents=True, exist_ok=True)
    grid = {"orders": args.orders, "pools": args.pools, "windows": args.windows}
    splits = {"cv": drawn, "groups": groups}
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
    # the fits' scores are written first: a report that cannot be made (NaN scores)
    # does not lose them. Every file is written before the report is printed, so a reader
    # that stops early (seqpool compare | head) leaves the folder complete.
    csv_path, png_path = out / RESULTS_FILE, out / FIGURE_FILE
    _remove_earlier(args)  # only now: a failed fit has left the earlier results in place
    out.mkdir(parents=True, exist_ok=True)  # its folder may have been emptied and removed
    result.results.to_csv(csv_path, index=False)
    written = [csv_path]
    plt = _pyplot()
    if plt is not None:
        fig = result.plot(alpha=args.alpha, title=what)
        fig.savefig(png_path, dpi=120)
        plt.close(fig)
        written.append(png_path)
    metric = args.scoring or ("R²" if regression else "accuracy")
    print(f"\n{metric} per head design (best first):")
    print(_summary_table(result.summary()))
    # with one order the report says the order effect is not tested and still tests the
    # pool and window effects
    print("\n" + result.report(alpha=args.alpha))
    print(f"\nWrote {' and '.join(map(str, written))} ({time.perf_counter() - start:.0f} s)")
    return result


def _plain_text(text: str) -> str:
    """A docstring line for the terminal: reST roles and literals as plain text."""
    import re

    text = re.sub(r":[\w:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)  # :func:`name`
    return re.sub(r"``([^`]*)``", r"\1", text)


def _cmd_datasets(args) -> int:
    from .. import SYNTHETIC_TASKS, list_ucr

    # the data home is read first: a bad one ends the command before anything is printed
    home = _data_home(args)
    names = list_ucr(home)
    print("Synthetic tasks (seqpool compare --synthetic NAME):")
    width = max(map(len, SYNTHETIC_TASKS))
    for name, func in SYNTHETIC_TASKS.items():
        first = _plain_text((func.__doc__ or "").strip().splitlines()[0])
        print(f"  {name:<{width}}  {first}")
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
