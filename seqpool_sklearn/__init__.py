"""seqpool_sklearn: scikit-learn estimators for sequence models with configurable heads.

The head of a sequence model (pool over time, then decode; or decode every step, then pool)
is exposed as ordinary hyperparameters -- ``order``, ``pool`` and ``window`` -- so that
``GridSearchCV``, ``cross_validate`` and Pipelines can measure which design works on a dataset.
"""

from ._compare import HeadComparison, compare_heads
from ._datasets import fetch_ucr, get_data_home, list_ucr
from ._estimators import SeqPoolClassifier, SeqPoolRegressor
from ._modules import SeqPoolHead, SeqPoolModule
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
from ._wide import WideToSequences
from ._windows import Windows, sliding_windows

__version__ = "0.1.0"

__all__ = [
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
]
