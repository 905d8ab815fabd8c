"""Simulated batch schedulers whose commands really run jobs (never imports clusterjob's backends).

Layout: engine/ (the scheduler-agnostic core) and one package per scheduler: slurm/, pbs/ (torque/, pbspro/),
lsf/, sge/. Modules that moved keep answering to their old paths (see _moved.py), with a DeprecationWarning.
"""

from __future__ import annotations

import sys as _sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

# Old module path -> new one. Looked up here, on every import the interpreter cannot place otherwise, so that
# a command pays for _moved.py only when an old name is really asked for (every command imports this package).
MOVED = {
    "clusterjob_sim.spool": "clusterjob_sim.engine.spool",
    "clusterjob_sim.hostlist": "clusterjob_sim.engine.hostlist",
    "clusterjob_sim.allocation": "clusterjob_sim.engine.allocation",
    "clusterjob_sim.faults": "clusterjob_sim.engine.faults",
    "clusterjob_sim.engine_cmd": "clusterjob_sim.engine.command",
    "clusterjob_sim.engine_sched": "clusterjob_sim.engine.scheduling",
    "clusterjob_sim.jobrunner": "clusterjob_sim.engine.runner",
    "clusterjob_sim.torque": "clusterjob_sim.pbs.torque",
    "clusterjob_sim.pbspro": "clusterjob_sim.pbs.pbspro",
}


class _MovedNames:
    """Meta path finder for the names in MOVED; the loading itself is in _moved.py."""

    @staticmethod
    def find_spec(
        fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """None for any name not in MOVED (the common case: one dict lookup)."""
        if fullname not in MOVED:
            return None
        from clusterjob_sim._moved import moved_spec

        return moved_spec(fullname, MOVED[fullname])


if not any(type(f).__name__ == "_MovedNames" for f in _sys.meta_path):
    _sys.meta_path.append(_MovedNames())
