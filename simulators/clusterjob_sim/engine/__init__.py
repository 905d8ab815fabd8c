"""The scheduler-agnostic core of the simulators: spool, jobs, scheduling tick, job runner, command context.

Import order is one way (each module imports only those before it; tests/sim/test_layout.py checks it):
spool, hostlist, allocation -> jobs -> processes -> faults -> scheduling -> core -> runner -> command.
`from clusterjob_sim.engine import Engine` (and the other names of core and jobs) still works, resolved on
first use so that a command importing one engine module does not pay for the rest.
"""

from __future__ import annotations

_CORE = ("Engine", "kill_all", "purge")
_JOBS = (
    "Job", "Launch", "load_module", "user_name", "SPEC_KEYS", "ACTIVE_STATES", "FINAL_STATES", "REASONS",
    "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "LOST",
)  # fmt: skip


def __getattr__(name: str) -> object:
    """The names of engine.core and engine.jobs, imported when first asked for."""
    if name in _CORE:
        from clusterjob_sim.engine import core

        return getattr(core, name)
    if name in _JOBS:
        from clusterjob_sim.engine import jobs

        return getattr(jobs, name)
    raise AttributeError(f"module 'clusterjob_sim.engine' has no attribute {name!r}")
