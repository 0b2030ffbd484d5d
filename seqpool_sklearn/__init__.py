"""seqpool_sklearn: scikit-learn estimators for sequence models with configurable heads.

The head of a sequence model (pool over time, then decode; or decode every step, then pool)
is exposed as ordinary hyperparameters -- ``order``, ``pool`` and ``window`` -- so that
``GridSearchCV``, ``cross_validate`` and Pipelines can measure which design works on a dataset.
"""

# The public names are imported on first use (PEP 562), as scikit-learn does for its
# submodules: `import seqpool_sklearn`, `__version__` and the `seqpool` command's argument
# parsing then cost milliseconds instead of the seconds that torch, scipy and sklearn take.
# `from seqpool_sklearn import X`, `dir()` and Sphinx's autodoc see every name as before.

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> the private module that defines it
_SOURCES = {
    "SeqPoolClassifier": "_estimators",
    "SeqPoolRegressor": "_estimators",
    "SeqPoolHead": "nn.head",
    "SeqPoolModule": "nn.module",
    "Pool": "nn.pools",
    "Encoder": "nn.encoders",
    "CombinedEncoder": "nn.encoders",
    "register_pool": "nn.pools",
    "register_encoder": "nn.encoders",
    "load_ts": "_tsfile",
    "load_tsv": "_tsvfile",
    "fetch_ucr": "_datasets",
    "get_data_home": "_datasets",
    "list_ucr": "_datasets",
    "TSMetadata": "_tsfile",
    "make_nonlinear_steps": "_synthetic",
    "make_mean_level": "_synthetic",
    "make_event_timing": "_synthetic",
    "SYNTHETIC_TASKS": "_synthetic",
    "long_to_sequences": "_reshape",
    "sequences_to_long": "_sequences",
    "Sequences": "_sequences",
    "WideToSequences": "_wide",
    "SeriesScaler": "_transformers",
    "PadTruncate": "_transformers",
    "Resampler": "_transformers",
    "sliding_windows": "_windows",
    "Windows": "_windows",
    "compare_heads": "compare",
    "HeadComparison": "compare",
    "summarize_comparisons": "compare",
    "ComparisonSummary": "compare",
    "Explanation": "_explain",
    "deletion_score": "_explain",
    "deletion_scorer": "_explain",
    "LayoutWarning": "_validation",
    "MissingChannelWarning": "_validation",
    "TrainingDivergedError": "_net",
}

__all__ = [
    "CombinedEncoder",
    "Encoder",
    "Pool",
    "register_encoder",
    "register_pool",
    "__version__",
    "SeqPoolClassifier",
    "SeqPoolRegressor",
    "SeqPoolHead",
    "SeqPoolModule",
    "load_ts",
    "load_tsv",
    "fetch_ucr",
    "get_data_home",
    "list_ucr",
    "TSMetadata",
    "make_nonlinear_steps",
    "make_mean_level",
    "make_event_timing",
    "SYNTHETIC_TASKS",
    "long_to_sequences",
    "sequences_to_long",
    "Sequences",
    "WideToSequences",
    "SeriesScaler",
    "PadTruncate",
    "Resampler",
    "sliding_windows",
    "Windows",
    "compare_heads",
    "HeadComparison",
    "summarize_comparisons",
    "ComparisonSummary",
    "Explanation",
    "deletion_score",
    "deletion_scorer",
    "LayoutWarning",
    "MissingChannelWarning",
    "TrainingDivergedError",
]

# Type checkers and IDEs read the eager imports; tests/test_import.py checks that they,
# _SOURCES and __all__ name the same objects.
if TYPE_CHECKING:
    from ._datasets import fetch_ucr, get_data_home, list_ucr
    from ._estimators import SeqPoolClassifier, SeqPoolRegressor
    from ._explain import Explanation, deletion_score, deletion_scorer
    from ._net import TrainingDivergedError
    from ._reshape import long_to_sequences
    from ._sequences import Sequences, sequences_to_long
    from ._synthetic import (
        SYNTHETIC_TASKS,
        make_event_timing,
        make_mean_level,
        make_nonlinear_steps,
    )
    from ._transformers import PadTruncate, Resampler, SeriesScaler
    from ._tsfile import TSMetadata, load_ts
    from ._tsvfile import load_tsv
    from ._validation import LayoutWarning, MissingChannelWarning
    from ._wide import WideToSequences
    from ._windows import Windows, sliding_windows
    from .compare import (
        ComparisonSummary,
        HeadComparison,
        compare_heads,
        summarize_comparisons,
    )
    from .nn.encoders import CombinedEncoder, Encoder, register_encoder
    from .nn.head import SeqPoolHead
    from .nn.module import SeqPoolModule
    from .nn.pools import Pool, register_pool


def __getattr__(name: str):
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
