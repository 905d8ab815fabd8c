"""The reference backends as the suite checks them: each with its simulator and declared capabilities.

``clusterjob check --all`` runs these five; Grid Engine gets parallel environments in both the backend and
the simulated cluster (``mpi<N>``: N slots on each host, ``smp``: all slots on one host).
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterjob.backends import ClusterjobBackend
from clusterjob.testing.capabilities import Capabilities

__all__ = ["REFERENCE_TARGETS", "ReferenceTarget", "sge_backend"]


@dataclass(frozen=True)
class ReferenceTarget:
    """A reference backend: where it lives, its scheduler and its capabilities (as ``module:attr``)."""

    backend: str
    scheduler: str
    capabilities: str


SGE_PARALLEL_ENVIRONMENTS: dict[str, str] = {
    "smp": "$pe_slots",
    **{f"mpi{n}": str(n) for n in range(1, 5)},
}
"""One PE per cores-per-node count (``mpi{per_node}``, allocation_rule N) and ``smp`` for one host: every
placement is exact, so the scheduler sees nodes x cores per node as requested."""

SLURM_CAPABILITIES = Capabilities(batched_status=True)
PBS_CAPABILITIES = Capabilities(batched_status=True, accounting=False)
"""Torque keeps finished jobs in qstat for keep_completed seconds and has no other view of them."""
PBSPRO_CAPABILITIES = Capabilities(batched_status=True)
LSF_CAPABILITIES = Capabilities(batched_status=True, accounting=False)
"""LSF shows finished jobs in bjobs for CLEAN_PERIOD (an hour by default) and has no other view here."""
SGE_CAPABILITIES = Capabilities(parallel_environments=SGE_PARALLEL_ENVIRONMENTS)


def sge_backend() -> ClusterjobBackend:
    """The Grid Engine reference backend with the simulated cluster's PEs (``mpi<N>`` and ``smp``)."""
    from clusterjob.backends.sge import SgeBackend

    return SgeBackend(pe="mpi{per_node}", pe_smp="smp")


_HERE = "clusterjob.testing.reference"

REFERENCE_TARGETS: dict[str, ReferenceTarget] = {
    "slurm": ReferenceTarget(
        "clusterjob.backends.slurm:SlurmBackend", "slurm", f"{_HERE}:SLURM_CAPABILITIES"
    ),
    "pbs": ReferenceTarget(
        "clusterjob.backends.pbs:PbsBackend", "pbs", f"{_HERE}:PBS_CAPABILITIES"
    ),
    "pbspro": ReferenceTarget(
        "clusterjob.backends.pbspro:PbsProBackend", "pbspro", f"{_HERE}:PBSPRO_CAPABILITIES"
    ),
    "lsf": ReferenceTarget(
        "clusterjob.backends.lsf:LsfBackend", "lsf", f"{_HERE}:LSF_CAPABILITIES"
    ),
    "sge": ReferenceTarget(f"{_HERE}:sge_backend", "sge", f"{_HERE}:SGE_CAPABILITIES"),
}
"""Registered name -> the reference backend's target for the suite."""
