"""The documentation link in the estimators' HTML representation (Jupyter).

scikit-learn draws a "?" in an estimator's HTML diagram that opens its API page. The
link points at the docs of this package, wherever they are:

* ``SEQPOOL_SKLEARN_DOCS_URL``, if set: the address of the built docs (the folder that
  holds ``index.html``), e.g. where a team hosts them, or a ``file://`` path;
* otherwise, in a source checkout where ``make docs`` has run, the local build
  (``docs/_build/html``);
* otherwise no link: the diagram shows none rather than a dead one.
"""

from __future__ import annotations

import os
from pathlib import Path

DOCS_URL_ENV = "SEQPOOL_SKLEARN_DOCS_URL"
_LOCAL_BUILD = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"


def docs_base_url() -> str:
    """Address of the built documentation, or ``""`` when there is none.

    Examples
    --------
    >>> import os
    >>> os.environ["SEQPOOL_SKLEARN_DOCS_URL"] = "https://docs.example.org/seqpool/"
    >>> docs_base_url()
    'https://docs.example.org/seqpool'
    >>> del os.environ["SEQPOOL_SKLEARN_DOCS_URL"]
    """
    url = os.environ.get(DOCS_URL_ENV, "").strip()
    if url:
        return url.rstrip("/")
    if (_LOCAL_BUILD / "index.html").is_file():
        return _LOCAL_BUILD.as_uri()
    return ""


class DocLinkMixin:
    """Points scikit-learn's HTML diagram at the estimator's API page."""

    _doc_link_module = "seqpool_sklearn"
    _doc_link_url_param_generator = None

    @property
    def _doc_link_template(self) -> str:
        base = docs_base_url()
        if not base:
            return ""
        # the API pages (docs/api.rst, autosummary) are generated/<module>.<Name>.html
        return base + "/generated/{estimator_module}.{estimator_name}.html"
