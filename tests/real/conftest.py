"""Real-scheduler tests run where a real scheduler was started (CI starts real Slurm and Grid Engine).

CLUSTERJOB_REAL_SLURM=1 (after containers/slurm/start-local-slurm.sh) and CLUSTERJOB_REAL_SGE=1 (after
containers/gridengine/start-local-gridengine.sh) switch them on; then a missing or broken scheduler is a
test failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from clusterjob.backends import ClusterjobBackend
from clusterjob.backends.sge import SgeBackend
from clusterjob.backends.slurm import SlurmBackend


@dataclass(frozen=True)
class RealScheduler:
    """A real scheduler on this machine: the backend that speaks to it and how to tell it is up."""

    name: str
    env_var: str
    probe: tuple[str, ...]
    backend: ClusterjobBackend


SCHEDULERS = {
    "slurm": RealScheduler(
        "slurm", "CLUSTERJOB_REAL_SLURM", ("sinfo", "-h", "-o", "%t"), SlurmBackend()
    ),
    "sge": RealScheduler(
        "sge", "CLUSTERJOB_REAL_SGE", ("qstat", "-f"), SgeBackend(pe="mpi", pe_smp="smp")
    ),
}


@pytest.fixture(scope="session", params=sorted(SCHEDULERS))
def real_scheduler(request: pytest.FixtureRequest) -> RealScheduler:
    """Each real scheduler that was started here; skip the others (fail if announced but not answering)."""
    scheduler = SCHEDULERS[request.param]
    if os.environ.get(scheduler.env_var) != "1":
        pytest.skip(
            f"real {scheduler.name} not started here (set {scheduler.env_var}=1 after its start script)"
        )
    if shutil.which(scheduler.probe[0]) is None:
        pytest.fail(f"{scheduler.env_var}=1 but {scheduler.probe[0]} is not on PATH")
    out = subprocess.run(list(scheduler.probe), capture_output=True, text=True, timeout=60)
    if out.returncode != 0 or not out.stdout.strip():
        pytest.fail(
            f"{scheduler.env_var}=1 but {scheduler.name} does not answer: {out.stderr.strip()}"
        )
    return scheduler
