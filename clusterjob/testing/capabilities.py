"""Capabilities: one object in which a backend declares the optional features it supports.

The suite reads it to bound what it generates (no multi-node requests for a single-node backend) and to check
that what is declared unsupported is refused with ResourcesNotSupportedError, not silently dropped. Modelled on
SQLAlchemy's ``requirements.py``: declare, never edit the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

__all__ = ["CORE_VARIABLES", "OPTIONAL_CORE_VARIABLES", "Capabilities"]

CORE_VARIABLES: tuple[str, ...] = (
    "CLUSTERJOB_ID",
    "CLUSTERJOB_WORKDIR",
    "CLUSTERJOB_SUBMIT_HOST",
    "CLUSTERJOB_NAME",
    "CLUSTERJOB_NODELIST",
)
"""Body placeholders every backend must map (the seed contract)."""

OPTIONAL_CORE_VARIABLES: tuple[str, ...] = ("CLUSTERJOB_ARRAY_INDEX",)
"""Placeholders a backend maps when it declares ``arrays=True``."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend supports beyond the seed contract, and the size of the simulated cluster to test it on.

    Unsupported features must be refused with ResourcesNotSupportedError; supported ones must be encoded so
    that the scheduler sees exactly the request.
    """

    multi_node: bool = True
    """Requests with ``nodes`` > 1 are encoded (else refused)."""
    threads: bool = True
    """``threads`` (threads per process) > 1 is encoded (else refused)."""
    mem: bool = True
    """``mem`` (MB per node) is encoded (else refused)."""
    time: bool = True
    """``time`` (wall time) is encoded (else refused)."""
    queue: bool = True
    """``queue`` is encoded (else refused)."""
    output_paths: bool = True
    """``stdout`` / ``stderr`` are encoded (else refused)."""
    arrays: bool = False
    """Array jobs (``array`` resource, $CLUSTERJOB_ARRAY_INDEX) are supported."""
    batched_status: bool | None = None
    """``cmd_status_many``/``get_status_many`` work; None: find out from the backend (a command or None)."""
    accounting: bool = True
    """``cmd_status(run, finished=True)`` reports a job that has left the queue (sacct, qacct, qstat -x, ...)."""
    parallel_environments: Mapping[str, str] = field(default_factory=dict)
    """Grid Engine: the parallel environments the backend requests slots from, ``{name: allocation_rule}``
    (``$pe_slots``, ``$fill_up``, ``$round_robin`` or a number), configured in the simulated cluster."""
    max_nodes: int = 3
    """Nodes of the simulated cluster (and the most nodes a generated request asks for)."""
    max_cores_per_node: int = 4
    """Cores per node of the simulated cluster (ppn x threads of generated requests stay within it)."""
    max_mem_mb: int = 16384
    """Memory per node of the simulated cluster, MB."""
    max_time_s: int = 7 * 24 * 3600
    """Longest wall time a generated request asks for, seconds."""
    always_adds: Mapping[str, str | bool] = field(default_factory=dict)
    """Options the backend adds to every job by design, as the simulator's parser reports them in
    ``Allocation.extra`` (e.g. ``{"account": "proj1", "qos": "normal"}``); any other extra is a failure."""
    extra_options: Mapping[str, tuple[str, ...]] | None = None
    """Raw options (resource keys outside common_keys) to try, with sample values, as
    ``{key: (value, ...)}``; None: the scheduler's defaults from the suite's rules; ``{}``: none."""
    text_options: tuple[str, ...] | None = None
    """Raw options whose value is free text (tried with hostile values); None: the scheduler's defaults."""
    queues: tuple[str, ...] = ("normal", "debug")
    """Queues of the simulated cluster (the first is the default)."""
    core_variables: tuple[str, ...] = CORE_VARIABLES
    """Body placeholders the backend maps (the seed five at least)."""

    # -- against a real scheduler (``--cj-real``): how the cluster behaves, so every wait is bounded
    whole_cluster: bool = False
    """``max_nodes`` x ``max_cores_per_node`` is all the real cluster has: a job asking for that much makes
    the next one wait, so ``e2e_pending`` (and the pending half of ``e2e_cancel``) can run under
    ``--cj-real``. Always true of the simulated cluster, which is sized from these capabilities."""
    walltime_granularity_s: int | None = None
    """The scheduler enforces wall times in steps of this many seconds (SLURM and LSF: whole minutes, 60;
    Grid Engine's ``h_rt``: 1); None: the scheduler's own, from the suite's rules. Under ``--cj-real`` the
    wall-time check asks for the shortest limit that is at least 10 s and a multiple of it."""
    walltime_kill_delay_s: int = 150
    """Under ``--cj-real``: how long past its wall time the scheduler may take to end a job (SLURM checks
    limits about every 30 s, then waits KillWait; Grid Engine's execd at its load report interval)."""
    queue_wait_s: int = 180
    """Under ``--cj-real``: how long a job may wait in the queue (behind other users' jobs) and a finished job
    for its accounting record, before a check gives up with a message."""

    def __post_init__(self) -> None:
        for name in (
            "max_nodes",
            "max_cores_per_node",
            "max_mem_mb",
            "max_time_s",
            "walltime_kill_delay_s",
            "queue_wait_s",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Capabilities.{name} must be a positive int, got {value!r}")
        step = self.walltime_granularity_s
        if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 1):
            raise ValueError(
                f"Capabilities.walltime_granularity_s must be a positive int or None, got {step!r}"
            )
        if not self.multi_node and self.max_nodes != 1:
            object.__setattr__(self, "max_nodes", 1)
        if not self.queues:
            raise ValueError(
                "Capabilities.queues needs at least one queue name (the default queue)"
            )
        missing = set(CORE_VARIABLES) - set(self.core_variables)
        if missing:
            raise ValueError(
                f"Capabilities.core_variables must include the seed variables; missing {sorted(missing)}"
            )
        object.__setattr__(self, "always_adds", MappingProxyType(dict(self.always_adds)))
        object.__setattr__(
            self, "parallel_environments", MappingProxyType(dict(self.parallel_environments))
        )
        if self.extra_options is not None:
            object.__setattr__(
                self,
                "extra_options",
                MappingProxyType({k: tuple(v) for k, v in self.extra_options.items()}),
            )

    def supports_key(self, key: str) -> bool:
        """Whether the common resource `key` is declared supported (any value of it)."""
        flag = {
            "time": self.time,
            "mem": self.mem,
            "queue": self.queue,
            "stdout": self.output_paths,
            "stderr": self.output_paths,
        }
        return flag.get(key, True)

    def replace(self, **changes: Any) -> Capabilities:
        """A copy with `changes` applied (dataclasses.replace with a name that reads well in a subclass)."""
        return replace(self, **changes)

    def describe(self) -> str:
        """One line per field, for reports."""
        return "\n".join(f"{f.name} = {getattr(self, f.name)!r}" for f in fields(self))
