"""Reading what ``seqpool compare`` compares: CSV tables, UCR/UEA datasets, synthetic tasks."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .options import _DEFAULT_TASK, _suggest, _UsageError

if TYPE_CHECKING:
    import numpy as np


# --------------------------------------------------------------------------- data
# a number written with a decimal comma ("0,25", "-1,5e3") or without a decimal mark ("1"):
# what a spreadsheet in a decimal-comma locale writes in a column of numbers
_COMMA_DECIMAL = r"[-+]?(?:\d+|\d*,\d+)(?:[eE][-+]?\d+)?"


def _comma_decimals(df) -> bool:
    """Whether a column read as text holds numbers with a decimal comma: every non-empty
    cell a number with at most one comma as its decimal mark and no dot ("0,25", or "1"
    beside it, as spreadsheets write whole numbers), and some cell a comma."""
    import pandas as pd

    for _, col in df.items():
        if pd.api.types.is_numeric_dtype(col.dtype):
            continue
        cells = col.dropna().astype(str)
        if (
            len(cells)
            and cells.str.fullmatch(_COMMA_DECIMAL).all()
            and cells.str.contains(",").any()
        ):
            return True
    return False


def _header_separator(path) -> str:
    """The field separator the header line says: ',' or, when the header holds ';' or tabs
    and no comma outside quotes, that character (spreadsheets in many locales write ';',
    with decimal commas). Read from the line itself, before the table is parsed: a row with
    more decimal commas than the first would break a comma-separated reading. The line is
    read as pandas reads the file (compressed files included); quoted names are left out."""
    import csv
    import re

    import pandas as pd

    try:  # the line as one field: a separator no text holds, quotes kept
        first = pd.read_csv(
            path,
            sep="\x1f",
            header=None,
            nrows=1,
            dtype=str,
            quoting=csv.QUOTE_NONE,
            keep_default_na=False,
            encoding="utf-8",
            encoding_errors="replace",
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        return ","  # the reading proper says what is wrong with the file
    header = "\x1f".join(first.iloc[0]) if len(first) else ""
    header = re.sub(r'"(?:[^"]|"")*"', "", header)  # a quoted name may hold any character
    if "," in header:
        return ","
    return next((c for c in (";", "\t") if c in header), ",")


_SEP_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t"}


def _buffer_stream(args) -> None:
    """``--csv -`` (standard input) or a pipe (``/dev/stdin``, a named pipe): read once
    into memory, since the table is read more than once (its header line first, for the
    separator). ``args.csv_bytes`` then holds the bytes, decompressed where they are
    gzip, bz2 or xz; ``-`` is named ``<stdin>``."""
    import stat

    if str(args.csv) == "-":
        args.csv_bytes = sys.stdin.buffer.read()
        args.csv = Path("<stdin>")
    else:
        try:
            mode = os.stat(args.csv).st_mode
        except OSError:
            return  # the reading proper says what is wrong
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            return
        with open(args.csv, "rb") as stream:
            args.csv_bytes = stream.read()
    args.csv_bytes = _decompressed(args.csv_bytes, args.csv)


# what a compressed stream starts with: those Python reads are decompressed, as pandas
# does for a path by its suffix (a stream has none); the others refused in words
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
    b"\x28\xb5\x2f\xfd": "zstd",
}


def _decompressed(data: bytes, name) -> bytes:
    """The bytes of a stream, decompressed where they are gzip, bz2 or xz."""
    import bz2
    import gzip
    import lzma

    kind = next((k for magic, k in _MAGIC.items() if data.startswith(magic)), None)
    opener = {"gzip": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress}
    if kind in opener:
        try:
            return opener[kind](data)
        except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
            raise _UsageError(f"{name} starts as {kind} data but cannot be read: {exc}") from None
    if kind is not None:
        raise _UsageError(
            f"{name} holds {kind}-compressed data, which --csv does not read from a stream: "
            "decompress it first (unzip -p FILE or zstdcat FILE | seqpool compare --csv -)"
        )
    return data


def _source(args):
    """What pandas reads the table from: the path, or a fresh buffer of what standard
    input or a pipe held (see :func:`_buffer_stream`)."""
    import io

    data = getattr(args, "csv_bytes", None)
    if data is None:
        return args.csv
    return io.BytesIO(data)


def _refuse_repeated_names(args, sep: str) -> None:
    """A header line that names a column twice, refused in the file's own words: pandas
    reads the second ``y`` as ``y.1``, which would become a time step or a channel (a copy
    of the target among the features). A first line mostly of numbers that repeats one is
    a row of data: a file without a header line, said as such."""
    import re

    import pandas as pd

    try:
        first = pd.read_csv(
            _source(args),
            sep=sep,
            header=None,
            nrows=1,
            dtype=str,
            keep_default_na=False,
            encoding_errors="replace",
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return  # the reading proper says what is wrong with the file
    if not len(first):
        return
    names = [str(n) for n in first.iloc[0]]
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name.strip():  # an empty name is a column without a header, told apart later
            positions.setdefault(name, []).append(i)
    repeated = {name: where for name, where in positions.items() if len(where) > 1}
    if not repeated:
        return
    name, where = next(iter(repeated.items()))
    times = "twice" if len(where) == 2 else f"{len(where)} times"
    cols = ", ".join(map(str, where[:-1])) + f" and {where[-1]}"
    numbers = [n for n in names if re.fullmatch(_NUMBER, n.strip())]
    if 2 * len(numbers) > len(names):  # a first row of data, not a header with a copy
        raise _UsageError(
            f"the first line of {args.csv} looks like data: most of its fields are numbers "
            f"and {name!r} appears {times} in it (columns {cols}); does the file have a "
            "header line? --csv reads its first line as the column names"
        )
    more = f" (and {len(repeated) - 1} more name{'s' if len(repeated) > 2 else ''})"
    raise _UsageError(
        f"column name {name!r} appears {times} in the header of {args.csv} (columns {cols})"
        f"{more if len(repeated) > 1 else ''}; every column needs a name of its own: "
        "rename or remove the copies"
    )


def _read_table(args) -> tuple[Any, str]:
    """The CSV as a DataFrame, by ``--sep`` / ``--decimal`` where given, else detected."""

    sep = _SEP_NAMES.get(args.sep, args.sep)
    if sep is not None and len(sep) != 1:
        raise _UsageError(
            f"--sep takes one character (',', ';', '|', or '\\t' for a tab); got {args.sep!r}"
        )
    if sep is not None and sep == args.decimal:
        raise _UsageError(f"--sep and --decimal are both {sep!r}; a number could not be read")
    if sep is None:
        sep = _header_separator(_source(args))
        if sep == args.decimal:  # a decimal comma needs another field separator
            raise _UsageError(
                "--decimal ',' needs a table whose fields are not separated by commas; "
                "pass --sep CHAR"
            )
    _refuse_repeated_names(args, sep)
    decimal = args.decimal
    named, fields = _field_counts(args, sep)
    if 1 < named < fields:
        # pandas would take the first column(s) as an index and read every column one
        # place to the left (a header read as one column is told apart later)
        _refuse_unnamed_fields(args, sep, fields - named)
    # index_col=False: rows that end with a separator the header lacks, by the names
    df = _read_csv(args, sep=sep, decimal=decimal or ".")
    if decimal is None and sep != "," and _comma_decimals(df):
        decimal = ","
        df = _read_csv(args, sep=sep, decimal=decimal)
    df = _labels_as_written(df, args, sep, decimal or ".")
    shown = "" if sep == "," else f", {sep!r}-separated"
    return df, shown + (", decimal commas" if decimal == "," else "")


def _read_csv(args, **kwargs):
    """``pandas.read_csv`` of the table with ``index_col=False``: rows that end with a
    separator the header line does not (an empty last field, see
    :func:`_refuse_unnamed_fields`) are read by the header's names, not shifted left."""
    import pandas as pd

    with warnings.catch_warnings():  # pandas' warning of the fields it leaves out
        warnings.filterwarnings("ignore", "Length of header", pd.errors.ParserWarning)
        return pd.read_csv(_source(args), index_col=False, **kwargs)


def _field_counts(args, sep: str) -> tuple[int, int]:
    """The fields of the header line and of the first data row, as pandas splits them
    (quotes included); ``(0, 0)`` where the table cannot be read so (the reading proper
    says why)."""
    import pandas as pd

    counts = []
    for skip in (0, 1):
        try:
            line = pd.read_csv(
                _source(args), sep=sep, header=None, skiprows=skip, nrows=1, dtype=str
            )
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
            return 0, 0
        counts.append(line.shape[1])
    return counts[0], counts[1]


def _refuse_unnamed_fields(args, sep: str, extra: int) -> None:
    """Rows with ``extra`` fields more than the header line names: left to be read by the
    header's names where those fields are empty on every row (the rows end with a
    separator the header does not), refused where any holds a value -- a name missing
    from the header, row names without a header name (R's ``write.table``), or a line
    above the header -- since which column a field without a name is cannot be told."""
    import pandas as pd

    read = {"sep": sep, "header": None, "dtype": str, "keep_default_na": False}
    try:
        names = [str(n) for n in pd.read_csv(_source(args), nrows=1, **read).iloc[0]]
        rows = pd.read_csv(_source(args), skiprows=1, **read)
    except (ValueError, pd.errors.ParserError):
        return  # the reading proper says what is wrong with the file
    tail = rows.iloc[:, -extra:].apply(lambda column: column.str.strip() != "")
    held = tail.any(axis=1).to_numpy().nonzero()[0]
    if not len(held):
        return
    header = f"line 1 names {len(names)}: {_column_list(names)}"
    where = f"the rows hold {rows.shape[1]}, the first with a value beyond the names on line"
    where += f" {_line(int(held[0]))}"
    if names[0].lstrip().startswith("#") or extra >= len(names):
        raise _UsageError(
            f"the first line of {args.csv} holds {len(names)} field"
            f"{'' if len(names) == 1 else 's'} where the rows hold {rows.shape[1]} "
            f"({header}): is it a comment or preamble above the header? --csv reads its "
            "first line as the column names, so remove the lines above the header"
        )
    many = f"{extra} fields" if extra > 1 else "one field"
    raise _UsageError(
        f"the rows of {args.csv} hold {many} more than its header line names ({header}; "
        f"{where}); which column a field without a name belongs to is not written: add "
        "the missing names to the header line, or remove the extra fields. If the first "
        "field of every row is a row name (R's write.table writes them without a name in "
        "the header), name it in the header line and leave it out with --drop NAME"
    )


def _labels_as_written(df, args, sep: str, decimal: str):
    """The text columns of names -- target, groups, ids, kind -- with only empty cells
    missing: pandas reads 'NA', 'N/A', 'None', 'null', ... as missing, which in a column of
    labels is a class ('NA', Not Applicable) or a name. A column of numbers keeps them as
    missing values (they are then reported as such)."""
    import pandas as pd

    named = [args.target, args.groups, args.kind, *(args.id or [])]
    columns = [
        c
        for c in dict.fromkeys(named)
        if c is not None
        and c in df.columns
        and not pd.api.types.is_numeric_dtype(df[c])
        and df[c].isna().any()
    ]
    if not columns:
        return df
    written = _read_csv(
        args,
        sep=sep,
        decimal=decimal,
        usecols=columns,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return df.assign(**{c: written[c].to_numpy() for c in columns})


def _missing_words(df, args, column) -> list[str]:
    """What the cells of ``column`` that were read as missing hold, when not empty ('NA',
    'null', ...: pandas' words for a missing value)."""

    sep = _SEP_NAMES.get(args.sep, args.sep) or _header_separator(_source(args))
    try:
        written = _read_csv(args, sep=sep, usecols=[column], dtype=str, keep_default_na=False)[
            column
        ]
    except (OSError, ValueError):
        return []
    missing = written[df[column].isna().to_numpy()]
    return [w for w in dict.fromkeys(missing) if w.strip()][:3]


def _load_csv(args) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    import pandas as pd

    from .. import WideToSequences, long_to_sequences

    if args.target is None:
        raise _UsageError("--csv needs --target COLUMN (the label or target column)")
    try:
        _buffer_stream(args)
        df, how = _read_table(args)
    except OSError as exc:
        raise _UsageError(f"cannot read {args.csv}: {exc.strerror or exc}") from None
    except (ValueError, pd.errors.ParserError) as exc:
        hint = _fields_hint(exc)
        text = str(exc).rstrip()
        raise _UsageError(f"{args.csv} is not a readable CSV table: {text}{hint}") from None
    named = [args.target, args.groups, args.time, args.kind, args.value]
    for col in [*named, *(args.id or []), *(args.channels or []), *(args.drop or [])]:
        if col is not None and col not in df.columns:
            columns = [str(c) for c in df.columns]
            _refuse_one_column_header(columns, col, args)
            suggestion = _suggest(col, columns)
            raise _UsageError(
                f"column {col!r} is not in {args.csv}.{suggestion} Its columns: "
                f"{_column_list(columns)}{'' if suggestion else _headerless(columns)}"
            )
    if len(df) == 0:
        raise _UsageError(f"{args.csv} has a header line but no rows")
    if args.drop:
        df = _drop_columns(df, args)
    _refuse_non_finite(df, args.csv)
    _refuse_empty_columns(df, args)
    _refuse_missing_cells(df, args, args.target, "", "a label or target")
    if args.groups is not None:
        # a missing group was read as one more group (NaN), or broke the group splitter's
        # sort of text labels
        _refuse_missing_cells(df, args, args.groups, " (--groups)", "a group")
    if args.id:
        for flag in WIDE_FLAGS:
            if getattr(args, flag) is not None:
                raise _UsageError(f"{_flag(flag)} describes a wide table (no --id)")
        named = {
            "--time": [args.time],
            "--target": [args.target],
            "--kind": [args.kind],
            "--value": [args.value],
            "--channels": list(args.channels or []),
        }
        for flag, columns in named.items():
            both = next((c for c in columns if c is not None and c in args.id), None)
            if both is not None:
                raise _UsageError(
                    f"--id and {flag} name the same column, {both!r}: --id names the series "
                    f"of each row, so {flag} needs another column"
                )
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
        else:
            _refuse_unnamed_time(df, args)
        if args.value and not args.kind and args.time is not None:
            keys = [*args.id, args.time]
            repeated = df.duplicated(keys).to_numpy().nonzero()[0]
            if len(repeated):
                raise _UsageError(
                    f"{args.csv} has several rows for one series and time step (line "
                    f"{_line(int(repeated[0]))} repeats {', '.join(keys)} of an earlier line): "
                    "with --value, a table holding one row per channel and time step needs "
                    "--kind naming its channel column (the tsfresh layout)"
                )
        try:
            seq = long_to_sequences(
                df,
                column_id=args.id if len(args.id) > 1 else args.id[0],
                column_sort=args.time,
                column_kind=args.kind,
                column_value=value,
                y=args.target,
                groups=args.groups,
            )
        except ValueError as exc:
            raise _UsageError(f"{args.csv}: {_rows_as_lines(str(exc))}") from None
        _refuse_empty_series(seq, args)
        channels = _name_list([str(c) for c in seq.channels])
        what = f"long table, {len(seq.ids)} series, channels {channels}{_dropped(args)}{how}"
        return seq.X, seq.y, seq.groups, what
    for flag in ("time", "kind", "value", "channels"):
        if getattr(args, flag):
            raise _UsageError(f"--{flag} describes a long table and needs --id")
    features = df.drop(columns=[c for c in (args.target, args.groups) if c is not None])
    _refuse_long_layout(features, args.csv)
    _refuse_row_numbers(features, args.csv)
    if args.pattern is not None:
        if args.n_channels is not None:
            raise _UsageError("give either --pattern (channels from the names) or --n-channels")
        stamps = _time_stamps([str(c) for c in features.columns])
        if stamps is not None:
            raise _UsageError(
                f"--pattern reads a channel and a step from each column name, but the column "
                f"names of {args.csv} are time stamps ({stamps[0]}, such as "
                f"{str(features.columns[0])!r}): leave --pattern out, and a wide table reads "
                "its columns in order as the time steps of one channel"
            )
        try:
            wide = WideToSequences(pattern=args.pattern)
            X = wide.fit_transform(features)
        except ValueError as exc:
            raise _UsageError(f"--pattern on the columns of {args.csv}: {exc}") from None
        what = f"wide table, channels {', '.join(map(str, wide.channels_))} from --pattern"
    else:
        n_channels = 1 if args.n_channels is None else args.n_channels
        n_columns = features.shape[1]
        if n_columns % n_channels:
            raise _UsageError(
                f"--n-channels {n_channels} cuts the columns of {args.csv} into {n_channels} "
                f"equal blocks, one per channel, but it has {n_columns} column"
                f"{'' if n_columns == 1 else 's'} of time steps (every column but --target, "
                "--groups and --drop), not a multiple of "
                f"{n_channels}: pass the number of channels the table holds"
            )
        _refuse_names_out_of_order(features, n_channels, args.csv)
        X = WideToSequences(n_channels=n_channels).fit_transform(features)
        what = "wide table"
    what += _dropped(args) + how
    groups = None if args.groups is None else df[args.groups].to_numpy()
    return X, df[args.target].to_numpy(), groups, what


def _refuse_empty_columns(df, args) -> None:
    """A column read as a time step or a channel without a single value. Without a name
    it is most often what lines that end with a separator make (a spreadsheet's or a
    logger's export), not the index pandas writes; with one, an empty field of the export.
    Refused, with the ``--drop`` that leaves it out, rather than read as a step of NaNs."""
    import shlex

    if args.id:
        roles = {*args.id, args.time, args.kind, args.target, args.groups} - {None}
        named = [args.value] if args.value else list(args.channels or [])
        columns = named or [c for c in df.columns if c not in roles]
    else:
        columns = [c for c in df.columns if c not in (args.target, args.groups)]
    empty = [c for c in columns if df[c].isna().all()]
    if not empty:
        return
    col = str(empty[0])
    more = f" (and {len(empty) - 1} more)" if len(empty) > 1 else ""
    drop = shlex.quote(",".join(map(str, empty)))
    if col.startswith("Unnamed: ") and col[len("Unnamed: ") :].isdigit():
        number = int(col[len("Unnamed: ") :]) + 1
        raise _UsageError(
            f"column {number} of {args.csv} has no name and no values{more} (do its lines end "
            f"with a separator?): leave it out with --drop {drop}"
        )
    raise _UsageError(
        f"column {col!r} of {args.csv} has no values{more}, every cell empty, and would be "
        f"read as a {'channel' if args.id else 'time step'} of missing values: leave it out "
        f"with --drop {drop}"
    )


def _refuse_missing_cells(df, args, column: str, flag: str, needs: str) -> None:
    """Empty cells in ``column`` (the target, or --groups'), named with the first line as
    an editor shows it (the header is line 1)."""
    empty = df[column].isna().to_numpy().nonzero()[0]
    if not len(empty):
        return
    words = _missing_words(df, args, column)
    read = f"; {' and '.join(map(repr, words))} read as missing" if words else ""
    raise _UsageError(
        f"column {column!r}{flag} of {args.csv} has {len(empty)} "
        f"{'missing' if words else 'empty'} cell{'' if len(empty) == 1 else 's'} (first on "
        f"line {_line(int(empty[0]))}{read}); every row needs {needs}: fill them in or drop "
        "those rows"
    )


# separators a header read as one column may hold, in the order they are suggested
_OTHER_SEPARATORS = ("|", ";", "\t", ":", "^", "~", " ")


def _refuse_one_column_header(columns: list[str], col: str, args) -> None:
    """A table read as one column where a name was asked for: its first line is a comment
    or preamble (``# exported by ...``), or its fields are separated by a character that
    is not detected ('|', ':'); said as such, not as a missing column."""
    from .._validation import clip

    if len(columns) != 1:
        return
    first = columns[0]
    if first.lstrip().startswith("#"):
        raise _UsageError(
            f"the first line of {args.csv} reads {first!r}, a comment or preamble, not a "
            f"header naming the columns ({col!r} among them): --csv reads its first line as "
            "the column names, so remove the lines above the header"
        )
    found = [c for c in _OTHER_SEPARATORS if c in first and col in first.split(c)]
    found = found or [c for c in _OTHER_SEPARATORS if c in first and c != " "]
    if found:
        sep = "'\\t'" if found[0] == "\t" else repr(found[0])
        raise _UsageError(
            f"the header of {args.csv} reads as one column, {clip(first, 40)!r}, whose fields "
            f"are separated by {sep}: pass --sep {sep}"
        )


def _column_list(names: list[str], shown: int = 12) -> str:
    """The column names joined by commas; of a wide table (thousands of steps as columns)
    the first and last few and how many there are, so the message stays readable."""
    if len(names) <= shown:
        return ", ".join(names)
    head, tail = names[: shown - 2], names[-2:]
    return f"{', '.join(head)}, ..., {', '.join(tail)} ({len(names)} in all)"


def _headerless(names: list[str]) -> str:
    """A note for column names most of which are numbers with a decimal part, as the
    first row of a file without a header line reads."""
    import re

    numbers = [n for n in names if re.fullmatch(_NUMBER, n.strip()) and not n.isdigit()]
    values = [float(n.replace(",", ".")) for n in numbers]
    rising = len(values) > 1 and all(a < b for a, b in zip(values, values[1:], strict=False))
    if 2 * len(numbers) > len(names) and not rising:  # rising numbers are time stamps
        return (
            ". The first line looks like data: does the file have a header line? "
            "--csv reads its first line as the column names"
        )
    return ""


def _drop_columns(df, args):
    """The table without the ``--drop`` columns (each named once, none with a role)."""
    drop = list(args.drop)
    if len(set(drop)) < len(drop):
        twice = next(c for c in drop if drop.count(c) > 1)
        raise _UsageError(f"--drop names column {twice!r} twice; name each column once")
    roles = {
        "--target": [args.target],
        "--groups": [args.groups],
        "--id": args.id or [],
        "--time": [args.time],
        "--kind": [args.kind],
        "--value": [args.value],
        "--channels": args.channels or [],
    }
    for flag, columns in roles.items():
        both = [c for c in drop if c in columns]
        if both:
            raise _UsageError(
                f"column {both[0]!r} is both --drop and {flag}: --drop leaves a column out of "
                "the table, so it cannot have a role in it"
            )
    return df.drop(columns=drop)


def _refuse_empty_series(seq, args) -> None:
    """A series of a long table with no observed value: refused by its id at load time."""
    import numpy as np

    empty = np.flatnonzero(np.isnan(seq.X).all(axis=(1, 2)))
    if not len(empty):
        return
    first = seq.ids[int(empty[0])]
    first = ", ".join(map(str, first)) if isinstance(first, tuple) else str(first)
    name = f"{','.join(args.id)} = {first}"
    n = len(empty)
    which = f"series {name}" if n == 1 else f"{n} series (first {name})"
    raise _UsageError(
        f"{which} of {args.csv} ha{'s' if n == 1 else 've'} no observed value, every channel "
        "cell empty: fill in its values or drop its rows"
    )


def _name_list(names: list[str], most: int = 8) -> str:
    """Names for the header line: all of them, or the first few and how many more."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[: most - 2])}, ... ({len(names)} in all)"


def _dropped(args) -> str:
    return f", {', '.join(args.drop)} left out" if args.drop else ""


def _line(row: int) -> int:
    """The line of a table's row as an editor shows it: the header is line 1."""
    return int(row) + 2


def _fields_hint(exc: Exception) -> str:
    """For pandas' "Expected N fields in line L, saw M" (a row with more fields than the
    rows before it): what such a line usually is."""
    import re

    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if not found or int(found.group(3)) <= int(found.group(1)):
        return ""
    return (
        f"; does line {found.group(2)} end with a separator the lines above it lack, or "
        "hold a value beyond the header's names? Every line needs as many fields as the "
        "header line names"
    )


def _rows_as_lines(message: str) -> str:
    """A table error's row positions (from 0) as the file's lines (the header is line 1)."""
    import re

    def lines(match):
        numbers = [f"{_line(int(n))}" for n in match.groups() if n is not None]
        word = "lines" if len(numbers) > 1 else "line"
        return f"{word} {' and '.join(numbers)}"

    return re.sub(r"\brows? (\d+)(?: and (\d+))?", lines, message)


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
    for position, id_col in enumerate(columns):
        ids = features[id_col]
        if not _is_id_like(ids):
            continue
        counts = ids.value_counts()
        if len(counts) < 2 or counts.median() < 3:
            continue
        codes = pd.factorize(ids)[0]
        in_blocks = 1 + int(np.count_nonzero(np.diff(codes))) == len(counts)
        leading = position < 2
        if not (leading or in_blocks):
            continue  # further right, only ids in blocks of rows with a time column count
        time_col = _time_column(features, id_col, counts, columns)
        if time_col is not None:
            found.append((in_blocks, str(id_col), str(time_col)))
        elif leading and in_blocks and len(columns) < counts.median():
            found.append((in_blocks, str(id_col), None))
    if not found:
        return None
    # id and time of a complete grid fit either way round: the id is the one in blocks
    in_blocks, id_col, time_col = max(found, key=lambda f: f[0])
    return id_col, time_col


def _time_column(table, id_cols, counts, columns):
    """The first column that holds the time steps of every series of ``id_cols``, or None.

    Numeric, complete, never twice the same value within one series, and the same few
    values for every series: at most twice as many distinct values as the longest series
    has rows, some of them shared by several series -- steps restarting per series.
    """
    import pandas as pd

    keys = [id_cols] if not isinstance(id_cols, list) else id_cols
    for time_col in columns:
        times = table[time_col]
        if time_col in keys or not pd.api.types.is_numeric_dtype(times):
            continue
        if pd.api.types.is_bool_dtype(times) or times.isna().any():
            continue
        if table.duplicated([*keys, time_col]).any():
            continue
        shared = len(counts) < 2 or times.value_counts().max() >= 2
        if times.nunique() <= 2 * counts.max() and shared:
            return time_col
    return None


def _refuse_unnamed_time(df, args) -> None:
    """A long table read without --time, though one of its columns holds the time steps.

    Without --time the row order is the time order; a column of steps restarting per series
    is then read as a channel (or, left out, ignored while the rows are out of its order).
    """
    import numpy as np

    roles = {*args.id, args.kind, args.target, args.groups} - {None}
    candidates = [c for c in df.columns if c not in roles]
    grouped = df.groupby(list(args.id), sort=False)
    counts = grouped.size()
    time_col = _time_column(df, list(args.id), counts, candidates)
    if time_col is None:
        return
    named = [args.value] if args.value else list(args.channels or [])
    read = time_col in named or not named
    if not read:
        codes = grouped.ngroup().to_numpy()
        steps = df[time_col].to_numpy()
        order = np.lexsort((np.arange(len(df)), codes))
        same = codes[order][1:] == codes[order][:-1]
        if not (np.diff(steps[order])[same] < 0).any():
            return  # the rows are already in its order: row order is its time order
    what = "is read as a channel" if read else "is not, and the rows are out of its order"
    raise _UsageError(
        f"column {time_col!r} of {args.csv} looks like the time steps of each series "
        f"(the same few values for every --id, never twice in one), but without --time the "
        f"row order is the time order and {time_col!r} {what}. Pass --time {time_col}"
    )


def _refuse_row_numbers(features, path) -> None:
    """A wide table's column of row numbers or ids (say, the index pandas wrote).

    The numbers 1 to n (or 0 to n-1), each once, are taken for row numbers, except in a
    column named as a step of the others (``t0`` beside ``t1``, ``t2``): a counter or a
    rising signal may hold them too. Whole numbers that repeat, in a column named as an id,
    subject or group and not as a step, are taken for a grouping.
    """
    import pandas as pd

    steps = _step_names([str(c) for c in features.columns])
    for col in features.columns:
        column = features[col]
        if str(col).startswith("Unnamed: "):
            raise _UsageError(
                f"column {col!r} of {path} has no header: the index pandas writes with "
                "DataFrame.to_csv (write the file with index=False, or drop the column); a "
                "wide table reads every column but --target and --groups as a time step"
            )
        if len(column) < 3 or not pd.api.types.is_numeric_dtype(column):
            continue
        if not _is_id_like(column):
            continue
        if not column.is_unique:
            named = _names_an_id(str(col)) or _names_a_group(str(col))
            if named and str(col) not in steps:
                n = column.nunique()
                raise _UsageError(
                    f"column {col!r} of {path} holds whole numbers, {n} value"
                    f"{'' if n == 1 else 's'} over {len(column)} rows, and its name says it "
                    "names a subject or group of rows, not a time step of the series. A wide "
                    "table reads every column but --target and --groups as a time step: pass "
                    f"it as --groups {col} (folds that keep each group whole) or leave it out "
                    f"with --drop {col}"
                )
            continue
        if len(column) < 10 and not _names_an_id(str(col)):
            continue
        values = column.to_numpy(dtype=float)
        if values.max() - values.min() == len(values) - 1 and str(col) not in steps:
            raise _UsageError(
                f"column {col!r} of {path} holds the numbers {values.min():.0f} to "
                f"{values.max():.0f}, each once: row numbers or sample ids, not a time step "
                "of the series. A wide table reads every column but --target and --groups as "
                f"a time step: leave it out with --drop {col} (or pass it as --groups); if it "
                "is a time step, name the columns by their steps (t0, t1, ...), which are "
                "read as such"
            )
        if _names_an_id(str(col)):
            raise _UsageError(
                f"column {col!r} of {path} holds whole numbers, each once, and its name says "
                "it is an id: a sample id, not a time step of the series. A wide table reads "
                f"every column but --target and --groups as a time step: leave it out with "
                f"--drop {col} (or pass it as --groups)"
            )


def _name_words(name: str) -> list[str]:
    """The words of a column name, lower case: sample_id, patientId, SampleID hold id."""
    import re

    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name)]


def _names_an_id(name: str) -> bool:
    """Whether a column name holds the word id: id, ID, sample_id, patientId, SampleID."""
    return "id" in _name_words(name)


def _step_names(names: list[str]) -> set[str]:
    """The column names that are time steps by the table's names, read once per table:
    all of them when they are time stamps (numbers, dates), else each name numbered as a
    step beside the next or previous step of the same channel (t0 beside t1; 0 beside 1)."""
    import re

    if _time_stamps(names) is not None:
        return set(names)
    steps: dict[tuple[str, int], list[str]] = {}
    for name in names:
        found = re.fullmatch(_NAMED_STEP, name)
        if found:
            steps.setdefault((found["channel"], int(found["time"])), []).append(name)
    return {
        name
        for (channel, step), named in steps.items()
        if (channel, step - 1) in steps or (channel, step + 1) in steps
        for name in named
    }


# words of a column name that say it holds the group of each row (with id: subject_id)
_GROUP_WORDS = ("subject", "patient", "participant", "group", "grp")


def _names_a_group(name: str) -> bool:
    """Whether a column name holds a word for a group of rows: subject, patientNo, grp."""
    return any(w in _GROUP_WORDS for w in _name_words(name))


# a column name that ends in a number: a channel and a time step, such as x_10 or t5
_NAMED_STEP = r"(?P<channel>.*?)[_\-. ]?(?P<time>[0-9]+)"


# a column name that is a number (0.5, -1, 1e3) or an ISO date or time (2024-01-20,
# 2024-01-20 10:00, 2024-01): a time stamp, not a channel and a step
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DATE = r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?"


def _time_stamps(names: list[str]) -> tuple[str, list] | None:
    """("numbers" or "dates", the values) when every name is a time stamp of one kind,
    else None. Names of digits only (0, 1, ..., 99) are left to the step rule: as steps
    or as time stamps they say the same order, and --pattern reads them."""
    import re

    if not names or all(n.isdigit() for n in names):
        return None
    if all(re.fullmatch(_NUMBER, n.strip()) for n in names):
        return "numbers", [float(n) for n in names]
    if all(re.fullmatch(_DATE, n.strip()) for n in names):
        import pandas as pd

        try:
            return "dates", list(pd.to_datetime([n.strip() for n in names], format="ISO8601"))
        except (ValueError, TypeError):
            return None
    return None


def _refuse_stamps_out_of_order(names, stamps, n_channels: int, path) -> None:
    """Time-stamp column names (numbers, dates) that do not increase within each block."""
    kind, values = stamps
    steps = len(names) // n_channels if len(names) % n_channels == 0 else len(names)
    for j in range(1, len(names)):
        if j % steps and not values[j - 1] < values[j]:
            same = "repeats" if values[j - 1] == values[j] else "is earlier than"
            raise _UsageError(
                f"the column names of {path} are time stamps ({kind}), read in column order "
                f"as the time steps, but column {names[j]!r} {same} {names[j - 1]!r} before "
                "it: put the columns in time order"
            )


def _refuse_names_out_of_order(features, n_channels: int, path) -> None:
    """Column names that say another layout than the columns' order (channel blocks)."""
    import re

    names = [str(c) for c in features.columns]
    stamps = _time_stamps(names)
    if stamps is not None:
        _refuse_stamps_out_of_order(names, stamps, n_channels, path)
        return
    matches = [re.fullmatch(_NAMED_STEP, n) for n in names]
    if not names or any(m is None for m in matches) or len(names) % n_channels:
        return
    channels = list(dict.fromkeys(m["channel"] for m in matches))
    steps = len(names) // n_channels
    if len(channels) == 1:
        # one name numbered throughout (v0 ... v9): the numbers count the columns, which
        # --n-channels may cut into blocks; they must only run in order
        times = [int(m["time"]) for m in matches]
        if all(a < b for a, b in zip(times[:-1], times[1:], strict=True)):
            return
        n_channels, steps = 1, len(names)
    for j, m in enumerate(matches):
        times = sorted(int(x["time"]) for x in matches if x["channel"] == m["channel"])
        named = (channels.index(m["channel"]), times.index(int(m["time"])))
        if named != (j // steps, j % steps):
            where = f"channel {m['channel']!r}" if m["channel"] else "the series"
            raise _UsageError(
                f"column {names[j]!r} of {path} is step {m['time']} of {where} by its name, "
                f"but read in column order (channel after channel, "
                f"{n_channels} block{'' if n_channels == 1 else 's'} of {steps}) it would be "
                f"step {j % steps} of block {j // steps + 1}. Pass "
                f"--pattern '{_NAMED_STEP}' to read the layout from the names, or put the "
                "columns in order"
            )


def _refuse_quoted_decimal_commas(col, column, path) -> None:
    """A text column whose cells are all numbers with a decimal comma: a comma-separated
    table that quotes them ("0,25"), which is read as text; a ';'-separated one is read
    with its decimal commas."""
    import pandas as pd

    if _comma_decimals(pd.DataFrame({col: column})):
        cell = next(c for c in column.dropna().astype(str) if "," in c)
        raise _UsageError(
            f"column {col!r} of {path} holds numbers written with a decimal comma ({cell!r}), "
            "read as text in a table whose fields are separated by commas: save it with "
            "';' between the fields, as spreadsheets of decimal-comma locales do, and it is "
            "read with its decimal commas (--sep ';' --decimal ',' say so explicitly)"
        )


def _refuse_long_layout(features, path) -> None:
    """Stop a long table (or a table with a text column) from being read as a wide one."""
    import pandas as pd

    found = _long_layout(features)
    if found is not None:
        id_col, time_col = found
        rest = [str(c) for c in features.columns if str(c) not in (id_col, time_col)]
        n_ids = features[id_col].nunique()
        what = f"column {id_col!r} repeats {n_ids} values over {len(features)} rows"
        if time_col is not None:
            what += f" and column {time_col!r} holds the same time steps for each of them"
            flags = f"--id {id_col} --time {time_col}"
            if rest:
                flags += f" --channels {','.join(rest)}"
            advice = f"Pass {flags} to read it as a long table"
        else:
            advice = (
                f"Read it as a long table with --id naming the column(s) of each series "
                f"({id_col}, or {id_col} and another, --id {id_col},OTHER, when several "
                "columns name a series), --time its time column and --channels its value "
                "columns"
            )
        raise _UsageError(
            f"{path} looks like a long table (one row per time step), not a wide one (one row "
            f"per sample): {what}. {advice} (or --value and --kind for the tsfresh layout)"
        )
    for col in features.columns:
        column = features[col]
        if pd.api.types.is_numeric_dtype(column):
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        text = (numbers.isna() & column.notna()).to_numpy().nonzero()[0]
        if len(text) and numbers.notna().sum() >= len(text):  # mostly numbers, a few not
            row = int(text[0])
            raise _UsageError(
                f"column {col!r} of {path} holds text ({column.iloc[row]!r} on line "
                f"{_line(row)}) among numbers; write numbers without thousands separators "
                "and leave a missing value's cell empty"
            )
        _refuse_quoted_decimal_commas(col, column, path)
        what = (
            f"column {col!r} of {path} is not numeric ({column.dtype}), and a wide "
            "table (no --id) has one numeric column per time step"
        )
        if features[col].is_unique:  # one row per sample: an id column of a wide table
            raise _UsageError(
                f"{what}. Its values are all different, like sample names: a wide table "
                "reads every column but --target and --groups as a time step, so leave such "
                f"a column out with --drop {col}; if it is a label or group, pass it as "
                "--target or --groups"
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
        for flag in ("data_home", "no_download", "download"):
            if getattr(args, flag):
                raise _UsageError(f"--{flag.replace('_', '-')} only applies to --ucr")
        _refuse_synthetic_flags(args, "--csv")
        X, y, groups, what = _load_csv(args)
        return X, y, groups, f"{args.csv} ({what})", False
    _refuse_table_flags(args)
    if args.ucr is not None:
        _refuse_synthetic_flags(args, "--ucr")
        X, y = _fetch_ucr(args)
        return X, y, None, f"{args.ucr} (UCR/UEA, train and test pooled)", False
    for flag in ("data_home", "no_download", "download"):
        if getattr(args, flag):
            raise _UsageError(f"--{flag.replace('_', '-')} only applies to --ucr")
    name = args.synthetic or _DEFAULT_TASK
    if name not in SYNTHETIC_TASKS:
        raise _UsageError(
            f"unknown synthetic task {name!r}.{_suggest(name, SYNTHETIC_TASKS)} Choose one of "
            f"{', '.join(sorted(SYNTHETIC_TASKS))}"
        )
    n_samples = _SYNTHETIC_SIZE if args.n_samples is None else args.n_samples
    X, y = SYNTHETIC_TASKS[name](n_samples=n_samples, random_state=args.seed)
    return X, y, None, f"{name} (synthetic)", True


_SYNTHETIC_SIZE = 300  # series of a synthetic task without --n-samples
# flags that describe a CSV table, and those of a wide one
WIDE_FLAGS = ("n_channels", "pattern")
TABLE_FLAGS = (
    "target",
    "id",
    "time",
    "channels",
    "value",
    "kind",
    "groups",
    "drop",
    "sep",
    "decimal",
    *WIDE_FLAGS,
)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _refuse_table_flags(args) -> None:
    """A CSV table's flags with another data option: refused, not ignored."""
    for flag in TABLE_FLAGS:
        if getattr(args, flag) is not None:
            raise _UsageError(f"{_flag(flag)} only applies to --csv")


def _refuse_synthetic_flags(args, option: str) -> None:
    if args.n_samples is not None:
        raise _UsageError(f"--n-samples sets the size of a synthetic task; {option} has its own")


def _data_home(args):
    """The data home of ``--data-home`` (or ``$SEQPOOL_DATA_HOME``), refused in the words
    of the command line: by its flag or variable, not by the Python parameter."""
    from .. import get_data_home
    from .._datasets import DATA_HOME_ENV

    try:
        return get_data_home(args.data_home)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        for python, shell in (
            (f"data_home (from ${DATA_HOME_ENV})", f"${DATA_HOME_ENV}"),
            ("data_home", "--data-home"),
        ):
            if message.startswith(python):
                message = shell + message[len(python) :]
                break
        raise _UsageError(message) from None


def _fetch_ucr(args, name: str | None = None):
    """``fetch_ucr`` for ``--ucr``, with a did-you-mean over the datasets already there."""
    from .. import fetch_ucr, list_ucr
    from .._datasets import _NAME_RE

    name = args.ucr if name is None else name

    home = _data_home(args)
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
        _refuse_partial_dataset(home, name)
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


def _refuse_partial_dataset(home, name: str) -> None:
    """A dataset folder in the data home without one of its split files, which is named
    (it is not "not in the cache": the folder is there)."""
    from .._datasets import _local_folder, _split_files

    folder = _local_folder(home, name)
    if not folder.is_dir():
        return
    files = _split_files(folder, folder.name, ("train", "test"))
    missing = [split for split, path in files.items() if path is None]
    if not missing:
        return
    paths = [f"{folder / f'{folder.name}_{split.upper()}'}.ts (or .tsv)" for split in missing]
    there = [path.name for path in files.values() if path is not None]
    holds = f" holds {there[0]} but" if there else ""
    raise _UsageError(
        f"dataset {name!r} is incomplete: {folder}{holds} has no {' and no '.join(paths)}. "
        f"Put the missing file{'' if len(missing) == 1 else 's'} there, or drop "
        "--no-download to download the dataset"
    )


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
                f"{_plain(value)}; use --task classification for class labels"
            ) from None
    elif args.task == "classification":
        from sklearn.utils.multiclass import type_of_target

        if type_of_target(y) in ("continuous", "continuous-multioutput"):
            example = next(v for v in np.asarray(y).ravel() if float(v) != int(float(v)))
            raise _UsageError(
                f"--task classification, but the target of {what} holds continuous values "
                f"such as {_plain(example)}; use --task regression (or auto)"
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
        if regression:
            _check_scorer_on_targets(args.scoring, scorer, y, what)

    if args.equivalence_margin is not None:
        from ..compare.common import _margin_spans_metric

        metric = args.scoring or ("r2" if regression else "accuracy")
        bounds = _margin_spans_metric(args.equivalence_margin, metric)
        if bounds is not None:
            raise _UsageError(
                f"--equivalence-margin {args.equivalence_margin:g} is not smaller than the "
                f"whole range of {metric} ({bounds[0]:g} to {bounds[1]:g}), so every "
                f"difference would count as equivalent; give it in score units: 0.01 for one "
                f"point of {metric}"
            )


# regression metrics with a domain: (what y must be, test on y, whether predictions must
# be positive too, which a regressor's unconstrained output cannot promise)
_TARGET_DOMAINS = {
    # the targets' domain, and the predictions' that the metric takes
    "mean_squared_log_error": ("above -1", lambda y: y > -1, "above -1"),
    "root_mean_squared_log_error": ("above -1", lambda y: y > -1, "above -1"),
    "mean_poisson_deviance": ("of 0 or more", lambda y: y >= 0, "above 0"),
    "mean_gamma_deviance": ("above 0", lambda y: y > 0, "above 0"),
    "mean_tweedie_deviance": ("of 0 or more", lambda y: y >= 0, "above 0"),
}


def _check_scorer_on_targets(scoring: str, scorer, y, what: str) -> None:
    """Regression metrics that cannot score this target, or any prediction of the
    regressor, refused before anything is printed: scikit-learn finds out only when it
    scores the first fit, after the whole grid was trained. Each of them also takes only
    predictions in a range (above -1 for the squared log errors, above 0 for the
    deviances), which the regressor's linear output cannot promise: one prediction outside
    it, of one fit, would end the run."""
    import numpy as np

    name = getattr(getattr(scorer, "_score_func", None), "__name__", "")
    if name not in _TARGET_DOMAINS:
        return
    needs, inside, predictions = _TARGET_DOMAINS[name]
    values = np.asarray(y, dtype=float).ravel()
    bad = values[~inside(values)]
    if len(bad):
        raise _UsageError(
            f"--scoring {scoring} needs target values {needs}, but the target of {what} "
            f"holds {_plain(bad.min())} ({len(bad)} value{'' if len(bad) == 1 else 's'} not "
            f"{needs}); "
            "use --scoring r2 or neg_mean_squared_error"
        )
    raise _UsageError(
        f"--scoring {scoring} scores only predictions {predictions}, which the regressor's "
        f"unconstrained output cannot promise (a single prediction not {predictions} would "
        "end the run after the fits); use --scoring r2 or neg_mean_squared_error"
    )


def _plain(value) -> str:
    """A value as a user wrote it in a file: 0.0775 or 'abc', not np.float64(0.0775)."""
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def _is_regression(y: np.ndarray, task: str) -> bool:
    if task != "auto":
        return task == "regression"
    from sklearn.utils.multiclass import type_of_target

    return type_of_target(y) in ("continuous", "continuous-multioutput")


def _frozen(cls) -> bool:
    """Whether an encoder class builds frozen encoders (a combination says so per instance)."""
    try:
        return bool(cls(1, 16, None).frozen)
    except Exception:  # noqa: BLE001 - a class that cannot be built so small: its flag
        return bool(getattr(cls, "frozen", False))


def _check_ridge_flags(args) -> None:
    """``--readout ridge`` with a grid it cannot fit, refused before anything is printed."""
    if getattr(args, "readout", None) != "ridge":
        return
    from ..nn.encoders.base import resolve_encoder
    from ..nn.pools import pool_members, resolve_pool

    encoder = getattr(args, "encoder", None)
    if encoder not in (None, "auto", "none") and not _frozen(resolve_encoder(encoder)):
        raise _UsageError(
            f"--readout ridge solves a readout of fixed pooled features, but --encoder "
            f"{encoder} is trained with the head: pass a frozen encoder (minirocket, "
            "minirocket_alternating, multirocket, hydra, multirocket_hydra, none) or "
            "--readout trained"
        )
    activation = getattr(args, "activation", None)
    if activation not in (None, "relu", "gelu", "none"):
        raise _UsageError(
            f"--readout ridge writes a linear readout through the activation, which "
            f"--activation {activation} cannot pass: pass relu, gelu or none, or "
            "--readout trained"
        )
    learned = [
        p if isinstance(p, str) else "+".join(p)
        for p in args.pools
        if any(resolve_pool(m)(4).learned for m in pool_members(p))
    ]
    if learned:
        raise _UsageError(
            f"--readout ridge trains nothing, but --pools {','.join(learned)} has trained "
            "parameters: leave it out, or pass --readout trained"
        )
    if "decode_first" not in args.orders:
        return
    linear = [p for p in args.pools if all(resolve_pool(m).linear for m in pool_members(p))]
    bad = [p if isinstance(p, str) else "+".join(p) for p in args.pools if p not in linear]
    if bad:
        raise _UsageError(
            f"--readout ridge solves a linear readout, which decode_first computes only behind "
            f"the avg pool, but --pools holds {','.join(bad)}: pass --orders pool_first, "
            "--pools avg, or --readout trained"
        )


# what each training flag sets, for the refusal of one that --readout ridge leaves unused
_TRAINING_FLAGS = {
    "max_epochs": "the trained readout's epochs",
    "lr": "the trained readout's learning rate",
    "batch_size": "the trained readout's mini-batch size",
}


def _refuse_moot_flags(args, synthetic: bool) -> None:
    """Model and training flags the model would not use, refused rather than dropped."""
    from .. import _options

    if args.encoder_channels is not None:
        if args.encoder == "none":
            why = "--encoder none"
        elif args.encoder in (None, "auto") and synthetic:
            why = "the synthetic tasks run the head on the raw channels; pass --encoder NAME"
        else:
            why = None
        if why is not None:
            raise _UsageError(
                f"--encoder-channels sets the encoder's width, but there is no encoder ({why})"
            )
    readout = args.readout or _options.DEFAULTS["readout"]
    if readout == "ridge":
        for flag, what in _TRAINING_FLAGS.items():
            if getattr(args, flag) is not None:
                raise _UsageError(
                    f"{_flag(flag)} sets {what}; --readout ridge trains nothing (it solves "
                    "the readout in closed form): leave it out, or pass --readout trained"
                )


def _check_classes(args, y, what: str) -> None:
    """A classification target with one class, and metrics of two classes on more."""
    import numpy as np

    if _is_regression(y, args.task):
        return
    labels = np.asarray(y)
    classes = [str(v) for v in np.unique(labels.astype(str))]
    if len(classes) < 2:
        raise _UsageError(
            f"the target of {what} holds one class ({classes[0]!r}): classification needs "
            "at least two"
        )
    if labels.dtype.kind in "OUS" and len({v.strip() for v in classes}) < len(classes):
        a, b = next(
            (x, z)
            for i, x in enumerate(classes)
            for z in classes[i + 1 :]
            if x.strip() == z.strip()
        )
        raise _UsageError(
            f"the target of {what} holds both {a!r} and {b!r}, which differ only in "
            "spaces and would be two classes; strip the labels in the file"
        )
    binary_only = ("roc_auc", "f1", "precision", "recall", "jaccard")
    if len(classes) > 2 and args.scoring in binary_only:
        better = "roc_auc_ovr" if args.scoring == "roc_auc" else f"{args.scoring}_macro"
        raise _UsageError(
            f"--scoring {args.scoring} scores two classes, but the target of {what} holds "
            f"{len(classes)}; use --scoring {better}"
        )
    if args.scoring is not None:
        _check_scorer_on_classes(args.scoring, labels, what)


def _scorer_keyword(scorer, name: str) -> tuple[bool, Any]:
    """(whether the scorer's metric takes ``name``, the value it scores with: the
    scorer's own keyword, else the metric's default)."""
    import inspect

    kwargs = getattr(scorer, "_kwargs", {}) or {}
    try:
        params = inspect.signature(scorer._score_func).parameters
    except (AttributeError, TypeError, ValueError):
        return False, None
    if name not in params:
        return False, None
    return True, kwargs.get(name, params[name].default)


# what to score instead of a metric of one positive class, where the labels name none
_BOTH_CLASSES = {
    "average_precision": "roc_auc",
    "neg_brier_score": "neg_log_loss",
    "d2_brier_score": "neg_log_loss",
}


def _check_scorer_on_classes(scoring: str, labels, what: str) -> None:
    """Metrics that cannot score these classes, refused before anything is printed: one
    of a positive class on two labels that name none (scikit-learn takes 1 as positive,
    and without a pos_label from the user fails on '1'/'2' or 'a'/'b' after the first
    fit), and top-k accuracy with k at least the number of classes (1.0 for every design)."""
    import numpy as np
    from sklearn.metrics import get_scorer, get_scorer_names

    scorer = get_scorer(scoring)
    values = np.unique(labels)
    takes_pos_label, positive = _scorer_keyword(scorer, "pos_label")
    own = getattr(scorer, "_kwargs", {}) or {}
    if takes_pos_label and "pos_label" not in own and len(values) == 2:
        numeric = labels.dtype.kind in "biuf"
        if positive is None:  # the metric finds the positive class in 0/1 or -1/1 labels
            found = set(values.tolist()) <= {0, 1} or set(values.tolist()) <= {-1, 1}
            rule = "scikit-learn finds only among the numbers 0 and 1 or -1 and 1 (1 is positive)"
        else:  # the metric's own positive label, 1 for f1, precision, recall, ...
            found = positive in set(values.tolist())
            rule = f"{scoring} takes to be the number {positive!r}"
        named = numeric and found
        if not named:
            shown = " and ".join(str(v) if numeric else repr(str(v)) for v in values.tolist()) + (
                "" if numeric else " (text)"
            )
            macro = f"{scoring}_macro"
            better = macro if macro in get_scorer_names() else _BOTH_CLASSES.get(scoring)
            instead = f"{better} (both classes count) or balanced_accuracy"
            raise _UsageError(
                f"--scoring {scoring} scores one class as the positive one, which "
                f"{rule}, but the target of {what} holds {shown}; use --scoring "
                + (instead if better else "balanced_accuracy")
            )
    takes_k, k = _scorer_keyword(scorer, "k")
    if takes_k and isinstance(k, int) and k >= len(values):
        raise _UsageError(
            f"--scoring {scoring} counts a prediction right when the true class is among "
            f"the {k} most likely, which with {len(values)} classes every prediction is: "
            "every design would score 1.0. Use --scoring accuracy"
        )


def _check_groups(args, groups) -> None:
    """Fewer groups than --cv folds, refused before anything is printed."""
    import numpy as np

    if groups is None:
        return
    n_groups = len(np.unique(np.asarray(groups).astype(str)))
    if n_groups < args.cv:
        raise _UsageError(
            f"--groups {args.groups} holds {n_groups} group{'' if n_groups == 1 else 's'}, "
            f"fewer than the --cv {args.cv} folds, and a group never straddles two folds: "
            f"pass --cv {max(2, n_groups)} or fewer"
        )


class _DrawnSplits:
    """The splits :func:`_check_folds` drew, handed to ``compare_heads`` as its splitter so
    they are not drawn twice (a stratified group draw of 100 000 rows takes seconds);
    ``n_repeats`` numbers the repeats and folds as the integer ``cv`` does."""

    def __init__(self, splits: list, n_repeats: int):
        self.splits = splits
        self.n_repeats = n_repeats
        self.note = ""  # a word on the draw for the run to print

    def split(self, X=None, y=None, groups=None):
        return iter(self.splits)

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        return len(self.splits)


def _check_folds(args, X, y, groups, what: str) -> _DrawnSplits:
    """Refuse, before anything is printed or removed, folds that cannot train: a class
    with fewer members than --cv folds; then, drawing the splits as the run will (the
    same splitter and seed), a training side with one class (groups that follow the
    classes) or too few partitions sharing no fold for --repeats. Returns the splits drawn,
    for the run."""
    import numpy as np
    from sklearn.dummy import DummyClassifier, DummyRegressor

    from ..compare.grid import _make_splits

    regression = _is_regression(y, args.task)
    # group folds promise no member of every class in each fold (a class may live in one
    # group): there the splits drawn below are what is checked
    if not regression and groups is None:
        names, counts = np.unique(np.asarray(y).astype(str), return_counts=True)
        if counts.min() < args.cv:
            rare = names[counts < args.cv]
            n = int(counts[counts < args.cv][0])
            more = f" (and {len(rare) - 1} more class{'' if len(rare) == 2 else 'es'})"
            numeric = np.asarray(y).dtype.kind in "iuf"
            hint = (
                "; the target is whole numbers of many values: if they are amounts (ages, "
                "counts), pass --task regression"
                if numeric and args.task == "auto" and len(names) > 10
                else ""
            )
            shown = str(rare[0]) if numeric else repr(str(rare[0]))
            fewer = f"pass --cv {int(counts.min())} or fewer, or " if counts.min() >= 2 else ""
            raise _UsageError(
                f"class {shown} of the target of {what} has {n} member"
                f"{'' if n == 1 else 's'}{more if len(rare) > 1 else ''}, fewer than the --cv "
                f"{args.cv} folds: stratified folds put a member of every class in each fold; "
                f"{fewer}drop or merge the rare class{'es' if len(rare) > 1 else ''}{hint}"
            )
    stand_in = DummyRegressor() if regression else DummyClassifier()
    try:
        with warnings.catch_warnings():
            # scikit-learn's "least populated class" warning of a group draw, with its
            # source line: said below in the run's own words
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            splits, _, _ = _make_splits(stand_in, X, y, groups, args.cv, args.repeats, args.seed)
    except ValueError as exc:
        message = str(exc).replace("n_repeats=", "--repeats ").replace("cv=", "--cv ")
        raise _UsageError(f"{what}: {message}") from None
    drawn = _DrawnSplits(splits, args.repeats)
    if not regression and groups is not None:
        names, counts = np.unique(np.asarray(y).astype(str), return_counts=True)
        if counts.min() < args.cv:
            rare = names[counts < args.cv]
            n = int(counts[counts < args.cv][0])
            more = f" (and {len(rare) - 1} more)" if len(rare) > 1 else ""
            drawn.note = (
                f"note: class {str(rare[0])!r} has {n} member{'' if n == 1 else 's'}{more}, "
                f"fewer than the --cv {args.cv} folds: folds by --groups {args.groups} keep "
                "each group whole, so some folds test none of that class"
            )
    if regression:
        return drawn
    labels = np.asarray(y).astype(str)
    for i, (train, _) in enumerate(splits):
        present = np.unique(labels[train])
        if len(present) < 2:
            by = f" by --groups {args.groups}" if groups is not None else ""
            follow = ""
            if groups is not None:
                pairs = {(str(g), c) for g, c in zip(np.asarray(groups), labels, strict=True)}
                if len(pairs) == len({g for g, _ in pairs}):
                    follow = " (each group holds one class, so a fold takes whole classes away)"
            advice = "" if follow else ", more groups, or fewer folds"
            raise _UsageError(
                f"fold {i % args.cv + 1} of the --cv {args.cv} folds{by} trains on one class "
                f"({str(present[0])!r}) only{follow}, and a classifier learns from two or more: "
                f"pass --groups a column whose groups mix the classes{advice}"
            )
    return drawn
