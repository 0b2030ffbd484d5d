"""The documentation: API coverage, runnable examples and a warning-free build.

* every public name (``seqpool_sklearn.__all__``) is listed in ``docs/api.rst`` and has an
  "Examples" section in its docstring;
* the code of the user guide (``>>>`` blocks in ``docs/**/*.rst``) runs as doctests --
  docstring examples are run by pytest's ``--doctest-modules``;
* ``sphinx -W`` builds the site without a warning. That build skips executing the gallery
  (``-D plot_gallery=0``): ``tests/test_examples.py`` runs every example script already,
  and ``make docs`` runs them again to draw the gallery's figures;
* the README's example prints what the README shows, in about the time it states, and its
  install commands never let pip pick a PyTorch build on its own;
* the docs and the ``seqpool`` command agree: every command line shown parses, every flag
  named exists (and every flag of ``seqpool compare`` is described), every output path is
  the one the command writes, and the run shown starts as the command's run does.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import inspect
import io
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import seqpool_sklearn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
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


def _public_estimators() -> list[type]:
    from sklearn.base import BaseEstimator

    return [
        obj
        for obj in (getattr(seqpool_sklearn, n) for n in seqpool_sklearn.__all__)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator)
    ]


def test_html_diagram_links_to_the_api_page_only_where_docs_exist(monkeypatch, tmp_path):
    from seqpool_sklearn import _doclink

    monkeypatch.delenv("SEQPOOL_SKLEARN_DOCS_URL", raising=False)
    monkeypatch.setattr(_doclink, "_LOCAL_BUILD", tmp_path / "html")
    estimators = _public_estimators()
    assert len(estimators) >= 5
    for cls in estimators:  # no built docs anywhere: no (dead) link
        assert cls()._get_doc_link() == "", cls
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("<html></html>")
    for cls in estimators:  # a local `make docs` build
        expected = f"{(tmp_path / 'html').as_uri()}/generated/seqpool_sklearn.{cls.__name__}.html"
        assert cls()._get_doc_link() == expected
    monkeypatch.setenv("SEQPOOL_SKLEARN_DOCS_URL", "https://docs.example.org/seqpool/")
    for cls in estimators:  # hosted docs win
        link = f"https://docs.example.org/seqpool/generated/seqpool_sklearn.{cls.__name__}.html"
        assert cls()._get_doc_link() == link
        assert f'href="{link}"' in cls()._repr_html_()


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
    # the "?" of every estimator's HTML diagram opens its page in this build
    from urllib.parse import unquote, urlparse

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEQPOOL_SKLEARN_DOCS_URL", html.as_uri())
        for cls in _public_estimators():
            link = cls()._get_doc_link()
            assert link and Path(unquote(urlparse(link).path)).is_file(), (cls, link)
            assert link in cls()._repr_html_()


# --------------------------------------------------------------------------- README
def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _readme_example() -> tuple[str, str, str]:
    """The README's first python block, the text between it and the next text block
    (where the run time is stated), and that text block: the output it shows."""
    match = re.search(r"```python\n(.*?)```\n(.*?)```text\n(.*?)```", _readme(), re.S)
    assert match, "README.md needs a python example followed by a text block of its output"
    return match.group(1), match.group(2), match.group(3)


NUMBER = re.compile(r"-?\d+\.\d+")


def _same_output(got: str, shown: str, tolerance: float) -> list[str]:
    """Lines that differ: words exactly, decimal numbers within ``tolerance``."""
    got_lines, shown_lines = got.strip().splitlines(), shown.strip().splitlines()
    if len(got_lines) != len(shown_lines):
        return [f"{len(got_lines)} lines printed, {len(shown_lines)} shown"]
    differ = []
    for g, e in zip(got_lines, shown_lines, strict=True):
        numbers = [float(x) for x in NUMBER.findall(g)], [float(x) for x in NUMBER.findall(e)]
        if NUMBER.sub("#", g).split() != NUMBER.sub("#", e).split() or any(
            abs(a - b) > tolerance for a, b in zip(*numbers, strict=True)
        ):
            differ.append(f"printed {g!r}, shown {e!r}")
    return differ


def test_output_comparison_can_fail():
    shown = "decode_first  avg      1.00\nbest: {'order': 'decode_first'}"
    assert _same_output(shown.replace("1.00", "0.98"), shown, 0.05) == []
    assert _same_output(shown.replace("1.00", "0.90"), shown, 0.05)
    assert _same_output(shown.replace("best: {'order': 'decode_first'}", "best: x"), shown, 0.05)
    assert _same_output(shown + "\nmore", shown, 0.05)


# A fixed one-thread workload of the README example's kind (a small model trained in
# many small steps, torch imported) and its CPU time on the machine where the README's
# timing was written. A machine whose cores are k times slower at it gets k times the
# example's budget, so the check measures the example, not the CPU it happens to run on.
CALIBRATION = """
import torch
torch.manual_seed(0)
torch.set_num_threads(1)
X = torch.randn(200, 2, 64)
y = (X[:, 0] * X[:, 1] > 0).float().mean(1).round().long()
model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(3000):
    idx = torch.randint(0, 200, (32,))
    loss = torch.nn.functional.cross_entropy(model(X[idx].transpose(1, 2)).mean(1), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""
CALIBRATION_REFERENCE_CPU_S = 4.5


def _child_cpu(code: str, cwd: Path, timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``code`` in a one-thread child; its result and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_readme_example_prints_what_the_readme_shows(tmp_path):
    code, between, shown = _readme_example()
    stated = re.search(r"about (\d+) seconds on one CPU core", between)
    assert stated, "say how long the README example takes ('about N seconds on one CPU core')"
    calibration, calibration_cpu = _child_cpu(CALIBRATION, tmp_path, 120)
    assert calibration.returncode == 0, calibration.stderr[-4000:]
    proc, cpu = _child_cpu(code, tmp_path, 380)
    assert proc.returncode == 0, proc.stderr[-4000:]
    # scores may move in the last digit between machines and PyTorch builds
    differ = _same_output(proc.stdout, shown, tolerance=0.05)
    assert not differ, "README.md's shown output is out of date:\n" + "\n".join(differ)
    # CPU time, not wall time: a busy machine must not fail this, a 3x slower example must;
    # a slower CPU scales the budget by how much slower it runs the calibration workload
    slower = max(1.0, calibration_cpu / CALIBRATION_REFERENCE_CPU_S)
    budget = 3 * int(stated.group(1)) * slower
    assert cpu < budget, (
        f"the example took {cpu:.0f} s of CPU, over its budget of {budget:.0f} s (3x the "
        f"stated {stated.group(1)} s, times {slower:.2f} for this CPU: the calibration "
        f"workload took {calibration_cpu:.1f} s against {CALIBRATION_REFERENCE_CPU_S} s)"
    )


def _doc_files() -> list[Path]:
    return [README, *_rst_files()]


def _code_lines(path: Path) -> list[str]:
    """The lines of the shell code blocks of a README (```bash) or rst page (code-block)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        blocks = re.findall(r"```(?:bash|sh|shell|console)\n(.*?)```", text, re.S)
    else:
        blocks = re.findall(
            r"\.\. code-block:: (?:bash|sh|shell|console)\n\n(.*?)(?=\n\S)", text, re.S
        )
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("path", _doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_install_commands_name_the_pytorch_build(path):
    """pip must never resolve a bare ``torch`` itself (on Linux the newest CUDA build, GB)."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"pip install \W*seqpool[-_]sklearn", text), (
        "the package is not on an index; install it from the clone"
    )
    torch_pinned = False
    for line in _code_lines(path):
        assert not re.search(r"TORCH_SPEC=\W*torch\b(?!=)", line), f"pin the torch build: {line}"
        command = line.split("#", 1)[0] if not line.startswith("#") else line.lstrip("# ")
        command = command.removeprefix("or: ")
        if not command.startswith("pip install"):
            continue
        if "torch" in command:
            assert "torch==" in command and "--index-url" in command, line
            torch_pinned = True
        elif re.search(r"pip install (-e )?\S*\.", command):
            assert torch_pinned, f"install PyTorch (a pinned build) before the package: {line}"


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, re.MULTILINE))


def test_make_targets_named_in_the_docs_exist():
    targets = _makefile_targets()
    named = {
        (path.name, target)
        for path in _doc_files()
        # in code: ``make x``, `make x`, or a line of a code block
        for target in re.findall(
            r"(?:`|^\s*|\$ )make ([a-z][\w-]*)", path.read_text(encoding="utf-8"), re.M
        )
    }
    assert named, "the docs name no make target"
    assert not {(f, t) for f, t in named if t not in targets}, sorted(named)


def test_readme_says_how_to_build_the_docs():
    text = _readme()
    assert "make docs" in text and '".[docs]"' in text


# --------------------------------------------------------------------------- the command
def _seqpool_help(*argv: str) -> str:
    from seqpool_sklearn.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*argv, "--help"])
    return out.getvalue()


def _options(*argv: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", _seqpool_help(*argv)))


def _command_section(path: Path) -> str:
    """The part of a page about the ``seqpool`` command."""
    text = path.read_text(encoding="utf-8")
    if path == README:
        return text.split("## The `seqpool` command", 1)[1].split("\n## ", 1)[0]
    return text.split("The ``seqpool`` command\n=======", 1)[1]


COMMAND_PAGES = [README, DOCS / "user_guide" / "compare.rst"]


def _shown_command_lines() -> list[tuple[str, str]]:
    """Every ``seqpool compare|datasets ...`` command line written in the docs."""
    found = []
    for path in _doc_files():
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"\$ (seqpool (?:compare|datasets)\b[^\n]*)", text):
            found.append((path.name, line))
        for line in re.findall(r"`{1,2}(seqpool (?:compare|datasets)\b[^`]*)`{1,2}", text):
            found.append((path.name, line))
    return found


def test_every_command_line_in_the_docs_parses():
    from seqpool_sklearn.cli import build_parser

    lines = _shown_command_lines()
    assert len(lines) >= 3
    for name, line in lines:
        argv = shlex.split(line)[1:]
        if "--help" in argv:
            continue
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{name}: {line!r} is not a valid seqpool command line")


@pytest.mark.parametrize("path", COMMAND_PAGES, ids=lambda p: p.name)
def test_every_flag_named_in_the_docs_exists(path):
    known = _options() | _options("compare") | _options("datasets")
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", _command_section(path)))
    assert named, f"{path.name} names no flag of the command"
    assert not named - known, f"{path.name} names flags seqpool does not have: {named - known}"


def test_the_user_guide_describes_every_flag_of_compare():
    described = _command_section(DOCS / "user_guide" / "compare.rst")
    missing = sorted(o for o in _options("compare") - {"--help"} if f"``{o}" not in described)
    assert not missing, f"describe these flags in compare.rst's command section: {missing}"


def test_output_paths_in_the_docs_are_the_ones_written():
    from seqpool_sklearn import cli

    out = cli.build_parser().parse_args(["compare"]).out
    for path in _doc_files():
        for name in re.findall(r"seqpool[-_]results", path.read_text(encoding="utf-8")):
            assert name == str(out), f"{path.name} says {name}, the command writes {out}"
    shown = re.findall(r"Wrote (\S+) and (\S+) \(", _command_section(COMMAND_PAGES[1]))
    assert shown == [(f"{out}/{cli.RESULTS_FILE}", f"{out}/{cli.FIGURE_FILE}")]


def test_the_run_shown_starts_as_the_commands_run(monkeypatch, tmp_path):
    """The first lines of the run shown in compare.rst are what ``seqpool compare`` prints
    before training: the data and the estimator with its defaults as of now."""
    import seqpool_sklearn
    from seqpool_sklearn.cli import main

    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop

    monkeypatch.setattr(seqpool_sklearn, "compare_heads", stop)
    # the run lists its files in --out before training: not in the repository
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(Stop):
        main(["compare", "--quiet", "--out", "unused"])
    section = _command_section(COMMAND_PAGES[1])
    shown = section.split("$ seqpool compare\n", 1)[1].splitlines()
    printed = out.getvalue().splitlines()
    assert [line.strip() for line in shown[: len(printed)]] == printed


@pytest.mark.parametrize("path", [README, DOCS / "getting_started.rst"], ids=lambda p: p.name)
def test_install_notes_say_which_pytorch_build_the_default_brings(path):
    """An empty TORCH_INDEX takes torch from the configured index: on Linux the CUDA wheel."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^TORCH_INDEX \?=\s*$", makefile, re.M), "keep the empty default"
    text = " ".join(path.read_text(encoding="utf-8").replace("`", "").split())
    assert "a CPU build" not in text and "pinned CPU PyTorch" not in text
    assert "TORCH_INDEX is empty by default" in text
    assert "CUDA-enabled wheel" in text and "several" in text
    cpu = 'make TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"'
    assert cpu in text


def test_the_pandas_guide_says_scaling_removes_amplitude():
    text = " ".join((DOCS / "user_guide" / "pandas.rst").read_text(encoding="utf-8").split())
    entry = text.split(":class:`SeriesScaler` z-normalisation", 1)[1].split(":class:`PadTruncate`")[
        0
    ]
    assert "amplitude" in entry and "can be the signal" in entry
    assert "not a standard first step" in entry
