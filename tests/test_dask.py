"""Grid searches on a real Dask cluster give the same split scores as in-process runs.

Users who outgrow one machine point unchanged code at a Dask cluster
(``pip install "seqpool-sklearn[dask]"``)::

    from dask.distributed import Client
    import joblib

    client = Client("tcp://scheduler:8786")  # or Client(LocalCluster(...))
    with joblib.parallel_backend("dask"):
        GridSearchCV(SeqPoolClassifier(random_state=0), grid, n_jobs=-1).fit(X, y)

Here a ``LocalCluster`` with two worker processes on 127.0.0.1 stands in for
the cluster. With an integer ``random_state`` the scores are bitwise identical
to ``n_jobs=1`` because every fit pins torch to one intra-op thread (``n_threads=1``).
"""

import joblib
import numpy as np
import pytest
from _threads import caller_threads
from sklearn.model_selection import GridSearchCV, StratifiedKFold

import seqpool_sklearn
from seqpool_sklearn import SeqPoolClassifier

distributed = pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed; pip install 'seqpool-sklearn[dask]'",
)

pytestmark = pytest.mark.slow

# n_threads=1: the setting whose results are bitwise the same in every process
TINY = {
    "encoder_channels": 4,
    "hidden_size": 6,
    "max_epochs": 2,
    "batch_size": 16,
    "lr": 0.02,
    "n_threads": 1,
}
GRID = {"order": ["pool_first", "decode_first"], "pool": ["max"], "window": [4]}


def _data(n=32, c=2, t=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = (X[:, 0].mean(axis=1) > X[:, 1].mean(axis=1)).astype(int)
    return X, y


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _search(n_jobs=None):
    X, y = _data()
    return GridSearchCV(
        SeqPoolClassifier(random_state=0, **TINY),
        GRID,
        cv=StratifiedKFold(2),
        scoring="neg_log_loss",  # continuous: one changed bit in a fit shows
        n_jobs=n_jobs,
    ).fit(X, y)


def _split_scores(search):
    return np.array([search.cv_results_[f"split{i}_test_score"] for i in range(2)])


def test_grid_search_on_a_dask_cluster_matches_n_jobs_1_bitwise(client):
    with caller_threads(2):  # the caller's setting must not matter
        serial = _search(n_jobs=1)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        on_dask = _search(n_jobs=-1)
    workers = {t["worker"] for t in tasks.data}
    assert len(tasks.data) >= 4 and workers <= set(client.scheduler_info()["workers"])
    np.testing.assert_array_equal(_split_scores(on_dask), _split_scores(serial))
    assert np.isfinite(_split_scores(serial)).all()
    X, _ = _data()
    np.testing.assert_array_equal(
        on_dask.best_estimator_.predict_proba(X), serial.best_estimator_.predict_proba(X)
    )


def test_compare_heads_on_a_dask_cluster_matches_n_jobs_1(client):
    compare_heads = getattr(seqpool_sklearn, "compare_heads", None)
    if compare_heads is None:
        pytest.skip("seqpool_sklearn.compare_heads is not available in this version")
    X, y = _data()
    est = SeqPoolClassifier(random_state=0, **TINY)
    kwargs = {
        "pools": ["max"],
        "windows": [4],
        "cv": 2,
        "random_state": 0,
        "scoring": "neg_log_loss",
    }
    serial = compare_heads(est, X, y, n_jobs=1, **kwargs)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        on_dask = compare_heads(est, X, y, n_jobs=-1, **kwargs)
    assert len(tasks.data) >= 4
    assert set(on_dask.results["order"]) == {"pool_first", "decode_first"}
    np.testing.assert_array_equal(
        on_dask.results["score"].to_numpy(), serial.results["score"].to_numpy()
    )
