"""A site's own SLURM backend: every job is charged to the group's account and runs under a QOS.

The worked example of docs/backend-authors.md: subclass a reference backend, add what the site needs, and
declare it to the conformance suite (see test_site_backend.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from clusterjob.backends.slurm import SlurmBackend
from clusterjob.errors import InvalidResourceError

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript

_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class SiteSlurmBackend(SlurmBackend):
    """SLURM as our site runs it: ``--account`` and ``--qos`` on every job (a job may name others)."""

    name = "mysite"

    def __init__(self, account: str = "chem-lab", qos: str = "normal") -> None:
        for key, value in (("account", account), ("qos", qos)):
            if not _NAME.fullmatch(value):
                raise InvalidResourceError(key, value, "letters, digits, '_', '.', '-'")
        self.account = account
        self.qos = qos

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """The reference SLURM headers, plus the site's account and QOS unless the job sets its own."""
        lines = super().resource_headers(jobscript)
        if jobscript.resources.get("account") in (None, False):
            lines.append(f"#SBATCH --account={self.account}")
        if jobscript.resources.get("qos") in (None, False):
            lines.append(f"#SBATCH --qos={self.qos}")
        return lines
