"""The estimators' machinery by concept: parameters, training, the shared base, docs.

The public classes, :class:`~seqpool_sklearn.SeqPoolClassifier` and
:class:`~seqpool_sklearn.SeqPoolRegressor`, are defined in ``seqpool_sklearn._estimators``
(the import path that pickles and skops files name).
"""
