"""`python -m clusterjob_sim env|run|kill|purge SCHEDULER ...` (same as `clusterjob sim ...`)."""

import sys

from clusterjob_sim.cli import main

sys.exit(main())
