"""Loading the old module paths of clusterjob_sim (before engine/ and the per-scheduler packages) as the new ones.

Spools created before the move have bin scripts that import clusterjob_sim.engine_cmd, and scheduler modules
written against ENGINE_API.md import clusterjob_sim.spool or clusterjob_sim.hostlist: both keep working, with a
DeprecationWarning naming the new path. The map of old to new names, and the finder, are in __init__.py.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType

# Reached only by bin scripts generated before the move: a warning there would change the command's stderr.
SILENT = frozenset({"clusterjob_sim.engine_cmd"})


def moved_spec(old: str, new: str) -> ModuleSpec:
    """A spec whose loader returns the module now at `new` under its old name `old` (see MOVED)."""
    from importlib.util import spec_from_loader

    spec = spec_from_loader(old, _AliasLoader(old, new))
    assert spec is not None
    return spec


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
