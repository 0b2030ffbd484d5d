"""``python -m seqpool_sklearn.cli`` runs the ``seqpool`` command line."""

from . import main

raise SystemExit(main())
