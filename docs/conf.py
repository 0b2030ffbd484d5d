"""Sphinx configuration for the seqpool_sklearn documentation.

Build with ``make docs`` (``sphinx -W --keep-going``: every warning is an error).

The gallery executes ``examples/plot_*.py`` by default, so ``make docs`` shows their
output and figures. ``-D plot_gallery=0`` skips the execution (the pages are still
generated): the test suite builds the docs that way, because ``tests/test_examples.py``
already runs every example.
"""

import inspect
import os
import re
import sys
import warnings
from datetime import date
from pathlib import Path

# Examples are run by sphinx-gallery in this process: draw off-screen, and find the UCR/UEA
# datasets where the test suite finds them ($SEQPOOL_DATA_HOME, else ../shared/ucr beside
# the repository). sphinx-gallery runs each example in examples/, without ``__file__``.
os.environ.setdefault("MPLBACKEND", "Agg")
_SHARED_UCR = Path(__file__).resolve().parents[2] / "shared" / "ucr"
if "SEQPOOL_DATA_HOME" not in os.environ and _SHARED_UCR.is_dir():
    os.environ["SEQPOOL_DATA_HOME"] = str(_SHARED_UCR)

import seqpool_sklearn

warnings.filterwarnings(
    "ignore",
    message="Matplotlib is currently using agg, which is a non-GUI backend",
    category=UserWarning,
)

project = "seqpool_sklearn"
author = "seqpool_sklearn developers"
copyright = f"{date.today().year}, {author}"
version = seqpool_sklearn.__version__
release = seqpool_sklearn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples", "auto_examples/*.ipynb", "**.py.md5"]
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- autodoc / autosummary ---------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_member_order = "groupwise"

# -- numpydoc ------------------------------------------------------------------------------
# The API templates list the methods themselves; numpydoc's own member tables would
# duplicate them and warn about every inherited scikit-learn method.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- sphinx-gallery ------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("seqpool_sklearn",),
    "reference_url": {"seqpool_sklearn": None},
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "show_memory": False,
    "min_reported_time": 1,
    # Timing tables would be written into docs/ itself; the build log reports the times.
    "write_computation_times": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"seqpool_sklearn {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "getting_started": []}
html_show_sourcelink = False
html_copy_source = False


# -- API pages: what autodoc shows ---------------------------------------------------------
# Class pages list inherited members, but only those written in this package (such as the
# ``fit`` / ``transform`` of a private base class): the scikit-learn and torch methods
# every estimator or module inherits are documented by those projects, and their docstrings
# point at labels of their own sites that do not exist here.
def _skip_foreign_members(app, what, name, obj, skip, options):
    if what != "class" or skip:
        return None
    target = obj.fget if isinstance(obj, property) else obj
    module = getattr(target, "__module__", None) or ""
    if not module.startswith("seqpool_sklearn"):
        return True
    return None


# Private dataclass fields (``_layout`` of Sequences) are not part of the public signature.
def _drop_private_parameters(app, what, name, obj, options, signature, return_annotation):
    if what != "class" or not signature or "_" not in signature:
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    if not any(p.startswith("_") for p in sig.parameters):
        return None
    empty = inspect.Parameter.empty
    public = [
        p.replace(annotation=empty) for n, p in sig.parameters.items() if not n.startswith("_")
    ]
    return str(sig.replace(parameters=public, return_annotation=empty)), return_annotation


# Module-level data keep their docstring in the private module that defines them (the
# attribute docstring below the assignment); autodoc only looks in ``seqpool_sklearn`` and
# falls back to the docstring of the value's type (``dict``, ``str``).
_DATA_DOCS = {
    "__version__": ["Version of the installed package, a string such as ``'0.1.0'``."],
}


def _data_docstring(app, what, name, obj, options, lines):
    if what != "data" or not name.startswith("seqpool_sklearn."):
        return
    short = name.rsplit(".", 1)[1]
    if short in _DATA_DOCS:
        lines[:] = _DATA_DOCS[short]
        return
    from sphinx.pycode import ModuleAnalyzer

    # The modules the package imports itself (never ``__main__``, which runs the CLI).
    for module in sorted(m for m in sys.modules if m.startswith("seqpool_sklearn.")):
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
        if ("", short) in docs:
            lines[:] = docs[("", short)]
            return
    lines[:] = []


# In reStructuredText a bare word ending in "_" is a link to a target of that name; in these
# docstrings it is always a fitted attribute (``classes_``, ``n_features_in_``), as in
# "ndarray of shape (n_features_in_,)". Quote such words as literals before numpydoc and
# docutils read them. Doctest lines are code, not markup, and are left alone.
_FITTED_NAME = re.compile(r"(?<![\w`*:.<|/-])([A-Za-z]\w*[A-Za-z0-9]_)(?=[\s,;:.)\]]|$)")


def _quote_fitted_attributes(app, what, name, obj, options, lines):
    if not name.startswith("seqpool_sklearn"):
        return
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith((">>>", "...")):
            continue
        lines[i] = _FITTED_NAME.sub(r"`\1`", line)


# The user guide's last section is docs/benchmarks.rst, the figures of benchmarks/ with the
# machine they came from. It is written together with the benchmark runs, so the guide's
# toctree gets the entry when the page exists: a plain entry would fail the build before,
# and a page outside every toctree fails it after.
_GUIDE = "user_guide/index"
_LAST_GUIDE_ENTRY = "   scaling\n"


def _add_benchmarks_page(app, docname, source):
    if docname != _GUIDE or not (Path(app.srcdir) / "benchmarks.rst").is_file():
        return
    if _LAST_GUIDE_ENTRY not in source[0]:
        raise ValueError(f"docs/conf.py: {_GUIDE}.rst no longer ends its toctree with 'scaling'")
    source[0] = source[0].replace(_LAST_GUIDE_ENTRY, _LAST_GUIDE_ENTRY + "   ../benchmarks\n", 1)


def _reread_guide(app, env, added, changed, removed):
    # Incremental builds: the guide's toctree changes when the page comes or goes.
    return [_GUIDE] if "benchmarks" in added | removed else []


def setup(app):
    app.connect("source-read", _add_benchmarks_page)
    app.connect("env-get-outdated", _reread_guide)
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("autodoc-process-signature", _drop_private_parameters)
    # Before numpydoc (priority 500), which parses the lines into sections.
    app.connect("autodoc-process-docstring", _data_docstring, priority=100)
    app.connect("autodoc-process-docstring", _quote_fitted_attributes, priority=110)
