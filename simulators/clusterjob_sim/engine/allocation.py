"""What a scheduler understands from a job's directives and command line: the allocation it would grant.

Every simulated scheduler has a public ``parse_submission(script_text, argv=())`` returning an Allocation; the
conformance suite compares it with what a backend meant to request.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DirectiveError(Exception):
    """A submission the real tool rejects: `message` is its exact stderr text, `exit_code` its exit code."""

    def __init__(self, message: str, exit_code: int, stdout: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stdout = stdout


@dataclass(frozen=True)
class ArraySpec:
    """A job array: the task indices in submission order and the optional limit of tasks run at once."""

    indices: tuple[int, ...]
    max_concurrent: int | None = None
    text: str = ""  # the spec as the user wrote it, e.g. '1-10:2%3'


@dataclass
class Allocation:
    """The resources and settings a scheduler reads from one submission (None: not requested)."""

    nodes: int = 1
    tasks_per_node: int = 1  # processes per node
    cpus_per_task: int = 1  # threads per process
    mem_mb_per_node: int | None = None
    walltime_s: int | None = None
    queue: str | None = None
    name: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    workdir: str | None = None
    array: ArraySpec | None = None
    # every other option, as the tool saw it
    extra: dict[str, str | bool] = field(default_factory=dict)

    @property
    def cores_per_node(self) -> int:
        """Cores the job holds on each node (processes per node x threads per process)."""
        return self.tasks_per_node * self.cpus_per_task

    @property
    def total_tasks(self) -> int:
        """Processes over all nodes."""
        return self.nodes * self.tasks_per_node
