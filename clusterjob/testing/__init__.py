"""clusterjob.testing: the conformance kit for backend authors (strategies, capabilities, base test class,
pytest plugin, ``clusterjob check``).

Import-light: ``Capabilities`` and the profile names load at once; ``BackendConformance`` and the Hypothesis
strategies load on first use, so the pytest plugin costs nothing in sessions that do not use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clusterjob.testing.capabilities import CORE_VARIABLES, Capabilities

if TYPE_CHECKING:
    from clusterjob.testing import strategies
    from clusterjob.testing.suite import BackendConformance, replaces_check

__all__ = [
    "CORE_VARIABLES",
    "BackendConformance",
    "Capabilities",
    "replaces_check",
    "strategies",
]

_LAZY = {
    "BackendConformance": ("clusterjob.testing.suite", "BackendConformance"),
    "replaces_check": ("clusterjob.testing.suite", "replaces_check"),
    "strategies": ("clusterjob.testing.strategies", None),
}


def __getattr__(name: str) -> Any:
    """Load the heavy parts (Hypothesis, pytest) only when they are asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'clusterjob.testing' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
