"""The package imports and fits in unusual installs: without numba, without a numba cache.

Each case runs in a fresh interpreter, since numba's kernels are compiled (or found
missing) once per process.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import seqpool_sklearn

# the folder that holds the package, first on the subprocesses' path
_ROOT = str(Path(seqpool_sklearn.__file__).resolve().parents[1])

# a small minirocket fit under both orders (the compiled kernel pools the first and ranks
# the steps of the second); its probabilities are saved for the parent to compare
_FIT = textwrap.dedent(
    """
    import sys
    import warnings

    import numpy as np

    warnings.simplefilter("ignore")
    {prelude}
    from seqpool_sklearn import SeqPoolClassifier
    from seqpool_sklearn.nn.encoders import rocket_kernel

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 40)).astype(np.float32)
    X[3, :, 25:] = np.nan
    y = np.arange(30) % 2
    out = [
        SeqPoolClassifier(
            encoder_channels=168, max_epochs=2, order=order, window=window,
            random_state=0, n_threads=1,
        ).fit(X, y).predict_proba(X)
        for order, window in (("pool_first", None), ("pool_first", 8), ("decode_first", None))
    ]
    np.save(sys.argv[1], np.stack(out))
    kernels = rocket_kernel._compiled()
    print("kernel:", None if kernels is None else type(kernels.pool_kernel._cache).__name__)
    """
)


def _run_fit(tmp_path: Path, name: str, prelude: str = "", path: tuple = ()):
    """Run the fit in a new interpreter; its probabilities and what it printed."""
    script = tmp_path / f"{name}.py"
    script.write_text(_FIT.format(prelude=textwrap.dedent(prelude)))
    out = tmp_path / f"{name}.npy"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [*path, _ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, str(script), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out), done.stdout


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The fit with numba and its disk cache, as installed here."""
    return _run_fit(tmp_path_factory.mktemp("reference"), "reference")


def _no_cache_location() -> str | None:
    """Why numba can write no disk cache for the kernels here; None where it can.

    Asked of numba itself, as it decides when the kernels are decorated: a read-only
    install and home directory, or an unwritable ``NUMBA_CACHE_DIR``, leave no location.
    """
    try:
        import numba.core.caching as caching

        from seqpool_sklearn.nn.encoders import _rocket_numba
    except ImportError as exc:
        return f"numba does not import ({exc})"
    try:
        caching.CompileResultCacheImpl(_rocket_numba.pool_kernel.py_func)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available ..."
        return str(exc)
    return None


def test_reference_fit_uses_the_cached_kernel(reference):
    reason = _no_cache_location()
    if reason is not None:
        pytest.skip(f"numba has no writable cache location here: {reason}")
    _, printed = reference
    assert "kernel: FunctionCache" in printed


def test_without_numba_the_package_imports_and_torch_computes_the_same(tmp_path, reference):
    # a numba that fails to import, as in a broken install
    blocker = tmp_path / "blocked" / "numba"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('numba is broken here')\n")
    check = """
    try:
        import numba  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the numba blocker was not found first")
    """
    got, printed = _run_fit(tmp_path, "no_numba", check, path=(str(blocker.parent),))
    assert "kernel: None" in printed  # torch computed
    # float32 series: torch's float64 convolutions give the kernel's counts exactly
    np.testing.assert_array_equal(got, reference[0])


def test_without_a_cache_location_the_kernel_compiles_uncached(tmp_path, reference):
    # numba finds no writable cache location (a read-only install and home directory):
    # decorating a cached function raises "no locator available", here for every file
    prelude = """
    import numba.core.caching as caching

    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl
    impl._locator_classes = []
    try:
        import numba

        numba.njit(cache=True)(lambda: 0)
    except RuntimeError:
        pass
    else:
        raise SystemExit("numba still found a cache location")
    """
    got, printed = _run_fit(tmp_path, "no_cache", prelude)
    assert "kernel: NullCache" in printed  # compiled, not cached
    np.testing.assert_array_equal(got, reference[0])
