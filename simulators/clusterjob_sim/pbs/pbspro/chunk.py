"""A PBS Pro ``select`` chunk: its count and resources, shared by qsub (options), the job's start (jobenv) and
qstat (output), which must not load qsub's parser to print a job."""

from __future__ import annotations


class Chunk:
    """One ``select`` chunk: how many, and its resources (``ncpus``, ``mpiprocs``, ``mem``, ...)."""

    __slots__ = ("count", "resources")

    def __init__(self, count: int, resources: tuple[tuple[str, str], ...]) -> None:
        self.count = count
        self.resources = resources

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of one chunk resource."""
        return dict(self.resources).get(name, default)

    @property
    def ncpus(self) -> int:
        """Cores per chunk (default 1)."""
        return int(self.get("ncpus", "1") or "1")

    @property
    def mpiprocs(self) -> int:
        """MPI ranks per chunk: PBS_NODEFILE lines (default 1 when ncpus > 0)."""
        value = self.get("mpiprocs")
        return int(value) if value is not None else (1 if self.ncpus > 0 else 0)

    @property
    def ompthreads(self) -> int:
        """OMP_NUM_THREADS of the chunk (default: ncpus)."""
        value = self.get("ompthreads")
        return int(value) if value is not None else self.ncpus
