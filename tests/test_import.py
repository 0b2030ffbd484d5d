"""``import seqpool_sklearn`` is lazy, and the command line parses before importing torch.

The heavy dependencies (torch ~6 s, scipy.stats ~3 s, scikit-learn ~1 s on a cold start) are
imported when a public name is first used, so ``import seqpool_sklearn``, ``__version__``
and ``seqpool --help`` answer at once. These checks run in a fresh interpreter: the test
process has imported torch long before (conftest.py).
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import seqpool_sklearn

HEAVY = ("torch", "scipy", "sklearn", "skorch")
INIT = Path(seqpool_sklearn.__file__)


def run_python(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_and_version_import_no_heavy_dependency():
    found = run_python(
        "import json, sys\n"
        "import seqpool_sklearn\n"
        "version = seqpool_sklearn.__version__\n"
        f"print(json.dumps({{'version': version, 'heavy': [m for m in {HEAVY!r} "
        "if m in sys.modules]}))"
    )
    assert found == {"version": seqpool_sklearn.__version__, "heavy": []}


# Command lines that must be answered from the arguments alone.
CLI_CASES = [
    ["--help"],
    ["--version"],
    [],
    ["frobnicate"],
    ["compare", "--bogus"],
    ["compare", "--cv", "1"],
    ["compare", "--windows", "none,zero"],
    ["compare", "--ucr", "GunPoint", "--synthetic", "mean_level"],
    ["compare", "--max-epochs", "two"],
    ["datasets", "--frobnicate"],
]


def test_the_command_line_answers_without_importing_torch_scipy_or_sklearn():
    # Each case runs in the same fresh interpreter and is checked right after it runs; a
    # case that imports a heavy module is named, and the later ones would show it too.
    code = f"""
import contextlib, io, json, sys
from seqpool_sklearn.cli import main
report = []
for argv in {CLI_CASES!r}:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    heavy = [m for m in {HEAVY!r} if m in sys.modules]
    report.append([argv, code, out.getvalue(), err.getvalue(), heavy])
print(json.dumps(report))
"""
    report = run_python(code)
    for argv, code, out, err, heavy in report:
        assert heavy == [], f"seqpool {' '.join(argv)} imported {heavy}"
        if argv in (["--help"], ["--version"]):
            assert code == 0 and out, argv
        else:
            assert code == 2, (argv, code, err)
            assert err.startswith("seqpool: error: ") and len(err.splitlines()) == 1, err
    helps = {" ".join(argv): out for argv, _, out, _, _ in report}
    assert "compare" in helps["--help"] and "datasets" in helps["--help"]
    assert helps["--version"].strip() == f"seqpool {seqpool_sklearn.__version__}"


def test_the_help_of_compare_shows_the_estimators_defaults_without_torch():
    """The defaults and option lists are read from the source, not imported."""
    found = run_python(
        "import contextlib, io, json, sys\n"
        "from seqpool_sklearn.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main(['compare', '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps({'help': out.getvalue(), 'torch': 'torch' in sys.modules}))"
    )
    assert not found["torch"]
    lr = seqpool_sklearn.SeqPoolClassifier().get_params()["lr"]
    assert f"(estimator default: {lr:g})" in " ".join(found["help"].split())
    assert "(see --help)" not in found["help"]  # every deferred text was filled in


@pytest.mark.parametrize("name", seqpool_sklearn.__all__)
def test_every_public_name_is_importable_and_listed(name):
    namespace: dict = {}
    exec(f"from seqpool_sklearn import {name}", namespace)
    assert namespace[name] is getattr(seqpool_sklearn, name)
    assert name in dir(seqpool_sklearn)


def test_public_names_are_the_objects_of_their_modules():
    sources = seqpool_sklearn._SOURCES
    assert set(sources) == set(seqpool_sklearn.__all__) - {"__version__"}
    for name, module in sources.items():
        defined = importlib.import_module(f"seqpool_sklearn.{module}")
        assert getattr(defined, name) is getattr(seqpool_sklearn, name), name


def test_the_type_checking_imports_match_the_lazy_table():
    """The eager imports that type checkers read name the same module for every name."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module.lstrip(".")
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == seqpool_sklearn._SOURCES


def test_star_import_and_unknown_names():
    namespace: dict = {}
    exec("from seqpool_sklearn import *", namespace)
    assert set(seqpool_sklearn.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="has no attribute 'SeqPoolClassifer'"):
        seqpool_sklearn.SeqPoolClassifer  # noqa: B018
    assert not hasattr(seqpool_sklearn, "nonexistent")


def test_the_torch_free_options_are_the_registries_and_the_defaults():
    from seqpool_sklearn import _options
    from seqpool_sklearn.nn.encoders import ENCODER_REGISTRY
    from seqpool_sklearn.nn.masks import _ACTIVATIONS
    from seqpool_sklearn.nn.pools import POOL_REGISTRY

    assert set(POOL_REGISTRY) == set(_options.POOLS)
    assert set(ENCODER_REGISTRY) == set(_options.ENCODERS)
    assert tuple(_ACTIVATIONS) == _options.ACTIVATIONS
    for name, cls in ENCODER_REGISTRY.items():
        assert cls.default_width == _options.DEFAULT_ENCODER_CHANNELS[name], name
    # the command line's help gives the maps the default width builds (9996 asked of
    # multirocket builds two branches of 4956)
    assert set(_options.DEFAULT_ENCODER_BUILT) == set(ENCODER_REGISTRY)
    for name in ("minirocket", "multirocket"):
        built = ENCODER_REGISTRY[name](1, 40, None).out_channels
        assert _options.DEFAULT_ENCODER_BUILT[name] == f"{built} maps", name
    for cls in (seqpool_sklearn.SeqPoolClassifier, seqpool_sklearn.SeqPoolRegressor):
        params = cls().get_params()
        assert {k: params[k] for k in _options.DEFAULTS} == _options.DEFAULTS, cls
        assert set(params) - set(_options.DEFAULTS) <= {
            "optimizer",
            "class_weight",
            "label_smoothing",
        }, cls
