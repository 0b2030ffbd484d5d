"""The documentation: API coverage, runnable examples and a warning-free build.

* every public name (``seqpool_sklearn.__all__``) is listed in ``docs/api.rst`` and has an
  "Examples" section in its docstring;
* the code of the user guide (``>>>`` blocks in ``docs/**/*.rst``) runs as doctests --
  docstring examples are run by pytest's ``--doctest-modules``;
* ``sphinx -W`` builds the site without a warning. That build skips executing the gallery
  (``-D plot_gallery=0``): ``tests/test_examples.py`` runs every example script already,
  and ``make docs`` runs them again to draw the gallery's figures.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import seqpool_sklearn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILT = {"_build", "generated", "auto_examples"}

# Public names whose docstring has no Examples section yet, with the reason. Each entry is
# a strict xfail: once the example is written, the test passes, xfail turns it into a
# failure, and the entry must go.
MISSING_EXAMPLES: dict[str, str] = {}
# Not objects with a docstring of their own.
NO_DOCSTRING = {"__version__"}


def _rst_files() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.rst") if not BUILT & set(p.relative_to(DOCS).parts))


def _api_names() -> set[str]:
    """Names listed in the autosummary tables of api.rst."""
    names: set[str] = set()
    in_table = False
    for line in (DOCS / "api.rst").read_text(encoding="utf-8").splitlines():
        if line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line and not line.startswith(" "):
            in_table = False
        elif in_table and line.strip() and not line.strip().startswith(":"):
            names.add(line.strip().lstrip("~").rsplit(".", 1)[-1])
    return names


def _docstring(name: str) -> str:
    """The docstring of a public name; for module-level data, the attribute docstring."""
    obj = getattr(seqpool_sklearn, name)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return inspect.getdoc(obj) or ""
    from sphinx.pycode import ModuleAnalyzer

    for module in sorted(sys.modules):
        if (
            module.startswith("seqpool_sklearn.")
            and getattr(importlib.import_module(module), name, None) is obj
        ):
            docs = ModuleAnalyzer.for_module(module).find_attr_docs()
            if ("", name) in docs:
                return "\n".join(docs[("", name)])
    return ""


def _has_examples(doc: str) -> bool:
    """Whether a numpydoc "Examples" section holds at least one doctest."""
    match = re.search(r"^Examples\n-{8,}\n", doc, flags=re.MULTILINE)
    return match is not None and ">>>" in doc[match.end() :]


def test_every_public_name_is_in_the_api_reference():
    listed = _api_names()
    missing = sorted(set(seqpool_sklearn.__all__) - listed)
    assert not missing, f"add these public names to an autosummary table of docs/api.rst: {missing}"
    unknown = sorted(listed - set(seqpool_sklearn.__all__))
    assert not unknown, f"docs/api.rst lists names that are not in __all__: {unknown}"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(reason=MISSING_EXAMPLES[name], strict=True)
            if name in MISSING_EXAMPLES
            else (),
        )
        for name in sorted(set(seqpool_sklearn.__all__) - NO_DOCSTRING)
    ],
)
def test_public_name_has_a_runnable_example(name):
    doc = _docstring(name)
    assert _has_examples(doc), f"{name}: the docstring needs an 'Examples' section with >>>"


@pytest.mark.parametrize("name", ["SeqPoolClassifier", "SeqPoolRegressor"])
def test_user_guide_describes_every_hyperparameter(name):
    """The estimators page promises every hyperparameter; a new one must be added there."""
    text = (DOCS / "user_guide" / "estimators.rst").read_text(encoding="utf-8")
    params = getattr(seqpool_sklearn, name)().get_params(deep=False)
    missing = sorted(p for p in params if f"``{p}`` :" not in text)
    assert not missing, f"describe {missing} in docs/user_guide/estimators.rst"


@pytest.mark.parametrize(
    "path",
    [p for p in _rst_files() if ">>>" in p.read_text(encoding="utf-8")],
    ids=lambda p: str(p.relative_to(DOCS)),
)
def test_user_guide_code_runs(path, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    failed, attempted = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert attempted > 0
    assert failed == 0, f"{failed} of {attempted} examples in {path.name} failed (see stdout)"


def test_every_example_is_in_the_gallery_folder():
    """sphinx-gallery picks up examples/plot_*.py; a script named otherwise would be skipped."""
    scripts = sorted((ROOT / "examples").glob("*.py"))
    assert scripts, "examples/ has no scripts"
    assert all(p.name.startswith("plot_") for p in scripts), [p.name for p in scripts]
    assert (ROOT / "examples" / "README.txt").is_file()
    for script in scripts:
        head = script.read_text(encoding="utf-8").lstrip()
        assert head.startswith('"""'), f"{script.name}: the gallery needs a title docstring"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("numpydoc")
    pytest.importorskip("pydata_sphinx_theme")
    # A copy of docs/ in tmp_path, so that the generated stubs and gallery pages of this
    # build never mix with (or are taken from) those of a `make docs` in the working tree.
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=lambda folder, names: [n for n in names if n in BUILT])
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-D",
            "plot_gallery=0",
            str(docs),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-8000:]
    html = tmp_path / "html"
    for name in seqpool_sklearn.__all__:
        assert (html / "generated" / f"seqpool_sklearn.{name}.html").is_file(), name
    assert (html / "auto_examples" / "index.html").is_file()
