"""Real-scheduler tests run only where a real scheduler was started (CI starts a real Slurm).

Set CLUSTERJOB_REAL_SLURM=1 after `containers/slurm/start-local-slurm.sh`; then a missing or broken Slurm
is a test failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


@pytest.fixture(scope="session")
def real_slurm() -> None:
    """Skip unless CLUSTERJOB_REAL_SLURM=1; with it, fail loudly if Slurm does not answer."""
    if os.environ.get("CLUSTERJOB_REAL_SLURM") != "1":
        pytest.skip("real Slurm not started here (set CLUSTERJOB_REAL_SLURM=1 after containers/slurm/start-local-slurm.sh)")
    if shutil.which("sinfo") is None:
        pytest.fail("CLUSTERJOB_REAL_SLURM=1 but sinfo is not on PATH")
    out = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0 or not out.stdout.strip():
        pytest.fail(f"CLUSTERJOB_REAL_SLURM=1 but Slurm does not answer: {out.stderr.strip()}")
