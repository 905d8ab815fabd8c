"""Real-scheduler mode of the conformance suite (``--cj-real``, ``clusterjob check --real``).

No simulated cluster is created: the end-to-end checks submit short jobs to whatever scheduler answers on
PATH, from a temporary folder, under a unique job-name prefix, with bounded waits, and cancel every job they
submitted when the check ends (passed or not). Checks that need the simulator (fault injection) are skipped
with the reason.

Import-light: the plugin and ``clusterjob check`` import this module to probe a scheduler.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterjob.result import AsyncResult

__all__ = [
    "PROBES",
    "SIMULATOR_ONLY",
    "Probe",
    "RealCluster",
    "probe",
    "real_cluster",
]

SIMULATOR_ONLY = (
    "needs the simulated scheduler: under --cj-real no simulated cluster is created, and a real "
    "scheduler cannot be made to fail its commands on demand"
)
"""Why a check is skipped in real mode (followed by what it injects)."""


@dataclass(frozen=True)
class Probe:
    """How to tell that a real scheduler answers here: commands run in turn, each must exit 0 and print
    something matching its pattern (the first names the scheduler apart from others with the same command
    names, e.g. Grid Engine's ``qstat`` from Torque's)."""

    scheduler: str
    title: str
    steps: tuple[tuple[tuple[str, ...], str], ...]


PROBES: dict[str, Probe] = {
    "slurm": Probe("slurm", "Slurm", ((("sinfo", "-h", "-o", "%P"), r"\S"),)),
    "sge": Probe(
        "sge",
        "Grid Engine",
        (
            (("qstat", "-help"), r"\A\s*(SGE|GE|OGS|UGE|Univa|Son of Grid Engine|Altair|AGE)\b"),
            (("qstat", "-g", "c"), r"\S"),
        ),
    ),
    "pbs": Probe(
        "pbs",
        "Torque",
        ((("qstat", "--version"), r"(?m)^Version:"), (("qstat", "-B"), r"\S")),
    ),
    "pbspro": Probe(
        "pbspro",
        "PBS Pro",
        ((("qstat", "--version"), r"pbs_version"), (("qstat", "-B"), r"\S")),
    ),
    "lsf": Probe("lsf", "LSF", ((("lsid",), r"LSF"),)),
}
"""Scheduler name (as ``--cj-scheduler`` takes it) -> how to see that a real one answers here."""


def probe(scheduler: str, timeout: float = 30.0) -> str:
    """Why no real `scheduler` answers on PATH here ('' when one does)."""
    known = PROBES.get(scheduler)
    if known is None:
        return f"no real-scheduler probe for {scheduler!r} (known: {', '.join(sorted(PROBES))})"
    for argv, pattern in known.steps:
        where = shutil.which(argv[0])
        if where is None:
            return f"no real {known.title} here: {argv[0]} is not on PATH"
        try:
            out = subprocess.run(
                list(argv), capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"no real {known.title} answers here: `{' '.join(argv)}` ({where}) failed: {exc}"
        text = out.stdout + out.stderr
        if out.returncode != 0 or not re.search(pattern, text):
            said = " ".join(text.split())[:200] or "nothing"
            return (
                f"no real {known.title} answers here: `{' '.join(argv)}` ({where}) exited "
                f"{out.returncode} and said: {said}"
            )
    return ""


@dataclass
class RealCluster:
    """The real scheduler an end-to-end check submits to: its folder, job-name prefix and jobs."""

    scheduler: str
    folder: Path
    prefix: str
    submitted: list[AsyncResult] = field(default_factory=list)

    def job_name(self, name: str) -> str:
        """`name` made unique to this check (so its jobs are told apart from everyone else's)."""
        return f"{self.prefix}{name.removeprefix('cj')}"

    def track(self, result: AsyncResult) -> AsyncResult:
        """Remember a submitted job, to cancel it at the end."""
        self.submitted.append(result)
        return result

    def cleanup(self) -> list[str]:
        """Cancel every job this check submitted (finished ones too: cancelling them is harmless);
        returns the problems met (never raises)."""
        problems = []
        for result in self.submitted:
            try:
                command = result.backend_instance.cmd_cancel(result)
                result.runner.run(command)
            except Exception as exc:  # cleanup must reach every job
                problems.append(f"cancelling job {result.job_id}: {type(exc).__name__}: {exc}")
        return problems


@contextmanager
def real_cluster(scheduler: str, folder: Path) -> Iterator[RealCluster]:
    """A RealCluster for one check in `folder`; every job it tracked is cancelled on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    # "cjXXXX-" plus a check's longest name (complete, 8) is 15, the longest name Torque takes
    cluster = RealCluster(scheduler, folder, prefix=f"cj{secrets.token_hex(2)}-")
    try:
        yield cluster
    finally:
        cluster.cleanup()


def describe(cluster: Any) -> str:
    """A short description of where the end-to-end checks ran, for messages."""
    if isinstance(cluster, RealCluster):
        return f"the real {cluster.scheduler} scheduler"
    return "the simulated scheduler"
