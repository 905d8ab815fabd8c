"""Old module paths of clusterjob_sim (before the engine/ and per-scheduler packages) mapped to the new ones.

Spools created before the move have bin scripts that import clusterjob_sim.engine_cmd, and scheduler modules
written against ENGINE_API.md import clusterjob_sim.spool or clusterjob_sim.hostlist: both keep working, with a
DeprecationWarning naming the new path. Only names that no longer exist are looked up here.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

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
# Reached only by bin scripts generated before the move: a warning there would change the command's stderr.
SILENT = frozenset({"clusterjob_sim.engine_cmd"})


class MovedModuleFinder:
    """A meta path finder answering the old names in MOVED with the module now at the new path."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """A spec whose loader returns the moved module, for a name in MOVED; None for any other name."""
        new = MOVED.get(fullname)
        if new is None:
            return None
        from importlib.util import spec_from_loader

        return spec_from_loader(fullname, _AliasLoader(fullname, new))


class _AliasLoader:
    """Loads an old name by importing the new module and registering it under the old name too."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        """The module at the new path (the same object: no second copy of its state)."""
        import importlib
        import warnings

        if self.old not in SILENT:
            warnings.warn(
                f"{self.old} moved to {self.new}; import it from there",
                DeprecationWarning,
                stacklevel=4,
            )
        module = importlib.import_module(self.new)
        sys.modules[self.old] = module
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was executed under its new name."""
