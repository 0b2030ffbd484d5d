"""``python -m seqpool_sklearn`` runs the ``seqpool`` command line."""

from .cli import main

raise SystemExit(main())
