"""`python -m clusterjob`: the `clusterjob` command, for environments where its script is not on PATH."""

from clusterjob.cli import main

raise SystemExit(main())
