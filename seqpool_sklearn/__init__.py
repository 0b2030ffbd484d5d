"""seqpool_sklearn: scikit-learn estimators for sequence models with configurable heads.

The head of a sequence model (pool over time, then decode; or decode every step, then pool)
is exposed as ordinary hyperparameters -- ``order``, ``pool`` and ``window`` -- so that
``GridSearchCV``, ``cross_validate`` and Pipelines can measure which design works on a dataset.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
