"""Every script of the example gallery runs, as a user would run it, in a fresh process.

Each ``examples/*.py`` runs in its own subprocess with a non-interactive matplotlib
back-end, one torch thread (``OMP_NUM_THREADS=1``: the examples are small, and the suite
may share the machine) and the same ``SEQPOOL_DATA_HOME`` as the tests, from a scratch
working directory so that files an example writes never land in the repository. These are
the runs that keep the gallery honest; the docs build in the suite does not execute them
again (see ``tests/test_docs.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TIMEOUT_S = 240  # per script; each is meant to run in well under a minute


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        MPLCONFIGDIR=str(tmp_path / "mpl"),
    )
    if "SEQPOOL_DATA_HOME" not in env:
        shared = ROOT.parent / "shared" / "ucr"
        if shared.is_dir():
            env["SEQPOOL_DATA_HOME"] = str(shared)
    return env


def test_there_are_examples():
    assert EXAMPLES, f"no example scripts found in {ROOT / 'examples'}"


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_S + 30)
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, (
        f"{script.name} exited with {proc.returncode} after {elapsed:.0f} s\n"
        f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
    )
