"""BackendConformance: the conformance suite as a base test class that ships with clusterjob.

Adoption is one subclass in a test module (never an edit of the tests)::

    from clusterjob.testing import BackendConformance, Capabilities

    class TestMyBackend(BackendConformance):
        backend = MyBackend()
        scheduler = "slurm"
        capabilities = Capabilities(always_adds={"account": "proj1"})   # optional

Each ``test_*`` method is one check; properties draw their examples from the active ``clusterjob-*``
Hypothesis profile, end-to-end checks run real jobs on a fresh simulated cluster of ``scheduler`` -- or,
under ``--cj-real``, on the real scheduler found on PATH (see ``clusterjob.testing.real``).

One module per group of checks (contract, body_variables, encoding, round_trip, injection, parsing,
end_to_end, core_variables, faults), each a mixin of BackendConformance; base holds what they share,
harness the jobs of the end-to-end checks, subclassing what a subclass may set or replace.
"""

from __future__ import annotations

import difflib
from typing import Any

from clusterjob.testing.capabilities import Capabilities
from clusterjob.testing.rules import rules_for
from clusterjob.testing.suite.base import ConformanceBase, Rendered
from clusterjob.testing.suite.body_variables import BodyVariableChecks
from clusterjob.testing.suite.contract import SEVEN_METHODS as SEVEN_METHODS
from clusterjob.testing.suite.contract import ContractChecks
from clusterjob.testing.suite.core_variables import CoreVariableChecks
from clusterjob.testing.suite.encoding import EncodingChecks
from clusterjob.testing.suite.end_to_end import EndToEndChecks
from clusterjob.testing.suite.faults import FaultChecks
from clusterjob.testing.suite.harness import E2E_TIMEOUT_S as E2E_TIMEOUT_S
from clusterjob.testing.suite.harness import REAL_JOB_TIME_S as REAL_JOB_TIME_S
from clusterjob.testing.suite.harness import REAL_STATUS_SETTLE_S as REAL_STATUS_SETTLE_S
from clusterjob.testing.suite.injection import InjectionChecks
from clusterjob.testing.suite.parsing import ParsingChecks
from clusterjob.testing.suite.round_trip import RoundTripChecks
from clusterjob.testing.suite.subclassing import (
    CONFIG_ATTRIBUTES as CONFIG_ATTRIBUTES,
)
from clusterjob.testing.suite.subclassing import (
    _is_fixture,
    _suite_members,
    replaces_check,
)

__all__ = ["BackendConformance", "Rendered", "replaces_check"]


# pytest runs the checks a class inherits base first (reverse MRO), so the groups are listed last to first:
# the checks run, and `clusterjob check` reports them, in the order (a) contract ... (g) faults.
class BackendConformance(
    FaultChecks,
    CoreVariableChecks,
    EndToEndChecks,
    ParsingChecks,
    InjectionChecks,
    RoundTripChecks,
    EncodingChecks,
    BodyVariableChecks,
    ContractChecks,
    ConformanceBase,
):
    """Base class of a backend's conformance tests: subclass it, set ``backend`` and ``scheduler``.

    Not collected by itself (``__test__`` is False until a subclass sets a backend).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        protected = _suite_members(BackendConformance)
        for name, value in vars(cls).items():
            if name.startswith("__") or name in CONFIG_ATTRIBUTES:
                continue
            if name in protected:
                if getattr(value, "__cj_replaces_check__", False):
                    continue
                kind = "fixture" if _is_fixture(protected[name]) else "check"
                if kind == "fixture" and _is_fixture(value):
                    continue  # a fixture overriding a fixture is how pytest customizes one
                raise TypeError(
                    f"{cls.__name__}.{name} shadows the conformance suite's {kind} {name!r}: "
                    f"rename it, or decorate it with @clusterjob.testing.replaces_check if you really "
                    f"mean to replace the suite's {kind} (declare unsupported features in "
                    f"`capabilities = Capabilities(...)` instead of replacing checks)"
                )
            if not name.startswith(("test", "_")) and not callable(value):
                close = difflib.get_close_matches(name, CONFIG_ATTRIBUTES, n=1, cutoff=0.75)
                if close:
                    raise TypeError(
                        f"{cls.__name__}.{name}: not a setting of BackendConformance; did you mean "
                        f"{close[0]!r}? (settings: {', '.join(CONFIG_ATTRIBUTES)})"
                    )
        backend = getattr(cls, "backend", None)
        if backend is not None:
            if isinstance(backend, type):
                raise TypeError(
                    f"{cls.__name__}.backend must be a backend instance, got the class "
                    f"{backend.__name__}: write `backend = {backend.__name__}()`"
                )
            scheduler = getattr(cls, "scheduler", None)
            if not isinstance(scheduler, str):
                raise TypeError(
                    f"{cls.__name__} sets a backend but no `scheduler = ...` (one of slurm, pbs, "
                    f"pbspro, lsf, sge): the suite needs to know which simulator speaks to it"
                )
            try:
                rules_for(scheduler)
            except ValueError as exc:
                raise TypeError(f"{cls.__name__}.scheduler: {exc}") from None
            for setting in ("capabilities", "real_capabilities"):
                capabilities = getattr(cls, setting, None)
                if capabilities is not None and not isinstance(capabilities, Capabilities):
                    raise TypeError(
                        f"{cls.__name__}.{setting} must be a clusterjob.testing.Capabilities, got "
                        f"{type(capabilities).__name__}"
                    )
        if "__test__" not in vars(cls):
            cls.__test__ = backend is not None
