"""``python -m sim`` is the ``decoupling`` command."""

from sim.cli import main

raise SystemExit(main())
