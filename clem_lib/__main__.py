"""``python -m clem_lib`` is the same as the ``clem`` command."""

from .cli import main

raise SystemExit(main())
