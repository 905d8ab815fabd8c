"""The reference backends as the suite checks them: each with its simulator and declared capabilities.

``clusterjob check --all`` runs these five; Grid Engine gets parallel environments in both the backend and
the simulated cluster (``mpi<N>``: N slots on each host, ``smp``: all slots on one host).

``clusterjob check --all --real`` runs those whose real scheduler answers here with their *real* settings:
the cluster the project's CI starts (``containers/slurm/start-local-slurm.sh``,
``containers/gridengine/start-local-gridengine.sh``): one node with 2 cores and 4000 MB, Slurm partitions
``debug`` (default) and ``short``, Grid Engine queue ``all.q`` with PEs ``mpi`` ($fill_up) and ``smp``
($pe_slots). Against another cluster, pass ``--capabilities`` (and for Grid Engine a backend with its PEs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from clusterjob.backends import ClusterjobBackend
from clusterjob.testing.capabilities import Capabilities

__all__ = ["REFERENCE_TARGETS", "ReferenceTarget", "sge_backend", "sge_real_backend"]


@dataclass(frozen=True)
class ReferenceTarget:
    """A reference backend: where it lives, its scheduler and its capabilities (as ``module:attr``)."""

    backend: str
    scheduler: str
    capabilities: str
    real_backend: str | None = None
    """The backend against the real scheduler (None: `backend`)."""
    real_capabilities: str | None = None
    """The capabilities of the real cluster (None: `capabilities`)."""

    def for_real(self) -> ReferenceTarget:
        """This target with its real-cluster backend and capabilities."""
        return replace(
            self,
            backend=self.real_backend or self.backend,
            capabilities=self.real_capabilities or self.capabilities,
        )


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

_REAL_SIZE: dict[str, int | bool] = {
    "max_nodes": 1,
    "max_cores_per_node": 2,
    "max_mem_mb": 4000,
    "whole_cluster": True,
}
"""The real cluster of the project's CI: one node, 2 cores, 4000 MB, nothing else running long."""

SLURM_REAL_CAPABILITIES = SLURM_CAPABILITIES.replace(queues=("debug", "short"), **_REAL_SIZE)
"""Real Slurm 22.05 of containers/slurm: partitions debug (default) and short, accounting by slurmdbd."""
SGE_REAL_PARALLEL_ENVIRONMENTS: dict[str, str] = {"mpi": "$fill_up", "smp": "$pe_slots"}
SGE_REAL_CAPABILITIES = SGE_CAPABILITIES.replace(
    parallel_environments=SGE_REAL_PARALLEL_ENVIRONMENTS, queues=("all.q",), **_REAL_SIZE
)
"""Real Grid Engine 8.1.9 of containers/gridengine: queue all.q, PEs mpi ($fill_up) and smp ($pe_slots)."""
PBS_REAL_CAPABILITIES = PBS_CAPABILITIES.replace(queues=("batch",), **_REAL_SIZE)
"""Real Torque 6.1.3 of containers/torque: queue batch (default), one node."""
PBSPRO_REAL_CAPABILITIES = PBSPRO_CAPABILITIES.replace(queues=("workq",), **_REAL_SIZE)
"""Real OpenPBS 23.06.06 of containers/openpbs: queue workq (default), one node, job history on."""


def sge_backend() -> ClusterjobBackend:
    """The Grid Engine reference backend with the simulated cluster's PEs (``mpi<N>`` and ``smp``)."""
    from clusterjob.backends.sge import SgeBackend

    return SgeBackend(pe="mpi{per_node}", pe_smp="smp")


def sge_real_backend() -> ClusterjobBackend:
    """The Grid Engine reference backend with the real cluster's PEs (``mpi`` and ``smp``)."""
    from clusterjob.backends.sge import SgeBackend

    return SgeBackend(pe="mpi", pe_smp="smp")


_HERE = "clusterjob.testing.reference"

REFERENCE_TARGETS: dict[str, ReferenceTarget] = {
    "slurm": ReferenceTarget(
        "clusterjob.backends.slurm:SlurmBackend",
        "slurm",
        f"{_HERE}:SLURM_CAPABILITIES",
        real_capabilities=f"{_HERE}:SLURM_REAL_CAPABILITIES",
    ),
    "pbs": ReferenceTarget(
        "clusterjob.backends.pbs:PbsBackend",
        "pbs",
        f"{_HERE}:PBS_CAPABILITIES",
        real_capabilities=f"{_HERE}:PBS_REAL_CAPABILITIES",
    ),
    "pbspro": ReferenceTarget(
        "clusterjob.backends.pbspro:PbsProBackend",
        "pbspro",
        f"{_HERE}:PBSPRO_CAPABILITIES",
        real_capabilities=f"{_HERE}:PBSPRO_REAL_CAPABILITIES",
    ),
    "lsf": ReferenceTarget(
        "clusterjob.backends.lsf:LsfBackend", "lsf", f"{_HERE}:LSF_CAPABILITIES"
    ),
    "sge": ReferenceTarget(
        f"{_HERE}:sge_backend",
        "sge",
        f"{_HERE}:SGE_CAPABILITIES",
        real_backend=f"{_HERE}:sge_real_backend",
        real_capabilities=f"{_HERE}:SGE_REAL_CAPABILITIES",
    ),
}
"""Registered name -> the reference backend's target for the suite."""
