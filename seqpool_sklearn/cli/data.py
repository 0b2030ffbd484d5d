"""Reading what ``seqpool compare`` compares: CSV tables, UCR/UEA datasets, synthetic tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import _DEFAULT_TASK, _suggest, _UsageError

if TYPE_CHECKING:
    import numpy as np


# --------------------------------------------------------------------------- data
def _load_csv(args) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    import pandas as pd

    from .. import WideToSequences, long_to_sequences

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
        channels = [value] if isinstance(value, str) else list(value or [])
        flag = "--value" if args.value else "--channels"
        if len(set(channels)) < len(channels):
            twice = next(c for c in channels if channels.count(c) > 1)
            raise _UsageError(f"{flag} names column {twice!r} twice; name each channel once")
        for other, column in (("--target", args.target), ("--groups", args.groups)):
            if column is not None and column in channels:
                raise _UsageError(
                    f"column {column!r} is both {other} and a channel ({flag}): the model "
                    "would read it from the series; leave it out of " + flag
                )
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
        rows = np.flatnonzero(np.isinf(column.to_numpy(dtype=float, na_value=np.nan)))
        if len(rows):
            more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
            where = f"on line {_line(int(rows[0]))}{more}"
            raise _UsageError(
                f"column {col!r} of {path} holds {column.iloc[int(rows[0])]} {where}; values "
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

    def refuse_unread(read, why: str) -> None:
        bad = (read.isna() & column.notna()).to_numpy().nonzero()[0]
        if len(bad):
            row = int(bad[0])
            raise _UsageError(
                f"column {col!r} (--time) of {path} holds {column.iloc[row]!r} on line "
                f"{_line(row)}{why}: --time reads {example}"
            )

    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().any():  # times given as numbers, some cells of which are not
        refuse_unread(numbers, " among numbers")
        return df.assign(**{col: numbers})
    try:
        parsed = pd.to_datetime(column, format="ISO8601", errors="coerce")
    except (ValueError, TypeError) as exc:  # e.g. mixed time zones
        raise _UsageError(
            f"column {col!r} (--time) of {path} cannot be read as times: {exc}; --time "
            f"reads {example}, in one time zone"
        ) from None
    refuse_unread(parsed, ", which is not a time")
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
    from .. import SYNTHETIC_TASKS

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
    from .. import fetch_ucr, get_data_home, list_ucr
    from .._datasets import _NAME_RE

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


def _check_target(args, y, what: str) -> None:
    """The target suits ``--task`` and ``--scoring``: refused before anything is printed."""
    import numpy as np

    regression = _is_regression(y, args.task)
    if regression:
        values = np.asarray(y, dtype=object).ravel()
        try:
            values.astype(np.float64)
        except (TypeError, ValueError):
            from .._validation import _first_non_numeric

            _, value, _ = _first_non_numeric(values)
            raise _UsageError(
                f"regression needs a numeric target, but the target of {what} holds "
                f"{value!r}; use --task classification for class labels"
            ) from None
    elif args.task == "classification":
        from sklearn.utils.multiclass import type_of_target

        if type_of_target(y) in ("continuous", "continuous-multioutput"):
            example = next(v for v in np.asarray(y).ravel() if float(v) != int(float(v)))
            raise _UsageError(
                f"--task classification, but the target of {what} holds continuous values "
                f"such as {example!r}; use --task regression (or auto)"
            )
    if args.scoring is not None:
        from sklearn.metrics import get_scorer

        scorer = get_scorer(args.scoring)
        module = getattr(getattr(scorer, "_score_func", None), "__module__", "")
        for_regression = module.endswith("._regression")
        if for_regression != regression:
            raise _UsageError(
                f"--scoring {args.scoring!r} is a "
                f"{'regression' if for_regression else 'classification'} metric, but the "
                f"task on {what} is {'regression' if regression else 'classification'}"
            )


def _is_regression(y: np.ndarray, task: str) -> bool:
    if task != "auto":
        return task == "regression"
    from sklearn.utils.multiclass import type_of_target

    return type_of_target(y) in ("continuous", "continuous-multioutput")
