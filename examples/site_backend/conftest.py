"""Lets pytest import site_backend.py from this folder (a real site would install its package)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
