"""Deliberately broken backends: each reproduces one real bug the conformance suite must catch."""

from __future__ import annotations

from typing import Any

from clusterjob.backends.lsf import LsfBackend
from clusterjob.backends.slurm import SlurmBackend


class LsfPtilesTypo(LsfBackend):
    """The original clusterjob LSF backend's typo: ``span[ptiles=N]`` (LSF knows only ``ptile``)."""

    def resource_headers(self, jobscript: Any) -> list[str]:
        return [
            h.replace("span[ptile=", "span[ptiles=") for h in super().resource_headers(jobscript)
        ]


class SlurmDropsMem(SlurmBackend):
    """Silently drops ``mem``: writes no ``--mem`` line and raises nothing."""

    def resource_headers(self, jobscript: Any) -> list[str]:
        return [
            h for h in super().resource_headers(jobscript) if not h.startswith("#SBATCH --mem=")
        ]


class SlurmUnquotedName(SlurmBackend):
    """Writes the job name into ``#SBATCH --job-name=`` as it is, unquoted and unchecked."""

    def resource_headers(self, jobscript: Any) -> list[str]:
        name = str(jobscript.resources["name"])
        return [f"#SBATCH --job-name={name}", *super_headers_without_name(self, jobscript)]


def super_headers_without_name(backend: SlurmBackend, jobscript: Any) -> list[str]:
    """The reference SLURM headers of `jobscript` without its name line (name made safe first)."""
    original = jobscript.resources["name"]
    jobscript.resources["name"] = "placeholder"
    try:
        headers = SlurmBackend.resource_headers(backend, jobscript)
    finally:
        jobscript.resources["name"] = original
    return [h for h in headers if not h.startswith("#SBATCH --job-name=")]


class SlurmFirstDigitId(SlurmBackend):
    """Keeps only the first digit of the job id: on a cluster whose ids start at 1 every job it submits
    first is found again, so only realistic (large) ids show the bug."""

    def get_job_id(self, response: str) -> str | None:
        job_id = super().get_job_id(response)
        return job_id[:1] if job_id else job_id
