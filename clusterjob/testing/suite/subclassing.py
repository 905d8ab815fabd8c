"""What a subclass of BackendConformance may set, and how it replaces a check on purpose: the rest of what
it defines must not shadow a check or fixture of the suite by mistake."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CONFIG_ATTRIBUTES = (
    "backend",
    "scheduler",
    "capabilities",
    "real_capabilities",
    "cluster_overrides",
)
"""What a subclass may set (everything else it defines must not shadow the suite)."""


def replaces_check(function: Callable[..., T]) -> Callable[..., T]:
    """Mark a subclass method that deliberately replaces a suite check or fixture of the same name."""
    function.__cj_replaces_check__ = True  # type: ignore[attr-defined]
    return function


def _is_fixture(value: object) -> bool:
    try:
        from _pytest.fixtures import FixtureFunctionDefinition

        if isinstance(value, FixtureFunctionDefinition):
            return True
    except ImportError:  # pragma: no cover - pytest < 8.4
        pass
    return hasattr(value, "_pytestfixturefunction") or hasattr(value, "_fixture_function_marker")


def _suite_members(suite: type) -> dict[str, object]:
    """Checks, fixtures and helpers of `suite` (BackendConformance and every group of checks it is made of)
    that a subclass must not shadow by mistake."""
    members: dict[str, object] = {}
    for klass in reversed(suite.__mro__[:-1]):  # object left out; the class a name resolves to wins
        members.update(
            (name, value)
            for name, value in vars(klass).items()
            if not name.startswith("__") and name not in CONFIG_ATTRIBUTES
        )
    return members
